/* audit_query.c — the audit trail as a list and as single rows (see audit_query.h). All SQL
 * of reading the trail is here, through db.h's query builder; appending and verifying the
 * chain stay in audit.c.
 *
 * Time bounds are compared as text: `at` is stored as UTC "YYYY-MM-DDTHH:MM:SS.mmmZ", which
 * sorts like the instant it names, so the bounds are made in that exact form and the index
 * order of the text is the time order. Free text is matched with LIKE on lower-cased text
 * (`lower(col) LIKE ? ESCAPE '\'`, the pattern lower-cased in C and its % _ \ escaped), so
 * ASCII letters match regardless of case on both backends. */
#include "core/ftz_setup.h"
#include "auth/audit_query.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/utf8.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

static const char AUDIT_COLS[] = "SELECT seq, at, actor_id, actor, action, entity, entity_id, "
                                 "before, after, request_id, hash FROM audit WHERE 1 = 1";

bool ftz_audit_bound(const char *s, bool upper, char out[32])
{
    if (!s) return false;
    int64_t t;
    if (strlen(s) == 10) {
        ftz_date d;
        if (ftz_date_parse(s, &d)) return false;
        /* The Shanghai day d starts at 00:00+08:00; an upper bound excludes the next day. */
        t = ((int64_t)d + (upper ? 1 : 0)) * 86400 - FTZ_SHANGHAI_OFFSET;
    } else {
        if (ftz_time_parse(s, &t)) return false;
        if (upper) t += 1; /* the whole named second is included */
    }
    char z[32];
    ftz_time_format_utc(t, z); /* "YYYY-MM-DDTHH:MM:SSZ" */
    snprintf(out, 32, "%.19s.000Z", z);
    return true;
}

static bool sort_known(const char *k)
{
    return !k || strcmp(k, "seq") == 0 || strcmp(k, "at") == 0;
}

void ftz_audit_q_check(ftz_ctx *c, const ftz_audit_q *q)
{
    char b[32];
    if (q->from && !ftz_audit_bound(q->from, false, b))
        ftz_err_field(&c->err, "from", "format", "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS+08:00");
    if (q->to && !ftz_audit_bound(q->to, true, b))
        ftz_err_field(&c->err, "to", "format", "YYYY-MM-DD, YYYY-MM-DDTHH:MM:SS+08:00");
    if (q->q && ftz_utf8_len(q->q) > FTZ_AUDIT_Q_MAX) {
        char lim[24];
        snprintf(lim, sizeof lim, "%d", FTZ_AUDIT_Q_MAX);
        ftz_err_field(&c->err, "q", "too_long", lim);
    }
    if (!sort_known(q->sort_key)) ftz_err_field(&c->err, "sort", "enum", "seq, at");
    if (q->actor_id < 0) ftz_err_field(&c->err, "actor_id", "range", "[1, 9223372036854775807]");
    if (q->limit < 0) ftz_err_field(&c->err, "limit", "range", "[0, 9223372036854775807]");
    if (q->offset < 0) ftz_err_field(&c->err, "offset", "range", "[0, 9223372036854775807]");
}

/* A LIKE pattern for s: ASCII lower-cased (as SQL lower() does on both backends), % _ \
 * escaped, wrapped as prefix (contains = false) or substring (contains = true). */
