// SPDX-License-Identifier: MIT
/*
 * Socket transport for the engine: one uv_pipe_t listener per socket, one
 * struct xs_client per accepted connection.
 *
 * Reading: bytes go straight into xs_conn_feed.  When the engine stops
 * consuming (an unprivileged connection at its outstanding quota) the
 * rest is kept and reading stops until replies have been written.
 *
 * Writing: the engine calls xsd.kick when a connection has output or has
 * died; the client is put on a dirty list and a uv_prepare callback (run
 * once per loop iteration, before polling) flushes each dirty client with
 * one uv_write of everything queued, so a burst of replies costs one
 * system call.  While a write is in flight, output accumulates in the
 * engine, which drops the connection past xsd.max_conn_output.
 *
 * A dead connection is closed with uv_close; the engine state is freed in
 * the close callback, never while the engine may still be using it.
 */
#include "xs_daemon.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define XS_WRITE_BATCH (256 * 1024)

struct xs_listener {
    struct xs_listener *next;
    uv_pipe_t pipe;
    struct xs_daemon *d;
    unsigned int domid;
    char *path;
};

struct xs_client {
    uv_pipe_t pipe;
    struct xs_daemon *d;
    struct xs_conn *conn;
    struct xs_client *dirty_next;
    bool on_dirty;
    bool closing;
    bool writing;
    bool reading;
    uv_write_t wreq;
    char *wbuf;
    char *pending; /* input the engine has not taken yet */
    size_t pending_len;
};

static void client_kick(struct xs_conn *c);

static uint64_t daemon_now_ms(void)
{
    return uv_hrtime() / 1000000;
}

static void client_closed(uv_handle_t *h)
{
    struct xs_client *cl = h->data;
    struct xs_client **pp;

    if (cl->on_dirty) {
        for (pp = &cl->d->dirty; *pp; pp = &(*pp)->dirty_next) {
            if (*pp == cl) {
                *pp = cl->dirty_next;
                break;
            }
        }
    }

    xs_conn_free(cl->conn);
    free(cl->pending);
    free(cl->wbuf);
    free(cl);
}

static void client_close(struct xs_client *cl)
{
    if (cl->closing)
        return;
    cl->closing = true;
    uv_close((uv_handle_t *)&cl->pipe, client_closed);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    static char slab[64 * 1024];

    (void)h;
    (void)hint;
    /* Single-threaded: the engine copies what it takes before we return. */
    *buf = uv_buf_init(slab, sizeof(slab));
}

/* Offer kept input to the engine; true if all of it was taken. */
static bool client_drain_pending(struct xs_client *cl)
{
    long n;

    while (cl->pending_len) {
        n = xs_conn_feed(cl->conn, cl->pending, cl->pending_len);
        if (n < 0)
            return false;
        if (n == 0)
            return false;
        memmove(cl->pending, cl->pending + n, cl->pending_len - n);
        cl->pending_len -= n;
    }
    return !cl->conn->in_ready || xs_conn_resume(cl->conn);
}

static void read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
    struct xs_client *cl = s->data;
    long n;
    char *p;

    if (cl->closing)
        return;
    if (nread < 0) {
        client_close(cl);
        return;
    }
    if (!nread)
        return;
    n = xs_conn_feed(cl->conn, buf->base, nread);
    if (n < 0) {
        client_close(cl);
        return;
    }
    if (n < nread) {
        /* Over quota: keep the rest and stop reading for now. */
        p = realloc(cl->pending, cl->pending_len + nread - n);
        if (!p) {
            client_close(cl);
            return;
        }
        cl->pending = p;
        memcpy(p + cl->pending_len, buf->base + n, nread - n);
        cl->pending_len += nread - n;
        uv_read_stop(s);
        cl->reading = false;
    }
}

static void client_flush(struct xs_client *cl);

static void write_cb(uv_write_t *req, int status)
{
    struct xs_client *cl = req->data;

    free(cl->wbuf);
    cl->wbuf = NULL;
    cl->writing = false;
    if (cl->closing)
        return;
    if (status < 0) {
        client_close(cl);
        return;
    }
    /* Replies went out: a request held by the outstanding quota, and
     * input kept while reading was stopped, may go on now. */
    if (client_drain_pending(cl) && !cl->reading && !cl->conn->dead) {
        if (uv_read_start((uv_stream_t *)&cl->pipe, alloc_cb, read_cb) == 0)
            cl->reading = true;
    }
    client_kick(cl->conn);
}

static void client_flush(struct xs_client *cl)
{
    const void *p;
    size_t len, used = 0;
    uv_buf_t b;

    if (cl->closing || cl->writing)
        return;
    if (cl->conn->dead) {
        client_close(cl);
        return;
    }
    while ((len = xs_conn_out_peek(cl->conn, &p)) != 0 &&
           used < XS_WRITE_BATCH) {
        if (!cl->wbuf && !(cl->wbuf = malloc(XS_WRITE_BATCH + 4096 + 16))) {
            client_close(cl);
            return;
        }
        if (used + len > XS_WRITE_BATCH + 4096 + 16)
            break;
        memcpy(cl->wbuf + used, p, len);
        used += len;
        xs_conn_out_advance(cl->conn, len);
    }
    if (!used)
        return;
    b = uv_buf_init(cl->wbuf, used);
    cl->wreq.data = cl;
    if (uv_write(&cl->wreq, (uv_stream_t *)&cl->pipe, &b, 1, write_cb)) {
        client_close(cl);
        return;
    }
    cl->writing = true;
}

