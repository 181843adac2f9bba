/* settings.c — the settings table and its definitions (see settings.h).
 *
 * To add a setting: one row in `defs` below; the admin API, the UI and the validation follow
 * from it. Reads go to the database every time (no cache: other processes may change a
 * value); a read of a stored value that no longer fits its definition falls back to the
 * default and logs a warning, so a bad row can never push a limit out of its range. */
#include "core/ftz_setup.h"
#include "core/settings.h"
#include "auth/audit.h"
#include "core/arena.h"
#include "core/log.h"
#include "core/utf8.h"
#include "db/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const ftz_setting_def defs[] = {
    {"auth.argon2_opslimit", FTZ_SETTING_INT, 3, 1, 10, NULL, NULL,
     "密码哈希（argon2id）的计算轮数；越大越安全也越慢",
     "Число проходов хеширования паролей (argon2id); больше — надёжнее и медленнее",
     "Passes of the password hash (argon2id); higher is safer and slower"},
    {"auth.argon2_memlimit_kib", FTZ_SETTING_INT, 65536, 8, 1048576, NULL, NULL,
     "密码哈希（argon2id）使用的内存，KiB", "Память для хеширования паролей (argon2id), КиБ",
     "Memory used by the password hash (argon2id), KiB"},
    {"auth.max_concurrent_hashes", FTZ_SETTING_INT, 4, 1, 64, NULL, NULL,
     "每个进程同时计算密码哈希的上限",
     "Наибольшее число одновременных хеширований паролей в процессе",
     "Password hashes computed at the same time per process, at most"},
    {"auth.login_max_failures", FTZ_SETTING_INT, 5, 1, 100, NULL, NULL,
     "时间窗口内允许的登录失败次数，超过后暂时锁定",
     "Допустимое число неудачных входов за окно, после чего вход временно блокируется",
     "Failed log-ins allowed within the window before log-in is locked for a while"},
    {"auth.login_window_s", FTZ_SETTING_INT, 900, 10, 86400, NULL, NULL,
     "登录失败计数的时间窗口，秒", "Окно подсчёта неудачных входов, секунды",
     "Window over which failed log-ins are counted, seconds"},
    {"case.escalate_after_days", FTZ_SETTING_INT, 2, 1, 30, NULL, NULL,
     "超期后多少个工作日升级督办（超期次日催办）",
     "Через сколько рабочих дней после срока эскалировать (напоминание — на следующий день)",
     "Working days after a missed deadline before escalation (the reminder comes the next day)"},
    {"demand.escalate_dept", FTZ_SETTING_STR, 0, 1, 32, "BIZENV", NULL,
     "超期诉求升级督办的部门（部门代码）", "Отдел, куда эскалируются просроченные обращения (код)",
     "Department overdue demands are escalated to (department code)"},
    {"demand.intake_dept", FTZ_SETTING_STR, 0, 1, 32, "BIZENV", NULL,
     "企业在线提交、驿站转来的诉求由哪个部门受理（部门代码）",
     "Отдел, принимающий обращения, поданные онлайн (код)",
     "Department that accepts demands filed online (department code)"},
    {"export.sync_max_rows", FTZ_SETTING_INT, 5000, 1, 1000000, NULL, NULL,
     "直接下载的导出最多行数，超过后改为后台任务并显示进度",
     "Наибольшее число строк выгрузки, отдаваемой сразу; больше — фоновым заданием с ходом "
     "выполнения",
     "Rows an export may have to be answered at once; larger exports run as a job with progress"},
    {"window.intake_dept", FTZ_SETTING_STR, 0, 1, 32, "GOVSVC", NULL,
     "办不成事窗口所在部门（部门代码），受理企业在线反映的事项",
     "Отдел, где работает окно «не удалось решить» (код)",
     "Department of the can't-get-it-done window (department code)"},
    {"firm.auto_assign", FTZ_SETTING_BOOL, 1, 0, 1, NULL, NULL,
     "新登记企业未指定首席服务专员时，按行业匹配和当前负荷自动分配",
     "Автоматически назначать главного уполномоченного новому предприятию (отрасль, нагрузка)",
     "Assign a chief service commissioner to a newly registered firm automatically (industry, "
     "load) when none is given"},
    {"firm.visit_due_days", FTZ_SETTING_INT, 90, 1, 3650, NULL, NULL,
     "企业多少天未走访即列为待走访（首席服务专员工作台）",
     "Через сколько дней без визита предприятие считается ожидающим визита",
     "Days without a visit after which a firm is due one (the commissioner's workspace)"},
    {"zone.name_zh", FTZ_SETTING_STR, 0, 1, 200, "中国（黑龙江）自由贸易试验区黑河片区", NULL,
     "自贸区名称（中文），用于报告和页眉", "Название зоны на китайском (отчёты, заголовки)",
     "The zone's name in Chinese (reports, page headers)"},
    {"zone.name_ru", FTZ_SETTING_STR, 0, 1, 200,
     "Участок Хэйхэ Китайской (Хэйлунцзянской) пилотной зоны свободной торговли", NULL,
     "自贸区名称（俄文），用于报告和页眉", "Название зоны на русском (отчёты, заголовки)",
     "The zone's name in Russian (reports, page headers)"},
    {"zone.name_en", FTZ_SETTING_STR, 0, 1, 200,
     "Heihe Area of China (Heilongjiang) Pilot Free Trade Zone", NULL,
     "自贸区名称（英文），用于报告和页眉", "Название зоны на английском (отчёты, заголовки)",
     "The zone's name in English (reports, page headers)"},
};

