/* test_auth.c — the audit chain (hash definition, append, verify against tampering), the
 * permission test, the data-scope helper's SQL, and the request-language picker. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/i18n.h"
#include "db/db.h"
#include "db/migrate.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* Expected values computed independently (Python hashlib over the framing in audit.h). */
static void test_hash_vectors(void **state)
{
    (void)state;
    const char *f1[10] = {"1",           "2026-11-29T19:12:55.123Z",
                          "7",           "admin",
                          "user.create", "user",
                          "42",          NULL,
                          "{\"a\":1}",   "req-1"};
    char h[65];
    ftz_audit_hash("0000000000000000000000000000000000000000000000000000000000000000", f1, h);
    assert_string_equal(h, "cf4644a3744f16dbac9dea615a614363add28ae3f62477f35252fd6f580eb092");
    const char *f2[10] = {"2",
                          "2026-11-29T19:12:56.000Z",
                          NULL,
                          "system",
                          "设置",
                          "setting",
                          "auth.x",
                          "{\"v\":\"旧\"}",
                          "{\"v\":\"新\"}",
                          NULL};
    ftz_audit_hash("abc", f2, h);
    assert_string_equal(h, "89b6b4fac634bd785ab873c4b99839908fd9f685747d73e9e24199aaf8e79801");
    /* NULL and "" must hash differently, and so must a moved field boundary. */
    const char *a[10] = {"1", "t", NULL, "x", "a", "e", "", NULL, NULL, NULL};
    const char *b[10] = {"1", "t", NULL, "x", "a", "e", NULL, NULL, NULL, NULL};
    char ha[65], hb[65];
    ftz_audit_hash("p", a, ha);
    ftz_audit_hash("p", b, hb);
    assert_string_not_equal(ha, hb);
    const char *c1[10] = {"1", "t", NULL, "ab", "c", "e", NULL, NULL, NULL, NULL};
    const char *c2[10] = {"1", "t", NULL, "a", "bc", "e", NULL, NULL, NULL, NULL};
    ftz_audit_hash("p", c1, ha);
    ftz_audit_hash("p", c2, hb);
    assert_string_not_equal(ha, hb);
}

typedef struct fixture {
    char path[64];
    ftz_db *db;
    ftz_conf conf;
    ftz_ctx c;
} fixture;

