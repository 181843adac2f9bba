/* main.c — the ftz command line: `ftz <command> [<verb>] [options]` (DESIGN.md §4).
 *
 * Every command that touches data takes --db URL and --config FILE; configuration comes from
 * flags > environment (FTZ_*) > the config file > defaults. Commands call the same service
 * functions as the API, as the system principal, so every rule holds whichever door the data
 * comes in by. Exit codes: 0 ok, 1 failure, 2 usage error, 65 bad input data. */
#include "core/ftz_setup.h"
#include "auth/audit.h"
#include "auth/auth.h"
#include "core/arena.h"
#include "core/conf.h"
#include "core/ctx.h"
#include "core/date.h"
#include "core/i18n.h"
#include "core/log.h"
#include "core/platform.h"
#include "db/db.h"
#include "db/migrate.h"
#include "demo/demo.h"
#include "firm/cli.h"
#include "firm/demand.h"
#include "firm/window.h"
#include "firm/import.h"
#include "firm/open311.h"
#include "http/export_reply.h"
#include "http/http.h"
#include "http/server.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_DATA = 65 };

static const char USAGE[] =
    "ftz — operations platform of a free trade zone and its border port\n"
    "\n"
    "Usage: ftz <command> [<verb>] [options]\n"
    "\n"
    "Commands:\n"
    "  serve [--listen ADDR:PORT]     serve the API and the web UI\n"
    "  init                           create the database and the first admin (user 'admin';\n"
    "                                 password from FTZ_ADMIN_PASSWORD, else generated)\n"
    "  migrate                        apply pending schema migrations\n"
    "  demo [--minimal] [--print-logins]\n"
    "                                 fill the database with demo data (--minimal: the base\n"
    "                                 data only, without the history of Jan-Apr 2024)\n"
    "  user add|list|passwd|disable   manage user accounts\n"
    "  token create|list|revoke       manage API tokens\n"
    "  firm check CODE…               check credit codes (GB 32100, GB 11714), show their parts\n"
    "  dept list|add                  the department tree\n"
    "  role list|grant|revoke         roles and their permissions\n"
    "  audit verify|head              check the audit chain / print its head\n"
    "  backup FILE                    copy a SQLite database online\n"
    "  routes                         list every HTTP route with its permission\n"
    "\n"
    "Options for every command that touches data:\n"
    "  --db URL        sqlite:PATH (default sqlite:var/ftz.db) or postgresql://…\n"
    "  --config FILE   INI configuration (see README)\n"
    "  --json          machine-readable output\n"
    "  -h, --help      help; --version the version\n";

typedef struct cli {
    int argc;
    char **argv; /* positional arguments after the command (and verb) */
    ftz_conf conf;
    bool json;
    /* repeated and valued options */
    const char *opt[16][2];
    int nopt;
} cli;

static const char *opt_get(const cli *c, const char *name)
{
    for (int i = 0; i < c->nopt; i++)
        if (strcmp(c->opt[i][0], name) == 0) return c->opt[i][1];
    return NULL;
}

static bool opt_flag(const cli *c, const char *name)
{
    for (int i = 0; i < c->nopt; i++)
        if (strcmp(c->opt[i][0], name) == 0) return true;
    return false;
}

/* Options that take a value. */
static bool takes_value(const char *name)
{
    static const char *const v[] = {"--db",      "--config", "--listen",  "--role",   "--name",
                                    "--dept",    "--firm",   "--user",    "--perm",   "--expires",
                                    "--scope",   "--lang",   "--workers", "--parent", "--name-ru",
                                    "--name-en", NULL};
    for (const char *const *p = v; *p; p++)
        if (strcmp(*p, name) == 0) return true;
    return false;
}

/* Splits argv into options and positionals, then layers the configuration:
 * defaults < config file < environment < flags. */
