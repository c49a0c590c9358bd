/* SPDX-License-Identifier: MIT */
/*
 * `pvctl up` and `pvctl down`: start and stop the machine.
 *
 * up checks what it can before starting anything (already running? QEMU
 * and the image present?), then starts pvisor-linkd, which daemonises and
 * reports on a pipe either "ok" once the hypervisor is ready or an error
 * report (with the tail of the hypervisor console if it panicked).  Only
 * then does up confirm with a real hypercall and print what it booted.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/version.h>

#include "pvctl.h"

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Finds an executable on PATH (or checks a given path); NULL if absent. */
static const char *find_program(const char *name, char *buf, size_t size)
{
    const char *path = getenv("PATH");

    if (strchr(name, '/')) {
        snprintf(buf, size, "%s", name);
        return access(buf, X_OK) == 0 ? buf : NULL;
    }
    if (!path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);

        snprintf(buf, size, "%.*s/%s", (int)len, path, name);
        if (len && access(buf, X_OK) == 0)
            return buf;
        path += len + (colon ? 1 : 0);
    }
    return NULL;
}

static int mkdir_p(const char *dir)
{
    char tmp[512];

    snprintf(tmp, sizeof(tmp), "%s", dir);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            if (mkdir(tmp, 0755) && errno != EEXIST)
                return -errno;
            *p = '/';
        }
    if (mkdir(tmp, 0700) && errno != EEXIST)
        return -errno;
    return 0;
}

/* Reads the daemon's report until it closes the pipe or time runs out. */
static int read_report(int fd, char *buf, size_t size, int timeout_ms)
{
    size_t len = 0;
    double deadline = now_ms() + timeout_ms;

    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int left = (int)(deadline - now_ms());
        ssize_t n;

        if (left <= 0)
            return -ETIMEDOUT;
        if (poll(&p, 1, left) < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
        if (len == size - 1)
            break;
    }
    buf[len] = '\0';
    return (int)len;
}

