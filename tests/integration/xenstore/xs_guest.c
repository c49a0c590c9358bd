// SPDX-License-Identifier: MIT
/*
 * A pretend guest for xenstore-lite's file ring backend (--ring-dir): it
 * plays both the toolstack (libxsl on the dom0 socket: standard nodes,
 * INTRODUCE, RELEASE, watching @introduceDomain/@releaseDomain) and the
 * guest's xenbus (a struct xenstore_domain_interface page in DIR/page-MFN,
 * events as datagrams), so the daemon's whole guest path runs end to end:
 * mapping, event delivery, request/reply, watch events, pipelining past
 * the ring size, a bad index closing only this ring, and RELEASE.
 *
 * Usage: xs-guest DIR DOM0-SOCKET DOMID.  Prints "ok - NAME" lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <xen/io/xs_wire.h>

#include "xsl.h"

#define GUEST_PORT 7

static struct xenstore_domain_interface *ring;
static int evsock, failures;
static struct sockaddr_un daemon_ev = {.sun_family = AF_UNIX};
static unsigned int domid;

static void check(int cond, const char *name)
{
    printf("%s - %s\n", cond ? "ok" : "not ok", name);
    fflush(stdout);
    failures += !cond;
}

static void kick(void)
{
    char msg[32];
    int n = snprintf(msg, sizeof(msg), "%u %u", domid, GUEST_PORT);

    sendto(evsock, msg, n, 0, (struct sockaddr *)&daemon_ev, sizeof(daemon_ev));
}

/* Wait up to ms for the daemon's event; drain all that are queued. */
static int wait_event(int ms)
{
    struct pollfd p = {.fd = evsock, .events = POLLIN};
    char buf[64];
    int got = 0;

    if (poll(&p, 1, ms) <= 0)
        return 0;
    while (recv(evsock, buf, sizeof(buf), MSG_DONTWAIT) > 0)
        got = 1;
    return got;
}

static size_t put(const void *p, size_t len)
{
    size_t n = 0;
    XENSTORE_RING_IDX prod = ring->req_prod;

    while (n < len && prod - ring->req_cons < XENSTORE_RING_SIZE)
        ring->req[MASK_XENSTORE_IDX(prod++)] = ((const char *)p)[n++];
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ring->req_prod = prod;
    return n;
}

static size_t avail(void)
{
    return ring->rsp_prod - ring->rsp_cons;
}

static void get(void *p, size_t len)
{
    XENSTORE_RING_IDX cons = ring->rsp_cons;
    size_t i;

    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    for (i = 0; i < len; i++)
        ((char *)p)[i] = ring->rsp[MASK_XENSTORE_IDX(cons++)];
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    ring->rsp_cons = cons;
}

/* One whole message from rsp[], waiting for events up to 2 s. */
static int reply(struct xsd_sockmsg *h, char *body)
{
    int tries = 0;

    while (avail() < sizeof(*h) && tries++ < 20)
        wait_event(100);
    if (avail() < sizeof(*h))
        return -ETIMEDOUT;
    get(h, sizeof(*h));
    if (h->len > XENSTORE_PAYLOAD_MAX)
        return -EPROTO;
    while (avail() < h->len && tries++ < 40) {
        kick(); /* the daemon waits for room to finish a message */
        wait_event(100);
    }
    if (avail() < h->len)
        return -ETIMEDOUT;
    get(body, h->len);
    body[h->len] = '\0';
    kick(); /* we freed response space */
    return 0;
}

static void request(uint32_t type, uint32_t id, const char *body, size_t len)
{
    struct xsd_sockmsg h = {.type = type, .req_id = id, .len = len};

    put(&h, sizeof(h));
    put(body, len);
    kick();
}

static int setup_page(const char *dir, uint64_t mfn)
{
    char path[512];
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd;

    snprintf(path, sizeof(path), "%s/page-%llu", dir, (unsigned long long)mfn);
    fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4096))
        return -1;
    ring = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (ring == MAP_FAILED)
        return -1;
    evsock = socket(AF_UNIX, SOCK_DGRAM, 0);
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/guest-%u.sock", dir, domid);
    unlink(sa.sun_path);
    if (evsock < 0 || bind(evsock, (struct sockaddr *)&sa, sizeof(sa)))
        return -1;
    snprintf(daemon_ev.sun_path, sizeof(daemon_ev.sun_path), "%s/evtchn", dir);
    return 0;
}

/* Wait for the special event want; other guests' events are skipped. */
static int special_event(struct xsl_handle *w, const char *want)
{
    char *p, *t;
    int ok = 0, i;

    for (i = 0; i < 10 && !ok; i++) {
        if (xsl_read_watch(w, true, &p, &t))
            return 0;
        ok = !strcmp(p, want);
        free(p);
    }
    return ok;
}

