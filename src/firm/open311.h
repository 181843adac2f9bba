/* open311.h — Open311 GeoReport v2 for enterprise demands (docs/open311.md): the service a
 * POST /open311/v2/requests.{json,xml} calls, for the routes of open311.c and for code that
 * files demands the way an Open311 client would (a demo generator with c->clock set).
 *
 * The mapping: one Open311 service per demand topic (service_code = the topic code); a
 * service request is a demand filed through case_file on channel "online" with source_kind
 * "open311", for the firm named by the attribute credit_code, by c->who (the api_key's
 * user). Field errors carry the Open311 parameter names ("description",
 * "attribute[credit_code]", "first_name", …), so that the adapter can name them. */
#ifndef FTZ_FIRM_OPEN311_H
#define FTZ_FIRM_OPEN311_H

#include "core/ftz_setup.h"
#include "core/ctx.h"

/* Longest description the standard allows (characters). */
#define OPEN311_DESCRIPTION_MAX 4000

/* A POST's parameters, decoded; NULL = not given. */
typedef struct open311_in {
    const char *service_code; /* required: a demand topic */
    const char *description;  /* required: the demand's body (≤ OPEN311_DESCRIPTION_MAX) */
    /* the service definition's attributes */
    const char *credit_code; /* required: the firm's unified social credit code */
    const char *title;       /* ≤ 200 characters; default: the description's first words */
    const char *priority;    /* one of the demand priorities */
    const char *lang;        /* zh | ru | en; default c->lang */
    /* the requester */
    const char *first_name, *last_name, *phone, *email, *device_id, *account_id;
    /* kept with the demand (data.open311) and shown back */
    const char *media_url, *address_string;
} open311_in;

/* Readies libxml2 for the XML answers (xmlInitParser: once, before the worker threads
 * start — libxml2 2.9 asks for that in threaded programs). Call at start-up. */
void open311_init(void);

/* Whether code is an Open311 service here (a demand topic). */
bool open311_service_known(const char *code);

/* Files the demand as c->who (who needs demand.file; a firm account only for its own firm),
 * stamped at case_now(c). Every broken parameter is a field error in c->err named as above:
 * required, too_long, enum, format (a credit code that is no valid GB 32100 code), no_such
 * (no firm the caller may file for has that credit code). FTZ_OK and *id on success. */
ftz_rc open311_file(ftz_ctx *c, const open311_in *in, int64_t *id) FTZ_WUR;

/* The title open311_file takes when none is given: the first line of description, white
 * space folded, cut to at most max characters at a character boundary with "…" added when
 * cut. In a. */
const char *open311_title_from(ftz_arena *a, const char *description, size_t max);

#endif
