/* store.c — the firm registry's SQL (through db.h only) and its rules: the credit code is
 * checked (GB 32100 and the GB 11714 organisation code inside it), names are folded for
 * search, and every read is scoped in SQL (a firm account sees its own firm, a commissioner
 * the firms assigned to them, staff their department tree). */
#include "core/ftz_setup.h"
#include "firm/firm.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/platform.h"
#include "core/utf8.h"
#include "db/db.h"
#include "firm/commissioner.h"
#include "firm/uscc.h"

#include <stdio.h>
#include <string.h>

static const auth_scope_cols firm_scope = {"f.department_id", "f.id", "f.commissioner_id"};

#define FIRM_SELECT                                                                                \
    "SELECT f.id, f.credit_code, f.name_zh, f.name_ru, f.name_en, f.status, f.commissioner_id, "   \
    "cu.display_name, f.department_id, " FTZ_DEPT_NAME_SQL                                         \
    ", f.created_at, f.updated_at, f.version, f.industry, f.customs_code, f.cross_border, "        \
    "f.address, f.legal_rep, f.contact_name, f.contact_phone, f.contact_email "                    \
    "FROM firms f LEFT JOIN users cu ON cu.id = f.commissioner_id "                                \
    "LEFT JOIN departments d ON d.id = f.department_id WHERE 1 = 1"

static json_t *jstr(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *jid(const ftz_stmt *st, int col)
{
    return ftz_stmt_isnull(st, col) ? json_null() : json_integer(ftz_stmt_int(st, col));
}

static json_t *firm_row(const ftz_stmt *st)
{
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(ftz_stmt_int(st, 0)));
    json_object_set_new(o, "credit_code", jstr(ftz_stmt_text(st, 1)));
    json_object_set_new(o, "name_zh", jstr(ftz_stmt_text(st, 2)));
    json_object_set_new(o, "name_ru", jstr(ftz_stmt_text(st, 3)));
    json_object_set_new(o, "name_en", jstr(ftz_stmt_text(st, 4)));
    json_object_set_new(o, "status", jstr(ftz_stmt_text(st, 5)));
    json_object_set_new(o, "commissioner_id", jid(st, 6));
    json_object_set_new(o, "commissioner_name", jstr(ftz_stmt_text(st, 7)));
    json_object_set_new(o, "department_id", jid(st, 8));
    json_object_set_new(o, "department_name", jstr(ftz_stmt_text(st, 9)));
    json_object_set_new(o, "created_at", jstr(ftz_stmt_text(st, 10)));
    json_object_set_new(o, "updated_at", jstr(ftz_stmt_text(st, 11)));
    json_object_set_new(o, "version", json_integer(ftz_stmt_int(st, 12)));
    json_object_set_new(o, "industry", jstr(ftz_stmt_text(st, 13)));
    json_object_set_new(o, "customs_code", jstr(ftz_stmt_text(st, 14)));
    json_object_set_new(o, "cross_border", json_boolean(ftz_stmt_int(st, 15)));
    json_object_set_new(o, "address", jstr(ftz_stmt_text(st, 16)));
    json_object_set_new(o, "legal_rep", jstr(ftz_stmt_text(st, 17)));
    json_object_set_new(o, "contact_name", jstr(ftz_stmt_text(st, 18)));
    json_object_set_new(o, "contact_phone", jstr(ftz_stmt_text(st, 19)));
    json_object_set_new(o, "contact_email", jstr(ftz_stmt_text(st, 20)));
    return o;
}

static bool status_ok(const char *s)
{
    return strcmp(s, "active") == 0 || strcmp(s, "suspended") == 0 || strcmp(s, "closed") == 0;
}

static char *fold_names(ftz_arena *a, const char *zh, const char *ru, const char *en)
{
    char *all = ftz_arena_printf(a, "%s %s %s", zh ? zh : "", ru ? ru : "", en ? en : "");
    char *f = ftz_utf8_fold(a, all);
    return f ? f : all;
}

