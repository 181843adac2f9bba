/* pg.c — the PostgreSQL backend of db.h (DESIGN.md §6, §8), on libpq.
 *
 * One connection per worker thread, like SQLite; everything lives in the ftz_db (its PGconn)
 * and in each ftz_stmt (a pg_stmt), nothing in the process. The session is pinned to
 * client_encoding UTF8, TimeZone UTC and standard_conforming_strings on, so that the SQL of
 * the common subset means the same thing on both backends, and JIT compilation off (short
 * queries only: compiling cost more than it saved).
 *
 * Statements: prepare only rewrites `?` to `$n` (db.c); the first ftz_stmt_next sends the SQL
 * with its parameters through PQexecParams, every parameter carrying its type OID (int8, text,
 * bytea in binary; a NULL goes as `unknown` so PostgreSQL infers it from its place, which is
 * what makes `COALESCE(?, x)` work). The unnamed statement is parsed and planned on each run:
 * no server-side prepared statements means nothing to invalidate after a reconnect or a
 * migration, and a plan always fitted to the values. Results come back whole and in text
 * (bytea as hex, decoded on demand), so an outer loop may run other statements on the same
 * connection while it iterates — the price is that a result set is held in memory: list
 * queries page (LIMIT) as they must anyway.
 *
 * Errors map to ftz_rc by SQLSTATE: unique/foreign-key/exclusion violations and
 * serialization failures or deadlocks (a caller may retry) → FTZ_ECONFLICT; not-null and
 * check violations, a value too long or out of range → FTZ_EINVAL; everything else,
 * connection loss included, → FTZ_EDB.
 * Unlike SQLite, any error inside a transaction aborts it on PostgreSQL: the only thing left
 * to do is roll back (a COMMIT then fails instead of silently rolling back).
 *
 * A connection found broken is re-established (PQreset, then the session settings again)
 * before the next statement that runs outside a transaction, and by ftz_db_ping; inside a
 * transaction the statement fails, since the transaction is lost with the connection. */
#include "core/ftz_setup.h"
#include "db/db_impl.h"
#include "core/log.h"
#include "core/mem.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs of the parameters we send (catalog/pg_type_d.h is a server header). */
#define PG_OID_UNKNOWN 0
#define PG_OID_BYTEA   17
#define PG_OID_INT8    20
#define PG_OID_TEXT    25

#define PG_CONNECT_TIMEOUT "10"   /* seconds; a URL may set its own connect_timeout */
#define PG_MIN_SERVER      100000 /* identity columns ({{ID}}) need PostgreSQL 10 */

/* One bytea column decoded for the current row. */
typedef struct pg_bytes {
    unsigned char *p; /* PQunescapeBytea's (PQfreemem); NULL = not decoded yet */
    size_t n;
} pg_bytes;

/* The backend state of one ftz_stmt (st->impl). */
typedef struct pg_stmt {
    char *sql;       /* the SQL with $n placeholders (ftz_free) */
    int nph;         /* placeholders in sql */
    PGresult *res;   /* the result of the run; NULL before running and after reset */
    int row;         /* the current row; -1 before the first */
    int nrows;       /* rows in res */
    pg_bytes *blobs; /* per column of res, allocated at the first bytea read */
    int nblobs;
} pg_stmt;

static PGconn *conn(const ftz_db *db)
{
    return db->impl;
}

/* Server notices (a WARNING, a NOTICE from DDL) go to the debug log instead of libpq's
 * default of stderr. */
static void pg_notice(void *arg, const char *message)
{
    FTZ_UNUSED(arg);
    size_t n = strlen(message);
    while (n && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    ftz_log_debug("postgres: %.*s", (int)n, message);
}

/* Copies a libpq message into out on one line (libpq ends lines with \n and indents with
 * tabs) without the trailing newline. */
static void one_line(char *out, size_t outlen, const char *msg)
{
    size_t o = 0;
    bool space = false;
    for (const char *p = msg ? msg : ""; *p && o + 1 < outlen; p++) {
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == ' ') {
            space = o > 0;
            continue;
        }
        if (space && o + 2 < outlen) out[o++] = ' ';
        space = false;
        out[o++] = *p;
    }
    out[o] = '\0';
}

