/* SPDX-License-Identifier: MIT */
/*
 * Hypercall wrappers, one per hypercall the guests use, in Xen's x86-64 PV
 * calling convention: number in RAX, arguments in RDI, RSI, RDX, R10, R8,
 * result in RAX (a negative Xen errno on failure).  Every argument register
 * may come back clobbered, so they are all in/out operands.
 *
 * Two transfer paths, chosen when the library is compiled:
 *
 *  - GUEST_HYPERCALL_PAGE (the reference guest): `call` into the hypercall
 *    page, whose address the XEN_ELFNOTE_HYPERCALL_PAGE note gives the
 *    domain builder; stub i sits at hypercall_page + 32*i and preserves
 *    RCX and R11 itself.
 *  - otherwise (the test guests): a raw `syscall` from guest-kernel mode,
 *    bracketed by push/pop of RCX and R11 which `syscall` destroys, as
 *    stock Linux does since it stopped using the hypercall page.
 *
 * hypercall_raw() always takes the raw path and accepts a run-time number,
 * so the reference guest exercises both paths and the hostile guests can
 * try numbers that do not exist.
 *
 * Each call first bumps hypercall_counts[nr] so a guest can print exactly
 * what it asked of the hypervisor (the iret stubs in entry.S do the same).
 */
#ifndef GUEST_HYPERCALL_H
#define GUEST_HYPERCALL_H

#include "guest.h"

#include <xen/callback.h>
#include <xen/event_channel.h>
#include <xen/grant_table.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/platform.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>

#define HYPERCALL_STUB_SIZE 32

/* Format "hypercall counts: 0=.. 17=..\n" from counts[] (hypercall.c). */
int hypercall_format_counts(char *buf, size_t size,
                            const unsigned long *counts);

static inline void hypercall_count(unsigned long nr)
{
    __atomic_fetch_add(
        &hypercall_counts[nr < HYPERCALL_COUNT_SLOTS ? nr
                                                     : HYPERCALL_COUNT_SLOTS],
        1, __ATOMIC_RELAXED);
}

#ifdef GUEST_HYPERCALL_PAGE
extern char hypercall_page[PAGE_SIZE];
#define HYPERCALL_INSN "call hypercall_page+%c[off]"
#else
#define HYPERCALL_INSN "push %%rcx; push %%r11; syscall; pop %%r11; pop %%rcx"
#endif

/* nr must be a compile-time constant (it selects the page stub). */
#define _hypercall(nr, a1, a2, a3, a4, a5)                                     \
    ({                                                                         \
        register unsigned long _a1 __asm__("rdi") = (unsigned long)(a1);       \
        register unsigned long _a2 __asm__("rsi") = (unsigned long)(a2);       \
        register unsigned long _a3 __asm__("rdx") = (unsigned long)(a3);       \
        register unsigned long _a4 __asm__("r10") = (unsigned long)(a4);       \
        register unsigned long _a5 __asm__("r8") = (unsigned long)(a5);        \
        unsigned long _res = (nr);                                             \
        hypercall_count(nr);                                                   \
        __asm__ __volatile__(HYPERCALL_INSN                                    \
                             : "+a"(_res), "+r"(_a1), "+r"(_a2), "+r"(_a3),    \
                               "+r"(_a4), "+r"(_a5)                            \
                             : [off] "i"((nr)*HYPERCALL_STUB_SIZE)             \
                             : "memory");                                      \
        (long)_res;                                                            \
    })

#define _hypercall0(nr)             _hypercall(nr, 0, 0, 0, 0, 0)
#define _hypercall1(nr, a)          _hypercall(nr, a, 0, 0, 0, 0)
#define _hypercall2(nr, a, b)       _hypercall(nr, a, b, 0, 0, 0)
#define _hypercall3(nr, a, b, c)    _hypercall(nr, a, b, c, 0, 0)
#define _hypercall4(nr, a, b, c, d) _hypercall(nr, a, b, c, d, 0)

/* Raw `syscall` with a run-time number, whatever the library flavour. */
static inline long hypercall_raw(unsigned long nr, unsigned long a1,
                                 unsigned long a2, unsigned long a3,
                                 unsigned long a4, unsigned long a5)
{
    register unsigned long r1 __asm__("rdi") = a1;
    register unsigned long r2 __asm__("rsi") = a2;
    register unsigned long r3 __asm__("rdx") = a3;
    register unsigned long r4 __asm__("r10") = a4;
    register unsigned long r5 __asm__("r8") = a5;
    unsigned long res = nr;

    hypercall_count(nr);
    __asm__ __volatile__("push %%rcx; push %%r11; syscall; pop %%r11; pop %%rcx"
                         : "+a"(res), "+r"(r1), "+r"(r2), "+r"(r3), "+r"(r4),
                           "+r"(r5)
                         :
                         : "memory");
    return (long)res;
}

