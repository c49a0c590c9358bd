/* SPDX-License-Identifier: MIT */
/*
 * The reference guest on the network: one vif (netfront.h) with the small
 * IPv4 stack (net.h).  It answers ARP and ping and echoes UDP on port 7
 * for as long as it lingers, and on request pings a peer or sends it UDP
 * and checks the echoes.
 *
 * The vif is the first device/vif/<id> in the guest's xenstore home; the
 * guest watches device/vif, so a vif attached while it runs (pvctl
 * network-attach) is brought up then, and one the backend closes
 * (network-detach, or a backend that disconnects it) is let go.  Its
 * address is `ip=A.B.C.D[/N]` on the command line, else the backend's
 * `ip` node (the vif's `ip=` in the domain's configuration, which pvctl
 * writes there as libxl does); /24 unless said otherwise.
 *
 * Command line (with the guest's other options, hello.c):
 *   ip=A.B.C.D[/N]   the vif's address
 *   ping=A.B.C.D     ping it count=N times (default 5), one after the
 *                    other (interval=MS between them, default 0), print
 *                    each round trip and a summary; the check wants
 *                    ping_min=M replies (default all; 1 s timeout each)
 *   udp=A.B.C.D      send udp_count=N datagrams (default 5) of
 *                    udp_size=S bytes (default 64, at most 60000: above
 *                    a page a frame takes several ring slots) to its UDP
 *                    echo port and check each echo
 *   csum=blank       send those with the UDP checksum left blank
 *                    (NETTXF_csum_blank), for the peer to see the flag
 *   net_bench=A.B.C.D  after the tasks: time ping round trips and a UDP
 *                    stream to the peer's echo port (bench/drivers/net.sh)
 * Each task is a self-test check; the guest stays up for linger=S
 * seconds serving the network and its xenstore watches.
 */
#include "events.h"
#include "gnttab.h"
#include "hello.h"
#include "hypercall.h"
#include "net.h"
#include "netfront.h"
#include "timekeeping.h"
#include "xenbus.h"

#include <xen/errno.h>

#define CONNECT_TIMEOUT (10 * NSEC_PER_SEC)
#define REPLY_TIMEOUT   (1 * NSEC_PER_SEC)
#define ECHO_ID         0x7076 /* "pv" */
#define MAX_VIFS        8

static struct netfront nf;
static struct net_iface ifc;
static bool vif_up;
/* vifs that closed: not brought up again until their node goes away. */
static unsigned int closed_ids[MAX_VIFS], nr_closed;
static char be_state_path[192];

/* What the tasks wait for. */
static struct {
    uint16_t seq;
    bool got;
    uint64_t at;
    size_t len;
    bool match;
    const uint8_t *want;
    size_t want_len;
} reply;

static void on_echo_reply(struct net_iface *i, uint32_t from, uint16_t id,
                          uint16_t seq, const uint8_t *data, size_t len)
{
    (void)i;
    (void)from;
    (void)data;
    (void)len;
    if (id == ECHO_ID && seq == reply.seq && !reply.got) {
        reply.got = true;
        reply.at = time_now_ns();
    }
}

static void on_udp(struct net_iface *i, uint32_t from, uint16_t sport,
                   uint16_t dport, const uint8_t *data, size_t len)
{
    (void)i;
    (void)from;
    if (sport != NET_UDP_ECHO_PORT || dport != reply.seq || reply.got)
        return;
    reply.got = true;
    reply.at = time_now_ns();
    reply.len = len;
    reply.match = reply.want && len == reply.want_len &&
                  !memcmp(data, reply.want, len);
}

static bool was_closed(unsigned int id)
{
    for (unsigned int i = 0; i < nr_closed; i++)
        if (closed_ids[i] == id)
            return true;
    return false;
}

static void vif_down(const char *why)
{
    char ipb[16];

    printf("hello: vif %u down (%s); rx %lu tx %lu frames, answered %lu "
           "pings, echoed %lu datagrams, ip %s; grants in use %u\n",
           nf.devid, why, nf.stats.rx_frames, nf.stats.tx_frames,
           ifc.stats.icmp_echo_in, ifc.stats.udp_echoed,
           net_ip_str(ifc.ip, ipb), gnttab_nr_in_use());
    vif_up = false;
    if (nr_closed < MAX_VIFS && !was_closed(nf.devid))
        closed_ids[nr_closed++] = nf.devid;
}

