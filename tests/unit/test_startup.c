/* test_startup.c — the start-up package (firm/startup.h): the shipped data file, broken files
 * line by line, the status table written out here independently of startup.c and checked in
 * both directions; then, on a temporary database (SQLite, or FTZ_TEST_PG_URL), an item's
 * status changes (refused moves 409, a stale version 412, done_at, notes), the board's
 * filters and the figures (cost borne, complete packages). */
#include "core/ftz_setup.h"
#include "firm/startup.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/platform.h"
#include "core/settings.h"
#include "db/db.h"
#include "db/migrate.h"
#include "firm/commissioner.h"
#include "firm/firm.h"
#include "firm/uscc.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <cmocka.h>

/* ---- the data file ---- */

static void test_shipped_file(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    firm_pkg p;
    assert_int_equal(firm_pkg_load(a, &p), FTZ_OK);
    assert_int_equal(p.n, 7);
    static const char *const codes[] = {"licence",  "seal_set",     "tax_ukey",   "bank_account",
                                        "delivery", "commissioner", "policy_pack"};
    int64_t total = 0;
    for (size_t i = 0; i < p.n; i++) {
        assert_string_equal(p.items[i].code, codes[i]);
        assert_true(p.items[i].cost_fen >= 0);
        assert_true(*p.items[i].name_zh && *p.items[i].name_ru && *p.items[i].name_en);
        total += p.items[i].cost_fen;
    }
    assert_int_equal(total, 47000); /* 470 yuan per firm */
    assert_non_null(firm_pkg_find(&p, FIRM_PKG_COMMISSIONER));
    assert_null(firm_pkg_find(&p, "nothing"));
    assert_null(firm_pkg_find(&p, NULL));
    const firm_pkg_item *seal = firm_pkg_find(&p, "seal_set");
    assert_int_equal(seal->cost_fen, 30000);
    assert_string_equal(firm_pkg_item_name(seal, "en"), "Free seal set");
    assert_string_equal(firm_pkg_item_name(seal, "xx"), seal->name_zh);
    assert_string_equal(p.version, "2026-12-01");
    ftz_arena_free(a);
}

#define HDR "code,name_zh,name_ru,name_en,cost_fen\n"
#define V   "# version: 1\n"

