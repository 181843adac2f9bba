/* demand.h — enterprise demands (企业诉求), the first kind of the case engine (case.h). */
#ifndef FTZ_FIRM_DEMAND_H
#define FTZ_FIRM_DEMAND_H

#include "core/ftz_setup.h"
#include "case/case.h"

extern const case_kind demand_kind;

/* Registers the hourly reminder/escalation sweep (job kind "demand.sweep"). Call at start-up
 * before the job runner starts. */
void demand_init(void);

#endif
