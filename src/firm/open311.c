/* open311.c — Open311 GeoReport v2 under /open311/v2/ (DESIGN.md §4: an adapter follows its
 * standard, not the /api/v1 conventions), so that existing Open311 clients can file and
 * follow enterprise demands. docs/open311.md is the reference; the spec is
 * wiki.open311.org/GeoReport_v2.
 *
 *   GET  services.{json,xml}                 the demand topics as services (public)
 *   GET  services/{service_code}.{json,xml}  a service's definition: its attributes (public)
 *   GET  requests.{json,xml}                 demands in the api_key's scope (demand.read)
 *   GET  requests/{id}.{json,xml}            one of them (demand.read)
 *   POST requests.{json,xml}                 file one, form-encoded (demand.file)
 *
 * The requests routes are FTZ_ROUTE_API_KEY: the server leaves authentication to this file,
 * which takes an ftz API token from the api_key parameter (query or form field) or an
 * `Authorization: Bearer` header — never a cookie — and answers refusals the Open311 way:
 * 403 with [{"code", "description"}] / <errors><error>…. Reads go through case_list and
 * case_get with that token's principal, so the data scope is applied in SQL. JSON is written
 * with jansson, XML with libxml2's xmlTextWriter (which does the escaping). */
#include "core/ftz_setup.h"
#include "firm/open311.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/form.h"
#include "core/i18n.h"
#include "core/utf8.h"
#include "firm/demand.h"
#include "firm/firm.h"
#include "firm/uscc.h"
#include "http/http.h"

#include <libxml/parser.h>
#include <libxml/xmlwriter.h>
#include <string.h>
#include <strings.h>

#define O311_TITLE_MAX 200
#define TITLE_AUTO_MAX 40
#define PERSON_MAX     100
#define PHONE_MAX      32
#define EXTRA_MAX      200
#define URL_MAX        1000
#define LIST_MAX       1000 /* the standard's default volume */
#define LIST_PAGE      200
#define SPAN_DAYS      90
#define IDS_MAX        100
#define POST_BODY_MAX  (64 * 1024)
#define PERM_READ      "demand.read"
#define PERM_FILE      "demand.file"
#define SOURCE_KIND    "open311"

/* ---- messages (the adapter's own: descriptions in Open311 error bodies) ---- */

typedef struct msg {
    const char *key, *zh, *ru, *en;
} msg;

static const msg msgs[] = {
    {"api_key_missing", "需要 api_key（API 令牌）", "Нужен api_key (API-токен)",
     "An api_key (an API token) is required"},
    {"api_key_invalid", "api_key 无效、已过期或已撤销", "api_key недействителен, истёк или отозван",
     "The api_key is invalid, expired or revoked"},
    {"api_key_permission", "该 api_key 没有权限 %s", "У этого api_key нет права %s",
     "The api_key lacks the permission %s"},
    {"service_unknown", "没有服务代码为 %s 的服务", "Нет услуги с кодом %s",
     "No service has the code %s"},
    {"request_unknown", "没有编号为 %s 的服务请求", "Нет обращения с номером %s",
     "No service request %s"},
    {"param_required", "缺少参数 %s", "Не указан параметр %s", "The parameter %s is missing"},
    {"param_twice", "参数 %s 只能出现一次", "Параметр %s указан несколько раз",
     "The parameter %s is given more than once"},
    {"param_bad", "参数 %s 的值不正确", "Неверное значение параметра %s",
     "The parameter %s has a wrong value"},
    {"attribute_unknown", "此服务没有属性 %s", "У этой услуги нет атрибута %s",
     "This service has no attribute %s"},
    {"date_bad", "%s 应为 W3C 日期时间，如 2024-05-01T00:00:00+08:00",
     "%s: нужна дата-время W3C, например 2024-05-01T00:00:00+08:00",
     "%s must be a W3C date-time such as 2024-05-01T00:00:00+08:00"},
    {"date_order", "start_date 晚于 end_date", "start_date позже end_date",
     "start_date is after end_date"},
    {"date_span", "start_date 与 end_date 相隔不能超过 90 天",
     "Между start_date и end_date не более 90 дней",
     "start_date and end_date may not span more than 90 days"},
    {"ids_too_many", "service_request_id 最多 %s 个", "Не более %s значений service_request_id",
     "At most %s values of service_request_id"},
    {"status_bad", "status 只能是 open 或 closed", "status — только open или closed",
     "status must be open or closed"},
    {"body_type", "请求体应为 application/x-www-form-urlencoded（UTF-8）",
     "Тело запроса должно быть application/x-www-form-urlencoded (UTF-8)",
     "The body must be application/x-www-form-urlencoded (UTF-8)"},
    {"body_bad", "请求体无法解析（%s）", "Тело запроса не разобрано (%s)",
     "The body cannot be parsed (%s)"},
    {"body_big", "请求体过大（%s）", "Тело запроса слишком велико (%s)",
     "The body is too large (%s)"},
    {"general", "服务错误，请稍后重试", "Ошибка службы, повторите позже",
     "Service error, please try again later"},
};

/* The message for key in c->lang with "%s" replaced by param. */
static const char *say(ftz_ctx *c, const char *key, const char *param)
{
    const char *t = key;
    for (size_t i = 0; i < FTZ_COUNTOF(msgs); i++)
        if (strcmp(msgs[i].key, key) == 0)
            t = strcmp(c->lang, "ru") == 0   ? msgs[i].ru
                : strcmp(c->lang, "en") == 0 ? msgs[i].en
                                             : msgs[i].zh;
    const char *p = strstr(t, "%s");
    if (!p) return t;
    return ftz_arena_printf(c->arena, "%.*s%s%s", (int)(p - t), t, param ? param : "", p + 2);
}

