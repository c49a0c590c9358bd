/* SPDX-License-Identifier: MIT */
/*
 * evtchn_peer: domain 0's side of the event-channel tests, through
 * libpvctrl's pvevtchn API.
 *
 *   evtchn_peer pingpong DOMID PORT COUNT
 *       bind to the guest's PORT (left unbound for domain 0) and ping it
 *       COUNT times, each time waiting for its answer; prints
 *       "rtt median N us p99 N us" and the number of rounds
 *   evtchn_peer dom-exc COUNT TIMEOUT_S
 *       bind VIRQ_DOM_EXC and wait for COUNT events (domains shutting
 *       down or dying), printing each as it comes (only while no one
 *       else holds it: a running xenstore-lite does)
 *   evtchn_peer alloc-unbound DOMID REMOTE
 *       as domain 0, allocate a port in DOMID left unbound for REMOTE
 *       (the two-guest ping-pong's rendezvous); prints the port
 *   evtchn_peer ports
 *       how many ports domain 0 has that are not free (EVTCHNOP_status)
 *   evtchn_peer drain DOMID PORT IDLE_MS
 *       bind to the guest's PORT and take its events, unmasking after
 *       each, until none came for IDLE_MS; prints "events N" (the flood
 *       benchmark's receiving end)
 *   evtchn_peer pipe COUNT
 *       the baseline of the dom0 round trip: two host processes ping-pong
 *       one byte over a pair of pipes COUNT times; prints
 *       "pipe rtt median N us p99 N us"
 *   evtchn_peer hostile DOMID PORT
 *       the refusals: unbind/notify a port we do not own, bind a VIRQ
 *       twice, bind a port of a domain that does not exist, bind the same
 *       remote port twice; prints one "ok"/"not ok" line each (TAP-ish)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <xen/event_channel.h>
#include <xen/xen.h>

#include "pvctrl.h"

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

static int pingpong(struct pvevtchn *h, uint32_t dom, uint32_t rport,
                    unsigned long count)
{
    uint64_t *rtt = calloc(count, sizeof(*rtt));
    int port = pvevtchn_bind_interdomain(h, dom, rport);

    if (port < 0 || !rtt) {
        fprintf(stderr, "bind_interdomain(%u, %u): %s\n", dom, rport,
                strerror(-port));
        free(rtt);
        return 1;
    }
    /*
     * Binding sets the new port pending (as Xen does, for notifications
     * the unbound end may have missed): take that one out of the way, or
     * it would pass for the first answer.
     */
    while (pvevtchn_wait(h, 100) == port)
        pvevtchn_unmask(h, (uint32_t)port);
    for (unsigned long i = 0; i < count; i++) {
        uint64_t t0 = now_ns();
        int rc = pvevtchn_notify(h, (uint32_t)port);

        if (rc) {
            fprintf(stderr, "notify: %s\n", strerror(-rc));
            free(rtt);
            return 1;
        }
        rc = pvevtchn_wait(h, 5000);
        if (rc != port) {
            fprintf(stderr, "round %lu: waiting for port %d: %s\n", i, port,
                    rc < 0 ? strerror(-rc) : "another port");
            free(rtt);
            return 1;
        }
        rtt[i] = now_ns() - t0;
        pvevtchn_unmask(h, (uint32_t)port);
    }
    qsort(rtt, count, sizeof(*rtt), cmp_u64);
    printf("rounds %lu\n", count);
    printf("rtt median %.1f us p99 %.1f us\n", rtt[count / 2] / 1000.0,
           rtt[count * 99 / 100] / 1000.0);
    free(rtt);
    return 0;
}

static int drain(struct pvevtchn *h, uint32_t dom, uint32_t rport, int idle_ms)
{
    int port = pvevtchn_bind_interdomain(h, dom, rport);
    unsigned long n = 0;

    if (port < 0) {
        fprintf(stderr, "bind_interdomain(%u, %u): %s\n", dom, rport,
                strerror(-port));
        return 1;
    }
    printf("bound port %d\n", port);
    fflush(stdout);
    for (;;) {
        int rc = pvevtchn_wait(h, idle_ms);

        if (rc != port)
            break;
        n++;
        pvevtchn_unmask(h, (uint32_t)port);
    }
    printf("events %lu\n", n);
    return 0;
}

