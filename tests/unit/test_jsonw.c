/* test_jsonw.c — the streaming JSON writer (escapes, separators, nesting, raw splicing) and
 * the syntax check, cross-checked against jansson's parser. */
#include "core/ftz_setup.h"
#include "core/jsonw.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static void test_writer(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 0);
    ftz_jw w;
    ftz_jw_init(&w, &b);
    ftz_jw_obj(&w);
    ftz_jw_key(&w, "s");
    ftz_jw_str(&w, "黑河 \"q\" \\ \n\t\x01 Москва");
    ftz_jw_key(&w, "n");
    ftz_jw_int(&w, INT64_MIN);
    ftz_jw_key(&w, "a");
    ftz_jw_arr(&w);
    ftz_jw_bool(&w, true);
    ftz_jw_null(&w);
    ftz_jw_str(&w, NULL);
    ftz_jw_raw(&w, "{\"k\":[1,2.5e3,\"x\"]}");
    ftz_jw_raw(&w, "{broken");
    ftz_jw_raw(&w, NULL);
    ftz_jw_arr(&w);
    ftz_jw_arr_end(&w);
    ftz_jw_arr_end(&w);
    ftz_jw_key(&w, "e");
    ftz_jw_obj(&w);
    ftz_jw_obj_end(&w);
    ftz_jw_obj_end(&w);
    assert_string_equal(
        ftz_buf_str(&b),
        "{\"s\":\"黑河 \\\"q\\\" \\\\ \\n\\t\\u0001 Москва\",\"n\":-9223372036854775808,"
        "\"a\":[true,null,null,{\"k\":[1,2.5e3,\"x\"]},\"{broken\",null,[]],"
        "\"e\":{}}");
    json_error_t err;
    json_t *j = json_loads(ftz_buf_str(&b), 0, &err);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "s")),
                        "黑河 \"q\" \\ \n\t\x01 Москва");
    json_decref(j);
    ftz_buf_cleanup(&b);
}

static void test_valid(void **state)
{
    (void)state;
    static const char *const good[] = {
        "0",           "-0",
        "1.5",         "-2e10",
        "1E+2",        "true",
        "false",       "null",
        "\"\"",        "\"a\\u00e9\\n\"",
        " {} ",        "[]",
        "[1,[2,[3]]]", "{\"a\":{\"b\":[null,true]}}",
        "\"黑河\"",
    };
    static const char *const bad[] = {
        "",        " ",
        "01",      "1.",
        ".5",      "+1",
        "1e",      "tru",
        "nul",     "\"abc",
        "\"\\x\"", "\"\\u12\"",
        "{",       "[1,]",
        "{\"a\"}", "{\"a\":}",
        "{a:1}",   "[1 2]",
        "1 2",     "\"tab\there\"",
        "{}x",     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        assert_true(ftz_json_valid(good[i], strlen(good[i])));
        json_t *j = json_loads(good[i], JSON_DECODE_ANY, NULL);
        assert_non_null(j);
        json_decref(j);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(ftz_json_valid(bad[i], strlen(bad[i])));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