static int parse(cli *c, ftz_arena *a, int argc, char **argv)
{
    c->argv = ftz_arena_alloc(a, (size_t)(argc + 1) * sizeof(char *));
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        if (strncmp(s, "--", 2) == 0 && s[2]) {
            const char *eq = strchr(s, '=');
            const char *name = eq ? ftz_arena_strndup(a, s, (size_t)(eq - s)) : s;
            const char *val = eq ? eq + 1 : NULL;
            if (takes_value(name) && !val) {
                if (i + 1 >= argc) {
                    fprintf(stderr, "ftz: %s needs a value\n", name);
                    return EXIT_USAGE;
                }
                val = argv[++i];
            }
            if (c->nopt >= (int)FTZ_COUNTOF(c->opt)) {
                fprintf(stderr, "ftz: too many options\n");
                return EXIT_USAGE;
            }
            c->opt[c->nopt][0] = name;
            c->opt[c->nopt][1] = val ? val : "";
            c->nopt++;
        } else {
            c->argv[c->argc++] = argv[i];
        }
    }
    c->json = opt_flag(c, "--json");
    ftz_conf_defaults(&c->conf);
    char errbuf[512];
    const char *file = opt_get(c, "--config");
    if (!file) file = getenv("FTZ_CONFIG");
    if (file && ftz_conf_load_file(&c->conf, file, errbuf, sizeof errbuf)) {
        fprintf(stderr, "ftz: %s\n", errbuf);
        return EXIT_DATA;
    }
    if (ftz_conf_load_env(&c->conf, errbuf, sizeof errbuf)) {
        fprintf(stderr, "ftz: %s\n", errbuf);
        return EXIT_DATA;
    }
    static const struct {
        const char *flag, *key;
    } flags[] = {{"--db", "db"}, {"--listen", "listen"}, {"--workers", "workers"}};
    for (size_t i = 0; i < FTZ_COUNTOF(flags); i++) {
        const char *v = opt_get(c, flags[i].flag);
        if (v && ftz_conf_set(&c->conf, flags[i].key, v, errbuf, sizeof errbuf)) {
            fprintf(stderr, "ftz: %s: %s\n", flags[i].flag, errbuf);
            return EXIT_USAGE;
        }
    }
    if (strcmp(c->conf.log_level, "debug") == 0)
        ftz_log_set_level(FTZ_LOG_DEBUG);
    else if (strcmp(c->conf.log_level, "warn") == 0)
        ftz_log_set_level(FTZ_LOG_WARN);
    else if (strcmp(c->conf.log_level, "error") == 0)
        ftz_log_set_level(FTZ_LOG_ERROR);
    return EXIT_OK;
}

/* Prints the error a service recorded: "field: message" lines in English for operators. */
static int report(ftz_ctx *c, const char *what, ftz_rc rc)
{
    ftz_err *e = &c->err;
    if (!e->rc) e->rc = rc;
    fprintf(stderr, "ftz: %s failed: %s\n", what,
            e->code ? ftz_i18n(c->arena, "en", e->code, e->param) : ftz_rc_name(rc));
    for (size_t i = 0; i < e->nfields; i++)
        fprintf(stderr, "  %s: %s\n", e->fields[i].field,
                ftz_i18n(c->arena, "en", e->fields[i].code, e->fields[i].param));
    if (rc == FTZ_EDB) fprintf(stderr, "  database: %s\n", ftz_db_errmsg(c->db));
    return (rc == FTZ_EINVAL || rc == FTZ_EPARSE) ? EXIT_DATA : EXIT_FAIL;
}

