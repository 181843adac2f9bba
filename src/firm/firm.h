/* firm.h — the firm registry's public API (DESIGN.md §5: minimal from the foundation on,
 * because users, tokens and data scopes refer to firms; the enterprise-services work extends
 * it). Other modules look firms up only through this header. */
#ifndef FTZ_FIRM_H
#define FTZ_FIRM_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

typedef struct firm_in {
    const char *credit_code; /* GB 32100 unified social credit code */
    const char *name_zh, *name_ru, *name_en;
    const char *status;       /* active | suspended | closed; NULL = active */
    int64_t commissioner_id;  /* users.id or 0 */
    int64_t department_id;    /* departments.id or 0 */
    const char *industry;     /* GB/T 4754-2017 code from the industries dictionary, or NULL */
    const char *customs_code; /* 10 characters 0-9 A-Z, or NULL */
    int cross_border;         /* 1 trades across the border, 0 not, -1 unset (create: 0) */
    const char *address, *legal_rep, *contact_name, *contact_phone, *contact_email;
} firm_in;

/* The fields a firm's own account (permission firm.edit, scope own_firm) may change; the
 * others (credit code, status, commissioner, department) need firm.admin. */
bool firm_field_self_editable(const char *field);

/* The longest text the registry keeps in a field of firm_in, in characters ("name_zh" →
 * 200); 0 for a name that is no text field. The API and the import cap input with it. */
size_t firm_field_max(const char *field);
/* What people type, made canonical: the credit code and the customs code upper-cased (the
 * strings are replaced by copies in a). */
void firm_in_normalize(ftz_arena *a, firm_in *in);
/* Every rule a new firm must meet, checked without writing anything — the one check that
 * firm_create and the import (firm/import.h) share: lengths (firm_field_max), the credit code
 * (GB 32100 with the GB 11714 organisation code inside), name_zh present, status, industry
 * from the dictionary, the customs code, phone and e-mail shapes, the commissioner and the
 * department exist, and — when the credit code is a valid one — no firm holds it yet. Broken
 * rules go to c->err as field errors (the taken credit code as ftz_err_duplicate: a 409 when
 * nothing else broke); the verdict is c->err.rc. Returns FTZ_OK when the check could be made,
 * else the database failure. */
ftz_rc firm_check_new(ftz_ctx *c, const firm_in *in) FTZ_WUR;
/* firm_check_new, then one transaction: the row, its commissioner — the one given, or, when
 * none is and the setting firm.auto_assign is on, one chosen by load and industry
 * (firm/commissioner.h, audited "commissioner.auto_assign") — with its assignment row, the
 * start-up package's rows, and the audit row ("firm.create"). */
ftz_rc firm_create(ftz_ctx *c, const firm_in *in, int64_t *id) FTZ_WUR;
/* Inserts n firms that passed firm_check_new in ONE write transaction (each with its
 * commissioner and start-up package as firm_create does), audited per batch
 * (DESIGN.md §6): one audit row, action "firm.import", entity "firm" without an id, whose
 * after is batch (not stolen; NULL = {}) with "inserted" (n) and "id_runs" ([[first, last],
 * …] of the new ids) added, and "commissioners" ({auto_assigned, unassigned}) when
 * firm.auto_assign is on. ids receives the n new ids. A credit code registered meanwhile
 * fails the whole batch with FTZ_ECONFLICT (nothing is written): check again and retry. */
ftz_rc firm_create_many(ftz_ctx *c, const firm_in *rows, size_t n, json_t *batch,
                        int64_t *ids) FTZ_WUR;
/* The firm as the API shows it; FTZ_ENOTFOUND when missing or outside the caller's scope. */
ftz_rc firm_get(ftz_ctx *c, int64_t id, json_t **out) FTZ_WUR;
/* Whether the firm exists (unscoped: for references such as users.firm_id). */
bool firm_exists(ftz_ctx *c, int64_t id);
ftz_rc firm_find_by_code(ftz_ctx *c, const char *credit_code, int64_t *id) FTZ_WUR;
/* Partial update of name_zh, name_ru, name_en, status, commissioner_id, department_id;
 * version must match (FTZ_ESTALE). A changed commissioner_id is recorded in the assignment
 * history (firm_commissioner_record). */
ftz_rc firm_update(ftz_ctx *c, int64_t id, int64_t version, json_t *patch) FTZ_WUR;

typedef struct firm_list_q {
    const char *q; /* searched in the folded names and the credit code */
    const char *status;
    int64_t commissioner_id, department_id;
    const char *sort_key;
    bool desc;
    int64_t limit, offset;
} firm_list_q;

ftz_rc firm_list(ftz_ctx *c, const firm_list_q *q, json_t **items, int64_t *total) FTZ_WUR;

#endif