static const char *pick(const char *lang, const char *zh, const char *ru, const char *en)
{
    return strcmp(lang, "ru") == 0 ? ru : strcmp(lang, "en") == 0 ? en : zh;
}

/* ---- output: JSON as built, or the same tree as XML ---- */

static bool want_xml(const ftz_ctx *c)
{
    const char *p = ftz_req_path(c);
    size_t n = strlen(p);
    return n > 4 && strcmp(p + n - 4, ".xml") == 0;
}

/* The element name of an array's items: <services><service>, <attributes><attribute> … */
static const char *item_name(const char *list)
{
    static const char *const pairs[][2] = {
        {"services", "service"}, {"service_requests", "request"},
        {"errors", "error"},     {"attributes", "attribute"},
        {"values", "value"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(pairs); i++)
        if (strcmp(pairs[i][0], list) == 0) return pairs[i][1];
    return "item";
}

/* s without the characters XML 1.0 cannot carry (C0 controls but tab, LF and CR; U+FFFE,
 * U+FFFF); s is valid UTF-8. */
static const char *xml_text(ftz_arena *a, const char *s)
{
    size_t n = strlen(s);
    char *out = ftz_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') continue;
        if (ch == 0xEF && i + 2 < n && (unsigned char)s[i + 1] == 0xBF &&
            ((unsigned char)s[i + 2] == 0xBE || (unsigned char)s[i + 2] == 0xBF)) {
            i += 2;
            continue;
        }
        out[k++] = (char)ch;
    }
    out[k] = '\0';
    return out;
}

static int xml_node(xmlTextWriterPtr w, ftz_arena *a, const char *name, json_t *v)
{
    const xmlChar *n = (const xmlChar *)name;
    if (json_is_object(v)) {
        if (xmlTextWriterStartElement(w, n) < 0) return -1;
        const char *key;
        json_t *m;
        json_object_foreach(v, key, m)
        {
            if (xml_node(w, a, key, m) < 0) return -1;
        }
        return xmlTextWriterEndElement(w);
    }
    if (json_is_array(v)) {
        if (xmlTextWriterStartElement(w, n) < 0) return -1;
        size_t i;
        json_t *m;
        json_array_foreach(v, i, m)
        {
            if (xml_node(w, a, item_name(name), m) < 0) return -1;
        }
        return xmlTextWriterEndElement(w);
    }
    const char *text = "";
    if (json_is_string(v))
        text = xml_text(a, json_string_value(v));
    else if (json_is_integer(v))
        text = ftz_arena_printf(a, "%lld", (long long)json_integer_value(v));
    else if (json_is_boolean(v))
        text = json_is_true(v) ? "true" : "false";
    return xmlTextWriterWriteElement(w, n, (const xmlChar *)text);
}

/* Replies body (stolen) as JSON, or as XML under the root element root. */
static void reply(ftz_ctx *c, int status, const char *root, json_t *body)
{
    if (!want_xml(c)) {
        ftz_reply_json(c, status, body);
        return;
    }
    xmlBufferPtr buf = xmlBufferCreate();
    xmlTextWriterPtr w = buf ? xmlNewTextWriterMemory(buf, 0) : NULL;
    int ok = w ? xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL) : -1;
    if (ok >= 0) ok = xml_node(w, c->arena, root, body);
    if (ok >= 0) ok = xmlTextWriterEndDocument(w);
    if (w) xmlFreeTextWriter(w); /* flushes into buf */
    json_decref(body);
    if (ok < 0 || !buf) {
        if (buf) xmlBufferFree(buf);
        ftz_reply_bytes(c, 500, "text/xml; charset=utf-8", "", 0, NULL);
        return;
    }
    ftz_reply_bytes(c, status, "text/xml; charset=utf-8", xmlBufferContent(buf),
                    (size_t)xmlBufferLength(buf), NULL);
    xmlBufferFree(buf);
}

/* ---- errors: [{"code": status, "description": …}] / <errors><error>… ---- */

static json_t *error_item(int status, const char *description)
{
    return json_pack("{s:i,s:s}", "code", status, "description", description);
}

static void fail(ftz_ctx *c, int status, const char *key, const char *param)
{
    json_t *arr = json_array();
    json_array_append_new(arr, error_item(status, say(c, key, param)));
    reply(c, status, "errors", arr);
}

