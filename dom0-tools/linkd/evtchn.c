/* SPDX-License-Identifier: MIT */
/*
 * Domain 0's event channels, the link daemon's part (what Linux's
 * /dev/xen/evtchn does for a real dom0).
 *
 * Clients bind ports through the daemon (PVLINKD_EVTCHN_CMD), which makes
 * the event-channel hypercalls itself from its own window of the argument
 * arena and records which handle -- which event connection -- owns each
 * port, so that a client that dies leaves nothing bound behind.  Domain
 * 0's pending and mask bits live in its shared_info page, which the
 * daemon reads and writes directly; the hypervisor rings
 * PVLINK_BELL_EVENT when one of its ports becomes pending, at most once
 * until the daemon has caught up (the event_seq/event_ack protocol of
 * public/pvisor/dom0link.h).  A delivered port is masked until its owner
 * unmasks it, as libxenevtchn's callers expect.  A pending port nobody
 * owns yet stays pending; it is delivered when someone binds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/event_channel.h>
#include <xen/xen.h>

#include "linkd.h"

#define BITS_PER_WORD (sizeof(xen_ulong_t) * 8)
#define NR_PORTS (BITS_PER_WORD * BITS_PER_WORD) /* the 2-level ABI's */

/* Argument slots for the daemon's own calls, in window 0 after page 0. */
#define SLOT_BASE 8192
#define SLOT_SIZE 32
#define NR_SLOTS 1024

/* One event-channel hypercall made for a client. */
struct ev_op {
    struct linkd_call call;       /* call.client: who waits for the reply */
    struct ev_op *next;           /* in ev.ops */
    struct linkd_client *handle;  /* the event connection; NULL if gone */
    enum pvlinkd_ev_op kind;
    evtchn_port_t port;           /* UNBIND, NOTIFY: the local port */
    unsigned int slot;
};

static struct {
    shared_info_t *si;                 /* domain 0's; NULL if unusable */
    struct linkd_client *owner[NR_PORTS];
    uint8_t slot_used[NR_SLOTS];
    struct ev_op *ops;                 /* in flight */
    uint64_t next_cookie;
} ev;

void evtchn_machine_ready(void)
{
    uint64_t maddr = linkd.hdr->dom0_shared_info_maddr;
    int fd;

    memset(ev.owner, 0, sizeof(ev.owner));
    ev.si = maddr ? machine_maddr_ptr(maddr, sizeof(shared_info_t)) : NULL;
    if (!ev.si)
        linkd_log("no usable domain 0 shared_info (%#llx): no event channels "
                  "for dom0", (unsigned long long)maddr);
    /* Cookies that a client cannot guess from its own. */
    fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || read(fd, &ev.next_cookie, sizeof(ev.next_cookie)) !=
                      (ssize_t)sizeof(ev.next_cookie))
        ev.next_cookie = (uint64_t)getpid() << 32;
    if (fd >= 0)
        close(fd);
}

/* ------------------------------------------------------------ delivery */

static bool port_test(const xen_ulong_t *a, evtchn_port_t port)
{
    return __atomic_load_n(&a[port / BITS_PER_WORD], __ATOMIC_ACQUIRE) &
           ((xen_ulong_t)1 << (port % BITS_PER_WORD));
}

/* Masks port, clears its pending bit and sends it to its owner. */
static void deliver(evtchn_port_t port)
{
    struct linkd_client *c = ev.owner[port];
    xen_ulong_t bit = (xen_ulong_t)1 << (port % BITS_PER_WORD);
    uint32_t p = port;

    if (!c || c->closing)
        return; /* stays pending for whoever binds it */
    __atomic_fetch_or(&ev.si->evtchn_mask[port / BITS_PER_WORD], bit,
                      __ATOMIC_SEQ_CST);
    __atomic_fetch_and(&ev.si->evtchn_pending[port / BITS_PER_WORD], ~bit,
                       __ATOMIC_SEQ_CST);
    linkd.events_delivered++;
    clients_send_raw(c, &p, sizeof(p));
}

/* Clears the mask, then delivers if an event came meanwhile. */
static void unmask(evtchn_port_t port)
{
    xen_ulong_t bit = (xen_ulong_t)1 << (port % BITS_PER_WORD);

    __atomic_fetch_and(&ev.si->evtchn_mask[port / BITS_PER_WORD], ~bit,
                       __ATOMIC_SEQ_CST);
    if (port_test(ev.si->evtchn_pending, port))
        deliver(port);
}

