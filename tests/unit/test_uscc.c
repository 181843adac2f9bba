/* test_uscc.c — unified social credit code and organisation code checks (firm/uscc.h). */
#include "core/ftz_setup.h"
#include "firm/uscc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* Codes published in the national enterprise credit information system for well-known firms.
 * Each passes both the GB 32100 and the GB 11714 check, which a made-up code does only once
 * in 341 tries. */
static const char *real_codes[] = {
    "914403001922038216", /* 华为技术有限公司 */
    "9144030071526726XG", /* 腾讯科技（深圳）有限公司 (organisation code ends in X) */
    "91440300708461136T", /* 深圳市腾讯计算机系统有限公司 */
    "91330100716105852F", /* 阿里巴巴（中国）网络技术有限公司 */
    "91110000802100433B", /* 北京百度网讯科技有限公司 */
    "91110108551385082Q", /* 小米科技有限责任公司 */
    "91100000100003962T", /* 中国工商银行股份有限公司 */
};

static void test_real_codes(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(real_codes); i++) {
        const char *why = "unset";
        if (!firm_uscc_valid(real_codes[i], &why)) fail_msg("%s: %s", real_codes[i], why);
        assert_null(why);
        assert_true(firm_uscc_valid(real_codes[i], NULL));
        assert_int_equal(firm_uscc_check_char(real_codes[i]), real_codes[i][17]);
        char org[10];
        memcpy(org, real_codes[i] + 8, 9);
        org[9] = '\0';
        assert_true(firm_orgcode_valid(org));
        assert_false(firm_orgcode_valid(real_codes[i] + 8)); /* 10 characters */
        assert_int_equal(firm_orgcode_check_char(real_codes[i] + 8), real_codes[i][16]);
    }
}

/* Every single-character substitution of every real code is caught by the mod-31 check. */
static void test_substitutions(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(real_codes); i++) {
        for (int pos = 0; pos < 18; pos++) {
            for (const char *c = alphabet; *c; c++) {
                char code[19];
                memcpy(code, real_codes[i], 19);
                if (code[pos] == *c) continue;
                code[pos] = *c;
                const char *why = NULL;
                if (firm_uscc_valid(code, &why)) fail_msg("accepted %s", code);
                assert_string_equal(why, "check_digit");
            }
        }
    }
}

/* Swapping two different neighbours among the first 17 is caught too (3^i weights differ). */
static void test_transpositions(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(real_codes); i++) {
        for (int pos = 0; pos < 16; pos++) {
            char code[19];
            memcpy(code, real_codes[i], 19);
            if (code[pos] == code[pos + 1]) continue;
            char t = code[pos];
            code[pos] = code[pos + 1];
            code[pos + 1] = t;
            const char *why = NULL;
            if (firm_uscc_valid(code, &why)) fail_msg("accepted %s", code);
            assert_string_equal(why, "check_digit");
        }
    }
}

static void test_rules(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        const char *why;
    } cases[] = {
        {"", "length"},
        {"91110000802100433", "length"},
        {"91110000802100433BB", "length"},
        {"91110000802100433B ", "length"},
        {" 91110000802100433B", "length"},
        {"91110000802100433b", "charset"}, /* lower case */
        {"9144030071526726xg", "charset"},
        {"91110000802100433I", "charset"}, /* I O S V Z are not in the set */
        {"91110000802100433O", "charset"},
        {"91110000802100433S", "charset"},
        {"91110000802100433V", "charset"},
        {"91110000802100433Z", "charset"},
        {"9111000080210043-B", "charset"},
        {"91110000 802100433", "charset"},
        {"9111000080210043\xc3\xa9", "charset"}, /* 18 bytes, one of them not ASCII */
        {"91110000802100433A", "check_digit"},
        {"91110000802100434B", "check_digit"},
        {"914403001922038217", "check_digit"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *why = NULL;
        if (firm_uscc_valid(cases[i].code, &why)) fail_msg("accepted \"%s\"", cases[i].code);
        if (!why || strcmp(why, cases[i].why) != 0)
            fail_msg("\"%s\": %s, want %s", cases[i].code, why ? why : "NULL", cases[i].why);
    }
    const char *why = NULL;
    assert_false(firm_uscc_valid(NULL, &why));
    assert_string_equal(why, "length");
    /* An embedded NUL shortens the string. */
    assert_false(firm_uscc_valid("911100008021\0"
                                 "00433B",
                                 &why));
    assert_string_equal(why, "length");
}

