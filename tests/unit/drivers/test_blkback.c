/* SPDX-License-Identifier: MIT */
/*
 * The block backend's core (drivers/block/back/blkback.c) against a
 * temporary image file and a model of the guest's granted pages: data
 * written and read back, request checks, read-only disks, unsupported
 * operations, refused grants, flush and barrier, broken rings, a
 * restarted backend picking up unanswered requests.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../../../drivers/block/back/blkback.h"

#define NR_GREFS   32
#define DISK_SECTS 256 /* 128 KiB */

/* The guest: granted pages, some read-only to us. */
static uint8_t gpages[NR_GREFS][BLKBACK_PAGE];
static bool gro[NR_GREFS];
static unsigned int copy_calls;

static int fake_copy(void *opaque, struct blkback_copy *c, unsigned int n)
{
    (void)opaque;
    copy_calls++;
    for (unsigned int i = 0; i < n; i++) {
        if (c[i].gref >= NR_GREFS) {
            c[i].status = GNTST_bad_gntref;
        } else if ((unsigned int)c[i].offset + c[i].len > BLKBACK_PAGE) {
            c[i].status = GNTST_bad_copy_arg;
        } else if (c[i].to_guest && gro[c[i].gref]) {
            c[i].status = GNTST_permission_denied;
        } else {
            uint8_t *g = gpages[c[i].gref] + c[i].offset;

            if (c[i].to_guest)
                memcpy(g, c[i].local, c[i].len);
            else
                memcpy(c[i].local, g, c[i].len);
            c[i].status = GNTST_okay;
        }
    }
    return 0;
}

static const struct blkback_ops ops = {.copy = fake_copy};

struct fixture {
    blkif_sring_t *sring;
    blkif_front_ring_t front;
    struct blkback *b;
    int fd;
    char path[64];
};

static struct fixture fx;

static int setup(void **state)
{
    (void)state;
    fx.sring = aligned_alloc(BLKBACK_PAGE, BLKBACK_PAGE);
    assert_non_null(fx.sring);
    SHARED_RING_INIT(fx.sring);
    FRONT_RING_INIT(&fx.front, fx.sring, BLKBACK_PAGE);
    strcpy(fx.path, "/tmp/test-blkback.XXXXXX");
    fx.fd = mkstemp(fx.path);
    assert_true(fx.fd >= 0);
    assert_int_equal(ftruncate(fx.fd, DISK_SECTS * BLKBACK_SECTOR), 0);
    fx.b = aligned_alloc(BLKBACK_PAGE, sizeof(*fx.b));
    assert_non_null(fx.b);
    uint64_t sects;
    assert_int_equal(blkback_image_sectors(fx.fd, &sects), 0);
    assert_int_equal(sects, DISK_SECTS);
    blkback_init(fx.b, fx.sring, BLKBACK_PAGE, fx.fd, sects, false, &ops, NULL);
    memset(gpages, 0, sizeof(gpages));
    memset(gro, 0, sizeof(gro));
    copy_calls = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    close(fx.fd);
    unlink(fx.path);
    free(fx.b);
    free(fx.sring);
    return 0;
}

/* Queues a request on the front ring; segs are {gref, first, last}. */
static void queue(uint8_t op, uint64_t id, uint64_t sector, unsigned int nseg,
                  const uint8_t (*segs)[3])
{
    struct blkif_request *r = RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt);

    memset(r, 0, sizeof(*r));
    r->operation = op;
    r->nr_segments = (uint8_t)nseg;
    r->id = id;
    r->sector_number = sector;
    for (unsigned int i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
        r->seg[i].gref = segs[i][0];
        r->seg[i].first_sect = segs[i][1];
        r->seg[i].last_sect = segs[i][2];
    }
    fx.front.req_prod_pvt++;
    RING_PUSH_REQUESTS(&fx.front);
}

