/* SPDX-License-Identifier: MIT */
/*
 * The vcpu_op and set_timer_op hypercalls (public/vcpu.h), and the timers
 * behind them.
 *
 * Each vCPU has a single-shot timer and a periodic timer, both raising
 * VIRQ_TIMER on that vCPU.  As on Xen, a PV vCPU starts with a 10 ms
 * periodic timer, which guests with a single-shot clockevent (Linux)
 * stop.  A single-shot deadline already in the past fires at once, unless
 * the caller set VCPU_SSHOTTMR_future, which gets -ETIME instead.
 */
#include <asm/current.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <asm/uaccess.h>
#include <pvisor/event.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/schedule.h>
#include <pvisor/vcpu_time.h>
#include <xen/errno.h>
#include <xen/vcpu.h>

#define DEFAULT_PERIOD MILLISECS(10)

static void singleshot_fn(void *data)
{
    send_guest_vcpu_virq(data, VIRQ_TIMER);
}

static void periodic_fn(void *data)
{
    struct vcpu *v = data;
    s_time_t now = NOW(), next;

    if (!v->periodic_period)
        return;
    send_guest_vcpu_virq(v, VIRQ_TIMER);
    /* Stay on the period's grid; skip ticks that were missed. */
    next = v->periodic_last + v->periodic_period;
    if (next <= now)
        next = now + v->periodic_period -
               (now - v->periodic_last) % v->periodic_period;
    v->periodic_last = next;
    set_timer(&v->periodic_timer, next);
}

static void poll_timeout_fn(void *data)
{
    vcpu_unblock(data);
}

void vcpu_init_timers(struct vcpu *v)
{
    unsigned int cpu = v->processor;

    timer_init(&v->singleshot_timer, singleshot_fn, v, cpu);
    timer_init(&v->periodic_timer, periodic_fn, v, cpu);
    timer_init(&v->poll_timer, poll_timeout_fn, v, cpu);
    v->periodic_period = DEFAULT_PERIOD;
}

void vcpu_destroy_timers(struct vcpu *v)
{
    stop_timer(&v->singleshot_timer);
    stop_timer(&v->periodic_timer);
    stop_timer(&v->poll_timer);
    v->periodic_period = 0;
}

void vcpu_start_periodic_timer(struct vcpu *v)
{
    if (!v->periodic_period)
        return;
    v->periodic_last = NOW();
    set_timer(&v->periodic_timer, v->periodic_last + v->periodic_period);
}

/*
 * A deadline in system time.  As on Xen, one that wrapped negative or
 * lies more than 2^50 ns (about 13 days) ahead is taken for a guest's
 * jiffies arithmetic gone wrong and becomes an event in 100 ms: neither
 * "never" (the guest may have work due) nor "now" (a guest with no timers
 * would spin).
 */
long do_set_timer_op(unsigned long timeout)
{
    struct vcpu *v = current;
    s_time_t t = (s_time_t)timeout, offset = t - NOW();

    if (!timeout)
        stop_timer(&v->singleshot_timer);
    else if (t < 0 || (offset > 0 && (uint32_t)(offset >> 50) != 0))
        set_timer(&v->singleshot_timer, NOW() + MILLISECS(100));
    else
        set_timer(&v->singleshot_timer, t);
    return 0;
}

/* VCPUOP_register_vcpu_info: the guest's own page holds vcpu_info. */
static long register_vcpu_info(struct vcpu *v,
                               const struct vcpu_register_vcpu_info *info)
{
    struct domain *d = v->domain;
    struct page_info *pg;
    vcpu_info_t *nvi;
    long rc = 0;

    if (info->offset > PAGE_SIZE - sizeof(vcpu_info_t) ||
        (info->offset & 7) || !mfn_valid(info->mfn))
        return -XEN_EINVAL;
    if (v->vcpu_info != &d->shared_info->vcpu_info[v->vcpu_id])
        return -XEN_EINVAL; /* only once per vCPU */
    pg = mfn_to_page(info->mfn);
    mm_lock(d);
    if (get_page_and_type(pg, d, PGT_writable))
        rc = -XEN_EINVAL;
    mm_unlock(d);
    if (rc)
        return rc;
    /* The reference stays for the domain's life, like a mapping. */
    nvi = (vcpu_info_t *)((char *)mfn_to_virt(info->mfn) + info->offset);
    *nvi = *v->vcpu_info;
    smp_wmb();
    v->vcpu_info = nvi;
    return 0;
}

