/* import.c — the firm import jobs (see import.h): a file's header row mapped to the
 * registry's fields, every row checked by firm_check_new (the rules of firm_create), the
 * outcome reported row by row, and the good rows written in one transaction.
 *
 * Both modes run the same check, so a commit never trusts what a validation found earlier:
 * the registry may have changed in between. The rows are checked outside any transaction
 * (one indexed lookup per row) and only the INSERTs run inside it, so the write lock is held
 * for as short a time as the batch allows; a credit code registered by someone else between
 * the check and the write rolls the batch back, and the job checks and tries again.
 *
 * The job runs as the user who queued it (auth_load_principal), so the file is read within
 * that user's scope and the audit row names them; the user must still hold firm.admin. */
#include "core/ftz_setup.h"
#include "firm/import.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/files.h"
#include "core/jobs.h"
#include "core/sheet_read.h"
#include "core/utf8.h"
#include "firm/firm.h"

#include <stdio.h>
#include <string.h>

#define PROGRESS_EVERY 250 /* rows checked between two progress reports */
#define COMMIT_TRIES   3   /* checks and writes before a changing registry fails the job */

/* ==== the columns a file may have ==== */

typedef struct column_def {
    const char *field;         /* a member of firm_in, or a derived column of the export */
    bool ignored;              /* written by the export, not taken by the import */
    const char *const *titles; /* titles besides the field name, NULL-ended */
} column_def;

/* The titles are those of the firm export (firm/routes.c firm_cols, in zh, ru and en) — so an
 * exported file imports back — and those of the web UI's form labels. Matched after case
 * folding and NFKC (core/utf8.h), so "CREDIT CODE" and full-width brackets match too. */
static const column_def columns[] = {
    {"credit_code", false,
     (const char *const[]){"统一社会信用代码", "Единый код", "Credit code",
                           "Единый социальный кредитный код", "Unified social credit code", NULL}},
    {"name_zh", false,
     (const char *const[]){"企业名称", "Название (кит.)", "Name (Chinese)", "中文名称", NULL}},
    {"name_ru", false,
     (const char *const[]){"俄文名称", "Название (рус.)", "Name (Russian)", "Russian name", NULL}},
    {"name_en", false,
     (const char *const[]){"英文名称", "Название (англ.)", "Name (English)", "English name", NULL}},
    {"status", false, (const char *const[]){"状态", "Статус", "Status", NULL}},
    {"industry", false,
     (const char *const[]){"行业代码", "Отрасль", "Industry", "行业（GB/T 4754）",
                           "Отрасль (GB/T 4754)", "Industry (GB/T 4754)", "行业", NULL}},
    {"customs_code", false,
     (const char *const[]){"海关编码", "Таможенный код", "Customs code", NULL}},
    {"cross_border", false,
     (const char *const[]){"跨境贸易", "Внешняя торговля", "Cross-border", "从事跨境贸易",
                           "Ведёт внешнюю торговлю", "Trades across the border", NULL}},
    {"address", false, (const char *const[]){"地址", "Адрес", "Address", NULL}},
    {"legal_rep", false,
     (const char *const[]){"法定代表人", "Законный представитель", "Legal representative", NULL}},
    {"contact_name", false,
     (const char *const[]){"联系人", "Контактное лицо", "Contact person", "Contact name", NULL}},
    {"contact_phone", false, (const char *const[]){"联系电话", "Телефон", "Phone", NULL}},
    {"contact_email", false,
     (const char *const[]){"电子邮箱", "Электронная почта", "E-mail", "Email", NULL}},
    /* the export's derived columns: read and ignored */
    {"id", true, (const char *const[]){"编号", "№", "ID", NULL}},
    {"commissioner_name", true,
     (const char *const[]){"首席服务专员", "Уполномоченный", "Commissioner", NULL}},
    {"department_name", true,
     (const char *const[]){"主管部门", "负责部门", "Отдел", "Department", NULL}},
    {"created_at", true, (const char *const[]){"登记时间", "Создано", "Created", NULL}},
};

