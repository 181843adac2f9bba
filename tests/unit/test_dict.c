/* test_dict.c — the dictionaries (core/dict.h): every shipped table loads from the embedded
 * files, spot checks against the standards (ISO 3166-1 codes written out independently here,
 * ISO 4217, customs units, GB/T 4754-2017, HS chapters), versions, JSON, and malformed files
 * rejected with their line and column. */
#include "core/ftz_setup.h"
#include "core/dict.h"
#include "core/arena.h"
#include "core/embed.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static ftz_dicts *dicts; /* the embedded tables, loaded once for the group */

static int setup(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    ftz_rc rc = ftz_dict_load_embedded(&dicts, &err);
    if (rc)
        fprintf(stderr, "load failed: %s %s %s\n", ftz_rc_name(rc), err.code ? err.code : "",
                err.param ? err.param : "");
    ftz_arena_free(a);
    return rc == FTZ_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    ftz_dicts_free(dicts);
    return 0;
}

static const ftz_dict *table(const char *name)
{
    const ftz_dict *t = ftz_dict_get(dicts, name);
    if (!t) fail_msg("no table %s", name);
    return t;
}

static void expect(const char *dict, const char *code, const char *zh, const char *ru,
                   const char *en)
{
    const ftz_dict_entry *e = ftz_dict_lookup(table(dict), code);
    if (!e) fail_msg("%s has no %s", dict, code);
    assert_string_equal(ftz_dict_entry_code(e), code);
    assert_string_equal(ftz_dict_entry_name(e, "zh"), zh);
    if (ru) assert_string_equal(ftz_dict_entry_name(e, "ru"), ru);
    if (en) assert_string_equal(ftz_dict_entry_name(e, "en"), en);
}

static void test_tables(void **state)
{
    (void)state;
    static const char *names[] = {"countries", "currencies", "hs_chapters", "industries", "units"};
    for (size_t i = 0; i < FTZ_COUNTOF(names); i++)
        assert_non_null(ftz_dict_get(dicts, names[i]));
    assert_true(ftz_dicts_count(dicts) >= FTZ_COUNTOF(names));
    for (size_t i = 1; i < ftz_dicts_count(dicts); i++)
        assert_true(strcmp(ftz_dict_name(ftz_dicts_at(dicts, i - 1)),
                           ftz_dict_name(ftz_dicts_at(dicts, i))) < 0);
    assert_null(ftz_dicts_at(dicts, ftz_dicts_count(dicts)));
    assert_null(ftz_dict_get(dicts, "calendar")); /* data/calendar is no dictionary */
    assert_null(ftz_dict_get(dicts, "2024"));
    assert_null(ftz_dict_get(dicts, "schema"));
    assert_null(ftz_dict_get(dicts, ""));
    assert_null(ftz_dict_get(dicts, NULL));

    assert_int_equal(ftz_dict_count(table("countries")), 249);
    assert_int_equal(ftz_dict_count(table("units")), 122);
    assert_int_equal(ftz_dict_count(table("industries")), 20 + 97);
    assert_int_equal(ftz_dict_count(table("hs_chapters")), 97);
    assert_true(ftz_dict_count(table("currencies")) >= 150);

    /* Every table: entries strictly ordered by code, so lookup finds each of them. */
    for (size_t i = 0; i < ftz_dicts_count(dicts); i++) {
        const ftz_dict *t = ftz_dicts_at(dicts, i);
        for (size_t k = 0; k < ftz_dict_count(t); k++) {
            const ftz_dict_entry *e = ftz_dict_at(t, k);
            if (k)
                assert_true(
                    strcmp(ftz_dict_entry_code(ftz_dict_at(t, k - 1)), ftz_dict_entry_code(e)) < 0);
            assert_ptr_equal(ftz_dict_lookup(t, ftz_dict_entry_code(e)), e);
        }
        assert_null(ftz_dict_at(t, ftz_dict_count(t)));
    }
}

