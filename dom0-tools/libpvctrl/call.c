/* SPDX-License-Identifier: MIT */
/*
 * The hypercall transport (the libxencall part of libpvctrl).
 *
 * A handle is a connection to the link daemon plus a shared mapping of
 * this client's window of the argument arena, which lives in the machine's
 * RAM file.  Hypercall buffers are carved out of that window with a small
 * first-fit allocator over 64-byte units; their dom0 address (what goes in
 * a hypercall argument) is the window's machine address plus the offset.
 *
 * Calls are synchronous: one request on the socket, wait for its reply.
 * A handle is not thread-safe; use one per thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "linkd_proto.h"
#include "pvctrl.h"
#include "pvctrl_priv.h"

#define UNIT 64
#define NR_UNITS (PVLINKD_WINDOW_SIZE / UNIT)

struct pvcall_handle {
    int fd;
    int ram_fd;               /* the machine's RAM, for foreign mappings */
    uint64_t ram_below_4g;
    uint64_t ram_bytes;
    uint64_t next_id;
    uint8_t *window;          /* mapping of the arena window */
    uint64_t window_maddr;
    uint64_t window_size;
    uint16_t units[NR_UNITS]; /* at a buffer's first unit: its length */
    uint8_t used[NR_UNITS];
};

int pvcall__write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;

    while (len) {
        ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
    char *p = buf;

    while (len) {
        ssize_t n = read(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (n == 0)
            return -EPIPE; /* the daemon went away */
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Sends msg on fd and waits for the reply with the same id (into msg). */
int pvcall__transact(int fd, uint64_t *next_id, struct pvlinkd_msg *msg)
{
    uint64_t id = ++*next_id;
    int rc;

    msg->id = id;
    msg->version = PVLINKD_PROTO_VERSION;
    rc = pvcall__write_all(fd, msg, sizeof(*msg));
    if (rc)
        return rc;
    rc = read_all(fd, msg, sizeof(*msg));
    if (rc)
        return rc;
    if (msg->id != id)
        return -EPROTO;
    return 0;
}

static int transact(struct pvcall_handle *h, struct pvlinkd_msg *msg)
{
    return pvcall__transact(h->fd, &h->next_id, msg);
}

int pvcall__connect(const char *rundir)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    char dir[200];
    int fd, n;

    if (!rundir)
        rundir = pvisor_rundir(dir, sizeof(dir));
    n = snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rundir,
                 PVLINKD_SOCKET);
    if (n < 0 || (size_t)n >= sizeof(sa.sun_path))
        return -ENAMETOOLONG;
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
        int err = errno;
        close(fd);
        /* No socket or nobody listening: the machine is not up. */
        return err == ENOENT || err == ECONNREFUSED ? -ECONNREFUSED : -err;
    }
    return fd;
}

int pvcall_open(const char *rundir, struct pvcall_handle **out)
{
    struct pvcall_handle *h = calloc(1, sizeof(*h));
    struct pvlinkd_msg msg = {.type = PVLINKD_HELLO};
    int rc, ramfd = -1;
    long pagesz = sysconf(_SC_PAGESIZE);
    uint64_t off, map_off;

    if (!h)
        return -ENOMEM;
    h->fd = -1;
    h->ram_fd = -1;
    h->window = MAP_FAILED;
    rc = pvcall__connect(rundir);
    if (rc < 0)
        goto out;
    h->fd = rc;
    rc = transact(h, &msg);
    if (rc)
        goto out;
    if (msg.result < 0) {
        rc = (int)msg.result;
        goto out;
    }
    if (msg.window_size == 0) {
        /* The machine is booting or stopping: status and shutdown only. */
        *out = h;
        return 0;
    }
    if (msg.window_size != PVLINKD_WINDOW_SIZE) {
        rc = -EPROTO;
        goto out;
    }
    /* The window's file offset (it lies below 4 GiB in the low RAM). */
    off = msg.window_maddr;
    if (off + msg.window_size > msg.ram_below_4g) {
        rc = -EPROTO;
        goto out;
    }
    ramfd = open(msg.ram_path, O_RDWR | O_CLOEXEC);
    if (ramfd < 0) {
        rc = -errno;
        goto out;
    }
    map_off = off & ~((uint64_t)pagesz - 1);
    h->window = mmap(NULL, msg.window_size + (off - map_off),
                     PROT_READ | PROT_WRITE, MAP_SHARED, ramfd, (off_t)map_off);
    if (h->window == MAP_FAILED) {
        rc = -errno;
        goto out;
    }
    h->window += off - map_off;
    h->window_maddr = msg.window_maddr;
    h->window_size = msg.window_size;
    h->ram_fd = ramfd;
    h->ram_below_4g = msg.ram_below_4g;
    h->ram_bytes = msg.ram_bytes;
    *out = h;
    return 0;

out:
    if (ramfd >= 0)
        close(ramfd);
    if (h->fd >= 0)
        close(h->fd);
    free(h);
    return rc;
}

