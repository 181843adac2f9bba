/* startup_store.c — each new firm's start-up package in the database (startup_items): the
 * rows made at registration, one firm's checklist, an item's status change (the table is
 * startup.c's), the board across firms and its figures. SQL through db.h only; every read
 * scoped in SQL through the firm (auth_scope_where). */
#include "core/ftz_setup.h"
#include "firm/commissioner.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/money.h"
#include "core/utf8.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

#define NOTE_MAX 500

static const auth_scope_cols firm_scope = {"f.department_id", "f.id", "f.commissioner_id"};

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

static int64_t actor_id(const ftz_ctx *c)
{
    return c->who && !c->who->system ? c->who->user_id : 0;
}

static const char *local3(const ftz_ctx *c, const char *zh, const char *ru, const char *en)
{
    if (c->lang && strcmp(c->lang, "ru") == 0 && ru) return ru;
    if (c->lang && strcmp(c->lang, "en") == 0 && en) return en;
    return zh;
}

static const char *status_name(const ftz_ctx *c, const char *status)
{
    const firm_pkg_status_def *d = firm_pkg_status_find(status);
    return d ? local3(c, d->zh, d->ru, d->en) : status;
}

static const char *item_name(const ftz_ctx *c, const firm_pkg *pkg, const char *code)
{
    const firm_pkg_item *it = firm_pkg_find(pkg, code);
    return it ? firm_pkg_item_name(it, c->lang) : code;
}

static json_t *next_json(const char *status)
{
    const char *next[5];
    firm_pkg_next(status, next);
    json_t *a = json_array();
    for (const char **p = next; *p; p++)
        json_array_append_new(a, json_string(*p));
    return a;
}

/* Appends "CASE si.item WHEN ? THEN 0 … ELSE n END": the file's order of the items. */
static void item_order_sql(ftz_q *q, const firm_pkg *pkg)
{
    ftz_q_sql(q, "CASE si.item");
    for (size_t i = 0; i < pkg->n; i++) {
        ftz_q_sql(q, " WHEN ? THEN ?");
        ftz_q_text(q, pkg->items[i].code);
        ftz_q_int(q, (int64_t)i);
    }
    ftz_q_sql(q, " ELSE ? END");
    ftz_q_int(q, (int64_t)pkg->n);
}

/* ---- registration ------------------------------------------------------------------------ */

ftz_rc firm_package_create(ftz_ctx *c, const firm_pkg *pkg, int64_t firm_id, bool has_commissioner,
                           const char *now)
{
    for (size_t i = 0; i < pkg->n; i++) {
        const firm_pkg_item *it = &pkg->items[i];
        bool done = has_commissioner && strcmp(it->code, FIRM_PKG_COMMISSIONER) == 0;
        ftz_stmt *st;
        ftz_rc rc = ftz_db_prepare(c->db,
                                   "INSERT INTO startup_items (firm_id, item, status, cost_fen, "
                                   "done_at, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                   &st);
        if (rc) return rc;
        ftz_stmt_bind_int(st, firm_id);
        ftz_stmt_bind_text(st, it->code);
        ftz_stmt_bind_text(st, done ? "done" : "pending");
        ftz_stmt_bind_int(st, it->cost_fen);
        ftz_stmt_bind_text(st, done ? now : NULL);
        ftz_stmt_bind_text(st, now);
        ftz_stmt_bind_id(st, actor_id(c));
        rc = ftz_stmt_exec(st);
        ftz_stmt_done(st);
        if (rc) return rc;
    }
    return FTZ_OK;
}

ftz_rc firm_package_tick_commissioner(ftz_ctx *c, int64_t firm_id, const char *now)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "UPDATE startup_items SET status = 'done', done_at = ?, "
                               "updated_at = ?, updated_by = ?, version = version + 1 "
                               "WHERE firm_id = ? AND item = ? AND status IN ('pending', "
                               "'in_progress')",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_id(st, actor_id(c));
    ftz_stmt_bind_int(st, firm_id);
    ftz_stmt_bind_text(st, FIRM_PKG_COMMISSIONER);
    rc = ftz_stmt_exec(st);
    ftz_stmt_done(st);
    return rc;
}

