/* SPDX-License-Identifier: MIT */
/*
 * The hypercall table: one row per implemented hypercall with its handler,
 * argument count and privilege class.  Every other number answers
 * -ENOSYS.  The privilege class is a first gate only: each handler still
 * checks the caller's rights on every object it touches.
 *
 * Calls from PV guests arrive by `syscall` in guest-kernel mode (or
 * through the hypercall page, which does the same); calls from domain 0
 * arrive over the dom0 link.  Both run through hypercall_dispatch().
 */
#include <asm/current.h>
#include <pvisor/event.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/softirq.h>
#include <pvisor/trace.h>
#include <asm/processor.h>
#include <pvisor/vcpu_time.h>
#include <xen/errno.h>
#include <xen/xen.h>

enum hc_priv {
    HC_ANY,  /* any domain */
    HC_PRIV, /* the privileged control domain only */
    HC_PV,   /* PV guests only (needs a vCPU in the machine) */
};

struct hypercall_entry {
    long (*fn)();
    uint8_t nargs;
    uint8_t priv;
    const char *name;
};

#define HC(nr, handler, n, p) [nr] = {(long (*)())(handler), n, p, #handler}

static const struct hypercall_entry hypercall_table[] = {
    HC(__HYPERVISOR_set_trap_table, do_set_trap_table, 1, HC_PV),
    HC(__HYPERVISOR_mmu_update, do_mmu_update, 4, HC_ANY),
    HC(__HYPERVISOR_set_gdt, do_set_gdt, 2, HC_PV),
    HC(__HYPERVISOR_stack_switch, do_stack_switch, 2, HC_PV),
    HC(__HYPERVISOR_set_callbacks, do_set_callbacks, 3, HC_PV),
    HC(__HYPERVISOR_fpu_taskswitch, do_fpu_taskswitch, 1, HC_PV),
    HC(__HYPERVISOR_platform_op, do_platform_op, 1, HC_ANY),
    HC(__HYPERVISOR_set_debugreg, do_set_debugreg, 2, HC_PV),
    HC(__HYPERVISOR_get_debugreg, do_get_debugreg, 1, HC_PV),
    HC(__HYPERVISOR_update_descriptor, do_update_descriptor, 2, HC_PV),
    HC(__HYPERVISOR_memory_op, do_memory_op, 2, HC_ANY),
    HC(__HYPERVISOR_multicall, do_multicall, 2, HC_ANY),
    HC(__HYPERVISOR_update_va_mapping, do_update_va_mapping, 3, HC_PV),
    HC(__HYPERVISOR_set_timer_op, do_set_timer_op, 1, HC_PV),
    HC(__HYPERVISOR_xen_version, do_xen_version, 2, HC_ANY),
    HC(__HYPERVISOR_console_io, do_console_io, 3, HC_ANY),
    HC(__HYPERVISOR_vm_assist, do_vm_assist, 2, HC_PV),
    HC(__HYPERVISOR_grant_table_op, do_grant_table_op, 3, HC_ANY),
    HC(__HYPERVISOR_update_va_mapping_otherdomain,
       do_update_va_mapping_otherdomain, 4, HC_PV),
    HC(__HYPERVISOR_iret, do_iret, 0, HC_PV),
    HC(__HYPERVISOR_vcpu_op, do_vcpu_op, 3, HC_PV),
    HC(__HYPERVISOR_set_segment_base, do_set_segment_base, 2, HC_PV),
    HC(__HYPERVISOR_mmuext_op, do_mmuext_op, 4, HC_ANY),
    HC(__HYPERVISOR_sched_op, do_sched_op, 2, HC_ANY),
    HC(__HYPERVISOR_callback_op, do_callback_op, 2, HC_PV),
    HC(__HYPERVISOR_event_channel_op, do_event_channel_op, 2, HC_ANY),
    HC(__HYPERVISOR_physdev_op, do_physdev_op, 2, HC_PV),
    HC(__HYPERVISOR_sysctl, do_sysctl, 1, HC_PRIV),
    HC(__HYPERVISOR_domctl, do_domctl, 1, HC_PRIV),
};

const char *hypercall_name(unsigned long op)
{
    if (op < ARRAY_SIZE(hypercall_table) && hypercall_table[op].fn)
        return hypercall_table[op].name + 3; /* drop "do_" */
    return "unknown";
}

static long call(const struct hypercall_entry *e, const unsigned long a[5])
{
    switch (e->nargs) {
    case 0:
        return e->fn();
    case 1:
        return e->fn(a[0]);
    case 2:
        return e->fn(a[0], a[1]);
    case 3:
        return e->fn(a[0], a[1], a[2]);
    case 4:
        return e->fn(a[0], a[1], a[2], a[3]);
    default:
        return e->fn(a[0], a[1], a[2], a[3], a[4]);
    }
}

long hypercall_dispatch(unsigned long op, const unsigned long a[5])
{
    const struct hypercall_entry *e;
    struct vcpu *v = current;

    if (op >= ARRAY_SIZE(hypercall_table) || !hypercall_table[op].fn)
        return -XEN_ENOSYS;
    e = &hypercall_table[op];
    if (e->priv == HC_PRIV && !v->domain->is_privileged)
        return -XEN_EPERM;
    if (e->priv == HC_PV && is_link_vcpu(v))
        return -XEN_ENOSYS; /* dom0 has no vCPU in the machine */
    v->stats.hypercalls++;
    if (trace_on_domid(PVTRACE_CLASS_HCALL, v->domain->domain_id)) {
        uint64_t t0 = rdtsc();
        uint8_t flags = v->mc_flags & MCSF_in_multicall ? PVTRACE_F_NESTED
                                                         : 0;
        long rc;

        v->hcall_continued = false;
        rc = call(e, a);
        if (v->hcall_continued)
            flags |= PVTRACE_F_CONTINUED;
        trace_record(PVTRACE_EV_HCALL, flags, v->domain->domain_id,
                     (uint16_t)v->vcpu_id, op, a[0], a[1], a[2],
                     (uint64_t)rc, t0);
        return rc;
    }
    return call(e, a);
}

/*
 * Whether a long hypercall should stop and continue later: the CPU has
 * softirq work (a timer, a reschedule), or the guest has an event it
 * would take at once.  Callers check only after making some progress.
 */
bool hypercall_preempt_check(void)
{
    struct vcpu *v = current;

    if (is_link_vcpu(v))
        return false;
    return softirq_pending(smp_processor_id()) ||
           local_events_need_delivery(v);
}

long hypercall_create_continuation(unsigned long op, unsigned int nargs, ...)
{
    struct vcpu *v = current;
    unsigned long a[5] = {0};
    va_list ap;

    va_start(ap, nargs);
    for (unsigned int i = 0; i < nargs && i < 5; i++)
        a[i] = va_arg(ap, unsigned long);
    va_end(ap);
    if (v->mc_flags & MCSF_in_multicall) {
        v->mc_flags |= MCSF_call_preempted;
        for (unsigned int i = 0; i < 5; i++)
            v->mc_args[i] = a[i];
    } else {
        arch_hypercall_continuation(op, a);
    }
    v->hcall_continued = true;
    return (long)op; /* what the guest's rax holds when it re-issues */
}
