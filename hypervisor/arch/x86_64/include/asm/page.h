/* SPDX-License-Identifier: MIT */
/*
 * x86-64 page-table entry format and the address conversions of the
 * hypervisor's own mappings.
 */
#ifndef ASM_PAGE_H
#define ASM_PAGE_H

#include <asm/config.h>

#define PTE_P (_AC(1, UL) << 0)
#define PTE_W (_AC(1, UL) << 1)
#define PTE_U (_AC(1, UL) << 2)
#define PTE_PWT (_AC(1, UL) << 3)
#define PTE_PCD (_AC(1, UL) << 4)
#define PTE_A (_AC(1, UL) << 5)
#define PTE_D (_AC(1, UL) << 6)
#define PTE_PSE (_AC(1, UL) << 7)
#define PTE_G (_AC(1, UL) << 8)
#define PTE_NX (_AC(1, UL) << 63)
#define PTE_ADDR_MASK _AC(0x000ffffffffff000, UL)

#define L1_SHIFT 12
#define L2_SHIFT 21
#define L3_SHIFT 30
#define L4_SHIFT 39
#define PT_ENTRIES 512
#define L2_PAGE_SIZE (_AC(1, UL) << L2_SHIFT)

/* Intermediate tables and hypervisor data / text / MMIO mappings. */
#define PTE_TABLE (PTE_P | PTE_W | PTE_A | PTE_D)
#define PTE_HV_RW (PTE_P | PTE_W | PTE_A | PTE_D | PTE_NX)
#define PTE_HV_RX (PTE_P | PTE_A)
#define PTE_HV_RO (PTE_P | PTE_A | PTE_NX)
#define PTE_HV_UC (PTE_HV_RW | PTE_PCD | PTE_PWT)

#ifndef __ASSEMBLY__
#include <pvisor/types.h>

typedef uint64_t pte_t;

static inline unsigned int l4_index(uint64_t va) { return (va >> L4_SHIFT) & 511; }
static inline unsigned int l3_index(uint64_t va) { return (va >> L3_SHIFT) & 511; }
static inline unsigned int l2_index(uint64_t va) { return (va >> L2_SHIFT) & 511; }
static inline unsigned int l1_index(uint64_t va) { return (va >> L1_SHIFT) & 511; }

/* Machine address <-> hypervisor pointer through the direct map. */
static inline void *maddr_to_virt(uint64_t ma)
{
    return (void *)(DIRECTMAP_VIRT_START + ma);
}

static inline uint64_t virt_to_maddr(const void *va)
{
    uint64_t v = (uint64_t)va;

    if (v >= HV_VIRT_START && v < HV_VIRT_START + HV_LOWMAP_SIZE)
        return v - HV_VIRT_START;
    return v - DIRECTMAP_VIRT_START;
}

static inline void *mfn_to_virt(unsigned long mfn)
{
    return maddr_to_virt((uint64_t)mfn << PAGE_SHIFT);
}

static inline unsigned long virt_to_mfn(const void *va)
{
    return virt_to_maddr(va) >> PAGE_SHIFT;
}
#endif

#endif /* ASM_PAGE_H */