/* ---- one firm ---------------------------------------------------------------------------- */

/* The firm within the caller's scope, else FTZ_ENOTFOUND. */
static ftz_rc firm_visible(ftz_ctx *c, int64_t firm_id)
{
    json_t *f;
    ftz_rc rc = firm_get(c, firm_id, &f);
    if (rc == FTZ_OK) json_decref(f);
    return rc;
}

ftz_rc firm_package_get(ftz_ctx *c, int64_t firm_id, json_t **out)
{
    ftz_rc rc = firm_visible(c, firm_id);
    if (rc) return rc;
    firm_pkg pkg;
    rc = firm_pkg_load(c->arena, &pkg);
    if (rc) return rc;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT si.item, si.status, si.cost_fen, si.note, si.done_at, si.updated_at, "
                  "si.updated_by, u.display_name, si.version FROM startup_items si "
                  "LEFT JOIN users u ON u.id = si.updated_by WHERE si.firm_id = ? ORDER BY ");
    ftz_q_int(&q, firm_id);
    item_order_sql(&q, &pkg);
    ftz_q_sql(&q, ", si.item");
    ftz_stmt *st;
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *items = json_array();
    int64_t outstanding = 0, done = 0, cost = 0, n = 0;
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        const char *code = ftz_stmt_text(st, 0), *status = ftz_stmt_text(st, 1);
        const firm_pkg_status_def *sd = firm_pkg_status_find(status);
        n++;
        if (sd && sd->outstanding) outstanding++;
        if (status && strcmp(status, "done") == 0) {
            done++;
            cost += ftz_stmt_int(st, 2);
        }
        json_t *o = json_object();
        json_object_set_new(o, "item", jstr(code));
        json_object_set_new(o, "name", jstr(item_name(c, &pkg, code)));
        json_object_set_new(o, "status", jstr(status));
        json_object_set_new(o, "status_name", jstr(status_name(c, status)));
        json_object_set_new(o, "cost_fen", json_integer(ftz_stmt_int(st, 2)));
        json_object_set_new(o, "note", jstr(ftz_stmt_text(st, 3)));
        json_object_set_new(o, "done_at", jstr(ftz_stmt_text(st, 4)));
        json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 5)));
        json_object_set_new(o, "updated_by", jid(st, 6));
        json_object_set_new(o, "updated_by_name", jstr(ftz_stmt_text(st, 7)));
        json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 8)));
        json_object_set_new(o, "next", next_json(status));
        json_array_append_new(items, o);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(items);
        return FTZ_EDB;
    }
    *out = json_pack("{s:I,s:o,s:I,s:I,s:b,s:I,s:s}", "firm_id", (json_int_t)firm_id, "items",
                     items, "outstanding", (json_int_t)outstanding, "done", (json_int_t)done,
                     "complete", n > 0 && outstanding == 0, "cost_fen", (json_int_t)cost,
                     "cost_words", ftz_money_words(c->arena, cost));
    return FTZ_OK;
}

/* The stored item, read within the firm (the caller checked the firm's scope). */
typedef struct item_row {
    const char *status, *note, *done_at;
    int64_t version;
} item_row;

