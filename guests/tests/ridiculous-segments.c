/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to set_segment_base (#25), after
 * do_set_segment_base (xen/arch/x86/pv/misc-hypercalls.c): unknown
 * `which` is -EINVAL, a non-canonical base -EINVAL, any canonical base is
 * accepted (even in the hypervisor hole: using it then faults), and
 * SEGBASE_GS_USER_SEL swallows a bad selector (loads a null one instead,
 * returns 0, because Linux BUG()s on failure).
 */
#include "cpu.h"
#include "ridiculous.h"

int guest_main(void)
{
    static const unsigned long which[] = {SEGBASE_FS, SEGBASE_GS_USER,
                                          SEGBASE_GS_KERNEL};
    static const char *const names[] = {"FS", "GS_USER", "GS_KERNEL"};
    uint64_t v;
    long rc;

    guest_init_basic();
    for (unsigned int i = 0; i < ARRAY_SIZE(which); i++) {
        rc = HYPERVISOR_set_segment_base(which[i], NONCANONICAL_ADDR);
        tap_eq(rc, -XEN_EINVAL, "%s base 0x8000000000000000 is -EINVAL",
               names[i]);
        rc = HYPERVISOR_set_segment_base(which[i], NONCANONICAL_ADDR2);
        tap_eq(rc, -XEN_EINVAL, "%s base 0x0000800000000000 is -EINVAL",
               names[i]);
    }
    rc = HYPERVISOR_set_segment_base(4, 0);
    tap_eq(rc, -XEN_EINVAL, "which = 4 is -EINVAL");
    rc = HYPERVISOR_set_segment_base(0xffffffffUL, 0);
    tap_eq(rc, -XEN_EINVAL, "which = 0xffffffff is -EINVAL");

    rc = HYPERVISOR_set_segment_base(SEGBASE_FS, HV_ADDR_PRIVATE);
    tap_eq(rc, 0, "an FS base in the hypervisor hole is accepted");
    trap_probe_reset();
    PROBE("mov %%fs:0, %[v]", : [v] "=r"(v) : : "memory");
    tap_eq(trap_last.vector, 14, "... but reading %%fs:0 there faults (#PF)");
    tap_eq_hex(trap_last.cr2, HV_ADDR_PRIVATE, "... at the base address");
    tap_eq(HYPERVISOR_set_segment_base(SEGBASE_FS, 0), 0, "FS base back to 0");

    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0xffff);
    tap_eq(rc, 0, "GS_USER_SEL with selector 0xffff returns 0 (nulled)");
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, ~0UL);
    tap_eq(rc, 0, "GS_USER_SEL with ~0 uses only the low 16 bits, returns 0");
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, FLAT_USER_DS32);
    tap_eq(rc, 0, "GS_USER_SEL with the flat data selector");

    tap_eq(wrmsr_probe(MSR_GS_BASE, NONCANONICAL_ADDR), 13,
           "wrmsr of a non-canonical GS base raises #GP");
    tap_eq(wrmsr_probe(MSR_SHADOW_GS_BASE, NONCANONICAL_ADDR2), 13,
           "wrmsr of a non-canonical shadow GS base raises #GP");
    rdmsr_probe(MSR_GS_BASE, &v);
    tap_eq_hex(v, 0, "the kernel GS base is unchanged (0)");
    ridiculous_alive();
    tap_done();
}
