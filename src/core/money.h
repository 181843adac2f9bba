/* money.h — amounts of money (integer fen, 1 yuan = 100 fen), weights (integer grams) and
 * counts, and the wording Chinese reports put them in ("1446万元", "73.9亿元", "1507.9吨",
 * "9.3万").
 *
 * No floating point anywhere: every conversion is integer arithmetic, rounding is half-up on
 * the magnitude (half away from zero, so -0.005 万 is shown as "-0.01万元"), and INT64_MIN
 * is handled. Results that round to zero carry no sign ("0万元", never "-0万元"). The words
 * functions return strings in the arena. */
#ifndef FTZ_CORE_MONEY_H
#define FTZ_CORE_MONEY_H

#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/err.h"

/* The wording of reports, the unit chosen by size:
 *   below 1万元        yuan, exact, trailing zeros trimmed: "8500元", "12.5元", "0.05元";
 *   1万元 to 1亿元     万元, at most 2 decimals, half-up, trimmed: "1446万元", "340.4万元";
 *   from 1亿元         亿元, at most 2 decimals, half-up, trimmed: "73.9亿元", "13亿元".
 * The unit is chosen after rounding, so 99,999,999.99 yuan reads "1亿元", not "10000万元".
 * Negative amounts get a leading "-". */
char *ftz_money_words(ftz_arena *a, int64_t fen);
/* fen in 万元 whatever its size, at most `decimals` decimals (clamped to 0..6), half-up,
 * trailing zeros trimmed: 2.28亿元 with 0 decimals is "22800万元". */
char *ftz_money_wan(ftz_arena *a, int64_t fen, int decimals);
/* fen in 亿元, at most `decimals` decimals (clamped to 0..10), half-up, trimmed. */
char *ftz_money_yi(ftz_arena *a, int64_t fen, int decimals);
/* Yuan with exactly two decimals and no grouping, for tables and exports: "14460000.00",
 * "-5.00", "0.07". */
char *ftz_money_yuan(ftz_arena *a, int64_t fen);
/* Strict yuan text to fen: an optional "-", digits without superfluous leading zeros
 * ("0.5" yes, "05" no), then optionally "." and one or two digits: "123", "123.4", "123.45",
 * "-5.00". Rejected with FTZ_EPARSE (and *fen untouched): anything else — "1.234", "1e3",
 * "", " 1", "1,000", "+1", "1.", ".5" — and amounts outside int64 fen. */
ftz_rc ftz_money_parse(const char *s, int64_t *fen) FTZ_WUR;

/* Weights in report wording: from 1 t "1507.9吨", from 1 kg "12.5千克" (both at most one
 * decimal, half-up, trimmed, the unit chosen after rounding), below "850克". */
char *ftz_weight_words(ftz_arena *a, int64_t g);
/* Counts in report wording: from 1万 "9.3万" (one decimal, half-up, trimmed: 76,379 is
 * "7.6万"), from 1亿 "1.2亿" likewise, below 1万 the plain number "9999". */
char *ftz_count_words(ftz_arena *a, int64_t n);

#endif
