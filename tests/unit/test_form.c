/* test_form.c — the application/x-www-form-urlencoded parser (core/form.h): decoding of '+'
 * and %XX, pairs without '=', empty pairs, repeated names, bracketed attribute names, and
 * the refusals — bad escapes, bad UTF-8, NUL bytes, too many or too long fields. */
#include "core/ftz_setup.h"
#include "core/form.h"
#include "core/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* A good body and what it decodes to: "name=value" per field, joined by '|'. */
typedef struct good_case {
    const char *body;
    const char *want;
} good_case;

static const good_case good[] = {
    {"", ""},
    {"a=1", "a=1"},
    {"a=1&b=2", "a=1|b=2"},
    {"a=hello+world", "a=hello world"},
    {"a=%2B%26%3D%25", "a=+&=%"},
    {"a=%e4%b8%ad%E6%96%87", "a=中文"},
    {"%61%62=c", "ab=c"},
    {"flag", "flag="},
    {"flag&b=", "flag=|b="},
    {"a=1&&b=2&", "a=1|b=2"},
    {"&&&", ""},
    {"a=1=2", "a=1=2"},
    {"=x", "=x"},
    {"a=1&a=2&a=3", "a=1|a=2|a=3"},
    {"attribute[credit_code]=91230100MA1BX8R29K&attribute[lang]=ru",
     "attribute[credit_code]=91230100MA1BX8R29K|attribute[lang]=ru"},
    {"attribute%5Bx%5D%5B%5D=1&attribute[x][]=2", "attribute[x][]=1|attribute[x][]=2"},
    {"d=line1%0D%0Aline2", "d=line1\r\nline2"},
    {"a=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0", "a=Москва"},
    {"raw=中文", "raw=中文"},
};

static void test_good(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    for (size_t i = 0; i < FTZ_COUNTOF(good); i++) {
        ftz_form f;
        const char *why = "unset";
        size_t at = 99;
        ftz_rc rc = ftz_form_parse(a, (const unsigned char *)good[i].body, strlen(good[i].body),
                                   NULL, &f, &why, &at);
        if (rc != FTZ_OK) fail_msg("case %zu (%s): rc %d why %s", i, good[i].body, rc, why);
        assert_null(why);
        char got[512] = "";
        size_t off = 0;
        for (size_t k = 0; k < f.n; k++) {
            int w = snprintf(got + off, sizeof got - off, "%s%s=%s", k ? "|" : "", f.fields[k].name,
                             f.fields[k].value);
            assert_true(w > 0 && (size_t)w < sizeof got - off);
            off += (size_t)w;
        }
        if (strcmp(got, good[i].want) != 0)
            fail_msg("case %zu (%s): got '%s', want '%s'", i, good[i].body, got, good[i].want);
    }
    ftz_arena_free(a);
}

/* A bad body, the status, the reason and the index of the failing pair. */
typedef struct bad_case {
    const char *body;
    size_t len; /* 0 = strlen(body) */
    ftz_rc rc;
    const char *why;
    size_t at;
} bad_case;

static const bad_case bad[] = {
    {"a=%", 0, FTZ_EPARSE, "percent", 0},
    {"a=%4", 0, FTZ_EPARSE, "percent", 0},
    {"a=%zz", 0, FTZ_EPARSE, "percent", 0},
    {"a=%G1", 0, FTZ_EPARSE, "percent", 0},
    {"ok=1&b%=2", 0, FTZ_EPARSE, "percent", 1},
    {"a=100%", 0, FTZ_EPARSE, "percent", 0},
    {"a=%FF", 0, FTZ_EPARSE, "utf8", 0},
    {"a=%C0%AF", 0, FTZ_EPARSE, "utf8", 0},    /* overlong '/' */
    {"a=%ED%A0%80", 0, FTZ_EPARSE, "utf8", 0}, /* a surrogate */
    {"a=%E4%B8", 0, FTZ_EPARSE, "utf8", 0},    /* truncated sequence */
    {"a=1&b=x%00y", 0, FTZ_EPARSE, "utf8", 1}, /* an encoded NUL */
    {"a=1&n\xff=1", 0, FTZ_EPARSE, "utf8", 1}, /* a raw bad byte in a name */
    {"a=x\0y", 5, FTZ_EPARSE, "utf8", 0},      /* a raw NUL */
};

static void test_bad(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    for (size_t i = 0; i < FTZ_COUNTOF(bad); i++) {
        ftz_form f;
        const char *why = NULL;
        size_t at = 99;
        size_t len = bad[i].len ? bad[i].len : strlen(bad[i].body);
        ftz_rc rc = ftz_form_parse(a, (const unsigned char *)bad[i].body, len, NULL, &f, &why, &at);
        if (rc != bad[i].rc || !why || strcmp(why, bad[i].why) != 0 || at != bad[i].at)
            fail_msg("case %zu: rc %d why %s at %zu", i, rc, why ? why : "(null)", at);
        assert_int_equal(f.n, 0);
        assert_null(f.fields);
    }
    ftz_arena_free(a);
}

