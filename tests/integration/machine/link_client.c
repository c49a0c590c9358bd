/* SPDX-License-Identifier: MIT */
/*
 * A libpvctrl client that checks the dom0 link's answers to bad and
 * concurrent requests against a running machine (PVISOR_RUNDIR).  Prints
 * TAP.  Each check is one the hypervisor or the daemon must get right
 * without disturbing anything else.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "pvctrl.h"

#include <xen/sched.h>
#include <xen/version.h>

static int n, failed;

static void result(int ok, const char *what)
{
    n++;
    if (!ok)
        failed++;
    printf("%s %d - %s\n", ok ? "ok" : "not ok", n, what);
    fflush(stdout);
}

static void *hammer(void *arg)
{
    struct pvctrl *xc;
    long good = 0;

    (void)arg;
    if (pvctrl_open(NULL, &xc))
        return (void *)0;
    for (int i = 0; i < 150; i++) {
        int major, minor;
        if (pvctrl_version(xc, &major, &minor) == 0 && major == 4)
            good++;
    }
    pvctrl_close(xc);
    return (void *)good;
}

int main(void)
{
    struct pvctrl *xc;
    struct pvcall_handle *h;
    struct xen_sysctl *op;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char dir[100], *buf;
    pthread_t th[8];
    long rc, total = 0;
    int fd, major, minor;

    printf("1..10\n");
    if (pvctrl_open(NULL, &xc)) {
        printf("Bail out! cannot connect\n");
        return 1;
    }
    h = pvctrl_call_handle(xc);

    rc = pvcall_hypercall(h, 60, 0, 0, 0, 0, 0);
    result(rc == -ENOSYS, "an unknown hypercall answers -ENOSYS");

    rc = pvcall_hypercall(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                          0x1000, 0, 0, 0);
    result(rc == -EFAULT, "a pointer outside the client's window: -EFAULT");

    rc = pvcall_hypercall(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                          ~0ULL - 8, 0, 0, 0);
    result(rc == -EFAULT, "a pointer that wraps the address space: -EFAULT");

    buf = pvcall_alloc_buffer(h, 64); /* the first buffer: window offset 0 */
    rc = pvcall_hypercall(h, __HYPERVISOR_xen_version, XENVER_extraversion,
                          pvcall_buffer_addr(h, buf) + 65536 - 8, 0, 0, 0);
    result(rc == -EFAULT, "a buffer that runs past the window end: -EFAULT");

    op = pvcall_alloc_buffer(h, sizeof(*op));
    op->cmd = XEN_SYSCTL_physinfo;
    op->interface_version = 1;
    rc = pvcall_hypercall(h, __HYPERVISOR_sysctl, pvcall_buffer_addr(h, op), 0,
                          0, 0, 0);
    result(rc == -EACCES, "sysctl with a wrong interface version: -EACCES");

    op->cmd = XEN_SYSCTL_readconsole;
    op->interface_version = XEN_SYSCTL_INTERFACE_VERSION;
    op->u.readconsole.count = 1 << 20;
    set_xen_guest_handle(op->u.readconsole.buffer,
                         (char *)(uintptr_t)(pvcall_buffer_addr(h, buf) +
                                             65536 - 100));
    rc = pvcall_hypercall(h, __HYPERVISOR_sysctl, pvcall_buffer_addr(h, op), 0,
                          0, 0, 0);
    result(rc == -EFAULT, "readconsole whose text would run past the window: "
                          "-EFAULT");

    rc = pvcall_hypercall(h, __HYPERVISOR_sched_op, SCHEDOP_shutdown,
                          pvcall_buffer_addr(h, buf) + 65536, 0, 0, 0);
    result(rc == -EFAULT, "shutdown with an argument outside the window: "
                          "-EFAULT, and the machine stays up");

    /* Garbage on a raw connection: the daemon drops that connection only. */
    pvisor_rundir(dir, sizeof(dir));
    if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%.90s/link.sock",
                         dir) >= sizeof(sa.sun_path))
        return 1;
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
        char junk[4096];
        char c;
        memset(junk, 0xa5, sizeof(junk));
        rc = write(fd, junk, sizeof(junk));
        result(read(fd, &c, 1) <= 0, "the daemon disconnects a client that "
                                     "sends garbage");
        close(fd);
    } else {
        result(0, "raw connection to the daemon");
    }
    result(pvctrl_version(xc, &major, &minor) == 0 && major == 4 &&
               minor == 17,
           "other clients keep working after the garbage");

    for (int i = 0; i < 8; i++)
        pthread_create(&th[i], NULL, hammer, NULL);
    for (int i = 0; i < 8; i++) {
        void *good;
        pthread_join(th[i], &good);
        total += (long)good;
    }
    result(total == 8 * 150, "8 concurrent clients x 150 hypercalls all "
                             "answered correctly");
    pvcall_free_buffer(h, op);
    pvcall_free_buffer(h, buf);
    pvctrl_close(xc);
    return failed != 0;
}
