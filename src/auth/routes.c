/* routes.c — the HTTP routes of the auth module (DESIGN.md §4, §7): the session (log-in,
 * log-out, own password), users, departments, roles and the permission catalogue, API
 * tokens, and the audit trail. docs/internals/auth.md lists them with their permissions.
 *
 * Every handler follows one shape: reject unknown members (ftz_jin_only), read every field
 * so that all broken ones are listed in one 422, then call one auth.h / audit service and
 * render its JSON. Handlers check what can be checked from the request alone (types,
 * lengths, formats, enumerations); the services check what needs the database (names
 * taken, references, permissions held, scope) and record their own field errors. A service
 * is only called with input that passed the handler's checks, so no error is listed twice.
 * Data scopes are enforced in the services' SQL: a record outside the caller's scope comes
 * back as FTZ_ENOTFOUND and is answered 404 like one that does not exist. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/audit_query.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/utf8.h"
#include "http/export_reply.h"
#include "core/jsonw.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* The router links these names (http/router.c). */
extern const ftz_route auth_routes[];
extern const size_t auth_nroutes;

#define COOKIE_NAME "ftz_session"
/* Longest accepted secret in bytes: the password rules allow 128 characters (at most 512
 * bytes of UTF-8); anything longer can never be valid and is refused before hashing. */
#define SECRET_MAX_BYTES 1024
/* Body cap of the small session routes (one is public). */
#define SMALL_BODY (16 * 1024)

static const char *const no_fields[] = {NULL};

/* ---- replies ---- */

/* Answers a failed service call. Services record what went wrong in c->err; when they did
 * not (or recorded something else than the failure they returned, e.g. field errors and
 * then a database failure), the returned code wins with a generic message. */

/* Replies with the recorded input errors (422); true when there were any. */

/* A positive integer path parameter; anything else names no record: 404. */

typedef ftz_rc (*getter)(ftz_ctx *c, int64_t id, json_t **out);

/* 200 with the record. */
static void reply_record(ftz_ctx *c, getter get, int64_t id)
{
    json_t *o;
    ftz_rc rc = get(c, id, &o);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, o);
}

/* 201 + Location + the record just created. The record is committed: should the caller not
 * be able to read it back (created outside their own scope), the answer is still 201, with
 * the id only, rather than a 404 that would invite a retry. */
static void reply_created(ftz_ctx *c, const char *collection, getter get, int64_t id)
{
    char *loc = ftz_arena_printf(c->arena, "/api/v1/%s/%lld", collection, (long long)id);
    json_t *o;
    ftz_rc rc = get(c, id, &o);
    if (rc == FTZ_ENOTFOUND) {
        ftz_err_init(&c->err, c->arena);
        o = json_pack("{s:I}", "id", (json_int_t)id);
    } else if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(c, loc, o);
}

/* {"items": items, "total": n} for the small lists that are not paged. Steals items. */
static void reply_all(ftz_ctx *c, json_t *items)
{
    json_t *o = json_object();
    json_object_set_new(o, "total", json_integer((json_int_t)json_array_size(items)));
    json_object_set_new(o, "items", items);
    ftz_reply_json(c, 200, o);
}

/* ---- input: query strings ---- */

/* A query value, NULL when absent or empty; longer than maxchars → "too_long". */

/* A positive integer query value; 0 when absent (or broken, with the error recorded). */

/* "true" → 1, "false" → 0, absent → -1. */

/* ---- input: JSON bodies ---- */

/* A secret exactly as sent — not trimmed, since spaces may belong to a password: a
 * non-empty string of at most SECRET_MAX_BYTES. The password rules themselves are
 * auth_password_check's. */
static const char *jin_secret(ftz_ctx *c, json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    if (!v || json_is_null(v)) {
        ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        ftz_err_field(&c->err, name, "type", "string");
        return NULL;
    }
    const char *s = json_string_value(v);
    if (!*s) {
        ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (strlen(s) > SECRET_MAX_BYTES) {
        ftz_err_field(&c->err, name, "too_long", "128");
        return NULL;
    }
    return ftz_arena_strdup(c->arena, s);
}

static bool is_lower(char ch)
{
    return ch >= 'a' && ch <= 'z';
}

static bool is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

/* 3..64 of [a-z0-9._-], starting with a letter or a digit. */
static bool username_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 3 || n > 64 || !(is_lower(s[0]) || is_digit(s[0]))) return false;
    for (const char *p = s; *p; p++)
        if (!(is_lower(*p) || is_digit(*p) || *p == '.' || *p == '_' || *p == '-')) return false;
    return true;
}

/* [a-z][a-z0-9_]{1,31} */
static bool role_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n > 32 || !is_lower(s[0])) return false;
    for (const char *p = s; *p; p++)
        if (!(is_lower(*p) || is_digit(*p) || *p == '_')) return false;
    return true;
}

