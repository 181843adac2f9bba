/* export.h — one helper that turns any list into a CSV or XLSX file (DESIGN.md §4: every
 * `GET /api/v1/<list>.csv|.xlsx` and every export job goes through it).
 *
 * A list is a jansson array of objects, the same items the JSON list answers with. The caller
 * describes the columns once (which field, the header in the reader's language, the type);
 * the helper picks each field out of every item and writes it in the file's own terms:
 *
 *   type            JSON value accepted             CSV                 XLSX cell
 *   FTZ_COL_TEXT    string (number, bool, object    the text, quoted    shared string
 *                   and array are written as text)  per RFC 4180
 *   FTZ_COL_INT     integer                         "-12"               number, format 0
 *   FTZ_COL_FEN     integer fen                     "1234.56", "-0.05"  number, #,##0.00
 *   FTZ_COL_GRAMS   integer grams                   "1.234" (kg)        number, #,##0.000
 *   FTZ_COL_DATE    "YYYY-MM-DD"                    as given            date, yyyy-mm-dd
 *   FTZ_COL_TIME    ISO 8601 text                   as given            string
 *   FTZ_COL_BOOL    true/false or integer 0/1       TRUE / FALSE        boolean
 *
 * null or a missing field is an empty cell in every column type. Any other mismatch (a
 * string in a FEN column, a real number anywhere but TEXT) is a caller bug and fails the
 * export with FTZ_EINVAL, naming the row and the column key: a spreadsheet silently showing
 * a wrong amount is worse than no spreadsheet.
 *
 * CSV is RFC 4180 (CRLF line ends, fields with `,` `"` CR or LF quoted and quotes doubled),
 * UTF-8 with a byte-order mark so that Excel reads Chinese and Cyrillic correctly. Text that
 * a spreadsheet would take for a formula (first character `=` `+` `-` `@`, tab or CR) gets a
 * leading `'` (CSV injection). XLSX never needs that: every text is written as a string
 * cell, never as a formula.
 *
 * XLSX has a bold, frozen header row with an autofilter, column widths (given, or guessed
 * from the header and the type) and a sheet name made safe for Excel. libxlsxwriter 1.1.4
 * can only write to a named file, so each XLSX export owns a mkstemp file in $TMPDIR (/tmp
 * when unset) from open until finish or abort, which always unlink it. The workbook is
 * held in memory until finish (libxlsxwriter's normal mode, which writes shared strings);
 * a million-row export of many columns needs memory in the gigabytes — CSV is the lean
 * format for the largest lists.
 *
 * Amounts are integer fen and grams throughout. The XLSX writer is the one place where fen
 * and grams become double: a spreadsheet number cell *is* an IEEE double, so the value is
 * converted at the moment it is handed to the cell, and only for magnitudes up to 2^53 where
 * the conversion is correctly rounded (the nearest double to the exact decimal amount).
 *
 * An ftz_export is used by one thread at a time; different exports are independent. */
#ifndef FTZ_CORE_EXPORT_H
#define FTZ_CORE_EXPORT_H

#include "core/ftz_setup.h"
#include "core/buf.h"
#include "core/err.h"

#include <jansson.h>

/* Rows after the header that one export may hold (Excel's limit is 1,048,576 with the
 * header). The row past it fails with FTZ_ETOOBIG. */
#define FTZ_EXPORT_MAX_ROWS 1000000
/* Columns of one export (Excel's limit is 16,384). */
#define FTZ_EXPORT_MAX_COLS 1000
/* Longest text Excel keeps in one cell, in characters; a longer XLSX cell is FTZ_ETOOBIG. */
#define FTZ_EXPORT_XLSX_MAX_CELL 32767
/* Bytes of a sanitised sheet name including the NUL (31 characters of up to 4 bytes). */
#define FTZ_EXPORT_SHEET_NAME_SIZE 128

typedef enum ftz_col_type {
    FTZ_COL_TEXT,
    FTZ_COL_INT,
    FTZ_COL_FEN,   /* money in fen → yuan with 2 decimals */
    FTZ_COL_GRAMS, /* weight in grams → kg with 3 decimals */
    FTZ_COL_DATE,  /* "YYYY-MM-DD" */
    FTZ_COL_TIME,  /* ISO 8601 text, written as it is */
    FTZ_COL_BOOL,
} ftz_col_type;

