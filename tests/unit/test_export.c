/* test_export.c — lists as CSV and XLSX (core/export.h): exact CSV bytes (quoting, Chinese,
 * formula injection, null fields, money and weights), the XLSX package as Excel would read it
 * (opened with libzip), type mismatches, caps, sheet names and temporary-file hygiene. */
#include "core/ftz_setup.h"
#include "core/export.h"
#include "core/arena.h"

#include <dirent.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zip.h>

static const ftz_export_col cols[] = {
    {"name", "名称", FTZ_COL_TEXT, 0},
    {"amount_fen", "金额（元）", FTZ_COL_FEN, 0},
    {"weight_g", "重量（千克）", FTZ_COL_GRAMS, 0},
    {"qty", "数量", FTZ_COL_INT, 0},
    {"day", "日期", FTZ_COL_DATE, 0},
    {"dept.name", "部门", FTZ_COL_TEXT, 20},
    {"done", "已办结", FTZ_COL_BOOL, 0},
};

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!j) fail_msg("bad test JSON at %d:%d: %s", je.line, je.column, je.text);
    return j;
}

static const char *sample_items =
    "["
    "{\"name\":\"黑河, \\\"大\\\"桥\",\"amount_fen\":123456,\"weight_g\":1507900,\"qty\":3,"
    " \"day\":\"2024-03-21\",\"dept\":{\"name\":\"商务局\"},\"done\":true},"
    "{\"name\":\"=SUM(A1:A9)\",\"amount_fen\":-5,\"weight_g\":0,\"qty\":-7,\"day\":null,"
    " \"dept\":null,\"done\":0},"
    "{\"name\":\"line1\\nline2\",\"amount_fen\":0,\"done\":1},"
    "{\"name\":\"+7 (4162) 123\",\"amount_fen\":5,\"weight_g\":-1},"
    "{\"name\":\"-1,5\",\"dept\":{\"code\":\"x\"}},"
    "{\"name\":\"@cmd\",\"amount_fen\":-123456789},"
    "{\"name\":\"\\tTab\"},"
    "{\"name\":\"\\rCR\"},"
    "{\"name\":\"Москва\",\"amount_fen\":100},"
    "{}"
    "]";

static const char *sample_csv =
    "\xEF\xBB\xBF"
    "名称,金额（元）,重量（千克）,数量,日期,部门,已办结\r\n"
    "\"黑河, \"\"大\"\"桥\",1234.56,1507.900,3,2024-03-21,商务局,TRUE\r\n"
    "'=SUM(A1:A9),-0.05,0.000,-7,,,FALSE\r\n"
    "\"line1\nline2\",0.00,,,,,TRUE\r\n"
    "'+7 (4162) 123,0.05,-0.001,,,,\r\n"
    "\"'-1,5\",,,,,,\r\n"
    "'@cmd,-1234567.89,,,,,\r\n"
    "'\tTab,,,,,,\r\n"
    "\"'\rCR\",,,,,,\r\n"
    "Москва,1.00,,,,,\r\n"
    ",,,,,,\r\n";

static void test_csv_exact(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    json_t *items = parse(sample_items);
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(
        ftz_export_write(FTZ_EXPORT_CSV, "名单", cols, FTZ_COUNTOF(cols), items, &out, &err),
        FTZ_OK);
    assert_int_equal(out.len, strlen(sample_csv));
    assert_memory_equal(out.data, sample_csv, out.len);
    ftz_buf_cleanup(&out);
    json_decref(items);
    ftz_arena_free(a);
}

