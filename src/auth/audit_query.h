/* audit_query.h — reading the audit trail (DESIGN.md §6): the filtered, paged list behind
 * `GET /api/v1/audit` (and its .xlsx/.csv), one row by seq, and the checks of a query.
 * Appending and verifying the chain are in audit.h.
 *
 * Audit rows carry no department or firm, so the data scope cannot be expressed on them:
 * only a principal whose scope is `all` (or the system) reads any row; every other scope
 * reads none (auth_scope_where's rule, "never more than allowed"). */
#ifndef FTZ_AUTH_AUDIT_QUERY_H
#define FTZ_AUTH_AUDIT_QUERY_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

/* Free-text search terms longer than this are refused (field "q", "too_long"). */
#define FTZ_AUDIT_Q_MAX 100

typedef struct ftz_audit_q {
    const char *entity;    /* exact ("user"), NULL = any */
    const char *entity_id; /* exact, NULL = any */
    const char *actor;     /* user name as recorded, exact; NULL = any */
    int64_t actor_id;      /* 0 = any */
    const char *action;    /* exact ("user.create"), or a prefix with a trailing '*'
                            * ("user.*"; "*" alone = any); NULL = any */
    const char *from;      /* lower bound, inclusive: "YYYY-MM-DD" (a day in Asia/Shanghai,
                            * from its first second) or an RFC 3339 date-time; NULL = none */
    const char *to;        /* upper bound, inclusive: a date (to its last millisecond) or a
                            * date-time (to the end of that second); NULL = none */
    const char *q;         /* free text, searched in before, after and entity_id */
    const char *sort_key;  /* "seq" or "at"; NULL = "seq" */
    bool desc;
    int64_t limit; /* rows to return; 0 = every row */
    int64_t offset;
} ftz_audit_q;

/* Records a field error in c->err for every part of q that cannot be used: from/to that
 * are neither a date nor a date-time ("format"), q longer than FTZ_AUDIT_Q_MAX characters
 * ("too_long"), an unknown sort key ("enum"), a negative actor_id, limit or offset
 * ("range"). Field names are the query parameters' (from, to, q, sort, actor_id, …). */
void ftz_audit_q_check(ftz_ctx *c, const ftz_audit_q *q);

/* The stored-text bound for a from/to value: the UTC instant as "YYYY-MM-DDTHH:MM:SS.000Z",
 * comparable as text with the stored `at` (which has milliseconds). For a lower bound the
 * first instant included (at >= out), for an upper bound the first instant excluded
 * (at < out). Returns false, leaving out untouched, for text that is neither
 * "YYYY-MM-DD" nor an RFC 3339 date-time (core/date.h's strict forms). */
bool ftz_audit_bound(const char *s, bool upper, char out[32]);

/* One page of rows matching q, in q's order (ties broken by seq), and the number of rows
 * matching in all. Each item: seq, at, actor_id (null for the system), actor, action,
 * entity, entity_id, before and after (the stored JSON, parsed; null when absent),
 * request_id, hash. Runs ftz_audit_q_check first: FTZ_EINVAL with the field errors in
 * c->err when it finds any. *items is new (the caller owns it) on success only. */
/* One row as stored (text valid until the callback returns). */
typedef struct ftz_audit_row {
    int64_t seq;
    const char *at;
    bool has_actor_id;
    int64_t actor_id;
    const char *actor, *action, *entity, *entity_id;
    const char *before, *after; /* compact JSON text or NULL */
    const char *request_id, *hash;
} ftz_audit_row;

/* The same list as ftz_audit_list, row by row, without building JSON values: for the hot
 * JSON reply, written straight out (core/jsonw.h). */
ftz_rc ftz_audit_list_rows(ftz_ctx *c, const ftz_audit_q *q,
                           void (*fn)(void *ud, const ftz_audit_row *row), void *ud,
                           int64_t *total) FTZ_WUR;

ftz_rc ftz_audit_list(ftz_ctx *c, const ftz_audit_q *q, json_t **items, int64_t *total) FTZ_WUR;

/* The row with that seq as ftz_audit_list renders it; FTZ_ENOTFOUND (c->err "not_found")
 * when there is none the caller may read. */
ftz_rc ftz_audit_get(ftz_ctx *c, int64_t seq, json_t **out) FTZ_WUR;

#endif
