/* SPDX-License-Identifier: MIT */
/* The frontend side of the xenbus handshake: xenbus_dev.h. */
#include "xenbus_dev.h"
#include "xenbus.h"

#include "../../drivers/common/xenbus_sm.h"

#include <xen/errno.h>

static long read_backend_state(struct xenbus_dev *dev)
{
    char path[160], v[8];
    long n;

    snprintf(path, sizeof(path), "%s/state", dev->backend);
    n = xenbus_read(path, v, sizeof(v));
    dev->backend_state =
        n < 0 ? XenbusStateUnknown : xb_parse_state(v, (size_t)n);
    return 0;
}

long xenbus_dev_switch_state(struct xenbus_dev *dev, enum xenbus_state s)
{
    char v[4];
    long rc;

    if (dev->state == s)
        return 0;
    snprintf(v, sizeof(v), "%d", (int)s);
    rc = xenbus_dev_write(dev, "state", v);
    if (!rc)
        dev->state = s;
    return rc;
}

long xenbus_dev_write(struct xenbus_dev *dev, const char *key,
                      const char *value)
{
    char path[128];

    snprintf(path, sizeof(path), "%s/%s", dev->node, key);
    return xenbus_write(path, value);
}

long xenbus_dev_read_backend(struct xenbus_dev *dev, const char *key,
                             char *buf, size_t size)
{
    char path[192];

    snprintf(path, sizeof(path), "%s/%s", dev->backend, key);
    return xenbus_read(path, buf, size);
}

long xenbus_dev_init(struct xenbus_dev *dev, const char *type,
                     unsigned int id)
{
    char path[160], v[16];
    long n;

    memset(dev, 0, sizeof(*dev));
    snprintf(dev->node, sizeof(dev->node), "device/%s/%u", type, id);
    snprintf(path, sizeof(path), "%s/backend", dev->node);
    n = xenbus_read(path, dev->backend, sizeof(dev->backend));
    if (n < 0)
        return n;
    if (n == 0 || dev->backend[0] != '/' ||
        (size_t)n >= sizeof(dev->backend) - 1)
        return -XEN_EINVAL;
    snprintf(path, sizeof(path), "%s/backend-id", dev->node);
    n = xenbus_read(path, v, sizeof(v));
    if (n <= 0)
        return n < 0 ? n : -XEN_EINVAL;
    dev->backend_id = 0;
    for (long i = 0; i < n; i++) {
        if (v[i] < '0' || v[i] > '9')
            return -XEN_EINVAL;
        dev->backend_id = dev->backend_id * 10 + (unsigned int)(v[i] - '0');
    }
    dev->state = XenbusStateUnknown;
    n = xenbus_dev_switch_state(dev, XenbusStateInitialising);
    if (n)
        return n;
    snprintf(dev->token, sizeof(dev->token), "xbdev-%s-%u", type, id);
    snprintf(path, sizeof(path), "%s/state", dev->backend);
    return xenbus_watch(path, dev->token);
}

/* Waits for the backend's state to change (the watch), up to deadline. */
static long wait_backend(struct xenbus_dev *dev, uint64_t *left_ns)
{
    char path[160];
    uint64_t slice = *left_ns;
    long rc;

    if (!slice)
        return -XEN_ETIMEDOUT;
    rc = xenbus_wait_watch(dev->token, path, sizeof(path), slice);
    /* Coarse: each wait uses up its whole slice unless an event came. */
    if (rc == -XEN_ETIMEDOUT)
        *left_ns = 0;
    return rc == -XEN_ETIMEDOUT ? rc : 0;
}

long xenbus_dev_connect(struct xenbus_dev *dev, xenbus_publish_fn publish,
                        void *arg, uint64_t timeout_ns)
{
    uint64_t left = timeout_ns;

    for (;;) {
        struct xb_step s;
        long rc;

        read_backend_state(dev);
        s = xb_frontend_step(dev->state, dev->backend_state);
        if (s.action == XB_ACT_PUBLISH) {
            rc = publish ? publish(dev, arg) : 0;
            if (rc) {
                xenbus_dev_switch_state(dev, XenbusStateClosing);
                return rc;
            }
        }
        if (s.next != dev->state) {
            rc = xenbus_dev_switch_state(dev, s.next);
            if (rc)
                return rc;
        }
        if (s.action == XB_ACT_START || dev->state == XenbusStateConnected)
            return 0;
        if (s.gone || dev->state == XenbusStateClosed ||
            dev->state == XenbusStateClosing)
            return -XEN_ENODEV;
        if (s.next != XenbusStateUnknown && s.action != XB_ACT_NONE)
            continue; /* look again before waiting: it may have moved */
        rc = wait_backend(dev, &left);
        if (rc)
            return rc;
    }
}

long xenbus_dev_close(struct xenbus_dev *dev, uint64_t timeout_ns)
{
    uint64_t left = timeout_ns;
    char path[160];
    long rc = xenbus_dev_switch_state(dev, XenbusStateClosing);

    while (!rc) {
        read_backend_state(dev);
        if (dev->backend_state == XenbusStateClosing ||
            dev->backend_state == XenbusStateClosed ||
            dev->backend_state == XenbusStateUnknown)
            break;
        rc = wait_backend(dev, &left);
    }
    if (!rc)
        rc = xenbus_dev_switch_state(dev, XenbusStateClosed);
    snprintf(path, sizeof(path), "%s/state", dev->backend);
    xenbus_unwatch(path, dev->token);
    return rc;
}
