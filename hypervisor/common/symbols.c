/* SPDX-License-Identifier: MIT */
/*
 * Symbol lookup.  The build links the image twice: first with an empty
 * table, then with the table tools/gensyms.sh made from the first image's
 * text symbols.  The table sits in its own section after everything else
 * (see the linker script), so adding it moves no symbol.
 */
#include <pvisor/lib.h>
#include <pvisor/symbols.h>

extern const unsigned long symtab_count;
extern const unsigned long symtab_addrs[];
extern const unsigned int symtab_name_offs[];
extern const char symtab_names[];
extern char __text_start[], __text_end[];

const char *symbols_lookup(unsigned long addr, unsigned long *offset)
{
    unsigned long lo = 0, hi = symtab_count;

    if (addr < (unsigned long)__text_start ||
        addr >= (unsigned long)__text_end || !hi)
        return NULL;
    /* The last symbol whose address is <= addr. */
    while (hi - lo > 1) {
        unsigned long mid = lo + (hi - lo) / 2;
        if (symtab_addrs[mid] <= addr)
            lo = mid;
        else
            hi = mid;
    }
    if (symtab_addrs[lo] > addr)
        return NULL;
    *offset = addr - symtab_addrs[lo];
    return symtab_names + symtab_name_offs[lo];
}