static ftz_rc item_read(ftz_ctx *c, int64_t firm_id, const char *item, item_row *out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(c->db,
                               "SELECT status, note, done_at, version FROM startup_items "
                               "WHERE firm_id = ? AND item = ?",
                               &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, firm_id);
    ftz_stmt_bind_text(st, item);
    int r = ftz_stmt_next(st);
    if (r == 1) {
        out->status = ftz_stmt_dup(st, 0, c->arena);
        out->note = ftz_stmt_dup(st, 1, c->arena);
        out->done_at = ftz_stmt_dup(st, 2, c->arena);
        out->version = ftz_stmt_int(st, 3);
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

static json_t *item_json(const char *item, const item_row *r)
{
    return json_pack("{s:s,s:s,s:o,s:o,s:I}", "item", item, "status", r->status, "note",
                     jstr(r->note), "done_at", jstr(r->done_at), "version", (json_int_t)r->version);
}

ftz_rc firm_package_item_set(ftz_ctx *c, int64_t firm_id, const char *item, const char *status,
                             bool has_note, const char *note, int64_t version)
{
    if (status && !firm_pkg_status_find(status))
        ftz_err_field(&c->err, "status", "enum", "pending, in_progress, done, not_needed");
    if (has_note && note && ftz_utf8_len(note) > NOTE_MAX)
        ftz_err_field(&c->err, "note", "too_long", "500");
    if (c->err.rc) return c->err.rc;
    ftz_rc rc = firm_visible(c, firm_id);
    if (rc) return rc;
    item_row cur;
    rc = item_read(c, firm_id, item, &cur);
    if (rc) return rc;
    char curs[24];
    snprintf(curs, sizeof curs, "%lld", (long long)cur.version);
    if (version != cur.version)
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, curs));
    const char *next = status ? status : cur.status;
    if (strcmp(next, cur.status) != 0 && !firm_pkg_may(cur.status, next))
        return ftz_err_set(&c->err, FTZ_ECONFLICT, "package_transition",
                           ftz_arena_printf(c->arena, "%s → %s", cur.status, next));
    char now[32];
    case_now_iso(c, now);
    item_row after = cur;
    after.status = next;
    if (has_note) after.note = note;
    if (strcmp(next, "done") != 0)
        after.done_at = NULL;
    else if (strcmp(cur.status, "done") != 0)
        after.done_at = now;
    after.version = cur.version + 1;
    rc = ftz_db_begin(c->db);
    if (rc) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE startup_items SET status = ?, note = ?, done_at = ?, "
                        "updated_at = ?, updated_by = ?, version = version + 1 "
                        "WHERE firm_id = ? AND item = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, after.status);
    ftz_stmt_bind_text(st, after.note);
    ftz_stmt_bind_text(st, after.done_at);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_id(st, actor_id(c));
    ftz_stmt_bind_int(st, firm_id);
    ftz_stmt_bind_text(st, item);
    ftz_stmt_bind_int(st, cur.version);
    rc = ftz_stmt_exec(st);
    int64_t changed = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (changed != 1) {
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, curs));
        goto fail;
    }
    json_t *b = item_json(item, &cur), *a = item_json(item, &after);
    rc = ftz_audit_id(c, "startup_item.update", "firm", firm_id, b, a);
    json_decref(b);
    json_decref(a);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    return rc;
}

/* ---- the board --------------------------------------------------------------------------- */

/* The filters shared by the board and its figures (commissioner, firm, search, scope). */
static ftz_rc board_where(ftz_ctx *c, const firm_package_q *lq, ftz_q *w)
{
    ftz_q_init(w, c->arena);
    ftz_q_sql(w, "");
    if (lq->commissioner_id) {
        ftz_q_sql(w, " AND f.commissioner_id = ?");
        ftz_q_int(w, lq->commissioner_id);
    }
    if (lq->firm_id) {
        ftz_q_sql(w, " AND f.id = ?");
        ftz_q_int(w, lq->firm_id);
    }
    if (lq->q && *lq->q) {
        char *f = ftz_utf8_fold(c->arena, lq->q);
        if (!f) return ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        char *pat = ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f));
        ftz_q_sql(w, " AND (f.name_fold LIKE ? ESCAPE '\\' OR lower(f.credit_code) LIKE ? "
                     "ESCAPE '\\')");
        ftz_q_text(w, pat);
        ftz_q_text(w, pat);
    }
    auth_scope_where(c, w, &firm_scope);
    return FTZ_OK;
}

