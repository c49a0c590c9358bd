/* SPDX-License-Identifier: MIT */
/*
 * Test guest for event_channel_op (#32), 2-level ABI, after
 * xen/common/event_channel.c and event_2l.c:
 *
 *  - alloc_unbound leaves a port ECS_UNBOUND for a remote domain
 *    (DOMID_SELF meaning ourselves); a send on it is dropped silently;
 *  - bind_interdomain to our own unbound port (a loopback pair) binds both
 *    ends and sets the new local port pending, as Xen does for events the
 *    unbound end may have missed; a send sets the other end pending;
 *  - set-pending: the port's bit in shared_info->evtchn_pending; if the
 *    port is unmasked, its word's bit in vcpu_info->evtchn_pending_sel and
 *    evtchn_upcall_pending, and the upcall on the way back to the guest
 *    unless evtchn_upcall_mask is set; a masked port stays pending with no
 *    selector bit, and EVTCHNOP_unmask delivers it;
 *  - close: the peer of an interdomain port goes back to ECS_UNBOUND for
 *    us; a closed port's pending bit is cleared; a second close -EINVAL;
 *  - bind_virq (per-vCPU VIRQ_TIMER/VIRQ_DEBUG, global VIRQ_CONSOLE/
 *    VIRQ_DOM_EXC only on vCPU 0, twice -EEXIST), bind_ipi, bind_vcpu
 *    (ECS_UNBOUND, ECS_INTERDOMAIN and global VIRQs move, per-vCPU VIRQs
 *    and IPIs -EINVAL), status of each kind of port;
 *  - SCHEDOP_poll on a masked port wakes when it becomes pending;
 *  - the per-domain port limit: ports up to max_evtchn_port (1023 for a
 *    pvctl domain), then -ENOSPC;
 *  - EVTCHNOP_reset(DOMID_SELF) closes every port and frees the VIRQs;
 *  - init_control, expand_array and set_priority (the FIFO ABI) -ENOSYS
 *    on pvisor, which offers only the 2-level ABI (Xen with FIFO support
 *    would accept init_control: this is pvisor's documented answer).
 *
 * Needs two vCPUs (evtchn.cfg) for the vCPU bindings; vCPU 1 stays down.
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"

#include <xen/errno.h>

#define MS NSEC_PER_MSEC
#define PVCTL_MAX_PORT 1023 /* dom0-tools/pvctl/create.c */

static long op(unsigned int cmd, void *arg)
{
    return HYPERVISOR_event_channel_op(cmd, arg);
}

static long alloc_unbound(domid_t remote, evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = remote};
    long rc = op(EVTCHNOP_alloc_unbound, &a);

    if (!rc)
        *port = a.port;
    return rc;
}

static long bind_interdomain(domid_t dom, evtchn_port_t rport,
                             evtchn_port_t *lport)
{
    struct evtchn_bind_interdomain b = {.remote_dom = dom,
                                        .remote_port = rport};
    long rc = op(EVTCHNOP_bind_interdomain, &b);

    if (!rc)
        *lport = b.local_port;
    return rc;
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
    *st = (struct evtchn_status){.dom = DOMID_SELF, .port = port};
    return op(EVTCHNOP_status, st);
}

static long bind_vcpu(evtchn_port_t port, uint32_t vcpu)
{
    struct evtchn_bind_vcpu b = {.port = port, .vcpu = vcpu};

    return op(EVTCHNOP_bind_vcpu, &b);
}

static long hv_unmask(evtchn_port_t port)
{
    struct evtchn_unmask u = {.port = port};

    return op(EVTCHNOP_unmask, &u);
}

static bool sel_bit(evtchn_port_t port)
{
    return READ_ONCE(vcpu0->evtchn_pending_sel) &
           ((xen_ulong_t)1 << (port / EVTCHN_2L_BITS));
}

static unsigned long hits(evtchn_port_t port)
{
    return READ_ONCE(evtchn_port_hits[port]);
}

static void check_status(evtchn_port_t port, uint32_t want, const char *what)
{
    struct evtchn_status st;
    long rc = status(port, &st);

    tap_check(rc == 0 && st.status == want, xen_errno_name(rc),
              "EVTCHNOP_status of %s (port %u) is %u (status %u)", what, port,
              want, rc ? 99 : st.status);
}

