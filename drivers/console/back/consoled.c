/* SPDX-License-Identifier: MIT */
/*
 * pvisor-consoled: keeps every domain's console output in
 * $PVISOR_RUNDIR/console/<name>.log, as xenconsoled keeps its logs; the
 * logs outlive their domains.
 *
 * Guests print with the console_io hypercall, which the hypervisor puts
 * in its console log one line at a time, prefixed "(dN) ".  The daemon
 * follows that log (XEN_SYSCTL_readconsole, incrementally) and appends
 * each domain's lines to its file.  Names come from xenstore
 * (/local/domain/N/name), learnt through a watch as soon as the toolstack
 * writes them -- before the domain runs -- and remembered after the domain
 * is gone, so a domain that lives only a few milliseconds still gets its
 * log under its name.  The hypervisor's own news of a domain's end
 * (crashed, shut down, destroyed) is added to the log as a "--- ... ---"
 * line at its place in the stream, after the domain's last output.  The ring console of the split drivers will come
 * through here too.
 *
 * Single-threaded libuv loop: a 20 ms timer to read the hypervisor log,
 * the xenstore connection, and SIGTERM/SIGINT for a clean exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uv.h>

#include "pvctrl.h"
#include "xsl.h"

#define POLL_MS 20
#define MAX_DOMID 0x7ff0
#define LINE_MAX_LEN 4096

static struct {
    uv_loop_t *loop;
    uv_timer_t timer;
    uv_signal_t sigterm, sigint;
    struct pvctrl *xc;
    struct xsl_async *xs;
    char dir[512];
    uint32_t index;
    bool incremental;
    bool stopping;    /* a signal came: the machine may be going down */
    char line[LINE_MAX_LEN];
    size_t line_len;
    char *names[MAX_DOMID];
    /* Lines of a domain whose name is being looked up. */
    struct pending {
        struct pending *next;
        unsigned int domid;
        bool is_end;      /* a "--- domain ... ---" line: text is its what */
        size_t len;
        char text[];
    } *pending;
    bool lookup_busy[MAX_DOMID];
} cd;

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

/* Appends the hypervisor's news of domid's end: "--- domain N (id) ... ---". */
static void append_end(unsigned int domid, const char *what, size_t len)
{
    char text[LINE_MAX_LEN + 128];
    int n = snprintf(text, sizeof(text), "--- domain %s (%u) %.*s ---",
                     cd.names[domid], domid, (int)len, what);

    append_line(cd.names[domid], text,
                (size_t)n < sizeof(text) ? (size_t)n : sizeof(text) - 1);
}

/* Writes the queued lines of domid (in order) now that it has a name. */
static void flush_pending(unsigned int domid)
{
    struct pending **pp = &cd.pending, *p;

    while ((p = *pp)) {
        if (p->domid == domid) {
            if (p->is_end)
                append_end(domid, p->text, p->len);
            else
                append_line(cd.names[domid], p->text, p->len);
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
 * until the domain's name is known.
 */
static void deliver(unsigned int domid, const char *text, size_t len,
                    bool is_end)
{
    struct pending *q, **pp;

    if (cd.names[domid] && !cd.lookup_busy[domid]) {
        if (is_end)
            append_end(domid, text, len);
        else
            append_line(cd.names[domid], text, len);
        return;
    }
    q = malloc(sizeof(*q) + len);
    if (!q)
        return;
    q->domid = domid;
    q->is_end = is_end;
    q->len = len;
    memcpy(q->text, text, len);
    q->next = NULL;
    for (pp = &cd.pending; *pp; pp = &(*pp)->next)
        ;
    *pp = q;
    lookup_name(domid);
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
    deliver((unsigned int)domid, what, len, true);
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
    deliver((unsigned int)domid, p, (size_t)(end - p), false);
}

static void poll_console(uv_timer_t *t)
{
    static char buf[16384];

    (void)t;
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

/* /local/domain/N/name changed: learn it. */
static void watch_fired(const char *path, const char *token, void *opaque)
{
    unsigned int domid;
    char tail[16];

    (void)token;
    (void)opaque;
    if (sscanf(path, "/local/domain/%u/%15s", &domid, tail) == 2 &&
        !strcmp(tail, "name") && domid < MAX_DOMID)
        lookup_name(domid);
}

static void watch_set(int err, const char *data, size_t len, void *opaque)
{
    (void)data;
    (void)len;
    (void)opaque;
    if (err && err != -ECANCELED)
        log_msg("cannot watch /local/domain: %s", strerror(-err));
}

static void on_signal(uv_signal_t *s, int signo)
{
    (void)s;
    log_msg("signal %d: stopping", signo);
    cd.stopping = true;
    poll_console(NULL); /* what is there now still goes to the logs */
    uv_stop(cd.loop);
}

static void usage(FILE *out)
{
    fprintf(out,
"Usage: pvisor-consoled [--rundir DIR]\n"
"\n"
"Keeps each domain's console output in DIR/console/<name>.log (DIR:\n"
"$PVISOR_RUNDIR by default).  Started and stopped with the machine by the\n"
"link daemon.\n");
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
    cd.loop = uv_default_loop();
    rc = xsl_async_open(cd.loop, xspath, watch_fired, NULL, &cd.xs);
    if (rc) {
        log_msg("cannot reach xenstore at %s: %s", xspath, strerror(-rc));
        pvctrl_close(cd.xc);
        return 1;
    }
    xsl_async_watch(cd.xs, "/local/domain", "consoled", watch_set, NULL);
    uv_timer_init(cd.loop, &cd.timer);
    uv_timer_start(&cd.timer, poll_console, 0, POLL_MS);
    uv_signal_init(cd.loop, &cd.sigterm);
    uv_signal_start(&cd.sigterm, on_signal, SIGTERM);
    uv_signal_init(cd.loop, &cd.sigint);
    uv_signal_start(&cd.sigint, on_signal, SIGINT);

    uv_run(cd.loop, UV_RUN_DEFAULT);

    uv_close((uv_handle_t *)&cd.timer, NULL);
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
    for (unsigned int i = 0; i < MAX_DOMID; i++)
        free(cd.names[i]);
    pvctrl_close(cd.xc);
    return 0;
}
