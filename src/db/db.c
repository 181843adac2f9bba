/* db.c — the backend-independent half of db.h: opening by URL, the statement cache, bound
 * parameters, the query builder and the `?` → `$n` rewrite. Backends (sqlite.c, pg.c) supply
 * the ftz_db_ops of db_impl.h. */
#include "core/ftz_setup.h"
#include "db/db_impl.h"
#include "core/arena.h"
#include "core/mem.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void ftz_db_set_error(ftz_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
}

ftz_rc ftz_db_open(const char *url, ftz_db **out, char *errbuf, size_t errlen)
{
    *out = NULL;
    const ftz_db_ops *ops;
    const char *target;
    ftz_db_backend kind;
    if (strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0) {
        ops = &ftz_db_pg_ops;
        kind = FTZ_DB_PG;
        target = url;
    } else if (strncmp(url, "sqlite:", 7) == 0) {
        ops = &ftz_db_sqlite_ops;
        kind = FTZ_DB_SQLITE;
        target = url + 7;
    } else if (strstr(url, "://")) {
        snprintf(errbuf, errlen, "unsupported database URL scheme in '%s'", url);
        return FTZ_EINVAL;
    } else {
        ops = &ftz_db_sqlite_ops;
        kind = FTZ_DB_SQLITE;
        target = url;
    }
    ftz_db *db = ftz_calloc(1, sizeof(*db));
    db->ops = ops;
    db->kind = kind;
    ftz_rc rc = ops->open(db, target, errbuf, errlen);
    if (rc) {
        ftz_free(db);
        return rc;
    }
    *out = db;
    return FTZ_OK;
}

static void params_clear(ftz_stmt *st)
{
    for (int i = 0; i < st->nparams; i++) {
        ftz_free(st->params[i].p);
        st->params[i].p = NULL;
    }
    st->nparams = 0;
}

static void stmt_destroy(ftz_stmt *st)
{
    params_clear(st);
    st->db->ops->finalize(st);
    if (!st->cached) ftz_free((void *)(uintptr_t)st->sql);
    ftz_free(st);
}

void ftz_db_close(ftz_db *db)
{
    if (!db) return;
    if (db->in_txn) ftz_db_rollback(db);
    for (size_t i = 0; i < FTZ_DB_TEXT_CACHE; i++)
        if (db->tcache[i]) stmt_destroy(db->tcache[i]);
    for (size_t i = 0; i < FTZ_DB_STMT_CACHE; i++) {
        ftz_stmt *st = db->cache[i];
        while (st) {
            ftz_stmt *n = st->next_cached;
            stmt_destroy(st);
            st = n;
        }
    }
    db->ops->close(db);
    ftz_free(db);
}

ftz_db_backend ftz_db_kind(const ftz_db *db)
{
    return db->kind;
}

const char *ftz_db_errmsg(const ftz_db *db)
{
    return db->errmsg;
}

bool ftz_db_ping(ftz_db *db)
{
    return db->ops->ping(db);
}

ftz_rc ftz_db_begin(ftz_db *db)
{
    if (db->in_txn) {
        ftz_db_set_error(db, "transaction already open");
        return FTZ_EINTERNAL;
    }
    ftz_rc rc = db->ops->begin(db);
    if (!rc) db->in_txn = true;
    return rc;
}

ftz_rc ftz_db_commit(ftz_db *db)
{
    if (!db->in_txn) return FTZ_EINTERNAL;
    ftz_rc rc = db->ops->commit(db);
    if (rc) {
        db->ops->rollback(db);
    }
    db->in_txn = false;
    return rc;
}

void ftz_db_rollback(ftz_db *db)
{
    if (!db->in_txn) return;
    db->ops->rollback(db);
    db->in_txn = false;
}

bool ftz_db_in_txn(const ftz_db *db)
{
    return db->in_txn;
}

ftz_rc ftz_db_exec(ftz_db *db, const char *sql)
{
    return db->ops->exec(db, sql);
}

static size_t hash_ptr(const void *p)
{
    uintptr_t v = (uintptr_t)p;
    v ^= v >> 17;
    v *= 0x9E3779B97F4A7C15ull;
    return (size_t)(v >> 32) % FTZ_DB_STMT_CACHE;
}

