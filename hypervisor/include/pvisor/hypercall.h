/* SPDX-License-Identifier: MIT */
/* Hypercall handlers and the dispatcher (common/hypercall.c). */
#ifndef PVISOR_HYPERCALL_H
#define PVISOR_HYPERCALL_H

#include <pvisor/types.h>

/* Runs hypercall op for the current vCPU (a guest's, or dom0's link). */
long hypercall_dispatch(unsigned long op, const unsigned long args[5]);
#define pv_hypercall hypercall_dispatch
const char *hypercall_name(unsigned long op);

/*
 * Preemption of long hypercalls, as Xen's continuations: a handler that
 * has done part of its work and finds hypercall_preempt_check() true
 * returns hypercall_create_continuation(op, nargs, args...), which makes
 * the guest re-issue op with the given (advanced) arguments once it runs
 * again.  Inside a multicall the new arguments go back into the entry.
 * The dom0 link's calls are never preempted.
 */
#define HC_ERESTART 85 /* internal (Xen's ERESTART): never seen by guests */
#define MCSF_in_multicall    (1U << 0)
#define MCSF_call_preempted  (1U << 1)
bool hypercall_preempt_check(void);
long hypercall_create_continuation(unsigned long op, unsigned int nargs, ...);
/* arch: rewinds the guest to its hypercall instruction with new args. */
void arch_hypercall_continuation(unsigned long op, const unsigned long a[5]);

long do_set_trap_table(unsigned long traps);
long do_mmu_update(unsigned long ureqs, unsigned long count,
                   unsigned long pdone, unsigned long foreigndom);
long do_set_gdt(unsigned long frame_list, unsigned long entries);
long do_stack_switch(unsigned long ss, unsigned long esp);
long do_set_callbacks(unsigned long event, unsigned long failsafe,
                      unsigned long syscall);
long do_fpu_taskswitch(unsigned long set);
long do_platform_op(unsigned long arg);
long do_set_debugreg(unsigned long reg, unsigned long value);
long do_get_debugreg(unsigned long reg);
long do_update_descriptor(unsigned long maddr, unsigned long desc);
long do_memory_op(unsigned long cmd, unsigned long arg);
long do_multicall(unsigned long list, unsigned long nr);
long do_update_va_mapping(unsigned long va, unsigned long val,
                          unsigned long flags);
long do_set_timer_op(unsigned long timeout);
long do_xen_version(unsigned long cmd, unsigned long arg);
long do_console_io(unsigned long cmd, unsigned long count, unsigned long buf);
long do_vm_assist(unsigned long cmd, unsigned long type);
long do_grant_table_op(unsigned long cmd, unsigned long uop,
                       unsigned long count);
long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags,
                                      unsigned long domid);
long do_iret(void);
long do_vcpu_op(unsigned long cmd, unsigned long vcpuid, unsigned long arg);
long do_set_segment_base(unsigned long which, unsigned long base);
long do_mmuext_op(unsigned long uops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom);
long do_sched_op(unsigned long cmd, unsigned long arg);
long do_callback_op(unsigned long cmd, unsigned long arg);
long do_event_channel_op(unsigned long cmd, unsigned long arg);
long do_physdev_op(unsigned long cmd, unsigned long arg);
long do_sysctl(unsigned long arg);
long do_domctl(unsigned long arg);

#endif /* PVISOR_HYPERCALL_H */
