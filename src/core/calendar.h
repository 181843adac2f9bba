/* calendar.h — the Chinese working-day calendar (DESIGN.md §5 "Calendar", domain/calendar.md).
 *
 * A working day is Monday–Friday, except the public holidays the State Council announces each
 * year, plus the weekend days it declares make-up working days (调休上班). Each year ships as
 * data/calendar/YYYY.csv (compiled into the binary, core/embed.h):
 *
 *     date,kind,name
 *     2024-02-04,workday,春节
 *     2024-02-10,holiday,春节
 *
 * one row per day that differs from the Monday–Friday rule: `holiday` for every day off of a
 * holiday period (weekend days included), `workday` for a make-up working day (always a
 * Saturday or Sunday), and the holiday's Chinese name. Fields are plain: no quoting, so no
 * field may hold a comma.
 *
 * The calendar covers whole years, contiguous. A date outside them is an error (FTZ_EINVAL),
 * never a guess: deadlines computed past the data would be wrong without anyone noticing. The
 * server warns at start-up when ftz_cal_last is within 90 days.
 *
 * A loaded calendar is immutable: every query takes it const and touches no shared state, so
 * one calendar serves every thread. Lookups are O(1) (one byte per day over the covered range
 * plus a running count of working days). */
#ifndef FTZ_CORE_CALENDAR_H
#define FTZ_CORE_CALENDAR_H

#include "core/ftz_setup.h"
#include "core/date.h"
#include "core/err.h"

typedef struct ftz_cal ftz_cal;

typedef enum ftz_cal_kind {
    FTZ_CAL_NORMAL = 0,  /* follows the Monday–Friday rule */
    FTZ_CAL_HOLIDAY = 1, /* a day off of a public holiday period */
    FTZ_CAL_WORKDAY = 2, /* a make-up working day on a weekend */
} ftz_cal_kind;

/* An empty calendar (covers no day: every query fails until a year is added). */
ftz_cal *ftz_cal_new(void);
void ftz_cal_free(ftz_cal *c);

/* Adds one year from CSV text (len bytes; need not be NUL-terminated; a leading UTF-8 BOM and
 * CRLF line ends are accepted, empty lines skipped). year must be within
 * FTZ_DATE_YEAR_MIN..FTZ_DATE_YEAR_MAX, not loaded yet, and adjacent to the years already
 * loaded (the covered range stays contiguous, so load years in order).
 *
 * A malformed row fails with FTZ_EINVAL, err->code "calendar_data" (param the year) and one
 * field error naming the line and field, e.g. field "line[5].date":
 *   line[1]          header       the first line is not exactly "date,kind,name"
 *   line[N]          columns      not 3 fields (param: the count)
 *   line[N]          too_long     a line over 256 bytes
 *   line[N].date     format       not a real YYYY-MM-DD date (param: the text)
 *   line[N].date     outside_year the date is not in `year` (param: the year)
 *   line[N].date     duplicate    a second row for the same date
 *   line[N].kind     unknown      neither holiday nor workday (param: the text)
 *   line[N].kind     not_weekend  a make-up working day on Monday–Friday
 *   line[N].name     required / too_long (param "64") / encoding (not UTF-8)
 * Other failures: FTZ_EINVAL with code "calendar_year" (year out of range),
 * "calendar_duplicate_year", "calendar_gap" (not adjacent; param the year) or
 * "calendar_too_many_names" (over 31 distinct holiday names). On failure c is unchanged. */
ftz_rc ftz_cal_add_csv(ftz_cal *c, int year, const char *text, size_t len, ftz_err *err) FTZ_WUR;

/* Builds the calendar from every embedded file named exactly data/calendar/YYYY.csv, in year
 * order. No such file is an error (code "calendar_missing"), so is a missing year between two
 * present ones ("calendar_gap", param the missing year), and so is any error of
 * ftz_cal_add_csv. On success *out owns a new calendar (free with ftz_cal_free); on failure
 * *out is NULL. err may be NULL. */
ftz_rc ftz_cal_load_embedded(ftz_cal **out, ftz_err *err) FTZ_WUR;

/* The first and last covered days; for an empty calendar first is 0 and last -1. */
ftz_date ftz_cal_first(const ftz_cal *c);
ftz_date ftz_cal_last(const ftz_cal *c);

/* Every query below fails with FTZ_EINVAL, leaving its outputs untouched, when a date it would
 * have to look at lies outside [ftz_cal_first, ftz_cal_last]. */

/* Whether d is a working day. */
ftz_rc ftz_cal_is_workday(const ftz_cal *c, ftz_date d, bool *out) FTZ_WUR;
/* The kind of d, and for holidays and make-up days the holiday's name (owned by c; NULL for a
 * normal day). Either output may be NULL. */
ftz_rc ftz_cal_day(const ftz_cal *c, ftz_date d, ftz_cal_kind *kind, const char **name) FTZ_WUR;
/* The n-th working day after d (n >= 1: d itself never counts); n = 0: d itself if it is a
 * working day, else the next working day. Negative n is FTZ_EINVAL, as is a result beyond the
 * data. */
ftz_rc ftz_cal_add_workdays(const ftz_cal *c, ftz_date d, int n, ftz_date *out) FTZ_WUR;
/* The number of working days in [from, to], both ends included; 0 when from > to (both must
 * still be covered). */
ftz_rc ftz_cal_workdays_between(const ftz_cal *c, ftz_date from, ftz_date to, int *count) FTZ_WUR;

/* The end of a deadline day as RFC 3339 in Beijing time: "2024-02-19T23:59:59+08:00". */
void ftz_cal_deadline_iso(ftz_date d, char out[32]);

#endif
