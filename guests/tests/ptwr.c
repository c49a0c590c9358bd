/* SPDX-License-Identifier: MIT */
/*
 * Test guest for writable page tables (Xen's pv/ro-page-fault.c, "ptwr"):
 * with VMASST_TYPE_writable_pagetables enabled, a PV kernel writes its L1
 * entries through the read-only mapping of its page tables, and the
 * hypervisor emulates each write, validating the new entry exactly as
 * mmu_update does.
 *
 * The guest rewrites the L1 entry of one of its pages ("the window"),
 * found by walking its boot page tables (mapped read-only, as the builder
 * leaves them) with the M2P, and after each write flushes the window
 * (MMUEXT_INVLPG_LOCAL) and reads through it: the new mapping must show,
 * the old one be gone.  It covers:
 *
 *  - before the assist is enabled, the write is a plain #PF (Xen checks
 *    VM_ASSIST(d, writable_pagetables) first);
 *  - each form Linux uses on PTEs: mov r64 (set_pte), movq $0
 *    (pte_clear), xchg (ptep_get_and_clear), lock andb/orb/xorb $imm8
 *    (clear_bit/set_bit/change_bit), lock btr/bts/btc $imm8
 *    (ptep_test_and_clear_young and friends) and with a register bit
 *    offset reaching the next entry and the one before, lock cmpxchg
 *    (success, and failure: nothing stored, rax loaded, ZF clear);
 *  - sub-word stores merged into the entry (32-bit halves, 16-bit, 8-bit,
 *    AH), the 32/16/8-bit or/and/cmpxchg forms, SIB and FS-relative
 *    addressing;
 *  - refused writes leave the entry alone and bounce the #PF (error code
 *    P|W, cr2 the entry's address), as on Xen: a frame the domain does
 *    not own, a writable mapping of an L1 or of the L4, making a
 *    read-only mapping of a table writable with lock orb, a cmpxchg with
 *    a bad new value, a misaligned store spanning two entries; a
 *    read-only mapping of a table is accepted;
 *  - writes to L2, L3 and L4 entries are not emulated: #PF;
 *  - the domain keeps running.
 *
 * cmdline "bench=N" then times N writes of each kind (bench/domains/
 * ptwr.sh); "unhandled=stos" instead writes the entry with rep stosq,
 * which is not emulated: the hypervisor must crash this domain, naming
 * the instruction bytes (ptwr-unhandled.cfg).
 */
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "timekeeping.h"
#include "traps.h"

#include <xen/errno.h>

#define MARK_A 0xa1a1a1a1a1a1a1a1UL
#define MARK_B 0xb2b2b2b2b2b2b2b2UL
#define PTE_FLAGS (PTE_P | PTE_RW | PTE_A | PTE_D)
#define PTE_GUEST_KERNEL (1UL << 52) /* Xen's marker of an entry without US */
#define VEC_PF 14
#define PFEC_P_W 3 /* present, write: a kernel-mode write to a RO page */

static unsigned long win, win2;      /* windows whose L1 entries we write */
static volatile uint64_t *pte, *pte2; /* their entries, read-only mapped */
static unsigned long page_a, page_b; /* frames the window is pointed at */
static uint64_t pte_a, pte_b;        /* win -> page_a / page_b, RW */

/* Writes to L1 entries with the assist on: emulated, or refused (#PF).
 * Printed at the end, for the ptwr trace (tests/integration/trace). */
static unsigned long n_emulated, n_refused;

static long count_l1_write(long vec)
{
    if (vec == -1)
        n_emulated++;
    else if (vec == VEC_PF)
        n_refused++;
    return vec;
}

/* Runs asm whose first instruction may fault; the vector caught, or -1.
 * Every TRY writes an L1 entry once, with the assist on: counted. */
#define TRY(insns, ...)                                                        \
    ({                                                                         \
        unsigned long before_ = trap_probe_reset();                           \
        PROBE(insns, __VA_ARGS__);                                             \
        count_l1_write(trap_total() != before_ ? (long)trap_last.vector       \
                                               : -1L);                         \
    })

/* The level-`level` entry mapping va, through the boot mapping of the
 * tables (the M2P turns each table's frame into a pfn). */
static volatile uint64_t *table_entry(unsigned long va, unsigned int level)
{
    unsigned long t = start_info->pt_base;

    for (unsigned int l = 4;; l--) {
        volatile uint64_t *e =
            (volatile uint64_t *)t + ((va >> (12 + 9 * (l - 1))) & 511);

        if (l == level)
            return e;
        t = pfn_to_virt(machine_to_phys_mapping[(*e & PTE_ADDR_MASK) >>
                                                PAGE_SHIFT]);
    }
}

