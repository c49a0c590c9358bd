/* SPDX-License-Identifier: MIT */
/*
 * The process around one backend class (see xb_daemon.h).
 */
#include "xb_daemon.h"

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "pvctrl.h"
#include "xsl.h"

void xb_daemon_log(const struct xb_daemon *d, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", d->name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void watch_fired(const char *path, const char *token, void *opaque)
{
    struct xb_daemon *d = opaque;

    if (d->be)
        xb_backend_watch_event(d->be, path, token);
}

static void on_signal(uv_signal_t *s, int signo)
{
    struct xb_daemon *d = s->data;

    xb_daemon_log(d, "signal %d: stopping", signo);
    uv_stop(d->loop);
}

static void usage(const struct xb_daemon *d, FILE *out)
{
    fprintf(out, "Usage: pvisor-%s [--rundir DIR]\n\n%s", d->name, d->usage);
}

/* Opens what the daemon needs; 0, or 1 with the reason logged. */
static int open_handles(struct xb_daemon *d)
{
    char xspath[512];
    int rc;

    rc = pvgnttab_open(d->rundir, &d->gnt);
    if (!rc)
        rc = pvevtchn_open(d->rundir, &d->evt);
    if (rc) {
        xb_daemon_log(d, "cannot reach the machine: %s", strerror(-rc));
        return 1;
    }
    snprintf(xspath, sizeof(xspath), "%s/xenstored/socket", d->rundir);
    d->loop = uv_default_loop();
    rc = xsl_async_open(d->loop, xspath, watch_fired, d, &d->xs);
    if (rc) {
        xb_daemon_log(d, "cannot reach xenstore at %s: %s", xspath,
                      strerror(-rc));
        return 1;
    }
    if (d->start && d->start(d))
        return 1;
    rc = xb_backend_open(&xb_store_xsl, d->xs, 0, d->driver, d, &d->be);
    if (rc) {
        xb_daemon_log(d, "cannot watch the %s backends: %s", d->driver->type,
                      strerror(-rc));
        return 1;
    }
    return 0;
}

int xb_daemon_main(struct xb_daemon *d, int argc, char **argv)
{
    static const struct option opts[] = {
        {"rundir", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char rundir[256];
    int c;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'r') {
            d->rundir = optarg;
        } else if (c == 'h') {
            usage(d, stdout);
            return 0;
        } else {
            usage(d, stderr);
            return 2;
        }
    }
    if (!d->rundir)
        d->rundir = pvisor_rundir(rundir, sizeof(rundir));
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stderr, NULL, _IOLBF, 0);
    if (open_handles(d))
        return 1;
    uv_poll_init(d->loop, &d->evt_poll, pvevtchn_fd(d->evt));
    d->evt_poll.data = d;
    uv_poll_start(&d->evt_poll, UV_READABLE, d->on_events);
    uv_signal_init(d->loop, &d->sigterm);
    d->sigterm.data = d;
    uv_signal_start(&d->sigterm, on_signal, SIGTERM);
    uv_signal_init(d->loop, &d->sigint);
    d->sigint.data = d;
    uv_signal_start(&d->sigint, on_signal, SIGINT);
    xb_daemon_log(d, "%s", d->serving);

    uv_run(d->loop, UV_RUN_DEFAULT);

    /*
     * Devices are left as they are in xenstore: a backend started again
     * reconnects to them.  Their rings and ports go with our handles.
     */
    xb_backend_close(d->be); /* disconnect() and remove() each device */
    d->be = NULL;
    if (d->stop)
        d->stop(d);
    uv_close((uv_handle_t *)&d->evt_poll, NULL);
    uv_close((uv_handle_t *)&d->sigterm, NULL);
    uv_close((uv_handle_t *)&d->sigint, NULL);
    xsl_async_close(d->xs);
    uv_run(d->loop, UV_RUN_DEFAULT);
    uv_loop_close(d->loop);
    pvevtchn_close(d->evt);
    pvgnttab_close(d->gnt);
    return 0;
}
