/* SPDX-License-Identifier: MIT */
/*
 * Page tables the guest builds, pins and tears down itself (see pt.h):
 * walking our own tables through the boot mapping, single mmu_update and
 * mmuext_op requests, and a small pinned user address space.
 */
#include "hypercall.h"
#include "pt.h"

unsigned long pt_m2p(xen_pfn_t mfn)
{
    return ((const volatile unsigned long *)MACH2PHYS_VIRT_START)[mfn];
}

unsigned long pt_mfn_to_virt(xen_pfn_t mfn)
{
    unsigned long pfn = pt_m2p(mfn), va;

    if (pfn >= start_info->nr_pages || pfn_to_mfn(pfn) != mfn)
        return 0;
    va = pfn_to_virt(pfn);
    return va < mm_free_end ? va : 0;
}

xen_pfn_t pt_current_l4(void)
{
    unsigned long cr3;

    __asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
    return cr3 >> PAGE_SHIFT;
}

uint64_t pt_read(uint64_t maddr)
{
    unsigned long va = pt_mfn_to_virt(maddr >> PAGE_SHIFT);

    if (!va)
        return 0;
    return *(const volatile uint64_t *)(va + (maddr & ~PAGE_MASK & ~7UL));
}

uint64_t pt_entry_maddr(xen_pfn_t l4_mfn, unsigned long va, unsigned int level)
{
    xen_pfn_t mfn = l4_mfn;

    for (unsigned int l = 4; l > level; l--) {
        uint64_t e = pt_read(pt_maddr(mfn, pt_index(va, l)));

        if (!(e & PTE_P) || (e & PTE_PSE))
            return 0;
        mfn = pte_mfn(e);
    }
    return pt_maddr(mfn, pt_index(va, level));
}

long pt_update(uint64_t maddr, uint64_t val)
{
    mmu_update_t req = {.ptr = maddr | MMU_NORMAL_PT_UPDATE, .val = val};

    return HYPERVISOR_mmu_update(&req, 1, NULL, DOMID_SELF);
}

long pt_mmuext(unsigned int cmd, unsigned long arg1)
{
    struct mmuext_op op = {.cmd = cmd, .arg1.mfn = arg1};

    return HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
}

long pt_pin(xen_pfn_t mfn, unsigned int level)
{
    return pt_mmuext(MMUEXT_PIN_L1_TABLE + level - 1, mfn);
}

long pt_unpin(xen_pfn_t mfn)
{
    return pt_mmuext(MMUEXT_UNPIN_TABLE, mfn);
}

long pt_map_ro(unsigned long va)
{
    return mm_map(va, virt_to_mfn(va), PTE_P | PTE_A);
}

long pt_map_rw(unsigned long va)
{
    return mm_map(va, virt_to_mfn(va), PTE_P | PTE_RW | PTE_A | PTE_D);
}

void pt_space_build(struct pt_space *s, unsigned long base,
                    const unsigned long *pages, const bool *rw, unsigned int nr)
{
    uint64_t *l4, *l3, *l2, *l1;
    unsigned int first = pt_index(base, 1);

    if (nr > PT_SPACE_MAX_PAGES || first + nr > PT_ENTRIES ||
        pt_index(base, 4) >= 256)
        guest_panic("pt_space_build: %u pages at %#lx do not fit", nr, base);
    s->base = base;
    s->nr = nr;
    s->l4 = mm_alloc_page();
    s->l3 = mm_alloc_page();
    s->l2 = mm_alloc_page();
    s->l1 = mm_alloc_page();
    l4 = (uint64_t *)s->l4;
    l3 = (uint64_t *)s->l3;
    l2 = (uint64_t *)s->l2;
    l1 = (uint64_t *)s->l1;

    /* The kernel half as the kernel sees it; the user half is ours. */
    memcpy(l4, (const void *)pt_mfn_to_virt(pt_current_l4()), PAGE_SIZE);
    memset(l4, 0, 256 * sizeof(*l4));
    l4[pt_index(base, 4)] =
        ((uint64_t)virt_to_mfn(s->l3) << PAGE_SHIFT) | PTE_TABLE;
    l3[pt_index(base, 3)] =
        ((uint64_t)virt_to_mfn(s->l2) << PAGE_SHIFT) | PTE_TABLE;
    l2[pt_index(base, 2)] =
        ((uint64_t)virt_to_mfn(s->l1) << PAGE_SHIFT) | PTE_TABLE;
    for (unsigned int i = 0; i < nr; i++)
        l1[first + i] = ((uint64_t)virt_to_mfn(pages[i]) << PAGE_SHIFT) |
                        PTE_P | PTE_US | PTE_A | (rw[i] ? PTE_RW | PTE_D : 0);
}

long pt_space_pin(struct pt_space *s)
{
    const unsigned long tables[] = {s->l1, s->l2, s->l3, s->l4};
    long rc;

    for (unsigned int i = 0; i < 4; i++) {
        rc = pt_map_ro(tables[i]);
        if (rc)
            return rc;
    }
    for (unsigned int i = 0; i < 4; i++) {
        rc = pt_pin(virt_to_mfn(tables[i]), i + 1);
        if (rc)
            return rc;
    }
    return 0;
}

long pt_space_unpin(struct pt_space *s)
{
    const unsigned long tables[] = {s->l4, s->l3, s->l2, s->l1};
    long rc, first = 0;

    for (unsigned int i = 0; i < 4; i++) {
        rc = pt_unpin(virt_to_mfn(tables[i]));
        if (rc && !first)
            first = rc;
    }
    for (unsigned int i = 0; i < 4; i++) {
        rc = pt_map_rw(tables[i]);
        if (rc && !first)
            first = rc;
    }
    return first;
}
