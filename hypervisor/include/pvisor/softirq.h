/* SPDX-License-Identifier: MIT */
/*
 * Softirqs: deferred work run on the way out of an interrupt to the idle
 * loop (and, later, on every return to a guest), with interrupts enabled.
 * Pending bits live in the CPU's struct cpu_info.
 */
#ifndef PVISOR_SOFTIRQ_H
#define PVISOR_SOFTIRQ_H

#include <pvisor/types.h>

enum softirq {
    TIMER_SOFTIRQ,
    SCHEDULE_SOFTIRQ, /* pick what this CPU runs next */
    NR_SOFTIRQS
};

typedef void (*softirq_handler)(void);

void open_softirq(enum softirq nr, softirq_handler h);
void raise_softirq(enum softirq nr);
void cpu_raise_softirq(unsigned int cpu, enum softirq nr);
bool softirq_pending(unsigned int cpu);
void do_softirq(void);

#endif /* PVISOR_SOFTIRQ_H */