typedef struct ftz_export_col {
    const char *key;   /* field of each item; a dotted path reaches into objects: "dept.name" */
    const char *title; /* header text, already in the reader's language */
    ftz_col_type type;
    int width; /* XLSX column width in characters; 0 = guessed from title and type */
} ftz_export_col;

typedef enum ftz_export_format { FTZ_EXPORT_CSV, FTZ_EXPORT_XLSX } ftz_export_format;

typedef struct ftz_export ftz_export;

/* "csv" or "xlsx" (the router's `.{ext}` suffix, lower case only) → *out. Anything else is
 * FTZ_EMEDIA with *out untouched. */
ftz_rc ftz_export_format_parse(const char *ext, ftz_export_format *out) FTZ_WUR;

/* The Content-Type of a file in format f. */
const char *ftz_export_media_type(ftz_export_format f);

/* The file name extension of format f, without the dot: "csv", "xlsx". */
const char *ftz_export_extension(ftz_export_format f);

/* Writes the whole file for items (an array of objects) into out, appended to what out
 * holds (normally an empty buffer with max 0; a buffer with a cap fails with FTZ_ETOOBIG
 * when the file would not fit). On failure out is as it was and err says why:
 *   FTZ_EINVAL  bad columns, items not an array of objects, or a value of the wrong type
 *               (code "export_bad_value", param "row N, column KEY");
 *   FTZ_ETOOBIG more than FTZ_EXPORT_MAX_ROWS items ("export_too_many_rows"), an XLSX text
 *               longer than FTZ_EXPORT_XLSX_MAX_CELL ("export_cell_too_long"), or out's cap;
 *   FTZ_EIO     the temporary file or libxlsxwriter failed ("export_io").
 * err may be NULL; when not, its arena holds the strings. sheet_title names the XLSX sheet
 * (sanitised, see ftz_export_sheet_name); CSV ignores it. */
ftz_rc ftz_export_write(ftz_export_format f, const char *sheet_title, const ftz_export_col *cols,
                        size_t ncols, const json_t *items, ftz_buf *out, ftz_err *err) FTZ_WUR;

/* The streaming form, for jobs: open, add rows one at a time (ftz_export_rows tells the
 * progress), then finish or abort. The column descriptions are copied; cols need not
 * outlive the call. Fails with FTZ_EINVAL for no columns, more than FTZ_EXPORT_MAX_COLS, or
 * a column without key or title, and FTZ_EIO when the XLSX temporary file cannot be made. */
ftz_rc ftz_export_open(ftz_export **out, ftz_export_format f, const char *sheet_title,
                       const ftz_export_col *cols, size_t ncols, ftz_err *err) FTZ_WUR;

/* Adds one item (an object) as the next row. Errors as for ftz_export_write; after a
 * failed row the export is still usable (nothing of the bad row is kept in CSV; in XLSX the
 * cells before the bad one stay, so callers normally abort). */
ftz_rc ftz_export_row(ftz_export *x, const json_t *item, ftz_err *err) FTZ_WUR;

/* Rows added so far. */
size_t ftz_export_rows(const ftz_export *x);

/* Completes the file and appends it to out, then frees x (always, also on failure, which
 * leaves out as it was and removes the temporary file). */
ftz_rc ftz_export_finish(ftz_export *x, ftz_buf *out, ftz_err *err) FTZ_WUR;

/* Throws the export away, removing its temporary file. x may be NULL. */
void ftz_export_abort(ftz_export *x);

/* An Excel-safe sheet name for title into out (FTZ_EXPORT_SHEET_NAME_SIZE bytes): the
 * characters [ ] : * ? / \ and control characters become '_', bytes that are not UTF-8
 * become '_', apostrophes at either end are dropped, the result is cut to 31 UTF-16 units
 * (Excel's limit) on a character boundary; empty becomes "Sheet1" and Excel's reserved name
 * "History" becomes "History_". */
void ftz_export_sheet_name(const char *title, char out[FTZ_EXPORT_SHEET_NAME_SIZE]);

#endif
