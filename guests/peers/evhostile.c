/* SPDX-License-Identifier: MIT */
/*
 * Two guests and one interdomain channel, one of them hostile.  Run by
 * tests/integration/events/evtchn-hostile.sh, which creates both paused
 * and has domain 0 allocate a port P in the victim left unbound for the
 * hostile guest (evtchn_peer alloc-unbound).
 *
 * role=victim (cmdline rounds=K):
 *   1. finds P (its only unbound port whose remote is not domain 0) and
 *      notes the hostile guest's id; masks P and waits in SCHEDOP_poll
 *      (10 s timeout) for the first event: the poll must wake with P
 *      pending, before the timeout;
 *   2. answers K + 1 events with one each (block until the handler ran);
 *   3. floods: sends on P in a loop until P is no longer interdomain (the
 *      hostile guest closes its end mid-flood); every send must return 0
 *      (a send on an unbound port is dropped); P is then ECS_UNBOUND with
 *      the hostile guest as remote;
 *   4. waits until P is interdomain again (the hostile guest re-binds),
 *      prints "# victim: peer bound again" and waits until P is unbound
 *      again: the host destroys the hostile guest, whose ports must all be
 *      released, leaving P unbound for it as Xen does; sends on P still
 *      return 0.  Then TAP, power off.
 *
 * role=hostile peer=VICTIM rounds=K:
 *   1. sends on ports it does not have, binds each of the victim's ports
 *      1-63 other than P (bound to domain 0, VIRQs, unbound for others):
 *      -EINVAL each; binds P (once: a second bind -EINVAL);
 *   2. one event to wake the victim's poll, then K timed round trips;
 *   3. allocates ports until -ENOSPC (its own limit); one more round trip
 *      still works and the victim never noticed; frees them;
 *   4. waits for 100 events of the victim's flood and closes its end
 *      while the victim sends; status says closed, send -EINVAL;
 *   5. binds P again, sends one event, prints
 *      "# hostile: ready to be destroyed" and blocks for ever.
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"

#include <xen/errno.h>

#define MS NSEC_PER_MSEC
#define FLOOD_SEEN 100

static volatile unsigned long hits;

static void on_event(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    hits++;
}

static long status(evtchn_port_t port, struct evtchn_status *st)
{
    *st = (struct evtchn_status){.dom = DOMID_SELF, .port = port};
    return HYPERVISOR_event_channel_op(EVTCHNOP_status, st);
}

static uint32_t state_of(evtchn_port_t port)
{
    struct evtchn_status st;

    return status(port, &st) ? 99 : st.status;
}

static long bind(domid_t dom, evtchn_port_t rport, evtchn_port_t *lport)
{
    struct evtchn_bind_interdomain b = {.remote_dom = dom,
                                        .remote_port = rport};
    long rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);

    if (!rc)
        *lport = b.local_port;
    return rc;
}

/* Waits (sleeping 1 ms at a time) until port's status is want. */
static bool wait_state(evtchn_port_t port, uint32_t want, uint64_t ns)
{
    uint64_t end = time_now_ns() + ns;

    while (state_of(port) != want)
        if (time_now_ns() > end)
            return false;
        else
            timer_sleep_ns(MS);
    return true;
}

