/* SPDX-License-Identifier: MIT */
/*
 * Xen's start-of-day layout of a PV domain, computed without touching the
 * domain: which PFN holds what, how many page-table frames map the region
 * and where the region ends.  pvguest_build() writes what this decides.
 *
 * The algorithm is Xen's (tools/libs/guest/xg_dom_core.c
 * xc_dom_build_image() and xg_dom_x86.c alloc_pgtables_pv() and
 * count_pgtables()), for one mapping (INIT_P2M is not honoured, as before
 * Xen 4.6: the p2m list stays inside the region, which Linux accepts).
 * PFNs are handed out in order from virt_base up: the RAM below the kernel,
 * the kernel, a mapped ramdisk, the p2m list, start_info, xenstore and
 * console rings; then the page tables, whose number depends on where the
 * region ends, which depends on their number:
 *
 *     extra = 1 (stack) + 128 (512 KiB padding);  n = extra
 *     repeat: end = ((alloc_end + n pages) | (4 MiB - 1)) + 1
 *             n = tables needed to map [virt_base, end) + extra
 *     until alloc_end + n pages <= end
 *
 * As in Xen, `end` is the 4 MiB boundary strictly above alloc_end + n
 * pages, so an exactly aligned sum still gets 4 MiB more (the padding then
 * exceeds 512 KiB; Xen's guests are used to that region size).  The tables
 * are one L4, then the L3s, L2s and L1s covering the region, in that order
 * (Linux's check_pt_base() relies on it).  Then the boot stack; every PFN
 * up to `end` is mapped.
 */
#include <errno.h>
#include <string.h>

#include "pvguest_priv.h"

#define FOUR_MIB_MASK ((1ULL << 22) - 1)
#define VA_MASK       ((1ULL << 48) - 1)
#define PAD_PAGES     ((512u << 10) >> PVGUEST_PAGE_SHIFT)
#define LINUX_MAP_MAX (1ULL << 30) /* Linux grafts one L2 of the region */

/* Canonical guest space: the low half, or above the hypervisor's slots. */
#define LOW_HALF_END     0x0000800000000000ULL
#define GUEST_HIGH_START __HYPERVISOR_VIRT_END

#define FAIL(rc, ...) pvguest__fail(err, errlen, rc, __VA_ARGS__)

static uint64_t pages_of(uint64_t bytes)
{
    return (bytes >> PVGUEST_PAGE_SHIFT) +
           ((bytes & (PVGUEST_PAGE_SIZE - 1)) != 0);
}

/* Tables of each level needed to map [from, to] (to inclusive). */
static void count_tables(struct pvguest_layout *lay, uint64_t from, uint64_t to)
{
    from &= VA_MASK;
    to &= VA_MASK;
    lay->nr_l3 = (unsigned int)((to >> 39) - (from >> 39) + 1);
    lay->nr_l2 = (unsigned int)((to >> 30) - (from >> 30) + 1);
    lay->nr_l1 = (unsigned int)((to >> 21) - (from >> 21) + 1);
}

/* Hands out `pages` PFNs at *next, as Xen's xc_dom_chk_alloc_pages(). */
static int take(uint64_t *next, uint64_t pages, uint64_t nr_pages,
                struct pvguest_range *r, const char *what, char *err,
                size_t errlen)
{
    if (pages > nr_pages || *next > nr_pages - pages)
        return FAIL(-ENOMEM,
                    "%s (%llu pages at PFN %#llx) does not fit in %llu "
                    "pages",
                    what, (unsigned long long)pages, (unsigned long long)*next,
                    (unsigned long long)nr_pages);
    r->pfn = *next;
    r->pages = pages;
    *next += pages;
    return 0;
}

/* Finds the region end and the page-table count (alloc_pgtables_pv()). */
static int size_page_tables(struct pvguest_layout *lay, uint64_t alloc_pfn,
                            char *err, size_t errlen)
{
    const uint64_t extra = 1 + PAD_PAGES;
    uint64_t base = lay->virt_base;
    uint64_t alloc_va = base + (alloc_pfn << PVGUEST_PAGE_SHIFT);
    uint64_t n = extra, last, tables;

    if (alloc_va < base)
        return FAIL(-ERANGE, "the region wraps the address space");
    for (;;) {
        lay->pt_iterations++;
        if (n > (UINT64_MAX - alloc_va) >> PVGUEST_PAGE_SHIFT ||
            ((alloc_va + (n << PVGUEST_PAGE_SHIFT)) | FOUR_MIB_MASK) ==
                UINT64_MAX)
            return FAIL(-ERANGE, "the region wraps the address space");
        last = (alloc_va + (n << PVGUEST_PAGE_SHIFT)) | FOUR_MIB_MASK;
        if (base < LOW_HALF_END && last >= LOW_HALF_END)
            return FAIL(-ERANGE,
                        "the region [%#llx, %#llx] leaves the lower "
                        "canonical half",
                        (unsigned long long)base, (unsigned long long)last);
        lay->region_pages = ((last - base) >> PVGUEST_PAGE_SHIFT) + 1;
        if (lay->region_pages > lay->nr_pages)
            return FAIL(-ENOMEM,
                        "not enough memory for the initial mapping: the "
                        "region needs %llu pages, the domain has %llu",
                        (unsigned long long)lay->region_pages,
                        (unsigned long long)lay->nr_pages);
        count_tables(lay, base, last);
        tables = 1ULL + lay->nr_l3 + lay->nr_l2 + lay->nr_l1;
        n = tables + extra;
        if (alloc_va + (n << PVGUEST_PAGE_SHIFT) <= last + 1)
            break;
    }
    lay->virt_end = last + 1;
    lay->pt.pages = tables;
    return 0;
}

