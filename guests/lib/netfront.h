/* SPDX-License-Identifier: MIT */
/*
 * netfront: the guest's side of a virtual network interface, Xen's netif
 * protocol (xen/io/netif.h) in receive-copy mode, as Linux's
 * xen-netfront speaks it.
 *
 * Set-up (netfront_init): the toolstack wrote device/vif/<id>/backend,
 * backend-id and mac; the frontend makes a transmit and a receive ring
 * (one page each, granted to the backend), allocates an event channel
 * unbound for the backend and runs the xenbus handshake, publishing
 * tx-ring-ref, rx-ring-ref, event-channel, request-rx-copy=1,
 * feature-rx-notify=1 and feature-sg=1 (it takes packets in several
 * receive slots).  The backend must offer feature-rx-copy.
 *
 * Buffers are pages (in struct netfront) granted once for the connection's
 * life (its grants end when it closes or the backend disconnects it; a
 * ring the backend still maps is ended as soon as it lets go):
 * NETFRONT_TX_BUFS
 * read-only ones for transmit, NETFRONT_RX_BUFS writable ones always posted
 * for receive.  The backend copies into and out of them (grant copy).
 * A frame longer than a page goes out as a chain of requests (the first
 * carrying the whole size, NETTXF_more_data on all but the last) and may
 * come in as several responses (NETRXF_more_data), which are put back
 * together.  Checksum flags: a frame sent with NETF_CSUM_BLANK asks the
 * far end to fill in the transport checksum; received frames carry the
 * backend's NETRXF_csum_blank / NETRXF_data_validated as NETF_* flags.
 *
 * Everything runs in the guest's main loop: netfront_poll() takes what
 * the backend answered; the event handler only counts events.
 */
#ifndef GUEST_NETFRONT_H
#define GUEST_NETFRONT_H

#include "guest.h"
#include "xenbus_dev.h"

#include <xen/event_channel.h>
#include <xen/grant_table.h>

#ifndef xen_mb
#define xen_mb()  __asm__ __volatile__("mfence" ::: "memory")
#define xen_rmb() __asm__ __volatile__("" ::: "memory")
#define xen_wmb() __asm__ __volatile__("" ::: "memory")
#endif
#include <xen/io/netif.h>

#define NETFRONT_TX_BUFS 32
#define NETFRONT_RX_BUFS 64
#define NETFRONT_MAX_FRAME 65535 /* what one chain may carry */

/* Frame flags, both directions. */
#define NETF_CSUM_BLANK     1u /* transport checksum not filled in */
#define NETF_DATA_VALIDATED 2u /* checksums already checked */

typedef void (*netfront_rx_fn)(void *arg, const uint8_t *frame, size_t len,
                               unsigned int flags);

struct netfront_stats {
    unsigned long tx_frames, tx_slots, tx_errors, tx_busy;
    unsigned long rx_frames, rx_slots, rx_errors, events;
};

struct netfront {
    /* Page-aligned: the ring and buffer pages themselves (so a struct
     * netfront lives in the guest's image, not on its padding pages). */
    uint8_t tx_ring_page[PAGE_SIZE] __aligned(PAGE_SIZE);
    uint8_t rx_ring_page[PAGE_SIZE];
    uint8_t tx_buf[NETFRONT_TX_BUFS][PAGE_SIZE];
    uint8_t rx_buf[NETFRONT_RX_BUFS][PAGE_SIZE];
    struct xenbus_dev dev;
    unsigned int devid;
    uint8_t mac[6];
    bool connected;
    evtchn_port_t port;
    netif_tx_front_ring_t tx;
    netif_rx_front_ring_t rx;
    grant_ref_t tx_ring_ref, rx_ring_ref;
    grant_ref_t tx_gref[NETFRONT_TX_BUFS];
    uint16_t tx_free[NETFRONT_TX_BUFS];
    unsigned int tx_nfree;
    grant_ref_t rx_gref[NETFRONT_RX_BUFS];
    unsigned int nr_granted; /* of the above, in publish()'s order */
    /* A frame coming in over several slots. */
    size_t rx_len;
    unsigned int rx_flags;
    bool rx_bad;
    uint8_t rx_frame[NETFRONT_MAX_FRAME + 1];
    volatile unsigned long events;
    struct netfront_stats stats;
};

/*
 * Connects device/vif/<devid>; 0 or a negative Xen errno (-XEN_ENOENT:
 * no such device, -XEN_ENODEV: the backend closed, -XEN_ETIMEDOUT).
 */
long netfront_init(struct netfront *nf, unsigned int devid,
                   uint64_t timeout_ns);
/*
 * Queues one frame; 0, -XEN_EAGAIN when too few transmit buffers are free
 * (poll, then try again), -XEN_EINVAL for a bad length, -XEN_ENOTCONN.
 */
long netfront_send(struct netfront *nf, const void *frame, size_t len,
                   unsigned int flags);
/* Takes the backend's answers, hands each received frame to fn; frames. */
int netfront_poll(struct netfront *nf, netfront_rx_fn fn, void *arg);
/* Whether the backend has answered something netfront_poll() would take. */
bool netfront_work(const struct netfront *nf);
/*
 * The backend's state changed (its watch fired): follows it.  Returns
 * false once the device is closed (backend Closing/Closed or gone).
 */
bool netfront_backend_changed(struct netfront *nf);
/* The orderly way out: Closing, the backend closes, Closed; grants end. */
long netfront_close(struct netfront *nf, uint64_t timeout_ns);
/* "aa:bb:cc:dd:ee:ff" -> mac; false if it is not that. */
bool netfront_parse_mac(const char *s, uint8_t mac[6]);

#endif /* GUEST_NETFRONT_H */
