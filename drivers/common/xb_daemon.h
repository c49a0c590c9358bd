/* SPDX-License-Identifier: MIT */
/*
 * The process around one backend class (pvisor-blkback, pvisor-netback):
 * the command line (--rundir, --help), the machine's grant and
 * event-channel handles, the xenstore connection and the skeleton's
 * backend (xenbus_back.h) watching /local/domain/0/backend/<type>, the
 * event-channel descriptor in the libuv loop, SIGTERM/SIGINT, and the
 * teardown that leaves the devices' nodes in xenstore so that a
 * successor reconnects to them.
 *
 * The daemon fills in the first group of fields and calls
 * xb_daemon_main(); its callbacks find the handles in the second.
 */
#ifndef XB_DAEMON_H
#define XB_DAEMON_H

#include <uv.h>

#include "xenbus_back.h"

struct pvgnttab;
struct pvevtchn;
struct xsl_async;

struct xb_daemon {
    /* Set by the daemon. */
    const char *name;  /* for the log ("blkback: ...") */
    const char *usage; /* --help: the text after the Usage line */
    const struct xb_driver *driver;
    uv_poll_cb on_events; /* the event-channel descriptor is readable */
    /* After the handles are open, before the backend starts watching:
     * the daemon's own set-up; non-zero ends the process (exit 1). */
    int (*start)(struct xb_daemon *d);
    /* After the backend has let its devices go, before the handles
     * close: the daemon closes its own handles. */
    void (*stop)(struct xb_daemon *d);
    const char *serving; /* logged once everything runs */

    /* Set by xb_daemon_main(). */
    const char *rundir;
    uv_loop_t *loop;
    struct pvgnttab *gnt;
    struct pvevtchn *evt;
    struct xsl_async *xs;
    struct xb_backend *be;
    uv_poll_t evt_poll;
    uv_signal_t sigterm, sigint;
};

void xb_daemon_log(const struct xb_daemon *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Runs the daemon until a signal or a callback's uv_stop(); the exit
 * status: 0, 1 (the machine or xenstore unreachable) or 2 (usage). */
int xb_daemon_main(struct xb_daemon *d, int argc, char **argv);

#endif
