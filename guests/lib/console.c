/* SPDX-License-Identifier: MIT */
/*
 * The guest's consoles.
 *
 * The ring console (xen/io/console.h): the page start_info->console.domU.mfn
 * holds struct xencons_interface, whose "out" ring the guest produces and
 * the console backend in dom0 (pvisor-consoled) consumes, and whose "in"
 * ring carries keyboard input the other way; start_info->console.domU.evtchn
 * is the event channel both sides notify after moving an index.  printf()
 * writes there when start_info gives a page, as a Linux PV guest's hvc0
 * does.
 *
 * The hypervisor console: console_write() is console_io(CONSOLEIO_write),
 * which needs no backend and works from the first instruction.  It is used
 * for early and panic output (guest_panic), when start_info has no console
 * page, when the command line says console=io, and from the moment the ring
 * is found broken (indexes that make no sense) or stalled (the backend
 * took nothing for about two seconds while the ring was full): then printf
 * falls back to it for good.  (On a release build of real Xen an
 * unprivileged domain gets -EPERM from console_io unless Xen was built with
 * verbose debugging; pvisor, like a debug Xen, accepts writes from every
 * domain.)  The backend puts both in the same per-domain log.
 *
 * printf formats into a line-sized buffer and writes it with one ring
 * write (or one console_io), so a line printed with one printf stays
 * whole.  The ring's event channel is kept masked: waiting for room or
 * input uses SCHEDOP_poll, so the console never raises upcalls the guest
 * did not ask for.  Ring writes run with events masked so that an event
 * handler may print too.
 */
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "timekeeping.h"

#include <xen/io/console.h>
#include <xen/sched.h>

#define PRINTF_BUF 512
/* How long a full ring may stay full before the console gives up on it. */
#define STALL_NS      (2ULL * 1000 * 1000 * 1000)
#define STALL_TSC     (4ULL * 1000 * 1000 * 1000) /* before shared_info */
#define POLL_SLICE_NS (10ULL * 1000 * 1000)

enum ring_state { RING_UNKNOWN, RING_ON, RING_OFF };

static enum ring_state state;
static struct xencons_interface *ring;
static evtchn_port_t ring_port;
static bool port_masked;
unsigned long console_ring_bytes;

long console_write(const char *buf, size_t len)
{
    return HYPERVISOR_console_io(CONSOLEIO_write, len, buf);
}

static void ring_off(const char *why)
{
    static const char pre[] = "console: ";
    static const char post[] = "; using console_io from now on\n";

    state = RING_OFF;
    console_write(pre, sizeof(pre) - 1);
    console_write(why, strlen(why));
    console_write(post, sizeof(post) - 1);
}

/* Finds the ring the first time it is needed. */
static bool ring_ready(void)
{
    unsigned long mfn, pfn;
    char v[8];

    if (state != RING_UNKNOWN)
        return state == RING_ON;
    state = RING_OFF;
    mfn = start_info->console.domU.mfn;
    if (!mfn || !start_info->console.domU.evtchn)
        return false;
    if (cmdline_value("console", v, sizeof(v)) && !strcmp(v, "io"))
        return false;
    pfn = machine_to_phys_mapping[mfn];
    if (pfn >= start_info->nr_pages || pfn_to_mfn(pfn) != mfn) {
        ring_off("start_info's console page is not one of ours");
        return false;
    }
    ring = (struct xencons_interface *)pfn_to_virt(pfn);
    ring_port = start_info->console.domU.evtchn;
    state = RING_ON;
    return true;
}

bool console_ring_active(void)
{
    return ring_ready();
}

/*
 * Waits a little for the backend to move an index: SCHEDOP_poll on the
 * (masked) port once shared_info is mapped, a yield before.  *since is
 * when the wait began (system time, or TSC before shared_info); false
 * once the backend has taken too long.
 */
