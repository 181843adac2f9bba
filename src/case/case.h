/* case.h — the case engine (DESIGN.md §5): the closed loop that enterprise demands, window
 * cases, project bottlenecks, applications and inspections share.
 *
 * A module declares a case *kind* as data — its states, its events (state × event → state,
 * with the permission each event needs and who else must be the actor), its deadline table
 * (category × priority → working days) and the value sets of its classifying fields — and the
 * engine does the rest: filing, the timeline, owners and departments (lead and assisting),
 * deadlines on the working-day calendar, extensions, return and re-dispatch, merge, reopen,
 * reminders and escalation by a periodic job, the figures every unit is judged by, and the
 * data scope of every read (in SQL). No module re-implements the loop; none writes `if`s
 * over states — the table in its kind is the machine (docs/internals/case.md).
 *
 * Every case has a fixed set of columns the engine understands (see schema.sql); what a kind
 * needs beyond them goes into its `data` JSON object.
 *
 * Event semantics the engine implements (the kind's table says which exist and from where):
 *   assess            sets category, topic, priority, lead and assisting departments; the
 *                     deadline from the kind's table (or an earlier working day given)
 *   dispatch          starts the clock: response due after `respond` working days
 *   receive           the lead department signs for the case and contacts the requester
 *                     (the response); sets the handler
 *   return            the lead department hands it back as not its business (reason)
 *   redispatch        a new lead department (and assisting ones)
 *   request_extension working days + reason, before the deadline, one pending at a time
 *   grant_extension   moves the deadline by the days asked (or fewer)
 *   refuse_extension  drops the request
 *   reply             the answer to the requester
 *   evaluate          solved? satisfaction 1–5 (3 and above count as satisfied); a rating of 2
 *                     or below reopens the case at once (an `reopen` event by the system)
 *   reopen            back to handling with a new deadline (reason)
 *   reject            closed as out of scope with a written reason
 *   withdraw          closed at the requester's wish
 *   merge             into another open case of the same kind (a duplicate)
 *   comment           a note on the timeline
 *   remind, escalate  the periodic sweep's events (system only)
 *   raise             one step up the kind's ladder of categories (e.g. window → department →
 *                     joint review → business-environment office): new lead department,
 *                     reason, a new deadline from the table; the steps are kept
 *   settle            answered at once by the accepting side (a reply without dispatch)
 *   request_refusal   a refusal report (否定答复报告) for a supervisor; one at a time
 *   approve_refusal, reject_refusal   the supervisor's decision on it
 *   refuse            closed as refused — only with an approved report
 *   archive           a closed case filed away
 * Kinds with root causes require one (and its text) on reply, settle and refuse: the case
 * library is searched by them (case_library).
 */
#ifndef FTZ_CASE_CASE_H
#define FTZ_CASE_CASE_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

/* Who, besides holding the event's permission, may fire it. */
enum {
    CASE_WHO_ANY = 0,            /* the permission (and the case in the caller's scope) */
    CASE_WHO_LEAD = 1 << 0,      /* a member of the lead department's tree, or scope all */
    CASE_WHO_REQUESTER = 1 << 1, /* the firm's own account, or any staff (a follow-up call) */
    CASE_WHO_SYSTEM = 1 << 2,    /* only the system (the sweep job) */
};

typedef struct case_state_def {
    const char *name; /* "dispatched" */
    const char *zh, *ru, *en;
    bool open;  /* counts as open (false: closed or merged) */
    bool clock; /* the deadline runs in this state (overdue is possible) */
} case_state_def;

typedef struct case_event_def {
    const char *name; /* one of the engine's events above */
    const char *from; /* the states it may fire in, space separated */
    const char *to;   /* the state after it; NULL = stays in the same state */
    const char *perm; /* the permission it needs; NULL = system only */
    unsigned who;     /* CASE_WHO_* */
    const char *zh, *ru, *en;
} case_event_def;

typedef struct case_deadline_def {
    const char *category, *priority;
    int respond_days; /* working days after dispatch to contact the requester (0 = same day) */
    int resolve_days; /* working days after assessment to reply (0 = same day) */
} case_deadline_def;

/* A value of a classifying field with its names. */
typedef struct case_value_def {
    const char *code;
    const char *zh, *ru, *en;
} case_value_def;

