/* sheet_read.c — CSV (libcsv) and XLSX (libzip + libxml2's streaming reader) into rows of
 * UTF-8 cells, with every input-driven size capped (see sheet_read.h).
 *
 * Both formats feed one row builder, which places cells by column, drops empty rows, cuts
 * trailing empty cells and enforces the row, column and cell caps in one place. XLSX parts
 * are read out of the ZIP under one byte budget for the whole file, checked to be UTF-8
 * without a DOCTYPE, then parsed with the text reader (no tree of a large sheet is built). */
#include "core/ftz_setup.h"
#include "core/sheet_read.h"
#include "core/buf.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <csv.h>
#include <errno.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#define MAX_SHEET_ROWNUM 1048576 /* Excel's last row */
#define MAX_SHEET_COLNUM 16384   /* Excel's last column, XFD */
#define MAX_SHARED       1000000 /* shared strings of one workbook */
#define MAX_PART_PATH    512     /* bytes of a ZIP entry name we follow */

void ftz_sheet_init(void)
{
    xmlInitParser();
}

const char *ftz_sheet_col_name(ftz_arena *a, size_t col)
{
    char tmp[16];
    size_t n = 0;
    size_t v = col + 1;
    while (v > 0 && n < sizeof tmp) {
        tmp[n++] = (char)('A' + (v - 1) % 26);
        v = (v - 1) / 26;
    }
    char *out = ftz_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    return out;
}

static ftz_rc fail(ftz_err *err, ftz_rc rc, const char *code, const char *fmt, ...)
    FTZ_PRINTF(4, 5);

static ftz_rc fail(ftz_err *err, ftz_rc rc, const char *code, const char *fmt, ...)
{
    if (!err) return rc;
    char param[MAX_PART_PATH + 64];
    param[0] = '\0';
    if (fmt) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(param, sizeof param, fmt, ap);
        va_end(ap);
    }
    return ftz_err_set(err, rc, code, fmt ? param : NULL);
}

/* ==== the row builder ==== */

typedef struct builder {
    ftz_arena *a;
    ftz_err *err;
    ftz_sheet_row *rows;
    size_t nrows, caprows;
    const char *cells[FTZ_SHEET_MAX_COLS]; /* the row being read; NULL = empty */
    size_t ncells;                         /* highest column set + 1 */
} builder;

static void row_begin(builder *b)
{
    memset(b->cells, 0, b->ncells * sizeof(b->cells[0]));
    b->ncells = 0;
}

/* One cell of the current row: len bytes of valid UTF-8 (checked by the caller), copied
 * unless s already lives in the arena (a shared string). where names the cell in errors. */
static ftz_rc row_cell(builder *b, size_t col, const char *s, size_t len, const char *where,
                       bool in_arena)
{
    if (len == 0) return FTZ_OK;
    if (len > FTZ_SHEET_MAX_CELL)
        return fail(b->err, FTZ_ETOOBIG, "sheet_cell_too_big", "%s", where);
    if (col >= FTZ_SHEET_MAX_COLS)
        return fail(b->err, FTZ_ETOOBIG, "sheet_too_many_columns", "%d", FTZ_SHEET_MAX_COLS);
    if (b->cells[col]) return fail(b->err, FTZ_EPARSE, "sheet_bad_ref", "%s", where);
    b->cells[col] = in_arena ? s : ftz_arena_strndup(b->a, s, len);
    if (col + 1 > b->ncells) b->ncells = col + 1;
    return FTZ_OK;
}

/* Ends the current row as row number rownum; a row without a non-empty cell is dropped. */
static ftz_rc row_end(builder *b, int64_t rownum)
{
    if (b->ncells == 0) return FTZ_OK;
    if (b->nrows >= FTZ_SHEET_MAX_ROWS)
        return fail(b->err, FTZ_ETOOBIG, "sheet_too_many_rows", "%d", FTZ_SHEET_MAX_ROWS);
    if (b->nrows == b->caprows) {
        size_t cap = b->caprows ? b->caprows * 2 : 64;
        ftz_sheet_row *n = ftz_arena_alloc(b->a, cap * sizeof(*n));
        if (b->nrows) memcpy(n, b->rows, b->nrows * sizeof(*n));
        b->rows = n;
        b->caprows = cap;
    }
    ftz_sheet_row *r = &b->rows[b->nrows++];
    r->rownum = rownum;
    r->ncells = b->ncells;
    r->cells = ftz_arena_alloc(b->a, b->ncells * sizeof(char *));
    for (size_t i = 0; i < b->ncells; i++)
        r->cells[i] = b->cells[i] ? b->cells[i] : "";
    row_begin(b);
    return FTZ_OK;
}