static const struct {
    const char *name, *csv;
    ftz_rc rc;
    const char *code, *where; /* NULL: parses */
    size_t n;
} files[] = {
    {"minimal", V HDR "a,甲,А,A,0\n", FTZ_OK, NULL, NULL, 1},
    {"CRLF, comments, blank lines, quotes",
     "# version: 2026-12-01\r\n# c\r\n\r\n" HDR
     "a,\"甲,乙\",\"А \"\"Б\"\"\",A,12\r\n\r\nb_2,乙,Б,B,999999999999\r\n",
     FTZ_OK, NULL, NULL, 2},
    {"no version", HDR "a,甲,А,A,0\n", FTZ_EPARSE, "pkg_version", "1:0", 0},
    {"a bad version", "# version: a b\n" HDR "a,甲,А,A,0\n", FTZ_EPARSE, "pkg_version", "1:0", 0},
    {"empty", "", FTZ_EPARSE, "pkg_version", "0:0", 0},
    {"version only", V, FTZ_EPARSE, "pkg_header", "1:0", 0},
    {"a wrong header", V "code,name_zh,name_ru,name_en\na,甲,А,A\n", FTZ_EPARSE, "pkg_header",
     "2:0", 0},
    {"a comment after the header is a row", V HDR "# x\n", FTZ_EPARSE, "pkg_columns", "3:0", 0},
    {"no rows", V HDR, FTZ_EPARSE, "pkg_no_rows", "2:0", 0},
    {"too few columns", V HDR "a,甲,А,A\n", FTZ_EPARSE, "pkg_columns", "3:0", 0},
    {"too many columns", V HDR "a,甲,А,A,0,1\n", FTZ_EPARSE, "pkg_columns", "3:0", 0},
    {"an upper-case code", V HDR "Seal,甲,А,A,0\n", FTZ_EPARSE, "pkg_bad_code", "3:1", 0},
    {"an empty code", V HDR ",甲,А,A,0\n", FTZ_EPARSE, "pkg_bad_code", "3:1", 0},
    {"a code of 33", V HDR "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,甲,А,A,0\n", FTZ_EPARSE,
     "pkg_bad_code", "3:1", 0},
    {"an empty name", V HDR "a,甲,,A,0\n", FTZ_EPARSE, "pkg_empty", "3:3", 0},
    {"a negative cost", V HDR "a,甲,А,A,-1\n", FTZ_EPARSE, "pkg_cost", "3:5", 0},
    {"a cost in yuan", V HDR "a,甲,А,A,3.50\n", FTZ_EPARSE, "pkg_cost", "3:5", 0},
    {"a leading zero", V HDR "a,甲,А,A,05\n", FTZ_EPARSE, "pkg_cost", "3:5", 0},
    {"13 digits", V HDR "a,甲,А,A,1000000000000\n", FTZ_EPARSE, "pkg_cost", "3:5", 0},
    {"an empty cost", V HDR "a,甲,А,A,\n", FTZ_EPARSE, "pkg_cost", "3:5", 0},
    {"a duplicate", V HDR "a,甲,А,A,0\nb,乙,Б,B,0\na,丙,В,C,0\n", FTZ_EPARSE, "pkg_duplicate",
     "5:1", 0},
    {"a quote across lines", V HDR "a,\"甲\n乙\",А,A,0\n", FTZ_EPARSE, "pkg_syntax", "3:2", 0},
    {"a stray quote", V HDR "a,甲\"x,А,A,0\n", FTZ_EPARSE, "pkg_syntax", "3:2", 0},
    {"bad UTF-8", V HDR "a,\xff\xfe,А,A,0\n", FTZ_EPARSE, "pkg_bad_text", "3:2", 0},
    {"a control character", V HDR "a,甲\x01,А,A,0\n", FTZ_EPARSE, "pkg_bad_text", "3:2", 0},
    {"a C1 control", V HDR "a,甲\xc2\x85,А,A,0\n", FTZ_EPARSE, "pkg_bad_text", "3:2", 0},
};

static void test_parse_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(files); i++) {
        ftz_arena *a = ftz_arena_new();
        ftz_err e;
        ftz_err_init(&e, a);
        firm_pkg p;
        ftz_rc rc = firm_pkg_parse(a, files[i].csv, strlen(files[i].csv), &p, &e);
        if (rc != files[i].rc)
            fail_msg("%s: rc %s, want %s (%s %s)", files[i].name, ftz_rc_name(rc),
                     ftz_rc_name(files[i].rc), e.code ? e.code : "", e.param ? e.param : "");
        if (files[i].code) {
            assert_string_equal(e.code, files[i].code);
            if (strcmp(e.param, files[i].where) != 0)
                fail_msg("%s: at %s, want %s", files[i].name, e.param, files[i].where);
            assert_int_equal(p.n, 0);
        } else {
            assert_int_equal(p.n, files[i].n);
        }
        ftz_arena_free(a);
    }
    /* the quoted fields of the second file */
    ftz_arena *a = ftz_arena_new();
    firm_pkg p;
    assert_int_equal(firm_pkg_parse(a, files[1].csv, strlen(files[1].csv), &p, NULL), FTZ_OK);
    assert_string_equal(p.items[0].name_zh, "甲,乙");
    assert_string_equal(p.items[0].name_ru, "А \"Б\"");
    assert_int_equal(p.items[1].cost_fen, 999999999999LL);
    ftz_arena_free(a);
}