int pvguest_layout_compute(const struct pvguest_image *img,
                           const struct pvguest_layout_params *p,
                           struct pvguest_layout *lay, char *err, size_t errlen)
{
    uint64_t base, next, rd_pages;
    bool unmapped;
    int rc;

    memset(lay, 0, sizeof(*lay));
    if (!img || !p || img->nr_segments == 0)
        return FAIL(-EINVAL, "no kernel image");
    if (p->nr_pages == 0 || p->nr_pages > PVGUEST_MAX_PAGES)
        return FAIL(-EINVAL, "%llu pages is not a domain size",
                    (unsigned long long)p->nr_pages);
    base = img->virt_base;
    if (!(base < LOW_HALF_END || base >= GUEST_HIGH_START))
        return FAIL(-ERANGE, "VIRT_BASE %#llx is not in canonical guest space",
                    (unsigned long long)base);
    lay->virt_base = base;
    lay->nr_pages = p->nr_pages;

    /* The kernel; the PFNs below it are ordinary mapped RAM. */
    next = (img->virt_kstart - base) >> PVGUEST_PAGE_SHIFT;
    rc = take(&next, pages_of(img->virt_kend - img->virt_kstart), p->nr_pages,
              &lay->kernel, "the kernel", err, errlen);
    if (rc)
        return rc;

    rd_pages = pages_of(p->ramdisk_len);
    unmapped = p->ramdisk_unmapped && img->mod_start_pfn;
    lay->ramdisk_len = p->ramdisk_len;
    lay->ramdisk_mapped = p->ramdisk_len && !unmapped;
    if (lay->ramdisk_mapped) {
        rc = take(&next, rd_pages, p->nr_pages, &lay->ramdisk, "the ramdisk",
                  err, errlen);
        if (rc)
            return rc;
    }

    rc = take(&next, pages_of(p->nr_pages * sizeof(uint64_t)), p->nr_pages,
              &lay->p2m, "the p2m list", err, errlen);
    if (rc)
        return rc;
    for (unsigned int i = 0; i < 3; i++) {
        static const char *const what[3] = {"start_info", "the xenstore ring",
                                            "the console ring"};
        uint64_t *pfn[3] = {&lay->start_info_pfn, &lay->xenstore_pfn,
                            &lay->console_pfn};
        struct pvguest_range one = {0, 0};

        rc = take(&next, 1, p->nr_pages, &one, what[i], err, errlen);
        if (rc)
            return rc;
        *pfn[i] = one.pfn;
    }

    rc = size_page_tables(lay, next, err, errlen);
    if (rc)
        return rc;
    lay->pt.pfn = next;
    lay->l3_pfn = lay->pt.pfn + 1;
    lay->l2_pfn = lay->l3_pfn + lay->nr_l3;
    lay->l1_pfn = lay->l2_pfn + lay->nr_l2;
    lay->stack_pfn = lay->pt.pfn + lay->pt.pages;
    lay->padding.pfn = lay->stack_pfn + 1;
    lay->padding.pages = lay->region_pages - lay->padding.pfn;

    if (strncmp(img->guest_os, "linux", 5) == 0 &&
        lay->virt_end - base > LINUX_MAP_MAX)
        return FAIL(-ERANGE,
                    "the region [%#llx, %#llx) exceeds the 1 GiB Linux maps "
                    "at boot (use an unmapped ramdisk or less memory)",
                    (unsigned long long)base,
                    (unsigned long long)lay->virt_end);

    lay->si_flags = SIF_VIRT_P2M_4TOOLS;
    lay->mod_len = p->ramdisk_len;
    if (lay->ramdisk_mapped) {
        lay->mod_start = base + (lay->ramdisk.pfn << PVGUEST_PAGE_SHIFT);
    } else if (p->ramdisk_len) {
        next = lay->region_pages;
        rc = take(&next, rd_pages, p->nr_pages, &lay->ramdisk,
                  "the unmapped ramdisk", err, errlen);
        if (rc)
            return rc;
        lay->si_flags |= SIF_MOD_START_PFN;
        lay->mod_start = lay->ramdisk.pfn;
    }
    return 0;
}