static int pipe_pingpong(unsigned long count)
{
    uint64_t *rtt = calloc(count, sizeof(*rtt));
    int ab[2], ba[2];
    pid_t pid;
    unsigned long done = 0;
    char c = 'x';

    if (!count || !rtt || pipe(ab) || pipe(ba))
        return 1;
    pid = fork();
    if (pid < 0)
        return 1;
    if (pid == 0) {
        close(ab[1]);
        close(ba[0]);
        while (read(ab[0], &c, 1) == 1)
            if (write(ba[1], &c, 1) != 1)
                break;
        _exit(0);
    }
    close(ab[0]);
    close(ba[1]);
    for (; done < count; done++) {
        uint64_t t0 = now_ns();

        if (write(ab[1], &c, 1) != 1 || read(ba[0], &c, 1) != 1)
            break;
        rtt[done] = now_ns() - t0;
    }
    close(ab[1]); /* the child reads EOF and exits */
    close(ba[0]);
    waitpid(pid, NULL, 0);
    if (done < count) {
        fprintf(stderr, "pipe ping-pong stopped after %lu rounds\n", done);
        free(rtt);
        return 1;
    }
    qsort(rtt, count, sizeof(*rtt), cmp_u64);
    printf("pipe rtt median %.1f us p99 %.1f us\n", rtt[count / 2] / 1000.0,
           rtt[count * 99 / 100] / 1000.0);
    free(rtt);
    return 0;
}

static int dom_exc(struct pvevtchn *h, unsigned long count, int timeout_s)
{
    int port = pvevtchn_bind_virq(h, VIRQ_DOM_EXC);

    if (port < 0) {
        fprintf(stderr, "bind_virq(VIRQ_DOM_EXC): %s\n", strerror(-port));
        return 1;
    }
    printf("bound VIRQ_DOM_EXC to port %d\n", port);
    fflush(stdout);
    for (unsigned long i = 0; i < count; i++) {
        int rc = pvevtchn_wait(h, timeout_s * 1000);

        if (rc != port) {
            fprintf(stderr, "event %lu: %s\n", i,
                    rc < 0 ? strerror(-rc) : "another port");
            return 1;
        }
        printf("VIRQ_DOM_EXC %lu\n", i + 1);
        fflush(stdout);
        pvevtchn_unmask(h, (uint32_t)port);
    }
    return 0;
}

static int n_checks, n_bad;

static void expect(int got, int want, const char *what)
{
    n_checks++;
    if (got == want) {
        printf("ok - %s\n", what);
    } else {
        n_bad++;
        printf("not ok - %s: got %d (%s), want %d\n", what, got,
               got < 0 ? strerror(-got) : "", want);
    }
}

