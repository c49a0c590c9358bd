// SPDX-License-Identifier: MIT
/*
 * xenstore-lite benchmark: operations per second for READ, WRITE and a
 * transaction of ten writes, and watch-fire latency (a write on one
 * connection until the event arrives on another), with 1 and 50
 * clients.  Each figure is measured against the daemon over its Unix
 * socket (one thread and one libxsl handle per client) and against a
 * plain in-process baseline: the same requests fed straight into the
 * engine (xs_conn_feed, replies taken from the queue) with no socket,
 * system call or event loop - the cost floor of the engine itself.
 *
 * Debian's own xenstored would be the natural comparison, but it needs
 * a hypervisor: it opens /dev/xen/privcmd at start-up and exits.  If a
 * binary is found ($XS_BENCH_XENSTORED, or /usr/lib/xen-x.y/bin/), the
 * benchmark runs it once and prints why it could not be used.
 *
 * Starts its own daemon ($PVISOR_BIN/xenstore-lite, the optimised
 * build) on a private socket.  XS_BENCH_SECONDS sets the time per
 * figure (default 2).  Never asserts a time; prints figures and ratios.
 */
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "xs_core.h"
#include "xsl.h"

enum bench_op { OP_READ, OP_WRITE, OP_TXN10, OP_WATCH };
static const char *op_name[] = {"read", "write", "txn of 10 writes",
                                "watch fire"};

static double secs = 2;
static char sock[128];