void evtchn_doorbell(void)
{
    struct pvlink_header *h = linkd.hdr;

    if (!ev.si)
        return;
    linkd.event_bells++;
    for (;;) {
        uint32_t seq = __atomic_load_n(&h->event_seq, __ATOMIC_ACQUIRE);

        linkd.event_scans++;
        __atomic_store_n(&h->event_ack, seq, __ATOMIC_RELEASE);
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        for (unsigned int w = 0; w < BITS_PER_WORD; w++) {
            xen_ulong_t ready =
                __atomic_load_n(&ev.si->evtchn_pending[w], __ATOMIC_ACQUIRE) &
                ~__atomic_load_n(&ev.si->evtchn_mask[w], __ATOMIC_ACQUIRE);

            while (ready) {
                unsigned int b = (unsigned int)__builtin_ctzl(ready);

                ready &= ready - 1;
                deliver((evtchn_port_t)(w * BITS_PER_WORD + b));
            }
        }
        if (__atomic_load_n(&h->event_seq, __ATOMIC_ACQUIRE) == seq)
            break;
    }
}

/* ------------------------------------------------------------- handles */

void evtchn_open(struct linkd_client *c, struct pvlinkd_msg *m)
{
    if (c->evtchn || c->window) {
        m->result = -EINVAL; /* a connection is one kind or the other */
    } else if (!ev.si || linkd.state != PVLINKD_STATE_READY) {
        m->result = !ev.si && linkd.state == PVLINKD_STATE_READY ? -ENOSYS
                                                                  : -EAGAIN;
    } else {
        c->cookie = ++ev.next_cookie;
        m->result = 0;
        m->args[0] = c->cookie;
    }
    clients_send(c, m);
    if (!m->result)
        c->evtchn = true; /* from now on: events out, unmasks in */
}

static struct linkd_client *handle_by_cookie(uint64_t cookie)
{
    for (struct linkd_client *c = linkd.clients; c; c = c->next)
        if (c->evtchn && !c->closing && c->cookie == cookie)
            return c;
    return NULL;
}

void evtchn_unmask_request(struct linkd_client *c,
                           const struct pvlinkd_evtchn_unmask *u)
{
    if (u->op != PVLINKD_EV_UNMASK || u->port >= NR_PORTS) {
        linkd_log("event connection sent a bad record (op %u port %u); "
                  "closing it", u->op, u->port);
        clients_close(c);
        return;
    }
    if (ev.owner[u->port] == c)
        unmask(u->port);
}

/* ------------------------------------------------------- the hypercalls */

static int slot_get(void)
{
    for (unsigned int i = 0; i < NR_SLOTS; i++)
        if (!ev.slot_used[i]) {
            ev.slot_used[i] = 1;
            return (int)i;
        }
    return -1;
}

static void *slot_ptr(unsigned int slot)
{
    return (char *)machine_window_ptr(0) + SLOT_BASE + slot * SLOT_SIZE;
}

static uint64_t slot_maddr(unsigned int slot)
{
    return machine_window_maddr(0) + SLOT_BASE + slot * SLOT_SIZE;
}

static void op_unlink(struct ev_op *op)
{
    for (struct ev_op **pp = &ev.ops; *pp; pp = &(*pp)->next)
        if (*pp == op) {
            *pp = op->next;
            return;
        }
}

static void reply(struct ev_op *op, int64_t result)
{
    struct linkd_client *c = op->call.client;
    struct pvlinkd_msg m = {.type = PVLINKD_EVTCHN_CMD,
                            .version = PVLINKD_PROTO_VERSION};

    if (!c)
        return; /* the requester left */
    m.id = op->call.client_id;
    m.result = result;
    c->nr_calls--;
    clients_send(c, &m);
}

static void submit_close(evtchn_port_t port);

static void op_done(struct linkd_call *call, int64_t result)
{
    struct ev_op *op = (struct ev_op *)call;
    void *arg = slot_ptr(op->slot);
    evtchn_port_t port = 0;

    op_unlink(op);
    switch (op->kind) {
    case PVLINKD_EV_BIND_UNBOUND:
        port = ((struct evtchn_alloc_unbound *)arg)->port;
        break;
    case PVLINKD_EV_BIND_INTERDOMAIN:
        port = ((struct evtchn_bind_interdomain *)arg)->local_port;
        break;
    case PVLINKD_EV_BIND_VIRQ:
        port = ((struct evtchn_bind_virq *)arg)->port;
        break;
    case PVLINKD_EV_UNBIND:
        if (!result)
            __atomic_fetch_and(
                &ev.si->evtchn_pending[op->port / BITS_PER_WORD],
                ~((xen_ulong_t)1 << (op->port % BITS_PER_WORD)),
                __ATOMIC_SEQ_CST);
        break;
    default:
        break;
    }
    ev.slot_used[op->slot] = 0;
    if (op->kind <= PVLINKD_EV_BIND_VIRQ && !result) {
        if (port >= NR_PORTS) {
            result = -EPROTO;
        } else if (!op->handle || ev.owner[port]) {
            /* The handle went away meanwhile (or a confused hypervisor
             * gave a port twice): nobody will ever unbind this one. */
            submit_close(port);
            result = op->handle ? -EPROTO : -EPIPE;
        } else {
            ev.owner[port] = op->handle;
            result = port;
            unmask(port); /* a new binding starts unmasked */
        }
    }
    reply(op, result);
    free(op);
}

