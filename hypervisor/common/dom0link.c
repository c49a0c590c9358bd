/* SPDX-License-Identifier: MIT */
/*
 * The dom0 link: domain 0's hypercalls, carried over a ring in machine
 * memory (ABI: public/pvisor/dom0link.h).
 *
 * The host produces requests and rings the doorbell; the doorbell
 * interrupt raises LINK_SOFTIRQ on the CPU that took it, and the softirq
 * drains the ring: each request is copied out of shared memory once, its
 * argument window is checked against the arena, and the hypercall runs on
 * domain 0's link vCPU with domain 0's privileges.  Responses are pushed as
 * they complete and the host is rung only when it asked to be (the ring's
 * rsp_event).
 *
 * The host is the privileged control domain, but a confused or buggy host
 * must still not crash the hypervisor: a ring whose indexes make no sense
 * is reported and left alone until the next doorbell.
 */
#include <asm/current.h>
#include <asm/page.h>
#include <pvisor/link.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/mm.h>
#include <pvisor/param.h>
#include <pvisor/sched.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <pvisor/spinlock.h>
#include <pvisor/time.h>
#include <asm/e820.h>
#include <asm/mm.h>
#include <xen/domctl.h>
#include <xen/errno.h>
#include <xen/event_channel.h>

#include <pvisor/link_ring.h>
#include <pvisor/foreign.h>
#include <pvisor/grant_table.h>
#include <pvisor/tasklet.h>
#include <pvisor/trace.h>
#include <pvisor/guest_access.h>

static unsigned long opt_link_arena = MiB(4);
size_param("link_arena", opt_link_arena);
/* link_debug: log every dom0 hypercall that fails, with its arguments. */
static bool opt_link_debug;
boolean_param("link_debug", opt_link_debug);

static const struct link_doorbell_ops *doorbell;
static struct pvlink_header *hdr;
static struct link_back back;
static uint64_t arena_maddr, arena_size;
static struct vcpu *link_vcpu;
static struct tasklet link_tasklet; /* drains the ring, on CPU 0 */

static void link_tasklet_fn(void *data);

static unsigned int order_for(uint64_t bytes)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < bytes)
        order++;
    return order;
}

void dom0link_init(const struct link_doorbell_ops *ops)
{
    struct pvlink_sring *sring;
    void *arena;
    unsigned int n = 0;

    hdr = maddr_to_virt(PVLINK_HDR_MADDR);
    memset(hdr, 0, PAGE_SIZE);
    hdr->magic = PVLINK_MAGIC;
    hdr->version = PVLINK_VERSION;
    hdr->state = PVLINK_STATE_BOOTING;
    hdr->boot_tsc = boot_tsc;

    sring = alloc_xenheap_pages(order_for(PVLINK_RING_BYTES));
    arena = alloc_xenheap_pages(order_for(opt_link_arena));
    if (!sring || !arena)
        panic("dom0 link: cannot allocate the ring and a %lu KiB arena",
              opt_link_arena >> 10);
    link_back_init(&back, sring, PVLINK_RING_BYTES);
    arena_maddr = virt_to_maddr(arena);
    arena_size = PAGE_SIZE << order_for(opt_link_arena);
    /* The arena is not cleared: it only ever holds dom0's own buffers. */

    hdr->ring_maddr = virt_to_maddr(sring);
    hdr->arena_maddr = arena_maddr;
    hdr->arena_size = arena_size;
    for (unsigned int i = 0; i < e820.nr && n < PVLINK_MAX_RAM_RANGES; i++)
        if (e820.map[i].type == E820_RAM) {
            hdr->ram[n].start = e820.map[i].addr;
            hdr->ram[n].end = e820.map[i].addr + e820.map[i].size;
            n++;
        }
    hdr->nr_ram_ranges = n;

    {
        /* Every 2-level port: dom0 talks to every other domain. */
        struct xen_domctl_createdomain config = {
            .max_vcpus = 1,
            .max_evtchn_port = EVTCHN_2L_NR_CHANNELS - 1,
        };
        int err;

        dom0 = domain_create(0, DOMCRF_privileged, &config, &err);
        if (!dom0)
            panic("cannot create domain 0 (%d)", err);
        link_vcpu = dom0->vcpu[0];
        hdr->dom0_shared_info_maddr = virt_to_maddr(dom0->shared_info);
    }
    tasklet_init(&link_tasklet, link_tasklet_fn, NULL, 0);
    doorbell = ops;
    doorbell->init();
    printk("dom0 link: ring at %#llx (%u slots), arena %#llx+%llu KiB, "
           "doorbell: %s\n",
           (unsigned long long)hdr->ring_maddr, RING_SIZE(&back.ring),
           (unsigned long long)arena_maddr,
           (unsigned long long)(arena_size >> 10), doorbell->name);
}