static bool wait_backend(uint64_t *since)
{
    if (shared_info) {
        struct sched_poll p = {.nr_ports = 1};
        evtchn_port_t port = ring_port;
        uint64_t now = time_now_ns();

        if (!port_masked) {
            evtchn_mask(ring_port);
            port_masked = true;
        }
        if (!*since)
            *since = now;
        if (now - *since > STALL_NS)
            return false;
        set_xen_guest_handle(p.ports, &port);
        p.timeout = now + POLL_SLICE_NS;
        HYPERVISOR_sched_op(SCHEDOP_poll, &p);
        evtchn_clear_pending(ring_port);
        return true;
    }
    if (!*since)
        *since = rdtsc_ordered();
    if (rdtsc_ordered() - *since > STALL_TSC)
        return false;
    HYPERVISOR_sched_op(SCHEDOP_yield, NULL);
    return true;
}

static bool save_events(void)
{
    bool masked = true;

    if (shared_info) {
        masked = local_events_masked();
        local_events_disable();
        if (!port_masked) {
            evtchn_mask(ring_port);
            port_masked = true;
        }
    }
    return masked;
}

static void restore_events(bool masked)
{
    if (shared_info && !masked)
        local_events_enable();
}

/* Writes all of buf to the out ring; false if the ring is unusable. */
static bool ring_write(const char *buf, size_t len)
{
    uint64_t since = 0;
    bool masked = save_events(), ok = true;

    while (len) {
        XENCONS_RING_IDX cons = READ_ONCE(ring->out_cons);
        XENCONS_RING_IDX prod = READ_ONCE(ring->out_prod);
        size_t room;

        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (prod - cons > sizeof(ring->out)) {
            ring_off("the console ring's out indexes are inconsistent");
            ok = false;
            break;
        }
        room = sizeof(ring->out) - (prod - cons);
        if (!room) {
            evtchn_send(ring_port);
            if (!wait_backend(&since)) {
                ring_off("the console backend took nothing for 2 s");
                ok = false;
                break;
            }
            continue;
        }
        since = 0;
        for (; room && len; room--, len--, buf++, prod++)
            ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *buf;
        __atomic_thread_fence(__ATOMIC_RELEASE);
        WRITE_ONCE(ring->out_prod, prod);
    }
    if (ok)
        evtchn_send(ring_port);
    restore_events(masked);
    return ok;
}

/* Everything printf prints: the ring if there is one, else console_io. */
static void console_output(const char *buf, size_t len)
{
    if (ring_ready() && ring_write(buf, len)) {
        console_ring_bytes += len;
        return;
    }
    console_write(buf, len);
}

long console_read(char *buf, size_t size)
{
    XENCONS_RING_IDX cons, prod;
    size_t n = 0;
    bool masked;

    if (!ring_ready())
        return -1;
    masked = save_events();
    cons = READ_ONCE(ring->in_cons);
    prod = READ_ONCE(ring->in_prod);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (prod - cons > sizeof(ring->in)) {
        restore_events(masked);
        ring_off("the console ring's in indexes are inconsistent");
        return -1;
    }
    for (; cons != prod && n < size; cons++, n++)
        buf[n] = ring->in[MASK_XENCONS_IDX(cons, ring->in)];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    WRITE_ONCE(ring->in_cons, cons);
    if (n)
        evtchn_send(ring_port);
    restore_events(masked);
    return (long)n;
}

bool console_wait_input(uint64_t timeout_ns)
{
    struct sched_poll p = {.nr_ports = 1};
    evtchn_port_t port;
    uint64_t deadline;

    if (!ring_ready() || !shared_info)
        return false;
    port = ring_port;
    deadline = time_now_ns() + timeout_ns;
    if (!port_masked) {
        evtchn_mask(ring_port);
        port_masked = true;
    }
    set_xen_guest_handle(p.ports, &port);
    for (;;) {
        evtchn_clear_pending(ring_port);
        if (READ_ONCE(ring->in_prod) != READ_ONCE(ring->in_cons))
            return true;
        if (time_now_ns() >= deadline)
            return false;
        p.timeout = deadline;
        HYPERVISOR_sched_op(SCHEDOP_poll, &p);
    }
}

int vprintf(const char *fmt, va_list ap)
{
    char buf[PRINTF_BUF];
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;

    /* A truncated line still ends with its newline. */
    if (n >= (int)sizeof(buf) && fmt[strlen(fmt) - 1] == '\n')
        buf[len - 1] = '\n';
    console_output(buf, len);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}
