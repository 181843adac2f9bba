/* jobs.c — the job queue, its handlers and the runner thread (see jobs.h).
 *
 * Every transition is one conditional UPDATE (no FOR UPDATE, DESIGN.md §6), so the same code
 * is correct with one process on SQLite and with many `ftz serve` on one PostgreSQL. The
 * handler table is static for now; modules add their kinds here (imports, exports, reminder
 * sweeps) until it grows a registration call. */
#include "core/ftz_setup.h"
#include "core/jobs.h"
#include "auth/audit.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/settings.h"
#include "db/db.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct ftz_job {
    int64_t id;
    char *kind;
    char *owner;
    int64_t attempts; /* this claim's number; part of every later condition */
    int lease_s;
    json_t *payload;         /* owned; {} at least */
    bool bad_payload;        /* the stored payload was not a JSON object */
    json_t *result;          /* owned; NULL until set */
    char *error;             /* heap; NULL until set */
    const atomic_bool *stop; /* the runner is stopping; NULL outside a runner */
    bool lost;               /* a conditional update found the claim gone */
    bool stopping;           /* progress refused because the runner stops */
};

static void (*observer)(const char *outcome);

void ftz_jobs_set_observer(void (*fn)(const char *outcome))
{
    observer = fn;
}

static void observe(const char *outcome)
{
    if (observer) observer(outcome);
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

static ftz_rc stmt_fail(ftz_stmt *st)
{
    return ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
}

/* Compact JSON text with sorted keys, in the arena. */
static char *dump(ftz_arena *a, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!s) return ftz_arena_strdup(a, "null");
    char *r = ftz_arena_strdup(a, s);
    free(s); /* jansson's allocation */
    return r;
}

/* ==== handlers ==== */

/* sessions.sweep: drops sessions past their absolute expiry or idle timeout and login
 * throttle rows whose window has ended. */
static ftz_rc run_sessions_sweep(ftz_ctx *c, ftz_job *job)
{
    int64_t window = 900;
    ftz_rc rc = ftz_setting_int(c, "auth.login_window_s", &window);
    if (rc) return rc;
    int64_t idle = c->conf ? c->conf->session_idle : 1800;
    int64_t now = now_s();
    int64_t nsess = 0, nthrottle = 0;
    ftz_stmt *st;
    rc = ftz_db_begin(c->db);
    if (rc) goto fail;
    rc = ftz_db_prepare(c->db, "DELETE FROM sessions WHERE expires_at < ? OR last_seen < ?", &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, now);
    ftz_stmt_bind_int(st, now - idle);
    rc = ftz_stmt_exec(st);
    nsess = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    rc = ftz_db_prepare(c->db, "DELETE FROM login_throttle WHERE window_start < ?", &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, now - window);
    rc = ftz_stmt_exec(st);
    nthrottle = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (nsess || nthrottle) {
        /* One row per sweep (a batch, DESIGN.md §6), only when something went. */
        json_t *after = json_pack("{s:I,s:I}", "sessions", (json_int_t)nsess, "login_throttle",
                                  (json_int_t)nthrottle);
        rc = ftz_audit(c, "sessions.sweep", "session", NULL, NULL, after);
        json_decref(after);
        if (rc) goto fail;
    }
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    ftz_job_set_result(job, json_pack("{s:I,s:I}", "sessions", (json_int_t)nsess, "login_throttle",
                                      (json_int_t)nthrottle));
    return FTZ_OK;
fail:
    ftz_log_error("sessions.sweep: %s", ftz_db_errmsg(c->db));
    ftz_db_rollback(c->db);
    return rc;
}

/* db.checkpoint: folds SQLite's write-ahead log back into the database and truncates it, so
 * the WAL file does not grow without bound under steady writes (DESIGN.md §8). PostgreSQL
 * checkpoints on its own: nothing to do there. */
static ftz_rc run_db_checkpoint(ftz_ctx *c, ftz_job *job)
{
    if (ftz_db_kind(c->db) != FTZ_DB_SQLITE) {
        ftz_job_set_result(job, json_pack("{s:s}", "skipped", "postgresql"));
        return FTZ_OK;
    }
    ftz_rc rc = ftz_db_exec(c->db, "PRAGMA wal_checkpoint(TRUNCATE)");
    if (rc) {
        ftz_log_error("db.checkpoint: %s", ftz_db_errmsg(c->db));
        return rc;
    }
    ftz_job_set_result(job, json_pack("{s:b}", "checkpointed", 1));
    return FTZ_OK;
}

