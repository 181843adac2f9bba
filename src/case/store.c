/* store.c — the case engine's SQL and services (case.h): filing, reading with the data scope
 * in SQL, firing events from the kind's table, the list with its boxes, the figures and the
 * reminder/escalation sweep. Every write is one transaction with its timeline row and its
 * audit row. */
#include "core/ftz_setup.h"
#include "case/case.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/calendar.h"
#include "core/counter.h"
#include "core/date.h"
#include "core/jobs.h"
#include "core/platform.h"
#include "core/settings.h"
#include "core/utf8.h"
#include "db/db.h"
#include "firm/firm.h"

#include <stdio.h>
#include <string.h>

#define TITLE_MAX    200
#define BODY_MAX     5000
#define NOTE_MAX     2000
#define ASSIST_MAX   10
#define EXT_MAX_DAYS 30

/* ---- time ---- */

int64_t case_now(const ftz_ctx *c)
{
    return c->clock ? c->clock : ftz_time_now();
}

void case_now_iso(const ftz_ctx *c, char out[32])
{
    if (!c->clock) {
        ftz_time_now_iso(out);
        return;
    }
    char s[32];
    ftz_time_format_utc(c->clock, s); /* "…:SSZ" */
    size_t n = strlen(s);
    if (n) s[n - 1] = '\0';
    snprintf(out, 32, "%s.000Z", s);
}

/* The end of Beijing day d as a stored UTC instant: 23:59:59.999+08:00 = 15:59:59.999Z. */
static void day_end_iso(ftz_date d, char out[32])
{
    char day[11];
    ftz_date_format(d, day);
    snprintf(out, 32, "%sT15:59:59.999Z", day);
}

static ftz_rc add_workdays(ftz_ctx *c, ftz_date d, int n, ftz_date *out)
{
    if (ftz_cal_add_workdays(ftz_platform_cal(), d, n, out) == FTZ_OK) return FTZ_OK;
    char day[11];
    ftz_date_format(d, day);
    return ftz_err_set(&c->err, FTZ_EINVAL, "calendar_range", ftz_arena_strdup(c->arena, day));
}

/* ---- the row ---- */

typedef struct crow {
    int64_t id, firm_id, filed_by, owner_id, accept_dept, lead_dept, handler_id, work_days,
        satisfaction, reopen_count, merged_into, ext_days, ext_granted, escalated_dept, version;
    int solved; /* -1 NULL */
    const char *code, *state, *outcome, *channel, *category, *topic, *priority, *title, *body,
        *lang, *contact_name, *contact_phone, *data, *accepted_at, *accepted_on, *assessed_at,
        *dispatched_at, *response_due, *responded_at, *deadline_on, *deadline_at, *replied_at,
        *reply, *closed_at, *evaluation, *reason, *ext_reason, *reminded_at, *escalated_at,
        *lead_path, *firm_zh, *firm_ru, *root_cause, *root_cause_text, *refusal_state,
        *refusal_report, *refusal_note, *level_history;
    int64_t refusal_by, refusal_decided_by;
} crow;

/* The select list of a case. Names of users and departments are scalar subqueries rather
 * than joins: with eight joined tables PostgreSQL spent ~30 ms planning each list (its join
 * search), against ~1 ms for the query itself. A department's name comes in the reader's
 * language (column chosen here from fixed text, never from input) in the first of three
 * columns, the other two NULL, which is what jdept reads. */
static const char *user_name_sql(ftz_arena *a, const char *col)
{
    return ftz_arena_printf(a, "(SELECT u.display_name FROM users u WHERE u.id = %s)", col);
}

static const char *dept_name_sql(ftz_arena *a, const char *name, const char *col)
{
    return ftz_arena_printf(a, "(SELECT %s FROM departments d WHERE d.id = %s), NULL, NULL", name,
                            col);
}

static const char *case_cols(ftz_arena *a, const char *lang)
{
    const char *dn = strcmp(lang, "ru") == 0   ? "COALESCE(d.name_ru, d.name)"
                     : strcmp(lang, "en") == 0 ? "COALESCE(d.name_en, d.name)"
                                               : "d.name";
    return ftz_arena_printf(
        a,
        "cs.id, cs.code, cs.state, cs.outcome, cs.firm_id, f.name_zh, f.name_ru, cs.channel, "
        "cs.category, cs.topic, cs.priority, cs.title, cs.lang, cs.filed_by, cs.owner_id, %s, "
        "cs.accept_dept_id, %s, cs.lead_dept_id, %s, cs.handler_id, %s, cs.accepted_at, "
        "cs.accepted_on, cs.dispatched_at, cs.response_due, cs.responded_at, cs.deadline_on, "
        "cs.deadline_at, cs.replied_at, cs.closed_at, cs.work_days, cs.solved, cs.satisfaction, "
        "cs.reopen_count, cs.merged_into, cs.ext_days, cs.ext_reason, cs.ext_granted, "
        "cs.reminded_at, cs.escalated_at, cs.escalated_dept_id, cs.created_at, cs.updated_at, "
        "cs.version, (SELECT d.path FROM departments d WHERE d.id = cs.lead_dept_id), cs.body, "
        "cs.contact_name, cs.contact_phone, cs.data, cs.reply, cs.evaluation, cs.reason, "
        "cs.assessed_at, %s, %s, f.name_en, "
        "(SELECT m.code FROM cases m WHERE m.id = cs.merged_into), cs.source_kind, cs.source_id, "
        "cs.root_cause, cs.root_cause_text, cs.refusal_state, cs.refusal_report, cs.refusal_by, "
        "cs.refusal_decided_by, cs.refusal_note, cs.level_history",
        user_name_sql(a, "cs.owner_id"), dept_name_sql(a, dn, "cs.accept_dept_id"),
        dept_name_sql(a, dn, "cs.lead_dept_id"), user_name_sql(a, "cs.handler_id"),
        dept_name_sql(a, dn, "cs.escalated_dept_id"), user_name_sql(a, "cs.filed_by"));
}

#define CASE_FROM " FROM cases cs JOIN firms f ON f.id = cs.firm_id WHERE cs.kind = ?"

