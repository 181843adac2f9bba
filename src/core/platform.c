/* platform.c — loading the process-wide reference data (see platform.h). */
#include "core/ftz_setup.h"
#include "core/platform.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/log.h"

#include <stdio.h>

static ftz_cal *cal;
static ftz_dicts *dicts;

static void describe(const ftz_err *e, const char *what, char *errbuf, size_t errlen)
{
    if (e->nfields)
        snprintf(errbuf, errlen, "%s: %s: %s %s", what, e->fields[0].field, e->fields[0].code,
                 e->fields[0].param ? e->fields[0].param : "");
    else
        snprintf(errbuf, errlen, "%s: %s %s", what, e->code ? e->code : ftz_rc_name(e->rc),
                 e->param ? e->param : "");
}

ftz_rc ftz_platform_init(char *errbuf, size_t errlen)
{
    if (cal && dicts) return FTZ_OK;
    ftz_arena *a = ftz_arena_new();
    ftz_err e;
    ftz_err_init(&e, a);
    ftz_rc rc = ftz_cal_load_embedded(&cal, &e);
    if (rc) {
        describe(&e, "calendar", errbuf, errlen);
        goto out;
    }
    ftz_err_init(&e, a);
    rc = ftz_dict_load_embedded(&dicts, &e);
    if (rc) describe(&e, "dictionaries", errbuf, errlen);
out:
    ftz_arena_free(a);
    return rc;
}

void ftz_platform_cleanup(void)
{
    if (cal) ftz_cal_free(cal);
    if (dicts) ftz_dicts_free(dicts);
    cal = NULL;
    dicts = NULL;
}

const ftz_cal *ftz_platform_cal(void)
{
    return cal;
}

const ftz_dicts *ftz_platform_dicts(void)
{
    return dicts;
}

void ftz_platform_startup_checks(ftz_db *db)
{
    (void)db;
    if (!cal) return;
    ftz_date today = ftz_date_today_shanghai();
    ftz_date last = ftz_cal_last(cal);
    if (last - today < 90) {
        char d[11];
        ftz_date_format(last, d);
        ftz_log_warn("the working-day calendar ends on %s (within 90 days): add the next "
                     "year's data/calendar/YYYY.csv from the State Council notice",
                     d);
    }
}
