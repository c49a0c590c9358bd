// SPDX-License-Identifier: MIT
/*
 * xenstore-lite: the command line, the run directory, logging,
 * daemonizing and signals.  Start-up order: options, run directory,
 * (fork), store and listeners, pid file, then the loop.  SIGTERM and
 * SIGINT close every connection, free the store and return from main, so
 * a sanitizer build reports any leak.
 *
 * Clients find the socket through XENSTORED_PATH (libxenstore reads it
 * both for its device and its socket path), so
 *   XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket xenstore-ls
 * works unchanged.
 */
#include "xs_daemon.h"

#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct xs_opts {
    const char *socket;
    const char *pid_file;
    const char *log_file;
    const char *ring_dir;
    const char *pvisor; /* --pvisor: the machine's run directory */
    bool daemonize;
    int log_fd;
};

/* The help text is laid out as it prints. */
// clang-format off
static void usage(FILE *f)
{
    fprintf(f,
"Usage: xenstore-lite [OPTIONS]\n"
"A xenstore daemon speaking Xen's wire protocol (xen/io/xs_wire.h).\n"
"\n"
"  -s, --socket PATH        listen here (default: $PVISOR_RUNDIR/xenstored/\n"
"                           socket; run dir: /run/pvisor as root, else\n"
"                           $XDG_RUNTIME_DIR/pvisor, else /tmp/pvisor-UID)\n"
"  -u, --domain-socket DOMID:PATH\n"
"                           also listen on PATH; every connection there acts\n"
"                           as unprivileged domain DOMID (1..32751), with its\n"
"                           permissions, quotas and /local/domain/DOMID as\n"
"                           relative-path base; may be repeated\n"
"  -N, --foreground, --no-fork  stay in the foreground (the default)\n"
"  -D, --daemon             detach; the parent exits once the socket listens\n"
"  -F, --pid-file PATH      write the daemon's pid here\n"
"  -T, --log-file PATH      append the log here (default: stderr in the\n"
"                           foreground, nothing when detached)\n"
"  -E, --entry-nb N         nodes per domain (quota \"nodes\", default 1000)\n"
"  -S, --entry-size N       node size (quota \"node-size\", default 2048)\n"
"  -W, --watch-nb N         watches per domain (\"watches\", default 128)\n"
"  -t, --transaction N      transactions per domain (\"transactions\", 10)\n"
"  -A, --perm-nb N          permissions per node (\"node-permissions\", 5)\n"
"  -M, --path-max N         path length (\"path-max\", at most 2048)\n"
"  -Q, --quota NAME=N       set a hard quota: nodes, watches, outstanding,\n"
"                           memory, transactions, transaction-nodes,\n"
"                           node-permissions, path-max, node-size\n"
"  -q, --quota-soft NAME=N  set a soft quota (memory): logged when crossed\n"
"  -w, --timeout watch-event=SECONDS\n"
"                           drop watch events an unprivileged client has not\n"
"                           started reading after this long (default 20)\n"
"  -K, --keep-orphans       on RELEASE give a domain's nodes to domain 0\n"
"                           instead of deleting them\n"
"  -O, --max-output BYTES   drop a connection whose unsent output exceeds\n"
"                           this (default 16 MiB)\n"
"      --pvisor RUNDIR      serve guest rings of the pvisor machine whose\n"
"                           run directory is RUNDIR (foreign mappings and\n"
"                           event channels through libpvctrl; @releaseDomain\n"
"                           fires when the hypervisor reports a domain gone)\n"
"      --ring-dir DIR       serve guest rings from files in DIR instead of a\n"
"                           hypervisor (page-MFN files, datagram event\n"
"                           channels; for tests, see docs/xenstore.md)\n"
"  -H, -h, --help           this text\n"
"\n"
"Quotas bind unprivileged connections only.  SIGTERM or SIGINT stop the\n"
"daemon cleanly.  Clients: XENSTORED_PATH=<socket> xenstore-read /path\n");
}
// clang-format on

