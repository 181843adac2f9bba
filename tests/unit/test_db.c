/* test_db.c — unit tests of db.h: the `?` → `$n` rewrite, then one behavioural suite run
 * against both backends — SQLite on a temp file, and PostgreSQL when FTZ_TEST_PG_URL names a
 * database (those cases are skipped otherwise):
 *
 *   dir=$(mktemp -d /tmp/ftzpg.XXXXXX); scripts/pg-test-server.sh start $dir
 *   FTZ_TEST_PG_URL=$(scripts/pg-test-server.sh createdb $dir test_db) build/test_db
 *   scripts/pg-test-server.sh stop $dir
 *
 * The suite drops and recreates its own tables, so it needs a database of its own. */
#include "core/ftz_setup.h"
#include "db/db.h"
#include "core/arena.h"
#include "core/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* ---- the placeholder rewrite ---- */

static void test_rewrite_cases(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
        int n;
    } cases[] = {
        {"", "", 0},
        {"SELECT 1", "SELECT 1", 0},
        {"SELECT ?", "SELECT $1", 1},
        {"a = ? AND b = ?", "a = $1 AND b = $2", 2},
        {"?,?", "$1,$2", 2},
        {"x = '?' AND y = ?", "x = '?' AND y = $1", 1},
        {"x = 'it''s ?' AND y = ?", "x = 'it''s ?' AND y = $1", 1},
        {"x = '''?''' AND y = ?", "x = '''?''' AND y = $1", 1},
        {"x = '' AND y = ?", "x = '' AND y = $1", 1},
        {"\"we?rd\" = ?", "\"we?rd\" = $1", 1},
        {"\"a\"\"?\" = ?", "\"a\"\"?\" = $1", 1},
        {"SELECT ? -- why?\n, ?", "SELECT $1 -- why?\n, $2", 2},
        {"-- only a comment?", "-- only a comment?", 0},
        {"SELECT 5-? - ?", "SELECT 5-$1 - $2", 2},
        {"x LIKE ? ESCAPE '\\'", "x LIKE $1 ESCAPE '\\'", 1},
        {"'unterminated ?", "'unterminated ?", 0},
        {"\"unterminated ?", "\"unterminated ?", 0},
        {"a = '黑河?' AND b = ?", "a = '黑河?' AND b = $1", 1},
        {"?,?,?,?,?,?,?,?,?,?,?", "$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11", 11},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int n = -1;
        char *out = ftz_db_rewrite_placeholders(cases[i].in, &n);
        assert_string_equal(out, cases[i].out);
        assert_int_equal(n, cases[i].n);
        ftz_free(out);
    }
    /* nparams is optional. */
    char *out = ftz_db_rewrite_placeholders("?", NULL);
    assert_string_equal(out, "$1");
    ftz_free(out);
}

static void test_rewrite_many(void **state)
{
    (void)state;
    char sql[1001];
    memset(sql, '?', 1000);
    sql[1000] = '\0';
    int n = 0;
    char *out = ftz_db_rewrite_placeholders(sql, &n);
    assert_int_equal(n, 1000);
    assert_int_equal(strncmp(out, "$1$2$3", 6), 0);
    size_t len = strlen(out);
    assert_true(len > 5);
    assert_string_equal(out + len - 5, "$1000");
    ftz_free(out);
}

/* ---- opening ---- */

