/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the hypervisor's frame allocator (common/page_alloc.c),
 * compiled for the host: buddy splitting and merging, alignment, holes
 * that must never be handed out, exhaustion, double frees, and a random
 * stress run that checks the accounting after every step.
 */
#include "hv_test.h"

#include <pvisor/mm.h>
#include <stdlib.h>
#include <string.h>

#define NR_FRAMES 8192

static struct page_info ft[NR_FRAMES];

static int setup(void **state)
{
    (void)state;
    memset(ft, 0, sizeof(ft));
    heap_init(ft, NR_FRAMES);
    return 0;
}

static unsigned long free_in_lists(void)
{
    unsigned long n = 0;

    for (unsigned int o = 0; o <= MAX_ORDER; o++)
        n += heap_free_chunks(o) << o;
    return n;
}

static void test_add_range_makes_aligned_maximal_chunks(void **state)
{
    (void)state;
    heap_add_range(3, 4096 + 5);
    assert_int_equal(heap_total_pages(), 4096 + 2);
    assert_int_equal(heap_free_pages(), 4096 + 2);
    assert_int_equal(free_in_lists(), heap_free_pages());
    /* [3,4) [4,8) [8,16) ... [2048,4096) [4096,4100) [4100,4101) */
    assert_int_equal(heap_free_chunks(11), 1);
    assert_int_equal(heap_free_chunks(0), 2);
    assert_int_equal(ft[2].state, PGS_reserved);
    assert_int_equal(ft[3].state, PGS_free);
}

static void test_alloc_is_aligned_and_disjoint(void **state)
{
    static uint8_t used[NR_FRAMES];
    unsigned int orders[] = {0, 3, 1, 5, 0, 9, 2, 4, 7, 0, 6};

    (void)state;
    memset(used, 0, sizeof(used));
    heap_add_range(0, NR_FRAMES);
    for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
        struct page_info *pg = alloc_heap_pages(orders[i]);
        unsigned long mfn;

        assert_non_null(pg);
        mfn = page_to_mfn(pg);
        assert_int_equal(mfn & ((1UL << orders[i]) - 1), 0);
        for (unsigned long j = 0; j < (1UL << orders[i]); j++) {
            assert_int_equal(used[mfn + j], 0);
            used[mfn + j] = 1;
            assert_int_equal(pg[j].state, PGS_inuse);
            assert_int_equal(pg[j].owner, DOMID_XEN);
        }
    }
    assert_int_equal(free_in_lists(), heap_free_pages());
}

static void test_free_merges_back_to_one_chunk(void **state)
{
    static struct page_info *pgs[NR_FRAMES + 1];
    unsigned long n = 0;

    (void)state;
    heap_add_range(0, NR_FRAMES);
    assert_int_equal(heap_free_chunks(13), 1);
    while ((pgs[n] = alloc_heap_pages(0)) != NULL)
        n++;
    assert_int_equal(n, NR_FRAMES);
    assert_int_equal(heap_free_pages(), 0);
    /* Free in an interleaved order so merges happen at every level. */
    for (unsigned long i = 0; i < n; i += 2)
        free_heap_pages(pgs[i], 0);
    for (unsigned long i = 1; i < n; i += 2)
        free_heap_pages(pgs[i], 0);
    assert_int_equal(heap_free_pages(), NR_FRAMES);
    assert_int_equal(heap_free_chunks(13), 1);
    for (unsigned int o = 0; o < 13; o++)
        assert_int_equal(heap_free_chunks(o), 0);
    assert_int_equal(ft[5].owner, DOMID_INVALID);
}

static void test_holes_are_never_used_or_merged(void **state)
{
    (void)state;
    /* Frame 1024 is a hole (reserved) between two ranges. */
    heap_add_range(0, 1024);
    heap_add_range(1025, 2048);
    /* No chunk may span the hole: the biggest is 2^10 = [0, 1024). */
    assert_int_equal(heap_free_chunks(11), 0);
    assert_int_equal(heap_free_chunks(10), 1);
    assert_int_equal(ft[1024].state, PGS_reserved);
    assert_null(alloc_heap_pages(11));
}

static void test_exhaustion_and_bad_orders(void **state)
{
    (void)state;
    heap_add_range(0, 64);
    assert_null(alloc_heap_pages(MAX_ORDER + 1));
    assert_null(alloc_heap_pages(7)); /* 128 frames: more than there are */
    assert_non_null(alloc_heap_pages(6));
    assert_null(alloc_heap_pages(0));
    assert_int_equal(heap_free_pages(), 0);
}

static void test_double_free_panics(void **state)
{
    struct page_info *pg;

    (void)state;
    heap_add_range(0, 64);
    pg = alloc_heap_pages(2);
    free_heap_pages(pg, 2);
    EXPECT_HV_PANIC(free_heap_pages(pg, 2));
    /* Freeing a frame that was never in the heap is refused too. */
    heap_init(ft, NR_FRAMES);
    memset(ft, 0, sizeof(ft));
    EXPECT_HV_PANIC(free_heap_pages(&ft[8], 0));
}

static void test_random_stress_keeps_accounting(void **state)
{
    struct {
        struct page_info *pg;
        unsigned int order;
    } live[512];
    unsigned int nlive = 0;
    unsigned long allocated = 0;

    (void)state;
    srand(12345);
    heap_add_range(0, NR_FRAMES);
    for (int step = 0; step < 20000; step++) {
        if (nlive < 512 && (rand() % 3 != 0 || nlive == 0)) {
            unsigned int order = (unsigned int)(rand() % 6);
            struct page_info *pg = alloc_heap_pages(order);
            if (pg) {
                live[nlive].pg = pg;
                live[nlive].order = order;
                nlive++;
                allocated += 1UL << order;
            }
        } else {
            unsigned int i = (unsigned int)rand() % nlive;
            free_heap_pages(live[i].pg, live[i].order);
            allocated -= 1UL << live[i].order;
            live[i] = live[--nlive];
        }
        assert_int_equal(heap_free_pages() + allocated, NR_FRAMES);
        if (step % 1000 == 0)
            assert_int_equal(free_in_lists(), heap_free_pages());
    }
    while (nlive) {
        nlive--;
        free_heap_pages(live[nlive].pg, live[nlive].order);
    }
    assert_int_equal(heap_free_chunks(13), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_add_range_makes_aligned_maximal_chunks, setup),
        cmocka_unit_test_setup(test_alloc_is_aligned_and_disjoint, setup),
        cmocka_unit_test_setup(test_free_merges_back_to_one_chunk, setup),
        cmocka_unit_test_setup(test_holes_are_never_used_or_merged, setup),
        cmocka_unit_test_setup(test_exhaustion_and_bad_orders, setup),
        cmocka_unit_test_setup(test_double_free_panics, setup),
        cmocka_unit_test_setup(test_random_stress_keeps_accounting, setup),
    };
    return cmocka_run_group_tests_name("page_alloc", tests, NULL, NULL);
}
