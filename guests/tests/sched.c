/* SPDX-License-Identifier: MIT */
/*
 * Test guest for sched_op (#29), after xen/common/sched/core.c:
 *
 *  - SCHEDOP_yield returns 0;
 *  - SCHEDOP_block enables event delivery (clears the upcall mask) and
 *    sleeps until an event; it returns at once if one is already pending;
 *  - SCHEDOP_poll waits for one of the listed ports to become pending, or
 *    the timeout (absolute system time), without touching the upcall mask,
 *    and returns at once if a listed port is pending already;
 *  - SCHEDOP_shutdown_code records a reason, SCHEDOP_shutdown ends the
 *    domain with one.
 *
 * The shutdown reason comes from the command line ("shutdown=poweroff",
 * "reboot", "crash", "watchdog"; default poweroff); the host checks that
 * the toolstack reports the same reason (guests/tests/sched-*.cfg).
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"

#include <xen/errno.h>

#define MS NSEC_PER_MSEC

static unsigned long ipi_hits;
static void ipi_handler(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    ipi_hits++;
}

static long poll(evtchn_port_t *ports, unsigned int n, uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = n, .timeout = timeout};

    set_xen_guest_handle(p.ports, ports);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

static unsigned int shutdown_reason(void)
{
    static const char *const names[] = {
        [SHUTDOWN_poweroff] = "poweroff", [SHUTDOWN_reboot] = "reboot",
        [SHUTDOWN_suspend] = "suspend",   [SHUTDOWN_crash] = "crash",
        [SHUTDOWN_watchdog] = "watchdog",
    };
    char buf[16];

    if (!cmdline_value("shutdown", buf, sizeof(buf)))
        return SHUTDOWN_poweroff;
    for (unsigned int i = 0; i < ARRAY_SIZE(names); i++)
        if (i != SHUTDOWN_suspend && !strcmp(buf, names[i]))
            return i;
    tap_diag("unknown shutdown=%s, using poweroff", buf);
    return SHUTDOWN_poweroff;
}

int guest_main(void)
{
    evtchn_port_t ipi = 0, ports[2];
    unsigned long seen, blocks;
    uint64_t t0, t1;
    long rc;
    struct sched_shutdown sd = {.reason = shutdown_reason()};

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound and periodic timer stopped");
    rc = evtchn_bind_ipi(0, &ipi);
    tap_eq(rc, 0, "EVTCHNOP_bind_ipi");
    evtchn_set_handler(ipi, ipi_handler, NULL);
    evtchn_unmask(ipi);
    local_events_enable();

    tap_eq(HYPERVISOR_sched_op(SCHEDOP_yield, NULL), 0, "SCHEDOP_yield");

    /* Block until a 5 ms single-shot timer fires. */
    seen = timer_events;
    t0 = time_now_ns();
    timer_set_singleshot(t0 + 5 * MS, 0);
    blocks = sched_block_until_changed(&timer_events, seen);
    t1 = time_now_ns();
    tap_ok(blocks >= 1, "SCHEDOP_block slept until the timer event");
    tap_eq(timer_events - seen, 1, "exactly one VIRQ_TIMER event");
    tap_check(t1 - t0 >= 5 * MS, "woke early", "woke after at least 5 ms");

    /* SCHEDOP_block itself clears the upcall mask. */
    local_events_disable();
    seen = timer_events;
    timer_set_singleshot(time_now_ns() + 2 * MS, 0);
    rc = HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    tap_eq(rc, 0, "SCHEDOP_block with events masked returns 0");
    tap_eq(vcpu0->evtchn_upcall_mask, 0, "... having cleared the upcall mask");
    sched_block_until_changed(&timer_events, seen);

    /* An event already pending: block returns at once and it is delivered. */
    local_events_disable();
    seen = ipi_hits;
    evtchn_send(ipi);
    tap_eq(ipi_hits, seen, "IPI left pending while events are masked");
    t0 = time_now_ns();
    HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    t1 = time_now_ns();
    tap_eq(ipi_hits, seen + 1, "SCHEDOP_block delivered the pending event");
    tap_check(t1 - t0 < 1000 * MS, "blocked", "... without sleeping");
    local_events_enable();

    /* Poll for the timer port with events masked: no upcall, port pending. */
    local_events_disable();
    seen = timer_events;
    ports[0] = timer_port;
    t0 = time_now_ns();
    timer_set_singleshot(t0 + 5 * MS, 0);
    rc = poll(ports, 1, 0);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll on the timer port");
    tap_check(t1 - t0 >= 5 * MS, "returned early",
              "poll returned after the timer");
    tap_ok(evtchn_is_pending(timer_port), "the timer port is pending");
    tap_eq(timer_events, seen, "no upcall while masked");
    tap_eq(vcpu0->evtchn_upcall_mask, 1, "poll left the upcall mask set");
    local_events_enable();
    tap_eq(timer_events, seen + 1, "unmasking delivered the timer event");

    /* Poll with a timeout on a port that stays quiet. */
    local_events_disable();
    ports[0] = ipi;
    t0 = time_now_ns();
    rc = poll(ports, 1, t0 + 5 * MS);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll with a 5 ms timeout");
    tap_check(t1 - t0 >= 5 * MS, "returned early",
              "... returned after the timeout");
    tap_ok(!evtchn_is_pending(ipi), "... with the port still idle");

    /* Poll returns at once when a listed port is pending. */
    evtchn_send(ipi);
    ports[0] = timer_port;
    ports[1] = ipi;
    t0 = time_now_ns();
    rc = poll(ports, 2, t0 + 2000 * MS);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll on two ports, the second pending");
    tap_check(t1 - t0 < 1000 * MS, "waited", "... returned without waiting");

    /* No ports at all: a pure timed sleep. */
    t0 = time_now_ns();
    rc = poll(ports, 0, t0 + 3 * MS);
    t1 = time_now_ns();
    tap_eq(rc, 0, "SCHEDOP_poll with no ports and a 3 ms timeout");
    tap_check(t1 - t0 >= 3 * MS, "returned early",
              "... slept until the timeout");
    seen = ipi_hits;
    local_events_enable();
    tap_eq(ipi_hits, seen + 1, "the pending IPI is delivered on unmask");

    rc = HYPERVISOR_sched_op(SCHEDOP_shutdown_code, &sd);
    tap_eq(rc, 0, "SCHEDOP_shutdown_code records the coming reason");
    rc = HYPERVISOR_sched_op(99, NULL);
    tap_eq(rc, -XEN_ENOSYS, "an unknown sched_op (99) is -ENOSYS");

    tap_diag("shutting down with reason %u", sd.reason);
    tap_finish();
    HYPERVISOR_sched_op(SCHEDOP_shutdown, &sd);
    guest_panic("SCHEDOP_shutdown(%u) returned", sd.reason);
}