static void test_open_errors(void **state)
{
    (void)state;
    char err[512];
    ftz_db *db = (ftz_db *)1;

    assert_int_equal(ftz_db_open("mysql://x/y", &db, err, sizeof err), FTZ_EINVAL);
    assert_null(db);
    assert_non_null(strstr(err, "scheme"));

    err[0] = '\0';
    assert_int_equal(ftz_db_open("sqlite:/nonexistent-ftz-dir/a/b.db", &db, err, sizeof err),
                     FTZ_EDB);
    assert_null(db);
    assert_non_null(strstr(err, "/nonexistent-ftz-dir/a/b.db"));

    /* A refused or malformed PostgreSQL URL: a reason, never the password. */
    static const struct {
        const char *url;
        const char *secret[2];
        const char *mention;
    } pg[] = {
        {"postgresql://ftzuser:S3cretPw9@127.0.0.1:1/nodb", {"S3cretPw9", NULL}, "127.0.0.1"},
        {"postgres://ftzuser:S3cret%41Pw@127.0.0.1:1/nodb", {"S3cret%41Pw", "S3cretAPw"}, "nodb"},
        {"postgresql://ftzuser@127.0.0.1:1/nodb?password=S3cretPw9&connect_timeout=5",
         {"S3cretPw9", NULL},
         "ftzuser"},
        {"postgresql://ftzuser:S3cretPw9@[::1/nodb", {"S3cretPw9", NULL}, "PostgreSQL"},
        {"postgresql://ftzuser:S3cret%zzPw@127.0.0.1:1/nodb", {"S3cret%zzPw", NULL}, "PostgreSQL"},
        {"postgresql://ftzuser:S3cretPw9@127.0.0.1:1/nodb?bogus=S3cretPw9",
         {"S3cretPw9", NULL},
         "PostgreSQL"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(pg); i++) {
        err[0] = '\0';
        db = (ftz_db *)1;
        assert_int_equal(ftz_db_open(pg[i].url, &db, err, sizeof err), FTZ_EDB);
        assert_null(db);
        assert_true(strlen(err) > 10);
        for (int k = 0; k < 2; k++)
            if (pg[i].secret[k]) assert_null(strstr(err, pg[i].secret[k]));
        if (!strstr(err, pg[i].mention))
            fail_msg("case %zu: '%s' lacks '%s'", i, err, pg[i].mention);
    }
    /* A parse error quotes the whole URL: no part of the password survives where the message
     * is cut, wherever the cut falls. */
    for (size_t pad = 200; pad < 600; pad += 7) {
        char url[700];
        int n = snprintf(url, sizeof url, "postgresql://");
        memset(url + n, 'u', pad);
        snprintf(url + n + pad, sizeof url - (size_t)n - pad, ":S3cretPw9@[::1/nodb");
        assert_int_equal(ftz_db_open(url, &db, err, sizeof err), FTZ_EDB);
        if (strstr(err, "S3c")) fail_msg("pad %zu: '%s'", pad, err);
    }
}

/* ---- the behavioural suite, per backend ---- */

typedef struct env {
    ftz_db_backend kind;
    ftz_db *db;    /* NULL: backend not available, the test skips */
    char path[64]; /* SQLite: the temp file */
    char url[512]; /* the URL opened */
} env;

static env env_sqlite = {.kind = FTZ_DB_SQLITE};
static env env_pg = {.kind = FTZ_DB_PG};

/* The schema, with {{ID}} and {{BLOB}} expanded by hand per backend as migrate.c does. */
static const char *const schema_sqlite =
    "DROP TABLE IF EXISTS child; DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS ctr;"
    "DROP TABLE IF EXISTS x1;"
    "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, n BIGINT, note TEXT,"
    "  data BLOB, CHECK (n IS NULL OR n <> 13));"
    "CREATE TABLE child (id INTEGER PRIMARY KEY, t_id BIGINT NOT NULL REFERENCES t (id));"
    "CREATE TABLE ctr (name TEXT PRIMARY KEY, v BIGINT NOT NULL);";
static const char *const schema_pg =
    "DROP TABLE IF EXISTS child; DROP TABLE IF EXISTS t; DROP TABLE IF EXISTS ctr;"
    "DROP TABLE IF EXISTS x1;"
    "CREATE TABLE t (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE, n BIGINT, note TEXT, data BYTEA,"
    "  CHECK (n IS NULL OR n <> 13));"
    "CREATE TABLE child (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
    "  t_id BIGINT NOT NULL REFERENCES t (id));"
    "CREATE TABLE ctr (name TEXT PRIMARY KEY, v BIGINT NOT NULL);";

static int setup(void **state)
{
    env *e = *state;
    char err[512] = "";
    e->db = NULL;
    e->url[0] = '\0';
    if (e->kind == FTZ_DB_SQLITE) {
        snprintf(e->path, sizeof e->path, "/tmp/ftz_test_db_XXXXXX");
        int fd = mkstemp(e->path);
        if (fd < 0) return -1;
        close(fd);
        snprintf(e->url, sizeof e->url, "sqlite:%s", e->path);
    } else {
        const char *url = getenv("FTZ_TEST_PG_URL");
        if (!url || !*url) return 0; /* the test skips */
        snprintf(e->url, sizeof e->url, "%s", url);
    }
    if (ftz_db_open(e->url, &e->db, err, sizeof err)) {
        print_error("cannot open %s: %s\n", e->url, err);
        return -1;
    }
    if (ftz_db_exec(e->db, e->kind == FTZ_DB_PG ? schema_pg : schema_sqlite)) {
        print_error("schema: %s\n", ftz_db_errmsg(e->db));
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    ftz_db_close(e->db);
    e->db = NULL;
    if (e->kind == FTZ_DB_SQLITE && e->path[0]) {
        char p[80];
        unlink(e->path);
        snprintf(p, sizeof p, "%s-wal", e->path);
        unlink(p);
        snprintf(p, sizeof p, "%s-shm", e->path);
        unlink(p);
        e->path[0] = '\0';
    }
    return 0;
}

/* The test's database, or a skip when its backend is not configured. */
static ftz_db *need_db(void **state)
{
    env *e = *state;
    if (!e->db) skip();
    return e->db;
}

static bool is_pg(void **state)
{
    return ((env *)*state)->kind == FTZ_DB_PG;
}

static int64_t insert_row(ftz_db *db, const char *name, int64_t n, const char *note)
{
    ftz_stmt *st;
    assert_int_equal(
        ftz_db_prepare(db, "INSERT INTO t (name, n, note) VALUES (?, ?, ?) RETURNING id", &st),
        FTZ_OK);
    ftz_stmt_bind_text(st, name);
    ftz_stmt_bind_int(st, n);
    ftz_stmt_bind_text(st, note);
    assert_int_equal(ftz_stmt_next(st), 1);
    int64_t id = ftz_stmt_int(st, 0);
    assert_int_equal(ftz_stmt_next(st), 0);
    assert_int_equal(ftz_stmt_changes(st), 1);
    ftz_stmt_done(st);
    return id;
}

static int64_t count_where_name(ftz_db *db, const char *name)
{
    int64_t n = -1;
    assert_int_equal(ftz_db_scalar(db, &n, "SELECT count(*) FROM t WHERE name = ?", "s", name),
                     FTZ_OK);
    return n;
}

static int64_t count_all(ftz_db *db)
{
    int64_t n = -1;
    assert_int_equal(ftz_db_scalar(db, &n, "SELECT count(*) FROM t", ""), FTZ_OK);
    return n;
}

static void test_insert_returning(void **state)
{
    ftz_db *db = need_db(state);
    int64_t a = insert_row(db, "a", 1, NULL);
    int64_t b = insert_row(db, "b", 2, NULL);
    int64_t c = insert_row(db, "c", 3, "x");
    assert_true(a > 0);
    assert_true(b > a);
    assert_true(c > b);
    assert_int_equal(count_all(db), 3);
    int64_t n;
    assert_int_equal(ftz_db_scalar(db, &n, "SELECT n FROM t WHERE id = ?", "i", b), FTZ_OK);
    assert_int_equal(n, 2);
}

static const unsigned char blob_zeros[] = {0, 1, 0, 0, 255, 0, '\\', 'x', 0};

static void test_typed_binds(void **state)
{
    ftz_db *db = need_db(state);
    static const struct {
        const char *name;
        int64_t n;
        bool n_null; /* bound with ftz_stmt_bind_id(0) */
        const char *note;
        const void *blob;
        size_t bloblen;
        bool blob_null;
    } rows[] = {
        {"max", INT64_MAX, false, "黑河自贸片区 — 中国（黑龙江）", blob_zeros, sizeof blob_zeros,
         false},
        {"min", INT64_MIN, false, "Благовещенск, Амурская область", blob_zeros, 1, false},
        {"zero", 0, false, "", "", 0, false},
        {"минус", -1, false, NULL, NULL, 0, true},
        {"空", 0, true, "quote ' and \" and ? and \\", NULL, 0, true},
    };
    int64_t ids[FTZ_COUNTOF(rows)];
    for (size_t i = 0; i < FTZ_COUNTOF(rows); i++) {
        ftz_stmt *st;
        assert_int_equal(ftz_db_prepare(db,
                                        "INSERT INTO t (name, n, note, data) VALUES (?, ?, ?, ?)"
                                        " RETURNING id",
                                        &st),
                         FTZ_OK);
        ftz_stmt_bind_text(st, rows[i].name);
        if (rows[i].n_null)
            ftz_stmt_bind_id(st, 0);
        else
            ftz_stmt_bind_int(st, rows[i].n);
        ftz_stmt_bind_text(st, rows[i].note);
        if (rows[i].blob_null)
            ftz_stmt_bind_null(st);
        else
            ftz_stmt_bind_blob(st, rows[i].blob, rows[i].bloblen);
        assert_int_equal(ftz_stmt_next(st), 1);
        ids[i] = ftz_stmt_int(st, 0);
        ftz_stmt_done(st);
    }
    for (size_t i = 0; i < FTZ_COUNTOF(rows); i++) {
        ftz_stmt *st;
        assert_int_equal(ftz_db_prepare(db, "SELECT n, note, data, name FROM t WHERE id = ?", &st),
                         FTZ_OK);
        ftz_stmt_bind_int(st, ids[i]);
        assert_int_equal(ftz_stmt_next(st), 1);
        assert_int_equal(ftz_stmt_ncols(st), 4);
        assert_int_equal(ftz_stmt_isnull(st, 0), rows[i].n_null);
        assert_int_equal(ftz_stmt_int(st, 0), rows[i].n_null ? 0 : rows[i].n);
        if (rows[i].note) {
            assert_false(ftz_stmt_isnull(st, 1));
            assert_string_equal(ftz_stmt_text(st, 1), rows[i].note);
        } else {
            assert_true(ftz_stmt_isnull(st, 1));
            assert_null(ftz_stmt_text(st, 1));
        }
        size_t len = 99;
        const void *p = ftz_stmt_blob(st, 2, &len);
        assert_int_equal(ftz_stmt_isnull(st, 2), rows[i].blob_null);
        assert_int_equal(len, rows[i].bloblen);
        if (rows[i].bloblen) assert_memory_equal(p, rows[i].blob, len);
        /* A second read of the same column gives the same bytes. */
        const void *p2 = ftz_stmt_blob(st, 2, &len);
        assert_int_equal(len, rows[i].bloblen);
        if (rows[i].bloblen) assert_memory_equal(p2, rows[i].blob, len);
        assert_string_equal(ftz_stmt_text(st, 3), rows[i].name);
        assert_int_equal(ftz_stmt_next(st), 0);
        ftz_stmt_done(st);
    }
    /* Lookup by non-ASCII text, and parameters echoed back with their types. */
    assert_int_equal(count_where_name(db, "минус"), 1);
    assert_int_equal(count_where_name(db, "空"), 1);
    static const int64_t ints[] = {INT64_MAX, INT64_MIN, 0, -1, 1, 4294967296LL};
    for (size_t i = 0; i < FTZ_COUNTOF(ints); i++) {
        int64_t v = 7;
        assert_int_equal(ftz_db_scalar(db, &v, "SELECT ?", "i", ints[i]), FTZ_OK);
        assert_int_equal(v, ints[i]);
    }
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare(db, "SELECT ?, ?", &st), FTZ_OK);
    ftz_stmt_bind_textn(st, "Амур river", 8); /* a prefix: "Амур" is 8 bytes */
    ftz_stmt_bind_blob(st, blob_zeros, sizeof blob_zeros);
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_string_equal(ftz_stmt_text(st, 0), "Амур");
    size_t len;
    const void *p = ftz_stmt_blob(st, 1, &len);
    assert_int_equal(len, sizeof blob_zeros);
    assert_memory_equal(p, blob_zeros, sizeof blob_zeros);
    ftz_stmt_done(st);
}

static void test_text_nul_byte(void **state)
{
    ftz_db *db = need_db(state);
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare(db, "SELECT ?", &st), FTZ_OK);
    ftz_stmt_bind_textn(st, "a\0b", 3);
    int r = ftz_stmt_next(st);
    if (is_pg(state)) {
        /* PostgreSQL text cannot hold NUL: refused rather than cut short. */
        assert_int_equal(r, -1);
        assert_int_equal(ftz_stmt_rc(st), FTZ_EINVAL);
        assert_non_null(strstr(ftz_db_errmsg(db), "NUL"));
    } else {
        assert_int_equal(r, 1);
    }
    ftz_stmt_done(st);
}

