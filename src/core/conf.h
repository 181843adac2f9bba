/* conf.h — configuration: flags > environment (FTZ_*) > config file (INI, inih) > defaults.
 *
 * Keys (file key / environment variable / flag):
 *   listen           FTZ_LISTEN           --listen   address:port to serve on (127.0.0.1:8080)
 *   db               FTZ_DB               --db       database URL (sqlite:var/ftz.db)
 *   workers          FTZ_WORKERS                     event-loop threads (0 = one per core)
 *   web_dir          FTZ_WEB_DIR                     built web UI to serve (web/dist)
 *   max_body         FTZ_MAX_BODY                    outer request body cap, bytes (64 MiB)
 *   max_connections  FTZ_MAX_CONNECTIONS             open connections per process (4096)
 *   request_timeout  FTZ_REQUEST_TIMEOUT             seconds to read a request (30)
 *   session_ttl      FTZ_SESSION_TTL                 absolute session lifetime, seconds (12 h)
 *   session_idle     FTZ_SESSION_IDLE                idle timeout, seconds (30 min)
 *   job_lease        FTZ_JOB_LEASE                   job lease, seconds (30)
 *   job_poll_ms      FTZ_JOB_POLL_MS                 idle job poll interval (1000)
 *   log_level        FTZ_LOG_LEVEL                   debug | info | warn | error
 *   test_hooks       FTZ_TEST_HOOKS                  1 enables test-only job kinds (never in
 * production) The file is INI; keys may stand in a [ftz] section or before any section. */
#ifndef FTZ_CONF_H
#define FTZ_CONF_H

#include "core/ftz_setup.h"
#include "core/err.h"

typedef struct ftz_conf {
    char *listen;
    char *db_url;
    int workers;
    char *web_dir;
    int64_t max_body;
    int max_connections;
    int request_timeout;
    int64_t session_ttl;
    int64_t session_idle;
    int job_lease;
    int job_poll_ms;
    char *log_level;
    char *trusted_proxies; /* ",127.0.0.1,::1," with guarding commas, or NULL */
    bool test_hooks;
    char *config_file; /* the file read, if any */
} ftz_conf;

void ftz_conf_defaults(ftz_conf *c);
void ftz_conf_cleanup(ftz_conf *c);
/* Sets one key from text; on a bad value writes the reason into errbuf. */
ftz_rc ftz_conf_set(ftz_conf *c, const char *key, const char *value, char *errbuf,
                    size_t errlen) FTZ_WUR;
/* Reads an INI file (errors name the file and line). */
ftz_rc ftz_conf_load_file(ftz_conf *c, const char *path, char *errbuf, size_t errlen) FTZ_WUR;
/* Applies FTZ_* environment variables. */
ftz_rc ftz_conf_load_env(ftz_conf *c, char *errbuf, size_t errlen) FTZ_WUR;

#endif
