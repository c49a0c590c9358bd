/* SPDX-License-Identifier: MIT */
/* Where a machine's sockets, RAM file and logs live. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "pvctrl.h"

const char *pvisor_rundir(char *buf, size_t size)
{
    const char *env = getenv("PVISOR_RUNDIR");
    const char *xdg = getenv("XDG_RUNTIME_DIR");

    if (env && *env)
        snprintf(buf, size, "%s", env);
    else if (geteuid() == 0)
        snprintf(buf, size, "/run/pvisor");
    else if (xdg && *xdg)
        snprintf(buf, size, "%s/pvisor", xdg);
    else
        snprintf(buf, size, "/tmp/pvisor-%u", (unsigned int)getuid());
    return buf;
}
