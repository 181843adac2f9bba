/* assign.c — the commissioner assignment rule (see assign.h): industry codes matched by
 * GB/T 4754 prefix or section, and the choice by cap, match, load and id. Pure; the store
 * (commissioner.c) loads the candidates and records the outcome. */
#include "core/ftz_setup.h"
#include "firm/assign.h"

#include <string.h>

static bool is_digits(const char *s, size_t n)
{
    if (n == 0) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

static bool is_section(const char *s)
{
    return s && s[0] >= 'A' && s[0] <= 'Z' && s[1] == '\0';
}

char firm_industry_section(const ftz_dict *industries, const char *code)
{
    if (!code) return 0;
    if (is_section(code)) {
        if (industries && !ftz_dict_lookup(industries, code)) return 0;
        return code[0];
    }
    size_t n = strlen(code);
    if (n < 2 || n > FIRM_INDUSTRY_MAX || !is_digits(code, n) || !industries) return 0;
    char div[3] = {code[0], code[1], '\0'};
    const ftz_dict_entry *e = ftz_dict_lookup(industries, div);
    const char *parent = e ? ftz_dict_entry_parent(e) : NULL;
    return is_section(parent) ? parent[0] : 0;
}

bool firm_industry_code_valid(const ftz_dict *industries, const char *code)
{
    if (!code || !industries) return false;
    if (is_section(code)) return ftz_dict_lookup(industries, code) != NULL;
    size_t n = strlen(code);
    if (n < 2 || n > 4 || !is_digits(code, n)) return false;
    return firm_industry_section(industries, code) != 0;
}

bool firm_industry_matches(const char *p, const char *firm_code, char firm_section)
{
    if (!p || !*p || !firm_code || !*firm_code) return false;
    if (is_section(p)) return firm_section != 0 && p[0] == firm_section;
    size_t pn = strlen(p), fn = strlen(firm_code);
    if (!is_digits(p, pn) || !is_digits(firm_code, fn)) return false;
    return pn <= fn && memcmp(p, firm_code, pn) == 0;
}

bool firm_industry_list_matches(const char *codes, const char *firm_code, char firm_section,
                                char *match)
{
    if (match) match[0] = '\0';
    if (!codes || !firm_code || !*firm_code) return false;
    const char *p = codes;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        size_t n = (size_t)(e - p);
        if (n > 0 && n <= FIRM_INDUSTRY_MAX) {
            char code[FIRM_INDUSTRY_MAX + 1];
            memcpy(code, p, n);
            code[n] = '\0';
            if (firm_industry_matches(code, firm_code, firm_section)) {
                if (match) memcpy(match, code, n + 1);
                return true;
            }
        }
        p = e;
    }
    return false;
}

static bool full(const firm_assign_cand *c)
{
    return c->max_firms > 0 && c->load >= c->max_firms;
}

size_t firm_assign_choose(const firm_assign_cand *cands, size_t n, const char *firm_code,
                          char firm_section, firm_assign_pick *out)
{
    memset(out, 0, sizeof *out);
    out->index = SIZE_MAX;
    out->candidates = n;
    size_t best = SIZE_MAX;
    bool best_full = true, best_match = false;
    char best_code[FIRM_INDUSTRY_MAX + 1] = "";
    for (size_t i = 0; i < n; i++) {
        const firm_assign_cand *c = &cands[i];
        char code[FIRM_INDUSTRY_MAX + 1];
        bool f = full(c);
        bool m = firm_industry_list_matches(c->industries, firm_code, firm_section, code);
        if (!f && m) out->matching++;
        bool better;
        if (best == SIZE_MAX)
            better = true;
        else if (f != best_full)
            better = !f;
        else if (m != best_match)
            better = m;
        else if (c->load != cands[best].load)
            better = c->load < cands[best].load;
        else
            better = c->user_id < cands[best].user_id;
        if (better) {
            best = i;
            best_full = f;
            best_match = m;
            memcpy(best_code, code, sizeof best_code);
        }
    }
    if (best == SIZE_MAX) return SIZE_MAX;
    out->index = best;
    out->matched = best_match;
    memcpy(out->match, best_code, sizeof out->match);
    out->over_cap = best_full;
    return best;
}
