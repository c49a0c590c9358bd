/* SPDX-License-Identifier: MIT */
/*
 * Time for a PV guest: system time from the vcpu_time_info pvclock in
 * vcpu_info (nanoseconds since the hypervisor booted), wallclock from
 * shared_info (the Unix time at system time 0), and the timers behind
 * VIRQ_TIMER: the per-vCPU single-shot timer (VCPUOP_set_singleshot_timer
 * or set_timer_op) and the periodic timer every PV vCPU starts with (10 ms,
 * stopped by timer_init so that only the timers a guest asks for fire).
 */
#ifndef GUEST_TIMEKEEPING_H
#define GUEST_TIMEKEEPING_H

#include "guest.h"

#include <xen/event_channel.h>

#define NSEC_PER_MSEC 1000000UL
#define NSEC_PER_SEC  1000000000UL

/* clock.c: pure arithmetic, unit-tested on the host. */
uint64_t pvclock_scale_delta(uint64_t delta, uint32_t mul, int8_t shift);
uint64_t pvclock_system_time(const struct vcpu_time_info *t, uint64_t tsc);
/* Read *t consistently (version even and unchanged) into *snap. */
void pvclock_snapshot(const volatile struct vcpu_time_info *t,
                      struct vcpu_time_info *snap);

struct guest_tm {
    int year, month, day; /* month 1-12, day 1-31 */
    int hour, min, sec;
    int wday; /* 0 = Sunday */
};
void time_unix_to_tm(int64_t secs, struct guest_tm *tm);

/* time.c */
uint64_t time_now_ns(void); /* system time; needs shared_info mapped */
/* Unix time now: wallclock base plus system time. */
void time_wallclock(uint64_t *sec, uint32_t *nsec);
void time_wallclock_base(uint64_t *sec, uint32_t *nsec, uint32_t *version);

extern evtchn_port_t timer_port;            /* VIRQ_TIMER port, 0 if none */
extern volatile unsigned long timer_events; /* VIRQ_TIMER deliveries */
extern volatile uint64_t timer_last_ns;     /* system time at the last one */

/* Bind VIRQ_TIMER on vCPU 0 and stop the default periodic timer. */
long timer_init(void);
long timer_set_singleshot(uint64_t abs_ns, uint32_t flags);

/*
 * Block (SCHEDOP_block) until *counter exceeds `seen`; events are masked
 * while the condition is tested so a wakeup cannot be lost, and unmasked
 * on return.  Returns the number of SCHEDOP_block calls made.
 */
unsigned long sched_block_until_changed(volatile unsigned long *counter,
                                        unsigned long seen);

/* Sleep for at least ns using the single-shot timer.  Returns time slept. */
uint64_t timer_sleep_ns(uint64_t ns);

#endif /* GUEST_TIMEKEEPING_H */
