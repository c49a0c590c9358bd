/* SPDX-License-Identifier: MIT */
/*
 * The daemon's libuv side: Unix-socket listeners and their connections,
 * the ring-domain service hook, and orderly shutdown.  xs_main.c parses
 * the command line and calls these; the engine (xs_core.h) never sees
 * libuv.
 */
#ifndef XS_DAEMON_H
#define XS_DAEMON_H

#include <uv.h>

#include "xs_core.h"

struct xs_listener;

struct xs_daemon {
    uv_loop_t *loop;
    struct xsd xsd;
    struct xs_listener *listeners;
    struct xs_client *dirty; /* clients with output or a pending close */
    bool ring_dirty;
    uv_prepare_t flush;
    uv_poll_t evpoll; /* the ring backend's event fd */
    bool evpoll_on;
    bool stopping;
};

int xs_daemon_init(struct xs_daemon *d, uv_loop_t *loop);
/* Listen on path; connections act as domid (0: privileged dom0). */
int xs_daemon_listen(struct xs_daemon *d, const char *path, unsigned int domid);
/* Serve guest rings through rb (see struct xs_ring_backend). */
int xs_daemon_set_ring_backend(struct xs_daemon *d,
                               const struct xs_ring_backend *rb);
/* Close every handle and free the store; the loop then runs dry. */
void xs_daemon_stop(struct xs_daemon *d);
void xs_daemon_free(struct xs_daemon *d);

#endif
