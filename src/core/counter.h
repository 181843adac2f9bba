/* counter.h — per-name, per-period sequences for human record numbers (DESIGN.md §5):
 * the demand module takes ("SQ", "2024") → 123 and shows "SQ-2024-000123" beside the id.
 *
 * A number is taken inside the caller's write transaction with one upsert, so it is
 * allocated exactly when the record that carries it is committed: a rolled-back creation
 * gives its number back, and two writers never get the same one (SQLite serialises writers
 * with BEGIN IMMEDIATE; on PostgreSQL the upsert takes the row lock, so the second writer
 * waits and sees the first one's value). Numbers start at 1 in every new period. */
#ifndef FTZ_CORE_COUNTER_H
#define FTZ_CORE_COUNTER_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

/* Longest name and period accepted (both are chosen by code, never by a client). */
#define FTZ_COUNTER_NAME_MAX 64

/* The next value of the sequence (name, period), 1 for the first. Must run inside the
 * caller's transaction (FTZ_EINTERNAL otherwise, as for an empty or over-long name or
 * period: the caller's bug). period is free text such as "2024" or "2024-05"; "" for a
 * sequence that never restarts. */
ftz_rc ftz_counter_next(ftz_ctx *c, const char *name, const char *period, int64_t *out) FTZ_WUR;

/* "PREFIX-PERIOD-NNNNNN" (at least six digits, zero-padded; more when n needs them), or
 * "PREFIX-NNNNNN" when period is NULL or empty. In the arena. */
char *ftz_counter_code(ftz_arena *a, const char *prefix, const char *period, int64_t n);

#endif