/* The text members of firm_in by field name. */
static const struct {
    const char *field;
    size_t off;
} members[] = {
    {"credit_code", offsetof(firm_in, credit_code)},
    {"name_zh", offsetof(firm_in, name_zh)},
    {"name_ru", offsetof(firm_in, name_ru)},
    {"name_en", offsetof(firm_in, name_en)},
    {"status", offsetof(firm_in, status)},
    {"industry", offsetof(firm_in, industry)},
    {"customs_code", offsetof(firm_in, customs_code)},
    {"address", offsetof(firm_in, address)},
    {"legal_rep", offsetof(firm_in, legal_rep)},
    {"contact_name", offsetof(firm_in, contact_name)},
    {"contact_phone", offsetof(firm_in, contact_phone)},
    {"contact_email", offsetof(firm_in, contact_email)},
};

static const char bool_values[] = "true, false, 1, 0, yes, no, 是, 否, да, нет";

/* The definition a header title names, or NULL. */
static const column_def *column_for(ftz_arena *a, const char *title)
{
    const char *t = ftz_utf8_fold(a, title);
    if (!t) return NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(columns); i++) {
        if (strcmp(t, columns[i].field) == 0) return &columns[i];
        for (const char *const *p = columns[i].titles; *p; p++) {
            const char *f = ftz_utf8_fold(a, *p);
            if (f && strcmp(t, f) == 0) return &columns[i];
        }
    }
    return NULL;
}

/* A cell's value: trimmed of ASCII white space, without the export's formula guard (a "'"
 * before = + - @ TAB or CR, core/export.h), NULL when empty. */
static const char *cell_value(ftz_arena *a, const ftz_sheet_row *r, size_t j)
{
    if (j >= r->ncells) return NULL;
    const char *s = r->cells[j];
    size_t n = strlen(s);
    while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        n--;
    if (n >= 2 && s[0] == '\'' && strchr("=+-@\t\r", s[1])) {
        s++;
        n--;
    }
    return n ? ftz_arena_strndup(a, s, n) : NULL;
}

/* Whether a cell holds nothing but white space (no allocation: every cell is looked at). */
static bool cell_empty(const ftz_sheet_row *r, size_t j)
{
    if (j >= r->ncells) return true;
    for (const char *p = r->cells[j]; *p; p++)
        if (*p != ' ' && *p != '\t' && *p != '\r' && *p != '\n') return false;
    return true;
}

/* 1, 0, or -1 when the text says neither. */
static int parse_flag(ftz_arena *a, const char *s)
{
    static const char *const yes[] = {"true", "1", "yes", "y", "是", "да"};
    static const char *const no[] = {"false", "0", "no", "n", "否", "нет"};
    const char *f = ftz_utf8_fold(a, s);
    if (!f) return -1;
    for (size_t i = 0; i < FTZ_COUNTOF(yes); i++)
        if (strcmp(f, yes[i]) == 0) return 1;
    for (size_t i = 0; i < FTZ_COUNTOF(no); i++)
        if (strcmp(f, no[i]) == 0) return 0;
    return -1;
}

/* ==== credit codes seen in the file ==== */

typedef struct seen {
    const char **code;
    int64_t *row;
    size_t cap; /* a power of two, at least twice the rows */
} seen;

static void seen_init(ftz_arena *a, seen *s, size_t rows)
{
    s->cap = 64;
    while (s->cap < 2 * rows + 2)
        s->cap *= 2;
    s->code = ftz_arena_alloc(a, s->cap * sizeof(*s->code));
    s->row = ftz_arena_alloc(a, s->cap * sizeof(*s->row));
}

/* Records code at row; 0 when new, else the row that had it first. */
static int64_t seen_put(seen *s, const char *code, int64_t row)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)code; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    for (size_t i = (size_t)h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (!s->code[i]) {
            s->code[i] = code;
            s->row[i] = row;
            return 0;
        }
        if (strcmp(s->code[i], code) == 0) return s->row[i];
    }
}

/* ==== checking a sheet ==== */

typedef struct check {
    bool usable;          /* the file and its header could be read */
    int64_t rows;         /* data rows with at least one value */
    int64_t good, bad;    /* rows that pass every rule / break one */
    int64_t errors_total; /* every error found */
    json_t *errors;       /* the first FIRM_IMPORT_MAX_ERRORS */
    json_t *columns;      /* [{column, title, field}] of the header */
    firm_in *good_in;     /* the good rows, ready to write */
    size_t ngood;
} check;

