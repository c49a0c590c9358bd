/* SPDX-License-Identifier: MIT */
/*
 * Event channels, 2-level ABI (xen/event_channel.h, shared_info bitmaps).
 *
 * The hypervisor sets a port's bit in shared_info->evtchn_pending, the
 * port's word bit in vcpu_info->evtchn_pending_sel, and
 * vcpu_info->evtchn_upcall_pending; if vcpu_info->evtchn_upcall_mask is
 * clear it then enters hypervisor_callback (events masked).  The upcall
 * handler clears upcall_pending, takes the selector with xchg, scans each
 * selected word for pending & ~masked ports, clears each pending bit and
 * calls the port's handler, and repeats while upcall_pending was set again.
 */
#ifndef GUEST_EVENTS_H
#define GUEST_EVENTS_H

#include "guest.h"

#include <xen/event_channel.h>

#define EVTCHN_2L_BITS       (sizeof(xen_ulong_t) * 8)
#define EVTCHN_HANDLER_PORTS 256

typedef void (*evtchn_handler_t)(evtchn_port_t port, void *arg);

/* event_2l.c: the pure bitmap scan, shared with the host unit tests. */
typedef void (*evtchn_dispatch_t)(evtchn_port_t port, void *ctx);
unsigned int evtchn_2l_scan(shared_info_t *s, struct vcpu_info *v,
                            evtchn_dispatch_t fn, void *ctx);
void evtchn_2l_set_pending(shared_info_t *s, struct vcpu_info *v,
                           evtchn_port_t port); /* what the hypervisor does */

/* events.c */
extern volatile unsigned long evtchn_upcalls;      /* upcall entries */
extern volatile unsigned long evtchn_unbound_hits; /* ports without handler */
extern volatile unsigned long evtchn_port_hits[EVTCHN_HANDLER_PORTS];

void evtchn_do_upcall(void);
void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg);
long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port);
long evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port);
long evtchn_send(evtchn_port_t port);
long evtchn_close(evtchn_port_t port);
void evtchn_mask(evtchn_port_t port);
void evtchn_unmask(evtchn_port_t port); /* local unmask + replay if pending */
bool evtchn_is_pending(evtchn_port_t port);
void evtchn_clear_pending(evtchn_port_t port);

/* The virtual interrupt flag: vcpu_info->evtchn_upcall_mask. */
void local_events_disable(void);
void local_events_enable(void); /* unmask, then force delivery if pending */
bool local_events_masked(void);
void evtchn_force_callback(void); /* a dummy hypercall (xen_version) */

#endif /* GUEST_EVENTS_H */
