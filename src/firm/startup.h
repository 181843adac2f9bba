/* startup.h — the start-up package (开办大礼包) as data and its status machine: pure logic,
 * no database (domain/firm.md "Start-up package and zero-cost start-up").
 *
 * The items and the cost the zone bears for each are data: data/startup_package.csv, compiled
 * into the binary (core/embed.h) and read with firm_pkg_parse:
 *
 *     # version: 2026-12-01
 *     # comment lines, before the header only
 *     code,name_zh,name_ru,name_en,cost_fen
 *     seal_set,免费刻制印章（一套）,Бесплатный комплект печатей,Free seal set,30000
 *
 * Codes are 1..32 of [a-z0-9_], unique; names are non-empty UTF-8 without control characters
 * (at most FTZ_PKG_MAX_FIELD bytes); cost_fen is a non-negative integer of at most 12 digits
 * without sign or leading zeros. Fields may be quoted (RFC 4180) but not span lines. The item
 * `commissioner` (FIRM_PKG_COMMISSIONER) is ticked off by the commissioner assignment.
 *
 * Each firm's item has a status; the allowed changes are one table (firm_pkg_may):
 *
 *     from \ to     pending  in_progress  done  not_needed
 *     pending          ·          ✓         ✓       ✓
 *     in_progress      –          ·         ✓       ✓
 *     done             –          ✓         –       –        (reopened: back to work)
 *     not_needed       ✓          –         –       ·        (needed after all)
 *
 * "·" is no change (a note only). Outstanding = pending or in_progress; an item counts toward
 * the cost the zone bore when it is done; a package is complete when no item is
 * outstanding. */
#ifndef FTZ_FIRM_STARTUP_H
#define FTZ_FIRM_STARTUP_H

#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/err.h"

#define FTZ_PKG_MAX_BYTES 65536 /* the whole file */
#define FTZ_PKG_MAX_LINE  4096  /* one line, in bytes */
#define FTZ_PKG_MAX_FIELD 512   /* one field, in bytes */
#define FTZ_PKG_MAX_CODE  32    /* one code, in bytes */
#define FTZ_PKG_MAX_ITEMS 64    /* rows */
#define FTZ_PKG_MAX_COST  999999999999LL

#define FIRM_PKG_FILE         "data/startup_package.csv"
#define FIRM_PKG_COMMISSIONER "commissioner"

typedef struct firm_pkg_item {
    const char *code;
    const char *name_zh, *name_ru, *name_en;
    int64_t cost_fen; /* what the zone pays for this item per firm */
} firm_pkg_item;

typedef struct firm_pkg {
    const char *version;  /* the file's "# version:" */
    firm_pkg_item *items; /* in the file's order */
    size_t n;
} firm_pkg;

/* Parses csv (len bytes, need not be NUL-terminated) into out; every string lives in a. On
 * failure out is emptied and err (may be NULL) records FTZ_EPARSE (FTZ_ETOOBIG past a cap)
 * with code and param "<line>:<column>" (column 0: the line as a whole):
 *   pkg_version  no "# version: V" first line     pkg_header   not the five columns
 *   pkg_syntax   bad quoting                      pkg_columns  a row with another count
 *   pkg_bad_code a code outside [a-z0-9_]{1,32}   pkg_empty    an empty name
 *   pkg_bad_text invalid UTF-8 or controls        pkg_cost     a bad cost_fen
 *   pkg_duplicate a code seen before              pkg_no_rows  no item at all
 *   pkg_too_big  over a FTZ_PKG_MAX_* cap */
ftz_rc firm_pkg_parse(ftz_arena *a, const char *csv, size_t len, firm_pkg *out,
                      ftz_err *err) FTZ_WUR;
/* The embedded FIRM_PKG_FILE, parsed into a; FTZ_EINTERNAL (logged) when it is missing or
 * broken — a build that ships a bad file is a bug the tests catch. */
ftz_rc firm_pkg_load(ftz_arena *a, firm_pkg *out) FTZ_WUR;
/* The item with this code, or NULL. */
const firm_pkg_item *firm_pkg_find(const firm_pkg *p, const char *code);
/* The item's name in lang ("zh", "ru", "en"; anything else: Chinese). */
const char *firm_pkg_item_name(const firm_pkg_item *it, const char *lang);

/* ---- statuses ---- */

typedef struct firm_pkg_status_def {
    const char *name; /* pending | in_progress | done | not_needed */
    const char *zh, *ru, *en;
    bool outstanding; /* still to do */
} firm_pkg_status_def;

/* The statuses in order (n = 4). */
const firm_pkg_status_def *firm_pkg_statuses(size_t *n);
const firm_pkg_status_def *firm_pkg_status_find(const char *name);
/* Whether an item may go from one status to another by the table above; false for unknown
 * statuses and for from == to (that is no change, not a transition). */
bool firm_pkg_may(const char *from, const char *to);
/* The statuses `from` may change to, NULL-ended, in the table's order (into out[5]). */
size_t firm_pkg_next(const char *from, const char *out[5]);

#endif
