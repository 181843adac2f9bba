/* test_assign.c — choosing a chief service commissioner (firm/assign.h) and recording it
 * (firm/commissioner.h): GB/T 4754 sections and prefixes, the order cap → industry → load →
 * id as tables of cases, bad codes as carefully as good ones; then, on a temporary database
 * (SQLite, or FTZ_TEST_PG_URL for PostgreSQL), registration through firm_create and
 * firm_create_many (by load, by industry, caps, nobody active, the setting off, a
 * commissioner given), reassignment with its refusals, the history and the edit of a firm. */
#include "core/ftz_setup.h"
#include "firm/assign.h"
#include "auth/auth.h"
#include "core/conf.h"
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

static const ftz_dict *industries(void)
{
    const ftz_dict *d = ftz_dict_get(ftz_platform_dicts(), "industries");
    assert_non_null(d);
    return d;
}

/* ---- sections and codes ---- */

static void test_section(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        char section;
    } cases[] = {
        {"F", 'F'},  {"51", 'F'}, {"519", 'F'}, {"5191", 'F'},    {"52", 'F'}, {"13", 'C'},
        {"01", 'A'}, {"97", 'T'}, {"T", 'T'},   {"A", 'A'},       {"Z", 0},    {"U", 0},
        {"99", 0},   {"5", 0},    {"", 0},      {"f", 0},         {"51a", 0},  {"F1", 0},
        {" 51", 0},  {"51 ", 0},  {"-51", 0},   {"123456789", 0},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        char got = firm_industry_section(industries(), cases[i].code);
        if (got != cases[i].section)
            fail_msg("section of '%s': got %d, want %d", cases[i].code, got, cases[i].section);
    }
    assert_int_equal(firm_industry_section(industries(), NULL), 0);
    /* without a dictionary only a bare letter has a section */
    assert_int_equal(firm_industry_section(NULL, "F"), 'F');
    assert_int_equal(firm_industry_section(NULL, "51"), 0);
}