static double now_s(void)
{
    struct timespec t;

    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

struct worker {
    pthread_t th;
    int id;
    enum bench_op op;
    volatile int *go;
    unsigned long ops, retries, errors;
    double *lat; /* watch latencies, seconds */
    unsigned long nlat, lat_cap;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct xsl_handle *h, *wh = NULL;
    char path[64], *v, *p, *t;
    uint32_t tx;
    double t0, end;
    int i, err = 0;

    if (xsl_open(sock, &h))
        return NULL;
    if (w->op == OP_WATCH) {
        if (xsl_open(sock, &wh))
            return NULL;
        snprintf(path, sizeof(path), "/bench/lat/%d", w->id);
        xsl_watch(wh, path, "lat");
        xsl_read_watch(wh, true, &p, &t); /* the initial event */
        free(p);
    }
    while (!*w->go)
        ;
    end = now_s() + secs;
    while (now_s() < end) {
        switch (w->op) {
        case OP_READ:
            snprintf(path, sizeof(path), "/bench/r/%d", w->id);
            err = xsl_read(h, 0, path, &v, NULL);
            if (!err)
                free(v);
            break;
        case OP_WRITE:
            snprintf(path, sizeof(path), "/bench/w/%d", w->id);
            err = xsl_write(h, 0, path, "value-of-some-length", 20);
            break;
        case OP_TXN10:
            do {
                err = xsl_transaction_start(h, &tx);
                for (i = 0; !err && i < 10; i++) {
                    snprintf(path, sizeof(path), "/bench/t/%d/%d", w->id, i);
                    err = xsl_write(h, tx, path, "txn-value", 9);
                }
                if (!err)
                    err = xsl_transaction_end(h, tx, true);
                w->retries += err == -EAGAIN;
            } while (err == -EAGAIN);
            break;
        case OP_WATCH:
            t0 = now_s();
            err = xsl_write(h, 0, path, "x", 1);
            if (!err)
                err = xsl_read_watch(wh, true, &p, &t);
            if (!err) {
                free(p);
                if (w->nlat == w->lat_cap) {
                    w->lat_cap = w->lat_cap ? 2 * w->lat_cap : 4096;
                    w->lat = realloc(w->lat, w->lat_cap * sizeof(double));
                }
                w->lat[w->nlat++] = now_s() - t0;
            }
            break;
        }
        if (err)
            w->errors++;
        else
            w->ops++;
    }
    xsl_close(h);
    xsl_close(wh);
    return NULL;
}

struct result {
    double ops_s;
    double p50_us, p99_us;
    unsigned long retries, errors;
};

static void run_daemon_bench(enum bench_op op, int n, struct result *r)
{
    struct worker *w = calloc(n, sizeof(*w));
    volatile int go = 0;
    double *all;
    unsigned long total = 0, nl = 0, k;
    int i;

    for (i = 0; i < n; i++) {
        w[i].id = i;
        w[i].op = op;
        w[i].go = &go;
        pthread_create(&w[i].th, NULL, worker_main, &w[i]);
    }
    usleep(200000); /* let every client connect */
    go = 1;
    memset(r, 0, sizeof(*r));
    for (i = 0; i < n; i++) {
        pthread_join(w[i].th, NULL);
        total += w[i].ops;
        nl += w[i].nlat;
        r->retries += w[i].retries;
        r->errors += w[i].errors;
    }
    r->ops_s = total / secs;
    if (nl) {
        all = malloc(nl * sizeof(double));
        for (i = 0, k = 0; i < n; i++) {
            memcpy(all + k, w[i].lat, w[i].nlat * sizeof(double));
            k += w[i].nlat;
        }
        qsort(all, nl, sizeof(double), cmp_double);
        r->p50_us = all[nl / 2] * 1e6;
        r->p99_us = all[nl * 99 / 100] * 1e6;
        free(all);
    }
    for (i = 0; i < n; i++)
        free(w[i].lat);
    free(w);
}

/* ------------------------------------------------------------ in-process */

static struct xsd X;

static void ip_drain(struct xs_conn *c, bool *event)
{
    const void *p;
    size_t n;

    while ((n = xs_conn_out_peek(c, &p)) != 0) {
        if (event && ((const struct xsd_sockmsg *)p)->type == XS_WATCH_EVENT)
            *event = true;
        xs_conn_out_advance(c, n);
    }
}

static void ip_req(struct xs_conn *c, uint32_t type, uint32_t tx, const char *a,
                   size_t la, const char *b, size_t lb)
{
    char buf[256];
    struct xsd_sockmsg h = {type, 1, tx, la + lb};

    memcpy(buf, &h, sizeof(h));
    memcpy(buf + sizeof(h), a, la);
    memcpy(buf + sizeof(h) + la, b, lb);
    xs_conn_feed(c, buf, sizeof(h) + la + lb);
}

static void run_inprocess_bench(enum bench_op op, int n, struct result *r)
{
    struct xs_conn **c = calloc(n, sizeof(*c)), **wc = calloc(n, sizeof(*wc));
    char path[64], reply[64];
    unsigned long ops = 0;
    double end, t0, *lat = NULL;
    unsigned long nlat = 0, cap = 0;
    const void *p;
    bool ev;
    int i, k;

    xsd_init(&X);
    memset(r, 0, sizeof(*r));
    for (i = 0; i < n; i++) {
        c[i] = xs_conn_new(&X, XS_CONN_TEST, 0, true);
        wc[i] = xs_conn_new(&X, XS_CONN_TEST, 0, true);
        snprintf(path, sizeof(path), "/bench/r/%d", i);
        ip_req(c[i], XS_WRITE, 0, path, strlen(path) + 1, "v", 1);
        for (k = 0; k < 10; k++) {
            snprintf(path, sizeof(path), "/bench/t/%d/%d", i, k);
            ip_req(c[i], XS_WRITE, 0, path, strlen(path) + 1, "v", 1);
        }
        snprintf(path, sizeof(path), "/bench/lat/%d", i);
        ip_req(wc[i], XS_WATCH, 0, path, strlen(path) + 1, "lat", 4);
        ip_drain(c[i], NULL);
        ip_drain(wc[i], NULL);
    }
    end = now_s() + secs;
    for (i = 0; now_s() < end; i = (i + 1) % n) {
        switch (op) {
        case OP_READ:
            snprintf(path, sizeof(path), "/bench/r/%d", i);
            ip_req(c[i], XS_READ, 0, path, strlen(path) + 1, "", 0);
            break;
        case OP_WRITE:
            snprintf(path, sizeof(path), "/bench/w/%d", i);
            ip_req(c[i], XS_WRITE, 0, path, strlen(path) + 1,
                   "value-of-some-length", 20);
            break;
        case OP_TXN10:
            ip_req(c[i], XS_TRANSACTION_START, 0, "", 1, "", 0);
            xs_conn_out_peek(c[i], &p);
            snprintf(reply, sizeof(reply), "%s",
                     (const char *)p + sizeof(struct xsd_sockmsg));
            xs_conn_out_advance(c[i], ~(size_t)0 >> 1);
            for (k = 0; k < 10; k++) {
                snprintf(path, sizeof(path), "/bench/t/%d/%d", i, k);
                ip_req(c[i], XS_WRITE, atoi(reply), path, strlen(path) + 1,
                       "txn-value", 9);
            }
            ip_req(c[i], XS_TRANSACTION_END, atoi(reply), "T", 2, "", 0);
            break;
        case OP_WATCH:
            t0 = now_s();
            snprintf(path, sizeof(path), "/bench/lat/%d", i);
            ip_req(c[i], XS_WRITE, 0, path, strlen(path) + 1, "x", 1);
            ev = false;
            ip_drain(wc[i], &ev);
            if (ev) {
                if (nlat == cap) {
                    cap = cap ? 2 * cap : 4096;
                    lat = realloc(lat, cap * sizeof(double));
                }
                lat[nlat++] = now_s() - t0;
            }
            break;
        }
        ip_drain(c[i], NULL);
        ops++;
    }
    r->ops_s = ops / secs;
    if (nlat) {
        qsort(lat, nlat, sizeof(double), cmp_double);
        r->p50_us = lat[nlat / 2] * 1e6;
        r->p99_us = lat[nlat * 99 / 100] * 1e6;
    }
    free(lat);
    free(c);
    free(wc);
    xsd_destroy(&X);
}

/* ------------------------------------------------------------ main */

static void try_debian_xenstored(void)
{
    const char *bin = getenv("XS_BENCH_XENSTORED");
    char cmd[512], line[256];
    glob_t g = {0};
    FILE *f;

    if (!bin && glob("/usr/lib/xen-*/bin/xenstored", 0, NULL, &g) == 0)
        bin = g.gl_pathv[0];
    if (!bin) {
        printf("Debian xenstored: not installed (package xen-utils-4.x); it "
               "cannot run here anyway: it opens /dev/xen/privcmd at "
               "start-up and exits without a hypervisor.  Baseline: the "
               "engine in-process.\n");
        return;
    }
    snprintf(cmd, sizeof(cmd),
             "timeout 5 %s --no-fork --pid-file /tmp/xs-bench-debian.pid "
             "2>&1 | tail -n 1",
             bin);
    f = popen(cmd, "r");
    if (f && fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = '\0';
        printf("Debian xenstored (%s) cannot run without a hypervisor: "
               "\"%s\".  Baseline: the engine in-process.\n",
               bin, line);
    }
    if (f)
        pclose(f);
    globfree(&g);
}

static pid_t start_daemon(char *dir)
{
    const char *bin_dir = getenv("PVISOR_BIN");
    char bin[512];
    pid_t pid;
    int i;

    snprintf(bin, sizeof(bin), "%s/xenstore-lite",
             bin_dir ? bin_dir : "build/bin");
    snprintf(sock, sizeof(sock), "%s/socket", dir);
    pid = fork();
    if (pid == 0) {
        execl(bin, bin, "--foreground", "-s", sock, "-T", "/dev/null",
              (char *)NULL);
        _exit(127);
    }
    for (i = 0; i < 200 && access(sock, F_OK); i++)
        usleep(10000);
    printf("daemon: %s (pid %d)\n", bin, (int)pid);
    return pid;
}

static void prepare(int n)
{
    struct xsl_handle *h;
    char path[64];
    int i, k;

    if (xsl_open(sock, &h)) {
        fprintf(stderr, "cannot reach the daemon\n");
        exit(1);
    }
    for (i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/bench/r/%d", i);
        xsl_write(h, 0, path, "some-value", 10);
        for (k = 0; k < 10; k++) {
            snprintf(path, sizeof(path), "/bench/t/%d/%d", i, k);
            xsl_write(h, 0, path, "v", 1);
        }
    }
    xsl_close(h);
}

int main(void)
{
    static const int clients[] = {1, 50};
    char dir[] = "/tmp/xs-bench.XXXXXX";
    struct result d, ip;
    const char *env = getenv("XS_BENCH_SECONDS");
    pid_t pid;
    int op, ci, status;

    if (env && atof(env) > 0)
        secs = atof(env);
    if (!mkdtemp(dir))
        return 1;
    try_debian_xenstored();
    pid = start_daemon(dir);
    prepare(50);
    printf("%.1f s per figure; ops/s over the socket (one thread and "
           "connection per client) vs the engine in-process\n\n",
           secs);
    printf("%-17s %7s %14s %16s %8s %s\n", "operation", "clients",
           "daemon ops/s", "in-process ops/s", "ratio", "notes");
    for (op = OP_READ; op <= OP_WATCH; op++) {
        for (ci = 0; ci < 2; ci++) {
            run_daemon_bench(op, clients[ci], &d);
            run_inprocess_bench(op, clients[ci], &ip);
            printf("%-17s %7d %14.0f %16.0f %7.1f%%", op_name[op], clients[ci],
                   d.ops_s, ip.ops_s, 100 * d.ops_s / ip.ops_s);
            if (op == OP_WATCH)
                printf(" latency p50 %.0f us p99 %.0f us (in-process p50 "
                       "%.1f us)",
                       d.p50_us, d.p99_us, ip.p50_us);
            if (d.retries)
                printf(" %lu EAGAIN retries", d.retries);
            if (d.errors)
                printf(" %lu ERRORS", d.errors);
            printf("\n");
            fflush(stdout);
        }
    }
    kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    rmdir(dir);
    return 0;
}
