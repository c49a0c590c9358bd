/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the event-channel port state machine (the real
 * common/event_channel.c) on a host model: three domains (domain 0,
 * privileged, and two guests with two vCPUs each), each with a
 * shared_info page, and the few hypervisor services the file calls --
 * the domain table, the current vCPU, vCPU kicks, the dom0 doorbell --
 * recorded instead of done.  Hypercall arguments are host pointers.
 *
 * Covered: alloc_unbound -> bind_interdomain -> close and the peer's
 * port going back to unbound; refused binds and sends with Xen's
 * errors; the per-domain port limit; pending/mask/selector/upcall
 * semantics of the 2-level ABI, for guests and for domain 0's doorbell;
 * VIRQs and IPIs; reset; teardown with channels bound.  After every
 * operation every event lock must be free again.
 */
#include "hv_test.h"

#include <asm/current.h>
#include <pvisor/domain_table.h>
#include <pvisor/event.h>
#include <pvisor/guest_access.h>
#include <pvisor/link.h>
#include <pvisor/sched.h>
#include <pvisor/schedule.h>
#include <pvisor/smp.h>
#include <pvisor/trace.h>
#include <string.h>
#include <xen/errno.h>
#include <xen/event_channel.h>

#define NDOMS  3
#define NVCPUS 2
#define BITS   (sizeof(xen_ulong_t) * 8)

/* ------------------------------------------------------------ the model */

struct domain *dom0;
uint32_t trace_classes;
domid_t trace_domid;

static struct domain *doms[NDOMS];
static struct cpu_info cpu;
static unsigned long unblocks[NDOMS][NVCPUS];
static unsigned long event_check_ipis;
static unsigned long dom0_bells;
static unsigned long xenheap_live;

struct cpu_info *get_cpu_info(void)
{
    return &cpu;
}

unsigned long local_irq_save(void)
{
    return 0;
}

void local_irq_restore(unsigned long flags)
{
    (void)flags;
}

void *alloc_xenheap_pages(unsigned int order)
{
    void *p = aligned_alloc(4096, (size_t)4096 << order);

    if (p)
        xenheap_live++;
    return p;
}

void free_xenheap_pages(void *va, unsigned int order)
{
    (void)order;
    if (va)
        xenheap_live--;
    free(va);
}

struct domain *get_domain_by_id(domid_t id)
{
    struct domain *d = id < NDOMS ? doms[id] : NULL;

    if (!d || d->state != DOMSTATE_active)
        return NULL;
    d->refcnt++;
    return d;
}

void get_domain(struct domain *d)
{
    d->refcnt++;
}

void put_domain(struct domain *d)
{
    assert_true(d->refcnt > 1);
    d->refcnt--;
}

void vcpu_unblock(struct vcpu *v)
{
    unblocks[v->domain->domain_id][v->vcpu_id]++;
}

void smp_send_event_check(unsigned int c)
{
    (void)c;
    event_check_ipis++;
}

void dom0link_notify_events(void)
{
    dom0_bells++;
}

void trace_record(uint16_t event, uint8_t flags, domid_t domid, uint16_t vcpu,
                  uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3,
                  uint64_t d4, uint64_t d5)
{
    (void)event, (void)flags, (void)domid, (void)vcpu;
    (void)d0, (void)d1, (void)d2, (void)d3, (void)d4, (void)d5;
}

unsigned long raw_copy_from_guest(void *dst, const void *src, unsigned long n)
{
    memcpy(dst, src, n);
    return 0;
}

unsigned long raw_copy_to_guest(void *dst, const void *src, unsigned long n)
{
    memcpy(dst, src, n);
    return 0;
}

static struct domain *model_domain(domid_t id, unsigned int max_port)
{
    struct domain *d = calloc(1, sizeof(*d));

