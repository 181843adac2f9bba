/* financing.c — financing matchmaking (financing.h): the match machine as one table, the
 * need's status that follows it, the grant cap, and the SQL of bank products, needs, matches
 * and the figure "financing arranged" (through db.h only; scopes in SQL). */
#include "core/ftz_setup.h"
#include "firm/financing.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "case/case.h"
#include "core/arena.h"
#include "core/date.h"
#include "core/money.h"
#include "core/utf8.h"
#include "db/db.h"

#include <stdio.h>
#include <string.h>

/* ---- the rules ---- */

/* The match machine: every step a match may take. granted and declined are final. */
static const struct {
    const char *from, *to;
} steps[] = {
    {"proposed", "applied"},
    {"proposed", "declined"},
    {"applied", "granted"},
    {"applied", "declined"},
};

static const struct {
    const char *code, *zh, *ru, *en;
} names[] = {
    /* matches */
    {"proposed", "已推荐", "Предложено", "Proposed"},
    {"applied", "已申请", "Подана заявка", "Applied"},
    {"granted", "已获批", "Одобрено", "Granted"},
    {"declined", "未获批", "Отказано", "Declined"},
    /* needs ("granted" is shared) */
    {"open", "待对接", "Открыта", "Open"},
    {"matched", "对接中", "Подобран продукт", "Matched"},
    {"closed", "已关闭", "Закрыта", "Closed"},
};

static const char *const match_statuses[] = {"proposed", "applied", "granted", "declined"};

bool financing_match_status_known(const char *s)
{
    if (!s) return false;
    for (size_t i = 0; i < FTZ_COUNTOF(match_statuses); i++)
        if (strcmp(match_statuses[i], s) == 0) return true;
    return false;
}

bool financing_match_step(const char *from, const char *to)
{
    if (!from || !to) return false;
    for (size_t i = 0; i < FTZ_COUNTOF(steps); i++)
        if (strcmp(steps[i].from, from) == 0 && strcmp(steps[i].to, to) == 0) return true;
    return false;
}

size_t financing_match_next(const char *from, const char **out, size_t cap)
{
    size_t n = 0;
    if (!from) return 0;
    for (size_t i = 0; i < FTZ_COUNTOF(steps) && n < cap; i++)
        if (strcmp(steps[i].from, from) == 0) out[n++] = steps[i].to;
    return n;
}

const char *financing_need_status(const char *current, int64_t alive, int64_t granted)
{
    if (current && strcmp(current, "closed") == 0) return "closed";
    if (granted > 0) return "granted";
    if (alive > 0) return "matched";
    return "open";
}

int64_t financing_grant_cap(int64_t product_max, int64_t need_amount, int64_t granted_other)
{
    int64_t left = need_amount - (granted_other > 0 ? granted_other : 0);
    int64_t cap = product_max < left ? product_max : left;
    return cap > 0 ? cap : 0;
}

const char *financing_status_name(const char *status, const char *lang)
{
    if (!status) return NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(names); i++) {
        if (strcmp(names[i].code, status) != 0) continue;
        if (lang && strcmp(lang, "ru") == 0) return names[i].ru;
        if (lang && strcmp(lang, "en") == 0) return names[i].en;
        return names[i].zh;
    }
    return status;
}

/* ---- helpers ---- */

static const auth_scope_cols firm_cols = {"f.department_id", "f.id", "f.commissioner_id"};

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

static const char *jget(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static int64_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

static const char *pick_name(const ftz_ctx *c, const char *zh, const char *ru, const char *en)
{
    if (c->lang && strcmp(c->lang, "ru") == 0 && ru) return ru;
    if (c->lang && strcmp(c->lang, "en") == 0 && en) return en;
    return zh;
}

static int64_t me(const ftz_ctx *c)
{
    return c->who && !c->who->system ? c->who->user_id : 0;
}

static ftz_date today_of(const ftz_ctx *c)
{
    return ftz_date_of_shanghai(case_now(c));
}

static void check_len(ftz_ctx *c, const char *field, const char *value, size_t max)
{
    if (!value || ftz_utf8_len(value) <= max) return;
    char lim[24];
    snprintf(lim, sizeof lim, "%zu", max);
    ftz_err_field(&c->err, field, "too_long", lim);
}

static void check_range(ftz_ctx *c, const char *field, int64_t v, int64_t lo, int64_t hi)
{
    if (v >= lo && v <= hi) return;
    ftz_err_field(&c->err, field, "range",
                  ftz_arena_printf(c->arena, "[%lld, %lld]", (long long)lo, (long long)hi));
}

/* A business date not after today: false (and the field error) when it breaks the rule. */
static bool check_date(ftz_ctx *c, const char *field, const char *s, ftz_date *out)
{
    ftz_date d;
    if (!s || ftz_date_parse(s, &d)) {
        ftz_err_field(&c->err, field, "format", "YYYY-MM-DD");
        return false;
    }
    if (d > today_of(c)) {
        ftz_err_field(&c->err, field, "in_future", NULL);
        return false;
    }
    *out = d;
    return true;
}

static ftz_rc exec_versioned(ftz_ctx *c, ftz_stmt *st, int64_t current)
{
    ftz_rc rc = ftz_stmt_exec(st);
    int64_t n = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) return rc;
    if (n != 1) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld", (long long)current);
        return ftz_err_set(&c->err, FTZ_ESTALE, "stale", cur);
    }
    return FTZ_OK;
}

