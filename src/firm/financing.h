/* financing.h — financing matchmaking (融资对接): a firm's need (amount, purpose, term), the
 * banks' products, the matches between the two and their outcome (amount granted, date), and
 * the figure the zone reports: financing arranged (the report: two foreign-trade firms,
 * 1100万元).
 *
 * Money is integer fen everywhere (JSON integers; the *_words members carry the report's
 * wording, core/money.h). A match moves by one table (financing.c, docs/internals/firm.md
 * "Financing"):
 *
 *     proposed → applied → granted
 *         │          └────→ declined
 *         └───────────────→ declined
 *
 * granted and declined are final. The need's status follows its matches — open (none alive),
 * matched (one proposed or applied), granted (one granted) — until someone closes it; a
 * closed need takes no match changes until it is reopened.
 *
 * Scopes (in SQL): needs and matches are the firm's records — scope all sees every one,
 * otherwise the needs of firms within the caller's firm scope (auth_scope_where: department
 * tree, the commissioner's firms, a firm account's own firm). Bank products are reference
 * data every reader of financing sees. Services stamp times with case_now(c) and take the
 * business dates (raised_on, granted_on) as input, so a demo generator can write history. */
#ifndef FTZ_FIRM_FINANCING_H
#define FTZ_FIRM_FINANCING_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

#define FINANCING_AMOUNT_MAX INT64_C(1000000000000) /* 100亿元 in fen: the cap of any amount */
#define FINANCING_TERM_MAX   600                    /* months */
#define FINANCING_RATE_MAX   10000                  /* basis points: 100 % a year */

/* ---- the rules (pure, unit-tested in tests/unit/test_financing.c) ---- */

/* Whether s is one of the match statuses (proposed, applied, granted, declined). */
bool financing_match_status_known(const char *s);
/* Whether the table lets a match go from `from` to `to` (staying is no step: false). */
bool financing_match_step(const char *from, const char *to);
/* The statuses a match in `from` may go to, in table order, at most cap of them into out;
 * returns how many. */
size_t financing_match_next(const char *from, const char **out, size_t cap);
/* The need's status given its current one and how many of its matches are alive (proposed
 * or applied) and granted: closed stays closed; any granted → granted; any alive → matched;
 * else open. */
const char *financing_need_status(const char *current, int64_t alive, int64_t granted);
/* The most one match may grant: the product's maximum and what is left of the need after
 * what its other matches granted, whichever is less (never below 0). */
int64_t financing_grant_cap(int64_t product_max, int64_t need_amount, int64_t granted_other);
/* The status's name in lang (zh, ru, en) for exports; the code itself when unknown. */
const char *financing_status_name(const char *status, const char *lang);

/* ---- bank products (permission financing.admin to change) ---- */

typedef struct financing_product_in {
    const char *bank, *name; /* required, ≤ 100 / 200 characters; (bank, name) unique */
    int64_t max_amount_fen;  /* required, 1..FINANCING_AMOUNT_MAX */
    int64_t rate_bp;         /* 0..FINANCING_RATE_MAX, or -1 unset */
    int64_t term_months;     /* 1..FINANCING_TERM_MAX, or 0 unset */
    const char *notes;       /* ≤ 2000 characters */
    int active;              /* 1, 0, or -1 unset (create: 1) */
} financing_product_in;

ftz_rc financing_product_create(ftz_ctx *c, const financing_product_in *in, int64_t *id) FTZ_WUR;
ftz_rc financing_product_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
/* Partial update of bank, name, max_amount_fen, rate_bp, term_months, notes, active (null
 * clears rate_bp, term_months, notes); version must match. */
ftz_rc financing_product_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;

typedef struct financing_product_q {
    const char *q;        /* bank or name */
    int active;           /* 1, 0, -1 any */
    const char *sort_key; /* id, bank, name, max_amount_fen, rate_bp */
    bool desc;
    int64_t limit, offset;
} financing_product_q;

ftz_rc financing_product_list(ftz_ctx *c, const financing_product_q *q, json_t **items,
                              int64_t *total) FTZ_WUR;

