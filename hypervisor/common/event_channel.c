/* SPDX-License-Identifier: MIT */
/*
 * Event channels, 2-level ABI (public/event_channel.h).
 *
 * Each domain has up to max_evtchn_port + 1 ports in buckets of
 * EVTCHNS_PER_BUCKET, allocated as ports are first used.  Port 0 is never
 * allocated.  A port's binding (its struct evtchn) is protected by its
 * domain's event_lock; binding two domains' ports together takes both
 * event locks, lower domain id first (double_evtchn_lock).  Pending and
 * mask bits live in the domain's shared_info and change only with atomic
 * bit operations, because the guest writes the same words.
 *
 * Set-pending follows Xen's 2-level algorithm: set the port's pending bit;
 * if it was clear and the port is unmasked, set the selector bit of the
 * port's word in the target vCPU's evtchn_pending_sel and, if that was
 * clear, set upcall_pending and kick the vCPU.  vCPUs polling the port are
 * woken even when it is masked.
 */
#include <asm/current.h>
#include <asm/processor.h>
#include <pvisor/barrier.h>
#include <pvisor/domain_table.h>
#include <pvisor/event.h>
#include <pvisor/guest_access.h>
#include <pvisor/hypercall.h>
#include <pvisor/lib.h>
#include <pvisor/link.h>
#include <pvisor/trace.h>
#include <pvisor/schedule.h>
#include <pvisor/smp.h>
#include <pvisor/softirq.h>
#include <xen/errno.h>

#define BITS_PER_XEN_ULONG (sizeof(xen_ulong_t) * 8)

static bool test_and_set(xen_ulong_t *word, unsigned int bit)
{
    xen_ulong_t m = (xen_ulong_t)1 << bit;

    return __atomic_fetch_or(word, m, __ATOMIC_SEQ_CST) & m;
}

static bool test_bit(const xen_ulong_t *word, unsigned int bit)
{
    return __atomic_load_n(word, __ATOMIC_ACQUIRE) &
           ((xen_ulong_t)1 << bit);
}

static void clear_bit(xen_ulong_t *word, unsigned int bit)
{
    __atomic_fetch_and(word, ~((xen_ulong_t)1 << bit), __ATOMIC_SEQ_CST);
}

static struct evtchn *evtchn_from_port(struct domain *d, evtchn_port_t port)
{
    struct evtchn *b;

    if (port > d->max_evtchn_port || port >= EVTCHN_2L_NR_CHANNELS)
        return NULL;
    b = d->evtchn_bucket[port / EVTCHNS_PER_BUCKET];
    return b ? &b[port % EVTCHNS_PER_BUCKET] : NULL;
}

static unsigned int bucket_order(void)
{
    unsigned int order = 0;

    while ((PAGE_SIZE << order) < EVTCHNS_PER_BUCKET * sizeof(struct evtchn))
        order++;
    return order;
}

int evtchn_init(struct domain *d, unsigned int max_port)
{
    struct evtchn *b;

    BUILD_BUG_ON(EVTCHN_2L_NR_CHANNELS / EVTCHNS_PER_BUCKET > NR_EVTCHN_BUCKETS);
    spin_lock_init(&d->event_lock);
    if (max_port >= EVTCHN_2L_NR_CHANNELS)
        max_port = EVTCHN_2L_NR_CHANNELS - 1;
    d->max_evtchn_port = max_port;
    b = alloc_xenheap_pages(bucket_order());
    if (!b)
        return -XEN_ENOMEM;
    memset(b, 0, PAGE_SIZE << bucket_order());
    b[0].state = ECS_RESERVED;
    d->evtchn_bucket[0] = b;
    d->valid_evtchns = EVTCHNS_PER_BUCKET;
    return 0;
}