/* audit.verify: walks the audit chain; the report is the result (a broken chain is a
 * finding, not a failure of the job). */
static ftz_rc run_audit_verify(ftz_ctx *c, ftz_job *job)
{
    ftz_audit_report rep;
    ftz_rc rc = ftz_audit_verify(c, &rep);
    if (rc) return rc;
    json_t *r = json_pack("{s:I,s:I,s:I}", "rows", (json_int_t)rep.rows, "first_bad",
                          (json_int_t)rep.first_bad, "head_seq", (json_int_t)rep.head_seq);
    json_object_set_new(r, "why", rep.why ? json_string(rep.why) : json_null());
    ftz_job_set_result(job, r);
    if (rep.first_bad)
        ftz_log_warn("audit.verify: chain broken at seq %lld: %s", (long long)rep.first_bad,
                     rep.why ? rep.why : "");
    return FTZ_OK;
}

#define TEST_SLEEP_MAX 600

static void check_test_sleep(ftz_ctx *c, json_t *payload)
{
    const char *key;
    json_t *v;
    json_object_foreach(payload, key, v)
    {
        if (strcmp(key, "seconds") != 0) {
            char *f = ftz_arena_printf(c->arena, "payload.%s", key);
            ftz_err_field(&c->err, f, "unknown", NULL);
        }
    }
    v = json_object_get(payload, "seconds");
    if (!v || json_is_null(v))
        ftz_err_field(&c->err, "payload.seconds", "required", NULL);
    else if (!json_is_integer(v))
        ftz_err_field(&c->err, "payload.seconds", "type", "integer");
    else if (json_integer_value(v) < 1 || json_integer_value(v) > TEST_SLEEP_MAX)
        ftz_err_field(&c->err, "payload.seconds", "range", "[1, 600]");
}

/* test.sleep (conf->test_hooks only): sleeps N seconds one at a time, reporting progress, so
 * the API tests can kill a server mid-job and watch another one reclaim and finish it. */
static ftz_rc run_test_sleep(ftz_ctx *c, ftz_job *job)
{
    json_t *v = json_object_get(ftz_job_payload(job), "seconds");
    int64_t n = json_is_integer(v) ? json_integer_value(v) : 0;
    if (n < 1 || n > TEST_SLEEP_MAX) {
        ftz_job_set_error(job, "payload.seconds must be an integer in [1, 600]");
        return FTZ_EINVAL;
    }
    for (int64_t i = 1; i <= n; i++) {
        struct timespec ts = {1, 0};
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
        }
        ftz_rc rc = ftz_job_progress(c, job, (int)(i * 100 / n));
        if (rc) return rc;
    }
    ftz_job_set_result(job, json_pack("{s:I}", "slept", (json_int_t)n));
    return FTZ_OK;
}

static const ftz_job_kind builtin_kinds[] = {
    {"sessions.sweep", run_sessions_sweep, NULL, FTZ_JOB_HOURLY, false},
    {"db.checkpoint", run_db_checkpoint, NULL, FTZ_JOB_HOURLY, false},
    {"audit.verify", run_audit_verify, NULL, FTZ_JOB_ONCE, false},
    {"test.sleep", run_test_sleep, check_test_sleep, FTZ_JOB_ONCE, true},
};

/* Kinds of other modules, registered at start-up (before any thread runs) by
 * ftz_jobs_register: core/ may not depend on them, so they come to it. */
#define MAX_EXTRA_KINDS 32
static const ftz_job_kind *extra_kinds[MAX_EXTRA_KINDS];
static size_t nextra_kinds;

void ftz_jobs_register(const ftz_job_kind *k)
{
    for (size_t i = 0; i < nextra_kinds; i++)
        if (extra_kinds[i] == k) return;
    if (nextra_kinds < MAX_EXTRA_KINDS) extra_kinds[nextra_kinds++] = k;
}

static size_t kind_count(void)
{
    return FTZ_COUNTOF(builtin_kinds) + nextra_kinds;
}

static const ftz_job_kind *kind_at(size_t i)
{
    return i < FTZ_COUNTOF(builtin_kinds) ? &builtin_kinds[i]
                                          : extra_kinds[i - FTZ_COUNTOF(builtin_kinds)];
}

static bool kind_enabled(const ftz_conf *conf, const ftz_job_kind *k)
{
    return !k->test_only || (conf && conf->test_hooks);
}

