/* test_date.c — day numbers, strict date and date-time parsing, UTC and Asia/Shanghai
 * conversions (core/date.h). */
#include "core/ftz_setup.h"
#include "core/date.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static void test_known_day_numbers(void **state)
{
    (void)state;
    static const struct {
        int y, m, d;
        ftz_date day;
    } cases[] = {
        {1970, 1, 1, 0},        {1970, 1, 2, 1},        {1969, 12, 31, -1},
        {2000, 3, 1, 11017},    {2024, 2, 29, 19782},   {1900, 1, 1, -25567},
        {2999, 12, 31, 376199}, {1600, 2, 29, -135081}, {9999, 12, 31, 2932896},
        {1, 1, 1, -719162},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        assert_int_equal(ftz_date_ymd(cases[i].y, cases[i].m, cases[i].d), cases[i].day);
        int y, m, d;
        ftz_date_split(cases[i].day, &y, &m, &d);
        assert_int_equal(y, cases[i].y);
        assert_int_equal(m, cases[i].m);
        assert_int_equal(d, cases[i].d);
    }
}

/* Every day of 1900..2999 splits into a real date, the dates follow each other and join
 * again to the same number. */
static void test_round_trip_every_day(void **state)
{
    (void)state;
    int py = 1899, pm = 12, pd = 31;
    for (ftz_date day = ftz_date_ymd(1900, 1, 1); day <= ftz_date_ymd(2999, 12, 31); day++) {
        int y, m, d;
        ftz_date_split(day, &y, &m, &d);
        assert_true(m >= 1 && m <= 12);
        assert_true(d >= 1 && d <= ftz_date_month_days(y, m));
        if (d == 1) {
            assert_int_equal(pd, ftz_date_month_days(py, pm));
            assert_true((m == pm + 1 && y == py) || (m == 1 && pm == 12 && y == py + 1));
        } else {
            assert_int_equal(d, pd + 1);
            assert_int_equal(m, pm);
        }
        assert_int_equal(ftz_date_ymd(y, m, d), day);
        py = y, pm = m, pd = d;
    }
}

static void test_normalisation(void **state)
{
    (void)state;
    assert_int_equal(ftz_date_ymd(2024, 13, 1), ftz_date_ymd(2025, 1, 1));
    assert_int_equal(ftz_date_ymd(2024, 3, 0), ftz_date_ymd(2024, 2, 29));
    assert_int_equal(ftz_date_ymd(2023, 3, 0), ftz_date_ymd(2023, 2, 28));
    assert_int_equal(ftz_date_ymd(2024, 0, 1), ftz_date_ymd(2023, 12, 1));
    assert_int_equal(ftz_date_ymd(2024, -11, 1), ftz_date_ymd(2023, 1, 1));
    assert_int_equal(ftz_date_ymd(2024, -12, 1), ftz_date_ymd(2022, 12, 1));
    assert_int_equal(ftz_date_ymd(2024, 1, 32), ftz_date_ymd(2024, 2, 1));
    assert_int_equal(ftz_date_ymd(2024, 1, 366), ftz_date_ymd(2024, 12, 31));
}

static void test_month_days(void **state)
{
    (void)state;
    assert_int_equal(ftz_date_month_days(2024, 2), 29);
    assert_int_equal(ftz_date_month_days(2023, 2), 28);
    assert_int_equal(ftz_date_month_days(1900, 2), 28); /* century, not leap */
    assert_int_equal(ftz_date_month_days(2000, 2), 29); /* 400th year, leap */
    assert_int_equal(ftz_date_month_days(2100, 2), 28);
    assert_int_equal(ftz_date_month_days(2024, 4), 30);
    assert_int_equal(ftz_date_month_days(2024, 12), 31);
    assert_int_equal(ftz_date_month_days(2024, 0), 0);
    assert_int_equal(ftz_date_month_days(2024, 13), 0);
}

static void test_weekday(void **state)
{
    (void)state;
    static const struct {
        int y, m, d, wd;
    } cases[] = {
        {1970, 1, 1, 4},   {1969, 12, 31, 3}, {1969, 12, 29, 1}, {1969, 12, 28, 7}, {2024, 2, 8, 4},
        {2024, 2, 18, 7},  {2024, 4, 27, 6},  {2024, 4, 28, 7},  {2024, 9, 30, 1},  {2026, 1, 4, 7},
        {2025, 12, 31, 3}, {1900, 1, 1, 1},   {2000, 1, 1, 6},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        assert_int_equal(ftz_date_weekday(ftz_date_ymd(cases[i].y, cases[i].m, cases[i].d)),
                         cases[i].wd);
    /* Seven consecutive days give each weekday once, far from the epoch too. */
    for (ftz_date base = -800000; base < 3000000; base += 99991) {
        int seen = 0;
        for (int k = 0; k < 7; k++)
            seen |= 1 << ftz_date_weekday(base + k);
        assert_int_equal(seen, 0xfe);
    }
}

static void test_parse_good(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int y, m, d;
    } cases[] = {
        {"2024-01-01", 2024, 1, 1}, {"2024-02-29", 2024, 2, 29},  {"2000-02-29", 2000, 2, 29},
        {"1900-01-01", 1900, 1, 1}, {"2999-12-31", 2999, 12, 31}, {"2025-12-31", 2025, 12, 31},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_date d = 12345;
        assert_int_equal(ftz_date_parse(cases[i].s, &d), FTZ_OK);
        assert_int_equal(d, ftz_date_ymd(cases[i].y, cases[i].m, cases[i].d));
    }
}

