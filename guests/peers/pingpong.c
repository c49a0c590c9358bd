/* SPDX-License-Identifier: MIT */
/*
 * Event-channel ping-pong with a peer: another guest or domain 0.  Used by
 * tests/integration/events/ and bench/domains/evtchn.sh.
 *
 * Roles (cmdline role=...; count=N rounds, default 1000):
 *   dom0   allocates a port unbound for domain 0, prints "# ping port P"
 *          and answers every event from dom0 with one back (the host
 *          program binds P and pings);
 *   a      finds the port domain 0 allocated in it for the other guest
 *          (the only unbound port whose remote is not domain 0) and
 *          answers every event with one back;
 *   b      (peer=A's domid) binds to that port of A -- the one A's ports
 *          that accepts it -- and pings: send, block until the answer;
 *          it times every round with the TSC and prints the median and
 *          99th percentile ("# rtt median N ns p99 N ns").
 *   flood  allocates a port unbound for domain 0, prints "# flood port P",
 *          waits until domain 0 has bound it and then sends count events
 *          back to back, as fast as it can; prints "# flood sent N in T
 *          ns" (bench/domains/evtchn.sh counts the doorbells this takes).
 * Role b also times `count` null hypercalls (xen_version) first, the
 * baseline of its round trip: "# null median N ns p99 N ns".
 * Each prints TAP and powers off after its rounds.
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"

#define MAX_ROUNDS 100000

static volatile unsigned long hits;
static uint64_t rtt[MAX_ROUNDS];

static void on_event(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    hits++;
}

/* Answers `rounds` events on port, one back each. */
static void answer(evtchn_port_t port, unsigned long rounds)
{
    unsigned long seen = 0, bad = 0;

    for (unsigned long i = 0; i < rounds; i++) {
        sched_block_until_changed(&hits, seen);
        seen = hits;
        if (evtchn_send(port))
            bad++;
    }
    tap_eq(seen, rounds, "%lu events received", rounds);
    tap_eq(bad, 0, "every answer sent");
}

static void sort_u64(uint64_t *v, unsigned long n)
{
    /* Shell sort: no qsort in the guest library. */
    for (unsigned long gap = n / 2; gap; gap /= 2)
        for (unsigned long i = gap; i < n; i++)
            for (unsigned long j = i; j >= gap && v[j - gap] > v[j]; j -= gap) {
                uint64_t t = v[j];
                v[j] = v[j - gap];
                v[j - gap] = t;
            }
}

static void report(const char *what, unsigned long rounds)
{
    uint64_t med, p99;

    sort_u64(rtt, rounds);
    med = pvclock_scale_delta(rtt[rounds / 2], vcpu0->time.tsc_to_system_mul,
                              vcpu0->time.tsc_shift);
    p99 = pvclock_scale_delta(rtt[rounds * 99 / 100],
                              vcpu0->time.tsc_to_system_mul,
                              vcpu0->time.tsc_shift);
    printf("# %s median %lu ns p99 %lu ns over %lu rounds\n", what,
           (unsigned long)med, (unsigned long)p99, rounds);
}

static void null_hypercalls(unsigned long rounds)
{
    for (unsigned long i = 0; i < rounds; i++) {
        uint64_t t0 = rdtsc_ordered();

        HYPERVISOR_xen_version(XENVER_version, NULL);
        rtt[i] = rdtsc_ordered() - t0;
    }
    report("null", rounds);
}

static void flood(evtchn_port_t port, unsigned long count)
{
    struct evtchn_status st = {.dom = DOMID_SELF, .port = port};
    unsigned long bad = 0;
    uint64_t t0, t1;

    while (HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) == 0 &&
           st.status != EVTCHNSTAT_interdomain)
        timer_sleep_ns(NSEC_PER_MSEC);
    tap_eq(st.status, EVTCHNSTAT_interdomain, "domain 0 bound the port");
    t0 = time_now_ns();
    for (unsigned long i = 0; i < count; i++)
        if (evtchn_send(port))
            bad++;
    t1 = time_now_ns();
    tap_eq(bad, 0, "%lu sends", count);
    printf("# flood sent %lu in %lu ns\n", count, (unsigned long)(t1 - t0));
}

static void ping(evtchn_port_t port, unsigned long rounds)
{
    unsigned long seen = 0, bad = 0;

    for (unsigned long i = 0; i < rounds; i++) {
        uint64_t t0 = rdtsc_ordered();

        if (evtchn_send(port))
            bad++;
        sched_block_until_changed(&hits, seen);
        seen = hits;
        rtt[i] = rdtsc_ordered() - t0;
    }
    tap_eq(seen, rounds, "%lu answers received", rounds);
    tap_eq(bad, 0, "every ping sent");
    report("rtt", rounds);
}

int guest_main(void)
{
    unsigned long rounds = cmdline_ulong("count", 1000);
    char role[8];
    evtchn_port_t port = 0;
    long rc;

    if (rounds > MAX_ROUNDS)
        rounds = MAX_ROUNDS;
    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();
    if (!cmdline_value("role", role, sizeof(role)))
        guest_panic("no role= on the command line");

    if (!strcmp(role, "flood")) {
        struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = 0};

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
        tap_eq(rc, 0, "a port unbound for domain 0");
        printf("# flood port %u\n", a.port);
        flood(a.port, cmdline_ulong("count", 1000));
    } else if (!strcmp(role, "dom0")) {
        struct evtchn_alloc_unbound a = {.dom = DOMID_SELF, .remote_dom = 0};

        rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
        tap_eq(rc, 0, "a port unbound for domain 0");
        port = a.port;
        evtchn_set_handler(port, on_event, NULL);
        printf("# ping port %u\n", port);
        answer(port, rounds);
    } else if (!strcmp(role, "a")) {
        for (evtchn_port_t p = 1; p < 64 && !port; p++) {
            struct evtchn_status st = {.dom = DOMID_SELF, .port = p};

            if (!HYPERVISOR_event_channel_op(EVTCHNOP_status, &st) &&
                st.status == EVTCHNSTAT_unbound && st.u.unbound.dom != 0)
                port = p;
        }
        tap_ok(port != 0, "found the port left unbound for the other guest");
        evtchn_set_handler(port, on_event, NULL);
        printf("# answering on port %u\n", port);
        answer(port, rounds);
    } else if (!strcmp(role, "b")) {
        domid_t peer = (domid_t)cmdline_ulong("peer", 0);

        for (evtchn_port_t p = 1; p < 64 && !port; p++) {
            struct evtchn_bind_interdomain b = {.remote_dom = peer,
                                                .remote_port = p};

            if (!HYPERVISOR_event_channel_op(EVTCHNOP_bind_interdomain, &b))
                port = b.local_port;
        }
        tap_ok(port != 0, "bound to the other guest's port");
        evtchn_set_handler(port, on_event, NULL);
        null_hypercalls(rounds);
        ping(port, rounds);
    } else {
        guest_panic("unknown role=%s", role);
    }
    tap_done();
}