/* 1..32 of [A-Za-z0-9_-] */
static bool dept_code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 32) return false;
    for (const char *p = s; *p; p++)
        if (!(is_lower(*p) || (*p >= 'A' && *p <= 'Z') || is_digit(*p) || *p == '_' || *p == '-'))
            return false;
    return true;
}

static const char *jin_username(ftz_ctx *c, json_t *obj)
{
    const char *s = ftz_jin_str(c, obj, "username", true, 64);
    if (s && !username_ok(s)) {
        ftz_err_field(&c->err, "username", "format", "a-z 0-9 . _ -, 3–64");
        return NULL;
    }
    return s;
}

static const char *jin_enum(ftz_ctx *c, json_t *obj, const char *name, bool required,
                            const char *const *allowed, const char *list)
{
    const char *s = ftz_jin_str(c, obj, name, required, 32);
    if (!s) return NULL;
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, s) == 0) return s;
    ftz_err_field(&c->err, name, "enum", list);
    return NULL;
}

static const char *const langs[] = {"zh", "ru", "en", NULL};
static const char *const scopes[] = {"all", "dept_tree", "own_firms", "own_firm", NULL};

static const char *jin_lang(ftz_ctx *c, json_t *obj, bool required)
{
    return jin_enum(c, obj, "lang", required, langs, "zh, ru, en");
}

static const char *jin_scope(ftz_ctx *c, json_t *obj, bool required)
{
    return jin_enum(c, obj, "scope", required, scopes, "all, dept_tree, own_firms, own_firm");
}

/* "roles": 1..16 role names. */
static const char **jin_roles(ftz_ctx *c, json_t *obj, bool required, size_t *n)
{
    const char **v = ftz_jin_strs(c, obj, "roles", required, 16, 32, n);
    if (!v) return NULL;
    if (*n == 0) {
        ftz_err_field(&c->err, "roles", "required", NULL);
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; i < *n; i++) {
        if (role_name_ok(v[i])) continue;
        char field[48];
        snprintf(field, sizeof field, "roles[%zu]", i);
        ftz_err_field(&c->err, field, "format", "[a-z][a-z0-9_]{1,31}");
        ok = false;
    }
    return ok ? v : NULL;
}

/* The catalogue's names, ", "-joined, for the "enum" message. */
static const char *perm_names(ftz_ctx *c)
{
    size_t n;
    const auth_perm_def *d = auth_perms(&n);
    ftz_buf b;
    ftz_buf_init(&b, 0);
    for (size_t i = 0; i < n; i++)
        ftz_buf_printf(&b, "%s%s", i ? ", " : "", d[i].name);
    char *s = ftz_arena_strdup(c->arena, ftz_buf_str(&b));
    ftz_buf_cleanup(&b);
    return s;
}

/* "permissions": at least min names, each in the catalogue ("permissions[i]", "enum"). */
static const char **jin_perms(ftz_ctx *c, json_t *obj, bool required, size_t min, size_t *n)
{
    const char **v = ftz_jin_strs(c, obj, "permissions", required, 256, 64, n);
    if (!v) return NULL;
    if (*n < min) {
        ftz_err_field(&c->err, "permissions", "required", NULL);
        return NULL;
    }
    bool ok = true;
    const char *names = NULL;
    for (size_t i = 0; i < *n; i++) {
        if (auth_perm_known(v[i])) continue;
        if (!names) names = perm_names(c);
        char field[48];
        snprintf(field, sizeof field, "permissions[%zu]", i);
        ftz_err_field(&c->err, field, "enum", names);
        ok = false;
    }
    return ok ? v : NULL;
}

static json_t *strs_json(const char *const *v, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(v[i]));
    return a;
}

/* ---- PATCH bodies: each helper copies a present, valid member into the patch object the
 * service reads; absent members are left out (unchanged). ---- */

/* A string of at most max characters. null (or "" after trimming) clears a nullable field
 * and is "required" for the others. */
static void patch_str(ftz_ctx *c, json_t *body, json_t *patch, const char *name, size_t max,
                      bool nullable)
{
    if (!ftz_jin_has(body, name)) return;
    size_t nerr = c->err.nfields;
    const char *s = ftz_jin_str(c, body, name, !nullable, max);
    if (s)
        json_object_set_new(patch, name, json_string(s));
    else if (nullable && c->err.nfields == nerr)
        json_object_set_new(patch, name, json_null());
}

