/* SPDX-License-Identifier: MIT */
/*
 * pvisor-netback: the network backend daemon.  Serves every domain's
 * vifs (/local/domain/0/backend/vif/<domid>/<devid>) on the xenbus
 * backend skeleton (drivers/common/xenbus_back.h), with Xen's netif
 * protocol: the ring core is netback.c, every byte of a packet moves by
 * grant copy through libpvctrl (pvgnttab_grant_copy); only the two ring
 * pages are mapped (grant maps the hypervisor counts).  All vifs are
 * ports of one learning L2 switch (switch.c), with optional TAP uplinks
 * to the host.
 *
 * Per vif:
 *   probe       writes feature-sg=1, feature-rx-copy=1 and the features
 *               not offered (=0), reads the toolstack's "bridge" node;
 *   connect     reads tx-ring-ref, rx-ring-ref, event-channel and
 *               request-rx-copy (which must be 1: only copying receive
 *               is offered, as Linux's netback), maps the rings, binds
 *               the event channel, becomes a switch port;
 *   disconnect  leaves the switch, unbinds, unmaps.
 * A frontend that breaks its ring (netback.h says how) is disconnected:
 * the backend's "error" node says why, its state becomes Closing, and
 * only that vif is affected.
 *
 * A vif whose backend has "bridge" set (xl's vif `bridge=NAME`) connects
 * the switch to the host's TAP device NAME (created if it does not
 * exist, brought up) as soon as the vif is probed, when /dev/net/tun can
 * be used; if not, the vif still connects and the log says why there is
 * no uplink.  An uplink stays until the daemon stops.
 *
 * Restart: the daemon keeps no state of its own.  Started again (after a
 * crash, kill -9 included), the skeleton lists the backend directory,
 * finds each device's nodes, probes it
 * (InitWait), sees the frontend Connected, reads its nodes and connects
 * to the same rings, picking up where the responses stand.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#include "../../common/xb_daemon.h"
#include "netback.h"
#include "pvctrl.h"
#include "switch.h"
#include "xsl.h"

#define RXQ_MAX   256 /* packets queued for a guest with no buffers */
#define MAX_TAPS  4

struct qpkt {
    struct qpkt *next;
    size_t len;
    uint16_t flags;
    uint8_t data[];
};

struct vif {
    struct vif *next;
    struct xb_dev *dev;
    unsigned int domid, devid;
    char bridge[IFNAMSIZ];
    bool connected, failed, pending;
    void *tx_ring, *rx_ring;
    int port;   /* our event channel, -1 if none */
    int swport; /* -1 if none */
    struct qpkt *qhead, **qtail;
    unsigned int qlen;
    uint64_t q_dropped;
    struct vif *next_pending;
    struct netback nb;
};

struct tap {
    char name[IFNAMSIZ];
    int fd;
    int swport;
    uv_poll_t poll;
    uint64_t in, out, dropped;
};

static struct {
    struct xb_daemon d; /* loop, grant and event handles, xenstore */
    uv_idle_t idle;
    struct nswitch sw;
    struct vif *vifs;
    struct vif *pending; /* vifs with transmit work left */
    struct tap taps[MAX_TAPS];
    unsigned int nr_taps;
    bool tap_warned;
    uint8_t frame[NETBACK_MAX_PKT + 1];
} nd;

#define log_msg(...) xb_daemon_log(&nd.d, __VA_ARGS__)

/* --------------------------------------------------------- grant copy */

static int vif_copy(void *opaque, struct netback_copy *c, unsigned int n)
{
    struct vif *v = opaque;
    struct pvgnttab_copy_segment seg[NETBACK_MAX_SLOTS];
    int rc;

    if (n > NETBACK_MAX_SLOTS)
        return -EINVAL;
    memset(seg, 0, sizeof(seg[0]) * n);
    for (unsigned int i = 0; i < n; i++) {
        if (c[i].to_guest) {
            seg[i].source.virt = c[i].local;
            seg[i].dest.foreign.ref = c[i].gref;
            seg[i].dest.foreign.offset = c[i].offset;
            seg[i].dest.foreign.domid = (uint16_t)v->domid;
            seg[i].flags = GNTCOPY_dest_gref;
        } else {
            seg[i].source.foreign.ref = c[i].gref;
            seg[i].source.foreign.offset = c[i].offset;
            seg[i].source.foreign.domid = (uint16_t)v->domid;
            seg[i].dest.virt = c[i].local;
            seg[i].flags = GNTCOPY_source_gref;
        }
        seg[i].len = c[i].len;
    }
    rc = pvgnttab_grant_copy(nd.d.gnt, n, seg);
    if (rc)
        return rc;
    for (unsigned int i = 0; i < n; i++)
        c[i].status = seg[i].status;
    return 0;
}

