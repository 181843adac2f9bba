/* test_calendar.c — the working-day calendar (core/calendar.h): the shipped data against the
 * State Council notices as domain/calendar.md lists them, the worked examples, the edges of
 * the data, and malformed CSV files. */
#include "core/ftz_setup.h"
#include "core/calendar.h"
#include "core/arena.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static ftz_date D(int y, int m, int d)
{
    return ftz_date_ymd(y, m, d);
}

/* domain/calendar.md, written out independently of the CSV files in data/calendar. */
static const struct period {
    int y, m1, d1, m2, d2; /* days off, inclusive (within one year) */
} holidays[] = {
    {2024, 1, 1, 1, 1},   {2024, 2, 10, 2, 17}, {2024, 4, 4, 4, 6},   {2024, 5, 1, 5, 5},
    {2024, 6, 8, 6, 10},  {2024, 9, 15, 9, 17}, {2024, 10, 1, 10, 7}, {2025, 1, 1, 1, 1},
    {2025, 1, 28, 2, 4},  {2025, 4, 4, 4, 6},   {2025, 5, 1, 5, 5},   {2025, 5, 31, 6, 2},
    {2025, 10, 1, 10, 8}, {2026, 1, 1, 1, 3},   {2026, 2, 15, 2, 23}, {2026, 4, 4, 4, 6},
    {2026, 5, 1, 5, 5},   {2026, 6, 19, 6, 21}, {2026, 9, 25, 9, 27}, {2026, 10, 1, 10, 7},
};

static const struct makeup {
    int y, m, d;
} makeups[] = {
    {2024, 2, 4},  {2024, 2, 18}, {2024, 4, 7},   {2024, 4, 28},  {2024, 5, 11},
    {2024, 9, 14}, {2024, 9, 29}, {2024, 10, 12}, {2025, 1, 26},  {2025, 2, 8},
    {2025, 4, 27}, {2025, 9, 28}, {2025, 10, 11}, {2026, 1, 4},   {2026, 2, 14},
    {2026, 2, 28}, {2026, 5, 9},  {2026, 9, 20},  {2026, 10, 10},
};

static bool listed_holiday(ftz_date d)
{
    for (size_t i = 0; i < FTZ_COUNTOF(holidays); i++) {
        const struct period *p = &holidays[i];
        if (d >= D(p->y, p->m1, p->d1) && d <= D(p->y, p->m2, p->d2)) return true;
    }
    return false;
}

static bool listed_makeup(ftz_date d)
{
    for (size_t i = 0; i < FTZ_COUNTOF(makeups); i++)
        if (d == D(makeups[i].y, makeups[i].m, makeups[i].d)) return true;
    return false;
}

static int setup(void **state)
{
    ftz_cal *c = NULL;
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    ftz_rc rc = ftz_cal_load_embedded(&c, &err);
    if (rc) fprintf(stderr, "load: %s %s\n", err.code ? err.code : "", err.param ? err.param : "");
    ftz_arena_free(a);
    *state = c;
    return rc ? -1 : 0;
}

static int teardown(void **state)
{
    ftz_cal_free(*state);
    return 0;
}

static void test_range(void **state)
{
    const ftz_cal *c = *state;
    assert_int_equal(ftz_cal_first(c), D(2024, 1, 1));
    assert_int_equal(ftz_cal_last(c), D(2026, 12, 31));
}

static void test_worked_examples(void **state)
{
    const ftz_cal *c = *state;
    ftz_date due;
    char iso[32];

    /* Accepted Thu 8 Feb 2024, 3 working days: Fri 9, Sun 18 (make-up), Mon 19 Feb. */
    assert_int_equal(ftz_cal_add_workdays(c, D(2024, 2, 8), 3, &due), FTZ_OK);
    assert_int_equal(due, D(2024, 2, 19));
    ftz_cal_deadline_iso(due, iso);
    assert_string_equal(iso, "2024-02-19T23:59:59+08:00");
    assert_int_equal(ftz_cal_add_workdays(c, D(2024, 2, 8), 1, &due), FTZ_OK);
    assert_int_equal(due, D(2024, 2, 9));
    assert_int_equal(ftz_cal_add_workdays(c, D(2024, 2, 8), 2, &due), FTZ_OK);
    assert_int_equal(due, D(2024, 2, 18));

    /* add_workdays(Sat 27 Apr 2024, 0) = Sun 28 Apr 2024, a make-up working day. */
    assert_int_equal(ftz_cal_add_workdays(c, D(2024, 4, 27), 0, &due), FTZ_OK);
    assert_int_equal(due, D(2024, 4, 28));

    /* Mon 30 Sep to Tue 8 Oct 2024: 30 Sep and 8 Oct only. */
    int n = -1;
    assert_int_equal(ftz_cal_workdays_between(c, D(2024, 9, 30), D(2024, 10, 8), &n), FTZ_OK);
    assert_int_equal(n, 2);
}

