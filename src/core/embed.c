/* embed.c — lookup in the table that cmake/embed.cmake generates. */
#include "core/ftz_setup.h"
#include "core/embed.h"

#include <string.h>

const struct ftz_embedded_file *ftz_embed_find(const char *path)
{
    for (const struct ftz_embedded_file *f = ftz_embedded; f->path; f++)
        if (strcmp(f->path, path) == 0) return f;
    return NULL;
}
