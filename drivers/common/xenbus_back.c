/* SPDX-License-Identifier: MIT */
/* The backend skeleton of a split driver: xenbus_back.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xenbus_back.h"

#define MAX_KEYS 16
#define FE_TOKEN "xb-frontend"
#define BE_TOKEN "xb-backend"

struct xb_dev {
    struct xb_backend *be;
    struct xb_dev *next;
    unsigned int domid, devid;
    enum xenbus_state state, fe_state;
    char be_path[160], fe_path[160];
    char *values[MAX_KEYS];
    unsigned int refs;     /* the device itself + each call in flight */
    bool removed;          /* forgotten: only in-flight calls hold it */
    bool probing;          /* reading frontend/frontend-id */
    bool known;            /* probed: the frontend's state is watched */
    bool busy;             /* a state change is being handled */
    bool again;            /* another came meanwhile */
    bool connected;        /* connect() succeeded, no disconnect() yet */
    bool rejected;         /* its "frontend" was not its own: Closed */
    unsigned int key;      /* the frontend key being read */
    void *priv;
};

struct xb_backend {
    const struct xb_store_ops *ops;
    void *store;
    const struct xb_driver *drv;
    void *opaque;
    char base[96]; /* /local/domain/<self>/backend/<type> */
    struct xb_dev *devs;
    unsigned int refs; /* the backend itself + each directory listing */
    bool closed;       /* xb_backend_close(): listings in flight ignored */
};

/* A directory listing in flight: of base (all domains) or of base/<domid>. */
struct scan {
    struct xb_backend *be;
    bool domain_level;
    unsigned int domid;
};

static void log_err(const struct xb_dev *d, const char *what, int err)
{
    fprintf(stderr, "xenbus %s: %s: %s\n", d->be_path, what, strerror(-err));
}

static void dev_put(struct xb_dev *d)
{
    if (--d->refs)
        return;
    for (unsigned int i = 0; i < MAX_KEYS; i++)
        free(d->values[i]);
    free(d);
}

static void write_done(int err, const char *data, size_t len, void *arg)
{
    struct xb_dev *d = arg;

    (void)data;
    (void)len;
    if (err && err != -ECANCELED && !d->removed)
        log_err(d, "write", err);
    dev_put(d);
}

int xb_dev_write(struct xb_dev *d, const char *key, const char *value)
{
    char path[256];
    int rc;

    snprintf(path, sizeof(path), "%s/%s", d->be_path, key);
    d->refs++;
    rc = d->be->ops->write(d->be->store, path, value, write_done, d);
    if (rc)
        dev_put(d);
    return rc;
}

void xb_dev_set_error(struct xb_dev *d, const char *why)
{
    xb_dev_write(d, "error", why);
}

static void switch_state(struct xb_dev *d, enum xenbus_state s)
{
    char v[4];

    if (d->state == s)
        return;
    d->state = s;
    snprintf(v, sizeof(v), "%d", (int)s);
    xb_dev_write(d, "state", v);
}

static void do_disconnect(struct xb_dev *d)
{
    if (d->connected && d->be->drv->disconnect)
        d->be->drv->disconnect(d);
    d->connected = false;
}

static void read_state(struct xb_dev *d);

void xb_dev_fail(struct xb_dev *d, const char *why)
{
    xb_dev_set_error(d, why);
    do_disconnect(d);
    if (d->state != XenbusStateClosed)
        switch_state(d, XenbusStateClosing);
}

static void handled(struct xb_dev *d)
{
    d->busy = false;
    if (d->again && !d->removed) {
        d->again = false;
        read_state(d);
    }
}

static void read_key(struct xb_dev *d);

static void key_read(int err, const char *data, size_t len, void *arg)
{
    struct xb_dev *d = arg;
    const char *key;

    if (d->removed || err == -ECANCELED) {
        dev_put(d);
        return;
    }
    key = d->be->drv->frontend_keys[d->key];
    if (err) {
        char why[400];

        snprintf(why, sizeof(why), "reading %s/%s: %s", d->fe_path, key,
                 strerror(-err));
        xb_dev_set_error(d, why);
        switch_state(d, XenbusStateClosing);
        handled(d);
        dev_put(d);
        return;
    }
    free(d->values[d->key]);
    d->values[d->key] = strndup(data, len);
    d->key++;
    read_key(d);
    dev_put(d);
}

