/* SPDX-License-Identifier: MIT */
/*
 * pvemu: a user-space model of the Xen x86-64 PV ABI, just large enough to
 * run the guests of guests/ (linked low, at GUEST_EMU_BASE) as an ordinary
 * host process and check that they boot, trap, take events, keep time and
 * report.  It exercises the guest side for real -- entry stubs, Xen's
 * bounce frame, the iret hypercall and the `iretq` shortcut, the event
 * upcall, the hypercall page -- long before the hypervisor can run them.
 * It is a test of the guests, not a second hypervisor: its answers are
 * the ones guests/README.md and the reference ABI document give, and
 * anything the guests below do not need answers -ENOSYS.
 *
 * How it works, in a forked child per guest:
 *  - guest RAM is a memfd mapped at GUEST_EMU_BASE (pfn i at base + 4 KiB
 *    * i); "machine frames" are pfn + MFN_OFFSET; shared_info is a separate
 *    memfd page, mapped wherever update_va_mapping asks;
 *  - the start-of-day layout follows Xen's (kernel, p2m, start_info,
 *    xenstore, console, page tables read-only, boot stack, padding);
 *  - a seccomp filter turns every `syscall` executed inside the guest image
 *    into SIGSYS: that is the hypercall;
 *  - exceptions arrive as SIGSEGV/SIGILL/SIGFPE/SIGTRAP with the hardware
 *    vector and error code in the signal context; they are bounced to the
 *    guest's trap table with Xen's frame (U/S cleared in #PF error codes,
 *    cr2 in vcpu_info), or emulated (rdmsr, wrmsr, mov from CR, clts,
 *    int $n against the virtual DPL, the iretq shortcut);
 *  - time is one TSC-based clock published as a fixed pvclock; timers are
 *    checked on every entry and blocking sleeps until the next deadline.
 * The parent captures the console and the exit status (10 + shutdown
 * reason, or 50 for a crashed domain) and judges the TAP.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>
#include <cmocka.h>

#include <xen/callback.h>
#include <xen/elfnote.h>
#include <xen/errno.h>
#include <xen/event_channel.h>
#include <xen/features.h>
#include <xen/memory.h>
#include <xen/physdev.h>
#include <xen/platform.h>
#include <xen/sched.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/xen.h>

#define BASE           ((uint64_t)GUEST_EMU_BASE)
#define PAGE           4096UL
#define NR_PAGES       8192UL /* 32 MiB */
#define MFN_OFFSET     0x80000UL
#define SHINFO_MFN     0x7ffffUL
#define NR_PORTS       64
#define EXIT_REASON(r) (10 + (r))
#define EXIT_CRASH     50

/* ------------------------------------------------------------ state */

static int ram_fd, shinfo_fd;
static shared_info_t *shinfo; /* the emulator's own mapping */
static struct vcpu_info *vi;
static start_info_t *si;
static trap_info_t traps[256];
static uint64_t event_cb, failsafe_cb, syscall_cb;
static uint64_t fs_base, gs_kernel, gs_user, cr0_ts;
static unsigned int iopl;
static uint64_t iobmp, iobmp_ports;
static uint64_t tsc0, tsc_mul;
static int8_t tsc_shift;
static uint64_t oneshot, periodic, periodic_next;
static uint64_t runstate_gva;
static struct vcpu_runstate_info runstate;
static int in_multicall;
static struct {
    int used;
    int virq;
} ports[NR_PORTS];
static int timer_port;
static uint64_t hypercall_page_va;
static unsigned long emu_counts[65]; /* as the guest counts: >= 64 pooled */

/* The same line guests/lib/hypercall.c prints, from our side of the ABI. */
static void print_counts(void)
{
    char buf[600];
    int n = snprintf(buf, sizeof(buf), "pvemu hypercall counts:");

    for (unsigned int i = 0; i < 64; i++)
        if (emu_counts[i])
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, " %u=%lu", i,
                          emu_counts[i]);
    if (emu_counts[64])
        n += snprintf(buf + n, sizeof(buf) - (size_t)n, " other=%lu",
                      emu_counts[64]);
    n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\n");
    if (write(1, buf, (size_t)n) < 0)
        _exit(EXIT_CRASH);
}

static void crash(const char *fmt, ...)
    __attribute__((noreturn, format(printf, 1, 2)));
static void crash(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (write(2, "pvemu: domain crashed: ", 23) < 0 ||
        write(2, buf, (size_t)n) < 0 || write(2, "\n", 1) < 0)
        _exit(EXIT_CRASH);
    _exit(EXIT_CRASH);
}

/* ------------------------------------------------------------ time */

static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

static uint64_t mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t now_ns(void)
{
    uint64_t d = rdtsc() - tsc0;

    d = tsc_shift < 0 ? d >> -tsc_shift : d << tsc_shift;
    return (uint64_t)(((unsigned __int128)d * tsc_mul) >> 32);
}

static void time_init(void)
{
    uint64_t t0 = rdtsc(), m0 = mono_ns(), t1, m1;
    struct timespec ts = {0, 20000000};
    unsigned __int128 ratio;

    nanosleep(&ts, NULL);
    t1 = rdtsc();
    m1 = mono_ns();
    /* ns per tick as 32.32 fixed point, shifted until it fits 32 bits. */
    ratio = ((unsigned __int128)(m1 - m0) << 32) / (t1 - t0);
    tsc_shift = 0;
    while (ratio >> 32) {
        ratio >>= 1;
        tsc_shift++;
    }
    tsc_mul = (uint64_t)ratio;
    tsc0 = rdtsc();
    vi->time.version = 2;
    vi->time.tsc_timestamp = tsc0;
    vi->time.system_time = 0;
    vi->time.tsc_to_system_mul = (uint32_t)tsc_mul;
    vi->time.tsc_shift = tsc_shift;
    vi->time.flags = XEN_PVCLOCK_TSC_STABLE_BIT;
    clock_gettime(CLOCK_REALTIME, &ts);
    shinfo->wc_version = 2;
    shinfo->wc_sec = (uint32_t)ts.tv_sec;
    shinfo->wc_sec_hi = (uint32_t)((uint64_t)ts.tv_sec >> 32);
    shinfo->wc_nsec = (uint32_t)ts.tv_nsec;
}

/* ------------------------------------------------------------ guest memory */

static int addr_ok(uint64_t va)
{
    return va < (1ULL << 47) || va >= 0xffff880000000000ULL;
}

