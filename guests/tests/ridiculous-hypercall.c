/* SPDX-License-Identifier: MIT */
/*
 * Hypercall numbers that do not exist.  Xen answers -ENOSYS for every
 * number without a handler in its PV table (xen/arch/x86/pv/hypercall.c);
 * the numbers tried here are unassigned in xen/include/public/xen.h on
 * every Xen version (11 was never reused; 43-47 and 56-63 are unassigned,
 * 64+ is beyond the table).  Numbers with their top 32 bits set are not
 * tried: some Xen versions look only at %eax.
 */
#include "ridiculous.h"

int guest_main(void)
{
    static const unsigned long numbers[] = {
        11,  43,  44,  45,  46,   47,         56,           57,
        58,  59,  60,  61,  62,   63,         64,           65,
        127, 128, 255, 256, 4096, 0x7fffffff, 0x80000000UL, 0xffffffffUL};

    guest_init_basic();
    for (unsigned int i = 0; i < ARRAY_SIZE(numbers); i++) {
        long rc = hypercall_raw(numbers[i], HV_ADDR_M2P, NONCANONICAL_ADDR, 0,
                                ~0UL, 1);

        tap_eq(rc, -XEN_ENOSYS, "hypercall %#lx with junk arguments",
               numbers[i]);
    }
    ridiculous_alive();
    tap_done();
}
