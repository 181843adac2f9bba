/* jobs.h — long and periodic work outside the request (DESIGN.md §4, §5 "Jobs").
 *
 * A job is a row of `jobs`: queued → running → done | failed. Every state change is one
 * conditional UPDATE, so any number of processes on one database can share the queue with no
 * lock and no FOR UPDATE:
 *
 *   claim      queued → running     WHERE id = ? AND state = 'queued'      (one row = claimed)
 *   progress   percent, lease renewed  WHERE id = ? AND owner = ? AND attempts = ?
 *                                         AND state = 'running'
 *   finish     running → done/failed  the same condition
 *   reclaim    running → queued     WHERE state = 'running' AND lease_until < now
 *              running → failed     the same, once the job has been claimed
 *                                   FTZ_JOB_MAX_ATTEMPTS times
 *
 * A claim holds a lease (conf->job_lease seconds) that ftz_job_progress renews; a process
 * that dies leaves the lease to lapse and another instance reclaims and reruns the job. The
 * claim's condition carries the attempt number as well as the owner, so a worker whose job
 * was reclaimed — even by itself, later — can never write over the new run: its progress and
 * finish affect no row and answer FTZ_ECONFLICT. Handlers must therefore be safe to run
 * again (at-least-once).
 *
 * Periodic jobs are unique per (kind, period) (a UNIQUE index): every runner inserts the
 * current period's row with ON CONFLICT DO NOTHING, so two instances never run the same
 * period twice. One-off jobs have a NULL period, which never collides.
 *
 * Times: lease_until is unix seconds; the other times are the stored ISO text of db.h.
 * Periods of hourly jobs are UTC hours "YYYY-MM-DDTHH". */
#ifndef FTZ_CORE_JOBS_H
#define FTZ_CORE_JOBS_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

/* Claims of one job before a lapsed lease fails it instead of queueing it again. */
#define FTZ_JOB_MAX_ATTEMPTS 5
/* Error text stored for a job that failed that way. */
#define FTZ_JOB_LAPSED_ERROR "lease lapsed too many times"

typedef struct ftz_job ftz_job;
/* A job handler. It reads ftz_job_payload, does the work (its own transactions, audited as
 * any service), calls ftz_job_progress now and then — at least once per lease — and stops
 * at once, returning what progress returned, when progress fails. It ends with
 * ftz_job_set_result and FTZ_OK, or an error (text by ftz_job_set_error, else derived from
 * the rc and c->err). It runs on the runner's connection with the system principal. */
typedef ftz_rc (*ftz_job_fn)(ftz_ctx *c, ftz_job *job);

typedef enum { FTZ_JOB_ONCE = 0, FTZ_JOB_HOURLY } ftz_job_every;

typedef struct ftz_job_kind {
    const char *kind; /* "sessions.sweep" */
    ftz_job_fn run;
    /* Checks a payload at enqueue time, recording field errors as "payload.<member>";
     * NULL: the payload must be an empty object. */
    void (*check)(ftz_ctx *c, json_t *payload);
    ftz_job_every every; /* scheduled by every runner for each period */
    bool test_only;      /* registered only when conf->test_hooks */
} ftz_job_kind;

/* Registers a kind of another module (k must live for the process). Call at start-up, before
 * the runner or any worker thread starts; registering the same kind twice is harmless. */
void ftz_jobs_register(const ftz_job_kind *k);
/* The registered kind, or NULL (test kinds exist only when conf->test_hooks; conf may be
 * NULL, meaning no test hooks). */
const ftz_job_kind *ftz_job_kind_find(const ftz_conf *conf, const char *kind);
/* The registered kinds' names, comma separated (for the "enum" error), in arena a. */
const char *ftz_job_kind_names(ftz_arena *a, const ftz_conf *conf);

/* ---- queue ---- */

/* Queues a job of a registered kind (else field error "kind" "enum", FTZ_EINVAL) with
 * payload (an object checked by the kind, not stolen; NULL = {}). period NULL: a one-off
 * job. period given: at most one job per (kind, period) — a second enqueue of the same period
 * changes nothing and answers FTZ_OK with the EXISTING job's id. Joins the caller's
 * transaction when one is open, else runs in its own. Audited ("job.enqueue") when a row is
 * inserted. created_by is the caller's user id. */
ftz_rc ftz_job_enqueue(ftz_ctx *c, const char *kind, json_t *payload, const char *period,
                       int64_t *id) FTZ_WUR;

/* Claims the job id for owner with a lease of lease_s seconds from now; *out is a new job
 * (ftz_job_free). FTZ_ECONFLICT when the job is not queued (claimed by someone else,
 * finished, or missing). Runs outside any transaction (one statement). */
