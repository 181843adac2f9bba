/* session.c — log-in with throttling, sessions, bearer tokens, and turning either into the
 * request's principal (DESIGN.md §7).
 *
 * Sessions: the cookie holds 256 random bits; the database holds only their SHA-256, so a
 * leaked table opens no session. A session ends at its absolute expiry or after the idle
 * timeout; last_seen is written at most once a minute per session (not on every request),
 * which bounds the idle check's error to that minute. Throttling counts failures per user
 * name and per client address in the database, so every instance sees the same counts. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/date.h"
#include "core/log.h"
#include "core/mem.h"
#include "http/http.h"
#include "core/settings.h"
#include "core/utf8.h"

#include <ctype.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LAST_SEEN_EVERY 60

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

ftz_rc auth_load_principal(ftz_ctx *c, int64_t user_id, ftz_principal **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT u.username, u.display_name, u.department_id, u.firm_id, "
                               "u.scope, u.lang, u.disabled, d.path FROM users u "
                               "LEFT JOIN departments d ON d.id = u.department_id WHERE u.id = ?",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, user_id);
    int r = ftz_stmt_next(st);
    if (r != 1) {
        ftz_stmt_done(st);
        return r == 0 ? FTZ_ENOTFOUND : FTZ_EDB;
    }
    ftz_principal *p = ftz_arena_alloc(c->arena, sizeof(*p));
    p->user_id = user_id;
    p->username = ftz_stmt_dup(st, 0, c->arena);
    p->display_name = ftz_stmt_dup(st, 1, c->arena);
    p->department_id = ftz_stmt_int(st, 2);
    p->firm_id = ftz_stmt_int(st, 3);
    if (!ftz_scope_parse(ftz_stmt_text(st, 4), &p->scope)) p->scope = FTZ_SCOPE_OWN_FIRM;
    p->lang = ftz_stmt_dup(st, 5, c->arena);
    bool disabled = ftz_stmt_int(st, 6) != 0;
    p->dept_path = ftz_stmt_dup(st, 7, c->arena);
    ftz_stmt_done(st);
    if (disabled) return FTZ_EAUTH;

    /* Roles and their permissions in one query (a request loads its principal each time). */
    rc = ftz_db_prepare(c->db,
                        "SELECT r.name, rp.permission FROM user_roles ur "
                        "JOIN roles r ON r.id = ur.role_id "
                        "LEFT JOIN role_permissions rp ON rp.role_id = r.id "
                        "WHERE ur.user_id = ? ORDER BY r.name",
                        &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, user_id);
    size_t rcap = 4, pcap = 32;
    p->roles = ftz_arena_alloc(c->arena, rcap * sizeof(char *));
    p->perms = ftz_arena_alloc(c->arena, pcap * sizeof(char *));

    while ((r = ftz_stmt_next(st)) == 1) {
        const char *role = ftz_stmt_text(st, 0);
        if (!p->nroles || strcmp(p->roles[p->nroles - 1], role) != 0) {
            if (p->nroles == rcap) {
                const char **n = ftz_arena_alloc(c->arena, rcap * 2 * sizeof(char *));
                memcpy(n, p->roles, rcap * sizeof(char *));
                p->roles = n;
                rcap *= 2;
            }
            p->roles[p->nroles++] = ftz_arena_strdup(c->arena, role);
        }
        if (ftz_stmt_isnull(st, 1)) continue;
        if (p->nperms == pcap) {
            const char **n = ftz_arena_alloc(c->arena, pcap * 2 * sizeof(char *));
            memcpy(n, p->perms, pcap * sizeof(char *));
            p->perms = n;
            pcap *= 2;
        }
        p->perms[p->nperms++] = ftz_stmt_dup(st, 1, c->arena);
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    qsort(p->perms, p->nperms, sizeof(char *), cmp_str);
    /* Two roles may grant the same permission: keep each once. */
    size_t k = 0;
    for (size_t i = 0; i < p->nperms; i++)
        if (!k || strcmp(p->perms[k - 1], p->perms[i]) != 0) p->perms[k++] = p->perms[i];
    p->nperms = k;

    *out = p;
    return FTZ_OK;
}

