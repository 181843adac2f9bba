/* test_router.c — method + path matching, path parameters (also with a literal suffix, as
 * Open311's "{service_code}.json"), the export suffix, 405 detection, and the route table's
 * own invariants (every route declares a permission, none twice). */
#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/conf.h"
#include "http/internal.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const ftz_route *route(ftz_arena *a, ftz_req *r, const char *method, const char *path,
                              bool *mismatch, char *allow)
{
    memset(r, 0, sizeof(*r));
    r->method = method;
    r->path = path;
    int index;
    return ftz_router_match(r, a, mismatch, allow, 128, &index);
}

static void test_match(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_req r;
    bool mm;
    char allow[128];
    const ftz_route *rt = route(a, &r, "GET", "/api/v1/users/42", &mm, allow);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/users/{id}");
    assert_int_equal(r.nparams, 1);
    assert_string_equal(r.params[0].name, "id");
    assert_string_equal(r.params[0].value, "42");
    assert_null(r.ext);

    rt = route(a, &r, "GET", "/api/v1/users.xlsx", &mm, allow);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/users");
    assert_string_equal(r.ext, "xlsx");
    rt = route(a, &r, "GET", "/api/v1/audit.csv", &mm, allow);
    assert_non_null(rt);
    assert_string_equal(r.ext, "csv");
    /* Only export routes take a suffix, and only known ones. */
    assert_null(route(a, &r, "GET", "/api/v1/users.pdf", &mm, allow));
    assert_null(route(a, &r, "GET", "/api/v1/roles.xlsx", &mm, allow));

    /* A literal segment wins when it comes first in the table. */
    rt = route(a, &r, "GET", "/api/v1/audit/head", &mm, allow);
    assert_non_null(rt);
    assert_string_equal(rt->pattern, "/api/v1/audit/head");

    /* HEAD is served by GET routes. */
    assert_non_null(route(a, &r, "HEAD", "/healthz", &mm, allow));

    /* A path under another method: 405 with Allow. */
    assert_null(route(a, &r, "DELETE", "/api/v1/users", &mm, allow));
    assert_true(mm);
    assert_non_null(strstr(allow, "GET"));
    assert_non_null(strstr(allow, "POST"));

    /* Unknown paths: plain 404. */
    assert_null(route(a, &r, "GET", "/api/v1/nothing", &mm, allow));
    assert_false(mm);
    assert_null(route(a, &r, "GET", "/api/v1/users/1/2/3/4/5/6/7/8/9/10/11/12/13", &mm, allow));
    ftz_arena_free(a);
}

/* A parameter with a literal suffix in its segment ("{service_code}.json"): the path must end
 * with the suffix, the value is what comes before it, and it must not be empty. */