/* Every day of 2024–2026 against the notices: a listed holiday is off, a make-up day is
 * worked, every other day follows Monday–Friday. */
static void test_every_day(void **state)
{
    const ftz_cal *c = *state;
    int nholiday = 0, nmakeup = 0;
    for (ftz_date d = D(2024, 1, 1); d <= D(2026, 12, 31); d++) {
        bool w = true;
        assert_int_equal(ftz_cal_is_workday(c, d, &w), FTZ_OK);
        bool want;
        if (listed_makeup(d)) {
            want = true;
            nmakeup++;
            assert_true(ftz_date_weekday(d) >= 6);
        } else if (listed_holiday(d)) {
            want = false;
            nholiday++;
        } else {
            want = ftz_date_weekday(d) <= 5;
        }
        if (w != want) {
            char s[11];
            ftz_date_format(d, s);
            fail_msg("%s: is_workday %d, expected %d", s, w, want);
        }
    }
    assert_int_equal(nmakeup, (int)FTZ_COUNTOF(makeups));
    int want_holidays = 0;
    for (size_t i = 0; i < FTZ_COUNTOF(holidays); i++) {
        const struct period *p = &holidays[i];
        want_holidays += D(p->y, p->m2, p->d2) - D(p->y, p->m1, p->d1) + 1;
    }
    assert_int_equal(nholiday, want_holidays);
}

static void test_year_totals(void **state)
{
    const ftz_cal *c = *state;
    static const struct {
        int y, days;
    } totals[] = {{2024, 251}, {2025, 248}, {2026, 248}};
    for (size_t i = 0; i < FTZ_COUNTOF(totals); i++) {
        int n = 0;
        assert_int_equal(
            ftz_cal_workdays_between(c, D(totals[i].y, 1, 1), D(totals[i].y, 12, 31), &n), FTZ_OK);
        assert_int_equal(n, totals[i].days);
    }
    int n = 0;
    assert_int_equal(ftz_cal_workdays_between(c, D(2024, 1, 1), D(2026, 12, 31), &n), FTZ_OK);
    assert_int_equal(n, 251 + 248 + 248);
}

