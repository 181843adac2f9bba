/* export_reply.c — the HTTP side of list exports (see export_reply.h): picks the format from
 * the route's suffix, has core/export.c write the file and replies with it as a download.
 *
 * The file is written straight into a buffer that then becomes the response body (handed
 * over, not copied): an export of many thousand rows is the largest body the server makes,
 * and holding it twice would double the peak memory of the request. */
#include "core/ftz_setup.h"
#include "http/export_reply.h"
#include "http/internal.h"
#include "core/arena.h"
#include "core/buf.h"
#include "core/date.h"
#include "core/files.h"
#include "core/jobs.h"
#include "core/log.h"
#include "core/settings.h"
#include "auth/auth.h"

#include <stdio.h>
#include <string.h>

const ftz_export_col *ftz_export_cols_lang(ftz_ctx *c, const ftz_export_col_i18n *defs, size_t n)
{
    if (!n) return NULL;
    ftz_export_col *cols = ftz_arena_alloc(c->arena, n * sizeof(*cols));
    const char *lang = c->lang ? c->lang : "zh";
    for (size_t i = 0; i < n; i++) {
        const ftz_export_col_i18n *d = &defs[i];
        const char *title = d->zh;
        if (strcmp(lang, "ru") == 0 && d->ru)
            title = d->ru;
        else if (strcmp(lang, "en") == 0 && d->en)
            title = d->en;
        cols[i].key = d->key;
        cols[i].title = title;
        cols[i].type = d->type;
        cols[i].width = d->width;
    }
    return cols;
}

static void reply_as_job(ftz_ctx *c, ftz_export_format f);

void ftz_reply_export(ftz_ctx *c, const char *basename, const ftz_export_col *cols, size_t ncols,
                      json_t *items)
{
    if (c->req->capture.active) {
        /* Inside an export job: hand the rows to the job, which writes them with progress. */
        c->req->capture.items = items;
        c->req->capture.cols = cols;
        c->req->capture.ncols = ncols;
        c->req->capture.basename = basename;
        c->req->replied = true;
        return;
    }
    ftz_export_format f;
    if (ftz_export_format_parse(ftz_req_ext(c), &f)) {
        json_decref(items);
        ftz_reply_fail(c, FTZ_EMEDIA, "media_type", "xlsx, csv");
        return;
    }
    int64_t sync_max = 5000;
    if (ftz_setting_int(c, "export.sync_max_rows", &sync_max)) sync_max = 5000;
    if ((int64_t)json_array_size(items) > sync_max) {
        json_decref(items);
        reply_as_job(c, f);
        return;
    }
    ftz_buf file;
    ftz_buf_init(&file, 0);
    ftz_rc rc = ftz_export_write(f, basename, cols, ncols, items, &file, &c->err);
    json_decref(items);
    if (rc) {
        ftz_buf_cleanup(&file);
        if (!c->err.rc) ftz_err_set(&c->err, rc, "internal", NULL);
        if (rc == FTZ_EINVAL) {
            /* A value that does not fit its column is the route's bug, not the client's. */
            ftz_log_error("export %s: %s %s", basename, c->err.code ? c->err.code : "?",
                          c->err.param ? c->err.param : "");
            c->err.rc = FTZ_EINTERNAL;
        }
        ftz_reply_error(c);
        return;
    }

    int y, m, d;
    ftz_date_split(ftz_date_today_shanghai(), &y, &m, &d);
    char *name = ftz_arena_printf(c->arena, "%s-%04d%02d%02d.%s", basename, y, m, d,
                                  ftz_export_extension(f));
    /* Reply with an empty body for the headers, then hand the file over as the body. */
    ftz_reply_bytes(c, 200, ftz_export_media_type(f), "", 0, name);
    ftz_buf_cleanup(&c->req->out);
    c->req->out = file;
}

/* ---- exports as jobs ---- */