static void test_fifo_unavailable(void)
{
    struct evtchn_init_control ic = {.control_gfn = 0, .offset = 0,
                                     .vcpu = 0};
    struct evtchn_expand_array ea = {.array_gfn = 0};
    struct evtchn_set_priority sp = {.port = 1, .priority = 0};

    tap_eq(op(EVTCHNOP_init_control, &ic), -XEN_ENOSYS,
           "EVTCHNOP_init_control: FIFO ABI unavailable (-ENOSYS)");
    tap_eq(op(EVTCHNOP_expand_array, &ea), -XEN_ENOSYS,
           "EVTCHNOP_expand_array -ENOSYS");
    tap_eq(op(EVTCHNOP_set_priority, &sp), -XEN_ENOSYS,
           "EVTCHNOP_set_priority -ENOSYS");
}

/* Returns our own domain id, read back from an unbound port's status. */
static domid_t test_unbound(void)
{
    evtchn_port_t p = 0, q = 0;
    struct evtchn_status st;
    long rc;

    check_status(0, EVTCHNSTAT_closed, "port 0 (reserved)");
    rc = alloc_unbound(0, &p);
    tap_eq(rc, 0, "alloc_unbound for domain 0");
    tap_ok(p > 0, "... a port other than 0 (%u)", p);
    rc = status(p, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0 &&
               st.vcpu == 0,
           "... status unbound, remote domain 0, vCPU 0");
    rc = alloc_unbound(DOMID_SELF, &q);
    tap_eq(rc, 0, "alloc_unbound for DOMID_SELF");
    rc = status(q, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_unbound &&
               st.u.unbound.dom != DOMID_SELF && st.u.unbound.dom != 0,
           "... remote is our own id (%u), not DOMID_SELF", st.u.unbound.dom);
    tap_ok(q != p, "... a different port (%u)", q);

    evtchn_clear_pending(p);
    tap_eq(evtchn_send(p), 0, "send on an unbound port: dropped, 0");
    tap_ok(!evtchn_is_pending(p), "... and nothing is set pending");

    tap_eq(evtchn_close(p), 0, "close the unbound port");
    check_status(p, EVTCHNSTAT_closed, "the closed port");
    tap_eq(evtchn_close(p), -XEN_EINVAL, "close it again: -EINVAL");
    tap_eq(evtchn_send(p), -XEN_EINVAL, "send on a closed port: -EINVAL");
    tap_eq(evtchn_close(q), 0, "close the other");
    return st.u.unbound.dom;
}

