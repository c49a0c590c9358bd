/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU: frame types, reference counts and page-table validation, as
 * Xen's x86 mm.c defines them for 64-bit PV guests.
 *
 * A frame's type_info holds its type (writable, L1-L4 table, segment
 * descriptor page, shared), PGT_validated, PGT_pinned and a type count.
 * The type can change only when the count is zero.  Taking the first
 * reference of a table type validates every present entry, which takes
 * references on what the entry points to:
 *
 *   L1 entry   a general reference on the frame; a writable type
 *              reference too if the entry is writable (so a table can
 *              never be writable);
 *   L2..L4     a general and a type reference on the next-level table;
 *              or, for a read-only "linear" entry, a general and a type
 *              reference on an in-use table of the same level; or, for a
 *              read-only entry pointing at its own table, nothing.
 *
 * Linear entries go one level deep, as Xen has them since XSA-240: a
 * table with linear entries is never the target of one, and a target
 * never gets linear entries of its own.  Otherwise a guest could chain
 * tables through linear entries so that dropping one reference
 * devalidates the whole chain recursively (overflowing the hypervisor's
 * stack), or make tables keep each other validated in a cycle.
 *
 * Dropping the last type reference devalidates the table, dropping those
 * references in turn.  Every present entry gets _PAGE_USER (guest kernels
 * run at CPL 3); PSE is refused above L1; L4 slots 256-271 belong to the
 * hypervisor and are filled in on validation.
 *
 * All of this runs under the owning domain's mm_lock, so a table is never
 * validated twice at once or used while half-validated.  When a frame
 * stops being writable and becomes a table, any CPU of the domain that may
 * still cache a writable translation is flushed first (the flush clock).
 * The clock also covers frames a domain frees: a guest may unmap without
 * flushing, so a freed frame is stamped and, before the heap hands it out
 * again, every CPU that has not flushed since is flushed.
 */
#include <asm/current.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/pv_mm.h>
#include <asm/processor.h>
#include <pvisor/domain_table.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/smp.h>
#include <xen/errno.h>

static unsigned int type_level(uint32_t type)
{
    return ((type - PGT_l1_table) >> PGT_type_shift) + 1;
}

static bool is_table_level_type(uint32_t type)
{
    return type >= PGT_l1_table && type <= PGT_l4_table;
}

static bool is_guest_l4_slot(unsigned int slot)
{
    return slot < HV_SLOT_FIRST || slot > HV_SLOT_LAST;
}

static int get_page_from_entry(struct domain *d, pte_t *pe, unsigned int level,
                               unsigned long self_mfn);
static void put_page_from_entry(pte_t e, unsigned int level,
                                unsigned long self_mfn);

/* ----------------------------------------------------- TLB flushing */

/* Ticks as every full TLB flush begins, anywhere; see the file comment. */
uint32_t tlbflush_clock = 1;
static uint32_t tlbflush_time[NR_CPUS];

/*
 * The clock ticks before the CR3 load, not after: this CPU may cache a
 * translation again between its load and a tick, so a mapping dropped in
 * that window (stamped with the old time) would look flushed away.
 */
void tlbflush_write_cr3(uint64_t cr3)
{
    uint32_t t = __atomic_add_fetch(&tlbflush_clock, 1, __ATOMIC_SEQ_CST);

    write_cr3(cr3);
    __atomic_store_n(&tlbflush_time[smp_processor_id()], t, __ATOMIC_RELEASE);
}

/* Whether cpu has flushed since the frame's last writable mapping went. */
static bool cpu_flushed_since(unsigned int cpu, uint32_t stamp)
{
    return (int32_t)(READ_ONCE(tlbflush_time[cpu]) - stamp) > 0;
}

/*
 * Flushes the CPUs that may hold translations older than stamp: those
 * running a vCPU of d (of any guest if d is NULL) that have not flushed
 * since.  A CPU running something else flushed when it switched (Xen's
 * dirty CPU mask, filtered by the clock).
 */
static void flush_stale(const struct domain *d, uint32_t stamp)
{
    bool mask[NR_CPUS], any = false;

    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++) {
        const struct vcpu *v = cpu_info_of(cpu)->current_vcpu;

        mask[cpu] = v && !is_idle_vcpu(v) && (!d || v->domain == d) &&
                    !cpu_flushed_since(cpu, stamp);
        any |= mask[cpu];
    }
    if (any)
        flush_tlb_mask(mask);
}