/* Money and weights at their edges, in integer arithmetic. */
static void test_csv_amounts(void **state)
{
    (void)state;
    static const struct {
        int64_t fen;
        const char *yuan;
        const char *kg; /* the same integer read as grams */
    } cases[] = {
        {0, "0.00", "0.000"},
        {5, "0.05", "0.005"},
        {-5, "-0.05", "-0.005"},
        {99, "0.99", "0.099"},
        {100, "1.00", "0.100"},
        {-100, "-1.00", "-0.100"},
        {1446000000, "14460000.00", "1446000.000"},
        {INT64_MAX, "92233720368547758.07", "9223372036854775.807"},
        {INT64_MIN, "-92233720368547758.08", "-9223372036854775.808"},
    };
    static const ftz_export_col c2[] = {{"v", "元", FTZ_COL_FEN, 0}, {"v", "kg", FTZ_COL_GRAMS, 0}};
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        json_t *items = json_pack("[{s:I}]", "v", (json_int_t)cases[i].fen);
        ftz_buf out;
        ftz_buf_init(&out, 0);
        assert_int_equal(ftz_export_write(FTZ_EXPORT_CSV, "x", c2, 2, items, &out, NULL), FTZ_OK);
        char want[128];
        snprintf(want, sizeof want, "\xEF\xBB\xBF元,kg\r\n%s,%s\r\n", cases[i].yuan, cases[i].kg);
        assert_string_equal(out.data, want);
        ftz_buf_cleanup(&out);
        json_decref(items);
    }
}

/* Values of other JSON types in a TEXT column are written as text, without the guard. */
static void test_csv_text_of_other_types(void **state)
{
    (void)state;
    static const ftz_export_col c1[] = {{"v", "v", FTZ_COL_TEXT, 0}};
    static const struct {
        const char *json, *csv;
    } cases[] = {
        {"{\"v\":-12}", "-12"},
        {"{\"v\":0.1}", "0.1"},
        {"{\"v\":true}", "TRUE"},
        {"{\"v\":[1,\"a\"]}", "\"[1,\"\"a\"\"]\""},
        {"{\"v\":{\"b\":1,\"a\":2}}", "\"{\"\"a\"\":2,\"\"b\"\":1}\""},
        {"{\"v\":\"\"}", ""},
        {"{\"v\":\"a\\\"b\"}", "\"a\"\"b\""},
        {"{\"v\":\"'already\"}", "'already"},
        {"{\"v\":\" =spaced\"}", " =spaced"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        char arr[256];
        snprintf(arr, sizeof arr, "[%s]", cases[i].json);
        json_t *items = parse(arr);
        ftz_buf out;
        ftz_buf_init(&out, 0);
        assert_int_equal(ftz_export_write(FTZ_EXPORT_CSV, "x", c1, 1, items, &out, NULL), FTZ_OK);
        char want[256];
        snprintf(want, sizeof want, "\xEF\xBB\xBFv\r\n%s\r\n", cases[i].csv);
        assert_string_equal(out.data, want);
        ftz_buf_cleanup(&out);
        json_decref(items);
    }
}

/* A value of the wrong type fails the export naming the row and the column. */
static void test_bad_values(void **state)
{
    (void)state;
    static const struct {
        const char *items;
        ftz_rc rc;
        const char *code, *param;
    } cases[] = {
        {"[{\"amount_fen\":\"12.00\"}]", FTZ_EINVAL, "export_bad_value",
         "row 1, column amount_fen"},
        {"[{},{\"amount_fen\":1.5}]", FTZ_EINVAL, "export_bad_value", "row 2, column amount_fen"},
        {"[{\"weight_g\":true}]", FTZ_EINVAL, "export_bad_value", "row 1, column weight_g"},
        {"[{\"qty\":\"3\"}]", FTZ_EINVAL, "export_bad_value", "row 1, column qty"},
        {"[{\"day\":\"2024-02-30\"}]", FTZ_EINVAL, "export_bad_value", "row 1, column day"},
        {"[{\"day\":\"2023-02-29\"}]", FTZ_EINVAL, "export_bad_value", "row 1, column day"},
        {"[{\"day\":\"2024-3-1\"}]", FTZ_EINVAL, "export_bad_value", "row 1, column day"},
        {"[{\"day\":\"2024-03-21T10:00:00+08:00\"}]", FTZ_EINVAL, "export_bad_value",
         "row 1, column day"},
        {"[{\"day\":20240321}]", FTZ_EINVAL, "export_bad_value", "row 1, column day"},
        {"[{\"done\":2}]", FTZ_EINVAL, "export_bad_value", "row 1, column done"},
        {"[{\"done\":\"true\"}]", FTZ_EINVAL, "export_bad_value", "row 1, column done"},
        {"[{\"dept\":{\"name\":{\"x\":1}}},{\"dept\":{\"name\":5}},{\"name\":\"ok\"},1]",
         FTZ_EINVAL, "export_bad_item", "4"},
        {"[[]]", FTZ_EINVAL, "export_bad_item", "1"},
        {"{}", FTZ_EINVAL, "export_bad_items", NULL},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        for (int f = FTZ_EXPORT_CSV; f <= FTZ_EXPORT_XLSX; f++) {
            ftz_arena *a = ftz_arena_new();
            ftz_err err;
            ftz_err_init(&err, a);
            json_t *items = parse(cases[i].items);
            ftz_buf out;
            ftz_buf_init(&out, 0);
            ftz_buf_puts(&out, "keep");
            ftz_rc rc = ftz_export_write((ftz_export_format)f, "x", cols, FTZ_COUNTOF(cols), items,
                                         &out, &err);
            assert_int_equal(rc, cases[i].rc);
            assert_string_equal(err.code, cases[i].code);
            if (cases[i].param)
                assert_string_equal(err.param, cases[i].param);
            else
                assert_null(err.param);
            assert_string_equal(out.data, "keep"); /* untouched on failure */
            ftz_buf_cleanup(&out);
            json_decref(items);
            ftz_arena_free(a);
        }
    }
    /* TIME takes text only. */
    static const ftz_export_col tc[] = {{"at", "时间", FTZ_COL_TIME, 0}};
    json_t *items = parse("[{\"at\":\"2024-03-21T10:00:00+08:00\"},{\"at\":5}]");
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_CSV, "x", tc, 1, items, &out, NULL), FTZ_EINVAL);
    json_array_remove(items, 1);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_CSV, "x", tc, 1, items, &out, NULL), FTZ_OK);
    assert_string_equal(out.data, "\xEF\xBB\xBF时间\r\n2024-03-21T10:00:00+08:00\r\n");
    ftz_buf_cleanup(&out);
    json_decref(items);
}