    assert_non_null(d);
    d->domain_id = id;
    d->is_privileged = id == 0;
    d->state = DOMSTATE_active;
    d->refcnt = 1;
    d->max_vcpus = NVCPUS;
    d->shared_info = aligned_alloc(4096, 4096);
    assert_non_null(d->shared_info);
    memset(d->shared_info, 0, 4096);
    for (unsigned int i = 0; i < NVCPUS; i++) {
        struct vcpu *v = calloc(1, sizeof(*v));

        assert_non_null(v);
        v->vcpu_id = i;
        v->domain = d;
        v->processor = 0;
        v->vcpu_info = &d->shared_info->vcpu_info[i];
        d->vcpu[i] = v;
    }
    assert_int_equal(evtchn_init(d, max_port), 0);
    doms[id] = d;
    return d;
}

static void free_domain(struct domain *d)
{
    if (!d)
        return;
    evtchn_destroy(d);
    for (unsigned int i = 0; i < NVCPUS; i++)
        free(d->vcpu[i]);
    free(d->shared_info);
    doms[d->domain_id] = NULL;
    free(d);
}

static int setup(void **state)
{
    (void)state;
    memset(unblocks, 0, sizeof(unblocks));
    event_check_ipis = dom0_bells = 0;
    dom0 = model_domain(0, DEFAULT_MAX_EVTCHN_PORT);
    model_domain(1, DEFAULT_MAX_EVTCHN_PORT);
    model_domain(2, DEFAULT_MAX_EVTCHN_PORT);
    cpu.current_vcpu = doms[1]->vcpu[0];
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (unsigned int i = 0; i < NDOMS; i++)
        free_domain(doms[i]);
    dom0 = NULL;
    assert_int_equal(xenheap_live, 0);
    return 0;
}

/* Every event lock is free and no reference leaked. */
static void check_quiet(void)
{
    for (unsigned int i = 0; i < NDOMS; i++)
        if (doms[i]) {
            assert_int_equal(doms[i]->event_lock.held, 0);
            assert_int_equal(doms[i]->refcnt, 1);
        }
}

/* An event-channel hypercall made by domain `as` (its vCPU 0). */
static long op(domid_t as, unsigned int cmd, void *arg)
{
    long rc;

    cpu.current_vcpu = doms[as]->vcpu[0];
    rc = do_event_channel_op(cmd, (unsigned long)arg);
    check_quiet();
    return rc;
}

static long alloc_unbound(domid_t as, domid_t dom, domid_t remote,
                          evtchn_port_t *port)
{
    struct evtchn_alloc_unbound a = {.dom = dom, .remote_dom = remote};
    long rc = op(as, EVTCHNOP_alloc_unbound, &a);

    if (port)
        *port = rc ? 0 : a.port;
    return rc;
}

static long bind_interdomain(domid_t as, domid_t remote, evtchn_port_t rport,
                             evtchn_port_t *lport)
{
    struct evtchn_bind_interdomain b = {.remote_dom = remote,
                                        .remote_port = rport};
    long rc = op(as, EVTCHNOP_bind_interdomain, &b);

    if (lport)
        *lport = rc ? 0 : b.local_port;
    return rc;
}

static long ev_close(domid_t as, evtchn_port_t port)
{
    struct evtchn_close c = {.port = port};

    return op(as, EVTCHNOP_close, &c);
}

static long ev_send(domid_t as, evtchn_port_t port)
{
    struct evtchn_send s = {.port = port};

    return op(as, EVTCHNOP_send, &s);
}

static long ev_unmask(domid_t as, evtchn_port_t port)
{
    struct evtchn_unmask u = {.port = port};

    return op(as, EVTCHNOP_unmask, &u);
}

static struct evtchn_status status(domid_t as, domid_t dom, evtchn_port_t port)
{
    struct evtchn_status st = {.dom = dom, .port = port};

    assert_int_equal(op(as, EVTCHNOP_status, &st), 0);
    return st;
}

static bool pending(domid_t d, evtchn_port_t port)
{
    return doms[d]->shared_info->evtchn_pending[port / BITS] &
           ((xen_ulong_t)1 << (port % BITS));
}

