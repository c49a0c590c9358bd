/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables (arch/x86_64/mm.c).
 *
 * idle_pg_table is the L4 every CPU runs on while no guest is loaded.  Its
 * slots 256-271 point to L3 tables allocated once at boot and never
 * replaced, so copying those 16 entries into a guest L4 shares every
 * hypervisor mapping, present and future, with that guest.
 */
#ifndef ASM_MM_H
#define ASM_MM_H

#include <asm/e820.h>
#include <asm/page.h>

extern pte_t *idle_pg_table;
extern struct e820map e820;

void mm_init(void);
/* Maps nr 4 KiB frames at va in the hypervisor slots; returns 0 or -ENOMEM. */
int map_pages_to_hv(unsigned long va, unsigned long mfn, unsigned long nr,
                    uint64_t flags);
/* Maps one 2 MiB page (flags include PTE_PSE) in the hypervisor slots. */
void map_large_page_to_hv(unsigned long va, uint64_t maddr, uint64_t flags);
/* Maps an MMIO range uncached in the fixmap area. */
void *ioremap(uint64_t maddr, size_t size);
/* Maps firmware tables (ACPI) read-only and cacheable in the fixmap area. */
void *map_firmware_table(uint64_t maddr, size_t size);
/* Copies the hypervisor slots 256-271 into an L4 table. */
void mm_copy_hv_slots(pte_t *l4);

#endif /* ASM_MM_H */