/* ---------------------------------------------------------- the vifs */

static void vif_kick(struct vif *v)
{
    if (v->port >= 0)
        pvevtchn_notify(nd.d.evt, (uint32_t)v->port);
}

static void vif_teardown(struct vif *v)
{
    if (v->swport >= 0)
        nswitch_del_port(&nd.sw, v->swport);
    v->swport = -1;
    if (v->port >= 0)
        pvevtchn_unbind(nd.d.evt, (uint32_t)v->port);
    v->port = -1;
    if (v->tx_ring)
        pvgnttab_unmap(nd.d.gnt, v->tx_ring, 1);
    if (v->rx_ring)
        pvgnttab_unmap(nd.d.gnt, v->rx_ring, 1);
    v->tx_ring = v->rx_ring = NULL;
    while (v->qhead) {
        struct qpkt *q = v->qhead;

        v->qhead = q->next;
        free(q);
    }
    v->qtail = &v->qhead;
    v->qlen = 0;
    v->connected = false;
}

/* The frontend broke its ring: only this vif goes. */
static void vif_fail(struct vif *v, const char *why)
{
    char msg[200];

    if (v->failed)
        return;
    v->failed = true;
    log_msg("vif %u/%u: %s: disconnecting it", v->domid, v->devid, why);
    snprintf(msg, sizeof(msg), "netback: %s", why);
    vif_teardown(v);
    xb_dev_fail(v->dev, msg);
}

/* Puts queued packets into the guest's buffers while there are some. */
static void vif_flush_rx(struct vif *v)
{
    bool notify = false;

    while (v->connected && v->qhead) {
        struct qpkt *q = v->qhead;
        bool n;
        int rc = netback_rx_put(&v->nb, q->data, q->len, q->flags, &n);

        if (rc == -EAGAIN)
            break;
        notify |= n;
        v->qhead = q->next;
        if (!v->qhead)
            v->qtail = &v->qhead;
        v->qlen--;
        free(q);
        if (rc == -EPIPE) {
            vif_fail(v, v->nb.why);
            return;
        }
    }
    if (notify)
        vif_kick(v);
}

/* The switch sends a frame out of a vif's port: into its guest. */
static void vif_out(void *opaque, const uint8_t *frame, size_t len,
                    uint16_t flags)
{
    struct vif *v = opaque;
    struct qpkt *q;
    bool notify = false;
    int rc;

    if (!v->connected)
        return;
    if (!v->qhead) {
        rc = netback_rx_put(&v->nb, frame, len, flags, &notify);
        if (notify)
            vif_kick(v);
        if (rc == -EPIPE)
            vif_fail(v, v->nb.why);
        if (rc != -EAGAIN)
            return;
    }
    if (v->qlen >= RXQ_MAX || !(q = malloc(sizeof(*q) + len))) {
        v->q_dropped++;
        return;
    }
    q->next = NULL;
    q->len = len;
    q->flags = flags;
    memcpy(q->data, frame, len);
    *v->qtail = q;
    v->qtail = &q->next;
    v->qlen++;
}

/* A packet the guest sent: into the switch. */
static void vif_deliver(void *opaque, const uint8_t *pkt, size_t len,
                        uint16_t flags)
{
    struct vif *v = opaque;

    nswitch_input(&nd.sw, v->swport, pkt, len, flags);
}

static const struct netback_ops vif_ops = {
    .copy = vif_copy,
    .deliver = vif_deliver,
};

static void start_idle(void);

/* The guest sent an event: its transmit ring, then what waits for it. */
static void vif_service(struct vif *v)
{
    bool notify = false;
    int n;

    if (!v->connected)
        return;
    n = netback_tx_poll(&v->nb, &notify);
    if (notify)
        vif_kick(v);
    if (n < 0) {
        vif_fail(v, v->nb.why);
        return;
    }
    if (v->nb.tx_more && !v->pending) {
        /* More than a budget's worth: let the others run first. */
        v->pending = true;
        v->next_pending = nd.pending;
        nd.pending = v;
        start_idle();
    }
    vif_flush_rx(v);
}

