/* SPDX-License-Identifier: MIT */
/*
 * dom0 hypercall round trip: xen_version through libpvctrl, the link
 * daemon, the ring and the UART doorbell, timed call by call.  Measured in
 * the same run for comparison:
 *   - the link daemon alone (a STATUS request that never reaches the
 *     hypervisor): the host-side share of the cost;
 *   - a one-byte ping-pong between two host processes over a Unix socket
 *     pair: what host IPC costs on this machine.
 * Needs a running machine (PVISOR_RUNDIR); bench/machine/hypercall_rt.sh
 * starts one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pvctrl.h"

#include <xen/version.h>

static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void report(const char *what, double *v, int n, double *median)
{
    qsort(v, (size_t)n, sizeof(*v), cmp);
    *median = v[n / 2];
    printf("  %-44s median %8.1f us   p99 %8.1f us   (n=%d)\n", what, v[n / 2],
           v[(int)(n * 0.99)], n);
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000;
    double *v = calloc((size_t)n, sizeof(double));
    double m_call, m_daemon, m_ipc;
    struct pvctrl *xc;
    struct pvcall_status st;
    int sv[2], major, minor;
    pid_t pid;
    char c = 0;

    if (!v || n < 100 || pvctrl_open(NULL, &xc)) {
        fprintf(stderr, "hypercall_rt: need a running machine\n");
        return 1;
    }
    printf("dom0 round trips:\n");
    for (int i = 0; i < 50; i++)
        pvctrl_version(xc, &major, &minor); /* warm up */
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (pvctrl_version(xc, &major, &minor))
            return 1;
        v[i] = now_us() - t0;
    }
    report("xen_version hypercall (libpvctrl->hypervisor)", v, n, &m_call);

    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        pvcall_status(pvctrl_call_handle(xc), &st);
        v[i] = now_us() - t0;
    }
    report("link daemon only (STATUS, no hypervisor)", v, n, &m_daemon);
    pvctrl_close(xc);

    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
        return 1;
    pid = fork();
    if (pid == 0) {
        close(sv[0]);
        while (read(sv[1], &c, 1) == 1 && write(sv[1], &c, 1) == 1)
            ;
        _exit(0);
    }
    close(sv[1]);
    for (int i = 0; i < n; i++) {
        double t0 = now_us();
        if (write(sv[0], &c, 1) != 1 || read(sv[0], &c, 1) != 1)
            return 1;
        v[i] = now_us() - t0;
    }
    close(sv[0]);
    waitpid(pid, NULL, 0);
    report("baseline: host socketpair ping-pong", v, n, &m_ipc);
    printf("  ratio hypercall / host ping-pong: %.1fx; hypercall minus daemon "
           "alone: %.1f us (ring + doorbell + hypervisor)\n",
           m_call / m_ipc, m_call - m_daemon);
    free(v);
    return 0;
}
