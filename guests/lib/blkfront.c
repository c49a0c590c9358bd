/* SPDX-License-Identifier: MIT */
/* A block frontend: blkfront.h. */
#include "blkfront.h"
#include "events.h"
#include "gnttab.h"
#include "hypercall.h"
#include "mm.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>
#include <xen/io/protocols.h>
#include <xen/io/xenbus.h>

static void blkfront_event(evtchn_port_t port, void *arg)
{
    struct blkfront *bf = arg;

    (void)port;
    bf->events++;
}

static bool parse_u64(const char *s, uint64_t *v)
{
    uint64_t n = 0;

    if (!*s)
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return false;
        n = n * 10 + (uint64_t)(*s - '0');
    }
    *v = n;
    return true;
}

static void end_grants(struct blkfront *bf)
{
    if (!bf->granted)
        return;
    /* The backend may still have the ring mapped: that end waits. */
    for (unsigned int i = 0; i < BLKFRONT_PAGES; i++)
        gnttab_end_access_deferred(bf->page_ref[i]);
    gnttab_end_access_deferred(bf->ring_ref);
    bf->granted = false;
}

/* At the backend's InitWait: the ring, its grant, the event channel. */
static long publish(struct xenbus_dev *dev, void *arg)
{
    struct blkfront *bf = arg;
    blkif_sring_t *sring = (blkif_sring_t *)bf->ring_page;
    struct evtchn_alloc_unbound a = {.dom = DOMID_SELF,
                                     .remote_dom = (domid_t)dev->backend_id};
    char v[24];
    long rc, ref;

    memset(bf->ring_page, 0, PAGE_SIZE);
    SHARED_RING_INIT(sring);
    FRONT_RING_INIT(&bf->ring, sring, PAGE_SIZE);
    memset(bf->slot, 0, sizeof(bf->slot));
    end_grants(bf);
    ref = gnttab_grant_access((domid_t)dev->backend_id,
                              virt_to_mfn((unsigned long)bf->ring_page), false);
    if (ref < 0)
        return -XEN_ENOSPC;
    bf->ring_ref = (grant_ref_t)ref;
    for (unsigned int i = 0; i < BLKFRONT_PAGES; i++) {
        ref = gnttab_grant_access((domid_t)dev->backend_id,
                                  virt_to_mfn((unsigned long)bf->pages[i]),
                                  false);
        if (ref < 0) {
            while (i--)
                gnttab_end_access(bf->page_ref[i]);
            gnttab_end_access(bf->ring_ref);
            return -XEN_ENOSPC;
        }
        bf->page_ref[i] = (grant_ref_t)ref;
    }
    bf->granted = true;
    if (!bf->port) {
        rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &a);
        if (rc)
            return rc;
        bf->port = a.port;
        evtchn_set_handler(bf->port, blkfront_event, bf);
        evtchn_unmask(bf->port);
    }
    snprintf(v, sizeof(v), "%u", bf->ring_ref);
    rc = xenbus_dev_write(dev, "ring-ref", v);
    snprintf(v, sizeof(v), "%u", bf->port);
    rc = rc ?: xenbus_dev_write(dev, "event-channel", v);
    rc = rc ?: xenbus_dev_write(dev, "protocol", XEN_IO_PROTO_ABI_X86_64);
    return rc;
}

static long read_backend_u64(struct blkfront *bf, const char *key,
                             uint64_t *v, bool required)
{
    char buf[32];
    long n = xenbus_dev_read_backend(&bf->xb, key, buf, sizeof(buf));

    if (n < 0) {
        if (!required) {
            *v = 0;
            return 0;
        }
        printf("blkfront: vbd %u: backend has no %s (%ld)\n", bf->devid, key,
               n);
        return n;
    }
    if (!parse_u64(buf, v)) {
        printf("blkfront: vbd %u: backend's %s \"%s\" is not a number\n",
               bf->devid, key, buf);
        return -XEN_EINVAL;
    }
    return 0;
}

