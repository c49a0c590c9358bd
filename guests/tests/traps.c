/* SPDX-License-Identifier: MIT */
/*
 * Test guest for set_trap_table and exception delivery: the bounce frame
 * Xen builds for #UD, #BP, #PF, #GP and #DE raised in guest-kernel mode,
 * int $n against the virtual DPL in the trap table, the event-mask flag
 * (trap_info.flags bit 2), the page-fault error code with U/S cleared for
 * kernel mode and CR2 in vcpu_info.arch.cr2, 16-byte alignment of the
 * frame, and both ways back (iret hypercall, `orb $3,cs; iretq`).
 */
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "traps.h"

#define KERNEL_CS_RPL0 (FLAT_KERNEL_CS & ~3)
#define X86_EFLAGS_IF  0x200UL

/* Run insn (which must fault or trap) and report its address. */
#define PROBE_ADDR(insn, addr)                                                 \
    __asm__ __volatile__("lea 771f(%%rip), %[pa]\n771:\n\t" insn               \
                         "\n772:\n\t" PROBE_TABLE_ENTRY("771b", "772b")        \
                         : [pa] "=&r"(addr)::"memory")

static trap_info_t table[TRAP_NR_STUBS + 8];

static void add(unsigned int *n, unsigned int vector, unsigned int flags)
{
    table[*n].vector = (uint8_t)vector;
    table[*n].flags = (uint8_t)flags;
    table[*n].cs = FLAT_KERNEL_CS;
    table[*n].address = trap_stub(vector);
    (*n)++;
}

/*
 * Exceptions 0-31 with DPL 0 (DPL 3 for #BP/#OF), #PF masking events;
 * 0x81 DPL 3, 0x82 DPL 0, 0x83 DPL 1, 0x84 DPL 3 masking events; 0x85
 * deliberately absent.
 */
static long install_table(void)
{
    unsigned int n = 0;
    long rc;

    /* set_trap_table only adds entries: clear traps_init's table first. */
    rc = HYPERVISOR_set_trap_table(NULL);
    if (rc)
        return rc;

    for (unsigned int v = 0; v < 32; v++)
        if (v != 2)
            add(&n, v, (v == 3 || v == 4) ? 3 : (v == 14 ? 4 : 0));
    add(&n, 0x81, 3);
    add(&n, 0x82, 0);
    add(&n, 0x83, 1);
    add(&n, 0x84, 3 | 4);
    memset(&table[n], 0, sizeof(table[n]));
    return HYPERVISOR_set_trap_table(table);
}

static void check_kernel_frame(const char *what, uint8_t mask)
{
    uint64_t pad = trap_last.rsp - trap_last.frame_top;

    tap_eq_hex(trap_last.cs & 0xffff, KERNEL_CS_RPL0,
               "%s: frame cs is FLAT_KERNEL_CS with RPL 0 (kernel context)",
               what);
    tap_eq((trap_last.cs >> 32) & 0xff, mask,
           "%s: frame cs bits 32-39 hold the saved upcall mask", what);
    tap_eq(!!(trap_last.rflags & X86_EFLAGS_IF), !mask,
           "%s: frame rflags.IF is the inverse of the saved mask", what);
    tap_eq_hex(trap_last.ss & 0xffff, FLAT_KERNEL_SS, "%s: frame ss", what);
    tap_check(trap_last.frame_top % 16 == 0 && pad < 16,
              "frame not 16-byte aligned below the interrupted rsp",
              "%s: frame base aligned to 16 just below the saved rsp", what);
}

static void test_ud(void)
{
    unsigned long at, before = trap_probe_reset();

    PROBE_ADDR("ud2", at);
    tap_eq(trap_last.vector, 6, "ud2 raises #UD (vector 6)");
    tap_eq_hex(trap_last.rip, at, "#UD frame rip is the ud2 itself");
    tap_eq(trap_total() - before, 1, "#UD delivered exactly once");
    tap_eq(trap_last.mask_on_entry, 0,
           "#UD without trap flag bit 2 leaves events enabled in the handler");
    check_kernel_frame("#UD", 0);
    tap_eq(vcpu0->evtchn_upcall_mask, 0, "events still enabled after iret");
}

