/* date.h — calendar dates and instants.
 *
 * A date (ftz_date) is a day number: days since 1970-01-01 in the proleptic Gregorian
 * calendar, so date arithmetic is integer arithmetic. An instant is a count of unix seconds
 * (int64_t); the database stores instants as UTC ISO 8601 text made by ftz_time_format_utc or
 * ftz_time_now_iso (DESIGN.md §6). Business dates — the day a demand was accepted, the day a
 * deadline falls on — are dates in Asia/Shanghai (UTC+8 all year, no daylight saving time), so
 * the server's own time zone never matters. */
#ifndef FTZ_CORE_DATE_H
#define FTZ_CORE_DATE_H

#include "core/ftz_setup.h"
#include "core/err.h"

typedef int32_t ftz_date; /* days since 1970-01-01 */

/* Years that ftz_date_parse and ftz_time_parse accept. */
#define FTZ_DATE_YEAR_MIN 1900
#define FTZ_DATE_YEAR_MAX 2999

/* The seconds Asia/Shanghai is ahead of UTC. */
#define FTZ_SHANGHAI_OFFSET (8 * 3600)

/* The day number of y-m-d. A month outside 1..12 or a day outside the month is normalised as
 * mktime does (month 13 is January of the next year, day 0 the last day of the month before),
 * so callers can step by months; parse untrusted text with ftz_date_parse instead. */
ftz_date ftz_date_ymd(int y, int m, int d);
/* The year, month (1..12) and day (1..31) of d. */
void ftz_date_split(ftz_date date, int *y, int *m, int *d);
/* ISO weekday: 1 = Monday … 7 = Sunday. */
int ftz_date_weekday(ftz_date d);
/* Days in month m (1..12) of year y; 0 for a month outside 1..12. */
int ftz_date_month_days(int y, int m);

/* Strict "YYYY-MM-DD": exactly 10 characters, digits and the two dashes, a real calendar date,
 * year FTZ_DATE_YEAR_MIN..FTZ_DATE_YEAR_MAX. Nothing else is accepted (no surrounding white
 * space, no single-digit months, no time part). Returns FTZ_EPARSE on any failure, leaving
 * *out untouched. */
ftz_rc ftz_date_parse(const char *s, ftz_date *out) FTZ_WUR;
/* Writes "YYYY-MM-DD" and a NUL. Dates before 0000-01-01 or after 9999-12-31 are written as
 * those bounds (no date the platform handles comes near them). */
void ftz_date_format(ftz_date d, char out[11]);

/* The current time in unix seconds. */
int64_t ftz_time_now(void);
/* The current UTC time with milliseconds, "2026-11-29T19:12:55.123Z" (24 characters). */
void ftz_time_now_iso(char out[32]);
/* unix_s as UTC, "2026-11-29T19:12:55Z" (20 characters). Instants outside years 0000..9999
 * are written as those bounds. */
void ftz_time_format_utc(int64_t unix_s, char out[32]);
/* Strict RFC 3339 date-time: "YYYY-MM-DDTHH:MM:SS" with optional fractional seconds (1 to 9
 * digits, ignored) and then "Z" or "+hh:mm"/"-hh:mm" ("T" and "Z" upper case only). The
 * date part follows ftz_date_parse's rules; hours 00..23, minutes and seconds 00..59 (a leap
 * second :60 is rejected: unix time cannot hold it); offsets up to ±23:59. Returns FTZ_EPARSE
 * on any failure, leaving *unix_s untouched. */
ftz_rc ftz_time_parse(const char *s, int64_t *unix_s) FTZ_WUR;

/* The date in Asia/Shanghai at unix_s; instants too far away for a day number to hold are
 * clamped to INT32_MIN / INT32_MAX. */
ftz_date ftz_date_of_shanghai(int64_t unix_s);
/* Today's date in Asia/Shanghai. */
ftz_date ftz_date_today_shanghai(void);

#endif
