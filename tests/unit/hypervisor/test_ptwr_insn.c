/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the writable-page-table instruction forms
 * (arch/x86_64/pv/ptwr_insn.c).
 *
 * The main test is differential: every form in ptwr_insn_cases.h is
 * assembled by the host assembler, run natively on the host CPU against
 * an arena of random entries with random registers and flags, and run
 * through the decoder and ptwr_insn_execute() on a copy; the arena, the
 * general registers and the flags the architecture defines for the
 * operation must come out the same, and the decoder's operand address
 * must be the one the test aimed the instruction at.  Odd rounds make the
 * accumulator match the entry so that cmpxchg succeeds as often as it
 * fails.  The other tests pin down what is refused, truncation, and a
 * few semantics spelt out by hand.
 */
#include "hv_test.h"

#include <asm/processor.h>
#include <asm/ptwr_insn.h>
#include <asm/prctl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RAX   0
#define RCX   1
#define RDX   2
#define RBX   3
#define RSP   4
#define RBP   5
#define RSI   6
#define RDI   7
#define R8    8
#define R9    9
#define R10   10
#define R11   11
#define R12   12
#define R13   13
#define R14   14
#define R15   15
#define NOREG PTWR_NO_REG

#include "ptwr_insn_cases.h"

/* The offsets ptwr_insn_cases.S uses. */
_Static_assert(offsetof(struct cpu_user_regs, r15) == 0, "r15");
_Static_assert(offsetof(struct cpu_user_regs, rbx) == 40, "rbx");
_Static_assert(offsetof(struct cpu_user_regs, r8) == 72, "r8");
_Static_assert(offsetof(struct cpu_user_regs, rax) == 80, "rax");
_Static_assert(offsetof(struct cpu_user_regs, rdi) == 112, "rdi");
_Static_assert(offsetof(struct cpu_user_regs, rflags) == 144, "rflags");

void ptwr_native_run(struct cpu_user_regs *regs, const void *insn);
extern uint64_t ptwr_rip_area[512];

#define X(name, op, size, base, index, scale, disp, off, bitreg, flags, ...)   \
    extern const uint8_t name[], name##_end[];
PTWR_CASES(X)
#undef X

struct insn_case {
    const char *name;
    const uint8_t *start, *end;
    uint8_t op, size, base, index, scale;
    int64_t disp;
    uint8_t off, bitreg, flags;
};

#define X(name, op, size, base, index, scale, disp, off, bitreg, flags, ...)   \
    {#name, name,  name##_end, op,  size,   base,                              \
     index, scale, disp,       off, bitreg, flags},
static const struct insn_case cases[] = {PTWR_CASES(X)};
#undef X

static uint64_t *low_arena;
static uint64_t fs_base, gs_base;

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t *reg_slot(struct cpu_user_regs *r, unsigned int n)
{
    uint64_t *slots[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
                           &r->rsi, &r->rdi, &r->r8,  &r->r9,  &r->r10, &r->r11,
                           &r->r12, &r->r13, &r->r14, &r->r15};

    return slots[n];
}

