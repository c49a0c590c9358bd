/* SPDX-License-Identifier: MIT */
/*
 * Test guest for fpu_taskswitch (#5) and #NM delivery: setting the
 * virtual CR0.TS makes the next FPU or SSE instruction raise #NM (vector
 * 7, a fault: the frame's rip is the instruction, re-executed after the
 * handler clears TS as Linux's lazy-FPU path once did); the TS state is
 * visible through the emulated `mov %cr0`; CLTS from the guest kernel is
 * emulated as fpu_taskswitch(0) (pv/emul-priv-op.c).  FPU register
 * contents survive across the switch.
 */
#include "cpu.h"
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"
#include "traps.h"

static unsigned long nm_hits;
static unsigned long nm_rip;

static bool nm_handler(struct trap_frame *f)
{
    nm_hits++;
    nm_rip = f->rip;
    HYPERVISOR_fpu_taskswitch(0);
    return true; /* retry the instruction */
}

static uint64_t fpu_roundtrip(uint64_t x)
{
    uint64_t out;

    /* Integer through the x87 stack: fild/fistp (no SSE flags needed). */
    __asm__ __volatile__("fildq %1\n\tfistpq %0"
                         : "=m"(out)
                         : "m"(x)
                         : "memory");
    return out;
}

int guest_main(void)
{
    unsigned long cr0 = 0, at = 0;
    uint64_t v;
    long rc;

    guest_init_basic();
    trap_set_handler(7, nm_handler);
    __asm__ __volatile__("fninit" ::: "memory");
    tap_eq(fpu_roundtrip(42), 42, "x87 works with TS clear");
    tap_eq(read_cr0_probe(&cr0), -1, "mov %%cr0 is emulated");
    tap_eq(!!(cr0 & X86_CR0_TS), 0, "CR0.TS clear at boot");
    tap_check((cr0 & (X86_CR0_PE | X86_CR0_PG)) == (X86_CR0_PE | X86_CR0_PG),
              "PE/PG missing", "CR0 shows PE and PG");

    rc = HYPERVISOR_fpu_taskswitch(1);
    tap_eq(rc, 0, "fpu_taskswitch(1)");
    read_cr0_probe(&cr0);
    tap_eq(!!(cr0 & X86_CR0_TS), 1, "CR0.TS set after fpu_taskswitch(1)");
    __asm__ __volatile__("lea 1f(%%rip), %0\n1:\tfildq %1\n\tfistpq %1"
                         : "=&r"(at), "+m"(v)
                         :
                         : "memory");
    tap_eq(nm_hits, 1, "the next x87 instruction raised #NM once");
    tap_eq_hex(nm_rip, at, "#NM frame rip is the faulting instruction");
    tap_eq(trap_last.error_code, 0, "#NM has no error code");
    read_cr0_probe(&cr0);
    tap_eq(!!(cr0 & X86_CR0_TS), 0, "handler's fpu_taskswitch(0) cleared TS");
    tap_eq(fpu_roundtrip(7), 7, "x87 works again, no further #NM");
    tap_eq(nm_hits, 1, "still one #NM");

    /* SSE also faults with TS set (CR4.OSFXSR is on for PV guests). */
    HYPERVISOR_fpu_taskswitch(1);
    __asm__ __volatile__("xorps %%xmm0, %%xmm0" ::: "memory");
    tap_eq(nm_hits, 2, "an SSE instruction with TS set raised #NM");

    /* CLTS is emulated as fpu_taskswitch(0). */
    HYPERVISOR_fpu_taskswitch(1);
    rc = clts_probe();
    tap_eq(rc, -1, "clts from the guest kernel is emulated (no fault)");
    read_cr0_probe(&cr0);
    tap_eq(!!(cr0 & X86_CR0_TS), 0, "clts cleared CR0.TS");
    tap_eq(fpu_roundtrip(9), 9, "x87 after clts without #NM");
    tap_eq(nm_hits, 2, "no #NM after clts");

    /* Register state survives TS round trips. */
    __asm__ __volatile__("fninit\n\tfld1\n\tfld1\n\tfaddp" ::: "memory");
    HYPERVISOR_fpu_taskswitch(1);
    HYPERVISOR_xen_version(XENVER_version, NULL);
    __asm__ __volatile__("fistpq %0" : "=m"(v) : : "memory");
    tap_eq(v, 2, "x87 stack contents survive TS set and #NM (1+1 = 2)");
    tap_eq(nm_hits, 3, "that cost one #NM");

    /* TS is per vCPU state that must survive a block (context switch). */
    HYPERVISOR_fpu_taskswitch(1);
    if (timer_init() == 0) {
        local_events_enable();
        timer_sleep_ns(2 * NSEC_PER_MSEC);
        read_cr0_probe(&cr0);
        tap_eq(!!(cr0 & X86_CR0_TS), 1, "CR0.TS still set after blocking");
    } else {
        tap_skip("no VIRQ_TIMER", "CR0.TS survives blocking");
    }
    HYPERVISOR_fpu_taskswitch(0);
    tap_done();
}
