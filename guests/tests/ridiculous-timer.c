/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to set_timer_op (#15), after do_set_timer_op
 * (xen/common/sched/core.c): it never fails.  A negative timeout or one
 * more than about 13 days (2^50 ns) ahead is taken for a wrapped Linux
 * jiffy and replaced by "100 ms from now"; a timeout long past fires at
 * once.  Each case must produce exactly one VIRQ_TIMER event.
 */
#include "events.h"
#include "ridiculous.h"
#include "timekeeping.h"

#define MS NSEC_PER_MSEC

static void one(uint64_t timeout, const char *what, uint64_t min_ms,
                uint64_t max_ms)
{
    unsigned long seen = timer_events;
    uint64_t t0 = time_now_ns(), dt;
    long rc = HYPERVISOR_set_timer_op(timeout);

    tap_eq(rc, 0, "set_timer_op(%s) returns 0", what);
    sched_block_until_changed(&timer_events, seen);
    dt = (time_now_ns() - t0) / MS;
    tap_check(timer_events == seen + 1 && dt >= min_ms && dt <= max_ms,
              "wrong count or delay", "... one event after %lu-%lu ms (%lu)",
              min_ms, max_ms, dt);
}

int guest_main(void)
{
    guest_init_basic();
    if (timer_init())
        guest_panic("VIRQ_TIMER");
    local_events_enable();

    one(1, "1 ns after boot", 0, 50);
    one(~0UL, "-1", 90, 1000);
    one(1UL << 63, "2^63 (negative)", 90, 1000);
    one(time_now_ns() + (1UL << 51), "2^51 ns ahead", 90, 1000);
    ridiculous_alive();
    tap_done();
}
