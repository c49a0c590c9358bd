/* SPDX-License-Identifier: MIT */
/*
 * `pvctl create CFG`: create, build and start a domain from an xl.cfg
 * file, as `xl create` does.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"

int cmd_create(int argc, char **argv)
{
    static const struct option opts[] = {
        {"paused", no_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    struct xen_domctl_createdomain c = {0};
    struct domain_config cfg;
    struct pvctrl *xc;
    char err[512] = "";
    uint32_t domid = 0;
    bool paused = false;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "p", opts, NULL)) != -1) {
        if (opt == 'p')
            paused = true;
        else
            return pvctl_help("create", true);
    }
    if (optind + 1 != argc)
        return pvctl_help("create", true);
    if (config_parse(argv[optind], &cfg))
        return 1;
    xc = pvctl_open_or_die();

    c.max_vcpus = cfg.vcpus;
    c.max_evtchn_port = 1023;
    c.max_grant_frames = -1;
    c.max_maptrack_frames = -1;
    rc = pvctrl_domain_create(xc, &domid, &c);
    if (rc) {
        pvctl_err("cannot create domain '%s': %s", cfg.name, strerror(-rc));
        pvctrl_close(xc);
        return 1;
    }
    rc = pvctrl_domain_setmaxmem(xc, domid, cfg.maxmem_mib << 10);
    if (!rc)
        rc = domain_build(xc, domid, &cfg, err, sizeof(err));
    if (!rc && (cfg.weight || cfg.cap)) {
        struct xen_domctl_sched_credit sc = {.weight = (uint16_t)cfg.weight,
                                             .cap = (uint16_t)cfg.cap};
        rc = pvctrl_sched_credit_set(xc, domid, &sc);
    }
    if (!rc && !paused)
        rc = pvctrl_domain_unpause(xc, domid);
    if (rc) {
        pvctl_err("cannot build domain '%s': %s", cfg.name,
                  err[0] ? err : strerror(-rc));
        pvctrl_domain_destroy(xc, domid);
        pvctrl_close(xc);
        return 1;
    }
    printf("Created domain %u (%s)%s\n", domid, cfg.name,
           paused ? ", paused" : "");
    pvctrl_close(xc);
    return 0;
}
