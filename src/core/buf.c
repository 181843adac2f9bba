/* buf.c — capped growable buffer (see buf.h). */
#include "core/ftz_setup.h"
#include "core/buf.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ftz_buf_init(ftz_buf *b, size_t max)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->max = max;
}

void ftz_buf_cleanup(ftz_buf *b)
{
    ftz_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void ftz_buf_reset(ftz_buf *b)
{
    b->len = 0;
    if (b->data) b->data[0] = '\0';
}

static void grow(ftz_buf *b, size_t need)
{
    if (need + 1 <= b->cap) return;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need + 1)
        cap *= 2;
    b->data = ftz_realloc(b->data, cap);
    b->cap = cap;
}

void ftz_buf_reserve(ftz_buf *b, size_t n)
{
    grow(b, b->len + n);
}

ftz_rc ftz_buf_add(ftz_buf *b, const void *p, size_t n)
{
    if (n > SIZE_MAX / 2 - b->len) return FTZ_ETOOBIG;
    if (b->max && b->len + n > b->max) return FTZ_ETOOBIG;
    grow(b, b->len + n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return FTZ_OK;
}

void ftz_buf_put_slow(ftz_buf *b, const void *p, size_t n)
{
    if (b->max) {
        fprintf(stderr, "ftz: unbounded append to a capped buffer\n");
        abort();
    }
    grow(b, b->len + n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void ftz_buf_puts(ftz_buf *b, const char *s)
{
    ftz_buf_put(b, s, strlen(s));
}

void ftz_buf_printf(ftz_buf *b, const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (b->max) {
        fprintf(stderr, "ftz: unbounded append to a capped buffer\n");
        abort();
    }
    if (n > 0) {
        grow(b, b->len + (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
        b->len += (size_t)n;
    }
    va_end(ap);
}

char *ftz_buf_take(ftz_buf *b)
{
    char *p = b->data;
    if (!p) p = ftz_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

const char *ftz_buf_str(const ftz_buf *b)
{
    return b->data ? b->data : "";
}
