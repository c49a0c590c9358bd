/* SPDX-License-Identifier: MIT */
/*
 * bench_mmu=R: what the PV MMU costs the reference guest, each figure the
 * median of R runs timed with the TSC, next to the bare operation it
 * replaces, measured in the same run (bench/domains/mmu.sh reads them):
 *
 *   update-single  512 L1 entries rewritten, one mmu_update each
 *   update-batch   the same 512 in one mmu_update
 *   store          the same 512 values stored into an ordinary page
 *   null-call      512 null hypercalls (xen_version), the bare transition
 *   pin-64m        MMUEXT_PIN_L4_TABLE of a 64 MiB address space (an L4,
 *                  L3, L2 and 32 L1s mapping 16384 frames writable), which
 *                  validates every table and entry on the way down
 *   unpin-64m      unpinning it again, which devalidates all of it
 *   fill-64m       the 16384 entries stored into the 32 L1 pages while
 *                  they are ordinary pages (building the tables)
 *
 * Each updated entry alternates between two frames, so that every update
 * drops one frame's references and takes the other's.  The frames mapped
 * by the 64 MiB space are the guest's own above the boot mapping; with
 * fewer than 16384 of them some are mapped more than once (the line says
 * how many were distinct).  Output, one line per figure:
 *
 *   hello: bench-mmu NAME per-op CYCLES cycles NS ns (N ops, R runs)
 */
#include "hello.h"
#include "hypercall.h"
#include "pt.h"

#define UPDATES   512
#define SPACE_L1S 32 /* 32 x 2 MiB = 64 MiB */
#define MAX_RUNS  101

static uint64_t runs[MAX_RUNS];
static uint64_t space_pte[SPACE_L1S * PT_ENTRIES];

static void report(const char *name, uint64_t *v, unsigned int n,
                   unsigned long ops)
{
    uint64_t med = median_u64(v, n);
    uint64_t ns = tsc_to_ns(med);

    printf("hello: bench-mmu %s per-op %lu cycles %lu ns (%lu ops, %u "
           "runs)\n",
           name, (unsigned long)(med / ops), (unsigned long)(ns / ops), ops, n);
}

static void bench_updates(unsigned int nr_runs)
{
    static mmu_update_t req[UPDATES];
    unsigned long l1 = mm_alloc_page(), store = mm_alloc_page();
    xen_pfn_t frame[2] = {virt_to_mfn(mm_alloc_page()),
                          virt_to_mfn(mm_alloc_page())};
    xen_pfn_t l1_mfn = virt_to_mfn(l1);
    unsigned int flip = 0;
    uint64_t t0;
    long rc;

    rc = pt_map_ro(l1);
    rc = rc ?: pt_pin(l1_mfn, 1);
    if (rc)
        guest_panic("bench_mmu: pinning the scratch L1 failed: %ld", rc);
    for (unsigned int i = 0; i < UPDATES; i++)
        req[i].ptr = pt_maddr(l1_mfn, i) | MMU_NORMAL_PT_UPDATE;

#define NEXT_VALUES()                                                          \
    do {                                                                       \
        flip ^= 1;                                                             \
        for (unsigned int i = 0; i < UPDATES; i++)                             \
            req[i].val = ((uint64_t)frame[flip] << PAGE_SHIFT) | PTE_P |       \
                         PTE_RW | PTE_A | PTE_D;                               \
    } while (0)

    NEXT_VALUES(); /* every entry present before timing */
    if (HYPERVISOR_mmu_update(req, UPDATES, NULL, DOMID_SELF))
        guest_panic("bench_mmu: mmu_update failed");

    for (unsigned int r = 0; r < nr_runs; r++) {
        NEXT_VALUES();
        t0 = rdtsc_ordered();
        for (unsigned int i = 0; i < UPDATES; i++)
            HYPERVISOR_mmu_update(&req[i], 1, NULL, DOMID_SELF);
        runs[r] = rdtsc_ordered() - t0;
    }
    report("update-single", runs, nr_runs, UPDATES);

    for (unsigned int r = 0; r < nr_runs; r++) {
        NEXT_VALUES();
        t0 = rdtsc_ordered();
        HYPERVISOR_mmu_update(req, UPDATES, NULL, DOMID_SELF);
        runs[r] = rdtsc_ordered() - t0;
    }
    report("update-batch", runs, nr_runs, UPDATES);

    for (unsigned int r = 0; r < nr_runs; r++) {
        volatile uint64_t *p = (volatile uint64_t *)store;

        NEXT_VALUES();
        t0 = rdtsc_ordered();
        for (unsigned int i = 0; i < UPDATES; i++)
            p[i] = req[i].val;
        runs[r] = rdtsc_ordered() - t0;
    }
    report("store", runs, nr_runs, UPDATES);

    for (unsigned int r = 0; r < nr_runs; r++) {
        t0 = rdtsc_ordered();
        for (unsigned int i = 0; i < UPDATES; i++)
            HYPERVISOR_xen_version(XENVER_version, NULL);
        runs[r] = rdtsc_ordered() - t0;
    }
    report("null-call", runs, nr_runs, UPDATES);
#undef NEXT_VALUES

    rc = pt_unpin(l1_mfn);
    rc = rc ?: pt_map_rw(l1);
    if (rc)
        guest_panic("bench_mmu: releasing the scratch L1 failed: %ld", rc);
}

