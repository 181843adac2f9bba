/* uscc.c — check characters of the unified social credit code (GB 32100-2015) and of the
 * organisation code (GB 11714-1997), see uscc.h. Pure functions, no allocation. */
#include "core/ftz_setup.h"
#include "firm/uscc.h"

#include <string.h>

static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/* The value (0..30) of c in the USCC alphabet, or -1. */
static int uscc_value(char c)
{
    if (c == '\0') return -1;
    const char *p = strchr(uscc_alphabet, c);
    return p ? (int)(p - uscc_alphabet) : -1;
}

/* The value (0..35) of an organisation-code body character, or -1. */
static int org_value(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return -1;
}

char firm_uscc_check_char(const char *first17)
{
    /* 3^i mod 31 for i = 0..16 (domain/firm.md). */
    static const int w[17] = {1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28};
    if (!first17) return '\0';
    int sum = 0;
    for (int i = 0; i < 17; i++) {
        int v = uscc_value(first17[i]);
        if (v < 0) return '\0';
        sum += v * w[i];
    }
    int c = 31 - sum % 31;
    return uscc_alphabet[c == 31 ? 0 : c];
}

char firm_orgcode_check_char(const char *first8)
{
    static const int w[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    if (!first8) return '\0';
    int sum = 0;
    for (int i = 0; i < 8; i++) {
        int v = org_value(first8[i]);
        if (v < 0) return '\0';
        sum += v * w[i];
    }
    int c = 11 - sum % 11;
    if (c == 10) return 'X';
    if (c == 11) return '0';
    return (char)('0' + c);
}

bool firm_orgcode_valid(const char *code)
{
    if (!code || strnlen(code, 10) != 9) return false;
    char c = firm_orgcode_check_char(code);
    return c != '\0' && c == code[8];
}

bool firm_uscc_valid(const char *code, const char **why)
{
    const char *rule = NULL;
    if (!code || strnlen(code, 19) != 18) {
        rule = "length";
    } else {
        for (int i = 0; i < 18 && !rule; i++)
            if (uscc_value(code[i]) < 0) rule = "charset";
        if (!rule && firm_uscc_check_char(code) != code[17]) rule = "check_digit";
        if (!rule && firm_orgcode_check_char(code + 8) != code[16]) rule = "org_check_digit";
    }
    if (why) *why = rule;
    return rule == NULL;
}
