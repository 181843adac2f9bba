/* uscc.h — the unified social credit code (统一社会信用代码, GB 32100-2015) and the
 * organisation code inside it (组织机构代码, GB 11714-1997).
 *
 * A USCC is 18 characters from 0123456789ABCDEFGHJKLMNPQRTUWXY (no I, O, S, V, Z):
 * registration authority (1), firm type (1), administrative division (6), organisation code
 * (9: 8 characters and its own GB 11714 check character), and a mod-31 check character over
 * the first 17 (domain/firm.md). Both checks are enforced: every real code passes both, and a
 * code that passes only the outer one was made up. Upper case only — callers that accept
 * input from people upper-case it first if they choose to; stored codes are canonical. */
#ifndef FTZ_FIRM_USCC_H
#define FTZ_FIRM_USCC_H

#include "core/ftz_setup.h"

/* Whether code is a valid USCC. On false, *why (when why is not NULL) is a stable rule code:
 *   "length"          not exactly 18 characters (or code is NULL)
 *   "charset"         a character outside the 31-character set (lower case included)
 *   "check_digit"     the 18th character is not the GB 32100 check of the first 17
 *   "org_check_digit" the 17th character is not the GB 11714 check of characters 9–16
 * checked in that order. On true, *why is set to NULL. */
bool firm_uscc_valid(const char *code, const char **why);

/* The GB 32100 check character of the 17 characters at first17, or '\0' when they are not 17
 * characters of the set (for making valid demonstration codes). */
char firm_uscc_check_char(const char *first17);

/* Whether code is a valid 9-character organisation code: 8 digits or upper-case letters and
 * the GB 11714 check character (a digit or 'X'). */
bool firm_orgcode_valid(const char *code);

/* The GB 11714 check character of the 8 characters at first8 (weights 3 7 9 10 5 8 4 2,
 * digits worth 0–9 and letters A–Z worth 10–35, C = 11 − Σ mod 11, 10 → 'X', 11 → '0'), or
 * '\0' when they are not 8 digits or upper-case letters. */
char firm_orgcode_check_char(const char *first8);

/* The parts of a credit code, with their names from GB 32100-2015's tables (Chinese). */
typedef struct firm_uscc_parts {
    char authority;             /* registration authority code: '9' market regulator, … */
    const char *authority_name; /* "工商" …, or NULL when the code is not in the table */
    char type;                  /* firm type within the authority */
    char type_name[96];         /* "企业" …, or "" when not in the table */
    char region[7];             /* administrative division code, 6 digits */
    const char *province;       /* "黑龙江省" … from its first two digits, or NULL */
    char org_code[10];          /* the organisation code, 9 characters */
} firm_uscc_parts;

/* Splits an 18-character code into its parts (no checks: call firm_uscc_valid first);
 * false when code is not 18 characters. */
bool firm_uscc_split(const char *code, firm_uscc_parts *out);

#endif
