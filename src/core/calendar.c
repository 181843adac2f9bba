/* calendar.c — the working-day calendar (see calendar.h): parsing the yearly CSV files into one
 * byte per day over the covered years, and the queries deadlines are computed with. */
#include "core/ftz_setup.h"
#include "core/calendar.h"
#include "core/embed.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

/* One byte per day: bit 7 = working day (the resolved answer), bits 5–6 = ftz_cal_kind,
 * bits 0–4 = index into names (0 = none, so at most 31 distinct names). */
#define DAY_WORKING    0x80u
#define DAY_KIND_SHIFT 5
#define DAY_KIND_MASK  0x60u
#define DAY_NAME_MASK  0x1fu
#define MAX_NAMES      31

#define LINE_MAX_BYTES 256 /* a row is ~30 bytes; anything longer is not calendar data */
#define NAME_MAX_BYTES 64

struct ftz_cal {
    int year_first, year_last;  /* covered years; year_first > year_last when empty */
    ftz_date first;             /* 1 January of year_first */
    size_t ndays;               /* days covered */
    uint8_t *day;               /* ndays entries, see DAY_* */
    int32_t *cum;               /* ndays + 1 entries: working days in [first, first + i) */
    char *names[MAX_NAMES + 1]; /* names[1..nnames], heap strings; names[0] unused */
    size_t nnames;
};

ftz_cal *ftz_cal_new(void)
{
    ftz_cal *c = ftz_calloc(1, sizeof(*c));
    c->year_first = 1;
    c->year_last = 0;
    return c;
}

void ftz_cal_free(ftz_cal *c)
{
    if (!c) return;
    for (size_t i = 1; i <= c->nnames; i++)
        ftz_free(c->names[i]);
    ftz_free(c->day);
    ftz_free(c->cum);
    ftz_free(c);
}

/* ---- parsing --------------------------------------------------------------------------- */

/* A row of the year being parsed, before it is committed to the calendar. */
typedef struct row {
    uint8_t kind;     /* FTZ_CAL_HOLIDAY or FTZ_CAL_WORKDAY; 0 = no row for this day */
    const char *name; /* into the CSV text */
    size_t name_len;
} row;

/* Records a row error: the year as the detail, the line and field as a field error. */
static ftz_rc row_error(ftz_err *err, int year, size_t line, const char *field, const char *code,
                        const char *param)
{
    char yb[16], fb[64];
    snprintf(yb, sizeof yb, "%d", year);
    if (field)
        snprintf(fb, sizeof fb, "line[%zu].%s", line, field);
    else
        snprintf(fb, sizeof fb, "line[%zu]", line);
    ftz_err_set(err, FTZ_EINVAL, "calendar_data", yb);
    ftz_err_field(err, fb, code, param);
    return FTZ_EINVAL;
}

/* A field's text as an error parameter when it is short printable ASCII, else NULL (so a
 * message never carries a broken byte sequence). */
static const char *param_text(char *buf, size_t cap, const char *s, size_t n)
{
    if (n == 0 || n >= cap) return NULL;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] > 0x7e) return NULL;
    memcpy(buf, s, n);
    buf[n] = '\0';
    return buf;
}

static bool field_is(const char *s, size_t n, const char *lit)
{
    return n == strlen(lit) && memcmp(s, lit, n) == 0;
}

