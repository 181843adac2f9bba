/* test_buf.c — the capped growable buffer (core/buf.h): growth, the cap (FTZ_ETOOBIG leaves
 * the contents as they were), the unbounded helpers, take and reset. */
#include "core/ftz_setup.h"
#include "core/buf.h"
#include "core/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

static void test_empty(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 0);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(ftz_buf_str(&b), "");
    ftz_buf_reset(&b); /* on a buffer that never allocated */
    assert_string_equal(ftz_buf_str(&b), "");
    ftz_buf_cleanup(&b);
    ftz_buf_cleanup(&b); /* twice is harmless */
    assert_null(b.data);
}

static void test_add_grows(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 0);
    size_t want = 0;
    for (int i = 0; i < 5000; i++) {
        char piece[16];
        int n = snprintf(piece, sizeof piece, "%d,", i);
        assert_int_equal(ftz_buf_add(&b, piece, (size_t)n), FTZ_OK);
        want += (size_t)n;
        assert_int_equal(b.len, want);
        assert_true(b.cap > b.len);
        assert_int_equal(b.data[b.len], '\0');
    }
    assert_int_equal(strncmp(b.data, "0,1,2,3,", 8), 0);
    assert_int_equal(strcmp(b.data + b.len - 5, "4999,"), 0);
    /* zero-length adds change nothing, NULL source included */
    assert_int_equal(ftz_buf_add(&b, NULL, 0), FTZ_OK);
    assert_int_equal(b.len, want);
    ftz_buf_cleanup(&b);
}

static void test_binary(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 16);
    assert_int_equal(ftz_buf_add(&b, "a\0b", 3), FTZ_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    ftz_buf_cleanup(&b);
}

static void test_cap(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 10);
    assert_int_equal(ftz_buf_add(&b, "12345", 5), FTZ_OK);
    assert_int_equal(ftz_buf_add(&b, "67890", 5), FTZ_OK); /* exactly the cap: allowed */
    assert_int_equal(b.len, 10);
    char *before = b.data;
    size_t cap_before = b.cap;

    /* one byte past the cap: refused, nothing changed, nothing truncated */
    assert_int_equal(ftz_buf_add(&b, "x", 1), FTZ_ETOOBIG);
    assert_int_equal(b.len, 10);
    assert_string_equal(b.data, "1234567890");
    assert_ptr_equal(b.data, before);
    assert_int_equal(b.cap, cap_before);

    assert_int_equal(ftz_buf_add(&b, "", 0), FTZ_OK);
    assert_int_equal(ftz_buf_add(&b, "abcdefghijklmnop", 16), FTZ_ETOOBIG);
    assert_string_equal(b.data, "1234567890");
    assert_int_equal(ftz_buf_add(&b, "x", SIZE_MAX), FTZ_ETOOBIG); /* size arithmetic */
    assert_int_equal(ftz_buf_add(&b, "x", SIZE_MAX / 2), FTZ_ETOOBIG);
    assert_string_equal(b.data, "1234567890");

    /* after a reset the whole cap is available again */
    ftz_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(ftz_buf_str(&b), "");
    assert_int_equal(ftz_buf_add(&b, "abcdefghij", 10), FTZ_OK);
    assert_int_equal(ftz_buf_add(&b, "k", 1), FTZ_ETOOBIG);
    assert_string_equal(b.data, "abcdefghij");
    ftz_buf_cleanup(&b);

    /* a first append over the cap leaves the buffer unallocated */
    ftz_buf_init(&b, 4);
    assert_int_equal(ftz_buf_add(&b, "12345", 5), FTZ_ETOOBIG);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(ftz_buf_str(&b), "");
    ftz_buf_cleanup(&b);
}

static void test_cap_large(void **state)
{
    (void)state;
    enum { MAX = 1 << 20 };
    ftz_buf b;
    ftz_buf_init(&b, MAX);
    char chunk[1000];
    memset(chunk, 'q', sizeof chunk);
    size_t added = 0;
    ftz_rc rc;
    while ((rc = ftz_buf_add(&b, chunk, sizeof chunk)) == FTZ_OK)
        added += sizeof chunk;
    assert_int_equal(rc, FTZ_ETOOBIG);
    assert_int_equal(added, MAX / 1000 * 1000);
    assert_int_equal(b.len, added);
    assert_int_equal(ftz_buf_add(&b, chunk, MAX - added), FTZ_OK); /* fill to the byte */
    assert_int_equal(b.len, MAX);
    assert_int_equal(ftz_buf_add(&b, chunk, 1), FTZ_ETOOBIG);
    assert_int_equal(b.data[MAX], '\0');
    ftz_buf_cleanup(&b);
}

static void test_unbounded_helpers(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 0);
    ftz_buf_puts(&b, "SELECT ");
    ftz_buf_putc(&b, '*');
    ftz_buf_put(&b, " FROM t", 7);
    ftz_buf_printf(&b, " WHERE id = %d AND name = '%s'", 42, "黑河");
    assert_string_equal(ftz_buf_str(&b), "SELECT * FROM t WHERE id = 42 AND name = '黑河'");
    assert_int_equal(b.len, strlen(b.data));
    ftz_buf_printf(&b, "%s", ""); /* empty output */
    assert_int_equal(b.len, strlen(b.data));
    size_t len = b.len;
    ftz_buf_printf(&b, "%5000d", 1); /* growth inside printf */
    assert_int_equal(b.len, len + 5000);
    assert_int_equal(b.data[b.len - 1], '1');
    assert_int_equal(b.data[b.len], '\0');
    ftz_buf_cleanup(&b);

    ftz_buf_init(&b, 0);
    ftz_buf_printf(&b, "%s", "");
    assert_string_equal(ftz_buf_str(&b), "");
    ftz_buf_cleanup(&b);
}

static void test_take(void **state)
{
    (void)state;
    ftz_buf b;
    ftz_buf_init(&b, 100);
    assert_int_equal(ftz_buf_add(&b, "hello", 5), FTZ_OK);
    char *s = ftz_buf_take(&b);
    assert_string_equal(s, "hello");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_string_equal(ftz_buf_str(&b), "");
    ftz_free(s);

    /* the buffer is usable again, still capped */
    assert_int_equal(ftz_buf_add(&b, "x", 1), FTZ_OK);
    char big[101];
    memset(big, 'y', sizeof big);
    assert_int_equal(ftz_buf_add(&b, big, 100), FTZ_ETOOBIG);
    ftz_buf_cleanup(&b);

    /* taking from an empty buffer gives an empty heap string */
    ftz_buf_init(&b, 0);
    s = ftz_buf_take(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    ftz_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),     cmocka_unit_test(test_add_grows),
        cmocka_unit_test(test_binary),    cmocka_unit_test(test_cap),
        cmocka_unit_test(test_cap_large), cmocka_unit_test(test_unbounded_helpers),
        cmocka_unit_test(test_take),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
