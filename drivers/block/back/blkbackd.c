/* SPDX-License-Identifier: MIT */
/*
 * pvisor-blkback: the block backend daemon, as Xen's blkback serves
 * virtual block devices (vbd) from dom0.  The link daemon starts it with
 * the machine, next to pvisor-consoled, and restarts it if it dies.
 *
 * Devices are found by the xenbus backend skeleton (drivers/common/
 * xenbus_back.h) under /local/domain/0/backend/vbd/<domid>/<devid>, where
 * the toolstack (pvctl create, block-attach) wrote, as libxl does:
 *   params   the image file's absolute path
 *   type     "raw" (the only format)
 *   mode     "w" (read-write) or "r" (read-only)
 *   dev      the guest's name for it (xvda...), for the logs
 * probe() opens the image and publishes what Xen's blkback does: sectors,
 * sector-size (512), physical-sector-size, info (VDISK_READONLY for "r"),
 * feature-flush-cache and feature-barrier (both 1).  connect() maps the
 * frontend's ring-ref (one page: no ring-page-order is offered), binds its
 * event-channel, checks protocol (x86_64-abi, the default), and serves
 * whatever is on the ring already.  The ring page is the only guest page
 * mapped; all data moves by grant copy (libpvctrl's pvgnttab_grant_copy),
 * through the core in blkback.c.
 *
 * A ring whose indexes make no sense (blkback_poll() says broken) is
 * disconnected at once: its event channel unbound, the ring unmapped, the
 * reason in the backend's "error" node and its state Closing (the
 * skeleton's xb_dev_fail(), which then knows it is Closing).  Other
 * devices go on.  A device whose requests are served BLKBACK_BUDGET at a
 * time yields to the others between passes (an idle handle).
 *
 * The skeleton also finds the devices that exist already: a restarted
 * backend reconnects to running guests, and answers the requests still on
 * their rings (blkback.h says why none is lost).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "blkback.h"
#include "pvctrl.h"
#include "../../common/xb_daemon.h"
#include "xsl.h"

#include <xen/io/protocols.h>

#define MAX_PORTS 4096

struct vbd {
    struct xb_dev *dev;
    unsigned int domid, devid;
    char name[32];       /* "dom 3 xvda (51712)" for the logs */
    char params[1024];
    int fd;
    uint64_t sectors;
    bool readonly;
    void *ring;          /* the frontend's ring page, mapped */
    int port;            /* ours, bound to the frontend's; -1 if none */
    bool busy;           /* in the idle list: more to serve */
    struct vbd *next_busy;
    struct blkback bb;   /* last: its buffer is large */
};

static struct {
    struct xb_daemon d;     /* loop, grant and event handles, xenstore */
    uv_idle_t idle;
    struct xsl_handle *xss; /* synchronous: probe's reads */
    struct vbd *by_port[MAX_PORTS];
    struct vbd *busy;
    bool idle_on;
} bd;

#define log_msg(...) xb_daemon_log(&bd.d, __VA_ARGS__)

/* ------------------------------------------------------------ data path */

static int grant_copy(void *opaque, struct blkback_copy *c, unsigned int n)
{
    struct vbd *v = opaque;
    struct pvgnttab_copy_segment segs[BLKIF_MAX_SEGMENTS_PER_REQUEST];
    int rc;

    if (n > BLKIF_MAX_SEGMENTS_PER_REQUEST)
        return -EINVAL;
    for (unsigned int i = 0; i < n; i++) {
        struct pvgnttab_copy_segment *s = &segs[i];

        memset(s, 0, sizeof(*s));
        s->len = c[i].len;
        if (c[i].to_guest) {
            s->source.virt = c[i].local;
            s->dest.foreign.ref = c[i].gref;
            s->dest.foreign.offset = c[i].offset;
            s->dest.foreign.domid = (uint16_t)v->domid;
            s->flags = GNTCOPY_dest_gref;
        } else {
            s->source.foreign.ref = c[i].gref;
            s->source.foreign.offset = c[i].offset;
            s->source.foreign.domid = (uint16_t)v->domid;
            s->dest.virt = c[i].local;
            s->flags = GNTCOPY_source_gref;
        }
    }
    rc = pvgnttab_grant_copy(bd.d.gnt, n, segs);
    if (rc)
        return rc;
    for (unsigned int i = 0; i < n; i++)
        c[i].status = segs[i].status;
    return 0;
}