/* Open311 names the ftz rules of case_file break by; the others keep theirs. */
static const char *param_name(const char *field)
{
    static const char *const names[][2] = {
        {"firm_id", "attribute[credit_code]"},
        {"title", "attribute[title]"},
        {"priority", "attribute[priority]"},
        {"lang", "attribute[lang]"},
        {"body", "description"},
        {"topic", "service_code"},
        {"contact_name", "first_name"},
        {"contact_phone", "phone"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(names); i++)
        if (strcmp(names[i][0], field) == 0) return names[i][1];
    return field;
}

/* Answers what c->err holds after a service failed with rc: every field error as an error
 * of its own (400), else one error with the status the standard gives rc. */
static void fail_err(ftz_ctx *c, ftz_rc rc)
{
    const ftz_err *e = &c->err;
    if (e->nfields) {
        json_t *arr = json_array();
        for (size_t i = 0; i < e->nfields; i++) {
            const ftz_field_err *f = &e->fields[i];
            const char *m = ftz_i18n(c->arena, c->lang, f->code, f->param);
            json_array_append_new(arr, error_item(400, ftz_arena_printf(c->arena, "%s: %s",
                                                                        param_name(f->field), m)));
        }
        reply(c, 400, "errors", arr);
        return;
    }
    switch (rc) {
    case FTZ_ENOTFOUND:
        fail(c, 404, "request_unknown", ftz_param(c, "service_request_id"));
        return;
    case FTZ_EDENIED:
    case FTZ_EAUTH:
        fail(c, 403, "api_key_invalid", NULL);
        return;
    case FTZ_EPARSE:
    case FTZ_EINVAL:
    case FTZ_ECONFLICT:
        fail(c, 400, "general", NULL);
        return;
    default:
        fail(c, ftz_rc_status(rc) >= 500 ? ftz_rc_status(rc) : 400, "general", NULL);
        return;
    }
}

/* ---- language and authentication ---- */

/* ?locale= (zh, ru, en or a tag such as ru-RU) over Accept-Language; for a token's user
 * without either, the user's own language (as the server does for /api/v1). */
static void set_lang(ftz_ctx *c)
{
    const char *loc = ftz_query(c, "locale");
    if (loc && *loc) {
        c->lang = ftz_i18n_pick(loc);
        return;
    }
    const char *al = ftz_req_header(c, "Accept-Language");
    if (c->who && c->who->lang && (!al || strcmp(al, "*") == 0)) c->lang = c->who->lang;
}

/* The caller from the api_key (a form field for POST, else the query) or a Bearer header,
 * holding perm; false after replying 403. */
static bool authenticate(ftz_ctx *c, const ftz_form *form, const char *perm)
{
    const char *key = form ? ftz_form_get(form, "api_key") : ftz_query(c, "api_key");
    if (!key || !*key) {
        const char *authz = ftz_req_header(c, "Authorization");
        if (authz && strncasecmp(authz, "Bearer ", 7) == 0) key = authz + 7;
    }
    if (!key || !*key) {
        fail(c, 403, "api_key_missing", NULL);
        return false;
    }
    ftz_rc rc = auth_resolve_token(c, key);
    if (rc == FTZ_EAUTH) {
        fail(c, 403, "api_key_invalid", NULL);
        return false;
    }
    if (rc) {
        fail(c, ftz_rc_status(rc), "general", NULL);
        return false;
    }
    set_lang(c);
    if (!ftz_can(c->who, perm)) {
        fail(c, 403, "api_key_permission", perm);
        return false;
    }
    return true;
}

/* ---- services ---- */

typedef struct service_text {
    const char *code;
    const char *desc_zh, *desc_ru, *desc_en;
    const char *kw_zh, *kw_ru, *kw_en;
} service_text;

static const service_text service_texts[] = {
    {"policy", "惠企政策的申报、兑现与解读：补贴、奖励、税费减免等政策落实中的问题。",
     "Получение мер поддержки: субсидии, премии, льготы и разъяснение их условий.",
     "Applying for and receiving support policies — subsidies, awards, relief — and questions "
     "about them.",
     "政策, 补贴, 奖励, 兑现", "субсидия, льгота, поддержка", "policy, subsidy, award, support"},
    {"finance", "融资对接、银行贷款、担保与信贷产品相关诉求。",
     "Финансирование: кредиты, гарантии, подбор банковских продуктов.",
     "Financing: bank loans, guarantees, credit products and matchmaking with banks.",
     "融资, 贷款, 银行, 担保", "кредит, банк, гарантия", "loan, bank, credit, guarantee"},
    {"labour", "招聘、用工、人才引进、社保与劳动关系问题。",
     "Подбор персонала, кадры, социальное страхование, трудовые отношения.",
     "Hiring, staffing, talent, social insurance and labour relations.", "招聘, 用工, 人才, 社保",
     "кадры, персонал, найм", "hiring, staff, labour, social insurance"},
    {"approval", "行政审批、许可证照办理的进度、材料与要求。",
     "Разрешения и согласования: сроки, документы, требования.",
     "Administrative approvals and permits: progress, documents, requirements.", "审批, 许可, 证照",
     "разрешение, лицензия, согласование", "approval, permit, licence"},
    {"customs", "报关、通关、查验、跨境物流与口岸相关问题。",
     "Таможенное оформление, досмотр, трансграничная логистика, пункт пропуска.",
     "Customs declarations, clearance, inspections, cross-border logistics and the port.",
     "通关, 报关, 物流, 口岸", "таможня, логистика, граница",
     "customs, clearance, logistics, border"},
    {"land", "项目用地、规划、建设手续与厂房问题。",
     "Земельные участки, планировка, строительные процедуры, помещения.",
     "Land for projects, planning, construction formalities and premises.",
     "用地, 规划, 建设, 厂房", "земля, строительство, помещения",
     "land, planning, construction, premises"},
    {"utilities", "供水、供电、供气、供暖及网络接入问题。",
     "Водо-, электро-, газо- и теплоснабжение, подключение к сетям.",
     "Water, electricity, gas, heating and network connections.", "水, 电, 气, 暖, 网络",
     "вода, электричество, газ, отопление", "water, power, gas, heating"},
    {"tax", "税务办理、发票、退税与收费问题。", "Налоги, счета-фактуры, возврат налогов, сборы.",
     "Taxes, invoices, refunds and fees.", "税务, 发票, 退税, 收费", "налог, возврат, сбор",
     "tax, invoice, refund, fee"},
    {"other", "其他需要园区协调解决的诉求。", "Иные вопросы, в которых нужна помощь зоны.",
     "Any other matter the zone should help with.", "其他, 咨询, 建议",
     "прочее, вопрос, предложение", "other, enquiry, suggestion"},
};

void open311_init(void)
{
    xmlInitParser();
}

static const case_value_def *topic_find(const char *code)
{
    return code ? case_value_find(demand_kind.topics, demand_kind.ntopics, code) : NULL;
}

bool open311_service_known(const char *code)
{
    return topic_find(code) != NULL;
}

static const char *topic_name(const case_value_def *t, const char *lang)
{
    return pick(lang, t->zh, t->ru, t->en);
}

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *service_json(ftz_ctx *c, const case_value_def *t)
{
    const service_text *x = NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(service_texts); i++)
        if (strcmp(service_texts[i].code, t->code) == 0) x = &service_texts[i];
    const char *l = c->lang;
    json_t *o = json_object();
    json_object_set_new(o, "service_code", json_string(t->code));
    json_object_set_new(o, "service_name", json_string(topic_name(t, l)));
    json_object_set_new(o, "description",
                        x ? json_string(pick(l, x->desc_zh, x->desc_ru, x->desc_en)) : json_null());
    json_object_set_new(o, "metadata", json_true());
    json_object_set_new(o, "type", json_string("realtime"));
    json_object_set_new(o, "keywords",
                        x ? json_string(pick(l, x->kw_zh, x->kw_ru, x->kw_en)) : json_null());
    json_object_set_new(
        o, "group",
        json_string(pick(l, "企业诉求", "Обращения предприятий", "Enterprise demands")));
    return o;
}

