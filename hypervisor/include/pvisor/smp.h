/* SPDX-License-Identifier: MIT */
/* Physical CPUs: bring-up, per-CPU state lookup, cross-CPU signalling. */
#ifndef PVISOR_SMP_H
#define PVISOR_SMP_H

#include <pvisor/types.h>

struct cpu_info;

extern unsigned int nr_cpus_online;
extern unsigned int nr_cpus_possible; /* CPUs the firmware described */
extern uint32_t cpu_apic_ids[];

struct cpu_info *cpu_info_of(unsigned int cpu);
bool cpu_online(unsigned int cpu);
void smp_prepare_boot_cpu(unsigned long stack_block);
void smp_boot_cpus(void);
void smp_send_event_check(unsigned int cpu);
/* Stops every other CPU (NMI); used on panic and machine halt. */
void smp_stop_other_cpus(void);

#endif /* PVISOR_SMP_H */
