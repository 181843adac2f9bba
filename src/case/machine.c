/* machine.c — the case engine's pure logic: looking events and states up in a kind's table,
 * the transition itself, who may fire an event, the deadline table and rates. No SQL, no
 * clock: everything here is decided from its arguments (tests/unit/test_case.c). */
#include "core/ftz_setup.h"
#include "case/case.h"

#include <string.h>

const case_state_def *case_state_find(const case_kind *k, const char *state)
{
    if (!state) return NULL;
    for (size_t i = 0; i < k->nstates; i++)
        if (strcmp(k->states[i].name, state) == 0) return &k->states[i];
    return NULL;
}

const case_event_def *case_event_find(const case_kind *k, const char *event)
{
    if (!event) return NULL;
    for (size_t i = 0; i < k->nevents; i++)
        if (strcmp(k->events[i].name, event) == 0) return &k->events[i];
    return NULL;
}

/* Whether the space-separated list holds word exactly. */
static bool word_in(const char *list, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        while (*p == ' ')
            p++;
        const char *e = p;
        while (*e && *e != ' ')
            e++;
        if ((size_t)(e - p) == n && n && memcmp(p, word, n) == 0) return true;
        p = e;
    }
    return false;
}

bool case_event_from(const case_event_def *ev, const char *state)
{
    return ev && state && word_in(ev->from, state);
}

ftz_rc case_transition(const case_kind *k, ftz_err *err, const char *state, const char *event,
                       const char **next)
{
    const case_event_def *ev = case_event_find(k, event);
    if (!ev) {
        ftz_err_field(err, "event", "enum", NULL);
        return err->rc;
    }
    if (!case_event_from(ev, state)) return ftz_err_set(err, FTZ_ECONFLICT, "transition", state);
    *next = ev->to ? ev->to : state;
    return FTZ_OK;
}

const case_deadline_def *case_deadline_find(const case_kind *k, const char *category,
                                            const char *priority)
{
    if (!category || !priority) return NULL;
    for (size_t i = 0; i < k->ndeadlines; i++)
        if (strcmp(k->deadlines[i].category, category) == 0 &&
            strcmp(k->deadlines[i].priority, priority) == 0)
            return &k->deadlines[i];
    return NULL;
}

const case_value_def *case_value_find(const case_value_def *v, size_t n, const char *code)
{
    if (!code) return NULL;
    for (size_t i = 0; i < n; i++)
        if (strcmp(v[i].code, code) == 0) return &v[i];
    return NULL;
}

/* Whether the principal's department is the lead department or below it. */
static bool in_lead_tree(const ftz_principal *who, const char *lead_path)
{
    if (who->system || who->scope == FTZ_SCOPE_ALL) return true;
    if (!lead_path || !who->dept_path) return false;
    return strncmp(who->dept_path, lead_path, strlen(lead_path)) == 0;
}

bool case_may(const case_kind *k, const case_event_def *ev, const ftz_principal *who,
              const case_facts *f, const char **why)
{
    (void)k;
    *why = NULL;
    if (!case_event_from(ev, f->state)) {
        *why = "transition";
        return false;
    }
    if (!who) {
        *why = "permission";
        return false;
    }
    if ((ev->who & CASE_WHO_SYSTEM) || !ev->perm) {
        if (!who->system) {
            *why = "system";
            return false;
        }
    } else if (!ftz_can(who, ev->perm)) {
        *why = "permission";
        return false;
    }
    if ((ev->who & CASE_WHO_LEAD) && !in_lead_tree(who, f->lead_dept_path)) {
        *why = "not_lead";
        return false;
    }
    if ((ev->who & CASE_WHO_REQUESTER) && who->scope == FTZ_SCOPE_OWN_FIRM &&
        who->firm_id != f->firm_id) {
        *why = "not_requester";
        return false;
    }
    if (strcmp(ev->name, "request_extension") == 0) {
        if (f->ext_pending) {
            *why = "pending";
            return false;
        }
        if (!f->has_deadline || f->deadline_past) {
            *why = "deadline_past";
            return false;
        }
    }
    if ((strcmp(ev->name, "grant_extension") == 0 || strcmp(ev->name, "refuse_extension") == 0) &&
        !f->ext_pending) {
        *why = "none_pending";
        return false;
    }
    /* an extension is asked and granted before the deadline; afterwards only a refusal */
    if (strcmp(ev->name, "grant_extension") == 0 && f->deadline_past) {
        *why = "deadline_past";
        return false;
    }
    if (strcmp(ev->name, "request_refusal") == 0 && f->refusal_state &&
        strcmp(f->refusal_state, "rejected") != 0) {
        *why = strcmp(f->refusal_state, "pending") == 0 ? "refusal_pending" : "refusal_approved";
        return false;
    }
    if ((strcmp(ev->name, "approve_refusal") == 0 || strcmp(ev->name, "reject_refusal") == 0) &&
        !(f->refusal_state && strcmp(f->refusal_state, "pending") == 0)) {
        *why = "no_refusal";
        return false;
    }
    /* no "no" without an approved report (否定答复报告) */
    if (strcmp(ev->name, "refuse") == 0 &&
        !(f->refusal_state && strcmp(f->refusal_state, "approved") == 0)) {
        *why = "refusal_unapproved";
        return false;
    }
    if (strcmp(ev->name, "raise") == 0 && f->top_level) {
        *why = "top_level";
        return false;
    }
    if (strcmp(ev->name, "reopen") == 0 && f->outcome && strcmp(f->outcome, "resolved") != 0) {
        *why = "outcome";
        return false;
    }
    return true;
}

int64_t case_rate_bp(int64_t num, int64_t den)
{
    if (den <= 0 || num < 0) return 0;
    return (num * 20000 + den) / (2 * den);
}