static void test_bad_columns(void **state)
{
    (void)state;
    static const ftz_export_col bad[][1] = {
        {{"", "t", FTZ_COL_TEXT, 0}},      {{NULL, "t", FTZ_COL_TEXT, 0}},
        {{"a..b", "t", FTZ_COL_TEXT, 0}},  {{".a", "t", FTZ_COL_TEXT, 0}},
        {{"a.", "t", FTZ_COL_TEXT, 0}},    {{"a", NULL, FTZ_COL_TEXT, 0}},
        {{"a", "t", FTZ_COL_TEXT, -1}},    {{"a", "t", FTZ_COL_TEXT, 256}},
        {{"a", "t", (ftz_col_type)99, 0}},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(bad); i++) {
        ftz_export *x = (ftz_export *)&x; /* must be reset to NULL */
        assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_CSV, "t", bad[i], 1, NULL), FTZ_EINVAL);
        assert_null(x);
    }
    ftz_export *x = NULL;
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_CSV, "t", cols, 0, NULL), FTZ_EINVAL);
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_CSV, "t", NULL, 1, NULL), FTZ_EINVAL);
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_CSV, "t", cols, FTZ_EXPORT_MAX_COLS + 1, NULL),
                     FTZ_EINVAL);
    assert_int_equal(ftz_export_open(&x, (ftz_export_format)7, "t", cols, 1, NULL), FTZ_EINVAL);
    assert_null(x);
}

