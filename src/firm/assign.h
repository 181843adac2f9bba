/* assign.h — choosing a chief service commissioner (首席服务专员) for a newly registered firm:
 * pure logic, no database (domain/firm.md: "assignment at registration balances load and
 * matches industry"; docs/internals/firm.md "Commissioner assignment").
 *
 * Industry codes are GB/T 4754-2017 codes: a section letter ("F") or digits — a division
 * ("51"), a group ("519") or a class ("5191"). A firm holds one code; a commissioner's
 * profile holds a list. A profile code P matches the firm's code C when
 *   - P is a section letter and C's section is P (C itself, or the section the industries
 *     dictionary names as the parent of C's first two digits): "F" matches "F", "51", "5191";
 *   - P is digits and C is digits starting with P: "51" matches "51", "519", "5191", not "52";
 *     "5191" matches only "5191".
 * A digit code never matches a section letter ("51" does not match "F": the firm may be in
 * another division of F). A firm without an industry matches nothing.
 *
 * The choice among the candidates (active commissioners with their load — the firms they look
 * after now) is lexicographic on
 *   1. under their cap first (max_firms 0 = no cap; load >= max_firms is full),
 *   2. a profile code matching the firm's industry first,
 *   3. the least load,
 *   4. the lowest user id (stable),
 * so an industry match never puts a firm on a full commissioner while another has room, and
 * a firm no profile matches goes to the least loaded of all. When every candidate is full the
 * same order picks among them (over_cap is set: the firm still gets a commissioner); with no
 * candidate at all nobody is chosen. */
#ifndef FTZ_FIRM_ASSIGN_H
#define FTZ_FIRM_ASSIGN_H

#include "core/ftz_setup.h"
#include "core/dict.h"

/* The longest industry code (a GB/T 4754 class has 4 digits; the registry caps at 8). */
#define FIRM_INDUSTRY_MAX 8
/* Codes a profile may list. */
#define FIRM_PROFILE_MAX_CODES 32

typedef struct firm_assign_cand {
    int64_t user_id;
    const char *industries; /* profile codes separated by spaces; "" or NULL = none */
    int64_t max_firms;      /* 0 = no cap */
    int64_t load;           /* firms looked after now */
} firm_assign_cand;

typedef struct firm_assign_pick {
    size_t index;                      /* into the candidates; SIZE_MAX = nobody */
    bool matched;                      /* the pick's profile matches the firm's industry */
    char match[FIRM_INDUSTRY_MAX + 1]; /* the profile code that matched, or "" */
    bool over_cap;                     /* every candidate was full */
    size_t candidates;                 /* how many there were */
    size_t matching;                   /* how many had room and a matching profile */
} firm_assign_pick;

/* The section letter of an industry code: the code itself for a section present in the
 * dictionary, else the parent of its first two digits (a division) when that parent is a
 * section; 0 when unknown. industries is the "industries" dictionary (may be NULL: then
 * only a bare letter has a section). */
char firm_industry_section(const ftz_dict *industries, const char *code);
/* Whether code may stand in a profile: a section letter of the dictionary, or 2 to 4 digits
 * whose first two are a division of the dictionary. */
bool firm_industry_code_valid(const ftz_dict *industries, const char *code);
/* Whether the profile code matches the firm's code, whose section is firm_section (0 =
 * unknown), by the rule at the top of this file. */
bool firm_industry_matches(const char *profile_code, const char *firm_code, char firm_section);
/* Whether any code of the space-separated list matches; the first that does is copied into
 * match (FIRM_INDUSTRY_MAX + 1 bytes; may be NULL). */
bool firm_industry_list_matches(const char *codes, const char *firm_code, char firm_section,
                                char *match);
/* Chooses among n candidates for a firm of industry firm_code (NULL = none) in section
 * firm_section, by the order at the top of this file; fills *out and returns out->index
 * (SIZE_MAX when n is 0). */
size_t firm_assign_choose(const firm_assign_cand *cands, size_t n, const char *firm_code,
                          char firm_section, firm_assign_pick *out);

#endif
