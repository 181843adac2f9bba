/* outreach.c — leader visits and enterprise salons (outreach.h): their SQL (through db.h
 * only), their rules, the scopes in SQL, their figures, and the issues raised there filed as
 * demands through the case engine with the source pointing back. */
#include "core/ftz_setup.h"
#include "firm/outreach.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/utf8.h"
#include "db/db.h"
#include "firm/demand.h"

#include <stdio.h>
#include <string.h>

/* A firm's columns for the scope helper (firms aliased f). */
static const auth_scope_cols firm_cols = {"f.department_id", "f.id", "f.commissioner_id"};

/* ---- small helpers ---- */

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

static const char *jget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The name in the caller's language, the Chinese one where the other is missing. */
static const char *pick_name(const ftz_ctx *c, const char *zh, const char *ru, const char *en)
{
    if (c->lang && strcmp(c->lang, "ru") == 0 && ru) return ru;
    if (c->lang && strcmp(c->lang, "en") == 0 && en) return en;
    return zh;
}

static ftz_date today_of(const ftz_ctx *c)
{
    return ftz_date_of_shanghai(case_now(c));
}

static int64_t me(const ftz_ctx *c)
{
    return c->who && !c->who->system ? c->who->user_id : 0;
}

static bool scope_all(const ftz_ctx *c)
{
    return !c->who || c->who->system || c->who->scope == FTZ_SCOPE_ALL;
}

static const struct {
    const char *field;
    size_t max;
} field_max[] = {
    {"leader_name", 100}, {"participants", 500}, {"purpose", 500},      {"notes", 5000},
    {"title", 200},       {"place", 200},        {"topics", 1000},      {"attendees", 500},
    {"body", 5000},       {"contact_name", 100}, {"contact_phone", 32}, {"category", 32},
    {"topic", 32},        {"priority", 32},      {"lang", 2},           {"visited_on", 10},
    {"held_on", 10},
};

size_t outreach_field_max(const char *field)
{
    for (size_t i = 0; i < FTZ_COUNTOF(field_max); i++)
        if (strcmp(field_max[i].field, field) == 0) return field_max[i].max;
    return 0;
}

const char *outreach_date_rule(const char *s, ftz_date today, ftz_date *out)
{
    ftz_date d;
    if (!s || ftz_date_parse(s, &d)) return "format";
    if (d > today) return "in_future";
    *out = d;
    return NULL;
}

/* Records "too_long" for a text over its cap. */
static void check_len(ftz_ctx *c, const char *field, const char *value)
{
    size_t max = outreach_field_max(field);
    if (!value || !max || ftz_utf8_len(value) <= max) return;
    char lim[24];
    snprintf(lim, sizeof lim, "%zu", max);
    ftz_err_field(&c->err, field, "too_long", lim);
}

/* "cs.state IN ('accepted', …)": the demand kind's open states, from its table. The names
 * are the kind's constants (checked to be [a-z_]), not input. */
static const char *open_states_sql(ftz_arena *a)
{
    const char *s = "cs.state IN ('_'";
    for (size_t i = 0; i < demand_kind.nstates; i++) {
        const char *n = demand_kind.states[i].name;
        if (!demand_kind.states[i].open || strspn(n, "abcdefghijklmnopqrstuvwxyz_") != strlen(n))
            continue;
        s = ftz_arena_printf(a, "%s, '%s'", s, n);
    }
    return ftz_arena_printf(a, "%s)", s);
}

/* The three issue counts of a visit or salon (alias src_id the record's id column). */
static const char *issue_cols(ftz_arena *a, const char *kind, const char *id_col)
{
    return ftz_arena_printf(a,
                            "(SELECT count(*) FROM cases cs WHERE cs.source_kind = '%s' AND "
                            "cs.source_id = %s) AS issues, "
                            "(SELECT count(*) FROM cases cs WHERE cs.source_kind = '%s' AND "
                            "cs.source_id = %s AND %s) AS issues_open, "
                            "(SELECT count(*) FROM cases cs WHERE cs.source_kind = '%s' AND "
                            "cs.source_id = %s AND cs.outcome = 'resolved') AS issues_resolved",
                            kind, id_col, kind, id_col, open_states_sql(a), kind, id_col);
}

/* Whether the firm exists within the caller's firm scope. */
static ftz_rc firm_in_scope(ftz_ctx *c, int64_t firm_id, bool *ok)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT f.id FROM firms f WHERE f.id = ?");
    ftz_q_int(&q, firm_id);
    auth_scope_where(c, &q, &firm_cols);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    *ok = r == 1;
    return FTZ_OK;
}

/* The user's display name (arena copy); FTZ_ENOTFOUND when no such user. */
static ftz_rc user_name(ftz_ctx *c, int64_t id, const char **name)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, "SELECT display_name, username FROM users WHERE id = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    int r = ftz_stmt_next(st);
    if (r == 1) {
        *name = ftz_stmt_dup(st, ftz_stmt_isnull(st, 0) ? 1 : 0, c->arena);
        if (!*name || !**name) *name = ftz_stmt_dup(st, 1, c->arena);
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    return r == 1 ? FTZ_OK : FTZ_ENOTFOUND;
}

