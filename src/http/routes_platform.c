/* routes_platform.c — the HTTP routes of the platform services (DESIGN.md §4, §5): the
 * operations endpoints, settings, files, jobs and dictionaries. The router links
 * ftz_core_routes (http/router.c).
 *
 * Every handler has one shape: read the path, query and body, recording every broken field
 * in c->err; answer 422 with all of them if any; call one core service; render its JSON.
 * The services (core/settings.h, files.h, jobs.h) do the database work, the audit rows and
 * the data scopes (in SQL: a record outside the caller's scope is FTZ_ENOTFOUND → 404).
 * Lists answer {"items", "total", "page", "per_page"} (ftz_page_parse / ftz_page_body). */
#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/dict.h"
#include "core/files.h"
#include "core/jobs.h"
#include "core/platform.h"
#include "core/settings.h"
#include "core/utf8.h"
#include "http/http.h"
#include "http/internal.h"

#include <stdio.h>
#include <stdlib.h> /* qsort */
#include <string.h>

/* The router links these names (http/router.c). */
extern const ftz_route ftz_core_routes[];
extern const size_t ftz_core_nroutes;

/* ==== shared helpers ==== */

/* Answers a failed service call. Services record what went wrong in c->err; when they did
 * not (or recorded another failure than the one returned), the returned code wins with a
 * generic message. */

/* Replies with the recorded input errors; true when there were any. */

/* A positive integer path parameter; anything else names no record: 404. */

/* A query value, NULL when absent or empty; longer than maxchars → "too_long". */

/* A positive integer query value; 0 when absent (or broken, with the error recorded). */

/* A query value from a fixed set (NULL-ended); NULL when absent. */

static int cmp_name(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    const char *nx = json_string_value(json_object_get(x, "name"));
    const char *ny = json_string_value(json_object_get(y, "name"));
    return strcmp(nx ? nx : "", ny ? ny : "");
}

/* One page of a small in-memory list sorted by "name" (the only sort key): settings and
 * dictionaries are a few dozen rows, so they are paged here rather than in SQL. Steals all. */
static json_t *page_by_name(ftz_ctx *c, const ftz_page *p, json_t *all)
{
    size_t n = json_array_size(all);
    json_t **v = ftz_arena_alloc(c->arena, (n ? n : 1) * sizeof(*v));
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(all, i);
    if (n) qsort(v, n, sizeof(*v), cmp_name);
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        size_t k = p->desc ? n - 1 - i : i;
        if ((int64_t)i >= p->offset && (int64_t)i < p->offset + p->per_page)
            json_array_append(items, v[k]);
    }
    json_t *body = ftz_page_body(p, items, (int64_t)n);
    json_decref(all);
    return body;
}

/* ==== settings ==== */

static const char *const name_sorts[] = {"name", NULL};

/* GET /api/v1/settings — every setting with its value, default and description. */
static void h_settings_list(ftz_ctx *c)
{
    ftz_page p;
    if (!ftz_page_parse(c, name_sorts, "name", &p)) {
        ftz_reply_error(c);
        return;
    }
    json_t *all;
    ftz_rc rc = ftz_settings_list(c, &all);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, page_by_name(c, &p, all));
}

/* PATCH /api/v1/settings — {name: value, …}; all or nothing; null resets to the default.
 * Answers like GET, page 1 holding every setting. */
static void h_settings_patch(ftz_ctx *c)
{
    json_t *body = ftz_req_json(c);
    ftz_rc rc = ftz_setting_set_many(c, body);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *all;
    rc = ftz_settings_list(c, &all);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_page p = {
        .page = 1, .per_page = (int64_t)json_array_size(all), .offset = 0, .sort_key = "name"};
    ftz_reply_json(c, 200, page_by_name(c, &p, all));
}

/* GET /api/v1/settings/{name} */
static void h_setting_get(ftz_ctx *c)
{
    json_t *o;
    ftz_rc rc = ftz_setting_get(c, ftz_param(c, "name"), &o);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, o);
}

/* ==== files ==== */

static const char *const file_sorts[] = {"id", "name", "size", "created_at", NULL};

/* POST /api/v1/files?name=…[&firm_id=…] — the body is the file; Content-Type declares its
 * type (checked against the content). 201 + Location + the metadata. */