static uint64_t mask_of(unsigned int size)
{
    return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

/* The flags the architecture defines for each operation. */
static uint64_t defined_flags(unsigned int op)
{
    switch (op) {
    case PTWR_OR:
    case PTWR_AND:
    case PTWR_XOR:
        return X86_EFLAGS_ARITH_MASK & ~X86_EFLAGS_AF;
    case PTWR_BTS:
    case PTWR_BTR:
    case PTWR_BTC:
        return X86_EFLAGS_CF;
    default:
        return X86_EFLAGS_ARITH_MASK; /* set, or left alone */
    }
}

static void run_case(const struct insn_case *c, unsigned int round)
{
    uint64_t *arena = c->flags & CASE_RIP ? ptwr_rip_area : low_arena;
    static uint64_t before[512], emulated[512];
    uint64_t target = (uint64_t)arena + 0x800 + c->off, want_ea = target;
    uint64_t seg = c->flags & CASE_FS   ? fs_base
                   : c->flags & CASE_GS ? gs_base
                                        : 0;
    struct cpu_user_regs in, native, emu;
    struct ptwr_insn insn;
    uint64_t ea, nval, lin = target - seg, index_val = 0;
    unsigned int i;
    int rc;

    for (i = 0; i < 512; i++)
        arena[i] = rnd();
    memset(&in, 0, sizeof(in));
    for (i = 0; i < 16; i++)
        if (i != RSP)
            *reg_slot(&in, i) = rnd();
    in.rflags = 0x202 | (rnd() & X86_EFLAGS_ARITH_MASK);

    if (c->bitreg != NOREG) {
        /* A bit offset within +-512 bits, garbage above the operand. */
        unsigned int bits = c->size * 8;
        int64_t off = (int64_t)(rnd() % 1024) - 512;

        *reg_slot(&in, c->bitreg) =
            ((uint64_t)off & mask_of(c->size)) | (rnd() & ~mask_of(c->size));
        want_ea += (uint64_t)((off >> __builtin_ctz(bits)) * c->size);
    }
    if (c->flags & (CASE_RIP | CASE_ABS)) {
        /* nothing to point */
    } else if (c->base == NOREG) {
        index_val = (lin - (uint64_t)c->disp) / c->scale;
        assert_int_equal(index_val * c->scale + (uint64_t)c->disp, lin);
        *reg_slot(&in, c->index) = index_val;
    } else {
        if (c->index != NOREG) {
            index_val = rnd() % 8;
            *reg_slot(&in, c->index) = index_val;
        }
        *reg_slot(&in, c->base) =
            lin - (uint64_t)c->disp - index_val * c->scale;
        if (c->flags & CASE_ADDR32) {
            *reg_slot(&in, c->base) |= rnd() << 32;
            if (c->index != NOREG)
                *reg_slot(&in, c->index) |= rnd() << 32;
        }
    }
    if (c->op == PTWR_CMPXCHG && (round & 1)) {
        uint64_t cur = arena[(want_ea - (uint64_t)arena) / 8];
        uint64_t opnd = (cur >> ((want_ea & 7) * 8)) & mask_of(c->size);

        in.rax = (in.rax & ~mask_of(c->size)) | opnd;
    }

    /* The host CPU. */
    memcpy(before, arena, sizeof(before));
    native = in;
    ptwr_native_run(&native, c->start);

    /* The emulation. */
    rc = ptwr_decode(c->start, PTWR_INSN_MAX, &insn);
    if (rc != PTWR_DECODED)
        fail_msg("%s: decode returned %d", c->name, rc);
    assert_int_equal(insn.len, c->end - c->start);
    assert_int_equal(insn.op, c->op);
    assert_int_equal(insn.size, c->size);
    emu = in;
    emu.rip = (uint64_t)c->start;
    ea = ptwr_insn_address(&insn, &emu,
                           insn.seg == PTWR_SEG_FS   ? fs_base
                           : insn.seg == PTWR_SEG_GS ? gs_base
                                                     : 0);
    if (ea != want_ea)
        fail_msg("%s: operand address %#lx, want %#lx", c->name,
                 (unsigned long)ea, (unsigned long)want_ea);
    assert_int_equal(ea % c->size, 0);
    memcpy(emulated, before, sizeof(emulated));
    i = (unsigned int)((ea - (uint64_t)arena) / 8);
    if (ptwr_insn_execute(&insn, &emu, ea & 7, emulated[i], &nval))
        emulated[i] = nval;

    for (i = 0; i < 512; i++)
        if (emulated[i] != arena[i])
            fail_msg("%s round %u: entry %u is %#lx natively, %#lx emulated "
                     "(was %#lx)",
                     c->name, round, i, (unsigned long)arena[i],
                     (unsigned long)emulated[i], (unsigned long)before[i]);
    for (i = 0; i < 16; i++)
        if (i != RSP && *reg_slot(&native, i) != *reg_slot(&emu, i))
            fail_msg("%s round %u: register %u is %#lx natively, %#lx "
                     "emulated (was %#lx)",
                     c->name, round, i, (unsigned long)*reg_slot(&native, i),
                     (unsigned long)*reg_slot(&emu, i),
                     (unsigned long)*reg_slot(&in, i));
    if ((native.rflags ^ emu.rflags) & defined_flags(c->op))
        fail_msg("%s round %u: flags %#lx natively, %#lx emulated (were %#lx)",
                 c->name, round, (unsigned long)native.rflags,
                 (unsigned long)emu.rflags, (unsigned long)in.rflags);
}

static void test_every_form_matches_the_host_cpu(void **state)
{
    (void)state;
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++)
        for (unsigned int round = 0; round < 200; round++)
            run_case(&cases[c], round);
}

