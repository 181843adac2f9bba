/* outreach.h — leader visits (the "six must-visits", 六必访) and enterprise salons (企业沙龙):
 * records of who met which firms, when, with whom; every issue raised there is filed as an
 * enterprise demand (firm/demand.h) through the case engine, with the case's source pointing
 * back (cases.source_kind "visit" / "salon", source_id the record's id), so the loop that
 * follows it is the demands' own and GET /api/v1/demands?source_kind=visit&source_id=ID lists
 * them.
 *
 * Scopes (in SQL, docs/internals/firm.md "Visits and salons"):
 *   visits  scope all — every visit; otherwise the visits to firms within the caller's firm
 *           scope (auth_scope_where on the firm: its department tree, the commissioner's
 *           firms, a firm account's own firm) and the visits the caller recorded or made as
 *           the leader.
 *   salons  scope all — every salon; otherwise the salons the caller created, those organised
 *           by a department of its tree (scope dept_tree), and those a firm within its firm
 *           scope attended. Only the creator, the organising department's tree or scope all
 *           may change a salon ("salon_not_organiser", 403); others see the attendees within
 *           their own firm scope only.
 *
 * Services take business dates as input (visited_on, held_on) and stamp times with
 * case_now(c), so a demo generator with c->clock set writes history. Every change is
 * audited in its own transaction. */
#ifndef FTZ_FIRM_OUTREACH_H
#define FTZ_FIRM_OUTREACH_H

#include "core/ftz_setup.h"
#include "core/ctx.h"
#include "core/date.h"

#include <jansson.h>

/* The longest text of each field, in characters ("purpose" → 500); 0 for a name that is no
 * text field. The routes cap input with it and the services check it again. */
size_t outreach_field_max(const char *field);

/* A business date's rule (pure): NULL when s is a real YYYY-MM-DD date not after today (and
 * *out is set), else the broken rule's code: "format" or "in_future". */
const char *outreach_date_rule(const char *s, ftz_date today, ftz_date *out);

/* ---- visits ---- */

typedef struct outreach_visit_in {
    int64_t firm_id;         /* required; within the caller's firm scope (else no_such) */
    const char *visited_on;  /* required; YYYY-MM-DD, not after today (Beijing) */
    int64_t leader_id;       /* users.id of the visiting leader, or 0 */
    const char *leader_name; /* required without leader_id; NULL: the leader's display name */
    const char *participants, *purpose, *notes;
} outreach_visit_in;

/* Checks every rule (all broken fields listed), then one transaction: the row and its audit
 * row ("visit.create"). */
ftz_rc outreach_visit_create(ftz_ctx *c, const outreach_visit_in *in, int64_t *id) FTZ_WUR;
/* The visit as the API shows it, with "demands" (the demands raised at it that the caller
 * may read: empty without demand.read); FTZ_ENOTFOUND outside the caller's scope. */
ftz_rc outreach_visit_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
/* Partial update of the members present in patch (firm_id, visited_on, leader_id,
 * leader_name, participants, purpose, notes; null clears an optional one); version must
 * match (FTZ_ESTALE). Audited "visit.update" with before and after. */
ftz_rc outreach_visit_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;

typedef struct outreach_visit_q {
    const char *q; /* the firm's folded names, the leader's name, the purpose */
    int64_t firm_id, leader_id;
    const char *from, *to; /* visited_on, YYYY-MM-DD inclusive */
    const char *sort_key;  /* id, visited_on, firm, leader_name, issues, created_at */
    bool desc;
    int64_t limit, offset;
} outreach_visit_q;

ftz_rc outreach_visit_list(ftz_ctx *c, const outreach_visit_q *q, json_t **items,
                           int64_t *total) FTZ_WUR;

/* Figures over the visits of [from, to] (either may be NULL) within the caller's scope,
 * grouped by "month", "leader", "firm" or "all": per group visits, firms (distinct), issues
 * (demands raised at them), open, resolved (closed after a reply and the firm's evaluation)
 * and resolved_bp = resolved / issues in basis points (the denominator is issues). */
ftz_rc outreach_visit_figures(ftz_ctx *c, const char *group, const char *from, const char *to,
                              json_t **rows) FTZ_WUR;

/* An issue raised at a visit or a salon: becomes a demand. */
typedef struct outreach_issue_in {
    int64_t firm_id; /* salons: a firm that attended; visits: ignored (the visit's firm) */
    const char *title, *body;
    const char *category, *topic, *priority; /* optional; the demand's value sets */
    const char *lang;                        /* zh, ru, en; NULL: the request's */
    const char *contact_name, *contact_phone;
} outreach_issue_in;

/* Files the issue as a demand (case_file with channel "visit", source "visit" visit_id, the
 * visit's firm): the demand is the one write, so nothing is half-done — its own transaction
 * writes the case, its timeline and its audit row, and the link back is its source columns.
 * FTZ_ENOTFOUND when the visit is outside the caller's scope. */
ftz_rc outreach_visit_raise(ftz_ctx *c, int64_t visit_id, const outreach_issue_in *in,
                            int64_t *demand_id) FTZ_WUR;

/* ---- salons ---- */

typedef struct outreach_salon_in {
    const char *title;   /* required */
    const char *held_on; /* required; YYYY-MM-DD (a salon may be planned ahead) */
    const char *place, *topics, *notes;
    int64_t organiser_dept; /* departments.id; 0: the caller's department */
} outreach_salon_in;

ftz_rc outreach_salon_create(ftz_ctx *c, const outreach_salon_in *in, int64_t *id) FTZ_WUR;
/* The salon with "firms" (its attendees the caller may see, each with the issues raised for
 * it), "demands" (as for visits) and "can_edit". */
ftz_rc outreach_salon_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
/* Partial update of title, held_on, place, topics, notes, organiser_dept; version must match.
 * Audited "salon.update". */
ftz_rc outreach_salon_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;

typedef struct outreach_attendee {
    int64_t firm_id;       /* a registered firm */
    const char *attendees; /* who came for it, or NULL */
} outreach_attendee;

/* Replaces the salon's attending firms with the n given (at most 500, each firm once); version
 * (0 = not checked) must match the salon's, which it bumps. Audited "salon.firms" with the
 * lists before and after. */
ftz_rc outreach_salon_set_firms(ftz_ctx *c, int64_t id, int64_t version,
                                const outreach_attendee *firms, size_t n) FTZ_WUR;

typedef struct outreach_salon_q {
    const char *q; /* title, topics, place */
    int64_t firm_id, organiser_dept;
    const char *from, *to; /* held_on */
    const char *sort_key;  /* id, held_on, title, firms, issues, created_at */
    bool desc;
    int64_t limit, offset;
} outreach_salon_q;

ftz_rc outreach_salon_list(ftz_ctx *c, const outreach_salon_q *q, json_t **items,
                           int64_t *total) FTZ_WUR;

/* Files the issue as a demand of in->firm_id (an attendee the caller may see, else field
 * firm_id "not_attendee"), channel "salon", source "salon" salon_id. A salon not yet held
 * (held_on after today) is FTZ_ECONFLICT "salon_not_held". */
ftz_rc outreach_salon_raise(ftz_ctx *c, int64_t salon_id, const outreach_issue_in *in,
                            int64_t *demand_id) FTZ_WUR;

#endif