/* A free port, growing the table if needed; event_lock held. */
static int get_free_port(struct domain *d)
{
    for (evtchn_port_t port = 1; port <= d->max_evtchn_port; port++) {
        struct evtchn *chn;
        unsigned int bucket = port / EVTCHNS_PER_BUCKET;

        if (!d->evtchn_bucket[bucket]) {
            struct evtchn *b = alloc_xenheap_pages(bucket_order());
            if (!b)
                return -XEN_ENOMEM;
            memset(b, 0, PAGE_SIZE << bucket_order());
            d->evtchn_bucket[bucket] = b;
            d->valid_evtchns += EVTCHNS_PER_BUCKET;
        }
        chn = evtchn_from_port(d, port);
        if (chn->state == ECS_FREE)
            return (int)port;
    }
    return -XEN_ENOSPC;
}

static struct vcpu *notify_vcpu(struct domain *d, const struct evtchn *chn)
{
    struct vcpu *v = chn->notify_vcpu_id < d->max_vcpus
                         ? d->vcpu[chn->notify_vcpu_id]
                         : NULL;

    return v ? v : d->vcpu[0];
}

bool local_events_need_delivery(const struct vcpu *v)
{
    const vcpu_info_t *vi = v->vcpu_info;

    return vi && READ_ONCE(vi->evtchn_upcall_pending) &&
           !READ_ONCE(vi->evtchn_upcall_mask);
}

void vcpu_kick(struct vcpu *v)
{
    bool running = READ_ONCE(v->is_running);

    vcpu_unblock(v);
    /* A vCPU running elsewhere must pass its exit path to see the event. */
    if (running && v->processor != smp_processor_id())
        smp_send_event_check(v->processor);
}

static void vcpu_mark_events_pending(struct vcpu *v)
{
    if (!v->vcpu_info)
        return;
    if (__atomic_exchange_n(&v->vcpu_info->evtchn_upcall_pending, 1,
                            __ATOMIC_SEQ_CST))
        return;
    vcpu_kick(v);
}

/* Wakes vCPUs of d polling port. */
static void evtchn_check_pollers(struct domain *d, evtchn_port_t port)
{
    for (unsigned int i = 0; i < d->max_vcpus; i++) {
        struct vcpu *v = d->vcpu[i];

        if (!v || !READ_ONCE(v->poll_nr))
            continue;
        for (unsigned int j = 0; j < v->poll_nr; j++)
            if (v->poll_ports[j] == port) {
                vcpu_unblock(v);
                break;
            }
    }
}

/*
 * Domain 0 has no vCPU in the machine: its pending ports are read by the
 * host, which is told through the dom0 link (public/pvisor/dom0link.h).
 * The barrier orders our pending store before the mask load against the
 * host's unmask, which clears the mask and then checks pending.
 */
static void dom0_set_pending(shared_info_t *s, evtchn_port_t port)
{
    unsigned int word = port / BITS_PER_XEN_ULONG;

    if (test_and_set(&s->evtchn_pending[word], port % BITS_PER_XEN_ULONG))
        return;
    smp_mb();
    if (!test_bit(&s->evtchn_mask[word], port % BITS_PER_XEN_ULONG))
        dom0link_notify_events();
}

static void evtchn_set_pending(struct domain *d, evtchn_port_t port,
                               struct vcpu *v)
{
    shared_info_t *s = d->shared_info;
    unsigned int word = port / BITS_PER_XEN_ULONG;

    __atomic_fetch_add(&d->events_received, 1, __ATOMIC_RELAXED);
    if (trace_on_domid(PVTRACE_CLASS_EVTCHN, d->domain_id))
        trace_record(PVTRACE_EV_EVTCHN_PENDING, 0, d->domain_id,
                     (uint16_t)v->vcpu_id, port, 0, 0, 0, 0, 0);
    if (d == dom0) {
        dom0_set_pending(s, port);
        return;
    }
    if (!test_and_set(&s->evtchn_pending[word], port % BITS_PER_XEN_ULONG) &&
        !test_bit(&s->evtchn_mask[word], port % BITS_PER_XEN_ULONG) &&
        !test_and_set(&v->vcpu_info->evtchn_pending_sel, word))
        vcpu_mark_events_pending(v);
    evtchn_check_pollers(d, port);
}

