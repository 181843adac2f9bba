/* resp.c — request accessors, JSON input checks, paging, and every way a handler replies:
 * JSON, files, and RFC 9457 problem+json in the request's language. */
#include "core/ftz_setup.h"
#include "http/internal.h"
#include "core/arena.h"
#include "core/i18n.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *ftz_req_method(const ftz_ctx *c)
{
    return c->req->method;
}

const char *ftz_req_path(const ftz_ctx *c)
{
    return c->req->path;
}

const char *ftz_req_ext(const ftz_ctx *c)
{
    return c->req->ext;
}

const char *ftz_req_header(const ftz_ctx *c, const char *name)
{
    if (!c->req || !c->req->ev) return NULL; /* a handler run by a job has no HTTP request */
    return evhttp_find_header(evhttp_request_get_input_headers(c->req->ev), name);
}

const char *ftz_param(const ftz_ctx *c, const char *name)
{
    for (int i = 0; i < c->req->nparams; i++)
        if (strcmp(c->req->params[i].name, name) == 0) return c->req->params[i].value;
    return NULL;
}

static bool parse_pos_id(const char *s, int64_t *out)
{
    if (!s || !*s || strlen(s) > 18) return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v <= 0) return false;
    *out = v;
    return true;
}

bool ftz_param_id(const ftz_ctx *c, const char *name, int64_t *out)
{
    return parse_pos_id(ftz_param(c, name), out);
}

const char *ftz_query(const ftz_ctx *c, const char *name)
{
    for (int i = 0; i < c->req->nquery; i++)
        if (strcmp(c->req->query[i].name, name) == 0) return c->req->query[i].value;
    return NULL;
}

const unsigned char *ftz_req_body(const ftz_ctx *c, size_t *len)
{
    *len = c->req->body_len;
    return c->req->body;
}

json_t *ftz_req_json(const ftz_ctx *c)
{
    return c->req->json;
}

/* ---- replies ---- */

int ftz_rc_status(ftz_rc rc)
{
    switch (rc) {
    case FTZ_OK:
        return 200;
    case FTZ_EPARSE:
        return 400;
    case FTZ_EINVAL:
        return 422;
    case FTZ_EAUTH:
        return 401;
    case FTZ_EDENIED:
        return 403;
    case FTZ_ENOTFOUND:
        return 404;
    case FTZ_ECONFLICT:
        return 409;
    case FTZ_ESTALE:
        return 412;
    case FTZ_ETOOBIG:
        return 413;
    case FTZ_EMEDIA:
        return 415;
    case FTZ_EMETHOD:
        return 405;
    case FTZ_ETHROTTLED:
        return 429;
    case FTZ_EDB:
        return 503;
    default:
        return 500;
    }
}

void ftz_reply_header(ftz_ctx *c, const char *name, const char *value)
{
    ftz_req *r = c->req;
    if (r->nheaders >= FTZ_HTTP_MAX_HEADERS) return;
    r->headers[r->nheaders].name = ftz_arena_strdup(c->arena, name);
    r->headers[r->nheaders].value = ftz_arena_strdup(c->arena, value);
    r->nheaders++;
}

void ftz_reply_json(ftz_ctx *c, int status, json_t *body)
{
    ftz_req *r = c->req;
    r->status = status;
    r->content_type = "application/json";
    char *s = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    ftz_buf_reset(&r->out);
    if (s) {
        ftz_buf_puts(&r->out, s);
        free(s); /* json_dumps hands back malloc'd memory by jansson's own rule */
    }
    r->replied = true;
}

void ftz_reply_created(ftz_ctx *c, const char *location, json_t *body)
{
    ftz_reply_header(c, "Location", location);
    ftz_reply_json(c, 201, body);
}

void ftz_reply_empty(ftz_ctx *c, int status)
{
    c->req->status = status;
    c->req->content_type = NULL;
    ftz_buf_reset(&c->req->out);
    c->req->replied = true;
}