/* ==== CSV ==== */

typedef struct csv_state {
    builder *b;
    int64_t count;  /* records finished so far, blank lines included */
    size_t col;     /* the next field's column */
    int last_term;  /* the terminator that ended the previous record (CR, LF, -1) */
    ftz_rc rc;      /* the first failure inside a callback */
    char where[32]; /* "row N" of the record being read */
} csv_state;

static void csv_on_field(void *s, size_t n, void *data)
{
    csv_state *st = data;
    if (st->rc) return;
    snprintf(st->where, sizeof st->where, "row %lld", (long long)(st->count + 1));
    const char *p = s ? s : "";
    if (n > FTZ_SHEET_MAX_CELL) {
        st->rc = fail(st->b->err, FTZ_ETOOBIG, "sheet_cell_too_big", "%s", st->where);
        return;
    }
    if (!ftz_utf8_valid(p, n)) {
        st->rc = fail(st->b->err, FTZ_EPARSE, "sheet_bad_utf8", "%s", st->where);
        return;
    }
    st->rc = row_cell(st->b, st->col, p, n, st->where, false);
    st->col++;
}

/* libcsv reports every unquoted CR and LF as a record end (CSV_REPALL_NL), so that blank
 * lines count as rows the way a spreadsheet shows them; the LF of a CRLF is not a row. */
static void csv_on_row(int term, void *data)
{
    csv_state *st = data;
    if (st->rc) return;
    if (st->col == 0 && term == '\n' && st->last_term == '\r') {
        st->last_term = '\n';
        return;
    }
    st->last_term = term;
    st->count++;
    st->col = 0;
    st->rc = row_end(st->b, st->count);
}

/* libcsv grows its field buffer through these: a field past the cell cap (with room for
 * libcsv's block steps) is refused there, before the bytes pile up. */
static void *csv_grow(void *p, size_t n)
{
    if (n > 2 * (size_t)FTZ_SHEET_MAX_CELL + 4096) return NULL;
    return ftz_realloc(p, n);
}

static void csv_release(void *p)
{
    ftz_free(p);
}

static int space_not_tab(unsigned char c)
{
    return c == CSV_SPACE;
}

/* The separator of the first line: the comma, unless semicolons or tabs outnumber it. */
static unsigned char csv_delimiter(const char *s, size_t n)
{
    size_t comma = 0, semi = 0, tab = 0;
    bool quoted = false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (ch == '"') quoted = !quoted;
        if (quoted) continue;
        if (ch == '\n' || ch == '\r') break;
        if (ch == ',') comma++;
        if (ch == ';') semi++;
        if (ch == '\t') tab++;
    }
    if (semi > comma && semi >= tab) return ';';
    if (tab > comma && tab > semi) return CSV_TAB;
    return CSV_COMMA;
}

static ftz_rc read_csv(builder *b, const char *data, size_t len)
{
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) return FTZ_EINTERNAL;
    csv_set_realloc_func(&p, csv_grow);
    csv_set_free_func(&p, csv_release);
    unsigned char delim = csv_delimiter(data, len);
    csv_set_delim(&p, delim);
    if (delim == CSV_TAB) csv_set_space_func(&p, space_not_tab);
    csv_state st = {.b = b, .last_term = -1};
    size_t done = csv_parse(&p, data, len, csv_on_field, csv_on_row, &st);
    ftz_rc rc = st.rc;
    if (!rc && done != len) {
        int e = csv_error(&p);
        rc = e == CSV_ENOMEM
                 ? fail(b->err, FTZ_ETOOBIG, "sheet_cell_too_big", "row %lld",
                        (long long)(st.count + 1))
                 : fail(b->err, FTZ_EPARSE, "sheet_bad_csv", "row %lld", (long long)(st.count + 1));
    }
    if (!rc) {
        int fin = csv_fini(&p, csv_on_field, csv_on_row, &st);
        rc = st.rc;
        if (!rc && fin != 0)
            rc = fail(b->err, FTZ_EPARSE, "sheet_bad_csv", "row %lld", (long long)(st.count + 1));
    }
    csv_free(&p);
    return rc;
}