static const char *like_of(ftz_ctx *c, const char *q)
{
    char *f = ftz_utf8_fold(c->arena, q);
    if (!f) {
        ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        return NULL;
    }
    return ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f));
}

static void date_range(ftz_q *w, const char *col, const char *from, const char *to)
{
    if (from && *from) {
        ftz_q_sql(w, " AND ");
        ftz_q_sql(w, col);
        ftz_q_sql(w, " >= ?");
        ftz_q_text(w, from);
    }
    if (to && *to) {
        ftz_q_sql(w, " AND ");
        ftz_q_sql(w, col);
        ftz_q_sql(w, " <= ?");
        ftz_q_text(w, to);
    }
}

typedef json_t *(*row_fn)(ftz_ctx *, const ftz_stmt *);

/* One row of a built query (FTZ_ENOTFOUND "not_found" when none). */
static ftz_rc one_row(ftz_ctx *c, const ftz_q *q, row_fn row, json_t **out)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *out = r == 1 ? row(c, st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

/* The count and one page of a list (see outreach.c's twin). */
static ftz_rc run_list(ftz_ctx *c, const char *select, const char *base, const ftz_q *where,
                       const char *order, bool desc, int64_t limit, int64_t offset,
                       const char *id_col, row_fn row, json_t **items, int64_t *total)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, "SELECT count(*) %s", base));
    ftz_q_append(&q, where);
    ftz_rc rc = ftz_q_scalar(c->db, &q, total);
    if (rc) return rc;
    ftz_stmt *st;
    int r;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, select);
    ftz_q_append(&q, where);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s %s, %s %s LIMIT ? OFFSET ?", order,
                                   desc ? "DESC" : "ASC", id_col, desc ? "DESC" : "ASC"));
    ftz_q_int(&q, limit);
    ftz_q_int(&q, offset);
    if ((rc = ftz_q_prepare(c->db, &q, &st))) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, row(c, st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}

/* Runs fn with the system principal (reads for audit rows, whatever the caller's scope). */
#define AS_SYSTEM(c, call)                                                                         \
    do {                                                                                           \
        ftz_principal *saved_ = (c)->who;                                                          \
        ftz_principal sys_ = {.system = true, .username = "system"};                               \
        (c)->who = &sys_;                                                                          \
        rc = (call);                                                                               \
        (c)->who = saved_;                                                                         \
    } while (0)

/* ---- bank products ---- */

#define PRODUCT_SELECT                                                                             \
    "SELECT p.id, p.bank, p.name, p.max_amount_fen, p.rate_bp, p.term_months, p.notes, "           \
    "p.active, p.created_at, p.updated_at, p.version FROM bank_products p WHERE 1 = 1"

static json_t *product_row(ftz_ctx *c, const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "bank", jstr(ftz_stmt_text(st, 1)));
    json_object_set_new(o, "name", jstr(ftz_stmt_text(st, 2)));
    int64_t max = ftz_stmt_int(st, 3);
    json_object_set_new(o, "max_amount_fen", json_integer(max));
    json_object_set_new(o, "max_amount_words", json_string(ftz_money_words(c->arena, max)));
    json_object_set_new(o, "rate_bp", jid(st, 4));
    json_object_set_new(o, "term_months", jid(st, 5));
    json_object_set_new(o, "notes", jstr(ftz_stmt_text(st, 6)));
    json_object_set_new(o, "active", json_boolean(ftz_stmt_int(st, 7)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 8)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 9)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 10)));
    return o;
}

ftz_rc financing_product_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, PRODUCT_SELECT " AND p.id = ?");
    ftz_q_int(&q, id);
    return one_row(c, &q, product_row, out);
}

/* Every rule of a product; (bank, name) taken by another (except_id) is a duplicate. */
static ftz_rc check_product(ftz_ctx *c, const financing_product_in *in, int64_t except_id)
{
    check_len(c, "bank", in->bank, 100);
    check_len(c, "name", in->name, 200);
    check_len(c, "notes", in->notes, 2000);
    if (!in->bank) ftz_err_field(&c->err, "bank", "required", NULL);
    if (!in->name) ftz_err_field(&c->err, "name", "required", NULL);
    check_range(c, "max_amount_fen", in->max_amount_fen, 1, FINANCING_AMOUNT_MAX);
    if (in->rate_bp != -1) check_range(c, "rate_bp", in->rate_bp, 0, FINANCING_RATE_MAX);
    if (in->term_months) check_range(c, "term_months", in->term_months, 1, FINANCING_TERM_MAX);
    if (in->bank && in->name) {
        int64_t x;
        ftz_rc rc = ftz_db_scalar(c->db, &x,
                                  "SELECT id FROM bank_products WHERE bank = ? AND name = ? AND "
                                  "id <> ?",
                                  "ssi", in->bank, in->name, except_id);
        if (rc == FTZ_OK)
            ftz_err_duplicate(&c->err, "name");
        else if (rc != FTZ_ENOTFOUND)
            return rc;
    }
    return FTZ_OK;
}

static void bind_product(ftz_stmt *st, const financing_product_in *in)
{
    ftz_stmt_bind_text(st, in->bank);
    ftz_stmt_bind_text(st, in->name);
    ftz_stmt_bind_int(st, in->max_amount_fen);
    if (in->rate_bp >= 0)
        ftz_stmt_bind_int(st, in->rate_bp);
    else
        ftz_stmt_bind_null(st);
    ftz_stmt_bind_id(st, in->term_months);
    ftz_stmt_bind_text(st, in->notes);
    ftz_stmt_bind_int(st, in->active != 0 ? 1 : 0);
}