static void test_coalesce_null(void **state)
{
    ftz_db *db = need_db(state);
    int64_t v = -1;
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT COALESCE(?, 42)", "n"), FTZ_OK);
    assert_int_equal(v, 42);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT COALESCE(?, 42)", "i", (int64_t)7), FTZ_OK);
    assert_int_equal(v, 7);

    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare(db, "SELECT COALESCE(?, 'fallback')", &st), FTZ_OK);
    ftz_stmt_bind_null(st);
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_string_equal(ftz_stmt_text(st, 0), "fallback");
    ftz_stmt_done(st);
    assert_int_equal(ftz_db_prepare(db, "SELECT COALESCE(?, 'fallback')", &st), FTZ_OK);
    ftz_stmt_bind_text(st, "given");
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_string_equal(ftz_stmt_text(st, 0), "given");
    ftz_stmt_done(st);

    /* A partial update: NULL keeps the stored value. */
    int64_t id = insert_row(db, "p", 5, "old");
    static const char *const upd =
        "UPDATE t SET note = COALESCE(?, note), n = COALESCE(?, n) WHERE id = ?";
    assert_int_equal(ftz_db_run(db, upd, "nni", id), FTZ_OK);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT n FROM t WHERE id = ?", "i", id), FTZ_OK);
    assert_int_equal(v, 5);
    assert_int_equal(ftz_db_run(db, upd, "sii", "new", (int64_t)6, id), FTZ_OK);
    assert_int_equal(
        ftz_db_scalar(db, &v, "SELECT n FROM t WHERE id = ? AND note = 'new'", "i", id), FTZ_OK);
    assert_int_equal(v, 6);

    /* Optional filters: `CAST(? AS BIGINT) IS NULL` types the NULL on both backends. */
    insert_row(db, "q", 9, NULL);
    static const char *const opt =
        "SELECT count(*) FROM t WHERE (CAST(? AS BIGINT) IS NULL OR n = ?)";
    assert_int_equal(ftz_db_scalar(db, &v, opt, "nn"), FTZ_OK);
    assert_int_equal(v, 2);
    assert_int_equal(ftz_db_scalar(db, &v, opt, "ii", (int64_t)9, (int64_t)9), FTZ_OK);
    assert_int_equal(v, 1);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT CAST(? AS TEXT) IS NULL", "n"), FTZ_OK);
    assert_int_equal(v, 1);

    /* A bare `? IS NULL` bound to NULL gives PostgreSQL no type to infer (42P18). */
    ftz_rc rc = ftz_db_scalar(db, &v, "SELECT ? IS NULL", "n");
    if (is_pg(state)) {
        assert_int_equal(rc, FTZ_EDB);
        assert_non_null(strstr(ftz_db_errmsg(db), "42P18"));
    } else {
        assert_int_equal(rc, FTZ_OK);
        assert_int_equal(v, 1);
    }
}