/* The value of cookie `name` in a Cookie header, or NULL. */
static char *cookie_value(ftz_arena *a, const char *header, const char *name)
{
    if (!header) return NULL;
    size_t nl = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == ';')
            p++;
        const char *eq = strchr(p, '=');
        if (!eq) return NULL;
        const char *end = strchr(eq, ';');
        if (!end) end = eq + strlen(eq);
        if ((size_t)(eq - p) == nl && strncmp(p, name, nl) == 0)
            return ftz_arena_strndup(a, eq + 1, (size_t)(end - eq - 1));
        p = end;
    }
    return NULL;
}

const char *auth_cookie_from_header(ftz_arena *a, const char *header);
const char *auth_cookie_from_header(ftz_arena *a, const char *header)
{
    return cookie_value(a, header, "ftz_session");
}

static ftz_rc resolve_token(ftz_ctx *c, const char *secret)
{
    char hash[65];
    auth_sha256_hex(secret, hash);
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT id, user_id, permissions, expires_at, revoked_at, "
                               "last_used_at FROM tokens WHERE hash = ?",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, hash);
    int r = ftz_stmt_next(st);
    if (r != 1) {
        ftz_stmt_done(st);
        if (r < 0) return FTZ_EDB;
        return ftz_err_set(&c->err, FTZ_EAUTH, "bad_token", NULL);
    }
    int64_t now = ftz_time_now();
    int64_t id = ftz_stmt_int(st, 0);
    int64_t user_id = ftz_stmt_int(st, 1);
    char *perms_json = ftz_stmt_dup(st, 2, c->arena);
    bool expired = !ftz_stmt_isnull(st, 3) && ftz_stmt_int(st, 3) <= now;
    bool revoked = !ftz_stmt_isnull(st, 4);
    int64_t last_used = ftz_stmt_int(st, 5);
    ftz_stmt_done(st);
    if (expired || revoked) return ftz_err_set(&c->err, FTZ_EAUTH, "bad_token", NULL);
    ftz_principal *p;
    rc = auth_load_principal(c, user_id, &p);
    if (rc == FTZ_EAUTH || rc == FTZ_ENOTFOUND)
        return ftz_err_set(&c->err, FTZ_EAUTH, "bad_token", NULL);
    if (rc) return rc;
    /* The token's permissions, intersected with what the user holds today. */
    json_t *arr = json_loads(perms_json ? perms_json : "[]", 0, NULL);
    size_t n = 0;
    const char **keep = ftz_arena_alloc(c->arena, (p->nperms + 1) * sizeof(char *));
    for (size_t i = 0; i < p->nperms; i++) {
        size_t j;
        json_t *v;
        json_array_foreach(arr, j, v)
        {
            if (json_is_string(v) && strcmp(json_string_value(v), p->perms[i]) == 0) {
                keep[n++] = p->perms[i];
                break;
            }
        }
    }
    json_decref(arr);
    p->perms = keep;
    p->nperms = n;
    p->token_id = id;
    c->who = p;
    if (now - last_used >= LAST_SEEN_EVERY) {
        if (ftz_db_run(c->db, "UPDATE tokens SET last_used_at = ? WHERE id = ?", "ii", now, id))
            ftz_log_warn("could not record token use: %s", ftz_db_errmsg(c->db));
    }
    return FTZ_OK;
}

static ftz_rc resolve_session(ftz_ctx *c, const char *cookie, const char **csrf)
{
    char hash[65];
    auth_sha256_hex(cookie, hash);
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT user_id, csrf, expires_at, last_seen FROM sessions "
                               "WHERE id_hash = ?",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, hash);
    int r = ftz_stmt_next(st);
    if (r != 1) {
        ftz_stmt_done(st);
        if (r < 0) return FTZ_EDB;
        return ftz_err_set(&c->err, FTZ_EAUTH, "session_expired", NULL);
    }
    int64_t user_id = ftz_stmt_int(st, 0);
    char *tok = ftz_stmt_dup(st, 1, c->arena);
    int64_t expires = ftz_stmt_int(st, 2);
    int64_t last_seen = ftz_stmt_int(st, 3);
    ftz_stmt_done(st);
    int64_t now = ftz_time_now();
    int64_t idle = c->conf ? c->conf->session_idle : 1800;
    if (now >= expires || now >= last_seen + idle) {
        if (ftz_db_run(c->db, "DELETE FROM sessions WHERE id_hash = ?", "s", hash))
            ftz_log_warn("could not delete an expired session: %s", ftz_db_errmsg(c->db));
        return ftz_err_set(&c->err, FTZ_EAUTH, "session_expired", NULL);
    }
    ftz_principal *p;
    rc = auth_load_principal(c, user_id, &p);
    if (rc == FTZ_EAUTH || rc == FTZ_ENOTFOUND)
        return ftz_err_set(&c->err, FTZ_EAUTH, "session_expired", NULL);
    if (rc) return rc;
    c->who = p;
    *csrf = tok;
    if (now - last_seen >= LAST_SEEN_EVERY) {
        if (ftz_db_run(c->db, "UPDATE sessions SET last_seen = ? WHERE id_hash = ?", "is", now,
                       hash))
            ftz_log_warn("could not record session use: %s", ftz_db_errmsg(c->db));
    }
    return FTZ_OK;
}

