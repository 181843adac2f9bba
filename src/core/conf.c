/* conf.c — configuration sources and their precedence (see conf.h). */
#include "core/ftz_setup.h"
#include "core/conf.h"
#include "core/mem.h"

#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ftz_conf_defaults(ftz_conf *c)
{
    memset(c, 0, sizeof(*c));
    c->listen = ftz_strdup("127.0.0.1:8080");
    c->db_url = ftz_strdup("sqlite:var/ftz.db");
    c->workers = 0;
    c->web_dir = ftz_strdup("web/dist");
    c->max_body = 64LL * 1024 * 1024;
    c->max_connections = 4096;
    c->request_timeout = 30;
    c->session_ttl = 12 * 3600;
    c->session_idle = 30 * 60;
    c->job_lease = 30;
    c->job_poll_ms = 1000;
    c->log_level = ftz_strdup("info");
    c->test_hooks = false;
}

void ftz_conf_cleanup(ftz_conf *c)
{
    ftz_free(c->listen);
    ftz_free(c->db_url);
    ftz_free(c->web_dir);
    ftz_free(c->log_level);
    ftz_free(c->config_file);
    ftz_free(c->trusted_proxies);
    memset(c, 0, sizeof(*c));
}

static bool parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    if (!s || !*s) return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < min || v > max) return false;
    *out = v;
    return true;
}

static void replace(char **slot, const char *v)
{
    ftz_free(*slot);
    *slot = ftz_strdup(v);
}

ftz_rc ftz_conf_set(ftz_conf *c, const char *key, const char *value, char *errbuf, size_t errlen)
{
    int64_t v;
    if (strcmp(key, "listen") == 0) {
        if (!strchr(value, ':')) goto bad;
        replace(&c->listen, value);
    } else if (strcmp(key, "db") == 0) {
        if (!*value) goto bad;
        replace(&c->db_url, value);
    } else if (strcmp(key, "workers") == 0) {
        if (!parse_int(value, 0, 256, &v)) goto bad;
        c->workers = (int)v;
    } else if (strcmp(key, "web_dir") == 0) {
        replace(&c->web_dir, value);
    } else if (strcmp(key, "max_body") == 0) {
        if (!parse_int(value, 1024, 1LL << 32, &v)) goto bad;
        c->max_body = v;
    } else if (strcmp(key, "max_connections") == 0) {
        if (!parse_int(value, 1, 1000000, &v)) goto bad;
        c->max_connections = (int)v;
    } else if (strcmp(key, "request_timeout") == 0) {
        if (!parse_int(value, 1, 3600, &v)) goto bad;
        c->request_timeout = (int)v;
    } else if (strcmp(key, "session_ttl") == 0) {
        if (!parse_int(value, 60, 90LL * 86400, &v)) goto bad;
        c->session_ttl = v;
    } else if (strcmp(key, "session_idle") == 0) {
        if (!parse_int(value, 10, 90LL * 86400, &v)) goto bad;
        c->session_idle = v;
    } else if (strcmp(key, "job_lease") == 0) {
        if (!parse_int(value, 1, 86400, &v)) goto bad;
        c->job_lease = (int)v;
    } else if (strcmp(key, "job_poll_ms") == 0) {
        if (!parse_int(value, 10, 600000, &v)) goto bad;
        c->job_poll_ms = (int)v;
    } else if (strcmp(key, "log_level") == 0) {
        if (strcmp(value, "debug") && strcmp(value, "info") && strcmp(value, "warn") &&
            strcmp(value, "error"))
            goto bad;
        replace(&c->log_level, value);
    } else if (strcmp(key, "trusted_proxies") == 0) {
        /* Stored as ",a,b," so that a lookup is one strstr of ",addr,". */
        ftz_free(c->trusted_proxies);
        c->trusted_proxies = NULL;
        if (*value) {
            size_t n = strlen(value);
            char *t = ftz_malloc(n + 3);
            size_t o = 0;
            t[o++] = ',';
            for (const char *p = value; *p; p++)
                if (*p != ' ') t[o++] = *p;
            t[o++] = ',';
            t[o] = '\0';
            c->trusted_proxies = t;
        }
    } else if (strcmp(key, "test_hooks") == 0) {
        if (strcmp(value, "0") && strcmp(value, "1")) goto bad;
        c->test_hooks = value[0] == '1';
    } else {
        snprintf(errbuf, errlen, "unknown setting '%s'", key);
        return FTZ_EINVAL;
    }
    return FTZ_OK;
bad:
    snprintf(errbuf, errlen, "bad value '%s' for '%s'", value, key);
    return FTZ_EINVAL;
}

typedef struct {
    ftz_conf *c;
    char *errbuf;
    size_t errlen;
    const char *path;
    int line;
    bool failed;
} ini_state;

/* inih reports the line of the first failure as ini_parse_file's result. */
static int on_ini(void *user, const char *section, const char *name, const char *value)
{
    ini_state *st = user;
    if (st->failed) return 0;
    if (section[0] && strcmp(section, "ftz") != 0) {
        snprintf(st->errbuf, st->errlen, "unknown section [%s]", section);
        st->failed = true;
        return 0;
    }
    char why[256];
    if (ftz_conf_set(st->c, name, value, why, sizeof why)) {
        snprintf(st->errbuf, st->errlen, "%s", why);
        st->failed = true;
        return 0;
    }
    return 1;
}

ftz_rc ftz_conf_load_file(ftz_conf *c, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, errlen, "%s: %s", path, strerror(errno));
        return FTZ_EIO;
    }
    ini_state st = {c, errbuf, errlen, path, 0, false};
    int r = ini_parse_file(f, on_ini, &st);
    fclose(f);
    if (st.failed) {
        char why[256];
        snprintf(why, sizeof why, "%s", errbuf);
        snprintf(errbuf, errlen, "%s:%d: %s", path, r, why);
        return FTZ_EINVAL;
    }
    if (r != 0) {
        snprintf(errbuf, errlen, "%s:%d: syntax error", path, r);
        return FTZ_EINVAL;
    }
    replace(&c->config_file, path);
    return FTZ_OK;
}

ftz_rc ftz_conf_load_env(ftz_conf *c, char *errbuf, size_t errlen)
{
    static const struct {
        const char *env, *key;
    } map[] = {
        {"FTZ_LISTEN", "listen"},
        {"FTZ_DB", "db"},
        {"FTZ_WORKERS", "workers"},
        {"FTZ_WEB_DIR", "web_dir"},
        {"FTZ_MAX_BODY", "max_body"},
        {"FTZ_MAX_CONNECTIONS", "max_connections"},
        {"FTZ_REQUEST_TIMEOUT", "request_timeout"},
        {"FTZ_SESSION_TTL", "session_ttl"},
        {"FTZ_SESSION_IDLE", "session_idle"},
        {"FTZ_JOB_LEASE", "job_lease"},
        {"FTZ_JOB_POLL_MS", "job_poll_ms"},
        {"FTZ_LOG_LEVEL", "log_level"},
        {"FTZ_TEST_HOOKS", "test_hooks"},
        {"FTZ_TRUSTED_PROXIES", "trusted_proxies"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(map); i++) {
        const char *v = getenv(map[i].env);
        if (!v) continue;
        char why[256];
        if (ftz_conf_set(c, map[i].key, v, why, sizeof why)) {
            snprintf(errbuf, errlen, "environment %s: %s", map[i].env, why);
            return FTZ_EINVAL;
        }
    }
    return FTZ_OK;
}
