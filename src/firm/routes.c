/* routes.c — the firm registry's HTTP routes: parse and check the input, call firm.h (and
 * firm/import.h for imports), render JSON (or the list as XLSX/CSV). No SQL here. */
#include "core/ftz_setup.h"
#include "firm/firm.h"
#include "core/arena.h"
#include "core/jobs.h"
#include "firm/import.h"
#include "http/export_reply.h"
#include "http/http.h"

#include <stdlib.h>
#include <string.h>

static const ftz_export_col_i18n firm_cols[] = {
    {"id", "编号", "№", "ID", FTZ_COL_INT, 8},
    {"credit_code", "统一社会信用代码", "Единый код", "Credit code", FTZ_COL_TEXT, 22},
    {"name_zh", "企业名称", "Название (кит.)", "Name (Chinese)", FTZ_COL_TEXT, 36},
    {"name_ru", "俄文名称", "Название (рус.)", "Name (Russian)", FTZ_COL_TEXT, 30},
    {"status", "状态", "Статус", "Status", FTZ_COL_TEXT, 10},
    {"industry", "行业代码", "Отрасль", "Industry", FTZ_COL_TEXT, 8},
    {"customs_code", "海关编码", "Таможенный код", "Customs code", FTZ_COL_TEXT, 12},
    {"cross_border", "跨境贸易", "Внешняя торговля", "Cross-border", FTZ_COL_BOOL, 8},
    {"legal_rep", "法定代表人", "Законный представитель", "Legal representative", FTZ_COL_TEXT, 12},
    {"contact_phone", "联系电话", "Телефон", "Phone", FTZ_COL_TEXT, 16},
    {"commissioner_name", "首席服务专员", "Уполномоченный", "Commissioner", FTZ_COL_TEXT, 14},
    {"department_name", "主管部门", "Отдел", "Department", FTZ_COL_TEXT, 16},
    {"created_at", "登记时间", "Создано", "Created", FTZ_COL_TIME, 22},
};

/* What POST /api/v1/firms accepts: the registry's fields and the firm's details (industry
 * among them: the commissioner chosen at registration matches it). */
static const char *const firm_fields[] = {
    "credit_code",   "name_zh",       "name_ru",       "name_en",      "status",  "commissioner_id",
    "department_id", "industry",      "customs_code",  "cross_border", "address", "legal_rep",
    "contact_name",  "contact_phone", "contact_email", "version",      NULL};

static void h_list(ftz_ctx *c)
{
    static const char *const sorts[] = {"id",         "name_zh", "credit_code",
                                        "created_at", "status",  NULL};
    ftz_page pg;
    ftz_page_parse(c, sorts, "-id", &pg);
    firm_list_q q = {0};
    q.q = ftz_qry_text(c, "q", 200);
    static const char *const statuses[] = {"active", "suspended", "closed", NULL};
    q.status = ftz_qry_enum(c, "status", statuses, "active, suspended, closed");
    q.commissioner_id = ftz_qry_id(c, "commissioner_id");
    q.department_id = ftz_qry_id(c, "department_id");
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = pg.sort_key;
    q.desc = pg.desc;
    q.limit = pg.per_page;
    q.offset = pg.offset;
    json_t *items;
    int64_t total;
    if (firm_list(c, &q, &items, &total)) {
        ftz_reply_error(c);
        return;
    }
    if (ftz_req_ext(c)) {
        ftz_reply_export(c, "firms", ftz_export_cols_lang(c, firm_cols, FTZ_COUNTOF(firm_cols)),
                         FTZ_COUNTOF(firm_cols), items);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&pg, items, total));
}