static void test_constraint_errors(void **state)
{
    ftz_db *db = need_db(state);
    insert_row(db, "a", 1, NULL);
    static const char *const ins = "INSERT INTO t (name, n) VALUES (?, ?)";
    assert_int_equal(ftz_db_run(db, ins, "si", "a", (int64_t)2), FTZ_ECONFLICT);
    assert_true(strlen(ftz_db_errmsg(db)) > 0);

    /* Through a prepared statement with RETURNING: -1 and the rc on the statement. */
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare(db, "INSERT INTO t (name, n) VALUES (?, ?) RETURNING id", &st),
                     FTZ_OK);
    ftz_stmt_bind_text(st, "a");
    ftz_stmt_bind_int(st, 3);
    assert_int_equal(ftz_stmt_next(st), -1);
    assert_int_equal(ftz_stmt_rc(st), FTZ_ECONFLICT);
    assert_int_equal(ftz_stmt_next(st), -1); /* stays failed until done */
    ftz_stmt_done(st);
    /* The same cached statement works again afterwards. */
    assert_int_equal(ftz_db_prepare(db, "INSERT INTO t (name, n) VALUES (?, ?) RETURNING id", &st),
                     FTZ_OK);
    ftz_stmt_bind_text(st, "b");
    ftz_stmt_bind_int(st, 3);
    assert_int_equal(ftz_stmt_next(st), 1);
    ftz_stmt_done(st);

    static const struct {
        const char *sql;
        const char *fmt;
        int64_t i;
        ftz_rc want;
    } cases[] = {
        {"INSERT INTO child (t_id) VALUES (?)", "i", 999999, FTZ_ECONFLICT}, /* foreign key */
        {"INSERT INTO t (name, n) VALUES (NULL, ?)", "i", 1, FTZ_EINVAL},    /* not null */
        {"INSERT INTO t (name, n) VALUES ('c', ?)", "i", 13, FTZ_EINVAL},    /* check */
        {"UPDATE t SET name = 'a' WHERE n = ?", "i", 3, FTZ_ECONFLICT},      /* unique */
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_rc rc = ftz_db_run(db, cases[i].sql, cases[i].fmt, cases[i].i);
        if (rc != cases[i].want)
            fail_msg("case %zu: %s gave %s (%s)", i, cases[i].sql, ftz_rc_name(rc),
                     ftz_db_errmsg(db));
    }
    assert_int_equal(count_all(db), 2);
    /* Deleting a referenced row is a conflict too. */
    int64_t aid;
    assert_int_equal(ftz_db_scalar(db, &aid, "SELECT id FROM t WHERE name = 'a'", ""), FTZ_OK);
    assert_int_equal(ftz_db_run(db, "INSERT INTO child (t_id) VALUES (?)", "i", aid), FTZ_OK);
    assert_int_equal(ftz_db_run(db, "DELETE FROM t WHERE id = ?", "i", aid), FTZ_ECONFLICT);
}

static void test_transactions(void **state)
{
    ftz_db *db = need_db(state);
    assert_false(ftz_db_in_txn(db));
    ftz_db_rollback(db); /* harmless without a transaction */
    assert_int_equal(ftz_db_commit(db), FTZ_EINTERNAL);

    assert_int_equal(ftz_db_begin(db), FTZ_OK);
    assert_true(ftz_db_in_txn(db));
    assert_int_equal(ftz_db_begin(db), FTZ_EINTERNAL);
    insert_row(db, "gone1", 1, NULL);
    insert_row(db, "gone2", 2, NULL);
    assert_int_equal(count_all(db), 2); /* visible inside */
    ftz_db_rollback(db);
    assert_false(ftz_db_in_txn(db));
    assert_int_equal(count_all(db), 0);

    assert_int_equal(ftz_db_begin(db), FTZ_OK);
    insert_row(db, "kept", 1, NULL);
    assert_int_equal(ftz_db_commit(db), FTZ_OK);
    assert_false(ftz_db_in_txn(db));
    assert_int_equal(count_where_name(db, "kept"), 1);

    /* A failed statement inside a transaction: PostgreSQL aborts the whole transaction, so
     * its COMMIT fails and nothing is kept; SQLite keeps the other statements. */
    assert_int_equal(ftz_db_begin(db), FTZ_OK);
    insert_row(db, "maybe", 2, NULL);
    assert_int_equal(ftz_db_run(db, "INSERT INTO t (name) VALUES (?)", "s", "kept"), FTZ_ECONFLICT);
    ftz_rc rc = ftz_db_commit(db);
    assert_false(ftz_db_in_txn(db));
    if (is_pg(state)) {
        assert_int_equal(rc, FTZ_EDB);
        assert_int_equal(count_where_name(db, "maybe"), 0);
    } else {
        assert_int_equal(rc, FTZ_OK);
        assert_int_equal(count_where_name(db, "maybe"), 1);
    }
    /* The connection is fine afterwards. */
    assert_int_equal(ftz_db_begin(db), FTZ_OK);
    insert_row(db, "after", 3, NULL);
    assert_int_equal(ftz_db_commit(db), FTZ_OK);
    assert_int_equal(count_where_name(db, "after"), 1);
}

