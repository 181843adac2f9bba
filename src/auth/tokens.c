/* tokens.c — API tokens for machine clients (DESIGN.md §4, §7).
 *
 * A token belongs to a user, carries a subset of that user's permissions (checked at
 * creation, and intersected again with the user's current permissions at every use), has
 * the user's scope, is stored as the SHA-256 of its secret, and can expire and be revoked.
 * The secret ("ftz_" + 256 random bits) is returned once, at creation. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *token_row(const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "user_id", json_integer(ftz_stmt_int(st, 1)));
    json_object_set_new(o, "username", jstr(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "name", jstr(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "prefix", jstr(ftz_stmt_text(st, 4)));
    json_t *perms = json_loads(ftz_stmt_text(st, 5) ? ftz_stmt_text(st, 5) : "[]", 0, NULL);
    json_object_set_new(o, "permissions", perms ? perms : json_array());
    if (ftz_stmt_isnull(st, 6)) {
        json_object_set_new(o, "expires_at", json_null());
    } else {
        char t[32];
        ftz_time_format_utc(ftz_stmt_int(st, 6), t);
        json_object_set_new(o, "expires_at", json_string(t));
    }
    json_object_set_new(o, "revoked_at", jstr(ftz_stmt_text(st, 7)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 8)));
    if (ftz_stmt_isnull(st, 9)) {
        json_object_set_new(o, "last_used_at", json_null());
    } else {
        char t[32];
        ftz_time_format_utc(ftz_stmt_int(st, 9), t);
        json_object_set_new(o, "last_used_at", json_string(t));
    }
    return o;
}

#define TOKEN_SELECT                                                                               \
    "SELECT t.id, t.user_id, u.username, t.name, t.prefix, t.permissions, t.expires_at, "          \
    "t.revoked_at, t.created_at, t.last_used_at FROM tokens t JOIN users u ON u.id = t.user_id"

ftz_rc auth_token_create(ftz_ctx *c, const char *name, const char **perms, size_t nperms,
                         int64_t expires_at, int64_t for_user, int64_t *id, char **secret)
{
    int64_t owner = for_user ? for_user : c->who->user_id;
    if (!name) ftz_err_field(&c->err, "name", "required", NULL);
    if (!owner) ftz_err_field(&c->err, "user_id", "required", NULL);
    if (expires_at && expires_at <= ftz_time_now())
        ftz_err_field(&c->err, "expires_at", "in_past", NULL);
    /* The owner must hold every permission the token carries. */
    ftz_principal *p = NULL;
    if (owner) {
        ftz_rc rc = auth_load_principal(c, owner, &p);
        if (rc == FTZ_ENOTFOUND || rc == FTZ_EAUTH)
            ftz_err_field(&c->err, "user_id", "no_such", NULL);
        else if (rc)
            return rc;
    }
    for (size_t i = 0; i < nperms; i++) {
        char f[48];
        snprintf(f, sizeof f, "permissions[%zu]", i);
        if (!auth_perm_known(perms[i]))
            ftz_err_field(&c->err, f, "enum", perms[i]);
        else if (p && !ftz_can(p, perms[i]))
            ftz_err_field(&c->err, f, "not_held", perms[i]);
    }
    if (!nperms) ftz_err_field(&c->err, "permissions", "required", NULL);
    if (c->err.rc) return c->err.rc;

    char *s = auth_random_secret(c->arena, "ftz_", 32);
    char hash[65];
    auth_sha256_hex(s, hash);
    char *prefix = ftz_arena_strndup(c->arena, s, 10);
    json_t *arr = json_array();
    for (size_t i = 0; i < nperms; i++)
        json_array_append_new(arr, json_string(perms[i]));
    char *pj = json_dumps(arr, JSON_COMPACT);
    char *perms_text = ftz_arena_strdup(c->arena, pj ? pj : "[]");
    free(pj); /* jansson's allocation */
    json_decref(arr);
    char now[32];
    ftz_db_now(now);
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO tokens (user_id, name, prefix, hash, permissions, expires_at, "
                        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, owner);
    ftz_stmt_bind_text(st, name);
    ftz_stmt_bind_text(st, prefix);
    ftz_stmt_bind_text(st, hash);
    ftz_stmt_bind_text(st, perms_text);
    ftz_stmt_bind_id(st, expires_at);
    ftz_stmt_bind_text(st, now);
    int r = ftz_stmt_next(st);
    *id = r == 1 ? ftz_stmt_int(st, 0) : 0;
    rc = r == 1 ? FTZ_OK : FTZ_EDB;
    ftz_stmt_done(st);
    if (rc) goto fail;
    json_t *after = json_pack("{s:s,s:I,s:s,s:s}", "name", name, "user_id", (json_int_t)owner,
                              "prefix", prefix, "permissions", perms_text);
    rc = ftz_audit_id(c, "token.create", "token", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    *secret = s;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc auth_tokens_list(ftz_ctx *c, bool all, json_t **items)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, TOKEN_SELECT " WHERE 1 = 1");
    if (!all || !ftz_can(c->who, "auth.token.admin")) {
        ftz_q_sql(&q, " AND t.user_id = ?");
        ftz_q_int(&q, c->who->user_id);
    }
    ftz_q_sql(&q, " ORDER BY t.id DESC");
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, token_row(st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

ftz_rc auth_token_revoke(ftz_ctx *c, int64_t id)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, TOKEN_SELECT " WHERE t.id = ?");
    ftz_q_int(&q, id);
    if (!ftz_can(c->who, "auth.token.admin")) {
        ftz_q_sql(&q, " AND t.user_id = ?");
        ftz_q_int(&q, c->who->user_id);
    }
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    json_t *before = r == 1 ? token_row(st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (!before) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    if (!json_is_null(json_object_get(before, "revoked_at"))) {
        json_decref(before);
        return FTZ_OK; /* revoking twice changes nothing */
    }
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (!rc) rc = ftz_db_run(c->db, "UPDATE tokens SET revoked_at = ? WHERE id = ?", "si", now, id);
    if (!rc) {
        json_t *after = json_deep_copy(before);
        json_object_set_new(after, "revoked_at", json_string(now));
        rc = ftz_audit_id(c, "token.revoke", "token", id, before, after);
        json_decref(after);
    }
    if (!rc) rc = ftz_db_commit(c->db);
    if (rc) ftz_db_rollback(c->db);
    json_decref(before);
    return rc;
}