/* Records what is wrong with the credit code; true when it is a valid one. */
static bool check_code(ftz_ctx *c, const char *code)
{
    const char *why = NULL;
    if (!code) {
        ftz_err_field(&c->err, "credit_code", "required", NULL);
        return false;
    }
    if (firm_uscc_valid(code, &why)) return true;
    if (why && (strcmp(why, "check_digit") == 0 || strcmp(why, "org_check_digit") == 0))
        ftz_err_field(&c->err, "credit_code", "check_digit", NULL);
    else
        ftz_err_field(&c->err, "credit_code", "format", "GB 32100-2015");
    return false;
}

/* The longest text of each field, in characters (the API's and the import's caps). */
static const struct {
    const char *field;
    size_t max;
} field_max[] = {
    {"credit_code", 18}, {"name_zh", 200},      {"name_ru", 200},      {"name_en", 200},
    {"status", 16},      {"industry", 8},       {"customs_code", 10},  {"address", 300},
    {"legal_rep", 100},  {"contact_name", 100}, {"contact_phone", 32}, {"contact_email", 200},
};

size_t firm_field_max(const char *field)
{
    for (size_t i = 0; i < FTZ_COUNTOF(field_max); i++)
        if (strcmp(field_max[i].field, field) == 0) return field_max[i].max;
    return 0;
}

static char *upper_copy(ftz_arena *a, const char *s)
{
    char *up = ftz_arena_strdup(a, s);
    for (char *p = up; *p; p++)
        if (*p >= 'a' && *p <= 'z') *p = (char)(*p - 'a' + 'A');
    return up;
}

void firm_in_normalize(ftz_arena *a, firm_in *in)
{
    if (in->credit_code) in->credit_code = upper_copy(a, in->credit_code);
    if (in->customs_code) in->customs_code = upper_copy(a, in->customs_code);
}

bool firm_field_self_editable(const char *field)
{
    static const char *const own[] = {"name_zh",      "name_ru",       "name_en",       "industry",
                                      "customs_code", "cross_border",  "address",       "legal_rep",
                                      "contact_name", "contact_phone", "contact_email", NULL};
    for (const char *const *p = own; *p; p++)
        if (strcmp(*p, field) == 0) return true;
    return false;
}

/* The details' rules: industry from the dictionary, customs code 10 × [0-9A-Z], a phone of
 * digits with + - space ( ), an e-mail address of the plain local@domain.tld shape. */
static void check_details(ftz_ctx *c, const char *industry, const char *customs, const char *phone,
                          const char *email)
{
    if (industry) {
        const ftz_dict *d = ftz_dict_get(ftz_platform_dicts(), "industries");
        if (!d || !ftz_dict_lookup(d, industry))
            ftz_err_field(&c->err, "industry", "enum", "GB/T 4754-2017 (dictionary industries)");
    }
    if (customs) {
        bool ok = strlen(customs) == 10;
        for (const char *p = customs; ok && *p; p++)
            ok = (*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z');
        if (!ok) ftz_err_field(&c->err, "customs_code", "format", "10 × 0-9 A-Z");
    }
    if (phone) {
        size_t digits = 0;
        bool ok = true;
        for (const char *p = phone; ok && *p; p++) {
            if (*p >= '0' && *p <= '9')
                digits++;
            else
                ok = strchr("+- ()", *p) != NULL;
        }
        if (!ok || digits < 5 || digits > 20)
            ftz_err_field(&c->err, "contact_phone", "format", "+7 (4162) 000-000");
    }
    if (email) {
        const char *at = strchr(email, '@');
        const char *dot = at ? strrchr(at, '.') : NULL;
        bool ok = at && at != email && dot && dot > at + 1 && dot[1] && !strchr(at + 1, '@') &&
                  !strpbrk(email, " \t<>,;\"");
        if (!ok) ftz_err_field(&c->err, "contact_email", "format", "name@example.com");
    }
}

static ftz_rc check_refs(ftz_ctx *c, int64_t commissioner_id, int64_t department_id)
{
    int64_t x;
    ftz_rc rc;
    if (commissioner_id) {
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM users WHERE id = ?", "i", commissioner_id);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "commissioner_id", "no_such", NULL);
        else if (rc)
            return rc;
    }
    if (department_id) {
        rc =
            ftz_db_scalar(c->db, &x, "SELECT id FROM departments WHERE id = ?", "i", department_id);
        if (rc == FTZ_ENOTFOUND)
            ftz_err_field(&c->err, "department_id", "no_such", NULL);
        else if (rc)
            return rc;
    }
    return FTZ_OK;
}

ftz_rc firm_get(ftz_ctx *c, int64_t id, json_t **out)
{
    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, FIRM_SELECT " AND f.id = ?");
    ftz_q_text(&q, c->lang);
    ftz_q_int(&q, id);
    auth_scope_where(c, &q, &firm_scope);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *out = r == 1 ? firm_row(st) : NULL;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;
    if (r == 0) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return FTZ_OK;
}

