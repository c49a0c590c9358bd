/* SPDX-License-Identifier: MIT */
/*
 * The host model of a machine for the PV MMU (see mm_model.h): the parts
 * of the hypervisor the PV MMU sources call but that are hardware or
 * other subsystems -- CPUs, CR3, IPIs, the domain table, the M2P,
 * guest-memory copies, continuations -- and the guest's side of things:
 * domains, hypercalls, page writes, giving frames back, teardown.  The
 * invariant checker is in mm_check.c.
 */
#include "mm_model.h"

#include <asm/apic.h>
#include <asm/desc.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/traps.h>
#include <asm/uaccess.h>
#include <pvisor/domain_table.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/smp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <xen/errno.h>

unsigned char *hv_test_machine;
unsigned int nr_cpus_online = MODEL_CPUS;
struct model_cpu model_cpu[MODEL_CPUS];
unsigned int model_preempt_every;
unsigned long model_continuations;
void (*model_mid_flush_hook)(void);
long (*model_continuation_hook)(unsigned long op, const unsigned long args[5]);

static struct page_info model_ft[MODEL_FRAMES];
static unsigned long model_m2p[MODEL_FRAMES];
struct cpu_info model_ci[MODEL_CPUS];
static unsigned int model_this_cpu;
static irq_handler_fn model_flush_handler;
static unsigned long model_preempt_calls;

/* Live and dying domains by id; every domain ever created, for freeing. */
struct domain *model_doms[MODEL_DOMS];
static struct domain *model_all[64];
static unsigned int model_nr_all;

/* Guest memory: a host buffer whose addresses are the guest addresses. */
static unsigned char *model_guest_mem;
static size_t model_guest_used;

/* A pending continuation: the call the guest re-issues. */
static struct {
    bool pending;
    unsigned long op, args[5];
} model_cont;

/* Writable TLB entries each CPU may hold (mm_model.h). */
uint8_t model_stale[MODEL_CPUS][MODEL_FRAMES];

/* Hypervisor frames: 0 the zero descriptor page, 1-3 per-CPU GDTs,
 * 8 + 4 * id .. + 3 each domain's per-domain tables, 24-31 idle L3s. */
#define HV_ZERO_PAGE     0
#define HV_CPU_GDT       1
#define HV_PERDOMAIN(id) (8 + 4 * (id))
#define HV_IDLE_L3       24

/* ------------------------------------------------------ CPU stand-ins */

struct cpu_info *get_cpu_info(void)
{
    return &model_ci[model_this_cpu];
}

struct cpu_info *cpu_info_of(unsigned int cpu)
{
    if (cpu >= MODEL_CPUS)
        model_fail("cpu_info_of(%u)", cpu);
    return &model_ci[cpu];
}

uint64_t read_cr3(void)
{
    return model_cpu[model_this_cpu].cr3;
}

void write_cr3(uint64_t v)
{
    unsigned int cpu = model_this_cpu;
    void (*hook)(void) = model_mid_flush_hook;

    model_cpu[cpu].cr3 = v;
    model_cpu[cpu].cr3_loads++;
    memset(model_stale[cpu], 0, sizeof(model_stale[cpu]));
    if (hook) {
        model_mid_flush_hook = NULL;
        hook();
    }
}

void invlpg(const void *va)
{
    (void)va;
    model_cpu[model_this_cpu].invlpgs++;
}

void wbinvd(void)
{
    model_cpu[model_this_cpu].wbinvds++;
}

unsigned long local_irq_save(void)
{
    return 0;
}

void local_irq_restore(unsigned long flags)
{
    (void)flags;
}

void set_irq_handler(unsigned int vector, irq_handler_fn fn)
{
    if (vector == FLUSH_VECTOR)
        model_flush_handler = fn;
}

/* An IPI is taken at once by its target, which runs the handler. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
    unsigned int target, saved = model_this_cpu;

    for (target = 0; target < MODEL_CPUS; target++)
        if (model_ci[target].apic_id == apic_id)
            break;
    if (target == MODEL_CPUS || vector != FLUSH_VECTOR || !model_flush_handler)
        model_fail("IPI %#x to APIC %u", vector, apic_id);
    model_cpu[target].flush_ipis++;
    model_this_cpu = target;
    model_flush_handler(NULL);
    model_this_cpu = saved;
}

/* ------------------------------------------ other subsystems' parts */

void mm_copy_hv_slots(pte_t *l4)
{
    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
        l4[s] = model_pte(HV_IDLE_L3 + (s & 7), PTE_TABLE);
}

