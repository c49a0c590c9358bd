/* SPDX-License-Identifier: MIT */
/*
 * The network backend's core: a vif's transmit and receive rings (see
 * netback.h).
 */
#include "netback.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void netback_init(struct netback *nb, netif_tx_sring_t *tx, netif_rx_sring_t *rx,
                  const struct netback_ops *ops, void *opaque)
{
    memset(nb, 0, offsetof(struct netback, pkt));
    BACK_RING_ATTACH(&nb->tx, tx, tx->rsp_prod, NETBACK_PAGE);
    BACK_RING_ATTACH(&nb->rx, rx, rx->rsp_prod, NETBACK_PAGE);
    nb->ops = ops;
    nb->opaque = opaque;
}

static int broken(struct netback *nb, const char *fmt, unsigned int a, unsigned int b)
{
    snprintf(nb->why, sizeof(nb->why), fmt, a, b);
    nb->broken = true;
    return -1;
}

static void tx_respond(struct netback *nb, uint16_t id, int16_t status)
{
    struct netif_tx_response *rsp = RING_GET_RESPONSE(&nb->tx, nb->tx.rsp_prod_pvt);

    rsp->id = id;
    rsp->status = status;
    nb->tx.rsp_prod_pvt++;
}

/* The slots of one packet, copied out of the ring. */
struct tx_slot {
    struct netif_tx_request req; /* or, for an extra, its id only */
    bool extra;
};

/*
 * Reads the packet starting at req_cons into s[] without consuming it.
 * Returns the number of slots, 0 if the guest has not queued all of it
 * yet, or -1 for a broken ring.  *drop is set when the packet is to be
 * dropped (answered NETIF_RSP_ERROR) rather than delivered.
 */
static int tx_gather(struct netback *nb, RING_IDX prod, struct tx_slot *s, bool *drop)
{
    RING_IDX i = nb->tx.req_cons;
    unsigned int n = 0;
    uint32_t left = 0;
    bool more = true, extra = false;

    *drop = false;
    while (more || extra) {
        struct netif_tx_request r;

        if (i == prod)
            return 0; /* the rest is not queued yet */
        if (n == NETBACK_MAX_SLOTS)
            return broken(nb, "a packet of more than %u slots (at %u)",
                          NETBACK_MAX_SLOTS, nb->tx.req_cons);
        RING_COPY_REQUEST(&nb->tx, i, &r);
        i++;
        if (extra) {
            /* An extra-info slot: its type decides. */
            const struct netif_extra_info *x = (const void *)&r;

            s[n].req.id = 0;
            s[n].extra = true;
            n++;
            if (x->type == XEN_NETIF_EXTRA_TYPE_NONE || x->type >= XEN_NETIF_EXTRA_TYPE_MAX)
                return broken(nb, "an extra-info slot of type %u (at %u)", x->type, i - 1);
            if (x->type == XEN_NETIF_EXTRA_TYPE_GSO)
                *drop = true; /* GSO is not offered */
            extra = (x->flags & XEN_NETIF_EXTRA_FLAG_MORE) != 0;
            continue;
        }
        s[n].req = r;
        s[n].extra = false;
        n++;
        /* The first slot's size is the packet's: checked once known. */
        if (n > 1 && (uint32_t)r.offset + r.size > NETBACK_PAGE)
            return broken(nb, "a slot crossing its page (offset %u, size %u)", r.offset,
                          r.size);
        if (n == 1) {
            left = r.size; /* the whole packet's size */
        } else if (r.size > left) {
            *drop = true;  /* a fragment larger than what is left */
            left = 0;
        } else {
            left -= r.size;
        }
        more = (r.flags & NETTXF_more_data) != 0;
        extra = (r.flags & NETTXF_extra_info) != 0;
    }
    return (int)n;
}

