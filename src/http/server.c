/* server.c — `ftz serve` (DESIGN.md §3, §8).
 *
 * N worker threads, each with its own event_base, evhttp and database connection, listen on
 * one port with SO_REUSEPORT; the kernel spreads connections over them. A request flows:
 * parse URI (UTF-8 checked) → route → authenticate (cookie or Bearer) → CSRF → permission →
 * body checks (type, size, depth, JSON) → handler → headers (security, request id) → send →
 * access log and metrics. Each request owns an arena dropped after the reply. A job-runner
 * thread claims queued jobs from the database (core/jobs.h). Nothing here keeps state that a
 * second `ftz serve` would miss: sessions, throttling and jobs live in the database. */
#include "core/ftz_setup.h"
#include "http/server.h"
#include "http/internal.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/i18n.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/platform.h"
#include "core/utf8.h"
#include "db/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

typedef struct worker {
    int index;
    pthread_t thread;
    struct event_base *base;
    struct evhttp *http;
    struct evconnlistener *listener;
    ftz_db *db;
    const ftz_conf *conf;
    /* open connections of this loop, for the connection cap */
    void **conns;
    size_t conn_cap, nconns;
    bool listener_paused;
    ftz_buf logbuf;      /* access-log lines not yet written */
    uint32_t rid_prefix; /* request ids: random per worker, then a counter */
    uint32_t rid_counter;
    ftz_arena *arena;  /* reused by every request of this loop (reset after each) */
    time_t log_second; /* the second log_stamp shows */
    char log_stamp[32];
    struct event *log_timer;
} worker;

static atomic_int total_conns;

static const char *client_addr(ftz_ctx *c, struct evkeyvalq *in);

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- the connection cap: evhttp 2.1 has none, so count connections per loop ---- */

static size_t conn_slot(worker *w, void *evcon)
{
    uintptr_t h = (uintptr_t)evcon;
    h ^= h >> 13;
    h *= 0x9E3779B97F4A7C15ull;
    return (size_t)(h >> 20) % w->conn_cap;
}

static void on_conn_close(struct evhttp_connection *evcon, void *arg)
{
    worker *w = arg;
    size_t i = conn_slot(w, evcon);
    for (size_t k = 0; k < w->conn_cap; k++, i = (i + 1) % w->conn_cap) {
        if (w->conns[i] == evcon) {
            /* Backward-shift deletion keeps the probe chains intact. */
            w->conns[i] = NULL;
            size_t j = (i + 1) % w->conn_cap;
            while (w->conns[j]) {
                void *e = w->conns[j];
                w->conns[j] = NULL;
                size_t s = conn_slot(w, e);
                while (w->conns[s])
                    s = (s + 1) % w->conn_cap;
                w->conns[s] = e;
                j = (j + 1) % w->conn_cap;
            }
            w->nconns--;
            atomic_fetch_sub(&total_conns, 1);
            break;
        }
    }
    if (w->listener_paused && atomic_load(&total_conns) < w->conf->max_connections) {
        evconnlistener_enable(w->listener);
        w->listener_paused = false;
    }
}

/* Registers the request's connection; false when over the cap. */
static bool conn_track(worker *w, struct evhttp_request *ev)
{
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    if (!evcon) return true;
    size_t i = conn_slot(w, evcon);
    for (size_t k = 0; k < w->conn_cap; k++, i = (i + 1) % w->conn_cap) {
        if (w->conns[i] == evcon) return true;
        if (!w->conns[i]) break;
    }
    if (w->nconns + 1 >= w->conn_cap / 2) return false;
    w->conns[i] = evcon;
    w->nconns++;
    /* Replies are written whole: without TCP_NODELAY a large body's last segment waits for
     * the client's delayed ACK (~40 ms a response, measured in bench/). */
    struct bufferevent *bev = evhttp_connection_get_bufferevent(evcon);
    evutil_socket_t fd = bev ? bufferevent_getfd(bev) : -1;
    if (fd >= 0) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    int n = atomic_fetch_add(&total_conns, 1) + 1;
    evhttp_connection_set_closecb(evcon, on_conn_close, w);
    if (n >= w->conf->max_connections && !w->listener_paused) {
        evconnlistener_disable(w->listener);
        w->listener_paused = true;
    }
    return n <= w->conf->max_connections;
}

