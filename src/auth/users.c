/* users.c — user accounts: create, read, list, update, passwords, disable (DESIGN.md §4, §7).
 *
 * The rules live here, not in the routes, so the API and the CLI enforce the same ones. A
 * user is visible to an administrator only within the administrator's data scope; role
 * grants are limited to roles whose every permission the granting user holds. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/utf8.h"
#include "firm/firm.h"

#include <stdio.h>
#include <string.h>

static const char USER_COLS[] =
    "SELECT u.id, u.username, u.display_name, u.department_id, " FTZ_DEPT_NAME_SQL
    ", u.firm_id, u.scope, "
    "u.disabled, u.lang, u.created_at, u.updated_at, u.version, u.password_changed_at "
    "FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE 1 = 1";

static const auth_scope_cols user_scope = {"u.department_id", "u.firm_id", NULL};

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

static ftz_rc user_roles_json(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT r.name FROM user_roles ur JOIN roles r ON r.id = ur.role_id "
                               "WHERE ur.user_id = ? ORDER BY r.name",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, json_string(ftz_stmt_text(st, 0)));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *out = arr;
    return FTZ_OK;
}

static json_t *user_row(const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "username", jstr(ftz_stmt_text(st, 1)));
    json_object_set_new(o, "display_name", jstr(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "department_id", jid(st, 3));
    json_object_set_new(o, "department_name", jstr(ftz_stmt_text(st, 4)));
    json_object_set_new(o, "firm_id", jid(st, 5));
    json_object_set_new(o, "scope", jstr(ftz_stmt_text(st, 6)));
    json_object_set_new(o, "disabled", json_boolean(ftz_stmt_int(st, 7)));
    json_object_set_new(o, "lang", jstr(ftz_stmt_text(st, 8)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 9)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 11)));
    json_object_set_new(o, "password_changed_at", jstr(ftz_stmt_text(st, 12)));
    return o;
}

ftz_rc auth_user_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, USER_COLS);
    ftz_q_text(&q, c->lang);
    ftz_q_sql(&q, " AND u.id = ?");
    ftz_q_int(&q, id);
    auth_scope_where(c, &q, &user_scope);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    json_t *o = r == 1 ? user_row(st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (!o) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    json_t *roles;
    rc = user_roles_json(c, id, &roles);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "roles", roles);
    *out = o;
    return FTZ_OK;
}

ftz_rc auth_user_find(ftz_ctx *c, const char *username, int64_t *id)
{
    ftz_rc rc = ftz_db_scalar(c->db, id, "SELECT id FROM users WHERE username = ?", "s", username);
    if (rc == FTZ_ENOTFOUND) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return rc;
}

static bool username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 3 || n > 64) return false;
    if (!((u[0] >= 'a' && u[0] <= 'z') || (u[0] >= '0' && u[0] <= '9'))) return false;
    for (const char *p = u; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' ||
              ch == '-'))
            return false;
    }
    return true;
}

/* The folded search text of a user (see schema.sql, migration 2). */
static char *name_fold(ftz_arena *a, const char *username, const char *display)
{
    char *all = ftz_arena_printf(a, "%s %s", username ? username : "", display ? display : "");
    char *f = ftz_utf8_fold(a, all);
    return f ? f : all;
}

static bool lang_ok(const char *l)
{
    return strcmp(l, "zh") == 0 || strcmp(l, "ru") == 0 || strcmp(l, "en") == 0;
}