static void bench_pin(unsigned int nr_runs)
{
    unsigned long l4 = mm_alloc_page(), l3 = mm_alloc_page();
    unsigned long l2 = mm_alloc_page(), l1[SPACE_L1S];
    unsigned long first = virt_to_pfn(mm_free_end);
    unsigned long avail = start_info->nr_pages - first;
    xen_pfn_t l4_mfn = virt_to_mfn(l4);
    uint64_t t0, pin[MAX_RUNS];
    long rc = 0;

    for (unsigned int i = 0; i < SPACE_L1S; i++)
        l1[i] = mm_alloc_page();
    ((uint64_t *)l4)[0] = ((uint64_t)virt_to_mfn(l3) << PAGE_SHIFT) | PTE_TABLE;
    ((uint64_t *)l3)[0] = ((uint64_t)virt_to_mfn(l2) << PAGE_SHIFT) | PTE_TABLE;
    for (unsigned int i = 0; i < SPACE_L1S; i++)
        ((uint64_t *)l2)[i] =
            ((uint64_t)virt_to_mfn(l1[i]) << PAGE_SHIFT) | PTE_TABLE;
    for (unsigned int i = 0; i < SPACE_L1S * PT_ENTRIES; i++)
        space_pte[i] = ((uint64_t)pfn_to_mfn(first + i % avail) << PAGE_SHIFT) |
                       PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D;

    /* Building the tables: plain stores while the L1s are ordinary pages. */
    for (unsigned int r = 0; r < nr_runs; r++) {
        t0 = rdtsc_ordered();
        for (unsigned int t = 0; t < SPACE_L1S; t++) {
            volatile uint64_t *e = (volatile uint64_t *)l1[t];

            for (unsigned int i = 0; i < PT_ENTRIES; i++)
                e[i] = space_pte[t * PT_ENTRIES + i];
        }
        runs[r] = rdtsc_ordered() - t0;
    }
    report("fill-64m", runs, nr_runs, SPACE_L1S * PT_ENTRIES);

    rc = pt_map_ro(l4) ?: pt_map_ro(l3) ?: pt_map_ro(l2);
    for (unsigned int i = 0; i < SPACE_L1S && !rc; i++)
        rc = pt_map_ro(l1[i]);
    for (unsigned int r = 0; r < nr_runs && !rc; r++) {
        t0 = rdtsc_ordered();
        rc = pt_pin(l4_mfn, 4);
        pin[r] = rdtsc_ordered() - t0;
        t0 = rdtsc_ordered();
        rc = rc ?: pt_unpin(l4_mfn);
        runs[r] = rdtsc_ordered() - t0;
    }
    if (rc)
        guest_panic("bench_mmu: pinning the 64 MiB space failed: %ld", rc);
    report("pin-64m", pin, nr_runs, 1);
    report("unpin-64m", runs, nr_runs, 1);
    printf("hello: bench-mmu 64 MiB space: %u L1s, %lu distinct frames\n",
           SPACE_L1S, MIN(avail, (unsigned long)SPACE_L1S * PT_ENTRIES));

    rc = pt_map_rw(l4) ?: pt_map_rw(l3) ?: pt_map_rw(l2);
    for (unsigned int i = 0; i < SPACE_L1S && !rc; i++)
        rc = pt_map_rw(l1[i]);
    if (rc)
        guest_panic("bench_mmu: the 64 MiB space's tables stay typed: %ld", rc);
}

void bench_mmu(unsigned long reps)
{
    unsigned int n = (unsigned int)MIN(MAX(reps, 1UL), (unsigned long)MAX_RUNS);

    bench_updates(n);
    bench_pin(n);
}
