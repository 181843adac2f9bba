/* test_jobs.c — the job queue (core/jobs.h) on a temporary SQLite database migrated with the
 * embedded schemas: enqueue and its checks, claims, lease renewal, reclaim after a lapsed
 * lease (and the old owner locked out), periodic uniqueness, failure after the maximum
 * number of attempts, the handlers, visibility, and the runner thread. */
#include "core/ftz_setup.h"
#include "core/jobs.h"
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
#include <time.h>
#include <unistd.h>
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
    snprintf(f->dir, sizeof f->dir, "/tmp/ftz_test_jobs_XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    snprintf(f->path, sizeof f->path, "%s/t.db", f->dir);
    ftz_conf_defaults(&f->conf);
    ftz_free(f->conf.db_url);
    f->conf.db_url = ftz_strdup(f->path);
    f->conf.test_hooks = true;
    f->conf.job_poll_ms = 20;
    char err[512];
    if (ftz_db_open(f->path, &f->db, err, sizeof err)) return -1;
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

/* A fresh error record for the next call. */
static void reset_err(fixture *f)
{
    ftz_err_init(&f->c.err, f->c.arena);
}

static int64_t scalar(fixture *f, const char *sql, int64_t id)
{
    int64_t v = -1;
    ftz_rc rc = ftz_db_scalar(f->db, &v, sql, "i", id);
    assert_int_equal(rc, FTZ_OK);
    return v;
}

static int64_t count_jobs(fixture *f)
{
    int64_t v = -1;
    assert_int_equal(ftz_db_scalar(f->db, &v, "SELECT count(*) FROM jobs", ""), FTZ_OK);
    return v;
}

/* The job's state and owner as stored. */
static void job_state(fixture *f, int64_t id, char state[16], char owner[64])
{
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare_tmp(f->db, "SELECT state, owner FROM jobs WHERE id = ?", &st),
                     FTZ_OK);
    ftz_stmt_bind_int(st, id);
    assert_int_equal(ftz_stmt_next(st), 1);
    snprintf(state, 16, "%s", ftz_stmt_text(st, 0));
    snprintf(owner, 64, "%s", ftz_stmt_text(st, 1) ? ftz_stmt_text(st, 1) : "");
    ftz_stmt_done(st);
}

static int64_t enqueue_sleep(fixture *f, int seconds)
{
    json_t *p = json_pack("{s:i}", "seconds", seconds);
    int64_t id = 0;
    reset_err(f);
    assert_int_equal(ftz_job_enqueue(&f->c, "test.sleep", p, NULL, &id), FTZ_OK);
    json_decref(p);
    assert_true(id > 0);
    return id;
}

static void test_enqueue_and_get(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 3);
    json_t *j;
    assert_int_equal(ftz_job_get(&f->c, id, &j), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "test.sleep");
    assert_string_equal(json_string_value(json_object_get(j, "state")), "queued");
    assert_int_equal(json_integer_value(json_object_get(j, "percent")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 0);
    assert_true(json_is_null(json_object_get(j, "result")));
    assert_true(json_is_null(json_object_get(j, "started_at")));
    assert_true(json_is_null(json_object_get(j, "period")));
    json_decref(j);
    /* Audited in the same transaction. */
    assert_int_equal(scalar(f,
                            "SELECT count(*) FROM audit WHERE action = 'job.enqueue' AND "
                            "entity = 'job' AND entity_id = CAST(CAST(? AS BIGINT) AS TEXT)",
                            id),
                     1);
    /* A missing id is not found. */
    reset_err(f);
    assert_int_equal(ftz_job_get(&f->c, id + 1000, &j), FTZ_ENOTFOUND);
}

