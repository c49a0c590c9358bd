/* SPDX-License-Identifier: MIT */
/*
 * libpvctrl clients of the link daemon, on $RUNDIR/link.sock.
 *
 * Each connection gets its own window of the hypercall argument arena at
 * HELLO; every hypercall it sends may touch only that window (the
 * hypervisor enforces it).  A client that sends garbage is disconnected;
 * nothing a client does can stop the daemon or disturb other clients.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "linkd.h"

struct write_req {
    uv_write_t req;
    char data[];
};

static void client_close(struct linkd_client *c);

static void write_done(uv_write_t *req, int status)
{
    (void)status;
    free(req); /* the uv_write_t is the first member of its write_req */
}

void clients_send(struct linkd_client *c, const struct pvlinkd_msg *msg)
{
    clients_send_raw(c, msg, sizeof(*msg));
}

/* Queues len bytes to c (copied); a client that cannot take them goes. */
void clients_send_raw(struct linkd_client *c, const void *data, size_t len)
{
    struct write_req *w;
    uv_buf_t buf;

    if (c->closing)
        return;
    w = malloc(sizeof(*w) + len);
    if (!w) {
        client_close(c);
        return;
    }
    memcpy(w->data, data, len);
    buf = uv_buf_init(w->data, (unsigned int)len);
    if (uv_write(&w->req, (uv_stream_t *)&c->pipe, &buf, 1, write_done)) {
        free(w);
        client_close(c);
    }
}

static void fill_facts(struct pvlinkd_msg *m)
{
    m->state = linkd.state;
    m->nr_cpus = linkd.hdr && linkd.state != PVLINKD_STATE_BOOTING
                     ? linkd.hdr->nr_cpus
                     : linkd.opt.cpus;
    m->qemu_pid = linkd.qemu_running ? linkd.qemu.pid : 0;
    m->daemon_pid = getpid();
    m->ram_bytes = linkd.opt.memory;
    m->ram_below_4g = linkd.ram_below_4g;
    snprintf(m->accel, sizeof(m->accel), "%s", linkd.accel);
    snprintf(m->ram_path, sizeof(m->ram_path), "%s", linkd.ram_path);
    if (m->type == PVLINKD_STATUS) {
        m->args[0] = linkd.event_bells;
        m->args[1] = linkd.event_scans;
        m->args[2] = linkd.events_delivered;
        m->args[3] = linkd.hdr && linkd.state == PVLINKD_STATE_READY
                         ? __atomic_load_n(&linkd.hdr->event_seq,
                                           __ATOMIC_ACQUIRE)
                         : 0;
    }
}

static void handle_hello(struct linkd_client *c, struct pvlinkd_msg *m)
{
    unsigned int w;

    m->result = 0;
    if (m->version != PVLINKD_PROTO_VERSION) {
        m->result = -EPROTONOSUPPORT;
    } else if (linkd.state == PVLINKD_STATE_READY && !c->window &&
               !(m->args[0] & PVLINKD_HELLO_NO_WINDOW)) {
        /* A window only once the arena exists; before that the client
         * can ask for status or shutdown but not make hypercalls. */
        for (w = 1; w < linkd.nr_windows && linkd.window_used[w]; w++)
            ;
        if (w == linkd.nr_windows)
            m->result = -EUSERS; /* every window taken */
        else {
            linkd.window_used[w] = 1;
            c->window = w;
        }
    }
    fill_facts(m);
    if (!m->result && c->window) {
        m->window_maddr = machine_window_maddr(c->window);
        m->window_size = PVLINKD_WINDOW_SIZE;
    }
    clients_send(c, m);
}

static void handle_hypercall(struct linkd_client *c, struct pvlinkd_msg *m)
{
    struct linkd_call *call;

    if (!c->window || linkd.state != PVLINKD_STATE_READY) {
        m->result = -EAGAIN; /* booting, or shutting down */
        clients_send(c, m);
        return;
    }
    call = calloc(1, sizeof(*call));
    if (!call) {
        m->result = -ENOMEM;
        clients_send(c, m);
        return;
    }
    call->client = c;
    call->client_id = m->id;
    call->op = m->op;
    memcpy(call->args, m->args, sizeof(call->args));
    call->window_maddr = machine_window_maddr(c->window);
    c->nr_calls++;
    machine_submit(call);
}

void clients_call_done(struct linkd_call *call, int64_t result)
{
    struct linkd_client *c = call->client;

    if (c) {
        struct pvlinkd_msg m = {.type = PVLINKD_HYPERCALL,
                                .version = PVLINKD_PROTO_VERSION,
                                .id = call->client_id,
                                .result = result};
        c->nr_calls--;
        clients_send(c, &m);
    }
    free(call);
}

static void handle_message(struct linkd_client *c)
{
    struct pvlinkd_msg *m = &c->in;

    switch (m->type) {
    case PVLINKD_HELLO:
        handle_hello(c, m);
        break;
    case PVLINKD_HYPERCALL:
        handle_hypercall(c, m);
        break;
    case PVLINKD_STATUS:
        m->result = 0;
        fill_facts(m);
        clients_send(c, m);
        break;
    case PVLINKD_SHUTDOWN:
        if (linkd.nr_shutdown_waiters ==
            sizeof(linkd.shutdown_waiters) / sizeof(linkd.shutdown_waiters[0])) {
            m->result = -EBUSY;
            clients_send(c, m);
            break;
        }
        /* The reply goes out when the machine is down. */
        linkd.shutdown_waiters[linkd.nr_shutdown_waiters++] = c;
        c->shutdown_id = m->id;
        machine_request_shutdown();
        break;
    case PVLINKD_EVTCHN_OPEN:
        evtchn_open(c, m);
        break;
    case PVLINKD_EVTCHN_CMD:
        evtchn_command(c, m);
        break;
    default:
        linkd_log("client sent unknown message type %u; disconnecting",
                  m->type);
        client_close(c);
        break;
    }
}