static void flush(unsigned long va)
{
    struct mmuext_op op = {.cmd = MMUEXT_INVLPG_LOCAL};

    op.arg1.linear_addr = va;
    if (HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF))
        guest_panic("MMUEXT_INVLPG_LOCAL failed");
}

/* What reading through va shows: 'A', 'B', 'F' (#PF) or '?'. */
static char sees(unsigned long va)
{
    uint64_t v;
    long vec;

    flush(va);
    vec = probe_read64(va, &v);
    if (vec == VEC_PF)
        return 'F';
    if (vec != -1)
        return 'X';
    return v == MARK_A ? 'A' : v == MARK_B ? 'B' : '?';
}

static bool writable(unsigned long va)
{
    flush(va);
    return probe_write64(va + 8, 0x77) == -1;
}

/* Sets an entry with mmu_update, not through ptwr. */
static void set_entry(volatile uint64_t *e, uint64_t val)
{
    mmu_update_t u = {.ptr = virt_to_maddr((unsigned long)e), .val = val};

    if (HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF))
        guest_panic("mmu_update(%#lx) failed", (unsigned long)val);
}

static uint64_t addr_of(uint64_t e)
{
    return e & PTE_ADDR_MASK;
}

/* A refused write: bounced as #PF P|W at the entry, the entry unchanged. */
static void check_refused(long vec, volatile uint64_t *e, uint64_t was,
                          const char *what)
{
    tap_check(vec == VEC_PF && trap_last.error_code == PFEC_P_W &&
                  trap_last.cr2 == (unsigned long)e,
              "no #PF P|W at the entry", "%s: refused with #PF", what);
    if (vec == VEC_PF && trap_last.cr2 != (unsigned long)e)
        tap_diag("cr2 %#lx, entry at %#lx", (unsigned long)trap_last.cr2,
                 (unsigned long)e);
    tap_eq_hex(*e, was, "... and the entry is unchanged");
}

static void setup(void)
{
    page_a = mm_alloc_page();
    page_b = mm_alloc_page();
    *(volatile uint64_t *)page_a = MARK_A;
    *(volatile uint64_t *)page_b = MARK_B;
    pte_a = ((uint64_t)virt_to_mfn(page_a) << PAGE_SHIFT) | PTE_FLAGS;
    pte_b = ((uint64_t)virt_to_mfn(page_b) << PAGE_SHIFT) | PTE_FLAGS;
    win = mm_alloc_page();
    win2 = mm_alloc_page();
    pte = table_entry(win, 1);
    pte2 = table_entry(win2, 1);
    tap_eq_hex(addr_of(*pte), (uint64_t)virt_to_mfn(win) << PAGE_SHIFT,
               "the walk finds the window's L1 entry");
}

static void test_assist_off(void)
{
    uint64_t was = *pte;
    long vec = probe_write64((unsigned long)pte, pte_b);

    check_refused(vec, pte, was,
                  "without VMASST_TYPE_writable_pagetables, a write");
    tap_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable,
                                VMASST_TYPE_writable_pagetables),
           0, "vm_assist(enable, writable_pagetables)");
}