const ftz_setting_def *ftz_setting_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(defs); i++)
        if (strcmp(defs[i].name, name) == 0) return &defs[i];
    return NULL;
}

const ftz_setting_def *ftz_setting_defs(size_t *n)
{
    *n = FTZ_COUNTOF(defs);
    return defs;
}

static const char *type_name(ftz_setting_type t)
{
    switch (t) {
    case FTZ_SETTING_INT:
        return "integer";
    case FTZ_SETTING_STR:
        return "string";
    default:
        return "boolean";
    }
}

static bool parse_i64(const char *s, int64_t *out)
{
    if (!s) return false;
    const char *p = *s == '-' ? s + 1 : s;
    if (!*p || strlen(p) > 19) return false;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return false;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno) return false;
    *out = v;
    return true;
}

/* Whether text has no control characters (C0, DEL, C1); text is valid UTF-8. */
static bool no_controls(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    for (; *p; p++) {
        if (*p < 0x20 || *p == 0x7f) return false;
        if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) return false;
    }
    return true;
}

static char *allowed_list(ftz_arena *a, const char *const *allowed)
{
    size_t n = 1;
    for (const char *const *v = allowed; *v; v++)
        n += strlen(*v) + 2;
    char *out = ftz_arena_alloc(a, n);
    size_t o = 0;
    for (const char *const *v = allowed; *v; v++) {
        size_t l = strlen(*v);
        if (v != allowed) {
            memcpy(out + o, ", ", 2);
            o += 2;
        }
        memcpy(out + o, *v, l);
        o += l;
    }
    out[o] = '\0';
    return out;
}

/* Checks a stored or proposed text value against the definition (no error recording). */
static bool text_fits(const ftz_setting_def *d, const char *text)
{
    if (!text) return false;
    switch (d->type) {
    case FTZ_SETTING_INT: {
        int64_t v;
        return parse_i64(text, &v) && v >= d->min && v <= d->max;
    }
    case FTZ_SETTING_BOOL:
        return strcmp(text, "true") == 0 || strcmp(text, "false") == 0;
    case FTZ_SETTING_STR: {
        if (!ftz_utf8_valid(text, strlen(text)) || !no_controls(text)) return false;
        size_t n = ftz_utf8_len(text);
        if ((int64_t)n < d->min || (int64_t)n > d->max) return false;
        if (d->allowed) {
            for (const char *const *v = d->allowed; *v; v++)
                if (strcmp(*v, text) == 0) return true;
            return false;
        }
        return true;
    }
    }
    return false;
}

