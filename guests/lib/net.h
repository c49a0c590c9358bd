/* SPDX-License-Identifier: MIT */
/*
 * A minimal IPv4 stack over netfront, enough to be a polite host on an
 * Ethernet segment: ARP (answers requests for its address, asks for
 * others', keeps a small table), IPv4 without options or fragments, ICMP
 * echo (answers requests, sends its own), and UDP with an echo service
 * (RFC 862) on one port.  Checksums are checked on the way in unless the
 * frame says the far end left them blank or validated them, and always
 * filled in on the way out, except for UDP sent with NET_UDP_CSUM_BLANK,
 * which goes out as Linux's CHECKSUM_PARTIAL does (the pseudo-header sum
 * in the field, NETTXF_csum_blank on the request).
 *
 * Addresses and ports are in host byte order in this interface.
 */
#ifndef GUEST_NET_H
#define GUEST_NET_H

#include "guest.h"
#include "netfront.h"

#define NET_ARP_ENTRIES 16
#define NET_UDP_ECHO_PORT 7
#define NET_UDP_CSUM_BLANK 1u

struct net_iface;

/* An ICMP echo reply to one of ours, or a UDP datagram not for the echo
 * service. */
typedef void (*net_echo_fn)(struct net_iface *ifc, uint32_t from,
                            uint16_t id, uint16_t seq, const uint8_t *data,
                            size_t len);
typedef void (*net_udp_fn)(struct net_iface *ifc, uint32_t from,
                           uint16_t sport, uint16_t dport, const uint8_t *data,
                           size_t len);

struct net_stats {
    unsigned long arp_requests_in, arp_replies_out, arp_requests_out,
        arp_replies_in;
    unsigned long icmp_echo_in, icmp_echo_out, icmp_replies_in;
    unsigned long udp_in, udp_echoed, udp_out;
    unsigned long csum_blank_in, validated_in;
    unsigned long bad, not_ours, tx_busy;
};

struct net_iface {
    struct netfront *nf;
    uint8_t mac[6];
    uint32_t ip, mask;
    struct {
        uint32_t ip;
        uint8_t mac[6];
        bool valid;
    } arp[NET_ARP_ENTRIES];
    unsigned int arp_next;
    net_echo_fn on_echo_reply;
    net_udp_fn on_udp;
    void *arg;
    struct net_stats stats;
    uint8_t out[NETFRONT_MAX_FRAME + 1];
};

void net_iface_init(struct net_iface *ifc, struct netfront *nf, uint32_t ip,
                    uint32_t mask);
/* A frame received: a netfront_rx_fn with the iface as its argument. */
void net_input(void *ifc, const uint8_t *frame, size_t len,
               unsigned int flags);
/* The MAC address ARP has for ip, or NULL. */
const uint8_t *net_arp_lookup(const struct net_iface *ifc, uint32_t ip);
long net_arp_request(struct net_iface *ifc, uint32_t ip);
/*
 * Sends an ICMP echo request / a UDP datagram.  0; -XEN_EAGAIN if the
 * address is not resolved yet (an ARP request went out: poll and retry)
 * or the transmit ring is full; -XEN_EINVAL for a bad size.
 */
long net_ping(struct net_iface *ifc, uint32_t dst, uint16_t id, uint16_t seq,
              const void *data, size_t len);
long net_udp_send(struct net_iface *ifc, uint32_t dst, uint16_t sport,
                  uint16_t dport, const void *data, size_t len,
                  unsigned int flags);

/* "a.b.c.d[/n]": 0 on success; *prefix is 24 when no "/n" is given. */
int net_parse_ip(const char *s, uint32_t *ip, unsigned int *prefix);
/* "a.b.c.d" into buf (16 bytes). */
const char *net_ip_str(uint32_t ip, char *buf);
/* The Internet checksum of a buffer, folded, not complemented. */
uint32_t net_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t net_csum_fold(uint32_t sum);

#endif /* GUEST_NET_H */
