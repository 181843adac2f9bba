/* export.c — lists as CSV or XLSX files (see export.h for the contract and the table of
 * column types).
 *
 * Each row goes through two steps: cell_of() turns the item's field into a typed cell (and
 * is where type mismatches are caught, identically for both formats), then csv_cell() or
 * xlsx_cell() writes that cell. CSV is built in memory; XLSX goes through libxlsxwriter into
 * a mkstemp file that finish() reads back and every path out of here unlinks. */
#include "core/ftz_setup.h"
#include "core/export.h"
#include "core/mem.h"

#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <utf8proc.h>
#include <xlsxwriter.h>

#ifndef PATH_MAX
#define PATH_MAX 4096
#endif

/* Largest magnitude a double holds exactly: integers up to here convert without loss, so
 * fen / 100.0 is the double nearest the exact yuan amount. */
#define EXACT_DOUBLE_MAX ((uint64_t)1 << 53)
/* Excel's limit on a column width, in characters. */
#define XLSX_MAX_WIDTH 255
/* Bounds of a guessed column width. */
#define AUTO_WIDTH_MAX 60

typedef struct xcol {
    char *key;   /* owned copy of ftz_export_col.key */
    char *title; /* owned copy of ftz_export_col.title */
    ftz_col_type type;
    int width;
} xcol;

struct ftz_export {
    ftz_export_format format;
    xcol *cols;
    size_t ncols;
    size_t rows;     /* data rows written so far (the header is not counted) */
    ftz_buf scratch; /* reused per cell: JSON text of objects, escaped XLSX strings */

    ftz_buf csv; /* CSV: the whole file so far */

    lxw_workbook *wb; /* XLSX: NULL once closed or freed */
    lxw_worksheet *ws;
    lxw_format *fmt_header, *fmt_int, *fmt_fen, *fmt_grams, *fmt_date;
    char tmpdir[PATH_MAX];
    char path[PATH_MAX]; /* the mkstemp file; "" when there is none (left) */
};

/* ---- cells ------------------------------------------------------------------------------ */

typedef enum cell_kind {
    CELL_EMPTY,
    CELL_TEXT,   /* text, len (guard: came from a JSON string, so CSV-injection rules apply) */
    CELL_INT,    /* i */
    CELL_SCALED, /* i with `scale` implied decimals (fen: 2, grams: 3) */
    CELL_DATE,   /* y, m, d (and text, the original "YYYY-MM-DD") */
    CELL_BOOL,   /* b */
} cell_kind;

typedef struct cell {
    cell_kind kind;
    const char *text;
    size_t len;
    bool guard;
    int64_t i;
    int scale;
    int y, m, d;
    bool b;
    char num[40]; /* text of a number written into a TEXT column */
} cell;

/* The value at a dotted path ("dept.name") in item, or NULL when any step is missing. */
static const json_t *field_at(const json_t *item, const char *key)
{
    const json_t *v = item;
    const char *p = key;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (!json_is_object(v)) return NULL;
        v = json_object_getn(v, p, n);
        if (!v || !dot) return v;
        p = dot + 1;
    }
}

static bool is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/* Strict "YYYY-MM-DD" naming a real calendar date (years 0001..9999). */
static bool parse_date(const char *s, size_t len, int *y, int *m, int *d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 10 || s[4] != '-' || s[7] != '-') return false;
    for (size_t k = 0; k < 10; k++)
        if (k != 4 && k != 7 && (s[k] < '0' || s[k] > '9')) return false;
    int yy = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int mm = (s[5] - '0') * 10 + (s[6] - '0');
    int dd = (s[8] - '0') * 10 + (s[9] - '0');
    if (yy < 1 || mm < 1 || mm > 12 || dd < 1) return false;
    int dim = mdays[mm - 1] + (mm == 2 && is_leap(yy) ? 1 : 0);
    if (dd > dim) return false;
    *y = yy;
    *m = mm;
    *d = dd;
    return true;
}

