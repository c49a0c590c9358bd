#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host CPU use of an idle pvisor machine (QEMU and every dom0 process of
# its run directory), with no guest -- the baseline, measured in the same
# run -- then with 10 idle guests (tickless: one wake-up a second each),
# then with the same 10 guests ticking at 100 Hz like a kernel with a
# periodic timer.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
secs=${BENCH_SECONDS:-10}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT
hz=$(getconf CLK_TCK)

# CPU ticks (user + system) of every process of this machine: those with
# the run directory on their command line (QEMU, the daemons) or in their
# environment (the per-domain monitors).
ticks() {
    local total=0 pid
    for pid in $( { pgrep -f -- "$PVISOR_RUNDIR"
                    grep -lzx "PVISOR_RUNDIR=$PVISOR_RUNDIR" /proc/[0-9]*/environ 2>/dev/null |
                        cut -d/ -f3; } | sort -u); do
        [ -r "/proc/$pid/stat" ] || continue
        total=$((total + $(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)))
    done
    echo "$total"
}

# percent of one host CPU over $secs seconds
measure() {
    local t0 t1
    sleep 1
    t0=$(ticks)
    sleep "$secs"
    t1=$(ticks)
    awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.1f", d * 100 / hz / s }'
}

"$bin/pvctl" up --memory 512M >/dev/null || { echo "pvctl up failed"; exit 1; }
idle=$(measure)
for i in $(seq 10); do
    "$bin/pvctl" create "$top/guests/workload.cfg" "name=\"idle$i\"" \
        'cmdline="mode=idle period=1000"' >/dev/null || exit 1
done
ten=$(measure)
for i in $(seq 10); do "$bin/pvctl" destroy "idle$i" >/dev/null; done
for i in $(seq 10); do
    "$bin/pvctl" create "$top/guests/workload.cfg" "name=\"tick$i\"" \
        'cmdline="mode=idle period=10"' >/dev/null || exit 1
done
tick=$(measure)
echo "host CPU use over $secs s (percent of one host CPU; QEMU and the dom0 daemons):"
printf '  10 idle guests, tickless (1 Hz)    : %6s %%\n' "$ten"
printf '  10 idle guests ticking at 100 Hz   : %6s %%\n' "$tick"
printf '  baseline: machine with no guests   : %6s %%\n' "$idle"
awk -v a="$ten" -v b="$idle" 'BEGIN { printf "  ratio (tickless guests / none)     : %6.1fx\n", (b > 0 ? a / b : 0) }'
