/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the guests' IPv4 stack (guests/lib/net.c), compiled for
 * the host over a fake netfront_send() that keeps what the stack sends:
 * address parsing, the Internet checksum (RFC 1071's example), ARP
 * answers and requests, ICMP echo replies, the UDP echo service, checksum
 * checking and the blank-checksum flag both ways, frames that are not
 * ours or are malformed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "net.h"

#include <xen/errno.h>

/* ------------------------------------------------------ fake netfront */

static uint8_t sent[8][2048];
static size_t sent_len[8];
static unsigned int sent_flags[8], nr_sent;
static long send_rc;

long netfront_send(struct netfront *nf, const void *frame, size_t len,
                   unsigned int flags)
{
    (void)nf;
    if (send_rc)
        return send_rc;
    assert_true(nr_sent < 8 && len <= sizeof(sent[0]));
    memcpy(sent[nr_sent], frame, len);
    sent_len[nr_sent] = len;
    sent_flags[nr_sent++] = flags;
    return 0;
}

static struct netfront nf;
static struct net_iface ifc;
static const uint8_t our_mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x01};
static const uint8_t peer_mac[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x02};
#define OUR_IP  0x0a000001u /* 10.0.0.1 */
#define PEER_IP 0x0a000002u

static int setup(void **state)
{
    (void)state;
    memcpy(nf.mac, our_mac, 6);
    net_iface_init(&ifc, &nf, OUR_IP, 0xffffff00u);
    nr_sent = 0;
    send_rc = 0;
    return 0;
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
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static size_t eth(uint8_t *f, const uint8_t *dst, const uint8_t *src,
                  uint16_t type)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put16(f + 12, type);
    return 14;
}

/* An IPv4 packet from the peer to us around a payload already at f+34. */
static size_t ip(uint8_t *f, uint8_t proto, size_t payload)
{
    uint8_t *h = f + 14;

    eth(f, our_mac, peer_mac, 0x0800);
    memset(h, 0, 20);
    h[0] = 0x45;
    put16(h + 2, (uint16_t)(20 + payload));
    h[8] = 64;
    h[9] = proto;
    put32(h + 12, PEER_IP);
    put32(h + 16, OUR_IP);
    put16(h + 10, (uint16_t)~net_csum_fold(net_csum_add(0, h, 20)));
    return 34 + payload;
}

static uint32_t pseudo(uint32_t s, uint32_t d, uint8_t proto, size_t len)
{
    uint8_t ph[12] = {0};

    put32(ph, s);
    put32(ph + 4, d);
    ph[9] = proto;
    put16(ph + 10, (uint16_t)len);
    return net_csum_add(0, ph, 12);
}

static size_t udp(uint8_t *f, uint16_t sport, uint16_t dport,
                  const char *data, bool good_csum)
{
    uint8_t *u = f + 34;
    size_t n = strlen(data), ulen = 8 + n;

    put16(u, sport);
    put16(u + 2, dport);
    put16(u + 4, (uint16_t)ulen);
    put16(u + 6, 0);
    memcpy(u + 8, data, n);
    put16(u + 6, (uint16_t)~net_csum_fold(net_csum_add(
                     pseudo(PEER_IP, OUR_IP, 17, ulen), u, ulen)));
    if (!good_csum)
        u[6] ^= 0x55;
    return ip(f, 17, ulen);
}

/* ----------------------------------------------------------- the tests */

static void test_parse_ip(void **state)
{
    uint32_t a;
    unsigned int p;

    (void)state;
    assert_int_equal(net_parse_ip("10.0.0.1", &a, &p), 0);
    assert_int_equal(a, 0x0a000001u);
    assert_int_equal(p, 24);
    assert_int_equal(net_parse_ip("192.168.7.254/16", &a, &p), 0);
    assert_int_equal(a, 0xc0a807feu);
    assert_int_equal(p, 16);
    assert_int_equal(net_parse_ip("0.0.0.0/0", &a, &p), 0);
    assert_int_equal(net_parse_ip("256.1.1.1", &a, &p), -1);
    assert_int_equal(net_parse_ip("1.2.3", &a, &p), -1);
    assert_int_equal(net_parse_ip("1.2.3.4/33", &a, &p), -1);
    assert_int_equal(net_parse_ip("1.2.3.4x", &a, &p), -1);
    assert_int_equal(net_parse_ip("", &a, &p), -1);
    assert_int_equal(net_parse_ip("1..2.3", &a, &p), -1);
}

static void test_checksum(void **state)
{
    /* RFC 1071 section 3's example: the sum is ddf2. */
    static const uint8_t b[] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    static const uint8_t odd[] = {0x12, 0x34, 0x56};

    (void)state;
    assert_int_equal(net_csum_fold(net_csum_add(0, b, sizeof(b))), 0xddf2);
    /* An odd length pads with a zero byte. */
    assert_int_equal(net_csum_fold(net_csum_add(0, odd, 3)), 0x1234 + 0x5600);
    /* In pieces of even length, the same. */
    assert_int_equal(net_csum_fold(net_csum_add(net_csum_add(0, b, 4), b + 4, 4)),
                     0xddf2);
}

