/* SPDX-License-Identifier: MIT */
/*
 * pvisor-linkd main: options, daemonising, the single-instance lock, and
 * orderly shutdown.  Started by `pvctl up`; see linkd.h for what it does.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "linkd.h"

struct linkd linkd;
static int lock_fd = -1;
static bool stopping;

void linkd_log(const char *fmt, ...)
{
    char stamp[32];
    struct timespec ts;
    struct tm tm;
    va_list ap;

    clock_gettime(CLOCK_REALTIME, &ts);
    localtime_r(&ts.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ld linkd: ", stamp, ts.tv_nsec / 1000000);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
}

void linkd_report_ready(const char *msg)
{
    size_t len = strlen(msg);

    if (linkd.opt.ready_fd < 0)
        return;
    while (len) {
        ssize_t n = write(linkd.opt.ready_fd, msg, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        msg += n;
        len -= (size_t)n;
    }
    close(linkd.opt.ready_fd);
    linkd.opt.ready_fd = -1;
}

static void close_if_open(uv_handle_t *h)
{
    if (h->loop && !uv_is_closing(h))
        uv_close(h, NULL);
}

/* Ends the daemon once the loop has flushed what is in flight. */
void linkd_stop(int code)
{
    char path[300];

    if (stopping)
        return;
    stopping = true;
    linkd.exit_code = code;
    if (linkd.state == PVLINKD_STATE_BOOTING)
        linkd_report_ready("error: the machine stopped during boot\n");
    close_if_open((uv_handle_t *)&linkd.server);
    close_if_open((uv_handle_t *)&linkd.bell_server);
    if (linkd.bell_connected)
        close_if_open((uv_handle_t *)&linkd.bell);
    close_if_open((uv_handle_t *)&linkd.boot_timer);
    close_if_open((uv_handle_t *)&linkd.stall_timer);
    close_if_open((uv_handle_t *)&linkd.stop_timer);
    close_if_open((uv_handle_t *)&linkd.sigterm);
    close_if_open((uv_handle_t *)&linkd.sigint);
    close_if_open((uv_handle_t *)&linkd.sighup);
    if (linkd.qemu_running)
        uv_process_kill(&linkd.qemu, SIGKILL);
    services_finish(); /* the loop waits for them to exit */
    machine_cleanup();
    snprintf(path, sizeof(path), "%s/%s", linkd.opt.rundir, PVLINKD_SOCKET);
    unlink(path);
    snprintf(path, sizeof(path), "%s/linkd.pid", linkd.opt.rundir);
    unlink(path);
    linkd_log("stopped");
}

static void on_signal(uv_signal_t *s, int signo)
{
    (void)s;
    if (signo == SIGHUP)
        return;
    linkd_log("signal %d: shutting down", signo);
    machine_request_shutdown();
}

static void usage(FILE *out)
{
    fprintf(out,
"Usage: pvisor-linkd --rundir DIR --image FILE [OPTIONS]\n"
"\n"
"The dom0 link daemon: starts the QEMU machine that runs the pvisor\n"
"hypervisor, owns its RAM file and doorbell, and relays dom0 hypercalls from\n"
"libpvctrl clients on DIR/link.sock.  Normally started by `pvctl up`.\n"
"\n"
"Options:\n"
"  --rundir DIR         run directory (sockets, RAM file, logs)\n"
"  --image FILE         hypervisor image (ELF with a PVH note)\n"
"  --qemu FILE          QEMU binary (default: qemu-system-x86_64 on PATH)\n"
"  --memory MIB         machine memory in MiB (default 1024)\n"
"  --cpus N             number of CPUs (default 1)\n"
"  --accel auto|tcg|kvm accelerator (default auto: KVM only where it works)\n"
"  --cmdline STRING     hypervisor command line\n"
"  --boot-timeout S     give up if the hypervisor is not up after S seconds\n"
"  --ready-fd FD        write \"ok\" or an error report to FD once booted\n"
"  --daemon             detach from the terminal; log to DIR/log/linkd.log\n"
"  -h, --help           show this help\n");
}

