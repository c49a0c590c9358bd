/* SPDX-License-Identifier: MIT */
/*
 * Grant tables, version 1 (public/grant_table.h), as Xen's
 * common/grant_table.c defines them for PV guests.
 *
 * Design.  A domain's table has up to GNTTAB_MAX_FRAMES shared frames of
 * grant_entry_v1 (one at creation, more with GNTTAB_setup_table; the guest
 * maps them itself with its MMU calls, from the frame list setup_table
 * returns), an active entry per reference and a map-track table:
 *
 *   shared entry   written by the granting guest: flags, grantee, frame;
 *                  the hypervisor only sets/clears GTF_reading/writing
 *                  (grant_entry.c);
 *   active entry   the pins: how many host/device, read-only/writable
 *                  mappings and copies use the reference right now, the
 *                  grantee and the frame fixed at the first pin;
 *   map-track      in the *mapping* domain: one entry per live mapping
 *                  (granter, reference, flags, where); its index is the
 *                  handle returned by map_grant_ref.
 *
 * References.  A mapping holds a general reference on the granted frame
 * and, when writable, a writable type reference (so the granter cannot
 * turn the page into a page table while another domain writes it); a
 * copy holds them for the duration of the copy.  A PV grantee's mapping
 * is an L1 entry marked PTE_GNTTAB, which the PV MMU never counts
 * (pv/mm.c): the grant code owns its references, and a guest that
 * overwrites one with a plain MMU update is crashed, as on Xen.
 *
 * Domain 0 has no page tables in the machine: it addresses machine
 * memory through its mapping of the RAM file.  Its host mappings are
 * therefore bookkeeping only -- the hypervisor checks the grant, takes
 * the references and answers the frame (dev_bus_addr, the machine
 * address) -- and are tied to the dom0 link session that made them, so
 * that a client that dies leaves nothing mapped.  In a copy, domain 0's
 * own frames (GNTCOPY without a gref, DOMID_SELF) are frames of its
 * session's argument window.
 *
 * Death.  A dying mapper's mappings are all released (gnttab_release_
 * mappings, before its page tables go).  A dying granter's frames stay as
 * long as someone maps them (they hold references), and so does its table:
 * the shared frames carry one reference of the table's own, dropped only
 * once the domain is dying and no reference of it is pinned any more.
 *
 * Locking.  gt->lock protects a table's frames, active entries and pin
 * counts; gt->maptrack_lock its map-track free list and pages.  At most
 * one table's gt->lock is held at a time, a domain's mm_lock may be taken
 * inside a gt->lock (never the other way round), and page references are
 * dropped after the locks, since dropping the last one may free a domain.
 */
#include <asm/current.h>
#include <asm/page.h>
#include <asm/pv_mm.h>
#include <asm/uaccess.h>
#include <pvisor/domain_table.h>
#include <pvisor/grant_table.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/spinlock.h>
#include <xen/errno.h>

#define ENTRIES_PER_FRAME (PAGE_SIZE / sizeof(grant_entry_v1_t))

/* Pin counts in an active entry, 8 bits each, as Xen's GNTPIN_*. */
#define PIN_HSTW 0x00000001U /* host mappings, writable (and write copies) */
#define PIN_HSTR 0x00000100U /* host mappings, read-only (and read copies) */
#define PIN_DEVW 0x00010000U /* device mappings, writable */
#define PIN_DEVR 0x01000000U /* device mappings, read-only */
#define PIN_HSTW_MASK 0x000000ffU
#define PIN_DEVW_MASK 0x00ff0000U
#define PIN_OVERFLOW 0x80808080U /* a count at its top bit: refuse more */

struct active_grant {
    uint32_t pin;
    domid_t domid;
    uint16_t pad;
    unsigned long mfn;
};
#define ACTIVE_PER_PAGE (PAGE_SIZE / sizeof(struct active_grant))
#define ACTIVE_FRAMES (GNTTAB_MAX_FRAMES * ENTRIES_PER_FRAME / ACTIVE_PER_PAGE)

struct grant_mapping {
    uint32_t ref;   /* while free: the next free handle */
    domid_t domid;  /* the granting domain */
    uint16_t flags; /* GNTMAP_*; 0 while free */
    uint64_t host_addr;
    uint64_t session; /* domain 0's link session, else 0 */
};
#define MAPTRACK_PER_PAGE (PAGE_SIZE / sizeof(struct grant_mapping))
#define MAPTRACK_TAIL UINT32_MAX

struct grant_table {
    spinlock_t lock;
    unsigned int nr_frames;
    unsigned long nr_pinned;  /* active entries with pins */
    bool dying;               /* its domain is dying */
    bool frames_released;     /* and its frames are gone */
    grant_entry_v1_t *shared[GNTTAB_MAX_FRAMES];
    struct active_grant *active[ACTIVE_FRAMES];

