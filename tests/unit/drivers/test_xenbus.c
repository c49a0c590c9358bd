/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the split drivers' xenbus state machine
 * (drivers/common/xenbus_sm.c), the dom0 backend skeleton
 * (drivers/common/xenbus_back.c) and the guest's frontend handshake
 * (guests/lib/xenbus_dev.c), against a fake xenstore in memory: every
 * pair of states, the whole handshake of a backend with a scripted
 * frontend and with the real guest frontend, closing from either end,
 * reconnecting, devices made before the backend started, a backend
 * restarting under a connected frontend, and frontends that misbehave
 * (missing nodes, nonsense states, a "frontend" path that is not theirs).
 *
 * The fake store runs callbacks and watch events from a queue
 * (fake_run), as a daemon's loop would, not from inside the calls.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "xenbus_back.h"
#include "xenbus_dev.h"
#include "xenbus.h"

#include <xen/errno.h>

#define FE_DOMID 7
#define MAX_NODES 256
#define MAX_WATCHES 32
#define MAX_WORK 1024

/* ------------------------------------------------------- fake store */

static struct node {
    char path[192];
    char value[192];
} nodes[MAX_NODES];

static struct watch {
    char path[192], token[64];
    int owner; /* 0: the backend, 1: the guest */
    bool used;
} watches[MAX_WATCHES];

struct work {
    xb_store_cb cb;
    void *arg;
    int err;
    char data[192];
    size_t len; /* of data when it holds NULs (a directory listing) */
    /* or a watch event */
    int owner;
    char path[192], token[64];
};
static struct work work[MAX_WORK];
static unsigned int work_head, work_tail;

/* Watch events for the guest, taken by xenbus_wait_watch. */
static struct work guest_events[64];
static unsigned int nguest_events;

static struct xb_backend *be;

static void queue(struct work w)
{
    assert_true(work_tail - work_head < MAX_WORK);
    work[work_tail++ % MAX_WORK] = w;
}

static struct node *node_find(const char *path)
{
    for (unsigned int i = 0; i < MAX_NODES; i++)
        if (nodes[i].path[0] && !strcmp(nodes[i].path, path))
            return &nodes[i];
    return NULL;
}

/* Whether a watch on w fires for a change at path (either inside the other). */
static bool watch_matches(const char *w, const char *path)
{
    size_t wl = strlen(w), pl = strlen(path);

    if (!strncmp(w, path, wl) && (path[wl] == '/' || !path[wl]))
        return true;
    return !strncmp(w, path, pl) && w[pl] == '/';
}

static void fire(const char *path)
{
    for (unsigned int i = 0; i < MAX_WATCHES; i++) {
        struct work w = {0};

        if (!watches[i].used || !watch_matches(watches[i].path, path))
            continue;
        w.owner = watches[i].owner;
        snprintf(w.path, sizeof(w.path), "%s", path);
        snprintf(w.token, sizeof(w.token), "%s", watches[i].token);
        queue(w);
    }
}

static void store_write(const char *path, const char *value)
{
    struct node *n = node_find(path);

    for (unsigned int i = 0; !n && i < MAX_NODES; i++)
        if (!nodes[i].path[0])
            n = &nodes[i];
    assert_non_null(n);
    snprintf(n->path, sizeof(n->path), "%s", path);
    snprintf(n->value, sizeof(n->value), "%s", value);
    fire(path);
}

static void store_rm(const char *path)
{
    size_t l = strlen(path);

    for (unsigned int i = 0; i < MAX_NODES; i++)
        if (nodes[i].path[0] && !strncmp(nodes[i].path, path, l) &&
            (!nodes[i].path[l] || nodes[i].path[l] == '/'))
            nodes[i].path[0] = '\0';
    fire(path);
}

static const char *store_value(const char *path)
{
    struct node *n = node_find(path);

    return n ? n->value : NULL;
}

static void fake_run(void)
{
    while (work_head != work_tail) {
        struct work w = work[work_head++ % MAX_WORK];

        if (w.cb)
            w.cb(w.err, w.err ? NULL : w.data,
                 w.len ? w.len : strlen(w.data), w.arg);
        else if (w.owner == 0) {
            /* As a daemon does: no events for a closed backend. */
            if (be)
                xb_backend_watch_event(be, w.path, w.token);
        }
        else if (nguest_events < 64)
            guest_events[nguest_events++] = w;
    }
}

