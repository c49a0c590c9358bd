/* SPDX-License-Identifier: MIT */
/*
 * The machine memory map.  The firmware's map arrives in hvm_start_info
 * (PVH boot); it may be unsorted, overlapping and padded with empty
 * entries (qboot's is).  e820_sanitize() turns it into a sorted list of
 * disjoint ranges where, on overlap, the entry with the larger type number
 * wins (so RAM never wins over anything else), and adjacent ranges of one
 * type are merged.  Types are the XEN_HVM_MEMMAP_TYPE_* (= E820) values.
 */
#ifndef ASM_E820_H
#define ASM_E820_H

#include <pvisor/types.h>

#define E820_MAX 128
#define E820_RAM 1
#define E820_RESERVED 2

struct e820entry {
    uint64_t addr;
    uint64_t size;
    uint32_t type;
};

struct e820map {
    unsigned int nr;
    struct e820entry map[E820_MAX];
};

/* Appends a raw entry; -1 when the map is full. */
int e820_add(struct e820map *m, uint64_t addr, uint64_t size, uint32_t type);
/* Sorts, resolves overlaps, drops empty and type-0 entries, merges. */
void e820_sanitize(struct e820map *m);
/* Marks [start, end) as type, splitting what it overlaps; sanitizes. */
int e820_mark(struct e820map *m, uint64_t start, uint64_t end, uint32_t type);
/* Frames wholly inside RAM ranges. */
uint64_t e820_ram_pages(const struct e820map *m);
/* One past the last byte of RAM. */
uint64_t e820_ram_end(const struct e820map *m);
/*
 * Calls fn for each RAM range shrunk to whole frames: [start_mfn, end_mfn).
 */
void e820_for_each_ram_frame_range(const struct e820map *m,
                                   void (*fn)(uint64_t start_mfn,
                                              uint64_t end_mfn, void *arg),
                                   void *arg);
const char *e820_type_name(uint32_t type);

#endif /* ASM_E820_H */