/* 202 + a queued export job that reruns this request's list as its caller. */
static void reply_as_job(ftz_ctx *c, ftz_export_format f)
{
    ftz_req *r = c->req;
    json_t *query = json_object();
    for (int i = 0; i < r->nquery; i++)
        json_object_set_new(query, r->query[i].name, json_string(r->query[i].value));
    /* The path without its suffix names the list. */
    const char *dot = strrchr(r->path, '.');
    char *path =
        ftz_arena_strndup(c->arena, r->path, dot ? (size_t)(dot - r->path) : strlen(r->path));
    json_t *payload = json_pack("{s:s,s:o,s:s,s:s}", "path", path, "query", query, "format",
                                ftz_export_extension(f), "lang", c->lang ? c->lang : "zh");
    int64_t id = 0;
    ftz_rc rc = ftz_job_enqueue(c, "export", payload, NULL, &id);
    json_decref(payload);
    json_t *job = NULL;
    if (!rc) rc = ftz_job_get(c, id, &job);
    if (rc) {
        if (!c->err.rc) ftz_err_set(&c->err, rc, "internal", NULL);
        ftz_reply_error(c);
        return;
    }
    char *loc = ftz_arena_printf(c->arena, "/api/v1/jobs/%lld", (long long)id);
    ftz_reply_header(c, "Location", loc);
    ftz_reply_json(c, 202, json_pack("{s:o}", "job", job));
}

/* The export route a path names ("/api/v1/users"), or NULL. */
static const ftz_route *export_route(ftz_arena *a, const char *path, ftz_req *r)
{
    bool mismatch;
    char allow[128];
    int index;
    memset(r, 0, sizeof(*r));
    r->method = "GET";
    r->path = path;
    const ftz_route *route = ftz_router_match(r, a, &mismatch, allow, sizeof allow, &index);
    if (!route || !(route->flags & FTZ_ROUTE_EXPORT) || r->ext) return NULL;
    return route;
}

static void check_export(ftz_ctx *c, json_t *payload)
{
    static const char *const allowed[] = {"path", "query", "format", "lang", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(payload, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) ok = true;
        if (!ok)
            ftz_err_field(&c->err, ftz_arena_printf(c->arena, "payload.%s", key), "unknown", NULL);
    }
    const char *path = json_string_value(json_object_get(payload, "path"));
    ftz_req probe;
    if (!path || strlen(path) > 200 || !export_route(c->arena, path, &probe))
        ftz_err_field(&c->err, "payload.path", "enum", "an exportable list path");
    const char *fmt = json_string_value(json_object_get(payload, "format"));
    ftz_export_format f;
    if (!fmt || ftz_export_format_parse(fmt, &f))
        ftz_err_field(&c->err, "payload.format", "enum", "xlsx, csv");
    const char *lang = json_string_value(json_object_get(payload, "lang"));
    if (lang && strcmp(lang, "zh") && strcmp(lang, "ru") && strcmp(lang, "en"))
        ftz_err_field(&c->err, "payload.lang", "enum", "zh, ru, en");
    json_t *q = json_object_get(payload, "query");
    if (q && !json_is_object(q)) {
        ftz_err_field(&c->err, "payload.query", "type", "object");
    } else if (q) {
        json_object_foreach(q, key, v)
        {
            if (!json_is_string(v) || strlen(json_string_value(v)) > 1000)
                ftz_err_field(&c->err, ftz_arena_printf(c->arena, "payload.query.%s", key), "type",
                              "string");
        }
    }
}