/* ---- request parsing ---- */

static bool sane_req_id(const char *s)
{
    if (!s) return false;
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (const char *p = s; *p; p++) {
        char ch = *p;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '_' || ch == '.'))
            return false;
    }
    return true;
}

static const char *method_name(enum evhttp_cmd_type t)
{
    switch (t) {
    case EVHTTP_REQ_GET:
        return "GET";
    case EVHTTP_REQ_POST:
        return "POST";
    case EVHTTP_REQ_HEAD:
        return "HEAD";
    case EVHTTP_REQ_PUT:
        return "PUT";
    case EVHTTP_REQ_DELETE:
        return "DELETE";
    case EVHTTP_REQ_OPTIONS:
        return "OPTIONS";
    case EVHTTP_REQ_PATCH:
        return "PATCH";
    default:
        return "OTHER";
    }
}

/* Parses the query string into r->query; false on bad encoding or UTF-8. */
static bool parse_query(ftz_ctx *c, const char *q)
{
    ftz_req *r = c->req;
    if (!q || !*q) return true;
    struct evkeyvalq kv;
    TAILQ_INIT(&kv);
    if (evhttp_parse_query_str(q, &kv) != 0) {
        evhttp_clear_headers(&kv);
        return false;
    }
    int n = 0;
    struct evkeyval *e;
    TAILQ_FOREACH(e, &kv, next) n++;
    r->query = ftz_arena_alloc(c->arena, (size_t)(n ? n : 1) * sizeof(ftz_kv));
    bool ok = true;
    TAILQ_FOREACH(e, &kv, next)
    {
        if (!ftz_utf8_valid(e->key, strlen(e->key)) ||
            !ftz_utf8_valid(e->value, strlen(e->value))) {
            ok = false;
            break;
        }
        r->query[r->nquery].name = ftz_arena_strdup(c->arena, e->key);
        r->query[r->nquery].value = ftz_arena_strdup(c->arena, e->value);
        r->nquery++;
    }
    evhttp_clear_headers(&kv);
    return ok;
}

/* Nesting depth of a JSON text, outside strings; jansson's own cap is 2048. */
static int json_depth(const unsigned char *p, size_t n)
{
    int depth = 0, max = 0;
    bool in_str = false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        if (in_str) {
            if (ch == '\\')
                i++;
            else if (ch == '"')
                in_str = false;
            continue;
        }
        if (ch == '"')
            in_str = true;
        else if (ch == '{' || ch == '[') {
            if (++depth > max) max = depth;
        } else if (ch == '}' || ch == ']')
            depth--;
    }
    return max;
}

static bool is_json_type(const char *ct)
{
    if (!ct) return false;
    size_t n = strlen("application/json");
    if (strncasecmp(ct, "application/json", n) != 0) return false;
    const char *rest = ct + n;
    while (*rest == ' ')
        rest++;
    return *rest == '\0' || *rest == ';';
}

static bool method_has_body(const char *m)
{
    return strcmp(m, "POST") == 0 || strcmp(m, "PATCH") == 0 || strcmp(m, "PUT") == 0;
}

