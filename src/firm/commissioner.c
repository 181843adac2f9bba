/* commissioner.c — chief service commissioners: the assignment at registration (the rule is
 * assign.c's; this file loads the candidates and records the outcome), reassignment with a
 * reason, the assignment history, profiles, the list with each one's load, and the
 * workspace. SQL through db.h only; every read scoped in SQL (auth_scope_where on firms). */
#include "core/ftz_setup.h"
#include "firm/commissioner.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/log.h"
#include "core/platform.h"
#include "core/settings.h"
#include "core/utf8.h"
#include "db/db.h"
#include "firm/demand.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REASON_MAX    500
#define WS_FIRMS_MAX  500 /* firms listed in a workspace (the count is exact) */
#define WS_DEMANDS    20  /* the most urgent open demands listed */
#define WS_PACKAGE    200 /* outstanding package items listed */
#define CANDIDATE_CAP 10000

static const auth_scope_cols firm_scope = {"f.department_id", "f.id", "f.commissioner_id"};

/* A user holding the built-in role commissioner (users aliased u). */
#define IS_COMMISSIONER_SQL                                                                        \
    "EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id "                       \
    "WHERE ur.user_id = u.id AND r.name = 'commissioner' AND r.builtin = 1)"

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

static int64_t actor_id(const ftz_ctx *c)
{
    return c->who && !c->who->system ? c->who->user_id : 0;
}

static const char *local_name(const ftz_ctx *c, const char *zh, const char *ru, const char *en)
{
    if (c->lang && strcmp(c->lang, "ru") == 0 && ru) return ru;
    if (c->lang && strcmp(c->lang, "en") == 0 && en) return en;
    return zh;
}

/* Appends "col IN (?, ?, …)" over the demand machine's open (clock_only: clock) states. */
static void demand_states_in(ftz_q *q, const char *col, bool clock_only)
{
    ftz_q_sql(q, col);
    ftz_q_sql(q, " IN ('_'");
    for (size_t i = 0; i < demand_kind.nstates; i++) {
        const case_state_def *s = &demand_kind.states[i];
        if (clock_only ? s->clock : s->open) {
            ftz_q_sql(q, ", ?");
            ftz_q_text(q, s->name);
        }
    }
    ftz_q_sql(q, ")");
}

/* Runs a built query that yields one integer. */
static ftz_rc q_scalar(ftz_ctx *c, const ftz_q *q, int64_t *out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *out = r == 1 ? ftz_stmt_int(st, 0) : 0;
    ftz_stmt_done(st);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}

/* ---- registration ------------------------------------------------------------------------ */

/* The active commissioners and their load, by id. */
static ftz_rc load_candidates(ftz_ctx *c, firm_assign_cand **out, size_t *n)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db,
        "SELECT u.id, COALESCE(p.industries, ''), COALESCE(p.max_firms, 0), "
        "(SELECT count(*) FROM firms f WHERE f.commissioner_id = u.id AND f.status <> 'closed') "
        "FROM users u LEFT JOIN commissioner_profiles p ON p.user_id = u.id "
        "WHERE u.disabled = 0 AND COALESCE(p.active, 1) = 1 AND " IS_COMMISSIONER_SQL
        " ORDER BY u.id",
        &st);
    if (rc) return rc;
    size_t cap = 16, len = 0;
    firm_assign_cand *v = ftz_arena_alloc(c->arena, cap * sizeof *v);
    int r;
    while ((r = ftz_stmt_next(st)) == 1 && len < CANDIDATE_CAP) {
        if (len == cap) {
            firm_assign_cand *w = ftz_arena_alloc(c->arena, 2 * cap * sizeof *w);
            memcpy(w, v, len * sizeof *v);
            v = w;
            cap *= 2;
        }
        v[len].user_id = ftz_stmt_int(st, 0);
        v[len].industries = ftz_stmt_dup(st, 1, c->arena);
        v[len].max_firms = ftz_stmt_int(st, 2);
        v[len].load = ftz_stmt_int(st, 3);
        len++;
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    *out = v;
    *n = len;
    return FTZ_OK;
}

ftz_rc firm_reg_begin(ftz_ctx *c, firm_reg *r)
{
    memset(r, 0, sizeof *r);
    bool on = true;
    ftz_rc rc = ftz_setting_bool(c, "firm.auto_assign", &on);
    if (rc) return rc;
    r->auto_assign = on;
    return firm_pkg_load(c->arena, &r->pkg);
}

static ftz_rc insert_assignment(ftz_ctx *c, int64_t firm_id, int64_t user_id, int64_t by,
                                const char *reason, const char *now)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "INSERT INTO commissioner_assignments (firm_id, user_id, "
                               "assigned_at, assigned_by, reason) VALUES (?, ?, ?, ?, ?)",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, firm_id);
    ftz_stmt_bind_int(st, user_id);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_id(st, by);
    ftz_stmt_bind_text(st, reason);
    rc = ftz_stmt_exec(st);
    ftz_stmt_done(st);
    return rc;
}