/* RFC 5987 filename*: percent-encode everything but unreserved characters. */
static char *disposition(ftz_arena *a, const char *name)
{
    ftz_buf b;
    ftz_buf_init(&b, 0);
    ftz_buf_puts(&b, "attachment; filename=\"download\"; filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (isalnum(*p) || *p == '.' || *p == '-' || *p == '_')
            ftz_buf_putc(&b, (char)*p);
        else
            ftz_buf_printf(&b, "%%%02X", *p);
    }
    char *s = ftz_arena_strdup(a, ftz_buf_str(&b));
    ftz_buf_cleanup(&b);
    return s;
}

void ftz_reply_bytes(ftz_ctx *c, int status, const char *media_type, const void *p, size_t n,
                     const char *download_name)
{
    ftz_req *r = c->req;
    r->status = status;
    r->content_type = ftz_arena_strdup(c->arena, media_type);
    ftz_buf_reset(&r->out);
    ftz_buf_put(&r->out, p, n);
    if (download_name)
        ftz_reply_header(c, "Content-Disposition", disposition(c->arena, download_name));
    r->replied = true;
}

void ftz_reply_buf(ftz_ctx *c, int status, const char *media_type, ftz_buf *body)
{
    ftz_reply_bytes(c, status, media_type, "", 0, NULL);
    ftz_buf_cleanup(&c->req->out);
    c->req->out = *body;
    ftz_buf_init(body, 0);
}

void ftz_reply_error(ftz_ctx *c)
{
    ftz_err *e = &c->err;
    ftz_rc rc = e->rc ? e->rc : FTZ_EINTERNAL;
    int status = ftz_rc_status(rc);
    char skey[16];
    snprintf(skey, sizeof skey, "status.%d", status);
    json_t *body = json_object();
    json_object_set_new(body, "type", json_string("about:blank"));
    json_object_set_new(body, "title", json_string(ftz_i18n(c->arena, c->lang, skey, NULL)));
    json_object_set_new(body, "status", json_integer(status));
    const char *code = e->code ? e->code : (rc == FTZ_EINTERNAL ? "internal" : NULL);
    if (code) {
        json_object_set_new(body, "code", json_string(code));
        json_object_set_new(body, "detail",
                            json_string(ftz_i18n(c->arena, c->lang, code, e->param)));
    }
    if (c->req_id) json_object_set_new(body, "request_id", json_string(c->req_id));
    if (e->nfields) {
        json_t *arr = json_array();
        for (size_t i = 0; i < e->nfields; i++) {
            const ftz_field_err *f = &e->fields[i];
            json_t *o = json_object();
            json_object_set_new(o, "field", json_string(f->field));
            json_object_set_new(o, "code", json_string(f->code));
            json_object_set_new(o, "message",
                                json_string(ftz_i18n(c->arena, c->lang, f->code, f->param)));
            if (f->param) json_object_set_new(o, "param", json_string(f->param));
            json_array_append_new(arr, o);
        }
        json_object_set_new(body, "errors", arr);
    }
    if (rc == FTZ_ETHROTTLED && e->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)e->retry_after);
        ftz_reply_header(c, "Retry-After", ra);
    }
    ftz_reply_json(c, status, body);
    c->req->content_type = "application/problem+json";
}

void ftz_reply_fail(ftz_ctx *c, ftz_rc rc, const char *code, const char *param)
{
    ftz_err_set(&c->err, rc, code, param);
    ftz_reply_error(c);
}

/* ---- JSON input ---- */

bool ftz_jin_has(json_t *obj, const char *name)
{
    return obj && json_object_get(obj, name) != NULL;
}

void ftz_jin_only(ftz_ctx *c, json_t *obj, const char *const *allowed)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) ok = true;
        if (!ok) ftz_err_field(&c->err, key, "unknown", NULL);
    }
}

static const char *trim(ftz_arena *a, const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    return ftz_arena_strndup(a, s, n);
}

const char *ftz_jin_str(ftz_ctx *c, json_t *obj, const char *name, bool required, size_t maxchars)
{
    json_t *v = obj ? json_object_get(obj, name) : NULL;
    if (!v || json_is_null(v)) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        ftz_err_field(&c->err, name, "type", "string");
        return NULL;
    }
    const char *s = trim(c->arena, json_string_value(v));
    if (!*s) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (maxchars && ftz_utf8_len(s) > maxchars) {
        char lim[24];
        snprintf(lim, sizeof lim, "%zu", maxchars);
        ftz_err_field(&c->err, name, "too_long", lim);
        return NULL;
    }
    return s;
}