const ftz_job_kind *ftz_job_kind_find(const ftz_conf *conf, const char *kind)
{
    if (!kind) return NULL;
    for (size_t i = 0; i < kind_count(); i++)
        if (strcmp(kind_at(i)->kind, kind) == 0 && kind_enabled(conf, kind_at(i)))
            return kind_at(i);
    return NULL;
}

const char *ftz_job_kind_names(ftz_arena *a, const ftz_conf *conf)
{
    const char *out = "";
    for (size_t i = 0; i < kind_count(); i++) {
        if (!kind_enabled(conf, kind_at(i))) continue;
        out = *out ? ftz_arena_printf(a, "%s, %s", out, kind_at(i)->kind) : kind_at(i)->kind;
    }
    return out;
}

/* ==== queue ==== */

static void check_payload(ftz_ctx *c, const ftz_job_kind *k, json_t *payload)
{
    if (!json_is_object(payload)) {
        ftz_err_field(&c->err, "payload", "type", "object");
        return;
    }
    if (k->check) {
        k->check(c, payload);
        return;
    }
    const char *key;
    json_t *v;
    json_object_foreach(payload, key, v)
    {
        char *f = ftz_arena_printf(c->arena, "payload.%s", key);
        ftz_err_field(&c->err, f, "unknown", NULL);
    }
}

