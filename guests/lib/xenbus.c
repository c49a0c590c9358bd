/* SPDX-License-Identifier: MIT */
/*
 * The guest's xenstore client (xenbus.h).
 *
 * The ring page is one of the domain's own pages, found through the M2P
 * (machine frame -> our pfn) and mapped where the builder put it.  Writing
 * a request: copy into req[] at req_prod, barrier, advance req_prod,
 * notify.  Reading: rsp_cons..rsp_prod, copy out, barrier, advance
 * rsp_cons, notify (the daemon may be waiting for room).  Indexes are
 * read once and checked: a reply longer than the protocol allows is an
 * error, not a reason to read past the page.
 */
#include "events.h"
#include "hypercall.h"
#include "mm.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>
#include <xen/io/xs_wire.h>

#define MAX_MSG (sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX)
#define QUEUED_EVENTS 64 /* a device directory written at once fires many */

unsigned long xenbus_requests, xenbus_events;

static struct xenstore_domain_interface *intf;
static evtchn_port_t port;
static volatile unsigned long kicks; /* store event channel events */
static uint32_t next_req_id = 1;

/* Watch events that came while waiting for a reply. */
static struct {
    char data[256]; /* path \0 token \0 */
    size_t len;
} queued[QUEUED_EVENTS];
static unsigned int nr_queued;

/*
 * Keeps a watch event for later.  One already queued for the same path
 * and token says all this one would (something changed there): it is not
 * queued twice, so that a burst of changes under one watch cannot crowd
 * out another watch's event.  Events beyond the queue are lost (counted).
 */
unsigned long xenbus_events_lost;
static void queue_event(const char *body, size_t len)
{
    for (unsigned int i = 0; i < nr_queued; i++)
        if (queued[i].len == len && !memcmp(queued[i].data, body, len))
            return;
    if (nr_queued < QUEUED_EVENTS && len <= sizeof(queued[0].data)) {
        memcpy(queued[nr_queued].data, body, len);
        queued[nr_queued++].len = len;
    } else {
        xenbus_events_lost++;
    }
}

static void on_store_event(evtchn_port_t p, void *arg)
{
    (void)p;
    (void)arg;
    kicks++;
}

long xenbus_init(void)
{
    unsigned long mfn = start_info->store_mfn, pfn;

    if (!mfn || !start_info->store_evtchn)
        return -XEN_ENODEV;
    pfn = machine_to_phys_mapping[mfn];
    if (pfn >= start_info->nr_pages || pfn_to_mfn(pfn) != mfn)
        return -XEN_EINVAL; /* not a frame of ours */
    intf = (struct xenstore_domain_interface *)pfn_to_virt(pfn);
    port = start_info->store_evtchn;
    evtchn_set_handler(port, on_store_event, NULL);
    evtchn_unmask(port);
    return 0;
}

static void wait_kick(unsigned long seen)
{
    sched_block_until_changed(&kicks, seen);
}

static void ring_write(const void *data, size_t len)
{
    const char *p = data;

    while (len) {
        unsigned long seen = kicks;
        XENSTORE_RING_IDX cons = READ_ONCE(intf->req_cons);
        XENSTORE_RING_IDX prod = intf->req_prod;
        size_t room, chunk;

        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        room = XENSTORE_RING_SIZE - (prod - cons);
        if (prod - cons > XENSTORE_RING_SIZE || room == 0) {
            evtchn_send(port);
            wait_kick(seen);
            continue;
        }
        chunk = MIN(len, room);
        chunk = MIN(chunk, XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(prod));
        memcpy(intf->req + MASK_XENSTORE_IDX(prod), p, chunk);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        intf->req_prod = prod + (XENSTORE_RING_IDX)chunk;
        p += chunk;
        len -= chunk;
    }
    evtchn_send(port);
}

