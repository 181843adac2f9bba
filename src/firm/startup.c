/* startup.c — the start-up package's items (data/startup_package.csv) and the status table
 * of a firm's item (see startup.h). Pure: the store (startup_store.c) and the unit tests
 * call it; nothing here touches the database.
 *
 * The file is read one physical line at a time — the version line and comments by hand, the
 * header and rows through libcsv in strict mode, finished at every line end — so that every
 * error names its line and the column being read. */
#include "core/ftz_setup.h"
#include "firm/startup.h"
#include "core/embed.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"

#include <stdio.h>
#include <string.h>

#include <csv.h>

#define NCOLS 5

static const char *const header_cols[NCOLS] = {"code", "name_zh", "name_ru", "name_en", "cost_fen"};

typedef struct parser {
    ftz_arena *a;
    firm_pkg_item items[FTZ_PKG_MAX_ITEMS];
    size_t n;
    bool header_seen;
    size_t line;
    size_t nfield;
    const char *field[NCOLS];
    size_t flen[NCOLS];
    /* the first error */
    ftz_rc rc;
    const char *code;
    size_t err_line, err_col;
} parser;

static void fail_at(parser *p, ftz_rc rc, const char *code, size_t col)
{
    if (p->rc) return;
    p->rc = rc;
    p->code = code;
    p->err_line = p->line;
    p->err_col = col;
}

/* One line of visible text: valid UTF-8 without C0/C1 controls, DEL or NUL. */
static bool text_ok(const char *s, size_t n)
{
    if (!ftz_utf8_valid(s, n)) return false;
    const unsigned char *u = (const unsigned char *)s;
    for (size_t k = 0; k < n; k++) {
        if (u[k] < 0x20 || u[k] == 0x7F) return false;
        if (u[k] == 0xC2 && k + 1 < n && u[k + 1] >= 0x80 && u[k + 1] <= 0x9F) return false;
    }
    return true;
}

static bool code_ok(const char *s, size_t n)
{
    if (n == 0 || n > FTZ_PKG_MAX_CODE) return false;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    return true;
}

/* Digits only, no leading zero (but "0"), at most 12 of them. */
static bool cost_ok(const char *s, size_t n, int64_t *out)
{
    if (n == 0 || n > 12 || (n > 1 && s[0] == '0')) return false;
    int64_t v = 0;
    for (size_t k = 0; k < n; k++) {
        if (s[k] < '0' || s[k] > '9') return false;
        v = v * 10 + (s[k] - '0');
    }
    *out = v;
    return true;
}

static void on_field(void *data, size_t len, void *ctx)
{
    parser *p = ctx;
    size_t k = p->nfield++;
    if (p->rc || k >= NCOLS) return;
    const char *s = data ? data : "";
    if (len > FTZ_PKG_MAX_FIELD) {
        fail_at(p, FTZ_ETOOBIG, "pkg_too_big", k + 1);
        return;
    }
    if (!text_ok(s, len)) {
        fail_at(p, FTZ_EPARSE, "pkg_bad_text", k + 1);
        return;
    }
    p->field[k] = ftz_arena_strndup(p->a, s, len);
    p->flen[k] = len;
}

static void add_row(parser *p)
{
    if (p->nfield != NCOLS) {
        fail_at(p, FTZ_EPARSE, "pkg_columns", 0);
        return;
    }
    if (!code_ok(p->field[0], p->flen[0])) {
        fail_at(p, FTZ_EPARSE, "pkg_bad_code", 1);
        return;
    }
    for (size_t k = 1; k <= 3; k++) {
        if (p->flen[k] == 0) {
            fail_at(p, FTZ_EPARSE, "pkg_empty", k + 1);
            return;
        }
    }
    int64_t cost;
    if (!cost_ok(p->field[4], p->flen[4], &cost)) {
        fail_at(p, FTZ_EPARSE, "pkg_cost", 5);
        return;
    }
    for (size_t i = 0; i < p->n; i++) {
        if (strcmp(p->items[i].code, p->field[0]) == 0) {
            fail_at(p, FTZ_EPARSE, "pkg_duplicate", 1);
            return;
        }
    }
    if (p->n >= FTZ_PKG_MAX_ITEMS) {
        fail_at(p, FTZ_ETOOBIG, "pkg_too_big", 0);
        return;
    }
    firm_pkg_item *it = &p->items[p->n++];
    it->code = p->field[0];
    it->name_zh = p->field[1];
    it->name_ru = p->field[2];
    it->name_en = p->field[3];
    it->cost_fen = cost;
}