    spinlock_t maptrack_lock;
    unsigned int maptrack_limit; /* handles that exist */
    uint32_t maptrack_free;      /* head of the free list */
    unsigned long nr_maps;       /* handles in use */
    struct grant_mapping *maptrack[GNTTAB_MAX_MAPTRACK_FRAMES];
};

static unsigned int gt_order(void)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < sizeof(struct grant_table))
        order++;
    return order;
}

static unsigned int nr_entries(const struct grant_table *gt)
{
    return gt->nr_frames * ENTRIES_PER_FRAME;
}

static grant_entry_v1_t *shared_entry(struct grant_table *gt, grant_ref_t ref)
{
    return &gt->shared[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

static struct active_grant *active_entry(struct grant_table *gt,
                                         grant_ref_t ref)
{
    return &gt->active[ref / ACTIVE_PER_PAGE][ref % ACTIVE_PER_PAGE];
}

static struct grant_mapping *maptrack_entry(struct grant_table *gt,
                                            uint32_t handle)
{
    return &gt->maptrack[handle / MAPTRACK_PER_PAGE]
                        [handle % MAPTRACK_PER_PAGE];
}

/* ------------------------------------------------------------ domains */

/* A live or dying domain by id, with a reference (unmap, release). */
static struct domain *get_domain_any(domid_t id)
{
    struct domain *d;

    spin_lock(&domlist_lock);
    d = domain_by_id(id);
    if (d && d->state != DOMSTATE_dead)
        get_domain(d);
    else
        d = NULL;
    spin_unlock(&domlist_lock);
    return d;
}

/* Xen's rcu_lock_domain_by_any_id: DOMID_SELF or a live domain. */
static struct domain *get_domain_self_or_id(domid_t id)
{
    struct domain *cd = current->domain;

    if (id == DOMID_SELF || id == cd->domain_id) {
        get_domain(cd);
        return cd;
    }
    return get_domain_by_id(id);
}

/* ------------------------------------------------------ growing, dying */

/* Adds frames up to nr (gt->lock held); -XEN_ENOMEM if it cannot. */
static int grow_table(struct domain *d, struct grant_table *gt,
                      unsigned int nr)
{
    while (gt->nr_frames < nr) {
        unsigned int f = gt->nr_frames;
        unsigned int a = f * ENTRIES_PER_FRAME / ACTIVE_PER_PAGE;
        grant_entry_v1_t *sh;
        struct page_info *pg;

        for (; a < (f + 1) * ENTRIES_PER_FRAME / ACTIVE_PER_PAGE; a++) {
            if (gt->active[a])
                continue;
            gt->active[a] = alloc_xenheap_page();
            if (!gt->active[a])
                return -XEN_ENOMEM;
            memset(gt->active[a], 0, PAGE_SIZE);
        }
        sh = alloc_xenheap_page();
        if (!sh)
            return -XEN_ENOMEM;
        memset(sh, 0, PAGE_SIZE);
        pg = mfn_to_page(virt_to_mfn(sh));
        share_xen_page_with_guest(pg, d);
        /* The table's own reference (see the file comment). */
        if (!get_page(pg, d))
            BUG();
        gt->shared[f] = sh;
        gt->nr_frames = f + 1;
    }
    return 0;
}

int grant_table_init(struct domain *d)
{
    struct grant_table *gt = alloc_xenheap_pages(gt_order());
    int rc;

    if (!gt)
        return -XEN_ENOMEM;
    memset(gt, 0, sizeof(*gt));
    spin_lock_init(&gt->lock);
    spin_lock_init(&gt->maptrack_lock);
    gt->maptrack_free = MAPTRACK_TAIL;
    d->grant_table = gt;
    spin_lock(&gt->lock);
    rc = grow_table(d, gt, 1);
    spin_unlock(&gt->lock);
    return rc;
}

/*
 * Drops the table's references on its frames once its domain is dying and
 * nothing is pinned; the frames then go with the domain's memory.
 */
static void release_frames_if_idle(struct domain *d)
{
    struct grant_table *gt = d->grant_table;
    struct page_info *pgs[GNTTAB_MAX_FRAMES];
    unsigned int n = 0;

    if (!gt)
        return;
    spin_lock(&gt->lock);
    if (gt->dying && !gt->nr_pinned && !gt->frames_released) {
        gt->frames_released = true;
        for (; n < gt->nr_frames; n++)
            pgs[n] = mfn_to_page(virt_to_mfn(gt->shared[n]));
    }
    spin_unlock(&gt->lock);
    while (n--)
        put_page(pgs[n]);
}

void gnttab_domain_dying(struct domain *d)
{
    if (!d->grant_table)
        return;
    spin_lock(&d->grant_table->lock);
    d->grant_table->dying = true;
    spin_unlock(&d->grant_table->lock);
    release_frames_if_idle(d);
}

void grant_table_destroy(struct domain *d)
{
    struct grant_table *gt = d->grant_table;

    if (!gt)
        return;
    for (unsigned int i = 0; i < ACTIVE_FRAMES; i++)
        if (gt->active[i])
            free_xenheap_pages(gt->active[i], 0);
    for (unsigned int i = 0; i < GNTTAB_MAX_MAPTRACK_FRAMES; i++)
        if (gt->maptrack[i])
            free_xenheap_pages(gt->maptrack[i], 0);
    d->grant_table = NULL;
    free_xenheap_pages(gt, gt_order());
}

/* ------------------------------------------------------------ map-track */

/* A free handle of gt, or MAPTRACK_TAIL if it has no room left. */
static uint32_t maptrack_get(struct grant_table *gt)
{
    uint32_t h;

    spin_lock(&gt->maptrack_lock);
    if (gt->maptrack_free == MAPTRACK_TAIL) {
        unsigned int page = gt->maptrack_limit / MAPTRACK_PER_PAGE;
        struct grant_mapping *mt;

        if (page >= GNTTAB_MAX_MAPTRACK_FRAMES ||
            !(mt = alloc_xenheap_page())) {
            spin_unlock(&gt->maptrack_lock);
            return MAPTRACK_TAIL;
        }
        memset(mt, 0, PAGE_SIZE);
        for (unsigned int i = 0; i < MAPTRACK_PER_PAGE; i++)
            mt[i].ref = i + 1 < MAPTRACK_PER_PAGE
                            ? gt->maptrack_limit + i + 1
                            : MAPTRACK_TAIL;
        gt->maptrack[page] = mt;
        gt->maptrack_free = gt->maptrack_limit;
        gt->maptrack_limit += MAPTRACK_PER_PAGE;
    }
    h = gt->maptrack_free;
    gt->maptrack_free = maptrack_entry(gt, h)->ref;
    gt->nr_maps++;
    spin_unlock(&gt->maptrack_lock);
    return h;
}

static void maptrack_put(struct grant_table *gt, uint32_t h)
{
    struct grant_mapping *m = maptrack_entry(gt, h);

    spin_lock(&gt->maptrack_lock);
    m->flags = 0;
    m->ref = gt->maptrack_free;
    gt->maptrack_free = h;
    gt->nr_maps--;
    spin_unlock(&gt->maptrack_lock);
}

/* ------------------------------------------------------------- pinning */

static void pin_more(struct grant_table *gt, struct active_grant *act,
                     uint32_t inc)
{
    if (!act->pin)
        gt->nr_pinned++;
    act->pin += inc;
}

/*
 * Takes pin inc off act and clears the entry's flags that no pin needs any
 * more (gt->lock held).  Returns whether the table may now be idle.
 */
static bool pin_less(struct grant_table *gt, grant_ref_t ref, uint32_t inc,
                     bool readonly)
{
    struct active_grant *act = active_entry(gt, ref);
    uint16_t clear = 0;

    act->pin -= inc;
    if (!readonly && !(act->pin & (PIN_HSTW_MASK | PIN_DEVW_MASK)))
        clear |= GTF_writing;
    if (!act->pin) {
        clear |= GTF_reading;
        gt->nr_pinned--;
    }
    if (clear && !gt->frames_released)
        gnttab_entry_clear(shared_entry(gt, ref), clear);
    return !gt->nr_pinned;
}

/*
 * Pins (rd, ref) for ldom with inc (gt->lock held), taking a general
 * reference on the frame (*pg, NULL on error).  The first pin checks the
 * shared entry and fixes the frame; a later write pin re-checks the
 * entry's GTF_readonly.  Returns a GNTST_* status.
 */
static int pin_grant(struct domain *rd, grant_ref_t ref, domid_t ldom,
                     bool readonly, bool mapping, uint32_t inc,
                     struct page_info **pg)
{
    struct grant_table *gt = rd->grant_table;
    struct active_grant *act;
    grant_entry_v1_t *sha;
    int rc;

    *pg = NULL;
    if (ref >= nr_entries(gt))
        return GNTST_bad_gntref;
    act = active_entry(gt, ref);
    sha = shared_entry(gt, ref);
    if (act->pin && (act->domid != ldom || (act->pin & PIN_OVERFLOW)))
        return GNTST_general_error;
    if (!act->pin ||
        (!readonly && !(act->pin & (PIN_HSTW_MASK | PIN_DEVW_MASK)))) {
        rc = gnttab_entry_pin(sha, act->pin != 0, readonly, mapping, ldom);
        if (rc != GNTST_okay)
            return rc;
        if (!act->pin) {
            unsigned long frame = READ_ONCE(sha->frame);

            if (!mfn_valid(frame) || !get_page(mfn_to_page(frame), rd)) {
                gnttab_entry_clear(sha, GTF_reading | GTF_writing);
                return GNTST_bad_page;
            }
            act->domid = ldom;
            act->mfn = frame;
            *pg = mfn_to_page(frame);
        }
    }
    if (!*pg) {
        if (!get_page(mfn_to_page(act->mfn), rd)) {
            if (!readonly && !(act->pin & (PIN_HSTW_MASK | PIN_DEVW_MASK)))
                gnttab_entry_clear(sha, GTF_writing);
            return GNTST_bad_domain; /* the granter is going away */
        }
        *pg = mfn_to_page(act->mfn);
    }
    pin_more(gt, act, inc);
    return GNTST_okay;
}

/* ------------------------------------------------------ map_grant_ref */

static uint32_t map_pin_inc(unsigned int flags)
{
    uint32_t inc = 0;

    if (flags & GNTMAP_device_map)
        inc += flags & GNTMAP_readonly ? PIN_DEVR : PIN_DEVW;
    if (flags & GNTMAP_host_map)
        inc += flags & GNTMAP_readonly ? PIN_HSTR : PIN_HSTW;
    return inc;
}

/* The references a mapping with these flags holds, beyond the first. */
static int map_get_refs(struct page_info *pg, struct domain *rd,
                        unsigned int flags)
{
    bool ro = flags & GNTMAP_readonly;
    bool both = (flags & GNTMAP_host_map) && (flags & GNTMAP_device_map);

    if (both && !get_page(pg, rd))
        return GNTST_general_error;
    if (!ro && get_page_type(pg, PGT_writable)) {
        if (both)
            put_page(pg);
        return GNTST_general_error;
    }
    if (!ro && both && get_page_type(pg, PGT_writable)) {
        put_page_type(pg);
        put_page(pg);
        return GNTST_general_error;
    }
    return GNTST_okay;
}

static void map_put_refs(struct page_info *pg, unsigned int flags)
{
    unsigned int n = ((flags & GNTMAP_host_map) != 0) +
                     ((flags & GNTMAP_device_map) != 0);

    while (n--) {
        if (!(flags & GNTMAP_readonly))
            put_page_type(pg);
        put_page(pg);
    }
}

static void map_grant_ref(struct gnttab_map_grant_ref *op)
{
    struct vcpu *v = current;
    struct domain *ld = v->domain, *rd;
    struct grant_table *lgt = ld->grant_table, *rgt;
    unsigned int flags = op->flags & 0xff;
    bool ro = flags & GNTMAP_readonly, pv_host;
    struct grant_mapping *mt;
    struct page_info *pg;
    uint32_t handle, inc = map_pin_inc(flags);
    int rc;

    if (!(flags & (GNTMAP_device_map | GNTMAP_host_map))) {
        op->status = GNTST_bad_gntref;
        return;
    }
    rd = get_domain_by_id(op->dom);
    if (!rd) {
        op->status = GNTST_bad_domain;
        return;
    }
    handle = maptrack_get(lgt);
    if (handle == MAPTRACK_TAIL) {
        put_domain(rd);
        op->status = GNTST_no_device_space;
        return;
    }
    rgt = rd->grant_table;
    spin_lock(&rgt->lock);
    rc = pin_grant(rd, op->ref, ld->domain_id, ro, true, inc, &pg);
    spin_unlock(&rgt->lock);
    if (rc != GNTST_okay)
        goto fail_handle;

    rc = map_get_refs(pg, rd, flags);
    if (rc != GNTST_okay) {
        put_page(pg); /* the pin's reference */
        goto fail_pin;
    }
    /* A PV guest's host mapping is an entry in its own page tables. */
    pv_host = (flags & GNTMAP_host_map) && !is_link_vcpu(v);
    if (pv_host) {
        if (flags & GNTMAP_contains_pte)
            rc = GNTST_general_error; /* not offered; see the docs */
        else
            rc = pv_grant_map_va(v, op->host_addr, page_to_mfn(pg), flags);
        if (rc != GNTST_okay) {
            map_put_refs(pg, flags);
            goto fail_pin;
        }
    }

    mt = maptrack_entry(lgt, handle);
    mt->domid = rd->domain_id;
    mt->ref = op->ref;
    mt->host_addr = op->host_addr;
    mt->session = is_link_vcpu(v) ? v->link_window_maddr : 0;
    __atomic_store_n(&mt->flags, (uint16_t)flags, __ATOMIC_RELEASE);
    op->dev_bus_addr = (uint64_t)page_to_mfn(pg) << PAGE_SHIFT;
    op->handle = handle;
    op->status = GNTST_okay;
    put_domain(rd);
    return;

fail_pin:
    spin_lock(&rgt->lock);
    pin_less(rgt, op->ref, inc, ro);
    spin_unlock(&rgt->lock);
fail_handle:
    maptrack_put(lgt, handle);
    op->status = (int16_t)rc;
    put_domain(rd);
}

/* ---------------------------------------------------- unmap_grant_ref */

/*
 * Releases mapping handle of ld (its entry already validated and taken
 * off the list of live mappings by the caller's flags): the pins, the
 * references, and the handle.
 */
static void unmap_complete(struct domain *ld, struct domain *rd,
                           uint32_t handle, grant_ref_t ref,
                           unsigned int flags, unsigned long mfn)
{
    struct grant_table *rgt = rd->grant_table;
    struct page_info *pg = mfn_to_page(mfn);
    bool idle;

    spin_lock(&rgt->lock);
    idle = pin_less(rgt, ref, map_pin_inc(flags), flags & GNTMAP_readonly);
    spin_unlock(&rgt->lock);
    map_put_refs(pg, flags);
    maptrack_put(ld->grant_table, handle);
    if (idle && rd->state != DOMSTATE_active)
        release_frames_if_idle(rd);
}

static void unmap_grant_ref(struct gnttab_unmap_grant_ref *op)
{
    struct vcpu *v = current;
    struct domain *ld = v->domain, *rd;
    struct grant_table *lgt = ld->grant_table, *rgt;
    struct grant_mapping *mt;
    unsigned int flags;
    unsigned long mfn;
    grant_ref_t ref;
    domid_t dom;
    int rc = GNTST_okay;

    if (op->handle >= READ_ONCE(lgt->maptrack_limit)) {
        op->status = GNTST_bad_handle;
        return;
    }
    mt = maptrack_entry(lgt, op->handle);
    flags = __atomic_load_n(&mt->flags, __ATOMIC_ACQUIRE);
    if (!flags) {
        op->status = GNTST_bad_handle;
        return;
    }
    dom = mt->domid;
    rd = get_domain_any(dom);
    if (!rd) {
        /* Cannot happen while the mapping holds a reference of rd's. */
        domain_crash(ld, "grant handle %#x of a vanished domain",
                     op->handle);
        op->status = GNTST_bad_domain;
        return;
    }
    rgt = rd->grant_table;
    spin_lock(&rgt->lock);
    /* Re-read under the lock: a racing unmap of the same handle. */
    flags = mt->flags;
    ref = mt->ref;
    if (!flags || mt->domid != dom || ref >= nr_entries(rgt)) {
        rc = GNTST_bad_handle;
        goto unlock;
    }
    mfn = active_entry(rgt, ref)->mfn;
    if (op->dev_bus_addr &&
        op->dev_bus_addr != (uint64_t)mfn << PAGE_SHIFT) {
        rc = GNTST_general_error;
        goto unlock;
    }
    if (flags & GNTMAP_host_map) {
        if (is_link_vcpu(v)) {
            if (op->host_addr != mt->host_addr ||
                mt->session != v->link_window_maddr)
                rc = GNTST_general_error;
        } else if (op->host_addr) {
            rc = pv_grant_unmap_va(v, op->host_addr, mfn, flags);
        } else {
            rc = GNTST_general_error;
        }
        if (rc != GNTST_okay)
            goto unlock;
    }
    mt->flags = 0; /* no longer a live mapping */
unlock:
    spin_unlock(&rgt->lock);
    if (rc == GNTST_okay) {
        /* No CPU may use the entry once the references go. */
        if ((flags & GNTMAP_host_map) && !is_link_vcpu(v))
            flush_tlb_domain(ld);
        unmap_complete(ld, rd, op->handle, ref, flags, mfn);
    }
    put_domain(rd);
    op->status = (int16_t)rc;
}

/*
 * Releases every mapping of ld's map-track table that matches (all when
 * session is 0); ld is dying or the session is gone, so no page table
 * is touched: a dying PV domain's grant entries are dropped with its
 * tables, which never count them.
 */
static unsigned long release_maps(struct domain *ld, uint64_t session)
{
    struct grant_table *lgt = ld->grant_table;
    unsigned long n = 0;

    if (!lgt)
        return 0;
    for (uint32_t h = 0; h < READ_ONCE(lgt->maptrack_limit); h++) {
        struct grant_mapping *mt = maptrack_entry(lgt, h);
        unsigned int flags = __atomic_load_n(&mt->flags, __ATOMIC_ACQUIRE);
        struct domain *rd;
        unsigned long mfn = 0;
        grant_ref_t ref;
        bool ok = false;

        if (!flags || (session && mt->session != session))
            continue;
        rd = get_domain_any(mt->domid);
        if (!rd) {
            mt->flags = 0;
            continue;
        }
        spin_lock(&rd->grant_table->lock);
        flags = mt->flags;
        ref = mt->ref;
        if (flags && ref < nr_entries(rd->grant_table)) {
            mfn = active_entry(rd->grant_table, ref)->mfn;
            mt->flags = 0;
            ok = true;
        }
        spin_unlock(&rd->grant_table->lock);
        if (ok) {
            unmap_complete(ld, rd, h, ref, flags, mfn);
            n++;
        }
        put_domain(rd);
    }
    return n;
}

void gnttab_release_mappings(struct domain *d)
{
    /* Its vCPUs are off every CPU and flushed by the switch away. */
    release_maps(d, 0);
}

unsigned long gnttab_release_session(uint64_t session)
{
    return dom0 && session ? release_maps(dom0, session) : 0;
}

/* ----------------------------------------------------------------- copy */

struct copy_buf {
    struct domain *d;
    struct page_info *pg; /* a general reference held, or NULL */
    void *virt;
    grant_ref_t ref;
    bool have_pin, have_type;
};

static int copy_claim(const struct gnttab_copy_ptr *p, bool gref, bool ro,
                      struct copy_buf *b)
{
    struct vcpu *v = current;
    int rc;

    if (p->domid != DOMID_SELF && !gref)
        return GNTST_permission_denied; /* only DOMID_SELF by frame */
    b->d = get_domain_self_or_id(p->domid);
    if (!b->d)
        return GNTST_bad_domain;
    if (gref) {
        spin_lock(&b->d->grant_table->lock);
        rc = pin_grant(b->d, p->u.ref, v->domain->domain_id, ro, false,
                       ro ? PIN_HSTR : PIN_HSTW, &b->pg);
        spin_unlock(&b->d->grant_table->lock);
        if (rc != GNTST_okay)
            return rc;
        b->ref = p->u.ref;
        b->have_pin = true;
    } else if (is_link_vcpu(v)) {
        /* Domain 0's own frame: one of its session's argument window. */
        uint64_t ma = (uint64_t)p->u.gmfn << PAGE_SHIFT;

        if (p->u.gmfn >= (1UL << 40) || ma < v->link_window_maddr ||
            ma + PAGE_SIZE > v->link_window_maddr + v->link_window_size)
            return GNTST_bad_page;
        b->virt = maddr_to_virt(ma);
        return GNTST_okay;
    } else {
        if (!mfn_valid(p->u.gmfn) ||
            !get_page(mfn_to_page(p->u.gmfn), b->d))
            return GNTST_bad_page;
        b->pg = mfn_to_page(p->u.gmfn);
    }
    if (!ro) {
        if (get_page_type(b->pg, PGT_writable))
            return GNTST_general_error;
        b->have_type = true;
    }
    b->virt = mfn_to_virt(page_to_mfn(b->pg));
    return GNTST_okay;
}

static void copy_release(struct copy_buf *b, bool ro)
{
    bool idle = false;

    if (b->have_pin) {
        spin_lock(&b->d->grant_table->lock);
        idle = pin_less(b->d->grant_table, b->ref, ro ? PIN_HSTR : PIN_HSTW,
                        ro);
        spin_unlock(&b->d->grant_table->lock);
    }
    if (b->have_type)
        put_page_type(b->pg);
    if (b->pg)
        put_page(b->pg);
    if (b->d) {
        if (idle && b->d->state != DOMSTATE_active)
            release_frames_if_idle(b->d);
        put_domain(b->d);
    }
}

static int16_t copy_one(const struct gnttab_copy *op)
{
    struct copy_buf src = {0}, dst = {0};
    int rc;

    rc = copy_claim(&op->source, op->flags & GNTCOPY_source_gref, true, &src);
    if (rc == GNTST_okay)
        rc = copy_claim(&op->dest, op->flags & GNTCOPY_dest_gref, false,
                        &dst);
    if (rc == GNTST_okay &&
        ((unsigned int)op->source.offset + op->len > PAGE_SIZE ||
         (unsigned int)op->dest.offset + op->len > PAGE_SIZE))
        rc = GNTST_bad_copy_arg; /* no copy past a page's end */
    /* memmove: source and destination may be one page (the fuzzer's
     * find: memcpy of overlapping ranges smeared the bytes). */
    if (rc == GNTST_okay)
        memmove((uint8_t *)dst.virt + op->dest.offset,
                (const uint8_t *)src.virt + op->source.offset, op->len);
    copy_release(&dst, false);
    copy_release(&src, true);
    return (int16_t)rc;
}

/* ---------------------------------------------------- table operations */

static long setup_table(unsigned long uop, unsigned int count)
{
    struct gnttab_setup_table op;
    struct domain *d;
    struct grant_table *gt;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_struct_from_guest(&op, uop))
        return -XEN_EFAULT;
    if (!is_link_vcpu(current) &&
        !guest_range_ok((unsigned long)op.frame_list.p,
                        (unsigned long)op.nr_frames * sizeof(xen_pfn_t)))
        return -XEN_EFAULT;
    d = get_domain_self_or_id(op.dom);
    if (!d) {
        op.status = GNTST_bad_domain;
        goto out;
    }
    if (d != current->domain && !current->domain->is_privileged) {
        op.status = GNTST_permission_denied;
        goto out_put;
    }
    gt = d->grant_table;
    spin_lock(&gt->lock);
    if (op.nr_frames > GNTTAB_MAX_FRAMES ||
        (op.nr_frames > gt->nr_frames &&
         grow_table(d, gt, op.nr_frames))) {
        op.status = GNTST_general_error;
    } else {
        op.status = GNTST_okay;
        for (unsigned int i = 0; i < op.nr_frames; i++) {
            xen_pfn_t mfn = virt_to_mfn(gt->shared[i]);

            if (copy_to_guest_offset(op.frame_list, i, &mfn, 1))
                op.status = GNTST_bad_virt_addr;
        }
    }
    spin_unlock(&gt->lock);
out_put:
    put_domain(d);
out:
    if (copy_to_guest_raw(uop + __builtin_offsetof(struct gnttab_setup_table,
                                                   status),
                          &op.status, sizeof(op.status)))
        return -XEN_EFAULT;
    return 0;
}

static long query_size(unsigned long uop, unsigned int count)
{
    struct gnttab_query_size op;
    struct domain *d;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_struct_from_guest(&op, uop))
        return -XEN_EFAULT;
    d = get_domain_self_or_id(op.dom);
    if (!d) {
        op.status = GNTST_bad_domain;
    } else if (d != current->domain && !current->domain->is_privileged) {
        op.status = GNTST_permission_denied;
    } else {
        op.nr_frames = READ_ONCE(d->grant_table->nr_frames);
        op.max_nr_frames = GNTTAB_MAX_FRAMES;
        op.status = GNTST_okay;
    }
    if (d)
        put_domain(d);
    return copy_struct_to_guest(uop, &op) ? -XEN_EFAULT : 0;
}

