/* SPDX-License-Identifier: MIT */
/*
 * `pvctl trace record` and `pvctl trace live`: switching the hypervisor's
 * tracing on for some classes of events and one domain (or all), and
 * draining every CPU's buffer every 10 ms -- into a file, or into a
 * top-like view of hypercall rates.  Reading never stops a guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"
#include "trace_file.h"
#include "xsl.h"

#define DRAIN_US 10000
#define BATCH 1024

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static const struct {
    const char *name;
    uint32_t bit;
} class_names[] = {
    {"hcall", PVTRACE_CLASS_HCALL}, {"evtchn", PVTRACE_CLASS_EVTCHN},
    {"trap", PVTRACE_CLASS_TRAP},   {"ptwr", PVTRACE_CLASS_PTWR},
    {"sched", PVTRACE_CLASS_SCHED}, {"domain", PVTRACE_CLASS_DOMAIN},
    {"all", PVTRACE_CLASS_ALL},
};

/* "hcall,evtchn" -> mask; 0 and a message if a name is unknown. */
static uint32_t parse_classes(const char *s)
{
    char buf[256], *tok, *save;
    uint32_t mask = 0;

    snprintf(buf, sizeof(buf), "%s", s);
    for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        size_t i;

        for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
            if (!strcmp(tok, class_names[i].name))
                break;
        if (i == sizeof(class_names) / sizeof(class_names[0])) {
            pvctl_err("unknown event class '%s' (hcall, evtchn, trap, ptwr, "
                      "sched, domain, all)", tok);
            return 0;
        }
        mask |= class_names[i].bit;
    }
    return mask;
}

static int64_t unix_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * Domain names, written once per domain as soon as xenstore knows them.
 * A domain seen before its name is written (its first records come from
 * its creation) is asked about again at the next drain.
 */
struct namer {
    struct xsl_handle *xs;
    uint8_t named[0x10000 / 8];
    uint8_t pending[0x10000 / 8]; /* seen, not named yet */
};

static bool bit(const uint8_t *map, unsigned int i)
{
    return map[i / 8] & (1 << (i % 8));
}

static void set_bit(uint8_t *map, unsigned int i, bool on)
{
    if (on)
        map[i / 8] |= (uint8_t)(1 << (i % 8));
    else
        map[i / 8] &= (uint8_t)~(1 << (i % 8));
}

static void try_name(struct namer *n, FILE *out, uint64_t *nrec,
                     unsigned int domid)
{
    struct pvtrace_record r = {.event = PVTRF_EV_NAME, .domid = (uint16_t)domid};
    char *name;

    if (domid >= 0x7ff0 || bit(n->named, domid))
        return;
    if (domid == 0)
        name = strdup("Domain-0");
    else
        name = n->xs ? domain_name(n->xs, domid) : NULL;
    if (!name) {
        set_bit(n->pending, domid, true);
        return;
    }
    set_bit(n->named, domid, true);
    set_bit(n->pending, domid, false);
    snprintf((char *)r.data, sizeof(r.data), "%s", name);
    free(name);
    if (fwrite(&r, sizeof(r), 1, out) == 1)
        (*nrec)++;
}

static void retry_names(struct namer *n, FILE *out, uint64_t *nrec)
{
    for (unsigned int d = 1; d < 0x7ff0; d++)
        if (n->pending[d / 8] && bit(n->pending, d))
            try_name(n, out, nrec, d);
}

static void maybe_name(struct namer *n, FILE *out, uint64_t *nrec,
                       unsigned int domid)
{
    if (domid < 0x7ff0 && !bit(n->named, domid) && !bit(n->pending, domid))
        try_name(n, out, nrec, domid);
}