static char *default_text(ftz_arena *a, const ftz_setting_def *d)
{
    switch (d->type) {
    case FTZ_SETTING_INT:
        return ftz_arena_printf(a, "%lld", (long long)d->int_default);
    case FTZ_SETTING_BOOL:
        return ftz_arena_strdup(a, d->int_default ? "true" : "false");
    default:
        return ftz_arena_strdup(a, d->str_default);
    }
}

/* The JSON form of a valid text value. */
static json_t *typed(const ftz_setting_def *d, const char *text)
{
    switch (d->type) {
    case FTZ_SETTING_INT: {
        int64_t v = 0;
        if (!parse_i64(text, &v)) v = d->int_default;
        return json_integer(v);
    }
    case FTZ_SETTING_BOOL:
        return json_boolean(strcmp(text, "true") == 0);
    default:
        return json_string(text);
    }
}

typedef struct stored {
    bool present;      /* a row exists */
    const char *value; /* the effective value as text (the default when absent or bad) */
    const char *updated_at;
    int64_t updated_by; /* 0 = NULL */
} stored;

static ftz_rc load(ftz_ctx *c, const ftz_setting_def *d, stored *out)
{
    memset(out, 0, sizeof(*out));
    ftz_stmt *st;
    ftz_rc rc = ftz_db_prepare(
        c->db, "SELECT value, updated_at, updated_by FROM settings WHERE name = ?", &st);
    if (rc) return rc;
    ftz_stmt_bind_text(st, d->name);
    int r = ftz_stmt_next(st);
    if (r == 1) {
        out->present = true;
        out->value = ftz_stmt_dup(st, 0, c->arena);
        out->updated_at = ftz_stmt_dup(st, 1, c->arena);
        out->updated_by = ftz_stmt_int(st, 2);
    } else if (r < 0) {
        rc = ftz_stmt_rc(st) ? ftz_stmt_rc(st) : FTZ_EDB;
    }
    ftz_stmt_done(st);
    if (rc) return rc;
    if (out->present && !text_fits(d, out->value)) {
        ftz_log_warn("setting %s: stored value does not fit its definition; using the default",
                     d->name);
        out->value = NULL;
    }
    if (!out->value) out->value = default_text(c->arena, d);
    return FTZ_OK;
}

static ftz_rc lookup(ftz_ctx *c, const char *name, ftz_setting_type type, const ftz_setting_def **d,
                     stored *s)
{
    *d = ftz_setting_find(name);
    if (!*d) {
        ftz_log_error("unknown setting %s", name ? name : "(null)");
        return FTZ_ENOTFOUND;
    }
    if ((*d)->type != type) {
        ftz_log_error("setting %s is not of type %s", name, type_name(type));
        return FTZ_EINTERNAL;
    }
    return load(c, *d, s);
}

ftz_rc ftz_setting_int(ftz_ctx *c, const char *name, int64_t *out)
{
    const ftz_setting_def *d;
    stored s;
    ftz_rc rc = lookup(c, name, FTZ_SETTING_INT, &d, &s);
    if (rc) return rc;
    if (!parse_i64(s.value, out)) *out = d->int_default;
    return FTZ_OK;
}

ftz_rc ftz_setting_str(ftz_ctx *c, const char *name, const char **out)
{
    const ftz_setting_def *d;
    stored s;
    ftz_rc rc = lookup(c, name, FTZ_SETTING_STR, &d, &s);
    if (rc) return rc;
    *out = s.value;
    return FTZ_OK;
}

ftz_rc ftz_setting_bool(ftz_ctx *c, const char *name, bool *out)
{
    const ftz_setting_def *d;
    stored s;
    ftz_rc rc = lookup(c, name, FTZ_SETTING_BOOL, &d, &s);
    if (rc) return rc;
    *out = strcmp(s.value, "true") == 0;
    return FTZ_OK;
}

static const char *describe(const ftz_ctx *c, const ftz_setting_def *d)
{
    if (c->lang && strcmp(c->lang, "ru") == 0) return d->ru;
    if (c->lang && strcmp(c->lang, "en") == 0) return d->en;
    return d->zh;
}

