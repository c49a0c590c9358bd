/* SPDX-License-Identifier: MIT */
/*
 * `pvctl console DOM`: attach to a domain's console, as `xl console`.
 *
 * pvisor-consoled listens for each domain with a ring console on a Unix
 * socket whose path it writes to /local/domain/N/console/tty (where
 * xenconsoled puts its pty).  Connected, we get the domain's log so far
 * and then its output as it comes; what we send goes into the ring's
 * input side.
 *
 *   stdin a terminal: the terminal is put in raw mode and every key goes
 *   to the guest; Ctrl-] detaches.
 *   otherwise: stdin is forwarded until it ends; then we keep printing
 *   until the domain is gone, or, with --eof-exit, until the console has
 *   been quiet for half a second.
 *
 * Either way it ends once the domain is gone (the daemon closes the
 * socket a moment later, after the domain's last lines).  A domain
 * without a ring console (or with no daemon serving it) gets the old
 * behaviour: its log file, console/<name>.log, followed until it is gone.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

#define DETACH_KEY 0x1d /* Ctrl-] */
#define QUIET_MS   500

static bool copy_new(int fd)
{
    char buf[4096];
    ssize_t n;
    bool any = false;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        fwrite(buf, 1, (size_t)n, stdout);
        any = true;
    }
    fflush(stdout);
    return any;
}

static bool domain_alive(struct pvctrl *xc, int domid)
{
    struct xen_domctl_getdomaininfo info;

    return !pvctrl_domain_getinfo(xc, (uint32_t)domid, &info) &&
           info.domain == (uint32_t)domid;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Follows the log file until the domain is gone (no ring console). */
static int follow_log(struct pvctrl *xc, int domid, const char *path)
{
    int fd = -1, idle = 0;

    for (;;) {
        bool alive = domain_alive(xc, domid);

        if (fd < 0)
            fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && copy_new(fd))
            idle = 0;
        /* Once the domain is gone, wait briefly for its last lines. */
        if (!alive && ++idle > 4)
            break;
        usleep(50000);
    }
    if (fd >= 0)
        close(fd);
    return 0;
}

/*
 * The daemon's socket for domid, from console/tty; waits up to 3 s for
 * the daemon to find a domain that was just created.  -1 if none.
 */
static int connect_console(struct pvctrl *xc, int domid)
{
    struct xsl_handle *xs = pvctl_xs_open();
    char path[96], *tty = NULL;
    size_t len;
    int fd = -1;

    if (!xs)
        return -1;
    snprintf(path, sizeof(path), "/local/domain/%d/console/tty", domid);
    for (int i = 0; i < 60 && domain_alive(xc, domid); i++) {
        char ref[96], *v = NULL;

        if (!xsl_read(xs, 0, path, &tty, &len))
            break;
        /* No console page at all: nothing will come. */
        snprintf(ref, sizeof(ref), "/local/domain/%d/console/ring-ref", domid);
        if (xsl_read(xs, 0, ref, &v, &len))
            break;
        free(v);
        usleep(50000);
    }
    xsl_close(xs);
    if (tty) {
        struct sockaddr_un sa = {.sun_family = AF_UNIX};

        snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", tty);
        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
            close(fd);
            fd = -1;
        }
        free(tty);
    }
    return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);

        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static int attach(struct pvctrl *xc, int domid, int sock, bool eof_exit)
{
    struct termios saved, raw;
    bool tty = isatty(0), in_open = true;
    uint64_t last_out = now_ms(), last_check = 0, gone_at = 0;
    char buf[4096];

    if (tty) {
        tcgetattr(0, &saved);
        raw = saved;
        cfmakeraw(&raw);
        tcsetattr(0, TCSAFLUSH, &raw);
    }
    for (;;) {
        struct pollfd p[2] = {{.fd = sock, .events = POLLIN},
                              {.fd = in_open ? 0 : -1, .events = POLLIN}};
        uint64_t now;
        ssize_t n;

        if (poll(p, 2, 100) < 0 && errno != EINTR)
            break;
        now = now_ms();
        if (p[0].revents) {
            n = read(sock, buf, sizeof(buf));
            if (n <= 0)
                break; /* the daemon closed: the domain is gone */
            if (!write_all(1, buf, (size_t)n))
                break;
            last_out = now;
        }
        if (p[1].revents) {
            n = read(0, buf, sizeof(buf));
            if (n <= 0) {
                in_open = false;
                if (eof_exit)
                    last_out = now;
            } else if (tty && memchr(buf, DETACH_KEY, (size_t)n)) {
                size_t k = (size_t)((char *)memchr(buf, DETACH_KEY,
                                                   (size_t)n) - buf);

                write_all(sock, buf, k);
                break;
            } else if (!write_all(sock, buf, (size_t)n)) {
                break;
            }
        }
        if (!in_open && eof_exit && now - last_out >= QUIET_MS)
            break;
        if (now - last_check >= 200) {
            last_check = now;
            if (!gone_at && !domain_alive(xc, domid))
                gone_at = now;
        }
        /* The daemon closes a moment after; do not wait for ever. */
        if (gone_at && now - gone_at > 2000)
            break;
    }
    if (tty) {
        tcsetattr(0, TCSAFLUSH, &saved);
        fputs("\r\n", stdout);
    }
    fflush(stdout);
    return 0;
}

int cmd_console(int argc, char **argv)
{
    static const struct option opts[] = {
        {"eof-exit", no_argument, NULL, 'e'},
        {"log", no_argument, NULL, 'l'},
        {NULL, 0, NULL, 0},
    };
    char dir[256], path[512], *name;
    struct pvctrl *xc;
    struct xsl_handle *xs;
    bool eof_exit = false, log_only = false;
    int domid, opt, sock, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "el", opts, NULL)) != -1) {
        if (opt == 'e')
            eof_exit = true;
        else if (opt == 'l')
            log_only = true;
        else
            return pvctl_help("console", true);
    }
    if (optind != argc - 1)
        return pvctl_help("console", true);
    xc = pvctl_open_or_die();
    domid = domain_lookup(xc, argv[optind]);
    if (domid < 0) {
        pvctrl_close(xc);
        return 1;
    }
    sock = log_only ? -1 : connect_console(xc, domid);
    if (sock >= 0) {
        rc = attach(xc, domid, sock, eof_exit);
        close(sock);
        pvctrl_close(xc);
        return rc;
    }
    xs = pvctl_xs_open();
    name = domain_name(xs, (uint32_t)domid);
    if (xs)
        xsl_close(xs);
    if (!name) {
        pvctl_err("domain %d has no name in xenstore", domid);
        pvctrl_close(xc);
        return 1;
    }
    pvisor_rundir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/console/%s.log", dir, name);
    free(name);
    rc = follow_log(xc, domid, path);
    pvctrl_close(xc);
    return rc;
}