/* The demands raised at a source that the caller may read (none without demand.read). */
static ftz_rc attach_demands(ftz_ctx *c, json_t *o, const char *kind, int64_t id)
{
    json_t *items = json_array();
    int64_t total = 0;
    if (ftz_can(c->who, "demand.read")) {
        json_decref(items);
        case_list_q lq = {0};
        lq.source_kind = kind;
        lq.source_id = id;
        lq.sort_key = "id";
        lq.limit = 200;
        ftz_rc rc = case_list(c, &demand_kind, &lq, &items, &total);
        if (rc) return rc;
    }
    json_object_set_new(o, "demands", items);
    json_object_set_new(o, "demands_total", json_integer(total));
    return FTZ_OK;
}

/* Runs an UPDATE … WHERE id = ? AND version = ? already bound; FTZ_ESTALE (with the current
 * version) when no row changed. */
static ftz_rc exec_versioned(ftz_ctx *c, ftz_stmt *st, int64_t current)
{
    ftz_rc rc = ftz_stmt_exec(st);
    int64_t n = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) return rc;
    if (n != 1) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld", (long long)current);
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale", cur);
    }
    return FTZ_OK;
}

/* The issue's own members: lengths (the demand's value sets are checked by case_file). */
static void check_issue(ftz_ctx *c, const outreach_issue_in *in)
{
    check_len(c, "title", in->title);
    check_len(c, "body", in->body);
    check_len(c, "contact_name", in->contact_name);
    check_len(c, "contact_phone", in->contact_phone);
    if (!in->title) ftz_err_field(&c->err, "title", "required", NULL);
    if (!in->body) ftz_err_field(&c->err, "body", "required", NULL);
}

static ftz_rc file_issue(ftz_ctx *c, const outreach_issue_in *in, int64_t firm_id, const char *kind,
                         int64_t source_id, int64_t *demand_id)
{
    case_in ci = {0};
    ci.firm_id = firm_id;
    ci.channel = kind; /* the demand channels "visit" and "salon" */
    ci.title = in->title;
    ci.body = in->body;
    ci.lang = in->lang;
    ci.category = in->category;
    ci.topic = in->topic;
    ci.priority = in->priority;
    ci.contact_name = in->contact_name;
    ci.contact_phone = in->contact_phone;
    ci.source_kind = kind;
    ci.source_id = source_id;
    return case_file(c, &demand_kind, &ci, demand_id);
}

/* ---- visits ---- */

/* The visits the caller may reach (visits aliased v). */
static void visit_scope(const ftz_ctx *c, ftz_q *q)
{
    const ftz_principal *p = c->who;
    if (!p) {
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
    if (p->system || p->scope == FTZ_SCOPE_ALL) return;
    ftz_q_sql(q, " AND (v.created_by = ? OR v.leader_id = ? OR v.firm_id IN (SELECT f.id FROM "
                 "firms f WHERE 1 = 1");
    ftz_q_int(q, p->user_id);
    ftz_q_int(q, p->user_id);
    auth_scope_where(c, q, &firm_cols);
    ftz_q_sql(q, "))");
}

static const char *visit_select(ftz_ctx *c)
{
    return ftz_arena_printf(
        c->arena,
        "SELECT v.id, v.firm_id, vf.name_zh, vf.name_ru, vf.name_en, v.visited_on, v.leader_id, "
        "v.leader_name, v.participants, v.purpose, v.notes, v.created_by, (SELECT u.display_name "
        "FROM users u WHERE u.id = v.created_by), v.created_at, v.updated_at, v.version, %s "
        "FROM visits v JOIN firms vf ON vf.id = v.firm_id WHERE 1 = 1",
        issue_cols(c->arena, "visit", "v.id"));
}

static json_t *visit_row(const ftz_ctx *c, const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 1)));
    const char *zh = ftz_stmt_text(st, 2), *ru = ftz_stmt_text(st, 3), *en = ftz_stmt_text(st, 4);
    json_object_set_new(o, "firm_name", jstr(pick_name(c, zh, ru, en)));
    json_object_set_new(o, "firm_name_zh", jstr(zh));
    json_object_set_new(o, "visited_on", jstr(ftz_stmt_text(st, 5)));
    json_object_set_new(o, "leader_id", jid(st, 6));
    json_object_set_new(o, "leader_name", jstr(ftz_stmt_text(st, 7)));
    json_object_set_new(o, "participants", jstr(ftz_stmt_text(st, 8)));
    json_object_set_new(o, "purpose", jstr(ftz_stmt_text(st, 9)));
    json_object_set_new(o, "notes", jstr(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "created_by", jid(st, 11));
    json_object_set_new(o, "created_by_name", jstr(ftz_stmt_text(st, 12)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 13)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 14)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 15)));
    int64_t issues = ftz_stmt_int(st, 16), resolved = ftz_stmt_int(st, 18);
    json_object_set_new(o, "issues", json_integer(issues));
    json_object_set_new(o, "issues_open", json_integer(ftz_stmt_int(st, 17)));
    json_object_set_new(o, "issues_resolved", json_integer(resolved));
    json_object_set_new(o, "resolved_bp", json_integer(case_rate_bp(resolved, issues)));
    return o;
}