static void check_init(check *k)
{
    memset(k, 0, sizeof(*k));
    k->usable = true;
    k->errors = json_array();
    k->columns = json_array();
}

static void check_cleanup(check *k)
{
    json_decref(k->errors);
    json_decref(k->columns);
    memset(k, 0, sizeof(*k));
}

/* One error; row 0 is the file itself (null in the result). */
static void add_error(check *k, int64_t row, const char *field, const char *code, const char *param)
{
    k->errors_total++;
    if (json_array_size(k->errors) >= FIRM_IMPORT_MAX_ERRORS) return;
    json_t *e = json_object();
    json_object_set_new(e, "row", row ? json_integer(row) : json_null());
    json_object_set_new(e, "field", json_string(field));
    json_object_set_new(e, "code", json_string(code));
    if (param) json_object_set_new(e, "param", json_string(param));
    json_array_append_new(k->errors, e);
}

/* The header row: each column's definition (NULL for a column without a title) in map,
 * broken titles recorded. Columns holding values under no title are errors too. */
static void read_header(ftz_arena *a, const ftz_sheet *s, check *k, const column_def **map)
{
    const ftz_sheet_row *h = &s->rows[0];
    const column_def *used_by[FTZ_COUNTOF(columns)] = {0};
    for (size_t j = 0; j < h->ncells; j++) {
        const char *title = cell_value(a, h, j);
        const char *letter = ftz_sheet_col_name(a, j);
        map[j] = NULL;
        if (!title) continue;
        const column_def *d = column_for(a, title);
        json_t *col = json_pack("{s:s,s:s}", "column", letter, "title", title);
        json_object_set_new(col, "field", d && !d->ignored ? json_string(d->field) : json_null());
        json_array_append_new(k->columns, col);
        if (!d) {
            add_error(k, h->rownum, "header", "unknown_column", title);
            continue;
        }
        size_t idx = (size_t)(d - columns);
        if (used_by[idx]) {
            add_error(k, h->rownum, "header", "duplicate_column", title);
            continue;
        }
        used_by[idx] = d;
        map[j] = d;
    }
    static const char *const required[] = {"credit_code", "name_zh"};
    for (size_t r = 0; r < FTZ_COUNTOF(required); r++) {
        bool have = false;
        for (size_t i = 0; i < FTZ_COUNTOF(columns); i++)
            if (used_by[i] && strcmp(columns[i].field, required[r]) == 0) have = true;
        if (!have) add_error(k, h->rownum, "header", "missing_column", required[r]);
    }
    bool reported[FTZ_SHEET_MAX_COLS] = {false};
    for (size_t i = 1; i < s->nrows; i++) {
        const ftz_sheet_row *r = &s->rows[i];
        for (size_t j = 0; j < r->ncells; j++) {
            if (!cell_empty(h, j) || reported[j] || cell_empty(r, j)) continue;
            reported[j] = true;
            add_error(k, h->rownum, "header", "unnamed_column", ftz_sheet_col_name(a, j));
        }
    }
    if (k->errors_total) k->usable = false;
}

