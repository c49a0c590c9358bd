/* SPDX-License-Identifier: MIT */
/*
 * The frontend side of the xenbus handshake (xenbus_dev.h) against a real
 * backend: tests/integration/drivers/xenbus.sh runs this guest with the
 * test backend build/tests/bin/xbback-vtest (drivers/common's skeleton
 * over xenstore-lite) and writes the device nodes a toolstack would.
 *
 * The guest walks device/vtest/ in its xenstore home and, for each
 * device: reads backend and backend-id, waits for the backend's InitWait,
 * reads its feature node, publishes "ring-ref" (a number made from the
 * domain and device ids: there is no ring behind it, the handshake is
 * what is tested) and "event-channel" (a real port, allocated unbound
 * for the backend's domain), waits for Connected, checks the backend
 * read exactly what was published (it copies them to its own "seen-*"
 * nodes before it says Connected), then closes in order.  With restart=1
 * on the command line it connects every device first and stays connected
 * until the test has killed and restarted the backend (which must take
 * the devices over and reconnect) and written data/restarted = 1; the
 * checks and the close then run against the new backend.  Prints TAP on
 * its console; it has no .cfg beside it (test-guests.sh runs those): its
 * configuration is guests/xenbus-dev.cfg.
 */
#include "events.h"
#include "hypercall.h"
#include "tap.h"
#include "timekeeping.h"
#include "xenbus.h"
#include "xenbus_dev.h"

#include <xen/errno.h>
#include <xen/event_channel.h>

#define TIMEOUT (10 * NSEC_PER_SEC)

#define MAX_DEVS 4

struct device {
    struct xenbus_dev dev;
    unsigned int id;
    bool connected;
    char ring_ref[16], port[16]; /* what we published */
};

static long publish(struct xenbus_dev *dev, void *arg)
{
    struct device *d = arg;
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF,
                                      .remote_dom = (domid_t)dev->backend_id};
    long rc;

    rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    if (rc)
        return rc;
    snprintf(d->port, sizeof(d->port), "%u", au.port);
    rc = xenbus_dev_write(dev, "ring-ref", d->ring_ref);
    return rc ? rc : xenbus_dev_write(dev, "event-channel", d->port);
}

static void connect_device(struct device *d, unsigned int domid)
{
    long rc;

    rc = xenbus_dev_init(&d->dev, "vtest", d->id);
    tap_eq(rc, 0, "vtest/%u: backend %s (domain %u), state Initialising",
           d->id, d->dev.backend, d->dev.backend_id);
    if (rc)
        return;
    snprintf(d->ring_ref, sizeof(d->ring_ref), "%u", domid * 100 + d->id);
    rc = xenbus_dev_connect(&d->dev, publish, d, TIMEOUT);
    tap_eq(rc, 0, "vtest/%u: connected (published ring-ref %s, port %s)",
           d->id, d->ring_ref, d->port);
    tap_eq(d->dev.state, XenbusStateConnected,
           "vtest/%u: our state Connected", d->id);
    d->connected = rc == 0;
}

/* What the (possibly restarted) backend says, then an orderly close. */
static void check_and_close(struct device *d)
{
    char buf[32];
    long rc;

    rc = xenbus_dev_read_backend(&d->dev, "state", buf, sizeof(buf));
    tap_check(rc == 1 && buf[0] == '4', "state",
              "vtest/%u: the backend's state is Connected", d->id);
    rc = xenbus_dev_read_backend(&d->dev, "feature-vtest", buf, sizeof(buf));
    tap_check(rc == 1 && buf[0] == '1', "feature",
              "vtest/%u: the backend's feature-vtest is 1", d->id);
    rc = xenbus_dev_read_backend(&d->dev, "seen-ring-ref", buf, sizeof(buf));
    tap_check(rc > 0 && !strcmp(buf, d->ring_ref), "seen",
              "vtest/%u: the backend read our ring-ref: \"%s\"", d->id,
              rc > 0 ? buf : "");
    rc = xenbus_dev_read_backend(&d->dev, "seen-event-channel", buf,
                                 sizeof(buf));
    tap_check(rc > 0 && !strcmp(buf, d->port), "seen",
              "vtest/%u: the backend read our event-channel: \"%s\"",
              d->id, rc > 0 ? buf : "");
    rc = xenbus_dev_close(&d->dev, TIMEOUT);
    tap_eq(rc, 0, "vtest/%u: closed in order", d->id);
    tap_eq(d->dev.state, XenbusStateClosed, "vtest/%u: our state Closed",
           d->id);
}

/*
 * restart=1: stay connected until the test has restarted the backend and
 * written data/restarted (polled through a watch, up to 60 s).
 */
static void wait_for_restart(void)
{
    char path[64], v[8];
    uint64_t end = time_now_ns() + 60 * NSEC_PER_SEC;
    long rc = xenbus_watch("data/restarted", "restarted");

    tap_eq(rc, 0, "watching data/restarted");
    tap_diag("connected; waiting for the backend to be restarted");
    while (xenbus_read("data/restarted", v, sizeof(v)) != 1 &&
           time_now_ns() < end)
        xenbus_wait_watch("restarted", path, sizeof(path),
                          NSEC_PER_SEC);
    rc = xenbus_read("data/restarted", v, sizeof(v));
    tap_check(rc == 1 && v[0] == '1', "restart",
              "the test restarted the backend under us");
    xenbus_unwatch("data/restarted", "restarted");
}

int guest_main(void)
{
    static struct device devs[MAX_DEVS];
    char list[256], buf[16];
    unsigned int domid = 0, n = 0;
    long rc, count;

    guest_init_basic();
    tap_eq(timer_init(), 0, "VIRQ_TIMER bound");
    local_events_enable();
    tap_eq(xenbus_init(), 0, "xenstore ring mapped");
    rc = xenbus_read("domid", buf, sizeof(buf));
    for (long i = 0; i < rc && buf[i] >= '0' && buf[i] <= '9'; i++)
        domid = domid * 10 + (unsigned int)(buf[i] - '0');

    count = xenbus_directory("device/vtest", list, sizeof(list));
    tap_check(count > 0 && count <= MAX_DEVS, "directory",
              "device/vtest lists %ld device(s)", count);
    for (const char *p = list; count > 0 && n < (unsigned long)count &&
                               n < MAX_DEVS;
         p += strlen(p) + 1, n++) {
        for (const char *c = p; *c >= '0' && *c <= '9'; c++)
            devs[n].id = devs[n].id * 10 + (unsigned int)(*c - '0');
        connect_device(&devs[n], domid);
    }
    if (cmdline_value("restart", buf, sizeof(buf)) && buf[0] == '1')
        wait_for_restart();
    for (unsigned int i = 0; i < n; i++)
        if (devs[i].connected)
            check_and_close(&devs[i]);
    tap_done();
}
