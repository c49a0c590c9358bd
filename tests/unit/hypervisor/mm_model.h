/* SPDX-License-Identifier: MIT */
/*
 * A host model of a machine for the PV MMU, shared by the unit tests
 * (test_pv_mm.c) and the fuzzer (tests/fuzz/pvmm/).
 *
 * The real hypervisor sources -- pv/mm.c, pv/mm_ops.c,
 * pv/descriptor_tables.c, common/domheap.c and common/page_alloc.c -- are
 * compiled against the stand-in headers in mm-include/ and this model:
 *
 *  - machine memory is a host array (the direct map of asm/page.h points
 *    at it), with the real frame table and heap over it; frames
 *    0..MODEL_HV_FRAMES-1 are the hypervisor's and never in the heap (the
 *    first 1 MiB is I/O memory to the PV MMU, as on a real machine);
 *  - domains 0..MODEL_DOMS-1 (domain 0 privileged) with MODEL_VCPUS vCPUs
 *    each, a shared_info page shared as Xen does, and frames from the
 *    real heap;
 *  - MODEL_CPUS CPUs: which one the code runs on, what each runs, CR3
 *    loads, INVLPGs, WBINVDs and flush IPIs (delivered at once, on the
 *    target CPU, to the handler pv_flush_init() registered);
 *  - "guest memory" for hypercall arguments: a host buffer; any other
 *    address faults.
 *
 * model_check() recomputes from scratch what every frame's counts must
 * be -- from the allocation references, pins, base pointers, GDT/LDT
 * frames and the present entries of every validated table -- and checks
 * them against the frame table, along with validation, ownership, the
 * heap and stale TLB entries (see mm_check.c).
 */
#ifndef MM_MODEL_H
#define MM_MODEL_H

#include <asm/current.h>
#include <asm/page.h>
#include <asm/pv_mm.h>
#include <pvisor/mm.h>
#include <pvisor/sched.h>
#include <xen/xen.h>

#define MODEL_HV_FRAMES (0x100 + 32)
/* Heap frames; a model user may ask for more (-DMODEL_HEAP_FRAMES=n). */
#ifndef MODEL_HEAP_FRAMES
#define MODEL_HEAP_FRAMES 224
#endif
#define MODEL_FRAMES    (MODEL_HV_FRAMES + MODEL_HEAP_FRAMES)
#define MODEL_CPUS      3
#define MODEL_DOMS      4
#define MODEL_VCPUS     2
#define MODEL_MAX_PAGES 64
#define MODEL_GUEST_MEM (64 * 1024)

/* Reports a broken invariant; provided by the test or fuzzer. */
void model_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
__attribute__((noreturn));

/* What each model CPU was asked to do. */
struct model_cpu {
    uint64_t cr3;
    unsigned long cr3_loads; /* full TLB flushes */
    unsigned long invlpgs;
    unsigned long wbinvds;
    unsigned long flush_ipis; /* flush IPIs it received */
};
extern struct model_cpu model_cpu[MODEL_CPUS];

/* Preemption: every n-th hypercall_preempt_check() is true (0: never). */
extern unsigned int model_preempt_every;
/* Continuations the hypercall wrappers re-issued. */
extern unsigned long model_continuations;
/* Called between write_cr3() and the rest of a CPU's flush, once. */
extern void (*model_mid_flush_hook)(void);
/* Re-issues a continuation of a hypercall the model does not know (the
 * grant-table fuzzer's); NULL: such a continuation is a failure. */
extern long (*model_continuation_hook)(unsigned long op,
                                       const unsigned long args[5]);

void model_init(void);
void model_fini(void);

struct domain *model_domain(domid_t id);
struct domain *model_domain_create(domid_t id, bool privileged,
                                   unsigned int nr_frames);
/* Tears d down as domain_kill() does: off its CPUs, relinquished. */
void model_domain_kill(struct domain *d);
/* domain_crash() calls this if set (else the model fails); and
 * model_domain_kill() calls model_kill_hook once its domain is dying and
 * off its CPUs, before the relinquish (false), and after it (true), where
 * domain_kill() releases grant mappings and tables. */
extern void (*model_crash_hook)(struct domain *d, const char *why);
extern void (*model_kill_hook)(struct domain *d, bool relinquished);
/* The n-th of d's own frames (allocation order, not shared_info), or 0. */
unsigned long model_frame(const struct domain *d, unsigned int n);
unsigned long model_shared_info_mfn(const struct domain *d);
unsigned long model_alloc_frame(struct domain *d);

/* Runs v (or the idle vCPU, v NULL) on cpu: a context switch there. */
void model_schedule(struct vcpu *v, unsigned int cpu);
/* Makes the code run as v on its CPU, scheduling it if needed. */
void model_enter(struct vcpu *v);
/* Switches v between guest kernel and user mode, as the iret path does. */
void model_toggle_mode(struct vcpu *v);

