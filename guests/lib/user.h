/* SPDX-License-Identifier: MIT */
/*
 * Guest user mode (x86-64 PV): kernel and user both run at CPL 3, told
 * apart by the hypervisor, which switches between the kernel L4 and the
 * user L4 (MMUEXT_NEW_USER_BASEPTR) and swaps the two GS bases on every
 * kernel/user transition.
 *
 *  - user_enter() enters user mode with the iret hypercall (a CS with RPL
 *    3) after saving the calling kernel context; it returns when a trap
 *    handler later turns a user frame back into that context with
 *    user_frame_to_kernel(), as if user mode had been a function call.
 *  - `syscall` in user mode reaches the CALLBACKTYPE_syscall callback
 *    (VEC_SYSCALL in traps.h), events and exceptions the usual entries,
 *    all on the kernel stack given with stack_switch; a handler may
 *    rewrite the whole frame (registers, rip, rsp) to resume another
 *    user context: that is a context switch.
 *  - trap_set_user_return_hook() (traps.h) runs before any return to
 *    user mode, e.g. to preempt on a timer tick.
 */
#ifndef GUEST_USER_H
#define GUEST_USER_H

#include "traps.h"

/* Selectors in iret frames: RPL 3 is user mode, RPL 0 the guest kernel. */
#define USER_CS   FLAT_USER_CS64
#define USER_SS   FLAT_USER_SS64
#define KERNEL_CS (FLAT_KERNEL_CS64 & ~3UL)
#define KERNEL_SS (FLAT_KERNEL_SS64 & ~3UL)

#define USER_RFLAGS 0x202UL /* IF: events enabled in user mode */

/* The kernel context user_enter() saved (layout fixed by user.S). */
struct user_kctx {
    uint64_t rbx, rbp, r12, r13, r14, r15;
    uint64_t rsp, rip, rflags;
};

/*
 * Saves the caller's context in k, then enters user mode at rip with the
 * stack rsp and rdi = arg (the user L4 and the syscall callback must be
 * in place).  Returns the value a handler passed to user_frame_to_kernel.
 */
long user_enter(struct user_kctx *k, unsigned long rip, unsigned long rsp,
                unsigned long arg);

/* Makes f, a frame from user mode, resume k (user_enter returns value). */
void user_frame_to_kernel(struct trap_frame *f, const struct user_kctx *k,
                          long value);

/* A fresh user frame: rip, rsp, rdi = arg, flat user selectors, IF. */
void user_frame_init(struct trap_frame *f, unsigned long rip, unsigned long rsp,
                     unsigned long arg);

/* A system call from user mode (nr in rax, arguments rdi, rsi, rdx). */
static inline long user_syscall(long nr, long a1, long a2, long a3)
{
    long ret;

    __asm__ __volatile__("syscall"
                         : "=a"(ret)
                         : "a"(nr), "D"(a1), "S"(a2), "d"(a3)
                         : "rcx", "r11", "memory");
    return ret;
}

/* %gs:0 as the current mode sees it. */
static inline unsigned long user_read_gs0(void)
{
    unsigned long v;

    __asm__ __volatile__("mov %%gs:0, %0" : "=r"(v));
    return v;
}

#endif /* GUEST_USER_H */
