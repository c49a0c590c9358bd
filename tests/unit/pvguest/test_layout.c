/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of libpvguest's start-of-day layout (layout.c) against
 * expectations computed by hand in the comments, following Xen's
 * xc_dom_build_image() and alloc_pgtables_pv(): a Debian-sized kernel,
 * the page-table iteration, Xen's 4 MiB rounding of an already aligned
 * end, mapped and unmapped ramdisks, a region crossing 512 GiB and 1 GiB
 * boundaries, and each failure (memory, canonical space, Linux's 1 GiB).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include <cmocka.h>
#include <errno.h>
#include <string.h>

#include "pvguest.h"

#define BASE 0xffffffff80000000ULL
#define KiB  1024ULL
#define MiB  (1024 * KiB)
#define GiB  (1024 * MiB)

static char err[256];

/* The layout reads only these fields of an image. */
static struct pvguest_image kernel(uint64_t base, uint64_t start_off,
                                   uint64_t end_off, const char *os,
                                   bool mod_start_pfn)
{
    struct pvguest_image img;

    memset(&img, 0, sizeof(img));
    img.virt_base = base;
    img.virt_kstart = base + start_off;
    img.virt_kend = base + end_off;
    img.entry = img.virt_kstart;
    img.nr_segments = 1;
    img.mod_start_pfn = mod_start_pfn;
    strcpy(img.guest_os, os);
    strcpy(img.loader, "generic");
    return img;
}

static int layout(const struct pvguest_image *img, uint64_t nr_pages,
                  uint64_t ramdisk_len, bool unmapped,
                  struct pvguest_layout *lay)
{
    struct pvguest_layout_params p = {nr_pages, ramdisk_len, unmapped};

    err[0] = '\0';
    return pvguest_layout_compute(img, &p, lay, err, sizeof(err));
}

static void expect_range(struct pvguest_range r, uint64_t pfn, uint64_t pages)
{
    assert_int_equal(r.pfn, pfn);
    assert_int_equal(r.pages, pages);
}

/* The page tables, stack and padding follow each other up to the end. */
static void expect_tail(const struct pvguest_layout *l, uint64_t pt_pfn,
                        unsigned int n3, unsigned int n2, unsigned int n1,
                        uint64_t end_pfn)
{
    expect_range(l->pt, pt_pfn, 1 + n3 + n2 + n1);
    assert_int_equal(l->nr_l3, n3);
    assert_int_equal(l->nr_l2, n2);
    assert_int_equal(l->nr_l1, n1);
    assert_int_equal(l->l3_pfn, pt_pfn + 1);
    assert_int_equal(l->l2_pfn, pt_pfn + 1 + n3);
    assert_int_equal(l->l1_pfn, pt_pfn + 1 + n3 + n2);
    assert_int_equal(l->stack_pfn, pt_pfn + 1 + n3 + n2 + n1);
    expect_range(l->padding, l->stack_pfn + 1, end_pfn - l->stack_pfn - 1);
    assert_true(l->padding.pages >= 128);
    assert_int_equal(l->region_pages, end_pfn);
    assert_int_equal(l->virt_end, l->virt_base + end_pfn * 4096);
    assert_int_equal(l->virt_end % (4 * MiB), 0);
}

/*
 * Debian's 6.1 kernel: pfn 0x1000..0x4a00 at 0xffffffff80000000, 256 MiB.
 *   kernel 0x1000 + 0x3a00; p2m 65536 * 8 B = 128 pages at 0x4a00;
 *   start_info 0x4a80, xenstore 0x4a81, console 0x4a82; alloc end 0x4a83.
 *   Try 1: 0x4a83 + 129 = 0x4b04 -> end 0x4c00 (76 MiB): L4, 1 L3, 1 L2,
 *   38 L1 = 41 tables; 0x4a83 + 41 + 129 = 0x4b2d <= 0x4c00: done.
 *   Tables 0x4a83..0x4aab, stack 0x4aac, padding 0x4aad..0x4bff.
 */
static void test_debian_sized_kernel(void **state)
{
    struct pvguest_image img =
        kernel(BASE, 0x1000000, 0x4a00000, "linux", true);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 65536, 0, false, &l), 0);
    assert_int_equal(l.virt_base, BASE);
    assert_int_equal(l.nr_pages, 65536);
    expect_range(l.kernel, 0x1000, 0x3a00);
    expect_range(l.ramdisk, 0, 0);
    assert_false(l.ramdisk_mapped);
    expect_range(l.p2m, 0x4a00, 128);
    assert_int_equal(l.start_info_pfn, 0x4a80);
    assert_int_equal(l.xenstore_pfn, 0x4a81);
    assert_int_equal(l.console_pfn, 0x4a82);
    expect_tail(&l, 0x4a83, 1, 1, 38, 0x4c00);
    assert_int_equal(l.stack_pfn, 0x4aac);
    assert_int_equal(l.pt_iterations, 1);
    assert_int_equal(l.virt_end, 0xffffffff84c00000ULL);
    assert_int_equal(l.si_flags, SIF_VIRT_P2M_4TOOLS);
    assert_int_equal(l.mod_start, 0);
    assert_int_equal(l.mod_len, 0);
}