bool firm_exists(ftz_ctx *c, int64_t id)
{
    int64_t x;
    return ftz_db_scalar(c->db, &x, "SELECT id FROM firms WHERE id = ?", "i", id) == FTZ_OK;
}

ftz_rc firm_find_by_code(ftz_ctx *c, const char *credit_code, int64_t *id)
{
    ftz_rc rc =
        ftz_db_scalar(c->db, id, "SELECT id FROM firms WHERE credit_code = ?", "s", credit_code);
    if (rc == FTZ_ENOTFOUND) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return rc;
}

/* Records "too_long" for a text over its cap; true when it is. */
static bool too_long(ftz_ctx *c, const char *field, const char *value)
{
    size_t max = firm_field_max(field);
    if (!value || !max || ftz_utf8_len(value) <= max) return false;
    char lim[24];
    snprintf(lim, sizeof lim, "%zu", max);
    ftz_err_field(&c->err, field, "too_long", lim);
    return true;
}

ftz_rc firm_check_new(ftz_ctx *c, const firm_in *in)
{
    bool code_long = too_long(c, "credit_code", in->credit_code);
    too_long(c, "name_zh", in->name_zh);
    too_long(c, "name_ru", in->name_ru);
    too_long(c, "name_en", in->name_en);
    bool status_long = too_long(c, "status", in->status);
    bool industry_long = too_long(c, "industry", in->industry);
    bool customs_long = too_long(c, "customs_code", in->customs_code);
    too_long(c, "address", in->address);
    too_long(c, "legal_rep", in->legal_rep);
    too_long(c, "contact_name", in->contact_name);
    bool phone_long = too_long(c, "contact_phone", in->contact_phone);
    bool email_long = too_long(c, "contact_email", in->contact_email);
    bool code_ok = !code_long && check_code(c, in->credit_code);
    if (!in->name_zh) ftz_err_field(&c->err, "name_zh", "required", NULL);
    if (in->status && !status_long && !status_ok(in->status))
        ftz_err_field(&c->err, "status", "enum", "active, suspended, closed");
    check_details(c, industry_long ? NULL : in->industry, customs_long ? NULL : in->customs_code,
                  phone_long ? NULL : in->contact_phone, email_long ? NULL : in->contact_email);
    ftz_rc rc = check_refs(c, in->commissioner_id, in->department_id);
    if (rc) return rc;
    if (code_ok) {
        int64_t x;
        rc = ftz_db_scalar(c->db, &x, "SELECT id FROM firms WHERE credit_code = ?", "s",
                           in->credit_code);
        if (rc == FTZ_OK)
            ftz_err_duplicate(&c->err, "credit_code");
        else if (rc != FTZ_ENOTFOUND)
            return rc;
    }
    return FTZ_OK;
}

/* One INSERT of a checked firm, inside the caller's transaction; a credit code taken
 * meanwhile is FTZ_ECONFLICT with the duplicate recorded. */