static ftz_rc stmt_new(ftz_db *db, const char *sql, bool cached, ftz_stmt **out)
{
    ftz_stmt *st = ftz_calloc(1, sizeof(*st));
    st->db = db;
    st->cached = cached;
    st->sql = cached ? sql : ftz_strdup(sql);
    ftz_rc rc = db->ops->prepare(db, st);
    if (rc) {
        if (!cached) ftz_free((void *)(uintptr_t)st->sql);
        ftz_free(st);
        return rc;
    }
    *out = st;
    return FTZ_OK;
}

ftz_rc ftz_db_prepare(ftz_db *db, const char *sql, ftz_stmt **out)
{
    size_t h = hash_ptr(sql);
    for (ftz_stmt *st = db->cache[h]; st; st = st->next_cached) {
        if (st->sql == sql) {
            if (st->in_use) {
                /* Still in use by an outer loop: hand out a private one. */
                return ftz_db_prepare_tmp(db, sql, out);
            }
            st->rc = FTZ_OK;
            st->changes = 0;
            st->in_use = true;
            *out = st;
            return FTZ_OK;
        }
    }
    ftz_stmt *st;
    ftz_rc rc = stmt_new(db, sql, true, &st);
    if (rc) return rc;
    st->next_cached = db->cache[h];
    db->cache[h] = st;
    st->in_use = true;
    *out = st;
    return FTZ_OK;
}

ftz_rc ftz_db_prepare_tmp(ftz_db *db, const char *sql, ftz_stmt **out)
{
    return stmt_new(db, sql, false, out);
}

static ftz_dbparam *param_slot(ftz_stmt *st)
{
    if (st->nparams >= FTZ_DB_MAXPARAMS) {
        /* A programming error, not input: the SQL is ours. */
        ftz_db_set_error(st->db, "too many parameters (max %d)", FTZ_DB_MAXPARAMS);
        st->rc = FTZ_EINTERNAL;
        return NULL;
    }
    return &st->params[st->nparams++];
}

void ftz_stmt_bind_int(ftz_stmt *st, int64_t v)
{
    ftz_dbparam *p = param_slot(st);
    if (!p) return;
    p->type = 'i';
    p->i = v;
    p->p = NULL;
}

void ftz_stmt_bind_textn(ftz_stmt *st, const char *s, size_t n)
{
    if (!s) {
        ftz_stmt_bind_null(st);
        return;
    }
    ftz_dbparam *p = param_slot(st);
    if (!p) return;
    p->type = 's';
    p->p = ftz_malloc(n + 1);
    memcpy(p->p, s, n);
    p->p[n] = '\0';
    p->n = n;
}

void ftz_stmt_bind_text(ftz_stmt *st, const char *s)
{
    ftz_stmt_bind_textn(st, s, s ? strlen(s) : 0);
}

void ftz_stmt_bind_blob(ftz_stmt *st, const void *data, size_t n)
{
    ftz_dbparam *p = param_slot(st);
    if (!p) return;
    p->type = 'b';
    p->p = ftz_malloc(n + 1);
    if (n) memcpy(p->p, data, n);
    p->n = n;
}

void ftz_stmt_bind_null(ftz_stmt *st)
{
    ftz_dbparam *p = param_slot(st);
    if (!p) return;
    p->type = 'n';
    p->p = NULL;
}

void ftz_stmt_bind_id(ftz_stmt *st, int64_t v)
{
    if (v)
        ftz_stmt_bind_int(st, v);
    else
        ftz_stmt_bind_null(st);
}

/* Time spent in the database by this thread (each statement to its first row), read by the
 * server for /metrics. */
_Thread_local uint64_t ftz_db_time_ns;

static uint64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ftz_stmt_next(ftz_stmt *st)
{
    if (st->rc) return -1;
    if (st->started) return st->db->ops->next(st);
    /* Timed to its first row: where the database does the work of a statement; timing every
     * row step would cost two clock reads per row of every list. */
    uint64_t t0 = mono_ns();
    int r = st->db->ops->next(st);
    ftz_db_time_ns += mono_ns() - t0;
    st->started = true;
    return r;
}

ftz_rc ftz_stmt_exec(ftz_stmt *st)
{
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
    }
    if (r < 0) return st->rc ? st->rc : FTZ_EDB;
    return FTZ_OK;
}

ftz_rc ftz_stmt_rc(const ftz_stmt *st)
{
    return st->rc;
}

int64_t ftz_stmt_changes(const ftz_stmt *st)
{
    return st->changes;
}

