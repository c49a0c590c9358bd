/* SPDX-License-Identifier: MIT */
/*
 * The CPUID a PV guest sees (through the forced-emulation prefix).
 *
 * Host leaves pass through with a PV-safe policy applied, as Xen's
 * featureset annotations define it: a PV kernel runs at CPL 3 on
 * hypervisor-managed page tables, so large pages, global pages, PCID,
 * SMEP/SMAP, UMIP, PKU and LA57 are hidden; so are the machine-level
 * features (VMX/SVM, MONITOR, MTRR, x2APIC, TSC deadline, thermal and
 * power management).  XSAVE and everything that needs it (AVX...) are
 * hidden too: guest FPU state is switched with FXSAVE and CR4.OSXSAVE
 * stays clear.  The hypervisor leaves at 0x40000000 identify Xen.
 */
#include <asm/processor.h>
#include <asm/pv_emul.h>
#include <pvisor/lib.h>
#include <pvisor/time.h>
#include <pvisor/version.h>

#define BIT(n) (1U << (n))

/* leaf 1 */
#define L1_ECX_HIDE                                                            \
    (BIT(3) | BIT(4) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(14) |          \
     BIT(15) | BIT(17) | BIT(18) | BIT(21) | BIT(24) | BIT(26) | BIT(27) |    \
     BIT(28) | BIT(29) | BIT(12))
#define L1_EDX_HIDE                                                            \
    (BIT(1) | BIT(2) | BIT(3) | BIT(12) | BIT(13) | BIT(17) | BIT(18) |       \
     BIT(21) | BIT(22) | BIT(27) | BIT(29) | BIT(31))
/* leaf 7, subleaf 0 */
#define L7_EBX_KEEP                                                            \
    (BIT(3) | BIT(8) | BIT(9) | BIT(18) | BIT(19) | BIT(23) | BIT(24) |       \
     BIT(29))
#define L7_ECX_KEEP (BIT(22))
/* leaf 0x80000001 */
#define E1_ECX_HIDE (BIT(2) | BIT(3) | BIT(9) | BIT(12) | BIT(13) | BIT(16))
#define E1_EDX_HIDE (BIT(26))

void pv_cpuid(struct vcpu *v, uint32_t leaf, uint32_t sub, uint32_t *a,
              uint32_t *b, uint32_t *c, uint32_t *d)
{
    uint32_t max_basic, max_ext, x;

    cpuid_count(0, 0, &max_basic, &x, &x, &x);
    cpuid_count(0x80000000, 0, &max_ext, &x, &x, &x);
    *a = *b = *c = *d = 0;

    if (leaf >= 0x40000000 && leaf < 0x40010000) {
        switch (leaf) {
        case 0x40000000:
            *a = 0x40000005;
            *b = 0x566e6558; /* "XenV" */
            *c = 0x65584d4d; /* "MMXe" */
            *d = 0x4d4d566e; /* "nVMM" */
            break;
        case 0x40000001:
            *a = (PVISOR_XEN_MAJOR << 16) | PVISOR_XEN_MINOR;
            break;
        case 0x40000002:
            *a = 1;          /* one hypercall page */
            *b = 0x40000000; /* its MSR (HVM only) */
            *c = 1;          /* XEN_CPUID_FEAT1_MMU_PT_UPDATE_PRESERVE_AD */
            break;
        case 0x40000003:
            if (sub == 0) {
                *a = BIT(1);  /* the TSC is reliable */
                *b = 2;       /* tsc_mode: never emulated */
                *c = tsc_khz; /* guest TSC frequency */
            }
            break;
        case 0x40000005:
            if (sub == 0) {
                uint32_t e8;
                cpuid_count(0x80000008, 0, &e8, &x, &x, &x);
                *b = e8 & 0xff; /* machine address width */
            }
            break;
        default:
            break; /* 0x40000004 (HVM features) and beyond: all zero */
        }
        return;
    }

    if (leaf < 0x80000000 && leaf > max_basic)
        return;
    if (leaf >= 0x80000000 && leaf > max_ext)
        return;
    cpuid_count(leaf, sub, a, b, c, d);

    switch (leaf) {
    case 0:
        if (*a > 0xd)
            *a = 0xd;
        break;
    case 1:
        *c &= ~L1_ECX_HIDE;
        *c |= BIT(31); /* running on a hypervisor */
        *d &= ~L1_EDX_HIDE;
        *b = (*b & 0x00ffffff) | (v->vcpu_id << 24);
        break;
    case 5:  /* MONITOR/MWAIT */
    case 6:  /* thermal and power */
    case 0xa: /* performance monitoring */
    case 0xb: /* x2APIC topology */
    case 0xd: /* XSAVE */
        *a = *b = *c = *d = 0;
        break;
    case 7:
        if (sub == 0) {
            *a = 0;
            *b &= L7_EBX_KEEP;
            *c &= L7_ECX_KEEP;
            *d = 0;
        } else {
            *a = *b = *c = *d = 0;
        }
        break;
    case 0x80000001:
        *c &= ~E1_ECX_HIDE;
        *d &= ~E1_EDX_HIDE;
        break;
    default:
        break;
    }
}