ftz_rc financing_product_create(ftz_ctx *c, const financing_product_in *in, int64_t *id)
{
    ftz_rc rc = check_product(c, in, 0);
    if (rc) return rc;
    if (c->err.rc) return c->err.rc;
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO bank_products (bank, name, max_amount_fen, rate_bp, "
                        "term_months, notes, active, created_at, updated_at) VALUES (?, ?, ?, ?, "
                        "?, ?, ?, ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    bind_product(st, in);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    rc = ftz_stmt_insert_id(st, id);
    if (rc) goto fail;
    json_t *after;
    if ((rc = financing_product_get(c, *id, &after))) goto fail;
    rc = ftz_audit_id(c, "financing.product.create", "bank_product", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc financing_product_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = financing_product_get(c, id, &before);
    if (rc) return rc;
    financing_product_in in = {0};
    in.bank = jget(before, "bank");
    in.name = jget(before, "name");
    in.max_amount_fen = jint(before, "max_amount_fen");
    json_t *x = json_object_get(before, "rate_bp");
    in.rate_bp = json_is_integer(x) ? json_integer_value(x) : -1;
    in.term_months = jint(before, "term_months");
    in.notes = jget(before, "notes");
    in.active = json_is_true(json_object_get(before, "active")) ? 1 : 0;
    if ((x = json_object_get(patch, "bank"))) in.bank = json_string_value(x);
    if ((x = json_object_get(patch, "name"))) in.name = json_string_value(x);
    if ((x = json_object_get(patch, "notes"))) in.notes = json_string_value(x);
    if ((x = json_object_get(patch, "max_amount_fen"))) in.max_amount_fen = json_integer_value(x);
    if ((x = json_object_get(patch, "rate_bp")))
        in.rate_bp = json_is_integer(x) ? json_integer_value(x) : -1;
    if ((x = json_object_get(patch, "term_months"))) in.term_months = json_integer_value(x);
    if ((x = json_object_get(patch, "active"))) in.active = json_is_true(x) ? 1 : 0;
    if ((rc = check_product(c, &in, id))) goto out;
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE bank_products SET bank = ?, name = ?, max_amount_fen = ?, "
                        "rate_bp = ?, term_months = ?, notes = ?, active = ?, updated_at = ?, "
                        "version = version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    bind_product(st, &in);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    if ((rc = exec_versioned(c, st, jint(before, "version")))) goto fail;
    json_t *after;
    if ((rc = financing_product_get(c, id, &after))) goto fail;
    rc = ftz_audit_id(c, "financing.product.update", "bank_product", id, before, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    goto out;
fail:
    ftz_db_rollback(c->db);
out:
    json_decref(before);
    return rc;
}

ftz_rc financing_product_list(ftz_ctx *c, const financing_product_q *lq, json_t **items,
                              int64_t *total)
{
    ftz_q w;
    ftz_q_init(&w, c->arena);
    ftz_q_sql(&w, "");
    if (lq->q && *lq->q) {
        const char *pat = like_of(c, lq->q);
        if (!pat) return c->err.rc;
        ftz_q_sql(&w, " AND (lower(p.bank) LIKE ? ESCAPE '\\' OR lower(p.name) LIKE ? ESCAPE "
                      "'\\')");
        ftz_q_text(&w, pat);
        ftz_q_text(&w, pat);
    }
    if (lq->active >= 0) {
        ftz_q_sql(&w, " AND p.active = ?");
        ftz_q_int(&w, lq->active ? 1 : 0);
    }
    static const char *const sorts[][2] = {{"id", "p.id"},
                                           {"bank", "p.bank"},
                                           {"name", "p.name"},
                                           {"max_amount_fen", "p.max_amount_fen"},
                                           {"rate_bp", "p.rate_bp"}};
    const char *order = "p.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    return run_list(c, PRODUCT_SELECT, "FROM bank_products p WHERE 1 = 1", &w, order, lq->desc,
                    lq->limit, lq->offset, "p.id", product_row, items, total);
}

/* ---- matches (read) ---- */

#define MATCH_SELECT                                                                               \
    "SELECT m.id, m.need_id, m.product_id, p.bank, p.name, p.max_amount_fen, p.rate_bp, "          \
    "p.term_months, m.status, m.amount_granted_fen, m.granted_on, m.note, m.created_by, "          \
    "(SELECT u.display_name FROM users u WHERE u.id = m.created_by), m.created_at, "               \
    "m.updated_at, m.version, n.firm_id, f.name_zh, f.name_ru, f.name_en, n.amount_fen, "          \
    "n.status, n.raised_on, n.version "
#define MATCH_FROM                                                                                 \
    "FROM financing_matches m JOIN financing_needs n ON n.id = m.need_id JOIN bank_products p "    \
    "ON p.id = m.product_id JOIN firms f ON f.id = n.firm_id WHERE 1 = 1"

static json_t *match_row(ftz_ctx *c, const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "need_id", json_integer(ftz_stmt_int(st, 1)));
    json_object_set_new(o, "product_id", json_integer(ftz_stmt_int(st, 2)));
    json_object_set_new(o, "bank", jstr(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "product_name", jstr(ftz_stmt_text(st, 4)));
    json_object_set_new(o, "product_max_fen", json_integer(ftz_stmt_int(st, 5)));
    json_object_set_new(o, "rate_bp", jid(st, 6));
    json_object_set_new(o, "term_months", jid(st, 7));
    const char *status = ftz_stmt_text(st, 8);
    json_object_set_new(o, "status", jstr(status));
    json_object_set_new(o, "status_name", jstr(financing_status_name(status, c->lang)));
    json_object_set_new(o, "amount_granted_fen", jid(st, 9));
    json_object_set_new(o, "amount_granted_words",
                        ftz_stmt_isnull(st, 9)
                            ? json_null()
                            : json_string(ftz_money_words(c->arena, ftz_stmt_int(st, 9))));
    json_object_set_new(o, "granted_on", jstr(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "note", jstr(ftz_stmt_text(st, 11)));
    json_object_set_new(o, "created_by", jid(st, 12));
    json_object_set_new(o, "created_by_name", jstr(ftz_stmt_text(st, 13)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 14)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 15)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 16)));
    json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 17)));
    json_object_set_new(
        o, "firm_name",
        jstr(pick_name(c, ftz_stmt_text(st, 18), ftz_stmt_text(st, 19), ftz_stmt_text(st, 20))));
    json_object_set_new(o, "need_amount_fen", json_integer(ftz_stmt_int(st, 21)));
    json_object_set_new(o, "need_status", jstr(ftz_stmt_text(st, 22)));
    json_object_set_new(o, "need_raised_on", jstr(ftz_stmt_text(st, 23)));
    json_object_set_new(o, "need_version", json_integer(ftz_stmt_int(st, 24)));
    const char *next[4];
    size_t n = financing_match_next(status, next, FTZ_COUNTOF(next));
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(next[i]));
    json_object_set_new(o, "next", arr);
    return o;
}

