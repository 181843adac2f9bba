/* test_case.c — the case engine (case/case.h) with demands as its kind: every allowed and
 * refused transition of the demand machine (against a table written out here, independently
 * of src/firm/demand.c), who may fire what, deadlines across public holidays and make-up
 * working days, the reminder/escalation sweep, and the rates on hand-made data. The store
 * tests run on a temporary database (SQLite, or FTZ_TEST_PG_URL for PostgreSQL). */
#include "core/ftz_setup.h"
#include "case/case.h"
#include "auth/auth.h"
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
#include "firm/window.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>
#include <cmocka.h>

/* ---- the machine, as the domain note describes it ---- */

static const struct {
    const char *event, *from, *to; /* to NULL: stays */
} expected[] = {
    {"assess", "accepted", "assessed"},
    {"dispatch", "assessed", "dispatched"},
    {"receive", "dispatched", "handling"},
    {"return", "dispatched", "returned"},
    {"return", "handling", "returned"},
    {"redispatch", "returned", "dispatched"},
    {"request_extension", "dispatched", NULL},
    {"request_extension", "handling", NULL},
    {"grant_extension", "dispatched", NULL},
    {"grant_extension", "handling", NULL},
    {"grant_extension", "returned", NULL},
    {"refuse_extension", "dispatched", NULL},
    {"refuse_extension", "handling", NULL},
    {"refuse_extension", "returned", NULL},
    {"reply", "handling", "replied"},
    {"evaluate", "replied", "closed"},
    {"reopen", "closed", "handling"},
    {"reject", "accepted", "closed"},
    {"reject", "assessed", "closed"},
    {"reject", "returned", "closed"},
    {"withdraw", "accepted", "closed"},
    {"withdraw", "assessed", "closed"},
    {"merge", "accepted", "merged"},
    {"merge", "assessed", "merged"},
    {"merge", "dispatched", "merged"},
    {"merge", "returned", "merged"},
    {"comment", "accepted", NULL},
    {"comment", "assessed", NULL},
    {"comment", "dispatched", NULL},
    {"comment", "returned", NULL},
    {"comment", "handling", NULL},
    {"comment", "replied", NULL},
    {"remind", "assessed", NULL},
    {"remind", "dispatched", NULL},
    {"remind", "returned", NULL},
    {"remind", "handling", NULL},
    {"escalate", "assessed", NULL},
    {"escalate", "dispatched", NULL},
    {"escalate", "returned", NULL},
    {"escalate", "handling", NULL},
};

static const char *const all_states[] = {"accepted", "assessed", "dispatched", "returned",
                                         "handling", "replied",  "closed",     "merged"};

static void test_every_transition(void **state)
{
    (void)state;
    const case_kind *k = &demand_kind;
    assert_int_equal(k->nstates, FTZ_COUNTOF(all_states));
    size_t allowed = 0;
    for (size_t e = 0; e < k->nevents; e++) {
        const char *ev = k->events[e].name;
        for (size_t s = 0; s < FTZ_COUNTOF(all_states); s++) {
            const char *st = all_states[s];
            const char *want = NULL;
            bool ok = false;
            for (size_t x = 0; x < FTZ_COUNTOF(expected); x++)
                if (strcmp(expected[x].event, ev) == 0 && strcmp(expected[x].from, st) == 0) {
                    ok = true;
                    want = expected[x].to ? expected[x].to : st;
                }
            ftz_arena *a = ftz_arena_new();
            ftz_err err;
            ftz_err_init(&err, a);
            const char *next = NULL;
            ftz_rc rc = case_transition(k, &err, st, ev, &next);
            if (ok) {
                if (rc != FTZ_OK) fail_msg("%s in %s should be allowed", ev, st);
                assert_string_equal(next, want);
                allowed++;
            } else {
                if (rc != FTZ_ECONFLICT) fail_msg("%s in %s should be refused", ev, st);
                assert_string_equal(err.code, "transition");
            }
            ftz_arena_free(a);
        }
    }
    /* every expected pair belongs to an event of the kind */
    assert_int_equal(allowed, FTZ_COUNTOF(expected));
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    const char *next;
    assert_int_equal(case_transition(k, &err, "accepted", "fly", &next), FTZ_EINVAL);
    ftz_arena_free(a);
}