static long poll1(evtchn_port_t port, uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = 1, .timeout = timeout};

    set_xen_guest_handle(p.ports, &port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static void victim(unsigned long rounds)
{
    struct evtchn_status st;
    evtchn_port_t port = 0;
    domid_t peer = 0;
    unsigned long seen = 0, bad = 0, sends = 0;
    uint64_t t0, t1, end;
    long rc;

    for (evtchn_port_t p = 1; p < 64 && !port; p++)
        if (!status(p, &st) && st.status == EVTCHNSTAT_unbound &&
            st.u.unbound.dom != 0) {
            port = p;
            peer = st.u.unbound.dom;
        }
    tap_ok(port != 0, "found the port left unbound for the peer (%u, domain %u)",
           port, peer);
    printf("# victim port %u\n", port);

    /* 1. SCHEDOP_poll on the masked port, woken by the peer's first send. */
    evtchn_mask(port);
    t0 = time_now_ns();
    rc = poll1(port, t0 + 10000 * MS);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll on the masked port");
    tap_ok(evtchn_is_pending(port), "... woke with the port pending");
    tap_check(t1 - t0 < 9000 * MS, "timed out", "... before the timeout (%lu ms)",
              (unsigned long)((t1 - t0) / MS));
    rc = status(port, &st);
    tap_ok(!rc && st.status == EVTCHNSTAT_interdomain &&
               st.u.interdomain.dom == peer,
           "the port is interdomain with the peer");
    evtchn_clear_pending(port);
    evtchn_set_handler(port, on_event, NULL);
    evtchn_unmask(port);
    if (evtchn_send(port))
        bad++;

    /* 2. Answer. */
    for (unsigned long i = 0; i < rounds + 1; i++) {
        sched_block_until_changed(&hits, seen);
        seen = hits;
        if (evtchn_send(port))
            bad++;
    }
    tap_eq(seen, rounds + 1, "%lu events received", rounds + 1);
    tap_eq(bad, 0, "every answer sent");

    /* 3. Flood until the peer closes its end. */
    bad = 0;
    end = time_now_ns() + 30000 * MS;
    while (time_now_ns() < end) {
        for (unsigned int i = 0; i < 64; i++, sends++)
            if (evtchn_send(port))
                bad++;
        if (state_of(port) != EVTCHNSTAT_interdomain)
            break;
    }
    tap_diag("%lu sends in the flood", sends);
    tap_eq(bad, 0, "every send of the flood returned 0, also after the close");
    rc = status(port, &st);
    tap_ok(!rc && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == peer,
           "the peer closed its end: our port is unbound for it again");
    tap_eq(evtchn_send(port), 0, "a send on it is dropped, 0");

    /* 4. Re-bound, then the peer is destroyed. */
    tap_ok(wait_state(port, EVTCHNSTAT_interdomain, 20000 * MS),
           "the peer bound our port again");
    printf("# victim: peer bound again\n");
    tap_ok(wait_state(port, EVTCHNSTAT_unbound, 60000 * MS),
           "the peer was destroyed: our port is unbound");
    rc = status(port, &st);
    tap_ok(!rc && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == peer,
           "... remote still the dead peer's id, as Xen's ECS_UNBOUND");
    tap_eq(evtchn_send(port), 0, "a send on it is dropped, 0");
    tap_eq(evtchn_close(port), 0, "we close it");
}

static void hostile(domid_t victim_id, unsigned long rounds)
{
    static evtchn_port_t mine[1024];
    evtchn_port_t port = 0, p2, vport = 0;
    unsigned long seen = 0, refused = 0, tried = 0, n = 0, closed = 0;
    struct evtchn_alloc_unbound a;
    long rc;

    /* 1. Ports we do not have. */
    rc = 0;
    for (evtchn_port_t p = 8; p < 64; p++)
        if (evtchn_send(p) == -XEN_EINVAL)
            refused++;
    tap_eq(refused, 56, "send on each of our unbound ports 8-63: -EINVAL");
    tap_eq(evtchn_send(1023), -XEN_EINVAL, "send on port 1023: -EINVAL");
    tap_eq(evtchn_send(5000), -XEN_EINVAL, "send on port 5000: -EINVAL");
    refused = 0;
    for (evtchn_port_t p = 0; p < 64; p++) {
        struct evtchn_bind_interdomain b = {.remote_dom = victim_id,
                                            .remote_port = p};

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b);
        if (rc == 0) {
            if (vport)
                guest_panic("bound two ports of the victim");
            vport = p;
            port = b.local_port;
            continue;
        }
        tried++;
        if (rc == -XEN_EINVAL)
            refused++;
        else
            tap_diag("victim's port %u: %s", p, xen_errno_name(rc));
    }
    tap_ok(vport != 0, "exactly one of the victim's ports accepted us (%u)",
           vport);
    tap_eq(refused, tried,
           "every other port of the victim (bound to domain 0, VIRQs, free) "
           "-EINVAL");
    tap_eq(bind(victim_id, vport, &p2), -XEN_EINVAL,
           "binding the victim's port a second time: -EINVAL");
    tap_eq(bind(victim_id, 5000, &p2), -XEN_EINVAL,
           "the victim's port 5000: -EINVAL");
    evtchn_set_handler(port, on_event, NULL);
    /* The bind set our new port pending: that is not an answer. */
    local_events_disable();
    evtchn_clear_pending(port);
    seen = hits;
    local_events_enable();

    /* 2. Wake the victim's poll, then ping-pong. */
    for (unsigned long i = 0; i < rounds + 1; i++) {
        if (evtchn_send(port))
            break;
        sched_block_until_changed(&hits, seen);
        seen = hits;
    }
    tap_eq(seen, rounds + 1, "%lu round trips with the victim", rounds + 1);

    /* 3. Exhaust our own table. */
    a = (struct evtchn_alloc_unbound){.dom = DOMID_SELF, .remote_dom = 0};
    while (n < ARRAY_SIZE(mine) &&
           !(rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a)))
        mine[n++] = a.port;
    tap_eq(rc, -XEN_ENOSPC, "our table is full after %lu ports: -ENOSPC", n);
    tap_eq(bind(victim_id, vport, &p2), -XEN_ENOSPC,
           "binding anything now: -ENOSPC");
    evtchn_send(port);
    sched_block_until_changed(&hits, seen);
    seen = hits;
    tap_eq(seen, rounds + 2, "the channel still works with the table full");
    for (unsigned long i = 0; i < n; i++)
        closed += evtchn_close(mine[i]) == 0;
    tap_eq(closed, n, "all of them closed again");

    /* 4. Close while the victim floods us. */
    while (hits < seen + FLOOD_SEEN)
        sched_block_until_changed(&hits, hits);
    tap_ok(true, "%d events of the victim's flood arrived", FLOOD_SEEN);
    tap_eq(evtchn_close(port), 0, "close our end mid-flood");
    tap_eq(state_of(port), EVTCHNSTAT_closed, "... our port is closed");
    tap_eq(evtchn_send(port), -XEN_EINVAL, "... a send on it: -EINVAL");

    /* 5. Bind again and wait to be destroyed. */
    timer_sleep_ns(10 * MS);
    rc = bind(victim_id, vport, &port);
    tap_eq(rc, 0, "bind the victim's port again");
    tap_finish();
    printf("# hostile: ready to be destroyed\n");
    for (;;)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
}

int guest_main(void)
{
    unsigned long rounds = cmdline_ulong("rounds", 200);
    char role[12];
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();
    if (!cmdline_value("role", role, sizeof(role)))
        guest_panic("no role= on the command line");
    if (!strcmp(role, "victim"))
        victim(rounds);
    else if (!strcmp(role, "hostile"))
        hostile((domid_t)cmdline_ulong("peer", 0), rounds);
    else
        guest_panic("unknown role=%s", role);
    tap_done();
}