pte_t model_hv_l4e(const struct domain *d, unsigned int slot)
{
    if (slot == l4_index(PERDOMAIN_VIRT_START))
        return virt_to_maddr(d->arch.perdomain_l3) | PTE_TABLE;
    return model_pte(HV_IDLE_L3 + (slot & 7), PTE_TABLE);
}

unsigned long desc_zero_page_mfn(void)
{
    return HV_ZERO_PAGE;
}

unsigned long desc_cpu_gdt_mfn(unsigned int cpu)
{
    return HV_CPU_GDT + cpu;
}

void desc_load_gdt(unsigned long base)
{
    (void)base;
}

void desc_load_ldt(unsigned int cpu, unsigned long base, unsigned int ents)
{
    (void)cpu, (void)base, (void)ents;
}

void set_gpfn_from_mfn(unsigned long mfn, unsigned long gpfn)
{
    if (mfn >= MODEL_FRAMES)
        model_fail("M2P update of mfn %#lx", mfn);
    model_m2p[mfn] = gpfn;
}

static bool in_guest_mem(const void *p, unsigned long len)
{
    const unsigned char *b = p;

    return b >= model_guest_mem && b < model_guest_mem + MODEL_GUEST_MEM &&
           len <= (size_t)(model_guest_mem + MODEL_GUEST_MEM - b);
}

/* The copy of guest_access.c: guest memory is the model's buffer. */
unsigned long __copy_user(void *dst, const void *src, unsigned long len)
{
    if (!in_guest_mem(src, len) && !in_guest_mem(dst, len))
        return len;
    memcpy(dst, src, len);
    return 0;
}

bool hypercall_preempt_check(void)
{
    return model_preempt_every &&
           ++model_preempt_calls % model_preempt_every == 0;
}

long hypercall_create_continuation(unsigned long op, unsigned int nargs, ...)
{
    va_list ap;

    if (model_cont.pending)
        model_fail("two continuations from one call");
    memset(&model_cont, 0, sizeof(model_cont));
    model_cont.pending = true;
    model_cont.op = op;
    va_start(ap, nargs);
    for (unsigned int i = 0; i < nargs && i < 5; i++)
        model_cont.args[i] = va_arg(ap, unsigned long);
    va_end(ap);
    return (long)op;
}

/* ------------------------------------------------------------ domains */

struct domain *domain_by_id(domid_t id)
{
    return id < MODEL_DOMS ? model_doms[id] : NULL;
}

void get_domain(struct domain *d)
{
    d->refcnt++;
}

void put_domain(struct domain *d)
{
    if (!d->refcnt)
        model_fail("put_domain(d%u) without a reference", d->domain_id);
    d->refcnt--;
}

struct domain *get_domain_by_id(domid_t id)
{
    struct domain *d = domain_by_id(id);

    if (!d || d->state != DOMSTATE_active)
        return NULL;
    get_domain(d);
    return d;
}

/* The model has no guests to crash: a crash here is a test failure,
 * unless the model's user takes it (model_crash_hook). */
void (*model_crash_hook)(struct domain *d, const char *why);
void (*model_kill_hook)(struct domain *d, bool relinquished);

void domain_crash(struct domain *d, const char *fmt, ...)
{
    if (!model_crash_hook)
        model_fail("d%u crashed (%s)", d->domain_id, fmt);
    model_crash_hook(d, fmt);
}

void domain_page_freed(struct domain *d)
{
    if (d->state != DOMSTATE_dying || d->tot_pages || d->xenheap_pages)
        return;
    d->state = DOMSTATE_dead;
    model_doms[d->domain_id] = NULL;
    put_domain(d);
}

struct domain *model_domain(domid_t id)
{
    return domain_by_id(id);
}

unsigned long model_alloc_frame(struct domain *d)
{
    struct page_info *pg = alloc_domheap_pages(d, 0, 0);

    if (!pg)
        return 0;
    set_gpfn_from_mfn(page_to_mfn(pg), d->tot_pages - 1);
    return page_to_mfn(pg);
}