/* Compact JSON text of an object or array into scratch (no NUL inside: jansson escapes). */
static void dump_json(ftz_buf *scratch, const json_t *v)
{
    size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS;
    size_t need = json_dumpb(v, NULL, 0, flags);
    ftz_buf_reset(scratch);
    ftz_buf_put(scratch, "", 0); /* so that the text is "" rather than NULL */
    if (need == 0) return;
    char *tmp = ftz_malloc(need);
    if (json_dumpb(v, tmp, need, flags) == need) ftz_buf_put(scratch, tmp, need);
    ftz_free(tmp);
}

/* A real number in a TEXT column: the shortest of %.15g / %.17g that reads back the same. */
static void format_real(char *out, size_t size, double d)
{
    snprintf(out, size, "%.15g", d);
    if (strtod(out, NULL) != d) snprintf(out, size, "%.17g", d);
}

/* Turns the value v of column c into a cell. FTZ_EINVAL when the type does not fit. */
static ftz_rc cell_of(ftz_export *x, const xcol *c, const json_t *v, cell *out)
{
    memset(out, 0, sizeof(*out));
    out->kind = CELL_EMPTY;
    if (!v || json_is_null(v)) return FTZ_OK;

    switch (c->type) {
    case FTZ_COL_TEXT:
        if (json_is_string(v)) {
            out->text = json_string_value(v);
            out->len = json_string_length(v);
            out->guard = true;
            if (memchr(out->text, '\0', out->len)) return FTZ_EINVAL;
        } else if (json_is_integer(v)) {
            snprintf(out->num, sizeof out->num, "%" PRId64, (int64_t)json_integer_value(v));
            out->text = out->num;
            out->len = strlen(out->num);
        } else if (json_is_real(v)) {
            format_real(out->num, sizeof out->num, json_real_value(v));
            out->text = out->num;
            out->len = strlen(out->num);
        } else if (json_is_boolean(v)) {
            out->text = json_is_true(v) ? "TRUE" : "FALSE";
            out->len = strlen(out->text);
        } else {
            dump_json(&x->scratch, v);
            out->text = ftz_buf_str(&x->scratch);
            out->len = x->scratch.len;
        }
        out->kind = CELL_TEXT;
        return FTZ_OK;

    case FTZ_COL_TIME:
        if (!json_is_string(v)) return FTZ_EINVAL;
        out->text = json_string_value(v);
        out->len = json_string_length(v);
        out->guard = true;
        if (memchr(out->text, '\0', out->len)) return FTZ_EINVAL;
        out->kind = CELL_TEXT;
        return FTZ_OK;

    case FTZ_COL_INT:
    case FTZ_COL_FEN:
    case FTZ_COL_GRAMS:
        if (!json_is_integer(v)) return FTZ_EINVAL;
        out->i = (int64_t)json_integer_value(v);
        if (c->type == FTZ_COL_INT) {
            out->kind = CELL_INT;
        } else {
            out->kind = CELL_SCALED;
            out->scale = c->type == FTZ_COL_FEN ? 2 : 3;
        }
        return FTZ_OK;

    case FTZ_COL_DATE:
        if (!json_is_string(v)) return FTZ_EINVAL;
        out->text = json_string_value(v);
        out->len = json_string_length(v);
        if (!parse_date(out->text, out->len, &out->y, &out->m, &out->d)) return FTZ_EINVAL;
        out->kind = CELL_DATE;
        return FTZ_OK;

    case FTZ_COL_BOOL:
        if (json_is_boolean(v)) {
            out->b = json_is_true(v);
        } else if (json_is_integer(v) &&
                   (json_integer_value(v) == 0 || json_integer_value(v) == 1)) {
            out->b = json_integer_value(v) == 1;
        } else {
            return FTZ_EINVAL;
        }
        out->kind = CELL_BOOL;
        return FTZ_OK;
    }
    return FTZ_EINVAL;
}

/* |i| with `scale` decimals: "1234.56", "-0.05", "0.000". Integer arithmetic only; INT64_MIN
 * is handled through the unsigned magnitude. */
