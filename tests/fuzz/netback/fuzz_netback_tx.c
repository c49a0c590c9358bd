/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the network backend's transmit ring consumer
 * (drivers/net/back/netback.c) against a ring a hostile frontend wrote:
 * any chain of slots, sizes, offsets, flags, extra-info slots and grants,
 * and any producer index.  Then a receive ring with the input's posted
 * buffers takes the packets delivered.
 *
 * Beyond memory safety it checks: one response per consumed slot, none
 * more; every status OKAY, ERROR or NULL; a delivered packet is at least
 * an Ethernet header and at most 64 KiB; the backend stops at a packet
 * the guest has not finished queueing, and declares the ring broken only
 * with a reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../drivers/net/back/netback.h"

#define NR_GREFS 4

static uint8_t gpages[NR_GREFS][NETBACK_PAGE];
static struct netback *nb;
static size_t delivered_bytes;

static void fail(const char *what)
{
    fprintf(stderr, "invariant broken: %s\n", what);
    abort();
}

static int model_copy(void *opaque, struct netback_copy *c, unsigned int n)
{
    (void)opaque;
    for (unsigned int i = 0; i < n; i++) {
        if (c[i].gref >= NR_GREFS) {
            c[i].status = GNTST_bad_gntref;
        } else if ((unsigned int)c[i].offset + c[i].len > NETBACK_PAGE) {
            fail("the backend asks for a copy past a page");
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

static void model_deliver(void *opaque, const uint8_t *pkt, size_t len, uint16_t flags)
{
    bool notify;

    (void)opaque;
    (void)flags;
    if (len < NETBACK_ETH_HLEN || len > NETBACK_MAX_PKT)
        fail("a delivered packet is 14 bytes to 64 KiB");
    delivered_bytes += len;
    /* Loop it back to the guest's receive ring. */
    (void)netback_rx_put(nb, pkt, len, flags, &notify);
}

static const struct netback_ops ops = {.copy = model_copy, .deliver = model_deliver};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static netif_tx_sring_t *tx;
    static netif_rx_sring_t *rx;
    RING_IDX start, prod, rxn;
    unsigned int nslots;
    bool notify;
    int taken;

    if (!tx) {
        tx = aligned_alloc(NETBACK_PAGE, NETBACK_PAGE);
        rx = aligned_alloc(NETBACK_PAGE, NETBACK_PAGE);
        nb = malloc(sizeof(*nb));
        if (!tx || !rx || !nb)
            abort();
    }
    if (size < 12)
        return 0;
    memset(tx, 0, NETBACK_PAGE);
    memset(rx, 0, NETBACK_PAGE);
    SHARED_RING_INIT(tx);
    SHARED_RING_INIT(rx);
    memcpy(&start, data, 4);
    memcpy(&prod, data + 4, 4);
    memcpy(&rxn, data + 8, 4);
    data += 12;
    size -= 12;
    tx->rsp_prod = start;
    tx->req_event = tx->rsp_event = start + 1;
    rx->rsp_prod = rx->req_prod = start;
    rx->req_event = rx->rsp_event = start + 1;
    netback_init(nb, tx, rx, &ops, NULL);
    nslots = RING_SIZE(&nb->tx);
    for (unsigned int i = 0; i < nslots; i++) {
        struct netif_tx_request *r = RING_GET_REQUEST(&nb->tx, start + i);
        size_t n = size < sizeof(*r) ? size : sizeof(*r);

        memset(r, 0, sizeof(*r));
        memcpy(r, data, n);
        data += n;
        size -= n;
    }
    /* Receive buffers: some posted, grants 0-3 or bad. */
    rxn %= RING_SIZE(&nb->rx) + 1;
    for (RING_IDX i = 0; i < rxn; i++) {
        struct netif_rx_request *r = RING_GET_REQUEST(&nb->rx, start + i);

        r->id = (uint16_t)i;
        r->gref = i % (NR_GREFS + 1);
    }
    rx->req_prod = start + rxn;
    tx->req_prod = prod & 0x100 ? prod : start + (prod & 0xff) % (nslots + 3);

    delivered_bytes = 0;
    taken = netback_tx_poll(nb, &notify);
    if (taken < 0) {
        if (!nb->why[0])
            fail("a broken ring says why");
        return 0;
    }
    if (nb->tx.rsp_prod_pvt != nb->tx.req_cons)
        fail("one response per consumed slot");
    if (nb->tx.req_cons - start > tx->req_prod - start)
        fail("no slot past the producer is consumed");
    for (RING_IDX i = start; i != nb->tx.rsp_prod_pvt; i++) {
        int16_t st = RING_GET_RESPONSE(&nb->tx, i)->status;

        if (st != NETIF_RSP_OKAY && st != NETIF_RSP_ERROR && st != NETIF_RSP_NULL)
            fail("a transmit status is OKAY, ERROR or NULL");
    }
    if (nb->stats.tx_bytes != delivered_bytes)
        fail("the byte count is what was delivered");
    return 0;
}
