/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for asm/current.h in the PV MMU model: the model keeps
 * one `struct cpu_info` per model CPU and says which CPU the code under
 * test runs on (mm_model.c), instead of finding it from the stack.
 * Only the fields the PV MMU uses are here.
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <pvisor/types.h>

struct vcpu;

struct cpu_info {
    unsigned int processor_id;
    unsigned int apic_id;
    struct vcpu *current_vcpu;
};

/* The model CPU the code under test is running on. */
struct cpu_info *get_cpu_info(void);

static inline unsigned int smp_processor_id(void)
{
    return get_cpu_info()->processor_id;
}

#define current (get_cpu_info()->current_vcpu)

#endif /* ASM_CURRENT_H */