/* Role ids for names, checking each exists and that the actor holds all its permissions. */
static ftz_rc resolve_roles(ftz_ctx *c, const char **names, size_t n, int64_t *ids,
                            ftz_scope *widest)
{
    *widest = FTZ_SCOPE_OWN_FIRM;
    bool any_builtin = false;
    for (size_t i = 0; i < n; i++) {
        char field[32];
        snprintf(field, sizeof field, "roles[%zu]", i);
        int64_t rid;
        ftz_rc rc =
            ftz_db_scalar(c->db, &rid, "SELECT id FROM roles WHERE name = ?", "s", names[i]);
        if (rc == FTZ_ENOTFOUND) {
            ftz_err_field(&c->err, field, "no_such", names[i]);
            continue;
        }
        if (rc) return rc;
        ids[i] = rid;
        for (size_t k = 0; k < i; k++)
            if (ids[k] == rid) ftz_err_field(&c->err, field, "exists", names[i]);
        if (!c->who->system) {
            ftz_stmt *st;
            rc = ftz_db_prepare(c->db, "SELECT permission FROM role_permissions WHERE role_id = ?",
                                &st);
            if (rc) return rc;
            ftz_stmt_bind_int(st, rid);
            int r;
            while ((r = ftz_stmt_next(st)) == 1) {
                if (!ftz_can(c->who, ftz_stmt_text(st, 0))) {
                    ftz_err_field(&c->err, field, "not_held", ftz_stmt_text(st, 0));
                    break;
                }
            }
            ftz_stmt_done(st);
            if (r < 0) return FTZ_EDB;
        }
        for (size_t k = 0; k < auth_nbuiltin_roles; k++) {
            if (strcmp(auth_builtin_roles[k].name, names[i]) == 0) {
                any_builtin = true;
                if (auth_builtin_roles[k].scope < *widest) *widest = auth_builtin_roles[k].scope;
            }
        }
    }
    if (!any_builtin) *widest = FTZ_SCOPE_DEPT_TREE;
    return FTZ_OK;
}

static ftz_rc check_refs(ftz_ctx *c, int64_t dept_id, int64_t firm_id)
{
    int64_t x;
    ftz_rc rc;
    if (dept_id) {
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM departments WHERE id = ?", "i", dept_id);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "department_id", "no_such", NULL);
        else if (rc)
            return rc;
    }
    if (firm_id) {
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM firms WHERE id = ?", "i", firm_id);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "firm_id", "no_such", NULL);
        else if (rc)
            return rc;
    }
    return FTZ_OK;
}

static void check_scope_fits(ftz_ctx *c, ftz_scope s, int64_t dept_id, int64_t firm_id)
{
    if (s == FTZ_SCOPE_OWN_FIRM && !firm_id) ftz_err_field(&c->err, "firm_id", "required", NULL);
    /* A dept_tree user without a department is allowed (DESIGN.md §4: the department is
     * optional for every role); its scope then reaches no rows until one is set. */
    (void)dept_id;
}

/* No escalation through scopes: an administrator whose own scope is narrower than `all` may
 * give a user only a scope inside its own — never `all`, a department inside its tree, a
 * firm it can see. (Role grants are checked permission by permission in resolve_roles.) */
static ftz_rc check_scope_grant(ftz_ctx *c, ftz_scope s, int64_t dept_id, int64_t firm_id)
{
    const ftz_principal *who = c->who;
    if (!who || who->system || who->scope == FTZ_SCOPE_ALL) return FTZ_OK;
    if (s == FTZ_SCOPE_ALL || s == FTZ_SCOPE_OWN_FIRMS) {
        ftz_err_field(&c->err, "scope", "not_held", ftz_scope_name(s));
        return FTZ_OK;
    }
    if (s == FTZ_SCOPE_DEPT_TREE || dept_id) {
        int64_t x;
        ftz_rc rc = FTZ_ENOTFOUND;
        if (dept_id && who->scope == FTZ_SCOPE_DEPT_TREE && who->dept_path) {
            char *prefix = ftz_arena_printf(c->arena, "%s%%", who->dept_path);
            rc = ftz_db_scalar(c->db, &x, "SELECT id FROM departments WHERE id = ? AND path LIKE ?",
                               "is", dept_id, prefix);
        }
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "department_id", "not_held", NULL);
        else if (rc)
            return rc;
    }
    if (s == FTZ_SCOPE_OWN_FIRM && firm_id) {
        json_t *f;
        ftz_err saved = c->err; /* firm_get records its own not-found */
        ftz_rc rc = firm_get(c, firm_id, &f);
        c->err = saved;
        if (rc == FTZ_ENOTFOUND) {
            ftz_err_field(&c->err, "firm_id", "not_held", NULL);
        } else if (rc) {
            return rc;
        } else {
            json_decref(f);
        }
    }
    return FTZ_OK;
}

/* No escalation through another account: changing a user (its roles, scope, password, or
 * whether it may log in) needs every permission that user holds. */