static ftz_principal who(const char **perms, size_t n, ftz_scope scope, const char *path,
                         int64_t firm)
{
    ftz_principal p = {0};
    p.user_id = 42;
    p.username = "u";
    p.perms = perms;
    p.nperms = n;
    p.scope = scope;
    p.dept_path = path;
    p.firm_id = firm;
    return p;
}

static void test_who_may(void **state)
{
    (void)state;
    const case_kind *k = &demand_kind;
    static const char *handle[] = {"demand.handle", "demand.read"};
    static const char *assess[] = {"demand.assess", "demand.read"};
    static const char *firmp[] = {"demand.evaluate", "demand.file", "demand.read"};
    ftz_principal lead = who(handle, 2, FTZ_SCOPE_DEPT_TREE, "/1/2/", 0);
    ftz_principal lead_child = who(handle, 2, FTZ_SCOPE_DEPT_TREE, "/1/2/9/", 0);
    ftz_principal other = who(handle, 2, FTZ_SCOPE_DEPT_TREE, "/1/3/", 0);
    ftz_principal disp = who(assess, 2, FTZ_SCOPE_ALL, "/1/3/", 0);
    ftz_principal firm_a = who(firmp, 3, FTZ_SCOPE_OWN_FIRM, NULL, 7);
    ftz_principal firm_b = who(firmp, 3, FTZ_SCOPE_OWN_FIRM, NULL, 8);
    ftz_principal sys = {.system = true};
    case_facts f = {
        .state = "dispatched", .lead_dept_path = "/1/2/", .firm_id = 7, .has_deadline = true};
    const char *why;
    const case_event_def *receive = case_event_find(k, "receive");
    assert_true(case_may(k, receive, &lead, &f, &why));
    assert_true(case_may(k, receive, &lead_child, &f, &why));
    assert_false(case_may(k, receive, &other, &f, &why));
    assert_string_equal(why, "not_lead");
    assert_false(case_may(k, receive, &disp, &f, &why));
    assert_string_equal(why, "permission");
    assert_false(case_may(k, case_event_find(k, "reply"), &lead, &f, &why));
    assert_string_equal(why, "transition");
    /* extension: one pending at a time, before the deadline */
    const case_event_def *req = case_event_find(k, "request_extension");
    assert_true(case_may(k, req, &lead, &f, &why));
    f.ext_pending = true;
    assert_false(case_may(k, req, &lead, &f, &why));
    assert_string_equal(why, "pending");
    assert_true(case_may(k, case_event_find(k, "grant_extension"), &disp, &f, &why));
    f.ext_pending = false;
    assert_false(case_may(k, case_event_find(k, "grant_extension"), &disp, &f, &why));
    assert_string_equal(why, "none_pending");
    f.deadline_past = true;
    assert_false(case_may(k, req, &lead, &f, &why));
    assert_string_equal(why, "deadline_past");
    f.ext_pending = true; /* asked in time, but not decided before the deadline */
    assert_false(case_may(k, case_event_find(k, "grant_extension"), &disp, &f, &why));
    assert_string_equal(why, "deadline_past");
    assert_true(case_may(k, case_event_find(k, "refuse_extension"), &disp, &f, &why));
    f.ext_pending = false;
    /* the system's own events */
    const case_event_def *remind = case_event_find(k, "remind");
    assert_false(case_may(k, remind, &disp, &f, &why));
    assert_string_equal(why, "system");
    assert_true(case_may(k, remind, &sys, &f, &why));
    /* evaluation: the requester firm only */
    f.state = "replied";
    const case_event_def *eval = case_event_find(k, "evaluate");
    assert_true(case_may(k, eval, &firm_a, &f, &why));
    assert_false(case_may(k, eval, &firm_b, &f, &why));
    assert_string_equal(why, "not_requester");
    /* reopen: not a case closed out of scope */
    f.state = "closed";
    f.outcome = "out_of_scope";
    assert_false(case_may(k, case_event_find(k, "reopen"), &disp, &f, &why));
    assert_string_equal(why, "outcome");
    f.outcome = "resolved";
    assert_true(case_may(k, case_event_find(k, "reopen"), &disp, &f, &why));
    assert_false(case_may(k, eval, NULL, &f, &why));
}