/* Reads and checks the body; false after replying with the problem. */
static bool read_body(ftz_ctx *c, const ftz_route *route)
{
    ftz_req *r = c->req;
    struct evbuffer *in = evhttp_request_get_input_buffer(r->ev);
    size_t len = evbuffer_get_length(in);
    size_t cap = route->max_body ? route->max_body : FTZ_HTTP_JSON_CAP;
    if (len > cap) {
        char lim[24];
        snprintf(lim, sizeof lim, "%zu", cap);
        ftz_reply_fail(c, FTZ_ETOOBIG, "body_too_large", lim);
        return false;
    }
    unsigned char *body = ftz_arena_alloc(c->arena, len + 1);
    if (len) evbuffer_copyout(in, body, len);
    r->body = body;
    r->body_len = len;
    if (route->flags & FTZ_ROUTE_RAW_BODY) return true;
    if (!method_has_body(r->method)) return true;
    const char *ct = ftz_req_header(c, "Content-Type");
    if (len == 0 && !ct) {
        /* An action without a body ("POST …/revoke") is an empty object. */
        r->json = json_object();
        ftz_arena_defer(c->arena, (void (*)(void *))json_decref, r->json);
        return true;
    }
    if (!is_json_type(ct)) {
        ftz_reply_fail(c, FTZ_EMEDIA, "media_type", "application/json");
        return false;
    }
    if (json_depth(body, len) > FTZ_HTTP_JSON_DEPTH) {
        ftz_reply_fail(c, FTZ_EPARSE, "too_deep", "32");
        return false;
    }
    json_error_t jerr;
    json_t *j = json_loadb((const char *)body, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!j) {
        char *why =
            ftz_arena_printf(c->arena, "line %d, column %d: %s", jerr.line, jerr.column, jerr.text);
        ftz_reply_fail(c, FTZ_EPARSE, "bad_json", why);
        return false;
    }
    ftz_arena_defer(c->arena, (void (*)(void *))json_decref, j);
    if (!json_is_object(j)) {
        ftz_reply_fail(c, FTZ_EPARSE, "not_object", NULL);
        return false;
    }
    r->json = j;
    return true;
}

static void add_common_headers(ftz_ctx *c, struct evkeyvalq *h)
{
    evhttp_add_header(h, "X-Request-Id", c->req_id);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "same-origin");
    evhttp_add_header(h, "Content-Security-Policy",
                      "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
                      "data:; frame-ancestors 'none'");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
}

static void free_body(const void *data, size_t len, void *arg)
{
    (void)len;
    (void)arg;
    ftz_free((void *)(uintptr_t)data);
}

static void send_reply(ftz_ctx *c)
{
    ftz_req *r = c->req;
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->ev);
    add_common_headers(c, h);
    bool has_cache = false;
    for (int i = 0; i < r->nheaders; i++) {
        evhttp_add_header(h, r->headers[i].name, r->headers[i].value);
        if (strcasecmp(r->headers[i].name, "Cache-Control") == 0) has_cache = true;
    }
    if (!has_cache) evhttp_add_header(h, "Cache-Control", "no-store");
    if (r->content_type) {
        const char *ct = r->content_type;
        if (strcmp(ct, "application/json") == 0 || strcmp(ct, "application/problem+json") == 0)
            ct = ftz_arena_printf(c->arena, "%s; charset=utf-8", ct);
        evhttp_add_header(h, "Content-Type", ct);
    }
    struct evbuffer *out = evbuffer_new();
    bool head = strcmp(r->method, "HEAD") == 0;
    r->sent = r->out.len;
    if (r->out.len && !head) {
        /* Hand the body over without a copy; libevent frees it once it has been sent. */
        size_t len = r->out.len;
        char *data = ftz_buf_take(&r->out);
        if (evbuffer_add_reference(out, data, len, free_body, NULL) != 0) ftz_free(data);
    }
    if (head && r->out.len) {
        char len[24];
        snprintf(len, sizeof len, "%zu", r->out.len);
        evhttp_add_header(h, "Content-Length", len);
    }
    evhttp_send_reply(r->ev, r->status, NULL, out);
    evbuffer_free(out);
}

/* The access log: one line per request, gathered per worker and written with one write(2)
 * when 16 KiB have gathered or 200 ms have passed (as nginx's `access_log … buffer=`), so
 * that the log does not cost a system call per request. */
#define ACCESS_LOG_FLUSH (16 * 1024)

static void access_flush(worker *w)
{
    size_t off = 0;
    while (off < w->logbuf.len) {
        ssize_t n = write(STDERR_FILENO, w->logbuf.data + off, w->logbuf.len - off);
        if (n <= 0) break;
        off += (size_t)n;
    }
    ftz_buf_reset(&w->logbuf);
}

static void on_log_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    worker *w = arg;
    if (w->logbuf.len) access_flush(w);
}

/* Appends v in decimal (the access log avoids printf: it runs once per request). */
static void put_u64(ftz_buf *b, uint64_t v)
{
    char d[24];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        ftz_buf_putc(b, d[--n]);
}

