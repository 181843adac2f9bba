/* dict.c — the dictionary registry (see dict.h for the file format and the contract).
 *
 * A file is read one physical line at a time: the version line and comments by hand, the
 * header and rows through libcsv (strict mode), so that every error carries the line it was
 * found on and the CSV column being read. Rows are collected, sorted by code, then checked as
 * a whole (duplicates, parents); only a table that passes every check joins the registry. */
#include "core/ftz_setup.h"
#include "core/dict.h"
#include "core/arena.h"
#include "core/embed.h"
#include "core/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>
#include <sodium.h>

#define DICT_DIR      "data/dicts/"
#define DICT_EXT      ".csv"
#define MAX_VERSION   32
#define NCOLS_MIN     4
#define NCOLS_MAX     5
#define HASH_HEX_USED 12

enum { LANG_ZH, LANG_RU, LANG_EN, NLANG };

struct ftz_dict_entry {
    const char *code;
    const char *name[NLANG]; /* zh, ru, en */
    const char *parent;      /* NULL when none */
    size_t line;             /* where the row was, for load errors */
};

struct ftz_dict {
    ftz_arena *arena; /* every string of the table */
    const char *name;
    const char *version;
    bool has_parent;
    ftz_dict_entry *entries; /* sorted by code */
    size_t n, cap;
};

struct ftz_dicts {
    ftz_dict **v; /* sorted by name */
    size_t n, cap;
};

static const char *const header_cols[NCOLS_MAX] = {"code", "name_zh", "name_ru", "name_en",
                                                   "parent"};

/* ---- parsing ---------------------------------------------------------------------------- */

typedef struct parser {
    ftz_dict *t;
    size_t line;       /* the physical line being fed */
    size_t nfield;     /* fields completed in the current record */
    size_t ncols;      /* 4 or 5 once the header is read, 0 before */
    bool record_ended; /* a record ended while the current line was fed */
    const char *field[NCOLS_MAX];
    size_t flen[NCOLS_MAX];
    /* the first error; nothing more is done once rc is set */
    ftz_rc rc;
    const char *code;
    size_t err_line, err_col;
} parser;

static void fail_at(parser *p, ftz_rc rc, const char *code, size_t line, size_t col)
{
    if (p->rc) return;
    p->rc = rc;
    p->code = code;
    p->err_line = line;
    p->err_col = col;
}

/* Length in bytes of the valid UTF-8 sequence at s (at most n bytes), 0 when invalid:
 * RFC 3629 — no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if (n < len) return 0;
    unsigned cp = c & (0xFFu >> (len + 1));
    for (size_t k = 1; k < len; k++) {
        if ((s[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (s[k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return len;
}

/* Whether the n bytes at s are UTF-8 text without NUL; with no_controls also without C0/C1
 * control characters and DEL (a name is one line of visible text). */
static bool text_ok(const char *s, size_t n, bool no_controls)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t k = 0; k < n;) {
        size_t len = utf8_seq(u + k, n - k);
        if (len == 0 || u[k] == 0) return false;
        if (no_controls) {
            if (u[k] < 0x20 || u[k] == 0x7F) return false;
            if (u[k] == 0xC2 && u[k + 1] >= 0x80 && u[k + 1] <= 0x9F) return false;
        }
        k += len;
    }
    return true;
}