ftz_rc auth_resolve_token(ftz_ctx *c, const char *secret)
{
    if (!secret || !*secret || strlen(secret) > 200)
        return ftz_err_set(&c->err, FTZ_EAUTH, "bad_token", NULL);
    return resolve_token(c, secret);
}

ftz_rc auth_resolve(ftz_ctx *c, bool *via_cookie, const char **csrf)
{
    *via_cookie = false;
    *csrf = NULL;
    const char *authz = ftz_req_header(c, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0 || strlen(authz + 7) == 0 ||
            strlen(authz + 7) > 200)
            return ftz_err_set(&c->err, FTZ_EAUTH, "bad_token", NULL);
        return resolve_token(c, authz + 7);
    }
    const char *cookie = cookie_value(c->arena, ftz_req_header(c, "Cookie"), "ftz_session");
    if (cookie && *cookie && strlen(cookie) <= 200) {
        ftz_rc rc = resolve_session(c, cookie, csrf);
        if (!rc) *via_cookie = true;
        return rc;
    }
    return ftz_err_set(&c->err, FTZ_EAUTH, "login_required", NULL);
}

/* ---- throttling ---- */

static ftz_rc throttle_check(ftz_ctx *c, const char *key, int64_t now, int64_t max, int64_t window,
                             int64_t *retry)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db, "SELECT window_start, failures FROM login_throttle WHERE key = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, key);
    int r = ftz_stmt_next(st);
    if (r == 1) {
        int64_t start = ftz_stmt_int(st, 0), fails = ftz_stmt_int(st, 1);
        if (fails >= max && now < start + window) {
            int64_t left = start + window - now;
            if (left > *retry) *retry = left;
        }
    }
    ftz_stmt_done(st);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}

static void throttle_fail(ftz_ctx *c, const char *key, int64_t now, int64_t window)
{
    if (ftz_db_run(c->db,
                   "INSERT INTO login_throttle (key, window_start, failures) VALUES (?, ?, 1) "
                   "ON CONFLICT (key) DO UPDATE SET "
                   "failures = CASE WHEN login_throttle.window_start + ? <= ? THEN 1 "
                   "ELSE login_throttle.failures + 1 END, "
                   "window_start = CASE WHEN login_throttle.window_start + ? <= ? THEN ? "
                   "ELSE login_throttle.window_start END",
                   "siiiiii", key, now, window, now, window, now, now))
        ftz_log_warn("could not record a failed log-in: %s", ftz_db_errmsg(c->db));
}

static char *dummy_hash;
static pthread_mutex_t dummy_mu = PTHREAD_MUTEX_INITIALIZER;

/* Verifies against a throw-away hash so that an unknown user name costs the same time. */
static void burn_verify(ftz_ctx *c, const char *password)
{
    pthread_mutex_lock(&dummy_mu);
    if (!dummy_hash) {
        char *h;
        if (auth_password_hash(c, "not-a-real-password-0", &h) == FTZ_OK)
            dummy_hash = ftz_strdup(h); /* lives for the process */
    }
    const char *h = dummy_hash;
    pthread_mutex_unlock(&dummy_mu);
    if (h) (void)auth_password_verify(h, password);
}