static void h_services(ftz_ctx *c)
{
    set_lang(c);
    json_t *arr = json_array();
    for (size_t i = 0; i < demand_kind.ntopics; i++)
        json_array_append_new(arr, service_json(c, &demand_kind.topics[i]));
    reply(c, 200, "services", arr);
}

static json_t *attribute(int order, const char *code, const char *datatype, bool required,
                         const char *datatype_description, const char *description, json_t *values)
{
    json_t *o = json_object();
    json_object_set_new(o, "variable", json_true());
    json_object_set_new(o, "code", json_string(code));
    json_object_set_new(o, "datatype", json_string(datatype));
    json_object_set_new(o, "required", json_boolean(required));
    json_object_set_new(o, "datatype_description", jstr(datatype_description));
    json_object_set_new(o, "order", json_integer(order));
    json_object_set_new(o, "description", json_string(description));
    if (values) json_object_set_new(o, "values", values);
    return o;
}

static json_t *value(const char *key, const char *name)
{
    return json_pack("{s:s,s:s}", "key", key, "name", name);
}

static void h_service(ftz_ctx *c)
{
    set_lang(c);
    const char *code = ftz_param(c, "service_code");
    const case_value_def *t = topic_find(code);
    if (!t) {
        fail(c, 404, "service_unknown", code);
        return;
    }
    const char *l = c->lang;
    json_t *attrs = json_array();
    json_array_append_new(
        attrs, attribute(1, "credit_code", "string", true,
                         pick(l, "18 位统一社会信用代码（GB 32100）",
                              "18 символов: единый код социального кредита (GB 32100)",
                              "18-character unified social credit code (GB 32100)"),
                         pick(l, "诉求所属企业的统一社会信用代码。企业账号的密钥只能为本企业提交。",
                              "Единый код социального кредита предприятия, от имени которого "
                              "подаётся обращение. Ключ учётной записи предприятия подаёт "
                              "только за своё предприятие.",
                              "The unified social credit code of the firm the demand is for. A "
                              "firm account's key files for its own firm only."),
                         NULL));
    json_array_append_new(
        attrs,
        attribute(2, "title", "string", false,
                  pick(l, "一行文字，最多 200 字", "Одна строка, до 200 символов",
                       "One line, at most 200 characters"),
                  pick(l, "诉求标题；不填时取描述的开头。",
                       "Тема обращения; если не указана — начало описания.",
                       "The demand's title; without one, the first words of the description."),
                  NULL));
    json_t *prio = json_array();
    for (size_t i = 0; i < demand_kind.npriorities; i++) {
        const case_value_def *p = &demand_kind.priorities[i];
        json_array_append_new(prio, value(p->code, pick(l, p->zh, p->ru, p->en)));
    }
    json_array_append_new(attrs,
                          attribute(3, "priority", "singlevaluelist", false, NULL,
                                    pick(l, "紧急程度；不填时由受理人员研判。",
                                         "Срочность; если не указана, её определит сотрудник.",
                                         "How urgent it is; without it, the staff assess it."),
                                    prio));
    json_t *langs = json_array();
    json_array_append_new(langs, value("zh", "中文"));
    json_array_append_new(langs, value("ru", "Русский"));
    json_array_append_new(langs, value("en", "English"));
    json_array_append_new(
        attrs, attribute(4, "lang", "singlevaluelist", false, NULL,
                         pick(l, "诉求的语言，答复也用此语言；默认为请求的语言。",
                              "Язык обращения и ответа; по умолчанию — язык запроса.",
                              "The language of the demand and of its reply; by default the "
                              "request's language."),
                         langs));
    json_t *o = json_object();
    json_object_set_new(o, "service_code", json_string(t->code));
    json_object_set_new(o, "attributes", attrs);
    reply(c, 200, "service_definition", o);
}

/* ---- requests: a demand as an Open311 service request ---- */

/* A stored UTC instant as W3C date-time in Beijing time, "2024-05-01T10:03:04+08:00". */
static json_t *w3_time(ftz_arena *a, const char *iso)
{
    int64_t t;
    if (!iso || ftz_time_parse(iso, &t)) return json_null();
    char s[32];
    ftz_time_format_utc(t + FTZ_SHANGHAI_OFFSET, s);
    size_t n = strlen(s);
    if (n) s[n - 1] = '\0'; /* the Z */
    return json_string(ftz_arena_printf(a, "%s+08:00", s));
}

