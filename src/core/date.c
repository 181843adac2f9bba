/* date.c — day numbers, strict ISO 8601 parsing and UTC / Asia/Shanghai conversions (see
 * date.h). The civil-date conversions are Howard Hinnant's era-based algorithms: exact over the
 * whole proleptic Gregorian calendar, with no table and no libc time-zone state, so they are
 * safe to call from any thread. */
#include "core/ftz_setup.h"
#include "core/date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define SECS_PER_DAY 86400

/* Day numbers of 0000-01-01 and 9999-12-31: the range the formatters write. */
#define DAY_FIRST_FMT (-719528)
#define DAY_LAST_FMT  2932896

/* floor(a / b) and the matching non-negative remainder, for b > 0. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b) < 0) q--;
    return q;
}

static int64_t floor_mod(int64_t a, int64_t b)
{
    int64_t r = a % b;
    return r < 0 ? r + b : r;
}

static int32_t clamp32(int64_t v)
{
    if (v < INT32_MIN) return INT32_MIN;
    if (v > INT32_MAX) return INT32_MAX;
    return (int32_t)v;
}

/* Days since 1970-01-01 of y-m-d, m in 1..12 (d may be anything: it counts linearly). */
static int64_t days_from_civil(int64_t y, int m, int64_t d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;                                   /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* from 1 March */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int ftz_date_month_days(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12) return 0;
    if (m == 2 && is_leap(y)) return 29;
    return days[m - 1];
}

ftz_date ftz_date_ymd(int y, int m, int d)
{
    int64_t m0 = (int64_t)m - 1;
    int64_t yy = (int64_t)y + floor_div(m0, 12);
    int mm = (int)floor_mod(m0, 12) + 1;
    return clamp32(days_from_civil(yy, mm, d));
}

void ftz_date_split(ftz_date date, int *y, int *m, int *d)
{
    int64_t yy;
    civil_from_days(date, &yy, m, d);
    *y = (int)yy; /* |year| < 6 million for any int32 day number */
}

int ftz_date_weekday(ftz_date d)
{
    /* 1970-01-01 was a Thursday (4). */
    return (int)floor_mod((int64_t)d + 3, 7) + 1;
}

/* Writes n decimal digits of v (0 <= v < 10^n) at p. */
static void put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* "YYYY-MM-DD" at p (10 characters, no NUL), for a day within the formatters' range. */
static void put_date(char *p, int64_t day)
{
    int64_t y;
    int m, d;
    if (day < DAY_FIRST_FMT) day = DAY_FIRST_FMT;
    if (day > DAY_LAST_FMT) day = DAY_LAST_FMT;
    civil_from_days(day, &y, &m, &d);
    put_digits(p, y, 4);
    p[4] = '-';
    put_digits(p + 5, m, 2);
    p[7] = '-';
    put_digits(p + 8, d, 2);
}

void ftz_date_format(ftz_date d, char out[11])
{
    put_date(out, d);
    out[10] = '\0';
}

/* n digits at s as a number; false if any is not an ASCII digit. */
static bool get_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

/* The "YYYY-MM-DD" at the start of s (which must hold at least 10 characters before any
 * NUL for a match; the caller checks what follows). */
static bool get_date(const char *s, ftz_date *out)
{
    int y, m, d;
    if (!get_digits(s, 4, &y) || s[4] != '-' || !get_digits(s + 5, 2, &m) || s[7] != '-' ||
        !get_digits(s + 8, 2, &d))
        return false;
    if (y < FTZ_DATE_YEAR_MIN || y > FTZ_DATE_YEAR_MAX) return false;
    if (m < 1 || m > 12 || d < 1 || d > ftz_date_month_days(y, m)) return false;
    *out = (ftz_date)days_from_civil(y, m, d);
    return true;
}

ftz_rc ftz_date_parse(const char *s, ftz_date *out)
{
    ftz_date d;
    if (!s || strnlen(s, 11) != 10) return FTZ_EPARSE;
    if (!get_date(s, &d)) return FTZ_EPARSE;
    *out = d;
    return FTZ_OK;
}

int64_t ftz_time_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec;
}

/* "YYYY-MM-DDTHH:MM:SS" at p (19 characters, no NUL). */
static void put_datetime(char *p, int64_t unix_s)
{
    int64_t day = floor_div(unix_s, SECS_PER_DAY);
    int64_t sod = floor_mod(unix_s, SECS_PER_DAY);
    if (day < DAY_FIRST_FMT) {
        day = DAY_FIRST_FMT;
        sod = 0;
    } else if (day > DAY_LAST_FMT) {
        day = DAY_LAST_FMT;
        sod = SECS_PER_DAY - 1;
    }
    put_date(p, day);
    p[10] = 'T';
    put_digits(p + 11, sod / 3600, 2);
    p[13] = ':';
    put_digits(p + 14, sod / 60 % 60, 2);
    p[16] = ':';
    put_digits(p + 17, sod % 60, 2);
}

void ftz_time_now_iso(char out[32])
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    put_datetime(out, (int64_t)ts.tv_sec);
    out[19] = '.';
    put_digits(out + 20, ts.tv_nsec / 1000000, 3);
    out[23] = 'Z';
    out[24] = '\0';
}

void ftz_time_format_utc(int64_t unix_s, char out[32])
{
    put_datetime(out, unix_s);
    out[19] = 'Z';
    out[20] = '\0';
}

ftz_rc ftz_time_parse(const char *s, int64_t *unix_s)
{
    ftz_date day;
    int hh, mi, ss;
    if (!s || strnlen(s, 19) < 19) return FTZ_EPARSE;
    if (!get_date(s, &day) || s[10] != 'T' || !get_digits(s + 11, 2, &hh) || s[13] != ':' ||
        !get_digits(s + 14, 2, &mi) || s[16] != ':' || !get_digits(s + 17, 2, &ss))
        return FTZ_EPARSE;
    if (hh > 23 || mi > 59 || ss > 59) return FTZ_EPARSE;
    const char *p = s + 19;
    if (*p == '.') {
        int n = 0;
        p++;
        while (p[n] >= '0' && p[n] <= '9')
            n++;
        if (n < 1 || n > 9) return FTZ_EPARSE;
        p += n;
    }
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (strnlen(p, 6) < 6 || !get_digits(p + 1, 2, &oh) || p[3] != ':' ||
            !get_digits(p + 4, 2, &om))
            return FTZ_EPARSE;
        if (oh > 23 || om > 59) return FTZ_EPARSE;
        offset = (int64_t)oh * 3600 + om * 60;
        if (*p == '-') offset = -offset;
        p += 6;
    } else {
        return FTZ_EPARSE;
    }
    if (*p != '\0') return FTZ_EPARSE;
    *unix_s = (int64_t)day * SECS_PER_DAY + hh * 3600 + mi * 60 + ss - offset;
    return FTZ_OK;
}

ftz_date ftz_date_of_shanghai(int64_t unix_s)
{
    /* Divide first: adding the offset to unix_s could overflow near INT64_MAX. */
    int64_t day = floor_div(unix_s, SECS_PER_DAY);
    if (floor_mod(unix_s, SECS_PER_DAY) + FTZ_SHANGHAI_OFFSET >= SECS_PER_DAY) day++;
    return clamp32(day);
}

ftz_date ftz_date_today_shanghai(void)
{
    return ftz_date_of_shanghai(ftz_time_now());
}
