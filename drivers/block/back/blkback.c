/* SPDX-License-Identifier: MIT */
/*
 * The block backend's core: the blkif ring consumer and the disk I/O
 * behind it (see blkback.h).
 */
#include "blkback.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int blkback_image_sectors(int fd, uint64_t *sectors)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return -errno;
    if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
        return -EINVAL;
    *sectors = (uint64_t)st.st_size / BLKBACK_SECTOR;
    return 0;
}

void blkback_init(struct blkback *b, blkif_sring_t *sring, unsigned int ring_bytes,
                  int fd, uint64_t sectors, bool readonly,
                  const struct blkback_ops *ops, void *opaque)
{
    memset(b, 0, offsetof(struct blkback, buf));
    /* The front's indexes stand: it may have queued requests already. */
    BACK_RING_ATTACH(&b->ring, sring, sring->rsp_prod, ring_bytes);
    b->ring.req_cons = sring->rsp_prod;
    b->fd = fd;
    b->sectors = sectors;
    b->readonly = readonly;
    b->flush = true;
    b->barrier = true;
    b->ops = ops;
    b->opaque = opaque;
}

static int16_t do_sync(struct blkback *b)
{
    return fdatasync(b->fd) == 0 ? BLKIF_RSP_OKAY : BLKIF_RSP_ERROR;
}

/* Full pread/pwrite: a short transfer goes on, an error or EOF fails. */
static bool full_io(int fd, uint8_t *p, size_t len, off_t off, bool write)
{
    while (len) {
        ssize_t n = write ? pwrite(fd, p, len, off) : pread(fd, p, len, off);

        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        p += n;
        len -= (size_t)n;
        off += n;
    }
    return true;
}

/*
 * A read or write: checks every segment against the disk, then moves the
 * data through the bounce buffer, the segments back to back as the disk
 * range is.
 */
static int16_t do_rw(struct blkback *b, const struct blkif_request *req)
{
    struct blkback_copy c[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    bool write = req->operation != BLKIF_OP_READ;
    unsigned int n = req->nr_segments, i;
    uint64_t nsect = 0;
    size_t off = 0;

    if (n == 0 || n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return BLKIF_RSP_ERROR;
    if (write && b->readonly)
        return BLKIF_RSP_ERROR;
    for (i = 0; i < n; i++) {
        const struct blkif_request_segment *s = &req->seg[i];

        if (s->last_sect >= BLKBACK_SECTORS_PER_PAGE || s->first_sect > s->last_sect)
            return BLKIF_RSP_ERROR;
        c[i] = (struct blkback_copy){
            .gref = s->gref,
            .offset = (uint16_t)(s->first_sect * BLKBACK_SECTOR),
            .len = (uint16_t)((s->last_sect - s->first_sect + 1u) * BLKBACK_SECTOR),
            .local = b->buf + off,
            .to_guest = !write,
            .status = GNTST_general_error,
        };
        off += c[i].len;
        nsect += s->last_sect - s->first_sect + 1u;
    }
    if (req->sector_number > b->sectors || nsect > b->sectors - req->sector_number)
        return BLKIF_RSP_ERROR;

    if (write) {
        if (b->ops->copy(b->opaque, c, n) < 0)
            return BLKIF_RSP_ERROR;
        for (i = 0; i < n; i++)
            if (c[i].status != GNTST_okay)
                return BLKIF_RSP_ERROR;
        if (!full_io(b->fd, b->buf, off, (off_t)(req->sector_number * BLKBACK_SECTOR),
                     true))
            return BLKIF_RSP_ERROR;
        b->stats.sectors_written += nsect;
    } else {
        if (!full_io(b->fd, b->buf, off, (off_t)(req->sector_number * BLKBACK_SECTOR),
                     false))
            return BLKIF_RSP_ERROR;
        if (b->ops->copy(b->opaque, c, n) < 0)
            return BLKIF_RSP_ERROR;
        for (i = 0; i < n; i++)
            if (c[i].status != GNTST_okay)
                return BLKIF_RSP_ERROR;
        b->stats.sectors_read += nsect;
    }
    return BLKIF_RSP_OKAY;
}

static int16_t serve(struct blkback *b, const struct blkif_request *req)
{
    int16_t st;

    switch (req->operation) {
    case BLKIF_OP_READ:
        b->stats.reads++;
        return do_rw(b, req);
    case BLKIF_OP_WRITE:
        b->stats.writes++;
        return do_rw(b, req);
    case BLKIF_OP_FLUSH_DISKCACHE:
        if (!b->flush)
            return BLKIF_RSP_EOPNOTSUPP;
        b->stats.flushes++;
        if (b->readonly)
            return BLKIF_RSP_OKAY; /* nothing of ours to flush */
        /* Linux's frontend may carry data with it; write that first. */
        if (req->nr_segments) {
            st = do_rw(b, req);
            if (st != BLKIF_RSP_OKAY)
                return st;
        }
        return do_sync(b);
    case BLKIF_OP_WRITE_BARRIER:
        if (!b->barrier)
            return BLKIF_RSP_EOPNOTSUPP;
        b->stats.barriers++;
        if (b->readonly)
            return BLKIF_RSP_ERROR;
        /* Everything before it is stable, then it, then it is stable. */
        st = do_sync(b);
        if (st == BLKIF_RSP_OKAY && req->nr_segments)
            st = do_rw(b, req);
        return st == BLKIF_RSP_OKAY ? do_sync(b) : st;
    default:
        /* Discard and indirect descriptors are not offered. */
        return BLKIF_RSP_EOPNOTSUPP;
    }
}

int blkback_poll(struct blkback *b, bool *notify)
{
    blkif_back_ring_t *r = &b->ring;
    int served = 0, more;

    *notify = false;
    b->more = false;
    if (b->broken)
        return -1;
    do {
        RING_IDX prod = __atomic_load_n(&r->sring->req_prod, __ATOMIC_ACQUIRE);

        if (RING_REQUEST_PROD_OVERFLOW(r, prod)) {
            snprintf(b->why, sizeof(b->why),
                     "request producer %u is more than a ring (%u) ahead of "
                     "the responses (%u)",
                     prod, RING_SIZE(r), r->rsp_prod_pvt);
            b->broken = true;
            return -1;
        }
        while (r->req_cons != prod) {
            if (served == BLKBACK_BUDGET) {
                b->more = true; /* leave the loop to other devices */
                return served;
            }
            struct blkif_request req;
            struct blkif_response *rsp;
            int16_t status;
            bool n;

            RING_COPY_REQUEST(r, r->req_cons, &req);
            r->req_cons++;
            b->stats.requests++;
            status = serve(b, &req);
            if (status == BLKIF_RSP_ERROR)
                b->stats.errors++;
            else if (status == BLKIF_RSP_EOPNOTSUPP)
                b->stats.unsupported++;
            /*
             * The response takes the request's slot: written only now,
             * after the I/O, and published at once, so that a backend
             * killed while serving leaves the request intact on the ring
             * for the next one to serve again.
             */
            rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
            rsp->id = req.id;
            rsp->operation = req.operation;
            rsp->status = status;
            r->rsp_prod_pvt++;
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, n);
            *notify |= n;
            served++;
        }
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
    } while (more);
    return served;
}