static int copy_from_guest(void *dst, uint64_t va, size_t n)
{
    struct iovec l = {dst, n}, r = {(void *)va, n};

    if (!n)
        return 0;
    if (!addr_ok(va))
        return -XEN_EFAULT;
    return process_vm_readv(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n
               ? 0
               : -XEN_EFAULT;
}

static int copy_to_guest(uint64_t va, const void *src, size_t n)
{
    struct iovec l = {(void *)src, n}, r = {(void *)va, n};

    if (!n)
        return 0;
    if (!addr_ok(va))
        return -XEN_EFAULT;
    return process_vm_writev(getpid(), &l, 1, &r, 1, 0) == (ssize_t)n
               ? 0
               : -XEN_EFAULT;
}

static uint64_t pfn_to_mfn(uint64_t pfn)
{
    return pfn + MFN_OFFSET;
}

/* ------------------------------------------------------------ events */

static void set_pending(int port)
{
    unsigned int w = (unsigned int)port / 64;
    xen_ulong_t m = 1UL << (port % 64);

    if (__atomic_fetch_or(&shinfo->evtchn_pending[w], m, __ATOMIC_SEQ_CST) & m)
        return;
    if (shinfo->evtchn_mask[w] & m)
        return;
    if (__atomic_fetch_or(&vi->evtchn_pending_sel, 1UL << w, __ATOMIC_SEQ_CST) &
        (1UL << w))
        return;
    vi->evtchn_upcall_pending = 1;
}

static int port_pending(unsigned int port)
{
    return port < 4096 &&
           (shinfo->evtchn_pending[port / 64] >> (port % 64)) & 1;
}

static void fire_timers(void)
{
    uint64_t now = now_ns();
    int fired = 0;

    if (oneshot && now >= oneshot) {
        oneshot = 0;
        fired = 1;
    }
    if (periodic && now >= periodic_next) {
        periodic_next = now + periodic;
        fired = 1;
    }
    if (fired && timer_port)
        set_pending(timer_port);
}

static uint64_t next_deadline(void)
{
    uint64_t d = ~0ULL;

    if (oneshot)
        d = oneshot;
    if (periodic && periodic_next < d)
        d = periodic_next;
    return d;
}

static void sleep_until(uint64_t deadline)
{
    uint64_t now = now_ns();
    struct timespec ts;

    if (deadline <= now)
        return;
    if (deadline - now > 50000000ULL)
        deadline = now + 50000000ULL; /* re-check every 50 ms at most */
    ts.tv_sec = (time_t)((deadline - now) / 1000000000ULL);
    ts.tv_nsec = (long)((deadline - now) % 1000000000ULL);
    nanosleep(&ts, NULL);
}

static void runstate_update(int state)
{
    uint64_t now = now_ns();

    runstate.time[runstate.state] += now - runstate.state_entry_time;
    runstate.state = state;
    runstate.state_entry_time = now;
    if (runstate_gva)
        copy_to_guest(runstate_gva, &runstate, sizeof(runstate));
}

/* ------------------------------------------------------------ bounces */

#define G(uc, r) ((uc)->uc_mcontext.gregs[r])

static void push(ucontext_t *uc, uint64_t *sp, uint64_t v)
{
    *sp -= 8;
    if (copy_to_guest(*sp, &v, 8))
        crash("bounce frame write fault at %#lx", (unsigned long)*sp);
}

static void bounce(ucontext_t *uc, uint64_t handler, int has_err, uint64_t err,
                   int mask_events)
{
    uint8_t saved = vi->evtchn_upcall_mask;
    uint64_t rsp = (uint64_t)G(uc, REG_RSP), sp = rsp & ~15ULL;
    uint64_t rflags =
        ((uint64_t)G(uc, REG_EFL) & ~0x200ULL) | (saved ? 0 : 0x200);

    if (!handler)
        crash("no handler");
    push(uc, &sp, FLAT_KERNEL_SS);
    push(uc, &sp, rsp);
    push(uc, &sp, rflags);
    push(uc, &sp, (FLAT_KERNEL_CS & ~3ULL) | ((uint64_t)saved << 32));
    push(uc, &sp, (uint64_t)G(uc, REG_RIP));
    if (has_err)
        push(uc, &sp, err);
    push(uc, &sp, (uint64_t)G(uc, REG_R11));
    push(uc, &sp, (uint64_t)G(uc, REG_RCX));
    G(uc, REG_RSP) = (greg_t)sp;
    G(uc, REG_RIP) = (greg_t)handler;
    G(uc, REG_EFL) &= ~(greg_t)0x40100; /* TF, AC */
    if (mask_events)
        vi->evtchn_upcall_mask = 1;
}

static void deliver(ucontext_t *uc, unsigned int vector, int has_err,
                    uint64_t err)
{
    if (!traps[vector].address)
        crash("unhandled vector %u (error %#lx) at rip %#lx", vector,
              (unsigned long)err, (unsigned long)G(uc, REG_RIP));
    bounce(uc, traps[vector].address, has_err, err, traps[vector].flags & 4);
}

static void check_events(ucontext_t *uc)
{
    fire_timers();
    if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask && event_cb)
        bounce(uc, event_cb, 0, 0, 1);
}

/* ------------------------------------------------------------ hypercalls */

static long do_iret(ucontext_t *uc)
{
    uint64_t f[9];

    if (copy_from_guest(f, (uint64_t)G(uc, REG_RSP), sizeof(f)))
        crash("iret frame unreadable");
    if ((f[5] & 3) == 3 && (f[5] & 0xffff) != FLAT_KERNEL_CS)
        crash("iret to user mode is not modelled");
    G(uc, REG_RAX) = (greg_t)f[0];
    G(uc, REG_R11) = (greg_t)f[1];
    G(uc, REG_RCX) = (greg_t)f[2];
    G(uc, REG_RIP) = (greg_t)f[4];
    G(uc, REG_EFL) = (greg_t)((f[6] & 0xdd5) | 0x202);
    G(uc, REG_RSP) = (greg_t)f[7];
    vi->evtchn_upcall_mask = !(f[6] & 0x200);
    return 0;
}

static long evtchn_op(unsigned long cmd, uint64_t arg)
{
    union {
        struct evtchn_bind_virq virq;
        struct evtchn_bind_ipi ipi;
        struct evtchn_send send;
        struct evtchn_close close;
    } u;
    int p;

    switch (cmd) {
    case EVTCHNOP_bind_virq:
    case EVTCHNOP_bind_ipi:
        if (copy_from_guest(&u, arg,
                            cmd == EVTCHNOP_bind_virq ? sizeof(u.virq)
                                                      : sizeof(u.ipi)))
            return -XEN_EFAULT;
        for (p = 1; p < NR_PORTS && ports[p].used; p++)
            ;
        if (p == NR_PORTS)
            return -XEN_ENOSPC;
        ports[p].used = 1;
        ports[p].virq = cmd == EVTCHNOP_bind_virq ? (int)u.virq.virq : -1;
        if (cmd == EVTCHNOP_bind_virq) {
            if (u.virq.virq == VIRQ_TIMER)
                timer_port = p;
            u.virq.port = (evtchn_port_t)p;
            return copy_to_guest(arg, &u, sizeof(u.virq));
        }
        u.ipi.port = (evtchn_port_t)p;
        return copy_to_guest(arg, &u, sizeof(u.ipi));
    case EVTCHNOP_send:
        if (copy_from_guest(&u, arg, sizeof(u.send)))
            return -XEN_EFAULT;
        if (u.send.port >= NR_PORTS || !ports[u.send.port].used)
            return -XEN_EINVAL;
        set_pending((int)u.send.port);
        return 0;
    case EVTCHNOP_close:
        if (copy_from_guest(&u, arg, sizeof(u.close)))
            return -XEN_EFAULT;
        if (u.close.port >= NR_PORTS || !ports[u.close.port].used)
            return -XEN_EINVAL;
        ports[u.close.port].used = 0;
        if ((int)u.close.port == timer_port)
            timer_port = 0;
        return 0;
    }
    return -XEN_ENOSYS;
}