static void test_rates(void **state)
{
    (void)state;
    assert_int_equal(case_rate_bp(0, 0), 0);
    assert_int_equal(case_rate_bp(5, 0), 0);
    assert_int_equal(case_rate_bp(1, 3), 3333);
    assert_int_equal(case_rate_bp(2, 3), 6667);
    assert_int_equal(case_rate_bp(7, 8), 8750);
    assert_int_equal(case_rate_bp(1, 1), 10000);
    assert_int_equal(case_rate_bp(1, 20000), 1); /* 0.5 bp rounds half up */
}

static void test_deadline_table(void **state)
{
    (void)state;
    const case_kind *k = &demand_kind;
    /* every category × priority has a row */
    for (size_t c = 0; c < k->ncategories; c++)
        for (size_t p = 0; p < k->npriorities; p++)
            assert_non_null(case_deadline_find(k, k->categories[c].code, k->priorities[p].code));
    assert_int_equal(case_deadline_find(k, "help", "normal")->resolve_days, 3);
    assert_int_equal(case_deadline_find(k, "complaint", "normal")->resolve_days, 13);
    assert_int_equal(case_deadline_find(k, "enquiry", "urgent")->resolve_days, 0);
    assert_null(case_deadline_find(k, "help", "whenever"));
}

/* ---- the store ---- */

typedef struct fixture {
    char dir[64];
    char path[128];
    ftz_conf conf;
    ftz_db *db;
    ftz_ctx c;
    int64_t firm, dept_a, dept_b, dept_biz;
} fixture;

