/* SPDX-License-Identifier: MIT */
/*
 * The protocol between libpvctrl and the link daemon, over the Unix stream
 * socket $RUNDIR/link.sock.  Every message, either way, is one fixed-size
 * struct pvlinkd_msg; replies echo the request's id.  Private to this
 * repository: both ends are built together.
 */
#ifndef PVLINKD_PROTO_H
#define PVLINKD_PROTO_H

#include <stdint.h>

#define PVLINKD_PROTO_VERSION 1
#define PVLINKD_SOCKET "link.sock"
#define PVLINKD_WINDOW_SIZE (64 * 1024) /* each client's arena window */

enum pvlinkd_type {
    PVLINKD_HELLO = 1,       /* -> version, flags; <- machine facts, window */
    PVLINKD_HYPERCALL = 2,   /* -> op, args; <- result */
    PVLINKD_STATUS = 3,      /* -> ; <- machine facts; args[0..3] domain
                              * 0's event counters: doorbells, bitmap
                              * scans, ports delivered, event_seq */
    PVLINKD_SHUTDOWN = 4,    /* -> ; <- result once the machine is down */
    PVLINKD_EVTCHN_OPEN = 5, /* -> ; <- cookie (args[0]); see below */
    PVLINKD_EVTCHN_CMD = 6,  /* -> op = PVLINKD_EV_*, args; <- result */
};

/* HELLO args[0]: no argument window (status and event-channel commands). */
#define PVLINKD_HELLO_NO_WINDOW 1

/*
 * Event channels of domain 0 (libpvctrl's pvevtchn, after Xen's
 * libxenevtchn).  A handle is two connections:
 *
 *   the event connection sends EVTCHN_OPEN and gets a cookie; from then on
 *   the daemon writes one uint32_t port number to it for each event, and
 *   it writes struct pvlinkd_evtchn_unmask records to the daemon (no
 *   reply).  Closing it unbinds every port of the handle.
 *
 *   the command connection (a HELLO without a window is enough) sends
 *   EVTCHN_CMD with args[0] = the cookie, op = PVLINKD_EV_* and the
 *   operands below; the result is the local port or 0, or -errno.
 *
 * A port is delivered once and then masked until the handle unmasks it.
 */
enum pvlinkd_ev_op {
    PVLINKD_EV_BIND_UNBOUND = 1,     /* args[1] remote domid */
    PVLINKD_EV_BIND_INTERDOMAIN = 2, /* args[1] remote domid, [2] its port */
    PVLINKD_EV_BIND_VIRQ = 3,        /* args[1] virq */
    PVLINKD_EV_UNBIND = 4,           /* args[1] local port */
    PVLINKD_EV_NOTIFY = 5,           /* args[1] local port */
};

#define PVLINKD_EV_UNMASK 1
struct pvlinkd_evtchn_unmask {
    uint32_t op;   /* PVLINKD_EV_UNMASK */
    uint32_t port;
};

enum pvlinkd_state {
    PVLINKD_STATE_BOOTING = 1,
    PVLINKD_STATE_READY = 2,
    PVLINKD_STATE_STOPPING = 3,
};

struct pvlinkd_msg {
    uint32_t type;
    uint32_t version;
    uint64_t id;
    int64_t result;
    uint64_t op;
    uint64_t args[5];
    /* Machine facts (HELLO and STATUS replies). */
    uint32_t state;
    uint32_t nr_cpus;
    int32_t qemu_pid;
    int32_t daemon_pid;
    uint64_t ram_bytes;
    uint64_t ram_below_4g; /* file offsets [0, this) are machine addresses */
    uint64_t window_maddr;
    uint64_t window_size;
    char accel[8];
    char ram_path[256];
};

_Static_assert(sizeof(struct pvlinkd_msg) == 384, "pvlinkd_msg layout");

#endif /* PVLINKD_PROTO_H */
