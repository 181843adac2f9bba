/* audit.c — appending to and verifying the hash-chained audit trail (see audit.h). */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "core/arena.h"
#include "core/mem.h"
#include "db/db.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ftz_audit_hash(const char *prev_hash, const char *const fields[10], char out[65])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const unsigned char *)prev_hash, strlen(prev_hash));
    for (int i = 0; i < 10; i++) {
        char frame[24];
        if (!fields[i]) {
            crypto_hash_sha256_update(&st, (const unsigned char *)"-", 1);
            continue;
        }
        size_t n = strlen(fields[i]);
        int fl = snprintf(frame, sizeof frame, "%zu:", n);
        crypto_hash_sha256_update(&st, (const unsigned char *)frame, (unsigned long long)fl);
        crypto_hash_sha256_update(&st, (const unsigned char *)fields[i], n);
    }
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&st, h);
    sodium_bin2hex(out, 65, h, sizeof h);
}

static char *dump(ftz_arena *a, json_t *j)
{
    if (!j) return NULL;
    char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    if (!s) return NULL;
    char *r = ftz_arena_strdup(a, s);
    free(s); /* jansson's allocation */
    return r;
}

ftz_rc ftz_audit(ftz_ctx *c, const char *action, const char *entity, const char *entity_id,
                 json_t *before, json_t *after)
{
    if (!ftz_db_in_txn(c->db)) return FTZ_EINTERNAL;
    ftz_rc rc = ftz_db_run(c->db, "UPDATE audit_head SET seq = seq + 1 WHERE id = 1", "");
    if (rc) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db, "SELECT seq, hash FROM audit_head WHERE id = 1", &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r != 1) {
        ftz_stmt_done(st);
        return FTZ_EDB;
    }
    int64_t seq = ftz_stmt_int(st, 0);
    char *prev = ftz_stmt_dup(st, 1, c->arena);
    ftz_stmt_done(st);

    char at[32];
    ftz_db_now(at);
    const ftz_principal *who = c->who;
    char *seqs = ftz_arena_printf(c->arena, "%lld", (long long)seq);
    char *actor_id =
        (who && who->user_id) ? ftz_arena_printf(c->arena, "%lld", (long long)who->user_id) : NULL;
    const char *actor = who ? who->username : "system";
    char *b = dump(c->arena, before);
    char *af = dump(c->arena, after);
    const char *fields[10] = {seqs,   at,        actor_id, actor, action,
                              entity, entity_id, b,        af,    c->req_id};
    char hash[65];
    ftz_audit_hash(prev, fields, hash);

    rc = ftz_db_prepare(c->db,
                        "INSERT INTO audit (seq, at, actor_id, actor, action, entity, entity_id, "
                        "before, after, request_id, prev_hash, hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, seq);
    ftz_stmt_bind_text(st, at);
    if (actor_id)
        ftz_stmt_bind_int(st, who->user_id);
    else
        ftz_stmt_bind_null(st);
    ftz_stmt_bind_text(st, actor);
    ftz_stmt_bind_text(st, action);
    ftz_stmt_bind_text(st, entity);
    ftz_stmt_bind_text(st, entity_id);
    ftz_stmt_bind_text(st, b);
    ftz_stmt_bind_text(st, af);
    ftz_stmt_bind_text(st, c->req_id);
    ftz_stmt_bind_text(st, prev);
    ftz_stmt_bind_text(st, hash);
    rc = ftz_stmt_exec(st);
    ftz_stmt_done(st);
    if (rc) return rc;
    return ftz_db_run(c->db, "UPDATE audit_head SET hash = ? WHERE id = 1", "s", hash);
}

ftz_rc ftz_audit_id(ftz_ctx *c, const char *action, const char *entity, int64_t entity_id,
                    json_t *before, json_t *after)
{
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)entity_id);
    return ftz_audit(c, action, entity, id, before, after);
}

ftz_rc ftz_audit_head(ftz_ctx *c, int64_t *seq, char hash[65])
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db, "SELECT seq, hash FROM audit_head WHERE id = 1", &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    if (r == 1) {
        *seq = ftz_stmt_int(st, 0);
        snprintf(hash, 65, "%s", ftz_stmt_text(st, 1) ? ftz_stmt_text(st, 1) : "");
    } else {
        rc = r == 0 ? FTZ_ENOTFOUND : FTZ_EDB;
    }
    ftz_stmt_done(st);
    return rc;
}

ftz_rc ftz_audit_verify(ftz_ctx *c, ftz_audit_report *rep)
{
    memset(rep, 0, sizeof(*rep));
    char head_hash[65];
    ftz_rc rc = ftz_audit_head(c, &rep->head_seq, head_hash);
    if (rc) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare_tmp(c->db,
                            "SELECT seq, at, actor_id, actor, action, entity, entity_id, before, "
                            "after, request_id, prev_hash, hash FROM audit ORDER BY seq",
                            &st);
    if (rc) return rc;
    char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
    int64_t expect = 1;
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        int64_t seq = ftz_stmt_int(st, 0);
        rep->rows++;
        if (seq != expect) {
            rep->first_bad = expect;
            rep->why = ftz_arena_printf(c->arena, "row %lld is missing (next row is %lld)",
                                        (long long)expect, (long long)seq);
            break;
        }
        const char *fields[10];
        char seqs[24], actor_id[24];
        snprintf(seqs, sizeof seqs, "%lld", (long long)seq);
        fields[0] = seqs;
        fields[1] = ftz_stmt_text(st, 1);
        if (ftz_stmt_isnull(st, 2)) {
            fields[2] = NULL;
        } else {
            snprintf(actor_id, sizeof actor_id, "%lld", (long long)ftz_stmt_int(st, 2));
            fields[2] = actor_id;
        }
        for (int i = 3; i < 10; i++)
            fields[i] = ftz_stmt_text(st, i);
        const char *stored_prev = ftz_stmt_text(st, 10);
        const char *stored_hash = ftz_stmt_text(st, 11);
        if (!stored_prev || strcmp(stored_prev, prev) != 0) {
            rep->first_bad = seq;
            rep->why = ftz_arena_printf(c->arena, "row %lld does not follow row %lld",
                                        (long long)seq, (long long)(seq - 1));
            break;
        }
        char h[65];
        ftz_audit_hash(prev, fields, h);
        if (!stored_hash || strcmp(h, stored_hash) != 0) {
            rep->first_bad = seq;
            rep->why = ftz_arena_printf(c->arena, "row %lld was altered", (long long)seq);
            break;
        }
        memcpy(prev, h, sizeof prev);
        expect++;
    }
    if (r < 0) rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    ftz_stmt_done(st);
    if (rc || rep->first_bad) return rc;
    if (expect - 1 != rep->head_seq) {
        rep->first_bad = expect;
        rep->why = ftz_arena_printf(c->arena, "the head says %lld rows but the chain ends at %lld",
                                    (long long)rep->head_seq, (long long)(expect - 1));
    } else if (strcmp(prev, head_hash) != 0) {
        rep->first_bad = expect - 1;
        rep->why = ftz_arena_printf(c->arena, "the last row does not match the head");
    }
    return FTZ_OK;
}