static void test_code_valid(void **state)
{
    (void)state;
    static const struct {
        const char *code;
        bool ok;
    } cases[] = {
        {"A", true},    {"F", true},    {"T", true},     {"51", true},     {"519", true},
        {"5191", true}, {"01", true},   {"97", true},    {"51911", false}, {"5", false},
        {"99", false},  {"Z", false},   {"F1", false},   {"FF", false},    {"f", false},
        {"", false},    {"5 1", false}, {"５１", false}, {"51\n", false},  {"-1", false},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        if (firm_industry_code_valid(industries(), cases[i].code) != cases[i].ok)
            fail_msg("valid('%s') should be %d", cases[i].code, cases[i].ok);
    assert_false(firm_industry_code_valid(industries(), NULL));
    assert_false(firm_industry_code_valid(NULL, "51"));
}

static void test_matches(void **state)
{
    (void)state;
    static const struct {
        const char *profile, *firm;
        bool match;
    } cases[] = {
        /* a section matches every code in it */
        {"F", "F", true},
        {"F", "51", true},
        {"F", "5191", true},
        {"F", "52", true},
        {"F", "13", false},
        {"C", "51", false},
        /* digits match by prefix */
        {"51", "51", true},
        {"51", "519", true},
        {"51", "5191", true},
        {"519", "5191", true},
        {"5191", "5191", true},
        {"5191", "519", false},
        {"5191", "51", false},
        {"51", "52", false},
        {"5", "51", true}, /* not a valid profile code, but the rule is the prefix */
        {"52", "5191", false},
        /* digits never match a bare section */
        {"51", "F", false},
        /* nothing matches nothing */
        {"", "51", false},
        {"51", "", false},
        {"F", "", false},
        {"f", "51", false},
        {"F1", "F1", false},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        char sec = firm_industry_section(industries(), cases[i].firm);
        if (firm_industry_matches(cases[i].profile, cases[i].firm, sec) != cases[i].match)
            fail_msg("'%s' vs firm '%s' should be %d", cases[i].profile, cases[i].firm,
                     cases[i].match);
    }
    assert_false(firm_industry_matches(NULL, "51", 'F'));
    assert_false(firm_industry_matches("51", NULL, 'F'));
    /* an unknown section (0) never matches a letter */
    assert_false(firm_industry_matches("F", "51", 0));

    char m[FIRM_INDUSTRY_MAX + 1];
    assert_true(firm_industry_list_matches("13  F 51", "5191", 'F', m));
    assert_string_equal(m, "F");
    assert_true(firm_industry_list_matches("52 519", "5191", 'F', m));
    assert_string_equal(m, "519");
    assert_false(firm_industry_list_matches("52 53", "5191", 'F', m));
    assert_string_equal(m, "");
    assert_false(firm_industry_list_matches("", "51", 'F', m));
    assert_false(firm_industry_list_matches(NULL, "51", 'F', m));
    assert_false(firm_industry_list_matches("51", NULL, 0, NULL));
    /* an over-long word in the list is skipped, not truncated into a match */
    assert_false(firm_industry_list_matches("519100000000", "5191", 'F', m));
    assert_true(firm_industry_list_matches("519100000000 51", "5191", 'F', m));
    assert_string_equal(m, "51");
}

/* ---- the choice ---- */

#define MAXC 6

static const struct {
    const char *name;
    const char *firm; /* the firm's industry, NULL for none */
    size_t n;
    firm_assign_cand c[MAXC];
    int64_t want;    /* user id; 0 = nobody */
    bool matched;    /* the pick matched the industry */
    bool over_cap;   /* everybody was full */
    size_t matching; /* candidates with room and a match */
} choose_cases[] = {
    {"nobody at all", "51", 0, {{0}}, 0, false, false, 0},
    {"least load wins", NULL, 3, {{1, "", 0, 5}, {2, "", 0, 2}, {3, "", 0, 3}}, 2, false, false, 0},
    {"equal load: the lowest id",
     NULL,
     3,
     {{7, "", 0, 2}, {3, "", 0, 2}, {5, "", 0, 2}},
     3,
     false,
     false,
     0},
    {"industry before load",
     "5191",
     3,
     {{1, "", 0, 0}, {2, "F", 0, 9}, {3, "13", 0, 1}},
     2,
     true,
     false,
     1},
    {"of two that match, the least loaded",
     "51",
     3,
     {{1, "F", 0, 4}, {2, "51", 0, 3}, {3, "5", 0, 8}},
     2,
     true,
     false,
     3},
    {"no profile matches: least load among all",
     "01",
     3,
     {{1, "F", 0, 4}, {2, "C", 0, 1}, {3, "51", 0, 2}},
     2,
     false,
     false,
     0},
    {"a firm without industry matches nobody",
     NULL,
     2,
     {{1, "F", 0, 4}, {2, "", 0, 5}},
     1,
     false,
     false,
     0},
    {"a full match loses to room elsewhere",
     "51",
     2,
     {{1, "F", 2, 2}, {2, "C", 0, 9}},
     2,
     false,
     false,
     0},
    {"the cap counts only when set (0 = none)",
     "51",
     2,
     {{1, "F", 0, 50}, {2, "F", 50, 50}},
     1,
     true,
     false,
     1},
    {"below the cap is room", "51", 2, {{1, "F", 3, 2}, {2, "F", 0, 2}}, 1, true, false, 2},
    {"everybody full: the same order among them",
     "51",
     3,
     {{1, "C", 1, 1}, {2, "F", 1, 3}, {3, "F", 2, 2}},
     3,
     true,
     true,
     0},
    {"over-full counts as full", NULL, 2, {{1, "", 1, 5}, {2, "", 10, 3}}, 2, false, false, 0},
    {"a section profile for a section firm",
     "F",
     2,
     {{1, "51", 0, 0}, {2, "F", 0, 5}},
     2,
     true,
     false,
     1},
    {"a prefix never matches a shorter code",
     "51",
     2,
     {{1, "5191", 0, 0}, {2, "", 0, 1}},
     1,
     false,
     false,
     0},
    {"NULL industries are none", "51", 2, {{1, NULL, 0, 3}, {2, "F", 0, 3}}, 2, true, false, 1},
};

static void test_choose(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(choose_cases); i++) {
        const char *firm = choose_cases[i].firm;
        char sec = firm_industry_section(industries(), firm);
        firm_assign_pick pk;
        size_t k = firm_assign_choose(choose_cases[i].c, choose_cases[i].n, firm, sec, &pk);
        int64_t got = k == SIZE_MAX ? 0 : choose_cases[i].c[k].user_id;
        if (got != choose_cases[i].want)
            fail_msg("%s: picked %lld, want %lld", choose_cases[i].name, (long long)got,
                     (long long)choose_cases[i].want);
        assert_int_equal(k, pk.index);
        if (pk.matched != choose_cases[i].matched || pk.over_cap != choose_cases[i].over_cap ||
            pk.matching != choose_cases[i].matching)
            fail_msg("%s: matched %d over_cap %d matching %zu", choose_cases[i].name, pk.matched,
                     pk.over_cap, pk.matching);
        assert_int_equal(pk.candidates, choose_cases[i].n);
        if (pk.matched)
            assert_true(pk.match[0] != '\0');
        else
            assert_string_equal(pk.match, "");
    }
}