void pvcall_close(struct pvcall_handle *h)
{
    if (!h)
        return;
    if (h->window != MAP_FAILED) {
        long pagesz = sysconf(_SC_PAGESIZE);
        uintptr_t base = (uintptr_t)h->window & ~((uintptr_t)pagesz - 1);
        munmap((void *)base, h->window_size + ((uintptr_t)h->window - base));
    }
    if (h->ram_fd >= 0)
        close(h->ram_fd);
    close(h->fd);
    free(h);
}

int pvcall_ram_fd(struct pvcall_handle *h)
{
    return h->ram_fd;
}

int64_t pvcall_maddr_to_offset(struct pvcall_handle *h, uint64_t maddr)
{
    uint64_t off;

    if (maddr < h->ram_below_4g)
        off = maddr;
    else if (maddr >= (4ULL << 30))
        off = h->ram_below_4g + (maddr - (4ULL << 30));
    else
        return -EINVAL;
    return off < h->ram_bytes ? (int64_t)off : -EINVAL;
}

long pvcall_hypercall(struct pvcall_handle *h, unsigned int op, uint64_t a1,
                      uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    struct pvlinkd_msg msg = {.type = PVLINKD_HYPERCALL, .op = op};
    int rc;

    msg.args[0] = a1;
    msg.args[1] = a2;
    msg.args[2] = a3;
    msg.args[3] = a4;
    msg.args[4] = a5;
    rc = transact(h, &msg);
    return rc ? rc : (long)msg.result;
}

void *pvcall_alloc_buffer(struct pvcall_handle *h, size_t size)
{
    size_t need = (size + UNIT - 1) / UNIT, run = 0;

    if (!size || need > NR_UNITS || h->window == MAP_FAILED)
        return NULL;
    for (size_t i = 0; i < NR_UNITS; i++) {
        run = h->used[i] ? 0 : run + 1;
        if (run == need) {
            size_t first = i + 1 - need;
            memset(h->used + first, 1, need);
            h->units[first] = (uint16_t)need;
            memset(h->window + first * UNIT, 0, need * UNIT);
            return h->window + first * UNIT;
        }
    }
    return NULL;
}

void pvcall_free_buffer(struct pvcall_handle *h, void *p)
{
    size_t first;

    if (!p)
        return;
    first = (size_t)((uint8_t *)p - h->window) / UNIT;
    memset(h->used + first, 0, h->units[first]);
    h->units[first] = 0;
}

uint64_t pvcall_buffer_addr(struct pvcall_handle *h, const void *p)
{
    return p ? h->window_maddr + (uint64_t)((const uint8_t *)p - h->window)
             : 0;
}

int pvcall_status(struct pvcall_handle *h, struct pvcall_status *st)
{
    struct pvlinkd_msg msg = {.type = PVLINKD_STATUS};
    int rc = transact(h, &msg);

    if (rc)
        return rc;
    memset(st, 0, sizeof(*st));
    st->state = (int)msg.state;
    st->qemu_pid = msg.qemu_pid;
    st->daemon_pid = msg.daemon_pid;
    st->nr_cpus = msg.nr_cpus;
    st->ram_bytes = msg.ram_bytes;
    memcpy(st->accel, msg.accel, sizeof(st->accel) - 1);
    st->event_bells = msg.args[0];
    st->event_scans = msg.args[1];
    st->events_delivered = msg.args[2];
    st->event_seq = msg.args[3];
    return 0;
}

int pvcall_shutdown_machine(struct pvcall_handle *h)
{
    struct pvlinkd_msg msg = {.type = PVLINKD_SHUTDOWN};
    char c;
    int rc = transact(h, &msg);

    if (rc)
        return rc;
    if (msg.result < 0)
        return (int)msg.result;
    /* The daemon closes the connection once it has cleaned up. */
    for (;;) {
        ssize_t n = read(h->fd, &c, 1);
        if (n == 0 || (n < 0 && errno != EINTR))
            return 0;
    }
}