/* One data row into in, checked; true when it breaks no rule. */
static ftz_rc check_row(ftz_ctx *c, check *k, seen *codes, const ftz_sheet_row *r,
                        const column_def **map, size_t ncols, firm_in *in, bool *good)
{
    memset(in, 0, sizeof(*in));
    in->cross_border = -1;
    bool bad_flag = false;
    for (size_t j = 0; j < ncols; j++) {
        if (!map[j] || map[j]->ignored) continue;
        const char *v = cell_value(c->arena, r, j);
        if (!v) continue;
        if (strcmp(map[j]->field, "cross_border") == 0) {
            in->cross_border = parse_flag(c->arena, v);
            if (in->cross_border < 0) bad_flag = true;
            continue;
        }
        if (strcmp(map[j]->field, "status") == 0) {
            char *low = ftz_arena_strdup(c->arena, v);
            for (char *p = low; *p; p++)
                if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
            v = low;
        }
        for (size_t m = 0; m < FTZ_COUNTOF(members); m++)
            if (strcmp(members[m].field, map[j]->field) == 0)
                *(const char **)(void *)((char *)in + members[m].off) = v;
    }
    firm_in_normalize(c->arena, in);
    ftz_err_init(&c->err, c->arena);
    ftz_rc rc = firm_check_new(c, in);
    if (rc) return rc;
    int64_t before = k->errors_total;
    bool code_broken = false;
    for (size_t i = 0; i < c->err.nfields; i++) {
        const ftz_field_err *f = &c->err.fields[i];
        add_error(k, r->rownum, f->field, f->code, f->param);
        if (strcmp(f->field, "credit_code") == 0) code_broken = true;
    }
    ftz_err_init(&c->err, c->arena);
    if (bad_flag) add_error(k, r->rownum, "cross_border", "enum", bool_values);
    if (!code_broken && in->credit_code) {
        int64_t first = seen_put(codes, in->credit_code, r->rownum);
        if (first) {
            char p[24];
            snprintf(p, sizeof p, "%lld", (long long)first);
            add_error(k, r->rownum, "credit_code", "duplicate_in_file", p);
        }
    }
    *good = k->errors_total == before;
    return FTZ_OK;
}

static bool row_blank(const ftz_sheet_row *r)
{
    for (size_t j = 0; j < r->ncells; j++)
        if (!cell_empty(r, j)) return false;
    return true;
}

/* Checks every row, reporting progress from pct_from to pct_to. */
static ftz_rc check_sheet(ftz_ctx *c, ftz_job *job, const ftz_sheet *s, int pct_from, int pct_to,
                          check *k)
{
    if (s->nrows == 0) {
        add_error(k, 0, "file", "empty_file", NULL);
        k->usable = false;
        return FTZ_OK;
    }
    size_t ncols = s->rows[0].ncells;
    const column_def **map = ftz_arena_alloc(c->arena, (ncols + 1) * sizeof(*map));
    read_header(c->arena, s, k, map);
    if (!k->usable) return FTZ_OK;
    size_t ndata = s->nrows - 1;
    k->good_in = ftz_arena_alloc(c->arena, (ndata + 1) * sizeof(*k->good_in));
    seen codes;
    seen_init(c->arena, &codes, ndata);
    for (size_t i = 1; i < s->nrows; i++) {
        const ftz_sheet_row *r = &s->rows[i];
        if (!row_blank(r)) {
            k->rows++;
            bool good;
            ftz_rc rc = check_row(c, k, &codes, r, map, ncols, &k->good_in[k->ngood], &good);
            if (rc) return rc;
            if (good) {
                k->ngood++;
                k->good++;
            } else {
                k->bad++;
            }
        }
        if (i % PROGRESS_EVERY == 0) {
            int pct = pct_from + (int)((int64_t)(pct_to - pct_from) * (int64_t)i / (int64_t)ndata);
            ftz_rc rc = ftz_job_progress(c, job, pct);
            if (rc) return rc;
        }
    }
    return FTZ_OK;
}

/* ==== the job ==== */

/* The result common to both modes (steals nothing; copies the check's arrays). */
static json_t *result_of(const char *mode, const ftz_file *f, const char *format, const check *k)
{
    json_t *o = json_object();
    json_object_set_new(o, "mode", json_string(mode));
    json_object_set_new(o, "file_id", json_integer(f->id));
    json_object_set_new(o, "file_name", json_string(f->name));
    json_object_set_new(o, "format", format ? json_string(format) : json_null());
    json_object_set_new(o, "usable", json_boolean(k->usable));
    json_object_set_new(o, "rows", json_integer(k->rows));
    json_object_set_new(o, "good", json_integer(k->good));
    json_object_set_new(o, "bad", json_integer(k->bad));
    json_object_set_new(o, "errors", json_copy(k->errors));
    json_object_set_new(o, "errors_total", json_integer(k->errors_total));
    json_object_set_new(o, "columns", json_copy(k->columns));
    return o;
}