static void test_param_suffix(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_req r;
    bool mm;
    char allow[128];
    static const struct {
        const char *method, *path, *pattern, *param, *value;
    } cases[] = {
        {"GET", "/open311/v2/services/customs.json", "/open311/v2/services/{service_code}.json",
         "service_code", "customs"},
        {"GET", "/open311/v2/services/customs.xml", "/open311/v2/services/{service_code}.xml",
         "service_code", "customs"},
        {"GET", "/open311/v2/services/a.xml.json", "/open311/v2/services/{service_code}.json",
         "service_code", "a.xml"},
        {"GET", "/open311/v2/requests/42.xml", "/open311/v2/requests/{service_request_id}.xml",
         "service_request_id", "42"},
        {"HEAD", "/open311/v2/requests/42.json", "/open311/v2/requests/{service_request_id}.json",
         "service_request_id", "42"},
        /* literal segments with a dot are plain literals */
        {"GET", "/open311/v2/services.json", "/open311/v2/services.json", NULL, NULL},
        {"POST", "/open311/v2/requests.xml", "/open311/v2/requests.xml", NULL, NULL},
        /* no suffix, another suffix, an empty value, a suffix only in the middle */
        {"GET", "/open311/v2/services/customs", NULL, NULL, NULL},
        {"GET", "/open311/v2/services/customs.csv", NULL, NULL, NULL},
        {"GET", "/open311/v2/services/.json", NULL, NULL, NULL},
        {"GET", "/open311/v2/services/customs.jsonx", NULL, NULL, NULL},
        {"GET", "/open311/v2/services/customs.JSON", NULL, NULL, NULL},
        {"GET", "/open311/v2/services.csv", NULL, NULL, NULL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const ftz_route *rt = route(a, &r, cases[i].method, cases[i].path, &mm, allow);
        if (!cases[i].pattern) {
            if (rt) fail_msg("case %zu (%s) matched %s", i, cases[i].path, rt->pattern);
            continue;
        }
        if (!rt) fail_msg("case %zu (%s) did not match", i, cases[i].path);
        assert_string_equal(rt->pattern, cases[i].pattern);
        assert_null(r.ext);
        if (cases[i].param) {
            assert_int_equal(r.nparams, 1);
            assert_string_equal(r.params[0].name, cases[i].param);
            assert_string_equal(r.params[0].value, cases[i].value);
        } else {
            assert_int_equal(r.nparams, 0);
        }
    }
    /* the suffix route under another method: 405 */
    assert_null(route(a, &r, "DELETE", "/open311/v2/services/customs.json", &mm, allow));
    assert_true(mm);
    assert_string_equal(allow, "GET");
    ftz_arena_free(a);
}

static void test_table(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(ftz_router_check(err, sizeof err), FTZ_OK);
    size_t n;
    const ftz_route *r = ftz_routes_all(&n);
    assert_true(n > 30);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(r[i].perm);
        assert_true(r[i].pattern[0] == '/');
        assert_non_null(r[i].handler);
        /* an adapter's own authentication still names a real permission */
        if (r[i].flags & FTZ_ROUTE_API_KEY) assert_true(r[i].perm[0] != '@');
    }
}

static void test_conf_precedence(void **state)
{
    (void)state;
    ftz_conf c;
    ftz_conf_defaults(&c);
    char err[256];
    char path[] = "/tmp/ftz-conf-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs("[ftz]\nlisten = 0.0.0.0:9000\nworkers = 3\nsession_idle = 600\n", f);
    fclose(f);
    assert_int_equal(ftz_conf_load_file(&c, path, err, sizeof err), FTZ_OK);
    assert_string_equal(c.listen, "0.0.0.0:9000");
    setenv("FTZ_LISTEN", "127.0.0.1:9100", 1);
    assert_int_equal(ftz_conf_load_env(&c, err, sizeof err), FTZ_OK);
    assert_string_equal(c.listen, "127.0.0.1:9100"); /* env over file */
    assert_int_equal(c.workers, 3);                  /* file over default */
    assert_int_equal(ftz_conf_set(&c, "listen", "127.0.0.1:9200", err, sizeof err), FTZ_OK);
    assert_string_equal(c.listen, "127.0.0.1:9200"); /* flag over env */
    unsetenv("FTZ_LISTEN");
    /* Bad values name the file and line. */
    f = fopen(path, "w");
    fputs("workers = 2\nworkers = many\n", f);
    fclose(f);
    assert_int_equal(ftz_conf_load_file(&c, path, err, sizeof err), FTZ_EINVAL);
    assert_non_null(strstr(err, ":2:"));
    f = fopen(path, "w");
    fputs("[other]\nx = 1\n", f);
    fclose(f);
    assert_int_equal(ftz_conf_load_file(&c, path, err, sizeof err), FTZ_EINVAL);
    assert_int_equal(ftz_conf_set(&c, "no_such", "1", err, sizeof err), FTZ_EINVAL);
    assert_int_equal(ftz_conf_set(&c, "session_ttl", "5", err, sizeof err), FTZ_EINVAL);
    unlink(path);
    ftz_conf_cleanup(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_param_suffix),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_conf_precedence),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
