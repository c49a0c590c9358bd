/* SPDX-License-Identifier: MIT */
/*
 * PV domains and vCPUs on x86-64: per-domain mappings, vCPU context
 * (what the domain builder sets) and the context switch.
 *
 * The context switch saves the outgoing vCPU's registers from the CPU's
 * cpu_info frame into struct vcpu, its segment bases and selectors, and
 * (lazily) its FPU state; it then loads the next vCPU's page tables, GDT,
 * LDT, segments and registers, and continues on a fresh stack: into the
 * guest through return_to_guest, or into the idle loop.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/m2p.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/uaccess.h>
#include <pvisor/event.h>
#include <pvisor/lib.h>
#include <pvisor/schedule.h>
#include <pvisor/smp.h>
#include <pvisor/vcpu_time.h>
#include <xen/errno.h>

unsigned int vcpu_order(void)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < sizeof(struct vcpu))
        order++;
    return order;
}

static void *zalloc_page(void)
{
    void *p = alloc_xenheap_page();

    if (p)
        memset(p, 0, PAGE_SIZE);
    return p;
}

int arch_domain_create(struct domain *d)
{
    struct page_info *si;

    spin_lock_init(&d->arch.mm_lock);
    d->arch.perdomain_l3 = zalloc_page();
    d->arch.perdomain_l2 = zalloc_page();
    d->arch.perdomain_l1[0] = zalloc_page();
    d->arch.perdomain_l1[1] = zalloc_page();
    d->shared_info = zalloc_page();
    if (!d->arch.perdomain_l3 || !d->arch.perdomain_l2 ||
        !d->arch.perdomain_l1[0] || !d->arch.perdomain_l1[1] ||
        !d->shared_info) {
        free_xenheap_pages(d->shared_info, 0);
        d->shared_info = NULL;
        arch_domain_destroy(d);
        return -XEN_ENOMEM;
    }
    d->arch.perdomain_l3[l3_index(PERDOMAIN_VIRT_START)] =
        virt_to_maddr(d->arch.perdomain_l2) | PTE_TABLE;
    for (unsigned int i = 0; i < 2; i++)
        d->arch.perdomain_l2[l2_index(PERDOMAIN_VIRT_START) + i] =
            virt_to_maddr(d->arch.perdomain_l1[i]) | PTE_TABLE;

    /* Events start masked on every vCPU (the guest unmasks). */
    for (unsigned int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        d->shared_info->vcpu_info[i].evtchn_upcall_mask = 1;
    shared_info_wallclock_init(d);
    si = mfn_to_page(virt_to_mfn(d->shared_info));
    share_xen_page_with_guest(si, d);
    return 0;
}

void arch_domain_destroy(struct domain *d)
{
    free_xenheap_pages(d->arch.perdomain_l1[0], 0);
    free_xenheap_pages(d->arch.perdomain_l1[1], 0);
    free_xenheap_pages(d->arch.perdomain_l2, 0);
    free_xenheap_pages(d->arch.perdomain_l3, 0);
    d->arch.perdomain_l1[0] = d->arch.perdomain_l1[1] = NULL;
    d->arch.perdomain_l2 = d->arch.perdomain_l3 = NULL;
    /* shared_info is the domain's frame: it went with its memory. */
}

int arch_vcpu_create(struct vcpu *v)
{
    struct domain *d = v->domain;

    if (v->vcpu_id >= XEN_LEGACY_MAX_VCPUS)
        return -XEN_EINVAL;
    v->vcpu_info = &d->shared_info->vcpu_info[v->vcpu_id];
    v->arch.kernel_mode = true;
    v->arch.guest_cr4 = read_cr4() & (X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT |
                                      X86_CR4_PAE);
    vcpu_init_timers(v);
    pv_destroy_gdt(v); /* an empty GDT window */
    return 0;
}

void arch_vcpu_destroy(struct vcpu *v)
{
    (void)v;
}

void arch_domain_relinquish(struct domain *d)
{
    mm_lock(d);
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];

        if (!v)
            continue;
        pv_destroy_gdt(v);
        pv_set_ldt(v, 0, 0);
        pv_drop_guest_tables(v);
    }
    pv_mm_relinquish(d);
    mm_unlock(d);
}

