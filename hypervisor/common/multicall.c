/* SPDX-License-Identifier: MIT */
/*
 * The multicall hypercall: a batch of hypercalls in one guest entry
 * (public/xen.h struct multicall_entry).  Entries run in order and each
 * result is written back into its entry.  A nested multicall is refused,
 * and an iret ends the batch (it leaves the hypervisor for good).
 *
 * A long batch is preempted between entries, and a sub-call that is
 * preempted itself has its new arguments written back into its entry;
 * either way the multicall continues from that entry (as Xen's does).
 */
#include <asm/current.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <xen/errno.h>
#include <xen/xen.h>

long do_multicall(unsigned long list, unsigned long nr)
{
    struct vcpu *v = current;
    unsigned int nr_calls = (unsigned int)nr; /* Xen: uint32_t nr_calls */
    unsigned int i;
    long rc = 0;

    if (v->mc_flags & MCSF_in_multicall)
        return -XEN_EINVAL; /* reached through a sub-call: never nest */
    v->mc_flags = MCSF_in_multicall;
    for (i = 0; i < nr_calls; i++) {
        struct multicall_entry e;
        unsigned long args[5];
        unsigned long addr = list + (unsigned long)i * sizeof(e);

        if (i && hypercall_preempt_check())
            goto preempted;
        if (copy_from_guest_raw(&e, addr, sizeof(e))) {
            rc = -XEN_EFAULT;
            break;
        }
        for (unsigned int a = 0; a < 5; a++)
            args[a] = e.args[a];
        if (e.op == __HYPERVISOR_multicall)
            e.result = (xen_ulong_t)-XEN_EINVAL;
        else
            e.result = (xen_ulong_t)pv_hypercall(e.op, args);
        if (v->mc_flags & MCSF_call_preempted) {
            /* The entry itself becomes its continuation. */
            v->mc_flags &= ~MCSF_call_preempted;
            for (unsigned int a = 0; a < 5; a++)
                e.args[a] = v->mc_args[a];
            if (copy_to_guest_raw(addr, &e, sizeof(e))) {
                rc = -XEN_EFAULT;
                break;
            }
            goto preempted;
        }
        if (copy_to_guest_raw(addr + offsetof(struct multicall_entry, result),
                              &e.result, sizeof(e.result))) {
            rc = -XEN_EFAULT;
            break;
        }
        if (e.op == __HYPERVISOR_iret) {
            rc = (long)e.result; /* the rax iret restored: keep it */
            break;
        }
        /* A vCPU that shut down or crashed stops here. */
        if (v->domain->is_shut_down)
            break;
    }
    v->mc_flags = 0;
    return rc;

preempted:
    v->mc_flags = 0;
    return hypercall_create_continuation(
        __HYPERVISOR_multicall, 2, list + (unsigned long)i *
        sizeof(struct multicall_entry), (unsigned long)(nr_calls - i));
}
