/* SPDX-License-Identifier: MIT */
/*
 * The control domain's foreign mappings (see pvisor/foreign.h).
 *
 * A hash table keyed by (session, slot) holds each mapping and the
 * general reference it has on the frame.  Entries come from a free list
 * refilled a page at a time; the pages go back to the heap whenever the
 * last mapping goes, so that idle machines hold none.  Until then the
 * pool keeps the most entries that were in use at once: while any domain
 * runs, pvisor-consoled and xenstore-lite keep its rings mapped, so a
 * build that maps hundreds of frames at once leaves the pool that big
 * for later builds to reuse.  foreign_lock protects the table.
 */
#include <pvisor/domain_table.h>
#include <pvisor/foreign.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/sched.h>
#include <pvisor/spinlock.h>
#include <xen/errno.h>

#define NR_BUCKETS 4096

struct foreign_map {
    struct foreign_map *next;
    uint64_t session;
    uint64_t slot;
    unsigned long mfn;
    domid_t domid;
};

static DEFINE_SPINLOCK(foreign_lock);
static struct foreign_map **buckets; /* foreign_lock */
static struct foreign_map *free_list; /* foreign_lock */
/* The free list's pages, chained through their first entry. */
static struct foreign_map *pool_pages; /* foreign_lock */
static unsigned long nr_maps;         /* foreign_lock */

void foreign_init(void)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < NR_BUCKETS * sizeof(*buckets))
        order++;
    buckets = alloc_xenheap_pages(order);
    BUG_ON(!buckets);
    memset(buckets, 0, NR_BUCKETS * sizeof(*buckets));
}

static unsigned int hash(uint64_t session, uint64_t slot)
{
    uint64_t h = (session >> 16) * 0x9e3779b97f4a7c15ULL ^ slot;

    return (unsigned int)((h ^ (h >> 29)) % NR_BUCKETS);
}

/* foreign_lock held. */
static struct foreign_map *alloc_entry(void)
{
    struct foreign_map *m;

    if (!free_list) {
        struct foreign_map *page = alloc_xenheap_page();

        if (!page)
            return NULL;
        page[0].next = pool_pages; /* entry 0 chains the pool's pages */
        pool_pages = page;
        for (unsigned int i = 1; i < PAGE_SIZE / sizeof(*page); i++) {
            page[i].next = free_list;
            free_list = &page[i];
        }
    }
    m = free_list;
    free_list = m->next;
    return m;
}

static struct foreign_map **find(uint64_t session, uint64_t slot)
{
    struct foreign_map **pp = &buckets[hash(session, slot)];

    for (; *pp; pp = &(*pp)->next)
        if ((*pp)->session == session && (*pp)->slot == slot)
            return pp;
    return pp;
}

static void release(struct foreign_map *m)
{
    put_page(mfn_to_page(m->mfn));
    m->next = free_list;
    free_list = m;
    if (--nr_maps)
        return;
    /* Nothing mapped any more: give the pool back. */
    while (pool_pages) {
        struct foreign_map *page = pool_pages;

        pool_pages = page[0].next;
        free_xenheap_pages(page, 0);
    }
    free_list = NULL;
}

int foreign_map(uint64_t session, uint64_t slot, domid_t domid,
                unsigned long mfn)
{
    struct domain *d = get_domain_by_id(domid);
    struct foreign_map **pp, *m;
    int rc = 0;

    if (!d)
        return -XEN_ESRCH;
    if (!mfn_valid(mfn) || !get_page(mfn_to_page(mfn), d)) {
        put_domain(d);
        return -XEN_EINVAL; /* not a frame of that domain */
    }
    put_domain(d);
    spin_lock(&foreign_lock);
    pp = find(session, slot);
    if (*pp) {
        /* Re-using a slot replaces what it mapped. */
        m = *pp;
        *pp = m->next;
        release(m);
    }
    m = alloc_entry();
    if (!m) {
        put_page(mfn_to_page(mfn));
        rc = -XEN_ENOMEM;
    } else {
        m->session = session;
        m->slot = slot;
        m->mfn = mfn;
        m->domid = domid;
        m->next = NULL;
        *pp = m;
        nr_maps++;
    }
    spin_unlock(&foreign_lock);
    return rc;
}

int foreign_unmap(uint64_t session, uint64_t slot)
{
    struct foreign_map **pp, *m;
    int rc = -XEN_ENOENT;

    spin_lock(&foreign_lock);
    pp = find(session, slot);
    if ((m = *pp)) {
        *pp = m->next;
        release(m);
        rc = 0;
    }
    spin_unlock(&foreign_lock);
    return rc;
}

unsigned long foreign_release_session(uint64_t session)
{
    unsigned long n = 0;

    spin_lock(&foreign_lock);
    for (unsigned int b = 0; b < NR_BUCKETS; b++) {
        struct foreign_map **pp = &buckets[b];

        while (*pp) {
            struct foreign_map *m = *pp;
            if (m->session == session) {
                *pp = m->next;
                release(m);
                n++;
            } else {
                pp = &m->next;
            }
        }
    }
    spin_unlock(&foreign_lock);
    return n;
}

unsigned long foreign_count(void)
{
    return READ_ONCE(nr_maps);
}
