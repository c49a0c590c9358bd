/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the console backend's ring code (drivers/console/back/
 * conring.c) on a struct xencons_interface in ordinary memory: output in
 * order across the wrap, input up to a full ring, index wrap-around at
 * 2^32, and hostile indexes (-EPROTO, nothing read or written, the
 * backend's own indexes never taken back from the page).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "conring.h"

static struct xencons_interface page;

/* The guest's side: put bytes into "out". */
static void guest_out(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        page.out[MASK_XENCONS_IDX(page.out_prod++, page.out)] = s[i];
}

static void test_output_in_order_across_wrap(void **state)
{
    struct conring r;
    char buf[sizeof(page.out) * 2];
    long n;

    (void)state;
    memset(&page, 0, sizeof(page));
    page.out_prod = page.out_cons = sizeof(page.out) - 5;
    conring_attach(&r, &page);
    guest_out("hello, world\n", 13);
    n = conring_read(&r, buf, sizeof(buf));
    assert_int_equal(n, 13);
    assert_memory_equal(buf, "hello, world\n", 13);
    assert_int_equal(page.out_cons, page.out_prod);
    assert_int_equal(conring_read(&r, buf, sizeof(buf)), 0);
    /* A full ring, read in small pieces. */
    for (unsigned int i = 0; i < sizeof(page.out); i++)
        guest_out((const char *)&(char){(char)i}, 1);
    for (unsigned int got = 0; got < sizeof(page.out);) {
        n = conring_read(&r, buf, 7);
        assert_true(n > 0 && n <= 7);
        for (long k = 0; k < n; k++)
            assert_int_equal((unsigned char)buf[k], (got + k) & 0xff);
        got += (unsigned int)n;
    }
}

static void test_index_wraps_at_2_32(void **state)
{
    struct conring r;
    char buf[64];

    (void)state;
    memset(&page, 0, sizeof(page));
    page.out_prod = page.out_cons = 0xfffffff0u;
    page.in_prod = page.in_cons = 0xfffffffcu;
    conring_attach(&r, &page);
    guest_out("0123456789abcdefghijklmnop", 26);
    assert_int_equal(conring_read(&r, buf, sizeof(buf)), 26);
    assert_memory_equal(buf, "0123456789abcdefghijklmnop", 26);
    assert_int_equal(conring_write(&r, "abcdefgh", 8), 8);
    assert_int_equal(page.in_prod, 4u);
}

static void test_input_stops_when_full(void **state)
{
    struct conring r;
    char big[sizeof(page.in) + 100];

    (void)state;
    memset(&page, 0, sizeof(page));
    memset(big, 'x', sizeof(big));
    conring_attach(&r, &page);
    assert_int_equal(conring_write(&r, big, sizeof(big)), sizeof(page.in));
    assert_int_equal(conring_write(&r, big, 1), 0);
    page.in_cons += 10; /* the guest takes 10 */
    assert_int_equal(conring_write(&r, big, sizeof(big)), 10);
    assert_int_equal(page.in_prod - page.in_cons, sizeof(page.in));
}

static void test_hostile_indexes(void **state)
{
    struct conring r;
    char buf[64];

    (void)state;
    memset(&page, 0, sizeof(page));
    conring_attach(&r, &page);
    /* out_prod claims more than the ring holds. */
    page.out_prod = sizeof(page.out) + 1;
    assert_int_equal(conring_read(&r, buf, sizeof(buf)), -EPROTO);
    assert_int_equal(page.out_cons, 0u);
    /* out_prod behind our consumer index. */
    page.out_prod = 0xffffffffu;
    assert_int_equal(conring_read(&r, buf, sizeof(buf)), -EPROTO);
    /* The guest rewriting out_cons does not move our index. */
    page.out_prod = 3;
    page.out_cons = 1000;
    memcpy(page.out, "abc", 3);
    assert_int_equal(conring_read(&r, buf, sizeof(buf)), 3);
    assert_memory_equal(buf, "abc", 3);
    /* in_cons ahead of what we produced. */
    page.in_cons = 5;
    assert_int_equal(conring_write(&r, "x", 1), -EPROTO);
    assert_int_equal(conring_write(&r, "x", 0), -EPROTO);
    /* ... or too far behind. */
    page.in_cons = (uint32_t)-(int)sizeof(page.in) - 1;
    assert_int_equal(conring_write(&r, "x", 1), -EPROTO);
    assert_int_equal(page.in_prod, 0u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_in_order_across_wrap),
        cmocka_unit_test(test_index_wraps_at_2_32),
        cmocka_unit_test(test_input_stops_when_full),
        cmocka_unit_test(test_hostile_indexes),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