static void h_file_upload(ftz_ctx *c)
{
    const char *name = ftz_query(c, "name");
    if (!name || !*name) ftz_err_field(&c->err, "name", "required", NULL);
    int64_t firm_id = ftz_qry_id(c, "firm_id");
    if (ftz_reply_input_errors(c)) return;
    size_t len;
    const unsigned char *data = ftz_req_body(c, &len);
    int64_t id;
    ftz_rc rc = ftz_file_put(c, name, data, len, ftz_req_header(c, "Content-Type"), firm_id, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    char *loc = ftz_arena_printf(c->arena, "/api/v1/files/%lld", (long long)id);
    ftz_file f;
    rc = ftz_file_get(c, id, false, &f);
    if (rc) {
        /* Stored, but not readable back by this caller: still 201, with the id. */
        ftz_err_init(&c->err, c->arena);
        ftz_reply_created(c, loc, json_pack("{s:I}", "id", (json_int_t)id));
        return;
    }
    ftz_reply_created(c, loc, ftz_file_json(&f));
}

/* GET /api/v1/files?firm_id=&media_type=&sort=&page=&per_page= */
static void h_files_list(ftz_ctx *c)
{
    ftz_page p;
    ftz_page_parse(c, file_sorts, "-id", &p);
    ftz_files_q q = {0};
    q.firm_id = ftz_qry_id(c, "firm_id");
    q.media_type = ftz_qry_text(c, "media_type", 100);
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = p.sort_key;
    q.desc = p.desc;
    q.limit = p.per_page;
    q.offset = p.offset;
    json_t *items;
    int64_t total;
    ftz_rc rc = ftz_files_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&p, items, total));
}

/* GET /api/v1/files/{id} — the metadata. */
static void h_file_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    ftz_file f;
    ftz_rc rc = ftz_file_get(c, id, false, &f);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, ftz_file_json(&f));
}

/* A stored file as a download (never inline), with its stored media type. Text was checked
 * to be UTF-8 at upload; say so, so that it is not read as Latin-1. */
static void reply_file(ftz_ctx *c, const ftz_file *f)
{
    const char *type = strncmp(f->media_type, "text/", 5) == 0
                           ? ftz_arena_printf(c->arena, "%s; charset=utf-8", f->media_type)
                           : f->media_type;
    ftz_reply_bytes(c, 200, type, f->content, f->content_len, f->name);
}

/* GET /api/v1/files/{id}/content — the bytes, always as a download (never inline). */
static void h_file_content(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    ftz_file f;
    ftz_rc rc = ftz_file_get(c, id, true, &f);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_file(c, &f);
}

/* ==== jobs ==== */

static const char *const job_sorts[] = {"id", "created_at", "state", "kind", NULL};
static const char *const job_states[] = {"queued", "running", "done", "failed", NULL};
static const char *const job_fields[] = {"kind", "payload", NULL};

/* GET /api/v1/jobs?state=&kind=&sort=&page=&per_page= — own jobs, or all with jobs.admin. */
static void h_jobs_list(ftz_ctx *c)
{
    ftz_page p;
    ftz_page_parse(c, job_sorts, "-id", &p);
    ftz_jobs_q q = {0};
    q.state = ftz_qry_enum(c, "state", job_states, "queued, running, done, failed");
    q.kind = ftz_qry_text(c, "kind", 64);
    if (ftz_reply_input_errors(c)) return;
    q.sort_key = p.sort_key;
    q.desc = p.desc;
    q.limit = p.per_page;
    q.offset = p.offset;
    json_t *items;
    int64_t total;
    ftz_rc rc = ftz_jobs_list(c, &q, &items, &total);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, ftz_page_body(&p, items, total));
}

/* GET /api/v1/jobs/{id} — state and percent done, for its creator or jobs.admin. */
static void h_job_get(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *o;
    ftz_rc rc = ftz_job_get(c, id, &o);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    ftz_reply_json(c, 200, o);
}

/* GET /api/v1/jobs/{id}/file — the file a finished job produced (an export), for whoever may
 * see the job (its creator, or jobs.admin): seeing the job is the permission, so a role
 * without files.read can still fetch its own export. 404 until the job is done. */
static void h_job_file(ftz_ctx *c)
{
    int64_t id;
    if (!ftz_path_id(c, "id", &id)) return;
    json_t *job;
    ftz_rc rc = ftz_job_get(c, id, &job);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *fid = json_object_get(json_object_get(job, "result"), "file_id");
    int64_t file_id = json_is_integer(fid) ? json_integer_value(fid) : 0;
    bool done = json_is_string(json_object_get(job, "state")) &&
                strcmp(json_string_value(json_object_get(job, "state")), "done") == 0;
    json_decref(job);
    if (!done || file_id <= 0) {
        ftz_reply_fail(c, FTZ_ENOTFOUND, "not_found", NULL);
        return;
    }
    /* Read past the files scope: the job's visibility above is the check. */
    ftz_principal *saved = c->who;
    ftz_principal sys = {.system = true, .username = "system"};
    c->who = &sys;
    ftz_file f;
    rc = ftz_file_get(c, file_id, true, &f);
    c->who = saved;
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    reply_file(c, &f);
}

/* POST /api/v1/jobs {kind, payload?} — 202 Accepted + Location /api/v1/jobs/{id}. An
 * unknown kind (or a test kind without test hooks) is 422 on "kind". */