ftz_rc firm_package_list(ftz_ctx *c, const firm_package_q *lq, json_t **items, int64_t *total)
{
    firm_pkg pkg;
    ftz_rc rc = firm_pkg_load(c->arena, &pkg);
    if (rc) return rc;
    ftz_q where;
    rc = board_where(c, lq, &where);
    if (rc) return rc;
    if (lq->status && strcmp(lq->status, "outstanding") == 0) {
        ftz_q_sql(&where, " AND si.status IN ('pending', 'in_progress')");
    } else if (lq->status && *lq->status) {
        ftz_q_sql(&where, " AND si.status = ?");
        ftz_q_text(&where, lq->status);
    }
    if (lq->item && *lq->item) {
        ftz_q_sql(&where, " AND si.item = ?");
        ftz_q_text(&where, lq->item);
    }
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM startup_items si JOIN firms f ON f.id = si.firm_id "
                  "WHERE 1 = 1");
    ftz_q_append(&q, &where);
    rc = ftz_q_scalar(c->db, &q, total);
    if (rc) return rc;
    ftz_stmt *st;
    int r;

    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT si.firm_id, f.credit_code, f.name_zh, f.name_ru, f.name_en, "
                  "f.commissioner_id, cu.display_name, si.item, si.status, si.cost_fen, "
                  "si.note, si.done_at, si.updated_at, si.version, ");
    item_order_sql(&q, &pkg);
    ftz_q_sql(&q, " AS item_order FROM startup_items si JOIN firms f ON f.id = si.firm_id "
                  "LEFT JOIN users cu ON cu.id = f.commissioner_id WHERE 1 = 1");
    ftz_q_append(&q, &where);
    const char *dir = lq->desc ? "DESC" : "ASC";
    const char *order;
    if (lq->sort_key && strcmp(lq->sort_key, "item") == 0)
        order = ftz_arena_printf(c->arena, "item_order %s, si.firm_id DESC", dir);
    else if (lq->sort_key && strcmp(lq->sort_key, "status") == 0)
        order = ftz_arena_printf(c->arena, "si.status %s, si.firm_id DESC, item_order", dir);
    else if (lq->sort_key && strcmp(lq->sort_key, "updated_at") == 0)
        order = ftz_arena_printf(c->arena, "si.updated_at %s, si.firm_id DESC, item_order", dir);
    else
        order = ftz_arena_printf(c->arena, "si.firm_id %s, item_order", dir);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s LIMIT ? OFFSET ?", order));
    ftz_q_int(&q, lq->limit);
    ftz_q_int(&q, lq->offset);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1) {
        const char *code = ftz_stmt_text(st, 7), *status = ftz_stmt_text(st, 8);
        const char *zh = ftz_stmt_text(st, 2), *ru = ftz_stmt_text(st, 3),
                   *en = ftz_stmt_text(st, 4);
        json_t *o = json_object();
        json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 0)));
        json_object_set_new(o, "credit_code", jstr(ftz_stmt_text(st, 1)));
        json_object_set_new(o, "firm_name", jstr(local3(c, zh, ru, en)));
        json_object_set_new(o, "name_zh", jstr(zh));
        json_object_set_new(o, "commissioner_id", jid(st, 5));
        json_object_set_new(o, "commissioner_name", jstr(ftz_stmt_text(st, 6)));
        json_object_set_new(o, "item", jstr(code));
        json_object_set_new(o, "item_name", jstr(item_name(c, &pkg, code)));
        json_object_set_new(o, "status", jstr(status));
        json_object_set_new(o, "status_name", jstr(status_name(c, status)));
        json_object_set_new(o, "cost_fen", json_integer(ftz_stmt_int(st, 9)));
        json_object_set_new(o, "note", jstr(ftz_stmt_text(st, 10)));
        json_object_set_new(o, "done_at", jstr(ftz_stmt_text(st, 11)));
        json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 12)));
        json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 13)));
        json_object_set_new(o, "next", next_json(status));
        json_array_append_new(arr, o);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