static ftz_rc check_target_power(ftz_ctx *c, int64_t uid)
{
    if (!c->who || c->who->system) return FTZ_OK;
    ftz_stmt *st;
    ftz_rc rc =
        ftz_db_prepare(c->db,
                       "SELECT DISTINCT rp.permission FROM user_roles ur JOIN "
                       "role_permissions rp ON rp.role_id = ur.role_id WHERE ur.user_id = ?",
                       &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, uid);
    int r;
    char *missing = NULL;
    while ((r = ftz_stmt_next(st)) == 1) {
        if (!ftz_can(c->who, ftz_stmt_text(st, 0))) {
            missing = ftz_stmt_dup(st, 0, c->arena);
            break;
        }
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (missing) return ftz_err_set(&c->err, FTZ_EDENIED, "not_held", missing);
    return FTZ_OK;
}

static ftz_rc set_roles(ftz_ctx *c, int64_t uid, const int64_t *ids, size_t n)
{
    ftz_rc rc = ftz_db_run(c->db, "DELETE FROM user_roles WHERE user_id = ?", "i", uid);
    for (size_t i = 0; !rc && i < n; i++)
        rc = ftz_db_run(c->db, "INSERT INTO user_roles (user_id, role_id) VALUES (?, ?)", "ii", uid,
                        ids[i]);
    return rc;
}

ftz_rc auth_user_create(ftz_ctx *c, const auth_user_in *in, int64_t *id)
{
    if (!in->username)
        ftz_err_field(&c->err, "username", "required", NULL);
    else if (!username_ok(in->username))
        ftz_err_field(&c->err, "username", "format", "a-z 0-9 . _ -, 3–64");
    auth_password_check(c, "password", in->password, in->username);
    if (!in->display_name) ftz_err_field(&c->err, "display_name", "required", NULL);
    if (in->lang && !lang_ok(in->lang)) ftz_err_field(&c->err, "lang", "enum", "zh, ru, en");
    if (!in->nroles) ftz_err_field(&c->err, "roles", "required", NULL);
    int64_t *role_ids = ftz_arena_alloc(c->arena, (in->nroles + 1) * sizeof(int64_t));
    ftz_scope widest = FTZ_SCOPE_DEPT_TREE;
    ftz_rc rc = resolve_roles(c, in->roles, in->nroles, role_ids, &widest);
    if (rc) return rc;
    ftz_scope scope = widest;
    if (in->scope && !ftz_scope_parse(in->scope, &scope))
        ftz_err_field(&c->err, "scope", "enum", "all, dept_tree, own_firms, own_firm");
    rc = check_refs(c, in->department_id, in->firm_id);
    if (rc) return rc;
    check_scope_fits(c, scope, in->department_id, in->firm_id);
    rc = check_scope_grant(c, scope, in->department_id, in->firm_id);
    if (rc) return rc;
    if (in->username && username_ok(in->username)) {
        int64_t x;
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM users WHERE username = ?", "s", in->username);
        if (rc == FTZ_OK)
            ftz_err_duplicate(&c->err, "username");
        else if (rc != FTZ_ENOTFOUND)
            return rc;
    }
    if (c->err.rc) return c->err.rc;

    char *hash;
    rc = auth_password_hash(c, in->password, &hash);
    if (rc) return rc;
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO users (username, display_name, password_hash, department_id, "
                        "firm_id, scope, disabled, lang, created_at, updated_at, "
                        "password_changed_at, name_fold) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                        "?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, in->username);
    ftz_stmt_bind_text(st, in->display_name);
    ftz_stmt_bind_text(st, hash);
    ftz_stmt_bind_id(st, in->department_id);
    ftz_stmt_bind_id(st, in->firm_id);
    ftz_stmt_bind_text(st, ftz_scope_name(scope));
    ftz_stmt_bind_int(st, in->disabled ? 1 : 0);
    ftz_stmt_bind_text(st, in->lang ? in->lang : "zh");
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, name_fold(c->arena, in->username, in->display_name));
    int r = ftz_stmt_next(st);
    *id = r == 1 ? ftz_stmt_int(st, 0) : 0;
    rc = r == 1 ? FTZ_OK : (ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB);
    ftz_stmt_done(st);
    if (rc == FTZ_ECONFLICT) {
        ftz_err_duplicate(&c->err, "username");
        goto fail;
    }
    if (rc) goto fail;
    rc = set_roles(c, *id, role_ids, in->nroles);
    if (rc) goto fail;
    json_t *after;
    rc = auth_user_get(c, *id, &after);
    if (rc == FTZ_ENOTFOUND) {
        /* Created outside the creator's own scope: still audit what was written. */
        ftz_err_init(&c->err, c->arena);
        after = json_pack("{s:I,s:s}", "id", (json_int_t)*id, "username", in->username);
        rc = FTZ_OK;
    }
    if (rc) goto fail;
    rc = ftz_audit_id(c, "user.create", "user", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc auth_users_list(ftz_ctx *c, const auth_list_q *lq, json_t **items, int64_t *total)
{
    ftz_q where;
    ftz_q_init(&where, c->arena);
    if (lq->q && *lq->q) {
        char *f = ftz_utf8_fold(c->arena, lq->q);
        if (!f) return ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        char *pat = ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f));
        ftz_q_sql(&where, " AND u.name_fold LIKE ? ESCAPE '\\'");
        ftz_q_text(&where, pat);
    }
    if (lq->role && *lq->role) {
        ftz_q_sql(&where, " AND u.id IN (SELECT ur.user_id FROM user_roles ur JOIN roles r ON "
                          "r.id = ur.role_id WHERE r.name = ?)");
        ftz_q_text(&where, lq->role);
    }
    if (lq->department_id) {
        ftz_q_sql(&where, " AND u.department_id = ?");
        ftz_q_int(&where, lq->department_id);
    }
    if (lq->disabled >= 0) {
        ftz_q_sql(&where, " AND u.disabled = ?");
        ftz_q_int(&where, lq->disabled);
    }
    auth_scope_where(c, &where, &user_scope);

    /* count */
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM users u WHERE 1 = 1");
    ftz_q_append(&q, &where);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *total = r == 1 ? ftz_stmt_int(st, 0) : 0;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;

    static const char *const sorts[][2] = {{"username", "u.username"},
                                           {"display_name", "u.display_name"},
                                           {"created_at", "u.created_at"},
                                           {"id", "u.id"}};
    const char *order = "u.username";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, USER_COLS);
    ftz_q_text(&q, c->lang);
    ftz_q_append(&q, &where);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s %s, u.id LIMIT ? OFFSET ?", order,
                                   lq->desc ? "DESC" : "ASC"));
    ftz_q_int(&q, lq->limit);
    ftz_q_int(&q, lq->offset);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, user_row(st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        json_t *roles;
        rc = user_roles_json(c, json_integer_value(json_object_get(it, "id")), &roles);
        if (rc) {
            json_decref(arr);
            return rc;
        }
        json_object_set_new(it, "roles", roles);
    }
    *items = arr;
    return FTZ_OK;
}

