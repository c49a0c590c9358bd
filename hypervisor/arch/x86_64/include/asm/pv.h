/* SPDX-License-Identifier: MIT */
/*
 * The architecture's part of domains and vCPUs (arch/x86_64/pv/).
 */
#ifndef ASM_PV_H
#define ASM_PV_H

#include <pvisor/sched.h>

unsigned int vcpu_order(void);
int arch_domain_create(struct domain *d);
void arch_domain_destroy(struct domain *d);
/* Drops everything d's vCPUs and frames hold (d is dying). */
void arch_domain_relinquish(struct domain *d);
int arch_vcpu_create(struct vcpu *v);
void arch_vcpu_destroy(struct vcpu *v);
void arch_show_guest_state(struct vcpu *v);

/* vCPU state from/to struct vcpu_guest_context (setvcpucontext...). */
int arch_set_vcpu_context(struct vcpu *v, const struct vcpu_guest_context *c);
void arch_get_vcpu_context(struct vcpu *v, struct vcpu_guest_context *c);

/* Descriptor tables (pv/descriptor_tables.c). */
int pv_set_gdt(struct vcpu *v, const unsigned long *frames, unsigned int ents);
void pv_destroy_gdt(struct vcpu *v);
int pv_set_ldt(struct vcpu *v, unsigned long base, unsigned int ents);
/*
 * A page fault from guest mode at *cr2: if it is in v's LDT window, maps
 * the LDT page (true: retry) or rewrites *cr2 to the guest's LDT address
 * for the #PF the guest gets (false, as for any other fault).
 */
bool pv_ldt_page_fault(struct vcpu *v, unsigned long *cr2);
void pv_load_descriptor_tables(struct vcpu *v);
long do_set_gdt(unsigned long frame_list, unsigned long entries);
long do_update_descriptor(unsigned long maddr, unsigned long desc);

/* Guest entry and exit (pv/entry.S, pv/traps.c). */
void pv_exit_to_guest(void);
void return_to_guest(void) __noreturn;
void reset_stack_and_jump_idle(void) __noreturn;
void pv_toggle_guest_mode(struct vcpu *v);
/* The iretq of return_to_guest, and what a fault there becomes. */
extern const char return_to_guest_iretq[];
void pv_iret_fault(const struct cpu_user_regs *regs) __noreturn;
/* Bounces vector into the guest through its trap table; false: crashed. */
bool pv_inject_trap(struct vcpu *v, unsigned int vector, bool has_error,
                    uint32_t error_code);
void pv_trap_init_cpu(unsigned int cpu);
/* Times the bare syscall/sysretq round trip once at boot (baseline.c). */
void syscall_baseline_measure(void);
extern uint64_t syscall_baseline_cycles;
void pv_flush_init(void);
void pv_fpu_ensure_saved(struct vcpu *v);

/* The hypercall page a guest's note asked for (XEN_DOMCTL_hypercall_init). */
int pv_init_hypercall_page(struct domain *d, unsigned long mfn);

#endif /* ASM_PV_H */
