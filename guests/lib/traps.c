/* SPDX-License-Identifier: MIT */
/*
 * The virtual IDT and the C side of trap entry.
 *
 * traps_init() registers, with set_trap_table, a stub for every exception
 * vector and for int $0x80..0x8f, and with callback_op the event and
 * failsafe callbacks.  Trap-table flags: bits 0-1 are the privilege needed
 * to raise the vector with `int $n` (3 for #BP, #OF and the software
 * vectors, 0 otherwise), bit 2 asks for events to be masked on delivery;
 * we ask for that only on #PF so that an event upcall cannot overwrite
 * vcpu_info.arch.cr2 before the handler reads it.
 *
 * trap_dispatch() records every trap in trap_last, then gives it to a
 * registered handler, then to the exception table (PROBE sites), and
 * otherwise treats it as fatal: register dump, TAP bail-out if a test is
 * running, SCHEDOP_shutdown(SHUTDOWN_crash).  A trap about to return to
 * guest user mode last goes to the user-return hook, if one is set (a
 * guest kernel's scheduler, user.h).
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "traps.h"

_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8,
               "entry.S pushes 15 registers below the vector");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8,
               "Xen's frame starts after vector and error code");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "frame size");

struct probe_entry {
    unsigned long fault, resume;
};
extern const struct probe_entry __probe_table_start[], __probe_table_end[];

volatile struct trap_record trap_last;
volatile unsigned long trap_counts[TRAP_NR_SLOTS];
static trap_handler_t trap_handlers[TRAP_NR_SLOTS];
static void (*trap_user_return_hook)(struct trap_frame *f);

static const char *const exception_names[32] = {
    "#DE",    "#DB",    "NMI",    "#BP",    "#OF", "#BR", "#UD",    "#NM",
    "#DF",    "coproc", "#TS",    "#NP",    "#SS", "#GP", "#PF",    "rsvd15",
    "#MF",    "#AC",    "#MC",    "#XM",    "#VE", "#CP", "rsvd22", "rsvd23",
    "rsvd24", "rsvd25", "rsvd26", "rsvd27", "#HV", "#VC", "#SX",    "rsvd31",
};

const char *trap_name(unsigned long vector)
{
    if (vector < 32)
        return exception_names[vector];
    switch (vector) {
    case VEC_EVENT:
        return "event";
    case VEC_FAILSAFE:
        return "failsafe";
    case VEC_SYSCALL:
        return "syscall";
    default:
        return "int";
    }
}

unsigned long trap_stub(unsigned int vector)
{
    if (vector < 32)
        return trap_stub_table[vector];
    if (vector >= TRAP_SOFT_FIRST && vector < TRAP_SOFT_FIRST + TRAP_SOFT_COUNT)
        return trap_stub_table[32 + vector - TRAP_SOFT_FIRST];
    return 0;
}

/*
 * Fill t[] with the default table (terminated by a zero address, which the
 * hypervisor reads as the end of the list) and return the entry count.
 */
unsigned int traps_default_table(trap_info_t *t, unsigned int max)
{
    unsigned int n = 0;

    for (unsigned int v = 0; v < 256 && n + 1 < max; v++) {
        unsigned long addr = trap_stub(v);

        if (!addr || v == 2) /* NMI comes through callback_op if at all */
            continue;
        t[n].vector = (uint8_t)v;
        t[n].flags = (v == 3 || v == 4 || v >= 32) ? 3 : 0;
        if (v == 14)
            t[n].flags |= 4;
        t[n].cs = FLAT_KERNEL_CS;
        t[n].address = addr;
        n++;
    }
    memset(&t[n], 0, sizeof(t[n]));
    return n;
}

void traps_init(void)
{
    static trap_info_t table[TRAP_NR_STUBS + 1];
    struct callback_register cb = {
        .type = CALLBACKTYPE_event,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)hypervisor_callback,
    };
    long rc;

    traps_default_table(table, ARRAY_SIZE(table));
    rc = HYPERVISOR_set_trap_table(table);
    if (rc)
        guest_panic("set_trap_table failed: %ld", rc);
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    if (rc)
        guest_panic("registering the event callback failed: %ld", rc);
    cb.type = CALLBACKTYPE_failsafe;
    cb.address = (unsigned long)failsafe_callback;
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    if (rc)
        guest_panic("registering the failsafe callback failed: %ld", rc);
}