static const char *sget(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* A member of the demand's data.open311, or NULL. */
static const char *extra(json_t *d, const char *key)
{
    return sget(json_object_get(json_object_get(d, "data"), SOURCE_KIND), key);
}

/* A topic-less demand (not assessed yet, filed elsewhere) shows as service "other". */
static const case_value_def *topic_of(json_t *d)
{
    const case_value_def *t = topic_find(sget(d, "topic"));
    return t ? t : topic_find("other");
}

static json_t *request_json(ftz_ctx *c, json_t *d)
{
    const char *state = sget(d, "state");
    const case_state_def *sd = case_state_find(&demand_kind, state);
    bool open = sd ? sd->open : true;
    const char *reply_text = sget(d, "reply"), *reason = sget(d, "reason");
    const char *notes = sget(d, "state_name");
    if (state && strcmp(state, "merged") == 0 && sget(d, "merged_into_code"))
        notes = ftz_arena_printf(c->arena, "%s → %s", notes ? notes : state,
                                 sget(d, "merged_into_code"));
    else if (reply_text && state && (strcmp(state, "replied") == 0 || !open))
        notes = reply_text;
    else if (reason && !open)
        notes = reason;
    const case_value_def *t = topic_of(d);
    json_t *o = json_object();
    json_object_set_new(
        o, "service_request_id",
        json_string(ftz_arena_printf(c->arena, "%lld",
                                     (long long)json_integer_value(json_object_get(d, "id")))));
    json_object_set_new(o, "status", json_string(open ? "open" : "closed"));
    json_object_set_new(o, "status_notes", jstr(notes));
    json_object_set_new(o, "service_name", json_string(topic_name(t, c->lang)));
    json_object_set_new(o, "service_code", json_string(t->code));
    json_object_set_new(o, "description", jstr(sget(d, "body")));
    json_object_set_new(o, "agency_responsible", jstr(sget(d, "lead_dept_name")));
    json_object_set_new(o, "service_notice", jstr(sget(d, "code")));
    json_object_set_new(o, "requested_datetime", w3_time(c->arena, sget(d, "accepted_at")));
    json_object_set_new(o, "updated_datetime", w3_time(c->arena, sget(d, "updated_at")));
    json_object_set_new(o, "expected_datetime", w3_time(c->arena, sget(d, "deadline_at")));
    json_object_set_new(o, "address", jstr(extra(d, "address_string")));
    json_object_set_new(o, "address_id", json_null());
    json_object_set_new(o, "zipcode", json_null());
    json_object_set_new(o, "lat", json_null());
    json_object_set_new(o, "long", json_null());
    json_object_set_new(o, "media_url", jstr(extra(d, "media_url")));
    return o;
}

static void h_request(ftz_ctx *c)
{
    if (!authenticate(c, NULL, PERM_READ)) return;
    const char *raw = ftz_param(c, "service_request_id");
    int64_t id;
    if (!ftz_param_id(c, "service_request_id", &id)) {
        fail(c, 404, "request_unknown", raw);
        return;
    }
    json_t *d;
    ftz_rc rc = case_get(c, &demand_kind, id, &d);
    if (rc) {
        fail_err(c, rc);
        return;
    }
    json_t *arr = json_array();
    json_array_append_new(arr, request_json(c, d));
    json_decref(d);
    reply(c, 200, "service_requests", arr);
}

/* A positive integer of at most 18 digits. */
static bool parse_id(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 18) return false;
    int64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    if (v < 1) return false;
    *out = v;
    return true;
}

/* Splits a comma list into trimmed, non-empty items (in a); *n items. */
static const char **split_list(ftz_arena *a, const char *s, size_t *n)
{
    size_t cap = 1;
    for (const char *p = s; *p; p++)
        if (*p == ',') cap++;
    const char **out = ftz_arena_alloc(a, cap * sizeof *out);
    *n = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        const char *b = p;
        while (len && (*b == ' ' || *b == '\t')) {
            b++;
            len--;
        }
        while (len && (b[len - 1] == ' ' || b[len - 1] == '\t'))
            len--;
        if (len) out[(*n)++] = ftz_arena_strndup(a, b, len);
        if (!e) break;
        p = e + 1;
    }
    return out;
}

/* A W3C date-time ("…T…Z" or with an offset, seconds optional) or a plain date (that
 * Beijing day's first or last second). A space where the offset's '+' was — a '+' left
 * unencoded in a query string — is read as '+'. */
static bool parse_when(ftz_arena *a, const char *raw, bool end_of_day, int64_t *out)
{
    size_t n = strlen(raw);
    if (n > 40) return false;
    char *s = ftz_arena_strdup(a, raw);
    for (char *p = s; *p; p++)
        if (*p == ' ') *p = '+';
    ftz_date d;
    if (n == 10 && ftz_date_parse(s, &d) == FTZ_OK) {
        *out = (int64_t)d * 86400 - FTZ_SHANGHAI_OFFSET + (end_of_day ? 86399 : 0);
        return true;
    }
    if (ftz_time_parse(s, out) == FTZ_OK) return true;
    if (n >= 17 && s[10] == 'T' && s[13] == ':' && (s[16] == 'Z' || s[16] == '+' || s[16] == '-')) {
        char *with_s = ftz_arena_printf(a, "%.16s:00%s", s, s + 16);
        return ftz_time_parse(with_s, out) == FTZ_OK;
    }
    return false;
}

static void day_of(int64_t t, char out[11])
{
    ftz_date_format(ftz_date_of_shanghai(t), out);
}

/* By service_request_id: "This overrides all other arguments." Ids outside the caller's
 * scope are left out, as unknown ones are. */
