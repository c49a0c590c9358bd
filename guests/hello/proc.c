/* SPDX-License-Identifier: MIT */
/*
 * User processes of the reference guest: a small round-robin kernel.
 *
 * Each process has its own address space, built and pinned at run time:
 * a user L4 (the kernel half copied from the kernel's L4, so the code in
 * this image stays reachable; the user half its own) with its own L3, L2
 * and L1 mapping three private pages at USER_BASE, the same address in
 * every process: a data page the kernel fills in (who the process is)
 * and a two-page stack.  The tables are written while they are ordinary
 * pages, then mapped read-only and pinned (pt.c).
 *
 * The kernel switches processes on VIRQ_TIMER ticks (the vCPU's periodic
 * timer, every TICK_NS) and when one yields or exits: a switch saves the
 * trap frame of the process it leaves, installs the next one's L4 with
 * MMUEXT_NEW_USER_BASEPTR and its GS user base with set_segment_base,
 * and resumes the next one's saved frame.  The hypervisor swaps to that
 * L4 and swaps the GS bases on each kernel/user transition; user mode
 * reads its GS base (%gs:0) and its data page, which must both say it is
 * itself, while the other process's page sits at the same address.
 *
 * System calls (`syscall` in user mode, the CALLBACKTYPE_syscall
 * callback, on the kernel stack given with stack_switch): SYS_WRITE (a
 * line from the process's own page to the console), SYS_YIELD, SYS_EXIT.
 * When the last process exits, the kernel resumes where it entered user
 * mode (user.h), stops the timer and tears everything down: the user L4
 * dropped, every table unpinned and mapped writable again (which the
 * hypervisor allows only once their types are gone), and all the frames
 * given back with decrease_reservation.
 */
#include "events.h"
#include "hello.h"
#include "hypercall.h"
#include "pt.h"
#include "timekeeping.h"
#include "user.h"

#include <xen/errno.h>

#define MAX_PROCS      4
#define USER_BASE      0x400000UL /* each process's data page */
#define USER_PAGES     3          /* the data page, then the stack */
#define USER_STACK_TOP (USER_BASE + USER_PAGES * PAGE_SIZE)
#define PAGE_MAGIC     0x70726f6365737321UL
#define TICK_NS        (4 * NSEC_PER_MSEC)
#define PREEMPTIONS    2 /* each process runs until preempted this often */
#define USER_DEADLINE  (5 * NSEC_PER_SEC)

enum { SYS_WRITE = 1, SYS_YIELD, SYS_EXIT };

/* A process's data page as it sees it at USER_BASE. */
struct user_page {
    uint64_t gs_slot[MAX_PROCS]; /* process i's GS user base: &gs_slot[i] */
    uint64_t id, magic;          /* written by the kernel */
    uint64_t preempted;          /* counted by the kernel */
    uint64_t user_marker;        /* written by the process */
    char line[200];              /* SYS_WRITE's buffer */
};

struct proc {
    unsigned int id;
    struct pt_space space;
    unsigned long pages[USER_PAGES]; /* the kernel's mappings of them */
    struct trap_frame frame;         /* user context while switched out */
    bool exited;
    long exit_code;
    unsigned long preemptions, lines;
};

static struct proc procs[MAX_PROCS];
static unsigned int nr_procs, cur;
static struct user_kctx kctx;    /* where the kernel entered user mode */
static unsigned long slice_tick; /* timer_events when cur got the CPU */
static unsigned long switches, syscalls, kernel_gs_wrong;
static uint8_t kstack[16384] __aligned(16);
static const uint64_t kernel_gs_marker = 0x6b65726e656c6773UL;

static uint64_t user_gs_marker(unsigned long id)
{
    return 0x7573657200000000UL + id;
}

static volatile struct user_page *kpage(const struct proc *p)
{
    return (volatile struct user_page *)p->pages[0];
}

/* ------------------------------------------------------ user mode */

static bool user_page_is_mine(unsigned long id)
{
    const volatile struct user_page *up = (const void *)USER_BASE;

    return up->id == id && up->magic == PAGE_MAGIC && up->user_marker == ~id &&
           user_read_gs0() == user_gs_marker(id);
}

static void user_say(const char *fmt, ...) __printf(1, 2);
static void user_say(const char *fmt, ...)
{
    struct user_page *up = (struct user_page *)USER_BASE;
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(up->line, sizeof(up->line), fmt, ap);
    va_end(ap);
    user_syscall(SYS_WRITE, (long)up->line, MIN(n, (int)sizeof(up->line) - 1),
                 0);
}