static long do_poll(uint64_t arg)
{
    struct sched_poll p;
    evtchn_port_t pv[128];

    if (copy_from_guest(&p, arg, sizeof(p)))
        return -XEN_EFAULT;
    if (p.nr_ports > 128)
        return -XEN_EINVAL;
    if (p.nr_ports && !addr_ok((uint64_t)p.ports.p))
        return -XEN_EFAULT;
    runstate_update(RUNSTATE_blocked);
    for (;;) {
        uint8_t was_pending = vi->evtchn_upcall_pending;

        fire_timers();
        if (vi->evtchn_upcall_pending && !vi->evtchn_upcall_mask)
            break;
        if (p.nr_ports) {
            if (copy_from_guest(pv, (uint64_t)p.ports.p,
                                p.nr_ports * sizeof(pv[0]))) {
                runstate_update(RUNSTATE_running);
                return -XEN_EFAULT;
            }
            for (unsigned int i = 0; i < p.nr_ports; i++) {
                if (pv[i] >= 4096) {
                    runstate_update(RUNSTATE_running);
                    return -XEN_EINVAL;
                }
                if (port_pending(pv[i]))
                    goto out;
            }
        }
        if (!was_pending && vi->evtchn_upcall_pending)
            break; /* a new event kicks the vCPU, as vcpu_kick does */
        if (p.timeout && now_ns() >= p.timeout)
            break;
        sleep_until(p.timeout ? (p.timeout < next_deadline() ? p.timeout
                                                             : next_deadline())
                              : next_deadline());
        if (next_deadline() == ~0ULL && !p.timeout && !p.nr_ports)
            break;
    }
out:
    runstate_update(RUNSTATE_running);
    return 0;
}

static long sched_op(unsigned long cmd, uint64_t arg)
{
    struct sched_shutdown sd;

    switch (cmd) {
    case SCHEDOP_yield:
        return 0;
    case SCHEDOP_block:
        vi->evtchn_upcall_mask = 0;
        runstate_update(RUNSTATE_blocked);
        for (int i = 0; i < 200 && !vi->evtchn_upcall_pending; i++) {
            fire_timers();
            if (vi->evtchn_upcall_pending)
                break;
            sleep_until(next_deadline() == ~0ULL ? now_ns() + 1000000
                                                 : next_deadline());
        }
        runstate_update(RUNSTATE_running);
        return 0;
    case SCHEDOP_shutdown:
        if (copy_from_guest(&sd, arg, sizeof(sd)))
            return -XEN_EFAULT;
        print_counts();
        _exit(EXIT_REASON(sd.reason & 0xff));
    case SCHEDOP_shutdown_code:
        return copy_from_guest(&sd, arg, sizeof(sd));
    case SCHEDOP_poll:
        return do_poll(arg);
    case SCHEDOP_remote_shutdown: {
        struct sched_remote_shutdown rs;

        /* The model has no other domains (and no domid of its own). */
        return copy_from_guest(&rs, arg, sizeof(rs)) ? -XEN_EFAULT : -XEN_ESRCH;
    }
    case SCHEDOP_pin_override:
        return -XEN_EPERM;
    }
    return -XEN_ENOSYS;
}

static long vcpu_op(unsigned long cmd, unsigned long vcpu, uint64_t arg)
{
    struct vcpu_set_singleshot_timer ss;
    struct vcpu_set_periodic_timer per;
    uint64_t area;

    if ((unsigned int)vcpu != 0)
        return -XEN_ENOENT;
    switch (cmd) {
    case VCPUOP_is_up:
        return 1;
    case VCPUOP_get_runstate_info:
        runstate_update(RUNSTATE_running);
        return copy_to_guest(arg, &runstate, sizeof(runstate));
    case VCPUOP_register_runstate_memory_area:
        if (copy_from_guest(&area, arg, sizeof(area)) || !addr_ok(area))
            return -XEN_EFAULT;
        runstate_gva = area;
        runstate_update(RUNSTATE_running);
        return 0;
    case VCPUOP_set_periodic_timer:
        if (copy_from_guest(&per, arg, sizeof(per)))
            return -XEN_EFAULT;
        if (per.period_ns < 1000000 || per.period_ns > (1ULL << 62))
            return -XEN_EINVAL;
        periodic = per.period_ns;
        periodic_next = now_ns();
        return 0;
    case VCPUOP_stop_periodic_timer:
        periodic = 0;
        return 0;
    case VCPUOP_set_singleshot_timer:
        if (copy_from_guest(&ss, arg, sizeof(ss)))
            return -XEN_EFAULT;
        if (ss.timeout_abs_ns < now_ns() && (ss.flags & VCPU_SSHOTTMR_future))
            return -XEN_ETIME;
        oneshot = ss.timeout_abs_ns ? ss.timeout_abs_ns : 1;
        return 0;
    case VCPUOP_stop_singleshot_timer:
        oneshot = 0;
        return 0;
    }
    return -XEN_ENOSYS;
}

