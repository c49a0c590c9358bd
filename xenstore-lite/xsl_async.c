// SPDX-License-Identifier: MIT
/*
 * libxsl, libuv face.  Requests are written as they are made and kept on
 * a list until the reply with their req_id arrives; the daemon answers
 * in order, but matching by id keeps us honest.  Watch events go to the
 * watch callback given at open.  All callbacks run on the loop's thread.
 * A protocol error or a closed socket fails every outstanding request
 * with the error and closes the handle.
 */
#include "xsl_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <uv.h>

struct xsl_pending {
    struct xsl_pending *next;
    uint32_t req_id;
    xsl_async_fn fn;
    void *opaque;
};

struct xsl_async {
    uv_pipe_t pipe;
    uint32_t next_req;
    struct xsl_pending *head, **tail;
    unsigned int npending;
    xsl_watch_fn watch_fn;
    void *watch_opaque;
    char *in; /* partial input */
    size_t in_len, in_cap;
    bool closing;      /* the pipe is closing or closed */
    bool pipe_closed;  /* its close callback has run */
    bool owner_closed; /* the owner called xsl_async_close() */
};

struct xsl_wreq {
    uv_write_t req;
    char *buf;
};

static void fail_all(struct xsl_async *a, int err)
{
    struct xsl_pending *p;

    while ((p = a->head) != NULL) {
        a->head = p->next;
        a->npending--;
        p->fn(err, NULL, 0, p->opaque);
        free(p);
    }
    a->tail = &a->head;
}

/* The structure is freed only once both the pipe's close has run and the
 * owner has called xsl_async_close(): a connection the daemon dropped
 * (fail_and_close) stays valid, closed, until its owner lets it go. */
static void closed_cb(uv_handle_t *h)
{
    struct xsl_async *a = h->data;

    a->pipe_closed = true;
    if (a->owner_closed) {
        free(a->in);
        free(a);
    }
}

void xsl_async_close(struct xsl_async *a)
{
    if (!a || a->owner_closed)
        return;
    a->owner_closed = true;
    if (a->closing) {
        if (a->pipe_closed) {
            free(a->in);
            free(a);
        }
        return;
    }
    a->closing = true;
    fail_all(a, -ECANCELED);
    uv_close((uv_handle_t *)&a->pipe, closed_cb);
}

static void fail_and_close(struct xsl_async *a, int err)
{
    if (a->closing)
        return;
    fail_all(a, err);
    a->closing = true;
    uv_close((uv_handle_t *)&a->pipe, closed_cb);
}

static void deliver(struct xsl_async *a, const struct xsd_sockmsg *h,
                    const char *body)
{
    struct xsl_pending *p, **pp;
    size_t plen;

    if (h->type == XS_WATCH_EVENT) {
        plen = strnlen(body, h->len);
        if (plen + 1 < h->len && a->watch_fn)
            a->watch_fn(body, body + plen + 1, a->watch_opaque);
        return;
    }
    for (pp = &a->head; (p = *pp) != NULL; pp = &p->next)
        if (p->req_id == h->req_id)
            break;
    if (!p)
        return; /* not ours */
    *pp = p->next;
    if (!*pp)
        a->tail = pp;
    a->npending--;
    if (h->type == XS_ERROR)
        p->fn(-xsl_errno_from_name(body), NULL, 0, p->opaque);
    else
        p->fn(0, body, h->len, p->opaque);
    free(p);
}

static void alloc_cb(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct xsl_async *a = h->data;
    size_t want = a->in_len + 65536;
    char *p;

    (void)hint;
    if (want > a->in_cap) {
        p = realloc(a->in, want);
        if (!p) {
            *buf = uv_buf_init(NULL, 0);
            return;
        }
        a->in = p;
        a->in_cap = want;
    }
    /* One byte always stays free so a payload can be NUL-terminated. */
    *buf = uv_buf_init(a->in + a->in_len, a->in_cap - a->in_len - 1);
}

static void read_cb(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct xsl_async *a = s->data;
    struct xsd_sockmsg h;
    size_t off = 0;
    char save;

    (void)buf;
    if (a->closing)
        return;
    if (n < 0) {
        fail_and_close(a, n == UV_EOF ? -ECONNRESET : n);
        return;
    }
    a->in_len += n;
    while (a->in_len - off >= sizeof(h)) {
        memcpy(&h, a->in + off, sizeof(h));
        if (h.len > XENSTORE_PAYLOAD_MAX) {
            fail_and_close(a, -EPROTO);
            return;
        }
        if (a->in_len - off < sizeof(h) + h.len)
            break;
        off += sizeof(h);
        /* NUL-terminate in place for the callbacks, then restore. */
        save = a->in[off + h.len];
        a->in[off + h.len] = '\0';
        deliver(a, &h, a->in + off);
        if (a->closing)
            return;
        a->in[off + h.len] = save;
        off += h.len;
    }
    memmove(a->in, a->in + off, a->in_len - off);
    a->in_len -= off;
}

int xsl_async_open(struct uv_loop_s *loop, const char *path,
                   xsl_watch_fn watch_fn, void *watch_opaque,
                   struct xsl_async **out)
{
    struct xsl_async *a = calloc(1, sizeof(*a));
    int fd, err;

