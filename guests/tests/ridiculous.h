/* SPDX-License-Identifier: MIT */
/*
 * Shared by the "ridiculous arguments" guests (xv6 usertests style): the
 * addresses no hypercall may accept as a buffer, and helpers to try each.
 *
 * Xen checks every guest buffer with access_ok()/guest_handle_okay(),
 * which refuse the hypervisor's hole 0xffff800000000000-0xffff87ffffffffff
 * (even the M2P part, readable by the guest itself) and anything
 * non-canonical, and then copies with fault handling, so an unmapped page
 * also ends in -EFAULT (xen/arch/x86/usercopy.c, include/asm/uaccess.h).
 */
#ifndef RIDICULOUS_H
#define RIDICULOUS_H

#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "traps.h"

#include <xen/errno.h>

struct bad_ptr {
    unsigned long addr;
    const char *name;
};

enum {
    BAD_UNMAPPED,
    BAD_LOW,
    BAD_STRADDLE,
    BAD_M2P,
    BAD_HV_PRIVATE,
    BAD_HV_LAST,
    BAD_NONCANON,
    BAD_NONCANON2,
    BAD_TOP,
    BAD_NR
};

static struct bad_ptr bad_ptrs[BAD_NR];
static unsigned long bad_hole; /* the unmapped page */

/*
 * Two adjacent padding pages, the second unmapped: BAD_STRADDLE starts 2
 * bytes before the hole, so any buffer longer than 2 bytes runs into it.
 */
static inline void bad_ptrs_init(void)
{
    unsigned long page = mm_alloc_page();
    unsigned long hole = mm_unmapped_page();

    if (hole != page + PAGE_SIZE)
        guest_panic("padding pages not adjacent");
    bad_ptrs[BAD_UNMAPPED] = (struct bad_ptr){hole + 64, "an unmapped page"};
    bad_ptrs[BAD_LOW] = (struct bad_ptr){0x1000, "unmapped low address 0x1000"};
    bad_ptrs[BAD_STRADDLE] =
        (struct bad_ptr){hole - 2, "a buffer running into an unmapped page"};
    bad_hole = hole;
    bad_ptrs[BAD_M2P] =
        (struct bad_ptr){HV_ADDR_M2P, "the M2P (hypervisor hole)"};
    bad_ptrs[BAD_HV_PRIVATE] = (struct bad_ptr){
        HV_ADDR_PRIVATE, "hypervisor-private 0xffff830000000000"};
    bad_ptrs[BAD_HV_LAST] =
        (struct bad_ptr){HV_ADDR_LAST, "the last page of the hypervisor hole"};
    bad_ptrs[BAD_NONCANON] =
        (struct bad_ptr){NONCANONICAL_ADDR, "non-canonical 0x8000000000000000"};
    bad_ptrs[BAD_NONCANON2] = (struct bad_ptr){
        NONCANONICAL_ADDR2, "non-canonical 0x0000800000000000"};
    bad_ptrs[BAD_TOP] =
        (struct bad_ptr){~0UL - 3, "the last bytes of the address space"};
}

#define NOT_NULL_BAD_PTRS(i) for (unsigned int i = 0; i < BAD_NR; i++)

/* The guest survived and still talks to the hypervisor. */
static inline void ridiculous_alive(void)
{
    long v = HYPERVISOR_xen_version(XENVER_version, NULL);

    tap_check(v > 0, xen_errno_name(v), "still alive: xen_version answers");
}

#endif /* RIDICULOUS_H */