void trap_set_handler(unsigned int vector, trap_handler_t fn)
{
    if (vector < TRAP_NR_SLOTS)
        trap_handlers[vector] = fn;
}

void trap_set_user_return_hook(void (*fn)(struct trap_frame *f))
{
    trap_user_return_hook = fn;
}

unsigned long trap_total(void)
{
    unsigned long n = 0;

    for (unsigned int i = 0; i < 256; i++)
        n += trap_counts[i];
    return n;
}

unsigned long trap_probe_reset(void)
{
    memset((void *)&trap_last, 0, sizeof(trap_last));
    trap_last.vector = ~0UL;
    return trap_total();
}

static const struct probe_entry *probe_lookup(unsigned long rip)
{
    for (const struct probe_entry *p = __probe_table_start;
         p < __probe_table_end; p++)
        if (p->fault == rip)
            return p;
    return NULL;
}

static void trap_dump(const struct trap_frame *f)
{
    printf("guest: unexpected %s (vector %lu) error %#lx\n",
           trap_name(f->vector), f->vector, f->error_code);
    printf("  rip %016lx cs %04lx (mask %lu) rflags %08lx\n", f->rip,
           f->cs & 0xffff, (f->cs >> 32) & 0xff, f->rflags);
    printf("  rsp %016lx ss %04lx cr2 %016lx\n", f->rsp, f->ss & 0xffff,
           vcpu0 ? vcpu0->arch.cr2 : 0);
    printf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx,
           f->rcx, f->rdx);
    printf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi,
           f->rbp, f->r8);
    printf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10,
           f->r11, f->r12);
    printf("  r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
}

static void trap_handle(struct trap_frame *f)
{
    unsigned long v = f->vector;
    const struct probe_entry *p;

    /* Upcalls leave trap_last alone: a test may be about to read it. */
    if (v == VEC_EVENT) {
        trap_counts[v]++;
        evtchn_do_upcall();
        return;
    }
    /* cr2 first: nothing below may fault before it is read. */
    trap_last.cr2 = (v == 14 && vcpu0) ? vcpu0->arch.cr2 : 0;
    trap_last.vector = v;
    trap_last.error_code = f->error_code;
    trap_last.rip = f->rip;
    trap_last.cs = f->cs;
    trap_last.rflags = f->rflags;
    trap_last.rsp = f->rsp;
    trap_last.ss = f->ss;
    trap_last.frame_top = (unsigned long)&f->ss + 8;
    trap_last.mask_on_entry = vcpu0 ? vcpu0->evtchn_upcall_mask : 0xff;
    if (v < TRAP_NR_SLOTS)
        trap_counts[v]++;

    if (v < TRAP_NR_SLOTS && trap_handlers[v] && trap_handlers[v](f))
        return;
    p = probe_lookup(f->rip);
    if (p) {
        f->rip = p->resume;
        return;
    }
    /* Traps (as opposed to faults) already point past the instruction. */
    if (v == 3 || v == 4 || (v >= 32 && v < 256))
        return;
    trap_dump(f);
    guest_panic("unexpected %s at %#lx", trap_name(v), f->rip);
}

void trap_dispatch(struct trap_frame *f)
{
    trap_handle(f);
    if ((f->cs & 3) == 3 && trap_user_return_hook)
        trap_user_return_hook(f);
}

long probe_read8(unsigned long addr, uint8_t *val)
{
    unsigned long before = trap_probe_reset();
    uint8_t v = 0;

    PROBE("movb (%[a]), %[v]", : [v] "+q"(v) : [a] "r"(addr) : "memory");
    *val = v;
    return trap_total() != before ? (long)trap_last.vector : -1;
}

long probe_write8(unsigned long addr, uint8_t val)
{
    unsigned long before = trap_probe_reset();

    PROBE("movb %[v], (%[a])", : : [a] "r"(addr), [v] "q"(val) : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}

long probe_read64(unsigned long addr, uint64_t *val)
{
    unsigned long before = trap_probe_reset();
    uint64_t v = 0;

    PROBE("movq (%[a]), %[v]", : [v] "+r"(v) : [a] "r"(addr) : "memory");
    *val = v;
    return trap_total() != before ? (long)trap_last.vector : -1;
}

long probe_write64(unsigned long addr, uint64_t val)
{
    unsigned long before = trap_probe_reset();

    PROBE("movq %[v], (%[a])", : : [a] "r"(addr), [v] "r"(val) : "memory");
    return trap_total() != before ? (long)trap_last.vector : -1;
}
