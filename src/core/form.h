/* form.h — application/x-www-form-urlencoded bodies (HTML forms, Open311 POSTs), parsed
 * strictly and without surprises.
 *
 * The body is split on '&' into name=value pairs (a pair without '=' is a name with an empty
 * value; empty pairs, as in "a=1&&b=2", are skipped). In names and values '+' is a space and
 * %XX a byte (hex digits of either case); a '%' not followed by two hex digits is an error
 * rather than kept as text, so that a mangled body is refused instead of half-understood.
 * The decoded names and values must be valid UTF-8 without NUL bytes (ftz_utf8_valid).
 * Repeated names are kept, in order: the caller decides whether a repetition is a list
 * (Open311's attribute[code][]) or an error. Limits on the number of fields and the length
 * of a decoded name and value keep a hostile body cheap. Pure: no I/O, memory from the
 * arena. */
#ifndef FTZ_CORE_FORM_H
#define FTZ_CORE_FORM_H

#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/err.h"

typedef struct ftz_form_field {
    const char *name, *value; /* decoded, NUL-terminated, valid UTF-8 */
} ftz_form_field;

typedef struct ftz_form {
    ftz_form_field *fields; /* in body order */
    size_t n;
} ftz_form;

typedef struct ftz_form_limits {
    size_t max_fields; /* 0 = 256 */
    size_t max_name;   /* bytes of a decoded name; 0 = 256 */
    size_t max_value;  /* bytes of a decoded value; 0 = 65536 */
} ftz_form_limits;

/* Parses len bytes of body (need not be NUL-terminated; NULL when len is 0). lim may be
 * NULL (the defaults). On failure returns FTZ_EPARSE with *why one of "percent" (a bad %
 * escape), "utf8" (a name or value not valid UTF-8, or a NUL byte), or FTZ_ETOOBIG with
 * *why one of "fields", "name", "value"; *at (when not NULL) is the 0-based index of the
 * pair that failed. out is left empty on failure. */
ftz_rc ftz_form_parse(ftz_arena *a, const unsigned char *body, size_t len,
                      const ftz_form_limits *lim, ftz_form *out, const char **why,
                      size_t *at) FTZ_WUR;

/* The value of the first field called name, or NULL. */
const char *ftz_form_get(const ftz_form *f, const char *name);
/* How many fields are called name. */
size_t ftz_form_count(const ftz_form *f, const char *name);

/* Splits a bracketed name: with base "attribute", "attribute[code]" gives *key "code" and
 * *list false, "attribute[code][]" gives "code" and true. The key is 1..255 bytes without
 * '[' or ']'. False (nothing written) for every other shape — "attribute", "attribute[]",
 * "attribute[a][b]", "attribute[a]x", another base. The key is allocated in a. */
bool ftz_form_bracket(ftz_arena *a, const char *name, const char *base, const char **key,
                      bool *list);

#endif