static void test_arp(void **state)
{
    uint8_t f[64] = {0}, *a = f + 14;
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t zero[6];

    (void)state;
    eth(f, bcast, peer_mac, 0x0806);
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, 1);
    memcpy(a + 8, peer_mac, 6);
    put32(a + 14, PEER_IP);
    memcpy(a + 18, zero, 6);
    put32(a + 24, OUR_IP);
    net_input(&ifc, f, 60, 0);
    assert_int_equal(nr_sent, 1);
    assert_memory_equal(sent[0], peer_mac, 6);
    assert_memory_equal(sent[0] + 6, our_mac, 6);
    assert_int_equal(get16(sent[0] + 12), 0x0806);
    assert_int_equal(get16(sent[0] + 14 + 6), 2); /* reply */
    assert_memory_equal(sent[0] + 14 + 8, our_mac, 6);
    assert_int_equal(get32(sent[0] + 14 + 14), OUR_IP);
    assert_memory_equal(sent[0] + 14 + 18, peer_mac, 6);
    assert_int_equal(get32(sent[0] + 14 + 24), PEER_IP);
    assert_int_equal(ifc.stats.arp_replies_out, 1);
    /* The asker was learnt. */
    assert_non_null(net_arp_lookup(&ifc, PEER_IP));
    assert_memory_equal(net_arp_lookup(&ifc, PEER_IP), peer_mac, 6);

    /* A request for someone else: no answer. */
    put32(a + 24, 0x0a000063u);
    net_input(&ifc, f, 60, 0);
    assert_int_equal(nr_sent, 1);
    /* Truncated or not Ethernet/IPv4: counted bad, no answer. */
    put32(a + 24, OUR_IP);
    net_input(&ifc, f, 14 + 20, 0);
    a[4] = 8;
    net_input(&ifc, f, 60, 0);
    assert_int_equal(nr_sent, 1);
    assert_int_equal(ifc.stats.bad, 2);
}

static void test_ping_reply(void **state)
{
    uint8_t f[128] = {0}, *m = f + 34, *r, *rm;
    size_t len;

    (void)state;
    m[0] = 8;
    put16(m + 4, 0x1234);
    put16(m + 6, 7);
    memcpy(m + 8, "abcdefgh", 8);
    put16(m + 2, (uint16_t)~net_csum_fold(net_csum_add(0, m, 16)));
    len = ip(f, 1, 16);
    net_input(&ifc, f, len, 0);
    assert_int_equal(nr_sent, 1);
    r = sent[0];
    rm = r + 34;
    assert_int_equal(sent_len[0], len);
    assert_memory_equal(r, peer_mac, 6); /* learnt from the request */
    assert_int_equal(get32(r + 14 + 12), OUR_IP);
    assert_int_equal(get32(r + 14 + 16), PEER_IP);
    assert_int_equal(net_csum_fold(net_csum_add(0, r + 14, 20)), 0xffff);
    assert_int_equal(rm[0], 0); /* echo reply */
    assert_int_equal(get16(rm + 4), 0x1234);
    assert_int_equal(get16(rm + 6), 7);
    assert_memory_equal(rm + 8, "abcdefgh", 8);
    assert_int_equal(net_csum_fold(net_csum_add(0, rm, 16)), 0xffff);

    /* A bad ICMP checksum: dropped; the same, validated by the backend:
     * answered. */
    m[8] ^= 1;
    net_input(&ifc, f, len, 0);
    assert_int_equal(nr_sent, 1);
    net_input(&ifc, f, len, NETF_DATA_VALIDATED);
    assert_int_equal(nr_sent, 2);
    /* A bad IP header checksum: dropped whatever the flags say. */
    f[14 + 10] ^= 1;
    net_input(&ifc, f, len, NETF_DATA_VALIDATED);
    assert_int_equal(nr_sent, 2);
}

