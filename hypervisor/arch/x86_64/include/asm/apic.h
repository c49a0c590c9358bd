/* SPDX-License-Identifier: MIT */
/*
 * Local APIC (xAPIC, memory-mapped), I/O APIC and the legacy 8259 PICs.
 * The 8259s are remapped and fully masked; device interrupts come through
 * the I/O APIC.
 */
#ifndef ASM_APIC_H
#define ASM_APIC_H

#include <pvisor/types.h>

#define LAPIC_DEFAULT_MADDR 0xfee00000ULL
#define IOAPIC_DEFAULT_MADDR 0xfec00000ULL

void lapic_map(uint64_t maddr);
void lapic_init_cpu(void);
uint32_t lapic_id(void);
void lapic_eoi(void);
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
void lapic_send_nmi_allbutself(void);
int lapic_start_ap(uint32_t apic_id, uint8_t sipi_vector);
/* One-shot timer in LAPIC ticks (0 stops it); divide configured by init. */
void lapic_timer_oneshot(uint32_t ticks);
uint32_t lapic_timer_current(void);

void pic_disable(void);

void ioapic_init(uint64_t maddr, uint32_t gsi_base);
/* Routes a GSI to vector on the CPU with apic_id (edge/high unless told). */
void ioapic_route(uint32_t gsi, uint8_t vector, uint32_t apic_id,
                  bool level, bool active_low);

#endif /* ASM_APIC_H */