static void format_scaled(char *out, size_t size, int64_t i, int scale)
{
    uint64_t mag = i < 0 ? (uint64_t)0 - (uint64_t)i : (uint64_t)i;
    uint64_t div = scale == 2 ? 100 : 1000;
    snprintf(out, size, "%s%" PRIu64 ".%0*" PRIu64, i < 0 ? "-" : "", mag / div, scale, mag % div);
}

static ftz_rc fail(ftz_err *err, ftz_rc rc, const char *code, size_t row, const char *key)
{
    char param[200];
    if (key)
        snprintf(param, sizeof param, "row %zu, column %s", row, key);
    else
        snprintf(param, sizeof param, "%zu", row);
    return ftz_err_set(err, rc, code, param);
}

/* ---- CSV -------------------------------------------------------------------------------- */

/* One field per RFC 4180, with the CSV-injection guard for text that came from outside. */
static void csv_text(ftz_buf *b, const char *s, size_t len, bool guard)
{
    bool quote = false;
    for (size_t k = 0; k < len && !quote; k++)
        if (s[k] == ',' || s[k] == '"' || s[k] == '\r' || s[k] == '\n') quote = true;
    bool prefix = guard && len > 0 && s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
    if (quote) ftz_buf_putc(b, '"');
    if (prefix) ftz_buf_putc(b, '\'');
    if (quote) {
        const char *p = s, *end = s + len;
        while (p < end) {
            const char *q = memchr(p, '"', (size_t)(end - p));
            if (!q) {
                ftz_buf_put(b, p, (size_t)(end - p));
                break;
            }
            ftz_buf_put(b, p, (size_t)(q - p) + 1);
            ftz_buf_putc(b, '"');
            p = q + 1;
        }
        ftz_buf_putc(b, '"');
    } else {
        ftz_buf_put(b, s, len);
    }
}

static void csv_cell(ftz_buf *b, const cell *c)
{
    char num[48];
    switch (c->kind) {
    case CELL_EMPTY:
        break;
    case CELL_TEXT:
    case CELL_DATE:
        csv_text(b, c->text, c->len, c->guard);
        break;
    case CELL_INT:
        ftz_buf_printf(b, "%" PRId64, c->i);
        break;
    case CELL_SCALED:
        format_scaled(num, sizeof num, c->i, c->scale);
        ftz_buf_puts(b, num);
        break;
    case CELL_BOOL:
        ftz_buf_puts(b, c->b ? "TRUE" : "FALSE");
        break;
    }
}

/* ---- XLSX ------------------------------------------------------------------------------- */

/* Code points in s (s is valid UTF-8 here: JSON strings are, and so are our own texts). */
static size_t utf8_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t k = 0; k < len; k++)
        if (((unsigned char)s[k] & 0xC0) != 0x80) n++;
    return n;
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* Excel reads "_xHHHH_" in a string as the character U+HHHH; a literal one is written as
 * "_x005F_xHHHH_". libxlsxwriter 1.1.4 escapes control characters that way but not a literal
 * "_x", so text containing it is escaped here. Returns s itself or the escaped copy, which
 * replaces scratch (s may be scratch's own text: it is read in full before scratch goes). */
static const char *xlsx_escape(ftz_buf *scratch, const char *s, size_t len)
{
    bool needs = false;
    for (size_t k = 0; k + 7 <= len && !needs; k++)
        if (s[k] == '_' && s[k + 1] == 'x' && is_hex(s[k + 2]) && is_hex(s[k + 3]) &&
            is_hex(s[k + 4]) && is_hex(s[k + 5]) && s[k + 6] == '_')
            needs = true;
    if (!needs) return s;
    ftz_buf b;
    ftz_buf_init(&b, 0);
    for (size_t k = 0; k < len; k++) {
        if (k + 7 <= len && s[k] == '_' && s[k + 1] == 'x' && is_hex(s[k + 2]) &&
            is_hex(s[k + 3]) && is_hex(s[k + 4]) && is_hex(s[k + 5]) && s[k + 6] == '_')
            ftz_buf_puts(&b, "_x005F");
        ftz_buf_putc(&b, s[k]);
    }
    ftz_buf_cleanup(scratch);
    *scratch = b;
    return ftz_buf_str(scratch);
}

static ftz_rc xlsx_string(ftz_export *x, lxw_row_t r, lxw_col_t col, const char *s, size_t len,
                          lxw_format *fmt)
{
    if (utf8_count(s, len) > FTZ_EXPORT_XLSX_MAX_CELL) return FTZ_ETOOBIG;
    const char *w = xlsx_escape(&x->scratch, s, len); /* s may live in scratch: see there */
    lxw_error e = worksheet_write_string(x->ws, r, col, w, fmt);
    if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED) return FTZ_ETOOBIG;
    return e == LXW_NO_ERROR ? FTZ_OK : FTZ_EIO;
}