/* A reference to another record (a positive id); null clears it. */
static void patch_ref(ftz_ctx *c, json_t *body, json_t *patch, const char *name)
{
    json_t *v = json_object_get(body, name);
    if (!v) return;
    if (json_is_null(v)) {
        json_object_set_new(patch, name, json_null());
        return;
    }
    bool present;
    int64_t id = ftz_jin_int(c, body, name, true, 1, INT64_MAX, &present);
    if (present) json_object_set_new(patch, name, json_integer(id));
}

/* ---- the session ---- */

/* Whether the client reached us over TLS. ftz speaks plain HTTP behind a TLS-terminating
 * proxy, which says so with X-Forwarded-Proto. The header is believed from any peer: it
 * only adds Secure to the cookie, and a client that lies makes only its own cookie unusable
 * over plain HTTP. */
static bool over_tls(const ftz_ctx *c)
{
    const char *p = ftz_req_header(c, "X-Forwarded-Proto");
    return p && strcasecmp(p, "https") == 0;
}

static void set_cookie(ftz_ctx *c, const char *value, int64_t max_age)
{
    char *h =
        ftz_arena_printf(c->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
                         COOKIE_NAME, value, (long long)max_age, over_tls(c) ? "; Secure" : "");
    ftz_reply_header(c, "Set-Cookie", h);
}

/* The first ftz_session value of the Cookie header (the one auth_resolve checks), or NULL. */
static const char *session_cookie(ftz_ctx *c)
{
    const char *h = ftz_req_header(c, "Cookie");
    if (!h) return NULL;
    size_t nl = strlen(COOKIE_NAME);
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        if (!end) end = p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));
        if (eq && (size_t)(eq - p) == nl && memcmp(p, COOKIE_NAME, nl) == 0) {
            const char *v = eq + 1;
            size_t n = (size_t)(end - v);
            while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
                n--;
            return n ? ftz_arena_strndup(c->arena, v, n) : NULL;
        }
        p = end;
    }
    return NULL;
}

/* The caller's own user record. auth_user_get applies the reader's data scope, and a user
 * need not fall inside their own scope (a commissioner's scope is firms, which the users
 * table cannot express), so this one row is read as the system: every signed-in user may
 * see their own record. c->who is restored before returning. */
static ftz_rc own_user(ftz_ctx *c, int64_t user_id, json_t **out)
{
    ftz_principal sys = {.username = "system",
                         .display_name = "system",
                         .scope = FTZ_SCOPE_ALL,
                         .lang = "zh",
                         .system = true};
    ftz_principal *saved = c->who;
    c->who = &sys;
    ftz_rc rc = auth_user_get(c, user_id, out);
    c->who = saved;
    return rc;
}

/* {"user": …, "csrf": csrf or null, "permissions": [the caller's, sorted]} */
static void reply_session(ftz_ctx *c, const char *csrf)
{
    json_t *user;
    ftz_rc rc = own_user(c, c->who->user_id, &user);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "user", user);
    json_object_set_new(o, "csrf", csrf ? json_string(csrf) : json_null());
    json_object_set_new(o, "permissions", strs_json(c->who->perms, c->who->nperms));
    ftz_reply_json(c, 200, o);
}

