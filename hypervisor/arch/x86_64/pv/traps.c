/* SPDX-License-Identifier: MIT */
/*
 * PV guest traps: system calls, exceptions, bounce frames and the way
 * back into the guest (public/arch-x86/xen-x86_64.h, "bounce frames" in
 * the ABI notes).
 *
 * A bounce delivers an exception or event to the guest kernel as Xen
 * does: switch to guest-kernel mode if the guest was in user mode (CR3
 * and GS swap, stack from stack_switch), align the stack to 16 bytes,
 * push [rcx, r11, (error code), rip, cs | saved upcall mask << 32,
 * rflags, rsp, ss], mask events for interrupt-style entries, and resume
 * at the handler with CS 0xe033 / SS 0xe02b.  If the frame cannot be
 * written, the domain is crashed -- never the hypervisor.
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/mm.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/pv_emul.h>
#include <asm/traps.h>
#include <asm/uaccess.h>
#include <pvisor/event.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/schedule.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/trace.h>
#include <xen/callback.h>

extern char lstar_enter[], cstar_enter[];


static struct cpu_user_regs *guest_regs(void)
{
    return &get_cpu_info()->guest_cpu_user_regs;
}

/* ------------------------------------------------- per-CPU set-up */

/*
 * Writes a CPU's syscall entry stub: save %rax where the frame's SS goes,
 * load this CPU's stack, push the guest %rsp where the frame's RSP goes,
 * and jump to the common entry.
 */
static void write_stub(uint8_t *p, unsigned long stack_bottom,
                       unsigned long target)
{
    *p++ = 0x48; *p++ = 0xa3; /* movabs %rax, stack_bottom - 8 */
    *(uint64_t *)p = stack_bottom - 8;
    p += 8;
    *p++ = 0x48; *p++ = 0x89; *p++ = 0xe0; /* mov %rsp, %rax */
    *p++ = 0x48; *p++ = 0xbc; /* movabs $stack_bottom - 8, %rsp */
    *(uint64_t *)p = stack_bottom - 8;
    p += 8;
    *p++ = 0x50; /* push %rax */
    *p++ = 0x48; *p++ = 0xb8; /* movabs $target, %rax */
    *(uint64_t *)p = target;
    p += 8;
    *p++ = 0xff; *p++ = 0xe0; /* jmp *%rax */
}

void pv_trap_init_cpu(unsigned int cpu)
{
    uint8_t *page = alloc_xenheap_page();
    unsigned long va = STUBS_VIRT_START + cpu * PAGE_SIZE;
    unsigned long bottom = cpu_info_stack_top(cpu_info_of(cpu));

    BUG_ON(!page);
    memset(page, 0xcc, PAGE_SIZE);
    write_stub(page, bottom, (unsigned long)lstar_enter);
    write_stub(page + 64, bottom, (unsigned long)cstar_enter);
    BUG_ON(map_pages_to_hv(va, virt_to_mfn(page), 1, PTE_HV_RX));

    /* SYSRET lands on 0xe033/0xe02b (64-bit) and 0xe023 (32-bit). */
    wrmsr(MSR_STAR, (0xe023ULL << 48) | ((uint64_t)HV_CS << 32));
    wrmsr(MSR_LSTAR, va);
    wrmsr(MSR_CSTAR, va + 64);
    wrmsr(MSR_SYSCALL_MASK, X86_EFLAGS_IF | X86_EFLAGS_TF | X86_EFLAGS_DF |
                                X86_EFLAGS_NT | X86_EFLAGS_AC |
                                X86_EFLAGS_RF | X86_EFLAGS_VM);
}

/* --------------------------------------------------------- bounces */

/*
 * Builds a bounce frame to handler.  extra[] (n words, pushed above the
 * error code) is used by the failsafe callback for the data selectors.
 */
static bool create_bounce_frame(struct vcpu *v, unsigned long handler,
                                bool has_error, uint32_t error_code,
                                bool mask_events, const uint64_t *extra,
                                unsigned int nextra)
{
    struct cpu_user_regs *r = guest_regs();
    vcpu_info_t *vi = v->vcpu_info;
    uint8_t saved_mask = vi->evtchn_upcall_mask;
    uint64_t frame[16], sp, cs = r->cs;
    unsigned int n = 0;

    if (!v->arch.kernel_mode) {
        pv_toggle_guest_mode(v);
        sp = v->arch.kernel_sp;
    } else {
        sp = r->rsp;
        cs &= ~3ULL; /* a kernel-mode frame shows RPL 0 */
    }
    sp &= ~15ULL;

    frame[n++] = r->rcx;
    frame[n++] = r->r11;
    for (unsigned int i = 0; i < nextra; i++)
        frame[n++] = extra[i];
    if (has_error)
        frame[n++] = error_code;
    frame[n++] = r->rip;
    frame[n++] = cs | ((uint64_t)saved_mask << 32);
    frame[n++] = (r->rflags & ~(X86_EFLAGS_IF | X86_EFLAGS_IOPL_MASK)) |
                 (saved_mask ? 0 : X86_EFLAGS_IF);
    frame[n++] = r->rsp;
    frame[n++] = r->ss;
    sp -= n * 8;

    if (sp >= HYPERVISOR_VIRT_START - n * 8 && sp < HYPERVISOR_VIRT_END + 64) {
        domain_crash(v->domain, "bounce frame at %#lx in hypervisor space",
                     (unsigned long)sp);
        return false;
    }
    if (raw_copy_to_guest((void *)sp, frame, n * 8)) {
        domain_crash(v->domain, "cannot write a bounce frame at %#lx",
                     (unsigned long)sp);
        return false;
    }
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
    r->rsp = sp;
    r->rip = handler;
    r->cs = FLAT_KERNEL_CS64;
    r->ss = FLAT_KERNEL_SS;
    r->rflags &= ~(X86_EFLAGS_TF | X86_EFLAGS_NT | X86_EFLAGS_RF |
                   X86_EFLAGS_VM | X86_EFLAGS_AC);
    r->rflags |= X86_EFLAGS_IF;
    /* rcx and r11 are in the frame: the return may clobber them. */
    r->entry_vector |= TRAP_syscall;
    return true;
}

