/* demo.h — `ftz demo`: fills a database with demonstration data through the same services
 * the API uses (never raw SQL), so demo data obeys every rule real data does. Each module
 * adds its part here as it is built. */
#ifndef FTZ_DEMO_H
#define FTZ_DEMO_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

/* The password of every demo account (documented in the README). */
#define FTZ_DEMO_PASSWORD "ftz-demo-2026"

/* Idempotent: a database that already has the demo departments is left as it is. */
ftz_rc ftz_demo_run(ftz_ctx *c, bool *created) FTZ_WUR;
/* Prints the demo log-ins. */
void ftz_demo_print_logins(void);

#endif
