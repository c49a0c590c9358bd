/* SPDX-License-Identifier: MIT */
/*
 * The backend skeleton of a split driver in dom0: finds the devices the
 * toolstack creates under /local/domain/<self>/backend/<type>/<domid>/
 * <devid>, follows each frontend's state, and runs the xenbus handshake
 * (xenbus_sm.h) around a device class's four callbacks.  One skeleton
 * per device class, in whatever daemon serves that class.
 *
 * For each device:
 *   1. the backend directory appears with "frontend" (the frontend's
 *      path, which must be /local/domain/<domid>/device/<type>/<devid>)
 *      and "frontend-id": probe() writes the feature nodes
 *      (xb_dev_write), then the state becomes InitWait;
 *   2. the frontend publishes Initialised (or Connected): the
 *      skeleton reads the driver's frontend_keys (all must exist),
 *      connect() maps the ring and binds the event channel; 0 makes the
 *      state Connected, an error Closing (and "error" says why);
 *   3. the frontend closes (Closing/Closed) or vanishes (no state node or
 *      nonsense in it): disconnect(), state Closing/Closed;
 *   4. the toolstack removes the backend directory: disconnect() if still
 *      connected, remove(), and the device is forgotten.
 * A frontend can only ever close its own device.
 *
 * Devices are found by listing the backend directory when its watch is
 * set (so a backend that restarts finds the devices of running guests:
 * it probes them again and, as their frontends are still Connected,
 * connects again with the nodes they published) and then through the
 * watch.  Closing the backend disconnects and removes its devices without
 * writing their state, so a successor takes over from where it was.
 *
 * The skeleton talks to xenstore through struct xb_store_ops (libxsl's
 * libuv client: xb_store_xsl, or a fake store in the unit tests); the
 * daemon passes every watch event of its connection to
 * xb_backend_watch_event().
 */
#ifndef XENBUS_BACK_H
#define XENBUS_BACK_H

#include <stdbool.h>
#include <stddef.h>

#include "xenbus_sm.h"

typedef void (*xb_store_cb)(int err, const char *data, size_t len, void *arg);

struct xb_store_ops {
    /* A callback may run before the call returns (the fake store's do). */
    int (*read)(void *store, const char *path, xb_store_cb cb, void *arg);
    int (*write)(void *store, const char *path, const char *value,
                 xb_store_cb cb, void *arg);
    int (*watch)(void *store, const char *path, const char *token);
    int (*unwatch)(void *store, const char *path, const char *token);
    /* The children of path, each followed by a NUL (XS_DIRECTORY). */
    int (*directory)(void *store, const char *path, xb_store_cb cb,
                     void *arg);
};

/* libxsl's async client as a store: store is a struct xsl_async *. */
extern const struct xb_store_ops xb_store_xsl;

struct xb_dev;

struct xb_driver {
    const char *type;                 /* "vif", "vbd", ... */
    const char *const *frontend_keys; /* NULL-terminated; read at connect */
    int (*probe)(struct xb_dev *dev);
    int (*connect)(struct xb_dev *dev);
    void (*disconnect)(struct xb_dev *dev);
    void (*remove)(struct xb_dev *dev);
};

struct xb_backend;

int xb_backend_open(const struct xb_store_ops *ops, void *store,
                    unsigned int self_domid, const struct xb_driver *drv,
                    void *opaque, struct xb_backend **out);
/* Disconnects and removes every device. */
void xb_backend_close(struct xb_backend *be);
void xb_backend_watch_event(struct xb_backend *be, const char *path,
                            const char *token);
void *xb_backend_opaque(const struct xb_backend *be);
/* How many devices the skeleton knows (tests, status). */
unsigned int xb_backend_nr_devs(const struct xb_backend *be);

unsigned int xb_dev_domid(const struct xb_dev *d);
unsigned int xb_dev_devid(const struct xb_dev *d);
enum xenbus_state xb_dev_state(const struct xb_dev *d);
enum xenbus_state xb_dev_frontend_state(const struct xb_dev *d);
const char *xb_dev_backend_path(const struct xb_dev *d);
const char *xb_dev_frontend_path(const struct xb_dev *d);
/* A frontend key's value as read for connect(); NULL if not a key. */
const char *xb_dev_frontend_value(const struct xb_dev *d, const char *key);
/* Writes backend/<...>/key (asynchronously; failures are logged). */
int xb_dev_write(struct xb_dev *d, const char *key, const char *value);
/* Why connect() failed, written to the backend's "error" node. */
void xb_dev_set_error(struct xb_dev *d, const char *why);
/*
 * The driver gives up on a device (its frontend broke the ring): why goes
 * to "error", disconnect() runs if connected, the state becomes Closing.
 */
void xb_dev_fail(struct xb_dev *d, const char *why);
struct xb_backend *xb_dev_backend(const struct xb_dev *d);
void *xb_dev_priv(const struct xb_dev *d);
void xb_dev_set_priv(struct xb_dev *d, void *priv);

#endif /* XENBUS_BACK_H */
