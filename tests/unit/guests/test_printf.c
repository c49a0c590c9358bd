/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the guests' vsnprintf (guests/lib/printf.c), compiled for
 * the host with its names changed to guest_* and compared, format by
 * format, with the C library's snprintf.
 */
#undef snprintf
#undef vsnprintf
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define SAME(fmt, ...)                                                         \
    do {                                                                       \
        char g[256], l[256];                                                   \
        int ng = guest_snprintf(g, sizeof(g), fmt, __VA_ARGS__);               \
        int nl = snprintf(l, sizeof(l), fmt, __VA_ARGS__);                     \
        assert_string_equal(g, l);                                             \
        assert_int_equal(ng, nl);                                              \
    } while (0)

static void test_integers(void **state)
{
    (void)state;
    SAME("%d", 0);
    SAME("%d %i", -1, 42);
    SAME("%d", INT_MIN);
    SAME("%u", UINT_MAX);
    SAME("%ld", LONG_MIN);
    SAME("%lu", ULONG_MAX);
    SAME("%lld %llu", LLONG_MIN, ULLONG_MAX);
    SAME("%zu %zd", (size_t)123456789, (ssize_t)-5);
    SAME("%hd %hu", (short)-1234, (unsigned short)65535);
    SAME("%hhd %hhu", (signed char)-5, (unsigned char)250);
    SAME("%hd", 70000);
    SAME("%hhu", 300);
    SAME("%jd %td", (intmax_t)-7, (ptrdiff_t)9);
}

static void test_hex_octal(void **state)
{
    (void)state;
    SAME("%x %X", 0xdeadbeefU, 0xdeadbeefU);
    SAME("%lx", 0xffffffff80000000UL);
    SAME("%#x %#lx %#X", 0x1fU, 0xabcUL, 0xabcU);
    SAME("%#x", 0U);
    SAME("%o %#o %#o", 8U, 8U, 0U);
    SAME("%016lx", 0x1234UL);
    SAME("%#018lx", 0x1234UL);
    SAME("%-8x|", 0x12U);
    SAME("%8.4x|", 0x12U);
    SAME("%.0x|%.0d|", 0U, 0);
    SAME("%#.0o|", 0U);
    SAME("%#5.3o|", 8U);
}

static void test_width_precision_flags(void **state)
{
    (void)state;
    SAME("%5d|%-5d|%05d", 42, 42, 42);
    SAME("%+d %+d % d % d", 5, -5, 5, -5);
    SAME("%+5d|%-+5d|%0+5d", 5, 5, -5);
    SAME("%*d|%-*d", 6, 7, 6, 7);
    SAME("%*d", -6, 7);
    SAME("%.*d", 5, 42);
    SAME("%.*d", -1, 42);
    SAME("%8.3d|", -42);
    SAME("%09lu", 123UL);
    SAME("%02d:%02d:%02d.%03u", 1, 2, 3, 45U);
}

static void test_strings_chars(void **state)
{
    (void)state;
    SAME("%s", "hello");
    SAME("[%10s][%-10s]", "abc", "abc");
    SAME("[%.2s][%.*s]", "abcdef", 3, "abcdef");
    SAME("[%5.1s]", "xyz");
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("[%3c][%-3c]", 'x', 'y');
    SAME("%%%d%%", 50);
    SAME("%.32s", "xen-3.0-x86_64");
    SAME("%p", (void *)0xffffffff80001000UL);
    SAME("%s=%lu", "17", 3UL);
}

static void test_truncation(void **state)
{
    char buf[8];
    int n;

    (void)state;
    memset(buf, 'x', sizeof(buf));
    n = guest_snprintf(buf, 5, "%s", "abcdefgh");
    assert_int_equal(n, 8);
    assert_string_equal(buf, "abcd");
    assert_int_equal(buf[5], 'x');
    n = guest_snprintf(buf, 1, "%d", 12345);
    assert_int_equal(n, 5);
    assert_string_equal(buf, "");
    buf[0] = 'q';
    n = guest_snprintf(buf, 0, "%d", 12345);
    assert_int_equal(n, 5);
    assert_int_equal(buf[0], 'q');
    n = guest_snprintf(NULL, 0, "%lx", 0xffffUL);
    assert_int_equal(n, 4);
}

static void test_null_and_unknown(void **state)
{
    /* Through a plain pointer: these formats are wrong on purpose. */
    int (*unchecked)(char *, size_t, const char *, ...) = guest_snprintf;
    char *volatile null = NULL;
    char buf[64];

    (void)state;
    unchecked(buf, sizeof(buf), "%s", null);
    assert_string_equal(buf, "(null)");
    /* Unknown conversions are copied through, then formatting goes on. */
    unchecked(buf, sizeof(buf), "a%kb%dc", 7);
    assert_string_equal(buf, "a%kb7c");
    unchecked(buf, sizeof(buf), "end%");
    assert_string_equal(buf, "end%");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integers),
        cmocka_unit_test(test_hex_octal),
        cmocka_unit_test(test_width_precision_flags),
        cmocka_unit_test(test_strings_chars),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_null_and_unknown),
    };
    return cmocka_run_group_tests_name("guest_printf", tests, NULL, NULL);
}
