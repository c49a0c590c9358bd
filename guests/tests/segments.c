/* SPDX-License-Identifier: MIT */
/*
 * Test guest for set_segment_base (#25): the FS base, the kernel and user
 * GS bases and SEGBASE_GS_USER_SEL, read back through emulated RDMSR of
 * MSR_FS_BASE / MSR_GS_BASE / MSR_SHADOW_GS_BASE (the kernel GS base is
 * the active one while the guest kernel runs) and used for real through
 * %fs: and %gs: loads.  Also WRMSR of the same MSRs, which Xen maps onto
 * the same state (xen/arch/x86/pv/emul-priv-op.c write_msr).
 */
#include "cpu.h"
#include "hypercall.h"
#include "tap.h"
#include "traps.h"

static uint64_t area_fs[4] = {0x1111111111111111UL, 0x2222222222222222UL};
static uint64_t area_gs[4] = {0x3333333333333333UL, 0x4444444444444444UL};
static uint64_t area_ugs[4];

static uint64_t load_fs(unsigned long off)
{
    uint64_t v;

    __asm__ __volatile__("mov %%fs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

static uint64_t load_gs(unsigned long off)
{
    uint64_t v;

    __asm__ __volatile__("mov %%gs:(%1), %0" : "=r"(v) : "r"(off) : "memory");
    return v;
}

int guest_main(void)
{
    uint64_t fs = (unsigned long)area_fs, gs = (unsigned long)area_gs;
    uint64_t ugs = (unsigned long)area_ugs, v;
    long rc;

    guest_init_basic();

    rc = HYPERVISOR_set_segment_base(SEGBASE_FS, fs);
    tap_eq(rc, 0, "set_segment_base(SEGBASE_FS)");
    tap_eq(rdmsr_probe(MSR_FS_BASE, &v), -1, "rdmsr MSR_FS_BASE is emulated");
    tap_eq_hex(v, fs, "MSR_FS_BASE reads back the FS base");
    tap_eq_hex(load_fs(8), area_fs[1], "%%fs:8 loads through the new base");

    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, gs);
    tap_eq(rc, 0, "set_segment_base(SEGBASE_GS_KERNEL)");
    tap_eq(rdmsr_probe(MSR_GS_BASE, &v), -1, "rdmsr MSR_GS_BASE is emulated");
    tap_eq_hex(v, gs, "MSR_GS_BASE in kernel mode is the kernel GS base");
    tap_eq_hex(load_gs(0), area_gs[0], "%%gs:0 loads through the kernel base");

    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER, ugs);
    tap_eq(rc, 0, "set_segment_base(SEGBASE_GS_USER)");
    tap_eq(rdmsr_probe(MSR_SHADOW_GS_BASE, &v), -1,
           "rdmsr MSR_SHADOW_GS_BASE is emulated");
    tap_eq_hex(v, ugs, "MSR_SHADOW_GS_BASE is the user GS base");
    rdmsr_probe(MSR_GS_BASE, &v);
    tap_eq_hex(v, gs, "setting the user GS base left the kernel base alone");

    /* WRMSR of the bases goes to the same state. */
    tap_eq(wrmsr_probe(MSR_FS_BASE, fs + 16), -1,
           "wrmsr MSR_FS_BASE is emulated");
    rdmsr_probe(MSR_FS_BASE, &v);
    tap_eq_hex(v, fs + 16, "MSR_FS_BASE reads back what wrmsr wrote");
    tap_eq_hex(load_fs(0), 0, "%%fs:0 follows the wrmsr'd base");
    tap_eq(wrmsr_probe(MSR_GS_BASE, gs + 8), -1,
           "wrmsr MSR_GS_BASE is emulated");
    tap_eq_hex(load_gs(0), area_gs[1],
               "%%gs:0 follows the wrmsr'd kernel base");
    tap_eq(wrmsr_probe(MSR_SHADOW_GS_BASE, ugs + 8), -1,
           "wrmsr MSR_SHADOW_GS_BASE is emulated");
    rdmsr_probe(MSR_SHADOW_GS_BASE, &v);
    tap_eq_hex(v, ugs + 8, "MSR_SHADOW_GS_BASE reads back what wrmsr wrote");

    /* A non-canonical base is refused by wrmsr with #GP, as by hardware. */
    tap_eq(wrmsr_probe(MSR_FS_BASE, NONCANONICAL_ADDR), 13,
           "wrmsr of a non-canonical FS base raises #GP");
    rdmsr_probe(MSR_FS_BASE, &v);
    tap_eq_hex(v, fs + 16, "... and leaves the FS base unchanged");

    /* Selector 0 for the user GS: always accepted (Linux BUG()s otherwise). */
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER_SEL, 0);
    tap_eq(rc, 0, "set_segment_base(SEGBASE_GS_USER_SEL, 0)");
    rdmsr_probe(MSR_GS_BASE, &v);
    tap_eq_hex(v, gs + 8,
               "loading the user %%gs selector kept the kernel base");

    /* Zero the bases again: nothing else here uses them. */
    tap_eq(HYPERVISOR_set_segment_base(SEGBASE_FS, 0), 0, "FS base back to 0");
    tap_eq(HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL, 0), 0,
           "kernel GS base back to 0");
    tap_eq(HYPERVISOR_set_segment_base(SEGBASE_GS_USER, 0), 0,
           "user GS base back to 0");
    rdmsr_probe(MSR_FS_BASE, &v);
    tap_eq_hex(v, 0, "MSR_FS_BASE reads 0");
    tap_done();
}