typedef struct case_kind {
    const char *kind;        /* "demand" — stored in cases.kind */
    const char *code_prefix; /* "SQ" → SQ-2024-000123 */
    const char *perm_read;   /* "demand.read" */
    const char *perm_file;   /* "demand.file" */
    const char *initial;     /* the state a filed case starts in */
    const case_state_def *states;
    size_t nstates;
    const case_event_def *events;
    size_t nevents;
    const case_deadline_def *deadlines;
    size_t ndeadlines;
    const case_value_def *categories, *topics, *priorities, *channels;
    size_t ncategories, ntopics, npriorities, nchannels;
    /* Settings naming departments by code: where cases filed without a department land
     * (first-contact responsibility), and where escalations go. */
    const char *setting_intake_dept, *setting_escalate_dept;
    /* The root causes a closed case files (the case library), or none. When set, reply,
     * settle and refuse require root_cause (one of them) and root_cause_text. */
    const case_value_def *root_causes;
    size_t nroot_causes;
    /* Whether categories are an escalation ladder in their order (raise moves one up). */
    bool ladder;
} case_kind;

/* ---- the machine (pure: machine.c, unit-tested) ---- */

const case_state_def *case_state_find(const case_kind *k, const char *state);
const case_event_def *case_event_find(const case_kind *k, const char *event);
/* Whether ev may fire in state (by the table alone). */
bool case_event_from(const case_event_def *ev, const char *state);
/* The state after ev in state: FTZ_OK and *next; FTZ_ECONFLICT (err code "transition",
 * param the state) when the table has no such transition; FTZ_EINVAL (field "event", "enum")
 * for an unknown event. */
ftz_rc case_transition(const case_kind *k, ftz_err *err, const char *state, const char *event,
                       const char **next) FTZ_WUR;
const case_deadline_def *case_deadline_find(const case_kind *k, const char *category,
                                            const char *priority);
const case_value_def *case_value_find(const case_value_def *v, size_t n, const char *code);

/* What the engine knows of a case and an actor to decide whether the actor may fire an
 * event (the permission, the who-rule); scope is already applied by the read. */
typedef struct case_facts {
    const char *state;
    const char *lead_dept_path; /* NULL when no lead department */
    int64_t firm_id;
    bool ext_pending;          /* an extension request waits */
    bool deadline_past;        /* the deadline has passed */
    bool has_deadline;         /* a deadline is set */
    const char *outcome;       /* of a closed case */
    const char *refusal_state; /* NULL, pending, approved, rejected */
    bool top_level;            /* the category is the ladder's last (or none is set) */
} case_facts;

/* Whether `who` may fire ev on the case now: table, permission, who-rule, and the event's
 * own preconditions (an extension needs none pending and the deadline not past; granting
 * needs one pending and the deadline not past; reopening not a case closed out of scope or
 * withdrawn). When not, *why names the reason ("transition", "permission", "not_lead",
 * "not_requester", "system", "pending", "none_pending", "deadline_past", "outcome"). */
bool case_may(const case_kind *k, const case_event_def *ev, const ftz_principal *who,
              const case_facts *f, const char **why);

/* A rate in basis points (0..10000, rounded half up); 0 when den is 0. */
int64_t case_rate_bp(int64_t num, int64_t den);

/* ---- the service (store.c) ---- */

typedef struct case_in {
    int64_t firm_id; /* required; a firm account's own firm */
    const char *channel, *title, *body, *lang;
    const char *category, *topic, *priority; /* optional at filing; assessment sets them */
    const char *contact_name, *contact_phone;
    json_t *data; /* kind-specific members, or NULL (not stolen) */
    /* where it came from, e.g. "visit" 12, "salon" 3, "open311" 0; NULL/0 = filed directly.
     * Set by code (the module that records the source checks it), never by a client. */
    const char *source_kind;
    int64_t source_id;
} case_in;

/* Files a case of kind k in its initial state, numbered PREFIX-YEAR-NNNNNN. The accepting
 * department is the filer's, else the kind's intake department; the owner is the filer when
 * staff. A firm account files for its own firm only (another firm_id is "no_such"). Field
 * errors for every bad member; audited; one transaction. */
