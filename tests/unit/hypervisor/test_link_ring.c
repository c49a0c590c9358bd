/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the dom0 link ring: the hypervisor's end
 * (hypervisor/common/link_ring.c) against the link daemon's end
 * (dom0-tools/linkd/front.c) over a ring in ordinary memory.  Covers the
 * request/response flow, doorbell suppression through the event indexes,
 * index wrap-around, corrupt indexes from either side, single fetch of each
 * request, and argument-window validation.
 */
#include "hv_test.h"

#include <pvisor/link_ring.h>
#include "front.h"

#include <stdlib.h>
#include <string.h>

static union {
    struct pvlink_sring s;
    uint8_t bytes[PVLINK_RING_BYTES];
} shared __attribute__((aligned(4096)));

static struct link_back back;
static struct pvlink_front_ring front;
static unsigned int host_rung, executed;
static uint64_t responses[4096];
static unsigned int nr_responses;
static int64_t last_result;

static int64_t exec_double(const struct pvlink_request *req, void *arg)
{
    (void)arg;
    executed++;
    return (int64_t)(req->op * 2 + req->args[0]);
}

static void notify(void *arg)
{
    (void)arg;
    host_rung++;
}

static const struct link_back_ops ops = {.exec = exec_double,
                                         .notify = notify};

static void collect(const struct pvlink_response *rsp, void *arg)
{
    (void)arg;
    responses[nr_responses++ % 4096] = rsp->id;
    last_result = rsp->result;
}

static int setup(void **state)
{
    (void)state;
    link_back_init(&back, &shared.s, sizeof(shared));
    link_front_init(&front, &shared.s, sizeof(shared));
    host_rung = executed = nr_responses = 0;
    return 0;
}

static bool push(uint64_t id, uint64_t op, uint64_t arg0)
{
    struct pvlink_request req = {.id = id, .op = op};

    req.args[0] = arg0;
    return link_front_push(&front, &req);
}

static void test_round_trip(void **state)
{
    (void)state;
    assert_int_equal(RING_SIZE(&front), 128);
    assert_true(push(7, 17, 3)); /* the hypervisor is idle: ring it */
    assert_int_equal(link_back_process(&back, &ops, NULL), 1);
    assert_int_equal(host_rung, 1); /* the daemon waits for responses */
    assert_int_equal(link_front_poll(&front, collect, NULL), 1);
    assert_int_equal(responses[0], 7);
    assert_int_equal(last_result, 37);
}

static void test_doorbells_are_suppressed_until_rearmed(void **state)
{
    (void)state;
    assert_true(push(1, 1, 0));
    /* The hypervisor has not looked yet: no second doorbell needed. */
    assert_false(push(2, 1, 0));
    assert_false(push(3, 1, 0));
    assert_int_equal(link_back_process(&back, &ops, NULL), 3);
    /* One host doorbell for the batch: the daemon had not polled yet. */
    assert_int_equal(host_rung, 1);
    /* The back end re-armed req_event when it ran dry: ring again. */
    assert_true(push(4, 1, 0));
    assert_int_equal(link_back_process(&back, &ops, NULL), 1);
    assert_int_equal(host_rung, 1); /* daemon still has not re-armed */
    assert_int_equal(link_front_poll(&front, collect, NULL), 4);
    assert_true(push(5, 1, 0));
    assert_int_equal(link_back_process(&back, &ops, NULL), 1);
    assert_int_equal(host_rung, 2);
}

