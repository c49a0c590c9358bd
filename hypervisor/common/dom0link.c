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
#include <xen/errno.h>

#define xen_mb() smp_mb()
#define xen_rmb() smp_rmb()
#define xen_wmb() smp_wmb()
#include <public/pvisor/dom0link.h>

static unsigned long opt_link_arena = MiB(4);
size_param("link_arena", opt_link_arena);

static const struct link_doorbell_ops *doorbell;
static struct pvlink_header *hdr;
static struct pvlink_back_ring back;
static uint64_t arena_maddr, arena_size;
static struct vcpu *link_vcpu;
static DEFINE_SPINLOCK(link_lock); /* one CPU drains the ring at a time */
static bool ring_broken;

static void link_softirq(void);

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
    memset(sring, 0, PVLINK_RING_BYTES);
    SHARED_RING_INIT(sring);
    BACK_RING_INIT(&back, sring, PVLINK_RING_BYTES);
    arena_maddr = virt_to_maddr(arena);
    arena_size = PAGE_SIZE << order_for(opt_link_arena);
    memset(arena, 0, arena_size);

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

    dom0 = domain_create(0, DOMCRF_privileged);
    link_vcpu = dom0 ? vcpu_create(dom0, 0) : NULL;
    if (!link_vcpu)
        panic("cannot create domain 0");

    open_softirq(LINK_SOFTIRQ, link_softirq);
    doorbell = ops;
    doorbell->init();
    printk("dom0 link: ring at %#llx (%u slots), arena %#llx+%llu KiB, "
           "doorbell: %s\n",
           (unsigned long long)hdr->ring_maddr, RING_SIZE(&back),
           (unsigned long long)arena_maddr,
           (unsigned long long)(arena_size >> 10), doorbell->name);
}

void dom0link_ready(void)
{
    hdr->nr_cpus = nr_cpus_online;
    smp_wmb();
    WRITE_ONCE(hdr->state, PVLINK_STATE_READY);
    smp_mb();
    doorbell->ring_host(PVLINK_BELL_READY);
}

/* Runs one request as domain 0. */
static long link_execute(const struct pvlink_request *req)
{
    struct cpu_info *ci = get_cpu_info();
    struct vcpu *prev = ci->current_vcpu;
    long rc;

    if (req->window_size && (req->window_maddr < arena_maddr ||
                             req->window_size > arena_size ||
                             req->window_maddr - arena_maddr >
                                 arena_size - req->window_size))
        return -XEN_EFAULT;
    link_vcpu->link_window_maddr = req->window_maddr;
    link_vcpu->link_window_size = req->window_size ? req->window_size : 1;
    ci->current_vcpu = link_vcpu;
    rc = hypercall_dispatch(req->op, (const unsigned long *)req->args);
    ci->current_vcpu = prev;
    return rc;
}

static void link_softirq(void)
{
    int more, notify;

    if (!spin_trylock(&link_lock))
        return; /* another CPU is draining; it will see our requests */
    do {
        RING_IDX rp = READ_ONCE(back.sring->req_prod);

        smp_rmb();
        if (rp - back.req_cons > RING_SIZE(&back)) {
            if (!ring_broken)
                printk("dom0 link: bad request index %u (consumer %u); "
                       "ignoring the ring\n", rp, back.req_cons);
            ring_broken = true;
            break;
        }
        ring_broken = false;
        while (back.req_cons != rp) {
            struct pvlink_request req;
            struct pvlink_response *rsp;

            RING_COPY_REQUEST(&back, back.req_cons, &req);
            back.req_cons++;
            rsp = RING_GET_RESPONSE(&back, back.rsp_prod_pvt);
            rsp->id = req.id;
            rsp->result = link_execute(&req);
            back.rsp_prod_pvt++;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&back, notify);
            if (notify)
                doorbell->ring_host(PVLINK_BELL_RESPONSE);
        }
        RING_FINAL_CHECK_FOR_REQUESTS(&back, more);
    } while (more);
    spin_unlock(&link_lock);
}

void dom0link_doorbell(void)
{
    raise_softirq(LINK_SOFTIRQ);
}