static void test_day_kind_and_name(void **state)
{
    const ftz_cal *c = *state;
    static const struct {
        int y, m, d;
        ftz_cal_kind kind;
        const char *name;
    } cases[] = {
        {2024, 1, 1, FTZ_CAL_HOLIDAY, "元旦"},
        {2024, 2, 4, FTZ_CAL_WORKDAY, "春节"},
        {2024, 2, 10, FTZ_CAL_HOLIDAY, "春节"},
        {2024, 4, 7, FTZ_CAL_WORKDAY, "清明节"},
        {2024, 5, 11, FTZ_CAL_WORKDAY, "劳动节"},
        {2024, 6, 8, FTZ_CAL_HOLIDAY, "端午节"}, /* a weekend day of the period is listed */
        {2024, 9, 14, FTZ_CAL_WORKDAY, "中秋节"},
        {2024, 10, 7, FTZ_CAL_HOLIDAY, "国庆节"},
        {2025, 10, 6, FTZ_CAL_HOLIDAY, "国庆节、中秋节"},
        {2026, 1, 4, FTZ_CAL_WORKDAY, "元旦"},
        {2024, 3, 12, FTZ_CAL_NORMAL, NULL},
        {2024, 3, 9, FTZ_CAL_NORMAL, NULL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_cal_kind k = 99;
        const char *name = "x";
        assert_int_equal(ftz_cal_day(c, D(cases[i].y, cases[i].m, cases[i].d), &k, &name), FTZ_OK);
        assert_int_equal(k, cases[i].kind);
        if (cases[i].name)
            assert_string_equal(name, cases[i].name);
        else
            assert_null(name);
    }
    assert_int_equal(ftz_cal_day(c, D(2024, 3, 12), NULL, NULL), FTZ_OK);
    assert_int_equal(ftz_cal_day(c, D(2023, 12, 31), NULL, NULL), FTZ_EINVAL);
}

static void test_add_zero(void **state)
{
    const ftz_cal *c = *state;
    static const struct {
        int y, m, d, ry, rm, rd;
    } cases[] = {
        {2024, 3, 9, 2024, 3, 11},    /* Saturday → Monday */
        {2024, 3, 10, 2024, 3, 11},   /* Sunday → Monday */
        {2024, 3, 12, 2024, 3, 12},   /* a working Tuesday is itself */
        {2024, 10, 1, 2024, 10, 8},   /* National Day → the first day after */
        {2024, 10, 5, 2024, 10, 8},   /* a weekend day inside the holiday */
        {2024, 2, 18, 2024, 2, 18},   /* a make-up Sunday is itself */
        {2024, 2, 9, 2024, 2, 9},     /* New Year's Eve 2024 was a working Friday */
        {2025, 1, 1, 2025, 1, 2},     /* New Year's Day → Thursday */
        {2026, 1, 1, 2026, 1, 4},     /* 1–3 Jan off, Sun 4 Jan worked */
        {2026, 12, 31, 2026, 12, 31}, /* last covered day, a Thursday */
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_date r = 0;
        assert_int_equal(ftz_cal_add_workdays(c, D(cases[i].y, cases[i].m, cases[i].d), 0, &r),
                         FTZ_OK);
        assert_int_equal(r, D(cases[i].ry, cases[i].rm, cases[i].rd));
    }
}

static void test_add_across_years(void **state)
{
    const ftz_cal *c = *state;
    static const struct {
        int y, m, d, n, ry, rm, rd;
    } cases[] = {
        {2024, 12, 31, 1, 2025, 1, 2},           {2025, 12, 31, 1, 2026, 1, 4},
        {2025, 12, 31, 2, 2026, 1, 5},           {2024, 9, 30, 1, 2024, 10, 8},
        {2024, 9, 27, 1, 2024, 9, 29},           {2025, 1, 24, 1, 2025, 1, 26},
        {2025, 1, 24, 2, 2025, 1, 27},           {2025, 1, 27, 1, 2025, 2, 5},
        {2026, 12, 30, 1, 2026, 12, 31},         {2024, 1, 1, 251 + 248, 2025, 12, 31},
        {2024, 1, 1, 251 + 248 + 1, 2026, 1, 4},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        ftz_date r = 0;
        assert_int_equal(
            ftz_cal_add_workdays(c, D(cases[i].y, cases[i].m, cases[i].d), cases[i].n, &r), FTZ_OK);
        assert_int_equal(r, D(cases[i].ry, cases[i].rm, cases[i].rd));
    }
    /* add and count agree: the n-th working day after d closes a span of n working days. */
    for (ftz_date d = D(2024, 1, 1); d <= D(2026, 11, 30); d += 3) {
        for (int n = 1; n <= 15; n += 7) {
            ftz_date r;
            int k;
            assert_int_equal(ftz_cal_add_workdays(c, d, n, &r), FTZ_OK);
            assert_int_equal(ftz_cal_workdays_between(c, d + 1, r, &k), FTZ_OK);
            assert_int_equal(k, n);
            bool w;
            assert_int_equal(ftz_cal_is_workday(c, r, &w), FTZ_OK);
            assert_true(w);
        }
    }
}

static void test_outside_data(void **state)
{
    const ftz_cal *c = *state;
    ftz_date r = 777;
    bool w = true;
    int n = 777;
    assert_int_equal(ftz_cal_add_workdays(c, D(2026, 12, 31), 1, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, D(2026, 12, 30), 2, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, D(2026, 12, 1), INT_MAX, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, D(2024, 3, 12), -1, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, D(2024, 3, 12), INT_MIN, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, D(2023, 12, 29), 1, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, D(2027, 1, 4), 0, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, INT32_MIN, 0, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, INT32_MAX, 0, &r), FTZ_EINVAL);
    assert_int_equal(r, 777);
    assert_int_equal(ftz_cal_is_workday(c, D(2023, 12, 31), &w), FTZ_EINVAL);
    assert_int_equal(ftz_cal_is_workday(c, D(2027, 1, 1), &w), FTZ_EINVAL);
    assert_true(w);
    assert_int_equal(ftz_cal_workdays_between(c, D(2023, 12, 31), D(2024, 1, 5), &n), FTZ_EINVAL);
    assert_int_equal(ftz_cal_workdays_between(c, D(2026, 12, 1), D(2027, 1, 5), &n), FTZ_EINVAL);
    assert_int_equal(n, 777);
    /* A reversed range is empty, but its ends must still be covered. */
    assert_int_equal(ftz_cal_workdays_between(c, D(2024, 3, 12), D(2024, 3, 11), &n), FTZ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ftz_cal_workdays_between(c, D(2024, 3, 12), D(2024, 3, 12), &n), FTZ_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ftz_cal_workdays_between(c, D(2024, 3, 9), D(2024, 3, 10), &n), FTZ_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ftz_cal_workdays_between(c, D(2024, 3, 1), D(2023, 3, 1), &n), FTZ_EINVAL);
}

static void test_empty_calendar(void **state)
{
    (void)state;
    ftz_cal *c = ftz_cal_new();
    ftz_date r;
    bool w;
    int n;
    assert_true(ftz_cal_first(c) > ftz_cal_last(c));
    assert_int_equal(ftz_cal_is_workday(c, 0, &w), FTZ_EINVAL);
    assert_int_equal(ftz_cal_add_workdays(c, 0, 0, &r), FTZ_EINVAL);
    assert_int_equal(ftz_cal_workdays_between(c, 0, 0, &n), FTZ_EINVAL);
    ftz_cal_free(c);
    ftz_cal_free(NULL);
}

static void test_deadline_iso(void **state)
{
    (void)state;
    char out[32];
    ftz_cal_deadline_iso(D(2026, 1, 4), out);
    assert_string_equal(out, "2026-01-04T23:59:59+08:00");
    int64_t t;
    assert_int_equal(ftz_time_parse(out, &t), FTZ_OK);
    assert_int_equal(ftz_date_of_shanghai(t), D(2026, 1, 4));
    assert_int_equal(ftz_date_of_shanghai(t + 1), D(2026, 1, 5));
}

/* ---- loading CSV ---------------------------------------------------------------------- */

#define HDR "date,kind,name\n"

static void test_csv_accepted(void **state)
{
    (void)state;
    static const char *texts[] = {
        HDR,
        HDR "2024-01-01,holiday,元旦",
        HDR "2024-01-01,holiday,元旦\n",
        "date,kind,name\r\n2024-01-01,holiday,元旦\r\n",
        "\xef\xbb\xbf" HDR "2024-01-01,holiday,元旦\n",
        HDR "\n2024-01-01,holiday,元旦\n\n\n",
        HDR "2024-12-31,holiday,x\n2024-01-01,holiday,元旦\n2024-02-04,workday,春节\n",
    };
    for (size_t i = 0; i < FTZ_COUNTOF(texts); i++) {
        ftz_arena *a = ftz_arena_new();
        ftz_err err;
        ftz_err_init(&err, a);
        ftz_cal *c = ftz_cal_new();
        if (ftz_cal_add_csv(c, 2024, texts[i], strlen(texts[i]), &err) != FTZ_OK)
            fail_msg("case %zu rejected: %s", i, err.nfields ? err.fields[0].code : "?");
        assert_int_equal(ftz_cal_first(c), D(2024, 1, 1));
        assert_int_equal(ftz_cal_last(c), D(2024, 12, 31));
        bool w = true;
        assert_int_equal(ftz_cal_is_workday(c, D(2024, 1, 1), &w), FTZ_OK);
        assert_int_equal(w, i == 0); /* a Monday, off unless the file is only a header */
        ftz_cal_free(c);
        ftz_arena_free(a);
    }
}

static void test_csv_rejected(void **state)
{
    (void)state;
    char long_line[400], long_name[200];
    snprintf(long_line, sizeof long_line, HDR "2024-01-01,holiday,%0300d\n", 0);
    memset(long_name, 'n', 65);
    snprintf(long_name + 65, sizeof long_name - 65, "\n");
    char long_name_text[300];
    snprintf(long_name_text, sizeof long_name_text, HDR "2024-01-01,holiday,%s", long_name);

    static const char nul_text[] = HDR "2024-02-10,holiday,a\0b\n";
    const struct {
        const char *text;
        size_t len; /* 0: strlen(text) */
        const char *field, *code, *param;
    } cases[] = {
        {"", 0, "line[1]", "header", "date,kind,name"},
        {"date,kind\n", 0, "line[1]", "header", "date,kind,name"},
        {"Date,Kind,Name\n", 0, "line[1]", "header", "date,kind,name"},
        {"\n" HDR, 0, "line[1]", "header", "date,kind,name"},
        {HDR "2024-02-30,holiday,春节\n", 0, "line[2].date", "format", "2024-02-30"},
        {HDR "2024-2-3,holiday,春节\n", 0, "line[2].date", "format", "2024-2-3"},
        {HDR " 2024-02-03,holiday,春节\n", 0, "line[2].date", "format", " 2024-02-03"},
        {HDR "2024-01-01,holiday,元旦\nfoo,holiday,x\n", 0, "line[3].date", "format", "foo"},
        {HDR "2024-02-10,vacation,春节\n", 0, "line[2].kind", "unknown", "vacation"},
        {HDR "2024-02-10,Holiday,春节\n", 0, "line[2].kind", "unknown", "Holiday"},
        {HDR "2024-02-10,,春节\n", 0, "line[2].kind", "unknown", NULL},
        {HDR "2024-02-10,holiday\n", 0, "line[2]", "columns", "2"},
        {HDR "2024-02-10,holiday,春节,x\n", 0, "line[2]", "columns", "4"},
        {HDR "2024-02-10\n", 0, "line[2]", "columns", "1"},
        {HDR "2025-01-01,holiday,元旦\n", 0, "line[2].date", "outside_year", "2024"},
        {HDR "2023-12-31,holiday,元旦\n", 0, "line[2].date", "outside_year", "2024"},
        {HDR "2024-02-10,holiday,春节\n2024-02-10,holiday,春节\n", 0, "line[3].date", "duplicate",
         "2024-02-10"},
        {HDR "2024-02-05,workday,春节\n", 0, "line[2].kind", "not_weekend", "2024-02-05"},
        {HDR "2024-02-10,holiday,\n", 0, "line[2].name", "required", NULL},
        {HDR "2024-02-10,holiday,\xff\n", 0, "line[2].name", "encoding", NULL},
        {HDR "2024-02-10,holiday,\xe6\x98\n", 0, "line[2].name", "encoding", NULL},
        {nul_text, sizeof nul_text - 1, "line[2].name", "encoding", NULL},
        {long_line, 0, "line[2]", "too_long", "256"},
        {long_name_text, 0, "line[2].name", "too_long", "64"},
    };
    size_t ncases = FTZ_COUNTOF(cases);

    for (size_t i = 0; i < ncases; i++) {
        ftz_arena *a = ftz_arena_new();
        ftz_err err;
        ftz_err_init(&err, a);
        ftz_cal *c = ftz_cal_new();
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].text);
        assert_int_equal(ftz_cal_add_csv(c, 2024, cases[i].text, len, &err), FTZ_EINVAL);
        assert_int_equal(err.rc, FTZ_EINVAL);
        assert_string_equal(err.code, "calendar_data");
        assert_string_equal(err.param, "2024");
        assert_int_equal(err.nfields, 1);
        if (strcmp(err.fields[0].field, cases[i].field) != 0 ||
            strcmp(err.fields[0].code, cases[i].code) != 0)
            fail_msg("case %zu: got %s %s, expected %s %s", i, err.fields[0].field,
                     err.fields[0].code, cases[i].field, cases[i].code);
        if (cases[i].param)
            assert_string_equal(err.fields[0].param, cases[i].param);
        else
            assert_null(err.fields[0].param);
        /* Nothing was added. */
        assert_true(ftz_cal_first(c) > ftz_cal_last(c));
        ftz_cal_free(c);
        ftz_arena_free(a);
    }
}