static void row_read(const ftz_stmt *st, ftz_arena *a, crow *r)
{
    memset(r, 0, sizeof *r);
    r->id = ftz_stmt_int(st, 0);
    r->code = ftz_stmt_dup(st, 1, a);
    r->state = ftz_stmt_dup(st, 2, a);
    r->outcome = ftz_stmt_dup(st, 3, a);
    r->firm_id = ftz_stmt_int(st, 4);
    r->firm_zh = ftz_stmt_dup(st, 5, a);
    r->firm_ru = ftz_stmt_dup(st, 6, a);
    r->channel = ftz_stmt_dup(st, 7, a);
    r->category = ftz_stmt_dup(st, 8, a);
    r->topic = ftz_stmt_dup(st, 9, a);
    r->priority = ftz_stmt_dup(st, 10, a);
    r->title = ftz_stmt_dup(st, 11, a);
    r->lang = ftz_stmt_dup(st, 12, a);
    r->filed_by = ftz_stmt_int(st, 13);
    r->owner_id = ftz_stmt_int(st, 14);
    r->accept_dept = ftz_stmt_int(st, 16);
    r->lead_dept = ftz_stmt_int(st, 20);
    r->handler_id = ftz_stmt_int(st, 24);
    r->accepted_at = ftz_stmt_dup(st, 26, a);
    r->accepted_on = ftz_stmt_dup(st, 27, a);
    r->dispatched_at = ftz_stmt_dup(st, 28, a);
    r->response_due = ftz_stmt_dup(st, 29, a);
    r->responded_at = ftz_stmt_dup(st, 30, a);
    r->deadline_on = ftz_stmt_dup(st, 31, a);
    r->deadline_at = ftz_stmt_dup(st, 32, a);
    r->replied_at = ftz_stmt_dup(st, 33, a);
    r->closed_at = ftz_stmt_dup(st, 34, a);
    r->work_days = ftz_stmt_isnull(st, 35) ? -1 : ftz_stmt_int(st, 35);
    r->solved = ftz_stmt_isnull(st, 36) ? -1 : (int)ftz_stmt_int(st, 36);
    r->satisfaction = ftz_stmt_int(st, 37);
    r->reopen_count = ftz_stmt_int(st, 38);
    r->merged_into = ftz_stmt_int(st, 39);
    r->ext_days = ftz_stmt_int(st, 40);
    r->ext_reason = ftz_stmt_dup(st, 41, a);
    r->ext_granted = ftz_stmt_int(st, 42);
    r->reminded_at = ftz_stmt_dup(st, 43, a);
    r->escalated_at = ftz_stmt_dup(st, 44, a);
    r->escalated_dept = ftz_stmt_int(st, 45);
    r->version = ftz_stmt_int(st, 48);
    r->lead_path = ftz_stmt_dup(st, 49, a);
    r->body = ftz_stmt_dup(st, 50, a);
    r->contact_name = ftz_stmt_dup(st, 51, a);
    r->contact_phone = ftz_stmt_dup(st, 52, a);
    r->data = ftz_stmt_dup(st, 53, a);
    r->reply = ftz_stmt_dup(st, 54, a);
    r->evaluation = ftz_stmt_dup(st, 55, a);
    r->reason = ftz_stmt_dup(st, 56, a);
    r->assessed_at = ftz_stmt_dup(st, 57, a);
    r->root_cause = ftz_stmt_dup(st, 66, a);
    r->root_cause_text = ftz_stmt_dup(st, 67, a);
    r->refusal_state = ftz_stmt_dup(st, 68, a);
    r->refusal_report = ftz_stmt_dup(st, 69, a);
    r->refusal_by = ftz_stmt_int(st, 70);
    r->refusal_decided_by = ftz_stmt_int(st, 71);
    r->refusal_note = ftz_stmt_dup(st, 72, a);
    r->level_history = ftz_stmt_dup(st, 73, a);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jcol(const ftz_stmt *st, int col)
{
    return jstr(ftz_stmt_text(st, col));
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

/* The name of a department in lang from three columns (Chinese when the other is missing). */
static json_t *jdept(const ftz_stmt *st, int col, const char *lang)
{
    const char *zh = ftz_stmt_text(st, col);
    const char *ru = ftz_stmt_text(st, col + 1), *en = ftz_stmt_text(st, col + 2);
    if (strcmp(lang, "ru") == 0 && ru) return json_string(ru);
    if (strcmp(lang, "en") == 0 && en) return json_string(en);
    return jstr(zh);
}

static const char *value_name(const case_value_def *v, size_t n, const char *code, const char *lang)
{
    const case_value_def *d = case_value_find(v, n, code);
    if (!d) return code;
    return strcmp(lang, "ru") == 0 ? d->ru : strcmp(lang, "en") == 0 ? d->en : d->zh;
}

static const char *state_name(const case_kind *k, const char *state, const char *lang)
{
    const case_state_def *d = case_state_find(k, state);
    if (!d) return state;
    return strcmp(lang, "ru") == 0 ? d->ru : strcmp(lang, "en") == 0 ? d->en : d->zh;
}

static const char *event_name(const case_event_def *e, const char *lang)
{
    return strcmp(lang, "ru") == 0 ? e->ru : strcmp(lang, "en") == 0 ? e->en : e->zh;
}

/* Whether the case is past its deadline now (a clock state and the deadline instant gone). */
static bool is_overdue(const case_kind *k, const char *state, const char *deadline_at,
                       const char *now)
{
    const case_state_def *s = case_state_find(k, state);
    return s && s->clock && deadline_at && strcmp(deadline_at, now) < 0;
}

static json_t *row_json(ftz_ctx *c, const case_kind *k, const ftz_stmt *st, const char *now,
                        bool detail)
{
    const char *lang = c->lang;
    json_t *o = json_object();
    const char *state = ftz_stmt_text(st, 2);
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "code", jcol(st, 1));
    json_object_set_new(o, "state", jstr(state));
    json_object_set_new(o, "state_name", jstr(state_name(k, state, lang)));
    json_object_set_new(o, "outcome", jcol(st, 3));
    json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 4)));
    const char *fzh = ftz_stmt_text(st, 5), *fru = ftz_stmt_text(st, 6);
    const char *fen = ftz_stmt_text(st, 62);
    const char *fname = strcmp(lang, "ru") == 0 && fru   ? fru
                        : strcmp(lang, "en") == 0 && fen ? fen
                                                         : fzh;
    json_object_set_new(o, "firm_name", jstr(fname));
    json_object_set_new(o, "firm_name_zh", jstr(fzh));
    json_object_set_new(o, "firm_name_ru", jstr(fru));
    const struct {
        const char *key;
        int col;
        const case_value_def *v;
        size_t n;
    } vals[] = {{"channel", 7, k->channels, k->nchannels},
                {"category", 8, k->categories, k->ncategories},
                {"topic", 9, k->topics, k->ntopics},
                {"priority", 10, k->priorities, k->npriorities}};
    for (size_t i = 0; i < FTZ_COUNTOF(vals); i++) {
        const char *v = ftz_stmt_text(st, vals[i].col);
        json_object_set_new(o, vals[i].key, jstr(v));
        json_object_set_new(o, ftz_arena_printf(c->arena, "%s_name", vals[i].key),
                            v ? jstr(value_name(vals[i].v, vals[i].n, v, lang)) : json_null());
    }
    json_object_set_new(o, "title", jcol(st, 11));
    json_object_set_new(o, "lang", jcol(st, 12));
    json_object_set_new(o, "filed_by", jid(st, 13));
    json_object_set_new(o, "filed_by_name", jcol(st, 61));
    json_object_set_new(o, "owner_id", jid(st, 14));
    json_object_set_new(o, "owner_name", jcol(st, 15));
    json_object_set_new(o, "accept_dept_id", jid(st, 16));
    json_object_set_new(o, "accept_dept_name", jdept(st, 17, lang));
    json_object_set_new(o, "lead_dept_id", jid(st, 20));
    json_object_set_new(o, "lead_dept_name", jdept(st, 21, lang));
    json_object_set_new(o, "handler_id", jid(st, 24));
    json_object_set_new(o, "handler_name", jcol(st, 25));
    json_object_set_new(o, "accepted_at", jcol(st, 26));
    json_object_set_new(o, "accepted_on", jcol(st, 27));
    json_object_set_new(o, "assessed_at", jcol(st, 57));
    json_object_set_new(o, "dispatched_at", jcol(st, 28));
    json_object_set_new(o, "response_due", jcol(st, 29));
    json_object_set_new(o, "responded_at", jcol(st, 30));
    json_object_set_new(o, "deadline_on", jcol(st, 31));
    json_object_set_new(o, "deadline_at", jcol(st, 32));
    json_object_set_new(o, "replied_at", jcol(st, 33));
    json_object_set_new(o, "closed_at", jcol(st, 34));
    json_object_set_new(o, "work_days", jid(st, 35));
    json_object_set_new(o, "solved",
                        ftz_stmt_isnull(st, 36) ? json_null() : json_boolean(ftz_stmt_int(st, 36)));
    json_object_set_new(o, "satisfaction", jid(st, 37));
    json_object_set_new(o, "reopen_count", json_integer(ftz_stmt_int(st, 38)));
    json_object_set_new(o, "merged_into", jid(st, 39));
    json_object_set_new(o, "merged_into_code", jcol(st, 63));
    json_object_set_new(o, "source_kind", jcol(st, 64));
    json_object_set_new(o, "source_id", jid(st, 65));
    const char *rc = ftz_stmt_text(st, 66);
    json_object_set_new(o, "root_cause", jstr(rc));
    json_object_set_new(o, "root_cause_name",
                        rc ? jstr(value_name(k->root_causes, k->nroot_causes, rc, lang))
                           : json_null());
    json_object_set_new(o, "refusal_state", jcol(st, 68));
    json_object_set_new(o, "ext_days", jid(st, 40));
    json_object_set_new(o, "ext_reason", jcol(st, 41));
    json_object_set_new(o, "ext_granted", json_integer(ftz_stmt_int(st, 42)));
    json_object_set_new(o, "reminded_at", jcol(st, 43));
    json_object_set_new(o, "escalated_at", jcol(st, 44));
    json_object_set_new(o, "escalated_dept_id", jid(st, 45));
    json_object_set_new(o, "escalated_dept_name", jdept(st, 58, lang));
    json_object_set_new(o, "created_at", jcol(st, 46));
    json_object_set_new(o, "updated_at", jcol(st, 47));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 48)));
    json_object_set_new(o, "overdue",
                        json_boolean(is_overdue(k, state, ftz_stmt_text(st, 32), now)));
    if (detail) {
        json_object_set_new(o, "body", jcol(st, 50));
        json_object_set_new(o, "contact_name", jcol(st, 51));
        json_object_set_new(o, "contact_phone", jcol(st, 52));
        const char *d = ftz_stmt_text(st, 53);
        json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
        json_object_set_new(o, "data", dj ? dj : json_object());
        json_object_set_new(o, "reply", jcol(st, 54));
        json_object_set_new(o, "evaluation", jcol(st, 55));
        json_object_set_new(o, "reason", jcol(st, 56));
        json_object_set_new(o, "root_cause_text", jcol(st, 67));
        json_object_set_new(o, "refusal_report", jcol(st, 69));
        json_object_set_new(o, "refusal_by", jid(st, 70));
        json_object_set_new(o, "refusal_decided_by", jid(st, 71));
        json_object_set_new(o, "refusal_note", jcol(st, 72));
        const char *lh = ftz_stmt_text(st, 73);
        json_t *lj = lh ? json_loads(lh, 0, NULL) : NULL;
        json_object_set_new(o, "level_history", lj ? lj : json_array());
    }
    return o;
}

/* ---- scope (DESIGN.md §7), in SQL ---- */

/* A case is within reach of: scope all — every case; dept_tree — cases whose lead,
 * accepting, escalation or an assisting department is in the caller's tree; own_firms (a
 * commissioner) — cases of the firms they look after and cases they filed; own_firm — its
 * firm's cases. */