int main(int argc, char **argv)
{
    struct xsl_handle *ts, *w;
    struct xsd_sockmsg h;
    char body[XENSTORE_PAYLOAD_MAX + 1], path[128], *v = NULL, *p;
    uint64_t mfn;
    struct xsl_perm own[1], ro[2];
    int i, sent, got, ok;

    if (argc != 4) {
        fprintf(stderr, "usage: xs-guest DIR DOM0-SOCKET DOMID\n");
        return 2;
    }
    domid = atoi(argv[3]);
    mfn = 1000 + domid;
    if (setup_page(argv[1], mfn) || xsl_open(argv[2], &ts) ||
        xsl_open(argv[2], &w)) {
        perror("set-up");
        return 2;
    }
    /* The toolstack's part, as a domain builder would do it. */
    xsl_watch(w, "@introduceDomain", "in");
    xsl_watch(w, "@releaseDomain", "out");
    special_event(w, "@introduceDomain");
    special_event(w, "@releaseDomain");
    own[0] = (struct xsl_perm){domid, XSL_PERM_NONE};
    ro[0] = (struct xsl_perm){0, XSL_PERM_NONE};
    ro[1] = (struct xsl_perm){domid, XSL_PERM_READ};
    snprintf(path, sizeof(path), "/local/domain/%u", domid);
    xsl_mkdir(ts, 0, path);
    xsl_set_perms(ts, 0, path, ro, 2);
    /* Created after the chmod: name inherits n0,rDOMID. */
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    xsl_write(ts, 0, path, "guest", 5);
    snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
    xsl_mkdir(ts, 0, path);
    xsl_set_perms(ts, 0, path, own, 1);
    snprintf(path, sizeof(path), "/local/domain/%u/control", domid);
    xsl_mkdir(ts, 0, path);
    xsl_set_perms(ts, 0, path, own, 1);
    check(xsl_introduce(ts, domid, mfn, GUEST_PORT) == 0,
          "INTRODUCE maps the page and binds the channel");
    check(special_event(w, "@introduceDomain"), "@introduceDomain fires");
    check(xsl_is_domain_introduced(ts, domid) == 1, "IS_DOMAIN_INTRODUCED");
    check(ring->server_features & XENSTORE_SERVER_FEATURE_RECONNECTION,
          "the daemon advertises its features on the page");

    /* The guest's part, over the ring. */
    request(XS_READ, 1, "name", 5);
    ok = reply(&h, body);
    if (ok || h.type != XS_READ || strcmp(body, "guest"))
        fprintf(stderr, "read name: %d type %u id %u body %s\n", ok, h.type,
                h.req_id, body);
    check(!ok && h.type == XS_READ && h.req_id == 1 &&
              !strcmp(body, "guest"),
          "the guest reads its name (relative path) over the ring");
    request(XS_WRITE, 2, "data/x\0hello", 12);
    check(reply(&h, body) == 0 && h.type == XS_WRITE, "the guest writes");
    snprintf(path, sizeof(path), "/local/domain/%u/data/x", domid);
    check(xsl_read(ts, 0, path, &v, NULL) == 0 && !strcmp(v, "hello"),
          "dom0 reads what the guest wrote");
    free(v);
    request(XS_READ, 3, "/tool/xenstored", 16);
    check(reply(&h, body) == 0 && h.type == XS_ERROR && !strcmp(body, "EACCES"),
          "the guest is unprivileged");
    request(XS_WATCH, 4, "control/shutdown\0tk", 20);
    ok = reply(&h, body) == 0 && h.type == XS_WATCH;
    ok &= reply(&h, body) == 0 && h.type == XS_WATCH_EVENT &&
          !strcmp(body, "control/shutdown");
    check(ok, "the guest's watch and its initial event");
    snprintf(path, sizeof(path), "/local/domain/%u/control/shutdown", domid);
    xsl_write(ts, 0, path, "poweroff", 8);
    check(reply(&h, body) == 0 && h.type == XS_WATCH_EVENT &&
              !strcmp(body, "control/shutdown") &&
              !strcmp(body + strlen(body) + 1, "tk"),
          "dom0's write fires the guest's watch through the ring");

    /* More than the rings hold, in both directions. */
    for (sent = got = 0, ok = 1; got < 150 && ok;) {
        struct xsd_sockmsg rq = {.type = XS_READ, .len = 5};

        while (sent < 150 &&
               XENSTORE_RING_SIZE - (ring->req_prod - ring->req_cons) >=
                   sizeof(rq) + 5) {
            rq.req_id = 100 + sent++;
            put(&rq, sizeof(rq));
            put("name", 5);
        }
        kick();
        ok = reply(&h, body) == 0 && h.req_id == (uint32_t)(100 + got++) &&
             !strcmp(body, "guest");
    }
    check(ok && ring->req_prod > 2 * XENSTORE_RING_SIZE,
          "150 pipelined requests wrap both rings, answered in order");

    /* A producer index the daemon cannot believe. */
    ring->req_prod = ring->req_cons + 5000;
    kick();
    for (i = 0; i < 40 && ring->error == XENSTORE_ERROR_NONE; i++)
        usleep(50000);
    check(ring->error == XENSTORE_ERROR_RINGIDX,
          "a bad ring index is reported on the page");
    check(xsl_read(ts, 0, path, &v, NULL) == 0,
          "dom0 is served after the guest's bad ring");
    free(v);
    check(xsl_is_domain_introduced(ts, domid) == 1,
          "the domain stays introduced until RELEASE");
    check(xsl_release(ts, domid) == 0 && special_event(w, "@releaseDomain"),
          "RELEASE fires @releaseDomain");
    snprintf(path, sizeof(path), "/local/domain/%u/data", domid);
    ok = xsl_read(ts, 0, path, &v, NULL) == -ENOENT;
    snprintf(path, sizeof(path), "/local/domain/%u/name", domid);
    ok &= xsl_read(ts, 0, path, &p, NULL) == 0;
    free(p);
    check(ok, "RELEASE removes the guest's nodes, keeps dom0's");
    xsl_close(ts);
    xsl_close(w);
    munmap(ring, 4096);
    close(evsock);
    return failures ? 1 : 0;
}
