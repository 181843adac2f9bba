/* err.h — the one way ftz functions fail.
 *
 * Fallible functions return ftz_rc (0 = success) and are marked FTZ_WUR. A caller that needs
 * to tell a person what went wrong passes an ftz_err: services record the rule that broke
 * and, for input, every broken field (field, code, parameter). Messages are not written here:
 * the HTTP layer and the CLI render codes in the reader's language (core/i18n.h). */
#ifndef FTZ_ERR_H
#define FTZ_ERR_H

#include "core/ftz_setup.h"

typedef enum ftz_rc {
    FTZ_OK = 0,
    FTZ_EPARSE,     /* cannot be parsed (HTTP 400, CLI 65) */
    FTZ_EINVAL,     /* parses but breaks a rule (422, 65) */
    FTZ_EAUTH,      /* no valid session or token (401) */
    FTZ_EDENIED,    /* authenticated, lacks the permission (403) */
    FTZ_ENOTFOUND,  /* missing or outside the caller's scope (404) */
    FTZ_ECONFLICT,  /* duplicate key or wrong state (409) */
    FTZ_ESTALE,     /* stale version (412) */
    FTZ_ETOOBIG,    /* over a size cap (413) */
    FTZ_EMEDIA,     /* unsupported media type (415) */
    FTZ_EMETHOD,    /* method not allowed on this path (405) */
    FTZ_ETHROTTLED, /* too many attempts (429) */
    FTZ_EDB,        /* the database failed (500/503) */
    FTZ_EIO,        /* a file or the system failed */
    FTZ_EINTERNAL,  /* a bug: an invariant broke */
} ftz_rc;

typedef struct ftz_arena ftz_arena;

typedef struct ftz_field_err {
    const char *field; /* JSON pointer-ish path: "roles[2]", "password" */
    const char *code;  /* stable rule code: required, type, too_long, unknown, format, … */
    const char *param; /* the rule's parameter (a limit, an expected type), or NULL */
} ftz_field_err;

typedef struct ftz_err {
    ftz_arena *arena;  /* where the strings live */
    ftz_rc rc;         /* FTZ_OK while nothing is recorded */
    const char *code;  /* message key of the detail (i18n), e.g. "username_taken" */
    const char *param; /* its parameter */
    ftz_field_err *fields;
    size_t nfields, capfields;
    int64_t retry_after; /* seconds, for FTZ_ETHROTTLED */
} ftz_err;

void ftz_err_init(ftz_err *e, ftz_arena *a);
/* Records the outcome and its message key; returns rc so callers can `return ftz_err_set(…)`. */
ftz_rc ftz_err_set(ftz_err *e, ftz_rc rc, const char *code, const char *param);
/* Records a broken field (and sets rc to FTZ_EINVAL unless an error is already set). */
void ftz_err_field(ftz_err *e, const char *field, const char *code, const char *param);
/* Records a duplicate key on field: a 409 (DESIGN.md §4) with the field listed, unless the
 * input already broke a rule (then it stays a 422 that lists this field too). */
void ftz_err_duplicate(ftz_err *e, const char *field);
const char *ftz_rc_name(ftz_rc rc);

#endif