/* Queues an event-channel hypercall whose argument is filled by fill. */
static int submit(struct linkd_client *requester, uint64_t id,
                  struct linkd_client *handle, enum pvlinkd_ev_op kind,
                  unsigned int cmd, evtchn_port_t port, const void *arg,
                  size_t len)
{
    struct ev_op *op = calloc(1, sizeof(*op));
    int slot = slot_get();

    if (!op || slot < 0) {
        free(op);
        if (slot >= 0)
            ev.slot_used[slot] = 0;
        return -EAGAIN;
    }
    memcpy(slot_ptr((unsigned int)slot), arg, len);
    op->slot = (unsigned int)slot;
    op->kind = kind;
    op->port = port;
    op->handle = handle;
    op->call.client = requester;
    op->call.client_id = id;
    op->call.op = __HYPERVISOR_event_channel_op;
    op->call.args[0] = cmd;
    op->call.args[1] = slot_maddr((unsigned int)slot);
    op->call.window_maddr = machine_window_maddr(0);
    op->call.done = op_done;
    op->next = ev.ops;
    ev.ops = op;
    if (requester)
        requester->nr_calls++;
    machine_submit(&op->call);
    return 0;
}

/* Closes a port nobody owns any more (the reply goes nowhere). */
static void submit_close(evtchn_port_t port)
{
    struct evtchn_close cl = {.port = port};

    if (submit(NULL, 0, NULL, PVLINKD_EV_UNBIND, EVTCHNOP_close, port, &cl,
               sizeof(cl)))
        linkd_log("cannot close domain 0 port %u: no argument slot", port);
}

void evtchn_command(struct linkd_client *c, struct pvlinkd_msg *m)
{
    struct linkd_client *h = handle_by_cookie(m->args[0]);
    evtchn_port_t port = (evtchn_port_t)m->args[1];
    int rc;

    if (!h) {
        m->result = -EBADF; /* no such handle (or it closed) */
        clients_send(c, m);
        return;
    }
    if (linkd.state != PVLINKD_STATE_READY) {
        m->result = -EAGAIN;
        clients_send(c, m);
        return;
    }
    switch (m->op) {
    case PVLINKD_EV_BIND_UNBOUND: {
        struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                         .remote_dom = (domid_t)m->args[1]};
        rc = m->args[1] > 0xffff
                 ? -EINVAL
                 : submit(c, m->id, h, PVLINKD_EV_BIND_UNBOUND,
                          EVTCHNOP_alloc_unbound, 0, &a, sizeof(a));
        break;
    }
    case PVLINKD_EV_BIND_INTERDOMAIN: {
        struct evtchn_bind_interdomain b = {
            .remote_dom = (domid_t)m->args[1],
            .remote_port = (evtchn_port_t)m->args[2]};
        rc = m->args[1] > 0xffff || m->args[2] > UINT32_MAX
                 ? -EINVAL
                 : submit(c, m->id, h, PVLINKD_EV_BIND_INTERDOMAIN,
                          EVTCHNOP_bind_interdomain, 0, &b, sizeof(b));
        break;
    }
    case PVLINKD_EV_BIND_VIRQ: {
        struct evtchn_bind_virq v = {.virq = (uint32_t)m->args[1], .vcpu = 0};
        rc = m->args[1] > UINT32_MAX
                 ? -EINVAL
                 : submit(c, m->id, h, PVLINKD_EV_BIND_VIRQ,
                          EVTCHNOP_bind_virq, 0, &v, sizeof(v));
        break;
    }
    case PVLINKD_EV_UNBIND: {
        struct evtchn_close cl = {.port = port};
        if (m->args[1] >= NR_PORTS || ev.owner[port] != h) {
            rc = -EINVAL; /* not this handle's */
            break;
        }
        ev.owner[port] = NULL;
        rc = submit(c, m->id, h, PVLINKD_EV_UNBIND, EVTCHNOP_close, port, &cl,
                    sizeof(cl));
        break;
    }
    case PVLINKD_EV_NOTIFY: {
        struct evtchn_send s = {.port = port};
        if (m->args[1] >= NR_PORTS || ev.owner[port] != h) {
            rc = -EINVAL;
            break;
        }
        rc = submit(c, m->id, h, PVLINKD_EV_NOTIFY, EVTCHNOP_send, port, &s,
                    sizeof(s));
        break;
    }
    default:
        rc = -EINVAL;
        break;
    }
    if (rc) {
        m->result = rc;
        clients_send(c, m);
    }
}

/* An event connection closed: unbind everything it owned. */
void evtchn_client_closed(struct linkd_client *c)
{
    for (struct ev_op *op = ev.ops; op; op = op->next)
        if (op->handle == c)
            op->handle = NULL;
    for (evtchn_port_t p = 0; p < NR_PORTS; p++)
        if (ev.owner[p] == c) {
            ev.owner[p] = NULL;
            if (linkd.state == PVLINKD_STATE_READY)
                submit_close(p);
        }
}