static inline long HYPERVISOR_set_trap_table(const trap_info_t *table)
{
    return _hypercall1(__HYPERVISOR_set_trap_table, table);
}

static inline long HYPERVISOR_mmu_update(mmu_update_t *req, unsigned int count,
                                         unsigned int *done, domid_t dom)
{
    return _hypercall4(__HYPERVISOR_mmu_update, req, count, done, dom);
}

static inline long HYPERVISOR_set_gdt(const unsigned long *frames,
                                      unsigned long entries)
{
    return _hypercall2(__HYPERVISOR_set_gdt, frames, entries);
}

static inline long HYPERVISOR_stack_switch(unsigned long ss, unsigned long sp)
{
    return _hypercall2(__HYPERVISOR_stack_switch, ss, sp);
}

static inline long HYPERVISOR_set_callbacks(unsigned long event,
                                            unsigned long failsafe,
                                            unsigned long syscall)
{
    return _hypercall3(__HYPERVISOR_set_callbacks, event, failsafe, syscall);
}

static inline long HYPERVISOR_fpu_taskswitch(unsigned long set)
{
    return _hypercall1(__HYPERVISOR_fpu_taskswitch, set);
}

static inline long HYPERVISOR_platform_op(void *op)
{
    return _hypercall1(__HYPERVISOR_platform_op, op);
}

static inline long HYPERVISOR_update_descriptor(uint64_t maddr, uint64_t desc)
{
    return _hypercall2(__HYPERVISOR_update_descriptor, maddr, desc);
}

static inline long HYPERVISOR_memory_op(unsigned long cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_memory_op, cmd, arg);
}

static inline long HYPERVISOR_multicall(multicall_entry_t *calls,
                                        unsigned long nr)
{
    return _hypercall2(__HYPERVISOR_multicall, calls, nr);
}

static inline long HYPERVISOR_update_va_mapping(unsigned long va, uint64_t pte,
                                                unsigned long flags)
{
    return _hypercall3(__HYPERVISOR_update_va_mapping, va, pte, flags);
}

static inline long HYPERVISOR_set_timer_op(uint64_t abs_ns)
{
    return _hypercall1(__HYPERVISOR_set_timer_op, abs_ns);
}

static inline long HYPERVISOR_xen_version(unsigned long cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_xen_version, cmd, arg);
}

static inline long HYPERVISOR_console_io(unsigned long cmd, unsigned long count,
                                         const void *buf)
{
    return _hypercall3(__HYPERVISOR_console_io, cmd, count, buf);
}

static inline long HYPERVISOR_vm_assist(unsigned long cmd, unsigned long type)
{
    return _hypercall2(__HYPERVISOR_vm_assist, cmd, type);
}

static inline long HYPERVISOR_vcpu_op(unsigned long cmd, unsigned long vcpu,
                                      void *arg)
{
    return _hypercall3(__HYPERVISOR_vcpu_op, cmd, vcpu, arg);
}

static inline long HYPERVISOR_set_segment_base(unsigned long which,
                                               unsigned long base)
{
    return _hypercall2(__HYPERVISOR_set_segment_base, which, base);
}

static inline long HYPERVISOR_mmuext_op(struct mmuext_op *ops,
                                        unsigned int count, unsigned int *done,
                                        domid_t dom)
{
    return _hypercall4(__HYPERVISOR_mmuext_op, ops, count, done, dom);
}

static inline long HYPERVISOR_sched_op(unsigned long cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_sched_op, cmd, arg);
}

static inline long HYPERVISOR_callback_op(unsigned long cmd, const void *arg)
{
    return _hypercall2(__HYPERVISOR_callback_op, cmd, arg);
}

static inline long HYPERVISOR_event_channel_op(unsigned long cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_event_channel_op, cmd, arg);
}

static inline long HYPERVISOR_grant_table_op(unsigned long cmd, void *uop,
                                             unsigned long count)
{
    return _hypercall3(__HYPERVISOR_grant_table_op, cmd, uop, count);
}

static inline long HYPERVISOR_physdev_op(unsigned long cmd, void *arg)
{
    return _hypercall2(__HYPERVISOR_physdev_op, cmd, arg);
}

#endif /* GUEST_HYPERCALL_H */
