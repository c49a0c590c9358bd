/* SPDX-License-Identifier: MIT */
/*
 * Privileged and semi-privileged instructions as a PV guest kernel (CPL3)
 * executes them: the hypervisor emulates some (RDMSR, WRMSR, mov from CR0/
 * CR3/CR4, CLTS, CPUID behind the forced-emulation prefix) and turns the
 * rest into #GP or #UD bounced to the guest.  Each helper runs the
 * instruction under PROBE and returns the vector it raised, or -1 if it
 * completed (see traps.h).
 */
#ifndef GUEST_CPU_H
#define GUEST_CPU_H

#include "traps.h"

#define MSR_EFER           0xc0000080U
#define MSR_STAR           0xc0000081U
#define MSR_FS_BASE        0xc0000100U
#define MSR_GS_BASE        0xc0000101U
#define MSR_SHADOW_GS_BASE 0xc0000102U
#define MSR_TSC_AUX        0xc0000103U
#define MSR_APIC_BASE      0x0000001bU
#define MSR_PAT            0x00000277U
#define MSR_TSC            0x00000010U

#define EFER_SCE (1UL << 0)
#define EFER_LME (1UL << 8)
#define EFER_LMA (1UL << 10)
#define EFER_NX  (1UL << 11)

#define X86_CR0_PE   (1UL << 0)
#define X86_CR0_TS   (1UL << 3)
#define X86_CR0_PG   (1UL << 31)
#define X86_CR4_PAE  (1UL << 5)
#define X86_CR4_VMXE (1UL << 13)

struct cpuid_regs {
    uint32_t eax, ebx, ecx, edx;
};

static inline long rdmsr_probe(uint32_t msr, uint64_t *val)
{
    unsigned long before = trap_probe_reset();
    uint32_t lo = 0, hi = 0;

    PROBE("rdmsr", : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
    *val = ((uint64_t)hi << 32) | lo;
    return trap_total() != before ? (long)trap_last.vector : -1;
}

static inline long wrmsr_probe(uint32_t msr, uint64_t val)
{
    unsigned long before = trap_probe_reset();

    PROBE("wrmsr",
          :
          : "c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32))
          : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

/* CPUID behind Xen's forced-emulation prefix: ud2; .ascii "xen"; cpuid. */
static inline long cpuid_fep(uint32_t leaf, uint32_t subleaf,
                             struct cpuid_regs *r)
{
    unsigned long before = trap_probe_reset();
    uint32_t a = leaf, b = 0, c = subleaf, d = 0;

    PROBE(".byte 0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2",
          : "+a"(a), "+b"(b), "+c"(c), "+d"(d)
          :
          : "memory");
    r->eax = a;
    r->ebx = b;
    r->ecx = c;
    r->edx = d;
    return trap_total() != before ? (long)trap_last.vector : -1;
}

#define DEFINE_READ_CR(n)                                                      \
    static inline long read_cr##n##_probe(unsigned long *val)                  \
    {                                                                          \
        unsigned long before = trap_probe_reset(), v = 0;                      \
                                                                               \
        PROBE("mov %%cr" #n ", %[v]", : [v] "+r"(v) : : "memory");             \
        *val = v;                                                              \
        return trap_total() != before ? (long)trap_last.vector : -1;           \
    }
DEFINE_READ_CR(0)
DEFINE_READ_CR(2)
DEFINE_READ_CR(3)
DEFINE_READ_CR(4)

static inline long inb_probe(uint16_t port, uint8_t *val)
{
    unsigned long before = trap_probe_reset();
    uint8_t v = 0;

    PROBE("inb %w[p], %[v]", : [v] "+a"(v) : [p] "Nd"(port) : "memory");
    *val = v;
    return trap_total() != before ? (long)trap_last.vector : -1;
}

static inline long outb_probe(uint16_t port, uint8_t val)
{
    unsigned long before = trap_probe_reset();

    PROBE("outb %[v], %w[p]", : : [v] "a"(val), [p] "Nd"(port) : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

#define DEFINE_INSN_PROBE(name, insn)                                          \
    static inline long name##_probe(void)                                      \
    {                                                                          \
        unsigned long before = trap_probe_reset();                             \
                                                                               \
        PROBE(insn, : : : "memory");                                           \
        return trap_total() != before ? (long)trap_last.vector : -1;           \
    }
DEFINE_INSN_PROBE(cli, "cli")
DEFINE_INSN_PROBE(sti, "sti")
DEFINE_INSN_PROBE(hlt, "hlt")
DEFINE_INSN_PROBE(clts, "clts")
DEFINE_INSN_PROBE(wbinvd, "wbinvd")

#endif /* GUEST_CPU_H */