static void test_enqueue_rejects_bad_input(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *kind;
        const char *payload; /* JSON text, NULL = none */
        bool test_hooks;
        const char *field, *code;
    } cases[] = {
        {"no.such", NULL, true, "kind", "enum"},
        {NULL, NULL, true, "kind", "required"},
        {"test.sleep", "{\"seconds\": 1}", false, "kind", "enum"},
        {"test.sleep", "{}", true, "payload.seconds", "required"},
        {"test.sleep", "{\"seconds\": null}", true, "payload.seconds", "required"},
        {"test.sleep", "{\"seconds\": 0}", true, "payload.seconds", "range"},
        {"test.sleep", "{\"seconds\": 601}", true, "payload.seconds", "range"},
        {"test.sleep", "{\"seconds\": -5}", true, "payload.seconds", "range"},
        {"test.sleep", "{\"seconds\": \"5\"}", true, "payload.seconds", "type"},
        {"test.sleep", "{\"seconds\": 1.5}", true, "payload.seconds", "type"},
        {"test.sleep", "{\"seconds\": 1, \"x\": 2}", true, "payload.x", "unknown"},
        {"sessions.sweep", "{\"x\": 1}", true, "payload.x", "unknown"},
        {"audit.verify", "[1]", true, "payload", "type"},
        {"audit.verify", "\"text\"", true, "payload", "type"},
    };
    int64_t before = count_jobs(f);
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        f->conf.test_hooks = cases[i].test_hooks;
        json_t *p = cases[i].payload ? json_loads(cases[i].payload, JSON_DECODE_ANY, NULL) : NULL;
        reset_err(f);
        int64_t id = 99;
        ftz_rc rc = ftz_job_enqueue(&f->c, cases[i].kind, p, NULL, &id);
        json_decref(p);
        assert_int_equal(rc, FTZ_EINVAL);
        assert_int_equal(id, 0);
        assert_true(f->c.err.nfields >= 1);
        bool seen = false;
        for (size_t k = 0; k < f->c.err.nfields; k++)
            if (strcmp(f->c.err.fields[k].field, cases[i].field) == 0 &&
                strcmp(f->c.err.fields[k].code, cases[i].code) == 0)
                seen = true;
        if (!seen) fail_msg("case %zu: no %s/%s", i, cases[i].field, cases[i].code);
    }
    f->conf.test_hooks = true;
    assert_int_equal(count_jobs(f), before);
}

static void test_claim_only_once(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 1);
    ftz_job *a = NULL, *b = NULL;
    assert_int_equal(ftz_job_claim(&f->c, id, "A", 30, &a), FTZ_OK);
    assert_non_null(a);
    assert_int_equal(ftz_job_id(a), id);
    assert_string_equal(ftz_job_kind_name(a), "test.sleep");
    assert_int_equal(ftz_job_attempt(a), 1);
    assert_int_equal(json_integer_value(json_object_get(ftz_job_payload(a), "seconds")), 1);
    char st[16], owner[64];
    job_state(f, id, st, owner);
    assert_string_equal(st, "running");
    assert_string_equal(owner, "A");
    int64_t lease = scalar(f, "SELECT lease_until FROM jobs WHERE id = ?", id);
    assert_true(lease >= (int64_t)time(NULL) + 29);
    /* The second claim of the same job fails, and there is nothing else to claim. */
    assert_int_equal(ftz_job_claim(&f->c, id, "B", 30, &b), FTZ_ECONFLICT);
    assert_null(b);
    assert_int_equal(ftz_job_claim_next(&f->c, "B", 30, &b), FTZ_ENOTFOUND);
    assert_null(b);
    /* A missing job cannot be claimed either. */
    assert_int_equal(ftz_job_claim(&f->c, id + 1000, "B", 30, &b), FTZ_ECONFLICT);
    ftz_job_free(a);
}

