/* roles.c — roles as rows holding a set of permissions (DESIGN.md §7). The built-in roles
 * are seeded from perm.c at every migrate (idempotent: a permission added to the catalogue
 * later reaches the admin role); an admin may edit them, but not delete them. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"

#include <stdio.h>
#include <string.h>

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static ftz_rc role_perms(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT permission FROM role_permissions WHERE role_id = ? "
                               "ORDER BY permission",
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

static json_t *role_row(const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "name", jstr(ftz_stmt_text(st, 1)));
    json_object_set_new(o, "title_zh", jstr(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "title_ru", jstr(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "title_en", jstr(ftz_stmt_text(st, 4)));
    json_object_set_new(o, "builtin", json_boolean(ftz_stmt_int(st, 5)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 6)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 7)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 8)));
    json_object_set_new(o, "users", json_integer(ftz_stmt_int(st, 9)));
    return o;
}

#define ROLE_SELECT                                                                                \
    "SELECT r.id, r.name, r.title_zh, r.title_ru, r.title_en, r.builtin, r.created_at, "           \
    "r.updated_at, r.version, (SELECT count(*) FROM user_roles ur WHERE ur.role_id = r.id) "       \
    "FROM roles r"

ftz_rc auth_role_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, ROLE_SELECT " WHERE r.id = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    int r = ftz_stmt_next(st);
    json_t *o = r == 1 ? role_row(st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (!o) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    json_t *p;
    rc = role_perms(c, id, &p);
    if (rc) {
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "permissions", p);
    *out = o;
    return FTZ_OK;
}

ftz_rc auth_roles_list(ftz_ctx *c, json_t **items)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, ROLE_SELECT " ORDER BY r.builtin DESC, r.id", &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, role_row(st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it)
    {
        json_t *p;
        rc = role_perms(c, json_integer_value(json_object_get(it, "id")), &p);
        if (rc) {
            json_decref(arr);
            return rc;
        }
        json_object_set_new(it, "permissions", p);
    }
    *items = arr;
    return FTZ_OK;
}

static ftz_rc add_perm(ftz_ctx *c, int64_t role_id, const char *perm)
{
    return ftz_db_run(c->db,
                      "INSERT INTO role_permissions (role_id, permission) VALUES (?, ?) "
                      "ON CONFLICT (role_id, permission) DO NOTHING",
                      "is", role_id, perm);
}

ftz_rc auth_roles_seed(ftz_ctx *c)
{
    char now[32];
    ftz_db_now(now);
    size_t nperms;
    const auth_perm_def *all = auth_perms(&nperms);
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) return rc;
    for (size_t i = 0; i < auth_nbuiltin_roles; i++) {
        const auth_role_def *d = &auth_builtin_roles[i];
        int64_t id;
        rc = ftz_db_scalar(c->db, &id, "SELECT id FROM roles WHERE name = ?", "s", d->name);
        bool created = false;
        if (rc == FTZ_ENOTFOUND) {
            rc = ftz_db_scalar(c->db, &id,
                               "INSERT INTO roles (name, title_zh, title_ru, title_en, builtin, "
                               "created_at, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?) RETURNING id",
                               "ssssss", d->name, d->zh, d->ru, d->en, now, now);
            created = true;
        }
        if (rc) goto fail;
        bool star = d->perms[0] && strcmp(d->perms[0], "*") == 0;
        if (star) {
            /* The admin role always holds the whole catalogue. */
            for (size_t k = 0; k < nperms; k++) {
                rc = add_perm(c, id, all[k].name);
                if (rc) goto fail;
            }
        } else if (created) {
            for (const char *const *p = d->perms; *p; p++) {
                rc = add_perm(c, id, *p);
                if (rc) goto fail;
            }
        }
        if (created) {
            json_t *after = json_pack("{s:s}", "name", d->name);
            rc = ftz_audit_id(c, "role.seed", "role", id, NULL, after);
            json_decref(after);
            if (rc) goto fail;
        }
    }
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 32 || !(s[0] >= 'a' && s[0] <= 'z')) return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_')) return false;
    return true;
}

static void check_perms(ftz_ctx *c, const char **perms, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char f[48];
        snprintf(f, sizeof f, "permissions[%zu]", i);
        if (!auth_perm_known(perms[i]))
            ftz_err_field(&c->err, f, "enum", perms[i]);
        else if (!ftz_can(c->who, perms[i]))
            ftz_err_field(&c->err, f, "not_held", perms[i]);
    }
}

/* Changing or deleting a role needs every permission it holds now: otherwise a role
 * administrator could strip the admin role or rewrite one it cannot see the reach of. */
static ftz_rc check_role_power(ftz_ctx *c, json_t *role)
{
    if (!c->who || c->who->system) return FTZ_OK;
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(role, "permissions"), i, p)
    {
        if (!ftz_can(c->who, json_string_value(p)))
            return ftz_err_set(&c->err, FTZ_EDENIED, "not_held", json_string_value(p));
    }
    return FTZ_OK;
}

