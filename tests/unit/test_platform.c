/* test_platform.c — settings (core/settings.h), counters (core/counter.h) and files
 * (core/files.h) on a temporary database (SQLite by default, FTZ_TEST_PG_URL=… for PostgreSQL). */
#include "core/ftz_setup.h"
#include "core/counter.h"
#include "core/files.h"
#include "core/settings.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "db/db.h"
#include "db/migrate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>
#include <sodium.h>
#include <cmocka.h>

typedef struct fixture {
    char dir[64];
    char path[128];
    ftz_conf conf;
    ftz_db *db;
    ftz_ctx c;
} fixture;

static int setup(void **state)
{
    fixture *f = ftz_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_plat_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    ftz_conf_defaults(&f->conf);
    const char *pg = getenv("FTZ_TEST_PG_URL");
    if (pg && !*pg) pg = NULL;
    char err[512];
    if (ftz_db_open(pg ? pg : f->path, &f->db, err, sizeof err)) return -1;
    if (pg && ftz_db_exec(f->db, "DROP SCHEMA public CASCADE; CREATE SCHEMA public;")) return -1;
    int applied = 0;
    if (ftz_migrate(f->db, &applied, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    ftz_ctx_init_system(&f->c, f->db, &f->conf, "test");
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ftz_ctx_cleanup(&f->c);
    ftz_db_close(f->db);
    ftz_conf_cleanup(&f->conf);
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < FTZ_COUNTOF(suffixes); i++) {
        char p[160];
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
    ftz_free(f);
    return 0;
}

static void reset_err(fixture *f)
{
    ftz_err_init(&f->c.err, f->c.arena);
}

static bool has_field(fixture *f, const char *field, const char *code)
{
    for (size_t k = 0; k < f->c.err.nfields; k++)
        if (strcmp(f->c.err.fields[k].field, field) == 0 &&
            strcmp(f->c.err.fields[k].code, code) == 0)
            return true;
    return false;
}

static int64_t count(fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(ftz_db_scalar(f->db, &n, sql, ""), FTZ_OK);
    return n;
}

/* ---- settings ---- */

static void test_settings_defaults(void **state)
{
    fixture *f = *state;
    int64_t v;
    assert_int_equal(ftz_setting_int(&f->c, "auth.argon2_opslimit", &v), FTZ_OK);
    assert_int_equal(v, 3);
    assert_int_equal(ftz_setting_int(&f->c, "auth.login_max_failures", &v), FTZ_OK);
    assert_int_equal(v, 5);
    const char *s;
    assert_int_equal(ftz_setting_str(&f->c, "zone.name_zh", &s), FTZ_OK);
    assert_string_equal(s, "中国（黑龙江）自由贸易试验区黑河片区");
    assert_int_equal(ftz_setting_int(&f->c, "no.such", &v), FTZ_ENOTFOUND);
    assert_int_equal(ftz_setting_int(&f->c, "zone.name_zh", &v), FTZ_EINTERNAL);
    assert_int_equal(ftz_setting_str(&f->c, "auth.login_window_s", &s), FTZ_EINTERNAL);
}

static void test_settings_set_and_audit(void **state)
{
    fixture *f = *state;
    json_t *v = json_integer(7);
    reset_err(f);
    assert_int_equal(ftz_setting_set(&f->c, "auth.login_max_failures", v), FTZ_OK);
    json_decref(v);
    int64_t n;
    assert_int_equal(ftz_setting_int(&f->c, "auth.login_max_failures", &n), FTZ_OK);
    assert_int_equal(n, 7);
    assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'setting.set' AND "
                              "entity_id = 'auth.login_max_failures' AND "
                              "before = '{\"value\":5}' AND after = '{\"value\":7}'"),
                     1);
    v = json_string("Зона");
    assert_int_equal(ftz_setting_set(&f->c, "zone.name_ru", v), FTZ_OK);
    json_decref(v);
    const char *s;
    assert_int_equal(ftz_setting_str(&f->c, "zone.name_ru", &s), FTZ_OK);
    assert_string_equal(s, "Зона");
    /* null resets to the default */
    assert_int_equal(ftz_setting_set(&f->c, "auth.login_max_failures", json_null()), FTZ_OK);
    assert_int_equal(ftz_setting_int(&f->c, "auth.login_max_failures", &n), FTZ_OK);
    assert_int_equal(n, 5);
    assert_int_equal(
        count(f, "SELECT count(*) FROM settings WHERE name = 'auth.login_max_failures'"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM audit"), 3);
    /* get/list shape */
    f->c.lang = "en";
    json_t *o;
    assert_int_equal(ftz_setting_get(&f->c, "zone.name_ru", &o), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(o, "value")), "Зона");
    assert_string_equal(json_string_value(json_object_get(o, "type")), "string");
    assert_non_null(strstr(json_string_value(json_object_get(o, "description")), "Russian"));
    assert_true(json_is_string(json_object_get(o, "updated_at")));
    assert_true(json_is_null(json_object_get(o, "updated_by")));
    json_decref(o);
    assert_int_equal(ftz_setting_get(&f->c, "nope", &o), FTZ_ENOTFOUND);
    assert_int_equal(ftz_settings_list(&f->c, &o), FTZ_OK);
    assert_int_equal(json_array_size(o), 15);
    json_t *first = json_array_get(o, 0);
    assert_string_equal(json_string_value(json_object_get(first, "name")), "auth.argon2_opslimit");
    assert_int_equal(json_integer_value(json_object_get(first, "value")), 3);
    assert_int_equal(json_integer_value(json_object_get(first, "default")), 3);
    assert_int_equal(json_integer_value(json_object_get(first, "min")), 1);
    assert_int_equal(json_integer_value(json_object_get(first, "max")), 10);
    assert_true(json_is_null(json_object_get(first, "updated_at")));
    json_decref(o);
}

static void test_settings_rejects(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *name, *value, *code;
    } cases[] = {
        {"auth.argon2_opslimit", "0", "range"},
        {"auth.argon2_opslimit", "11", "range"},
        {"auth.argon2_memlimit_kib", "7", "range"},
        {"auth.argon2_memlimit_kib", "1048577", "range"},
        {"auth.login_window_s", "\"900\"", "type"},
        {"auth.login_window_s", "9.5", "type"},
        {"auth.login_window_s", "true", "type"},
        {"zone.name_en", "5", "type"},
        {"zone.name_en", "\"\"", "required"},
        {"zone.name_en", "\"a\\u0001b\"", "format"},
        {"zone.name_en", "\"a\\u0000b\"", "format"},
        {"no.such", "1", "unknown"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        json_t *v = json_loads(cases[i].value, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
        assert_non_null(v);
        reset_err(f);
        assert_int_equal(ftz_setting_set(&f->c, cases[i].name, v), FTZ_EINVAL);
        json_decref(v);
        if (!has_field(f, cases[i].name, cases[i].code))
            fail_msg("case %zu: no %s/%s", i, cases[i].name, cases[i].code);
    }
    /* too long */
    char big[1024];
    memset(big, 'x', 201);
    big[201] = 0;
    json_t *v = json_string(big);
    reset_err(f);
    assert_int_equal(ftz_setting_set(&f->c, "zone.name_en", v), FTZ_EINVAL);
    assert_true(has_field(f, "zone.name_en", "too_long"));
    json_decref(v);
    assert_int_equal(count(f, "SELECT count(*) FROM settings"), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM audit"), 0);
    /* all or nothing */
    json_t *obj = json_pack("{s:i,s:i,s:s,s:i}", "auth.login_max_failures", 9,
                            "auth.argon2_opslimit", 99, "zone.name_en", "Heihe", "bogus", 1);
    reset_err(f);
    assert_int_equal(ftz_setting_set_many(&f->c, obj), FTZ_EINVAL);
    assert_int_equal(f->c.err.nfields, 2);
    assert_true(has_field(f, "auth.argon2_opslimit", "range"));
    assert_true(has_field(f, "bogus", "unknown"));
    json_decref(obj);
    assert_int_equal(count(f, "SELECT count(*) FROM settings"), 0);
    obj = json_pack("{s:i,s:s}", "auth.login_max_failures", 9, "zone.name_en", "Heihe");
    reset_err(f);
    assert_int_equal(ftz_setting_set_many(&f->c, obj), FTZ_OK);
    json_decref(obj);
    assert_int_equal(count(f, "SELECT count(*) FROM settings"), 2);
    assert_int_equal(count(f, "SELECT count(*) FROM audit"), 2);
    /* a bad stored value reads as the default */
    assert_int_equal(
        ftz_db_run(f->db,
                   "UPDATE settings SET value = '100000' WHERE name = 'auth.login_max_failures'",
                   ""),
        FTZ_OK);
    int64_t n;
    assert_int_equal(ftz_setting_int(&f->c, "auth.login_max_failures", &n), FTZ_OK);
    assert_int_equal(n, 5);
    assert_int_equal(
        ftz_db_run(f->db,
                   "UPDATE settings SET value = '12abc' WHERE name = 'auth.login_max_failures'",
                   ""),
        FTZ_OK);
    assert_int_equal(ftz_setting_int(&f->c, "auth.login_max_failures", &n), FTZ_OK);
    assert_int_equal(n, 5);
}

/* ---- counters ---- */

static void test_counters(void **state)
{
    fixture *f = *state;
    int64_t n;
    assert_int_equal(ftz_counter_next(&f->c, "SQ", "2024", &n), FTZ_EINTERNAL);
    assert_int_equal(ftz_db_begin(f->db), FTZ_OK);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(ftz_counter_next(&f->c, "SQ", "2024", &n), FTZ_OK);
        assert_int_equal(n, i);
    }
    assert_int_equal(ftz_counter_next(&f->c, "SQ", "2025", &n), FTZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ftz_counter_next(&f->c, "WC", "2024", &n), FTZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ftz_counter_next(&f->c, "", "2024", &n), FTZ_EINTERNAL);
    assert_int_equal(ftz_counter_next(&f->c, "SQ", NULL, &n), FTZ_EINTERNAL);
    assert_int_equal(ftz_db_commit(f->db), FTZ_OK);
    /* a rolled-back number is given back */
    assert_int_equal(ftz_db_begin(f->db), FTZ_OK);
    assert_int_equal(ftz_counter_next(&f->c, "SQ", "2024", &n), FTZ_OK);
    assert_int_equal(n, 4);
    ftz_db_rollback(f->db);
    assert_int_equal(ftz_db_begin(f->db), FTZ_OK);
    assert_int_equal(ftz_counter_next(&f->c, "SQ", "2024", &n), FTZ_OK);
    assert_int_equal(n, 4);
    assert_int_equal(ftz_db_commit(f->db), FTZ_OK);
    assert_string_equal(ftz_counter_code(f->c.arena, "SQ", "2024", 123), "SQ-2024-000123");
    assert_string_equal(ftz_counter_code(f->c.arena, "SQ", "", 5), "SQ-000005");
    assert_string_equal(ftz_counter_code(f->c.arena, "SQ", NULL, 1234567), "SQ-1234567");
}

/* ---- files ---- */

static size_t make_zip(const char *const *names, size_t n, unsigned char *out, size_t cap)
{
    char path[] = "/tmp/ftz_zip_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    int err;
    zip_t *z = zip_open(path, ZIP_TRUNCATE, &err);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        zip_source_t *s = zip_source_buffer(z, "<x/>", 4, 0);
        assert_true(zip_file_add(z, names[i], s, 0) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    FILE *fp = fopen(path, "rb");
    size_t len = fread(out, 1, cap, fp);
    fclose(fp);
    unlink(path);
    return len;
}

static void test_sniff(void **state)
{
    (void)state;
    static unsigned char xlsx[4096], docx[4096], plainzip[4096], both[4096];
    static const char *const xn[] = {"[Content_Types].xml", "xl/workbook.xml"};
    static const char *const dn[] = {"[Content_Types].xml", "word/document.xml"};
    static const char *const pn[] = {"a.txt"};
    static const char *const bn[] = {"[Content_Types].xml", "word/document.xml", "xl/x.xml"};
    size_t xl = make_zip(xn, 2, xlsx, sizeof xlsx);
    size_t dl = make_zip(dn, 2, docx, sizeof docx);
    size_t pl = make_zip(pn, 1, plainzip, sizeof plainzip);
    size_t bl = make_zip(bn, 3, both, sizeof both);
    static const struct {
        const void *data;
        size_t len;
        const char *name, *declared, *want;
    } cases[] = {
        {"%PDF-1.7\n...", 12, "a.pdf", NULL, "application/pdf"},
        {"\x89PNG\r\n\x1a\n....", 12, "a.png", NULL, "image/png"},
        {"\xff\xd8\xff\xe0....", 8, "a.jpg", NULL, "image/jpeg"},
        {"<?xml version=\"1.0\"?><a/>", 25, "a.xml", NULL, "application/xml"},
        {"\xef\xbb\xbf<?xml version=\"1.0\"?>", 24, "a.xml", NULL, "application/xml"},
        {"a,b\n1,2\n", 8, "a.csv", NULL, "text/csv"},
        {"a,b\n1,2\n", 8, "A.CSV", NULL, "text/csv"},
        {"a,b\n1,2\n", 8, "a.txt", "text/csv; charset=utf-8", "text/csv"},
        {"a,b\n1,2\n", 8, "a.csv", "application/vnd.ms-excel", "text/csv"},
        {"hello 你好", 12, "a.txt", NULL, "text/plain"},
        {"hello", 5, "a.csv", "text/plain", "text/plain"},
        {"\xef\xbb\xbfhello", 8, "a.txt", NULL, "text/plain"},
        {"a\0b", 3, "a.txt", NULL, NULL},
        {"\xff\xfe<\0?\0", 6, "a.xml", NULL, NULL},
        {"\xc0\xaf", 2, "a.txt", NULL, NULL},
        {"MZ\x90\0", 4, "a.exe", NULL, NULL},
        {"\x7f"
         "ELF\x02\x01",
         6, "a", NULL, NULL},
        {"PK\x03\x04garbage", 11, "a.zip", NULL, NULL},
        {"", 0, "a.txt", NULL, NULL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *got =
            ftz_file_sniff(cases[i].data, cases[i].len, cases[i].name, cases[i].declared);
        if (!cases[i].want) {
            if (got) fail_msg("case %zu: got %s", i, got);
        } else {
            if (!got || strcmp(got, cases[i].want) != 0)
                fail_msg("case %zu: got %s, want %s", i, got ? got : "NULL", cases[i].want);
        }
    }
    assert_string_equal(ftz_file_sniff(xlsx, xl, "a.xlsx", NULL),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(ftz_file_sniff(docx, dl, "a.docx", NULL),
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    assert_null(ftz_file_sniff(plainzip, pl, "a.zip", NULL));
    assert_null(ftz_file_sniff(both, bl, "a.zip", NULL));
    assert_null(ftz_file_sniff(xlsx, xl - 30, "a.xlsx", NULL)); /* truncated */
}

static void test_file_put_get(void **state)
{
    fixture *f = *state;
    const char pdf[] = "%PDF-1.4\nhello\n";
    int64_t id = 0;
    reset_err(f);
    assert_int_equal(
        ftz_file_put(&f->c, "报告 2024.pdf", pdf, sizeof pdf - 1, "application/pdf", 0, &id),
        FTZ_OK);
    assert_true(id > 0);
    ftz_file file;
    assert_int_equal(ftz_file_get(&f->c, id, true, &file), FTZ_OK);
    assert_string_equal(file.name, "报告 2024.pdf");
    assert_string_equal(file.media_type, "application/pdf");
    assert_int_equal(file.size, sizeof pdf - 1);
    assert_int_equal(file.content_len, sizeof pdf - 1);
    assert_memory_equal(file.content, pdf, sizeof pdf - 1);
    unsigned char h[32];
    char hex[65];
    crypto_hash_sha256(h, (const unsigned char *)pdf, sizeof pdf - 1);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    assert_string_equal(file.sha256, hex);
    assert_int_equal(file.firm_id, 0);
    json_t *j = ftz_file_json(&file);
    assert_true(json_is_null(json_object_get(j, "firm_id")));
    assert_null(json_object_get(j, "content"));
    json_decref(j);
    assert_int_equal(ftz_file_get(&f->c, id, false, &file), FTZ_OK);
    assert_null(file.content);
    reset_err(f);
    assert_int_equal(ftz_file_get(&f->c, id + 1, false, &file), FTZ_ENOTFOUND);
    assert_int_equal(count(f, "SELECT count(*) FROM audit WHERE action = 'file.upload' AND after "
                              "NOT LIKE '%content%'"),
                     1);
    /* octet-stream says nothing */
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "x.csv", "a,b\n", 4, "application/octet-stream", 0, &id),
                     FTZ_OK);
    assert_int_equal(ftz_file_get(&f->c, id, false, &file), FTZ_OK);
    assert_string_equal(file.media_type, "text/csv");
}

static void test_file_rejects(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *name;
        const char *data;
        size_t len;
        const char *declared;
        const char *field, *code;
    } cases[] = {
        {"", "hello", 5, NULL, "name", "required"},
        {NULL, "hello", 5, NULL, "name", "required"},
        {"a/b.txt", "hello", 5, NULL, "name", "format"},
        {"a\\b.txt", "hello", 5, NULL, "name", "format"},
        {"a\nb.txt", "hello", 5, NULL, "name", "format"},
        {"a\x7f.txt", "hello", 5, NULL, "name", "format"},
        {"a\xc2\x85.txt", "hello", 5, NULL, "name", "format"},
        {"..", "hello", 5, NULL, "name", "format"},
        {"bad\xff.txt", "hello", 5, NULL, "name", "format"},
        {"a.txt", "", 0, NULL, "content", "required"},
        {"a.exe", "MZ\x90\0", 4, NULL, "content", "file_type"},
        {"a.pdf", "%PDF-1.4", 8, "image/png", "content_type", "file_type"},
        {"a.txt", "hello", 5, "application/pdf", "content_type", "file_type"},
        {"a.txt", "hello", 5, "text/html", "content_type", "file_type"},
        {"a.svg", "<?xml version='1.0'?><svg/>", 26, "image/svg+xml", "content_type", "file_type"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int64_t id = 5;
        reset_err(f);
        assert_int_equal(ftz_file_put(&f->c, cases[i].name, cases[i].data, cases[i].len,
                                      cases[i].declared, 0, &id),
                         FTZ_EINVAL);
        assert_int_equal(id, 0);
        if (!has_field(f, cases[i].field, cases[i].code))
            fail_msg("case %zu: no %s/%s", i, cases[i].field, cases[i].code);
    }
    char longname[1024];
    size_t o = 0;
    for (int i = 0; i < 201; i++) {
        memcpy(longname + o, "档", 3);
        o += 3;
    }
    longname[o] = 0;
    int64_t id;
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, longname, "x", 1, NULL, 0, &id), FTZ_EINVAL);
    assert_true(has_field(f, "name", "too_long"));
    longname[600] = 0; /* 200 chars */
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, longname, "x", 1, NULL, 0, &id), FTZ_OK);
    /* size cap */
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "big.txt", "x", (size_t)FTZ_FILE_MAX + 1, NULL, 0, &id),
                     FTZ_ETOOBIG);
    /* firm that does not exist */
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "a.txt", "x", 1, NULL, 42, &id), FTZ_EINVAL);
    assert_true(has_field(f, "firm_id", "no_such"));
    assert_int_equal(count(f, "SELECT count(*) FROM files"), 1);
}