int ftz_stmt_ncols(const ftz_stmt *st)
{
    return st->db->ops->ncols(st);
}

bool ftz_stmt_isnull(const ftz_stmt *st, int col)
{
    return st->db->ops->isnull(st, col);
}

int64_t ftz_stmt_int(const ftz_stmt *st, int col)
{
    return st->db->ops->col_int(st, col);
}

const char *ftz_stmt_text(const ftz_stmt *st, int col)
{
    return st->db->ops->col_text(st, col);
}

const void *ftz_stmt_blob(const ftz_stmt *st, int col, size_t *len)
{
    return st->db->ops->col_blob(st, col, len);
}

char *ftz_stmt_dup(const ftz_stmt *st, int col, ftz_arena *a)
{
    const char *s = ftz_stmt_text(st, col);
    return s ? ftz_arena_strdup(a, s) : NULL;
}

void ftz_stmt_done(ftz_stmt *st)
{
    if (!st) return;
    if (!st->cached && !st->text_cached) {
        stmt_destroy(st);
        return;
    }
    st->db->ops->reset(st);
    params_clear(st);
    st->started = false;
    st->in_use = false;
    st->rc = FTZ_OK;
}

static void bind_va(ftz_stmt *st, const char *fmt, va_list ap)
{
    for (const char *f = fmt; f && *f; f++) {
        switch (*f) {
        case 'i':
            ftz_stmt_bind_int(st, va_arg(ap, int64_t));
            break;
        case 's':
            ftz_stmt_bind_text(st, va_arg(ap, const char *));
            break;
        case 'n':
            ftz_stmt_bind_null(st);
            break;
        default:
            st->rc = FTZ_EINTERNAL;
            ftz_db_set_error(st->db, "bad bind format '%c'", *f);
            return;
        }
    }
}

ftz_rc ftz_db_scalar(ftz_db *db, int64_t *out, const char *sql, const char *fmt, ...)
{
    *out = 0;
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(db, sql, &st);
    if (rc) return rc;
    va_list ap;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    int r = ftz_stmt_next(st);
    if (r == 1)
        *out = ftz_stmt_int(st, 0);
    else if (r == 0)
        rc = FTZ_ENOTFOUND;
    else
        rc = st->rc ? st->rc : FTZ_EDB;
    ftz_stmt_done(st);
    return rc;
}

ftz_rc ftz_db_run(ftz_db *db, const char *sql, const char *fmt, ...)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(db, sql, &st);
    if (rc) return rc;
    va_list ap;
    va_start(ap, fmt);
    bind_va(st, fmt, ap);
    va_end(ap);
    rc = ftz_stmt_exec(st);
    ftz_stmt_done(st);
    return rc;
}

/* ---- query builder ---- */

void ftz_q_init(ftz_q *q, ftz_arena *a)
{
    memset(q, 0, sizeof(*q));
    q->arena = a;
}

void ftz_q_sql(ftz_q *q, const char *fragment)
{
    size_t n = strlen(fragment);
    if (q->len + n + 1 > q->cap) {
        size_t cap = q->cap ? q->cap * 2 : 256;
        while (cap < q->len + n + 1)
            cap *= 2;
        char *s = ftz_arena_alloc(q->arena, cap);
        if (q->len) memcpy(s, q->sql, q->len);
        q->sql = s;
        q->cap = cap;
    }
    memcpy(q->sql + q->len, fragment, n);
    q->len += n;
    q->sql[q->len] = '\0';
}

static ftz_qparam *q_param(ftz_q *q)
{
    if (q->nparams == q->capparams) {
        size_t cap = q->capparams ? q->capparams * 2 : 8;
        ftz_qparam *p = ftz_arena_alloc(q->arena, cap * sizeof(*p));
        if (q->nparams) memcpy(p, q->params, q->nparams * sizeof(*p));
        q->params = p;
        q->capparams = cap;
    }
    return &q->params[q->nparams++];
}

void ftz_q_int(ftz_q *q, int64_t v)
{
    ftz_qparam *p = q_param(q);
    p->type = 'i';
    p->i = v;
}

void ftz_q_text(ftz_q *q, const char *s)
{
    ftz_qparam *p = q_param(q);
    p->type = s ? 's' : 'n';
    p->s = s ? ftz_arena_strdup(q->arena, s) : NULL;
}