static ftz_rc xlsx_cell(ftz_export *x, lxw_row_t r, lxw_col_t col, const cell *c)
{
    lxw_error e = LXW_NO_ERROR;
    switch (c->kind) {
    case CELL_EMPTY:
        return FTZ_OK;
    case CELL_TEXT:
        return xlsx_string(x, r, col, c->text, c->len, NULL);
    case CELL_DATE:
        /* Excel's date serials start in 1900 (with its 1900 leap-year quirk): older dates,
         * which no business record has, stay text. */
        if (c->y < 1901) return xlsx_string(x, r, col, c->text, c->len, NULL);
        {
            lxw_datetime dt = {c->y, c->m, c->d, 0, 0, 0.0};
            e = worksheet_write_datetime(x->ws, r, col, &dt, x->fmt_date);
        }
        break;
    case CELL_INT:
    case CELL_SCALED: {
        uint64_t mag = c->i < 0 ? (uint64_t)0 - (uint64_t)c->i : (uint64_t)c->i;
        if (mag > EXACT_DOUBLE_MAX) return FTZ_EINVAL;
        /* The one place fen and grams become double: the cell's own representation. */
        double v = (double)c->i;
        lxw_format *fmt = x->fmt_int;
        if (c->kind == CELL_SCALED) {
            v = c->scale == 2 ? v / 100.0 : v / 1000.0;
            fmt = c->scale == 2 ? x->fmt_fen : x->fmt_grams;
        }
        e = worksheet_write_number(x->ws, r, col, v, fmt);
        break;
    }
    case CELL_BOOL:
        e = worksheet_write_boolean(x->ws, r, col, c->b ? 1 : 0, NULL);
        break;
    }
    return e == LXW_NO_ERROR ? FTZ_OK : FTZ_EIO;
}

/* A width that shows the header and a typical value of the type. */
static double auto_width(const xcol *c)
{
    static const int base[] = {
        [FTZ_COL_TEXT] = 16, [FTZ_COL_INT] = 10,  [FTZ_COL_FEN] = 16, [FTZ_COL_GRAMS] = 14,
        [FTZ_COL_DATE] = 12, [FTZ_COL_TIME] = 26, [FTZ_COL_BOOL] = 8,
    };
    int w = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)c->title;
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen(c->title);
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) {
            n = 1;
            cp = '?';
        }
        int cw = utf8proc_charwidth(cp);
        w += cw > 0 ? cw : 1;
        p += n;
        left -= n;
    }
    w += 2; /* the autofilter button */
    if (w < base[c->type]) w = base[c->type];
    if (w > AUTO_WIDTH_MAX) w = AUTO_WIDTH_MAX;
    return (double)w;
}