static void test_claim_next_oldest_and_known_kinds(void **state)
{
    fixture *f = *state;
    char now[32];
    ftz_db_now(now);
    /* A kind this instance does not know, queued first, is left for others. */
    assert_int_equal(ftz_db_run(f->db,
                                "INSERT INTO jobs (kind, state, payload, created_at, updated_at) "
                                "VALUES ('other.kind', 'queued', '{}', ?, ?)",
                                "ss", now, now),
                     FTZ_OK);
    int64_t first = enqueue_sleep(f, 1);
    int64_t second = enqueue_sleep(f, 2);
    ftz_job *j = NULL;
    assert_int_equal(ftz_job_claim_next(&f->c, "A", 30, &j), FTZ_OK);
    assert_int_equal(ftz_job_id(j), first);
    ftz_job_free(j);
    /* Without test hooks, test.sleep is not claimed here. */
    f->conf.test_hooks = false;
    assert_int_equal(ftz_job_claim_next(&f->c, "A", 30, &j), FTZ_ENOTFOUND);
    f->conf.test_hooks = true;
    assert_int_equal(ftz_job_claim_next(&f->c, "A", 30, &j), FTZ_OK);
    assert_int_equal(ftz_job_id(j), second);
    ftz_job_free(j);
}

static void test_progress_renews_lease(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 1);
    ftz_job *a;
    assert_int_equal(ftz_job_claim(&f->c, id, "A", 30, &a), FTZ_OK);
    assert_int_equal(ftz_db_run(f->db, "UPDATE jobs SET lease_until = 5 WHERE id = ?", "i", id),
                     FTZ_OK);
    assert_int_equal(ftz_job_progress(&f->c, a, 40), FTZ_OK);
    assert_true(scalar(f, "SELECT lease_until FROM jobs WHERE id = ?", id) >=
                (int64_t)time(NULL) + 29);
    assert_int_equal(scalar(f, "SELECT percent FROM jobs WHERE id = ?", id), 40);
    /* Percent is clamped. */
    assert_int_equal(ftz_job_progress(&f->c, a, 250), FTZ_OK);
    assert_int_equal(scalar(f, "SELECT percent FROM jobs WHERE id = ?", id), 100);
    assert_int_equal(ftz_job_progress(&f->c, a, -3), FTZ_OK);
    assert_int_equal(scalar(f, "SELECT percent FROM jobs WHERE id = ?", id), 0);
    /* A renewed lease is not reclaimed. */
    int64_t requeued = -1, failed = -1;
    assert_int_equal(ftz_jobs_reclaim(&f->c, (int64_t)time(NULL), &requeued, &failed), FTZ_OK);
    assert_int_equal(requeued, 0);
    assert_int_equal(failed, 0);
    char st[16], owner[64];
    job_state(f, id, st, owner);
    assert_string_equal(st, "running");
    ftz_job_free(a);
}

static void test_lapsed_lease_reclaimed(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 1);
    ftz_job *a, *b;
    assert_int_equal(ftz_job_claim(&f->c, id, "A", 30, &a), FTZ_OK);
    int64_t now = (int64_t)time(NULL);
    int64_t requeued = -1;
    /* Not yet lapsed. */
    assert_int_equal(ftz_jobs_reclaim(&f->c, now, &requeued, NULL), FTZ_OK);
    assert_int_equal(requeued, 0);
    /* Lapsed: back in the queue, owner cleared. */
    assert_int_equal(ftz_jobs_reclaim(&f->c, now + 31, &requeued, NULL), FTZ_OK);
    assert_int_equal(requeued, 1);
    char st[16], owner[64];
    job_state(f, id, st, owner);
    assert_string_equal(st, "queued");
    assert_string_equal(owner, "");
    /* Another owner claims it. */
    assert_int_equal(ftz_job_claim_next(&f->c, "B", 30, &b), FTZ_OK);
    assert_int_equal(ftz_job_id(b), id);
    assert_int_equal(ftz_job_attempt(b), 2);
    /* The old owner can neither report, nor finish, nor fail, nor release it. */
    assert_int_equal(ftz_job_progress(&f->c, a, 50), FTZ_ECONFLICT);
    ftz_job_set_result(a, json_pack("{s:s}", "by", "A"));
    assert_int_equal(ftz_job_complete(&f->c, a), FTZ_ECONFLICT);
    assert_int_equal(ftz_job_fail(&f->c, a, "A failed"), FTZ_ECONFLICT);
    assert_int_equal(ftz_job_release(&f->c, a), FTZ_ECONFLICT);
    job_state(f, id, st, owner);
    assert_string_equal(st, "running");
    assert_string_equal(owner, "B");
    /* The new owner finishes it. */
    assert_int_equal(ftz_job_progress(&f->c, b, 50), FTZ_OK);
    ftz_job_set_result(b, json_pack("{s:s}", "by", "B"));
    assert_int_equal(ftz_job_complete(&f->c, b), FTZ_OK);
    json_t *j;
    assert_int_equal(ftz_job_get(&f->c, id, &j), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
    assert_int_equal(json_integer_value(json_object_get(j, "percent")), 100);
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), 2);
    assert_string_equal(json_string_value(json_object_get(json_object_get(j, "result"), "by")),
                        "B");
    assert_true(json_is_string(json_object_get(j, "finished_at")));
    json_decref(j);
    /* A finished job stays finished. */
    assert_int_equal(ftz_job_fail(&f->c, b, "late"), FTZ_ECONFLICT);
    assert_int_equal(ftz_jobs_reclaim(&f->c, now + 100000, &requeued, NULL), FTZ_OK);
    assert_int_equal(requeued, 0);
    ftz_job_free(a);
    ftz_job_free(b);
}

