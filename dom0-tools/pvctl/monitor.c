/* SPDX-License-Identifier: MIT */
/*
 * The per-domain monitor: the process `pvctl create` leaves behind, as
 * `xl create` does, to carry out what the configuration says when the
 * domain shuts down (on_poweroff, on_reboot, on_crash: destroy, preserve
 * or restart).  It reports the exit reason and what it did about it in
 * $PVISOR_RUNDIR/log/domains.log, and cleans up xenstore.  (The domain's
 * console log gets its own "--- domain ... shut down ---" line from
 * pvisor-consoled, which alone writes that file and so keeps it in order.)
 *
 * It learns of shutdowns as xl does, from xenstore's @releaseDomain watch
 * (xenstore-lite fires it on VIRQ_DOM_EXC), then asks the hypervisor; if
 * xenstore cannot be reached it polls the domain's info every 50 ms, and
 * even with the watch it looks once a second, so a restarted xenstore
 * daemon never leaves it waiting.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <xen/sched.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

#define POLL_US 50000
#define WATCH_TIMEOUT_MS 1000

static const char *reason_name(unsigned int r)
{
    switch (r) {
    case SHUTDOWN_poweroff: return "poweroff";
    case SHUTDOWN_reboot: return "reboot";
    case SHUTDOWN_suspend: return "suspend";
    case SHUTDOWN_crash: return "crash";
    case SHUTDOWN_watchdog: return "watchdog";
    case SHUTDOWN_soft_reset: return "soft_reset";
    default: return "unknown";
    }
}

/* Appends a line to log/domains.log. */
static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void report(const char *fmt, ...)
{
    char dir[256], path[512], msg[512], stamp[32];
    time_t now = time(NULL);
    struct tm tm;
    va_list ap;
    FILE *f;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    localtime_r(&now, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    pvisor_rundir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/log/domains.log", dir);
    if ((f = fopen(path, "a"))) {
        fprintf(f, "%s %s\n", stamp, msg);
        fclose(f);
    }
}

/* Waits for @releaseDomain (or the fallback timeout); polls without xs. */
static void wait_for_news(struct xsl_handle *xs)
{
    struct pollfd p;
    char *path, *token;
    bool any = false;

    if (!xs) {
        usleep(POLL_US);
        return;
    }
    while (xsl_read_watch(xs, false, &path, &token) == 0) {
        free(path);
        any = true;
    }
    if (any)
        return;
    p.fd = xsl_watch_fd(xs);
    p.events = POLLIN;
    if (poll(&p, 1, WATCH_TIMEOUT_MS) > 0)
        while (xsl_read_watch(xs, false, &path, &token) == 0)
            free(path);
}

int monitor_run(uint32_t domid, const char *config_path, char *const *extras,
                int n_extras)
{
    struct domain_config cfg;
    struct xsl_handle *watch;
    struct pvctrl *xc;

    if (config_parse(config_path, extras, n_extras, &cfg))
        return 1;
    if (pvctrl_open(NULL, &xc))
        return 1;
    watch = pvctl_xs_open();
    if (watch && xsl_watch(watch, "@releaseDomain", "monitor")) {
        xsl_close(watch);
        watch = NULL;
    }
    for (;;) {
        struct xen_domctl_getdomaininfo info;
        unsigned int reason;
        enum domain_action act;
        struct xsl_handle *xs;
        int rc = pvctrl_domain_getinfo(xc, domid, &info);

        if (rc == -EPIPE || rc == -ECONNREFUSED)
            break; /* the machine is gone */
        if (rc || info.domain != domid) {
            report("domain %s (%u) was destroyed", cfg.name, domid);
            break;
        }
        if (!(info.flags & XEN_DOMINF_shutdown)) {
            wait_for_news(watch);
            continue;
        }
        reason = (info.flags >> XEN_DOMINF_shutdownshift) &
                 XEN_DOMINF_shutdownmask;
        act = reason == SHUTDOWN_poweroff ? cfg.on_poweroff
              : reason == SHUTDOWN_reboot ? cfg.on_reboot
                                          : cfg.on_crash;
        report("domain %s (%u) shut down: %s; %s", cfg.name, domid,
               reason_name(reason),
               act == ACTION_PRESERVE ? "preserving it"
               : act == ACTION_RESTART ? "restarting it"
                                       : "destroying it");
        if (act == ACTION_PRESERVE)
            break;
        xs = pvctl_xs_open();
        if (xs && act == ACTION_RESTART)
            vif_keep_macs(xs, domid, &cfg); /* before the nodes go */
        rc = pvctrl_domain_destroy(xc, domid);
        if (xs) {
            domain_xs_remove(xs, domid);
            xsl_close(xs);
        }
        if (act != ACTION_RESTART)
            break;
        if (rc) {
            /* Someone destroyed it first (pvctl destroy): that wins. */
            report("domain %s (%u) was destroyed; not restarting it",
                   cfg.name, domid);
            break;
        }
        rc = domain_create_from(xc, config_path, &cfg, false);
        if (rc < 0) {
            report("domain %s could not be restarted", cfg.name);
            break;
        }
        domid = (uint32_t)rc;
        report("domain %s restarted as %u", cfg.name, domid);
    }
    if (watch)
        xsl_close(watch);
    pvctrl_close(xc);
    return 0;
}

int monitor_spawn(uint32_t domid, const char *config_path,
                  char *const *extras, int n_extras)
{
    char exe[1024], id[16], dir[256], logpath[512], abs[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    char **argv;
    pid_t pid;

    if (n <= 0 || !realpath(config_path, abs))
        return -1;
    exe[n] = '\0';
    snprintf(id, sizeof(id), "%u", domid);
    pvisor_rundir(dir, sizeof(dir));
    snprintf(logpath, sizeof(logpath), "%s/log/monitor.log", dir);
    argv = calloc((size_t)n_extras + 5, sizeof(*argv));
    if (!argv)
        return -1;
    argv[0] = exe;
    argv[1] = (char *)"__monitor";
    argv[2] = id;
    argv[3] = abs;
    for (int i = 0; i < n_extras; i++)
        argv[4 + i] = extras[i];
    pid = fork();
    if (pid < 0) {
        free(argv);
        return -1;
    }
    if (pid == 0) {
        int fd;

        /* Detach completely: a new session, no terminal, logs aside. */
        if (fork() != 0)
            _exit(0);
        setsid();
        fd = open("/dev/null", O_RDONLY);
        if (fd >= 0)
            dup2(fd, STDIN_FILENO);
        fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            dup2(fd, STDOUT_FILENO);
            dup2(fd, STDERR_FILENO);
        }
        execv(exe, argv);
        _exit(127);
    }
    free(argv);
    return waitpid(pid, NULL, 0) == pid ? 0 : -1;
}

/* pvctl __monitor DOMID CONFIG [KEY=VALUE...] (spawned by create). */
int cmd_monitor(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    return monitor_run((uint32_t)strtoul(argv[1], NULL, 10), argv[2],
                       argv + 3, argc - 3);
}
