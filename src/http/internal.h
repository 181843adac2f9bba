/* internal.h — shared between the files of src/http only. */
#ifndef FTZ_HTTP_INTERNAL_H
#define FTZ_HTTP_INTERNAL_H

#include "http/http.h"
#include "core/export.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#define FTZ_HTTP_MAX_PARAMS  8
#define FTZ_HTTP_JSON_CAP    (1024 * 1024)
#define FTZ_HTTP_JSON_DEPTH  32
#define FTZ_HTTP_MAX_HEADERS 16
#define FTZ_HTTP_MAX_QUERY   8192

typedef struct ftz_kv {
    const char *name, *value;
} ftz_kv;

struct ftz_req {
    struct evhttp_request *ev;
    const char *method;
    const char *path; /* decoded, without the query */
    const char *ext;  /* export suffix or NULL */
    ftz_kv params[FTZ_HTTP_MAX_PARAMS];
    int nparams;
    ftz_kv *query;
    int nquery;
    const unsigned char *body;
    size_t body_len;
    json_t *json;
    const ftz_route *route;
    int route_index; /* for metrics; -1 unmatched */
    /* the response */
    int status;
    const char *content_type;
    ftz_buf out;
    ftz_kv headers[FTZ_HTTP_MAX_HEADERS];
    int nheaders;
    bool replied;
    size_t sent; /* body bytes sent (for the access log) */
    /* Set when a list handler runs inside an export job (export_reply.c): ftz_reply_export
     * keeps the items and columns here instead of replying. */
    struct {
        bool active;
        json_t *items; /* owned */
        const ftz_export_col *cols;
        size_t ncols;
        const char *basename;
    } capture;
};

/* router.c: finds the route for method + path; fills params and ext. Returns the route or
 * NULL; *method_mismatch is set when the path exists under another method (405). */
const ftz_route *ftz_router_match(ftz_req *r, ftz_arena *a, bool *method_mismatch, char *allow,
                                  size_t allowlen, int *index);
/* Checks the table once at start-up (every route declares a permission). */
ftz_rc ftz_router_check(char *errbuf, size_t errlen) FTZ_WUR;

/* metrics.c */
void ftz_metrics_init(size_t nroutes);
void ftz_metrics_record(int route_index, int status, uint64_t ns, uint64_t db_ns);
void ftz_metrics_render(ftz_ctx *c, ftz_buf *out);
void ftz_metrics_job(const char *outcome);

/* static.c: serves a file under web_dir, or index.html for SPA paths. */
void ftz_static_serve(ftz_ctx *c, const char *web_dir);

/* ops.c */
void ftz_ops_healthz(ftz_ctx *c);
void ftz_ops_readyz(ftz_ctx *c);
void ftz_ops_metrics(ftz_ctx *c);

#endif