void tlbflush_stamp_freed(struct page_info *pg)
{
    uint32_t now = READ_ONCE(tlbflush_clock);

    pg->tlbflush_timestamp = now ? now : 1; /* 0: nothing to flush */
}

void tlbflush_before_reuse(struct page_info *pg, unsigned int order)
{
    uint32_t newest = 0;

    for (unsigned long i = 0; i < (1UL << order); i++) {
        uint32_t stamp = pg[i].tlbflush_timestamp;

        pg[i].tlbflush_timestamp = 0;
        if (stamp && (!newest || (int32_t)(stamp - newest) > 0))
            newest = stamp;
    }
    if (newest)
        flush_stale(NULL, newest);
}

/* ---------------------------------------------------- linear entries */

/*
 * page_info.linear_pt_count of a validated table: how many linear entries
 * it has (> 0), or how many linear entries refer to it (< 0).  Counting
 * one more on one side (dir 1: entries, -1: references) fails while the
 * other side is in use, or at the counter's limit.
 */
static bool linear_count_more(struct page_info *pg, int dir)
{
    int16_t x = __atomic_load_n(&pg->linear_pt_count, __ATOMIC_RELAXED);

    do {
        if (x * dir < 0 || x * dir == INT16_MAX)
            return false;
    } while (!__atomic_compare_exchange_n(&pg->linear_pt_count, &x,
                                          (int16_t)(x + dir), false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_RELAXED));
    return true;
}

static void linear_count_less(struct page_info *pg, int dir)
{
    __atomic_fetch_sub(&pg->linear_pt_count, (int16_t)dir, __ATOMIC_ACQ_REL);
}

/* Records a linear entry of table to target; false if not allowed. */
static bool linear_get(struct page_info *table, struct page_info *target)
{
    if (!linear_count_more(table, 1))
        return false;
    if (!linear_count_more(target, -1)) {
        linear_count_less(table, 1);
        return false;
    }
    return true;
}

static void linear_put(struct page_info *table, struct page_info *target)
{
    ASSERT(table->linear_pt_count > 0 && target->linear_pt_count < 0);
    linear_count_less(table, 1);
    linear_count_less(target, -1);
}

/* ----------------------------------------------------------- types */

/* Checks every entry of a table taking its first reference (mm_lock held). */
static int validate_table(struct page_info *pg, uint32_t type)
{
    struct domain *d = domain_by_id(pg->owner);
    pte_t *t = mfn_to_virt(page_to_mfn(pg));
    unsigned int level = type_level(type), i;
    int rc = 0;

    for (i = 0; i < PT_ENTRIES; i++) {
        if (level == 4 && !is_guest_l4_slot(i))
            continue;
        rc = get_page_from_entry(d, &t[i], level, page_to_mfn(pg));
        if (rc)
            break;
    }
    if (rc) {
        while (i-- > 0)
            if (level != 4 || is_guest_l4_slot(i))
                put_page_from_entry(t[i], level, page_to_mfn(pg));
        return rc;
    }
    if (level == 4)
        pv_init_guest_l4(d, t);
    return 0;
}

