/* log.c — stderr logger; one write(2) per line so threads do not interleave. */
#include "core/ftz_setup.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static ftz_log_level min_level = FTZ_LOG_INFO;

void ftz_log_set_level(ftz_log_level lvl)
{
    min_level = lvl;
}

bool ftz_log_enabled(ftz_log_level lvl)
{
    return lvl >= min_level;
}

void ftz_log(ftz_log_level lvl, const char *fmt, ...)
{
    if (lvl < min_level) return;
    static const char *names[] = {"debug", "info", "warn", "error"};
    char line[2048];
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    int n = (int)strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%SZ", &tm);
    n += snprintf(line + n, sizeof line - (size_t)n, " %s ", names[lvl]);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0) m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof line - 2) len = sizeof line - 2;
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
