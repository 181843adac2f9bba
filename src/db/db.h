/* db.h — the only SQL interface of ftz.
 *
 * One ftz_db is one connection (one per worker thread; never shared between threads).
 * SQL is written once in the common subset of DESIGN.md §6 with `?` placeholders; the
 * PostgreSQL backend rewrites them to $n (skipping string literals) and sends every
 * parameter with its type OID. Parameters are bound in order, without indexes:
 *
 *     ftz_stmt *st;
 *     if (ftz_db_prepare(db, "SELECT id, name FROM firms WHERE credit_code = ?", &st)) goto fail;
 *     ftz_stmt_bind_text(st, code);
 *     while ((r = ftz_stmt_next(st)) == 1) { … ftz_stmt_int(st, 0) … }
 *     ftz_stmt_done(st);     // always; returns the statement to the cache
 *
 * Writes run inside ftz_db_begin/commit: on SQLite that is BEGIN IMMEDIATE (one writer at a
 * time, no upgrade deadlocks), on PostgreSQL a READ COMMITTED transaction where conflicts are
 * settled by conditional updates (no FOR UPDATE). Text from columns stays valid until the
 * next ftz_stmt_next or ftz_stmt_done on that statement: copy it into an arena to keep it. */
#ifndef FTZ_DB_H
#define FTZ_DB_H

#include "core/ftz_setup.h"
#include "core/err.h"

typedef struct ftz_db ftz_db;
typedef struct ftz_stmt ftz_stmt;
typedef struct ftz_arena ftz_arena;

typedef enum { FTZ_DB_SQLITE = 1, FTZ_DB_PG = 2 } ftz_db_backend;

/* url: "sqlite:PATH" (or a bare path), "postgres://…" / "postgresql://…".
 * On failure writes a reason into errbuf. */
ftz_rc ftz_db_open(const char *url, ftz_db **out, char *errbuf, size_t errlen) FTZ_WUR;
void ftz_db_close(ftz_db *db);
ftz_db_backend ftz_db_kind(const ftz_db *db);
/* The last error's text from the backend (for logs only; never shown to clients). */
const char *ftz_db_errmsg(const ftz_db *db);
/* Whether the server answers (for /readyz). */
bool ftz_db_ping(ftz_db *db);

ftz_rc ftz_db_begin(ftz_db *db) FTZ_WUR;
ftz_rc ftz_db_commit(ftz_db *db) FTZ_WUR;
void ftz_db_rollback(ftz_db *db); /* harmless when no transaction is open */
bool ftz_db_in_txn(const ftz_db *db);

/* Runs SQL with no parameters, possibly several statements (DDL, pragmas). */
ftz_rc ftz_db_exec(ftz_db *db, const char *sql) FTZ_WUR;

/* Prepares (or fetches from the connection's cache) a statement; sql must stay valid for the
 * connection's lifetime (a string literal) — use ftz_db_prepare_tmp for built SQL. */
ftz_rc ftz_db_prepare(ftz_db *db, const char *sql, ftz_stmt **out) FTZ_WUR;
/* The same for SQL built at run time: not cached, finalised by ftz_stmt_done. */
ftz_rc ftz_db_prepare_tmp(ftz_db *db, const char *sql, ftz_stmt **out) FTZ_WUR;

void ftz_stmt_bind_int(ftz_stmt *st, int64_t v);
void ftz_stmt_bind_text(ftz_stmt *st, const char *s); /* NULL binds NULL */
void ftz_stmt_bind_textn(ftz_stmt *st, const char *s, size_t n);
void ftz_stmt_bind_blob(ftz_stmt *st, const void *p, size_t n);
void ftz_stmt_bind_null(ftz_stmt *st);
/* Binds v, or NULL when v == 0 (optional foreign keys). */
void ftz_stmt_bind_id(ftz_stmt *st, int64_t v);

/* 1 = a row is ready, 0 = no more rows, -1 = error (see ftz_stmt_rc). */
int ftz_stmt_next(ftz_stmt *st) FTZ_WUR;
/* Runs a statement that returns no rows we read; FTZ_ECONFLICT on a unique/foreign-key
 * violation. */
