/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the guests' pvclock arithmetic and calendar conversion
 * (guests/lib/clock.c): the scaling formula of xen/xen.h against a plain
 * 128-bit reference, the seqlock reader on stable and odd versions, and
 * Unix time to date against the C library's gmtime_r over a wide range.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "timekeeping.h"

static uint64_t reference(uint64_t delta, uint32_t mul, int8_t shift)
{
    unsigned __int128 d = delta;

    if (shift < 0)
        d >>= -shift;
    else
        d = (unsigned __int128)(uint64_t)(delta << shift);
    return (uint64_t)((d * mul) >> 32);
}

static void test_scale_known_values(void **state)
{
    (void)state;
    /* mul = 2^31 is a factor of one half. */
    assert_int_equal(pvclock_scale_delta(1000, 0x80000000U, 0), 500);
    /* shift +1 doubles first: 1000 * 2 * 0.5. */
    assert_int_equal(pvclock_scale_delta(1000, 0x80000000U, 1), 1000);
    /* shift -2 quarters first. */
    assert_int_equal(pvclock_scale_delta(1000, 0x80000000U, -2), 125);
    /* A 3 GHz TSC: mul = 10^9 * 2^32 / 3e9 makes 3e9 ticks one second. */
    {
        uint32_t mul = (uint32_t)((1000000000ULL << 32) / 3000000000ULL);
        uint64_t ns = pvclock_scale_delta(3000000000ULL, mul, 0);

        assert_true(ns > 999999990ULL && ns <= 1000000000ULL);
    }
    /* A 1 GHz TSC needs shift 1 with mul 2^31 (mul < 2^32). */
    assert_int_equal(pvclock_scale_delta(123456789, 0x80000000U, 1), 123456789);
    /* Zero delta, zero multiplier. */
    assert_int_equal(pvclock_scale_delta(0, 0xffffffffU, 3), 0);
    assert_int_equal(pvclock_scale_delta(~0ULL, 0, 0), 0);
}

static void test_scale_matches_reference(void **state)
{
    uint64_t x = 0x0123456789abcdefULL;

    (void)state;
    for (int i = 0; i < 100000; i++) {
        uint64_t delta;
        uint32_t mul;
        int8_t shift;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        delta = x >> (x & 31);
        mul = (uint32_t)(x >> 32);
        shift = (int8_t)((int)(x % 11) - 5);
        assert_int_equal(pvclock_scale_delta(delta, mul, shift),
                         reference(delta, mul, shift));
    }
}

static void test_system_time(void **state)
{
    struct vcpu_time_info t = {
        .version = 2,
        .tsc_timestamp = 1000000,
        .system_time = 5000000000ULL,
        .tsc_to_system_mul = 0x80000000U, /* 2 GHz: two ticks per ns */
        .tsc_shift = 0,
    };

    (void)state;
    assert_int_equal(pvclock_system_time(&t, 1000000), 5000000000ULL);
    assert_int_equal(pvclock_system_time(&t, 3000000), 5001000000ULL);
}

static void test_snapshot_copies_consistent_fields(void **state)
{
    struct vcpu_time_info t =
                              {
                                  .version = 6,
                                  .tsc_timestamp = 11,
                                  .system_time = 22,
                                  .tsc_to_system_mul = 33,
                                  .tsc_shift = -4,
                                  .flags = XEN_PVCLOCK_TSC_STABLE_BIT,
                              },
                          s;

    (void)state;
    memset(&s, 0, sizeof(s));
    pvclock_snapshot(&t, &s);
    assert_int_equal(s.version, 6);
    assert_int_equal(s.tsc_timestamp, 11);
    assert_int_equal(s.system_time, 22);
    assert_int_equal(s.tsc_to_system_mul, 33);
    assert_int_equal(s.tsc_shift, -4);
    assert_int_equal(s.flags, XEN_PVCLOCK_TSC_STABLE_BIT);
}

static void check_date(int64_t secs)
{
    struct guest_tm g;
    struct tm l;
    time_t tt = (time_t)secs;

    time_unix_to_tm(secs, &g);
    assert_non_null(gmtime_r(&tt, &l));
    if (g.year != l.tm_year + 1900 || g.month != l.tm_mon + 1 ||
        g.day != l.tm_mday || g.hour != l.tm_hour || g.min != l.tm_min ||
        g.sec != l.tm_sec || g.wday != l.tm_wday)
        fail_msg("%lld: got %d-%d-%d %d:%d:%d wday %d", (long long)secs, g.year,
                 g.month, g.day, g.hour, g.min, g.sec, g.wday);
}

static void test_calendar(void **state)
{
    static const int64_t fixed[] = {
        0,          -1,           86399,        86400,
        951782400,  951868799,    4102444800,   4107542400,
        1700000000, 253402300799, -62135596800, 68719476735,
        1782000000,
    };
    uint64_t x = 42;

    (void)state;
    for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
        check_date(fixed[i]);
    for (int i = 0; i < 200000; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        check_date((int64_t)(x >> 24) - (INT64_C(1) << 39));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scale_known_values),
        cmocka_unit_test(test_scale_matches_reference),
        cmocka_unit_test(test_system_time),
        cmocka_unit_test(test_snapshot_copies_consistent_fields),
        cmocka_unit_test(test_calendar),
    };
    return cmocka_run_group_tests_name("guest_clock", tests, NULL, NULL);
}
