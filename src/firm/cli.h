/* cli.h — the firm module's subcommands (`ftz firm …`), called by main.c. */
#ifndef FTZ_FIRM_CLI_H
#define FTZ_FIRM_CLI_H

#include "core/ftz_setup.h"

/* `ftz firm check CODE…`: validates unified social credit codes and prints their parts.
 * Exit 0 when all are valid, 65 when any is not (saying which check failed), 2 on usage. */
int firm_cli_check(int argc, char **argv, bool json);

#endif