static void session_create(ftz_ctx *c)
{
    static const char *const fields[] = {"username", "password", NULL};
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    const char *name = ftz_jin_str(c, b, "username", true, 64);
    const char *password = jin_secret(c, b, "password");
    if (ftz_reply_input_errors(c)) return;
    /* User names are lower case by rule: "Admin" can only mean "admin". */
    char *username = ftz_arena_strdup(c->arena, name);
    for (char *p = username; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');

    auth_session s;
    ftz_rc rc = auth_login(c, username, password, &s);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    /* auth_login leaves c->who unset: act as the new session's user from here on. */
    int64_t uid;
    ftz_principal *p;
    rc = auth_user_find(c, username, &uid);
    if (!rc) rc = auth_load_principal(c, uid, &p);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    c->who = p;
    int64_t max_age = s.expires_at - ftz_time_now();
    set_cookie(c, s.cookie, max_age > 0 ? max_age : 0);
    reply_session(c, s.csrf);
}

/* The CSRF token is not kept in the context: the server checks it and forgets it. Asking
 * auth_resolve again is one indexed read (it writes last_seen at most once a minute). */
static void session_get(ftz_ctx *c)
{
    bool via_cookie = false;
    const char *csrf = NULL;
    ftz_rc rc = auth_resolve(c, &via_cookie, &csrf);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_session(c, via_cookie ? csrf : NULL);
}

/* PATCH /api/v1/session {lang} — the caller's own language preference, kept on the account
 * (any signed-in user; no admin permission). Answers like GET. */
static void session_patch(ftz_ctx *c)
{
    static const char *const fields[] = {"lang", NULL};
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    const char *lang = ftz_jin_str(c, b, "lang", true, 8);
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = auth_user_set_own_lang(c, lang);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    bool via_cookie = false;
    const char *csrf = NULL;
    rc = auth_resolve(c, &via_cookie, &csrf);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_session(c, via_cookie ? csrf : NULL);
}

/* Ends the cookie session the request came with (nothing to end for a token) and tells the
 * browser to drop the cookie. */
static void session_delete(ftz_ctx *c)
{
    const char *cookie = session_cookie(c);
    if (cookie && c->who && !c->who->token_id) {
        ftz_rc rc = auth_logout(c, cookie);
        if (rc) {
            ftz_reply_rc(c, rc);
            return;
        }
    }
    set_cookie(c, "", 0);
    ftz_reply_empty(c, 204);
}

/* Both passwords' rules (current one right, new one acceptable) are checked by the service
 * together, so one 422 lists both. */
static void session_password(ftz_ctx *c)
{
    static const char *const fields[] = {"current_password", "new_password", NULL};
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    const char *cur = jin_secret(c, b, "current_password");
    const char *next = jin_secret(c, b, "new_password");
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = auth_user_change_own_password(c, cur, next);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_empty(c, 204);
}

/* ---- users ---- */

static const ftz_export_col_i18n user_cols[] = {
    {"id", "编号", "ID", "ID", FTZ_COL_INT, 8},
    {"username", "用户名", "Имя пользователя", "User name", FTZ_COL_TEXT, 18},
    {"display_name", "姓名", "Отображаемое имя", "Display name", FTZ_COL_TEXT, 20},
    {"roles", "角色", "Роли", "Roles", FTZ_COL_TEXT, 24},
    {"department_id", "部门编号", "ID отдела", "Department ID", FTZ_COL_INT, 10},
    {"department_name", "部门", "Отдел", "Department", FTZ_COL_TEXT, 20},
    {"firm_id", "企业编号", "ID предприятия", "Firm ID", FTZ_COL_INT, 10},
    {"scope", "数据范围", "Область данных", "Data scope", FTZ_COL_TEXT, 12},
    {"lang", "语言", "Язык", "Language", FTZ_COL_TEXT, 6},
    {"disabled", "已停用", "Отключён", "Disabled", FTZ_COL_BOOL, 8},
    {"created_at", "创建时间", "Создан", "Created at", FTZ_COL_TIME, 24},
};

/* For a spreadsheet, each item's "roles" array becomes one cell: "admin, staff". */
static void join_roles(json_t *items)
{
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        json_t *roles = json_object_get(it, "roles");
        if (!json_is_array(roles)) continue;
        ftz_buf b;
        ftz_buf_init(&b, 0);
        size_t k;
        json_t *r;
        json_array_foreach(roles, k, r)
        {
            ftz_buf_printf(&b, "%s%s", k ? ", " : "",
                           json_is_string(r) ? json_string_value(r) : "");
        }
        json_object_set_new(it, "roles", json_string(ftz_buf_str(&b)));
        ftz_buf_cleanup(&b);
    }
}

static void users_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"username", "display_name", "created_at", "id", NULL};
    auth_list_q q = {0};
    q.q = ftz_qry_text(c, "q", 100);
    q.role = ftz_qry_text(c, "role", 32);
    q.department_id = ftz_qry_id(c, "department_id");
    q.disabled = ftz_qry_bool(c, "disabled");
    ftz_page p;
    (void)ftz_page_parse(c, sorts, "username", &p);
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = p.sort_key;
    q.desc = p.desc;
    q.limit = p.per_page;
    q.offset = p.offset;
    json_t *items;
    int64_t total;
    ftz_rc rc = auth_users_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        join_roles(items);
        ftz_reply_export(c, "users", ftz_export_cols_lang(c, user_cols, FTZ_COUNTOF(user_cols)),
                         FTZ_COUNTOF(user_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&p, items, total));
}

static void users_create(ftz_ctx *c)
{
    static const char *const fields[] = {"username", "password",      "display_name",
                                         "roles",    "department_id", "firm_id",
                                         "scope",    "lang",          NULL};
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    auth_user_in in = {0};
    in.username = jin_username(c, b);
    in.password = jin_secret(c, b, "password");
    if (in.password) auth_password_check(c, "password", in.password, in.username);
    in.display_name = ftz_jin_str(c, b, "display_name", true, 100);
    in.roles = jin_roles(c, b, true, &in.nroles);
    in.department_id = ftz_jin_int(c, b, "department_id", false, 1, INT64_MAX, NULL);
    in.firm_id = ftz_jin_int(c, b, "firm_id", false, 1, INT64_MAX, NULL);
    in.scope = jin_scope(c, b, false);
    in.lang = jin_lang(c, b, false);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    ftz_rc rc = auth_user_create(c, &in, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_created(c, "users", auth_user_get, id);
}

static void users_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    reply_record(c, auth_user_get, id);
}

