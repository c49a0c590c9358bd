/* SPDX-License-Identifier: MIT */
/*
 * The network backend's core (drivers/net/back/netback.c, switch.c):
 * packets of one and several slots sent and received through a model of
 * the guest's grants, checksum flags carried, extra-info slots, drops
 * answered as Linux's netback answers them, broken rings, receive with
 * too few buffers, and the learning switch.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../../../drivers/net/back/netback.h"
#include "../../../drivers/net/back/switch.h"

#define NR_GREFS 40

static uint8_t gpages[NR_GREFS][NETBACK_PAGE];
static bool gro[NR_GREFS];
static unsigned int copy_calls;

static int fake_copy(void *opaque, struct netback_copy *c, unsigned int n)
{
    (void)opaque;
    copy_calls++;
    for (unsigned int i = 0; i < n; i++) {
        if (c[i].gref >= NR_GREFS)
            c[i].status = GNTST_bad_gntref;
        else if ((unsigned int)c[i].offset + c[i].len > NETBACK_PAGE)
            c[i].status = GNTST_bad_copy_arg;
        else if (c[i].to_guest && gro[c[i].gref])
            c[i].status = GNTST_permission_denied;
        else {
            if (c[i].to_guest)
                memcpy(gpages[c[i].gref] + c[i].offset, c[i].local, c[i].len);
            else
                memcpy(c[i].local, gpages[c[i].gref] + c[i].offset, c[i].len);
            c[i].status = GNTST_okay;
        }
    }
    return 0;
}

/* What the backend delivered. */
static uint8_t got[3][NETBACK_MAX_PKT + 1];
static size_t got_len[3];
static uint16_t got_flags[3];
static unsigned int ndelivered;

static void fake_deliver(void *opaque, const uint8_t *pkt, size_t len, uint16_t flags)
{
    (void)opaque;
    if (ndelivered < 3) {
        memcpy(got[ndelivered], pkt, len);
        got_len[ndelivered] = len;
        got_flags[ndelivered] = flags;
    }
    ndelivered++;
}

static const struct netback_ops ops = {.copy = fake_copy, .deliver = fake_deliver};

static netif_tx_sring_t *txs;
static netif_rx_sring_t *rxs;
static netif_tx_front_ring_t txf;
static netif_rx_front_ring_t rxf;
static struct netback *nb;

static int setup(void **state)
{
    (void)state;
    txs = aligned_alloc(NETBACK_PAGE, NETBACK_PAGE);
    rxs = aligned_alloc(NETBACK_PAGE, NETBACK_PAGE);
    nb = malloc(sizeof(*nb));
    assert_true(txs && rxs && nb);
    SHARED_RING_INIT(txs);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&txf, txs, NETBACK_PAGE);
    FRONT_RING_INIT(&rxf, rxs, NETBACK_PAGE);
    netback_init(nb, txs, rxs, &ops, NULL);
    memset(gpages, 0, sizeof(gpages));
    memset(gro, 0, sizeof(gro));
    copy_calls = ndelivered = 0;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(nb);
    free(txs);
    free(rxs);
    return 0;
}

static void tx_queue(uint16_t gref, uint16_t offset, uint16_t size, uint16_t flags,
                     uint16_t id)
{
    struct netif_tx_request *r = RING_GET_REQUEST(&txf, txf.req_prod_pvt);

    *r = (struct netif_tx_request){
        .gref = gref, .offset = offset, .size = size, .flags = flags, .id = id};
    txf.req_prod_pvt++;
}

static void tx_queue_extra(uint8_t type, uint8_t flags)
{
    struct netif_extra_info *x = (void *)RING_GET_REQUEST(&txf, txf.req_prod_pvt);

    memset(x, 0, sizeof(*x));
    x->type = type;
    x->flags = flags;
    txf.req_prod_pvt++;
}

static int tx_push_and_poll(bool *notify)
{
    RING_PUSH_REQUESTS(&txf);
    return netback_tx_poll(nb, notify);
}

/* The next transmit response: its id and status. */
static void tx_expect(uint16_t id, int16_t status)
{
    struct netif_tx_response *rsp;

    assert_true(RING_HAS_UNCONSUMED_RESPONSES(&txf));
    rsp = RING_GET_RESPONSE(&txf, txf.rsp_cons);
    txf.rsp_cons++;
    assert_int_equal(rsp->id, id);
    assert_int_equal(rsp->status, status);
}

static void fill(unsigned int gref, uint8_t seed)
{
    for (unsigned int i = 0; i < NETBACK_PAGE; i++)
        gpages[gref][i] = (uint8_t)(seed + i * 13);
}

