/* commissioner.h — chief service commissioners (首席服务专员) and each new firm's start-up
 * package (开办大礼包): the services behind /api/v1/commissioners, /api/v1/firms/{id}/
 * commissioner, /api/v1/firms/{id}/package and /api/v1/startup-package, and the hooks the
 * firm registry runs at registration (domain/firm.md; docs/internals/firm.md).
 *
 * A commissioner is a user holding the built-in role `commissioner`; they are *active* when
 * the account is not disabled and their profile (commissioner_profiles; a user without a row
 * has the default profile: no industries, no cap, active) is active. A firm's commissioner is
 * firms.commissioner_id; commissioner_assignments keeps who looked after it from when, why
 * and who decided (assigned_by NULL: the system). A commissioner's *load* is the number of
 * firms, other than closed ones, whose commissioner they are now.
 *
 * Every service runs in one transaction with its audit row, reads within the caller's data
 * scope (in SQL) and stamps times with c->clock when set (case_now_iso), so the demo
 * generator can write history through them. */
#ifndef FTZ_FIRM_COMMISSIONER_H
#define FTZ_FIRM_COMMISSIONER_H

#include "core/ftz_setup.h"
#include "core/ctx.h"
#include "firm/assign.h"
#include "firm/firm.h"
#include "firm/startup.h"

#include <jansson.h>

/* ---- registration (called by store.c inside firm_create / firm_create_many) ---- */

/* What a registration transaction needs once, however many firms it inserts. */
typedef struct firm_reg {
    bool auto_assign;        /* the setting firm.auto_assign */
    firm_assign_cand *cands; /* the active commissioners and their load (in c->arena),
                                loaded when a firm first needs them */
    size_t ncands;
    bool cands_loaded;
    firm_pkg pkg;            /* the start-up package's items */
    int64_t auto_assigned;   /* firms given a commissioner automatically */
    int64_t unassigned;      /* firms left without one (nobody was active) */
    const char *last_reason; /* the last automatic outcome, for the audit row */
} firm_reg;

/* Reads the setting and the package items (the candidates with their load follow when a
 * firm first needs them). Inside the caller's write transaction. */
ftz_rc firm_reg_begin(ftz_ctx *c, firm_reg *r) FTZ_WUR;
/* For the firm just inserted as firm_id from in (at time now, the firm's created_at): when
 * in->commissioner_id is 0 and auto-assignment is on, chooses a commissioner (assign.h) and
 * sets firms.commissioner_id (the candidate's load grows by one); records the assignment row
 * (reason "auto: …", or "registration" for a commissioner given by the caller); creates the
 * package rows (the commissioner item done when the firm has one). *assigned receives the
 * commissioner chosen automatically (0 when none or given). With audit, an automatic outcome
 * (a commissioner or nobody) is audited as "commissioner.auto_assign"; batches are audited by
 * the caller. */
ftz_rc firm_reg_firm(ftz_ctx *c, firm_reg *r, int64_t firm_id, const firm_in *in, const char *now,
                     bool audit, int64_t *assigned) FTZ_WUR;
/* The firm's commissioner changed to user_id (0: none) by other means (PATCH of the firm):
 * ends the open assignment row, starts one with reason, ticks off the package's commissioner
 * item when there is one now. Inside the caller's transaction. */
ftz_rc firm_commissioner_record(ftz_ctx *c, int64_t firm_id, int64_t user_id, const char *reason,
                                const char *now) FTZ_WUR;

/* ---- assignment and history ---- */

/* Reassigns the firm (within the caller's scope, else FTZ_ENOTFOUND) to user_id, an active
 * commissioner ("user_id": no_such / not_commissioner otherwise), for reason (required, at
 * most 500 characters). version, when not 0, must be the firm's (FTZ_ESTALE). The current
 * commissioner again is FTZ_ECONFLICT ("same_commissioner"). A manual choice ignores the
 * profile's cap and industries. Ends the open assignment row, starts a new one, bumps the
 * firm's version, ticks off the package's commissioner item; audited "commissioner.assign"
 * (before/after: commissioner_id, commissioner_name, reason). */
ftz_rc firm_commissioner_assign(ftz_ctx *c, int64_t firm_id, int64_t user_id, const char *reason,
                                int64_t version) FTZ_WUR;
/* The firm's assignments, newest first: [{id, user_id, user_name, assigned_at, assigned_by,
 * assigned_by_name, auto, reason, ended_at, current}]; FTZ_ENOTFOUND outside scope. */
ftz_rc firm_commissioner_history(ftz_ctx *c, int64_t firm_id, json_t **items) FTZ_WUR;

/* ---- profiles and the list ---- */

typedef struct firm_profile_in {
    const char *const *industries; /* GB/T 4754 codes (firm_industry_code_valid) */
    size_t nindustries;            /* at most FIRM_PROFILE_MAX_CODES; duplicates dropped */
    int64_t max_firms;             /* 0 = no cap */
    bool active;
    int64_t version; /* the profile's version; 0 for the default profile (no row yet) */
} firm_profile_in;

