/* test_financing.c — financing matchmaking (firm/financing.h): the match machine against a
 * table written out here (every pair of statuses, allowed or refused), the statuses a match
 * may go to next, the need's status that follows its matches, the grant cap, the names of
 * the statuses; then the services on a temporary database (SQLite, or FTZ_TEST_PG_URL) as a
 * demo generator calls them — the system principal with c->clock set — down to the figure
 * "financing arranged" of the report: two firms, 1100万元. */
#include "core/ftz_setup.h"
#include "firm/financing.h"
#include "auth/auth.h"
#include "core/conf.h"
#include "core/date.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/platform.h"
#include "db/db.h"
#include "db/migrate.h"
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

/* ---- the machine, as the issue states it: proposed → applied → granted | declined ---- */

static const char *const statuses[] = {"proposed", "applied", "granted", "declined"};

static const struct {
    const char *from, *to;
} allowed[] = {
    {"proposed", "applied"},
    {"proposed", "declined"},
    {"applied", "granted"},
    {"applied", "declined"},
};

static bool expected_step(const char *from, const char *to)
{
    for (size_t i = 0; i < FTZ_COUNTOF(allowed); i++)
        if (strcmp(allowed[i].from, from) == 0 && strcmp(allowed[i].to, to) == 0) return true;
    return false;
}

static void test_every_step(void **state)
{
    (void)state;
    size_t ok = 0;
    for (size_t i = 0; i < FTZ_COUNTOF(statuses); i++)
        for (size_t j = 0; j < FTZ_COUNTOF(statuses); j++) {
            bool want = expected_step(statuses[i], statuses[j]);
            if (financing_match_step(statuses[i], statuses[j]) != want)
                fail_msg("%s → %s should be %s", statuses[i], statuses[j],
                         want ? "allowed" : "refused");
            ok += want;
        }
    assert_int_equal(ok, FTZ_COUNTOF(allowed));
    /* bad input: unknown, empty, NULL */
    static const char *const junk[][2] = {{"proposed", "paid"},
                                          {"paid", "granted"},
                                          {"", "applied"},
                                          {"proposed", ""},
                                          {"PROPOSED", "applied"}};
    for (size_t i = 0; i < FTZ_COUNTOF(junk); i++)
        assert_false(financing_match_step(junk[i][0], junk[i][1]));
    assert_false(financing_match_step(NULL, "applied"));
    assert_false(financing_match_step("proposed", NULL));
}

static void test_known_and_next(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(statuses); i++)
        assert_true(financing_match_status_known(statuses[i]));
    static const char *const unknown[] = {"open", "matched", "closed", "", "Granted", "granted "};
    for (size_t i = 0; i < FTZ_COUNTOF(unknown); i++)
        assert_false(financing_match_status_known(unknown[i]));
    assert_false(financing_match_status_known(NULL));

    static const struct {
        const char *from;
        const char *next[3];
    } cases[] = {
        {"proposed", {"applied", "declined", NULL}},
        {"applied", {"granted", "declined", NULL}},
        {"granted", {NULL}},
        {"declined", {NULL}},
        {"paid", {NULL}},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *out[4] = {0};
        size_t n = financing_match_next(cases[i].from, out, FTZ_COUNTOF(out));
        size_t want = 0;
        while (cases[i].next[want])
            want++;
        assert_int_equal(n, want);
        for (size_t k = 0; k < n; k++)
            assert_string_equal(out[k], cases[i].next[k]);
    }
    /* the cap is honoured */
    const char *one[1];
    assert_int_equal(financing_match_next("proposed", one, 1), 1);
    assert_string_equal(one[0], "applied");
    assert_int_equal(financing_match_next("proposed", one, 0), 0);
    assert_int_equal(financing_match_next(NULL, one, 1), 0);
}

static void test_need_follows(void **state)
{
    (void)state;
    static const struct {
        const char *current;
        int64_t alive, granted;
        const char *want;
    } cases[] = {
        {"open", 0, 0, "open"},       {"open", 1, 0, "matched"},    {"open", 3, 0, "matched"},
        {"matched", 0, 0, "open"},    {"matched", 1, 1, "granted"}, {"matched", 0, 1, "granted"},
        {"granted", 0, 1, "granted"}, {"granted", 2, 0, "matched"}, {"closed", 0, 0, "closed"},
        {"closed", 2, 0, "closed"},   {"closed", 0, 5, "closed"},   {NULL, 0, 0, "open"},
        {"open", -1, 0, "open"},      {"open", 0, -1, "open"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *got = financing_need_status(cases[i].current, cases[i].alive, cases[i].granted);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: %s with %lld alive, %lld granted → %s, not %s", i,
                     cases[i].current ? cases[i].current : "NULL", (long long)cases[i].alive,
                     (long long)cases[i].granted, got, cases[i].want);
    }
}