ftz_rc financing_match_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, MATCH_SELECT MATCH_FROM " AND m.id = ?");
    ftz_q_int(&q, id);
    auth_scope_where(c, &q, &firm_cols);
    return one_row(c, &q, match_row, out);
}

ftz_rc financing_match_list(ftz_ctx *c, const financing_match_q *lq, json_t **items, int64_t *total)
{
    ftz_q w;
    ftz_q_init(&w, c->arena);
    ftz_q_sql(&w, "");
    const struct {
        const char *col;
        int64_t v;
    } ids[] = {
        {"m.need_id", lq->need_id}, {"n.firm_id", lq->firm_id}, {"m.product_id", lq->product_id}};
    for (size_t i = 0; i < FTZ_COUNTOF(ids); i++)
        if (ids[i].v) {
            ftz_q_sql(&w, ftz_arena_printf(c->arena, " AND %s = ?", ids[i].col));
            ftz_q_int(&w, ids[i].v);
        }
    if (lq->status && *lq->status) {
        ftz_q_sql(&w, " AND m.status = ?");
        ftz_q_text(&w, lq->status);
    }
    date_range(&w, "m.granted_on", lq->from, lq->to);
    auth_scope_where(c, &w, &firm_cols);
    static const char *const sorts[][2] = {{"id", "m.id"},
                                           {"status", "m.status"},
                                           {"granted_on", "m.granted_on"},
                                           {"amount_granted_fen", "m.amount_granted_fen"},
                                           {"bank", "p.bank"},
                                           {"created_at", "m.created_at"}};
    const char *order = "m.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    return run_list(c, MATCH_SELECT MATCH_FROM, MATCH_FROM, &w, order, lq->desc, lq->limit,
                    lq->offset, "m.id", match_row, items, total);
}

/* ---- needs ---- */

#define NEED_SELECT                                                                                \
    "SELECT n.id, n.firm_id, f.name_zh, f.name_ru, f.name_en, n.amount_fen, n.purpose, "           \
    "n.term_months, n.status, n.raised_on, n.notes, n.created_by, (SELECT u.display_name FROM "    \
    "users u WHERE u.id = n.created_by), n.created_at, n.updated_at, n.version, (SELECT "          \
    "COALESCE(SUM(m.amount_granted_fen), 0) FROM financing_matches m WHERE m.need_id = n.id AND "  \
    "m.status = 'granted') AS granted_fen, (SELECT count(*) FROM financing_matches m WHERE "       \
    "m.need_id = n.id) AS matches "
#define NEED_FROM "FROM financing_needs n JOIN firms f ON f.id = n.firm_id WHERE 1 = 1"

static json_t *need_row(ftz_ctx *c, const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "firm_id", json_integer(ftz_stmt_int(st, 1)));
    json_object_set_new(
        o, "firm_name",
        jstr(pick_name(c, ftz_stmt_text(st, 2), ftz_stmt_text(st, 3), ftz_stmt_text(st, 4))));
    json_object_set_new(o, "firm_name_zh", jstr(ftz_stmt_text(st, 2)));
    int64_t amount = ftz_stmt_int(st, 5);
    json_object_set_new(o, "amount_fen", json_integer(amount));
    json_object_set_new(o, "amount_words", json_string(ftz_money_words(c->arena, amount)));
    json_object_set_new(o, "purpose", jstr(ftz_stmt_text(st, 6)));
    json_object_set_new(o, "term_months", json_integer(ftz_stmt_int(st, 7)));
    const char *status = ftz_stmt_text(st, 8);
    json_object_set_new(o, "status", jstr(status));
    json_object_set_new(o, "status_name", jstr(financing_status_name(status, c->lang)));
    json_object_set_new(o, "raised_on", jstr(ftz_stmt_text(st, 9)));
    json_object_set_new(o, "notes", jstr(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "created_by", jid(st, 11));
    json_object_set_new(o, "created_by_name", jstr(ftz_stmt_text(st, 12)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 13)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 14)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 15)));
    int64_t granted = ftz_stmt_int(st, 16);
    json_object_set_new(o, "granted_fen", json_integer(granted));
    json_object_set_new(o, "granted_words", json_string(ftz_money_words(c->arena, granted)));
    json_object_set_new(o, "matches_count", json_integer(ftz_stmt_int(st, 17)));
    return o;
}