/* ==== XLSX ==== */

typedef struct xlsx {
    builder *b;
    ftz_arena *a;
    ftz_err *err;
    zip_t *za;
    size_t unzipped; /* bytes read out of the archive so far */
    const char **sst;
    size_t *sst_len; /* byte length of each (strings may hold no NUL, but keep it exact) */
    size_t nsst, capsst;
} xlsx;

/* A shared string past the cell cap: kept as this marker, an error only where it is used. */
static const char oversize_marker[] = "";

/* The whole entry `name` (looked up case-insensitively) in a heap buffer, under the budget;
 * *found false (and FTZ_OK) when there is no such entry. */
static ftz_rc read_entry(xlsx *x, const char *name, ftz_buf *out, bool *found)
{
    *found = false;
    ftz_buf_init(out, 0);
    zip_int64_t idx = zip_name_locate(x->za, name, ZIP_FL_NOCASE);
    if (idx < 0) return FTZ_OK;
    *found = true;
    zip_file_t *zf = zip_fopen_index(x->za, (zip_uint64_t)idx, 0);
    if (!zf) return fail(x->err, FTZ_EPARSE, "sheet_bad_zip", "%s", name);
    char chunk[64 * 1024];
    ftz_rc rc = FTZ_OK;
    for (;;) {
        zip_int64_t n = zip_fread(zf, chunk, sizeof chunk);
        if (n < 0) {
            rc = fail(x->err, FTZ_EPARSE, "sheet_bad_zip", "%s", name);
            break;
        }
        if (n == 0) break;
        if ((size_t)n > FTZ_SHEET_MAX_UNZIPPED - x->unzipped) {
            rc = fail(x->err, FTZ_ETOOBIG, "sheet_too_big", "%d", FTZ_SHEET_MAX_UNZIPPED);
            break;
        }
        x->unzipped += (size_t)n;
        ftz_buf_put(out, chunk, (size_t)n);
    }
    zip_fclose(zf);
    if (rc) ftz_buf_cleanup(out);
    return rc;
}

/* Whether the n bytes at s hold needle. */
static bool contains(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++) {
        const char *p = memchr(s + i, needle[0], n - k + 1 - i);
        if (!p) return false;
        i = (size_t)(p - s);
        if (memcmp(p, needle, k) == 0) return true;
    }
    return false;
}

static void xml_quiet(void *arg, xmlErrorPtr e)
{
    FTZ_UNUSED(arg);
    FTZ_UNUSED(e);
}

/* A reader over a part's bytes. The part must be UTF-8 text (no NUL byte, hence no UTF-16 or
 * UTF-32; the parser is told UTF-8 whatever the declaration says) without a DOCTYPE, so no
 * DTD and no entity of its own can ever be read. */