static void test_parse_caps(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_err e;
    ftz_err_init(&e, a);
    firm_pkg p;
    /* a line over the cap */
    size_t n = FTZ_PKG_MAX_LINE + 200;
    char *big = ftz_malloc(n + 64);
    int k = snprintf(big, 64, V HDR "a,");
    memset(big + k, 'x', n);
    memcpy(big + k + n, ",А,A,0\n", sizeof ",А,A,0\n");
    assert_int_equal(firm_pkg_parse(a, big, strlen(big), &p, &e), FTZ_ETOOBIG);
    assert_string_equal(e.code, "pkg_too_big");
    /* a field over the cap on a line within it */
    ftz_err_init(&e, a);
    k = snprintf(big, 64, V HDR "a,");
    memset(big + k, 'x', FTZ_PKG_MAX_FIELD + 1);
    memcpy(big + k + FTZ_PKG_MAX_FIELD + 1, ",А,A,0\n", sizeof ",А,A,0\n");
    assert_int_equal(firm_pkg_parse(a, big, strlen(big), &p, &e), FTZ_ETOOBIG);
    assert_string_equal(e.param, "3:2");
    ftz_free(big);
    /* too many rows */
    ftz_err_init(&e, a);
    char *rows = ftz_malloc(64 * (FTZ_PKG_MAX_ITEMS + 2));
    size_t o = (size_t)snprintf(rows, 64, V HDR);
    for (int i = 0; i <= FTZ_PKG_MAX_ITEMS; i++)
        o += (size_t)snprintf(rows + o, 64, "i%d,甲,А,A,0\n", i);
    assert_int_equal(firm_pkg_parse(a, rows, o, &p, &e), FTZ_ETOOBIG);
    ftz_free(rows);
    /* the whole file over the cap */
    ftz_err_init(&e, a);
    assert_int_equal(firm_pkg_parse(a, "", FTZ_PKG_MAX_BYTES + 1, &p, &e), FTZ_ETOOBIG);
    /* a NUL inside */
    static const char nul[] = V HDR "a,甲\0,А,A,0\n";
    ftz_err_init(&e, a);
    assert_int_equal(firm_pkg_parse(a, nul, sizeof nul - 1, &p, &e), FTZ_EPARSE);
    ftz_arena_free(a);
}

/* ---- the status table, written out here ---- */

static const char *const all[] = {"pending", "in_progress", "done", "not_needed"};

static const struct {
    const char *from, *to;
} allowed[] = {
    {"pending", "in_progress"}, {"pending", "done"},           {"pending", "not_needed"},
    {"in_progress", "done"},    {"in_progress", "not_needed"}, {"done", "in_progress"},
    {"not_needed", "pending"},
};

static bool in_table(const char *from, const char *to)
{
    for (size_t i = 0; i < FTZ_COUNTOF(allowed); i++)
        if (strcmp(allowed[i].from, from) == 0 && strcmp(allowed[i].to, to) == 0) return true;
    return false;
}

static void test_status_table(void **state)
{
    (void)state;
    size_t n;
    const firm_pkg_status_def *s = firm_pkg_statuses(&n);
    assert_int_equal(n, 4);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(s[i].name, all[i]);
        assert_true(*s[i].zh && *s[i].ru && *s[i].en);
        assert_int_equal(s[i].outstanding, i < 2);
        assert_ptr_equal(firm_pkg_status_find(all[i]), &s[i]);
    }
    /* every pair, both ways: exactly the table */
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++)
            if (firm_pkg_may(all[i], all[j]) != in_table(all[i], all[j]))
                fail_msg("%s → %s", all[i], all[j]);
    /* next lists agree with may */
    for (size_t i = 0; i < 4; i++) {
        const char *next[5];
        size_t k = firm_pkg_next(all[i], next);
        assert_null(next[k]);
        for (size_t j = 0; j < k; j++)
            assert_true(firm_pkg_may(all[i], next[j]));
        size_t want = 0;
        for (size_t j = 0; j < 4; j++)
            want += in_table(all[i], all[j]);
        assert_int_equal(k, want);
    }
    /* unknown and missing */
    static const char *const bad[] = {"", "Done", "closed", "pending ", NULL};
    for (size_t i = 0; i < FTZ_COUNTOF(bad); i++) {
        assert_null(firm_pkg_status_find(bad[i]));
        assert_false(firm_pkg_may(bad[i], "done"));
        assert_false(firm_pkg_may("pending", bad[i]));
        const char *next[5];
        assert_int_equal(firm_pkg_next(bad[i], next), 0);
        assert_null(next[0]);
    }
}