ftz_rc ftz_stmt_exec(ftz_stmt *st) FTZ_WUR;
ftz_rc ftz_stmt_rc(const ftz_stmt *st);
/* Rows changed by the last INSERT/UPDATE/DELETE of this statement. */
int64_t ftz_stmt_changes(const ftz_stmt *st);

int ftz_stmt_ncols(const ftz_stmt *st);
bool ftz_stmt_isnull(const ftz_stmt *st, int col);
int64_t ftz_stmt_int(const ftz_stmt *st, int col);      /* 0 for NULL */
const char *ftz_stmt_text(const ftz_stmt *st, int col); /* NULL for NULL */
const void *ftz_stmt_blob(const ftz_stmt *st, int col, size_t *len);
/* Runs an INSERT … RETURNING id with its parameters bound: stores the id (0 on failure),
 * finishes the statement, and answers its rc (FTZ_ECONFLICT on a unique or foreign-key
 * violation, FTZ_EDB otherwise). */
ftz_rc ftz_stmt_insert_id(ftz_stmt *st, int64_t *id) FTZ_WUR;

/* Copies a text column into the arena (NULL stays NULL). */
char *ftz_stmt_dup(const ftz_stmt *st, int col, ftz_arena *a);

void ftz_stmt_done(ftz_stmt *st);

/* Convenience: one statement, its one int64 result (e.g. SELECT count(*)); *out = 0 and
 * FTZ_ENOTFOUND when no row. Parameters: the format "i" int64, "s" text, "n" null. */
ftz_rc ftz_db_scalar(ftz_db *db, int64_t *out, const char *sql, const char *fmt, ...) FTZ_WUR;
/* One statement run for effect with the same parameter format. */
ftz_rc ftz_db_run(ftz_db *db, const char *sql, const char *fmt, ...) FTZ_WUR;

/* ---- query builder for SQL assembled at run time (lists, filters, scopes) ---- */

typedef struct ftz_qparam {
    char type; /* 'i' int, 's' text, 'n' null */
    int64_t i;
    const char *s;
} ftz_qparam;

typedef struct ftz_q {
    ftz_arena *arena;
    char *sql; /* arena string, grown by ftz_q_sql */
    size_t len, cap;
    ftz_qparam *params;
    size_t nparams, capparams;
} ftz_q;

void ftz_q_init(ftz_q *q, ftz_arena *a);
void ftz_q_sql(ftz_q *q, const char *fragment);
void ftz_q_int(ftz_q *q, int64_t v);
void ftz_q_text(ftz_q *q, const char *s);
/* Appends src's SQL and parameters to dst (a shared WHERE clause used by a count and a
 * page query). */
void ftz_q_append(ftz_q *dst, const ftz_q *src);
/* Prepares the built SQL (not cached) and binds every parameter in order. */
ftz_rc ftz_q_prepare(ftz_db *db, const ftz_q *q, ftz_stmt **out) FTZ_WUR;
/* Runs a built query of one integer result (a list's count(*)): *out = 0 when no row. */
ftz_rc ftz_q_scalar(ftz_db *db, const ftz_q *q, int64_t *out) FTZ_WUR;

/* The `?` → `$n` rewrite used by the PostgreSQL backend (exposed for unit tests): returns a
 * heap string (ftz_free) and the number of placeholders. Skips '…' literals, "…" names and
 * -- comments. */
char *ftz_db_rewrite_placeholders(const char *sql, int *nparams);

/* Copies a SQLite database online into path (the backup API: consistent while others
 * write). PostgreSQL databases are backed up with pg_dump (README). */
ftz_rc ftz_db_backup(ftz_db *db, const char *path, char *errbuf, size_t errlen) FTZ_WUR;

/* Current UTC time in the stored form "2026-11-29T19:12:55.123Z" (made in C, never by SQL). */
void ftz_db_now(char out[32]);

#endif
