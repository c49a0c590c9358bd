/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1 (gnttab.h): the table's frames, granting and
 * ending access, and mapping another domain's grants.
 */
#include "gnttab.h"
#include "hypercall.h"
#include "mm.h"

#include <xen/errno.h>

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))
#define MAX_FRAMES 16
#define MAX_DEFERRED 64

static grant_entry_v1_t *frames[MAX_FRAMES];
static unsigned int nr_frames;
/* Grants whose end waits for the grantee to unmap (or finish a copy). */
static grant_ref_t deferred[MAX_DEFERRED];
static unsigned int nr_deferred;

long gnttab_init(unsigned int nr)
{
    struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = nr};
    xen_pfn_t mfns[MAX_FRAMES];
    long rc;

    if (nr > MAX_FRAMES || nr <= nr_frames)
        return nr <= nr_frames ? 0 : -XEN_EINVAL;
    set_xen_guest_handle(st.frame_list, mfns);
    rc = HYPERVISOR_grant_table_op(GNTTABOP_setup_table, &st, 1);
    if (rc)
        return rc;
    if (st.status != GNTST_okay)
        return st.status;
    for (unsigned int i = nr_frames; i < nr; i++) {
        unsigned long va = mm_unmapped_page();

        rc = mm_map(va, mfns[i], PTE_P | PTE_RW | PTE_A | PTE_D);
        if (rc)
            return rc;
        frames[i] = (grant_entry_v1_t *)va;
    }
    nr_frames = nr;
    return 0;
}

unsigned int gnttab_nr_entries(void)
{
    return nr_frames * ENTRIES_PER_FRAME;
}

grant_entry_v1_t *gnttab_entry(grant_ref_t ref)
{
    if (ref >= gnttab_nr_entries())
        return NULL;
    return &frames[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

long gnttab_grant_access(domid_t dom, xen_pfn_t mfn, bool readonly)
{
    gnttab_retry_deferred();
    /* The first entries are the toolstack's (console, xenstore). */
    for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES;
         ref < gnttab_nr_entries(); ref++) {
        grant_entry_v1_t *e = gnttab_entry(ref);

        if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE))
            continue;
        e->frame = (uint32_t)mfn;
        e->domid = dom;
        /* Frame and grantee before the hypervisor may see the grant. */
        __atomic_store_n(&e->flags,
                         (uint16_t)(GTF_permit_access |
                                    (readonly ? GTF_readonly : 0)),
                         __ATOMIC_RELEASE);
        return ref;
    }
    return -1;
}

bool gnttab_in_use(grant_ref_t ref)
{
    grant_entry_v1_t *e = gnttab_entry(ref);

    return e && (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) &
                 (GTF_reading | GTF_writing));
}

long gnttab_end_access(grant_ref_t ref)
{
    grant_entry_v1_t *e = gnttab_entry(ref);
    uint16_t flags;

    if (!e)
        return -XEN_EINVAL;
    flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
    do {
        if (flags & (GTF_reading | GTF_writing))
            return -XEN_EBUSY;
    } while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false,
                                          __ATOMIC_ACQ_REL,
                                          __ATOMIC_ACQUIRE));
    return 0;
}

long gnttab_end_access_deferred(grant_ref_t ref)
{
    long rc = gnttab_end_access(ref);

    if (rc != -XEN_EBUSY)
        return rc;
    for (unsigned int i = 0; i < nr_deferred; i++)
        if (deferred[i] == ref)
            return 1;
    if (nr_deferred == MAX_DEFERRED)
        return -XEN_ENOSPC;
    deferred[nr_deferred++] = ref;
    return 1;
}

unsigned int gnttab_retry_deferred(void)
{
    unsigned int keep = 0;

    for (unsigned int i = 0; i < nr_deferred; i++)
        if (gnttab_end_access(deferred[i]) == -XEN_EBUSY)
            deferred[keep++] = deferred[i];
    nr_deferred = keep;
    return keep;
}

unsigned int gnttab_nr_in_use(void)
{
    unsigned int n = 0;

    gnttab_retry_deferred();
    for (grant_ref_t ref = GNTTAB_NR_RESERVED_ENTRIES;
         ref < gnttab_nr_entries(); ref++)
        if (__atomic_load_n(&gnttab_entry(ref)->flags, __ATOMIC_ACQUIRE))
            n++;
    return n;
}

long gnttab_map(domid_t dom, grant_ref_t ref, unsigned long va,
                uint32_t flags, grant_handle_t *handle, uint64_t *bus)
{
    struct gnttab_map_grant_ref op = {
        .host_addr = va,
        .flags = flags | GNTMAP_host_map,
        .ref = ref,
        .dom = dom,
    };
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

    if (rc)
        return rc;
    if (op.status == GNTST_okay) {
        if (handle)
            *handle = op.handle;
        if (bus)
            *bus = op.dev_bus_addr;
    }
    return op.status;
}

long gnttab_unmap(unsigned long va, grant_handle_t handle)
{
    struct gnttab_unmap_grant_ref op = {.host_addr = va, .handle = handle};
    long rc = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

    return rc ? rc : op.status;
}
