/* SPDX-License-Identifier: MIT */
/* A minimal IPv4 stack: Ethernet, ARP, IPv4, ICMP echo, UDP (net.h). */
#include "net.h"

#include <xen/errno.h>

#define ETH_HLEN   14
#define ETH_P_IP   0x0800
#define ETH_P_ARP  0x0806
#define ARP_LEN    28
#define IP_HLEN    20
#define IP_ICMP    1
#define IP_UDP     17
#define ICMP_HLEN  8
#define UDP_HLEN   8

static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
           p[3];
}
static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}
static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

uint32_t net_csum_add(uint32_t sum, const void *data, size_t len)
{
    const uint8_t *p = data;
    uint64_t s = sum;

    for (; len > 1; p += 2, len -= 2)
        s += (uint32_t)(p[0] << 8 | p[1]);
    if (len)
        s += (uint32_t)p[0] << 8;
    while (s >> 16)
        s = (s & 0xffff) + (s >> 16);
    return (uint32_t)s;
}

uint16_t net_csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static uint32_t pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto,
                           size_t len)
{
    uint8_t ph[12];

    put32(ph, src);
    put32(ph + 4, dst);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, (uint16_t)len);
    return net_csum_add(0, ph, sizeof(ph));
}

int net_parse_ip(const char *s, uint32_t *ip, unsigned int *prefix)
{
    uint32_t v = 0;

    for (int i = 0; i < 4; i++) {
        unsigned int o = 0, digits = 0;

        for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
            o = o * 10 + (unsigned int)(*s - '0');
        if (!digits || o > 255)
            return -1;
        v = v << 8 | o;
        if (i < 3 && *s++ != '.')
            return -1;
    }
    *prefix = 24;
    if (*s == '/') {
        unsigned int p = 0, digits = 0;

        for (s++; *s >= '0' && *s <= '9' && digits < 3; s++, digits++)
            p = p * 10 + (unsigned int)(*s - '0');
        if (!digits || p > 32)
            return -1;
        *prefix = p;
    }
    if (*s && *s != ' ' && *s != ',')
        return -1;
    *ip = v;
    return 0;
}

const char *net_ip_str(uint32_t ip, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255,
             (ip >> 8) & 255, ip & 255);
    return buf;
}

void net_iface_init(struct net_iface *ifc, struct netfront *nf, uint32_t ip,
                    uint32_t mask)
{
    memset(ifc, 0, offsetof(struct net_iface, out));
    ifc->nf = nf;
    memcpy(ifc->mac, nf->mac, 6);
    ifc->ip = ip;
    ifc->mask = mask;
}

static void arp_learn(struct net_iface *ifc, uint32_t ip, const uint8_t *mac)
{
    unsigned int i;

    if (!ip || (mac[0] & 1))
        return;
    for (i = 0; i < NET_ARP_ENTRIES; i++)
        if (ifc->arp[i].valid && ifc->arp[i].ip == ip)
            break;
    if (i == NET_ARP_ENTRIES) {
        i = ifc->arp_next;
        ifc->arp_next = (ifc->arp_next + 1) % NET_ARP_ENTRIES;
    }
    ifc->arp[i].ip = ip;
    memcpy(ifc->arp[i].mac, mac, 6);
    ifc->arp[i].valid = true;
}

const uint8_t *net_arp_lookup(const struct net_iface *ifc, uint32_t ip)
{
    for (unsigned int i = 0; i < NET_ARP_ENTRIES; i++)
        if (ifc->arp[i].valid && ifc->arp[i].ip == ip)
            return ifc->arp[i].mac;
    return NULL;
}

static long send_frame(struct net_iface *ifc, const uint8_t *dst,
                       uint16_t type, size_t payload, unsigned int flags)
{
    long rc;

    memcpy(ifc->out, dst, 6);
    memcpy(ifc->out + 6, ifc->mac, 6);
    put16(ifc->out + 12, type);
    rc = netfront_send(ifc->nf, ifc->out, ETH_HLEN + payload, flags);
    if (rc == -XEN_EAGAIN)
        ifc->stats.tx_busy++;
    return rc;
}

static long arp_send(struct net_iface *ifc, uint16_t op, const uint8_t *tha,
                     uint32_t tip, const uint8_t *dst)
{
    uint8_t *a = ifc->out + ETH_HLEN;

    put16(a, 1);        /* Ethernet */
    put16(a + 2, ETH_P_IP);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, op);
    memcpy(a + 8, ifc->mac, 6);
    put32(a + 14, ifc->ip);
    memcpy(a + 18, tha, 6);
    put32(a + 24, tip);
    return send_frame(ifc, dst, ETH_P_ARP, ARP_LEN, 0);
}

