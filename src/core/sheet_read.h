/* sheet_read.h — an uploaded table (CSV or XLSX) read into rows of UTF-8 cells, for the
 * imports (DESIGN.md §4 "Long work (imports …) runs as a job"; §8 libcsv, libzip + libxml2).
 *
 * The reader knows nothing of what the columns mean: it hands back the first worksheet (or
 * the CSV's records) as text, each row with the number a person sees for it — the sheet's
 * own row number in Excel, the record's number in a CSV (blank lines count, as a spreadsheet
 * shows them) — so that an import can name "row 7" and be understood.
 *
 *   CSV   UTF-8 (an optional byte-order mark), RFC 4180 quoting, CRLF or LF; the separator is
 *         the comma unless the first line holds more semicolons or tabs than commas (Excel in
 *         a Russian or German locale saves CSV with ';'). Malformed quoting is an error.
 *   XLSX  the first sheet of xl/workbook.xml, found through xl/_rels/workbook.xml.rels;
 *         shared strings (rich-text runs <r><t> joined, phonetic runs <rPh> left out), inline
 *         strings, numbers as the text the file stores ("12", "1.5E-3"), booleans as "TRUE" /
 *         "FALSE", error values as their text ("#N/A"), formula cells as their cached value.
 *         Cell references ("C7") place cells in their column and rows at their number.
 *         Excel's "_xHHHH_" escapes in strings are decoded.
 *
 * Rows whose cells are all empty are left out; trailing empty cells of a row are cut; an
 * empty cell inside a row is "". Every cell is valid UTF-8 without NUL bytes.
 *
 * Hostile input: at most FTZ_SHEET_MAX_ROWS non-empty rows, FTZ_SHEET_MAX_COLS columns,
 * FTZ_SHEET_MAX_CELL bytes per cell, FTZ_SHEET_MAX_UNZIPPED bytes read out of the ZIP in all
 * (a zip bomb stops there, whatever the entries claim); XML is parsed without network access,
 * entity substitution or DTD loading, and a part that carries a DOCTYPE at all is refused.
 *
 * Errors are an ftz_rc with a stable code in err (ftz_err_set, no field), its parameter
 * saying where when it can ("row 7", "C7", the ZIP entry):
 *   FTZ_EMEDIA   sheet_media_type   neither CSV nor XLSX
 *   FTZ_EPARSE   sheet_not_zip      the bytes are not a ZIP archive (or a truncated one)
 *                sheet_bad_zip      an entry cannot be read (damaged data, wrong CRC)
 *                sheet_no_sheet     no workbook, no first sheet, or the sheet's part missing
 *                sheet_bad_xml      a part is not well-formed XML (or not UTF-8)
 *                sheet_dtd          a part carries a DOCTYPE
 *                sheet_bad_ref      a cell or row reference out of order or out of range,
 *                                   a shared string index that does not exist
 *                sheet_bad_csv      malformed CSV quoting (param: the row)
 *                sheet_bad_utf8     a cell that is not valid UTF-8 (param: the row or cell)
 *   FTZ_ETOOBIG  sheet_too_big      more than FTZ_SHEET_MAX_UNZIPPED bytes unzipped
 *                sheet_too_many_rows, sheet_too_many_columns, sheet_cell_too_big (param: where)
 */
#ifndef FTZ_CORE_SHEET_READ_H
#define FTZ_CORE_SHEET_READ_H

#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/err.h"

#define FTZ_SHEET_MAX_ROWS     100000             /* non-empty rows, the header included */
#define FTZ_SHEET_MAX_COLS     200                /* columns A … GR */
#define FTZ_SHEET_MAX_CELL     (32 * 1024)        /* bytes of one cell's text */
#define FTZ_SHEET_MAX_UNZIPPED (64 * 1024 * 1024) /* bytes read out of one XLSX in all */

#define FTZ_SHEET_XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

typedef struct ftz_sheet_row {
    int64_t rownum;     /* the row's number as a person sees it: 1 = the first row */
    size_t ncells;      /* up to the last non-empty cell (at least 1) */
    const char **cells; /* ncells texts, "" for an empty cell */
} ftz_sheet_row;

typedef struct ftz_sheet {
    const char *format; /* "csv" or "xlsx" */
    size_t nrows;       /* rows with at least one non-empty cell, in order */
    ftz_sheet_row *rows;
} ftz_sheet;

/* Makes libxml2 ready for use from several threads; call once at start-up, before threads
 * start (firm_import_init does). Harmless to call again. */
void ftz_sheet_init(void);

/* Reads the len bytes at data as media_type — "text/csv" or "text/plain" (CSV), the XLSX
 * type, or NULL (a ZIP is XLSX, anything else CSV). *out and every text live in arena a.
 * data is only read, and need not outlive the call. On failure *out is NULL and err (may be
 * NULL) holds the code as listed above. */
ftz_rc ftz_sheet_read(ftz_arena *a, const void *data, size_t len, const char *media_type,
                      ftz_sheet **out, ftz_err *err) FTZ_WUR;

/* The spreadsheet name of a 0-based column: 0 → "A", 25 → "Z", 26 → "AA" (in a). */
const char *ftz_sheet_col_name(ftz_arena *a, size_t col);

#endif
