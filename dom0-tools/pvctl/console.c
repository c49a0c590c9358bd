/* SPDX-License-Identifier: MIT */
/*
 * `pvctl console DOM`: a domain's console.  For now that is what it
 * printed with console_io, as pvisor-consoled keeps it in
 * $PVISOR_RUNDIR/console/<name>.log: the log so far, then new output as
 * it comes, until the domain is gone (or Ctrl-C).  The interactive ring
 * console arrives with the split drivers.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "domain.h"
#include "pvctl.h"
#include "xsl.h"

static bool copy_new(int fd)
{
    char buf[4096];
    ssize_t n;
    bool any = false;

    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        fwrite(buf, 1, (size_t)n, stdout);
        any = true;
    }
    fflush(stdout);
    return any;
}

int cmd_console(int argc, char **argv)
{
    struct xen_domctl_getdomaininfo info;
    char dir[256], path[512], *name;
    struct pvctrl *xc;
    struct xsl_handle *xs;
    int domid, fd = -1, idle = 0;

    if (argc != 2)
        return pvctl_help("console", true);
    xc = pvctl_open_or_die();
    domid = domain_lookup(xc, argv[1]);
    if (domid < 0) {
        pvctrl_close(xc);
        return 1;
    }
    xs = pvctl_xs_open();
    name = domain_name(xs, (uint32_t)domid);
    if (xs)
        xsl_close(xs);
    if (!name) {
        pvctl_err("domain %d has no name in xenstore", domid);
        pvctrl_close(xc);
        return 1;
    }
    pvisor_rundir(dir, sizeof(dir));
    snprintf(path, sizeof(path), "%s/console/%s.log", dir, name);
    free(name);
    for (;;) {
        bool alive = !pvctrl_domain_getinfo(xc, (uint32_t)domid, &info) &&
                     info.domain == (uint32_t)domid;

        if (fd < 0)
            fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0 && copy_new(fd))
            idle = 0;
        /* Once the domain is gone, wait briefly for its last lines. */
        if (!alive && ++idle > 4)
            break;
        usleep(50000);
    }
    if (fd >= 0)
        close(fd);
    pvctrl_close(xc);
    return 0;
}