static void users_patch(ftz_ctx *c)
{
    static const char *const fields[] = {"version",       "display_name", "roles",
                                         "department_id", "firm_id",      "scope",
                                         "lang",          "disabled",     NULL};
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    patch_str(c, b, patch, "display_name", 100, false);
    if (ftz_jin_has(b, "roles")) {
        size_t n;
        const char **roles = jin_roles(c, b, true, &n);
        if (roles) json_object_set_new(patch, "roles", strs_json(roles, n));
    }
    patch_ref(c, b, patch, "department_id");
    patch_ref(c, b, patch, "firm_id");
    if (ftz_jin_has(b, "scope")) {
        const char *s = jin_scope(c, b, true);
        if (s) json_object_set_new(patch, "scope", json_string(s));
    }
    if (ftz_jin_has(b, "lang")) {
        const char *s = jin_lang(c, b, true);
        if (s) json_object_set_new(patch, "lang", json_string(s));
    }
    if (ftz_jin_has(b, "disabled")) {
        size_t nerr = c->err.nfields;
        bool d = ftz_jin_bool(c, b, "disabled", true, false);
        if (c->err.nfields == nerr) json_object_set_new(patch, "disabled", json_boolean(d));
    }
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = auth_user_update(c, id, version, patch);
    json_decref(patch);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_record(c, auth_user_get, id);
}

/* The rules that need the user's name (not the name itself) are the service's. */
static void users_password(ftz_ctx *c)
{
    static const char *const fields[] = {"password", NULL};
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    const char *pw = jin_secret(c, b, "password");
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = auth_user_set_password(c, id, pw);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_empty(c, 204);
}

static void users_set_disabled(ftz_ctx *c, bool disabled)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    ftz_jin_only(c, ftz_req_json(c), no_fields);
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = auth_user_set_disabled(c, id, disabled);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_record(c, auth_user_get, id);
}

static void users_disable(ftz_ctx *c)
{
    users_set_disabled(c, true);
}

static void users_enable(ftz_ctx *c)
{
    users_set_disabled(c, false);
}

/* ---- departments ---- */

/* The whole tree as a flat list, parents before children (the service sorts by path). */
static void depts_list(ftz_ctx *c)
{
    json_t *items;
    ftz_rc rc = auth_depts_list(c, &items);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_all(c, items);
}