int get_page_type(struct page_info *pg, uint32_t type)
{
    uint32_t x = __atomic_load_n(&pg->type_info, __ATOMIC_ACQUIRE), nx;
    int rc = 0;

    for (;;) {
        if ((x & PGT_count_mask) == PGT_count_mask)
            return -XEN_EINVAL; /* count overflow */
        if ((x & PGT_count_mask) == 0) {
            if ((x & PGT_type_mask) != type) {
                /* Type change: a new table type starts unvalidated. */
                nx = type | 1;
                if (!is_pt_type(type))
                    nx |= PGT_validated;
            } else {
                nx = x + 1;
            }
        } else {
            if ((x & PGT_type_mask) != type)
                return -XEN_EINVAL; /* in use as another type */
            nx = x + 1;
        }
        if (__atomic_compare_exchange_n(&pg->type_info, &x, nx, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    if (nx & PGT_validated)
        return 0;

    /* A frame that was writable may still be cached writable somewhere. */
    {
        struct domain *d = domain_by_id(pg->owner);
        if (d)
            flush_stale(d, pg->tlbflush_timestamp);
    }
    if (is_table_level_type(type)) {
        pg->linear_pt_count = 0; /* no entries yet, nothing refers to it */
        rc = validate_table(pg, type);
    } else if (type == PGT_seg_desc) {
        rc = pv_validate_segdesc_page(mfn_to_virt(page_to_mfn(pg)));
    }
    if (rc) {
        __atomic_store_n(&pg->type_info, 0, __ATOMIC_RELEASE);
        return rc;
    }
    __atomic_fetch_or(&pg->type_info, PGT_validated, __ATOMIC_RELEASE);
    return 0;
}

void put_page_type(struct page_info *pg)
{
    uint32_t x = __atomic_load_n(&pg->type_info, __ATOMIC_ACQUIRE), nx;

    for (;;) {
        ASSERT((x & PGT_count_mask) != 0);
        nx = x - 1;
        if ((nx & PGT_count_mask) == 0 && is_pt_type(x & PGT_type_mask))
            nx &= ~(PGT_validated | PGT_pinned);
        if (__atomic_compare_exchange_n(&pg->type_info, &x, nx, false,
                                        __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
            break;
    }
    if ((nx & PGT_count_mask) != 0)
        return;
    if ((x & PGT_type_mask) == PGT_writable) {
        /* The last writable mapping is gone; CPUs may still cache it. */
        pg->tlbflush_timestamp = READ_ONCE(tlbflush_clock);
    } else if (is_table_level_type(x & PGT_type_mask) &&
               (x & PGT_validated)) {
        pte_t *t = mfn_to_virt(page_to_mfn(pg));
        unsigned int level = type_level(x & PGT_type_mask);

        for (unsigned int i = 0; i < PT_ENTRIES; i++)
            if (level != 4 || is_guest_l4_slot(i))
                put_page_from_entry(t[i], level, page_to_mfn(pg));
    }
}

int get_page_and_type(struct page_info *pg, struct domain *d, uint32_t type)
{
    int rc;

    if (!get_page(pg, d))
        return -XEN_EINVAL;
    rc = get_page_type(pg, type);
    if (rc)
        put_page(pg);
    return rc;
}

void put_page_and_type(struct page_info *pg)
{
    put_page_type(pg);
    put_page(pg);
}

/* ------------------------------------------------------ validation */

/* The first 1 MiB is I/O memory to Xen whatever the memory map says. */
#define LOW_IO_FRAMES 0x100

/*
 * Takes the references a present entry needs and applies Xen's
 * adjustments to it in place (the guest sees them when it reads its
 * table).  Returns Xen's error for anything not allowed: -XEN_EINVAL,
 * and for L1 entries (get_page_from_l1e) -XEN_EPERM for I/O memory a
 * domain without I/O rights may not map (frames beyond RAM or in the
 * first 1 MiB; the all-ones frame is -XEN_EINVAL) and -XEN_EBUSY for a
 * frame that is not the domain's or cannot be mapped writable.
 */
static int get_page_from_entry(struct domain *d, pte_t *pe, unsigned int level,
                               unsigned long self_mfn)
{
    pte_t e = *pe;
    unsigned long mfn = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg;
    uint32_t x;

    if (!(e & PTE_P))
        return 0;
    if (e & ~(PTE_ADDR_MASK | (level == 1 ? L1_ALLOWED_FLAGS
                                          : LX_ALLOWED_FLAGS)))
        return -XEN_EINVAL; /* PSE above L1, cache attributes, reserved */
    if (!d)
        return -XEN_EINVAL;

    if (level == 1) {
        if (!mfn_valid(mfn) || mfn < LOW_IO_FRAMES)
            return mfn == PTE_ADDR_MASK >> PAGE_SHIFT ? -XEN_EINVAL
                                                      : -XEN_EPERM;
        pg = mfn_to_page(mfn);
        if (!get_page(pg, d))
            return -XEN_EBUSY;
        if ((e & PTE_W) && get_page_type(pg, PGT_writable)) {
            put_page(pg);
            return -XEN_EBUSY;
        }
        if (!(e & PTE_U))
            e |= PTE_U | PTE_GUEST_KERNEL;
        *pe = e;
        return 0;
    }

    if (!mfn_valid(mfn))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);

    /* A table that maps itself: read-only, and holding no references. */
    if (mfn == self_mfn) {
        if (e & PTE_W)
            return -XEN_EINVAL;
        *pe = e | PTE_U | PTE_A;
        return 0;
    }
    if (!get_page(pg, d))
        return -XEN_EINVAL;
    if (get_page_type(pg, PGT_for_level(level - 1)) == 0) {
        *pe = e | PTE_U | (level == 4 ? PTE_A : 0);
        return 0;
    }
    /*
     * A linear entry: read-only, to an in-use, validated table of the
     * same level, on which it holds a type reference as Xen does; one
     * level deep only (the file comment).
     */
    x = __atomic_load_n(&pg->type_info, __ATOMIC_ACQUIRE);
    /* Only a table's linear count is ever touched. */
    if ((e & PTE_W) || (x & PGT_type_mask) != PGT_for_level(level) ||
        !(x & PGT_validated) || !linear_get(mfn_to_page(self_mfn), pg)) {
        put_page(pg);
        return -XEN_EINVAL;
    }
    do {
        if ((x & PGT_type_mask) != PGT_for_level(level) ||
            !(x & PGT_validated) || (x & PGT_count_mask) == 0 ||
            (x & PGT_count_mask) == PGT_count_mask) {
            linear_put(mfn_to_page(self_mfn), pg);
            put_page(pg);
            return -XEN_EINVAL;
        }
    } while (!__atomic_compare_exchange_n(&pg->type_info, &x, x + 1, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    *pe = e | PTE_U | PTE_A;
    return 0;
}

static void put_page_from_entry(pte_t e, unsigned int level,
                                unsigned long self_mfn)
{
    unsigned long mfn = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    struct page_info *pg;

    if (!(e & PTE_P) || !mfn_valid(mfn))
        return;
    pg = mfn_to_page(mfn);
    if (level == 1) {
        if (e & PTE_GNTTAB) {
            /*
             * A grant mapping: the grant table holds its references.
             * Dropping it any other way than GNTTABOP_unmap_grant_ref is
             * the guest's error (Xen crashes it too), unless it is dying.
             */
            struct domain *d = domain_by_id(mfn_to_page(self_mfn)->owner);

            if (d && d->state == DOMSTATE_active && !d->is_shutting_down)
                domain_crash(d, "implicit unmap of a grant mapping "
                                "(l1e %#lx)", (unsigned long)e);
            return;
        }
        if (e & PTE_W)
            put_page_type(pg);
        put_page(pg);
        return;
    }
    if (mfn == self_mfn)
        return; /* a self-reference holds nothing */
    /* A linear entry's target has the table's own level as its type. */
    if ((pg->type_info & PGT_type_mask) == PGT_for_level(level))
        linear_put(mfn_to_page(self_mfn), pg);
    put_page_and_type(pg); /* normal and linear entries hold both */
}

void pv_put_l1e(pte_t e, unsigned long self_mfn)
{
    put_page_from_entry(e, 1, self_mfn);
}

int mod_pt_entry(struct domain *d, struct page_info *table, unsigned int slot,
                 pte_t nval, bool preserve_ad)
{
    pte_t *pe = (pte_t *)mfn_to_virt(page_to_mfn(table)) + slot;
    unsigned int level = type_level(table->type_info & PGT_type_mask);
    unsigned long self = page_to_mfn(table);
    pte_t old = READ_ONCE(*pe), adjusted = nval;
    int rc;

    if (level == 4 && !is_guest_l4_slot(slot))
        return -XEN_EINVAL; /* the hypervisor's slots */
    if (preserve_ad)
        adjusted |= old & (PTE_A | PTE_D);
    rc = get_page_from_entry(d, &adjusted, level, self);
    if (rc)
        return rc;
    old = __atomic_exchange_n(pe, adjusted, __ATOMIC_ACQ_REL);
    put_page_from_entry(old, level, self);
    return 0;
}

/* ----------------------------------------------- pins and base ptrs */

int pv_pin_table(struct domain *d, unsigned long mfn, unsigned int level)
{
    struct page_info *pg;
    int rc;

    if (!mfn_valid(mfn) || level < 1 || level > 4)
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    rc = get_page_and_type(pg, d, PGT_for_level(level));
    if (rc)
        return rc;
    if (__atomic_fetch_or(&pg->type_info, PGT_pinned, __ATOMIC_ACQ_REL) &
        PGT_pinned) {
        put_page_and_type(pg);
        return -XEN_EINVAL; /* already pinned */
    }
    return 0;
}

int pv_unpin_table(struct domain *d, unsigned long mfn)
{
    struct page_info *pg;

    if (!mfn_valid(mfn))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);
    if (pg->owner != d->domain_id || pg->state != PGS_inuse ||
        !(pg->type_info & PGT_pinned))
        return -XEN_EINVAL;
    __atomic_fetch_and(&pg->type_info, ~PGT_pinned, __ATOMIC_ACQ_REL);
    put_page_and_type(pg);
    return 0;
}

/*
 * Make @mfn the vCPU's kernel (or user) L4.  A kernel table is required:
 * only the user table may be cleared with 0 (as MMUEXT_NEW_USER_BASEPTR
 * allows), because a vCPU always runs on its kernel table in kernel mode.
 */
int pv_set_guest_table(struct vcpu *v, unsigned long mfn, bool user)
{
    struct domain *d = v->domain;
    unsigned long old = user ? v->arch.guest_table_user : v->arch.guest_table;
    int rc;

    if (!mfn && !user)
        return -XEN_EINVAL;
    if (mfn) {
        if (!mfn_valid(mfn))
            return -XEN_EINVAL;
        rc = get_page_and_type(mfn_to_page(mfn), d, PGT_l4_table);
        if (rc)
            return rc;
    }
    if (user)
        v->arch.guest_table_user = mfn;
    else
        v->arch.guest_table = mfn;
    /* Switch the running vCPU now if this is the table it is using. */
    if (v == current && user != v->arch.kernel_mode && mfn)
        tlbflush_write_cr3(mfn << PAGE_SHIFT);
    if (old)
        put_page_and_type(mfn_to_page(old));
    return 0;
}

/* Teardown: let go of both L4s (the vCPU never runs again). */
void pv_drop_guest_tables(struct vcpu *v)
{
    unsigned long k = v->arch.guest_table, u = v->arch.guest_table_user;

    v->arch.guest_table = v->arch.guest_table_user = 0;
    if (u)
        put_page_and_type(mfn_to_page(u));
    if (k)
        put_page_and_type(mfn_to_page(k));
}

void pv_init_guest_l4(struct domain *d, pte_t *l4)
{
    mm_copy_hv_slots(l4);
    l4[l4_index(PERDOMAIN_VIRT_START)] =
        virt_to_maddr(d->arch.perdomain_l3) | PTE_TABLE;
}

/* ---------------------------------------------------------- teardown */

/*
 * Releases d's page-table state when it dies (its vCPUs' base pointers are
 * already dropped): every pin, then every table still validated -- tables
 * can keep each other typed through linear entries, so they are
 * devalidated by force, each exactly once -- and then the allocation
 * reference of every frame, which frees each frame nothing else holds.
 * Frames dom0 still maps stay until it unmaps them.
 */
void pv_mm_relinquish(struct domain *d)
{
    struct page_info *pg, *next;

    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg))
        if (__atomic_fetch_and(&pg->type_info, ~PGT_pinned,
                               __ATOMIC_ACQ_REL) & PGT_pinned)
            put_page_and_type(pg);

    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg)) {
        uint32_t x = __atomic_fetch_and(&pg->type_info, ~PGT_validated,
                                        __ATOMIC_ACQ_REL);
        unsigned int level;
        pte_t *t;

        if (!is_table_level_type(x & PGT_type_mask) || !(x & PGT_validated))
            continue;
        level = type_level(x & PGT_type_mask);
        t = mfn_to_virt(page_to_mfn(pg));
        for (unsigned int i = 0; i < PT_ENTRIES; i++)
            if (level != 4 || is_guest_l4_slot(i))
                put_page_from_entry(t[i], level, page_to_mfn(pg));
    }

    /* Releasing one frame's allocation frees at most that frame. */
    for (pg = page_list_first(&d->page_list); pg; pg = next) {
        next = page_list_next(pg);
        page_release_allocation(pg);
    }
}

/* ------------------------------------------------ writable page tables */

/*
 * The store of the writable-page-table emulation (ro_page_fault.c):
 * validates nval as an entry of the L1 table l1 exactly as mmu_update
 * would, then installs it in slot only if the slot still holds expect (the
 * processor sets A and D bits in live entries without any lock).  Returns
 * 0, the validation error (nothing changed) or -XEN_EAGAIN (the entry
 * changed; nothing changed).  mm_lock held.
 */
int pv_l1e_cmpxchg(struct domain *d, struct page_info *l1, unsigned int slot,
                   pte_t expect, pte_t nval)
{
    unsigned long self = page_to_mfn(l1);
    pte_t *pe = (pte_t *)mfn_to_virt(self) + slot;
    int rc = get_page_from_entry(d, &nval, 1, self);

    if (rc)
        return rc;
    if (!__atomic_compare_exchange_n(pe, &expect, nval, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        put_page_from_entry(nval, 1, self);
        return -XEN_EAGAIN;
    }
    put_page_from_entry(expect, 1, self);
    return 0;
}