ftz_rc ftz_job_enqueue(ftz_ctx *c, const char *kind, json_t *payload, const char *period,
                       int64_t *id)
{
    *id = 0;
    const ftz_job_kind *k = ftz_job_kind_find(c->conf, kind);
    if (!k) {
        ftz_err_field(&c->err, "kind", kind ? "enum" : "required",
                      kind ? ftz_job_kind_names(c->arena, c->conf) : NULL);
        return FTZ_EINVAL;
    }
    json_t *empty = NULL;
    if (!payload) payload = empty = json_object();
    check_payload(c, k, payload);
    if (c->err.rc) {
        json_decref(empty);
        return c->err.rc;
    }
    char *text = dump(c->arena, payload);
    char now[32];
    ftz_db_now(now);
    bool own = !ftz_db_in_txn(c->db);
    ftz_stmt *st;
    ftz_rc rc = own ? ftz_db_begin(c->db) : FTZ_OK;
    if (rc) goto fail;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO jobs (kind, period, state, payload, created_by, created_at, "
                        "updated_at) VALUES (?, ?, 'queued', ?, ?, ?, ?) "
                        "ON CONFLICT (kind, period) DO NOTHING RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, kind);
    ftz_stmt_bind_text(st, period);
    ftz_stmt_bind_text(st, text);
    ftz_stmt_bind_id(st, c->who ? c->who->user_id : 0);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    int r = ftz_stmt_next(st);
    if (r == 1)
        *id = ftz_stmt_int(st, 0);
    else if (r < 0)
        rc = stmt_fail(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (*id) {
        json_t *after = json_pack("{s:s,s:O}", "kind", kind, "payload", payload);
        json_object_set_new(after, "period", period ? json_string(period) : json_null());
        rc = ftz_audit_id(c, "job.enqueue", "job", *id, NULL, after);
        json_decref(after);
        if (rc) goto fail;
    } else if (period) {
        /* The period's job exists already: answer with it. */
        rc = ftz_db_scalar(c->db, id, "SELECT id FROM jobs WHERE kind = ? AND period = ?", "ss",
                           kind, period);
        if (rc) goto fail;
    } else {
        rc = FTZ_EDB;
        goto fail;
    }
    if (own) {
        rc = ftz_db_commit(c->db);
        if (rc) goto fail;
    }
    json_decref(empty);
    return FTZ_OK;
fail:
    ftz_log_error("jobs: cannot enqueue %s: %s", kind, ftz_db_errmsg(c->db));
    if (own) ftz_db_rollback(c->db);
    json_decref(empty);
    *id = 0;
    return rc;
}

ftz_rc ftz_job_claim(ftz_ctx *c, int64_t id, const char *owner, int lease_s, ftz_job **out)
{
    *out = NULL;
    if (lease_s < 1) lease_s = 1;
    char now[32];
    ftz_db_now(now);
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "UPDATE jobs SET state = 'running', owner = ?, lease_until = ?, "
                               "attempts = attempts + 1, percent = 0, "
                               "started_at = COALESCE(started_at, ?), updated_at = ? "
                               "WHERE id = ? AND state = 'queued' "
                               "RETURNING kind, payload, attempts",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, owner);
    ftz_stmt_bind_int(st, now_s() + lease_s);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    int r = ftz_stmt_next(st);
    if (r == 1) {
        ftz_job *j = ftz_calloc(1, sizeof(*j));
        j->id = id;
        j->kind = ftz_strdup(ftz_stmt_text(st, 0) ? ftz_stmt_text(st, 0) : "");
        j->owner = ftz_strdup(owner);
        j->attempts = ftz_stmt_int(st, 2);
        j->lease_s = lease_s;
        const char *p = ftz_stmt_text(st, 1);
        j->payload = p ? json_loads(p, JSON_REJECT_DUPLICATES, NULL) : NULL;
        if (!json_is_object(j->payload)) {
            json_decref(j->payload);
            j->payload = json_object();
            j->bad_payload = true;
        }
        *out = j;
    } else if (r == 0) {
        rc = FTZ_ECONFLICT;
    } else {
        rc = stmt_fail(st);
    }
    ftz_stmt_done(st);
    return rc;
}

#define CLAIM_BATCH 16

ftz_rc ftz_job_claim_next(ftz_ctx *c, const char *owner, int lease_s, ftz_job **out)
{
    *out = NULL;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT id FROM jobs WHERE state = 'queued' AND kind IN (");
    bool first = true;
    for (size_t i = 0; i < kind_count(); i++) {
        if (!kind_enabled(c->conf, kind_at(i))) continue;
        ftz_q_sql(&q, first ? "?" : ", ?");
        ftz_q_text(&q, kind_at(i)->kind);
        first = false;
    }
    ftz_q_sql(&q, ") ORDER BY id LIMIT ?");
    ftz_q_int(&q, CLAIM_BATCH);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int64_t ids[CLAIM_BATCH];
    size_t n = 0;
    int r;
    while ((r = ftz_stmt_next(st)) == 1 && n < CLAIM_BATCH)
        ids[n++] = ftz_stmt_int(st, 0);
    if (r < 0) rc = stmt_fail(st);
    ftz_stmt_done(st);
    if (rc) return rc;
    /* Another instance may take some first: the next one will do. */
    for (size_t i = 0; i < n; i++) {
        rc = ftz_job_claim(c, ids[i], owner, lease_s, out);
        if (rc != FTZ_ECONFLICT) return rc;
    }
    return FTZ_ENOTFOUND;
}

static ftz_rc run_counted(ftz_stmt *st, int64_t *changes)
{
    ftz_rc rc = ftz_stmt_exec(st);
    if (changes) *changes = rc ? 0 : ftz_stmt_changes(st);
    ftz_stmt_done(st);
    return rc;
}

ftz_rc ftz_jobs_reclaim(ftz_ctx *c, int64_t now, int64_t *requeued, int64_t *failed)
{
    int64_t nr = 0, nf = 0;
    char ts[32];
    ftz_db_now(ts);
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "UPDATE jobs SET state = 'failed', error = ?, owner = NULL, "
                               "lease_until = NULL, finished_at = ?, updated_at = ? "
                               "WHERE state = 'running' AND lease_until < ? AND attempts >= ?",
                               &st);
    if (rc) goto out;
    ftz_stmt_bind_text(st, FTZ_JOB_LAPSED_ERROR);
    ftz_stmt_bind_text(st, ts);
    ftz_stmt_bind_text(st, ts);
    ftz_stmt_bind_int(st, now);
    ftz_stmt_bind_int(st, FTZ_JOB_MAX_ATTEMPTS);
    rc = run_counted(st, &nf);
    if (rc) goto out;
    rc = ftz_db_prepare(c->db,
                        "UPDATE jobs SET state = 'queued', owner = NULL, lease_until = NULL, "
                        "updated_at = ? "
                        "WHERE state = 'running' AND lease_until < ? AND attempts < ?",
                        &st);
    if (rc) goto out;
    ftz_stmt_bind_text(st, ts);
    ftz_stmt_bind_int(st, now);
    ftz_stmt_bind_int(st, FTZ_JOB_MAX_ATTEMPTS);
    rc = run_counted(st, &nr);
    if (rc) goto out;
    if (nr) ftz_log_warn("jobs: %lld lapsed lease(s) reclaimed", (long long)nr);
    if (nf)
        ftz_log_warn("jobs: %lld job(s) failed after %d lapsed leases", (long long)nf,
                     FTZ_JOB_MAX_ATTEMPTS);
out:
    if (requeued) *requeued = nr;
    if (failed) *failed = nf;
    return rc;
}

/* The period of an hourly job containing t: "YYYY-MM-DDTHH" in UTC. */
static void hour_period(int64_t t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H", &tm);
}

ftz_rc ftz_jobs_schedule(ftz_ctx *c, int64_t now, int64_t *added)
{
    int64_t total = 0;
    ftz_rc rc = FTZ_OK;
    char ts[32];
    ftz_db_now(ts);
    for (size_t i = 0; i < kind_count() && !rc; i++) {
        if (kind_at(i)->every == FTZ_JOB_ONCE || !kind_enabled(c->conf, kind_at(i))) continue;
        char period[32];
        hour_period(now, period);
        ftz_stmt *st;
        rc = ftz_db_prepare(c->db,
                            "INSERT INTO jobs (kind, period, state, payload, created_at, "
                            "updated_at) VALUES (?, ?, 'queued', '{}', ?, ?) "
                            "ON CONFLICT (kind, period) DO NOTHING",
                            &st);
        if (rc) break;
        ftz_stmt_bind_text(st, kind_at(i)->kind);
        ftz_stmt_bind_text(st, period);
        ftz_stmt_bind_text(st, ts);
        ftz_stmt_bind_text(st, ts);
        int64_t n = 0;
        rc = run_counted(st, &n);
        total += n;
    }
    if (added) *added = total;
    return rc;
}

/* ==== a claimed job ==== */

int64_t ftz_job_id(const ftz_job *job)
{
    return job->id;
}

const char *ftz_job_kind_name(const ftz_job *job)
{
    return job->kind;
}

int64_t ftz_job_attempt(const ftz_job *job)
{
    return job->attempts;
}

json_t *ftz_job_payload(const ftz_job *job)
{
    return job->payload;
}

void ftz_job_set_result(ftz_job *job, json_t *result)
{
    json_decref(job->result);
    job->result = result;
}

void ftz_job_set_error(ftz_job *job, const char *text)
{
    ftz_free(job->error);
    job->error = text ? ftz_strdup(text) : NULL;
}

/* Binds the claim's condition: id, owner, attempts (in that order). */
static void bind_claim(ftz_stmt *st, const ftz_job *job)
{
    ftz_stmt_bind_int(st, job->id);
    ftz_stmt_bind_text(st, job->owner);
    ftz_stmt_bind_int(st, job->attempts);
}

#define CLAIM_COND " WHERE id = ? AND owner = ? AND attempts = ? AND state = 'running'"

/* Runs a conditional update on the claim; FTZ_ECONFLICT (and job->lost) when no row. */
static ftz_rc claim_update(ftz_job *job, ftz_stmt *st)
{
    int64_t n = 0;
    ftz_rc rc = run_counted(st, &n);
    if (rc) return rc;
    if (n == 0) {
        job->lost = true;
        return FTZ_ECONFLICT;
    }
    return FTZ_OK;
}

ftz_rc ftz_job_progress(ftz_ctx *c, ftz_job *job, int percent)
{
    if (percent < 0) percent = 0;
    if (percent > 100) percent = 100;
    char ts[32];
    ftz_db_now(ts);
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db, "UPDATE jobs SET percent = ?, lease_until = ?, updated_at = ?" CLAIM_COND, &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, percent);
    ftz_stmt_bind_int(st, now_s() + job->lease_s);
    ftz_stmt_bind_text(st, ts);
    bind_claim(st, job);
    rc = claim_update(job, st);
    if (rc) return rc;
    if (job->stop && atomic_load(job->stop)) {
        job->stopping = true;
        return FTZ_ECONFLICT;
    }
    return FTZ_OK;
}