/* ISO 3166-1 alpha-2, the 249 officially assigned codes, written out independently. */
static const char iso3166[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS YE YT ZA ZM ZW";

static void test_countries(void **state)
{
    (void)state;
    const ftz_dict *t = table("countries");
    size_t k = 0;
    for (const char *p = iso3166; *p; p += p[2] ? 3 : 2, k++) {
        char code[3] = {p[0], p[1], 0};
        const ftz_dict_entry *e = ftz_dict_at(t, k);
        assert_non_null(e);
        assert_string_equal(ftz_dict_entry_code(e), code);
        assert_null(ftz_dict_entry_parent(e));
    }
    assert_int_equal(k, ftz_dict_count(t));
    assert_false(ftz_dict_has_parent(t));

    expect("countries", "RU", "俄罗斯", "Россия", "Russia");
    expect("countries", "CN", "中国", "Китай", "China");
    expect("countries", "KZ", "哈萨克斯坦", "Казахстан", "Kazakhstan");
    expect("countries", "MN", "蒙古", "Монголия", "Mongolia");
    expect("countries", "BY", "白俄罗斯", "Беларусь", "Belarus");
    expect("countries", "KR", "韩国", "Республика Корея", "Republic of Korea");
    expect("countries", "US", "美国", "США", "United States");
    expect("countries", "HK", "中国香港", "Гонконг (Китай)", "Hong Kong, China");
    expect("countries", "TW", "中国台湾", "Тайвань (Китай)", "Taiwan, China");
    expect("countries", "MO", "中国澳门", "Макао (Китай)", "Macao, China");
    expect("countries", "DE", "德国", "Германия", "Germany");
    expect("countries", "JP", "日本", "Япония", "Japan");

    /* Languages by tag; anything else reads Chinese. */
    const ftz_dict_entry *ru = ftz_dict_lookup(t, "RU");
    assert_string_equal(ftz_dict_entry_name(ru, "ru-RU"), "Россия");
    assert_string_equal(ftz_dict_entry_name(ru, "RU"), "Россия");
    assert_string_equal(ftz_dict_entry_name(ru, "en_US"), "Russia");
    assert_string_equal(ftz_dict_entry_name(ru, "EN"), "Russia");
    assert_string_equal(ftz_dict_entry_name(ru, "zh-CN"), "俄罗斯");
    assert_string_equal(ftz_dict_entry_name(ru, "fr"), "俄罗斯");
    assert_string_equal(ftz_dict_entry_name(ru, "rus"), "俄罗斯");
    assert_string_equal(ftz_dict_entry_name(ru, "r"), "俄罗斯");
    assert_string_equal(ftz_dict_entry_name(ru, ""), "俄罗斯");
    assert_string_equal(ftz_dict_entry_name(ru, NULL), "俄罗斯");

    static const char *missing[] = {"ru", "RUS", "R", "", "SU", "XK", "EU", "ZZ", "A", "ZZZ"};
    for (size_t i = 0; i < FTZ_COUNTOF(missing); i++)
        assert_null(ftz_dict_lookup(t, missing[i]));
    assert_null(ftz_dict_lookup(t, NULL));
    assert_null(ftz_dict_lookup(NULL, "RU"));
}

static void test_currencies(void **state)
{
    (void)state;
    static const char *used[] = {
        "CNY", "RUB", "USD", "EUR", "JPY", "KRW", "HKD", "GBP", "KZT", "MNT", "BYN", "CHF",
        "AUD", "CAD", "SGD", "THB", "VND", "INR", "TRY", "AED", "SAR", "UZS", "KGS", "TJS",
        "TMT", "AZN", "AMD", "GEL", "MDL", "UAH", "PLN", "CZK", "HUF", "SEK", "NOK", "DKK",
        "NZD", "MOP", "TWD", "MYR", "IDR", "PHP", "BRL", "MXN", "ZAR", "XDR", "XAU"};
    const ftz_dict *t = table("currencies");
    for (size_t i = 0; i < FTZ_COUNTOF(used); i++)
        if (!ftz_dict_lookup(t, used[i])) fail_msg("no currency %s", used[i]);
    for (size_t k = 0; k < ftz_dict_count(t); k++) {
        const char *c = ftz_dict_entry_code(ftz_dict_at(t, k));
        assert_int_equal(strlen(c), 3);
        for (int j = 0; j < 3; j++)
            assert_true(c[j] >= 'A' && c[j] <= 'Z');
    }
    /* Withdrawn codes are not offered. */
    static const char *gone[] = {"RUR", "BYR", "HRK", "LTL", "DEM", "SLL", "ZWL", "CUC"};
    for (size_t i = 0; i < FTZ_COUNTOF(gone); i++)
        assert_null(ftz_dict_lookup(t, gone[i]));
    expect("currencies", "CNY", "人民币", "Китайский юань", "Yuan Renminbi");
    expect("currencies", "RUB", "俄罗斯卢布", "Российский рубль", "Russian Ruble");
    expect("currencies", "USD", "美元", "Доллар США", "US Dollar");
    expect("currencies", "EUR", "欧元", "Евро", "Euro");
    expect("currencies", "HKD", "港元", NULL, "Hong Kong Dollar");
    expect("currencies", "KZT", "哈萨克斯坦坚戈", NULL, "Tenge");
}

static void test_units(void **state)
{
    (void)state;
    expect("units", "035", "千克", "килограмм", "kilogram");
    expect("units", "001", "台", NULL, NULL);
    expect("units", "007", "个", "штука", "piece");
    expect("units", "011", "件", NULL, "item");
    expect("units", "036", "克", "грамм", "gram");
    expect("units", "070", "吨", "тонна", "tonne");
    expect("units", "120", "箱", NULL, NULL);
    expect("units", "142", "瓶", NULL, "bottle");
    expect("units", "163", "部", NULL, NULL);
    const ftz_dict *t = table("units");
    static const char *not_codes[] = {"024", "035 ", "35", "064", "164", "000"};
    for (size_t i = 0; i < FTZ_COUNTOF(not_codes); i++)
        assert_null(ftz_dict_lookup(t, not_codes[i]));
    for (size_t k = 0; k < ftz_dict_count(t); k++) {
        const char *c = ftz_dict_entry_code(ftz_dict_at(t, k));
        assert_int_equal(strlen(c), 3);
    }
}

static void test_industries(void **state)
{
    (void)state;
    const ftz_dict *t = table("industries");
    assert_true(ftz_dict_has_parent(t));
    expect("industries", "F", "批发和零售业", NULL, "Wholesale and Retail Trade");
    expect("industries", "51", "批发业", "Оптовая торговля", "Wholesale Trade");
    expect("industries", "C", "制造业", NULL, "Manufacturing");
    expect("industries", "T", "国际组织", NULL, NULL);
    assert_string_equal(ftz_dict_entry_parent(ftz_dict_lookup(t, "51")), "F");
    assert_null(ftz_dict_entry_parent(ftz_dict_lookup(t, "F")));

    /* GB/T 4754-2017: the first division of each section, sections A..T. */
    static const struct {
        char section;
        int first, last;
    } spans[] = {{'A', 1, 5},   {'B', 6, 12},  {'C', 13, 43}, {'D', 44, 46}, {'E', 47, 50},
                 {'F', 51, 52}, {'G', 53, 60}, {'H', 61, 62}, {'I', 63, 65}, {'J', 66, 69},
                 {'K', 70, 70}, {'L', 71, 72}, {'M', 73, 75}, {'N', 76, 79}, {'O', 80, 82},
                 {'P', 83, 83}, {'Q', 84, 85}, {'R', 86, 90}, {'S', 91, 96}, {'T', 97, 97}};
    int next = 1;
    for (size_t i = 0; i < FTZ_COUNTOF(spans); i++) {
        char sec[2] = {spans[i].section, 0};
        const ftz_dict_entry *s = ftz_dict_lookup(t, sec);
        assert_non_null(s);
        assert_null(ftz_dict_entry_parent(s));
        assert_int_equal(spans[i].first, next);
        for (int d = spans[i].first; d <= spans[i].last; d++) {
            char code[3];
            snprintf(code, sizeof code, "%02d", d);
            const ftz_dict_entry *e = ftz_dict_lookup(t, code);
            if (!e) fail_msg("no division %s", code);
            assert_string_equal(ftz_dict_entry_parent(e), sec);
        }
        next = spans[i].last + 1;
    }
    assert_int_equal(next, 98);
}

static void test_hs_chapters(void **state)
{
    (void)state;
    const ftz_dict *t = table("hs_chapters");
    for (int c = 1; c <= 97; c++) {
        char code[3];
        snprintf(code, sizeof code, "%02d", c);
        if (!ftz_dict_lookup(t, code)) fail_msg("no chapter %s", code);
    }
    assert_null(ftz_dict_lookup(t, "98"));
    assert_null(ftz_dict_lookup(t, "00"));
    assert_null(ftz_dict_lookup(t, "1"));
    expect("hs_chapters", "44", "木及木制品；木炭", "Древесина и изделия из нее; древесный уголь",
           "Wood and articles of wood; wood charcoal");
    expect("hs_chapters", "01", "活动物", "Живые животные", "Live animals");
    expect("hs_chapters", "84", "核反应堆、锅炉、机器、机械器具及其零件", NULL,
           "Nuclear reactors, boilers, machinery and mechanical appliances; parts thereof");
    const ftz_dict_entry *r = ftz_dict_lookup(t, "77");
    assert_non_null(r);
    assert_non_null(strstr(ftz_dict_entry_name(r, "zh"), "保留"));
    assert_non_null(strstr(ftz_dict_entry_name(r, "ru"), "Зарезервирована"));
    assert_non_null(strstr(ftz_dict_entry_name(r, "en"), "Reserved"));
}

/* version = "# version:" value + "+" + 12 hex digits of the file's SHA-256. */
static void test_versions(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    for (size_t i = 0; i < ftz_dicts_count(dicts); i++) {
        const ftz_dict *t = ftz_dicts_at(dicts, i);
        char path[128];
        snprintf(path, sizeof path, "data/dicts/%s.csv", ftz_dict_name(t));
        const struct ftz_embedded_file *f = ftz_embed_find(path);
        assert_non_null(f);
        unsigned char hash[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(hash, f->data, f->len);
        char hex[2 * crypto_hash_sha256_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
        char want[64];
        snprintf(want, sizeof want, "2026-11-29+%.12s", hex);
        assert_string_equal(ftz_dict_version(t), want);
    }

    /* Same version line, different content: different versions. */
    ftz_dicts *d = ftz_dicts_new();
    static const char a[] = "# version: 7\ncode,name_zh,name_ru,name_en\nX,x,x,x\n";
    static const char b[] = "# version: 7\ncode,name_zh,name_ru,name_en\nX,x,x,y\n";
    assert_int_equal(ftz_dict_parse(d, "a", a, strlen(a), NULL), FTZ_OK);
    assert_int_equal(ftz_dict_parse(d, "b", b, strlen(b), NULL), FTZ_OK);
    const char *va = ftz_dict_version(ftz_dict_get(d, "a"));
    const char *vb = ftz_dict_version(ftz_dict_get(d, "b"));
    assert_int_equal(strlen(va), strlen("7+") + 12);
    assert_memory_equal(va, "7+", 2);
    assert_memory_equal(vb, "7+", 2);
    assert_string_not_equal(va, vb);
    ftz_dicts_free(d);
}

static void test_json(void **state)
{
    (void)state;
    json_t *j = ftz_dict_json(table("industries"));
    assert_string_equal(json_string_value(json_object_get(j, "name")), "industries");
    assert_string_equal(json_string_value(json_object_get(j, "version")),
                        ftz_dict_version(table("industries")));
    json_t *items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 117);
    json_t *first = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(first, "code")), "01");
    assert_string_equal(json_string_value(json_object_get(first, "name_zh")), "农业");
    assert_string_equal(json_string_value(json_object_get(first, "parent")), "A");
    json_t *last = json_array_get(items, 116);
    assert_string_equal(json_string_value(json_object_get(last, "code")), "T");
    assert_true(json_is_null(json_object_get(last, "parent")));
    json_decref(j);

    j = ftz_dict_json(table("countries"));
    items = json_object_get(j, "items");
    assert_int_equal(json_array_size(items), 249);
    json_t *ad = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(ad, "name_ru")), "Андорра");
    assert_string_equal(json_string_value(json_object_get(ad, "name_en")), "Andorra");
    assert_null(json_object_get(ad, "parent"));
    assert_int_equal(json_object_size(ad), 4);
    json_decref(j);
}