static void test_ud_masked(void)
{
    unsigned long at;

    local_events_disable();
    trap_probe_reset();
    PROBE_ADDR("ud2", at);
    tap_eq(trap_last.vector, 6, "#UD with events masked is still delivered");
    check_kernel_frame("#UD masked", 1);
    tap_eq(vcpu0->evtchn_upcall_mask, 1,
           "iret restores the mask from rflags.IF (still masked)");
    local_events_enable();
}

static void test_misaligned_stack(void)
{
    unsigned long at;

    trap_probe_reset();
    __asm__ __volatile__("sub $8, %%rsp\n\t"
                         "lea 771f(%%rip), %[pa]\n771:\n\tud2\n772:\n\t"
                         "add $8, %%rsp\n\t" PROBE_TABLE_ENTRY("771b", "772b")
                         : [pa] "=&r"(at)::"memory");
    tap_eq(trap_last.vector, 6, "#UD on a stack 8 bytes off alignment");
    check_kernel_frame("#UD rsp%16==8", 0);
}

static void test_bp(void)
{
    unsigned long after;

    trap_probe_reset();
    __asm__ __volatile__("lea 1f(%%rip), %0; int3; 1:" : "=r"(after)::"memory");
    tap_eq(trap_last.vector, 3, "int3 raises #BP (vector 3)");
    tap_eq_hex(trap_last.rip, after, "#BP frame rip points after int3");
    trap_probe_reset();
    __asm__ __volatile__("lea 1f(%%rip), %0; int $3; 1:"
                         : "=r"(after)::"memory");
    tap_eq(trap_last.vector, 3, "int $3 raises #BP");
    tap_eq_hex(trap_last.rip, after, "int $3 frame rip points after it");
}

static void test_pf(void)
{
    unsigned long hole = mm_unmapped_page();
    unsigned long l4 = start_info->pt_base;
    uint64_t v;
    long r;

    r = probe_read64(0, &v);
    tap_eq(r, 14, "kernel read of address 0 raises #PF");
    tap_eq_hex(trap_last.error_code, 0,
               "#PF error code for a kernel read of a not-present page is 0 "
               "(U/S cleared)");
    tap_eq_hex(trap_last.cr2, 0, "vcpu_info.arch.cr2 holds the address (0)");
    tap_eq(trap_last.mask_on_entry, 1,
           "#PF with trap flag bit 2 runs its handler with events masked");
    tap_eq(vcpu0->evtchn_upcall_mask, 0, "events enabled again after #PF iret");

    r = probe_write64(hole + 0x18, 0x1234);
    tap_eq(r, 14, "kernel write to an unmapped page raises #PF");
    tap_eq_hex(trap_last.error_code, 2, "#PF error code is W only (2)");
    tap_eq_hex(trap_last.cr2, hole + 0x18, "cr2 is the faulting address");

    /* The L4 is mapped read-only; store the value already there. */
    r = probe_read64(l4, &v);
    tap_eq(r, -1, "the L4 page-table page is readable");
    r = probe_write64(l4, v);
    tap_eq(r, 14, "kernel write to the read-only L4 page raises #PF");
    tap_eq_hex(trap_last.error_code, 3, "#PF error code is P|W (3)");
    tap_eq_hex(trap_last.cr2, l4, "cr2 is the L4 address");
}

static void test_gp_int(void)
{
    unsigned long at, after;

    trap_probe_reset();
    PROBE_ADDR("int $0x82", at);
    tap_eq(trap_last.vector, 13, "int $0x82 with trap DPL 0 raises #GP");
    tap_eq_hex(trap_last.error_code, (0x82 << 3) | 2,
               "#GP error code is (vector << 3) | 2 (IDT)");
    tap_eq_hex(trap_last.rip, at, "#GP frame rip is the int instruction");

    trap_probe_reset();
    PROBE_ADDR("int $0x85", at);
    tap_eq(trap_last.vector, 13,
           "int $0x85 with no trap-table entry raises #GP");
    tap_eq_hex(trap_last.error_code, (0x85 << 3) | 2,
               "#GP error code for the absent vector");

    trap_probe_reset();
    __asm__ __volatile__("lea 1f(%%rip), %0; int $0x81; 1:"
                         : "=r"(after)::"memory");
    tap_eq(trap_last.vector, 0x81, "int $0x81 with DPL 3 reaches its handler");
    tap_eq_hex(trap_last.rip, after, "int $0x81 frame rip points after it");
    tap_eq_hex(trap_last.error_code, 0,
               "software interrupt pushes no error code");

    trap_probe_reset();
    __asm__ __volatile__("int $0x83" ::: "memory");
    tap_eq(trap_last.vector, 0x83,
           "int $0x83 with DPL 1 is allowed from guest-kernel mode");

    trap_probe_reset();
    __asm__ __volatile__("int $0x84" ::: "memory");
    tap_eq(trap_last.vector, 0x84, "int $0x84 (DPL 3, flag bit 2) delivered");
    tap_eq(trap_last.mask_on_entry, 1,
           "flag bit 2 masks events in the handler");
    tap_eq((trap_last.cs >> 32) & 0xff, 0, "the frame saved mask 0");
    tap_eq(vcpu0->evtchn_upcall_mask, 0, "iret unmasked events again");
}

