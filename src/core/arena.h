/* arena.h — region allocator: one per request and per CLI command.
 *
 * Handler and service code allocates from the context's arena and frees nothing; the whole
 * arena is dropped after the response. Objects owned by libraries (jansson values, PGresult)
 * can be tied to the arena's lifetime with ftz_arena_defer. */
#ifndef FTZ_ARENA_H
#define FTZ_ARENA_H

#include "core/ftz_setup.h"
#include <stdarg.h>

typedef struct ftz_arena ftz_arena;

ftz_arena *ftz_arena_new(void);
/* Runs the deferred cleanups (last registered first), then frees every block. */
void ftz_arena_free(ftz_arena *a);
/* Runs the deferred cleanups and forgets every allocation, keeping one standard block for
 * the next use (a worker reuses one arena for request after request). */
void ftz_arena_reset(ftz_arena *a);
/* Zeroed memory aligned for any type; never NULL. */
void *ftz_arena_alloc(ftz_arena *a, size_t n);
char *ftz_arena_strdup(ftz_arena *a, const char *s);
char *ftz_arena_strndup(ftz_arena *a, const char *s, size_t n);
char *ftz_arena_printf(ftz_arena *a, const char *fmt, ...) FTZ_PRINTF(2, 3);
char *ftz_arena_vprintf(ftz_arena *a, const char *fmt, va_list ap);
/* Calls fn(p) when the arena is freed. */
void ftz_arena_defer(ftz_arena *a, void (*fn)(void *), void *p);
/* Bytes handed out so far (for tests and metrics). */
size_t ftz_arena_used(const ftz_arena *a);

#endif
