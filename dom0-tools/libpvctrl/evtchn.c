/* SPDX-License-Identifier: MIT */
/*
 * Domain 0's event channels (the libxenevtchn part of libpvctrl).
 *
 * A handle is two connections to the link daemon (linkd_proto.h): the
 * event connection, whose descriptor the caller polls and from which
 * pending ports are read (4 bytes each) and to which unmasks are written,
 * and the command connection for binding, unbinding and notifying, whose
 * replies therefore never mix with events.  The daemon makes the
 * hypercalls and owns the bookkeeping, so a process that dies leaves no
 * port bound behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "linkd_proto.h"
#include "pvctrl.h"
#include "pvctrl_priv.h"

struct pvevtchn {
    int ev_fd;       /* events in, unmasks out; non-blocking */
    int cmd_fd;      /* commands and their replies */
    uint64_t next_id;
    uint64_t cookie;
    uint8_t partial[4]; /* a port number read in pieces */
    size_t partial_len;
};

static int hello(int fd, uint64_t *next_id)
{
    struct pvlinkd_msg m = {.type = PVLINKD_HELLO,
                            .args = {PVLINKD_HELLO_NO_WINDOW}};
    int rc = pvcall__transact(fd, next_id, &m);

    return rc ? rc : (int)m.result;
}

int pvevtchn_open(const char *rundir, struct pvevtchn **out)
{
    struct pvevtchn *h = calloc(1, sizeof(*h));
    struct pvlinkd_msg m = {.type = PVLINKD_EVTCHN_OPEN};
    int rc;

    if (!h)
        return -ENOMEM;
    h->ev_fd = h->cmd_fd = -1;
    rc = pvcall__connect(rundir);
    if (rc < 0)
        goto out;
    h->ev_fd = rc;
    rc = pvcall__connect(rundir);
    if (rc < 0)
        goto out;
    h->cmd_fd = rc;
    rc = hello(h->cmd_fd, &h->next_id);
    if (rc)
        goto out;
    rc = pvcall__transact(h->ev_fd, &h->next_id, &m);
    if (!rc)
        rc = (int)m.result;
    if (rc)
        goto out;
    h->cookie = m.args[0];
    if (fcntl(h->ev_fd, F_SETFL, fcntl(h->ev_fd, F_GETFL) | O_NONBLOCK) < 0) {
        rc = -errno;
        goto out;
    }
    *out = h;
    return 0;

out:
    pvevtchn_close(h);
    return rc;
}

void pvevtchn_close(struct pvevtchn *h)
{
    if (!h)
        return;
    /* Closing the event connection unbinds every port of the handle. */
    if (h->ev_fd >= 0)
        close(h->ev_fd);
    if (h->cmd_fd >= 0)
        close(h->cmd_fd);
    free(h);
}

int pvevtchn_fd(struct pvevtchn *h)
{
    return h->ev_fd;
}

static int command(struct pvevtchn *h, enum pvlinkd_ev_op op, uint64_t a1,
                   uint64_t a2)
{
    struct pvlinkd_msg m = {.type = PVLINKD_EVTCHN_CMD,
                            .op = op,
                            .args = {h->cookie, a1, a2}};
    int rc = pvcall__transact(h->cmd_fd, &h->next_id, &m);

    return rc ? rc : (int)m.result;
}

int pvevtchn_bind_unbound_port(struct pvevtchn *h, uint32_t remote_domid)
{
    return command(h, PVLINKD_EV_BIND_UNBOUND, remote_domid, 0);
}

int pvevtchn_bind_interdomain(struct pvevtchn *h, uint32_t remote_domid,
                              uint32_t remote_port)
{
    return command(h, PVLINKD_EV_BIND_INTERDOMAIN, remote_domid, remote_port);
}

int pvevtchn_bind_virq(struct pvevtchn *h, unsigned int virq)
{
    return command(h, PVLINKD_EV_BIND_VIRQ, virq, 0);
}

int pvevtchn_unbind(struct pvevtchn *h, uint32_t port)
{
    return command(h, PVLINKD_EV_UNBIND, port, 0);
}

int pvevtchn_notify(struct pvevtchn *h, uint32_t port)
{
    return command(h, PVLINKD_EV_NOTIFY, port, 0);
}

int pvevtchn_pending(struct pvevtchn *h)
{
    while (h->partial_len < sizeof(h->partial)) {
        ssize_t n = read(h->ev_fd, h->partial + h->partial_len,
                         sizeof(h->partial) - h->partial_len);

        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno; /* -EAGAIN: nothing pending */
        }
        if (n == 0)
            return -EPIPE; /* the daemon went away */
        h->partial_len += (size_t)n;
    }
    h->partial_len = 0;
    {
        uint32_t port;

        memcpy(&port, h->partial, sizeof(port));
        return (int)port;
    }
}

int pvevtchn_wait(struct pvevtchn *h, int timeout_ms)
{
    struct pollfd p = {.fd = h->ev_fd, .events = POLLIN};
    int rc;

    for (;;) {
        rc = pvevtchn_pending(h);
        if (rc != -EAGAIN)
            return rc;
        rc = poll(&p, 1, timeout_ms);
        if (rc < 0 && errno == EINTR)
            continue;
        if (rc < 0)
            return -errno;
        if (rc == 0)
            return -ETIMEDOUT;
    }
}

int pvevtchn_unmask(struct pvevtchn *h, uint32_t port)
{
    struct pvlinkd_evtchn_unmask u = {.op = PVLINKD_EV_UNMASK, .port = port};
    const char *p = (const char *)&u;
    size_t left = sizeof(u);

    /* The event connection is non-blocking: wait for room if needed. */
    while (left) {
        ssize_t n = send(h->ev_fd, p, left, MSG_NOSIGNAL);

        if (n < 0 && errno == EAGAIN) {
            struct pollfd pf = {.fd = h->ev_fd, .events = POLLOUT};
            poll(&pf, 1, -1);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        p += n;
        left -= (size_t)n;
    }
    return 0;
}
