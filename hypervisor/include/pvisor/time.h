/* SPDX-License-Identifier: MIT */
/*
 * Time: system time is nanoseconds since the hypervisor started, derived
 * from the TSC; timers fire from the per-CPU LAPIC one-shot timer through
 * TIMER_SOFTIRQ.
 */
#ifndef PVISOR_TIME_H
#define PVISOR_TIME_H

#include <pvisor/types.h>

typedef int64_t s_time_t; /* system time, ns */

#define MILLISECS(ms) ((s_time_t)(ms) * 1000000LL)
#define MICROSECS(us) ((s_time_t)(us) * 1000LL)
#define SECONDS(s) ((s_time_t)(s) * 1000000000LL)
/* The longest timer delta accepted: NOW() plus it cannot overflow. */
#define STIME_DELTA_MAX ((s_time_t)(~0ULL >> 2))

extern uint64_t boot_tsc;
extern uint32_t tsc_khz;

/* Calibrates the TSC (PIT) and the LAPIC timer; after this NOW() works. */
void time_init(void);
s_time_t NOW(void);
uint64_t tsc_to_ns(uint64_t tsc_delta);
uint64_t ns_to_tsc(uint64_t ns);
void udelay(unsigned long us);
void mdelay(unsigned long ms);

/* Programs this CPU's one-shot timer to fire at `deadline` (0 = stop). */
void arch_timer_program(s_time_t deadline);

struct timer {
    s_time_t expires;
    void (*fn)(void *data);
    void *data;
    unsigned int cpu;
    bool active;
    struct timer *next; /* in the CPU's list, sorted by expiry */
};

void timer_init(struct timer *t, void (*fn)(void *), void *data,
                unsigned int cpu);
void set_timer(struct timer *t, s_time_t expires);
void stop_timer(struct timer *t);
void timer_softirq_action(void);
void timer_interrupt(void);

#endif /* PVISOR_TIME_H */
