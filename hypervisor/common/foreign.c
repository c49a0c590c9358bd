/* SPDX-License-Identifier: MIT */
/*
 * The control domain's foreign mappings (see pvisor/foreign.h).
 *
 * A hash table keyed by (session, slot) holds each mapping and the
 * general reference it has on the frame.  Entries come from pool pages,
 * each with its own free list and count of entries in use; a page goes
 * back to the heap as soon as its last entry is released, so the pool is
 * only as big as the mappings that exist now (a build that maps hundreds
 * of frames at once does not leave its pages behind).  foreign_lock
 * protects the table and the pool.
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

/* A page of entries: its header, then as many entries as fit. */
struct pool_page {
    struct pool_page *next;   /* the pool's pages */
    struct foreign_map *free; /* this page's free entries */
    unsigned int used;
    struct foreign_map maps[];
};

#define MAPS_PER_PAGE \
    ((PAGE_SIZE - sizeof(struct pool_page)) / sizeof(struct foreign_map))

static DEFINE_SPINLOCK(foreign_lock);
static struct foreign_map **buckets; /* foreign_lock */
static struct pool_page *pool;       /* foreign_lock */
static unsigned long nr_maps;        /* foreign_lock */

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
    struct pool_page *p;
    struct foreign_map *m;

    for (p = pool; p && !p->free; p = p->next)
        ;
    if (!p) {
        p = alloc_xenheap_page();
        if (!p)
            return NULL;
        p->free = NULL;
        p->used = 0;
        for (unsigned int i = 0; i < MAPS_PER_PAGE; i++) {
            p->maps[i].next = p->free;
            p->free = &p->maps[i];
        }
        p->next = pool;
        pool = p;
    }
    m = p->free;
    p->free = m->next;
    p->used++;
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

/* foreign_lock held; m is out of the table. */
static void release(struct foreign_map *m)
{
    struct pool_page *p =
        (struct pool_page *)((unsigned long)m & ~(PAGE_SIZE - 1));

    put_page(mfn_to_page(m->mfn));
    nr_maps--;
    m->next = p->free;
    p->free = m;
    if (--p->used)
        return;
    /* The page's last entry: give the page back. */
    for (struct pool_page **pp = &pool; *pp; pp = &(*pp)->next)
        if (*pp == p) {
            *pp = p->next;
            break;
        }
    free_xenheap_pages(p, 0);
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