static void test_tx_one_slot(void **state)
{
    bool notify;

    (void)state;
    fill(1, 1);
    tx_queue(1, 100, 60, NETTXF_csum_blank | NETTXF_data_validated, 7);
    assert_int_equal(tx_push_and_poll(&notify), 1);
    assert_true(notify);
    tx_expect(7, NETIF_RSP_OKAY);
    assert_int_equal(ndelivered, 1);
    assert_int_equal(got_len[0], 60);
    assert_memory_equal(got[0], gpages[1] + 100, 60);
    assert_int_equal(got_flags[0], NETTXF_csum_blank | NETTXF_data_validated);
    assert_int_equal(nb->stats.tx_packets, 1);
    assert_int_equal(nb->stats.tx_bytes, 60);
}

static void test_tx_several_slots(void **state)
{
    bool notify;

    (void)state;
    fill(1, 1);
    fill(2, 2);
    fill(3, 3);
    /* 9000 bytes: 1000 in the first slot, 4096 and 3904 after. */
    tx_queue(1, 3096, 9000, NETTXF_more_data, 1);
    tx_queue(2, 0, 4096, NETTXF_more_data, 2);
    tx_queue(3, 192, 3904, 0, 3);
    assert_int_equal(tx_push_and_poll(&notify), 1);
    tx_expect(1, NETIF_RSP_OKAY);
    tx_expect(2, NETIF_RSP_OKAY);
    tx_expect(3, NETIF_RSP_OKAY);
    assert_int_equal(got_len[0], 9000);
    assert_memory_equal(got[0], gpages[1] + 3096, 1000);
    assert_memory_equal(got[0] + 1000, gpages[2], 4096);
    assert_memory_equal(got[0] + 5096, gpages[3] + 192, 3904);
    assert_int_equal(copy_calls, 1); /* one grant copy per packet */
}

static void test_tx_incomplete_waits(void **state)
{
    bool notify;

    (void)state;
    fill(1, 1);
    tx_queue(1, 0, 100, NETTXF_more_data, 1);
    assert_int_equal(tx_push_and_poll(&notify), 0);
    assert_int_equal(ndelivered, 0);
    tx_queue(2, 0, 40, 0, 2);
    assert_int_equal(tx_push_and_poll(&notify), 1);
    assert_int_equal(got_len[0], 100);
    tx_expect(1, NETIF_RSP_OKAY);
    tx_expect(2, NETIF_RSP_OKAY);
}

static void test_tx_extra_info(void **state)
{
    bool notify;

    (void)state;
    /* A multicast extra: answered NETIF_RSP_NULL, the packet delivered. */
    tx_queue(1, 0, 60, NETTXF_extra_info, 1);
    tx_queue_extra(XEN_NETIF_EXTRA_TYPE_MCAST_ADD, 0);
    assert_int_equal(tx_push_and_poll(&notify), 1);
    tx_expect(1, NETIF_RSP_OKAY);
    tx_expect(0, NETIF_RSP_NULL);
    assert_int_equal(ndelivered, 1);
    /* GSO is not offered: the packet is dropped. */
    tx_queue(1, 0, 60, NETTXF_extra_info, 2);
    tx_queue_extra(XEN_NETIF_EXTRA_TYPE_GSO, 0);
    assert_int_equal(tx_push_and_poll(&notify), 1);
    tx_expect(2, NETIF_RSP_ERROR);
    tx_expect(0, NETIF_RSP_NULL);
    assert_int_equal(ndelivered, 1);
    assert_int_equal(nb->stats.tx_dropped, 1);
    /* An unknown extra type breaks the ring. */
    tx_queue(1, 0, 60, NETTXF_extra_info, 3);
    tx_queue_extra(XEN_NETIF_EXTRA_TYPE_MAX, 0);
    assert_int_equal(tx_push_and_poll(&notify), -1);
    assert_non_null(strstr(nb->why, "extra-info"));
}

static void test_tx_drops(void **state)
{
    bool notify;

    (void)state;
    /* Shorter than an Ethernet header. */
    tx_queue(1, 0, 13, 0, 1);
    /* A fragment larger than the packet. */
    tx_queue(1, 0, 100, NETTXF_more_data, 2);
    tx_queue(2, 0, 200, 0, 3);
    /* A grant the copy refuses. */
    tx_queue(NR_GREFS + 1, 0, 60, 0, 4);
    /* A good one after them all. */
    tx_queue(1, 0, 64, 0, 5);
    assert_int_equal(tx_push_and_poll(&notify), 4);
    tx_expect(1, NETIF_RSP_ERROR);
    tx_expect(2, NETIF_RSP_ERROR);
    tx_expect(3, NETIF_RSP_ERROR);
    tx_expect(4, NETIF_RSP_ERROR);
    tx_expect(5, NETIF_RSP_OKAY);
    assert_int_equal(ndelivered, 1);
    assert_int_equal(got_len[0], 64);
    assert_int_equal(nb->stats.tx_dropped, 3);
    assert_false(nb->broken);
}

