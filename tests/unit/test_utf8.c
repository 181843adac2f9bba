/* test_utf8.c — validation, code-point counting, search folding and LIKE escaping
 * (core/utf8.h). */
#include "core/ftz_setup.h"
#include "core/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static int setup(void **state)
{
    *state = ftz_arena_new();
    return 0;
}

static int teardown(void **state)
{
    ftz_arena_free(*state);
    return 0;
}

/* Byte strings with explicit lengths, so NUL bytes can be part of a case. */
#define B(s) s, sizeof(s) - 1

static const struct {
    const char *s;
    size_t n;
    bool valid;
    const char *what;
} valid_cases[] = {
    {B(""), true, "empty"},
    {B("abc"), true, "ASCII"},
    {B("\x01\x7f"), true, "C0 control and DEL"},
    {B("\xc2\x80"), true, "U+0080, smallest 2-byte"},
    {B("\xdf\xbf"), true, "U+07FF, largest 2-byte"},
    {B("\xe0\xa0\x80"), true, "U+0800, smallest 3-byte"},
    {B("\xed\x9f\xbf"), true, "U+D7FF, below the surrogates"},
    {B("\xee\x80\x80"), true, "U+E000, above the surrogates"},
    {B("\xef\xbf\xbd"), true, "U+FFFD"},
    {B("\xef\xbf\xbf"), true, "U+FFFF, a noncharacter but valid"},
    {B("\xf0\x90\x80\x80"), true, "U+10000, smallest 4-byte"},
    {B("\xf4\x8f\xbf\xbf"), true, "U+10FFFF, largest"},
    {B("黑河 Хэйхэ"), true, "Chinese and Cyrillic"},
    {B("\xef\xbb\xbf"
       "a"),
     true, "BOM as a character"},
    {B("\0"), false, "NUL"},
    {B("a\0b"), false, "NUL inside"},
    {B("\x80"), false, "lone continuation byte"},
    {B("\xbf"), false, "lone continuation byte (last)"},
    {B("\xc0\x80"), false, "overlong NUL (C0 80)"},
    {B("\xc1\xbf"), false, "overlong 2-byte (C1)"},
    {B("\xe0\x80\x80"), false, "overlong 3-byte NUL"},
    {B("\xe0\x9f\xbf"), false, "overlong 3-byte U+07FF"},
    {B("\xf0\x80\x80\x80"), false, "overlong 4-byte NUL"},
    {B("\xf0\x8f\xbf\xbf"), false, "overlong 4-byte U+FFFF"},
    {B("\xed\xa0\x80"), false, "surrogate U+D800"},
    {B("\xed\xbf\xbf"), false, "surrogate U+DFFF"},
    {B("\xed\xa0\xbd\xed\xb8\x80"), false, "CESU-8 surrogate pair"},
    {B("\xf4\x90\x80\x80"), false, "U+110000"},
    {B("\xf5\x80\x80\x80"), false, "lead F5"},
    {B("\xf8\x88\x80\x80\x80"), false, "5-byte form"},
    {B("\xfc\x84\x80\x80\x80\x80"), false, "6-byte form"},
    {B("\xfe"), false, "FE"},
    {B("\xff"), false, "FF"},
    {B("\xc2"), false, "truncated 2-byte"},
    {B("\xe4\xb8"), false, "truncated 3-byte"},
    {B("\xf0\x9f\x98"), false, "truncated 4-byte"},
    {B("\xe4\xb8"
       "a"),
     false, "3-byte cut by ASCII"},
    {B("\xc2\xc2\x80"), false, "lead where a continuation belongs"},
    {B("a\xe4\xb8\xad\xe6\x96"), false, "valid then truncated at the end"},
    {B("\xe4\xb8\xad\x80"), false, "extra continuation byte"},
};

static void test_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < FTZ_COUNTOF(valid_cases); i++)
        if (ftz_utf8_valid(valid_cases[i].s, valid_cases[i].n) != valid_cases[i].valid)
            fail_msg("%s: expected %s", valid_cases[i].what,
                     valid_cases[i].valid ? "valid" : "invalid");
    assert_true(ftz_utf8_valid(NULL, 0));
    /* The length bounds the check: the bytes after n are not read. */
    assert_true(ftz_utf8_valid("ab\xff", 2));
    assert_false(ftz_utf8_valid("\xe4\xb8\xad", 2));
}