static void test_csv_years(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_cal *c = ftz_cal_new();
    const char *y2024 = HDR "2024-01-01,holiday,元旦\n";
    const char *y2023 = HDR "2023-01-02,holiday,元旦\n";
    const char *y2025 = HDR "2025-01-01,holiday,元旦\n";
    const char *bad2025 = HDR "2025-01-01,holiday,元旦\n2025-01-06,workday,元旦\n";

    assert_int_equal(ftz_cal_add_csv(c, 2024, y2024, strlen(y2024), NULL), FTZ_OK);

    ftz_err_init(&err, a);
    assert_int_equal(ftz_cal_add_csv(c, 2024, y2024, strlen(y2024), &err), FTZ_EINVAL);
    assert_string_equal(err.code, "calendar_duplicate_year");

    ftz_err_init(&err, a);
    assert_int_equal(ftz_cal_add_csv(c, 2026, HDR, strlen(HDR), &err), FTZ_EINVAL);
    assert_string_equal(err.code, "calendar_gap");
    assert_string_equal(err.param, "2026");

    ftz_err_init(&err, a);
    assert_int_equal(ftz_cal_add_csv(c, 1899, HDR, strlen(HDR), &err), FTZ_EINVAL);
    assert_string_equal(err.code, "calendar_year");
    ftz_err_init(&err, a);
    assert_int_equal(ftz_cal_add_csv(c, 3000, HDR, strlen(HDR), &err), FTZ_EINVAL);
    assert_string_equal(err.code, "calendar_year");

    /* A failed year leaves the calendar as it was. */
    ftz_err_init(&err, a);
    assert_int_equal(ftz_cal_add_csv(c, 2025, bad2025, strlen(bad2025), &err), FTZ_EINVAL);
    assert_string_equal(err.fields[0].field, "line[3].kind");
    assert_int_equal(ftz_cal_last(c), D(2024, 12, 31));

    /* Years are added before and after. */
    assert_int_equal(ftz_cal_add_csv(c, 2023, y2023, strlen(y2023), NULL), FTZ_OK);
    assert_int_equal(ftz_cal_add_csv(c, 2025, y2025, strlen(y2025), NULL), FTZ_OK);
    assert_int_equal(ftz_cal_first(c), D(2023, 1, 1));
    assert_int_equal(ftz_cal_last(c), D(2025, 12, 31));
    bool w;
    const char *name;
    ftz_cal_kind k;
    assert_int_equal(ftz_cal_is_workday(c, D(2023, 1, 2), &w), FTZ_OK);
    assert_false(w);
    assert_int_equal(ftz_cal_day(c, D(2023, 1, 2), &k, &name), FTZ_OK);
    assert_int_equal(k, FTZ_CAL_HOLIDAY);
    assert_string_equal(name, "元旦");
    assert_int_equal(ftz_cal_is_workday(c, D(2024, 1, 1), &w), FTZ_OK);
    assert_false(w);
    assert_int_equal(ftz_cal_is_workday(c, D(2024, 1, 2), &w), FTZ_OK);
    assert_true(w);
    int n;
    assert_int_equal(ftz_cal_workdays_between(c, D(2023, 12, 29), D(2025, 1, 2), &n), FTZ_OK);
    assert_int_equal(n, 1 + 261 + 1); /* Fri 29 Dec; 2024 has 262 weekdays, 1 Jan off; 2 Jan */
    ftz_date r;
    assert_int_equal(ftz_cal_add_workdays(c, D(2023, 12, 29), 1, &r), FTZ_OK);
    assert_int_equal(r, D(2024, 1, 2));

    ftz_cal_free(c);
    ftz_arena_free(a);
}

