/* SPDX-License-Identifier: MIT */
/*
 * The PV MMU (arch/x86_64/pv/mm.c, mm_ops.c): frame types, page-table
 * validation and the hypercalls that change guest page tables.
 *
 * Every guest page table is checked by the hypervisor: a frame becomes an
 * Ln table only when each of its present entries is valid (it refers to a
 * frame the domain owns, of the right type), and it keeps that type, with
 * no writable mapping anywhere, while anything uses it as a table.  The
 * domain's mm_lock serialises its page-table changes (validation,
 * devalidation, entry updates), as Xen's domain "big lock" did.
 */
#ifndef ASM_PV_MM_H
#define ASM_PV_MM_H

#include <asm/page.h>
#include <pvisor/mm.h>
#include <pvisor/types.h>

struct domain;
struct vcpu;

/* Software PTE bit: the guest wrote this L1 entry without _PAGE_USER. */
#define PTE_GUEST_KERNEL (1UL << 52)
/*
 * Software PTE bit: a grant mapping (Xen's _PAGE_GNTTAB, bit 62).  The
 * grant table holds its references, not the PV MMU; guests may not set it.
 */
#define PTE_GNTTAB (1UL << 62)
/*
 * Flags a guest may set in entries it writes (others are refused), as
 * Xen's base_disallow_mask and l1_disallow_mask: no cache attributes
 * (PWT, PCD, and PAT, bit 7 of an L1 entry) for a domain without I/O
 * rights, which every pvisor domain is; no PSE or global bit above L1.
 */
#define L1_ALLOWED_FLAGS                                                       \
    (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | PTE_G | (7UL << 9) |             \
     (0x3ffUL << 52) | PTE_NX)
#define LX_ALLOWED_FLAGS                                                       \
    (PTE_P | PTE_W | PTE_U | PTE_A | PTE_D | (7UL << 9) | (0x7ffUL << 52) |   \
     PTE_NX)

/* The domain's mm_lock: recursive for the CPU that holds it. */
void mm_lock(struct domain *d);
void mm_unlock(struct domain *d);

/* Types and references. */
int get_page_type(struct page_info *pg, uint32_t type);
void put_page_type(struct page_info *pg);
int get_page_and_type(struct page_info *pg, struct domain *d, uint32_t type);
void put_page_and_type(struct page_info *pg);
/* Whether the type is a page table or a descriptor table. */
static inline bool is_pt_type(uint32_t type)
{
    return type >= PGT_l1_table && type <= PGT_seg_desc;
}

/* Table levels as types: PGT_l1_table + level - 1. */
#define PGT_for_level(l) (PGT_l1_table + (((l)-1) << PGT_type_shift))

/* Updates one entry of a validated table; mm_lock held. */
int mod_pt_entry(struct domain *d, struct page_info *table, unsigned int slot,
                 pte_t nval, bool preserve_ad);
/* Replaces an L1 entry that still holds expect with nval; mm_lock held. */
int pv_l1e_cmpxchg(struct domain *d, struct page_info *l1, unsigned int slot,
                   pte_t expect, pte_t nval);
/* Pins or unpins a table for d (possibly a foreign one for dom0). */
int pv_pin_table(struct domain *d, unsigned long mfn, unsigned int level);
int pv_unpin_table(struct domain *d, unsigned long mfn);
/* Installs new kernel/user L4s for v (holding a type reference each). */
int pv_set_guest_table(struct vcpu *v, unsigned long mfn, bool user);
void pv_drop_guest_tables(struct vcpu *v);
/* The frame mapped at va in v's kernel page tables, or 0. */
unsigned long pv_guest_va_to_mfn(struct vcpu *v, unsigned long va);
/* The L1 entry mapping va in v's kernel page tables, or 0. */
pte_t pv_guest_kernel_l1e(struct vcpu *v, unsigned long va);
/*
 * Grant mappings of PV guests (common/grant_table.c): installs a
 * PTE_GNTTAB entry for frame mfn at va in v's kernel tables (replacing
 * what was there), or removes one that maps mfn, writable exactly when
 * the mapping being unmapped is (flags of the mapping).  GNTMAP_* flags;
 * GNTST_* results (no L1 table at va: GNTST_general_error, as Xen).
 */
int pv_grant_map_va(struct vcpu *v, unsigned long va, unsigned long mfn,
                    unsigned int flags);
int pv_grant_unmap_va(struct vcpu *v, unsigned long va, unsigned long mfn,
                      unsigned int flags);
/* Drops the references an L1 entry of table self_mfn holds. */
void pv_put_l1e(pte_t e, unsigned long self_mfn);
/* Drops every type and pin held by d's frames (teardown). */
void pv_mm_relinquish(struct domain *d);
/* Checks the 512 descriptors of a frame about to become a GDT/LDT page. */
int pv_validate_segdesc_page(const uint64_t *descs);
/* Fills the hypervisor-owned slots of a guest L4. */
void pv_init_guest_l4(struct domain *d, pte_t *l4);

/* TLB flushing: the flush clock and flushing a domain's CPUs. */
extern uint32_t tlbflush_clock;
/* Loads CR3 (a full flush of this CPU's TLB) and records the flush. */
void tlbflush_write_cr3(uint64_t cr3);
/* Flushes the CPUs whose entry in mask (NR_CPUS entries) is true. */
void flush_tlb_mask(const bool *mask);
void flush_tlb_domain(struct domain *d);
void flush_tlb_domain_va(struct domain *d, unsigned long va);

long do_mmu_update(unsigned long ureqs, unsigned long count,
                   unsigned long pdone, unsigned long foreigndom);
long do_mmuext_op(unsigned long uops, unsigned long count, unsigned long pdone,
                  unsigned long foreigndom);
long do_update_va_mapping(unsigned long va, unsigned long val,
                          unsigned long flags);
long do_update_va_mapping_otherdomain(unsigned long va, unsigned long val,
                                      unsigned long flags,
                                      unsigned long domid);

#endif /* ASM_PV_MM_H */