static bool code_ok(const char *s, size_t n)
{
    if (n == 0 || n > FTZ_DICT_MAX_CODE) return false;
    for (size_t k = 0; k < n; k++) {
        char c = s[k];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* libcsv: a field ended. */
static void on_field(void *data, size_t len, void *ctx)
{
    parser *p = ctx;
    size_t k = p->nfield++;
    if (p->rc || k >= NCOLS_MAX) return;
    const char *s = data ? data : "";
    if (len > FTZ_DICT_MAX_FIELD || !text_ok(s, len, true)) {
        fail_at(p, FTZ_EPARSE, "dict_bad_text", p->line, k + 1);
        return;
    }
    p->field[k] = ftz_arena_strndup(p->t->arena, s, len);
    p->flen[k] = len;
}

static void check_header(parser *p)
{
    size_t n = p->nfield;
    for (size_t k = 0; k < n && k < NCOLS_MAX; k++)
        if (strcmp(p->field[k], header_cols[k]) != 0) {
            fail_at(p, FTZ_EPARSE, "dict_header", p->line, k + 1);
            return;
        }
    if (n < NCOLS_MIN || n > NCOLS_MAX) {
        fail_at(p, FTZ_EPARSE, "dict_header", p->line, n < NCOLS_MIN ? n + 1 : NCOLS_MAX + 1);
        return;
    }
    p->ncols = n;
    p->t->has_parent = n == NCOLS_MAX;
}

static void add_row(parser *p)
{
    ftz_dict *t = p->t;
    if (p->nfield != p->ncols) {
        size_t col = p->nfield < p->ncols ? p->nfield + 1 : p->ncols + 1;
        fail_at(p, FTZ_EPARSE, "dict_columns", p->line, col);
        return;
    }
    if (!code_ok(p->field[0], p->flen[0])) {
        fail_at(p, FTZ_EPARSE, "dict_bad_code", p->line, 1);
        return;
    }
    for (size_t k = 1; k <= NLANG; k++)
        if (p->flen[k] == 0) {
            fail_at(p, FTZ_EPARSE, "dict_empty", p->line, k + 1);
            return;
        }
    const char *parent = NULL;
    if (p->ncols == NCOLS_MAX && p->flen[4] > 0) {
        if (!code_ok(p->field[4], p->flen[4])) {
            fail_at(p, FTZ_EPARSE, "dict_bad_code", p->line, 5);
            return;
        }
        parent = p->field[4];
    }
    if (t->n == FTZ_DICT_MAX_ENTRIES) {
        fail_at(p, FTZ_ETOOBIG, "dict_too_big", p->line, 0);
        return;
    }
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->entries = ftz_realloc(t->entries, t->cap * sizeof(*t->entries));
    }
    ftz_dict_entry *e = &t->entries[t->n++];
    e->code = p->field[0];
    for (size_t k = 0; k < NLANG; k++)
        e->name[k] = p->field[k + 1];
    e->parent = parent;
    e->line = p->line;
}

/* libcsv: a record ended (the header first, then the rows). */
static void on_record(int term, void *ctx)
{
    parser *p = ctx;
    (void)term;
    p->record_ended = true;
    if (!p->rc) {
        if (p->ncols == 0)
            check_header(p);
        else
            add_row(p);
    }
    p->nfield = 0;
    memset(p->field, 0, sizeof p->field);
    memset(p->flen, 0, sizeof p->flen);
}

/* "# version: V" (spaces optional around V; trailing CR allowed) → V into out. */
static bool parse_version(const char *s, size_t n, char out[MAX_VERSION + 1])
{
    static const char tag[] = "version:";
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    size_t k = 0;
    if (n == 0 || s[k++] != '#') return false;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    if (n - k < sizeof tag - 1 || memcmp(s + k, tag, sizeof tag - 1) != 0) return false;
    k += sizeof tag - 1;
    while (k < n && (s[k] == ' ' || s[k] == '\t'))
        k++;
    size_t vlen = n - k;
    if (vlen == 0 || vlen > MAX_VERSION || !code_ok(s + k, vlen)) return false;
    memcpy(out, s + k, vlen);
    out[vlen] = '\0';
    return true;
}

static bool blank(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r' && s[k] != '\n') return false;
    return true;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const ftz_dict_entry *)a)->code, ((const ftz_dict_entry *)b)->code);
}

