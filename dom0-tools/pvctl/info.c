/* SPDX-License-Identifier: MIT */
/* `pvctl info` and `pvctl dmesg`: what the hypervisor reports. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdint.h>
#include <xen/version.h>

#include "pvctl.h"

int cmd_info(int argc, char **argv)
{
    struct pvctrl *xc;
    struct xen_sysctl_physinfo pi;
    struct pvcall_status st;
    char extra[16], caps[1024], changeset[64], cmdline[1024], host[256];
    int major, minor, rc;

    (void)argv;
    if (argc != 1)
        return pvctl_help("info", true);
    xc = pvctl_open_or_die();
    rc = pvctrl_version(xc, &major, &minor);
    if (!rc)
        rc = pvctrl_version_string(xc, XENVER_extraversion, extra, sizeof(extra));
    if (!rc)
        rc = pvctrl_version_string(xc, XENVER_capabilities, caps, sizeof(caps));
    if (!rc)
        rc = pvctrl_version_string(xc, XENVER_changeset, changeset,
                                   sizeof(changeset));
    if (!rc)
        rc = pvctrl_version_string(xc, XENVER_commandline, cmdline,
                                   sizeof(cmdline));
    if (!rc)
        rc = pvctrl_physinfo(xc, &pi);
    if (!rc)
        rc = pvcall_status(pvctrl_call_handle(xc), &st);
    if (rc) {
        pvctl_err_connect(rc);
        pvctrl_close(xc);
        return 1;
    }
    gethostname(host, sizeof(host));
    printf("host                   : %s\n", host);
    printf("nr_cpus                : %u\n", pi.nr_cpus);
    printf("max_cpu_id             : %u\n", pi.max_cpu_id);
    printf("nr_nodes               : %u\n", pi.nr_nodes);
    printf("cores_per_socket       : %u\n", pi.cores_per_socket);
    printf("threads_per_core       : %u\n", pi.threads_per_core);
    printf("cpu_mhz                : %u.%03u\n", pi.cpu_khz / 1000,
           pi.cpu_khz % 1000);
    printf("virt_caps              : pv\n");
    printf("total_memory           : %llu\n",
           (unsigned long long)((pi.total_pages + 128) >> 8));
    printf("free_memory            : %llu\n",
           (unsigned long long)((pi.free_pages + 128) >> 8));
    printf("max_mfn                : %#llx\n", (unsigned long long)pi.max_mfn);
    printf("xen_major              : %d\n", major);
    printf("xen_minor              : %d\n", minor);
    printf("xen_extra              : %s\n", extra);
    printf("xen_version            : %d.%d%s\n", major, minor, extra);
    printf("xen_caps               : %s\n", caps);
    printf("xen_changeset          : %s\n", changeset);
    printf("xen_commandline        : %s\n", cmdline);
    printf("machine_memory         : %llu\n",
           (unsigned long long)(st.ram_bytes >> 20));
    printf("accelerator            : %s\n", st.accel);
    printf("qemu_pid               : %d\n", st.qemu_pid);
    printf("dom0_event_seq         : %llu\n",
           (unsigned long long)st.event_seq);
    printf("dom0_event_bells       : %llu\n",
           (unsigned long long)st.event_bells);
    printf("dom0_event_scans       : %llu\n",
           (unsigned long long)st.event_scans);
    printf("dom0_events_delivered  : %llu\n",
           (unsigned long long)st.events_delivered);
    pvctrl_close(xc);
    return 0;
}

int cmd_dmesg(int argc, char **argv)
{
    static const struct option opts[] = {
        {"clear", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    struct pvctrl *xc;
    bool clear = false, incremental = false;
    uint32_t index = 0;
    char buf[16384];
    int c, rc;

    while ((c = getopt_long(argc, argv, "c", opts, NULL)) != -1) {
        if (c == 'c')
            clear = true;
        else
            return pvctl_help("dmesg", true);
    }
    if (optind != argc)
        return pvctl_help("dmesg", true);
    xc = pvctl_open_or_die();
    for (;;) {
        uint32_t count = sizeof(buf);

        rc = pvctrl_readconsole(xc, buf, &count, &index, incremental, clear);
        if (rc || !count)
            break;
        fwrite(buf, 1, count, stdout);
        incremental = true;
    }
    pvctrl_close(xc);
    if (rc) {
        pvctl_err_connect(rc);
        return 1;
    }
    return 0;
}
