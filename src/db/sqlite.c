/* sqlite.c — the SQLite backend of db.h (DESIGN.md §6, §8).
 *
 * One connection per worker thread; WAL, busy_timeout, foreign keys on, synchronous=FULL by
 * default (FTZ_SQLITE_SYNC=NORMAL may lower it for throw-away test databases), BEGIN IMMEDIATE
 * for every write transaction so that two writers queue on the lock instead of deadlocking
 * on an upgrade. */
#include "core/ftz_setup.h"
#include "db/db_impl.h"
#include "core/mem.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQLITE_BUSY_MS 10000

static sqlite3 *conn(ftz_db *db)
{
    return db->impl;
}

static ftz_rc map_rc(ftz_db *db, int rc)
{
    sqlite3 *c = conn(db);
    ftz_db_set_error(db, "sqlite: %s", sqlite3_errmsg(c));
    int ext = sqlite3_extended_errcode(c);
    switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
        if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY ||
            ext == SQLITE_CONSTRAINT_FOREIGNKEY)
            return FTZ_ECONFLICT;
        return FTZ_EINVAL;
    case SQLITE_TOOBIG:
        return FTZ_ETOOBIG;
    default:
        return FTZ_EDB;
    }
}

/* Process-wide SQLite settings, once before the first connection: no memory statistics —
 * they take a global mutex on every allocation, which the worker threads then contend for
 * (seen in perf as futex waits under load). */
static void sqlite_global_init(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static ftz_rc sq_open(ftz_db *db, const char *target, char *errbuf, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sqlite_global_init);
    sqlite3 *c = NULL;
    int rc = sqlite3_open_v2(
        target, &c, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot open SQLite database '%s': %s", target,
                 c ? sqlite3_errmsg(c) : sqlite3_errstr(rc));
        sqlite3_close(c);
        return FTZ_EDB;
    }
    db->impl = c;
    sqlite3_busy_timeout(c, SQLITE_BUSY_MS);
    sqlite3_extended_result_codes(c, 1);
    const char *sync = getenv("FTZ_SQLITE_SYNC");
    char pragmas[256];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA synchronous=%s; "
             "PRAGMA mmap_size=268435456;",
             (sync && strcmp(sync, "NORMAL") == 0) ? "NORMAL" : "FULL");
    char *msg = NULL;
    rc = sqlite3_exec(c, pragmas, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "cannot set up SQLite database '%s': %s", target,
                 msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        sqlite3_close(c);
        db->impl = NULL;
        return FTZ_EDB;
    }
    return FTZ_OK;
}

static void sq_close(ftz_db *db)
{
    sqlite3_close(conn(db));
    db->impl = NULL;
}

static ftz_rc sq_exec(ftz_db *db, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(conn(db), sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        ftz_rc r = map_rc(db, rc);
        if (msg) ftz_db_set_error(db, "sqlite: %s", msg);
        sqlite3_free(msg);
        return r;
    }
    return FTZ_OK;
}

static ftz_rc sq_begin(ftz_db *db)
{
    return sq_exec(db, "BEGIN IMMEDIATE");
}

static ftz_rc sq_commit(ftz_db *db)
{
    return sq_exec(db, "COMMIT");
}

static void sq_rollback(ftz_db *db)
{
    if (!sqlite3_get_autocommit(conn(db))) {
        char *msg = NULL;
        sqlite3_exec(conn(db), "ROLLBACK", NULL, NULL, &msg);
        sqlite3_free(msg);
    }
}

static bool sq_ping(ftz_db *db)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(conn(db), "SELECT 1", -1, &st, NULL) != SQLITE_OK) return false;
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return ok;
}

static ftz_rc sq_prepare(ftz_db *db, ftz_stmt *st)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v3(conn(db), st->sql, -1, st->cached ? SQLITE_PREPARE_PERSISTENT : 0,
                                &s, NULL);
    if (rc != SQLITE_OK) return map_rc(db, rc);
    st->impl = s;
    return FTZ_OK;
}