/* One visit within the caller's scope, without its demands. */
static ftz_rc visit_load(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, visit_select(c));
    ftz_q_sql(&q, " AND v.id = ?");
    ftz_q_int(&q, id);
    visit_scope(c, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *out = r == 1 ? visit_row(c, st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

/* Every rule of a visit; the leader's name filled in from leader_id when missing. The firm's
 * scope is checked when check_firm (a new visit, or a patch that moves it). Broken rules go
 * to c->err; the return is a database failure only. */
static ftz_rc check_visit(ftz_ctx *c, outreach_visit_in *in, bool check_firm)
{
    check_len(c, "leader_name", in->leader_name);
    check_len(c, "participants", in->participants);
    check_len(c, "purpose", in->purpose);
    check_len(c, "notes", in->notes);
    ftz_rc rc;
    if (!in->firm_id) {
        ftz_err_field(&c->err, "firm_id", "required", NULL);
    } else if (check_firm) {
        bool ok = false;
        if ((rc = firm_in_scope(c, in->firm_id, &ok))) return rc;
        if (!ok) ftz_err_field(&c->err, "firm_id", "no_such", NULL);
    }
    ftz_date d;
    if (!in->visited_on) {
        ftz_err_field(&c->err, "visited_on", "required", NULL);
    } else {
        const char *why = outreach_date_rule(in->visited_on, today_of(c), &d);
        if (why)
            ftz_err_field(&c->err, "visited_on", why, strcmp(why, "format") ? NULL : "YYYY-MM-DD");
    }
    if (in->leader_id) {
        const char *name = NULL;
        rc = user_name(c, in->leader_id, &name);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "leader_id", "no_such", NULL);
        else if (rc)
            return rc;
        else if (!in->leader_name)
            in->leader_name = name;
    } else if (!in->leader_name) {
        ftz_err_field(&c->err, "leader_name", "required", NULL);
    }
    return FTZ_OK;
}

ftz_rc outreach_visit_create(ftz_ctx *c, const outreach_visit_in *in0, int64_t *id)
{
    outreach_visit_in in = *in0;
    ftz_rc rc = check_visit(c, &in, true);
    if (rc) return rc;
    if (c->err.rc) return c->err.rc;
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO visits (firm_id, visited_on, leader_id, leader_name, "
                        "participants, purpose, notes, created_by, created_at, updated_at) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, in.firm_id);
    ftz_stmt_bind_text(st, in.visited_on);
    ftz_stmt_bind_id(st, in.leader_id);
    ftz_stmt_bind_text(st, in.leader_name);
    ftz_stmt_bind_text(st, in.participants);
    ftz_stmt_bind_text(st, in.purpose);
    ftz_stmt_bind_text(st, in.notes);
    ftz_stmt_bind_id(st, me(c));
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    rc = ftz_stmt_insert_id(st, id);
    if (rc) goto fail;
    json_t *after;
    if ((rc = visit_load(c, *id, &after))) goto fail;
    rc = ftz_audit_id(c, "visit.create", "visit", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc outreach_visit_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_rc rc = visit_load(c, id, out);
    if (rc) return rc;
    if ((rc = attach_demands(c, *out, "visit", id))) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

/* A patch member as text: *v replaced when present (null clears). */
static void patch_text(json_t *patch, const char *key, const char **v)
{
    json_t *x = json_object_get(patch, key);
    if (x) *v = json_string_value(x);
}

ftz_rc outreach_visit_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = visit_load(c, id, &before);
    if (rc) return rc;
    outreach_visit_in in = {0};
    in.firm_id = json_integer_value(json_object_get(before, "firm_id"));
    in.visited_on = jget(before, "visited_on");
    in.leader_id = json_integer_value(json_object_get(before, "leader_id"));
    in.leader_name = jget(before, "leader_name");
    in.participants = jget(before, "participants");
    in.purpose = jget(before, "purpose");
    in.notes = jget(before, "notes");
    json_t *x;
    int64_t firm_before = in.firm_id;
    if ((x = json_object_get(patch, "firm_id"))) in.firm_id = json_integer_value(x);
    if ((x = json_object_get(patch, "leader_id"))) {
        in.leader_id = json_integer_value(x);
        /* a new leader brings their own name unless one is given */
        if (!json_object_get(patch, "leader_name")) in.leader_name = NULL;
    }
    patch_text(patch, "visited_on", &in.visited_on);
    patch_text(patch, "leader_name", &in.leader_name);
    patch_text(patch, "participants", &in.participants);
    patch_text(patch, "purpose", &in.purpose);
    patch_text(patch, "notes", &in.notes);
    if ((rc = check_visit(c, &in, in.firm_id != firm_before))) goto out;
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE visits SET firm_id = ?, visited_on = ?, leader_id = ?, "
                        "leader_name = ?, participants = ?, purpose = ?, notes = ?, "
                        "updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, in.firm_id);
    ftz_stmt_bind_text(st, in.visited_on);
    ftz_stmt_bind_id(st, in.leader_id);
    ftz_stmt_bind_text(st, in.leader_name);
    ftz_stmt_bind_text(st, in.participants);
    ftz_stmt_bind_text(st, in.purpose);
    ftz_stmt_bind_text(st, in.notes);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    if ((rc = exec_versioned(c, st, json_integer_value(json_object_get(before, "version")))))
        goto fail;
    /* read back unscoped: a visit moved to a firm outside the caller's scope stays its own
     * (created_by), but the system read keeps the audit row whole in any case */
    ftz_principal *saved = c->who;
    ftz_principal sys = {.system = true, .username = "system"};
    c->who = &sys;
    json_t *after;
    rc = visit_load(c, id, &after);
    c->who = saved;
    if (rc) goto fail;
    rc = ftz_audit_id(c, "visit.update", "visit", id, before, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    goto out;
fail:
    ftz_db_rollback(c->db);
out:
    json_decref(before);
    return rc;
}

/* A folded LIKE pattern of q, or NULL (and "bad_utf8") when q is no valid text. */
static const char *like_of(ftz_ctx *c, const char *q)
{
    char *f = ftz_utf8_fold(c->arena, q);
    if (!f) {
        ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        return NULL;
    }
    return ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f));
}

static void date_range(ftz_q *w, const char *col, const char *from, const char *to)
{
    if (from && *from) {
        ftz_q_sql(w, " AND ");
        ftz_q_sql(w, col);
        ftz_q_sql(w, " >= ?");
        ftz_q_text(w, from);
    }
    if (to && *to) {
        ftz_q_sql(w, " AND ");
        ftz_q_sql(w, col);
        ftz_q_sql(w, " <= ?");
        ftz_q_text(w, to);
    }
}

/* Runs the count and the page of a list: base is "FROM … WHERE 1 = 1", where the filters
 * (scope included), select the columns before base, order a whitelisted ORDER BY key. */
static ftz_rc run_list(ftz_ctx *c, const char *select, const char *base, const ftz_q *where,
                       const char *order, bool desc, int64_t limit, int64_t offset,
                       const char *id_col, json_t *(*row)(const ftz_ctx *, const ftz_stmt *),
                       json_t **items, int64_t *total)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, "SELECT count(*) %s", base));
    ftz_q_append(&q, where);
    ftz_rc rc = ftz_q_scalar(c->db, &q, total);
    if (rc) return rc;
    ftz_stmt *st;
    int r;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, select);
    ftz_q_append(&q, where);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s %s, %s %s LIMIT ? OFFSET ?", order,
                                   desc ? "DESC" : "ASC", id_col, desc ? "DESC" : "ASC"));
    ftz_q_int(&q, limit);
    ftz_q_int(&q, offset);
    if ((rc = ftz_q_prepare(c->db, &q, &st))) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, row(c, st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

ftz_rc outreach_visit_list(ftz_ctx *c, const outreach_visit_q *lq, json_t **items, int64_t *total)
{
    ftz_q w;
    ftz_q_init(&w, c->arena);
    ftz_q_sql(&w, "");
    if (lq->q && *lq->q) {
        const char *pat = like_of(c, lq->q);
        if (!pat) return c->err.rc;
        ftz_q_sql(&w, " AND (vf.name_fold LIKE ? ESCAPE '\\' OR lower(v.leader_name) LIKE ? "
                      "ESCAPE '\\' OR lower(v.purpose) LIKE ? ESCAPE '\\')");
        ftz_q_text(&w, pat);
        ftz_q_text(&w, pat);
        ftz_q_text(&w, pat);
    }
    if (lq->firm_id) {
        ftz_q_sql(&w, " AND v.firm_id = ?");
        ftz_q_int(&w, lq->firm_id);
    }
    if (lq->leader_id) {
        ftz_q_sql(&w, " AND v.leader_id = ?");
        ftz_q_int(&w, lq->leader_id);
    }
    date_range(&w, "v.visited_on", lq->from, lq->to);
    visit_scope(c, &w);
    static const char *const sorts[][2] = {
        {"id", "v.id"},       {"visited_on", "v.visited_on"},   {"firm", "vf.name_zh"},
        {"issues", "issues"}, {"leader_name", "v.leader_name"}, {"created_at", "v.created_at"}};
    const char *order = "v.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    return run_list(c, visit_select(c),
                    "FROM visits v JOIN firms vf ON vf.id = v.firm_id WHERE 1 = 1", &w, order,
                    lq->desc, lq->limit, lq->offset, "v.id", visit_row, items, total);
}