int netback_tx_poll(struct netback *nb, bool *notify)
{
    netif_tx_back_ring_t *r = &nb->tx;
    struct tx_slot s[NETBACK_MAX_SLOTS];
    struct netback_copy c[NETBACK_MAX_SLOTS];
    int taken = 0, more;

    *notify = false;
    nb->tx_more = false;
    if (nb->broken)
        return -1;
    do {
        RING_IDX prod = __atomic_load_n(&r->sring->req_prod, __ATOMIC_ACQUIRE);

        if (RING_REQUEST_PROD_OVERFLOW(r, prod))
            return broken(nb, "transmit producer %u more than a ring ahead of %u", prod,
                          r->rsp_prod_pvt);
        for (;;) {
            bool drop, n_;
            int n;
            unsigned int nc = 0, i;
            uint32_t first_len = 0, frags = 0, len = 0;
            uint16_t flags = 0;

            if (taken == NETBACK_TX_BUDGET) {
                nb->tx_more = true;
                return taken;
            }
            n = tx_gather(nb, prod, s, &drop);
            if (n < 0)
                return -1;
            if (n == 0 && r->req_cons != prod) {
                /* Part of a packet: wake up when the guest adds to it. */
                r->sring->req_event = prod + 1;
                xen_mb();
                if (__atomic_load_n(&r->sring->req_prod, __ATOMIC_ACQUIRE) != prod)
                    break; /* it did meanwhile: look again */
                return taken;
            }
            if (n == 0)
                break;
            r->req_cons += (RING_IDX)n;
            taken++;
            /* The first slot holds what the fragments leave of the size. */
            for (i = 1; i < (unsigned int)n; i++)
                if (!s[i].extra)
                    frags += s[i].req.size;
            if (!drop && frags > s[0].req.size)
                drop = true;
            if (!drop) {
                first_len = s[0].req.size - frags;
                len = s[0].req.size;
                if (s[0].req.offset + first_len > NETBACK_PAGE)
                    return broken(nb, "a first slot crossing its page (offset %u, "
                                  "size %u)", s[0].req.offset, first_len);
                if (len < NETBACK_ETH_HLEN)
                    drop = true;
            }
            if (!drop) {
                size_t at = 0;

                for (i = 0; i < (unsigned int)n; i++) {
                    uint16_t sz = i == 0 ? (uint16_t)first_len : s[i].req.size;

                    if (s[i].extra || sz == 0)
                        continue;
                    c[nc++] = (struct netback_copy){
                        .gref = s[i].req.gref,
                        .offset = s[i].req.offset,
                        .len = sz,
                        .local = nb->pkt + at,
                        .to_guest = false,
                        .status = GNTST_general_error,
                    };
                    at += sz;
                }
                if (nb->ops->copy(nb->opaque, c, nc) < 0)
                    drop = true;
                for (i = 0; i < nc && !drop; i++)
                    if (c[i].status != GNTST_okay)
                        drop = true;
            }
            flags = s[0].req.flags & (NETTXF_csum_blank | NETTXF_data_validated);
            for (i = 0; i < (unsigned int)n; i++)
                tx_respond(nb, s[i].req.id,
                           s[i].extra ? NETIF_RSP_NULL
                                      : (drop ? NETIF_RSP_ERROR : NETIF_RSP_OKAY));
            RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, n_);
            *notify |= n_;
            if (drop) {
                nb->stats.tx_dropped++;
                continue;
            }
            nb->stats.tx_packets++;
            nb->stats.tx_bytes += len;
            nb->ops->deliver(nb->opaque, nb->pkt, len, flags);
        }
        RING_FINAL_CHECK_FOR_REQUESTS(r, more);
    } while (more);
    return taken;
}

unsigned int netback_rx_posted(const struct netback *nb)
{
    RING_IDX prod = __atomic_load_n(&nb->rx.sring->req_prod, __ATOMIC_ACQUIRE);
    RING_IDX n = prod - nb->rx.req_cons;

    /* A producer off the ring counts as nothing posted. */
    return RING_REQUEST_PROD_OVERFLOW(&nb->rx, prod) ? 0 : n;
}

int netback_rx_put(struct netback *nb, const uint8_t *pkt, size_t len, uint16_t flags,
                   bool *notify)
{
    netif_rx_back_ring_t *r = &nb->rx;
    struct netback_copy c[NETBACK_MAX_SLOTS];
    struct netif_rx_request req[NETBACK_MAX_SLOTS];
    unsigned int slots, i;
    RING_IDX prod;
    bool failed = false, n_;

    *notify = false;
    if (nb->broken)
        return -EPIPE;
    if (len == 0 || len > NETBACK_MAX_PKT)
        return -EMSGSIZE;
    slots = (unsigned int)((len + NETBACK_PAGE - 1) / NETBACK_PAGE);
    prod = __atomic_load_n(&r->sring->req_prod, __ATOMIC_ACQUIRE);
    if (RING_REQUEST_PROD_OVERFLOW(r, prod)) {
        broken(nb, "receive producer %u more than a ring ahead of %u", prod,
               r->rsp_prod_pvt);
        return -EPIPE;
    }
    if (prod - r->req_cons < slots) {
        /* Ask for an event when enough are posted. */
        r->sring->req_event = r->req_cons + slots;
        nb->stats.rx_no_buffer++;
        return -EAGAIN;
    }
    for (i = 0; i < slots; i++) {
        size_t off = (size_t)i * NETBACK_PAGE;

        RING_COPY_REQUEST(r, r->req_cons + i, &req[i]);
        c[i] = (struct netback_copy){
            .gref = req[i].gref,
            .offset = 0,
            .len = (uint16_t)(len - off < NETBACK_PAGE ? len - off : NETBACK_PAGE),
            .local = (void *)(pkt + off),
            .to_guest = true,
            .status = GNTST_general_error,
        };
    }
    r->req_cons += slots;
    if (nb->ops->copy(nb->opaque, c, slots) < 0)
        failed = true;
    for (i = 0; i < slots && !failed; i++)
        if (c[i].status != GNTST_okay)
            failed = true;
    for (i = 0; i < slots; i++) {
        struct netif_rx_response *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);

        rsp->id = req[i].id;
        rsp->offset = 0;
        rsp->flags = 0;
        if (i + 1 < slots)
            rsp->flags |= NETRXF_more_data;
        if (i == 0 && (flags & NETTXF_csum_blank))
            rsp->flags |= NETRXF_csum_blank | NETRXF_data_validated;
        else if (i == 0 && (flags & NETTXF_data_validated))
            rsp->flags |= NETRXF_data_validated;
        rsp->status = failed ? NETIF_RSP_ERROR : (int16_t)c[i].len;
        r->rsp_prod_pvt++;
    }
    RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, n_);
    *notify = n_;
    if (failed) {
        nb->stats.rx_errors++;
        return -EIO;
    }
    nb->stats.rx_packets++;
    nb->stats.rx_bytes += len;
    return 0;
}