static ftz_rc xml_open(xlsx *x, const char *name, const ftz_buf *part, xmlTextReaderPtr *out)
{
    *out = NULL;
    const char *s = part->data ? part->data : "";
    size_t n = part->len;
    if (n > INT32_MAX || memchr(s, '\0', n))
        return fail(x->err, FTZ_EPARSE, "sheet_bad_xml", "%s", name);
    if (contains(s, n, "<!DOCTYPE")) return fail(x->err, FTZ_EPARSE, "sheet_dtd", "%s", name);
    xmlTextReaderPtr r = xmlReaderForMemory(s, (int)n, name, "UTF-8",
                                            XML_PARSE_NONET | XML_PARSE_NOERROR |
                                                XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
    if (!r) return fail(x->err, FTZ_EPARSE, "sheet_bad_xml", "%s", name);
    xmlTextReaderSetStructuredErrorHandler(r, xml_quiet, NULL);
    *out = r;
    return FTZ_OK;
}

static bool is_name(xmlTextReaderPtr r, const char *local)
{
    const xmlChar *n = xmlTextReaderConstLocalName(r);
    return n && strcmp((const char *)n, local) == 0;
}

/* Copies attribute `name` (no namespace) into out; false when absent or longer than out. */
static bool attr(xmlTextReaderPtr r, const char *name, char *out, size_t size)
{
    out[0] = '\0';
    if (xmlTextReaderMoveToAttribute(r, (const xmlChar *)name) != 1) return false;
    const xmlChar *v = xmlTextReaderConstValue(r);
    size_t n = v ? strlen((const char *)v) : 0;
    bool ok = v && n < size;
    if (ok) memcpy(out, v, n + 1);
    xmlTextReaderMoveToElement(r);
    return ok;
}

/* The first attribute with local name `local` in any namespace (r:id), like attr(). */
static bool attr_ns_any(xmlTextReaderPtr r, const char *local, char *out, size_t size)
{
    out[0] = '\0';
    bool ok = false;
    for (int m = xmlTextReaderMoveToFirstAttribute(r); m == 1 && !ok;
         m = xmlTextReaderMoveToNextAttribute(r)) {
        const xmlChar *ln = xmlTextReaderConstLocalName(r);
        const xmlChar *ns = xmlTextReaderConstNamespaceUri(r);
        if (!ln || !ns || strcmp((const char *)ln, local) != 0) continue;
        const xmlChar *v = xmlTextReaderConstValue(r);
        size_t n = v ? strlen((const char *)v) : 0;
        if (v && n < size) {
            memcpy(out, v, n + 1);
            ok = true;
        }
    }
    xmlTextReaderMoveToElement(r);
    return ok;
}

static bool is_text_node(int type)
{
    return type == XML_READER_TYPE_TEXT || type == XML_READER_TYPE_CDATA ||
           type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* s with Excel's "_xHHHH_" escapes decoded (ST_Xstring: "_x000D_" is CR, "_x005F_" a
 * literal '_'), into out. A code point that is not a character (NUL, a surrogate) is written
 * as its bytes and fails the UTF-8 check that follows. */
static void unescape_x(const char *s, size_t n, ftz_buf *out)
{
    ftz_buf_reset(out);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '_' && i + 7 <= n && s[i + 1] == 'x' && s[i + 6] == '_' &&
            hexval(s[i + 2]) >= 0 && hexval(s[i + 3]) >= 0 && hexval(s[i + 4]) >= 0 &&
            hexval(s[i + 5]) >= 0) {
            unsigned cp = (unsigned)(hexval(s[i + 2]) << 12 | hexval(s[i + 3]) << 8 |
                                     hexval(s[i + 4]) << 4 | hexval(s[i + 5]));
            char u[3];
            size_t k;
            if (cp < 0x80) {
                u[0] = (char)cp;
                k = 1;
            } else if (cp < 0x800) {
                u[0] = (char)(0xC0 | cp >> 6);
                u[1] = (char)(0x80 | (cp & 0x3F));
                k = 2;
            } else {
                u[0] = (char)(0xE0 | cp >> 12);
                u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
                u[2] = (char)(0x80 | (cp & 0x3F));
                k = 3;
            }
            ftz_buf_put(out, u, k);
            i += 6;
            continue;
        }
        ftz_buf_putc(out, s[i]);
    }
}

/* The part a relationship's Target names, from the folder of the part that holds it
 * ("xl/"): "worksheets/sheet1.xml" → "xl/worksheets/sheet1.xml", "/xl/x.xml" → "xl/x.xml",
 * with "." and ".." resolved. NULL when it climbs above the archive's root. */
static char *resolve_part(ftz_arena *a, const char *base, const char *target)
{
    char joined[2 * MAX_PART_PATH];
    if (target[0] == '/')
        snprintf(joined, sizeof joined, "%s", target + 1);
    else
        snprintf(joined, sizeof joined, "%s%s", base, target);
    char *out = ftz_arena_alloc(a, strlen(joined) + 1);
    size_t len = 0;
    const char *p = joined;
    while (*p) {
        const char *slash = strchr(p, '/');
        size_t seg = slash ? (size_t)(slash - p) : strlen(p);
        if (seg == 0 || (seg == 1 && p[0] == '.')) {
            /* nothing */
        } else if (seg == 2 && p[0] == '.' && p[1] == '.') {
            if (len == 0) return NULL;
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0) len--; /* the slash before the dropped segment */
        } else {
            if (len > 0) out[len++] = '/';
            memcpy(out + len, p, seg);
            len += seg;
        }
        p += seg;
        if (*p == '/') p++;
    }
    out[len] = '\0';
    return len ? out : NULL;
}

