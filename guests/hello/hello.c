/* SPDX-License-Identifier: MIT */
/*
 * The reference PV guest.  It boots through the domain builder, prints
 * what start_info told it, installs its virtual IDT and callbacks, maps
 * shared_info, reads the clocks, runs a short self-test of the ABI it
 * depends on, prints how many hypercalls of each number it made, and
 * powers off (or crashes on purpose if a check failed, so the host sees
 * the failure in the shutdown reason too).
 *
 * Every hypercall here goes through the hypercall page the builder filled
 * (ELF note XEN_ELFNOTE_HYPERCALL_PAGE); one check also makes the same
 * call with a raw `syscall` and compares the answers.  The self-test ends
 * with xenstore (its domid and name, a node written, a watch: store.c) and
 * user processes, each on page tables the guest builds and pins itself,
 * switched on timer ticks, then torn down (proc.c).  While it lingers it
 * follows memory/target with a balloon (balloon.c).
 *
 * Command-line options (cmdline = "..." in its config):
 *   procs=N     run N user processes in the self-test (default 2, at most
 *               4; 0 for none, as the host-side ABI model pvemu needs)
 *   bench=N     after the self-test, time N null hypercalls (xen_version)
 *               and print the median round trip (bench/guests uses it)
 *   bench_mmu=R after the self-test, time mmu_update and pinning, R
 *               repetitions of each (bench_mmu.c; bench/domains/mmu.sh)
 *   xenbus=0    leave xenstore out of the self-test (pvemu has no store)
 *   linger=S    stay up S seconds after the self-test, waiting on xenstore
 *               watches: data/ping (echoed, answered in data/pong),
 *               memory/target (the balloon follows it; store.c, balloon.c)
 *               and device/vbd (disks attached and detached meanwhile),
 *               and serving its vif if it has one (net.c)
 *   disk=MODE   after the self-test, use the virtual disks (disk.c):
 *               check, durable (with seed=S), rounds (with rounds=R),
 *               bench (with ios=N random I/Os)
 *   ip=, ping=, udp=, net_bench=...  the network: see net.c
 */
#include "events.h"
#include "hello.h"
#include "hypercall.h"
#include "mm.h"
#include "timekeeping.h"
#include "traps.h"

#include <xen/features.h>

static unsigned int checks, failures;

void check(bool ok, const char *what, const char *fmt, ...)
{
    char detail[160] = "";
    va_list ap;

    checks++;
    if (fmt) {
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
    }
    if (ok) {
        printf("hello: check %u ok: %s%s%s\n", checks, what,
               *detail ? ", " : "", detail);
    } else {
        failures++;
        printf("hello: check %u FAILED: %s%s%s\n", checks, what,
               *detail ? ": " : "", detail);
    }
}

static void print_start_info(void)
{
    const start_info_t *si = start_info;

    printf("hello: pvisor reference guest, Xen x86-64 PV ABI\n");
    printf("hello: start_info at %p magic \"%.32s\"\n", (const void *)si,
           si->magic);
    printf("hello: nr_pages %lu (%lu MiB) shared_info maddr %#lx flags %#x\n",
           si->nr_pages, si->nr_pages >> 8, si->shared_info, si->flags);
    printf("hello: pt_base %#lx nr_pt_frames %lu mfn_list %#lx\n", si->pt_base,
           si->nr_pt_frames, si->mfn_list);
    printf("hello: store mfn %#lx evtchn %u, console mfn %#lx evtchn %u\n",
           si->store_mfn, si->store_evtchn, si->console.domU.mfn,
           si->console.domU.evtchn);
    printf("hello: cmdline \"%.*s\"\n", MAX_GUEST_CMDLINE,
           (const char *)si->cmd_line);
    printf("hello: padding pages %#lx-%#lx\n", mm_free_start, mm_free_end);
}