static void test_parse_bad(void **state)
{
    (void)state;
    static const char *cases[] = {
        "2023-02-29",  "2024-13-01",     " 2024-01-01",  "2024-01-01 ", "2024-1-1",
        "2024-01-1",   "2024-00-10",     "2024-01-00",   "2024-04-31",  "1900-02-29",
        "2100-02-29",  "1899-12-31",     "3000-01-01",   "0000-01-01",  "",
        "2024/01/01",  "2024-01-01T",    "20240101",     "2024-01-0a",  "+024-01-01",
        "-024-01-01",  "２０２４-01-01", "2024-01-01\n", "2024--1-01",  "2024-1a-01",
        "2024-01-01x", "99999-01-01",
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_date d = 12345;
        if (ftz_date_parse(cases[i], &d) != FTZ_EPARSE) fail_msg("accepted \"%s\"", cases[i]);
        assert_int_equal(d, 12345);
    }
    ftz_date d = 12345;
    assert_int_equal(ftz_date_parse(NULL, &d), FTZ_EPARSE);
    /* An embedded NUL ends the string: "2024-01-0" is too short. */
    assert_int_equal(ftz_date_parse("2024-01-0\0"
                                    "1",
                                    &d),
                     FTZ_EPARSE);
    assert_int_equal(d, 12345);
}

static void test_format(void **state)
{
    (void)state;
    char out[11];
    memset(out, 'x', sizeof out);
    ftz_date_format(ftz_date_ymd(2024, 2, 9), out);
    assert_string_equal(out, "2024-02-09");
    ftz_date_format(0, out);
    assert_string_equal(out, "1970-01-01");
    ftz_date_format(ftz_date_ymd(1, 1, 1), out);
    assert_string_equal(out, "0001-01-01");
    ftz_date_format(INT32_MIN, out);
    assert_string_equal(out, "0000-01-01");
    ftz_date_format(INT32_MAX, out);
    assert_string_equal(out, "9999-12-31");
    /* format and parse agree over the parseable range. */
    for (ftz_date day = ftz_date_ymd(1900, 1, 1); day <= ftz_date_ymd(2999, 12, 31); day += 37) {
        ftz_date back;
        ftz_date_format(day, out);
        assert_int_equal(ftz_date_parse(out, &back), FTZ_OK);
        assert_int_equal(back, day);
    }
}

static void test_time_format(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *s;
    } cases[] = {
        {0, "1970-01-01T00:00:00Z"},
        {-1, "1969-12-31T23:59:59Z"},
        {1795979575, "2026-11-29T19:12:55Z"},
        {1707408000, "2024-02-08T16:00:00Z"},
        {-2208988800LL, "1900-01-01T00:00:00Z"},
        {32503679999LL, "2999-12-31T23:59:59Z"},
        {INT64_MAX, "9999-12-31T23:59:59Z"},
        {INT64_MIN, "0000-01-01T00:00:00Z"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        char out[32];
        ftz_time_format_utc(cases[i].t, out);
        assert_string_equal(out, cases[i].s);
    }
}

static void test_time_parse_good(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t t;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2026-11-29T19:12:55Z", 1795979575},
        {"2026-11-29T19:12:55.123Z", 1795979575},
        {"2026-11-29T19:12:55.999999999Z", 1795979575},
        {"2026-11-29T19:12:55.1Z", 1795979575},
        {"2026-11-30T03:12:55+08:00", 1795979575},
        {"2026-11-29T14:12:55-05:00", 1795979575},
        {"2026-11-29T19:42:55+00:30", 1795979575},
        {"2026-11-29T19:12:55+00:00", 1795979575},
        {"2026-11-29T19:12:55-00:00", 1795979575},
        {"2026-11-30T03:12:55.5+08:00", 1795979575},
        {"2024-02-08T16:00:00Z", 1707408000},
        {"1900-01-01T00:00:00Z", -2208988800LL},
        {"2999-12-31T23:59:59Z", 32503679999LL},
        {"1900-01-01T00:00:00+23:59", -2208988800LL - 23 * 3600 - 59 * 60},
        {"2024-02-19T23:59:59+08:00", 1708358399},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int64_t t = 42;
        if (ftz_time_parse(cases[i].s, &t) != FTZ_OK) fail_msg("rejected \"%s\"", cases[i].s);
        assert_int_equal(t, cases[i].t);
    }
}

