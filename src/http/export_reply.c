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
#include "core/log.h"

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

void ftz_reply_export(ftz_ctx *c, const char *basename, const ftz_export_col *cols, size_t ncols,
                      json_t *items)
{
    ftz_export_format f;
    if (ftz_export_format_parse(ftz_req_ext(c), &f)) {
        json_decref(items);
        ftz_reply_fail(c, FTZ_EMEDIA, "media_type", "xlsx, csv");
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
