/* scope.c — the one helper that turns a principal's data scope into SQL (DESIGN.md §7).
 * Scoping happens in the query's WHERE clause, never by filtering results in C. */
#include "core/ftz_setup.h"
#include "auth/auth.h"
#include "core/arena.h"

void auth_scope_where(const ftz_ctx *c, ftz_q *q, const auth_scope_cols *cols)
{
    const ftz_principal *p = c->who;
    if (!p) {
        ftz_q_sql(q, " AND 1 = 0");
        return;
    }
    if (p->system || p->scope == FTZ_SCOPE_ALL) return;
    switch (p->scope) {
    case FTZ_SCOPE_DEPT_TREE:
        if (cols->dept_col && p->dept_path) {
            char *sql = ftz_arena_printf(c->arena,
                                         " AND %s IN (SELECT id FROM departments "
                                         "WHERE path LIKE ? ESCAPE '\\')",
                                         cols->dept_col);
            ftz_q_sql(q, sql);
            /* paths are digits and slashes only: nothing to escape */
            ftz_q_text(q, ftz_arena_printf(c->arena, "%s%%", p->dept_path));
            return;
        }
        break;
    case FTZ_SCOPE_OWN_FIRMS:
        if (cols->commissioner_col) {
            ftz_q_sql(q, ftz_arena_printf(c->arena, " AND %s = ?", cols->commissioner_col));
            ftz_q_int(q, p->user_id);
            return;
        }
        break;
    case FTZ_SCOPE_OWN_FIRM:
        if (cols->firm_col && p->firm_id) {
            ftz_q_sql(q, ftz_arena_printf(c->arena, " AND %s = ?", cols->firm_col));
            ftz_q_int(q, p->firm_id);
            return;
        }
        break;
    default:
        break;
    }
    ftz_q_sql(q, " AND 1 = 0");
}
