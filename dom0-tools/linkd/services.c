/* SPDX-License-Identifier: MIT */
/*
 * The dom0 services the link daemon starts once the hypervisor is up and
 * stops before the machine goes down, as xencommons does for Xen:
 *
 *   xenstore-lite    the registry, on $RUNDIR/xenstored/socket
 *   pvisor-consoled  per-domain console logs in $RUNDIR/console/
 *   pvisor-blkback   the virtual block devices' backend (vbd)
 *   pvisor-netback   the network backend: every domain's vifs, one switch
 *
 * They run in the foreground as our children, logging to $RUNDIR/log/.
 * `pvctl up` is told the machine is ready only once xenstore answers.  A
 * service that dies is logged and restarted (at most a few times a
 * minute), so a crash there never takes the machine down.  When the
 * daemon stops, each service gets SIGTERM and up to SERVICE_GRACE_MS to
 * exit (a sanitizer build prints its leak report then) before SIGKILL.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "linkd.h"

#define MAX_RESTARTS 5 /* within RESTART_WINDOW_S */
#define RESTART_WINDOW_S 60
#define SERVICE_GRACE_MS 10000 /* from SIGTERM to SIGKILL when we stop */

struct service {
    const char *name;     /* the binary, next to ours */
    const char *log;      /* in $RUNDIR/log */
    uv_process_t proc;
    bool running;
    bool stopping;
    unsigned int restarts;
    time_t window_start;
};

static struct service services[] = {
    {.name = "xenstore-lite", .log = "xenstored.log"},
    {.name = "pvisor-consoled", .log = "consoled.log"},
    {.name = "pvisor-blkback", .log = "blkback.log"},
    {.name = "pvisor-netback", .log = "netback.log"},
};
#define NR_SERVICES (sizeof(services) / sizeof(services[0]))

static uv_timer_t grace_timer; /* services_finish(): SIGKILL stragglers */
static bool grace_armed;

static int start_service(struct service *s);
static void service_exit(uv_process_t *p, int64_t status, int signo);

/* The process handle is closed: now it may be reused for a restart. */
static void service_closed(uv_handle_t *h)
{
    struct service *s = h->data;
    time_t now = time(NULL);

    if (s->stopping)
        return;
    if (now - s->window_start > RESTART_WINDOW_S) {
        s->window_start = now;
        s->restarts = 0;
    }
    if (++s->restarts > MAX_RESTARTS) {
        linkd_log("%s keeps failing; not restarting it", s->name);
        return;
    }
    start_service(s);
}

static void service_exit(uv_process_t *p, int64_t status, int signo)
{
    struct service *s = p->data;

    s->running = false;
    if (!s->stopping || status || signo)
        linkd_log("%s exited (status %lld, signal %d)", s->name,
                  (long long)status, signo);
    uv_close((uv_handle_t *)p, service_closed);
    if (grace_armed && !services_running()) {
        grace_armed = false;
        uv_close((uv_handle_t *)&grace_timer, NULL);
    }
}

static int start_service(struct service *s)
{
    char exe[PATH_MAX], path[PATH_MAX], logpath[PATH_MAX], sock[PATH_MAX];
    const char *argv[8];
    unsigned int n = 0;
    uv_process_options_t po;
    uv_stdio_container_t stdio[3];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    int logfd, rc;

    if (len <= 0)
        return -errno;
    exe[len] = '\0';
    snprintf(path, sizeof(path), "%s/%s", dirname(exe), s->name);
    snprintf(logpath, sizeof(logpath), "%s/log/%s", linkd.opt.rundir, s->log);
    snprintf(sock, sizeof(sock), "%s/xenstored/socket", linkd.opt.rundir);

    argv[n++] = path;
    if (!strcmp(s->name, "xenstore-lite")) {
        argv[n++] = "--socket";
        argv[n++] = sock;
        argv[n++] = "--pvisor"; /* guests' rings, through this daemon */
        argv[n++] = linkd.opt.rundir;
    }
    argv[n] = NULL;

    logfd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    memset(&po, 0, sizeof(po));
    stdio[0].flags = UV_IGNORE;
    stdio[1].flags = UV_INHERIT_FD;
    stdio[1].data.fd = logfd >= 0 ? logfd : STDERR_FILENO;
    stdio[2] = stdio[1];
    po.file = path;
    po.args = (char **)argv;
    po.env = NULL; /* ours, which names the run directory */
    po.exit_cb = service_exit;
    po.stdio = stdio;
    po.stdio_count = 3;
    s->proc.data = s;
    rc = uv_spawn(linkd.loop, &s->proc, &po);
    if (logfd >= 0)
        close(logfd);
    if (rc) {
        linkd_log("cannot start %s: %s", path, uv_strerror(rc));
        return rc;
    }
    s->running = true;
    s->stopping = false;
    linkd_log("started %s (pid %d)", s->name, s->proc.pid);
    return 0;
}

/* Whether xenstore-lite accepts connections yet. */
static bool xenstore_answers(void)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool ok;

    snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/xenstored/socket",
             linkd.opt.rundir);
    ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
    if (fd >= 0)
        close(fd);
    return ok;
}

int services_start(void)
{
    char dir[PATH_MAX];

    snprintf(dir, sizeof(dir), "%s/xenstored", linkd.opt.rundir);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/console", linkd.opt.rundir);
    mkdir(dir, 0700);
    for (unsigned int i = 0; i < NR_SERVICES; i++) {
        int rc;

        services[i].window_start = time(NULL);
        rc = start_service(&services[i]);
        if (rc)
            return rc;
        if (i == 0) {
            /* Everything else needs the registry: wait for it (5 s). */
            for (int t = 0; t < 500 && !xenstore_answers(); t++)
                usleep(10000);
            if (!xenstore_answers()) {
                linkd_log("xenstore-lite did not start listening");
                return -ETIMEDOUT;
            }
        }
    }
    return 0;
}

void services_stop(void)
{
    for (unsigned int i = NR_SERVICES; i-- > 0;)
        if (services[i].running) {
            services[i].stopping = true;
            uv_process_kill(&services[i].proc, SIGTERM);
        }
}

bool services_running(void)
{
    for (unsigned int i = 0; i < NR_SERVICES; i++)
        if (services[i].running)
            return true;
    return false;
}

void services_kill(void)
{
    for (unsigned int i = 0; i < NR_SERVICES; i++)
        if (services[i].running) {
            services[i].stopping = true;
            linkd_log("%s did not stop; killing it", services[i].name);
            uv_process_kill(&services[i].proc, SIGKILL);
        }
}

static void grace_over(uv_timer_t *t)
{
    (void)t;
    grace_armed = false;
    uv_close((uv_handle_t *)&grace_timer, NULL);
    services_kill();
}

/* The daemon is stopping: every service gets SIGTERM (if it has not yet)
 * and SERVICE_GRACE_MS to exit, then SIGKILL.  The loop runs on until they
 * are gone, so the daemon exits only after its services. */
void services_finish(void)
{
    for (unsigned int i = 0; i < NR_SERVICES; i++)
        if (services[i].running && !services[i].stopping) {
            services[i].stopping = true;
            uv_process_kill(&services[i].proc, SIGTERM);
        }
    if (!services_running() || grace_armed)
        return;
    uv_timer_init(linkd.loop, &grace_timer);
    uv_timer_start(&grace_timer, grace_over, SERVICE_GRACE_MS, 0);
    grace_armed = true;
}