static void list_by_ids(ftz_ctx *c, const char *ids)
{
    size_t n;
    const char **items = split_list(c->arena, ids, &n);
    if (n > IDS_MAX) {
        fail(c, 400, "ids_too_many", ftz_arena_printf(c->arena, "%d", IDS_MAX));
        return;
    }
    int64_t *got = ftz_arena_alloc(c->arena, (n ? n : 1) * sizeof *got);
    for (size_t i = 0; i < n; i++) {
        if (!parse_id(items[i], strlen(items[i]), &got[i])) {
            fail(c, 400, "param_bad", "service_request_id");
            return;
        }
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        bool seen = false;
        for (size_t j = 0; j < i; j++)
            if (got[j] == got[i]) seen = true;
        if (seen) continue;
        json_t *d;
        ftz_rc rc = case_get(c, &demand_kind, got[i], &d);
        if (rc == FTZ_ENOTFOUND) {
            ftz_err_init(&c->err, c->arena);
            continue;
        }
        if (rc) {
            json_decref(arr);
            fail_err(c, rc);
            return;
        }
        json_array_append_new(arr, request_json(c, d));
        json_decref(d);
    }
    reply(c, 200, "service_requests", arr);
}

static void h_requests(ftz_ctx *c)
{
    if (!authenticate(c, NULL, PERM_READ)) return;
    const char *ids = ftz_query(c, "service_request_id");
    if (ids && *ids) {
        list_by_ids(c, ids);
        return;
    }
    /* service_code: one or a comma list */
    size_t ncodes = 0;
    const char **codes = NULL;
    const char *sc = ftz_query(c, "service_code");
    if (sc && *sc) {
        codes = split_list(c->arena, sc, &ncodes);
        for (size_t i = 0; i < ncodes; i++)
            if (!topic_find(codes[i])) {
                fail(c, 404, "service_unknown", codes[i]);
                return;
            }
    }
    /* status: open, closed or both */
    bool want_open = true, want_closed = true;
    const char *st = ftz_query(c, "status");
    if (st && *st) {
        size_t ns;
        const char **ss = split_list(c->arena, st, &ns);
        want_open = want_closed = false;
        for (size_t i = 0; i < ns; i++) {
            if (strcmp(ss[i], "open") == 0)
                want_open = true;
            else if (strcmp(ss[i], "closed") == 0)
                want_closed = true;
            else {
                fail(c, 400, "status_bad", NULL);
                return;
            }
        }
    }
    /* the window: at most 90 days, the last 90 by default */
    const char *sd = ftz_query(c, "start_date"), *ed = ftz_query(c, "end_date");
    int64_t start = 0, end = 0;
    bool has_start = sd && *sd, has_end = ed && *ed;
    if (has_start && !parse_when(c->arena, sd, false, &start)) {
        fail(c, 400, "date_bad", "start_date");
        return;
    }
    if (has_end && !parse_when(c->arena, ed, true, &end)) {
        fail(c, 400, "date_bad", "end_date");
        return;
    }
    const int64_t span = (int64_t)SPAN_DAYS * 86400;
    if (!has_start && !has_end) {
        end = case_now(c);
        start = end - span;
    } else if (!has_end) {
        end = start + span;
    } else if (!has_start) {
        start = end - span;
    } else if (start > end) {
        fail(c, 400, "date_order", NULL);
        return;
    } else if (end - start > span) {
        fail(c, 400, "date_span", NULL);
        return;
    }
    char from[11], to[11];
    day_of(start, from);
    day_of(end, to);

    case_list_q q = {0};
    q.state = want_open && !want_closed ? "open" : want_closed && !want_open ? "closed" : NULL;
    if (ncodes == 1 && strcmp(codes[0], "other") != 0) q.topic = codes[0];
    q.from = from;
    q.to = to;
    q.sort_key = "accepted_at";
    q.desc = true;
    q.limit = LIST_PAGE;
    q.detail = true;
    json_t *out = json_array();
    for (;;) {
        json_t *items;
        int64_t total;
        ftz_rc rc = case_list(c, &demand_kind, &q, &items, &total);
        if (rc) {
            json_decref(out);
            fail_err(c, rc);
            return;
        }
        size_t got = json_array_size(items), i;
        json_t *d;
        json_array_foreach(items, i, d)
        {
            if (json_array_size(out) >= LIST_MAX) break;
            int64_t at;
            const char *acc = sget(d, "accepted_at");
            if (!acc || ftz_time_parse(acc, &at) || at < start || at > end) continue;
            if (ncodes) {
                const char *code = topic_of(d)->code;
                bool hit = false;
                for (size_t k = 0; k < ncodes; k++)
                    if (strcmp(codes[k], code) == 0) hit = true;
                if (!hit) continue;
            }
            json_array_append_new(out, request_json(c, d));
        }
        json_decref(items);
        if (got < (size_t)LIST_PAGE || json_array_size(out) >= LIST_MAX) break;
        q.offset += LIST_PAGE;
    }
    reply(c, 200, "service_requests", out);
}

/* ---- filing ---- */

static bool has_cjk(const char *s)
{
    /* U+3000..U+9FFF (CJK punctuation, kana, unified ideographs): lead bytes 0xE3..0xE9 */
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0xE3 && *p <= 0xE9) return true;
    return false;
}

const char *open311_title_from(ftz_arena *a, const char *description, size_t max)
{
    if (!description) return NULL;
    const char *s = description;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    size_t len = strcspn(s, "\r\n");
    char *t = ftz_arena_alloc(a, len + 1);
    size_t k = 0;
    bool space = false;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == ' ' || ch == '\t') {
            space = k > 0;
            continue;
        }
        if (space) t[k++] = ' ';
        space = false;
        t[k++] = ch;
    }
    t[k] = '\0';
    if (!k) return NULL;
    /* cut at max code points */
    size_t cps = 0, i = 0;
    while (t[i]) {
        if (cps == max) {
            t[i] = '\0';
            while (i && t[i - 1] == ' ')
                t[--i] = '\0';
            return ftz_arena_printf(a, "%s…", t);
        }
        i++;
        while ((t[i] & 0xC0) == 0x80)
            i++;
        cps++;
    }
    return t;
}