static int op_read(void *store, const char *path, xb_store_cb cb, void *arg)
{
    const char *v = store_value(path);
    struct work w = {.cb = cb, .arg = arg, .err = v ? 0 : -ENOENT};

    (void)store;
    if (v)
        snprintf(w.data, sizeof(w.data), "%s", v);
    queue(w);
    return 0;
}

static int op_write(void *store, const char *path, const char *value,
                    xb_store_cb cb, void *arg)
{
    struct work w = {.cb = cb, .arg = arg};

    (void)store;
    store_write(path, value);
    queue(w);
    return 0;
}

/* The children of path (nodes below it imply their parents), NUL after each. */
static int op_directory(void *store, const char *path, xb_store_cb cb,
                        void *arg)
{
    struct work w = {.cb = cb, .arg = arg};
    size_t pl = strlen(path), used = 0;
    bool found = false;

    (void)store;
    for (unsigned int i = 0; i < MAX_NODES; i++) {
        const char *p = nodes[i].path, *name;
        size_t n;
        bool dup = false;

        if (!p[0] || strncmp(p, path, pl) || (p[pl] && p[pl] != '/'))
            continue;
        found = true;
        if (!p[pl])
            continue;
        name = p + pl + 1;
        n = strcspn(name, "/");
        for (size_t j = 0; j < used; j += strlen(w.data + j) + 1)
            if (strlen(w.data + j) == n && !strncmp(w.data + j, name, n))
                dup = true;
        if (dup)
            continue;
        assert_true(used + n + 1 < sizeof(w.data));
        memcpy(w.data + used, name, n);
        w.data[used + n] = '\0';
        used += n + 1;
    }
    w.err = found ? 0 : -ENOENT;
    w.len = used;
    queue(w);
    return 0;
}

static int add_watch(const char *path, const char *token, int owner)
{
    for (unsigned int i = 0; i < MAX_WATCHES; i++)
        if (!watches[i].used) {
            struct work w = {.owner = owner};

            watches[i].used = true;
            watches[i].owner = owner;
            snprintf(watches[i].path, sizeof(watches[i].path), "%s", path);
            snprintf(watches[i].token, sizeof(watches[i].token), "%s", token);
            /* A new watch fires once, as xenstored's do. */
            snprintf(w.path, sizeof(w.path), "%s", path);
            snprintf(w.token, sizeof(w.token), "%s", token);
            queue(w);
            return 0;
        }
    return -ENOSPC;
}

static int del_watch(const char *path, const char *token, int owner)
{
    for (unsigned int i = 0; i < MAX_WATCHES; i++)
        if (watches[i].used && watches[i].owner == owner &&
            !strcmp(watches[i].path, path) && !strcmp(watches[i].token, token)) {
            watches[i].used = false;
            return 0;
        }
    return -ENOENT;
}

static int op_watch(void *store, const char *path, const char *token)
{
    (void)store;
    return add_watch(path, token, 0);
}

static int op_unwatch(void *store, const char *path, const char *token)
{
    (void)store;
    return del_watch(path, token, 0);
}

static const struct xb_store_ops fake_ops = {
    .read = op_read,
    .write = op_write,
    .watch = op_watch,
    .unwatch = op_unwatch,
    .directory = op_directory,
};

/* --------------------------------------- the guest's xenbus, faked */

unsigned long xenbus_requests, xenbus_events;

static void guest_path(const char *path, char *out, size_t size)
{
    if (path[0] == '/')
        snprintf(out, size, "%s", path);
    else
        snprintf(out, size, "/local/domain/%u/%s", FE_DOMID, path);
}

long xenbus_read(const char *path, char *buf, size_t size)
{
    char p[192];
    const char *v;

    guest_path(path, p, sizeof(p));
    v = store_value(p);
    if (!v)
        return -XEN_ENOENT;
    snprintf(buf, size, "%s", v);
    return (long)strlen(buf);
}

long xenbus_write(const char *path, const char *value)
{
    char p[192];

    guest_path(path, p, sizeof(p));
    store_write(p, value);
    return 0;
}

long xenbus_watch(const char *path, const char *token)
{
    char p[192];

    guest_path(path, p, sizeof(p));
    return add_watch(p, token, 1) ? -XEN_ENOSPC : 0;
}