/* The user who queued the job (NULL: the system queued it). */
static ftz_rc load_creator(ftz_ctx *c, ftz_job *job, ftz_principal **who)
{
    *who = NULL;
    json_t *j;
    ftz_rc rc = ftz_job_get(c, ftz_job_id(job), &j);
    if (rc) return rc;
    json_t *by = json_object_get(j, "created_by");
    int64_t creator = json_is_integer(by) ? json_integer_value(by) : 0;
    json_decref(j);
    if (!creator) return FTZ_OK;
    return auth_load_principal(c, creator, who);
}

/* Reads the file and checks it; then, for a commit, writes. */
static ftz_rc import_as(ftz_ctx *c, ftz_job *job, int64_t file_id, bool commit, const char *keep,
                        int64_t validation_job_id)
{
    ftz_file f;
    ftz_rc rc = ftz_file_get(c, file_id, true, &f);
    if (rc) {
        ftz_job_set_error(job, rc == FTZ_ENOTFOUND
                                   ? "the file is gone or outside the requesting user's scope"
                                   : "the file cannot be read");
        return rc;
    }
    rc = ftz_job_progress(c, job, 2);
    if (rc) return rc;
    ftz_err rerr;
    ftz_err_init(&rerr, c->arena);
    ftz_sheet *s = NULL;
    ftz_rc read_rc = ftz_sheet_read(c->arena, f.content ? f.content : "", f.content_len,
                                    f.media_type, &s, &rerr);
    if (read_rc && read_rc != FTZ_EPARSE && read_rc != FTZ_ETOOBIG && read_rc != FTZ_EMEDIA) {
        ftz_job_set_error(job, "reading the file failed");
        return read_rc;
    }
    check k;
    bool written = false;
    const char *why_not = NULL;
    for (int attempt = 1;; attempt++) {
        check_init(&k);
        if (read_rc) {
            add_error(&k, 0, "file", rerr.code ? rerr.code : "sheet_unreadable", rerr.param);
            k.usable = false;
        } else {
            rc = ftz_job_progress(c, job, 5);
            if (!rc) rc = check_sheet(c, job, s, 5, commit ? 80 : 95, &k);
            if (rc) goto out;
        }
        if (!commit) break;
        if (!k.usable)
            why_not = "file_errors";
        else if (k.bad > 0 && strcmp(keep, "none") == 0)
            why_not = "bad_rows";
        else if (k.ngood == 0)
            why_not = "no_good_rows";
        else
            why_not = NULL;
        if (why_not) break;
        rc = ftz_job_progress(c, job, 85);
        if (rc) goto out;
        json_t *batch = json_pack(
            "{s:I,s:s,s:s,s:I,s:s,s:I,s:I,s:I}", "file_id", (json_int_t)f.id, "file_name", f.name,
            "file_sha256", f.sha256, "job_id", (json_int_t)ftz_job_id(job), "keep", keep, "rows",
            (json_int_t)k.rows, "good", (json_int_t)k.good, "bad", (json_int_t)k.bad);
        json_object_set_new(batch, "validation_job_id",
                            validation_job_id ? json_integer(validation_job_id) : json_null());
        int64_t *ids = ftz_arena_alloc(c->arena, k.ngood * sizeof(*ids));
        rc = firm_create_many(c, k.good_in, k.ngood, batch, ids);
        json_decref(batch);
        if (rc == FTZ_ECONFLICT && attempt < COMMIT_TRIES) {
            /* A credit code was registered meanwhile: check again, then try again. */
            ftz_err_init(&c->err, c->arena);
            check_cleanup(&k);
            continue;
        }
        if (rc) {
            ftz_job_set_error(job, rc == FTZ_ECONFLICT
                                       ? "credit codes kept being registered while importing"
                                       : "writing the firms failed");
            goto out;
        }
        written = true;
        break;
    }
    json_t *res = result_of(commit ? "commit" : "validate", &f, s ? s->format : NULL, &k);
    if (commit) {
        json_object_set_new(res, "keep", json_string(keep));
        json_object_set_new(res, "validation_job_id",
                            validation_job_id ? json_integer(validation_job_id) : json_null());
        json_object_set_new(res, "written", json_boolean(written));
        json_object_set_new(res, "inserted", json_integer(written ? (json_int_t)k.ngood : 0));
        json_object_set_new(res, "skipped",
                            json_integer(written ? k.rows - (json_int_t)k.ngood : k.rows));
        json_object_set_new(res, "reason", why_not ? json_string(why_not) : json_null());
    }
    ftz_job_set_result(job, res);
out:
    check_cleanup(&k);
    return rc;
}

