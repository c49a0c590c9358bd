/* SPDX-License-Identifier: MIT */
/*
 * `pvctl top`: the domains with their CPU use, memory, and the rate of
 * their hypercalls, event-channel traffic, traps and emulated page-table
 * writes, refreshed every few
 * seconds, like xentop.  CPU time comes from getdomaininfo, the rates
 * from the hypervisor's per-domain counters (PVLINK_OP_DOMSTATS), which
 * cost nothing to keep (tracing stays off).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

#define MAX_DOMS 256

struct sample {
    uint32_t domid;
    uint64_t cpu_ns;
    struct pvlink_domstats st;
    struct xen_domctl_getdomaininfo info;
};

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static size_t take(struct pvctrl *xc, struct sample *s)
{
    struct xen_domctl_getdomaininfo info;
    size_t n = 0;

    for (uint32_t d = 0; n < MAX_DOMS && !pvctrl_domain_getinfo(xc, d, &info);
         d = info.domain + 1u) {
        s[n].domid = info.domain;
        s[n].cpu_ns = info.cpu_time;
        s[n].info = info;
        if (pvctrl_domstats(xc, info.domain, &s[n].st))
            memset(&s[n].st, 0, sizeof(s[n].st));
        n++;
    }
    return n;
}

static double secs_between(const struct timespec *a, const struct timespec *b)
{
    return (double)(b->tv_sec - a->tv_sec) +
           (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int cmd_top(int argc, char **argv)
{
    static const struct option opts[] = {
        {"delay", required_argument, NULL, 'd'},
        {"iterations", required_argument, NULL, 'n'},
        {"batch", no_argument, NULL, 'b'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static struct sample prev[MAX_DOMS], cur[MAX_DOMS];
    double delay = 3.0;
    long iterations = -1;
    bool batch = !isatty(STDOUT_FILENO);
    struct xsl_handle *xs;
    struct pvctrl *xc;
    struct timespec t0, t1;
    size_t np, nc;
    int opt;

    optind = 1;
    while ((opt = getopt_long(argc, argv, "d:n:bh", opts, NULL)) != -1) {
        switch (opt) {
        case 'd':
            delay = strtod(optarg, NULL);
            if (delay < 0.1) {
                pvctl_err("--delay: at least 0.1 s");
                return 2;
            }
            break;
        case 'n':
            iterations = strtol(optarg, NULL, 10);
            if (iterations <= 0) {
                pvctl_err("--iterations: at least 1");
                return 2;
            }
            break;
        case 'b':
            batch = true;
            break;
        case 'h':
            return pvctl_help("top", false);
        default:
            return pvctl_help("top", true);
        }
    }
    if (optind != argc)
        return pvctl_help("top", true);
    xc = pvctl_open_or_die();
    xs = pvctl_xs_open();
    signal(SIGINT, on_stop);
    signal(SIGTERM, on_stop);
    np = take(xc, prev);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while (!stop_requested && iterations != 0) {
        double secs;

        usleep((useconds_t)(delay * 1e6));
        nc = take(xc, cur);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        secs = secs_between(&t0, &t1);
        if (!batch)
            printf("\033[H\033[2J");
        printf("pvctl top: %zu domains, over %.1f s\n", nc, secs);
        printf("%-20s %5s %6s %7s %8s %5s %10s %9s %9s %8s %8s\n", "NAME",
               "ID", "STATE", "CPU(%)", "MEM(MiB)", "VCPUS", "HCALLS/s",
               "EVSENT/s", "EVRECV/s", "TRAPS/s", "PTWR/s");
        for (size_t i = 0; i < nc; i++) {
            const struct sample *c = &cur[i], *p = NULL;
            char *name, state[8];

            for (size_t k = 0; k < np; k++)
                if (prev[k].domid == c->domid)
                    p = &prev[k];
            name = c->domid == 0 ? strdup("Domain-0")
                   : xs ? domain_name(xs, c->domid)
                        : NULL;
            snprintf(state, sizeof(state), "%c%c%c%c",
                     c->info.flags & XEN_DOMINF_running ? 'r' : '-',
                     c->info.flags & XEN_DOMINF_blocked ? 'b' : '-',
                     c->info.flags & XEN_DOMINF_paused ? 'p' : '-',
                     c->info.flags & XEN_DOMINF_shutdown ? 's' : '-');
#define RATE(f) (p ? (double)(c->st.f - p->st.f) / secs : 0.0)
            printf("%-20.20s %5u %6s %7.1f %8llu %5u %10.1f %9.1f %9.1f "
                   "%8.1f %8.1f\n",
                   name ? name : "?", c->domid, state,
                   p ? (double)(c->cpu_ns - p->cpu_ns) / (secs * 1e7) : 0.0,
                   (unsigned long long)(c->info.tot_pages >> 8),
                   c->info.nr_online_vcpus, RATE(hypercalls),
                   RATE(events_sent), RATE(events_received), RATE(traps),
                   RATE(ptwr));
#undef RATE
            free(name);
        }
        printf("\n");
        fflush(stdout);
        memcpy(prev, cur, sizeof(cur[0]) * nc);
        np = nc;
        t0 = t1;
        if (iterations > 0)
            iterations--;
    }
    if (xs)
        xsl_close(xs);
    pvctrl_close(xc);
    return 0;
}
