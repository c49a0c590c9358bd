/* SPDX-License-Identifier: MIT */
/*
 * The network backend's core: one vif's transmit and receive rings
 * (xen/io/netif.h) with the copying done by the caller's copy operation
 * (grant copy on pvisor: `feature-rx-copy`), and the L2 switch between
 * vifs and an optional uplink (switch.c).
 *
 * Transmit (guest to backend): a packet is a chain of requests, the first
 * carrying the whole packet's size and each further one (NETTXF_more_data
 * on the one before) a fragment's; NETTXF_extra_info puts an extra-info
 * slot after a request.  Checked as Linux's xen-netback checks them: a
 * fragment larger than what is left of the packet, a packet shorter than
 * an Ethernet header or a GSO extra (not offered) makes the packet
 * dropped, every slot answered NETIF_RSP_ERROR; a chain of more than
 * NETBACK_MAX_SLOTS slots, a slot crossing its page, an unknown extra
 * type or a producer index off the ring break the ring, and the daemon
 * disconnects that vif.  Extra-info slots are answered NETIF_RSP_NULL.
 *
 * Receive (backend to guest): the guest posts empty granted pages; a
 * packet goes into as many as it needs (NETRXF_more_data on all but the
 * last), each answered with its length, or waits if too few are posted.
 */
#ifndef NETBACK_H
#define NETBACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <xen/grant_table.h>

#ifndef xen_mb
#define xen_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif
#include <xen/io/netif.h>

#define NETBACK_PAGE      4096u
#define NETBACK_ETH_HLEN  14u
/* The most slots one packet may take: Linux's XEN_NETBK_LEGACY_SLOTS_MAX. */
#define NETBACK_MAX_SLOTS XEN_NETIF_NR_SLOTS_MIN
#define NETBACK_MAX_PKT   0xffffu
/* Packets one netback_tx_poll() takes before it lets others run. */
#define NETBACK_TX_BUDGET 64

/* One piece of a granted frame and its place in dom0 (as blkback's). */
struct netback_copy {
    grant_ref_t gref;
    uint16_t offset;
    uint16_t len;
    void *local;
    bool to_guest;
    int16_t status; /* GNTST_* */
};

struct netback_ops {
    /* Copies n pieces in one go; 0, or -errno if nothing was copied. */
    int (*copy)(void *opaque, struct netback_copy *c, unsigned int n);
    /* A packet the guest sent; flags are NETTXF_csum_blank/data_validated. */
    void (*deliver)(void *opaque, const uint8_t *pkt, size_t len, uint16_t flags);
};

struct netback_stats {
    uint64_t tx_packets, tx_bytes, tx_dropped;   /* from the guest */
    uint64_t rx_packets, rx_bytes, rx_no_buffer; /* to the guest */
    uint64_t rx_errors;
};

struct netback {
    netif_tx_back_ring_t tx;
    netif_rx_back_ring_t rx;
    const struct netback_ops *ops;
    void *opaque;
    bool broken;
    bool tx_more;  /* netback_tx_poll() stopped with packets left */
    char why[160];
    struct netback_stats stats;
    uint8_t pkt[NETBACK_MAX_PKT + 1]; /* one packet being sent */
};

/*
 * Attaches to the rings the frontend initialised, one page each, picking
 * up where their responses stand.
 */
void netback_init(struct netback *nb, netif_tx_sring_t *tx, netif_rx_sring_t *rx,
                  const struct netback_ops *ops, void *opaque);

/*
 * Takes the packets the guest queued, hands each good one to
 * ops->deliver and answers every slot.  Sets *notify when the guest must
 * be sent an event.  Returns the number of packets taken (delivered or
 * dropped) or -1 when the ring is broken (nb->why says how).
 */
int netback_tx_poll(struct netback *nb, bool *notify);

/*
 * Puts a packet into the guest's posted receive buffers.  Returns 0 (and
 * sets *notify as needed), -EAGAIN when too few buffers are posted (the
 * caller may queue it or drop it; nothing was taken), -EMSGSIZE for an
 * empty or oversized packet, -EIO when the guest refused the copy (its
 * buffers are answered with an error), or -EPIPE when the ring is broken.
 */
int netback_rx_put(struct netback *nb, const uint8_t *pkt, size_t len, uint16_t flags,
                   bool *notify);

/* Receive buffers the guest has posted and not yet had filled. */
unsigned int netback_rx_posted(const struct netback *nb);

#endif