static void scope_where(const ftz_ctx *c, ftz_q *q)
{
    const ftz_principal *p = c->who;
    if (!p) {
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
    if (p->system || p->scope == FTZ_SCOPE_ALL) return;
    switch (p->scope) {
    case FTZ_SCOPE_DEPT_TREE:
        if (p->dept_path) {
            const char *pat = ftz_arena_printf(c->arena, "%s%%", p->dept_path);
#define TREE "(SELECT id FROM departments WHERE path LIKE ? ESCAPE '\\')"
            ftz_q_sql(q, " AND (cs.lead_dept_id IN " TREE " OR cs.accept_dept_id IN " TREE
                         " OR cs.escalated_dept_id IN " TREE
                         " OR EXISTS (SELECT 1 FROM case_assists ca WHERE ca.case_id = cs.id "
                         "AND ca.dept_id IN " TREE "))");
#undef TREE
            for (int i = 0; i < 4; i++)
                ftz_q_text(q, pat);
            return;
        }
        break;
    case FTZ_SCOPE_OWN_FIRMS:
        ftz_q_sql(q, " AND (cs.firm_id IN (SELECT id FROM firms WHERE commissioner_id = ?) OR "
                     "cs.filed_by = ?)");
        ftz_q_int(q, p->user_id);
        ftz_q_int(q, p->user_id);
        return;
    case FTZ_SCOPE_OWN_FIRM:
        if (p->firm_id) {
            ftz_q_sql(q, " AND cs.firm_id = ?");
            ftz_q_int(q, p->firm_id);
            return;
        }
        break;
    default:
        break;
    }
    ftz_q_sql(q, " AND 1 = 0");
}

/* Reads one case within the caller's scope: the row, and (json != NULL) its JSON. */
static ftz_rc load(ftz_ctx *c, const case_kind *k, int64_t id, crow *r, json_t **json, bool detail)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, "SELECT %s" CASE_FROM " AND cs.id = ?",
                                   case_cols(c->arena, c->lang)));
    ftz_q_text(&q, k->kind);
    ftz_q_int(&q, id);
    scope_where(c, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int n = ftz_stmt_next(st);
    if (n == 1) {
        row_read(st, c->arena, r);
        if (json) {
            char now[32];
            case_now_iso(c, now);
            *json = row_json(c, k, st, now, detail);
        }
    }
    ftz_stmt_done(st);
    if (n < 0) return FTZ_EDB;
    if (n == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

static void facts_of(ftz_ctx *c, const case_kind *k, const crow *r, case_facts *f)
{
    char now[32];
    case_now_iso(c, now);
    memset(f, 0, sizeof *f);
    f->state = r->state;
    f->lead_dept_path = r->lead_path;
    f->firm_id = r->firm_id;
    f->ext_pending = r->ext_days > 0;
    f->has_deadline = r->deadline_at != NULL;
    f->deadline_past = r->deadline_at && strcmp(r->deadline_at, now) < 0;
    f->outcome = r->outcome;
    f->refusal_state = r->refusal_state;
    f->top_level = true;
    if (k->ladder && r->category)
        for (size_t i = 0; i + 1 < k->ncategories; i++)
            if (strcmp(k->categories[i].code, r->category) == 0) f->top_level = false;
}

/* ---- reading ---- */

/* The names of the engine's own timeline entries, which no kind's table lists. */
static const char *engine_event_name(const char *ev, const char *lang)
{
    static const case_value_def own[] = {
        {"file", "提交", "Подано", "Filed"},
        {"merged_in", "合并重复诉求", "Присоединено обращение-дубликат", "Duplicate merged in"},
    };
    if (!ev) return NULL;
    return value_name(own, FTZ_COUNTOF(own), ev, lang);
}

static ftz_rc timeline(ftz_ctx *c, const case_kind *k, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT id, at, actor_id, actor, event, from_state, to_state, "
                               "note, data FROM case_events WHERE case_id = ? ORDER BY id",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    json_t *arr = json_array();
    int n;
    while ((n = ftz_stmt_next(st)) == 1) {
        json_t *o = json_object();
        const char *ev = ftz_stmt_text(st, 4);
        const case_event_def *ed = case_event_find(k, ev);
        json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(o, "at", jcol(st, 1));
        json_object_set_new(o, "actor_id", jid(st, 2));
        json_object_set_new(o, "actor", jcol(st, 3));
        json_object_set_new(o, "event", jstr(ev));
        const char *en = ed ? event_name(ed, c->lang) : engine_event_name(ev, c->lang);
        json_object_set_new(o, "event_name", jstr(en));
        const char *fs = ftz_stmt_text(st, 5), *ts = ftz_stmt_text(st, 6);
        json_object_set_new(o, "from_state", jstr(fs));
        json_object_set_new(o, "to_state", jstr(ts));
        json_object_set_new(o, "to_state_name", jstr(state_name(k, ts, c->lang)));
        json_object_set_new(o, "note", jcol(st, 7));
        const char *d = ftz_stmt_text(st, 8);
        json_t *dj = d ? json_loads(d, 0, NULL) : NULL;
        json_object_set_new(o, "data", dj ? dj : json_object());
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (n < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *out = arr;
    return FTZ_OK;
}

static ftz_rc assists(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT d.id, d.name, d.name_ru, d.name_en FROM case_assists ca "
                               "JOIN departments d ON d.id = ca.dept_id WHERE ca.case_id = ? "
                               "ORDER BY d.id",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    json_t *arr = json_array();
    int n;
    while ((n = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, json_pack("{s:I,s:o}", "id", (json_int_t)ftz_stmt_int(st, 0),
                                             "name", jdept(st, 1, c->lang)));
    ftz_stmt_done(st);
    if (n < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *out = arr;
    return FTZ_OK;
}

ftz_rc case_get(ftz_ctx *c, const case_kind *k, int64_t id, json_t **out)
{
    crow r;
    json_t *o;
    ftz_rc rc = load(c, k, id, &r, &o, true);
    if (rc) return rc;
    json_t *tl, *as;
    if ((rc = timeline(c, k, id, &tl))) goto fail;
    json_object_set_new(o, "timeline", tl);
    if ((rc = assists(c, id, &as))) goto fail;
    json_object_set_new(o, "assist_depts", as);
    case_facts f;
    facts_of(c, k, &r, &f);
    json_t *acts = json_array();
    for (size_t i = 0; i < k->nevents; i++) {
        const case_event_def *ev = &k->events[i];
        const char *why;
        if (ev->who & CASE_WHO_SYSTEM) continue;
        if (case_may(k, ev, c->who, &f, &why))
            json_array_append_new(
                acts, json_pack("{s:s,s:s}", "event", ev->name, "name", event_name(ev, c->lang)));
    }
    json_object_set_new(o, "actions", acts);
    *out = o;
    return FTZ_OK;
fail:
    json_decref(o);
    return rc;
}

/* ---- writing ---- */

static ftz_rc dept_path(ftz_ctx *c, int64_t id, const char **path)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, "SELECT path FROM departments WHERE id = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, id);
    int n = ftz_stmt_next(st);
    *path = n == 1 ? ftz_stmt_dup(st, 0, c->arena) : NULL;
    ftz_stmt_done(st);
    if (n < 0) return FTZ_EDB;
    return n == 1 ? FTZ_OK : FTZ_ENOTFOUND;
}

static ftz_rc dept_by_setting(ftz_ctx *c, const char *setting, int64_t *id)
{
    *id = 0;
    const char *code = NULL;
    if (!setting) return FTZ_OK;
    ftz_rc rc = ftz_setting_str(c, setting, &code);
    if (rc) return rc;
    rc = ftz_db_scalar(c->db, id, "SELECT id FROM departments WHERE code = ?", "s", code);
    if (rc == FTZ_ENOTFOUND) {
        *id = 0;
        return FTZ_OK;
    }
    return rc;
}

static const char *actor_name(const ftz_ctx *c)
{
    const ftz_principal *p = c->who;
    if (!p) return "system";
    if (p->display_name && *p->display_name) return p->display_name;
    return p->username ? p->username : "system";
}

static ftz_rc add_event(ftz_ctx *c, int64_t case_id, const char *at, const char *event,
                        const char *from, const char *to, const char *note, json_t *data)
{
    char *d =
        data && json_object_size(data) ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "INSERT INTO case_events (case_id, at, actor_id, actor, event, "
                               "from_state, to_state, note, data) VALUES (?, ?, ?, ?, ?, ?, ?, "
                               "?, ?)",
                               &st);
    if (rc) {
        free(d); /* jansson's json_dumps allocates with the library's malloc */
        return rc;
    }
    ftz_stmt_bind_int(st, case_id);
    ftz_stmt_bind_text(st, at);
    ftz_stmt_bind_id(st, c->who && !c->who->system ? c->who->user_id : 0);
    ftz_stmt_bind_text(st, actor_name(c));
    ftz_stmt_bind_text(st, event);
    ftz_stmt_bind_text(st, from);
    ftz_stmt_bind_text(st, to);
    ftz_stmt_bind_text(st, note);
    ftz_stmt_bind_text(st, d);
    rc = ftz_stmt_exec(st);
    ftz_stmt_done(st);
    free(d); /* jansson's json_dumps allocates with the library's malloc */
    return rc;
}

static bool lang_ok(const char *s)
{
    return strcmp(s, "zh") == 0 || strcmp(s, "ru") == 0 || strcmp(s, "en") == 0;
}

static const char *values_list(ftz_arena *a, const case_value_def *v, size_t n)
{
    const char *s = "";
    for (size_t i = 0; i < n; i++)
        s = ftz_arena_printf(a, "%s%s%s", s, i ? ", " : "", v[i].code);
    return s;
}

static void check_value(ftz_ctx *c, const char *field, const char *v, const case_value_def *set,
                        size_t n)
{
    if (v && !case_value_find(set, n, v))
        ftz_err_field(&c->err, field, "enum", values_list(c->arena, set, n));
}

ftz_rc case_file(ftz_ctx *c, const case_kind *k, const case_in *in, int64_t *id)
{
    const ftz_principal *p = c->who;
    int64_t firm_id = in->firm_id;
    if (p && p->scope == FTZ_SCOPE_OWN_FIRM && !p->system && !firm_id) firm_id = p->firm_id;
    if (!firm_id) ftz_err_field(&c->err, "firm_id", "required", NULL);
    if (!in->channel)
        ftz_err_field(&c->err, "channel", "required", NULL);
    else
        check_value(c, "channel", in->channel, k->channels, k->nchannels);
    if (!in->title) ftz_err_field(&c->err, "title", "required", NULL);
    if (!in->body) ftz_err_field(&c->err, "body", "required", NULL);
    if (in->lang && !lang_ok(in->lang)) ftz_err_field(&c->err, "lang", "enum", "zh, ru, en");
    check_value(c, "category", in->category, k->categories, k->ncategories);
    check_value(c, "topic", in->topic, k->topics, k->ntopics);
    check_value(c, "priority", in->priority, k->priorities, k->npriorities);
    if (c->err.rc) return c->err.rc;
    /* A firm's own account files for its own firm only; staff accept demands from any
     * registered firm (the window, the hotline and the station serve every firm, whatever
     * department looks after it). */
    if (p && !p->system && p->scope == FTZ_SCOPE_OWN_FIRM && firm_id != p->firm_id) {
        ftz_err_field(&c->err, "firm_id", "no_such", NULL);
        return c->err.rc;
    }
    ftz_principal *saved_who = c->who;
    ftz_principal sys = {.system = true, .username = "system"};
    c->who = &sys;
    json_t *firm;
    ftz_rc rc = firm_get(c, firm_id, &firm);
    c->who = saved_who;
    if (rc == FTZ_ENOTFOUND) {
        ftz_err_init(&c->err, c->arena);
        ftz_err_field(&c->err, "firm_id", "no_such", NULL);
        return c->err.rc;
    }
    if (rc) return rc;
    const char *fzh = json_string_value(json_object_get(firm, "name_zh"));
    const char *fru = json_string_value(json_object_get(firm, "name_ru"));
    char *names = ftz_arena_printf(c->arena, "%s %s", fzh ? fzh : "", fru ? fru : "");
    json_decref(firm);

    int64_t accept_dept = 0, owner = 0;
    bool staff = p && !p->system && p->scope != FTZ_SCOPE_OWN_FIRM;
    if (staff && p->department_id) accept_dept = p->department_id;
    if (staff) owner = p->user_id;
    if (!accept_dept && (rc = dept_by_setting(c, k->setting_intake_dept, &accept_dept))) return rc;

    char now[32], day[11];
    case_now_iso(c, now);
    ftz_date today = ftz_date_of_shanghai(case_now(c));
    ftz_date_format(today, day);
    char year[5];
    memcpy(year, day, 4);
    year[4] = '\0';
    char *data = in->data ? json_dumps(in->data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *data_a = data ? ftz_arena_strdup(c->arena, data) : NULL;
    free(data); /* jansson's json_dumps allocates with the library's malloc */

    if ((rc = ftz_db_begin(c->db))) return rc;
    int64_t seq;
    if ((rc = ftz_counter_next(c, k->code_prefix, year, &seq))) goto fail;
    char *code = ftz_counter_code(c->arena, k->code_prefix, year, seq);
    char *fold =
        ftz_utf8_fold(c->arena, ftz_arena_printf(c->arena, "%s %s %s", code, in->title, names));
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO cases (kind, code, state, firm_id, channel, category, topic, "
                        "priority, title, body, lang, text_fold, contact_name, contact_phone, "
                        "data, filed_by, owner_id, accept_dept_id, accepted_at, accepted_on, "
                        "created_at, updated_at, source_kind, source_id) VALUES (?, ?, ?, ?, ?, "
                        "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, k->kind);
    ftz_stmt_bind_text(st, code);
    ftz_stmt_bind_text(st, k->initial);
    ftz_stmt_bind_int(st, firm_id);
    ftz_stmt_bind_text(st, in->channel);
    ftz_stmt_bind_text(st, in->category);
    ftz_stmt_bind_text(st, in->topic);
    ftz_stmt_bind_text(st, in->priority);
    ftz_stmt_bind_text(st, in->title);
    ftz_stmt_bind_text(st, in->body);
    ftz_stmt_bind_text(st, in->lang ? in->lang : c->lang);
    ftz_stmt_bind_text(st, fold ? fold : code);
    ftz_stmt_bind_text(st, in->contact_name);
    ftz_stmt_bind_text(st, in->contact_phone);
    ftz_stmt_bind_text(st, data_a);
    ftz_stmt_bind_id(st, p && !p->system ? p->user_id : 0);
    ftz_stmt_bind_id(st, owner);
    ftz_stmt_bind_id(st, accept_dept);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, day);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, in->source_kind);
    ftz_stmt_bind_id(st, in->source_kind ? in->source_id : 0);
    rc = ftz_stmt_insert_id(st, id);
    if (rc) goto fail;
    json_t *ed = json_pack("{s:s,s:s}", "channel", in->channel, "code", code);
    rc = add_event(c, *id, now, "file", NULL, k->initial, NULL, ed);
    json_decref(ed);
    if (rc) goto fail;
    json_t *after = json_pack("{s:s,s:s,s:I,s:s,s:s}", "code", code, "state", k->initial, "firm_id",
                              (json_int_t)firm_id, "channel", in->channel, "title", in->title);
    if (in->source_kind) {
        json_object_set_new(after, "source_kind", json_string(in->source_kind));
        json_object_set_new(after, "source_id", json_integer(in->source_id));
    }
    rc = ftz_audit_id(c, ftz_arena_printf(c->arena, "%s.file", k->kind), k->kind, *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

/* The event's input, read per event (every error listed). */
typedef struct ev_in {
    const char *note, *category, *topic, *priority, *reason, *reply, *evaluation, *deadline,
        *report, *root_cause, *root_cause_text;
    int64_t lead_dept, into_id, days, satisfaction;
    int solved; /* -1 absent */
    int64_t assist[ASSIST_MAX];
    size_t nassist;
    bool has_assist;
} ev_in;

static const char *jtext(ftz_ctx *c, json_t *in, const char *name, bool required, size_t max)
{
    json_t *v = json_object_get(in, name);
    if (!v || json_is_null(v)) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        ftz_err_field(&c->err, name, "type", "string");
        return NULL;
    }
    const char *s = json_string_value(v);
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    if (!*s) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (ftz_utf8_len(s) > max) {
        ftz_err_field(&c->err, name, "too_long", ftz_arena_printf(c->arena, "%zu", max));
        return NULL;
    }
    return ftz_arena_strdup(c->arena, s);
}

static int64_t jint(ftz_ctx *c, json_t *in, const char *name, bool required, int64_t min,
                    int64_t max)
{
    json_t *v = json_object_get(in, name);
    if (!v || json_is_null(v)) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return 0;
    }
    if (!json_is_integer(v)) {
        ftz_err_field(&c->err, name, "type", "integer");
        return 0;
    }
    int64_t x = json_integer_value(v);
    if (x < min || x > max) {
        ftz_err_field(&c->err, name, "range",
                      ftz_arena_printf(c->arena, "%lld..%lld", (long long)min, (long long)max));
        return 0;
    }
    return x;
}

/* Members each event accepts (besides version and event, which the route takes). */
static const char *const *event_members(const char *ev)
{
    static const char *const assess[] = {"category",        "topic",    "priority", "lead_dept_id",
                                         "assist_dept_ids", "deadline", "note",     NULL};
    static const char *const redispatch[] = {"lead_dept_id", "assist_dept_ids", "note", NULL};
    static const char *const reason[] = {"reason", "note", NULL};
    static const char *const req_ext[] = {"days", "reason", NULL};
    static const char *const grant[] = {"days", "note", NULL};
    static const char *const reply[] = {"reply", "root_cause", "root_cause_text", "note", NULL};
    static const char *const raise[] = {"lead_dept_id", "assist_dept_ids", "reason", "note", NULL};
    static const char *const report[] = {"report", "note", NULL};
    static const char *const refuse[] = {"reason", "root_cause", "root_cause_text", "note", NULL};
    static const char *const eval[] = {"solved", "satisfaction", "evaluation", NULL};
    static const char *const merge[] = {"into_id", "note", NULL};
    static const char *const note[] = {"note", NULL};
    if (strcmp(ev, "assess") == 0) return assess;
    if (strcmp(ev, "redispatch") == 0) return redispatch;
    if (strcmp(ev, "return") == 0 || strcmp(ev, "reject") == 0 || strcmp(ev, "reopen") == 0 ||
        strcmp(ev, "withdraw") == 0 || strcmp(ev, "refuse_extension") == 0)
        return reason;
    if (strcmp(ev, "request_extension") == 0) return req_ext;
    if (strcmp(ev, "grant_extension") == 0) return grant;
    if (strcmp(ev, "reply") == 0 || strcmp(ev, "settle") == 0) return reply;
    if (strcmp(ev, "raise") == 0) return raise;
    if (strcmp(ev, "request_refusal") == 0) return report;
    if (strcmp(ev, "reject_refusal") == 0) return reason;
    if (strcmp(ev, "refuse") == 0) return refuse;
    if (strcmp(ev, "evaluate") == 0) return eval;
    if (strcmp(ev, "merge") == 0) return merge;
    return note;
}

static void read_ev(ftz_ctx *c, const case_kind *k, const char *ev, json_t *in, ev_in *e)
{
    memset(e, 0, sizeof *e);
    e->solved = -1;
    const char *const *allowed = event_members(ev);
    const char *key;
    json_t *v;
    json_object_foreach(in, key, v)
    {
        bool ok = strcmp(key, "version") == 0 || strcmp(key, "event") == 0;
        for (const char *const *a = allowed; !ok && *a; a++)
            ok = strcmp(*a, key) == 0;
        if (!ok) ftz_err_field(&c->err, ftz_arena_strdup(c->arena, key), "unknown", NULL);
    }
    bool is = false;
#define EV(n) (strcmp(ev, n) == 0)
    e->note = jtext(c, in, "note", EV("comment"), NOTE_MAX);
    if (EV("assess")) {
        e->category = jtext(c, in, "category", true, 32);
        e->topic = jtext(c, in, "topic", false, 32);
        e->priority = jtext(c, in, "priority", true, 32);
        e->deadline = jtext(c, in, "deadline", false, 10);
        ftz_date dd;
        if (e->deadline && ftz_date_parse(e->deadline, &dd)) {
            ftz_err_field(&c->err, "deadline", "format", "YYYY-MM-DD");
            e->deadline = NULL;
        }
        check_value(c, "category", e->category, k->categories, k->ncategories);
        check_value(c, "topic", e->topic, k->topics, k->ntopics);
        check_value(c, "priority", e->priority, k->priorities, k->npriorities);
        is = true;
    }
    if (is || EV("redispatch") || EV("raise")) {
        e->lead_dept = jint(c, in, "lead_dept_id", true, 1, INT64_MAX);
        json_t *a = json_object_get(in, "assist_dept_ids");
        if (a && !json_is_null(a)) {
            e->has_assist = true;
            if (!json_is_array(a))
                ftz_err_field(&c->err, "assist_dept_ids", "type", "array");
            else if (json_array_size(a) > ASSIST_MAX)
                ftz_err_field(&c->err, "assist_dept_ids", "too_many", "10");
            else {
                size_t i;
                json_t *x;
                json_array_foreach(a, i, x)
                {
                    if (!json_is_integer(x) || json_integer_value(x) < 1) {
                        ftz_err_field(&c->err, "assist_dept_ids", "type", "integer ids");
                        break;
                    }
                    int64_t d = json_integer_value(x);
                    bool dup = d == e->lead_dept;
                    for (size_t j = 0; j < e->nassist; j++)
                        dup = dup || e->assist[j] == d;
                    if (!dup) e->assist[e->nassist++] = d;
                }
            }
        }
    }
    if (EV("return") || EV("reject") || EV("reopen") || EV("request_extension") || EV("raise") ||
        EV("reject_refusal") || EV("refuse"))
        e->reason = jtext(c, in, "reason", true, NOTE_MAX);
    else if (EV("withdraw") || EV("refuse_extension"))
        e->reason = jtext(c, in, "reason", false, NOTE_MAX);
    if (EV("request_extension")) e->days = jint(c, in, "days", true, 1, EXT_MAX_DAYS);
    if (EV("grant_extension")) e->days = jint(c, in, "days", false, 1, EXT_MAX_DAYS);
    if (EV("reply") || EV("settle")) e->reply = jtext(c, in, "reply", true, BODY_MAX);
    if (EV("request_refusal")) e->report = jtext(c, in, "report", true, BODY_MAX);
    if (k->nroot_causes && (EV("reply") || EV("settle") || EV("refuse"))) {
        /* a case of a kind with a library closes with its root cause */
        e->root_cause = jtext(c, in, "root_cause", true, 32);
        check_value(c, "root_cause", e->root_cause, k->root_causes, k->nroot_causes);
        e->root_cause_text = jtext(c, in, "root_cause_text", true, NOTE_MAX);
    }
    if (EV("evaluate")) {
        json_t *s = json_object_get(in, "solved");
        if (!s || json_is_null(s))
            ftz_err_field(&c->err, "solved", "required", NULL);
        else if (!json_is_boolean(s))
            ftz_err_field(&c->err, "solved", "type", "boolean");
        else
            e->solved = json_is_true(s) ? 1 : 0;
        e->satisfaction = jint(c, in, "satisfaction", true, 1, 5);
        e->evaluation = jtext(c, in, "evaluation", false, NOTE_MAX);
    }
    if (EV("merge")) e->into_id = jint(c, in, "into_id", true, 1, INT64_MAX);
#undef EV
}

/* Writes every mutable column of r back, if the version still matches. */
static ftz_rc save(ftz_ctx *c, const crow *r, int64_t version, const char *now)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db,
        "UPDATE cases SET state = ?, outcome = ?, category = ?, topic = ?, priority = ?, "
        "owner_id = ?, lead_dept_id = ?, handler_id = ?, assessed_at = ?, dispatched_at = ?, "
        "response_due = ?, responded_at = ?, deadline_on = ?, deadline_at = ?, replied_at = ?, "
        "reply = ?, closed_at = ?, work_days = ?, solved = ?, satisfaction = ?, evaluation = ?, "
        "reason = ?, reopen_count = ?, merged_into = ?, ext_days = ?, ext_reason = ?, "
        "ext_granted = ?, reminded_at = ?, escalated_at = ?, escalated_dept_id = ?, "
        "root_cause = ?, root_cause_text = ?, lesson_fold = ?, refusal_state = ?, "
        "refusal_report = ?, refusal_by = ?, refusal_decided_by = ?, refusal_note = ?, "
        "level_history = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?",
        &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, r->state);
    ftz_stmt_bind_text(st, r->outcome);
    ftz_stmt_bind_text(st, r->category);
    ftz_stmt_bind_text(st, r->topic);
    ftz_stmt_bind_text(st, r->priority);
    ftz_stmt_bind_id(st, r->owner_id);
    ftz_stmt_bind_id(st, r->lead_dept);
    ftz_stmt_bind_id(st, r->handler_id);
    ftz_stmt_bind_text(st, r->assessed_at);
    ftz_stmt_bind_text(st, r->dispatched_at);
    ftz_stmt_bind_text(st, r->response_due);
    ftz_stmt_bind_text(st, r->responded_at);
    ftz_stmt_bind_text(st, r->deadline_on);
    ftz_stmt_bind_text(st, r->deadline_at);
    ftz_stmt_bind_text(st, r->replied_at);
    ftz_stmt_bind_text(st, r->reply);
    ftz_stmt_bind_text(st, r->closed_at);
    if (r->work_days >= 0)
        ftz_stmt_bind_int(st, r->work_days);
    else
        ftz_stmt_bind_null(st);
    if (r->solved >= 0)
        ftz_stmt_bind_int(st, r->solved);
    else
        ftz_stmt_bind_null(st);
    ftz_stmt_bind_id(st, r->satisfaction);
    ftz_stmt_bind_text(st, r->evaluation);
    ftz_stmt_bind_text(st, r->reason);
    ftz_stmt_bind_int(st, r->reopen_count);
    ftz_stmt_bind_id(st, r->merged_into);
    ftz_stmt_bind_id(st, r->ext_days);
    ftz_stmt_bind_text(st, r->ext_reason);
    ftz_stmt_bind_int(st, r->ext_granted);
    ftz_stmt_bind_text(st, r->reminded_at);
    ftz_stmt_bind_text(st, r->escalated_at);
    ftz_stmt_bind_id(st, r->escalated_dept);
    ftz_stmt_bind_text(st, r->root_cause);
    ftz_stmt_bind_text(st, r->root_cause_text);
    /* the library searches the lesson: title, root cause and the answer, folded */
    char *lesson =
        r->root_cause
            ? ftz_utf8_fold(c->arena,
                            ftz_arena_printf(c->arena, "%s %s %s %s", r->code ? r->code : "",
                                             r->title ? r->title : "",
                                             r->root_cause_text ? r->root_cause_text : "",
                                             r->reply ? r->reply : ""))
            : NULL;
    ftz_stmt_bind_text(st, lesson);
    ftz_stmt_bind_text(st, r->refusal_state);
    ftz_stmt_bind_text(st, r->refusal_report);
    ftz_stmt_bind_id(st, r->refusal_by);
    ftz_stmt_bind_id(st, r->refusal_decided_by);
    ftz_stmt_bind_text(st, r->refusal_note);
    ftz_stmt_bind_text(st, r->level_history);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, r->id);
    ftz_stmt_bind_int(st, version);
    rc = ftz_stmt_exec(st);
    int64_t changed = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) return rc;
    if (changed != 1)
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale",
                           ftz_arena_printf(c->arena, "%lld", (long long)r->version));
    return FTZ_OK;
}

