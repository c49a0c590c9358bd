/* SPDX-License-Identifier: MIT */
/*
 * Exception and interrupt entry.  One small stub per vector completes the
 * `struct cpu_user_regs` frame (error code and vector), the common path
 * saves the general registers and calls do_trap().  All IDT gates are
 * interrupt gates: interrupts stay off until C code enables them.
 */
#include <asm/config.h>
#include <asm/desc.h>
#include <asm-offsets.h>

        .macro SAVE_ALL
        cld
        push    %rdi
        push    %rsi
        push    %rdx
        push    %rcx
        push    %rax
        push    %r8
        push    %r9
        push    %r10
        push    %r11
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        .endm

        .macro RESTORE_ALL
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        pop     %r11
        pop     %r10
        pop     %r9
        pop     %r8
        pop     %rax
        pop     %rcx
        pop     %rdx
        pop     %rsi
        pop     %rdi
        .endm

/* The stubs, 16 bytes apart; trap_stubs[] lists their addresses. */
        .section .rodata.trap_stubs, "a"
        .balign 8
        .globl trap_stubs
trap_stubs:
        .text
        .balign 16
        .set    vec, 0
        .rept   256
1:
        .if     vec < 32 && ((TRAP_HAS_ERRCODE_MASK >> vec) & 1)
        movl    $vec, 4(%rsp)
        .else
        pushq   $0
        movl    $vec, 4(%rsp)
        .endif
        jmp     common_trap
        .balign 16
        .pushsection .rodata.trap_stubs, "a"
        .quad   1b
        .popsection
        .set    vec, vec + 1
        .endr

common_trap:
        SAVE_ALL
        mov     %rsp, %rdi
        /* The frame is 8 mod 16 here (see asm/current.h); realign. */
        sub     $8, %rsp
        call    do_trap
        add     $8, %rsp
        /* Back to a guest: through the exit path (softirqs, events). */
        testb   $3, UREGS_cs(%rsp)
        jnz     return_to_guest
        RESTORE_ALL
        add     $8, %rsp                /* error code and vector */
        iretq
