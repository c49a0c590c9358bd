// SPDX-License-Identifier: MIT
/*
 * libxsl, blocking face.  One request at a time: write it, then read
 * messages until the reply with our req_id arrives; watch events read on
 * the way are queued for xsl_read_watch / xsl_dispatch.  Not thread-safe:
 * use one handle per thread.
 */
#include "xsl_internal.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct xsl_event {
    struct xsl_event *next;
    char *path; /* path\0token\0 */
    char *token;
};

struct xsl_handle {
    int fd;
    uint32_t next_req;
    struct xsl_event *ev_head, **ev_tail;
    xsl_watch_fn watch_fn;
    void *watch_opaque;
};

int xsl_open(const char *path, struct xsl_handle **out)
{
    struct xsl_handle *h = calloc(1, sizeof(*h));
    int fd;

    if (!h)
        return -ENOMEM;
    fd = xsl__connect(path);
    if (fd < 0) {
        free(h);
        return fd;
    }
    h->fd = fd;
    h->next_req = 1;
    h->ev_tail = &h->ev_head;
    *out = h;
    return 0;
}

void xsl_close(struct xsl_handle *h)
{
    struct xsl_event *e;

    if (!h)
        return;
    while ((e = h->ev_head) != NULL) {
        h->ev_head = e->next;
        free(e->path);
        free(e);
    }
    close(h->fd);
    free(h);
}