static ftz_rc set_deadline(ftz_ctx *c, crow *r, ftz_date from, int days)
{
    ftz_date d;
    ftz_rc rc = add_workdays(c, from, days, &d);
    if (rc) return rc;
    char day[11], at[32];
    ftz_date_format(d, day);
    day_end_iso(d, at);
    r->deadline_on = ftz_arena_strdup(c->arena, day);
    r->deadline_at = ftz_arena_strdup(c->arena, at);
    return FTZ_OK;
}

static ftz_rc close_now(ftz_ctx *c, crow *r, const char *now, ftz_date today)
{
    r->closed_at = ftz_arena_strdup(c->arena, now);
    ftz_date acc;
    if (ftz_date_parse(r->accepted_on, &acc)) return FTZ_EINTERNAL;
    int n = 0;
    if (today > acc && ftz_cal_workdays_between(ftz_platform_cal(), acc + 1, today, &n)) {
        char day[11];
        ftz_date_format(today, day);
        return ftz_err_set(&c->err, FTZ_EINVAL, "calendar_range", ftz_arena_strdup(c->arena, day));
    }
    r->work_days = n;
    return FTZ_OK;
}

static ftz_rc set_assists(ftz_ctx *c, int64_t id, const ev_in *e)
{
    ftz_rc rc = ftz_db_run(c->db, "DELETE FROM case_assists WHERE case_id = ?", "i", id);
    for (size_t i = 0; !rc && i < e->nassist; i++)
        rc = ftz_db_run(c->db, "INSERT INTO case_assists (case_id, dept_id) VALUES (?, ?)", "ii",
                        id, e->assist[i]);
    return rc;
}