static int setup(void **state)
{
    fixture *f = ftz_calloc(1, sizeof(*f));
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_case_XXXXXX");
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
    ftz_ctx *c = &f->c;
    if (auth_dept_create(c, "BIZENV", "营商环境建设局", NULL, NULL, 0, &f->dept_biz) ||
        auth_dept_create(c, "A", "甲局", NULL, NULL, 0, &f->dept_a) ||
        auth_dept_create(c, "B", "乙局", NULL, NULL, 0, &f->dept_b))
        return -1;
    char first17[18], code[19];
    snprintf(first17, sizeof first17, "91231100MA1B2C3D%c", firm_orgcode_check_char("MA1B2C3D"));
    snprintf(code, sizeof code, "%s%c", first17, firm_uscc_check_char(first17));
    firm_in in = {.credit_code = code, .name_zh = "测试企业"};
    if (firm_create(c, &in, &f->firm)) return -1;
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

/* Unix seconds of a Beijing wall-clock time. */
static int64_t bj(int y, int m, int d, int hh, int mm)
{
    char s[40];
    snprintf(s, sizeof s, "%04d-%02d-%02dT%02d:%02d:00+08:00", y, m, d, hh, mm);
    int64_t t = 0;
    assert_int_equal(ftz_time_parse(s, &t), FTZ_OK);
    return t;
}

static int64_t file_one(fixture *f, int64_t at)
{
    f->c.clock = at;
    ftz_err_init(&f->c.err, f->c.arena);
    case_in in = {.firm_id = f->firm, .channel = "window", .title = "用电报装", .body = "请协调"};
    int64_t id = 0;
    assert_int_equal(case_file(&f->c, &demand_kind, &in, &id), FTZ_OK);
    return id;
}

static json_t *get(fixture *f, int64_t id)
{
    json_t *o = NULL;
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(case_get(&f->c, &demand_kind, id, &o), FTZ_OK);
    return o;
}

static void fire(fixture *f, int64_t id, int64_t at, const char *event, json_t *in)
{
    json_t *o = get(f, id);
    int64_t v = json_integer_value(json_object_get(o, "version"));
    json_decref(o);
    f->c.clock = at;
    ftz_err_init(&f->c.err, f->c.arena);
    ftz_rc rc = case_fire(&f->c, &demand_kind, id, v, event, in);
    if (rc) fail_msg("%s: rc %d code %s", event, rc, f->c.err.code ? f->c.err.code : "-");
    json_decref(in);
}

static const char *str(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_t *assess_in(fixture *f, const char *category, const char *priority)
{
    return json_pack("{s:s,s:s,s:I}", "category", category, "priority", priority, "lead_dept_id",
                     (json_int_t)f->dept_a);
}

/* Spring Festival 2024: 10–17 February off, Sunday 4 and Sunday 18 February make-up working
 * days. Three working days from Thursday 8 February: Fri 9, Sun 18 (make-up), Mon 19. */
static void test_deadline_spring_festival(void **state)
{
    fixture *f = *state;
    int64_t id = file_one(f, bj(2024, 2, 8, 10, 0));
    fire(f, id, bj(2024, 2, 8, 11, 0), "assess", assess_in(f, "help", "normal"));
    json_t *o = get(f, id);
    assert_string_equal(str(o, "deadline_on"), "2024-02-19");
    assert_string_equal(str(o, "deadline_at"), "2024-02-19T15:59:59.999Z");
    json_decref(o);
    /* response due the working day after dispatch: Friday 9 → Sunday 18 (make-up) */
    fire(f, id, bj(2024, 2, 9, 9, 0), "dispatch", NULL);
    o = get(f, id);
    assert_string_equal(str(o, "response_due"), "2024-02-18T15:59:59.999Z");
    json_decref(o);
    /* urgent on a holiday: the same day is not a working day, so the next one */
    int64_t id2 = file_one(f, bj(2024, 2, 12, 10, 0));
    fire(f, id2, bj(2024, 2, 12, 10, 5), "assess", assess_in(f, "enquiry", "urgent"));
    o = get(f, id2);
    assert_string_equal(str(o, "deadline_on"), "2024-02-18");
    json_decref(o);
}

/* National Day 2024: 1–7 October off, Sunday 29 September and Saturday 12 October make-up.
 * Thirteen working days (a complaint) from Friday 27 September end on Monday 21 October. */
static void test_deadline_national_day(void **state)
{
    fixture *f = *state;
    int64_t id = file_one(f, bj(2024, 9, 27, 9, 0));
    fire(f, id, bj(2024, 9, 27, 15, 0), "assess", assess_in(f, "complaint", "normal"));
    json_t *o = get(f, id);
    assert_string_equal(str(o, "deadline_on"), "2024-10-21");
    json_decref(o);
    /* an earlier deadline may be set, but not a day off nor one past the table's */
    int64_t id2 = file_one(f, bj(2024, 9, 27, 9, 0));
    json_t *in = assess_in(f, "complaint", "normal");
    json_object_set_new(in, "deadline", json_string("2024-10-03"));
    json_t *o2 = get(f, id2);
    f->c.clock = bj(2024, 9, 27, 15, 0);
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(case_fire(&f->c, &demand_kind, id2, 1, "assess", in), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].code, "not_working_day");
    json_object_set_new(in, "deadline", json_string("2024-10-22"));
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(case_fire(&f->c, &demand_kind, id2, 1, "assess", in), FTZ_EINVAL);
    assert_string_equal(f->c.err.fields[0].code, "after_limit");
    json_object_set_new(in, "deadline", json_string("2024-10-12"));
    fire(f, id2, bj(2024, 9, 27, 15, 0), "assess", in);
    json_decref(o2);
    o2 = get(f, id2);
    assert_string_equal(str(o2, "deadline_on"), "2024-10-12");
    json_decref(o2);
    /* an extension of 2 working days from Monday 21 October: Wednesday 23 */
    fire(f, id, bj(2024, 9, 29, 9, 0), "dispatch", NULL);
    fire(f, id, bj(2024, 9, 30, 9, 0), "receive", NULL);
    fire(f, id, bj(2024, 10, 18, 9, 0), "request_extension",
         json_pack("{s:i,s:s}", "days", 2, "reason", "等待检测结果"));
    fire(f, id, bj(2024, 10, 18, 10, 0), "grant_extension", NULL);
    o = get(f, id);
    assert_string_equal(str(o, "deadline_on"), "2024-10-23");
    assert_int_equal(json_integer_value(json_object_get(o, "ext_granted")), 2);
    json_decref(o);
}

/* Reminder the working day after a missed deadline, escalation after
 * case.escalate_after_days (2) working days, each once. */
static void test_sweep(void **state)
{
    fixture *f = *state;
    int64_t id = file_one(f, bj(2024, 3, 4, 9, 0)); /* Monday */
    fire(f, id, bj(2024, 3, 4, 10, 0), "assess", assess_in(f, "help", "normal"));
    fire(f, id, bj(2024, 3, 4, 11, 0), "dispatch", NULL); /* deadline Thursday 7 March */
    int64_t r = 0, e = 0;
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(case_sweep(&f->c, &demand_kind, bj(2024, 3, 7, 20, 0), &r, &e), FTZ_OK);
    assert_int_equal(r + e, 0); /* not past yet */
    assert_int_equal(case_sweep(&f->c, &demand_kind, bj(2024, 3, 8, 9, 0), &r, &e), FTZ_OK);
    assert_int_equal(r, 1);
    assert_int_equal(e, 0);
    assert_int_equal(case_sweep(&f->c, &demand_kind, bj(2024, 3, 9, 9, 0), &r, &e), FTZ_OK);
    assert_int_equal(r + e, 0); /* Saturday: the second working day has not begun */
    assert_int_equal(case_sweep(&f->c, &demand_kind, bj(2024, 3, 11, 9, 0), &r, &e), FTZ_OK);
    assert_int_equal(r, 0);
    assert_int_equal(e, 1);
    assert_int_equal(case_sweep(&f->c, &demand_kind, bj(2024, 3, 12, 9, 0), &r, &e), FTZ_OK);
    assert_int_equal(r + e, 0);
    f->c.clock = bj(2024, 3, 12, 9, 0);
    json_t *o = get(f, id);
    assert_true(json_is_true(json_object_get(o, "overdue")));
    assert_int_equal(json_integer_value(json_object_get(o, "escalated_dept_id")), f->dept_biz);
    size_t reminds = 0, escalations = 0, i;
    json_t *ev;
    json_array_foreach(json_object_get(o, "timeline"), i, ev)
    {
        if (strcmp(str(ev, "event"), "remind") == 0) reminds++;
        if (strcmp(str(ev, "event"), "escalate") == 0) escalations++;
    }
    assert_int_equal(reminds, 1);
    assert_int_equal(escalations, 1);
    json_decref(o);
}

static int64_t rate(json_t *row, const char *k)
{
    return json_integer_value(json_object_get(row, k));
}

/* Four cases by hand: three contacted in time, one late; evaluations 5 (solved), 3 (not
 * solved) and 1 (reopens); one open past its deadline. */
static void test_figures(void **state)
{
    fixture *f = *state;
    int64_t ids[4];
    for (int i = 0; i < 4; i++) {
        ids[i] = file_one(f, bj(2024, 4, 1, 9, 0)); /* Monday */
        fire(f, ids[i], bj(2024, 4, 1, 10, 0), "assess", assess_in(f, "help", "normal"));
        fire(f, ids[i], bj(2024, 4, 1, 11, 0), "dispatch", NULL); /* response due Tue 2 */
        fire(f, ids[i], bj(2024, 4, i == 3 ? 3 : 2, 9, 0), "receive", NULL);
    }
    for (int i = 0; i < 3; i++) {
        fire(f, ids[i], bj(2024, 4, 3, 9, 0), "reply", json_pack("{s:s}", "reply", "已办理"));
    }
    fire(f, ids[0], bj(2024, 4, 3, 15, 0), "evaluate",
         json_pack("{s:b,s:i}", "solved", 1, "satisfaction", 5));
    fire(f, ids[1], bj(2024, 4, 3, 15, 0), "evaluate",
         json_pack("{s:b,s:i}", "solved", 0, "satisfaction", 3));
    fire(f, ids[2], bj(2024, 4, 3, 15, 0), "evaluate",
         json_pack("{s:b,s:i}", "solved", 0, "satisfaction", 1));
    json_t *o = get(f, ids[2]);
    assert_string_equal(str(o, "state"), "handling");
    assert_int_equal(json_integer_value(json_object_get(o, "reopen_count")), 1);
    json_decref(o);

    f->c.clock = bj(2024, 4, 10, 9, 0); /* ids[3] (deadline Thu 4 April) is overdue */
    json_t *rows = NULL;
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(case_figures(&f->c, &demand_kind, "all", "2024-04-01", "2024-04-30", &rows),
                     FTZ_OK);
    assert_int_equal(json_array_size(rows), 1);
    json_t *a = json_array_get(rows, 0);
    assert_int_equal(rate(a, "count"), 4);
    assert_int_equal(rate(a, "dispatched"), 4);
    assert_int_equal(rate(a, "responded_in_time"), 3);
    assert_int_equal(rate(a, "response_rate_bp"), 7500);
    assert_int_equal(rate(a, "evaluated"), 3);
    assert_int_equal(rate(a, "solved"), 1);
    assert_int_equal(rate(a, "resolution_rate_bp"), 3333);
    assert_int_equal(rate(a, "satisfied"), 2);
    assert_int_equal(rate(a, "satisfaction_rate_bp"), 6667);
    assert_int_equal(rate(a, "closed"), 2);
    assert_int_equal(rate(a, "open"), 2);
    assert_int_equal(rate(a, "overdue"), 2); /* ids[3], and the reopened ids[2] (new deadline) */
    /* closed 3 April, accepted 1 April: 2 working days each */
    assert_int_equal(rate(a, "avg_work_days_x100"), 200);
    json_decref(rows);
    /* outside the period: nothing */
    assert_int_equal(case_figures(&f->c, &demand_kind, "all", "2024-05-01", NULL, &rows), FTZ_OK);
    assert_int_equal(json_array_size(rows), 0);
    json_decref(rows);
    assert_int_equal(case_figures(&f->c, &demand_kind, "month", NULL, NULL, &rows), FTZ_OK);
    assert_string_equal(str(json_array_get(rows, 0), "key"), "2024-04");
    json_decref(rows);
    ftz_err_init(&f->c.err, f->c.arena);
    assert_int_equal(case_figures(&f->c, &demand_kind, "colour", NULL, NULL, &rows), FTZ_EINVAL);
}

/* The window's refusal rule: no "no" without a report a supervisor approved. */
static void test_window_refusal_rule(void **state)
{
    (void)state;
    const case_kind *k = &window_kind;
    static const char *clerkp[] = {"window.handle", "window.read"};
    static const char *supp[] = {"window.read", "window.supervise"};
    ftz_principal clerk = who(clerkp, 2, FTZ_SCOPE_DEPT_TREE, "/1/4/", 0);
    ftz_principal sup = who(supp, 2, FTZ_SCOPE_ALL, "/1/", 0);
    case_facts f = {.state = "assessed"};
    const char *why;
    const case_event_def *refuse = case_event_find(k, "refuse");
    const case_event_def *req = case_event_find(k, "request_refusal");
    const case_event_def *approve = case_event_find(k, "approve_refusal");
    assert_false(case_may(k, refuse, &clerk, &f, &why));
    assert_string_equal(why, "refusal_unapproved");
    assert_false(case_may(k, approve, &sup, &f, &why));
    assert_string_equal(why, "no_refusal");
    assert_true(case_may(k, req, &clerk, &f, &why));
    f.refusal_state = "pending";
    assert_false(case_may(k, req, &clerk, &f, &why));
    assert_string_equal(why, "refusal_pending");
    assert_false(case_may(k, refuse, &clerk, &f, &why));
    assert_false(case_may(k, approve, &clerk, &f, &why)); /* the clerk cannot approve it */
    assert_string_equal(why, "permission");
    assert_true(case_may(k, approve, &sup, &f, &why));
    f.refusal_state = "rejected"; /* a rejected report: no refusal, a new report may follow */
    assert_false(case_may(k, refuse, &clerk, &f, &why));
    assert_true(case_may(k, req, &clerk, &f, &why));
    f.refusal_state = "approved";
    assert_true(case_may(k, refuse, &clerk, &f, &why));
    assert_false(case_may(k, req, &clerk, &f, &why));
    assert_string_equal(why, "refusal_approved");
}

/* The ladder: window → department (5 working days) → joint review (10) → the business
 * environment office (15), each step from the day it is raised; no step past the top. Qingming
 * 2024 (4–6 April off, Sunday 7 April worked) and the Labour Day make-up Sunday 28 April
 * fall inside. */
static void test_window_ladder(void **state)
{
    fixture *f = *state;
    f->c.clock = bj(2024, 4, 1, 9, 0); /* Monday */
    ftz_err_init(&f->c.err, f->c.arena);
    case_in in = {.firm_id = f->firm,
                  .channel = "window",
                  .title = "三次未办成",
                  .body = "x",
                  .topic = "problem"};
    int64_t id = 0;
    assert_int_equal(case_file(&f->c, &window_kind, &in, &id), FTZ_OK);
    json_t *a = json_pack("{s:s,s:s,s:I}", "category", "window", "priority", "normal",
                          "lead_dept_id", (json_int_t)f->dept_biz);
    int64_t v = 1;
    const struct {
        const char *want, *deadline;
    } steps[] = {{"department", "2024-04-10"}, {"joint", "2024-04-18"}, {"bizenv", "2024-04-28"}};
    f->c.clock = bj(2024, 4, 1, 10, 0);
    assert_int_equal(case_fire(&f->c, &window_kind, id, v++, "assess", a), FTZ_OK);
    json_decref(a);
    json_t *o = NULL;
    assert_int_equal(case_get(&f->c, &window_kind, id, &o), FTZ_OK);
    assert_string_equal(str(o, "deadline_on"), "2024-04-01"); /* settled the same day */
    json_decref(o);
    /* 2 April: to the departments — five working days (Qingming: 4–6 April off, 7 April a
     * make-up working day) */
    int days[] = {2, 3, 8};
    for (size_t i = 0; i < FTZ_COUNTOF(steps); i++) {
        f->c.clock = bj(2024, 4, days[i], 9, 0);
        ftz_err_init(&f->c.err, f->c.arena);
        json_t *r =
            json_pack("{s:I,s:s}", "lead_dept_id", (json_int_t)f->dept_a, "reason", "需协调");
        ftz_rc rc = case_fire(&f->c, &window_kind, id, v++, "raise", r);
        json_decref(r);
        if (rc) fail_msg("raise %zu: %d %s", i, rc, f->c.err.code ? f->c.err.code : "-");
        assert_int_equal(case_get(&f->c, &window_kind, id, &o), FTZ_OK);
        assert_string_equal(str(o, "category"), steps[i].want);
        assert_string_equal(str(o, "deadline_on"), steps[i].deadline);
        assert_int_equal(json_array_size(json_object_get(o, "level_history")), i + 1);
        json_decref(o);
    }
    ftz_err_init(&f->c.err, f->c.arena);
    json_t *r = json_pack("{s:I,s:s}", "lead_dept_id", (json_int_t)f->dept_a, "reason", "x");
    assert_int_equal(case_fire(&f->c, &window_kind, id, v, "raise", r), FTZ_ECONFLICT);
    assert_string_equal(f->c.err.code, "case_top_level");
    json_decref(r);
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
        cmocka_unit_test(test_every_transition),
        cmocka_unit_test(test_who_may),
        cmocka_unit_test(test_rates),
        cmocka_unit_test(test_deadline_table),
        T(test_deadline_spring_festival),
        T(test_deadline_national_day),
        T(test_sweep),
        T(test_figures),
        cmocka_unit_test(test_window_refusal_rule),
        T(test_window_ladder),
    };
    int r = cmocka_run_group_tests(tests, NULL, NULL);
    ftz_platform_cleanup();
    return r;
}