static void on_record(int term, void *ctx)
{
    parser *p = ctx;
    (void)term;
    if (!p->rc) {
        if (!p->header_seen) {
            bool ok = p->nfield == NCOLS;
            for (size_t k = 0; ok && k < NCOLS; k++)
                ok = p->field[k] && strcmp(p->field[k], header_cols[k]) == 0;
            if (!ok) fail_at(p, FTZ_EPARSE, "pkg_header", 0);
            p->header_seen = true;
        } else {
            add_row(p);
        }
    }
    p->nfield = 0;
    memset(p->field, 0, sizeof p->field);
    memset(p->flen, 0, sizeof p->flen);
}

/* "# version: V" with V of 1..32 [A-Za-z0-9._-] → V. */
static const char *parse_version(ftz_arena *a, const char *s, size_t n)
{
    static const char tag[] = "version:";
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    size_t k = 0;
    if (n == 0 || s[k++] != '#') return NULL;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (n - k < sizeof tag - 1 || memcmp(s + k, tag, sizeof tag - 1) != 0) return NULL;
    k += sizeof tag - 1;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    size_t vlen = n - k;
    if (vlen == 0 || vlen > 32) return NULL;
    for (size_t i = k; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '.' || c == '_' || c == '-'))
            return NULL;
    }
    return ftz_arena_strndup(a, s + k, vlen);
}

static bool blank(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r') return false;
    return true;
}

ftz_rc firm_pkg_parse(ftz_arena *a, const char *csv, size_t len, firm_pkg *out, ftz_err *err)
{
    memset(out, 0, sizeof *out);
    parser *p = ftz_calloc(1, sizeof *p);
    p->a = a;
    const char *version = NULL;
    struct csv_parser cp;
    bool cp_ok = false;
    if (len > FTZ_PKG_MAX_BYTES) {
        fail_at(p, FTZ_ETOOBIG, "pkg_too_big", 0);
        goto done;
    }
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fail_at(p, FTZ_EINTERNAL, "pkg_csv_init", 0);
        goto done;
    }
    cp_ok = true;
    csv_set_realloc_func(&cp, ftz_realloc);
    csv_set_free_func(&cp, ftz_free);
    size_t pos = 0;
    while (pos < len && !p->rc) {
        const char *nl = memchr(csv + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - csv) : len;
        const char *s = csv + pos;
        size_t n = end - pos;
        pos = nl ? end + 1 : len;
        p->line++;
        if (n > FTZ_PKG_MAX_LINE) {
            fail_at(p, FTZ_ETOOBIG, "pkg_too_big", 0);
            break;
        }
        if (n > 0 && s[n - 1] == '\r') n--;
        if (p->line == 1) {
            version = parse_version(a, s, n);
            if (!version) fail_at(p, FTZ_EPARSE, "pkg_version", 0);
            continue;
        }
        if (blank(s, n)) continue;
        if (!p->header_seen && s[0] == '#') continue;
        if (memchr(s, '\0', n)) {
            fail_at(p, FTZ_EPARSE, "pkg_bad_text", 0);
            break;
        }
        size_t used = csv_parse(&cp, s, n, on_field, on_record, p);
        if (!p->rc && used != n) fail_at(p, FTZ_EPARSE, "pkg_syntax", p->nfield + 1);
        if (!p->rc && csv_fini(&cp, on_field, on_record, p) != 0)
            fail_at(p, FTZ_EPARSE, "pkg_syntax", p->nfield + 1);
        if (p->rc) break;
    }
    if (!p->rc && p->line == 0) fail_at(p, FTZ_EPARSE, "pkg_version", 0);
    if (!p->rc && !p->header_seen) fail_at(p, FTZ_EPARSE, "pkg_header", 0);
    if (!p->rc && p->n == 0) fail_at(p, FTZ_EPARSE, "pkg_no_rows", 0);
