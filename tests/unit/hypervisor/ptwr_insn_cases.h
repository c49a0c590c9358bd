/* SPDX-License-Identifier: MIT */
/*
 * The instruction forms test_ptwr_insn.c runs natively and through the
 * emulation, as an X-macro list shared by the C test and the assembly
 * (ptwr_insn_cases.S) that assembles each one between NAME and NAME_end:
 *
 *   X(NAME, OP, SIZE, BASE, INDEX, SCALE, DISP, OFF, BITREG, FLAGS, ASM...)
 *
 * OP and SIZE are what the decoder must find; BASE, INDEX, SCALE and DISP
 * describe the memory operand as written in ASM, so the test can point it
 * at byte OFF of an 8-byte entry in its arena; BITREG is the register
 * holding a bt* bit offset; FLAGS says how the address is formed.  Only
 * the C side looks at anything but NAME and ASM.
 *
 * Register-choice rules: BASE, INDEX and BITREG are distinct from each
 * other and from any register the instruction writes.
 */
#ifndef PTWR_INSN_CASES_H
#define PTWR_INSN_CASES_H

/* A low arena at a fixed address, so that absolute and 32-bit addresses
 * can reach it. */
#define PTWR_TEST_ARENA 0x20000000
#define PTWR_TEST_ENTRY 0x20000800 /* PTWR_TEST_ARENA + 0x800 */

#define CASE_RIP    1 /* RIP-relative into ptwr_rip_area */
#define CASE_ABS    2 /* absolute address PTWR_TEST_ENTRY + OFF */
#define CASE_FS     4 /* FS base added */
#define CASE_GS     8 /* GS base added */
#define CASE_ADDR32 16

