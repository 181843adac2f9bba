/* test_sheet_read.c — uploaded tables into rows (core/sheet_read.h): CSV quoting, byte-order
 * mark, separators and row numbers; XLSX written by libxlsxwriter (shared and inline strings,
 * numbers, booleans, gaps) and by hand with libzip (rich text, phonetic runs, references,
 * escapes, relationship paths); ftz's own export read back; and the hostile inputs — not a
 * ZIP, a truncated or damaged one, a missing sheet, a DOCTYPE, invalid UTF-8, every cap. */
#include "core/ftz_setup.h"
#include "core/sheet_read.h"
#include "core/arena.h"
#include "core/export.h"
#include "core/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <xlsxwriter.h>
#include <zip.h>

/* ---- helpers ---- */

typedef struct fx {
    ftz_arena *a;
    ftz_err err;
    ftz_sheet *s;
} fx;

static int setup(void **state)
{
    fx *f = ftz_calloc(1, sizeof(*f));
    f->a = ftz_arena_new();
    ftz_err_init(&f->err, f->a);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx *f = *state;
    ftz_arena_free(f->a);
    ftz_free(f);
    return 0;
}

static ftz_rc read_as(fx *f, const void *data, size_t len, const char *type)
{
    ftz_err_init(&f->err, f->a);
    return ftz_sheet_read(f->a, data, len, type, &f->s, &f->err);
}

static ftz_rc read_csv(fx *f, const char *text)
{
    return read_as(f, text, strlen(text), "text/csv");
}

/* Row i's cell j, or NULL past the row's end. */
static const char *cell(const fx *f, size_t i, size_t j)
{
    assert_true(i < f->s->nrows);
    const ftz_sheet_row *r = &f->s->rows[i];
    return j < r->ncells ? r->cells[j] : NULL;
}

static void expect_row(const fx *f, size_t i, int64_t rownum, size_t ncells, ...)
{
    assert_true(i < f->s->nrows);
    const ftz_sheet_row *r = &f->s->rows[i];
    assert_int_equal(r->rownum, rownum);
    assert_int_equal(r->ncells, ncells);
    va_list ap;
    va_start(ap, ncells);
    for (size_t j = 0; j < ncells; j++)
        assert_string_equal(r->cells[j], va_arg(ap, const char *));
    va_end(ap);
}

static void expect_fail(const fx *f, ftz_rc got, ftz_rc rc, const char *code, const char *param)
{
    assert_int_equal(got, rc);
    assert_null(f->s);
    assert_non_null(f->err.code);
    assert_string_equal(f->err.code, code);
    if (param) {
        assert_non_null(f->err.param);
        assert_string_equal(f->err.param, param);
    }
}

/* A temporary file name (mkstemp; the caller unlinks it). */
static char *temp_path(void)
{
    const char *dir = getenv("TMPDIR");
    char *p = ftz_malloc(512);
    snprintf(p, 512, "%s/ftz-sheet-test-%s", dir && *dir ? dir : "/tmp", "XXXXXX");
    int fd = mkstemp(p);
    assert_true(fd >= 0);
    close(fd);
    return p;
}

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    unsigned char *b = ftz_malloc((size_t)n + 1);
    assert_int_equal(fread(b, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return b;
}

typedef struct part {
    const char *name;
    const char *text; /* NUL-terminated, or… */
    size_t len;       /* …this many bytes when non-zero */
} part;

/* A ZIP of the parts, in memory (heap; ftz_free). */
static unsigned char *zip_parts(const part *parts, size_t n, size_t *len)
{
    char *path = temp_path();
    int ze;
    zip_t *z = zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &ze);
    assert_non_null(z);
    for (size_t i = 0; i < n; i++) {
        size_t l = parts[i].len ? parts[i].len : strlen(parts[i].text);
        zip_source_t *src = zip_source_buffer(z, parts[i].text, l, 0);
        assert_non_null(src);
        assert_true(zip_file_add(z, parts[i].name, src, ZIP_FL_OVERWRITE) >= 0);
    }
    assert_int_equal(zip_close(z), 0);
    unsigned char *b = slurp(path, len);
    unlink(path);
    ftz_free(path);
    return b;
}

#define WB                                                                                         \
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"                              \
    "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "               \
    "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"             \
    "<sheets><sheet name=\"Firms\" sheetId=\"1\" r:id=\"rId1\"/>"                                  \
    "<sheet name=\"Other\" sheetId=\"2\" r:id=\"rId2\"/></sheets></workbook>"
