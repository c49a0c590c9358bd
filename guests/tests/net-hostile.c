/* SPDX-License-Identifier: MIT */
/*
 * A hostile network frontend: it connects its vif as netfront does, then
 * writes what a buggy or malicious frontend could into its transmit ring,
 * and checks what pvisor-netback does about it (as Linux's xen-netback
 * does: drivers/net/xen-netback/netback.c, xenvif_tx_build_gops and
 * xenvif_count_requests):
 *
 *   - a request whose grant reference is not a grant, and a packet whose
 *     fragment is larger than what its first request says is left: each
 *     packet is dropped, its requests answered NETIF_RSP_ERROR, and the
 *     vif stays connected;
 *   - then, by attack=... on the command line, one thing that breaks the
 *     ring: `slots` a packet of more slots than XEN_NETIF_NR_SLOTS_MIN,
 *     `prod` a producer index more than a ring ahead, `cross` a fragment
 *     crossing the end of its page, `extra` an extra-info slot of an
 *     unknown type.  The backend must disconnect the vif: its state
 *     Closing or Closed and an "error" node saying why.
 * TAP on the console; powers off at the end.
 */
#include "events.h"
#include "gnttab.h"
#include "hypercall.h"
#include "netfront.h"
#include "tap.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>

#define SECOND NSEC_PER_SEC

static struct netfront nf;

static void push(void)
{
    RING_PUSH_REQUESTS(&nf.tx);
    evtchn_send(nf.port);
}

/* Waits for n more transmit responses; their statuses into st[]. */
static unsigned int responses(unsigned int n, int16_t *st)
{
    uint64_t end = time_now_ns() + 2 * SECOND;
    unsigned int got = 0;

    while (got < n && time_now_ns() < end) {
        RING_IDX prod = READ_ONCE(nf.tx.sring->rsp_prod);

        rmb();
        while (nf.tx.rsp_cons != prod && got < n) {
            st[got++] = RING_GET_RESPONSE(&nf.tx, nf.tx.rsp_cons)->status;
            nf.tx.rsp_cons++;
        }
        if (got < n)
            timer_sleep_ns(5 * NSEC_PER_MSEC);
    }
    return got;
}

static struct netif_tx_request *next_req(void)
{
    return RING_GET_REQUEST(&nf.tx, nf.tx.req_prod_pvt++);
}

static int backend_state(void)
{
    char v[8];

    if (xenbus_dev_read_backend(&nf.dev, "state", v, sizeof(v)) != 1)
        return 0;
    return v[0] - '0';
}

int guest_main(void)
{
    char attack[16], err[200];
    int16_t st[4];
    struct netif_tx_request *r;
    uint64_t end;
    int s;
    long rc;

    guest_init_basic();
    rc = timer_init();
    tap_eq(rc, 0, "VIRQ_TIMER bound");
    local_events_enable();
    rc = xenbus_init();
    tap_eq(rc, 0, "xenstore ring");
    rc = netfront_init(&nf, 0, 10 * SECOND);
    if (!tap_eq(rc, 0, "vif 0 connected"))
        tap_done();
    if (!cmdline_value("attack", attack, sizeof(attack)))
        snprintf(attack, sizeof(attack), "slots");

    /* 1. A grant reference that is no grant: dropped, an error. */
    r = next_req();
    *r = (struct netif_tx_request){
        .gref = 0xfffff, .offset = 0, .flags = 0, .id = 0, .size = 60};
    push();
    tap_eq(responses(1, st), 1, "a request with a bad grant is answered");
    tap_eq(st[0], NETIF_RSP_ERROR, "... with NETIF_RSP_ERROR");

    /* 2. A fragment larger than what the first request leaves. */
    r = next_req();
    *r = (struct netif_tx_request){.gref = nf.tx_gref[0], .offset = 0,
                                   .flags = NETTXF_more_data, .id = 0,
                                   .size = 100};
    r = next_req();
    *r = (struct netif_tx_request){.gref = nf.tx_gref[1], .offset = 0,
                                   .flags = 0, .id = 1, .size = 200};
    push();
    tap_eq(responses(2, st), 2, "an oversized fragment's packet is answered");
    tap_ok(st[0] == NETIF_RSP_ERROR && st[1] == NETIF_RSP_ERROR,
           "... NETIF_RSP_ERROR for both its requests (%d, %d)", st[0],
           st[1]);
    timer_sleep_ns(100 * NSEC_PER_MSEC);
    tap_eq(backend_state(), XenbusStateConnected,
           "the vif is still connected after dropped packets");

    /* 3. Something that breaks the ring. */
    if (!strcmp(attack, "prod")) {
        nf.tx.sring->req_prod = nf.tx.req_prod_pvt + 1000;
        wmb();
        evtchn_send(nf.port);
    } else if (!strcmp(attack, "cross")) {
        r = next_req();
        *r = (struct netif_tx_request){.gref = nf.tx_gref[0], .offset = 0,
                                       .flags = NETTXF_more_data, .id = 0,
                                       .size = 300};
        r = next_req();
        *r = (struct netif_tx_request){.gref = nf.tx_gref[1], .offset = 4000,
                                       .flags = 0, .id = 1, .size = 200};
        push();
    } else if (!strcmp(attack, "extra")) {
        struct netif_extra_info *x;

        r = next_req();
        *r = (struct netif_tx_request){.gref = nf.tx_gref[0], .offset = 0,
                                       .flags = NETTXF_extra_info, .id = 0,
                                       .size = 60};
        x = (struct netif_extra_info *)next_req();
        memset(x, 0, sizeof(*x));
        x->type = 7; /* beyond XEN_NETIF_EXTRA_TYPE_MAX */
        push();
    } else {
        snprintf(attack, sizeof(attack), "slots");
        for (unsigned int i = 0; i < XEN_NETIF_NR_SLOTS_MIN + 2; i++) {
            r = next_req();
            *r = (struct netif_tx_request){
                .gref = nf.tx_gref[i % NETFRONT_TX_BUFS],
                .offset = 0,
                .flags = NETTXF_more_data,
                .id = (uint16_t)i,
                .size = (uint16_t)(i == 0 ? 100 * (XEN_NETIF_NR_SLOTS_MIN + 2)
                                          : 100)};
        }
        push();
    }
    tap_diag("attack %s sent", attack);
    end = time_now_ns() + 5 * SECOND;
    while ((s = backend_state()) == XenbusStateConnected && time_now_ns() < end)
        timer_sleep_ns(20 * NSEC_PER_MSEC);
    tap_ok(s == XenbusStateClosing || s == XenbusStateClosed,
           "attack %s: the backend disconnects the vif (state %d)", attack, s);
    rc = xenbus_dev_read_backend(&nf.dev, "error", err, sizeof(err));
    tap_ok(rc > 0 && !strncmp(err, "netback: ", 9),
           "... and says why in its error node: \"%s\"", rc > 0 ? err : "");
    tap_done();
}
