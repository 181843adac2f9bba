/* test_money.c — money, weights and counts in integer units and report wording
 * (core/money.h), with the figures of the seed report. */
#include "core/ftz_setup.h"
#include "core/money.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#define YUAN(y) ((int64_t)(y)*100)

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

static void test_words_report_figures(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        int64_t fen;
        const char *want;
    } cases[] = {
        {YUAN(14460000), "1446万元"},   /* e-commerce manifests, 14.46 M yuan */
        {YUAN(7390000000), "73.9亿元"}, /* 22 key projects, 7.39 bn */
        {YUAN(1300000000), "13亿元"},   /* planned this year, 1.3 bn */
        {YUAN(8000000), "800万元"},     /* policy funds */
        {YUAN(11000000), "1100万元"},   /* financing arranged */
        {YUAN(3404000), "340.4万元"},   /* postal revenue, 3.404 M */
        {YUAN(228000000), "2.28亿元"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        assert_string_equal(ftz_money_words(a, cases[i].fen), cases[i].want);
}

static void test_words_edges(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        int64_t fen;
        const char *want;
    } cases[] = {
        {0, "0元"},
        {5, "0.05元"},
        {50, "0.5元"},
        {1250, "12.5元"},
        {1234, "12.34元"},
        {YUAN(8500), "8500元"},
        {999999, "9999.99元"}, /* just below 1万元: exact yuan */
        {1000000, "1万元"},
        {1004999, "1万元"},    /* 1.004999万 → 1.00 */
        {1005000, "1.01万元"}, /* exactly half: up */
        {1050000, "1.05万元"},
        {1100000, "1.1万元"},
        {YUAN(12345678), "1234.57万元"},
        {9999994999LL, "9999.99万元"},
        {9999995000LL, "1亿元"}, /* rounds to 10000万: shown in 亿 */
        {9999999999LL, "1亿元"},
        {10000000000LL, "1亿元"},
        {10049999999LL, "1亿元"},
        {10050000000LL, "1.01亿元"},
        {-1, "-0.01元"},
        {-YUAN(8500), "-8500元"},
        {-YUAN(3404000), "-340.4万元"},
        {-YUAN(7390000000), "-73.9亿元"},
        {-1004999, "-1万元"},
        {INT64_MAX, "922337203.69亿元"}, /* 92233720368547758.07 yuan */
        {INT64_MIN, "-922337203.69亿元"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *got = ftz_money_words(a, cases[i].fen);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%lld fen: got %s, want %s", (long long)cases[i].fen, got, cases[i].want);
    }
}

static void test_wan_yi(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        int64_t fen;
        int decimals;
        const char *wan, *yi;
    } cases[] = {
        {YUAN(228000000), 0, "22800万元", "2亿元"},
        {YUAN(228000000), 2, "22800万元", "2.28亿元"},
        {YUAN(14460000), 2, "1446万元", "0.14亿元"},
        {YUAN(14460000), 4, "1446万元", "0.1446亿元"},
        {YUAN(3404000), 0, "340万元", "0亿元"},
        {YUAN(3404000), 1, "340.4万元", "0亿元"},
        {YUAN(3405000), 0, "341万元", "0亿元"}, /* 340.5 → 341: half-up */
        {1, 6, "0.000001万元", "0亿元"},
        {1, 99, "0.000001万元", "0.0000000001亿元"}, /* decimals clamped to the fen */
        {YUAN(15000), -3, "2万元", "0亿元"},         /* negative decimals mean 0 */
        {-YUAN(15000), 0, "-2万元", "0亿元"},
        {-4999, 2, "0万元", "0亿元"}, /* no "-0" */
        {0, 2, "0万元", "0亿元"},
        {INT64_MAX, 0, "9223372036855万元", "922337204亿元"},
        {INT64_MIN, 6, "-9223372036854.775808万元", "-922337203.685478亿元"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *w = ftz_money_wan(a, cases[i].fen, cases[i].decimals);
        const char *y = ftz_money_yi(a, cases[i].fen, cases[i].decimals);
        if (strcmp(w, cases[i].wan) != 0) fail_msg("case %zu wan: got %s", i, w);
        if (strcmp(y, cases[i].yi) != 0) fail_msg("case %zu yi: got %s", i, y);
    }
}

static void test_yuan(void **state)
{
    ftz_arena *a = *state;
    assert_string_equal(ftz_money_yuan(a, YUAN(14460000)), "14460000.00");
    assert_string_equal(ftz_money_yuan(a, 0), "0.00");
    assert_string_equal(ftz_money_yuan(a, 7), "0.07");
    assert_string_equal(ftz_money_yuan(a, 1234), "12.34");
    assert_string_equal(ftz_money_yuan(a, -500), "-5.00");
    assert_string_equal(ftz_money_yuan(a, -7), "-0.07");
    assert_string_equal(ftz_money_yuan(a, INT64_MAX), "92233720368547758.07");
    assert_string_equal(ftz_money_yuan(a, INT64_MIN), "-92233720368547758.08");
}

static void test_parse_good(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        const char *s;
        int64_t fen;
    } cases[] = {
        {"123", 12300},
        {"123.4", 12340},
        {"123.45", 12345},
        {"-5.00", -500},
        {"0", 0},
        {"-0", 0},
        {"0.5", 50},
        {"0.05", 5},
        {"-0.01", -1},
        {"14460000.00", 1446000000},
        {"92233720368547758.07", INT64_MAX},
        {"-92233720368547758.08", INT64_MIN},
        {"92233720368547758", 9223372036854775800LL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int64_t fen = 42;
        if (ftz_money_parse(cases[i].s, &fen) != FTZ_OK) fail_msg("rejected \"%s\"", cases[i].s);
        assert_int_equal(fen, cases[i].fen);
        /* what ftz_money_yuan writes parses back */
        int64_t back;
        assert_int_equal(ftz_money_parse(ftz_money_yuan(a, fen), &back), FTZ_OK);
        assert_int_equal(back, fen);
    }
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const char *cases[] = {
        "1.234",
        "1e3",
        "",
        " 1",
        "1 ",
        "1,000",
        "+1",
        "1.",
        ".5",
        "-",
        "-.5",
        "--1",
        "01",
        "00",
        "-01",
        "0x10",
        "１２３",
        "1.2.3",
        "1_000",
        "NaN",
        "inf",
        "12a",
        "1.5a",
        "1.-5",
        "1.+5",
        "\t1",
        "1\n",
        "92233720368547758.08",  /* INT64_MAX + 1 fen */
        "-92233720368547758.09", /* INT64_MIN - 1 fen */
        "92233720368547759",
        "99999999999999999999999",
        "184467440737095516.16",
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int64_t fen = 42;
        if (ftz_money_parse(cases[i], &fen) != FTZ_EPARSE) fail_msg("accepted \"%s\"", cases[i]);
        assert_int_equal(fen, 42);
    }
    int64_t fen = 42;
    assert_int_equal(ftz_money_parse(NULL, &fen), FTZ_EPARSE);
    assert_int_equal(fen, 42);
}

static void test_weight(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        int64_t g;
        const char *want;
    } cases[] = {
        {1507900000LL, "1507.9吨"}, /* mail over the bridge, 1,507.9 t */
        {0, "0克"},
        {850, "850克"},
        {999, "999克"},
        {1000, "1千克"},
        {12500, "12.5千克"},
        {12549, "12.5千克"},
        {12550, "12.6千克"},
        {999949, "999.9千克"},
        {999950, "1吨"}, /* 1000.0 kg after rounding: shown in tonnes */
        {1000000, "1吨"},
        {1049999, "1吨"},
        {1050000, "1.1吨"},
        {-850, "-850克"},
        {-12500, "-12.5千克"},
        {INT64_MAX, "9223372036854.8吨"},
        {INT64_MIN, "-9223372036854.8吨"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *got = ftz_weight_words(a, cases[i].g);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%lld g: got %s, want %s", (long long)cases[i].g, got, cases[i].want);
    }
}

static void test_count(void **state)
{
    ftz_arena *a = *state;
    static const struct {
        int64_t n;
        const char *want;
    } cases[] = {
        {93000, "9.3万"}, /* mail bags */
        {96000, "9.6万"}, /* items accepted */
        {76379, "7.6万"}, /* declaration manifests */
        {0, "0"},
        {280, "280"}, /* mail trucks */
        {9999, "9999"},
        {10000, "1万"},
        {10499, "1万"},
        {10500, "1.1万"},
        {99949999, "9995万"},
        {99999499, "9999.9万"},
        {99999500, "1亿"}, /* 10000.0万 after rounding */
        {123456789, "1.2亿"},
        {-76379, "-7.6万"},
        {-5, "-5"},
        {INT64_MAX, "92233720368.5亿"},
        {INT64_MIN, "-92233720368.5亿"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        const char *got = ftz_count_words(a, cases[i].n);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%lld: got %s, want %s", (long long)cases[i].n, got, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_words_report_figures),
        cmocka_unit_test(test_words_edges),
        cmocka_unit_test(test_wan_yi),
        cmocka_unit_test(test_yuan),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_weight),
        cmocka_unit_test(test_count),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
