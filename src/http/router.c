/* router.c — method + path pattern → route (DESIGN.md §3).
 *
 * Patterns are literal segments and {name} parameters: "/api/v1/users/{id}/roles". A
 * parameter may be followed by a literal suffix in its segment, "{code}.json", which the
 * path must end with and which is not part of the value (for adapters whose standard puts
 * the format in the path: /open311/v2/services/{service_code}.json). A route
 * flagged FTZ_ROUTE_EXPORT also matches the path with a ".xlsx" or ".csv" suffix on its last
 * segment, handing the suffix to the handler. Matching walks the table in order; the tables
 * are small (hundreds), so a linear scan over pre-split segments costs microseconds. */
#include "core/ftz_setup.h"
#include "http/internal.h"
#include "core/arena.h"
#include "core/mem.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define MAX_SEGS 12

typedef struct {
    const ftz_route *route;
    int nseg;
    const char *seg[MAX_SEGS];
    size_t seglen[MAX_SEGS];
} compiled;

/* Each module's table. */
extern const ftz_route ftz_core_routes[];
extern const size_t ftz_core_nroutes;
extern const ftz_route auth_routes[];
extern const size_t auth_nroutes;
extern const ftz_route firm_routes[];
extern const size_t firm_nroutes;
extern const ftz_route window_routes[];
extern const size_t window_nroutes;
extern const ftz_route demand_routes[];
extern const size_t demand_nroutes;
extern const ftz_route outreach_routes[];
extern const size_t outreach_nroutes;
extern const ftz_route financing_routes[];
extern const size_t financing_nroutes;
extern const ftz_route commissioner_routes[];
extern const size_t commissioner_nroutes;
extern const ftz_route open311_routes[];
extern const size_t open311_nroutes;

static ftz_route *all;
static size_t nall;
static compiled *table;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void split(const char *path, compiled *out)
{
    out->nseg = 0;
    const char *p = path;
    while (*p == '/')
        p++;
    while (*p && out->nseg < MAX_SEGS) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        out->seg[out->nseg] = p;
        out->seglen[out->nseg] = n;
        out->nseg++;
        p += n;
        while (*p == '/')
            p++;
    }
}

static void build(void)
{
    struct {
        const ftz_route *r;
        size_t n;
    } parts[] = {
        {ftz_core_routes, ftz_core_nroutes},   {auth_routes, auth_nroutes},
        {firm_routes, firm_nroutes},           {commissioner_routes, commissioner_nroutes},
        {demand_routes, demand_nroutes},       {outreach_routes, outreach_nroutes},
        {financing_routes, financing_nroutes}, {window_routes, window_nroutes},
        {open311_routes, open311_nroutes},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(parts); i++)
        nall += parts[i].n;
    all = ftz_calloc(nall, sizeof(*all));
    table = ftz_calloc(nall, sizeof(*table));
    size_t k = 0;
    for (size_t i = 0; i < FTZ_COUNTOF(parts); i++)
        for (size_t j = 0; j < parts[i].n; j++)
            all[k++] = parts[i].r[j];
    for (size_t i = 0; i < nall; i++) {
        table[i].route = &all[i];
        split(all[i].pattern, &table[i]);
    }
}

const ftz_route *ftz_routes_all(size_t *n)
{
    pthread_once(&once, build);
    *n = nall;
    return all;
}

ftz_rc ftz_router_check(char *errbuf, size_t errlen)
{
    size_t n;
    const ftz_route *r = ftz_routes_all(&n);
    for (size_t i = 0; i < n; i++) {
        if (!r[i].perm || !*r[i].perm) {
            snprintf(errbuf, errlen, "route %s %s declares no permission", r[i].method,
                     r[i].pattern);
            return FTZ_EINTERNAL;
        }
        if ((r[i].flags & FTZ_ROUTE_API_KEY) && r[i].perm[0] == '@') {
            snprintf(errbuf, errlen, "route %s %s authenticates by API key but names no permission",
                     r[i].method, r[i].pattern);
            return FTZ_EINTERNAL;
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(r[i].method, r[j].method) == 0 && strcmp(r[i].pattern, r[j].pattern) == 0) {
                snprintf(errbuf, errlen, "route %s %s is declared twice", r[i].method,
                         r[i].pattern);
                return FTZ_EINTERNAL;
            }
        }
    }
    return FTZ_OK;
}

/* Matches the path segments against one compiled pattern; on success fills params. */
static bool match(const compiled *t, const compiled *p, ftz_req *r, ftz_arena *a, const char **ext)
{
    if (t->nseg != p->nseg) return false;
    *ext = NULL;
    int np = 0;
    for (int i = 0; i < t->nseg; i++) {
        const char *ts = t->seg[i];
        size_t tl = t->seglen[i];
        const char *ps = p->seg[i];
        size_t pl = p->seglen[i];
        bool last = i == t->nseg - 1;
        if (last && (t->route->flags & FTZ_ROUTE_EXPORT)) {
            /* Strip a known export suffix from the last segment. */
            static const char *const sfx[] = {".xlsx", ".csv"};
            for (size_t k = 0; k < FTZ_COUNTOF(sfx); k++) {
                size_t sl = strlen(sfx[k]);
                if (pl > sl && memcmp(ps + pl - sl, sfx[k], sl) == 0) {
                    pl -= sl;
                    *ext = sfx[k] + 1;
                    break;
                }
            }
        }
        const char *close = tl > 2 && ts[0] == '{' ? memchr(ts, '}', tl) : NULL;
        if (close && close > ts + 1) {
            /* {name} and the literal suffix after it, if any */
            size_t nl = (size_t)(close - ts - 1);
            size_t sl = tl - nl - 2;
            if (pl <= sl || memcmp(ps + pl - sl, close + 1, sl) != 0) return false;
            if (np >= FTZ_HTTP_MAX_PARAMS) return false;
            r->params[np].name = ftz_arena_strndup(a, ts + 1, nl);
            r->params[np].value = ftz_arena_strndup(a, ps, pl - sl);
            np++;
        } else if (tl != pl || memcmp(ts, ps, tl) != 0) {
            return false;
        }
    }
    r->nparams = np;
    return true;
}

const ftz_route *ftz_router_match(ftz_req *r, ftz_arena *a, bool *method_mismatch, char *allow,
                                  size_t allowlen, int *index)
{
    pthread_once(&once, build);
    compiled p;
    split(r->path, &p);
    *method_mismatch = false;
    *index = -1;
    allow[0] = '\0';
    size_t alen = 0;
    if (p.nseg >= MAX_SEGS) return NULL;
    for (size_t i = 0; i < nall; i++) {
        const char *ext;
        if (!match(&table[i], &p, r, a, &ext)) continue;
        const char *m = table[i].route->method;
        bool same =
            strcmp(m, r->method) == 0 || (strcmp(r->method, "HEAD") == 0 && strcmp(m, "GET") == 0);
        if (same) {
            r->ext = ext;
            *index = (int)i;
            return table[i].route;
        }
        *method_mismatch = true;
        int w = snprintf(allow + alen, allowlen - alen, "%s%s", alen ? ", " : "", m);
        if (w > 0 && (size_t)w < allowlen - alen) alen += (size_t)w;
    }
    r->nparams = 0;
    return NULL;
}