static json_t *event_data(const ev_in *e)
{
    json_t *d = json_object();
    if (e->category) json_object_set_new(d, "category", json_string(e->category));
    if (e->topic) json_object_set_new(d, "topic", json_string(e->topic));
    if (e->priority) json_object_set_new(d, "priority", json_string(e->priority));
    if (e->lead_dept) json_object_set_new(d, "lead_dept_id", json_integer(e->lead_dept));
    if (e->has_assist) {
        json_t *a = json_array();
        for (size_t i = 0; i < e->nassist; i++)
            json_array_append_new(a, json_integer(e->assist[i]));
        json_object_set_new(d, "assist_dept_ids", a);
    }
    if (e->reason) json_object_set_new(d, "reason", json_string(e->reason));
    if (e->days) json_object_set_new(d, "days", json_integer(e->days));
    if (e->reply) json_object_set_new(d, "reply", json_string(e->reply));
    if (e->solved >= 0) json_object_set_new(d, "solved", json_boolean(e->solved));
    if (e->satisfaction) json_object_set_new(d, "satisfaction", json_integer(e->satisfaction));
    if (e->evaluation) json_object_set_new(d, "evaluation", json_string(e->evaluation));
    if (e->into_id) json_object_set_new(d, "into_id", json_integer(e->into_id));
    if (e->report) json_object_set_new(d, "report", json_string(e->report));
    if (e->root_cause) json_object_set_new(d, "root_cause", json_string(e->root_cause));
    if (e->root_cause_text)
        json_object_set_new(d, "root_cause_text", json_string(e->root_cause_text));
    return d;
}

/* Applies one event to r (already allowed and its input checked), inside the transaction.
 * May chain a second event (an unsatisfied evaluation reopens). */
static ftz_rc apply(ftz_ctx *c, const case_kind *k, crow *r, const case_event_def *ev,
                    const ev_in *e, const char *now, ftz_date today, const char **chain)
{
    const char *n = ev->name;
    ftz_rc rc = FTZ_OK;
    *chain = NULL;
    const case_deadline_def *dl = case_deadline_find(k, r->category, r->priority);
    if (strcmp(n, "assess") == 0) {
        r->category = e->category;
        if (e->topic) r->topic = e->topic; /* the topic filed with stays unless changed */
        r->priority = e->priority;
        r->lead_dept = e->lead_dept;
        r->assessed_at = now;
        if (!r->owner_id && c->who && !c->who->system) r->owner_id = c->who->user_id;
        dl = case_deadline_find(k, r->category, r->priority);
        if (!dl) return ftz_err_set(&c->err, FTZ_EINTERNAL, "internal", NULL);
        if ((rc = set_deadline(c, r, today, dl->resolve_days))) return rc;
        if (e->deadline) {
            ftz_date want, limit;
            if (ftz_date_parse(e->deadline, &want) || ftz_date_parse(r->deadline_on, &limit)) {
                ftz_err_field(&c->err, "deadline", "format", "YYYY-MM-DD");
                return c->err.rc;
            }
            bool work = false;
            if (ftz_cal_is_workday(ftz_platform_cal(), want, &work) || !work || want < today) {
                ftz_err_field(&c->err, "deadline", "not_working_day", NULL);
                return c->err.rc;
            }
            if (want > limit) {
                ftz_err_field(&c->err, "deadline", "after_limit", r->deadline_on);
                return c->err.rc;
            }
            if ((rc = set_deadline(c, r, want, 0))) return rc;
        }
        return set_assists(c, r->id, e);
    }
    if (strcmp(n, "dispatch") == 0 || strcmp(n, "redispatch") == 0) {
        if (strcmp(n, "redispatch") == 0) {
            r->lead_dept = e->lead_dept;
            /* the assisting departments stay unless new ones are named */
            if (e->has_assist && (rc = set_assists(c, r->id, e))) return rc;
        }
        r->dispatched_at = now;
        r->responded_at = NULL;
        r->handler_id = 0;
        ftz_date due;
        if ((rc = add_workdays(c, today, dl ? dl->respond_days : 1, &due))) return rc;
        char at[32];
        day_end_iso(due, at);
        r->response_due = ftz_arena_strdup(c->arena, at);
        return FTZ_OK;
    }
    if (strcmp(n, "receive") == 0) {
        if (!r->responded_at) r->responded_at = now;
        if (c->who && !c->who->system) r->handler_id = c->who->user_id;
        return FTZ_OK;
    }
    if (strcmp(n, "return") == 0 || strcmp(n, "reopen") == 0) {
        r->reason = e->reason;
        if (strcmp(n, "reopen") == 0) {
            r->reopen_count++;
            r->outcome = NULL;
            r->closed_at = NULL;
            r->work_days = -1;
            r->replied_at = NULL;
            r->reminded_at = NULL;
            r->escalated_at = NULL;
            if ((rc = set_deadline(c, r, today, dl ? dl->resolve_days : 3))) return rc;
        }
        return FTZ_OK;
    }
    if (strcmp(n, "request_extension") == 0) {
        r->ext_days = e->days;
        r->ext_reason = e->reason;
        return FTZ_OK;
    }
    if (strcmp(n, "grant_extension") == 0) {
        int64_t days = e->days ? e->days : r->ext_days;
        if (days > r->ext_days) {
            ftz_err_field(&c->err, "days", "range",
                          ftz_arena_printf(c->arena, "1..%lld", (long long)r->ext_days));
            return c->err.rc;
        }
        ftz_date d;
        if (ftz_date_parse(r->deadline_on, &d)) return FTZ_EINTERNAL;
        if ((rc = set_deadline(c, r, d, (int)days))) return rc;
        r->ext_granted += days;
        r->ext_days = 0;
        r->ext_reason = NULL;
        r->reminded_at = NULL;
        return FTZ_OK;
    }
    if (strcmp(n, "refuse_extension") == 0) {
        r->ext_days = 0;
        r->ext_reason = NULL;
        return FTZ_OK;
    }
    if (strcmp(n, "reply") == 0 || strcmp(n, "settle") == 0) {
        r->reply = e->reply;
        r->replied_at = now;
        if (e->root_cause) {
            r->root_cause = e->root_cause;
            r->root_cause_text = e->root_cause_text;
        }
        if (strcmp(n, "settle") == 0) {
            /* answered at once by the side that accepted it */
            if (!r->lead_dept) r->lead_dept = r->accept_dept;
            if (!r->responded_at) r->responded_at = now;
            if (!r->handler_id && c->who && !c->who->system) r->handler_id = c->who->user_id;
        }
        return FTZ_OK;
    }
    if (strcmp(n, "raise") == 0) {
        /* one step up the ladder: the next category, a new lead department and deadline */
        size_t i = 0;
        while (i + 1 < k->ncategories && strcmp(k->categories[i].code, r->category) != 0)
            i++;
        if (i + 1 >= k->ncategories)
            return ftz_err_set(&c->err, FTZ_ECONFLICT, "case_top_level", NULL);
        const char *from_level = r->category;
        r->category = k->categories[i + 1].code;
        r->lead_dept = e->lead_dept;
        if (e->has_assist && (rc = set_assists(c, r->id, e))) return rc;
        r->reason = e->reason;
        const case_deadline_def *nd = case_deadline_find(k, r->category, r->priority);
        if ((rc = set_deadline(c, r, today, nd ? nd->resolve_days : 5))) return rc;
        r->dispatched_at = now;
        r->responded_at = NULL;
        r->handler_id = 0;
        r->reminded_at = NULL;
        ftz_date due;
        if ((rc = add_workdays(c, today, nd ? nd->respond_days : 1, &due))) return rc;
        char at[32];
        day_end_iso(due, at);
        r->response_due = ftz_arena_strdup(c->arena, at);
        json_t *h = r->level_history ? json_loads(r->level_history, 0, NULL) : NULL;
        if (!json_is_array(h)) {
            json_decref(h);
            h = json_array();
        }
        json_array_append_new(h, json_pack("{s:s,s:s,s:I,s:s,s:s}", "from", from_level, "to",
                                           r->category, "lead_dept_id", (json_int_t)e->lead_dept,
                                           "reason", e->reason, "at", now));
        char *txt = json_dumps(h, JSON_COMPACT);
        json_decref(h);
        r->level_history = txt ? ftz_arena_strdup(c->arena, txt) : NULL;
        free(txt); /* jansson's json_dumps allocates with the library's malloc */
        return FTZ_OK;
    }
    if (strcmp(n, "request_refusal") == 0) {
        r->refusal_state = "pending";
        r->refusal_report = e->report;
        r->refusal_by = c->who && !c->who->system ? c->who->user_id : 0;
        r->refusal_decided_by = 0;
        r->refusal_note = NULL;
        return FTZ_OK;
    }
    if (strcmp(n, "approve_refusal") == 0 || strcmp(n, "reject_refusal") == 0) {
        bool ok = strcmp(n, "approve_refusal") == 0;
        r->refusal_state = ok ? "approved" : "rejected";
        r->refusal_decided_by = c->who && !c->who->system ? c->who->user_id : 0;
        r->refusal_note = ok ? e->note : e->reason;
        return FTZ_OK;
    }
    if (strcmp(n, "refuse") == 0) {
        r->reason = e->reason;
        r->outcome = "refused";
        if (e->root_cause) {
            r->root_cause = e->root_cause;
            r->root_cause_text = e->root_cause_text;
        }
        return close_now(c, r, now, today);
    }
    if (strcmp(n, "evaluate") == 0) {
        r->solved = e->solved;
        r->satisfaction = e->satisfaction;
        r->evaluation = e->evaluation;
        r->outcome = "resolved";
        if ((rc = close_now(c, r, now, today))) return rc;
        if (e->satisfaction <= 2) *chain = "reopen";
        return FTZ_OK;
    }
    if (strcmp(n, "reject") == 0 || strcmp(n, "withdraw") == 0) {
        r->reason = e->reason;
        r->outcome = strcmp(n, "reject") == 0 ? "out_of_scope" : "withdrawn";
        return close_now(c, r, now, today);
    }
    if (strcmp(n, "merge") == 0) {
        r->merged_into = e->into_id;
        return close_now(c, r, now, today);
    }
    if (strcmp(n, "remind") == 0) {
        r->reminded_at = now;
        return FTZ_OK;
    }
    if (strcmp(n, "escalate") == 0) {
        r->escalated_at = now;
        return dept_by_setting(c, k->setting_escalate_dept, &r->escalated_dept);
    }
    return FTZ_OK; /* comment */
}

