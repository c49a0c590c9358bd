/* SPDX-License-Identifier: MIT */
/*
 * A block frontend (xen/io/blkif.h), as Linux's xen-blkfront talks to its
 * backend: device/vbd/<id> in the domain's home, the xenbus handshake of
 * xenbus_dev.h (ring-ref, event-channel, protocol published at InitWait),
 * then the backend's sectors, sector-size, info (VDISK_READONLY),
 * feature-flush-cache and feature-barrier read once it is Connected.
 *
 * The data pages live in struct blkfront itself (the caller declares it,
 * page-aligned, static): BLKFRONT_SLOTS requests of up to
 * BLKIF_MAX_SEGMENTS_PER_REQUEST pages each may be in flight; each page is
 * granted to the backend once, at connect, and the grants are kept until
 * close, so a request costs no grant-table work.  Data is copied between
 * the caller's buffer and a slot's pages.
 *
 * I/O is synchronous for the caller: blkfront_io() queues as many
 * requests as it can, blocks (SCHEDOP_block) on the device's event
 * channel and the single-shot timer until responses come, and returns
 * once every request was answered.  If no response comes for a while the
 * backend may be restarting: the requests stay on the ring, the frontend
 * notifies again every BLKFRONT_KICK_NS, and a backend that reattaches
 * answers them (it takes the ring's indexes as they are); only after
 * BLKFRONT_TIMEOUT_NS of silence does the call fail with -XEN_ETIMEDOUT.
 *
 * Errors are negative Xen errno values: BLKIF_RSP_ERROR is -XEN_EIO,
 * BLKIF_RSP_EOPNOTSUPP -XEN_EOPNOTSUPP.
 */
#ifndef GUEST_BLKFRONT_H
#define GUEST_BLKFRONT_H

#include "guest.h"
#include "xenbus_dev.h"

#include <xen/grant_table.h>
#include <xen/event_channel.h>

/* ring.h's barriers: the backend runs on another CPU (dom0). */
#ifndef xen_mb
#define xen_mb()  mb()
#define xen_rmb() rmb()
#define xen_wmb() wmb()
#endif
#include <xen/io/blkif.h>

#define BLKFRONT_SLOTS        4
#define BLKFRONT_SEGS         BLKIF_MAX_SEGMENTS_PER_REQUEST
#define BLKFRONT_PAGES        (BLKFRONT_SLOTS * BLKFRONT_SEGS)
#define BLKFRONT_SECTOR       512u
#define BLKFRONT_SECTORS_PER_PAGE (PAGE_SIZE / BLKFRONT_SECTOR)
/* Sectors one request carries at most (44 KiB). */
#define BLKFRONT_REQ_SECTORS  (BLKFRONT_SEGS * BLKFRONT_SECTORS_PER_PAGE)
#define BLKFRONT_KICK_NS      (200 * 1000000UL)
#define BLKFRONT_TIMEOUT_NS   (30 * 1000000000UL)

struct blkfront_stats {
    unsigned long requests, responses, errors, kicks;
};

struct blkfront {
    /* Page-aligned first: the data pages, then the shared ring. */
    uint8_t pages[BLKFRONT_PAGES][PAGE_SIZE];
    uint8_t ring_page[PAGE_SIZE];
    struct xenbus_dev xb;
    unsigned int devid;
    blkif_front_ring_t ring;
    grant_ref_t ring_ref;
    grant_ref_t page_ref[BLKFRONT_PAGES];
    evtchn_port_t port;
    bool granted, connected;
    volatile unsigned long events; /* notifications from the backend */
    /* What the backend said. */
    uint64_t sectors;
    unsigned int sector_size, info;
    bool readonly, flush, barrier;
    /* The requests in flight, by id (= slot). */
    struct {
        bool busy;
        uint8_t op;
        uint8_t *buf;   /* the caller's, for a read's data */
        size_t bytes;
    } slot[BLKFRONT_SLOTS];
    struct blkfront_stats stats;
} __aligned(PAGE_SIZE);

/*
 * Connects device/vbd/<devid>: the handshake, the backend's nodes.  Needs
 * xenbus_init(), gnttab_init() and timer_init() first.  0 or an error.
 */
long blkfront_connect(struct blkfront *bf, unsigned int devid,
                      uint64_t timeout_ns);
/* Reads or writes nsect sectors at sector (BLKIF_OP_READ/WRITE). */
long blkfront_io(struct blkfront *bf, uint8_t op, uint64_t sector, void *buf,
                 uint64_t nsect);
/* BLKIF_OP_FLUSH_DISKCACHE: answered once the data is on stable storage. */
long blkfront_flush(struct blkfront *bf);
/* BLKIF_OP_WRITE_BARRIER of nsect sectors (1..BLKFRONT_REQ_SECTORS). */
long blkfront_barrier(struct blkfront *bf, uint64_t sector, const void *buf,
                      uint64_t nsect);
/* Closes the device (Closing, then Closed) and takes the grants back. */
long blkfront_close(struct blkfront *bf, uint64_t timeout_ns);
/* Whether the backend's state node says it is closing or gone. */
bool blkfront_backend_closing(struct blkfront *bf);

#endif /* GUEST_BLKFRONT_H */
