/* SPDX-License-Identifier: MIT */
/*
 * A boot-time measurement of the bare `syscall`/`sysretq` round trip from
 * CPL 3, the floor under every PV hypercall: the benchmarks report the
 * null hypercall's cost as a ratio to it, measured in the same boot.
 *
 * The boot CPU maps a user code page and a user stack page at 4 MiB in
 * its idle page tables (L4 slot 0, otherwise empty), points LSTAR at a
 * stub that does nothing but sysretq, and times the user loop with the
 * TSC, interrupts off; then everything is put back as it was.  The result
 * is printed and kept in syscall_baseline_cycles.
 */
#include <asm/mm.h>
#include <asm/page.h>
#include <asm/processor.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>

#define BASELINE_VA 0x400000UL
#define BASELINE_ITERATIONS 20000
#define BASELINE_RUNS 5

extern const uint8_t baseline_user_code[], baseline_user_code_end[];
void baseline_run(unsigned long rip, unsigned long rsp, unsigned long n);
void baseline_lstar(void);

uint64_t syscall_baseline_cycles;

static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;

    asm volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

void syscall_baseline_measure(void)
{
    pte_t *l4 = maddr_to_virt(read_cr3() & PTE_ADDR_MASK);
    pte_t *l3 = alloc_xenheap_page(), *l2 = alloc_xenheap_page(),
          *l1 = alloc_xenheap_page();
    uint8_t *code = alloc_xenheap_page(), *stack = alloc_xenheap_page();
    const uint64_t user_table = PTE_P | PTE_W | PTE_U | PTE_A | PTE_D;
    uint64_t best = ~0ULL, lstar = rdmsr(MSR_LSTAR);
    unsigned long flags;

    if (!l3 || !l2 || !l1 || !code || !stack || (l4[0] & PTE_P)) {
        printk("Baseline: no syscall measurement (no memory or slot)\n");
        goto out;
    }
    memset(l3, 0, PAGE_SIZE);
    memset(l2, 0, PAGE_SIZE);
    memset(l1, 0, PAGE_SIZE);
    memset(code, 0xcc, PAGE_SIZE);
    memcpy(code, baseline_user_code,
           (size_t)(baseline_user_code_end - baseline_user_code));
    l1[0] = virt_to_maddr(code) | PTE_P | PTE_U | PTE_A;
    l1[1] = virt_to_maddr(stack) | user_table | PTE_NX;
    l2[l2_index(BASELINE_VA)] = virt_to_maddr(l1) | user_table;
    l3[0] = virt_to_maddr(l2) | user_table;
    l4[0] = virt_to_maddr(l3) | user_table;
    flush_tlb_local();

    flags = local_irq_save();
    wrmsr(MSR_LSTAR, (unsigned long)baseline_lstar);
    for (unsigned int r = 0; r < BASELINE_RUNS; r++) {
        uint64_t t0 = rdtsc_ordered(), t;

        baseline_run(BASELINE_VA, BASELINE_VA + 2 * PAGE_SIZE,
                     BASELINE_ITERATIONS);
        t = rdtsc_ordered() - t0;
        if (t < best)
            best = t;
    }
    wrmsr(MSR_LSTAR, lstar);
    local_irq_restore(flags);

    l4[0] = 0;
    flush_tlb_local();
    syscall_baseline_cycles = best / BASELINE_ITERATIONS;
    printk("Baseline: syscall/sysretq round trip %llu cycles "
           "(best of %u runs of %u)\n",
           (unsigned long long)syscall_baseline_cycles, BASELINE_RUNS,
           BASELINE_ITERATIONS);
out:
    free_xenheap_pages(l3, 0);
    free_xenheap_pages(l2, 0);
    free_xenheap_pages(l1, 0);
    free_xenheap_pages(code, 0);
    free_xenheap_pages(stack, 0);
}