static ftz_rc run_export(ftz_ctx *c, ftz_job *job)
{
    json_t *payload = ftz_job_payload(job);
    const char *path = json_string_value(json_object_get(payload, "path"));
    const char *fmt = json_string_value(json_object_get(payload, "format"));
    const char *lang = json_string_value(json_object_get(payload, "lang"));
    ftz_export_format f;
    if (!path || !fmt || ftz_export_format_parse(fmt, &f)) {
        ftz_job_set_error(job, "bad payload");
        return FTZ_EINVAL;
    }
    /* Run as the user who asked: the same permission and scope as their request. */
    int64_t creator = 0;
    ftz_rc rc = ftz_db_scalar(c->db, &creator, "SELECT created_by FROM jobs WHERE id = ?", "i",
                              ftz_job_id(job));
    if (rc || !creator) {
        ftz_job_set_error(job, "the job has no creator to export as");
        return rc ? rc : FTZ_EINVAL;
    }
    ftz_principal *who;
    rc = auth_load_principal(c, creator, &who);
    if (rc) {
        ftz_job_set_error(job, "the creator's account is gone or disabled");
        return rc;
    }
    ftz_req *r = ftz_arena_alloc(c->arena, sizeof(*r));
    const ftz_route *route = export_route(c->arena, path, r);
    if (!route) {
        ftz_job_set_error(job, "not an exportable list");
        return FTZ_EINVAL;
    }
    if (strcmp(route->perm, FTZ_PERM_AUTHENTICATED) != 0 && !ftz_can(who, route->perm)) {
        ftz_job_set_error(job, "the creator lacks the list's permission");
        return FTZ_EDENIED;
    }
    json_t *q = json_object_get(payload, "query");
    size_t nq = json_is_object(q) ? json_object_size(q) : 0;
    r->query = ftz_arena_alloc(c->arena, (nq + 1) * sizeof(ftz_kv));
    const char *key;
    json_t *v;
    json_object_foreach(q, key, v)
    {
        if (!json_is_string(v)) continue;
        r->query[r->nquery].name = ftz_arena_strdup(c->arena, key);
        r->query[r->nquery].value = ftz_arena_strdup(c->arena, json_string_value(v));
        r->nquery++;
    }
    r->ext = ftz_export_extension(f);
    r->status = 200;
    r->route = route;
    r->capture.active = true;
    ftz_buf_init(&r->out, 0);
    ftz_principal *saved_who = c->who;
    const char *saved_lang = c->lang;
    ftz_req *saved_req = c->req;
    c->who = who;
    c->lang = lang ? lang : "zh";
    c->req = r;
    ftz_err_init(&c->err, c->arena);
    route->handler(c);
    c->who = saved_who;
    c->req = saved_req;
    ftz_buf_cleanup(&r->out);
    json_t *items = r->capture.items;
    if (!items) {
        c->lang = saved_lang;
        ftz_job_set_error(job, c->err.code
                                   ? ftz_arena_printf(c->arena, "the list refused: %s %s",
                                                      c->err.code, c->err.param ? c->err.param : "")
                                   : "the list gave no rows");
        return c->err.rc ? c->err.rc : FTZ_EINTERNAL;
    }
    rc = ftz_job_progress(c, job, 10);
    ftz_export *x = NULL;
    if (!rc)
        rc =
            ftz_export_open(&x, f, r->capture.basename, r->capture.cols, r->capture.ncols, &c->err);
    size_t n = json_array_size(items);
    for (size_t i = 0; !rc && i < n; i++) {
        rc = ftz_export_row(x, json_array_get(items, i), &c->err);
        if (!rc && i % 1000 == 999) rc = ftz_job_progress(c, job, (int)(10 + (i + 1) * 80 / n));
    }
    json_decref(items);
    ftz_buf file;
    ftz_buf_init(&file, 0);
    if (rc) {
        if (x) ftz_export_abort(x);
    } else {
        rc = ftz_export_finish(x, &file, &c->err);
    }
    int64_t file_id = 0;
    char *name = NULL;
    if (!rc) {
        int y, m, d;
        ftz_date_split(ftz_date_today_shanghai(), &y, &m, &d);
        name = ftz_arena_printf(c->arena, "%s-%04d%02d%02d.%s", r->capture.basename, y, m, d,
                                ftz_export_extension(f));
        /* The file belongs to its creator (and, for a firm account, to its firm). */
        c->who = who;
        rc = ftz_file_put(c, name, file.data ? file.data : "", file.len, ftz_export_media_type(f),
                          who->firm_id, &file_id);
        c->who = saved_who;
    }
    size_t bytes = file.len;
    ftz_buf_cleanup(&file);
    c->lang = saved_lang;
    if (rc) {
        if (!c->err.code)
            ftz_job_set_error(job, "writing the export failed");
        else
            ftz_job_set_error(job, ftz_arena_printf(c->arena, "%s %s", c->err.code,
                                                    c->err.param ? c->err.param : ""));
        return rc;
    }
    ftz_job_set_result(job, json_pack("{s:I,s:s,s:s,s:I,s:I}", "file_id", (json_int_t)file_id,
                                      "name", name, "media_type", ftz_export_media_type(f), "rows",
                                      (json_int_t)n, "bytes", (json_int_t)bytes));
    return FTZ_OK;
}

static const ftz_job_kind export_kind = {"export", run_export, check_export, FTZ_JOB_ONCE, false};

void ftz_export_jobs_init(void)
{
    ftz_jobs_register(&export_kind);
}