static void access_log(worker *w, ftz_ctx *c, uint64_t ns)
{
    ftz_req *r = c->req;
    if (!ftz_log_enabled(FTZ_LOG_INFO)) return;
    time_t now = time(NULL);
    if (now != w->log_second) {
        /* The timestamp text changes once a second: format it then. */
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(w->log_stamp, sizeof w->log_stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
        w->log_second = now;
    }
    ftz_buf *b = &w->logbuf;
    ftz_buf_puts(b, w->log_stamp);
    ftz_buf_puts(b, " info access ");
    ftz_buf_puts(b, c->addr ? c->addr : "-");
    ftz_buf_putc(b, ' ');
    ftz_buf_puts(b, r->method);
    ftz_buf_putc(b, ' ');
    ftz_buf_puts(b, r->path);
    ftz_buf_putc(b, ' ');
    put_u64(b, (uint64_t)r->status);
    ftz_buf_putc(b, ' ');
    put_u64(b, r->sent);
    ftz_buf_putc(b, ' ');
    /* milliseconds with three decimals, from integer microseconds */
    uint64_t us = ns / 1000;
    put_u64(b, us / 1000);
    ftz_buf_putc(b, '.');
    ftz_buf_putc(b, (char)('0' + us / 100 % 10));
    ftz_buf_putc(b, (char)('0' + us / 10 % 10));
    ftz_buf_putc(b, (char)('0' + us % 10));
    ftz_buf_puts(b, "ms user=");
    ftz_buf_puts(b, c->who ? c->who->username : "-");
    ftz_buf_puts(b, " req=");
    ftz_buf_puts(b, c->req_id);
    ftz_buf_putc(b, '\n');
    if (b->len >= ACCESS_LOG_FLUSH) access_flush(w);
}

static void handle_api(ftz_ctx *c)
{
    ftz_req *r = c->req;
    bool mismatch;
    char allow[128];
    int index;
    const ftz_route *route = ftz_router_match(r, c->arena, &mismatch, allow, sizeof allow, &index);
    r->route_index = index;
    if (!route) {
        if (mismatch) {
            ftz_reply_header(c, "Allow", allow);
            ftz_reply_fail(c, FTZ_EMETHOD, "method", allow);
            return;
        }
        ftz_reply_fail(c, FTZ_ENOTFOUND, "no_route", NULL);
        return;
    }
    r->route = route;
    /* An adapter's route authenticates by its own standard (FTZ_ROUTE_API_KEY). */
    if (strcmp(route->perm, FTZ_PERM_PUBLIC) != 0 && !(route->flags & FTZ_ROUTE_API_KEY)) {
        bool via_cookie = false;
        const char *csrf = NULL;
        ftz_rc rc = auth_resolve(c, &via_cookie, &csrf);
        if (rc) {
            ftz_reply_error(c);
            return;
        }
        bool write = strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0;
        if (via_cookie && write && !(route->flags & FTZ_ROUTE_NO_CSRF)) {
            const char *sent = ftz_req_header(c, "X-CSRF-Token");
            if (!sent || !csrf || strlen(sent) != strlen(csrf) ||
                sodium_memcmp(sent, csrf, strlen(csrf)) != 0) {
                ftz_reply_fail(c, FTZ_EDENIED, "csrf", NULL);
                return;
            }
        }
        if (strcmp(route->perm, FTZ_PERM_AUTHENTICATED) != 0 && !ftz_can(c->who, route->perm)) {
            ftz_reply_fail(c, FTZ_EDENIED, "permission", route->perm);
            return;
        }
        /* No language asked for (or "*", as fetch sends): the user's own preference. */
        const char *al = ftz_req_header(c, "Accept-Language");
        if (c->who && c->who->lang && (!al || strcmp(al, "*") == 0)) c->lang = c->who->lang;
    }
    if (!read_body(c, route)) return;
    route->handler(c);
    if (ftz_db_in_txn(c->db)) {
        ftz_log_error("route %s %s left a transaction open", route->method, route->pattern);
        ftz_db_rollback(c->db);
    }
    if (!r->replied) {
        ftz_log_error("route %s %s did not reply", route->method, route->pattern);
        ftz_reply_fail(c, FTZ_EINTERNAL, "internal", NULL);
    }
}

extern _Thread_local uint64_t ftz_db_time_ns;

static void on_request(struct evhttp_request *ev, void *arg)
{
    worker *w = arg;
    uint64_t t0 = now_ns();
    ftz_db_time_ns = 0;
    ftz_req req;
    memset(&req, 0, sizeof req);
    req.ev = ev;
    req.status = 200;
    req.route_index = -1;
    ftz_buf_init(&req.out, 0);
    ftz_ctx c;
    memset(&c, 0, sizeof c);
    c.arena = w->arena;
    c.db = w->db;
    c.conf = w->conf;
    c.req = &req;
    ftz_err_init(&c.err, c.arena);
    req.method = method_name(evhttp_request_get_command(ev));
    struct evkeyvalq *in = evhttp_request_get_input_headers(ev);
    c.lang = ftz_i18n_pick(evhttp_find_header(in, "Accept-Language"));
    const char *rid = evhttp_find_header(in, "X-Request-Id");
    if (sane_req_id(rid)) {
        c.req_id = ftz_arena_strdup(c.arena, rid);
    } else {
        /* A random 32-bit prefix per worker (drawn once) and a counter: unique across
         * workers and instances without a getrandom(2) call per request. */
        c.req_id = ftz_arena_printf(c.arena, "%08x%08x", w->rid_prefix, ++w->rid_counter);
    }
    struct evhttp_connection *evcon = evhttp_request_get_connection(ev);
    if (evcon) {
        char *host = NULL;
        ev_uint16_t port = 0;
        evhttp_connection_get_peer(evcon, &host, &port);
        c.addr = host ? ftz_arena_strdup(c.arena, host) : NULL;
    }
    c.addr = client_addr(&c, in);
    if (!conn_track(w, ev)) {
        req.path = "-";
        ftz_reply_fail(&c, FTZ_EDB, "too_many_connections", NULL);
        evhttp_add_header(evhttp_request_get_output_headers(ev), "Connection", "close");
        goto send;
    }

    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(ev);
    const char *raw_path = uri ? evhttp_uri_get_path(uri) : NULL;
    if (!raw_path || !*raw_path) raw_path = "/";
    size_t plen = 0;
    char *dec = evhttp_uridecode(raw_path, 0, &plen);
    if (!dec || strlen(dec) != plen || !ftz_utf8_valid(dec, plen)) {
        req.path = "-";
        free(dec); /* evhttp_uridecode: malloc by libevent rule */
        ftz_reply_fail(&c, FTZ_EPARSE, "bad_utf8", NULL);
        goto send;
    }
    req.path = ftz_arena_strdup(c.arena, dec);
    free(dec); /* evhttp_uridecode returns malloc'd memory */
    const char *rawq = uri ? evhttp_uri_get_query(uri) : NULL;
    if (rawq && strlen(rawq) > FTZ_HTTP_MAX_QUERY) {
        ftz_reply_fail(&c, FTZ_EPARSE, "query_too_long", "8192");
        goto send;
    }
    if (!parse_query(&c, rawq)) {
        ftz_reply_fail(&c, FTZ_EPARSE, "bad_query", NULL);
        goto send;
    }

    if (strcmp(req.path, "/healthz") == 0 || strcmp(req.path, "/readyz") == 0 ||
        strcmp(req.path, "/metrics") == 0 || strncmp(req.path, "/api/", 5) == 0 ||
        strncmp(req.path, "/open311/", 9) == 0) {
        handle_api(&c);
    } else if (strcmp(req.method, "GET") == 0 || strcmp(req.method, "HEAD") == 0) {
        ftz_static_serve(&c, w->conf->web_dir);
    } else {
        ftz_reply_fail(&c, FTZ_ENOTFOUND, "no_route", NULL);
    }

send:
    send_reply(&c);
    uint64_t ns = now_ns() - t0;
    ftz_metrics_record(req.route_index, req.status, ns, ftz_db_time_ns);
    access_log(w, &c, ns);
    if (ftz_db_in_txn(c.db)) ftz_db_rollback(c.db);
    ftz_buf_cleanup(&req.out);
    ftz_arena_reset(c.arena);
}

/* The client's address: the peer, or — when the peer is a trusted proxy — the rightmost
 * X-Forwarded-For entry that is not itself a trusted proxy. Throttling and sessions key on
 * it, so behind nginx every client is not one client. */
static const char *client_addr(ftz_ctx *c, struct evkeyvalq *in)
{
    const char *trusted = c->conf->trusted_proxies;
    if (!c->addr || !trusted) return c->addr;
    char *probe = ftz_arena_printf(c->arena, ",%s,", c->addr);
    if (!strstr(trusted, probe)) return c->addr;
    const char *xff = evhttp_find_header(in, "X-Forwarded-For");
    if (!xff || strlen(xff) > 1024) return c->addr;
    char *list = ftz_arena_strdup(c->arena, xff);
    const char *pick = c->addr;
    for (;;) {
        char *comma = strrchr(list, ',');
        char *item = comma ? comma + 1 : list;
        while (*item == ' ')
            item++;
        size_t n = strlen(item);
        while (n && item[n - 1] == ' ')
            item[--n] = '\0';
        if (n && n < 64) {
            probe = ftz_arena_printf(c->arena, ",%s,", item);
            pick = item;
            if (!strstr(trusted, probe)) break;
        }
        if (!comma) break;
        *comma = '\0';
    }
    return ftz_arena_strdup(c->arena, pick);
}

/* ---- threads ---- */

static void *worker_main(void *arg)
{
    worker *w = arg;
    event_base_dispatch(w->base);
    access_flush(w);
    return NULL;
}

static ftz_rc parse_listen(const char *listen, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(listen, ':');
    if (!colon) return FTZ_EINVAL;
    size_t hl = (size_t)(colon - listen);
    if (hl == 0 || hl >= hostlen) return FTZ_EINVAL;
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (host[0] == '[' && hl > 2 && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 0 || p > 65535) return FTZ_EINVAL;
    *port = (int)p;
    return FTZ_OK;
}

static struct evconnlistener *bind_listener(worker *w, const struct sockaddr *sa, socklen_t len)
{
    return evconnlistener_new_bind(w->base, NULL, NULL,
                                   LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE |
                                       LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_EXEC,
                                   1024, sa, (int)len);
}

static ftz_rc worker_setup(worker *w, const ftz_conf *conf, char *errbuf, size_t errlen)
{
    w->conf = conf;
    /* The epoll changelist folds the enable/disable pairs a request makes on its socket
     * within one loop turn into at most one epoll_ctl (evhttp otherwise makes several per
     * request: the largest cost on /healthz, seen in bench/). */
    struct event_config *cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    w->base = event_base_new_with_config(cfg);
    event_config_free(cfg);
    if (!w->base) w->base = event_base_new();
    w->http = evhttp_new(w->base);
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH |
                                            EVHTTP_REQ_OPTIONS);
    evhttp_set_max_body_size(w->http, (ev_ssize_t)conf->max_body);
    evhttp_set_max_headers_size(w->http, 32 * 1024);
    struct timeval tv = {conf->request_timeout, 0};
    evhttp_set_timeout_tv(w->http, &tv);
    evhttp_set_default_content_type(w->http, "text/plain; charset=utf-8");
    evhttp_set_gencb(w->http, on_request, w);
    ftz_buf_init(&w->logbuf, 0);
    w->rid_prefix = randombytes_random();
    w->arena = ftz_arena_new();
    w->log_timer = event_new(w->base, -1, EV_PERSIST, on_log_timer, w);
    struct timeval every = {0, 200000};
    event_add(w->log_timer, &every);
    w->conn_cap = (size_t)conf->max_connections * 2 + 64;
    w->conns = ftz_calloc(w->conn_cap, sizeof(void *));
    return ftz_db_open(conf->db_url, &w->db, errbuf, errlen);
}

