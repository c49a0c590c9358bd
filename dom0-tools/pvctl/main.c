/* SPDX-License-Identifier: MIT */
/*
 * pvctl: manage a pvisor machine and its domains, in the manner of Xen's
 * `xl`.  `pvctl COMMAND --help` describes each command.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pvctl.h"

const struct pvctl_cmd pvctl_cmds[] = {
    {"up", cmd_up, "boot the machine: QEMU, the hypervisor, the dom0 daemons",
     "Usage: pvctl up [--memory SIZE] [--cpus N] [--accel auto|tcg|kvm]\n"
     "                [--cmdline STRING] [--image FILE] [--qemu FILE]\n"
     "                [--boot-timeout SECONDS]\n"
     "\n"
     "Boots a QEMU machine running the pvisor hypervisor, with its link daemon\n"
     "in the background, and returns once the hypervisor answers a hypercall.\n"
     "\n"
     "  --memory SIZE     machine memory: 512M, 2G... (MiB if no suffix;\n"
     "                    default 1G, at least 64M)\n"
     "  --cpus N          physical CPUs of the machine (default 1, at most 32)\n"
     "  --accel A         auto (default: KVM only if /dev/kvm works and the CPU\n"
     "                    has vmx/svm, else TCG), tcg, or kvm\n"
     "  --cmdline STRING  hypervisor command line (e.g. \"crash=pf\")\n"
     "  --image FILE      hypervisor image (default: the one built with pvctl)\n"
     "  --qemu FILE       QEMU binary (default: qemu-system-x86_64 on PATH)\n"
     "  --boot-timeout S  give up after S seconds (default 60)\n"
     "\n"
     "The run directory is $PVISOR_RUNDIR, else /run/pvisor as root, else\n"
     "$XDG_RUNTIME_DIR/pvisor.\n"},
    {"down", cmd_down, "shut the machine down and remove its run-time state",
     "Usage: pvctl down\n"
     "\n"
     "Asks domain 0 to power the machine off (SCHEDOP_shutdown), waits for\n"
     "QEMU to exit and removes the run directory's sockets and RAM file.  The\n"
     "logs in the run directory's log/ stay.\n"},
    {"info", cmd_info, "show what the hypervisor reports about the machine",
     "Usage: pvctl info\n"
     "\n"
     "Prints the hypervisor version, CPUs and memory as reported by the\n"
     "xen_version and sysctl(physinfo) hypercalls, and domain 0's event\n"
     "counters since the machine started: dom0_event_seq (times one of its\n"
     "ports became pending while unmasked), dom0_event_bells (event\n"
     "doorbells the link daemon took), dom0_event_scans (its passes over\n"
     "the pending bitmap) and dom0_events_delivered (ports it handed to\n"
     "the handles that bound them).\n"},
    {"dmesg", cmd_dmesg, "print the hypervisor's console log",
     "Usage: pvctl dmesg [-c]\n"
     "\n"
     "Prints the hypervisor console log (XEN_SYSCTL_readconsole).\n"
     "\n"
     "  -c, --clear   clear the log after reading it\n"},
    {"create", cmd_create, "create and start a domain from a config file",
     "Usage: pvctl create [-p] [-c] CONFIG [KEY=VALUE...]\n"
     "\n"
     "Creates a PV domain from CONFIG (xl.cfg syntax: name, memory, maxmem,\n"
     "vcpus, kernel, ramdisk, cmdline, on_poweroff, on_reboot, on_crash,\n"
     "cpu_weight, cap, disk, vif), builds it and starts it.  Settings after CONFIG are\n"
     "read as extra lines of it and win over its own, as with xl:\n"
     "  pvctl create guests/hello.cfg 'name=\"hello2\"' 'cmdline=\"linger=2\"'\n"
     "\n"
     "  -p, --paused   leave it paused (start it with `pvctl unpause`)\n"
     "  -c, --console  attach to its console once started\n"
     "\n"
     "vif = ['mac=00:16:3e:01:02:03,ip=10.0.0.1/24,bridge=pvtap0', ...] gives\n"
     "it network interfaces (xl's syntax; a missing mac is generated with\n"
     "Xen's prefix 00:16:3e; ip is for the guest to read; bridge=NAME also\n"
     "connects the network switch to the host's TAP device NAME).  The\n"
     "domain is started once pvisor-netback has taken each vif.\n"
     "\n"
     "A monitor process stays behind to carry out on_poweroff, on_reboot and\n"
     "on_crash (destroy, preserve or restart); exit reasons are logged in the\n"
     "domain's console log and in the run directory's log/domains.log.\n"
     "\n"
     "Disks: disk = ['IMAGE,raw,xvda,rw', 'IMAGE2,raw,xvdb,ro'] (xl's\n"
     "positional target,format,vdev,access, or target=,format=,vdev=,access=\n"
     "items): raw image files, vdev xvda..xvdp, access rw or ro; relative\n"
     "paths are taken from CONFIG's directory.  pvctl writes each device's\n"
     "xenstore nodes and waits for the block backend, pvisor-blkback, to take\n"
     "it before the domain starts.\n"},
    {"list", cmd_list, "list the domains",
     "Usage: pvctl list\n"
     "\n"
     "Lists the domains: name, id, memory (MiB), vCPUs online, state and CPU\n"
     "time.  State letters: r running (or waiting for a CPU), b blocked,\n"
     "p paused, s shut down, c crashed, d dying.\n"},
    {"destroy", cmd_destroy, "destroy a domain at once",
     "Usage: pvctl destroy DOMAIN\n"
     "\n"
     "Destroys DOMAIN (a name or an id) immediately and returns its memory.\n"},
    {"shutdown", cmd_shutdown, "ask a domain to shut down",
     "Usage: pvctl shutdown [-w] [-r] DOMAIN\n"
     "\n"
     "Asks DOMAIN to power off (or reboot): through xenstore if its control\n"
     "driver advertises feature-poweroff, else by shutting it down from\n"
     "outside (SCHEDOP_remote_shutdown).\n"
     "\n"
     "  -w, --wait     wait until the domain is gone\n"
     "  -r, --reboot   reboot instead of powering off\n"},
    {"mem-set", cmd_mem_set, "set a domain's memory target (its balloon)",
     "Usage: pvctl mem-set DOMAIN SIZE\n"
     "\n"
     "Sets DOMAIN's memory target to SIZE (MiB unless it has a suffix: 64M,\n"
     "65536K, 1G), as xl mem-set does: the target goes to xenstore\n"
     "(memory/target, in KiB), where the guest's balloon driver follows it by\n"
     "giving pages back to the hypervisor or taking them back, and the\n"
     "hypervisor's limit on the domain's pages (XEN_DOMCTL_max_mem) becomes\n"
     "the target plus 1 MiB.  A target above the domain's maximum (maxmem in\n"
     "its config, memory/static-max) is refused.  `pvctl list` shows how far\n"
     "the guest got.\n"},
    {"block-attach", cmd_block_attach, "attach a virtual disk to a domain",
     "Usage: pvctl block-attach DOMAIN DISKSPEC\n"
     "\n"
     "Attaches a raw image to a running DOMAIN, as xl block-attach does:\n"
     "  pvctl block-attach hello disk2.img,raw,xvdb,rw\n"
     "DISKSPEC is a config file's disk entry (see `pvctl create --help`); a\n"
     "relative image path is taken from the current directory.  Returns once\n"
     "the block backend has taken the device; the guest's frontend finds it\n"
     "through its xenstore watch on device/vbd.\n"},
    {"block-detach", cmd_block_detach, "detach a virtual disk from a domain",
     "Usage: pvctl block-detach DOMAIN DEVICE\n"
     "\n"
     "Detaches DEVICE (xvdb, or its number: 51728) from DOMAIN: the backend\n"
     "is set Closing, the guest's frontend closes (up to 10 s; after that the\n"
     "device is removed anyway, with a warning), then the device's xenstore\n"
     "nodes are removed and the block backend lets the image go.\n"},
    {"block-list", cmd_block_list, "list a domain's virtual disks",
     "Usage: pvctl block-list DOMAIN\n"
     "\n"
     "Lists DOMAIN's virtual disks: name, number, backend and frontend\n"
     "xenbus states (4 is Connected), mode and image, and the backend's\n"
     "error if it refused or disconnected one.\n"},
    {"pause", cmd_pause, "pause a domain",
     "Usage: pvctl pause DOMAIN\n"},
    {"unpause", cmd_unpause, "unpause a domain",
     "Usage: pvctl unpause DOMAIN\n"},
    {"console", cmd_console, "attach to a domain's console",
     "Usage: pvctl console [-e] [-l] DOMAIN\n"
     "\n"
     "Prints what DOMAIN has written to its console so far, then its output\n"
     "as it comes, until the domain is gone.  Input goes to the domain's\n"
     "console ring: from a terminal, every key (Ctrl-] detaches); otherwise\n"
     "stdin until it ends.  The output is also kept in the run directory's\n"
     "console/<name>.log; a domain without a ring console gets that file\n"
     "followed.\n"
     "\n"
     "  -e, --eof-exit  once stdin has ended, stop when the console has\n"
     "                  been quiet for half a second\n"
     "  -l, --log       only follow the log file (no input)\n"},
    {"vcpu-list", cmd_vcpu_list, "list the vCPUs of the domains",
     "Usage: pvctl vcpu-list [DOMAIN]\n"
     "\n"
     "Lists each vCPU: its CPU, state (r running, b blocked, p offline) and\n"
     "CPU time.\n"},
    {"sched-credit", cmd_sched_credit, "show or set scheduling weights and caps",
     "Usage: pvctl sched-credit [-d DOMAIN [-w WEIGHT] [-c CAP]]\n"
     "\n"
     "Shows each domain's scheduler weight and cap, or sets them.  Domains\n"
     "share CPU time in proportion to their weights (default 256); a cap is\n"
     "the most CPU a domain may use, in percent of one CPU (0: none).\n"},
    {"top", cmd_top, "show domains' CPU, memory, hypercall and event rates",
     "Usage: pvctl top [-d SECONDS] [-n ITERATIONS] [-b]\n"
     "\n"
     "Like xentop: every domain's state, CPU use (percent of one CPU),\n"
     "memory, vCPUs, and its hypercalls, event-channel sends and receives,\n"
     "traps and emulated page-table writes per second, from the\n"
     "hypervisor's per-domain counters.\n"
     "\n"
     "  -d, --delay S       seconds between updates (default 3)\n"
     "  -n, --iterations N  stop after N updates\n"
     "  -b, --batch         plain output, no screen clearing (the default\n"
     "                      when stdout is not a terminal)\n"},
    {"trace", cmd_trace, "record, report and export hypervisor traces",
     "Usage: pvctl trace record [-d DOM] [-e CLASSES] [-o FILE] [--duration S]\n"
     "                          [--force] [-- COMMAND...]\n"
     "       pvctl trace report FILE [--json] [--sub-ops]\n"
     "       pvctl trace export FILE --format perfetto [-o OUT.json]\n"
     "       pvctl trace live [-d DOM] [--interval S] [--iterations N] [-b]\n"
     "       pvctl trace dump FILE [-d DOMID] [-e CLASSES]\n"
     "\n"
     "record switches the hypervisor's trace buffers on and writes what they\n"
     "hold to FILE (default pvisor.trace) until --duration seconds have\n"
     "passed, COMMAND has exited, or Ctrl-C.  CLASSES is a comma-separated\n"
     "list of hcall, evtchn, trap, ptwr, sched, domain, all (default all);\n"
     "DOM a domain's name or id, or all (default).  Records the buffers\n"
     "could not hold are counted as lost, never dropped silently.\n"
     "\n"
     "report prints, per domain and per hypercall, the count, total and mean\n"
     "time and the 50th/90th/99th percentile latencies, sorted by total time,\n"
     "and counts of the other events; --sub-ops splits hypercalls by their\n"
     "sub-operation (sched_op(block)...), --json prints JSON.\n"
     "\n"
     "export writes Chrome's Trace Event JSON, which ui.perfetto.dev and\n"
     "chrome://tracing open: a track per CPU (which vCPU ran), a track per\n"
     "vCPU (its hypercalls as slices, traps, events), flows from each event\n"
     "channel send to the delivery it caused.\n"
     "\n"
     "live shows hypercalls per second per domain, refreshed every interval\n"
     "(default 1 s), like top.  Only one trace reader at a time.\n"
     "\n"
     "dump prints every record of FILE as a line of text in time order\n"
     "(microseconds since the first record, CPU, dDOMvVCPU, event, its data),\n"
     "only domain DOMID's with -d (and switches to it), only CLASSES with -e.\n"},
    {"network-attach", cmd_network_attach, "give a running domain a vif",
     "Usage: pvctl network-attach DOMAIN [KEY=VALUE[,KEY=VALUE...]...]\n"
     "\n"
     "Adds a network interface to a running domain, as `xl network-attach`:\n"
     "the keys are those of a vif = [...] entry (mac, ip, bridge; a missing\n"
     "mac is generated).  The vif gets the next free number; pvctl writes its\n"
     "frontend and backend nodes and waits (10 s at most) for the guest to\n"
     "connect it, then says whether it did.\n"},
    {"network-detach", cmd_network_detach, "remove a vif from a running domain",
     "Usage: pvctl network-detach DOMAIN DEVID\n"
     "\n"
     "Removes vif DEVID as libxl does: the backend is told to close, the\n"
     "guest's frontend closes its side, and once the backend is Closed (or\n"
     "after 10 s) both xenstore directories are removed.\n"},
    {"network-list", cmd_network_list, "list a domain's vifs",
     "Usage: pvctl network-list DOMAIN\n"
     "\n"
     "Lists the domain's vifs: number, backend domain, MAC address, the\n"
     "backend's xenbus state and the configured IP address.\n"},
    {"__monitor", cmd_monitor, NULL, ""},
    {NULL, NULL, NULL, NULL},
};

void pvctl_err(const char *fmt, ...)
{
    va_list ap;

    fputs("pvctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void pvctl_err_connect(int rc)
{
    char dir[256];

    pvisor_rundir(dir, sizeof(dir));
    if (rc == -ECONNREFUSED)
        pvctl_err("the machine is not up (no link daemon in %s); "
                  "start it with `pvctl up`", dir);
    else if (rc == -EAGAIN)
        pvctl_err("the machine in %s is still booting or shutting down", dir);
    else if (rc == -EPIPE)
        pvctl_err("lost the connection to the link daemon in %s", dir);
    else
        pvctl_err("cannot reach the machine in %s: %s", dir, strerror(-rc));
}

struct pvctrl *pvctl_open_or_die(void)
{
    struct pvctrl *xc;
    int rc = pvctrl_open(NULL, &xc);

    if (rc) {
        pvctl_err_connect(rc);
        exit(1);
    }
    return xc;
}

int pvctl_help(const char *cmd, bool error)
{
    FILE *out = error ? stderr : stdout;

    for (const struct pvctl_cmd *c = pvctl_cmds; c->name; c++)
        if (!strcmp(c->name, cmd)) {
            fputs(c->usage, out);
            return error ? 2 : 0;
        }
    return 2;
}

int64_t pvctl_parse_size(const char *s)
{
    char *end;
    unsigned long long v;

    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || end == s || v > (1ULL << 40))
        return -1;
    switch (*end) {
    case '\0': case 'M': case 'm': v <<= 20; break;
    case 'G': case 'g': v <<= 30; break;
    case 'K': case 'k': v <<= 10; break;
    default: return -1;
    }
    if (*end && end[1] && strcmp(end + 1, "iB") && strcmp(end + 1, "B"))
        return -1;
    return (int64_t)v;
}

const char *pvctl_bindir(void)
{
    static char dir[PATH_MAX];
    ssize_t n;

    if (dir[0])
        return dir;
    n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
    if (n <= 0)
        return ".";
    dir[n] = '\0';
    return dirname(dir);
}

static void usage(FILE *out)
{
    fprintf(out, "Usage: pvctl COMMAND [ARGS...]\n\n"
                 "Manage a pvisor machine (a thin Xen-ABI PV hypervisor on "
                 "QEMU).\n\nCommands:\n");
    for (const struct pvctl_cmd *c = pvctl_cmds; c->name; c++)
        if (c->summary)
            fprintf(out, "  %-13s %s\n", c->name, c->summary);
    fprintf(out, "\n`pvctl COMMAND --help` describes a command.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
        !strcmp(argv[1], "help")) {
        if (argc > 2)
            return pvctl_help(argv[2], false);
        usage(stdout);
        return 0;
    }
    for (const struct pvctl_cmd *c = pvctl_cmds; c->name; c++)
        if (!strcmp(c->name, argv[1])) {
            for (int i = 2; i < argc; i++)
                if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
                    return pvctl_help(c->name, false);
            optind = 1;
            return c->run(argc - 1, argv + 1);
        }
    pvctl_err("unknown command '%s'", argv[1]);
    usage(stderr);
    return 2;
}
