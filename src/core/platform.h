/* platform.h — process-wide, read-only reference data loaded once at start-up from the
 * files embedded in the binary: the working-day calendar and the dictionaries. Immutable
 * after ftz_platform_init, so every thread reads them without locks. */
#ifndef FTZ_PLATFORM_H
#define FTZ_PLATFORM_H

#include "core/ftz_setup.h"
#include "core/calendar.h"
#include "core/dict.h"
#include "core/err.h"

typedef struct ftz_db ftz_db;

/* Loads the calendar and the dictionaries; errors name the file and line. */
ftz_rc ftz_platform_init(char *errbuf, size_t errlen) FTZ_WUR;
void ftz_platform_cleanup(void);
const ftz_cal *ftz_platform_cal(void);
const ftz_dicts *ftz_platform_dicts(void);
/* Start-up warnings (the calendar data ends within 90 days). */
void ftz_platform_startup_checks(ftz_db *db);

#endif
