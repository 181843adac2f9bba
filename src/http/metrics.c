/* metrics.c — Prometheus text for /metrics: requests by route and status, a latency
 * histogram, time spent in the database, and jobs. Counters are process-wide atomics (each
 * instance is scraped on its own, as Prometheus expects); job counts by state come from the
 * database at scrape time, so they are the cluster's. */
#include "core/ftz_setup.h"
#include "http/internal.h"
#include "core/mem.h"
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static const int statuses[] = {200, 201, 202, 204, 301, 304, 400, 401, 403, 404,
                               405, 409, 412, 413, 415, 422, 429, 500, 503};
#define NSTATUS (FTZ_COUNTOF(statuses) + 1) /* + "other" */
/* The same bounds in microseconds, for the hot path's integer comparisons. */
static const uint64_t bucket_us[] = {500,   1000,   2500,   5000,   10000,   25000,
                                     50000, 100000, 250000, 500000, 1000000, 2500000};
static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                 0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NBUCKETS FTZ_COUNTOF(buckets)

/* Each thread counts into its own block (no cache line shared between the worker loops on
 * the hot path); a scrape adds the blocks up. Blocks live for the process. */
typedef struct mblock {
    struct mblock *next;
    _Atomic uint64_t hist[NBUCKETS + 1];
    _Atomic uint64_t hist_sum_ns, hist_count, db_ns;
    _Atomic uint64_t requests[]; /* (nroutes + 1) × NSTATUS; the last row: unrouted */
} mblock;

static const char *const job_outcomes[] = {"done", "failed", "lost", "released"};
static _Atomic uint64_t jobs_run[4];

static size_t nroutes;
static bool ready;
static mblock *blocks;
static pthread_mutex_t blocks_mu = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local mblock *mine;

void ftz_metrics_init(size_t n)
{
    if (ready) return;
    nroutes = n;
    ready = true;
}

static mblock *my_block(void)
{
    if (mine) return mine;
    mblock *b = ftz_calloc(1, sizeof(mblock) + (nroutes + 1) * NSTATUS * sizeof(_Atomic uint64_t));
    pthread_mutex_lock(&blocks_mu);
    b->next = blocks;
    blocks = b;
    pthread_mutex_unlock(&blocks_mu);
    mine = b;
    return b;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < FTZ_COUNTOF(statuses); i++)
        if (statuses[i] == status) return i;
    return NSTATUS - 1;
}

#define ADD(field, v) atomic_fetch_add_explicit(&(field), (v), memory_order_relaxed)
#define GET(field)    atomic_load_explicit(&(field), memory_order_relaxed)

void ftz_metrics_record(int route_index, int status, uint64_t ns, uint64_t dbns)
{
    if (!ready) return;
    mblock *b = my_block();
    size_t row = route_index < 0 ? nroutes : (size_t)route_index;
    ADD(b->requests[row * NSTATUS + status_index(status)], 1);
    uint64_t us = ns / 1000;
    size_t k = 0;
    while (k < NBUCKETS && us > bucket_us[k])
        k++;
    ADD(b->hist[k], 1);
    ADD(b->hist_sum_ns, ns);
    ADD(b->hist_count, 1);
    ADD(b->db_ns, dbns);
}

/* The sum over every thread's block of one counter, picked by offset. */
static uint64_t sum_requests(size_t i)
{
    uint64_t t = 0;
    for (mblock *b = blocks; b; b = b->next)
        t += GET(b->requests[i]);
    return t;
}

void ftz_metrics_job(const char *outcome)
{
    for (size_t i = 0; i < FTZ_COUNTOF(job_outcomes); i++)
        if (strcmp(outcome, job_outcomes[i]) == 0) atomic_fetch_add(&jobs_run[i], 1);
}

void ftz_metrics_render(ftz_ctx *c, ftz_buf *out)
{
    size_t n;
    const ftz_route *routes = ftz_routes_all(&n);
    ftz_buf_puts(out, "# HELP ftz_http_requests_total HTTP requests by route and status.\n"
                      "# TYPE ftz_http_requests_total counter\n");
    pthread_mutex_lock(&blocks_mu);
    uint64_t hist[NBUCKETS + 1] = {0}, hsum = 0, hcount = 0, dbsum = 0;
    for (mblock *b = blocks; b; b = b->next) {
        for (size_t k = 0; k <= NBUCKETS; k++)
            hist[k] += GET(b->hist[k]);
        hsum += GET(b->hist_sum_ns);
        hcount += GET(b->hist_count);
        dbsum += GET(b->db_ns);
    }
    for (size_t r = 0; r <= nroutes && ready; r++) {
        for (size_t s = 0; s < NSTATUS; s++) {
            uint64_t v = sum_requests(r * NSTATUS + s);
            if (!v) continue;
            const char *method = r < n ? routes[r].method : "-";
            const char *pattern = r < n ? routes[r].pattern : "unrouted";
            char st[8];
            if (s < FTZ_COUNTOF(statuses))
                snprintf(st, sizeof st, "%d", statuses[s]);
            else
                snprintf(st, sizeof st, "other");
            ftz_buf_printf(out,
                           "ftz_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} "
                           "%llu\n",
                           method, pattern, st, (unsigned long long)v);
        }
    }
    ftz_buf_puts(out, "# HELP ftz_http_request_duration_seconds Time to answer a request.\n"
                      "# TYPE ftz_http_request_duration_seconds histogram\n");
    uint64_t cum = 0;
    for (size_t b = 0; b < NBUCKETS; b++) {
        cum += hist[b];
        ftz_buf_printf(out, "ftz_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       buckets[b], (unsigned long long)cum);
    }
    cum += hist[NBUCKETS];
    pthread_mutex_unlock(&blocks_mu);
    ftz_buf_printf(out, "ftz_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                   (unsigned long long)cum);
    ftz_buf_printf(out, "ftz_http_request_duration_seconds_sum %.6f\n", (double)hsum / 1e9);
    ftz_buf_printf(out, "ftz_http_request_duration_seconds_count %llu\n",
                   (unsigned long long)hcount);
    ftz_buf_printf(out,
                   "# HELP ftz_db_seconds_total Time database statements took to their first row "
                   "while answering requests.\n# TYPE ftz_db_seconds_total counter\n"
                   "ftz_db_seconds_total %.6f\n",
                   (double)dbsum / 1e9);
    ftz_buf_puts(out, "# HELP ftz_jobs_run_total Jobs this process ran, by outcome (lost: the "
                      "lease lapsed; released: handed back at shutdown).\n"
                      "# TYPE ftz_jobs_run_total counter\n");
    for (size_t i = 0; i < FTZ_COUNTOF(job_outcomes); i++)
        ftz_buf_printf(out, "ftz_jobs_run_total{outcome=\"%s\"} %llu\n", job_outcomes[i],
                       (unsigned long long)atomic_load(&jobs_run[i]));
    ftz_stmt *st;
    if (ftz_db_prepare(c->db, "SELECT state, count(*) FROM jobs GROUP BY state", &st) == FTZ_OK) {
        ftz_buf_puts(out, "# HELP ftz_jobs Jobs in the database by state.\n"
                          "# TYPE ftz_jobs gauge\n");
        int r;
        while ((r = ftz_stmt_next(st)) == 1)
            ftz_buf_printf(out, "ftz_jobs{state=\"%s\"} %lld\n", ftz_stmt_text(st, 0),
                           (long long)ftz_stmt_int(st, 1));
        ftz_stmt_done(st);
    }
}