void pv_toggle_guest_mode(struct vcpu *v)
{
    unsigned long mfn;

    v->arch.kernel_mode = !v->arch.kernel_mode;
    /* The two GS bases trade places: the live one is the mode's own. */
    asm volatile("swapgs" ::: "memory");
    mfn = v->arch.kernel_mode ? v->arch.guest_table : v->arch.guest_table_user;
    tlbflush_write_cr3(mfn << PAGE_SHIFT);
}

/* ------------------------------------------------------- contexts */

static bool canonical(uint64_t a)
{
    return (int64_t)a >> 47 == 0 || (int64_t)a >> 47 == -1;
}

int arch_set_vcpu_context(struct vcpu *v, const struct vcpu_guest_context *c)
{
    struct domain *d = v->domain;
    unsigned long cr3 = xen_cr3_to_pfn(c->ctrlreg[3]);
    unsigned long ucr3 = xen_cr3_to_pfn(c->ctrlreg[1]);
    int rc;

    if (!(c->flags & VGCF_in_kernel))
        return -XEN_EINVAL; /* PV vCPUs start in kernel mode */
    if (!canonical(c->user_regs.rip) || !canonical(c->user_regs.rsp) ||
        !canonical(c->fs_base) || !canonical(c->gs_base_kernel) ||
        !canonical(c->gs_base_user) || !canonical(c->event_callback_eip) ||
        !canonical(c->failsafe_callback_eip) ||
        !canonical(c->syscall_callback_eip) || c->gdt_ents > 8192)
        return -XEN_EINVAL;
    for (unsigned int i = 0; i < 256; i++)
        if (!canonical(c->trap_ctxt[i].address))
            return -XEN_EINVAL;

    mm_lock(d);
    rc = pv_set_guest_table(v, cr3, false);
    if (!rc && ucr3)
        rc = pv_set_guest_table(v, ucr3, true);
    if (!rc && c->gdt_ents)
        rc = pv_set_gdt(v, c->gdt_frames, (unsigned int)c->gdt_ents);
    if (!rc && c->ldt_ents)
        rc = pv_set_ldt(v, c->ldt_base, (unsigned int)c->ldt_ents);
    mm_unlock(d);
    if (rc)
        return rc;

    memcpy(v->arch.trap_ctxt, c->trap_ctxt, sizeof(v->arch.trap_ctxt));
    for (unsigned int i = 0; i < 256; i++)
        v->arch.trap_ctxt[i].cs |= 3;
    v->arch.event_callback.eip = c->event_callback_eip;
    v->arch.event_callback.mask_events = true;
    v->arch.failsafe_callback.eip = c->failsafe_callback_eip;
    v->arch.failsafe_callback.mask_events =
        c->flags & VGCF_failsafe_disables_events;
    v->arch.syscall_callback.eip = c->syscall_callback_eip;
    v->arch.syscall_callback.mask_events =
        c->flags & VGCF_syscall_disables_events;
    v->arch.kernel_ss = c->kernel_ss | 3;
    v->arch.kernel_sp = c->kernel_sp;
    v->arch.fs_base = c->fs_base;
    v->arch.gs_base_kernel = c->gs_base_kernel;
    v->arch.gs_base_user = c->gs_base_user;
    v->arch.kernel_mode = true;
    v->arch.cr0_ts = c->ctrlreg[0] & X86_CR0_TS;
    memcpy(v->arch.debugreg, c->debugreg, sizeof(v->arch.debugreg));
    d->arch.vm_assist = c->vm_assist;
    if (c->flags & VGCF_i387_valid) {
        memcpy(v->arch.fpu_ctxt, c->fpu_ctxt.x, sizeof(v->arch.fpu_ctxt));
        v->arch.fpu_initialised = true;
    }

    v->user_regs = c->user_regs;
    v->user_regs.cs |= 3;
    v->user_regs.ss |= 3;
    v->user_regs.rflags = (v->user_regs.rflags & ~(X86_EFLAGS_IOPL_MASK)) |
                          X86_EFLAGS_IF | 2;
    v->user_regs.entry_vector = 0;
    v->user_regs.error_code = 0;

    /* The builder may have rewritten shared_info: publish the time. */
    shared_info_wallclock_init(d);
    vcpu_time_update(v);
    if (c->flags & VGCF_online)
        __atomic_fetch_and(&v->pause_flags, ~(1UL << VPF_down),
                           __ATOMIC_SEQ_CST);
    return 0;
}

