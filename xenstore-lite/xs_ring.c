// SPDX-License-Identifier: MIT
/*
 * The guest side of xenstore: a struct xenstore_domain_interface page
 * shared with a domain (xen/io/xs_wire.h).  The guest produces requests
 * into req[] and consumes replies and watch events from rsp[]; we do the
 * opposite.  The page belongs to the guest and may change under us at
 * any moment, so (house rule 7, xenstored's readchn/writechn):
 *
 *   - each index is read exactly once per pass into a local,
 *   - a barrier separates the index read from the data access,
 *   - producer - consumer is validated (at most XENSTORE_RING_SIZE)
 *     before any byte is touched,
 *   - request bytes are copied into our own buffer before parsing.
 *
 * A bad index or a malformed stream sets the page's error field and
 * reports st->error; the caller then drops this domain's connection and
 * nothing else.  The same engine (xs_conn_feed) handles the bytes as for
 * a socket.
 */
#include "xs_core.h"

#include <string.h>

#define ring_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define ring_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#define ring_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)

static inline XENSTORE_RING_IDX read_idx(const XENSTORE_RING_IDX *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static inline void write_idx(XENSTORE_RING_IDX *p, XENSTORE_RING_IDX v)
{
    __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

static void ring_fail(struct xenstore_domain_interface *intf,
                      struct xs_ring_status *st, uint32_t why)
{
    intf->error = why;
    st->error = true;
}

/* Move requests from req[] into the connection; true on progress. */
static bool ring_read(struct xs_conn *c, struct xenstore_domain_interface *intf,
                      struct xs_ring_status *st)
{
    char buf[XENSTORE_RING_SIZE];
    XENSTORE_RING_IDX cons, prod, avail, off, chunk;
    bool progress = false;
    long n;

    /* A request held back by the outstanding quota goes first. */
    if (c->in_ready) {
        if (!xs_conn_resume(c))
            return false;
        progress = true;
    }
    if (!xs_conn_can_read(c))
        return progress;
    cons = read_idx(&intf->req_cons);
    prod = read_idx(&intf->req_prod);
    ring_rmb();
    avail = prod - cons;
    if (avail > XENSTORE_RING_SIZE) {
        ring_fail(intf, st, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    if (!avail)
        return progress;
    off = MASK_XENSTORE_IDX(cons);
    chunk = XENSTORE_RING_SIZE - off;
    if (chunk > avail)
        chunk = avail;
    memcpy(buf, intf->req + off, chunk);
    n = xs_conn_feed(c, buf, chunk);
    if (n < 0) {
        ring_fail(intf, st, XENSTORE_ERROR_PROTO);
        return false;
    }
    if (!n)
        return progress;
    ring_mb(); /* our reads of req[] are done before the guest reuses it */
    write_idx(&intf->req_cons, cons + (XENSTORE_RING_IDX)n);
    st->notify = true;
    return true;
}

/* Move queued output into rsp[]; true on progress. */
static bool ring_write(struct xs_conn *c,
                       struct xenstore_domain_interface *intf,
                       struct xs_ring_status *st)
{
    const void *p;
    size_t len = xs_conn_out_peek(c, &p);
    XENSTORE_RING_IDX cons, prod, used, off, chunk;

    if (!len)
        return false;
    cons = read_idx(&intf->rsp_cons);
    prod = read_idx(&intf->rsp_prod);
    ring_mb(); /* indexes before we overwrite consumed space */
    used = prod - cons;
    if (used > XENSTORE_RING_SIZE) {
        ring_fail(intf, st, XENSTORE_ERROR_RINGIDX);
        return false;
    }
    off = MASK_XENSTORE_IDX(prod);
    chunk = XENSTORE_RING_SIZE - off;
    if (chunk > XENSTORE_RING_SIZE - used)
        chunk = XENSTORE_RING_SIZE - used;
    if (chunk > len)
        chunk = len;
    if (!chunk)
        return false;
    memcpy(intf->rsp + off, p, chunk);
    ring_wmb(); /* data before the index that publishes it */
    write_idx(&intf->rsp_prod, prod + chunk);
    xs_conn_out_advance(c, chunk);
    st->notify = true;
    return true;
}

void xs_ring_service(struct xs_conn *c, struct xenstore_domain_interface *intf,
                     struct xs_ring_status *st)
{
    bool progress;

    st->notify = false;
    st->error = false;
    do {
        progress = false;
        if (!c->dead && !st->error)
            progress |= ring_read(c, intf, st);
        if (!c->dead && !st->error)
            progress |= ring_write(c, intf, st);
    } while (progress && !st->error && !c->dead);
    if (c->dead && !st->error)
        ring_fail(intf, st, XENSTORE_ERROR_COMM);
}