ftz_rc ftz_job_claim(ftz_ctx *c, int64_t id, const char *owner, int lease_s, ftz_job **out) FTZ_WUR;
/* Claims the oldest queued job of a kind registered here; FTZ_ENOTFOUND when none. */
ftz_rc ftz_job_claim_next(ftz_ctx *c, const char *owner, int lease_s, ftz_job **out) FTZ_WUR;

/* Puts running jobs whose lease ended before now (unix seconds) back in the queue, or fails
 * them when they have had FTZ_JOB_MAX_ATTEMPTS claims. Counts are optional (NULL). */
ftz_rc ftz_jobs_reclaim(ftz_ctx *c, int64_t now, int64_t *requeued, int64_t *failed) FTZ_WUR;
/* Inserts the rows of periodic kinds for the period containing now (ON CONFLICT DO NOTHING);
 * *added (optional) counts the new rows. */
ftz_rc ftz_jobs_schedule(ftz_ctx *c, int64_t now, int64_t *added) FTZ_WUR;

/* ---- a claimed job ---- */

int64_t ftz_job_id(const ftz_job *job);
const char *ftz_job_kind_name(const ftz_job *job);
/* The claim's number (1 for the first run). */
int64_t ftz_job_attempt(const ftz_job *job);
/* The payload (borrowed; valid until ftz_job_free). Never NULL: {} at least. */
json_t *ftz_job_payload(const ftz_job *job);
/* The result to store when the job ends well (stolen; replaces an earlier one). */
void ftz_job_set_result(ftz_job *job, json_t *result);
/* The error text to store when the handler fails (copied). */
void ftz_job_set_error(ftz_job *job, const char *text);

/* Records percent done (clamped to 0..100) and renews the lease. FTZ_ECONFLICT when the
 * lease was lost (the job was reclaimed: 0 rows updated) or when the runner is stopping (the
 * job will be handed back to the queue); either way the handler must stop and return it.
 * Call it outside the handler's own transactions. */
ftz_rc ftz_job_progress(ftz_ctx *c, ftz_job *job, int percent) FTZ_WUR;

/* Ends the job: done with the result set (percent 100), or failed with error text. Both are
 * conditional on the claim; FTZ_ECONFLICT when it was lost. */
ftz_rc ftz_job_complete(ftz_ctx *c, ftz_job *job) FTZ_WUR;
ftz_rc ftz_job_fail(ftz_ctx *c, ftz_job *job, const char *error) FTZ_WUR;
/* Hands a running job back to the queue (the runner stops); conditional on the claim. */
ftz_rc ftz_job_release(ftz_ctx *c, ftz_job *job) FTZ_WUR;

/* Runs the claimed job's handler and ends it (complete, fail, or release when the runner
 * stops; nothing when the lease was lost). Returns the handler's rc. */
ftz_rc ftz_job_run(ftz_ctx *c, ftz_job *job);
void ftz_job_free(ftz_job *job);

/* One runner step on c's connection: reclaim lapsed leases, schedule the periodic jobs of
 * now, claim the oldest queued job and run it (in its own system context). *ran tells whether
 * a job ran. The runner thread calls this in a loop; tests call it directly. */
ftz_rc ftz_jobs_tick(ftz_ctx *c, const char *owner, int lease_s, bool *ran) FTZ_WUR;

/* ---- reading jobs (the API) ---- */

/* {id, kind, period, state, percent, result, error, attempts, created_by, created_at,
 * started_at, finished_at}, for its creator or a holder of jobs.admin (in SQL); else
 * FTZ_ENOTFOUND. */
ftz_rc ftz_job_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;

typedef struct ftz_jobs_q {
    const char *state;    /* NULL = any */
    const char *kind;     /* NULL = any */
    const char *sort_key; /* id, created_at, state, kind (NULL = id) */
    bool desc;
    int64_t limit, offset;
} ftz_jobs_q;

/* One page of the jobs the caller may see (all with jobs.admin, else its own). */
ftz_rc ftz_jobs_list(ftz_ctx *c, const ftz_jobs_q *q, json_t **items, int64_t *total) FTZ_WUR;

/* ---- the runner thread (http/server.c) ---- */

typedef struct ftz_jobs_runner ftz_jobs_runner;

/* Opens the runner's own connection (conf->db_url) and starts its thread: every
 * conf->job_poll_ms (at once after a job ran) it does one ftz_jobs_tick with the owner id
 * "hostname:pid:random". */
ftz_rc ftz_jobs_runner_start(const ftz_conf *conf, ftz_jobs_runner **out, char *errbuf,
                             size_t errlen) FTZ_WUR;
/* Wakes the thread, makes a running job's next progress call fail (the job goes back to the
 * queue), joins the thread, closes the connection. NULL is a no-op. */
void ftz_jobs_runner_stop(ftz_jobs_runner *r);

/* Called with "done", "failed", "lost" or "released" whenever a job run ends (e.g. metrics);
 * set once at start-up, before the runner starts. */
void ftz_jobs_set_observer(void (*fn)(const char *outcome));

#endif
