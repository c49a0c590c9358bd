/* SPDX-License-Identifier: MIT */
/*
 * A bump allocator over the boot mapping's padding, pfn/mfn translation
 * through the p2m list the builder left at start_info->mfn_list, and the
 * shared_info mapping.
 *
 * Where the padding starts: Xen's start-of-day layout puts the page tables
 * (pt_base, nr_pt_frames) and then the one-page boot stack last, and
 * guarantees at least 512 KiB of mapped pages after that.  head.S has left
 * the boot stack, so the padding starts at the higher of the end of the
 * page tables and the boot stack top, and we use only its guaranteed part.
 * Pages are never freed.
 */
#include "hypercall.h"
#include "mm.h"

#define PADDING_GUARANTEED (512UL * 1024)

unsigned long mm_free_start, mm_free_end;
static unsigned long mm_next;

void mm_init(void)
{
    unsigned long pt_end =
        start_info->pt_base + start_info->nr_pt_frames * PAGE_SIZE;

    mm_free_start = PAGE_ALIGN_UP(MAX(pt_end, boot_stack_top));
    mm_free_end = mm_free_start + PADDING_GUARANTEED;
    mm_next = mm_free_start;
}

unsigned long mm_alloc_page(void)
{
    unsigned long va = mm_next;

    if (va >= mm_free_end)
        guest_panic("out of padding pages (%lu used)",
                    (mm_free_end - mm_free_start) / PAGE_SIZE);
    mm_next += PAGE_SIZE;
    memset((void *)va, 0, PAGE_SIZE);
    return va;
}

unsigned long mm_unmapped_page(void)
{
    unsigned long va = mm_alloc_page();
    long rc = mm_unmap(va);

    if (rc)
        guest_panic("update_va_mapping(%#lx, 0) failed: %ld", va, rc);
    return va;
}

xen_pfn_t pfn_to_mfn(unsigned long pfn)
{
    return ((const xen_pfn_t *)start_info->mfn_list)[pfn];
}

xen_pfn_t virt_to_mfn(unsigned long va)
{
    return pfn_to_mfn(virt_to_pfn(va));
}

uint64_t virt_to_maddr(unsigned long va)
{
    return ((uint64_t)virt_to_mfn(va) << PAGE_SHIFT) | (va & ~PAGE_MASK);
}

long mm_map(unsigned long va, xen_pfn_t mfn, uint64_t flags)
{
    return HYPERVISOR_update_va_mapping(
        va, ((uint64_t)mfn << PAGE_SHIFT) | flags, UVMF_INVLPG | UVMF_LOCAL);
}

long mm_unmap(unsigned long va)
{
    return HYPERVISOR_update_va_mapping(va, 0, UVMF_INVLPG | UVMF_LOCAL);
}

void mm_map_shared_info(void)
{
    unsigned long va = mm_alloc_page();
    long rc;

    /* The padding page's own frame stays ours, merely unmapped. */
    rc = HYPERVISOR_update_va_mapping(va,
                                      (start_info->shared_info & PAGE_MASK) |
                                          PTE_P | PTE_RW | PTE_A | PTE_D,
                                      UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        guest_panic("mapping shared_info (maddr %#lx) at %#lx failed: %ld",
                    start_info->shared_info, va, rc);
    shared_info = (shared_info_t *)va;
    vcpu0 = &shared_info->vcpu_info[0];
}