static ftz_rc need_load(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, NEED_SELECT NEED_FROM " AND n.id = ?");
    ftz_q_int(&q, id);
    auth_scope_where(c, &q, &firm_cols);
    return one_row(c, &q, need_row, out);
}

ftz_rc financing_need_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_rc rc = need_load(c, id, out);
    if (rc) return rc;
    financing_match_q mq = {0};
    mq.need_id = id;
    mq.sort_key = "id";
    mq.limit = 1000;
    json_t *items;
    int64_t total;
    if ((rc = financing_match_list(c, &mq, &items, &total))) {
        json_decref(*out);
        *out = NULL;
        return rc;
    }
    json_object_set_new(*out, "matches", items);
    return FTZ_OK;
}

/* Whether the firm exists within the caller's scope. */
static ftz_rc firm_in_scope(ftz_ctx *c, int64_t firm_id, bool *ok)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT f.id FROM firms f WHERE f.id = ?");
    ftz_q_int(&q, firm_id);
    auth_scope_where(c, &q, &firm_cols);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    *ok = r == 1;
    return FTZ_OK;
}

static void check_need_fields(ftz_ctx *c, const financing_need_in *in)
{
    check_len(c, "purpose", in->purpose, 500);
    check_len(c, "notes", in->notes, 2000);
    if (!in->purpose) ftz_err_field(&c->err, "purpose", "required", NULL);
    check_range(c, "amount_fen", in->amount_fen, 1, FINANCING_AMOUNT_MAX);
    check_range(c, "term_months", in->term_months, 1, FINANCING_TERM_MAX);
    ftz_date d;
    if (in->raised_on) check_date(c, "raised_on", in->raised_on, &d);
}