/* The r:id of the workbook's first <sheet>. */
static ftz_rc read_workbook(xlsx *x, const char *name, const ftz_buf *part, char *rid, size_t size)
{
    xmlTextReaderPtr r;
    ftz_rc rc = xml_open(x, name, part, &r);
    if (rc) return rc;
    rid[0] = '\0';
    int ret;
    while ((ret = xmlTextReaderRead(r)) == 1) {
        if (xmlTextReaderNodeType(r) == XML_READER_TYPE_ELEMENT && is_name(r, "sheet")) {
            if (!attr_ns_any(r, "id", rid, size)) rid[0] = '\0';
            break;
        }
    }
    xmlFreeTextReader(r);
    if (ret < 0) return fail(x->err, FTZ_EPARSE, "sheet_bad_xml", "%s", name);
    if (!rid[0]) return fail(x->err, FTZ_EPARSE, "sheet_no_sheet", "%s", name);
    return FTZ_OK;
}

/* From the workbook's relationships: the target of rid and that of the shared strings. */
static ftz_rc read_rels(xlsx *x, const char *name, const ftz_buf *part, const char *rid,
                        char **sheet_path, char **sst_path)
{
    *sheet_path = *sst_path = NULL;
    xmlTextReaderPtr r;
    ftz_rc rc = xml_open(x, name, part, &r);
    if (rc) return rc;
    int ret;
    char id[128], type[256], target[MAX_PART_PATH], mode[32];
    while ((ret = xmlTextReaderRead(r)) == 1) {
        if (xmlTextReaderNodeType(r) != XML_READER_TYPE_ELEMENT || !is_name(r, "Relationship"))
            continue;
        if (!attr(r, "Id", id, sizeof id) || !attr(r, "Target", target, sizeof target)) continue;
        if (attr(r, "TargetMode", mode, sizeof mode) && strcmp(mode, "External") == 0) continue;
        attr(r, "Type", type, sizeof type);
        size_t tl = strlen(type);
        static const char sst_suffix[] = "/sharedStrings";
        if (strcmp(id, rid) == 0)
            *sheet_path = resolve_part(x->a, "xl/", target);
        else if (tl >= sizeof sst_suffix - 1 &&
                 strcmp(type + tl - (sizeof sst_suffix - 1), sst_suffix) == 0 && !*sst_path)
            *sst_path = resolve_part(x->a, "xl/", target);
    }
    xmlFreeTextReader(r);
    if (ret < 0) return fail(x->err, FTZ_EPARSE, "sheet_bad_xml", "%s", name);
    if (!*sheet_path) return fail(x->err, FTZ_EPARSE, "sheet_no_sheet", "%s", rid);
    return FTZ_OK;
}

static void sst_push(xlsx *x, const char *s, size_t len)
{
    if (x->nsst == x->capsst) {
        size_t cap = x->capsst ? x->capsst * 2 : 256;
        const char **n = ftz_arena_alloc(x->a, cap * sizeof(*n));
        size_t *l = ftz_arena_alloc(x->a, cap * sizeof(*l));
        if (x->nsst) {
            memcpy(n, x->sst, x->nsst * sizeof(*n));
            memcpy(l, x->sst_len, x->nsst * sizeof(*l));
        }
        x->sst = n;
        x->sst_len = l;
        x->capsst = cap;
    }
    x->sst[x->nsst] = s;
    x->sst_len[x->nsst] = len;
    x->nsst++;
}

/* The shared strings: each <si> is its <t>, or its runs' <t> joined (<rPh> left out). The
 * strings are checked here; one too long for a cell is kept as a marker. */