/* ---- errors ---- */

static ftz_rc map_sqlstate(const char *state)
{
    if (!state || strlen(state) != 5) return FTZ_EDB; /* client side: connection lost, … */
    static const struct {
        const char *state;
        ftz_rc rc;
    } map[] = {
        {"23505", FTZ_ECONFLICT}, /* unique_violation */
        {"23503", FTZ_ECONFLICT}, /* foreign_key_violation */
        {"23001", FTZ_ECONFLICT}, /* restrict_violation (a foreign key, ON DELETE RESTRICT) */
        {"23P01", FTZ_ECONFLICT}, /* exclusion_violation */
        {"40001", FTZ_ECONFLICT}, /* serialization_failure: the caller may retry */
        {"40P01", FTZ_ECONFLICT}, /* deadlock_detected: likewise */
        {"23502", FTZ_EINVAL},    /* not_null_violation */
        {"23514", FTZ_EINVAL},    /* check_violation */
        /* A value the caller sent is too long or too large for its column or arithmetic.
         * The rest of class 22 (22P02 a literal of the wrong type, 22012 division by zero)
         * means the SQL is wrong, since every parameter arrives typed: FTZ_EDB. */
        {"22001", FTZ_EINVAL},  /* string_data_right_truncation */
        {"22003", FTZ_EINVAL},  /* numeric_value_out_of_range */
        {"54000", FTZ_ETOOBIG}, /* program_limit_exceeded (e.g. an index row too big) */
    };
    for (size_t i = 0; i < FTZ_COUNTOF(map); i++)
        if (strcmp(state, map[i].state) == 0) return map[i].rc;
    return FTZ_EDB;
}

/* Records the error of res (or of the connection when res carries none) and maps it. */
static ftz_rc result_error(ftz_db *db, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
    char msg[400];
    if (primary) {
        one_line(msg, sizeof msg, primary);
    } else {
        const char *m = res ? PQresultErrorMessage(res) : NULL;
        one_line(msg, sizeof msg, (m && *m) ? m : PQerrorMessage(conn(db)));
    }
    if (!msg[0])
        snprintf(msg, sizeof msg, "unknown error (status %s)",
                 res ? PQresStatus(PQresultStatus(res)) : "no result");
    char det[200] = "";
    if (detail) one_line(det, sizeof det, detail);
    ftz_db_set_error(db, "postgres%s%s%s: %s%s%s", state ? " [" : "", state ? state : "",
                     state ? "]" : "", msg, det[0] ? " — " : "", det);
    return map_sqlstate(state);
}

/* ---- connection ---- */

/* Applies the session settings the common subset relies on (again after every PQreset). */
static bool session_setup(PGconn *c, char *err, size_t errlen)
{
    if (PQserverVersion(c) < PG_MIN_SERVER) {
        snprintf(err, errlen, "PostgreSQL %d is too old: ftz needs 10 or newer",
                 PQserverVersion(c) / 10000);
        return false;
    }
    PGresult *r = PQexec(c, "SET TimeZone = 'UTC'; SET standard_conforming_strings = on; "
                            "SET bytea_output = 'hex'");
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
    if (!ok) {
        char m[300];
        one_line(m, sizeof m, PQresultErrorMessage(r));
        snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", m);
    }
    PQclear(r);
    if (!ok) return false;
    /* JIT compilation (PostgreSQL 11+, on by default from 12) pays off for long analytic
     * queries, not for ours: a demand list whose estimated cost crossed jit_above_cost spent
     * 40 ms compiling for 5 ms of work. */
    if (PQserverVersion(c) >= 110000) {
        r = PQexec(c, "SET jit = off");
        ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok) {
            char m[300];
            one_line(m, sizeof m, PQresultErrorMessage(r));
            snprintf(err, errlen, "cannot set up the PostgreSQL session: %s", m);
        }
        PQclear(r);
        if (!ok) return false;
    }
    const char *enc = PQparameterStatus(c, "client_encoding");
    if (!enc || strcmp(enc, "UTF8") != 0) {
        snprintf(err, errlen, "PostgreSQL client_encoding is %s, not UTF8", enc ? enc : "unknown");
        return false;
    }
    return true;
}