/* The reason an automatic choice is recorded with, e.g. "auto: industry 5191 matches profile
 * F, load 12/40". */
static const char *auto_reason(ftz_ctx *c, const firm_in *in, const firm_assign_pick *pk,
                               const firm_assign_cand *cand)
{
    const char *why;
    if (!in->industry)
        why = "no industry given, least load";
    else if (pk->matched)
        why = ftz_arena_printf(c->arena, "industry %s matches profile %s, load", in->industry,
                               pk->match);
    else
        why =
            ftz_arena_printf(c->arena, "industry %s, no profile matches, least load", in->industry);
    const char *load = cand->max_firms > 0
                           ? ftz_arena_printf(c->arena, "%lld/%lld", (long long)cand->load,
                                              (long long)cand->max_firms)
                           : ftz_arena_printf(c->arena, "%lld", (long long)cand->load);
    return ftz_arena_printf(c->arena, "auto: %s %s%s", why, load,
                            pk->over_cap ? ", every commissioner at capacity" : "");
}

ftz_rc firm_reg_firm(ftz_ctx *c, firm_reg *r, int64_t firm_id, const firm_in *in, const char *now,
                     bool audit, int64_t *assigned)
{
    *assigned = 0;
    ftz_rc rc;
    int64_t has = in->commissioner_id;
    if (has) {
        rc = insert_assignment(c, firm_id, has, actor_id(c), "registration", now);
        if (rc) return rc;
    } else if (r->auto_assign) {
        /* the candidates once per transaction, when a firm first needs them */
        if (!r->cands_loaded) {
            rc = load_candidates(c, &r->cands, &r->ncands);
            if (rc) return rc;
            r->cands_loaded = true;
        }
        const ftz_dict *dict = ftz_dict_get(ftz_platform_dicts(), "industries");
        char section = firm_industry_section(dict, in->industry);
        firm_assign_pick pk;
        size_t i = firm_assign_choose(r->cands, r->ncands, in->industry, section, &pk);
        const char *reason;
        if (i != SIZE_MAX) {
            firm_assign_cand *cand = &r->cands[i];
            reason = auto_reason(c, in, &pk, cand);
            rc = ftz_db_run(c->db, "UPDATE firms SET commissioner_id = ? WHERE id = ?", "ii",
                            cand->user_id, firm_id);
            if (rc) return rc;
            rc = insert_assignment(c, firm_id, cand->user_id, 0, reason, now);
            if (rc) return rc;
            cand->load++;
            has = *assigned = cand->user_id;
            r->auto_assigned++;
        } else {
            reason = "auto: no active commissioner";
            r->unassigned++;
            ftz_log_warn("firm %lld registered without a commissioner: no active commissioner",
                         (long long)firm_id);
        }
        r->last_reason = reason;
        if (audit) {
            json_t *after = json_pack("{s:o,s:s}", "commissioner_id",
                                      has ? json_integer(has) : json_null(), "reason", reason);
            rc = ftz_audit_id(c, "commissioner.auto_assign", "firm", firm_id, NULL, after);
            json_decref(after);
            if (rc) return rc;
        }
    }
    return firm_package_create(c, &r->pkg, firm_id, has != 0, now);
}

ftz_rc firm_commissioner_record(ftz_ctx *c, int64_t firm_id, int64_t user_id, const char *reason,
                                const char *now)
{
    ftz_rc rc = ftz_db_run(c->db,
                           "UPDATE commissioner_assignments SET ended_at = ? "
                           "WHERE firm_id = ? AND ended_at IS NULL",
                           "si", now, firm_id);
    if (rc || !user_id) return rc;
    rc = insert_assignment(c, firm_id, user_id, actor_id(c), reason, now);
    if (rc) return rc;
    return firm_package_tick_commissioner(c, firm_id, now);
}

/* ---- reassignment and history ------------------------------------------------------------ */

/* Whether user_id is an active commissioner; FTZ_ENOTFOUND when no such user. */
static ftz_rc active_commissioner(ftz_ctx *c, int64_t user_id, bool *yes)
{
    int64_t x;
    ftz_rc rc = ftz_db_scalar(c->db, &x, "SELECT id FROM users WHERE id = ?", "i", user_id);
    if (rc) return rc;
    rc = ftz_db_scalar(c->db, &x,
                       "SELECT count(*) FROM users u LEFT JOIN commissioner_profiles p ON "
                       "p.user_id = u.id WHERE u.id = ? AND u.disabled = 0 AND "
                       "COALESCE(p.active, 1) = 1 AND " IS_COMMISSIONER_SQL,
                       "i", user_id);
    if (rc) return rc;
    *yes = x > 0;
    return FTZ_OK;
}