long blkfront_connect(struct blkfront *bf, unsigned int devid,
                      uint64_t timeout_ns)
{
    uint64_t sectors, ssize, info, fl, ba;
    long rc;

    memset(&bf->xb, 0, sizeof(*bf) - offsetof(struct blkfront, xb));
    bf->devid = devid;
    rc = xenbus_dev_init(&bf->xb, "vbd", devid);
    if (rc)
        return rc;
    rc = xenbus_dev_connect(&bf->xb, publish, bf, timeout_ns);
    rc = rc ?: read_backend_u64(bf, "sectors", &sectors, true);
    rc = rc ?: read_backend_u64(bf, "sector-size", &ssize, true);
    rc = rc ?: read_backend_u64(bf, "info", &info, false);
    rc = rc ?: read_backend_u64(bf, "feature-flush-cache", &fl, false);
    rc = rc ?: read_backend_u64(bf, "feature-barrier", &ba, false);
    if (!rc && ssize != BLKFRONT_SECTOR) {
        printf("blkfront: vbd %u: sector-size %lu is not supported\n", devid,
               (unsigned long)ssize);
        rc = -XEN_EINVAL;
    }
    if (rc) {
        char path[160];

        /* Let go of the device: the watch, the grants, the port. */
        snprintf(path, sizeof(path), "%s/state", bf->xb.backend);
        xenbus_unwatch(path, bf->xb.token);
        if (bf->xb.state != XenbusStateClosing)
            xenbus_dev_switch_state(&bf->xb, XenbusStateClosed);
        if (bf->port) {
            evtchn_mask(bf->port);
            evtchn_set_handler(bf->port, NULL, NULL);
            evtchn_close(bf->port);
            bf->port = 0;
        }
        end_grants(bf);
        return rc;
    }
    bf->sectors = sectors;
    bf->sector_size = (unsigned int)ssize;
    bf->info = (unsigned int)info;
    bf->readonly = info & VDISK_READONLY;
    bf->flush = fl != 0;
    bf->barrier = ba != 0;
    bf->connected = true;
    return 0;
}

bool blkfront_backend_closing(struct blkfront *bf)
{
    char v[8];
    long n = xenbus_dev_read_backend(&bf->xb, "state", v, sizeof(v));

    return n <= 0 || v[0] == '5' || v[0] == '6' || v[0] == '0';
}

static int free_slot(struct blkfront *bf)
{
    for (int i = 0; i < BLKFRONT_SLOTS; i++)
        if (!bf->slot[i].busy)
            return i;
    return -1;
}

static unsigned int busy_slots(struct blkfront *bf)
{
    unsigned int n = 0;

    for (int i = 0; i < BLKFRONT_SLOTS; i++)
        n += bf->slot[i].busy;
    return n;
}

/*
 * Queues one request in slot s: op on nsect sectors at sector, its data
 * (for a write) copied into the slot's pages.
 */
static void queue(struct blkfront *bf, int s, uint8_t op, uint64_t sector,
                  uint8_t *buf, uint64_t nsect)
{
    struct blkif_request *req = RING_GET_REQUEST(&bf->ring,
                                                 bf->ring.req_prod_pvt);
    unsigned int segs = (unsigned int)((nsect + BLKFRONT_SECTORS_PER_PAGE - 1) /
                                       BLKFRONT_SECTORS_PER_PAGE);
    size_t bytes = nsect * BLKFRONT_SECTOR;

    if (op != BLKIF_OP_READ && bytes)
        memcpy(bf->pages[s * BLKFRONT_SEGS], buf, bytes);
    req->operation = op;
    req->nr_segments = (uint8_t)segs;
    req->handle = (blkif_vdev_t)bf->devid;
    req->id = (uint64_t)s;
    req->sector_number = sector;
    for (unsigned int i = 0; i < segs; i++) {
        uint64_t left = nsect - (uint64_t)i * BLKFRONT_SECTORS_PER_PAGE;

        req->seg[i].gref = bf->page_ref[s * BLKFRONT_SEGS + i];
        req->seg[i].first_sect = 0;
        req->seg[i].last_sect =
            (uint8_t)(MIN(left, (uint64_t)BLKFRONT_SECTORS_PER_PAGE) - 1);
    }
    bf->ring.req_prod_pvt++;
    bf->slot[s].busy = true;
    bf->slot[s].op = op;
    bf->slot[s].buf = buf;
    bf->slot[s].bytes = bytes;
    bf->stats.requests++;
}

static void push(struct blkfront *bf)
{
    int notify;

    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf->ring, notify);
    if (notify)
        evtchn_send(bf->port);
}