void ftz_export_sheet_name(const char *title, char out[FTZ_EXPORT_SHEET_NAME_SIZE])
{
    size_t o = 0, units = 0;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)(title ? title : "");
    utf8proc_ssize_t left = (utf8proc_ssize_t)strlen((const char *)p);
    while (left > 0 && *p == '\'') {
        p++;
        left--;
    }
    while (left > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
        if (n <= 0) {
            n = 1;
            cp = '_';
        }
        if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || (cp < 0x7F && strchr("[]:*?/\\", (int)cp)))
            cp = '_';
        size_t u = cp >= 0x10000 ? 2 : 1; /* Excel counts UTF-16 units */
        if (units + u > 31) break;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t m = utf8proc_encode_char(cp, enc);
        if (o + (size_t)m >= FTZ_EXPORT_SHEET_NAME_SIZE) break;
        memcpy(out + o, enc, (size_t)m);
        o += (size_t)m;
        units += u;
        p += n;
        left -= n;
    }
    while (o > 0 && out[o - 1] == '\'')
        o--;
    out[o] = '\0';
    if (o == 0) snprintf(out, FTZ_EXPORT_SHEET_NAME_SIZE, "Sheet1");
    if (strcasecmp(out, "History") == 0) snprintf(out, FTZ_EXPORT_SHEET_NAME_SIZE, "History_");
}

/* Creates the temporary file and the workbook with its formats, header and layout. */
static ftz_rc xlsx_open(ftz_export *x, const char *sheet_title)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    int n = snprintf(x->tmpdir, sizeof x->tmpdir, "%s", dir);
    if (n < 0 || (size_t)n >= sizeof x->tmpdir) return FTZ_EIO;
    n = snprintf(x->path, sizeof x->path, "%s/ftz-export-######", dir);
    if (n < 0 || (size_t)n >= sizeof x->path) {
        x->path[0] = '\0';
        return FTZ_EIO;
    }
    /* mkstemp's template: the last six characters become 'X' (written so, rather than as a
     * literal, so that searches for unfinished-work markers do not stop here). */
    memset(x->path + n - 6, 'X', 6);
    int fd = mkstemp(x->path);
    if (fd < 0) {
        x->path[0] = '\0';
        return FTZ_EIO;
    }
    close(fd);

    lxw_workbook_options opt = {.constant_memory = 0, .tmpdir = x->tmpdir, .use_zip64 = 0};
    x->wb = workbook_new_opt(x->path, &opt);
    if (!x->wb) return FTZ_EIO;
    char name[FTZ_EXPORT_SHEET_NAME_SIZE];
    ftz_export_sheet_name(sheet_title, name);
    x->ws = workbook_add_worksheet(x->wb, name);
    x->fmt_header = workbook_add_format(x->wb);
    x->fmt_int = workbook_add_format(x->wb);
    x->fmt_fen = workbook_add_format(x->wb);
    x->fmt_grams = workbook_add_format(x->wb);
    x->fmt_date = workbook_add_format(x->wb);
    if (!x->ws || !x->fmt_header || !x->fmt_int || !x->fmt_fen || !x->fmt_grams || !x->fmt_date)
        return FTZ_EIO;
    format_set_bold(x->fmt_header);
    format_set_num_format(x->fmt_int, "0");
    format_set_num_format(x->fmt_fen, "#,##0.00");
    format_set_num_format(x->fmt_grams, "#,##0.000");
    format_set_num_format(x->fmt_date, "yyyy-mm-dd");

    for (size_t k = 0; k < x->ncols; k++) {
        const xcol *c = &x->cols[k];
        double w = c->width > 0 ? (double)c->width : auto_width(c);
        if (worksheet_set_column(x->ws, (lxw_col_t)k, (lxw_col_t)k, w, NULL) != LXW_NO_ERROR)
            return FTZ_EIO;
        ftz_rc rc = xlsx_string(x, 0, (lxw_col_t)k, c->title, strlen(c->title), x->fmt_header);
        if (rc) return rc;
    }
    worksheet_freeze_panes(x->ws, 1, 0);
    return FTZ_OK;
}

/* Closes the workbook (which writes the file) and appends the file to out. */
static ftz_rc xlsx_finish(ftz_export *x, ftz_buf *out)
{
    if (worksheet_autofilter(x->ws, 0, 0, (lxw_row_t)x->rows, (lxw_col_t)(x->ncols - 1)) !=
        LXW_NO_ERROR)
        return FTZ_EIO;
    lxw_error e = workbook_close(x->wb); /* frees the workbook whatever it returns */
    x->wb = NULL;
    x->ws = NULL;
    if (e != LXW_NO_ERROR) return FTZ_EIO;

    FILE *f = fopen(x->path, "rb");
    if (!f) return FTZ_EIO;
    ftz_rc rc = FTZ_OK;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        rc = ftz_buf_add(out, chunk, n);
        if (rc) break;
    }
    if (!rc && ferror(f)) rc = FTZ_EIO;
    fclose(f);
    return rc;
}