static const struct blkback_ops copy_ops = {.copy = grant_copy};

static void teardown(struct vbd *v)
{
    if (v->port >= 0) {
        if (v->port < MAX_PORTS)
            bd.by_port[v->port] = NULL;
        pvevtchn_unbind(bd.d.evt, (uint32_t)v->port);
        v->port = -1;
    }
    if (v->ring) {
        pvgnttab_unmap(bd.d.gnt, v->ring, 1);
        v->ring = NULL;
    }
    v->busy = false; /* the idle pass drops it from the list */
}

static void on_idle(uv_idle_t *h);

/* Serves one pass of v's ring; false if the ring is broken (now closed). */
static bool serve(struct vbd *v)
{
    bool notify;
    int n;

    if (!v->ring)
        return true;
    n = blkback_poll(&v->bb, &notify);
    if (notify)
        pvevtchn_notify(bd.d.evt, (uint32_t)v->port);
    if (n < 0) {
        char why[256];

        log_msg("%s: ring broken: %s; disconnecting it", v->name, v->bb.why);
        snprintf(why, sizeof(why), "ring broken: %s", v->bb.why);
        teardown(v); /* also when called from connect(), not connected yet */
        xb_dev_fail(v->dev, why);
        return false;
    }
    if (v->bb.more && !v->busy) {
        v->busy = true;
        v->next_busy = bd.busy;
        bd.busy = v;
        if (!bd.idle_on) {
            bd.idle_on = true;
            uv_idle_start(&bd.idle, on_idle);
        }
    }
    return true;
}

/* Devices that stopped at their budget get another pass each. */
static void on_idle(uv_idle_t *h)
{
    struct vbd *list = bd.busy;

    (void)h;
    bd.busy = NULL;
    while (list) {
        struct vbd *v = list;

        list = v->next_busy;
        if (v->busy) {
            v->busy = false;
            serve(v);
        }
    }
    if (!bd.busy) {
        bd.idle_on = false;
        uv_idle_stop(&bd.idle);
    }
}

static void on_events(uv_poll_t *h, int status, int events)
{
    int port;

    (void)h;
    (void)events;
    if (status < 0) {
        log_msg("event channel descriptor: %s", uv_strerror(status));
        uv_stop(bd.d.loop);
        return;
    }
    while ((port = pvevtchn_pending(bd.d.evt)) >= 0) {
        struct vbd *v = port < MAX_PORTS ? bd.by_port[port] : NULL;

        pvevtchn_unmask(bd.d.evt, (uint32_t)port);
        if (v)
            serve(v);
    }
    if (port != -EAGAIN) {
        log_msg("event channels: %s", strerror(-port));
        if (port == -EPIPE || port == -ECONNRESET)
            uv_stop(bd.d.loop); /* the machine is gone */
    }
}

/* ------------------------------------------------------- xenbus driver */

/* A backend node of the device, read synchronously (malloc'd) or NULL. */
static char *read_node(struct xb_dev *dev, const char *key)
{
    char path[256], *val = NULL;
    size_t len;

    snprintf(path, sizeof(path), "%s/%s", xb_dev_backend_path(dev), key);
    if (xsl_read(bd.xss, XSL_NO_TXN, path, &val, &len))
        return NULL;
    return val;
}

