/* SPDX-License-Identifier: MIT */
/*
 * Machine frames: the frame table and the heap allocator.
 *
 * Every machine frame up to max_page has a `struct page_info` in the frame
 * table.  The record has room for what the PV MMU needs: the owning domain,
 * a type (writable, L1-L4 page table, segment descriptor, shared) with its
 * type count, and a general reference count.  Frames not managed by the
 * heap (holes, MMIO, the hypervisor image, boot allocations) stay in state
 * PGS_reserved.  Free frames are owned by DOMID_INVALID, the hypervisor's
 * own by DOMID_XEN.
 */
#ifndef PVISOR_MM_H
#define PVISOR_MM_H

#include <pvisor/types.h>
#include <xen/xen.h>

#define PAGE_LIST_NULL UINT32_MAX

struct page_list_entry {
    uint32_t next, prev; /* frame numbers, PAGE_LIST_NULL at the ends */
};

struct page_list_head {
    uint32_t head, tail;
    unsigned long count;
};

/* Frame state (page_info.state). */
#define PGS_reserved 0 /* not managed by the heap; zero-initialised default */
#define PGS_free 1     /* in the heap's free lists */
#define PGS_inuse 2    /* allocated to the hypervisor or a domain */

/* count_info: general reference count and flags. */
#define PGC_count_mask 0x0fffffffU /* PGC_* flags live in bits 28-31 */
#define PGC_allocated (1U << 31) /* the owner holds the allocation reference */
#define PGC_xen_heap (1U << 30)  /* a hypervisor page shared with its owner */

/* type_info: type in the top 3 bits, then flags, then the type count. */
#define PGT_type_shift 29
#define PGT_type_mask (7U << PGT_type_shift)
#define PGT_none (0U << PGT_type_shift)
#define PGT_writable (1U << PGT_type_shift)
#define PGT_l1_table (2U << PGT_type_shift)
#define PGT_l2_table (3U << PGT_type_shift)
#define PGT_l3_table (4U << PGT_type_shift)
#define PGT_l4_table (5U << PGT_type_shift)
#define PGT_seg_desc (6U << PGT_type_shift)
#define PGT_shared (7U << PGT_type_shift)
#define PGT_validated (1U << 28)
#define PGT_pinned (1U << 27)
#define PGT_count_mask ((1U << 27) - 1)


struct page_info {
    struct page_list_entry list; /* free list, or the owner's page list */
    uint32_t count_info;
    uint32_t type_info;
    domid_t owner;
    uint8_t order; /* buddy order, valid on the first frame of a free chunk */
    uint8_t state; /* PGS_* */
    uint32_t tlbflush_timestamp;
    /* A validated page table's linear entries (> 0), or the number of
     * linear entries referring to it (< 0); see pv/mm.c. */
    int16_t linear_pt_count;
};

/* The largest chunk the buddy allocator manages: 2^MAX_ORDER frames (1 GiB). */
#define MAX_ORDER 18

extern struct page_info *frame_table;
extern unsigned long max_page; /* frames covered by the frame table */

static inline struct page_info *mfn_to_page(unsigned long mfn)
{
    return frame_table + mfn;
}

static inline unsigned long page_to_mfn(const struct page_info *pg)
{
    return (unsigned long)(pg - frame_table);
}

static inline bool mfn_valid(unsigned long mfn)
{
    return mfn < max_page;
}

/* Lists of frames threaded through page_info.list. */
void page_list_init(struct page_list_head *h);
void page_list_add_tail(struct page_list_head *h, struct page_info *pg);
void page_list_del(struct page_list_head *h, struct page_info *pg);
struct page_info *page_list_first(const struct page_list_head *h);
struct page_info *page_list_next(const struct page_info *pg);

/* The heap (common/page_alloc.c). */
void heap_init(struct page_info *ft, unsigned long nr_frames);
void heap_add_range(unsigned long start_mfn, unsigned long end_mfn);
struct page_info *alloc_heap_pages(unsigned int order);
void free_heap_pages(struct page_info *pg, unsigned int order);
unsigned long heap_free_pages(void);
unsigned long heap_total_pages(void);
/* Free frames in chunks of each order (for diagnostics and tests). */
unsigned long heap_free_chunks(unsigned int order);

/*
 * Domain memory (common/domheap.c).  A domain's frames are on its
 * page_list and hold the allocation reference (PGC_allocated) plus any
 * references taken with get_page().  The last put_page() scrubs the frame
 * and returns it to the heap.
 */
struct domain;
#define MEMF_no_refcount 1U /* do not count against the domain's max_pages */
struct page_info *alloc_domheap_pages(struct domain *d, unsigned int order,
                                      unsigned int memflags);
/* Takes a general reference on a frame d owns; false if it does not. */
bool get_page(struct page_info *pg, const struct domain *d);
void put_page(struct page_info *pg);
/* Drops the allocation reference (decrease_reservation, teardown). */
void page_release_allocation(struct page_info *pg);
/*
 * A frame a domain frees may still be in the TLB of a CPU that ran the
 * domain (a guest may unmap without flushing).  The frame is stamped with
 * the TLB flush clock when freed, and before the heap hands it out again
 * every CPU that has not flushed since is flushed (arch, pv/mm.c), as
 * Xen's allocator does.
 */
void tlbflush_stamp_freed(struct page_info *pg);
void tlbflush_before_reuse(struct page_info *pg, unsigned int order);
/* Makes a hypervisor page d's own, mappable by d (shared_info); it keeps
 * a writable type reference while shared. */
void share_xen_page_with_guest(struct page_info *pg, struct domain *d);
/* Writes zeros over a frame with in-machine stores. */
void scrub_one_page(struct page_info *pg);

/* Hypervisor-owned memory reached through the direct map (arch mm.c). */
void *alloc_xenheap_pages(unsigned int order);
void free_xenheap_pages(void *va, unsigned int order);
static inline void *alloc_xenheap_page(void)
{
    return alloc_xenheap_pages(0);
}

#endif /* PVISOR_MM_H */
