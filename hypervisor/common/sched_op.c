/* SPDX-License-Identifier: MIT */
/*
 * The sched_op hypercall (public/sched.h): yield, block, poll, shutdown,
 * remote shutdown, watchdog.  Domain 0 shutting down powers off (or reboots) the
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

void domain_watchdog_fired(void *data)
{
    struct domain *d = data;

    printk("Watchdog timer fired for domain %u\n", d->domain_id);
    domain_shutdown(d, SHUTDOWN_watchdog);
}

/*
 * SCHEDOP_watchdog: id 0 asks for a new timer (answered with its id,
 * 1-based); an id with a timeout re-arms it, with timeout 0 frees it.
 * A timer left to expire shuts the domain down with SHUTDOWN_watchdog.
 */
static long domain_watchdog(struct domain *d, uint32_t id, uint32_t timeout)
{
    long rc = 0;

    if (id > NR_DOMAIN_WATCHDOG_TIMERS)
        return -XEN_EINVAL;
    spin_lock(&d->shutdown_lock);
    if (id == 0) {
        for (id = 0; id < NR_DOMAIN_WATCHDOG_TIMERS; id++)
            if (!(d->watchdog_inuse & (1U << id)))
                break;
        if (id == NR_DOMAIN_WATCHDOG_TIMERS) {
            rc = -XEN_ENOSPC;
        } else {
            d->watchdog_inuse |= 1U << id;
            set_timer(&d->watchdog_timer[id], NOW() + SECONDS(timeout));
            rc = id + 1;
        }
    } else if (!(d->watchdog_inuse & (1U << (id - 1)))) {
        rc = -XEN_EINVAL;
    } else if (timeout == 0) {
        stop_timer(&d->watchdog_timer[id - 1]);
        d->watchdog_inuse &= ~(1U << (id - 1));
    } else {
        set_timer(&d->watchdog_timer[id - 1], NOW() + SECONDS(timeout));
    }
    spin_unlock(&d->shutdown_lock);
    return rc;
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
        /* Looked up first, DOMID_SELF included (it names no domain). */
        t = get_domain_by_id(r.domain_id);
        if (!t)
            return -XEN_ESRCH;
        if (!d->is_privileged) {
            put_domain(t);
            return -XEN_EPERM;
        }
        if (r.reason > SHUTDOWN_MAX) {
            put_domain(t);
            return -XEN_EINVAL;
        }
        domain_shutdown(t, r.reason);
        put_domain(t);
        return 0;
    }
    case SCHEDOP_watchdog: {
        struct sched_watchdog w;

        if (copy_struct_from_guest(&w, arg))
            return -XEN_EFAULT;
        return domain_watchdog(d, w.id, w.timeout);
    }
    case SCHEDOP_pin_override:
        if (!d->is_privileged)
            return -XEN_EPERM;
        return -XEN_ENOSYS; /* domain 0 has no vCPU in the machine */
    default:
        return -XEN_ENOSYS;
    }
}
