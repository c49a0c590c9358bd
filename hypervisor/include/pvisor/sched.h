/* SPDX-License-Identifier: MIT */
/*
 * Domains and vCPUs.
 *
 * Domain 0 is a real domain inside the hypervisor (privileged, id 0).  Its
 * hypercalls arrive over the dom0 link rather than from a vCPU running in
 * the machine; they execute on the link vCPU (dom0->vcpu[0]), whose
 * guest-memory accessors reach dom0's argument window in the link arena.
 */
#ifndef PVISOR_SCHED_H
#define PVISOR_SCHED_H

#include <pvisor/spinlock.h>
#include <pvisor/types.h>
#include <xen/xen.h>

#define MAX_VIRT_CPUS 32

struct domain;

struct vcpu {
    unsigned int vcpu_id;
    struct domain *domain;
    /*
     * For the dom0 link vCPU: the machine-address window of the link arena
     * the request being executed may read and write.
     */
    uint64_t link_window_maddr;
    uint64_t link_window_size;
};

struct domain {
    domid_t domain_id;
    bool is_privileged;
    unsigned int max_vcpus;
    struct vcpu *vcpu[MAX_VIRT_CPUS];
    /* console_io output not yet printed (no newline seen yet); both
     * protected by console_lock. */
    spinlock_t console_lock;
    char console_buf[160];
    unsigned int console_len;
};

extern struct domain *dom0;

#define DOMCRF_privileged 1U

struct domain *domain_create(domid_t id, unsigned int flags);
struct vcpu *vcpu_create(struct domain *d, unsigned int vcpu_id);

static inline bool is_link_vcpu(const struct vcpu *v)
{
    return v->link_window_size != 0;
}

#endif /* PVISOR_SCHED_H */
