/* password.c — argon2id hashing with a cap on concurrent hashes, and the password rules.
 *
 * The cost (opslimit, memlimit) is read from the settings at every hash so that an admin
 * can raise it without a restart; verification reads the cost from the stored hash string,
 * so old hashes keep verifying. The cap keeps a burst of log-ins from exhausting memory. */
#include "core/ftz_setup.h"
#include "auth/auth.h"
#include "auth/internal.h"
#include "core/arena.h"
#include "core/settings.h"
#include "core/utf8.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

static pthread_mutex_t slots_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t slots_cv = PTHREAD_COND_INITIALIZER;
static int slots_busy;

static void slot_take(int cap)
{
    pthread_mutex_lock(&slots_mu);
    while (slots_busy >= cap)
        pthread_cond_wait(&slots_cv, &slots_mu);
    slots_busy++;
    pthread_mutex_unlock(&slots_mu);
}

static void slot_give(void)
{
    pthread_mutex_lock(&slots_mu);
    slots_busy--;
    pthread_cond_signal(&slots_cv);
    pthread_mutex_unlock(&slots_mu);
}

static int setting_or(ftz_ctx *c, const char *name, int64_t dflt)
{
    int64_t v;
    if (ftz_setting_int(c, name, &v)) return (int)dflt;
    return (int)v;
}

ftz_rc auth_password_hash(ftz_ctx *c, const char *password, char **out)
{
    int64_t ops = setting_or(c, "auth.argon2_opslimit", 3);
    int64_t mem_kib = setting_or(c, "auth.argon2_memlimit_kib", 65536);
    int cap = setting_or(c, "auth.max_concurrent_hashes", 4);
    if (ops < (int64_t)crypto_pwhash_OPSLIMIT_MIN) ops = crypto_pwhash_OPSLIMIT_MIN;
    size_t mem = (size_t)mem_kib * 1024;
    if (mem < crypto_pwhash_MEMLIMIT_MIN) mem = crypto_pwhash_MEMLIMIT_MIN;
    char *h = ftz_arena_alloc(c->arena, crypto_pwhash_STRBYTES);
    slot_take(cap < 1 ? 1 : cap);
    int r = crypto_pwhash_str_alg(h, password, strlen(password), (unsigned long long)ops, mem,
                                  crypto_pwhash_ALG_ARGON2ID13);
    slot_give();
    if (r != 0) return FTZ_EINTERNAL;
    *out = h;
    return FTZ_OK;
}

bool auth_password_verify(const char *hash, const char *password)
{
    if (!hash || !password) return false;
    slot_take(8);
    bool ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    slot_give();
    return ok;
}

void auth_password_check(ftz_ctx *c, const char *field, const char *password, const char *username)
{
    if (!password) {
        ftz_err_field(&c->err, field, "required", NULL);
        return;
    }
    size_t n = ftz_utf8_len(password);
    if (n < 10)
        ftz_err_field(&c->err, field, "too_short", "10");
    else if (n > 128)
        ftz_err_field(&c->err, field, "too_long", "128");
    else if (username && strcasecmp(password, username) == 0)
        ftz_err_field(&c->err, field, "same_as_username", NULL);
}

void auth_sha256_hex(const char *secret, char out[65])
{
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(out, 65, h, sizeof h);
}

char *auth_random_secret(ftz_arena *a, const char *prefix, size_t nbytes)
{
    unsigned char buf[64];
    if (nbytes > sizeof buf) nbytes = sizeof buf;
    randombytes_buf(buf, nbytes);
    size_t b64len = sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *b64 = ftz_arena_alloc(a, b64len);
    sodium_bin2base64(b64, b64len, buf, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return prefix ? ftz_arena_printf(a, "%s%s", prefix, b64) : b64;
}