static void test_tx_broken(void **state)
{
    bool notify;

    (void)state;
    /* A fragment crossing its page. */
    tx_queue(1, 0, 200, NETTXF_more_data, 1);
    tx_queue(2, 4000, 100, 0, 2);
    assert_int_equal(tx_push_and_poll(&notify), -1);
    assert_non_null(strstr(nb->why, "crossing"));
    assert_int_equal(ndelivered, 0);
    /* Once broken, always broken. */
    assert_int_equal(netback_tx_poll(nb, &notify), -1);
    teardown(NULL);
    setup(NULL);
    /* A first slot whose own part crosses its page. */
    tx_queue(1, 4000, 200, 0, 1);
    assert_int_equal(tx_push_and_poll(&notify), -1);
    teardown(NULL);
    setup(NULL);
    /* More slots than a packet may have. */
    for (unsigned int i = 0; i <= NETBACK_MAX_SLOTS; i++)
        tx_queue(1, 0, i == 0 ? 2000 : 10, NETTXF_more_data, (uint16_t)i);
    assert_int_equal(tx_push_and_poll(&notify), -1);
    assert_non_null(strstr(nb->why, "slots"));
    teardown(NULL);
    setup(NULL);
    /* A producer off the ring. */
    txs->req_prod = 1000;
    assert_int_equal(netback_tx_poll(nb, &notify), -1);
    assert_non_null(strstr(nb->why, "ahead"));
}

static void rx_post(uint16_t id, grant_ref_t gref)
{
    struct netif_rx_request *r = RING_GET_REQUEST(&rxf, rxf.req_prod_pvt);

    r->id = id;
    r->gref = gref;
    rxf.req_prod_pvt++;
    RING_PUSH_REQUESTS(&rxf);
}

static void test_rx(void **state)
{
    static uint8_t pkt[6000];
    struct netif_rx_response *rsp;
    bool notify;

    (void)state;
    for (unsigned int i = 0; i < sizeof(pkt); i++)
        pkt[i] = (uint8_t)(i * 3);
    /* No buffer posted: the packet waits, nothing taken. */
    assert_int_equal(netback_rx_put(nb, pkt, 100, 0, &notify), -EAGAIN);
    assert_int_equal(nb->stats.rx_no_buffer, 1);
    rx_post(11, 5);
    assert_int_equal(netback_rx_posted(nb), 1);
    /* Two pages needed, one posted. */
    assert_int_equal(netback_rx_put(nb, pkt, sizeof(pkt), NETTXF_csum_blank, &notify),
                     -EAGAIN);
    assert_int_equal(rxs->req_event, rxf.req_prod_pvt + 1);
    rx_post(12, 6);
    assert_int_equal(netback_rx_put(nb, pkt, sizeof(pkt), NETTXF_csum_blank, &notify), 0);
    assert_true(notify);
    rsp = RING_GET_RESPONSE(&rxf, 0);
    assert_int_equal(rsp->id, 11);
    assert_int_equal(rsp->status, 4096);
    assert_int_equal(rsp->flags,
                     NETRXF_more_data | NETRXF_csum_blank | NETRXF_data_validated);
    rsp = RING_GET_RESPONSE(&rxf, 1);
    assert_int_equal(rsp->id, 12);
    assert_int_equal(rsp->status, 6000 - 4096);
    assert_int_equal(rsp->flags, 0);
    assert_memory_equal(gpages[5], pkt, 4096);
    assert_memory_equal(gpages[6], pkt + 4096, 6000 - 4096);
    /* A buffer granted read-only: answered with an error. */
    gro[7] = true;
    rx_post(13, 7);
    assert_int_equal(netback_rx_put(nb, pkt, 60, 0, &notify), -EIO);
    assert_int_equal(RING_GET_RESPONSE(&rxf, 2)->status, NETIF_RSP_ERROR);
    /* Sizes. */
    assert_int_equal(netback_rx_put(nb, pkt, 0, 0, &notify), -EMSGSIZE);
    assert_int_equal(netback_rx_put(nb, pkt, NETBACK_MAX_PKT + 1, 0, &notify),
                     -EMSGSIZE);
    /* A receive producer off the ring breaks the vif. */
    rxs->req_prod += 1000;
    assert_int_equal(netback_rx_posted(nb), 0);
    assert_int_equal(netback_rx_put(nb, pkt, 60, 0, &notify), -EPIPE);
    assert_true(nb->broken);
}