/* Well-formed variations that load. */
static void test_parse_good(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        size_t count;
        const char *code, *zh, *ru, *en, *parent, *version_prefix;
    } cases[] = {
        {"# version: 2026-11-29\ncode,name_zh,name_ru,name_en\nRU,俄罗斯,Россия,Russia\n", 1, "RU",
         "俄罗斯", "Россия", "Russia", NULL, "2026-11-29+"},
        /* CRLF, comments, blank lines, no newline at the end */
        {"# version: 1\r\n# a comment\r\n#another\r\n\r\ncode,name_zh,name_ru,name_en\r\n\r\nRU,俄,"
         "Р,R\r\nCN,中,К,C",
         2, "CN", "中", "К", "C", NULL, "1+"},
        /* byte-order mark, spaces around the version, quoted fields with commas and quotes */
        {"\xEF\xBB\xBF#   version:v1.2_x   \ncode,name_zh,name_ru,name_en\nBQ,\"博奈尔\",\"Бонэйр, "
         "Саба\",\"Bonaire, \"\"Saba\"\"\"\n",
         1, "BQ", "博奈尔", "Бонэйр, Саба", "Bonaire, \"Saba\"", NULL, "v1.2_x+"},
        /* a parent column, empty parent allowed */
        {"# version: 1\ncode,name_zh,name_ru,name_en,parent\n01,农业,Р,A,A\nA,农林,С,Agri,\n", 2,
         "01", "农业", "Р", "A", "A", "1+"},
        /* spaces around unquoted fields are ignored, inside quotes they are kept */
        {"# version: 1\n code , name_zh,name_ru,name_en\n RU , a b ,\" c \",d\n", 1, "RU", "a b",
         " c ", "d", NULL, "1+"},
        /* a two-level chain */
        {"# version: 1\ncode,name_zh,name_ru,name_en,parent\n011,a,b,c,01\n01,a,b,c,A\nA,a,b,c,\n",
         3, "011", "a", "b", "c", "01", "1+"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_arena *a = ftz_arena_new();
        ftz_err err;
        ftz_err_init(&err, a);
        ftz_dicts *d = ftz_dicts_new();
        ftz_rc rc = ftz_dict_parse(d, "t", cases[i].csv, strlen(cases[i].csv), &err);
        if (rc)
            fail_msg("case %zu: %s %s %s", i, ftz_rc_name(rc), err.code,
                     err.param ? err.param : "");
        const ftz_dict *t = ftz_dict_get(d, "t");
        assert_int_equal(ftz_dict_count(t), cases[i].count);
        const ftz_dict_entry *e = ftz_dict_lookup(t, cases[i].code);
        assert_non_null(e);
        assert_string_equal(ftz_dict_entry_name(e, "zh"), cases[i].zh);
        assert_string_equal(ftz_dict_entry_name(e, "ru"), cases[i].ru);
        assert_string_equal(ftz_dict_entry_name(e, "en"), cases[i].en);
        if (cases[i].parent)
            assert_string_equal(ftz_dict_entry_parent(e), cases[i].parent);
        else
            assert_null(ftz_dict_entry_parent(e));
        const char *v = ftz_dict_version(t);
        assert_memory_equal(v, cases[i].version_prefix, strlen(cases[i].version_prefix));
        assert_int_equal(strlen(v), strlen(cases[i].version_prefix) + 12);
        ftz_dicts_free(d);
        ftz_arena_free(a);
    }
}

