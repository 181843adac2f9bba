/* outreach_routes.c — the HTTP routes of leader visits and enterprise salons (outreach.h):
 * read and check the input, call the services, render JSON or the lists as XLSX/CSV. Issues
 * raised at a visit or a salon answer 201 with the demand filed (Location
 * /api/v1/demands/{id}). No SQL here. */
#include "core/ftz_setup.h"
#include "firm/outreach.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/date.h"
#include "firm/demand.h"
#include "http/export_reply.h"
#include "http/http.h"

#include <string.h>

static const ftz_export_col_i18n visit_cols[] = {
    {"id", "编号", "№", "ID", FTZ_COL_INT, 8},
    {"visited_on", "走访日期", "Дата визита", "Visited on", FTZ_COL_DATE, 12},
    {"firm_name", "企业", "Предприятие", "Firm", FTZ_COL_TEXT, 32},
    {"leader_name", "走访领导", "Руководитель", "Leader", FTZ_COL_TEXT, 14},
    {"participants", "参加人员", "Участники", "Participants", FTZ_COL_TEXT, 24},
    {"purpose", "走访事由", "Цель", "Purpose", FTZ_COL_TEXT, 30},
    {"issues", "提出诉求", "Вопросов", "Issues raised", FTZ_COL_INT, 10},
    {"issues_open", "在办", "В работе", "Open", FTZ_COL_INT, 8},
    {"issues_resolved", "已办结", "Решено", "Resolved", FTZ_COL_INT, 8},
    {"created_by_name", "记录人", "Записал", "Recorded by", FTZ_COL_TEXT, 12},
    {"created_at", "记录时间", "Записано", "Recorded", FTZ_COL_TIME, 22},
};

static const ftz_export_col_i18n figure_cols[] = {
    {"label", "分组", "Группа", "Group", FTZ_COL_TEXT, 28},
    {"visits", "走访次数", "Визитов", "Visits", FTZ_COL_INT, 10},
    {"firms", "走访企业", "Предприятий", "Firms", FTZ_COL_INT, 10},
    {"issues", "提出诉求（办结率分母）", "Вопросов (знаменатель)", "Issues (denominator)",
     FTZ_COL_INT, 14},
    {"open", "在办", "В работе", "Open", FTZ_COL_INT, 8},
    {"resolved", "已办结", "Решено", "Resolved", FTZ_COL_INT, 8},
    {"resolved_bp", "办结率（万分比）", "Доля решённых (б.п.)", "Share resolved (bp)", FTZ_COL_INT,
     12},
};

static const ftz_export_col_i18n salon_cols[] = {
    {"id", "编号", "№", "ID", FTZ_COL_INT, 8},
    {"held_on", "举办日期", "Дата", "Held on", FTZ_COL_DATE, 12},
    {"title", "主题", "Тема", "Title", FTZ_COL_TEXT, 32},
    {"place", "地点", "Место", "Place", FTZ_COL_TEXT, 20},
    {"topics", "议题", "Вопросы", "Topics", FTZ_COL_TEXT, 30},
    {"organiser_dept_name", "主办部门", "Организатор", "Organiser", FTZ_COL_TEXT, 18},
    {"firms_count", "参会企业", "Предприятий", "Firms", FTZ_COL_INT, 10},
    {"issues", "提出诉求", "Вопросов", "Issues raised", FTZ_COL_INT, 10},
    {"issues_resolved", "已办结", "Решено", "Resolved", FTZ_COL_INT, 8},
    {"created_at", "记录时间", "Записано", "Recorded", FTZ_COL_TIME, 22},
};

/* A YYYY-MM-DD query value, checked (NULL when absent). */
static const char *qry_date(ftz_ctx *c, const char *name)
{
    const char *s = ftz_qry_text(c, name, 10);
    ftz_date d;
    if (s && ftz_date_parse(s, &d)) {
        ftz_err_field(&c->err, name, "format", "YYYY-MM-DD");
        return NULL;
    }
    return s;
}

static size_t max_of(const char *field)
{
    return outreach_field_max(field);
}

/* A text member into the patch when present (null or empty clears it). */
static void patch_str(ftz_ctx *c, json_t *b, json_t *patch, const char *key, size_t max)
{
    if (!ftz_jin_has(b, key)) return;
    const char *s = ftz_jin_str(c, b, key, false, max);
    json_object_set_new(patch, key, s ? json_string(s) : json_null());
}