/* ---------------------------------------------------------- switch */

struct port_log {
    unsigned int frames;
    size_t last_len;
};

static void port_out(void *opaque, const uint8_t *frame, size_t len, uint16_t flags)
{
    struct port_log *l = opaque;

    (void)frame;
    (void)flags;
    l->frames++;
    l->last_len = len;
}

static void frame(uint8_t *f, uint8_t dst, uint8_t src)
{
    memset(f, 0, 64);
    /* Locally administered unicast addresses 02:00:00:00:00:xx. */
    f[0] = 2;
    f[5] = dst;
    f[6] = 2;
    f[11] = src;
}

static void test_switch(void **state)
{
    static struct nswitch sw;
    struct port_log log[3] = {{0}};
    uint8_t f[64];
    int p[3];

    (void)state;
    nswitch_init(&sw);
    for (int i = 0; i < 3; i++)
        p[i] = nswitch_add_port(&sw, port_out, &log[i]);
    /* Unknown destination: flooded, never back to the sender. */
    frame(f, 2, 1);
    nswitch_input(&sw, p[0], f, 64, 0);
    assert_int_equal(log[0].frames, 0);
    assert_int_equal(log[1].frames, 1);
    assert_int_equal(log[2].frames, 1);
    assert_int_equal(nswitch_lookup(&sw, f + 6), p[0]);
    /* The answer goes to port 0 only, and port 1 is learnt. */
    frame(f, 1, 2);
    nswitch_input(&sw, p[1], f, 64, 0);
    assert_int_equal(log[0].frames, 1);
    assert_int_equal(log[2].frames, 1);
    frame(f, 2, 1);
    nswitch_input(&sw, p[0], f, 64, 0);
    assert_int_equal(log[1].frames, 2);
    assert_int_equal(log[2].frames, 1);
    /* Broadcast: everyone else. */
    memset(f, 0xff, 6);
    nswitch_input(&sw, p[2], f, 64, 0);
    assert_int_equal(log[0].frames, 2);
    assert_int_equal(log[1].frames, 3);
    assert_int_equal(log[2].frames, 1);
    /* A group source address is not learnt; runts are dropped. */
    frame(f, 9, 1);
    f[6] = 1;
    nswitch_input(&sw, p[2], f, 64, 0);
    assert_int_equal(nswitch_lookup(&sw, f + 6), -1);
    nswitch_input(&sw, p[2], f, 13, 0);
    assert_int_equal(sw.dropped, 1);
    /* The broadcast moved address 1 to port 2: a frame for it from port
     * 2 is for the sender's own segment and goes nowhere. */
    frame(f, 1, 7);
    nswitch_input(&sw, p[2], f, 64, 0);
    assert_int_equal(sw.dropped, 2);
    /* A port removed: its addresses forgotten, traffic to them flooded. */
    nswitch_del_port(&sw, p[1]);
    frame(f, 0, 0);
    f[5] = 2;
    assert_int_equal(nswitch_lookup(&sw, f), -1);
    assert_int_equal(nswitch_add_port(&sw, port_out, &log[1]), p[1]);
}

static void test_switch_table_full(void **state)
{
    static struct nswitch sw;
    struct port_log a = {0}, b = {0};
    uint8_t f[64];
    int pa, pb;

    (void)state;
    nswitch_init(&sw);
    pa = nswitch_add_port(&sw, port_out, &a);
    pb = nswitch_add_port(&sw, port_out, &b);
    /* NSWITCH_FDB + 1 sources: the first learnt is forgotten. */
    for (unsigned int i = 0; i <= NSWITCH_FDB; i++) {
        frame(f, 0, 0);
        f[10] = (uint8_t)(i >> 8);
        f[11] = (uint8_t)i;
        nswitch_input(&sw, i == 0 ? pb : pa, f, 64, 0);
    }
    frame(f, 0, 0);
    assert_int_equal(nswitch_lookup(&sw, f + 6), -1); /* source 0, oldest */
    f[11] = 1;
    assert_int_equal(nswitch_lookup(&sw, f + 6), pa);
    /* Every port taken. */
    for (int i = 2; i < NSWITCH_PORTS; i++)
        assert_int_equal(nswitch_add_port(&sw, port_out, &a), i);
    assert_int_equal(nswitch_add_port(&sw, port_out, &a), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
        T(test_tx_one_slot),
        T(test_tx_several_slots),
        T(test_tx_incomplete_waits),
        T(test_tx_extra_info),
        T(test_tx_drops),
        T(test_tx_broken),
        T(test_rx),
        cmocka_unit_test(test_switch),
        cmocka_unit_test(test_switch_table_full),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
