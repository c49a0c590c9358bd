/* SPDX-License-Identifier: MIT */
/*
 * The instruction forms of the writable-page-table emulation: a decoder
 * for the x86-64 instructions a PV kernel uses to write an L1 entry
 * through its read-only mapping, and their effect on the entry, the
 * registers and the flags.  ro_page_fault.c drives it; it is pure logic,
 * compiled for the host by tests/unit/hypervisor/test_ptwr_insn.c (which
 * checks every form against the host CPU) and tests/fuzz/ptwr/.
 *
 * The list comes from what Linux 6.1 (arch/x86) does to PTEs:
 *
 *   set_pte, pte_clear         mov r64, m64; mov $imm32, m64
 *   ptep_get_and_clear         xchg r64, m64
 *   set_bit / clear_bit /      lock or/and/xor $imm8, m8 (constant bit)
 *     change_bit                 lock bts/btr/btc r64, m64 (variable bit)
 *   test_and_{set,clear,       lock bts/btr/btc $imm8, m64
 *     change}_bit                (ptep_test_and_clear_young)
 *   cmpxchg, try_cmpxchg       lock cmpxchg r64, m64
 *
 * and the same operations at the other sizes, since nothing else costs
 * more than a table entry:
 *
 *   88/89      mov r, m                    (8, 16, 32, 64 bits)
 *   c6/c7 /0   mov $imm, m                 (imm32 sign-extended for 64)
 *   86/87      xchg r, m
 *   08/09, 20/21, 30/31     or/and/xor r, m
 *   80 /1 /4 /6, 81 /1 /4 /6, 83 /1 /4 /6  or/and/xor $imm, m
 *   0f b0/b1   cmpxchg r, m
 *   0f ab, 0f b3, 0f bb     bts/btr/btc r, m   (16, 32, 64 bits; the
 *              signed bit offset may reach beyond the addressed unit)
 *   0f ba /5 /6 /7          bts/btr/btc $imm8, m
 *
 * with the prefixes they need: 66 (16-bit operand), REX (W, R, X, B;
 * without one, 8-bit registers 4-7 are AH, CH, DH, BH), 67 (32-bit
 * address), F0 (lock), segment overrides (FS and GS add their base, the
 * others nothing), and every ModRM/SIB memory form, RIP-relative
 * included.
 *
 * Everything else is unsupported, and the caller crashes the domain
 * naming the bytes: string stores (rep stos/movs), SSE/AVX stores,
 * movnti, add/sub/adc/sbb/inc/dec/neg/not, cmpxchg8b/16b, setcc, push,
 * moves to absolute addresses (a3), F2/F3 prefixes (rep, or the HLE
 * hints xacquire/xrelease) and register-only forms.  None of them is used
 * on page-table entries by Linux; Xen's full emulator takes some (it
 * would turn a rep stos into one store per entry), which guests written
 * for Xen do not rely on.
 *
 * Flags follow the architecture: or/and/xor set SF, ZF, PF and clear CF,
 * OF and AF (AF is undefined; processors clear it); bt* set CF and leave
 * the rest alone (OF, SF, AF and PF are undefined); cmpxchg sets all six
 * as cmp does; mov and xchg leave them alone.  A 32-bit register result
 * is zero-extended into the 64-bit register, 8- and 16-bit ones merged.
 */
#include <asm/processor.h>
#include <asm/ptwr_insn.h>

/* ---------------------------------------------------------- decoding */

/* Where the source operand comes from. */
enum src_kind {
    SRC_REG,  /* ModRM.reg */
    SRC_IMM8, /* imm8, sign-extended */
    SRC_IMMZ, /* imm16 with 66, else imm32; sign-extended */
    SRC_NONE, /* the group's ModRM.reg selects the operation */
};

