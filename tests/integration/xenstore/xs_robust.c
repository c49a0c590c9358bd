// SPDX-License-Identifier: MIT
/*
 * Hostile and awkward clients against a running xenstore-lite, plus the
 * libxsl calls xenstore-utils cannot make (CONTROL, domain operations,
 * transactions).  Each check prints "ok - NAME" or "not ok - NAME";
 * robustness.sh numbers them into TAP and owns the daemon.  After every
 * hostile act a well-behaved client must still be served.
 *
 * Usage: xs-robust DOM0-SOCKET DOMAIN5-SOCKET
 * The daemon must run with --max-output 262144 for the flood check.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xsl.h"

static const char *sock0, *sock5;
static int failures;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    fflush(stdout);
    failures += !cond;
}

static int raw_connect(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
    if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
        perror("connect");
        exit(2);
    }
    return fd;
}

static void raw_send(int fd, uint32_t type, uint32_t req, uint32_t tx,
                     const void *body, uint32_t len, uint32_t hdr_len)
{
    struct xsd_sockmsg h = {type, req, tx, hdr_len};
    char buf[sizeof(h) + 8192];

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), body, len);
    if (write(fd, buf, sizeof(h) + len) != (ssize_t)(sizeof(h) + len))
        perror("write");
}

static int read_full(int fd, void *p, size_t len, int ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    size_t got = 0;
    ssize_t n;

    while (got < len) {
        if (poll(&pfd, 1, ms) <= 0)
            return -ETIMEDOUT;
        n = read(fd, (char *)p + got, len - got);
        if (n <= 0)
            return -ECONNRESET;
        got += n;
    }
    return 0;
}

/* Next non-event message; -ECONNRESET when the daemon closed it. */
static int raw_reply(int fd, struct xsd_sockmsg *h, char *body)
{
    int err;

    for (;;) {
        if ((err = read_full(fd, h, sizeof(*h), 3000)))
            return err;
        if (h->len > XENSTORE_PAYLOAD_MAX)
            return -EPROTO;
        if ((err = read_full(fd, body, h->len, 3000)))
            return err;
        body[h->len] = '\0';
        if (h->type != XS_WATCH_EVENT)
            return 0;
    }
}

/* True once the daemon has closed fd (reading whatever is queued). */
static int closed_by_daemon(int fd)
{
    char buf[65536];
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    ssize_t n;

    for (;;) {
        if (poll(&pfd, 1, 5000) <= 0)
            return 0;
        n = read(fd, buf, sizeof(buf));
        if (n <= 0)
            return 1;
    }
}

static int served(void)
{
    struct xsl_handle *h;
    char *v = NULL;
    int ok;

    if (xsl_open(sock0, &h))
        return 0;
    ok = xsl_write(h, 0, "/robust/alive", "yes", 3) == 0 &&
         xsl_read(h, 0, "/robust/alive", &v, NULL) == 0 && !strcmp(v, "yes");
    free(v);
    xsl_close(h);
    return ok;
}

static void test_malformed(void)
{
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1], junk[4096];
    int fd = raw_connect(sock0), i;

    raw_send(fd, XS_READ, 11, 0, "/tool", 5, 5);
    check(raw_reply(fd, &h, body) == 0 && h.type == XS_ERROR &&
              !strcmp(body, "EINVAL") && h.req_id == 11,
          "a path without its NUL gets EINVAL, req_id echoed");
    raw_send(fd, 12345, 12, 0, "x", 2, 2);
    check(raw_reply(fd, &h, body) == 0 && h.type == XS_ERROR &&
              !strcmp(body, "ENOSYS") && h.req_id == 12,
          "an unknown type gets ENOSYS, not a disconnect");
    raw_send(fd, XS_READ, 13, 99, "/tool", 6, 6);
    check(raw_reply(fd, &h, body) == 0 && !strcmp(body, "ENOENT") &&
              h.tx_id == 99 && h.req_id == 13,
          "an unknown transaction id gets ENOENT, tx_id echoed");
    raw_send(fd, XS_READ, 14, 0, "/tool", 6, 6);
    check(raw_reply(fd, &h, body) == 0 && h.type == XS_READ,
          "the same connection still works");
    raw_send(fd, XS_WRITE, 15, 0, "", 0, XENSTORE_PAYLOAD_MAX + 1);
    check(closed_by_daemon(fd), "a length past the limit closes it");
    close(fd);
    check(served(), "others are served after a bad header");

    fd = raw_connect(sock0);
    raw_send(fd, XS_WRITE, 1, 0, "/robust/tr", 5, 200);
    close(fd); /* truncated message, then gone */
    check(served(), "others are served after a truncated message");

    fd = raw_connect(sock0);
    srand(1);
    for (i = 0; i < (int)sizeof(junk); i++)
        junk[i] = rand();
    if (write(fd, junk, sizeof(junk)) < 0)
        perror("write");
    check(closed_by_daemon(fd), "random bytes end in a closed connection");
    close(fd);
    check(served(), "others are served after random bytes");
}