static void depts_create(ftz_ctx *c)
{
    static const char *const fields[] = {"code", "name", "name_ru", "name_en", "parent_id", NULL};
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    const char *code = ftz_jin_str(c, b, "code", true, 32);
    if (code && !dept_code_ok(code)) {
        ftz_err_field(&c->err, "code", "format", "A-Z a-z 0-9 _ -, 1–32");
        code = NULL;
    }
    const char *name = ftz_jin_str(c, b, "name", true, 100);
    const char *name_ru = ftz_jin_str(c, b, "name_ru", false, 100);
    const char *name_en = ftz_jin_str(c, b, "name_en", false, 100);
    int64_t parent = ftz_jin_int(c, b, "parent_id", false, 1, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    ftz_rc rc = auth_dept_create(c, code, name, name_ru, name_en, parent, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_created(c, "departments", auth_dept_get, id);
}

static void depts_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    reply_record(c, auth_dept_get, id);
}

static void depts_patch(ftz_ctx *c)
{
    static const char *const fields[] = {"version", "name",      "name_ru",
                                         "name_en", "parent_id", NULL};
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    patch_str(c, b, patch, "name", 100, false);
    patch_str(c, b, patch, "name_ru", 100, true);
    patch_str(c, b, patch, "name_en", 100, true);
    patch_ref(c, b, patch, "parent_id");
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = auth_dept_update(c, id, version, patch);
    json_decref(patch);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_record(c, auth_dept_get, id);
}

static void depts_delete(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    ftz_rc rc = auth_dept_delete(c, id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_empty(c, 204);
}

/* ---- roles and permissions ---- */

static void roles_list(ftz_ctx *c)
{
    json_t *items;
    ftz_rc rc = auth_roles_list(c, &items);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_all(c, items);
}

static void roles_create(ftz_ctx *c)
{
    static const char *const fields[] = {"name",     "title_zh",    "title_ru",
                                         "title_en", "permissions", NULL};
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    const char *name = ftz_jin_str(c, b, "name", true, 32);
    if (name && !role_name_ok(name)) {
        ftz_err_field(&c->err, "name", "format", "[a-z][a-z0-9_]{1,31}");
        name = NULL;
    }
    const char *zh = ftz_jin_str(c, b, "title_zh", true, 100);
    const char *ru = ftz_jin_str(c, b, "title_ru", true, 100);
    const char *en = ftz_jin_str(c, b, "title_en", true, 100);
    size_t n;
    const char **perms = jin_perms(c, b, true, 0, &n);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    ftz_rc rc = auth_role_create(c, name, zh, ru, en, perms, n, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_created(c, "roles", auth_role_get, id);
}

static void roles_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    reply_record(c, auth_role_get, id);
}

static void roles_patch(ftz_ctx *c)
{
    static const char *const fields[] = {"version",  "title_zh",    "title_ru",
                                         "title_en", "permissions", NULL};
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, fields);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    patch_str(c, b, patch, "title_zh", 100, false);
    patch_str(c, b, patch, "title_ru", 100, false);
    patch_str(c, b, patch, "title_en", 100, false);
    if (ftz_jin_has(b, "permissions")) {
        size_t n;
        const char **perms = jin_perms(c, b, true, 0, &n);
        if (perms) json_object_set_new(patch, "permissions", strs_json(perms, n));
    }
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = auth_role_update(c, id, version, patch);
    json_decref(patch);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_record(c, auth_role_get, id);
}

static void roles_delete(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    ftz_rc rc = auth_role_delete(c, id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_empty(c, 204);
}

/* The catalogue: [{"name": "audit.read", "title": <in c->lang>}], in the catalogue's order. */
static void perms_list(ftz_ctx *c)
{
    size_t n;
    const auth_perm_def *d = auth_perms(&n);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *t = d[i].zh;
        if (strcmp(c->lang, "ru") == 0)
            t = d[i].ru;
        else if (strcmp(c->lang, "en") == 0)
            t = d[i].en;
        json_array_append_new(items, json_pack("{s:s,s:s}", "name", d[i].name, "title", t));
    }
    reply_all(c, items);
}

/* ---- API tokens ---- */

#define PERM_TOKEN_ADMIN "auth.token.admin"

/* The caller's own tokens; every user's with ?all=true (auth.token.admin only). */
static void tokens_list(ftz_ctx *c)
{
    int all = ftz_qry_bool(c, "all");
    if (ftz_reply_input_errors(c)) return;
    if (all == 1 && !ftz_can(c->who, PERM_TOKEN_ADMIN)) {
        ftz_reply_fail(c, FTZ_EDENIED, "permission", PERM_TOKEN_ADMIN);
        return;
    }
    json_t *items;
    ftz_rc rc = auth_tokens_list(c, all == 1, &items);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_all(c, items);
}

/* 201 with the secret — the only time it is shown. Whether the caller holds every
 * permission asked for ("not_held") is the service's check. */
static void tokens_create(ftz_ctx *c)
{
    static const char *const fields[] = {"name", "permissions", "expires_at", "user_id", NULL};
    json_t *b = ftz_req_json(c);
    if (ftz_jin_has(b, "user_id") && !ftz_can(c->who, PERM_TOKEN_ADMIN)) {
        ftz_reply_fail(c, FTZ_EDENIED, "permission", PERM_TOKEN_ADMIN);
        return;
    }
    ftz_jin_only(c, b, fields);
    const char *name = ftz_jin_str(c, b, "name", true, 100);
    size_t n;
    const char **perms = jin_perms(c, b, true, 1, &n);
    const char *exp = ftz_jin_str(c, b, "expires_at", false, 40);
    int64_t expires = 0;
    if (exp) {
        if (ftz_time_parse(exp, &expires))
            ftz_err_field(&c->err, "expires_at", "format", "YYYY-MM-DDTHH:MM:SS+08:00");
        else if (expires <= ftz_time_now())
            ftz_err_field(&c->err, "expires_at", "in_past", NULL);
    }
    int64_t for_user = ftz_jin_int(c, b, "user_id", false, 1, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    char *secret;
    ftz_rc rc = auth_token_create(c, name, perms, n, expires, for_user, &id, &secret);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(id));
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "permissions", strs_json(perms, n));
    if (expires) {
        char at[32];
        ftz_time_format_utc(expires, at);
        json_object_set_new(o, "expires_at", json_string(at));
    } else {
        json_object_set_new(o, "expires_at", json_null());
    }
    json_object_set_new(o, "secret", json_string(secret));
    ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/tokens/%lld", (long long)id), o);
}

/* Revokes one of the caller's tokens, or anyone's with auth.token.admin; the service
 * answers FTZ_ENOTFOUND for another user's token, so its existence is not revealed. */