static void read_in(ftz_ctx *c, json_t *b, firm_in *in, bool create)
{
    in->credit_code = ftz_jin_str(c, b, "credit_code", create, firm_field_max("credit_code"));
    in->name_zh = ftz_jin_str(c, b, "name_zh", create, firm_field_max("name_zh"));
    in->name_ru = ftz_jin_str(c, b, "name_ru", false, firm_field_max("name_ru"));
    in->name_en = ftz_jin_str(c, b, "name_en", false, firm_field_max("name_en"));
    in->status = ftz_jin_str(c, b, "status", false, firm_field_max("status"));
    in->commissioner_id = ftz_jin_int(c, b, "commissioner_id", false, 1, INT64_MAX, NULL);
    in->department_id = ftz_jin_int(c, b, "department_id", false, 1, INT64_MAX, NULL);
    in->industry = ftz_jin_str(c, b, "industry", false, firm_field_max("industry"));
    in->customs_code = ftz_jin_str(c, b, "customs_code", false, firm_field_max("customs_code"));
    in->cross_border = ftz_jin_has(b, "cross_border")
                           ? (ftz_jin_bool(c, b, "cross_border", false, false) ? 1 : 0)
                           : -1;
    in->address = ftz_jin_str(c, b, "address", false, firm_field_max("address"));
    in->legal_rep = ftz_jin_str(c, b, "legal_rep", false, firm_field_max("legal_rep"));
    in->contact_name = ftz_jin_str(c, b, "contact_name", false, firm_field_max("contact_name"));
    in->contact_phone = ftz_jin_str(c, b, "contact_phone", false, firm_field_max("contact_phone"));
    in->contact_email = ftz_jin_str(c, b, "contact_email", false, firm_field_max("contact_email"));
    /* Credit and customs codes are upper case; people type them either way. */
    firm_in_normalize(c->arena, in);
}

static void h_create(ftz_ctx *c)
{
    json_t *b = ftz_req_json(c);
    ftz_jin_only(c, b, firm_fields);
    firm_in in = {0};
    read_in(c, b, &in, true);
    if (c->err.rc) {
        ftz_reply_error(c);
        return;
    }
    int64_t id;
    json_t *out;
    if (firm_create(c, &in, &id) || firm_get(c, id, &out)) {
        if (c->err.rc == FTZ_ENOTFOUND) {
            /* created outside the creator's scope */
            ftz_err_init(&c->err, c->arena);
            ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/firms/%lld", (long long)id),
                              json_pack("{s:I}", "id", (json_int_t)id));
            return;
        }
        ftz_reply_error(c);
        return;
    }
    ftz_reply_created(c, ftz_arena_printf(c->arena, "/api/v1/firms/%lld", (long long)id), out);
}