static void print_time(void)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed",
                                       "Thu", "Fri", "Sat"};
    uint64_t now = time_now_ns(), sec;
    uint32_t nsec;
    struct guest_tm tm;

    time_wallclock(&sec, &nsec);
    time_unix_to_tm((int64_t)sec, &tm);
    printf(
        "hello: system time %lu.%09lu s (pvclock mul %u shift %d flags %#x)\n",
        now / NSEC_PER_SEC, now % NSEC_PER_SEC, vcpu0->time.tsc_to_system_mul,
        vcpu0->time.tsc_shift, vcpu0->time.flags);
    printf("hello: the date is %s %04d-%02d-%02d %02d:%02d:%02d.%03u UTC\n",
           days[tm.wday], tm.year, tm.month, tm.day, tm.hour, tm.min, tm.sec,
           nsec / 1000000);
}

/* One trap of each kind the guest kernel must survive. */
static void selftest_traps(void)
{
    unsigned long hole = mm_unmapped_page(), rip;
    unsigned long before = trap_probe_reset();
    unsigned int num = 7, den = 0, quot = 0;
    uint8_t byte;
    long v;

    PROBE("ud2", ::: "memory");
    check(trap_last.vector == 6 && trap_counts[6] == 1, "#UD (ud2) caught",
          "vector %lu rip %#lx", trap_last.vector, trap_last.rip);

    trap_probe_reset();
    __asm__ __volatile__("lea 1f(%%rip), %0; int3; 1:" : "=r"(rip)::"memory");
    check(trap_last.vector == 3 && trap_last.rip == rip, "int3 caught",
          "vector %lu rip %#lx (after int3: %#lx)", trap_last.vector,
          trap_last.rip, rip);

    v = probe_read8(hole, &byte);
    check(v == 14 && trap_last.cr2 == hole && trap_last.error_code == 0,
          "#PF on an unmapped address caught", "vector %ld cr2 %#lx error %#lx",
          v, trap_last.cr2, trap_last.error_code);

    trap_probe_reset();
    PROBE("divl %[d]", : "+a"(num), "+d"(quot) : [d] "r"(den) : "memory");
    check(trap_last.vector == 0, "divide error caught", "vector %lu",
          trap_last.vector);

    check(trap_total() - before == 4, "every trap counted once and skipped",
          "%lu traps", trap_total() - before);
}

static void selftest_timer(void)
{
    unsigned long seen = timer_events;
    uint64_t start = time_now_ns(), end;
    long rc;

    rc = timer_set_singleshot(start + 10 * NSEC_PER_MSEC, 0);
    check(rc == 0, "VCPUOP_set_singleshot_timer(now + 10 ms)", "rc %ld", rc);
    if (rc)
        return;
    sched_block_until_changed(&timer_events, seen);
    end = time_now_ns();
    check(timer_events == seen + 1, "VIRQ_TIMER arrived once while blocked",
          "%lu events", timer_events - seen);
    check(end - start >= 10 * NSEC_PER_MSEC &&
              timer_last_ns >= start + 10 * NSEC_PER_MSEC,
          "time advanced by at least 10 ms", "%lu us", (end - start) / 1000);
}

static void selftest_clock(void)
{
    uint64_t prev = time_now_ns(), sec;
    uint32_t nsec;
    unsigned int backwards = 0;
    struct guest_tm tm;

    for (int i = 0; i < 1000; i++) {
        uint64_t now = time_now_ns();

        if (now < prev)
            backwards++;
        prev = now;
    }
    check(backwards == 0, "system time never goes backwards (1000 reads)",
          "%u steps back", backwards);
    time_wallclock(&sec, &nsec);
    time_unix_to_tm((int64_t)sec, &tm);
    check(tm.year >= 2020 && nsec < NSEC_PER_SEC,
          "wallclock is a plausible date", "year %d", tm.year);
}

