/* financing_routes.c — the HTTP routes of financing matchmaking (financing.h): bank products,
 * needs, matches and the figure "financing arranged"; read and check the input, call the
 * services, render JSON or the lists as XLSX/CSV. Money is integer fen in and out. No SQL. */
#include "core/ftz_setup.h"
#include "firm/financing.h"
#include "core/arena.h"
#include "core/date.h"
#include "http/export_reply.h"
#include "http/http.h"

#include <string.h>

static const ftz_export_col_i18n product_cols[] = {
    {"id", "编号", "№", "ID", FTZ_COL_INT, 8},
    {"bank", "银行", "Банк", "Bank", FTZ_COL_TEXT, 24},
    {"name", "产品", "Продукт", "Product", FTZ_COL_TEXT, 28},
    {"max_amount_fen", "最高额度（元）", "Максимум (юани)", "Maximum (yuan)", FTZ_COL_FEN, 16},
    {"rate_bp", "年利率（基点）", "Ставка (б.п.)", "Rate (bp)", FTZ_COL_INT, 10},
    {"term_months", "期限（月）", "Срок (мес.)", "Term (months)", FTZ_COL_INT, 10},
    {"active", "在售", "Действует", "Active", FTZ_COL_BOOL, 8},
};

static const ftz_export_col_i18n need_cols[] = {
    {"id", "编号", "№", "ID", FTZ_COL_INT, 8},
    {"raised_on", "提出日期", "Дата", "Raised on", FTZ_COL_DATE, 12},
    {"firm_name", "企业", "Предприятие", "Firm", FTZ_COL_TEXT, 32},
    {"amount_fen", "需求金额（元）", "Сумма (юани)", "Amount (yuan)", FTZ_COL_FEN, 16},
    {"purpose", "用途", "Назначение", "Purpose", FTZ_COL_TEXT, 28},
    {"term_months", "期限（月）", "Срок (мес.)", "Term (months)", FTZ_COL_INT, 10},
    {"status_name", "状态", "Статус", "Status", FTZ_COL_TEXT, 10},
    {"granted_fen", "已获批（元）", "Одобрено (юани)", "Granted (yuan)", FTZ_COL_FEN, 16},
    {"matches_count", "对接产品数", "Продуктов", "Matches", FTZ_COL_INT, 10},
    {"created_at", "登记时间", "Создано", "Created", FTZ_COL_TIME, 22},
};

static const ftz_export_col_i18n match_cols[] = {
    {"id", "编号", "№", "ID", FTZ_COL_INT, 8},
    {"firm_name", "企业", "Предприятие", "Firm", FTZ_COL_TEXT, 32},
    {"need_amount_fen", "需求金额（元）", "Потребность (юани)", "Need (yuan)", FTZ_COL_FEN, 16},
    {"bank", "银行", "Банк", "Bank", FTZ_COL_TEXT, 24},
    {"product_name", "产品", "Продукт", "Product", FTZ_COL_TEXT, 24},
    {"status_name", "状态", "Статус", "Status", FTZ_COL_TEXT, 10},
    {"amount_granted_fen", "获批金额（元）", "Одобрено (юани)", "Granted (yuan)", FTZ_COL_FEN, 16},
    {"granted_on", "获批日期", "Дата одобрения", "Granted on", FTZ_COL_DATE, 12},
    {"note", "备注", "Примечание", "Note", FTZ_COL_TEXT, 24},
};

static const ftz_export_col_i18n figure_cols[] = {
    {"label", "分组", "Группа", "Group", FTZ_COL_TEXT, 24},
    {"granted_fen", "融资金额（元）", "Привлечено (юани)", "Arranged (yuan)", FTZ_COL_FEN, 18},
    {"granted_words", "融资金额", "Привлечено", "Arranged", FTZ_COL_TEXT, 14},
    {"matches", "获批笔数", "Одобрений", "Grants", FTZ_COL_INT, 10},
    {"firms", "获融资企业", "Предприятий", "Firms", FTZ_COL_INT, 10},
};

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

