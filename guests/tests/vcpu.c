/* SPDX-License-Identifier: MIT */
/*
 * Test guest for vcpu_op (#24), after xen/common/domain.c do_vcpu_op:
 * VCPUOP_is_up (1 for our vCPU 0, -ENOENT for vCPUs the domain does not
 * have), VCPUOP_get_runstate_info and a registered runstate area (written
 * at registration and on every schedule in/out), the single-shot timer
 * (with VCPU_SSHOTTMR_future refusing a deadline in the past with -ETIME)
 * and the periodic timer (>= 1 ms, stoppable).  The guest is configured
 * with one vCPU (vcpu.cfg).
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"

#include <xen/errno.h>

#define MS NSEC_PER_MSEC

static struct vcpu_runstate_info area;

int guest_main(void)
{
    struct vcpu_runstate_info info;
    struct vcpu_register_runstate_memory_area reg;
    struct vcpu_set_periodic_timer per;
    uint64_t t0, t1, blocked_before;
    unsigned long seen;
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound, VCPUOP_stop_periodic_timer");
    local_events_enable();

    tap_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 0, NULL), 1,
           "VCPUOP_is_up(0) is 1");
    tap_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 1, NULL), -XEN_ENOENT,
           "VCPUOP_is_up(1) on a 1-vCPU domain is -ENOENT");
    tap_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, XEN_LEGACY_MAX_VCPUS - 1, NULL),
           -XEN_ENOENT, "VCPUOP_is_up(31) is -ENOENT");
    tap_eq(HYPERVISOR_vcpu_op(VCPUOP_is_up, 4096, NULL), -XEN_ENOENT,
           "VCPUOP_is_up(4096) is -ENOENT");

    memset(&info, 0xff, sizeof(info));
    rc = HYPERVISOR_vcpu_op(VCPUOP_get_runstate_info, 0, &info);
    tap_eq(rc, 0, "VCPUOP_get_runstate_info(0)");
    tap_eq(info.state, RUNSTATE_running, "... says we are running");
    tap_check(info.time[RUNSTATE_running] > 0, "no running time",
              "... with some running time accounted");
    tap_check(info.state_entry_time <= time_now_ns(), "in the future",
              "... entered at a past system time");

    memset(&area, 0xff, sizeof(area));
    reg.addr.v = &area;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, 0, "VCPUOP_register_runstate_memory_area");
    tap_eq(area.state, RUNSTATE_running, "the area was filled at registration");
    blocked_before = area.time[RUNSTATE_blocked] & ~XEN_RUNSTATE_UPDATE;

    /* Single-shot timer, blocking 10 ms: the area must account it. */
    seen = timer_events;
    t0 = time_now_ns();
    rc = timer_set_singleshot(t0 + 10 * MS, 0);
    tap_eq(rc, 0, "VCPUOP_set_singleshot_timer(now + 10 ms)");
    sched_block_until_changed(&timer_events, seen);
    t1 = time_now_ns();
    tap_eq(timer_events - seen, 1, "one VIRQ_TIMER event");
    tap_check(t1 - t0 >= 10 * MS, "early", "after at least 10 ms");
    tap_eq(area.state, RUNSTATE_running, "runstate area: running again");
    tap_check(area.time[RUNSTATE_blocked] - blocked_before >= 5 * MS,
              "blocked time not accounted",
              "runstate area accounts >= 5 ms blocked");

    rc = timer_set_singleshot(time_now_ns() - 1 * MS, VCPU_SSHOTTMR_future);
    tap_eq(rc, -XEN_ETIME, "single-shot in the past with VCPU_SSHOTTMR_future");

    /* A deadline in the past without the flag fires at once. */
    seen = timer_events;
    rc = timer_set_singleshot(time_now_ns() - 1 * MS, 0);
    tap_eq(rc, 0, "single-shot in the past without the flag is accepted");
    sched_block_until_changed(&timer_events, seen);
    tap_eq(timer_events - seen, 1, "... and fires");

    /* Stop a pending single-shot: nothing arrives. */
    local_events_disable();
    seen = timer_events;
    timer_set_singleshot(time_now_ns() + 3 * MS, 0);
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL);
    tap_eq(rc, 0, "VCPUOP_stop_singleshot_timer");
    {
        struct sched_poll p = {.nr_ports = 1,
                               .timeout = time_now_ns() + 10 * MS};

        set_xen_guest_handle(p.ports, &timer_port);
        HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    }
    tap_ok(!evtchn_is_pending(timer_port), "the stopped timer did not fire");
    local_events_enable();
    tap_eq(timer_events, seen, "no timer event delivered");

    /* Periodic timer: 5 ms for 30 ms gives about 6 events. */
    per.period_ns = 5 * MS;
    seen = timer_events;
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    tap_eq(rc, 0, "VCPUOP_set_periodic_timer(5 ms)");
    t0 = time_now_ns();
    while (time_now_ns() - t0 < 30 * MS)
        sched_block_until_changed(&timer_events, timer_events);
    rc = HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    tap_eq(rc, 0, "VCPUOP_stop_periodic_timer");
    tap_check(timer_events - seen >= 3 && timer_events - seen <= 9,
              "event count off", "periodic timer ticked 3-9 times in 30 ms");
    tap_diag("%lu periodic events in %lu us", timer_events - seen,
             (time_now_ns() - t0) / 1000);
    seen = timer_events;
    timer_sleep_ns(20 * MS);
    tap_check(timer_events - seen <= 2, "still ticking",
              "no periodic ticks after stopping (only our sleep's timer)");

    per.period_ns = 1000; /* 1 us */
    rc = HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &per);
    tap_eq(rc, -XEN_EINVAL, "a periodic timer under 1 ms is refused");
    rc = HYPERVISOR_vcpu_op(99, 0, NULL);
    tap_eq(rc, -XEN_ENOSYS, "an unknown vcpu_op (99) is -ENOSYS");

    reg.addr.v = NULL;
    rc = HYPERVISOR_vcpu_op(VCPUOP_register_runstate_memory_area, 0, &reg);
    tap_eq(rc, 0, "registering a NULL runstate area turns it off");
    tap_done();
}
