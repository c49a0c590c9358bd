/* SPDX-License-Identifier: MIT */
/*
 * Writable page tables ("ptwr", Xen's pv/ro-page-fault.c): a PV kernel
 * writes its own L1 entries through its read-only mapping of the table,
 * and the hypervisor carries the write out as mmu_update would.
 *
 * The write faults (#PF, present and write, from guest kernel mode, with
 * VMASST_TYPE_writable_pagetables enabled).  The fault is ours if the L1
 * entry mapping the faulting address (in the vCPU's kernel page tables)
 * is present and read-only and maps a frame of this domain that is an
 * in-use, validated L1 table; anything else is bounced as before, so
 * writes to L2-L4 tables or to ordinary read-only pages reach the guest
 * as #PF, as on Xen.  Then, under the domain's mm_lock (which orders the
 * write with mmu_update and the other page-table changes), holding a
 * general and a type reference on the table:
 *
 *  1. the instruction bytes are read once from the guest's rip and
 *     decoded (ptwr_insn.c lists the forms); a form not in the list
 *     crashes the domain with a message naming the bytes;
 *  2. its memory operand must lie in the faulting page and be naturally
 *     aligned (so it lies within one entry), as Xen requires; otherwise
 *     the guest gets its #PF;
 *  3. the instruction is applied to the current 8-byte entry (sub-word
 *     stores merged in, cmpxchg compared against it) on a copy of the
 *     registers, and the new entry is validated and installed with a
 *     compare-exchange against the value it was computed from
 *     (pv_l1e_cmpxchg, mm.c).  If the processor set an A or D bit in
 *     between, it is recomputed, a few times, and then the instruction is
 *     simply restarted;
 *  4. if the new entry is refused (a frame the domain does not own, a
 *     writable mapping of a page table...), nothing changes and the guest
 *     gets its #PF, as on Xen; otherwise the registers and flags are
 *     committed and rip moves past the instruction.  A cmpxchg whose
 *     comparison fails stores nothing and loads the accumulator.
 *
 * Each write emulated is counted in the vCPU's stats (pvctl top); each
 * write to an L1 table handled here, emulated or not, is, with the ptwr
 * trace class on, recorded
 * as PVTRACE_EV_PTWR: address, old and new entry, result, rip and the
 * first instruction bytes (public/pvisor/trace.h says what each holds).
 *
 * As on Xen, the write flushes no TLB (the guest flushes what it changed,
 * by hypercall), and vcpu_info's cr2 changes only when a #PF is bounced.
 * Not done: 32-bit code segments (the fault is bounced), and single-step
 * traps after an emulated instruction.
 */
#include <asm/current.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <asm/ptwr_insn.h>
#include <asm/pv_emul.h>
#include <asm/pv_mm.h>
#include <asm/traps.h>
#include <asm/uaccess.h>
#include <pvisor/guest_access.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/sched.h>
#include <pvisor/trace.h>
#include <xen/errno.h>

/* Recomputations before the guest re-executes the instruction instead. */
#define PTWR_TRIES 4

enum ptwr_outcome {
    PTWR_BOUNCE,  /* not ours, or refused: the guest gets its #PF */
    PTWR_DONE,    /* emulated: rip is past the instruction */
    PTWR_RESTART, /* the entry kept changing: re-execute it */
    PTWR_CRASH,   /* an instruction form we do not emulate */
};

/*
 * Reads up to PTWR_INSN_MAX bytes at rip, as far as they are readable: up
 * to the end of rip's page first, so that a short instruction at the end
 * of a page before an unmapped one is still read whole.
 */
static unsigned int fetch_insn(unsigned long rip, uint8_t *buf)
{
    unsigned int first =
        MIN(PTWR_INSN_MAX, PAGE_SIZE - (unsigned int)(rip & ~PAGE_MASK));
    unsigned long left = raw_copy_from_guest(buf, (const void *)rip, first);

    if (left)
        return first - (unsigned int)left;
    left = raw_copy_from_guest(buf + first, (const void *)(rip + first),
                               PTWR_INSN_MAX - first);
    return PTWR_INSN_MAX - (unsigned int)left;
}

/*
 * Takes a type reference on pg if it is an in-use, validated L1 table, so
 * that it stays one while the write is emulated.
 */
static bool get_l1_table_ref(struct page_info *pg)
{
    uint32_t x = __atomic_load_n(&pg->type_info, __ATOMIC_ACQUIRE);

    do {
        if ((x & (PGT_type_mask | PGT_validated)) !=
                (PGT_l1_table | PGT_validated) ||
            (x & PGT_count_mask) == 0 || (x & PGT_count_mask) == PGT_count_mask)
            return false;
    } while (!__atomic_compare_exchange_n(&pg->type_info, &x, x + 1, false,
                                          __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE));
    return true;
}

/* What one emulation did, for the trace record. */
struct ptwr_result {
    pte_t old, new; /* the entry before, and after (or as it would be) */
    int rc;         /* 0, or why not (PVTRACE_EV_PTWR's result) */
};

/*
 * Emulates the write at addr to the L1 table l1 (referenced, mm_lock
 * held); the instruction bytes read are left in bytes[0..*n), what
 * happened in *res.
 */
