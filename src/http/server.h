/* server.h — `ftz serve`: libevent evhttp, one event loop per worker thread on one
 * SO_REUSEPORT port (DESIGN.md §8), a job-runner thread, graceful stop on SIGINT/SIGTERM. */
#ifndef FTZ_HTTP_SERVER_H
#define FTZ_HTTP_SERVER_H

#include "core/ftz_setup.h"
#include "core/conf.h"
#include "core/err.h"

/* Runs until SIGINT/SIGTERM. Prints "ftz: listening on http://ADDR:PORT/" to stdout once
 * every loop is bound (tests wait for that line; port 0 picks a free port). */
ftz_rc ftz_server_run(const ftz_conf *conf) FTZ_WUR;

#endif