static void test_mov(void)
{
    uint64_t v;
    long vec;

    set_entry(pte, pte_a);
    tap_eq(sees(win), 'A', "the window maps page A (set by mmu_update)");
    vec = TRY("movq %[v], (%[p])", : : [p] "r"(pte), [v] "r"(pte_b)
              : "memory");
    tap_eq(vec, -1, "mov r64, (pte): emulated, no #PF reaches us");
    tap_eq(sees(win), 'B', "... the window now maps page B, not A");
    tap_ok(writable(win), "... read-write");
    v = *pte;
    tap_eq_hex(addr_of(v), addr_of(pte_b), "... the entry reads back B");
    tap_eq_hex(v & (PTE_US | PTE_GUEST_KERNEL), PTE_US | PTE_GUEST_KERNEL,
               "... with _PAGE_USER and Xen's guest-kernel bit added");

    vec = TRY("movq $0, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && *pte == 0, "movq $0, (pte) (pte_clear)");
    tap_eq(sees(win), 'F', "... the mapping is gone");

    vec = TRY("movq %[v], (%[b],%[i],8)", : : [b] "r"((uint64_t)pte & PAGE_MASK),
              [i] "r"(((uint64_t)pte & ~PAGE_MASK) / 8), [v] "r"(pte_a)
              : "memory");
    tap_ok(vec == -1 && sees(win) == 'A',
           "mov r64, (base,index,8): page A again");

    tap_eq(HYPERVISOR_set_segment_base(SEGBASE_FS, (uint64_t)pte & PAGE_MASK),
           0, "FS base at the L1 page");
    vec = TRY("movq %[v], %%fs:(%[o])", : : [o] "r"((uint64_t)pte & ~PAGE_MASK),
              [v] "r"(pte_b)
              : "memory");
    tap_ok(vec == -1 && sees(win) == 'B', "mov r64, %%fs:(off): page B");
    HYPERVISOR_set_segment_base(SEGBASE_FS, 0);
}

static void test_subword(void)
{
    uint64_t v;
    long vec;

    set_entry(pte, pte_a);
    if (pte_a >> 32 != pte_b >> 32) {
        tap_skip("A and B differ above bit 31", "movl to the low half");
    } else {
        vec = TRY("movl %k[v], (%[p])", : : [p] "r"(pte), [v] "r"(pte_b)
                  : "memory");
        tap_ok(vec == -1 && sees(win) == 'B',
               "movl r32, (pte): the low half switches the window to B");
    }
    vec = TRY("movl $0x80000000, 4(%[p])", : : [p] "r"(pte) : "memory");
    v = *pte;
    tap_ok(vec == -1 && (v & PTE_NX) && addr_of(v) == addr_of(pte_b),
           "movl $imm32, 4(pte): NX set, the low half kept");
    tap_eq(sees(win), 'B', "... still readable");

    vec = TRY("movw $0, 6(%[p])", : : [p] "r"(pte) : "memory");
    v = *pte;
    tap_ok(vec == -1 && !(v & PTE_NX) && addr_of(v) == addr_of(pte_b),
           "movw $0, 6(pte): bits 48-63 cleared, the rest kept");

    v = (*pte & 0xffff) & ~PTE_P;
    vec = TRY("movw %w[v], (%[p])", : : [p] "r"(pte), [v] "r"(v)
              : "memory");
    tap_ok(vec == -1 && sees(win) == 'F', "movw r16, (pte): not present");
    v = (*pte & 0xff) | PTE_P;
    vec = TRY("movb %b[v], (%[p])", : : [p] "r"(pte), [v] "q"(v)
              : "memory");
    tap_ok(vec == -1 && sees(win) == 'B', "movb r8, (pte): present again");

    v = ((*pte >> 8) & 0xff) | 0x02; /* bit 9, available to software */
    vec = TRY("movb %%ah, 1(%[p])", : : [p] "r"(pte), "a"(v << 8)
              : "memory");
    tap_ok(vec == -1 && (*pte & (1UL << 9)) && addr_of(*pte) == addr_of(pte_b),
           "movb %%ah, 1(pte): bit 9 set, the address kept");
    vec = TRY("movb $0x80, 7(%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && (*pte & PTE_NX) && sees(win) == 'B',
           "movb $imm8, 7(pte): NX set");
}

static void test_xchg(void)
{
    uint64_t v = 0;
    long vec;

    set_entry(pte, pte_a);
    vec = TRY("xchgq %[v], (%[p])", : [v] "+r"(v) : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && addr_of(v) == addr_of(pte_a) && *pte == 0,
           "xchg r64, (pte) (ptep_get_and_clear): the old entry back, 0 in");
    tap_eq(sees(win), 'F', "... the mapping is gone");
    v = pte_b;
    vec = TRY("xchgq %[v], (%[p])", : [v] "+r"(v) : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && v == 0 && sees(win) == 'B',
           "xchg r64, (pte): maps B, returns the empty entry");
}

static void test_bitops(void)
{
    uint8_t cf = 0xff;
    long vec;

    set_entry(pte, pte_a);
    vec = TRY("lock andb $0xfd, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && !(*pte & PTE_RW), "lock andb $~RW, (pte) "
                                          "(ptep_set_wrprotect)");
    tap_ok(sees(win) == 'A' && !writable(win), "... read-only now");
    vec = TRY("lock orb $2, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && writable(win), "lock orb $RW, (pte): writable again");
    vec = TRY("lock xorb $1, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && sees(win) == 'F', "lock xorb $P, (pte): not present");
    vec = TRY("lock xorb $1, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && sees(win) == 'A', "... and present again");

    vec = TRY("lock btrq $5, (%[p])\n\tsetc %[cf]", : [cf] "=q"(cf)
              : [p] "r"(pte) : "memory", "cc");
    tap_ok(vec == -1 && cf == 1 && !(*pte & PTE_A),
           "lock btrq $A, (pte) (ptep_test_and_clear_young): CF=1, A clear");
    vec = TRY("lock btrq $5, (%[p])\n\tsetc %[cf]", : [cf] "=q"(cf)
              : [p] "r"(pte) : "memory", "cc");
    tap_ok(vec == -1 && cf == 0, "... again: CF=0");
    vec = TRY("lock btrq $0, (%[p])\n\tsetc %[cf]", : [cf] "=q"(cf)
              : [p] "r"(pte) : "memory", "cc");
    tap_ok(vec == -1 && cf == 1 && sees(win) == 'F',
           "lock btrq $P, (pte): not present");
    vec = TRY("lock btsq $0, (%[p])\n\tsetc %[cf]", : [cf] "=q"(cf)
              : [p] "r"(pte) : "memory", "cc");
    tap_ok(vec == -1 && cf == 0 && sees(win) == 'A',
           "lock btsq $P, (pte): present again");
    vec = TRY("lock btcq $1, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && !writable(win), "lock btcq $RW, (pte): read-only");
    vec = TRY("lock btsl $1, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && writable(win), "lock btsl $RW, (pte): writable");

    /* A register bit offset addresses the neighbouring entries. */
    set_entry(pte2, pte_b);
    if (pte2 != pte + 1) {
        tap_skip("the windows' entries are not adjacent",
                 "lock btr with a bit offset into the next entry");
        tap_skip("the windows' entries are not adjacent",
                 "lock btr with a negative bit offset");
        return;
    }
    vec = TRY("lock btrq %[b], (%[p])", : : [p] "r"(pte), [b] "r"(64L)
              : "memory", "cc");
    tap_ok(vec == -1 && sees(win2) == 'F' && sees(win) == 'A',
           "lock btrq %%reg=64, (pte): clears P of the next entry only");
    vec = TRY("lock btrq %[b], (%[p])", : : [p] "r"(pte2), [b] "r"(-64L)
              : "memory", "cc");
    tap_ok(vec == -1 && sees(win) == 'F',
           "lock btrq %%reg=-64, (next entry): clears P of the one before");
    vec = TRY("lock btsq %[b], (%[p])", : : [p] "r"(pte), [b] "r"(0L)
              : "memory", "cc");
    tap_ok(vec == -1 && sees(win) == 'A', "lock btsq %%reg=0, (pte): back");
}

static void test_cmpxchg(void)
{
    uint64_t cur, rax;
    uint8_t zf;
    long vec;

    set_entry(pte, pte_a);
    cur = *pte;
    rax = cur;
    vec = TRY("lock cmpxchgq %[n], (%[p])\n\tsetz %[zf]",
              : [zf] "=q"(zf), "+a"(rax)
              : [p] "r"(pte), [n] "r"(pte_b) : "memory", "cc");
    tap_ok(vec == -1 && zf == 1 && sees(win) == 'B',
           "lock cmpxchg r64, (pte) with the current value: ZF, maps B");
    cur = *pte;
    rax = cur ^ PTE_D; /* stale */
    vec = TRY("lock cmpxchgq %[n], (%[p])\n\tsetz %[zf]",
              : [zf] "=q"(zf), "+a"(rax)
              : [p] "r"(pte), [n] "r"(pte_a) : "memory", "cc");
    tap_ok(vec == -1 && zf == 0 && rax == cur && *pte == cur,
           "... with a stale value: no store, ZF clear, rax = the entry");
    tap_eq(sees(win), 'B', "... still maps B");

    rax = cur & 0xff;
    vec = TRY("lock cmpxchgb %b[n], (%[p])\n\tsetz %[zf]",
              : [zf] "=q"(zf), "+a"(rax)
              : [p] "r"(pte), [n] "q"((cur & 0xff) & ~PTE_P)
              : "memory", "cc");
    tap_ok(vec == -1 && zf == 1 && sees(win) == 'F',
           "lock cmpxchgb r8, (pte): not present");
    cur = *pte;
    rax = cur & 0xffffffff;
    vec = TRY("lock cmpxchgl %k[n], (%[p])\n\tsetz %[zf]",
              : [zf] "=q"(zf), "+a"(rax)
              : [p] "r"(pte), [n] "r"((cur & 0xffffffff) | PTE_P)
              : "memory", "cc");
    tap_ok(vec == -1 && zf == 1 && sees(win) == 'B',
           "lock cmpxchgl r32, (pte): present again");

    vec = TRY("lock orl $0x80000000, 4(%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && (*pte & PTE_NX), "lock orl $imm32, 4(pte): NX");
    vec = TRY("lock andw $0xfffd, (%[p])", : : [p] "r"(pte) : "memory");
    tap_ok(vec == -1 && !writable(win) && sees(win) == 'B',
           "lock andw $~RW, (pte): read-only");
    vec = TRY("lock orq %[v], (%[p])", : : [p] "r"(pte), [v] "r"(PTE_RW)
              : "memory");
    tap_ok(vec == -1 && writable(win), "lock orq r64, (pte): writable");
}

static void test_refused(void)
{
    uint64_t l1_mfn = virt_to_mfn((unsigned long)pte & PAGE_MASK);
    uint64_t l4_mfn = virt_to_mfn(start_info->pt_base);
    uint64_t bad = PTE_FLAGS, was, rax;
    mmu_update_t u;
    long vec;

    set_entry(pte, pte_a);
    was = *pte;
    /* Machine frame 0 is low memory: never any domain's. */
    vec = count_l1_write(probe_write64((unsigned long)pte, bad));
    check_refused(vec, pte, was, "mov of an entry for a frame we do not own");
    u.ptr = virt_to_maddr((unsigned long)pte);
    u.val = bad;
    /* I/O memory to Xen: -EPERM (get_page_from_l1e). */
    tap_eq(HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF), -XEN_EPERM,
           "... which mmu_update refuses too");
    tap_eq(sees(win), 'A', "... the window still maps A");

    vec = count_l1_write(probe_write64((unsigned long)pte,
                                       (l1_mfn << PAGE_SHIFT) | PTE_FLAGS));
    check_refused(vec, pte, was, "mov of a writable mapping of this L1");
    vec = count_l1_write(probe_write64((unsigned long)pte,
                                       (l4_mfn << PAGE_SHIFT) | PTE_FLAGS));
    check_refused(vec, pte, was, "mov of a writable mapping of the L4");

    vec = count_l1_write(probe_write64(
        (unsigned long)pte, (l1_mfn << PAGE_SHIFT) | PTE_P | PTE_A));
    tap_eq(vec, -1, "mov of a read-only mapping of this L1 is accepted");
    {
        uint64_t first = 0;

        flush(win);
        tap_ok(probe_read64(win + ((uint64_t)pte & ~PAGE_MASK), &first) == -1 &&
                   first == *pte,
               "... and the window shows the L1, our entry in it");
    }
    was = *pte;
    vec = TRY("lock orb $2, (%[p])", : : [p] "r"(pte) : "memory");
    check_refused(vec, pte, was, "lock orb $RW on that read-only mapping");

    set_entry(pte, pte_a);
    was = *pte;
    rax = was;
    vec = TRY("lock cmpxchgq %[n], (%[p])", : "+a"(rax)
              : [p] "r"(pte), [n] "r"(bad) : "memory", "cc");
    check_refused(vec, pte, was, "cmpxchg of an entry for a frame not ours");

    vec = TRY("movq %[v], 4(%[p])", : : [p] "r"(pte), [v] "r"(0UL)
              : "memory");
    tap_check(vec == VEC_PF && trap_last.error_code == PFEC_P_W,
              "no #PF", "a misaligned mov spanning two entries: #PF");
    tap_ok(*pte == was, "... the entry is unchanged");
}

static void test_upper_levels(void)
{
    static const char *const names[] = {"", "", "L2", "L3", "L4"};

    for (unsigned int level = 2; level <= 4; level++) {
        volatile uint64_t *e = table_entry(win, level);
        uint64_t was = *e;
        long vec = probe_write64((unsigned long)e, was);
        char what[64];

        snprintf(what, sizeof(what), "a write to the %s entry (not emulated)",
                 names[level]);
        check_refused(vec, e, was, what);
    }
}

/* ------------------------------------------------------------ bench */

#define BENCH_BATCH 100
#define BENCH_MAX_BATCHES 1000

static void sort_u64(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];

            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

enum bench_kind { BENCH_PTWR, BENCH_BARE, BENCH_MMU_UPDATE, BENCH_FAULT };

/* Median cycles per write over the batches. */
static uint64_t bench_one(enum bench_kind kind, unsigned int batches)
{
    static uint64_t t[BENCH_MAX_BATCHES];
    volatile uint64_t *scratch = (volatile uint64_t *)page_a + 64;
    unsigned long ro = mm_alloc_page();
    mmu_update_t u = {.ptr = virt_to_maddr((unsigned long)pte)};

    if (mm_map(ro, virt_to_mfn(ro), PTE_P | PTE_A))
        guest_panic("mapping a read-only page failed");
    for (unsigned int b = 0; b < batches; b++) {
        uint64_t t0 = rdtsc_ordered();

        for (unsigned int i = 0; i < BENCH_BATCH; i++) {
            uint64_t v = i & 1 ? pte_a : pte_b;

            switch (kind) {
            case BENCH_PTWR:
                __asm__ __volatile__("movq %1, %0" : "=m"(*pte) : "r"(v));
                break;
            case BENCH_BARE:
                __asm__ __volatile__("movq %1, %0" : "=m"(*scratch) : "r"(v));
                break;
            case BENCH_MMU_UPDATE:
                u.val = v;
                HYPERVISOR_mmu_update(&u, 1, NULL, DOMID_SELF);
                break;
            case BENCH_FAULT:
                probe_write64(ro, v);
                break;
            }
        }
        t[b] = rdtsc_ordered() - t0;
    }
    sort_u64(t, batches);
    return t[batches / 2] / BENCH_BATCH;
}

static void bench(unsigned long n)
{
    unsigned int batches =
        (unsigned int)MIN(MAX(n / BENCH_BATCH, 1UL), BENCH_MAX_BATCHES);
    uint64_t ptwr, bare, mmu, fault, ns;

    set_entry(pte, pte_a);
    ptwr = bench_one(BENCH_PTWR, batches);
    n_emulated += (unsigned long)batches * BENCH_BATCH;
    bare = bench_one(BENCH_BARE, batches);
    mmu = bench_one(BENCH_MMU_UPDATE, batches);
    fault = bench_one(BENCH_FAULT, batches);
    ns = pvclock_scale_delta(ptwr, vcpu0->time.tsc_to_system_mul,
                             vcpu0->time.tsc_shift);
    printf("ptwr: bench median cycles per write: emulated %lu (%lu ns), "
           "bare store %lu, mmu_update %lu, bounced #PF %lu "
           "(%u batches of %u)\n",
           (unsigned long)ptwr, (unsigned long)ns, (unsigned long)bare,
           (unsigned long)mmu, (unsigned long)fault, batches, BENCH_BATCH);
    tap_ok(*pte == 0 || addr_of(*pte) == addr_of(pte_a) ||
               addr_of(*pte) == addr_of(pte_b),
           "the benchmark's writes all landed");
}

/* ------------------------------------------------------------ main */

static void __noreturn unhandled(void)
{
    unsigned long rcx = 1, rdi = (unsigned long)pte;

    tap_eq(HYPERVISOR_vm_assist(VMASST_CMD_enable,
                                VMASST_TYPE_writable_pagetables),
           0, "vm_assist(enable, writable_pagetables)");
    printf("# ptwr: rep stosq to the entry; the domain must be crashed\n");
    tap_finish();
    __asm__ __volatile__("rep stosq"
                         : "+c"(rcx), "+D"(rdi)
                         : "a"(pte_b)
                         : "memory");
    printf("not ok 3 - rep stosq to an L1 entry returned\n");
    guest_shutdown(SHUTDOWN_poweroff);
}

int guest_main(void)
{
    char arg[24];

    guest_init_basic();
    setup();
    if (cmdline_value("unhandled", arg, sizeof(arg)))
        unhandled();
    test_assist_off();
    test_mov();
    test_subword();
    test_xchg();
    test_bitops();
    test_cmpxchg();
    test_refused();
    test_upper_levels();
    if (cmdline_value("bench", arg, sizeof(arg))) {
        unsigned long n = 0;

        for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (unsigned long)(*p - '0');
        bench(n);
    }
    tap_eq(HYPERVISOR_xen_version(XENVER_version, NULL) > 0, 1,
           "the domain is alive and makes hypercalls");
    printf("# ptwr: %lu L1 writes emulated, %lu refused\n", n_emulated,
           n_refused);
    tap_done();
}