static void test_format_parse(void **state)
{
    (void)state;
    ftz_export_format f = FTZ_EXPORT_CSV;
    assert_int_equal(ftz_export_format_parse("xlsx", &f), FTZ_OK);
    assert_int_equal(f, FTZ_EXPORT_XLSX);
    assert_int_equal(ftz_export_format_parse("csv", &f), FTZ_OK);
    assert_int_equal(f, FTZ_EXPORT_CSV);
    static const char *bad[] = {"CSV", "xls", "", "csv ", ".csv", "json", NULL};
    for (size_t i = 0; i < FTZ_COUNTOF(bad); i++) {
        f = FTZ_EXPORT_XLSX;
        assert_int_equal(ftz_export_format_parse(bad[i], &f), FTZ_EMEDIA);
        assert_int_equal(f, FTZ_EXPORT_XLSX);
    }
    assert_string_equal(ftz_export_media_type(FTZ_EXPORT_CSV), "text/csv; charset=utf-8");
    assert_string_equal(ftz_export_media_type(FTZ_EXPORT_XLSX),
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assert_string_equal(ftz_export_extension(FTZ_EXPORT_CSV), "csv");
    assert_string_equal(ftz_export_extension(FTZ_EXPORT_XLSX), "xlsx");
}

static void test_sheet_name(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"企业诉求", "企业诉求"},
        {"a[b]:c*d?e/f\\g", "a_b__c_d_e_f_g"},
        {"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},
        {"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五",
         "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"},
        /* 20 non-BMP characters = 40 UTF-16 units: 15 fit. */
        {"😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"},
        {"x😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀", "x😀😀😀😀😀😀😀😀😀😀😀😀😀😀😀"},
        {"'quoted'", "quoted"},
        {"'''", "Sheet1"},
        {"", "Sheet1"},
        {NULL, "Sheet1"},
        {"History", "History_"},
        {"history", "History_"},
        {"Historyx", "Historyx"},
        {"tab\there", "tab_here"},
        {"bad\xff\xfeutf8", "bad__utf8"},
        {"it's", "it's"},
    };
    for (size_t i = 0; i < FTZ_COUNTOF(cases); i++) {
        char out[FTZ_EXPORT_SHEET_NAME_SIZE];
        ftz_export_sheet_name(cases[i].in, out);
        assert_string_equal(out, cases[i].out);
    }
}

/* ---- XLSX ------------------------------------------------------------------------------- */

static char *zip_entry(const ftz_buf *file, const char *name)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(file->data, file->len, 0, &ze);
    assert_non_null(src);
    zip_t *z = zip_open_from_source(src, ZIP_RDONLY, &ze);
    assert_non_null(z);
    zip_stat_t st;
    assert_int_equal(zip_stat(z, name, 0, &st), 0);
    char *text = calloc(1, (size_t)st.size + 1);
    zip_file_t *zf = zip_fopen(z, name, 0);
    assert_non_null(zf);
    assert_int_equal(zip_fread(zf, text, st.size), (zip_int64_t)st.size);
    zip_fclose(zf);
    zip_close(z);
    zip_error_fini(&ze);
    return text;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) fail_msg("expected to find %s in:\n%s", needle, hay);
}

