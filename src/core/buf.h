/* buf.h — growable byte buffer with a hard cap (curl's dynbuf idea).
 *
 * Every buffer fed from outside is created with a cap; appending past it fails with
 * FTZ_ETOOBIG and leaves the buffer as it was, never silently truncating. Buffers built
 * from trusted pieces (SQL text, responses) use cap 0 = unbounded and the void helpers. */
#ifndef FTZ_BUF_H
#define FTZ_BUF_H

#include "core/ftz_setup.h"
#include "core/err.h"
#include <stdarg.h>

typedef struct ftz_buf {
    char *data; /* always NUL-terminated when non-NULL */
    size_t len;
    size_t cap; /* allocated */
    size_t max; /* 0 = unbounded */
} ftz_buf;

void ftz_buf_init(ftz_buf *b, size_t max);
void ftz_buf_cleanup(ftz_buf *b);
void ftz_buf_reset(ftz_buf *b);
ftz_rc ftz_buf_add(ftz_buf *b, const void *p, size_t n) FTZ_WUR;
/* Unbounded appends: the buffer must have max == 0 (checked: a capped buffer aborts).
 * No append may take its source from inside the same buffer (it may move). */
void ftz_buf_put(ftz_buf *b, const void *p, size_t n);
void ftz_buf_puts(ftz_buf *b, const char *s);
void ftz_buf_putc(ftz_buf *b, char c);
void ftz_buf_printf(ftz_buf *b, const char *fmt, ...) FTZ_PRINTF(2, 3);
/* Hands the heap string to the caller (free with ftz_free); the buffer is left empty. */
char *ftz_buf_take(ftz_buf *b);
const char *ftz_buf_str(const ftz_buf *b); /* "" when empty */

#endif
