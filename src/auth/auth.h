/* auth.h — users, departments, roles and permissions, sessions, API tokens, login
 * throttling and data scopes (DESIGN.md §7). The public API other modules and the CLI use.
 *
 * Passwords are argon2id (libsodium) with the cost from the settings auth.argon2_* and a cap
 * on concurrent hashes; sessions are random 256-bit ids stored hashed with an absolute expiry
 * and an idle timeout; tokens carry a subset of their user's permissions and the same scope.
 * Every change is audited in the same transaction. */
#ifndef FTZ_AUTH_H
#define FTZ_AUTH_H

#include "core/ftz_setup.h"
#include "core/ctx.h"
#include "db/db.h"

#include <jansson.h>

/* ---- the permission catalogue ---- */

typedef struct auth_perm_def {
    const char *name; /* module.verb */
    const char *zh, *ru, *en;
} auth_perm_def;

const auth_perm_def *auth_perms(size_t *n);
bool auth_perm_known(const char *name);

/* ---- request authentication (http/server.c) ---- */

/* Resolves the caller from the ftz_session cookie or an `Authorization: Bearer` token and
 * fills c->who. via_cookie tells the server to demand the CSRF token (returned in *csrf)
 * on writes. FTZ_EAUTH (401) when neither is valid. */
ftz_rc auth_resolve(ftz_ctx *c, bool *via_cookie, const char **csrf) FTZ_WUR;

/* Resolves an API token's secret — as an adapter's api_key parameter carries it — into c->who,
 * exactly as a Bearer header would be: the token's permissions intersected with its user's
 * today. FTZ_EAUTH ("bad_token") when empty, over 200 bytes, unknown, expired, revoked, or
 * its user disabled. */
ftz_rc auth_resolve_token(ftz_ctx *c, const char *secret) FTZ_WUR;

/* Loads a user's principal (roles, permissions, scope, department path). */
ftz_rc auth_load_principal(ftz_ctx *c, int64_t user_id, ftz_principal **out) FTZ_WUR;

/* ---- passwords ---- */

/* argon2id hash string with the cost from settings; waits for a slot of the concurrency cap. */
ftz_rc auth_password_hash(ftz_ctx *c, const char *password, char **out) FTZ_WUR;
bool auth_password_verify(const char *hash, const char *password);
/* Records field errors for a password that breaks the rules (length ≥ 10, ≤ 128, not the
 * user name); field is the JSON field name. */
void auth_password_check(ftz_ctx *c, const char *field, const char *password, const char *username);

/* A random URL-safe secret of nbytes entropy (≤ 64), with an optional prefix. */
char *auth_random_secret(ftz_arena *a, const char *prefix, size_t nbytes);

/* ---- sessions ---- */

typedef struct auth_session {
    char *cookie; /* the secret for the Set-Cookie header */
    char *csrf;
    int64_t expires_at;
} auth_session;

/* Checks throttling, the password and the account; on success opens a session. Failures are
 * FTZ_EAUTH ("bad_login") or FTZ_ETHROTTLED (c->err.retry_after set). */
ftz_rc auth_login(ftz_ctx *c, const char *username, const char *password,
                  auth_session *out) FTZ_WUR;
ftz_rc auth_logout(ftz_ctx *c, const char *cookie) FTZ_WUR;

/* ---- users ---- */

typedef struct auth_user_in {
    const char *username, *password, *display_name, *lang;
    const char **roles;
    size_t nroles;
    int64_t department_id, firm_id;
    const char *scope; /* NULL: derived from the roles */
    bool disabled;
} auth_user_in;

ftz_rc auth_user_create(ftz_ctx *c, const auth_user_in *in, int64_t *id) FTZ_WUR;
/* JSON of a user as the API shows it (never the hash). */
ftz_rc auth_user_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
ftz_rc auth_user_find(ftz_ctx *c, const char *username, int64_t *id) FTZ_WUR;
/* Partial update: fields present in patch (display_name, roles, department_id, firm_id, scope,
 * disabled, lang); version must match (FTZ_ESTALE). */
