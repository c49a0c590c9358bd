/* SPDX-License-Identifier: MIT */
/*
 * Exceptions, software interrupts and callbacks as a Xen PV guest sees
 * them.  The hypervisor bounces each one onto the guest kernel stack with
 * Xen's frame (lowest address first):
 *
 *     rcx, r11, [error code], rip, cs | upcall_mask << 32, rflags, rsp, ss
 *
 * and enters the handler registered in the virtual IDT (set_trap_table) or
 * as a callback (callback_op).  entry.S pops rcx and r11 (they hold the
 * interrupted values; the hypervisor enters with SYSRET semantics, which
 * destroys both), pushes a uniform struct trap_frame and calls
 * trap_dispatch().  The return is the iret hypercall (#23) unless the
 * handler asks for the native `orb $3, cs; iretq` kernel->kernel shortcut.
 *
 * Faults expected by a test are caught through an exception table: an
 * instruction wrapped in PROBE() resumes at the label after it, and the
 * trap is recorded in trap_last for the test to inspect.
 */
#ifndef GUEST_TRAPS_H
#define GUEST_TRAPS_H

/* Pseudo-vectors for entries that are not IDT vectors. */
#define VEC_EVENT     0x100 /* event-channel upcall (CALLBACKTYPE_event) */
#define VEC_FAILSAFE  0x101 /* CALLBACKTYPE_failsafe */
#define VEC_SYSCALL   0x102 /* CALLBACKTYPE_syscall (guest user mode) */
#define TRAP_NR_SLOTS 0x103

/* A handler stores this in frame->vector to leave by `iretq` directly. */
#define TRAP_EXIT_DIRECT 0x1ff

/* Software-interrupt vectors that have entry stubs (int $0x80..0x8f). */
#define TRAP_SOFT_FIRST 0x80
#define TRAP_SOFT_COUNT 16
#define TRAP_NR_STUBS   (32 + TRAP_SOFT_COUNT)

#ifndef __ASSEMBLY__

#include "guest.h"

/* The frame entry.S builds; layout fixed by the push order there. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint64_t vector;
    uint64_t error_code; /* 0 for vectors without one */
    /* Xen's bounce frame from here up. */
    uint64_t rip;
    uint64_t cs; /* bits 32-39: the upcall mask at the time of the trap */
    uint64_t rflags;
    uint64_t rsp;
    uint64_t ss;
};

/* What the last trap looked like, for tests to check. */
struct trap_record {
    uint64_t vector;
    uint64_t error_code;
    uint64_t rip, cs, rflags, rsp, ss;
    uint64_t cr2;          /* vcpu_info.arch.cr2 read on entry (#PF) */
    uint64_t frame_top;    /* address just above the frame's ss slot */
    uint8_t mask_on_entry; /* vcpu_info.evtchn_upcall_mask in the handler */
};

extern volatile struct trap_record trap_last;
extern volatile unsigned long trap_counts[TRAP_NR_SLOTS];

/* Entry points in entry.S. */
extern const unsigned long trap_stub_table[TRAP_NR_STUBS];
void hypervisor_callback(void);
void failsafe_callback(void);
void syscall_callback(void);

/* Returns true if it dealt with the trap (frame may be edited). */
typedef bool (*trap_handler_t)(struct trap_frame *f);

/*
 * traps_init: install the default virtual IDT (all exceptions, #BP/#OF
 * and int $0x80..0x8f callable from guest kernel and user) and register the
 * event and failsafe callbacks.  Panics if the hypervisor refuses.
 */
void traps_init(void);
unsigned long trap_stub(unsigned int vector); /* 0 if none */
unsigned int traps_default_table(trap_info_t *t, unsigned int max);
void trap_set_handler(unsigned int vector, trap_handler_t fn);
/*
 * A hook run just before any trap returns to guest user mode (frame cs
 * with RPL 3), after the trap's own handling: a kernel may switch user
 * contexts there (user.h).  NULL to remove.
 */
void trap_set_user_return_hook(void (*fn)(struct trap_frame *f));
const char *trap_name(unsigned long vector);
void trap_dispatch(struct trap_frame *f);

/*
 * PROBE(insns, outputs, inputs, clobbers): run `insns` (asm text whose
 * first instruction may fault); on a fault the exception table resumes
 * right after them.  Traps (int3, int $n) resume there naturally.
 */
#define PROBE_TABLE_ENTRY(from, to)                                            \
    ".pushsection .probe_table, \"a\"\n\t.balign 8\n\t.quad " from ", " to     \
    "\n\t.popsection\n\t"
#define PROBE(insns, ...)                                                      \
    __asm__ __volatile__("771:\n\t" insns "\n772:\n\t" PROBE_TABLE_ENTRY(      \
        "771b", "772b") __VA_ARGS__)

/* Reset trap_last and return the total trap count so far. */
unsigned long trap_probe_reset(void);
unsigned long trap_total(void);

/* Common probes.  Each returns the vector caught, or -1 if none. */
long probe_read8(unsigned long addr, uint8_t *val);
long probe_write8(unsigned long addr, uint8_t val);
long probe_read64(unsigned long addr, uint64_t *val);
long probe_write64(unsigned long addr, uint64_t val);

#endif /* !__ASSEMBLY__ */
#endif /* GUEST_TRAPS_H */