struct domain *model_domain_create(domid_t id, bool privileged,
                                   unsigned int nr_frames)
{
    struct domain *d;
    struct page_info *si;

    if (id >= MODEL_DOMS || model_doms[id] ||
        model_nr_all == ARRAY_SIZE(model_all))
        return NULL;
    /* shared_info: a hypervisor page, shared with the guest below. */
    si = alloc_heap_pages(0);
    if (!si)
        return NULL;
    d = calloc(1, sizeof(*d));
    if (!d)
        abort();
    model_all[model_nr_all++] = d;
    d->domain_id = id;
    d->is_privileged = privileged;
    d->state = DOMSTATE_active;
    d->refcnt = 1;
    d->max_pages = MODEL_MAX_PAGES;
    d->max_vcpus = MODEL_VCPUS;
    page_list_init(&d->page_list);
    spin_lock_init(&d->page_alloc_lock);
    spin_lock_init(&d->arch.mm_lock);

    /* The per-domain tables live in the hypervisor's frames. */
    d->arch.perdomain_l3 = mfn_to_virt(HV_PERDOMAIN(id));
    d->arch.perdomain_l2 = mfn_to_virt(HV_PERDOMAIN(id) + 1);
    d->arch.perdomain_l1[0] = mfn_to_virt(HV_PERDOMAIN(id) + 2);
    d->arch.perdomain_l1[1] = mfn_to_virt(HV_PERDOMAIN(id) + 3);
    for (unsigned int i = 0; i < 4; i++)
        memset(mfn_to_virt(HV_PERDOMAIN(id) + i), 0, PAGE_SIZE);

    for (unsigned int i = 0; i < MODEL_VCPUS; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));

        if (!v)
            abort();
        v->vcpu_id = i;
        v->domain = d;
        v->processor = (id + i) % MODEL_CPUS;
        v->arch.kernel_mode = true;
        d->vcpu[i] = v;
        pv_destroy_gdt(v); /* an empty GDT window, as arch_vcpu_create */
    }

    d->shared_info = mfn_to_virt(page_to_mfn(si));
    memset(d->shared_info, 0, PAGE_SIZE);
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    share_xen_page_with_guest(si, d);

    model_doms[id] = d;
    for (unsigned int i = 0; i < nr_frames; i++)
        if (!model_alloc_frame(d))
            break;
    return d;
}

unsigned long model_frame(const struct domain *d, unsigned int n)
{
    const struct page_info *pg;

    for (pg = page_list_first(&d->page_list); pg; pg = page_list_next(pg))
        if (!(pg->count_info & PGC_xen_heap) && !n--)
            return page_to_mfn(pg);
    return 0;
}

unsigned long model_shared_info_mfn(const struct domain *d)
{
    return virt_to_mfn(d->shared_info);
}

/* ---------------------------------------------------------------- CPUs */

static unsigned int vcpu_cpu(const struct vcpu *v)
{
    for (unsigned int c = 0; c < MODEL_CPUS; c++)
        if (model_ci[c].current_vcpu == v)
            return c;
    return MODEL_CPUS;
}

/* A CR3 load on the flush clock, as context_switch() does it. */
static void load_cr3(unsigned int cpu, uint64_t cr3)
{
    unsigned int saved = model_this_cpu;

    model_this_cpu = cpu;
    tlbflush_write_cr3(cr3);
    model_this_cpu = saved;
}

static uint64_t vcpu_cr3(const struct vcpu *v)
{
    if (!v)
        return 0x1000; /* the idle page table */
    return (v->arch.kernel_mode ? v->arch.guest_table
                                : v->arch.guest_table_user)
           << PAGE_SHIFT;
}

void model_schedule(struct vcpu *v, unsigned int cpu)
{
    unsigned int was;

    if (cpu >= MODEL_CPUS)
        model_fail("schedule on cpu %u", cpu);
    if (model_ci[cpu].current_vcpu == v)
        return;
    if (v && (was = vcpu_cpu(v)) < MODEL_CPUS)
        model_schedule(NULL, was);
    model_ci[cpu].current_vcpu = v;
    if (v)
        v->processor = cpu;
    load_cr3(cpu, vcpu_cr3(v));
}

void model_enter(struct vcpu *v)
{
    unsigned int cpu = vcpu_cpu(v);

    if (cpu == MODEL_CPUS) {
        cpu = v->processor % MODEL_CPUS;
        model_schedule(v, cpu);
    }
    model_this_cpu = cpu;
}

void model_toggle_mode(struct vcpu *v)
{
    unsigned int cpu = vcpu_cpu(v);

    v->arch.kernel_mode = !v->arch.kernel_mode;
    if (cpu < MODEL_CPUS)
        load_cr3(cpu, vcpu_cr3(v));
}

/* ------------------------------------------------------ guest memory */