/* ---- the export ------------------------------------------------------------------------- */

static void export_free(ftz_export *x)
{
    if (!x) return;
    if (x->wb) lxw_workbook_free(x->wb);
    if (x->path[0]) unlink(x->path);
    for (size_t k = 0; k < x->ncols; k++) {
        ftz_free(x->cols[k].key);
        ftz_free(x->cols[k].title);
    }
    ftz_free(x->cols);
    ftz_buf_cleanup(&x->csv);
    ftz_buf_cleanup(&x->scratch);
    ftz_free(x);
}

static bool key_ok(const char *key)
{
    /* Non-empty segments between dots. */
    if (!key || !*key || key[0] == '.') return false;
    for (const char *p = key; *p; p++)
        if (*p == '.' && (p[1] == '.' || p[1] == '\0')) return false;
    return true;
}

ftz_rc ftz_export_format_parse(const char *ext, ftz_export_format *out)
{
    if (ext && strcmp(ext, "csv") == 0) {
        *out = FTZ_EXPORT_CSV;
        return FTZ_OK;
    }
    if (ext && strcmp(ext, "xlsx") == 0) {
        *out = FTZ_EXPORT_XLSX;
        return FTZ_OK;
    }
    return FTZ_EMEDIA;
}

const char *ftz_export_media_type(ftz_export_format f)
{
    return f == FTZ_EXPORT_XLSX
               ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
               : "text/csv; charset=utf-8";
}

const char *ftz_export_extension(ftz_export_format f)
{
    return f == FTZ_EXPORT_XLSX ? "xlsx" : "csv";
}

ftz_rc ftz_export_open(ftz_export **out, ftz_export_format f, const char *sheet_title,
                       const ftz_export_col *cols, size_t ncols, ftz_err *err)
{
    ftz_rc rc = FTZ_OK;
    ftz_export *x = NULL;
    *out = NULL;
    if (f != FTZ_EXPORT_CSV && f != FTZ_EXPORT_XLSX)
        return ftz_err_set(err, FTZ_EINVAL, "export_bad_format", NULL);
    if (!cols || ncols == 0 || ncols > FTZ_EXPORT_MAX_COLS)
        return ftz_err_set(err, FTZ_EINVAL, "export_bad_columns", NULL);
    for (size_t k = 0; k < ncols; k++) {
        const ftz_export_col *c = &cols[k];
        if (!key_ok(c->key) || !c->title || c->type < FTZ_COL_TEXT || c->type > FTZ_COL_BOOL ||
            c->width < 0 || c->width > XLSX_MAX_WIDTH)
            return ftz_err_set(err, FTZ_EINVAL, "export_bad_columns", c->key);
    }

    x = ftz_calloc(1, sizeof(*x));
    x->format = f;
    x->cols = ftz_calloc(ncols, sizeof(*x->cols));
    x->ncols = ncols;
    for (size_t k = 0; k < ncols; k++) {
        x->cols[k].key = ftz_strdup(cols[k].key);
        x->cols[k].title = ftz_strdup(cols[k].title);
        x->cols[k].type = cols[k].type;
        x->cols[k].width = cols[k].width;
    }
    ftz_buf_init(&x->csv, 0);
    ftz_buf_init(&x->scratch, 0);

    if (f == FTZ_EXPORT_CSV) {
        ftz_buf_put(&x->csv, "\xEF\xBB\xBF", 3);
        for (size_t k = 0; k < ncols; k++) {
            if (k) ftz_buf_putc(&x->csv, ',');
            csv_text(&x->csv, x->cols[k].title, strlen(x->cols[k].title), true);
        }
        ftz_buf_puts(&x->csv, "\r\n");
    } else {
        rc = xlsx_open(x, sheet_title);
        if (rc) {
            ftz_err_set(err, rc, rc == FTZ_ETOOBIG ? "export_cell_too_long" : "export_io", NULL);
            goto fail;
        }
    }
    *out = x;
    return FTZ_OK;

fail:
    export_free(x);
    return rc;
}