#define HDR  "# version: 1\ncode,name_zh,name_ru,name_en\n"
#define HDR5 "# version: 1\ncode,name_zh,name_ru,name_en,parent\n"

/* Malformed files: rejected whole, with the rule, the line and the column. */
static void test_parse_bad(void **state)
{
    (void)state;
    static const struct {
        const char *csv;
        size_t len; /* 0 = strlen */
        ftz_rc rc;
        const char *code, *param;
    } cases[] = {
        {"", 0, FTZ_EPARSE, "dict_version", "t:1:0"},
        {"code,name_zh,name_ru,name_en\nRU,a,b,c\n", 0, FTZ_EPARSE, "dict_version", "t:1:0"},
        {"# version:\ncode,name_zh,name_ru,name_en\nRU,a,b,c\n", 0, FTZ_EPARSE, "dict_version",
         "t:1:0"},
        {"# version: 2026 11\n", 0, FTZ_EPARSE, "dict_version", "t:1:0"},
        {"# versions: 1\n", 0, FTZ_EPARSE, "dict_version", "t:1:0"},
        {"version: 1\n", 0, FTZ_EPARSE, "dict_version", "t:1:0"},
        {"# version: 123456789012345678901234567890123\n", 0, FTZ_EPARSE, "dict_version", "t:1:0"},
        {"# version: 1\n", 0, FTZ_EPARSE, "dict_header", "t:2:0"},
        {"# version: 1\n# only comments\n", 0, FTZ_EPARSE, "dict_header", "t:3:0"},
        {"# version: 1\ncode,name_zh,name_ru\nRU,a,b\n", 0, FTZ_EPARSE, "dict_header", "t:2:4"},
        {"# version: 1\ncode,name,name_ru,name_en\n", 0, FTZ_EPARSE, "dict_header", "t:2:2"},
        {"# version: 1\nname_zh,code,name_ru,name_en\n", 0, FTZ_EPARSE, "dict_header", "t:2:1"},
        {"# version: 1\ncode,name_zh,name_ru,name_en,parent,x\n", 0, FTZ_EPARSE, "dict_header",
         "t:2:6"},
        {"# version: 1\ncode,name_zh,name_ru,name_en,father\n", 0, FTZ_EPARSE, "dict_header",
         "t:2:5"},
        {HDR, 0, FTZ_EPARSE, "dict_no_rows", "t:3:0"},
        {HDR "\n\n", 0, FTZ_EPARSE, "dict_no_rows", "t:5:0"},
        {HDR "RU,俄罗斯,Россия\n", 0, FTZ_EPARSE, "dict_columns", "t:3:4"},
        {HDR "RU,a,b,c\nCN,a,b,c,d\n", 0, FTZ_EPARSE, "dict_columns", "t:4:5"},
        {HDR "RU\n", 0, FTZ_EPARSE, "dict_columns", "t:3:2"},
        {HDR "RU,a,b,c\n# a comment after the header\n", 0, FTZ_EPARSE, "dict_columns", "t:4:2"},
        {HDR ",a,b,c\n", 0, FTZ_EPARSE, "dict_bad_code", "t:3:1"},
        {HDR "R U,a,b,c\n", 0, FTZ_EPARSE, "dict_bad_code", "t:3:1"},
        {HDR "RU!,a,b,c\n", 0, FTZ_EPARSE, "dict_bad_code", "t:3:1"},
        {HDR "俄,a,b,c\n", 0, FTZ_EPARSE, "dict_bad_code", "t:3:1"},
        {HDR "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456,a,b,c\n", 0, FTZ_EPARSE, "dict_bad_code", "t:3:1"},
        {HDR "RU,,b,c\n", 0, FTZ_EPARSE, "dict_empty", "t:3:2"},
        {HDR "RU,a,\"\",c\n", 0, FTZ_EPARSE, "dict_empty", "t:3:3"},
        {HDR "RU,a,b,\n", 0, FTZ_EPARSE, "dict_empty", "t:3:4"},
        {HDR "RU,\"a,b,c\nCN,x,y,z\n", 0, FTZ_EPARSE, "dict_syntax", "t:3:2"},
        {HDR "RU,a,b,\"c", 0, FTZ_EPARSE, "dict_syntax", "t:3:4"},
        {HDR "RU,\"a\"x,b,c\n", 0, FTZ_EPARSE, "dict_syntax", "t:3:2"},
        {HDR "RU,a\"b,c,d\n", 0, FTZ_EPARSE, "dict_syntax", "t:3:2"},
        {HDR "RU,a,b,c\rCN,x,y,z\n", 0, FTZ_EPARSE, "dict_syntax", "t:3:0"},
        {HDR "RU,a,b,c\r", 0, FTZ_EPARSE, "dict_syntax", "t:3:0"},
        {HDR "RU,\xff,b,c\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:0"},
        {HDR "RU,\xc0\xaf,b,c\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:0"},         /* overlong */
        {HDR "RU,\xed\xa0\x80,b,c\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:0"},     /* surrogate */
        {HDR "RU,\xf4\x90\x80\x80,b,c\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:0"}, /* >10FFFF */
        {HDR "RU,\xe4\xbf,b,c\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:0"},         /* truncated */
        {"# version: 1\xff\n", 0, FTZ_EPARSE, "dict_bad_text", "t:1:0"},
        {HDR "RU,\"a\tb\",c,d\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:2"},
        {HDR "RU,a,\"b\x01\",d\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:3"},
        {HDR "RU,a,b,c\x7f\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:4"},
        {HDR "RU,a\xc2\x85z,b,c\n", 0, FTZ_EPARSE, "dict_bad_text", "t:3:2"}, /* C1 NEL */
        {HDR "RU,a\0b,c,d\n", sizeof(HDR "RU,a\0b,c,d\n") - 1, FTZ_EPARSE, "dict_bad_text",
         "t:3:0"},
        {HDR "RU,a,b,c\nCN,a,b,c\nRU,x,y,z\n", 0, FTZ_EPARSE, "dict_duplicate", "t:5:1"},
        {HDR "B,a,b,c\nA,a,b,c\nA,a,b,c\nB,a,b,c\n", 0, FTZ_EPARSE, "dict_duplicate", "t:5:1"},
        {HDR5 "01,a,b,c,X\n", 0, FTZ_EPARSE, "dict_unknown_parent", "t:3:5"},
        {HDR5 "A,a,b,c,\n01,a,b,c,A\n02,a,b,c,a\n", 0, FTZ_EPARSE, "dict_unknown_parent", "t:5:5"},
        {HDR5 "A,a,b,c,A\n", 0, FTZ_EPARSE, "dict_parent_cycle", "t:3:5"},
        {HDR5 "A,a,b,c,B\nB,a,b,c,C\nC,a,b,c,A\n", 0, FTZ_EPARSE, "dict_parent_cycle", "t:3:5"},
        {HDR5 "A,a,b,c,a b\n", 0, FTZ_EPARSE, "dict_bad_code", "t:3:5"},
        {HDR5 "A,a,b,c\n", 0, FTZ_EPARSE, "dict_columns", "t:3:5"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_arena *a = ftz_arena_new();
        ftz_err err;
        ftz_err_init(&err, a);
        ftz_dicts *d = ftz_dicts_new();
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].csv);
        ftz_rc rc = ftz_dict_parse(d, "t", cases[i].csv, len, &err);
        if (rc != cases[i].rc || !err.code || strcmp(err.code, cases[i].code) != 0 || !err.param ||
            strcmp(err.param, cases[i].param) != 0)
            fail_msg("case %zu: got %s %s %s, want %s %s", i, ftz_rc_name(rc),
                     err.code ? err.code : "-", err.param ? err.param : "-", cases[i].code,
                     cases[i].param);
        assert_null(ftz_dict_get(d, "t"));
        assert_int_equal(ftz_dicts_count(d), 0);
        ftz_dicts_free(d);
        ftz_arena_free(a);
    }
}