/* Parses one data line (without its line end) into rows[]. */
static ftz_rc parse_row(int year, size_t lineno, const char *s, size_t n, row rows[366],
                        ftz_err *err)
{
    const char *f[3];
    size_t fl[3];
    size_t nf = 0, start = 0;
    char pbuf[40];
    for (size_t i = 0; i <= n; i++) {
        if (i < n && s[i] != ',') continue;
        if (nf < 3) {
            f[nf] = s + start;
            fl[nf] = i - start;
        }
        nf++;
        start = i + 1;
    }
    if (nf != 3) {
        snprintf(pbuf, sizeof pbuf, "%zu", nf);
        return row_error(err, year, lineno, NULL, "columns", pbuf);
    }

    char dbuf[11];
    ftz_date d;
    if (fl[0] != 10) {
        return row_error(err, year, lineno, "date", "format",
                         param_text(pbuf, sizeof pbuf, f[0], fl[0]));
    }
    memcpy(dbuf, f[0], 10);
    dbuf[10] = '\0';
    if (ftz_date_parse(dbuf, &d) != FTZ_OK)
        return row_error(err, year, lineno, "date", "format",
                         param_text(pbuf, sizeof pbuf, f[0], 10));
    int y, m, dd;
    ftz_date_split(d, &y, &m, &dd);
    if (y != year) {
        snprintf(pbuf, sizeof pbuf, "%d", year);
        return row_error(err, year, lineno, "date", "outside_year", pbuf);
    }
    size_t idx = (size_t)(d - ftz_date_ymd(year, 1, 1));
    if (rows[idx].kind) return row_error(err, year, lineno, "date", "duplicate", dbuf);

    uint8_t kind;
    if (field_is(f[1], fl[1], "holiday")) {
        kind = FTZ_CAL_HOLIDAY;
    } else if (field_is(f[1], fl[1], "workday")) {
        kind = FTZ_CAL_WORKDAY;
        if (ftz_date_weekday(d) <= 5)
            return row_error(err, year, lineno, "kind", "not_weekend", dbuf);
    } else {
        return row_error(err, year, lineno, "kind", "unknown",
                         param_text(pbuf, sizeof pbuf, f[1], fl[1]));
    }

    if (fl[2] == 0) return row_error(err, year, lineno, "name", "required", NULL);
    if (fl[2] > NAME_MAX_BYTES) return row_error(err, year, lineno, "name", "too_long", "64");
    if (!ftz_utf8_valid(f[2], fl[2])) return row_error(err, year, lineno, "name", "encoding", NULL);

    rows[idx].kind = kind;
    rows[idx].name = f[2];
    rows[idx].name_len = fl[2];
    return FTZ_OK;
}

/* Parses a whole year's text into rows[] (366 entries, zeroed by the caller). */
static ftz_rc parse_year(int year, const char *text, size_t len, row rows[366], ftz_err *err)
{
    static const char bom[] = "\xef\xbb\xbf";
    size_t pos = 0, lineno = 0;
    bool header = false;
    if (len >= 3 && memcmp(text, bom, 3) == 0) pos = 3;
    while (pos < len || !header) {
        const char *nl = pos < len ? memchr(text + pos, '\n', len - pos) : NULL;
        size_t end = nl ? (size_t)(nl - text) : len;
        const char *s = text + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        lineno++;
        if (n && s[n - 1] == '\r') n--;
        if (n > LINE_MAX_BYTES) return row_error(err, year, lineno, NULL, "too_long", "256");
        if (!header) {
            if (!field_is(s, n, "date,kind,name"))
                return row_error(err, year, lineno, NULL, "header", "date,kind,name");
            header = true;
            continue;
        }
        if (n == 0) continue;
        ftz_rc rc = parse_row(year, lineno, s, n, rows, err);
        if (rc) return rc;
    }
    return FTZ_OK;
}

/* ---- building -------------------------------------------------------------------------- */

static bool is_working(ftz_date d, uint8_t kind)
{
    if (kind == FTZ_CAL_HOLIDAY) return false;
    if (kind == FTZ_CAL_WORKDAY) return true;
    return ftz_date_weekday(d) <= 5;
}

/* The index of name in c->names, or 0 when it is not there. */
static size_t name_find(const ftz_cal *c, const char *s, size_t n)
{
    for (size_t i = 1; i <= c->nnames; i++)
        if (strlen(c->names[i]) == n && memcmp(c->names[i], s, n) == 0) return i;
    return 0;
}

