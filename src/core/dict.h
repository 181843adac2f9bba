/* dict.h — dictionaries: the code tables every module shares (countries, currencies, customs
 * units, industries, HS chapters …), DESIGN.md §5 "Dictionaries".
 *
 * Each table is a UTF-8 CSV file under data/dicts/, compiled into the binary (core/embed.h):
 *
 *     # version: 2026-11-29
 *     # any further comment lines, before the header only
 *     code,name_zh,name_ru,name_en[,parent]
 *     RU,俄罗斯,Россия,Russia
 *
 * The first line gives the version; comment lines (starting with '#') may follow it; then the
 * header, exactly these four columns or these and `parent`; then one row per entry. Codes are
 * 1..32 ASCII letters, digits, '.', '_' or '-', unique within the table; every name is
 * non-empty UTF-8 without control characters; a non-empty parent is the code of another
 * entry of the same table, without cycles. Fields may be quoted per RFC 4180 but may not span
 * lines; spaces around an unquoted field are ignored. Blank lines are skipped. A malformed
 * file is rejected whole, naming its line and column.
 *
 * ftz_dict_load_embedded() reads every data/dicts/<name>.csv file at start-up into a registry that
 * is never changed afterwards, so any number of threads may read it without locks; it lives until
 * ftz_dicts_free() at shutdown. All strings handed out live as long as the registry.
 *
 * A table's version is "<the file's version>+<first 12 hex digits of the file's SHA-256>",
 * e.g. "2026-11-29+3f2a…": it changes whenever the content does, so it serves as the ETag of
 * GET /api/v1/dicts/{name} and lets a client cache a table safely. */
#ifndef FTZ_CORE_DICT_H
#define FTZ_CORE_DICT_H

#include "core/ftz_setup.h"
#include "core/err.h"

#include <jansson.h>

/* Caps on what a dictionary file may hold (the largest shipped table is a few hundred rows). */
#define FTZ_DICT_MAX_BYTES   (16u * 1024 * 1024) /* a whole file */
#define FTZ_DICT_MAX_LINE    8192                /* one line, in bytes */
#define FTZ_DICT_MAX_FIELD   2048                /* one field, in bytes */
#define FTZ_DICT_MAX_CODE    32                  /* one code, in bytes */
#define FTZ_DICT_MAX_ENTRIES 100000
#define FTZ_DICT_MAX_NAME    64 /* a table's name: [a-z0-9_], 1..64 */

typedef struct ftz_dicts ftz_dicts;           /* the registry of all tables */
typedef struct ftz_dict ftz_dict;             /* one table */
typedef struct ftz_dict_entry ftz_dict_entry; /* one row */

/* Loads every embedded data/dicts/<name>.csv as table <name>. On failure nothing is kept,
 * *out is NULL and err names the file: code as for ftz_dict_parse, param
 * "<name>:<line>:<column>". */
ftz_rc ftz_dict_load_embedded(ftz_dicts **out, ftz_err *err) FTZ_WUR;

/* An empty registry, for ftz_dict_parse (tests, tools). */
ftz_dicts *ftz_dicts_new(void);

/* Parses csv (len bytes, need not be NUL-terminated) as table `name` and adds it to d. Only
 * before d is shared with other threads. On failure d is unchanged and err says why, with
 * param "<name>:<line>:<column>" (1-based; column 0 when the line as a whole is wrong):
 *   FTZ_EINVAL    name is not [a-z0-9_]{1,64}                       dict_bad_name
 *   FTZ_ECONFLICT d already has a table of that name                dict_exists
 *   FTZ_ETOOBIG   over FTZ_DICT_MAX_BYTES / _LINE / _ENTRIES        dict_too_big
 *   FTZ_EPARSE    no "# version: V" first line, or a bad V          dict_version
 *                 the header is not code,name_zh,name_ru,name_en[,parent]   dict_header
 *                 CSV syntax: bad quoting, a field across lines     dict_syntax
 *                 a row with the wrong number of fields             dict_columns
 *                 a bad code, empty or over FTZ_DICT_MAX_CODE       dict_bad_code
 *                 an empty name                                     dict_empty
 *                 invalid UTF-8, control characters, over _FIELD    dict_bad_text
 *                 a code seen before                                dict_duplicate
 *                 a parent that is no code of the table             dict_unknown_parent
 *                 a parent chain that comes back to itself          dict_parent_cycle
 *                 a table without rows                              dict_no_rows */
ftz_rc ftz_dict_parse(ftz_dicts *d, const char *name, const char *csv, size_t len,
                      ftz_err *err) FTZ_WUR;

/* Frees the registry and every table; d may be NULL. */
void ftz_dicts_free(ftz_dicts *d);

/* The tables, ordered by name: ftz_dicts_at(d, 0 .. ftz_dicts_count(d) - 1). */
size_t ftz_dicts_count(const ftz_dicts *d);
const ftz_dict *ftz_dicts_at(const ftz_dicts *d, size_t i);

/* The table called name, or NULL. */
const ftz_dict *ftz_dict_get(const ftz_dicts *d, const char *name);

const char *ftz_dict_name(const ftz_dict *t);
/* "<version>+<12 hex digits of SHA-256>" (see the top of this file). */
const char *ftz_dict_version(const ftz_dict *t);
/* Whether the table has a parent column. */
bool ftz_dict_has_parent(const ftz_dict *t);

/* The entries, ordered by code (byte order: "01" < "99" < "A"). */
size_t ftz_dict_count(const ftz_dict *t);
const ftz_dict_entry *ftz_dict_at(const ftz_dict *t, size_t i);

/* The entry with exactly this code (case matters: "RU", not "ru"), or NULL. Binary search. */
const ftz_dict_entry *ftz_dict_lookup(const ftz_dict *t, const char *code);

const char *ftz_dict_entry_code(const ftz_dict_entry *e);
/* The name in lang: "zh", "ru" or "en" (a longer tag such as "ru-RU" or "zh-CN" counts by its
 * first two letters, case-insensitively); any other language gets the Chinese name. */
const char *ftz_dict_entry_name(const ftz_dict_entry *e, const char *lang);
/* The parent's code, or NULL when the entry has none. */
const char *ftz_dict_entry_parent(const ftz_dict_entry *e);

/* The table as JSON for GET /api/v1/dicts/{name}:
 *   {"name": "countries", "version": "2026-11-29+…", "items": [
 *      {"code": "RU", "name_zh": "俄罗斯", "name_ru": "Россия", "name_en": "Russia"}, …]}
 * with "parent" (a code or null) in every item of a table that has the column. A new
 * reference the caller owns. */
json_t *ftz_dict_json(const ftz_dict *t);

#endif
