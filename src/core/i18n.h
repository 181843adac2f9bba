/* i18n.h — server-side messages in Chinese (default), Russian and English: problem titles,
 * error details and field-rule messages. Keys are stable codes ("required", "status.404");
 * a message may hold one "%s" for the code's parameter. The web UI has its own catalogue. */
#ifndef FTZ_I18N_H
#define FTZ_I18N_H

#include "core/ftz_setup.h"

typedef struct ftz_arena ftz_arena;

/* "zh", "ru" or "en" from an Accept-Language header (q-values honoured); zh by default. */
const char *ftz_i18n_pick(const char *accept_language);
/* The message for key in lang with param substituted; the key itself if unknown. */
const char *ftz_i18n(ftz_arena *a, const char *lang, const char *key, const char *param);
/* Whether the key exists in all three languages (tests). */
bool ftz_i18n_has(const char *key);

#endif
