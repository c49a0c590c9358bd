/* SPDX-License-Identifier: MIT */
/*
 * pvisor-consoled: the console backend, as Xen's xenconsoled.
 *
 * Every domain's console output goes to $PVISOR_RUNDIR/console/<name>.log
 * (the logs outlive their domains), from two sources:
 *
 *   the ring console (xen/io/console.h): the daemon watches xenstore's
 *   @introduceDomain and @releaseDomain, reads /local/domain/N/console/
 *   {ring-ref,port} that the builder wrote, maps the page (libpvctrl's
 *   foreign mapping), binds the event channel the toolstack left unbound
 *   for domain 0, takes what the guest writes to "out" and puts input
 *   into "in" (conring.c checks the indexes; a guest whose indexes make
 *   no sense has its ring disconnected, with a line in its log, and
 *   nothing else happens to it or to anyone else);
 *
 *   the hypervisor console: console_io lines, which the hypervisor puts
 *   in its log prefixed "(dN) ".  The daemon follows that log
 *   (XEN_SYSCTL_readconsole, incrementally, every 20 ms).
 *
 * Each source is line-buffered on its own.  Before a domain's console_io
 * line, and before the hypervisor's news of its end (crashed, shut down,
 * destroyed, which become "--- domain NAME (N) ... ---" lines), the
 * domain's ring is drained, so what the guest wrote before comes first.
 *
 * Names come from xenstore (/local/domain/N/name), learnt through a watch
 * as soon as the toolstack writes them and remembered after the domain is
 * gone, so a domain that lives only a few milliseconds still gets its log
 * under its name.
 *
 * Interactive access: for each domain with a ring the daemon listens on
 * the Unix socket $PVISOR_RUNDIR/console/<domid>.sock (its path is
 * written to /local/domain/N/console/tty, where xenconsoled writes its
 * pty).  A client first gets the domain's log so far, then its output as
 * it comes (ring bytes at once, console_io and end lines whole); bytes it
 * sends go into the ring's "in" side.  The daemon closes the clients a
 * moment after the domain is gone.
 *
 * Single-threaded libuv loop: the readconsole timer (which also drains
 * every ring, in case a guest wrote without notifying), the event-channel
 * descriptor, the xenstore connection, the sockets, SIGTERM/SIGINT.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>
#include <sys/stat.h>
#include <unistd.h>
#include <uv.h>

#include "conring.h"
#include "pvctrl.h"
#include "xsl.h"

#define POLL_MS 20
#define MAX_DOMID 0x7ff0
#define LINE_MAX_LEN 4096
#define INPUT_MAX 4096       /* input queued for a ring, per domain */
#define LINGER_MS 300        /* clients stay this long after the domain */

enum ring_state {
    RS_NONE,      /* not looked at yet, or no console nodes */
    RS_PROBING,   /* reading console/ring-ref and console/port */
    RS_CONNECTED, /* page mapped, port bound */
    RS_BROKEN,    /* the guest broke the ring: disconnected */
    RS_CLOSING,   /* the domain is gone; clients linger */
};

struct client {
    uv_pipe_t pipe;
    struct dom *d;
    struct client *next;
    bool reading;
};

struct dom {
    unsigned int domid;
    enum ring_state state;
    uint64_t mfn;
    unsigned int remote_port;
    int local_port;
    struct conring ring;
    void *page;
    char line[LINE_MAX_LEN]; /* the ring's unfinished line */
    size_t line_len;
    char input[INPUT_MAX];   /* from clients, for the ring's "in" */
    size_t input_len;
    bool listening;
    uv_pipe_t server;
    char sock_path[600];
    struct client *clients;
    uv_timer_t linger;
    bool linger_init;
    char ring_ref[32], port_str[16];
    int reads_left, read_err;
};