bool pv_inject_trap(struct vcpu *v, unsigned int vector, bool has_error,
                    uint32_t error_code)
{
    const struct trap_info *ti = &v->arch.trap_ctxt[vector];

    v->stats.traps++;
    if (trace_on_domid(PVTRACE_CLASS_TRAP, v->domain->domain_id))
        trace_record(PVTRACE_EV_TRAP, 0, v->domain->domain_id,
                     (uint16_t)v->vcpu_id, vector, error_code,
                     guest_regs()->rip,
                     vector == TRAP_page_fault ? v->arch.cr2 : 0, 0, 0);
    if (!ti->address) {
        domain_crash(v->domain, "unhandled %s (vector %u) with no trap "
                     "handler", trap_name(vector), vector);
        return false;
    }
    return create_bounce_frame(v, ti->address, has_error, error_code,
                               ti->flags & 4, NULL, 0);
}

static void deliver_failsafe(struct vcpu *v)
{
    struct cpu_user_regs *r = guest_regs();
    uint64_t segs[4] = {r->ds, r->es, r->fs, r->gs};

    v->arch.trap_bounce.flags &= ~TBF_FAILSAFE;
    if (!v->arch.failsafe_callback.eip) {
        domain_crash(v->domain, "bad segment selectors and no failsafe "
                     "callback");
        return;
    }
    create_bounce_frame(v, v->arch.failsafe_callback.eip, false, 0,
                        v->arch.failsafe_callback.mask_events, segs, 4);
}

/* ---------------------------------------------------- system calls */

void pv_syscall_entry(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    local_irq_enable();
    if (v->arch.kernel_mode) {
        unsigned long args[5] = {regs->rdi, regs->rsi, regs->rdx, regs->r10,
                                 regs->r8};
        unsigned long nr = regs->rax;

        /* iret answers with the rax it restored. */
        regs->rax = (unsigned long)pv_hypercall(nr, args);
        return;
    }
    /* A system call of the guest's user space: to its kernel. */
    if (!v->arch.syscall_callback.eip) {
        regs->rip -= 2;
        pv_inject_trap(v, TRAP_invalid_op, false, 0);
        return;
    }
    v->stats.traps++;
    if (trace_on_domid(PVTRACE_CLASS_TRAP, v->domain->domain_id))
        trace_record(PVTRACE_EV_TRAP, 0, v->domain->domain_id,
                     (uint16_t)v->vcpu_id, PVTRACE_TRAP_SYSCALL, 0, regs->rip,
                     0, 0, 0);
    create_bounce_frame(v, v->arch.syscall_callback.eip, false, 0,
                        v->arch.syscall_callback.mask_events, NULL, 0);
}

/*
 * A hypercall continuation: back to the `syscall` (two bytes, in the
 * hypercall page or inline) with op and the new arguments in place.
 */
void arch_hypercall_continuation(unsigned long op, const unsigned long a[5])
{
    struct cpu_user_regs *regs = guest_regs();

    regs->rax = op;
    regs->rdi = a[0];
    regs->rsi = a[1];
    regs->rdx = a[2];
    regs->r10 = a[3];
    regs->r8 = a[4];
    regs->rip -= 2;
}

void pv_syscall32_entry(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;

    local_irq_enable();
    if (!v->arch.kernel_mode && v->arch.syscall32_callback.eip) {
        create_bounce_frame(v, v->arch.syscall32_callback.eip, false, 0,
                            v->arch.syscall32_callback.mask_events, NULL, 0);
        return;
    }
    regs->rip -= 2;
    pv_inject_trap(v, TRAP_invalid_op, false, 0);
}

/* ---------------------------------------------------- exceptions */

