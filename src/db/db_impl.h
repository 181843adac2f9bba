/* db_impl.h — the contract between db.c (the public API) and a backend (sqlite.c, pg.c).
 * Nothing outside src/db includes this file. */
#ifndef FTZ_DB_IMPL_H
#define FTZ_DB_IMPL_H

#include "db/db.h"

typedef struct ftz_db_ops {
    ftz_rc (*open)(ftz_db *db, const char *target, char *errbuf, size_t errlen);
    void (*close)(ftz_db *db);
    ftz_rc (*exec)(ftz_db *db, const char *sql);
    ftz_rc (*begin)(ftz_db *db);
    ftz_rc (*commit)(ftz_db *db);
    void (*rollback)(ftz_db *db);
    bool (*ping)(ftz_db *db);
    /* Statement life: prepare fills st->impl; bind values live in st->params until run. */
    ftz_rc (*prepare)(ftz_db *db, ftz_stmt *st);
    void (*finalize)(ftz_stmt *st);
    /* Runs (on first call, with the bound params) or advances: 1 row, 0 done, -1 error. */
    int (*next)(ftz_stmt *st);
    /* Makes the statement ready to be bound and run again. */
    void (*reset)(ftz_stmt *st);
    bool (*isnull)(const ftz_stmt *st, int col);
    int64_t (*col_int)(const ftz_stmt *st, int col);
    const char *(*col_text)(const ftz_stmt *st, int col);
    const void *(*col_blob)(const ftz_stmt *st, int col, size_t *len);
    int (*ncols)(const ftz_stmt *st);
} ftz_db_ops;

/* A bound parameter, kept by db.c until the backend runs the statement. Text and blobs are
 * copied (heap, freed at reset) so callers may bind temporaries. */
typedef struct ftz_dbparam {
    char type; /* 'i' int64, 's' text, 'b' blob, 'n' null */
    int64_t i;
    char *p; /* text (NUL-terminated) or blob bytes */
    size_t n;
} ftz_dbparam;

#define FTZ_DB_MAXPARAMS  64
#define FTZ_DB_STMT_CACHE 128
#define FTZ_DB_TEXT_CACHE 32

struct ftz_stmt {
    ftz_db *db;
    const char *sql; /* cached: the caller's literal; tmp: heap copy */
    bool cached;
    bool started;     /* next() has run the statement */
    bool in_use;      /* handed out by ftz_db_prepare, ftz_stmt_done not yet called */
    bool text_cached; /* built SQL kept in the text cache (ftz_q_prepare); sql is a heap copy */
    ftz_rc rc;
    int64_t changes;
    int nparams;
    ftz_dbparam params[FTZ_DB_MAXPARAMS];
    void *impl; /* backend statement (sqlite3_stmt*, pg state) */
    struct ftz_stmt *next_cached;
};

struct ftz_db {
    const ftz_db_ops *ops;
    ftz_db_backend kind;
    void *impl; /* sqlite3* or PGconn* */
    bool in_txn;
    char errmsg[512];
    ftz_stmt *cache[FTZ_DB_STMT_CACHE];  /* open hashing on the sql pointer */
    ftz_stmt *tcache[FTZ_DB_TEXT_CACHE]; /* built SQL by text (ftz_q_prepare), round robin */
    size_t tnext;
};

extern const ftz_db_ops ftz_db_sqlite_ops;
extern const ftz_db_ops ftz_db_pg_ops;

ftz_rc ftz_db_sqlite_backup(ftz_db *db, const char *path, char *errbuf, size_t errlen);

/* Backends record their error text here. */
void ftz_db_set_error(ftz_db *db, const char *fmt, ...) FTZ_PRINTF(2, 3);

#endif
