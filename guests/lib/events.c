/* SPDX-License-Identifier: MIT */
/*
 * Event-channel binding, per-port handlers and the upcall.  Requires
 * shared_info to be mapped (mm_map_shared_info) and the event callback
 * registered (traps_init) before any port is bound.
 *
 * Masking is done locally in shared_info, as Linux does for ports bound to
 * this vCPU: to unmask, clear the mask bit and, if the port is already
 * pending, re-raise the selector and upcall_pending ourselves, then force
 * delivery with a harmless hypercall (the hypervisor checks for
 * deliverable events on every return to the guest).
 */
#include "events.h"
#include "hypercall.h"

volatile unsigned long evtchn_upcalls;
volatile unsigned long evtchn_unbound_hits;
volatile unsigned long evtchn_port_hits[EVTCHN_HANDLER_PORTS];

static struct {
    evtchn_handler_t fn;
    void *arg;
} handlers[EVTCHN_HANDLER_PORTS];

static void evtchn_dispatch(evtchn_port_t port, void *ctx)
{
    (void)ctx;
    if (port < EVTCHN_HANDLER_PORTS) {
        evtchn_port_hits[port]++;
        if (handlers[port].fn) {
            handlers[port].fn(port, handlers[port].arg);
            return;
        }
    }
    evtchn_unbound_hits++;
}

void evtchn_do_upcall(void)
{
    evtchn_upcalls++;
    if (!shared_info)
        guest_panic("event upcall before shared_info was mapped");
    evtchn_2l_scan(shared_info, vcpu0, evtchn_dispatch, NULL);
}

void evtchn_set_handler(evtchn_port_t port, evtchn_handler_t fn, void *arg)
{
    if (port >= EVTCHN_HANDLER_PORTS)
        guest_panic("port %u beyond the handler table", port);
    handlers[port].arg = arg;
    handlers[port].fn = fn;
}

long evtchn_bind_virq(uint32_t virq, uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_virq, &op);

    if (rc == 0)
        *port = op.port;
    return rc;
}

long evtchn_bind_ipi(uint32_t vcpu, evtchn_port_t *port)
{
    struct evtchn_bind_ipi op = {.vcpu = vcpu};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_ipi, &op);

    if (rc == 0)
        *port = op.port;
    return rc;
}

long evtchn_send(evtchn_port_t port)
{
    struct evtchn_send op = {.port = port};

    return HYPERVISOR_event_channel_op(EVTCHNOP_send, &op);
}

long evtchn_close(evtchn_port_t port)
{
    struct evtchn_close op = {.port = port};

    return HYPERVISOR_event_channel_op(EVTCHNOP_close, &op);
}

static inline xen_ulong_t port_bit(evtchn_port_t port)
{
    return (xen_ulong_t)1 << (port % EVTCHN_2L_BITS);
}

void evtchn_mask(evtchn_port_t port)
{
    __atomic_fetch_or(&shared_info->evtchn_mask[port / EVTCHN_2L_BITS],
                      port_bit(port), __ATOMIC_SEQ_CST);
}

void evtchn_unmask(evtchn_port_t port)
{
    unsigned int word = port / EVTCHN_2L_BITS;

    __atomic_fetch_and(&shared_info->evtchn_mask[word], ~port_bit(port),
                       __ATOMIC_SEQ_CST);
    if (!(READ_ONCE(shared_info->evtchn_pending[word]) & port_bit(port)))
        return;
    __atomic_fetch_or(&vcpu0->evtchn_pending_sel, (xen_ulong_t)1 << word,
                      __ATOMIC_SEQ_CST);
    WRITE_ONCE(vcpu0->evtchn_upcall_pending, 1);
    if (!READ_ONCE(vcpu0->evtchn_upcall_mask))
        evtchn_force_callback();
}

bool evtchn_is_pending(evtchn_port_t port)
{
    return READ_ONCE(shared_info->evtchn_pending[port / EVTCHN_2L_BITS]) &
           port_bit(port);
}

void evtchn_clear_pending(evtchn_port_t port)
{
    __atomic_fetch_and(&shared_info->evtchn_pending[port / EVTCHN_2L_BITS],
                       ~port_bit(port), __ATOMIC_SEQ_CST);
}

void evtchn_force_callback(void)
{
    HYPERVISOR_xen_version(XENVER_version, NULL);
}

void local_events_disable(void)
{
    WRITE_ONCE(vcpu0->evtchn_upcall_mask, 1);
    barrier();
}

void local_events_enable(void)
{
    barrier();
    WRITE_ONCE(vcpu0->evtchn_upcall_mask, 0);
    barrier();
    if (READ_ONCE(vcpu0->evtchn_upcall_pending))
        evtchn_force_callback();
}

bool local_events_masked(void)
{
    return READ_ONCE(vcpu0->evtchn_upcall_mask) != 0;
}
