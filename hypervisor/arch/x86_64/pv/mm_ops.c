/* SPDX-License-Identifier: MIT */
/*
 * The page-table hypercalls: mmu_update, mmuext_op, update_va_mapping
 * (public/xen.h), and TLB flushing across CPUs.
 *
 * Batches are processed entry by entry; each entry is copied in once,
 * checked and applied.  When an entry fails, the entries before it stay
 * applied, the number done is written to *pdone (when given) and the
 * failing entry's error is returned, as Xen does.
 *
 * The "foreigndom" argument lets the privileged control domain work on
 * another domain's tables (the domain builder pins a new domain's L4):
 * its low 16 bits name the owner of the data frames L1 entries may map,
 * the high 16 bits plus one the owner of the tables.  L2-L4 entries refer
 * to tables of the tables' owner only, so the two must then be the same,
 * as in Xen.  Anyone else may only name itself.
 */
#include <asm/apic.h>
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/m2p.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/traps.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/smp.h>
#include <xen/errno.h>
#include <xen/grant_table.h>

/* --------------------------------------------------------- mm_lock */

void mm_lock(struct domain *d)
{
    int me = (int)smp_processor_id();

    if (READ_ONCE(d->arch.mm_lock_owner) == me + 1) {
        d->arch.mm_lock_depth++;
        return;
    }
    spin_lock(&d->arch.mm_lock);
    d->arch.mm_lock_owner = me + 1;
    d->arch.mm_lock_depth = 1;
}

void mm_unlock(struct domain *d)
{
    if (--d->arch.mm_lock_depth)
        return;
    d->arch.mm_lock_owner = 0;
    spin_unlock(&d->arch.mm_lock);
}

/* ------------------------------------------------------ TLB flushes */

static volatile unsigned long flush_va[NR_CPUS];
static volatile bool flush_pending[NR_CPUS];
#define FLUSH_ALL (~0UL)
#define FLUSH_NONE (1UL << 63) /* non-canonical: never a guest address */

static void flush_local(unsigned long va)
{
    if (va == FLUSH_ALL) {
        tlbflush_write_cr3(read_cr3());
    } else {
        invlpg((void *)va);
    }
}

static void flush_ipi(struct cpu_user_regs *regs)
{
    unsigned int cpu = smp_processor_id();

    (void)regs;
    if (flush_pending[cpu]) {
        flush_local(flush_va[cpu]);
        __atomic_store_n(&flush_pending[cpu], false, __ATOMIC_RELEASE);
    }
}

void pv_flush_init(void)
{
    set_irq_handler(FLUSH_VECTOR, flush_ipi);
}

/* Flushes va (or everything) on each CPU in mask and waits for them. */
static void flush_cpus(const bool *mask, unsigned long va)
{
    unsigned int me = smp_processor_id();
    static DEFINE_SPINLOCK(flush_lock); /* one cross-CPU flush at a time */
    unsigned long flags;

    if (mask[me])
        flush_local(va);
    if (nr_cpus_online == 1)
        return;
    flags = local_irq_save();
    while (!spin_trylock(&flush_lock)) {
        /* Another CPU is flushing, maybe us: serve its request. */
        flush_ipi(NULL);
        cpu_relax();
    }
    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++)
        if (cpu != me && mask[cpu]) {
            flush_va[cpu] = va;
            __atomic_store_n(&flush_pending[cpu], true, __ATOMIC_RELEASE);
            lapic_send_ipi(cpu_info_of(cpu)->apic_id, FLUSH_VECTOR);
        }
    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++)
        while (cpu != me && mask[cpu] &&
               __atomic_load_n(&flush_pending[cpu], __ATOMIC_ACQUIRE))
            cpu_relax();
    spin_unlock(&flush_lock);
    local_irq_restore(flags);
}

/* The CPUs currently running one of d's vCPUs (in vcpus, if given). */
static void domain_cpu_mask(struct domain *d, const unsigned long *vcpus,
                            bool *mask)
{
    for (unsigned int cpu = 0; cpu < nr_cpus_online; cpu++) {
        struct vcpu *v = cpu_info_of(cpu)->current_vcpu;

        mask[cpu] = v && v->domain == d &&
                    (!vcpus || (v->vcpu_id < 64 &&
                                (vcpus[0] & (1UL << v->vcpu_id))));
    }
}