static char *like_pattern(ftz_arena *a, const char *s, bool contains)
{
    char *low = ftz_arena_strdup(a, s);
    for (char *p = low; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    return ftz_arena_printf(a, "%s%s%%", contains ? "%" : "", ftz_like_escape(a, low));
}

/* Appends every filter of aq (already checked) and the caller's scope to q. */
static void add_where(ftz_ctx *c, ftz_q *q, const ftz_audit_q *aq)
{
    if (aq->entity) {
        ftz_q_sql(q, " AND entity = ?");
        ftz_q_text(q, aq->entity);
    }
    if (aq->entity_id) {
        ftz_q_sql(q, " AND entity_id = ?");
        ftz_q_text(q, aq->entity_id);
    }
    if (aq->actor) {
        ftz_q_sql(q, " AND actor = ?");
        ftz_q_text(q, aq->actor);
    }
    if (aq->actor_id > 0) {
        ftz_q_sql(q, " AND actor_id = ?");
        ftz_q_int(q, aq->actor_id);
    }
    if (aq->action && *aq->action) {
        size_t n = strlen(aq->action);
        if (aq->action[n - 1] == '*') {
            if (n > 1) {
                /* A prefix: action LIKE 'user.%' with the prefix's own % _ \ escaped. The
                 * stored action is matched as is (actions are lower-case ASCII). */
                char *prefix = ftz_arena_strndup(c->arena, aq->action, n - 1);
                ftz_q_sql(q, " AND action LIKE ? ESCAPE '\\'");
                ftz_q_text(q,
                           ftz_arena_printf(c->arena, "%s%%", ftz_like_escape(c->arena, prefix)));
            }
        } else {
            ftz_q_sql(q, " AND action = ?");
            ftz_q_text(q, aq->action);
        }
    }
    char b[32];
    if (aq->from && ftz_audit_bound(aq->from, false, b)) {
        ftz_q_sql(q, " AND at >= ?");
        ftz_q_text(q, b);
    }
    if (aq->to && ftz_audit_bound(aq->to, true, b)) {
        ftz_q_sql(q, " AND at < ?");
        ftz_q_text(q, b);
    }
    if (aq->q && *aq->q) {
        char *pat = like_pattern(c->arena, aq->q, true);
        ftz_q_sql(q, " AND (lower(before) LIKE ? ESCAPE '\\' OR lower(after) LIKE ? ESCAPE '\\'"
                     " OR lower(entity_id) LIKE ? ESCAPE '\\')");
        ftz_q_text(q, pat);
        ftz_q_text(q, pat);
        ftz_q_text(q, pat);
    }
    /* No department or firm column: a scope other than `all` reads no row. */
    static const auth_scope_cols none = {NULL, NULL, NULL};
    auth_scope_where(c, q, &none);
}

/* Stored JSON text as a value; text that is not JSON (never written by ftz_audit, but the
 * table is only as trustworthy as its chain) is shown as a string rather than dropped. */
static json_t *stored_json(const char *s)
{
    if (!s) return json_null();
    json_t *j = json_loads(s, JSON_DECODE_ANY, NULL);
    return j ? j : json_string(s);
}

static json_t *text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static ftz_rc db_fail(ftz_ctx *c, const ftz_stmt *st)
{
    ftz_rc rc = ftz_stmt_rc(st);
    if (!rc) rc = FTZ_EDB;
    if (!c->err.rc) ftz_err_set(&c->err, rc, rc == FTZ_EDB ? "db" : "internal", NULL);
    return rc;
}

static void read_row(const ftz_stmt *st, ftz_audit_row *row)
{
    row->seq = ftz_stmt_int(st, 0);
    row->at = ftz_stmt_text(st, 1);
    row->has_actor_id = !ftz_stmt_isnull(st, 2);
    row->actor_id = ftz_stmt_int(st, 2);
    row->actor = ftz_stmt_text(st, 3);
    row->action = ftz_stmt_text(st, 4);
    row->entity = ftz_stmt_text(st, 5);
    row->entity_id = ftz_stmt_text(st, 6);
    row->before = ftz_stmt_text(st, 7);
    row->after = ftz_stmt_text(st, 8);
    row->request_id = ftz_stmt_text(st, 9);
    row->hash = ftz_stmt_text(st, 10);
}

ftz_rc ftz_audit_list_rows(ftz_ctx *c, const ftz_audit_q *aq,
                           void (*fn)(void *ud, const ftz_audit_row *row), void *ud, int64_t *total)
{
    ftz_audit_q_check(c, aq);
    if (c->err.rc) return c->err.rc;

    ftz_q where;
    ftz_q_init(&where, c->arena);
    add_where(c, &where, aq);
    ftz_q q;
    ftz_q_init(&q, c->arena);
    if (where.len == 0) {
        /* No filter: the trail is append-only with no gaps, so its size is the head's seq
         * (O(1), where count(*) reads the whole table; a gap is what verify reports). */
        ftz_q_sql(&q, "SELECT seq FROM audit_head WHERE id = 1");
    } else {
        ftz_q_sql(&q, "SELECT count(*) FROM audit WHERE 1 = 1");
        ftz_q_append(&q, &where);
    }
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    int64_t n = r == 1 ? ftz_stmt_int(st, 0) : 0;
    if (r < 0) rc = db_fail(c, st);
    ftz_stmt_done(st);
    if (rc) return rc;

    bool by_at = aq->sort_key && strcmp(aq->sort_key, "at") == 0;
    const char *dir = aq->desc ? "DESC" : "ASC";
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, AUDIT_COLS);
    ftz_q_append(&q, &where);
    ftz_q_sql(&q, by_at ? ftz_arena_printf(c->arena, " ORDER BY at %s, seq %s", dir, dir)
                        : ftz_arena_printf(c->arena, " ORDER BY seq %s", dir));
    ftz_q_sql(&q, " LIMIT ? OFFSET ?");
    ftz_q_int(&q, aq->limit > 0 ? aq->limit : INT64_MAX);
    ftz_q_int(&q, aq->offset);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    ftz_audit_row row;
    while ((r = ftz_stmt_next(st)) == 1) {
        read_row(st, &row);
        fn(ud, &row);
    }
    if (r < 0) rc = db_fail(c, st);
    ftz_stmt_done(st);
    if (rc) return rc;
    *total = n;
    return FTZ_OK;
}

