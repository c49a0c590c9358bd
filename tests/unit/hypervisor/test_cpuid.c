/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the CPUID policy PV guests see (arch/x86_64/pv/cpuid.c),
 * against a fake host CPU that offers every feature bit: what a PV kernel
 * at CPL 3 must not be told about is hidden, what it may use is kept, the
 * hypervisor leaves identify Xen 4.17, and leaves past the host's maxima
 * read as zeros.
 */
#include "hv_test.h"

#include <asm/pv_emul.h>
#include <pvisor/time.h>
#include <string.h>

#define BIT(n) (1U << (n))

uint32_t tsc_khz = 2600000;

/* The fake host: max basic leaf 0x16, max extended 0x80000008. */
void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b,
                 uint32_t *c, uint32_t *d)
{
    (void)sub;
    *a = *b = *c = *d = 0xffffffff;
    switch (leaf) {
    case 0:
        *a = 0x16;
        *b = 0x756e6547; /* "GenuineIntel" */
        *d = 0x49656e69;
        *c = 0x6c65746e;
        break;
    case 1:
        *b = 0x07080800; /* APIC id 7 */
        break;
    case 0x80000000:
        *a = 0x80000008;
        break;
    case 0x80000008:
        *a = 0x3028; /* 48-bit virtual, 40-bit physical */
        break;
    default:
        if (leaf > 0x80000008 || (leaf > 0x16 && leaf < 0x80000000))
            fail_msg("the policy asked the host for leaf %#x past its maximum",
                     leaf);
        break;
    }
}

static struct vcpu vcpu3 = {.vcpu_id = 3};

struct regs {
    uint32_t a, b, c, d;
};

static struct regs cpuid(uint32_t leaf, uint32_t sub)
{
    struct regs r;

    pv_cpuid(&vcpu3, leaf, sub, &r.a, &r.b, &r.c, &r.d);
    return r;
}

static void test_leaf0_vendor_and_max_leaf(void **state)
{
    struct regs r = cpuid(0, 0);

    (void)state;
    assert_int_equal(r.a, 0xd); /* clamped to the leaves the policy knows */
    assert_int_equal(r.b, 0x756e6547);
    assert_int_equal(r.d, 0x49656e69);
    assert_int_equal(r.c, 0x6c65746e);
}

static void test_leaf1_hides_what_cpl3_kernels_must_not_use(void **state)
{
    struct regs r = cpuid(1, 0);

    (void)state;
    /* edx: VME, DE, PSE, MTRR, PGE, PSE36, DS, ACPI, TM hidden. */
    assert_int_equal(r.d & (BIT(1) | BIT(2) | BIT(3) | BIT(12) | BIT(13) |
                            BIT(17) | BIT(21) | BIT(22) | BIT(29)), 0);
    /* ecx: MONITOR, VMX, SMX, EIST, PCID, x2APIC, TSC deadline, XSAVE,
     * OSXSAVE, AVX hidden. */
    assert_int_equal(r.c & (BIT(3) | BIT(5) | BIT(6) | BIT(7) | BIT(17) |
                            BIT(21) | BIT(24) | BIT(26) | BIT(27) | BIT(28)),
                     0);
}

static void test_leaf1_keeps_the_basics(void **state)
{
    struct regs r = cpuid(1, 0);

    (void)state;
    /* edx: FPU, TSC, MSR, CX8, CMOV, FXSR, SSE, SSE2. */
    assert_int_equal(r.d & (BIT(0) | BIT(4) | BIT(5) | BIT(8) | BIT(15) |
                            BIT(24) | BIT(25) | BIT(26)),
                     BIT(0) | BIT(4) | BIT(5) | BIT(8) | BIT(15) | BIT(24) |
                         BIT(25) | BIT(26));
    /* ecx: SSE3, SSSE3, CX16, SSE4.1, SSE4.2, POPCNT. */
    assert_int_equal(r.c & (BIT(0) | BIT(9) | BIT(13) | BIT(19) | BIT(20) |
                            BIT(23)),
                     BIT(0) | BIT(9) | BIT(13) | BIT(19) | BIT(20) | BIT(23));
}

static void test_leaf1_says_hypervisor_and_gives_vcpu_apic_id(void **state)
{
    struct regs r = cpuid(1, 0);

    (void)state;
    assert_true(r.c & BIT(31));
    assert_int_equal(r.b >> 24, 3); /* the vCPU, not the host's APIC id 7 */
    assert_int_equal(r.b & 0x00ffffff, 0x080800);
}