static struct {
    uv_loop_t *loop;
    uv_timer_t timer;
    uv_signal_t sigterm, sigint;
    uv_poll_t evpoll;
    struct pvctrl *xc;
    struct pvevtchn *evh;
    struct xsl_async *xs;
    char dir[512];
    uint32_t index;
    bool incremental;
    bool stopping;    /* a signal came: the machine may be going down */
    char line[LINE_MAX_LEN];
    size_t line_len;
    char *names[MAX_DOMID];
    struct dom *doms[MAX_DOMID];
    /* Lines of a domain whose name is being looked up. */
    struct pending {
        struct pending *next;
        unsigned int domid;
        bool is_end;      /* a "--- domain ... ---" line: text is its what */
        bool to_clients;  /* clients have not seen it yet */
        size_t len;
        char text[];
    } *pending;
    bool lookup_busy[MAX_DOMID];
} cd;

static void ring_service(struct dom *d);
static void scan_domains(bool release);

static void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_msg(const char *fmt, ...)
{
    va_list ap;

    fputs("consoled: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* ------------------------------------------------------------ clients */

static void client_closed(uv_handle_t *h)
{
    free(h->data);
}

static void client_close(struct client *c)
{
    struct client **pp;

    for (pp = &c->d->clients; *pp; pp = &(*pp)->next)
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    uv_close((uv_handle_t *)&c->pipe, client_closed);
}

static void write_done(uv_write_t *w, int status)
{
    (void)status;
    free(w->data);
    free(w);
}

/* Sends len bytes (and a newline if nl) to one client. */
static void client_send(struct client *c, const char *data, size_t len,
                        bool nl)
{
    uv_write_t *w;
    char *copy;
    uv_buf_t b;

    /* A client that does not read gets cut off, not an unbounded queue. */
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->pipe) > (8u << 20)) {
        client_close(c);
        return;
    }
    w = malloc(sizeof(*w));
    copy = malloc(len + 1);
    if (!w || !copy) {
        free(w);
        free(copy);
        return;
    }
    memcpy(copy, data, len);
    if (nl)
        copy[len++] = '\n';
    w->data = copy;
    b = uv_buf_init(copy, (unsigned int)len);
    if (uv_write(w, (uv_stream_t *)&c->pipe, &b, 1, write_done)) {
        free(copy);
        free(w);
    }
}

static void to_clients(unsigned int domid, const char *data, size_t len,
                       bool nl)
{
    struct dom *d = domid < MAX_DOMID ? cd.doms[domid] : NULL;
    struct client *c, *next;

    for (c = d ? d->clients : NULL; c; c = next) {
        next = c->next;
        client_send(c, data, len, nl);
    }
}

/* --------------------------------------------------------------- logs */

static void append_line(const char *name, const char *text, size_t len)
{
    char path[1024];
    int fd;

    snprintf(path, sizeof(path), "%s/%s.log", cd.dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        log_msg("cannot open %s: %s", path, strerror(errno));
        return;
    }
    if (write(fd, text, len) < 0 || write(fd, "\n", 1) < 0)
        log_msg("cannot write %s: %s", path, strerror(errno));
    close(fd);
}