static long xen_version(unsigned long cmd, uint64_t arg)
{
    static const char caps[] = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_64";
    char buf[1024];
    xen_feature_info_t fi;

    memset(buf, 0, sizeof(buf));
    switch (cmd) {
    case XENVER_version:
        return (4 << 16) | 17;
    case XENVER_extraversion:
        strcpy(buf, ".0-pvemu");
        return copy_to_guest(arg, buf, sizeof(xen_extraversion_t));
    case XENVER_compile_info:
        return copy_to_guest(arg, buf, sizeof(xen_compile_info_t));
    case XENVER_capabilities:
        strcpy(buf, caps);
        return copy_to_guest(arg, buf, sizeof(xen_capabilities_info_t));
    case XENVER_changeset:
        strcpy(buf, "pvemu");
        return copy_to_guest(arg, buf, sizeof(xen_changeset_info_t));
    case XENVER_platform_parameters: {
        xen_platform_parameters_t pp = {.virt_start = HYPERVISOR_VIRT_START};

        return copy_to_guest(arg, &pp, sizeof(pp));
    }
    case XENVER_get_features:
        if (copy_from_guest(&fi, arg, sizeof(fi)))
            return -XEN_EFAULT;
        if (fi.submap_idx != 0)
            return -XEN_EINVAL;
        fi.submap = (1U << XENFEAT_mmu_pt_update_preserve_ad) |
                    (1U << XENFEAT_highmem_assist) |
                    (1U << XENFEAT_gnttab_map_avail_bits) |
                    (1U << XENFEAT_memory_op_vnode_supported);
        return copy_to_guest(arg, &fi, sizeof(fi));
    case XENVER_pagesize:
        return arg ? -XEN_EINVAL : 4096;
    case XENVER_guest_handle:
        return copy_to_guest(arg, buf, sizeof(xen_domain_handle_t));
    case XENVER_commandline:
        return copy_to_guest(arg, "<denied>", 9);
    case XENVER_build_id:
        return -XEN_EPERM;
    }
    return -XEN_ENOSYS;
}

static long update_va_mapping(uint64_t va, uint64_t pte)
{
    uint64_t mfn = (pte & 0x000ffffffffff000ULL) >> 12;
    int prot = (pte & 2) ? PROT_READ | PROT_WRITE : PROT_READ;
    void *r;

    if (va < BASE || va >= BASE + NR_PAGES * PAGE || (va & (PAGE - 1)))
        return -XEN_EINVAL;
    if (!(pte & 1))
        return mprotect((void *)va, PAGE, PROT_NONE) ? -XEN_EINVAL : 0;
    if (mfn == SHINFO_MFN)
        r = mmap((void *)va, PAGE, prot, MAP_SHARED | MAP_FIXED, shinfo_fd, 0);
    else if (mfn >= MFN_OFFSET && mfn < MFN_OFFSET + NR_PAGES)
        r = mmap((void *)va, PAGE, prot | PROT_EXEC, MAP_SHARED | MAP_FIXED,
                 ram_fd, (off_t)((mfn - MFN_OFFSET) * PAGE));
    else
        return -XEN_EINVAL;
    return r == MAP_FAILED ? -XEN_EINVAL : 0;
}

static long hypercall(ucontext_t *uc, unsigned long nr, const uint64_t a[5]);

static long physdev_op(unsigned long cmd, uint64_t arg)
{
    union {
        struct physdev_set_iopl iopl;
        struct physdev_set_iobitmap bm;
        struct physdev_apic apic;
        struct physdev_manage_pci pci;
    } u;

    switch (cmd) {
    case PHYSDEVOP_set_iopl:
        if (copy_from_guest(&u, arg, sizeof(u.iopl)))
            return -XEN_EFAULT;
        if (u.iopl.iopl > 3)
            return -XEN_EINVAL;
        iopl = u.iopl.iopl;
        return 0;
    case PHYSDEVOP_set_iobitmap:
        if (copy_from_guest(&u, arg, sizeof(u.bm)))
            return -XEN_EFAULT;
        if (!addr_ok((uint64_t)u.bm.bitmap.p) || u.bm.nr_ports > 65536)
            return -XEN_EINVAL;
        iobmp = (uint64_t)u.bm.bitmap.p;
        iobmp_ports = u.bm.nr_ports;
        return 0;
    case PHYSDEVOP_apic_read:
        return copy_from_guest(&u, arg, sizeof(u.apic)) ? -XEN_EFAULT
                                                        : -XEN_EPERM;
    case PHYSDEVOP_manage_pci_add:
        return copy_from_guest(&u, arg, sizeof(u.pci)) ? -XEN_EFAULT
                                                       : -XEN_EPERM;
    }
    return -XEN_ENOSYS;
}

/* IOPL counts the guest kernel as ring 1; else the guest's I/O bitmap. */
static int io_allowed(unsigned int port)
{
    uint8_t byte;

    if (iopl >= 1)
        return 1;
    if (port >= iobmp_ports || copy_from_guest(&byte, iobmp + port / 8, 1))
        return 0;
    return !((byte >> (port % 8)) & 1);
}

static long multicall(ucontext_t *uc, uint64_t list, unsigned long nr)
{
    multicall_entry_t e;

    if (in_multicall)
        return -XEN_EINVAL;
    if (!addr_ok(list))
        return -XEN_EFAULT;
    in_multicall = 1;
    for (unsigned int i = 0; i < (unsigned int)nr; i++) {
        uint64_t a[5];

        if (copy_from_guest(&e, list + i * sizeof(e), sizeof(e))) {
            in_multicall = 0;
            return -XEN_EFAULT;
        }
        memcpy(a, e.args, sizeof(a));
        e.result = (xen_ulong_t)hypercall(uc, e.op, a);
        if (copy_to_guest(list + i * sizeof(e) +
                              offsetof(multicall_entry_t, result),
                          &e.result, sizeof(e.result))) {
            in_multicall = 0;
            return -XEN_EFAULT;
        }
    }
    in_multicall = 0;
    return 0;
}

static long callback_op(unsigned long cmd, uint64_t arg)
{
    struct callback_register r;

    if (cmd != CALLBACKOP_register && cmd != CALLBACKOP_unregister)
        return -XEN_ENOSYS;
    if (copy_from_guest(&r, arg, cmd == CALLBACKOP_register ? sizeof(r) : 4))
        return -XEN_EFAULT;
    if (cmd == CALLBACKOP_unregister) {
        switch (r.type) {
        case CALLBACKTYPE_nmi:
            return 0;
        case CALLBACKTYPE_event:
        case CALLBACKTYPE_failsafe:
        case CALLBACKTYPE_syscall:
        case CALLBACKTYPE_syscall32:
        case CALLBACKTYPE_sysenter:
            return -XEN_EINVAL;
        }
        return -XEN_ENOSYS;
    }
    if ((int64_t)(r.address << 16) >> 16 != (int64_t)r.address)
        return -XEN_EINVAL;
    switch (r.type) {
    case CALLBACKTYPE_event:
        event_cb = r.address;
        return 0;
    case CALLBACKTYPE_failsafe:
        failsafe_cb = r.address;
        return 0;
    case CALLBACKTYPE_syscall:
        syscall_cb = r.address;
        return 0;
    case CALLBACKTYPE_syscall32:
    case CALLBACKTYPE_sysenter:
    case CALLBACKTYPE_nmi:
        return 0;
    }
    return -XEN_ENOSYS;
}

static long set_trap_table(uint64_t list)
{
    trap_info_t t;

    if (!list) {
        memset(traps, 0, sizeof(traps));
        return 0;
    }
    for (;; list += sizeof(t)) {
        if (copy_from_guest(&t, list, sizeof(t)))
            return -XEN_EFAULT;
        if (!t.address)
            return 0;
        if ((int64_t)(t.address << 16) >> 16 != (int64_t)t.address)
            return -XEN_EINVAL;
        traps[t.vector] = t;
    }
}

