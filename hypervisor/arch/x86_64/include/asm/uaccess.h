/* SPDX-License-Identifier: MIT */
/*
 * Copies that may fault (guest memory) and the exception table that
 * recovers from the fault.  An instruction listed in the table faults to
 * its fixup address instead of to a hypervisor panic.
 */
#ifndef ASM_UACCESS_H
#define ASM_UACCESS_H

#include <pvisor/types.h>

/* Returns the number of bytes NOT copied. */
unsigned long __copy_user(void *dst, const void *src, unsigned long len);
/* Reads 8 bytes; returns false if the read faulted. */
bool __get_user_u64(uint64_t *val, const void *src);
bool guest_range_ok(unsigned long addr, unsigned long len);

/* The fixup address for a faulting RIP, or 0. */
unsigned long search_exception_table(unsigned long rip);

#endif /* ASM_UACCESS_H */