int64_t ftz_jin_int(ftz_ctx *c, json_t *obj, const char *name, bool required, int64_t min,
                    int64_t max, bool *present)
{
    if (present) *present = false;
    json_t *v = obj ? json_object_get(obj, name) : NULL;
    if (!v || json_is_null(v)) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return 0;
    }
    if (!json_is_integer(v)) {
        ftz_err_field(&c->err, name, "type", "integer");
        return 0;
    }
    int64_t i = json_integer_value(v);
    if (i < min || i > max) {
        char r[64];
        snprintf(r, sizeof r, "[%lld, %lld]", (long long)min, (long long)max);
        ftz_err_field(&c->err, name, "range", r);
        return 0;
    }
    if (present) *present = true;
    return i;
}

bool ftz_jin_bool(ftz_ctx *c, json_t *obj, const char *name, bool required, bool dflt)
{
    json_t *v = obj ? json_object_get(obj, name) : NULL;
    if (!v || json_is_null(v)) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return dflt;
    }
    if (!json_is_boolean(v)) {
        ftz_err_field(&c->err, name, "type", "boolean");
        return dflt;
    }
    return json_is_true(v);
}

const char **ftz_jin_strs(ftz_ctx *c, json_t *obj, const char *name, bool required, size_t maxitems,
                          size_t maxchars, size_t *n)
{
    *n = 0;
    json_t *v = obj ? json_object_get(obj, name) : NULL;
    if (!v || json_is_null(v)) {
        if (required) ftz_err_field(&c->err, name, "required", NULL);
        return NULL;
    }
    if (!json_is_array(v)) {
        ftz_err_field(&c->err, name, "type", "array");
        return NULL;
    }
    size_t len = json_array_size(v);
    if (len > maxitems) {
        char lim[24];
        snprintf(lim, sizeof lim, "%zu", maxitems);
        ftz_err_field(&c->err, name, "too_many", lim);
        return NULL;
    }
    const char **out = ftz_arena_alloc(c->arena, (len + 1) * sizeof(char *));
    bool ok = true;
    for (size_t i = 0; i < len; i++) {
        json_t *it = json_array_get(v, i);
        char fname[96];
        snprintf(fname, sizeof fname, "%s[%zu]", name, i);
        if (!json_is_string(it)) {
            ftz_err_field(&c->err, fname, "type", "string");
            ok = false;
            continue;
        }
        const char *s = json_string_value(it);
        if (maxchars && ftz_utf8_len(s) > maxchars) {
            char lim[24];
            snprintf(lim, sizeof lim, "%zu", maxchars);
            ftz_err_field(&c->err, fname, "too_long", lim);
            ok = false;
            continue;
        }
        out[i] = ftz_arena_strdup(c->arena, s);
    }
    if (!ok) return NULL;
    *n = len;
    return out;
}

/* ---- paging ---- */

static bool parse_q_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s || strlen(s) > 12) return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return false;
    long long v = strtoll(s, NULL, 10);
    if (v < min || v > max) return false;
    *out = v;
    return true;
}

bool ftz_page_parse(ftz_ctx *c, const char *const *allowed, const char *default_sort, ftz_page *out)
{
    bool export = c->req && c->req->ext;
    out->page = 1;
    out->per_page = export ? 1000000 : 50;
    const char *s = ftz_query(c, "page");
    if (s && !parse_q_int(s, 1, 1000000, &out->page))
        ftz_err_field(&c->err, "page", "range", "[1, 1000000]");
    s = ftz_query(c, "per_page");
    if (!export && s && !parse_q_int(s, 1, 200, &out->per_page))
        ftz_err_field(&c->err, "per_page", "range", "[1, 200]");
    if (export) out->page = 1;
    out->offset = (out->page - 1) * out->per_page;
    const char *sort = ftz_query(c, "sort");
    if (!sort || !*sort) sort = default_sort;
    out->desc = sort[0] == '-';
    const char *key = out->desc ? sort + 1 : sort;
    out->sort_key = NULL;
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, key) == 0) out->sort_key = *a;
    if (!out->sort_key) {
        ftz_buf b;
        ftz_buf_init(&b, 0);
        for (const char *const *a = allowed; *a; a++)
            ftz_buf_printf(&b, "%s%s", a == allowed ? "" : ", ", *a);
        ftz_err_field(&c->err, "sort", "enum", ftz_buf_str(&b));
        ftz_buf_cleanup(&b);
    }
    return c->err.rc == FTZ_OK;
}