/* The same owner claiming again after a lapse: the stale handle is still locked out,
 * because the claim's condition carries the attempt number. */
static void test_same_owner_reclaim(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 1);
    ftz_job *old, *cur;
    assert_int_equal(ftz_job_claim(&f->c, id, "A", 30, &old), FTZ_OK);
    assert_int_equal(ftz_jobs_reclaim(&f->c, (int64_t)time(NULL) + 31, NULL, NULL), FTZ_OK);
    assert_int_equal(ftz_job_claim(&f->c, id, "A", 30, &cur), FTZ_OK);
    assert_int_equal(ftz_job_progress(&f->c, old, 10), FTZ_ECONFLICT);
    assert_int_equal(ftz_job_complete(&f->c, old), FTZ_ECONFLICT);
    assert_int_equal(ftz_job_progress(&f->c, cur, 10), FTZ_OK);
    assert_int_equal(ftz_job_fail(&f->c, cur, "boom"), FTZ_OK);
    char st[16], owner[64];
    job_state(f, id, st, owner);
    assert_string_equal(st, "failed");
    ftz_job_free(old);
    ftz_job_free(cur);
}

static void test_periodic_unique(void **state)
{
    fixture *f = *state;
    int64_t a = 0, b = 0;
    reset_err(f);
    assert_int_equal(ftz_job_enqueue(&f->c, "audit.verify", NULL, "2024-05", &a), FTZ_OK);
    assert_int_equal(ftz_job_enqueue(&f->c, "audit.verify", NULL, "2024-05", &b), FTZ_OK);
    assert_true(a > 0);
    assert_int_equal(a, b); /* the existing job */
    assert_int_equal(ftz_job_enqueue(&f->c, "audit.verify", NULL, "2024-06", &b), FTZ_OK);
    assert_true(b != a);
    /* One audit row per inserted job only. */
    int64_t n = -1;
    assert_int_equal(
        ftz_db_scalar(f->db, &n, "SELECT count(*) FROM audit WHERE action = 'job.enqueue'", ""),
        FTZ_OK);
    assert_int_equal(n, 2);
    /* One-off jobs (NULL period) never collide. */
    int64_t x = 0, y = 0;
    assert_int_equal(ftz_job_enqueue(&f->c, "audit.verify", NULL, NULL, &x), FTZ_OK);
    assert_int_equal(ftz_job_enqueue(&f->c, "audit.verify", NULL, NULL, &y), FTZ_OK);
    assert_true(x > 0 && y > 0 && x != y);
    /* The runners' schedule: one row per hourly kind (sessions.sweep, db.checkpoint) per hour,
     * however often it runs. */
    int64_t t = 1717243200; /* 2024-06-01T12:00:00Z */
    int64_t added = -1;
    assert_int_equal(ftz_jobs_schedule(&f->c, t, &added), FTZ_OK);
    assert_int_equal(added, 2);
    assert_int_equal(ftz_jobs_schedule(&f->c, t + 1799, &added), FTZ_OK);
    assert_int_equal(added, 0);
    assert_int_equal(ftz_jobs_schedule(&f->c, t + 3600, &added), FTZ_OK);
    assert_int_equal(added, 2);
    assert_int_equal(ftz_db_scalar(f->db, &n,
                                   "SELECT count(*) FROM jobs WHERE kind = 'sessions.sweep' AND "
                                   "period IN ('2024-06-01T12', '2024-06-01T13')",
                                   ""),
                     FTZ_OK);
    assert_int_equal(n, 2);
    /* Enqueueing the same period by hand finds the scheduled job. */
    int64_t s = 0, sched = 0;
    assert_int_equal(ftz_db_scalar(f->db, &sched,
                                   "SELECT id FROM jobs WHERE kind = 'sessions.sweep' AND "
                                   "period = '2024-06-01T12'",
                                   ""),
                     FTZ_OK);
    assert_int_equal(ftz_job_enqueue(&f->c, "sessions.sweep", NULL, "2024-06-01T12", &s), FTZ_OK);
    assert_int_equal(s, sched);
}