static json_t *row_json(const ftz_audit_row *row)
{
    json_t *o = json_object();
    json_object_set_new(o, "seq", json_integer(row->seq));
    json_object_set_new(o, "at", text_or_null(row->at));
    json_object_set_new(o, "actor_id",
                        row->has_actor_id ? json_integer(row->actor_id) : json_null());
    json_object_set_new(o, "actor", text_or_null(row->actor));
    json_object_set_new(o, "action", text_or_null(row->action));
    json_object_set_new(o, "entity", text_or_null(row->entity));
    json_object_set_new(o, "entity_id", text_or_null(row->entity_id));
    json_object_set_new(o, "before", stored_json(row->before));
    json_object_set_new(o, "after", stored_json(row->after));
    json_object_set_new(o, "request_id", text_or_null(row->request_id));
    json_object_set_new(o, "hash", text_or_null(row->hash));
    return o;
}

static void append_row(void *ud, const ftz_audit_row *row)
{
    json_array_append_new(ud, row_json(row));
}

ftz_rc ftz_audit_list(ftz_ctx *c, const ftz_audit_q *aq, json_t **items, int64_t *total)
{
    json_t *arr = json_array();
    ftz_rc rc = ftz_audit_list_rows(c, aq, append_row, arr, total);
    if (rc) {
        json_decref(arr);
        return rc;
    }
    *items = arr;
    return FTZ_OK;
}

ftz_rc ftz_audit_get(ftz_ctx *c, int64_t seq, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, AUDIT_COLS);
    ftz_q_sql(&q, " AND seq = ?");
    ftz_q_int(&q, seq);
    static const auth_scope_cols none = {NULL, NULL, NULL};
    auth_scope_where(c, &q, &none);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    json_t *o = NULL;
    if (r == 1) {
        ftz_audit_row row;
        read_row(st, &row);
        o = row_json(&row);
    }
    if (r < 0) rc = db_fail(c, st);
    ftz_stmt_done(st);
    if (rc) return rc;
    if (!o) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    *out = o;
    return FTZ_OK;
}