ftz_rc ftz_job_complete(ftz_ctx *c, ftz_job *job)
{
    char ts[32];
    ftz_db_now(ts);
    char *result = job->result ? dump(c->arena, job->result) : NULL;
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "UPDATE jobs SET state = 'done', percent = 100, result = ?, "
                               "error = NULL, lease_until = NULL, finished_at = ?, "
                               "updated_at = ?" CLAIM_COND,
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, result);
    ftz_stmt_bind_text(st, ts);
    ftz_stmt_bind_text(st, ts);
    bind_claim(st, job);
    return claim_update(job, st);
}

ftz_rc ftz_job_fail(ftz_ctx *c, ftz_job *job, const char *error)
{
    char ts[32];
    ftz_db_now(ts);
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "UPDATE jobs SET state = 'failed', error = ?, lease_until = NULL, "
                               "finished_at = ?, updated_at = ?" CLAIM_COND,
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, error ? error : "failed");
    ftz_stmt_bind_text(st, ts);
    ftz_stmt_bind_text(st, ts);
    bind_claim(st, job);
    return claim_update(job, st);
}

ftz_rc ftz_job_release(ftz_ctx *c, ftz_job *job)
{
    char ts[32];
    ftz_db_now(ts);
    ftz_stmt *st;
    /* The interrupted run does not count against FTZ_JOB_MAX_ATTEMPTS: rolling restarts
     * must not fail a long job. */
    ftz_rc rc = ftz_db_prepare(c->db,
                               "UPDATE jobs SET state = 'queued', owner = NULL, "
                               "lease_until = NULL, attempts = attempts - 1, "
                               "updated_at = ?" CLAIM_COND,
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, ts);
    bind_claim(st, job);
    return claim_update(job, st);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* The error text of a failed run: the handler's own, else the rc and the recorded rule. */
static const char *error_text(ftz_ctx *c, const ftz_job *job, ftz_rc rc)
{
    if (job->error) return job->error;
    const ftz_err *e = &c->err;
    if (e->nfields) {
        const ftz_field_err *f = &e->fields[0];
        return ftz_arena_printf(c->arena, "%s: %s %s%s%s", ftz_rc_name(rc), f->field, f->code,
                                f->param ? " " : "", f->param ? f->param : "");
    }
    if (e->code)
        return ftz_arena_printf(c->arena, "%s: %s%s%s", ftz_rc_name(rc), e->code,
                                e->param ? " " : "", e->param ? e->param : "");
    return ftz_rc_name(rc);
}

ftz_rc ftz_job_run(ftz_ctx *c, ftz_job *job)
{
    uint64_t t0 = mono_ms();
    ftz_log_info("job %lld %s: started (attempt %lld)", (long long)job->id, job->kind,
                 (long long)job->attempts);
    const ftz_job_kind *k = ftz_job_kind_find(c->conf, job->kind);
    ftz_rc rc;
    if (!k) {
        ftz_job_set_error(job, "unknown job kind");
        rc = FTZ_EINTERNAL;
    } else if (job->bad_payload) {
        ftz_job_set_error(job, "the stored payload is not a JSON object");
        rc = FTZ_EINTERNAL;
    } else {
        rc = k->run(c, job);
    }
    if (ftz_db_in_txn(c->db)) {
        /* A handler bug: never mark done work that is about to be rolled back. */
        ftz_db_rollback(c->db);
        if (!rc) {
            rc = FTZ_EINTERNAL;
            ftz_job_set_error(job, "the handler left a transaction open");
        }
    }
    long long ms = (long long)(mono_ms() - t0);
    const char *outcome;
    ftz_rc end = FTZ_OK;
    if (!rc) {
        end = ftz_job_complete(c, job);
        outcome = end ? "lost" : "done";
    } else if (job->lost) {
        outcome = "lost";
    } else if (job->stopping) {
        end = ftz_job_release(c, job);
        outcome = end ? "lost" : "released";
    } else {
        const char *why = error_text(c, job, rc);
        end = ftz_job_fail(c, job, why);
        outcome = end ? "lost" : "failed";
        if (!end)
            ftz_log_warn("job %lld %s: failed after %lld ms: %s", (long long)job->id, job->kind, ms,
                         why);
    }
    if (end && end != FTZ_ECONFLICT)
        ftz_log_error("job %lld %s: cannot record the end: %s", (long long)job->id, job->kind,
                      ftz_db_errmsg(c->db));
    if (strcmp(outcome, "failed") != 0)
        ftz_log_info("job %lld %s: %s after %lld ms", (long long)job->id, job->kind, outcome, ms);
    observe(outcome);
    return rc;
}

void ftz_job_free(ftz_job *job)
{
    if (!job) return;
    ftz_free(job->kind);
    ftz_free(job->owner);
    json_decref(job->payload);
    json_decref(job->result);
    ftz_free(job->error);
    ftz_free(job);
}

static ftz_rc tick(ftz_ctx *c, const char *owner, int lease_s, bool *ran, const atomic_bool *stop)
{
    *ran = false;
    int64_t now = now_s();
    ftz_rc rc = ftz_jobs_reclaim(c, now, NULL, NULL);
    if (rc) return rc;
    rc = ftz_jobs_schedule(c, now, NULL);
    if (rc) return rc;
    ftz_job *job;
    rc = ftz_job_claim_next(c, owner, lease_s, &job);
    if (rc == FTZ_ENOTFOUND) return FTZ_OK;
    if (rc) return rc;
    job->stop = stop;
    char rid[48];
    snprintf(rid, sizeof rid, "job-%lld", (long long)job->id);
    ftz_ctx jc;
    ftz_ctx_init_system(&jc, c->db, c->conf, rid);
    ftz_rc jrc = ftz_job_run(&jc, job);
    FTZ_UNUSED(jrc); /* recorded in the job row and the log */
    ftz_ctx_cleanup(&jc);
    ftz_job_free(job);
    *ran = true;
    return FTZ_OK;
}

ftz_rc ftz_jobs_tick(ftz_ctx *c, const char *owner, int lease_s, bool *ran)
{
    return tick(c, owner, lease_s, ran, NULL);
}

/* ==== reading jobs ==== */

#define JOB_COLS                                                                                   \
    "j.id, j.kind, j.period, j.state, j.percent, j.result, j.error, j.attempts, j.created_by, "    \
    "j.created_at, j.started_at, j.finished_at"

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *job_row(ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "kind", text_or_null(ftz_stmt_text(st, 1)));
    json_object_set_new(o, "period", text_or_null(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "state", text_or_null(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "percent", json_integer(ftz_stmt_int(st, 4)));
    const char *res = ftz_stmt_text(st, 5);
    json_t *rj = res ? json_loads(res, JSON_DECODE_ANY, NULL) : NULL;
    json_object_set_new(o, "result", rj ? rj : json_null());
    json_object_set_new(o, "error", text_or_null(ftz_stmt_text(st, 6)));
    json_object_set_new(o, "attempts", json_integer(ftz_stmt_int(st, 7)));
    json_object_set_new(o, "created_by",
                        ftz_stmt_isnull(st, 8) ? json_null() : json_integer(ftz_stmt_int(st, 8)));
    json_object_set_new(o, "created_at", text_or_null(ftz_stmt_text(st, 9)));
    json_object_set_new(o, "started_at", text_or_null(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "finished_at", text_or_null(ftz_stmt_text(st, 11)));
    return o;
}

/* Appends the visibility rule: every job for jobs.admin, else the caller's own. */
static void scope_jobs(const ftz_ctx *c, ftz_q *q)
{
    if (!c->who) {
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
    if (ftz_can(c->who, "jobs.admin")) return;
    ftz_q_sql(q, " AND j.created_by = ?");
    ftz_q_int(q, c->who->user_id);
}

ftz_rc ftz_job_get(ftz_ctx *c, int64_t id, json_t **out)
{
    *out = NULL;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT " JOB_COLS " FROM jobs j WHERE j.id = ?");
    ftz_q_int(&q, id);
    scope_jobs(c, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r == 1)
        *out = job_row(st);
    else if (r == 0)
        rc = ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    else
        rc = stmt_fail(st);
    ftz_stmt_done(st);
    return rc;
}

static void list_where(const ftz_ctx *c, const ftz_jobs_q *jq, ftz_q *q)
{
    ftz_q_sql(q, " FROM jobs j WHERE 1 = 1");
    if (jq->state) {
        ftz_q_sql(q, " AND j.state = ?");
        ftz_q_text(q, jq->state);
    }
    if (jq->kind) {
        ftz_q_sql(q, " AND j.kind = ?");
        ftz_q_text(q, jq->kind);
    }
    scope_jobs(c, q);
}

ftz_rc ftz_jobs_list(ftz_ctx *c, const ftz_jobs_q *jq, json_t **items, int64_t *total)
{
    *items = NULL;
    *total = 0;
    static const struct {
        const char *key, *col;
    } sorts[] = {
        {"id", "j.id"}, {"created_at", "j.created_at"}, {"state", "j.state"}, {"kind", "j.kind"}};
    const char *col = "j.id";
    for (size_t i = 0; jq->sort_key && i < FTZ_COUNTOF(sorts); i++)
        if (strcmp(sorts[i].key, jq->sort_key) == 0) col = sorts[i].col;

    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*)");
    list_where(c, jq, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r == 1)
        *total = ftz_stmt_int(st, 0);
    else
        rc = stmt_fail(st);
    ftz_stmt_done(st);
    if (rc) return rc;

    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT " JOB_COLS);
    list_where(c, jq, &q);
    ftz_q_sql(&q, " ORDER BY ");
    ftz_q_sql(&q, col);
    ftz_q_sql(&q, jq->desc ? " DESC, j.id DESC" : " ASC, j.id ASC");
    ftz_q_sql(&q, " LIMIT ? OFFSET ?");
    ftz_q_int(&q, jq->limit > 0 ? jq->limit : 50);
    ftz_q_int(&q, jq->offset > 0 ? jq->offset : 0);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, job_row(st));
    if (r < 0) rc = stmt_fail(st);
    ftz_stmt_done(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return FTZ_OK;
}

/* ==== the runner thread ==== */

struct ftz_jobs_runner {
    const ftz_conf *conf;
    ftz_db *db;      /* the runner's own connection */
    char owner[320]; /* hostname:pid:random */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* signalled by stop; timed waits on CLOCK_MONOTONIC */
    bool stopping;     /* under mu */
    atomic_bool stop;  /* the same, for running jobs' progress calls */
};

static void *runner_main(void *arg)
{
    ftz_jobs_runner *r = arg;
    int lease = r->conf->job_lease > 0 ? r->conf->job_lease : 30;
    int poll_ms = r->conf->job_poll_ms > 0 ? r->conf->job_poll_ms : 1000;
    bool failing = false;
    while (!atomic_load(&r->stop)) {
        ftz_ctx c;
        ftz_ctx_init_system(&c, r->db, r->conf, "jobs");
        bool ran = false;
        ftz_rc rc = tick(&c, r->owner, lease, &ran, &r->stop);
        ftz_ctx_cleanup(&c);
        if (rc && !failing)
            ftz_log_warn("jobs: runner step failed (%s): %s", ftz_rc_name(rc),
                         ftz_db_errmsg(r->db));
        else if (!rc && failing)
            ftz_log_info("jobs: runner recovered");
        failing = rc != FTZ_OK;
        if (ran) continue;
        struct timespec deadline;
        clock_gettime(CLOCK_MONOTONIC, &deadline);
        deadline.tv_sec += poll_ms / 1000;
        deadline.tv_nsec += (long)(poll_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&r->mu);
        while (!r->stopping) {
            if (pthread_cond_timedwait(&r->cv, &r->mu, &deadline) == ETIMEDOUT) break;
        }
        pthread_mutex_unlock(&r->mu);
    }
    return NULL;
}

ftz_rc ftz_jobs_runner_start(const ftz_conf *conf, ftz_jobs_runner **out, char *errbuf,
                             size_t errlen)
{
    *out = NULL;
    if (sodium_init() < 0) {
        snprintf(errbuf, errlen, "jobs: libsodium failed to start");
        return FTZ_EINTERNAL;
    }
    ftz_jobs_runner *r = ftz_calloc(1, sizeof(*r));
    r->conf = conf;
    char dberr[256] = "";
    ftz_rc rc = ftz_db_open(conf->db_url, &r->db, dberr, sizeof dberr);
    if (rc) {
        snprintf(errbuf, errlen, "jobs: %s", dberr);
        ftz_free(r);
        return rc;
    }
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    unsigned char rnd[8];
    randombytes_buf(rnd, sizeof rnd);
    char hex[sizeof rnd * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(r->owner, sizeof r->owner, "%s:%ld:%s", host, (long)getpid(), hex);
    atomic_init(&r->stop, false);

    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&r->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&r->mu, NULL);
    if (pthread_create(&r->thread, NULL, runner_main, r) != 0) {
        snprintf(errbuf, errlen, "jobs: cannot start the runner thread");
        pthread_cond_destroy(&r->cv);
        pthread_mutex_destroy(&r->mu);
        ftz_db_close(r->db);
        ftz_free(r);
        return FTZ_EIO;
    }
    ftz_log_info("jobs: runner %s started (lease %d s, poll %d ms)", r->owner, conf->job_lease,
                 conf->job_poll_ms);
    *out = r;
    return FTZ_OK;
}

void ftz_jobs_runner_stop(ftz_jobs_runner *r)
{
    if (!r) return;
    pthread_mutex_lock(&r->mu);
    r->stopping = true;
    atomic_store(&r->stop, true);
    pthread_cond_broadcast(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->cv);
    pthread_mutex_destroy(&r->mu);
    ftz_db_close(r->db);
    ftz_log_info("jobs: runner %s stopped", r->owner);
    ftz_free(r);
}
