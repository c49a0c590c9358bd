/* SPDX-License-Identifier: MIT */
/*
 * The frontend side of a split driver's xenbus handshake, over the
 * guest's xenstore client (xenbus.h) and the shared state machine
 * (drivers/common/xenbus_sm.h).
 *
 * A device is device/<type>/<id> in the domain's home, where the
 * toolstack wrote "backend" (the backend's path) and "backend-id".
 * xenbus_dev_connect() runs the handshake: state Initialising; once the
 * backend is in InitWait it calls publish() (which sets up the ring and
 * writes ring-ref, event-channel... with xenbus_dev_write), state
 * Initialised; once the backend is Connected, state Connected.
 * xenbus_dev_close() is the orderly way out: Closing, wait for the
 * backend to close, Closed.  Errors are negative Xen errno values; a
 * backend that closes or vanishes during the handshake is -XEN_ENODEV,
 * one that does not answer in time -XEN_ETIMEDOUT.
 */
#ifndef GUEST_XENBUS_DEV_H
#define GUEST_XENBUS_DEV_H

#include "guest.h"

#include <xen/io/xenbus.h>

struct xenbus_dev {
    char node[64];       /* device/<type>/<id> */
    char backend[128];   /* the backend's directory */
    unsigned int backend_id;
    enum xenbus_state state, backend_state;
    char token[48];      /* of the watch on the backend's state */
};

typedef long (*xenbus_publish_fn)(struct xenbus_dev *dev, void *arg);

/* Reads backend and backend-id, watches the backend's state. */
long xenbus_dev_init(struct xenbus_dev *dev, const char *type,
                     unsigned int id);
long xenbus_dev_switch_state(struct xenbus_dev *dev, enum xenbus_state s);
/* Writes node/key (the frontend's own nodes). */
long xenbus_dev_write(struct xenbus_dev *dev, const char *key,
                      const char *value);
/* Reads backend/key (the backend's features...). */
long xenbus_dev_read_backend(struct xenbus_dev *dev, const char *key,
                             char *buf, size_t size);
long xenbus_dev_connect(struct xenbus_dev *dev, xenbus_publish_fn publish,
                        void *arg, uint64_t timeout_ns);
long xenbus_dev_close(struct xenbus_dev *dev, uint64_t timeout_ns);

#endif /* GUEST_XENBUS_DEV_H */