ftz_rc outreach_visit_figures(ftz_ctx *c, const char *group, const char *from, const char *to,
                              json_t **rows)
{
    const char *key, *label;
    bool grouped = true;
    if (!group || strcmp(group, "all") == 0) {
        key = "'all'";
        label = "NULL, NULL, NULL";
        grouped = false;
    } else if (strcmp(group, "month") == 0) {
        key = "substr(v.visited_on, 1, 7)";
        label = "NULL, NULL, NULL";
    } else if (strcmp(group, "leader") == 0) {
        key = "v.leader_name";
        label = "NULL, NULL, NULL";
    } else if (strcmp(group, "firm") == 0) {
        key = "v.firm_id";
        label = "MAX(vf.name_zh), MAX(vf.name_ru), MAX(vf.name_en)";
    } else {
        ftz_err_field(&c->err, "group", "enum", "month, leader, firm, all");
        return c->err.rc;
    }
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q,
              ftz_arena_printf(
                  c->arena,
                  "SELECT %s, %s, count(DISTINCT v.id), count(DISTINCT v.firm_id), count(cs.id), "
                  "SUM(CASE WHEN %s THEN 1 ELSE 0 END), SUM(CASE WHEN cs.outcome = 'resolved' "
                  "THEN 1 ELSE 0 END) FROM visits v JOIN firms vf ON vf.id = v.firm_id "
                  "LEFT JOIN cases cs ON cs.source_kind = 'visit' AND cs.source_id = v.id "
                  "WHERE 1 = 1",
                  key, label, open_states_sql(c->arena)));
    date_range(&q, "v.visited_on", from, to);
    visit_scope(c, &q);
    if (grouped) ftz_q_sql(&q, ftz_arena_printf(c->arena, " GROUP BY %s ORDER BY %s", key, key));
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        json_t *o = json_object();
        if (strcmp(group ? group : "all", "firm") == 0) {
            json_object_set_new(o, "key", json_integer(ftz_stmt_int(st, 0)));
            json_object_set_new(o, "label",
                                jstr(pick_name(c, ftz_stmt_text(st, 1), ftz_stmt_text(st, 2),
                                               ftz_stmt_text(st, 3))));
        } else {
            const char *k = ftz_stmt_text(st, 0);
            json_object_set_new(o, "key", jstr(k));
            json_object_set_new(o, "label", jstr(k));
        }
        int64_t issues = ftz_stmt_int(st, 6), resolved = ftz_stmt_int(st, 8);
        json_object_set_new(o, "visits", json_integer(ftz_stmt_int(st, 4)));
        json_object_set_new(o, "firms", json_integer(ftz_stmt_int(st, 5)));
        json_object_set_new(o, "issues", json_integer(issues));
        json_object_set_new(o, "open", json_integer(ftz_stmt_int(st, 7)));
        json_object_set_new(o, "resolved", json_integer(resolved));
        json_object_set_new(o, "resolved_bp", json_integer(case_rate_bp(resolved, issues)));
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *rows = arr;
    return FTZ_OK;
}

