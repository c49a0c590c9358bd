/* SPDX-License-Identifier: MIT */
/*
 * Domain control (the libxenctrl part of libpvctrl that manages domains):
 * thin wrappers around XEN_DOMCTL_*, memory_op and mmuext_op, each
 * passing its argument in a hypercall buffer.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <xen/memory.h>
#include <xen/event_channel.h>
#include <xen/sched.h>

#include "pvctrl_priv.h"

int pvctrl__domctl(struct pvctrl *xc, struct xen_domctl *op)
{
    struct xen_domctl *hb = pvcall_alloc_buffer(xc->call, sizeof(*hb));
    long rc;

    if (!hb)
        return -ENOMEM;
    op->interface_version = XEN_DOMCTL_INTERFACE_VERSION;
    *hb = *op;
    rc = pvcall_hypercall(xc->call, __HYPERVISOR_domctl,
                          pvcall_buffer_addr(xc->call, hb), 0, 0, 0, 0);
    *op = *hb;
    pvcall_free_buffer(xc->call, hb);
    return (int)rc;
}

int pvctrl_domain_create(struct pvctrl *xc, uint32_t *domid,
                         const struct xen_domctl_createdomain *config)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_createdomain,
                            .domain = (domid_t)*domid};
    int rc;

    op.u.createdomain = *config;
    rc = pvctrl__domctl(xc, &op);
    if (!rc)
        *domid = op.domain;
    return rc;
}

static int simple_domctl(struct pvctrl *xc, uint32_t cmd, uint32_t domid)
{
    struct xen_domctl op = {.cmd = cmd, .domain = (domid_t)domid};

    return pvctrl__domctl(xc, &op);
}

int pvctrl_domain_destroy(struct pvctrl *xc, uint32_t domid)
{
    return simple_domctl(xc, XEN_DOMCTL_destroydomain, domid);
}

int pvctrl_domain_pause(struct pvctrl *xc, uint32_t domid)
{
    return simple_domctl(xc, XEN_DOMCTL_pausedomain, domid);
}

int pvctrl_domain_unpause(struct pvctrl *xc, uint32_t domid)
{
    return simple_domctl(xc, XEN_DOMCTL_unpausedomain, domid);
}

int pvctrl_domain_shutdown(struct pvctrl *xc, uint32_t domid, int reason)
{
    struct sched_remote_shutdown *hb =
        pvcall_alloc_buffer(xc->call, sizeof(*hb));
    long rc;

    if (!hb)
        return -ENOMEM;
    hb->domain_id = (domid_t)domid;
    hb->reason = (unsigned int)reason;
    rc = pvcall_hypercall(xc->call, __HYPERVISOR_sched_op,
                          SCHEDOP_remote_shutdown,
                          pvcall_buffer_addr(xc->call, hb), 0, 0, 0);
    pvcall_free_buffer(xc->call, hb);
    return (int)rc;
}

int pvctrl_domain_setmaxmem(struct pvctrl *xc, uint32_t domid,
                            uint64_t max_kb)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_max_mem, .domain = (domid_t)domid};

    op.u.max_mem.max_memkb = max_kb;
    return pvctrl__domctl(xc, &op);
}

int pvctrl_domain_getinfo(struct pvctrl *xc, uint32_t first,
                          struct xen_domctl_getdomaininfo *info)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getdomaininfo,
                            .domain = (domid_t)first};
    int rc = pvctrl__domctl(xc, &op);

    if (!rc)
        *info = op.u.getdomaininfo;
    return rc;
}

int pvctrl_vcpu_setcontext(struct pvctrl *xc, uint32_t domid, uint32_t vcpu,
                           const vcpu_guest_context_t *ctx)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_setvcpucontext,
                            .domain = (domid_t)domid};
    vcpu_guest_context_t *hb = pvcall_alloc_buffer(xc->call, sizeof(*hb));
    int rc;

    if (!hb)
        return -ENOMEM;
    *hb = *ctx;
    op.u.vcpucontext.vcpu = vcpu;
    set_xen_guest_handle(op.u.vcpucontext.ctxt,
                         (vcpu_guest_context_t *)(uintptr_t)
                             pvcall_buffer_addr(xc->call, hb));
    rc = pvctrl__domctl(xc, &op);
    pvcall_free_buffer(xc->call, hb);
    return rc;
}

int pvctrl_vcpu_getinfo(struct pvctrl *xc, uint32_t domid, uint32_t vcpu,
                        struct xen_domctl_getvcpuinfo *info)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_getvcpuinfo,
                            .domain = (domid_t)domid};
    int rc;

    op.u.getvcpuinfo.vcpu = vcpu;
    rc = pvctrl__domctl(xc, &op);
    if (!rc)
        *info = op.u.getvcpuinfo;
    return rc;
}

int pvctrl_domain_hypercall_init(struct pvctrl *xc, uint32_t domid,
                                 uint64_t mfn)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_hypercall_init,
                            .domain = (domid_t)domid};

    op.u.hypercall_init.gmfn = mfn;
    return pvctrl__domctl(xc, &op);
}

static int sched_credit(struct pvctrl *xc, uint32_t domid, uint32_t cmd,
                        struct xen_domctl_sched_credit *c)
{
    struct xen_domctl op = {.cmd = XEN_DOMCTL_scheduler_op,
                            .domain = (domid_t)domid};
    int rc;

    op.u.scheduler_op.sched_id = XEN_SCHEDULER_CREDIT;
    op.u.scheduler_op.cmd = cmd;
    op.u.scheduler_op.u.credit = *c;
    rc = pvctrl__domctl(xc, &op);
    if (!rc)
        *c = op.u.scheduler_op.u.credit;
    return rc;
}

int pvctrl_sched_credit_get(struct pvctrl *xc, uint32_t domid,
                            struct xen_domctl_sched_credit *c)
{
    return sched_credit(xc, domid, XEN_DOMCTL_SCHEDOP_getinfo, c);
}

int pvctrl_sched_credit_set(struct pvctrl *xc, uint32_t domid,
                            const struct xen_domctl_sched_credit *c)
{
    struct xen_domctl_sched_credit tmp = *c;

    return sched_credit(xc, domid, XEN_DOMCTL_SCHEDOP_putinfo, &tmp);
}

#define POPULATE_CHUNK 4096

long pvctrl_populate_physmap(struct pvctrl *xc, uint32_t domid,
                             unsigned long nr, unsigned int order,
                             xen_pfn_t *pfns)
{
    struct xen_memory_reservation *r = pvcall_alloc_buffer(xc->call, sizeof(*r));
    xen_pfn_t *list = pvcall_alloc_buffer(xc->call,
                                          POPULATE_CHUNK * sizeof(xen_pfn_t));
    unsigned long done = 0;
    long rc = 0;

    if (!r || !list) {
        pvcall_free_buffer(xc->call, r);
        pvcall_free_buffer(xc->call, list);
        return -ENOMEM;
    }
    while (done < nr) {
        unsigned long n = nr - done < POPULATE_CHUNK ? nr - done : POPULATE_CHUNK;

        memcpy(list, pfns + done, n * sizeof(xen_pfn_t));
        memset(r, 0, sizeof(*r));
        set_xen_guest_handle(r->extent_start,
                             (xen_pfn_t *)(uintptr_t)
                                 pvcall_buffer_addr(xc->call, list));
        r->nr_extents = n;
        r->extent_order = order;
        r->domid = (domid_t)domid;
        rc = pvcall_hypercall(xc->call, __HYPERVISOR_memory_op,
                              XENMEM_populate_physmap,
                              pvcall_buffer_addr(xc->call, r), 0, 0, 0);
        if (rc < 0)
            break;
        memcpy(pfns + done, list, (size_t)rc * sizeof(xen_pfn_t));
        done += (unsigned long)rc;
        if ((unsigned long)rc < n) {
            rc = -ENOMEM; /* the domain's limit, or the machine's */
            break;
        }
    }
    pvcall_free_buffer(xc->call, r);
    pvcall_free_buffer(xc->call, list);
    return rc < 0 && done == 0 ? rc : (long)done;
}

