/* utf8.c — UTF-8 validation, code-point counting, the folded search form and LIKE escaping
 * (see utf8.h). Validation is written out here (it runs on every input byte and must say no
 * to exactly what RFC 3629 forbids); normalisation and case folding are utf8proc's. */
#include "core/ftz_setup.h"
#include "core/utf8.h"
#include "core/mem.h"

#include <stdint.h>
#include <string.h>
#include <utf8proc.h>

bool ftz_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c >= 0x01 && c <= 0x7f) {
            i++;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            if (c == 0xe0) lo = 0xa0; /* overlong below U+0800 */
            if (c == 0xed) hi = 0x9f; /* surrogates U+D800..U+DFFF */
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            if (c == 0xf0) lo = 0x90; /* overlong below U+10000 */
            if (c == 0xf4) hi = 0x8f; /* above U+10FFFF */
        } else {
            return false; /* NUL, a stray continuation byte, C0/C1 overlong leads, F5..FF */
        }
        if (n - i < len) return false;
        if (p[i + 1] < lo || p[i + 1] > hi) return false;
        for (size_t k = 2; k < len; k++)
            if (p[i + k] < 0x80 || p[i + k] > 0xbf) return false;
        i += len;
    }
    return true;
}

size_t ftz_utf8_len(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xc0) != 0x80) n++;
    return n;
}

/* Code points folded into one space: ASCII control white space, NEL, and the Unicode space,
 * line and paragraph separators (NFKC has already turned most spaces into U+0020). */
static bool is_space(utf8proc_int32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85) return true;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP;
}

char *ftz_utf8_fold(ftz_arena *a, const char *s)
{
    const utf8proc_option_t opts =
        UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;
    if (!s) return NULL;
    size_t n = strlen(s);
    if (!ftz_utf8_valid(s, n) || n > (size_t)PTRDIFF_MAX / 8) return NULL;

    /* Decompose into UTF-32 (a first guess at the size, then the exact size it reports), then
     * let utf8proc compose and re-encode in place, as utf8proc_map does, but in our memory. */
    const utf8proc_uint8_t *in = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t cap = (utf8proc_ssize_t)n + 16;
    utf8proc_int32_t *buf = ftz_malloc(((size_t)cap + 1) * sizeof(*buf));
    utf8proc_ssize_t got = utf8proc_decompose(in, (utf8proc_ssize_t)n, buf, cap, opts);
    if (got > cap) {
        cap = got;
        buf = ftz_realloc(buf, ((size_t)cap + 1) * sizeof(*buf));
        got = utf8proc_decompose(in, (utf8proc_ssize_t)n, buf, cap, opts);
    }
    if (got < 0 || got > cap) {
        ftz_free(buf);
        return NULL;
    }
    utf8proc_ssize_t bytes = utf8proc_reencode(buf, got, opts);
    if (bytes < 0) {
        ftz_free(buf);
        return NULL;
    }

    /* Trim and collapse white space into the arena copy. */
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)buf;
    char *out = ftz_arena_alloc(a, (size_t)bytes + 1);
    size_t o = 0;
    bool pending_space = false;
    utf8proc_ssize_t i = 0;
    while (i < bytes) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t k = utf8proc_iterate(p + i, bytes - i, &cp);
        if (k <= 0) { /* cannot happen: utf8proc wrote it */
            ftz_free(buf);
            return NULL;
        }
        if (is_space(cp)) {
            pending_space = o > 0;
        } else {
            if (pending_space) out[o++] = ' ';
            pending_space = false;
            memcpy(out + o, p + i, (size_t)k);
            o += (size_t)k;
        }
        i += k;
    }
    out[o] = '\0';
    ftz_free(buf);
    return out;
}

char *ftz_like_escape(ftz_arena *a, const char *s)
{
    size_t n = 0;
    for (const char *p = s; *p; p++)
        n += (*p == '\\' || *p == '%' || *p == '_') ? 2 : 1;
    char *out = ftz_arena_alloc(a, n + 1);
    char *o = out;
    for (const char *p = s; *p; p++) {
        if (*p == '\\' || *p == '%' || *p == '_') *o++ = '\\';
        *o++ = *p;
    }
    *o = '\0';
    return out;
}