static ftz_rc read_sst(xlsx *x, const char *name, const ftz_buf *part)
{
    xmlTextReaderPtr r;
    ftz_rc rc = xml_open(x, name, part, &r);
    if (rc) return rc;
    ftz_buf text, dec;
    ftz_buf_init(&text, 0);
    ftz_buf_init(&dec, 0);
    bool in_si = false, in_t = false, in_rph = false, over = false;
    int ret;
    while (!rc && (ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        if (type == XML_READER_TYPE_ELEMENT) {
            bool empty = xmlTextReaderIsEmptyElement(r) == 1;
            if (is_name(r, "si")) {
                if (x->nsst >= MAX_SHARED) {
                    rc = fail(x->err, FTZ_ETOOBIG, "sheet_too_big", "%s", name);
                    break;
                }
                ftz_buf_reset(&text);
                over = false;
                if (empty)
                    sst_push(x, "", 0);
                else
                    in_si = true;
            } else if (in_si && is_name(r, "rPh") && !empty) {
                in_rph = true;
            } else if (in_si && !in_rph && is_name(r, "t") && !empty) {
                in_t = true;
            }
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            if (is_name(r, "t")) {
                in_t = false;
            } else if (is_name(r, "rPh")) {
                in_rph = false;
            } else if (is_name(r, "si") && in_si) {
                in_si = false;
                if (over) {
                    sst_push(x, oversize_marker, 0);
                    continue;
                }
                unescape_x(text.data ? text.data : "", text.len, &dec);
                if (!ftz_utf8_valid(dec.data ? dec.data : "", dec.len)) {
                    rc = fail(x->err, FTZ_EPARSE, "sheet_bad_utf8", "shared string %zu", x->nsst);
                    break;
                }
                sst_push(x, ftz_arena_strndup(x->a, dec.data ? dec.data : "", dec.len), dec.len);
            }
        } else if (in_si && in_t && !in_rph && is_text_node(type) && !over) {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            size_t n = v ? strlen(v) : 0;
            if (text.len + n > FTZ_SHEET_MAX_CELL)
                over = true;
            else
                ftz_buf_put(&text, v ? v : "", n);
        }
    }
    xmlFreeTextReader(r);
    ftz_buf_cleanup(&text);
    ftz_buf_cleanup(&dec);
    if (!rc && ret < 0) rc = fail(x->err, FTZ_EPARSE, "sheet_bad_xml", "%s", name);
    return rc;
}

/* "C7" → column 2, row 7. */
static bool parse_ref(const char *s, size_t *col, int64_t *row)
{
    size_t c = 0, letters = 0;
    const char *p = s;
    for (; (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'); p++) {
        if (++letters > 3) return false;
        c = c * 26 + (size_t)((*p | 0x20) - 'a' + 1);
    }
    if (!letters || c > MAX_SHEET_COLNUM) return false;
    int64_t r = 0;
    size_t digits = 0;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (++digits > 7) return false;
        r = r * 10 + (*p - '0');
    }
    if (*p || !digits || r < 1 || r > MAX_SHEET_ROWNUM) return false;
    *col = c - 1;
    *row = r;
    return true;
}

static bool parse_rownum(const char *s, int64_t *row)
{
    if (!*s || strlen(s) > 7) return false;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return false;
    long long v = strtoll(s, NULL, 10);
    if (v < 1 || v > MAX_SHEET_ROWNUM) return false;
    *row = v;
    return true;
}

typedef struct sheet_st {
    int64_t rownum, last_rownum;
    bool in_row;
    size_t next_col;
    /* the cell being read */
    bool in_cell, in_v, in_is, in_t, in_rph;
    size_t col;
    char type[16];
    char ref[24];
    ftz_buf text; /* capped at the cell size */
    ftz_buf dec;
} sheet_st;

/* The value of the finished cell into the builder. */
static ftz_rc cell_end(xlsx *x, sheet_st *s)
{
    const char *v = s->text.data ? s->text.data : "";
    size_t n = s->text.len;
    const char *t = s->type;
    if (strcmp(t, "s") == 0) {
        if (n == 0) return FTZ_OK;
        char num[24];
        if (n >= sizeof num) return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "%s", s->ref);
        memcpy(num, v, n);
        num[n] = '\0';
        for (size_t i = 0; i < n; i++)
            if (num[i] < '0' || num[i] > '9')
                return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "%s", s->ref);
        errno = 0;
        unsigned long long idx = strtoull(num, NULL, 10);
        if (errno || idx >= x->nsst) return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "%s", s->ref);
        if (x->sst[idx] == oversize_marker)
            return fail(x->err, FTZ_ETOOBIG, "sheet_cell_too_big", "%s", s->ref);
        return row_cell(x->b, s->col, x->sst[idx], x->sst_len[idx], s->ref, true);
    }
    if (strcmp(t, "b") == 0) {
        if (n == 1 && v[0] == '1') return row_cell(x->b, s->col, "TRUE", 4, s->ref, true);
        if (n == 1 && v[0] == '0') return row_cell(x->b, s->col, "FALSE", 5, s->ref, true);
    }
    if (strcmp(t, "inlineStr") == 0 || strcmp(t, "str") == 0) {
        unescape_x(v, n, &s->dec);
        v = s->dec.data ? s->dec.data : "";
        n = s->dec.len;
    }
    if (!ftz_utf8_valid(v, n)) return fail(x->err, FTZ_EPARSE, "sheet_bad_utf8", "%s", s->ref);
    return row_cell(x->b, s->col, v, n, s->ref, false);
}