static void patch_str(ftz_ctx *c, json_t *b, json_t *patch, const char *key, size_t max)
{
    if (!ftz_jin_has(b, key)) return;
    const char *s = ftz_jin_str(c, b, key, false, max);
    json_object_set_new(patch, key, s ? json_string(s) : json_null());
}

/* An integer member into the patch when present; null is "required" unless it may clear. */
static void patch_int(ftz_ctx *c, json_t *b, json_t *patch, const char *key, int64_t lo, int64_t hi,
                      bool may_clear)
{
    if (!ftz_jin_has(b, key)) return;
    bool present = false;
    int64_t v = ftz_jin_int(c, b, key, !may_clear, lo, hi, &present);
    if (present)
        json_object_set_new(patch, key, json_integer(v));
    else if (may_clear && json_is_null(json_object_get(b, key)))
        json_object_set_new(patch, key, json_null());
}

/* ---- bank products ---- */

static void h_product_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id", "bank", "name", "max_amount_fen", "rate_bp", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "bank", &pg);
    financing_product_q q = {0};
    q.q = ftz_qry_text(c, "q", 200);
    q.active = ftz_qry_bool(c, "active");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = financing_product_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "bank-products",
                         ftz_export_cols_lang(c, product_cols, FTZ_COUNTOF(product_cols)),
                         FTZ_COUNTOF(product_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

static void h_product_create(ftz_ctx *c)
{
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"bank",        "name",  "max_amount_fen", "rate_bp",
                                          "term_months", "notes", "active",         NULL};
    ftz_jin_only(c, b, allowed);
    financing_product_in in = {0};
    in.bank = ftz_jin_str(c, b, "bank", true, 100);
    in.name = ftz_jin_str(c, b, "name", true, 200);
    in.max_amount_fen = ftz_jin_int(c, b, "max_amount_fen", true, 1, FINANCING_AMOUNT_MAX, NULL);
    bool has_rate = false;
    in.rate_bp = ftz_jin_int(c, b, "rate_bp", false, 0, FINANCING_RATE_MAX, &has_rate);
    if (!has_rate) in.rate_bp = -1;
    in.term_months = ftz_jin_int(c, b, "term_months", false, 1, FINANCING_TERM_MAX, NULL);
    in.notes = ftz_jin_str(c, b, "notes", false, 2000);
    in.active = ftz_jin_bool(c, b, "active", false, true) ? 1 : 0;
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    json_t *out = NULL;
    ftz_rc rc = financing_product_create(c, &in, &id);
    if (!rc) rc = financing_product_get(c, id, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/bank-products/%lld", (long long)id),
                      out);
}

