/* migrate.h — schema migrations embedded in the binary.
 *
 * Each module keeps its DDL in src/<module>/schema.sql, split into numbered migrations by
 * marker lines `-- migration: N short name`. DDL uses tokens that migrate.c expands per
 * backend: {{ID}} (integer primary key, identity on PostgreSQL) and {{BLOB}} (BLOB / BYTEA).
 * Applied migrations are recorded in schema_migrations(module, version); a migration runs
 * in one transaction, so a second process migrating at the same time fails cleanly on the
 * primary key and finds the work done when it retries. */
#ifndef FTZ_DB_MIGRATE_H
#define FTZ_DB_MIGRATE_H

#include "core/ftz_setup.h"
#include "core/err.h"
#include "db/db.h"

/* Applies every pending migration of every module, in module order; *applied counts them. */
ftz_rc ftz_migrate(ftz_db *db, int *applied, char *errbuf, size_t errlen) FTZ_WUR;
/* Expands the DDL tokens for a backend into a heap string (ftz_free). */
char *ftz_migrate_expand(const char *sql, ftz_db_backend kind);

#endif