static long hypercall(ucontext_t *uc, unsigned long nr, const uint64_t a[5])
{
    char buf[4096];

    switch (nr) {
    case __HYPERVISOR_set_trap_table:
        return set_trap_table(a[0]);
    case __HYPERVISOR_stack_switch:
        return 0;
    case __HYPERVISOR_set_callbacks: {
        uint64_t *cbs[3] = {&event_cb, &failsafe_cb, &syscall_cb};

        for (int i = 0; i < 3; i++)
            if ((int64_t)(a[i] << 16) >> 16 == (int64_t)a[i])
                *cbs[i] = a[i];
        return 0;
    }
    case __HYPERVISOR_fpu_taskswitch:
        cr0_ts = (int)a[0] ? 8 : 0;
        return 0;
    case __HYPERVISOR_platform_op: {
        struct xen_platform_op op;

        if (copy_from_guest(&op, a[0], sizeof(op)))
            return -XEN_EFAULT;
        return op.interface_version != XENPF_INTERFACE_VERSION ? -XEN_EACCES
                                                               : -XEN_EPERM;
    }
    case __HYPERVISOR_multicall:
        return multicall(uc, a[0], a[1]);
    case __HYPERVISOR_update_va_mapping:
        return update_va_mapping(a[0], a[1]);
    case __HYPERVISOR_set_timer_op: {
        int64_t t = (int64_t)a[0], off = t - (int64_t)now_ns();

        if (t == 0)
            oneshot = 0;
        else if (t < 0 || (off > 0 && (uint32_t)(off >> 50)))
            oneshot = now_ns() + 100000000ULL;
        else
            oneshot = (uint64_t)t;
        return 0;
    }
    case __HYPERVISOR_xen_version:
        return xen_version(a[0], a[1]);
    case __HYPERVISOR_console_io:
        if ((unsigned int)a[0] == CONSOLEIO_read)
            return 0;
        if ((unsigned int)a[0] != CONSOLEIO_write)
            return -XEN_ENOSYS;
        for (uint64_t done = 0; done < a[1];) {
            size_t n =
                (size_t)(a[1] - done < sizeof(buf) ? a[1] - done : sizeof(buf));

            if (copy_from_guest(buf, a[2] + done, n))
                return -XEN_EFAULT;
            if (write(1, buf, n) < 0)
                return -XEN_EIO;
            done += n;
        }
        return 0;
    case __HYPERVISOR_vm_assist:
        if ((unsigned int)a[1] >= 64 ||
            !((0x10000003fULL >> (unsigned int)a[1]) & 1))
            return -XEN_EINVAL;
        return (unsigned int)a[0] <= VMASST_CMD_disable ? 0 : -XEN_ENOSYS;
    case __HYPERVISOR_vcpu_op:
        return vcpu_op(a[0], a[1], a[2]);
    case __HYPERVISOR_set_segment_base:
        if ((unsigned int)a[0] > SEGBASE_GS_USER_SEL)
            return -XEN_EINVAL;
        if ((unsigned int)a[0] != SEGBASE_GS_USER_SEL &&
            (int64_t)(a[1] << 16) >> 16 != (int64_t)a[1])
            return -XEN_EINVAL;
        if (a[0] == SEGBASE_FS)
            fs_base = a[1];
        else if (a[0] == SEGBASE_GS_USER)
            gs_user = a[1];
        else if (a[0] == SEGBASE_GS_KERNEL)
            gs_kernel = a[1];
        return 0;
    case __HYPERVISOR_sched_op:
        return sched_op(a[0], a[1]);
    case __HYPERVISOR_callback_op:
        return callback_op(a[0], a[1]);
    case __HYPERVISOR_event_channel_op:
        return evtchn_op(a[0], a[1]);
    case __HYPERVISOR_physdev_op:
        return physdev_op(a[0], a[1]);
    case __HYPERVISOR_memory_op:
        if ((a[0] & 0x3f) == XENMEM_memory_map) {
            struct xen_memory_map map;

            /* Xen copies the argument in first; no toolstack map here. */
            return copy_from_guest(&map, a[1], sizeof(map)) ? -XEN_EFAULT
                                                            : -XEN_ENOSYS;
        }
        if ((a[0] & 0x3f) == XENMEM_maximum_ram_page)
            return (long)(MFN_OFFSET + NR_PAGES);
        if ((a[0] & 0x3f) == XENMEM_machphys_mapping) {
            struct xen_machphys_mapping m = {
                .v_start = MACH2PHYS_VIRT_START,
                .v_end = MACH2PHYS_VIRT_END,
                .max_mfn = MACH2PHYS_NR_ENTRIES - 1,
            };

            return copy_to_guest(a[1], &m, sizeof(m));
        }
        if ((a[0] & 0x3f) == XENMEM_current_reservation ||
            (a[0] & 0x3f) == XENMEM_maximum_reservation) {
            domid_t d;

            if (copy_from_guest(&d, a[1], sizeof(d)))
                return -XEN_EFAULT;
            return d == DOMID_SELF ? (long)NR_PAGES : -XEN_ESRCH;
        }
        return -XEN_ENOSYS;
    }
    return -XEN_ENOSYS;
}

static void on_sigsys(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    unsigned long nr = (unsigned long)G(uc, REG_RAX);
    uint64_t a[5] = {
        (uint64_t)G(uc, REG_RDI), (uint64_t)G(uc, REG_RSI),
        (uint64_t)G(uc, REG_RDX), (uint64_t)G(uc, REG_R10),
        (uint64_t)G(uc, REG_R8),
    };

    (void)sig;
    nr = (unsigned long)info->si_syscall;
    emu_counts[nr < 64 ? nr : 64]++;
    if (nr == __HYPERVISOR_iret)
        do_iret(uc);
    else
        G(uc, REG_RAX) = (greg_t)hypercall(uc, nr, a);
    check_events(uc);
}

/* ------------------------------------------------------------ emulation */

#define MSR_EFER           0xc0000080U
#define MSR_FS_BASE        0xc0000100U
#define MSR_GS_BASE        0xc0000101U
#define MSR_SHADOW_GS_BASE 0xc0000102U
#define MSR_PAT            0x277U
#define MSR_APIC_BASE      0x1bU

static greg_t *gpr(ucontext_t *uc, unsigned int n)
{
    static const int map[16] = {
        REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
        REG_R8,  REG_R9,  REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15};

    return &uc->uc_mcontext.gregs[map[n & 15]];
}