static void test_indexes_wrap_around(void **state)
{
    uint64_t next = 0, seen = 0;

    (void)state;
    /* Push past 2^32 would take too long; wrap the ring many times and
     * start the indexes near the top to cross the 32-bit wrap too. */
    shared.s.req_prod = shared.s.rsp_prod = 0xfffffff0U;
    shared.s.req_event = shared.s.rsp_event = 0xfffffff1U;
    back.ring.req_cons = back.ring.rsp_prod_pvt = 0xfffffff0U;
    front.req_prod_pvt = front.rsp_cons = 0xfffffff0U;
    for (int round = 0; round < 40; round++) {
        unsigned int batch = 1 + (unsigned int)(round * 37 % 128);
        for (unsigned int i = 0; i < batch && !RING_FULL(&front); i++)
            push(next++, 2, 0);
        assert_true(link_back_process(&back, &ops, NULL) > 0);
        nr_responses = 0;
        link_front_poll(&front, collect, NULL);
        for (unsigned int i = 0; i < nr_responses; i++)
            assert_int_equal(responses[i], seen++);
    }
    assert_int_equal(seen, next);
    assert_int_equal(executed, next);
}

static void test_corrupt_request_index_is_refused(void **state)
{
    (void)state;
    push(1, 1, 0);
    shared.s.req_prod = back.ring.req_cons + RING_SIZE(&front) + 5;
    assert_int_equal(link_back_process(&back, &ops, NULL), -1);
    assert_true(back.broken);
    assert_int_equal(executed, 0);
    /* Once the host's index makes sense again the ring works. */
    shared.s.req_prod = back.ring.req_cons + 1;
    assert_int_equal(link_back_process(&back, &ops, NULL), 1);
    assert_false(back.broken);
}

static void test_corrupt_response_index_is_refused(void **state)
{
    (void)state;
    push(1, 1, 0);
    link_back_process(&back, &ops, NULL);
    shared.s.rsp_prod = front.rsp_cons + 1000;
    assert_int_equal(link_front_poll(&front, collect, NULL), -1);
    assert_int_equal(nr_responses, 0);
}

/* exec() that rewrites the shared slot while the request is running. */
static int64_t exec_tamper(const struct pvlink_request *req, void *arg)
{
    struct pvlink_request *slot = RING_GET_REQUEST(&back.ring,
                                                   back.ring.req_cons - 1);

    (void)arg;
    slot->op = 999;
    slot->args[0] = 999;
    return (int64_t)(req->op + req->args[0]); /* must still be the copy */
}

static void test_request_is_fetched_once(void **state)
{
    static const struct link_back_ops tamper = {.exec = exec_tamper,
                                                .notify = notify};

    (void)state;
    push(1, 5, 6);
    assert_int_equal(link_back_process(&back, &tamper, NULL), 1);
    link_front_poll(&front, collect, NULL);
    assert_int_equal(last_result, 11);
}

static void test_window_validation(void **state)
{
    const uint64_t a = 0x800000, sz = 0x400000;

    (void)state;
    assert_true(link_window_valid(a, 0x10000, a, sz));
    assert_true(link_window_valid(a + sz - 0x10000, 0x10000, a, sz));
    assert_true(link_window_valid(a, sz, a, sz));
    assert_false(link_window_valid(a - 1, 0x10000, a, sz));
    assert_false(link_window_valid(a + sz - 0x10000 + 1, 0x10000, a, sz));
    assert_false(link_window_valid(a, sz + 1, a, sz));
    /* Overflowing sums must not wrap into the arena. */
    assert_false(link_window_valid(UINT64_MAX - 10, 0x1000, a, sz));
    assert_false(link_window_valid(a + 0x1000, UINT64_MAX, a, sz));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_round_trip, setup),
        cmocka_unit_test_setup(test_doorbells_are_suppressed_until_rearmed, setup),
        cmocka_unit_test_setup(test_indexes_wrap_around, setup),
        cmocka_unit_test_setup(test_corrupt_request_index_is_refused, setup),
        cmocka_unit_test_setup(test_corrupt_response_index_is_refused, setup),
        cmocka_unit_test_setup(test_request_is_fetched_once, setup),
        cmocka_unit_test_setup(test_window_validation, setup),
    };
    return cmocka_run_group_tests_name("link_ring", tests, NULL, NULL);
}