/* Each case cut short anywhere is truncated, and never read beyond. */
static void test_truncated_instructions(void **state)
{
    (void)state;
    for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
        unsigned int len = (unsigned int)(cases[c].end - cases[c].start);

        for (unsigned int n = 0; n < len; n++) {
            uint8_t *copy = malloc(n ? n : 1);
            struct ptwr_insn insn;

            memcpy(copy, cases[c].start, n);
            if (ptwr_decode(copy, n, &insn) != PTWR_TRUNCATED)
                fail_msg("%s cut to %u bytes is not truncated", cases[c].name,
                         n);
            free(copy);
        }
    }
}

static void test_unsupported_forms(void **state)
{
    static const struct {
        const char *what;
        uint8_t len;
        uint8_t b[PTWR_INSN_MAX];
    } refused[] = {
        {"rep stosq", 3, {0xf3, 0x48, 0xab}},
        {"stosq", 2, {0x48, 0xab}},
        {"rep movsq", 3, {0xf3, 0x48, 0xa5}},
        {"movq %xmm0, (%rbx)", 4, {0x66, 0x0f, 0xd6, 0x03}},
        {"movups %xmm0, (%rbx)", 3, {0x0f, 0x11, 0x03}},
        {"movnti %rax, (%rbx)", 4, {0x48, 0x0f, 0xc3, 0x03}},
        {"add %rax, (%rbx)", 3, {0x48, 0x01, 0x03}},
        {"lock addb $1, (%rbx)", 4, {0xf0, 0x80, 0x03, 0x01}},
        {"lock subq $1, (%rbx)", 5, {0xf0, 0x48, 0x83, 0x2b, 0x01}},
        {"cmpq $1, (%rbx)", 4, {0x48, 0x83, 0x3b, 0x01}},
        {"lock cmpxchg16b (%rbx)", 5, {0xf0, 0x48, 0x0f, 0xc7, 0x0b}},
        {"incq (%rbx)", 3, {0x48, 0xff, 0x03}},
        {"notq (%rbx)", 3, {0x48, 0xf7, 0x13}},
        {"sete (%rbx)", 3, {0x0f, 0x94, 0x03}},
        {"pushq (%rbx)", 2, {0xff, 0x33}},
        {"movabs %rax, addr", 10, {0x48, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8}},
        {"btq $5, (%rbx) (a read)", 5, {0x48, 0x0f, 0xba, 0x23, 0x05}},
        {"btq %rax, (%rbx) (a read)", 4, {0x48, 0x0f, 0xa3, 0x03}},
        {"xrelease mov", 4, {0xf3, 0x48, 0x89, 0x03}},
        {"xacquire lock or", 5, {0xf2, 0xf0, 0x48, 0x09, 0x03}},
        {"mov %rax, %rbx (register)", 3, {0x48, 0x89, 0xc3}},
        {"movq $imm, %rax via c7 /0 mod 3", 7, {0x48, 0xc7, 0xc0, 1, 2, 3, 4}},
        {"c7 /1", 6, {0xc7, 0x0b, 1, 2, 3, 4}},
        {"xabort (c6 f8)", 3, {0xc6, 0xf8, 0x01}},
        {"16 bytes of prefixes",
         15,
         {0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66,
          0x66, 0x66, 0x66, 0x66}},
        {"a 16-byte movq $imm32",
         15,
         {0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x48, 0xc7, 0x83, 1, 2, 3,
          4, 5}},
    };
    /* ... but 15 bytes are fine: cs x11, lock, or %rax, (%rbx). */
    static const uint8_t longest[PTWR_INSN_MAX] = {
        0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e, 0x2e,
        0x2e, 0x2e, 0x2e, 0xf0, 0x48, 0x09, 0x03};
    struct ptwr_insn insn;

    (void)state;
    assert_int_equal(ptwr_decode(longest, sizeof(longest), &insn),
                     PTWR_DECODED);
    assert_int_equal(insn.len, PTWR_INSN_MAX);
    assert_true(insn.lock);
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        int rc = ptwr_decode(refused[i].b, refused[i].len, &insn);

        if (rc != PTWR_UNSUPPORTED)
            fail_msg("%s: decode returned %d, want unsupported",
                     refused[i].what, rc);
    }
}