/* Returns 1 if the #GP at rip was an instruction we emulate. */
static int emulate_gp(ucontext_t *uc)
{
    uint64_t rip = (uint64_t)G(uc, REG_RIP), v;
    uint8_t b[4] = {0};
    unsigned int rex = 0, i = 0;

    copy_from_guest(b, rip, sizeof(b));
    if (b[0] == 0x48 && b[1] == 0xcf) { /* iretq shortcut, kernel->kernel */
        uint64_t f[5];

        if (copy_from_guest(f, (uint64_t)G(uc, REG_RSP), sizeof(f)))
            crash("iretq frame unreadable");
        G(uc, REG_RIP) = (greg_t)f[0];
        G(uc, REG_EFL) = (greg_t)((f[2] & 0xdd5) | 0x202);
        G(uc, REG_RSP) = (greg_t)f[3];
        return 1;
    }
    switch (b[0]) {
    case 0xe4: /* in $imm8, %al */
    case 0xe6: /* out %al, $imm8 */
    case 0xec: /* in %dx, %al */
    case 0xee: /* out %al, %dx */
        if (!io_allowed(b[0] < 0xec ? b[1] : (uint16_t)G(uc, REG_RDX)))
            return 0;
        if (!(b[0] & 2)) /* reads of ports we do not own are all-ones */
            G(uc, REG_RAX) |= 0xff;
        G(uc, REG_RIP) += b[0] < 0xec ? 2 : 1;
        return 1;
    case 0xfa: /* cli */
    case 0xfb: /* sti */
        if (iopl < 1)
            return 0;
        G(uc, REG_RIP) += 1;
        return 1;
    }
    if ((b[0] & 0xf0) == 0x40) {
        rex = b[0];
        i = 1;
    }
    if (b[i] != 0x0f)
        return 0;
    switch (b[i + 1]) {
    case 0x32: /* rdmsr */
        switch ((uint32_t)G(uc, REG_RCX)) {
        case MSR_FS_BASE:
            v = fs_base;
            break;
        case MSR_GS_BASE:
            v = gs_kernel;
            break;
        case MSR_SHADOW_GS_BASE:
            v = gs_user;
            break;
        case MSR_EFER:
            v = 0xd01;
            break;
        case MSR_PAT:
            v = 0x0000050100070406ULL;
            break;
        case MSR_APIC_BASE:
            v = 0xfee00900ULL;
            break;
        default:
            return 0;
        }
        G(uc, REG_RAX) = (greg_t)(uint32_t)v;
        G(uc, REG_RDX) = (greg_t)(v >> 32);
        G(uc, REG_RIP) += 2;
        return 1;
    case 0x30: /* wrmsr */
        v = ((uint64_t)(uint32_t)G(uc, REG_RDX) << 32) |
            (uint32_t)G(uc, REG_RAX);
        if ((int64_t)(v << 16) >> 16 != (int64_t)v)
            return 0;
        switch ((uint32_t)G(uc, REG_RCX)) {
        case MSR_FS_BASE:
            fs_base = v;
            break;
        case MSR_GS_BASE:
            gs_kernel = v;
            break;
        case MSR_SHADOW_GS_BASE:
            gs_user = v;
            break;
        case MSR_EFER:
            if (v != 0xd01) /* EFER may only be "written" unchanged */
                return 0;
            break;
        default:
            return 0;
        }
        G(uc, REG_RIP) += 2;
        return 1;
    case 0x06: /* clts */
        cr0_ts = 0;
        G(uc, REG_RIP) += 2;
        return 1;
    case 0x20: { /* mov %crN, reg */
        unsigned int modrm = b[i + 2], cr = (modrm >> 3) & 7;
        unsigned int reg = (modrm & 7) | ((rex & 1) << 3);

        if (cr == 0)
            v = 0x80050033ULL | cr0_ts;
        else if (cr == 3)
            v = pfn_to_mfn((si->pt_base - BASE) / PAGE) << 12;
        else if (cr == 4)
            v = 0x6f0;
        else if (cr == 2)
            v = vi->arch.cr2;
        else
            return 0;
        *gpr(uc, reg) = (greg_t)v;
        G(uc, REG_RIP) += i + 3;
        return 1;
    }
    }
    return 0;
}

/* ud2; "xen"; cpuid: the domain's CPUID policy, Xen leaves included. */
static int emulate_fep_cpuid(ucontext_t *uc)
{
    static const uint8_t fep[] = {0x0f, 0x0b, 0x78, 0x65, 0x6e, 0x0f, 0xa2};
    uint8_t b[sizeof(fep)];
    uint32_t leaf = (uint32_t)G(uc, REG_RAX), sub = (uint32_t)G(uc, REG_RCX);
    uint32_t r[4] = {0, 0, 0, 0};

    if (copy_from_guest(b, (uint64_t)G(uc, REG_RIP), sizeof(b)) ||
        memcmp(b, fep, sizeof(fep)))
        return 0;
    if (leaf >= 0x40000000 && leaf < 0x40000100) {
        switch (leaf) {
        case 0x40000000:
            r[0] = 0x40000005, r[1] = 0x566e6558, r[2] = 0x65584d4d,
            r[3] = 0x4d4d566e;
            break;
        case 0x40000001:
            r[0] = (4 << 16) | 17;
            break;
        case 0x40000002:
            r[0] = 1, r[1] = 0x40000000;
            break;
        }
    } else {
        __asm__ __volatile__("cpuid"
                             : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
                             : "a"(leaf), "c"(sub));
        if (leaf == 1) {
            r[3] &=
                ~((1U << 1) | (1U << 3) | (1U << 12) | (1U << 13) | (1U << 17));
            r[2] &=
                ~((1U << 3) | (1U << 5) | (1U << 17) | (1U << 21) | (1U << 24));
            r[2] |= 1U << 31;
        } else if (leaf == 7 && sub == 0) {
            r[1] &= ~((1U << 7) | (1U << 20));
            r[2] &= ~((1U << 2) | (1U << 3) | (1U << 16));
        } else if (leaf == 0x80000001) {
            r[2] &= ~(1U << 2);
        }
    }
    G(uc, REG_RAX) = r[0];
    G(uc, REG_RBX) = r[1];
    G(uc, REG_RCX) = r[2];
    G(uc, REG_RDX) = r[3];
    G(uc, REG_RIP) += sizeof(fep);
    return 1;
}

