/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the hypervisor console's log ring (common/console.c), the
 * buffer `pvctl dmesg` reads with XEN_SYSCTL_readconsole: whole reads,
 * incremental reads, wrap-around past the ring size, a reader that fell
 * behind, and clearing.
 */
#include "hv_test.h"

#include <pvisor/console.h>
#include <string.h>

static char sink_buf[1 << 20];
static size_t sink_len;

static void sink(const char *s, size_t len)
{
    memcpy(sink_buf + sink_len, s, len);
    sink_len += len;
}

static void test_whole_and_incremental_reads(void **state)
{
    char buf[256];
    uint32_t count = sizeof(buf), index = 0;

    (void)state;
    console_add_sink(sink);
    console_write("hello\n", 6);
    console_write("world\n", 6);
    assert_int_equal(sink_len, 12);
    console_read_ring(buf, &count, &index, false, false);
    assert_int_equal(count, 12);
    assert_memory_equal(buf, "hello\nworld\n", 12);
    assert_int_equal(index, 12);
    console_write("more\n", 5);
    count = sizeof(buf);
    console_read_ring(buf, &count, &index, true, false);
    assert_int_equal(count, 5);
    assert_memory_equal(buf, "more\n", 5);
    /* Nothing new: an incremental read returns nothing. */
    count = sizeof(buf);
    console_read_ring(buf, &count, &index, true, false);
    assert_int_equal(count, 0);
    /* A small buffer gets the oldest bytes first. */
    count = 3;
    index = 0;
    console_read_ring(buf, &count, &index, false, false);
    assert_int_equal(count, 3);
    assert_memory_equal(buf, "hel", 3);
}

static void test_wrap_and_clear(void **state)
{
    static char big[CONRING_SIZE];
    static char line[100];
    uint32_t count, index = 0;

    (void)state;
    /* Write 1.5 ring sizes of numbered lines. */
    for (int i = 0; i < CONRING_SIZE * 3 / 2 / 20; i++) {
        int n = snprintf(line, sizeof(line), "line %013d\n", i);
        console_write(line, (size_t)n);
    }
    count = sizeof(big);
    console_read_ring(big, &count, &index, false, false);
    assert_int_equal(count, CONRING_SIZE); /* only the last ring's worth */
    /* The very last line is intact at the end. */
    snprintf(line, sizeof(line), "line %013d\n", CONRING_SIZE * 3 / 2 / 20 - 1);
    assert_memory_equal(big + count - 19, line, 19);
    /* A reader that fell behind restarts at the oldest byte held. */
    count = 19;
    index = 1; /* long overwritten */
    console_read_ring(big, &count, &index, true, false);
    assert_int_equal(count, 19);
    /* Clearing: later non-incremental reads start after what was read. */
    count = sizeof(big);
    index = 0;
    console_read_ring(big, &count, &index, false, true);
    console_write("after\n", 6);
    count = sizeof(big);
    console_read_ring(big, &count, &index, false, false);
    assert_int_equal(count, 6);
    assert_memory_equal(big, "after\n", 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_and_incremental_reads),
        cmocka_unit_test(test_wrap_and_clear),
    };
    return cmocka_run_group_tests_name("console_ring", tests, NULL, NULL);
}