/* The firm read back without scope (the caller may have moved it out of their own). */
static ftz_rc firm_get_unscoped(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_principal *saved = c->who;
    ftz_principal sys = {.system = true, .username = "system"};
    c->who = &sys;
    ftz_rc rc = firm_get(c, id, out);
    c->who = saved;
    return rc;
}

ftz_rc firm_commissioner_assign(ftz_ctx *c, int64_t firm_id, int64_t user_id, const char *reason,
                                int64_t version)
{
    if (!reason || !*reason)
        ftz_err_field(&c->err, "reason", "required", NULL);
    else if (ftz_utf8_len(reason) > REASON_MAX)
        ftz_err_field(&c->err, "reason", "too_long", "500");
    if (user_id <= 0) ftz_err_field(&c->err, "user_id", "required", NULL);
    if (c->err.rc) return c->err.rc;
    json_t *before;
    ftz_rc rc = firm_get(c, firm_id, &before);
    if (rc) return rc;
    bool ok = false;
    rc = active_commissioner(c, user_id, &ok);
    if (rc == FTZ_ENOTFOUND) {
        ftz_err_field(&c->err, "user_id", "no_such", NULL);
        rc = c->err.rc;
        goto out;
    }
    if (rc) goto out;
    if (!ok) {
        ftz_err_field(&c->err, "user_id", "not_commissioner", NULL);
        rc = c->err.rc;
        goto out;
    }
    int64_t cur_version = json_integer_value(json_object_get(before, "version"));
    char cur[24];
    snprintf(cur, sizeof cur, "%lld", (long long)cur_version);
    if (version && version != cur_version) {
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, cur));
        goto out;
    }
    if (json_integer_value(json_object_get(before, "commissioner_id")) == user_id) {
        rc = ftz_err_set(&c->err, FTZ_ECONFLICT, "same_commissioner", NULL);
        goto out;
    }
    char now[32];
    case_now_iso(c, now);
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE firms SET commissioner_id = ?, updated_at = ?, "
                        "version = version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, user_id);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, firm_id);
    ftz_stmt_bind_int(st, cur_version);
    rc = ftz_stmt_exec(st);
    int64_t changed = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (changed != 1) {
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, cur));
        goto fail;
    }
    rc = firm_commissioner_record(c, firm_id, user_id, reason, now);
    if (rc) goto fail;
    json_t *after;
    rc = firm_get_unscoped(c, firm_id, &after);
    if (rc) goto fail;
    json_t *b =
        json_pack("{s:O,s:O}", "commissioner_id", json_object_get(before, "commissioner_id"),
                  "commissioner_name", json_object_get(before, "commissioner_name"));
    json_t *a = json_pack("{s:O,s:O,s:s}", "commissioner_id",
                          json_object_get(after, "commissioner_id"), "commissioner_name",
                          json_object_get(after, "commissioner_name"), "reason", reason);
    json_decref(after);
    rc = ftz_audit_id(c, "commissioner.assign", "firm", firm_id, b, a);
    json_decref(b);
    json_decref(a);
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

ftz_rc firm_commissioner_history(ftz_ctx *c, int64_t firm_id, json_t **items)
{
    json_t *f;
    ftz_rc rc = firm_get(c, firm_id, &f);
    if (rc) return rc;
    json_decref(f);
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "SELECT a.id, a.user_id, u.display_name, a.assigned_at, a.assigned_by, "
                        "b.display_name, a.reason, a.ended_at FROM commissioner_assignments a "
                        "LEFT JOIN users u ON u.id = a.user_id "
                        "LEFT JOIN users b ON b.id = a.assigned_by "
                        "WHERE a.firm_id = ? ORDER BY a.id DESC",
                        &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, firm_id);
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        const char *reason = ftz_stmt_text(st, 6);
        bool is_auto = ftz_stmt_isnull(st, 4) && reason && strncmp(reason, "auto:", 5) == 0;
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(o, "user_id", json_integer(ftz_stmt_int(st, 1)));
        json_object_set_new(o, "user_name", jstr(ftz_stmt_text(st, 2)));
        json_object_set_new(o, "assigned_at", jstr(ftz_stmt_text(st, 3)));
        json_object_set_new(o, "assigned_by", jid(st, 4));
        json_object_set_new(o, "assigned_by_name", jstr(ftz_stmt_text(st, 5)));
        json_object_set_new(o, "auto", json_boolean(is_auto));
        json_object_set_new(o, "reason", jstr(reason));
        json_object_set_new(o, "ended_at", jstr(ftz_stmt_text(st, 7)));
        json_object_set_new(o, "current", json_boolean(ftz_stmt_isnull(st, 7)));
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