/* Spreading 9 firms over 3 commissioners by load alone: 3 each, in id order. */
static void test_choose_spreads(void **state)
{
    (void)state;
    firm_assign_cand c[3] = {{10, "", 0, 0}, {20, "", 0, 0}, {30, "", 0, 0}};
    int64_t order[9];
    for (int i = 0; i < 9; i++) {
        firm_assign_pick pk;
        size_t k = firm_assign_choose(c, 3, NULL, 0, &pk);
        assert_true(k < 3);
        order[i] = c[k].user_id;
        c[k].load++;
    }
    static const int64_t want[9] = {10, 20, 30, 10, 20, 30, 10, 20, 30};
    assert_memory_equal(order, want, sizeof want);
}

/* ---- the store ---- */

typedef struct fixture {
    char dir[64], path[128];
    ftz_conf conf;
    ftz_db *db;
    ftz_ctx c;
    int seq;
} fixture;

static int setup(void **state)
{
    fixture *f = ftz_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_assign_XXXXXX");
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

/* A user with the given role (straight into the tables: no password hashing needed). */
static int64_t user(fixture *f, const char *name, const char *role, bool disabled)
{
    int64_t id = 0;
    assert_int_equal(ftz_db_scalar(f->db, &id,
                                   "INSERT INTO users (username, display_name, password_hash, "
                                   "scope, disabled, created_at, updated_at, password_changed_at, "
                                   "name_fold) VALUES (?, ?, 'x', 'own_firms', ?, "
                                   "'2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', "
                                   "'2026-01-01T00:00:00Z', ?) RETURNING id",
                                   "ssis", name, name, (int64_t)disabled, name),
                     FTZ_OK);
    assert_int_equal(ftz_db_run(f->db,
                                "INSERT INTO user_roles (user_id, role_id) SELECT ?, id FROM "
                                "roles WHERE name = ?",
                                "is", id, role),
                     FTZ_OK);
    return id;
}

static void profile(fixture *f, int64_t uid, const char *const *codes, size_t n, int64_t max,
                    bool active)
{
    json_t *p = NULL;
    assert_int_equal(firm_commissioner_profile_get(ctx(f), uid, &p), FTZ_OK);
    firm_profile_in in = {codes, n, max, active, json_integer_value(json_object_get(p, "version"))};
    json_decref(p);
    ftz_rc rc = firm_commissioner_profile_set(ctx(f), uid, &in);
    if (rc) fail_msg("profile_set: %s %s", ftz_rc_name(rc), f->c.err.code ? f->c.err.code : "");
}

static void code_of(fixture *f, char out[19])
{
    char org[9], first17[18];
    snprintf(org, sizeof org, "T%07d", ++f->seq);
    snprintf(first17, sizeof first17, "91231100%s%c", org, firm_orgcode_check_char(org));
    snprintf(out, 19, "%s%c", first17, firm_uscc_check_char(first17));
}

static int64_t firm(fixture *f, const char *industry, int64_t commissioner)
{
    char code[19];
    code_of(f, code);
    firm_in in = {0};
    in.credit_code = code;
    in.name_zh = "测试企业";
    in.industry = industry;
    in.commissioner_id = commissioner;
    in.cross_border = -1;
    int64_t id = 0;
    ftz_rc rc = firm_create(ctx(f), &in, &id);
    if (rc) fail_msg("firm_create: %s", ftz_rc_name(rc));
    return id;
}

static int64_t commissioner_of(fixture *f, int64_t firm_id)
{
    int64_t x = 0;
    assert_int_equal(ftz_db_scalar(f->db, &x,
                                   "SELECT COALESCE(commissioner_id, 0) FROM firms WHERE id = ?",
                                   "i", firm_id),
                     FTZ_OK);
    return x;
}

static int64_t count(fixture *f, const char *sql, int64_t id)
{
    int64_t x = -1;
    assert_int_equal(ftz_db_scalar(f->db, &x, sql, "i", id), FTZ_OK);
    return x;
}

static const char *last_reason(fixture *f, int64_t firm_id)
{
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare(f->db,
                                    "SELECT reason FROM commissioner_assignments WHERE firm_id = "
                                    "? ORDER BY id DESC",
                                    &st),
                     FTZ_OK);
    ftz_stmt_bind_int(st, firm_id);
    int r = ftz_stmt_next(st);
    char *s = r == 1 ? ftz_stmt_dup(st, 0, f->c.arena) : NULL;
    ftz_stmt_done(st);
    return s;
}