static void test_failed_after_max_attempts(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 1);
    int64_t now = (int64_t)time(NULL);
    for (int i = 1; i <= FTZ_JOB_MAX_ATTEMPTS; i++) {
        char owner[16];
        snprintf(owner, sizeof owner, "w%d", i);
        ftz_job *j;
        assert_int_equal(ftz_job_claim(&f->c, id, owner, 30, &j), FTZ_OK);
        assert_int_equal(ftz_job_attempt(j), i);
        ftz_job_free(j);
        int64_t requeued = -1, failed = -1;
        assert_int_equal(ftz_jobs_reclaim(&f->c, now + 1000 * i, &requeued, &failed), FTZ_OK);
        assert_int_equal(requeued, i < FTZ_JOB_MAX_ATTEMPTS ? 1 : 0);
        assert_int_equal(failed, i < FTZ_JOB_MAX_ATTEMPTS ? 0 : 1);
    }
    json_t *j;
    assert_int_equal(ftz_job_get(&f->c, id, &j), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "failed");
    assert_string_equal(json_string_value(json_object_get(j, "error")), FTZ_JOB_LAPSED_ERROR);
    assert_int_equal(json_integer_value(json_object_get(j, "attempts")), FTZ_JOB_MAX_ATTEMPTS);
    json_decref(j);
    ftz_job *again;
    assert_int_equal(ftz_job_claim(&f->c, id, "w9", 30, &again), FTZ_ECONFLICT);
}

static const char *run_one(fixture *f, int64_t id, ftz_rc expect)
{
    ftz_job *j;
    assert_int_equal(ftz_job_claim(&f->c, id, "R", 30, &j), FTZ_OK);
    reset_err(f);
    assert_int_equal(ftz_job_run(&f->c, j), expect);
    ftz_job_free(j);
    char st[16], owner[64];
    job_state(f, id, st, owner);
    return ftz_arena_strdup(f->c.arena, st);
}

static void test_sleep_handler(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 1);
    assert_string_equal(run_one(f, id, FTZ_OK), "done");
    json_t *j;
    assert_int_equal(ftz_job_get(&f->c, id, &j), FTZ_OK);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "result"), "slept")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "percent")), 100);
    json_decref(j);
}