ftz_rc auth_login(ftz_ctx *c, const char *username, const char *password, auth_session *out)
{
    int64_t now = ftz_time_now();
    int64_t max = 5, window = 900;
    if (ftz_setting_int(c, "auth.login_max_failures", &max)) max = 5;
    if (ftz_setting_int(c, "auth.login_window_s", &window)) window = 900;
    char *ukey = ftz_arena_printf(c->arena, "u:%s", username);
    for (char *p = ukey; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    char *akey = ftz_arena_printf(c->arena, "a:%s", c->addr ? c->addr : "-");
    int64_t retry = 0;
    ftz_rc rc = throttle_check(c, ukey, now, max, window, &retry);
    if (!rc) rc = throttle_check(c, akey, now, max * 4, window, &retry);
    if (rc) return rc;
    if (retry > 0) {
        c->err.retry_after = retry;
        char s[24];
        snprintf(s, sizeof s, "%lld", (long long)retry);
        ftz_err_set(&c->err, FTZ_ETHROTTLED, "throttled", s);
        c->err.retry_after = retry;
        return FTZ_ETHROTTLED;
    }

    ftz_stmt *st;
    rc = ftz_db_prepare(c->db, "SELECT id, password_hash, disabled FROM users WHERE username = ?",
                        &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, username);
    int r = ftz_stmt_next(st);
    int64_t uid = 0;
    char *hash = NULL;
    bool disabled = false;
    if (r == 1) {
        uid = ftz_stmt_int(st, 0);
        hash = ftz_stmt_dup(st, 1, c->arena);
        disabled = ftz_stmt_int(st, 2) != 0;
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    bool ok;
    if (hash) {
        ok = auth_password_verify(hash, password) && !disabled;
    } else {
        burn_verify(c, password);
        ok = false;
    }
    if (!ok) {
        throttle_fail(c, ukey, now, window);
        throttle_fail(c, akey, now, window);
        ftz_log_warn("failed log-in for '%s' from %s", username, c->addr ? c->addr : "-");
        return ftz_err_set(&c->err, FTZ_EAUTH, "bad_login", NULL);
    }

    out->cookie = auth_random_secret(c->arena, NULL, 32);
    out->csrf = auth_random_secret(c->arena, NULL, 24);
    int64_t ttl = c->conf ? c->conf->session_ttl : 43200;
    out->expires_at = now + ttl;
    char id_hash[65];
    auth_sha256_hex(out->cookie, id_hash);
    const char *ua = c->req ? ftz_req_header(c, "User-Agent") : NULL;
    char *ua_cut = ua ? ftz_arena_strndup(c->arena, ua, 200) : NULL;
    if (ua_cut && !ftz_utf8_valid(ua_cut, strlen(ua_cut))) ua_cut = NULL;

    /* The session is written as the user it opens, so the audit row names them. */
    ftz_principal *p;
    rc = auth_load_principal(c, uid, &p);
    if (rc) return rc == FTZ_EAUTH ? ftz_err_set(&c->err, FTZ_EAUTH, "bad_login", NULL) : rc;
    ftz_principal *saved = c->who;
    c->who = p;
    rc = ftz_db_begin(c->db);
    if (rc) goto fail;
    rc =
        ftz_db_run(c->db,
                   "INSERT INTO sessions (id_hash, user_id, csrf, created_at, expires_at, "
                   "last_seen, addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   "sisiiiss", id_hash, uid, out->csrf, now, out->expires_at, now, c->addr, ua_cut);
    if (rc) goto fail;
    rc = ftz_db_run(c->db, "DELETE FROM login_throttle WHERE key = ?", "s", ukey);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "session.login", "user", uid, NULL, NULL);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    c->who = saved;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    c->who = saved;
    return rc;
}

ftz_rc auth_logout(ftz_ctx *c, const char *cookie)
{
    if (!cookie) return FTZ_OK;
    char hash[65];
    auth_sha256_hex(cookie, hash);
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) return rc;
    rc = ftz_db_run(c->db, "DELETE FROM sessions WHERE id_hash = ?", "s", hash);
    if (!rc && c->who) rc = ftz_audit_id(c, "session.logout", "user", c->who->user_id, NULL, NULL);
    if (!rc) rc = ftz_db_commit(c->db);
    if (rc) ftz_db_rollback(c->db);
    return rc;
}