/* Appends a line about domid: "--- domain NAME (id) WHAT ---". */
static void append_end(unsigned int domid, const char *what, size_t len)
{
    char text[LINE_MAX_LEN + 128];
    int n = snprintf(text, sizeof(text), "--- domain %s (%u) %.*s ---",
                     cd.names[domid], domid, (int)len, what);
    size_t tlen = (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1;

    append_line(cd.names[domid], text, tlen);
    to_clients(domid, text, tlen, true);
}

static void emit(unsigned int domid, const char *text, size_t len,
                 bool is_end, bool clients)
{
    if (is_end) {
        append_end(domid, text, len);
        return;
    }
    append_line(cd.names[domid], text, len);
    if (clients)
        to_clients(domid, text, len, true);
}

/* Writes the queued lines of domid (in order) now that it has a name. */
static void flush_pending(unsigned int domid)
{
    struct pending **pp = &cd.pending, *p;

    while ((p = *pp)) {
        if (p->domid == domid) {
            emit(domid, p->text, p->len, p->is_end, p->to_clients);
            *pp = p->next;
            free(p);
        } else {
            pp = &p->next;
        }
    }
}

static void set_name(unsigned int domid, const char *name, size_t len)
{
    if (domid >= MAX_DOMID || !len || memchr(name, '/', len) ||
        !strncmp(name, ".", len) || !strncmp(name, "..", len))
        return;
    free(cd.names[domid]);
    cd.names[domid] = strndup(name, len);
}

static void name_read_done(int err, const char *data, size_t len, void *opaque)
{
    unsigned int domid = (unsigned int)(uintptr_t)opaque;
    char fallback[32];

    if (err == -ECANCELED)
        return;
    cd.lookup_busy[domid] = false;
    if (!err)
        set_name(domid, data, len);
    if (!cd.names[domid]) {
        snprintf(fallback, sizeof(fallback), "domain-%u", domid);
        set_name(domid, fallback, strlen(fallback));
    }
    flush_pending(domid);
}

static void lookup_name(unsigned int domid)
{
    char path[64];

    if (cd.lookup_busy[domid])
        return;
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    cd.lookup_busy[domid] = true;
    if (xsl_async_read(cd.xs, 0, path, name_read_done,
                       (void *)(uintptr_t)domid))
        name_read_done(-EIO, NULL, 0, (void *)(uintptr_t)domid);
}

/*
 * Appends text to domid's log (as an end line if is_end), or queues it
 * until the domain's name is known; clients get it too if they have not
 * already (ring output reaches them byte by byte as it comes).
 */
static void deliver(unsigned int domid, const char *text, size_t len,
                    bool is_end, bool clients)
{
    struct pending *q, **pp;

    if (cd.names[domid] && !cd.lookup_busy[domid]) {
        emit(domid, text, len, is_end, clients);
        return;
    }
    q = malloc(sizeof(*q) + len);
    if (!q)
        return;
    q->domid = domid;
    q->is_end = is_end;
    q->to_clients = clients;
    q->len = len;
    memcpy(q->text, text, len);
    q->next = NULL;
    for (pp = &cd.pending; *pp; pp = &(*pp)->next)
        ;
    *pp = q;
    lookup_name(domid);
}

/* Drains domid's ring, so that its output comes before what follows. */
static void drain_ring(unsigned int domid)
{
    if (domid < MAX_DOMID && cd.doms[domid] &&
        cd.doms[domid]->state == RS_CONNECTED)
        ring_service(cd.doms[domid]);
}

/*
 * The hypervisor's own lines about a domain's end (common/domain.c prints
 * them; keep the two in step):
 *     Domain N crashed: WHY
 *     Domain N shut down: reason R (NAME)
 *     Domain N destroyed
 * Each becomes "--- domain NAME (N) crashed: WHY ---", "... shut down:
 * NAME ---" or "... destroyed ---" in that domain's log, in order after
 * everything the domain printed before.
 */
static void hypervisor_line(const char *p, const char *end)
{
    static const char reason[] = "shut down: reason ";
    char what[LINE_MAX_LEN];
    unsigned long domid = 0;
    size_t len;

    if (end - p < 8 || memcmp(p, "Domain ", 7) || p[7] < '0' || p[7] > '9')
        return;
    for (p += 7; p < end && *p >= '0' && *p <= '9'; p++)
        domid = domid * 10 + (unsigned long)(*p - '0');
    if (domid == 0 || domid >= MAX_DOMID || p >= end || *p != ' ')
        return;
    p++;
    len = MIN((size_t)(end - p), sizeof(what) - 1);
    memcpy(what, p, len);
    what[len] = '\0';
    if (!strncmp(what, reason, sizeof(reason) - 1)) {
        char *open = strchr(what, '('), *close = open ? strchr(open, ')') : 0;

        if (!close)
            return;
        *close = '\0';
        len = (size_t)snprintf(what, sizeof(what), "shut down: %s",
                               strdupa(open + 1));
    } else if (strncmp(what, "crashed: ", 9) && strcmp(what, "destroyed")) {
        return;
    }
    drain_ring((unsigned int)domid);
    deliver((unsigned int)domid, what, len, true, true);
}

/* One complete line of the hypervisor log. */
static void handle_line(const char *l, size_t len)
{
    const char *p = l, *end = l + len;
    unsigned long domid = 0;

    /* "[   12.345678] " is the hypervisor's timestamp. */
    if (p < end && *p == '[') {
        while (p < end && *p != ']')
            p++;
        p += p < end ? 2 : 0;
    }
    if (end - p < 4 || p[0] != '(' || p[1] != 'd') {
        hypervisor_line(p, end);
        return;
    }
    p += 2;
    if (p >= end || *p < '0' || *p > '9')
        return;
    while (p < end && *p >= '0' && *p <= '9')
        domid = domid * 10 + (unsigned long)(*p++ - '0');
    if (p + 1 >= end || p[0] != ')' || p[1] != ' ' || domid >= MAX_DOMID ||
        domid == 0)
        return;
    p += 2;
    drain_ring((unsigned int)domid);
    deliver((unsigned int)domid, p, (size_t)(end - p), false, true);
}

static void poll_console(void)
{
    static char buf[16384];

    for (;;) {
        uint32_t count = sizeof(buf);
        int rc = pvctrl_readconsole(cd.xc, buf, &count, &cd.index,
                                    cd.incremental, false);

        if (rc) {
            if (!cd.stopping)
                log_msg("readconsole: %s", strerror(-rc));
            if (rc == -EPIPE || rc == -ECONNREFUSED)
                uv_stop(cd.loop); /* the machine is gone */
            return;
        }
        cd.incremental = true;
        if (!count)
            return;
        for (uint32_t i = 0; i < count; i++) {
            if (buf[i] == '\n' || cd.line_len == sizeof(cd.line)) {
                handle_line(cd.line, cd.line_len);
                cd.line_len = 0;
                if (buf[i] == '\n')
                    continue;
            }
            cd.line[cd.line_len++] = buf[i];
        }
    }
}

/* --------------------------------------------------------------- rings */

static struct dom *dom_get(unsigned int domid)
{
    struct dom *d = cd.doms[domid];

    if (!d) {
        d = calloc(1, sizeof(*d));
        if (!d)
            return NULL;
        d->domid = domid;
        d->local_port = -1;
        cd.doms[domid] = d;
    }
    return d;
}

static void ring_unmap(struct dom *d)
{
    if (d->local_port >= 0)
        pvevtchn_unbind(cd.evh, (uint32_t)d->local_port);
    d->local_port = -1;
    if (d->page)
        pvforeign_unmap(cd.xc, d->page, 1);
    d->page = NULL;
}

/*
 * The guest broke its ring: disconnect it and say so in its log.  The
 * line starts "--- console ring of", not "--- domain", as it is not news
 * of the domain's end; its console_io output still goes to the log.
 */
static void ring_broken(struct dom *d, const char *why)
{
    char text[512];
    int n;

    log_msg("domain %u: %s: console ring disconnected", d->domid, why);
    ring_unmap(d);
    d->state = RS_BROKEN;
    d->input_len = 0;
    if (!cd.names[d->domid])
        return;
    n = snprintf(text, sizeof(text),
                 "--- console ring of %s (%u) disconnected: %s ---",
                 cd.names[d->domid], d->domid, why);
    append_line(cd.names[d->domid], text, (size_t)n);
    to_clients(d->domid, text, (size_t)n, true);
}

/* Output bytes from the ring: to clients at once, to the log by lines. */
static void ring_output(struct dom *d, const char *buf, size_t n)
{
    to_clients(d->domid, buf, n, false);
    for (size_t i = 0; i < n; i++) {
        if (buf[i] == '\n' || d->line_len == sizeof(d->line)) {
            size_t len = d->line_len;

            if (len && d->line[len - 1] == '\r')
                len--;
            deliver(d->domid, d->line, len, false, false);
            d->line_len = 0;
            if (buf[i] == '\n')
                continue;
        }
        d->line[d->line_len++] = buf[i];
    }
}

static void client_resume(struct dom *d);

/* Takes all output, gives what input fits; notifies the guest if moved. */
static void ring_service(struct dom *d)
{
    char buf[4096];
    bool moved = false;
    long n;

    if (d->state != RS_CONNECTED)
        return;
    while ((n = conring_read(&d->ring, buf, sizeof(buf))) > 0) {
        ring_output(d, buf, (size_t)n);
        moved = true;
    }
    if (n < 0) {
        ring_broken(d, "the guest's out indexes are inconsistent");
        return;
    }
    /* Checked even with no input: a guest's bad in_cons is found now. */
    n = conring_write(&d->ring, d->input, d->input_len);
    if (n < 0) {
        ring_broken(d, "the guest's in indexes are inconsistent");
        return;
    }
    if (n) {
        memmove(d->input, d->input + n, d->input_len - (size_t)n);
        d->input_len -= (size_t)n;
        moved = true;
        client_resume(d);
    }
    if (moved)
        pvevtchn_notify(cd.evh, (uint32_t)d->local_port);
}

static void on_event(uv_poll_t *p, int status, int events)
{
    int port;

    (void)p;
    (void)events;
    if (status < 0)
        return;
    while ((port = pvevtchn_pending(cd.evh)) >= 0) {
        for (unsigned int i = 1; i < MAX_DOMID; i++) {
            struct dom *d = cd.doms[i];

            if (d && d->state == RS_CONNECTED && d->local_port == port) {
                ring_service(d);
                break;
            }
        }
        pvevtchn_unmask(cd.evh, (uint32_t)port);
    }
}

/* ------------------------------------------------------ client sockets */

static void alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
    struct client *c = h->data;
    struct dom *d = c->d;
    size_t room = sizeof(d->input) - d->input_len;

    (void)suggested;
    *b = uv_buf_init(d->input + d->input_len, (unsigned int)room);
}

