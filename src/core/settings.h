/* settings.h — typed, named settings in the database with defaults in code (DESIGN.md §5).
 *
 * The definitions (name, type, default, limits, description in three languages) live in one
 * static table in settings.c; the `settings` table holds only the values an administrator
 * changed. Nothing is cached across calls: several `ftz serve` processes share one database,
 * so every read goes to it (a primary-key lookup). A stored value that no longer fits its
 * definition (the range changed in a new release, someone edited the row by hand) reads as
 * the default, with a warning in the log.
 *
 * Values in the table are text: integers in decimal, booleans "true"/"false", strings as
 * they are. Changes are validated against the definition, written in one transaction and
 * audited ("setting.set", entity "setting", entity id the name, before/after {"value": …}). */
#ifndef FTZ_CORE_SETTINGS_H
#define FTZ_CORE_SETTINGS_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <jansson.h>

typedef enum { FTZ_SETTING_INT = 1, FTZ_SETTING_STR, FTZ_SETTING_BOOL } ftz_setting_type;

typedef struct ftz_setting_def {
    const char *name; /* "auth.login_max_failures" */
    ftz_setting_type type;
    int64_t int_default;        /* FTZ_SETTING_INT, and FTZ_SETTING_BOOL (0/1) */
    int64_t min, max;           /* FTZ_SETTING_INT: inclusive range; STR: length in chars */
    const char *str_default;    /* FTZ_SETTING_STR */
    const char *const *allowed; /* FTZ_SETTING_STR: NULL-ended list, or NULL for any text */
    const char *zh, *ru, *en;   /* what it controls, for the admin UI */
} ftz_setting_def;

/* The definition of name, or NULL when there is no such setting. */
const ftz_setting_def *ftz_setting_find(const char *name);
/* Every definition, in the table's order. */
const ftz_setting_def *ftz_setting_defs(size_t *n);

/* The value of an integer setting: the stored one if set (and still valid), else the
 * default. FTZ_ENOTFOUND for an unknown name, FTZ_EINTERNAL for a setting of another type
 * (both are programming errors), FTZ_EDB when the database fails. */
ftz_rc ftz_setting_int(ftz_ctx *c, const char *name, int64_t *out) FTZ_WUR;
/* The same for a string setting; *out is a copy in c->arena. */
ftz_rc ftz_setting_str(ftz_ctx *c, const char *name, const char **out) FTZ_WUR;
/* The same for a boolean setting. */
ftz_rc ftz_setting_bool(ftz_ctx *c, const char *name, bool *out) FTZ_WUR;

/* One setting as the API shows it: {name, type, value, default, description (in c->lang),
 * updated_at, updated_by (null when never changed or changed by the system), and min/max for
 * integers, allowed for strings with a fixed set}. FTZ_ENOTFOUND for an unknown name. */
ftz_rc ftz_setting_get(ftz_ctx *c, const char *name, json_t **out) FTZ_WUR;
/* Every setting in that form, as a JSON array in the table's order. */
ftz_rc ftz_settings_list(ftz_ctx *c, json_t **out) FTZ_WUR;

/* Changes one setting. value must have the setting's type (JSON integer, string, boolean)
 * and fit its limits; JSON null resets it to the default (the stored row is deleted).
 * Broken rules are recorded in c->err as field errors whose field is the setting name
 * (unknown, type, range, too_long, too_short, enum, format) and nothing changes (FTZ_EINVAL).
 * Opens and commits its own transaction (the caller must not hold one); audited. */
ftz_rc ftz_setting_set(ftz_ctx *c, const char *name, json_t *value) FTZ_WUR;
/* Changes several settings given as one JSON object {name: value, …} (PATCH): every member
 * is checked first and every error recorded; on any error nothing changes. One transaction,
 * one audit row per changed setting. An empty object is a no-op. */
ftz_rc ftz_setting_set_many(ftz_ctx *c, json_t *obj) FTZ_WUR;

#endif