static ftz_rc set_perms(ftz_ctx *c, int64_t id, const char **perms, size_t n)
{
    ftz_rc rc = ftz_db_run(c->db, "DELETE FROM role_permissions WHERE role_id = ?", "i", id);
    for (size_t i = 0; !rc && i < n; i++)
        rc = add_perm(c, id, perms[i]);
    return rc;
}

ftz_rc auth_role_create(ftz_ctx *c, const char *name, const char *zh, const char *ru,
                        const char *en, const char **perms, size_t nperms, int64_t *id)
{
    if (!name)
        ftz_err_field(&c->err, "name", "required", NULL);
    else if (!name_ok(name))
        ftz_err_field(&c->err, "name", "format", "[a-z][a-z0-9_]{1,31}");
    if (!zh) ftz_err_field(&c->err, "title_zh", "required", NULL);
    if (!ru) ftz_err_field(&c->err, "title_ru", "required", NULL);
    if (!en) ftz_err_field(&c->err, "title_en", "required", NULL);
    check_perms(c, perms, nperms);
    if (name && name_ok(name)) {
        int64_t x;
        ftz_rc rc = ftz_db_scalar(c->db, &x, "SELECT id FROM roles WHERE name = ?", "s", name);
        if (rc == FTZ_OK)
            ftz_err_duplicate(&c->err, "name");
        else if (rc != FTZ_ENOTFOUND)
            return rc;
    }
    if (c->err.rc) return c->err.rc;
    char now[32];
    ftz_db_now(now);
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) return rc;
    rc =
        ftz_db_scalar(c->db, id,
                      "INSERT INTO roles (name, title_zh, title_ru, title_en, builtin, created_at, "
                      "updated_at) VALUES (?, ?, ?, ?, 0, ?, ?) RETURNING id",
                      "ssssss", name, zh, ru, en, now, now);
    if (rc == FTZ_ECONFLICT) ftz_err_duplicate(&c->err, "name");
    if (rc) goto fail;
    rc = set_perms(c, *id, perms, nperms);
    if (rc) goto fail;
    json_t *after;
    rc = auth_role_get(c, *id, &after);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "role.create", "role", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc auth_role_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = auth_role_get(c, id, &before);
    if (rc) return rc;
    rc = check_role_power(c, before);
    if (rc) goto out;
    const char *zh = json_string_value(json_object_get(before, "title_zh"));
    const char *ru = json_string_value(json_object_get(before, "title_ru"));
    const char *en = json_string_value(json_object_get(before, "title_en"));
    json_t *v;
    if ((v = json_object_get(patch, "title_zh"))) zh = json_string_value(v);
    if ((v = json_object_get(patch, "title_ru"))) ru = json_string_value(v);
    if ((v = json_object_get(patch, "title_en"))) en = json_string_value(v);
    json_t *pj = json_object_get(patch, "permissions");
    size_t n = pj ? json_array_size(pj) : 0;
    const char **perms = ftz_arena_alloc(c->arena, (n + 1) * sizeof(char *));
    for (size_t i = 0; i < n; i++)
        perms[i] = json_string_value(json_array_get(pj, i));
    if (pj) check_perms(c, perms, n);
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    ftz_stmt *st;
    rc =
        ftz_db_prepare(c->db,
                       "UPDATE roles SET title_zh = ?, title_ru = ?, title_en = ?, updated_at = ?, "
                       "version = version + 1 WHERE id = ? AND version = ?",
                       &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, zh);
    ftz_stmt_bind_text(st, ru);
    ftz_stmt_bind_text(st, en);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    rc = ftz_stmt_exec(st);
    int64_t changed = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (changed != 1) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld",
                 (long long)json_integer_value(json_object_get(before, "version")));
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", cur);
        goto fail;
    }
    if (pj) {
        rc = set_perms(c, id, perms, n);
        if (rc) goto fail;
    }
    json_t *after;
    rc = auth_role_get(c, id, &after);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "role.update", "role", id, before, after);
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

ftz_rc auth_role_delete(ftz_ctx *c, int64_t id)
{
    json_t *before;
    ftz_rc rc = auth_role_get(c, id, &before);
    if (rc) return rc;
    rc = check_role_power(c, before);
    if (rc) {
        json_decref(before);
        return rc;
    }
    if (json_is_true(json_object_get(before, "builtin"))) {
        json_decref(before);
        return ftz_err_set(&c->err, FTZ_ECONFLICT, "conflict", "builtin");
    }
    if (json_integer_value(json_object_get(before, "users")) > 0) {
        json_decref(before);
        return ftz_err_set(&c->err, FTZ_ECONFLICT, "has_dependents", "users");
    }
    rc = ftz_db_begin(c->db);
    if (!rc) rc = ftz_db_run(c->db, "DELETE FROM role_permissions WHERE role_id = ?", "i", id);
    if (!rc) rc = ftz_db_run(c->db, "DELETE FROM roles WHERE id = ?", "i", id);
    if (rc == FTZ_ECONFLICT) ftz_err_set(&c->err, FTZ_ECONFLICT, "has_dependents", "users");
    if (!rc) rc = ftz_audit_id(c, "role.delete", "role", id, before, NULL);
    if (!rc) rc = ftz_db_commit(c->db);
    if (rc) ftz_db_rollback(c->db);
    json_decref(before);
    return rc;
}
