/* SPDX-License-Identifier: MIT */
/*
 * Domain commands: list, destroy, shutdown, pause, unpause, vcpu-list,
 * sched-credit -- the xl commands of the same names.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <xen/sched.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

/* xl's state letters: running, blocked, paused, shutdown, crashed, dying. */
static void state_string(const struct xen_domctl_getdomaininfo *i, char *s)
{
    unsigned int reason = (i->flags >> XEN_DOMINF_shutdownshift) &
                          XEN_DOMINF_shutdownmask;
    bool shut = i->flags & XEN_DOMINF_shutdown;

    s[0] = i->flags & XEN_DOMINF_running ? 'r' : '-';
    s[1] = i->flags & XEN_DOMINF_blocked ? 'b' : '-';
    s[2] = i->flags & XEN_DOMINF_paused ? 'p' : '-';
    s[3] = shut && reason != SHUTDOWN_crash ? 's' : '-';
    s[4] = shut && reason == SHUTDOWN_crash ? 'c' : '-';
    s[5] = i->flags & XEN_DOMINF_dying ? 'd' : '-';
    s[6] = '\0';
}

int cmd_list(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo info;
    struct pvctrl *xc;
    struct xsl_handle *xs;

    (void)argv;
    if (argc != 1)
        return pvctl_help("list", true);
    xc = pvctl_open_or_die();
    xs = pvctl_xs_open();
    printf("%-40s %5s %6s %5s %7s %9s\n", "Name", "ID", "Mem", "VCPUs",
           "State", "Time(s)");
    for (uint32_t d = 0; !pvctrl_domain_getinfo(xc, d, &info);
         d = info.domain + 1u) {
        char state[8], *name = domain_name(xs, info.domain);

        state_string(&info, state);
        printf("%-40s %5u %6llu %5u %7s %9.1f\n", name ? name : "(unknown)",
               info.domain, (unsigned long long)(info.tot_pages >> 8),
               info.nr_online_vcpus, state, info.cpu_time / 1e9);
        free(name);
    }
    if (xs)
        xsl_close(xs);
    pvctrl_close(xc);
    return 0;
}

/* The domain named on the command line, or exits after printing why. */
static int one_domain(struct pvctrl *xc, int argc, char **argv,
                      const char *cmd)
{
    int domid;

    if (optind + 1 != argc) {
        pvctl_help(cmd, true);
        pvctrl_close(xc);
        exit(2);
    }
    domid = domain_lookup(xc, argv[optind]);
    if (domid < 0) {
        pvctrl_close(xc);
        exit(1);
    }
    if (domid == 0) {
        pvctl_err("%s: not for domain 0", cmd);
        pvctrl_close(xc);
        exit(1);
    }
    return domid;
}

static int simple(int argc, char **argv, const char *cmd,
                  int (*fn)(struct pvctrl *, uint32_t), const char *done)
{
    struct pvctrl *xc;
    int domid, rc;

    optind = 1;
    if (getopt(argc, argv, "") != -1)
        return pvctl_help(cmd, true);
    xc = pvctl_open_or_die();
    domid = one_domain(xc, argc, argv, cmd);
    rc = fn(xc, (uint32_t)domid);
    if (rc)
        pvctl_err("%s %s: %s", cmd, argv[optind], strerror(-rc));
    else if (done)
        printf(done, domid);
    pvctrl_close(xc);
    return rc ? 1 : 0;
}

static int destroy(struct pvctrl *xc, uint32_t domid)
{
    struct xsl_handle *xs = pvctl_xs_open();
    int rc = pvctrl_domain_destroy(xc, domid);

    if (!rc && xs)
        domain_xs_remove(xs, domid);
    if (xs)
        xsl_close(xs);
    return rc;
}

int cmd_destroy(int argc, char **argv)
{
    return simple(argc, argv, "destroy", destroy, "Destroyed domain %d\n");
}

int cmd_pause(int argc, char **argv)
{
    return simple(argc, argv, "pause", pvctrl_domain_pause, NULL);
}

int cmd_unpause(int argc, char **argv)
{
    return simple(argc, argv, "unpause", pvctrl_domain_unpause, NULL);
}

int cmd_shutdown(int argc, char **argv)
{
    static const struct option opts[] = {
        {"wait", no_argument, NULL, 'w'},
        {"reboot", no_argument, NULL, 'r'},
        {NULL, 0, NULL, 0},
    };
    struct xen_domctl_getdomaininfo info;
    struct pvctrl *xc;
    struct xsl_handle *xs;
    bool wait = false, reboot = false;
    char path[64], *feature = NULL;
    size_t len;
    int c, domid, rc;

    while ((c = getopt_long(argc, argv, "wr", opts, NULL)) != -1) {
        if (c == 'w')
            wait = true;
        else if (c == 'r')
            reboot = true;
        else
            return pvctl_help("shutdown", true);
    }
    xc = pvctl_open_or_die();
    domid = one_domain(xc, argc, argv, "shutdown");
    xs = pvctl_xs_open();
    snprintf(path, sizeof(path), "/local/domain/%d/control/feature-poweroff",
             domid);
    if (xs && !xsl_read(xs, 0, path, &feature, &len) && !strcmp(feature, "1")) {
        /* The guest listens on xenstore: ask it, as xl does. */
        snprintf(path, sizeof(path), "/local/domain/%d/control/shutdown", domid);
        rc = xsl_write(xs, 0, path, reboot ? "reboot" : "poweroff",
                       reboot ? 6 : 8);
    } else {
        /* No PV control driver: stop it from outside (xl shutdown -F). */
        rc = pvctrl_domain_shutdown(xc, (uint32_t)domid,
                                    reboot ? SHUTDOWN_reboot
                                           : SHUTDOWN_poweroff);
    }
    free(feature);
    if (xs)
        xsl_close(xs);
    if (rc) {
        pvctl_err("shutdown %s: %s", argv[optind], strerror(-rc));
        pvctrl_close(xc);
        return 1;
    }
    while (wait && !pvctrl_domain_getinfo(xc, (uint32_t)domid, &info) &&
           info.domain == (uint32_t)domid)
        usleep(50000);
    pvctrl_close(xc);
    return 0;
}