static int mmuext(struct pvctrl *xc, uint32_t domid, unsigned int cmd,
                  uint64_t mfn)
{
    struct mmuext_op *op = pvcall_alloc_buffer(xc->call, sizeof(*op));
    long rc;

    if (!op)
        return -ENOMEM;
    op->cmd = cmd;
    op->arg1.mfn = mfn;
    rc = pvcall_hypercall(xc->call, __HYPERVISOR_mmuext_op,
                          pvcall_buffer_addr(xc->call, op), 1, 0, domid, 0);
    pvcall_free_buffer(xc->call, op);
    return (int)rc;
}

int pvctrl_pin_table(struct pvctrl *xc, uint32_t domid, int level,
                     uint64_t mfn)
{
    if (level < 1 || level > 4)
        return -EINVAL;
    return mmuext(xc, domid, MMUEXT_PIN_L1_TABLE + (unsigned int)level - 1, mfn);
}

int pvctrl_unpin_table(struct pvctrl *xc, uint32_t domid, uint64_t mfn)
{
    return mmuext(xc, domid, MMUEXT_UNPIN_TABLE, mfn);
}

int pvctrl_evtchn_alloc_unbound(struct pvctrl *xc, uint32_t domid,
                                uint32_t remote_domid)
{
    struct evtchn_alloc_unbound *a = pvcall_alloc_buffer(xc->call, sizeof(*a));
    long rc;

    if (!a)
        return -ENOMEM;
    a->dom = (domid_t)domid;
    a->remote_dom = (domid_t)remote_domid;
    rc = pvcall_hypercall(xc->call, __HYPERVISOR_event_channel_op,
                          EVTCHNOP_alloc_unbound,
                          pvcall_buffer_addr(xc->call, a), 0, 0, 0);
    if (!rc)
        rc = (long)a->port;
    pvcall_free_buffer(xc->call, a);
    return (int)rc;
}
