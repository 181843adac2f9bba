/* ftz_setup.h — included first by every .c file of ftz.
 *
 * C17 alone hides POSIX interfaces (strdup, clock_gettime, pthread_*); this header asks
 * for them before any system header is read, and holds the few attributes every file uses. */
#ifndef FTZ_SETUP_H
#define FTZ_SETUP_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1 /* timegm, SO_REUSEPORT, strcasecmp in <strings.h> */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FTZ_WUR          __attribute__((warn_unused_result))
#define FTZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define FTZ_UNUSED(x)    ((void)(x))
#define FTZ_COUNTOF(a)   (sizeof(a) / sizeof((a)[0]))

#ifndef FTZ_VERSION
#define FTZ_VERSION "0.1.0"
#endif

#endif
