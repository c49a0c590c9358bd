/* SPDX-License-Identifier: MIT */
/* The few ACPI facts the hypervisor needs: CPUs and the I/O APIC. */
#ifndef ASM_ACPI_H
#define ASM_ACPI_H

#include <pvisor/types.h>

struct acpi_info {
    bool found;
    uint64_t lapic_maddr;
    uint64_t ioapic_maddr;
    uint32_t ioapic_gsi_base;
    /* ISA IRQ -> GSI overrides (interrupt source override entries). */
    uint32_t isa_gsi[16];
    bool isa_level[16];
    bool isa_active_low[16];
};

extern struct acpi_info acpi_info;

/*
 * Parses the MADT found from rsdp_maddr (0: search the BIOS areas) and fills
 * acpi_info, cpu_apic_ids[] and nr_cpus_possible.  boot_apic_id goes first.
 */
void acpi_init(uint64_t rsdp_maddr, uint32_t boot_apic_id);

#endif /* ASM_ACPI_H */