static void put(struct xb_dev *dev, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void put(struct xb_dev *dev, const char *key, const char *fmt, ...)
{
    char v[64];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(v, sizeof(v), fmt, ap);
    va_end(ap);
    xb_dev_write(dev, key, v);
}

static int refuse(struct xb_dev *dev, struct vbd *v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(struct xb_dev *dev, struct vbd *v, const char *fmt, ...)
{
    char why[1200];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    log_msg("%s: %s", v ? v->name : xb_dev_backend_path(dev), why);
    xb_dev_set_error(dev, why);
    return -1;
}

static int vbd_probe(struct xb_dev *dev)
{
    struct vbd *v = aligned_alloc(BLKBACK_PAGE, sizeof(struct vbd));
    char *params = read_node(dev, "params"), *type = read_node(dev, "type");
    char *mode = read_node(dev, "mode"), *name = read_node(dev, "dev");
    int rc = -1;

    if (!v) {
        log_msg("%s: out of memory", xb_dev_backend_path(dev));
        goto out;
    }
    memset(v, 0, offsetof(struct vbd, bb));
    v->dev = dev;
    v->fd = -1;
    v->port = -1;
    v->domid = xb_dev_domid(dev);
    v->devid = xb_dev_devid(dev);
    snprintf(v->name, sizeof(v->name), "dom %u %s (%u)", v->domid,
             name ? name : "vbd", v->devid);
    if (!params || !params[0]) {
        refuse(dev, v, "no params (the image file) in the backend");
        goto out;
    }
    if (type && strcmp(type, "raw") && strcmp(type, "file") &&
        strcmp(type, "phy")) {
        refuse(dev, v, "type '%s' not supported: raw images only", type);
        goto out;
    }
    if (mode && strcmp(mode, "w") && strcmp(mode, "r")) {
        refuse(dev, v, "mode '%s' is neither w nor r", mode);
        goto out;
    }
    v->readonly = mode && !strcmp(mode, "r");
    snprintf(v->params, sizeof(v->params), "%s", params);
    v->fd = open(v->params, (v->readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (v->fd < 0) {
        refuse(dev, v, "%s: %s", v->params, strerror(errno));
        goto out;
    }
    rc = blkback_image_sectors(v->fd, &v->sectors);
    if (rc) {
        refuse(dev, v, "%s: not a disk image: %s", v->params, strerror(-rc));
        rc = -1;
        goto out;
    }
    put(dev, "sectors", "%llu", (unsigned long long)v->sectors);
    put(dev, "sector-size", "%u", BLKBACK_SECTOR);
    put(dev, "physical-sector-size", "%u", BLKBACK_SECTOR);
    put(dev, "info", "%u", v->readonly ? VDISK_READONLY : 0);
    put(dev, "feature-flush-cache", "1");
    put(dev, "feature-barrier", "1");
    xb_dev_set_priv(dev, v);
    log_msg("%s: %s, %llu sectors, %s", v->name, v->params,
            (unsigned long long)v->sectors, v->readonly ? "ro" : "rw");
    v = NULL;
    rc = 0;
out:
    if (v && v->fd >= 0)
        close(v->fd);
    free(v);
    free(params);
    free(type);
    free(mode);
    free(name);
    return rc;
}

static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    unsigned long n;

    if (!s || *s < '0' || *s > '9')
        return false;
    errno = 0;
    n = strtoul(s, &end, 10);
    if (*end || errno || n > max)
        return false;
    *out = n;
    return true;
}

static int vbd_connect(struct xb_dev *dev)
{
    struct vbd *v = xb_dev_priv(dev);
    const char *rref = xb_dev_frontend_value(dev, "ring-ref");
    const char *evt = xb_dev_frontend_value(dev, "event-channel");
    char path[256], *proto = NULL;
    unsigned long ref, port;
    size_t len;
    int err = 0, local;

    if (!v)
        return -1;
    teardown(v);
    if (!parse_uint(rref, 0xffffffffUL, &ref))
        return refuse(dev, v, "bad ring-ref '%s'", rref ? rref : "");
    if (!parse_uint(evt, 0xffffffffUL, &port))
        return refuse(dev, v, "bad event-channel '%s'", evt ? evt : "");
    snprintf(path, sizeof(path), "%s/protocol", xb_dev_frontend_path(dev));
    if (!xsl_read(bd.xss, XSL_NO_TXN, path, &proto, &len) &&
        strcmp(proto, XEN_IO_PROTO_ABI_X86_64)) {
        refuse(dev, v, "protocol '%s' not supported (%s only)", proto,
               XEN_IO_PROTO_ABI_X86_64);
        free(proto);
        return -1;
    }
    free(proto);
    v->ring = pvgnttab_map_grant_ref(bd.d.gnt, v->domid, (uint32_t)ref, false,
                                     &err);
    if (!v->ring) {
        int st = pvgnttab_status(err);

        return refuse(dev, v, "cannot map ring-ref %lu: %s", ref,
                      st ? "bad grant" : strerror(-err));
    }
    local = pvevtchn_bind_interdomain(bd.d.evt, v->domid, (uint32_t)port);
    if (local < 0 || local >= MAX_PORTS) {
        if (local >= 0)
            pvevtchn_unbind(bd.d.evt, (uint32_t)local);
        teardown(v);
        return refuse(dev, v, "cannot bind event-channel %lu: %s", port,
                      strerror(local < 0 ? -local : EMFILE));
    }
    v->port = local;
    bd.by_port[local] = v;
    blkback_init(&v->bb, v->ring, BLKBACK_PAGE, v->fd, v->sectors,
                 v->readonly, &copy_ops, v);
    log_msg("%s: connected: ring-ref %lu, event channel %lu (ours %d); "
            "ring: %u requests, %u responses",
            v->name, ref, port, local, v->bb.ring.sring->req_prod,
            v->bb.ring.sring->rsp_prod);
    /* Requests queued before we came (or before a restart). */
    if (!serve(v))
        return -1;
    return 0;
}

static void vbd_disconnect(struct xb_dev *dev)
{
    struct vbd *v = xb_dev_priv(dev);

    if (!v)
        return;
    if (v->ring)
        log_msg("%s: disconnected: %llu requests (%llu reads, %llu writes, "
                "%llu flushes, %llu barriers), %llu errors",
                v->name, (unsigned long long)v->bb.stats.requests,
                (unsigned long long)v->bb.stats.reads,
                (unsigned long long)v->bb.stats.writes,
                (unsigned long long)v->bb.stats.flushes,
                (unsigned long long)v->bb.stats.barriers,
                (unsigned long long)v->bb.stats.errors);
    teardown(v);
}

static void vbd_remove(struct xb_dev *dev)
{
    struct vbd *v = xb_dev_priv(dev);

    if (!v)
        return;
    teardown(v);
    /* Out of the idle list before it goes. */
    for (struct vbd **pp = &bd.busy; *pp; pp = &(*pp)->next_busy)
        if (*pp == v) {
            *pp = v->next_busy;
            break;
        }
    if (v->fd >= 0)
        close(v->fd);
    log_msg("%s: removed", v->name);
    xb_dev_set_priv(dev, NULL);
    free(v);
}

static const char *const frontend_keys[] = {"ring-ref", "event-channel",
                                            NULL};
static const struct xb_driver vbd_driver = {
    .type = "vbd",
    .frontend_keys = frontend_keys,
    .probe = vbd_probe,
    .connect = vbd_connect,
    .disconnect = vbd_disconnect,
    .remove = vbd_remove,
};

static int start(struct xb_daemon *d)
{
    char xspath[512];
    int rc;

    snprintf(xspath, sizeof(xspath), "%s/xenstored/socket", d->rundir);
    rc = xsl_open(xspath, &bd.xss);
    if (rc) {
        log_msg("cannot reach xenstore at %s: %s", xspath, strerror(-rc));
        return 1;
    }
    uv_idle_init(d->loop, &bd.idle);
    return 0;
}

static void stop(struct xb_daemon *d)
{
    (void)d;
    uv_close((uv_handle_t *)&bd.idle, NULL);
    xsl_close(bd.xss);
}

int main(int argc, char **argv)
{
    bd.d = (struct xb_daemon){
        .name = "blkback",
        .usage =
"Serves the virtual block devices under /local/domain/0/backend/vbd from\n"
"raw image files (Xen's blkif protocol; data by grant copy).  DIR is the\n"
"machine's run directory ($PVISOR_RUNDIR by default).  Started and\n"
"stopped with the machine by the link daemon.\n",
        .driver = &vbd_driver,
        .on_events = on_events,
        .start = start,
        .stop = stop,
        .serving = "serving /local/domain/0/backend/vbd",
    };
    return xb_daemon_main(&bd.d, argc, argv);
}