void ftz_q_append(ftz_q *dst, const ftz_q *src)
{
    if (src->sql) ftz_q_sql(dst, src->sql);
    for (size_t i = 0; i < src->nparams; i++) {
        const ftz_qparam *p = &src->params[i];
        if (p->type == 'i')
            ftz_q_int(dst, p->i);
        else
            ftz_q_text(dst, p->s);
    }
}

/* Built SQL repeats (a list with the same filters, page after page): keep the prepared
 * statement by its text, so it is parsed once per connection, not once per request. */
static ftz_rc prepare_text(ftz_db *db, const char *sql, ftz_stmt **out)
{
    for (size_t i = 0; i < FTZ_DB_TEXT_CACHE; i++) {
        ftz_stmt *st = db->tcache[i];
        if (st && !st->in_use && strcmp(st->sql, sql) == 0) {
            st->rc = FTZ_OK;
            st->changes = 0;
            st->in_use = true;
            *out = st;
            return FTZ_OK;
        }
    }
    ftz_stmt *st;
    ftz_rc rc = stmt_new(db, sql, false, &st);
    if (rc) return rc;
    /* Take the next slot whose statement is idle; all busy: this one stays private. */
    for (size_t k = 0; k < FTZ_DB_TEXT_CACHE; k++) {
        size_t i = (db->tnext + k) % FTZ_DB_TEXT_CACHE;
        ftz_stmt *old = db->tcache[i];
        if (old && old->in_use) continue;
        if (old) stmt_destroy(old);
        db->tcache[i] = st;
        st->text_cached = true;
        db->tnext = (i + 1) % FTZ_DB_TEXT_CACHE;
        break;
    }
    st->in_use = true;
    *out = st;
    return FTZ_OK;
}

ftz_rc ftz_q_prepare(ftz_db *db, const ftz_q *q, ftz_stmt **out)
{
    ftz_stmt *st;
    ftz_rc rc = prepare_text(db, q->sql ? q->sql : "", &st);
    if (rc) return rc;
    for (size_t i = 0; i < q->nparams; i++) {
        const ftz_qparam *p = &q->params[i];
        if (p->type == 'i')
            ftz_stmt_bind_int(st, p->i);
        else if (p->type == 's')
            ftz_stmt_bind_text(st, p->s);
        else
            ftz_stmt_bind_null(st);
    }
    *out = st;
    return FTZ_OK;
}

char *ftz_db_rewrite_placeholders(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    /* Each '?' becomes at most "$999999" (7 bytes). */
    char *out = ftz_malloc(len * 7 + 1);
    size_t o = 0;
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (c == '\'' || c == '"') {
            /* Copy a quoted literal or identifier verbatim; a doubled quote stays inside. */
            char q = c;
            out[o++] = sql[i++];
            while (i < len) {
                out[o++] = sql[i];
                if (sql[i] == q) {
                    if (i + 1 < len && sql[i + 1] == q) {
                        out[o++] = sql[++i];
                    } else {
                        break;
                    }
                }
                i++;
            }
            continue;
        }
        if (c == '-' && i + 1 < len && sql[i + 1] == '-') {
            while (i < len && sql[i] != '\n')
                out[o++] = sql[i++];
            if (i < len) out[o++] = sql[i];
            continue;
        }
        if (c == '?') {
            n++;
            o += (size_t)snprintf(out + o, 8, "$%d", n);
            continue;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    if (nparams) *nparams = n;
    return out;
}

void ftz_db_now(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

ftz_rc ftz_db_backup(ftz_db *db, const char *path, char *errbuf, size_t errlen)
{
    if (db->kind != FTZ_DB_SQLITE) {
        snprintf(errbuf, errlen, "ftz backup copies SQLite databases; use pg_dump for PostgreSQL");
        return FTZ_EINVAL;
    }
    return ftz_db_sqlite_backup(db, path, errbuf, errlen);
}

ftz_rc ftz_stmt_insert_id(ftz_stmt *st, int64_t *id)
{
    int r = ftz_stmt_next(st);
    *id = r == 1 ? ftz_stmt_int(st, 0) : 0;
    ftz_rc rc = r == 1 ? FTZ_OK : (ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB);
    ftz_stmt_done(st);
    return rc;
}

ftz_rc ftz_q_scalar(ftz_db *db, const ftz_q *q, int64_t *out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(db, q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *out = r == 1 ? ftz_stmt_int(st, 0) : 0;
    ftz_stmt_done(st);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}