/* An id member into the patch when present (null clears it). */
static void patch_id(ftz_ctx *c, json_t *b, json_t *patch, const char *key)
{
    if (!ftz_jin_has(b, key)) return;
    int64_t v = ftz_jin_int(c, b, key, false, 1, INT64_MAX, NULL);
    json_object_set_new(patch, key, v ? json_integer(v) : json_null());
}

/* 201 with the demand an issue became (only its id when the caller may not read it). */
static void reply_demand(ftz_ctx *c, int64_t id)
{
    json_t *out = NULL;
    const char *loc = ftz_arena_printf(c->arena, "/api/v1/demands/%lld", (long long)id);
    if (case_get(c, &demand_kind, id, &out)) {
        ftz_err_init(&c->err, c->arena);
        out = json_pack("{s:I}", "id", (json_int_t)id);
    }
    ftz_reply_created(c, loc, out);
}

static void read_issue(ftz_ctx *c, json_t *b, outreach_issue_in *in, bool with_firm)
{
    static const char *const allowed_visit[] = {"title",        "body",          "category",
                                                "topic",        "priority",      "lang",
                                                "contact_name", "contact_phone", NULL};
    static const char *const allowed_salon[] = {"title",         "body", "category", "topic",
                                                "priority",      "lang", "firm_id",  "contact_name",
                                                "contact_phone", NULL};
    ftz_jin_only(c, b, with_firm ? allowed_salon : allowed_visit);
    if (with_firm) in->firm_id = ftz_jin_int(c, b, "firm_id", true, 1, INT64_MAX, NULL);
    in->title = ftz_jin_str(c, b, "title", true, max_of("title"));
    in->body = ftz_jin_str(c, b, "body", true, max_of("body"));
    in->category = ftz_jin_str(c, b, "category", false, max_of("category"));
    in->topic = ftz_jin_str(c, b, "topic", false, max_of("topic"));
    in->priority = ftz_jin_str(c, b, "priority", false, max_of("priority"));
    in->lang = ftz_jin_str(c, b, "lang", false, max_of("lang"));
    in->contact_name = ftz_jin_str(c, b, "contact_name", false, max_of("contact_name"));
    in->contact_phone = ftz_jin_str(c, b, "contact_phone", false, max_of("contact_phone"));
}

/* ---- visits ---- */