ftz_rc outreach_visit_raise(ftz_ctx *c, int64_t visit_id, const outreach_issue_in *in,
                            int64_t *demand_id)
{
    json_t *v;
    ftz_rc rc = visit_load(c, visit_id, &v);
    if (rc) return rc;
    int64_t firm_id = json_integer_value(json_object_get(v, "firm_id"));
    json_decref(v);
    check_issue(c, in);
    if (c->err.rc) return c->err.rc;
    return file_issue(c, in, firm_id, "visit", visit_id, demand_id);
}

/* ---- salons ---- */

/* The salons the caller may reach (salons aliased s). */
static void salon_scope(const ftz_ctx *c, ftz_q *q)
{
    const ftz_principal *p = c->who;
    if (!p) {
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
    if (p->system || p->scope == FTZ_SCOPE_ALL) return;
    ftz_q_sql(q, " AND (s.created_by = ?");
    ftz_q_int(q, p->user_id);
    if (p->scope == FTZ_SCOPE_DEPT_TREE && p->dept_path) {
        ftz_q_sql(q, " OR s.organiser_dept IN (SELECT id FROM departments WHERE path LIKE ? "
                     "ESCAPE '\\')");
        ftz_q_text(q, ftz_arena_printf(c->arena, "%s%%", p->dept_path));
    }
    ftz_q_sql(q, " OR EXISTS (SELECT 1 FROM salon_firms sf JOIN firms f ON f.id = sf.firm_id "
                 "WHERE sf.salon_id = s.id");
    auth_scope_where(c, q, &firm_cols);
    ftz_q_sql(q, "))");
}

static const char *salon_select(ftz_ctx *c)
{
    return ftz_arena_printf(
        c->arena,
        "SELECT s.id, s.title, s.held_on, s.place, s.topics, s.organiser_dept, d.name, "
        "d.name_ru, d.name_en, d.path, s.notes, s.created_by, (SELECT u.display_name FROM users "
        "u WHERE u.id = s.created_by), s.created_at, s.updated_at, s.version, (SELECT count(*) "
        "FROM salon_firms sf WHERE sf.salon_id = s.id) AS firms, %s FROM salons s LEFT JOIN "
        "departments d ON d.id = s.organiser_dept WHERE 1 = 1",
        issue_cols(c->arena, "salon", "s.id"));
}

/* Whether the caller may change the salon: scope all, its creator, or (scope dept_tree) a
 * member of the organising department's tree. */
static bool salon_manager(const ftz_ctx *c, int64_t created_by, const char *dept_path)
{
    const ftz_principal *p = c->who;
    if (scope_all(c)) return true;
    if (created_by && created_by == p->user_id) return true;
    return p->scope == FTZ_SCOPE_DEPT_TREE && p->dept_path && dept_path &&
           strncmp(dept_path, p->dept_path, strlen(p->dept_path)) == 0;
}

static json_t *salon_row(const ftz_ctx *c, const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "title", jstr(ftz_stmt_text(st, 1)));
    json_object_set_new(o, "held_on", jstr(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "place", jstr(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "topics", jstr(ftz_stmt_text(st, 4)));
    json_object_set_new(o, "organiser_dept", jid(st, 5));
    json_object_set_new(
        o, "organiser_dept_name",
        jstr(pick_name(c, ftz_stmt_text(st, 6), ftz_stmt_text(st, 7), ftz_stmt_text(st, 8))));
    json_object_set_new(o, "notes", jstr(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "created_by", jid(st, 11));
    json_object_set_new(o, "created_by_name", jstr(ftz_stmt_text(st, 12)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 13)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 14)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 15)));
    json_object_set_new(o, "firms_count", json_integer(ftz_stmt_int(st, 16)));
    int64_t issues = ftz_stmt_int(st, 17), resolved = ftz_stmt_int(st, 19);
    json_object_set_new(o, "issues", json_integer(issues));
    json_object_set_new(o, "issues_open", json_integer(ftz_stmt_int(st, 18)));
    json_object_set_new(o, "issues_resolved", json_integer(resolved));
    json_object_set_new(o, "resolved_bp", json_integer(case_rate_bp(resolved, issues)));
    json_object_set_new(o, "can_edit",
                        json_boolean(salon_manager(c, ftz_stmt_int(st, 11), ftz_stmt_text(st, 9))));
    return o;
}