/* The opcodes (0f xx as 0x1xx) that may write an entry. */
static const struct opcode_form {
    uint16_t opc;
    uint8_t op;  /* enum ptwr_op, or set by group_form() */
    bool byte;   /* 8-bit operand */
    uint8_t src; /* enum src_kind */
} opcode_forms[] = {
    {0x08, PTWR_OR, true, SRC_REG},
    {0x09, PTWR_OR, false, SRC_REG},
    {0x20, PTWR_AND, true, SRC_REG},
    {0x21, PTWR_AND, false, SRC_REG},
    {0x30, PTWR_XOR, true, SRC_REG},
    {0x31, PTWR_XOR, false, SRC_REG},
    {0x86, PTWR_XCHG, true, SRC_REG},
    {0x87, PTWR_XCHG, false, SRC_REG},
    {0x88, PTWR_MOV, true, SRC_REG},
    {0x89, PTWR_MOV, false, SRC_REG},
    {0x80, 0, true, SRC_NONE},
    {0x81, 0, false, SRC_NONE},
    {0x83, 0, false, SRC_NONE},
    {0xc6, PTWR_MOV, true, SRC_NONE},
    {0xc7, PTWR_MOV, false, SRC_NONE},
    {0x1b0, PTWR_CMPXCHG, true, SRC_REG},
    {0x1b1, PTWR_CMPXCHG, false, SRC_REG},
    {0x1ab, PTWR_BTS, false, SRC_REG},
    {0x1b3, PTWR_BTR, false, SRC_REG},
    {0x1bb, PTWR_BTC, false, SRC_REG},
    {0x1ba, 0, false, SRC_NONE},
};

static bool opcode_form(unsigned int opc, struct opcode_form *f)
{
    for (unsigned int i = 0; i < ARRAY_SIZE(opcode_forms); i++)
        if (opcode_forms[i].opc == opc) {
            *f = opcode_forms[i];
            return true;
        }
    return false;
}

/*
 * For the group opcodes, the operation ModRM.reg selects and the
 * immediate that follows; false for the group members that are not
 * supported (add, adc, sbb, sub, cmp; bt, which only reads; c6/c7 /1-/7).
 */
static bool group_form(unsigned int opc, unsigned int sub,
                       struct opcode_form *f)
{
    static const int8_t arith[8] = {-1,       PTWR_OR, -1,       -1,
                                    PTWR_AND, -1,      PTWR_XOR, -1};

    switch (opc) {
    case 0x80:
    case 0x81:
    case 0x83:
        if (arith[sub] < 0)
            return false;
        f->op = (uint8_t)arith[sub];
        f->src = opc == 0x81 ? SRC_IMMZ : SRC_IMM8;
        return true;
    case 0xc6:
    case 0xc7:
        if (sub != 0)
            return false;
        f->src = opc == 0xc7 ? SRC_IMMZ : SRC_IMM8;
        return true;
    case 0x1ba:
        if (sub < 5)
            return false;
        f->op = (uint8_t)(PTWR_BTS + (sub - 5)); /* bts, btr, btc */
        f->src = SRC_IMM8;
        return true;
    default:
        return false;
    }
}

static uint64_t sign_extend(uint64_t v, unsigned int bits)
{
    return bits >= 64 ? v
                      : (uint64_t)((int64_t)(v << (64 - bits)) >> (64 - bits));
}