static void test_xlsx_content(void **state)
{
    (void)state;
    json_t *items = parse(sample_items);
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(
        ftz_export_write(FTZ_EXPORT_XLSX, "企业/名单", cols, FTZ_COUNTOF(cols), items, &out, NULL),
        FTZ_OK);
    assert_true(out.len > 1000);
    assert_memory_equal(out.data, "PK\x03\x04", 4);

    char *sst = zip_entry(&out, "xl/sharedStrings.xml");
    assert_contains(sst, "<t>名称</t>");
    assert_contains(sst, "<t>金额（元）</t>");
    assert_contains(sst, "<t>重量（千克）</t>");
    assert_contains(sst, "<t>黑河, \"大\"桥</t>");
    assert_contains(sst, "<t>商务局</t>");
    assert_contains(sst, "<t>=SUM(A1:A9)</t>"); /* a string cell, no guard needed */
    assert_contains(sst, "<t>Москва</t>");
    assert_contains(sst, "line1\nline2");
    free(sst);

    char *sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert_contains(sheet, "<v>1234.56</v>"); /* 123456 fen */
    assert_contains(sheet, "<v>1507.9</v>");  /* 1507900 g */
    assert_contains(sheet, "<v>-0.05</v>");   /* -5 fen */
    assert_contains(sheet, "<v>0.05</v>");    /* 5 fen */
    assert_contains(sheet, "<v>-1234567.89</v>");
    assert_contains(sheet, "<v>-7</v>");
    assert_contains(sheet, "<v>45372</v>"); /* 2024-03-21 as an Excel date */
    assert_contains(sheet, "t=\"b\"><v>1</v>");
    assert_contains(sheet, "t=\"b\"><v>0</v>");
    assert_contains(sheet, "state=\"frozen\"");
    assert_contains(sheet, "<autoFilter ref=\"A1:G11\"/>");
    assert_contains(sheet, "width=\"20.7109375\""); /* the given width of 部门 */
    assert_true(strstr(sheet, "<c r=\"B2\"") && strstr(sheet, "<c r=\"G4\""));
    assert_null(strstr(sheet, "<c r=\"B8\"")); /* the empty amount of row 8 is no cell */
    assert_null(strstr(sheet, "<f>"));         /* no formulas ever */
    free(sheet);

    char *styles = zip_entry(&out, "xl/styles.xml");
    assert_contains(styles, "formatCode=\"#,##0.00\"");
    assert_contains(styles, "formatCode=\"#,##0.000\"");
    assert_contains(styles, "formatCode=\"yyyy-mm-dd\"");
    assert_contains(styles, "<b/>");
    free(styles);

    char *wb = zip_entry(&out, "xl/workbook.xml");
    assert_contains(wb, "name=\"企业_名单\"");
    free(wb);

    ftz_buf_cleanup(&out);
    json_decref(items);
}

static void test_xlsx_texts(void **state)
{
    (void)state;
    static const ftz_export_col c1[] = {{"v", "v", FTZ_COL_TEXT, 0}};
    json_t *items =
        parse("[{\"v\":\"_x0041_\"},{\"v\":{\"k\":\"_x0042_\"}},{\"v\":\"a\\u0001b\"}]");
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", c1, 1, items, &out, NULL), FTZ_OK);
    char *sst = zip_entry(&out, "xl/sharedStrings.xml");
    assert_contains(sst, "<t>_x005F_x0041_</t>");
    assert_contains(sst, "<t>{\"k\":\"_x005F_x0042_\"}</t>");
    assert_contains(sst, "<t>a_x0001_b</t>");
    free(sst);
    ftz_buf_cleanup(&out);
    json_decref(items);

    /* Dates before Excel's calendar stay text; later ones are date serials. */
    static const ftz_export_col dc[] = {{"d", "日期", FTZ_COL_DATE, 0}};
    items = parse("[{\"d\":\"1899-12-31\"},{\"d\":\"1901-01-01\"},{\"d\":\"2000-02-29\"}]");
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", dc, 1, items, &out, NULL), FTZ_OK);
    sst = zip_entry(&out, "xl/sharedStrings.xml");
    assert_contains(sst, "<t>1899-12-31</t>");
    free(sst);
    char *sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert_contains(sheet, "<v>367</v>");   /* 1901-01-01 */
    assert_contains(sheet, "<v>36585</v>"); /* 2000-02-29 */
    free(sheet);
    ftz_buf_cleanup(&out);
    json_decref(items);

    /* Excel keeps at most 32767 characters in a cell: no silent truncation. */
    char *big = malloc(FTZ_EXPORT_XLSX_MAX_CELL * 3 + 2);
    size_t n = 0;
    for (int i = 0; i < FTZ_EXPORT_XLSX_MAX_CELL; i++) {
        memcpy(big + n, "汉", 3);
        n += 3;
    }
    big[n] = '\0';
    items = json_pack("[{s:s}]", "v", big);
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", c1, 1, items, &out, NULL), FTZ_OK);
    ftz_buf_cleanup(&out);
    json_decref(items);
    memcpy(big + n, "a", 2);
    items = json_pack("[{s:s}]", "v", big);
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", c1, 1, items, &out, &err), FTZ_ETOOBIG);
    assert_string_equal(err.code, "export_cell_too_long");
    assert_string_equal(err.param, "row 1, column v");
    assert_int_equal(out.len, 0);
    /* CSV has no such limit. */
    assert_int_equal(ftz_export_write(FTZ_EXPORT_CSV, "t", c1, 1, items, &out, NULL), FTZ_OK);
    ftz_buf_cleanup(&out);
    json_decref(items);
    ftz_arena_free(a);
    free(big);
}