/* Re-establishes a broken connection; false (and the reason recorded) if it stays down. */
static bool reconnect(ftz_db *db)
{
    PGconn *c = conn(db);
    PQreset(c);
    if (PQstatus(c) != CONNECTION_OK) {
        char m[300];
        one_line(m, sizeof m, PQerrorMessage(c));
        ftz_db_set_error(db, "postgres: reconnect failed: %s", m);
        return false;
    }
    char err[400];
    if (!session_setup(c, err, sizeof err)) {
        ftz_db_set_error(db, "postgres: %s", err);
        return false;
    }
    ftz_log_warn("postgres: connection lost; reconnected to %s:%s", PQhost(c), PQport(c));
    return true;
}

/* Before a statement: a connection known to be broken is re-established when no
 * transaction is open (nothing is lost then); inside one, the statement fails on its own. */
static void ensure_conn(ftz_db *db)
{
    if (PQstatus(conn(db)) == CONNECTION_BAD && !db->in_txn) (void)reconnect(db);
}

/* Overwrites every occurrence of secret[0..n) in msg with '*'. */
static void scrub(char *msg, const char *secret, size_t n)
{
    if (!secret || n == 0) return;
    char *s = ftz_strndup(secret, n);
    for (char *p = msg; (p = strstr(p, s)) != NULL; p += n)
        memset(p, '*', n);
    ftz_free(s);
}

/* Removes the URL's password from msg: as libpq decoded it, as written in the user-info
 * part (postgresql://user:PASSWORD@host) and as written in a password=… query parameter. */
static void scrub_password(char *msg, const char *url)
{
    char *perr = NULL;
    PQconninfoOption *opts = PQconninfoParse(url, &perr);
    if (opts) {
        for (PQconninfoOption *o = opts; o->keyword; o++)
            if (strcmp(o->keyword, "password") == 0 && o->val) scrub(msg, o->val, strlen(o->val));
        PQconninfoFree(opts);
    }
    if (perr) PQfreemem(perr);
    const char *p = strstr(url, "://");
    if (p) {
        p += 3;
        size_t span = strcspn(p, "@/"); /* libpq's rule: user info ends at '@' before any '/' */
        if (p[span] == '@') {
            const char *colon = memchr(p, ':', span);
            if (colon) scrub(msg, colon + 1, (size_t)(p + span - colon - 1));
        }
    }
    for (const char *q = strchr(url, '?'); q; q = strchr(q + 1, '&')) {
        if (strncmp(q + 1, "password=", 9) == 0) scrub(msg, q + 10, strcspn(q + 10, "&#"));
    }
}

static ftz_rc pg_open(ftz_db *db, const char *target, char *errbuf, size_t errlen)
{
    /* Entries before dbname (the URL, expanded) are defaults the URL may override; the one
     * after it is imposed. */
    const char *const keys[] = {"connect_timeout", "fallback_application_name", "dbname",
                                "client_encoding", NULL};
    const char *const vals[] = {PG_CONNECT_TIMEOUT, "ftz", target, "UTF8", NULL};
    PGconn *c = PQconnectdbParams(keys, vals, 1);
    if (!c) {
        snprintf(errbuf, errlen, "cannot connect to PostgreSQL: out of memory");
        return FTZ_EDB;
    }
    if (PQstatus(c) != CONNECTION_OK) {
        /* Scrubbed whole, before any cut: a URL parse error quotes the URL. */
        char *full = ftz_strdup(PQerrorMessage(c));
        scrub_password(full, target);
        char m[400];
        one_line(m, sizeof m, full);
        ftz_free(full);
        const char *host = PQhost(c), *port = PQport(c), *dbname = PQdb(c), *user = PQuser(c);
        if (!host || !*host) /* the URL itself did not parse */
            snprintf(errbuf, errlen, "bad PostgreSQL URL: %s", m);
        else
            snprintf(errbuf, errlen,
                     "cannot connect to PostgreSQL (host %s, port %s, database %s, user %s): %s",
                     host, port ? port : "", dbname ? dbname : "", user ? user : "", m);
        scrub_password(errbuf, target);
        PQfinish(c);
        return FTZ_EDB;
    }
    PQsetNoticeProcessor(c, pg_notice, NULL);
    if (!session_setup(c, errbuf, errlen)) {
        scrub_password(errbuf, target);
        PQfinish(c);
        return FTZ_EDB;
    }
    db->impl = c;
    return FTZ_OK;
}