void *model_guest_alloc(size_t n)
{
    void *p;

    n = (n + 15) & ~(size_t)15;
    if (n > MODEL_GUEST_MEM - model_guest_used)
        model_fail("model guest memory exhausted");
    p = model_guest_mem + model_guest_used;
    model_guest_used += n;
    memset(p, 0, n);
    return p;
}

void model_guest_reset(void)
{
    model_guest_used = 0;
}

unsigned long model_gaddr(const void *p)
{
    return (unsigned long)p;
}

/* Places n bytes in guest memory unless p is already there (or bad). */
static unsigned long to_guest(const void *p, size_t n)
{
    const unsigned char *b = p;

    if (!p || (unsigned long)p == MODEL_BAD_GADDR)
        return (unsigned long)p;
    if (b >= model_guest_mem && b < model_guest_mem + MODEL_GUEST_MEM)
        return (unsigned long)p;
    return (unsigned long)memcpy(model_guest_alloc(n), p, n);
}

/* ---------------------------------------------------------- hypercalls */

/* Re-issues the call as the guest does after a continuation. */
static long run_continuations(long rc)
{
    while (model_cont.pending) {
        unsigned long *a = model_cont.args;

        model_cont.pending = false;
        model_continuations++;
        switch (model_cont.op) {
        case __HYPERVISOR_mmu_update:
            rc = do_mmu_update(a[0], a[1], a[2], a[3]);
            break;
        case __HYPERVISOR_mmuext_op:
            rc = do_mmuext_op(a[0], a[1], a[2], a[3]);
            break;
        default:
            if (!model_continuation_hook)
                model_fail("continuation of hypercall %lu", model_cont.op);
            rc = model_continuation_hook(model_cont.op, a);
            break;
        }
    }
    return rc;
}

typedef long (*batch_fn)(unsigned long, unsigned long, unsigned long,
                         unsigned long);

static long batch(struct vcpu *v, batch_fn fn, const void *items, size_t size,
                  unsigned int count, unsigned int *done,
                  unsigned int foreigndom)
{
    size_t mark = model_guest_used;
    unsigned long g = to_guest(items, size * count);
    unsigned int *gdone = NULL;
    long rc;

    if (done) {
        gdone = (unsigned int *)to_guest(done, sizeof(*done));
        *gdone = *done;
    }
    model_enter(v);
    rc = run_continuations(fn(g, count, (unsigned long)gdone, foreigndom));
    if (done)
        *done = *gdone;
    model_guest_used = mark;
    return rc;
}

long model_mmu_update(struct vcpu *v, const struct mmu_update *reqs,
                      unsigned int count, unsigned int *done,
                      unsigned int foreigndom)
{
    return batch(v, do_mmu_update, reqs, sizeof(*reqs), count, done,
                 foreigndom);
}

long model_mmuext_op(struct vcpu *v, const struct mmuext_op *ops,
                     unsigned int count, unsigned int *done,
                     unsigned int foreigndom)
{
    return batch(v, do_mmuext_op, ops, sizeof(*ops), count, done, foreigndom);
}

long model_update_va_mapping(struct vcpu *v, unsigned long va, uint64_t val,
                             unsigned long flags)
{
    model_enter(v);
    return run_continuations(do_update_va_mapping(va, val, flags));
}

long model_update_va_mapping_otherdomain(struct vcpu *v, unsigned long va,
                                         uint64_t val, unsigned long flags,
                                         domid_t domid)
{
    model_enter(v);
    return run_continuations(
        do_update_va_mapping_otherdomain(va, val, flags, domid));
}

long model_set_gdt(struct vcpu *v, const unsigned long *frames,
                   unsigned int entries)
{
    size_t mark = model_guest_used;
    unsigned long g = to_guest(frames, 16 * sizeof(*frames));
    long rc;

    model_enter(v);
    rc = do_set_gdt(g, entries);
    model_guest_used = mark;
    return rc;
}

long model_update_descriptor(struct vcpu *v, uint64_t maddr, uint64_t desc)
{
    model_enter(v);
    return do_update_descriptor(maddr, desc);
}

long model_call3(struct vcpu *v,
                 long (*fn)(unsigned long, unsigned long, unsigned long),
                 unsigned long a0, unsigned long a1, unsigned long a2)
{
    model_enter(v);
    return run_continuations(fn(a0, a1, a2));
}

/* ------------------------------------------------ guest-side actions */