static void clear_pending(domid_t d, evtchn_port_t port)
{
    doms[d]->shared_info->evtchn_pending[port / BITS] &=
        ~((xen_ulong_t)1 << (port % BITS));
}

static void set_mask(domid_t d, evtchn_port_t port)
{
    doms[d]->shared_info->evtchn_mask[port / BITS] |=
        (xen_ulong_t)1 << (port % BITS);
}

static vcpu_info_t *vi(domid_t d, unsigned int v)
{
    return &doms[d]->shared_info->vcpu_info[v];
}

/* What a guest's upcall handler does: takes the selector and the flag. */
static void ack_upcall(domid_t d, unsigned int v)
{
    vi(d, v)->evtchn_upcall_pending = 0;
    vi(d, v)->evtchn_pending_sel = 0;
}

/* Guest 2 leaves a port unbound for guest 1, which binds it. */
static void connect(evtchn_port_t *p1, evtchn_port_t *p2)
{
    assert_int_equal(alloc_unbound(2, DOMID_SELF, 1, p2), 0);
    assert_int_equal(bind_interdomain(1, 2, *p2, p1), 0);
}

/* ---------------------------------------------------------- the tests */

static void test_alloc_bind_close(void **state)
{
    evtchn_port_t p1, p2, again;
    struct evtchn_status st;

    (void)state;
    assert_int_equal(alloc_unbound(2, DOMID_SELF, 1, &p2), 0);
    assert_true(p2 != 0); /* port 0 is reserved */
    st = status(2, DOMID_SELF, p2);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);

    assert_int_equal(bind_interdomain(1, 2, p2, &p1), 0);
    st = status(1, DOMID_SELF, p1);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 2);
    assert_int_equal(st.u.interdomain.port, p2);
    st = status(2, DOMID_SELF, p2);
    assert_int_equal(st.status, EVTCHNSTAT_interdomain);
    assert_int_equal(st.u.interdomain.dom, 1);
    assert_int_equal(st.u.interdomain.port, p1);
    /* The bind is an implicit send to the binder's own port. */
    assert_true(pending(1, p1));
    assert_false(pending(2, p2));

    /* Guest 1 closes: its port is free, guest 2's unbound for guest 1. */
    assert_int_equal(ev_close(1, p1), 0);
    assert_int_equal(status(1, DOMID_SELF, p1).status, EVTCHNSTAT_closed);
    assert_false(pending(1, p1)); /* a re-used port does not fire */
    st = status(2, DOMID_SELF, p2);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
    assert_int_equal(ev_close(1, p1), -XEN_EINVAL); /* twice */

    /* ... so guest 1 can bind it again, and gets the lowest free port. */
    assert_int_equal(bind_interdomain(1, 2, p2, &again), 0);
    assert_int_equal(again, p1);
    assert_int_equal(status(2, DOMID_SELF, p2).status, EVTCHNSTAT_interdomain);

    /* Guest 2 closes its end this time. */
    assert_int_equal(ev_close(2, p2), 0);
    st = status(1, DOMID_SELF, again);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 2);
    /* Sending on an unbound port is silently dropped, as on Xen. */
    assert_int_equal(ev_send(1, again), 0);
}