static void pg_close(ftz_db *db)
{
    PQfinish(conn(db));
    db->impl = NULL;
}

/* A result in a COPY state would leave the connection busy: end the copy, drain, and say
 * why the statement failed. False when status is not a COPY state. */
static bool abandon_copy(ftz_db *db, ExecStatusType status)
{
    PGconn *c = conn(db);
    if (status == PGRES_COPY_IN) {
        (void)PQputCopyEnd(c, "COPY is not supported through db.h");
    } else if (status == PGRES_COPY_OUT) {
        char *buf;
        while (PQgetCopyData(c, &buf, 0) > 0)
            PQfreemem(buf);
    } else if (status != PGRES_COPY_BOTH) {
        return false;
    }
    PGresult *r;
    while ((r = PQgetResult(c)) != NULL)
        PQclear(r);
    ftz_db_set_error(db, "postgres: COPY is not supported through db.h");
    return true;
}

static ftz_rc pg_exec(ftz_db *db, const char *sql)
{
    ensure_conn(db);
    PGresult *r = PQexec(conn(db), sql);
    ExecStatusType s = PQresultStatus(r);
    ftz_rc rc = FTZ_OK;
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
        rc = abandon_copy(db, s) ? FTZ_EDB : result_error(db, r);
        if (!rc) {
            ftz_db_set_error(db, "postgres: unexpected result %s", PQresStatus(s));
            rc = FTZ_EDB;
        }
    }
    PQclear(r);
    return rc;
}

static ftz_rc pg_begin(ftz_db *db)
{
    /* Explicit, so that a server's default_transaction_isolation cannot change what the
     * conditional updates of the services rely on. */
    return pg_exec(db, "BEGIN ISOLATION LEVEL READ COMMITTED");
}

static ftz_rc pg_commit(ftz_db *db)
{
    PGresult *r = PQexec(conn(db), "COMMIT");
    ftz_rc rc = FTZ_OK;
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        rc = result_error(db, r);
        if (!rc) rc = FTZ_EDB;
    } else if (strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        /* COMMIT of a transaction that an earlier error aborted answers "ROLLBACK". */
        ftz_db_set_error(db, "postgres: the transaction was aborted by an earlier error and "
                             "has been rolled back");
        rc = FTZ_EDB;
    }
    PQclear(r);
    return rc;
}

static void pg_rollback(ftz_db *db)
{
    PGTransactionStatusType ts = PQtransactionStatus(conn(db));
    if (ts != PQTRANS_INTRANS && ts != PQTRANS_INERROR) return;
    PQclear(PQexec(conn(db), "ROLLBACK"));
}

static bool select1(PGconn *c)
{
    PGresult *r = PQexec(c, "SELECT 1");
    bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
    PQclear(r);
    return ok;
}

static bool pg_ping(ftz_db *db)
{
    PGconn *c = conn(db);
    if (PQstatus(c) == CONNECTION_OK && select1(c)) return true;
    /* A failed SELECT 1 marks a lost connection CONNECTION_BAD: reset it once. */
    if (PQstatus(c) != CONNECTION_BAD || db->in_txn) return false;
    return reconnect(db) && select1(c);
}

/* ---- statements ---- */