void arch_get_vcpu_context(struct vcpu *v, struct vcpu_guest_context *c)
{
    memset(c, 0, sizeof(*c));
    c->user_regs = v->user_regs;
    c->flags = VGCF_in_kernel |
               (v->arch.kernel_mode ? VGCF_in_kernel : 0) |
               (v->arch.fpu_initialised ? VGCF_i387_valid : 0) |
               (v->pause_flags & (1UL << VPF_down) ? 0 : VGCF_online);
    if (!v->arch.kernel_mode)
        c->flags &= ~VGCF_in_kernel;
    memcpy(c->trap_ctxt, v->arch.trap_ctxt, sizeof(c->trap_ctxt));
    c->ldt_base = v->arch.ldt_base;
    c->ldt_ents = v->arch.ldt_ents;
    for (unsigned int i = 0; i < 16; i++)
        c->gdt_frames[i] = v->arch.gdt_frames[i];
    c->gdt_ents = v->arch.gdt_ents;
    c->kernel_ss = v->arch.kernel_ss;
    c->kernel_sp = v->arch.kernel_sp;
    c->ctrlreg[0] = v->arch.cr0_ts;
    c->ctrlreg[3] = xen_pfn_to_cr3(v->arch.guest_table);
    c->ctrlreg[1] = xen_pfn_to_cr3(v->arch.guest_table_user);
    c->ctrlreg[4] = v->arch.guest_cr4;
    memcpy(c->debugreg, v->arch.debugreg, sizeof(c->debugreg));
    c->event_callback_eip = v->arch.event_callback.eip;
    c->failsafe_callback_eip = v->arch.failsafe_callback.eip;
    c->syscall_callback_eip = v->arch.syscall_callback.eip;
    c->vm_assist = v->domain->arch.vm_assist;
    c->fs_base = v->arch.fs_base;
    c->gs_base_kernel = v->arch.gs_base_kernel;
    c->gs_base_user = v->arch.gs_base_user;
    memcpy(c->fpu_ctxt.x, v->arch.fpu_ctxt, sizeof(c->fpu_ctxt.x));
}

void arch_show_guest_state(struct vcpu *v)
{
    const struct cpu_user_regs *r = v == current
                                        ? &get_cpu_info()->guest_cpu_user_regs
                                        : &v->user_regs;

    printk("d%uv%u %s mode: rip %04x:%016lx rsp %04x:%016lx rflags %08lx\n",
           v->domain->domain_id, v->vcpu_id,
           v->arch.kernel_mode ? "kernel" : "user", r->cs,
           (unsigned long)r->rip, r->ss, (unsigned long)r->rsp,
           (unsigned long)r->rflags);
    printk("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n",
           (unsigned long)r->rax, (unsigned long)r->rbx,
           (unsigned long)r->rcx, (unsigned long)r->rdx);
    printk("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n",
           (unsigned long)r->rsi, (unsigned long)r->rdi,
           (unsigned long)r->rbp, (unsigned long)r->r8);
    printk("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n",
           (unsigned long)r->r9, (unsigned long)r->r10,
           (unsigned long)r->r11, (unsigned long)r->r12);
    printk("  r13 %016lx r14 %016lx r15 %016lx cr2 %016lx\n",
           (unsigned long)r->r13, (unsigned long)r->r14,
           (unsigned long)r->r15, v->arch.cr2);
    printk("  cr3 %#lx (user %#lx)\n", v->arch.guest_table << PAGE_SHIFT,
           v->arch.guest_table_user << PAGE_SHIFT);
}

/* -------------------------------------------------- context switch */

static void save_segments(struct vcpu *v)
{
    struct cpu_user_regs *r = &v->user_regs;
    uint64_t gs = rdmsr(MSR_GS_BASE), shadow = rdmsr(MSR_SHADOW_GS_BASE);

    asm volatile("mov %%ds, %0" : "=m"(r->ds));
    asm volatile("mov %%es, %0" : "=m"(r->es));
    asm volatile("mov %%fs, %0" : "=m"(r->fs));
    asm volatile("mov %%gs, %0" : "=m"(r->gs));
    v->arch.fs_base = rdmsr(MSR_FS_BASE);
    if (v->arch.kernel_mode) {
        v->arch.gs_base_kernel = gs;
        v->arch.gs_base_user = shadow;
    } else {
        v->arch.gs_base_user = gs;
        v->arch.gs_base_kernel = shadow;
    }
}