static void on_fault(int sig, siginfo_t *info, void *ctx)
{
    ucontext_t *uc = ctx;
    unsigned int trapno = (unsigned int)G(uc, REG_TRAPNO);
    uint64_t err = (uint64_t)G(uc, REG_ERR);

    (void)info;
    fire_timers();
    switch (sig) {
    case SIGSEGV:
        if (trapno == 14) {
            vi->arch.cr2 = (uint64_t)G(uc, REG_CR2);
            deliver(uc, 14, 1, err & ~4ULL); /* guest-kernel mode: U/S clear */
            break;
        }
        if (emulate_gp(uc))
            break;
        if ((err & 7) == 2) { /* int $n through a DPL-0 IDT gate */
            unsigned int vec = (unsigned int)(err >> 3);

            if (traps[vec].address && (traps[vec].flags & 3) >= 1) {
                G(uc, REG_RIP) += 2;
                deliver(uc, vec, 0, 0);
                break;
            }
        }
        deliver(uc, 13, 1, err);
        break;
    case SIGILL:
        if (!emulate_fep_cpuid(uc))
            deliver(uc, 6, 0, 0);
        break;
    case SIGFPE:
        deliver(uc, trapno, 0, 0);
        break;
    case SIGTRAP:
        deliver(uc, 3, 0, 0);
        break;
    default:
        crash("signal %d", sig);
    }
    check_events(uc);
}

/* ------------------------------------------------------------ builder */

struct loaded {
    uint64_t entry, hypercall_page, end;
};

static void load_elf(const char *path, struct loaded *l)
{
    FILE *f = fopen(path, "rb");
    Elf64_Ehdr eh;
    Elf64_Phdr ph;

    memset(l, 0, sizeof(*l));
    if (!f || fread(&eh, sizeof(eh), 1, f) != 1)
        crash("cannot read %s", path);
    l->entry = eh.e_entry;
    for (unsigned int i = 0; i < eh.e_phnum; i++) {
        fseek(f, (long)(eh.e_phoff + i * sizeof(ph)), SEEK_SET);
        if (fread(&ph, sizeof(ph), 1, f) != 1)
            crash("bad phdr");
        if (ph.p_type == PT_LOAD) {
            if (ph.p_vaddr != BASE + ph.p_paddr ||
                ph.p_paddr + ph.p_memsz > 4 << 20)
                crash("segment outside the expected layout");
            fseek(f, (long)ph.p_offset, SEEK_SET);
            if (ph.p_filesz &&
                fread((void *)(BASE + ph.p_paddr), ph.p_filesz, 1, f) != 1)
                crash("short segment");
            if (ph.p_paddr + ph.p_memsz > l->end)
                l->end = ph.p_paddr + ph.p_memsz;
        } else if (ph.p_type == PT_NOTE) {
            char *n = malloc(ph.p_filesz);
            size_t off = 0;

            fseek(f, (long)ph.p_offset, SEEK_SET);
            if (!n || fread(n, ph.p_filesz, 1, f) != 1)
                crash("bad notes");
            while (off + 12 <= ph.p_filesz) {
                uint32_t *h = (uint32_t *)(n + off);
                char *desc = n + off + 12 + ((h[0] + 3) & ~3U);

                if (h[2] == XEN_ELFNOTE_HYPERCALL_PAGE && h[1] == 8)
                    memcpy(&l->hypercall_page, desc, 8);
                off = (size_t)(desc - n) + ((h[1] + 3) & ~3U);
            }
            free(n);
        }
    }
    fclose(f);
}

static void fill_hypercall_page(uint64_t va)
{
    uint8_t *p = (uint8_t *)va;

    memset(p, 0xcc, PAGE);
    for (unsigned int i = 0; i < 128; i++, p += 32) {
        p[0] = 0x51;              /* push %rcx */
        p[1] = 0x41, p[2] = 0x53; /* push %r11 */
        p[3] = 0xb8;              /* mov $i, %eax */
        memcpy(p + 4, &i, 4);
        p[8] = 0x0f, p[9] = 0x05;   /* syscall */
        p[10] = 0x41, p[11] = 0x5b; /* pop %r11 */
        p[12] = 0x59;               /* pop %rcx */
        p[13] = 0xc3;               /* ret */
    }
    p = (uint8_t *)va + __HYPERVISOR_iret * 32;
    memset(p, 0xcc, 32);
    p[0] = 0x51, p[1] = 0x41, p[2] = 0x53, p[3] = 0x50, p[4] = 0xb8;
    p[5] = __HYPERVISOR_iret, p[6] = p[7] = p[8] = 0;
    p[9] = 0x0f, p[10] = 0x05;
}

static void install_seccomp(void)
{
    uint32_t lo = (uint32_t)BASE, hi = (uint32_t)(BASE + NR_PAGES * PAGE);
    struct sock_filter f[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, instruction_pointer) + 4),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
                 offsetof(struct seccomp_data, instruction_pointer)),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo, 0, 2),
        BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, hi, 1, 0),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {sizeof(f) / sizeof(f[0]), f};

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
        crash("seccomp: %s", strerror(errno));
}

static void __attribute__((noreturn))
run_guest(const char *path, const char *cmdline)
{
    static char altstack[1 << 16];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof(altstack)};
    struct sigaction sa;
    struct loaded l;
    uint64_t pfn, p2m, start, pt, nr_pt = 4, stack_top;
    xen_pfn_t *mfns;

    ram_fd = memfd_create("pvemu-ram", 0);
    shinfo_fd = memfd_create("pvemu-shinfo", 0);
    if (ram_fd < 0 || shinfo_fd < 0 || ftruncate(ram_fd, NR_PAGES * PAGE) ||
        ftruncate(shinfo_fd, PAGE))
        crash("memfd");
    if (mmap((void *)BASE, NR_PAGES * PAGE, PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_SHARED | MAP_FIXED_NOREPLACE, ram_fd, 0) != (void *)BASE)
        crash("cannot map guest RAM at %#lx", (unsigned long)BASE);
    shinfo = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, shinfo_fd, 0);
    if (shinfo == MAP_FAILED)
        crash("shinfo");
    vi = &shinfo->vcpu_info[0];
    for (int i = 0; i < XEN_LEGACY_MAX_VCPUS; i++)
        shinfo->vcpu_info[i].evtchn_upcall_mask = 1;

    load_elf(path, &l);
    if (l.hypercall_page) {
        hypercall_page_va = l.hypercall_page;
        fill_hypercall_page(l.hypercall_page);
    }
    /* Xen's order: kernel, p2m, start_info, xenstore, console, tables, stack.
     */
    pfn = (l.end + PAGE - 1) / PAGE;
    p2m = pfn;
    pfn += (NR_PAGES * 8 + PAGE - 1) / PAGE;
    start = pfn++;
    pfn += 2; /* xenstore and console rings */
    pt = pfn;
    pfn += nr_pt;
    stack_top = BASE + (pfn + 1) * PAGE;
    mfns = (xen_pfn_t *)(BASE + p2m * PAGE);
    for (uint64_t i = 0; i < NR_PAGES; i++)
        mfns[i] = pfn_to_mfn(i);
    si = (start_info_t *)(BASE + start * PAGE);
    strcpy(si->magic, "xen-3.0-x86_64");
    si->nr_pages = NR_PAGES;
    si->shared_info = SHINFO_MFN << 12;
    si->store_mfn = pfn_to_mfn(start + 1);
    si->console.domU.mfn = pfn_to_mfn(start + 2);
    si->pt_base = BASE + pt * PAGE;
    si->nr_pt_frames = nr_pt;
    si->mfn_list = BASE + p2m * PAGE;
    snprintf((char *)si->cmd_line, sizeof(si->cmd_line), "%s", cmdline);
    mprotect((void *)si->pt_base, nr_pt * PAGE, PROT_READ);
    runstate.state = RUNSTATE_running;

    time_init();
    runstate.state_entry_time = now_ns();
    if (sigaltstack(&ss, NULL))
        crash("sigaltstack");
    memset(&sa, 0, sizeof(sa));
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigfillset(&sa.sa_mask);
    sa.sa_sigaction = on_sigsys;
    sigaction(SIGSYS, &sa, NULL);
    sa.sa_sigaction = on_fault;
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGILL, &sa, NULL);
    sigaction(SIGFPE, &sa, NULL);
    sigaction(SIGTRAP, &sa, NULL);
    alarm(60);
    install_seccomp();
    __asm__ __volatile__("mov %0, %%rsp\n\t"
                         "xor %%ebp, %%ebp\n\t"
                         "jmp *%2"
                         :
                         : "r"(stack_top), "S"(si), "r"(l.entry)
                         : "memory");
    __builtin_unreachable();
}