static ftz_rc sheet_element(xlsx *x, sheet_st *s, xmlTextReaderPtr r)
{
    bool empty = xmlTextReaderIsEmptyElement(r) == 1;
    char buf[32];
    if (is_name(r, "row")) {
        if (s->in_row)
            return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "row %lld", (long long)s->rownum);
        if (attr(r, "r", buf, sizeof buf)) {
            if (!parse_rownum(buf, &s->rownum) || s->rownum <= s->last_rownum)
                return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "row %.16s", buf);
        } else {
            s->rownum = s->last_rownum + 1;
            if (s->rownum > MAX_SHEET_ROWNUM)
                return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "row %lld", (long long)s->rownum);
        }
        s->next_col = 0;
        row_begin(x->b);
        if (empty) {
            s->last_rownum = s->rownum;
            return FTZ_OK;
        }
        s->in_row = true;
        return FTZ_OK;
    }
    if (!s->in_row) return FTZ_OK;
    if (is_name(r, "c")) {
        if (attr(r, "r", s->ref, sizeof s->ref)) {
            int64_t row;
            size_t col;
            if (!parse_ref(s->ref, &col, &row) || row != s->rownum || col < s->next_col)
                return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "%.16s", s->ref);
            s->col = col;
        } else {
            s->col = s->next_col;
            if (s->col >= MAX_SHEET_COLNUM)
                return fail(x->err, FTZ_EPARSE, "sheet_bad_ref", "row %lld", (long long)s->rownum);
            snprintf(s->ref, sizeof s->ref, "%s%lld", ftz_sheet_col_name(x->a, s->col),
                     (long long)s->rownum);
        }
        s->next_col = s->col + 1;
        if (!attr(r, "t", s->type, sizeof s->type)) snprintf(s->type, sizeof s->type, "n");
        if (empty) return FTZ_OK;
        s->in_cell = true;
        s->in_v = s->in_is = s->in_t = s->in_rph = false;
        ftz_buf_reset(&s->text);
        return FTZ_OK;
    }
    if (!s->in_cell || empty) return FTZ_OK;
    if (is_name(r, "v"))
        s->in_v = true;
    else if (is_name(r, "is"))
        s->in_is = true;
    else if (s->in_is && is_name(r, "rPh"))
        s->in_rph = true;
    else if (s->in_is && !s->in_rph && is_name(r, "t"))
        s->in_t = true;
    return FTZ_OK;
}

static ftz_rc sheet_end_element(xlsx *x, sheet_st *s, xmlTextReaderPtr r)
{
    if (is_name(r, "row")) {
        if (!s->in_row) return FTZ_OK;
        s->in_row = false;
        s->last_rownum = s->rownum;
        return row_end(x->b, s->rownum);
    }
    if (!s->in_cell) return FTZ_OK;
    if (is_name(r, "c")) {
        s->in_cell = false;
        return cell_end(x, s);
    }
    if (is_name(r, "v"))
        s->in_v = false;
    else if (is_name(r, "is"))
        s->in_is = false;
    else if (is_name(r, "rPh"))
        s->in_rph = false;
    else if (is_name(r, "t"))
        s->in_t = false;
    return FTZ_OK;
}

static ftz_rc read_sheet(xlsx *x, const char *name, const ftz_buf *part)
{
    xmlTextReaderPtr r;
    ftz_rc rc = xml_open(x, name, part, &r);
    if (rc) return rc;
    sheet_st s;
    memset(&s, 0, sizeof s);
    ftz_buf_init(&s.text, FTZ_SHEET_MAX_CELL);
    ftz_buf_init(&s.dec, 0);
    int ret;
    while (!rc && (ret = xmlTextReaderRead(r)) == 1) {
        int type = xmlTextReaderNodeType(r);
        if (type == XML_READER_TYPE_ELEMENT) {
            rc = sheet_element(x, &s, r);
        } else if (type == XML_READER_TYPE_END_ELEMENT) {
            rc = sheet_end_element(x, &s, r);
        } else if (s.in_cell && is_text_node(type) &&
                   (s.in_v || (s.in_is && s.in_t && !s.in_rph))) {
            const char *v = (const char *)xmlTextReaderConstValue(r);
            if (v && ftz_buf_add(&s.text, v, strlen(v)))
                rc = fail(x->err, FTZ_ETOOBIG, "sheet_cell_too_big", "%s", s.ref);
        }
    }
    xmlFreeTextReader(r);
    ftz_buf_cleanup(&s.text);
    ftz_buf_cleanup(&s.dec);
    if (!rc && ret < 0) rc = fail(x->err, FTZ_EPARSE, "sheet_bad_xml", "%s", name);
    return rc;
}