/* Records too_long when s is longer than max characters; true when it is. */
static bool too_long(ftz_ctx *c, const char *field, const char *s, size_t max)
{
    if (!s || ftz_utf8_len(s) <= max) return false;
    ftz_err_field(&c->err, field, "too_long", ftz_arena_printf(c->arena, "%zu", max));
    return true;
}

static void check_enum(ftz_ctx *c, const char *field, const char *v, const case_value_def *set,
                       size_t n)
{
    if (!v || case_value_find(set, n, v)) return;
    const char *list = "";
    for (size_t i = 0; i < n; i++)
        list = ftz_arena_printf(c->arena, "%s%s%s", list, i ? ", " : "", set[i].code);
    ftz_err_field(&c->err, field, "enum", list);
}

ftz_rc open311_file(ftz_ctx *c, const open311_in *in, int64_t *id)
{
    if (!in->service_code)
        ftz_err_field(&c->err, "service_code", "required", NULL);
    else
        check_enum(c, "service_code", in->service_code, demand_kind.topics, demand_kind.ntopics);
    if (!in->description)
        ftz_err_field(&c->err, "description", "required", NULL);
    else
        too_long(c, "description", in->description, OPEN311_DESCRIPTION_MAX);
    char *code = NULL;
    if (!in->credit_code) {
        ftz_err_field(&c->err, "attribute[credit_code]", "required", NULL);
    } else {
        code = ftz_arena_strdup(c->arena, in->credit_code);
        for (char *p = code; *p; p++)
            if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
        if (!firm_uscc_valid(code, NULL)) {
            ftz_err_field(&c->err, "attribute[credit_code]", "format", "GB 32100");
            code = NULL;
        }
    }
    too_long(c, "attribute[title]", in->title, O311_TITLE_MAX);
    check_enum(c, "attribute[priority]", in->priority, demand_kind.priorities,
               demand_kind.npriorities);
    static const case_value_def langs[] = {
        {"zh", "中文", "Китайский", "Chinese"},
        {"ru", "俄语", "Русский", "Russian"},
        {"en", "英语", "Английский", "English"},
    };
    check_enum(c, "attribute[lang]", in->lang, langs, FTZ_COUNTOF(langs));
    too_long(c, "first_name", in->first_name, PERSON_MAX);
    too_long(c, "last_name", in->last_name, PERSON_MAX);
    too_long(c, "phone", in->phone, PHONE_MAX);
    too_long(c, "email", in->email, EXTRA_MAX);
    too_long(c, "device_id", in->device_id, EXTRA_MAX);
    too_long(c, "account_id", in->account_id, EXTRA_MAX);
    too_long(c, "media_url", in->media_url, URL_MAX);
    too_long(c, "address_string", in->address_string, EXTRA_MAX);
    int64_t firm_id = 0;
    if (code) {
        ftz_rc before = c->err.rc;
        const char *before_code = c->err.code;
        ftz_rc rc = firm_find_by_code(c, code, &firm_id);
        if (rc == FTZ_ENOTFOUND) {
            /* not a failure of the call: one more broken parameter */
            c->err.rc = before;
            c->err.code = before_code;
            c->err.param = NULL;
            ftz_err_field(&c->err, "attribute[credit_code]", "no_such", NULL);
        } else if (rc) {
            return rc;
        }
    }
    if (c->err.rc) return c->err.rc;

    /* the requester's name: "given family", or "familygiven" for Chinese names */
    const char *fn = in->first_name, *ln = in->last_name, *contact = NULL;
    if (fn && ln)
        contact = has_cjk(fn) || has_cjk(ln) ? ftz_arena_printf(c->arena, "%s%s", ln, fn)
                                             : ftz_arena_printf(c->arena, "%s %s", fn, ln);
    else
        contact = fn ? fn : ln;
    if (too_long(c, "first_name", contact, PERSON_MAX)) return c->err.rc;

    json_t *x = json_object();
    const struct {
        const char *key, *v;
    } extras[] = {{"first_name", in->first_name},
                  {"last_name", in->last_name},
                  {"email", in->email},
                  {"device_id", in->device_id},
                  {"account_id", in->account_id},
                  {"media_url", in->media_url},
                  {"address_string", in->address_string}};
    for (size_t i = 0; i < FTZ_COUNTOF(extras); i++)
        if (extras[i].v) json_object_set_new(x, extras[i].key, json_string(extras[i].v));
    json_t *data = json_pack("{s:o}", SOURCE_KIND, x);

    case_in ci = {0};
    ci.firm_id = firm_id;
    ci.channel = "online";
    ci.title =
        in->title ? in->title : open311_title_from(c->arena, in->description, TITLE_AUTO_MAX);
    ci.body = in->description;
    ci.lang = in->lang;
    ci.topic = in->service_code;
    ci.priority = in->priority;
    ci.contact_name = contact;
    ci.contact_phone = in->phone;
    ci.data = data;
    ci.source_kind = SOURCE_KIND;
    ftz_rc rc = case_file(c, &demand_kind, &ci, id);
    json_decref(data);
    return rc;
}

/* ---- POST requests ---- */

static bool is_form_type(const char *ct)
{
    const char *t = "application/x-www-form-urlencoded";
    size_t n = strlen(t);
    if (strncasecmp(ct, t, n) != 0) return false;
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    if (*rest == '\0') return true;
    if (*rest != ';') return false;
    /* a charset, when named, must be UTF-8 */
    const char *cs = NULL;
    for (const char *p = rest; *p && !cs; p++)
        if (strncasecmp(p, "charset=", 8) == 0) cs = p + 8;
    if (!cs) return true;
    if (*cs == '"') cs++;
    return strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs, "utf8", 4) == 0;
}

