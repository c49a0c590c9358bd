/* SPDX-License-Identifier: MIT */
/*
 * The xenbus state machine (xen/io/xenbus.h), both ends, as pure
 * functions: given a device end's own state and the state its peer has
 * just published, the state to switch to and what the driver must do
 * first.  The dom0 backend skeleton (xenbus_back.c) and the guest's
 * frontend (guests/lib/xenbus_dev.c) both drive their devices with these,
 * so the two sides agree by construction; the unit test checks every pair
 * of states.
 *
 * The handshake, as Linux's and Xen's drivers do it:
 *
 *   backend                           frontend
 *   Initialising (toolstack)          Initialising
 *   probe: features -> InitWait
 *                                     sees InitWait: publishes ring-ref,
 *                                     event-channel... -> Initialised
 *   sees Initialised (or Connected):
 *   reads them, connects -> Connected
 *                                     sees Connected -> Connected
 *   ...
 *   sees Closing: disconnects -> Closing   (either end may start closing)
 *   sees Closed: -> Closed; a frontend back at Initialising -> InitWait
 *
 * A state the peer publishes that is not a number 1..8 (or no node at
 * all) is XenbusStateUnknown: the peer is gone or broken, and the device
 * closes.  Freestanding: no library calls.
 */
#ifndef XENBUS_SM_H
#define XENBUS_SM_H

#include <stdbool.h>
#include <stddef.h>

#include <xen/io/xenbus.h>

enum xb_action {
    XB_ACT_NONE,
    XB_ACT_CONNECT,    /* backend: read the frontend's nodes, connect */
    XB_ACT_PUBLISH,    /* frontend: set up the ring, write its nodes */
    XB_ACT_START,      /* frontend: the backend is connected: start I/O */
    XB_ACT_DISCONNECT, /* either: stop using the ring, release it */
};

struct xb_step {
    enum xenbus_state next; /* == own state: no switch */
    enum xb_action action;
    bool gone;              /* the peer vanished: remove the device */
};

/* "1".."8" -> the state; anything else (NULL, "", "9", "4x") Unknown. */
enum xenbus_state xb_parse_state(const char *s, size_t len);
const char *xb_state_name(enum xenbus_state s);

/* The backend, in state self, sees the frontend in state peer. */
struct xb_step xb_backend_step(enum xenbus_state self, enum xenbus_state peer);
/* The frontend, in state self, sees the backend in state peer. */
struct xb_step xb_frontend_step(enum xenbus_state self,
                                enum xenbus_state peer);

#endif /* XENBUS_SM_H */