static void h_product_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out = NULL;
    ftz_rc rc = financing_product_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_product_update(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"bank",    "name",        "max_amount_fen",
                                          "rate_bp", "term_months", "notes",
                                          "active",  "version",     NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    if (ftz_jin_has(b, "bank")) {
        const char *s = ftz_jin_str(c, b, "bank", true, 100);
        if (s) json_object_set_new(patch, "bank", json_string(s));
    }
    if (ftz_jin_has(b, "name")) {
        const char *s = ftz_jin_str(c, b, "name", true, 200);
        if (s) json_object_set_new(patch, "name", json_string(s));
    }
    patch_str(c, b, patch, "notes", 2000);
    patch_int(c, b, patch, "max_amount_fen", 1, FINANCING_AMOUNT_MAX, false);
    patch_int(c, b, patch, "rate_bp", 0, FINANCING_RATE_MAX, true);
    patch_int(c, b, patch, "term_months", 1, FINANCING_TERM_MAX, true);
    if (ftz_jin_has(b, "active"))
        json_object_set_new(patch, "active",
                            json_boolean(ftz_jin_bool(c, b, "active", true, true)));
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = financing_product_update(c, id, version, patch);
    json_decref(patch);
    json_t *out = NULL;
    if (!rc) rc = financing_product_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

/* ---- needs ---- */

static void h_need_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id",     "raised_on",   "amount_fen", "firm",
                                        "status", "granted_fen", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-id", &pg);
    financing_need_q q = {0};
    q.q = ftz_qry_text(c, "q", 200);
    q.firm_id = ftz_qry_id(c, "firm_id");
    static const char *const statuses[] = {"open", "matched", "granted", "closed", "active", NULL};
    q.status = ftz_qry_enum(c, "status", statuses, "open, matched, granted, closed, active");
    q.from = qry_date(c, "from");
    q.to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = financing_need_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "financing-needs",
                         ftz_export_cols_lang(c, need_cols, FTZ_COUNTOF(need_cols)),
                         FTZ_COUNTOF(need_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

static void h_need_create(ftz_ctx *c)
{
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"firm_id",   "amount_fen", "purpose", "term_months",
                                          "raised_on", "notes",      NULL};
    ftz_jin_only(c, b, allowed);
    financing_need_in in = {0};
    in.firm_id = ftz_jin_int(c, b, "firm_id", false, 1, INT64_MAX, NULL);
    in.amount_fen = ftz_jin_int(c, b, "amount_fen", true, 1, FINANCING_AMOUNT_MAX, NULL);
    in.purpose = ftz_jin_str(c, b, "purpose", true, 500);
    in.term_months = ftz_jin_int(c, b, "term_months", true, 1, FINANCING_TERM_MAX, NULL);
    in.raised_on = ftz_jin_str(c, b, "raised_on", false, 32);
    in.notes = ftz_jin_str(c, b, "notes", false, 2000);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    json_t *out = NULL;
    ftz_rc rc = financing_need_create(c, &in, &id);
    if (!rc) rc = financing_need_get(c, id, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/financing/needs/%lld", (long long)id),
                      out);
}

static void h_need_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out = NULL;
    ftz_rc rc = financing_need_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_need_update(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"amount_fen", "purpose", "term_months", "raised_on",
                                          "notes",      "status",  "version",     NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    json_t *patch = json_object();
    patch_int(c, b, patch, "amount_fen", 1, FINANCING_AMOUNT_MAX, false);
    patch_int(c, b, patch, "term_months", 1, FINANCING_TERM_MAX, false);
    if (ftz_jin_has(b, "purpose")) {
        const char *s = ftz_jin_str(c, b, "purpose", true, 500);
        if (s) json_object_set_new(patch, "purpose", json_string(s));
    }
    if (ftz_jin_has(b, "raised_on")) {
        const char *s = ftz_jin_str(c, b, "raised_on", true, 32);
        if (s) json_object_set_new(patch, "raised_on", json_string(s));
    }
    patch_str(c, b, patch, "notes", 2000);
    if (ftz_jin_has(b, "status")) {
        const char *s = ftz_jin_str(c, b, "status", true, 16);
        if (s && strcmp(s, "open") != 0 && strcmp(s, "closed") != 0)
            ftz_err_field(&c->err, "status", "enum", "open, closed");
        else if (s)
            json_object_set_new(patch, "status", json_string(s));
    }
    if (ftz_reply_input_errors(c)) {
        json_decref(patch);
        return;
    }
    ftz_rc rc = financing_need_update(c, id, version, patch);
    json_decref(patch);
    json_t *out = NULL;
    if (!rc) rc = financing_need_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

/* ---- matches ---- */

static void h_match_create(ftz_ctx *c)
{
    int64_t need;
    if (!ftz_path_id(c, "id", &need)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"product_id", "note", NULL};
    ftz_jin_only(c, b, allowed);
    int64_t product = ftz_jin_int(c, b, "product_id", true, 1, INT64_MAX, NULL);
    const char *note = ftz_jin_str(c, b, "note", false, 2000);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    json_t *out = NULL;
    ftz_rc rc = financing_match_create(c, need, product, note, &id);
    if (!rc) rc = financing_match_get(c, id, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_created(
        c, ftz_arena_printf(c->arena, "/api/v1/financing/matches/%lld", (long long)id), out);
}

static void h_match_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id",   "status",     "granted_on", "amount_granted_fen",
                                        "bank", "created_at", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-id", &pg);
    financing_match_q q = {0};
    q.need_id = ftz_qry_id(c, "need_id");
    q.firm_id = ftz_qry_id(c, "firm_id");
    q.product_id = ftz_qry_id(c, "product_id");
    static const char *const statuses[] = {"proposed", "applied", "granted", "declined", NULL};
    q.status = ftz_qry_enum(c, "status", statuses, "proposed, applied, granted, declined");
    q.from = qry_date(c, "from");
    q.to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items = NULL;
    int64_t total;
    ftz_rc rc = financing_match_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "financing-matches",
                         ftz_export_cols_lang(c, match_cols, FTZ_COUNTOF(match_cols)),
                         FTZ_COUNTOF(match_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

static void h_match_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out = NULL;
    ftz_rc rc = financing_match_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

static void h_match_update(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {
        "status", "amount_granted_fen", "granted_on", "note", "version", NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    financing_match_change ch = {0};
    if (ftz_jin_has(b, "status")) {
        ch.status = ftz_jin_str(c, b, "status", true, 16);
        if (ch.status && !financing_match_status_known(ch.status)) {
            ftz_err_field(&c->err, "status", "enum", "proposed, applied, granted, declined");
            ch.status = NULL;
        }
    }
    if (ftz_jin_has(b, "amount_granted_fen"))
        ch.amount_granted_fen =
            ftz_jin_int(c, b, "amount_granted_fen", true, 1, FINANCING_AMOUNT_MAX, &ch.has_amount);
    if (ftz_jin_has(b, "granted_on")) ch.granted_on = ftz_jin_str(c, b, "granted_on", true, 32);
    if (ftz_jin_has(b, "note")) {
        ch.has_note = true;
        ch.note = ftz_jin_str(c, b, "note", false, 2000);
    }
    if (ftz_reply_input_errors(c)) return;
    ftz_rc rc = financing_match_update(c, id, version, &ch);
    json_t *out = NULL;
    if (!rc) rc = financing_match_get(c, id, &out);
    ftz_reply_ok(c, rc, out);
}

/* ---- the figure ---- */

static void h_figures(ftz_ctx *c)
{
    static const char *const groups[] = {"month", "bank", NULL};
    const char *group = ftz_qry_enum(c, "group", groups, "month, bank");
    const char *from = qry_date(c, "from");
    const char *to = qry_date(c, "to");
    if (ftz_reply_input_errors(c)) return;
    json_t *out = NULL;
    ftz_rc rc = financing_figures(c, from, to, &out);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    if (ftz_req_ext(c)) {
        bool bank = group && strcmp(group, "bank") == 0;
        json_t *rows = json_incref(json_object_get(out, bank ? "by_bank" : "by_month"));
        json_decref(out);
        ftz_reply_export(c, bank ? "financing-by-bank" : "financing-by-month",
                         ftz_export_cols_lang(c, figure_cols, FTZ_COUNTOF(figure_cols)),
                         FTZ_COUNTOF(figure_cols), rows);
        return;
    }
    ftz_reply_json(c, 200, out);
}

/* Literal paths before {id}: the router takes the first match. */
const ftz_route financing_routes[] = {
    {"GET", "/api/v1/bank-products", h_product_list, "financing.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/bank-products", h_product_create, "financing.admin", 0, 0},
    {"GET", "/api/v1/bank-products/{id}", h_product_get, "financing.read", 0, 0},
    {"PATCH", "/api/v1/bank-products/{id}", h_product_update, "financing.admin", 0, 0},
    {"GET", "/api/v1/financing/figures", h_figures, "financing.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/financing/needs", h_need_list, "financing.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/financing/needs", h_need_create, "financing.need", 0, 0},
    {"GET", "/api/v1/financing/needs/{id}", h_need_get, "financing.read", 0, 0},
    {"PATCH", "/api/v1/financing/needs/{id}", h_need_update, "financing.need", 0, 0},
    {"POST", "/api/v1/financing/needs/{id}/matches", h_match_create, "financing.match", 0, 0},
    {"GET", "/api/v1/financing/matches", h_match_list, "financing.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/financing/matches/{id}", h_match_get, "financing.read", 0, 0},
    {"PATCH", "/api/v1/financing/matches/{id}", h_match_update, "financing.match", 0, 0},
};
const size_t financing_nroutes = FTZ_COUNTOF(financing_routes);