static void test_register_by_load(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), b = user(f, "cb", "commissioner", false),
            c = user(f, "cc", "commissioner", false);
    user(f, "st", "staff", false); /* not a commissioner: never chosen */
    int64_t want[6] = {a, b, c, a, b, c};
    for (int i = 0; i < 6; i++) {
        int64_t id = firm(f, NULL, 0);
        assert_int_equal(commissioner_of(f, id), want[i]);
        const char *why = last_reason(f, id);
        assert_non_null(why);
        assert_true(strncmp(why, "auto: no industry given, least load", 35) == 0);
        /* the assignment row is automatic, the package is there with the commissioner ticked */
        assert_int_equal(count(f,
                               "SELECT count(*) FROM commissioner_assignments WHERE firm_id = ? "
                               "AND assigned_by IS NULL AND ended_at IS NULL",
                               id),
                         1);
        assert_int_equal(count(f, "SELECT count(*) FROM startup_items WHERE firm_id = ?", id), 7);
        assert_int_equal(count(f,
                               "SELECT count(*) FROM startup_items WHERE firm_id = ? AND "
                               "status = 'done' AND item = 'commissioner' AND done_at IS NOT NULL",
                               id),
                         1);
        assert_int_equal(count(f,
                               "SELECT count(*) FROM startup_items WHERE firm_id = ? AND "
                               "status = 'pending'",
                               id),
                         6);
        /* audited: the creation and the automatic choice */
        assert_int_equal(count(f,
                               "SELECT count(*) FROM audit WHERE entity = 'firm' AND entity_id = "
                               "CAST(? AS TEXT) AND action IN ('firm.create', "
                               "'commissioner.auto_assign')",
                               id),
                         2);
    }
    /* a closed firm is no load: b loses one and gets the next */
    assert_int_equal(ftz_db_run(f->db,
                                "UPDATE firms SET status = 'closed' WHERE id = (SELECT min(id) "
                                "FROM firms WHERE commissioner_id = ?)",
                                "i", b),
                     FTZ_OK);
    assert_int_equal(commissioner_of(f, firm(f, NULL, 0)), b);
}

static void test_register_by_industry(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), b = user(f, "cb", "commissioner", false),
            c = user(f, "cc", "commissioner", false);
    static const char *const trade[] = {"F"}, *const food[] = {"13", "14"};
    profile(f, a, trade, 1, 0, true);
    profile(f, b, food, 2, 0, true);
    /* a carries load first */
    for (int i = 0; i < 3; i++)
        firm(f, "51", 0);
    assert_int_equal(count(f, "SELECT count(*) FROM firms WHERE commissioner_id = ?", a), 3);
    int64_t food_firm = firm(f, "14", 0);
    assert_int_equal(commissioner_of(f, food_firm), b);
    assert_string_equal(last_reason(f, food_firm), "auto: industry 14 matches profile 14, load 0");
    /* nobody's profile covers agriculture: least load among all (c, with none) */
    int64_t farm = firm(f, "01", 0);
    assert_int_equal(commissioner_of(f, farm), c);
    assert_string_equal(last_reason(f, farm),
                        "auto: industry 01, no profile matches, least load 0");
    /* a bare section code matches the section profile */
    assert_int_equal(commissioner_of(f, firm(f, "F", 0)), a);
}