/* Moves what each CPU's buffer holds into out; returns records moved. */
static long drain(struct pvtrace_reader *rd, FILE *out, struct namer *n,
                  uint64_t *nrec, uint64_t *lost)
{
    static struct pvtrace_record buf[BATCH];
    long total = 0;

    *lost = 0;
    retry_names(n, out, nrec);
    for (unsigned int c = 0; c < pvtrace_nr_cpus(rd); c++) {
        long got;
        uint64_t l = 0;

        do {
            got = pvtrace_read(rd, c, buf, BATCH, &l);
            if (got < 0)
                return got;
            for (long i = 0; i < got; i++) {
                maybe_name(n, out, nrec, buf[i].domid);
                if (buf[i].event == PVTRACE_EV_SCHED_SWITCH)
                    maybe_name(n, out, nrec, (unsigned int)buf[i].data[0]);
            }
            if (got && fwrite(buf, sizeof(buf[0]), (size_t)got, out) !=
                           (size_t)got)
                return -EIO;
            *nrec += (uint64_t)got;
            total += got;
        } while (got == BATCH);
        *lost += l;
    }
    return total;
}

static pid_t spawn(char **argv)
{
    pid_t pid = fork();

    if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "pvctl trace: cannot run %s: %s\n", argv[0],
                strerror(errno));
        _exit(127);
    }
    return pid;
}

