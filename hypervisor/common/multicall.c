/* SPDX-License-Identifier: MIT */
/*
 * The multicall hypercall: a batch of hypercalls in one guest entry
 * (public/xen.h struct multicall_entry).  Entries run in order and each
 * result is written back into its entry.  A nested multicall is refused,
 * and an iret ends the batch (it leaves the hypervisor for good).
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
    for (unsigned long i = 0; i < nr; i++) {
        struct multicall_entry e;
        unsigned long args[5];
        unsigned long addr = list + i * sizeof(e);

        if (copy_from_guest_raw(&e, addr, sizeof(e)))
            return -XEN_EFAULT;
        for (unsigned int a = 0; a < 5; a++)
            args[a] = e.args[a];
        if (e.op == __HYPERVISOR_multicall)
            e.result = (xen_ulong_t)-XEN_EINVAL;
        else
            e.result = (xen_ulong_t)pv_hypercall(e.op, args);
        if (copy_to_guest_raw(addr + offsetof(struct multicall_entry, result),
                              &e.result, sizeof(e.result)))
            return -XEN_EFAULT;
        if (e.op == __HYPERVISOR_iret)
            break;
        /* A vCPU that shut down or crashed stops here. */
        if (current->domain->is_shut_down)
            break;
    }
    return 0;
}