/* Amounts beyond 2^53 cannot be a spreadsheet number exactly: refused, never rounded. */
static void test_xlsx_exact_numbers(void **state)
{
    (void)state;
    static const ftz_export_col c1[] = {{"v", "v", FTZ_COL_FEN, 0}};
    json_t *items = json_pack("[{s:I}]", "v", (json_int_t)((int64_t)1 << 53));
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", c1, 1, items, &out, NULL), FTZ_OK);
    char *sheet = zip_entry(&out, "xl/worksheets/sheet1.xml");
    assert_contains(sheet, "<v>90071992547409.92</v>");
    free(sheet);
    ftz_buf_cleanup(&out);
    json_decref(items);
    items = json_pack("[{s:I}]", "v", (json_int_t)(((int64_t)1 << 53) + 1));
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", c1, 1, items, &out, NULL), FTZ_EINVAL);
    json_decref(items);
    ftz_buf_cleanup(&out);
}

/* ---- streaming, caps and temporary files ------------------------------------------------ */

static char tmpdir[PATH_MAX];

static int count_files(void)
{
    DIR *d = opendir(tmpdir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) n++;
    closedir(d);
    return n;
}

static int setup_tmpdir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/ftz-test-export-XXXXXX");
    if (!mkdtemp(tmpdir)) return -1;
    setenv("TMPDIR", tmpdir, 1);
    return 0;
}

static int teardown_tmpdir(void **state)
{
    (void)state;
    unsetenv("TMPDIR");
    return rmdir(tmpdir);
}

static void test_xlsx_temp_files(void **state)
{
    (void)state;
    static const ftz_export_col c1[] = {{"n", "n", FTZ_COL_INT, 0}};
    json_t *item = json_pack("{s:i}", "n", 1);

    /* Finished: the file is gone. */
    ftz_export *x = NULL;
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_XLSX, "t", c1, 1, NULL), FTZ_OK);
    assert_int_equal(count_files(), 1);
    for (int i = 0; i < 100; i++)
        assert_int_equal(ftz_export_row(x, item, NULL), FTZ_OK);
    assert_int_equal(ftz_export_rows(x), 100);
    ftz_buf out;
    ftz_buf_init(&out, 0);
    ftz_buf_puts(&out, "prefix");
    assert_int_equal(ftz_export_finish(x, &out, NULL), FTZ_OK);
    assert_int_equal(count_files(), 0);
    assert_memory_equal(out.data, "prefixPK", 8); /* appended */
    ftz_buf_cleanup(&out);

    /* Aborted: gone too. */
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_XLSX, "t", c1, 1, NULL), FTZ_OK);
    assert_int_equal(ftz_export_row(x, item, NULL), FTZ_OK);
    assert_int_equal(count_files(), 1);
    ftz_export_abort(x);
    assert_int_equal(count_files(), 0);
    ftz_export_abort(NULL);

    /* Finishing into a buffer too small: fails, out untouched, file gone. */
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_XLSX, "t", c1, 1, NULL), FTZ_OK);
    ftz_buf small;
    ftz_buf_init(&small, 100);
    assert_int_equal(ftz_buf_add(&small, "ab", 2), FTZ_OK);
    assert_int_equal(ftz_export_finish(x, &small, &err), FTZ_ETOOBIG);
    assert_string_equal(err.code, "export_too_big");
    assert_int_equal(small.len, 2);
    assert_string_equal(small.data, "ab");
    assert_int_equal(count_files(), 0);
    ftz_buf_cleanup(&small);

    /* No temporary directory: FTZ_EIO, nothing left behind. */
    setenv("TMPDIR", "/nonexistent/ftz", 1);
    x = (ftz_export *)&x;
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_XLSX, "t", c1, 1, &err), FTZ_EIO);
    assert_null(x);
    assert_string_equal(err.code, "export_io");
    setenv("TMPDIR", tmpdir, 1);

    ftz_arena_free(a);
    json_decref(item);
}