static void test_register_caps(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), b = user(f, "cb", "commissioner", false);
    static const char *const trade[] = {"F"}, *const other[] = {"C"};
    profile(f, a, trade, 1, 2, true);
    profile(f, b, other, 1, 1, true);
    assert_int_equal(commissioner_of(f, firm(f, "51", 0)), a);
    assert_int_equal(commissioner_of(f, firm(f, "51", 0)), a);
    /* a is full (2/2): b has room, though it does not match */
    int64_t id = firm(f, "52", 0);
    assert_int_equal(commissioner_of(f, id), b);
    assert_string_equal(last_reason(f, id),
                        "auto: industry 52, no profile matches, least load 0/1");
    /* both full: the firm still gets one, the match first, said in the reason */
    id = firm(f, "52", 0);
    assert_int_equal(commissioner_of(f, id), a);
    assert_string_equal(
        last_reason(f, id),
        "auto: industry 52 matches profile F, load 2/2, every commissioner at capacity");
}

static void test_register_nobody(void **state)
{
    fixture *f = *state;
    int64_t off = user(f, "off", "commissioner", true); /* disabled account */
    int64_t idle = user(f, "idle", "commissioner", false);
    profile(f, idle, NULL, 0, 0, false); /* inactive profile */
    int64_t id = firm(f, "51", 0);
    assert_int_equal(commissioner_of(f, id), 0);
    assert_int_equal(
        count(f, "SELECT count(*) FROM commissioner_assignments WHERE firm_id = ?", id), 0);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM startup_items WHERE firm_id = ? AND item = "
                           "'commissioner' AND status = 'pending'",
                           id),
                     1);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM audit WHERE action = 'commissioner.auto_assign' "
                           "AND entity_id = CAST(? AS TEXT) AND after LIKE "
                           "'%no active commissioner%'",
                           id),
                     1);
    (void)off;
}

static void test_register_setting_off_and_given(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), b = user(f, "cb", "commissioner", false);
    json_t *v = json_false();
    assert_int_equal(ftz_setting_set(ctx(f), "firm.auto_assign", v), FTZ_OK);
    json_decref(v);
    int64_t id = firm(f, NULL, 0);
    assert_int_equal(commissioner_of(f, id), 0);
    assert_int_equal(
        count(f, "SELECT count(*) FROM commissioner_assignments WHERE firm_id = ?", id), 0);
    assert_int_equal(count(f, "SELECT count(*) FROM startup_items WHERE firm_id = ?", id), 7);
    /* a commissioner given by the caller: recorded, no automatic choice (setting on again) */
    v = json_null();
    assert_int_equal(ftz_setting_set(ctx(f), "firm.auto_assign", v), FTZ_OK);
    json_decref(v);
    id = firm(f, NULL, b);
    assert_int_equal(commissioner_of(f, id), b);
    assert_string_equal(last_reason(f, id), "registration");
    assert_int_equal(count(f,
                           "SELECT count(*) FROM audit WHERE action = 'commissioner.auto_assign' "
                           "AND entity_id = CAST(? AS TEXT)",
                           id),
                     0);
    (void)a;
}