/* Runs `sql` (an UPDATE … WHERE id = ? AND version = ? shape is the caller's) and maps
 * no-row results to not-found or stale. */
static ftz_rc version_check(ftz_ctx *c, int64_t id, int64_t version)
{
    int64_t cur;
    ftz_rc rc = ftz_db_scalar(c->db, &cur, "SELECT version FROM users WHERE id = ?", "i", id);
    if (rc == FTZ_ENOTFOUND) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    if (rc) return rc;
    if (cur != version) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)cur);
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale", v);
    }
    return FTZ_OK;
}

ftz_rc auth_user_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = auth_user_get(c, id, &before);
    if (rc) return rc;
    rc = check_target_power(c, id);
    if (rc) {
        json_decref(before);
        return rc;
    }
    int64_t dept = json_integer_value(json_object_get(before, "department_id"));
    int64_t firm = json_integer_value(json_object_get(before, "firm_id"));
    ftz_scope scope;
    if (!ftz_scope_parse(json_string_value(json_object_get(before, "scope")), &scope))
        scope = FTZ_SCOPE_OWN_FIRM;
    const char *display = json_string_value(json_object_get(before, "display_name"));
    const char *lang = json_string_value(json_object_get(before, "lang"));
    bool disabled = json_is_true(json_object_get(before, "disabled"));
    json_t *v;
    if ((v = json_object_get(patch, "display_name"))) display = json_string_value(v);
    if ((v = json_object_get(patch, "lang"))) {
        lang = json_string_value(v);
        if (!lang || !lang_ok(lang)) ftz_err_field(&c->err, "lang", "enum", "zh, ru, en");
    }
    if ((v = json_object_get(patch, "department_id"))) dept = json_integer_value(v);
    if ((v = json_object_get(patch, "firm_id"))) firm = json_integer_value(v);
    if ((v = json_object_get(patch, "disabled"))) disabled = json_is_true(v);
    if (disabled && c->who->user_id == id) ftz_err_field(&c->err, "disabled", "self_disable", NULL);
    int64_t *role_ids = NULL;
    size_t nroles = 0;
    ftz_scope widest = scope;
    json_t *roles = json_object_get(patch, "roles");
    if (roles) {
        nroles = json_array_size(roles);
        if (!nroles) ftz_err_field(&c->err, "roles", "required", NULL);
        const char **names = ftz_arena_alloc(c->arena, (nroles + 1) * sizeof(char *));
        for (size_t i = 0; i < nroles; i++)
            names[i] = json_string_value(json_array_get(roles, i));
        role_ids = ftz_arena_alloc(c->arena, (nroles + 1) * sizeof(int64_t));
        rc = resolve_roles(c, names, nroles, role_ids, &widest);
        if (rc) goto out;
        scope = widest;
    }
    if ((v = json_object_get(patch, "scope"))) {
        if (!ftz_scope_parse(json_string_value(v), &scope))
            ftz_err_field(&c->err, "scope", "enum", "all, dept_tree, own_firms, own_firm");
    }
    rc = check_refs(c, dept, firm);
    if (rc) goto out;
    check_scope_fits(c, scope, dept, firm);
    rc = check_scope_grant(c, scope, dept, firm);
    if (rc) goto out;
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    rc = version_check(c, id, version);
    if (rc) goto fail;
    char now[32];
    ftz_db_now(now);
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE users SET display_name = ?, lang = ?, department_id = ?, "
                        "firm_id = ?, scope = ?, disabled = ?, updated_at = ?, name_fold = ?, "
                        "version = version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, display);
    ftz_stmt_bind_text(st, lang);
    ftz_stmt_bind_id(st, dept);
    ftz_stmt_bind_id(st, firm);
    ftz_stmt_bind_text(st, ftz_scope_name(scope));
    ftz_stmt_bind_int(st, disabled ? 1 : 0);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(
        st, name_fold(c->arena, json_string_value(json_object_get(before, "username")), display));
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    rc = ftz_stmt_exec(st);
    int64_t changed = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (changed != 1) {
        rc = version_check(c, id, version);
        if (!rc) rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", NULL);
        goto fail;
    }
    if (roles) {
        rc = set_roles(c, id, role_ids, nroles);
        if (rc) goto fail;
    }
    if (disabled) {
        rc = ftz_db_run(c->db, "DELETE FROM sessions WHERE user_id = ?", "i", id);
        if (rc) goto fail;
    }
    json_t *after;
    rc = auth_user_get(c, id, &after);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "user.update", "user", id, before, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    json_decref(before);
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
out:
    json_decref(before);
    return rc;
}

