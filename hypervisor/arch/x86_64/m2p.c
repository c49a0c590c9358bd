/* SPDX-License-Identifier: MIT */
/*
 * The machine-to-physical table (M2P): for every machine frame, the
 * guest pseudo-physical frame number its owner uses for it, or
 * INVALID_M2P_ENTRY.  PV guests read it directly: it is mapped read-only
 * and user-accessible at MACH2PHYS_VIRT_START (L4 slot 256) in every
 * address space; the hypervisor writes it through the direct map.
 *
 * The table is made of 2 MiB chunks, each a naturally aligned heap
 * allocation mapped with one large page, so a 1 GiB machine needs one.
 */
#include <asm/m2p.h>
#include <asm/mm.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>

#define M2P_CHUNK_ENTRIES (L2_PAGE_SIZE / sizeof(unsigned long))
#define M2P_MAX_CHUNKS 512 /* 256 GiB of machine memory */

static unsigned long *m2p_chunk[M2P_MAX_CHUNKS];
static unsigned long m2p_nr_chunks;

void m2p_init(void)
{
    unsigned long va = MACH2PHYS_VIRT_START;

    m2p_nr_chunks = (max_page + M2P_CHUNK_ENTRIES - 1) / M2P_CHUNK_ENTRIES;
    if (m2p_nr_chunks > M2P_MAX_CHUNKS)
        panic("M2P: %lu frames are more than the table covers", max_page);
    for (unsigned long i = 0; i < m2p_nr_chunks; i++, va += L2_PAGE_SIZE) {
        unsigned long *chunk = alloc_xenheap_pages(L2_SHIFT - PAGE_SHIFT);

        if (!chunk)
            panic("M2P: out of memory");
        memset(chunk, 0xff, L2_PAGE_SIZE);
        m2p_chunk[i] = chunk;
        map_large_page_to_hv(va, virt_to_maddr(chunk),
                             PTE_P | PTE_U | PTE_A | PTE_NX | PTE_PSE);
    }
}

void set_gpfn_from_mfn(unsigned long mfn, unsigned long gpfn)
{
    if (mfn < max_page)
        m2p_chunk[mfn / M2P_CHUNK_ENTRIES][mfn % M2P_CHUNK_ENTRIES] = gpfn;
}

unsigned long get_gpfn_from_mfn(unsigned long mfn)
{
    if (mfn >= max_page)
        return INVALID_M2P_ENTRY;
    return m2p_chunk[mfn / M2P_CHUNK_ENTRIES][mfn % M2P_CHUNK_ENTRIES];
}