/* A code whose outer check is right but whose organisation code is wrong was made up. */
static void test_org_check_inside(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(real_codes); i++) {
        for (const char *c = "0123456789X"; *c; c++) {
            char code[19];
            memcpy(code, real_codes[i], 19);
            if (code[16] == *c) continue;
            code[16] = *c;
            code[17] = firm_uscc_check_char(code);
            const char *why = NULL;
            if (firm_uscc_valid(code, &why)) fail_msg("accepted %s", code);
            assert_string_equal(why, "org_check_digit");
        }
    }
}

/* Demonstration codes built with the two check functions are valid: Heihe (231100) firms. */
static void test_make_codes(void **state)
{
    (void)state;
    static const char body_chars[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    unsigned seed = 12345;
    for (int n = 0; n < 2000; n++) {
        char code[19] = "91231100";
        for (int k = 8; k < 16; k++) {
            seed = seed * 1103515245u + 12345u;
            code[k] = body_chars[(seed >> 16) % (sizeof body_chars - 1)];
        }
        code[16] = firm_orgcode_check_char(code + 8);
        assert_true(code[16] == 'X' || (code[16] >= '0' && code[16] <= '9'));
        code[17] = firm_uscc_check_char(code);
        code[18] = '\0';
        assert_true(strchr(alphabet, code[17]) != NULL);
        const char *why = "unset";
        if (!firm_uscc_valid(code, &why)) fail_msg("%s: %s", code, why);
    }
}

static void test_check_char_bad_input(void **state)
{
    (void)state;
    assert_int_equal(firm_uscc_check_char(NULL), '\0');
    assert_int_equal(firm_uscc_check_char(""), '\0');
    assert_int_equal(firm_uscc_check_char("9111000080210043"), '\0'); /* 16 characters */
    assert_int_equal(firm_uscc_check_char("9111000080210043a"), '\0');
    assert_int_equal(firm_uscc_check_char("9111000080210043I"), '\0');
    /* Only the first 17 characters count. */
    assert_int_equal(firm_uscc_check_char("91110000802100433??"), 'B');

    assert_int_equal(firm_orgcode_check_char(NULL), '\0');
    assert_int_equal(firm_orgcode_check_char("8021004"), '\0');
    assert_int_equal(firm_orgcode_check_char("8021004a"), '\0');
    assert_int_equal(firm_orgcode_check_char("8021004-"), '\0');
    assert_int_equal(firm_orgcode_check_char("80210043"), '3');
    assert_int_equal(firm_orgcode_check_char("71526726"), 'X');
}

static void test_orgcode(void **state)
{
    (void)state;
    assert_true(firm_orgcode_valid("802100433"));
    assert_true(firm_orgcode_valid("71526726X"));
    assert_false(firm_orgcode_valid("71526726x"));
    assert_false(firm_orgcode_valid("802100434"));
    assert_false(firm_orgcode_valid("80210043"));
    assert_false(firm_orgcode_valid("8021004333"));
    assert_false(firm_orgcode_valid(""));
    assert_false(firm_orgcode_valid(NULL));
    /* Check value 11 is written '0': find a body with Σ mod 11 = 0. "00000000" sums to 0. */
    assert_int_equal(firm_orgcode_check_char("00000000"), '0');
    assert_true(firm_orgcode_valid("000000000"));
    /* Letters count 10..35, including those the USCC set leaves out. */
    assert_int_equal(firm_orgcode_check_char("Z0000000"), (char)('0' + (11 - (35 * 3) % 11)));
}

static void test_split(void **state)
{
    (void)state;
    firm_uscc_parts p;
    assert_true(firm_uscc_split("91110000802100433B", &p));
    assert_int_equal(p.authority, '9');
    assert_string_equal(p.authority_name, "工商");
    assert_int_equal(p.type, '1');
    assert_string_equal(p.type_name, "企业");
    assert_string_equal(p.region, "110000");
    assert_string_equal(p.province, "北京市");
    assert_string_equal(p.org_code, "802100433");
    /* a social organisation registered by civil affairs in Heilongjiang */
    assert_true(firm_uscc_split("51231100MJ0000000X", &p));
    assert_string_equal(p.authority_name, "民政");
    assert_string_equal(p.type_name, "社会团体");
    assert_string_equal(p.province, "黑龙江省");
    /* codes outside the tables keep their characters, without names */
    assert_true(firm_uscc_split("Q9990000000000000X", &p));
    assert_null(p.authority_name);
    assert_string_equal(p.type_name, "");
    assert_null(p.province);
    assert_false(firm_uscc_split("9111", &p));
    assert_false(firm_uscc_split(NULL, &p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_codes),
        cmocka_unit_test(test_substitutions),
        cmocka_unit_test(test_transpositions),
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_org_check_inside),
        cmocka_unit_test(test_make_codes),
        cmocka_unit_test(test_check_char_bad_input),
        cmocka_unit_test(test_orgcode),
        cmocka_unit_test(test_split),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