/* ---- profiles and the list --------------------------------------------------------------- */

static json_t *codes_json(const char *codes)
{
    json_t *arr = json_array();
    const char *p = codes ? codes : "";
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if (e > p) json_array_append_new(arr, json_stringn(p, (size_t)(e - p)));
        p = e;
    }
    return arr;
}

/* One list query: the commissioners (one of them when user_id) with profile and load.
 * firm_industry (with its section) marks the profiles that match it. */
static ftz_rc list_query(ftz_ctx *c, const firm_commissioner_q *lq, int64_t user_id,
                         const char *firm_industry, json_t **items, int64_t *total)
{
    ftz_q where;
    ftz_q_init(&where, c->arena);
    ftz_q_sql(&where, " WHERE " IS_COMMISSIONER_SQL);
    if (user_id) {
        ftz_q_sql(&where, " AND u.id = ?");
        ftz_q_int(&where, user_id);
    }
    if (lq && lq->q && *lq->q) {
        char *f = ftz_utf8_fold(c->arena, lq->q);
        if (!f) return ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        ftz_q_sql(&where, " AND u.name_fold LIKE ? ESCAPE '\\'");
        ftz_q_text(&where, ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f)));
    }
    /* A firm's own account sees the commissioners of the firms in its scope only; staff
     * and commissioners see their colleagues (loads still count within scope). */
    if (c->who && !c->who->system && c->who->scope == FTZ_SCOPE_OWN_FIRM) {
        ftz_q_sql(&where, " AND u.id IN (SELECT f.commissioner_id FROM firms f WHERE "
                          "f.commissioner_id IS NOT NULL");
        auth_scope_where(c, &where, &firm_scope);
        ftz_q_sql(&where, ")");
    }
    if (lq && lq->available == 1)
        ftz_q_sql(&where, " AND u.disabled = 0 AND COALESCE(p.active, 1) = 1");
    if (lq && lq->available == 0)
        ftz_q_sql(&where, " AND (u.disabled <> 0 OR COALESCE(p.active, 1) = 0)");

    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM users u LEFT JOIN commissioner_profiles p ON "
                  "p.user_id = u.id");
    ftz_q_append(&q, &where);
    ftz_rc rc = q_scalar(c, &q, total);
    if (rc) return rc;

    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT u.id, u.username, u.display_name, u.disabled, u.department_id, ");
    ftz_q_sql(&q, FTZ_DEPT_NAME_SQL);
    ftz_q_text(&q, c->lang);
    ftz_q_sql(&q, ", COALESCE(p.industries, ''), COALESCE(p.max_firms, 0), "
                  "COALESCE(p.active, 1), COALESCE(p.version, 0), p.updated_at, "
                  "(SELECT count(*) FROM firms f WHERE f.commissioner_id = u.id AND "
                  "f.status <> 'closed'");
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, ") AS firms_n, (SELECT count(*) FROM cases cs JOIN firms f ON f.id = "
                  "cs.firm_id WHERE cs.kind = 'demand' AND f.commissioner_id = u.id AND ");
    demand_states_in(&q, "cs.state", false);
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, ") AS demands_n, (SELECT count(*) FROM startup_items si JOIN firms f ON "
                  "f.id = si.firm_id WHERE f.commissioner_id = u.id AND si.status IN "
                  "('pending', 'in_progress')");
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, ") AS package_n FROM users u LEFT JOIN commissioner_profiles p ON "
                  "p.user_id = u.id LEFT JOIN departments d ON d.id = u.department_id");
    ftz_q_append(&q, &where);
    const char *order = "u.id";
    if (lq && lq->sort_key && strcmp(lq->sort_key, "display_name") == 0) order = "u.display_name";
    if (lq && lq->sort_key && strcmp(lq->sort_key, "firms") == 0) order = "firms_n";
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s %s, u.id LIMIT ? OFFSET ?", order,
                                   lq && lq->desc ? "DESC" : "ASC"));
    ftz_q_int(&q, lq ? lq->limit : 1);
    ftz_q_int(&q, lq ? lq->offset : 0);
    ftz_stmt *st;
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    const ftz_dict *dict = ftz_dict_get(ftz_platform_dicts(), "industries");
    char section = firm_industry_section(dict, firm_industry);
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        bool disabled = ftz_stmt_int(st, 3) != 0, active = ftz_stmt_int(st, 8) != 0;
        const char *codes = ftz_stmt_text(st, 6);
        json_t *o = json_object();
        json_object_set_new(o, "user_id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(o, "username", jstr(ftz_stmt_text(st, 1)));
        json_object_set_new(o, "display_name", jstr(ftz_stmt_text(st, 2)));
        json_object_set_new(o, "disabled", json_boolean(disabled));
        json_object_set_new(o, "department_id", jid(st, 4));
        json_object_set_new(o, "department_name", jstr(ftz_stmt_text(st, 5)));
        json_object_set_new(o, "industries", codes_json(codes));
        json_object_set_new(o, "max_firms", json_integer(ftz_stmt_int(st, 7)));
        json_object_set_new(o, "active", json_boolean(active));
        json_object_set_new(o, "available", json_boolean(active && !disabled));
        json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 9)));
        json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 10)));
        json_object_set_new(o, "firms", json_integer(ftz_stmt_int(st, 11)));
        json_object_set_new(o, "open_demands", json_integer(ftz_stmt_int(st, 12)));
        json_object_set_new(o, "package_outstanding", json_integer(ftz_stmt_int(st, 13)));
        if (firm_industry || (lq && lq->firm_id))
            json_object_set_new(
                o, "matches",
                json_boolean(firm_industry_list_matches(codes, firm_industry, section, NULL)));
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

