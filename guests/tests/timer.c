/* SPDX-License-Identifier: MIT */
/*
 * Test guest for set_timer_op (#15), the older single-shot timer
 * interface (xen/common/sched/core.c do_set_timer_op): an absolute system
 * time in ns arms the vCPU's single-shot timer (the same one
 * VCPUOP_set_singleshot_timer arms), 0 cancels it, a deadline already
 * passed fires at once; expiry raises VIRQ_TIMER.
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"

#define MS NSEC_PER_MSEC

static long poll_timer_port(uint64_t timeout)
{
    struct sched_poll p = {.nr_ports = 1, .timeout = timeout};

    set_xen_guest_handle(p.ports, &timer_port);
    return HYPERVISOR_sched_op(SCHEDOP_poll, &p);
}

int guest_main(void)
{
    unsigned long seen;
    uint64_t t0, t1;
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound, periodic timer stopped");
    local_events_enable();

    seen = timer_events;
    t0 = time_now_ns();
    rc = HYPERVISOR_set_timer_op(t0 + 5 * MS);
    tap_eq(rc, 0, "set_timer_op(now + 5 ms)");
    sched_block_until_changed(&timer_events, seen);
    t1 = time_now_ns();
    tap_eq(timer_events - seen, 1, "one VIRQ_TIMER event");
    tap_check(t1 - t0 >= 5 * MS, "early", "no earlier than 5 ms");
    tap_check(timer_last_ns >= t0 + 5 * MS, "early",
              "the handler ran at or after the deadline");

    /* Cancel with 0. */
    local_events_disable();
    seen = timer_events;
    HYPERVISOR_set_timer_op(time_now_ns() + 3 * MS);
    rc = HYPERVISOR_set_timer_op(0);
    tap_eq(rc, 0, "set_timer_op(0) cancels");
    poll_timer_port(time_now_ns() + 10 * MS);
    tap_ok(!evtchn_is_pending(timer_port), "the cancelled timer did not fire");
    local_events_enable();
    tap_eq(timer_events, seen, "no event delivered");

    /* Re-arming replaces the earlier deadline. */
    local_events_disable();
    seen = timer_events;
    t0 = time_now_ns();
    HYPERVISOR_set_timer_op(t0 + 1000 * MS);
    HYPERVISOR_set_timer_op(t0 + 4 * MS);
    poll_timer_port(t0 + 500 * MS);
    t1 = time_now_ns();
    tap_ok(evtchn_is_pending(timer_port), "re-armed timer fired");
    tap_check(t1 - t0 < 400 * MS, "took the first deadline",
              "... at the later call's (earlier) deadline");
    local_events_enable();
    tap_eq(timer_events - seen, 1, "one event for the re-armed timer");

    /* A deadline already past fires at once. */
    seen = timer_events;
    rc = HYPERVISOR_set_timer_op(time_now_ns() - 2 * MS);
    tap_eq(rc, 0, "set_timer_op(a moment ago)");
    sched_block_until_changed(&timer_events, seen);
    tap_eq(timer_events - seen, 1, "... fires immediately");

    /* Shared with VCPUOP_set_singleshot_timer: set_timer_op(0) cancels it. */
    local_events_disable();
    seen = timer_events;
    timer_set_singleshot(time_now_ns() + 3 * MS, 0);
    HYPERVISOR_set_timer_op(0);
    poll_timer_port(time_now_ns() + 10 * MS);
    tap_ok(!evtchn_is_pending(timer_port),
           "set_timer_op(0) also cancels a VCPUOP single-shot timer");
    local_events_enable();
    tap_done();
}