void flush_tlb_mask(const bool *mask)
{
    flush_cpus(mask, FLUSH_ALL);
}

void flush_tlb_domain(struct domain *d)
{
    bool mask[NR_CPUS];

    domain_cpu_mask(d, NULL, mask);
    flush_cpus(mask, FLUSH_ALL);
}

void flush_tlb_domain_va(struct domain *d, unsigned long va)
{
    bool mask[NR_CPUS];

    domain_cpu_mask(d, NULL, mask);
    flush_cpus(mask, va);
}

/* va: FLUSH_ALL, one address, or FLUSH_NONE (only read the mask). */
static int flush_vcpumask(struct domain *d, unsigned long guest_mask,
                          unsigned long va)
{
    unsigned long vcpus = 0;
    bool mask[NR_CPUS];

    if (copy_struct_from_guest(&vcpus, guest_mask))
        return -XEN_EFAULT;
    if (va == FLUSH_NONE)
        return 0;
    domain_cpu_mask(d, &vcpus, mask);
    flush_cpus(mask, va);
    return 0;
}

/* ------------------------------------------------ domain arguments */

/*
 * The domain owning the frames an operation touches, as Xen's get_pg_owner
 * and the XSM check after it: DOMID_SELF is the caller; a domain that
 * does not exist, or the caller naming itself by number, is -ESRCH; any
 * other domain is -EPERM but to the privileged control domain.
 */
static struct domain *get_pg_owner(domid_t id, long *rc)
{
    struct domain *curr = current->domain, *d;

    if (id == DOMID_SELF) {
        get_domain(curr);
        return curr;
    }
    if (id == curr->domain_id || !(d = get_domain_by_id(id))) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    if (!curr->is_privileged) {
        put_domain(d);
        *rc = -XEN_EPERM;
        return NULL;
    }
    return d;
}

static bool guest_va_ok(unsigned long va)
{
    /* Canonical and outside the hypervisor's slots. */
    return ((long)va >> 47 == 0 || (long)va >> 47 == -1) &&
           (va < HYPERVISOR_VIRT_START || va >= HYPERVISOR_VIRT_END);
}

/* ------------------------------------------------------- mmu_update */