ftz_rc firm_commissioners_list(ftz_ctx *c, const firm_commissioner_q *q, json_t **items,
                               int64_t *total)
{
    const char *industry = NULL;
    if (q->firm_id) {
        json_t *f;
        ftz_rc rc = firm_get(c, q->firm_id, &f);
        if (rc) return rc;
        const char *s = json_string_value(json_object_get(f, "industry"));
        industry = s ? ftz_arena_strdup(c->arena, s) : NULL;
        json_decref(f);
    }
    return list_query(c, q, 0, industry, items, total);
}

ftz_rc firm_commissioner_profile_get(ftz_ctx *c, int64_t user_id, json_t **out)
{
    json_t *items;
    int64_t total;
    ftz_rc rc = list_query(c, NULL, user_id, NULL, &items, &total);
    if (rc) return rc;
    if (json_array_size(items) == 0) {
        json_decref(items);
        return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    }
    *out = json_incref(json_array_get(items, 0));
    json_decref(items);
    return FTZ_OK;
}

ftz_rc firm_commissioner_profile_set(ftz_ctx *c, int64_t user_id, const firm_profile_in *in)
{
    json_t *before;
    ftz_rc rc = firm_commissioner_profile_get(c, user_id, &before);
    if (rc) return rc;
    const ftz_dict *dict = ftz_dict_get(ftz_platform_dicts(), "industries");
    char *codes = ftz_arena_strdup(c->arena, "");
    if (in->nindustries > FIRM_PROFILE_MAX_CODES)
        ftz_err_field(&c->err, "industries", "too_many", "32");
    for (size_t i = 0; i < in->nindustries && i < FIRM_PROFILE_MAX_CODES; i++) {
        const char *code = in->industries[i];
        if (!firm_industry_code_valid(dict, code)) {
            ftz_err_field(&c->err, ftz_arena_printf(c->arena, "industries[%zu]", i), "format",
                          "GB/T 4754-2017: A, 51, 519, 5191");
            continue;
        }
        bool seen = false;
        for (size_t k = 0; k < i; k++)
            seen = seen || strcmp(in->industries[k], code) == 0;
        if (!seen) codes = ftz_arena_printf(c->arena, "%s%s%s", codes, *codes ? " " : "", code);
    }
    if (in->max_firms < 0 || in->max_firms > 100000)
        ftz_err_field(&c->err, "max_firms", "range", "[0, 100000]");
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    int64_t cur = json_integer_value(json_object_get(before, "version"));
    char curs[24];
    snprintf(curs, sizeof curs, "%lld", (long long)cur);
    if (in->version != cur) {
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, curs));
        goto out;
    }
    char now[32];
    case_now_iso(c, now);
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    ftz_stmt *st;
    if (cur == 0) {
        rc = ftz_db_prepare(c->db,
                            "INSERT INTO commissioner_profiles (user_id, industries, max_firms, "
                            "active, updated_at, version) VALUES (?, ?, ?, ?, ?, 1) "
                            "ON CONFLICT (user_id) DO NOTHING",
                            &st);
        if (rc) goto fail;
        ftz_stmt_bind_int(st, user_id);
        ftz_stmt_bind_text(st, codes);
        ftz_stmt_bind_int(st, in->max_firms);
        ftz_stmt_bind_int(st, in->active ? 1 : 0);
        ftz_stmt_bind_text(st, now);
    } else {
        rc = ftz_db_prepare(c->db,
                            "UPDATE commissioner_profiles SET industries = ?, max_firms = ?, "
                            "active = ?, updated_at = ?, version = version + 1 "
                            "WHERE user_id = ? AND version = ?",
                            &st);
        if (rc) goto fail;
        ftz_stmt_bind_text(st, codes);
        ftz_stmt_bind_int(st, in->max_firms);
        ftz_stmt_bind_int(st, in->active ? 1 : 0);
        ftz_stmt_bind_text(st, now);
        ftz_stmt_bind_int(st, user_id);
        ftz_stmt_bind_int(st, cur);
    }
    rc = ftz_stmt_exec(st);
    int64_t changed = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (changed != 1) {
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, curs));
        goto fail;
    }
    json_t *b = json_pack("{s:O,s:O,s:O}", "industries", json_object_get(before, "industries"),
                          "max_firms", json_object_get(before, "max_firms"), "active",
                          json_object_get(before, "active"));
    json_t *a = json_pack("{s:o,s:I,s:b}", "industries", codes_json(codes), "max_firms",
                          (json_int_t)in->max_firms, "active", in->active);
    rc = ftz_audit_id(c, "commissioner.profile", "user", user_id, b, a);
    json_decref(b);
    json_decref(a);
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