/* Bad rows that got into the table some other way fail cleanly when run. */
static void test_handler_failures(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *payload;
        const char *error_part;
    } cases[] = {
        {"{\"seconds\": 0}", "payload.seconds"},
        {"{\"seconds\": \"x\"}", "payload.seconds"},
        {"not json", "not a JSON object"},
        {"[1, 2]", "not a JSON object"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        char now[32];
        ftz_db_now(now);
        int64_t id = 0;
        assert_int_equal(ftz_db_scalar(f->db, &id,
                                       "INSERT INTO jobs (kind, state, payload, created_at, "
                                       "updated_at) VALUES ('test.sleep', 'queued', ?, ?, ?) "
                                       "RETURNING id",
                                       "sss", cases[i].payload, now, now),
                         FTZ_OK);
        assert_string_equal(run_one(f, id, i < 2 ? FTZ_EINVAL : FTZ_EINTERNAL), "failed");
        json_t *j;
        assert_int_equal(ftz_job_get(&f->c, id, &j), FTZ_OK);
        const char *err = json_string_value(json_object_get(j, "error"));
        assert_non_null(err);
        assert_non_null(strstr(err, cases[i].error_part));
        json_decref(j);
    }
}

/* The old owner's handler notices the lost lease at its next progress call and stops; the
 * row stays with the new owner. */
static void test_handler_stops_on_lost_lease(void **state)
{
    fixture *f = *state;
    int64_t id = enqueue_sleep(f, 3);
    ftz_job *j;
    assert_int_equal(ftz_job_claim(&f->c, id, "A", 30, &j), FTZ_OK);
    assert_int_equal(ftz_db_run(f->db, "UPDATE jobs SET owner = 'B' WHERE id = ?", "i", id),
                     FTZ_OK);
    time_t t0 = time(NULL);
    assert_int_equal(ftz_job_run(&f->c, j), FTZ_ECONFLICT);
    assert_true(time(NULL) - t0 <= 2); /* stopped after the first second */
    ftz_job_free(j);
    char st[16], owner[64];
    job_state(f, id, st, owner);
    assert_string_equal(st, "running");
    assert_string_equal(owner, "B");
}

static void test_sweep_and_verify_via_tick(void **state)
{
    fixture *f = *state;
    char now[32];
    ftz_db_now(now);
    int64_t uid = 0;
    assert_int_equal(ftz_db_scalar(f->db, &uid,
                                   "INSERT INTO users (username, display_name, password_hash, "
                                   "scope, created_at, updated_at, password_changed_at) VALUES "
                                   "('u', 'U', 'x', 'all', ?, ?, ?) RETURNING id",
                                   "sss", now, now, now),
                     FTZ_OK);
    int64_t t = (int64_t)time(NULL);
    int64_t idle = f->conf.session_idle;
    static const char *ins = "INSERT INTO sessions (id_hash, user_id, csrf, created_at, "
                             "expires_at, last_seen) VALUES (?, ?, 'c', ?, ?, ?)";
    /* expired, idle, alive */
    assert_int_equal(ftz_db_run(f->db, ins, "siiii", "h1", uid, t - 100, t - 1, t), FTZ_OK);
    assert_int_equal(ftz_db_run(f->db, ins, "siiii", "h2", uid, t - 100, t + 3600, t - idle - 5),
                     FTZ_OK);
    assert_int_equal(ftz_db_run(f->db, ins, "siiii", "h3", uid, t - 100, t + 3600, t), FTZ_OK);
    static const char *thr = "INSERT INTO login_throttle (key, window_start, failures) "
                             "VALUES (?, ?, 3)";
    assert_int_equal(ftz_db_run(f->db, thr, "si", "u:old", t - 901), FTZ_OK);
    assert_int_equal(ftz_db_run(f->db, thr, "si", "u:new", t - 10), FTZ_OK);

    int64_t vid = 0;
    reset_err(f);
    assert_int_equal(ftz_job_enqueue(&f->c, "audit.verify", NULL, NULL, &vid), FTZ_OK);
    /* Ticks: reclaim, schedule this hour's sweep, run the oldest; until the queue is empty. */
    int ran_count = 0;
    for (int i = 0; i < 10; i++) {
        bool ran = false;
        assert_int_equal(ftz_jobs_tick(&f->c, "T", 30, &ran), FTZ_OK);
        if (!ran) break;
        ran_count++;
    }
    assert_int_equal(ran_count, 3); /* audit.verify, this hour's sweep and checkpoint */
    assert_int_equal(ftz_db_scalar(f->db, &uid, "SELECT count(*) FROM sessions", ""), FTZ_OK);
    assert_int_equal(uid, 1);
    int64_t n = 0;
    assert_int_equal(ftz_db_scalar(f->db, &n, "SELECT count(*) FROM login_throttle", ""), FTZ_OK);
    assert_int_equal(n, 1);

    int64_t sid = 0;
    assert_int_equal(
        ftz_db_scalar(f->db, &sid, "SELECT id FROM jobs WHERE kind = 'sessions.sweep'", ""),
        FTZ_OK);
    json_t *j;
    assert_int_equal(ftz_job_get(&f->c, sid, &j), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
    json_t *r = json_object_get(j, "result");
    assert_int_equal(json_integer_value(json_object_get(r, "sessions")), 2);
    assert_int_equal(json_integer_value(json_object_get(r, "login_throttle")), 1);
    json_decref(j);

    assert_int_equal(ftz_job_get(&f->c, vid, &j), FTZ_OK);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "done");
    r = json_object_get(j, "result");
    assert_true(json_integer_value(json_object_get(r, "rows")) >= 1);
    assert_int_equal(json_integer_value(json_object_get(r, "first_bad")), 0);
    assert_true(json_is_null(json_object_get(r, "why")));
    json_decref(j);
}