static void selftest_version(void)
{
    xen_feature_info_t fi = {.submap_idx = 0};
    long ver = HYPERVISOR_xen_version(XENVER_version, NULL);
    long raw =
        hypercall_raw(__HYPERVISOR_xen_version, XENVER_version, 0, 0, 0, 0);
    long rc = HYPERVISOR_xen_version(XENVER_get_features, &fi);

    check(ver >= 0x30000, "xen_version(XENVER_version)", "%ld.%ld", ver >> 16,
          ver & 0xffff);
    check(raw == ver, "same answer through a raw syscall as through the page",
          "page %#lx raw %#lx", ver, raw);
    check(rc == 0 && !(fi.submap & (1U << XENFEAT_auto_translated_physmap)) &&
              !(fi.submap & (1U << XENFEAT_writable_page_tables)) &&
              !(fi.submap & (1U << XENFEAT_dom0)),
          "XENVER_get_features: PV domU (not translated, not dom0)",
          "rc %ld submap %#x", rc, fi.submap);
}

/* The hypercall page holds Xen's stubs: mov $nr, %eax; syscall; ... */
static void selftest_hypercall_page(void)
{
    static const uint8_t stub17[] = {0x51, 0x41, 0x53, 0xb8, 17,   0,    0,
                                     0,    0x0f, 0x05, 0x41, 0x5b, 0x59, 0xc3};
    static const uint8_t stub23[] = {0x51, 0x41, 0x53, 0x50, 0xb8, 23,
                                     0,    0,    0,    0x0f, 0x05};
    const uint8_t *page = (const uint8_t *)hypercall_page;
    bool ok17 =
        !memcmp(page + 17 * HYPERCALL_STUB_SIZE, stub17, sizeof(stub17));
    bool ok23 =
        !memcmp(page + 23 * HYPERCALL_STUB_SIZE, stub23, sizeof(stub23));

    check(ok17, "hypercall page stub 17 is push rcx/r11; mov $17,%eax; syscall",
          NULL);
    check(ok23, "hypercall page stub 23 (iret) pushes rcx/r11/rax first", NULL);
}

static unsigned long ipi_hits;
static void ipi_handler(evtchn_port_t port, void *arg)
{
    (void)port;
    (void)arg;
    ipi_hits++;
}

