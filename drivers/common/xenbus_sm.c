/* SPDX-License-Identifier: MIT */
/* The xenbus state machine, both ends: xenbus_sm.h. */
#include "xenbus_sm.h"

enum xenbus_state xb_parse_state(const char *s, size_t len)
{
    if (!s || len != 1 || s[0] < '1' || s[0] > '8')
        return XenbusStateUnknown;
    return (enum xenbus_state)(s[0] - '0');
}

const char *xb_state_name(enum xenbus_state s)
{
    static const char *const names[] = {
        "Unknown",   "Initialising", "InitWait", "Initialised",
        "Connected", "Closing",      "Closed",   "Reconfiguring",
        "Reconfigured",
    };

    return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s]
                                                                : "invalid";
}

static struct xb_step step(enum xenbus_state next, enum xb_action a)
{
    struct xb_step r = {.next = next, .action = a, .gone = false};

    return r;
}

/* Whether the driver has (or may have) a ring connected in this state. */
static bool back_connected(enum xenbus_state s)
{
    return s == XenbusStateConnected;
}

struct xb_step xb_backend_step(enum xenbus_state self, enum xenbus_state peer)
{
    struct xb_step r = step(self, XB_ACT_NONE);

    switch (peer) {
    case XenbusStateInitialising:
        /* A frontend starting over after a close: offer the device again. */
        if (self == XenbusStateClosed)
            r.next = XenbusStateInitWait;
        break;
    case XenbusStateInitialised:
    case XenbusStateConnected:
        /* Its nodes are written: connect, once. */
        if (self == XenbusStateInitWait || self == XenbusStateInitialised)
            r = step(XenbusStateConnected, XB_ACT_CONNECT);
        break;
    case XenbusStateClosing:
        if (self != XenbusStateClosed && self != XenbusStateClosing)
            r = step(XenbusStateClosing, back_connected(self)
                                             ? XB_ACT_DISCONNECT
                                             : XB_ACT_NONE);
        break;
    case XenbusStateClosed:
        if (self != XenbusStateClosed)
            r = step(XenbusStateClosed, back_connected(self)
                                            ? XB_ACT_DISCONNECT
                                            : XB_ACT_NONE);
        break;
    case XenbusStateUnknown:
        /* No frontend (any more), or one publishing nonsense. */
        r = step(XenbusStateClosed,
                 back_connected(self) ? XB_ACT_DISCONNECT : XB_ACT_NONE);
        r.gone = true;
        break;
    case XenbusStateInitWait:
    case XenbusStateReconfiguring:
    case XenbusStateReconfigured:
    default:
        break; /* nothing to do; reconfiguration is not offered */
    }
    return r;
}

struct xb_step xb_frontend_step(enum xenbus_state self, enum xenbus_state peer)
{
    struct xb_step r = step(self, XB_ACT_NONE);
    bool running = self == XenbusStateInitialised ||
                   self == XenbusStateConnected;

    switch (peer) {
    case XenbusStateInitWait:
        if (self == XenbusStateInitialising)
            r = step(XenbusStateInitialised, XB_ACT_PUBLISH);
        break;
    case XenbusStateConnected:
        if (self == XenbusStateInitialising)
            r = step(XenbusStateInitialised, XB_ACT_PUBLISH);
        else if (self == XenbusStateInitialised)
            r = step(XenbusStateConnected, XB_ACT_START);
        break;
    case XenbusStateClosing:
        /* The backend is going: let go, and say so (Linux: Closed). */
        if (self != XenbusStateClosed)
            r = step(XenbusStateClosed,
                     running ? XB_ACT_DISCONNECT : XB_ACT_NONE);
        break;
    case XenbusStateClosed:
        if (self != XenbusStateClosed)
            r = step(XenbusStateClosed,
                     running ? XB_ACT_DISCONNECT : XB_ACT_NONE);
        break;
    case XenbusStateUnknown:
        r = step(XenbusStateClosed,
                 running ? XB_ACT_DISCONNECT : XB_ACT_NONE);
        r.gone = true;
        break;
    case XenbusStateInitialising:
    case XenbusStateInitialised:
    case XenbusStateReconfiguring:
    case XenbusStateReconfigured:
    default:
        break;
    }
    return r;
}
