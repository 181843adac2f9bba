/* embed.h — files compiled into the binary by cmake/embed.cmake: every src/<module>/schema.sql
 * and the reference data under data/ (calendar, dictionaries). Paths are relative to the
 * source tree, e.g. "data/calendar/2024.csv". */
#ifndef FTZ_EMBED_H
#define FTZ_EMBED_H

#include "core/ftz_setup.h"

struct ftz_embedded_file {
    const char *path;
    const unsigned char *data; /* NUL-terminated */
    size_t len;
};
extern const struct ftz_embedded_file ftz_embedded[];

/* The file at path, or NULL. */
const struct ftz_embedded_file *ftz_embed_find(const char *path);

#endif