static void on_idle(uv_idle_t *h)
{
    struct vif *list = nd.pending;

    nd.pending = NULL;
    for (struct vif *v = list, *next; v; v = next) {
        next = v->next_pending;
        v->pending = false;
        v->next_pending = NULL;
        vif_service(v);
    }
    if (!nd.pending)
        uv_idle_stop(h);
}

static void start_idle(void)
{
    uv_idle_start(&nd.idle, on_idle);
}

static struct vif *vif_by_port(int port)
{
    for (struct vif *v = nd.vifs; v; v = v->next)
        if (v->port == port)
            return v;
    return NULL;
}

static struct vif *vif_by_ids(unsigned int domid, unsigned int devid)
{
    for (struct vif *v = nd.vifs; v; v = v->next)
        if (v->domid == domid && v->devid == devid)
            return v;
    return NULL;
}

static void on_events(uv_poll_t *h, int status, int events)
{
    int port;

    (void)h;
    (void)events;
    if (status < 0) {
        log_msg("event channel descriptor: %s", uv_strerror(status));
        return;
    }
    while ((port = pvevtchn_pending(nd.d.evt)) >= 0) {
        struct vif *v = vif_by_port(port);

        if (v)
            vif_service(v);
        pvevtchn_unmask(nd.d.evt, (uint32_t)port);
    }
}

/* ------------------------------------------------------------- uplinks */

/* Fills in a transport checksum left blank (NETTXF_csum_blank): the
 * field holds the pseudo-header's sum, as Linux's CHECKSUM_PARTIAL. */
static void fill_csum(uint8_t *f, size_t len)
{
    size_t hl, off;
    uint32_t sum = 0;

    if (len < 14 + 20 || f[12] != 0x08 || f[13] != 0x00 || (f[14] >> 4) != 4)
        return;
    hl = (f[14] & 15u) * 4;
    if (len < 14 + hl + 8)
        return;
    if (f[23] == 17)
        off = 6;
    else if (f[23] == 6 && len >= 14 + hl + 20)
        off = 16;
    else
        return;
    for (size_t i = 14 + hl; i + 1 < len; i += 2)
        sum += (uint32_t)(f[i] << 8 | f[i + 1]);
    if ((len - 14 - hl) & 1)
        sum += (uint32_t)f[len - 1] << 8;
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    sum = ~sum & 0xffff;
    if (f[23] == 17 && sum == 0)
        sum = 0xffff;
    f[14 + hl + off] = (uint8_t)(sum >> 8);
    f[14 + hl + off + 1] = (uint8_t)sum;
}

static void tap_out(void *opaque, const uint8_t *frame, size_t len,
                    uint16_t flags)
{
    struct tap *t = opaque;
    const uint8_t *p = frame;

    if (flags & NETTXF_csum_blank) {
        memcpy(nd.frame, frame, len);
        fill_csum(nd.frame, len);
        p = nd.frame;
    }
    if (write(t->fd, p, len) == (ssize_t)len)
        t->out++;
    else
        t->dropped++;
}

static void tap_readable(uv_poll_t *h, int status, int events)
{
    struct tap *t = h->data;
    static uint8_t buf[NETBACK_MAX_PKT + 1];

    (void)events;
    if (status < 0)
        return;
    for (int i = 0; i < 64; i++) {
        ssize_t n = read(t->fd, buf, sizeof(buf));

        if (n <= 0)
            break;
        t->in++;
        if (n >= 14)
            nswitch_input(&nd.sw, t->swport, buf, (size_t)n, 0);
    }
}

/* Opens (creating if needed) TAP device name and makes it a switch port. */
static void tap_attach(const char *name)
{
    struct ifreq ifr;
    struct tap *t;
    int fd, s;

    for (unsigned int i = 0; i < nd.nr_taps; i++)
        if (!strcmp(nd.taps[i].name, name))
            return;
    if (nd.nr_taps == MAX_TAPS) {
        log_msg("uplink %s: no more than %d uplinks", name, MAX_TAPS);
        return;
    }
    fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        log_msg("uplink %s: cannot open /dev/net/tun: %s (no host uplink; "
                "the vifs still reach each other)", name, strerror(errno));
        return;
    }
    memset(&ifr, 0, sizeof(ifr));
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        log_msg("uplink %s: TUNSETIFF: %s (no host uplink)", name,
                strerror(errno));
        close(fd);
        return;
    }
    s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && ioctl(s, SIOCGIFFLAGS, &ifr) == 0) {
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
            log_msg("uplink %s: cannot bring it up: %s", name,
                    strerror(errno));
    }
    if (s >= 0)
        close(s);
    t = &nd.taps[nd.nr_taps];
    memset(t, 0, sizeof(*t));
    snprintf(t->name, sizeof(t->name), "%s", name);
    t->fd = fd;
    t->swport = nswitch_add_port(&nd.sw, tap_out, t);
    if (t->swport < 0) {
        log_msg("uplink %s: the switch is full", name);
        close(fd);
        return;
    }
    uv_poll_init(nd.d.loop, &t->poll, fd);
    t->poll.data = t;
    uv_poll_start(&t->poll, UV_READABLE, tap_readable);
    nd.nr_taps++;
    log_msg("uplink: TAP device %s on the switch (port %d)", name, t->swport);
}