static void tokens_delete(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    ftz_rc rc = auth_token_revoke(c, id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_empty(c, 204);
}

/* ---- the audit trail ---- */

static const ftz_export_col_i18n audit_cols[] = {
    {"seq", "序号", "№", "Seq", FTZ_COL_INT, 8},
    {"at", "时间 (UTC)", "Время (UTC)", "Time (UTC)", FTZ_COL_TIME, 24},
    {"actor", "操作人", "Пользователь", "Actor", FTZ_COL_TEXT, 16},
    {"actor_id", "操作人编号", "ID пользователя", "Actor ID", FTZ_COL_INT, 10},
    {"action", "操作", "Действие", "Action", FTZ_COL_TEXT, 20},
    {"entity", "对象类型", "Тип объекта", "Entity", FTZ_COL_TEXT, 14},
    {"entity_id", "对象编号", "ID объекта", "Entity ID", FTZ_COL_TEXT, 12},
    {"before", "修改前", "До", "Before", FTZ_COL_TEXT, 40},
    {"after", "修改后", "После", "After", FTZ_COL_TEXT, 40},
    {"request_id", "请求编号", "ID запроса", "Request ID", FTZ_COL_TEXT, 18},
    {"hash", "哈希", "Хеш", "Hash", FTZ_COL_TEXT, 66},
};

/* One audit row as the JSON the list and GET /audit/{seq} both show. */
static void write_audit_row(void *ud, const ftz_audit_row *row)
{
    ftz_jw *w = ud;
    ftz_jw_obj(w);
    ftz_jw_key(w, "seq");
    ftz_jw_int(w, row->seq);
    ftz_jw_key(w, "at");
    ftz_jw_str(w, row->at);
    ftz_jw_key(w, "actor_id");
    if (row->has_actor_id)
        ftz_jw_int(w, row->actor_id);
    else
        ftz_jw_null(w);
    ftz_jw_key(w, "actor");
    ftz_jw_str(w, row->actor);
    ftz_jw_key(w, "action");
    ftz_jw_str(w, row->action);
    ftz_jw_key(w, "entity");
    ftz_jw_str(w, row->entity);
    ftz_jw_key(w, "entity_id");
    ftz_jw_str(w, row->entity_id);
    ftz_jw_key(w, "before");
    ftz_jw_raw(w, row->before);
    ftz_jw_key(w, "after");
    ftz_jw_raw(w, row->after);
    ftz_jw_key(w, "request_id");
    ftz_jw_str(w, row->request_id);
    ftz_jw_key(w, "hash");
    ftz_jw_str(w, row->hash);
    ftz_jw_obj_end(w);
}

static void audit_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"seq", "at", NULL};
    ftz_audit_q q = {0};
    q.entity = ftz_qry_text(c, "entity", 64);
    q.entity_id = ftz_qry_text(c, "entity_id", 64);
    q.actor = ftz_qry_text(c, "actor", 64);
    q.actor_id = ftz_qry_id(c, "actor_id");
    q.action = ftz_qry_text(c, "action", 64);
    q.from = ftz_qry_text(c, "from", 40);
    q.to = ftz_qry_text(c, "to", 40);
    q.q = ftz_qry_text(c, "q", 0); /* its length is checked with the rest below */
    ftz_page p;
    (void)ftz_page_parse(c, sorts, "-seq", &p);
    q.sort_key = p.sort_key;
    q.desc = p.desc;
    q.limit = p.per_page;
    q.offset = p.offset;
    ftz_audit_q_check(c, &q);
    if (ftz_reply_input_errors(c)) return;
    int64_t total;
    ftz_rc rc;
    if (!ftz_req_ext(c)) {
        /* The hot path: rows written straight out, stored snapshots spliced in as they are
         * (checked), no JSON tree (bench/README.md). */
        ftz_buf body;
        ftz_buf_init(&body, 0);
        ftz_buf_reserve(&body, 64 * 1024);
        ftz_jw w;
        ftz_jw_init(&w, &body);
        ftz_jw_obj(&w);
        ftz_jw_key(&w, "items");
        ftz_jw_arr(&w);
        rc = ftz_audit_list_rows(c, &q, write_audit_row, &w, &total);
        if (rc) {
            ftz_buf_cleanup(&body);
            ftz_reply_rc(c, rc);
            return;
        }
        ftz_jw_arr_end(&w);
        ftz_jw_key(&w, "total");
        ftz_jw_int(&w, total);
        ftz_jw_key(&w, "page");
        ftz_jw_int(&w, p.page);
        ftz_jw_key(&w, "per_page");
        ftz_jw_int(&w, p.per_page);
        ftz_jw_obj_end(&w);
        ftz_reply_buf(c, 200, "application/json", &body);
        return;
    }
    json_t *items;
    rc = ftz_audit_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_export(c, "audit", ftz_export_cols_lang(c, audit_cols, FTZ_COUNTOF(audit_cols)),
                     FTZ_COUNTOF(audit_cols), items);
}