static ftz_rc run_import(ftz_ctx *c, ftz_job *job)
{
    json_t *p = ftz_job_payload(job);
    json_t *fid = json_object_get(p, "file_id");
    int64_t file_id = json_is_integer(fid) ? json_integer_value(fid) : 0;
    const char *mode = json_string_value(json_object_get(p, "mode"));
    const char *keep = json_string_value(json_object_get(p, "keep"));
    json_t *vj = json_object_get(p, "validation_job_id");
    int64_t validation_job_id = json_is_integer(vj) ? json_integer_value(vj) : 0;
    bool commit = mode && strcmp(mode, "commit") == 0;
    if (file_id <= 0 || !mode || (commit && !keep)) {
        ftz_job_set_error(job, "bad payload");
        return FTZ_EINVAL;
    }
    ftz_principal *who;
    ftz_rc rc = load_creator(c, job, &who);
    if (rc) {
        ftz_job_set_error(job, "the requesting user's account is gone or disabled");
        return rc;
    }
    if (who && !ftz_can(who, "firm.admin")) {
        ftz_job_set_error(job, "the requesting user no longer holds firm.admin");
        return FTZ_EDENIED;
    }
    ftz_principal *saved = c->who;
    if (who) c->who = who;
    rc = import_as(c, job, file_id, commit, keep, validation_job_id);
    c->who = saved;
    return rc;
}

/* ==== queueing ==== */

/* The file, when the caller may read it and it is a table. A file the caller cannot see is
 * FTZ_ENOTFOUND (404) — or, with as_field, field error "no_such" on field. */
static ftz_rc check_file(ftz_ctx *c, int64_t file_id, const char *field, bool as_field)
{
    ftz_err saved = c->err;
    ftz_file f;
    ftz_rc rc = ftz_file_get(c, file_id, false, &f);
    if (rc == FTZ_ENOTFOUND && as_field) {
        c->err = saved;
        ftz_err_field(&c->err, field, "no_such", NULL);
        return FTZ_EINVAL;
    }
    if (rc) return rc;
    if (strcmp(f.media_type, "text/csv") != 0 && strcmp(f.media_type, "text/plain") != 0 &&
        strcmp(f.media_type, FTZ_SHEET_XLSX_TYPE) != 0) {
        ftz_err_field(&c->err, field, "file_type", "text/csv, XLSX");
        return FTZ_EINVAL;
    }
    return FTZ_OK;
}

/* The kind's payload check (POST /api/v1/jobs runs it too). */
static void check_payload(ftz_ctx *c, json_t *p)
{
    if (!ftz_can(c->who, "firm.admin")) {
        ftz_err_set(&c->err, FTZ_EDENIED, "permission", "firm.admin");
        return;
    }
    static const char *const allowed[] = {"file_id", "mode", "keep", "validation_job_id", NULL};
    const char *key;
    json_t *v;
    json_object_foreach(p, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0) ok = true;
        if (!ok)
            ftz_err_field(&c->err, ftz_arena_printf(c->arena, "payload.%s", key), "unknown", NULL);
    }
    const char *mode = json_string_value(json_object_get(p, "mode"));
    bool commit = mode && strcmp(mode, "commit") == 0;
    if (!mode)
        ftz_err_field(&c->err, "payload.mode", json_object_get(p, "mode") ? "type" : "required",
                      json_object_get(p, "mode") ? "string" : NULL);
    else if (!commit && strcmp(mode, "validate") != 0)
        ftz_err_field(&c->err, "payload.mode", "enum", "validate, commit");
    const char *keep = json_string_value(json_object_get(p, "keep"));
    if (commit && !keep)
        ftz_err_field(&c->err, "payload.keep", "required", NULL);
    else if (commit && strcmp(keep, "good") != 0 && strcmp(keep, "none") != 0)
        ftz_err_field(&c->err, "payload.keep", "enum", "good, none");
    else if (!commit && json_object_get(p, "keep"))
        ftz_err_field(&c->err, "payload.keep", "unknown", NULL);
    json_t *vj = json_object_get(p, "validation_job_id");
    if (vj && (!commit || !json_is_integer(vj) || json_integer_value(vj) < 1))
        ftz_err_field(&c->err, "payload.validation_job_id", commit ? "type" : "unknown",
                      commit ? "integer" : NULL);
    json_t *fid = json_object_get(p, "file_id");
    if (!fid)
        ftz_err_field(&c->err, "payload.file_id", "required", NULL);
    else if (!json_is_integer(fid) || json_integer_value(fid) < 1)
        ftz_err_field(&c->err, "payload.file_id", "type", "integer");
    else
        (void)check_file(c, json_integer_value(fid), "payload.file_id", true); /* in c->err */
}