/* ---- the workspace ----------------------------------------------------------------------- */

static json_t *firm_names(const ftz_ctx *c, const ftz_stmt *st, int col, json_t *o)
{
    const char *zh = ftz_stmt_text(st, col), *ru = ftz_stmt_text(st, col + 1),
               *en = ftz_stmt_text(st, col + 2);
    json_object_set_new(o, "firm_name", jstr(local_name(c, zh, ru, en)));
    json_object_set_new(o, "name_zh", jstr(zh));
    return o;
}

typedef struct ws_firm {
    int64_t id;
    const char *status, *last_visit;
    ftz_date created;
    json_t *json; /* borrowed from the firms array */
} ws_firm;

/* The firms, each with its open and overdue demands, outstanding package items and last
 * visit; fills the visit facts into fs (up to WS_FIRMS_MAX). */
static ftz_rc ws_firms(ftz_ctx *c, int64_t user_id, const char *now, json_t *firms, ws_firm *fs,
                       size_t *nfs)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT f.id, f.credit_code, f.name_zh, f.name_ru, f.name_en, f.status, "
                  "f.industry, f.created_at, (SELECT count(*) FROM cases cs WHERE cs.kind = "
                  "'demand' AND cs.firm_id = f.id AND ");
    demand_states_in(&q, "cs.state", false);
    ftz_q_sql(&q, "), (SELECT count(*) FROM cases cs WHERE cs.kind = 'demand' AND cs.firm_id = "
                  "f.id AND cs.deadline_at < ? AND ");
    ftz_q_text(&q, now);
    demand_states_in(&q, "cs.state", true);
    ftz_q_sql(&q, "), (SELECT count(*) FROM startup_items si WHERE si.firm_id = f.id AND "
                  "si.status IN ('pending', 'in_progress')), (SELECT max(v.visited_on) FROM "
                  "visits v WHERE v.firm_id = f.id) FROM firms f WHERE f.commissioner_id = ?");
    ftz_q_int(&q, user_id);
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, " ORDER BY f.name_zh, f.id LIMIT ?");
    ftz_q_int(&q, WS_FIRMS_MAX);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r;
    *nfs = 0;
    while ((r = ftz_stmt_next(st)) == 1) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(o, "credit_code", jstr(ftz_stmt_text(st, 1)));
        firm_names(c, st, 2, o);
        json_object_set_new(o, "name_ru", jstr(ftz_stmt_text(st, 3)));
        json_object_set_new(o, "name_en", jstr(ftz_stmt_text(st, 4)));
        json_object_set_new(o, "status", jstr(ftz_stmt_text(st, 5)));
        json_object_set_new(o, "industry", jstr(ftz_stmt_text(st, 6)));
        json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 7)));
        json_object_set_new(o, "open_demands", json_integer(ftz_stmt_int(st, 8)));
        json_object_set_new(o, "overdue_demands", json_integer(ftz_stmt_int(st, 9)));
        json_object_set_new(o, "package_outstanding", json_integer(ftz_stmt_int(st, 10)));
        json_object_set_new(o, "last_visit_on", jstr(ftz_stmt_text(st, 11)));
        json_array_append_new(firms, o);
        ws_firm *w = &fs[(*nfs)++];
        w->id = ftz_stmt_int(st, 0);
        w->status = ftz_stmt_dup(st, 5, c->arena);
        w->last_visit = ftz_stmt_dup(st, 11, c->arena);
        int64_t t = 0;
        const char *created = ftz_stmt_text(st, 7);
        w->created = created && ftz_time_parse(created, &t) == FTZ_OK ? ftz_date_of_shanghai(t) : 0;
        w->json = o;
    }
    ftz_stmt_done(st);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}

