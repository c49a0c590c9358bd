/* SPDX-License-Identifier: MIT */
/*
 * The guest library's common header: freestanding types, the Xen public
 * headers every guest needs, the boot-region constants shared with the
 * linker script, barriers, and the globals set up at start of day
 * (start_info, shared_info, this vCPU's vcpu_info).
 *
 * Guests in guests/ are small x86-64 PV kernels written to Xen's PV ABI
 * only: everything they know about the hypervisor comes from the Xen public
 * headers, so they boot on pvisor and on real Xen alike.
 */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <xen/xen.h>

/*
 * The boot region: VIRT_BASE maps guest pfn 0 (PADDR_OFFSET is 0).  The
 * host-side emulator build (tests/unit/guests/pvemu.c) links the same code
 * low instead and overrides it.
 */
#ifndef GUEST_VIRT_BASE
#define GUEST_VIRT_BASE 0xffffffff80000000UL
#endif
#define PAGE_SHIFT       12
#define PAGE_SIZE        (1UL << PAGE_SHIFT)
#define PAGE_MASK        (~(PAGE_SIZE - 1))
#define PAGE_ALIGN_UP(x) (((x) + PAGE_SIZE - 1) & PAGE_MASK)

/* Page-table entry bits, for the PTEs passed to update_va_mapping. */
#define PTE_P         (1UL << 0)
#define PTE_RW        (1UL << 1)
#define PTE_US        (1UL << 2)
#define PTE_A         (1UL << 5)
#define PTE_D         (1UL << 6)
#define PTE_NX        (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

/* Addresses a PV guest may not hand to the hypervisor (xen-x86_64.h). */
#define HV_ADDR_M2P        HYPERVISOR_VIRT_START /* read-only M2P, slot 256 */
#define HV_ADDR_PRIVATE    0xffff830000000000UL  /* hypervisor-private slots */
#define HV_ADDR_LAST       (HYPERVISOR_VIRT_END - PAGE_SIZE)
#define NONCANONICAL_ADDR  0x8000000000000000UL
#define NONCANONICAL_ADDR2 0x0000800000000000UL

#define ARRAY_SIZE(a)  (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)      ((a) < (b) ? (a) : (b))
#define MAX(a, b)      ((a) > (b) ? (a) : (b))
#define __noreturn     __attribute__((noreturn))
#define __used         __attribute__((used))
#define __aligned(n)   __attribute__((aligned(n)))
#define __section(s)   __attribute__((section(s)))
#define __printf(a, b) __attribute__((format(printf, a, b)))

#define barrier() __asm__ __volatile__("" ::: "memory")
/* x86 is TSO: loads are not reordered with loads, nor stores with stores. */
#define rmb()            barrier()
#define wmb()            barrier()
#define mb()             __asm__ __volatile__("mfence" ::: "memory")
#define READ_ONCE(x)     (*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

/* Set by setup.c before guest_main() runs. */
extern start_info_t *start_info;
extern shared_info_t *shared_info;   /* NULL until mm_map_shared_info() */
extern struct vcpu_info *vcpu0;      /* &shared_info->vcpu_info[0] */
extern unsigned long boot_stack_top; /* RSP the builder entered us with */

/* Each guest provides this; setup.c calls it after the library is ready. */
int guest_main(void);

/* string.c */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strstr(const char *hay, const char *needle);

/* printf.c: the subset of C99 formats the guests use (see printf.c). */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

/*
 * console.c: printf goes to the ring console when start_info has one
 * (else, or once the ring is broken or stalled, to console_io);
 * console_write is always console_io (the hypervisor console).
 */
long console_write(const char *buf, size_t len);
bool console_ring_active(void);
/* Input from the ring's "in" side: bytes read (0: none), -1 if no ring. */
long console_read(char *buf, size_t size);
/* Waits up to timeout_ns for input (needs shared_info); true if some. */
bool console_wait_input(uint64_t timeout_ns);
extern unsigned long console_ring_bytes; /* written through the ring */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);

/* setup.c */
void __noreturn guest_shutdown(unsigned int reason);
void __noreturn guest_panic(const char *fmt, ...) __printf(1, 2);
void guest_init_basic(void); /* traps_init + mm_map_shared_info */
const char *cmdline_value(const char *key, char *buf, size_t size);
unsigned long cmdline_ulong(const char *key, unsigned long dflt);

/* Per-number count of every hypercall this guest issued (hypercall.c). */
#define HYPERCALL_COUNT_SLOTS 64
extern unsigned long hypercall_counts[HYPERCALL_COUNT_SLOTS + 1];

static inline uint64_t rdtsc_ordered(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
    return ((uint64_t)hi << 32) | lo;
}

#endif /* GUEST_H */
