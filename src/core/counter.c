/* counter.c — per-name, per-period sequences (see counter.h). */
#include "core/ftz_setup.h"
#include "core/counter.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"

#include <string.h>

ftz_rc ftz_counter_next(ftz_ctx *c, const char *name, const char *period, int64_t *out)
{
    *out = 0;
    if (!name || !*name || strlen(name) > FTZ_COUNTER_NAME_MAX || !period ||
        strlen(period) > FTZ_COUNTER_NAME_MAX) {
        ftz_log_error("counter: bad name or period");
        return FTZ_EINTERNAL;
    }
    if (!ftz_db_in_txn(c->db)) {
        ftz_log_error("counter %s: taken outside a transaction", name);
        return FTZ_EINTERNAL;
    }
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "INSERT INTO counters (name, period, value) VALUES (?, ?, 1) "
                               "ON CONFLICT (name, period) DO UPDATE SET "
                               "value = counters.value + 1 RETURNING value",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, name);
    ftz_stmt_bind_text(st, period);
    int r = ftz_stmt_next(st);
    if (r == 1)
        *out = ftz_stmt_int(st, 0);
    else
        rc = r < 0 && ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    ftz_stmt_done(st);
    return rc;
}

char *ftz_counter_code(ftz_arena *a, const char *prefix, const char *period, int64_t n)
{
    if (period && *period)
        return ftz_arena_printf(a, "%s-%s-%06lld", prefix ? prefix : "", period, (long long)n);
    return ftz_arena_printf(a, "%s-%06lld", prefix ? prefix : "", (long long)n);
}