/* Checks the references of an event that need the database (departments, the merge target). */
static ftz_rc check_refs(ftz_ctx *c, const case_kind *k, const crow *r, const ev_in *e)
{
    const char *path;
    ftz_rc rc;
    if (e->lead_dept) {
        rc = dept_path(c, e->lead_dept, &path);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "lead_dept_id", "no_such", NULL);
        else if (rc)
            return rc;
    }
    for (size_t i = 0; i < e->nassist; i++) {
        rc = dept_path(c, e->assist[i], &path);
        if (rc == FTZ_ENOTFOUND) {
            ftz_err_field(&c->err, "assist_dept_ids", "no_such", NULL);
            break;
        }
        if (rc) return rc;
    }
    if (e->into_id) {
        crow t;
        ftz_err saved = c->err;
        rc = e->into_id == r->id ? FTZ_ENOTFOUND : load(c, k, e->into_id, &t, NULL, false);
        c->err = saved;
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "into_id", "no_such", NULL);
        else if (rc)
            return rc;
        else if (!case_state_find(k, t.state) || !case_state_find(k, t.state)->open)
            ftz_err_field(&c->err, "into_id", "not_open", NULL);
    }
    return c->err.rc;
}

static ftz_rc fire_loaded(ftz_ctx *c, const case_kind *k, crow *r, int64_t version,
                          const char *event, json_t *in)
{
    const case_event_def *ev = case_event_find(k, event);
    if (!ev) {
        const char *names = "";
        for (size_t i = 0; i < k->nevents; i++)
            if (!(k->events[i].who & CASE_WHO_SYSTEM))
                names = ftz_arena_printf(c->arena, "%s%s%s", names, *names ? ", " : "",
                                         k->events[i].name);
        ftz_err_field(&c->err, "event", "enum", names);
        return c->err.rc;
    }
    /* Refusals in the order a client can act on them: not yours to do (403), then someone
     * changed the case meanwhile (412: reload), then the case does not allow it (409). */
    case_facts f;
    facts_of(c, k, r, &f);
    const char *why = NULL;
    bool may = case_may(k, ev, c->who, &f, &why);
    bool denied = !may && (strcmp(why, "permission") == 0 || strcmp(why, "system") == 0 ||
                           strcmp(why, "not_lead") == 0 || strcmp(why, "not_requester") == 0);
    if (denied) {
        if (strcmp(why, "permission") == 0)
            return ftz_err_set(&c->err, FTZ_EDENIED, "permission", ev->perm ? ev->perm : "system");
        return ftz_err_set(&c->err, FTZ_EDENIED, ftz_arena_printf(c->arena, "case_%s", why), NULL);
    }
    if (version != r->version)
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale",
                           ftz_arena_printf(c->arena, "%lld", (long long)r->version));
    if (!may) {
        if (strcmp(why, "transition") == 0)
            return ftz_err_set(&c->err, FTZ_ECONFLICT, "case_transition",
                               ftz_arena_printf(c->arena, "%s → %s", r->state, event));
        return ftz_err_set(&c->err, FTZ_ECONFLICT, ftz_arena_printf(c->arena, "case_%s", why),
                           NULL);
    }
    ev_in e;
    json_t *empty = in ? NULL : json_object();
    read_ev(c, k, event, in ? in : empty, &e); /* copies what it keeps into the arena */
    json_decref(empty);
    /* the references too, so that one 422 lists every broken member */
    ftz_rc rc = check_refs(c, k, r, &e);
    if (rc) return rc;

    char now[32];
    case_now_iso(c, now);
    ftz_date today = ftz_date_of_shanghai(case_now(c));
    const char *from = r->state;
    if ((rc = ftz_db_begin(c->db))) return rc;
    const char *chain = NULL;
    if ((rc = apply(c, k, r, ev, &e, now, today, &chain))) goto fail;
    r->state = ev->to ? ev->to : from;
    const case_state_def *now_state = case_state_find(k, r->state);
    if (now_state && !now_state->clock && r->ext_days) {
        /* a request nobody decided lapses when the clock stops (replied, closed, merged) */
        r->ext_days = 0;
        r->ext_reason = NULL;
    }
    if ((rc = save(c, r, version, now))) goto fail;
    json_t *data = event_data(&e);
    if (strcmp(event, "escalate") == 0 && r->escalated_dept)
        json_object_set_new(data, "dept_id", json_integer(r->escalated_dept));
    if (strcmp(event, "raise") == 0 && r->category)
        json_object_set_new(data, "category", json_string(r->category));
    if (r->deadline_on && (strcmp(event, "assess") == 0 || strcmp(event, "grant_extension") == 0 ||
                           strcmp(event, "reopen") == 0 || strcmp(event, "raise") == 0))
        json_object_set_new(data, "deadline_on", json_string(r->deadline_on));
    rc = add_event(c, r->id, now, event, from, r->state, e.note, data);
    if (!rc && strcmp(event, "merge") == 0) {
        json_t *md = json_pack("{s:I,s:s}", "from_id", (json_int_t)r->id, "from_code", r->code);
        rc =
            ftz_db_run(c->db, "UPDATE cases SET updated_at = ? WHERE id = ?", "si", now, e.into_id);
        if (!rc) {
            /* the target's timeline shows the duplicate it absorbed */
            crow t;
            ftz_principal *saved = c->who;
            ftz_principal sys = {.system = true, .username = "system"};
            c->who = &sys;
            rc = load(c, k, e.into_id, &t, NULL, false);
            c->who = saved;
            if (!rc) rc = add_event(c, e.into_id, now, "merged_in", t.state, t.state, e.note, md);
        }
        json_decref(md);
    }
    json_t *before = json_pack("{s:s,s:I}", "state", from, "version", (json_int_t)version);
    json_object_set_new(data, "state", json_string(r->state));
    if (!rc)
        rc = ftz_audit_id(c, ftz_arena_printf(c->arena, "%s.%s", k->kind, event), k->kind, r->id,
                          before, data);
    json_decref(before);
    json_decref(data);
    if (rc) goto fail;
    if (chain) {
        /* An unsatisfied evaluation reopens the case at once, as the system. */
        const case_event_def *cev = case_event_find(k, chain);
        if (cev) {
            ev_in ce = {.reason = "unsatisfied", .solved = -1};
            const char *c2;
            const char *from2 = r->state;
            int64_t v2 = version + 1;
            r->version = v2;
            if ((rc = apply(c, k, r, cev, &ce, now, today, &c2))) goto fail;
            r->state = cev->to ? cev->to : from2;
            if ((rc = save(c, r, v2, now))) goto fail;
            json_t *d2 = json_pack("{s:s}", "reason", "unsatisfied");
            ftz_principal *saved = c->who;
            ftz_principal sys = {.system = true, .username = "system"};
            c->who = &sys;
            rc = add_event(c, r->id, now, chain, from2, r->state, NULL, d2);
            if (!rc)
                rc = ftz_audit_id(c, ftz_arena_printf(c->arena, "%s.%s", k->kind, chain), k->kind,
                                  r->id, NULL, d2);
            c->who = saved;
            json_decref(d2);
            if (rc) goto fail;
        }
    }
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc case_fire(ftz_ctx *c, const case_kind *k, int64_t id, int64_t version, const char *event,
                 json_t *in)
{
    crow r;
    ftz_rc rc = load(c, k, id, &r, NULL, false);
    if (rc) return rc;
    return fire_loaded(c, k, &r, version, event, in);
}

/* ---- lists ---- */

