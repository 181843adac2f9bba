/* cli.c — `ftz firm check CODE…`: the credit-code checks of GB 32100 (the 18th character)
 * and GB 11714 (the organisation code's own check character), with the code's parts named
 * from the standard's tables. Pure: touches no database. */
#include "core/ftz_setup.h"
#include "firm/cli.h"
#include "firm/uscc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *why_text(const char *why)
{
    if (!why) return "";
    if (strcmp(why, "length") == 0) return "not 18 characters";
    if (strcmp(why, "charset") == 0)
        return "a character outside 0-9 A-Z without I O S V Z (upper case only)";
    if (strcmp(why, "check_digit") == 0)
        return "the 18th character is not the GB 32100 check character of the first 17";
    if (strcmp(why, "org_check_digit") == 0)
        return "the organisation code (characters 9-17) fails its GB 11714 check character";
    return why;
}

int firm_cli_check(int argc, char **argv, bool json)
{
    if (argc < 1) {
        fprintf(stderr, "usage: ftz firm check CODE… [--json]\n");
        return 2;
    }
    int bad = 0;
    json_t *arr = json ? json_array() : NULL;
    for (int i = 0; i < argc; i++) {
        const char *code = argv[i];
        const char *why = NULL;
        bool ok = firm_uscc_valid(code, &why);
        firm_uscc_parts p;
        bool split = firm_uscc_split(code, &p);
        if (!ok) bad++;
        if (json) {
            json_t *o = json_pack("{s:s,s:b}", "code", code, "valid", ok);
            if (!ok) json_object_set_new(o, "error", json_string(why));
            if (split) {
                char a[2] = {p.authority, 0}, t[2] = {p.type, 0};
                json_object_set_new(o, "authority", json_string(a));
                json_object_set_new(o, "authority_name",
                                    p.authority_name ? json_string(p.authority_name) : json_null());
                json_object_set_new(o, "type", json_string(t));
                json_object_set_new(o, "type_name",
                                    p.type_name[0] ? json_string(p.type_name) : json_null());
                json_object_set_new(o, "region", json_string(p.region));
                json_object_set_new(o, "province",
                                    p.province ? json_string(p.province) : json_null());
                json_object_set_new(o, "org_code", json_string(p.org_code));
            }
            json_array_append_new(arr, o);
            continue;
        }
        if (ok) {
            printf("%s  valid\n", code);
        } else {
            fprintf(stderr, "%s  INVALID (%s): %s\n", code, why, why_text(why));
        }
        if (split) {
            FILE *out = ok ? stdout : stderr;
            fprintf(out, "  registration authority  %c %s\n", p.authority,
                    p.authority_name ? p.authority_name : "(not in GB 32100 table 1)");
            fprintf(out, "  firm type               %c %s\n", p.type,
                    p.type_name[0] ? p.type_name : "(not in the authority's table)");
            fprintf(out, "  region                  %s %s\n", p.region,
                    p.province ? p.province : "(unknown province)");
            fprintf(out, "  organisation code       %s\n", p.org_code);
        }
    }
    if (json) {
        char *s = json_dumps(arr, JSON_INDENT(2));
        if (s) puts(s);
        free(s); /* jansson's allocation */
        json_decref(arr);
    }
    return bad ? 65 : 0;
}