/*
 * The table count needs a second round.  Kernel at BASE, 882 pages, 4096
 * pages of memory: p2m 8 pages at 882, start_info 890, xenstore 891,
 * console 892, alloc end 893.
 *   Try 1: 893 + 129 = 1022 -> end 1024 (4 MiB): 1 + 1 + 1 + 2 = 5
 *   tables; 893 + 5 + 129 = 1027 > 1024: again.
 *   Try 2: 893 + 134 = 1027 -> end 2048 (8 MiB): 1 + 1 + 1 + 4 = 7
 *   tables; 893 + 136 = 1029 <= 2048: done.
 */
static void test_page_table_iteration(void **state)
{
    struct pvguest_image img = kernel(BASE, 0, 882 * 4096, "linux", false);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 4096, 0, false, &l), 0);
    expect_range(l.kernel, 0, 882);
    expect_range(l.p2m, 882, 8);
    assert_int_equal(l.console_pfn, 892);
    expect_tail(&l, 893, 1, 1, 4, 2048);
    assert_int_equal(l.pt_iterations, 2);
    assert_int_equal(l.stack_pfn, 900);
    expect_range(l.padding, 901, 1147);
}

/*
 * Xen rounds with `(x | (4 MiB - 1)) + 1`, so an x already on a 4 MiB
 * boundary gets 4 MiB more.  Kernel 884 pages: alloc end 895.
 *   Try 1: 895 + 129 = 1024 exactly -> end 2048, not 1024: 7 tables;
 *   895 + 136 = 1031 <= 2048: done in one round.
 */
static void test_aligned_end_gets_four_more_mib(void **state)
{
    struct pvguest_image img = kernel(BASE, 0, 884 * 4096, "linux", false);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 4096, 0, false, &l), 0);
    expect_tail(&l, 895, 1, 1, 4, 2048);
    assert_int_equal(l.pt_iterations, 1);
}

/*
 * A mapped ramdisk of 10 MiB + 1 byte (0xa01 pages) after the Debian
 * kernel: ramdisk 0x4a00, p2m 0x5401 (128), start_info 0x5481, xenstore
 * 0x5482, console 0x5483, alloc end 0x5484.
 *   Try 1: 0x5484 + 129 = 0x5505 -> end 0x5800 (88 MiB): 44 L1s, 47
 *   tables; 0x5484 + 176 = 0x5534 <= 0x5800: done.
 */
static void test_mapped_ramdisk(void **state)
{
    struct pvguest_image img =
        kernel(BASE, 0x1000000, 0x4a00000, "linux", false);
    struct pvguest_layout l;

    (void)state;
    /* Asking for an unmapped ramdisk needs the kernel's MOD_START_PFN. */
    for (int unmapped = 0; unmapped < 2; unmapped++) {
        assert_int_equal(layout(&img, 65536, 10 * MiB + 1, unmapped, &l), 0);
        assert_true(l.ramdisk_mapped);
        expect_range(l.ramdisk, 0x4a00, 0xa01);
        expect_range(l.p2m, 0x5401, 128);
        assert_int_equal(l.start_info_pfn, 0x5481);
        assert_int_equal(l.console_pfn, 0x5483);
        expect_tail(&l, 0x5484, 1, 1, 44, 0x5800);
        assert_int_equal(l.si_flags, SIF_VIRT_P2M_4TOOLS);
        assert_int_equal(l.mod_start, BASE + 0x4a00000);
        assert_int_equal(l.mod_len, 10 * MiB + 1);
        assert_int_equal(l.ramdisk_len, 10 * MiB + 1);
    }
}