static void test_time_parse_bad(void **state)
{
    (void)state;
    static const char *cases[] = {
        "",
        "2026-11-29",
        "2026-11-29T19:12:55",  /* no offset */
        "2026-11-29 19:12:55Z", /* space separator */
        "2026-11-29t19:12:55Z", /* lower-case t */
        "2026-11-29T19:12:55z", /* lower-case z */
        "2026-11-29T24:00:00Z",
        "2026-11-29T23:60:00Z",
        "2026-11-29T23:59:60Z", /* leap second */
        "2026-11-29T9:12:55Z",
        "2026-11-29T19:12Z",
        "2026-11-29T19:12:55.Z",           /* empty fraction */
        "2026-11-29T19:12:55.1234567890Z", /* 10 digits */
        "2026-11-29T19:12:55,5Z",
        "2026-11-29T19:12:55+08",
        "2026-11-29T19:12:55+0800",
        "2026-11-29T19:12:55+8:00",
        "2026-11-29T19:12:55+24:00",
        "2026-11-29T19:12:55+08:60",
        "2026-11-29T19:12:55Z ",
        " 2026-11-29T19:12:55Z",
        "2026-11-29T19:12:55ZZ",
        "2026-11-29T19:12:55+08:00Z",
        "2023-02-29T00:00:00Z",
        "1899-12-31T23:59:59Z",
        "3000-01-01T00:00:00Z",
        "2026-11-29T19:12:55UTC",
        "2026-11-29T19:12:55+08:00\n",
        "2026-11-29T19:1a:55Z",
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int64_t t = 42;
        if (ftz_time_parse(cases[i], &t) != FTZ_EPARSE) fail_msg("accepted \"%s\"", cases[i]);
        assert_int_equal(t, 42);
    }
    int64_t t = 42;
    assert_int_equal(ftz_time_parse(NULL, &t), FTZ_EPARSE);
    assert_int_equal(t, 42);
}

static void test_time_round_trip(void **state)
{
    (void)state;
    for (int64_t t = -2208988800LL; t < 32503679999LL; t += 86413 * 97) {
        char out[32];
        int64_t back;
        ftz_time_format_utc(t, out);
        assert_int_equal(ftz_time_parse(out, &back), FTZ_OK);
        assert_int_equal(back, t);
    }
}

static void test_now(void **state)
{
    (void)state;
    int64_t before = ftz_time_now();
    char iso[32];
    ftz_time_now_iso(iso);
    int64_t after = ftz_time_now();
    assert_int_equal(strlen(iso), 24);
    assert_int_equal(iso[19], '.');
    assert_int_equal(iso[23], 'Z');
    for (int i = 20; i < 23; i++)
        assert_true(iso[i] >= '0' && iso[i] <= '9');
    int64_t t;
    assert_int_equal(ftz_time_parse(iso, &t), FTZ_OK);
    assert_true(t >= before && t <= after);
    assert_true(before > 1700000000); /* the clock is not at the epoch */

    ftz_date d1 = ftz_date_of_shanghai(ftz_time_now());
    ftz_date today = ftz_date_today_shanghai();
    ftz_date d2 = ftz_date_of_shanghai(ftz_time_now());
    assert_true(today == d1 || today == d2);
}

static void test_shanghai(void **state)
{
    (void)state;
    static const struct {
        const char *utc;
        int y, m, d;
    } cases[] = {
        {"2024-02-08T15:59:59Z", 2024, 2, 8},       {"2024-02-08T16:00:00Z", 2024, 2, 9},
        {"2024-02-08T00:00:00Z", 2024, 2, 8},       {"2024-12-31T16:00:00Z", 2025, 1, 1},
        {"1969-12-31T15:59:59Z", 1969, 12, 31},     {"1969-12-31T16:00:00Z", 1970, 1, 1},
        {"1969-12-31T23:59:59Z", 1970, 1, 1},       {"1900-01-01T00:00:00Z", 1900, 1, 1},
        {"2024-02-19T23:59:59+08:00", 2024, 2, 19}, {"2024-02-20T00:00:00+08:00", 2024, 2, 20},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        int64_t t;
        assert_int_equal(ftz_time_parse(cases[i].utc, &t), FTZ_OK);
        assert_int_equal(ftz_date_of_shanghai(t), ftz_date_ymd(cases[i].y, cases[i].m, cases[i].d));
    }
    assert_int_equal(ftz_date_of_shanghai(INT64_MAX), INT32_MAX);
    assert_int_equal(ftz_date_of_shanghai(INT64_MIN), INT32_MIN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_day_numbers),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_normalisation),
        cmocka_unit_test(test_month_days),
        cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_time_format),
        cmocka_unit_test(test_time_parse_good),
        cmocka_unit_test(test_time_parse_bad),
        cmocka_unit_test(test_time_round_trip),
        cmocka_unit_test(test_now),
        cmocka_unit_test(test_shanghai),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