long net_arp_request(struct net_iface *ifc, uint32_t ip)
{
    static const uint8_t zero[6];

    ifc->stats.arp_requests_out++;
    return arp_send(ifc, 1, zero, ip, bcast);
}

static void arp_input(struct net_iface *ifc, const uint8_t *a, size_t len)
{
    uint16_t op;
    uint32_t sip, tip;

    if (len < ARP_LEN || get16(a) != 1 || get16(a + 2) != ETH_P_IP ||
        a[4] != 6 || a[5] != 4) {
        ifc->stats.bad++;
        return;
    }
    op = get16(a + 6);
    sip = get32(a + 14);
    tip = get32(a + 24);
    if (tip != ifc->ip) {
        ifc->stats.not_ours++;
        return;
    }
    arp_learn(ifc, sip, a + 8);
    if (op == 1) {
        uint8_t sha[6];

        memcpy(sha, a + 8, 6);
        ifc->stats.arp_requests_in++;
        if (!arp_send(ifc, 2, sha, sip, sha))
            ifc->stats.arp_replies_out++;
    } else if (op == 2) {
        ifc->stats.arp_replies_in++;
    }
}

/* Builds the IPv4 header in ifc->out for a payload already in place. */
static long ip_send(struct net_iface *ifc, uint32_t dst, uint8_t proto,
                    size_t payload, unsigned int flags)
{
    static uint16_t ident;
    uint8_t *ip = ifc->out + ETH_HLEN;
    const uint8_t *mac = net_arp_lookup(ifc, dst);

    if (!mac) {
        net_arp_request(ifc, dst);
        return -XEN_EAGAIN;
    }
    ip[0] = 0x45;
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(IP_HLEN + payload));
    put16(ip + 4, ident++);
    put16(ip + 6, 0x4000); /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    put16(ip + 10, 0);
    put32(ip + 12, ifc->ip);
    put32(ip + 16, dst);
    put16(ip + 10, (uint16_t)~net_csum_fold(net_csum_add(0, ip, IP_HLEN)));
    return send_frame(ifc, mac, ETH_P_IP, IP_HLEN + payload, flags);
}

static long icmp_send(struct net_iface *ifc, uint32_t dst, uint8_t type,
                      uint16_t id, uint16_t seq, const void *data, size_t len)
{
    uint8_t *m = ifc->out + ETH_HLEN + IP_HLEN;

    if (len > NETFRONT_MAX_FRAME - ETH_HLEN - IP_HLEN - ICMP_HLEN)
        return -XEN_EINVAL;
    m[0] = type;
    m[1] = 0;
    put16(m + 2, 0);
    put16(m + 4, id);
    put16(m + 6, seq);
    memmove(m + ICMP_HLEN, data, len);
    put16(m + 2, (uint16_t)~net_csum_fold(
                     net_csum_add(0, m, ICMP_HLEN + len)));
    return ip_send(ifc, dst, IP_ICMP, ICMP_HLEN + len, 0);
}

long net_ping(struct net_iface *ifc, uint32_t dst, uint16_t id, uint16_t seq,
              const void *data, size_t len)
{
    long rc = icmp_send(ifc, dst, 8, id, seq, data, len);

    if (!rc)
        ifc->stats.icmp_echo_out++;
    return rc;
}

long net_udp_send(struct net_iface *ifc, uint32_t dst, uint16_t sport,
                  uint16_t dport, const void *data, size_t len,
                  unsigned int flags)
{
    uint8_t *u = ifc->out + ETH_HLEN + IP_HLEN;
    size_t ulen = UDP_HLEN + len;
    uint32_t sum;
    long rc;

    if (len > 0xffff - IP_HLEN - UDP_HLEN ||
        len > NETFRONT_MAX_FRAME - ETH_HLEN - IP_HLEN - UDP_HLEN)
        return -XEN_EINVAL;
    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)ulen);
    put16(u + 6, 0);
    memmove(u + UDP_HLEN, data, len);
    sum = pseudo_sum(ifc->ip, dst, IP_UDP, ulen);
    if (flags & NET_UDP_CSUM_BLANK) {
        /* As CHECKSUM_PARTIAL: the pseudo-header sum, the rest to do. */
        put16(u + 6, net_csum_fold(sum));
    } else {
        uint16_t c = (uint16_t)~net_csum_fold(net_csum_add(sum, u, ulen));

        put16(u + 6, c ? c : 0xffff);
    }
    rc = ip_send(ifc, dst, IP_UDP, ulen,
                 (flags & NET_UDP_CSUM_BLANK) ? NETF_CSUM_BLANK : 0);
    if (!rc)
        ifc->stats.udp_out++;
    return rc;
}