/* An unmapped ramdisk goes after the region, which is as without one. */
static void test_unmapped_ramdisk(void **state)
{
    struct pvguest_image img =
        kernel(BASE, 0x1000000, 0x4a00000, "linux", true);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 65536, 10 * MiB + 1, true, &l), 0);
    assert_false(l.ramdisk_mapped);
    expect_range(l.p2m, 0x4a00, 128);
    expect_tail(&l, 0x4a83, 1, 1, 38, 0x4c00);
    expect_range(l.ramdisk, 0x4c00, 0xa01);
    assert_int_equal(l.si_flags, SIF_VIRT_P2M_4TOOLS | SIF_MOD_START_PFN);
    assert_int_equal(l.mod_start, 0x4c00);
    assert_int_equal(l.mod_len, 10 * MiB + 1);

    /* It must fit after the region: 0x4c00 + 0xa01 pages. */
    assert_int_equal(layout(&img, 0x4c00 + 0xa00, 10 * MiB + 1, true, &l),
                     -ENOMEM);
    assert_non_null(strstr(err, "unmapped ramdisk"));
}

/*
 * The region must fit in the domain.  With 0x4c00 pages the p2m is 38
 * pages (0x4a00..0x4a25), alloc end 0x4a29, try 1: 0x4a29 + 129 = 0x4aaa
 * -> end 0x4c00 = every page: fits exactly.  One page less does not.
 */
static void test_region_must_fit(void **state)
{
    struct pvguest_image img =
        kernel(BASE, 0x1000000, 0x4a00000, "linux", true);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 0x4c00, 0, false, &l), 0);
    expect_range(l.p2m, 0x4a00, 38);
    expect_tail(&l, 0x4a29, 1, 1, 38, 0x4c00);
    assert_int_equal(layout(&img, 0x4bff, 0, false, &l), -ENOMEM);
    assert_non_null(strstr(err, "needs 19456 pages, the domain has 19455"));
    /* Not even the kernel fits. */
    assert_int_equal(layout(&img, 0x2000, 0, false, &l), -ENOMEM);
    assert_non_null(strstr(err, "the kernel"));
    /* Nor a mapped ramdisk. */
    assert_int_equal(layout(&img, 0x5000, 8 * MiB, false, &l), -ENOMEM);
    assert_non_null(strstr(err, "the ramdisk"));
    assert_int_equal(layout(&img, 0, 0, false, &l), -EINVAL);
    assert_int_equal(layout(&img, (1ULL << 32) + 1, 0, false, &l), -EINVAL);
}

/*
 * Linux grafts one L2 (1 GiB) of the region: a 1 GiB mapped ramdisk puts
 * the end past BASE + 1 GiB.  A generic kernel may do so, needing a second
 * L2 for 0xffffffffc0000000.  2 GiB of memory: kernel 0x1000..0x4a00,
 * ramdisk 0x4a00 + 0x40000, p2m 0x44a00 + 1024, magic pages
 * 0x44e00..0x44e02, alloc end 0x44e03.
 *   Try 1: 0x44e03 + 129 = 0x44e84 -> end 0x45000 (1104 MiB): 552 L1s,
 *   2 L2s, 556 tables; 0x44e03 + 685 = 0x450b0 > 0x45000: again.
 *   Try 2: -> end 0x45400: 554 L1s, 558 tables; 0x44e03 + 687 = 0x450b2
 *   <= 0x45400: done.
 */