int cmd_vcpu_list(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo info;
    struct pvctrl *xc;
    struct xsl_handle *xs;
    int only = -1;

    if (argc > 2)
        return pvctl_help("vcpu-list", true);
    xc = pvctl_open_or_die();
    if (argc == 2 && (only = domain_lookup(xc, argv[1])) < 0) {
        pvctrl_close(xc);
        return 1;
    }
    xs = pvctl_xs_open();
    printf("%-32s %5s %5s %4s %6s %9s\n", "Name", "ID", "VCPU", "CPU", "State",
           "Time(s)");
    for (uint32_t d = only < 0 ? 1 : (uint32_t)only;
         !pvctrl_domain_getinfo(xc, d, &info); d = info.domain + 1u) {
        char *name;

        if (only >= 0 && info.domain != (uint32_t)only)
            break;
        name = domain_name(xs, info.domain);
        for (uint32_t v = 0; v <= info.max_vcpu_id &&
                             info.max_vcpu_id != XEN_INVALID_MAX_VCPU_ID;
             v++) {
            struct xen_domctl_getvcpuinfo vi;
            char st[4];

            if (pvctrl_vcpu_getinfo(xc, info.domain, v, &vi))
                continue;
            st[0] = vi.running ? 'r' : '-';
            st[1] = vi.blocked ? 'b' : '-';
            st[2] = vi.online ? '-' : 'p';
            st[3] = '\0';
            printf("%-32s %5u %5u %4u %6s %9.1f\n", name ? name : "(unknown)",
                   info.domain, v, vi.cpu, st, vi.cpu_time / 1e9);
        }
        free(name);
        if (only >= 0)
            break;
    }
    if (xs)
        xsl_close(xs);
    pvctrl_close(xc);
    return 0;
}

int cmd_sched_credit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"domain", required_argument, NULL, 'd'},
        {"weight", required_argument, NULL, 'w'},
        {"cap", required_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *dom = NULL;
    long weight = -1, cap = -1;
    struct pvctrl *xc;
    struct xsl_handle *xs;
    struct xen_domctl_getdomaininfo info;
    int c, domid, rc = 0;

    while ((c = getopt_long(argc, argv, "d:w:c:", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'd':
            dom = optarg;
            break;
        case 'w':
            weight = strtol(optarg, &end, 10);
            if (*end || weight < 1 || weight > 65535) {
                pvctl_err("--weight %s: give 1 to 65535", optarg);
                return 2;
            }
            break;
        case 'c':
            cap = strtol(optarg, &end, 10);
            if (*end || cap < 0 || cap > 3200) {
                pvctl_err("--cap %s: give a percentage, 0 for none", optarg);
                return 2;
            }
            break;
        default:
            return pvctl_help("sched-credit", true);
        }
    }
    if (optind != argc || ((weight >= 0 || cap >= 0) && !dom))
        return pvctl_help("sched-credit", true);
    xc = pvctl_open_or_die();
    if (dom) {
        struct xen_domctl_sched_credit sc;

        domid = domain_lookup(xc, dom);
        if (domid < 0) {
            pvctrl_close(xc);
            return 1;
        }
        rc = pvctrl_sched_credit_get(xc, (uint32_t)domid, &sc);
        if (!rc && (weight >= 0 || cap >= 0)) {
            if (weight >= 0)
                sc.weight = (uint16_t)weight;
            if (cap >= 0)
                sc.cap = (uint16_t)cap;
            rc = pvctrl_sched_credit_set(xc, (uint32_t)domid, &sc);
        }
        if (rc) {
            pvctl_err("sched-credit %s: %s", dom, strerror(-rc));
            pvctrl_close(xc);
            return 1;
        }
        if (weight >= 0 || cap >= 0) {
            pvctrl_close(xc);
            return 0;
        }
    }
    xs = pvctl_xs_open();
    printf("%-32s %5s %6s %4s\n", "Name", "ID", "Weight", "Cap");
    for (uint32_t d = 1; !pvctrl_domain_getinfo(xc, d, &info);
         d = info.domain + 1u) {
        struct xen_domctl_sched_credit sc;
        char *name;

        if (dom && info.domain != (uint32_t)domain_lookup(xc, dom))
            continue;
        if (pvctrl_sched_credit_get(xc, info.domain, &sc))
            continue;
        name = domain_name(xs, info.domain);
        printf("%-32s %5u %6u %4u\n", name ? name : "(unknown)", info.domain,
               sc.weight, sc.cap);
        free(name);
    }
    if (xs)
        xsl_close(xs);
    pvctrl_close(xc);
    return 0;
}