static void test_loopback(domid_t self)
{
    evtchn_port_t a = 0, b = 0;
    struct evtchn_status st;
    unsigned long ha, hb, up;
    long rc;

    local_events_enable();
    alloc_unbound(DOMID_SELF, &a);
    /* Binding sets the new local port pending: with events masked, see it
     * sit in shared_info. */
    local_events_disable();
    rc = bind_interdomain(DOMID_SELF, a, &b);
    tap_eq(rc, 0, "bind_interdomain to our own unbound port");
    rc = status(a, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_interdomain &&
               st.u.interdomain.dom == self && st.u.interdomain.port == b,
           "... the remote end is interdomain to (us, %u)", b);
    rc = status(b, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_interdomain &&
               st.u.interdomain.dom == self && st.u.interdomain.port == a,
           "... the local end is interdomain to (us, %u)", a);
    tap_ok(evtchn_is_pending(b), "the new local port is pending after bind");
    tap_ok(sel_bit(b), "... its word's selector bit is set");
    tap_eq(vcpu0->evtchn_upcall_pending, 1, "... and evtchn_upcall_pending");
    hb = hits(b);
    tap_eq(hits(b), hb, "... no upcall while evtchn_upcall_mask is set");
    local_events_enable();
    tap_eq(hits(b), hb + 1, "unmasking the vCPU delivers it");
    tap_ok(!evtchn_is_pending(b), "... and the upcall cleared its pending bit");

    /* The upcall happens on the way back from the send hypercall. */
    ha = hits(a);
    up = evtchn_upcalls;
    rc = evtchn_send(b);
    tap_eq(rc, 0, "send on the local end");
    tap_eq(hits(a), ha + 1, "... the remote end's handler ran before send "
                            "returned");
    tap_ok(evtchn_upcalls > up, "... through the event upcall");
    tap_eq(vcpu0->evtchn_upcall_pending, 0, "... which cleared upcall_pending");
    hb = hits(b);
    evtchn_send(a);
    tap_eq(hits(b), hb + 1, "send on the remote end reaches the local one");

    /* A masked port: pending bit only, EVTCHNOP_unmask delivers. */
    evtchn_mask(a);
    ha = hits(a);
    local_events_disable();
    WRITE_ONCE(vcpu0->evtchn_pending_sel, 0);
    WRITE_ONCE(vcpu0->evtchn_upcall_pending, 0);
    local_events_enable();
    evtchn_send(b);
    tap_ok(evtchn_is_pending(a), "send to a masked port sets its pending bit");
    tap_ok(!sel_bit(a), "... but not its selector bit");
    tap_eq(vcpu0->evtchn_upcall_pending, 0, "... nor upcall_pending");
    tap_eq(hits(a), ha, "... and no handler runs");
    evtchn_send(b);
    tap_eq(hits(a), ha, "a second send while pending and masked: still none");
    rc = hv_unmask(a);
    tap_eq(rc, 0, "EVTCHNOP_unmask");
    tap_ok(!(READ_ONCE(shared_info->evtchn_mask[a / EVTCHN_2L_BITS]) &
             ((xen_ulong_t)1 << (a % EVTCHN_2L_BITS))),
           "... cleared the mask bit");
    tap_eq(hits(a), ha + 1,
           "... and delivered the pending event once, on return");

    /* bind_vcpu: interdomain ports may move. */
    tap_eq(bind_vcpu(a, 1), 0, "bind_vcpu of an interdomain port to vCPU 1");
    rc = status(a, &st);
    tap_ok(rc == 0 && st.vcpu == 1, "... status says vCPU 1");
    tap_eq(bind_vcpu(a, 0), 0, "... and back to vCPU 0");
    tap_eq(bind_vcpu(a, 2), -XEN_ENOENT, "bind_vcpu to vCPU 2 (none): -ENOENT");

    /* Close one end: the other becomes unbound, for us. */
    local_events_disable();
    evtchn_send(b);
    tap_ok(evtchn_is_pending(a), "(remote end left pending)");
    rc = evtchn_close(a);
    tap_eq(rc, 0, "close the remote end while it is pending");
    tap_ok(!evtchn_is_pending(a), "... its pending bit is cleared");
    rc = status(b, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_unbound &&
               st.u.unbound.dom == self,
           "... the local end is unbound again, remote is us");
    tap_eq(evtchn_send(b), 0, "send on it now: dropped, 0");
    evtchn_clear_pending(b);
    WRITE_ONCE(vcpu0->evtchn_pending_sel, 0);
    WRITE_ONCE(vcpu0->evtchn_upcall_pending, 0);
    local_events_enable();
    /* It can be bound again: the unbound end takes a new peer. */
    rc = bind_interdomain(DOMID_SELF, b, &a);
    tap_eq(rc, 0, "re-bind to the port left unbound");
    hb = hits(b);
    evtchn_send(a);
    tap_eq(hits(b), hb + 1, "... and events flow again");
    tap_eq(evtchn_close(b), 0, "close the local end");
    check_status(a, EVTCHNSTAT_unbound, "its peer");
    tap_eq(evtchn_close(a), 0, "close the peer");
}