/* ---- the store ---- */

typedef struct fixture {
    char dir[64], path[128];
    ftz_conf conf;
    ftz_db *db;
    ftz_ctx c;
    int seq;
    int64_t com; /* a commissioner */
} fixture;

static int setup(void **state)
{
    fixture *f = ftz_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_startup_XXXXXX");
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
    if (auth_roles_seed(&f->c)) return -1;
    if (ftz_db_scalar(f->db, &f->com,
                      "INSERT INTO users (username, display_name, password_hash, scope, "
                      "created_at, updated_at, password_changed_at, name_fold) VALUES ('com', "
                      "'专员', 'x', 'own_firms', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
                      "'2026-01-01T00:00:00Z', 'com') RETURNING id",
                      ""))
        return -1;
    if (ftz_db_run(f->db,
                   "INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM roles WHERE "
                   "name = 'commissioner'",
                   "i", f->com))
        return -1;
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

static ftz_ctx *ctx(fixture *f)
{
    ftz_err_init(&f->c.err, f->c.arena);
    return &f->c;
}

static int64_t firm(fixture *f)
{
    char org[9], first17[18], code[19];
    snprintf(org, sizeof org, "T%07d", ++f->seq);
    snprintf(first17, sizeof first17, "91231100%s%c", org, firm_orgcode_check_char(org));
    snprintf(code, sizeof code, "%s%c", first17, firm_uscc_check_char(first17));
    firm_in in = {0};
    in.credit_code = code;
    in.name_zh = "测试企业";
    in.cross_border = -1;
    int64_t id = 0;
    assert_int_equal(firm_create(ctx(f), &in, &id), FTZ_OK);
    return id;
}

/* The item's status and version from the firm's package. */
static const char *item_status(fixture *f, int64_t firm_id, const char *item, int64_t *version,
                               json_t **row)
{
    json_t *p = NULL;
    assert_int_equal(firm_package_get(ctx(f), firm_id, &p), FTZ_OK);
    json_t *it;
    size_t i;
    const char *s = NULL;
    json_array_foreach(json_object_get(p, "items"), i, it)
    {
        if (strcmp(json_string_value(json_object_get(it, "item")), item) == 0) {
            s = ftz_arena_strdup(f->c.arena, json_string_value(json_object_get(it, "status")));
            if (version) *version = json_integer_value(json_object_get(it, "version"));
            if (row) *row = json_incref(it);
        }
    }
    json_decref(p);
    return s;
}

static void test_item_moves(void **state)
{
    fixture *f = *state;
    int64_t id = firm(f);
    json_t *p = NULL;
    assert_int_equal(firm_package_get(ctx(f), id, &p), FTZ_OK);
    assert_int_equal(json_array_size(json_object_get(p, "items")), 7);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(p, "items"), 0), "item")),
        "licence"); /* the file's order */
    assert_int_equal(json_integer_value(json_object_get(p, "outstanding")), 6);
    assert_true(json_is_false(json_object_get(p, "complete")));
    json_decref(p);

    /* walk every status pair from a fresh item each time */
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < 4; j++) {
            if (i == j) continue;
            int64_t fid = firm(f), v = 0;
            /* bring seal_set to all[i] along allowed moves */
            static const char *const path_to[4][3] = {
                {NULL}, {"in_progress", NULL}, {"done", NULL}, {"not_needed", NULL}};
            for (const char *const *s = path_to[i]; *s; s++) {
                item_status(f, fid, "seal_set", &v, NULL);
                assert_int_equal(firm_package_item_set(ctx(f), fid, "seal_set", *s, false, NULL, v),
                                 FTZ_OK);
            }
            assert_string_equal(item_status(f, fid, "seal_set", &v, NULL), all[i]);
            ftz_rc rc = firm_package_item_set(ctx(f), fid, "seal_set", all[j], false, NULL, v);
            if (in_table(all[i], all[j])) {
                if (rc) fail_msg("%s → %s refused: %s", all[i], all[j], ftz_rc_name(rc));
                assert_string_equal(item_status(f, fid, "seal_set", NULL, NULL), all[j]);
            } else {
                if (rc != FTZ_ECONFLICT) fail_msg("%s → %s: %s", all[i], all[j], ftz_rc_name(rc));
                assert_string_equal(f->c.err.code, "package_transition");
                assert_string_equal(item_status(f, fid, "seal_set", NULL, NULL), all[i]);
            }
        }
    }
}