static void icmp_input(struct net_iface *ifc, uint32_t src, const uint8_t *m,
                       size_t len, bool check)
{
    if (len < ICMP_HLEN ||
        (check && net_csum_fold(net_csum_add(0, m, len)) != 0xffff)) {
        ifc->stats.bad++;
        return;
    }
    if (m[0] == 8 && m[1] == 0) {
        ifc->stats.icmp_echo_in++;
        /* The data moves into the output buffer: m is the input frame. */
        icmp_send(ifc, src, 0, get16(m + 4), get16(m + 6), m + ICMP_HLEN,
                  len - ICMP_HLEN);
    } else if (m[0] == 0 && m[1] == 0) {
        ifc->stats.icmp_replies_in++;
        if (ifc->on_echo_reply)
            ifc->on_echo_reply(ifc, src, get16(m + 4), get16(m + 6),
                               m + ICMP_HLEN, len - ICMP_HLEN);
    }
}

static void udp_input(struct net_iface *ifc, uint32_t src, uint32_t dst,
                      const uint8_t *u, size_t len, bool check)
{
    size_t ulen;
    uint16_t sport, dport;

    if (len < UDP_HLEN || (ulen = get16(u + 4)) < UDP_HLEN || ulen > len) {
        ifc->stats.bad++;
        return;
    }
    if (check && get16(u + 6) &&
        net_csum_fold(net_csum_add(pseudo_sum(src, dst, IP_UDP, ulen), u,
                                   ulen)) != 0xffff) {
        ifc->stats.bad++;
        return;
    }
    ifc->stats.udp_in++;
    sport = get16(u);
    dport = get16(u + 2);
    if (dport == NET_UDP_ECHO_PORT) {
        if (!net_udp_send(ifc, src, dport, sport, u + UDP_HLEN,
                          ulen - UDP_HLEN, 0))
            ifc->stats.udp_echoed++;
        return;
    }
    if (ifc->on_udp)
        ifc->on_udp(ifc, src, sport, dport, u + UDP_HLEN, ulen - UDP_HLEN);
}

static void ip_input(struct net_iface *ifc, const uint8_t *eth,
                     const uint8_t *ip, size_t len, unsigned int flags)
{
    size_t hl, tot;
    uint32_t src, dst;
    bool check = !(flags & (NETF_CSUM_BLANK | NETF_DATA_VALIDATED));

    if (len < IP_HLEN || (ip[0] >> 4) != 4 || (hl = (ip[0] & 15u) * 4) < IP_HLEN ||
        (tot = get16(ip + 2)) < hl || tot > len ||
        net_csum_fold(net_csum_add(0, ip, hl)) != 0xffff) {
        ifc->stats.bad++;
        return;
    }
    if ((get16(ip + 6) & 0x3fff) != 0) {
        ifc->stats.bad++; /* a fragment: not reassembled */
        return;
    }
    src = get32(ip + 12);
    dst = get32(ip + 16);
    if (dst != ifc->ip) {
        ifc->stats.not_ours++;
        return;
    }
    if (flags & NETF_CSUM_BLANK)
        ifc->stats.csum_blank_in++;
    else if (flags & NETF_DATA_VALIDATED)
        ifc->stats.validated_in++;
    /* Whoever talks to us is on the segment: remember where. */
    arp_learn(ifc, src, eth + 6);
    if (ip[9] == IP_ICMP)
        icmp_input(ifc, src, ip + hl, tot - hl, check);
    else if (ip[9] == IP_UDP)
        udp_input(ifc, src, dst, ip + hl, tot - hl, check);
    else
        ifc->stats.not_ours++;
}

void net_input(void *arg, const uint8_t *frame, size_t len, unsigned int flags)
{
    struct net_iface *ifc = arg;

    if (len < ETH_HLEN) {
        ifc->stats.bad++;
        return;
    }
    if (memcmp(frame, ifc->mac, 6) && memcmp(frame, bcast, 6)) {
        ifc->stats.not_ours++;
        return;
    }
    switch (get16(frame + 12)) {
    case ETH_P_ARP:
        arp_input(ifc, frame + ETH_HLEN, len - ETH_HLEN);
        break;
    case ETH_P_IP:
        ip_input(ifc, frame, frame + ETH_HLEN, len - ETH_HLEN, flags);
        break;
    default:
        ifc->stats.not_ours++;
    }
}
