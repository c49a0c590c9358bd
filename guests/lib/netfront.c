/* SPDX-License-Identifier: MIT */
/* netfront: the guest's side of a virtual network interface (netfront.h). */
#include "netfront.h"
#include "events.h"
#include "gnttab.h"
#include "hypercall.h"
#include "mm.h"
#include "xenbus.h"

#include "../../drivers/common/xenbus_sm.h"

#include <xen/errno.h>

static void on_event(evtchn_port_t port, void *arg)
{
    struct netfront *nf = arg;

    (void)port;
    nf->events++;
    nf->stats.events++;
}

bool netfront_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        unsigned int v = 0;

        for (int j = 0; j < 2; j++, s++) {
            char c = *s;

            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= (unsigned int)(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= (unsigned int)(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= (unsigned int)(c - 'A' + 10);
            else
                return false;
        }
        mac[i] = (uint8_t)v;
        if (*s != (i == 5 ? '\0' : ':'))
            return false;
        if (i < 5)
            s++;
    }
    return true;
}

static long grant_page(unsigned int backend, unsigned long va, bool ro,
                       grant_ref_t *ref)
{
    long r = gnttab_grant_access((domid_t)backend, virt_to_mfn(va), ro);

    if (r < 0)
        return -XEN_ENOSPC;
    *ref = (grant_ref_t)r;
    return 0;
}

static void post_rx(struct netfront *nf, uint16_t id)
{
    struct netif_rx_request *req =
        RING_GET_REQUEST(&nf->rx, nf->rx.req_prod_pvt);

    req->id = id;
    req->gref = nf->rx_gref[id];
    nf->rx.req_prod_pvt++;
}

/*
 * Ends the grants publish() made (nr_granted of them, in its order: the
 * two rings, the transmit buffers, the receive buffers).  The backend may
 * still have the rings mapped (it is Closing, not yet Closed): those ends
 * wait until it has unmapped them (gnttab_end_access_deferred), so no
 * grant outlives its connection, as in Linux's xennet_disconnect_backend.
 */
static void end_grants(struct netfront *nf)
{
    unsigned int n = nf->nr_granted;

    for (unsigned int i = 0; i < n; i++) {
        grant_ref_t ref = i == 0   ? nf->tx_ring_ref
                          : i == 1 ? nf->rx_ring_ref
                          : i < 2 + NETFRONT_TX_BUFS
                              ? nf->tx_gref[i - 2]
                              : nf->rx_gref[i - 2 - NETFRONT_TX_BUFS];

        gnttab_end_access_deferred(ref);
    }
    nf->nr_granted = 0;
}

/* The rings, buffers and event channel; then the nodes the backend reads. */
static long publish(struct xenbus_dev *dev, void *arg)
{
    struct netfront *nf = arg;
    unsigned int be = dev->backend_id;
    netif_tx_sring_t *txs;
    netif_rx_sring_t *rxs;
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF,
                                      .remote_dom = (domid_t)be};
    char v[16];
    long rc;

    if (xenbus_dev_read_backend(dev, "feature-rx-copy", v, sizeof(v)) < 0 ||
        strcmp(v, "1")) {
        printf("netfront: vif %u: backend does not offer feature-rx-copy\n",
               nf->devid);
        return -XEN_EOPNOTSUPP;
    }
    txs = (netif_tx_sring_t *)nf->tx_ring_page;
    rxs = (netif_rx_sring_t *)nf->rx_ring_page;
    SHARED_RING_INIT(txs);
    SHARED_RING_INIT(rxs);
    FRONT_RING_INIT(&nf->tx, txs, PAGE_SIZE);
    FRONT_RING_INIT(&nf->rx, rxs, PAGE_SIZE);
    end_grants(nf); /* a connection before this one */
    rc = grant_page(be, (unsigned long)txs, false, &nf->tx_ring_ref);
    nf->nr_granted = !rc;
    rc = rc ?: grant_page(be, (unsigned long)rxs, false, &nf->rx_ring_ref);
    nf->nr_granted += !rc;
    nf->tx_nfree = 0;
    for (unsigned int i = 0; !rc && i < NETFRONT_TX_BUFS; i++) {
        rc = grant_page(be, (unsigned long)nf->tx_buf[i], true,
                        &nf->tx_gref[i]);
        nf->nr_granted += !rc;
        nf->tx_free[nf->tx_nfree++] = (uint16_t)i;
    }
    for (unsigned int i = 0; !rc && i < NETFRONT_RX_BUFS; i++) {
        rc = grant_page(be, (unsigned long)nf->rx_buf[i], false,
                        &nf->rx_gref[i]);
        nf->nr_granted += !rc;
        if (!rc)
            post_rx(nf, (uint16_t)i);
    }
    if (rc) {
        end_grants(nf);
        return rc;
    }
    RING_PUSH_REQUESTS(&nf->rx);
    rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    if (rc)
        return rc;
    nf->port = au.port;
    evtchn_set_handler(nf->port, on_event, nf);
    evtchn_unmask(nf->port);