static int write_all(int fd, const char *p, size_t len)
{
    ssize_t n;

    while (len) {
        n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -EPIPE;
        p += n;
        len -= n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;
    ssize_t n;

    while (len) {
        n = read(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return n < 0 ? -errno : -ECONNRESET;
        p += n;
        len -= n;
    }
    return 0;
}

/* Read one message; body NUL-terminated one past its length. */
static int read_msg(struct xsl_handle *h, struct xsd_sockmsg *hdr, char **body)
{
    int err = read_all(h->fd, hdr, sizeof(*hdr));

    if (err)
        return err;
    if (hdr->len > XENSTORE_PAYLOAD_MAX)
        return -EPROTO;
    *body = malloc(hdr->len + 1);
    if (!*body)
        return -ENOMEM;
    err = read_all(h->fd, *body, hdr->len);
    if (err) {
        free(*body);
        return err;
    }
    (*body)[hdr->len] = '\0';
    return 0;
}

static void queue_event(struct xsl_handle *h, char *body, size_t len)
{
    struct xsl_event *e = malloc(sizeof(*e));
    size_t plen = strlen(body);

    if (!e || plen + 1 >= len) {
        free(e);
        free(body);
        return; /* malformed or no memory: nothing to deliver */
    }
    e->next = NULL;
    e->path = body;
    e->token = body + plen + 1;
    *h->ev_tail = e;
    h->ev_tail = &e->next;
}

int xsl_request(struct xsl_handle *h, uint32_t type, uint32_t txn,
                const struct iovec *iov, int niov, char **reply, size_t *len)
{
    struct xsd_sockmsg hdr;
    uint32_t id = h->next_req++;
    char *msg, *body;
    size_t mlen;
    int err = xsl__build(type, id, txn, iov, niov, &msg, &mlen);

    if (err)
        return err;
    err = write_all(h->fd, msg, mlen);
    free(msg);
    if (err)
        return err;
    for (;;) {
        if ((err = read_msg(h, &hdr, &body)))
            return err;
        if (hdr.type == XS_WATCH_EVENT) {
            queue_event(h, body, hdr.len);
            continue;
        }
        if (hdr.req_id != id) {
            free(body);
            continue; /* a stale reply: not ours */
        }
        break;
    }
    if (hdr.type == XS_ERROR) {
        err = -xsl_errno_from_name(body);
        free(body);
        return err;
    }
    if (hdr.type != type) {
        free(body);
        return -EPROTO;
    }
    if (len)
        *len = hdr.len;
    if (reply)
        *reply = body;
    else
        free(body);
    return 0;
}

static int simple(struct xsl_handle *h, uint32_t type, uint32_t txn,
                  const char *arg)
{
    struct iovec iov = xsl__str(arg);

    return xsl_request(h, type, txn, &iov, 1, NULL, NULL);
}

int xsl_read(struct xsl_handle *h, uint32_t txn, const char *path, char **value,
             size_t *len)
{
    struct iovec iov = xsl__str(path);

    return xsl_request(h, XS_READ, txn, &iov, 1, value, len);
}

int xsl_write(struct xsl_handle *h, uint32_t txn, const char *path,
              const void *value, size_t len)
{
    struct iovec iov[2] = {xsl__str(path),
                           {.iov_base = (void *)value, .iov_len = len}};

    return xsl_request(h, XS_WRITE, txn, iov, 2, NULL, NULL);
}

int xsl_mkdir(struct xsl_handle *h, uint32_t txn, const char *path)
{
    return simple(h, XS_MKDIR, txn, path);
}

int xsl_rm(struct xsl_handle *h, uint32_t txn, const char *path)
{
    return simple(h, XS_RM, txn, path);
}

int xsl_directory(struct xsl_handle *h, uint32_t txn, const char *path,
                  char ***names, unsigned int *num)
{
    struct iovec iov = xsl__str(path);
    char *body;
    size_t len;
    int err = xsl_request(h, XS_DIRECTORY, txn, &iov, 1, &body, &len);

    if (err)
        return err;
    err = xsl_split(body, len, names, num);
    free(body);
    return err;
}

int xsl_get_perms(struct xsl_handle *h, uint32_t txn, const char *path,
                  struct xsl_perm **perms, unsigned int *num)
{
    struct iovec iov = xsl__str(path);
    char *body;
    size_t len;
    int err = xsl_request(h, XS_GET_PERMS, txn, &iov, 1, &body, &len);

    if (err)
        return err;
    err = xsl_perms_parse(body, len, perms, num);
    free(body);
    return err;
}

int xsl_set_perms(struct xsl_handle *h, uint32_t txn, const char *path,
                  const struct xsl_perm *perms, unsigned int num)
{
    struct iovec iov[2] = {xsl__str(path)};
    char *buf;
    size_t len;
    int err = xsl__perms_format(perms, num, &buf, &len);

    if (err)
        return err;
    iov[1].iov_base = buf;
    iov[1].iov_len = len;
    err = xsl_request(h, XS_SET_PERMS, txn, iov, 2, NULL, NULL);
    free(buf);
    return err;
}

int xsl_transaction_start(struct xsl_handle *h, uint32_t *txn)
{
    struct iovec iov = xsl__str("");
    char *body, *end;
    unsigned long id;
    int err =
        xsl_request(h, XS_TRANSACTION_START, XSL_NO_TXN, &iov, 1, &body, NULL);

    if (err)
        return err;
    id = strtoul(body, &end, 10);
    err = (*end || end == body || !id) ? -EPROTO : 0;
    free(body);
    if (!err)
        *txn = id;
    return err;
}

int xsl_transaction_end(struct xsl_handle *h, uint32_t txn, bool commit)
{
    return simple(h, XS_TRANSACTION_END, txn, commit ? "T" : "F");
}

int xsl_watch(struct xsl_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {xsl__str(path), xsl__str(token)};

    return xsl_request(h, XS_WATCH, XSL_NO_TXN, iov, 2, NULL, NULL);
}

int xsl_unwatch(struct xsl_handle *h, const char *path, const char *token)
{
    struct iovec iov[2] = {xsl__str(path), xsl__str(token)};

    return xsl_request(h, XS_UNWATCH, XSL_NO_TXN, iov, 2, NULL, NULL);
}

int xsl_reset_watches(struct xsl_handle *h)
{
    struct xsl_event *e;
    int err = xsl_request(h, XS_RESET_WATCHES, XSL_NO_TXN, NULL, 0, NULL, NULL);

    while (!err && (e = h->ev_head) != NULL) {
        h->ev_head = e->next;
        free(e->path);
        free(e);
    }
    if (!h->ev_head)
        h->ev_tail = &h->ev_head;
    return err;
}

int xsl_watch_fd(struct xsl_handle *h)
{
    return h->fd;
}

int xsl_read_watch(struct xsl_handle *h, bool block, char **path, char **token)
{
    struct pollfd pfd = {.fd = h->fd, .events = POLLIN};
    struct xsd_sockmsg hdr;
    struct xsl_event *e;
    char *body;
    int err;

    while (!h->ev_head) {
        if (!block && poll(&pfd, 1, 0) <= 0)
            return -EAGAIN;
        if ((err = read_msg(h, &hdr, &body)))
            return err;
        if (hdr.type == XS_WATCH_EVENT)
            queue_event(h, body, hdr.len);
        else
            free(body); /* a reply nobody waits for */
    }
    e = h->ev_head;
    h->ev_head = e->next;
    if (!h->ev_head)
        h->ev_tail = &h->ev_head;
    *path = e->path;
    *token = e->token;
    free(e);
    return 0;
}

void xsl_set_watch_cb(struct xsl_handle *h, xsl_watch_fn fn, void *opaque)
{
    h->watch_fn = fn;
    h->watch_opaque = opaque;
}

int xsl_dispatch(struct xsl_handle *h)
{
    char *path, *token;
    int n = 0, err;

    while ((err = xsl_read_watch(h, false, &path, &token)) == 0) {
        if (h->watch_fn)
            h->watch_fn(path, token, h->watch_opaque);
        free(path);
        n++;
    }
    return err == -EAGAIN ? n : err;
}

static int domid_request(struct xsl_handle *h, uint32_t type,
                         unsigned int domid, char **reply)
{
    char buf[16];
    struct iovec iov;

    snprintf(buf, sizeof(buf), "%u", domid);
    iov = xsl__str(buf);
    return xsl_request(h, type, XSL_NO_TXN, &iov, 1, reply, NULL);
}

int xsl_get_domain_path(struct xsl_handle *h, unsigned int domid, char **path)
{
    return domid_request(h, XS_GET_DOMAIN_PATH, domid, path);
}

int xsl_introduce(struct xsl_handle *h, unsigned int domid, uint64_t mfn,
                  unsigned int port)
{
    char a[16], b[24], c[16];
    struct iovec iov[3];

    snprintf(a, sizeof(a), "%u", domid);
    snprintf(b, sizeof(b), "%llu", (unsigned long long)mfn);
    snprintf(c, sizeof(c), "%u", port);
    iov[0] = xsl__str(a);
    iov[1] = xsl__str(b);
    iov[2] = xsl__str(c);
    return xsl_request(h, XS_INTRODUCE, XSL_NO_TXN, iov, 3, NULL, NULL);
}

int xsl_release(struct xsl_handle *h, unsigned int domid)
{
    return domid_request(h, XS_RELEASE, domid, NULL);
}

int xsl_resume(struct xsl_handle *h, unsigned int domid)
{
    return domid_request(h, XS_RESUME, domid, NULL);
}

int xsl_set_target(struct xsl_handle *h, unsigned int domid,
                   unsigned int target)
{
    char a[16], b[16];
    struct iovec iov[2];

    snprintf(a, sizeof(a), "%u", domid);
    snprintf(b, sizeof(b), "%u", target);
    iov[0] = xsl__str(a);
    iov[1] = xsl__str(b);
    return xsl_request(h, XS_SET_TARGET, XSL_NO_TXN, iov, 2, NULL, NULL);
}

int xsl_is_domain_introduced(struct xsl_handle *h, unsigned int domid)
{
    char *r;
    int err = domid_request(h, XS_IS_DOMAIN_INTRODUCED, domid, &r);

    if (err)
        return err;
    err = r[0] == 'T';
    free(r);
    return err;
}

int xsl_control(struct xsl_handle *h, const char *const *argv, int argc,
                char **reply)
{
    struct iovec iov[16];
    int i;

    if (argc < 1 || argc > 16)
        return -EINVAL;
    for (i = 0; i < argc; i++)
        iov[i] = xsl__str(argv[i]);
    return xsl_request(h, XS_CONTROL, XSL_NO_TXN, iov, argc, reply, NULL);
}