/* Only version 1 exists here, as on a Xen with gnttab=max-ver:1. */
static long set_version(unsigned long uop)
{
    struct gnttab_set_version op;
    long rc = 0;

    if (copy_struct_from_guest(&op, uop))
        return -XEN_EFAULT;
    if (op.version != 1 && op.version != 2)
        rc = -XEN_EINVAL;
    else if (op.version == 2)
        rc = -XEN_ENOSYS;
    op.version = 1;
    if (copy_struct_to_guest(uop, &op))
        rc = -XEN_EFAULT;
    return rc;
}

static long get_version(unsigned long uop)
{
    struct gnttab_get_version op;
    struct domain *d;

    if (copy_struct_from_guest(&op, uop))
        return -XEN_EFAULT;
    d = get_domain_self_or_id(op.dom);
    if (!d)
        return -XEN_ESRCH;
    if (d != current->domain && !current->domain->is_privileged) {
        put_domain(d);
        return -XEN_EPERM;
    }
    put_domain(d);
    op.version = 1;
    return copy_struct_to_guest(uop, &op) ? -XEN_EFAULT : 0;
}

/* Version 1 has no status frames: any asked for is an error, as on Xen. */
static long get_status_frames(unsigned long uop, unsigned int count)
{
    struct gnttab_get_status_frames op;
    struct domain *d;

    if (count != 1)
        return -XEN_EINVAL;
    if (copy_struct_from_guest(&op, uop))
        return -XEN_EFAULT;
    d = get_domain_self_or_id(op.dom);
    if (!d)
        op.status = GNTST_bad_domain;
    else if (d != current->domain && !current->domain->is_privileged)
        op.status = GNTST_permission_denied;
    else
        op.status = op.nr_frames ? GNTST_general_error : GNTST_okay;
    if (d)
        put_domain(d);
    if (copy_to_guest_raw(uop + __builtin_offsetof(
                                    struct gnttab_get_status_frames, status),
                          &op.status, sizeof(op.status)))
        return -XEN_EFAULT;
    return 0;
}