static int parse_args(int argc, char **argv)
{
    static const struct option opts[] = {
        {"rundir", required_argument, NULL, 'r'},
        {"image", required_argument, NULL, 'i'},
        {"qemu", required_argument, NULL, 'q'},
        {"memory", required_argument, NULL, 'm'},
        {"cpus", required_argument, NULL, 'c'},
        {"accel", required_argument, NULL, 'a'},
        {"cmdline", required_argument, NULL, 'k'},
        {"boot-timeout", required_argument, NULL, 't'},
        {"ready-fd", required_argument, NULL, 'f'},
        {"daemon", no_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;

    linkd.opt.memory = 1024ULL << 20;
    linkd.opt.cpus = 1;
    linkd.opt.accel = "auto";
    linkd.opt.cmdline = "";
    linkd.opt.qemu = "qemu-system-x86_64";
    linkd.opt.boot_timeout_s = 60;
    linkd.opt.ready_fd = -1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': linkd.opt.rundir = optarg; break;
        case 'i': linkd.opt.image = optarg; break;
        case 'q': linkd.opt.qemu = optarg; break;
        case 'm': linkd.opt.memory = strtoull(optarg, NULL, 0) << 20; break;
        case 'c': linkd.opt.cpus = (unsigned int)strtoul(optarg, NULL, 0); break;
        case 'a': linkd.opt.accel = optarg; break;
        case 'k': linkd.opt.cmdline = optarg; break;
        case 't': linkd.opt.boot_timeout_s = (unsigned int)strtoul(optarg, NULL, 0); break;
        case 'f': linkd.opt.ready_fd = atoi(optarg); break;
        case 'd': linkd.opt.daemonize = true; break;
        case 'h': usage(stdout); exit(0);
        default: usage(stderr); return -1;
        }
    }
    if (!linkd.opt.rundir || !linkd.opt.image || optind != argc) {
        usage(stderr);
        return -1;
    }
    if (linkd.opt.memory < (64ULL << 20) || !linkd.opt.cpus ||
        linkd.opt.cpus > 32 ||
        (strcmp(linkd.opt.accel, "auto") && strcmp(linkd.opt.accel, "tcg") &&
         strcmp(linkd.opt.accel, "kvm"))) {
        fprintf(stderr, "pvisor-linkd: bad --memory, --cpus or --accel\n");
        return -1;
    }
    return 0;
}

/* Takes the run directory's lock; fails if another daemon holds it. */
static int take_lock(void)
{
    char path[300], pid[32];
    int n;

    snprintf(path, sizeof(path), "%s/linkd.pid", linkd.opt.rundir);
    lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0)
        return -errno;
    if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0)
        return errno == EWOULDBLOCK ? -EEXIST : -errno;
    n = snprintf(pid, sizeof(pid), "%d\n", getpid());
    if (ftruncate(lock_fd, 0) < 0 || write(lock_fd, pid, (size_t)n) != n)
        return -errno;
    return 0;
}

static int daemonize(void)
{
    char path[300];
    int fd;
    pid_t pid = fork();

    if (pid < 0)
        return -errno;
    if (pid > 0)
        _exit(0); /* the parent's job (pvctl's child) ends here */
    setsid();
    snprintf(path, sizeof(path), "%s/log/linkd.log", linkd.opt.rundir);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        close(fd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    char path[300], msg[400];
    int rc;

    if (parse_args(argc, argv))
        return 2;
    /* The report pipe is ours alone: QEMU must not inherit it, or pvctl
     * would wait for its end-of-file for as long as QEMU runs. */
    if (linkd.opt.ready_fd >= 0)
        fcntl(linkd.opt.ready_fd, F_SETFD, FD_CLOEXEC);
    signal(SIGPIPE, SIG_IGN);
    snprintf(path, sizeof(path), "%s/log", linkd.opt.rundir);
    if ((mkdir(linkd.opt.rundir, 0700) && errno != EEXIST) ||
        (mkdir(path, 0700) && errno != EEXIST)) {
        snprintf(msg, sizeof(msg), "error: cannot create %s: %s\n", path,
                 strerror(errno));
        fputs(msg, stderr);
        linkd_report_ready(msg);
        return 1;
    }
    if (linkd.opt.daemonize && (rc = daemonize())) {
        snprintf(msg, sizeof(msg), "error: cannot daemonize: %s\n",
                 strerror(-rc));
        linkd_report_ready(msg);
        return 1;
    }
    rc = take_lock();
    if (rc) {
        snprintf(msg, sizeof(msg), "error: %s\n",
                 rc == -EEXIST ? "pvisor is already running in this run "
                                 "directory"
                               : strerror(-rc));
        linkd_log("%s", msg);
        linkd_report_ready(msg);
        return 1;
    }

    /* Our children (QEMU, the dom0 services) find the machine through it. */
    setenv("PVISOR_RUNDIR", linkd.opt.rundir, 1);
    linkd.loop = uv_default_loop();
    linkd.state = PVLINKD_STATE_BOOTING;
    linkd.ram_fd = -1;
    uv_signal_init(linkd.loop, &linkd.sigterm);
    uv_signal_start(&linkd.sigterm, on_signal, SIGTERM);
    uv_signal_init(linkd.loop, &linkd.sigint);
    uv_signal_start(&linkd.sigint, on_signal, SIGINT);
    uv_signal_init(linkd.loop, &linkd.sighup);
    uv_signal_start(&linkd.sighup, on_signal, SIGHUP);

    rc = clients_listen();
    if (!rc)
        rc = machine_start();
    if (rc) {
        snprintf(msg, sizeof(msg), "error: cannot start the machine: %s\n",
                 uv_strerror(rc));
        linkd_report_ready(msg);
        linkd_stop(1);
    }
    uv_run(linkd.loop, UV_RUN_DEFAULT);
    uv_loop_close(linkd.loop);
    if (lock_fd >= 0)
        close(lock_fd);
    return linkd.exit_code;
}