long xenbus_unwatch(const char *path, const char *token)
{
    char p[192];

    guest_path(path, p, sizeof(p));
    return del_watch(p, token, 1) ? -XEN_ENOENT : 0;
}

/* The backend runs while the guest waits; no event: a timeout. */
long xenbus_wait_watch(const char *token, char *path, size_t size,
                       uint64_t timeout_ns)
{
    (void)timeout_ns;
    fake_run();
    for (unsigned int i = 0; i < nguest_events; i++)
        if (!token || !strcmp(guest_events[i].token, token)) {
            snprintf(path, size, "%s", guest_events[i].path);
            memmove(&guest_events[i], &guest_events[i + 1],
                    (nguest_events - i - 1) * sizeof(guest_events[0]));
            nguest_events--;
            return 0;
        }
    return -XEN_ETIMEDOUT;
}

/* ------------------------------------------------------ a test driver */

static const char *const keys[] = {"ring-ref", "event-channel", NULL};
static struct {
    int probes, connects, disconnects, removes;
    int connect_rc;
    char ring_ref[32], port[32];
} drv_log;

static int drv_probe(struct xb_dev *d)
{
    drv_log.probes++;
    return xb_dev_write(d, "feature-test", "1");
}

static int drv_connect(struct xb_dev *d)
{
    drv_log.connects++;
    snprintf(drv_log.ring_ref, sizeof(drv_log.ring_ref), "%s",
             xb_dev_frontend_value(d, "ring-ref"));
    snprintf(drv_log.port, sizeof(drv_log.port), "%s",
             xb_dev_frontend_value(d, "event-channel"));
    if (drv_log.connect_rc)
        xb_dev_set_error(d, "the test driver refused");
    return drv_log.connect_rc;
}

static void drv_disconnect(struct xb_dev *d)
{
    (void)d;
    drv_log.disconnects++;
}

static void drv_remove(struct xb_dev *d)
{
    (void)d;
    drv_log.removes++;
}

static const struct xb_driver drv = {
    .type = "vtest",
    .frontend_keys = keys,
    .probe = drv_probe,
    .connect = drv_connect,
    .disconnect = drv_disconnect,
    .remove = drv_remove,
};

#define BE "/local/domain/0/backend/vtest/7/0"
#define FE "/local/domain/7/device/vtest/0"

static int setup(void **state)
{
    (void)state;
    memset(nodes, 0, sizeof(nodes));
    memset(watches, 0, sizeof(watches));
    memset(&drv_log, 0, sizeof(drv_log));
    work_head = work_tail = 0;
    nguest_events = 0;
    assert_int_equal(xb_backend_open(&fake_ops, NULL, 0, &drv, NULL, &be), 0);
    fake_run();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    xb_backend_close(be);
    be = NULL;
    fake_run(); /* the calls in flight complete on forgotten devices */
    return 0;
}

/* What the toolstack writes for a device (xl's device add). */
static void toolstack_add(const char *frontend)
{
    store_write(FE "/backend", BE);
    store_write(FE "/backend-id", "0");
    store_write(FE "/state", "1");
    store_write(BE "/frontend-id", "7");
    store_write(BE "/state", "1");
    store_write(BE "/frontend", frontend);
    fake_run();
}

static void fe_state(const char *s)
{
    store_write(FE "/state", s);
    fake_run();
}

static void assert_be_state(int s)
{
    char want[4];

    snprintf(want, sizeof(want), "%d", s);
    assert_non_null(store_value(BE "/state"));
    assert_string_equal(store_value(BE "/state"), want);
}

/* ------------------------------------------------------------- tests */

static void test_parse_state(void **state)
{
    (void)state;
    for (int i = 1; i <= 8; i++) {
        char s[2] = {(char)('0' + i), 0};
        assert_int_equal(xb_parse_state(s, 1), i);
    }
    assert_int_equal(xb_parse_state("0", 1), XenbusStateUnknown);
    assert_int_equal(xb_parse_state("9", 1), XenbusStateUnknown);
    assert_int_equal(xb_parse_state("", 0), XenbusStateUnknown);
    assert_int_equal(xb_parse_state("44", 2), XenbusStateUnknown);
    assert_int_equal(xb_parse_state("4\n", 2), XenbusStateUnknown);
    assert_int_equal(xb_parse_state(NULL, 1), XenbusStateUnknown);
    assert_string_equal(xb_state_name(XenbusStateInitWait), "InitWait");
    assert_string_equal(xb_state_name((enum xenbus_state)42), "invalid");
}

