/* SPDX-License-Identifier: MIT */
/*
 * Ridiculous arguments to set_segment_base (#25), after
 * do_set_segment_base (xen/arch/x86/pv/misc-hypercalls.c): unknown
 * `which` is -EINVAL, a non-canonical base -EINVAL, any canonical base is
 * accepted (even in the hypervisor hole: using it then faults), and
 * SEGBASE_GS_USER_SEL swallows a bad selector (loads a null one instead,
 * returns 0, because Linux BUG()s on failure).
 *
 * Selectors the iret hypercall (#23, xen/arch/x86/pv/iret.c do_iret)
 * cannot return to: it takes CS and SS as given (RPL forced to 3); when
 * the return to them faults, Xen's pre-exception fixup (x86_64/entry.S,
 * iret_exit_to_guest) makes it the guest's fault at the frame it asked
 * for: here #GP with the selector, whose handler repairs the frame.
 */
#include "cpu.h"
#include "ridiculous.h"

static volatile unsigned long gp_rip, gp_ss, gp_cs;

static bool on_gp(struct trap_frame *f)
{
    gp_rip = f->rip;
    gp_cs = f->cs & 0xffff;
    gp_ss = f->ss & 0xffff;
    f->cs = FLAT_KERNEL_CS64 & ~3UL;
    f->ss = FLAT_KERNEL_SS64 & ~3UL;
    return true;
}

/* The iret hypercall back to the next instruction, with cs and ss. */
static long iret_with(unsigned long cs, unsigned long ss, unsigned long *rip)
{
    unsigned long before = trap_probe_reset();

    __asm__ __volatile__("mov %%rsp, %%rbx\n\t"
                         "lea 1f(%%rip), %%rax\n\t"
                         "mov %%rax, (%[rip])\n\t"
                         "pushq %[ss]\n\t"
                         "pushq %%rbx\n\t"
                         "pushq $0x202\n\t"
                         "pushq %[cs]\n\t"
                         "pushq %%rax\n\t"
                         "pushq $0\n\t"
                         "pushq $0\n\t"
                         "pushq $0\n\t"
                         "pushq $0\n\t"
                         "mov $23, %%eax\n\t"
                         "syscall\n"
                         "1:"
                         :
                         : [ss] "r"(ss), [cs] "r"(cs), [rip] "r"(rip)
                         : "rax", "rbx", "rcx", "r11", "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

static void iret_selectors(void)
{
    unsigned long rip = 0;
    long v;

    trap_set_handler(13, on_gp);
    v = iret_with(FLAT_KERNEL_CS64 & ~3UL, 0x10, &rip);
    tap_check(v == 13 && trap_last.error_code == 0x10 && gp_rip == rip &&
                  gp_ss == 0x13,
              "no #GP(0x10) there",
              "iret to an SS whose descriptor is empty: #GP(0x10) there");
    v = iret_with(0x10, FLAT_KERNEL_SS64 & ~3UL, &rip);
    tap_check(v == 13 && trap_last.error_code == 0x10 && gp_rip == rip &&
                  gp_cs == 0x10,
              "no #GP(0x10) there",
              "iret to such a CS: #GP(0x10) there, in kernel mode");
    tap_diag("last: vector %ld error %#lx rip %#lx (want %#lx) cs %#lx", v,
             (unsigned long)trap_last.error_code, gp_rip, rip, gp_cs);
    trap_set_handler(13, NULL);
}

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
    iret_selectors();
    ridiculous_alive();
    tap_done();
}
