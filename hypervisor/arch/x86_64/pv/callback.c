/* SPDX-License-Identifier: MIT */
/*
 * The hypercalls a PV kernel uses to set up its virtual CPU: its virtual
 * IDT (set_trap_table), callbacks (set_callbacks, callback_op), kernel
 * stack (stack_switch), segment bases (set_segment_base), virtual CR0.TS
 * (fpu_taskswitch), debug registers, and the return from a bounce (iret).
 */
#include <asm/current.h>
#include <asm/desc.h>
#include <asm/processor.h>
#include <asm/pv.h>
#include <asm/uaccess.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/callback.h>
#include <xen/errno.h>

static bool canonical(uint64_t a)
{
    return (int64_t)a >> 47 == 0 || (int64_t)a >> 47 == -1;
}

/*
 * Entries are read until one with address 0, however long the list: a
 * later entry for a vector replaces an earlier one.  A long list is
 * preempted and continued from where it stopped.
 */
long do_set_trap_table(unsigned long traps)
{
    struct vcpu *v = current;
    struct trap_info ti;

    /* A null list clears the whole table. */
    if (!traps) {
        memset(v->arch.trap_ctxt, 0, sizeof(v->arch.trap_ctxt));
        return 0;
    }
    for (;;) {
        if (copy_from_guest_raw(&ti, traps, sizeof(ti)))
            return -XEN_EFAULT;
        if (ti.address == 0)
            return 0; /* the end of the list */
        if (!canonical(ti.address))
            return -XEN_EINVAL;
        ti.cs |= 3;
        v->arch.trap_ctxt[ti.vector] = ti;
        traps += sizeof(ti);
        if (hypercall_preempt_check())
            return hypercall_create_continuation(__HYPERVISOR_set_trap_table,
                                                 1, traps);
    }
}

static long register_callback(struct vcpu *v, const struct callback_register *r)
{
    struct pv_callback *cb;

    if (!canonical(r->address))
        return -XEN_EINVAL;
    switch (r->type) {
    case CALLBACKTYPE_event:
        cb = &v->arch.event_callback;
        break;
    case CALLBACKTYPE_failsafe:
        cb = &v->arch.failsafe_callback;
        break;
    case CALLBACKTYPE_syscall:
        cb = &v->arch.syscall_callback;
        break;
    case CALLBACKTYPE_syscall32:
        cb = &v->arch.syscall32_callback;
        break;
    case CALLBACKTYPE_sysenter:
        cb = &v->arch.sysenter_callback;
        break;
    case CALLBACKTYPE_nmi:
        cb = &v->arch.nmi_callback;
        break;
    default:
        return -XEN_ENOSYS;
    }
    cb->eip = r->address;
    cb->mask_events = r->flags & CALLBACKF_mask_events;
    return 0;
}

long do_callback_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;

    switch (cmd) {
    case CALLBACKOP_register: {
        struct callback_register r;

        if (copy_struct_from_guest(&r, arg))
            return -XEN_EFAULT;
        return register_callback(v, &r);
    }
    case CALLBACKOP_unregister: {
        struct callback_unregister u;

        if (copy_struct_from_guest(&u, arg))
            return -XEN_EFAULT;
        switch (u.type) {
        case CALLBACKTYPE_nmi:
            v->arch.nmi_callback.eip = 0;
            v->arch.nmi_callback.mask_events = false;
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
            return -XEN_EINVAL; /* only the NMI callback can go (Xen) */
        default:
            return -XEN_ENOSYS;
        }
    }
    default:
        return -XEN_ENOSYS;
    }
}

/*
 * The old three-callback call.  Like Xen's it always succeeds: each
 * address is registered as CALLBACKOP_register would, and one that would
 * be refused (non-canonical) leaves that callback as it was.
 */
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall)
{
    struct vcpu *v = current;
    const struct callback_register cb[] = {
        {.type = CALLBACKTYPE_event, .address = event},
        {.type = CALLBACKTYPE_failsafe, .address = failsafe},
        {.type = CALLBACKTYPE_syscall, .address = syscall,
         .flags = CALLBACKF_mask_events},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(cb); i++)
        register_callback(v, &cb[i]);
    return 0;
}

long do_stack_switch(unsigned long ss, unsigned long esp)
{
    struct vcpu *v = current;

    v->arch.kernel_ss = ss | 3;
    v->arch.kernel_sp = esp;
    return 0;
}

/* Loads a user GS selector (its base comes from the GDT/LDT); null if bad. */
static void load_user_gs_selector(unsigned long sel)
{
    unsigned long s = sel;

    asm volatile("swapgs\n"
                 "1: mov %w0, %%gs\n"
                 "2: swapgs\n"
                 ".pushsection .fixup, \"ax\"\n"
                 "3: xor %k0, %k0\n"
                 "   mov %w0, %%gs\n"
                 "   jmp 2b\n"
                 ".popsection\n"
                 ".pushsection .ex_table, \"a\"\n"
                 ".balign 8\n"
                 ".quad 1b, 3b\n"
                 ".popsection"
                 : "+r"(s)
                 :
                 : "memory");
}

