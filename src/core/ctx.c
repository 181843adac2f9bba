/* ctx.c — service contexts and the permission test (see ctx.h). */
#include "core/ftz_setup.h"
#include "core/ctx.h"

#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

bool ftz_can(const ftz_principal *who, const char *perm)
{
    if (!who) return false;
    if (who->system) return true;
    if (!perm || !who->nperms) return false;
    return bsearch(&perm, who->perms, who->nperms, sizeof(char *), cmp_str) != NULL;
}

void ftz_ctx_init_system(ftz_ctx *c, ftz_db *db, const ftz_conf *conf, const char *req_id)
{
    memset(c, 0, sizeof(*c));
    c->arena = ftz_arena_new();
    c->db = db;
    c->conf = conf;
    c->lang = "zh";
    c->req_id = ftz_arena_strdup(c->arena, req_id ? req_id : "cli");
    ftz_principal *p = ftz_arena_alloc(c->arena, sizeof(*p));
    p->username = "system";
    p->display_name = "system";
    p->scope = FTZ_SCOPE_ALL;
    p->system = true;
    p->lang = "zh";
    c->who = p;
    ftz_err_init(&c->err, c->arena);
}

void ftz_ctx_cleanup(ftz_ctx *c)
{
    ftz_arena_free(c->arena);
    c->arena = NULL;
}

static const char *const scope_names[] = {"all", "dept_tree", "own_firms", "own_firm"};

const char *ftz_scope_name(ftz_scope s)
{
    return (size_t)s < FTZ_COUNTOF(scope_names) ? scope_names[s] : "all";
}

bool ftz_scope_parse(const char *s, ftz_scope *out)
{
    for (size_t i = 0; s && i < FTZ_COUNTOF(scope_names); i++) {
        if (strcmp(s, scope_names[i]) == 0) {
            *out = (ftz_scope)i;
            return true;
        }
    }
    return false;
}
