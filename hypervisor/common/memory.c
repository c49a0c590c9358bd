/* SPDX-License-Identifier: MIT */
/*
 * The memory_op hypercall (public/memory.h): a domain's reservation
 * (increase, decrease, populate), what it may learn about memory (its
 * memory map, the M2P's location, the top of machine RAM), and the control
 * domain's foreign mappings.
 *
 * For PV domains pseudo-physical frames are the guest's business: it keeps
 * its own p2m.  populate_physmap therefore answers with the machine frames
 * it allocated and records the guest's pseudo-physical numbers in the M2P;
 * decrease_reservation takes machine frames and answers with the number
 * of extents done, stopping at the first it cannot take.
 *
 * A frame is given back only when nothing maps or references it any more:
 * no mapping, pin, page-table or descriptor type, foreign mapping, only
 * the allocation reference.  Otherwise the extent is refused (not done).
 * Xen differs here: its guest_remove_page drops the allocation reference
 * of a frame still in use and counts the extent done, and the frame stays
 * the domain's (and in its tot_pages) until the last reference goes.  In
 * both, a frame is never freed while anything still maps it; pvisor also
 * tells the guest at once that the frame was not given back.
 */
#include <asm/current.h>
#include <asm/e820.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>
#include <pvisor/foreign.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/errno.h>
#include <xen/memory.h>

#define DOMU_MAX_ORDER 9 /* 2 MiB extents, as Xen allows domUs */
/* The operation is cmd's low bits; Xen keeps a continuation above them. */
#define MEMOP_CMD_MASK 0x3f
#define MAX_E820_GUEST 128

/*
 * The domain an operation names (Xen's rcu_lock_domain_by_any_id, then
 * its XSM_TARGET check): itself, or any domain for the privileged one.
 * An unknown domain is -ESRCH, someone else's -EPERM.
 */
static struct domain *memop_target(domid_t id, long *rc)
{
    struct domain *cd = current->domain, *d;

    if (id == DOMID_SELF || id == cd->domain_id) {
        get_domain(cd);
        return cd;
    }
    d = get_domain_by_id(id);
    if (!d) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    if (!cd->is_privileged) {
        put_domain(d);
        *rc = -XEN_EPERM;
        return NULL;
    }
    return d;
}

/* Allocates extents for d; gpfn_in: the list holds GPFNs to record. */
static long populate(struct domain *d, struct xen_memory_reservation *r,
                     bool gpfn_in)
{
    unsigned long i;

    for (i = 0; i < r->nr_extents; i++) {
        xen_pfn_t gpfn = 0, mfn;
        struct page_info *pg;

        if (gpfn_in && copy_from_guest_offset(&gpfn, r->extent_start, i, 1))
            return i ? (long)i : -XEN_EFAULT;
        pg = alloc_domheap_pages(d, r->extent_order, 0);
        if (!pg)
            break;
        mfn = page_to_mfn(pg);
        for (unsigned long j = 0; j < (1UL << r->extent_order); j++)
            set_gpfn_from_mfn(mfn + j, gpfn_in ? gpfn + j : INVALID_M2P_ENTRY);
        if (copy_to_guest_offset(r->extent_start, i, &mfn, 1)) {
            /* The caller cannot learn the frame: give it back. */
            for (unsigned long j = 0; j < (1UL << r->extent_order); j++)
                page_release_allocation(pg + j);
            return i ? (long)i : -XEN_EFAULT;
        }
    }
    return (long)i;
}

/* Gives one frame of d back; fails while anything still uses it. */
static bool remove_page(struct domain *d, unsigned long mfn)
{
    struct page_info *pg;

    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);
    if (pg->owner != d->domain_id || pg->state != PGS_inuse ||
        !(pg->count_info & PGC_allocated) ||
        (pg->count_info & PGC_xen_heap) ||
        (pg->count_info & PGC_count_mask) != 1 ||
        (pg->type_info & PGT_count_mask) != 0)
        return false;
    set_gpfn_from_mfn(mfn, INVALID_M2P_ENTRY);
    page_release_allocation(pg);
    return true;
}

static long decrease(struct domain *d, struct xen_memory_reservation *r)
{
    unsigned long i;
    bool ok = true;

    mm_lock(d);
    for (i = 0; i < r->nr_extents && ok; i++) {
        xen_pfn_t mfn;

        if (copy_from_guest_offset(&mfn, r->extent_start, i, 1)) {
            mm_unlock(d);
            return i ? (long)i : -XEN_EFAULT;
        }
        for (unsigned long j = 0; j < (1UL << r->extent_order); j++)
            if (!remove_page(d, mfn + j)) {
                ok = false;
                break;
            }
        if (!ok)
            break;
    }
    mm_unlock(d);
    return (long)i;
}

static long reservation_op(unsigned long cmd, unsigned long arg)
{
    struct xen_memory_reservation r;
    struct domain *d;
    long rc = 0;

    if (copy_struct_from_guest(&r, arg))
        return -XEN_EFAULT;
    /* Xen's max_order(current->domain): larger extents do nothing. */
    if (r.extent_order > MAX_ORDER ||
        (r.extent_order > DOMU_MAX_ORDER && !current->domain->is_privileged))
        return 0;
    d = memop_target(r.domid, &rc);
    if (!d)
        return 0; /* Xen: no extents done, whichever the reason */
    switch (cmd) {
    case XENMEM_increase_reservation:
        rc = populate(d, &r, false);
        break;
    case XENMEM_populate_physmap:
        rc = populate(d, &r, true);
        break;
    default:
        rc = decrease(d, &r);
        break;
    }
    put_domain(d);
    return rc;
}