static void client_read(uv_stream_t *s, ssize_t n, const uv_buf_t *b)
{
    struct client *c = s->data;
    struct dom *d = c->d;

    (void)b;
    if (n == UV_ENOBUFS) { /* the input queue is full */
        uv_read_stop(s);
        c->reading = false;
        return;
    }
    if (n < 0) {
        client_close(c);
        return;
    }
    if (d->state != RS_CONNECTED) {
        return; /* input for a disconnected ring is dropped */
    }
    d->input_len += (size_t)n;
    if (d->input_len == sizeof(d->input)) {
        /* The ring is full: stop reading until the guest takes some. */
        for (struct client *o = d->clients; o; o = o->next)
            if (o->reading) {
                uv_read_stop((uv_stream_t *)&o->pipe);
                o->reading = false;
            }
    }
    ring_service(d);
}

static void client_resume(struct dom *d)
{
    for (struct client *c = d->clients; c; c = c->next)
        if (!c->reading && d->input_len < sizeof(d->input)) {
            uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, client_read);
            c->reading = true;
        }
}

/* The domain's log so far, then its unfinished ring line. */
static void send_history(struct client *c)
{
    struct dom *d = c->d;
    char path[1024], buf[65536];
    ssize_t n;
    int fd;

    if (cd.names[d->domid]) {
        snprintf(path, sizeof(path), "%s/%s.log", cd.dir, cd.names[d->domid]);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
            client_send(c, buf, (size_t)n, false);
        if (fd >= 0)
            close(fd);
    }
    if (d->line_len)
        client_send(c, d->line, d->line_len, false);
}