static void log_line(void *arg, const char *msg)
{
    struct xs_opts *o = arg;
    char line[640], ts[32];
    struct timespec now;
    struct tm tm;
    int n;

    if (o->log_fd < 0)
        return;
    clock_gettime(CLOCK_REALTIME, &now);
    localtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", &tm);
    n = snprintf(line, sizeof(line), "%s.%03ld xenstore-lite[%d]: %s\n", ts,
                 now.tv_nsec / 1000000, (int)getpid(), msg);
    if (n > (int)sizeof(line))
        n = sizeof(line);
    if (write(o->log_fd, line, n) < 0) {
        /* Nowhere left to complain. */
    }
}

static char *default_rundir(void)
{
    const char *env = getenv("PVISOR_RUNDIR"), *xdg;
    char *p;

    if (env && *env)
        return strdup(env);
    if (geteuid() == 0)
        return strdup("/run/pvisor");
    xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg)
        return asprintf(&p, "%s/pvisor", xdg) < 0 ? NULL : p;
    return asprintf(&p, "/tmp/pvisor-%u", (unsigned)getuid()) < 0 ? NULL : p;
}

static int mkdir_p(const char *dir)
{
    char *p = strdup(dir), *s;
    int err = 0;

    if (!p)
        return -ENOMEM;
    for (s = p + 1; *s; s++) {
        if (*s != '/')
            continue;
        *s = '\0';
        if (mkdir(p, 0755) && errno != EEXIST)
            err = -errno;
        *s = '/';
    }
    if (!err && mkdir(p, 0755) && errno != EEXIST)
        err = -errno;
    free(p);
    return err;
}

static int mkdir_parent(const char *path)
{
    char *dir = strdup(path), *slash;
    int err = 0;

    if (!dir)
        return -ENOMEM;
    slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
        err = mkdir_p(dir);
    }
    free(dir);
    return err;
}

static void close_signal(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (h->type == UV_SIGNAL && !uv_is_closing(h))
        uv_close(h, NULL);
}

static void on_signal(uv_signal_t *h, int signum)
{
    struct xs_daemon *d = h->data;

    xsd_logf(&d->xsd, "signal %d: shutting down", signum);
    xs_daemon_stop(d);
    uv_walk(d->loop, close_signal, NULL);
}

/* Fork; the parent waits for the child's "listening" byte and exits. */
static int detach(int *ready_fd)
{
    int fds[2];
    pid_t pid;
    char c;

    if (pipe(fds))
        return -errno;
    pid = fork();
    if (pid < 0)
        return -errno;
    if (pid > 0) {
        close(fds[1]);
        _exit(read(fds[0], &c, 1) == 1 ? 0 : 1);
    }
    close(fds[0]);
    setsid();
    *ready_fd = fds[1];
    return 0;
}

static int parse_domain_socket(struct xs_daemon *d, const char *arg)
{
    char *end;
    unsigned long domid = strtoul(arg, &end, 10);
    int err;

    if (end == arg || *end != ':' || domid == 0 || domid > XS_DOMID_MAX ||
        !end[1]) {
        fprintf(stderr, "xenstore-lite: bad --domain-socket '%s'\n", arg);
        return -EINVAL;
    }
    if ((err = mkdir_parent(end + 1)) ||
        (err = xs_daemon_listen(d, end + 1, domid)))
        fprintf(stderr, "xenstore-lite: cannot listen on %s: %s\n", end + 1,
                strerror(-err));
    return err;
}