json_t *ftz_page_body(const ftz_page *p, json_t *items, int64_t total)
{
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "total", json_integer(total));
    json_object_set_new(o, "page", json_integer(p->page));
    json_object_set_new(o, "per_page", json_integer(p->per_page));
    return o;
}

/* ---- the small steps every handler takes ---- */

void ftz_reply_rc(ftz_ctx *c, ftz_rc rc)
{
    static const struct {
        ftz_rc rc;
        const char *code;
    } generic[] = {
        {FTZ_ENOTFOUND, "not_found"},  {FTZ_ESTALE, "stale"}, {FTZ_ECONFLICT, "conflict"},
        {FTZ_EAUTH, "login_required"}, {FTZ_EDB, "db"},       {FTZ_EINVAL, "invalid_fields"},
    };
    if (c->err.rc != rc) {
        const char *code = "internal";
        for (size_t i = 0; i < FTZ_COUNTOF(generic); i++)
            if (generic[i].rc == rc) code = generic[i].code;
        c->err.nfields = 0;
        ftz_err_set(&c->err, rc, code, NULL);
    }
    ftz_reply_error(c);
}

bool ftz_reply_input_errors(ftz_ctx *c)
{
    if (!c->err.rc) return false;
    ftz_reply_error(c);
    return true;
}

bool ftz_path_id(ftz_ctx *c, const char *name, int64_t *id)
{
    if (ftz_param_id(c, name, id)) return true;
    ftz_reply_fail(c, FTZ_ENOTFOUND, "not_found", NULL);
    return false;
}

const char *ftz_qry_text(ftz_ctx *c, const char *name, size_t maxchars)
{
    const char *s = ftz_query(c, name);
    if (!s || !*s) return NULL;
    if (maxchars && ftz_utf8_len(s) > maxchars) {
        char lim[24];
        snprintf(lim, sizeof lim, "%zu", maxchars);
        ftz_err_field(&c->err, name, "too_long", lim);
        return NULL;
    }
    return s;
}

int64_t ftz_qry_id(ftz_ctx *c, const char *name)
{
    const char *s = ftz_query(c, name);
    if (!s || !*s) return 0;
    int64_t v = 0;
    bool ok = strlen(s) <= 18;
    for (const char *p = s; ok && *p; p++) {
        if (*p < '0' || *p > '9')
            ok = false;
        else
            v = v * 10 + (*p - '0');
    }
    if (!ok) {
        ftz_err_field(&c->err, name, "type", "integer");
        return 0;
    }
    if (v < 1) {
        ftz_err_field(&c->err, name, "range", "[1, 999999999999999999]");
        return 0;
    }
    return v;
}

int ftz_qry_bool(ftz_ctx *c, const char *name)
{
    const char *s = ftz_query(c, name);
    if (!s || !*s) return -1;
    if (strcmp(s, "true") == 0) return 1;
    if (strcmp(s, "false") == 0) return 0;
    ftz_err_field(&c->err, name, "enum", "true, false");
    return -1;
}

const char *ftz_qry_enum(ftz_ctx *c, const char *name, const char *const *allowed, const char *list)
{
    const char *s = ftz_query(c, name);
    if (!s || !*s) return NULL;
    for (const char *const *a = allowed; *a; a++)
        if (strcmp(*a, s) == 0) return *a;
    ftz_err_field(&c->err, name, "enum", list);
    return NULL;
}

void ftz_reply_ok(ftz_ctx *c, ftz_rc rc, json_t *body)
{
    if (rc) {
        ftz_reply_rc(c, rc); /* a failed service returned no body: body is not read */
        return;
    }
    ftz_reply_json(c, 200, body);
}