static void vif_bring_up(unsigned int id)
{
    char v[48], ipb[16];
    const char *s;
    uint32_t ip = 0;
    unsigned int prefix = 24;
    long rc;

    /* Our own writes under device/vif would fire it all through the
     * handshake: quiet while it runs (set again, it fires once). */
    xenbus_unwatch("device/vif", "vifs");
    rc = netfront_init(&nf, id, CONNECT_TIMEOUT);
    xenbus_watch("device/vif", "vifs");
    if (rc) {
        printf("hello: vif %u: cannot connect: %ld\n", id, rc);
        if (nr_closed < MAX_VIFS)
            closed_ids[nr_closed++] = id;
        return;
    }
    s = cmdline_value("ip", v, sizeof(v));
    if (!s && xenbus_dev_read_backend(&nf.dev, "ip", v, sizeof(v)) > 0)
        s = v;
    if (s && net_parse_ip(s, &ip, &prefix)) {
        printf("hello: vif %u: bad address \"%s\"\n", id, s);
        ip = 0;
    }
    net_iface_init(&ifc, &nf, ip,
                   prefix ? ~0u << (32 - prefix) : 0);
    ifc.on_echo_reply = on_echo_reply;
    ifc.on_udp = on_udp;
    snprintf(be_state_path, sizeof(be_state_path), "%s/state",
             nf.dev.backend);
    vif_up = true;
    printf("hello: vif %u up: mac %02x:%02x:%02x:%02x:%02x:%02x ip %s/%u, "
           "backend %s; grants in use %u\n",
           id, nf.mac[0], nf.mac[1], nf.mac[2], nf.mac[3], nf.mac[4],
           nf.mac[5], ip ? net_ip_str(ip, ipb) : "(none)", prefix,
           nf.dev.backend, gnttab_nr_in_use());
}

/* device/vif changed: bring up the first vif there if none is up. */
static void vif_scan(void)
{
    static char list[256];
    long n = xenbus_directory("device/vif", list, sizeof(list));
    unsigned int keep = 0;
    const char *p = list;

    if (n < 0)
        n = 0;
    /* Forget closed vifs whose node went away. */
    for (unsigned int i = 0; i < nr_closed; i++) {
        bool there = false;
        const char *q = list;

        for (long k = 0; k < n; k++, q += strlen(q) + 1) {
            char want[12];

            snprintf(want, sizeof(want), "%u", closed_ids[i]);
            there |= !strcmp(q, want);
        }
        if (there)
            closed_ids[keep++] = closed_ids[i];
    }
    nr_closed = keep;
    if (vif_up)
        return;
    for (long k = 0; k < n; k++, p += strlen(p) + 1) {
        unsigned int id = 0;
        const char *c = p;

        for (; *c >= '0' && *c <= '9'; c++)
            id = id * 10 + (unsigned int)(*c - '0');
        if (*c || c == p || was_closed(id))
            continue;
        vif_bring_up(id);
        return;
    }
}

/* One turn: watches, then the ring. */
static void serve_once(void)
{
    char fired[192];

    while (xenbus_wait_watch(NULL, fired, sizeof(fired), 0) == 0) {
        if (!strncmp(fired, "device/vif", 10))
            vif_scan();
        else if (vif_up && !strcmp(fired, be_state_path)) {
            if (!netfront_backend_changed(&nf))
                vif_down("the backend closed it");
        } else {
            store_watch_event(fired);
        }
    }
    if (vif_up)
        netfront_poll(&nf, net_input, &ifc);
}

/*
 * Serves the network and the watches until *done is true or the
 * deadline; blocks in between (any event wakes it).
 */
static void serve_until(uint64_t deadline, volatile bool *done)
{
    for (;;) {
        unsigned long seen = evtchn_upcalls;
        uint64_t now;

        serve_once();
        now = time_now_ns();
        if ((done && *done) || now >= deadline)
            return;
        timer_set_singleshot(deadline, 0);
        local_events_disable();
        if (evtchn_upcalls == seen && !(vif_up && netfront_work(&nf)))
            HYPERVISOR_sched_op(SCHEDOP_block, NULL);
        local_events_enable();
    }
}

/* Sends a ping, resolving the address first; waits for its reply. */
static bool ping_once(uint32_t dst, uint16_t seq, size_t size, uint64_t *rtt)
{
    static uint8_t data[1400];
    uint64_t start = time_now_ns(), sent;
    long rc;

    for (size_t i = 0; i < size && i < sizeof(data); i++)
        data[i] = (uint8_t)(seq + i);
    reply.seq = seq;
    reply.got = false;
    for (;;) {
        if (!vif_up)
            return false;
        sent = time_now_ns();
        rc = net_ping(&ifc, dst, ECHO_ID, seq, data, MIN(size, sizeof(data)));
        if (rc != -XEN_EAGAIN)
            break;
        if (sent - start > REPLY_TIMEOUT)
            return false;
        serve_until(MIN(sent + 20 * NSEC_PER_MSEC, start + REPLY_TIMEOUT),
                    NULL);
    }
    if (rc)
        return false;
    serve_until(sent + REPLY_TIMEOUT, &reply.got);
    *rtt = reply.at - sent;
    return reply.got;
}

