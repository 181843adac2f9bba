/* jsonw.c — streaming JSON writer and syntax check (see jsonw.h). */
#include "core/ftz_setup.h"
#include "core/jsonw.h"

#include <stdio.h>
#include <string.h>

void ftz_jw_init(ftz_jw *w, ftz_buf *out)
{
    memset(w, 0, sizeof(*w));
    w->out = out;
    w->first[0] = true;
}

/* The separator before a value or key at the current level. */
static void sep(ftz_jw *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (!w->first[w->depth]) ftz_buf_putc(w->out, ',');
    w->first[w->depth] = false;
}

static void jw_open(ftz_jw *w, char ch)
{
    sep(w);
    ftz_buf_putc(w->out, ch);
    if (w->depth < FTZ_JW_DEPTH - 1) w->depth++;
    w->first[w->depth] = true;
}

static void jw_close(ftz_jw *w, char ch)
{
    ftz_buf_putc(w->out, ch);
    if (w->depth > 0) w->depth--;
}

void ftz_jw_obj(ftz_jw *w)
{
    jw_open(w, '{');
}

void ftz_jw_obj_end(ftz_jw *w)
{
    jw_close(w, '}');
}

void ftz_jw_arr(ftz_jw *w)
{
    jw_open(w, '[');
}

void ftz_jw_arr_end(ftz_jw *w)
{
    jw_close(w, ']');
}

/* The bytes a JSON string must escape ("\"", "\\", controls), as a table: the scans below
 * are one load and test per byte. */
static const unsigned char SPECIAL[256] = {
    [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1, [0x07] = 1,
    [0x08] = 1, [0x09] = 1, [0x0a] = 1, [0x0b] = 1, [0x0c] = 1, [0x0d] = 1, [0x0e] = 1,
    [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1, [0x15] = 1,
    [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1b] = 1, [0x1c] = 1,
    [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, ['"'] = 1,  ['\\'] = 1, [0x00] = 1,
};

/* Length of the run of bytes that need no escape (stops at a NUL too). */
static size_t plain_run(const char *p)
{
    const unsigned char *q = (const unsigned char *)p;
    while (!SPECIAL[*q])
        q++;
    return (size_t)(q - (const unsigned char *)p);
}

static void quoted(ftz_buf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    ftz_buf_putc(b, '"');
    const char *run = s;
    for (const char *p = s + plain_run(s); *p; p += 1 + plain_run(p + 1)) {
        unsigned char ch = (unsigned char)*p;
        ftz_buf_put(b, run, (size_t)(p - run));
        run = p + 1;
        switch (ch) {
        case '"':
            ftz_buf_puts(b, "\\\"");
            break;
        case '\\':
            ftz_buf_puts(b, "\\\\");
            break;
        case '\n':
            ftz_buf_puts(b, "\\n");
            break;
        case '\r':
            ftz_buf_puts(b, "\\r");
            break;
        case '\t':
            ftz_buf_puts(b, "\\t");
            break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[ch >> 4], hex[ch & 15], 0};
            ftz_buf_puts(b, u);
        }
        }
    }
    ftz_buf_puts(b, run);
    ftz_buf_putc(b, '"');
}

void ftz_jw_key(ftz_jw *w, const char *key)
{
    sep(w);
    /* Keys are the program's own constants (snake_case ASCII): nothing to escape. */
    ftz_buf_putc(w->out, '"');
    ftz_buf_puts(w->out, key);
    ftz_buf_put(w->out, "\":", 2);
    w->after_key = true;
}

void ftz_jw_str(ftz_jw *w, const char *s)
{
    if (!s) {
        ftz_jw_null(w);
        return;
    }
    sep(w);
    quoted(w->out, s);
}

void ftz_jw_int(ftz_jw *w, int64_t v)
{
    sep(w);
    char d[24];
    int n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        d[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) d[n++] = '-';
    while (n)
        ftz_buf_putc(w->out, d[--n]);
}

void ftz_jw_bool(ftz_jw *w, bool v)
{
    sep(w);
    ftz_buf_puts(w->out, v ? "true" : "false");
}

void ftz_jw_null(ftz_jw *w)
{
    sep(w);
    ftz_buf_puts(w->out, "null");
}

void ftz_jw_raw(ftz_jw *w, const char *json)
{
    if (!json) {
        ftz_jw_null(w);
        return;
    }
    if (!ftz_json_valid(json, strlen(json))) {
        ftz_jw_str(w, json);
        return;
    }
    sep(w);
    ftz_buf_puts(w->out, json);
}

/* ---- syntax check: a recursive-descent recogniser over [p, end) ---- */

typedef struct {
    const char *p, *end;
} scan;

static void ws(scan *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r'))
        s->p++;
}

static bool lit(scan *s, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(s->end - s->p) < n || memcmp(s->p, word, n) != 0) return false;
    s->p += n;
    return true;
}

static bool is_hex(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static bool string(scan *s)
{
    if (s->p >= s->end || *s->p != '"') return false;
    s->p++;
    while (s->p < s->end) {
        /* Skip plain text at once (the text ends in a NUL at s->end: see jsonw.h). */
        s->p += plain_run(s->p);
        if (s->p >= s->end) return false;
        unsigned char ch = (unsigned char)*s->p++;
        if (ch == '"') return true;
        if (ch < 0x20) return false;
        if (ch == '\\') {
            if (s->p >= s->end) return false;
            char e = *s->p++;
            if (e == 'u') {
                for (int i = 0; i < 4; i++)
                    if (s->p >= s->end || !is_hex(*s->p++)) return false;
            } else if (!strchr("\"\\/bfnrt", e) || e == '\0') {
                return false;
            }
        }
    }
    return false;
}

static bool digits(scan *s)
{
    const char *start = s->p;
    while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
        s->p++;
    return s->p > start;
}

static bool number(scan *s)
{
    if (s->p < s->end && *s->p == '-') s->p++;
    if (s->p < s->end && *s->p == '0') {
        s->p++;
    } else if (!digits(s)) {
        return false;
    }
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        if (!digits(s)) return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) s->p++;
        if (!digits(s)) return false;
    }
    return true;
}

static bool value(scan *s, int depth);

static bool container(scan *s, int depth, char close, bool object)
{
    if (depth >= FTZ_JW_DEPTH) return false;
    s->p++;
    ws(s);
    if (s->p < s->end && *s->p == close) {
        s->p++;
        return true;
    }
    for (;;) {
        ws(s);
        if (object) {
            if (!string(s)) return false;
            ws(s);
            if (s->p >= s->end || *s->p++ != ':') return false;
            ws(s);
        }
        if (!value(s, depth + 1)) return false;
        ws(s);
        if (s->p >= s->end) return false;
        char ch = *s->p++;
        if (ch == close) return true;
        if (ch != ',') return false;
    }
}

static bool value(scan *s, int depth)
{
    if (s->p >= s->end) return false;
    switch (*s->p) {
    case '{':
        return container(s, depth, '}', true);
    case '[':
        return container(s, depth, ']', false);
    case '"':
        return string(s);
    case 't':
        return lit(s, "true");
    case 'f':
        return lit(s, "false");
    case 'n':
        return lit(s, "null");
    default:
        return number(s);
    }
}

bool ftz_json_valid(const char *str, size_t n)
{
    scan s = {str, str + n};
    ws(&s);
    if (!value(&s, 0)) return false;
    ws(&s);
    return s.p == s.end;
}
