/* SPDX-License-Identifier: MIT */
/*
 * Fault-tolerant copies between the hypervisor and guest memory.  Each
 * instruction that touches guest memory has an exception-table entry:
 * a fault there resumes at the fixup, which reports how much was left.
 */
        .text

/* unsigned long __copy_user(void *dst, const void *src, unsigned long len) */
        .globl __copy_user
__copy_user:
        mov     %rdx, %rcx
        shr     $3, %rcx
        and     $7, %edx
1:      rep movsq
        mov     %rdx, %rcx
2:      rep movsb
        xor     %eax, %eax
        ret
3:      /* faulted in the quadword part: bytes left = rcx * 8 + rdx */
        lea     (%rdx, %rcx, 8), %rax
        ret
4:      mov     %rcx, %rax
        ret
        .pushsection .ex_table, "a"
        .balign 8
        .quad   1b, 3b
        .quad   2b, 4b
        .popsection

/* bool __get_user_u64(uint64_t *val, const void *src) */
        .globl __get_user_u64
__get_user_u64:
5:      mov     (%rsi), %rax
        mov     %rax, (%rdi)
        mov     $1, %eax
        ret
6:      xor     %eax, %eax
        ret
        .pushsection .ex_table, "a"
        .balign 8
        .quad   5b, 6b
        .popsection
