/* SPDX-License-Identifier: MIT */
/*
 * Emulation for PV guest kernels (arch/x86_64/pv/emul_priv_op.c,
 * cpuid.c, ro_page_fault.c): the privileged instructions a kernel at CPL 3
 * executes, CPUID with the PV policy, and writes to its own page tables.
 */
#ifndef ASM_PV_EMUL_H
#define ASM_PV_EMUL_H

#include <pvisor/sched.h>

/* A #GP from the guest: emulates what Xen emulates; false to bounce it. */
bool pv_emulate_privileged(struct vcpu *v, struct cpu_user_regs *regs);
/* A #UD from the guest: the forced-emulation CPUID prefix. */
bool pv_emulate_forced_cpuid(struct vcpu *v, struct cpu_user_regs *regs);
/*
 * A #PF from the guest kernel at cr2: emulates a write to one of its L1
 * tables through a read-only mapping (ro_page_fault.c).  True if the fault
 * is dealt with (the write done or to be retried, or the domain crashed);
 * false to bounce it.
 */
bool pv_ro_page_fault(struct vcpu *v, struct cpu_user_regs *regs,
                      unsigned long cr2);
/* The PV CPUID policy: leaf/subleaf -> a, b, c, d. */
void pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t subleaf, uint32_t *a,
              uint32_t *b, uint32_t *c, uint32_t *d);

#endif /* ASM_PV_EMUL_H */