/* A process: runs in user mode on its own L4. */
static void __attribute__((noreturn, used)) user_proc(unsigned long id)
{
    volatile struct user_page *up = (volatile struct user_page *)USER_BASE;
    uint64_t deadline = time_now_ns() + USER_DEADLINE;
    unsigned long spins = 0;
    long bad = 0;

    up->user_marker = ~id;
    if (!user_page_is_mine(id))
        bad |= 1;
    user_say("proc %lu: in user mode; the page at %#lx says I am %lu", id,
             USER_BASE, (unsigned long)up->id);
    while (up->preempted < PREEMPTIONS) {
        if (!user_page_is_mine(id))
            bad |= 2;
        if (++spins % 1024 == 0 && time_now_ns() > deadline) {
            bad |= 4; /* never preempted */
            break;
        }
    }
    user_syscall(SYS_YIELD, 0, 0, 0);
    if (!user_page_is_mine(id))
        bad |= 8;
    user_say("proc %lu: preempted %lu times, yielded, the page is still "
             "mine",
             id, (unsigned long)up->preempted);
    user_syscall(SYS_EXIT, bad, 0, 0);
    for (;;)
        ; /* not reached */
}

/* ---------------------------------------------------------- kernel */

/*
 * Leaves the current process (its frame saved unless it exited) for the
 * next runnable one, round robin, by rewriting f; with none left, f
 * becomes the kernel context user_enter saved.
 */
static void schedule(struct trap_frame *f)
{
    struct proc *p = &procs[cur], *n = NULL;

    if (!p->exited)
        p->frame = *f;
    for (unsigned int i = 1; i <= nr_procs && !n; i++)
        if (!procs[(cur + i) % nr_procs].exited)
            n = &procs[(cur + i) % nr_procs];
    if (!n) {
        user_frame_to_kernel(f, &kctx, 0);
        return;
    }
    if (n != p) {
        if (pt_mmuext(MMUEXT_NEW_USER_BASEPTR, pt_space_l4_mfn(&n->space)) ||
            HYPERVISOR_set_segment_base(SEGBASE_GS_USER, USER_BASE + 8 * n->id))
            guest_panic("switching to process %u failed", n->id);
        switches++;
        cur = n->id;
    }
    *f = n->frame;
    slice_tick = timer_events;
}

static long sys_write(struct proc *p, unsigned long ptr, unsigned long len)
{
    unsigned long off = ptr - USER_BASE;

    if (ptr < USER_BASE || off >= PAGE_SIZE || len > PAGE_SIZE - off)
        return -XEN_EFAULT;
    /* The process's page, read through the kernel's own mapping of it. */
    printf("hello: %.*s\n", (int)len, (const char *)p->pages[0] + off);
    p->lines++;
    return (long)len;
}

static bool on_syscall(struct trap_frame *f)
{
    struct proc *p = &procs[cur];

    syscalls++;
    if (user_read_gs0() != kernel_gs_marker)
        kernel_gs_wrong++;
    switch (f->rax) {
    case SYS_WRITE:
        f->rax = (uint64_t)sys_write(p, f->rdi, f->rsi);
        break;
    case SYS_YIELD:
        f->rax = 0;
        schedule(f);
        break;
    case SYS_EXIT:
        p->exited = true;
        p->exit_code = (long)f->rdi;
        schedule(f);
        break;
    default:
        f->rax = (uint64_t)-XEN_ENOSYS;
        break;
    }
    return true;
}

/* Before any return to user mode: preempt if a tick came meanwhile. */
static void on_user_return(struct trap_frame *f)
{
    struct proc *p = &procs[cur];

    if (timer_events == slice_tick)
        return;
    p->preemptions++;
    kpage(p)->preempted++;
    schedule(f);
}

static long proc_create(struct proc *p, unsigned int id)
{
    bool rw[USER_PAGES];
    volatile struct user_page *kp;

    p->id = id;
    for (unsigned int i = 0; i < USER_PAGES; i++) {
        p->pages[i] = mm_alloc_page();
        rw[i] = true;
    }
    kp = kpage(p);
    kp->gs_slot[id] = user_gs_marker(id);
    kp->id = id;
    kp->magic = PAGE_MAGIC;
    pt_space_build(&p->space, USER_BASE, p->pages, rw, USER_PAGES);
    user_frame_init(&p->frame, (unsigned long)user_proc, USER_STACK_TOP, id);
    return pt_space_pin(&p->space);
}

/* Unmaps and gives back every frame of the processes; the count given. */
static long procs_give_back(void)
{
    static xen_pfn_t mfns[MAX_PROCS * (USER_PAGES + 4)];
    struct xen_memory_reservation r = {.domid = DOMID_SELF};
    unsigned int n = 0;

    for (unsigned int i = 0; i < nr_procs; i++) {
        const struct pt_space *s = &procs[i].space;
        unsigned long va[USER_PAGES + 4] = {s->l4, s->l3, s->l2, s->l1};

        memcpy(&va[4], procs[i].pages, sizeof(procs[i].pages));
        for (unsigned int j = 0; j < USER_PAGES + 4; j++) {
            mfns[n++] = virt_to_mfn(va[j]);
            ((xen_pfn_t *)start_info->mfn_list)[virt_to_pfn(va[j])] =
                INVALID_P2M_ENTRY;
            if (mm_unmap(va[j]))
                return -1;
        }
    }
    r.nr_extents = n;
    set_xen_guest_handle(r.extent_start, mfns);
    if (HYPERVISOR_memory_op(XENMEM_decrease_reservation, &r) != (long)n)
        return -1;
    return (long)n;
}