static void h_get(ftz_ctx *c)
{
    int64_t id;
    json_t *out;
    if (!ftz_path_id(c, "id", &id)) return;
    if (firm_get(c, id, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

static void h_update(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {
        "name_zh",         "name_ru",       "name_en",   "status",
        "commissioner_id", "department_id", "industry",  "customs_code",
        "cross_border",    "address",       "legal_rep", "contact_name",
        "contact_phone",   "contact_email", "version",   NULL};
    ftz_jin_only(c, b, allowed);
    int64_t version = ftz_jin_int(c, b, "version", true, 1, INT64_MAX, NULL);
    firm_in in = {0};
    read_in(c, b, &in, false);
    if (ftz_jin_has(b, "name_zh") && !in.name_zh && !c->err.rc)
        ftz_err_field(&c->err, "name_zh", "required", NULL);
    if (c->err.rc) {
        ftz_reply_error(c);
        return;
    }
    /* The patch the service applies: only the members sent, normalised. */
    json_t *patch = json_object();
    if (in.name_zh) json_object_set_new(patch, "name_zh", json_string(in.name_zh));
    if (ftz_jin_has(b, "name_ru"))
        json_object_set_new(patch, "name_ru", in.name_ru ? json_string(in.name_ru) : json_null());
    if (ftz_jin_has(b, "name_en"))
        json_object_set_new(patch, "name_en", in.name_en ? json_string(in.name_en) : json_null());
    if (in.status) json_object_set_new(patch, "status", json_string(in.status));
    if (ftz_jin_has(b, "commissioner_id"))
        json_object_set_new(patch, "commissioner_id", json_integer(in.commissioner_id));
    if (ftz_jin_has(b, "department_id"))
        json_object_set_new(patch, "department_id", json_integer(in.department_id));
    const struct {
        const char *key, *val;
    } texts[] = {{"industry", in.industry},
                 {"customs_code", in.customs_code},
                 {"address", in.address},
                 {"legal_rep", in.legal_rep},
                 {"contact_name", in.contact_name},
                 {"contact_phone", in.contact_phone},
                 {"contact_email", in.contact_email}};
    for (size_t i = 0; i < FTZ_COUNTOF(texts); i++)
        if (ftz_jin_has(b, texts[i].key))
            json_object_set_new(patch, texts[i].key,
                                texts[i].val ? json_string(texts[i].val) : json_null());
    if (in.cross_border >= 0)
        json_object_set_new(patch, "cross_border", json_boolean(in.cross_border));
    ftz_rc rc = firm_update(c, id, version, patch);
    json_decref(patch);
    json_t *out;
    if (rc || firm_get(c, id, &out)) {
        ftz_reply_error(c);
        return;
    }
    ftz_reply_json(c, 200, out);
}

/* 202 + Location + the queued job (its state and, later, its result: GET /api/v1/jobs/{id}). */
static void reply_job(ftz_ctx *c, int64_t id)
{
    json_t *job;
    if (ftz_job_get(c, id, &job)) {
        ftz_err_init(&c->err, c->arena);
        job = json_pack("{s:I}", "id", (json_int_t)id);
    }
    ftz_reply_header(c, "Location", ftz_arena_printf(c->arena, "/api/v1/jobs/%lld", (long long)id));
    ftz_reply_json(c, 202, job);
}

/* POST /api/v1/firms/imports {file_id} — checks an uploaded CSV or XLSX file as a job
 * (firm/import.h); the file must be within the caller's scope (else 404). */
static void h_import(ftz_ctx *c)
{
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"file_id", NULL};
    ftz_jin_only(c, b, allowed);
    int64_t file_id = ftz_jin_int(c, b, "file_id", true, 1, INT64_MAX, NULL);
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    ftz_rc rc = firm_import_validate(c, file_id, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_job(c, id);
}

/* POST /api/v1/firms/imports/{job_id}/commit {keep: "good" | "none"} — writes what the
 * caller's finished validation job checked, as a second job (409 when that job is not one,
 * not the caller's or not done). */
static void h_import_commit(ftz_ctx *c)
{
    int64_t vid;
    if (!ftz_path_id(c, "job_id", &vid)) return;
    json_t *b = ftz_req_json(c);
    static const char *const allowed[] = {"keep", NULL};
    ftz_jin_only(c, b, allowed);
    const char *keep = ftz_jin_str(c, b, "keep", true, 8);
    if (keep && strcmp(keep, "good") != 0 && strcmp(keep, "none") != 0)
        ftz_err_field(&c->err, "keep", "enum", "good, none");
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    ftz_rc rc = firm_import_commit(c, vid, keep, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_job(c, id);
}

const ftz_route firm_routes[] = {
    {"GET", "/api/v1/firms", h_list, "firm.read", FTZ_ROUTE_EXPORT, 0},
    {"POST", "/api/v1/firms", h_create, "firm.admin", 0, 0},
    {"POST", "/api/v1/firms/imports", h_import, "firm.admin", 0, 0},
    {"POST", "/api/v1/firms/imports/{job_id}/commit", h_import_commit, "firm.admin", 0, 0},
    {"GET", "/api/v1/firms/{id}", h_get, "firm.read", 0, 0},
    {"PATCH", "/api/v1/firms/{id}", h_update, "firm.edit", 0, 0},
};
const size_t firm_nroutes = FTZ_COUNTOF(firm_routes);
