// SPDX-License-Identifier: MIT
/*
 * Connections: message framing in, reply and watch-event queue out.
 *
 * Input arrives as a byte stream (a socket read or a ring copy).  A
 * message is a struct xsd_sockmsg header and at most XENSTORE_PAYLOAD_MAX
 * bytes of payload; a header announcing more is a protocol error and the
 * connection is dropped, as xenstored does.  Everything else wrong with a
 * request (bad type, missing NULs, bad paths) is answered with XS_ERROR.
 *
 * Output is a queue of complete messages.  Replies count against the
 * domain's outstanding quota until the transport takes them; an
 * unprivileged connection at its quota is not read from (its requests
 * wait in the transport).  Watch events to unprivileged connections
 * expire after watch_event_timeout_ms if not yet started, and an event
 * identical to one still queued is dropped (both as in xenstored).  A
 * connection whose queue grows past max_conn_output is dropped: a client
 * that stops reading cannot make the daemon grow without bound.
 */
#include "xs_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *xs_error_name(int err)
{
    size_t i;

    for (i = 0; i < sizeof(xsd_errors) / sizeof(xsd_errors[0]); i++)
        if (xsd_errors[i].errnum == err)
            return xsd_errors[i].errstring;
    return "EINVAL"; /* as xenstored: untranslatable errors become EINVAL */
}

struct xs_conn *xs_conn_new(struct xsd *x, enum xs_conn_kind kind,
                            unsigned int domid, bool privileged)
{
    struct xs_conn *c = calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->domain = xs_domain_get(x, domid);
    if (!c->domain) {
        free(c);
        return NULL;
    }
    c->xsd = x;
    c->kind = kind;
    c->domid = domid;
    c->privileged = privileged;
    c->out_tail = &c->out_head;
    c->next_txn_id = 1;
    c->domain->nconns++;
    c->next = x->conns;
    if (x->conns)
        x->conns->pprev = &c->next;
    c->pprev = &x->conns;
    x->conns = c;
    return c;
}

static void msg_unlink_head(struct xs_conn *c)
{
    struct xs_msg *m = c->out_head;

    c->out_head = m->next;
    if (!c->out_head)
        c->out_tail = &c->out_head;
    c->out_bytes -= m->len;
    xs_acc_add(c->xsd, c->domid, XS_ACC_MEMORY, -(int)m->len);
    if (!m->is_event) {
        c->out_replies--;
        xs_acc_add(c->xsd, c->domid, XS_ACC_OUTSTANDING, -1);
    }
    free(m);
}

void xs_conn_free(struct xs_conn *c)
{
    if (!c)
        return;
    xs_watch_remove_all(c);
    xs_txn_free_all(c);
    while (c->out_head)
        msg_unlink_head(c);
    *c->pprev = c->next;
    if (c->next)
        c->next->pprev = c->pprev;
    c->domain->nconns--;
    if (c->domain->ring_conn == c)
        c->domain->ring_conn = NULL;
    free(c);
}

void xs_conn_mark_dead(struct xs_conn *c, const char *why)
{
    if (c->dead)
        return;
    c->dead = true;
    c->dead_reason = why;
    /* Like xenstored's ignore_connection: nothing more is done for it. */
    xs_watch_remove_all(c);
    xs_txn_free_all(c);
    xsd_logf(c->xsd, "connection (domain %u) dropped: %s", c->domid, why);
    if (c->xsd->kick)
        c->xsd->kick(c);
}

static struct xs_msg *msg_new(uint32_t type, uint32_t req_id, uint32_t tx_id,
                              const void *b1, size_t l1, const void *b2,
                              size_t l2)
{
    struct xsd_sockmsg h = {
        .type = type, .req_id = req_id, .tx_id = tx_id, .len = l1 + l2};
    struct xs_msg *m = malloc(sizeof(*m) + sizeof(h) + l1 + l2);

    if (!m)
        return NULL;
    m->next = NULL;
    m->deadline_ms = 0;
    m->len = sizeof(h) + l1 + l2;
    m->used = 0;
    m->is_event = type == XS_WATCH_EVENT;
    memcpy(m->bytes, &h, sizeof(h));
    if (l1)
        memcpy(m->bytes + sizeof(h), b1, l1);
    if (l2)
        memcpy(m->bytes + sizeof(h) + l1, b2, l2);
    return m;
}

static void queue_msg(struct xs_conn *c, struct xs_msg *m)
{
    *c->out_tail = m;
    c->out_tail = &m->next;
    c->out_bytes += m->len;
    xs_acc_add(c->xsd, c->domid, XS_ACC_MEMORY, (int)m->len);
    if (!m->is_event) {
        c->out_replies++;
        xs_acc_add(c->xsd, c->domid, XS_ACC_OUTSTANDING, 1);
    }
    if (c->xsd->max_conn_output && c->out_bytes > c->xsd->max_conn_output)
        xs_conn_mark_dead(c, "output queue over limit (client not reading)");
    else if (c->xsd->kick)
        c->xsd->kick(c);
}

int xs_reply(struct xs_conn *c, const struct xsd_sockmsg *req, uint32_t type,
             const void *body, size_t len)
{
    struct xs_msg *m;

    if (c->dead)
        return 0;
    if (len > XENSTORE_PAYLOAD_MAX) {
        xs_reply_error(c, req, E2BIG);
        return 0;
    }
    m = msg_new(type, req->req_id, req->tx_id, body, len, NULL, 0);
    if (!m)
        return ENOMEM;
    queue_msg(c, m);
    return 0;
}