static const ftz_dict_entry *find(const ftz_dict *t, const char *code)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(code, t->entries[mid].code);
        if (c == 0) return &t->entries[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* Sorts the rows and checks them as a whole; reports the earliest line at fault. */
static void check_table(parser *p)
{
    ftz_dict *t = p->t;
    size_t best = SIZE_MAX;
    const char *code = NULL;
    size_t col = 0;
    qsort(t->entries, t->n, sizeof(*t->entries), cmp_entry);
    for (size_t i = 1; i < t->n; i++) {
        const ftz_dict_entry *a = &t->entries[i - 1], *b = &t->entries[i];
        if (strcmp(a->code, b->code) == 0) {
            size_t line = a->line > b->line ? a->line : b->line;
            if (line < best) {
                best = line;
                code = "dict_duplicate";
                col = 1;
            }
        }
    }
    if (!code) {
        for (size_t i = 0; i < t->n; i++) {
            const ftz_dict_entry *e = &t->entries[i];
            if (!e->parent || e->line >= best) continue;
            if (!find(t, e->parent)) {
                best = e->line;
                code = "dict_unknown_parent";
                col = 5;
                continue;
            }
            /* Follow the chain: more steps than entries means a loop. */
            const ftz_dict_entry *up = e;
            size_t steps = 0;
            while (up && up->parent && steps <= t->n) {
                up = find(t, up->parent);
                steps++;
            }
            if (steps > t->n) {
                best = e->line;
                code = "dict_parent_cycle";
                col = 5;
            }
        }
    }
    if (code) fail_at(p, FTZ_EPARSE, code, best, col);
}

static ftz_rc report(ftz_err *err, ftz_rc rc, const char *code, const char *name, size_t line,
                     size_t col)
{
    char param[FTZ_DICT_MAX_NAME + 48];
    snprintf(param, sizeof param, "%s:%zu:%zu", name, line, col);
    return ftz_err_set(err, rc, code, param);
}

static bool name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > FTZ_DICT_MAX_NAME) return false;
    for (size_t k = 0; k < n; k++)
        if (!((name[k] >= 'a' && name[k] <= 'z') || (name[k] >= '0' && name[k] <= '9') ||
              name[k] == '_'))
            return false;
    return true;
}

static void dict_free(ftz_dict *t)
{
    if (!t) return;
    ftz_free(t->entries);
    ftz_arena_free(t->arena);
    ftz_free(t);
}