/* Lines, fields and files over their caps. */
static void test_parse_caps(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_dicts *d = ftz_dicts_new();

    size_t big = FTZ_DICT_MAX_LINE + 10;
    char *s = malloc(sizeof(HDR) + big + 16);
    size_t n = (size_t)snprintf(s, sizeof(HDR) + 16, "%sRU,", HDR);
    memset(s + n, 'a', big);
    n += big;
    memcpy(s + n, ",b,c\n", 6);
    n += 5;
    ftz_err_init(&err, a);
    assert_int_equal(ftz_dict_parse(d, "t", s, n, &err), FTZ_ETOOBIG);
    assert_string_equal(err.code, "dict_too_big");
    assert_string_equal(err.param, "t:3:0");

    /* A field over FTZ_DICT_MAX_FIELD in a line under the line cap. */
    n = (size_t)snprintf(s, sizeof(HDR) + 16, "%sRU,", HDR);
    memset(s + n, 'a', FTZ_DICT_MAX_FIELD + 1);
    n += FTZ_DICT_MAX_FIELD + 1;
    memcpy(s + n, ",b,c\n", 6);
    n += 5;
    ftz_err_init(&err, a);
    assert_int_equal(ftz_dict_parse(d, "t", s, n, &err), FTZ_EPARSE);
    assert_string_equal(err.code, "dict_bad_text");
    assert_string_equal(err.param, "t:3:2");
    /* Exactly at the cap it loads. */
    n = (size_t)snprintf(s, sizeof(HDR) + 16, "%sRU,", HDR);
    memset(s + n, 'a', FTZ_DICT_MAX_FIELD);
    n += FTZ_DICT_MAX_FIELD;
    memcpy(s + n, ",b,c\n", 6);
    n += 5;
    assert_int_equal(ftz_dict_parse(d, "t", s, n, NULL), FTZ_OK);
    free(s);

    size_t huge = FTZ_DICT_MAX_BYTES + 1;
    s = malloc(huge);
    memset(s, '#', huge);
    ftz_err_init(&err, a);
    assert_int_equal(ftz_dict_parse(d, "u", s, huge, &err), FTZ_ETOOBIG);
    assert_string_equal(err.code, "dict_too_big");
    free(s);

    ftz_dicts_free(d);
    ftz_arena_free(a);
}