static int hostile(const char *rundir, uint32_t dom, uint32_t rport)
{
    struct pvevtchn *a, *b;
    int pa, rc;

    if (pvevtchn_open(rundir, &a) || pvevtchn_open(rundir, &b)) {
        fprintf(stderr, "cannot open two handles\n");
        return 1;
    }
    pa = pvevtchn_bind_interdomain(a, dom, rport);
    n_checks++;
    if (pa < 0) {
        n_bad++;
        printf("not ok - handle A binds the guest's port: %s\n",
               strerror(-pa));
        return 1;
    }
    printf("ok - handle A binds the guest's port (local %d)\n", pa);
    expect(pvevtchn_notify(b, (uint32_t)pa), -EINVAL,
           "handle B cannot notify A's port");
    expect(pvevtchn_unbind(b, (uint32_t)pa), -EINVAL,
           "handle B cannot unbind A's port");
    expect(pvevtchn_bind_interdomain(b, dom, rport), -EINVAL,
           "the guest's port cannot be bound twice");
    expect(pvevtchn_bind_interdomain(b, 0x7000, 1), -ESRCH,
           "a port of a domain that does not exist");
    rc = pvevtchn_bind_virq(b, VIRQ_DEBUG);
    expect(rc >= 0, 1, "VIRQ_DEBUG binds once");
    expect(pvevtchn_bind_virq(a, VIRQ_DEBUG), -EEXIST, "... and not twice");
    expect(pvevtchn_bind_virq(a, VIRQ_DOM_EXC), -EEXIST,
           "VIRQ_DOM_EXC is xenstore-lite's already");
    expect(pvevtchn_bind_virq(a, 4096), -EINVAL, "a VIRQ that does not exist");
    expect(pvevtchn_unbind(a, 5000), -EINVAL, "unbinding port 5000");
    expect(pvevtchn_unbind(a, (uint32_t)pa), 0, "A unbinds its port");
    expect(pvevtchn_unbind(a, (uint32_t)pa), -EINVAL, "... and not twice");
    pvevtchn_close(b);
    pvevtchn_close(a);
    printf("%d checks, %d failed\n", n_checks, n_bad);
    return n_bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct pvevtchn *h;
    int rc;

    if (argc < 2) {
        fprintf(stderr, "usage: evtchn_peer pingpong DOMID PORT COUNT | "
                        "dom-exc COUNT TIMEOUT_S | alloc-unbound DOMID REMOTE | "
                        "ports | hostile DOMID PORT | drain DOMID PORT "
                        "IDLE_MS | pipe COUNT\n");
        return 2;
    }
    if (!strcmp(argv[1], "alloc-unbound") && argc == 4) {
        struct pvctrl *xc;

        rc = pvctrl_open(NULL, &xc);
        if (!rc) {
            rc = pvctrl_evtchn_alloc_unbound(xc, (uint32_t)atoi(argv[2]),
                                             (uint32_t)atoi(argv[3]));
            pvctrl_close(xc);
        }
        if (rc < 0) {
            fprintf(stderr, "alloc_unbound: %s\n", strerror(-rc));
            return 1;
        }
        printf("%d\n", rc);
        return 0;
    }
    if (!strcmp(argv[1], "ports") && argc == 2) {
        struct pvctrl *xc;
        struct pvcall_handle *ch;
        struct evtchn_status *st;
        int used = 0;

        rc = pvctrl_open(NULL, &xc);
        if (rc) {
            fprintf(stderr, "pvctrl_open: %s\n", strerror(-rc));
            return 1;
        }
        ch = pvctrl_call_handle(xc);
        st = pvcall_alloc_buffer(ch, sizeof(*st));
        for (uint32_t p = 1; st && p < 4096; p++) {
            st->dom = DOMID_SELF;
            st->port = p;
            if (pvcall_hypercall(ch, __HYPERVISOR_event_channel_op,
                                 EVTCHNOP_status, pvcall_buffer_addr(ch, st),
                                 0, 0, 0) == 0 &&
                st->status != EVTCHNSTAT_closed)
                used++;
        }
        pvctrl_close(xc);
        printf("%d\n", used);
        return 0;
    }
    if (!strcmp(argv[1], "pipe") && argc == 3)
        return pipe_pingpong(strtoul(argv[2], NULL, 10));
    if (!strcmp(argv[1], "hostile") && argc == 4)
        return hostile(NULL, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]));
    rc = pvevtchn_open(NULL, &h);
    if (rc) {
        fprintf(stderr, "pvevtchn_open: %s\n", strerror(-rc));
        return 1;
    }
    if (!strcmp(argv[1], "pingpong") && argc == 5)
        rc = pingpong(h, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
                      strtoul(argv[4], NULL, 10));
    else if (!strcmp(argv[1], "drain") && argc == 5)
        rc = drain(h, (uint32_t)atoi(argv[2]), (uint32_t)atoi(argv[3]),
                   atoi(argv[4]));
    else if (!strcmp(argv[1], "dom-exc") && argc == 4)
        rc = dom_exc(h, strtoul(argv[2], NULL, 10), atoi(argv[3]));
    else
        rc = 2;
    pvevtchn_close(h);
    return rc;
}
