/* SPDX-License-Identifier: MIT */
/*
 * Test guest for guest user mode (x86-64 PV: kernel and user both run at
 * CPL 3 and are told apart by the hypervisor, each with its own L4):
 *
 *  - a user L4 (here a copy of the kernel's, pinned) installed with
 *    MMUEXT_NEW_USER_BASEPTR; the iret hypercall with a CS of RPL 3 enters
 *    user mode on it, swapping GS bases (SEGBASE_GS_USER / _KERNEL);
 *  - `syscall` in user mode is bounced to the CALLBACKTYPE_syscall
 *    callback in kernel mode, on the stack_switch stack, and the iret
 *    hypercall with VGCF_in_syscall returns to user mode;
 *  - int $0x80 (DPL 3 in the trap table), #UD and #GP (a privileged
 *    instruction, not emulated for user mode) are bounced to the kernel
 *    with a user-mode frame;
 *  - an event (VIRQ_TIMER) that arrives in user mode is delivered to the
 *    kernel's event callback and the interrupted user code resumes.
 *
 * cmdline "bench=N" also times, from user mode, N `syscall` round trips
 * and N `int $0x80` round trips (each to the kernel's handler and back
 * by the iret hypercall), medians of batches of 100, and prints them
 * (docs/exercises/05-syscalls.md compares them with the hypervisor's
 * bare syscall/sysretq baseline).
 *
 * The user code is ordinary C in this image: PV mappings are all
 * user-accessible, and the user L4 maps the same address space.  User
 * mode is entered with user_enter() (guests/lib/user.h), which returns
 * when the SYS_EXIT handler turns the frame back into the kernel's.
 */
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "tap.h"
#include "timekeeping.h"
#include "traps.h"
#include "user.h"

#define SYS_GS   1  /* report what %gs:0 reads in user mode */
#define SYS_WAIT 2  /* nothing: a round trip */
#define SYS_EXIT 99 /* back to the kernel for good */

static volatile unsigned long user_marker = 0x1111;
static volatile unsigned long kernel_marker = 0x2222;
static uint8_t kstack[16384] __aligned(16);
static uint8_t ustack[8192] __aligned(16);

static volatile unsigned long user_gs_seen, kernel_gs_seen;
static volatile unsigned long syscalls, int80s, uds, gps;
static volatile unsigned long last_user_cs, last_syscall_nr, user_rip_ok;
static volatile unsigned long events_in_user;
static unsigned long kernel_l4_mfn, user_l4_mfn;
static struct user_kctx kctx;

#define BENCH_BATCH 100
#define BENCH_MAX_BATCHES 1000
static unsigned int bench_batches; /* 0: no bench */
static uint64_t bench_t[BENCH_MAX_BATCHES];
static uint64_t bench_syscall, bench_int80; /* median cycles per trip */

static void sort_u64(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];

            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

/* In user mode: batches of `syscall` (int80 false) or int $0x80. */
static uint64_t bench_trips(bool int80)
{
    for (unsigned int b = 0; b < bench_batches; b++) {
        uint64_t t0 = rdtsc_ordered();

        for (unsigned int i = 0; i < BENCH_BATCH; i++) {
            if (int80)
                __asm__ __volatile__("int $0x80" : : "a"(0x80) : "memory");
            else
                user_syscall(SYS_WAIT, 0, 0, 0);
        }
        bench_t[b] = rdtsc_ordered() - t0;
    }
    sort_u64(bench_t, bench_batches);
    return bench_t[bench_batches / 2] / BENCH_BATCH;
}

/* Runs in user mode. */
static void __attribute__((noreturn, used)) user_main(void)
{
    unsigned long seen;

    user_syscall(SYS_GS, (long)user_read_gs0(), 0, 0);
    __asm__ __volatile__("int $0x80" : : "a"(0x80) : "memory");
    __asm__ __volatile__("ud2" ::: "memory"); /* the handler skips it */
    __asm__ __volatile__("cli" ::: "memory"); /* #GP, skipped too */
    /* Wait in user mode for the timer the kernel armed. */
    seen = timer_events;
    while (timer_events == seen)
        __asm__ __volatile__("pause");
    events_in_user = timer_events - seen;
    user_syscall(SYS_WAIT, 0, 0, 0);
    if (bench_batches) {
        bench_syscall = bench_trips(false);
        bench_int80 = bench_trips(true);
    }
    user_syscall(SYS_EXIT, 0, 0, 0);
    for (;;)
        ; /* not reached */
}

static bool on_syscall(struct trap_frame *f)
{
    syscalls++;
    last_syscall_nr = f->rax;
    last_user_cs = f->cs & 0xffff;
    kernel_gs_seen = user_read_gs0();
    switch (f->rax) {
    case SYS_GS:
        user_gs_seen = f->rdi;
        break;
    case SYS_EXIT:
        user_frame_to_kernel(f, &kctx, 0); /* user_enter returns 0 */
        return true;
    default:
        break;
    }
    f->rax = 0;
    return true;
}