static const char sql_count_ge[] = "SELECT count(*) FROM t WHERE n >= ?";

static void test_cache_same_stmt(void **state)
{
    ftz_db *db = need_db(state);
    insert_row(db, "a", 1, NULL);
    insert_row(db, "b", 2, NULL);
    ftz_stmt *a, *b, *c;
    assert_int_equal(ftz_db_prepare(db, sql_count_ge, &a), FTZ_OK);
    ftz_stmt_bind_int(a, 2);
    assert_int_equal(ftz_stmt_next(a), 1);
    assert_int_equal(ftz_stmt_int(a, 0), 1);
    ftz_stmt_done(a);

    assert_int_equal(ftz_db_prepare(db, sql_count_ge, &b), FTZ_OK);
    assert_ptr_equal(a, b);
    ftz_stmt_bind_int(b, 1);
    assert_int_equal(ftz_stmt_next(b), 1);
    assert_int_equal(ftz_stmt_int(b, 0), 2);
    ftz_stmt_done(b);

    /* After a failed run (wrong parameter count) and done, it is handed out again. */
    assert_int_equal(ftz_db_prepare(db, sql_count_ge, &b), FTZ_OK);
    assert_int_equal(ftz_stmt_next(b), -1);
    assert_int_equal(ftz_stmt_rc(b), FTZ_EINTERNAL);
    ftz_stmt_done(b);
    assert_int_equal(ftz_db_prepare(db, sql_count_ge, &b), FTZ_OK);
    assert_ptr_equal(a, b);
    assert_int_equal(ftz_stmt_rc(b), FTZ_OK);
    ftz_stmt_bind_int(b, 0);
    assert_int_equal(ftz_stmt_next(b), 1);
    assert_int_equal(ftz_stmt_int(b, 0), 2);

    /* prepare_tmp never uses the cache. */
    assert_int_equal(ftz_db_prepare_tmp(db, sql_count_ge, &c), FTZ_OK);
    assert_ptr_not_equal(c, b);
    ftz_stmt_bind_int(c, 2);
    assert_int_equal(ftz_stmt_next(c), 1);
    assert_int_equal(ftz_stmt_int(c, 0), 1);
    ftz_stmt_done(c);
    ftz_stmt_done(b);
}

static const char sql_rows_ge[] = "SELECT id, n, name FROM t WHERE n >= ? ORDER BY n";
static const char sql_names[] = "SELECT name FROM t ORDER BY name";

static void test_cache_nested(void **state)
{
    ftz_db *db = need_db(state);
    insert_row(db, "one", 1, NULL);
    insert_row(db, "two", 2, NULL);
    insert_row(db, "three", 3, NULL);
    ftz_stmt *outer;
    assert_int_equal(ftz_db_prepare(db, sql_rows_ge, &outer), FTZ_OK);
    ftz_stmt_bind_int(outer, 1);
    int r, seen = 0;
    while ((r = ftz_stmt_next(outer)) == 1) {
        seen++;
        int64_t n = ftz_stmt_int(outer, 1);
        const char *name = ftz_stmt_text(outer, 2);
        assert_int_equal(n, seen);
        ftz_stmt *inner;
        assert_int_equal(ftz_db_prepare(db, sql_rows_ge, &inner), FTZ_OK);
        assert_ptr_not_equal(inner, outer); /* a private statement */
        ftz_stmt_bind_int(inner, n);
        int k = 0;
        while (ftz_stmt_next(inner) == 1)
            k++;
        assert_int_equal(ftz_stmt_rc(inner), FTZ_OK);
        assert_int_equal(k, 3 - n + 1);
        ftz_stmt_done(inner);
        /* The outer row is untouched by the inner run. */
        assert_int_equal(ftz_stmt_int(outer, 1), n);
        assert_string_equal(ftz_stmt_text(outer, 2), name);
    }
    assert_int_equal(r, 0);
    assert_int_equal(seen, 3);
    ftz_stmt_done(outer);
    ftz_stmt *again;
    assert_int_equal(ftz_db_prepare(db, sql_rows_ge, &again), FTZ_OK);
    assert_ptr_equal(again, outer);
    ftz_stmt_done(again);

    /* Handed out but neither bound nor run yet (a statement without parameters): a second
     * prepare of the same SQL must not get the same statement. */
    ftz_stmt *x, *y;
    assert_int_equal(ftz_db_prepare(db, sql_names, &x), FTZ_OK);
    assert_int_equal(ftz_db_prepare(db, sql_names, &y), FTZ_OK);
    assert_ptr_not_equal(x, y);
    assert_int_equal(ftz_stmt_next(x), 1);
    assert_string_equal(ftz_stmt_text(x, 0), "one");
    int k = 0;
    while (ftz_stmt_next(y) == 1)
        k++;
    assert_int_equal(k, 3);
    assert_int_equal(ftz_stmt_next(x), 1);
    assert_string_equal(ftz_stmt_text(x, 0), "three");
    ftz_stmt_done(y);
    ftz_stmt_done(x);
}

static void test_upsert_counter(void **state)
{
    ftz_db *db = need_db(state);
    static const char *const sql =
        "INSERT INTO ctr (name, v) VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET v = ctr.v + 1"
        " RETURNING v";
    for (int64_t i = 1; i <= 5; i++) {
        ftz_stmt *st;
        assert_int_equal(ftz_db_prepare(db, sql, &st), FTZ_OK);
        ftz_stmt_bind_text(st, "SQ-2024");
        assert_int_equal(ftz_stmt_next(st), 1);
        assert_int_equal(ftz_stmt_int(st, 0), i);
        assert_int_equal(ftz_stmt_next(st), 0);
        ftz_stmt_done(st);
    }
    /* Inside a transaction, as the counters service takes them. */
    assert_int_equal(ftz_db_begin(db), FTZ_OK);
    int64_t v = 0;
    assert_int_equal(ftz_db_scalar(db, &v, sql, "s", "SQ-2024"), FTZ_OK);
    assert_int_equal(v, 6);
    assert_int_equal(ftz_db_scalar(db, &v, sql, "s", "ПС-2024"), FTZ_OK);
    assert_int_equal(v, 1);
    assert_int_equal(ftz_db_commit(db), FTZ_OK);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT v FROM ctr WHERE name = ?", "s", "SQ-2024"),
                     FTZ_OK);
    assert_int_equal(v, 6);
}

