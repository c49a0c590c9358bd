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
 *
 * It prints "workload: MODE started" once set up, so a host can tell it
 * is running, and powers off when a time limit ends it.
 */
#include "events.h"
#include "hypercall.h"
#include "timekeeping.h"

static unsigned long cmdline_ulong(const char *key, unsigned long dflt)
{
    char buf[24];
    const char *v = cmdline_value(key, buf, sizeof(buf));
    unsigned long n = 0;

    if (!v || *v < '0' || *v > '9')
        return dflt;
    for (; *v >= '0' && *v <= '9'; v++)
        n = n * 10 + (unsigned long)(*v - '0');
    return n;
}

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