static void test_virq_ipi(void)
{
    evtchn_port_t dbg0 = 0, dbg1 = 0, con = 0, exc = 0, ipi0 = 0, ipi1 = 0,
                  p = 0;
    struct evtchn_status st;
    unsigned long seen;
    long rc;

    rc = evtchn_bind_virq(VIRQ_TIMER, 0, &p);
    tap_eq(rc, -XEN_EEXIST, "bind VIRQ_TIMER a second time: -EEXIST");
    rc = status(timer_port, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER &&
               st.vcpu == 0,
           "status of the VIRQ_TIMER port: virq %u on vCPU 0", VIRQ_TIMER);
    seen = timer_events;
    timer_set_singleshot(time_now_ns() + 2 * MS, 0);
    sched_block_until_changed(&timer_events, seen);
    tap_eq(timer_events, seen + 1, "VIRQ_TIMER delivered once for one timer");
    tap_eq(bind_vcpu(timer_port, 1), -XEN_EINVAL,
           "bind_vcpu of VIRQ_TIMER (per-vCPU): -EINVAL");

    rc = evtchn_bind_virq(VIRQ_DEBUG, 0, &dbg0);
    tap_eq(rc, 0, "bind VIRQ_DEBUG on vCPU 0");
    rc = evtchn_bind_virq(VIRQ_DEBUG, 1, &dbg1);
    tap_eq(rc, 0, "bind VIRQ_DEBUG on vCPU 1 (per-vCPU: one each)");
    tap_ok(dbg0 != dbg1, "... two ports");
    rc = status(dbg1, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_DEBUG &&
               st.vcpu == 1,
           "... status: VIRQ_DEBUG on vCPU 1");
    rc = evtchn_bind_virq(VIRQ_DEBUG, 1, &p);
    tap_eq(rc, -XEN_EEXIST, "bind VIRQ_DEBUG on vCPU 1 again: -EEXIST");

    rc = evtchn_bind_virq(VIRQ_CONSOLE, 1, &p);
    tap_eq(rc, -XEN_EINVAL, "bind VIRQ_CONSOLE (global) on vCPU 1: -EINVAL");
    rc = evtchn_bind_virq(VIRQ_CONSOLE, 0, &con);
    tap_eq(rc, 0, "bind VIRQ_CONSOLE on vCPU 0");
    rc = evtchn_bind_virq(VIRQ_CONSOLE, 0, &p);
    tap_eq(rc, -XEN_EEXIST, "bind VIRQ_CONSOLE again: -EEXIST");
    tap_eq(bind_vcpu(con, 1), 0, "bind_vcpu of a global VIRQ to vCPU 1");
    rc = status(con, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_virq &&
               st.u.virq == VIRQ_CONSOLE && st.vcpu == 1,
           "... status: VIRQ_CONSOLE notifying vCPU 1");
    /* Xen before 4.20 accepts any domain's bind of a global VIRQ (it only
     * ever fires in the handler domain); later ones say -EBUSY. */
    rc = evtchn_bind_virq(VIRQ_DOM_EXC, 0, &exc);
    tap_check(rc == 0 || rc == -XEN_EBUSY, xen_errno_name(rc),
              "bind VIRQ_DOM_EXC from a domU: 0 (or -EBUSY on newer Xen)");
    rc = evtchn_bind_virq(VIRQ_DOM_EXC, 1, &p);
    tap_eq(rc, -XEN_EINVAL, "bind VIRQ_DOM_EXC on vCPU 1: -EINVAL");

    rc = evtchn_bind_ipi(0, &ipi0);
    tap_eq(rc, 0, "bind_ipi on vCPU 0");
    rc = evtchn_bind_ipi(1, &ipi1);
    tap_eq(rc, 0, "bind_ipi on vCPU 1");
    rc = status(ipi1, &st);
    tap_ok(rc == 0 && st.status == EVTCHNSTAT_ipi && st.vcpu == 1,
           "... status: ipi on vCPU 1");
    tap_eq(bind_vcpu(ipi0, 1), -XEN_EINVAL, "bind_vcpu of an IPI: -EINVAL");
    seen = hits(ipi0);
    tap_eq(evtchn_send(ipi0), 0, "send on the IPI port");
    tap_eq(hits(ipi0), seen + 1, "... delivered to ourselves");
    /* vCPU 1 is down: the event waits in shared_info, not on vCPU 0. */
    seen = hits(ipi1);
    local_events_disable();
    WRITE_ONCE(vcpu0->evtchn_pending_sel, 0);
    WRITE_ONCE(vcpu0->evtchn_upcall_pending, 0);
    local_events_enable();
    tap_eq(evtchn_send(ipi1), 0, "send on vCPU 1's IPI port");
    tap_ok(evtchn_is_pending(ipi1), "... pending in shared_info");
    tap_ok(shared_info->vcpu_info[1].evtchn_upcall_pending &&
               !vcpu0->evtchn_upcall_pending,
           "... upcall_pending raised in vCPU 1's vcpu_info, not vCPU 0's");
    tap_eq(hits(ipi1), seen, "... and vCPU 0 took no upcall for it");
    evtchn_clear_pending(ipi1);

    tap_eq(evtchn_close(dbg1), 0, "close VIRQ_DEBUG on vCPU 1");
    rc = evtchn_bind_virq(VIRQ_DEBUG, 1, &p);
    tap_eq(rc, 0, "... and it can be bound again");
    tap_eq(evtchn_close(p), 0, "close it");
    tap_eq(evtchn_close(dbg0), 0, "close VIRQ_DEBUG on vCPU 0");
    tap_eq(evtchn_close(con), 0, "close VIRQ_CONSOLE");
    if (exc)
        evtchn_close(exc);
    tap_eq(evtchn_close(ipi0), 0, "close an IPI port");
    tap_eq(evtchn_close(ipi1), 0, "close the other");
}