void xs_reply_error(struct xs_conn *c, const struct xsd_sockmsg *req, int err)
{
    const char *name = xs_error_name(err);
    struct xs_msg *m;

    c->xsd->nr_errors++;
    if (c->dead)
        return;
    m = msg_new(XS_ERROR, req->req_id, req->tx_id, name, strlen(name) + 1, NULL,
                0);
    if (m)
        queue_msg(c, m);
    else
        xs_conn_mark_dead(c, "out of memory for an error reply");
}

void xs_send_event(struct xs_conn *c, const char *path, const char *token)
{
    size_t lp = strlen(path) + 1, lt = strlen(token) + 1;
    struct xs_msg *m, *q;

    if (c->dead || lp + lt > XENSTORE_PAYLOAD_MAX)
        return;
    m = msg_new(XS_WATCH_EVENT, 0, 0, path, lp, token, lt);
    if (!m) {
        c->xsd->nr_dropped_events++;
        return;
    }
    /* An identical event not yet started already tells the watcher. */
    if (path[0] != '@') {
        for (q = c->out_head; q; q = q->next) {
            if (q->is_event && !q->used && q->len == m->len &&
                !memcmp(q->bytes + sizeof(struct xsd_sockmsg),
                        m->bytes + sizeof(struct xsd_sockmsg),
                        m->len - sizeof(struct xsd_sockmsg))) {
                free(m);
                return;
            }
        }
    }
    if (xs_acc_over(c, XS_ACC_MEMORY,
                    c->domain->acc[XS_ACC_MEMORY] + (long)m->len)) {
        free(m);
        c->xsd->nr_dropped_events++;
        return;
    }
    if (xs_conn_unprivileged(c) && c->xsd->watch_event_timeout_ms &&
        c->xsd->now_ms)
        m->deadline_ms = c->xsd->now_ms() + c->xsd->watch_event_timeout_ms;
    c->xsd->nr_events++;
    queue_msg(c, m);
}

/* Drop expired, unstarted watch events at the head of the queue. */
static void expire_events(struct xs_conn *c)
{
    uint64_t now;

    if (!c->out_head || !c->out_head->deadline_ms || c->out_head->used)
        return;
    now = c->xsd->now_ms();
    while (c->out_head && c->out_head->deadline_ms && !c->out_head->used &&
           c->out_head->deadline_ms <= now) {
        c->xsd->nr_dropped_events++;
        msg_unlink_head(c);
    }
}

size_t xs_conn_out_peek(struct xs_conn *c, const void **p)
{
    struct xs_msg *m;

    expire_events(c);
    m = c->out_head;
    if (!m || c->dead)
        return 0;
    *p = m->bytes + m->used;
    return m->len - m->used;
}

void xs_conn_out_advance(struct xs_conn *c, size_t n)
{
    struct xs_msg *m = c->out_head;

    if (!m)
        return;
    m->used += n;
    if (m->used >= m->len)
        msg_unlink_head(c);
}

bool xs_conn_can_read(const struct xs_conn *c)
{
    if (c->dead)
        return false;
    return !xs_acc_over(c, XS_ACC_OUTSTANDING,
                        c->domain->acc[XS_ACC_OUTSTANDING] + 1);
}

static void process_held(struct xs_conn *c)
{
    struct xsd_sockmsg hdr = c->in_hdr;

    c->in_ready = false;
    c->in_used = 0;
    c->xsd->nr_requests++;
    /* The payload is NUL-terminated one past its end for convenience;
     * handlers still check the NULs the protocol requires. */
    c->in_buf[hdr.len] = '\0';
    xs_process(c, &hdr, c->in_buf);
}

bool xs_conn_resume(struct xs_conn *c)
{
    if (!c->in_ready || !xs_conn_can_read(c))
        return false;
    process_held(c);
    return true;
}

long xs_conn_feed(struct xs_conn *c, const void *buf, size_t len)
{
    const char *p = buf;
    size_t done = 0, want, n;
    const size_t hl = sizeof(struct xsd_sockmsg);

    if (c->dead)
        return -EPIPE;
    while (done < len) {
        if (c->in_ready && !xs_conn_resume(c))
            break;
        if (c->dead)
            return -EPIPE;
        if (c->in_used < hl) {
            want = hl - c->in_used;
            n = len - done < want ? len - done : want;
            memcpy((char *)&c->in_hdr + c->in_used, p + done, n);
            c->in_used += n;
            done += n;
            if (c->in_used < hl)
                break;
            if (c->in_hdr.len > XENSTORE_PAYLOAD_MAX) {
                xs_conn_mark_dead(c, "payload length over the limit");
                return -EPROTO;
            }
        }
        want = hl + c->in_hdr.len - c->in_used;
        n = len - done < want ? len - done : want;
        memcpy(c->in_buf + (c->in_used - hl), p + done, n);
        c->in_used += n;
        done += n;
        if (c->in_used == hl + c->in_hdr.len) {
            c->in_ready = true;
            if (!xs_conn_resume(c))
                break;
        }
    }
    return c->dead ? -EPIPE : (long)done;
}