static void test_grant_cap(void **state)
{
    (void)state;
    static const struct {
        int64_t product_max, need, other, want;
    } cases[] = {
        {1000, 700, 0, 700},   /* the need is the smaller */
        {500, 700, 0, 500},    /* the product is the smaller */
        {1000, 700, 500, 200}, /* what is left of the need */
        {1000, 700, 700, 0},   /* nothing left */
        {1000, 700, 900, 0},   /* never below 0 */
        {0, 700, 0, 0},        /* a product of nothing */
        {1000, 700, -50, 700}, /* a negative "granted" counts as none */
        {FINANCING_AMOUNT_MAX, FINANCING_AMOUNT_MAX, 0, FINANCING_AMOUNT_MAX},
        {INT64_C(600000000), INT64_C(1100000000), INT64_C(500000000), INT64_C(600000000)},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        assert_int_equal(financing_grant_cap(cases[i].product_max, cases[i].need, cases[i].other),
                         cases[i].want);
}

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(financing_status_name("granted", "zh"), "已获批");
    assert_string_equal(financing_status_name("granted", "en"), "Granted");
    assert_string_equal(financing_status_name("matched", "ru"), "Подобран продукт");
    assert_string_equal(financing_status_name("open", NULL), "待对接");
    assert_string_equal(financing_status_name("open", "fr"), "待对接");
    assert_string_equal(financing_status_name("paid", "en"), "paid");
    assert_null(financing_status_name(NULL, "en"));
}

/* ---- the services ---- */

typedef struct fixture {
    char dir[64];
    char path[128];
    ftz_conf conf;
    ftz_db *db;
    ftz_ctx c;
    int64_t firms[2];
} fixture;

static int setup(void **state)
{
    fixture *f = ftz_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_financing_XXXXXX");
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
    static const char *const org8[] = {"MA1B2C3D", "MA2C3D4E"};
    static const char *const names[] = {"黑河品优进出口有限责任公司", "黑河宇鑫贸易有限责任公司"};
    for (size_t i = 0; i < 2; i++) {
        char first17[18], code[19];
        snprintf(first17, sizeof first17, "91231100%s%c", org8[i],
                 firm_orgcode_check_char(org8[i]));
        snprintf(code, sizeof code, "%s%c", first17, firm_uscc_check_char(first17));
        firm_in in = {.credit_code = code, .name_zh = names[i]};
        if (firm_create(&f->c, &in, &f->firms[i])) return -1;
    }
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

static int64_t bj(int y, int m, int d)
{
    char s[40];
    snprintf(s, sizeof s, "%04d-%02d-%02dT10:00:00+08:00", y, m, d);
    int64_t t = 0;
    assert_int_equal(ftz_time_parse(s, &t), FTZ_OK);
    return t;
}

static void fresh(fixture *f, int64_t at)
{
    f->c.clock = at;
    ftz_err_init(&f->c.err, f->c.arena);
}

static json_t *match_of(fixture *f, int64_t id)
{
    json_t *o = NULL;
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(financing_match_get(&f->c, id, &o), FTZ_OK);
    return o;
}

static ftz_rc change(fixture *f, int64_t id, int64_t at, const financing_match_change *ch)
{
    json_t *m = match_of(f, id);
    int64_t v = json_integer_value(json_object_get(m, "version"));
    json_decref(m);
    fresh(f, at);
    return financing_match_update(&f->c, id, v, ch);
}

/* Grants fen on a new need of firm through product, all on the day given. */
static void granted(fixture *f, int64_t firm, int64_t product, int64_t fen, int month, int day)
{
    char on[11];
    snprintf(on, sizeof on, "2024-%02d-%02d", month, day);
    fresh(f, bj(2024, month, day));
    financing_need_in n = {.firm_id = firm,
                           .amount_fen = fen,
                           .purpose = "外贸融资",
                           .term_months = 12,
                           .raised_on = on};
    int64_t need = 0, match = 0;
    assert_int_equal(financing_need_create(&f->c, &n, &need), FTZ_OK);
    assert_int_equal(financing_match_create(&f->c, need, product, NULL, &match), FTZ_OK);
    financing_match_change a = {.status = "applied"};
    assert_int_equal(change(f, match, bj(2024, month, day), &a), FTZ_OK);
    financing_match_change g = {
        .status = "granted", .has_amount = true, .amount_granted_fen = fen, .granted_on = on};
    assert_int_equal(change(f, match, bj(2024, month, day), &g), FTZ_OK);
}

static void test_store_report_figure(void **state)
{
    fixture *f = *state;
    fresh(f, bj(2024, 3, 1));
    financing_product_in p = {.bank = "中国银行黑河分行",
                              .name = "外贸贷",
                              .max_amount_fen = INT64_C(1000000000),
                              .rate_bp = 385,
                              .term_months = 12,
                              .active = 1};
    int64_t product = 0;
    assert_int_equal(financing_product_create(&f->c, &p, &product), FTZ_OK);
    granted(f, f->firms[0], product, INT64_C(600000000), 3, 15);
    granted(f, f->firms[1], product, INT64_C(500000000), 4, 10);
    fresh(f, bj(2024, 4, 30));
    json_t *fig = NULL;
    assert_int_equal(financing_figures(&f->c, "2024-01-01", "2024-04-30", &fig), FTZ_OK);
    assert_int_equal(json_integer_value(json_object_get(fig, "granted_fen")), 1100000000);
    assert_string_equal(json_string_value(json_object_get(fig, "granted_words")), "1100万元");
    assert_int_equal(json_integer_value(json_object_get(fig, "firms_financed")), 2);
    json_t *months = json_object_get(fig, "by_month");
    assert_int_equal(json_array_size(months), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(months, 0), "key")),
                        "2024-03");
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(months, 1), "granted_words")), "500万元");
    json_decref(fig);
    /* only March */
    assert_int_equal(financing_figures(&f->c, "2024-03-01", "2024-03-31", &fig), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(fig, "granted_words")), "600万元");
    json_decref(fig);
}