#define PUB(key, fmt, val)                                                     \
    do {                                                                       \
        snprintf(v, sizeof(v), fmt, val);                                      \
        if (!rc)                                                               \
            rc = xenbus_dev_write(dev, key, v);                                \
    } while (0)
    PUB("tx-ring-ref", "%u", nf->tx_ring_ref);
    PUB("rx-ring-ref", "%u", nf->rx_ring_ref);
    PUB("event-channel", "%u", nf->port);
    PUB("request-rx-copy", "%u", 1u);
    PUB("feature-rx-notify", "%u", 1u);
    PUB("feature-sg", "%u", 1u);
#undef PUB
    return rc;
}

long netfront_init(struct netfront *nf, unsigned int devid,
                   uint64_t timeout_ns)
{
    char path[64], mac[32];
    long rc;

    memset(&nf->dev, 0, offsetof(struct netfront, rx_frame) -
                            offsetof(struct netfront, dev));
    memset(nf->tx_ring_page, 0, sizeof(nf->tx_ring_page));
    memset(nf->rx_ring_page, 0, sizeof(nf->rx_ring_page));
    nf->devid = devid;
    rc = gnttab_init(1);
    if (rc)
        return rc;
    snprintf(path, sizeof(path), "device/vif/%u/mac", devid);
    rc = xenbus_read(path, mac, sizeof(mac));
    if (rc < 0)
        return rc;
    if (!netfront_parse_mac(mac, nf->mac)) {
        printf("netfront: vif %u: bad mac \"%s\"\n", devid, mac);
        return -XEN_EINVAL;
    }
    rc = xenbus_dev_init(&nf->dev, "vif", devid);
    if (rc)
        return rc;
    rc = xenbus_dev_connect(&nf->dev, publish, nf, timeout_ns);
    if (rc) {
        end_grants(nf);
        return rc;
    }
    nf->connected = true;
    return 0;
}

static void notify(struct netfront *nf)
{
    evtchn_send(nf->port);
}

/* Takes the transmit responses: their buffers are free again. */
static void tx_reap(struct netfront *nf)
{
    RING_IDX prod, i;
    int more;

    do {
        prod = READ_ONCE(nf->tx.sring->rsp_prod);
        rmb();
        for (i = nf->tx.rsp_cons; i != prod; i++) {
            struct netif_tx_response *rsp = RING_GET_RESPONSE(&nf->tx, i);

            if (rsp->status == NETIF_RSP_NULL)
                continue;
            if (rsp->status != NETIF_RSP_OKAY)
                nf->stats.tx_errors++;
            if (rsp->id < NETFRONT_TX_BUFS && nf->tx_nfree < NETFRONT_TX_BUFS)
                nf->tx_free[nf->tx_nfree++] = rsp->id;
        }
        nf->tx.rsp_cons = prod;
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->tx, more);
    } while (more);
}

long netfront_send(struct netfront *nf, const void *frame, size_t len,
                   unsigned int flags)
{
    const uint8_t *p = frame;
    unsigned int slots = (unsigned int)((len + PAGE_SIZE - 1) / PAGE_SIZE);
    bool n;

    if (!nf->connected)
        return -XEN_ENOTCONN;
    if (len < 14 || len > NETFRONT_MAX_FRAME)
        return -XEN_EINVAL;
    tx_reap(nf);
    if (slots > nf->tx_nfree ||
        slots > RING_SIZE(&nf->tx) - (nf->tx.req_prod_pvt - nf->tx.rsp_cons)) {
        nf->stats.tx_busy++;
        return -XEN_EAGAIN;
    }
    for (unsigned int s = 0; s < slots; s++) {
        size_t off = (size_t)s * PAGE_SIZE;
        size_t chunk = MIN(len - off, (size_t)PAGE_SIZE);
        uint16_t id = nf->tx_free[--nf->tx_nfree];
        struct netif_tx_request *req =
            RING_GET_REQUEST(&nf->tx, nf->tx.req_prod_pvt);

        memcpy(nf->tx_buf[id], p + off, chunk);
        req->gref = nf->tx_gref[id];
        req->offset = 0;
        req->id = id;
        req->flags = 0;
        if (s + 1 < slots)
            req->flags |= NETTXF_more_data;
        if (s == 0) {
            if (flags & NETF_CSUM_BLANK)
                req->flags |= NETTXF_csum_blank;
            if (flags & NETF_DATA_VALIDATED)
                req->flags |= NETTXF_data_validated;
        }
        /* The first request carries the whole frame's size. */
        req->size = (uint16_t)(s == 0 ? len : chunk);
        nf->tx.req_prod_pvt++;
        nf->stats.tx_slots++;
    }
    nf->stats.tx_frames++;
    RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->tx, n);
    if (n)
        notify(nf);
    return 0;
}