/* Every code point encodes to a sequence the validator accepts, surrogates excepted. */
static void test_valid_exhaustive(void **state)
{
    (void)state;
    for (uint32_t cp = 1; cp <= 0x10ffff; cp++) {
        unsigned char b[4];
        size_t n;
        if (cp < 0x80) {
            b[0] = (unsigned char)cp;
            n = 1;
        } else if (cp < 0x800) {
            b[0] = (unsigned char)(0xc0 | cp >> 6);
            b[1] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 2;
        } else if (cp < 0x10000) {
            b[0] = (unsigned char)(0xe0 | cp >> 12);
            b[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 3;
        } else {
            b[0] = (unsigned char)(0xf0 | cp >> 18);
            b[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3f));
            b[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3f));
            b[3] = (unsigned char)(0x80 | (cp & 0x3f));
            n = 4;
        }
        bool want = cp < 0xd800 || cp > 0xdfff;
        if (ftz_utf8_valid((const char *)b, n) != want) fail_msg("U+%04X", (unsigned)cp);
        /* and every proper prefix of a multi-byte sequence is truncated */
        for (size_t k = 1; k < n; k++)
            if (ftz_utf8_valid((const char *)b, k)) fail_msg("prefix of U+%04X", (unsigned)cp);
    }
}

static void test_len(void **state)
{
    (void)state;
    assert_int_equal(ftz_utf8_len(""), 0);
    assert_int_equal(ftz_utf8_len("abc"), 3);
    assert_int_equal(ftz_utf8_len("黑河"), 2);
    assert_int_equal(ftz_utf8_len("Хэйхэ"), 5);
    assert_int_equal(ftz_utf8_len("é"), 1);
    assert_int_equal(ftz_utf8_len("e\xcc\x81"), 2); /* e + combining acute: two code points */
    assert_int_equal(ftz_utf8_len("\xf0\x9f\x98\x80!"), 2);
}

static void test_fold(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"ÉCOLE", "école"},
        {"école", "école"},
        {"E\xcc\x81"
         "cole",
         "école"},         /* decomposed input composes */
        {"ＡＢＣ", "abc"}, /* full-width Latin */
        {"ａｂｃ１２３", "abc123"},
        {"abc", "abc"},
        {"МОСКВА", "москва"},
        {"Москва", "москва"},
        {"ХЭЙХЭ Благовещенск", "хэйхэ благовещенск"},
        {"黑河自贸片区", "黑河自贸片区"},                               /* Chinese unchanged */
        {"中国（黑龙江）自由贸易试验区", "中国(黑龙江)自由贸易试验区"}, /* full-width brackets */
        {"Straße", "strasse"},
        {"ﬁle", "file"}, /* ligature */
        {"Ⅻ", "xii"},    /* Roman numeral */
        {"  a   b  ", "a b"},
        {"\ta\r\n\nb\v\f", "a b"},
        {"a\xe3\x80\x80"
         "b",
         "a b"}, /* ideographic space */
        {"a\xc2\xa0\xc2\xa0"
         "b",
         "a b"}, /* no-break spaces */
        {"a\xe2\x80\xa8"
         "b",
         "a b"}, /* line separator */
        {"a\xe2\x80\x83"
         "b",
         "a b"}, /* em space */
        {"so\xc2\xad"
         "ft",
         "soft"}, /* soft hyphen ignored */
        {"zero\xe2\x80\x8bwidth", "zerowidth"},
        {"   ", ""},
        {"", ""},
        {"A%_\\", "a%_\\"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *got = ftz_utf8_fold(a, cases[i].in);
        if (!got) fail_msg("case %zu: NULL", i);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("case %zu: \"%s\" folded to \"%s\", want \"%s\"", i, cases[i].in, got,
                     cases[i].want);
        /* folding is idempotent */
        assert_string_equal(ftz_utf8_fold(a, got), got);
    }
    assert_null(ftz_utf8_fold(a, NULL));
    assert_null(ftz_utf8_fold(a, "\xff"));
    assert_null(ftz_utf8_fold(a, "ok\xed\xa0\x80"));
    assert_null(ftz_utf8_fold(a, "\xc0\x80"));
}

/* Text that grows a lot under NFKC (U+FDFA is 18 code points) takes the second pass. */
static void test_fold_growth(void **state)
{
    ftz_arena *a = *state;
    char in[64 * 3 + 1];
    for (int i = 0; i < 64; i++)
        memcpy(in + 3 * i, "\xef\xb7\xba", 3);
    in[sizeof in - 1] = '\0';
    const char *got = ftz_utf8_fold(a, in);
    assert_non_null(got);
    const char *one = ftz_utf8_fold(a, "\xef\xb7\xba");
    assert_non_null(one);
    assert_true(strlen(one) > 20);
    assert_true(ftz_utf8_valid(got, strlen(got)));
    /* 64 copies with the internal spaces of each, joined without a space between copies */
    assert_int_equal(strlen(got), 64 * strlen(one));
}

static void test_like_escape(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", ""},
        {"abc", "abc"},
        {"100%", "100\\%"},
        {"a_b", "a\\_b"},
        {"c:\\dir", "c:\\\\dir"},
        {"%_\\", "\\%\\_\\\\"},
        {"黑河_5%", "黑河\\_5\\%"},
        {"it's", "it's"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        assert_string_equal(ftz_like_escape(a, cases[i].in), cases[i].want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),       cmocka_unit_test(test_valid_exhaustive),
        cmocka_unit_test(test_len),         cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_growth), cmocka_unit_test(test_like_escape),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
