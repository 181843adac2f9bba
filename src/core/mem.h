/* mem.h — the only allocator entry points of ftz.
 *
 * Allocation failure aborts here (as Redis zmalloc and Kore kore_malloc do), so call sites
 * carry no NULL checks. Growth fed by input is bounded elsewhere (buf caps, body caps), so a
 * client cannot drive the process into this abort. */
#ifndef FTZ_MEM_H
#define FTZ_MEM_H

#include "core/ftz_setup.h"

void *ftz_malloc(size_t n);
void *ftz_calloc(size_t n, size_t size);
void *ftz_realloc(void *p, size_t n);
char *ftz_strdup(const char *s);
char *ftz_strndup(const char *s, size_t n);
void ftz_free(void *p);

#endif
