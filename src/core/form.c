/* form.c — the application/x-www-form-urlencoded parser (form.h): split on '&', decode '+'
 * and %XX, check UTF-8 and the limits. */
#include "core/ftz_setup.h"
#include "core/form.h"
#include "core/utf8.h"

#include <string.h>

#define DEF_FIELDS 256
#define DEF_NAME   256
#define DEF_VALUE  65536
#define KEY_MAX    255

static int hexval(unsigned char ch)
{
    if (ch >= '0' && ch <= '9') return ch - '0';
    if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
    return -1;
}

/* Decodes the n bytes at p into a new arena string; the decoded length is at most n, so
 * the cap is checked on the result. Returns NULL and sets *why on a bad escape, bad UTF-8
 * or a decoded length over max. */
static char *decode(ftz_arena *a, const unsigned char *p, size_t n, size_t max, const char *big,
                    const char **why, ftz_rc *rc)
{
    char *out = ftz_arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = p[i];
        if (ch == '+') {
            out[k++] = ' ';
        } else if (ch == '%') {
            /* two hex digits must follow */
            if (n - i < 3 || hexval(p[i + 1]) < 0 || hexval(p[i + 2]) < 0) {
                *why = "percent";
                *rc = FTZ_EPARSE;
                return NULL;
            }
            out[k++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
            i += 2;
        } else {
            out[k++] = (char)ch;
        }
    }
    out[k] = '\0';
    if (k > max) {
        *why = big;
        *rc = FTZ_ETOOBIG;
        return NULL;
    }
    if (!ftz_utf8_valid(out, k)) {
        *why = "utf8";
        *rc = FTZ_EPARSE;
        return NULL;
    }
    return out;
}

ftz_rc ftz_form_parse(ftz_arena *a, const unsigned char *body, size_t len,
                      const ftz_form_limits *lim, ftz_form *out, const char **why, size_t *at)
{
    size_t max_fields = lim && lim->max_fields ? lim->max_fields : DEF_FIELDS;
    size_t max_name = lim && lim->max_name ? lim->max_name : DEF_NAME;
    size_t max_value = lim && lim->max_value ? lim->max_value : DEF_VALUE;
    out->fields = NULL;
    out->n = 0;
    *why = NULL;
    if (at) *at = 0;
    /* Count the non-empty pairs first: one allocation of the right size. */
    size_t pairs = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && body[j] != '&')
            j++;
        if (j > i) pairs++;
        i = j + 1;
    }
    if (pairs > max_fields) {
        *why = "fields";
        if (at) *at = max_fields;
        return FTZ_ETOOBIG;
    }
    ftz_form_field *f = ftz_arena_alloc(a, (pairs ? pairs : 1) * sizeof *f);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && body[j] != '&')
            j++;
        if (j > i) {
            const unsigned char *p = body + i;
            size_t plen = j - i;
            const unsigned char *eq = memchr(p, '=', plen);
            size_t nlen = eq ? (size_t)(eq - p) : plen;
            ftz_rc rc = FTZ_OK;
            const char *name = decode(a, p, nlen, max_name, "name", why, &rc);
            const char *value = "";
            if (name && eq)
                value = decode(a, eq + 1, plen - nlen - 1, max_value, "value", why, &rc);
            if (!name || !value) {
                if (at) *at = n;
                return rc;
            }
            f[n].name = name;
            f[n].value = value;
            n++;
        }
        i = j + 1;
    }
    out->fields = f;
    out->n = n;
    return FTZ_OK;
}

const char *ftz_form_get(const ftz_form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0) return f->fields[i].value;
    return NULL;
}

size_t ftz_form_count(const ftz_form *f, const char *name)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0) k++;
    return k;
}

bool ftz_form_bracket(ftz_arena *a, const char *name, const char *base, const char **key,
                      bool *list)
{
    size_t bl = strlen(base);
    if (strncmp(name, base, bl) != 0 || name[bl] != '[') return false;
    const char *k = name + bl + 1;
    const char *close = strchr(k, ']');
    if (!close) return false;
    size_t kl = (size_t)(close - k);
    if (kl == 0 || kl > KEY_MAX || memchr(k, '[', kl)) return false;
    const char *rest = close + 1;
    bool is_list;
    if (*rest == '\0')
        is_list = false;
    else if (strcmp(rest, "[]") == 0)
        is_list = true;
    else
        return false;
    *key = ftz_arena_strndup(a, k, kl);
    *list = is_list;
    return true;
}
