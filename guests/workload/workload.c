/* SPDX-License-Identifier: MIT */
/*
 * A workload guest for the scheduler tests and the benchmarks: it does
 * nothing useful, in one of two ways chosen on its command line.
 *
 *   mode=spin    burns CPU in guest kernel mode without a hypercall, for
 *                seconds=S (default: until destroyed); every second of
 *                system time it prints how many loop iterations it made
 *                and how many times system time was seen to go back
 *                (which must be never, however it moves between CPUs)
 *   mode=idle    an idle tickless kernel: blocks, woken by a single-shot
 *                timer every period=MS milliseconds (default 1000)
 *   mode=pt      page tables for the teardown tests: builds spaces=N
 *                (default 4) user address spaces, each an L4, L3, L2 and
 *                L1 mapping 8 of its pages (some writable, some read-only)
 *                and pinned level by level; one becomes the user L4, and
 *                another points back at the kernel's L4 through a
 *                read-only linear entry; a GDT frame and an LDT page in use
 *                too.  Then it idles, or with churn=1 unpins and pins all
 *                the spaces again and again.  It never tears them down:
 *                when seconds=S ends it (or crash=1 crashes it) the
 *                hypervisor must release them all.
 *
 * It prints "workload: MODE started" once set up, so a host can tell it
 * is running, and powers off when a time limit ends it.
 */
#include "events.h"
#include "hypercall.h"
#include "pt.h"
#include "timekeeping.h"

#define PT_SPACES_MAX 8
#define PT_PAGES      8
#define PT_BASE       0x0000004000000000UL /* L4 slot 0, a 256 GiB offset */
#define DESC_DATA     0x00cff2000000ffffUL

static void spin(unsigned long seconds)
{
    uint64_t start = time_now_ns(), next = start + NSEC_PER_SEC, last = start;
    unsigned long iterations = 0, second = 0, backwards = 0;
    volatile unsigned long sink = 0;

    for (;;) {
        uint64_t now;

        for (unsigned int i = 0; i < 100000; i++)
            sink += i;
        iterations++;
        /* System time must never go back, whichever CPU we are moved to. */
        now = time_now_ns();
        if (now < last)
            backwards++;
        last = now;
        if (now >= next) {
            printf("workload: second %lu, %lu iterations, time went back "
                   "%lu times\n",
                   ++second, iterations, backwards);
            iterations = 0;
            next += NSEC_PER_SEC;
            if (seconds && second >= seconds)
                return;
        }
    }
}

static void idle(unsigned long period_ms, unsigned long seconds)
{
    uint64_t end = time_now_ns() + seconds * NSEC_PER_SEC;

    while (!seconds || time_now_ns() < end)
        timer_sleep_ns(period_ms * NSEC_PER_MSEC);
}

static struct pt_space spaces[PT_SPACES_MAX];

static void pt_build(unsigned int n)
{
    unsigned long gdt = mm_alloc_page(), ldt = mm_alloc_page();
    unsigned long frames[1];
    uint16_t sel = 0x7; /* LDT entry 0, RPL 3 */
    long rc = 0;

    for (unsigned int i = 0; i < n && !rc; i++) {
        unsigned long pages[PT_PAGES];
        bool rw[PT_PAGES];

        for (unsigned int j = 0; j < PT_PAGES; j++) {
            pages[j] = mm_alloc_page();
            rw[j] = j % 3 != 0;
        }
        pt_space_build(&spaces[i], PT_BASE + i * PAGE_SIZE * PT_PAGES, pages,
                       rw, PT_PAGES);
        rc = pt_space_pin(&spaces[i]);
    }
    if (!rc && n > 1) /* a linear entry: space 1's L4 -> the kernel's L4 */
        rc =
            pt_update(pt_maddr(pt_space_l4_mfn(&spaces[1]), 300),
                      ((uint64_t)pt_current_l4() << PAGE_SHIFT) | PTE_RO_TABLE);
    rc = rc ?: pt_mmuext(MMUEXT_NEW_USER_BASEPTR, pt_space_l4_mfn(&spaces[0]));

    ((uint64_t *)gdt)[2] = DESC_DATA;
    ((uint64_t *)ldt)[0] = DESC_DATA;
    frames[0] = virt_to_mfn(gdt);
    rc = rc ?: pt_map_ro(gdt) ?: pt_map_ro(ldt);
    rc = rc ?: HYPERVISOR_set_gdt(frames, 512);
    if (!rc) {
        struct mmuext_op op = {
            .cmd = MMUEXT_SET_LDT, .arg1.linear_addr = ldt, .arg2.nr_ents = 1};

        rc = HYPERVISOR_mmuext_op(&op, 1, NULL, DOMID_SELF);
    }
    if (rc)
        guest_panic("mode=pt: building the page tables failed: %ld", rc);
    __asm__ __volatile__("mov %w0, %%fs" : : "r"(sel) : "memory");
    printf("workload: pt pinned (%u spaces, %u tables, a GDT and an LDT)\n", n,
           n * 4);
}

static void pt_churn(unsigned int n, unsigned long seconds)
{
    uint64_t start = time_now_ns(), next = start + NSEC_PER_SEC;
    unsigned long rounds = 0;

    while (!seconds || time_now_ns() < start + seconds * NSEC_PER_SEC) {
        long rc = pt_mmuext(MMUEXT_NEW_USER_BASEPTR, 0);

        for (unsigned int i = 0; i < n && !rc; i++)
            rc = pt_space_unpin(&spaces[i]);
        for (unsigned int i = 0; i < n && !rc; i++)
            rc = pt_space_pin(&spaces[i]);
        rc = rc
                 ?: pt_mmuext(MMUEXT_NEW_USER_BASEPTR,
                              pt_space_l4_mfn(&spaces[0]));
        if (rc)
            guest_panic("mode=pt churn: round %lu failed: %ld", rounds, rc);
        rounds++;
        if (time_now_ns() >= next) {
            printf("workload: pt churn, %lu rounds\n", rounds);
            next += NSEC_PER_SEC;
        }
    }
}

int guest_main(void)
{
    char mode[16];
    unsigned long seconds = cmdline_ulong("seconds", 0);
    long rc;

    guest_init_basic();
    rc = timer_init();
    if (rc)
        guest_panic("binding VIRQ_TIMER failed: %ld", rc);
    local_events_enable();
    if (!cmdline_value("mode", mode, sizeof(mode)))
        snprintf(mode, sizeof(mode), "idle");
    if (!strcmp(mode, "spin")) {
        printf("workload: spin started\n");
        spin(seconds);
    } else if (!strcmp(mode, "pt")) {
        unsigned int n = (unsigned int)MIN(cmdline_ulong("spaces", 4),
                                           (unsigned long)PT_SPACES_MAX);
        char buf[24];

        printf("workload: pt started\n");
        pt_build(n ? n : 1);
        if (cmdline_ulong("crash", 0))
            guest_panic("mode=pt: crashing with the tables pinned");
        if (cmdline_ulong("churn", 0))
            pt_churn(n ? n : 1, seconds);
        else if (seconds)
            idle(1000, seconds);
        else if (!cmdline_value("seconds", buf, sizeof(buf)))
            idle(1000, 0); /* no seconds=: until destroyed */
    } else if (!strcmp(mode, "idle")) {
        unsigned long period = cmdline_ulong("period", 1000);

        printf("workload: idle started (period %lu ms)\n", period);
        idle(period ? period : 1000, seconds);
    } else {
        guest_panic("unknown mode=%s (spin or idle)", mode);
    }
    printf("workload: %s done\n", mode);
    return 0;
}
