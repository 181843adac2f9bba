/* arena.c — block-chained region allocator (see arena.h). Large requests get a block of
 * their own so that a big body does not waste a standard block. */
#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

typedef struct block {
    struct block *next;
    size_t size; /* usable bytes in data */
    size_t used;
    _Alignas(ARENA_ALIGN) unsigned char data[];
} block;

typedef struct deferred {
    struct deferred *next;
    void (*fn)(void *);
    void *p;
} deferred;

struct ftz_arena {
    block *head;
    deferred *defers;
    size_t total;
};

ftz_arena *ftz_arena_new(void)
{
    return ftz_calloc(1, sizeof(ftz_arena));
}

void ftz_arena_free(ftz_arena *a)
{
    if (!a) return;
    for (deferred *d = a->defers; d; d = d->next)
        d->fn(d->p);
    block *b = a->head;
    while (b) {
        block *n = b->next;
        ftz_free(b);
        b = n;
    }
    ftz_free(a);
}

void ftz_arena_reset(ftz_arena *a)
{
    for (deferred *d = a->defers; d; d = d->next)
        d->fn(d->p);
    a->defers = NULL;
    block *keep = NULL;
    block *b = a->head;
    while (b) {
        block *n = b->next;
        if (!keep && b->size == ARENA_BLOCK) {
            keep = b;
        } else {
            ftz_free(b);
        }
        b = n;
    }
    if (keep) {
        keep->next = NULL;
        keep->used = 0;
    }
    a->head = keep;
    a->total = 0;
}

static block *block_new(size_t size)
{
    block *b = ftz_malloc(sizeof(block) + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

void *ftz_arena_alloc(ftz_arena *a, size_t n)
{
    if (n == 0) n = 1;
    if (n > SIZE_MAX / 4) {
        /* A size this large is an overflow in the caller's arithmetic, never a real request. */
        fprintf(stderr, "ftz: arena allocation of %zu bytes refused\n", n);
        abort();
    }
    size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    block *b = a->head;
    if (!b || b->size - b->used < need) {
        if (need > ARENA_BLOCK / 4) {
            /* A block of its own, linked behind the head so the head keeps its space. */
            block *big = block_new(need);
            big->used = need;
            if (b) {
                big->next = b->next;
                b->next = big;
            } else {
                a->head = big;
            }
            a->total += n;
            memset(big->data, 0, need);
            return big->data;
        }
        b = block_new(ARENA_BLOCK);
        b->next = a->head;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += n;
    memset(p, 0, need);
    return p;
}

char *ftz_arena_strndup(ftz_arena *a, const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = ftz_arena_alloc(a, len + 1);
    memcpy(p, s, len);
    return p;
}

char *ftz_arena_strdup(ftz_arena *a, const char *s)
{
    if (!s) return NULL;
    return ftz_arena_strndup(a, s, strlen(s));
}

char *ftz_arena_vprintf(ftz_arena *a, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0) n = 0;
    char *p = ftz_arena_alloc(a, (size_t)n + 1);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    return p;
}

char *ftz_arena_printf(ftz_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *p = ftz_arena_vprintf(a, fmt, ap);
    va_end(ap);
    return p;
}

void ftz_arena_defer(ftz_arena *a, void (*fn)(void *), void *p)
{
    deferred *d = ftz_arena_alloc(a, sizeof(*d));
    d->fn = fn;
    d->p = p;
    d->next = a->defers;
    a->defers = d;
}

size_t ftz_arena_used(const ftz_arena *a)
{
    return a->total;
}