static long poll1(evtchn_port_t port, uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = 1, .timeout = timeout};

    set_xen_guest_handle(p.ports, &port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void test_poll(void)
{
    evtchn_port_t ipi = 0;
    uint64_t t0, t1;
    long rc;

    /* A masked timer port woken during SCHEDOP_poll: no upcall needed. */
    evtchn_mask(timer_port);
    evtchn_clear_pending(timer_port);
    t0 = time_now_ns();
    timer_set_singleshot(t0 + 5 * MS, 0);
    rc = poll1(timer_port, t0 + 2000 * MS);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll on the masked VIRQ_TIMER port");
    tap_ok(evtchn_is_pending(timer_port), "... woke with it pending");
    tap_check(t1 - t0 >= 5 * MS && t1 - t0 < 1000 * MS, "woke at the wrong time",
              "... after the 5 ms timer, long before the 2 s timeout");
    evtchn_clear_pending(timer_port);
    evtchn_unmask(timer_port);

    /* A pending masked IPI: SCHEDOP_poll returns at once. */
    evtchn_bind_ipi(0, &ipi);
    evtchn_mask(ipi);
    evtchn_send(ipi);
    t0 = time_now_ns();
    rc = poll1(ipi, t0 + 2000 * MS);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll on a pending masked IPI port");
    tap_check(t1 - t0 < 1000 * MS, "slept", "... returns at once");
    evtchn_close(ipi);
    tap_ok(!evtchn_is_pending(ipi), "closing it cleared the pending bit");
    evtchn_unmask(ipi);
}

static void test_limit(void)
{
    static evtchn_port_t got[PVCTL_MAX_PORT + 1];
    unsigned int n = 0, closed = 0, max = 0;
    evtchn_port_t p;
    long rc;

    while (n <= PVCTL_MAX_PORT && !(rc = alloc_unbound(0, &got[n]))) {
        if (got[n] > max)
            max = got[n];
        n++;
    }
    tap_eq(rc, -XEN_ENOSPC, "alloc_unbound until the table is full: -ENOSPC");
    tap_eq(max, PVCTL_MAX_PORT, "... the last port given is max_evtchn_port");
    tap_diag("%u ports allocated, others were bound already", n);
    tap_eq(evtchn_bind_ipi(0, &p), -XEN_ENOSPC, "bind_ipi when full: -ENOSPC");
    tap_eq(evtchn_bind_virq(VIRQ_DEBUG, 0, &p), -XEN_ENOSPC,
           "bind_virq when full: -ENOSPC");
    tap_eq(bind_interdomain(DOMID_SELF, got[0], &p), -XEN_ENOSPC,
           "bind_interdomain when full: -ENOSPC");
    check_status(got[0], EVTCHNSTAT_unbound, "the port it would have bound");
    tap_eq(evtchn_close(got[n / 2]), 0, "close one port in the middle");
    rc = alloc_unbound(0, &p);
    tap_ok(rc == 0 && p == got[n / 2], "... the next allocation reuses it");
    for (unsigned int i = 0; i < n; i++)
        closed += evtchn_close(got[i]) == 0;
    tap_eq(closed, n, "close them all");
    rc = alloc_unbound(0, &p);
    tap_ok(rc == 0 && p < 16, "a low port is free again (%u)", p);
    evtchn_close(p);
}

static void test_reset(void)
{
    struct evtchn_reset r = {.dom = DOMID_SELF};
    evtchn_port_t a = 0, b = 0, ipi = 0, old_timer = timer_port;
    long rc;

    alloc_unbound(DOMID_SELF, &a);
    bind_interdomain(DOMID_SELF, a, &b);
    evtchn_bind_ipi(0, &ipi);
    local_events_disable();
    evtchn_send(ipi);
    rc = op(EVTCHNOP_reset, &r);
    tap_eq(rc, 0, "EVTCHNOP_reset(DOMID_SELF)");
    check_status(a, EVTCHNSTAT_closed, "an interdomain port after reset");
    check_status(b, EVTCHNSTAT_closed, "its peer");
    check_status(ipi, EVTCHNSTAT_closed, "an IPI port");
    check_status(old_timer, EVTCHNSTAT_closed, "the VIRQ_TIMER port");
    tap_ok(!evtchn_is_pending(ipi), "... the pending IPI is cleared");
    WRITE_ONCE(vcpu0->evtchn_pending_sel, 0);
    WRITE_ONCE(vcpu0->evtchn_upcall_pending, 0);
    local_events_enable();
    timer_port = 0;
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER can be bound again after reset");
    tap_ok(timer_port < 8, "... on a low port (%u)", timer_port);
}

int guest_main(void)
{
    domid_t self;
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();

    test_fifo_unavailable();
    self = test_unbound();
    test_loopback(self);
    test_virq_ipi();
    test_poll();
    test_limit();
    test_reset();
    tap_done();
}