static ftz_rc pg_prepare(ftz_db *db, ftz_stmt *st)
{
    FTZ_UNUSED(db);
    pg_stmt *s = ftz_calloc(1, sizeof(*s));
    s->sql = ftz_db_rewrite_placeholders(st->sql, &s->nph);
    s->row = -1;
    st->impl = s;
    return FTZ_OK;
}

static void blobs_clear(pg_stmt *s)
{
    for (int i = 0; i < s->nblobs; i++) {
        if (s->blobs[i].p) PQfreemem(s->blobs[i].p);
        s->blobs[i].p = NULL;
        s->blobs[i].n = 0;
    }
}

static void pg_reset(ftz_stmt *st)
{
    pg_stmt *s = st->impl;
    blobs_clear(s);
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = 0;
}

static void pg_finalize(ftz_stmt *st)
{
    pg_stmt *s = st->impl;
    if (!s) return;
    pg_reset(st);
    ftz_free(s->blobs);
    ftz_free(s->sql);
    ftz_free(s);
    st->impl = NULL;
}

/* Rows changed, from the command tag ("" for commands without a count). */
static int64_t cmd_tuples(PGresult *r)
{
    const char *t = PQcmdTuples(r);
    if (!t || !*t) return 0;
    errno = 0;
    char *end;
    long long v = strtoll(t, &end, 10);
    if (errno || end == t || *end || v < 0) return 0;
    return (int64_t)v;
}

/* Sends the statement with its bound parameters and keeps the result. */
static ftz_rc run(ftz_stmt *st)
{
    ftz_db *db = st->db;
    pg_stmt *s = st->impl;
    if (st->nparams != s->nph) {
        ftz_db_set_error(db, "statement wants %d parameters, %d bound: %s", s->nph, st->nparams,
                         st->sql);
        return FTZ_EINTERNAL;
    }
    const char *values[FTZ_DB_MAXPARAMS];
    int lengths[FTZ_DB_MAXPARAMS];
    int formats[FTZ_DB_MAXPARAMS];
    Oid types[FTZ_DB_MAXPARAMS];
    char ints[FTZ_DB_MAXPARAMS][24];
    for (int i = 0; i < st->nparams; i++) {
        const ftz_dbparam *p = &st->params[i];
        lengths[i] = 0;
        formats[i] = 0;
        switch (p->type) {
        case 'i':
            snprintf(ints[i], sizeof ints[i], "%" PRId64, p->i);
            values[i] = ints[i];
            types[i] = PG_OID_INT8;
            break;
        case 's':
            /* Text goes NUL-terminated: refuse what PostgreSQL would silently cut short
             * (text cannot hold a NUL byte there anyway). */
            if (memchr(p->p, '\0', p->n)) {
                ftz_db_set_error(db, "text parameter %d contains a NUL byte", i + 1);
                return FTZ_EINVAL;
            }
            values[i] = p->p;
            types[i] = PG_OID_TEXT;
            break;
        case 'b':
            if (p->n > (size_t)INT_MAX) {
                ftz_db_set_error(db, "blob parameter %d is too large (%zu bytes)", i + 1, p->n);
                return FTZ_ETOOBIG;
            }
            values[i] = p->p;
            lengths[i] = (int)p->n;
            formats[i] = 1;
            types[i] = PG_OID_BYTEA;
            break;
        default:
            values[i] = NULL;
            types[i] = PG_OID_UNKNOWN; /* inferred from its place: COALESCE(?, x), col = ? */
        }
    }
    ensure_conn(db);
    PGconn *c = conn(db);
    PGresult *r = PQexecParams(c, s->sql, st->nparams, types, values, lengths, formats, 0);
    ExecStatusType status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK) {
        s->res = r;
        s->nrows = PQntuples(r);
        s->row = -1;
        st->changes = cmd_tuples(r);
        return FTZ_OK;
    }
    ftz_rc rc;
    if (status == PGRES_EMPTY_QUERY) {
        ftz_db_set_error(db, "postgres: empty statement");
        rc = FTZ_EDB;
    } else {
        rc = abandon_copy(db, status) ? FTZ_EDB : result_error(db, r);
        if (!rc) {
            ftz_db_set_error(db, "postgres: unexpected result %s", PQresStatus(status));
            rc = FTZ_EDB;
        }
    }
    PQclear(r);
    return rc;
}

