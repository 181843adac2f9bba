/* routes.h — the case engine's HTTP handlers, bound to a kind by the module that declares it
 * (e.g. src/firm/demand.c): list (and export), file, get, fire an event, figures, the kind's
 * table. Each ends with exactly one reply. */
#ifndef FTZ_CASE_ROUTES_H
#define FTZ_CASE_ROUTES_H

#include "core/ftz_setup.h"
#include "case/case.h"

void case_h_list(ftz_ctx *c, const case_kind *k);
/* base: the collection's path, for the Location of the created case. */
void case_h_file(ftz_ctx *c, const case_kind *k, const char *base);
void case_h_get(ftz_ctx *c, const case_kind *k);
void case_h_event(ftz_ctx *c, const case_kind *k);
void case_h_figures(ftz_ctx *c, const case_kind *k);
void case_h_kind(ftz_ctx *c, const case_kind *k);
/* The case library (case_library): ?q=&root_cause=&page=&per_page=, also .xlsx/.csv. */
void case_h_library(ftz_ctx *c, const case_kind *k);

#endif