static void h_visit_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id",          "visited_on", "firm", "issues",
                                        "leader_name", "created_at", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-visited_on", &pg);
    outreach_visit_q q = {0};
    q.q = ftz_qry_text(c, "q", 200);
    q.firm_id = ftz_qry_id(c, "firm_id");
    q.leader_id = ftz_qry_id(c, "leader_id");
    q.from = qry_date(c, "from");
    q.to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = outreach_visit_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "visits", ftz_export_cols_lang(c, visit_cols, FTZ_COUNTOF(visit_cols)),
                         FTZ_COUNTOF(visit_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

static const char *const visit_fields[] = {"firm_id",      "visited_on", "leader_id", "leader_name",
                                           "participants", "purpose",    "notes",     NULL};

static void h_visit_create(ftz_ctx *c)
{
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, visit_fields);
    outreach_visit_in in = {0};
    in.firm_id = ftz_jin_int(c, b, "firm_id", true, 1, INT64_MAX, NULL);
    in.visited_on = ftz_jin_str(c, b, "visited_on", true, 32);
    in.leader_id = ftz_jin_int(c, b, "leader_id", false, 1, INT64_MAX, NULL);
    in.leader_name = ftz_jin_str(c, b, "leader_name", false, max_of("leader_name"));
    in.participants = ftz_jin_str(c, b, "participants", false, max_of("participants"));
    in.purpose = ftz_jin_str(c, b, "purpose", false, max_of("purpose"));
    in.notes = ftz_jin_str(c, b, "notes", false, max_of("notes"));
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    json_t *out = NULL;
    ftz_rc rc = outreach_visit_create(c, &in, &id);
    if (!rc) rc = outreach_visit_get(c, id, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/visits/%lld", (long long)id), out);
}

static void h_visit_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out = NULL;
    ftz_rc rc = outreach_visit_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_visit_update(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"firm_id",     "visited_on",   "leader_id",
                                          "leader_name", "participants", "purpose",
                                          "notes",       "version",      NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    patch_id(c, b, patch, "firm_id");
    patch_id(c, b, patch, "leader_id");
    patch_str(c, b, patch, "visited_on", 32);
    patch_str(c, b, patch, "leader_name", max_of("leader_name"));
    patch_str(c, b, patch, "participants", max_of("participants"));
    patch_str(c, b, patch, "purpose", max_of("purpose"));
    patch_str(c, b, patch, "notes", max_of("notes"));
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = outreach_visit_update(c, id, version, patch);
    json_decref(patch);
    json_t *out = NULL;
    if (!rc) rc = outreach_visit_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_visit_issue(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    outreach_issue_in in = {0};
    read_issue(c, b, &in, false);
    if (ftz_reply_input_errors(c)) return;
    int64_t demand;
    ftz_rc rc = outreach_visit_raise(c, id, &in, &demand);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_demand(c, demand);
}

static void h_visit_figures(ftz_ctx *c)
{
    static const char *const groups[] = {"month", "leader", "firm", "all", NULL};
    const char *group = ftz_qry_enum(c, "group", groups, "month, leader, firm, all");
    const char *from = qry_date(c, "from");
    const char *to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    if (!group) group = "month";
    json_t *rows = NULL;
    ftz_rc rc = outreach_visit_figures(c, group, from, to, &rows);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "visit-figures",
                         ftz_export_cols_lang(c, figure_cols, FTZ_COUNTOF(figure_cols)),
                         FTZ_COUNTOF(figure_cols), rows);
        return;
    }
    json_t *total;
    if ((rc = outreach_visit_figures(c, "all", from, to, &total))) {
        json_decref(rows);
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *all = json_incref(json_array_get(total, 0));
    json_decref(total);
    ftz_reply_json(c, 200,
                   json_pack("{s:s,s:o,s:o,s:o,s:o}", "group", group, "from",
                             from ? json_string(from) : json_null(), "to",
                             to ? json_string(to) : json_null(), "rows", rows, "total",
                             all ? all : json_object()));
}

/* ---- salons ---- */

static void h_salon_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id",     "held_on",    "title", "firms",
                                        "issues", "created_at", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-held_on", &pg);
    outreach_salon_q q = {0};
    q.q = ftz_qry_text(c, "q", 200);
    q.firm_id = ftz_qry_id(c, "firm_id");
    q.organiser_dept = ftz_qry_id(c, "organiser_dept");
    q.from = qry_date(c, "from");
    q.to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = outreach_salon_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "salons", ftz_export_cols_lang(c, salon_cols, FTZ_COUNTOF(salon_cols)),
                         FTZ_COUNTOF(salon_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

static void h_salon_create(ftz_ctx *c)
{
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"title",          "held_on", "place", "topics",
                                          "organiser_dept", "notes",   NULL};
    ftz_jin_only(c, b, allowed);
    outreach_salon_in in = {0};
    in.title = ftz_jin_str(c, b, "title", true, max_of("title"));
    in.held_on = ftz_jin_str(c, b, "held_on", true, 32);
    in.place = ftz_jin_str(c, b, "place", false, max_of("place"));
    in.topics = ftz_jin_str(c, b, "topics", false, max_of("topics"));
    in.notes = ftz_jin_str(c, b, "notes", false, max_of("notes"));
    in.organiser_dept = ftz_jin_int(c, b, "organiser_dept", false, 1, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    json_t *out = NULL;
    ftz_rc rc = outreach_salon_create(c, &in, &id);
    if (!rc) rc = outreach_salon_get(c, id, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/salons/%lld", (long long)id), out);
}

static void h_salon_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out = NULL;
    ftz_rc rc = outreach_salon_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_salon_update(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"title", "held_on",        "place",   "topics",
                                          "notes", "organiser_dept", "version", NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    patch_str(c, b, patch, "title", max_of("title"));
    patch_str(c, b, patch, "held_on", 32);
    patch_str(c, b, patch, "place", max_of("place"));
    patch_str(c, b, patch, "topics", max_of("topics"));
    patch_str(c, b, patch, "notes", max_of("notes"));
    patch_id(c, b, patch, "organiser_dept");
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = outreach_salon_update(c, id, version, patch);
    json_decref(patch);
    json_t *out = NULL;
    if (!rc) rc = outreach_salon_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

/* PUT /api/v1/salons/{id}/firms {"firms": [{"firm_id", "attendees"?}], "version"?} */
static void h_salon_firms(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"firms", "version", NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", false, 1, INT64_MAX, NULL);
    json_t *arr = json_object_get(b, "firms");
    size_t n = 0;
    outreach_attendee *list = NULL;
    if (!arr || json_is_null(arr)) {
        ftz_err_field(&c->err, "firms", "required", NULL);
    } else if (!json_is_array(arr)) {
        ftz_err_field(&c->err, "firms", "type", "array");
    } else if (json_array_size(arr) > 500) {
        ftz_err_field(&c->err, "firms", "too_many", "500");
    } else {
        n = json_array_size(arr);
        list = ftz_arena_alloc(c->arena, (n ? n : 1) * sizeof *list);
        static const char *const item_keys[] = {"firm_id", "attendees", NULL};
        for (size_t i = 0; i < n; i++) {
            json_t *it = json_array_get(arr, i);
            list[i].firm_id = 0;
            list[i].attendees = NULL;
            if (!json_is_object(it)) {
                ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu]", i), "type",
                              "object");
                continue;
            }
            const char *k;
            json_t *v;
            json_object_foreach(it, k, v)
            {
                bool known = false;
                for (const char *const *p = item_keys; *p; p++)
                    known = known || strcmp(*p, k) == 0;
                if (!known)
                    ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu].%s", i, k),
                                  "unknown", NULL);
            }
            json_t *f = json_object_get(it, "firm_id");
            if (!f || json_is_null(f))
                ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu].firm_id", i),
                              "required", NULL);
            else if (!json_is_integer(f))
                ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu].firm_id", i), "type",
                              "integer");
            else if (json_integer_value(f) < 1)
                ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu].firm_id", i),
                              "no_such", NULL);
            else
                list[i].firm_id = json_integer_value(f);
            json_t *a = json_object_get(it, "attendees");
            if (a && !json_is_null(a) && !json_is_string(a))
                ftz_err_field(&c->err, ftz_arena_printf(c->arena, "firms[%zu].attendees", i),
                              "type", "string");
            else if (a && json_is_string(a) && *json_string_value(a))
                list[i].attendees = ftz_arena_strdup(c->arena, json_string_value(a));
        }
    }
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = outreach_salon_set_firms(c, id, version, list, n);
    json_t *out = NULL;
    if (!rc) rc = outreach_salon_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_salon_issue(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    outreach_issue_in in = {0};
    read_issue(c, b, &in, true);
    if (ftz_reply_input_errors(c)) return;
    int64_t demand;
    ftz_rc rc = outreach_salon_raise(c, id, &in, &demand);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_demand(c, demand);
}

/* Literal paths before {id}: the router takes the first match. */
const ftz_route outreach_routes[] = {
    {"GET", "/api/v1/visits", h_visit_list, "visit.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/visits", h_visit_create, "visit.write", 0, 0},
    {"GET", "/api/v1/visits/figures", h_visit_figures, "visit.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/visits/{id}", h_visit_get, "visit.read", 0, 0},
    {"PATCH", "/api/v1/visits/{id}", h_visit_update, "visit.write", 0, 0},
    {"POST", "/api/v1/visits/{id}/issues", h_visit_issue, "visit.write", 0, 0},
    {"GET", "/api/v1/salons", h_salon_list, "visit.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/salons", h_salon_create, "visit.write", 0, 0},
    {"GET", "/api/v1/salons/{id}", h_salon_get, "visit.read", 0, 0},
    {"PATCH", "/api/v1/salons/{id}", h_salon_update, "visit.write", 0, 0},
    {"PUT", "/api/v1/salons/{id}/firms", h_salon_firms, "visit.write", 0, 0},
    {"POST", "/api/v1/salons/{id}/issues", h_salon_issue, "visit.write", 0, 0},
};
const size_t outreach_nroutes = FTZ_COUNTOF(outreach_routes);
