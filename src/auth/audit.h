/* audit.h — the audit trail (DESIGN.md §6): one hash-chained table, appended inside the
 * transaction of the change it records.
 *
 * hash = SHA-256 over prev_hash followed by every other column as stored text, each column
 * framed as "<byte length>:<bytes>" (NULL framed as "-"), in the order seq, at, actor_id,
 * actor, action, entity, entity_id, before, after, request_id; lower-case hex. before/after
 * are compact JSON with sorted keys. audit_head holds the last seq and hash; appenders update
 * it first, which serialises them on both backends. */
#ifndef FTZ_AUTH_AUDIT_H
#define FTZ_AUTH_AUDIT_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

/* Appends one row for the change; must run inside the caller's write transaction. before and
 * after may be NULL (creation, deletion); they are not stolen. entity_id may be NULL. */
ftz_rc ftz_audit(ftz_ctx *c, const char *action, const char *entity, const char *entity_id,
                 json_t *before, json_t *after) FTZ_WUR;
/* The same with an integer id. */
ftz_rc ftz_audit_id(ftz_ctx *c, const char *action, const char *entity, int64_t entity_id,
                    json_t *before, json_t *after) FTZ_WUR;

/* The row hash as defined above (exposed for unit tests); fields[10] in column order, NULL
 * for SQL NULL; out is 65 bytes. */
void ftz_audit_hash(const char *prev_hash, const char *const fields[10], char out[65]);

typedef struct ftz_audit_report {
    int64_t rows;      /* rows checked */
    int64_t head_seq;  /* audit_head.seq */
    int64_t first_bad; /* 0 when the chain is whole */
    const char *why;   /* what is wrong at first_bad */
} ftz_audit_report;

/* Walks the chain from seq 1, recomputing every hash; reports the first bad seq (a changed
 * row, a gap from a deleted row, or rows missing at the end against the head). */
ftz_rc ftz_audit_verify(ftz_ctx *c, ftz_audit_report *rep) FTZ_WUR;
/* The head (seq and hash) for anchoring outside. */
ftz_rc ftz_audit_head(ftz_ctx *c, int64_t *seq, char hash[65]) FTZ_WUR;

#endif