static const struct option long_opts[] = {
    {"socket", 1, NULL, 's'},     {"domain-socket", 1, NULL, 'u'},
    {"foreground", 0, NULL, 'N'}, {"no-fork", 0, NULL, 'N'},
    {"daemon", 0, NULL, 'D'},     {"pid-file", 1, NULL, 'F'},
    {"log-file", 1, NULL, 'T'},   {"trace-file", 1, NULL, 'T'},
    {"entry-nb", 1, NULL, 'E'},   {"entry-size", 1, NULL, 'S'},
    {"watch-nb", 1, NULL, 'W'},   {"transaction", 1, NULL, 't'},
    {"perm-nb", 1, NULL, 'A'},    {"path-max", 1, NULL, 'M'},
    {"quota", 1, NULL, 'Q'},      {"quota-soft", 1, NULL, 'q'},
    {"timeout", 1, NULL, 'w'},    {"keep-orphans", 0, NULL, 'K'},
    {"max-output", 1, NULL, 'O'}, {"ring-dir", 1, NULL, 'R'},
    {"pvisor", 1, NULL, 'P'},
    {"help", 0, NULL, 'H'},       {NULL, 0, NULL, 0}};

int main(int argc, char **argv)
{
    struct xs_opts o = {.log_fd = -1};
    const char *quota_name[128] = {0};
    char *domain_sockets[16], *rundir = NULL, *sock = NULL, spec[64];
    unsigned int ndomsock = 0, i;
    const struct xs_ring_backend *ring = NULL, *pvring = NULL;
    struct xs_daemon d;
    uv_loop_t loop;
    uv_signal_t sterm, sint;
    int opt, ready_fd = -1, ret = 1, err, fd;

    quota_name['E'] = "nodes";
    quota_name['S'] = "node-size";
    quota_name['W'] = "watches";
    quota_name['t'] = "transactions";
    quota_name['A'] = "node-permissions";
    quota_name['M'] = "path-max";
    signal(SIGPIPE, SIG_IGN);
    if (uv_loop_init(&loop) || xs_daemon_init(&d, &loop)) {
        fprintf(stderr, "xenstore-lite: out of memory\n");
        return 1;
    }
    while ((opt = getopt_long(argc, argv, "s:u:NDF:T:E:S:W:t:A:M:Q:q:w:KO:Hh",
                              long_opts, NULL)) != -1) {
        switch (opt) {
        case 's':
            o.socket = optarg;
            break;
        case 'u':
            if (ndomsock == 16) {
                fprintf(stderr, "xenstore-lite: too many domain sockets\n");
                goto out;
            }
            domain_sockets[ndomsock++] = optarg;
            break;
        case 'N':
            o.daemonize = false;
            break;
        case 'D':
            o.daemonize = true;
            break;
        case 'F':
            o.pid_file = optarg;
            break;
        case 'T':
            o.log_file = optarg;
            break;
        case 'E':
        case 'S':
        case 'W':
        case 't':
        case 'A':
        case 'M':
            snprintf(spec, sizeof(spec), "%s=%s", quota_name[opt], optarg);
            if (xsd_set_quota(&d.xsd, spec, false))
                goto bad_value;
            break;
        case 'Q':
        case 'q':
            if (xsd_set_quota(&d.xsd, optarg, opt == 'q'))
                goto bad_value;
            break;
        case 'w':
            if (xsd_set_timeout(&d.xsd, optarg))
                goto bad_value;
            break;
        case 'K':
            d.xsd.keep_orphans = true;
            break;
        case 'O':
            d.xsd.max_conn_output = strtoul(optarg, NULL, 10);
            break;
        case 'R':
            o.ring_dir = optarg;
            break;
        case 'P':
            o.pvisor = optarg;
            break;
        case 'H':
        case 'h':
            usage(stdout);
            ret = 0;
            goto out;
        default:
            usage(stderr);
            goto out;
        }
        continue;
    bad_value:
        fprintf(stderr, "xenstore-lite: bad value '%s' for -%c\n", optarg, opt);
        goto out;
    }
    if (optind != argc) {
        fprintf(stderr, "xenstore-lite: unexpected argument '%s'\n",
                argv[optind]);
        goto out;
    }
    if (!o.socket) {
        rundir = default_rundir();
        if (!rundir || asprintf(&sock, "%s/xenstored/socket", rundir) < 0)
            goto out;
        o.socket = sock;
    }
    if ((err = mkdir_parent(o.socket))) {
        fprintf(stderr, "xenstore-lite: cannot create directory for %s: %s\n",
                o.socket, strerror(-err));
        goto out;
    }
    if (o.log_file) {
        o.log_fd =
            open(o.log_file, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (o.log_fd < 0) {
            fprintf(stderr, "xenstore-lite: cannot open %s: %s\n", o.log_file,
                    strerror(errno));
            goto out;
        }
    } else if (!o.daemonize) {
        o.log_fd = dup(2);
    }
    d.xsd.log = log_line;
    d.xsd.log_arg = &o;
    if (o.daemonize && detach(&ready_fd)) {
        fprintf(stderr, "xenstore-lite: cannot fork: %s\n", strerror(errno));
        goto out;
    }
    /* libuv's loop was only initialised, not run: a fork leaves it usable
     * once told so. */
    if (o.daemonize)
        uv_loop_fork(&loop);
    if ((err = xs_daemon_listen(&d, o.socket, 0))) {
        fprintf(stderr, "xenstore-lite: cannot listen on %s: %s\n", o.socket,
                uv_strerror(err));
        goto out;
    }
    for (i = 0; i < ndomsock; i++)
        if (parse_domain_socket(&d, domain_sockets[i]))
            goto out;
    if (o.ring_dir && o.pvisor) {
        fprintf(stderr, "xenstore-lite: --ring-dir and --pvisor exclude each "
                        "other\n");
        goto out;
    }
    if (o.ring_dir) {
        ring = xs_ring_file_open(o.ring_dir);
        if (!ring || xs_daemon_set_ring_backend(&d, ring)) {
            fprintf(stderr, "xenstore-lite: cannot use ring dir %s: %s\n",
                    o.ring_dir, strerror(errno));
            goto out;
        }
    }
    if (o.pvisor) {
        pvring = xs_ring_pvisor_open(o.pvisor, &err);
        if (!pvring || (err = xs_daemon_set_ring_backend(&d, pvring))) {
            fprintf(stderr, "xenstore-lite: cannot reach the pvisor machine "
                            "in %s: %s\n", o.pvisor, strerror(-err));
            goto out;
        }
    }
    if (o.pid_file) {
        FILE *f = fopen(o.pid_file, "w");

        if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
            fprintf(stderr, "xenstore-lite: cannot write %s\n", o.pid_file);
            goto out;
        }
    }
    uv_signal_init(&loop, &sterm);
    uv_signal_init(&loop, &sint);
    sterm.data = sint.data = &d;
    uv_signal_start(&sterm, on_signal, SIGTERM);
    uv_signal_start(&sint, on_signal, SIGINT);
    xsd_logf(&d.xsd, "listening on %s", o.socket);
    if (ready_fd >= 0) {
        fd = open("/dev/null", O_RDWR);
        if (fd >= 0) {
            dup2(fd, 0);
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        if (write(ready_fd, "R", 1) != 1) {
            /* the parent is gone; carry on */
        }
        close(ready_fd);
        ready_fd = -1;
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_walk(&loop, close_signal, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    xsd_logf(&d.xsd, "stopped: %llu requests, %llu errors, %llu events",
             d.xsd.nr_requests, d.xsd.nr_errors, d.xsd.nr_events);
    if (o.pid_file)
        unlink(o.pid_file);
    ret = 0;
out:
    if (!d.stopping) {
        xs_daemon_stop(&d);
        uv_walk(&loop, close_signal, NULL);
        uv_run(&loop, UV_RUN_DEFAULT);
    }
    xs_daemon_free(&d); /* unmaps and unbinds through the backend */
    xs_ring_file_close(ring);
    xs_ring_pvisor_close(pvring);
    uv_loop_close(&loop);
    if (o.log_fd >= 0)
        close(o.log_fd);
    free(sock);
    free(rundir);
    return ret;
}