static void test_item_rules(void **state)
{
    fixture *f = *state;
    int64_t id = firm(f), v = 0;
    json_t *row = NULL;
    /* the firm got the commissioner: that item is done already */
    assert_string_equal(item_status(f, id, "commissioner", NULL, NULL), "done");
    item_status(f, id, "delivery", &v, NULL);
    assert_int_equal(v, 1);
    /* refusals: stale, unknown item, unknown firm, bad status, a note too long */
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", "done", false, NULL, 7),
                     FTZ_ESTALE);
    assert_int_equal(firm_package_item_set(ctx(f), id, "rocket", "done", false, NULL, 1),
                     FTZ_ENOTFOUND);
    assert_int_equal(firm_package_item_set(ctx(f), 987654, "delivery", "done", false, NULL, 1),
                     FTZ_ENOTFOUND);
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", "finished", false, NULL, 1),
                     FTZ_EINVAL);
    char longnote[520];
    memset(longnote, 'n', 501);
    longnote[501] = '\0';
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", NULL, true, longnote, 1),
                     FTZ_EINVAL);
    /* done: done_at set, a note kept, audited */
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", "done", true, "EMS 1234", 1),
                     FTZ_OK);
    item_status(f, id, "delivery", &v, &row);
    assert_int_equal(v, 2);
    assert_true(json_is_string(json_object_get(row, "done_at")));
    assert_string_equal(json_string_value(json_object_get(row, "note")), "EMS 1234");
    json_decref(row);
    /* a note alone: no status change, done_at stays */
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", NULL, true, "EMS 5678", 2),
                     FTZ_OK);
    item_status(f, id, "delivery", &v, &row);
    assert_true(json_is_string(json_object_get(row, "done_at")));
    assert_string_equal(json_string_value(json_object_get(row, "note")), "EMS 5678");
    json_decref(row);
    /* the same status again is a note change, not a transition */
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", "done", true, NULL, 3), FTZ_OK);
    item_status(f, id, "delivery", &v, &row);
    assert_true(json_is_null(json_object_get(row, "note")));
    json_decref(row);
    /* reopened: done_at cleared */
    assert_int_equal(firm_package_item_set(ctx(f), id, "delivery", "in_progress", false, NULL, 4),
                     FTZ_OK);
    item_status(f, id, "delivery", &v, &row);
    assert_true(json_is_null(json_object_get(row, "done_at")));
    json_decref(row);
    int64_t n = 0;
    assert_int_equal(ftz_db_scalar(f->db, &n,
                                   "SELECT count(*) FROM audit WHERE action = "
                                   "'startup_item.update' AND entity_id = CAST(? AS TEXT)",
                                   "i", id),
                     FTZ_OK);
    assert_int_equal(n, 4);
}