static void test_stuck_reader(void)
{
    struct xsl_handle *w;
    char path[1100];
    int fd = raw_connect(sock0), i, ok = 1, err;

    raw_send(fd, XS_WATCH, 1, 0, "/flood\0t", 9, 9);
    if (xsl_open(sock0, &w))
        exit(2);
    memset(path, 'f', sizeof(path));
    path[sizeof(path) - 1] = '\0';
    /* Each write queues a ~1 KiB event for the client that never reads
     * (distinct paths: identical queued events would be merged). */
    for (i = 0; i < 2000; i++) {
        memcpy(path, "/flood/", 7);
        snprintf(path + 7, 7, "%05d", i % 100000);
        path[12] = '/';
        err = xsl_write(w, 0, path, "x", 1);
        ok &= err == 0;
    }
    check(ok, "a writer is served while a watcher stops reading");
    check(closed_by_daemon(fd), "the watcher that stopped reading is dropped");
    close(fd);
    check(xsl_rm(w, 0, "/flood") == 0, "the flooded subtree is removed");
    xsl_close(w);
}

static void test_mid_transaction(void)
{
    struct xsl_handle *a, *b;
    uint32_t t = 0;
    char *v;

    if (xsl_open(sock0, &a) || xsl_open(sock0, &b))
        exit(2);
    check(xsl_transaction_start(a, &t) == 0 && t != 0 &&
              xsl_write(a, t, "/midtx/a", "1", 1) == 0,
          "a transaction writes");
    xsl_close(a); /* gone with the transaction open */
    check(xsl_read(b, 0, "/midtx/a", &v, NULL) == -ENOENT,
          "a client that disconnects mid-transaction leaves no trace");
    check(xsl_transaction_start(b, &t) == 0 &&
              xsl_write(b, t, "/midtx/b", "2", 1) == 0 &&
              xsl_transaction_end(b, t, true) == 0,
          "other transactions carry on");
    xsl_close(b);
}

static void test_conflict_and_api(void)
{
    struct xsl_handle *a, *b;
    uint32_t t;
    char *v = NULL, **names;
    unsigned int n;
    struct xsl_perm *p, set[2] = {{0, XSL_PERM_NONE}, {5, XSL_PERM_READ}};

    if (xsl_open(sock0, &a) || xsl_open(sock0, &b))
        exit(2);
    xsl_write(a, 0, "/api/k", "0", 1);
    xsl_transaction_start(a, &t);
    xsl_read(a, t, "/api/k", &v, NULL);
    free(v);
    xsl_write(b, 0, "/api/k", "b", 1);
    xsl_write(a, t, "/api/k", "a", 1);
    check(xsl_transaction_end(a, t, true) == -EAGAIN,
          "a conflicting commit fails with EAGAIN");
    check(xsl_read(a, 0, "/api/k", &v, NULL) == 0 && !strcmp(v, "b"),
          "...and changes nothing");
    free(v);
    xsl_mkdir(a, 0, "/api/d1");
    check(xsl_directory(a, 0, "/api", &names, &n) == 0 && n == 2 &&
              !strcmp(names[0], "k") && !strcmp(names[1], "d1"),
          "libxsl directory");
    free(names);
    check(xsl_set_perms(a, 0, "/api/k", set, 2) == 0 &&
              xsl_get_perms(a, 0, "/api/k", &p, &n) == 0 && n == 2 &&
              p[1].domid == 5 && p[1].perms == XSL_PERM_READ,
          "libxsl permissions");
    free(p);
    xsl_close(a);
    xsl_close(b);
}

static int cb_count;

static void count_cb(const char *path, const char *token, void *opaque)
{
    cb_count += !strcmp(token, opaque);
}