done:
    if (cp_ok) csv_free(&cp);
    ftz_rc rc = p->rc;
    if (rc) {
        if (err) {
            char param[48];
            snprintf(param, sizeof param, "%zu:%zu", p->err_line, p->err_col);
            ftz_err_set(err, rc, p->code, ftz_arena_strdup(err->arena ? err->arena : a, param));
        }
    } else {
        out->version = version;
        out->n = p->n;
        out->items = ftz_arena_alloc(a, p->n * sizeof *out->items);
        memcpy(out->items, p->items, p->n * sizeof *out->items);
    }
    ftz_free(p);
    return rc;
}

ftz_rc firm_pkg_load(ftz_arena *a, firm_pkg *out)
{
    const struct ftz_embedded_file *f = ftz_embed_find(FIRM_PKG_FILE);
    if (!f) {
        ftz_log_error("%s is not embedded", FIRM_PKG_FILE);
        return FTZ_EINTERNAL;
    }
    ftz_err e;
    ftz_err_init(&e, a);
    ftz_rc rc = firm_pkg_parse(a, (const char *)f->data, f->len, out, &e);
    if (rc) {
        ftz_log_error("%s: %s at %s", FIRM_PKG_FILE, e.code ? e.code : "?",
                      e.param ? e.param : "?");
        return FTZ_EINTERNAL;
    }
    return FTZ_OK;
}

const firm_pkg_item *firm_pkg_find(const firm_pkg *p, const char *code)
{
    if (!code) return NULL;
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->items[i].code, code) == 0) return &p->items[i];
    return NULL;
}

const char *firm_pkg_item_name(const firm_pkg_item *it, const char *lang)
{
    if (lang && strcmp(lang, "ru") == 0) return it->name_ru;
    if (lang && strcmp(lang, "en") == 0) return it->name_en;
    return it->name_zh;
}

/* ---- statuses ---- */

static const firm_pkg_status_def statuses[] = {
    {"pending", "待办", "Ожидает", "Pending", true},
    {"in_progress", "办理中", "В работе", "In progress", true},
    {"done", "已完成", "Выполнено", "Done", false},
    {"not_needed", "无需办理", "Не требуется", "Not needed", false},
};

/* The machine: from → to (startup.h draws it as a grid). */
static const struct {
    const char *from, *to;
} moves[] = {
    {"pending", "in_progress"},    {"pending", "done"},
    {"pending", "not_needed"},     {"in_progress", "done"},
    {"in_progress", "not_needed"}, {"done", "in_progress"}, /* reopened */
    {"not_needed", "pending"},                              /* needed after all */
};

const firm_pkg_status_def *firm_pkg_statuses(size_t *n)
{
    *n = FTZ_COUNTOF(statuses);
    return statuses;
}

const firm_pkg_status_def *firm_pkg_status_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(statuses); i++)
        if (strcmp(statuses[i].name, name) == 0) return &statuses[i];
    return NULL;
}

bool firm_pkg_may(const char *from, const char *to)
{
    if (!from || !to) return false;
    for (size_t i = 0; i < FTZ_COUNTOF(moves); i++)
        if (strcmp(moves[i].from, from) == 0 && strcmp(moves[i].to, to) == 0) return true;
    return false;
}

size_t firm_pkg_next(const char *from, const char *out[5])
{
    size_t n = 0;
    for (size_t i = 0; from && i < FTZ_COUNTOF(moves) && n < 4; i++)
        if (strcmp(moves[i].from, from) == 0) out[n++] = moves[i].to;
    out[n] = NULL;
    return n;
}
