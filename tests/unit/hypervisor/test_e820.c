/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the machine memory map handling (arch/x86_64/e820.c) on
 * the maps the firmwares really give (qboot: unsorted, with an empty
 * terminator; SeaBIOS: sorted) and on hostile ones (overlaps, wrap-around,
 * more entries than fit).
 */
#include "hv_test.h"

#include <asm/e820.h>
#include <string.h>

static struct e820map m;

static int setup(void **state)
{
    (void)state;
    memset(&m, 0, sizeof(m));
    return 0;
}

static void expect(unsigned int i, uint64_t start, uint64_t end,
                   uint32_t type)
{
    assert_true(i < m.nr);
    assert_int_equal(m.map[i].addr, start);
    assert_int_equal(m.map[i].addr + m.map[i].size, end);
    assert_int_equal(m.map[i].type, type);
}

static void test_qboot_map_is_sorted_and_terminator_dropped(void **state)
{
    (void)state;
    /* As qboot reports a 256 MiB pc machine: out of order, size-0 end. */
    e820_add(&m, 0x100000, 0xff00000, E820_RAM);
    e820_add(&m, 0xfd00000000ULL, 0x300000000ULL, E820_RESERVED);
    e820_add(&m, 0, 0x9fc00, E820_RAM);
    e820_add(&m, 0x9fc00, 0x400, E820_RESERVED);
    e820_add(&m, 0xf0000, 0x10000, E820_RESERVED);
    e820_add(&m, 0xd0000, 0x20000, 4);
    e820_add(&m, 0, 0, 0);
    e820_sanitize(&m);
    assert_int_equal(m.nr, 6);
    expect(0, 0, 0x9fc00, E820_RAM);
    expect(1, 0x9fc00, 0xa0000, E820_RESERVED);
    expect(2, 0xd0000, 0xf0000, 4);
    expect(3, 0xf0000, 0x100000, E820_RESERVED);
    expect(4, 0x100000, 0x10000000, E820_RAM);
    expect(5, 0xfd00000000ULL, 0x10000000000ULL, E820_RESERVED);
    assert_int_equal(e820_ram_pages(&m), 0x9f + 0xff00);
    assert_int_equal(e820_ram_end(&m), 0x10000000);
}

static void test_overlap_reserved_wins_over_ram(void **state)
{
    (void)state;
    e820_add(&m, 0, 0x200000, E820_RAM);
    e820_add(&m, 0x100000, 0x1000, E820_RESERVED);
    e820_add(&m, 0x180000, 0x100000, 3); /* ACPI straddling the RAM end */
    e820_sanitize(&m);
    assert_int_equal(m.nr, 4);
    expect(0, 0, 0x100000, E820_RAM);
    expect(1, 0x100000, 0x101000, E820_RESERVED);
    expect(2, 0x101000, 0x180000, E820_RAM);
    expect(3, 0x180000, 0x280000, 3);
}

static void test_adjacent_entries_merge(void **state)
{
    (void)state;
    e820_add(&m, 0x1000, 0x1000, E820_RAM);
    e820_add(&m, 0x2000, 0x1000, E820_RAM);
    e820_add(&m, 0x1800, 0x1000, E820_RAM);
    e820_sanitize(&m);
    assert_int_equal(m.nr, 1);
    expect(0, 0x1000, 0x3000, E820_RAM);
}

static void test_mark_splits_ranges(void **state)
{
    (void)state;
    e820_add(&m, 0, 0x1000000, E820_RAM);
    e820_sanitize(&m);
    assert_int_equal(e820_mark(&m, 0x200000, 0x300000, E820_RESERVED), 0);
    assert_int_equal(e820_mark(&m, 0, 0x100000, E820_RESERVED), 0);
    assert_int_equal(m.nr, 4);
    expect(0, 0, 0x100000, E820_RESERVED);
    expect(1, 0x100000, 0x200000, E820_RAM);
    expect(2, 0x200000, 0x300000, E820_RESERVED);
    expect(3, 0x300000, 0x1000000, E820_RAM);
    /* Marking nothing changes nothing. */
    assert_int_equal(e820_mark(&m, 0x5000, 0x5000, E820_RESERVED), 0);
    assert_int_equal(m.nr, 4);
}

static void count_frames(uint64_t s, uint64_t e, void *arg)
{
    *(uint64_t *)arg += e - s;
    assert_true(s < e);
}

static void test_partial_pages_are_not_ram_frames(void **state)
{
    uint64_t frames = 0;

    (void)state;
    e820_add(&m, 0x800, 0x2000, E820_RAM);   /* covers frame 1 only */
    e820_add(&m, 0x10000, 0x800, E820_RAM);  /* no whole frame */
    e820_sanitize(&m);
    e820_for_each_ram_frame_range(&m, count_frames, &frames);
    assert_int_equal(frames, 1);
    assert_int_equal(e820_ram_pages(&m), 1);
}

static void test_hostile_entries_are_contained(void **state)
{
    (void)state;
    /* An entry whose end wraps past 2^64 is clamped, not wrapped. */
    e820_add(&m, 0xfffffffffffff000ULL, 0x10000, E820_RESERVED);
    e820_add(&m, 0, 0x1000, E820_RAM);
    e820_sanitize(&m);
    assert_int_equal(m.nr, 2);
    expect(0, 0, 0x1000, E820_RAM);
    assert_int_equal(m.map[1].addr, 0xfffffffffffff000ULL);
    /* The map refuses entries past its capacity. */
    memset(&m, 0, sizeof(m));
    for (unsigned int i = 0; i < E820_MAX; i++)
        assert_int_equal(e820_add(&m, (uint64_t)i * 0x2000, 0x1000, E820_RAM),
                         0);
    assert_int_equal(e820_add(&m, 0x10000000, 0x1000, E820_RAM), -1);
    e820_sanitize(&m);
    assert_int_equal(m.nr, E820_MAX);
    assert_string_equal(e820_type_name(E820_RESERVED), "reserved");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_qboot_map_is_sorted_and_terminator_dropped, setup),
        cmocka_unit_test_setup(test_overlap_reserved_wins_over_ram, setup),
        cmocka_unit_test_setup(test_adjacent_entries_merge, setup),
        cmocka_unit_test_setup(test_mark_splits_ranges, setup),
        cmocka_unit_test_setup(test_partial_pages_are_not_ram_frames, setup),
        cmocka_unit_test_setup(test_hostile_entries_are_contained, setup),
    };
    return cmocka_run_group_tests_name("e820", tests, NULL, NULL);
}