static int setup_db(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    snprintf(f->path, sizeof f->path, "/tmp/ftz-test-auth-XXXXXX");
    int fd = mkstemp(f->path);
    if (fd < 0) return -1;
    close(fd);
    char err[256];
    char url[80];
    snprintf(url, sizeof url, "sqlite:%s", f->path);
    if (ftz_db_open(url, &f->db, err, sizeof err)) return -1;
    int applied;
    if (ftz_migrate(f->db, &applied, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    ftz_conf_defaults(&f->conf);
    ftz_ctx_init_system(&f->c, f->db, &f->conf, "test");
    *state = f;
    return 0;
}

static int teardown_db(void **state)
{
    fixture *f = *state;
    ftz_ctx_cleanup(&f->c);
    ftz_conf_cleanup(&f->conf);
    ftz_db_close(f->db);
    unlink(f->path);
    char wal[80];
    snprintf(wal, sizeof wal, "%s-wal", f->path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", f->path);
    unlink(wal);
    free(f);
    return 0;
}

static void append_rows(fixture *f, int n)
{
    for (int i = 0; i < n; i++) {
        assert_int_equal(ftz_db_begin(f->db), FTZ_OK);
        json_t *after = json_pack("{s:i,s:s}", "n", i, "name", "黑河");
        assert_int_equal(ftz_audit_id(&f->c, "thing.create", "thing", i + 1, NULL, after), FTZ_OK);
        json_decref(after);
        assert_int_equal(ftz_db_commit(f->db), FTZ_OK);
    }
}

static void test_append_outside_txn_refused(void **state)
{
    fixture *f = *state;
    assert_int_equal(ftz_audit(&f->c, "x", "y", NULL, NULL, NULL), FTZ_EINTERNAL);
}

static void test_chain_intact(void **state)
{
    fixture *f = *state;
    append_rows(f, 5);
    ftz_audit_report rep;
    assert_int_equal(ftz_audit_verify(&f->c, &rep), FTZ_OK);
    assert_int_equal(rep.rows, 5);
    assert_int_equal(rep.head_seq, 5);
    assert_int_equal(rep.first_bad, 0);
    int64_t seq;
    char hash[65];
    assert_int_equal(ftz_audit_head(&f->c, &seq, hash), FTZ_OK);
    assert_int_equal(seq, 5);
    assert_int_equal(strlen(hash), 64);
}

static void test_rollback_leaves_no_row(void **state)
{
    fixture *f = *state;
    append_rows(f, 2);
    assert_int_equal(ftz_db_begin(f->db), FTZ_OK);
    assert_int_equal(ftz_audit(&f->c, "x", "y", "1", NULL, NULL), FTZ_OK);
    ftz_db_rollback(f->db);
    ftz_audit_report rep;
    assert_int_equal(ftz_audit_verify(&f->c, &rep), FTZ_OK);
    assert_int_equal(rep.rows, 2);
    assert_int_equal(rep.first_bad, 0);
}

static void test_altered_row(void **state)
{
    fixture *f = *state;
    append_rows(f, 5);
    assert_int_equal(ftz_db_exec(f->db, "UPDATE audit SET after = '{\"n\":99}' WHERE seq = 3"),
                     FTZ_OK);
    ftz_audit_report rep;
    assert_int_equal(ftz_audit_verify(&f->c, &rep), FTZ_OK);
    assert_int_equal(rep.first_bad, 3);
}

static void test_rewritten_hash_breaks_next(void **state)
{
    fixture *f = *state;
    append_rows(f, 4);
    /* A forger recomputes row 2's hash after changing it: row 3 no longer follows. */
    assert_int_equal(ftz_db_exec(f->db, "UPDATE audit SET actor = 'mallory' WHERE seq = 2"),
                     FTZ_OK);
    ftz_stmt *st;
    assert_int_equal(ftz_db_prepare_tmp(f->db,
                                        "SELECT seq, at, actor_id, actor, action, entity, "
                                        "entity_id, before, after, request_id, prev_hash FROM "
                                        "audit WHERE seq = 2",
                                        &st),
                     FTZ_OK);
    assert_int_equal(ftz_stmt_next(st), 1);
    const char *fields[10];
    char seqs[8] = "2";
    fields[0] = seqs;
    fields[1] = ftz_stmt_text(st, 1);
    fields[2] = NULL;
    for (int i = 3; i < 10; i++)
        fields[i] = ftz_stmt_text(st, i);
    char h[65];
    ftz_audit_hash(ftz_stmt_text(st, 10), fields, h);
    ftz_stmt_done(st);
    assert_int_equal(ftz_db_run(f->db, "UPDATE audit SET hash = ? WHERE seq = 2", "s", h), FTZ_OK);
    ftz_audit_report rep;
    assert_int_equal(ftz_audit_verify(&f->c, &rep), FTZ_OK);
    assert_int_equal(rep.first_bad, 3);
}

static void test_deleted_middle_row(void **state)
{
    fixture *f = *state;
    append_rows(f, 5);
    assert_int_equal(ftz_db_exec(f->db, "DELETE FROM audit WHERE seq = 2"), FTZ_OK);
    ftz_audit_report rep;
    assert_int_equal(ftz_audit_verify(&f->c, &rep), FTZ_OK);
    assert_int_equal(rep.first_bad, 2);
}

static void test_deleted_newest_row(void **state)
{
    fixture *f = *state;
    append_rows(f, 5);
    assert_int_equal(ftz_db_exec(f->db, "DELETE FROM audit WHERE seq = 5"), FTZ_OK);
    ftz_audit_report rep;
    assert_int_equal(ftz_audit_verify(&f->c, &rep), FTZ_OK);
    assert_int_equal(rep.first_bad, 5);
    assert_non_null(rep.why);
}

static void test_can(void **state)
{
    (void)state;
    const char *perms[] = {"audit.read", "firm.read", "settings.read"};
    ftz_principal p = {0};
    p.perms = perms;
    p.nperms = 3;
    assert_true(ftz_can(&p, "firm.read"));
    assert_true(ftz_can(&p, "audit.read"));
    assert_false(ftz_can(&p, "firm.admin"));
    assert_false(ftz_can(&p, ""));
    assert_false(ftz_can(&p, NULL));
    assert_false(ftz_can(NULL, "firm.read"));
    ftz_principal sys = {0};
    sys.system = true;
    assert_true(ftz_can(&sys, "anything.at.all"));
    size_t n;
    const auth_perm_def *all = auth_perms(&n);
    assert_true(n > 10);
    for (size_t i = 0; i < n; i++) {
        assert_true(auth_perm_known(all[i].name));
        assert_non_null(strchr(all[i].name, '.'));
        if (i) assert_true(strcmp(all[i - 1].name, all[i].name) < 0);
    }
    assert_false(auth_perm_known("root.everything"));
}

static const char *scoped(ftz_ctx *c, ftz_principal *p, const auth_scope_cols *cols, ftz_q *q)
{
    c->who = p;
    ftz_q_init(q, c->arena);
    ftz_q_sql(q, "SELECT 1 FROM t WHERE 1 = 1");
    auth_scope_where(c, q, cols);
    return q->sql;
}

static void test_scope_sql(void **state)
{
    (void)state;
    ftz_ctx c;
    ftz_ctx_init_system(&c, NULL, NULL, "t");
    ftz_principal *saved = c.who;
    const auth_scope_cols all_cols = {"t.dept", "t.firm", "t.comm"};
    const auth_scope_cols no_cols = {NULL, NULL, NULL};
    ftz_q q;
    ftz_principal p = {0};

    p.scope = FTZ_SCOPE_ALL;
    assert_string_equal(scoped(&c, &p, &all_cols, &q), "SELECT 1 FROM t WHERE 1 = 1");
    assert_int_equal(q.nparams, 0);

    p.scope = FTZ_SCOPE_DEPT_TREE;
    p.dept_path = "/1/4/";
    assert_string_equal(scoped(&c, &p, &all_cols, &q),
                        "SELECT 1 FROM t WHERE 1 = 1 AND t.dept IN (SELECT id FROM departments "
                        "WHERE path LIKE ? ESCAPE '\\')");
    assert_int_equal(q.nparams, 1);
    assert_string_equal(q.params[0].s, "/1/4/%");

    p.scope = FTZ_SCOPE_OWN_FIRMS;
    p.user_id = 9;
    assert_string_equal(scoped(&c, &p, &all_cols, &q),
                        "SELECT 1 FROM t WHERE 1 = 1 AND t.comm = ?");
    assert_int_equal(q.params[0].i, 9);

    p.scope = FTZ_SCOPE_OWN_FIRM;
    p.firm_id = 3;
    assert_string_equal(scoped(&c, &p, &all_cols, &q),
                        "SELECT 1 FROM t WHERE 1 = 1 AND t.firm = ?");
    assert_int_equal(q.params[0].i, 3);

    /* A scope the table cannot express denies every row, never more. */
    for (int s = FTZ_SCOPE_DEPT_TREE; s <= FTZ_SCOPE_OWN_FIRM; s++) {
        p.scope = (ftz_scope)s;
        assert_string_equal(scoped(&c, &p, &no_cols, &q), "SELECT 1 FROM t WHERE 1 = 1 AND 1 = 0");
    }
    /* A firm account without a firm, a staff member without a department: nothing. */
    p.scope = FTZ_SCOPE_OWN_FIRM;
    p.firm_id = 0;
    assert_string_equal(scoped(&c, &p, &all_cols, &q), "SELECT 1 FROM t WHERE 1 = 1 AND 1 = 0");
    p.scope = FTZ_SCOPE_DEPT_TREE;
    p.dept_path = NULL;
    assert_string_equal(scoped(&c, &p, &all_cols, &q), "SELECT 1 FROM t WHERE 1 = 1 AND 1 = 0");
    /* No principal at all: nothing. */
    assert_string_equal(scoped(&c, NULL, &all_cols, &q), "SELECT 1 FROM t WHERE 1 = 1 AND 1 = 0");
    c.who = saved;
    ftz_ctx_cleanup(&c);
}

static void test_scope_names(void **state)
{
    (void)state;
    ftz_scope s;
    assert_true(ftz_scope_parse("dept_tree", &s));
    assert_int_equal(s, FTZ_SCOPE_DEPT_TREE);
    assert_string_equal(ftz_scope_name(FTZ_SCOPE_OWN_FIRM), "own_firm");
    assert_false(ftz_scope_parse("everything", &s));
    assert_false(ftz_scope_parse(NULL, &s));
}

static void test_lang_pick(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {NULL, "zh"},
        {"", "zh"},
        {"ru", "ru"},
        {"en-US,en;q=0.9", "en"},
        {"ru-RU,ru;q=0.9,en;q=0.8", "ru"},
        {"de-DE,en;q=0.5,ru;q=0.7", "ru"},
        {"fr, de", "zh"},
        {"zh-CN", "zh"},
        {"en;q=0.1, zh;q=0.2", "zh"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(ftz_i18n_pick(cases[i][0]), cases[i][1]);
    ftz_arena *a = ftz_arena_new();
    assert_string_equal(ftz_i18n(a, "en", "too_long", "100"), "At most 100 characters");
    assert_string_equal(ftz_i18n(a, "ru", "required", NULL), "Обязательное поле");
    assert_string_equal(ftz_i18n(a, "zh", "no.such.key", NULL), "no.such.key");
    assert_true(ftz_i18n_has("status.404"));
    ftz_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_vectors),
        cmocka_unit_test_setup_teardown(test_append_outside_txn_refused, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_chain_intact, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_rollback_leaves_no_row, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_altered_row, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_rewritten_hash_breaks_next, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_deleted_middle_row, setup_db, teardown_db),
        cmocka_unit_test_setup_teardown(test_deleted_newest_row, setup_db, teardown_db),
        cmocka_unit_test(test_can),
        cmocka_unit_test(test_scope_sql),
        cmocka_unit_test(test_scope_names),
        cmocka_unit_test(test_lang_pick),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
