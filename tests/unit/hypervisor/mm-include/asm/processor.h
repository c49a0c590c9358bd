/* SPDX-License-Identifier: MIT */
/*
 * Host stand-in for asm/processor.h in the PV MMU model (mm_model.c):
 * what the PV MMU does to the CPU -- CR3 loads, INVLPG, WBINVD, interrupt
 * masking -- becomes a call into the model, which records it against the
 * model CPU that is "running" (see current.h).
 */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <asm/config.h>
#include <pvisor/types.h>

uint64_t read_cr3(void);
void write_cr3(uint64_t v);
void invlpg(const void *va);
void wbinvd(void);
unsigned long local_irq_save(void);
void local_irq_restore(unsigned long flags);

static inline void cpu_relax(void)
{
}

#endif /* ASM_PROCESSOR_H */
