/* SPDX-License-Identifier: MIT */
/*
 * The reference guest's balloon: it follows memory/target (store.c) by
 * giving pages back to the hypervisor (XENMEM_decrease_reservation) or
 * taking them back (XENMEM_populate_physmap), as Linux's Xen balloon does.
 *
 * Which pages: the guest's kernel uses only the boot mapping up to the end
 * of its padding (mm.h); every pfn from there to nr_pages is unused.  The
 * balloon gives back from the top pfn down and refills from the bottom
 * up.  A page still mapped at its boot-mapping address is unmapped first
 * (the hypervisor refuses to free a frame anything still maps), its p2m
 * entry set to INVALID_P2M_ENTRY, then its frame given back.  Refilled
 * frames are checked to hold zeros (the hypervisor scrubs every frame it
 * frees) through a scratch mapping, recorded in the p2m, and mapped at
 * their boot-mapping address again if they had one.
 *
 * The count it balances is its own, as Linux's is: nr_pages minus the
 * pages in the balloon.  Pages the self-test gave back (proc.c) are not
 * the balloon's.  It cannot grow above nr_pages (the p2m has no room) nor
 * shrink below the padding's end; it says so on the console.
 */
#include "hello.h"
#include "hypercall.h"
#include "pt.h"
#include "xenbus.h"

#define BATCH 256

static unsigned long nr_pfns;    /* start_info->nr_pages */
static unsigned long low_pfn;    /* the first pfn the balloon may take */
static unsigned long mapped_end; /* the boot mapping ends before this pfn */
static unsigned long ballooned;  /* pages given back */
static unsigned long scratch;    /* a VA for looking at new frames */
static xen_pfn_t list[BATCH];
static unsigned long pfns[BATCH];

static xen_pfn_t *p2m(void)
{
    return (xen_pfn_t *)start_info->mfn_list;
}

static bool va_mapped(xen_pfn_t l4, unsigned long va)
{
    uint64_t maddr = pt_entry_maddr(l4, va, 1);

    return maddr && (pt_read(maddr) & PTE_P);
}

void balloon_init(void)
{
    xen_pfn_t l4 = pt_current_l4();
    unsigned long p;

    if (nr_pfns)
        return;
    scratch = mm_unmapped_page();
    nr_pfns = start_info->nr_pages;
    low_pfn = virt_to_pfn(mm_free_end);
    for (p = low_pfn; p < nr_pfns && va_mapped(l4, pfn_to_virt(p)); p++)
        ;
    mapped_end = p;
    printf("hello: balloon: %lu pages; pfns %#lx-%#lx may go "
           "(%#lx-%#lx mapped at boot)\n",
           nr_pfns, low_pfn, nr_pfns - 1, low_pfn, mapped_end - 1);
}

static long reservation(unsigned long cmd, unsigned int n)
{
    struct xen_memory_reservation r = {
        .nr_extents = n, .extent_order = 0, .domid = DOMID_SELF};

    set_xen_guest_handle(r.extent_start, list);
    return HYPERVISOR_memory_op(cmd, &r);
}

static long map_rw(unsigned long va, xen_pfn_t mfn)
{
    return mm_map(va, mfn, PTE_P | PTE_RW | PTE_A | PTE_D);
}

/* Gives back up to n pages; how many went, or a negative error. */
static long balloon_out(unsigned long n, long *err)
{
    unsigned long done = 0, p = nr_pfns;

    *err = 0;
    while (done < n) {
        unsigned int count = 0;
        long rc;

        while (count < BATCH && done + count < n && p > low_pfn) {
            xen_pfn_t mfn = p2m()[--p];

            if (mfn == INVALID_P2M_ENTRY)
                continue;
            if (p < mapped_end && (rc = mm_unmap(pfn_to_virt(p)))) {
                *err = rc;
                break;
            }
            p2m()[p] = INVALID_P2M_ENTRY;
            pfns[count] = p;
            list[count++] = mfn;
        }
        if (!count)
            break;
        rc = reservation(XENMEM_decrease_reservation, count);
        if (rc < 0)
            rc = 0; /* an error: nothing was done */
        /* Frames the hypervisor kept are still ours: put them back. */
        for (unsigned int i = (unsigned int)rc; i < count; i++) {
            p2m()[pfns[i]] = list[i];
            if (pfns[i] < mapped_end)
                map_rw(pfn_to_virt(pfns[i]), list[i]);
        }
        done += (unsigned long)rc;
        ballooned += (unsigned long)rc;
        if ((unsigned int)rc < count) {
            *err = -1;
            break;
        }
        if (*err)
            break;
    }
    return (long)done;
}

/* The number of non-zero quadwords in the frame mfn. */
static unsigned int frame_dirt(xen_pfn_t mfn)
{
    const volatile uint64_t *q = (const uint64_t *)scratch;
    unsigned int dirt = 0;

    if (mm_map(scratch, mfn, PTE_P | PTE_A))
        return PAGE_SIZE / 8;
    for (unsigned int i = 0; i < PAGE_SIZE / 8; i++)
        if (q[i]) {
            if (!dirt)
                printf("hello: balloon: frame %#lx is not zeroed: "
                       "quadword %u is %#lx\n", mfn, i, q[i]);
            dirt++;
        }
    mm_unmap(scratch);
    return dirt;
}

/* Takes back up to n pages; how many came. */
static long balloon_in(unsigned long n, long *err, unsigned long *dirty)
{
    unsigned long done = 0, p = low_pfn;

    *err = 0;
    while (done < n) {
        unsigned int count = 0;
        long rc;

        for (; count < BATCH && done + count < n && p < nr_pfns; p++)
            if (p2m()[p] == INVALID_P2M_ENTRY) {
                pfns[count] = p;
                list[count++] = p;
            }
        if (!count)
            break;
        rc = reservation(XENMEM_populate_physmap, count);
        if (rc < 0)
            rc = 0;
        for (unsigned int i = 0; i < (unsigned int)rc; i++) {
            if (frame_dirt(list[i]))
                (*dirty)++;
            p2m()[pfns[i]] = list[i];
            if (pfns[i] < mapped_end && map_rw(pfn_to_virt(pfns[i]), list[i]))
                *err = -1;
        }
        done += (unsigned long)rc;
        ballooned -= (unsigned long)rc;
        if ((unsigned int)rc < count) {
            *err = -1; /* the hypervisor's limit (max_pages) */
            break;
        }
    }
    return (long)done;
}

void balloon_set_target(unsigned long target)
{
    unsigned long have = nr_pfns - ballooned, dirty = 0;
    long moved = 0, err = 0;
    char v[24];

    if (target < have) {
        moved = balloon_out(have - target, &err);
        printf("hello: balloon: target %lu KiB, gave back %ld pages", target * 4,
               moved);
    } else if (target > have) {
        moved = balloon_in(MIN(target, nr_pfns) - have, &err, &dirty);
        printf("hello: balloon: target %lu KiB, took %ld pages", target * 4,
               moved);
    } else {
        printf("hello: balloon: target %lu KiB", target * 4);
    }
    have = nr_pfns - ballooned;
    printf(", now %lu KiB (%lu pages)", have * 4, have);
    if (dirty)
        printf(", %lu new frames NOT zeroed", dirty);
    if (have > target)
        printf(", above the target: %s", err ? "the hypervisor kept frames"
                                             : "no more unused pages");
    else if (have < target)
        printf(", below the target: %s",
               err ? "the hypervisor gave no more frames"
                   : "no pfns left (nr_pages is the most)");
    printf("\n");
    snprintf(v, sizeof(v), "%lu", have * 4);
    xenbus_write("data/balloon", v);
}
