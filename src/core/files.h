/* files.h — uploads stored in the database (DESIGN.md §5): content, size, SHA-256 and a media
 * type decided by the content, so every instance sees them; never executed, never served
 * inline (the HTTP layer answers with Content-Disposition: attachment and nosniff).
 *
 * Accepted types, recognised by their first bytes (the declared type only has to agree):
 *   application/pdf     "%PDF-"
 *   image/png           the 8-byte PNG signature
 *   image/jpeg          FF D8 FF
 *   XLSX / DOCX         a ZIP ("PK\3\4") whose central directory holds [Content_Types].xml
 *                       and entries under xl/ (XLSX) or word/ (DOCX), read with libzip
 *   application/xml     "<?xml" after an optional UTF-8 byte-order mark
 *   text/csv, text/plain  valid UTF-8 without NUL or control characters other than TAB, LF,
 *                       FF and CR (optional BOM); text/csv when declared so or the name ends
 *                       in .csv, else text/plain
 * Anything else is refused.
 *
 * Scope (done in SQL, DESIGN.md §7): scope all sees every file; own_firm only the files of
 * its firm; own_firms the files of the firms it is commissioner of and files it uploaded;
 * dept_tree the files of firms looked after by its department tree and files it uploaded. A
 * file tied to no firm (an export, a staff upload) is its uploader's and scope-all users'
 * only. A file outside the scope is FTZ_ENOTFOUND. */
#ifndef FTZ_CORE_FILES_H
#define FTZ_CORE_FILES_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

#define FTZ_FILE_MAX      (20 * 1024 * 1024) /* bytes of one upload */
#define FTZ_FILE_NAME_MAX 200                /* characters of a file name */

typedef struct ftz_file {
    int64_t id;
    const char *name;
    const char *media_type;
    int64_t size;
    const char *sha256; /* lower-case hex */
    int64_t firm_id;    /* 0 = none */
    int64_t created_by; /* 0 = the system */
    const char *created_at;
    const void *content; /* in the arena; NULL unless asked for */
    size_t content_len;
} ftz_file;

/* The media type of the bytes (see the table above), or NULL when not accepted. name helps
 * only to tell CSV from plain text; declared (may be NULL) likewise. Exposed for tests. */
const char *ftz_file_sniff(const void *data, size_t len, const char *name, const char *declared);

/* Stores an upload. name: 1..200 characters of valid UTF-8 without '/', '\' or control
 * characters (not "." or ".."). declared_type: the client's Content-Type or NULL; when given
 * (and not application/octet-stream, which says nothing) it must name the type the content
 * has. firm_id 0 = none; a principal with scope own_firm always stores under its own firm;
 * other principals may name a firm within their scope. Errors: FTZ_ETOOBIG over FTZ_FILE_MAX;
 * FTZ_EINVAL with field errors "name", "content" (required, file_type), "content_type"
 * (file_type), "firm_id" (no_such). One transaction, audited as "file.upload" (without the
 * content). */
ftz_rc ftz_file_put(ftz_ctx *c, const char *name, const void *data, size_t len,
                    const char *declared_type, int64_t firm_id, int64_t *id) FTZ_WUR;

/* A file within the caller's scope, its metadata and, when with_content, a copy of the bytes
 * in c->arena. FTZ_ENOTFOUND when missing or out of scope. */
ftz_rc ftz_file_get(ftz_ctx *c, int64_t id, bool with_content, ftz_file *out) FTZ_WUR;

/* The metadata as the API shows it: {id, name, media_type, size, sha256, firm_id,
 * created_by, created_at}. */
json_t *ftz_file_json(const ftz_file *f);

typedef struct ftz_files_q {
    int64_t firm_id;        /* 0 = any */
    const char *media_type; /* NULL = any */
    const char *sort_key;   /* id, name, size, created_at (NULL = id) */
    bool desc;
    int64_t limit, offset;
} ftz_files_q;

/* One page of the files within the caller's scope (metadata only) and the total count. */
ftz_rc ftz_files_list(ftz_ctx *c, const ftz_files_q *q, json_t **items, int64_t *total) FTZ_WUR;

#endif
