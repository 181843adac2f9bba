/* window.h — the "can't-get-it-done" window (办不成事窗口), a kind of the case engine. */
#ifndef FTZ_FIRM_WINDOW_H
#define FTZ_FIRM_WINDOW_H

#include "core/ftz_setup.h"
#include "case/case.h"

extern const case_kind window_kind;

/* Registers the hourly reminder/escalation sweep of window cases ("window.sweep"). */
void window_init(void);

#endif
