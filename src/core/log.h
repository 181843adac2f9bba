/* log.h — one-line logs to stderr (journald adds its own time, but a terminal needs one).
 * The access log is written by http/server.c through ftz_log_access. */
#ifndef FTZ_LOG_H
#define FTZ_LOG_H

#include "core/ftz_setup.h"

typedef enum { FTZ_LOG_DEBUG, FTZ_LOG_INFO, FTZ_LOG_WARN, FTZ_LOG_ERROR } ftz_log_level;

void ftz_log_set_level(ftz_log_level lvl);
bool ftz_log_enabled(ftz_log_level lvl);
void ftz_log(ftz_log_level lvl, const char *fmt, ...) FTZ_PRINTF(2, 3);
#define ftz_log_info(...)  ftz_log(FTZ_LOG_INFO, __VA_ARGS__)
#define ftz_log_warn(...)  ftz_log(FTZ_LOG_WARN, __VA_ARGS__)
#define ftz_log_error(...) ftz_log(FTZ_LOG_ERROR, __VA_ARGS__)
#define ftz_log_debug(...) ftz_log(FTZ_LOG_DEBUG, __VA_ARGS__)

#endif