ftz_rc auth_user_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;
ftz_rc auth_user_set_password(ftz_ctx *c, int64_t id, const char *password) FTZ_WUR;
ftz_rc auth_user_change_own_password(ftz_ctx *c, const char *current, const char *next) FTZ_WUR;
/* The caller's own language preference (zh, ru, en); needs no admin permission. */
ftz_rc auth_user_set_own_lang(ftz_ctx *c, const char *lang) FTZ_WUR;
ftz_rc auth_user_set_disabled(ftz_ctx *c, int64_t id, bool disabled) FTZ_WUR;

typedef struct auth_list_q {
    const char *q; /* search in user name / display name */
    const char *role;
    int64_t department_id;
    int disabled; /* -1 any */
    const char *sort_key;
    bool desc;
    int64_t limit, offset;
} auth_list_q;

/* Fills the folded search text of users written before it existed (a derived column: not
 * audited). Run after migrations; idempotent. */
ftz_rc auth_users_backfill_fold(ftz_ctx *c) FTZ_WUR;

ftz_rc auth_users_list(ftz_ctx *c, const auth_list_q *q, json_t **items, int64_t *total) FTZ_WUR;

/* ---- departments ---- */

ftz_rc auth_dept_create(ftz_ctx *c, const char *code, const char *name, const char *name_ru,
                        const char *name_en, int64_t parent_id, int64_t *id) FTZ_WUR;
ftz_rc auth_dept_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;
ftz_rc auth_dept_delete(ftz_ctx *c, int64_t id) FTZ_WUR;
ftz_rc auth_dept_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
ftz_rc auth_depts_list(ftz_ctx *c, json_t **items) FTZ_WUR;
ftz_rc auth_dept_find(ftz_ctx *c, const char *code, int64_t *id) FTZ_WUR;

/* ---- roles ---- */

ftz_rc auth_roles_seed(ftz_ctx *c) FTZ_WUR; /* the built-in roles; idempotent */
ftz_rc auth_roles_list(ftz_ctx *c, json_t **items) FTZ_WUR;
ftz_rc auth_role_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
ftz_rc auth_role_create(ftz_ctx *c, const char *name, const char *zh, const char *ru,
                        const char *en, const char **perms, size_t nperms, int64_t *id) FTZ_WUR;
ftz_rc auth_role_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;
ftz_rc auth_role_delete(ftz_ctx *c, int64_t id) FTZ_WUR;

/* ---- tokens ---- */

ftz_rc auth_token_create(ftz_ctx *c, const char *name, const char **perms, size_t nperms,
                         int64_t expires_at, int64_t for_user, int64_t *id, char **secret) FTZ_WUR;
ftz_rc auth_tokens_list(ftz_ctx *c, bool all, json_t **items) FTZ_WUR;
ftz_rc auth_token_revoke(ftz_ctx *c, int64_t id) FTZ_WUR;

/* A department's name (departments aliased d) in the language bound as its one parameter:
 * the Russian or English name where there is one, else the Chinese. */
#define FTZ_DEPT_NAME_SQL                                                                          \
    "CASE CAST(? AS TEXT) WHEN 'ru' THEN COALESCE(d.name_ru, d.name) "                             \
    "WHEN 'en' THEN COALESCE(d.name_en, d.name) ELSE d.name END"

/* ---- data scopes ---- */

/* Columns a table offers to the scope helper; NULL when the table has none of that kind. */
typedef struct auth_scope_cols {
    const char *dept_col;         /* e.g. "f.department_id" */
    const char *firm_col;         /* e.g. "f.id" or "d.firm_id" */
    const char *commissioner_col; /* e.g. "f.commissioner_id" */
} auth_scope_cols;

/* Appends " AND (…)" restricting rows to the caller's scope (binding its parameters). A
 * scope the table cannot express denies every row ("AND 1 = 0"): never more than allowed. */
void auth_scope_where(const ftz_ctx *c, ftz_q *q, const auth_scope_cols *cols);

#endif
