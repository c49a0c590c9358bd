/* SPDX-License-Identifier: MIT */
/*
 * The sched_op hypercall (public/sched.h): yield, block, poll, shutdown,
 * remote shutdown.  Domain 0 shutting down powers off (or reboots) the
 * whole machine, as on Xen.
 */
#include <asm/current.h>
#include <pvisor/event.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched.h>
#include <pvisor/schedule.h>
#include <pvisor/setup.h>
#include <pvisor/softirq.h>
#include <xen/errno.h>
#include <xen/sched.h>

static long sched_poll(struct vcpu *v, unsigned long arg)
{
    struct sched_poll p;
    struct domain *d = v->domain;

    if (copy_struct_from_guest(&p, arg))
        return -XEN_EFAULT;
    if (p.nr_ports > ARRAY_SIZE(v->poll_ports))
        return -XEN_EINVAL;
    if (copy_from_guest_raw(v->poll_ports, (unsigned long)p.ports.p,
                            p.nr_ports * sizeof(evtchn_port_t)))
        return -XEN_EFAULT;
    for (unsigned int i = 0; i < p.nr_ports; i++)
        if (v->poll_ports[i] > d->max_evtchn_port)
            return -XEN_EINVAL;

    __atomic_fetch_or(&v->pause_flags, 1UL << VPF_blocked, __ATOMIC_SEQ_CST);
    __atomic_store_n(&v->poll_nr, p.nr_ports, __ATOMIC_SEQ_CST);
    /* Already deliverable or pending: no sleep. */
    if (local_events_need_delivery(v) ||
        evtchn_any_pending(d, v->poll_ports, p.nr_ports)) {
        v->poll_nr = 0;
        __atomic_fetch_and(&v->pause_flags, ~(1UL << VPF_blocked),
                           __ATOMIC_SEQ_CST);
        return 0;
    }
    if (p.timeout)
        set_timer(&v->poll_timer, (s_time_t)p.timeout);
    raise_softirq(SCHEDULE_SOFTIRQ);
    /*
     * The vCPU sleeps on the way out; when it runs again (an event or the
     * timeout) the hypercall has returned 0.  poll_nr is cleared by the
     * next sched_op or poll; stale entries only cause an extra wake-up.
     */
    return 0;
}

long do_sched_op(unsigned long cmd, unsigned long arg)
{
    struct vcpu *v = current;
    struct domain *d = v->domain;

    v->poll_nr = 0;
    stop_timer(&v->poll_timer);
    switch (cmd) {
    case SCHEDOP_yield:
        raise_softirq(SCHEDULE_SOFTIRQ);
        return 0;
    case SCHEDOP_block:
        if (is_link_vcpu(v))
            return -XEN_EINVAL;
        /* Blocking enables event delivery (Xen's SCHEDOP_block). */
        v->vcpu_info->evtchn_upcall_mask = 0;
        vcpu_block();
        return 0;
    case SCHEDOP_poll:
        if (is_link_vcpu(v))
            return -XEN_EINVAL;
        return sched_poll(v, arg);
    case SCHEDOP_shutdown: {
        struct sched_shutdown s;

        if (copy_struct_from_guest(&s, arg))
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        if (d == dom0)
            machine_shutdown(s.reason);
        domain_shutdown(d, s.reason);
        return 0;
    }
    case SCHEDOP_shutdown_code: {
        struct sched_shutdown s;

        if (copy_struct_from_guest(&s, arg))
            return -XEN_EFAULT;
        if (s.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        d->shutdown_code = s.reason;
        return 0;
    }
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown r;
        struct domain *t;

        if (copy_struct_from_guest(&r, arg))
            return -XEN_EFAULT;
        if (!d->is_privileged)
            return -XEN_EPERM;
        if (r.reason > SHUTDOWN_MAX)
            return -XEN_EINVAL;
        t = get_domain_by_id(r.domain_id);
        if (!t)
            return -XEN_ESRCH;
        domain_shutdown(t, r.reason);
        put_domain(t);
        return 0;
    }
    default:
        return -XEN_ENOSYS;
    }
}
