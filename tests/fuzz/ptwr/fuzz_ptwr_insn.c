// SPDX-License-Identifier: MIT
/*
 * libFuzzer target over the writable-page-table decoder and executor
 * (hypervisor/arch/x86_64/pv/ptwr_insn.c), which see bytes a guest
 * chose.  The input is
 *
 *   [n u8][n instruction bytes][entry u64][16 registers u64][rflags u64]
 *
 * with n taken modulo 16 and missing values zero; the instruction bytes
 * go in a buffer of exactly n bytes, so ASan catches any read past them.
 * Beyond memory safety, it checks what the hypervisor relies on: a
 * decoded instruction fits in the bytes, decodes the same from exactly
 * its own bytes and is truncated without the last one; executing it at
 * every aligned offset changes only the operand's bytes of the entry,
 * only the registers the form writes (xchg's register, cmpxchg's
 * accumulator) and only the status flags; a failed cmpxchg stores
 * nothing and only when the accumulator differs; mov stores its source;
 * xchg twice gives back the entry and the register.
 */
#include <stdlib.h>
#include <string.h>

#include <asm/processor.h>
#include <asm/ptwr_insn.h>

static uint64_t *slot(struct cpu_user_regs *r, unsigned int n)
{
    uint64_t *s[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                       &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                       &r->r12, &r->r13, &r->r14, &r->r15};

    return s[n];
}

static uint64_t mask_of(unsigned int size)
{
    return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static uint64_t take(const uint8_t **p, size_t *left)
{
    uint64_t v = 0;
    size_t n = *left < 8 ? *left : 8;

    memcpy(&v, *p, n);
    *p += n;
    *left -= n;
    return v;
}

static void check_execute(const struct ptwr_insn *insn,
                          const struct cpu_user_regs *in, unsigned int off,
                          uint64_t cur)
{
    struct cpu_user_regs r = *in;
    uint64_t opmask = mask_of(insn->size) << (off * 8);
    uint64_t nval = 0x5a5a5a5a5a5a5a5aULL;
    bool wrote = ptwr_insn_execute(insn, &r, off, cur, &nval);
    unsigned int written = PTWR_NO_REG;

    if (insn->op == PTWR_XCHG)
        written = insn->src_reg;
    else if (insn->op == PTWR_CMPXCHG && !wrote)
        written = 0;
    for (unsigned int i = 0; i < 16; i++)
        if (i != written &&
            *slot(&r, i) != *slot((struct cpu_user_regs *)in, i))
            abort();
    if ((r.rflags ^ in->rflags) & ~X86_EFLAGS_ARITH_MASK)
        abort();
    if (r.rip != in->rip)
        abort();
    if (!wrote) {
        uint64_t acc = in->rax & mask_of(insn->size);

        if (insn->op != PTWR_CMPXCHG || nval != 0x5a5a5a5a5a5a5a5aULL ||
            acc == ((cur & opmask) >> (off * 8)))
            abort();
        return;
    }
    if ((nval ^ cur) & ~opmask)
        abort(); /* bytes outside the operand changed */
    if (insn->op == PTWR_MOV) {
        uint64_t src = insn->src_reg == PTWR_NO_REG
                           ? insn->imm
                           : *slot((struct cpu_user_regs *)in, insn->src_reg) >>
                                 (insn->src_high8 ? 8 : 0);

        if (((nval & opmask) >> (off * 8)) != (src & mask_of(insn->size)))
            abort();
    }
    if (insn->op == PTWR_XCHG) {
        /* Twice: the entry and the register's operand bits come back (a
         * 32-bit register is zero-extended on the way). */
        struct cpu_user_regs r2 = r;
        unsigned int shift = insn->src_high8 ? 8 : 0;
        uint64_t m = mask_of(insn->size) << shift, back;
        uint64_t was = *slot((struct cpu_user_regs *)in, insn->src_reg);

        if (!ptwr_insn_execute(insn, &r2, off, nval, &back) || back != cur ||
            ((*slot(&r2, insn->src_reg) ^ was) & m))
            abort();
    }
}

static bool same_insn(const struct ptwr_insn *a, const struct ptwr_insn *b)
{
    return a->len == b->len && a->op == b->op && a->size == b->size &&
           a->src_reg == b->src_reg && a->src_high8 == b->src_high8 &&
           a->lock == b->lock && a->seg == b->seg && a->addr32 == b->addr32 &&
           a->rip_relative == b->rip_relative && a->base == b->base &&
           a->index == b->index && a->scale == b->scale && a->disp == b->disp &&
           a->imm == b->imm;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct cpu_user_regs regs;
    struct ptwr_insn insn, again;
    const uint8_t *p = data;
    size_t left = size;
    unsigned int n;
    uint8_t *bytes;
    uint64_t cur;
    int rc;

    if (!size)
        return 0;
    n = data[0] % 16;
    p++;
    left--;
    if (n > left)
        n = (unsigned int)left;
    bytes = malloc(n ? n : 1);
    memcpy(bytes, p, n);
    p += n;
    left -= n;
    cur = take(&p, &left);
    memset(&regs, 0, sizeof(regs));
    for (unsigned int i = 0; i < 16; i++)
        *slot(&regs, i) = take(&p, &left);
    regs.rflags = take(&p, &left);
    regs.rip = 0xffffffff80001000ULL;

    rc = ptwr_decode(bytes, n, &insn);
    if (rc != PTWR_DECODED) {
        if (rc != PTWR_UNSUPPORTED && rc != PTWR_TRUNCATED)
            abort();
        free(bytes);
        return 0;
    }
    if (insn.len == 0 || insn.len > n || insn.len > PTWR_INSN_MAX ||
        (insn.size != 1 && insn.size != 2 && insn.size != 4 &&
         insn.size != 8) ||
        insn.op > PTWR_BTC || insn.seg > PTWR_SEG_GS ||
        (insn.scale != 1 && insn.scale != 2 && insn.scale != 4 &&
         insn.scale != 8) ||
        (insn.src_reg >= 16 && insn.src_reg != PTWR_NO_REG) ||
        (insn.base >= 16 && insn.base != PTWR_NO_REG) ||
        (insn.index >= 16 && insn.index != PTWR_NO_REG) ||
        (insn.src_high8 && (insn.size != 1 || insn.src_reg >= 4)))
        abort();
    if (ptwr_decode(bytes, insn.len, &again) != PTWR_DECODED ||
        !same_insn(&insn, &again))
        abort();
    if (ptwr_decode(bytes, insn.len - 1u, &again) != PTWR_TRUNCATED)
        abort();

    (void)ptwr_insn_address(&insn, &regs, cur);
    for (unsigned int off = 0; off < 8; off += insn.size)
        check_execute(&insn, &regs, off, cur);
    free(bytes);
    return 0;
}