/* A commissioner with profile and load: {user_id, username, display_name, disabled,
 * department_id, department_name, industries: [], max_firms, active, available (active and
 * not disabled), version, updated_at, firms, open_demands, package_outstanding}. Loads count
 * within the caller's scope; a caller of scope own_firm (a firm's account) sees only the
 * commissioners of the firms in its scope. FTZ_ENOTFOUND when user_id holds no commissioner
 * role (or is outside that view). */
ftz_rc firm_commissioner_profile_get(ftz_ctx *c, int64_t user_id, json_t **out) FTZ_WUR;
/* Replaces the profile (field errors: industries[i] format, max_firms range; FTZ_ESTALE on a
 * version mismatch); audited "commissioner.profile" on entity "user". */
ftz_rc firm_commissioner_profile_set(ftz_ctx *c, int64_t user_id,
                                     const firm_profile_in *in) FTZ_WUR;

typedef struct firm_commissioner_q {
    const char *q;        /* folded search in user name and display name */
    int available;        /* 1 active only, 0 inactive only, -1 any */
    int64_t firm_id;      /* when set: each item says whether its profile `matches` the
                             firm's industry (the firm within the caller's scope, else 404) */
    const char *sort_key; /* id | display_name | firms */
    bool desc;
    int64_t limit, offset;
} firm_commissioner_q;

ftz_rc firm_commissioners_list(ftz_ctx *c, const firm_commissioner_q *q, json_t **items,
                               int64_t *total) FTZ_WUR;

/* ---- the workspace ---- */

/* The commissioner user_id's workspace (firms within the caller's scope whose commissioner
 * they are): {user_id, today, visit_due_days, firms: {count, items}, demands: {open, overdue,
 * by_state: [{state, name, count}], items (the 20 most urgent)}, visits_due: {count, items},
 * package: {outstanding, items}}. A firm is due a visit when it is active and has no visit
 * (visits.visited_on, a Beijing date) within the last firm.visit_due_days days — a firm
 * never visited is due at once (the first visit). */
ftz_rc firm_commissioner_workspace(ftz_ctx *c, int64_t user_id, json_t **out) FTZ_WUR;

/* ---- the start-up package ---- */

/* The firm's package: {firm_id, items: [{item, name, status, status_name, cost_fen, note,
 * done_at, updated_at, updated_by, version, next: [statuses allowed]}], outstanding, done,
 * complete, cost_fen (borne so far: the done items), cost_words}. FTZ_ENOTFOUND outside
 * scope. A firm registered before packages existed has no items. */
ftz_rc firm_package_get(ftz_ctx *c, int64_t firm_id, json_t **out) FTZ_WUR;
/* Changes one item: status (NULL = keep; firm_pkg_may decides, FTZ_ECONFLICT
 * "package_transition" with param "from → to" otherwise), note (set when has_note; NULL
 * clears it), version (FTZ_ESTALE). done_at is set on entering done and cleared on leaving
 * it. Audited "startup_item.update" on entity "firm". FTZ_ENOTFOUND when the firm is outside
 * scope or has no such item. */
ftz_rc firm_package_item_set(ftz_ctx *c, int64_t firm_id, const char *item, const char *status,
                             bool has_note, const char *note, int64_t version) FTZ_WUR;

typedef struct firm_package_q {
    const char *status; /* one status, or "outstanding" */
    const char *item;
    int64_t commissioner_id, firm_id;
    const char *q;        /* folded firm names and credit code */
    const char *sort_key; /* firm | item | status | updated_at */
    bool desc;
    int64_t limit, offset;
} firm_package_q;

/* The board: one row per firm and item within the caller's scope and the filters. */
ftz_rc firm_package_list(ftz_ctx *c, const firm_package_q *q, json_t **items,
                         int64_t *total) FTZ_WUR;
/* Figures over the same rows (status, item and paging ignored for the per-item part,
 * commissioner_id, firm_id and q honoured): {firms, firms_complete, items_total,
 * outstanding, cost_fen (borne: done items), cost_words (core/money.h), cost_fen_planned
 * (every item not marked not_needed), by_item: [{item, name, cost_fen_each, pending,
 * in_progress, done, not_needed, cost_fen}]}. */
ftz_rc firm_package_figures(ftz_ctx *c, const firm_package_q *q, json_t **out) FTZ_WUR;

/* Inside a registration: the package rows of a new firm (commissioner item done when
 * has_commissioner). */
ftz_rc firm_package_create(ftz_ctx *c, const firm_pkg *pkg, int64_t firm_id, bool has_commissioner,
                           const char *now) FTZ_WUR;
/* Inside a transaction: the commissioner item of the firm's package, if outstanding, is
 * done now (a commissioner was assigned). */
ftz_rc firm_package_tick_commissioner(ftz_ctx *c, int64_t firm_id, const char *now) FTZ_WUR;

#endif
