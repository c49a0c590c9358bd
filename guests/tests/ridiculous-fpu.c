/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to fpu_taskswitch (#5).  Xen's handler is
 * `long do_fpu_taskswitch(int set)` (xen/arch/x86/pv/misc-hypercalls.c):
 * any non-zero int sets CR0.TS, zero clears it, it always returns 0, and
 * only the low 32 bits of the argument register count (so 1 << 32 is a
 * clear).  TS is also hammered: many toggles and #NMs in a row.
 */
#include "cpu.h"
#include "ridiculous.h"

static unsigned long nm_hits;
static bool nm_handler(struct trap_frame *f)
{
    (void)f;
    nm_hits++;
    HYPERVISOR_fpu_taskswitch(0);
    return true;
}

static int ts(void)
{
    unsigned long cr0 = 0;

    read_cr0_probe(&cr0);
    return !!(cr0 & X86_CR0_TS);
}

int guest_main(void)
{
    static const unsigned long sets[] = {2, 0x80000000UL, ~0UL, 0xffffffffUL};
    long rc;

    guest_init_basic();
    trap_set_handler(7, nm_handler);
    for (unsigned int i = 0; i < ARRAY_SIZE(sets); i++) {
        HYPERVISOR_fpu_taskswitch(0);
        rc = HYPERVISOR_fpu_taskswitch(sets[i]);
        tap_eq(rc, 0, "fpu_taskswitch(%#lx) returns 0", sets[i]);
        tap_eq(ts(), 1, "... and sets CR0.TS");
    }
    HYPERVISOR_fpu_taskswitch(1);
    rc = HYPERVISOR_fpu_taskswitch(1UL << 32);
    tap_eq(rc, 0, "fpu_taskswitch(1 << 32) returns 0");
    tap_eq(ts(), 0, "... and clears TS: the argument is an int");

    for (unsigned int i = 0; i < 1000; i++) {
        HYPERVISOR_fpu_taskswitch(1);
        __asm__ __volatile__("fnop" ::: "memory");
    }
    tap_eq(nm_hits, 1000, "1000 set-TS / #NM round trips, each one #NM");
    tap_eq(ts(), 0, "TS clear at the end");
    ridiculous_alive();
    tap_done();
}