static ftz_rc render(ftz_ctx *c, const ftz_setting_def *d, json_t **out)
{
    stored s;
    ftz_rc rc = load(c, d, &s);
    if (rc) return rc;
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(d->name));
    json_object_set_new(o, "type", json_string(type_name(d->type)));
    json_object_set_new(o, "value", typed(d, s.value));
    json_object_set_new(o, "default", typed(d, default_text(c->arena, d)));
    json_object_set_new(o, "description", json_string(describe(c, d)));
    if (d->type == FTZ_SETTING_INT) {
        json_object_set_new(o, "min", json_integer(d->min));
        json_object_set_new(o, "max", json_integer(d->max));
    } else if (d->type == FTZ_SETTING_STR && d->allowed) {
        json_t *a = json_array();
        for (const char *const *v = d->allowed; *v; v++)
            json_array_append_new(a, json_string(*v));
        json_object_set_new(o, "allowed", a);
    }
    json_object_set_new(o, "updated_at", s.present ? json_string(s.updated_at) : json_null());
    json_object_set_new(o, "updated_by",
                        s.present && s.updated_by ? json_integer(s.updated_by) : json_null());
    *out = o;
    return FTZ_OK;
}

ftz_rc ftz_setting_get(ftz_ctx *c, const char *name, json_t **out)
{
    *out = NULL;
    const ftz_setting_def *d = ftz_setting_find(name);
    if (!d) return ftz_err_set(&c->err, FTZ_ENOTFOUND, "not_found", NULL);
    return render(c, d, out);
}

ftz_rc ftz_settings_list(ftz_ctx *c, json_t **out)
{
    *out = NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < FTZ_COUNTOF(defs); i++) {
        json_t *o;
        ftz_rc rc = render(c, &defs[i], &o);
        if (rc) {
            json_decref(arr);
            return rc;
        }
        json_array_append_new(arr, o);
    }
    *out = arr;
    return FTZ_OK;
}

/* Checks a proposed JSON value, recording field errors under the setting's name. On success
 * *text is the value to store, or NULL for a reset (JSON null). */
static bool check(ftz_ctx *c, const char *name, json_t *value, const ftz_setting_def **dout,
                  const char **text)
{
    *text = NULL;
    const ftz_setting_def *d = ftz_setting_find(name);
    *dout = d;
    if (!d) {
        ftz_err_field(&c->err, name, "unknown", NULL);
        return false;
    }
    if (!value || json_is_null(value)) return true;
    char lim[64];
    switch (d->type) {
    case FTZ_SETTING_INT: {
        if (!json_is_integer(value)) {
            ftz_err_field(&c->err, name, "type", "integer");
            return false;
        }
        int64_t v = json_integer_value(value);
        if (v < d->min || v > d->max) {
            snprintf(lim, sizeof lim, "[%lld, %lld]", (long long)d->min, (long long)d->max);
            ftz_err_field(&c->err, name, "range", lim);
            return false;
        }
        *text = ftz_arena_printf(c->arena, "%lld", (long long)v);
        return true;
    }
    case FTZ_SETTING_BOOL:
        if (!json_is_boolean(value)) {
            ftz_err_field(&c->err, name, "type", "boolean");
            return false;
        }
        *text = json_is_true(value) ? "true" : "false";
        return true;
    case FTZ_SETTING_STR: {
        if (!json_is_string(value)) {
            ftz_err_field(&c->err, name, "type", "string");
            return false;
        }
        const char *s = json_string_value(value);
        size_t bytes = json_string_length(value);
        if (bytes != strlen(s) || !ftz_utf8_valid(s, bytes) || !no_controls(s)) {
            ftz_err_field(&c->err, name, "format", "control characters");
            return false;
        }
        size_t n = ftz_utf8_len(s);
        if ((int64_t)n < d->min) {
            snprintf(lim, sizeof lim, "%lld", (long long)d->min);
            ftz_err_field(&c->err, name, n == 0 ? "required" : "too_short", n ? lim : NULL);
            return false;
        }
        if ((int64_t)n > d->max) {
            snprintf(lim, sizeof lim, "%lld", (long long)d->max);
            ftz_err_field(&c->err, name, "too_long", lim);
            return false;
        }
        if (d->allowed) {
            bool ok = false;
            for (const char *const *v = d->allowed; *v; v++)
                if (strcmp(*v, s) == 0) ok = true;
            if (!ok) {
                ftz_err_field(&c->err, name, "enum", allowed_list(c->arena, d->allowed));
                return false;
            }
        }
        *text = ftz_arena_strdup(c->arena, s);
        return true;
    }
    }
    return false;
}