static void test_csv_too_many_names(void **state)
{
    (void)state;
    char text[4096];
    /* 32 holidays on 32 days (March and April), each with its own name. */
    size_t len = (size_t)snprintf(text, sizeof text, HDR);
    for (int i = 0; i < 32; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "2024-%02d-%02d,holiday,n%d\n",
                                3 + i / 28, i % 28 + 1, i);
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    ftz_cal *c = ftz_cal_new();
    assert_int_equal(ftz_cal_add_csv(c, 2024, text, len, &err), FTZ_EINVAL);
    assert_string_equal(err.code, "calendar_too_many_names");
    assert_true(ftz_cal_first(c) > ftz_cal_last(c));

    /* 31 names fit, and repeating one adds none. */
    len = (size_t)snprintf(text, sizeof text, HDR);
    for (int i = 0; i < 40; i++)
        len += (size_t)snprintf(text + len, sizeof text - len, "2024-%02d-%02d,holiday,n%d\n",
                                3 + i / 28, i % 28 + 1, i % 31);
    assert_int_equal(ftz_cal_add_csv(c, 2024, text, len, NULL), FTZ_OK);
    const char *name;
    assert_int_equal(ftz_cal_day(c, D(2024, 4, 1), NULL, &name), FTZ_OK);
    assert_string_equal(name, "n28");
    ftz_cal_free(c);
    ftz_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_worked_examples),
        cmocka_unit_test(test_every_day),
        cmocka_unit_test(test_year_totals),
        cmocka_unit_test(test_day_kind_and_name),
        cmocka_unit_test(test_add_zero),
        cmocka_unit_test(test_add_across_years),
        cmocka_unit_test(test_outside_data),
        cmocka_unit_test(test_empty_calendar),
        cmocka_unit_test(test_deadline_iso),
        cmocka_unit_test(test_csv_accepted),
        cmocka_unit_test(test_csv_rejected),
        cmocka_unit_test(test_csv_years),
        cmocka_unit_test(test_csv_too_many_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
