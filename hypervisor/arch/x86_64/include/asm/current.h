/* SPDX-License-Identifier: MIT */
/*
 * `struct cpu_info`: per-CPU state at the top of each CPU's stack block
 * (see asm/config.h), reached from any stack pointer in the block -- the
 * hypervisor never relies on the GS base, which belongs to the guest.
 *
 * Its first member is the register frame of the interrupted guest: TSS.RSP0
 * points just past the `ss` field, so an interrupt or trap from ring 3
 * pushes its hardware frame straight into guest_cpu_user_regs and the
 * entry code completes it in place.
 */
#ifndef ASM_CURRENT_H
#define ASM_CURRENT_H

#include <asm/config.h>

#ifndef __ASSEMBLY__
#include <pvisor/types.h>
#include <xen/xen.h>

struct vcpu;

struct cpu_info {
    struct cpu_user_regs guest_cpu_user_regs;
    unsigned int processor_id;
    unsigned int apic_id;
    struct vcpu *current_vcpu;
    unsigned long softirq_pending;
    unsigned long _pad;        /* keeps guest_cpu_user_regs.es 16-aligned */
};

static inline struct cpu_info *get_cpu_info(void)
{
    unsigned long sp;

    asm("mov %%rsp, %0" : "=r"(sp));
    return (struct cpu_info *)((sp | (STACK_SIZE - 1)) + 1) - 1;
}

/* The stack pointer loaded on entry from ring 3 (TSS.RSP0). */
static inline unsigned long cpu_info_stack_top(struct cpu_info *ci)
{
    return (unsigned long)&ci->guest_cpu_user_regs.es;
}

static inline unsigned int smp_processor_id(void)
{
    return get_cpu_info()->processor_id;
}

#define current (get_cpu_info()->current_vcpu)
#endif

#endif /* ASM_CURRENT_H */