int cmd_trace_record(int argc, char **argv)
{
    static const struct option opts[] = {
        {"domain", required_argument, NULL, 'd'},
        {"events", required_argument, NULL, 'e'},
        {"output", required_argument, NULL, 'o'},
        {"duration", required_argument, NULL, 't'},
        {"force", no_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *path = "pvisor.trace";
    uint32_t classes = PVTRACE_CLASS_ALL, domid = PVTRACE_ALL_DOMAINS, cur, curd;
    double duration = 0;
    bool force = false;
    struct pvtrf_header h = {.magic = PVTRF_MAGIC};
    struct xen_sysctl_physinfo pi;
    struct pvtrace_reader *rd = NULL;
    struct namer names = {0};
    struct pvctrl *xc;
    FILE *out;
    pid_t child = -1;
    int opt, rc, status = 0, child_status = 0;
    uint64_t nrec = 0, lost = 0;
    struct timespec start;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "+d:e:o:t:fh", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            if (!strcmp(optarg, "all")) {
                domid = PVTRACE_ALL_DOMAINS;
            } else {
                xc = pvctl_open_or_die();
                rc = domain_lookup(xc, optarg);
                pvctrl_close(xc);
                if (rc < 0)
                    return 1;
                domid = (uint32_t)rc;
            }
            break;
        case 'e':
            if (!(classes = parse_classes(optarg)))
                return 2;
            break;
        case 'o':
            path = optarg;
            break;
        case 't':
            duration = strtod(optarg, NULL);
            if (duration <= 0) {
                pvctl_err("--duration wants a positive number of seconds");
                return 2;
            }
            break;
        case 'f':
            force = true;
            break;
        case 'h':
            return pvctl_help("trace", false);
        default:
            return pvctl_help("trace", true);
        }
    }
    if (optind < argc && !strcmp(argv[optind], "--"))
        optind++;
    xc = pvctl_open_or_die();
    if ((rc = pvtrace_get(xc, &cur, &curd)) || (rc = pvctrl_physinfo(xc, &pi))) {
        pvctl_err("cannot reach the hypervisor's tracing: %s", strerror(-rc));
        pvctrl_close(xc);
        return 1;
    }
    if (cur && !force) {
        pvctl_err("tracing is already on (another `pvctl trace`?); "
                  "--force takes over");
        pvctrl_close(xc);
        return 1;
    }
    out = fopen(path, "wb");
    if (!out) {
        pvctl_err("cannot write %s: %s", path, strerror(errno));
        pvctrl_close(xc);
        return 1;
    }
    names.xs = pvctl_xs_open();
    /* Buffers first (tracing off), emptied of anything stale. */
    rc = pvtrace_set(xc, 0, domid);
    if (!rc)
        rc = pvtrace_open(xc, &rd);
    if (rc) {
        pvctl_err("cannot map the trace buffers: %s", strerror(-rc));
        status = 1;
        goto out;
    }
    {
        static struct pvtrace_record junk[BATCH];
        for (unsigned int c = 0; c < pvtrace_nr_cpus(rd); c++)
            while (pvtrace_read(rd, c, junk, BATCH, NULL) == BATCH)
                ;
    }
    h.version = PVTRF_VERSION;
    h.header_size = sizeof(h);
    h.record_size = sizeof(struct pvtrace_record);
    h.nr_cpus = pvtrace_nr_cpus(rd);
    h.tsc_khz = pi.cpu_khz;
    h.classes = classes;
    h.domid = domid;
    h.start_unix_ns = unix_ns();
    if (fwrite(&h, sizeof(h), 1, out) != 1) {
        pvctl_err("cannot write %s", path);
        status = 1;
        goto out;
    }
    {
        uint64_t lost0 = 0, l;
        for (unsigned int c = 0; c < pvtrace_nr_cpus(rd); c++) {
            pvtrace_read(rd, c, NULL, 0, &l);
            lost0 += l;
        }
        h.lost = lost0; /* subtracted at the end */
    }
    rc = pvtrace_set(xc, classes, domid);
    if (rc) {
        pvctl_err("cannot switch tracing on: %s", strerror(-rc));
        status = 1;
        goto out;
    }
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (optind < argc)
        child = spawn(argv + optind);
    for (;;) {
        struct timespec now;
        double elapsed;

        if (drain(rd, out, &names, &nrec, &lost) < 0) {
            pvctl_err("reading the trace buffers failed");
            status = 1;
            break;
        }
        if (stop_requested)
            break;
        if (child > 0 && waitpid(child, &child_status, WNOHANG) == child) {
            child = -1;
            break;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        elapsed = (double)(now.tv_sec - start.tv_sec) +
                  (double)(now.tv_nsec - start.tv_nsec) / 1e9;
        if (duration > 0 && elapsed >= duration)
            break; /* else: until the command ends, or Ctrl-C */
        usleep(DRAIN_US);
    }
    pvtrace_set(xc, 0, domid);
    drain(rd, out, &names, &nrec, &lost); /* what came before switching off */
    h.nr_records = nrec;
    h.lost = lost - h.lost;
    if (fseek(out, 0, SEEK_SET) || fwrite(&h, sizeof(h), 1, out) != 1)
        status = 1;
    fprintf(stderr, "pvctl trace: %llu records in %s, %llu lost\n",
            (unsigned long long)nrec, path, (unsigned long long)h.lost);
out:
    if (child > 0) {
        kill(child, SIGTERM);
        waitpid(child, &child_status, 0);
    }
    if (rd) {
        pvtrace_set(xc, 0, domid);
        pvtrace_close(rd);
    }
    if (fclose(out))
        status = 1;
    if (names.xs)
        xsl_close(names.xs);
    pvctrl_close(xc);
    if (!status && WIFEXITED(child_status) && WEXITSTATUS(child_status))
        status = WEXITSTATUS(child_status); /* the command's own failure */
    return status;
}

/* ---------------------------------------------------------------- live */

struct live_row {
    unsigned int domid;
    unsigned long op;
    unsigned long count;
    double us;
};

static int row_cmp(const void *a, const void *b)
{
    const struct live_row *x = a, *y = b;

    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

int cmd_trace_live(int argc, char **argv)
{
    static const struct option opts[] = {
        {"domain", required_argument, NULL, 'd'},
        {"interval", required_argument, NULL, 'i'},
        {"iterations", required_argument, NULL, 'n'},
        {"batch", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    uint32_t domid = PVTRACE_ALL_DOMAINS, cur, curd;
    double interval = 1.0;
    long iterations = -1;
    bool batch = !isatty(STDOUT_FILENO);
    struct xen_sysctl_physinfo pi;
    struct pvtrace_reader *rd;
    struct pvctrl *xc;
    struct xsl_handle *xs;
    static struct pvtrace_record buf[BATCH];
    int opt, rc;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:i:n:bh", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            xc = pvctl_open_or_die();
            rc = domain_lookup(xc, optarg);
            pvctrl_close(xc);
            if (rc < 0)
                return 1;
            domid = (uint32_t)rc;
            break;
        case 'i':
            interval = strtod(optarg, NULL);
            if (interval < 0.1) {
                pvctl_err("--interval: at least 0.1 s");
                return 2;
            }
            break;
        case 'n':
            iterations = strtol(optarg, NULL, 10);
            break;
        case 'b':
            batch = true;
            break;
        case 'h':
            return pvctl_help("trace", false);
        default:
            return pvctl_help("trace", true);
        }
    }
    xc = pvctl_open_or_die();
    if ((rc = pvtrace_get(xc, &cur, &curd)) || (rc = pvctrl_physinfo(xc, &pi))) {
        pvctl_err("cannot reach the hypervisor's tracing: %s", strerror(-rc));
        pvctrl_close(xc);
        return 1;
    }
    if (cur) {
        pvctl_err("tracing is already on (another `pvctl trace`?)");
        pvctrl_close(xc);
        return 1;
    }
    if ((rc = pvtrace_open(xc, &rd))) {
        pvctl_err("cannot map the trace buffers: %s", strerror(-rc));
        pvctrl_close(xc);
        return 1;
    }
    for (unsigned int c = 0; c < pvtrace_nr_cpus(rd); c++)
        while (pvtrace_read(rd, c, buf, BATCH, NULL) == BATCH)
            ;
    xs = pvctl_xs_open();
    pvtrace_set(xc, PVTRACE_CLASS_HCALL, domid);
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    while (!stop_requested && iterations != 0) {
        static struct live_row rows[4096];
        size_t nrows = 0;
        uint64_t lost = 0;
        struct timespec t0, t1;

        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (double waited = 0; waited < interval && !stop_requested;
             waited += DRAIN_US / 1e6) {
            usleep(DRAIN_US);
            for (unsigned int c = 0; c < pvtrace_nr_cpus(rd); c++) {
                long got;
                uint64_t l;

                while ((got = pvtrace_read(rd, c, buf, BATCH, &l)) > 0) {
                    for (long i = 0; i < got; i++) {
                        const struct pvtrace_record *r = &buf[i];
                        size_t k;

                        if (r->event != PVTRACE_EV_HCALL ||
                            (r->flags & PVTRACE_F_NESTED))
                            continue;
                        for (k = 0; k < nrows; k++)
                            if (rows[k].domid == r->domid &&
                                rows[k].op == r->data[0])
                                break;
                        if (k == nrows && nrows < 4096)
                            rows[nrows++] = (struct live_row){r->domid,
                                                              r->data[0], 0, 0};
                        if (k < nrows) {
                            rows[k].count++;
                            rows[k].us += (double)(r->tsc - r->data[5]) *
                                          1000.0 / (double)pi.cpu_khz;
                        }
                    }
                    if (got < BATCH)
                        break;
                }
                lost += l;
            }
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        {
            double secs = (double)(t1.tv_sec - t0.tv_sec) +
                          (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

            qsort(rows, nrows, sizeof(rows[0]), row_cmp);
            if (!batch)
                printf("\033[H\033[2J");
            printf("pvctl trace live: hypercalls per second over %.1f s "
                   "(%llu records lost so far)\n",
                   secs, (unsigned long long)lost);
            printf("%-24s %-28s %10s %10s\n", "DOMAIN", "HYPERCALL",
                   "CALLS/s", "MEAN(us)");
            for (size_t k = 0; k < nrows && k < 30; k++) {
                char dom[64], call[64];
                char *name = rows[k].domid == 0 ? strdup("Domain-0")
                             : xs ? domain_name(xs, rows[k].domid)
                                  : NULL;

                snprintf(dom, sizeof(dom), "%s (%u)", name ? name : "?",
                         rows[k].domid);
                free(name);
                printf("%-24s %-28s %10.1f %10.2f\n", dom,
                       pvtr_hypercall_name(rows[k].op)
                           ? pvtr_hypercall_name(rows[k].op)
                           : (snprintf(call, sizeof(call), "#%lu", rows[k].op),
                              call),
                       (double)rows[k].count / secs,
                       rows[k].us / (double)rows[k].count);
            }
            if (!nrows)
                printf("(no hypercalls)\n");
            printf("\n");
            fflush(stdout);
        }
        if (iterations > 0)
            iterations--;
    }
    pvtrace_set(xc, 0, domid);
    pvtrace_close(rd);
    if (xs)
        xsl_close(xs);
    pvctrl_close(xc);
    return 0;
}