/* Guest memory for hypercall arguments, reset by model_guest_reset(). */
void *model_guest_alloc(size_t n);
void model_guest_reset(void);
unsigned long model_gaddr(const void *p);
#define MODEL_BAD_GADDR 0x10UL

/* The hypercalls as v issues them, re-issued after continuations. */
long model_mmu_update(struct vcpu *v, const struct mmu_update *reqs,
                      unsigned int count, unsigned int *done,
                      unsigned int foreigndom);
long model_mmuext_op(struct vcpu *v, const struct mmuext_op *ops,
                     unsigned int count, unsigned int *done,
                     unsigned int foreigndom);
long model_update_va_mapping(struct vcpu *v, unsigned long va, uint64_t val,
                             unsigned long flags);
long model_update_va_mapping_otherdomain(struct vcpu *v, unsigned long va,
                                         uint64_t val, unsigned long flags,
                                         domid_t domid);
long model_set_gdt(struct vcpu *v, const unsigned long *frames,
                   unsigned int entries);
long model_update_descriptor(struct vcpu *v, uint64_t maddr, uint64_t desc);
/* Any three-argument hypercall handler fn as v issues it. */
long model_call3(struct vcpu *v,
                 long (*fn)(unsigned long, unsigned long, unsigned long),
                 unsigned long a0, unsigned long a1, unsigned long a2);

/* A frame's contents as page-table entries. */
static inline pte_t *model_table(unsigned long mfn)
{
    return mfn_to_virt(mfn);
}

/*
 * d's guest writes val at slot of frame mfn through a writable mapping it
 * makes for the purpose (so the frame takes the writable type for the
 * write); false if it could not map the frame writable.
 */
bool model_guest_write(struct domain *d, unsigned long mfn, unsigned int slot,
                       uint64_t val);
/* Drops d's allocation reference on mfn, as decrease_reservation does
 * (only when nothing else uses the frame); false if refused. */
bool model_decrease_reservation(struct domain *d, unsigned long mfn);

/* The value the hypervisor keeps in slot s (256-271) of every guest L4. */
pte_t model_hv_l4e(const struct domain *d, unsigned int slot);

/* Checks every invariant; calls model_fail() on the first broken one. */
void model_check(void);

/*
 * For a model user whose code holds frame references of its own (the
 * grant-table fuzzer): model_check() calls model_extra_refs_hook, which
 * declares them with model_expect_ref(), and hands every L1 entry marked
 * PTE_GNTTAB to model_grant_l1e_hook instead of counting it (the grant
 * code, not the PV MMU, holds a grant mapping's references).  Frames
 * the hypervisor allocated for itself (owner DOMID_XEN, no references)
 * may be in use without being on a domain's list.
 */
extern void (*model_extra_refs_hook)(void);
extern void (*model_grant_l1e_hook)(const struct domain *owner,
                                    unsigned long l1_mfn, unsigned int slot,
                                    pte_t e);
void model_expect_ref(unsigned long mfn, bool typed, uint32_t type,
                      const char *what, unsigned long from);

/* Model state the checker reads (mm_model.c). */
extern struct domain *model_doms[MODEL_DOMS];
extern struct cpu_info model_ci[MODEL_CPUS];
/*
 * Writable TLB entries each CPU may hold: the owning domain's id + 1 for
 * each frame it may reach writably, 0 for none.  Filled at the end of
 * every step from the running domain's writable L1 entries and by guest
 * writes (model_note_writable()); cleared by a CR3 load.
 */
extern uint8_t model_stale[MODEL_CPUS][MODEL_FRAMES];
void model_note_writable(const struct domain *d, unsigned long mfn);

/* Handy entry and request builders. */
static inline pte_t model_pte(unsigned long mfn, uint64_t flags)
{
    return ((uint64_t)mfn << PAGE_SHIFT) | flags;
}
static inline struct mmu_update model_req(unsigned long mfn, unsigned int slot,
                                          unsigned int cmd, uint64_t val)
{
    struct mmu_update r = {
        .ptr = ((uint64_t)mfn << PAGE_SHIFT) + slot * sizeof(pte_t) + cmd,
        .val = val,
    };
    return r;
}
static inline unsigned long model_va(unsigned int l4, unsigned int l3,
                                     unsigned int l2, unsigned int l1)
{
    unsigned long va =
        ((unsigned long)l4 << L4_SHIFT) | ((unsigned long)l3 << L3_SHIFT) |
        ((unsigned long)l2 << L2_SHIFT) | ((unsigned long)l1 << L1_SHIFT);

    return l4 >= 256 ? va | 0xffff000000000000UL : va;
}

#endif /* MM_MODEL_H */
