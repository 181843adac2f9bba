/* import.h — the firm registry filled from a spreadsheet (CSV or XLSX), as jobs with progress
 * (DESIGN.md §4 "Long work … runs as a job"; docs/internals/firm.md "Import").
 *
 * Two steps, each a job of kind "firm.import" that runs as the user who asked:
 *
 *   validate  {file_id, mode: "validate"}: reads the uploaded file (core/sheet_read.h), maps
 *             its header row to the registry's fields, checks every row with the rules of
 *             firm_create (firm_check_new) — duplicates within the file and against the
 *             registry included — and reports every bad row with its row number and field.
 *   commit    {file_id, mode: "commit", keep: "good" | "none", validation_job_id?}: checks
 *             again (the registry may have changed since) and, when keep is "good" or no row
 *             is bad, writes every good row in ONE short transaction with one audit row for
 *             the batch (firm_create_many). keep "none" with a bad row writes nothing.
 *
 * The result (GET /api/v1/jobs/{id}) of both:
 *   {mode, file_id, file_name, format ("csv" | "xlsx"), usable, rows, good, bad,
 *    errors: [{row, field, code, param?}] (the first FIRM_IMPORT_MAX_ERRORS), errors_total,
 *    columns: [{column ("A"), title, field (null when the column is read and ignored)}]}
 * and for a commit also {keep, validation_job_id, written, inserted, skipped}. usable is
 * false when the file or its header is broken (field "file" or "header"; row null for the
 * file): then no row is checked and nothing can be written. */
#ifndef FTZ_FIRM_IMPORT_H
#define FTZ_FIRM_IMPORT_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

#define FIRM_IMPORT_KIND       "firm.import"
#define FIRM_IMPORT_MAX_ERRORS 1000 /* errors listed in a result; errors_total counts all */

/* Registers the job kind and readies the sheet reader. Call once at start-up, before threads
 * start (next to ftz_export_jobs_init). */
void firm_import_init(void);

/* Queues the validation of an uploaded file. The caller needs firm.admin (FTZ_EDENIED,
 * "permission") and must see the file within its scope (FTZ_ENOTFOUND); a file that is
 * neither CSV nor XLSX is field error "file_id" "file_type". *job_id is the new job. */
ftz_rc firm_import_validate(ftz_ctx *c, int64_t file_id, int64_t *job_id) FTZ_WUR;

/* Queues the commit of a validation job the caller ran, keeping "good" rows or "none" (else
 * field error "keep" "enum"). FTZ_ENOTFOUND when the caller cannot see the job; FTZ_ECONFLICT
 * ("conflict" with the reason as parameter) when it is not a firm import's validation
 * ("not_an_import_validation"), was run by another user ("import_of_another_user"), has not
 * finished ("import_not_done") or failed ("import_failed"). */
ftz_rc firm_import_commit(ftz_ctx *c, int64_t validation_job_id, const char *keep,
                          int64_t *job_id) FTZ_WUR;

#endif
