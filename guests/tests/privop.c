/* SPDX-License-Identifier: MIT */
/*
 * Test guest for privileged-instruction emulation in guest-kernel mode
 * (xen/arch/x86/pv/emul-priv-op.c, emul-inv-op.c):
 *
 *  - CPUID behind the forced-emulation prefix (ud2; "xen"; cpuid) answers
 *    with the Xen leaves at 0x40000000 ("XenVMMXenVMM", version, hypercall
 *    page count and MSR base) and a PV policy that hides VME, PSE, PGE,
 *    PSE36, MTRR, MONITOR, VMX, PCID, X2APIC, TSC_DEADLINE, SMEP, SMAP,
 *    UMIP, PKU and LA57, and shows the HYPERVISOR bit; the prefix before
 *    anything but cpuid is a plain #UD;
 *  - RDMSR of EFER (long mode on), PAT (Xen's value), APIC_BASE (BSP,
 *    enabled, 0xfee00000 on vCPU 0); WRMSR of EFER with its own value;
 *  - mov from CR0 (PE, PG), CR3 (our L4's MFN) and CR4 (PAE, no VMXE);
 *  - in/out and cli without IOPL, and mov to CR3, raise #GP.
 */
#include "cpu.h"
#include "hypercall.h"
#include "mm.h"
#include "tap.h"

#include <xen/arch-x86/cpuid.h>

#define XEN_PAT         0x0000050100070406UL
#define APIC_BASE_VCPU0 0xfee00900UL

static void check_hidden(uint32_t reg, unsigned int bit, const char *leaf,
                         const char *name)
{
    tap_eq((reg >> bit) & 1, 0, "CPUID %s hides %s", leaf, name);
}

int guest_main(void)
{
    struct cpuid_regs r, r1, r7;
    unsigned long cr = 0;
    uint64_t v, efer = 0;
    long rc, ver;
    uint8_t b;

    guest_init_basic();

    rc = cpuid_fep(XEN_CPUID_FIRST_LEAF, 0, &r);
    tap_eq(rc, -1, "forced-emulation CPUID is emulated");
    tap_ok(r.ebx == XEN_CPUID_SIGNATURE_EBX &&
               r.ecx == XEN_CPUID_SIGNATURE_ECX &&
               r.edx == XEN_CPUID_SIGNATURE_EDX,
           "leaf 0x40000000 signature XenVMMXenVMM");
    tap_check(r.eax >= XEN_CPUID_LEAF(2), "too few leaves",
              "leaf 0x40000000 lists at least leaves up to 0x40000002");
    ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    cpuid_fep(XEN_CPUID_LEAF(1), 0, &r);
    tap_eq_hex(r.eax, (unsigned long)ver, "leaf 0x40000001 is the xen_version");
    cpuid_fep(XEN_CPUID_LEAF(2), 0, &r);
    tap_eq(r.eax, 1, "leaf 0x40000002: one hypercall page");
    tap_eq_hex(r.ebx, 0x40000000, "leaf 0x40000002: MSR base 0x40000000");

    cpuid_fep(1, 0, &r1);
    tap_eq((r1.ecx >> 31) & 1, 1, "CPUID 1 shows the HYPERVISOR bit");
    check_hidden(r1.edx, 1, "1.edx", "VME");
    check_hidden(r1.edx, 3, "1.edx", "PSE");
    check_hidden(r1.edx, 12, "1.edx", "MTRR");
    check_hidden(r1.edx, 13, "1.edx", "PGE");
    check_hidden(r1.edx, 17, "1.edx", "PSE36");
    check_hidden(r1.ecx, 3, "1.ecx", "MONITOR");
    check_hidden(r1.ecx, 5, "1.ecx", "VMX");
    check_hidden(r1.ecx, 17, "1.ecx", "PCID");
    check_hidden(r1.ecx, 21, "1.ecx", "X2APIC");
    check_hidden(r1.ecx, 24, "1.ecx", "TSC_DEADLINE");
    cpuid_fep(0, 0, &r);
    if (r.eax >= 7) {
        cpuid_fep(7, 0, &r7);
        check_hidden(r7.ebx, 7, "7.ebx", "SMEP");
        check_hidden(r7.ebx, 20, "7.ebx", "SMAP");
        check_hidden(r7.ecx, 2, "7.ecx", "UMIP");
        check_hidden(r7.ecx, 3, "7.ecx", "PKU");
        check_hidden(r7.ecx, 16, "7.ecx", "LA57");
    } else {
        tap_skip("max leaf < 7", "CPUID leaf 7 policy");
    }
    cpuid_fep(0x80000001, 0, &r);
    tap_eq((r.edx >> 29) & 1, 1, "CPUID 0x80000001 shows long mode");
    check_hidden(r.ecx, 2, "0x80000001.ecx", "SVM");

    /* The prefix followed by anything but cpuid is an ordinary #UD. */
    trap_probe_reset();
    PROBE(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x90", : : : "memory");
    tap_eq(trap_last.vector, 6, "ud2 \"xen\" nop raises #UD");

    rc = rdmsr_probe(MSR_EFER, &efer);
    tap_eq(rc, -1, "rdmsr EFER is emulated");
    tap_check((efer & (EFER_LME | EFER_LMA | EFER_SCE)) ==
                  (EFER_LME | EFER_LMA | EFER_SCE),
              "LME/LMA/SCE", "EFER shows LME, LMA and SCE");
    tap_eq(wrmsr_probe(MSR_EFER, efer), -1, "wrmsr EFER with its own value");
    rc = rdmsr_probe(MSR_PAT, &v);
    tap_eq(rc, -1, "rdmsr PAT is emulated");
    tap_eq_hex(v, XEN_PAT, "PAT is Xen's layout");
    rc = rdmsr_probe(MSR_APIC_BASE, &v);
    tap_eq(rc, -1, "rdmsr APIC_BASE is emulated");
    tap_eq_hex(v, APIC_BASE_VCPU0, "APIC_BASE: 0xfee00000, enabled, BSP");

    tap_eq(read_cr0_probe(&cr), -1, "mov from CR0 is emulated");
    tap_check((cr & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG),
              "PE/PG", "CR0 has PE and PG");
    tap_eq(read_cr3_probe(&cr), -1, "mov from CR3 is emulated");
    tap_eq_hex(cr,
               (unsigned long)virt_to_mfn(start_info->pt_base) << PAGE_SHIFT,
               "CR3 is the machine address of our L4 (pt_base)");
    tap_eq(read_cr4_probe(&cr), -1, "mov from CR4 is emulated");
    tap_check((cr & X86_CR4_PAE) && !(cr & X86_CR4_VMXE), "PAE/VMXE",
              "CR4 has PAE and not VMXE");

    tap_eq(inb_probe(0x71, &b), 13, "inb without IOPL raises #GP");
    tap_eq_hex(trap_last.error_code, 0, "... with error code 0");
    tap_eq(outb_probe(0x80, 0), 13, "outb without IOPL raises #GP");
    tap_eq(cli_probe(), 13, "cli without IOPL raises #GP");
    trap_probe_reset();
    PROBE("mov %[v], %%cr3", : : [v] "r"(0UL) : "memory");
    tap_eq(trap_last.vector, 13, "mov to CR3 of 0 raises #GP");
    trap_probe_reset();
    PROBE("lgdt (%[p])", : : [p] "r"(start_info) : "memory");
    tap_eq(trap_last.vector, 13, "lgdt raises #GP");
    tap_done();
}