ftz_rc case_list(ftz_ctx *c, const case_kind *k, const case_list_q *lq, json_t **items,
                 int64_t *total)
{
    char now[32];
    case_now_iso(c, now);
    const ftz_principal *p = c->who;
    ftz_q where;
    ftz_q_init(&where, c->arena);
    ftz_q_sql(&where, "");
    ftz_q_text(&where, k->kind);
    if (lq->q && *lq->q) {
        char *f = ftz_utf8_fold(c->arena, lq->q);
        if (!f) return ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        ftz_q_sql(&where, " AND cs.text_fold LIKE ? ESCAPE '\\'");
        ftz_q_text(&where, ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f)));
    }
    /* open / closed / one state */
    if (lq->state && *lq->state) {
        bool grp = strcmp(lq->state, "open") == 0 || strcmp(lq->state, "closed") == 0;
        if (grp) {
            bool want_open = strcmp(lq->state, "open") == 0;
            ftz_q_sql(&where, " AND cs.state IN ('_'");
            for (size_t i = 0; i < k->nstates; i++)
                if (k->states[i].open == want_open) {
                    ftz_q_sql(&where, ", ?");
                    ftz_q_text(&where, k->states[i].name);
                }
            ftz_q_sql(&where, ")");
        } else {
            ftz_q_sql(&where, " AND cs.state = ?");
            ftz_q_text(&where, lq->state);
        }
    }
    const struct {
        const char *col, *v;
    } eq[] = {{"cs.category", lq->category},
              {"cs.topic", lq->topic},
              {"cs.channel", lq->channel},
              {"cs.priority", lq->priority}};
    for (size_t i = 0; i < FTZ_COUNTOF(eq); i++)
        if (eq[i].v && *eq[i].v) {
            ftz_q_sql(&where, ftz_arena_printf(c->arena, " AND %s = ?", eq[i].col));
            ftz_q_text(&where, eq[i].v);
        }
    if (lq->firm_id) {
        ftz_q_sql(&where, " AND cs.firm_id = ?");
        ftz_q_int(&where, lq->firm_id);
    }
    if (lq->lead_dept_id) {
        ftz_q_sql(&where, " AND cs.lead_dept_id = ?");
        ftz_q_int(&where, lq->lead_dept_id);
    }
    if (lq->refusal_state && *lq->refusal_state) {
        ftz_q_sql(&where, " AND cs.refusal_state = ?");
        ftz_q_text(&where, lq->refusal_state);
    }
    if (lq->source_kind && *lq->source_kind) {
        ftz_q_sql(&where, " AND cs.source_kind = ?");
        ftz_q_text(&where, lq->source_kind);
        if (lq->source_id) {
            ftz_q_sql(&where, " AND cs.source_id = ?");
            ftz_q_int(&where, lq->source_id);
        }
    }
    if (lq->from && *lq->from) {
        ftz_q_sql(&where, " AND cs.accepted_on >= ?");
        ftz_q_text(&where, lq->from);
    }
    if (lq->to && *lq->to) {
        ftz_q_sql(&where, " AND cs.accepted_on <= ?");
        ftz_q_text(&where, lq->to);
    }
    /* the clock states, for overdue */
    ftz_q clock;
    ftz_q_init(&clock, c->arena);
    ftz_q_sql(&clock, "cs.state IN ('_'");
    for (size_t i = 0; i < k->nstates; i++)
        if (k->states[i].clock) {
            ftz_q_sql(&clock, ", ?");
            ftz_q_text(&clock, k->states[i].name);
        }
    ftz_q_sql(&clock, ")");
    const char *box = lq->box ? lq->box : "all";
    if (strcmp(box, "mine") == 0) {
        ftz_q_sql(&where, " AND (cs.owner_id = ? OR cs.handler_id = ? OR cs.filed_by = ?)");
        int64_t me = p ? p->user_id : 0;
        ftz_q_int(&where, me);
        ftz_q_int(&where, me);
        ftz_q_int(&where, me);
    } else if (strcmp(box, "dept") == 0) {
        if (p && p->dept_path) {
            const char *pat = ftz_arena_printf(c->arena, "%s%%", p->dept_path);
            ftz_q_sql(&where, " AND (cs.lead_dept_id IN (SELECT id FROM departments WHERE path "
                              "LIKE ? ESCAPE '\\') OR cs.accept_dept_id IN (SELECT id FROM "
                              "departments WHERE path LIKE ? ESCAPE '\\'))");
            ftz_q_text(&where, pat);
            ftz_q_text(&where, pat);
        } else {
            ftz_q_sql(&where, " AND 1 = 0");
        }
    } else if (strcmp(box, "overdue") == 0) {
        ftz_q_sql(&where, " AND ");
        ftz_q_append(&where, &clock);
        ftz_q_sql(&where, " AND cs.deadline_at < ?");
        ftz_q_text(&where, now);
    } else if (strcmp(box, "todo") == 0) {
        /* What waits for the caller: to assess or dispatch, returned cases and extension
         * requests (demand.assess); dispatched or in hand in its department (handle); replies
         * to evaluate (evaluate). */
        ftz_q_sql(&where, " AND (1 = 0");
        /* the permissions come from the kind's own events */
        const case_event_def *ev_assess = case_event_find(k, "assess");
        const case_event_def *ev_receive = case_event_find(k, "receive");
        const case_event_def *ev_eval = case_event_find(k, "evaluate");
        const case_event_def *ev_grant = case_event_find(k, "grant_extension");
        const case_event_def *ev_approve = case_event_find(k, "approve_refusal");
        const char *tree = p->dept_path ? ftz_arena_printf(c->arena, "%s%%", p->dept_path) : NULL;
        bool wide = p->system || p->scope == FTZ_SCOPE_ALL;
        if (ev_assess && ev_assess->perm && ftz_can(p, ev_assess->perm)) {
            /* coordinators: zone-wide with scope all, else what their department accepted */
            if (wide) {
                ftz_q_sql(&where, " OR cs.state IN ('accepted', 'assessed', 'returned')");
            } else if (tree) {
                ftz_q_sql(&where, " OR (cs.state IN ('accepted', 'assessed', 'returned') AND "
                                  "cs.accept_dept_id IN (SELECT id FROM departments WHERE path "
                                  "LIKE ? ESCAPE '\\'))");
                ftz_q_text(&where, tree);
            }
        }
        if (ev_grant && ev_grant->perm && ftz_can(p, ev_grant->perm))
            ftz_q_sql(&where, " OR (cs.ext_days IS NOT NULL AND cs.state IN ('dispatched', "
                              "'handling', 'returned'))");
        if (ev_approve && ev_approve->perm && ftz_can(p, ev_approve->perm))
            ftz_q_sql(&where, " OR cs.refusal_state = 'pending'");
        if (ev_receive && ev_receive->perm && ftz_can(p, ev_receive->perm)) {
            /* handlers: what is dispatched to or in hand in their department's tree */
            if (tree) {
                ftz_q_sql(&where, " OR (cs.state IN ('dispatched', 'handling') AND "
                                  "cs.lead_dept_id IN (SELECT id FROM departments WHERE path "
                                  "LIKE ? ESCAPE '\\'))");
                ftz_q_text(&where, tree);
            } else if (wide) {
                ftz_q_sql(&where, " OR cs.state IN ('dispatched', 'handling')");
            }
        }
        if (ev_eval && ev_eval->perm && ftz_can(p, ev_eval->perm)) {
            /* the firm rates its replies; staff make the follow-up call of the cases they
             * own or their department accepted */
            if (p->system || p->scope == FTZ_SCOPE_OWN_FIRM) {
                ftz_q_sql(&where, " OR cs.state = 'replied'");
            } else {
                ftz_q_sql(&where, " OR (cs.state = 'replied' AND (cs.owner_id = ?");
                ftz_q_int(&where, p->user_id);
                if (tree) {
                    ftz_q_sql(&where, " OR cs.accept_dept_id IN (SELECT id FROM departments "
                                      "WHERE path LIKE ? ESCAPE '\\')");
                    ftz_q_text(&where, tree);
                }
                ftz_q_sql(&where, "))");
            }
        }
        ftz_q_sql(&where, ")");
    }
    scope_where(c, &where);

    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM cases cs WHERE cs.kind = ?");
    ftz_q_append(&q, &where);
    ftz_rc rc = ftz_q_scalar(c->db, &q, total);
    if (rc) return rc;
    ftz_stmt *st;
    int n;

    static const char *const sorts[][2] = {
        {"id", "cs.id"},
        {"code", "cs.code"},
        {"accepted_at", "cs.accepted_at"},
        {"state", "cs.state"},
        {"priority", "cs.priority"},
        {"deadline_at", "cs.deadline_at"},
        {"updated_at", "cs.updated_at"},
        {"title", "cs.title"},
        {"firm", "f.name_zh"},
        {"category", "cs.category"},
        {"lead_dept", "(SELECT d.name FROM departments d WHERE d.id = cs.lead_dept_id)"}};
    const char *order = "cs.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, "SELECT %s" CASE_FROM, case_cols(c->arena, c->lang)));
    ftz_q_append(&q, &where);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s %s, cs.id DESC LIMIT ? OFFSET ?", order,
                                   lq->desc ? "DESC" : "ASC"));
    ftz_q_int(&q, lq->limit);
    ftz_q_int(&q, lq->offset);
    if ((rc = ftz_q_prepare(c->db, &q, &st))) return rc;
    json_t *arr = json_array();
    while ((n = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, row_json(c, k, st, now, lq->detail));
    ftz_stmt_done(st);
    if (n < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

/* ---- figures ---- */

ftz_rc case_figures(ftz_ctx *c, const case_kind *k, const char *group, const char *from,
                    const char *to, json_t **rows)
{
    char now[32];
    case_now_iso(c, now);
    const char *key = "'all'";
    bool dept = false;
    if (strcmp(group, "department") == 0) {
        key = "cs.lead_dept_id";
        dept = true;
    } else if (strcmp(group, "category") == 0)
        key = "cs.category";
    else if (strcmp(group, "topic") == 0)
        key = "cs.topic";
    else if (strcmp(group, "channel") == 0)
        key = "cs.channel";
    else if (strcmp(group, "state") == 0)
        key = "cs.state";
    else if (strcmp(group, "month") == 0)
        key = "substr(cs.accepted_on, 1, 7)";
    else if (strcmp(group, "all") != 0) {
        ftz_err_field(&c->err, "group", "enum",
                      "department, category, topic, channel, state, month, all");
        return c->err.rc;
    }
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q open_in, clock_in;
    ftz_q_init(&open_in, c->arena);
    ftz_q_init(&clock_in, c->arena);
    ftz_q_sql(&open_in, "cs.state IN ('_'");
    ftz_q_sql(&clock_in, "cs.state IN ('_'");
    for (size_t i = 0; i < k->nstates; i++) {
        if (k->states[i].open) {
            ftz_q_sql(&open_in, ", ?");
            ftz_q_text(&open_in, k->states[i].name);
        }
        if (k->states[i].clock) {
            ftz_q_sql(&clock_in, ", ?");
            ftz_q_text(&clock_in, k->states[i].name);
        }
    }
    ftz_q_sql(&open_in, ")");
    ftz_q_sql(&clock_in, ")");
    ftz_q_sql(&q, ftz_arena_printf(c->arena, "SELECT %s", key));
    if (dept)
        ftz_q_sql(&q, ", d.name, d.name_ru, d.name_en");
    else
        ftz_q_sql(&q, ", NULL, NULL, NULL");
    ftz_q_sql(&q, ", count(*), SUM(CASE WHEN ");
    ftz_q_append(&q, &open_in);
    ftz_q_sql(&q, " THEN 1 ELSE 0 END), "
                  "SUM(CASE WHEN cs.dispatched_at IS NOT NULL THEN 1 ELSE 0 END), "
                  "SUM(CASE WHEN cs.responded_at IS NOT NULL AND cs.responded_at <= "
                  "cs.response_due THEN 1 ELSE 0 END), "
                  "SUM(CASE WHEN cs.satisfaction IS NOT NULL THEN 1 ELSE 0 END), "
                  "SUM(CASE WHEN cs.satisfaction IS NOT NULL AND cs.solved = 1 THEN 1 ELSE 0 "
                  "END), "
                  "SUM(CASE WHEN cs.satisfaction >= 3 THEN 1 ELSE 0 END), "
                  "SUM(CASE WHEN ");
    ftz_q_append(&q, &clock_in);
    ftz_q_sql(
        &q, " AND cs.deadline_at < ? THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN cs.replied_at IS NOT NULL AND cs.replied_at > cs.deadline_at "
            "THEN 1 ELSE 0 END), "
            "CAST(SUM(CASE WHEN cs.work_days IS NOT NULL THEN cs.work_days ELSE 0 END) AS BIGINT), "
            "SUM(CASE WHEN cs.work_days IS NOT NULL THEN 1 ELSE 0 END), "
            "COUNT(DISTINCT cs.firm_id), "
            "SUM(CASE WHEN cs.outcome = 'resolved' THEN 1 ELSE 0 END), "
            "SUM(CASE WHEN cs.outcome = 'refused' THEN 1 ELSE 0 END) "
            "FROM cases cs ");
    ftz_q_text(&q, now);
    if (dept) ftz_q_sql(&q, "LEFT JOIN departments d ON d.id = cs.lead_dept_id ");
    ftz_q_sql(&q, "WHERE cs.kind = ?");
    ftz_q_text(&q, k->kind);
    if (from && *from) {
        ftz_q_sql(&q, " AND cs.accepted_on >= ?");
        ftz_q_text(&q, from);
    }
    if (to && *to) {
        ftz_q_sql(&q, " AND cs.accepted_on <= ?");
        ftz_q_text(&q, to);
    }
    scope_where(c, &q);
    if (dept)
        ftz_q_sql(&q, " GROUP BY cs.lead_dept_id, d.name, d.name_ru, d.name_en ORDER BY 1");
    else if (strcmp(group, "all") != 0)
        ftz_q_sql(&q, ftz_arena_printf(c->arena, " GROUP BY %s ORDER BY 1", key));
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int n;
    while ((n = ftz_stmt_next(st)) == 1) {
        int64_t v[14];
        for (int i = 0; i < 14; i++)
            v[i] = ftz_stmt_int(st, 4 + i);
        if (v[0] == 0) continue; /* "all" over no rows */
        json_t *o = json_object();
        const char *kv = ftz_stmt_text(st, 0);
        if (dept) {
            json_object_set_new(o, "key", jid(st, 0));
            json_object_set_new(o, "label",
                                ftz_stmt_isnull(st, 0) ? json_null() : jdept(st, 1, c->lang));
        } else {
            json_object_set_new(o, "key", jstr(kv));
            const char *label = kv;
            if (kv && strcmp(group, "category") == 0)
                label = value_name(k->categories, k->ncategories, kv, c->lang);
            else if (kv && strcmp(group, "topic") == 0)
                label = value_name(k->topics, k->ntopics, kv, c->lang);
            else if (kv && strcmp(group, "channel") == 0)
                label = value_name(k->channels, k->nchannels, kv, c->lang);
            else if (kv && strcmp(group, "state") == 0)
                label = state_name(k, kv, c->lang);
            json_object_set_new(o, "label", jstr(label));
        }
        if (json_is_null(json_object_get(o, "label")) || strcmp(group, "all") == 0) {
            static const case_value_def words[] = {
                {"all", "合计", "Итого", "Total"},
                {"none", "未研判", "Без оценки", "Not assessed"},
                {"nodept", "未指定主办部门", "Отдел не назначен", "No lead department"},
            };
            const char *w = strcmp(group, "all") == 0 ? "all" : dept ? "nodept" : "none";
            json_object_set_new(o, "label",
                                json_string(value_name(words, FTZ_COUNTOF(words), w, c->lang)));
        }
        json_object_set_new(o, "count", json_integer(v[0]));
        json_object_set_new(o, "open", json_integer(v[1]));
        json_object_set_new(o, "closed", json_integer(v[0] - v[1]));
        json_object_set_new(o, "dispatched", json_integer(v[2]));
        json_object_set_new(o, "responded_in_time", json_integer(v[3]));
        json_object_set_new(o, "response_rate_bp", json_integer(case_rate_bp(v[3], v[2])));
        json_object_set_new(o, "evaluated", json_integer(v[4]));
        json_object_set_new(o, "solved", json_integer(v[5]));
        json_object_set_new(o, "resolution_rate_bp", json_integer(case_rate_bp(v[5], v[4])));
        json_object_set_new(o, "satisfied", json_integer(v[6]));
        json_object_set_new(o, "satisfaction_rate_bp", json_integer(case_rate_bp(v[6], v[4])));
        json_object_set_new(o, "overdue", json_integer(v[7]));
        json_object_set_new(o, "late", json_integer(v[8]));
        json_object_set_new(o, "closed_with_days", json_integer(v[10]));
        json_object_set_new(o, "firms", json_integer(v[11]));
        json_object_set_new(o, "resolved", json_integer(v[12]));
        json_object_set_new(o, "refused", json_integer(v[13]));
        json_object_set_new(o, "avg_work_days_x100",
                            json_integer(v[10] ? (v[9] * 100 + v[10] / 2) / v[10] : 0));
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (n < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *rows = arr;
    return FTZ_OK;
}

/* ---- the sweep ---- */

ftz_rc case_sweep(ftz_ctx *c, const case_kind *k, int64_t now, int64_t *reminded,
                  int64_t *escalated)
{
    *reminded = *escalated = 0;
    int64_t esc_days = 2;
    ftz_rc rc = ftz_setting_int(c, "case.escalate_after_days", &esc_days);
    if (rc) return rc;
    int64_t saved_clock = c->clock;
    c->clock = now;
    char now_iso[32];
    case_now_iso(c, now_iso);
    ftz_date today = ftz_date_of_shanghai(now);
    /* The candidates first (ids only), then one transaction per case: no statement is held
     * open across the writes. */
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT cs.id FROM cases cs WHERE cs.kind = ? AND cs.deadline_at < ? AND "
                  "(cs.reminded_at IS NULL OR cs.escalated_at IS NULL) AND cs.state IN ('_'");
    ftz_q_text(&q, k->kind);
    ftz_q_text(&q, now_iso);
    for (size_t i = 0; i < k->nstates; i++)
        if (k->states[i].clock) {
            ftz_q_sql(&q, ", ?");
            ftz_q_text(&q, k->states[i].name);
        }
    ftz_q_sql(&q, ") ORDER BY cs.id");
    ftz_stmt *st;
    if ((rc = ftz_q_prepare(c->db, &q, &st))) goto out;
    size_t cap = 64, nids = 0;
    int64_t *ids = ftz_arena_alloc(c->arena, cap * sizeof *ids);
    int n;
    while ((n = ftz_stmt_next(st)) == 1) {
        if (nids == cap) {
            int64_t *bigger = ftz_arena_alloc(c->arena, 2 * cap * sizeof *ids);
            memcpy(bigger, ids, cap * sizeof *ids);
            ids = bigger;
            cap *= 2;
        }
        ids[nids++] = ftz_stmt_int(st, 0);
    }
    ftz_stmt_done(st);
    if (n < 0) {
        rc = FTZ_EDB;
        goto out;
    }
    for (size_t i = 0; i < nids; i++) {
        crow r;
        if ((rc = load(c, k, ids[i], &r, NULL, false))) goto out;
        ftz_date dday;
        if (!r.deadline_on || ftz_date_parse(r.deadline_on, &dday)) continue;
        /* A day beyond the calendar data cannot be reached yet (the server warns at start
         * when the data runs out): that step waits, the other still runs. */
        ftz_date remind_on, escalate_on;
        bool can_remind = ftz_cal_add_workdays(ftz_platform_cal(), dday, 1, &remind_on) == FTZ_OK;
        bool can_escalate =
            ftz_cal_add_workdays(ftz_platform_cal(), dday, (int)esc_days, &escalate_on) == FTZ_OK;
        if (can_remind && !r.reminded_at && today >= remind_on) {
            if ((rc = fire_loaded(c, k, &r, r.version, "remind", NULL))) goto out;
            (*reminded)++;
            if ((rc = load(c, k, ids[i], &r, NULL, false))) goto out;
        }
        if (can_escalate && !r.escalated_at && today >= escalate_on) {
            if ((rc = fire_loaded(c, k, &r, r.version, "escalate", NULL))) goto out;
            (*escalated)++;
        }
    }
out:
    c->clock = saved_clock;
    return rc;
}

ftz_rc case_sweep_job(ftz_ctx *c, ftz_job *job, const case_kind *k)
{
    int64_t reminded = 0, escalated = 0;
    ftz_rc rc = case_sweep(c, k, case_now(c), &reminded, &escalated);
    if (rc) return rc;
    ftz_job_set_result(job, json_pack("{s:I,s:I}", "reminded", (json_int_t)reminded, "escalated",
                                      (json_int_t)escalated));
    return FTZ_OK;
}

/* ---- the case library ---- */

ftz_rc case_library(ftz_ctx *c, const case_kind *k, const char *q, const char *root_cause,
                    int64_t limit, int64_t offset, json_t **items, int64_t *total)
{
    ftz_q where;
    ftz_q_init(&where, c->arena);
    ftz_q_sql(&where, " AND cs.root_cause IS NOT NULL AND cs.closed_at IS NOT NULL");
    if (q && *q) {
        char *f = ftz_utf8_fold(c->arena, q);
        if (!f) return ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        ftz_q_sql(&where, " AND cs.lesson_fold LIKE ? ESCAPE '\\'");
        ftz_q_text(&where, ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f)));
    }
    if (root_cause && *root_cause) {
        ftz_q_sql(&where, " AND cs.root_cause = ?");
        ftz_q_text(&where, root_cause);
    }
    scope_where(c, &where);
    ftz_q cq;
    ftz_q_init(&cq, c->arena);
    ftz_q_sql(&cq, "SELECT count(*) FROM cases cs WHERE cs.kind = ?");
    ftz_q_text(&cq, k->kind);
    ftz_q_append(&cq, &where);
    ftz_rc rc = ftz_q_scalar(c->db, &cq, total);
    if (rc) return rc;
    ftz_stmt *st;
    int n;
    ftz_q pq;
    ftz_q_init(&pq, c->arena);
    ftz_q_sql(&pq, ftz_arena_printf(c->arena, "SELECT %s" CASE_FROM, case_cols(c->arena, c->lang)));
    ftz_q_text(&pq, k->kind);
    ftz_q_append(&pq, &where);
    ftz_q_sql(&pq, " ORDER BY cs.closed_at DESC, cs.id DESC LIMIT ? OFFSET ?");
    ftz_q_int(&pq, limit);
    ftz_q_int(&pq, offset);
    if ((rc = ftz_q_prepare(c->db, &pq, &st))) return rc;
    char now[32];
    case_now_iso(c, now);
    json_t *arr = json_array();
    while ((n = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, row_json(c, k, st, now, true));
    ftz_stmt_done(st);
    if (n < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

/* ---- the kind as data ---- */

static json_t *values_json(const case_value_def *v, size_t n, const char *lang)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:s,s:s}", "code", v[i].code, "name",
                                           value_name(v, n, v[i].code, lang)));
    return a;
}