static ftz_rc ws_demands(ftz_ctx *c, int64_t user_id, const char *now, json_t *out)
{
    /* counts by open state */
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT cs.state, count(*) FROM cases cs JOIN firms f ON f.id = cs.firm_id "
                  "WHERE cs.kind = 'demand' AND f.commissioner_id = ? AND ");
    ftz_q_int(&q, user_id);
    demand_states_in(&q, "cs.state", false);
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, " GROUP BY cs.state");
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int64_t counts[32] = {0};
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        const char *s = ftz_stmt_text(st, 0);
        for (size_t i = 0; i < demand_kind.nstates && i < 32; i++)
            if (s && strcmp(demand_kind.states[i].name, s) == 0) counts[i] = ftz_stmt_int(st, 1);
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    json_t *by = json_array();
    int64_t open = 0;
    for (size_t i = 0; i < demand_kind.nstates && i < 32; i++) {
        const case_state_def *s = &demand_kind.states[i];
        if (!s->open) continue;
        open += counts[i];
        json_array_append_new(by, json_pack("{s:s,s:s,s:I}", "state", s->name, "name",
                                            local_name(c, s->zh, s->ru, s->en), "count",
                                            (json_int_t)counts[i]));
    }
    json_object_set_new(out, "open", json_integer(open));
    json_object_set_new(out, "by_state", by);

    /* overdue: a clock state past its deadline */
    int64_t overdue = 0;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM cases cs JOIN firms f ON f.id = cs.firm_id WHERE "
                  "cs.kind = 'demand' AND f.commissioner_id = ? AND cs.deadline_at < ? AND ");
    ftz_q_int(&q, user_id);
    ftz_q_text(&q, now);
    demand_states_in(&q, "cs.state", true);
    auth_scope_where(c, &q, &firm_scope);
    rc = q_scalar(c, &q, &overdue);
    if (rc) return rc;
    json_object_set_new(out, "overdue", json_integer(overdue));

    /* the most urgent: by deadline, those without one last */
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT cs.id, cs.code, cs.title, cs.state, cs.deadline_on, cs.deadline_at, "
                  "f.id, f.name_zh, f.name_ru, f.name_en FROM cases cs JOIN firms f ON f.id = "
                  "cs.firm_id WHERE cs.kind = 'demand' AND f.commissioner_id = ? AND ");
    ftz_q_int(&q, user_id);
    demand_states_in(&q, "cs.state", false);
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, " ORDER BY CASE WHEN cs.deadline_at IS NULL THEN 1 ELSE 0 END, "
                  "cs.deadline_at, cs.id LIMIT ?");
    ftz_q_int(&q, WS_DEMANDS);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *items = json_array();
    while ((r = ftz_stmt_next(st)) == 1) {
        const char *state = ftz_stmt_text(st, 3), *deadline_at = ftz_stmt_text(st, 5);
        const case_state_def *s = case_state_find(&demand_kind, state);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(o, "code", jstr(ftz_stmt_text(st, 1)));
        json_object_set_new(o, "title", jstr(ftz_stmt_text(st, 2)));
        json_object_set_new(o, "state", jstr(state));
        json_object_set_new(o, "state_name", jstr(s ? local_name(c, s->zh, s->ru, s->en) : state));
        json_object_set_new(o, "deadline_on", jstr(ftz_stmt_text(st, 4)));
        json_object_set_new(
            o, "overdue",
            json_boolean(s && s->clock && deadline_at && strcmp(deadline_at, now) < 0));
        json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 6)));
        firm_names(c, st, 7, o);
        json_array_append_new(items, o);
    }
    ftz_stmt_done(st);
    json_object_set_new(out, "items", items);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}

typedef struct ws_item {
    int64_t firm_id;
    size_t order;
    json_t *json;
} ws_item;

static int cmp_item(const void *a, const void *b)
{
    const ws_item *x = a, *y = b;
    if (x->firm_id != y->firm_id) return x->firm_id < y->firm_id ? -1 : 1;
    return x->order < y->order ? -1 : x->order > y->order;
}