static void h_job_create(ftz_ctx *c)
{
    json_t *body = ftz_req_json(c);
    ftz_jin_only(c, body, job_fields);
    const char *kind = ftz_jin_str(c, body, "kind", true, 64);
    if (kind && !ftz_job_kind_find(c->conf, kind))
        ftz_err_field(&c->err, "kind", "enum", ftz_job_kind_names(c->arena, c->conf));
    json_t *payload = json_object_get(body, "payload");
    if (payload && json_is_null(payload)) payload = NULL;
    if (payload && !json_is_object(payload)) ftz_err_field(&c->err, "payload", "type", "object");
    if (ftz_reply_input_errors(c)) return;
    int64_t id;
    ftz_rc rc = ftz_job_enqueue(c, kind, payload, NULL, &id);
    if (rc) {
        ftz_reply_rc(c, rc);
        return;
    }
    json_t *o;
    rc = ftz_job_get(c, id, &o);
    if (rc) {
        ftz_err_init(&c->err, c->arena);
        o = json_pack("{s:I}", "id", (json_int_t)id);
    }
    ftz_reply_header(c, "Location", ftz_arena_printf(c->arena, "/api/v1/jobs/%lld", (long long)id));
    ftz_reply_json(c, 202, o);
}

/* ==== dictionaries (core/dict.h, loaded once by core/platform.h) ==== */

/* GET /api/v1/dicts — the tables: {name, version, count, has_parent}. */
static void h_dicts_list(ftz_ctx *c)
{
    ftz_page p;
    if (!ftz_page_parse(c, name_sorts, "name", &p)) {
        ftz_reply_error(c);
        return;
    }
    const ftz_dicts *d = ftz_platform_dicts();
    json_t *all = json_array();
    size_t n = d ? ftz_dicts_count(d) : 0;
    for (size_t i = 0; i < n; i++) {
        const ftz_dict *t = ftz_dicts_at(d, i);
        json_array_append_new(all,
                              json_pack("{s:s,s:s,s:I,s:b}", "name", ftz_dict_name(t), "version",
                                        ftz_dict_version(t), "count", (json_int_t)ftz_dict_count(t),
                                        "has_parent", ftz_dict_has_parent(t) ? 1 : 0));
    }
    ftz_reply_json(c, 200, page_by_name(c, &p, all));
}

/* Whether an If-None-Match header names the entity tag (or is "*"). */
static bool etag_matches(const char *inm, const char *etag)
{
    if (!inm) return false;
    if (strcmp(inm, "*") == 0) return true;
    size_t n = strlen(etag);
    for (const char *p = inm; (p = strstr(p, etag)) != NULL; p += n) {
        bool start = p == inm || p[-1] == ' ' || p[-1] == ',' || p[-1] == '/';
        bool end = p[n] == '\0' || p[n] == ',' || p[n] == ' ';
        if (start && end) return true;
    }
    return false;
}

/* GET /api/v1/dicts/{name} — the whole table, with its version as the ETag (304 when the
 * client has it). */
static void h_dict_get(ftz_ctx *c)
{
    const ftz_dicts *d = ftz_platform_dicts();
    const ftz_dict *t = d ? ftz_dict_get(d, ftz_param(c, "name")) : NULL;
    if (!t) {
        ftz_reply_fail(c, FTZ_ENOTFOUND, "not_found", NULL);
        return;
    }
    char *etag = ftz_arena_printf(c->arena, "\"%s\"", ftz_dict_version(t));
    ftz_reply_header(c, "ETag", etag);
    ftz_reply_header(c, "Cache-Control", "private, no-cache");
    if (etag_matches(ftz_req_header(c, "If-None-Match"), etag)) {
        ftz_reply_empty(c, 304);
        return;
    }
    ftz_reply_json(c, 200, ftz_dict_json(t));
}

/* ==== the table ==== */

const ftz_route ftz_core_routes[] = {
    {"GET", "/healthz", ftz_ops_healthz, FTZ_PERM_PUBLIC},
    {"GET", "/readyz", ftz_ops_readyz, FTZ_PERM_PUBLIC},
    {"GET", "/metrics", ftz_ops_metrics, FTZ_PERM_PUBLIC},

    {"GET", "/api/v1/settings", h_settings_list, "settings.read"},
    {"PATCH", "/api/v1/settings", h_settings_patch, "settings.admin"},
    {"GET", "/api/v1/settings/{name}", h_setting_get, "settings.read"},

    {"POST", "/api/v1/files", h_file_upload, "files.upload", FTZ_ROUTE_RAW_BODY, FTZ_FILE_MAX},
    {"GET", "/api/v1/files", h_files_list, "files.read"},
    {"GET", "/api/v1/files/{id}", h_file_get, "files.read"},
    {"GET", "/api/v1/files/{id}/content", h_file_content, "files.read"},
    {"GET", "/api/v1/jobs/{id}/file", h_job_file, FTZ_PERM_AUTHENTICATED},

    {"GET", "/api/v1/jobs", h_jobs_list, FTZ_PERM_AUTHENTICATED},
    {"POST", "/api/v1/jobs", h_job_create, "jobs.admin"},
    {"GET", "/api/v1/jobs/{id}", h_job_get, FTZ_PERM_AUTHENTICATED},

    {"GET", "/api/v1/dicts", h_dicts_list, FTZ_PERM_AUTHENTICATED},
    {"GET", "/api/v1/dicts/{name}", h_dict_get, FTZ_PERM_AUTHENTICATED},
};

const size_t ftz_core_nroutes = FTZ_COUNTOF(ftz_core_routes);
