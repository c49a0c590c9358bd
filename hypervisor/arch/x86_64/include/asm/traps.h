/* SPDX-License-Identifier: MIT */
/* Trap and interrupt dispatch (arch/x86_64/traps.c). */
#ifndef ASM_TRAPS_H
#define ASM_TRAPS_H

#include <pvisor/types.h>
#include <xen/xen.h>

/* The #PF error code. */
#define PFEC_page_present (1U << 0)
#define PFEC_write_access (1U << 1)
#define PFEC_user_mode (1U << 2)
#define PFEC_reserved_bit (1U << 3)
#define PFEC_insn_fetch (1U << 4)

typedef void (*irq_handler_fn)(struct cpu_user_regs *regs);

void set_irq_handler(unsigned int vector, irq_handler_fn fn);
void do_trap(struct cpu_user_regs *regs);
/* Prints registers and a stack trace. */
void show_registers(const struct cpu_user_regs *regs);
void show_stack_trace(unsigned long rbp, unsigned long rip);
const char *trap_name(unsigned int vector);
/* Stops the machine: QEMU exits with (code << 1) | 1. */
void machine_halt(uint8_t code) __noreturn;

#endif /* ASM_TRAPS_H */