static void test_gp_noncanonical(void)
{
    uint64_t v;
    long r = probe_read64(NONCANONICAL_ADDR, &v);

    tap_eq(r, 13, "read of a non-canonical address raises #GP (not #PF)");
    tap_eq_hex(trap_last.error_code, 0, "#GP error code 0");
}

static void test_de(void)
{
    unsigned int num = 1, rem = 0, den = 0;
    unsigned long at;

    trap_probe_reset();
    __asm__ __volatile__(
        "lea 771f(%%rip), %[pa]\n771:\n\tdivl %[d]\n772:\n\t" PROBE_TABLE_ENTRY(
            "771b", "772b")
        : [pa] "=&r"(at), "+a"(num), "+d"(rem)
        : [d] "r"(den)
        : "memory");
    tap_eq(trap_last.vector, 0, "divide by zero raises #DE (vector 0)");
    tap_eq_hex(trap_last.rip, at, "#DE frame rip is the div instruction");
}

static unsigned long direct_exits;
static bool bp_direct(struct trap_frame *f)
{
    direct_exits++;
    f->vector = TRAP_EXIT_DIRECT;
    return true;
}

static void test_direct_return(void)
{
    unsigned long before = hypercall_counts[__HYPERVISOR_iret];
    unsigned long rbx = 0x1122334455667788UL, out;

    trap_set_handler(3, bp_direct);
    __asm__ __volatile__("int3" : "=b"(out) : "b"(rbx) : "memory");
    trap_set_handler(3, NULL);
    tap_eq(direct_exits, 1, "handler left by orb $3,cs; iretq");
    tap_eq(hypercall_counts[__HYPERVISOR_iret] - before, 0,
           "the direct return made no iret hypercall");
    tap_eq_hex(out, rbx, "registers survive the direct return");
}

static void test_registers_preserved(void)
{
    register unsigned long r12 __asm__("r12") = 0xa5a5a5a5a5a5a5a5UL;
    register unsigned long r15 __asm__("r15") = 0x5a5a5a5a5a5a5a5aUL;
    unsigned long rcx = 0x0123456789abcdefUL, r11 = 0xfedcba9876543210UL;

    __asm__ __volatile__("mov %[c], %%rcx\n\tmov %[e], %%r11\n\t"
                         "ud2\n772:\n\t"
                         "mov %%rcx, %[c]\n\tmov %%r11, %[e]\n\t"
                         ".pushsection .probe_table, \"a\"\n\t.balign 8\n\t"
                         ".quad 772b - 2, 772b\n\t.popsection"
                         : [c] "+r"(rcx), [e] "+r"(r11), "+r"(r12), "+r"(r15)
                         :
                         : "rcx", "r11", "memory");
    tap_eq_hex(rcx, 0x0123456789abcdefUL, "rcx survives a trap and iret");
    tap_eq_hex(r11, 0xfedcba9876543210UL, "r11 survives a trap and iret");
    tap_eq_hex(r12, 0xa5a5a5a5a5a5a5a5UL, "r12 survives a trap and iret");
    tap_eq_hex(r15, 0x5a5a5a5a5a5a5a5aUL, "r15 survives a trap and iret");
}

int guest_main(void)
{
    long rc;

    guest_init_basic();
    local_events_enable();
    rc = install_table();
    tap_eq(rc, 0, "set_trap_table with a %u-entry table", 35);
    if (rc)
        tap_done();
    test_ud();
    test_ud_masked();
    test_misaligned_stack();
    test_bp();
    test_pf();
    test_gp_int();
    test_gp_noncanonical();
    test_de();
    test_direct_return();
    test_registers_preserved();
    tap_done();
}