ftz_rc case_file(ftz_ctx *c, const case_kind *k, const case_in *in, int64_t *id) FTZ_WUR;

/* The case with its assisting departments, timeline and the events the caller may fire now
 * (`actions`: [{event, names…}]); FTZ_ENOTFOUND outside the caller's scope. */
ftz_rc case_get(ftz_ctx *c, const case_kind *k, int64_t id, json_t **out) FTZ_WUR;

/* Fires an event. in carries the event's members (note, category, priority, lead_dept_id,
 * assist_dept_ids, deadline, days, reason, reply, solved, satisfaction, into_id) — checked
 * per event, every error listed. version must match (FTZ_ESTALE). FTZ_EDENIED when the caller
 * may not fire it (code the reason), FTZ_ECONFLICT when the state does not allow it. One
 * transaction with its timeline row and audit row. */
ftz_rc case_fire(ftz_ctx *c, const case_kind *k, int64_t id, int64_t version, const char *event,
                 json_t *in) FTZ_WUR;

typedef struct case_list_q {
    const char *q;     /* folded search in code, title, firm names */
    const char *box;   /* NULL/all, mine, dept, todo, overdue */
    const char *state; /* one state, or "open" / "closed" */
    const char *category, *topic, *channel, *priority;
    int64_t firm_id, lead_dept_id;
    const char *refusal_state; /* pending | approved | rejected: refusal reports */
    const char *source_kind;   /* with source_id: the cases raised at one visit, salon, … */
    int64_t source_id;
    const char *from, *to; /* accepted on, YYYY-MM-DD inclusive */
    const char *sort_key;
    bool desc;
    int64_t limit, offset;
    bool detail; /* items carry case_get's detail columns too (body, contact, data, reply,
                    evaluation, reason …), not its timeline or actions */
} case_list_q;

ftz_rc case_list(ftz_ctx *c, const case_kind *k, const case_list_q *q, json_t **items,
                 int64_t *total) FTZ_WUR;

/* Figures over the cases accepted in [from, to] (dates, either may be NULL), within the
 * caller's scope, grouped by "department" (lead), "category", "topic", "channel", "month",
 * "state" or "all": per group count, open, closed, dispatched, responded_in_time (response
 * rate = responded_in_time / dispatched), evaluated, solved (resolution rate = solved /
 * evaluated), satisfied (satisfaction rate = satisfied / evaluated), overdue (open past the
 * deadline now) and late (replied after it), avg_work_days ×100 over closed cases. */
ftz_rc case_figures(ftz_ctx *c, const case_kind *k, const char *group, const char *from,
                    const char *to, json_t **rows) FTZ_WUR;

/* The periodic sweep at instant `now` (unix seconds): every case of kind k in a clock state
 * whose deadline day has passed gets `remind` on the first working day after that day (once),
 * and `escalate` when `case.escalate_after_days` working days after the deadline day have
 * begun (once; to the kind's escalation department). The counts go to reminded and escalated. */
ftz_rc case_sweep(ftz_ctx *c, const case_kind *k, int64_t now, int64_t *reminded,
                  int64_t *escalated) FTZ_WUR;

/* The case library: closed or archived cases of kind k with a root cause, within scope,
 * searched by q (folded title, root cause text, reply) and root_cause; newest first. */
ftz_rc case_library(ftz_ctx *c, const case_kind *k, const char *q, const char *root_cause,
                    int64_t limit, int64_t offset, json_t **items, int64_t *total) FTZ_WUR;

/* The body of a kind's periodic sweep job: case_sweep at the job's "now", the counts as the
 * job's result {reminded, escalated}. A kind registers its own job kind calling this. */
typedef struct ftz_job ftz_job;
ftz_rc case_sweep_job(ftz_ctx *c, ftz_job *job, const case_kind *k) FTZ_WUR;

/* The kind as JSON (states, events with permissions, deadline table, value sets) for the UI
 * and the documentation. */
json_t *case_kind_json(const case_kind *k, const char *lang);

/* The instant the engine treats as now: c->clock when set (the demo generator writes
 * history), else the real time; as unix seconds and as stored ISO text. */
int64_t case_now(const ftz_ctx *c);
void case_now_iso(const ftz_ctx *c, char out[32]);

#endif