/* Every pair: sane results, and the handshake's own steps. */
static void test_steps_all_pairs(void **state)
{
    (void)state;
    for (int a = 0; a <= 8; a++)
        for (int b = 0; b <= 8; b++) {
            struct xb_step s = xb_backend_step(a, b);
            struct xb_step f = xb_frontend_step(a, b);

            assert_true(s.next <= XenbusStateReconfigured);
            assert_true(f.next <= XenbusStateReconfigured);
            /* Connect only into Connected; disconnect only from it. */
            if (s.action == XB_ACT_CONNECT)
                assert_int_equal(s.next, XenbusStateConnected);
            if (s.action == XB_ACT_DISCONNECT)
                assert_int_equal(a, XenbusStateConnected);
            if (f.action == XB_ACT_DISCONNECT)
                assert_true(a == XenbusStateInitialised ||
                            a == XenbusStateConnected);
            if (f.action == XB_ACT_PUBLISH)
                assert_int_equal(a, XenbusStateInitialising);
            /* A vanished peer always closes, and only then is it gone. */
            assert_int_equal(s.gone, b == XenbusStateUnknown);
            if (b == XenbusStateUnknown)
                assert_int_equal(s.next, XenbusStateClosed);
            /* Stepping twice changes nothing more (idempotent). */
            if (s.action == XB_ACT_NONE || s.action == XB_ACT_DISCONNECT) {
                struct xb_step t = xb_backend_step(s.next, b);
                assert_int_equal(t.next, s.next);
            }
        }
    assert_int_equal(xb_backend_step(XenbusStateInitWait,
                                     XenbusStateInitialised).action,
                     XB_ACT_CONNECT);
    assert_int_equal(xb_backend_step(XenbusStateInitWait,
                                     XenbusStateConnected).action,
                     XB_ACT_CONNECT);
    assert_int_equal(xb_backend_step(XenbusStateConnected,
                                     XenbusStateConnected).action,
                     XB_ACT_NONE);
    assert_int_equal(xb_backend_step(XenbusStateClosed,
                                     XenbusStateInitialising).next,
                     XenbusStateInitWait);
    assert_int_equal(xb_frontend_step(XenbusStateInitialising,
                                      XenbusStateInitWait).action,
                     XB_ACT_PUBLISH);
    assert_int_equal(xb_frontend_step(XenbusStateInitialised,
                                      XenbusStateConnected).action,
                     XB_ACT_START);
    assert_int_equal(xb_frontend_step(XenbusStateConnected,
                                      XenbusStateClosing).next,
                     XenbusStateClosed);
}

static void test_handshake_and_close(void **state)
{
    (void)state;
    toolstack_add(FE);
    assert_int_equal(drv_log.probes, 1);
    assert_string_equal(store_value(BE "/feature-test"), "1");
    assert_be_state(XenbusStateInitWait);
    assert_int_equal(xb_backend_nr_devs(be), 1);

    store_write(FE "/ring-ref", "1234");
    store_write(FE "/event-channel", "5");
    fe_state("3");
    assert_int_equal(drv_log.connects, 1);
    assert_string_equal(drv_log.ring_ref, "1234");
    assert_string_equal(drv_log.port, "5");
    assert_be_state(XenbusStateConnected);

    fe_state("4"); /* the frontend follows: nothing more to do */
    assert_int_equal(drv_log.connects, 1);
    assert_be_state(XenbusStateConnected);

    fe_state("5");
    assert_int_equal(drv_log.disconnects, 1);
    assert_be_state(XenbusStateClosing);
    fe_state("6");
    assert_int_equal(drv_log.disconnects, 1);
    assert_be_state(XenbusStateClosed);

    /* The frontend starts over: offered again, connected again. */
    fe_state("1");
    assert_be_state(XenbusStateInitWait);
    store_write(FE "/ring-ref", "99");
    fe_state("3");
    assert_int_equal(drv_log.connects, 2);
    assert_string_equal(drv_log.ring_ref, "99");
    assert_be_state(XenbusStateConnected);

    /* The toolstack removes the device. */
    store_rm("/local/domain/0/backend/vtest/7");
    fake_run();
    assert_int_equal(drv_log.disconnects, 2);
    assert_int_equal(drv_log.removes, 1);
    assert_int_equal(xb_backend_nr_devs(be), 0);
    assert_null(store_value(BE "/state")); /* not written back */
}