long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg)
{
    struct domain *d = current->domain;
    struct vcpu *v;

    if (vcpuid >= d->max_vcpus || !(v = d->vcpu[vcpuid]))
        return -XEN_ENOENT;

    switch (cmd) {
    case VCPUOP_initialise: {
        struct vcpu_guest_context *c;
        long rc;

        if (!(v->pause_flags & (1UL << VPF_down)))
            return -XEN_EEXIST;
        c = alloc_xenheap_pages(1);
        if (!c)
            return -XEN_ENOMEM;
        if (copy_from_guest_raw(c, arg, sizeof(*c))) {
            free_xenheap_pages(c, 1);
            return -XEN_EFAULT;
        }
        c->flags &= ~VGCF_online; /* VCPUOP_up brings it up */
        vcpu_pause(v);
        rc = arch_set_vcpu_context(v, c);
        vcpu_unpause(v);
        free_xenheap_pages(c, 1);
        return rc;
    }
    case VCPUOP_up:
        if (!v->arch.guest_table)
            return -XEN_EINVAL; /* never initialised */
        if (__atomic_fetch_and(&v->pause_flags, ~(1UL << VPF_down),
                               __ATOMIC_SEQ_CST) & (1UL << VPF_down)) {
            vcpu_start_periodic_timer(v);
            vcpu_wake(v);
        }
        return 0;
    case VCPUOP_down:
        __atomic_fetch_or(&v->pause_flags, 1UL << VPF_down,
                          __ATOMIC_SEQ_CST);
        vcpu_sleep_nosync(v);
        return 0;
    case VCPUOP_is_up:
        return !(v->pause_flags & (1UL << VPF_down));
    case VCPUOP_get_runstate_info: {
        struct vcpu_runstate_info r;

        vcpu_runstate_get(v, &r);
        return copy_struct_to_guest(arg, &r) ? -XEN_EFAULT : 0;
    }
    case VCPUOP_register_runstate_memory_area: {
        struct vcpu_register_runstate_memory_area area;

        if (copy_struct_from_guest(&area, arg))
            return -XEN_EFAULT;
        /* Unmapped is fine (updates then fail quietly); not ours is not. */
        if (!guest_range_ok((unsigned long)area.addr.v,
                            sizeof(struct vcpu_runstate_info)))
            return -XEN_EFAULT;
        v->runstate_guest = (uint64_t)area.addr.v;
        if (v == current)
            vcpu_runstate_area_update(v);
        return 0;
    }
    case VCPUOP_set_periodic_timer: {
        struct vcpu_set_periodic_timer t;

        if (copy_struct_from_guest(&t, arg))
            return -XEN_EFAULT;
        if (t.period_ns < (uint64_t)MILLISECS(1) ||
            t.period_ns > (uint64_t)STIME_DELTA_MAX)
            return -XEN_EINVAL;
        v->periodic_period = (s_time_t)t.period_ns;
        vcpu_start_periodic_timer(v);
        return 0;
    }
    case VCPUOP_stop_periodic_timer:
        v->periodic_period = 0;
        stop_timer(&v->periodic_timer);
        return 0;
    case VCPUOP_set_singleshot_timer: {
        struct vcpu_set_singleshot_timer t;

        if (v != current)
            return -XEN_EINVAL;
        if (copy_struct_from_guest(&t, arg))
            return -XEN_EFAULT;
        if ((t.flags & VCPU_SSHOTTMR_future) &&
            (s_time_t)t.timeout_abs_ns < NOW())
            return -XEN_ETIME;
        set_timer(&v->singleshot_timer, (s_time_t)t.timeout_abs_ns);
        return 0;
    }
    case VCPUOP_stop_singleshot_timer:
        if (v != current)
            return -XEN_EINVAL;
        stop_timer(&v->singleshot_timer);
        return 0;
    case VCPUOP_register_vcpu_info: {
        struct vcpu_register_vcpu_info info;

        if (copy_struct_from_guest(&info, arg))
            return -XEN_EFAULT;
        return register_vcpu_info(v, &info);
    }
    case VCPUOP_get_physid:
        return -XEN_EINVAL; /* privileged domains only */
    default:
        return -XEN_ENOSYS;
    }
}