static void test_scalar_and_run(void **state)
{
    ftz_db *db = need_db(state);
    assert_int_equal(
        ftz_db_run(db, "INSERT INTO t (name, n, note) VALUES (?, ?, ?)", "sin", "r1", (int64_t)5),
        FTZ_OK);
    int64_t v = -1;
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT n FROM t WHERE name = ?", "s", "r1"), FTZ_OK);
    assert_int_equal(v, 5);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT count(*) FROM t WHERE note IS NULL", ""),
                     FTZ_OK);
    assert_int_equal(v, 1);
    /* No row: FTZ_ENOTFOUND and 0. */
    v = -1;
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT n FROM t WHERE name = ?", "s", "none"),
                     FTZ_ENOTFOUND);
    assert_int_equal(v, 0);
    /* A NULL value is a row: FTZ_OK and 0. */
    v = -1;
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT note FROM t WHERE name = ?", "s", "r1"), FTZ_OK);
    assert_int_equal(v, 0);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT ? + ? * 2", "ii", (int64_t)1, (int64_t)20),
                     FTZ_OK);
    assert_int_equal(v, 41);
    /* Bad format letters are a bug in the caller. */
    assert_int_equal(ftz_db_run(db, "SELECT ?", "x"), FTZ_EINTERNAL);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT ?", "x"), FTZ_EINTERNAL);
    /* Bad SQL fails in prepare (SQLite) or in the run (PostgreSQL): FTZ_EDB either way. */
    assert_int_equal(ftz_db_scalar(db, &v, "SELEC 1", ""), FTZ_EDB);
    assert_int_equal(ftz_db_run(db, "UPDATE no_such_table SET a = 1", ""), FTZ_EDB);
    assert_true(strlen(ftz_db_errmsg(db)) > 0);
    /* A run that changes nothing is fine. */
    assert_int_equal(ftz_db_run(db, "DELETE FROM t WHERE name = ?", "s", "none"), FTZ_OK);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT 1", ""), FTZ_OK);
    assert_int_equal(v, 1);
}

static void test_q_builder(void **state)
{
    ftz_db *db = need_db(state);
    insert_row(db, "q_1", 1, "a");
    insert_row(db, "q_2", 2, "a");
    insert_row(db, "qx3", 3, "a");
    insert_row(db, "q_4", 4, "a");
    insert_row(db, "q_5", 5, "why?");
    ftz_arena *a = ftz_arena_new();
    ftz_q q;
    ftz_q_init(&q, a);
    ftz_q_sql(&q, "SELECT name, n FROM t WHERE note <> 'why?' AND n >= ?");
    ftz_q_int(&q, 2);
    ftz_q_sql(&q, " AND name LIKE ? ESCAPE '\\'");
    ftz_q_text(&q, "q\\_%");
    ftz_q_sql(&q, " AND note = COALESCE(?, note)");
    ftz_q_text(&q, NULL);
    ftz_q_sql(&q, " ORDER BY n DESC");
    ftz_stmt *st;
    assert_int_equal(ftz_q_prepare(db, &q, &st), FTZ_OK);
    static const char *const want[] = {"q_4", "q_2"};
    size_t k = 0;
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        assert_true(k < FTZ_COUNTOF(want));
        char *name = ftz_stmt_dup(st, 0, a);
        assert_string_equal(name, want[k]);
        k++;
    }
    assert_int_equal(r, 0);
    assert_int_equal(k, FTZ_COUNTOF(want));
    ftz_stmt_done(st);

    /* More parameters than a statement takes: a bug, reported, not a crash. */
    ftz_q_init(&q, a);
    ftz_q_sql(&q, "SELECT count(*) FROM t WHERE n IN (?");
    ftz_q_int(&q, 0);
    for (int i = 1; i < 70; i++) {
        ftz_q_sql(&q, ", ?");
        ftz_q_int(&q, i);
    }
    ftz_q_sql(&q, ")");
    assert_int_equal(ftz_q_prepare(db, &q, &st), FTZ_OK);
    assert_int_equal(ftz_stmt_next(st), -1);
    assert_int_equal(ftz_stmt_rc(st), FTZ_EINTERNAL);
    ftz_stmt_done(st);

    /* An empty builder runs nothing. */
    ftz_q_init(&q, a);
    ftz_rc rc = ftz_q_prepare(db, &q, &st);
    if (rc == FTZ_OK) {
        assert_int_equal(ftz_stmt_next(st), -1);
        ftz_stmt_done(st);
    }
    ftz_arena_free(a);
}

static void test_param_count(void **state)
{
    ftz_db *db = need_db(state);
    static const int binds[] = {0, 1, 3};
    for (size_t i = 0; i < FTZ_COUNTOF(binds); i++) {
        ftz_stmt *st;
        assert_int_equal(ftz_db_prepare(db, "SELECT ? + ?", &st), FTZ_OK);
        for (int k = 0; k < binds[i]; k++)
            ftz_stmt_bind_int(st, k);
        assert_int_equal(ftz_stmt_next(st), -1);
        assert_int_equal(ftz_stmt_rc(st), FTZ_EINTERNAL);
        assert_non_null(strstr(ftz_db_errmsg(db), "parameters"));
        ftz_stmt_done(st);
    }
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare(db, "SELECT ? + ?", &st), FTZ_OK);
    ftz_stmt_bind_int(st, 2);
    ftz_stmt_bind_int(st, 3);
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_int_equal(ftz_stmt_int(st, 0), 5);
    ftz_stmt_done(st);
    /* Over FTZ_DB_MAXPARAMS binds. */
    assert_int_equal(ftz_db_prepare(db, "SELECT ? + ?", &st), FTZ_OK);
    for (int k = 0; k < 65; k++)
        ftz_stmt_bind_int(st, k);
    assert_int_equal(ftz_stmt_next(st), -1);
    assert_int_equal(ftz_stmt_rc(st), FTZ_EINTERNAL);
    ftz_stmt_done(st);
}

