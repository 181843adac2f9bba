/* export_reply.h — answering a list route's `.xlsx` / `.csv` form (DESIGN.md §4).
 *
 * A list handler flagged FTZ_ROUTE_EXPORT reads the same filters as its JSON form, fetches
 * every matching item (ftz_page_parse lifts the page cap for exports) and, when
 * ftz_req_ext(c) is set, hands the items to ftz_reply_export instead of ftz_reply_json. The
 * file itself is written by core/export.h; this is only the HTTP side: format from the
 * suffix, column titles in the reader's language, the download name, the reply — or, for a
 * large list, the job that writes the file with progress (ftz_export_jobs_init). */
#ifndef FTZ_HTTP_EXPORT_REPLY_H
#define FTZ_HTTP_EXPORT_REPLY_H

#include "core/ftz_setup.h"
#include "core/ctx.h"
#include "core/export.h"

#include <jansson.h>

/* One column with its header in the three languages; a route keeps a static table of these
 * and turns it into ftz_export_col for the request with ftz_export_cols_lang. */
typedef struct ftz_export_col_i18n {
    const char *key;          /* field of each item (dotted path allowed, see core/export.h) */
    const char *zh, *ru, *en; /* header text */
    ftz_col_type type;
    int width; /* XLSX width in characters; 0 = guessed */
} ftz_export_col_i18n;

/* The columns with titles in c->lang (Chinese for any other value), allocated in c's arena.
 * n == 0 returns NULL. */
const ftz_export_col *ftz_export_cols_lang(ftz_ctx *c, const ftz_export_col_i18n *defs, size_t n);

/* Renders items (an array of objects; stolen, also on failure) as the file ftz_req_ext(c)
 * asks for and replies 200 with it as a download named "<basename>-YYYYMMDD.<ext>" (today
 * in Asia/Shanghai); basename is also the XLSX sheet name. Replies with problem+json
 * instead when the suffix is not an export format (415) or the export fails: 413 past
 * FTZ_EXPORT_MAX_ROWS or an XLSX cell too long, 500 for a failed temporary file and for a
 * value that does not fit its column type (a bug in the caller's columns, logged). Ends the
 * handler: exactly one reply is made. */
void ftz_reply_export(ftz_ctx *c, const char *basename, const ftz_export_col *cols, size_t ncols,
                      json_t *items);

/* Registers the "export" job kind (call once at start-up, before threads). An export whose
 * list has more rows than the setting export.sync_max_rows is not answered at once: the
 * route answers 202 Accepted with Location /api/v1/jobs/{id} and {"job": …}; the job runs the
 * same list handler as its creator (same filters, scope and language), writes the file with
 * progress, stores it with core/files.h, and its result carries file_id, name, media_type and
 * rows. */
void ftz_export_jobs_init(void);

#endif