static void test_store_refusals(void **state)
{
    fixture *f = *state;
    fresh(f, bj(2024, 5, 6));
    financing_product_in p = {
        .bank = "龙江银行", .name = "跨境e贷", .max_amount_fen = 300, .rate_bp = -1, .active = 1};
    int64_t product = 0;
    assert_int_equal(financing_product_create(&f->c, &p, &product), FTZ_OK);
    /* a duplicate product */
    fresh(f, bj(2024, 5, 6));
    int64_t dup = 0;
    assert_int_equal(financing_product_create(&f->c, &p, &dup), FTZ_ECONFLICT);
    /* a need breaking every rule */
    fresh(f, bj(2024, 5, 6));
    financing_need_in bad = {
        .firm_id = 987654, .amount_fen = 0, .term_months = 601, .raised_on = "2024-05-07"};
    int64_t id = 0;
    assert_int_equal(financing_need_create(&f->c, &bad, &id), FTZ_EINVAL);
    assert_int_equal(f->c.err.nfields,
                     5); /* firm_id, purpose, amount_fen, term_months, raised_on */
    /* a need of 1000 fen, the product's cap 300 */
    fresh(f, bj(2024, 5, 6));
    financing_need_in n = {.firm_id = f->firms[0],
                           .amount_fen = 1000,
                           .purpose = "周转",
                           .term_months = 3,
                           .raised_on = "2024-05-06"};
    int64_t need = 0, match = 0;
    assert_int_equal(financing_need_create(&f->c, &n, &need), FTZ_OK);
    assert_int_equal(financing_match_create(&f->c, need, product, "推荐", &match), FTZ_OK);
    financing_match_change skip = {.status = "granted",
                                   .has_amount = true,
                                   .amount_granted_fen = 100,
                                   .granted_on = "2024-05-06"};
    assert_int_equal(change(f, match, bj(2024, 5, 6), &skip), FTZ_ECONFLICT);
    assert_string_equal(f->c.err.code, "match_transition");
    financing_match_change apply = {.status = "applied"};
    assert_int_equal(change(f, match, bj(2024, 5, 6), &apply), FTZ_OK);
    financing_match_change over = {.status = "granted",
                                   .has_amount = true,
                                   .amount_granted_fen = 301,
                                   .granted_on = "2024-05-07"};
    assert_int_equal(change(f, match, bj(2024, 5, 6), &over), FTZ_EINVAL);
    assert_int_equal(f->c.err.nfields, 2); /* over the cap; the day after "today" */
    financing_match_change ok = {.status = "granted",
                                 .has_amount = true,
                                 .amount_granted_fen = 300,
                                 .granted_on = "2024-05-06"};
    assert_int_equal(change(f, match, bj(2024, 5, 6), &ok), FTZ_OK);
    json_t *got = NULL;
    fresh(f, bj(2024, 5, 6));
    assert_int_equal(financing_need_get(&f->c, need, &got), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(got, "status")), "granted");
    assert_int_equal(json_integer_value(json_object_get(got, "granted_fen")), 300);
    json_decref(got);
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
        cmocka_unit_test(test_every_step),
        cmocka_unit_test(test_known_and_next),
        cmocka_unit_test(test_need_follows),
        cmocka_unit_test(test_grant_cap),
        cmocka_unit_test(test_status_names),
        T(test_store_report_figure),
        T(test_store_refusals),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    ftz_platform_cleanup();
    return r;
}