static void test_create_many(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), b = user(f, "cb", "commissioner", false);
    firm_in rows[5];
    char codes[5][19];
    memset(rows, 0, sizeof rows);
    for (int i = 0; i < 5; i++) {
        code_of(f, codes[i]);
        rows[i].credit_code = codes[i];
        rows[i].name_zh = "批量企业";
        rows[i].cross_border = -1;
    }
    rows[4].commissioner_id = a; /* given */
    int64_t ids[5];
    assert_int_equal(firm_create_many(ctx(f), rows, 5, NULL, ids), FTZ_OK);
    /* the loads grow inside the batch: a, b, a, b, then a given */
    int64_t want[5] = {a, b, a, b, a};
    for (int i = 0; i < 5; i++)
        assert_int_equal(commissioner_of(f, ids[i]), want[i]);
    assert_int_equal(count(f, "SELECT count(*) FROM startup_items WHERE firm_id >= ?", ids[0]), 35);
    /* audited once, with the counts */
    assert_int_equal(count(f,
                           "SELECT count(*) FROM audit WHERE action = 'firm.import' AND after "
                           "LIKE '%\"auto_assigned\":4%' AND ? > 0",
                           1),
                     1);
}

static void test_reassign(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), b = user(f, "cb", "commissioner", false);
    int64_t gone = user(f, "gone", "commissioner", true), st = user(f, "st", "staff", false);
    int64_t id = firm(f, "51", 0);
    assert_int_equal(commissioner_of(f, id), a);
    /* refusals: input, no such user, not an active commissioner, the same one, stale, scope */
    assert_int_equal(firm_commissioner_assign(ctx(f), id, b, NULL, 0), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].field, "reason");
    assert_int_equal(firm_commissioner_assign(ctx(f), id, b, "", 0), FTZ_EINVAL);
    assert_int_equal(firm_commissioner_assign(ctx(f), id, 987654, "x", 0), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].code, "no_such");
    assert_int_equal(firm_commissioner_assign(ctx(f), id, gone, "x", 0), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].code, "not_commissioner");
    assert_int_equal(firm_commissioner_assign(ctx(f), id, st, "x", 0), FTZ_EINVAL);
    assert_int_equal(firm_commissioner_assign(ctx(f), id, a, "x", 0), FTZ_ECONFLICT);
    assert_string_equal(f->c.err.code, "same_commissioner");
    assert_int_equal(firm_commissioner_assign(ctx(f), id, b, "x", 9), FTZ_ESTALE);
    assert_int_equal(firm_commissioner_assign(ctx(f), 987654, b, "x", 0), FTZ_ENOTFOUND);
    assert_int_equal(commissioner_of(f, id), a);
    /* done: the firm, the history (the old row ended), the audit */
    assert_int_equal(firm_commissioner_assign(ctx(f), id, b, "企业迁入食品园区", 1), FTZ_OK);
    assert_int_equal(commissioner_of(f, id), b);
    json_t *h = NULL;
    assert_int_equal(firm_commissioner_history(ctx(f), id, &h), FTZ_OK);
    assert_int_equal(json_array_size(h), 2);
    json_t *now = json_array_get(h, 0), *was = json_array_get(h, 1);
    assert_int_equal(json_integer_value(json_object_get(now, "user_id")), b);
    assert_string_equal(json_string_value(json_object_get(now, "reason")), "企业迁入食品园区");
    assert_true(json_is_true(json_object_get(now, "current")));
    assert_true(json_is_false(json_object_get(now, "auto")));
    assert_true(json_is_true(json_object_get(was, "auto")));
    assert_true(json_is_string(json_object_get(was, "ended_at")));
    json_decref(h);
    assert_int_equal(count(f, "SELECT version FROM firms WHERE id = ?", id), 2);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM audit WHERE action = 'commissioner.assign' "
                           "AND entity_id = CAST(? AS TEXT) AND after LIKE '%企业迁入食品园区%'",
                           id),
                     1);
    /* the system may reassign when a profile is inactive only to an active one */
    profile(f, a, NULL, 0, 0, false);
    assert_int_equal(firm_commissioner_assign(ctx(f), id, a, "x", 0), FTZ_EINVAL);
}

