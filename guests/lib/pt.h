/* SPDX-License-Identifier: MIT */
/*
 * Page tables a PV guest builds itself, through the hypercalls Xen gives
 * it (public/xen.h): mmu_update to write an entry of a table the
 * hypervisor has validated, mmuext_op to pin, unpin and install tables,
 * update_va_mapping to change how the guest's own pages are mapped.
 *
 * The rules the hypervisor enforces, and these helpers follow: a frame
 * that is a page table (or a descriptor table) may have no writable
 * mapping anywhere, so a new table is written while it is an ordinary
 * writable page, then mapped read-only, then pinned (which validates
 * every entry and, for an L4, fills the hypervisor's slots 256-271).
 * After unpinning, nothing references it any more and it can be mapped
 * writable again: that is how a guest checks a teardown worked.
 *
 * Tables are reached through the boot mapping: every frame the guest
 * uses as a table here lies in the region the builder mapped at
 * VIRT_BASE, so machine frame -> pseudo-physical frame (the read-only
 * M2P) -> virtual address is enough to read any of them.
 */
#ifndef GUEST_PT_H
#define GUEST_PT_H

#include "mm.h"

#define PT_ENTRIES   512
#define PTE_PSE      (1UL << 7) /* L2/L3: large page; L1: PAT */
#define PTE_PWT      (1UL << 3)
#define PTE_PCD      (1UL << 4)
#define PTE_G        (1UL << 8)
#define PTE_TABLE    (PTE_P | PTE_RW | PTE_US | PTE_A) /* L2-L4 entries */
#define PTE_RO_TABLE (PTE_P | PTE_US | PTE_A)          /* read-only, linear */

static inline unsigned int pt_index(unsigned long va, unsigned int level)
{
    return (unsigned int)(va >> (PAGE_SHIFT + 9 * (level - 1))) & 511;
}

static inline xen_pfn_t pte_mfn(uint64_t e)
{
    return (e & PTE_ADDR_MASK) >> PAGE_SHIFT;
}

static inline uint64_t pt_maddr(xen_pfn_t mfn, unsigned int slot)
{
    return ((uint64_t)mfn << PAGE_SHIFT) + slot * sizeof(uint64_t);
}

/* The pseudo-physical frame the M2P gives for mfn (~0 if none). */
unsigned long pt_m2p(xen_pfn_t mfn);
/* The boot-mapping address of a frame of ours, or 0 if outside it. */
unsigned long pt_mfn_to_virt(xen_pfn_t mfn);
/* The kernel L4 in use (CR3, which the guest kernel may read). */
xen_pfn_t pt_current_l4(void);
/*
 * The machine address of the level-`level` entry that maps va in the
 * tables under l4_mfn (level 4: the L4 slot itself), or 0 if a table on
 * the way is missing or a large page.
 */
uint64_t pt_entry_maddr(xen_pfn_t l4_mfn, unsigned long va, unsigned int level);
/* Reads the entry at machine address maddr of one of our tables. */
uint64_t pt_read(uint64_t maddr);

/* One MMU_NORMAL_PT_UPDATE. */
long pt_update(uint64_t maddr, uint64_t val);
/* One mmuext_op with arg1 = mfn (or linear address). */
long pt_mmuext(unsigned int cmd, unsigned long arg1);
long pt_pin(xen_pfn_t mfn, unsigned int level);
long pt_unpin(xen_pfn_t mfn);

/* Maps our own page at va read-only or writable again (the same frame). */
long pt_map_ro(unsigned long va);
long pt_map_rw(unsigned long va);

/*
 * A small address space in the user half: a user L4 that copies the
 * kernel L4's guest slots (so code and data of the image stay reachable)
 * and maps `nr` pages at base (slot 0) through its own L3, L2 and one
 * L1.  Table pages come from the padding; pt_space_build writes them
 * while writable, pt_space_pin makes them read-only and pins L1, L2, L3,
 * then L4 (each validated once, as Linux pins its page directories), and
 * pt_space_unpin undoes it and maps every table page writable again,
 * which the hypervisor allows only if it dropped all their table types.
 */
#define PT_SPACE_MAX_PAGES 64
struct pt_space {
    unsigned long l4, l3, l2, l1; /* the table pages' boot-mapping VAs */
    unsigned long base;           /* first user VA mapped */
    unsigned int nr;
};
/* pages[] are our own ordinary pages (boot-mapping VAs); rw per page. */
void pt_space_build(struct pt_space *s, unsigned long base,
                    const unsigned long *pages, const bool *rw,
                    unsigned int nr);
long pt_space_pin(struct pt_space *s);
long pt_space_unpin(struct pt_space *s);
static inline xen_pfn_t pt_space_l4_mfn(const struct pt_space *s)
{
    return virt_to_mfn(s->l4);
}

#endif /* GUEST_PT_H */