static ftz_rc insert_row(ftz_ctx *c, const firm_in *in, const char *now, int64_t *id)
{
    ftz_stmt *st;
    ftz_rc rc =
        ftz_db_prepare(c->db,
                       "INSERT INTO firms (credit_code, name_zh, name_ru, name_en, name_fold, "
                       "status, commissioner_id, department_id, created_at, updated_at, "
                       "industry, customs_code, cross_border, address, legal_rep, contact_name, "
                       "contact_phone, contact_email) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                       &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, in->credit_code);
    ftz_stmt_bind_text(st, in->name_zh);
    ftz_stmt_bind_text(st, in->name_ru);
    ftz_stmt_bind_text(st, in->name_en);
    ftz_stmt_bind_text(st, fold_names(c->arena, in->name_zh, in->name_ru, in->name_en));
    ftz_stmt_bind_text(st, in->status ? in->status : "active");
    ftz_stmt_bind_id(st, in->commissioner_id);
    ftz_stmt_bind_id(st, in->department_id);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, in->industry);
    ftz_stmt_bind_text(st, in->customs_code);
    ftz_stmt_bind_int(st, in->cross_border > 0 ? 1 : 0);
    ftz_stmt_bind_text(st, in->address);
    ftz_stmt_bind_text(st, in->legal_rep);
    ftz_stmt_bind_text(st, in->contact_name);
    ftz_stmt_bind_text(st, in->contact_phone);
    ftz_stmt_bind_text(st, in->contact_email);
    int r = ftz_stmt_next(st);
    *id = r == 1 ? ftz_stmt_int(st, 0) : 0;
    rc = r == 1 ? FTZ_OK : (ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB);
    ftz_stmt_done(st);
    if (rc == FTZ_ECONFLICT) ftz_err_duplicate(&c->err, "credit_code");
    return rc;
}

