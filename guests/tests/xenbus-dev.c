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
 * nodes before it says Connected), then closes in order.  Prints TAP on
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

struct published {
    char ring_ref[16], port[16];
};

static long publish(struct xenbus_dev *dev, void *arg)
{
    struct published *p = arg;
    struct evtchn_alloc_unbound au = {.dom = DOMID_SELF,
                                      .remote_dom = (domid_t)dev->backend_id};
    long rc;

    rc = HYPERVISOR_event_channel_op(EVTCHNOP_alloc_unbound, &au);
    if (rc)
        return rc;
    snprintf(p->port, sizeof(p->port), "%u", au.port);
    rc = xenbus_dev_write(dev, "ring-ref", p->ring_ref);
    return rc ? rc : xenbus_dev_write(dev, "event-channel", p->port);
}

static void one_device(unsigned int domid, unsigned int id)
{
    struct xenbus_dev dev;
    struct published pub;
    char buf[32];
    long rc;

    rc = xenbus_dev_init(&dev, "vtest", id);
    tap_eq(rc, 0, "vtest/%u: backend %s (domain %u), state Initialising",
           id, dev.backend, dev.backend_id);
    if (rc)
        return;
    snprintf(pub.ring_ref, sizeof(pub.ring_ref), "%u", domid * 100 + id);
    rc = xenbus_dev_connect(&dev, publish, &pub, TIMEOUT);
    tap_eq(rc, 0, "vtest/%u: connected (published ring-ref %s, port %s)", id,
           pub.ring_ref, pub.port);
    tap_eq(dev.state, XenbusStateConnected, "vtest/%u: our state Connected",
           id);
    rc = xenbus_dev_read_backend(&dev, "feature-vtest", buf, sizeof(buf));
    tap_check(rc == 1 && buf[0] == '1', "feature",
              "vtest/%u: the backend's feature-vtest is 1", id);
    rc = xenbus_dev_read_backend(&dev, "seen-ring-ref", buf, sizeof(buf));
    tap_check(rc > 0 && !strcmp(buf, pub.ring_ref), "seen",
              "vtest/%u: the backend read our ring-ref: \"%s\"", id,
              rc > 0 ? buf : "");
    rc = xenbus_dev_read_backend(&dev, "seen-event-channel", buf, sizeof(buf));
    tap_check(rc > 0 && !strcmp(buf, pub.port), "seen",
              "vtest/%u: the backend read our event-channel: \"%s\"", id,
              rc > 0 ? buf : "");
    rc = xenbus_dev_close(&dev, TIMEOUT);
    tap_eq(rc, 0, "vtest/%u: closed in order", id);
    tap_eq(dev.state, XenbusStateClosed, "vtest/%u: our state Closed", id);
}

int guest_main(void)
{
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
    tap_check(count > 0, "directory", "device/vtest lists %ld device(s)",
              count);
    for (const char *p = list; count > 0 && n < (unsigned long)count;
         p += strlen(p) + 1, n++) {
        unsigned int id = 0;

        for (const char *c = p; *c >= '0' && *c <= '9'; c++)
            id = id * 10 + (unsigned int)(*c - '0');
        one_device(domid, id);
    }
    tap_done();
}
