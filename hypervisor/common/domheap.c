/* SPDX-License-Identifier: MIT */
/*
 * Domain memory: frames owned by domains, with Xen's reference counting.
 *
 * A frame given to a domain has count_info = PGC_allocated | 1: the one
 * reference is the domain's own allocation reference.  Mappings, pins and
 * foreign mappings take further general references with get_page().  When
 * the domain gives the frame back (decrease_reservation) or dies, the
 * allocation reference is dropped; the frame is freed only when the last
 * reference goes, so a frame can never be reused while anything still maps
 * it.
 *
 * Every frame is scrubbed with in-machine stores when freed: no data leaks
 * to its next owner, and QEMU TCG drops any code it translated from the
 * frame (TCG only notices guest stores, never the host's).  Frames that
 * were never used came zeroed from the host and never held code.  A freed
 * frame is also stamped with the TLB flush clock, and CPUs that may still
 * cache it are flushed before it is handed out again.
 *
 * count_info is changed only with atomic compare-and-exchange; the owner's
 * page_list and tot_pages are protected by d->page_alloc_lock.
 */
#include <pvisor/domain_table.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/sched.h>
#include <asm/page.h>

void scrub_one_page(struct page_info *pg)
{
    memset(mfn_to_virt(page_to_mfn(pg)), 0, PAGE_SIZE);
}

struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags)
{
    unsigned long n = 1UL << order;
    struct page_info *pg;

    /* Taken and flushed before the lock: flushing waits for other CPUs. */
    pg = alloc_heap_pages(order);
    if (!pg)
        return NULL;
    tlbflush_before_reuse(pg, order);
    spin_lock(&d->page_alloc_lock);
    if (d->state != DOMSTATE_active ||
        (!(memflags & MEMF_no_refcount) && d->tot_pages + n > d->max_pages)) {
        spin_unlock(&d->page_alloc_lock);
        free_heap_pages(pg, order);
        return NULL;
    }
    for (unsigned long i = 0; i < n; i++) {
        pg[i].owner = d->domain_id;
        pg[i].count_info = PGC_allocated | 1;
        pg[i].type_info = 0;
        page_list_add_tail(&d->page_list, &pg[i]);
    }
    d->tot_pages += n;
    spin_unlock(&d->page_alloc_lock);
    return pg;
}

bool get_page(struct page_info *pg, const struct domain *d)
{
    uint32_t x, nx;

    x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);
    do {
        /* Not allocated, free, at the counter's limit, or someone else's. */
        if ((x & PGC_count_mask) == 0 ||
            (x & PGC_count_mask) == PGC_count_mask ||
            pg->state != PGS_inuse || READ_ONCE(pg->owner) != d->domain_id)
            return false;
        nx = x + 1;
    } while (!__atomic_compare_exchange_n(&pg->count_info, &x, nx, false,
                                          __ATOMIC_ACQUIRE, __ATOMIC_RELAXED));
    return true;
}

/* Returns a frame whose last reference went to the heap. */
static void free_domain_page(struct page_info *pg)
{
    struct domain *d = domain_by_id(pg->owner);

    if (d) {
        spin_lock(&d->page_alloc_lock);
        page_list_del(&d->page_list, pg);
        if (pg->count_info & PGC_xen_heap)
            d->xenheap_pages--;
        else
            d->tot_pages--;
        spin_unlock(&d->page_alloc_lock);
    }
    scrub_one_page(pg);
    tlbflush_stamp_freed(pg);
    free_heap_pages(pg, 0);
    if (d)
        domain_page_freed(d);
}

void put_page(struct page_info *pg)
{
    uint32_t x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED), nx;

    do {
        if ((x & PGC_count_mask) == 0)
            panic("put_page: mfn %#lx has no references",
                  page_to_mfn(pg));
        nx = x - 1;
    } while (!__atomic_compare_exchange_n(&pg->count_info, &x, nx, false,
                                          __ATOMIC_RELEASE, __ATOMIC_RELAXED));
    if ((nx & PGC_count_mask) == 0)
        free_domain_page(pg);
}

void page_release_allocation(struct page_info *pg)
{
    uint32_t x = __atomic_load_n(&pg->count_info, __ATOMIC_RELAXED);

    /* Only the first release drops the reference. */
    do {
        if (!(x & PGC_allocated))
            return;
    } while (!__atomic_compare_exchange_n(&pg->count_info, &x,
                                          x & ~PGC_allocated, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    put_page(pg);
}

/*
 * The hypervisor keeps writing the page (shared_info: event bits, time),
 * so as Xen does it is shared with a writable type reference that stays
 * while it is shared: it can never take a page-table or descriptor type,
 * which would let the hypervisor's own stores change a validated table.
 */
void share_xen_page_with_guest(struct page_info *pg, struct domain *d)
{
    pg->owner = d->domain_id;
    pg->type_info = PGT_writable | PGT_validated | 1;
    pg->count_info = PGC_allocated | PGC_xen_heap | 1;
    spin_lock(&d->page_alloc_lock);
    page_list_add_tail(&d->page_list, pg);
    d->xenheap_pages++;
    spin_unlock(&d->page_alloc_lock);
}