static ftz_rc store_password(ftz_ctx *c, int64_t id, const char *password, const char *action,
                             bool end_sessions)
{
    char *hash;
    ftz_rc rc = auth_password_hash(c, password, &hash);
    if (rc) return rc;
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) return rc;
    rc = ftz_db_run(c->db,
                    "UPDATE users SET password_hash = ?, password_changed_at = ?, updated_at = ?, "
                    "version = version + 1 WHERE id = ?",
                    "sssi", hash, now, now, id);
    if (!rc && end_sessions)
        rc = ftz_db_run(c->db, "DELETE FROM sessions WHERE user_id = ?", "i", id);
    if (!rc) rc = ftz_audit_id(c, action, "user", id, NULL, NULL);
    if (!rc) rc = ftz_db_commit(c->db);
    if (rc) ftz_db_rollback(c->db);
    return rc;
}

ftz_rc auth_user_set_password(ftz_ctx *c, int64_t id, const char *password)
{
    json_t *u;
    ftz_rc rc = auth_user_get(c, id, &u);
    if (rc) return rc;
    auth_password_check(c, "password", password, json_string_value(json_object_get(u, "username")));
    json_decref(u);
    if (c->err.rc) return c->err.rc;
    rc = check_target_power(c, id);
    if (rc) return rc;
    return store_password(c, id, password, "user.password.reset", true);
}

