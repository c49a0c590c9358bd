/* SPDX-License-Identifier: MIT */
/*
 * The C side of guest user mode (see user.h): frames that start user
 * code, and frames turned back into the kernel context user_enter saved.
 */
#include "user.h"

_Static_assert(offsetof(struct user_kctx, rsp) == 48, "user.S stores rsp");
_Static_assert(offsetof(struct user_kctx, rip) == 56, "user.S stores rip");

void user_frame_init(struct trap_frame *f, unsigned long rip, unsigned long rsp,
                     unsigned long arg)
{
    memset(f, 0, sizeof(*f));
    f->rip = rip;
    f->cs = USER_CS;
    f->rflags = USER_RFLAGS;
    f->rsp = rsp;
    f->ss = USER_SS;
    f->rdi = arg;
}

void user_frame_to_kernel(struct trap_frame *f, const struct user_kctx *k,
                          long value)
{
    f->rbx = k->rbx;
    f->rbp = k->rbp;
    f->r12 = k->r12;
    f->r13 = k->r13;
    f->r14 = k->r14;
    f->r15 = k->r15;
    f->rax = (uint64_t)value;
    f->rip = k->rip;
    f->cs = KERNEL_CS; /* RPL 0: the iret stays in (returns to) kernel mode */
    f->rflags = k->rflags;
    f->rsp = k->rsp;
    f->ss = KERNEL_SS;
}