static void task_ping(uint32_t dst, unsigned long count, unsigned long gap_ms,
                      unsigned long need)
{
    uint64_t min = ~0ull, max = 0, sum = 0, rtt = 0;
    unsigned long got = 0;
    char ipb[16];

    net_ip_str(dst, ipb);
    for (unsigned long i = 1; i <= count; i++) {
        if (ping_once(dst, (uint16_t)i, 56, &rtt)) {
            got++;
            sum += rtt;
            min = MIN(min, rtt);
            max = MAX(max, rtt);
            printf("hello: ping %s seq %lu: %lu.%03lu ms\n", ipb, i,
                   (unsigned long)(rtt / 1000000),
                   (unsigned long)(rtt / 1000 % 1000));
        } else {
            printf("hello: ping %s seq %lu: no reply\n", ipb, i);
        }
        if (gap_ms && i < count)
            serve_until(time_now_ns() + gap_ms * NSEC_PER_MSEC, NULL);
    }
    if (got)
        printf("hello: ping %s: %lu sent, %lu received, rtt min/avg/max "
               "%lu/%lu/%lu us\n",
               ipb, count, got, (unsigned long)(min / 1000),
               (unsigned long)(sum / got / 1000), (unsigned long)(max / 1000));
    check(got >= need, "ping across the vif", "%s: %lu of %lu replies", ipb,
          got, count);
}

static bool udp_once(uint32_t dst, uint16_t sport, const uint8_t *data,
                     size_t len, unsigned int flags, uint64_t *rtt)
{
    uint64_t start = time_now_ns(), sent;
    long rc;

    reply.seq = sport;
    reply.got = false;
    reply.want = data;
    reply.want_len = len;
    for (;;) {
        if (!vif_up)
            return false;
        sent = time_now_ns();
        rc = net_udp_send(&ifc, dst, sport, NET_UDP_ECHO_PORT, data, len,
                          flags);
        if (rc != -XEN_EAGAIN)
            break;
        if (sent - start > REPLY_TIMEOUT)
            return false;
        serve_until(MIN(sent + 20 * NSEC_PER_MSEC, start + REPLY_TIMEOUT),
                    NULL);
    }
    if (rc)
        return false;
    serve_until(sent + REPLY_TIMEOUT, &reply.got);
    *rtt = reply.at - sent;
    return reply.got && reply.match;
}

static void task_udp(uint32_t dst, unsigned long count, size_t size,
                     unsigned int flags)
{
    static uint8_t data[60000];
    unsigned long good = 0;
    uint64_t rtt;
    char ipb[16];

    net_ip_str(dst, ipb);
    for (unsigned long i = 1; i <= count; i++) {
        for (size_t k = 0; k < size; k++)
            data[k] = (uint8_t)(i * 7 + k);
        if (udp_once(dst, (uint16_t)(40000 + i), data, size, flags, &rtt))
            good++;
        else
            printf("hello: udp echo %s #%lu: %s\n", ipb, i,
                   reply.got ? "wrong data" : "no reply");
    }
    printf("hello: udp echo %s: %lu sent (%zu bytes%s), %lu good echoes\n",
           ipb, count, size, flags ? ", checksum blank" : "", good);
    check(good == count, "UDP echo across the vif", "%s: %lu of %lu", ipb,
          good, count);
}

/*
 * net_bench: ping round trips (median), then a UDP stream: datagrams of
 * 1472 bytes (a full 1500-byte IP packet) sent to the peer's echo port
 * with a window of 32 outstanding; the echoes are counted.  Reports
 * packets/s and MB/s of payload one way.
 */
static unsigned long bench_echoes;
static void bench_udp(struct net_iface *i, uint32_t from, uint16_t sport,
                      uint16_t dport, const uint8_t *data, size_t len)
{
    (void)i;
    (void)from;
    (void)dport;
    (void)data;
    (void)len;
    if (sport == NET_UDP_ECHO_PORT)
        bench_echoes++;
}