/* -------------------------------------------------------- the hypercall */

/* Xen keeps continuation state above the command's low 12 bits. */
#define GNTTABOP_CMD_MASK 0xfffU

/* Xen's guest_handle_okay for an array of n items of size bytes. */
static bool array_okay(unsigned long addr, unsigned long n, size_t size)
{
    if (is_link_vcpu(current))
        return true; /* each access is checked against the window */
    return n <= (1UL << 47) / size && guest_range_ok(addr, n * size);
}

/*
 * The batched operations: each entry is copied in once, done, and its
 * result copied back; between entries a preemption check may end the
 * call, to be re-issued for the rest.  Returns -errno or the entries done
 * when preempted (count when all are).
 */
static long batch(unsigned int cmd, unsigned long uop, unsigned int count)
{
    unsigned int i;

    for (i = 0; i < count; i++) {
        if (i && hypercall_preempt_check())
            return i;
        switch (cmd) {
        case GNTTABOP_map_grant_ref: {
            struct gnttab_map_grant_ref op;
            unsigned long a = uop + i * sizeof(op);

            if (copy_from_guest_raw(&op, a, sizeof(op)))
                return -XEN_EFAULT;
            map_grant_ref(&op);
            if (copy_to_guest_raw(a, &op, sizeof(op)))
                return -XEN_EFAULT;
            break;
        }
        case GNTTABOP_unmap_grant_ref: {
            struct gnttab_unmap_grant_ref op;
            unsigned long a = uop + i * sizeof(op);

            if (copy_from_guest_raw(&op, a, sizeof(op)))
                return -XEN_EFAULT;
            unmap_grant_ref(&op);
            if (copy_to_guest_raw(a + __builtin_offsetof(
                                          struct gnttab_unmap_grant_ref,
                                          status),
                                  &op.status, sizeof(op.status)))
                return -XEN_EFAULT;
            break;
        }
        default: { /* GNTTABOP_copy */
            struct gnttab_copy op;
            unsigned long a = uop + i * sizeof(op);

            if (copy_from_guest_raw(&op, a, sizeof(op)))
                return -XEN_EFAULT;
            op.status = copy_one(&op);
            if (copy_to_guest_raw(a + __builtin_offsetof(struct gnttab_copy,
                                                         status),
                                  &op.status, sizeof(op.status)))
                return -XEN_EFAULT;
            break;
        }
        }
    }
    return i;
}

