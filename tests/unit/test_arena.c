/* test_arena.c — the region allocator (core/arena.h): zeroed and aligned memory, large
 * requests, strings, deferred cleanups and their order. */
#include "core/ftz_setup.h"
#include "core/arena.h"
#include "core/mem.h"

#include <setjmp.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

static void test_new_free(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    assert_non_null(a);
    assert_int_equal(ftz_arena_used(a), 0);
    ftz_arena_free(a);
    ftz_arena_free(NULL);
}

/* Many allocations of mixed sizes: each zeroed, aligned for any type, and not overlapping any
 * other (each is filled with its own byte and checked at the end). */
static void test_mixed_sizes(void **state)
{
    (void)state;
    enum { N = 3000 };
    static unsigned char *ptrs[N];
    static size_t sizes[N];
    ftz_arena *a = ftz_arena_new();
    size_t total = 0;
    unsigned seed = 1;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245u + 12345u;
        size_t n = (seed >> 16) % 97;
        if (i % 50 == 0) n = 2049 + (seed >> 8) % 20000; /* big: a block of its own */
        if (i % 7 == 0) n = 0;
        unsigned char *p = ftz_arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_int_equal((uintptr_t)p % alignof(max_align_t), 0);
        assert_true(all_zero(p, n));
        memset(p, i & 0xff, n);
        ptrs[i] = p;
        sizes[i] = n;
        total += n ? n : 1;
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < sizes[i]; k++)
            if (ptrs[i][k] != (unsigned char)(i & 0xff)) fail_msg("allocation %d overwritten", i);
    /* zero-byte requests still get distinct pointers */
    for (int i = 1; i < N; i++)
        if (sizes[i] == 0 && sizes[i - 1] == 0) assert_ptr_not_equal(ptrs[i], ptrs[i - 1]);
    assert_int_equal(ftz_arena_used(a), total);
    ftz_arena_free(a);
}

static void test_large(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    size_t sizes[] = {2048, 2049, 8192, 8193, 1 << 20, 16u << 20};
    for (size_t i = 0; i < FTZ_COUNTOF(sizes); i++) {
        unsigned char *p = ftz_arena_alloc(a, sizes[i]);
        assert_int_equal((uintptr_t)p % 16, 0);
        assert_true(all_zero(p, sizes[i]));
        memset(p, 0xab, sizes[i]); /* the whole request is writable (ASan checks the end) */
    }
    ftz_arena_free(a);
}

/* A large request goes to a block of its own behind the current one, so the current block
 * keeps serving small requests: the next small allocation follows the previous one. */
static void test_large_keeps_head(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    char *s1 = ftz_arena_alloc(a, 16);
    char *big = ftz_arena_alloc(a, 100000);
    char *s2 = ftz_arena_alloc(a, 16);
    assert_ptr_equal(s2, s1 + 16);
    assert_true(big < s1 || big > s1 + 8192);
    /* and a large first request, with no block yet, works too */
    ftz_arena *b = ftz_arena_new();
    char *big2 = ftz_arena_alloc(b, 50000);
    char *s3 = ftz_arena_alloc(b, 10);
    char *s4 = ftz_arena_alloc(b, 10);
    assert_non_null(big2);
    assert_ptr_equal(s4, s3 + 16);
    ftz_arena_free(b);
    ftz_arena_free(a);
}

static void test_strings(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    assert_string_equal(ftz_arena_strdup(a, "黑河"), "黑河");
    assert_string_equal(ftz_arena_strdup(a, ""), "");
    assert_null(ftz_arena_strdup(a, NULL));
    assert_string_equal(ftz_arena_strndup(a, "abcdef", 3), "abc");
    assert_string_equal(ftz_arena_strndup(a, "abc", 100), "abc");
    assert_string_equal(ftz_arena_strndup(a, "abc", 0), "");
    /* strndup reads no further than n bytes: the source need not be terminated */
    char raw[4] = {'w', 'x', 'y', 'z'};
    assert_string_equal(ftz_arena_strndup(a, raw, 4), "wxyz");

    assert_string_equal(ftz_arena_printf(a, "%s-%04d", "SQ", 12), "SQ-0012");
    assert_string_equal(ftz_arena_printf(a, "%s", ""), "");
    char *big = ftz_arena_printf(a, "%30000d|", 7);
    assert_int_equal(strlen(big), 30001);
    assert_int_equal(big[29999], '7');
    assert_int_equal(big[30000], '|');
    ftz_arena_free(a);
}

static int order[8];
static int norder;

static void record(void *p)
{
    order[norder++] = *(int *)p;
}

static void check_text(void *p)
{
    /* deferred cleanups run before the blocks go: arena memory is still readable */
    assert_string_equal((const char *)p, "still here");
    order[norder++] = 99;
}

static void test_defer_order(void **state)
{
    (void)state;
    static int ids[] = {1, 2, 3, 4};
    norder = 0;
    ftz_arena *a = ftz_arena_new();
    ftz_arena_defer(a, record, &ids[0]);
    ftz_arena_alloc(a, 100000); /* blocks of all kinds in between */
    ftz_arena_defer(a, record, &ids[1]);
    char *s = ftz_arena_strdup(a, "still here");
    ftz_arena_defer(a, check_text, s);
    for (int i = 0; i < 2000; i++)
        ftz_arena_alloc(a, 24);
    ftz_arena_defer(a, record, &ids[2]);
    assert_int_equal(norder, 0);
    ftz_arena_free(a);
    assert_int_equal(norder, 4);
    assert_int_equal(order[0], 3); /* last registered first */
    assert_int_equal(order[1], 99);
    assert_int_equal(order[2], 2);
    assert_int_equal(order[3], 1);
}

/* The common use: a library object freed with the arena (ASan reports a leak otherwise). */
static void test_defer_frees(void **state)
{
    (void)state;
    ftz_arena *a = ftz_arena_new();
    char *heap = ftz_strdup("owned by a library");
    ftz_arena_defer(a, ftz_free, heap);
    ftz_arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_free),    cmocka_unit_test(test_mixed_sizes),
        cmocka_unit_test(test_large),       cmocka_unit_test(test_large_keeps_head),
        cmocka_unit_test(test_strings),     cmocka_unit_test(test_defer_order),
        cmocka_unit_test(test_defer_frees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