static void net_bench(uint32_t dst, unsigned long pings, unsigned long dgrams)
{
    static uint64_t rtts[1000];
    static uint8_t data[1472];
    unsigned int n = 0;
    unsigned long sent = 0;
    uint64_t rtt, t0, t1, deadline;
    char ipb[16];

    net_ip_str(dst, ipb);
    pings = MIN(pings, (unsigned long)ARRAY_SIZE(rtts));
    for (unsigned long i = 1; i <= pings; i++)
        if (ping_once(dst, (uint16_t)i, 56, &rtt))
            rtts[n++] = rtt;
    if (n)
        printf("hello: net_bench ping %s: %u round trips, median %lu ns\n",
               ipb, n, (unsigned long)median_u64(rtts, n));
    ifc.on_udp = bench_udp;
    bench_echoes = 0;
    memset(data, 0x5a, sizeof(data));
    t0 = time_now_ns();
    deadline = t0 + 30 * NSEC_PER_SEC;
    while (bench_echoes < dgrams && time_now_ns() < deadline && vif_up) {
        while (sent < dgrams && sent - bench_echoes < 32) {
            if (net_udp_send(&ifc, dst, 40000, NET_UDP_ECHO_PORT, data,
                             sizeof(data), 0))
                break;
            sent++;
        }
        serve_once();
        if (sent - bench_echoes >= 32 || sent == dgrams)
            serve_until(time_now_ns() + 5 * NSEC_PER_MSEC, NULL);
    }
    t1 = time_now_ns();
    ifc.on_udp = on_udp;
    if (t1 > t0 && bench_echoes)
        printf("hello: net_bench udp %s: %lu of %lu datagrams of %zu bytes "
               "echoed in %lu us: %lu packets/s %lu.%02lu MB/s each way\n",
               ipb, bench_echoes, sent, sizeof(data),
               (unsigned long)((t1 - t0) / 1000),
               (unsigned long)(bench_echoes * NSEC_PER_SEC / (t1 - t0)),
               (unsigned long)(bench_echoes * sizeof(data) * 1000 /
                               (t1 - t0)),
               (unsigned long)(bench_echoes * sizeof(data) * 100000 /
                               (t1 - t0) % 100));
}

static bool opt_ip(const char *key, uint32_t *ip)
{
    char buf[48];
    unsigned int prefix;
    const char *v = cmdline_value(key, buf, sizeof(buf));

    if (!v)
        return false;
    if (net_parse_ip(v, ip, &prefix)) {
        printf("hello: %s=%s is not an address\n", key, v);
        return false;
    }
    return true;
}

bool net_wanted(void)
{
    char buf[48];

    return cmdline_value("ping", buf, sizeof(buf)) ||
           cmdline_value("udp", buf, sizeof(buf)) ||
           cmdline_value("net_bench", buf, sizeof(buf));
}

void net_serve(uint64_t linger_ns)
{
    uint64_t deadline;
    uint32_t dst;
    char buf[16];
    long rc = xenbus_watch("device/vif", "vifs");

    if (rc)
        printf("hello: cannot watch device/vif: %ld\n", rc);
    /* The watch fires once when set: that finds a vif already there. */
    serve_until(time_now_ns() + NSEC_PER_MSEC, NULL);
    if (net_wanted() && !vif_up) {
        /* The tasks need the vif: wait for it a while. */
        for (uint64_t t = time_now_ns() + CONNECT_TIMEOUT;
             !vif_up && time_now_ns() < t;)
            serve_until(MIN(t, time_now_ns() + 100 * NSEC_PER_MSEC), NULL);
    }
    if (opt_ip("ping", &dst))
        task_ping(dst, cmdline_ulong("count", 5), cmdline_ulong("interval", 0),
                  MIN(cmdline_ulong("ping_min", cmdline_ulong("count", 5)),
                      cmdline_ulong("count", 5)));
    if (opt_ip("udp", &dst))
        task_udp(dst, cmdline_ulong("udp_count", 5),
                 MIN(cmdline_ulong("udp_size", 64), 60000ul),
                 cmdline_value("csum", buf, sizeof(buf)) &&
                         !strcmp(buf, "blank")
                     ? NET_UDP_CSUM_BLANK
                     : 0);
    if (opt_ip("net_bench", &dst))
        net_bench(dst, cmdline_ulong("bench_pings", 200),
                  cmdline_ulong("bench_dgrams", 2000));
    deadline = time_now_ns() + linger_ns;
    serve_until(deadline, NULL);
    if (vif_up)
        printf("hello: vif %u: rx %lu frames in %lu slots (%lu with blank "
               "checksums), tx %lu frames in %lu slots, answered %lu pings, "
               "echoed %lu datagrams\n",
               nf.devid, nf.stats.rx_frames, nf.stats.rx_slots,
               ifc.stats.csum_blank_in, nf.stats.tx_frames, nf.stats.tx_slots,
               ifc.stats.icmp_echo_in, ifc.stats.udp_echoed);
    xenbus_unwatch("device/vif", "vifs");
}