static ftz_rc read_xlsx(builder *b, const void *data, size_t len)
{
    xlsx x = {.b = b, .a = b->a, .err = b->err};
    /* An empty source would open as an empty archive: an XLSX starts with a local header. */
    if (len < 4 || memcmp(data, "PK\3\4", 4) != 0)
        return fail(b->err, FTZ_EPARSE, "sheet_not_zip", NULL);
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *src = zip_source_buffer_create(data, len, 0, &ze);
    if (!src) {
        zip_error_fini(&ze);
        return fail(b->err, FTZ_EPARSE, "sheet_not_zip", NULL);
    }
    x.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
    zip_error_fini(&ze);
    if (!x.za) {
        zip_source_free(src);
        return fail(b->err, FTZ_EPARSE, "sheet_not_zip", NULL);
    }
    ftz_buf part;
    bool found;
    char rid[128];
    char *sheet_path = NULL, *sst_path = NULL;
    static const char wb_name[] = "xl/workbook.xml";
    static const char rels_name[] = "xl/_rels/workbook.xml.rels";
    ftz_rc rc = read_entry(&x, wb_name, &part, &found);
    if (!rc && !found) rc = fail(b->err, FTZ_EPARSE, "sheet_no_sheet", "%s", wb_name);
    if (!rc) rc = read_workbook(&x, wb_name, &part, rid, sizeof rid);
    ftz_buf_cleanup(&part);
    if (!rc) rc = read_entry(&x, rels_name, &part, &found);
    if (!rc && !found) rc = fail(b->err, FTZ_EPARSE, "sheet_no_sheet", "%s", rels_name);
    if (!rc) rc = read_rels(&x, rels_name, &part, rid, &sheet_path, &sst_path);
    ftz_buf_cleanup(&part);
    if (!rc) rc = read_entry(&x, sst_path ? sst_path : "xl/sharedStrings.xml", &part, &found);
    if (!rc && found) rc = read_sst(&x, sst_path ? sst_path : "xl/sharedStrings.xml", &part);
    ftz_buf_cleanup(&part);
    if (!rc) rc = read_entry(&x, sheet_path, &part, &found);
    if (!rc && !found) rc = fail(b->err, FTZ_EPARSE, "sheet_no_sheet", "%s", sheet_path);
    if (!rc) rc = read_sheet(&x, sheet_path, &part);
    ftz_buf_cleanup(&part);
    zip_discard(x.za); /* read-only: closes and frees the source */
    return rc;
}

/* ==== the entry point ==== */

static bool type_is(const char *media_type, const char *want)
{
    size_t n = strlen(want);
    return strncmp(media_type, want, n) == 0 && (media_type[n] == '\0' || media_type[n] == ';');
}

ftz_rc ftz_sheet_read(ftz_arena *a, const void *data, size_t len, const char *media_type,
                      ftz_sheet **out, ftz_err *err)
{
    *out = NULL;
    bool xlsx_in;
    if (!media_type)
        xlsx_in = len >= 4 && memcmp(data, "PK\3\4", 4) == 0;
    else if (type_is(media_type, FTZ_SHEET_XLSX_TYPE))
        xlsx_in = true;
    else if (type_is(media_type, "text/csv") || type_is(media_type, "text/plain"))
        xlsx_in = false;
    else
        return fail(err, FTZ_EMEDIA, "sheet_media_type", "text/csv, XLSX");
    builder *b = ftz_arena_alloc(a, sizeof(*b));
    b->a = a;
    b->err = err;
    ftz_rc rc = xlsx_in ? read_xlsx(b, data, len) : read_csv(b, len ? data : "", len);
    if (rc) return rc;
    ftz_sheet *s = ftz_arena_alloc(a, sizeof(*s));
    s->format = xlsx_in ? "xlsx" : "csv";
    s->nrows = b->nrows;
    s->rows = b->rows;
    *out = s;
    return FTZ_OK;
}