static int open_db(cli *c, ftz_db **db)
{
    char errbuf[512];
    if (strncmp(c->conf.db_url, "sqlite:", 7) == 0) {
        /* Create the directory of a relative default such as var/ftz.db. */
        const char *path = c->conf.db_url + 7;
        const char *slash = strrchr(path, '/');
        if (slash && slash != path) {
            char dir[512];
            snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
            if (access(dir, F_OK) != 0 && mkdir(dir, 0750) != 0) {
                fprintf(stderr, "ftz: cannot create %s: %s\n", dir, strerror(errno));
                return EXIT_FAIL;
            }
        }
    }
    if (ftz_db_open(c->conf.db_url, db, errbuf, sizeof errbuf)) {
        fprintf(stderr, "ftz: %s\n", errbuf);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

/* Applies migrations and seeds the built-in roles. */
static int do_migrate(ftz_ctx *c, bool quiet)
{
    char errbuf[512];
    int applied = 0;
    if (ftz_migrate(c->db, &applied, errbuf, sizeof errbuf)) {
        fprintf(stderr, "ftz: %s\n", errbuf);
        return EXIT_FAIL;
    }
    /* Several servers may start together on one PostgreSQL: a seed that lost the race to
     * another finds the rows there when it tries again. */
    ftz_rc rc = FTZ_OK;
    for (int attempt = 0; attempt < 3; attempt++) {
        ftz_err_init(&c->err, c->arena);
        rc = auth_roles_seed(c);
        if (rc != FTZ_ECONFLICT && rc != FTZ_EDB) break;
        usleep(200000);
    }
    if (rc) return report(c, "seeding roles", rc);
    rc = auth_users_backfill_fold(c);
    if (rc) return report(c, "filling user search text", rc);
    if (!quiet) printf("ftz: %d migration(s) applied\n", applied);
    return EXIT_OK;
}

static int cmd_migrate(cli *a, ftz_ctx *c)
{
    (void)a;
    return do_migrate(c, false);
}

static int cmd_init(cli *a, ftz_ctx *c)
{
    (void)a;
    int r = do_migrate(c, true);
    if (r) return r;
    int64_t id;
    if (auth_user_find(c, "admin", &id) == FTZ_OK) {
        printf("ftz: database ready; user 'admin' already exists\n");
        return EXIT_OK;
    }
    ftz_err_init(&c->err, c->arena);
    const char *pw = getenv("FTZ_ADMIN_PASSWORD");
    bool generated = false;
    if (!pw || !*pw) {
        pw = auth_random_secret(c->arena, NULL, 12);
        generated = true;
    }
    const char *roles[] = {"admin"};
    auth_user_in in = {0};
    in.username = "admin";
    in.password = pw;
    in.display_name = "系统管理员";
    in.roles = roles;
    in.nroles = 1;
    in.scope = "all";
    ftz_rc rc = auth_user_create(c, &in, &id);
    if (rc) return report(c, "creating the admin", rc);
    printf("ftz: database ready; created user 'admin'\n");
    if (generated) printf("ftz: admin password (shown once): %s\n", pw);
    return EXIT_OK;
}

static int cmd_demo(cli *a, ftz_ctx *c)
{
    if (opt_flag(a, "--print-logins")) {
        ftz_demo_print_logins();
        return EXIT_OK;
    }
    int r = do_migrate(c, true);
    if (r) return r;
    bool created;
    ftz_rc rc = ftz_demo_run(c, opt_flag(a, "--minimal"), &created);
    if (rc) return report(c, "demo", rc);
    printf(created ? "ftz: demo data created\n" : "ftz: demo data already present\n");
    return EXIT_OK;
}

static int cmd_serve(cli *a, ftz_ctx *c)
{
    int r = do_migrate(c, true);
    if (r) return r;
    ftz_rc rc = ftz_server_run(&a->conf);
    return rc ? EXIT_FAIL : EXIT_OK;
}

/* Reads one line (a password) from standard input without its newline. */
static char *read_stdin_line(ftz_arena *ar)
{
    char buf[512];
    if (!fgets(buf, sizeof buf, stdin)) return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return ftz_arena_strdup(ar, buf);
}

static void print_json(json_t *j)
{
    char *s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (s) puts(s);
    free(s); /* jansson's allocation */
}

static int cmd_user(cli *a, ftz_ctx *c)
{
    if (a->argc < 2) {
        fprintf(stderr, "usage: ftz user add|list|passwd|disable …\n");
        return EXIT_USAGE;
    }
    const char *verb = a->argv[1];
    ftz_rc rc;
    if (strcmp(verb, "add") == 0) {
        if (a->argc < 3) {
            fprintf(stderr, "usage: ftz user add USERNAME --role ROLE [--role …] --name NAME "
                            "[--dept CODE] [--firm CREDIT_CODE] [--scope S] [--lang zh|ru|en]\n"
                            "  password: FTZ_USER_PASSWORD, else read from standard input\n");
            return EXIT_USAGE;
        }
        auth_user_in in = {0};
        in.username = a->argv[2];
        const char **roles = ftz_arena_alloc(c->arena, 16 * sizeof(char *));
        for (int i = 0; i < a->nopt; i++)
            if (strcmp(a->opt[i][0], "--role") == 0 && in.nroles < 16)
                roles[in.nroles++] = a->opt[i][1];
        in.roles = roles;
        in.display_name = opt_get(a, "--name") ? opt_get(a, "--name") : a->argv[2];
        in.scope = opt_get(a, "--scope");
        in.lang = opt_get(a, "--lang");
        const char *dept = opt_get(a, "--dept");
        if (dept && auth_dept_find(c, dept, &in.department_id)) {
            fprintf(stderr, "ftz: --dept %s: no such department\n", dept);
            return EXIT_DATA;
        }
        ftz_err_init(&c->err, c->arena);
        const char *firm = opt_get(a, "--firm");
        if (firm) {
            int64_t fid;
            if (ftz_db_scalar(c->db, &fid, "SELECT id FROM firms WHERE credit_code = ?", "s",
                              firm)) {
                fprintf(stderr, "ftz: --firm %s: no such firm\n", firm);
                return EXIT_DATA;
            }
            in.firm_id = fid;
        }
        in.password = getenv("FTZ_USER_PASSWORD");
        if (!in.password) in.password = read_stdin_line(c->arena);
        int64_t id;
        rc = auth_user_create(c, &in, &id);
        if (rc) return report(c, "user add", rc);
        printf("ftz: created user %s (id %lld)\n", in.username, (long long)id);
        return EXIT_OK;
    }
    if (strcmp(verb, "list") == 0) {
        auth_list_q q = {0};
        q.disabled = -1;
        q.sort_key = "username";
        q.limit = 100000;
        json_t *items;
        int64_t total;
        rc = auth_users_list(c, &q, &items, &total);
        if (rc) return report(c, "user list", rc);
        if (a->json) {
            print_json(items);
        } else {
            size_t i;
            json_t *u;
            json_array_foreach(items, i, u)
            {
                char *roles = json_dumps(json_object_get(u, "roles"), JSON_COMPACT);
                printf("%-6lld %-20s %-24s %-10s %s%s\n",
                       (long long)json_integer_value(json_object_get(u, "id")),
                       json_string_value(json_object_get(u, "username")),
                       json_string_value(json_object_get(u, "display_name")),
                       json_string_value(json_object_get(u, "scope")), roles ? roles : "",
                       json_is_true(json_object_get(u, "disabled")) ? " (disabled)" : "");
                free(roles); /* jansson's allocation */
            }
        }
        json_decref(items);
        return EXIT_OK;
    }
    if (strcmp(verb, "passwd") == 0 || strcmp(verb, "disable") == 0 ||
        strcmp(verb, "enable") == 0) {
        if (a->argc < 3) {
            fprintf(stderr, "usage: ftz user %s USERNAME\n", verb);
            return EXIT_USAGE;
        }
        int64_t id;
        if (auth_user_find(c, a->argv[2], &id)) {
            fprintf(stderr, "ftz: no user '%s'\n", a->argv[2]);
            return EXIT_DATA;
        }
        if (strcmp(verb, "passwd") == 0) {
            const char *pw = getenv("FTZ_USER_PASSWORD");
            if (!pw) pw = read_stdin_line(c->arena);
            rc = auth_user_set_password(c, id, pw);
        } else {
            rc = auth_user_set_disabled(c, id, strcmp(verb, "disable") == 0);
        }
        if (rc) return report(c, verb, rc);
        printf("ftz: %s: done for %s\n", verb, a->argv[2]);
        return EXIT_OK;
    }
    fprintf(stderr, "ftz: unknown verb 'user %s'\n", verb);
    return EXIT_USAGE;
}

static int cmd_token(cli *a, ftz_ctx *c)
{
    if (a->argc < 2) {
        fprintf(stderr, "usage: ftz token create|list|revoke …\n");
        return EXIT_USAGE;
    }
    const char *verb = a->argv[1];
    ftz_rc rc;
    if (strcmp(verb, "create") == 0) {
        const char *user = opt_get(a, "--user");
        const char *name = opt_get(a, "--name");
        if (!user || !name) {
            fprintf(stderr, "usage: ftz token create --user USERNAME --name NAME --perm P "
                            "[--perm …] [--expires 2027-01-01T00:00:00Z]\n");
            return EXIT_USAGE;
        }
        int64_t uid;
        if (auth_user_find(c, user, &uid)) {
            fprintf(stderr, "ftz: no user '%s'\n", user);
            return EXIT_DATA;
        }
        ftz_err_init(&c->err, c->arena);
        const char **perms = ftz_arena_alloc(c->arena, 16 * sizeof(char *));
        size_t n = 0;
        for (int i = 0; i < a->nopt; i++)
            if (strcmp(a->opt[i][0], "--perm") == 0 && n < 16) perms[n++] = a->opt[i][1];
        int64_t exp = 0;
        const char *e = opt_get(a, "--expires");
        if (e && ftz_time_parse(e, &exp)) {
            fprintf(stderr, "ftz: --expires: not an ISO 8601 date-time with offset\n");
            return EXIT_DATA;
        }
        int64_t id;
        char *secret;
        rc = auth_token_create(c, name, perms, n, exp, uid, &id, &secret);
        if (rc) return report(c, "token create", rc);
        printf("ftz: token %lld created; secret (shown once):\n%s\n", (long long)id, secret);
        return EXIT_OK;
    }
    if (strcmp(verb, "list") == 0) {
        json_t *items;
        rc = auth_tokens_list(c, true, &items);
        if (rc) return report(c, "token list", rc);
        if (a->json) {
            print_json(items);
        } else {
            size_t i;
            json_t *t;
            json_array_foreach(items, i, t)
            {
                printf("%-6lld %-16s %-24s %s%s\n",
                       (long long)json_integer_value(json_object_get(t, "id")),
                       json_string_value(json_object_get(t, "username")),
                       json_string_value(json_object_get(t, "name")),
                       json_string_value(json_object_get(t, "prefix")),
                       json_is_null(json_object_get(t, "revoked_at")) ? "" : " (revoked)");
            }
        }
        json_decref(items);
        return EXIT_OK;
    }
    if (strcmp(verb, "revoke") == 0) {
        char *end = NULL;
        long long id = a->argc >= 3 ? strtoll(a->argv[2], &end, 10) : 0;
        if (a->argc < 3 || !end || *end || id <= 0) {
            fprintf(stderr, "usage: ftz token revoke ID\n");
            return EXIT_USAGE;
        }
        rc = auth_token_revoke(c, id);
        if (rc) return report(c, "token revoke", rc);
        printf("ftz: token %lld revoked\n", id);
        return EXIT_OK;
    }
    fprintf(stderr, "ftz: unknown verb 'token %s'\n", verb);
    return EXIT_USAGE;
}

static int cmd_dept(cli *a, ftz_ctx *c)
{
    const char *verb = a->argc >= 2 ? a->argv[1] : "";
    if (strcmp(verb, "list") == 0) {
        json_t *items;
        ftz_rc rc = auth_depts_list(c, &items);
        if (rc) return report(c, "dept list", rc);
        if (a->json) {
            print_json(items);
        } else {
            size_t i;
            json_t *d;
            json_array_foreach(items, i, d)
            {
                printf("%-6lld %-12s %-16s %s\n",
                       (long long)json_integer_value(json_object_get(d, "id")),
                       json_string_value(json_object_get(d, "code")),
                       json_string_value(json_object_get(d, "path")),
                       json_string_value(json_object_get(d, "name")));
            }
        }
        json_decref(items);
        return EXIT_OK;
    }
    if (strcmp(verb, "add") == 0 && a->argc >= 3) {
        int64_t parent = 0;
        const char *pc = opt_get(a, "--parent");
        if (pc && auth_dept_find(c, pc, &parent)) {
            fprintf(stderr, "ftz: --parent %s: no such department\n", pc);
            return EXIT_DATA;
        }
        ftz_err_init(&c->err, c->arena);
        int64_t id;
        ftz_rc rc = auth_dept_create(c, a->argv[2], opt_get(a, "--name"), opt_get(a, "--name-ru"),
                                     opt_get(a, "--name-en"), parent, &id);
        if (rc) return report(c, "dept add", rc);
        printf("ftz: created department %s (id %lld)\n", a->argv[2], (long long)id);
        return EXIT_OK;
    }
    fprintf(stderr, "usage: ftz dept list | ftz dept add CODE --name NAME [--name-ru N] "
                    "[--name-en N] [--parent CODE]\n");
    return EXIT_USAGE;
}

static int cmd_role(cli *a, ftz_ctx *c)
{
    const char *verb = a->argc >= 2 ? a->argv[1] : "";
    if (strcmp(verb, "list") == 0) {
        json_t *items;
        ftz_rc rc = auth_roles_list(c, &items);
        if (rc) return report(c, "role list", rc);
        if (a->json) {
            print_json(items);
        } else {
            size_t i;
            json_t *r;
            json_array_foreach(items, i, r)
            {
                char *perms = json_dumps(json_object_get(r, "permissions"), JSON_COMPACT);
                printf("%-14s %-12s %s\n", json_string_value(json_object_get(r, "name")),
                       json_string_value(json_object_get(r, "title_zh")), perms ? perms : "");
                free(perms); /* jansson's allocation */
            }
        }
        json_decref(items);
        return EXIT_OK;
    }
    if ((strcmp(verb, "grant") == 0 || strcmp(verb, "revoke") == 0) && a->argc >= 4) {
        int64_t id;
        if (ftz_db_scalar(c->db, &id, "SELECT id FROM roles WHERE name = ?", "s", a->argv[2])) {
            fprintf(stderr, "ftz: no role '%s'\n", a->argv[2]);
            return EXIT_DATA;
        }
        json_t *role;
        ftz_rc rc = auth_role_get(c, id, &role);
        if (rc) return report(c, "role", rc);
        json_t *perms = json_object_get(role, "permissions");
        json_t *next = json_array();
        size_t i;
        json_t *p;
        json_array_foreach(perms, i, p)
        {
            if (strcmp(json_string_value(p), a->argv[3]) != 0) json_array_append(next, p);
        }
        if (strcmp(verb, "grant") == 0) json_array_append_new(next, json_string(a->argv[3]));
        json_t *patch = json_pack("{s:o}", "permissions", next);
        rc = auth_role_update(c, id, json_integer_value(json_object_get(role, "version")), patch);
        json_decref(patch);
        json_decref(role);
        if (rc) return report(c, verb, rc);
        printf("ftz: role %s: %s %s\n", a->argv[2], verb, a->argv[3]);
        return EXIT_OK;
    }
    fprintf(stderr, "usage: ftz role list | ftz role grant|revoke ROLE PERMISSION\n");
    return EXIT_USAGE;
}

static int cmd_firm(cli *a, ftz_ctx *c)
{
    (void)c;
    const char *verb = a->argc >= 2 ? a->argv[1] : "";
    if (strcmp(verb, "check") == 0) return firm_cli_check(a->argc - 2, a->argv + 2, a->json);
    fprintf(stderr, "usage: ftz firm check CODE…\n");
    return EXIT_USAGE;
}

static int cmd_audit(cli *a, ftz_ctx *c)
{
    const char *verb = a->argc >= 2 ? a->argv[1] : "";
    if (strcmp(verb, "verify") == 0) {
        ftz_audit_report rep;
        ftz_rc rc = ftz_audit_verify(c, &rep);
        if (rc) return report(c, "audit verify", rc);
        if (a->json) {
            json_t *j = json_pack("{s:b,s:I,s:I,s:I,s:s?}", "ok", rep.first_bad == 0, "rows",
                                  (json_int_t)rep.rows, "head_seq", (json_int_t)rep.head_seq,
                                  "first_bad", (json_int_t)rep.first_bad, "why", rep.why);
            print_json(j);
            json_decref(j);
        } else if (rep.first_bad) {
            printf("ftz: audit chain BROKEN at seq %lld: %s\n", (long long)rep.first_bad, rep.why);
        } else {
            printf("ftz: audit chain intact: %lld rows, head seq %lld\n", (long long)rep.rows,
                   (long long)rep.head_seq);
        }
        return rep.first_bad ? EXIT_FAIL : EXIT_OK;
    }
    if (strcmp(verb, "head") == 0) {
        int64_t seq;
        char hash[65];
        ftz_rc rc = ftz_audit_head(c, &seq, hash);
        if (rc) return report(c, "audit head", rc);
        if (a->json)
            printf("{\"seq\": %lld, \"hash\": \"%s\"}\n", (long long)seq, hash);
        else
            printf("%lld %s\n", (long long)seq, hash);
        return EXIT_OK;
    }
    fprintf(stderr, "usage: ftz audit verify|head\n");
    return EXIT_USAGE;
}

static int cmd_backup(cli *a, ftz_ctx *c)
{
    if (a->argc < 2) {
        fprintf(stderr, "usage: ftz backup FILE\n");
        return EXIT_USAGE;
    }
    char errbuf[512];
    if (ftz_db_backup(c->db, a->argv[1], errbuf, sizeof errbuf)) {
        fprintf(stderr, "ftz: backup: %s\n", errbuf);
        return EXIT_FAIL;
    }
    printf("ftz: backup written to %s\n", a->argv[1]);
    return EXIT_OK;
}

static int cmd_routes(cli *a, ftz_ctx *c)
{
    (void)c;
    size_t n;
    const ftz_route *r = ftz_routes_all(&n);
    if (a->json) {
        json_t *arr = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(arr, json_pack("{s:s,s:s,s:s,s:b,s:b}", "method", r[i].method,
                                                 "path", r[i].pattern, "permission", r[i].perm,
                                                 "export", (r[i].flags & FTZ_ROUTE_EXPORT) != 0,
                                                 "api_key", (r[i].flags & FTZ_ROUTE_API_KEY) != 0));
        print_json(arr);
        json_decref(arr);
    } else {
        for (size_t i = 0; i < n; i++)
            printf("%-7s %-40s %s\n", r[i].method, r[i].pattern, r[i].perm);
    }
    return EXIT_OK;
}

typedef struct command {
    const char *name;
    int (*fn)(cli *a, ftz_ctx *c);
    bool needs_db;
} command;

static const command commands[] = {
    {"serve", cmd_serve, true}, {"init", cmd_init, true},     {"migrate", cmd_migrate, true},
    {"demo", cmd_demo, true},   {"user", cmd_user, true},     {"token", cmd_token, true},
    {"firm", cmd_firm, false},  {"dept", cmd_dept, true},     {"role", cmd_role, true},
    {"audit", cmd_audit, true}, {"backup", cmd_backup, true}, {"routes", cmd_routes, false},
};

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(USAGE, argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("ftz %s\n", FTZ_VERSION);
        return EXIT_OK;
    }
    const command *cmd = NULL;
    for (size_t i = 0; i < FTZ_COUNTOF(commands); i++)
        if (strcmp(commands[i].name, argv[1]) == 0) cmd = &commands[i];
    if (!cmd) {
        fprintf(stderr, "ftz: unknown command '%s' (see ftz --help)\n", argv[1]);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(USAGE, stdout);
            return EXIT_OK;
        }
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "ftz: libsodium failed to start\n");
        return EXIT_FAIL;
    }
    char errbuf[512];
    if (ftz_platform_init(errbuf, sizeof errbuf)) {
        fprintf(stderr, "ftz: reference data: %s\n", errbuf);
        return EXIT_FAIL;
    }
    ftz_export_jobs_init();
    demand_init();
    window_init();
    firm_import_init();
    open311_init();
    ftz_arena *ar = ftz_arena_new();
    cli a;
    memset(&a, 0, sizeof a);
    int r = parse(&a, ar, argc - 1, argv + 1);
    if (r) goto out_conf; /* a half-read configuration is freed too */
    ftz_db *db = NULL;
    if (cmd->needs_db) {
        r = open_db(&a, &db);
        if (r) goto out_conf;
    }
    ftz_ctx c;
    ftz_ctx_init_system(&c, db, &a.conf, "cli");
    r = cmd->fn(&a, &c);
    ftz_ctx_cleanup(&c);
    ftz_db_close(db);
out_conf:
    ftz_conf_cleanup(&a.conf);
    ftz_arena_free(ar);
    ftz_platform_cleanup();
    return r;
}