/* Loads a data segment selector; a bad one becomes null (and false). */
#define LOAD_SEG(seg, sel)                                                     \
    ({                                                                         \
        bool ok_ = true;                                                       \
        asm volatile("1: mov %w1, %%" #seg "\n"                                \
                     "2:\n"                                                    \
                     ".pushsection .fixup, \"ax\"\n"                           \
                     "3: xor %k1, %k1\n"                                       \
                     "   mov %w1, %%" #seg "\n"                                \
                     "   movb $0, %0\n"                                        \
                     "   jmp 2b\n"                                             \
                     ".popsection\n"                                           \
                     ".pushsection .ex_table, \"a\"\n"                         \
                     ".balign 8\n"                                             \
                     ".quad 1b, 3b\n"                                          \
                     ".popsection"                                             \
                     : "+qm"(ok_), "+r"(sel_tmp_)                              \
                     :                                                         \
                     : "memory");                                              \
        ok_;                                                                   \
    })

/* Loads v's selectors and bases; false if a selector was refused. */
static bool load_segments(struct vcpu *v)
{
    const struct cpu_user_regs *r = &v->user_regs;
    bool ok = true;
    unsigned long sel_tmp_;

    sel_tmp_ = r->ds;
    ok &= LOAD_SEG(ds, sel_tmp_);
    sel_tmp_ = r->es;
    ok &= LOAD_SEG(es, sel_tmp_);
    sel_tmp_ = r->fs;
    ok &= LOAD_SEG(fs, sel_tmp_);
    sel_tmp_ = r->gs;
    ok &= LOAD_SEG(gs, sel_tmp_);
    wrmsr(MSR_FS_BASE, v->arch.fs_base);
    if (v->arch.kernel_mode) {
        wrmsr(MSR_GS_BASE, v->arch.gs_base_kernel);
        wrmsr(MSR_SHADOW_GS_BASE, v->arch.gs_base_user);
    } else {
        wrmsr(MSR_GS_BASE, v->arch.gs_base_user);
        wrmsr(MSR_SHADOW_GS_BASE, v->arch.gs_base_kernel);
    }
    return ok;
}

void pv_fpu_ensure_saved(struct vcpu *v)
{
    if (!v->arch.fpu_dirtied)
        return;
    asm volatile("clts; fxsave64 %0" : "=m"(v->arch.fpu_ctxt));
    v->arch.fpu_dirtied = false;
}

void context_switch(struct vcpu *prev, struct vcpu *next)
{
    struct cpu_info *ci = get_cpu_info();
    struct cpu_user_regs *frame = &ci->guest_cpu_user_regs;

    local_irq_disable();
    if (!is_idle_vcpu(prev)) {
        uint16_t ds = prev->user_regs.ds, es = prev->user_regs.es;
        uint16_t fs = prev->user_regs.fs, gs = prev->user_regs.gs;

        /* The frame holds the guest's registers; keep its selectors. */
        prev->user_regs = *frame;
        prev->user_regs.ds = ds;
        prev->user_regs.es = es;
        prev->user_regs.fs = fs;
        prev->user_regs.gs = gs;
        save_segments(prev);
        pv_fpu_ensure_saved(prev);
        vcpu_runstate_area_update(prev);
    }
    /* Every vCPU starts with CR0.TS set: its first FPU use traps. */
    write_cr0(read_cr0() | X86_CR0_TS);

    ci->current_vcpu = next;
    if (is_idle_vcpu(next)) {
        tlbflush_write_cr3(virt_to_maddr(idle_pg_table));
        desc_load_idle_gdt(smp_processor_id());
    } else {
        unsigned long mfn = next->arch.kernel_mode
                                ? next->arch.guest_table
                                : next->arch.guest_table_user;

        tlbflush_write_cr3(mfn << PAGE_SHIFT);
        pv_load_descriptor_tables(next);
        if (!load_segments(next))
            next->arch.trap_bounce.flags |= TBF_FAILSAFE;
        *frame = next->user_regs;
        vcpu_time_update(next);
        vcpu_runstate_area_update(next);
    }

    /* prev's state is saved: other CPUs may now pick it up. */
    __atomic_store_n(&prev->is_running, false, __ATOMIC_RELEASE);
    if (is_idle_vcpu(next))
        reset_stack_and_jump_idle();
    return_to_guest();
}
