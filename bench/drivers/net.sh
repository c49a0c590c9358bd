#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Network through pvisor-netback.  Guest to guest: the reference guest's
# net_bench (guests/hello/net.c) against another reference guest's UDP
# echo service: the median of 200 ping round trips, then 2000 datagrams
# of 1472 bytes (full 1500-byte IP packets) with up to 32 outstanding,
# each echoed: packets/s and MB/s each way.  Guest to dom0: the same
# against a UDP echo server on the host behind a TAP uplink (if
# /dev/net/tun works here).  Baseline in the same run: the same client
# and echo server on the host's loopback (bench/drivers/udp_echo.py).
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
here=$(dirname "$0")
n=${BENCH_DGRAMS:-2000}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
tapdev=pvb$$
pids=
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null; done
    "$bin/pvctl" down >/dev/null 2>&1
    ip link del "$tapdev" 2>/dev/null
    rm -rf "$PVISOR_RUNDIR"
}
trap cleanup EXIT

# waitlog NAME REGEX SECONDS
waitlog() {
    for _ in $(seq $(($3 * 10))); do
        grep -qE "$2" "$PVISOR_RUNDIR/console/$1.log" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# Baseline: host loopback.
python3 "$here/udp_echo.py" serve 127.0.0.1 17007 & pids="$pids $!"
sleep 0.3
base=$(python3 "$here/udp_echo.py" bench 127.0.0.1 17007 "$n" 200)
echo "$base"
base_rtt=$(sed -n 's/.*round trip.*median \([0-9]*\) ns/\1/p' <<<"$base")
base_pps=$(sed -n 's/.*: \([0-9]*\) packets\/s.*/\1/p' <<<"$base")

# ratio TAG LOG: the guest's figures against the loopback baseline.
ratio() {
    local rtt pps
    rtt=$(sed -n 's/^hello: net_bench ping.*median \([0-9]*\) ns/\1/p' "$2")
    pps=$(sed -n 's/^hello: net_bench udp.*: \([0-9]*\) packets\/s.*/\1/p' "$2")
    [ -n "$rtt" ] && [ -n "$pps" ] && [ -n "$base_rtt" ] && [ -n "$base_pps" ] &&
        awk -v t="$1" -v r="$rtt" -v p="$pps" -v br="$base_rtt" -v bp="$base_pps" \
            'BEGIN { printf "%s: round trip %.1fx the host loopback, packets/s %.3f of it\n", t, r / br, p / bp }'
}

"$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }
"$bin/pvctl" create "$top/guests/hello.cfg" 'name="echo"' \
    "vif=['ip=10.0.0.1']" 'cmdline="procs=0 linger=120"' >/dev/null
waitlog echo "^hello: vif 0 up" 20 || { echo "the echo guest has no vif"; exit 1; }
"$bin/pvctl" create "$top/guests/hello.cfg" 'name="client"' \
    "vif=['ip=10.0.0.2']" \
    "cmdline=\"procs=0 net_bench=10.0.0.1 bench_dgrams=$n\"" >/dev/null
waitlog client "^hello: net_bench udp" 90 || echo "guest to guest did not finish"
grep -E "^hello: net_bench" "$PVISOR_RUNDIR/console/client.log" |
    sed 's/^hello: net_bench /guest-guest /'
ratio guest-guest "$PVISOR_RUNDIR/console/client.log"

if [ -c /dev/net/tun ] && ip tuntap add dev "$tapdev" mode tap 2>/dev/null; then
    ip tuntap del dev "$tapdev" mode tap
    "$bin/pvctl" create "$top/guests/hello.cfg" 'name="client2"' -p \
        "vif=['ip=10.0.19.2,bridge=$tapdev']" \
        "cmdline=\"procs=0 net_bench=10.0.19.1 bench_dgrams=$n\"" >/dev/null
    for _ in $(seq 100); do ip link show "$tapdev" >/dev/null 2>&1 && break; sleep 0.1; done
    ip addr add 10.0.19.1/24 dev "$tapdev"
    ip link set "$tapdev" up
    python3 "$here/udp_echo.py" serve 10.0.19.1 7 & pids="$pids $!"
    sleep 0.3
    "$bin/pvctl" unpause client2
    waitlog client2 "^hello: net_bench udp" 90 || echo "guest to dom0 did not finish"
    grep -E "^hello: net_bench" "$PVISOR_RUNDIR/console/client2.log" |
        sed 's/^hello: net_bench /guest-dom0 /'
    ratio guest-dom0 "$PVISOR_RUNDIR/console/client2.log"
else
    echo "guest-dom0: skipped (cannot create TAP devices here)"
fi