/* The Linux forms, by hand: what happens to a PTE and the registers. */
static void test_linux_pte_operations(void **state)
{
    /* lock andb $~_PAGE_RW, (%rdi): ptep_set_wrprotect */
    static const uint8_t wrprotect[] = {0xf0, 0x80, 0x27, 0xfd};
    /* lock btrq $_PAGE_BIT_ACCESSED, (%rdi): ptep_test_and_clear_young */
    static const uint8_t young[] = {0xf0, 0x48, 0x0f, 0xba, 0x37, 0x05};
    /* xchg %rax, (%rdi): ptep_get_and_clear */
    static const uint8_t get_and_clear[] = {0x48, 0x87, 0x07};
    /* lock cmpxchg %rsi, (%rdi) */
    static const uint8_t cas[] = {0xf0, 0x48, 0x0f, 0xb1, 0x37};
    const uint64_t pte = 0x8000000012345067ULL; /* NX|mfn|D|A|U|W|P */
    struct cpu_user_regs r = {.rflags = 0x202};
    struct ptwr_insn insn;
    uint64_t nval;

    (void)state;
    assert_int_equal(ptwr_decode(wrprotect, sizeof(wrprotect), &insn),
                     PTWR_DECODED);
    assert_true(ptwr_insn_execute(&insn, &r, 0, pte, &nval));
    assert_int_equal(nval, pte & ~2ULL);

    assert_int_equal(ptwr_decode(young, sizeof(young), &insn), PTWR_DECODED);
    assert_true(ptwr_insn_execute(&insn, &r, 0, pte, &nval));
    assert_int_equal(nval, pte & ~0x20ULL);
    assert_true(r.rflags & X86_EFLAGS_CF);

    r.rax = 0;
    assert_int_equal(ptwr_decode(get_and_clear, sizeof(get_and_clear), &insn),
                     PTWR_DECODED);
    assert_true(ptwr_insn_execute(&insn, &r, 0, pte, &nval));
    assert_int_equal(nval, 0);
    assert_int_equal(r.rax, pte);

    /* cmpxchg: success stores, failure loads rax and stores nothing. */
    assert_int_equal(ptwr_decode(cas, sizeof(cas), &insn), PTWR_DECODED);
    r.rax = pte;
    r.rsi = 0x1234;
    assert_true(ptwr_insn_execute(&insn, &r, 0, pte, &nval));
    assert_int_equal(nval, 0x1234);
    assert_true(r.rflags & X86_EFLAGS_ZF);
    r.rax = pte ^ 0x40;
    nval = 0xdead;
    assert_false(ptwr_insn_execute(&insn, &r, 0, pte, &nval));
    assert_int_equal(nval, 0xdead);
    assert_int_equal(r.rax, pte);
    assert_false(r.rflags & X86_EFLAGS_ZF);
}

/* Sub-word stores merge into the entry at their offset. */
static void test_subword_merge(void **state)
{
    static const uint8_t movl_hi[] = {0x89, 0x47, 0x04}; /* mov %eax,4(%rdi) */
    static const uint8_t movb[] = {0xc6, 0x47, 0x07,
                                   0x80}; /* movb $0x80,7(%rdi) */
    struct cpu_user_regs r = {.rax = 0xffffffff00000001ULL};
    struct ptwr_insn insn;
    uint64_t nval;

    (void)state;
    assert_int_equal(ptwr_decode(movl_hi, sizeof(movl_hi), &insn),
                     PTWR_DECODED);
    assert_true(ptwr_insn_execute(&insn, &r, 4, 0x1111111122222222ULL, &nval));
    assert_int_equal(nval, 0x0000000122222222ULL);
    assert_int_equal(ptwr_decode(movb, sizeof(movb), &insn), PTWR_DECODED);
    assert_true(ptwr_insn_execute(&insn, &r, 7, 0x0000000012345067ULL, &nval));
    assert_int_equal(nval, 0x8000000012345067ULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_form_matches_the_host_cpu),
        cmocka_unit_test(test_truncated_instructions),
        cmocka_unit_test(test_unsupported_forms),
        cmocka_unit_test(test_linux_pte_operations),
        cmocka_unit_test(test_subword_merge),
    };

    low_arena = mmap((void *)PTWR_TEST_ARENA, 4096, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (low_arena != (void *)PTWR_TEST_ARENA) {
        printf("Bail out! cannot map the test arena at %#x\n", PTWR_TEST_ARENA);
        return 1;
    }
    if (syscall(SYS_arch_prctl, ARCH_GET_FS, &fs_base) ||
        syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_base)) {
        printf("Bail out! arch_prctl\n");
        return 1;
    }
    return cmocka_run_group_tests_name("hv_ptwr_insn", tests, NULL, NULL);
}