bool netfront_work(const struct netfront *nf)
{
    if (!nf->connected)
        return false;
    return READ_ONCE(nf->rx.sring->rsp_prod) != nf->rx.rsp_cons ||
           READ_ONCE(nf->tx.sring->rsp_prod) != nf->tx.rsp_cons;
}

int netfront_poll(struct netfront *nf, netfront_rx_fn fn, void *arg)
{
    int frames = 0, more;
    bool n, posted = false;

    if (!nf->connected)
        return 0;
    tx_reap(nf);
    do {
        RING_IDX prod = READ_ONCE(nf->rx.sring->rsp_prod), i;

        rmb();
        for (i = nf->rx.rsp_cons; i != prod; i++) {
            struct netif_rx_response *rsp = RING_GET_RESPONSE(&nf->rx, i);
            uint16_t id = rsp->id;
            bool last = !(rsp->flags & NETRXF_more_data);

            nf->stats.rx_slots++;
            if (id >= NETFRONT_RX_BUFS) {
                /* Not a buffer of ours: nothing to repost. */
                nf->rx_bad = true;
                continue;
            }
            if (nf->rx_len == 0 && !nf->rx_bad)
                nf->rx_flags =
                    ((rsp->flags & NETRXF_csum_blank) ? NETF_CSUM_BLANK : 0) |
                    ((rsp->flags & NETRXF_data_validated) ? NETF_DATA_VALIDATED
                                                          : 0);
            if (rsp->status < 0 || (size_t)rsp->offset + (size_t)rsp->status > PAGE_SIZE ||
                nf->rx_len + (size_t)rsp->status > NETFRONT_MAX_FRAME ||
                (rsp->flags & NETRXF_extra_info)) {
                /* Extra-info slots are never asked for: treat as bad. */
                nf->rx_bad = true;
            } else if (!nf->rx_bad) {
                memcpy(nf->rx_frame + nf->rx_len,
                       nf->rx_buf[id] + rsp->offset,
                       (size_t)rsp->status);
                nf->rx_len += (size_t)rsp->status;
            }
            post_rx(nf, id);
            posted = true;
            if (last) {
                if (nf->rx_bad || nf->rx_len == 0) {
                    nf->stats.rx_errors++;
                } else {
                    nf->stats.rx_frames++;
                    frames++;
                    if (fn)
                        fn(arg, nf->rx_frame, nf->rx_len, nf->rx_flags);
                }
                nf->rx_len = 0;
                nf->rx_bad = false;
            }
            if (!nf->connected)
                return frames; /* fn closed the device */
        }
        nf->rx.rsp_cons = prod;
        RING_FINAL_CHECK_FOR_RESPONSES(&nf->rx, more);
    } while (more);
    if (posted) {
        RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&nf->rx, n);
        if (n)
            notify(nf);
    }
    return frames;
}

/* Stops using the rings; the grants end once the backend lets go. */
static void teardown(struct netfront *nf)
{
    if (!nf->connected)
        return;
    nf->connected = false;
    evtchn_mask(nf->port);
    evtchn_set_handler(nf->port, NULL, NULL);
    evtchn_close(nf->port);
    end_grants(nf);
}

bool netfront_backend_changed(struct netfront *nf)
{
    char v[8];
    long n = xenbus_dev_read_backend(&nf->dev, "state", v, sizeof(v));
    enum xenbus_state be =
        n < 0 ? XenbusStateUnknown : xb_parse_state(v, (size_t)n);
    struct xb_step s;

    nf->dev.backend_state = be;
    s = xb_frontend_step(nf->dev.state, be);
    if (s.action == XB_ACT_DISCONNECT || s.gone ||
        s.next == XenbusStateClosed) {
        char path[160];

        teardown(nf);
        if (!s.gone)
            xenbus_dev_switch_state(&nf->dev, s.next);
        /* Done with this backend: a new connection watches anew. */
        snprintf(path, sizeof(path), "%s/state", nf->dev.backend);
        xenbus_unwatch(path, nf->dev.token);
        return false;
    }
    if (s.next != nf->dev.state)
        xenbus_dev_switch_state(&nf->dev, s.next);
    return nf->connected;
}

long netfront_close(struct netfront *nf, uint64_t timeout_ns)
{
    long rc = xenbus_dev_close(&nf->dev, timeout_ns);

    teardown(nf);
    return rc;
}
