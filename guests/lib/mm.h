/* SPDX-License-Identifier: MIT */
/*
 * Memory as the boot mapping leaves it.  The builder maps the first pfns
 * of the domain at VIRT_BASE: kernel image, start_info, p2m list, page
 * tables (read-only), boot stack, then at least 512 KiB of mapped padding.
 * The guests take their spare pages from that padding, never touching page
 * tables except through update_va_mapping.
 */
#ifndef GUEST_MM_H
#define GUEST_MM_H

#include "guest.h"

/* Start and end of the padding pages mm_alloc_page hands out. */
extern unsigned long mm_free_start, mm_free_end;

void mm_init(void);
unsigned long mm_alloc_page(void);    /* zeroed, mapped RW; panics when out */
unsigned long mm_unmapped_page(void); /* a VA whose PTE is now not present */

static inline unsigned long virt_to_pfn(unsigned long va)
{
    return (va - GUEST_VIRT_BASE) >> PAGE_SHIFT;
}

static inline unsigned long pfn_to_virt(unsigned long pfn)
{
    return GUEST_VIRT_BASE + (pfn << PAGE_SHIFT);
}

/* A p2m entry for a pfn with no frame behind it (given back). */
#define INVALID_P2M_ENTRY (~(xen_pfn_t)0)

xen_pfn_t pfn_to_mfn(unsigned long pfn);
xen_pfn_t virt_to_mfn(unsigned long va);
uint64_t virt_to_maddr(unsigned long va);

/* update_va_mapping(va, mfn << 12 | flags, UVMF_INVLPG | UVMF_LOCAL). */
long mm_map(unsigned long va, xen_pfn_t mfn, uint64_t flags);
long mm_unmap(unsigned long va);

/* Map start_info->shared_info (a machine address) on a padding page. */
void mm_map_shared_info(void);

#endif /* GUEST_MM_H */