static void client_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
    struct linkd_client *c = h->data;

    (void)hint;
    if (c->evtchn)
        *buf = uv_buf_init((char *)&c->ev_in + c->ev_in_len,
                           (unsigned int)(sizeof(c->ev_in) - c->ev_in_len));
    else
        *buf = uv_buf_init((char *)&c->in + c->in_len,
                           (unsigned int)(sizeof(c->in) - c->in_len));
}

static void client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *buf)
{
    struct linkd_client *c = s->data;

    (void)buf;
    if (n < 0) {
        client_close(c);
        return;
    }
    if (c->evtchn) {
        c->ev_in_len += (size_t)n;
        if (c->ev_in_len == sizeof(c->ev_in)) {
            c->ev_in_len = 0;
            evtchn_unmask_request(c, &c->ev_in);
        }
        return;
    }
    c->in_len += (size_t)n;
    if (c->in_len == sizeof(c->in)) {
        c->in_len = 0;
        handle_message(c);
    }
}

static void client_freed(uv_handle_t *h)
{
    free(h->data);
}

void clients_detach_calls(struct linkd_client *c)
{
    /* Calls still in flight complete later and find no client. */
    unsigned int size = linkd.inflight ? RING_SIZE(&linkd.front) : 0;

    for (unsigned int i = 0; i < size; i++)
        if (linkd.inflight[i] && linkd.inflight[i]->client == c)
            linkd.inflight[i]->client = NULL;
    for (struct linkd_call *q = linkd.waitq_head; q; q = q->next)
        if (q->client == c)
            q->client = NULL;
}

static void session_closed(struct linkd_call *call, int64_t result)
{
    if (result > 0)
        linkd_log("a closed client's session: %lld foreign and grant "
                  "mappings released", (long long)result);
    free(call);
}

/*
 * Tells the hypervisor the client's session is over, so that it releases
 * the foreign and grant mappings the client still held (a process that
 * died without unmapping).  Queued before any call of the window's next
 * owner, and the ring keeps that order.
 */
static void submit_close_session(struct linkd_client *c)
{
    struct linkd_call *call = calloc(1, sizeof(*call));

    if (!call) {
        linkd_log("cannot close window %u's session: out of memory",
                  c->window);
        return;
    }
    call->op = PVLINK_OP_CLOSE_SESSION;
    call->window_maddr = machine_window_maddr(c->window);
    call->done = session_closed;
    machine_submit(call);
}

static void client_close(struct linkd_client *c)
{
    struct linkd_client **pp;

    if (c->closing)
        return;
    c->closing = true;
    clients_detach_calls(c);
    if (c->evtchn)
        evtchn_client_closed(c);
    for (unsigned int i = 0; i < linkd.nr_shutdown_waiters; i++)
        if (linkd.shutdown_waiters[i] == c)
            linkd.shutdown_waiters[i] = NULL;
    if (c->window && linkd.state == PVLINKD_STATE_READY)
        submit_close_session(c);
    if (c->window && linkd.window_used)
        linkd.window_used[c->window] = 0;
    for (pp = &linkd.clients; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    uv_close((uv_handle_t *)&c->pipe, client_freed);
}

void clients_close(struct linkd_client *c)
{
    client_close(c);
}

static void client_connect(uv_stream_t *server, int status)
{
    struct linkd_client *c;

    if (status < 0)
        return;
    c = calloc(1, sizeof(*c));
    if (!c)
        return;
    uv_pipe_init(linkd.loop, &c->pipe, 0);
    c->pipe.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->pipe)) {
        uv_close((uv_handle_t *)&c->pipe, client_freed);
        return;
    }
    c->next = linkd.clients;
    linkd.clients = c;
    uv_read_start((uv_stream_t *)&c->pipe, client_alloc, client_read);
}

int clients_listen(void)
{
    char path[300];
    int rc;

    snprintf(path, sizeof(path), "%s/%s", linkd.opt.rundir, PVLINKD_SOCKET);
    unlink(path);
    uv_pipe_init(linkd.loop, &linkd.server, 0);
    rc = uv_pipe_bind(&linkd.server, path);
    if (!rc)
        rc = uv_listen((uv_stream_t *)&linkd.server, 64, client_connect);
    if (rc)
        linkd_log("cannot listen on %s: %s", path, uv_strerror(rc));
    return rc;
}

static void shutdown_done(uv_shutdown_t *req, int status)
{
    struct linkd_client *c = req->data;

    (void)status;
    free(req);
    client_close(c);
}

/*
 * The machine is gone: answer the clients waiting for that, and close every
 * connection once what was written to it has been flushed.
 */
void clients_machine_gone(void)
{
    for (unsigned int i = 0; i < linkd.nr_shutdown_waiters; i++) {
        struct linkd_client *c = linkd.shutdown_waiters[i];
        struct pvlinkd_msg m = {.type = PVLINKD_SHUTDOWN,
                                .version = PVLINKD_PROTO_VERSION};

        if (!c)
            continue;
        m.id = c->shutdown_id;
        clients_send(c, &m);
    }
    linkd.nr_shutdown_waiters = 0;
    for (struct linkd_client *c = linkd.clients, *next; c; c = next) {
        uv_shutdown_t *req = malloc(sizeof(*req));

        next = c->next;
        if (!req || c->closing) {
            free(req);
            client_close(c);
            continue;
        }
        req->data = c;
        uv_read_stop((uv_stream_t *)&c->pipe);
        if (uv_shutdown(req, (uv_stream_t *)&c->pipe, shutdown_done)) {
            free(req);
            client_close(c);
        }
    }
}