/* ------------------------------------------------------------ the tests */

struct result {
    int status; /* exit code, or 128 + signal */
    char out[1 << 17];
    size_t len;
};

static struct result res;

static void run(const char *elf, const char *cmdline)
{
    int pfd[2], st = 0;
    pid_t pid;

    assert_int_equal(pipe(pfd), 0);
    fflush(NULL);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], 1);
        run_guest(elf, cmdline);
    }
    close(pfd[1]);
    res.len = 0;
    for (;;) {
        ssize_t n =
            read(pfd[0], res.out + res.len, sizeof(res.out) - 1 - res.len);

        if (n <= 0)
            break;
        res.len += (size_t)n;
    }
    res.out[res.len] = '\0';
    close(pfd[0]);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    res.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
    if (getenv("PVEMU_SHOW")) /* debugging: show the guest's console */
        fprintf(stderr, "--- %s (exit %d)\n%s", elf, res.status, res.out);
}

/* A TAP run that passed: plan N last, N results, none failing. */
static void assert_tap_passed(const char *name)
{
    unsigned int ok = 0, notok = 0, plan = 0;
    char *line = res.out, *nl;

    for (; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            break;
        if (!strncmp(line, "ok ", 3))
            ok++;
        else if (!strncmp(line, "not ok ", 7))
            notok++;
        else
            sscanf(line, "1..%u", &plan);
    }
    if (notok || !plan || ok != plan ||
        res.status != EXIT_REASON(SHUTDOWN_poweroff)) {
        fprintf(stderr, "%s output:\n%s\n", name, res.out);
        fail_msg("%s: %u ok, %u not ok, plan %u, exit %d", name, ok, notok,
                 plan, res.status);
    }
}

static void test_hello(void **state)
{
    (void)state;
    /* No user processes: the model has no page-table hypercalls. */
    run(GUEST_EMU_OUT "/hello.elf", "console=hvc0 quiet procs=0 xenbus=0");
    if (res.status != EXIT_REASON(SHUTDOWN_poweroff) ||
        !strstr(res.out, "hello: self-test passed (") ||
        !strstr(res.out, "\nhypercall counts: ") ||
        !strstr(res.out, "cmdline \"console=hvc0 quiet procs=0 xenbus=0\""))
        fail_msg("hello (exit %d):\n%s", res.status, res.out);
    /*
     * The guest's counts (which include the console_io printing them and
     * the final shutdown) must equal what the hypervisor side saw.
     */
    {
        const char *g = strstr(res.out, "\nhypercall counts: ");
        const char *e = strstr(res.out, "pvemu hypercall counts: ");

        assert_non_null(g);
        assert_non_null(e);
        g += 1;
        e += 6;
        if (strncmp(g, e, (size_t)(strchr(e, '\n') - e + 1)))
            fail_msg("counts differ:\nguest %.*s\npvemu %s",
                     (int)(strchr(g, '\n') - g), g, e);
    }
}

/* Test guests that must pass completely under the model. */
static void test_tap_guest(void **state)
{
    const char *name = *state;
    char path[256];

    snprintf(path, sizeof(path), GUEST_EMU_OUT "/test-%s.elf", name);
    run(path, "");
    assert_tap_passed(name);
}

static void test_sched_reasons(void **state)
{
    static const struct {
        const char *cmdline;
        int reason;
    } cases[] = {
        {"", SHUTDOWN_poweroff},
        {"shutdown=reboot", SHUTDOWN_reboot},
        {"a=b shutdown=crash c", SHUTDOWN_crash},
        {"shutdown=watchdog", SHUTDOWN_watchdog},
    };

    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run(GUEST_EMU_OUT "/test-sched.elf", cases[i].cmdline);
        if (res.status != EXIT_REASON(cases[i].reason) ||
            strstr(res.out, "not ok") || !strstr(res.out, "\n1.."))
            fail_msg("sched '%s': exit %d\n%s", cases[i].cmdline, res.status,
                     res.out);
    }
}

static void test_crash(void **state)
{
    (void)state;
    run(GUEST_EMU_OUT "/test-crash.elf", "");
    if (res.status != EXIT_CRASH || !strstr(res.out, "ok 1 - ") ||
        strstr(res.out, "not ok"))
        fail_msg("crash guest: exit %d\n%s", res.status, res.out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello),
#define TAP(name) cmocka_unit_test_prestate(test_tap_guest, (void *)name)
        TAP("traps"),
        TAP("callbacks"),
        TAP("timer"),
        TAP("vcpu"),
        TAP("multicall"),
        TAP("version"),
        TAP("console"),
        TAP("platform"),
        TAP("vm-assist"),
        TAP("ridiculous-hypercall"),
        TAP("ridiculous-timer"),
        TAP("ridiculous-traps"),
        TAP("ridiculous-callbacks"),
        TAP("ridiculous-version"),
        TAP("ridiculous-sched"),
        TAP("ridiculous-vcpu"),
        TAP("ridiculous-multicall"),
        TAP("ridiculous-vm-assist"),
        TAP("ridiculous-platform"),
        TAP("ridiculous-console"),
        TAP("ridiculous-memory"),
        TAP("ridiculous-physdev"),
        TAP("ridiculous-privop"),
        TAP("physdev"),
        TAP("privop"),
        cmocka_unit_test(test_sched_reasons),
        cmocka_unit_test(test_crash),
    };
    return cmocka_run_group_tests_name("guest_pvemu", tests, NULL, NULL);
}