static void test_registry(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_dicts *d = ftz_dicts_new();
    static const char ok[] = HDR "RU,a,b,c\n";
    static const char *bad_names[] = {
        "",
        "Countries",
        "a-b",
        "a/b",
        "a.csv",
        "名字",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        NULL};
    for (size_t i = 0; i < FTZ_COUNTOF(bad_names); i++) {
        ftz_err_init(&err, a);
        assert_int_equal(ftz_dict_parse(d, bad_names[i], ok, strlen(ok), &err), FTZ_EINVAL);
        assert_string_equal(err.code, "dict_bad_name");
    }
    assert_int_equal(ftz_dict_parse(d, "zeta", ok, strlen(ok), NULL), FTZ_OK);
    assert_int_equal(ftz_dict_parse(d, "alpha", ok, strlen(ok), NULL), FTZ_OK);
    assert_int_equal(ftz_dict_parse(d, "m_1", ok, strlen(ok), NULL), FTZ_OK);
    ftz_err_init(&err, a);
    assert_int_equal(ftz_dict_parse(d, "alpha", ok, strlen(ok), &err), FTZ_ECONFLICT);
    assert_string_equal(err.code, "dict_exists");
    assert_int_equal(ftz_dicts_count(d), 3);
    assert_string_equal(ftz_dict_name(ftz_dicts_at(d, 0)), "alpha");
    assert_string_equal(ftz_dict_name(ftz_dicts_at(d, 1)), "m_1");
    assert_string_equal(ftz_dict_name(ftz_dicts_at(d, 2)), "zeta");
    assert_non_null(ftz_dict_get(d, "m_1"));
    assert_null(ftz_dict_get(d, "m"));
    ftz_dicts_free(d);
    ftz_dicts_free(NULL);
    ftz_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables),     cmocka_unit_test(test_countries),
        cmocka_unit_test(test_currencies), cmocka_unit_test(test_units),
        cmocka_unit_test(test_industries), cmocka_unit_test(test_hs_chapters),
        cmocka_unit_test(test_versions),   cmocka_unit_test(test_json),
        cmocka_unit_test(test_parse_good), cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_parse_caps), cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
