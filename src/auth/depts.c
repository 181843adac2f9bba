/* depts.c — the department tree. Each row keeps its materialised path ("/1/4/9/") so that a
 * dept_tree scope is one indexed LIKE; moving a department rewrites the paths below it in
 * the same transaction. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"

#include <stdio.h>
#include <string.h>

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *dept_row(const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "parent_id",
                        ftz_stmt_isnull(st, 1) ? json_null() : json_integer(ftz_stmt_int(st, 1)));
    json_object_set_new(o, "code", jstr(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "name", jstr(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "name_ru", jstr(ftz_stmt_text(st, 4)));
    json_object_set_new(o, "name_en", jstr(ftz_stmt_text(st, 5)));
    json_object_set_new(o, "path", jstr(ftz_stmt_text(st, 6)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 7)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 8)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 9)));
    return o;
}

ftz_rc auth_dept_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT id, parent_id, code, name, name_ru, name_en, path, "
                               "created_at, updated_at, version FROM departments WHERE id = ?",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    int r = ftz_stmt_next(st);
    *out = r == 1 ? dept_row(st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

ftz_rc auth_depts_list(ftz_ctx *c, json_t **items)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT id, parent_id, code, name, name_ru, name_en, path, "
                               "created_at, updated_at, version FROM departments ORDER BY path",
                               &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, dept_row(st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

ftz_rc auth_dept_find(ftz_ctx *c, const char *code, int64_t *id)
{
    ftz_rc rc = ftz_db_scalar(c->db, id, "SELECT id FROM departments WHERE code = ?", "s", code);
    if (rc == FTZ_ENOTFOUND) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return rc;
}

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32) return false;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return false;
    }
    return true;
}

static ftz_rc parent_path(ftz_ctx *c, int64_t parent_id, char **path)
{
    *path = NULL;
    if (!parent_id) return FTZ_OK;
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, "SELECT path FROM departments WHERE id = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, parent_id);
    int r = ftz_stmt_next(st);
    if (r == 1) *path = ftz_stmt_dup(st, 0, c->arena);
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) ftz_err_field(&c->err, "parent_id", "no_such", NULL);
    return FTZ_OK;
}

ftz_rc auth_dept_create(ftz_ctx *c, const char *code, const char *name, const char *name_ru,
                        const char *name_en, int64_t parent_id, int64_t *id)
{
    if (!code)
        ftz_err_field(&c->err, "code", "required", NULL);
    else if (!code_ok(code))
        ftz_err_field(&c->err, "code", "format", "A-Z a-z 0-9 _ -, 1–32");
    if (!name) ftz_err_field(&c->err, "name", "required", NULL);
    char *ppath;
    ftz_rc rc = parent_path(c, parent_id, &ppath);
    if (rc) return rc;
    if (code && code_ok(code)) {
        int64_t x;
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM departments WHERE code = ?", "s", code);
        if (rc == FTZ_OK)
            ftz_err_duplicate(&c->err, "code");
        else if (rc != FTZ_ENOTFOUND)
            return rc;
    }
    if (c->err.rc) return c->err.rc;
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO departments (parent_id, code, name, name_ru, name_en, path, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, '/', ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_id(st, parent_id);
    ftz_stmt_bind_text(st, code);
    ftz_stmt_bind_text(st, name);
    ftz_stmt_bind_text(st, name_ru);
    ftz_stmt_bind_text(st, name_en);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    int r = ftz_stmt_next(st);
    *id = r == 1 ? ftz_stmt_int(st, 0) : 0;
    rc = r == 1 ? FTZ_OK : (ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB);
    ftz_stmt_done(st);
    if (rc == FTZ_ECONFLICT) ftz_err_duplicate(&c->err, "code");
    if (rc) goto fail;
    char *path = ftz_arena_printf(c->arena, "%s%lld/", ppath ? ppath : "/", (long long)*id);
    rc = ftz_db_run(c->db, "UPDATE departments SET path = ? WHERE id = ?", "si", path, *id);
    if (rc) goto fail;
    json_t *after;
    rc = auth_dept_get(c, *id, &after);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "department.create", "department", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc auth_dept_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = auth_dept_get(c, id, &before);
    if (rc) return rc;
    const char *name = json_string_value(json_object_get(before, "name"));
    const char *name_ru = json_string_value(json_object_get(before, "name_ru"));
    const char *name_en = json_string_value(json_object_get(before, "name_en"));
    int64_t parent = json_integer_value(json_object_get(before, "parent_id"));
    const char *old_path = json_string_value(json_object_get(before, "path"));
    json_t *v;
    if ((v = json_object_get(patch, "name"))) name = json_string_value(v);
    if ((v = json_object_get(patch, "name_ru"))) name_ru = json_string_value(v);
    if ((v = json_object_get(patch, "name_en"))) name_en = json_string_value(v);
    if ((v = json_object_get(patch, "parent_id"))) parent = json_integer_value(v);
    if (!name) ftz_err_field(&c->err, "name", "required", NULL);
    char *ppath = NULL;
    rc = parent_path(c, parent, &ppath);
    if (rc) goto out;
    if (ppath && strncmp(ppath, old_path, strlen(old_path)) == 0)
        ftz_err_field(&c->err, "parent_id", "cycle", NULL);
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    char *new_path = ftz_arena_printf(c->arena, "%s%lld/", ppath ? ppath : "/", (long long)id);
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE departments SET name = ?, name_ru = ?, name_en = ?, parent_id = ?, "
                        "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, name);
    ftz_stmt_bind_text(st, name_ru);
    ftz_stmt_bind_text(st, name_en);
    ftz_stmt_bind_id(st, parent);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    rc = ftz_stmt_exec(st);
    int64_t n = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (n != 1) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld",
                 (long long)json_integer_value(json_object_get(before, "version")));
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", cur);
        goto fail;
    }
    if (strcmp(new_path, old_path) != 0) {
        /* Rewrite the subtree's paths: new prefix + what followed the old one. */
        rc = ftz_db_run(c->db,
                        "UPDATE departments SET path = ? || substr(path, CAST(? AS INTEGER)) "
                        "WHERE path LIKE ?",
                        "sis", new_path, (int64_t)strlen(old_path) + 1,
                        ftz_arena_printf(c->arena, "%s%%", old_path));
        if (rc) goto fail;
    }
    json_t *after;
    rc = auth_dept_get(c, id, &after);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "department.update", "department", id, before, after);
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

ftz_rc auth_dept_delete(ftz_ctx *c, int64_t id)
{
    json_t *before;
    ftz_rc rc = auth_dept_get(c, id, &before);
    if (rc) return rc;
    int64_t n;
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    /* Every table that refers to a department; a module adding one adds it here. */
    static const struct {
        const char *sql, *what;
    } refs[] = {
        {"SELECT count(*) FROM departments WHERE parent_id = ?", "departments"},
        {"SELECT count(*) FROM users WHERE department_id = ?", "users"},
        {"SELECT count(*) FROM firms WHERE department_id = ?", "firms"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(refs); i++) {
        rc = ftz_db_scalar(c->db, &n, refs[i].sql, "i", id);
        if (rc) goto fail;
        if (n) {
            rc = ftz_err_set(&c->err, FTZ_ECONFLICT, "has_dependents", refs[i].what);
            goto fail;
        }
    }
    rc = ftz_db_run(c->db, "DELETE FROM departments WHERE id = ?", "i", id);
    if (rc == FTZ_ECONFLICT) ftz_err_set(&c->err, FTZ_ECONFLICT, "has_dependents", "records");
    if (rc) goto fail;
    rc = ftz_audit_id(c, "department.delete", "department", id, before, NULL);
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
