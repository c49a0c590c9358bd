/* SPDX-License-Identifier: MIT */
/*
 * The instruction forms of ptwr_insn_cases.h, assembled by the host
 * assembler (so the encodings are the assembler's, not ours), each between
 * NAME and NAME_end and followed by `ret`, and ptwr_native_run(), which
 * runs one of them with every general register and the status flags
 * loaded from a struct cpu_user_regs and stores them back afterwards.
 */
#include "ptwr_insn_cases.h"

/* struct cpu_user_regs offsets (checked by test_ptwr_insn.c). */
#define R15 0
#define R14 8
#define R13 16
#define R12 24
#define RBP 32
#define RBX 40
#define R11 48
#define R10 56
#define R9 64
#define R8 72
#define RAX 80
#define RCX 88
#define RDX 96
#define RSI 104
#define RDI 112
#define RFLAGS 144

        .text
/* void ptwr_native_run(struct cpu_user_regs *regs, const void *insn) */
        .globl  ptwr_native_run
        .type   ptwr_native_run, @function
ptwr_native_run:
        push    %rbx
        push    %rbp
        push    %r12
        push    %r13
        push    %r14
        push    %r15
        push    %rdi                    /* regs */
        push    %rsi                    /* insn */
        pushq   RFLAGS(%rdi)
        popfq
        mov     R15(%rdi), %r15
        mov     R14(%rdi), %r14
        mov     R13(%rdi), %r13
        mov     R12(%rdi), %r12
        mov     RBP(%rdi), %rbp
        mov     RBX(%rdi), %rbx
        mov     R11(%rdi), %r11
        mov     R10(%rdi), %r10
        mov     R9(%rdi), %r9
        mov     R8(%rdi), %r8
        mov     RAX(%rdi), %rax
        mov     RCX(%rdi), %rcx
        mov     RDX(%rdi), %rdx
        mov     RSI(%rdi), %rsi
        mov     RDI(%rdi), %rdi
        call    *(%rsp)
        pushfq                          /* flags, insn, regs */
        xchg    %rdi, 16(%rsp)          /* rdi = regs; the result in its slot */
        mov     %r15, R15(%rdi)
        mov     %r14, R14(%rdi)
        mov     %r13, R13(%rdi)
        mov     %r12, R12(%rdi)
        mov     %rbp, RBP(%rdi)
        mov     %rbx, RBX(%rdi)
        mov     %r11, R11(%rdi)
        mov     %r10, R10(%rdi)
        mov     %r9, R9(%rdi)
        mov     %r8, R8(%rdi)
        mov     %rax, RAX(%rdi)
        mov     %rcx, RCX(%rdi)
        mov     %rdx, RDX(%rdi)
        mov     %rsi, RSI(%rdi)
        popq    RFLAGS(%rdi)
        add     $8, %rsp
        popq    RDI(%rdi)
        pop     %r15
        pop     %r14
        pop     %r13
        pop     %r12
        pop     %rbp
        pop     %rbx
        ret
        .size   ptwr_native_run, . - ptwr_native_run

#define X(name, op, size, base, index, scale, disp, off, bitreg, flags, ...)  \
        .globl name; .globl name##_end; name: __VA_ARGS__; name##_end: ret;
PTWR_CASES(X)
#undef X
        /* The decoder reads 15 bytes from each case. */
        .fill   16, 1, 0xcc

        .data
        .balign 4096
        .globl  ptwr_rip_area
        .hidden ptwr_rip_area
ptwr_rip_area:
        .fill   4096, 1, 0

        .section .note.GNU-stack, "", @progbits