/* ---------------------------------------------- the skeleton's driver */

struct bridge_read {
    unsigned int domid, devid;
};

static void bridge_read(int err, const char *data, size_t len, void *arg)
{
    struct bridge_read *b = arg;
    struct vif *v = err ? NULL : vif_by_ids(b->domid, b->devid);

    free(b);
    if (!v || !len)
        return;
    snprintf(v->bridge, sizeof(v->bridge), "%.*s", (int)len, data);
    /* As Xen's hotplug script: the uplink is there before the guest runs. */
    tap_attach(v->bridge);
}

static int vif_probe(struct xb_dev *d)
{
    static const char *const features[][2] = {
        {"feature-sg", "1"},
        {"feature-rx-copy", "1"},
        {"feature-rx-flip", "0"},
        {"feature-gso-tcpv4", "0"},
        {"feature-gso-tcpv6", "0"},
        {"feature-ipv6-csum-offload", "0"},
        {"feature-multicast-control", "0"},
        {"feature-split-event-channels", "0"},
    };
    struct vif *v = calloc(1, sizeof(*v));
    struct bridge_read *b;
    char path[256];

    if (!v)
        return -ENOMEM;
    v->dev = d;
    v->domid = xb_dev_domid(d);
    v->devid = xb_dev_devid(d);
    v->port = v->swport = -1;
    v->qtail = &v->qhead;
    v->next = nd.vifs;
    nd.vifs = v;
    xb_dev_set_priv(d, v);
    for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
        xb_dev_write(d, features[i][0], features[i][1]);
    b = malloc(sizeof(*b));
    if (b) {
        b->domid = v->domid;
        b->devid = v->devid;
        snprintf(path, sizeof(path), "%s/bridge", xb_dev_backend_path(d));
        if (xsl_async_read(nd.d.xs, XSL_NO_TXN, path, bridge_read, b))
            free(b);
    }
    return 0;
}