static void on_connection(uv_stream_t *server, int status)
{
    struct dom *d = server->data;
    struct client *c;

    if (status < 0)
        return;
    c = calloc(1, sizeof(*c));
    if (!c)
        return;
    uv_pipe_init(cd.loop, &c->pipe, 0);
    c->pipe.data = c;
    if (uv_accept(server, (uv_stream_t *)&c->pipe)) {
        uv_close((uv_handle_t *)&c->pipe, client_closed);
        return;
    }
    c->d = d;
    c->next = d->clients;
    d->clients = c;
    drain_ring(d->domid); /* what is there now is history */
    send_history(c);
    if (d->input_len < sizeof(d->input)) {
        uv_read_start((uv_stream_t *)&c->pipe, alloc_cb, client_read);
        c->reading = true;
    }
}

static void xs_ignore(int err, const char *data, size_t len, void *opaque)
{
    (void)data;
    (void)len;
    (void)opaque;
    if (err && err != -ECANCELED && err != -ENOENT)
        log_msg("xenstore: %s", strerror(-err));
}

static void listen_socket(struct dom *d)
{
    char xp[96];
    int rc;

    snprintf(d->sock_path, sizeof(d->sock_path), "%s/%u.sock", cd.dir,
             d->domid);
    unlink(d->sock_path);
    uv_pipe_init(cd.loop, &d->server, 0);
    d->server.data = d;
    rc = uv_pipe_bind(&d->server, d->sock_path);
    if (!rc)
        rc = uv_listen((uv_stream_t *)&d->server, 8, on_connection);
    if (rc) {
        log_msg("domain %u: cannot listen on %s: %s", d->domid, d->sock_path,
                uv_strerror(rc));
        uv_close((uv_handle_t *)&d->server, NULL);
        return;
    }
    chmod(d->sock_path, 0600);
    d->listening = true;
    snprintf(xp, sizeof(xp), "/local/domain/%u/console/tty", d->domid);
    xsl_async_write(cd.xs, 0, xp, d->sock_path, strlen(d->sock_path),
                    xs_ignore, NULL);
}