static void test_refused_binds(void **state)
{
    evtchn_port_t p1, p2, p0, lp;

    (void)state;
    connect(&p1, &p2);
    /* Bound already: guest 1 again, and domain 0, are refused. */
    assert_int_equal(bind_interdomain(1, 2, p2, NULL), -XEN_EINVAL);
    assert_int_equal(bind_interdomain(0, 2, p2, NULL), -XEN_EINVAL);
    /* Unbound, but for someone else. */
    assert_int_equal(alloc_unbound(2, DOMID_SELF, 0, &p0), 0);
    assert_int_equal(bind_interdomain(1, 2, p0, NULL), -XEN_EINVAL);
    assert_int_equal(status(2, DOMID_SELF, p0).status, EVTCHNSTAT_unbound);
    assert_int_equal(bind_interdomain(0, 2, p0, &lp), 0);
    /* Free ports, port 0, ports past the table, missing domains. */
    assert_int_equal(bind_interdomain(1, 2, p0 + 1, NULL), -XEN_EINVAL);
    assert_int_equal(bind_interdomain(1, 2, 0, NULL), -XEN_EINVAL);
    assert_int_equal(bind_interdomain(1, 2, 100000, NULL), -XEN_EINVAL);
    assert_int_equal(bind_interdomain(1, 7, 1, NULL), -XEN_ESRCH);
    /* Allocating in another domain: -EPERM to a guest (-ESRCH first if
     * it does not exist), allowed to domain 0. */
    assert_int_equal(alloc_unbound(1, 2, 1, NULL), -XEN_EPERM);
    assert_int_equal(alloc_unbound(1, 7, 1, NULL), -XEN_ESRCH);
    assert_int_equal(alloc_unbound(0, 2, 1, &p0), 0);
    assert_int_equal(status(0, 2, p0).status, EVTCHNSTAT_unbound);
    {
        struct evtchn_status st = {.dom = 2, .port = p2};
        assert_int_equal(op(1, EVTCHNOP_status, &st), -XEN_EPERM);
    }
    /* Nothing of the refusals touched the live channel. */
    assert_int_equal(status(2, DOMID_SELF, p2).u.interdomain.port, p1);
    assert_int_equal(status(1, DOMID_SELF, p1).u.interdomain.port, p2);
}

static void test_refused_sends_and_closes(void **state)
{
    evtchn_port_t p1, p2;

    (void)state;
    connect(&p1, &p2);
    clear_pending(1, p1);
    /* Ports guest 1 does not have: free, 0, past its table. */
    assert_int_equal(ev_send(1, p1 + 1), -XEN_EINVAL);
    assert_int_equal(ev_send(1, 0), -XEN_EINVAL);
    assert_int_equal(ev_send(1, 5000), -XEN_EINVAL);
    assert_int_equal(ev_close(1, p1 + 1), -XEN_EINVAL);
    assert_int_equal(ev_close(1, 0), -XEN_EINVAL);
    assert_int_equal(ev_close(1, 5000), -XEN_EINVAL);
    assert_int_equal(ev_unmask(1, 5000), -XEN_EINVAL);
    /* Nothing was made pending and the channel is as it was. */
    assert_false(pending(2, p2));
    assert_false(pending(1, p1));
    assert_int_equal(status(1, DOMID_SELF, p1).status, EVTCHNSTAT_interdomain);
}

static void test_send_sets_pending_once(void **state)
{
    evtchn_port_t p1, p2;

    (void)state;
    connect(&p1, &p2);
    assert_int_equal(ev_send(1, p1), 0);
    assert_true(pending(2, p2));
    assert_true(vi(2, 0)->evtchn_pending_sel & ((xen_ulong_t)1 << (p2 / BITS)));
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(unblocks[2][0], 1);
    assert_int_equal(doms[2]->events_received, 1);
    /* Pending already: no new kick until the guest clears it. */
    assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(unblocks[2][0], 1);
    ack_upcall(2, 0);
    clear_pending(2, p2);
    assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(unblocks[2][0], 2);
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 1);
    /* Nothing went to the sender, its other vCPU or anyone else. */
    assert_int_equal(unblocks[2][1], 0);
    assert_int_equal(unblocks[0][0], 0);
    assert_int_equal(dom0_bells, 0);
}

