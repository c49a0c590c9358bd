/* SPDX-License-Identifier: MIT */
/*
 * mem-set: a domain's memory target, as `xl mem-set` sets it
 * (libxl_set_memory_target with enforce, xl's only way of calling it):
 *
 *  - the size is MiB unless it has a suffix (K, M, G; KiB/MiB/GiB too);
 *  - a target above the domain's static maximum (memory/static-max, the
 *    config's maxmem) is refused, as libxl refuses it;
 *  - the hypervisor's limit (XEN_DOMCTL_max_mem) becomes the target plus
 *    1 MiB of slack (libxl's LIBXL_MAXMEM_CONSTANT), lowered as well as
 *    raised, so the domain cannot allocate far past its target;
 *  - memory/target gets the target in KiB.  The guest's balloon driver
 *    watches it and gives pages back or takes them (the reference guest:
 *    guests/hello/balloon.c); without one nothing else happens.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

#define MAXMEM_SLACK_KB 1024 /* libxl's LIBXL_MAXMEM_CONSTANT */

int cmd_mem_set(int argc, char **argv)
{
    struct pvctrl *xc;
    struct xsl_handle *xs;
    char path[80], value[32], *smax = NULL, *end;
    unsigned long long static_max_kb, target_kb;
    int64_t bytes;
    size_t len;
    int domid, rc;

    optind = 1;
    if (getopt(argc, argv, "") != -1 || optind + 2 != argc)
        return pvctl_help("mem-set", true);
    bytes = pvctl_parse_size(argv[optind + 1]);
    if (bytes < 0) {
        pvctl_err("mem-set: invalid memory size '%s' (MiB, or a number with "
                  "a suffix K, M or G)", argv[optind + 1]);
        return 1;
    }
    target_kb = (unsigned long long)bytes >> 10;
    xc = pvctl_open_or_die();
    domid = domain_lookup(xc, argv[optind]);
    if (domid < 0) {
        pvctrl_close(xc);
        return 1;
    }
    if (domid == 0) {
        pvctl_err("mem-set: not for domain 0 (its memory is the host's)");
        pvctrl_close(xc);
        return 1;
    }
    xs = pvctl_xs_open();
    if (!xs) {
        pvctrl_close(xc);
        return 1;
    }
    snprintf(path, sizeof(path), "/local/domain/%d/memory/static-max", domid);
    rc = xsl_read(xs, 0, path, &smax, &len);
    if (rc) {
        pvctl_err("mem-set %s: cannot read %s: %s", argv[optind], path,
                  strerror(-rc));
        goto out;
    }
    errno = 0;
    static_max_kb = strtoull(smax, &end, 10);
    if (errno || end == smax || *end) {
        pvctl_err("mem-set %s: %s is not a number: '%s'", argv[optind], path,
                  smax);
        rc = -EINVAL;
        goto out;
    }
    if (target_kb > static_max_kb) {
        pvctl_err("mem-set %s: %llu KiB is above the domain's maximum of "
                  "%llu KiB (maxmem, memory/static-max)",
                  argv[optind], target_kb, static_max_kb);
        rc = -EINVAL;
        goto out;
    }
    rc = pvctrl_domain_setmaxmem(xc, (uint32_t)domid,
                                 target_kb + MAXMEM_SLACK_KB);
    if (rc) {
        pvctl_err("mem-set %s: setting the hypervisor's limit: %s",
                  argv[optind], strerror(-rc));
        goto out;
    }
    snprintf(path, sizeof(path), "/local/domain/%d/memory/target", domid);
    snprintf(value, sizeof(value), "%llu", target_kb);
    rc = xsl_write(xs, 0, path, value, strlen(value));
    if (rc) {
        pvctl_err("mem-set %s: writing %s: %s", argv[optind], path,
                  strerror(-rc));
        goto out;
    }
    printf("domain %d: memory target %llu KiB, hypervisor limit %llu KiB\n",
           domid, target_kb, target_kb + MAXMEM_SLACK_KB);
out:
    free(smax);
    xsl_close(xs);
    pvctrl_close(xc);
    return rc ? 1 : 0;
}