/* Reads the frontend's keys one after the other, then connects. */
static void read_key(struct xb_dev *d)
{
    const char *const *keys = d->be->drv->frontend_keys;
    char path[256];

    if (keys && keys[d->key] && d->key < MAX_KEYS) {
        snprintf(path, sizeof(path), "%s/%s", d->fe_path, keys[d->key]);
        d->refs++;
        if (d->be->ops->read(d->be->store, path, key_read, d))
            key_read(-EIO, NULL, 0, d);
        return;
    }
    if (!d->be->drv->connect || d->be->drv->connect(d) == 0) {
        d->connected = true;
        switch_state(d, XenbusStateConnected);
    } else {
        switch_state(d, XenbusStateClosing);
    }
    handled(d);
}

static void state_read(int err, const char *data, size_t len, void *arg)
{
    struct xb_dev *d = arg;
    struct xb_step s;

    if (d->removed || err == -ECANCELED) {
        dev_put(d);
        return;
    }
    d->fe_state = err ? XenbusStateUnknown : xb_parse_state(data, len);
    s = xb_backend_step(d->state, d->fe_state);
    if (s.action == XB_ACT_CONNECT) {
        d->key = 0;
        read_key(d); /* switches state itself, then handled() */
        dev_put(d);
        return;
    }
    if (s.action == XB_ACT_DISCONNECT || s.next == XenbusStateClosed ||
        s.next == XenbusStateClosing)
        do_disconnect(d);
    switch_state(d, s.next);
    handled(d);
    dev_put(d);
}

static void read_state(struct xb_dev *d)
{
    char path[256];

    if (d->busy) {
        d->again = true;
        return;
    }
    d->busy = true;
    snprintf(path, sizeof(path), "%s/state", d->fe_path);
    d->refs++;
    if (d->be->ops->read(d->be->store, path, state_read, d))
        state_read(-EIO, NULL, 0, d);
}

static void dev_forget(struct xb_dev *d)
{
    struct xb_dev **pp;
    char path[256];

    for (pp = &d->be->devs; *pp; pp = &(*pp)->next)
        if (*pp == d) {
            *pp = d->next;
            break;
        }
    if (d->known) {
        snprintf(path, sizeof(path), "%s/state", d->fe_path);
        d->be->ops->unwatch(d->be->store, path, FE_TOKEN);
        do_disconnect(d);
        if (d->be->drv->remove)
            d->be->drv->remove(d);
    }
    d->removed = true;
    dev_put(d);
}

/* Whether path is exactly /local/domain/<domid>/device/<type>/<devid>. */
static bool frontend_path_ok(const struct xb_dev *d, const char *path)
{
    char want[160];

    snprintf(want, sizeof(want), "/local/domain/%u/device/%s/%u", d->domid,
             d->be->drv->type, d->devid);
    return !strcmp(path, want);
}

static void frontend_read(int err, const char *data, size_t len, void *arg)
{
    struct xb_dev *d = arg;
    char path[256];

    if (d->removed || err == -ECANCELED) {
        dev_put(d);
        return;
    }
    d->probing = false;
    if (err) {
        /* No backend directory (any more): the toolstack removed it. */
        if (d->known || err == -ENOENT)
            dev_forget(d);
        dev_put(d);
        return;
    }
    if (d->known) {
        dev_put(d);
        return; /* still there: some other node changed */
    }
    snprintf(d->fe_path, sizeof(d->fe_path), "%.*s", (int)len, data);
    if (!frontend_path_ok(d, d->fe_path)) {
        /*
         * Said once; the Closed written here fires the backend watch
         * again, which must not write (and fire) again.
         */
        if (!d->rejected)
            fprintf(stderr, "xenbus %s: frontend '%s' is not the device's\n",
                    d->be_path, d->fe_path);
        d->rejected = true;
        switch_state(d, XenbusStateClosed);
        d->fe_path[0] = '\0';
        dev_put(d);
        return;
    }
    d->rejected = false;
    d->known = true;
    d->state = XenbusStateInitialising;
    if (d->be->drv->probe && d->be->drv->probe(d)) {
        switch_state(d, XenbusStateClosed);
        dev_put(d);
        return;
    }
    switch_state(d, XenbusStateInitWait);
    snprintf(path, sizeof(path), "%s/state", d->fe_path);
    /* The watch fires once when set: the first look at the frontend. */
    if (d->be->ops->watch(d->be->store, path, FE_TOKEN))
        read_state(d);
    dev_put(d);
}