static void test_mask_and_unmask(void **state)
{
    evtchn_port_t p1, p2;

    (void)state;
    connect(&p1, &p2);
    set_mask(2, p2);
    assert_int_equal(ev_send(1, p1), 0);
    /* Masked: pending is set but no selector, upcall or kick. */
    assert_true(pending(2, p2));
    assert_int_equal(vi(2, 0)->evtchn_pending_sel, 0);
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(unblocks[2][0], 0);
    /* Unmasking a pending port delivers it. */
    assert_int_equal(ev_unmask(2, p2), 0);
    assert_int_equal(doms[2]->shared_info->evtchn_mask[p2 / BITS], 0);
    assert_true(vi(2, 0)->evtchn_pending_sel & ((xen_ulong_t)1 << (p2 / BITS)));
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 1);
    assert_int_equal(unblocks[2][0], 1);
    /* Unmasking a port that is not pending delivers nothing. */
    ack_upcall(2, 0);
    clear_pending(2, p2);
    set_mask(2, p2);
    assert_int_equal(ev_unmask(2, p2), 0);
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 0);
    assert_int_equal(unblocks[2][0], 1);
    /* With upcalls masked (evtchn_upcall_mask) the event is flagged but
     * not due for delivery until the guest clears the mask. */
    vi(2, 0)->evtchn_upcall_mask = 1;
    assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 1);
    assert_false(local_events_need_delivery(doms[2]->vcpu[0]));
    vi(2, 0)->evtchn_upcall_mask = 0;
    assert_true(local_events_need_delivery(doms[2]->vcpu[0]));
}

static void test_pollers_wake_even_when_masked(void **state)
{
    evtchn_port_t p1, p2;
    struct vcpu *v;

    (void)state;
    connect(&p1, &p2);
    v = doms[2]->vcpu[1];
    v->poll_nr = 1;
    v->poll_ports[0] = p2;
    set_mask(2, p2);
    assert_false(evtchn_any_pending(doms[2], &p2, 1));
    assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(unblocks[2][1], 1);
    assert_int_equal(unblocks[2][0], 0);
    assert_true(evtchn_any_pending(doms[2], &p2, 1));
    v->poll_nr = 0;
}