/* ---------------------------------------------- discovery and release */

static void ring_connect(struct dom *d)
{
    xen_pfn_t mfn = (xen_pfn_t)d->mfn;
    int err = 0, port;

    d->page = pvforeign_map(cd.xc, d->domid, &mfn, 1, NULL, &err);
    if (!d->page) {
        log_msg("domain %u: cannot map console page %#llx: %s", d->domid,
                (unsigned long long)d->mfn, strerror(-err));
        d->state = RS_NONE;
        return;
    }
    port = pvevtchn_bind_interdomain(cd.evh, d->domid, d->remote_port);
    if (port < 0) {
        log_msg("domain %u: cannot bind its console port %u: %s", d->domid,
                d->remote_port, strerror(-port));
        pvforeign_unmap(cd.xc, d->page, 1);
        d->page = NULL;
        d->state = RS_NONE;
        return;
    }
    d->local_port = port;
    conring_attach(&d->ring, d->page);
    d->state = RS_CONNECTED;
    if (!cd.names[d->domid])
        lookup_name(d->domid);
    if (!d->listening)
        listen_socket(d);
    ring_service(d);
}

static void node_read(int err, const char *data, size_t len, void *opaque,
                      char *dst, size_t size)
{
    struct dom *d = opaque;

    if (err == -ECANCELED)
        return;
    if (err)
        d->read_err = err;
    else
        snprintf(dst, size, "%.*s", (int)len, data);
    if (--d->reads_left)
        return;
    if (d->state != RS_PROBING)
        return;
    if (d->read_err) {
        d->state = RS_NONE; /* no ring console: console_io only */
        return;
    }
    {
        char *e1, *e2;
        unsigned long long mfn = strtoull(d->ring_ref, &e1, 10);
        unsigned long port = strtoul(d->port_str, &e2, 10);

        if (*e1 || *e2 || !d->ring_ref[0] || !d->port_str[0] || !port ||
            port > 0xffffffffUL) {
            log_msg("domain %u: bad console nodes '%s' '%s'", d->domid,
                    d->ring_ref, d->port_str);
            d->state = RS_NONE;
            return;
        }
        d->mfn = mfn;
        d->remote_port = (unsigned int)port;
    }
    ring_connect(d);
}

static void ring_ref_read(int err, const char *data, size_t len, void *opaque)
{
    struct dom *d = opaque;

    node_read(err, data, len, opaque, d->ring_ref, sizeof(d->ring_ref));
}

static void port_read(int err, const char *data, size_t len, void *opaque)
{
    struct dom *d = opaque;

    node_read(err, data, len, opaque, d->port_str, sizeof(d->port_str));
}

