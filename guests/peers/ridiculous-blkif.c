/* SPDX-License-Identifier: MIT */
/*
 * A hostile block frontend: connects its vbd like blkfront, then puts
 * garbage on its ring.  Requests that are wrong in themselves must each be
 * answered BLKIF_RSP_ERROR (or BLKIF_RSP_EOPNOTSUPP for an operation not
 * offered), as Linux's blkback answers them, with the ring going on:
 * segment counts of 0 and above BLKIF_MAX_SEGMENTS_PER_REQUEST, grant
 * references that are not granted or out of the table, sector ranges
 * inside a page that make no sense, sectors past the end of the disk,
 * unknown operations.  A good request after them still works.  Then the
 * producer index jumps a whole ring ahead of the responses: the backend
 * must disconnect the device (its state Closing, an "error" node), which
 * is all that may happen -- other domains' disks go on (the host checks).
 */
#include "blkfront.h"
#include "events.h"
#include "gnttab.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>

#define VBD 51712
static struct blkfront bf;
static uint8_t buf[4096] __aligned(4096);

/* Queues req as it is, notifies, waits for its response's status. */
static long raw_request(const struct blkif_request *req, int16_t *status)
{
    uint64_t deadline = time_now_ns() + 5 * NSEC_PER_SEC;
    struct blkif_request *r =
        RING_GET_REQUEST(&bf.ring, bf.ring.req_prod_pvt);
    int notify;

    *r = *req;
    bf.ring.req_prod_pvt++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&bf.ring, notify);
    evtchn_send(bf.port);
    (void)notify;
    while (time_now_ns() < deadline) {
        unsigned long seen = bf.events;

        if (READ_ONCE(bf.ring.sring->rsp_prod) != bf.ring.rsp_cons) {
            struct blkif_response *rsp;

            rmb();
            rsp = RING_GET_RESPONSE(&bf.ring, bf.ring.rsp_cons);
            *status = rsp->status;
            bf.ring.rsp_cons++;
            return rsp->id == req->id ? 0 : -XEN_EIO;
        }
        timer_set_singleshot(time_now_ns() + 50 * NSEC_PER_MSEC, 0);
        local_events_disable();
        if (bf.events == seen &&
            READ_ONCE(bf.ring.sring->rsp_prod) == bf.ring.rsp_cons)
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        local_events_enable();
    }
    return -XEN_ETIMEDOUT;
}

static struct blkif_request base_req(uint8_t op, uint64_t id)
{
    struct blkif_request r;

    memset(&r, 0, sizeof(r));
    r.operation = op;
    r.nr_segments = 1;
    r.handle = VBD;
    r.id = id;
    r.sector_number = 0;
    r.seg[0].gref = bf.page_ref[0];
    r.seg[0].first_sect = 0;
    r.seg[0].last_sect = 7;
    return r;
}

static void expect(struct blkif_request r, int16_t want, const char *what)
{
    int16_t st = 99;
    long rc = raw_request(&r, &st);

    tap_check(rc == 0 && st == want, "status", "%s: answered %d (want %d), rc %ld",
              what, st, want, rc);
}

int guest_main(void)
{
    struct blkif_request r;
    char v[160];
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();
    rc = xenbus_init();
    tap_eq(rc, 0, "xenstore up");
    rc = gnttab_init(1);
    tap_eq(rc, 0, "grant table set up");
    rc = blkfront_connect(&bf, VBD, 10 * NSEC_PER_SEC);
    tap_eq(rc, 0, "vbd %u connected", VBD);
    if (rc)
        tap_done();
    tap_diag("disk: %lu sectors", (unsigned long)bf.sectors);

    r = base_req(BLKIF_OP_READ, 1);
    r.nr_segments = 0;
    expect(r, BLKIF_RSP_ERROR, "a read of 0 segments");
    r = base_req(BLKIF_OP_WRITE, 2);
    r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST + 1;
    expect(r, BLKIF_RSP_ERROR, "a write of 12 segments");
    r = base_req(BLKIF_OP_READ, 3);
    r.nr_segments = 255;
    expect(r, BLKIF_RSP_ERROR, "a read of 255 segments");
    r = base_req(BLKIF_OP_READ, 4);
    r.seg[0].gref = 400; /* in the table, never granted */
    expect(r, BLKIF_RSP_ERROR, "a read into an ungranted reference");
    r = base_req(BLKIF_OP_WRITE, 5);
    r.seg[0].gref = 0x7fffffff; /* far past the table */
    expect(r, BLKIF_RSP_ERROR, "a write from a reference past the table");
    r = base_req(BLKIF_OP_READ, 6);
    r.seg[0].first_sect = 5;
    r.seg[0].last_sect = 2;
    expect(r, BLKIF_RSP_ERROR, "a segment whose first sector is after its last");
    r = base_req(BLKIF_OP_READ, 7);
    r.seg[0].last_sect = 8;
    expect(r, BLKIF_RSP_ERROR, "a segment past its page (last_sect 8)");
    r = base_req(BLKIF_OP_READ, 8);
    r.sector_number = bf.sectors - 4;
    expect(r, BLKIF_RSP_ERROR, "a read across the end of the disk");
    r = base_req(BLKIF_OP_WRITE, 9);
    r.sector_number = ~0ULL - 2;
    expect(r, BLKIF_RSP_ERROR, "a write at sector 2^64-3 (wraps)");
    r = base_req(BLKIF_OP_DISCARD, 10);
    expect(r, BLKIF_RSP_EOPNOTSUPP, "BLKIF_OP_DISCARD (not offered)");
    r = base_req(BLKIF_OP_INDIRECT, 11);
    expect(r, BLKIF_RSP_EOPNOTSUPP, "BLKIF_OP_INDIRECT (not offered)");
    r = base_req(200, 12);
    expect(r, BLKIF_RSP_EOPNOTSUPP, "operation 200");

    memset(buf, 0x5a, sizeof(buf));
    rc = blkfront_io(&bf, BLKIF_OP_WRITE, 0, buf, 8);
    tap_eq(rc, 0, "after all that, a good write works");
    memset(buf, 0, sizeof(buf));
    rc = blkfront_io(&bf, BLKIF_OP_READ, 0, buf, 8);
    tap_check(rc == 0 && buf[0] == 0x5a && buf[4095] == 0x5a, "data",
              "... and reads back, rc %ld", rc);

    /* The producer jumps a whole ring and more ahead of the responses. */
    tap_diag("req_prod %u -> %u", bf.ring.req_prod_pvt,
             bf.ring.req_prod_pvt + 1000);
    bf.ring.sring->req_prod = bf.ring.req_prod_pvt + 1000;
    wmb();
    evtchn_send(bf.port);
    {
        uint64_t deadline = time_now_ns() + 10 * NSEC_PER_SEC;

        while (!blkfront_backend_closing(&bf) && time_now_ns() < deadline)
            timer_sleep_ns(20 * NSEC_PER_MSEC);
    }
    rc = xenbus_dev_read_backend(&bf.xb, "state", v, sizeof(v));
    tap_check(rc > 0 && (v[0] == '5' || v[0] == '6'), "closed",
              "the backend closed the device after the jump: state %s",
              rc > 0 ? v : "?");
    rc = xenbus_dev_read_backend(&bf.xb, "error", v, sizeof(v));
    tap_check(rc > 0 && strstr(v, "ring broken"), "error",
              "... saying why: \"%s\"", rc > 0 ? v : "");
    printf("ridiculous-blkif: disconnected\n");
    tap_done();
}