static void test_leaf7_keeps_only_safe_features(void **state)
{
    struct regs r = cpuid(7, 0);

    (void)state;
    assert_int_equal(r.a, 0); /* no further subleaves */
    /* ebx: FSGSBASE, SMEP, INVPCID, SMAP, AVX2 hidden... */
    assert_int_equal(r.b & (BIT(0) | BIT(5) | BIT(7) | BIT(10) | BIT(20)), 0);
    /* ...BMI1, BMI2, ERMS, RDSEED, ADX kept. */
    assert_int_equal(r.b & (BIT(3) | BIT(8) | BIT(9) | BIT(18) | BIT(19)),
                     BIT(3) | BIT(8) | BIT(9) | BIT(18) | BIT(19));
    /* ecx: UMIP, PKU, LA57 hidden; RDPID kept. */
    assert_int_equal(r.c & (BIT(2) | BIT(3) | BIT(16)), 0);
    assert_true(r.c & BIT(22));
    assert_int_equal(r.d, 0);
    r = cpuid(7, 1);
    assert_int_equal(r.a | r.b | r.c | r.d, 0);
}

static void test_machine_leaves_are_empty(void **state)
{
    static const uint32_t leaves[] = {5, 6, 0xa, 0xb, 0xd};

    (void)state;
    for (unsigned int i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++) {
        struct regs r = cpuid(leaves[i], 0);

        assert_int_equal(r.a | r.b | r.c | r.d, 0);
    }
}

static void test_extended_leaf_hides_svm_and_rdtscp_kept(void **state)
{
    struct regs r = cpuid(0x80000001, 0);

    (void)state;
    assert_int_equal(r.c & (BIT(2) | BIT(3) | BIT(9) | BIT(12) | BIT(13) |
                            BIT(16)),
                     0); /* SVM, ExtApic, OSVW, SKINIT, WDT, TBM */
    assert_int_equal(r.d & BIT(26), 0);       /* 1 GiB pages */
    assert_true(r.d & BIT(27));               /* RDTSCP */
    assert_true(r.d & BIT(29));               /* long mode */
    assert_true(r.d & BIT(20));               /* NX */
    assert_true(r.c & BIT(0));                /* LAHF in long mode */
}

static void test_leaves_past_the_maximum_are_zero(void **state)
{
    struct regs r;

    (void)state;
    r = cpuid(0x17, 0);
    assert_int_equal(r.a | r.b | r.c | r.d, 0);
    r = cpuid(0x80000009, 0);
    assert_int_equal(r.a | r.b | r.c | r.d, 0);
    r = cpuid(0xffffffff, 0);
    assert_int_equal(r.a | r.b | r.c | r.d, 0);
}

static void test_xen_leaves(void **state)
{
    struct regs r = cpuid(0x40000000, 0);
    char sig[13];

    (void)state;
    memcpy(sig, &r.b, 4);
    memcpy(sig + 4, &r.c, 4);
    memcpy(sig + 8, &r.d, 4);
    sig[12] = '\0';
    assert_string_equal(sig, "XenVMMXenVMM");
    assert_int_equal(r.a, 0x40000005);
    r = cpuid(0x40000001, 0);
    assert_int_equal(r.a, (4 << 16) | 17);
    r = cpuid(0x40000002, 0);
    assert_int_equal(r.a, 1); /* hypercall pages */
    assert_int_equal(r.c & 1, 1); /* mmu_update preserves A/D */
    r = cpuid(0x40000003, 0);
    assert_int_equal(r.c, 2600000);
    r = cpuid(0x40000005, 0);
    assert_int_equal(r.b, 0x28);
    r = cpuid(0x40000004, 0); /* HVM features: none for PV */
    assert_int_equal(r.a | r.b | r.c | r.d, 0);
    r = cpuid(0x40000100, 0); /* no second hypervisor range */
    assert_int_equal(r.a | r.b | r.c | r.d, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf0_vendor_and_max_leaf),
        cmocka_unit_test(test_leaf1_hides_what_cpl3_kernels_must_not_use),
        cmocka_unit_test(test_leaf1_keeps_the_basics),
        cmocka_unit_test(test_leaf1_says_hypervisor_and_gives_vcpu_apic_id),
        cmocka_unit_test(test_leaf7_keeps_only_safe_features),
        cmocka_unit_test(test_machine_leaves_are_empty),
        cmocka_unit_test(test_extended_leaf_hides_svm_and_rdtscp_kept),
        cmocka_unit_test(test_leaves_past_the_maximum_are_zero),
        cmocka_unit_test(test_xen_leaves),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
