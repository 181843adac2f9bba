/* ctx.h — the context every service call runs in: who acts, in which language, on which
 * connection, with which arena. The HTTP layer builds one per request (http/server.c), the
 * CLI one per command (main.c), the job runner one per job. Services never see HTTP. */
#ifndef FTZ_CTX_H
#define FTZ_CTX_H

#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/err.h"

typedef struct ftz_db ftz_db;
typedef struct ftz_conf ftz_conf;
typedef struct ftz_req ftz_req;

/* Data scopes (DESIGN.md §7): which rows a user's queries may reach. */
typedef enum {
    FTZ_SCOPE_ALL = 0,   /* every row */
    FTZ_SCOPE_DEPT_TREE, /* its department and those below */
    FTZ_SCOPE_OWN_FIRMS, /* firms it is the commissioner of */
    FTZ_SCOPE_OWN_FIRM,  /* its own firm only */
} ftz_scope;

typedef struct ftz_principal {
    int64_t user_id; /* 0 = the system (CLI run by an operator, jobs) */
    const char *username;
    const char *display_name;
    int64_t department_id; /* 0 = none */
    const char *dept_path; /* "/1/4/" of its department, or NULL */
    int64_t firm_id;       /* 0 = none */
    ftz_scope scope;
    const char **roles; /* role names */
    size_t nroles;
    const char **perms; /* sorted, for bsearch */
    size_t nperms;
    int64_t token_id; /* set when authenticated by an API token */
    const char *lang; /* the user's preferred language */
    bool system;      /* the CLI operator or a job: every permission, scope all */
} ftz_principal;

typedef struct ftz_ctx {
    ftz_arena *arena; /* everything of this request or command */
    ftz_db *db;       /* this thread's connection */
    const ftz_conf *conf;
    ftz_principal *who; /* NULL before authentication */
    const char *lang;   /* "zh", "ru" or "en": messages and problem bodies */
    const char *req_id; /* X-Request-Id, or "cli-…"/"job-…" */
    const char *addr;   /* client address, for throttling and sessions */
    ftz_err err;        /* what went wrong, for the response */
    ftz_req *req;       /* HTTP only */
    int64_t clock;      /* 0 = the real time; unix seconds set only by code that writes
                           history (the demo generator) for services that honour it */
} ftz_ctx;

/* Whether the principal holds the permission (the system holds all). */
bool ftz_can(const ftz_principal *who, const char *perm);
/* A context for the CLI or a job: the system principal, its own arena (freed by
 * ftz_ctx_cleanup). */
void ftz_ctx_init_system(ftz_ctx *c, ftz_db *db, const ftz_conf *conf, const char *req_id);
void ftz_ctx_cleanup(ftz_ctx *c);

const char *ftz_scope_name(ftz_scope s);
/* Parses "all" / "dept_tree" / "own_firms" / "own_firm"; false when unknown. */
bool ftz_scope_parse(const char *s, ftz_scope *out);

#endif