ftz_rc firm_create(ftz_ctx *c, const firm_in *in, int64_t *id)
{
    ftz_rc rc = firm_check_new(c, in);
    if (rc) return rc;
    if (c->err.rc) return c->err.rc;
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) return rc;
    rc = insert_row(c, in, now, id);
    if (rc) goto fail;
    /* The commissioner (given, or chosen now) and the start-up package (commissioner.h). */
    firm_reg reg;
    int64_t assigned;
    rc = firm_reg_begin(c, &reg);
    if (rc) goto fail;
    rc = firm_reg_firm(c, &reg, *id, in, now, true, &assigned);
    if (rc) goto fail;
    /* Read back unscoped: the creator may not be in the firm's scope. */
    ftz_principal *saved = c->who;
    ftz_principal sys = {.system = true, .username = "system"};
    c->who = &sys;
    json_t *after;
    rc = firm_get(c, *id, &after);
    c->who = saved;
    if (rc) goto fail;
    rc = ftz_audit_id(c, "firm.create", "firm", *id, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc firm_create_many(ftz_ctx *c, const firm_in *rows, size_t n, json_t *batch, int64_t *ids)
{
    char now[32];
    ftz_db_now(now);
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) return rc;
    firm_reg reg;
    rc = firm_reg_begin(c, &reg);
    if (rc) goto fail;
    for (size_t i = 0; i < n; i++) {
        rc = insert_row(c, &rows[i], now, &ids[i]);
        if (rc) goto fail;
        int64_t assigned;
        rc = firm_reg_firm(c, &reg, ids[i], &rows[i], now, false, &assigned);
        if (rc) goto fail;
    }
    /* The new ids as runs [first, last]: one run when nothing else inserted meanwhile. */
    json_t *runs = json_array();
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j + 1 < n && ids[j + 1] == ids[j] + 1)
            j++;
        json_array_append_new(runs, json_pack("[I,I]", (json_int_t)ids[i], (json_int_t)ids[j]));
        i = j + 1;
    }
    json_t *after = batch ? json_copy(batch) : json_object();
    json_object_set_new(after, "inserted", json_integer((json_int_t)n));
    json_object_set_new(after, "id_runs", runs);
    if (reg.auto_assign)
        json_object_set_new(after, "commissioners",
                            json_pack("{s:I,s:I}", "auto_assigned", (json_int_t)reg.auto_assigned,
                                      "unassigned", (json_int_t)reg.unassigned));
    rc = ftz_audit(c, "firm.import", "firm", NULL, NULL, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc firm_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch)
{
    json_t *before;
    ftz_rc rc = firm_get(c, id, &before);
    if (rc) return rc;
    const char *zh = json_string_value(json_object_get(before, "name_zh"));
    const char *ru = json_string_value(json_object_get(before, "name_ru"));
    const char *en = json_string_value(json_object_get(before, "name_en"));
    const char *status = json_string_value(json_object_get(before, "status"));
    int64_t comm = json_integer_value(json_object_get(before, "commissioner_id"));
    int64_t dept = json_integer_value(json_object_get(before, "department_id"));
    json_t *v;
    if ((v = json_object_get(patch, "name_zh"))) zh = json_string_value(v);
    if ((v = json_object_get(patch, "name_ru"))) ru = json_string_value(v);
    if ((v = json_object_get(patch, "name_en"))) en = json_string_value(v);
    if ((v = json_object_get(patch, "status"))) status = json_string_value(v);
    if ((v = json_object_get(patch, "commissioner_id"))) comm = json_integer_value(v);
    if ((v = json_object_get(patch, "department_id"))) dept = json_integer_value(v);
    static const char *const detail_keys[] = {"industry",     "customs_code", "address",
                                              "legal_rep",    "contact_name", "contact_phone",
                                              "contact_email"};
    const char *detail[FTZ_COUNTOF(detail_keys)];
    for (size_t i = 0; i < FTZ_COUNTOF(detail_keys); i++) {
        detail[i] = json_string_value(json_object_get(before, detail_keys[i]));
        if ((v = json_object_get(patch, detail_keys[i]))) detail[i] = json_string_value(v);
    }
    bool cross = json_is_true(json_object_get(before, "cross_border"));
    if ((v = json_object_get(patch, "cross_border"))) cross = json_is_true(v);
    /* Without firm.admin (a firm's own account) only the firm's own details may change. */
    if (!ftz_can(c->who, "firm.admin")) {
        const char *key;
        json_object_foreach(patch, key, v)
        {
            if (!firm_field_self_editable(key)) {
                json_decref(before);
                return ftz_err_set(&c->err, FTZ_EDENIED, "permission", "firm.admin");
            }
        }
    }
    check_details(c, detail[0], detail[1], detail[5], detail[6]);
    if (!zh) ftz_err_field(&c->err, "name_zh", "required", NULL);
    if (!status || !status_ok(status))
        ftz_err_field(&c->err, "status", "enum", "active, suspended, closed");
    rc = check_refs(c, comm, dept);
    if (rc) goto out;
    if (c->err.rc) {
        rc = c->err.rc;
        goto out;
    }
    char now[32];
    ftz_db_now(now);
    rc = ftz_db_begin(c->db);
    if (rc) goto out;
    ftz_stmt *st;
    rc = ftz_db_prepare(c->db,
                        "UPDATE firms SET name_zh = ?, name_ru = ?, name_en = ?, name_fold = ?, "
                        "status = ?, commissioner_id = ?, department_id = ?, updated_at = ?, "
                        "industry = ?, customs_code = ?, cross_border = ?, address = ?, "
                        "legal_rep = ?, contact_name = ?, contact_phone = ?, contact_email = ?, "
                        "version = version + 1 WHERE id = ? AND version = ?",
                        &st);
    if (rc) goto fail;
    ftz_stmt_bind_text(st, zh);
    ftz_stmt_bind_text(st, ru);
    ftz_stmt_bind_text(st, en);
    ftz_stmt_bind_text(st, fold_names(c->arena, zh, ru, en));
    ftz_stmt_bind_text(st, status);
    ftz_stmt_bind_id(st, comm);
    ftz_stmt_bind_id(st, dept);
    ftz_stmt_bind_text(st, now);
    ftz_stmt_bind_text(st, detail[0]);
    ftz_stmt_bind_text(st, detail[1]);
    ftz_stmt_bind_int(st, cross ? 1 : 0);
    for (size_t i = 2; i < FTZ_COUNTOF(detail_keys); i++)
        ftz_stmt_bind_text(st, detail[i]);
    ftz_stmt_bind_int(st, id);
    ftz_stmt_bind_int(st, version);
    rc = ftz_stmt_exec(st);
    int64_t n = ftz_stmt_changes(st);
    ftz_stmt_done(st);
    if (rc) goto fail;
    if (n != 1) {
        char cur[24];
        snprintf(cur, sizeof cur, "%lld",
                 (long long)json_integer_value(json_object_get(before, "version")));
        rc = ftz_err_set(&c->err, FTZ_ESTALE, "stale", cur);
        goto fail;
    }
    /* A new commissioner by this edit: the assignment history and the package follow. */
    if (comm != json_integer_value(json_object_get(before, "commissioner_id"))) {
        rc = firm_commissioner_record(c, id, comm, "edit: the firm record's commissioner_id", now);
        if (rc) goto fail;
    }
    json_t *after;
    rc = firm_get(c, id, &after);
    if (rc) goto fail;
    rc = ftz_audit_id(c, "firm.update", "firm", id, before, after);
    json_decref(after);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    json_decref(before);
    return FTZ_OK;
fail:
    ftz_db_rollback(c->db);
out:
    json_decref(before);
    return rc;
}

