/* http.h — what a module's routes.c needs: the route table type, access to the request
 * (path parameters, query, JSON body) and the reply helpers (JSON, problem+json, files).
 *
 * A handler is called with an authenticated, permission-checked ftz_ctx (unless the route is
 * public) and must end by calling exactly one ftz_reply_* function. It parses the body into a
 * C struct (collecting every field error into c->err), calls a service, and renders the
 * result. Handlers never write SQL; services never see this header. */
#ifndef FTZ_HTTP_H
#define FTZ_HTTP_H

#include "core/ftz_setup.h"
#include "core/ctx.h"
#include "core/buf.h"

#include <jansson.h>

typedef void (*ftz_handler)(ftz_ctx *c);

/* Pseudo-permissions for routes that need no named permission. */
#define FTZ_PERM_PUBLIC        "@public"        /* no authentication at all */
#define FTZ_PERM_AUTHENTICATED "@authenticated" /* any valid session or token */

enum {
    FTZ_ROUTE_EXPORT = 1 << 0,   /* also answers PATH.xlsx and PATH.csv (c->req ext) */
    FTZ_ROUTE_RAW_BODY = 1 << 1, /* body is bytes (uploads), not JSON */
    FTZ_ROUTE_NO_CSRF = 1 << 2,  /* a cookie write without CSRF token (log-in only) */
    /* An adapter for an outside standard (Open311): the server neither authenticates the
     * caller nor checks perm — the handler resolves the API token its standard carries
     * (auth_resolve_token: an api_key parameter, or Bearer), checks perm itself and answers
     * refusals in its standard's error format. Cookies are not consulted, so no CSRF. perm
     * must name a real permission (ftz_router_check). */
    FTZ_ROUTE_API_KEY = 1 << 3,
};

typedef struct ftz_route {
    const char *method;  /* GET POST PATCH PUT DELETE */
    const char *pattern; /* "/api/v1/users/{id}" */
    ftz_handler handler;
    const char *perm; /* "auth.user.admin", FTZ_PERM_PUBLIC or FTZ_PERM_AUTHENTICATED */
    unsigned flags;
    size_t max_body; /* 0 = the default JSON cap (1 MiB) */
} ftz_route;

/* ---- the request ---- */

const char *ftz_req_method(const ftz_ctx *c);
const char *ftz_req_path(const ftz_ctx *c);
/* The matched `.{ext}` suffix of an export route ("xlsx", "csv") or NULL. */
const char *ftz_req_ext(const ftz_ctx *c);
const char *ftz_req_header(const ftz_ctx *c, const char *name);
/* A path parameter by name ({id}); NULL if the pattern has none of that name. */
const char *ftz_param(const ftz_ctx *c, const char *name);
/* A positive integer path parameter; false (and nothing written) when it is not one —
 * callers answer 404, since no record can have that id. */
bool ftz_param_id(const ftz_ctx *c, const char *name, int64_t *out);
/* A query-string value (decoded, valid UTF-8) or NULL. */
const char *ftz_query(const ftz_ctx *c, const char *name);
/* The raw body (RAW_BODY routes). */
const unsigned char *ftz_req_body(const ftz_ctx *c, size_t *len);
/* The parsed JSON body (an object) — the server has already answered 400/415 for bodies
 * that are not one, so handlers of JSON routes may rely on it. NULL for GET/DELETE. */
json_t *ftz_req_json(const ftz_ctx *c);

/* ---- paging, sorting and filtering of lists (DESIGN.md §4) ---- */

typedef struct ftz_page {
    int64_t page, per_page, offset; /* per_page capped at 200; exports lift the cap */
    const char *sort_key;           /* one of the allowed keys, or the default */
    bool desc;
} ftz_page;

/* Reads page, per_page and sort (`name` or `-name`, checked against allowed, a NULL-ended
 * list); bad values are recorded as field errors in c->err (422). */
bool ftz_page_parse(ftz_ctx *c, const char *const *allowed_sorts, const char *default_sort,
                    ftz_page *out);
/* {"items": items, "total": total, "page": …, "per_page": …}; steals items. */
json_t *ftz_page_body(const ftz_page *p, json_t *items, int64_t total);