/* A little-endian immediate or displacement of n bytes, sign-extended. */
static uint64_t read_signed(const uint8_t *p, unsigned int n)
{
    uint64_t v = 0;

    for (unsigned int i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return sign_extend(v, 8 * n);
}

static bool is_bit_op(unsigned int op)
{
    return op == PTWR_BTS || op == PTWR_BTR || op == PTWR_BTC;
}

int ptwr_decode(const uint8_t *b, unsigned int n, struct ptwr_insn *insn)
{
    struct opcode_form f;
    unsigned int i = 0, rex = 0, opc, modrm, mod, rm, reg, imm_len;
    bool opsize16 = false;

    *insn = (struct ptwr_insn){.src_reg = PTWR_NO_REG,
                               .base = PTWR_NO_REG,
                               .index = PTWR_NO_REG,
                               .scale = 1};
    if (n > PTWR_INSN_MAX)
        n = PTWR_INSN_MAX;
/* The instruction needs k more bytes than decoded so far. */
#define NEED(k)                                                                \
    do {                                                                       \
        if (i + (k) > n)                                                       \
            return n == PTWR_INSN_MAX ? PTWR_UNSUPPORTED : PTWR_TRUNCATED;     \
    } while (0)

    /* Prefixes.  A REX counts only right before the opcode. */
    for (;; i++) {
        NEED(1);
        switch (b[i]) {
        case 0x66:
            opsize16 = true;
            break;
        case 0x67:
            insn->addr32 = true;
            break;
        case 0xf0:
            insn->lock = true;
            break;
        case 0x26:
        case 0x2e:
        case 0x36:
        case 0x3e:
            insn->seg = PTWR_SEG_NONE;
            break;
        case 0x64:
            insn->seg = PTWR_SEG_FS;
            break;
        case 0x65:
            insn->seg = PTWR_SEG_GS;
            break;
        case 0xf2:
        case 0xf3:
            return PTWR_UNSUPPORTED;
        default:
            if ((b[i] & 0xf0) != 0x40)
                goto opcode;
            rex = b[i];
            continue;
        }
        rex = 0;
    }

opcode:
    opc = b[i++];
    if (opc == 0x0f) {
        NEED(1);
        opc = 0x100 | b[i++];
    }
    if (!opcode_form(opc, &f))
        return PTWR_UNSUPPORTED;

    NEED(1);
    modrm = b[i++];
    mod = modrm >> 6;
    reg = ((modrm >> 3) & 7) | (rex & 4 ? 8 : 0);
    rm = modrm & 7;
    if (mod == 3)
        return PTWR_UNSUPPORTED; /* a register destination */
    if (f.src == SRC_NONE && !group_form(opc, (modrm >> 3) & 7, &f))
        return PTWR_UNSUPPORTED;

    insn->op = f.op;
    insn->size = f.byte ? 1 : (rex & 8) ? 8 : opsize16 ? 2 : 4;
    if (f.src == SRC_REG) {
        insn->src_reg = (uint8_t)reg;
        if (insn->size == 1 && !rex && reg >= 4) {
            insn->src_reg = (uint8_t)(reg - 4);
            insn->src_high8 = true;
        }
    }

    /* The memory operand. */
    if (rm == 4) {
        unsigned int sib, index;

        NEED(1);
        sib = b[i++];
        index = ((sib >> 3) & 7) | (rex & 2 ? 8 : 0);
        if (index != 4)
            insn->index = (uint8_t)index;
        insn->scale = (uint8_t)(1 << (sib >> 6));
        if ((sib & 7) == 5 && mod == 0) {
            NEED(4);
            insn->disp = (int32_t)read_signed(&b[i], 4);
            i += 4;
        } else {
            insn->base = (uint8_t)((sib & 7) | (rex & 1 ? 8 : 0));
        }
    } else if (rm == 5 && mod == 0) {
        insn->rip_relative = true;
        NEED(4);
        insn->disp = (int32_t)read_signed(&b[i], 4);
        i += 4;
    } else {
        insn->base = (uint8_t)(rm | (rex & 1 ? 8 : 0));
    }
    if (mod == 1) {
        NEED(1);
        insn->disp = (int32_t)read_signed(&b[i], 1);
        i += 1;
    } else if (mod == 2) {
        NEED(4);
        insn->disp = (int32_t)read_signed(&b[i], 4);
        i += 4;
    }

    imm_len = f.src == SRC_IMM8   ? 1
              : f.src == SRC_IMMZ ? (opsize16 ? 2 : 4)
                                  : 0;
    NEED(imm_len);
    if (imm_len)
        insn->imm = read_signed(&b[i], imm_len);
    i += imm_len;
#undef NEED

    insn->len = (uint8_t)i;
    return PTWR_DECODED;
}

/* ---------------------------------------------------------- registers */

#define GPR(r) offsetof(struct cpu_user_regs, r)
static const uint8_t gpr_offsets[16] = {
    GPR(rax), GPR(rcx), GPR(rdx), GPR(rbx), GPR(rsp), GPR(rbp),
    GPR(rsi), GPR(rdi), GPR(r8),  GPR(r9),  GPR(r10), GPR(r11),
    GPR(r12), GPR(r13), GPR(r14), GPR(r15),
};
#undef GPR

static uint64_t *gpr(struct cpu_user_regs *r, unsigned int n)
{
    return (uint64_t *)((char *)r + gpr_offsets[n & 15]);
}

static uint64_t gpr_value(const struct cpu_user_regs *r, unsigned int n)
{
    return *gpr((struct cpu_user_regs *)r, n);
}

static uint64_t size_mask(unsigned int size)
{
    return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* The source register's value as an operand of size bytes. */
static uint64_t src_value(const struct ptwr_insn *insn,
                          const struct cpu_user_regs *r)
{
    uint64_t v = gpr_value(r, insn->src_reg);

    if (insn->src_high8)
        v >>= 8;
    return v & size_mask(insn->size);
}

/* Writes an operand of size bytes to register n as the CPU would. */
static void set_reg(struct cpu_user_regs *r, unsigned int n, bool high8,
                    unsigned int size, uint64_t v)
{
    uint64_t *p = gpr(r, n), mask = size_mask(size);

    if (high8)
        *p = (*p & ~0xff00ULL) | ((v & 0xff) << 8);
    else if (size == 4)
        *p = v & mask; /* 32-bit results are zero-extended */
    else
        *p = (*p & ~mask) | (v & mask);
}

/* ------------------------------------------------------------ address */

uint64_t ptwr_insn_address(const struct ptwr_insn *insn,
                           const struct cpu_user_regs *regs, uint64_t seg_base)
{
    uint64_t ea = (uint64_t)(int64_t)insn->disp;

    if (insn->rip_relative)
        ea += regs->rip + insn->len;
    if (insn->base != PTWR_NO_REG)
        ea += gpr_value(regs, insn->base);
    if (insn->index != PTWR_NO_REG)
        ea += gpr_value(regs, insn->index) * insn->scale;
    if (is_bit_op(insn->op) && insn->src_reg != PTWR_NO_REG) {
        /*
         * A register bit offset is signed and addresses a bit string:
         * the unit holding the bit is offset / bits units away, rounded
         * towards minus infinity.
         */
        unsigned int bits = insn->size * 8;
        int64_t off =
            (int64_t)sign_extend(gpr_value(regs, insn->src_reg), bits);

        ea += (uint64_t)(off >> __builtin_ctz(bits)) * insn->size;
    }
    if (insn->addr32)
        ea &= 0xffffffffULL;
    return ea + seg_base;
}

/* -------------------------------------------------------------- flags */

static uint64_t parity_flag(uint64_t res)
{
    unsigned int x = res & 0xff;

    x ^= x >> 4;
    x ^= x >> 2;
    x ^= x >> 1;
    return (x & 1) ? 0 : X86_EFLAGS_PF;
}

static uint64_t sign_zero_parity(uint64_t res, unsigned int size)
{
    uint64_t f = parity_flag(res);

    res &= size_mask(size);
    if (!res)
        f |= X86_EFLAGS_ZF;
    if ((res >> (size * 8 - 1)) & 1)
        f |= X86_EFLAGS_SF;
    return f;
}

/* The flags of cmp a, b (a - b) at size bytes. */
static uint64_t sub_flags(uint64_t a, uint64_t b, unsigned int size)
{
    unsigned int top = size * 8 - 1;
    uint64_t res = (a - b) & size_mask(size);
    uint64_t f = sign_zero_parity(res, size);

    if (a < b)
        f |= X86_EFLAGS_CF;
    if ((((a ^ b) & (a ^ res)) >> top) & 1)
        f |= X86_EFLAGS_OF;
    if ((a ^ b ^ res) & 0x10)
        f |= X86_EFLAGS_AF;
    return f;
}

static void set_flags(struct cpu_user_regs *r, uint64_t mask, uint64_t val)
{
    r->rflags = (r->rflags & ~mask) | (val & mask);
}

/* ------------------------------------------------------------ execute */

bool ptwr_insn_execute(const struct ptwr_insn *insn, struct cpu_user_regs *regs,
                       unsigned int off, uint64_t cur, uint64_t *nval)
{
    unsigned int size = insn->size, shift = off * 8, bit;
    uint64_t mask = size_mask(size);
    uint64_t dst = (cur >> shift) & mask, res = dst, src;

    src =
        insn->src_reg == PTWR_NO_REG ? insn->imm & mask : src_value(insn, regs);
    switch (insn->op) {
    case PTWR_MOV:
        res = src;
        break;
    case PTWR_XCHG:
        res = src;
        set_reg(regs, insn->src_reg, insn->src_high8, size, dst);
        break;
    case PTWR_OR:
    case PTWR_AND:
    case PTWR_XOR:
        res = insn->op == PTWR_OR    ? dst | src
              : insn->op == PTWR_AND ? dst & src
                                     : dst ^ src;
        set_flags(regs, X86_EFLAGS_ARITH_MASK, sign_zero_parity(res, size));
        break;
    case PTWR_BTS:
    case PTWR_BTR:
    case PTWR_BTC:
        bit = src & (size * 8 - 1);
        set_flags(regs, X86_EFLAGS_CF, (dst >> bit) & 1 ? X86_EFLAGS_CF : 0);
        res = insn->op == PTWR_BTS   ? dst | (1ULL << bit)
              : insn->op == PTWR_BTR ? dst & ~(1ULL << bit)
                                     : dst ^ (1ULL << bit);
        break;
    case PTWR_CMPXCHG: {
        uint64_t acc = regs->rax & mask;

        set_flags(regs, X86_EFLAGS_ARITH_MASK, sub_flags(acc, dst, size));
        if (acc != dst) {
            /* The accumulator gets the entry; nothing is stored. */
            set_reg(regs, 0, false, size, dst);
            return false;
        }
        res = src;
        break;
    }
    default:
        return false;
    }
    *nval = (cur & ~(mask << shift)) | ((res & mask) << shift);
    return true;
}