static void audit_get(ftz_ctx *c)
{
    int64_t seq;
    if (!ftz_path_id(c, "seq", &seq)) return;
    reply_record(c, ftz_audit_get, seq);
}

/* {seq, hash} of the chain head, for anchoring outside (a log, a notary). */
static void audit_head(ftz_ctx *c)
{
    int64_t seq;
    char hash[65];
    ftz_rc rc = ftz_audit_head(c, &seq, hash);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, json_pack("{s:I,s:s}", "seq", (json_int_t)seq, "hash", hash));
}

/* Walks the whole chain now (a POST: it is work, not a cached fact). first_bad and why are
 * null when the chain is whole. */
static void audit_verify(ftz_ctx *c)
{
    ftz_jin_only(c, ftz_req_json(c), no_fields);
    if (ftz_reply_input_errors(c)) return;
    ftz_audit_report rep;
    ftz_rc rc = ftz_audit_verify(c, &rep);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "ok", json_boolean(rep.first_bad == 0));
    json_object_set_new(o, "rows", json_integer(rep.rows));
    json_object_set_new(o, "head_seq", json_integer(rep.head_seq));
    json_object_set_new(o, "first_bad", rep.first_bad ? json_integer(rep.first_bad) : json_null());
    json_object_set_new(o, "why", rep.first_bad && rep.why ? json_string(rep.why) : json_null());
    ftz_reply_json(c, 200, o);
}

/* ---- the table ---- */

#define AUTHED FTZ_PERM_AUTHENTICATED

/* Order matters where patterns overlap: the router takes the first match, so
 * /api/v1/audit/head stands before /api/v1/audit/{seq}. */
const ftz_route auth_routes[] = {
    {"POST", "/api/v1/session", session_create, FTZ_PERM_PUBLIC, FTZ_ROUTE_NO_CSRF, SMALL_BODY},
    {"GET", "/api/v1/session", session_get, AUTHED, 0, 0},
    {"PATCH", "/api/v1/session", session_patch, AUTHED, 0, SMALL_BODY},
    {"DELETE", "/api/v1/session", session_delete, AUTHED, 0, 0},
    {"POST", "/api/v1/session/password", session_password, AUTHED, 0, SMALL_BODY},

    {"GET", "/api/v1/users", users_list, "auth.user.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/users", users_create, "auth.user.admin", 0, 0},
    {"GET", "/api/v1/users/{id}", users_get, "auth.user.read", 0, 0},
    {"PATCH", "/api/v1/users/{id}", users_patch, "auth.user.admin", 0, 0},
    {"POST", "/api/v1/users/{id}/password", users_password, "auth.user.admin", 0, SMALL_BODY},
    {"POST", "/api/v1/users/{id}/disable", users_disable, "auth.user.admin", 0, SMALL_BODY},
    {"POST", "/api/v1/users/{id}/enable", users_enable, "auth.user.admin", 0, SMALL_BODY},

    {"GET", "/api/v1/departments", depts_list, "auth.dept.read", 0, 0},
    {"POST", "/api/v1/departments", depts_create, "auth.dept.admin", 0, 0},
    {"GET", "/api/v1/departments/{id}", depts_get, "auth.dept.read", 0, 0},
    {"PATCH", "/api/v1/departments/{id}", depts_patch, "auth.dept.admin", 0, 0},
    {"DELETE", "/api/v1/departments/{id}", depts_delete, "auth.dept.admin", 0, 0},

    {"GET", "/api/v1/roles", roles_list, "auth.role.read", 0, 0},
    {"POST", "/api/v1/roles", roles_create, "auth.role.admin", 0, 0},
    {"GET", "/api/v1/roles/{id}", roles_get, "auth.role.read", 0, 0},
    {"PATCH", "/api/v1/roles/{id}", roles_patch, "auth.role.admin", 0, 0},
    {"DELETE", "/api/v1/roles/{id}", roles_delete, "auth.role.admin", 0, 0},
    {"GET", "/api/v1/permissions", perms_list, "auth.role.read", 0, 0},

    {"GET", "/api/v1/tokens", tokens_list, AUTHED, 0, 0},
    {"POST", "/api/v1/tokens", tokens_create, "auth.token.create", 0, 0},
    {"DELETE", "/api/v1/tokens/{id}", tokens_delete, AUTHED, 0, 0},

    {"GET", "/api/v1/audit", audit_list, "audit.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/audit/head", audit_head, "audit.read", 0, 0},
    {"GET", "/api/v1/audit/{seq}", audit_get, "audit.read", 0, 0},
    {"POST", "/api/v1/audit/verify", audit_verify, "audit.read", 0, SMALL_BODY},
};
const size_t auth_nroutes = FTZ_COUNTOF(auth_routes);
