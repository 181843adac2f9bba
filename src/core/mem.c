/* mem.c — allocation wrappers that abort on failure (see mem.h). */
#include "core/ftz_setup.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void oom(size_t n)
{
    fprintf(stderr, "ftz: out of memory allocating %zu bytes\n", n);
    abort();
}

void *ftz_malloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *ftz_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *ftz_realloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *ftz_strdup(const char *s)
{
    size_t n = strlen(s);
    char *p = ftz_malloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

char *ftz_strndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *p = ftz_malloc(len + 1);
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

void ftz_free(void *p)
{
    free(p);
}
