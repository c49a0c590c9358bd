/* SPDX-License-Identifier: MIT */
/*
 * Hypervisor memory set-up: the boot allocator, the hypervisor's page
 * tables (low map of the image, fixmap, direct map of all RAM), the frame
 * table, and handing the remaining RAM to the heap.
 *
 * Until mm_init() switches CR3 we run on the boot page tables, which map
 * machine 0-1 GiB at HV_VIRT_START; the boot allocator hands out frames
 * right after the image, which are below 1 GiB and so reachable there.
 * After the switch, all RAM is reachable through the direct map and page
 * tables come from the heap.
 */
#include <asm/mm.h>
#include <asm/processor.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/setup.h>
#include <pvisor/spinlock.h>
#include <public/pvisor/dom0link.h>
#include <xen/errno.h>

extern char __image_start[], __image_end[];

pte_t *idle_pg_table;
struct e820map e820;
unsigned long total_ram_pages;

static uint64_t boot_alloc_start, boot_alloc_next, boot_alloc_limit;
static bool heap_ready;
static DEFINE_SPINLOCK(map_lock); /* serialises changes to the hv tables */
static unsigned long fixmap_next = FIXMAP_VIRT_START;

/* Pointer to a frame below 1 GiB before the direct map exists. */
static void *lowmap_virt(uint64_t ma)
{
    return (void *)(HV_VIRT_START + ma);
}

static void *table_virt(uint64_t ma)
{
    return heap_ready ? maddr_to_virt(ma) : lowmap_virt(ma);
}

static uint64_t boot_alloc_pages(unsigned long nr)
{
    uint64_t ma = boot_alloc_next;

    if (boot_alloc_next + nr * PAGE_SIZE > boot_alloc_limit)
        panic("boot allocator: out of memory below 1 GiB (%lu pages)", nr);
    boot_alloc_next += nr * PAGE_SIZE;
    memset(lowmap_virt(ma), 0, nr * PAGE_SIZE);
    return ma;
}

/* A zeroed page-table page; returns its machine address or 0. */
static uint64_t alloc_pt_page(void)
{
    void *va;

    if (!heap_ready)
        return boot_alloc_pages(1);
    va = alloc_xenheap_page();
    if (!va)
        return 0;
    memset(va, 0, PAGE_SIZE);
    return virt_to_maddr(va);
}

/* Returns the entry for va at the given level, allocating tables above. */
static pte_t *walk_create(unsigned long va, int level)
{
    pte_t *t = table_virt(virt_to_maddr(idle_pg_table));
    static const unsigned int shifts[] = {0, L1_SHIFT, L2_SHIFT, L3_SHIFT,
                                          L4_SHIFT};

    for (int l = 4; l > level; l--) {
        pte_t *e = &t[(va >> shifts[l]) & 511];

        if (!(*e & PTE_P)) {
            uint64_t ma = alloc_pt_page();
            if (!ma)
                return NULL;
            *e = ma | PTE_TABLE;
        }
        ASSERT(!(*e & PTE_PSE));
        t = table_virt(*e & PTE_ADDR_MASK);
    }
    return &t[(va >> shifts[level]) & 511];
}

int map_pages_to_hv(unsigned long va, unsigned long mfn, unsigned long nr,
                    uint64_t flags)
{
    int rc = 0;

    spin_lock(&map_lock);
    for (unsigned long i = 0; i < nr; i++) {
        pte_t *e = walk_create(va + i * PAGE_SIZE, 1);

        if (!e) {
            rc = -XEN_ENOMEM;
            break;
        }
        *e = ((uint64_t)(mfn + i) << PAGE_SHIFT) | flags;
        if (heap_ready)
            invlpg((void *)(va + i * PAGE_SIZE));
    }
    spin_unlock(&map_lock);
    return rc;
}

static void *fixmap_map(uint64_t maddr, size_t size, uint64_t flags)
{
    uint64_t base = ROUNDDOWN(maddr, PAGE_SIZE);
    unsigned long nr = (ROUNDUP(maddr + size, PAGE_SIZE) - base) >> PAGE_SHIFT;
    unsigned long va = __atomic_fetch_add(&fixmap_next, nr * PAGE_SIZE,
                                          __ATOMIC_RELAXED);

    if (va + nr * PAGE_SIZE > FIXMAP_VIRT_START + HV_LOWMAP_SIZE ||
        map_pages_to_hv(va, base >> PAGE_SHIFT, nr, flags))
        panic("cannot map %#llx+%zu", (unsigned long long)maddr, size);
    return (void *)(va + (maddr - base));
}

/*
 * Maps one 2 MiB page in the hypervisor slots.  Entries above it are made
 * user-accessible when the leaf is (the M2P in slot 256 is read by guests
 * at CPL 3); the hypervisor's own leaves never are, so this does not open
 * anything else.
 */
void map_large_page_to_hv(unsigned long va, uint64_t maddr, uint64_t flags)
{
    pte_t *l4e, *l3e, *l2e;

    spin_lock(&map_lock);
    l2e = walk_create(va, 2);
    BUG_ON(!l2e);
    *l2e = maddr | flags;
    if (flags & PTE_U) {
        l4e = &idle_pg_table[l4_index(va)];
        *l4e |= PTE_U;
        l3e = (pte_t *)maddr_to_virt(*l4e & PTE_ADDR_MASK) + l3_index(va);
        *l3e |= PTE_U;
    }
    if (heap_ready)
        invlpg((void *)va);
    spin_unlock(&map_lock);
}

void *ioremap(uint64_t maddr, size_t size)
{
    return fixmap_map(maddr, size, PTE_HV_UC);
}