/* clang-format off */
#define PTWR_CASES(X)                                                          \
    /* mov r, m: set_pte, every size and addressing form */                    \
    X(mov_r64, PTWR_MOV, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                     \
      mov %rax, (%rbx))                                                        \
    X(mov_r64_rex, PTWR_MOV, 8, R12, NOREG, 1, 8, 0, NOREG, 0,                 \
      mov %r9, 8(%r12))                                                        \
    X(mov_r64_r13, PTWR_MOV, 8, R13, NOREG, 1, 0, 0, NOREG, 0,                 \
      mov %r15, (%r13))                                                        \
    X(mov_r64_sib, PTWR_MOV, 8, RBX, RCX, 8, 0x100, 0, NOREG, 0,               \
      mov %rdx, 0x100(%rbx,%rcx,8))                                            \
    X(mov_r64_sib_rex, PTWR_MOV, 8, RBP, R12, 2, -16, 0, NOREG, 0,             \
      mov %rsi, -16(%rbp,%r12,2))                                              \
    X(mov_r64_sib_r13, PTWR_MOV, 8, R13, R14, 4, 0, 0, NOREG, 0,               \
      mov %r8, (%r13,%r14,4))                                                  \
    X(mov_r64_index_only, PTWR_MOV, 8, NOREG, RCX, 8, PTWR_TEST_ARENA, 0,      \
      NOREG, 0, mov %rax, PTWR_TEST_ARENA(,%rcx,8))                            \
    X(mov_r64_abs, PTWR_MOV, 8, NOREG, NOREG, 1, PTWR_TEST_ENTRY, 0, NOREG,    \
      CASE_ABS, mov %rax, PTWR_TEST_ENTRY)                                     \
    X(mov_r64_rip, PTWR_MOV, 8, NOREG, NOREG, 1, 0, 0, NOREG, CASE_RIP,        \
      mov %rax, ptwr_rip_area + 0x800(%rip))                                   \
    X(mov_r64_fs, PTWR_MOV, 8, RBX, NOREG, 1, 0, 0, NOREG, CASE_FS,            \
      mov %rax, %fs:(%rbx))                                                    \
    X(mov_r64_gs, PTWR_MOV, 8, RDX, NOREG, 1, 8, 0, NOREG, CASE_GS,            \
      mov %rcx, %gs:8(%rdx))                                                   \
    X(mov_r64_ds, PTWR_MOV, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                  \
      .byte 0x3e; mov %rax, (%rbx))                                                    \
    X(mov_r64_addr32, PTWR_MOV, 8, RBX, NOREG, 1, 0, 0, NOREG, CASE_ADDR32,    \
      mov %rax, (%ebx))                                                        \
    X(mov_r32_addr32_sib, PTWR_MOV, 4, RBX, RCX, 4, 4, 4, NOREG, CASE_ADDR32,  \
      mov %eax, 4(%ebx,%ecx,4))                                                \
    X(mov_r64_66_rexw, PTWR_MOV, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,             \
      .byte 0x66, 0x48, 0x89, 0x03)                                            \
    X(mov_rex_then_66, PTWR_MOV, 2, RBX, NOREG, 1, 0, 0, NOREG, 0,             \
      .byte 0x48, 0x66, 0x89, 0x03)                                            \
    X(mov_r32_lo, PTWR_MOV, 4, RBX, NOREG, 1, 0, 0, NOREG, 0,                  \
      mov %eax, (%rbx))                                                        \
    X(mov_r32_hi, PTWR_MOV, 4, R11, NOREG, 1, 4, 4, NOREG, 0,                  \
      mov %r10d, 4(%r11))                                                      \
    X(mov_r16, PTWR_MOV, 2, RBX, NOREG, 1, 2, 2, NOREG, 0,                     \
      mov %ax, 2(%rbx))                                                        \
    X(mov_r16_rex, PTWR_MOV, 2, RSI, NOREG, 1, 6, 6, NOREG, 0,                 \
      mov %r8w, 6(%rsi))                                                       \
    X(mov_r8, PTWR_MOV, 1, RBX, NOREG, 1, 1, 1, NOREG, 0,                      \
      mov %al, 1(%rbx))                                                        \
    X(mov_r8_ah, PTWR_MOV, 1, RBX, NOREG, 1, 3, 3, NOREG, 0,                   \
      mov %ah, 3(%rbx))                                                        \
    X(mov_r8_sil, PTWR_MOV, 1, RBX, NOREG, 1, 5, 5, NOREG, 0,                  \
      mov %sil, 5(%rbx))                                                       \
    X(mov_r8_r11b, PTWR_MOV, 1, RDX, NOREG, 1, 7, 7, NOREG, 0,                 \
      mov %r11b, 7(%rdx))                                                      \
    /* mov $imm, m: pte_clear */                                               \
    X(mov_imm0_64, PTWR_MOV, 8, RDI, NOREG, 1, 0, 0, NOREG, 0,                 \
      movq $0, (%rdi))                                                         \
    X(mov_imm32_64, PTWR_MOV, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                \
      movq $0x12345678, (%rbx))                                                \
    X(mov_imm32_64_neg, PTWR_MOV, 8, RBX, NOREG, 1, 8, 0, NOREG, 0,            \
      movq $-2, 8(%rbx))                                                       \
    X(mov_imm32, PTWR_MOV, 4, RBX, NOREG, 1, 4, 4, NOREG, 0,                   \
      movl $0xdeadbeef, 4(%rbx))                                               \
    X(mov_imm16, PTWR_MOV, 2, RBX, NOREG, 1, 6, 6, NOREG, 0,                   \
      movw $0x8001, 6(%rbx))                                                   \
    X(mov_imm8, PTWR_MOV, 1, RBX, NOREG, 1, 7, 7, NOREG, 0,                    \
      movb $0x80, 7(%rbx))                                                     \
    /* xchg: ptep_get_and_clear */                                             \
    X(xchg_r64, PTWR_XCHG, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                   \
      xchg %rax, (%rbx))                                                       \
    X(xchg_r64_rex, PTWR_XCHG, 8, RDI, NOREG, 1, 0, 0, NOREG, 0,               \
      xchg (%rdi), %r9)                                                        \
    X(xchg_r32, PTWR_XCHG, 4, RBX, NOREG, 1, 4, 4, NOREG, 0,                   \
      xchg %eax, 4(%rbx))                                                      \
    X(xchg_r16, PTWR_XCHG, 2, RBX, NOREG, 1, 2, 2, NOREG, 0,                   \
      xchg %cx, 2(%rbx))                                                       \
    X(xchg_r8, PTWR_XCHG, 1, RBX, NOREG, 1, 7, 7, NOREG, 0,                    \
      xchg %dl, 7(%rbx))                                                       \
    X(xchg_r8_ch, PTWR_XCHG, 1, RBX, NOREG, 1, 1, 1, NOREG, 0,                 \
      xchg %ch, 1(%rbx))                                                       \
    X(xchg_r8_r12b, PTWR_XCHG, 1, RDI, NOREG, 1, 3, 3, NOREG, 0,               \
      xchg %r12b, 3(%rdi))                                                     \
    /* cmpxchg */                                                              \
    X(cmpxchg_r64, PTWR_CMPXCHG, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,             \
      lock cmpxchg %rdx, (%rbx))                                               \
    X(cmpxchg_r64_nolock, PTWR_CMPXCHG, 8, RDI, NOREG, 1, 0, 0, NOREG, 0,      \
      cmpxchg %rsi, (%rdi))                                                    \
    X(cmpxchg_r32, PTWR_CMPXCHG, 4, RBX, NOREG, 1, 4, 4, NOREG, 0,             \
      lock cmpxchg %r9d, 4(%rbx))                                              \
    X(cmpxchg_r16, PTWR_CMPXCHG, 2, RBX, NOREG, 1, 6, 6, NOREG, 0,             \
      lock cmpxchg %cx, 6(%rbx))                                               \
    X(cmpxchg_r8, PTWR_CMPXCHG, 1, RBX, NOREG, 1, 3, 3, NOREG, 0,              \
      lock cmpxchg %dl, 3(%rbx))                                               \
    X(cmpxchg_r8_dh, PTWR_CMPXCHG, 1, RBX, NOREG, 1, 1, 1, NOREG, 0,           \
      lock cmpxchg %dh, 1(%rbx))                                               \
    /* lock or/and/xor $imm8, m8: set_bit, clear_bit, change_bit */            \
    X(or_imm8_b, PTWR_OR, 1, RBX, NOREG, 1, 0, 0, NOREG, 0,                    \
      lock orb $2, (%rbx))                                                     \
    X(and_imm8_b, PTWR_AND, 1, RBX, NOREG, 1, 0, 0, NOREG, 0,                  \
      lock andb $0xfd, (%rbx))                                                 \
    X(xor_imm8_b, PTWR_XOR, 1, RBX, NOREG, 1, 7, 7, NOREG, 0,                  \
      lock xorb $0x80, 7(%rbx))                                                \
    X(or_imm8_b_disp, PTWR_OR, 1, RDI, NOREG, 1, 1, 1, NOREG, 0,               \
      lock orb $0x10, 1(%rdi))                                                 \
    X(or_imm32_q, PTWR_OR, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                   \
      lock orq $0x100000, (%rbx))                                              \
    X(or_imm8s_q, PTWR_OR, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                   \
      lock orq $-16, (%rbx))                                                   \
    X(and_imm32_l, PTWR_AND, 4, RBX, NOREG, 1, 4, 4, NOREG, 0,                 \
      lock andl $0x7fffffff, 4(%rbx))                                          \
    X(and_imm32s_q, PTWR_AND, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                \
      lock andq $-0x1001, (%rbx))                                              \
    X(or_imm16_w, PTWR_OR, 2, RBX, NOREG, 1, 6, 6, NOREG, 0,                   \
      lock orw $0x8000, 6(%rbx))                                               \
    X(and_imm8s_w, PTWR_AND, 2, RBX, NOREG, 1, 0, 0, NOREG, 0,                 \
      andw $-3, (%rbx))                                                        \
    X(xor_imm32_q, PTWR_XOR, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                 \
      xorq $0x12345678, (%rbx))                                                \
    X(xor_imm8s_l, PTWR_XOR, 4, RBX, NOREG, 1, 0, 0, NOREG, 0,                 \
      lock xorl $-1, (%rbx))                                                   \
    /* or/and/xor r, m */                                                      \
    X(or_r64, PTWR_OR, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                       \
      lock or %rax, (%rbx))                                                    \
    X(and_r32, PTWR_AND, 4, RBX, NOREG, 1, 4, 4, NOREG, 0,                     \
      lock and %ecx, 4(%rbx))                                                  \
    X(xor_r16, PTWR_XOR, 2, RBX, NOREG, 1, 2, 2, NOREG, 0,                     \
      xor %dx, 2(%rbx))                                                        \
    X(or_r8, PTWR_OR, 1, RBX, NOREG, 1, 5, 5, NOREG, 0,                        \
      or %al, 5(%rbx))                                                         \
    X(and_r8_ah, PTWR_AND, 1, RBX, NOREG, 1, 6, 6, NOREG, 0,                   \
      lock and %ah, 6(%rbx))                                                   \
    X(xor_r64_rex, PTWR_XOR, 8, R10, NOREG, 1, 0, 0, NOREG, 0,                 \
      lock xor %r11, (%r10))                                                   \
    /* bts/btr/btc $imm8: test_and_{set,clear,change}_bit */                   \
    X(bts_imm_q, PTWR_BTS, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                   \
      lock btsq $63, (%rbx))                                                   \
    X(btr_imm_q, PTWR_BTR, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                   \
      lock btrq $5, (%rbx))                                                    \
    X(btc_imm_q, PTWR_BTC, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,                   \
      lock btcq $1, (%rbx))                                                    \
    X(bts_imm_q_wrap, PTWR_BTS, 8, RBX, NOREG, 1, 0, 0, NOREG, 0,              \
      lock btsq $70, (%rbx))                                                   \
    X(bts_imm_l, PTWR_BTS, 4, RBX, NOREG, 1, 4, 4, NOREG, 0,                   \
      lock btsl $31, 4(%rbx))                                                  \
    X(btr_imm_w, PTWR_BTR, 2, RBX, NOREG, 1, 6, 6, NOREG, 0,                   \
      btrw $15, 6(%rbx))                                                       \
    /* bts/btr/btc r, m: set_bit etc. with a variable bit */                   \
    X(bts_r64, PTWR_BTS, 8, RBX, NOREG, 1, 0, 0, RCX, 0,                       \
      lock bts %rcx, (%rbx))                                                   \
    X(btr_r64, PTWR_BTR, 8, RBX, NOREG, 1, 0, 0, RDX, 0,                       \
      lock btr %rdx, (%rbx))                                                   \
    X(btc_r64_rex, PTWR_BTC, 8, RBX, NOREG, 1, 0, 0, R8, 0,                    \
      lock btc %r8, (%rbx))                                                    \
    X(bts_r32, PTWR_BTS, 4, RBX, NOREG, 1, 0, 0, RCX, 0,                       \
      lock bts %ecx, (%rbx))                                                   \
    X(btr_r16, PTWR_BTR, 2, RBX, NOREG, 1, 0, 0, RCX, 0,                       \
      lock btr %cx, (%rbx))                                                    \
    X(btc_r64_sib, PTWR_BTC, 8, RBX, RSI, 8, 8, 0, RAX, 0,                     \
      btc %rax, 8(%rbx,%rsi,8))
/* clang-format on */

#endif /* PTWR_INSN_CASES_H */