/* Serves the ring and returns the status of the next response. */
static int16_t serve_one(uint64_t want_id, uint8_t want_op)
{
    bool notify;
    struct blkif_response *rsp;

    assert_int_equal(blkback_poll(fx.b, &notify), 1);
    assert_true(RING_HAS_UNCONSUMED_RESPONSES(&fx.front));
    rsp = RING_GET_RESPONSE(&fx.front, fx.front.rsp_cons);
    fx.front.rsp_cons++;
    assert_int_equal(rsp->id, want_id);
    assert_int_equal(rsp->operation, want_op);
    return rsp->status;
}

static void fill(unsigned int gref, uint8_t seed)
{
    for (unsigned int i = 0; i < BLKBACK_PAGE; i++)
        gpages[gref][i] = (uint8_t)(seed + i * 7);
}

static void test_write_then_read_back(void **state)
{
    /* Three segments: a whole page, sectors 2-5 of one, sector 7 of one. */
    static const uint8_t w[3][3] = {{1, 0, 7}, {2, 2, 5}, {3, 7, 7}};
    static const uint8_t r[3][3] = {{10, 0, 7}, {11, 2, 5}, {12, 7, 7}};
    uint8_t img[13 * BLKBACK_SECTOR];

    (void)state;
    fill(1, 1);
    fill(2, 2);
    fill(3, 3);
    queue(BLKIF_OP_WRITE, 0xfeedULL << 32, 40, 3, w);
    assert_int_equal(serve_one(0xfeedULL << 32, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
    /* The image holds the segments back to back from sector 40. */
    assert_int_equal(pread(fx.fd, img, sizeof(img), 40 * BLKBACK_SECTOR),
                     (ssize_t)sizeof(img));
    assert_memory_equal(img, gpages[1], BLKBACK_PAGE);
    assert_memory_equal(img + 8 * BLKBACK_SECTOR, gpages[2] + 2 * BLKBACK_SECTOR,
                        4 * BLKBACK_SECTOR);
    assert_memory_equal(img + 12 * BLKBACK_SECTOR, gpages[3] + 7 * BLKBACK_SECTOR,
                        BLKBACK_SECTOR);

    queue(BLKIF_OP_READ, 7, 40, 3, r);
    assert_int_equal(serve_one(7, BLKIF_OP_READ), BLKIF_RSP_OKAY);
    assert_memory_equal(gpages[10], gpages[1], BLKBACK_PAGE);
    assert_memory_equal(gpages[11] + 2 * BLKBACK_SECTOR, gpages[2] + 2 * BLKBACK_SECTOR,
                        4 * BLKBACK_SECTOR);
    /* Outside its sectors the page is untouched. */
    for (unsigned int i = 0; i < 2 * BLKBACK_SECTOR; i++)
        assert_int_equal(gpages[11][i], 0);
    assert_memory_equal(gpages[12] + 7 * BLKBACK_SECTOR, gpages[3] + 7 * BLKBACK_SECTOR,
                        BLKBACK_SECTOR);
    assert_int_equal(fx.b->stats.sectors_written, 13);
    assert_int_equal(fx.b->stats.sectors_read, 13);
    assert_int_equal(copy_calls, 2); /* one grant copy per request */
}

static void test_disk_bounds(void **state)
{
    static const uint8_t one[1][3] = {{1, 0, 7}};

    (void)state;
    /* The last 8 sectors are fine, one further is not. */
    queue(BLKIF_OP_READ, 1, DISK_SECTS - 8, 1, one);
    assert_int_equal(serve_one(1, BLKIF_OP_READ), BLKIF_RSP_OKAY);
    queue(BLKIF_OP_READ, 2, DISK_SECTS - 7, 1, one);
    assert_int_equal(serve_one(2, BLKIF_OP_READ), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_WRITE, 3, ~0ULL - 3, 1, one); /* wraps */
    assert_int_equal(serve_one(3, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_READ, 4, DISK_SECTS, 1, one);
    assert_int_equal(serve_one(4, BLKIF_OP_READ), BLKIF_RSP_ERROR);
    assert_int_equal(fx.b->stats.errors, 3);
}

static void test_bad_segments(void **state)
{
    static const uint8_t past[1][3] = {{1, 0, 8}};
    static const uint8_t reversed[1][3] = {{1, 5, 4}};
    static const uint8_t full[BLKIF_MAX_SEGMENTS_PER_REQUEST][3] = {{1, 0, 7}};
    uint8_t zero[BLKBACK_SECTOR] = {0}, got[BLKBACK_SECTOR];

    (void)state;
    fill(1, 9);
    queue(BLKIF_OP_WRITE, 1, 0, 1, past);
    assert_int_equal(serve_one(1, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_WRITE, 2, 0, 1, reversed);
    assert_int_equal(serve_one(2, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_WRITE, 3, 0, 0, NULL);
    assert_int_equal(serve_one(3, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    /* nr_segments past the maximum (the ring slot has room for 11). */
    queue(BLKIF_OP_WRITE, 4, 0, BLKIF_MAX_SEGMENTS_PER_REQUEST, full);
    RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt - 1)->nr_segments = 12;
    assert_int_equal(serve_one(4, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_WRITE, 5, 0, 1, past);
    RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt - 1)->nr_segments = 255;
    assert_int_equal(serve_one(5, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    /* None of them wrote anything, nor asked for a copy. */
    assert_int_equal(pread(fx.fd, got, sizeof(got), 0), (ssize_t)sizeof(got));
    assert_memory_equal(got, zero, sizeof(got));
    assert_int_equal(copy_calls, 0);
}

static void test_refused_grants(void **state)
{
    static const uint8_t bad[2][3] = {{1, 0, 7}, {NR_GREFS + 5, 0, 7}};
    static const uint8_t ro[1][3] = {{4, 0, 7}};
    uint8_t zero[BLKBACK_PAGE] = {0}, got[BLKBACK_PAGE];

    (void)state;
    fill(1, 5);
    /* A write with one bad grant writes nothing at all. */
    queue(BLKIF_OP_WRITE, 1, 16, 2, bad);
    assert_int_equal(serve_one(1, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    assert_int_equal(pread(fx.fd, got, sizeof(got), 16 * BLKBACK_SECTOR),
                     (ssize_t)sizeof(got));
    assert_memory_equal(got, zero, sizeof(got));
    /* A read into a page granted read-only. */
    gro[4] = true;
    queue(BLKIF_OP_READ, 2, 0, 1, ro);
    assert_int_equal(serve_one(2, BLKIF_OP_READ), BLKIF_RSP_ERROR);
    /* ... but writing from it is fine. */
    queue(BLKIF_OP_WRITE, 3, 0, 1, ro);
    assert_int_equal(serve_one(3, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
}

static void test_read_only_disk(void **state)
{
    static const uint8_t one[1][3] = {{1, 0, 7}};

    (void)state;
    fx.b->readonly = true;
    fill(1, 3);
    queue(BLKIF_OP_WRITE, 1, 0, 1, one);
    assert_int_equal(serve_one(1, BLKIF_OP_WRITE), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_WRITE_BARRIER, 2, 0, 1, one);
    assert_int_equal(serve_one(2, BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_ERROR);
    queue(BLKIF_OP_READ, 3, 0, 1, one);
    assert_int_equal(serve_one(3, BLKIF_OP_READ), BLKIF_RSP_OKAY);
    queue(BLKIF_OP_FLUSH_DISKCACHE, 4, 0, 0, NULL);
    assert_int_equal(serve_one(4, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
    assert_int_equal(copy_calls, 1); /* the read only */
}

static void test_flush_and_barrier(void **state)
{
    static const uint8_t one[1][3] = {{6, 0, 7}};
    uint8_t got[BLKBACK_PAGE];

    (void)state;
    queue(BLKIF_OP_FLUSH_DISKCACHE, 1, 0, 0, NULL);
    assert_int_equal(serve_one(1, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_OKAY);
    fill(6, 77);
    queue(BLKIF_OP_WRITE_BARRIER, 2, 8, 1, one);
    assert_int_equal(serve_one(2, BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_OKAY);
    assert_int_equal(pread(fx.fd, got, sizeof(got), 8 * BLKBACK_SECTOR),
                     (ssize_t)sizeof(got));
    assert_memory_equal(got, gpages[6], sizeof(got));
    assert_int_equal(fx.b->stats.flushes, 1);
    assert_int_equal(fx.b->stats.barriers, 1);
    /* Not advertised: not supported. */
    fx.b->barrier = false;
    fx.b->flush = false;
    queue(BLKIF_OP_WRITE_BARRIER, 3, 8, 1, one);
    assert_int_equal(serve_one(3, BLKIF_OP_WRITE_BARRIER), BLKIF_RSP_EOPNOTSUPP);
    queue(BLKIF_OP_FLUSH_DISKCACHE, 4, 0, 0, NULL);
    assert_int_equal(serve_one(4, BLKIF_OP_FLUSH_DISKCACHE), BLKIF_RSP_EOPNOTSUPP);
}

static void test_unsupported_ops(void **state)
{
    static const uint8_t ops_tried[] = {BLKIF_OP_RESERVED_1, BLKIF_OP_DISCARD,
                                        BLKIF_OP_INDIRECT, 7, 200, 255};

    (void)state;
    for (unsigned int i = 0; i < sizeof(ops_tried); i++) {
        queue(ops_tried[i], 100 + i, 0, 0, NULL);
        assert_int_equal(serve_one(100 + i, ops_tried[i]), BLKIF_RSP_EOPNOTSUPP);
    }
    assert_int_equal(fx.b->stats.unsupported, sizeof(ops_tried));
    assert_int_equal(copy_calls, 0);
}

static void test_batches_and_notify(void **state)
{
    static const uint8_t one[1][3] = {{1, 0, 0}};
    unsigned int size = RING_SIZE(&fx.front);
    bool notify;

    (void)state;
    /* A full ring, served in one poll, with one notification. */
    for (unsigned int i = 0; i < size; i++)
        queue(BLKIF_OP_READ, i, i, 1, one);
    assert_int_equal(blkback_poll(fx.b, &notify), (int)size);
    assert_true(notify);
    assert_false(fx.b->more);
    for (unsigned int i = 0; i < size; i++) {
        struct blkif_response *rsp = RING_GET_RESPONSE(&fx.front, fx.front.rsp_cons);

        fx.front.rsp_cons++;
        assert_int_equal(rsp->id, i);
        assert_int_equal(rsp->status, BLKIF_RSP_OKAY);
    }
    /* The backend re-armed req_event for the next request. */
    assert_int_equal(fx.sring->req_event, fx.front.req_prod_pvt + 1);
    /* A front that does not want responses signalled is not notified. */
    fx.sring->rsp_event = fx.front.rsp_cons + 1000;
    queue(BLKIF_OP_READ, 1, 0, 1, one);
    assert_int_equal(blkback_poll(fx.b, &notify), 1);
    assert_false(notify);
    /* Nothing queued: nothing served. */
    assert_int_equal(blkback_poll(fx.b, &notify), 0);
}

static void test_broken_ring(void **state)
{
    static const uint8_t one[1][3] = {{1, 0, 7}};
    bool notify;

    (void)state;
    queue(BLKIF_OP_READ, 1, 0, 1, one);
    assert_int_equal(serve_one(1, BLKIF_OP_READ), BLKIF_RSP_OKAY);
    /* A producer more than a ring ahead of the responses. */
    fx.sring->req_prod += RING_SIZE(&fx.front) + 1;
    assert_int_equal(blkback_poll(fx.b, &notify), -1);
    assert_true(fx.b->broken);
    assert_non_null(strstr(fx.b->why, "ahead"));
    /* It stays broken, whatever the front does next. */
    fx.sring->req_prod = fx.front.req_prod_pvt;
    assert_int_equal(blkback_poll(fx.b, &notify), -1);
    /* A producer behind the responses is just as wrong (a new ring). */
    teardown(NULL);
    setup(NULL);
    queue(BLKIF_OP_READ, 1, 0, 1, one);
    assert_int_equal(serve_one(1, BLKIF_OP_READ), BLKIF_RSP_OKAY);
    fx.sring->req_prod -= 2;
    assert_int_equal(blkback_poll(fx.b, &notify), -1);
}

static void test_restarted_backend(void **state)
{
    static const uint8_t one[1][3] = {{2, 0, 7}};
    bool notify;

    (void)state;
    fill(2, 42);
    queue(BLKIF_OP_WRITE, 1, 0, 1, one);
    assert_int_equal(serve_one(1, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
    /* Two requests the old backend never answered... */
    queue(BLKIF_OP_WRITE, 2, 8, 1, one);
    queue(BLKIF_OP_READ, 3, 0, 1, one);
    /* ... a new backend attached to the same ring serves them. */
    blkback_init(fx.b, fx.sring, BLKBACK_PAGE, fx.fd, DISK_SECTS, false, &ops, NULL);
    assert_int_equal(blkback_poll(fx.b, &notify), 2);
    assert_int_equal(RING_GET_RESPONSE(&fx.front, fx.front.rsp_cons)->id, 2);
    assert_int_equal(RING_GET_RESPONSE(&fx.front, fx.front.rsp_cons + 1)->id, 3);
}

/* The copy op of a backend that dies in the middle of serving. */
static jmp_buf died;
static int dying_copy(void *opaque, struct blkback_copy *c, unsigned int n)
{
    (void)opaque;
    (void)c;
    (void)n;
    longjmp(died, 1);
}
static const struct blkback_ops dying_ops = {.copy = dying_copy};

/*
 * A backend killed while serving (here: in the middle of its grant copy)
 * has written nothing to the request's slot, which its response shares:
 * the next backend finds the request whole and serves it.
 */
static void test_killed_while_serving(void **state)
{
    static const uint8_t one[1][3] = {{2, 0, 7}};
    struct blkif_request before;
    bool notify;

    (void)state;
    fill(2, 42);
    queue(BLKIF_OP_WRITE, 77, 16, 1, one);
    before = *RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt - 1);
    blkback_init(fx.b, fx.sring, BLKBACK_PAGE, fx.fd, DISK_SECTS, false,
                 &dying_ops, NULL);
    if (!setjmp(died))
        blkback_poll(fx.b, &notify);
    assert_memory_equal(RING_GET_REQUEST(&fx.front, fx.front.req_prod_pvt - 1),
                        &before, sizeof(before));
    assert_int_equal(fx.sring->rsp_prod, 0);
    blkback_init(fx.b, fx.sring, BLKBACK_PAGE, fx.fd, DISK_SECTS, false, &ops,
                 NULL);
    assert_int_equal(serve_one(77, BLKIF_OP_WRITE), BLKIF_RSP_OKAY);
    gpages[3][0] = 0;
    static const uint8_t back[1][3] = {{3, 0, 7}};
    queue(BLKIF_OP_READ, 78, 16, 1, back);
    assert_int_equal(serve_one(78, BLKIF_OP_READ), BLKIF_RSP_OKAY);
    assert_memory_equal(gpages[3], gpages[2], BLKBACK_PAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_write_then_read_back),
        T(test_disk_bounds),
        T(test_bad_segments),
        T(test_refused_grants),
        T(test_read_only_disk),
        T(test_flush_and_barrier),
        T(test_unsupported_ops),
        T(test_batches_and_notify),
        T(test_broken_ring),
        T(test_restarted_backend),
        T(test_killed_while_serving),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
