/* SPDX-License-Identifier: MIT */
/*
 * Guest-visible time (common/time.c) and vCPU timers (common/vcpu.c):
 * shared_info's wallclock, each vCPU's vcpu_time_info (pvclock) and
 * runstate area, the single-shot and periodic timers raising VIRQ_TIMER.
 */
#ifndef PVISOR_VCPU_TIME_H
#define PVISOR_VCPU_TIME_H

#include <pvisor/sched.h>

/* Boot: the wallclock from the RTC, the pvclock scale from tsc_khz. */
void guest_time_init(void);
void shared_info_wallclock_init(struct domain *d);
/* Publishes v's vcpu_time_info (on schedule-in and periodically). */
void vcpu_time_update(struct vcpu *v);
/* Copies v's runstate to the guest area it registered, if any. */
void vcpu_runstate_area_update(struct vcpu *v);
/* Unix time in ns now (the hypervisor's wallclock). */
uint64_t wallclock_now_ns(void);

void vcpu_init_timers(struct vcpu *v);
void vcpu_destroy_timers(struct vcpu *v);
/* Starts the 10 ms periodic timer every PV vCPU has until it stops it. */
void vcpu_start_periodic_timer(struct vcpu *v);
long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg);
long do_set_timer_op(unsigned long timeout);

#endif /* PVISOR_VCPU_TIME_H */