static const ftz_job_kind import_kind = {FIRM_IMPORT_KIND, run_import, check_payload, FTZ_JOB_ONCE,
                                         false};

void firm_import_init(void)
{
    ftz_sheet_init();
    ftz_jobs_register(&import_kind);
}

ftz_rc firm_import_validate(ftz_ctx *c, int64_t file_id, int64_t *job_id)
{
    *job_id = 0;
    if (!ftz_can(c->who, "firm.admin"))
        return ftz_err_set(&c->err, FTZ_EDENIED, "permission", "firm.admin");
    ftz_rc rc = check_file(c, file_id, "file_id", false);
    if (rc) return rc;
    json_t *payload = json_pack("{s:I,s:s}", "file_id", (json_int_t)file_id, "mode", "validate");
    rc = ftz_job_enqueue(c, FIRM_IMPORT_KIND, payload, NULL, job_id);
    json_decref(payload);
    return rc;
}

ftz_rc firm_import_commit(ftz_ctx *c, int64_t validation_job_id, const char *keep, int64_t *job_id)
{
    *job_id = 0;
    if (!ftz_can(c->who, "firm.admin"))
        return ftz_err_set(&c->err, FTZ_EDENIED, "permission", "firm.admin");
    if (!keep || (strcmp(keep, "good") != 0 && strcmp(keep, "none") != 0)) {
        ftz_err_field(&c->err, "keep", keep ? "enum" : "required", keep ? "good, none" : NULL);
        return FTZ_EINVAL;
    }
    json_t *j;
    ftz_rc rc = ftz_job_get(c, validation_job_id, &j);
    if (rc) return rc;
    const char *kind = json_string_value(json_object_get(j, "kind"));
    const char *state = json_string_value(json_object_get(j, "state"));
    json_t *by = json_object_get(j, "created_by");
    json_t *res = json_object_get(j, "result");
    const char *mode = json_string_value(json_object_get(res, "mode"));
    json_t *fid = json_object_get(res, "file_id");
    int64_t file_id = json_is_integer(fid) ? json_integer_value(fid) : 0;
    const char *why = NULL;
    if (!kind || strcmp(kind, FIRM_IMPORT_KIND) != 0)
        why = "not_an_import_validation";
    else if (!json_is_integer(by) || json_integer_value(by) != c->who->user_id)
        why = "import_of_another_user";
    else if (state && strcmp(state, "failed") == 0)
        why = "import_failed";
    else if (!state || strcmp(state, "done") != 0)
        why = "import_not_done";
    else if (!mode || strcmp(mode, "validate") != 0 || file_id <= 0)
        why = "not_an_import_validation";
    json_decref(j);
    if (why) return ftz_err_set(&c->err, FTZ_ECONFLICT, "conflict", why);
    json_t *payload =
        json_pack("{s:I,s:s,s:s,s:I}", "file_id", (json_int_t)file_id, "mode", "commit", "keep",
                  keep, "validation_job_id", (json_int_t)validation_job_id);
    rc = ftz_job_enqueue(c, FIRM_IMPORT_KIND, payload, NULL, job_id);
    json_decref(payload);
    return rc;
}