void model_note_writable(const struct domain *d, unsigned long mfn)
{
    for (unsigned int c = 0; c < MODEL_CPUS; c++) {
        const struct vcpu *v = model_ci[c].current_vcpu;

        if (v && v->domain == d && mfn < MODEL_FRAMES &&
            mfn_to_page(mfn)->owner == d->domain_id)
            model_stale[c][mfn] = (uint8_t)(d->domain_id + 1);
    }
}

bool model_guest_write(struct domain *d, unsigned long mfn, unsigned int slot,
                       uint64_t val)
{
    struct page_info *pg;

    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);
    if (!get_page(pg, d))
        return false;
    if (get_page_type(pg, PGT_writable)) {
        put_page(pg);
        return false;
    }
    model_table(mfn)[slot % PT_ENTRIES] = val;
    model_note_writable(d, mfn);
    put_page_type(pg);
    put_page(pg);
    return true;
}

bool model_decrease_reservation(struct domain *d, unsigned long mfn)
{
    struct page_info *pg;

    /* common/memory.c's remove_page(). */
    if (!mfn_valid(mfn))
        return false;
    pg = mfn_to_page(mfn);
    if (pg->owner != d->domain_id || pg->state != PGS_inuse ||
        !(pg->count_info & PGC_allocated) || (pg->count_info & PGC_xen_heap) ||
        (pg->count_info & PGC_count_mask) != 1 ||
        (pg->type_info & PGT_count_mask) != 0)
        return false;
    mm_lock(d);
    set_gpfn_from_mfn(mfn, INVALID_M2P_ENTRY);
    page_release_allocation(pg);
    mm_unlock(d);
    return true;
}

void model_domain_kill(struct domain *d)
{
    if (d->state != DOMSTATE_active)
        return;
    d->state = DOMSTATE_dying;
    /* Off every CPU for good. */
    for (unsigned int i = 0; i < MODEL_VCPUS; i++) {
        unsigned int cpu = vcpu_cpu(d->vcpu[i]);

        if (cpu < MODEL_CPUS)
            model_schedule(NULL, cpu);
    }
    if (model_kill_hook)
        model_kill_hook(d, false);
    /* arch_domain_relinquish(). */
    mm_lock(d);
    for (unsigned int i = 0; i < MODEL_VCPUS; i++) {
        struct vcpu *v = d->vcpu[i];

        pv_destroy_gdt(v);
        pv_set_ldt(v, 0, 0);
        pv_drop_guest_tables(v);
    }
    pv_mm_relinquish(d);
    mm_unlock(d);
    if (model_kill_hook)
        model_kill_hook(d, true);
    domain_page_freed(d);
}

/* ------------------------------------------------------- setting up */

void model_init(void)
{
    static unsigned char machine[MODEL_FRAMES * PAGE_SIZE] __aligned(4096);
    static unsigned char guest_mem[MODEL_GUEST_MEM] __aligned(4096);

    hv_test_machine = machine;
    model_guest_mem = guest_mem;
    memset(hv_test_machine, 0, MODEL_FRAMES * PAGE_SIZE);
    memset(model_ft, 0, sizeof(model_ft));
    memset(model_m2p, 0xff, sizeof(model_m2p));
    memset(model_doms, 0, sizeof(model_doms));
    memset(model_cpu, 0, sizeof(model_cpu));
    memset(model_stale, 0, sizeof(model_stale));
    memset(&model_cont, 0, sizeof(model_cont));
    model_nr_all = 0;
    model_guest_used = 0;
    model_preempt_every = 0;
    model_preempt_calls = 0;
    model_continuations = 0;
    model_mid_flush_hook = NULL;
    model_continuation_hook = NULL;
    model_crash_hook = NULL;
    model_kill_hook = NULL;
    for (unsigned int c = 0; c < MODEL_CPUS; c++) {
        model_ci[c].processor_id = c;
        model_ci[c].apic_id = 10 + c; /* not the CPU number */
        model_ci[c].current_vcpu = NULL;
    }
    model_this_cpu = 0;
    heap_init(model_ft, MODEL_FRAMES);
    heap_add_range(MODEL_HV_FRAMES, MODEL_FRAMES);
    pv_flush_init();
}

void model_fini(void)
{
    for (unsigned int i = 0; i < model_nr_all; i++) {
        for (unsigned int v = 0; v < MODEL_VCPUS; v++)
            free(model_all[i]->vcpu[v]);
        free(model_all[i]);
    }
    model_nr_all = 0;
}