ftz_rc auth_user_change_own_password(ftz_ctx *c, const char *current, const char *next)
{
    int64_t id = c->who->user_id;
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, "SELECT password_hash FROM users WHERE id = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    int r = ftz_stmt_next(st);
    char *hash = r == 1 ? ftz_stmt_dup(st, 0, c->arena) : NULL;
    ftz_stmt_done(st);
    if (!hash) return FTZ_ENOTFOUND;
    if (!current || !auth_password_verify(hash, current))
        ftz_err_field(&c->err, "current_password", "wrong_password", NULL);
    auth_password_check(c, "new_password", next, c->who->username);
    if (c->err.rc) return c->err.rc;
    return store_password(c, id, next, "user.password.change", false);
}

ftz_rc auth_user_set_disabled(ftz_ctx *c, int64_t id, bool disabled)
{
    json_t *u;
    ftz_rc rc = auth_user_get(c, id, &u);
    if (rc) return rc;
    int64_t version = json_integer_value(json_object_get(u, "version"));
    json_decref(u);
    json_t *patch = json_pack("{s:b}", "disabled", disabled);
    rc = auth_user_update(c, id, version, patch);
    json_decref(patch);
    return rc;
}

ftz_rc auth_users_backfill_fold(ftz_ctx *c)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db, "SELECT id, username, display_name FROM users WHERE name_fold = ''", &st);
    if (rc) return rc;
    json_t *todo = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(
            todo, json_pack("{s:I,s:s}", "id", (json_int_t)ftz_stmt_int(st, 0), "fold",
                            name_fold(c->arena, ftz_stmt_text(st, 1), ftz_stmt_text(st, 2))));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(todo);
        return FTZ_EDB;
    }
    if (!json_array_size(todo)) {
        json_decref(todo);
        return FTZ_OK;
    }
    rc = ftz_db_begin(c->db);
    size_t i;
    json_t *it;
    json_array_foreach(todo, i, it)
    {
        if (rc) break;
        rc = ftz_db_run(c->db, "UPDATE users SET name_fold = ? WHERE id = ? AND name_fold = ''",
                        "si", json_string_value(json_object_get(it, "fold")),
                        (int64_t)json_integer_value(json_object_get(it, "id")));
    }
    if (!rc) rc = ftz_db_commit(c->db);
    if (rc) ftz_db_rollback(c->db);
    json_decref(todo);
    return rc;
}

ftz_rc auth_user_set_own_lang(ftz_ctx *c, const char *lang)
{
    if (!lang || !lang_ok(lang)) ftz_err_field(&c->err, "lang", "enum", "zh, ru, en");
    if (!c->who || !c->who->user_id) return ftz_err_set(&c->err, FTZ_EAUTH, "login_required", NULL);
    if (c->err.rc) return c->err.rc;
    int64_t id = c->who->user_id;
    json_t *before = json_pack("{s:s?}", "lang", c->who->lang);
    json_t *after = json_pack("{s:s}", "lang", lang);
    char now[32];
    ftz_db_now(now);
    ftz_rc rc = ftz_db_begin(c->db);
    if (!rc)
        rc = ftz_db_run(c->db,
                        "UPDATE users SET lang = ?, updated_at = ?, version = version + 1 "
                        "WHERE id = ?",
                        "ssi", lang, now, id);
    if (!rc) rc = ftz_audit_id(c, "user.lang", "user", id, before, after);
    if (!rc) rc = ftz_db_commit(c->db);
    if (rc) ftz_db_rollback(c->db);
    json_decref(before);
    json_decref(after);
    if (!rc) c->who->lang = ftz_arena_strdup(c->arena, lang);
    return rc;
}