/* Something changed under the device's backend directory. */
static void backend_changed(struct xb_dev *d)
{
    char path[256];

    if (d->probing)
        return;
    d->probing = true;
    snprintf(path, sizeof(path), "%s/frontend", d->be_path);
    d->refs++;
    if (d->be->ops->read(d->be->store, path, frontend_read, d))
        frontend_read(-EIO, NULL, 0, d);
}

static struct xb_dev *dev_find(struct xb_backend *be, unsigned int domid,
                               unsigned int devid)
{
    for (struct xb_dev *d = be->devs; d; d = d->next)
        if (d->domid == domid && d->devid == devid)
            return d;
    return NULL;
}

/* Parses "<domid>/<devid>[/...]"; false if it is not that. */
static bool parse_ids(const char *p, unsigned int *domid, unsigned int *devid)
{
    char *end;
    unsigned long a, b;

    if (*p < '0' || *p > '9')
        return false;
    a = strtoul(p, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return false;
    b = strtoul(end + 1, &end, 10);
    if ((*end && *end != '/') || a > 0x7fef || b > 0xffffffffUL)
        return false;
    *domid = (unsigned int)a;
    *devid = (unsigned int)b;
    return true;
}

/* The device <domid>/<devid>, made if new; NULL if out of memory. */
static struct xb_dev *dev_get(struct xb_backend *be, unsigned int domid,
                              unsigned int devid)
{
    struct xb_dev *d = dev_find(be, domid, devid);

    if (d)
        return d;
    d = calloc(1, sizeof(*d));
    if (!d)
        return NULL;
    d->be = be;
    d->domid = domid;
    d->devid = devid;
    d->refs = 1;
    d->state = d->fe_state = XenbusStateUnknown;
    snprintf(d->be_path, sizeof(d->be_path), "%s/%u/%u", be->base, domid,
             devid);
    d->next = be->devs;
    be->devs = d;
    return d;
}

static void backend_put(struct xb_backend *be)
{
    if (!--be->refs)
        free(be);
}

/* A decimal number that fits id limits; false for anything else. */
static bool parse_id(const char *s, size_t len, unsigned long max,
                     unsigned int *out)
{
    unsigned long v = 0;

    if (!len || len > 10)
        return false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    if (v > max)
        return false;
    *out = (unsigned int)v;
    return true;
}

static void scan_dir(struct xb_backend *be, bool domain_level,
                     unsigned int domid);

static void scan_done(int err, const char *data, size_t len, void *arg)
{
    struct scan *sc = arg;
    struct xb_backend *be = sc->be;
    size_t i = 0;

    if (be->closed || err) {
        free(sc);
        backend_put(be);
        return;
    }
    /* The children, each followed by a NUL (xenstore's XS_DIRECTORY). */
    while (i < len) {
        size_t n = strnlen(data + i, len - i);
        unsigned int id;

        if (!sc->domain_level) {
            if (parse_id(data + i, n, 0x7fef, &id))
                scan_dir(be, true, id);
        } else if (parse_id(data + i, n, 0xffffffffUL, &id)) {
            struct xb_dev *d = dev_get(be, sc->domid, id);

            if (d)
                backend_changed(d);
        }
        i += n + 1;
    }
    free(sc);
    backend_put(be);
}

/*
 * Lists base (every domain's directory, then each of those) or
 * base/<domid> (its devices): how devices that existed before the
 * backend started, or whose directories appeared whole, are found.
 */
static void scan_dir(struct xb_backend *be, bool domain_level,
                     unsigned int domid)
{
    struct scan *sc;
    char path[128];

    if (!be->ops->directory)
        return;
    sc = calloc(1, sizeof(*sc));
    if (!sc)
        return;
    sc->be = be;
    sc->domain_level = domain_level;
    sc->domid = domid;
    if (domain_level)
        snprintf(path, sizeof(path), "%s/%u", be->base, domid);
    else
        snprintf(path, sizeof(path), "%s", be->base);
    be->refs++;
    if (be->ops->directory(be->store, path, scan_done, sc))
        scan_done(-EIO, NULL, 0, sc);
}

void xb_backend_watch_event(struct xb_backend *be, const char *path,
                            const char *token)
{
    size_t blen = strlen(be->base);
    unsigned int domid, devid;
    struct xb_dev *d;

    if (!strcmp(token, FE_TOKEN)) {
        for (d = be->devs; d; d = d->next) {
            size_t flen = strlen(d->fe_path);

            if (d->known && !strncmp(path, d->fe_path, flen) &&
                !strcmp(path + flen, "/state"))
                read_state(d);
        }
        return;
    }
    if (strcmp(token, BE_TOKEN) || strncmp(path, be->base, blen))
        return;
    if (path[blen] != '/' || !parse_ids(path + blen + 1, &domid, &devid)) {
        const char *rest = path + blen + 1;
        unsigned int id;

        if (path[blen] && path[blen] != '/')
            return; /* .../backend/<type>something: not ours */
        /*
         * The directory itself (the watch firing when set, or the whole
         * class created or removed) or a domain's: look again at every
         * device we know (gone ones are forgotten), and list what is
         * there now (new ones are found).
         */
        for (d = be->devs; d; d = d->next)
            backend_changed(d);
        if (!path[blen])
            scan_dir(be, false, 0);
        else if (parse_id(rest, strlen(rest), 0x7fef, &id))
            scan_dir(be, true, id);
        return;
    }
    d = dev_get(be, domid, devid);
    if (d)
        backend_changed(d);
}

int xb_backend_open(const struct xb_store_ops *ops, void *store,
                    unsigned int self_domid, const struct xb_driver *drv,
                    void *opaque, struct xb_backend **out)
{
    struct xb_backend *be = calloc(1, sizeof(*be));
    int rc;

    if (!be)
        return -ENOMEM;
    be->refs = 1;
    be->ops = ops;
    be->store = store;
    be->drv = drv;
    be->opaque = opaque;
    snprintf(be->base, sizeof(be->base), "/local/domain/%u/backend/%s",
             self_domid, drv->type);
    rc = ops->watch(store, be->base, BE_TOKEN);
    if (rc) {
        free(be);
        return rc;
    }
    *out = be;
    return 0;
}

void xb_backend_close(struct xb_backend *be)
{
    be->ops->unwatch(be->store, be->base, BE_TOKEN);
    be->closed = true;
    while (be->devs)
        dev_forget(be->devs);
    backend_put(be);
}

void *xb_backend_opaque(const struct xb_backend *be) { return be->opaque; }

unsigned int xb_backend_nr_devs(const struct xb_backend *be)
{
    unsigned int n = 0;

    for (const struct xb_dev *d = be->devs; d; d = d->next)
        n += d->known;
    return n;
}

unsigned int xb_dev_domid(const struct xb_dev *d) { return d->domid; }
unsigned int xb_dev_devid(const struct xb_dev *d) { return d->devid; }
enum xenbus_state xb_dev_state(const struct xb_dev *d) { return d->state; }
enum xenbus_state xb_dev_frontend_state(const struct xb_dev *d)
{
    return d->fe_state;
}
const char *xb_dev_backend_path(const struct xb_dev *d) { return d->be_path; }
const char *xb_dev_frontend_path(const struct xb_dev *d) { return d->fe_path; }
struct xb_backend *xb_dev_backend(const struct xb_dev *d) { return d->be; }
void *xb_dev_priv(const struct xb_dev *d) { return d->priv; }
void xb_dev_set_priv(struct xb_dev *d, void *priv) { d->priv = priv; }

const char *xb_dev_frontend_value(const struct xb_dev *d, const char *key)
{
    const char *const *keys = d->be->drv->frontend_keys;

    for (unsigned int i = 0; keys && keys[i] && i < MAX_KEYS; i++)
        if (!strcmp(keys[i], key))
            return d->values[i];
    return NULL;
}
