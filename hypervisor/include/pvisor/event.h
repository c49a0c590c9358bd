/* SPDX-License-Identifier: MIT */
/*
 * Event channels, 2-level ABI (common/event_channel.c): the interrupts of
 * a PV system.  Pending and mask bits live in the domain's shared_info;
 * the hypervisor sets pending bits and the per-vCPU selector, and the
 * guest gets an upcall (a bounce to its event callback) on its way back
 * from the hypervisor when upcall_pending is set and upcall_mask clear.
 */
#ifndef PVISOR_EVENT_H
#define PVISOR_EVENT_H

#include <pvisor/sched.h>

#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)
#define EVTCHNS_PER_BUCKET 1024

enum evtchn_state {
    ECS_FREE,
    ECS_RESERVED, /* port 0 */
    ECS_UNBOUND,
    ECS_INTERDOMAIN,
    ECS_PIRQ,
    ECS_VIRQ,
    ECS_IPI,
};

struct evtchn {
    uint8_t state;           /* ECS_* */
    uint16_t notify_vcpu_id; /* the vCPU the upcall goes to */
    union {
        domid_t unbound_remote;      /* ECS_UNBOUND: who may bind */
        struct {
            domid_t remote_dom;
            evtchn_port_t remote_port;
        } interdomain;               /* ECS_INTERDOMAIN */
        uint32_t virq;               /* ECS_VIRQ */
    } u;
};

int evtchn_init(struct domain *d, unsigned int max_port);
/* Closes every port (the domain is dying); peers see their ports unbound. */
void evtchn_destroy(struct domain *d);
long do_event_channel_op(unsigned long cmd, unsigned long arg);

void send_guest_vcpu_virq(struct vcpu *v, uint32_t virq);
void send_guest_global_virq(struct domain *d, uint32_t virq);
/* Whether v has an upcall to take (pending and not masked). */
bool local_events_need_delivery(const struct vcpu *v);
/* Makes v notice its pending events: unblock it or interrupt its CPU. */
void vcpu_kick(struct vcpu *v);
/* SCHEDOP_poll support: whether any of v's polled ports is pending. */
bool evtchn_any_pending(struct domain *d, const evtchn_port_t *ports,
                        unsigned int nr);

#endif /* PVISOR_EVENT_H */