static ftz_rc ws_package(ftz_ctx *c, int64_t user_id, json_t *out)
{
    firm_pkg pkg;
    ftz_rc rc = firm_pkg_load(c->arena, &pkg);
    if (rc) return rc;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT si.firm_id, f.name_zh, f.name_ru, f.name_en, si.item, si.status, "
                  "si.updated_at, si.version FROM startup_items si JOIN firms f ON f.id = "
                  "si.firm_id WHERE f.commissioner_id = ? AND si.status IN ('pending', "
                  "'in_progress')");
    ftz_q_int(&q, user_id);
    auth_scope_where(c, &q, &firm_scope);
    ftz_q_sql(&q, " ORDER BY si.firm_id, si.item");
    ftz_stmt *st;
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    size_t cap = 64, n = 0;
    ws_item *v = ftz_arena_alloc(c->arena, cap * sizeof *v);
    int64_t total = 0;
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        total++;
        if (n >= 5000) continue; /* counted, not listed */
        if (n == cap) {
            ws_item *w = ftz_arena_alloc(c->arena, 2 * cap * sizeof *w);
            memcpy(w, v, n * sizeof *v);
            v = w;
            cap *= 2;
        }
        const char *code = ftz_stmt_text(st, 4), *status = ftz_stmt_text(st, 5);
        const firm_pkg_item *it = firm_pkg_find(&pkg, code);
        const firm_pkg_status_def *sd = firm_pkg_status_find(status);
        json_t *o = json_object();
        json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 0)));
        firm_names(c, st, 1, o);
        json_object_set_new(o, "item", jstr(code));
        json_object_set_new(o, "item_name", jstr(it ? firm_pkg_item_name(it, c->lang) : code));
        json_object_set_new(o, "status", jstr(status));
        json_object_set_new(o, "status_name",
                            jstr(sd ? local_name(c, sd->zh, sd->ru, sd->en) : status));
        json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 6)));
        json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 7)));
        v[n].firm_id = ftz_stmt_int(st, 0);
        v[n].order = it ? (size_t)(it - pkg.items) : pkg.n;
        v[n].json = o;
        n++;
    }
    ftz_stmt_done(st);
    if (n) qsort(v, n, sizeof *v, cmp_item);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        if (i < WS_PACKAGE)
            json_array_append_new(items, v[i].json);
        else
            json_decref(v[i].json);
    }
    json_object_set_new(out, "outstanding", json_integer(total));
    json_object_set_new(out, "items", items);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}

ftz_rc firm_commissioner_workspace(ftz_ctx *c, int64_t user_id, json_t **out)
{
    char now[32];
    case_now_iso(c, now);
    ftz_date today = ftz_date_of_shanghai(case_now(c));
    int64_t due_days = 90;
    ftz_rc rc = ftz_setting_int(c, "firm.visit_due_days", &due_days);
    if (rc) return rc;
    json_t *o = json_object();
    char todays[11];
    ftz_date_format(today, todays);
    json_object_set_new(o, "user_id", json_integer(user_id));
    json_object_set_new(o, "today", json_string(todays));
    json_object_set_new(o, "visit_due_days", json_integer(due_days));

    /* firms */
    int64_t count = 0;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM firms f WHERE f.commissioner_id = ?");
    ftz_q_int(&q, user_id);
    auth_scope_where(c, &q, &firm_scope);
    rc = q_scalar(c, &q, &count);
    if (rc) goto fail;
    json_t *firms = json_array();
    ws_firm *fs = ftz_arena_alloc(c->arena, WS_FIRMS_MAX * sizeof *fs);
    size_t nfs = 0;
    rc = ws_firms(c, user_id, now, firms, fs, &nfs);
    json_object_set_new(o, "firms",
                        json_pack("{s:I,s:o}", "count", (json_int_t)count, "items", firms));
    if (rc) goto fail;

    /* visits due: active firms without a visit in the last due_days days */
    json_t *due = json_array();
    for (size_t i = 0; i < nfs; i++) {
        const ws_firm *w = &fs[i];
        if (!w->status || strcmp(w->status, "active") != 0) continue;
        ftz_date last = 0;
        bool visited = w->last_visit && ftz_date_parse(w->last_visit, &last) == FTZ_OK;
        int64_t since = visited ? (int64_t)today - last : -1;
        bool is_due = !visited || since >= due_days;
        json_object_set_new(w->json, "visit_due", json_boolean(is_due));
        if (!is_due) continue;
        json_t *d = json_object();
        json_object_set_new(d, "firm_id", json_integer(w->id));
        json_object_set(d, "firm_name", json_object_get(w->json, "firm_name"));
        json_object_set_new(d, "last_visit_on", jstr(w->last_visit));
        json_object_set_new(d, "days_since", visited ? json_integer(since) : json_null());
        json_object_set_new(d, "registered_days",
                            json_integer(w->created ? (int64_t)today - w->created : 0));
        json_array_append_new(due, d);
    }
    json_object_set_new(
        o, "visits_due",
        json_pack("{s:I,s:o}", "count", (json_int_t)json_array_size(due), "items", due));

    json_t *dem = json_object();
    json_object_set_new(o, "demands", dem);
    rc = ws_demands(c, user_id, now, dem);
    if (rc) goto fail;
    json_t *pkg = json_object();
    json_object_set_new(o, "package", pkg);
    rc = ws_package(c, user_id, pkg);
    if (rc) goto fail;
    *out = o;
    return FTZ_OK;
fail:
    json_decref(o);
    return rc;
}