static void selftest_event(void)
{
    evtchn_port_t port = 0;
    long rc = evtchn_bind_ipi(0, &port);

    check(rc == 0 && port != 0, "EVTCHNOP_bind_ipi", "rc %ld port %u", rc,
          port);
    if (rc)
        return;
    evtchn_set_handler(port, ipi_handler, NULL);
    evtchn_unmask(port);
    rc = evtchn_send(port);
    /* Events are enabled: the upcall runs as the send hypercall returns. */
    check(rc == 0 && ipi_hits == 1, "EVTCHNOP_send to ourselves upcalls once",
          "rc %ld hits %lu", rc, ipi_hits);
    rc = evtchn_close(port);
    check(rc == 0, "EVTCHNOP_close", "rc %ld", rc);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Insertion sort: the guest library has no qsort, and n is small. */
static void sort_u64(uint64_t *v, unsigned int n)
{
    for (unsigned int i = 1; i < n; i++)
        for (unsigned int j = i; j && cmp_u64(&v[j - 1], &v[j]) > 0; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

uint64_t median_u64(uint64_t *v, unsigned int n)
{
    sort_u64(v, n);
    return v[n / 2];
}

uint64_t tsc_to_ns(uint64_t cycles)
{
    return pvclock_scale_delta(cycles, vcpu0->time.tsc_to_system_mul,
                               vcpu0->time.tsc_shift);
}

/*
 * bench=N: N null hypercalls in batches of 100, each batch timed with the
 * TSC; the median batch gives the round trip.  xen_version(XENVER_version)
 * is Xen's customary null call: no argument, no lock, a constant answer.
 */
#define BENCH_BATCH       100
#define BENCH_MAX_BATCHES 1000
static void bench_hypercalls(unsigned long n)
{
    static uint64_t batch[BENCH_MAX_BATCHES];
    unsigned int batches =
        (unsigned int)MIN(n / BENCH_BATCH, (unsigned long)BENCH_MAX_BATCHES);
    uint64_t med, t0, ns;

    if (!batches)
        batches = 1;
    for (unsigned int b = 0; b < batches; b++) {
        t0 = rdtsc_ordered();
        for (unsigned int i = 0; i < BENCH_BATCH; i++)
            HYPERVISOR_xen_version(XENVER_version, NULL);
        batch[b] = rdtsc_ordered() - t0;
    }
    med = median_u64(batch, batches);
    ns = tsc_to_ns(med);
    printf("hello: bench null-hypercall median %lu cycles %lu.%03lu us "
           "(%u batches of %u)\n",
           (unsigned long)(med / BENCH_BATCH),
           (unsigned long)(ns / BENCH_BATCH / 1000),
           (unsigned long)(ns / BENCH_BATCH % 1000), batches, BENCH_BATCH);
}

int guest_main(void)
{
    unsigned long linger;
    unsigned long snapshot[HYPERCALL_COUNT_SLOTS + 1];
    char line[400];
    long rc;

    print_start_info();
    traps_init();
    printf("hello: trap table and event/failsafe callbacks installed\n");
    mm_map_shared_info();
    printf("hello: shared_info mapped at %p\n", (void *)shared_info);
    rc = timer_init();
    if (rc)
        guest_panic("binding VIRQ_TIMER failed: %ld", rc);
    local_events_enable();
    print_time();

    printf("hello: self-test\n");
    selftest_traps();
    selftest_timer();
    selftest_clock();
    selftest_version();
    selftest_hypercall_page();
    selftest_event();
    if (cmdline_ulong("xenbus", 1))
        selftest_xenbus();
    if (cmdline_ulong("procs", 2))
        selftest_processes((unsigned int)cmdline_ulong("procs", 2));
    if (cmdline_value("disk", line, sizeof(line)) && line[0]) {
        char mode[16];

        memcpy(mode, line, sizeof(mode) - 1);
        mode[sizeof(mode) - 1] = '\0';
        disk_run(mode, cmdline_ulong("seed", 1),
                 !strcmp(mode, "rounds") ? cmdline_ulong("rounds", 5)
                                         : cmdline_ulong("ios", 1000));
    }
    if (failures)
        printf("hello: self-test FAILED (%u of %u checks)\n", failures, checks);
    else
        printf("hello: self-test passed (%u checks)\n", checks);
    if (cmdline_value("bench", line, sizeof(line)))
        bench_hypercalls(cmdline_ulong("bench", 100000));
    if (cmdline_value("bench_mmu", line, sizeof(line)))
        bench_mmu(cmdline_ulong("bench_mmu", 20));
    linger = cmdline_ulong("linger", 0);
    if (linger || (net_wanted() && cmdline_ulong("xenbus", 1))) {
        printf("hello: lingering %lu s\n", linger);
        store_linger(linger * NSEC_PER_SEC);
    }
    disk_close_all();

    /*
     * The counts include the console_io that prints them and the final
     * sched_op(shutdown): the line then accounts for every hypercall this
     * domain ever made, iret included.
     */
    local_events_disable();
    memcpy(snapshot, hypercall_counts, sizeof(snapshot));
    snapshot[__HYPERVISOR_console_io]++;
    snapshot[__HYPERVISOR_sched_op]++;
    rc = hypercall_format_counts(line, sizeof(line), snapshot);
    console_write(line, MIN((size_t)rc, sizeof(line) - 1));
    {
        struct sched_shutdown s = {
            .reason = failures ? SHUTDOWN_crash : SHUTDOWN_poweroff,
        };

        HYPERVISOR_sched_op(SCHEDOP_shutdown, &s);
    }
    guest_panic("SCHEDOP_shutdown returned");
}