static void test_linux_one_gib_limit(void **state)
{
    struct pvguest_image img =
        kernel(BASE, 0x1000000, 0x4a00000, "linux", false);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 1 << 19, GiB, false, &l), -ERANGE);
    assert_non_null(strstr(err, "1 GiB Linux maps"));
    strcpy(img.guest_os, "Mini-OS");
    assert_int_equal(layout(&img, 1 << 19, GiB, false, &l), 0);
    expect_range(l.ramdisk, 0x4a00, 0x40000);
    expect_range(l.p2m, 0x44a00, 1024);
    expect_tail(&l, 0x44e03, 1, 2, 554, 0x45400);
    assert_int_equal(l.pt_iterations, 2);
}

/*
 * A low-half region across the 512 GiB line: base 0x7fffe00000 (2 MiB
 * below), kernel 600 pages, 4096 pages: p2m 600 + 8, alloc end 611.
 *   Try 1: 611 + 129 = 740 pages = 0x80000e4000 -> end 0x8000400000
 *   (6 MiB, 1536 pages).  L3s for 0 and 512 GiB: 2; L2s: 2; L1s for
 *   0x7fffe00000, 0x8000000000 and 0x8000200000: 3 -> 8 tables.
 */
static void test_region_across_512_gib(void **state)
{
    struct pvguest_image img =
        kernel(0x7fffe00000ULL, 0, 600 * 4096, "Mini-OS", false);
    struct pvguest_layout l;

    (void)state;
    assert_int_equal(layout(&img, 4096, 0, false, &l), 0);
    expect_range(l.kernel, 0, 600);
    expect_range(l.p2m, 600, 8);
    expect_tail(&l, 611, 2, 2, 3, 1536);
    assert_int_equal(l.virt_end, 0x8000400000ULL);
}

static void test_canonical_space(void **state)
{
    struct pvguest_image img;
    struct pvguest_layout l;

    (void)state;
    /* Ending exactly at the top of the lower half is fine (512 pages). */
    img = kernel(0x7fffffe00000ULL, 0, 4096, "Mini-OS", false);
    assert_int_equal(layout(&img, 4096, 0, false, &l), 0);
    assert_int_equal(l.virt_end, 0x800000000000ULL);
    /* Crossing it is not. */
    img = kernel(0x7fffffe00000ULL, 0, 400 * 4096, "Mini-OS", false);
    assert_int_equal(layout(&img, 4096, 0, false, &l), -ERANGE);
    assert_non_null(strstr(err, "lower canonical half"));
    /* Nor is a base among the hypervisor's slots or non-canonical. */
    img = kernel(0xffff800000000000ULL, 0, 4096, "Mini-OS", false);
    assert_int_equal(layout(&img, 4096, 0, false, &l), -ERANGE);
    img = kernel(0x0000900000000000ULL, 0, 4096, "Mini-OS", false);
    assert_int_equal(layout(&img, 4096, 0, false, &l), -ERANGE);
    /* Nor wrapping past 2^64. */
    img = kernel(0xffffffffffc00000ULL, 0, 4096, "Mini-OS", false);
    assert_int_equal(layout(&img, 4096, 0, false, &l), -ERANGE);
    assert_non_null(strstr(err, "wraps"));
    /* A region at the very top that ends below 2^64 is fine. */
    img = kernel(0xffffffffff800000ULL, 0, 4096, "Mini-OS", false);
    assert_int_equal(layout(&img, 4096, 0, false, &l), 0);
    assert_int_equal(l.virt_end, 0xffffffffffc00000ULL);
    /* No image. */
    memset(&img, 0, sizeof(img));
    assert_int_equal(layout(&img, 4096, 0, false, &l), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_debian_sized_kernel),
        cmocka_unit_test(test_page_table_iteration),
        cmocka_unit_test(test_aligned_end_gets_four_more_mib),
        cmocka_unit_test(test_mapped_ramdisk),
        cmocka_unit_test(test_unmapped_ramdisk),
        cmocka_unit_test(test_region_must_fit),
        cmocka_unit_test(test_linux_one_gib_limit),
        cmocka_unit_test(test_region_across_512_gib),
        cmocka_unit_test(test_canonical_space),
    };
    return cmocka_run_group_tests_name("pvguest_layout", tests, NULL, NULL);
}