static void worker_cleanup(worker *w)
{
    if (w->logbuf.len) access_flush(w);
    ftz_buf_cleanup(&w->logbuf);
    ftz_arena_free(w->arena);
    if (w->log_timer) event_free(w->log_timer);
    if (w->http) evhttp_free(w->http);
    if (w->base) event_base_free(w->base);
    ftz_db_close(w->db);
    ftz_free(w->conns);
}

ftz_rc ftz_server_run(const ftz_conf *conf)
{
    char errbuf[512];
    ftz_rc rc = ftz_router_check(errbuf, sizeof errbuf);
    if (rc) {
        ftz_log_error("%s", errbuf);
        return rc;
    }
    size_t nroutes;
    ftz_routes_all(&nroutes);
    ftz_metrics_init(nroutes);
    evthread_use_pthreads();
    json_object_seed(0);

    int nworkers = conf->workers;
    if (nworkers <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        nworkers = n > 0 ? (int)n : 1;
    }
    char host[256];
    int port;
    if (parse_listen(conf->listen, host, sizeof host, &port)) {
        ftz_log_error("bad listen address '%s' (want HOST:PORT)", conf->listen);
        return FTZ_EINVAL;
    }
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", port);
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai) {
        ftz_log_error("cannot resolve '%s': %s", host, gai_strerror(gai));
        return FTZ_EINVAL;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = (socklen_t)ai->ai_addrlen;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    freeaddrinfo(ai);

    /* Refuse a port someone already holds: probe without SO_REUSEPORT first. */
    if (port != 0) {
        int probe = socket(ss.ss_family, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(probe, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (probe < 0 || bind(probe, (struct sockaddr *)&ss, sslen) != 0) {
            ftz_log_error("cannot listen on %s: %s", conf->listen, strerror(errno));
            if (probe >= 0) close(probe);
            return FTZ_EIO;
        }
        close(probe);
    }

    worker *ws = ftz_calloc((size_t)nworkers, sizeof(worker));
    int ready = 0;
    rc = FTZ_OK;
    for (int i = 0; i < nworkers; i++) {
        ws[i].index = i;
        rc = worker_setup(&ws[i], conf, errbuf, sizeof errbuf);
        if (rc) {
            ftz_log_error("%s", errbuf);
            goto out;
        }
        ws[i].listener = bind_listener(&ws[i], (struct sockaddr *)&ss, sslen);
        if (!ws[i].listener) {
            ftz_log_error("cannot listen on %s: %s", conf->listen, strerror(errno));
            rc = FTZ_EIO;
            goto out;
        }
        if (i == 0) {
            /* With port 0 the first bind chose the port; the others join it. */
            socklen_t l = sizeof ss;
            getsockname(evconnlistener_get_fd(ws[0].listener), (struct sockaddr *)&ss, &l);
            sslen = l;
        }
        evhttp_bind_listener(ws[i].http, ws[i].listener);
    }
    char shown[INET6_ADDRSTRLEN] = "?";
    int shown_port = 0;
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &sin->sin_addr, shown, sizeof shown);
        shown_port = ntohs(sin->sin_port);
    } else if (ss.ss_family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, shown, sizeof shown);
        shown_port = ntohs(sin6->sin6_port);
    }

    /* Signals: block them in every thread; this thread waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    for (int i = 0; i < nworkers; i++) {
        if (pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]) != 0) {
            ftz_log_error("cannot start worker thread");
            rc = FTZ_EIO;
            goto stop;
        }
        ready++;
    }
    ftz_jobs_runner *runner = NULL;
    ftz_jobs_set_observer(ftz_metrics_job);
    rc = ftz_jobs_runner_start(conf, &runner, errbuf, sizeof errbuf);
    if (rc) {
        ftz_log_error("%s", errbuf);
        goto stop;
    }
    ftz_platform_startup_checks(ws[0].db);
    printf("ftz: listening on http://%s%s%s:%d/ (%d workers)\n",
           ss.ss_family == AF_INET6 ? "[" : "", shown, ss.ss_family == AF_INET6 ? "]" : "",
           shown_port, nworkers);
    fflush(stdout);

    int sig;
    sigwait(&set, &sig);
    ftz_log_info("signal %d: stopping", sig);
    ftz_jobs_runner_stop(runner);
stop:
    for (int i = 0; i < nworkers; i++)
        if (ws[i].base) event_base_loopbreak(ws[i].base);
    for (int i = 0; i < ready; i++)
        pthread_join(ws[i].thread, NULL);
out:
    for (int i = 0; i < nworkers; i++)
        worker_cleanup(&ws[i]);
    ftz_free(ws);
    return rc;
}