static void test_int_columns(void **state)
{
    ftz_db *db = need_db(state);
    insert_row(db, "a", 10, NULL);
    insert_row(db, "b", 20, NULL);
    insert_row(db, "c", 30, NULL);
    ftz_stmt *st;
    /* PostgreSQL answers sum(bigint) as numeric and a comparison as boolean. */
    assert_int_equal(ftz_db_prepare(db,
                                    "SELECT sum(n), count(*), max(n) > 15, min(n), 7 / 2, 'abc'"
                                    " FROM t",
                                    &st),
                     FTZ_OK);
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_int_equal(ftz_stmt_ncols(st), 6);
    assert_int_equal(ftz_stmt_int(st, 0), 60);
    assert_int_equal(ftz_stmt_int(st, 1), 3);
    assert_int_equal(ftz_stmt_int(st, 2), 1);
    assert_int_equal(ftz_stmt_int(st, 3), 10);
    assert_int_equal(ftz_stmt_int(st, 4), 3);
    assert_int_equal(ftz_stmt_int(st, 5), 0); /* not a number */
    assert_string_equal(ftz_stmt_text(st, 0), "60");
    /* Out-of-range columns read as NULL. */
    assert_true(ftz_stmt_isnull(st, 99));
    assert_null(ftz_stmt_text(st, 99));
    assert_int_equal(ftz_stmt_int(st, 99), 0);
    assert_int_equal(ftz_stmt_next(st), 0);
    assert_int_equal(ftz_stmt_next(st), 0); /* stays done */
    ftz_stmt_done(st);

    assert_int_equal(ftz_db_prepare(db, "SELECT sum(n) FROM t WHERE n > 1000", &st), FTZ_OK);
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_true(ftz_stmt_isnull(st, 0));
    assert_int_equal(ftz_stmt_int(st, 0), 0);
    assert_null(ftz_stmt_text(st, 0));
    ftz_stmt_done(st);
}

static void test_blob_large(void **state)
{
    ftz_db *db = need_db(state);
    size_t n = 200 * 1024;
    unsigned char *blob = ftz_malloc(n);
    uint32_t x = 2463534242u;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        blob[i] = (i % 7 == 0) ? 0 : (unsigned char)x;
    }
    int64_t id = 0;
    ftz_stmt *st;
    assert_int_equal(
        ftz_db_prepare(db, "INSERT INTO t (name, data) VALUES (?, ?) RETURNING id", &st), FTZ_OK);
    ftz_stmt_bind_text(st, "big");
    ftz_stmt_bind_blob(st, blob, n);
    assert_int_equal(ftz_stmt_next(st), 1);
    id = ftz_stmt_int(st, 0);
    ftz_stmt_done(st);
    assert_int_equal(ftz_db_prepare(db, "SELECT data, name FROM t WHERE id = ?", &st), FTZ_OK);
    ftz_stmt_bind_int(st, id);
    assert_int_equal(ftz_stmt_next(st), 1);
    size_t len = 0;
    const void *p = ftz_stmt_blob(st, 0, &len);
    assert_int_equal(len, n);
    assert_memory_equal(p, blob, n);
    /* A text column read as bytes. */
    p = ftz_stmt_blob(st, 1, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(p, "big", 3);
    ftz_stmt_done(st);
    ftz_free(blob);
}

static void test_exec_multi(void **state)
{
    ftz_db *db = need_db(state);
    assert_int_equal(ftz_db_exec(db, "CREATE TABLE x1 (a BIGINT);"
                                     "INSERT INTO x1 VALUES (1);"
                                     "-- a comment; with a semicolon\n"
                                     "INSERT INTO x1 VALUES (2);"),
                     FTZ_OK);
    int64_t v;
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT sum(a) FROM x1", ""), FTZ_OK);
    assert_int_equal(v, 3);
    assert_int_equal(ftz_db_exec(db, "INSERT INTO x1 VALUES (3); SELEC 1"), FTZ_EDB);
    assert_true(strlen(ftz_db_errmsg(db)) > 0);
    assert_int_equal(ftz_db_exec(db, ""), FTZ_OK);
}

static void test_changes(void **state)
{
    ftz_db *db = need_db(state);
    int64_t a = insert_row(db, "a", 1, NULL);
    insert_row(db, "b", 2, NULL);
    insert_row(db, "c", 3, NULL);
    static const struct {
        const char *sql;
        int64_t arg;
        int64_t changes;
    } cases[] = {
        {"UPDATE t SET n = n + ?", 1, 3},
        {"UPDATE t SET n = n + 1 WHERE n > ?", 100, 0},
        /* A claim: a conditional update that only one caller wins. */
        {"UPDATE t SET note = 'claimed' WHERE id = ? AND note IS NULL", 0, 1},
        {"UPDATE t SET note = 'claimed' WHERE id = ? AND note IS NULL", 0, 0},
        {"DELETE FROM t WHERE n = ?", 4, 1},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_stmt *st;
        assert_int_equal(ftz_db_prepare_tmp(db, cases[i].sql, &st), FTZ_OK);
        ftz_stmt_bind_int(st, cases[i].arg ? cases[i].arg : a);
        assert_int_equal(ftz_stmt_exec(st), FTZ_OK);
        if (ftz_stmt_changes(st) != cases[i].changes)
            fail_msg("case %zu: %s changed %lld rows", i, cases[i].sql,
                     (long long)ftz_stmt_changes(st));
        ftz_stmt_done(st);
    }
}

static void test_ping(void **state)
{
    ftz_db *db = need_db(state);
    assert_true(ftz_db_ping(db));
    assert_int_equal(ftz_db_kind(db), ((env *)*state)->kind);
}

/* ---- PostgreSQL only ---- */