static ftz_rc salon_load(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, salon_select(c));
    ftz_q_sql(&q, " AND s.id = ?");
    ftz_q_int(&q, id);
    salon_scope(c, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *out = r == 1 ? salon_row(c, st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

/* The salon's attendees the caller may see (all of them for one who manages it). */
static ftz_rc salon_firms(ftz_ctx *c, int64_t id, bool all, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT sf.firm_id, f.name_zh, f.name_ru, f.name_en, sf.attendees, (SELECT "
                  "count(*) FROM cases cs WHERE cs.source_kind = 'salon' AND cs.source_id = "
                  "sf.salon_id AND cs.firm_id = sf.firm_id) FROM salon_firms sf JOIN firms f ON "
                  "f.id = sf.firm_id WHERE sf.salon_id = ?");
    ftz_q_int(&q, id);
    if (!all) auth_scope_where(c, &q, &firm_cols);
    ftz_q_sql(&q, " ORDER BY f.name_zh, f.id");
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        json_t *o = json_object();
        json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(
            o, "firm_name",
            jstr(pick_name(c, ftz_stmt_text(st, 1), ftz_stmt_text(st, 2), ftz_stmt_text(st, 3))));
        json_object_set_new(o, "firm_name_zh", jstr(ftz_stmt_text(st, 1)));
        json_object_set_new(o, "attendees", jstr(ftz_stmt_text(st, 4)));
        json_object_set_new(o, "issues", json_integer(ftz_stmt_int(st, 5)));
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *out = arr;
    return FTZ_OK;
}

static bool is_manager(json_t *salon)
{
    return json_is_true(json_object_get(salon, "can_edit"));
}

ftz_rc outreach_salon_get(ftz_ctx *c, int64_t id, json_t **out)
{
    json_t *o;
    ftz_rc rc = salon_load(c, id, &o);
    if (rc) return rc;
    json_t *firms;
    if ((rc = salon_firms(c, id, is_manager(o), &firms))) goto fail;
    json_object_set_new(o, "firms", firms);
    if ((rc = attach_demands(c, o, "salon", id))) goto fail;
    *out = o;
    return FTZ_OK;
fail:
    json_decref(o);
    return rc;
}

static ftz_rc check_salon(ftz_ctx *c, const outreach_salon_in *in)
{
    check_len(c, "title", in->title);
    check_len(c, "place", in->place);
    check_len(c, "topics", in->topics);
    check_len(c, "notes", in->notes);
    if (!in->title) ftz_err_field(&c->err, "title", "required", NULL);
    ftz_date d;
    if (!in->held_on)
        ftz_err_field(&c->err, "held_on", "required", NULL);
    else if (ftz_date_parse(in->held_on, &d))
        ftz_err_field(&c->err, "held_on", "format", "YYYY-MM-DD");
    if (in->organiser_dept) {
        int64_t x;
        ftz_rc rc = ftz_db_scalar(c->db, &x, "SELECT id FROM departments WHERE id = ?", "i",
                                  in->organiser_dept);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "organiser_dept", "no_such", NULL);
        else if (rc)
            return rc;
    }
    return FTZ_OK;
}

/* Reads a salon back for the audit row, whatever the caller's scope. */
static ftz_rc salon_load_sys(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_principal *saved = c->who;
    ftz_principal sys = {.system = true, .username = "system"};
    c->who = &sys;
    ftz_rc rc = salon_load(c, id, out);
    c->who = saved;
    if (!rc) json_object_del(*out, "can_edit"); /* the reader's, not the record's */
    return rc;
}

ftz_rc outreach_salon_create(ftz_ctx *c, const outreach_salon_in *in0, int64_t *id)
{
    outreach_salon_in in = *in0;
    if (!in.organiser_dept && c->who && !c->who->system) in.organiser_dept = c->who->department_id;
    ftz_rc rc = check_salon(c, &in);
    if (rc) return rc;
    if (c->err.rc) return c->err.rc;
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO salons (title, held_on, place, topics, organiser_dept, notes, "
                        "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                        "RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, in.title);
    ftz_stmt_bind_text(st, in.held_on);
    ftz_stmt_bind_text(st, in.place);
    ftz_stmt_bind_text(st, in.topics);
    ftz_stmt_bind_id(st, in.organiser_dept);
    ftz_stmt_bind_text(st, in.notes);
    ftz_stmt_bind_id(st, me(c));
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    rc = ftz_stmt_insert_id(st, id);
    if (rc) goto fail;
    json_t *after;
    if ((rc = salon_load_sys(c, *id, &after))) goto fail;
    rc = ftz_audit_id(c, "salon.create", "salon", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

/* The salon within scope and managed by the caller: FTZ_ENOTFOUND outside scope, FTZ_EDENIED
 * ("salon_not_organiser") when the caller may see but not change it. */
static ftz_rc salon_for_change(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_rc rc = salon_load(c, id, out);
    if (rc) return rc;
    if (!is_manager(*out)) {
        json_decref(*out);
        *out = NULL;
        return ftz_err_set(&c->err, FTZ_EDENIED, "salon_not_organiser", NULL);
    }
    json_object_del(*out, "can_edit");
    return FTZ_OK;
}

ftz_rc outreach_salon_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = salon_for_change(c, id, &before);
    if (rc) return rc;
    outreach_salon_in in = {0};
    in.title = jget(before, "title");
    in.held_on = jget(before, "held_on");
    in.place = jget(before, "place");
    in.topics = jget(before, "topics");
    in.notes = jget(before, "notes");
    in.organiser_dept = json_integer_value(json_object_get(before, "organiser_dept"));
    json_t *x;
    patch_text(patch, "title", &in.title);
    patch_text(patch, "held_on", &in.held_on);
    patch_text(patch, "place", &in.place);
    patch_text(patch, "topics", &in.topics);
    patch_text(patch, "notes", &in.notes);
    if ((x = json_object_get(patch, "organiser_dept"))) in.organiser_dept = json_integer_value(x);
    if ((rc = check_salon(c, &in))) goto out;
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE salons SET title = ?, held_on = ?, place = ?, topics = ?, "
                        "organiser_dept = ?, notes = ?, updated_at = ?, version = version + 1 "
                        "WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, in.title);
    ftz_stmt_bind_text(st, in.held_on);
    ftz_stmt_bind_text(st, in.place);
    ftz_stmt_bind_text(st, in.topics);
    ftz_stmt_bind_id(st, in.organiser_dept);
    ftz_stmt_bind_text(st, in.notes);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    if ((rc = exec_versioned(c, st, json_integer_value(json_object_get(before, "version")))))
        goto fail;
    json_t *after;
    if ((rc = salon_load_sys(c, id, &after))) goto fail;
    rc = ftz_audit_id(c, "salon.update", "salon", id, before, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    goto out;
fail:
    ftz_db_rollback(c->db);
out:
    json_decref(before);
    return rc;
}

/* The attendance list as audited: [{firm_id, attendees}] in firm order. */
static ftz_rc attendance(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db, "SELECT firm_id, attendees FROM salon_firms WHERE salon_id = ? ORDER BY firm_id",
        &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr,
                              json_pack("{s:I,s:o}", "firm_id", (json_int_t)ftz_stmt_int(st, 0),
                                        "attendees", jstr(ftz_stmt_text(st, 1))));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *out = arr;
    return FTZ_OK;
}

#define OUTREACH_MAX_ATTENDING 500

ftz_rc outreach_salon_set_firms(ftz_ctx *c, int64_t id, int64_t version,
                                const outreach_attendee *firms, size_t n)
{
    json_t *salon;
    ftz_rc rc = salon_for_change(c, id, &salon);
    if (rc) return rc;
    int64_t current = json_integer_value(json_object_get(salon, "version"));
    json_decref(salon);
    if (n > OUTREACH_MAX_ATTENDING) {
        char lim[16];
        snprintf(lim, sizeof lim, "%d", OUTREACH_MAX_ATTENDING);
        ftz_err_field(&c->err, "firms", "too_many", lim);
        return c->err.rc;
    }
    for (size_t i = 0; i < n; i++) {
        const char *f = ftz_arena_printf(c->arena, "firms[%zu].firm_id", i);
        if (firms[i].attendees && ftz_utf8_len(firms[i].attendees) > 500)
            ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu].attendees", i),
                          "too_long", "500");
        if (firms[i].firm_id <= 0) {
            ftz_err_field(&c->err, f, "required", NULL);
            continue;
        }
        bool dup = false;
        for (size_t j = 0; j < i && !dup; j++)
            dup = firms[j].firm_id == firms[i].firm_id;
        if (dup) {
            ftz_err_field(&c->err, f, "duplicate", "firm_id");
            continue;
        }
        /* any registered firm may attend (as any may file a demand at the window) */
        int64_t x;
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM firms WHERE id = ?", "i", firms[i].firm_id);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, f, "no_such", NULL);
        else if (rc)
            return rc;
    }
    if (c->err.rc) return c->err.rc;
    if (version && version != current) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld", (long long)current);
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale", cur);
    }
    char now[32];
    case_now_iso(c, now);
    json_t *before = NULL, *after = NULL;
    if ((rc = ftz_db_begin(c->db))) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE salons SET updated_at = ?, version = version + 1 WHERE id = ? "
                        "AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, current);
    if ((rc = exec_versioned(c, st, current))) goto fail;
    if ((rc = attendance(c, id, &before))) goto fail;
    if ((rc = ftz_db_run(c->db, "DELETE FROM salon_firms WHERE salon_id = ?", "i", id))) goto fail;
    for (size_t i = 0; i < n; i++) {
        rc = ftz_db_prepare(
            c->db, "INSERT INTO salon_firms (salon_id, firm_id, attendees) VALUES (?, ?, ?)", &st);
        if (rc) goto fail;
        ftz_stmt_bind_int(st, id);
        ftz_stmt_bind_int(st, firms[i].firm_id);
        ftz_stmt_bind_text(st, firms[i].attendees);
        rc = ftz_stmt_exec(st);
        ftz_stmt_done(st);
        if (rc) goto fail;
    }
    if ((rc = attendance(c, id, &after))) goto fail;
    json_t *b = json_pack("{s:O}", "firms", before), *a = json_pack("{s:O}", "firms", after);
    rc = ftz_audit_id(c, "salon.firms", "salon", id, b, a);
    json_decref(b);
    json_decref(a);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    json_decref(before);
    json_decref(after);
    return rc;
