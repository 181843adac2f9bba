/* commissioner_routes.c — the HTTP routes of chief service commissioners and the start-up
 * package: parse and check the input, call firm/commissioner.h, render JSON (or the board as
 * XLSX/CSV). No SQL here. docs/openapi.yaml documents each route; docs/internals/firm.md
 * the rules behind them. */
#include "core/ftz_setup.h"
#include "firm/commissioner.h"
#include "core/arena.h"
#include "http/export_reply.h"
#include "http/http.h"

#include <string.h>

#define REASON_MAX 500
#define NOTE_MAX   500

/* ---- commissioners ---- */

/* GET /api/v1/commissioners?q=&available=&firm_id=&sort=&page=&per_page= */
static void h_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id", "display_name", "firms", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "id", &pg);
    firm_commissioner_q q = {0};
    q.q = ftz_qry_text(c, "q", 100);
    q.available = ftz_qry_bool(c, "available");
    q.firm_id = ftz_qry_id(c, "firm_id");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items;
    int64_t total;
    if (firm_commissioners_list(c, &q, &items, &total)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

/* GET /api/v1/commissioners/me/workspace — the caller's own firms, demands, visits due and
 * package items outstanding. */
static void h_workspace(ftz_ctx *c)
{
    json_t *out;
    if (firm_commissioner_workspace(c, c->who ? c->who->user_id : 0, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

static void h_profile_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "user_id", &id)) return;
    json_t *out;
    if (firm_commissioner_profile_get(c, id, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

/* PUT /api/v1/commissioners/{user_id}/profile {industries, max_firms?, active?, version} */
static void h_profile_put(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "user_id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"industries", "max_firms", "active", "version", NULL};
    ftz_jin_only(c, b, allowed);
    firm_profile_in in = {0};
    in.industries = ftz_jin_strs(c, b, "industries", true, FIRM_PROFILE_MAX_CODES,
                                 FIRM_INDUSTRY_MAX, &in.nindustries);
    in.max_firms = ftz_jin_int(c, b, "max_firms", false, 0, 100000, NULL);
    in.active = ftz_jin_bool(c, b, "active", false, true);
    in.version = ftz_jin_int(c, b, "version", true, 0, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    json_t *out;
    if (firm_commissioner_profile_set(c, id, &in) || firm_commissioner_profile_get(c, id, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

/* ---- a firm's commissioner ---- */

/* POST /api/v1/firms/{id}/commissioner {user_id, reason, version?} — reassignment. */
static void h_assign(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"user_id", "reason", "version", NULL};
    ftz_jin_only(c, b, allowed);
    int64_t user_id = ftz_jin_int(c, b, "user_id", true, 1, INT64_MAX, NULL);
    const char *reason = ftz_jin_str(c, b, "reason", true, REASON_MAX);
    int64_t version = ftz_jin_int(c, b, "version", false, 1, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    json_t *out;
    if (firm_commissioner_assign(c, id, user_id, reason, version)) {
        ftz_reply_error(c);
        return;
    }
    if (firm_get(c, id, &out)) {
        /* moved out of the caller's own scope by this very change */
        ftz_err_init(&c->err, c->arena);
        out = json_pack("{s:I,s:I}", "id", (json_int_t)id, "commissioner_id", (json_int_t)user_id);
    }
    ftz_reply_json(c, 200, out);
}

static void h_history(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *items;
    if (firm_commissioner_history(c, id, &items)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, json_pack("{s:o}", "items", items));
}

/* ---- the start-up package ---- */

static void h_package(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *out;
    if (firm_package_get(c, id, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

/* PATCH /api/v1/firms/{id}/package/{item} {status?, note?, version} */
static void h_package_item(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    const char *item = ftz_param(c, "item");
    if (!item || !*item || strlen(item) > FTZ_PKG_MAX_CODE) {
        ftz_reply_fail(c, FTZ_ENOTFOUND, "not_found", NULL);
        return;
    }
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"status", "note", "version", NULL};
    ftz_jin_only(c, b, allowed);
    static const char *const statuses[] = {"pending", "in_progress", "done", "not_needed"};
    const char *status = ftz_jin_str(c, b, "status", false, 16);
    if (status) {
        bool ok = false;
        for (size_t i = 0; i < FTZ_COUNTOF(statuses); i++)
            ok = ok || strcmp(statuses[i], status) == 0;
        if (!ok) ftz_err_field(&c->err, "status", "enum", "pending, in_progress, done, not_needed");
    }
    bool has_note = ftz_jin_has(b, "note");
    const char *note = ftz_jin_str(c, b, "note", false, NOTE_MAX);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    /* a change needs something to change: the status or the note */
    bool has_status = ftz_jin_has(b, "status") && !json_is_null(json_object_get(b, "status"));
    if (!has_status && !has_note) ftz_err_field(&c->err, "status", "required", NULL);
    if (ftz_reply_input_errors(c)) return;
    json_t *out;
    if (firm_package_item_set(c, id, item, status, has_note, note, version) ||
        firm_package_get(c, id, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

static const ftz_export_col_i18n board_cols[] = {
    {"credit_code", "统一社会信用代码", "Единый код", "Credit code", FTZ_COL_TEXT, 22},
    {"firm_name", "企业", "Предприятие", "Firm", FTZ_COL_TEXT, 32},
    {"commissioner_name", "首席服务专员", "Уполномоченный", "Commissioner", FTZ_COL_TEXT, 14},
    {"item_name", "事项", "Пункт", "Item", FTZ_COL_TEXT, 22},
    {"status_name", "状态", "Статус", "Status", FTZ_COL_TEXT, 10},
    {"cost_fen", "片区承担费用（元）", "Расходы зоны (юань)", "Cost to the zone (yuan)",
     FTZ_COL_FEN, 14},
    {"done_at", "完成时间", "Выполнено", "Done at", FTZ_COL_TIME, 22},
    {"note", "备注", "Примечание", "Note", FTZ_COL_TEXT, 30},
    {"updated_at", "更新时间", "Обновлено", "Updated", FTZ_COL_TIME, 22},
};

/* The board's filters, checked (errors recorded in c->err). */
static void read_board_q(ftz_ctx *c, firm_package_q *q, bool with_status)
{
    if (with_status) {
        static const char *const st[] = {"pending",    "in_progress", "done",
                                         "not_needed", "outstanding", NULL};
        q->status =
            ftz_qry_enum(c, "status", st, "pending, in_progress, done, not_needed, outstanding");
        const char *item = ftz_qry_text(c, "item", FTZ_PKG_MAX_CODE);
        if (item) {
            firm_pkg pkg;
            if (firm_pkg_load(c->arena, &pkg) == FTZ_OK && !firm_pkg_find(&pkg, item)) {
                const char *list = "";
                for (size_t i = 0; i < pkg.n; i++)
                    list = ftz_arena_printf(c->arena, "%s%s%s", list, i ? ", " : "",
                                            pkg.items[i].code);
                ftz_err_field(&c->err, "item", "enum", list);
            }
            q->item = item;
        }
    }
    q->commissioner_id = ftz_qry_id(c, "commissioner_id");
    q->firm_id = ftz_qry_id(c, "firm_id");
    q->q = ftz_qry_text(c, "q", 200);
}

/* GET /api/v1/startup-package (and .xlsx / .csv) — the board. */
static void h_board(ftz_ctx *c)
{
    static const char *const sorts[] = {"firm", "item", "status", "updated_at", NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-firm", &pg);
    firm_package_q q = {0};
    read_board_q(c, &q, true);
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items;
    int64_t total;
    if (firm_package_list(c, &q, &items, &total)) {
        ftz_reply_error(c);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "startup-package",
                         ftz_export_cols_lang(c, board_cols, FTZ_COUNTOF(board_cols)),
                         FTZ_COUNTOF(board_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

/* GET /api/v1/startup-package/figures?commissioner_id=&firm_id=&q= */
static void h_figures(ftz_ctx *c)
{
    firm_package_q q = {0};
    read_board_q(c, &q, false);
    if (ftz_reply_input_errors(c)) return;
    json_t *out;
    if (firm_package_figures(c, &q, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

/* GET /api/v1/startup-package/catalogue — the items with their cost, the statuses and the
 * changes each allows (for the UI and the documentation). */
static void h_catalogue(ftz_ctx *c)
{
    firm_pkg pkg;
    if (firm_pkg_load(c->arena, &pkg)) {
        ftz_reply_fail(c, FTZ_EINTERNAL, "internal", NULL);
        return;
    }
    json_t *items = json_array();
    for (size_t i = 0; i < pkg.n; i++) {
        const firm_pkg_item *it = &pkg.items[i];
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:I}", "code", it->code,
                                               "name", firm_pkg_item_name(it, c->lang), "name_zh",
                                               it->name_zh, "name_ru", it->name_ru, "name_en",
                                               it->name_en, "cost_fen", (json_int_t)it->cost_fen));
    }
    size_t n;
    const firm_pkg_status_def *sd = firm_pkg_statuses(&n);
    json_t *sts = json_array();
    for (size_t i = 0; i < n; i++) {
        const char *name = strcmp(c->lang, "ru") == 0   ? sd[i].ru
                           : strcmp(c->lang, "en") == 0 ? sd[i].en
                                                        : sd[i].zh;
        const char *next[5];
        firm_pkg_next(sd[i].name, next);
        json_t *nx = json_array();
        for (const char **p = next; *p; p++)
            json_array_append_new(nx, json_string(*p));
        json_array_append_new(sts, json_pack("{s:s,s:s,s:b,s:o}", "status", sd[i].name, "name",
                                             name, "outstanding", sd[i].outstanding, "next", nx));
    }
    ftz_reply_json(
        c, 200,
        json_pack("{s:s,s:o,s:o}", "version", pkg.version, "items", items, "statuses", sts));
}

const ftz_route commissioner_routes[] = {
    {"GET", "/api/v1/commissioners", h_list, "firm.read", 0, 0},
    {"GET", "/api/v1/commissioners/me/workspace", h_workspace, "firm.workspace", 0, 0},
    {"GET", "/api/v1/commissioners/{user_id}/profile", h_profile_get, "firm.read", 0, 0},
    {"PUT", "/api/v1/commissioners/{user_id}/profile", h_profile_put, "firm.assign", 0, 0},
    {"POST", "/api/v1/firms/{id}/commissioner", h_assign, "firm.assign", 0, 0},
    {"GET", "/api/v1/firms/{id}/commissioner-history", h_history, "firm.read", 0, 0},
    {"GET", "/api/v1/firms/{id}/package", h_package, "firm.read", 0, 0},
    {"PATCH", "/api/v1/firms/{id}/package/{item}", h_package_item, "firm.package", 0, 0},
    {"GET", "/api/v1/startup-package", h_board, "firm.read", FTZ_ROUTE_EXPORT, 0},
    {"GET", "/api/v1/startup-package/figures", h_figures, "firm.read", 0, 0},
    {"GET", "/api/v1/startup-package/catalogue", h_catalogue, "firm.read", 0, 0},
};
const size_t commissioner_nroutes = FTZ_COUNTOF(commissioner_routes);