static int pg_next(ftz_stmt *st)
{
    pg_stmt *s = st->impl;
    if (!st->started) {
        ftz_rc rc = run(st);
        if (rc) {
            st->rc = rc;
            return -1;
        }
    }
    blobs_clear(s);
    if (!s->res || s->row + 1 >= s->nrows) {
        s->row = s->nrows;
        return 0;
    }
    s->row++;
    return 1;
}

/* The current row's value of col, or NULL for SQL NULL, no row or no such column. */
static const char *cell(const pg_stmt *s, int col)
{
    if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res))
        return NULL;
    if (PQgetisnull(s->res, s->row, col)) return NULL;
    return PQgetvalue(s->res, s->row, col);
}

static bool pg_isnull(const ftz_stmt *st, int col)
{
    return cell(st->impl, col) == NULL;
}

/* Integers arrive as text. Besides int2/4/8 this reads what SQLite would give as an
 * integer: a boolean (t/f → 1/0) and a numeric such as SUM(bigint) or "12.50" (truncated
 * toward zero). Anything else reads 0 and an out-of-range value saturates; both are noted in
 * the connection's error text. */
static int64_t pg_int(const ftz_stmt *st, int col)
{
    const char *v = cell(st->impl, col);
    if (!v) return 0;
    if ((v[0] == 't' || v[0] == 'f') && v[1] == '\0') return v[0] == 't';
    errno = 0;
    char *end;
    long long x = strtoll(v, &end, 10);
    if (end == v || !(isdigit((unsigned char)v[0]) || v[0] == '-')) goto bad;
    if (errno == ERANGE) {
        ftz_db_set_error(st->db, "postgres: column %d value %.40s is out of the int64 range", col,
                         v);
        return (int64_t)x;
    }
    if (*end == '.') {
        const char *q = end + 1;
        while (isdigit((unsigned char)*q))
            q++;
        if (q > end + 1 && *q == '\0') return (int64_t)x;
        goto bad;
    }
    if (*end == '\0') return (int64_t)x;
bad:
    ftz_db_set_error(st->db, "postgres: column %d value '%.40s' is not an integer", col, v);
    return 0;
}

static const char *pg_text(const ftz_stmt *st, int col)
{
    return cell(st->impl, col);
}

static const void *pg_blob(const ftz_stmt *st, int col, size_t *len)
{
    pg_stmt *s = st->impl;
    *len = 0;
    const char *v = cell(s, col);
    if (!v) return NULL;
    if (PQftype(s->res, col) != PG_OID_BYTEA) {
        /* A text column read as bytes, as SQLite allows. */
        *len = (size_t)PQgetlength(s->res, s->row, col);
        return v;
    }
    if (!s->blobs) {
        s->nblobs = PQnfields(s->res);
        s->blobs = ftz_calloc((size_t)s->nblobs, sizeof(*s->blobs));
    }
    pg_bytes *b = &s->blobs[col];
    if (!b->p) {
        size_t n = 0;
        b->p = PQunescapeBytea((const unsigned char *)v, &n);
        if (!b->p) {
            /* Its only failure is out of memory: abort as mem.c does. */
            ftz_log_error("postgres: out of memory decoding a bytea column");
            abort();
        }
        b->n = n;
    }
    *len = b->n;
    return b->p;
}

static int pg_ncols(const ftz_stmt *st)
{
    const pg_stmt *s = st->impl;
    return s->res ? PQnfields(s->res) : 0;
}

const ftz_db_ops ftz_db_pg_ops = {
    .open = pg_open,
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .ping = pg_ping,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .next = pg_next,
    .reset = pg_reset,
    .isnull = pg_isnull,
    .col_int = pg_int,
    .col_text = pg_text,
    .col_blob = pg_blob,
    .ncols = pg_ncols,
};