/* Reads the lines of csv into p->t. */
static void parse_lines(parser *p, const char *csv, size_t len)
{
    struct csv_parser cp;
    if (csv_init(&cp, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        fail_at(p, FTZ_EINTERNAL, "dict_csv_init", 0, 0);
        return;
    }
    csv_set_realloc_func(&cp, ftz_realloc);
    csv_set_free_func(&cp, ftz_free);

    size_t pos = 0;
    bool in_csv = false; /* past the version line and the comments */
    /* A UTF-8 byte-order mark before the version line is tolerated. */
    if (len >= 3 && memcmp(csv, "\xEF\xBB\xBF", 3) == 0) pos = 3;

    while (pos < len && !p->rc) {
        const char *s = csv + pos;
        const char *nl = memchr(s, '\n', len - pos);
        size_t n = nl ? (size_t)(nl - s) + 1 : len - pos;
        pos += n;
        p->line++;
        if (n > FTZ_DICT_MAX_LINE) {
            fail_at(p, FTZ_ETOOBIG, "dict_too_big", p->line, 0);
            break;
        }
        if (!text_ok(s, n, false)) {
            fail_at(p, FTZ_EPARSE, "dict_bad_text", p->line, 0);
            break;
        }
        /* CR only as part of a CRLF line end: a lone CR would end a record mid-line. */
        const char *cr = memchr(s, '\r', n);
        if (cr && (cr != s + n - 2 || !nl)) {
            fail_at(p, FTZ_EPARSE, "dict_syntax", p->line, 0);
            break;
        }
        if (p->line == 1) {
            char v[MAX_VERSION + 1];
            if (!parse_version(s, n, v)) {
                fail_at(p, FTZ_EPARSE, "dict_version", 1, 0);
                break;
            }
            char hex[2 * crypto_hash_sha256_BYTES + 1];
            unsigned char hash[crypto_hash_sha256_BYTES];
            crypto_hash_sha256(hash, (const unsigned char *)csv, len);
            sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
            hex[HASH_HEX_USED] = '\0';
            p->t->version = ftz_arena_printf(p->t->arena, "%s+%s", v, hex);
            continue;
        }
        if (!in_csv) {
            if (s[0] == '#') continue;
            in_csv = true;
        }
        if (blank(s, n)) continue;
        p->record_ended = false;
        size_t used = csv_parse(&cp, s, n, on_field, on_record, p);
        if (p->rc) break;
        if (used != n) {
            fail_at(p, FTZ_EPARSE, "dict_syntax", p->line, p->nfield + 1);
            break;
        }
        if (nl && !p->record_ended) {
            /* An open quote: the field would run on to the next line. */
            fail_at(p, FTZ_EPARSE, "dict_syntax", p->line, p->nfield + 1);
            break;
        }
    }
    if (!p->rc && csv_fini(&cp, on_field, on_record, p) != 0)
        fail_at(p, FTZ_EPARSE, "dict_syntax", p->line, p->nfield + 1);
    csv_free(&cp);

    if (p->rc) return;
    if (p->line == 0 || !p->t->version) {
        fail_at(p, FTZ_EPARSE, "dict_version", 1, 0);
    } else if (p->ncols == 0) {
        fail_at(p, FTZ_EPARSE, "dict_header", p->line + 1, 0);
    } else if (p->t->n == 0) {
        fail_at(p, FTZ_EPARSE, "dict_no_rows", p->line + 1, 0);
    } else {
        check_table(p);
    }
}

/* ---- the registry ----------------------------------------------------------------------- */

ftz_dicts *ftz_dicts_new(void)
{
    return ftz_calloc(1, sizeof(ftz_dicts));
}

void ftz_dicts_free(ftz_dicts *d)
{
    if (!d) return;
    for (size_t i = 0; i < d->n; i++)
        dict_free(d->v[i]);
    ftz_free(d->v);
    ftz_free(d);
}

/* Index of the first table whose name is >= name. */
static size_t lower_bound(const ftz_dicts *d, const char *name)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(d->v[mid]->name, name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

ftz_rc ftz_dict_parse(ftz_dicts *d, const char *name, const char *csv, size_t len, ftz_err *err)
{
    if (!name_ok(name)) return ftz_err_set(err, FTZ_EINVAL, "dict_bad_name", name);
    size_t at = lower_bound(d, name);
    if (at < d->n && strcmp(d->v[at]->name, name) == 0)
        return ftz_err_set(err, FTZ_ECONFLICT, "dict_exists", name);
    if (len > FTZ_DICT_MAX_BYTES) return report(err, FTZ_ETOOBIG, "dict_too_big", name, 0, 0);
    if (sodium_init() < 0) return ftz_err_set(err, FTZ_EINTERNAL, "sodium_init", NULL);

    ftz_dict *t = ftz_calloc(1, sizeof(*t));
    t->arena = ftz_arena_new();
    t->name = ftz_arena_strdup(t->arena, name);
    parser p;
    memset(&p, 0, sizeof p);
    p.t = t;
    parse_lines(&p, csv ? csv : "", csv ? len : 0);
    if (p.rc) {
        ftz_rc rc = report(err, p.rc, p.code, name, p.err_line, p.err_col);
        dict_free(t);
        return rc;
    }

    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 8;
        d->v = ftz_realloc(d->v, d->cap * sizeof(*d->v));
    }
    memmove(d->v + at + 1, d->v + at, (d->n - at) * sizeof(*d->v));
    d->v[at] = t;
    d->n++;
    return FTZ_OK;
}

ftz_rc ftz_dict_load_embedded(ftz_dicts **out, ftz_err *err)
{
    ftz_dicts *d = ftz_dicts_new();
    ftz_rc rc = FTZ_OK;
    const size_t dlen = strlen(DICT_DIR), elen = strlen(DICT_EXT);
    *out = NULL;
    for (const struct ftz_embedded_file *f = ftz_embedded; f->path; f++) {
        size_t plen = strlen(f->path);
        if (plen <= dlen + elen || strncmp(f->path, DICT_DIR, dlen) != 0 ||
            strcmp(f->path + plen - elen, DICT_EXT) != 0)
            continue;
        const char *base = f->path + dlen;
        size_t blen = plen - dlen - elen;
        if (memchr(base, '/', blen)) continue; /* only files directly in data/dicts */
        char name[FTZ_DICT_MAX_NAME + 2];
        if (blen > FTZ_DICT_MAX_NAME) {
            rc = ftz_err_set(err, FTZ_EINVAL, "dict_bad_name", base);
            goto fail;
        }
        memcpy(name, base, blen);
        name[blen] = '\0';
        rc = ftz_dict_parse(d, name, (const char *)f->data, f->len, err);
        if (rc) goto fail;
    }
    *out = d;
    return FTZ_OK;

fail:
    ftz_dicts_free(d);
    return rc;
}

size_t ftz_dicts_count(const ftz_dicts *d)
{
    return d->n;
}

const ftz_dict *ftz_dicts_at(const ftz_dicts *d, size_t i)
{
    return i < d->n ? d->v[i] : NULL;
}

const ftz_dict *ftz_dict_get(const ftz_dicts *d, const char *name)
{
    if (!d || !name) return NULL;
    size_t at = lower_bound(d, name);
    return at < d->n && strcmp(d->v[at]->name, name) == 0 ? d->v[at] : NULL;
}

const char *ftz_dict_name(const ftz_dict *t)
{
    return t->name;
}

const char *ftz_dict_version(const ftz_dict *t)
{
    return t->version;
}

bool ftz_dict_has_parent(const ftz_dict *t)
{
    return t->has_parent;
}

size_t ftz_dict_count(const ftz_dict *t)
{
    return t->n;
}

const ftz_dict_entry *ftz_dict_at(const ftz_dict *t, size_t i)
{
    return i < t->n ? &t->entries[i] : NULL;
}

const ftz_dict_entry *ftz_dict_lookup(const ftz_dict *t, const char *code)
{
    if (!t || !code) return NULL;
    return find(t, code);
}

const char *ftz_dict_entry_code(const ftz_dict_entry *e)
{
    return e->code;
}

const char *ftz_dict_entry_name(const ftz_dict_entry *e, const char *lang)
{
    int l = LANG_ZH;
    if (lang && lang[0] && lang[1] && (lang[2] == '\0' || lang[2] == '-' || lang[2] == '_')) {
        if (strncasecmp(lang, "ru", 2) == 0)
            l = LANG_RU;
        else if (strncasecmp(lang, "en", 2) == 0)
            l = LANG_EN;
    }
    return e->name[l];
}

const char *ftz_dict_entry_parent(const ftz_dict_entry *e)
{
    return e->parent;
}

json_t *ftz_dict_json(const ftz_dict *t)
{
    json_t *items = json_array();
    for (size_t i = 0; i < t->n; i++) {
        const ftz_dict_entry *e = &t->entries[i];
        json_t *o = json_object();
        json_object_set_new(o, "code", json_string(e->code));
        json_object_set_new(o, "name_zh", json_string(e->name[LANG_ZH]));
        json_object_set_new(o, "name_ru", json_string(e->name[LANG_RU]));
        json_object_set_new(o, "name_en", json_string(e->name[LANG_EN]));
        if (t->has_parent)
            json_object_set_new(o, "parent", e->parent ? json_string(e->parent) : json_null());
        json_array_append_new(items, o);
    }
    json_t *j = json_object();
    json_object_set_new(j, "name", json_string(t->name));
    json_object_set_new(j, "version", json_string(t->version));
    json_object_set_new(j, "items", items);
    return j;
}