static void test_udp_echo(void **state)
{
    uint8_t f[256] = {0};
    size_t len = udp(f, 40000, NET_UDP_ECHO_PORT, "hello, echo", true);
    const uint8_t *u;

    (void)state;
    net_input(&ifc, f, len, 0);
    assert_int_equal(nr_sent, 1);
    u = sent[0] + 34;
    assert_int_equal(get16(u), NET_UDP_ECHO_PORT);
    assert_int_equal(get16(u + 2), 40000);
    assert_int_equal(get16(u + 4), 8 + 11);
    assert_memory_equal(u + 8, "hello, echo", 11);
    assert_int_equal(net_csum_fold(net_csum_add(pseudo(OUR_IP, PEER_IP, 17, 19),
                                                u, 19)),
                     0xffff);
    assert_int_equal(sent_flags[0], 0);
    assert_int_equal(ifc.stats.udp_echoed, 1);

    /* A wrong checksum: dropped, unless the frame says it was blank. */
    len = udp(f, 40000, NET_UDP_ECHO_PORT, "hello, echo", false);
    net_input(&ifc, f, len, 0);
    assert_int_equal(nr_sent, 1);
    assert_int_equal(ifc.stats.bad, 1);
    net_input(&ifc, f, len, NETF_CSUM_BLANK);
    assert_int_equal(nr_sent, 2);
    assert_int_equal(ifc.stats.csum_blank_in, 1);
    /* The echo of it carries a full checksum, whatever came in. */
    u = sent[1] + 34;
    assert_int_equal(net_csum_fold(net_csum_add(pseudo(OUR_IP, PEER_IP, 17, 19),
                                                u, 19)),
                     0xffff);
    /* A length beyond the packet: bad. */
    put16(f + 34 + 4, 200);
    net_input(&ifc, f, len, NETF_CSUM_BLANK);
    assert_int_equal(nr_sent, 2);
}

static void test_not_ours(void **state)
{
    uint8_t f[256] = {0};
    size_t len = udp(f, 40000, NET_UDP_ECHO_PORT, "x", true);
    static const uint8_t other[6] = {0x00, 0x16, 0x3e, 0x00, 0x00, 0x09};

    (void)state;
    memcpy(f, other, 6); /* another host's unicast */
    net_input(&ifc, f, len, 0);
    put32(f + 14 + 16, 0x0a000009u); /* another address */
    put16(f + 14 + 10, 0);
    put16(f + 14 + 10, (uint16_t)~net_csum_fold(net_csum_add(0, f + 14, 20)));
    memcpy(f, our_mac, 6);
    net_input(&ifc, f, len, NETF_DATA_VALIDATED);
    net_input(&ifc, f, 10, 0); /* shorter than Ethernet */
    assert_int_equal(nr_sent, 0);
    assert_int_equal(ifc.stats.not_ours, 2);
}

static void test_send_resolves(void **state)
{
    uint8_t arp[64] = {0}, *a = arp + 14;
    const uint8_t *u;

    (void)state;
    /* Unknown address: an ARP request goes out, the caller retries. */
    assert_int_equal(net_ping(&ifc, PEER_IP, 1, 1, "x", 1), -XEN_EAGAIN);
    assert_int_equal(nr_sent, 1);
    assert_memory_equal(sent[0], "\xff\xff\xff\xff\xff\xff", 6);
    assert_int_equal(get16(sent[0] + 14 + 6), 1);
    assert_int_equal(get32(sent[0] + 14 + 24), PEER_IP);
    /* The reply comes. */
    eth(arp, our_mac, peer_mac, 0x0806);
    put16(a, 1);
    put16(a + 2, 0x0800);
    a[4] = 6;
    a[5] = 4;
    put16(a + 6, 2);
    memcpy(a + 8, peer_mac, 6);
    put32(a + 14, PEER_IP);
    memcpy(a + 18, our_mac, 6);
    put32(a + 24, OUR_IP);
    net_input(&ifc, arp, 60, 0);
    assert_int_equal(ifc.stats.arp_replies_in, 1);
    assert_int_equal(net_ping(&ifc, PEER_IP, 1, 1, "x", 1), 0);
    assert_int_equal(nr_sent, 2);
    assert_memory_equal(sent[1], peer_mac, 6);

    /* UDP with the checksum left blank: the pseudo-header sum in the
     * field, NETF_CSUM_BLANK on the frame. */
    assert_int_equal(net_udp_send(&ifc, PEER_IP, 5000, 7, "abc", 3,
                                  NET_UDP_CSUM_BLANK),
                     0);
    u = sent[2] + 34;
    assert_int_equal(sent_flags[2], NETF_CSUM_BLANK);
    assert_int_equal(get16(u + 6), net_csum_fold(pseudo(OUR_IP, PEER_IP, 17, 11)));
    /* A full ring: the error comes back. */
    send_rc = -XEN_EAGAIN;
    assert_int_equal(net_udp_send(&ifc, PEER_IP, 5000, 7, "abc", 3, 0),
                     -XEN_EAGAIN);
    assert_int_equal(ifc.stats.tx_busy, 1);
    send_rc = 0;
    /* Too big for one IP packet. */
    assert_int_equal(net_udp_send(&ifc, PEER_IP, 5000, 7, "abc", 70000, 0),
                     -XEN_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ip),
        cmocka_unit_test(test_checksum),
        cmocka_unit_test_setup(test_arp, setup),
        cmocka_unit_test_setup(test_ping_reply, setup),
        cmocka_unit_test_setup(test_udp_echo, setup),
        cmocka_unit_test_setup(test_not_ours, setup),
        cmocka_unit_test_setup(test_send_resolves, setup),
    };

    return cmocka_run_group_tests_name("guest_net", tests, NULL, NULL);
}
