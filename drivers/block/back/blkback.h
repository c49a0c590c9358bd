/* SPDX-License-Identifier: MIT */
/*
 * The block backend's core: one virtual disk served from a raw image file
 * to a frontend through a blkif ring (xen/io/blkif.h), independent of how
 * the backend daemon reaches the guest's memory.
 *
 * The ring page is shared with the guest, which may change it at any
 * moment: the producer index is read once per pass and checked
 * (RING_REQUEST_PROD_OVERFLOW), each request is copied out of the ring
 * before it is looked at, and a ring whose indexes make no sense is
 * "broken" -- the daemon then disconnects that device only.  A request
 * that is wrong in itself (a bad segment, sectors past the end of the
 * disk, a write to a read-only disk, a grant the copy refuses) is answered
 * with BLKIF_RSP_ERROR, and an operation not offered with
 * BLKIF_RSP_EOPNOTSUPP, as Linux's xen-blkback does; the ring goes on.
 *
 * Data moves through the caller's copy operation (grant copy on pvisor):
 * reads are read from the image into a bounce buffer and copied to the
 * guest's granted frames, writes copied from the guest and written.  A
 * write is answered once pwrite() has returned: the data is in the host's
 * page cache and survives the backend or the whole QEMU machine being
 * killed.  BLKIF_OP_FLUSH_DISKCACHE is answered only after fdatasync() of
 * the image has returned, so acknowledged data is on stable storage;
 * BLKIF_OP_WRITE_BARRIER is a flush, the write, and a flush.
 *
 * A response shares its slot with the request it answers, so it is
 * written only once the request has been served and is published at
 * once: a backend killed while serving leaves the request whole on the
 * ring, and a backend attaching to the ring later (blkback_init) serves
 * again every request without a published response.  Reads and writes
 * are idempotent, so serving one twice is harmless.
 */
#ifndef BLKBACK_H
#define BLKBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/grant_table.h>

/* ring.h's barriers: the other end is another CPU. */
#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

#include <xen/io/blkif.h>

#define BLKBACK_SECTOR   512u
#define BLKBACK_PAGE     4096u
#define BLKBACK_SECTORS_PER_PAGE (BLKBACK_PAGE / BLKBACK_SECTOR)

/* One piece of a guest's granted frame and where it goes in dom0. */
struct blkback_copy {
    grant_ref_t gref;
    uint16_t offset;  /* in the granted frame */
    uint16_t len;
    void *local;      /* the daemon's buffer */
    bool to_guest;    /* a read: from the disk to the guest */
    int16_t status;   /* GNTST_*, set by the copy operation */
};

struct blkback_ops {
    /*
     * Copies n pieces in one go, each to or from a frame the frontend's
     * domain granted, setting each piece's status.  Returns 0, or a
     * negative errno if the whole call failed (no piece copied).
     */
    int (*copy)(void *opaque, struct blkback_copy *c, unsigned int n);
};

struct blkback_stats {
    uint64_t requests, reads, writes, flushes, barriers;
    uint64_t sectors_read, sectors_written;
    uint64_t errors;      /* requests answered BLKIF_RSP_ERROR */
    uint64_t unsupported; /* answered BLKIF_RSP_EOPNOTSUPP */
};

struct blkback {
    blkif_back_ring_t ring;
    int fd;               /* the image, opened by the caller */
    uint64_t sectors;     /* its size in 512-byte sectors */
    bool readonly;
    bool barrier;         /* feature-barrier is advertised */
    bool flush;           /* feature-flush-cache is advertised */
    bool broken;          /* the ring's indexes made no sense */
    bool more;            /* blkback_poll() stopped with requests left */
    char why[160];        /* what broke it */
    const struct blkback_ops *ops;
    void *opaque;
    struct blkback_stats stats;
    /* One request's data: at most BLKIF_MAX_SEGMENTS_PER_REQUEST pages. */
    uint8_t buf[BLKIF_MAX_SEGMENTS_PER_REQUEST * BLKBACK_PAGE]
        __attribute__((aligned(BLKBACK_PAGE)));
};

/*
 * Attaches to a ring page the frontend initialised (its indexes are taken
 * as they are: the front may have queued requests already) of ring_bytes
 * bytes (a power-of-two number of pages: ring-page-order).  fd is the
 * image, sectors its size.
 */
void blkback_init(struct blkback *b, blkif_sring_t *sring, unsigned int ring_bytes,
                  int fd, uint64_t sectors, bool readonly,
                  const struct blkback_ops *ops, void *opaque);

/* Requests one blkback_poll() serves before it lets others run. */
#define BLKBACK_BUDGET 64

/*
 * Serves the requests on the ring, answering each, until the ring is
 * empty (re-arming req_event as RING_FINAL_CHECK_FOR_REQUESTS does) or
 * BLKBACK_BUDGET requests were served (b->more is then set: call again
 * soon).  Sets *notify when the frontend must be sent an event.  Returns
 * the number of requests served, or -1 when the ring is broken (b->why
 * says how); it then stays broken and the device should be disconnected.
 */
int blkback_poll(struct blkback *b, bool *notify);

/* Size of the image behind fd in sectors (its length rounded down). */
int blkback_image_sectors(int fd, uint64_t *sectors);

#endif
