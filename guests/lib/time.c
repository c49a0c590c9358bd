/* SPDX-License-Identifier: MIT */
/*
 * Reading the clocks the hypervisor publishes in shared_info, and the
 * VIRQ_TIMER timers.  See time.h for the model and clock.c for the maths.
 *
 * Blocking: SCHEDOP_block clears the event mask and sleeps unless an event
 * is already deliverable, so the usual pattern (mask, test condition,
 * block) has no lost-wakeup window: an event that arrives after the test
 * is either seen by the hypervisor at block time or wakes us, and the
 * upcall runs as the hypercall returns.
 */
#include "events.h"
#include "hypercall.h"
#include "timekeeping.h"

evtchn_port_t timer_port;
volatile unsigned long timer_events;
volatile uint64_t timer_last_ns;

uint64_t time_now_ns(void)
{
    struct vcpu_time_info snap;
    const volatile struct vcpu_time_info *t = &vcpu0->time;
    uint32_t version;
    uint64_t now;

    do {
        pvclock_snapshot(t, &snap);
        now = pvclock_system_time(&snap, rdtsc_ordered());
        version = t->version;
        rmb();
    } while (version != snap.version);
    return now;
}

void time_wallclock_base(uint64_t *sec, uint32_t *nsec, uint32_t *version)
{
    uint32_t v;

    do {
        v = READ_ONCE(shared_info->wc_version);
        rmb();
        *sec = ((uint64_t)READ_ONCE(shared_info->wc_sec_hi) << 32) |
               READ_ONCE(shared_info->wc_sec);
        *nsec = READ_ONCE(shared_info->wc_nsec);
        rmb();
    } while ((v & 1) || v != READ_ONCE(shared_info->wc_version));
    if (version)
        *version = v;
}

void time_wallclock(uint64_t *sec, uint32_t *nsec)
{
    uint64_t base_sec, now = time_now_ns();
    uint32_t base_nsec;
    uint64_t total_ns;

    time_wallclock_base(&base_sec, &base_nsec, NULL);
    total_ns = base_nsec + now;
    *sec = base_sec + total_ns / NSEC_PER_SEC;
    *nsec = (uint32_t)(total_ns % NSEC_PER_SEC);
}

static void timer_virq(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    timer_last_ns = time_now_ns();
    timer_events++;
}

long timer_init(void)
{
    long rc = evtchn_bind_virq(VIRQ_TIMER, 0, &timer_port);

    if (rc)
        return rc;
    evtchn_set_handler(timer_port, timer_virq, NULL);
    evtchn_unmask(timer_port);
    return HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
}

long timer_set_singleshot(uint64_t abs_ns, uint32_t flags)
{
    struct vcpu_set_singleshot_timer t = {
        .timeout_abs_ns = abs_ns,
        .flags = flags,
    };

    return HYPERVISOR_vcpu_op(VCPUOP_set_singleshot_timer, 0, &t);
}

unsigned long sched_block_until_changed(volatile unsigned long *counter,
                                        unsigned long seen)
{
    unsigned long blocks = 0;

    for (;;) {
        local_events_disable();
        if (*counter != seen)
            break;
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        blocks++;
    }
    local_events_enable();
    return blocks;
}

uint64_t timer_sleep_ns(uint64_t ns)
{
    uint64_t start = time_now_ns(), deadline = start + ns, now;

    while ((now = time_now_ns()) < deadline) {
        unsigned long seen = timer_events;

        if (timer_set_singleshot(deadline, 0))
            guest_panic("VCPUOP_set_singleshot_timer failed");
        sched_block_until_changed(&timer_events, seen);
    }
    return now - start;
}
