/* routes.c — the case engine's HTTP handlers (routes.h), shared by every case kind: read the
 * input, call case.h, render JSON or the list as XLSX/CSV. No SQL here. */
#include "core/ftz_setup.h"
#include "case/routes.h"
#include "core/arena.h"
#include "core/date.h"
#include "http/export_reply.h"
#include "http/http.h"

#include <string.h>

static const ftz_export_col_i18n list_cols[] = {
    {"code", "编号", "Номер", "Number", FTZ_COL_TEXT, 16},
    {"title", "标题", "Тема", "Title", FTZ_COL_TEXT, 36},
    {"firm_name", "企业", "Предприятие", "Firm", FTZ_COL_TEXT, 30},
    {"state_name", "状态", "Статус", "State", FTZ_COL_TEXT, 10},
    {"channel_name", "渠道", "Канал", "Channel", FTZ_COL_TEXT, 12},
    {"category_name", "类别", "Категория", "Category", FTZ_COL_TEXT, 10},
    {"topic_name", "事项", "Тематика", "Topic", FTZ_COL_TEXT, 12},
    {"priority_name", "紧急程度", "Срочность", "Priority", FTZ_COL_TEXT, 8},
    {"lead_dept_name", "主办部门", "Ответственный отдел", "Lead department", FTZ_COL_TEXT, 18},
    {"accepted_on", "受理日期", "Дата приёма", "Accepted on", FTZ_COL_DATE, 12},
    {"deadline_on", "办理时限", "Срок", "Deadline", FTZ_COL_DATE, 12},
    {"overdue", "超期", "Просрочено", "Overdue", FTZ_COL_BOOL, 8},
    {"closed_at", "办结时间", "Закрыто", "Closed", FTZ_COL_TIME, 22},
    {"work_days", "办理工作日", "Рабочих дней", "Working days", FTZ_COL_INT, 8},
    {"satisfaction", "满意度", "Оценка", "Satisfaction", FTZ_COL_INT, 8},
};

static const ftz_export_col_i18n figure_cols[] = {
    {"label", "分组", "Группа", "Group", FTZ_COL_TEXT, 24},
    {"count", "总数", "Всего", "Total", FTZ_COL_INT, 8},
    {"open", "在办", "В работе", "Open", FTZ_COL_INT, 8},
    {"closed", "办结", "Закрыто", "Closed", FTZ_COL_INT, 8},
    {"dispatched", "已派单（响应率分母）", "Направлено (знаменатель)",
     "Dispatched (response denominator)", FTZ_COL_INT, 12},
    {"responded_in_time", "按时响应", "Отклик в срок", "Responded in time", FTZ_COL_INT, 12},
    {"evaluated", "已评价（解决率、满意率分母）", "Оценено (знаменатель)",
     "Evaluated (resolution and satisfaction denominator)", FTZ_COL_INT, 12},
    {"solved", "已解决", "Решено", "Solved", FTZ_COL_INT, 8},
    {"satisfied", "满意", "Удовлетворены", "Satisfied", FTZ_COL_INT, 8},
    {"overdue", "超期在办", "Просрочено", "Overdue", FTZ_COL_INT, 8},
    {"late", "超期答复", "Ответ с опозданием", "Replied late", FTZ_COL_INT, 8},
};

static const char *const list_sorts[] = {"id",       "code",        "accepted_at", "state",
                                         "priority", "deadline_at", "updated_at",  NULL};

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

static const char *codes_list(ftz_ctx *c, const case_value_def *v, size_t n, const char ***out)
{
    const char **arr = ftz_arena_alloc(c->arena, (n + 1) * sizeof *arr);
    const char *s = "";
    for (size_t i = 0; i < n; i++) {
        arr[i] = v[i].code;
        s = ftz_arena_printf(c->arena, "%s%s%s", s, i ? ", " : "", v[i].code);
    }
    arr[n] = NULL;
    *out = arr;
    return s;
}