static void test_file_scope(void **state)
{
    fixture *f = *state;
    char now[32];
    ftz_db_now(now);
    int64_t f1, f2;
    assert_int_equal(
        ftz_db_scalar(f->db, &f1,
                      "INSERT INTO firms (credit_code, name_zh, name_fold, status, created_at, "
                      "updated_at) VALUES ('A1', 'a', 'a', 'active', ?, ?) RETURNING id",
                      "ss", now, now),
        FTZ_OK);
    assert_int_equal(
        ftz_db_scalar(f->db, &f2,
                      "INSERT INTO firms (credit_code, name_zh, name_fold, status, created_at, "
                      "updated_at) VALUES ('B2', 'b', 'b', 'active', ?, ?) RETURNING id",
                      "ss", now, now),
        FTZ_OK);
    int64_t a, b, none;
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "a.txt", "a", 1, NULL, f1, &a), FTZ_OK);
    assert_int_equal(ftz_file_put(&f->c, "b.txt", "b", 1, NULL, f2, &b), FTZ_OK);
    assert_int_equal(ftz_file_put(&f->c, "n.txt", "n", 1, NULL, 0, &none), FTZ_OK);

    ftz_principal *sys = f->c.who;
    static const char *perms[] = {"files.read", "files.upload"};
    ftz_principal firm = {.user_id = 50,
                          .username = "firm",
                          .firm_id = f1,
                          .scope = FTZ_SCOPE_OWN_FIRM,
                          .perms = perms,
                          .nperms = 2};
    f->c.who = &firm;
    ftz_file file;
    reset_err(f);
    assert_int_equal(ftz_file_get(&f->c, a, false, &file), FTZ_OK);
    assert_int_equal(ftz_file_get(&f->c, b, false, &file), FTZ_ENOTFOUND);
    assert_int_equal(ftz_file_get(&f->c, none, false, &file), FTZ_ENOTFOUND);
    ftz_files_q q = {.limit = 50};
    json_t *items;
    int64_t total;
    assert_int_equal(ftz_files_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 1);
    assert_int_equal(json_array_size(items), 1);
    json_decref(items);
    /* uploads land under its own firm; another firm is refused */
    int64_t mine;
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "m.txt", "m", 1, NULL, 0, &mine), FTZ_OK);
    assert_int_equal(ftz_file_get(&f->c, mine, false, &file), FTZ_OK);
    assert_int_equal(file.firm_id, f1);
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "m.txt", "m", 1, NULL, f2, &mine), FTZ_EINVAL);
    assert_true(has_field(f, "firm_id", "no_such"));

    /* commissioner of f2 */
    assert_int_equal(
        ftz_db_run(f->db, "UPDATE firms SET commissioner_id = 60 WHERE id = ?", "i", f2), FTZ_OK);
    ftz_principal com = {.user_id = 60,
                         .username = "com",
                         .scope = FTZ_SCOPE_OWN_FIRMS,
                         .perms = perms,
                         .nperms = 2};
    f->c.who = &com;
    reset_err(f);
    assert_int_equal(ftz_file_get(&f->c, a, false, &file), FTZ_ENOTFOUND);
    assert_int_equal(ftz_file_get(&f->c, b, false, &file), FTZ_OK);
    /* a file tied to no firm is its uploader's (the system's here), not the commissioner's */
    assert_int_equal(ftz_file_get(&f->c, none, false, &file), FTZ_ENOTFOUND);
    q.sort_key = "name";
    q.desc = true;
    assert_int_equal(ftz_files_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(items, 0), "name")),
                        "b.txt");
    json_decref(items);
    reset_err(f);
    assert_int_equal(ftz_file_put(&f->c, "c.txt", "c", 1, NULL, f1, &mine), FTZ_EINVAL);
    assert_true(has_field(f, "firm_id", "no_such"));

    /* dept tree: firm f1 belongs to department /1/2/ */
    int64_t d1, d2;
    assert_int_equal(ftz_db_scalar(f->db, &d1,
                                   "INSERT INTO departments (code, name, path, created_at, "
                                   "updated_at) VALUES ('d1', 'd1', '/1/', ?, ?) RETURNING id",
                                   "ss", now, now),
                     FTZ_OK);
    assert_int_equal(
        ftz_db_scalar(f->db, &d2,
                      "INSERT INTO departments (parent_id, code, name, path, created_at, "
                      "updated_at) VALUES (?, 'd2', 'd2', '/1/2/', ?, ?) RETURNING id",
                      "iss", d1, now, now),
        FTZ_OK);
    assert_int_equal(
        ftz_db_run(f->db, "UPDATE firms SET department_id = ? WHERE id = ?", "ii", d2, f1), FTZ_OK);
    ftz_principal staff = {.user_id = 70,
                           .username = "staff",
                           .department_id = d1,
                           .dept_path = "/1/",
                           .scope = FTZ_SCOPE_DEPT_TREE,
                           .perms = perms,
                           .nperms = 2};
    f->c.who = &staff;
    reset_err(f);
    assert_int_equal(ftz_file_get(&f->c, a, false, &file), FTZ_OK);
    assert_int_equal(ftz_file_get(&f->c, b, false, &file), FTZ_ENOTFOUND);
    ftz_principal staff2 = staff;
    staff2.dept_path = "/9/";
    f->c.who = &staff2;
    assert_int_equal(ftz_file_get(&f->c, a, false, &file), FTZ_ENOTFOUND);
    assert_int_equal(ftz_file_get(&f->c, none, false, &file), FTZ_ENOTFOUND);

    f->c.who = sys;
    q = (ftz_files_q){.limit = 2, .offset = 0};
    assert_int_equal(ftz_files_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 4);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    q.firm_id = f1;
    q.limit = 50;
    assert_int_equal(ftz_files_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 2);
    json_decref(items);
}

int main(void)
{
    ftz_log_set_level(FTZ_LOG_ERROR);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_settings_defaults),
        T(test_settings_set_and_audit),
        T(test_settings_rejects),
        T(test_counters),
        T(test_sniff),
        T(test_file_put_get),
        T(test_file_rejects),
        T(test_file_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