/* Takes the responses there are; the first error seen goes to *err. */
static unsigned int reap(struct blkfront *bf, long *err)
{
    unsigned int n = 0;
    int more;

    do {
        RING_IDX prod = READ_ONCE(bf->ring.sring->rsp_prod);

        rmb();
        while (bf->ring.rsp_cons != prod) {
            struct blkif_response rsp =
                *RING_GET_RESPONSE(&bf->ring, bf->ring.rsp_cons);
            uint64_t id = rsp.id;

            bf->ring.rsp_cons++;
            n++;
            bf->stats.responses++;
            if (id >= BLKFRONT_SLOTS || !bf->slot[id].busy) {
                printf("blkfront: vbd %u: response %u for unknown id %lu "
                       "(requests %u)\n",
                       bf->devid, bf->ring.rsp_cons - 1, (unsigned long)id,
                       bf->ring.req_prod_pvt);
                if (!*err)
                    *err = -XEN_EIO;
                continue;
            }
            if (rsp.operation != bf->slot[id].op) {
                printf("blkfront: vbd %u: response %u is for operation %u, "
                       "request %lu was %u\n",
                       bf->devid, bf->ring.rsp_cons - 1, rsp.operation,
                       (unsigned long)id, bf->slot[id].op);
                rsp.status = BLKIF_RSP_ERROR;
            }
            if (rsp.status != BLKIF_RSP_OKAY) {
                bf->stats.errors++;
                if (!*err)
                    *err = rsp.status == BLKIF_RSP_EOPNOTSUPP
                               ? -XEN_EOPNOTSUPP
                               : -XEN_EIO;
            } else if (bf->slot[id].op == BLKIF_OP_READ) {
                memcpy(bf->slot[id].buf, bf->pages[id * BLKFRONT_SEGS],
                       bf->slot[id].bytes);
            }
            bf->slot[id].busy = false;
        }
        RING_FINAL_CHECK_FOR_RESPONSES(&bf->ring, more);
    } while (more);
    return n;
}

/*
 * Waits for an event from the backend, at most until deadline; every
 * BLKFRONT_KICK_NS without one, notifies the backend again.
 */
static void wait_event(struct blkfront *bf, uint64_t *kick_at)
{
    unsigned long seen = bf->events;
    uint64_t now = time_now_ns();

    if (now >= *kick_at) {
        bf->stats.kicks++;
        evtchn_send(bf->port);
        *kick_at = now + BLKFRONT_KICK_NS;
    }
    timer_set_singleshot(*kick_at, 0);
    local_events_disable();
    if (bf->events == seen &&
        READ_ONCE(bf->ring.sring->rsp_prod) == bf->ring.rsp_cons)
        HYPERVISOR_sched_op(SCHEDOP_block, NULL);
    local_events_enable();
}

/* Waits until at most `keep` requests are in flight. */
static long drain(struct blkfront *bf, unsigned int keep, long *err)
{
    uint64_t last = time_now_ns(), kick_at = last + BLKFRONT_KICK_NS;

    while (busy_slots(bf) > keep) {
        if (reap(bf, err)) {
            last = time_now_ns();
            kick_at = last + BLKFRONT_KICK_NS;
            continue;
        }
        if (time_now_ns() - last > BLKFRONT_TIMEOUT_NS)
            return -XEN_ETIMEDOUT;
        wait_event(bf, &kick_at);
    }
    return 0;
}

long blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
                 uint64_t nsect)
{
    uint8_t *p = buf;
    long err = 0, rc;

    if (!bf->connected)
        return -XEN_ENODEV;
    if (op != BLKIF_OP_READ && op != BLKIF_OP_WRITE)
        return -XEN_EINVAL;
    while (nsect) {
        uint64_t n = MIN(nsect, (uint64_t)BLKFRONT_REQ_SECTORS);
        int s = free_slot(bf);

        if (s < 0 || RING_FULL(&bf->ring)) {
            push(bf);
            rc = drain(bf, busy_slots(bf) - 1, &err);
            if (rc)
                return rc;
            continue;
        }
        queue(bf, s, op, sector, p, n);
        sector += n;
        p += n * BLKFRONT_SECTOR;
        nsect -= n;
    }
    push(bf);
    rc = drain(bf, 0, &err);
    return rc ?: err;
}

static long one_request(struct blkfront *bf, uint8_t op, uint64_t sector,
                        const void *buf, uint64_t nsect)
{
    long err = 0, rc;

    if (!bf->connected)
        return -XEN_ENODEV;
    if (nsect > BLKFRONT_REQ_SECTORS)
        return -XEN_EINVAL;
    rc = drain(bf, 0, &err);
    if (rc)
        return rc;
    err = 0;
    queue(bf, 0, op, sector, (uint8_t *)buf, nsect);
    push(bf);
    rc = drain(bf, 0, &err);
    return rc ?: err;
}

long blkfront_flush(struct blkfront *bf)
{
    return one_request(bf, BLKIF_OP_FLUSH_DISKCACHE, 0, NULL, 0);
}

long blkfront_barrier(struct blkfront *bf, uint64_t sector, const void *buf,
                      uint64_t nsect)
{
    if (!nsect)
        return -XEN_EINVAL;
    return one_request(bf, BLKIF_OP_WRITE_BARRIER, sector, buf, nsect);
}

long blkfront_close(struct blkfront *bf, uint64_t timeout_ns)
{
    long rc = xenbus_dev_close(&bf->xb, timeout_ns);

    bf->connected = false;
    if (bf->port) {
        evtchn_mask(bf->port);
        evtchn_set_handler(bf->port, NULL, NULL);
        evtchn_close(bf->port);
        bf->port = 0;
    }
    end_grants(bf);
    return rc;
}