/* ---- replies ---- */

/* Steals body. Sets Content-Type application/json. */
void ftz_reply_json(ftz_ctx *c, int status, json_t *body);
/* 201 + Location + the record (steals body). */
void ftz_reply_created(ftz_ctx *c, const char *location, json_t *body);
void ftz_reply_empty(ftz_ctx *c, int status);
/* Bytes with a media type; download → Content-Disposition: attachment; filename*=UTF-8''… */
void ftz_reply_bytes(ftz_ctx *c, int status, const char *media_type, const void *p, size_t n,
                     const char *download_name);
/* Bytes already in a buffer: the buffer becomes the body (taken over, left empty). */
void ftz_reply_buf(ftz_ctx *c, int status, const char *media_type, ftz_buf *body);
/* Renders c->err as application/problem+json in c->lang, with the status its rc maps to. */
void ftz_reply_error(ftz_ctx *c);
/* Sets c->err and renders it: ftz_reply_fail(c, FTZ_ENOTFOUND, "not_found", NULL). */
void ftz_reply_fail(ftz_ctx *c, ftz_rc rc, const char *code, const char *param);
void ftz_reply_header(ftz_ctx *c, const char *name, const char *value);
int ftz_rc_status(ftz_rc rc);

/* ---- JSON input: each helper records a field error in c->err and returns a "missing"
 * value; check c->err.rc once after reading every field, so all errors are listed. ---- */

/* Records "unknown" for every member not in allowed (NULL-ended). */
void ftz_jin_only(ftz_ctx *c, json_t *obj, const char *const *allowed);
/* A string of at most maxchars code points (0 = no limit); trimmed of surrounding ASCII
 * white space. required and missing/null → "required"; empty after trim counts as missing. */
const char *ftz_jin_str(ftz_ctx *c, json_t *obj, const char *name, bool required, size_t maxchars);
/* An integer within [min, max]; *present tells whether it was given. */
int64_t ftz_jin_int(ftz_ctx *c, json_t *obj, const char *name, bool required, int64_t min,
                    int64_t max, bool *present);
bool ftz_jin_bool(ftz_ctx *c, json_t *obj, const char *name, bool required, bool dflt);
/* An array of strings (each at most maxchars); NULL when absent. */
const char **ftz_jin_strs(ftz_ctx *c, json_t *obj, const char *name, bool required, size_t maxitems,
                          size_t maxchars, size_t *n);
/* Whether the member is present (even as null). */
bool ftz_jin_has(json_t *obj, const char *name);

/* ---- the small steps every handler takes ---- */

/* Answers a failed service call: what the service recorded in c->err, or — when it recorded
 * nothing or another failure than the one returned — a generic message for rc. */
void ftz_reply_rc(ftz_ctx *c, ftz_rc rc);
/* A service's outcome: 200 with body (stolen) when rc is FTZ_OK, else as ftz_reply_rc (body,
 * which a failed service did not set, is not read). */
void ftz_reply_ok(ftz_ctx *c, ftz_rc rc, json_t *body);
/* Replies 422 with the input errors recorded so far; true when there were any. */
bool ftz_reply_input_errors(ftz_ctx *c);
/* A positive integer path parameter; anything else names no record: replies 404, false. */
bool ftz_path_id(ftz_ctx *c, const char *name, int64_t *id);
/* Query values (errors recorded in c->err, to be answered with ftz_reply_input_errors):
 * text (NULL when absent or empty; "too_long" past maxchars code points, 0 = no limit), a
 * positive id (0 when absent), a boolean "true"/"false" (-1 when absent), one of a NULL-ended
 * set (NULL when absent; list is the set as shown in the "enum" message). */
const char *ftz_qry_text(ftz_ctx *c, const char *name, size_t maxchars);
int64_t ftz_qry_id(ftz_ctx *c, const char *name);
int ftz_qry_bool(ftz_ctx *c, const char *name);
const char *ftz_qry_enum(ftz_ctx *c, const char *name, const char *const *allowed,
                         const char *list);

/* Every route of every module (for the router and `ftz routes`). */
const ftz_route *ftz_routes_all(size_t *n);

#endif
