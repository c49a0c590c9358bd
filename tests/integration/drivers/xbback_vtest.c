/* SPDX-License-Identifier: MIT */
/*
 * A test backend on drivers/common's skeleton (xenbus_back.h) over
 * xenstore-lite's libuv client: the device class "vtest", with no ring
 * behind it.  It runs the real handshake so that
 * tests/integration/drivers/xenbus.sh can check the skeleton, libxsl's
 * async client and the guest's frontend (guests/tests/xenbus-dev.c)
 * against each other:
 *
 *   probe       writes feature-vtest = 1
 *   connect     checks ring-ref and event-channel are decimal numbers
 *               (else refuses, with "error"), copies them to its own
 *               seen-ring-ref and seen-event-channel
 *   disconnect, remove: only logged
 *
 * Every callback prints one line on stdout ("probe 5/0", "connect 5/0
 * ring-ref=500 event-channel=3", ...), flushed, for the test to read.
 * Usage: xbback-vtest XENSTORED-SOCKET; SIGTERM ends it.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "xenbus_back.h"
#include "xsl.h"

static struct xb_backend *backend;

static void say(const char *what, struct xb_dev *d, const char *more)
{
    printf("%s %u/%u%s%s\n", what, xb_dev_domid(d), xb_dev_devid(d),
           more ? " " : "", more ? more : "");
    fflush(stdout);
}

static int vtest_probe(struct xb_dev *d)
{
    say("probe", d, NULL);
    return xb_dev_write(d, "feature-vtest", "1");
}

static bool decimal(const char *s)
{
    if (!s || !*s || strlen(s) > 10)
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int vtest_connect(struct xb_dev *d)
{
    const char *ref = xb_dev_frontend_value(d, "ring-ref");
    const char *port = xb_dev_frontend_value(d, "event-channel");
    char line[128];

    snprintf(line, sizeof(line), "ring-ref=%s event-channel=%s", ref, port);
    if (!decimal(ref) || !decimal(port)) {
        say("refuse", d, line);
        xb_dev_set_error(d, "ring-ref and event-channel must be numbers");
        return -EINVAL;
    }
    say("connect", d, line);
    xb_dev_write(d, "seen-ring-ref", ref);
    xb_dev_write(d, "seen-event-channel", port);
    return 0;
}

static void vtest_disconnect(struct xb_dev *d) { say("disconnect", d, NULL); }
static void vtest_remove(struct xb_dev *d) { say("remove", d, NULL); }

static const char *const vtest_keys[] = {"ring-ref", "event-channel", NULL};

static const struct xb_driver vtest = {
    .type = "vtest",
    .frontend_keys = vtest_keys,
    .probe = vtest_probe,
    .connect = vtest_connect,
    .disconnect = vtest_disconnect,
    .remove = vtest_remove,
};

static void on_watch(const char *path, const char *token, void *opaque)
{
    (void)opaque;
    if (backend)
        xb_backend_watch_event(backend, path, token);
}

static void on_signal(uv_signal_t *s, int signum)
{
    (void)signum;
    uv_stop(s->loop);
}

int main(int argc, char **argv)
{
    uv_loop_t *loop = uv_default_loop();
    struct xsl_async *xs;
    uv_signal_t sigterm;
    int rc;

    if (argc != 2) {
        fprintf(stderr, "usage: xbback-vtest XENSTORED-SOCKET\n");
        return 2;
    }
    rc = xsl_async_open(loop, argv[1], on_watch, NULL, &xs);
    if (rc) {
        fprintf(stderr, "xbback-vtest: %s: %s\n", argv[1], strerror(-rc));
        return 1;
    }
    rc = xb_backend_open(&xb_store_xsl, xs, 0, &vtest, NULL, &backend);
    if (rc) {
        fprintf(stderr, "xbback-vtest: watching the backend directory: %s\n",
                strerror(-rc));
        return 1;
    }
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigterm, on_signal, SIGTERM);
    printf("ready\n");
    fflush(stdout);
    uv_run(loop, UV_RUN_DEFAULT);
    xb_backend_close(backend);
    backend = NULL;
    xsl_async_close(xs);
    uv_close((uv_handle_t *)&sigterm, NULL);
    uv_run(loop, UV_RUN_DEFAULT);
    uv_loop_close(loop);
    return 0;
}
