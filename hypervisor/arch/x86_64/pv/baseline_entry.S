/* SPDX-License-Identifier: MIT */
/*
 * The bare syscall/sysretq round trip, measured once at boot so that the
 * cost of a hypercall can be given as a ratio to what the hardware (here:
 * QEMU TCG) charges for the transition alone (see baseline.c).
 *
 * baseline_run(user_rip, user_rsp, iterations) drops to CPL 3 at user_rip
 * with interrupts off; the user code (baseline_user_code, copied to a
 * user page by the caller) makes `iterations` syscalls with %rax = 0,
 * each answered by baseline_lstar with an immediate sysretq, then one with
 * %rax = 1, on which baseline_lstar returns to baseline_run's caller.
 */
#define FLAT_USER_CS64 0xe033
#define FLAT_USER_SS64 0xe02b

        .text
        .globl baseline_run
baseline_run:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        mov     %rsp, baseline_saved_rsp(%rip)
        mov     %rdx, %rbx
        xor     %eax, %eax
        pushq   $FLAT_USER_SS64
        push    %rsi
        pushq   $0x2                    /* IF clear: nothing interrupts */
        pushq   $FLAT_USER_CS64
        push    %rdi
        iretq

        .globl baseline_lstar
baseline_lstar:
        cmp     $1, %eax
        je      1f
        sysretq
1:      mov     baseline_saved_rsp(%rip), %rsp
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret

/* Position-independent user code, copied to a user page: %rbx iterations. */
        .globl baseline_user_code, baseline_user_code_end
baseline_user_code:
1:      syscall
        dec     %rbx
        jnz     1b
        mov     $1, %eax
        syscall
        ud2
baseline_user_code_end:

        .data
        .balign 8
baseline_saved_rsp:
        .quad   0

        .section .note.GNU-stack, "", @progbits