int cmd_up(int argc, char **argv)
{
    static const struct option opts[] = {
        {"memory", required_argument, NULL, 'm'},
        {"cpus", required_argument, NULL, 'c'},
        {"accel", required_argument, NULL, 'a'},
        {"cmdline", required_argument, NULL, 'k'},
        {"image", required_argument, NULL, 'i'},
        {"qemu", required_argument, NULL, 'q'},
        {"boot-timeout", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    const char *accel = "auto", *cmdline = "", *qemu_arg = "qemu-system-x86_64";
    char image[1024], daemon[1024], qemu[1024], dir[256], report[8192];
    char mem_arg[32], cpu_arg[32], fd_arg[32], timeout_arg[32], extra[16];
    int64_t memory = 1024LL << 20;
    long cpus = 1, boot_timeout = 60;
    int c, pipefd[2], rc, major, minor;
    struct pvcall_handle *h;
    struct pvctrl *xc;
    struct xen_sysctl_physinfo pi;
    double t0 = now_ms();
    pid_t pid;

    snprintf(image, sizeof(image), "%s/../boot/pvisor.elf", pvctl_bindir());
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm':
            memory = pvctl_parse_size(optarg);
            if (memory < (64LL << 20) || memory > (1LL << 40)) {
                pvctl_err("--memory %s: give a size from 64M to 1024G", optarg);
                return 2;
            }
            break;
        case 'c':
            cpus = strtol(optarg, NULL, 10);
            if (cpus < 1 || cpus > 32) {
                pvctl_err("--cpus %s: give a number from 1 to 32", optarg);
                return 2;
            }
            break;
        case 'a':
            accel = optarg;
            if (strcmp(accel, "auto") && strcmp(accel, "tcg") &&
                strcmp(accel, "kvm")) {
                pvctl_err("--accel %s: choose auto, tcg or kvm", optarg);
                return 2;
            }
            break;
        case 'k': cmdline = optarg; break;
        case 'i': snprintf(image, sizeof(image), "%s", optarg); break;
        case 'q': qemu_arg = optarg; break;
        case 't':
            boot_timeout = strtol(optarg, NULL, 10);
            if (boot_timeout < 1) {
                pvctl_err("--boot-timeout %s: give a number of seconds", optarg);
                return 2;
            }
            break;
        default:
            return pvctl_help("up", true);
        }
    }
    if (optind != argc)
        return pvctl_help("up", true);

    pvisor_rundir(dir, sizeof(dir));
    rc = pvcall_open(NULL, &h);
    if (rc == 0) {
        struct pvcall_status st;
        if (pvcall_status(h, &st) == 0)
            pvctl_err("pvisor is already up in %s (link daemon pid %d, QEMU "
                      "pid %d); `pvctl down` first", dir, st.daemon_pid,
                      st.qemu_pid);
        else
            pvctl_err("pvisor is already up in %s; `pvctl down` first", dir);
        pvcall_close(h);
        return 1;
    }
    if (!find_program(qemu_arg, qemu, sizeof(qemu))) {
        pvctl_err("QEMU not found (%s): install Debian's qemu-system-x86 "
                  "(`make deps` does)", qemu_arg);
        return 1;
    }
    if (access(image, R_OK)) {
        pvctl_err("hypervisor image %s: %s (build it with `make`)", image,
                  strerror(errno));
        return 1;
    }
    snprintf(daemon, sizeof(daemon), "%s/pvisor-linkd", pvctl_bindir());
    if (access(daemon, X_OK)) {
        pvctl_err("%s: %s", daemon, strerror(errno));
        return 1;
    }
    rc = mkdir_p(dir);
    if (rc) {
        pvctl_err("cannot create the run directory %s: %s", dir, strerror(-rc));
        return 1;
    }

    if (pipe2(pipefd, O_CLOEXEC)) {
        pvctl_err("pipe: %s", strerror(errno));
        return 1;
    }
    snprintf(mem_arg, sizeof(mem_arg), "%lld", (long long)(memory >> 20));
    snprintf(cpu_arg, sizeof(cpu_arg), "%ld", cpus);
    snprintf(fd_arg, sizeof(fd_arg), "%d", pipefd[1]);
    snprintf(timeout_arg, sizeof(timeout_arg), "%ld", boot_timeout);
    pid = fork();
    if (pid < 0) {
        pvctl_err("fork: %s", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        /* The report pipe must survive exec, and only that one fd. */
        fcntl(pipefd[1], F_SETFD, 0);
        execl(daemon, daemon, "--daemon", "--rundir", dir, "--image", image,
              "--qemu", qemu, "--memory", mem_arg, "--cpus", cpu_arg,
              "--accel", accel, "--cmdline", cmdline, "--boot-timeout",
              timeout_arg, "--ready-fd", fd_arg, (char *)NULL);
        dprintf(pipefd[1], "error: cannot run %s: %s\n", daemon,
                strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    rc = read_report(pipefd[0], report, sizeof(report),
                     (int)(boot_timeout + 15) * 1000);
    close(pipefd[0]);
    waitpid(pid, NULL, 0); /* the daemon's first half exits at once */
    if (rc == -ETIMEDOUT) {
        pvctl_err("the link daemon did not report within %ld s; see "
                  "%s/log/linkd.log", boot_timeout + 15, dir);
        return 1;
    }
    if (rc <= 0 || strncmp(report, "ok", 2)) {
        if (rc <= 0)
            pvctl_err("the link daemon exited without a report; see "
                      "%s/log/linkd.log", dir);
        else
            fprintf(stderr, "pvctl: %s%s", strncmp(report, "error: ", 7)
                                              ? report : report + 7,
                    report[strlen(report) - 1] == '\n' ? "" : "\n");
        return 1;
    }

    /* Confirm with real hypercalls. */
    rc = pvctrl_open(NULL, &xc);
    if (!rc)
        rc = pvctrl_version(xc, &major, &minor);
    if (!rc)
        rc = pvctrl_version_string(xc, XENVER_extraversion, extra, sizeof(extra));
    if (!rc)
        rc = pvctrl_physinfo(xc, &pi);
    if (rc) {
        pvctl_err_connect(rc);
        return 1;
    }
    {
        struct pvcall_status st;
        pvcall_status(pvctrl_call_handle(xc), &st);
        printf("pvisor is up: Xen %d.%d%s ABI, %u CPUs, %llu MiB, %s, in "
               "%.0f ms (run directory %s)\n",
               major, minor, extra, pi.nr_cpus,
               (unsigned long long)((pi.total_pages + 128) >> 8), st.accel,
               now_ms() - t0, dir);
    }
    pvctrl_close(xc);
    return 0;
}

int cmd_down(int argc, char **argv)
{
    struct pvcall_handle *h;
    int rc;

    (void)argv;
    if (argc != 1)
        return pvctl_help("down", true);
    rc = pvcall_open(NULL, &h);
    if (rc) {
        pvctl_err_connect(rc);
        return 1;
    }
    rc = pvcall_shutdown_machine(h);
    pvcall_close(h);
    if (rc) {
        pvctl_err("shutdown failed: %s", strerror(-rc));
        return 1;
    }
    printf("pvisor is down\n");
    return 0;
}