static void sq_finalize(ftz_stmt *st)
{
    sqlite3_finalize(st->impl);
    st->impl = NULL;
}

static int sq_next(ftz_stmt *st)
{
    sqlite3_stmt *s = st->impl;
    if (!st->started) {
        int np = sqlite3_bind_parameter_count(s);
        if (np != st->nparams) {
            ftz_db_set_error(st->db, "statement wants %d parameters, %d bound: %s", np, st->nparams,
                             st->sql);
            st->rc = FTZ_EINTERNAL;
            return -1;
        }
        for (int i = 0; i < st->nparams; i++) {
            ftz_dbparam *p = &st->params[i];
            int rc;
            switch (p->type) {
            case 'i':
                rc = sqlite3_bind_int64(s, i + 1, p->i);
                break;
            case 's':
                rc = sqlite3_bind_text(s, i + 1, p->p, (int)p->n, SQLITE_STATIC);
                break;
            case 'b':
                rc = sqlite3_bind_blob(s, i + 1, p->p, (int)p->n, SQLITE_STATIC);
                break;
            default:
                rc = sqlite3_bind_null(s, i + 1);
            }
            if (rc != SQLITE_OK) {
                st->rc = map_rc(st->db, rc);
                return -1;
            }
        }
    } else if (!sqlite3_stmt_busy(s)) {
        return 0; /* ran to completion: stepping again would run it again */
    }
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) {
        st->changes = sqlite3_changes64(conn(st->db));
        return 0;
    }
    st->rc = map_rc(st->db, rc);
    return -1;
}

static void sq_reset(ftz_stmt *st)
{
    if (!st->impl) return; /* empty SQL prepares to no statement */
    sqlite3_reset(st->impl);
    sqlite3_clear_bindings(st->impl);
}

static bool sq_isnull(const ftz_stmt *st, int col)
{
    return sqlite3_column_type(st->impl, col) == SQLITE_NULL;
}

static int64_t sq_int(const ftz_stmt *st, int col)
{
    return sqlite3_column_int64(st->impl, col);
}

static const char *sq_text(const ftz_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st->impl, col);
}

static const void *sq_blob(const ftz_stmt *st, int col, size_t *len)
{
    const void *p = sqlite3_column_blob(st->impl, col);
    *len = (size_t)sqlite3_column_bytes(st->impl, col);
    return p;
}

static int sq_ncols(const ftz_stmt *st)
{
    return sqlite3_column_count(st->impl);
}

const ftz_db_ops ftz_db_sqlite_ops = {
    .open = sq_open,
    .close = sq_close,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .ping = sq_ping,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .next = sq_next,
    .reset = sq_reset,
    .isnull = sq_isnull,
    .col_int = sq_int,
    .col_text = sq_text,
    .col_blob = sq_blob,
    .ncols = sq_ncols,
};

ftz_rc ftz_db_sqlite_backup(ftz_db *db, const char *path, char *errbuf, size_t errlen)
{
    sqlite3 *dst = NULL;
    int rc = sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(errbuf, errlen, "%s: %s", path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        sqlite3_close(dst);
        return FTZ_EIO;
    }
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", conn(db), "main");
    if (!b) {
        snprintf(errbuf, errlen, "%s: %s", path, sqlite3_errmsg(dst));
        sqlite3_close(dst);
        return FTZ_EIO;
    }
    /* Copy in steps so writers are not held off for the whole copy; a write in between
     * restarts the copy, which ends consistent. */
    do {
        rc = sqlite3_backup_step(b, 256);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
    } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
    sqlite3_backup_finish(b);
    ftz_rc out = FTZ_OK;
    if (rc != SQLITE_DONE) {
        snprintf(errbuf, errlen, "%s: %s", path, sqlite3_errmsg(dst));
        out = FTZ_EIO;
    }
    sqlite3_close(dst);
    return out;
}
