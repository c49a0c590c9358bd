#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `make demo`: boots the pvisor machine, shows what the hypervisor reports
# through real hypercalls, and shuts it down, explaining each step.  Runs
# in a private run directory so it never disturbs a machine you started.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pvctl=$top/build/bin/pvctl
export PVISOR_RUNDIR=${PVISOR_DEMO_RUNDIR:-$(mktemp -d /tmp/pvisor-demo.XXXXXX)}
trap '"$pvctl" down >/dev/null 2>&1' EXIT

bold=$(tput bold 2>/dev/null || true)
off=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
run() { printf '%s$ %s%s\n' "$bold" "$*" "$off"; "$@"; }

say "Booting a QEMU machine (2 CPUs, 512 MiB) running the pvisor hypervisor"
run "$pvctl" up --memory 512M --cpus 2 || exit 1

say "What the hypervisor reports (xen_version and sysctl physinfo hypercalls)"
run "$pvctl" info || exit 1

say "The end of the hypervisor's console log (XEN_SYSCTL_readconsole)"
"$pvctl" dmesg | tail -n 12

say "Shutting down: domain 0 asks the hypervisor to power the machine off"
run "$pvctl" down || exit 1
trap - EXIT

cat <<TXT

${bold}What you just saw${off}
  * 'pvctl up' started pvisor-linkd, which created the machine's RAM as a
    shared memory file, started QEMU (TCG) with the hypervisor image and
    waited for the hypervisor's "ready" doorbell.  The hypervisor booted
    through its PVH entry into long mode, built Xen's 64-bit memory layout,
    calibrated its clocks, started every CPU and set up the dom0 link.
  * 'pvctl info' and 'pvctl dmesg' are domain 0 making real Xen hypercalls
    (xen_version, sysctl): each travels from libpvctrl to the link daemon,
    into a ring in the machine's memory, and a doorbell byte on a virtual
    UART interrupts the hypervisor, which runs the call as domain 0.
  * 'pvctl down' is domain 0 calling SCHEDOP_shutdown: as on Xen, that
    powers the whole machine off.
  Logs of this run: $PVISOR_RUNDIR/log/
TXT