static void probe(unsigned int domid)
{
    struct dom *d = dom_get(domid);
    char p[96];

    if (!d || d->state != RS_NONE)
        return;
    d->state = RS_PROBING;
    d->reads_left = 2;
    d->read_err = 0;
    snprintf(p, sizeof(p), "/local/domain/%u/console/ring-ref", domid);
    if (xsl_async_read(cd.xs, 0, p, ring_ref_read, d))
        ring_ref_read(-EIO, NULL, 0, d);
    snprintf(p, sizeof(p), "/local/domain/%u/console/port", domid);
    if (xsl_async_read(cd.xs, 0, p, port_read, d))
        port_read(-EIO, NULL, 0, d);
}

static void dom_free_closed(uv_handle_t *h)
{
    struct dom *d = h->data;

    unsigned int domid = d->domid;

    if (cd.doms[domid] == d)
        cd.doms[domid] = NULL;
    free(d);
    if (!cd.stopping)
        scan_domains(false); /* the id may be in use again */
}

/* The domain is gone and its clients have lingered: forget it. */
static void dom_finish(uv_timer_t *t)
{
    struct dom *d = t->data;

    poll_console(); /* its last end lines reach the clients */
    while (d->clients)
        client_close(d->clients);
    if (d->listening) {
        uv_close((uv_handle_t *)&d->server, NULL);
        unlink(d->sock_path);
        d->listening = false;
    }
    uv_close((uv_handle_t *)&d->linger, dom_free_closed);
}

static void dom_gone(struct dom *d)
{
    if (d->state == RS_CONNECTED)
        ring_service(d);
    if (d->line_len) {
        deliver(d->domid, d->line, d->line_len, false, false);
        d->line_len = 0;
    }
    ring_unmap(d);
    d->state = RS_CLOSING;
    uv_timer_init(cd.loop, &d->linger);
    d->linger.data = d;
    d->linger_init = true;
    uv_timer_start(&d->linger, dom_finish, LINGER_MS, 0);
}

/* Which domains exist now (and are not dying); probe new ones. */
static void scan_domains(bool release)
{
    static bool alive[MAX_DOMID];
    struct xen_domctl_getdomaininfo info;

    memset(alive, 0, sizeof(alive));
    for (uint32_t id = 1; !pvctrl_domain_getinfo(cd.xc, id, &info) &&
                          info.domain < MAX_DOMID;
         id = info.domain + 1u) {
        if (!(info.flags & XEN_DOMINF_dying))
            alive[info.domain] = true;
        if (info.flags & XEN_DOMINF_shutdown) {
            /* Its last output: take it now. */
            drain_ring(info.domain);
        }
    }
    for (unsigned int id = 1; id < MAX_DOMID; id++) {
        struct dom *d = cd.doms[id];

        if (alive[id] && (!d || d->state == RS_NONE))
            probe(id);
        else if (!alive[id] && d && d->state != RS_CLOSING &&
                 d->state != RS_PROBING)
            dom_gone(d);
    }
    (void)release;
}

/* /local/domain/N/name changed, or a domain came or went. */
static void watch_fired(const char *path, const char *token, void *opaque)
{
    unsigned int domid;
    char tail[16];

    (void)opaque;
    if (!strcmp(token, "introduce") || !strcmp(token, "release")) {
        scan_domains(!strcmp(token, "release"));
        return;
    }
    if (sscanf(path, "/local/domain/%u/%15s", &domid, tail) == 2 &&
        !strcmp(tail, "name") && domid < MAX_DOMID)
        lookup_name(domid);
}

static void watch_set(int err, const char *data, size_t len, void *opaque)
{
    (void)data;
    (void)len;
    if (err && err != -ECANCELED)
        log_msg("cannot watch %s: %s", (const char *)opaque, strerror(-err));
}

static void on_timer(uv_timer_t *t)
{
    (void)t;
    poll_console();
    /* A guest may write without notifying (or have closed its port). */
    for (unsigned int i = 1; i < MAX_DOMID; i++)
        if (cd.doms[i] && cd.doms[i]->state == RS_CONNECTED)
            ring_service(cd.doms[i]);
}

static void on_signal(uv_signal_t *s, int signo)
{
    (void)s;
    log_msg("signal %d: stopping", signo);
    cd.stopping = true;
    on_timer(NULL); /* what is there now still goes to the logs */
    uv_stop(cd.loop);
}

