/* SPDX-License-Identifier: MIT */
/*
 * The instructions the writable-page-table emulation understands
 * (arch/x86_64/pv/ptwr_insn.c; the list is at the top of that file):
 * decoding one from its bytes, the linear address of its memory operand,
 * and its effect on an 8-byte page-table entry and on the registers.
 *
 * Pure logic on bytes and a register frame: the hypervisor's #PF path
 * (pv/ro_page_fault.c) supplies the bytes, the entry and the frame; the
 * unit test and the fuzz target compile this for the host.
 */
#ifndef ASM_PTWR_INSN_H
#define ASM_PTWR_INSN_H

#include <pvisor/types.h>
#include <xen/xen.h>

/* The longest x86 instruction; longer ones raise #GP, not #PF. */
#define PTWR_INSN_MAX 15

enum ptwr_op {
    PTWR_MOV,
    PTWR_XCHG,
    PTWR_CMPXCHG,
    PTWR_OR,
    PTWR_AND,
    PTWR_XOR,
    PTWR_BTS,
    PTWR_BTR,
    PTWR_BTC,
};

enum ptwr_seg {
    PTWR_SEG_NONE, /* ES, CS, SS, DS or none: base 0 in 64-bit mode */
    PTWR_SEG_FS,
    PTWR_SEG_GS,
};

/* Register numbers are ModRM's: 0 rax, 1 rcx, 2 rdx, 3 rbx, ... 15 r15. */
#define PTWR_NO_REG 0xff

struct ptwr_insn {
    uint8_t len;     /* bytes, prefixes and immediate included */
    uint8_t op;      /* enum ptwr_op */
    uint8_t size;    /* operand size in bytes: 1, 2, 4 or 8 */
    uint8_t src_reg; /* the register operand, or PTWR_NO_REG (immediate) */
    bool src_high8;  /* src_reg is AH, CH, DH or BH (0-3 give which) */
    bool lock;       /* a LOCK prefix (every form is emulated atomically) */
    uint8_t seg;     /* enum ptwr_seg */
    bool addr32;     /* 0x67: 32-bit address arithmetic */
    bool rip_relative;
    uint8_t base;  /* base register, or PTWR_NO_REG */
    uint8_t index; /* index register, or PTWR_NO_REG */
    uint8_t scale; /* 1, 2, 4 or 8 */
    int32_t disp;
    uint64_t imm; /* the immediate, sign-extended to 64 bits */
};

enum ptwr_decode_result {
    PTWR_DECODED,
    PTWR_UNSUPPORTED, /* not one of the forms listed: crash the domain */
    PTWR_TRUNCATED,   /* the bytes end before the instruction does */
};

/* Decodes the instruction at bytes[0..n); returns enum ptwr_decode_result. */
int ptwr_decode(const uint8_t *bytes, unsigned int n, struct ptwr_insn *insn);

/*
 * The linear address of insn's memory operand, with regs->rip the
 * instruction's own address and seg_base the FS or GS base if insn->seg
 * names one (0 otherwise).  For bts/btr/btc with a register bit offset,
 * the address of the operand-sized unit that holds the bit.
 */
uint64_t ptwr_insn_address(const struct ptwr_insn *insn,
                           const struct cpu_user_regs *regs, uint64_t seg_base);

/*
 * Executes insn on the 8-byte entry cur, whose operand starts at byte off
 * (a multiple of insn->size below 8).  Returns true with the entry to
 * store in *nval, or false if the instruction stores nothing (cmpxchg
 * whose comparison failed).  The register and flag results are written
 * to *regs in both cases; rip is left alone.
 */
bool ptwr_insn_execute(const struct ptwr_insn *insn, struct cpu_user_regs *regs,
                       unsigned int off, uint64_t cur, uint64_t *nval);

#endif /* ASM_PTWR_INSN_H */