/* Writes one checked value (NULL text = reset) and its audit row; inside a transaction. */
static ftz_rc store(ftz_ctx *c, const ftz_setting_def *d, const char *text)
{
    stored before;
    ftz_rc rc = load(c, d, &before);
    if (rc) return rc;
    if (text) {
        char now[32];
        ftz_db_now(now);
        ftz_stmt *st;
        rc = ftz_db_prepare(c->db,
                            "INSERT INTO settings (name, value, updated_at, updated_by) "
                            "VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET "
                            "value = excluded.value, updated_at = excluded.updated_at, "
                            "updated_by = excluded.updated_by",
                            &st);
        if (rc) return rc;
        ftz_stmt_bind_text(st, d->name);
        ftz_stmt_bind_text(st, text);
        ftz_stmt_bind_text(st, now);
        ftz_stmt_bind_id(st, c->who ? c->who->user_id : 0);
        rc = ftz_stmt_exec(st);
        ftz_stmt_done(st);
    } else {
        rc = ftz_db_run(c->db, "DELETE FROM settings WHERE name = ?", "s", d->name);
    }
    if (rc) return rc;
    json_t *b = json_pack("{s:o}", "value", typed(d, before.value));
    json_t *a =
        text ? json_pack("{s:o}", "value", typed(d, text))
             : json_pack("{s:o,s:b}", "value", typed(d, default_text(c->arena, d)), "reset", 1);
    rc = ftz_audit(c, "setting.set", "setting", d->name, b, a);
    json_decref(b);
    json_decref(a);
    return rc;
}

ftz_rc ftz_setting_set_many(ftz_ctx *c, json_t *obj)
{
    if (!json_is_object(obj)) return ftz_err_set(&c->err, FTZ_EPARSE, "not_object", NULL);
    size_t n = json_object_size(obj);
    const ftz_setting_def **ds = ftz_arena_alloc(c->arena, (n + 1) * sizeof(*ds));
    const char **texts = ftz_arena_alloc(c->arena, (n + 1) * sizeof(*texts));
    size_t i = 0;
    bool ok = true;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        if (!check(c, key, v, &ds[i], &texts[i])) ok = false;
        i++;
    }
    if (!ok || c->err.rc) return c->err.rc ? c->err.rc : FTZ_EINVAL;
    if (n == 0) return FTZ_OK;

    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) goto fail;
    for (i = 0; i < n; i++) {
        rc = store(c, ds[i], texts[i]);
        if (rc) goto fail;
    }
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_log_error("settings: cannot save: %s", ftz_db_errmsg(c->db));
    ftz_db_rollback(c->db);
    return rc;
}

ftz_rc ftz_setting_set(ftz_ctx *c, const char *name, json_t *value)
{
    const ftz_setting_def *d;
    const char *text;
    if (!check(c, name, value, &d, &text)) return c->err.rc ? c->err.rc : FTZ_EINVAL;
    ftz_rc rc = ftz_db_begin(c->db);
    if (rc) goto fail;
    rc = store(c, d, text);
    if (rc) goto fail;
    rc = ftz_db_commit(c->db);
    if (rc) goto fail;
    return FTZ_OK;
fail:
    ftz_log_error("settings: cannot save %s: %s", d->name, ftz_db_errmsg(c->db));
    ftz_db_rollback(c->db);
    return rc;
}
