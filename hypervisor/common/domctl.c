/* SPDX-License-Identifier: MIT */
/*
 * The domctl hypercall (public/domctl.h): the control domain's management
 * of other domains -- create, destroy, pause, unpause, inspect, size, set
 * up vCPUs and scheduling.  Privileged; every operation takes a reference
 * on the domain it names for as long as it works on it.
 */
#include <asm/current.h>
#include <asm/pv.h>
#include <asm/pv_mm.h>
#include <pvisor/domain_table.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/sched_policy.h>
#include <pvisor/schedule.h>
#include <pvisor/vcpu_time.h>
#include <xen/domctl.h>
#include <xen/errno.h>

/* The domain with id, live or dying, with a reference; NULL if none. */
static struct domain *get_any_domain(domid_t id)
{
    struct domain *d;

    spin_lock(&domlist_lock);
    d = domain_by_id(id);
    if (d)
        get_domain(d);
    spin_unlock(&domlist_lock);
    return d;
}

void getdomaininfo(struct domain *d, struct xen_domctl_getdomaininfo *info)
{
    uint64_t cpu_time = 0;
    unsigned int online = 0, max_id = 0;
    bool blocked = true, running = false;

    memset(info, 0, sizeof(*info));
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];

        if (!v)
            continue;
        cpu_time += vcpu_cpu_time(v);
        max_id = i;
        if (!(v->pause_flags & (1UL << VPF_down))) {
            online++;
            if (!(v->pause_flags & (1UL << VPF_blocked)))
                blocked = false;
            /*
             * Running or runnable: dom0's requests are served between
             * guest time slices, when no guest vCPU is on this CPU, so
             * Xen's strict "on a CPU now" would hide every busy domain.
             */
            if (v->is_running ||
                v->runstate.state == RUNSTATE_running ||
                v->runstate.state == RUNSTATE_runnable)
                running = true;
        }
    }
    info->domain = d->domain_id;
    info->flags = (d->state != DOMSTATE_active ? XEN_DOMINF_dying : 0) |
                  (d->is_shut_down ? XEN_DOMINF_shutdown : 0) |
                  (d->pause_count ? XEN_DOMINF_paused : 0) |
                  (online && blocked ? XEN_DOMINF_blocked : 0) |
                  (running ? XEN_DOMINF_running : 0) |
                  ((d->shutdown_code & XEN_DOMINF_shutdownmask)
                   << XEN_DOMINF_shutdownshift);
    info->tot_pages = d->tot_pages;
    info->max_pages = d->max_pages;
    info->shared_info_frame = d->shared_info ? virt_to_mfn(d->shared_info) : 0;
    info->cpu_time = cpu_time;
    info->nr_online_vcpus = online;
    info->max_vcpu_id = d->max_vcpus ? max_id : XEN_INVALID_MAX_VCPU_ID;
    memcpy(info->handle, d->handle, sizeof(info->handle));
    info->gpaddr_bits = 52;
}

static long set_vcpu_context(struct domain *d, struct xen_domctl_vcpucontext *vc)
{
    struct vcpu_guest_context *c;
    struct vcpu *v;
    long rc;

    if (vc->vcpu >= d->max_vcpus || !(v = d->vcpu[vc->vcpu]))
        return -XEN_EINVAL;
    c = alloc_xenheap_pages(1);
    if (!c)
        return -XEN_ENOMEM;
    BUILD_BUG_ON(sizeof(*c) > 2 * PAGE_SIZE);
    if (copy_from_guest_raw(c, (unsigned long)vc->ctxt.p, sizeof(*c))) {
        free_xenheap_pages(c, 1);
        return -XEN_EFAULT;
    }
    vcpu_pause(v);
    rc = arch_set_vcpu_context(v, c);
    if (!rc && !(v->pause_flags & (1UL << VPF_down)))
        vcpu_start_periodic_timer(v);
    vcpu_unpause(v);
    free_xenheap_pages(c, 1);
    return rc;
}

static long get_vcpu_context(struct domain *d, struct xen_domctl_vcpucontext *vc)
{
    struct vcpu_guest_context *c;
    struct vcpu *v;
    long rc = 0;

    if (vc->vcpu >= d->max_vcpus || !(v = d->vcpu[vc->vcpu]))
        return -XEN_EINVAL;
    c = alloc_xenheap_pages(1);
    if (!c)
        return -XEN_ENOMEM;
    vcpu_pause(v);
    arch_get_vcpu_context(v, c);
    vcpu_unpause(v);
    if (copy_to_guest_raw((unsigned long)vc->ctxt.p, c, sizeof(*c)))
        rc = -XEN_EFAULT;
    free_xenheap_pages(c, 1);
    return rc;
}