static void fpu_restore(struct vcpu *v)
{
    asm volatile("clts" ::: "memory");
    if (v->arch.fpu_initialised) {
        asm volatile("fxrstor64 %0" : : "m"(v->arch.fpu_ctxt));
    } else {
        uint32_t mxcsr = 0x1f80;
        asm volatile("fninit; ldmxcsr %0" : : "m"(mxcsr));
        v->arch.fpu_initialised = true;
    }
    v->arch.fpu_dirtied = true;
}

/* A trap taken while the guest ran. */
void do_guest_trap(struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    unsigned int vec = regs->entry_vector;
    /* Before interrupts: a fault in an interrupt handler would change it. */
    unsigned long cr2 = vec == TRAP_page_fault ? read_cr2() : 0;

    local_irq_enable();
    switch (vec) {
    case TRAP_page_fault: {
        uint32_t ec = regs->error_code;

        /* A descriptor in the LDT window (Xen's handle_ldt_mapping_fault). */
        if (pv_ldt_page_fault(v, &cr2))
            return;
        /* A write to one of its L1 tables (ro_page_fault.c). */
        if (pv_ro_page_fault(v, regs, cr2))
            return;

        /* The guest kernel runs at CPL 3: report kernel-mode faults as
         * supervisor accesses, as Xen does. */
        if (v->arch.kernel_mode)
            ec &= ~4U;
        v->arch.cr2 = cr2;
        v->vcpu_info->arch.cr2 = cr2;
        pv_inject_trap(v, vec, true, ec);
        return;
    }
    case TRAP_gp_fault:
        if (pv_emulate_privileged(v, regs))
            return;
        pv_inject_trap(v, vec, true, regs->error_code);
        return;
    case TRAP_invalid_op:
        if (pv_emulate_forced_cpuid(v, regs))
            return;
        pv_inject_trap(v, vec, false, 0);
        return;
    case TRAP_no_device:
        if (!v->arch.cr0_ts) {
            fpu_restore(v);
            return;
        }
        pv_inject_trap(v, vec, false, 0);
        return;
    case TRAP_nmi:
    case TRAP_machine_check:
    case TRAP_double_fault:
        /* Not the guest's doing: report and carry on. */
        printk("d%uv%u: %s while in the guest\n", v->domain->domain_id,
               v->vcpu_id, trap_name(vec));
        return;
    default:
        pv_inject_trap(v, vec, (TRAP_HAS_ERRCODE_MASK >> vec) & 1,
                       regs->error_code);
        return;
    }
}

/*
 * The iretq back to the guest faulted on the frame it was returning to,
 * whose selectors the guest chose with the iret hypercall: as Xen's
 * pre-exception fixup does, the fault is the guest's own, taken at that
 * frame (a #PF in the LDT window first tries to map the LDT page).  The
 * guest's registers were restored when iretq faulted, so regs holds them;
 * its frame from rip up is untouched.
 */
void pv_iret_fault(const struct cpu_user_regs *regs)
{
    struct vcpu *v = current;
    struct cpu_user_regs *g = guest_regs(), live = *regs; /* may overlap */
    unsigned int vec = regs->entry_vector;
    uint32_t ec = regs->error_code;
    /* Before interrupts, as in do_guest_trap(). */
    unsigned long cr2 = vec == TRAP_page_fault ? read_cr2() : 0;

    memcpy(g, &live, offsetof(struct cpu_user_regs, error_code));
    g->entry_vector = vec;
    local_irq_enable();
    if (vec == TRAP_page_fault) {
        if (!pv_ldt_page_fault(v, &cr2)) {
            v->arch.cr2 = cr2;
            v->vcpu_info->arch.cr2 = cr2;
            pv_inject_trap(v, vec, true, v->arch.kernel_mode ? ec & ~4U : ec);
        }
    } else {
        pv_inject_trap(v, vec, (TRAP_HAS_ERRCODE_MASK >> vec) & 1, ec);
    }
    return_to_guest();
}

/* ------------------------------------------------------ exit path */

/*
 * Runs on every way back into a guest, with the guest's frame in
 * cpu_info: softirqs first (they may switch to another vCPU, never to
 * return here), then a failsafe bounce if loading its segments failed,
 * then the event upcall if one is due.  Returns with interrupts off.
 */
void pv_exit_to_guest(void)
{
    unsigned int cpu = smp_processor_id();

    for (;;) {
        struct vcpu *v;

        local_irq_disable();
        if (softirq_pending(cpu)) {
            local_irq_enable();
            do_softirq();
            continue;
        }
        v = current;
        if (v->arch.trap_bounce.flags & TBF_FAILSAFE) {
            local_irq_enable();
            deliver_failsafe(v);
            continue;
        }
        if (local_events_need_delivery(v) && v->arch.event_callback.eip) {
            local_irq_enable();
            if (trace_on_domid(PVTRACE_CLASS_EVTCHN, v->domain->domain_id))
                trace_record(PVTRACE_EV_EVTCHN_UPCALL, 0, v->domain->domain_id,
                             (uint16_t)v->vcpu_id, 0, 0, 0, 0, 0, 0);
            create_bounce_frame(v, v->arch.event_callback.eip, false, 0, true,
                                NULL, 0);
            continue;
        }
        return;
    }
}