fail:
    ftz_db_rollback(c->db);
    json_decref(before);
    json_decref(after);
    return rc;
}

ftz_rc outreach_salon_list(ftz_ctx *c, const outreach_salon_q *lq, json_t **items, int64_t *total)
{
    ftz_q w;
    ftz_q_init(&w, c->arena);
    ftz_q_sql(&w, "");
    if (lq->q && *lq->q) {
        const char *pat = like_of(c, lq->q);
        if (!pat) return c->err.rc;
        ftz_q_sql(&w, " AND (lower(s.title) LIKE ? ESCAPE '\\' OR lower(s.topics) LIKE ? ESCAPE "
                      "'\\' OR lower(s.place) LIKE ? ESCAPE '\\')");
        ftz_q_text(&w, pat);
        ftz_q_text(&w, pat);
        ftz_q_text(&w, pat);
    }
    if (lq->firm_id) {
        ftz_q_sql(&w, " AND EXISTS (SELECT 1 FROM salon_firms sf2 WHERE sf2.salon_id = s.id AND "
                      "sf2.firm_id = ?)");
        ftz_q_int(&w, lq->firm_id);
    }
    if (lq->organiser_dept) {
        ftz_q_sql(&w, " AND s.organiser_dept = ?");
        ftz_q_int(&w, lq->organiser_dept);
    }
    date_range(&w, "s.held_on", lq->from, lq->to);
    salon_scope(c, &w);
    static const char *const sorts[][2] = {{"id", "s.id"},       {"held_on", "s.held_on"},
                                           {"title", "s.title"}, {"firms", "firms"},
                                           {"issues", "issues"}, {"created_at", "s.created_at"}};
    const char *order = "s.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    return run_list(c, salon_select(c),
                    "FROM salons s LEFT JOIN departments d ON d.id = s.organiser_dept WHERE 1 = 1",
                    &w, order, lq->desc, lq->limit, lq->offset, "s.id", salon_row, items, total);
}