ftz_rc financing_need_create(ftz_ctx *c, const financing_need_in *in0, int64_t *id)
{
    financing_need_in in = *in0;
    const ftz_principal *p = c->who;
    bool own_firm = p && !p->system && p->scope == FTZ_SCOPE_OWN_FIRM;
    if (!in.firm_id && own_firm) in.firm_id = p->firm_id;
    ftz_rc rc;
    if (!in.firm_id) {
        ftz_err_field(&c->err, "firm_id", "required", NULL);
    } else {
        bool ok = false;
        if ((rc = firm_in_scope(c, in.firm_id, &ok))) return rc;
        if (!ok) ftz_err_field(&c->err, "firm_id", "no_such", NULL);
    }
    char day[11];
    if (!in.raised_on) {
        ftz_date_format(today_of(c), day);
        in.raised_on = day;
    }
    check_need_fields(c, &in);
    if (c->err.rc) return c->err.rc;
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO financing_needs (firm_id, amount_fen, purpose, term_months, "
                        "status, raised_on, notes, created_by, created_at, updated_at) VALUES (?, "
                        "?, ?, ?, 'open', ?, ?, ?, ?, ?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, in.firm_id);
    ftz_stmt_bind_int(st, in.amount_fen);
    ftz_stmt_bind_text(st, in.purpose);
    ftz_stmt_bind_int(st, in.term_months);
    ftz_stmt_bind_text(st, in.raised_on);
    ftz_stmt_bind_text(st, in.notes);
    ftz_stmt_bind_id(st, me(c));
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    rc = ftz_stmt_insert_id(st, id);
    if (rc) goto fail;
    json_t *after;
    if ((rc = need_load(c, *id, &after))) goto fail;
    rc = ftz_audit_id(c, "financing.need.create", "financing_need", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

/* How many of the need's matches are alive and granted, and what they granted except match
 * `except` (0 = none). */
static ftz_rc need_counts(ftz_ctx *c, int64_t need_id, int64_t except, int64_t *alive,
                          int64_t *granted, int64_t *granted_other)
{
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db,
        "SELECT SUM(CASE WHEN status IN ('proposed', 'applied') THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN status = 'granted' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'granted' "
        "AND id <> ? THEN amount_granted_fen ELSE 0 END) FROM financing_matches WHERE need_id = ?",
        &st);
    if (rc) return rc;
    ftz_stmt_bind_int(st, except);
    ftz_stmt_bind_int(st, need_id);
    int r = ftz_stmt_next(st);
    if (r == 1) {
        *alive = ftz_stmt_int(st, 0);
        *granted = ftz_stmt_int(st, 1);
        *granted_other = ftz_stmt_int(st, 2);
    }
    ftz_stmt_done(st);
    return r < 0 ? FTZ_EDB : FTZ_OK;
}

/* Sets the need's status after a change of its matches (inside the caller's transaction):
 * the conditional update on its version serialises changes to one need, so two grants
 * cannot both pass the cap. Audits a change of status. */
static ftz_rc need_follow(ftz_ctx *c, int64_t need_id, const char *status, int64_t version,
                          const char *now)
{
    int64_t alive = 0, granted = 0, other = 0;
    ftz_rc rc = need_counts(c, need_id, 0, &alive, &granted, &other);
    if (rc) return rc;
    const char *next = financing_need_status(status, alive, granted);
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE financing_needs SET status = ?, updated_at = ?, version = "
                        "version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, next);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, need_id);
    ftz_stmt_bind_int(st, version);
    if ((rc = exec_versioned(c, st, version))) return rc;
    if (strcmp(next, status) == 0) return FTZ_OK;
    json_t *b = json_pack("{s:s}", "status", status), *a = json_pack("{s:s}", "status", next);
    rc = ftz_audit_id(c, "financing.need.status", "financing_need", need_id, b, a);
    json_decref(b);
    json_decref(a);
    return rc;
}

ftz_rc financing_need_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = need_load(c, id, &before);
    if (rc) return rc;
    financing_need_in in = {0};
    in.firm_id = jint(before, "firm_id");
    in.amount_fen = jint(before, "amount_fen");
    in.purpose = jget(before, "purpose");
    in.term_months = jint(before, "term_months");
    in.raised_on = jget(before, "raised_on");
    in.notes = jget(before, "notes");
    const char *status = jget(before, "status");
    json_t *x;
    if ((x = json_object_get(patch, "amount_fen"))) in.amount_fen = json_integer_value(x);
    if ((x = json_object_get(patch, "term_months"))) in.term_months = json_integer_value(x);
    if ((x = json_object_get(patch, "purpose"))) in.purpose = json_string_value(x);
    if ((x = json_object_get(patch, "notes"))) in.notes = json_string_value(x);
    if ((x = json_object_get(patch, "raised_on"))) {
        in.raised_on = json_string_value(x);
        if (!in.raised_on) ftz_err_field(&c->err, "raised_on", "required", NULL);
    }
    check_need_fields(c, &in);
    const char *want = json_string_value(json_object_get(patch, "status"));
    if (json_object_get(patch, "status") &&
        (!want || (strcmp(want, "open") != 0 && strcmp(want, "closed") != 0)))
        ftz_err_field(&c->err, "status", "enum", "open, closed");
    int64_t alive = 0, granted = 0, granted_fen = 0;
    if ((rc = need_counts(c, id, 0, &alive, &granted, &granted_fen))) goto out;
    /* never below what was granted, never raised after a grant */
    if (!c->err.rc && in.amount_fen < granted_fen)
        check_range(c, "amount_fen", in.amount_fen, granted_fen, FINANCING_AMOUNT_MAX);
    if (in.raised_on && json_object_get(patch, "raised_on")) {
        int64_t n = 0;
        rc = ftz_db_scalar(c->db, &n,
                           "SELECT count(*) FROM financing_matches WHERE need_id = ? AND "
                           "status = 'granted' AND granted_on < ?",
                           "is", id, in.raised_on);
        if (rc) goto out;
        if (n > 0) ftz_err_field(&c->err, "raised_on", "after_grant", NULL);
    }
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    const char *next = status;
    if (want && strcmp(want, "closed") == 0) next = "closed";
    if (want && strcmp(want, "open") == 0)
        next =
            financing_need_status(strcmp(status, "closed") == 0 ? "open" : status, alive, granted);
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE financing_needs SET amount_fen = ?, purpose = ?, term_months = ?, "
                        "raised_on = ?, notes = ?, status = ?, updated_at = ?, version = version "
                        "+ 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, in.amount_fen);
    ftz_stmt_bind_text(st, in.purpose);
    ftz_stmt_bind_int(st, in.term_months);
    ftz_stmt_bind_text(st, in.raised_on);
    ftz_stmt_bind_text(st, in.notes);
    ftz_stmt_bind_text(st, next);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    if ((rc = exec_versioned(c, st, jint(before, "version")))) goto fail;
    json_t *after;
    AS_SYSTEM(c, need_load(c, id, &after));
    if (rc) goto fail;
    rc = ftz_audit_id(c, "financing.need.update", "financing_need", id, before, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    goto out;
fail:
    ftz_db_rollback(c->db);
out:
    json_decref(before);
    return rc;
}

ftz_rc financing_need_list(ftz_ctx *c, const financing_need_q *lq, json_t **items, int64_t *total)
{
    ftz_q w;
    ftz_q_init(&w, c->arena);
    ftz_q_sql(&w, "");
    if (lq->q && *lq->q) {
        const char *pat = like_of(c, lq->q);
        if (!pat) return c->err.rc;
        ftz_q_sql(&w, " AND (f.name_fold LIKE ? ESCAPE '\\' OR lower(n.purpose) LIKE ? ESCAPE "
                      "'\\')");
        ftz_q_text(&w, pat);
        ftz_q_text(&w, pat);
    }
    if (lq->firm_id) {
        ftz_q_sql(&w, " AND n.firm_id = ?");
        ftz_q_int(&w, lq->firm_id);
    }
    if (lq->status && strcmp(lq->status, "active") == 0) {
        ftz_q_sql(&w, " AND n.status IN ('open', 'matched')");
    } else if (lq->status && *lq->status) {
        ftz_q_sql(&w, " AND n.status = ?");
        ftz_q_text(&w, lq->status);
    }
    date_range(&w, "n.raised_on", lq->from, lq->to);
    auth_scope_where(c, &w, &firm_cols);
    static const char *const sorts[][2] = {
        {"id", "n.id"},        {"raised_on", "n.raised_on"}, {"amount_fen", "n.amount_fen"},
        {"firm", "f.name_zh"}, {"status", "n.status"},       {"granted_fen", "granted_fen"}};
    const char *order = "n.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    return run_list(c, NEED_SELECT NEED_FROM, NEED_FROM, &w, order, lq->desc, lq->limit, lq->offset,
                    "n.id", need_row, items, total);
}

/* ---- matches (write) ---- */

ftz_rc financing_match_create(ftz_ctx *c, int64_t need_id, int64_t product_id, const char *note,
                              int64_t *id)
{
    json_t *need;
    ftz_rc rc = need_load(c, need_id, &need);
    if (rc) return rc;
    const char *status = ftz_arena_strdup(c->arena, jget(need, "status"));
    int64_t need_version = jint(need, "version");
    json_decref(need);
    check_len(c, "note", note, 2000);
    if (!product_id) {
        ftz_err_field(&c->err, "product_id", "required", NULL);
    } else {
        int64_t active = 0;
        rc = ftz_db_scalar(c->db, &active, "SELECT active FROM bank_products WHERE id = ?", "i",
                           product_id);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "product_id", "no_such", NULL);
        else if (rc)
            return rc;
        else if (!active)
            ftz_err_field(&c->err, "product_id", "inactive", NULL);
    }
    if (c->err.rc) return c->err.rc;
    if (strcmp(status, "closed") == 0)
        return ftz_err_set(&c->err, FTZ_ECONFLICT, "need_closed", NULL);
    int64_t x;
    rc = ftz_db_scalar(c->db, &x,
                       "SELECT id FROM financing_matches WHERE need_id = ? AND product_id = ?",
                       "ii", need_id, product_id);
    if (rc == FTZ_OK) {
        ftz_err_duplicate(&c->err, "product_id");
        return c->err.rc;
    }
    if (rc != FTZ_ENOTFOUND) return rc;
    char now[32];
    case_now_iso(c, now);
    if ((rc = ftz_db_begin(c->db))) return rc;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "INSERT INTO financing_matches (need_id, product_id, status, note, "
                        "created_by, created_at, updated_at) VALUES (?, ?, 'proposed', ?, ?, ?, "
                        "?) RETURNING id",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_int(st, need_id);
    ftz_stmt_bind_int(st, product_id);
    ftz_stmt_bind_text(st, note);
    ftz_stmt_bind_id(st, me(c));
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    rc = ftz_stmt_insert_id(st, id);
    if (rc == FTZ_ECONFLICT) ftz_err_duplicate(&c->err, "product_id");
    if (rc) goto fail;
    if ((rc = need_follow(c, need_id, status, need_version, now))) goto fail;
    json_t *after;
    AS_SYSTEM(c, financing_match_get(c, *id, &after));
    if (rc) goto fail;
    rc = ftz_audit_id(c, "financing.match.create", "financing_match", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    return ftz_db_commit(c->db);
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc financing_match_update(ftz_ctx *c, int64_t id, int64_t version,
                              const financing_match_change *ch)
{
    /* everything read inside the transaction: the cap depends on the need's other grants */
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) return rc;
    json_t *before = NULL, *after = NULL;
    if ((rc = financing_match_get(c, id, &before))) goto fail;
    const char *cur = jget(before, "status");
    const char *next = ch->status ? ch->status : cur;
    int64_t need_id = jint(before, "need_id");
    const char *need_status = jget(before, "need_status");
    if (ch->status && !financing_match_status_known(ch->status))
        ftz_err_field(&c->err, "status", "enum", "proposed, applied, granted, declined");
    check_len(c, "note", ch->note, 2000);
    bool granted = strcmp(next, "granted") == 0;
    int64_t amount = 0;
    const char *on = NULL;
    if (granted && !c->err.rc) {
        json_t *a = json_object_get(before, "amount_granted_fen");
        amount = ch->has_amount ? ch->amount_granted_fen : json_integer_value(a);
        on = ch->granted_on ? ch->granted_on : jget(before, "granted_on");
        int64_t alive = 0, ngranted = 0, other = 0;
        if ((rc = need_counts(c, need_id, id, &alive, &ngranted, &other))) goto fail;
        int64_t cap = financing_grant_cap(jint(before, "product_max_fen"),
                                          jint(before, "need_amount_fen"), other);
        if (!ch->has_amount && !json_is_integer(a))
            ftz_err_field(&c->err, "amount_granted_fen", "required", NULL);
        else
            check_range(c, "amount_granted_fen", amount, 1, cap);
        ftz_date d, raised;
        if (!on) {
            ftz_err_field(&c->err, "granted_on", "required", NULL);
        } else if (check_date(c, "granted_on", on, &d) &&
                   !ftz_date_parse(jget(before, "need_raised_on"), &raised) && d < raised) {
            ftz_err_field(&c->err, "granted_on", "before_need",
                          ftz_arena_strdup(c->arena, jget(before, "need_raised_on")));
        }
    } else if (!granted) {
        if (ch->has_amount) ftz_err_field(&c->err, "amount_granted_fen", "granted_only", NULL);
        if (ch->granted_on) ftz_err_field(&c->err, "granted_on", "granted_only", NULL);
    }
    if (c->err.rc) {
        rc = c->err.rc;
        goto fail;
    }
    if (strcmp(need_status, "closed") == 0) {
        rc = ftz_err_set(&c->err, FTZ_ECONFLICT, "need_closed", NULL);
        goto fail;
    }
    if (strcmp(next, cur) != 0 && !financing_match_step(cur, next)) {
        rc = ftz_err_set(&c->err, FTZ_ECONFLICT, "match_transition",
                         ftz_arena_printf(c->arena, "%s → %s", cur, next));
        goto fail;
    }
    if (jint(before, "version") != version) {
        char v[24];
        snprintf(v, sizeof v, "%lld", (long long)jint(before, "version"));
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", ftz_arena_strdup(c->arena, v));
        goto fail;
    }
    char now[32];
    case_now_iso(c, now);
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE financing_matches SET status = ?, amount_granted_fen = ?, "
                        "granted_on = ?, note = ?, updated_at = ?, version = version + 1 WHERE "
                        "id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, next);
    if (granted)
        ftz_stmt_bind_int(st, amount);
    else
        ftz_stmt_bind_null(st);
    ftz_stmt_bind_text(st, granted ? on : NULL);
    ftz_stmt_bind_text(st, ch->has_note ? ch->note : jget(before, "note"));
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    if ((rc = exec_versioned(c, st, version))) goto fail;
    if ((rc = need_follow(c, need_id, need_status, jint(before, "need_version"), now))) goto fail;
    AS_SYSTEM(c, financing_match_get(c, id, &after));
    if (rc) goto fail;
    rc = ftz_audit_id(c, "financing.match.update", "financing_match", id, before, after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    json_decref(before);
    json_decref(after);
    return rc;
fail:
    ftz_db_rollback(c->db);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* ---- the figure ---- */

/* Granted matches in the period within scope, grouped by key (NULL: one total row). */
static ftz_rc granted_rows(ftz_ctx *c, const char *key, const char *from, const char *to,
                           json_t **rows)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q,
              ftz_arena_printf(c->arena,
                               "SELECT %s, COALESCE(SUM(m.amount_granted_fen), 0), count(*), "
                               "count(DISTINCT n.firm_id) " MATCH_FROM " AND m.status = 'granted'",
                               key ? key : "'all'"));
    date_range(&q, "m.granted_on", from, to);
    auth_scope_where(c, &q, &firm_cols);
    if (key) ftz_q_sql(&q, ftz_arena_printf(c->arena, " GROUP BY %s ORDER BY %s", key, key));
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    int r;
    while ((r = ftz_stmt_next(st)) == 1) {
        int64_t fen = ftz_stmt_int(st, 1);
        const char *k = ftz_stmt_text(st, 0);
        json_array_append_new(arr, json_pack("{s:o,s:o,s:I,s:s,s:I,s:I}", "key", jstr(k), "label",
                                             jstr(k), "granted_fen", (json_int_t)fen,
                                             "granted_words", ftz_money_words(c->arena, fen),
                                             "matches", (json_int_t)ftz_stmt_int(st, 2), "firms",
                                             (json_int_t)ftz_stmt_int(st, 3)));
    }
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *rows = arr;
    return FTZ_OK;
}

ftz_rc financing_figures(ftz_ctx *c, const char *from, const char *to, json_t **out)
{
    json_t *total = NULL, *by_bank = NULL, *by_month = NULL;
    ftz_rc rc;
    if ((rc = granted_rows(c, NULL, from, to, &total))) goto fail;
    if ((rc = granted_rows(c, "p.bank", from, to, &by_bank))) goto fail;
    if ((rc = granted_rows(c, "substr(m.granted_on, 1, 7)", from, to, &by_month))) goto fail;
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*), SUM(CASE WHEN n.status IN ('open', 'matched') THEN 1 ELSE 0 "
                  "END), SUM(CASE WHEN n.status IN ('open', 'matched') THEN n.amount_fen ELSE 0 "
                  "END) " NEED_FROM);
    date_range(&q, "n.raised_on", from, to);
    auth_scope_where(c, &q, &firm_cols);
    ftz_stmt *st;
    if ((rc = ftz_q_prepare(c->db, &q, &st))) goto fail;
    int r = ftz_stmt_next(st);
    int64_t needs = 0, open = 0, open_fen = 0;
    if (r == 1) {
        needs = ftz_stmt_int(st, 0);
        open = ftz_stmt_int(st, 1);
        open_fen = ftz_stmt_int(st, 2);
    }
    ftz_stmt_done(st);
    if (r < 0) {
        rc = FTZ_EDB;
        goto fail;
    }
    json_t *t = json_array_get(total, 0);
    int64_t fen = t ? jint(t, "granted_fen") : 0;
    json_t *o = json_object();
    json_object_set_new(o, "from", jstr(from));
    json_object_set_new(o, "to", jstr(to));
    json_object_set_new(o, "granted_fen", json_integer(fen));
    json_object_set_new(o, "granted_words", json_string(ftz_money_words(c->arena, fen)));
    json_object_set_new(o, "matches_granted", json_integer(t ? jint(t, "matches") : 0));
    json_object_set_new(o, "firms_financed", json_integer(t ? jint(t, "firms") : 0));
    json_object_set_new(o, "needs_total", json_integer(needs));
    json_object_set_new(o, "needs_open", json_integer(open));
    json_object_set_new(o, "needs_open_fen", json_integer(open_fen));
    json_object_set_new(o, "needs_open_words", json_string(ftz_money_words(c->arena, open_fen)));
    json_object_set_new(o, "by_bank", by_bank);
    json_object_set_new(o, "by_month", by_month);
    json_decref(total);
    *out = o;
    return FTZ_OK;
fail:
    json_decref(total);
    json_decref(by_bank);
    json_decref(by_month);
    return rc;
}