ftz_rc ftz_cal_add_csv(ftz_cal *c, int year, const char *text, size_t len, ftz_err *err)
{
    char yb[16];
    snprintf(yb, sizeof yb, "%d", year);
    if (year < FTZ_DATE_YEAR_MIN || year > FTZ_DATE_YEAR_MAX)
        return ftz_err_set(err, FTZ_EINVAL, "calendar_year", yb);
    bool empty = c->year_first > c->year_last;
    if (!empty && year >= c->year_first && year <= c->year_last)
        return ftz_err_set(err, FTZ_EINVAL, "calendar_duplicate_year", yb);
    if (!empty && year != c->year_first - 1 && year != c->year_last + 1)
        return ftz_err_set(err, FTZ_EINVAL, "calendar_gap", yb);
    if (!text) len = 0;

    row rows[366];
    memset(rows, 0, sizeof rows);
    ftz_rc rc = parse_year(year, text ? text : "", len, rows, err);
    if (rc) return rc;

    /* Names new to the calendar must fit before anything changes. */
    size_t fresh = 0;
    const char *fresh_s[366];
    size_t fresh_n[366];
    for (size_t i = 0; i < 366; i++) {
        if (!rows[i].kind || name_find(c, rows[i].name, rows[i].name_len)) continue;
        bool seen = false;
        for (size_t j = 0; j < fresh && !seen; j++)
            seen =
                fresh_n[j] == rows[i].name_len && memcmp(fresh_s[j], rows[i].name, fresh_n[j]) == 0;
        if (seen) continue;
        fresh_s[fresh] = rows[i].name;
        fresh_n[fresh] = rows[i].name_len;
        fresh++;
    }
    if (c->nnames + fresh > MAX_NAMES)
        return ftz_err_set(err, FTZ_EINVAL, "calendar_too_many_names", yb);
    for (size_t j = 0; j < fresh; j++)
        c->names[++c->nnames] = ftz_strndup(fresh_s[j], fresh_n[j]);

    /* The new covered range, with the old days copied into place. */
    int yf = empty ? year : (year < c->year_first ? year : c->year_first);
    int yl = empty ? year : (year > c->year_last ? year : c->year_last);
    ftz_date first = ftz_date_ymd(yf, 1, 1);
    size_t ndays = (size_t)(ftz_date_ymd(yl + 1, 1, 1) - first);
    uint8_t *day = ftz_calloc(ndays, 1);
    if (!empty) memcpy(day + (c->first - first), c->day, c->ndays);

    ftz_date jan1 = ftz_date_ymd(year, 1, 1);
    size_t ylen = (size_t)(ftz_date_ymd(year + 1, 1, 1) - jan1);
    for (size_t i = 0; i < ylen; i++) {
        ftz_date d = jan1 + (ftz_date)i;
        uint8_t kind = rows[i].kind;
        uint8_t b = (uint8_t)(kind << DAY_KIND_SHIFT);
        if (kind) b |= (uint8_t)name_find(c, rows[i].name, rows[i].name_len);
        if (is_working(d, kind)) b |= DAY_WORKING;
        day[d - first] = b;
    }

    int32_t *cum = ftz_malloc((ndays + 1) * sizeof(*cum));
    cum[0] = 0;
    for (size_t i = 0; i < ndays; i++)
        cum[i + 1] = cum[i] + ((day[i] & DAY_WORKING) ? 1 : 0);

    ftz_free(c->day);
    ftz_free(c->cum);
    c->day = day;
    c->cum = cum;
    c->first = first;
    c->ndays = ndays;
    c->year_first = yf;
    c->year_last = yl;
    return FTZ_OK;
}

/* The year of an embedded path "data/calendar/YYYY.csv", or 0 for any other path. */
static int calendar_path_year(const char *path)
{
    static const char prefix[] = "data/calendar/";
    size_t pl = sizeof prefix - 1;
    if (strncmp(path, prefix, pl) != 0) return 0;
    const char *p = path + pl;
    if (strlen(p) != 8 || strcmp(p + 4, ".csv") != 0) return 0;
    int y = 0;
    for (int i = 0; i < 4; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        y = y * 10 + (p[i] - '0');
    }
    return y;
}

