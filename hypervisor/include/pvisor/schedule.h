/* SPDX-License-Identifier: MIT */
/* The scheduler's mechanics (common/schedule.c); policy in sched_policy.h. */
#ifndef PVISOR_SCHEDULE_H
#define PVISOR_SCHEDULE_H

#include <pvisor/sched.h>

extern struct domain *idle_domain;

void scheduler_init(void);
/* Creates this CPU's idle vCPU and makes it current. */
void scheduler_init_cpu(unsigned int cpu);
/* Places a new vCPU on a CPU; it runs once runnable and woken. */
void sched_init_vcpu(struct vcpu *v);
void sched_destroy_vcpu(struct vcpu *v);
bool vcpu_runnable(const struct vcpu *v);
void vcpu_wake(struct vcpu *v);
void vcpu_sleep_nosync(struct vcpu *v);
/* Waits until v is off every CPU (never for the caller's own vCPU). */
void vcpu_sleep_sync(struct vcpu *v);
void vcpu_block(void);
void vcpu_unblock(struct vcpu *v);
void sched_set_domain_params(struct domain *d, uint32_t weight, uint32_t cap);
/* Number of vCPUs queued or running on cpu, for placement. */
unsigned int sched_load(unsigned int cpu);
/* Current runstate times, including the running slice. */
void vcpu_runstate_get(const struct vcpu *v, struct vcpu_runstate_info *r);
uint64_t vcpu_cpu_time(const struct vcpu *v);

/* Architecture hooks (arch/x86_64/pv/domain.c). */
void context_switch(struct vcpu *prev, struct vcpu *next) __noreturn;
void idle_loop(void) __noreturn;

#endif /* PVISOR_SCHEDULE_H */