static void test_bind_vcpu_moves_the_upcall(void **state)
{
    struct evtchn_bind_vcpu bv;
    evtchn_port_t p1, p2;

    (void)state;
    connect(&p1, &p2);
    bv = (struct evtchn_bind_vcpu){.port = p2, .vcpu = 1};
    assert_int_equal(op(2, EVTCHNOP_bind_vcpu, &bv), 0);
    assert_int_equal(status(2, DOMID_SELF, p2).vcpu, 1);
    assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(vi(2, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(vi(2, 0)->evtchn_upcall_pending, 0);
    bv = (struct evtchn_bind_vcpu){.port = p2, .vcpu = NVCPUS};
    assert_int_equal(op(2, EVTCHNOP_bind_vcpu, &bv), -XEN_ENOENT);
    bv = (struct evtchn_bind_vcpu){.port = p2 + 1, .vcpu = 0};
    assert_int_equal(op(2, EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
}

static void test_port_limit(void **state)
{
    evtchn_port_t p, first = 0, last = 0, p2;

    (void)state;
    free_domain(doms[1]);
    model_domain(1, 15); /* ports 1..15 */
    for (unsigned int i = 0; i < 15; i++) {
        assert_int_equal(alloc_unbound(1, DOMID_SELF, 2, &p), 0);
        if (!first)
            first = p;
        last = p;
    }
    assert_int_equal(first, 1);
    assert_int_equal(last, 15);
    assert_int_equal(alloc_unbound(1, DOMID_SELF, 2, NULL), -XEN_ENOSPC);
    /* A full table is -ENOSPC whatever the remote port, as on Xen. */
    assert_int_equal(alloc_unbound(2, DOMID_SELF, 1, &p2), 0);
    assert_int_equal(bind_interdomain(1, 2, p2, NULL), -XEN_ENOSPC);
    assert_int_equal(bind_interdomain(1, 2, 999, NULL), -XEN_ENOSPC);
    {
        struct evtchn_bind_ipi b = {.vcpu = 0};
        assert_int_equal(op(1, EVTCHNOP_bind_ipi, &b), -XEN_ENOSPC);
    }
    /* The peer's port is untouched; a freed port is used again. */
    assert_int_equal(status(2, DOMID_SELF, p2).status, EVTCHNSTAT_unbound);
    assert_int_equal(ev_close(1, 7), 0);
    assert_int_equal(bind_interdomain(1, 2, p2, &p), 0);
    assert_int_equal(p, 7);
    /* The 2-level ABI caps any limit at 4096 ports. */
    free_domain(doms[1]);
    model_domain(1, 100000);
    assert_int_equal(doms[1]->max_evtchn_port, EVTCHN_2L_NR_CHANNELS - 1);
    /* Domain 0 may fill a guest's table for it, and is then refused. */
    free_domain(doms[2]);
    model_domain(2, 3);
    for (unsigned int i = 0; i < 3; i++)
        assert_int_equal(alloc_unbound(0, 2, 0, NULL), 0);
    assert_int_equal(alloc_unbound(0, 2, 0, NULL), -XEN_ENOSPC);
}

static void test_table_grows_by_buckets(void **state)
{
    evtchn_port_t p;

    (void)state;
    assert_int_equal(doms[1]->valid_evtchns, EVTCHNS_PER_BUCKET);
    for (unsigned int i = 0; i < EVTCHNS_PER_BUCKET - 1; i++)
        assert_int_equal(alloc_unbound(1, DOMID_SELF, 2, NULL), 0);
    assert_int_equal(doms[1]->valid_evtchns, EVTCHNS_PER_BUCKET);
    /* DEFAULT_MAX_EVTCHN_PORT is the last port of the first bucket. */
    assert_int_equal(alloc_unbound(1, DOMID_SELF, 2, &p), -XEN_ENOSPC);
    free_domain(doms[1]);
    model_domain(1, 2 * EVTCHNS_PER_BUCKET - 1);
    for (unsigned int i = 0; i < EVTCHNS_PER_BUCKET; i++)
        assert_int_equal(alloc_unbound(1, DOMID_SELF, 2, &p), 0);
    assert_int_equal(p, EVTCHNS_PER_BUCKET);
    assert_int_equal(doms[1]->valid_evtchns, 2 * EVTCHNS_PER_BUCKET);
    assert_int_equal(status(1, DOMID_SELF, p).status, EVTCHNSTAT_unbound);
}

static void test_destroy_releases_the_peer(void **state)
{
    evtchn_port_t p1, p2, q1, q2;
    struct evtchn_status st;

    (void)state;
    connect(&p1, &p2);
    assert_int_equal(alloc_unbound(1, DOMID_SELF, 2, &q1), 0);
    assert_int_equal(bind_interdomain(2, 1, q1, &q2), 0);
    /* Guest 1 dies with a channel in each direction. */
    doms[1]->state = DOMSTATE_dying;
    evtchn_destroy(doms[1]);
    check_quiet();
    st = status(2, DOMID_SELF, p2);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
    st = status(2, DOMID_SELF, q2);
    assert_int_equal(st.status, EVTCHNSTAT_unbound);
    assert_int_equal(st.u.unbound.dom, 1);
    /* The survivor's sends are dropped, its closes work. */
    assert_int_equal(ev_send(2, q2), 0);
    assert_int_equal(ev_close(2, p2), 0);
    assert_int_equal(ev_close(2, q2), 0);
    for (unsigned int b = 0; b < NR_EVTCHN_BUCKETS; b++)
        assert_null(doms[1]->evtchn_bucket[b]);
    doms[1]->state = DOMSTATE_active;
    assert_int_equal(evtchn_init(doms[1], DEFAULT_MAX_EVTCHN_PORT), 0);
}

static void test_close_with_the_peer_gone(void **state)
{
    evtchn_port_t p1, p2;

    (void)state;
    connect(&p1, &p2);
    /* Guest 2 is dying and no longer in the domain table: guest 1 can
     * still send (dropped) and close its end. */
    doms[2]->state = DOMSTATE_dying;
    assert_int_equal(ev_send(1, p1), 0);
    assert_false(pending(2, p2));
    assert_int_equal(ev_close(1, p1), 0);
    assert_int_equal(status(1, DOMID_SELF, p1).status, EVTCHNSTAT_closed);
    doms[2]->state = DOMSTATE_active;
}

static void test_dom0_doorbell(void **state)
{
    evtchn_port_t p0, p1;

    (void)state;
    assert_int_equal(alloc_unbound(1, DOMID_SELF, 0, &p1), 0);
    assert_int_equal(bind_interdomain(0, 1, p1, &p0), 0);
    /* The bind's implicit send rang once. */
    assert_true(pending(0, p0));
    assert_int_equal(dom0_bells, 1);
    clear_pending(0, p0);
    assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(dom0_bells, 2);
    /* Still pending: the host has not taken it, no second bell. */
    for (unsigned int i = 0; i < 100; i++)
        assert_int_equal(ev_send(1, p1), 0);
    assert_int_equal(dom0_bells, 2);
    assert_int_equal(doms[0]->events_received, 102);
    /* Masked: pending, no bell; the unmask rings for it. */
    clear_pending(0, p0);
    set_mask(0, p0);
    assert_int_equal(ev_send(1, p1), 0);
    assert_true(pending(0, p0));
    assert_int_equal(dom0_bells, 2);
    assert_int_equal(ev_unmask(0, p0), 0);
    assert_int_equal(dom0_bells, 3);
    /* Domain 0 has no vCPU in the machine: nobody was kicked. */
    assert_int_equal(unblocks[0][0] + unblocks[0][1], 0);
    /* Domain 0 sends to the guest like any peer. */
    assert_int_equal(ev_send(0, p0), 0);
    assert_true(pending(1, p1));
    assert_int_equal(vi(1, 0)->evtchn_upcall_pending, 1);
}

static void test_virq(void **state)
{
    struct evtchn_bind_virq b = {.virq = VIRQ_TIMER, .vcpu = 1};
    struct evtchn_status st;
    evtchn_port_t port;

    (void)state;
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), 0);
    port = b.port;
    st = status(1, DOMID_SELF, port);
    assert_int_equal(st.status, EVTCHNSTAT_virq);
    assert_int_equal(st.u.virq, VIRQ_TIMER);
    assert_int_equal(st.vcpu, 1);
    send_guest_vcpu_virq(doms[1]->vcpu[1], VIRQ_TIMER);
    check_quiet();
    assert_true(pending(1, port));
    assert_int_equal(vi(1, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(vi(1, 0)->evtchn_upcall_pending, 0);
    /* Per vCPU: vCPU 0 has no VIRQ_TIMER port, so nothing happens. */
    clear_pending(1, port);
    send_guest_vcpu_virq(doms[1]->vcpu[0], VIRQ_TIMER);
    assert_false(pending(1, port));
    /* Refusals: twice, a global VIRQ off vCPU 0, bad VIRQ or vCPU;
     * a per-vCPU VIRQ does not move. */
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), -XEN_EEXIST);
    b = (struct evtchn_bind_virq){.virq = VIRQ_CONSOLE, .vcpu = 1};
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), -XEN_EINVAL);
    b = (struct evtchn_bind_virq){.virq = NR_VIRQS, .vcpu = 0};
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), -XEN_EINVAL);
    b = (struct evtchn_bind_virq){.virq = VIRQ_DEBUG, .vcpu = NVCPUS};
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), -XEN_ENOENT);
    {
        struct evtchn_bind_vcpu bv = {.port = port, .vcpu = 0};
        assert_int_equal(op(1, EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
    }
    /* A VIRQ port cannot be sent on. */
    assert_int_equal(ev_send(1, port), -XEN_EINVAL);
    /* Closed: the VIRQ goes nowhere and can be bound again. */
    assert_int_equal(ev_close(1, port), 0);
    send_guest_vcpu_virq(doms[1]->vcpu[1], VIRQ_TIMER);
    assert_false(pending(1, port));
    b = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = 1};
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), 0);
    /* A global VIRQ goes to the port's notify vCPU. */
    b = (struct evtchn_bind_virq){.virq = VIRQ_DOM_EXC, .vcpu = 0};
    assert_int_equal(op(0, EVTCHNOP_bind_virq, &b), 0);
    send_guest_global_virq(doms[0], VIRQ_DOM_EXC);
    assert_true(pending(0, b.port));
    assert_int_equal(dom0_bells, 1);
}

