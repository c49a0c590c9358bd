// SPDX-License-Identifier: MIT
/*
 * A ring backend without a hypervisor (xenstore-lite --ring-dir DIR), for
 * tests and demonstrations of the guest side.  It stands where libpvctrl's
 * foreign mapping and event channels will stand, with the same contract:
 *
 *   map(domid, mfn)     mmap()s DIR/page-MFN (a 4096-byte file the
 *                       "guest" created) shared and read-write;
 *   bind(domid, port)   allocates a local port for (domid, port);
 *   notify(local)       sends the datagram "DOMID PORT" to
 *                       DIR/guest-DOMID.sock (the guest's event channel);
 *   event_fd/pending    the daemon's datagram socket DIR/evtchn: a guest
 *                       signals with "DOMID PORT", pending() turns that
 *                       into the local port bound for it.
 *
 * Nothing here trusts the guest: the page is only reached through
 * xs_ring.c's checked accessors, datagrams are parsed with bounds, and
 * unknown (domid, port) pairs are ignored.
 */
#include "xs_core.h"

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define RF_MAX_PORTS 256

struct rf_port {
    bool used;
    unsigned int domid;
    uint32_t remote;
};

struct ring_file {
    struct xs_ring_backend ops; /* first: the daemon holds &ops */
    char *dir;
    int sock; /* DIR/evtchn, datagrams from guests */
    struct rf_port port[RF_MAX_PORTS];
};

static struct xenstore_domain_interface *rf_map(void *priv, unsigned int domid,
                                                uint64_t mfn)
{
    struct ring_file *rf = priv;
    char path[PATH_MAX];
    struct stat st;
    void *p;
    int fd;

    (void)domid;
    snprintf(path, sizeof(path), "%s/page-%llu", rf->dir,
             (unsigned long long)mfn);
    fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) ||
        st.st_size < (off_t)sizeof(struct xenstore_domain_interface)) {
        close(fd);
        errno = EINVAL;
        return NULL;
    }
    p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    return p == MAP_FAILED ? NULL : p;
}

static void rf_unmap(void *priv, unsigned int domid,
                     struct xenstore_domain_interface *intf)
{
    munmap(intf, 4096);
}

static int rf_bind(void *priv, unsigned int domid, uint32_t remote)
{
    struct ring_file *rf = priv;
    int i;

    for (i = 1; i < RF_MAX_PORTS; i++) {
        if (!rf->port[i].used) {
            rf->port[i] = (struct rf_port){true, domid, remote};
            return i;
        }
    }
    return -ENOSPC;
}

static void rf_unbind(void *priv, int local)
{
    struct ring_file *rf = priv;

    if (local > 0 && local < RF_MAX_PORTS)
        rf->port[local].used = false;
}

static int rf_notify(void *priv, int local)
{
    struct ring_file *rf = priv;
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char msg[32];
    int n;

    if (local <= 0 || local >= RF_MAX_PORTS || !rf->port[local].used)
        return -EINVAL;
    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/guest-%u.sock", rf->dir,
             rf->port[local].domid);
    n = snprintf(msg, sizeof(msg), "%u %u", rf->port[local].domid,
                 rf->port[local].remote);
    /* A guest that is not listening simply misses the event. */
    if (sendto(rf->sock, msg, n, MSG_DONTWAIT, (struct sockaddr *)&sa,
               sizeof(sa)) < 0)
        return -errno;
    return 0;
}

static int rf_event_fd(void *priv)
{
    return ((struct ring_file *)priv)->sock;
}

static int rf_pending(void *priv)
{
    struct ring_file *rf = priv;
    char msg[64];
    unsigned int domid, remote;
    ssize_t n;
    int i;

    for (;;) {
        n = recv(rf->sock, msg, sizeof(msg) - 1, MSG_DONTWAIT);
        if (n < 0)
            return -errno;
        msg[n] = '\0';
        if (sscanf(msg, "%u %u", &domid, &remote) != 2)
            continue;
        for (i = 1; i < RF_MAX_PORTS; i++)
            if (rf->port[i].used && rf->port[i].domid == domid &&
                rf->port[i].remote == remote)
                return i;
    }
}

const struct xs_ring_backend *xs_ring_file_open(const char *dir)
{
    struct ring_file *rf = calloc(1, sizeof(*rf));
    struct sockaddr_un sa = {.sun_family = AF_UNIX};

    if (!rf || !(rf->dir = strdup(dir)))
        goto fail;
    rf->sock = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (rf->sock < 0)
        goto fail;
    if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/evtchn", dir) >=
        (int)sizeof(sa.sun_path)) {
        errno = ENAMETOOLONG;
        goto fail_sock;
    }
    unlink(sa.sun_path);
    if (bind(rf->sock, (struct sockaddr *)&sa, sizeof(sa)))
        goto fail_sock;
    rf->ops = (struct xs_ring_backend){.map = rf_map,
                                       .unmap = rf_unmap,
                                       .bind = rf_bind,
                                       .unbind = rf_unbind,
                                       .notify = rf_notify,
                                       .event_fd = rf_event_fd,
                                       .pending = rf_pending,
                                       .priv = rf};
    return &rf->ops;
fail_sock:
    close(rf->sock);
fail:
    if (rf)
        free(rf->dir);
    free(rf);
    return NULL;
}

void xs_ring_file_close(const struct xs_ring_backend *rb)
{
    struct ring_file *rf;
    char path[PATH_MAX];

    if (!rb)
        return;
    rf = rb->priv;
    snprintf(path, sizeof(path), "%s/evtchn", rf->dir);
    unlink(path);
    close(rf->sock);
    free(rf->dir);
    free(rf);
}