ftz_rc ftz_cal_load_embedded(ftz_cal **out, ftz_err *err)
{
    ftz_cal *c = NULL;
    ftz_rc rc;
    int ymin = 0, ymax = 0;
    char path[32], yb[16];
    *out = NULL;

    for (const struct ftz_embedded_file *f = ftz_embedded; f->path; f++) {
        int y = calendar_path_year(f->path);
        if (!y) continue;
        if (!ymin || y < ymin) ymin = y;
        if (y > ymax) ymax = y;
    }
    if (!ymin) {
        rc = ftz_err_set(err, FTZ_EINVAL, "calendar_missing", "data/calendar/YYYY.csv");
        goto fail;
    }
    c = ftz_cal_new();
    for (int y = ymin; y <= ymax; y++) {
        snprintf(path, sizeof path, "data/calendar/%04d.csv", y);
        const struct ftz_embedded_file *f = ftz_embed_find(path);
        if (!f) {
            snprintf(yb, sizeof yb, "%d", y);
            rc = ftz_err_set(err, FTZ_EINVAL, "calendar_gap", yb);
            goto fail;
        }
        rc = ftz_cal_add_csv(c, y, (const char *)f->data, f->len, err);
        if (rc) goto fail;
    }
    *out = c;
    return FTZ_OK;
fail:
    ftz_cal_free(c);
    return rc;
}

/* ---- queries --------------------------------------------------------------------------- */

ftz_date ftz_cal_first(const ftz_cal *c)
{
    return c->ndays ? c->first : 0;
}

ftz_date ftz_cal_last(const ftz_cal *c)
{
    return c->ndays ? c->first + (ftz_date)c->ndays - 1 : -1;
}

/* d's index into c->day, or false when d is not covered. */
static bool day_index(const ftz_cal *c, ftz_date d, size_t *i)
{
    if (!c->ndays || d < c->first) return false;
    int64_t off = (int64_t)d - c->first;
    if ((uint64_t)off >= c->ndays) return false;
    *i = (size_t)off;
    return true;
}

ftz_rc ftz_cal_is_workday(const ftz_cal *c, ftz_date d, bool *out)
{
    size_t i;
    if (!day_index(c, d, &i)) return FTZ_EINVAL;
    *out = (c->day[i] & DAY_WORKING) != 0;
    return FTZ_OK;
}

ftz_rc ftz_cal_day(const ftz_cal *c, ftz_date d, ftz_cal_kind *kind, const char **name)
{
    size_t i;
    if (!day_index(c, d, &i)) return FTZ_EINVAL;
    uint8_t b = c->day[i];
    size_t ni = b & DAY_NAME_MASK;
    if (kind) *kind = (ftz_cal_kind)((b & DAY_KIND_MASK) >> DAY_KIND_SHIFT);
    if (name) *name = ni ? c->names[ni] : NULL;
    return FTZ_OK;
}

ftz_rc ftz_cal_add_workdays(const ftz_cal *c, ftz_date d, int n, ftz_date *out)
{
    size_t i;
    if (n < 0 || !day_index(c, d, &i)) return FTZ_EINVAL;
    if (n == 0) {
        while (i < c->ndays && !(c->day[i] & DAY_WORKING))
            i++;
    } else {
        /* A loop, not a search on cum[]: n is a handful of days and the loop is bounded by
         * the covered range however large n is. */
        int left = n;
        while (left > 0 && ++i < c->ndays)
            if (c->day[i] & DAY_WORKING) left--;
    }
    if (i >= c->ndays) return FTZ_EINVAL;
    *out = c->first + (ftz_date)i;
    return FTZ_OK;
}

ftz_rc ftz_cal_workdays_between(const ftz_cal *c, ftz_date from, ftz_date to, int *count)
{
    size_t i, j;
    if (!day_index(c, from, &i) || !day_index(c, to, &j)) return FTZ_EINVAL;
    *count = i > j ? 0 : (int)(c->cum[j + 1] - c->cum[i]);
    return FTZ_OK;
}

void ftz_cal_deadline_iso(ftz_date d, char out[32])
{
    ftz_date_format(d, out);
    memcpy(out + 10, "T23:59:59+08:00", 16); /* with its NUL */
}
