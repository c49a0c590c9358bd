/* SPDX-License-Identifier: MIT */
/*
 * x86-64 control registers, MSRs, CPUID, port I/O and the per-CPU
 * `struct cpu_info` found at the top of each CPU's stack block.
 */
#ifndef ASM_PROCESSOR_H
#define ASM_PROCESSOR_H

#include <asm/config.h>

#define X86_CR0_PE (_AC(1, UL) << 0)
#define X86_CR0_MP (_AC(1, UL) << 1)
#define X86_CR0_EM (_AC(1, UL) << 2)
#define X86_CR0_TS (_AC(1, UL) << 3)
#define X86_CR0_ET (_AC(1, UL) << 4)
#define X86_CR0_NE (_AC(1, UL) << 5)
#define X86_CR0_WP (_AC(1, UL) << 16)
#define X86_CR0_AM (_AC(1, UL) << 18)
#define X86_CR0_PG (_AC(1, UL) << 31)

#define X86_CR4_PAE (_AC(1, UL) << 5)
#define X86_CR4_PGE (_AC(1, UL) << 7)
#define X86_CR4_OSFXSR (_AC(1, UL) << 9)
#define X86_CR4_OSXMMEXCPT (_AC(1, UL) << 10)

#define MSR_EFER 0xc0000080
#define EFER_SCE (_AC(1, UL) << 0)
#define EFER_LME (_AC(1, UL) << 8)
#define EFER_LMA (_AC(1, UL) << 10)
#define EFER_NXE (_AC(1, UL) << 11)
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_FS_BASE 0xc0000100
#define MSR_GS_BASE 0xc0000101
#define MSR_SHADOW_GS_BASE 0xc0000102
#define MSR_APIC_BASE 0x1b

#define X86_EFLAGS_CF (_AC(1, UL) << 0)
#define X86_EFLAGS_PF (_AC(1, UL) << 2)
#define X86_EFLAGS_AF (_AC(1, UL) << 4)
#define X86_EFLAGS_ZF (_AC(1, UL) << 6)
#define X86_EFLAGS_SF (_AC(1, UL) << 7)
#define X86_EFLAGS_TF (_AC(1, UL) << 8)
#define X86_EFLAGS_IF (_AC(1, UL) << 9)
#define X86_EFLAGS_DF (_AC(1, UL) << 10)
#define X86_EFLAGS_OF (_AC(1, UL) << 11)
#define X86_EFLAGS_IOPL_MASK (_AC(3, UL) << 12)
#define X86_EFLAGS_NT (_AC(1, UL) << 14)
#define X86_EFLAGS_RF (_AC(1, UL) << 16)
#define X86_EFLAGS_VM (_AC(1, UL) << 17)
#define X86_EFLAGS_AC (_AC(1, UL) << 18)
/* The status flags arithmetic instructions set. */
#define X86_EFLAGS_ARITH_MASK                                                  \
    (X86_EFLAGS_CF | X86_EFLAGS_PF | X86_EFLAGS_AF | X86_EFLAGS_ZF |           \
     X86_EFLAGS_SF | X86_EFLAGS_OF)

#ifndef __ASSEMBLY__
#include <pvisor/types.h>

static inline uint64_t read_cr0(void)
{
    uint64_t v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
static inline uint64_t read_cr2(void)
{
    uint64_t v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
static inline uint64_t read_cr3(void)
{
    uint64_t v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
static inline void write_cr3(uint64_t v)
{
    asm volatile("mov %0, %%cr3" : : "r"(v) : "memory");
}
static inline uint64_t read_cr4(void)
{
    uint64_t v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
static inline void write_cr4(uint64_t v)
{
    asm volatile("mov %0, %%cr4" : : "r"(v) : "memory");
}
static inline void write_cr0(uint64_t v)
{
    asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static inline uint64_t rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void wrmsr(uint32_t msr, uint64_t v)
{
    asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static inline void cpuid_count(uint32_t leaf, uint32_t sub, uint32_t *a,
                               uint32_t *b, uint32_t *c, uint32_t *d)
{
    asm volatile("cpuid"
                 : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d)
                 : "a"(leaf), "c"(sub));
}

static inline void outb(uint16_t port, uint8_t v)
{
    asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
    uint8_t v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void outw(uint16_t port, uint16_t v)
{
    asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
    asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline void cpu_relax(void) { asm volatile("pause" ::: "memory"); }
static inline void local_irq_disable(void) { asm volatile("cli" ::: "memory"); }
static inline void local_irq_enable(void) { asm volatile("sti" ::: "memory"); }
static inline unsigned long local_save_flags(void)
{
    unsigned long f;
    asm volatile("pushf; pop %0" : "=r"(f) : : "memory");
    return f;
}
static inline unsigned long local_irq_save(void)
{
    unsigned long f = local_save_flags();
    local_irq_disable();
    return f;
}
static inline void local_irq_restore(unsigned long f)
{
    if (f & X86_EFLAGS_IF)
        local_irq_enable();
}
static inline bool local_irq_is_enabled(void)
{
    return local_save_flags() & X86_EFLAGS_IF;
}
/* Enables interrupts and halts until one arrives, atomically. */
static inline void safe_halt(void) { asm volatile("sti; hlt" ::: "memory"); }
static inline void halt(void) { asm volatile("hlt" ::: "memory"); }

static inline void invlpg(const void *va)
{
    asm volatile("invlpg (%0)" : : "r"(va) : "memory");
}

static inline void flush_tlb_local(void)
{
    write_cr3(read_cr3());
}

/* Writes back and invalidates every cache of this CPU. */
static inline void wbinvd(void) { asm volatile("wbinvd" ::: "memory"); }

#include <pvisor/barrier.h>
#endif /* __ASSEMBLY__ */

#endif /* ASM_PROCESSOR_H */