static void test_missing_frontend_key(void **state)
{
    (void)state;
    toolstack_add(FE);
    store_write(FE "/ring-ref", "1234"); /* no event-channel */
    fe_state("3");
    assert_int_equal(drv_log.connects, 0);
    assert_be_state(XenbusStateClosing);
    assert_non_null(store_value(BE "/error"));
    assert_non_null(strstr(store_value(BE "/error"), "event-channel"));
}

static void test_connect_refused(void **state)
{
    (void)state;
    drv_log.connect_rc = -EINVAL;
    toolstack_add(FE);
    store_write(FE "/ring-ref", "1");
    store_write(FE "/event-channel", "2");
    fe_state("3");
    assert_int_equal(drv_log.connects, 1);
    assert_be_state(XenbusStateClosing);
    assert_string_equal(store_value(BE "/error"), "the test driver refused");
    fe_state("6");
    assert_int_equal(drv_log.disconnects, 0); /* never connected */
    assert_be_state(XenbusStateClosed);
}

static void test_nonsense_state_closes(void **state)
{
    (void)state;
    toolstack_add(FE);
    store_write(FE "/ring-ref", "1");
    store_write(FE "/event-channel", "2");
    fe_state("3");
    assert_be_state(XenbusStateConnected);
    fe_state("connected, honest");
    assert_int_equal(drv_log.disconnects, 1);
    assert_be_state(XenbusStateClosed);
    /* Its node gone altogether: still closed, nothing twice. */
    store_rm(FE "/state");
    fake_run();
    assert_int_equal(drv_log.disconnects, 1);
    assert_be_state(XenbusStateClosed);
}

static void test_foreign_frontend_path(void **state)
{
    (void)state;
    /* Domain 7's device claiming domain 8's frontend. */
    toolstack_add("/local/domain/8/device/vtest/0");
    assert_int_equal(drv_log.probes, 0);
    assert_be_state(XenbusStateClosed);
    assert_int_equal(xb_backend_nr_devs(be), 0);
    fe_state("3");
    assert_int_equal(drv_log.connects, 0);
}

/* Devices the toolstack made before the backend started are found. */
static void test_devices_before_start(void **state)
{
    (void)state;
    xb_backend_close(be);
    be = NULL;
    fake_run();
    toolstack_add(FE);
    store_write("/local/domain/0/backend/vtest/9/2/frontend-id", "9");
    store_write("/local/domain/0/backend/vtest/9/2/frontend",
                "/local/domain/9/device/vtest/2");
    store_write("/local/domain/9/device/vtest/2/state", "1");
    store_write("/local/domain/0/backend/vtest/junk", "x");
    fake_run();
    assert_be_state(XenbusStateInitialising); /* no backend yet */
    assert_int_equal(xb_backend_open(&fake_ops, NULL, 0, &drv, NULL, &be), 0);
    fake_run();
    assert_int_equal(drv_log.probes, 2);
    assert_int_equal(xb_backend_nr_devs(be), 2);
    assert_be_state(XenbusStateInitWait);
    assert_string_equal(
        store_value("/local/domain/0/backend/vtest/9/2/state"), "2");
    store_write(FE "/ring-ref", "1");
    store_write(FE "/event-channel", "2");
    fe_state("3");
    assert_int_equal(drv_log.connects, 1);
    assert_be_state(XenbusStateConnected);
}

/* A backend that restarts reconnects to a frontend still Connected. */
static void test_restart_reconnects(void **state)
{
    (void)state;
    toolstack_add(FE);
    store_write(FE "/ring-ref", "77");
    store_write(FE "/event-channel", "8");
    fe_state("3");
    fe_state("4");
    assert_int_equal(drv_log.connects, 1);
    xb_backend_close(be); /* the daemon stops: nothing written */
    be = NULL;
    fake_run();
    assert_int_equal(drv_log.disconnects, 1);
    assert_int_equal(drv_log.removes, 1);
    assert_be_state(XenbusStateConnected);
    drv_log.ring_ref[0] = '\0';
    assert_int_equal(xb_backend_open(&fake_ops, NULL, 0, &drv, NULL, &be), 0);
    fake_run();
    assert_int_equal(drv_log.probes, 2);
    assert_int_equal(drv_log.connects, 2);
    assert_string_equal(drv_log.ring_ref, "77");
    assert_be_state(XenbusStateConnected);
    assert_string_equal(store_value(FE "/state"), "4");
}