static long scheduler_op(struct domain *d, struct xen_domctl_scheduler_op *op)
{
    if (op->sched_id != XEN_SCHEDULER_CREDIT)
        return -XEN_EINVAL;
    switch (op->cmd) {
    case XEN_DOMCTL_SCHEDOP_getinfo:
        op->u.credit.weight = (uint16_t)d->sched_weight;
        op->u.credit.cap = (uint16_t)d->sched_cap;
        return 0;
    case XEN_DOMCTL_SCHEDOP_putinfo: {
        uint32_t w = op->u.credit.weight ? op->u.credit.weight
                                         : d->sched_weight;
        uint32_t cap = op->u.credit.cap;

        if (w < 1 || cap > 100 * MAX_VIRT_CPUS)
            return -XEN_EINVAL;
        sched_set_domain_params(d, w, cap);
        return 0;
    }
    default:
        return -XEN_EINVAL;
    }
}

long do_domctl(unsigned long arg)
{
    struct xen_domctl op;
    struct domain *d = NULL;
    long rc = 0;
    bool copyback = false;

    if (copy_struct_from_guest(&op, arg))
        return -XEN_EFAULT;
    if (op.interface_version != XEN_DOMCTL_INTERFACE_VERSION)
        return -XEN_EACCES;

    if (op.cmd == XEN_DOMCTL_createdomain) {
        struct xen_domctl_createdomain *c = &op.u.createdomain;
        int err;

        if ((c->flags & (XEN_DOMCTL_CDF_hvm | XEN_DOMCTL_CDF_hap)) ||
            c->max_vcpus < 1 || c->max_vcpus > MAX_VIRT_CPUS)
            return -XEN_EINVAL;
        d = domain_create(op.domain, 0, c, &err);
        if (!d)
            return err;
        op.domain = d->domain_id;
        return copy_struct_to_guest(arg, &op) ? -XEN_EFAULT : 0;
    }

    if (op.cmd == XEN_DOMCTL_getdomaininfo) {
        /* The first domain whose id is op.domain or more, as Xen does. */
        spin_lock(&domlist_lock);
        for (unsigned int id = op.domain; id < DOMID_FIRST_RESERVED; id++)
            if ((d = domain_by_id((domid_t)id))) {
                get_domain(d);
                break;
            }
        spin_unlock(&domlist_lock);
        if (!d)
            return -XEN_ESRCH;
        getdomaininfo(d, &op.u.getdomaininfo);
        op.domain = d->domain_id;
        put_domain(d);
        return copy_struct_to_guest(arg, &op) ? -XEN_EFAULT : 0;
    }

    d = get_any_domain(op.domain);
    if (!d)
        return -XEN_ESRCH;

    switch (op.cmd) {
    case XEN_DOMCTL_destroydomain:
        rc = d == current->domain || d == dom0 ? -XEN_EINVAL : domain_kill(d);
        break;
    case XEN_DOMCTL_pausedomain:
        if (d == current->domain || d->state != DOMSTATE_active)
            rc = -XEN_EINVAL;
        else
            domain_pause(d);
        break;
    case XEN_DOMCTL_unpausedomain:
        if (d->state != DOMSTATE_active || !d->pause_count)
            rc = -XEN_EINVAL;
        else
            domain_unpause(d);
        break;
    case XEN_DOMCTL_max_mem:
        spin_lock(&d->page_alloc_lock);
        d->max_pages = op.u.max_mem.max_memkb >> (PAGE_SHIFT - 10);
        spin_unlock(&d->page_alloc_lock);
        break;
    case XEN_DOMCTL_setvcpucontext:
        rc = d->state == DOMSTATE_active
                 ? set_vcpu_context(d, &op.u.vcpucontext)
                 : -XEN_EINVAL;
        break;
    case XEN_DOMCTL_getvcpucontext:
        rc = get_vcpu_context(d, &op.u.vcpucontext);
        break;
    case XEN_DOMCTL_getvcpuinfo: {
        struct xen_domctl_getvcpuinfo *vi = &op.u.getvcpuinfo;
        struct vcpu *v;

        if (vi->vcpu >= d->max_vcpus || !(v = d->vcpu[vi->vcpu])) {
            rc = -XEN_EINVAL;
            break;
        }
        vi->online = !(v->pause_flags & (1UL << VPF_down));
        vi->blocked = !!(v->pause_flags & (1UL << VPF_blocked));
        vi->running = v->is_running;
        vi->cpu_time = vcpu_cpu_time(v);
        vi->cpu = v->processor;
        copyback = true;
        break;
    }
    case XEN_DOMCTL_max_vcpus:
        rc = op.u.max_vcpus.max == d->max_vcpus ? 0 : -XEN_EINVAL;
        break;
    case XEN_DOMCTL_scheduler_op:
        rc = scheduler_op(d, &op.u.scheduler_op);
        copyback = !rc;
        break;
    case XEN_DOMCTL_setdomainhandle:
        memcpy(d->handle, op.u.setdomainhandle.handle, sizeof(d->handle));
        break;
    case XEN_DOMCTL_hypercall_init:
        mm_lock(d);
        rc = pv_init_hypercall_page(d, op.u.hypercall_init.gmfn);
        mm_unlock(d);
        break;
    case XEN_DOMCTL_settimeoffset:
        break; /* PV guests keep their own offset from the wallclock */
    default:
        rc = -XEN_ENOSYS;
        break;
    }
    put_domain(d);
    if (!rc && copyback && copy_struct_to_guest(arg, &op))
        rc = -XEN_EFAULT;
    return rc;
}