static long mmu_update_one(struct domain *pt_owner, struct domain *pg_owner,
                           const struct mmu_update *req)
{
    unsigned int cmd = req->ptr & 7; /* 4-7 are no command */
    unsigned long mfn = req->ptr >> PAGE_SHIFT;
    struct page_info *pg;
    long rc;

    if (!mfn_valid(mfn))
        return -XEN_EINVAL;
    pg = mfn_to_page(mfn);

    switch (cmd) {
    case MMU_NORMAL_PT_UPDATE:
    case MMU_PT_UPDATE_PRESERVE_AD:
    case MMU_PT_UPDATE_NO_TRANSLATE: /* no translation for PV anyway */ {
        unsigned int slot = (req->ptr & ~PAGE_MASK) / sizeof(pte_t);
        uint32_t type;

        if (!get_page(pg, pt_owner))
            return -XEN_EINVAL;
        type = pg->type_info & PGT_type_mask;
        if ((type >= PGT_l1_table && type <= PGT_l4_table) &&
            (pg->type_info & PGT_count_mask) &&
            (pg->type_info & PGT_validated)) {
            /* Only L1 entries map another domain's frames. */
            if (type != PGT_l1_table && pg_owner != pt_owner)
                rc = -XEN_EINVAL;
            else
                rc = mod_pt_entry(pg_owner, pg, slot, req->val,
                                  cmd == MMU_PT_UPDATE_PRESERVE_AD);
        } else if (get_page_type(pg, PGT_writable) == 0) {
            /* An ordinary frame: a plain checked write. */
            ((pte_t *)mfn_to_virt(mfn))[slot] = req->val;
            put_page_type(pg);
            rc = 0;
        } else {
            rc = -XEN_EINVAL; /* a descriptor page, or a table in flux */
        }
        put_page(pg);
        return rc;
    }
    case MMU_MACHPHYS_UPDATE:
        if (pt_owner != current->domain)
            return -XEN_EPERM; /* the M2P is the caller's own business */
        if (!get_page(pg, pg_owner))
            return -XEN_EINVAL;
        set_gpfn_from_mfn(mfn, req->val);
        put_page(pg);
        return 0;
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * A preempted mmu_update or mmuext_op continues with this bit set in its
 * count; the count done so far is then read back from *pdone so that the
 * caller finally sees the total (Xen's MMU_UPDATE_PREEMPTED).
 */
#define MMU_UPDATE_PREEMPTED 0x80000000U

static unsigned int preempted_done(unsigned int *count, unsigned long pdone)
{
    unsigned int done = 0;

    if (*count & MMU_UPDATE_PREEMPTED) {
        *count &= ~MMU_UPDATE_PREEMPTED;
        if (pdone)
            copy_from_guest_raw(&done, pdone, sizeof(done));
    }
    return done;
}

long do_mmu_update(unsigned long ureqs, unsigned long count_arg,
                   unsigned long pdone, unsigned long foreigndom)
{
    struct domain *pg_owner, *pt_owner;
    unsigned int count = (unsigned int)count_arg, done, i;
    long rc = 0;
    domid_t pt_id = (domid_t)((foreigndom >> 16) - 1);

    done = preempted_done(&count, pdone);
    /* Xen's guest_handle_okay: where the list starts, before anything. */
    if (!guest_va_ok(ureqs))
        return -XEN_EFAULT;
    /* The tables' owner first: any existing domain, itself included. */
    if (foreigndom >> 16) {
        pt_owner = get_domain_by_id(pt_id);
        if (!pt_owner)
            return -XEN_ESRCH;
    } else {
        pt_owner = current->domain;
        get_domain(pt_owner);
    }
    pg_owner = get_pg_owner((domid_t)foreigndom, &rc);
    if (!pg_owner || (pt_owner != current->domain &&
                      !current->domain->is_privileged)) {
        if (pg_owner)
            put_domain(pg_owner);
        put_domain(pt_owner);
        return pg_owner ? -XEN_EPERM : rc;
    }

    mm_lock(pt_owner);
    for (i = 0; i < count; i++) {
        struct mmu_update req;

        if (i && hypercall_preempt_check()) {
            rc = -HC_ERESTART;
            break;
        }
        if (copy_from_guest_raw(&req, ureqs + i * sizeof(req), sizeof(req))) {
            rc = -XEN_EFAULT;
            break;
        }
        rc = mmu_update_one(pt_owner, pg_owner, &req);
        if (rc)
            break;
    }
    mm_unlock(pt_owner);
    put_domain(pt_owner);
    put_domain(pg_owner);
    if (rc == -HC_ERESTART)
        rc = hypercall_create_continuation(
            __HYPERVISOR_mmu_update, 4, ureqs + i * sizeof(struct mmu_update),
            (unsigned long)((count - i) | MMU_UPDATE_PREEMPTED), pdone,
            foreigndom);
    /* As Xen, a *pdone that cannot be written does not change the result. */
    done += i;
    if (pdone)
        (void)copy_to_guest_raw(pdone, &done, sizeof(done));
    return rc;
}

/* ------------------------------------------------------- mmuext_op */

static long set_base_ptr(struct domain *d, unsigned long mfn, bool user)
{
    struct vcpu *v = current;

    if (d != v->domain)
        return -XEN_EPERM;
    return pv_set_guest_table(v, mfn, user);
}

static long copy_or_clear(struct domain *d, unsigned long dst,
                          unsigned long src, bool copy)
{
    struct page_info *dpg, *spg = NULL;
    long rc = -XEN_EINVAL;

    if (!mfn_valid(dst) || (copy && !mfn_valid(src)))
        return -XEN_EINVAL;
    dpg = mfn_to_page(dst);
    if (get_page_and_type(dpg, d, PGT_writable))
        return -XEN_EINVAL;
    if (copy) {
        spg = mfn_to_page(src);
        if (!get_page(spg, d))
            goto out;
        memcpy(mfn_to_virt(dst), mfn_to_virt(src), PAGE_SIZE);
        put_page(spg);
    } else {
        memset(mfn_to_virt(dst), 0, PAGE_SIZE);
    }
    rc = 0;
out:
    put_page_and_type(dpg);
    return rc;
}

static long mmuext_one(struct domain *d, const struct mmuext_op *op)
{
    /* For another domain (dom0 only): pins, unpins and page copies. */
    if (d != current->domain) {
        switch (op->cmd) {
        case MMUEXT_NEW_BASEPTR ... MMUEXT_SET_LDT:
        case MMUEXT_NEW_USER_BASEPTR:
        case MMUEXT_FLUSH_CACHE_GLOBAL:
            return -XEN_EPERM;
        }
    }

    switch (op->cmd) {
    case MMUEXT_PIN_L1_TABLE:
    case MMUEXT_PIN_L2_TABLE:
    case MMUEXT_PIN_L3_TABLE:
    case MMUEXT_PIN_L4_TABLE:
        return pv_pin_table(d, op->arg1.mfn,
                            op->cmd - MMUEXT_PIN_L1_TABLE + 1);
    case MMUEXT_UNPIN_TABLE:
        return pv_unpin_table(d, op->arg1.mfn);
    case MMUEXT_NEW_BASEPTR:
        return set_base_ptr(d, op->arg1.mfn, false);
    case MMUEXT_NEW_USER_BASEPTR:
        return set_base_ptr(d, op->arg1.mfn, true);
    case MMUEXT_TLB_FLUSH_LOCAL:
        flush_local(FLUSH_ALL);
        return 0;
    case MMUEXT_INVLPG_LOCAL:
        if (guest_va_ok(op->arg1.linear_addr))
            invlpg((void *)op->arg1.linear_addr);
        return 0;
    case MMUEXT_TLB_FLUSH_MULTI:
    case MMUEXT_INVLPG_MULTI: {
        unsigned long va = op->cmd == MMUEXT_TLB_FLUSH_MULTI
                               ? FLUSH_ALL
                               : op->arg1.linear_addr;

        /*
         * The mask is read first, and unreadable it is -EINVAL here
         * (vcpumask_to_pcpumask); an invalid address is then not flushed.
         */
        if (va != FLUSH_ALL && !guest_va_ok(va))
            va = FLUSH_NONE;
        if (flush_vcpumask(d, (unsigned long)op->arg2.vcpumask.p, va))
            return -XEN_EINVAL;
        return 0;
    }
    case MMUEXT_TLB_FLUSH_ALL:
        flush_tlb_domain(d);
        return 0;
    case MMUEXT_INVLPG_ALL:
        if (guest_va_ok(op->arg1.linear_addr))
            flush_tlb_domain_va(d, op->arg1.linear_addr);
        return 0;
    case MMUEXT_FLUSH_CACHE:
    case MMUEXT_FLUSH_CACHE_GLOBAL:
        /* Xen answers the two refusals differently. */
        if (!current->domain->is_privileged)
            return op->cmd == MMUEXT_FLUSH_CACHE ? -XEN_EACCES : -XEN_EINVAL;
        wbinvd();
        return 0;
    case MMUEXT_SET_LDT:
        return pv_set_ldt(current, op->arg1.linear_addr, op->arg2.nr_ents);
    case MMUEXT_CLEAR_PAGE:
        return copy_or_clear(d, op->arg1.mfn, 0, false);
    case MMUEXT_COPY_PAGE:
        return copy_or_clear(d, op->arg1.mfn, op->arg2.src_mfn, true);
    case MMUEXT_MARK_SUPER:
    case MMUEXT_UNMARK_SUPER:
        return -XEN_EOPNOTSUPP; /* no superpages, as on Xen since 4.12 */
    default:
        return -XEN_ENOSYS;
    }
}

long do_mmuext_op(unsigned long uops, unsigned long count_arg,
                  unsigned long pdone, unsigned long foreigndom)
{
    struct domain *d;
    unsigned int count = (unsigned int)count_arg, done, i;
    long rc = 0;

    done = preempted_done(&count, pdone);
    if (!guest_va_ok(uops))
        return -XEN_EFAULT; /* guest_handle_okay, as in do_mmu_update */
    d = get_pg_owner((domid_t)foreigndom, &rc);
    if (!d)
        return rc;
    mm_lock(d);
    for (i = 0; i < count; i++) {
        struct mmuext_op op;

        if (i && hypercall_preempt_check()) {
            rc = -HC_ERESTART;
            break;
        }
        if (copy_from_guest_raw(&op, uops + i * sizeof(op), sizeof(op))) {
            rc = -XEN_EFAULT;
            break;
        }
        rc = mmuext_one(d, &op);
        if (rc)
            break;
    }
    mm_unlock(d);
    put_domain(d);
    if (rc == -HC_ERESTART)
        rc = hypercall_create_continuation(
            __HYPERVISOR_mmuext_op, 4, uops + i * sizeof(struct mmuext_op),
            (unsigned long)((count - i) | MMU_UPDATE_PREEMPTED), pdone,
            foreigndom);
    done += i;
    if (pdone)
        (void)copy_to_guest_raw(pdone, &done, sizeof(done));
    return rc;
}

/* ----------------------------------------------- update_va_mapping */

/* The L1 table mapping va in v's kernel page tables, or NULL. */
static struct page_info *guest_l1_for(struct vcpu *v, unsigned long va);

pte_t pv_guest_kernel_l1e(struct vcpu *v, unsigned long va)
{
    struct page_info *l1 = guest_l1_for(v, va);

    if (!l1)
        return 0;
    return READ_ONCE(((pte_t *)mfn_to_virt(page_to_mfn(l1)))[l1_index(va)]);
}

unsigned long pv_guest_va_to_mfn(struct vcpu *v, unsigned long va)
{
    pte_t e = pv_guest_kernel_l1e(v, va);

    if (!(e & PTE_P))
        return 0;
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static struct page_info *guest_l1_for(struct vcpu *v, unsigned long va)
{
    unsigned long mfn = v->arch.guest_table;
    static const unsigned int shift[] = {0, L1_SHIFT, L2_SHIFT, L3_SHIFT,
                                         L4_SHIFT};

    for (unsigned int level = 4; level > 1; level--) {
        pte_t e;

        if (!mfn_valid(mfn))
            return NULL;
        e = ((pte_t *)mfn_to_virt(mfn))[(va >> shift[level]) & 511];
        if (!(e & PTE_P) || (e & PTE_PSE))
            return NULL;
        mfn = (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    }
    if (!mfn_valid(mfn))
        return NULL;
    return mfn_to_page(mfn);
}

static long update_va_mapping(unsigned long va, pte_t val,
                              unsigned long flags, struct domain *pg_owner)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;
    struct page_info *l1;
    long rc;

    if (!guest_va_ok(va))
        return -XEN_EINVAL;
    mm_lock(d);
    l1 = guest_l1_for(v, va);
    if (!l1 || !get_page(l1, d)) {
        mm_unlock(d);
        return -XEN_EINVAL;
    }
    if ((l1->type_info & (PGT_type_mask | PGT_validated)) !=
            (PGT_l1_table | PGT_validated) ||
        !(l1->type_info & PGT_count_mask))
        rc = -XEN_EINVAL;
    else
        rc = mod_pt_entry(pg_owner, l1, l1_index(va), val, false);
    put_page(l1);
    mm_unlock(d);
    if (rc)
        return rc;

    switch (flags & UVMF_FLUSHTYPE_MASK) {
    case UVMF_TLB_FLUSH:
        if ((flags & ~UVMF_FLUSHTYPE_MASK) == UVMF_LOCAL)
            flush_local(FLUSH_ALL);
        else if ((flags & ~UVMF_FLUSHTYPE_MASK) == UVMF_ALL)
            flush_tlb_domain(d);
        else
            rc = flush_vcpumask(d, flags & ~UVMF_FLUSHTYPE_MASK, FLUSH_ALL);
        break;
    case UVMF_INVLPG:
        if ((flags & ~UVMF_FLUSHTYPE_MASK) == UVMF_LOCAL)
            invlpg((void *)va);
        else if ((flags & ~UVMF_FLUSHTYPE_MASK) == UVMF_ALL)
            flush_tlb_domain_va(d, va);
        else
            rc = flush_vcpumask(d, flags & ~UVMF_FLUSHTYPE_MASK, va);
        break;
    default:
        break;
    }
    return rc;
}

long do_update_va_mapping(unsigned long va, unsigned long val,
                          unsigned long flags)
{
    return update_va_mapping(va, val, flags, current->domain);
}

long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags,
                                      unsigned long domid)
{
    struct domain *pg_owner;
    long rc = 0;

    pg_owner = get_pg_owner((domid_t)domid, &rc);
    if (!pg_owner)
        return rc;
    rc = update_va_mapping(va, val, flags, pg_owner);
    put_domain(pg_owner);
    return rc;
}

/* ------------------------------------------------- grant mappings */

/* The validated L1 table of v's domain mapping va, referenced; mm_lock. */
static struct page_info *grant_l1(struct vcpu *v, unsigned long va)
{
    struct domain *d = v->domain;
    struct page_info *l1;

    if (!guest_va_ok(va))
        return NULL;
    l1 = guest_l1_for(v, va);
    if (!l1 || !get_page(l1, d))
        return NULL;
    if ((l1->type_info & (PGT_type_mask | PGT_validated)) !=
            (PGT_l1_table | PGT_validated) ||
        !(l1->type_info & PGT_count_mask)) {
        put_page(l1);
        return NULL;
    }
    return l1;
}

int pv_grant_map_va(struct vcpu *v, unsigned long va, unsigned long mfn,
                    unsigned int flags)
{
    struct domain *d = v->domain;
    struct page_info *l1;
    pte_t nval, old;

    /* As Xen's GRANT_PTE_FLAGS; kernel-only unless GNTMAP_application_map. */
    nval = ((pte_t)mfn << PAGE_SHIFT) | PTE_P | PTE_A | PTE_D | PTE_U |
           PTE_NX | PTE_GNTTAB;
    if (!(flags & GNTMAP_readonly))
        nval |= PTE_W;
    if (!(flags & GNTMAP_application_map))
        nval |= PTE_GUEST_KERNEL;
    mm_lock(d);
    l1 = grant_l1(v, va);
    if (!l1) {
        mm_unlock(d);
        return GNTST_general_error; /* no L1 table maps host_addr */
    }
    old = __atomic_exchange_n((pte_t *)mfn_to_virt(page_to_mfn(l1)) +
                                  l1_index(va),
                              nval, __ATOMIC_ACQ_REL);
    pv_put_l1e(old, page_to_mfn(l1));
    put_page(l1);
    mm_unlock(d);
    /* The old translation may be cached: the guest flushes what it maps
     * over, but a stale entry must never outlive its references. */
    if (old & PTE_P)
        flush_tlb_domain_va(d, va);
    return GNTST_okay;
}

int pv_grant_unmap_va(struct vcpu *v, unsigned long va, unsigned long mfn,
                      unsigned int flags)
{
    pte_t want_w = flags & GNTMAP_readonly ? 0 : PTE_W;
    struct domain *d = v->domain;
    struct page_info *l1;
    pte_t *pe, old;
    int rc = GNTST_general_error;

    mm_lock(d);
    l1 = grant_l1(v, va);
    if (!l1) {
        mm_unlock(d);
        return rc;
    }
    pe = (pte_t *)mfn_to_virt(page_to_mfn(l1)) + l1_index(va);
    old = READ_ONCE(*pe);
    /*
     * It must be a grant mapping of this very frame (A/D may change), and
     * as writable as the mapping unmapped: a writable mapping's writable
     * reference must not go while another entry, read-only, goes in its
     * place and the writable entry stays.  (Xen checks only the frame.)
     */
    if ((old & PTE_P) && (old & PTE_GNTTAB) &&
        ((old & PTE_ADDR_MASK) >> PAGE_SHIFT) == mfn &&
        (old & PTE_W) == want_w &&
        __atomic_compare_exchange_n(pe, &old, 0, false, __ATOMIC_ACQ_REL,
                                    __ATOMIC_ACQUIRE))
        rc = GNTST_okay;
    put_page(l1);
    mm_unlock(d);
    return rc;
}