static long memory_map(struct domain *d, unsigned long arg)
{
    struct xen_memory_map map;
    struct e820entry_guest {
        uint64_t addr, size;
        uint32_t type;
    } __packed e;

    if (copy_struct_from_guest(&map, arg))
        return -XEN_EFAULT;
    if (map.nr_entries < 1)
        return -XEN_EINVAL;
    /* One RAM range for the whole reservation, as libxl gives PV domUs. */
    e.addr = 0;
    e.size = (uint64_t)d->max_pages << PAGE_SHIFT;
    e.type = E820_RAM;
    if (copy_to_guest_raw((unsigned long)map.buffer.p, &e, sizeof(e)))
        return -XEN_EFAULT;
    map.nr_entries = 1;
    return copy_struct_to_guest(arg, &map) ? -XEN_EFAULT : 0;
}

static long machine_memory_map(unsigned long arg)
{
    struct xen_memory_map map;
    struct e820entry_guest {
        uint64_t addr, size;
        uint32_t type;
    } __packed e;
    unsigned int n;

    if (!current->domain->is_privileged)
        return -XEN_EPERM;
    if (copy_struct_from_guest(&map, arg))
        return -XEN_EFAULT;
    for (n = 0; n < e820.nr && n < map.nr_entries; n++) {
        e.addr = e820.map[n].addr;
        e.size = e820.map[n].size;
        e.type = e820.map[n].type;
        if (copy_to_guest_raw((unsigned long)map.buffer.p + n * sizeof(e),
                              &e, sizeof(e)))
            return -XEN_EFAULT;
    }
    map.nr_entries = n;
    return copy_struct_to_guest(arg, &map) ? -XEN_EFAULT : 0;
}

/* XENMAPSPACE_gmfn_foreign for the control domain (pvisor/foreign.h). */
static long add_to_physmap_batch(unsigned long arg)
{
    struct xen_add_to_physmap_batch b;
    struct vcpu *v = current;

    if (copy_struct_from_guest(&b, arg))
        return -XEN_EFAULT;
    if (!is_link_vcpu(v))
        return -XEN_EACCES; /* PV guests have no physmap to change */
    if (b.domid != DOMID_SELF || b.space != XENMAPSPACE_gmfn_foreign)
        return -XEN_EOPNOTSUPP;
    for (unsigned int i = 0; i < b.size; i++) {
        xen_ulong_t idx;
        xen_pfn_t gpfn;
        int err;

        if (copy_from_guest_offset(&idx, b.idxs, i, 1) ||
            copy_from_guest_offset(&gpfn, b.gpfns, i, 1))
            return -XEN_EFAULT;
        err = foreign_map(v->link_window_maddr, gpfn, b.u.foreign_domid,
                          idx);
        if (copy_to_guest_offset(b.errs, i, &err, 1))
            return -XEN_EFAULT;
    }
    return 0;
}

static long remove_from_physmap(unsigned long arg)
{
    struct xen_remove_from_physmap r;
    struct vcpu *v = current;

    if (copy_struct_from_guest(&r, arg))
        return -XEN_EFAULT;
    if (!is_link_vcpu(v))
        return -XEN_EACCES;
    if (r.domid != DOMID_SELF)
        return -XEN_EOPNOTSUPP;
    return foreign_unmap(v->link_window_maddr, r.gpfn);
}

long do_memory_op(unsigned long cmd, unsigned long arg)
{
    struct domain *d;
    long rc = 0;

    switch (cmd & MEMOP_CMD_MASK) {
    case XENMEM_increase_reservation:
    case XENMEM_decrease_reservation:
    case XENMEM_populate_physmap:
        return reservation_op(cmd & MEMOP_CMD_MASK, arg);

    case XENMEM_maximum_ram_page:
        return (long)max_page;

    case XENMEM_current_reservation:
    case XENMEM_maximum_reservation: {
        domid_t id;

        if (copy_struct_from_guest(&id, arg))
            return -XEN_EFAULT;
        d = memop_target(id, &rc);
        if (!d)
            return rc;
        rc = (long)((cmd & MEMOP_CMD_MASK) == XENMEM_current_reservation
                        ? d->tot_pages
                        : d->max_pages);
        put_domain(d);
        return rc;
    }

    case XENMEM_machphys_mapping: {
        struct xen_machphys_mapping m = {
            .v_start = MACH2PHYS_VIRT_START,
            .v_end = MACH2PHYS_VIRT_START +
                     ROUNDUP(max_page * 8UL, L2_PAGE_SIZE),
            .max_mfn = max_page - 1,
        };
        return copy_struct_to_guest(arg, &m) ? -XEN_EFAULT : 0;
    }

    case XENMEM_memory_map:
        return memory_map(current->domain, arg);
    case XENMEM_machine_memory_map:
        return machine_memory_map(arg);

    case XENMEM_add_to_physmap_batch:
        return add_to_physmap_batch(arg);
    case XENMEM_remove_from_physmap:
        return remove_from_physmap(arg);

    default:
        return -XEN_ENOSYS;
    }
}
