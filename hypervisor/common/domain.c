/* SPDX-License-Identifier: MIT */
/*
 * Domain and vCPU creation.  For now only the control domain exists: it is
 * created at boot, privileged, with the dom0 link vCPU as its vCPU 0.
 */
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/sched.h>

struct domain *dom0;

struct domain *domain_create(domid_t id, unsigned int flags)
{
    struct domain *d = alloc_xenheap_page();

    BUILD_BUG_ON(sizeof(struct domain) > 4096);
    if (!d)
        return NULL;
    memset(d, 0, sizeof(*d));
    d->domain_id = id;
    d->is_privileged = flags & DOMCRF_privileged;
    return d;
}

struct vcpu *vcpu_create(struct domain *d, unsigned int vcpu_id)
{
    struct vcpu *v;

    BUILD_BUG_ON(sizeof(struct vcpu) > 4096);
    if (vcpu_id >= MAX_VIRT_CPUS || d->vcpu[vcpu_id])
        return NULL;
    v = alloc_xenheap_page();
    if (!v)
        return NULL;
    memset(v, 0, sizeof(*v));
    v->vcpu_id = vcpu_id;
    v->domain = d;
    d->vcpu[vcpu_id] = v;
    if (vcpu_id >= d->max_vcpus)
        d->max_vcpus = vcpu_id + 1;
    return v;
}