static bool on_int80(struct trap_frame *f)
{
    int80s++;
    last_user_cs = f->cs & 0xffff;
    return true; /* int $n resumes after itself */
}

static bool on_ud(struct trap_frame *f)
{
    uds++;
    user_rip_ok = *(const uint16_t *)f->rip == 0x0b0f;
    f->rip += 2;
    return true;
}

static bool on_gp(struct trap_frame *f)
{
    gps++;
    f->rip += 1; /* cli */
    return true;
}

static void finish(void)
{
    unsigned long extra = (unsigned long)bench_batches * BENCH_BATCH;
    unsigned long cr3;

    tap_eq(syscalls, 3 + extra,
           "%lu user syscalls reached the syscall callback", 3 + extra);
    tap_eq_hex(user_gs_seen, user_marker, "user mode reads its own GS base");
    tap_eq_hex(kernel_gs_seen, kernel_marker,
               "the kernel's callback reads the kernel GS base");
    tap_eq_hex(last_user_cs & 3, 3, "frames from user mode carry RPL 3");
    tap_eq(int80s, 1 + extra,
           "int $0x80 from user mode reached its handler (%lu times)",
           1 + extra);
    tap_eq(uds, 1, "#UD in user mode was bounced to the kernel");
    tap_ok(user_rip_ok, "... with rip at the ud2");
    tap_eq(gps, 1, "cli in user mode raised #GP (no emulation for user)");
    tap_ok(events_in_user >= 1, "a timer event interrupted user mode and "
                                "user mode resumed after it");
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
    tap_eq_hex(cr3 >> PAGE_SHIFT, kernel_l4_mfn,
               "back in kernel mode on the kernel L4 (CR3 reads it)");
}

int guest_main(void)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)syscall_callback,
    };
    struct mmuext_op op;
    unsigned long l4, cr3;
    char arg[24];
    long rc;

    guest_init_basic();
    if (cmdline_value("bench", arg, sizeof(arg))) {
        unsigned long n = 0;

        for (const char *p = arg; *p >= '0' && *p <= '9'; p++)
            n = n * 10 + (unsigned long)(*p - '0');
        bench_batches = (unsigned int)MIN(MAX(n / BENCH_BATCH, 1UL),
                                          (unsigned long)BENCH_MAX_BATCHES);
    }
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();
    trap_set_handler(VEC_SYSCALL, on_syscall);
    trap_set_handler(0x80, on_int80);
    trap_set_handler(6, on_ud);
    trap_set_handler(13, on_gp);

    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    tap_eq(rc, 0, "register the syscall callback");
    rc = HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
                                 (unsigned long)kstack + sizeof(kstack));
    tap_eq(rc, 0, "stack_switch to the kernel stack for traps from user");
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_USER,
                                     (unsigned long)&user_marker);
    tap_eq(rc, 0, "set_segment_base(GS_USER)");
    rc = HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL,
                                     (unsigned long)&kernel_marker);
    tap_eq(rc, 0, "set_segment_base(GS_KERNEL)");

    /* The user L4: a copy of the kernel's, read-only, pinned. */
    __asm__ __volatile__("mov %%cr3, %0" : "=r"(cr3));
    kernel_l4_mfn = cr3 >> PAGE_SHIFT;
    l4 = mm_alloc_page();
    memcpy((void *)l4, (const void *)start_info->pt_base, PAGE_SIZE);
    user_l4_mfn = virt_to_mfn(l4);
    rc = mm_map(l4, user_l4_mfn, PTE_P | PTE_A);
    tap_eq(rc, 0, "map the new L4 read-only");
    op.cmd = MMUEXT_PIN_L4_TABLE;
    op.arg1.mfn = user_l4_mfn;
    rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    tap_eq(rc, 0, "pin it as an L4");
    op.cmd = MMUEXT_NEW_USER_BASEPTR;
    rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    tap_eq(rc, 0, "MMUEXT_NEW_USER_BASEPTR");

    rc = timer_set_singleshot(time_now_ns() + 20 * NSEC_PER_MSEC, 0);
    tap_eq(rc, 0, "a timer 20 ms ahead, to fire in user mode");
    kctx.rflags = USER_RFLAGS;
    rc = user_enter(&kctx, (unsigned long)user_main,
                    (unsigned long)ustack + sizeof(ustack), 0);
    tap_eq(rc, 0, "the iret hypercall into user mode and back by SYS_EXIT");
    finish();
    if (bench_batches)
        printf("# usermode: bench median cycles per round trip from user "
               "mode: syscall %lu, int $0x80 %lu (%u batches of %u)\n",
               (unsigned long)bench_syscall, (unsigned long)bench_int80,
               bench_batches, BENCH_BATCH);
    tap_done();
}