/* Reads exactly len bytes from the response ring; false on a bad ring. */
static bool ring_read(void *data, size_t len)
{
    char *p = data;

    while (len) {
        unsigned long seen = kicks;
        XENSTORE_RING_IDX prod = READ_ONCE(intf->rsp_prod);
        XENSTORE_RING_IDX cons = intf->rsp_cons;
        size_t avail, chunk;

        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        avail = prod - cons;
        if (avail > XENSTORE_RING_SIZE)
            return false; /* the daemon's index is nonsense */
        if (!avail) {
            wait_kick(seen);
            continue;
        }
        chunk = MIN(len, avail);
        chunk = MIN(chunk, XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(cons));
        memcpy(p, intf->rsp + MASK_XENSTORE_IDX(cons), chunk);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        intf->rsp_cons = cons + (XENSTORE_RING_IDX)chunk;
        evtchn_send(port);
        p += chunk;
        len -= chunk;
    }
    return true;
}

static long error_value(const char *name)
{
    static const struct {
        const char *name;
        long err;
    } errs[] = {
        {"EINVAL", -XEN_EINVAL}, {"EACCES", -XEN_EACCES},
        {"EEXIST", -XEN_EEXIST}, {"EISDIR", -XEN_EISDIR},
        {"ENOENT", -XEN_ENOENT}, {"ENOMEM", -XEN_ENOMEM},
        {"ENOSPC", -XEN_ENOSPC}, {"EIO", -XEN_EIO},
        {"ENOTEMPTY", -XEN_ENOTEMPTY}, {"ENOSYS", -XEN_ENOSYS},
        {"EROFS", -XEN_EROFS}, {"EBUSY", -XEN_EBUSY},
        {"EAGAIN", -XEN_EAGAIN}, {"EISCONN", -XEN_EISCONN},
        {"E2BIG", -XEN_E2BIG}, {"EPERM", -XEN_EPERM},
    };

    for (unsigned int i = 0; i < ARRAY_SIZE(errs); i++)
        if (!strcmp(name, errs[i].name))
            return errs[i].err;
    return -XEN_EIO;
}

/*
 * One request with nparts payload strings (each sent with its NUL when
 * nul[i]); the reply's payload goes to reply (NUL-terminated, truncated).
 * Returns the reply's length, or a negative error.
 */
static long request(uint32_t type, const char *const *parts,
                    const bool *nul, unsigned int nparts, char *reply,
                    size_t size)
{
    static char body[XENSTORE_PAYLOAD_MAX + 1];
    struct xsd_sockmsg msg = {.type = type, .req_id = next_req_id++};
    size_t len = 0;

    if (!intf)
        return -XEN_ENODEV;
    for (unsigned int i = 0; i < nparts; i++)
        len += strlen(parts[i]) + (nul[i] ? 1 : 0);
    if (len > XENSTORE_PAYLOAD_MAX)
        return -XEN_E2BIG;
    msg.len = (uint32_t)len;
    xenbus_requests++;
    ring_write(&msg, sizeof(msg));
    for (unsigned int i = 0; i < nparts; i++)
        ring_write(parts[i], strlen(parts[i]) + (nul[i] ? 1 : 0));

    for (;;) {
        struct xsd_sockmsg rsp;

        if (!ring_read(&rsp, sizeof(rsp)) || rsp.len > XENSTORE_PAYLOAD_MAX ||
            !ring_read(body, rsp.len))
            return -XEN_EIO;
        body[rsp.len] = '\0';
        if (rsp.type == XS_WATCH_EVENT) {
            xenbus_events++;
            queue_event(body, rsp.len);
            continue;
        }
        if (rsp.req_id != msg.req_id)
            return -XEN_EIO;
        if (rsp.type == XS_ERROR)
            return error_value(body);
        if (reply && size) {
            size_t n = MIN((size_t)rsp.len, size - 1);
            memcpy(reply, body, n);
            reply[n] = '\0';
        }
        return (long)rsp.len;
    }
}

long xenbus_read(const char *path, char *buf, size_t size)
{
    const char *parts[] = {path};
    const bool nul[] = {true};

    return request(XS_READ, parts, nul, 1, buf, size);
}