static void client_kick(struct xs_conn *c)
{
    struct xs_client *cl = c->transport;
    struct xs_daemon *d;

    if (c->kind == XS_CONN_RING) {
        d = (struct xs_daemon *)((char *)c->xsd -
                                 offsetof(struct xs_daemon, xsd));
        d->ring_dirty = true;
        return;
    }
    if (!cl || cl->on_dirty)
        return;
    cl->on_dirty = true;
    cl->dirty_next = cl->d->dirty;
    cl->d->dirty = cl;
}

static void service_ring(struct xs_hentry *e, void *arg)
{
    struct xs_domain *dom = (struct xs_domain *)e;

    if (dom->ring_conn)
        xs_domain_service(arg, dom);
}

static void prepare_cb(uv_prepare_t *h)
{
    struct xs_daemon *d = h->data;
    struct xs_client *cl;

    if (d->ring_dirty) {
        d->ring_dirty = false;
        xs_htab_each(&d->xsd.domains, service_ring, &d->xsd);
    }
    while ((cl = d->dirty) != NULL) {
        d->dirty = cl->dirty_next;
        cl->on_dirty = false;
        client_flush(cl);
    }
}

static void connection_cb(uv_stream_t *server, int status)
{
    struct xs_listener *l = server->data;
    struct xs_daemon *d = l->d;
    struct xs_client *cl;

    if (status < 0 || d->stopping)
        return;
    cl = calloc(1, sizeof(*cl));
    if (!cl)
        return;
    cl->d = d;
    uv_pipe_init(d->loop, &cl->pipe, 0);
    cl->pipe.data = cl;
    cl->conn = xs_conn_new(&d->xsd, XS_CONN_SOCKET, l->domid, l->domid == 0);
    if (!cl->conn || uv_accept(server, (uv_stream_t *)&cl->pipe) ||
        uv_read_start((uv_stream_t *)&cl->pipe, alloc_cb, read_cb)) {
        client_close(cl);
        return;
    }
    cl->reading = true;
    cl->conn->transport = cl;
}

/* Event channels fired: service each domain whose port is pending. */
static void evpoll_cb(uv_poll_t *h, int status, int events)
{
    struct xs_daemon *d = h->data;
    const struct xs_ring_backend *rb = d->xsd.ring;
    int port;

    (void)events;
    if (status < 0 || !rb)
        return;
    while ((port = rb->pending(rb->priv)) >= 0) {
        if (port == XS_RING_DOM_EXC)
            xs_domains_check(&d->xsd);
        else
            xs_domain_event(&d->xsd, port);
    }
}

int xs_daemon_set_ring_backend(struct xs_daemon *d,
                               const struct xs_ring_backend *rb)
{
    int err;

    d->xsd.ring = rb;
    if (!rb->event_fd || !rb->pending)
        return 0;
    if ((err = uv_poll_init(d->loop, &d->evpoll, rb->event_fd(rb->priv))))
        return err;
    d->evpoll.data = d;
    d->evpoll_on = true;
    return uv_poll_start(&d->evpoll, UV_READABLE, evpoll_cb);
}

int xs_daemon_init(struct xs_daemon *d, uv_loop_t *loop)
{
    int err;

    memset(d, 0, sizeof(*d));
    d->loop = loop;
    if ((err = xsd_init(&d->xsd)))
        return err;
    d->xsd.kick = client_kick;
    d->xsd.now_ms = daemon_now_ms;
    uv_prepare_init(loop, &d->flush);
    d->flush.data = d;
    uv_prepare_start(&d->flush, prepare_cb);
    return 0;
}

int xs_daemon_listen(struct xs_daemon *d, const char *path, unsigned int domid)
{
    struct xs_listener *l = calloc(1, sizeof(*l));
    struct stat st;
    int err;

    if (!l || !(l->path = strdup(path))) {
        free(l);
        return -ENOMEM;
    }
    l->d = d;
    l->domid = domid;
    uv_pipe_init(d->loop, &l->pipe, 0);
    l->pipe.data = l;
    l->next = d->listeners;
    d->listeners = l;
    /* A stale socket from a dead daemon is replaced; anything else is not. */
    if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
        unlink(path);
    err = uv_pipe_bind(&l->pipe, path);
    if (!err)
        err = uv_listen((uv_stream_t *)&l->pipe, 128, connection_cb);
    if (err)
        xsd_logf(&d->xsd, "cannot listen on %s: %s", path, uv_strerror(err));
    return err;
}

static void listener_closed(uv_handle_t *h)
{
    struct xs_listener *l = h->data;

    free(l->path);
    free(l);
}

void xs_daemon_stop(struct xs_daemon *d)
{
    struct xs_listener *l, *next;
    struct xs_conn *c;

    if (d->stopping)
        return;
    d->stopping = true;
    for (l = d->listeners; l; l = next) {
        next = l->next;
        unlink(l->path);
        uv_close((uv_handle_t *)&l->pipe, listener_closed);
    }
    d->listeners = NULL;
    for (c = d->xsd.conns; c; c = c->next)
        if (c->kind == XS_CONN_SOCKET && c->transport)
            client_close(c->transport);
    uv_close((uv_handle_t *)&d->flush, NULL);
    if (d->evpoll_on)
        uv_close((uv_handle_t *)&d->evpoll, NULL);
}

void xs_daemon_free(struct xs_daemon *d)
{
    xsd_destroy(&d->xsd);
}