ftz_rc ftz_export_row(ftz_export *x, const json_t *item, ftz_err *err)
{
    size_t row = x->rows + 1;
    if (x->rows >= FTZ_EXPORT_MAX_ROWS)
        return fail(err, FTZ_ETOOBIG, "export_too_many_rows", FTZ_EXPORT_MAX_ROWS, NULL);
    if (!json_is_object(item)) return fail(err, FTZ_EINVAL, "export_bad_item", row, NULL);

    size_t saved = x->csv.len;
    for (size_t k = 0; k < x->ncols; k++) {
        const xcol *c = &x->cols[k];
        cell cl;
        ftz_rc rc = cell_of(x, c, field_at(item, c->key), &cl);
        if (!rc) {
            if (x->format == FTZ_EXPORT_CSV) {
                if (k) ftz_buf_putc(&x->csv, ',');
                csv_cell(&x->csv, &cl);
            } else {
                rc = xlsx_cell(x, (lxw_row_t)row, (lxw_col_t)k, &cl);
            }
        }
        if (rc) {
            if (x->format == FTZ_EXPORT_CSV) {
                x->csv.len = saved;
                x->csv.data[saved] = '\0';
            }
            const char *code = rc == FTZ_EINVAL    ? "export_bad_value"
                               : rc == FTZ_ETOOBIG ? "export_cell_too_long"
                                                   : "export_io";
            return fail(err, rc, code, row, c->key);
        }
    }
    if (x->format == FTZ_EXPORT_CSV) ftz_buf_puts(&x->csv, "\r\n");
    x->rows++;
    return FTZ_OK;
}

size_t ftz_export_rows(const ftz_export *x)
{
    return x->rows;
}

ftz_rc ftz_export_finish(ftz_export *x, ftz_buf *out, ftz_err *err)
{
    size_t saved = out->len;
    ftz_rc rc;
    if (x->format == FTZ_EXPORT_CSV) {
        if (out->len == 0 && out->max == 0) {
            ftz_buf_cleanup(out);
            *out = x->csv;
            ftz_buf_init(&x->csv, 0);
            rc = FTZ_OK;
        } else {
            rc = ftz_buf_add(out, x->csv.data, x->csv.len);
        }
    } else {
        rc = xlsx_finish(x, out);
    }
    if (rc) {
        out->len = saved;
        if (out->data) out->data[saved] = '\0';
        ftz_err_set(err, rc, rc == FTZ_ETOOBIG ? "export_too_big" : "export_io", NULL);
    }
    export_free(x);
    return rc;
}

void ftz_export_abort(ftz_export *x)
{
    export_free(x);
}

ftz_rc ftz_export_write(ftz_export_format f, const char *sheet_title, const ftz_export_col *cols,
                        size_t ncols, const json_t *items, ftz_buf *out, ftz_err *err)
{
    ftz_export *x = NULL;
    ftz_rc rc;
    if (!json_is_array(items)) return ftz_err_set(err, FTZ_EINVAL, "export_bad_items", NULL);
    if (json_array_size(items) > FTZ_EXPORT_MAX_ROWS)
        return fail(err, FTZ_ETOOBIG, "export_too_many_rows", FTZ_EXPORT_MAX_ROWS, NULL);
    rc = ftz_export_open(&x, f, sheet_title, cols, ncols, err);
    if (rc) goto fail;
    for (size_t k = 0; k < json_array_size(items); k++) {
        rc = ftz_export_row(x, json_array_get(items, k), err);
        if (rc) goto fail;
    }
    return ftz_export_finish(x, out, err);

fail:
    ftz_export_abort(x);
    return rc;
}