void case_h_list(ftz_ctx *c, const case_kind *k)
{
    ftz_page pg;
    ftz_page_parse(c, list_sorts, "-id", &pg);
    case_list_q q = {0};
    q.q = ftz_qry_text(c, "q", 200);
    static const char *const boxes[] = {"all", "mine", "dept", "todo", "overdue", NULL};
    q.box = ftz_qry_enum(c, "box", boxes, "all, mine, dept, todo, overdue");
    const char **states = ftz_arena_alloc(c->arena, (k->nstates + 3) * sizeof *states);
    const char *slist = "open, closed";
    states[0] = "open";
    states[1] = "closed";
    for (size_t i = 0; i < k->nstates; i++) {
        states[i + 2] = k->states[i].name;
        slist = ftz_arena_printf(c->arena, "%s, %s", slist, k->states[i].name);
    }
    states[k->nstates + 2] = NULL;
    q.state = ftz_qry_enum(c, "state", states, slist);
    const char **set;
    const char *list = codes_list(c, k->categories, k->ncategories, &set);
    q.category = ftz_qry_enum(c, "category", set, list);
    list = codes_list(c, k->topics, k->ntopics, &set);
    q.topic = ftz_qry_enum(c, "topic", set, list);
    list = codes_list(c, k->channels, k->nchannels, &set);
    q.channel = ftz_qry_enum(c, "channel", set, list);
    list = codes_list(c, k->priorities, k->npriorities, &set);
    q.priority = ftz_qry_enum(c, "priority", set, list);
    q.firm_id = ftz_qry_id(c, "firm_id");
    q.lead_dept_id = ftz_qry_id(c, "lead_dept_id");
    static const char *const refusal_states[] = {"pending", "approved", "rejected", NULL};
    q.refusal_state =
        ftz_qry_enum(c, "refusal_state", refusal_states, "pending, approved, rejected");
    q.source_kind = ftz_qry_text(c, "source_kind", 32);
    q.source_id = ftz_qry_id(c, "source_id");
    q.from = qry_date(c, "from");
    q.to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = case_list(c, k, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        /* in the arena: a large export's job reads the name after this handler returns */
        const char *name = ftz_arena_printf(c->arena, "%ss", k->kind);
        ftz_reply_export(c, name, ftz_export_cols_lang(c, list_cols, FTZ_COUNTOF(list_cols)),
                         FTZ_COUNTOF(list_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

void case_h_file(ftz_ctx *c, const case_kind *k, const char *base)
{
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"firm_id",      "channel",       "title", "body",
                                          "lang",         "category",      "topic", "priority",
                                          "contact_name", "contact_phone", NULL};
    ftz_jin_only(c, b, allowed);
    case_in in = {0};
    in.firm_id = ftz_jin_int(c, b, "firm_id", false, 1, INT64_MAX, NULL);
    in.channel = ftz_jin_str(c, b, "channel", false, 32);
    in.title = ftz_jin_str(c, b, "title", true, 200);
    in.body = ftz_jin_str(c, b, "body", true, 5000);
    in.lang = ftz_jin_str(c, b, "lang", false, 2);
    in.category = ftz_jin_str(c, b, "category", false, 32);
    in.topic = ftz_jin_str(c, b, "topic", false, 32);
    in.priority = ftz_jin_str(c, b, "priority", false, 32);
    in.contact_name = ftz_jin_str(c, b, "contact_name", false, 100);
    in.contact_phone = ftz_jin_str(c, b, "contact_phone", false, 32);
    /* A firm's own account files online; everyone else names the channel. */
    if (!in.channel && c->who && c->who->scope == FTZ_SCOPE_OWN_FIRM) in.channel = "online";
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    json_t *out = NULL;
    ftz_rc rc = case_file(c, k, &in, &id);
    if (!rc) rc = case_get(c, k, id, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(c, ftz_arena_printf(c->arena, "%s/%lld", base, (long long)id), out);
}

void case_h_get(ftz_ctx *c, const case_kind *k)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out = NULL;
    ftz_rc rc = case_get(c, k, id, &out);
    ftz_reply_ok(c, rc, out);
}

void case_h_event(ftz_ctx *c, const case_kind *k)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    const char *event = ftz_jin_str(c, b, "event", true, 32);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = case_fire(c, k, id, version, event, b);
    json_t *out = NULL;
    if (!rc) rc = case_get(c, k, id, &out);
    ftz_reply_ok(c, rc, out);
}

void case_h_figures(ftz_ctx *c, const case_kind *k)
{
    static const char *const groups[] = {"department", "category", "topic", "channel",
                                         "state",      "month",    "all",   NULL};
    const char *group =
        ftz_qry_enum(c, "group", groups, "department, category, topic, channel, state, month, all");
    const char *from = qry_date(c, "from");
    const char *to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    json_t *rows = NULL;
    ftz_rc rc = case_figures(c, k, group ? group : "all", from, to, &rows);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        const char *name = ftz_arena_printf(c->arena, "%s-figures", k->kind);
        ftz_reply_export(c, name, ftz_export_cols_lang(c, figure_cols, FTZ_COUNTOF(figure_cols)),
                         FTZ_COUNTOF(figure_cols), rows);
        return;
    }
    ftz_reply_json(c, 200,
                   json_pack("{s:s,s:o,s:o,s:o}", "group", group ? group : "all", "from",
                             from ? json_string(from) : json_null(), "to",
                             to ? json_string(to) : json_null(), "rows", rows));
}

void case_h_kind(ftz_ctx *c, const case_kind *k)
{
    ftz_reply_json(c, 200, case_kind_json(k, c->lang));
}

static const ftz_export_col_i18n library_cols[] = {
    {"code", "编号", "Номер", "Number", FTZ_COL_TEXT, 16},
    {"title", "标题", "Тема", "Title", FTZ_COL_TEXT, 36},
    {"firm_name", "企业", "Предприятие", "Firm", FTZ_COL_TEXT, 30},
    {"category_name", "层级", "Уровень", "Level", FTZ_COL_TEXT, 14},
    {"root_cause_name", "根源", "Первопричина", "Root cause", FTZ_COL_TEXT, 18},
    {"root_cause_text", "根源说明", "Описание причины", "What caused it", FTZ_COL_TEXT, 40},
    {"reply", "处理结果", "Решение", "Outcome", FTZ_COL_TEXT, 40},
    {"closed_at", "办结时间", "Закрыто", "Closed", FTZ_COL_TIME, 22},
};

void case_h_library(ftz_ctx *c, const case_kind *k)
{
    static const char *const sorts[] = {"closed_at", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-closed_at", &pg);
    const char *q = ftz_qry_text(c, "q", 200);
    const char **set;
    const char *list = codes_list(c, k->root_causes, k->nroot_causes, &set);
    const char *root = ftz_qry_enum(c, "root_cause", set, list);
    if (ftz_reply_input_errors(c)) return;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = case_library(c, k, q, root, pg.per_page, pg.offset, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        const char *name = ftz_arena_printf(c->arena, "%s-library", k->kind);
        ftz_reply_export(c, name, ftz_export_cols_lang(c, library_cols, FTZ_COUNTOF(library_cols)),
                         FTZ_COUNTOF(library_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}