json_t *case_kind_json(const case_kind *k, const char *lang)
{
    json_t *o = json_object();
    json_object_set_new(o, "kind", json_string(k->kind));
    json_object_set_new(o, "initial", json_string(k->initial));
    json_t *st = json_array();
    for (size_t i = 0; i < k->nstates; i++)
        json_array_append_new(st, json_pack("{s:s,s:s,s:b,s:b}", "name", k->states[i].name, "label",
                                            state_name(k, k->states[i].name, lang), "open",
                                            k->states[i].open, "clock", k->states[i].clock));
    json_object_set_new(o, "states", st);
    json_t *ev = json_array();
    for (size_t i = 0; i < k->nevents; i++) {
        const case_event_def *e = &k->events[i];
        json_t *from = json_array();
        for (size_t j = 0; j < k->nstates; j++)
            if (case_event_from(e, k->states[j].name))
                json_array_append_new(from, json_string(k->states[j].name));
        json_t *who = json_array();
        if (e->who & CASE_WHO_LEAD) json_array_append_new(who, json_string("lead"));
        if (e->who & CASE_WHO_REQUESTER) json_array_append_new(who, json_string("requester"));
        if ((e->who & CASE_WHO_SYSTEM) || !e->perm)
            json_array_append_new(who, json_string("system"));
        json_array_append_new(ev,
                              json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "name", e->name, "label",
                                        event_name(e, lang), "from", from, "to",
                                        e->to ? json_string(e->to) : json_null(), "perm",
                                        e->perm ? json_string(e->perm) : json_null(), "who", who));
    }
    json_object_set_new(o, "events", ev);
    json_t *dl = json_array();
    for (size_t i = 0; i < k->ndeadlines; i++)
        json_array_append_new(
            dl, json_pack("{s:s,s:s,s:i,s:i}", "category", k->deadlines[i].category, "priority",
                          k->deadlines[i].priority, "respond_days", k->deadlines[i].respond_days,
                          "resolve_days", k->deadlines[i].resolve_days));
    json_object_set_new(o, "deadlines", dl);
    json_object_set_new(o, "categories", values_json(k->categories, k->ncategories, lang));
    json_object_set_new(o, "topics", values_json(k->topics, k->ntopics, lang));
    json_object_set_new(o, "priorities", values_json(k->priorities, k->npriorities, lang));
    json_object_set_new(o, "channels", values_json(k->channels, k->nchannels, lang));
    json_object_set_new(o, "root_causes", values_json(k->root_causes, k->nroot_causes, lang));
    json_object_set_new(o, "ladder", json_boolean(k->ladder));
    return o;
}