    if (!a)
        return -ENOMEM;
    fd = xsl__connect(path);
    if (fd < 0) {
        free(a);
        return fd;
    }
    a->next_req = 1;
    a->tail = &a->head;
    a->watch_fn = watch_fn;
    a->watch_opaque = watch_opaque;
    a->in_cap = 0;
    uv_pipe_init(loop, &a->pipe, 0);
    a->pipe.data = a;
    if ((err = uv_pipe_open(&a->pipe, fd)) ||
        (err = uv_read_start((uv_stream_t *)&a->pipe, alloc_cb, read_cb))) {
        close(fd);
        a->closing = true;
        a->owner_closed = true; /* never handed out */
        uv_close((uv_handle_t *)&a->pipe, closed_cb);
        return err;
    }
    *out = a;
    return 0;
}

static void write_cb(uv_write_t *req, int status)
{
    struct xsl_wreq *w = (struct xsl_wreq *)req;
    struct xsl_async *a = req->handle->data;

    free(w->buf);
    free(w);
    if (status < 0 && a && !a->closing)
        fail_and_close(a, status);
}

int xsl_async_request(struct xsl_async *a, uint32_t type, uint32_t txn,
                      const struct iovec *iov, int niov, xsl_async_fn fn,
                      void *opaque)
{
    struct xsl_pending *p;
    struct xsl_wreq *w;
    uv_buf_t b;
    size_t len;
    int err;

    if (a->closing)
        return -ECONNRESET;
    p = calloc(1, sizeof(*p));
    w = calloc(1, sizeof(*w));
    if (!p || !w) {
        free(p);
        free(w);
        return -ENOMEM;
    }
    p->req_id = a->next_req++;
    p->fn = fn;
    p->opaque = opaque;
    if ((err = xsl__build(type, p->req_id, txn, iov, niov, &w->buf, &len))) {
        free(p);
        free(w);
        return err;
    }
    b = uv_buf_init(w->buf, len);
    if ((err = uv_write(&w->req, (uv_stream_t *)&a->pipe, &b, 1, write_cb))) {
        free(w->buf);
        free(w);
        free(p);
        return err;
    }
    *a->tail = p;
    a->tail = &p->next;
    a->npending++;
    return 0;
}

unsigned int xsl_async_pending(const struct xsl_async *a)
{
    return a->npending;
}

static int one(struct xsl_async *a, uint32_t type, uint32_t txn,
               const char *arg, xsl_async_fn fn, void *opaque)
{
    struct iovec iov = xsl__str(arg);

    return xsl_async_request(a, type, txn, &iov, 1, fn, opaque);
}

int xsl_async_read(struct xsl_async *a, uint32_t txn, const char *path,
                   xsl_async_fn fn, void *opaque)
{
    return one(a, XS_READ, txn, path, fn, opaque);
}

int xsl_async_write(struct xsl_async *a, uint32_t txn, const char *path,
                    const void *value, size_t len, xsl_async_fn fn,
                    void *opaque)
{
    struct iovec iov[2] = {xsl__str(path),
                           {.iov_base = (void *)value, .iov_len = len}};

    return xsl_async_request(a, XS_WRITE, txn, iov, 2, fn, opaque);
}

int xsl_async_mkdir(struct xsl_async *a, uint32_t txn, const char *path,
                    xsl_async_fn fn, void *opaque)
{
    return one(a, XS_MKDIR, txn, path, fn, opaque);
}

int xsl_async_rm(struct xsl_async *a, uint32_t txn, const char *path,
                 xsl_async_fn fn, void *opaque)
{
    return one(a, XS_RM, txn, path, fn, opaque);
}

int xsl_async_directory(struct xsl_async *a, uint32_t txn, const char *path,
                        xsl_async_fn fn, void *opaque)
{
    return one(a, XS_DIRECTORY, txn, path, fn, opaque);
}

int xsl_async_watch(struct xsl_async *a, const char *path, const char *token,
                    xsl_async_fn fn, void *opaque)
{
    struct iovec iov[2] = {xsl__str(path), xsl__str(token)};

    return xsl_async_request(a, XS_WATCH, XSL_NO_TXN, iov, 2, fn, opaque);
}

int xsl_async_unwatch(struct xsl_async *a, const char *path, const char *token,
                      xsl_async_fn fn, void *opaque)
{
    struct iovec iov[2] = {xsl__str(path), xsl__str(token)};

    return xsl_async_request(a, XS_UNWATCH, XSL_NO_TXN, iov, 2, fn, opaque);
}

int xsl_async_transaction_start(struct xsl_async *a, xsl_async_fn fn,
                                void *opaque)
{
    return one(a, XS_TRANSACTION_START, XSL_NO_TXN, "", fn, opaque);
}

int xsl_async_transaction_end(struct xsl_async *a, uint32_t txn, bool commit,
                              xsl_async_fn fn, void *opaque)
{
    return one(a, XS_TRANSACTION_END, txn, commit ? "T" : "F", fn, opaque);
}
