/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous privileged instructions from the guest kernel, after
 * xen/arch/x86/pv/emul-priv-op.c and emul-inv-op.c: forced-emulation CPUID
 * of leaves nobody defines still completes (no fault), RDMSR/WRMSR of MSRs
 * that do not exist raise #GP once a #GP handler is registered (Xen fakes
 * a read of 0 only for guests without one), privileged loads (lidt, ltr,
 * mov to CR3 of a frame we do not own, mov to DR7 with GD set) raise #GP,
 * and the forced-emulation prefix in front of anything but cpuid is #UD.
 */
#include "cpu.h"
#include "ridiculous.h"

int guest_main(void)
{
    static const uint32_t leaves[] = {0x0fffffff, 0x4fffffff, 0x7fffffff,
                                      0x8fffffff, 0xffffffff};
    struct cpuid_regs r;
    uint64_t v;
    long rc;

    guest_init_basic();
    for (unsigned int i = 0; i < ARRAY_SIZE(leaves); i++) {
        rc = cpuid_fep(leaves[i], 0xffffffff, &r);
        tap_eq(rc, -1, "forced CPUID leaf %#x completes", leaves[i]);
    }
    rc = rdmsr_probe(0xdeadbeef, &v);
    tap_eq(rc, 13, "rdmsr of MSR 0xdeadbeef raises #GP");
    rc = wrmsr_probe(0xdeadbeef, 0x1234);
    tap_eq(rc, 13, "wrmsr of MSR 0xdeadbeef raises #GP");
    rc = rdmsr_probe(0x40001000, &v);
    tap_eq(rc, 13, "rdmsr of an unknown hypervisor-range MSR raises #GP");

    trap_probe_reset();
    PROBE("lidt (%[p])", : : [p] "r"(start_info) : "memory");
    tap_eq(trap_last.vector, 13, "lidt raises #GP");
    trap_probe_reset();
    PROBE("ltr %w[s]", : : [s] "r"(0xe040) : "memory");
    tap_eq(trap_last.vector, 13, "ltr raises #GP");
    trap_probe_reset();
    PROBE("mov %[v], %%cr3",
          :
          : [v] "r"(~0xfffUL & 0x000ffffffffff000UL)
          : "memory");
    tap_eq(trap_last.vector, 13,
           "mov to CR3 of a frame we do not own raises #GP");
    trap_probe_reset();
    PROBE("mov %[v], %%db7", : : [v] "r"(1UL << 13) : "memory");
    tap_eq(trap_last.vector, 13, "mov to DR7 with GD set raises #GP");
    trap_probe_reset();
    PROBE(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0x05", : : : "memory");
    tap_eq(trap_last.vector, 6,
           "the forced-emulation prefix before syscall is #UD");
    trap_probe_reset();
    PROBE(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6f", : : : "memory");
    tap_eq(trap_last.vector, 6, "ud2 followed by \"xeo\" is a plain #UD");
    ridiculous_alive();
    tap_done();
}
