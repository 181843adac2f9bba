/* files.c — uploads kept in the database (see files.h): type sniffing by content, name rules,
 * SHA-256, scoped reads. The bytes are only ever stored and handed back; nothing here parses
 * them beyond the magic numbers and, for ZIP containers, the central directory's names. */
#include "core/ftz_setup.h"
#include "core/files.h"
#include "auth/audit.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zip.h>

#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#define DOCX_TYPE "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

/* Central directory entries looked at, at most: an OOXML file has dozens. */
#define ZIP_MAX_ENTRIES 10000

/* ---- sniffing ---- */

static bool starts(const unsigned char *d, size_t len, const char *magic, size_t n)
{
    return len >= n && memcmp(d, magic, n) == 0;
}

/* "xl/" for XLSX, "word/" for DOCX, from the central directory; NULL when neither (or both,
 * or no [Content_Types].xml: not an Office Open XML package). */
static const char *ooxml_kind(const void *data, size_t len)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return NULL;
    }
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    if (!z) {
        zip_source_free(src);
        zip_error_fini(&ze);
        return NULL;
    }
    bool xl = false, word = false, types = false;
    zip_int64_t n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n && i < ZIP_MAX_ENTRIES; i++) {
        const char *nm = zip_get_name(z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (!nm) continue;
        if (strncmp(nm, "xl/", 3) == 0)
            xl = true;
        else if (strncmp(nm, "word/", 5) == 0)
            word = true;
        else if (strcmp(nm, "[Content_Types].xml") == 0)
            types = true;
    }
    zip_discard(z); /* frees the source too */
    zip_error_fini(&ze);
    if (!types || xl == word) return NULL;
    return xl ? XLSX_TYPE : DOCX_TYPE;
}

/* The declared type lower-cased, without parameters and surrounding blanks, or NULL when it
 * says nothing (absent, empty, application/octet-stream). */
static char *norm_type(ftz_arena *a, const char *declared)
{
    if (!declared) return NULL;
    while (*declared == ' ' || *declared == '\t')
        declared++;
    size_t n = strcspn(declared, ";");
    while (n && (declared[n - 1] == ' ' || declared[n - 1] == '\t'))
        n--;
    if (n == 0) return NULL;
    if (n > 100) n = 100; /* no real type is longer; the rest cannot change the verdict */
    char *s = ftz_arena_strndup(a, declared, n);
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    if (strcmp(s, "application/octet-stream") == 0) return NULL;
    return s;
}