/* A single-valued form parameter, trimmed of surrounding white space (NULL when absent or
 * empty); *twice is set when it was given more than once. */
static const char *param(ftz_ctx *c, const ftz_form *f, const char *name, const char **twice)
{
    if (ftz_form_count(f, name) > 1 && !*twice) *twice = name;
    const char *v = ftz_form_get(f, name);
    if (!v) return NULL;
    while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
        v++;
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    return n ? ftz_arena_strndup(c->arena, v, n) : NULL;
}

static void h_file(ftz_ctx *c)
{
    const char *ct = ftz_req_header(c, "Content-Type");
    if (ct && !is_form_type(ct)) {
        fail(c, 400, "body_type", NULL);
        return;
    }
    size_t len;
    const unsigned char *body = ftz_req_body(c, &len);
    ftz_form f;
    const char *why;
    ftz_form_limits lim = {.max_fields = 64, .max_name = 300, .max_value = 20000};
    ftz_rc rc = ftz_form_parse(c->arena, body, len, &lim, &f, &why, NULL);
    if (rc) {
        fail(c, 400, rc == FTZ_ETOOBIG ? "body_big" : "body_bad", why);
        return;
    }
    if (!authenticate(c, &f, PERM_FILE)) return;
    const char *twice = NULL;
    open311_in in = {0};
    in.service_code = param(c, &f, "service_code", &twice);
    in.description = param(c, &f, "description", &twice);
    in.first_name = param(c, &f, "first_name", &twice);
    in.last_name = param(c, &f, "last_name", &twice);
    in.phone = param(c, &f, "phone", &twice);
    in.email = param(c, &f, "email", &twice);
    in.device_id = param(c, &f, "device_id", &twice);
    in.account_id = param(c, &f, "account_id", &twice);
    in.media_url = param(c, &f, "media_url", &twice);
    in.address_string = param(c, &f, "address_string", &twice);
    (void)param(c, &f, "api_key", &twice);
    /* attribute[code]=value: the definition's four, each once */
    const char **slots[] = {&in.credit_code, &in.title, &in.priority, &in.lang};
    static const char *const names[] = {"credit_code", "title", "priority", "lang"};
    for (size_t i = 0; i < f.n; i++) {
        const char *key;
        bool list;
        if (strncmp(f.fields[i].name, "attribute", 9) != 0) continue;
        if (!ftz_form_bracket(c->arena, f.fields[i].name, "attribute", &key, &list)) {
            fail(c, 400, "attribute_unknown", f.fields[i].name);
            return;
        }
        size_t k = 0;
        while (k < FTZ_COUNTOF(names) && strcmp(names[k], key) != 0)
            k++;
        if (k == FTZ_COUNTOF(names) || list) {
            /* unknown, or a list for an attribute that takes one value */
            fail(c, 400, "attribute_unknown", f.fields[i].name);
            return;
        }
        if (ftz_form_count(&f, f.fields[i].name) > 1 && !twice) twice = f.fields[i].name;
    }
    for (size_t k = 0; k < FTZ_COUNTOF(names); k++)
        *slots[k] = param(c, &f, ftz_arena_printf(c->arena, "attribute[%s]", names[k]), &twice);
    if (twice) {
        fail(c, 400, "param_twice", twice);
        return;
    }
    if (!in.service_code) {
        fail(c, 400, "param_required", "service_code");
        return;
    }
    if (!topic_find(in.service_code)) {
        fail(c, 404, "service_unknown", in.service_code);
        return;
    }
    int64_t id;
    rc = open311_file(c, &in, &id);
    if (rc) {
        fail_err(c, rc);
        return;
    }
    json_t *d;
    rc = case_get(c, &demand_kind, id, &d);
    if (rc) {
        fail_err(c, rc);
        return;
    }
    json_t *o = json_object();
    json_object_set_new(o, "service_request_id",
                        json_string(ftz_arena_printf(c->arena, "%lld", (long long)id)));
    json_object_set_new(o, "service_notice", jstr(sget(d, "code")));
    json_object_set_new(o, "account_id", jstr(in.account_id));
    json_decref(d);
    json_t *arr = json_array();
    json_array_append_new(arr, o);
    reply(c, 200, "service_requests", arr);
}

/* ---- the routes ---- */

#define REQ_FLAGS FTZ_ROUTE_API_KEY

const ftz_route open311_routes[] = {
    {"GET", "/open311/v2/services.json", h_services, FTZ_PERM_PUBLIC, 0, 0},
    {"GET", "/open311/v2/services.xml", h_services, FTZ_PERM_PUBLIC, 0, 0},
    {"GET", "/open311/v2/services/{service_code}.json", h_service, FTZ_PERM_PUBLIC, 0, 0},
    {"GET", "/open311/v2/services/{service_code}.xml", h_service, FTZ_PERM_PUBLIC, 0, 0},
    {"GET", "/open311/v2/requests.json", h_requests, PERM_READ, REQ_FLAGS, 0},
    {"GET", "/open311/v2/requests.xml", h_requests, PERM_READ, REQ_FLAGS, 0},
    {"POST", "/open311/v2/requests.json", h_file, PERM_FILE, REQ_FLAGS | FTZ_ROUTE_RAW_BODY,
     POST_BODY_MAX},
    {"POST", "/open311/v2/requests.xml", h_file, PERM_FILE, REQ_FLAGS | FTZ_ROUTE_RAW_BODY,
     POST_BODY_MAX},
    {"GET", "/open311/v2/requests/{service_request_id}.json", h_request, PERM_READ, REQ_FLAGS, 0},
    {"GET", "/open311/v2/requests/{service_request_id}.xml", h_request, PERM_READ, REQ_FLAGS, 0},
};
const size_t open311_nroutes = FTZ_COUNTOF(open311_routes);