static bool parse_uint(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long v;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    v = strtoul(s, &end, 10);
    if (*end || errno || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

static int vif_connect(struct xb_dev *d)
{
    struct vif *v = xb_dev_priv(d);
    uint32_t tx_ref, rx_ref, evtchn, copy;
    char why[200];
    int err = 0, port;

    if (!v)
        return -EINVAL;
    v->failed = false;
    if (!parse_uint(xb_dev_frontend_value(d, "tx-ring-ref"), UINT32_MAX,
                    &tx_ref) ||
        !parse_uint(xb_dev_frontend_value(d, "rx-ring-ref"), UINT32_MAX,
                    &rx_ref) ||
        !parse_uint(xb_dev_frontend_value(d, "event-channel"), UINT32_MAX,
                    &evtchn)) {
        xb_dev_set_error(d, "netback: tx-ring-ref, rx-ring-ref or "
                            "event-channel is not a number");
        return -EINVAL;
    }
    if (!parse_uint(xb_dev_frontend_value(d, "request-rx-copy"), 1, &copy) ||
        copy != 1) {
        xb_dev_set_error(d, "netback: request-rx-copy must be 1 (receive "
                            "flipping is not supported)");
        return -EOPNOTSUPP;
    }
    v->tx_ring = pvgnttab_map_grant_ref(nd.d.gnt, v->domid, tx_ref, false, &err);
    if (v->tx_ring)
        v->rx_ring =
            pvgnttab_map_grant_ref(nd.d.gnt, v->domid, rx_ref, false, &err);
    if (!v->tx_ring || !v->rx_ring) {
        snprintf(why, sizeof(why), "netback: mapping ring %u: %s",
                 v->tx_ring ? rx_ref : tx_ref,
                 pvgnttab_status(err) ? "grant refused" : strerror(-err));
        xb_dev_set_error(d, why);
        vif_teardown(v);
        return err ? err : -EINVAL;
    }
    port = pvevtchn_bind_interdomain(nd.d.evt, v->domid, evtchn);
    if (port < 0) {
        snprintf(why, sizeof(why), "netback: binding event channel %u: %s",
                 evtchn, strerror(-port));
        xb_dev_set_error(d, why);
        vif_teardown(v);
        return port;
    }
    v->port = port;
    netback_init(&v->nb, v->tx_ring, v->rx_ring, &vif_ops, v);
    v->swport = nswitch_add_port(&nd.sw, vif_out, v);
    if (v->swport < 0) {
        xb_dev_set_error(d, "netback: the switch is full");
        vif_teardown(v);
        return -ENOSPC;
    }
    v->connected = true;
    log_msg("vif %u/%u connected (switch port %d, event channel %d)",
            v->domid, v->devid, v->swport, port);
    /* Whatever the guest queued before we came: take it now. */
    vif_service(v);
    vif_kick(v);
    return 0;
}

static void vif_disconnect(struct xb_dev *d)
{
    struct vif *v = xb_dev_priv(d);

    if (!v || !v->connected)
        return;
    log_msg("vif %u/%u disconnected: tx %llu packets %llu bytes %llu "
            "dropped, rx %llu packets %llu bytes %llu without buffers",
            v->domid, v->devid, (unsigned long long)v->nb.stats.tx_packets,
            (unsigned long long)v->nb.stats.tx_bytes,
            (unsigned long long)v->nb.stats.tx_dropped,
            (unsigned long long)v->nb.stats.rx_packets,
            (unsigned long long)v->nb.stats.rx_bytes,
            (unsigned long long)v->nb.stats.rx_no_buffer);
    vif_teardown(v);
}

static void vif_remove(struct xb_dev *d)
{
    struct vif *v = xb_dev_priv(d), **pp;

    if (!v)
        return;
    vif_teardown(v);
    for (struct vif **q = &nd.pending; *q; q = &(*q)->next_pending)
        if (*q == v) {
            *q = v->next_pending;
            break;
        }
    for (pp = &nd.vifs; *pp; pp = &(*pp)->next)
        if (*pp == v) {
            *pp = v->next;
            break;
        }
    xb_dev_set_priv(d, NULL);
    free(v);
}

static const char *const vif_keys[] = {
    "tx-ring-ref", "rx-ring-ref", "event-channel", "request-rx-copy", NULL,
};

static const struct xb_driver vif_driver = {
    .type = "vif",
    .frontend_keys = vif_keys,
    .probe = vif_probe,
    .connect = vif_connect,
    .disconnect = vif_disconnect,
    .remove = vif_remove,
};

/* ------------------------------------------------------------- main */

static int start(struct xb_daemon *d)
{
    nswitch_init(&nd.sw);
    uv_idle_init(d->loop, &nd.idle);
    return 0;
}

static void stop(struct xb_daemon *d)
{
    (void)d;
    uv_close((uv_handle_t *)&nd.idle, NULL);
    for (unsigned int i = 0; i < nd.nr_taps; i++) {
        uv_close((uv_handle_t *)&nd.taps[i].poll, NULL);
        close(nd.taps[i].fd);
    }
}

int main(int argc, char **argv)
{
    static char serving[64];

    snprintf(serving, sizeof(serving), "serving vifs (switch of %d ports)",
             NSWITCH_PORTS);
    nd.d = (struct xb_daemon){
        .name = "netback",
        .usage =
"The network backend: serves every domain's vifs (xenstore\n"
"/local/domain/0/backend/vif/DOMID/DEVID) with Xen's netif protocol, by\n"
"grant copy, and switches frames between them on one learning L2 switch.\n"
"A vif whose configuration says bridge=NAME also connects the switch to\n"
"the host's TAP device NAME (needs /dev/net/tun).  DIR is the machine's\n"
"run directory ($PVISOR_RUNDIR by default).  Started and stopped with the\n"
"machine by the link daemon; restarted, it reconnects to running guests.\n",
        .driver = &vif_driver,
        .on_events = on_events,
        .start = start,
        .stop = stop,
        .serving = serving,
    };
    return xb_daemon_main(&nd.d, argc, argv);
}