static bool ends_with_ci(const char *s, const char *suffix)
{
    size_t n = s ? strlen(s) : 0, m = strlen(suffix);
    return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

static bool is_csv_declared(const char *t, const char *name)
{
    if (!t) return false;
    if (strcmp(t, "text/csv") == 0 || strcmp(t, "application/csv") == 0) return true;
    /* What Windows browsers send for .csv files. */
    return strcmp(t, "application/vnd.ms-excel") == 0 && ends_with_ci(name, ".csv");
}

/* Text has no control characters but tab, line feed, form feed and carriage return: a
 * binary that happens to be valid UTF-8 (an ELF header) is not text. */
static bool text_controls_ok(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((p[i] < 0x20 && p[i] != '\t' && p[i] != '\n' && p[i] != '\f' && p[i] != '\r') ||
            p[i] == 0x7f)
            return false;
    return true;
}

static const char *sniff_norm(const void *data, size_t len, const char *name, const char *t)
{
    const unsigned char *d = data;
    if (len == 0) return NULL;
    if (starts(d, len, "%PDF-", 5)) return "application/pdf";
    if (starts(d, len, "\x89PNG\r\n\x1a\n", 8)) return "image/png";
    if (starts(d, len, "\xff\xd8\xff", 3)) return "image/jpeg";
    if (starts(d, len, "PK\x03\x04", 4)) return ooxml_kind(data, len);
    const unsigned char *p = d;
    size_t n = len;
    if (starts(d, len, "\xef\xbb\xbf", 3)) p += 3, n -= 3;
    if (starts(p, n, "<?xml", 5)) return "application/xml";
    if (!ftz_utf8_valid((const char *)p, n) || !text_controls_ok(p, n)) return NULL;
    if (is_csv_declared(t, name)) return "text/csv";
    if (!t && ends_with_ci(name, ".csv")) return "text/csv";
    return "text/plain";
}

const char *ftz_file_sniff(const void *data, size_t len, const char *name, const char *declared)
{
    ftz_arena *a = ftz_arena_new();
    const char *r = sniff_norm(data, len, name, norm_type(a, declared));
    ftz_arena_free(a);
    return r;
}

/* Whether a normalised declared type names the sniffed one. */
static bool agrees(const char *sniffed, const char *t, const char *name)
{
    static const struct {
        const char *sniffed, *declared;
    } ok[] = {
        {"application/pdf", "application/pdf"},
        {"image/png", "image/png"},
        {"image/jpeg", "image/jpeg"},
        {"image/jpeg", "image/jpg"},
        {"image/jpeg", "image/pjpeg"},
        {XLSX_TYPE, XLSX_TYPE},
        {DOCX_TYPE, DOCX_TYPE},
        {"application/xml", "application/xml"},
        {"application/xml", "text/xml"},
        {"text/plain", "text/plain"},
        {"text/csv", "text/csv"},
        {"text/csv", "application/csv"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(ok); i++)
        if (strcmp(ok[i].sniffed, sniffed) == 0 && strcmp(ok[i].declared, t) == 0) return true;
    return strcmp(sniffed, "text/csv") == 0 && is_csv_declared(t, name);
}

/* ---- names ---- */

static bool name_ok(ftz_ctx *c, const char *name)
{
    if (!name || !*name) {
        ftz_err_field(&c->err, "name", "required", NULL);
        return false;
    }
    size_t bytes = strlen(name);
    if (!ftz_utf8_valid(name, bytes)) {
        ftz_err_field(&c->err, "name", "format", "UTF-8");
        return false;
    }
    if (ftz_utf8_len(name) > FTZ_FILE_NAME_MAX) {
        char lim[16];
        snprintf(lim, sizeof lim, "%d", FTZ_FILE_NAME_MAX);
        ftz_err_field(&c->err, "name", "too_long", lim);
        return false;
    }
    const unsigned char *p = (const unsigned char *)name;
    for (; *p; p++) {
        bool bad = *p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\' ||
                   (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);
        if (bad) {
            ftz_err_field(&c->err, "name", "format", "/ \\ control");
            return false;
        }
    }
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
        ftz_err_field(&c->err, "name", "format", ". ..");
        return false;
    }
    return true;
}

/* ---- scope ---- */

/* Appends " AND (…)" limiting files (alias f) to the caller's scope. */
static void scope_files(const ftz_ctx *c, ftz_q *q)
{
    const ftz_principal *w = c->who;
    if (!w) {
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
    if (w->system || w->scope == FTZ_SCOPE_ALL) return;
    switch (w->scope) {
    case FTZ_SCOPE_OWN_FIRM:
        if (!w->firm_id) {
            ftz_q_sql(q, " AND 1 = 0");
            return;
        }
        ftz_q_sql(q, " AND f.firm_id = ?");
        ftz_q_int(q, w->firm_id);
        return;
    case FTZ_SCOPE_OWN_FIRMS:
        /* A file tied to no firm (e.g. another user's export) is its uploader's only. */
        ftz_q_sql(q, " AND (f.created_by = ? OR f.firm_id IN "
                     "(SELECT fi.id FROM firms fi WHERE fi.commissioner_id = ?))");
        ftz_q_int(q, w->user_id);
        ftz_q_int(q, w->user_id);
        return;
    case FTZ_SCOPE_DEPT_TREE:
        ftz_q_sql(q, " AND (f.created_by = ?");
        ftz_q_int(q, w->user_id);
        if (w->dept_path && *w->dept_path) {
            ftz_q_sql(q, " OR f.firm_id IN (SELECT fi.id FROM firms fi JOIN departments d "
                         "ON d.id = fi.department_id WHERE d.path LIKE ? ESCAPE '\\')");
            ftz_q_text(q,
                       ftz_arena_printf(c->arena, "%s%%", ftz_like_escape(c->arena, w->dept_path)));
        }
        ftz_q_sql(q, ")");
        return;
    default:
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
}

/* Whether the caller may file under the firm: it exists and lies within its scope. */
static ftz_rc firm_allowed(ftz_ctx *c, int64_t firm_id, bool *ok)
{
    *ok = false;
    const ftz_principal *w = c->who;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM firms fi WHERE fi.id = ?");
    ftz_q_int(&q, firm_id);
    if (!w) return FTZ_OK;
    if (!w->system) {
        switch (w->scope) {
        case FTZ_SCOPE_ALL:
            break;
        case FTZ_SCOPE_OWN_FIRM:
            ftz_q_sql(&q, " AND fi.id = ?");
            ftz_q_int(&q, w->firm_id);
            break;
        case FTZ_SCOPE_OWN_FIRMS:
            ftz_q_sql(&q, " AND fi.commissioner_id = ?");
            ftz_q_int(&q, w->user_id);
            break;
        case FTZ_SCOPE_DEPT_TREE:
            if (!w->dept_path || !*w->dept_path) return FTZ_OK;
            ftz_q_sql(&q, " AND fi.department_id IN (SELECT d.id FROM departments d "
                          "WHERE d.path LIKE ? ESCAPE '\\')");
            ftz_q_text(&q,
                       ftz_arena_printf(c->arena, "%s%%", ftz_like_escape(c->arena, w->dept_path)));
            break;
        default:
            return FTZ_OK;
        }
    }
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r == 1)
        *ok = ftz_stmt_int(st, 0) > 0;
    else
        rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    ftz_stmt_done(st);
    return rc;
}

/* ---- upload ---- */

ftz_rc ftz_file_put(ftz_ctx *c, const char *name, const void *data, size_t len,
                    const char *declared_type, int64_t firm_id, int64_t *id)
{
    *id = 0;
    ftz_rc rc;
    if (len > FTZ_FILE_MAX) {
        char lim[24];
        snprintf(lim, sizeof lim, "%d", FTZ_FILE_MAX);
        return ftz_err_set(&c->err, FTZ_ETOOBIG, "body_too_large", lim);
    }
    name_ok(c, name);
    const char *t = norm_type(c->arena, declared_type);
    const char *type = NULL;
    if (len == 0) {
        ftz_err_field(&c->err, "content", "required", NULL);
    } else {
        type = sniff_norm(data, len, name, t);
        if (!type)
            ftz_err_field(&c->err, "content", "file_type", t ? t : "?");
        else if (t && !agrees(type, t, name))
            ftz_err_field(&c->err, "content_type", "file_type",
                          ftz_arena_printf(c->arena, "%s ≠ %s", t, type));
    }
    const ftz_principal *w = c->who;
    if (w && !w->system && w->scope == FTZ_SCOPE_OWN_FIRM) {
        if (firm_id && firm_id != w->firm_id) ftz_err_field(&c->err, "firm_id", "no_such", NULL);
        firm_id = w->firm_id;
    } else if (firm_id) {
        bool ok;
        rc = firm_allowed(c, firm_id, &ok);
        if (rc) return rc;
        if (!ok) ftz_err_field(&c->err, "firm_id", "no_such", NULL);
    }
    if (c->err.rc) return c->err.rc;

    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, data, len);
    char hex[crypto_hash_sha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    char now[32];
    ftz_db_now(now);

    rc = ftz_db_begin(c->db);
    if (rc) goto fail;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO files (name, media_type, size, sha256, content, created_by, "
                        "firm_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, name);
    ftz_stmt_bind_text(st, type);
    ftz_stmt_bind_int(st, (int64_t)len);
    ftz_stmt_bind_text(st, hex);
    ftz_stmt_bind_blob(st, data, len);
    ftz_stmt_bind_id(st, w ? w->user_id : 0);
    ftz_stmt_bind_id(st, firm_id);
    ftz_stmt_bind_text(st, now);
    int r = ftz_stmt_next(st);
    if (r == 1)
        *id = ftz_stmt_int(st, 0);
    else
        rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    ftz_stmt_done(st);
    if (rc) goto fail;
    json_t *after = json_pack("{s:s,s:s,s:I,s:s}", "name", name, "media_type", type, "size",
                              (json_int_t)len, "sha256", hex);
    json_object_set_new(after, "firm_id", firm_id ? json_integer(firm_id) : json_null());
    rc = ftz_audit_id(c, "file.upload", "file", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_log_error("files: cannot store %s: %s", name, ftz_db_errmsg(c->db));
    ftz_db_rollback(c->db);
    *id = 0;
    return rc;
}

/* ---- reads ---- */

#define FILE_COLS                                                                                  \
    "f.id, f.name, f.media_type, f.size, f.sha256, f.firm_id, f.created_by, f.created_at"

static void read_row(ftz_ctx *c, ftz_stmt *st, ftz_file *f)
{
    f->id = ftz_stmt_int(st, 0);
    f->name = ftz_stmt_dup(st, 1, c->arena);
    f->media_type = ftz_stmt_dup(st, 2, c->arena);
    f->size = ftz_stmt_int(st, 3);
    f->sha256 = ftz_stmt_dup(st, 4, c->arena);
    f->firm_id = ftz_stmt_int(st, 5);
    f->created_by = ftz_stmt_int(st, 6);
    f->created_at = ftz_stmt_dup(st, 7, c->arena);
}

ftz_rc ftz_file_get(ftz_ctx *c, int64_t id, bool with_content, ftz_file *out)
{
    memset(out, 0, sizeof(*out));
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, with_content ? "SELECT " FILE_COLS ", f.content FROM files f WHERE f.id = ?"
                               : "SELECT " FILE_COLS " FROM files f WHERE f.id = ?");
    ftz_q_int(&q, id);
    scope_files(c, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r == 1) {
        read_row(c, st, out);
        if (with_content) {
            size_t n = 0;
            const void *p = ftz_stmt_blob(st, 8, &n);
            void *copy = ftz_arena_alloc(c->arena, n ? n : 1);
            if (n) memcpy(copy, p, n);
            out->content = copy;
            out->content_len = n;
        }
    } else if (r == 0) {
        rc = ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    } else {
        rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    }
    ftz_stmt_done(st);
    return rc;
}

json_t *ftz_file_json(const ftz_file *f)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(f->id));
    json_object_set_new(o, "name", json_string(f->name));
    json_object_set_new(o, "media_type", json_string(f->media_type));
    json_object_set_new(o, "size", json_integer(f->size));
    json_object_set_new(o, "sha256", json_string(f->sha256));
    json_object_set_new(o, "firm_id", f->firm_id ? json_integer(f->firm_id) : json_null());
    json_object_set_new(o, "created_by", f->created_by ? json_integer(f->created_by) : json_null());
    json_object_set_new(o, "created_at", json_string(f->created_at));
    return o;
}

static void list_where(ftz_ctx *c, const ftz_files_q *fq, ftz_q *q)
{
    ftz_q_sql(q, " FROM files f WHERE 1 = 1");
    if (fq->firm_id) {
        ftz_q_sql(q, " AND f.firm_id = ?");
        ftz_q_int(q, fq->firm_id);
    }
    if (fq->media_type) {
        ftz_q_sql(q, " AND f.media_type = ?");
        ftz_q_text(q, fq->media_type);
    }
    scope_files(c, q);
}

ftz_rc ftz_files_list(ftz_ctx *c, const ftz_files_q *fq, json_t **items, int64_t *total)
{
    *items = NULL;
    *total = 0;
    static const struct {
        const char *key, *col;
    } sorts[] = {
        {"id", "f.id"}, {"name", "f.name"}, {"size", "f.size"}, {"created_at", "f.created_at"}};
    const char *col = "f.id";
    for (size_t i = 0; fq->sort_key && i < FTZ_COUNTOF(sorts); i++)
        if (strcmp(sorts[i].key, fq->sort_key) == 0) col = sorts[i].col;

    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*)");
    list_where(c, fq, &q);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r == 1)
        *total = ftz_stmt_int(st, 0);
    else
        rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    ftz_stmt_done(st);
    if (rc) return rc;

    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT " FILE_COLS);
    list_where(c, fq, &q);
    ftz_q_sql(&q, " ORDER BY ");
    ftz_q_sql(&q, col);
    ftz_q_sql(&q, fq->desc ? " DESC" : " ASC");
    ftz_q_sql(&q, fq->desc ? ", f.id DESC" : ", f.id ASC");
    ftz_q_sql(&q, " LIMIT ? OFFSET ?");
    ftz_q_int(&q, fq->limit > 0 ? fq->limit : 50);
    ftz_q_int(&q, fq->offset > 0 ? fq->offset : 0);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1) {
        ftz_file f;
        memset(&f, 0, sizeof f);
        read_row(c, st, &f);
        json_array_append_new(arr, ftz_file_json(&f));
    }
    if (r < 0) rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    ftz_stmt_done(st);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return FTZ_OK;
}