static long publish(struct xenbus_dev *dev, void *arg)
{
    long rc = xenbus_dev_write(dev, "ring-ref", "4242");

    (*(int *)arg)++;
    return rc ? rc : xenbus_dev_write(dev, "event-channel", "9");
}

/* The guest's frontend against the backend skeleton, both for real. */
static void test_guest_frontend(void **state)
{
    struct xenbus_dev dev;
    int published = 0;
    char feat[8];

    (void)state;
    toolstack_add(FE);
    assert_int_equal(xenbus_dev_init(&dev, "vtest", 0), 0);
    assert_string_equal(dev.backend, BE);
    assert_int_equal(dev.backend_id, 0);
    assert_int_equal(xenbus_dev_read_backend(&dev, "feature-test", feat,
                                             sizeof(feat)), 1);
    assert_int_equal(xenbus_dev_connect(&dev, publish, &published, 1000), 0);
    assert_int_equal(published, 1);
    assert_int_equal(dev.state, XenbusStateConnected);
    assert_string_equal(store_value(FE "/state"), "4");
    assert_be_state(XenbusStateConnected);
    assert_string_equal(drv_log.ring_ref, "4242");
    assert_string_equal(drv_log.port, "9");

    assert_int_equal(xenbus_dev_close(&dev, 1000), 0);
    fake_run();
    assert_int_equal(dev.state, XenbusStateClosed);
    assert_be_state(XenbusStateClosed);
    assert_int_equal(drv_log.disconnects, 1);
}

static void test_guest_frontend_refused(void **state)
{
    struct xenbus_dev dev;
    int published = 0;

    (void)state;
    drv_log.connect_rc = -EINVAL;
    toolstack_add(FE);
    assert_int_equal(xenbus_dev_init(&dev, "vtest", 0), 0);
    assert_int_equal(xenbus_dev_connect(&dev, publish, &published, 1000),
                     -XEN_ENODEV);
    assert_int_equal(dev.state, XenbusStateClosed);
}

static void test_guest_no_device(void **state)
{
    struct xenbus_dev dev;

    (void)state;
    assert_int_equal(xenbus_dev_init(&dev, "vtest", 3), -XEN_ENOENT);
    store_write("/local/domain/7/device/vtest/4/backend", "relative/path");
    store_write("/local/domain/7/device/vtest/4/backend-id", "0");
    assert_int_equal(xenbus_dev_init(&dev, "vtest", 4), -XEN_EINVAL);
    store_write("/local/domain/7/device/vtest/4/backend", BE);
    store_write("/local/domain/7/device/vtest/4/backend-id", "0x1");
    assert_int_equal(xenbus_dev_init(&dev, "vtest", 4), -XEN_EINVAL);
}

/* A backend that never answers: the frontend gives up. */
static void test_guest_timeout(void **state)
{
    struct xenbus_dev dev;
    int published = 0;

    (void)state;
    store_write(FE "/backend", "/local/domain/0/backend/other/7/0");
    store_write(FE "/backend-id", "0");
    store_write("/local/domain/0/backend/other/7/0/state", "1");
    assert_int_equal(xenbus_dev_init(&dev, "vtest", 0), 0);
    assert_int_equal(xenbus_dev_connect(&dev, publish, &published, 1000),
                     -XEN_ETIMEDOUT);
    assert_int_equal(published, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_state),
        cmocka_unit_test(test_steps_all_pairs),
        cmocka_unit_test_setup_teardown(test_handshake_and_close, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_missing_frontend_key, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_connect_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_nonsense_state_closes, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_foreign_frontend_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_devices_before_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_restart_reconnects, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_guest_frontend, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_frontend_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_guest_no_device, setup, teardown),
        cmocka_unit_test_setup_teardown(test_guest_timeout, setup, teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