static void test_pg_session(void **state)
{
    ftz_db *db = need_db(state);
    static const struct {
        const char *sql, *want;
    } cases[] = {
        {"SHOW TimeZone", "UTC"},
        {"SHOW client_encoding", "UTF8"},
        {"SHOW standard_conforming_strings", "on"},
        {"SHOW transaction_isolation", "read committed"},
        {"SELECT 'a\\b'", "a\\b"}, /* a backslash is just a character */
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_stmt *st;
        assert_int_equal(ftz_db_prepare_tmp(db, cases[i].sql, &st), FTZ_OK);
        assert_int_equal(ftz_stmt_next(st), 1);
        assert_string_equal(ftz_stmt_text(st, 0), cases[i].want);
        ftz_stmt_done(st);
    }
}

static void test_pg_errors(void **state)
{
    ftz_db *db = need_db(state);
    int64_t v = 0;
    static const struct {
        const char *sql;
        const char *fmt;
        int64_t i;
        ftz_rc want;
        const char *state;
    } cases[] = {
        /* A value out of range is the caller's; a literal of the wrong type is a bug. */
        {"INSERT INTO t (name, n) VALUES ('big', ? + 1)", "i", INT64_MAX, FTZ_EINVAL, "22003"},
        {"SELECT 'x' = ?", "i", 1, FTZ_EDB, "22P02"},
        {"SELECT 1 / ?", "i", 0, FTZ_EDB, "22012"},
        {"SELECT count(*) FROM t WHERE name = ?", "i", 1, FTZ_EDB, "42883"},
        {"SELECT 1; SELECT 2", "", 0, FTZ_EDB, "42601"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_rc rc = ftz_db_scalar(db, &v, cases[i].sql, cases[i].fmt, cases[i].i);
        if (rc != cases[i].want || !strstr(ftz_db_errmsg(db), cases[i].state))
            fail_msg("case %zu: %s gave %s (%s)", i, cases[i].sql, ftz_rc_name(rc),
                     ftz_db_errmsg(db));
    }
    /* COPY would leave the connection busy: refused, and the connection still works. */
    assert_int_equal(ftz_db_exec(db, "COPY (SELECT 1) TO STDOUT"), FTZ_EDB);
    assert_non_null(strstr(ftz_db_errmsg(db), "COPY"));
    assert_int_equal(ftz_db_exec(db, "COPY t (name) FROM STDIN"), FTZ_EDB);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT count(*) FROM t", ""), FTZ_OK);
    assert_int_equal(v, 0);
}

/* Kills this connection's server process from a second connection. */
static void kill_backend(ftz_db *db, const char *url)
{
    int64_t pid = 0;
    assert_int_equal(ftz_db_scalar(db, &pid, "SELECT pg_backend_pid()", ""), FTZ_OK);
    char err[256];
    ftz_db *other;
    assert_int_equal(ftz_db_open(url, &other, err, sizeof err), FTZ_OK);
    int64_t ok = 0;
    assert_int_equal(ftz_db_scalar(other, &ok,
                                   "SELECT pg_terminate_backend(CAST(? AS INTEGER), 5000)", "i",
                                   pid),
                     FTZ_OK);
    assert_int_equal(ok, 1);
    ftz_db_close(other);
}

static void test_pg_reconnect(void **state)
{
    ftz_db *db = need_db(state);
    const char *url = ((env *)*state)->url;
    int64_t v = 0;

    /* ping notices the loss and reconnects, with the session settings again. */
    kill_backend(db, url);
    assert_true(ftz_db_ping(db));
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare_tmp(db, "SHOW TimeZone", &st), FTZ_OK);
    assert_int_equal(ftz_stmt_next(st), 1);
    assert_string_equal(ftz_stmt_text(st, 0), "UTC");
    ftz_stmt_done(st);

    /* Outside a transaction: the statement that meets the loss fails, the next one runs. */
    kill_backend(db, url);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT 1", ""), FTZ_EDB);
    assert_int_equal(ftz_db_scalar(db, &v, "SELECT 2", ""), FTZ_OK);
    assert_int_equal(v, 2);

    /* Inside one: the transaction is lost, reported, and the connection comes back after. */
    assert_int_equal(ftz_db_begin(db), FTZ_OK);
    insert_row(db, "lost", 1, NULL);
    kill_backend(db, url);
    assert_int_equal(ftz_db_run(db, "INSERT INTO t (name) VALUES ('lost2')", ""), FTZ_EDB);
    assert_int_equal(ftz_db_run(db, "INSERT INTO t (name) VALUES ('lost3')", ""), FTZ_EDB);
    assert_int_not_equal(ftz_db_commit(db), FTZ_OK);
    assert_false(ftz_db_in_txn(db));
    assert_int_equal(count_all(db), 0);
    assert_true(ftz_db_ping(db));
}

#define BOTH(fn)                                                                                   \
    {"sqlite_" #fn, fn, setup, teardown, &env_sqlite},                                             \
    {                                                                                              \
        "pg_" #fn, fn, setup, teardown, &env_pg                                                    \
    }
#define PG_ONLY(fn)                                                                                \
    {                                                                                              \
        "pg_" #fn, fn, setup, teardown, &env_pg                                                    \
    }

int main(void)
{
    /* Throw-away databases need not wait for the disk. */
    setenv("FTZ_SQLITE_SYNC", "NORMAL", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rewrite_cases),
        cmocka_unit_test(test_rewrite_many),
        cmocka_unit_test(test_open_errors),
        BOTH(test_insert_returning),
        BOTH(test_typed_binds),
        BOTH(test_text_nul_byte),
        BOTH(test_coalesce_null),
        BOTH(test_constraint_errors),
        BOTH(test_transactions),
        BOTH(test_cache_same_stmt),
        BOTH(test_cache_nested),
        BOTH(test_upsert_counter),
        BOTH(test_scalar_and_run),
        BOTH(test_q_builder),
        BOTH(test_param_count),
        BOTH(test_int_columns),
        BOTH(test_blob_large),
        BOTH(test_exec_multi),
        BOTH(test_changes),
        BOTH(test_ping),
        PG_ONLY(test_pg_session),
        PG_ONLY(test_pg_errors),
        PG_ONLY(test_pg_reconnect),
    };
    return cmocka_run_group_tests_name("db", tests, NULL, NULL);
}