static void test_watch_fd_and_callback(void)
{
    struct xsl_handle *w, *c;
    struct pollfd pfd;
    int n = 0, i;

    if (xsl_open(sock0, &w) || xsl_open(sock0, &c))
        exit(2);
    xsl_set_watch_cb(w, count_cb, "cb");
    xsl_watch(w, "/cbw", "cb");
    n += xsl_dispatch(w); /* the initial event, queued by the reply */
    for (i = 0; i < 3; i++) {
        char path[32];

        snprintf(path, sizeof(path), "/cbw/%d", i);
        xsl_write(c, 0, path, "1", 1);
    }
    pfd = (struct pollfd){.fd = xsl_watch_fd(w), .events = POLLIN};
    while (n < 4 && poll(&pfd, 1, 3000) == 1)
        n += xsl_dispatch(w);
    check(n == 4 && cb_count == 4,
          "watch events through xsl_watch_fd and the callback");
    xsl_close(w);
    xsl_close(c);
}

static void test_pipelined_unprivileged(void)
{
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1], buf[200 * 32];
    int fd = raw_connect(sock5), i, ok = 1;
    struct xsd_sockmsg rq = {XS_GET_DOMAIN_PATH, 0, 0, 2};

    /* 200 requests in one write: ten times the outstanding quota. */
    for (i = 0; i < 200; i++) {
        rq.req_id = i;
        memcpy(buf + i * 18, &rq, sizeof(rq));
        memcpy(buf + i * 18 + sizeof(rq), "5", 2);
    }
    if (write(fd, buf, 200 * 18) != (ssize_t)(200 * 18))
        ok = 0;
    for (i = 0; i < 200 && ok; i++)
        ok = raw_reply(fd, &h, body) == 0 && h.req_id == (uint32_t)i &&
             !strcmp(body, "/local/domain/5");
    check(ok, "pipelined requests past the outstanding quota all answered");
    close(fd);
}

static void test_control_and_domains(void)
{
    struct xsl_handle *h, *g, *w;
    const char *chk[] = {"check"}, *log[] = {"log", "+io"},
               *pr[] = {"print", "hello from xs-robust"}, *q[] = {"quota"};
    char *r = NULL, *path, *tok;
    int ok;

    if (xsl_open(sock0, &h) || xsl_open(sock5, &g) || xsl_open(sock0, &w))
        exit(2);
    check(xsl_control(h, chk, 1, &r) == 0 && !strcmp(r, "OK"), "CONTROL check");
    free(r);
    check(xsl_control(h, log, 2, NULL) == 0 && xsl_control(h, pr, 2, NULL) == 0,
          "CONTROL log and print");
    check(xsl_control(h, q, 1, &r) == 0 && strstr(r, "transaction-nodes"),
          "CONTROL quota lists the quotas");
    free(r);
    check(xsl_control(g, chk, 1, NULL) == -EACCES,
          "CONTROL is refused to an unprivileged domain");
    xsl_watch(w, "@introduceDomain", "in");
    xsl_watch(w, "@releaseDomain", "out");
    xsl_read_watch(w, true, &path, &tok);
    free(path);
    xsl_read_watch(w, true, &path, &tok);
    free(path);
    check(xsl_introduce(h, 7, 0x1234, 3) == 0 &&
              xsl_is_domain_introduced(h, 7) == 1 &&
              xsl_is_domain_introduced(h, 8) == 0,
          "INTRODUCE without a ring backend records the domain");
    ok = xsl_read_watch(w, true, &path, &tok) == 0 &&
         !strcmp(path, "@introduceDomain") && !strcmp(tok, "in");
    free(path);
    check(ok, "@introduceDomain fires");
    check(xsl_get_domain_path(h, 7, &r) == 0 && !strcmp(r, "/local/domain/7"),
          "GET_DOMAIN_PATH");
    free(r);
    check(xsl_release(h, 7) == 0 && xsl_is_domain_introduced(h, 7) == 0,
          "RELEASE forgets the domain");
    ok = xsl_read_watch(w, true, &path, &tok) == 0 &&
         !strcmp(path, "@releaseDomain") && !strcmp(tok, "out");
    free(path);
    check(ok, "@releaseDomain fires");
    check(xsl_introduce(g, 9, 1, 1) == -EACCES,
          "INTRODUCE is refused to an unprivileged domain");
    xsl_close(h);
    xsl_close(g);
    xsl_close(w);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: xs-robust DOM0-SOCKET DOMAIN5-SOCKET\n");
        return 2;
    }
    sock0 = argv[1];
    sock5 = argv[2];
    test_malformed();
    test_stuck_reader();
    test_mid_transaction();
    test_conflict_and_api();
    test_pipelined_unprivileged();
    test_watch_fd_and_callback();
    test_control_and_domains();
    check(served(), "the daemon still serves at the end");
    return failures ? 1 : 0;
}