static void test_visibility(void **state)
{
    fixture *f = *state;
    static const char *none[] = {"files.read"};
    static const char *admin[] = {"jobs.admin"};
    ftz_principal alice = {.user_id = 11,
                           .username = "alice",
                           .scope = FTZ_SCOPE_ALL,
                           .perms = none,
                           .nperms = 1,
                           .lang = "zh"};
    ftz_principal bob = {.user_id = 12,
                         .username = "bob",
                         .scope = FTZ_SCOPE_ALL,
                         .perms = none,
                         .nperms = 1,
                         .lang = "zh"};
    ftz_principal boss = {.user_id = 13,
                          .username = "boss",
                          .scope = FTZ_SCOPE_ALL,
                          .perms = admin,
                          .nperms = 1,
                          .lang = "zh"};
    ftz_principal *sys = f->c.who;

    f->c.who = &alice;
    int64_t a1 = enqueue_sleep(f, 1), a2 = enqueue_sleep(f, 2);
    f->c.who = &bob;
    int64_t b1 = enqueue_sleep(f, 3);

    json_t *j = NULL;
    reset_err(f);
    assert_int_equal(ftz_job_get(&f->c, a1, &j), FTZ_ENOTFOUND);
    assert_null(j);
    assert_int_equal(ftz_job_get(&f->c, b1, &j), FTZ_OK);
    assert_int_equal(json_integer_value(json_object_get(j, "created_by")), 12);
    json_decref(j);

    ftz_jobs_q q = {.limit = 50};
    json_t *items;
    int64_t total;
    f->c.who = &alice;
    assert_int_equal(ftz_jobs_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 2);
    assert_int_equal(json_array_size(items), 2);
    json_decref(items);
    q.desc = true;
    q.limit = 1;
    assert_int_equal(ftz_jobs_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 2);
    assert_int_equal(json_array_size(items), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(items, 0), "id")), a2);
    json_decref(items);

    f->c.who = &boss;
    q = (ftz_jobs_q){.limit = 50, .kind = "test.sleep"};
    assert_int_equal(ftz_jobs_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 3);
    json_decref(items);
    q.state = "done";
    assert_int_equal(ftz_jobs_list(&f->c, &q, &items, &total), FTZ_OK);
    assert_int_equal(total, 0);
    json_decref(items);
    assert_int_equal(ftz_job_get(&f->c, a1, &j), FTZ_OK);
    json_decref(j);

    /* Nobody at all sees nothing. */
    f->c.who = NULL;
    reset_err(f);
    assert_int_equal(ftz_job_get(&f->c, a1, &j), FTZ_ENOTFOUND);
    f->c.who = sys;
}