void *map_firmware_table(uint64_t maddr, size_t size)
{
    return fixmap_map(maddr, size, PTE_HV_RO);
}

void mm_copy_hv_slots(pte_t *l4)
{
    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
        l4[s] = idle_pg_table[s];
}

/* Direct map: every 2 MiB chunk that holds RAM, as a 2 MiB page. */
static void map_directmap_range(uint64_t start_mfn, uint64_t end_mfn,
                                void *arg)
{
    uint64_t s = ROUNDDOWN(start_mfn << PAGE_SHIFT, L2_PAGE_SIZE);
    uint64_t e = ROUNDUP(end_mfn << PAGE_SHIFT, L2_PAGE_SIZE);

    (void)arg;
    if (DIRECTMAP_VIRT_START + e > DIRECTMAP_VIRT_END)
        panic("RAM beyond the direct map (%#llx)", (unsigned long long)e);
    for (; s < e; s += L2_PAGE_SIZE) {
        pte_t *l2e = walk_create(DIRECTMAP_VIRT_START + s, 2);
        *l2e = s | PTE_HV_RW | PTE_PSE;
    }
}

static void add_heap_range(uint64_t start_mfn, uint64_t end_mfn, void *arg)
{
    (void)arg;
    heap_add_range(start_mfn, end_mfn);
}

void mm_init(void)
{
    uint64_t image_end = (uint64_t)__image_end - HV_VIRT_START;
    uint64_t ft_bytes;
    unsigned long ft_pages;
    pte_t *l4;
    struct page_info *ft;
    static struct e820map heap_map;

    max_page = e820_ram_end(&e820) >> PAGE_SHIFT;
    total_ram_pages = e820_ram_pages(&e820);

    /* The boot allocator: RAM after the image, below 1 GiB. */
    boot_alloc_start = boot_alloc_next = ROUNDUP(image_end, PAGE_SIZE);
    boot_alloc_limit = HV_LOWMAP_SIZE;
    for (unsigned int i = 0; i < e820.nr; i++) {
        const struct e820entry *r = &e820.map[i];
        if (r->type == E820_RAM && r->addr <= boot_alloc_start &&
            r->addr + r->size > boot_alloc_start) {
            if (r->addr + r->size < boot_alloc_limit)
                boot_alloc_limit = r->addr + r->size;
            break;
        }
        if (i + 1 == e820.nr)
            panic("no RAM after the hypervisor image at %#llx",
                  (unsigned long long)boot_alloc_start);
    }

    /* The idle L4 with all sixteen hypervisor L3 tables in place. */
    idle_pg_table = lowmap_virt(boot_alloc_pages(1));
    l4 = idle_pg_table;
    for (unsigned int s = HV_SLOT_FIRST; s <= HV_SLOT_LAST; s++)
        l4[s] = boot_alloc_pages(1) | PTE_TABLE;

    /* Machine 0-1 GiB (the image and low memory) at HV_VIRT_START. */
    for (uint64_t ma = 0; ma < HV_LOWMAP_SIZE; ma += L2_PAGE_SIZE) {
        pte_t *l2e = walk_create(HV_VIRT_START + ma, 2);
        *l2e = ma | PTE_P | PTE_W | PTE_A | PTE_D | PTE_PSE;
    }
    e820_for_each_ram_frame_range(&e820, map_directmap_range, NULL);

    /* The frame table, reached through the direct map once it is live. */
    ft_bytes = (uint64_t)max_page * sizeof(struct page_info);
    ft_pages = ROUNDUP(ft_bytes, PAGE_SIZE) >> PAGE_SHIFT;
    ft = maddr_to_virt(boot_alloc_pages(ft_pages));

    write_cr3(virt_to_maddr(idle_pg_table));
    idle_pg_table = maddr_to_virt(virt_to_maddr(idle_pg_table));

    heap_init(ft, max_page);
    for (unsigned long mfn = 0; mfn < max_page; mfn++)
        ft[mfn].owner = DOMID_XEN;

    /* Everything in RAM except low memory, the link header, the image and
     * the boot allocations goes to the heap. */
    heap_map = e820;
    e820_mark(&heap_map, 0, MiB(1), E820_RESERVED);
    e820_mark(&heap_map, PVLINK_HDR_MADDR, PVLINK_HDR_MADDR + PAGE_SIZE,
              E820_RESERVED);
    e820_mark(&heap_map, HV_IMAGE_PADDR, boot_alloc_next, E820_RESERVED);
    heap_ready = true;
    e820_for_each_ram_frame_range(&heap_map, add_heap_range, NULL);

    printk("Memory: %lu MiB RAM, %lu MiB in the heap; image %#llx-%#llx, "
           "frame table %lu KiB\n",
           (unsigned long)(e820_ram_pages(&e820) >> 8),
           heap_free_pages() >> 8, (unsigned long long)HV_IMAGE_PADDR,
           (unsigned long long)image_end, ft_pages * 4);
}

void *alloc_xenheap_pages(unsigned int order)
{
    struct page_info *pg = alloc_heap_pages(order);

    if (!pg)
        return NULL;
    tlbflush_before_reuse(pg, order);
    for (unsigned long i = 0; i < (1UL << order); i++)
        pg[i].owner = DOMID_XEN;
    return mfn_to_virt(page_to_mfn(pg));
}

/*
 * Scrubbed as domain frames are (common/domheap.c): the heap may hand the
 * frames to a domain next, and what the hypervisor kept here (a vCPU
 * context a guest passed in, a domain's tables) must not reach it.
 */
void free_xenheap_pages(void *va, unsigned int order)
{
    if (!va)
        return;
    memset(va, 0, PAGE_SIZE << order);
    free_heap_pages(mfn_to_page(virt_to_mfn(va)), order);
}