long xenbus_write(const char *path, const char *value)
{
    const char *parts[] = {path, value};
    const bool nul[] = {true, false};
    long rc = request(XS_WRITE, parts, nul, 2, NULL, 0);

    return rc < 0 ? rc : 0;
}

long xenbus_rm(const char *path)
{
    const char *parts[] = {path};
    const bool nul[] = {true};
    long rc = request(XS_RM, parts, nul, 1, NULL, 0);

    return rc < 0 ? rc : 0;
}

long xenbus_mkdir(const char *path)
{
    const char *parts[] = {path};
    const bool nul[] = {true};
    long rc = request(XS_MKDIR, parts, nul, 1, NULL, 0);

    return rc < 0 ? rc : 0;
}

long xenbus_directory(const char *path, char *buf, size_t size)
{
    const char *parts[] = {path};
    const bool nul[] = {true};
    long rc = request(XS_DIRECTORY, parts, nul, 1, buf, size), n = 0;

    if (rc < 0)
        return rc;
    for (long i = 0; i < rc && (size_t)i < size; i++)
        if (!buf[i])
            n++;
    return n;
}

long xenbus_watch(const char *path, const char *token)
{
    const char *parts[] = {path, token};
    const bool nul[] = {true, true};
    long rc = request(XS_WATCH, parts, nul, 2, NULL, 0);

    return rc < 0 ? rc : 0;
}

long xenbus_unwatch(const char *path, const char *token)
{
    const char *parts[] = {path, token};
    const bool nul[] = {true, true};
    long rc = request(XS_UNWATCH, parts, nul, 2, NULL, 0);

    return rc < 0 ? rc : 0;
}

/* Takes a queued event matching token; true if one was found. */
static bool take_queued(const char *token, char *path, size_t size)
{
    for (unsigned int i = 0; i < nr_queued; i++) {
        const char *p = queued[i].data;
        size_t plen = strnlen(p, queued[i].len);
        const char *t = plen < queued[i].len ? p + plen + 1 : "";

        if (token && strcmp(t, token))
            continue;
        if (size) {
            size_t n = MIN(plen, size - 1);
            memcpy(path, p, n);
            path[n] = '\0';
        }
        memmove(&queued[i], &queued[i + 1],
                (nr_queued - i - 1) * sizeof(queued[0]));
        nr_queued--;
        return true;
    }
    return false;
}

long xenbus_wait_watch(const char *token, char *path, size_t size,
                       uint64_t timeout_ns)
{
    static char body[XENSTORE_PAYLOAD_MAX + 1];
    uint64_t deadline = time_now_ns() + timeout_ns;

    for (;;) {
        unsigned long seen = kicks;
        struct xsd_sockmsg rsp;
        XENSTORE_RING_IDX avail;

        if (take_queued(token, path, size))
            return 0;
        avail = READ_ONCE(intf->rsp_prod) - intf->rsp_cons;
        if (avail > XENSTORE_RING_SIZE)
            return -XEN_EIO;
        if (avail < sizeof(rsp)) {
            if (time_now_ns() >= deadline)
                return -XEN_ETIMEDOUT;
            /* Woken by the store's event or by the deadline's timer. */
            timer_set_singleshot(deadline, 0);
            local_events_disable();
            if (kicks == seen && time_now_ns() < deadline)
                HYPERVISOR_sched_op(SCHEDOP_block, NULL);
            local_events_enable();
            continue;
        }
        if (!ring_read(&rsp, sizeof(rsp)) || rsp.len > XENSTORE_PAYLOAD_MAX ||
            !ring_read(body, rsp.len))
            return -XEN_EIO;
        body[rsp.len] = '\0';
        if (rsp.type != XS_WATCH_EVENT)
            continue; /* a stray reply: nobody waits for it */
        xenbus_events++;
        queue_event(body, rsp.len);
    }
}
