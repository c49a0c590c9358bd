/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the block backend's ring consumer
 * (drivers/block/back/blkback.c) against a ring page a hostile frontend
 * wrote.  The input is the ring's contents (requests with any operation,
 * segment count, grant, sector range), then its indexes; a few grants
 * are valid, some granted read-only, the rest refused by the model copy.
 *
 * Beyond memory safety it checks: the image never grows; no more
 * responses than requests; every status is OKAY, ERROR or EOPNOTSUPP;
 * every response echoes a request's id and operation; a request answered
 * OKAY was a read or write within the disk, a flush or a barrier; and the
 * ring is declared broken exactly when its producer index is more than a
 * ring ahead of (or behind) the responses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../../drivers/block/back/blkback.h"

#define NR_GREFS   4
#define DISK_SECTS 64

static uint8_t gpages[NR_GREFS][BLKBACK_PAGE];

static int model_copy(void *opaque, struct blkback_copy *c, unsigned int n)
{
    (void)opaque;
    for (unsigned int i = 0; i < n; i++) {
        if (c[i].gref >= NR_GREFS) {
            c[i].status = GNTST_bad_gntref;
        } else if ((unsigned int)c[i].offset + c[i].len > BLKBACK_PAGE) {
            c[i].status = GNTST_bad_copy_arg;
        } else if (c[i].to_guest && c[i].gref == 3) {
            c[i].status = GNTST_permission_denied; /* granted read-only */
        } else {
            if (c[i].to_guest)
                memcpy(gpages[c[i].gref] + c[i].offset, c[i].local, c[i].len);
            else
                memcpy(c[i].local, gpages[c[i].gref] + c[i].offset, c[i].len);
            c[i].status = GNTST_okay;
        }
    }
    return 0;
}

static const struct blkback_ops ops = {.copy = model_copy};

static void fail(const char *what)
{
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static blkif_sring_t *sring;
    static struct blkback *b;
    static int fd = -1;
    struct blkif_request copy[64];
    RING_IDX start, prod;
    unsigned int nreq;
    bool notify;
    int served;

    if (!sring) {
        sring = aligned_alloc(BLKBACK_PAGE, BLKBACK_PAGE);
        b = aligned_alloc(BLKBACK_PAGE, sizeof(*b));
        fd = memfd_create("fuzz-blkback", 0);
        if (!sring || !b || fd < 0 || ftruncate(fd, DISK_SECTS * BLKBACK_SECTOR))
            abort();
    }
    if (size < 8)
        return 0;
    /* The indexes: where the responses stand, and how far the front says
     * it has produced (any value, past the ring's size or behind). */
    memset(sring, 0, BLKBACK_PAGE);
    SHARED_RING_INIT(sring);
    memcpy(&start, data, 4);
    memcpy(&prod, data + 4, 4);
    data += 8;
    size -= 8;
    sring->rsp_prod = start;
    sring->req_event = start + 1;
    sring->rsp_event = start + 1;
    blkback_init(b, sring, BLKBACK_PAGE, fd, DISK_SECTS, (start & 1) != 0, &ops, NULL);
    /* The ring's slots, from the input, wrapping as the ring does. */
    nreq = RING_SIZE(&b->ring);
    for (unsigned int i = 0; i < nreq; i++) {
        struct blkif_request *r = RING_GET_REQUEST(&b->ring, start + i);
        size_t n = size < sizeof(*r) ? size : sizeof(*r);

        memset(r, 0, sizeof(*r));
        memcpy(r, data, n);
        data += n;
        size -= n;
    }
    memcpy(copy, RING_GET_REQUEST(&b->ring, 0), nreq * sizeof(copy[0]));
    /* Mostly a plausible count (up to two past a full ring); sometimes
     * any value at all. */
    sring->req_prod = prod & 0x100 ? prod : start + (prod & 0xff) % (nreq + 3);

    served = blkback_poll(b, &notify);
    {
        RING_IDX queued = sring->req_prod - start;
        bool bad = queued > nreq;

        if (bad != (served < 0))
            fail("broken exactly when the producer is off the ring");
        if (served < 0)
            return 0;
        if ((unsigned int)served != queued && !b->more)
            fail("every queued request answered");
    }
    if (lseek(fd, 0, SEEK_END) != DISK_SECTS * BLKBACK_SECTOR)
        fail("the image never grows");
    for (int i = 0; i < served; i++) {
        struct blkif_response *rsp = RING_GET_RESPONSE(&b->ring, start + i);
        const struct blkif_request *req = &copy[(start + i) % nreq];
        uint64_t nsect = 0;

        if (rsp->id != req->id || rsp->operation != req->operation)
            fail("a response echoes its request");
        if (rsp->status != BLKIF_RSP_OKAY && rsp->status != BLKIF_RSP_ERROR &&
            rsp->status != BLKIF_RSP_EOPNOTSUPP)
            fail("a response status is one of blkif's three");
        if (rsp->status != BLKIF_RSP_OKAY)
            continue;
        switch (req->operation) {
        case BLKIF_OP_READ:
        case BLKIF_OP_WRITE:
            if (req->nr_segments == 0 || req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
                fail("an OKAY read or write has 1-11 segments");
            for (unsigned int s = 0; s < req->nr_segments; s++)
                nsect += req->seg[s].last_sect - req->seg[s].first_sect + 1u;
            if (req->sector_number + nsect > DISK_SECTS)
                fail("an OKAY read or write is within the disk");
            if (req->operation == BLKIF_OP_WRITE && b->readonly)
                fail("a read-only disk takes no write");
            break;
        case BLKIF_OP_FLUSH_DISKCACHE:
        case BLKIF_OP_WRITE_BARRIER:
            break;
        default:
            fail("only reads, writes, flushes and barriers succeed");
        }
    }
    return 0;
}