#define RELS                                                                                       \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"       \
    "<Relationship Id=\"rId2\" "                                                                   \
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "      \
    "Target=\"worksheets/sheet2.xml\"/>"                                                           \
    "<Relationship Id=\"rId1\" "                                                                   \
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "      \
    "Target=\"worksheets/sheet1.xml\"/>"                                                           \
    "<Relationship Id=\"rId3\" "                                                                   \
    "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings\" "  \
    "Target=\"sharedStrings.xml\"/></Relationships>"
#define SHEET_OPEN                                                                                 \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>"
#define SHEET_CLOSE "</sheetData></worksheet>"
#define SST_OPEN                                                                                   \
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"                                                 \
    "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"

/* A workbook of the standard parts with this sheet and these shared strings (NULL: none). */
static unsigned char *xlsx_of(const char *sheet, const char *sst, size_t *len)
{
    part p[] = {{"xl/workbook.xml", WB, 0},
                {"xl/_rels/workbook.xml.rels", RELS, 0},
                {"xl/worksheets/sheet1.xml", sheet, 0},
                {"xl/worksheets/sheet2.xml",
                 SHEET_OPEN "<row r=\"1\"><c t=\"inlineStr\"><is><t>"
                            "second sheet</t></is></c></row>" SHEET_CLOSE,
                 0},
                {"xl/sharedStrings.xml", sst ? sst : "", 0}};
    return zip_parts(p, sst ? 5 : 4, len);
}

static ftz_rc read_xlsx_of(fx *f, const char *sheet, const char *sst)
{
    size_t len;
    unsigned char *b = xlsx_of(sheet, sst, &len);
    ftz_rc rc = read_as(f, b, len, FTZ_SHEET_XLSX_TYPE);
    ftz_free(b);
    return rc;
}

/* ---- CSV ---- */

static void test_csv_quoting_bom_crlf(void **state)
{
    fx *f = *state;
    const char *csv = "\xEF\xBB\xBF"
                      "统一社会信用代码,企业名称,Название\r\n"
                      "91231100MA1B2C3D4E,\"黑河, \"\"大\"\"桥\",ООО «Тест»\r\n"
                      "\r\n"
                      "x,\"line1\r\nline2\",\r\n"
                      ",,\r\n"
                      "  padded  ,,last";
    assert_int_equal(read_csv(f, csv), FTZ_OK);
    assert_string_equal(f->s->format, "csv");
    assert_int_equal(f->s->nrows, 4);
    expect_row(f, 0, 1, 3, "统一社会信用代码", "企业名称", "Название");
    expect_row(f, 1, 2, 3, "91231100MA1B2C3D4E", "黑河, \"大\"桥", "ООО «Тест»");
    /* the blank line is row 3; the quoted CRLF stays inside row 4; ",," is an empty row 5 */
    expect_row(f, 2, 4, 2, "x", "line1\r\nline2");
    expect_row(f, 3, 6, 3, "padded", "", "last");
}

