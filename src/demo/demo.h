/* demo.h — `ftz demo`: fills a database with demonstration data through the same services
 * the API uses (never raw SQL), so demo data obeys every rule real data does. Each module
 * adds its part here as it is built. */
#ifndef FTZ_DEMO_H
#define FTZ_DEMO_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

/* The password of every demo account (documented in the README). */
#define FTZ_DEMO_PASSWORD "ftz-demo-2026"

/* Idempotent. The base data (departments, accounts, the five firms the zone's report names)
 * is written unless the demo departments exist; then, unless minimal, the history of
 * January–April 2024 (about 400 firms, close to 1,000 demands through the case services)
 * unless the database holds demands already. *created tells whether anything was written.
 * The history lowers this connection's durability while it runs (a bulk generator). */
ftz_rc ftz_demo_run(ftz_ctx *c, bool minimal, bool *created) FTZ_WUR;
/* Prints the demo log-ins. */
void ftz_demo_print_logins(void);

#endif
