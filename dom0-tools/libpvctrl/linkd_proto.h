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
    PVLINKD_HELLO = 1,     /* -> version; <- machine facts and the window */
    PVLINKD_HYPERCALL = 2, /* -> op, args; <- result */
    PVLINKD_STATUS = 3,    /* -> ; <- machine facts */
    PVLINKD_SHUTDOWN = 4,  /* -> ; <- result once the machine is down */
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