static void test_csv_lf_and_separators(void **state)
{
    fx *f = *state;
    static const struct {
        const char *text;
        size_t rows;
        const char *second; /* row 1, cell 1 */
    } cases[] = {
        {"a,b\nc,d\n", 2, "b"},
        {"a;b;c\n1;2,5;3\n", 2, "b"}, /* Russian Excel: semicolons */
        {"a\tb\n1\t 2 \n", 2, "b"},   /* tabs */
        {"\"x;y\",b\n1,2\n", 2, "b"}, /* a quoted ';' does not count */
        {"a\n\n\nb\n", 2, NULL},      /* one column */
        {"a,b\rc,d\r", 2, "b"},       /* old Mac line ends */
        {"", 0, NULL},
        {"\xEF\xBB\xBF", 0, NULL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        assert_int_equal(read_csv(f, cases[i].text), FTZ_OK);
        assert_int_equal(f->s->nrows, cases[i].rows);
        if (cases[i].second) assert_string_equal(cell(f, 0, 1), cases[i].second);
    }
    assert_int_equal(read_csv(f, "a;b;c\n1;2,5;3\n"), FTZ_OK);
    expect_row(f, 1, 2, 3, "1", "2,5", "3");
    assert_int_equal(read_csv(f, "a\tb\n1\t 2 \n"), FTZ_OK);
    expect_row(f, 1, 2, 2, "1", "2");
    assert_int_equal(read_csv(f, "a\n\n\nb\n"), FTZ_OK);
    expect_row(f, 1, 4, 1, "b");
    /* media types: text/plain is read as CSV, parameters are ignored, NULL sniffs */
    assert_int_equal(read_as(f, "p,q\n", 4, "text/plain; charset=utf-8"), FTZ_OK);
    expect_row(f, 0, 1, 2, "p", "q");
    assert_int_equal(read_as(f, "p,q\n", 4, NULL), FTZ_OK);
    assert_string_equal(f->s->format, "csv");
}

static void test_csv_bad(void **state)
{
    fx *f = *state;
    static const struct {
        const char *text;
        ftz_rc rc;
        const char *code, *param;
    } cases[] = {
        {"a,b\n1,\"open\n", FTZ_EPARSE, "sheet_bad_csv", "row 2"},
        {"a,b\n1,\"x\"y\n", FTZ_EPARSE, "sheet_bad_csv", "row 2"},
        {"a,b\nc,d\"e\n", FTZ_EPARSE, "sheet_bad_csv", "row 2"},
        {"a,b\n\nok,\xC3\x28\n", FTZ_EPARSE, "sheet_bad_utf8", "row 3"},
        {"a,\xED\xA0\x80\n", FTZ_EPARSE, "sheet_bad_utf8", "row 1"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        expect_fail(f, read_csv(f, cases[i].text), cases[i].rc, cases[i].code, cases[i].param);
    /* a NUL byte inside a field */
    expect_fail(f, read_as(f, "a,b\nc,d\0e\n", 10, "text/csv"), FTZ_EPARSE, "sheet_bad_utf8",
                "row 2");
    /* a type that is neither */
    expect_fail(f, read_as(f, "%PDF-", 5, "application/pdf"), FTZ_EMEDIA, "sheet_media_type", NULL);
}

static void test_csv_caps(void **state)
{
    fx *f = *state;
    /* a cell one byte over the cap, quoted or not */
    size_t big = FTZ_SHEET_MAX_CELL + 1;
    char *t = ftz_malloc(big + 16);
    memcpy(t, "a\n", 2);
    memset(t + 2, 'x', big);
    t[2 + big] = '\0';
    expect_fail(f, read_csv(f, t), FTZ_ETOOBIG, "sheet_cell_too_big", "row 2");
    t[2] = '"';
    memset(t + 3, 'x', big);
    memcpy(t + 3 + big, "\"\n", 3);
    expect_fail(f, read_csv(f, t), FTZ_ETOOBIG, "sheet_cell_too_big", "row 2");
    /* exactly at the cap is fine */
    memset(t + 2, 'y', FTZ_SHEET_MAX_CELL);
    t[2 + FTZ_SHEET_MAX_CELL] = '\0';
    assert_int_equal(read_csv(f, t), FTZ_OK);
    assert_int_equal(strlen(cell(f, 1, 0)), FTZ_SHEET_MAX_CELL);
    ftz_free(t);

    /* columns: 200 fine, a value in the 201st not; empty cells past it are harmless */
    char *cols = ftz_malloc(4 * 202 + 8);
    size_t n = 0;
    for (int i = 0; i < FTZ_SHEET_MAX_COLS; i++)
        n += (size_t)snprintf(cols + n, 8, "%s%d", i ? "," : "", i % 10);
    memcpy(cols + n, ",,,\n", 5);
    assert_int_equal(read_csv(f, cols), FTZ_OK);
    assert_int_equal(f->s->rows[0].ncells, FTZ_SHEET_MAX_COLS);
    memcpy(cols + n, ",z\n", 4);
    expect_fail(f, read_csv(f, cols), FTZ_ETOOBIG, "sheet_too_many_columns", NULL);
    ftz_free(cols);

    /* rows: the cap counts non-empty rows only */
    size_t lines = FTZ_SHEET_MAX_ROWS;
    char *many = ftz_malloc(lines * 2 + 64);
    for (size_t i = 0; i < lines; i++)
        memcpy(many + 2 * i, "a\n", 2);
    memcpy(many + 2 * lines, "\n\n", 3);
    assert_int_equal(read_csv(f, many), FTZ_OK);
    assert_int_equal(f->s->nrows, FTZ_SHEET_MAX_ROWS);
    assert_int_equal(f->s->rows[FTZ_SHEET_MAX_ROWS - 1].rownum, FTZ_SHEET_MAX_ROWS);
    memcpy(many + 2 * lines, "b\n", 3);
    expect_fail(f, read_csv(f, many), FTZ_ETOOBIG, "sheet_too_many_rows", NULL);
    ftz_free(many);
}

/* ---- XLSX by libxlsxwriter ---- */

static unsigned char *lxw_book(bool inline_strings, size_t *len)
{
    char *path = temp_path();
    lxw_workbook_options opt = {.constant_memory = inline_strings ? LXW_TRUE : LXW_FALSE};
    lxw_workbook *wb = workbook_new_opt(path, &opt);
    assert_non_null(wb);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "企业");
    worksheet_write_string(ws, 0, 0, "统一社会信用代码", NULL);
    worksheet_write_string(ws, 0, 1, "企业名称", NULL);
    worksheet_write_string(ws, 0, 3, "跨境贸易", NULL); /* column C left empty */
    worksheet_write_string(ws, 1, 0, "91231100MA1B2C3D4E", NULL);
    worksheet_write_string(ws, 1, 1, "黑河东奥能源有限公司", NULL);
    worksheet_write_boolean(ws, 1, 3, 1, NULL);
    /* row 3 (index 2) empty; row 4 has numbers and a repeated string */
    worksheet_write_number(ws, 3, 0, 4162000000.0, NULL);
    worksheet_write_number(ws, 3, 1, 3.5, NULL);
    worksheet_write_string(ws, 3, 2, "企业名称", NULL);
    worksheet_write_boolean(ws, 3, 3, 0, NULL);
    worksheet_write_string(ws, 6, 4, "far", NULL);
    lxw_worksheet *ws2 = workbook_add_worksheet(wb, "other");
    worksheet_write_string(ws2, 0, 0, "not read", NULL);
    assert_int_equal(workbook_close(wb), LXW_NO_ERROR);
    unsigned char *b = slurp(path, len);
    unlink(path);
    ftz_free(path);
    return b;
}

static void check_lxw_rows(const fx *f)
{
    assert_string_equal(f->s->format, "xlsx");
    assert_int_equal(f->s->nrows, 4);
    expect_row(f, 0, 1, 4, "统一社会信用代码", "企业名称", "", "跨境贸易");
    expect_row(f, 1, 2, 4, "91231100MA1B2C3D4E", "黑河东奥能源有限公司", "", "TRUE");
    expect_row(f, 2, 4, 4, "4162000000", "3.5", "企业名称", "FALSE");
    expect_row(f, 3, 7, 5, "", "", "", "", "far");
}

static void test_xlsx_shared_strings(void **state)
{
    fx *f = *state;
    size_t len;
    unsigned char *b = lxw_book(false, &len);
    assert_int_equal(read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_OK);
    check_lxw_rows(f);
    /* sniffed without a type */
    assert_int_equal(read_as(f, b, len, NULL), FTZ_OK);
    check_lxw_rows(f);
    ftz_free(b);
}

static void test_xlsx_inline_strings(void **state)
{
    fx *f = *state;
    size_t len;
    unsigned char *b = lxw_book(true, &len);
    assert_int_equal(read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_OK);
    check_lxw_rows(f);
    ftz_free(b);
}

/* ---- XLSX by hand ---- */

static void test_xlsx_rich_refs_escapes(void **state)
{
    fx *f = *state;
    const char *sst = SST_OPEN "<si><t>plain</t></si>"
                               "<si><r><rPr><b/></rPr><t>黑河</t></r><r><t xml:space=\"preserve\"> "
                               "东奥</t></r><rPh sb=\"0\" eb=\"1\"><t>HEIHE</t></rPh></si>"
                               "<si><t>a_x000D__x000A_b_x005F_x0041_</t></si>"
                               "<si/>"
                               "<si><t>&lt;&amp;&gt; &#x41;</t></si>"
                               "</sst>";
    const char *sheet = SHEET_OPEN
        /* no r on rows or cells: in order from 1 and A */
        "<row><c t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c><c t=\"s\"><v>2</v></c></row>"
        "<row r=\"5\" spans=\"1:9\"><c r=\"B5\" t=\"inlineStr\"><is><r><t>in</t></r><r><t>line"
        "</t></r><rPh><t>x</t></rPh></is></c><c r=\"D5\" t=\"str\"><f>A1&amp;\"\"</f>"
        "<v>plain_x0021_</v></c><c t=\"e\"><v>#N/A</v></c><c r=\"G5\" t=\"s\"><v>3</v></c>"
        "<c r=\"H5\" t=\"s\"><v>4</v></c></row>"
        "<row r=\"6\"><c r=\"A6\" s=\"1\"/><c r=\"B6\"><v></v></c></row>"
        "<row r=\"7\"/>"
        "<row r=\"9\"><c r=\"AA9\" t=\"n\"><v>-1.5E-3</v></c><c r=\"AB9\" t=\"d\">"
        "<v>2024-03-21T00:00:00</v></c></row>" SHEET_CLOSE;
    assert_int_equal(read_xlsx_of(f, sheet, sst), FTZ_OK);
    assert_int_equal(f->s->nrows, 3);
    expect_row(f, 0, 1, 3, "plain", "黑河 东奥", "a\r\nb_x0041_");
    expect_row(f, 1, 5, 8, "", "inline", "", "plain!", "#N/A", "", "", "<&> A");
    assert_int_equal(f->s->rows[2].rownum, 9);
    assert_int_equal(f->s->rows[2].ncells, 28);
    assert_string_equal(cell(f, 2, 26), "-1.5E-3");
    assert_string_equal(cell(f, 2, 27), "2024-03-21T00:00:00");
}

static void test_xlsx_prefixes_and_paths(void **state)
{
    fx *f = *state;
    /* the x: prefix (some writers), an absolute target and a strange sheet name; the shared
     * strings found through their relationship under another name */
    const char *wb = "<?xml version=\"1.0\"?><x:workbook "
                     "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                     "xmlns:rel=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                     "relationships\"><x:sheets><x:sheet name=\"S\" sheetId=\"7\" "
                     "rel:id=\"R9\"/></x:sheets></x:workbook>";
    const char *rels =
        "<?xml version=\"1.0\"?><Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        "<Relationship Id=\"R1\" Type=\"http://x/hyperlink\" Target=\"http://example.com/\" "
        "TargetMode=\"External\"/>"
        "<Relationship Id=\"R9\" Type=\"http://x/worksheet\" Target=\"/xl/./data/../ws/s.xml\"/>"
        "<Relationship Id=\"R3\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
        "sharedStrings\" Target=\"strings/all.xml\"/></Relationships>";
    const char *sheet = "<?xml version=\"1.0\"?><x:worksheet "
                        "xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
                        "<x:sheetData><x:row r=\"2\"><x:c r=\"B2\" t=\"s\"><x:v>0</x:v></x:c>"
                        "</x:row></x:sheetData></x:worksheet>";
    const char *sst = SST_OPEN "<si><t>found</t></si></sst>";
    part p[] = {{"xl/workbook.xml", wb, 0},
                {"xl/_rels/workbook.xml.rels", rels, 0},
                {"xl/ws/s.xml", sheet, 0},
                {"xl/strings/all.xml", sst, 0}};
    size_t len;
    unsigned char *b = zip_parts(p, 4, &len);
    assert_int_equal(read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_OK);
    ftz_free(b);
    assert_int_equal(f->s->nrows, 1);
    expect_row(f, 0, 2, 2, "", "found");
}

static void test_xlsx_own_export(void **state)
{
    fx *f = *state;
    /* what ftz's export writes reads back as the same texts */
    static const ftz_export_col cols[] = {
        {"code", "统一社会信用代码", FTZ_COL_TEXT, 0},
        {"name", "企业名称", FTZ_COL_TEXT, 0},
        {"n", "编号", FTZ_COL_INT, 0},
        {"cross", "跨境贸易", FTZ_COL_BOOL, 0},
    };
    json_t *items = json_loads("[{\"code\":\"91231100MA1B2C3D4E\",\"name\":\"a_x0041_b <&>\","
                               "\"n\":42,\"cross\":true},{\"name\":\"=1+1\",\"cross\":false}]",
                               0, NULL);
    assert_non_null(items);
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(
        ftz_export_write(FTZ_EXPORT_XLSX, "firms", cols, FTZ_COUNTOF(cols), items, &out, &f->err),
        FTZ_OK);
    assert_int_equal(read_as(f, out.data, out.len, FTZ_SHEET_XLSX_TYPE), FTZ_OK);
    assert_int_equal(f->s->nrows, 3);
    expect_row(f, 0, 1, 4, "统一社会信用代码", "企业名称", "编号", "跨境贸易");
    expect_row(f, 1, 2, 4, "91231100MA1B2C3D4E", "a_x0041_b <&>", "42", "TRUE");
    expect_row(f, 2, 3, 4, "", "=1+1", "", "FALSE");
    ftz_buf_reset(&out);
    assert_int_equal(
        ftz_export_write(FTZ_EXPORT_CSV, "firms", cols, FTZ_COUNTOF(cols), items, &out, &f->err),
        FTZ_OK);
    assert_int_equal(read_as(f, out.data, out.len, "text/csv"), FTZ_OK);
    expect_row(f, 1, 2, 4, "91231100MA1B2C3D4E", "a_x0041_b <&>", "42", "TRUE");
    expect_row(f, 2, 3, 4, "", "'=1+1", "", "FALSE"); /* the guard stays: the import drops it */
    ftz_buf_cleanup(&out);
    json_decref(items);
}

static void test_xlsx_bad(void **state)
{
    fx *f = *state;
    static const struct {
        const char *name;
        const char *sheet, *sst;
        ftz_rc rc;
        const char *code, *param;
    } cases[] = {
        {"a shared string index past the end",
         SHEET_OPEN "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1"
                    "</v></c></row>" SHEET_CLOSE,
         SST_OPEN "<si><t>x</t></si></sst>", FTZ_EPARSE, "sheet_bad_ref", "A1"},
        {"a shared string index that is no number",
         SHEET_OPEN "<row r=\"1\"><c r=\"A1\" t=\"s\">"
                    "<v>-1</v></c></row>" SHEET_CLOSE,
         SST_OPEN "<si><t>x</t></si></sst>", FTZ_EPARSE, "sheet_bad_ref", "A1"},
        {"rows out of order", SHEET_OPEN "<row r=\"3\"/><row r=\"2\"/>" SHEET_CLOSE, NULL,
         FTZ_EPARSE, "sheet_bad_ref", "row 2"},
        {"a cell of another row",
         SHEET_OPEN "<row r=\"3\"><c r=\"A4\"><v>1</v></c></row>" SHEET_CLOSE, NULL, FTZ_EPARSE,
         "sheet_bad_ref", "A4"},
        {"cells out of order",
         SHEET_OPEN "<row r=\"1\"><c r=\"C1\"><v>1</v></c><c r=\"B1\"><v>2"
                    "</v></c></row>" SHEET_CLOSE,
         NULL, FTZ_EPARSE, "sheet_bad_ref", "B1"},
        {"a reference past Excel's columns",
         SHEET_OPEN "<row r=\"1\"><c r=\"XFE1\"><v>1</v></c>"
                    "</row>" SHEET_CLOSE,
         NULL, FTZ_EPARSE, "sheet_bad_ref", "XFE1"},
        {"a row past Excel's rows", SHEET_OPEN "<row r=\"1048577\"/>" SHEET_CLOSE, NULL, FTZ_EPARSE,
         "sheet_bad_ref", "row 1048577"},
        {"a value in column 201",
         SHEET_OPEN "<row r=\"1\"><c r=\"GS1\" t=\"inlineStr\"><is><t>x"
                    "</t></is></c></row>" SHEET_CLOSE,
         NULL, FTZ_ETOOBIG, "sheet_too_many_columns", "200"},
        {"not well-formed", SHEET_OPEN "<row r=\"1\"><c><v>1</c></row>" SHEET_CLOSE, NULL,
         FTZ_EPARSE, "sheet_bad_xml", "xl/worksheets/sheet1.xml"},
        {"a DOCTYPE (billion laughs)",
         "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
         "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]><worksheet><sheetData><row>"
         "<c t=\"inlineStr\"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>",
         NULL, FTZ_EPARSE, "sheet_dtd", "xl/worksheets/sheet1.xml"},
        {"an external entity",
         "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM "
         "\"file:///etc/passwd\">]><worksheet/>",
         NULL, FTZ_EPARSE, "sheet_dtd", NULL},
        {"invalid UTF-8 in a shared string", SHEET_OPEN SHEET_CLOSE,
         SST_OPEN "<si><t>\xC3\x28</t></si></sst>", FTZ_EPARSE, "sheet_bad_xml",
         "xl/sharedStrings.xml"},
        {"an escape to NUL",
         SHEET_OPEN "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>a_x0000_"
                    "</t></is></c></row>" SHEET_CLOSE,
         NULL, FTZ_EPARSE, "sheet_bad_utf8", "A2"},
        {"an escape to a surrogate", SHEET_OPEN SHEET_CLOSE,
         SST_OPEN "<si><t>_xD800_</t></si></sst>", FTZ_EPARSE, "sheet_bad_utf8", NULL},
        {"a part that is no XML", "PK", NULL, FTZ_EPARSE, "sheet_bad_xml", NULL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        print_message("# %s\n", cases[i].name);
        expect_fail(f, read_xlsx_of(f, cases[i].sheet, cases[i].sst), cases[i].rc, cases[i].code,
                    cases[i].param);
    }
}

static void test_xlsx_cell_caps(void **state)
{
    fx *f = *state;
    size_t big = FTZ_SHEET_MAX_CELL + 1;
    char *text = ftz_malloc(big + 1);
    memset(text, 'z', big);
    text[big] = '\0';
    /* an inline string over the cap */
    char *sheet = ftz_malloc(big + 512);
    snprintf(sheet, big + 512,
             SHEET_OPEN
             "<row r=\"3\"><c r=\"B3\" t=\"inlineStr\"><is><t>%s</t></is></c></row>" SHEET_CLOSE,
             text);
    expect_fail(f, read_xlsx_of(f, sheet, NULL), FTZ_ETOOBIG, "sheet_cell_too_big", "B3");
    /* a shared string over the cap: harmless until a cell uses it */
    char *sst = ftz_malloc(big + 512);
    snprintf(sst, big + 512, SST_OPEN "<si><t>ok</t></si><si><t>%s</t></si></sst>", text);
    assert_int_equal(read_xlsx_of(f,
                                  SHEET_OPEN "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c>"
                                             "</row>" SHEET_CLOSE,
                                  sst),
                     FTZ_OK);
    expect_row(f, 0, 1, 1, "ok");
    expect_fail(
        f,
        read_xlsx_of(
            f, SHEET_OPEN "<row r=\"1\"><c r=\"C1\" t=\"s\"><v>1</v></c></row>" SHEET_CLOSE, sst),
        FTZ_ETOOBIG, "sheet_cell_too_big", "C1");
    ftz_free(sst);
    ftz_free(sheet);
    ftz_free(text);

    /* rows: 100,000 non-empty ones fit; one more does not */
    size_t nrows = FTZ_SHEET_MAX_ROWS + 1;
    char *many = ftz_malloc(nrows * 40 + 256);
    size_t n = (size_t)snprintf(many, 256, "%s", SHEET_OPEN);
    for (size_t i = 1; i <= nrows; i++)
        n += (size_t)snprintf(many + n, 40, "<row><c><v>%zu</v></c></row>", i);
    snprintf(many + n, 64, "%s", SHEET_CLOSE);
    expect_fail(f, read_xlsx_of(f, many, NULL), FTZ_ETOOBIG, "sheet_too_many_rows", "100000");
    n -= strlen("<row><c><v>100001</v></c></row>");
    snprintf(many + n, 64, "%s", SHEET_CLOSE);
    assert_int_equal(read_xlsx_of(f, many, NULL), FTZ_OK);
    assert_int_equal(f->s->nrows, FTZ_SHEET_MAX_ROWS);
    expect_row(f, FTZ_SHEET_MAX_ROWS - 1, FTZ_SHEET_MAX_ROWS, 1, "100000");
    ftz_free(many);
}

static void test_xlsx_zip_bomb(void **state)
{
    fx *f = *state;
    /* 65 MiB of blanks inside the sheet deflate to a few dozen KiB: the budget stops it */
    size_t blanks = (size_t)FTZ_SHEET_MAX_UNZIPPED + 1024 * 1024;
    char *sheet = ftz_malloc(blanks + 256);
    size_t n = (size_t)snprintf(sheet, 256, "%s", SHEET_OPEN);
    memset(sheet + n, ' ', blanks);
    snprintf(sheet + n + blanks, 64, "%s", SHEET_CLOSE);
    size_t len;
    unsigned char *b = xlsx_of(sheet, NULL, &len);
    ftz_free(sheet);
    assert_true(len < 1024 * 1024);
    expect_fail(f, read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_ETOOBIG, "sheet_too_big", NULL);
    ftz_free(b);
}

static void test_xlsx_broken_packages(void **state)
{
    fx *f = *state;
    const char *sheet = SHEET_OPEN "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is>"
                                   "</c></row>" SHEET_CLOSE;
    size_t len;
    unsigned char *b = xlsx_of(sheet, NULL, &len);
    assert_int_equal(read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_OK);

    /* not a ZIP at all, an empty body, a truncated archive */
    expect_fail(f, read_as(f, "hello,world\n", 12, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE,
                "sheet_not_zip", NULL);
    expect_fail(f, read_as(f, "", 0, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_not_zip", NULL);
    expect_fail(f, read_as(f, b, len / 2, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_not_zip", NULL);
    expect_fail(f, read_as(f, b, len - 1, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_not_zip", NULL);

    /* damaged data inside an entry: the CRC (or the inflater) catches it */
    unsigned char *bad = ftz_malloc(len);
    memcpy(bad, b, len);
    static const char target[] = "xl/worksheets/sheet1.xml";
    size_t at = 0;
    for (size_t i = 0; i + 30 + sizeof target < len; i++)
        if (memcmp(bad + i, "PK\3\4", 4) == 0 &&
            memcmp(bad + i + 30, target, sizeof target - 1) == 0)
            at = i;
    assert_true(at > 0);
    for (size_t i = at + 30 + sizeof target + 8; i < at + 30 + sizeof target + 16; i++)
        bad[i] ^= 0x5A;
    expect_fail(f, read_as(f, bad, len, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_bad_zip", target);
    ftz_free(bad);
    ftz_free(b);

    /* a part in UTF-16 (NUL bytes): refused before the parser sees it */
    static const char utf16[] = "<\0?\0x\0m\0l\0 \0?\0>\0<\0w\0/\0>\0";
    part wide[] = {{"xl/workbook.xml", utf16, sizeof utf16 - 1}};
    b = zip_parts(wide, 1, &len);
    expect_fail(f, read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_bad_xml",
                "xl/workbook.xml");
    ftz_free(b);

    /* the parts that make a workbook, each missing in turn */
    const part all[] = {{"xl/workbook.xml", WB, 0},
                        {"xl/_rels/workbook.xml.rels", RELS, 0},
                        {"xl/worksheets/sheet1.xml", sheet, 0}};
    static const char *const missing_param[] = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                                                "xl/worksheets/sheet1.xml"};
    for (size_t skip = 0; skip < 3; skip++) {
        part p[3];
        size_t k = 0;
        for (size_t i = 0; i < 3; i++)
            if (i != skip) p[k++] = all[i];
        b = zip_parts(p, k, &len);
        expect_fail(f, read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_no_sheet",
                    missing_param[skip]);
        ftz_free(b);
    }
    /* a workbook without sheets; a relationship that does not exist; one that climbs out */
    part nosheets[] = {{"xl/workbook.xml", "<workbook><sheets/></workbook>", 0},
                       {"xl/_rels/workbook.xml.rels", RELS, 0}};
    b = zip_parts(nosheets, 2, &len);
    expect_fail(f, read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_no_sheet",
                "xl/workbook.xml");
    ftz_free(b);
    part norel[] = {{"xl/workbook.xml", WB, 0},
                    {"xl/_rels/workbook.xml.rels", "<Relationships/>", 0},
                    {"xl/worksheets/sheet1.xml", sheet, 0}};
    b = zip_parts(norel, 3, &len);
    expect_fail(f, read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_no_sheet", "rId1");
    ftz_free(b);
    part climb[] = {{"xl/workbook.xml", WB, 0},
                    {"xl/_rels/workbook.xml.rels",
                     "<Relationships><Relationship Id=\"rId1\" Type=\"w\" "
                     "Target=\"../../../etc/passwd\"/></Relationships>",
                     0}};
    b = zip_parts(climb, 2, &len);
    expect_fail(f, read_as(f, b, len, FTZ_SHEET_XLSX_TYPE), FTZ_EPARSE, "sheet_no_sheet", "rId1");
    ftz_free(b);
}

static void test_col_name(void **state)
{
    fx *f = *state;
    static const struct {
        size_t col;
        const char *name;
    } cases[] = {{0, "A"},    {25, "Z"},   {26, "AA"},   {51, "AZ"},    {52, "BA"},
                 {199, "GR"}, {701, "ZZ"}, {702, "AAA"}, {16383, "XFD"}};
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++)
        assert_string_equal(ftz_sheet_col_name(f->a, cases[i].col), cases[i].name);
}

int main(void)
{
    ftz_sheet_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_csv_quoting_bom_crlf, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_lf_and_separators, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_csv_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_shared_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_inline_strings, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_rich_refs_escapes, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_prefixes_and_paths, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_own_export, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_bad, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_cell_caps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_zip_bomb, setup, teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_broken_packages, setup, teardown),
        cmocka_unit_test_setup_teardown(test_col_name, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