ftz_rc outreach_salon_raise(ftz_ctx *c, int64_t salon_id, const outreach_issue_in *in,
                            int64_t *demand_id)
{
    json_t *s;
    ftz_rc rc = salon_load(c, salon_id, &s);
    if (rc) return rc;
    bool manager = is_manager(s);
    const char *held = ftz_arena_strdup(c->arena, jget(s, "held_on"));
    json_decref(s);
    check_issue(c, in);
    if (!in->firm_id) {
        ftz_err_field(&c->err, "firm_id", "required", NULL);
    } else {
        ftz_q q;
        ftz_q_init(&q, c->arena);
        ftz_q_sql(&q, "SELECT sf.firm_id FROM salon_firms sf JOIN firms f ON f.id = sf.firm_id "
                      "WHERE sf.salon_id = ? AND sf.firm_id = ?");
        ftz_q_int(&q, salon_id);
        ftz_q_int(&q, in->firm_id);
        if (!manager) auth_scope_where(c, &q, &firm_cols);
        ftz_stmt *st;
        if ((rc = ftz_q_prepare(c->db, &q, &st))) return rc;
        int r = ftz_stmt_next(st);
        ftz_stmt_done(st);
        if (r < 0) return FTZ_EDB;
        if (r == 0) ftz_err_field(&c->err, "firm_id", "not_attendee", NULL);
    }
    if (c->err.rc) return c->err.rc;
    ftz_date d;
    if (held && !ftz_date_parse(held, &d) && d > today_of(c))
        return ftz_err_set(&c->err, FTZ_ECONFLICT, "salon_not_held", held);
    return file_issue(c, in, in->firm_id, "salon", salon_id, demand_id);
}
