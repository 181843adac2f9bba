/* internal.h — shared between the files of src/auth only. */
#ifndef FTZ_AUTH_INTERNAL_H
#define FTZ_AUTH_INTERNAL_H

#include "auth/auth.h"

typedef struct auth_role_def {
    const char *name, *zh, *ru, *en;
    ftz_scope scope;          /* the default scope of a user holding this role */
    const char *const *perms; /* NULL-ended; "*" = all */
} auth_role_def;

extern const auth_role_def auth_builtin_roles[];
extern const size_t auth_nbuiltin_roles;

/* Hex SHA-256 of a secret (session ids and token secrets are stored this way). */
void auth_sha256_hex(const char *secret, char out[65]);

#endif