long do_set_segment_base(unsigned long which, unsigned long base)
{
    struct vcpu *v = current;

    switch (which) {
    case SEGBASE_FS:
        if (!canonical(base))
            return -XEN_EINVAL;
        wrmsr(MSR_FS_BASE, base);
        v->arch.fs_base = base;
        return 0;
    case SEGBASE_GS_USER:
        if (!canonical(base))
            return -XEN_EINVAL;
        wrmsr(MSR_SHADOW_GS_BASE, base);
        v->arch.gs_base_user = base;
        return 0;
    case SEGBASE_GS_KERNEL:
        if (!canonical(base))
            return -XEN_EINVAL;
        wrmsr(MSR_GS_BASE, base);
        v->arch.gs_base_kernel = base;
        return 0;
    case SEGBASE_GS_USER_SEL:
        load_user_gs_selector(base);
        v->arch.gs_base_user = rdmsr(MSR_SHADOW_GS_BASE);
        return 0;
    default:
        return -XEN_EINVAL;
    }
}

long do_fpu_taskswitch(unsigned long arg)
{
    struct vcpu *v = current;
    int set = (int)arg; /* Xen's prototype: int set */

    if (set) {
        v->arch.cr0_ts = X86_CR0_TS;
        pv_fpu_ensure_saved(v);
        write_cr0(read_cr0() | X86_CR0_TS);
    } else {
        v->arch.cr0_ts = 0;
        /* Only give the FPU back if it holds this vCPU's state. */
        if (v->arch.fpu_dirtied)
            asm volatile("clts" ::: "memory");
    }
    return 0;
}

#define DR7_GD            (1UL << 13)
#define DR7_RESERVED_ONE  (1UL << 10)
#define DR7_RESERVED_ZERO ((1UL << 11) | (1UL << 12) | (1UL << 14) | \
                           (1UL << 15) | (0xffffffffUL << 32))

long do_set_debugreg(unsigned long reg, unsigned long value)
{
    struct vcpu *v = current;

    switch (reg) {
    case 0: case 1: case 2: case 3:
        /* Breakpoints may only watch guest addresses. */
        if (!guest_range_ok(value, 1))
            return -XEN_EPERM;
        break;
    case 6:
        value = (value & 0xffffefffUL) | 0xffff0ff0UL;
        break;
    case 7:
        /* General detect is the hypervisor's (Xen: -EPERM, so #GP). */
        if (value & DR7_GD)
            return -XEN_EPERM;
        /* Enabling hardware breakpoints is not offered to guests. */
        if (value & 0xff)
            return -XEN_EPERM;
        value = (value & ~(0xffUL | DR7_RESERVED_ZERO)) | DR7_RESERVED_ONE;
        break;
    default:
        return -XEN_EINVAL;
    }
    v->arch.debugreg[reg] = value;
    return 0;
}

long do_get_debugreg(unsigned long reg)
{
    if (reg > 7 || reg == 4 || reg == 5)
        return -XEN_EINVAL;
    return (long)current->arch.debugreg[reg];
}

/*
 * The iret hypercall: returns from a bounce.  The guest pushed
 * struct iret_context at its stack pointer; a CS with RPL 3 means a
 * return to user mode, which needs a user L4.
 */
long do_iret(void)
{
    struct vcpu *v = current;
    struct cpu_user_regs *r = &get_cpu_info()->guest_cpu_user_regs;
    struct iret_context ic;

    if (copy_from_guest_raw(&ic, r->rsp, sizeof(ic))) {
        domain_crash(v->domain, "iret: unreadable context at %#lx",
                     (unsigned long)r->rsp);
        return 0;
    }
    if ((ic.cs & 3) == 3 && v->arch.kernel_mode) {
        if (!v->arch.guest_table_user) {
            domain_crash(v->domain, "iret to user mode with no user page "
                         "table");
            return 0;
        }
        pv_toggle_guest_mode(v);
    }
    if (!canonical(ic.rip) || !canonical(ic.rsp)) {
        domain_crash(v->domain, "iret to a non-canonical address");
        return 0;
    }
    r->rip = ic.rip;
    r->cs = ic.cs | 3;
    r->rflags = (ic.rflags & ~(X86_EFLAGS_IOPL_MASK | X86_EFLAGS_VM)) |
                X86_EFLAGS_IF;
    r->rsp = ic.rsp;
    r->ss = ic.ss | 3;
    if (!(ic.flags & VGCF_in_syscall)) {
        /* Restore all of them: back by iretq, not sysretq. */
        r->rcx = ic.rcx;
        r->r11 = ic.r11;
        r->entry_vector &= ~TRAP_syscall;
    } else {
        r->entry_vector |= TRAP_syscall;
    }
    r->rax = ic.rax;
    v->vcpu_info->evtchn_upcall_mask = !(ic.rflags & X86_EFLAGS_IF);
    return (long)ic.rax;
}