static void test_ipi(void **state)
{
    struct evtchn_bind_ipi b = {.vcpu = 1};

    (void)state;
    assert_int_equal(op(1, EVTCHNOP_bind_ipi, &b), 0);
    assert_int_equal(status(1, DOMID_SELF, b.port).status, EVTCHNSTAT_ipi);
    assert_int_equal(ev_send(1, b.port), 0);
    assert_true(pending(1, b.port));
    assert_int_equal(vi(1, 1)->evtchn_upcall_pending, 1);
    assert_int_equal(unblocks[1][1], 1);
    b = (struct evtchn_bind_ipi){.vcpu = NVCPUS};
    assert_int_equal(op(1, EVTCHNOP_bind_ipi, &b), -XEN_ENOENT);
}

static void test_reset(void **state)
{
    evtchn_port_t p1, p2;
    struct evtchn_reset r = {.dom = DOMID_SELF};
    struct evtchn_bind_virq b = {.virq = VIRQ_TIMER, .vcpu = 0};

    (void)state;
    connect(&p1, &p2);
    assert_int_equal(op(1, EVTCHNOP_bind_virq, &b), 0);
    assert_int_equal(op(1, EVTCHNOP_reset, &r), 0);
    assert_int_equal(status(1, DOMID_SELF, p1).status, EVTCHNSTAT_closed);
    assert_int_equal(status(1, DOMID_SELF, b.port).status, EVTCHNSTAT_closed);
    assert_int_equal(status(2, DOMID_SELF, p2).status, EVTCHNSTAT_unbound);
    assert_int_equal(doms[1]->vcpu[0]->virq_to_evtchn[VIRQ_TIMER], 0);
    /* Another domain: -EPERM to a guest, allowed to domain 0. */
    r.dom = 2;
    assert_int_equal(op(1, EVTCHNOP_reset, &r), -XEN_EPERM);
    assert_int_equal(op(0, EVTCHNOP_reset, &r), 0);
    assert_int_equal(status(2, DOMID_SELF, p2).status, EVTCHNSTAT_closed);
}

static void test_fifo_abi_is_unavailable(void **state)
{
    struct evtchn_init_control ic = {0};
    struct evtchn_expand_array ea = {0};

    (void)state;
    assert_int_equal(op(1, EVTCHNOP_init_control, &ic), -XEN_ENOSYS);
    assert_int_equal(op(1, EVTCHNOP_expand_array, &ea), -XEN_ENOSYS);
    assert_int_equal(op(1, 9999, &ic), -XEN_ENOSYS);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_alloc_bind_close),
        T(test_refused_binds),
        T(test_refused_sends_and_closes),
        T(test_send_sets_pending_once),
        T(test_mask_and_unmask),
        T(test_pollers_wake_even_when_masked),
        T(test_bind_vcpu_moves_the_upcall),
        T(test_port_limit),
        T(test_table_grows_by_buckets),
        T(test_destroy_releases_the_peer),
        T(test_close_with_the_peer_gone),
        T(test_dom0_doorbell),
        T(test_virq),
        T(test_ipi),
        T(test_reset),
        T(test_fifo_abi_is_unavailable),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
