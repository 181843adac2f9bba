/* money.c — money, weights and counts in integer units and in report wording (see money.h).
 * Everything works on the unsigned magnitude so that INT64_MIN needs no special case, and
 * rounds with a remainder test so no intermediate can overflow. */
#include "core/ftz_setup.h"
#include "core/money.h"

#include <inttypes.h>
#include <string.h>

static const uint64_t pow10_tab[] = {1ULL,         10ULL,         100ULL,        1000ULL,
                                     10000ULL,     100000ULL,     1000000ULL,    10000000ULL,
                                     100000000ULL, 1000000000ULL, 10000000000ULL};

/* |v| without overflow for INT64_MIN. */
static uint64_t magnitude(int64_t v)
{
    return v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v;
}

/* mag / 10^(unit - decimals), rounded half-up: mag in units of 10^-decimals of the unit
 * 10^unit. decimals <= unit <= 10. */
static uint64_t round_to(uint64_t mag, int unit, int decimals)
{
    uint64_t div = pow10_tab[unit - decimals];
    uint64_t q = mag / div, r = mag % div;
    if (div > 1 && r >= div - r) q++; /* r >= div / 2, exactly, for odd div too */
    return q;
}

/* Renders q (a count of 10^-decimals units) with trailing fractional zeros trimmed, the sign
 * when q is not zero, and the suffix. */
static char *render(ftz_arena *a, bool neg, uint64_t q, int decimals, const char *suffix)
{
    uint64_t scale = pow10_tab[decimals];
    uint64_t ip = q / scale, fp = q % scale;
    while (decimals > 0 && fp % 10 == 0) {
        fp /= 10;
        decimals--;
    }
    const char *sign = (neg && q) ? "-" : "";
    if (decimals == 0) return ftz_arena_printf(a, "%s%" PRIu64 "%s", sign, ip, suffix);
    return ftz_arena_printf(a, "%s%" PRIu64 ".%0*" PRIu64 "%s", sign, ip, decimals, fp, suffix);
}

static int clamp_int(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Fen per unit, as powers of ten. */
#define FEN_YUAN 2  /* 1 元 = 10^2 fen */
#define FEN_WAN  6  /* 1 万元 = 10^6 fen */
#define FEN_YI   10 /* 1 亿元 = 10^10 fen */

char *ftz_money_words(ftz_arena *a, int64_t fen)
{
    uint64_t mag = magnitude(fen);
    bool neg = fen < 0;
    if (mag < pow10_tab[FEN_WAN]) return render(a, neg, mag, 2, "元");
    uint64_t wan = round_to(mag, FEN_WAN, 2);
    if (wan < 10000 * 100) return render(a, neg, wan, 2, "万元");
    return render(a, neg, round_to(mag, FEN_YI, 2), 2, "亿元");
}

char *ftz_money_wan(ftz_arena *a, int64_t fen, int decimals)
{
    decimals = clamp_int(decimals, 0, FEN_WAN);
    return render(a, fen < 0, round_to(magnitude(fen), FEN_WAN, decimals), decimals, "万元");
}

char *ftz_money_yi(ftz_arena *a, int64_t fen, int decimals)
{
    decimals = clamp_int(decimals, 0, FEN_YI);
    return render(a, fen < 0, round_to(magnitude(fen), FEN_YI, decimals), decimals, "亿元");
}

char *ftz_money_yuan(ftz_arena *a, int64_t fen)
{
    uint64_t mag = magnitude(fen);
    return ftz_arena_printf(a, "%s%" PRIu64 ".%02" PRIu64, fen < 0 ? "-" : "", mag / 100,
                            mag % 100);
}

ftz_rc ftz_money_parse(const char *s, int64_t *fen)
{
    if (!s) return FTZ_EPARSE;
    const char *p = s;
    bool neg = *p == '-';
    if (neg) p++;
    if (*p < '0' || *p > '9') return FTZ_EPARSE;
    if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') return FTZ_EPARSE;

    /* The largest magnitude: 2^63 fen when negative, 2^63 - 1 otherwise. */
    const uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    uint64_t yuan = 0;
    while (*p >= '0' && *p <= '9') {
        unsigned dgt = (unsigned)(*p++ - '0');
        if (yuan > (limit / 100 - dgt) / 10) return FTZ_EPARSE;
        yuan = yuan * 10 + dgt;
    }
    uint64_t cents = 0;
    if (*p == '.') {
        p++;
        int n = 0;
        while (p[n] >= '0' && p[n] <= '9')
            n++;
        if (n < 1 || n > 2) return FTZ_EPARSE;
        cents = (uint64_t)(p[0] - '0') * 10 + (n == 2 ? (uint64_t)(p[1] - '0') : 0);
        p += n;
    }
    if (*p != '\0') return FTZ_EPARSE;
    if (yuan * 100 > limit - cents) return FTZ_EPARSE;
    uint64_t mag = yuan * 100 + cents;
    *fen = neg ? (mag ? -(int64_t)(mag - 1) - 1 : 0) : (int64_t)mag;
    return FTZ_OK;
}

char *ftz_weight_words(ftz_arena *a, int64_t g)
{
    uint64_t mag = magnitude(g);
    bool neg = g < 0;
    if (mag < 1000) return render(a, neg, mag, 0, "克");
    uint64_t kg = round_to(mag, 3, 1);
    if (kg < 1000 * 10) return render(a, neg, kg, 1, "千克");
    return render(a, neg, round_to(mag, 6, 1), 1, "吨");
}

char *ftz_count_words(ftz_arena *a, int64_t n)
{
    uint64_t mag = magnitude(n);
    bool neg = n < 0;
    if (mag < 10000) return render(a, neg, mag, 0, "");
    uint64_t wan = round_to(mag, 4, 1);
    if (wan < 10000 * 10) return render(a, neg, wan, 1, "万");
    return render(a, neg, round_to(mag, 8, 1), 1, "亿");
}