static enum ptwr_outcome emulate(struct vcpu *v, struct cpu_user_regs *regs,
                                 unsigned long addr, struct page_info *l1,
                                 uint8_t *bytes, unsigned int *n,
                                 struct ptwr_result *res)
{
    struct ptwr_insn insn;
    uint64_t ea, seg_base = 0;
    unsigned int slot;
    pte_t *pe;

    res->rc = -XEN_EINVAL;
    if (regs->cs != FLAT_KERNEL_CS64)
        return PTWR_BOUNCE; /* 64-bit code only */
    *n = fetch_insn(regs->rip, bytes);
    switch (ptwr_decode(bytes, *n, &insn)) {
    case PTWR_DECODED:
        break;
    case PTWR_UNSUPPORTED:
        res->rc = -XEN_EOPNOTSUPP;
        return PTWR_CRASH;
    default:
        res->rc = -XEN_EFAULT;
        return PTWR_BOUNCE; /* the code changed or went under our feet */
    }
    if (insn.seg == PTWR_SEG_FS)
        seg_base = rdmsr(MSR_FS_BASE);
    else if (insn.seg == PTWR_SEG_GS)
        seg_base = rdmsr(MSR_GS_BASE); /* the kernel's, in kernel mode */
    ea = ptwr_insn_address(&insn, regs, seg_base);
    if (((ea ^ addr) & PAGE_MASK) || (ea & (insn.size - 1)))
        return PTWR_BOUNCE;

    slot = (unsigned int)(ea & ~PAGE_MASK) / sizeof(pte_t);
    pe = (pte_t *)mfn_to_virt(page_to_mfn(l1)) + slot;
    res->old = READ_ONCE(*pe);
    for (unsigned int i = 0; i < PTWR_TRIES; i++) {
        struct cpu_user_regs r = *regs;
        pte_t cur = READ_ONCE(*pe), nval = cur;
        int rc = 0;

        res->old = cur;
        if (ptwr_insn_execute(&insn, &r, ea & 7, cur, &nval))
            rc = pv_l1e_cmpxchg(v->domain, l1, slot, cur, nval);
        res->new = nval;
        res->rc = rc;
        if (rc == -XEN_EAGAIN)
            continue;
        if (rc)
            return PTWR_BOUNCE; /* Xen: "could not get_page_from_l1e()" */
        res->new = READ_ONCE(*pe); /* as installed (_PAGE_USER added) */
        *regs = r;
        regs->rip += insn.len;
        return PTWR_DONE;
    }
    return PTWR_RESTART;
}

bool pv_ro_page_fault(struct vcpu *v, struct cpu_user_regs *regs,
                      unsigned long cr2)
{
    struct domain *d = v->domain;
    uint32_t ec = regs->error_code;
    enum ptwr_outcome out = PTWR_BOUNCE;
    struct ptwr_result res = {.rc = -XEN_EINVAL};
    uint8_t bytes[PTWR_INSN_MAX];
    unsigned long rip = regs->rip;
    bool handled = false;
    unsigned int n = 0;
    struct page_info *pg;
    unsigned long mfn;
    pte_t l1e;

    if (!v->arch.kernel_mode ||
        (ec & (PFEC_page_present | PFEC_write_access | PFEC_reserved_bit |
               PFEC_insn_fetch)) != (PFEC_page_present | PFEC_write_access) ||
        !(d->arch.vm_assist & (1UL << VMASST_TYPE_writable_pagetables)) ||
        !guest_range_ok(cr2, 1))
        return false;

    /* A read-only mapping of a frame of ours... */
    l1e = pv_guest_kernel_l1e(v, cr2);
    if ((l1e & (PTE_P | PTE_W)) != PTE_P)
        return false;
    mfn = (l1e & PTE_ADDR_MASK) >> PAGE_SHIFT;
    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);

    mm_lock(d);
    if (!get_page(pg, d)) {
        mm_unlock(d);
        return false;
    }
    /* ... that is an L1 table in use. */
    if (get_l1_table_ref(pg)) {
        handled = true;
        out = emulate(v, regs, cr2, pg, bytes, &n, &res);
        put_page_type(pg);
    }
    put_page(pg);
    mm_unlock(d);

    if (handled) {
        if (out == PTWR_DONE)
            v->stats.ptwr++;
        if (trace_on_domid(PVTRACE_CLASS_PTWR, d->domain_id)) {
            uint64_t insn8 = 0;

            memcpy(&insn8, bytes, MIN(n, (unsigned int)sizeof(insn8)));
            trace_record(PVTRACE_EV_PTWR, 0, d->domain_id,
                         (uint16_t)v->vcpu_id, cr2, res.old, res.new,
                         (uint64_t)(int64_t)res.rc, rip, insn8);
        }
    }

    switch (out) {
    case PTWR_DONE:
    case PTWR_RESTART:
        return true;
    case PTWR_CRASH: {
        char hex[PTWR_INSN_MAX * 3 + 1] = "none readable";

        for (unsigned int i = 0; i < n; i++)
            snprintf(hex + 3 * i, 4, "%02x ", bytes[i]);
        if (n)
            hex[3 * n - 1] = '\0';
        domain_crash(d,
                     "ptwr: cannot emulate the write to L1 entry %#lx at "
                     "rip %#lx, instruction bytes %s",
                     cr2, (unsigned long)regs->rip, hex);
        return true;
    }
    default:
        return false;
    }
}