ftz_rc firm_list(ftz_ctx *c, const firm_list_q *lq, json_t **items, int64_t *total)
{
    ftz_q where;
    ftz_q_init(&where, c->arena);
    ftz_q_sql(&where, "");
    if (lq->q && *lq->q) {
        char *f = ftz_utf8_fold(c->arena, lq->q);
        if (!f) return ftz_err_set(&c->err, FTZ_EINVAL, "bad_utf8", NULL);
        char *pat = ftz_arena_printf(c->arena, "%%%s%%", ftz_like_escape(c->arena, f));
        ftz_q_sql(&where, " AND (f.name_fold LIKE ? ESCAPE '\\' OR lower(f.credit_code) LIKE ? "
                          "ESCAPE '\\')");
        ftz_q_text(&where, pat);
        ftz_q_text(&where, pat);
    }
    if (lq->status && *lq->status) {
        ftz_q_sql(&where, " AND f.status = ?");
        ftz_q_text(&where, lq->status);
    }
    if (lq->commissioner_id) {
        ftz_q_sql(&where, " AND f.commissioner_id = ?");
        ftz_q_int(&where, lq->commissioner_id);
    }
    if (lq->department_id) {
        ftz_q_sql(&where, " AND f.department_id = ?");
        ftz_q_int(&where, lq->department_id);
    }
    auth_scope_where(c, &where, &firm_scope);

    ftz_q q;
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, "SELECT count(*) FROM firms f WHERE 1 = 1");
    ftz_q_append(&q, &where);
    ftz_stmt *st;
    ftz_rc rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    int r = ftz_stmt_next(st);
    *total = r == 1 ? ftz_stmt_int(st, 0) : 0;
    ftz_stmt_done(st);
    if (r < 0) return FTZ_EDB;

    static const char *const sorts[][2] = {{"name_zh", "f.name_zh"},
                                           {"credit_code", "f.credit_code"},
                                           {"created_at", "f.created_at"},
                                           {"status", "f.status"},
                                           {"id", "f.id"}};
    const char *order = "f.id";
    for (size_t i = 0; i < FTZ_COUNTOF(sorts); i++)
        if (lq->sort_key && strcmp(lq->sort_key, sorts[i][0]) == 0) order = sorts[i][1];
    ftz_q_init(&q, c->arena);
    ftz_q_sql(&q, FIRM_SELECT);
    ftz_q_text(&q, c->lang);
    ftz_q_append(&q, &where);
    ftz_q_sql(&q, ftz_arena_printf(c->arena, " ORDER BY %s %s, f.id LIMIT ? OFFSET ?", order,
                                   lq->desc ? "DESC" : "ASC"));
    ftz_q_int(&q, lq->limit);
    ftz_q_int(&q, lq->offset);
    rc = ftz_q_prepare(c->db, &q, &st);
    if (rc) return rc;
    json_t *arr = json_array();
    while ((r = ftz_stmt_next(st)) == 1)
        json_array_append_new(arr, firm_row(st));
    ftz_stmt_done(st);
    if (r < 0) {
        json_decref(arr);
        return FTZ_EDB;
    }
    *items = arr;
    return FTZ_OK;
}