ftz_rc firm_package_figures(ftz_ctx *c, const firm_package_q *lq, json_t **out)
{
    firm_pkg pkg;
    ftz_rc rc = firm_pkg_load(c->arena, &pkg);
    if (rc) return rc;
    ftz_q where;
    rc = board_where(c, lq, &where);
    if (rc) return rc;

    /* per item and status */
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT si.item, si.status, count(*), COALESCE(sum(si.cost_fen), 0) "
                  "FROM startup_items si JOIN firms f ON f.id = si.firm_id WHERE 1 = 1");
    ftz_q_append(&q, &where);
    ftz_q_sql(&q, " GROUP BY si.item, si.status");
    ftz_stmt *st;
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    /* rows: the file's items, then any code no longer in the file */
    size_t cap = pkg.n + 16, n = pkg.n;
    struct agg {
        const char *code;
        int64_t each, pending, in_progress, done, not_needed, cost;
    } *v = ftz_arena_alloc(c->arena, cap * sizeof *v);
    for (size_t i = 0; i < pkg.n; i++) {
        v[i].code = pkg.items[i].code;
        v[i].each = pkg.items[i].cost_fen;
    }
    int64_t items_total = 0, outstanding = 0, cost = 0, planned = 0;
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        const char *code = ftz_stmt_text(st, 0), *status = ftz_stmt_text(st, 1);
        int64_t cnt = ftz_stmt_int(st, 2), sum = ftz_stmt_int(st, 3);
        size_t k = 0;
        while (k < n && strcmp(v[k].code, code ? code : "") != 0)
            k++;
        if (k == n) {
            if (n == cap) continue; /* more stray codes than room: left out */
            v[n].code = ftz_arena_strdup(c->arena, code ? code : "");
            v[n].each = 0;
            n++;
        }
        items_total += cnt;
        if (!status) continue;
        if (strcmp(status, "pending") == 0) v[k].pending += cnt;
        if (strcmp(status, "in_progress") == 0) v[k].in_progress += cnt;
        if (strcmp(status, "done") == 0) {
            v[k].done += cnt;
            v[k].cost += sum;
            cost += sum;
        }
        if (strcmp(status, "not_needed") == 0)
            v[k].not_needed += cnt;
        else
            planned += sum;
        if (strcmp(status, "pending") == 0 || strcmp(status, "in_progress") == 0)
            outstanding += cnt;
    }
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;

    /* firms, and those whose package has nothing outstanding */
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*), COALESCE(sum(CASE WHEN t.o = 0 THEN 1 ELSE 0 END), 0) FROM "
                  "(SELECT si.firm_id, sum(CASE WHEN si.status IN ('pending', 'in_progress') "
                  "THEN 1 ELSE 0 END) AS o FROM startup_items si JOIN firms f ON f.id = "
                  "si.firm_id WHERE 1 = 1");
    ftz_q_append(&q, &where);
    ftz_q_sql(&q, " GROUP BY si.firm_id) t");
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    r = ftz_stmt_next(st);
    int64_t firms = r == 1 ? ftz_stmt_int(st, 0) : 0;
    int64_t complete = r == 1 ? ftz_stmt_int(st, 1) : 0;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;

    json_t *by = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            by, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:s}", "item", v[i].code, "name",
                          item_name(c, &pkg, v[i].code), "cost_fen_each", (json_int_t)v[i].each,
                          "pending", (json_int_t)v[i].pending, "in_progress",
                          (json_int_t)v[i].in_progress, "done", (json_int_t)v[i].done, "not_needed",
                          (json_int_t)v[i].not_needed, "cost_fen", (json_int_t)v[i].cost,
                          "cost_words", ftz_money_words(c->arena, v[i].cost)));
    *out = json_pack("{s:I,s:I,s:I,s:I,s:I,s:s,s:I,s:s,s:o}", "firms", (json_int_t)firms,
                     "firms_complete", (json_int_t)complete, "items_total", (json_int_t)items_total,
                     "outstanding", (json_int_t)outstanding, "cost_fen", (json_int_t)cost,
                     "cost_words", ftz_money_words(c->arena, cost), "cost_fen_planned",
                     (json_int_t)planned, "cost_planned_words", ftz_money_words(c->arena, planned),
                     "by_item", by);
    return FTZ_OK;
}