bool evtchn_any_pending(struct domain *d, const evtchn_port_t *ports,
                        unsigned int nr)
{
    for (unsigned int i = 0; i < nr; i++)
        if (ports[i] < EVTCHN_2L_NR_CHANNELS &&
            test_bit(&d->shared_info->evtchn_pending[ports[i] /
                                                     BITS_PER_XEN_ULONG],
                     ports[i] % BITS_PER_XEN_ULONG))
            return true;
    return false;
}

static bool virq_is_global(uint32_t virq)
{
    return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF;
}

void send_guest_vcpu_virq(struct vcpu *v, uint32_t virq)
{
    struct domain *d = v->domain;
    unsigned long flags;
    evtchn_port_t port;

    spin_lock_irqsave(&d->event_lock, flags);
    port = v->virq_to_evtchn[virq];
    if (port)
        evtchn_set_pending(d, port, v);
    spin_unlock_irqrestore(&d->event_lock, flags);
}

void send_guest_global_virq(struct domain *d, uint32_t virq)
{
    struct vcpu *v = d->vcpu[0];
    struct evtchn *chn;
    unsigned long flags;
    evtchn_port_t port;

    if (!v)
        return;
    spin_lock_irqsave(&d->event_lock, flags);
    port = v->virq_to_evtchn[virq];
    if (port && (chn = evtchn_from_port(d, port)))
        evtchn_set_pending(d, port, notify_vcpu(d, chn));
    spin_unlock_irqrestore(&d->event_lock, flags);
}

/* Locks two domains' event locks in a fixed order. */
static void double_evtchn_lock(struct domain *a, struct domain *b,
                               unsigned long *flags)
{
    *flags = local_irq_save();
    if (a == b) {
        spin_lock(&a->event_lock);
    } else if (a->domain_id < b->domain_id) {
        spin_lock(&a->event_lock);
        spin_lock(&b->event_lock);
    } else {
        spin_lock(&b->event_lock);
        spin_lock(&a->event_lock);
    }
}

static void double_evtchn_unlock(struct domain *a, struct domain *b,
                                 unsigned long flags)
{
    spin_unlock(&a->event_lock);
    if (a != b)
        spin_unlock(&b->event_lock);
    local_irq_restore(flags);
}

/*
 * The domain an operation names: DOMID_SELF, or any for the privileged.
 * As on Xen (rcu_lock_domain_by_any_id, then the XSM_TARGET check), a
 * domain that does not exist is -ESRCH for anyone; another existing one
 * is -EPERM for the unprivileged.
 */
static struct domain *target_domain(domid_t dom, long *rc)
{
    struct domain *d;

    if (dom == DOMID_SELF || dom == current->domain->domain_id) {
        d = current->domain;
        get_domain(d);
        return d;
    }
    d = get_domain_by_id(dom);
    if (!d) {
        *rc = -XEN_ESRCH;
        return NULL;
    }
    if (!current->domain->is_privileged) {
        put_domain(d);
        *rc = -XEN_EPERM;
        return NULL;
    }
    return d;
}