static void test_board_and_figures(void **state)
{
    fixture *f = *state;
    int64_t a = firm(f), b = firm(f);
    /* a: everything settled (licence not needed, the rest done); b: only the seal done */
    static const char *const items[] = {"seal_set", "tax_ukey", "bank_account", "delivery",
                                        "policy_pack"};
    for (size_t i = 0; i < FTZ_COUNTOF(items); i++)
        assert_int_equal(firm_package_item_set(ctx(f), a, items[i], "done", false, NULL, 1),
                         FTZ_OK);
    assert_int_equal(firm_package_item_set(ctx(f), a, "licence", "not_needed", false, NULL, 1),
                     FTZ_OK);
    assert_int_equal(firm_package_item_set(ctx(f), b, "seal_set", "done", false, NULL, 1), FTZ_OK);

    firm_package_q q = {.limit = 100};
    json_t *fig = NULL;
    assert_int_equal(firm_package_figures(ctx(f), &q, &fig), FTZ_OK);
    assert_int_equal(json_integer_value(json_object_get(fig, "firms")), 2);
    assert_int_equal(json_integer_value(json_object_get(fig, "firms_complete")), 1);
    assert_int_equal(json_integer_value(json_object_get(fig, "items_total")), 14);
    assert_int_equal(json_integer_value(json_object_get(fig, "outstanding")), 5);
    /* borne: a 300+0+100+20+50 yuan, b 300 yuan */
    assert_int_equal(json_integer_value(json_object_get(fig, "cost_fen")), 77000);
    assert_string_equal(json_string_value(json_object_get(fig, "cost_words")), "770元");
    /* planned: everything but a's licence (cost 0 anyway) */
    assert_int_equal(json_integer_value(json_object_get(fig, "cost_fen_planned")), 94000);
    json_t *by = json_object_get(fig, "by_item");
    assert_int_equal(json_array_size(by), 7);
    json_t *seal = json_array_get(by, 1);
    assert_string_equal(json_string_value(json_object_get(seal, "item")), "seal_set");
    assert_int_equal(json_integer_value(json_object_get(seal, "done")), 2);
    assert_int_equal(json_integer_value(json_object_get(seal, "cost_fen")), 60000);
    json_t *lic = json_array_get(by, 0);
    assert_int_equal(json_integer_value(json_object_get(lic, "not_needed")), 1);
    assert_int_equal(json_integer_value(json_object_get(lic, "pending")), 1);
    json_decref(fig);

    /* the board's filters */
    json_t *rows = NULL;
    int64_t total = 0;
    q.status = "outstanding";
    assert_int_equal(firm_package_list(ctx(f), &q, &rows, &total), FTZ_OK);
    assert_int_equal(total, 5);
    json_decref(rows);
    q.status = "done";
    q.item = "seal_set";
    assert_int_equal(firm_package_list(ctx(f), &q, &rows, &total), FTZ_OK);
    assert_int_equal(total, 2);
    json_decref(rows);
    q.status = NULL;
    q.item = NULL;
    q.firm_id = b;
    q.sort_key = "item";
    assert_int_equal(firm_package_list(ctx(f), &q, &rows, &total), FTZ_OK);
    assert_int_equal(total, 7);
    assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 6), "item")),
                        "policy_pack");
    json_decref(rows);
    q.firm_id = 0;
    q.commissioner_id = f->com;
    assert_int_equal(firm_package_list(ctx(f), &q, &rows, &total), FTZ_OK);
    assert_int_equal(total, 14);
    json_decref(rows);
    q.commissioner_id = 987654;
    assert_int_equal(firm_package_list(ctx(f), &q, &rows, &total), FTZ_OK);
    assert_int_equal(total, 0);
    json_decref(rows);
}

int main(void)
{
    ftz_log_set_level(FTZ_LOG_ERROR);
    if (sodium_init() < 0) return 1;
    char err[256];
    if (ftz_platform_init(err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_file),
        cmocka_unit_test(test_parse_table),
        cmocka_unit_test(test_parse_caps),
        cmocka_unit_test(test_status_table),
        T(test_item_moves),
        T(test_item_rules),
        T(test_board_and_figures),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    ftz_platform_cleanup();
    return r;
}
