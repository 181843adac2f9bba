/* internal.h — what the two halves of `ftz demo` share inside src/demo: the base data
 * (demo.c: departments, accounts, the five firms the zone's report names) and the history
 * (history.c: about 400 firms and close to 1,000 demands of January–April 2024). Not for
 * other modules: they see only demo.h. */
#ifndef FTZ_DEMO_INTERNAL_H
#define FTZ_DEMO_INTERNAL_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

/* How many firms the base data names (the zone's report). */
#define DEMO_NBASE_FIRMS 5

/* A valid unified social credit code of a Heihe company from an 8-character organisation
 * code (digits and upper-case letters of the credit-code alphabet): 9 1 231100 + the
 * organisation code and its GB 11714 check + the GB 32100 check. */
void demo_credit_code(const char *org8, char out[19]);

/* Whether org8 is the organisation code of one of the base firms (generated firms avoid
 * them). */
bool demo_base_org8(const char *org8);

/* The ids of the base firms in the report's order (ids[DEMO_NBASE_FIRMS]). */
ftz_rc demo_base_firm_ids(ftz_ctx *c, int64_t *ids) FTZ_WUR;

/* Creates the demo departments that are missing (existing codes are left as they are). */
ftz_rc demo_depts_ensure(ftz_ctx *c) FTZ_WUR;

/* Creates the demo accounts that are missing: the base ones, and with full also the staff
 * of the lead departments and the further commissioners the history needs. */
ftz_rc demo_users_ensure(ftz_ctx *c, bool full) FTZ_WUR;

/* Writes the history through the services (history.c); the base data must exist. Prints
 * one summary line. */
ftz_rc demo_history_run(ftz_ctx *c) FTZ_WUR;

/* The history at the can't-get-it-done window (window_hist.c): 231 firms advised, 117
 * problems solved, January–April 2024, through the case services. Called by
 * demo_history_run; the accounts and firms of the history must exist. */
ftz_rc demo_window_history_run(ftz_ctx *c) FTZ_WUR;

/* The commissioners (35, the firms shared out), leader visits and salons whose issues became
 * demands, and financing (two foreign-trade firms, 11,000,000 yuan) of January–April 2024
 * (outreach_hist.c). Called by demo_history_run after the demands and the window. */
ftz_rc demo_outreach_history_run(ftz_ctx *c) FTZ_WUR;

#endif