static size_t batch_size(unsigned int cmd)
{
    switch (cmd) {
    case GNTTABOP_map_grant_ref:
        return sizeof(struct gnttab_map_grant_ref);
    case GNTTABOP_unmap_grant_ref:
        return sizeof(struct gnttab_unmap_grant_ref);
    default:
        return sizeof(struct gnttab_copy);
    }
}

long do_grant_table_op(unsigned long cmd_arg, unsigned long uop,
                       unsigned long count_arg)
{
    unsigned int cmd = (unsigned int)cmd_arg, count = (unsigned int)count_arg;
    long done;

    if ((int)count < 0)
        return -XEN_EINVAL;
    if (cmd & ~GNTTABOP_CMD_MASK)
        return -XEN_EINVAL; /* only cache_flush keeps state there */
    if (!current->domain->grant_table)
        return -XEN_ENOSYS;

    switch (cmd) {
    case GNTTABOP_map_grant_ref:
    case GNTTABOP_unmap_grant_ref:
    case GNTTABOP_copy:
        if (!array_okay(uop, count, batch_size(cmd)))
            return -XEN_EFAULT;
        done = batch(cmd, uop, count);
        if (done < 0 || done == count)
            return done < 0 ? done : 0;
        return hypercall_create_continuation(
            __HYPERVISOR_grant_table_op, 3, (unsigned long)cmd,
            uop + (unsigned long)done * batch_size(cmd),
            (unsigned long)(count - done));
    case GNTTABOP_setup_table:
        return setup_table(uop, count);
    case GNTTABOP_query_size:
        return query_size(uop, count);
    case GNTTABOP_set_version:
        return set_version(uop);
    case GNTTABOP_get_version:
        return get_version(uop);
    case GNTTABOP_get_status_frames:
        return get_status_frames(uop, count);
    default:
        /* dump_table, transfer, unmap_and_replace, swap_grant_ref,
         * cache_flush: not offered. */
        return -XEN_ENOSYS;
    }
}