static long evtchn_alloc_unbound(struct evtchn_alloc_unbound *a)
{
    struct domain *d;
    struct evtchn *chn;
    long rc = 0;
    int port;
    unsigned long flags;
    domid_t remote = a->remote_dom;

    d = target_domain(a->dom, &rc);
    if (!d)
        return rc;
    if (remote == DOMID_SELF)
        remote = current->domain->domain_id;
    spin_lock_irqsave(&d->event_lock, flags);
    port = get_free_port(d);
    if (port < 0) {
        rc = port;
    } else {
        chn = evtchn_from_port(d, (evtchn_port_t)port);
        chn->state = ECS_UNBOUND;
        chn->notify_vcpu_id = 0;
        chn->u.unbound_remote = remote;
        a->port = (evtchn_port_t)port;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    put_domain(d);
    return rc;
}

static long evtchn_bind_interdomain(struct evtchn_bind_interdomain *b)
{
    struct domain *ld = current->domain, *rd;
    struct evtchn *lchn, *rchn;
    domid_t rdom = b->remote_dom;
    unsigned long flags;
    long rc = 0;
    int lport;

    if (rdom == DOMID_SELF)
        rdom = ld->domain_id;
    rd = get_domain_by_id(rdom);
    if (!rd)
        return -XEN_ESRCH;
    double_evtchn_lock(ld, rd, &flags);
    /* A local port first, as Xen: a full table is -ENOSPC whatever the
     * remote port. */
    lport = get_free_port(ld);
    if (lport < 0) {
        rc = lport;
        goto out;
    }
    rchn = evtchn_from_port(rd, b->remote_port);
    if (!rchn || b->remote_port == 0) {
        rc = -XEN_EINVAL;
        goto out;
    }
    if (rchn->state != ECS_UNBOUND || rchn->u.unbound_remote != ld->domain_id) {
        rc = -XEN_EINVAL;
        goto out;
    }
    lchn = evtchn_from_port(ld, (evtchn_port_t)lport);
    lchn->state = ECS_INTERDOMAIN;
    lchn->notify_vcpu_id = 0;
    lchn->u.interdomain.remote_dom = rd->domain_id;
    lchn->u.interdomain.remote_port = b->remote_port;
    rchn->state = ECS_INTERDOMAIN;
    rchn->u.interdomain.remote_dom = ld->domain_id;
    rchn->u.interdomain.remote_port = (evtchn_port_t)lport;
    b->local_port = (evtchn_port_t)lport;
    /* The binding is an implicit send, as on Xen: the peer may have
     * raced ahead and sent already. */
    evtchn_set_pending(ld, (evtchn_port_t)lport, notify_vcpu(ld, lchn));
out:
    double_evtchn_unlock(ld, rd, flags);
    put_domain(rd);
    return rc;
}

static long evtchn_bind_virq(struct evtchn_bind_virq *b)
{
    struct domain *d = current->domain;
    struct vcpu *v;
    struct evtchn *chn;
    unsigned long flags;
    long rc = 0;
    int port;

    if (b->virq >= NR_VIRQS)
        return -XEN_EINVAL;
    if (virq_is_global(b->virq) && b->vcpu != 0)
        return -XEN_EINVAL;
    if (b->vcpu >= d->max_vcpus || !(v = d->vcpu[b->vcpu]))
        return -XEN_ENOENT;
    spin_lock_irqsave(&d->event_lock, flags);
    if (v->virq_to_evtchn[b->virq]) {
        rc = -XEN_EEXIST;
        goto out;
    }
    port = get_free_port(d);
    if (port < 0) {
        rc = port;
        goto out;
    }
    chn = evtchn_from_port(d, (evtchn_port_t)port);
    chn->state = ECS_VIRQ;
    chn->notify_vcpu_id = (uint16_t)b->vcpu;
    chn->u.virq = b->virq;
    v->virq_to_evtchn[b->virq] = (evtchn_port_t)port;
    b->port = (evtchn_port_t)port;
out:
    spin_unlock_irqrestore(&d->event_lock, flags);
    return rc;
}

static long evtchn_bind_ipi(struct evtchn_bind_ipi *b)
{
    struct domain *d = current->domain;
    struct evtchn *chn;
    unsigned long flags;
    int port;

    if (b->vcpu >= d->max_vcpus || !d->vcpu[b->vcpu])
        return -XEN_ENOENT;
    spin_lock_irqsave(&d->event_lock, flags);
    port = get_free_port(d);
    if (port >= 0) {
        chn = evtchn_from_port(d, (evtchn_port_t)port);
        chn->state = ECS_IPI;
        chn->notify_vcpu_id = (uint16_t)b->vcpu;
        b->port = (evtchn_port_t)port;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return port < 0 ? port : 0;
}

/* Closes port of d1; event_lock of d1 (and of its peer) held. */
static void evtchn_close_locked(struct domain *d1, evtchn_port_t port,
                                struct domain *d2)
{
    struct evtchn *chn = evtchn_from_port(d1, port), *peer;

    switch (chn->state) {
    case ECS_VIRQ:
        for (unsigned int i = 0; i < d1->max_vcpus; i++)
            if (d1->vcpu[i] && d1->vcpu[i]->virq_to_evtchn[chn->u.virq] == port)
                d1->vcpu[i]->virq_to_evtchn[chn->u.virq] = 0;
        break;
    case ECS_INTERDOMAIN:
        if (d2) {
            peer = evtchn_from_port(d2, chn->u.interdomain.remote_port);
            if (peer && peer->state == ECS_INTERDOMAIN &&
                peer->u.interdomain.remote_dom == d1->domain_id) {
                peer->state = ECS_UNBOUND;
                peer->u.unbound_remote = d1->domain_id;
            }
        }
        break;
    default:
        break;
    }
    /* Clear the pending bit so a re-used port does not fire at once. */
    clear_bit(&d1->shared_info->evtchn_pending[port / BITS_PER_XEN_ULONG],
              port % BITS_PER_XEN_ULONG);
    memset(chn, 0, sizeof(*chn));
    chn->state = ECS_FREE;
}

static long evtchn_close(struct domain *d1, evtchn_port_t port)
{
    struct evtchn *chn;
    struct domain *d2 = NULL;
    unsigned long flags;
    long rc = 0;

    spin_lock_irqsave(&d1->event_lock, flags);
    chn = evtchn_from_port(d1, port);
    if (!chn || port == 0) {
        spin_unlock_irqrestore(&d1->event_lock, flags);
        return -XEN_EINVAL;
    }
    if (chn->state == ECS_FREE || chn->state == ECS_RESERVED) {
        spin_unlock_irqrestore(&d1->event_lock, flags);
        return chn->state == ECS_FREE ? -XEN_EINVAL : 0;
    }
    if (chn->state == ECS_INTERDOMAIN) {
        domid_t rid = chn->u.interdomain.remote_dom;

        spin_unlock_irqrestore(&d1->event_lock, flags);
        d2 = get_domain_by_id(rid);
        if (d2)
            double_evtchn_lock(d1, d2, &flags);
        else
            spin_lock_irqsave(&d1->event_lock, flags);
        /* The binding may have changed while no lock was held. */
        chn = evtchn_from_port(d1, port);
        if (chn->state != ECS_INTERDOMAIN ||
            chn->u.interdomain.remote_dom != rid) {
            if (d2)
                double_evtchn_unlock(d1, d2, flags);
            else
                spin_unlock_irqrestore(&d1->event_lock, flags);
            if (d2)
                put_domain(d2);
            return evtchn_close(d1, port);
        }
        evtchn_close_locked(d1, port, d2);
        if (d2) {
            double_evtchn_unlock(d1, d2, flags);
            put_domain(d2);
        } else {
            spin_unlock_irqrestore(&d1->event_lock, flags);
        }
        return rc;
    }
    evtchn_close_locked(d1, port, NULL);
    spin_unlock_irqrestore(&d1->event_lock, flags);
    return rc;
}

static long evtchn_send(struct domain *ld, evtchn_port_t lport)
{
    struct evtchn *lchn;
    struct domain *rd;
    unsigned long flags;
    long rc = 0;

    spin_lock_irqsave(&ld->event_lock, flags);
    lchn = evtchn_from_port(ld, lport);
    if (!lchn || lport == 0) {
        spin_unlock_irqrestore(&ld->event_lock, flags);
        return -XEN_EINVAL;
    }
    if (current->domain == ld)
        current->stats.events_sent++;
    if (trace_on_domid(PVTRACE_CLASS_EVTCHN, ld->domain_id))
        trace_record(PVTRACE_EV_EVTCHN_SEND, 0, ld->domain_id,
                     (uint16_t)current->vcpu_id, lport,
                     lchn->state == ECS_INTERDOMAIN
                         ? lchn->u.interdomain.remote_dom
                         : ld->domain_id,
                     lchn->state == ECS_INTERDOMAIN
                         ? lchn->u.interdomain.remote_port
                         : lport,
                     0, 0, 0);
    switch (lchn->state) {
    case ECS_INTERDOMAIN: {
        domid_t rid = lchn->u.interdomain.remote_dom;
        evtchn_port_t rport = lchn->u.interdomain.remote_port;

        spin_unlock_irqrestore(&ld->event_lock, flags);
        rd = get_domain_by_id(rid);
        if (!rd)
            return 0; /* the peer is gone: nobody to tell */
        spin_lock_irqsave(&rd->event_lock, flags);
        {
            struct evtchn *rchn = evtchn_from_port(rd, rport);
            if (rchn && rchn->state == ECS_INTERDOMAIN &&
                rchn->u.interdomain.remote_dom == ld->domain_id &&
                rchn->u.interdomain.remote_port == lport)
                evtchn_set_pending(rd, rport, notify_vcpu(rd, rchn));
        }
        spin_unlock_irqrestore(&rd->event_lock, flags);
        put_domain(rd);
        return 0;
    }
    case ECS_IPI:
        evtchn_set_pending(ld, lport, notify_vcpu(ld, lchn));
        break;
    case ECS_UNBOUND:
        break; /* silently dropped, as on Xen */
    default:
        rc = -XEN_EINVAL;
        break;
    }
    spin_unlock_irqrestore(&ld->event_lock, flags);
    return rc;
}

static long evtchn_status(struct evtchn_status *st)
{
    struct domain *d;
    struct evtchn *chn;
    unsigned long flags;
    long rc = 0;

    d = target_domain(st->dom, &rc);
    if (!d)
        return rc;
    spin_lock_irqsave(&d->event_lock, flags);
    chn = evtchn_from_port(d, st->port);
    if (!chn) {
        rc = -XEN_EINVAL;
        goto out;
    }
    st->vcpu = chn->notify_vcpu_id;
    switch (chn->state) {
    case ECS_FREE:
    case ECS_RESERVED:
        st->status = EVTCHNSTAT_closed;
        break;
    case ECS_UNBOUND:
        st->status = EVTCHNSTAT_unbound;
        st->u.unbound.dom = chn->u.unbound_remote;
        break;
    case ECS_INTERDOMAIN:
        st->status = EVTCHNSTAT_interdomain;
        st->u.interdomain.dom = chn->u.interdomain.remote_dom;
        st->u.interdomain.port = chn->u.interdomain.remote_port;
        break;
    case ECS_VIRQ:
        st->status = EVTCHNSTAT_virq;
        st->u.virq = chn->u.virq;
        break;
    case ECS_IPI:
        st->status = EVTCHNSTAT_ipi;
        break;
    default:
        rc = -XEN_EINVAL;
    }
out:
    spin_unlock_irqrestore(&d->event_lock, flags);
    put_domain(d);
    return rc;
}

static long evtchn_bind_vcpu(evtchn_port_t port, unsigned int vcpu_id)
{
    struct domain *d = current->domain;
    struct evtchn *chn;
    unsigned long flags;
    long rc = 0;

    if (vcpu_id >= d->max_vcpus || !d->vcpu[vcpu_id])
        return -XEN_ENOENT;
    spin_lock_irqsave(&d->event_lock, flags);
    chn = evtchn_from_port(d, port);
    if (!chn || port == 0) {
        rc = -XEN_EINVAL;
    } else if (chn->state == ECS_VIRQ && !virq_is_global(chn->u.virq)) {
        rc = -XEN_EINVAL; /* per-vCPU VIRQs stay where they were bound */
    } else if (chn->state == ECS_UNBOUND || chn->state == ECS_INTERDOMAIN ||
               chn->state == ECS_VIRQ) {
        chn->notify_vcpu_id = (uint16_t)vcpu_id;
    } else {
        rc = -XEN_EINVAL;
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return rc;
}

static long evtchn_unmask(evtchn_port_t port)
{
    struct domain *d = current->domain;
    shared_info_t *s = d->shared_info;
    unsigned int word = port / BITS_PER_XEN_ULONG;
    struct evtchn *chn;
    unsigned long flags;
    struct vcpu *v;

    spin_lock_irqsave(&d->event_lock, flags);
    chn = evtchn_from_port(d, port);
    if (!chn) {
        spin_unlock_irqrestore(&d->event_lock, flags);
        return -XEN_EINVAL;
    }
    v = notify_vcpu(d, chn);
    clear_bit(&s->evtchn_mask[word], port % BITS_PER_XEN_ULONG);
    if (d == dom0) {
        /* The host unmasks in shared memory; this is for completeness. */
        smp_mb();
        if (test_bit(&s->evtchn_pending[word], port % BITS_PER_XEN_ULONG))
            dom0link_notify_events();
    } else if (test_bit(&s->evtchn_pending[word], port % BITS_PER_XEN_ULONG) &&
               !test_and_set(&v->vcpu_info->evtchn_pending_sel, word)) {
        vcpu_mark_events_pending(v);
    }
    spin_unlock_irqrestore(&d->event_lock, flags);
    return 0;
}

static long evtchn_reset(domid_t dom)
{
    struct domain *d;
    long rc = 0;

    d = target_domain(dom, &rc);
    if (!d)
        return rc;
    for (evtchn_port_t p = 1; p <= d->max_evtchn_port; p++) {
        struct evtchn *chn = evtchn_from_port(d, p);
        if (chn && chn->state != ECS_FREE)
            evtchn_close(d, p);
    }
    put_domain(d);
    return 0;
}

void evtchn_destroy(struct domain *d)
{
    for (evtchn_port_t p = 1; p <= d->max_evtchn_port; p++) {
        struct evtchn *chn = evtchn_from_port(d, p);
        if (chn && chn->state != ECS_FREE)
            evtchn_close(d, p);
    }
    for (unsigned int b = 0; b < NR_EVTCHN_BUCKETS; b++) {
        free_xenheap_pages(d->evtchn_bucket[b], bucket_order());
        d->evtchn_bucket[b] = NULL;
    }
}

#define COPY_IN(type)                                                          \
    type op;                                                                   \
    if (copy_struct_from_guest(&op, arg))                                      \
        return -XEN_EFAULT

#define COPY_OUT()                                                             \
    (rc == 0 && copy_struct_to_guest(arg, &op) ? -XEN_EFAULT : rc)

long do_event_channel_op(unsigned long cmd, unsigned long arg)
{
    long rc;

    switch (cmd) {
    case EVTCHNOP_alloc_unbound: {
        COPY_IN(struct evtchn_alloc_unbound);
        rc = evtchn_alloc_unbound(&op);
        return COPY_OUT();
    }
    case EVTCHNOP_bind_interdomain: {
        COPY_IN(struct evtchn_bind_interdomain);
        rc = evtchn_bind_interdomain(&op);
        return COPY_OUT();
    }
    case EVTCHNOP_bind_virq: {
        COPY_IN(struct evtchn_bind_virq);
        rc = evtchn_bind_virq(&op);
        return COPY_OUT();
    }
    case EVTCHNOP_bind_ipi: {
        COPY_IN(struct evtchn_bind_ipi);
        rc = evtchn_bind_ipi(&op);
        return COPY_OUT();
    }
    case EVTCHNOP_close: {
        COPY_IN(struct evtchn_close);
        return evtchn_close(current->domain, op.port);
    }
    case EVTCHNOP_send: {
        COPY_IN(struct evtchn_send);
        return evtchn_send(current->domain, op.port);
    }
    case EVTCHNOP_status: {
        COPY_IN(struct evtchn_status);
        rc = evtchn_status(&op);
        return COPY_OUT();
    }
    case EVTCHNOP_bind_vcpu: {
        COPY_IN(struct evtchn_bind_vcpu);
        return evtchn_bind_vcpu(op.port, op.vcpu);
    }
    case EVTCHNOP_unmask: {
        COPY_IN(struct evtchn_unmask);
        return evtchn_unmask(op.port);
    }
    case EVTCHNOP_reset: {
        COPY_IN(struct evtchn_reset);
        return evtchn_reset(op.dom);
    }
    case EVTCHNOP_init_control:
    case EVTCHNOP_expand_array:
    case EVTCHNOP_set_priority:
        return -XEN_ENOSYS; /* FIFO ABI: guests fall back to 2-level */
    default:
        return -XEN_ENOSYS;
    }
}
