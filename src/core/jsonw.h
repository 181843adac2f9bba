/* jsonw.h — a streaming JSON writer for hot responses, and a JSON syntax check.
 *
 * Building a jansson tree and dumping it costs an allocation per value; a page of 50 audit
 * rows spends most of its time there (bench/README.md). Lists that are read often write
 * their body straight into a buffer with this writer instead. Text is written as given
 * (UTF-8 checked at the door) with the escapes RFC 8259 requires. ftz_jw_raw splices JSON
 * text that is already JSON (a stored snapshot) after checking its syntax, so the output is
 * always valid JSON even if the stored text was tampered with. */
#ifndef FTZ_CORE_JSONW_H
#define FTZ_CORE_JSONW_H

#include "core/ftz_setup.h"
#include "core/buf.h"

#define FTZ_JW_DEPTH 32

typedef struct ftz_jw {
    ftz_buf *out; /* unbounded (max 0) */
    int depth;
    bool first[FTZ_JW_DEPTH]; /* no member written yet at this level */
    bool after_key;           /* the next value completes a "key": pair */
} ftz_jw;

void ftz_jw_init(ftz_jw *w, ftz_buf *out);
void ftz_jw_obj(ftz_jw *w);     /* { */
void ftz_jw_obj_end(ftz_jw *w); /* } */
void ftz_jw_arr(ftz_jw *w);     /* [ */
void ftz_jw_arr_end(ftz_jw *w); /* ] */
/* key must be the program's own constant (ASCII, nothing to escape). */
void ftz_jw_key(ftz_jw *w, const char *key);
void ftz_jw_str(ftz_jw *w, const char *s); /* NULL writes null */
void ftz_jw_int(ftz_jw *w, int64_t v);
void ftz_jw_bool(ftz_jw *w, bool v);
void ftz_jw_null(ftz_jw *w);
/* JSON text as a value: written as is when it is one valid JSON value, else as a string
 * (so a bad stored text shows rather than breaking the document). NULL writes null. */
void ftz_jw_raw(ftz_jw *w, const char *json);

/* Whether s[0..n) is exactly one JSON value (RFC 8259, nesting at most FTZ_JW_DEPTH deep,
 * surrounding white space allowed). Checks syntax only; allocates nothing. s[n] must be a
 * NUL (a C string and its strlen): the scan of string contents relies on it. */
bool ftz_json_valid(const char *s, size_t n);

#endif
