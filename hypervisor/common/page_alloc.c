/* SPDX-License-Identifier: MIT */
/*
 * The heap: a binary buddy allocator over the frame table.
 *
 * Free memory is kept as naturally aligned chunks of 2^order frames, one
 * free list per order.  The first frame of a free chunk records the order;
 * every frame of a free chunk is in state PGS_free.  Freeing a chunk merges
 * it with its buddy (the chunk at mfn ^ (1 << order)) while the buddy is a
 * free chunk of the same order.  Frames that were never added with
 * heap_add_range() are PGS_reserved and are never merged into anything.
 *
 * heap_lock protects the free lists and counters.  It is taken with
 * interrupts off so that an allocation from an interrupt handler cannot
 * deadlock against the CPU it interrupted.
 */
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/spinlock.h>

struct page_info *frame_table;
unsigned long max_page;

static DEFINE_SPINLOCK(heap_lock);
static struct page_list_head free_lists[MAX_ORDER + 1]; /* heap_lock */
static unsigned long free_pages;                        /* heap_lock */
static unsigned long total_pages;                       /* heap_lock */

void page_list_init(struct page_list_head *h)
{
    h->head = h->tail = PAGE_LIST_NULL;
    h->count = 0;
}

void page_list_add_tail(struct page_list_head *h, struct page_info *pg)
{
    uint32_t mfn = (uint32_t)page_to_mfn(pg);

    pg->list.next = PAGE_LIST_NULL;
    pg->list.prev = h->tail;
    if (h->tail == PAGE_LIST_NULL)
        h->head = mfn;
    else
        mfn_to_page(h->tail)->list.next = mfn;
    h->tail = mfn;
    h->count++;
}

void page_list_del(struct page_list_head *h, struct page_info *pg)
{
    if (pg->list.prev == PAGE_LIST_NULL)
        h->head = pg->list.next;
    else
        mfn_to_page(pg->list.prev)->list.next = pg->list.next;
    if (pg->list.next == PAGE_LIST_NULL)
        h->tail = pg->list.prev;
    else
        mfn_to_page(pg->list.next)->list.prev = pg->list.prev;
    pg->list.next = pg->list.prev = PAGE_LIST_NULL;
    h->count--;
}

struct page_info *page_list_first(const struct page_list_head *h)
{
    return h->head == PAGE_LIST_NULL ? NULL : mfn_to_page(h->head);
}

struct page_info *page_list_next(const struct page_info *pg)
{
    return pg->list.next == PAGE_LIST_NULL ? NULL : mfn_to_page(pg->list.next);
}

void heap_init(struct page_info *ft, unsigned long nr_frames)
{
    frame_table = ft;
    max_page = nr_frames;
    for (unsigned int o = 0; o <= MAX_ORDER; o++)
        page_list_init(&free_lists[o]);
    free_pages = total_pages = 0;
}

static void set_chunk_state(struct page_info *pg, unsigned int order,
                            uint8_t state)
{
    for (unsigned long i = 0; i < (1UL << order); i++) {
        pg[i].state = state;
        pg[i].count_info = 0;
        pg[i].type_info = 0;
        pg[i].owner = state == PGS_free ? DOMID_INVALID : DOMID_XEN;
    }
}

/* Puts a chunk on the free lists, merging with free buddies; heap_lock held. */
static void heap_insert(unsigned long mfn, unsigned int order)
{
    while (order < MAX_ORDER) {
        unsigned long buddy = mfn ^ (1UL << order);
        struct page_info *b;

        if (buddy >= max_page)
            break;
        b = mfn_to_page(buddy);
        if (b->state != PGS_free || b->order != order)
            break;
        page_list_del(&free_lists[order], b);
        mfn &= ~(1UL << order);
        order++;
    }
    mfn_to_page(mfn)->order = (uint8_t)order;
    page_list_add_tail(&free_lists[order], mfn_to_page(mfn));
}

void heap_add_range(unsigned long start, unsigned long end)
{
    unsigned long flags;

    if (end > max_page)
        end = max_page;
    spin_lock_irqsave(&heap_lock, flags);
    while (start < end) {
        unsigned int order = 0;

        /* The largest aligned chunk that starts here and fits. */
        while (order < MAX_ORDER && IS_ALIGNED(start, 1UL << (order + 1)) &&
               start + (1UL << (order + 1)) <= end)
            order++;
        ASSERT(mfn_to_page(start)->state == PGS_reserved);
        set_chunk_state(mfn_to_page(start), order, PGS_free);
        heap_insert(start, order);
        free_pages += 1UL << order;
        total_pages += 1UL << order;
        start += 1UL << order;
    }
    spin_unlock_irqrestore(&heap_lock, flags);
}

struct page_info *alloc_heap_pages(unsigned int order)
{
    unsigned long flags;
    unsigned int o;
    struct page_info *pg;

    if (order > MAX_ORDER)
        return NULL;
    spin_lock_irqsave(&heap_lock, flags);
    for (o = order; o <= MAX_ORDER; o++)
        if (free_lists[o].count)
            break;
    if (o > MAX_ORDER) {
        spin_unlock_irqrestore(&heap_lock, flags);
        return NULL;
    }
    pg = page_list_first(&free_lists[o]);
    page_list_del(&free_lists[o], pg);
    /* Split: return the upper halves to the free lists. */
    while (o > order) {
        struct page_info *upper;

        o--;
        upper = pg + (1UL << o);
        upper->order = (uint8_t)o;
        page_list_add_tail(&free_lists[o], upper);
    }
    set_chunk_state(pg, order, PGS_inuse);
    free_pages -= 1UL << order;
    spin_unlock_irqrestore(&heap_lock, flags);
    return pg;
}

void free_heap_pages(struct page_info *pg, unsigned int order)
{
    unsigned long flags, mfn = page_to_mfn(pg);

    ASSERT(order <= MAX_ORDER && IS_ALIGNED(mfn, 1UL << order));
    spin_lock_irqsave(&heap_lock, flags);
    for (unsigned long i = 0; i < (1UL << order); i++)
        if (pg[i].state != PGS_inuse)
            panic("freeing frame %#lx in state %u", mfn + i, pg[i].state);
    set_chunk_state(pg, order, PGS_free);
    heap_insert(mfn, order);
    free_pages += 1UL << order;
    spin_unlock_irqrestore(&heap_lock, flags);
}

unsigned long heap_free_pages(void)
{
    return READ_ONCE(free_pages);
}

unsigned long heap_total_pages(void)
{
    return READ_ONCE(total_pages);
}

unsigned long heap_free_chunks(unsigned int order)
{
    return order <= MAX_ORDER ? READ_ONCE(free_lists[order].count) : 0;
}