void selftest_processes(unsigned int nr)
{
    struct callback_register cb = {
        .type = CALLBACKTYPE_syscall,
        .flags = CALLBACKF_mask_events,
        .address = (unsigned long)syscall_callback,
    };
    struct vcpu_set_periodic_timer tick = {.period_ns = TICK_NS};
    domid_t self = DOMID_SELF;
    unsigned long min_preempt = ~0UL;
    long rc, pages, given;
    uint64_t t0;
    bool all_ok = true;

    nr_procs = MIN(nr, MAX_PROCS);
    rc = HYPERVISOR_callback_op(CALLBACKOP_register, &cb);
    rc = rc
             ?: HYPERVISOR_stack_switch(FLAT_KERNEL_SS,
                                        (unsigned long)kstack + sizeof(kstack));
    rc = rc
             ?: HYPERVISOR_set_segment_base(SEGBASE_GS_KERNEL,
                                            (unsigned long)&kernel_gs_marker);
    for (unsigned int i = 0; i < nr_procs && !rc; i++)
        rc = proc_create(&procs[i], i);
    check(rc == 0, "user processes: their own L4, L3, L2, L1 pinned",
          "%u address spaces with %d pages each at %#lx, rc %ld", nr_procs,
          USER_PAGES, USER_BASE, rc);
    if (rc)
        return;

    trap_set_handler(VEC_SYSCALL, on_syscall);
    cur = 0;
    rc = pt_mmuext(MMUEXT_NEW_USER_BASEPTR, pt_space_l4_mfn(&procs[0].space));
    rc = rc ?: HYPERVISOR_set_segment_base(SEGBASE_GS_USER, USER_BASE);
    rc = rc ?: HYPERVISOR_vcpu_op(VCPUOP_set_periodic_timer, 0, &tick);
    trap_set_user_return_hook(on_user_return);
    kctx.rflags = USER_RFLAGS; /* events stay enabled when we are back */
    slice_tick = timer_events;
    t0 = time_now_ns();
    if (!rc)
        rc = user_enter(&kctx, procs[0].frame.rip, procs[0].frame.rsp, 0);
    trap_set_user_return_hook(NULL);
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL);
    printf("hello: %u processes ran for %lu ms, %lu switches, %lu syscalls\n",
           nr_procs, (unsigned long)((time_now_ns() - t0) / NSEC_PER_MSEC),
           switches, syscalls);

    for (unsigned int i = 0; i < nr_procs; i++) {
        struct proc *p = &procs[i];
        bool ok = rc == 0 && p->exited && p->exit_code == 0 && p->lines == 2 &&
                  kpage(p)->user_marker == ~(uint64_t)i;

        check(ok, "a process saw only its own page and GS base, and exited",
              "proc %u: exit %ld, %lu lines, %lu preemptions", i, p->exit_code,
              p->lines, p->preemptions);
        min_preempt = MIN(min_preempt, p->preemptions);
        all_ok &= ok;
    }
    check(min_preempt >= PREEMPTIONS, "VIRQ_TIMER ticks preempted each process",
          "at least %lu times each", min_preempt);
    check(switches >= 2 * nr_procs,
          "round robin with MMUEXT_NEW_USER_BASEPTR at each switch",
          "%lu switches", switches);
    check(kernel_gs_wrong == 0 && syscalls >= 4 * nr_procs,
          "the GS bases swap on every kernel/user transition",
          "%lu syscalls, %lu saw a wrong kernel GS base", syscalls,
          kernel_gs_wrong);
    if (!all_ok)
        return; /* leave the evidence in place */

    /* Teardown, checked with the hypervisor at each step. */
    rc = pt_mmuext(MMUEXT_NEW_USER_BASEPTR, 0);
    check(rc == 0, "user L4 released (MMUEXT_NEW_USER_BASEPTR 0)", "rc %ld",
          rc);
    for (unsigned int i = 0; i < nr_procs && !rc; i++)
        rc = pt_space_unpin(&procs[i].space);
    check(rc == 0, "every table unpinned and writable again",
          "%u x 4 tables: rc %ld", nr_procs, rc);
    pages = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    given = rc ? -1 : procs_give_back();
    rc = HYPERVISOR_memory_op(XENMEM_current_reservation, &self);
    check(given > 0 && rc == pages - given,
          "every frame given back (decrease_reservation)",
          "%ld frames, reservation %ld -> %ld", given, pages, rc);
}
