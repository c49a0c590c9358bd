/* SPDX-License-Identifier: MIT */
/*
 * dominfo: exact figures for the domain tests, which `pvctl info` and
 * `pvctl list` round for people.
 *
 *   dominfo free            free machine pages
 *   dominfo cpu DOMID...    each domain's CPU time in ns, one per line
 *   dominfo pages DOMID     the domain's pages (tot_pages), or "none"
 *   dominfo max DOMID       the most pages it may have (max_pages), or "none"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pvctrl.h"

static int usage(void)
{
    fprintf(stderr, "usage: dominfo free | cpu DOMID... | pages DOMID | max DOMID\n");
    return 2;
}

int main(int argc, char **argv)
{
    struct pvctrl *xc;
    int rc, status = 0;

    if (argc < 2)
        return usage();
    rc = pvctrl_open(NULL, &xc);
    if (rc) {
        fprintf(stderr, "dominfo: cannot reach the machine: %s\n",
                strerror(-rc));
        return 1;
    }
    if (!strcmp(argv[1], "free") && argc == 2) {
        struct xen_sysctl_physinfo pi;

        rc = pvctrl_physinfo(xc, &pi);
        if (!rc)
            printf("%llu\n", (unsigned long long)pi.free_pages);
    } else if ((!strcmp(argv[1], "cpu") && argc >= 3) ||
               ((!strcmp(argv[1], "pages") || !strcmp(argv[1], "max")) &&
                argc == 3)) {
        for (int i = 2; i < argc && !rc; i++) {
            struct xen_domctl_getdomaininfo info;
            uint32_t id = (uint32_t)strtoul(argv[i], NULL, 10);

            rc = pvctrl_domain_getinfo(xc, id, &info);
            if (rc || info.domain != id) {
                printf("none\n");
                status = 1;
                rc = 0;
            } else if (argv[1][0] == 'c') {
                printf("%llu\n", (unsigned long long)info.cpu_time);
            } else if (argv[1][0] == 'm') {
                printf("%llu\n", (unsigned long long)info.max_pages);
            } else {
                printf("%llu\n", (unsigned long long)info.tot_pages);
            }
        }
    } else {
        pvctrl_close(xc);
        return usage();
    }
    pvctrl_close(xc);
    if (rc) {
        fprintf(stderr, "dominfo: %s\n", strerror(-rc));
        return 1;
    }
    return status;
}