static void test_update_records_history(void **state)
{
    fixture *f = *state;
    json_t *v = json_false();
    assert_int_equal(ftz_setting_set(ctx(f), "firm.auto_assign", v), FTZ_OK);
    json_decref(v);
    int64_t a = user(f, "ca", "commissioner", false);
    int64_t id = firm(f, NULL, 0);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM startup_items WHERE firm_id = ? AND item = "
                           "'commissioner' AND status = 'pending'",
                           id),
                     1);
    json_t *patch = json_pack("{s:I}", "commissioner_id", (json_int_t)a);
    assert_int_equal(firm_update(ctx(f), id, 1, patch), FTZ_OK);
    json_decref(patch);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM commissioner_assignments WHERE firm_id = ? AND "
                           "ended_at IS NULL",
                           id),
                     1);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM startup_items WHERE firm_id = ? AND item = "
                           "'commissioner' AND status = 'done'",
                           id),
                     1);
    /* taken away: the row ends, none starts */
    patch = json_pack("{s:n}", "commissioner_id");
    assert_int_equal(firm_update(ctx(f), id, 2, patch), FTZ_OK);
    json_decref(patch);
    assert_int_equal(count(f,
                           "SELECT count(*) FROM commissioner_assignments WHERE firm_id = ? AND "
                           "ended_at IS NULL",
                           id),
                     0);
    /* an edit that leaves the commissioner alone writes no history */
    patch = json_pack("{s:s}", "name_en", "Test");
    assert_int_equal(firm_update(ctx(f), id, 3, patch), FTZ_OK);
    json_decref(patch);
    assert_int_equal(
        count(f, "SELECT count(*) FROM commissioner_assignments WHERE firm_id = ?", id), 1);
}

static void test_profiles(void **state)
{
    fixture *f = *state;
    int64_t a = user(f, "ca", "commissioner", false), s = user(f, "st", "staff", false);
    json_t *p = NULL;
    assert_int_equal(firm_commissioner_profile_get(ctx(f), s, &p), FTZ_ENOTFOUND);
    assert_int_equal(firm_commissioner_profile_get(ctx(f), a, &p), FTZ_OK);
    assert_int_equal(json_integer_value(json_object_get(p, "version")), 0);
    assert_true(json_is_true(json_object_get(p, "available")));
    assert_int_equal(json_array_size(json_object_get(p, "industries")), 0);
    json_decref(p);
    static const char *const bad[] = {"51", "Z", "5", "F", "51911"};
    firm_profile_in in = {bad, 5, -1, true, 0};
    assert_int_equal(firm_commissioner_profile_set(ctx(f), a, &in), FTZ_EINVAL);
    assert_int_equal(f->c.err.nfields, 4); /* industries[1], [2], [4] and max_firms */
    static const char *const good[] = {"51", "F", "51", "5191"};
    firm_profile_in ok = {good, 4, 10, true, 1};
    assert_int_equal(firm_commissioner_profile_set(ctx(f), a, &ok), FTZ_ESTALE);
    ok.version = 0;
    assert_int_equal(firm_commissioner_profile_set(ctx(f), a, &ok), FTZ_OK);
    assert_int_equal(firm_commissioner_profile_set(ctx(f), a, &ok), FTZ_ESTALE);
    assert_int_equal(firm_commissioner_profile_get(ctx(f), a, &p), FTZ_OK);
    json_t *codes = json_object_get(p, "industries");
    assert_int_equal(json_array_size(codes), 3); /* the duplicate dropped */
    assert_string_equal(json_string_value(json_array_get(codes, 2)), "5191");
    assert_int_equal(json_integer_value(json_object_get(p, "max_firms")), 10);
    assert_int_equal(json_integer_value(json_object_get(p, "version")), 1);
    json_decref(p);
    firm_commissioner_q q = {.available = -1, .limit = 50};
    json_t *items = NULL;
    int64_t total = 0;
    assert_int_equal(firm_commissioners_list(ctx(f), &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 1);
    json_decref(items);
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
        cmocka_unit_test(test_section),
        cmocka_unit_test(test_code_valid),
        cmocka_unit_test(test_matches),
        cmocka_unit_test(test_choose),
        cmocka_unit_test(test_choose_spreads),
        T(test_register_by_load),
        T(test_register_by_industry),
        T(test_register_caps),
        T(test_register_nobody),
        T(test_register_setting_off_and_given),
        T(test_create_many),
        T(test_reassign),
        T(test_update_records_history),
        T(test_profiles),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    ftz_platform_cleanup();
    return r;
}
