/* SPDX-License-Identifier: MIT */
/*
 * The sched_op hypercall (public/sched.h).  So far only the control
 * domain's SCHEDOP_shutdown exists: as on Xen, domain 0 shutting down
 * powers off (or reboots) the whole machine.  Other sub-operations answer
 * -ENOSYS until guests have vCPUs to schedule.
 */
#include <asm/current.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/setup.h>
#include <xen/errno.h>
#include <xen/sched.h>

long do_sched_op(unsigned long cmd, unsigned long arg)
{
    struct domain *d = current->domain;

    switch (cmd) {
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;

        if (copy_struct_from_guest(&s, arg))
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        if (d->domain_id == 0)
            machine_shutdown(s.reason);
        return -XEN_ENOSYS;
    }
    default:
        return -XEN_ENOSYS;
    }
}