static void usage(FILE *out)
{
    fprintf(out,
"Usage: pvisor-consoled [--rundir DIR]\n"
"\n"
"The console backend.  Serves each domain's console ring (the page and\n"
"event channel in /local/domain/N/console/) and keeps each domain's console\n"
"output, ring and console_io alike, in DIR/console/<name>.log (DIR:\n"
"$PVISOR_RUNDIR by default).  DIR/console/<domid>.sock attaches to a\n"
"domain's console (pvctl console).  Started and stopped with the machine\n"
"by the link daemon.\n");
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rundir", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    char rundir[256], xspath[512];
    const char *rd = NULL;
    int c, rc;

    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'r')
            rd = optarg;
        else if (c == 'h') {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!rd)
        rd = pvisor_rundir(rundir, sizeof(rundir));
    snprintf(cd.dir, sizeof(cd.dir), "%s/console", rd);
    snprintf(xspath, sizeof(xspath), "%s/xenstored/socket", rd);
    signal(SIGPIPE, SIG_IGN);

    rc = pvctrl_open(rd, &cd.xc);
    if (rc) {
        log_msg("cannot reach the machine: %s", strerror(-rc));
        return 1;
    }
    rc = pvevtchn_open(rd, &cd.evh);
    if (rc) {
        log_msg("cannot open event channels: %s", strerror(-rc));
        pvctrl_close(cd.xc);
        return 1;
    }
    cd.loop = uv_default_loop();
    rc = xsl_async_open(cd.loop, xspath, watch_fired, NULL, &cd.xs);
    if (rc) {
        log_msg("cannot reach xenstore at %s: %s", xspath, strerror(-rc));
        pvevtchn_close(cd.evh);
        pvctrl_close(cd.xc);
        return 1;
    }
    uv_poll_init(cd.loop, &cd.evpoll, pvevtchn_fd(cd.evh));
    uv_poll_start(&cd.evpoll, UV_READABLE, on_event);
    xsl_async_watch(cd.xs, "/local/domain", "names", watch_set,
                    (void *)"/local/domain");
    /* Both fire once when set: that is the first scan. */
    xsl_async_watch(cd.xs, "@introduceDomain", "introduce", watch_set,
                    (void *)"@introduceDomain");
    xsl_async_watch(cd.xs, "@releaseDomain", "release", watch_set,
                    (void *)"@releaseDomain");
    uv_timer_init(cd.loop, &cd.timer);
    uv_timer_start(&cd.timer, on_timer, 0, POLL_MS);
    uv_signal_init(cd.loop, &cd.sigterm);
    uv_signal_start(&cd.sigterm, on_signal, SIGTERM);
    uv_signal_init(cd.loop, &cd.sigint);
    uv_signal_start(&cd.sigint, on_signal, SIGINT);

    uv_run(cd.loop, UV_RUN_DEFAULT);

    for (unsigned int i = 1; i < MAX_DOMID; i++) {
        struct dom *d = cd.doms[i];

        if (!d)
            continue;
        while (d->clients)
            client_close(d->clients);
        if (d->listening) {
            uv_close((uv_handle_t *)&d->server, NULL);
            unlink(d->sock_path);
        }
        if (d->linger_init)
            uv_close((uv_handle_t *)&d->linger, NULL);
        ring_unmap(d);
    }
    uv_close((uv_handle_t *)&cd.timer, NULL);
    uv_close((uv_handle_t *)&cd.evpoll, NULL);
    uv_close((uv_handle_t *)&cd.sigterm, NULL);
    uv_close((uv_handle_t *)&cd.sigint, NULL);
    xsl_async_close(cd.xs);
    uv_run(cd.loop, UV_RUN_DEFAULT);
    uv_loop_close(cd.loop);
    while (cd.pending) {
        struct pending *p = cd.pending;
        cd.pending = p->next;
        free(p);
    }
    for (unsigned int i = 0; i < MAX_DOMID; i++) {
        free(cd.names[i]);
        free(cd.doms[i]);
    }
    pvevtchn_close(cd.evh);
    pvctrl_close(cd.xc);
    return 0;
}