static void test_csv_streaming(void **state)
{
    (void)state;
    static const ftz_export_col c1[] = {{"n", "n", FTZ_COL_INT, 0}, {"s", "s", FTZ_COL_TEXT, 0}};
    ftz_export *x = NULL;
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_CSV, "t", c1, 2, NULL), FTZ_OK);
    assert_int_equal(count_files(), 0); /* CSV needs no file */
    json_t *good = parse("{\"n\":1,\"s\":\"a\"}");
    json_t *bad = parse("{\"n\":2,\"s\":\"b\",\"x\":0}");
    json_object_set_new(bad, "n", json_string("2"));
    assert_int_equal(ftz_export_row(x, good, NULL), FTZ_OK);
    assert_int_equal(ftz_export_row(x, bad, NULL), FTZ_EINVAL); /* the bad row leaves nothing */
    assert_int_equal(ftz_export_row(x, good, NULL), FTZ_OK);
    assert_int_equal(ftz_export_rows(x), 2);
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_finish(x, &out, NULL), FTZ_OK);
    assert_string_equal(out.data, "\xEF\xBB\xBFn,s\r\n1,a\r\n1,a\r\n");
    ftz_buf_cleanup(&out);
    json_decref(good);
    json_decref(bad);
}

/* FTZ_EXPORT_MAX_ROWS rows fit; the next one is refused. */
static void test_row_cap(void **state)
{
    (void)state;
    static const ftz_export_col c1[] = {{"n", "n", FTZ_COL_INT, 0}};
    json_t *item = json_pack("{s:i}", "n", 7);
    ftz_arena *a = ftz_arena_new();
    ftz_err err;
    ftz_err_init(&err, a);
    ftz_export *x = NULL;
    assert_int_equal(ftz_export_open(&x, FTZ_EXPORT_CSV, "t", c1, 1, NULL), FTZ_OK);
    for (size_t i = 0; i < FTZ_EXPORT_MAX_ROWS; i++)
        if (ftz_export_row(x, item, NULL) != FTZ_OK) fail_msg("row %zu refused", i);
    assert_int_equal(ftz_export_row(x, item, &err), FTZ_ETOOBIG);
    assert_string_equal(err.code, "export_too_many_rows");
    assert_int_equal(ftz_export_rows(x), FTZ_EXPORT_MAX_ROWS);
    ftz_buf out;
    ftz_buf_init(&out, 0);
    assert_int_equal(ftz_export_finish(x, &out, NULL), FTZ_OK);
    assert_int_equal(out.len, 3 + 3 + (size_t)FTZ_EXPORT_MAX_ROWS * 3);
    ftz_buf_cleanup(&out);

    /* The one-call form refuses an oversized list before writing anything. */
    json_t *items = json_array();
    for (size_t i = 0; i <= FTZ_EXPORT_MAX_ROWS; i++)
        json_array_append(items, item);
    ftz_err_init(&err, a);
    assert_int_equal(ftz_export_write(FTZ_EXPORT_XLSX, "t", c1, 1, items, &out, &err), FTZ_ETOOBIG);
    assert_string_equal(err.code, "export_too_many_rows");
    assert_int_equal(count_files(), 0);
    json_decref(items);
    json_decref(item);
    ftz_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_exact),
        cmocka_unit_test(test_csv_amounts),
        cmocka_unit_test(test_csv_text_of_other_types),
        cmocka_unit_test(test_bad_values),
        cmocka_unit_test(test_bad_columns),
        cmocka_unit_test(test_format_parse),
        cmocka_unit_test(test_sheet_name),
        cmocka_unit_test(test_xlsx_content),
        cmocka_unit_test(test_xlsx_texts),
        cmocka_unit_test(test_xlsx_exact_numbers),
        cmocka_unit_test(test_xlsx_temp_files),
        cmocka_unit_test(test_csv_streaming),
        cmocka_unit_test(test_row_cap),
    };
    return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