static void test_limits(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_form_limits lim = {.max_fields = 3, .max_name = 4, .max_value = 5};
    ftz_form f;
    const char *why;
    size_t at;
    const char *s = "a=1&b=2&c=3";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), &lim, &f, &why, &at),
                     FTZ_OK);
    assert_int_equal(f.n, 3);
    /* empty pairs do not count */
    s = "a=1&&b=2&&c=3&";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), &lim, &f, &why, &at),
                     FTZ_OK);
    s = "a=1&b=2&c=3&d=4";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), &lim, &f, &why, &at),
                     FTZ_ETOOBIG);
    assert_string_equal(why, "fields");
    /* the caps count decoded bytes: %41 is one byte */
    s = "abcd=%41%42%43%44%45";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), &lim, &f, &why, &at),
                     FTZ_OK);
    assert_string_equal(f.fields[0].value, "ABCDE");
    s = "abcde=1";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), &lim, &f, &why, &at),
                     FTZ_ETOOBIG);
    assert_string_equal(why, "name");
    assert_int_equal(at, 0);
    s = "a=1&b=123456";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), &lim, &f, &why, &at),
                     FTZ_ETOOBIG);
    assert_string_equal(why, "value");
    assert_int_equal(at, 1);
    assert_int_equal(f.n, 0);
    /* the defaults: 256 fields */
    char big[256 * 4 + 8];
    size_t off = 0;
    for (int i = 0; i < 257; i++) {
        memcpy(big + off, "a=1&", 4);
        off += 4;
    }
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)big, off - 4, NULL, &f, &why, &at),
                     FTZ_OK);
    assert_int_equal(f.n, 256);
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)big, off, NULL, &f, &why, &at),
                     FTZ_ETOOBIG);
    /* an empty body, NULL pointer */
    assert_int_equal(ftz_form_parse(a, NULL, 0, NULL, &f, &why, NULL), FTZ_OK);
    assert_int_equal(f.n, 0);
    ftz_arena_free(a);
}

static void test_get_count(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_form f;
    const char *why;
    const char *s = "a=1&b=2&a=3&c";
    assert_int_equal(ftz_form_parse(a, (const unsigned char *)s, strlen(s), NULL, &f, &why, NULL),
                     FTZ_OK);
    assert_string_equal(ftz_form_get(&f, "a"), "1");
    assert_string_equal(ftz_form_get(&f, "c"), "");
    assert_null(ftz_form_get(&f, "d"));
    assert_null(ftz_form_get(&f, "A"));
    assert_int_equal(ftz_form_count(&f, "a"), 2);
    assert_int_equal(ftz_form_count(&f, "b"), 1);
    assert_int_equal(ftz_form_count(&f, "d"), 0);
    ftz_arena_free(a);
}

typedef struct bracket_case {
    const char *name;
    bool ok;
    const char *key;
    bool list;
} bracket_case;

static const bracket_case brackets[] = {
    {"attribute[code]", true, "code", false},
    {"attribute[credit_code]", true, "credit_code", false},
    {"attribute[x][]", true, "x", true},
    {"attribute[中文]", true, "中文", false},
    {"attribute", false, NULL, false},
    {"attribute[]", false, NULL, false},
    {"attribute[][]", false, NULL, false},
    {"attribute[a][b]", false, NULL, false},
    {"attribute[a]x", false, NULL, false},
    {"attribute[a][]x", false, NULL, false},
    {"attribute[a", false, NULL, false},
    {"attribute[a[b]", false, NULL, false},
    {"attributes[a]", false, NULL, false},
    {"xattribute[a]", false, NULL, false},
    {"Attribute[a]", false, NULL, false},
    {"", false, NULL, false},
};

static void test_bracket(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    for (size_t i = 0; i < FTZ_COUNTOF(brackets); i++) {
        const char *key = "untouched";
        bool list = false;
        bool ok = ftz_form_bracket(a, brackets[i].name, "attribute", &key, &list);
        if (ok != brackets[i].ok) fail_msg("case %zu (%s): ok %d", i, brackets[i].name, ok);
        if (ok) {
            assert_string_equal(key, brackets[i].key);
            assert_int_equal(list, brackets[i].list);
        } else {
            assert_string_equal(key, "untouched");
        }
    }
    /* a key of 256 bytes is too long; 255 is fine */
    char name[300];
    memcpy(name, "attribute[", 10);
    memset(name + 10, 'k', 255);
    memcpy(name + 265, "]", 2);
    const char *key;
    bool list;
    assert_true(ftz_form_bracket(a, name, "attribute", &key, &list));
    assert_int_equal(strlen(key), 255);
    memset(name + 10, 'k', 256);
    memcpy(name + 266, "]", 2);
    assert_false(ftz_form_bracket(a, name, "attribute", &key, &list));
    ftz_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good),    cmocka_unit_test(test_bad),
        cmocka_unit_test(test_limits),  cmocka_unit_test(test_get_count),
        cmocka_unit_test(test_bracket),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
