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
/* Makes room for n more bytes up front (a body whose size is roughly known). */
void ftz_buf_reserve(ftz_buf *b, size_t n);
ftz_rc ftz_buf_add(ftz_buf *b, const void *p, size_t n) FTZ_WUR;
/* Unbounded appends: the buffer must have max == 0 (checked: a capped buffer aborts).
 * No append may take its source from inside the same buffer (it may move). */
void ftz_buf_put_slow(ftz_buf *b, const void *p, size_t n);
void ftz_buf_puts(ftz_buf *b, const char *s);

/* The appends hot writers make (core/jsonw.c): inline while the room is there. */
static inline void ftz_buf_put(ftz_buf *b, const void *p, size_t n)
{
    if (b->data && !b->max && n < b->cap - b->len) {
        __builtin_memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return;
    }
    ftz_buf_put_slow(b, p, n);
}

static inline void ftz_buf_putc(ftz_buf *b, char c)
{
    if (b->data && !b->max && b->len + 1 < b->cap) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return;
    }
    ftz_buf_put_slow(b, &c, 1);
}
void ftz_buf_printf(ftz_buf *b, const char *fmt, ...) FTZ_PRINTF(2, 3);
/* Hands the heap string to the caller (free with ftz_free); the buffer is left empty. */
char *ftz_buf_take(ftz_buf *b);
const char *ftz_buf_str(const ftz_buf *b); /* "" when empty */

#endif
