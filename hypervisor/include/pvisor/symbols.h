/* SPDX-License-Identifier: MIT */
/* Symbol lookup for stack traces (table generated at link time). */
#ifndef PVISOR_SYMBOLS_H
#define PVISOR_SYMBOLS_H

/* The function containing addr, and addr's offset in it; NULL if none. */
const char *symbols_lookup(unsigned long addr, unsigned long *offset);

#endif /* PVISOR_SYMBOLS_H */
