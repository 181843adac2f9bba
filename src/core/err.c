/* err.c — recording failures (see err.h). */
#include "core/ftz_setup.h"
#include "core/err.h"
#include "core/arena.h"

#include <string.h>

void ftz_err_init(ftz_err *e, ftz_arena *a)
{
    memset(e, 0, sizeof(*e));
    e->arena = a;
}

ftz_rc ftz_err_set(ftz_err *e, ftz_rc rc, const char *code, const char *param)
{
    if (!e) return rc;
    e->rc = rc;
    e->code = code ? ftz_arena_strdup(e->arena, code) : NULL;
    e->param = param ? ftz_arena_strdup(e->arena, param) : NULL;
    return rc;
}

void ftz_err_field(ftz_err *e, const char *field, const char *code, const char *param)
{
    if (!e) return;
    if (e->nfields == e->capfields) {
        size_t cap = e->capfields ? e->capfields * 2 : 8;
        ftz_field_err *n = ftz_arena_alloc(e->arena, cap * sizeof(*n));
        if (e->nfields) memcpy(n, e->fields, e->nfields * sizeof(*n));
        e->fields = n;
        e->capfields = cap;
    }
    ftz_field_err *f = &e->fields[e->nfields++];
    f->field = ftz_arena_strdup(e->arena, field);
    f->code = ftz_arena_strdup(e->arena, code);
    f->param = param ? ftz_arena_strdup(e->arena, param) : NULL;
    if (e->rc == FTZ_OK) {
        e->rc = FTZ_EINVAL;
        e->code = "invalid_fields";
    }
}

void ftz_err_duplicate(ftz_err *e, const char *field)
{
    if (!e) return;
    if (e->rc == FTZ_OK) ftz_err_set(e, FTZ_ECONFLICT, "duplicate", field);
    ftz_err_field(e, field, "exists", NULL);
}

const char *ftz_rc_name(ftz_rc rc)
{
    static const char *names[] = {"ok",       "parse",     "invalid", "auth",   "denied",
                                  "notfound", "conflict",  "stale",   "toobig", "media",
                                  "method",   "throttled", "db",      "io",     "internal"};
    if ((size_t)rc < FTZ_COUNTOF(names)) return names[rc];
    return "unknown";
}