/*
 * A port of domain 0 became pending while unmasked: tell the host, unless
 * it has not caught up with the last news yet (protocol in dom0link.h).
 * Called with dom0's event_lock held, which serialises event_seq.
 */
void dom0link_notify_events(void)
{
    uint32_t old = READ_ONCE(hdr->event_seq);

    WRITE_ONCE(hdr->event_seq, old + 1);
    smp_mb();
    if (old == READ_ONCE(hdr->event_ack))
        doorbell->ring_host(PVLINK_BELL_EVENT);
}

void dom0link_ready(void)
{
    hdr->nr_cpus = nr_cpus_online;
    smp_wmb();
    WRITE_ONCE(hdr->state, PVLINK_STATE_READY);
    smp_mb();
    doorbell->ring_host(PVLINK_BELL_READY);
}

/* PVLINK_OP_DOMSTATS: a domain's counters, summed over its vCPUs. */
static long link_domstats(domid_t domid, uint64_t out)
{
    struct pvlink_domstats st = {0};
    struct domain *d = get_domain_by_id(domid);

    if (!d)
        return -XEN_ESRCH;
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        const struct vcpu *v = d->vcpu[i];

        if (!v)
            continue;
        st.hypercalls += READ_ONCE(v->stats.hypercalls);
        st.events_sent += READ_ONCE(v->stats.events_sent);
        st.traps += READ_ONCE(v->stats.traps);
        st.ptwr += READ_ONCE(v->stats.ptwr);
    }
    st.events_received = READ_ONCE(d->events_received);
    put_domain(d);
    return copy_struct_to_guest(out, &st) ? -XEN_EFAULT : 0;
}

/* Runs one request as domain 0. */
static int64_t link_execute(const struct pvlink_request *req, void *arg)
{
    struct cpu_info *ci = get_cpu_info();
    struct vcpu *prev = ci->current_vcpu;
    long rc;

    (void)arg;
    if (!req->window_size ||
        !link_window_valid(req->window_maddr, req->window_size, arena_maddr,
                           arena_size))
        return -XEN_EFAULT;
    if (req->op == PVLINK_OP_CLOSE_SESSION)
        return (long)(foreign_release_session(req->window_maddr) +
                      gnttab_release_session(req->window_maddr));
    if (req->op == PVLINK_OP_TRACE)
        return trace_op(req->args[0], req->args[1], req->args[2]);
    link_vcpu->link_window_maddr = req->window_maddr;
    link_vcpu->link_window_size = req->window_size;
    ci->current_vcpu = link_vcpu;
    if (req->op == PVLINK_OP_DOMSTATS)
        rc = link_domstats((domid_t)req->args[0], req->args[1]);
    else
        rc = hypercall_dispatch(req->op, (const unsigned long *)req->args);
    ci->current_vcpu = prev;
    if (rc < 0 && opt_link_debug)
        printk("dom0 link: %s(%#llx, %#llx, %#llx, %#llx) = %ld\n",
               hypercall_name(req->op), (unsigned long long)req->args[0],
               (unsigned long long)req->args[1],
               (unsigned long long)req->args[2],
               (unsigned long long)req->args[3], rc);
    return rc;
}

static void link_notify_host(void *arg)
{
    (void)arg;
    doorbell->ring_host(PVLINK_BELL_RESPONSE);
}

static const struct link_back_ops link_ops = {
    .exec = link_execute,
    .notify = link_notify_host,
};

/* Runs in CPU 0's idle context (a tasklet): no guest is loaded. */
static void link_tasklet_fn(void *data)
{
    bool was_broken = back.broken;

    (void)data;
    if (link_back_process(&back, &link_ops, NULL) < 0 && !was_broken)
        printk("dom0 link: bad request producer index %u (consumer %u); "
               "ignoring the ring until it makes sense\n",
               back.ring.sring->req_prod, back.ring.req_cons);
}

void dom0link_doorbell(void)
{
    tasklet_schedule(&link_tasklet);
}