static void wait_state(fixture *f, int64_t id, const char *want, int max_ms)
{
    char st[16] = "", owner[64];
    for (int waited = 0; waited < max_ms; waited += 20) {
        job_state(f, id, st, owner);
        if (strcmp(st, want) == 0) return;
        struct timespec ts = {0, 20 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fail_msg("job %lld: state %s, wanted %s", (long long)id, st, want);
}

static void test_runner_runs_and_stops(void **state)
{
    fixture *f = *state;
    char err[256];
    ftz_jobs_runner *r = NULL;
    assert_int_equal(ftz_jobs_runner_start(&f->conf, &r, err, sizeof err), FTZ_OK);
    int64_t quick = enqueue_sleep(f, 1);
    wait_state(f, quick, "done", 5000);
    /* A long job is handed back to the queue when the runner stops. */
    int64_t slow = enqueue_sleep(f, 30);
    wait_state(f, slow, "running", 5000);
    time_t t0 = time(NULL);
    ftz_jobs_runner_stop(r);
    assert_true(time(NULL) - t0 <= 3);
    char st[16], owner[64];
    job_state(f, slow, st, owner);
    assert_string_equal(st, "queued");
    assert_string_equal(owner, "");
    assert_int_equal(scalar(f, "SELECT attempts FROM jobs WHERE id = ?", slow), 0);
    /* Stopping nothing is harmless. */
    ftz_jobs_runner_stop(NULL);
}

static void test_runner_start_fails_cleanly(void **state)
{
    fixture *f = *state;
    char *saved = f->conf.db_url;
    f->conf.db_url = "sqlite:/nonexistent-dir/x/y.db";
    char err[256] = "";
    ftz_jobs_runner *r = (ftz_jobs_runner *)1;
    assert_int_not_equal(ftz_jobs_runner_start(&f->conf, &r, err, sizeof err), FTZ_OK);
    assert_null(r);
    assert_true(strlen(err) > 0);
    f->conf.db_url = saved;
}

static void test_kind_registry(void **state)
{
    fixture *f = *state;
    assert_non_null(ftz_job_kind_find(&f->conf, "sessions.sweep"));
    assert_non_null(ftz_job_kind_find(&f->conf, "audit.verify"));
    assert_non_null(ftz_job_kind_find(&f->conf, "test.sleep"));
    assert_null(ftz_job_kind_find(&f->conf, "nope"));
    assert_null(ftz_job_kind_find(&f->conf, NULL));
    assert_null(ftz_job_kind_find(NULL, "test.sleep"));
    f->conf.test_hooks = false;
    assert_null(ftz_job_kind_find(&f->conf, "test.sleep"));
    assert_string_equal(ftz_job_kind_names(f->c.arena, &f->conf),
                        "sessions.sweep, db.checkpoint, audit.verify");
    f->conf.test_hooks = true;
    assert_string_equal(ftz_job_kind_names(f->c.arena, &f->conf),
                        "sessions.sweep, db.checkpoint, audit.verify, test.sleep");
}

int main(void)
{
    ftz_log_set_level(FTZ_LOG_ERROR);
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_enqueue_and_get),
        T(test_enqueue_rejects_bad_input),
        T(test_claim_only_once),
        T(test_claim_next_oldest_and_known_kinds),
        T(test_progress_renews_lease),
        T(test_lapsed_lease_reclaimed),
        T(test_same_owner_reclaim),
        T(test_periodic_unique),
        T(test_failed_after_max_attempts),
        T(test_sleep_handler),
        T(test_handler_failures),
        T(test_handler_stops_on_lost_lease),
        T(test_sweep_and_verify_via_tick),
        T(test_visibility),
        T(test_runner_runs_and_stops),
        T(test_runner_start_fails_cleanly),
        T(test_kind_registry),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
