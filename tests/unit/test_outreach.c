/* test_outreach.c — leader visits and enterprise salons (firm/outreach.h): the business-date
 * rule and the field caps (pure), then the services on a temporary database (SQLite, or
 * FTZ_TEST_PG_URL) as a demo generator calls them — the system principal with c->clock set:
 * a visit recorded on its day, issues raised there filed as demands whose source points back,
 * the figures with the share resolved, and a salon's attendance and its refusals. */
#include "core/ftz_setup.h"
#include "firm/outreach.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/conf.h"
#include "core/date.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/platform.h"
#include "db/db.h"
#include "db/migrate.h"
#include "firm/demand.h"
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

static void test_date_rule(void **state)
{
    (void)state;
    ftz_date today = ftz_date_ymd(2024, 4, 30);
    static const struct {
        const char *s;
        const char *why; /* NULL: accepted */
    } cases[] = {
        {"2024-04-30", NULL},
        {"2024-04-29", NULL},
        {"1999-12-31", NULL},
        {"2024-02-29", NULL},
        {"2024-05-01", "in_future"},
        {"2999-01-01", "in_future"},
        {"2023-02-29", "format"},
        {"2024-4-30", "format"},
        {"2024-04-30 ", "format"},
        {" 2024-04-30", "format"},
        {"20240430", "format"},
        {"2024/04/30", "format"},
        {"", "format"},
        {"yesterday", "format"},
        {"2024-13-01", "format"},
        {"2024-04-31", "format"},
        {"1800-01-01", "format"},
        {"2024-04-30T00:00", "format"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_date d = -1;
        const char *why = outreach_date_rule(cases[i].s, today, &d);
        if (!cases[i].why) {
            if (why) fail_msg("%s: refused as %s", cases[i].s, why);
            char back[11];
            ftz_date_format(d, back);
            assert_string_equal(back, cases[i].s);
        } else {
            if (!why || strcmp(why, cases[i].why) != 0)
                fail_msg("%s: %s, not %s", cases[i].s, why ? why : "accepted", cases[i].why);
            assert_int_equal(d, -1); /* untouched */
        }
    }
    ftz_date d = -1;
    assert_string_equal(outreach_date_rule(NULL, today, &d), "format");
}

static void test_field_caps(void **state)
{
    (void)state;
    static const struct {
        const char *field;
        size_t max;
    } cases[] = {{"leader_name", 100}, {"participants", 500},
                 {"purpose", 500},     {"notes", 5000},
                 {"title", 200},       {"topics", 1000},
                 {"attendees", 500},   {"body", 5000},
                 {"firm_id", 0},       {"", 0},
                 {"NOTES", 0}};
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        assert_int_equal(outreach_field_max(cases[i].field), cases[i].max);
}

/* ---- the services ---- */

typedef struct fixture {
    char dir[64];
    char path[128];
    ftz_conf conf;
    ftz_db *db;
    ftz_ctx c;
    int64_t firms[2], dept;
} fixture;

static int setup(void **state)
{
    fixture *f = ftz_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_outreach_XXXXXX");
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
    /* the demands' intake department (setting demand.intake_dept) */
    if (auth_dept_create(&f->c, "BIZENV", "营商环境建设局", NULL, NULL, 0, &f->dept)) return -1;
    static const char *const org8[] = {"MA1B2C3D", "MA2C3D4E"};
    for (size_t i = 0; i < 2; i++) {
        char first17[18], code[19];
        snprintf(first17, sizeof first17, "91231100%s%c", org8[i],
                 firm_orgcode_check_char(org8[i]));
        snprintf(code, sizeof code, "%s%c", first17, firm_uscc_check_char(first17));
        firm_in in = {.credit_code = code, .name_zh = i ? "黑河宇鑫贸易" : "黑河品优进出口"};
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

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t num(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static void test_visit_issues_become_demands(void **state)
{
    fixture *f = *state;
    fresh(f, bj(2024, 3, 5));
    outreach_visit_in in = {.firm_id = f->firms[0],
                            .visited_on = "2024-03-05",
                            .leader_name = "王主任",
                            .purpose = "六必访"};
    int64_t visit = 0;
    assert_int_equal(outreach_visit_create(&f->c, &in, &visit), FTZ_OK);
    /* the visit is stamped with the demo's clock, not the real time */
    json_t *v = NULL;
    assert_int_equal(outreach_visit_get(&f->c, visit, &v), FTZ_OK);
    assert_string_equal(str(v, "created_at"), "2024-03-05T02:00:00.000Z");
    json_decref(v);
    /* a visit the day after "today" is refused */
    fresh(f, bj(2024, 3, 5));
    outreach_visit_in later = in;
    later.visited_on = "2024-03-06";
    int64_t none = 0;
    assert_int_equal(outreach_visit_create(&f->c, &later, &none), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].code, "in_future");
    /* two issues; the first goes round the loop to resolved */
    int64_t d1 = 0, d2 = 0;
    outreach_issue_in issue = {.title = "用电报装", .body = "请协调供电公司"};
    fresh(f, bj(2024, 3, 5));
    assert_int_equal(outreach_visit_raise(&f->c, visit, &issue, &d1), FTZ_OK);
    fresh(f, bj(2024, 3, 5));
    assert_int_equal(outreach_visit_raise(&f->c, visit, &issue, &d2), FTZ_OK);
    json_t *d = NULL;
    fresh(f, bj(2024, 3, 5));
    assert_int_equal(case_get(&f->c, &demand_kind, d1, &d), FTZ_OK);
    assert_string_equal(str(d, "channel"), "visit");
    assert_string_equal(str(d, "source_kind"), "visit");
    assert_int_equal(num(d, "source_id"), visit);
    assert_int_equal(num(d, "firm_id"), f->firms[0]);
    assert_string_equal(str(d, "accepted_on"), "2024-03-05");
    json_decref(d);
    static const struct {
        const char *event;
        int day;
    } loop[] = {{"assess", 5}, {"dispatch", 5}, {"receive", 6}, {"reply", 7}, {"evaluate", 8}};
    for (size_t i = 0; i < FTZ_COUNTOF(loop); i++) {
        fresh(f, bj(2024, 3, loop[i].day));
        assert_int_equal(case_get(&f->c, &demand_kind, d1, &d), FTZ_OK);
        int64_t ver = num(d, "version");
        json_decref(d);
        json_t *ev = json_object();
        if (strcmp(loop[i].event, "assess") == 0)
            json_object_update_new(ev, json_pack("{s:s,s:s,s:I}", "category", "help", "priority",
                                                 "normal", "lead_dept_id", (json_int_t)f->dept));
        if (strcmp(loop[i].event, "reply") == 0)
            json_object_set_new(ev, "reply", json_string("已协调"));
        if (strcmp(loop[i].event, "evaluate") == 0)
            json_object_update_new(ev, json_pack("{s:b,s:i}", "solved", 1, "satisfaction", 5));
        fresh(f, bj(2024, 3, loop[i].day));
        ftz_rc rc = case_fire(&f->c, &demand_kind, d1, ver, loop[i].event, ev);
        json_decref(ev);
        if (rc) fail_msg("%s: %s", loop[i].event, f->c.err.code ? f->c.err.code : "-");
    }
    /* the visit counts both; the figures give the share resolved over the issues raised */
    fresh(f, bj(2024, 3, 9));
    assert_int_equal(outreach_visit_get(&f->c, visit, &v), FTZ_OK);
    assert_int_equal(num(v, "issues"), 2);
    assert_int_equal(num(v, "issues_open"), 1);
    assert_int_equal(num(v, "issues_resolved"), 1);
    assert_int_equal(num(v, "resolved_bp"), 5000);
    assert_int_equal(json_array_size(json_object_get(v, "demands")), 2);
    json_decref(v);
    json_t *rows = NULL;
    assert_int_equal(outreach_visit_figures(&f->c, "leader", "2024-03-01", "2024-03-31", &rows),
                     FTZ_OK);
    assert_int_equal(json_array_size(rows), 1);
    json_t *r = json_array_get(rows, 0);
    assert_string_equal(str(r, "key"), "王主任");
    assert_int_equal(num(r, "visits"), 1);
    assert_int_equal(num(r, "issues"), 2);
    assert_int_equal(num(r, "resolved"), 1);
    assert_int_equal(num(r, "resolved_bp"), 5000);
    json_decref(rows);
    /* an empty period: one zero row for "all", none when grouped */
    assert_int_equal(outreach_visit_figures(&f->c, "all", "2020-01-01", "2020-12-31", &rows),
                     FTZ_OK);
    assert_int_equal(json_array_size(rows), 1);
    assert_int_equal(num(json_array_get(rows, 0), "visits"), 0);
    json_decref(rows);
    assert_int_equal(outreach_visit_figures(&f->c, "month", "2020-01-01", "2020-12-31", &rows),
                     FTZ_OK);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    fresh(f, bj(2024, 3, 9));
    assert_int_equal(outreach_visit_figures(&f->c, "week", NULL, NULL, &rows), FTZ_EINVAL);
}

static void test_salon_attendance(void **state)
{
    fixture *f = *state;
    fresh(f, bj(2024, 4, 1));
    outreach_salon_in in = {.title = "外贸企业沙龙", .held_on = "2024-04-10", .topics = "融资"};
    int64_t salon = 0;
    assert_int_equal(outreach_salon_create(&f->c, &in, &salon), FTZ_OK);
    outreach_attendee a[] = {{f->firms[0], "总经理"}};
    fresh(f, bj(2024, 4, 1));
    assert_int_equal(outreach_salon_set_firms(&f->c, salon, 0, a, 1), FTZ_OK);
    /* planned: no issues yet */
    outreach_issue_in issue = {.firm_id = f->firms[0], .title = "通关", .body = "查验慢"};
    int64_t d = 0;
    fresh(f, bj(2024, 4, 1));
    assert_int_equal(outreach_salon_raise(&f->c, salon, &issue, &d), FTZ_ECONFLICT);
    assert_string_equal(f->c.err.code, "salon_not_held");
    /* held: the attendee's issue is a demand; another firm is no attendee */
    fresh(f, bj(2024, 4, 10));
    assert_int_equal(outreach_salon_raise(&f->c, salon, &issue, &d), FTZ_OK);
    outreach_issue_in other = issue;
    other.firm_id = f->firms[1];
    fresh(f, bj(2024, 4, 10));
    assert_int_equal(outreach_salon_raise(&f->c, salon, &other, &d), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].field, "firm_id");
    assert_string_equal(f->c.err.fields[0].code, "not_attendee");
    /* duplicates and missing firms in an attendance list; a stale version */
    outreach_attendee bad[] = {{f->firms[0], NULL}, {f->firms[0], NULL}, {987654, NULL}};
    fresh(f, bj(2024, 4, 10));
    assert_int_equal(outreach_salon_set_firms(&f->c, salon, 0, bad, 3), FTZ_EINVAL);
    assert_int_equal(f->c.err.nfields, 2);
    fresh(f, bj(2024, 4, 10));
    assert_int_equal(outreach_salon_set_firms(&f->c, salon, 1, a, 1), FTZ_ESTALE);
    json_t *s = NULL;
    fresh(f, bj(2024, 4, 10));
    assert_int_equal(outreach_salon_get(&f->c, salon, &s), FTZ_OK);
    assert_int_equal(num(s, "issues"), 1);
    assert_int_equal(json_array_size(json_object_get(s, "firms")), 1);
    assert_string_equal(str(json_array_get(json_object_get(s, "firms"), 0), "attendees"), "总经理");
    json_decref(s);
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
        cmocka_unit_test(test_date_rule),
        cmocka_unit_test(test_field_caps),
        T(test_visit_issues_become_demands),
        T(test_salon_attendance),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    ftz_platform_cleanup();
    return r;
}