/* ---- needs ---- */

typedef struct financing_need_in {
    int64_t firm_id;       /* within the caller's scope; 0: a firm account's own firm */
    int64_t amount_fen;    /* 1..FINANCING_AMOUNT_MAX */
    const char *purpose;   /* required, ≤ 500 characters */
    int64_t term_months;   /* 1..FINANCING_TERM_MAX */
    const char *raised_on; /* YYYY-MM-DD not after today; NULL: today (Beijing) */
    const char *notes;     /* ≤ 2000 characters */
} financing_need_in;

ftz_rc financing_need_create(ftz_ctx *c, const financing_need_in *in, int64_t *id) FTZ_WUR;
/* The need with its "matches"; FTZ_ENOTFOUND outside the caller's scope. */
ftz_rc financing_need_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
/* Partial update of amount_fen (not below what its matches granted), purpose, term_months,
 * raised_on (not after a grant), notes and status ("closed" closes it; "open" reopens a
 * closed need, whose status then follows its matches again); version must match. */
ftz_rc financing_need_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;

typedef struct financing_need_q {
    const char *q; /* the firm's folded names, the purpose */
    int64_t firm_id;
    const char *status;    /* a status, or "active" (open or matched) */
    const char *from, *to; /* raised_on, inclusive */
    const char *sort_key;  /* id, raised_on, amount_fen, firm, status, granted_fen */
    bool desc;
    int64_t limit, offset;
} financing_need_q;

ftz_rc financing_need_list(ftz_ctx *c, const financing_need_q *q, json_t **items,
                           int64_t *total) FTZ_WUR;

/* ---- matches (permission financing.match) ---- */

/* Proposes product_id (an active product, once per need) for the need: a match in status
 * proposed; the need becomes matched. FTZ_ECONFLICT "need_closed" for a closed need, a
 * duplicate product (field product_id) likewise 409. */
ftz_rc financing_match_create(ftz_ctx *c, int64_t need_id, int64_t product_id, const char *note,
                              int64_t *id) FTZ_WUR;
ftz_rc financing_match_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;

typedef struct financing_match_change {
    const char *status;         /* NULL: unchanged */
    bool has_amount;            /* amount_granted_fen given */
    int64_t amount_granted_fen; /* granted only: 1..financing_grant_cap */
    const char *granted_on;     /* granted only: YYYY-MM-DD, from the need's raised_on to today */
    bool has_note;
    const char *note; /* NULL with has_note clears it */
} financing_match_change;

/* Applies a change in one transaction with the need's status and both audit rows: a step the
 * table lacks is FTZ_ECONFLICT ("match_transition", param "from → to"); a granted match
 * needs an amount and a date (required, range, format, in_future; amount or date on a match
 * that is not granted: "granted_only"); version must match (FTZ_ESTALE, also when the need
 * changed meanwhile). */
ftz_rc financing_match_update(ftz_ctx *c, int64_t id, int64_t version,
                              const financing_match_change *ch) FTZ_WUR;

typedef struct financing_match_q {
    int64_t need_id, firm_id, product_id;
    const char *status;
    const char *from, *to; /* granted_on, inclusive */
    const char *sort_key;  /* id, status, granted_on, amount_granted_fen, bank, created_at */
    bool desc;
    int64_t limit, offset;
} financing_match_q;

ftz_rc financing_match_list(ftz_ctx *c, const financing_match_q *q, json_t **items,
                            int64_t *total) FTZ_WUR;

/* ---- the figure ---- */

/* Financing arranged within the caller's scope: the matches granted in [from, to] (granted_on;
 * either may be NULL) — granted_fen with granted_words ("1100万元"), matches_granted,
 * firms_financed (distinct firms), and by_bank / by_month rows {key, label, granted_fen,
 * granted_words, matches, firms}; the needs raised in the period: needs_total, needs_open
 * (open or matched) and needs_open_fen with its words. */
ftz_rc financing_figures(ftz_ctx *c, const char *from, const char *to, json_t **out) FTZ_WUR;

#endif
