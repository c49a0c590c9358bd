#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Event channels: round trips and doorbell coalescing.
#
#  - guest <-> guest: guests/peers/pingpong.c role b pings role a over an
#    interdomain channel (send, SCHEDOP_block until the answer), timed
#    with the TSC in the guest; baseline: a null hypercall (xen_version)
#    timed the same way by the same guest just before;
#  - guest <-> dom0: evtchn_peer pingpong (libpvctrl's pvevtchn through
#    the link daemon) pings a role=dom0 guest; baseline: the same host
#    timing a ping-pong of one byte over a pair of pipes;
#  - coalescing: a guest (role=flood) sends COUNT events back to back to
#    a dom0 handle that takes and unmasks them one at a time; the
#    hypervisor rings the PVLINK_BELL_EVENT doorbell only when the daemon
#    has caught up (event_seq/event_ack), so sends per doorbell tells how
#    much the protocol coalesces under load.  Counts come from pvctl info
#    (the daemon's STATUS) before and after; they are domain 0's, for all
#    its ports, so they include the little console and xenstore traffic
#    of the same seconds.
# BENCH_ROUNDS (default 500) round trips each, BENCH_FLOOD (default
# 100000) sends.  Never fails on time.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
build=${BUILD:-build}
peer=$top/$build/tests/bin/evtchn_peer
rounds=${BENCH_ROUNDS:-500}
flood=${BENCH_FLOOD:-100000}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT
cfg=$top/guests/peers/pingpong.cfg
con() { echo "$PVISOR_RUNDIR/console/$1.log"; }
domid() { "$bin/pvctl" list | awk -v n="$1" '$1 == n { print $2 }'; }
wait_line() { # NAME REGEX SECONDS
    for _ in $(seq $(($3 * 10))); do
        grep -qE "$2" "$(con "$1")" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "$1 printed no '$2'; its console ends:"
    tail -n 5 "$(con "$1")" 2>/dev/null
    exit 1
}
us() { awk -v n="$1" 'BEGIN { printf "%.1f", n / 1000 }'; }
info() { "$bin/pvctl" info | awk -v k="$1" '$1 == k { print $3 }'; }

"$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }

# guest <-> guest
"$bin/pvctl" create -p "$cfg" 'name="ga"' "cmdline=\"role=a count=$rounds\"" \
    >/dev/null || exit 1
"$bin/pvctl" create -p "$cfg" 'name="gb"' \
    "cmdline=\"role=b peer=$(domid ga) count=$rounds\"" >/dev/null || exit 1
"$peer" alloc-unbound "$(domid ga)" "$(domid gb)" >/dev/null || exit 1
"$bin/pvctl" unpause ga
"$bin/pvctl" unpause gb
wait_line gb "^# rtt median" 120
read -r gnull_m gnull_p < <(sed -n 's/^# null median \([0-9]*\) ns p99 \([0-9]*\) ns.*/\1 \2/p' "$(con gb)")
read -r gg_m gg_p < <(sed -n 's/^# rtt median \([0-9]*\) ns p99 \([0-9]*\) ns.*/\1 \2/p' "$(con gb)")

# guest <-> dom0
"$bin/pvctl" create "$cfg" 'name="g0"' "cmdline=\"role=dom0 count=$rounds\"" \
    >/dev/null || exit 1
wait_line g0 "^# ping port" 30
port=$(sed -n 's/^# ping port //p' "$(con g0)")
out=$("$peer" pingpong "$(domid g0)" "$port" "$rounds") || {
    echo "dom0 ping-pong failed: $out"
    exit 1
}
read -r gd_m gd_p < <(sed -n 's/^rtt median \([0-9.]*\) us p99 \([0-9.]*\) us/\1 \2/p' <<<"$out")
read -r pipe_m pipe_p < <("$peer" pipe "$rounds" |
    sed -n 's/^pipe rtt median \([0-9.]*\) us p99 \([0-9.]*\) us/\1 \2/p')

# coalescing
"$bin/pvctl" create "$cfg" 'name="gf"' "cmdline=\"role=flood count=$flood\"" \
    >/dev/null || exit 1
wait_line gf "^# flood port" 30
fport=$(sed -n 's/^# flood port //p' "$(con gf)")
seq0=$(info dom0_event_seq) bells0=$(info dom0_event_bells)
scans0=$(info dom0_event_scans) del0=$(info dom0_events_delivered)
dout=$("$peer" drain "$(domid gf)" "$fport" 3000)
wait_line gf "^# flood sent" 60
seq1=$(info dom0_event_seq) bells1=$(info dom0_event_bells)
scans1=$(info dom0_event_scans) del1=$(info dom0_events_delivered)
read -r sent fns < <(sed -n 's/^# flood sent \([0-9]*\) in \([0-9]*\) ns/\1 \2/p' "$(con gf)")
got=$(sed -n 's/^events //p' <<<"$dout")

echo "event-channel round trips, $rounds each (median / p99):"
printf '  guest <-> guest          : %8s / %8s us\n' "$(us "$gg_m")" "$(us "$gg_p")"
printf '    baseline null hypercall: %8s / %8s us (same guest, same run)\n' \
    "$(us "$gnull_m")" "$(us "$gnull_p")"
awk -v a="$gg_m" -v b="$gnull_m" 'BEGIN { printf "    ratio                  : %8.1fx\n", a / b }'
printf '  guest <-> dom0           : %8s / %8s us\n' "$gd_m" "$gd_p"
printf '    baseline host pipe     : %8s / %8s us (two processes, same run)\n' \
    "$pipe_m" "$pipe_p"
awk -v a="$gd_m" -v b="$pipe_m" 'BEGIN { printf "    ratio                  : %8.1fx\n", a / b }'
echo "coalescing: one guest sends $sent events to a dom0 handle, back to back:"
awk -v s="$sent" -v ns="$fns" 'BEGIN { printf "  send rate                : %8.0f sends/s (%.2f us per send)\n", s / (ns / 1e9), ns / 1e3 / s }'
printf '  dom0 port became pending : %8d times (event_seq)\n' $((seq1 - seq0))
printf '  doorbells rung           : %8d\n' $((bells1 - bells0))
printf '  daemon bitmap scans      : %8d\n' $((scans1 - scans0))
printf '  events the handle took   : %8s (one is the bind'"'"'s own)\n' "$got"
printf '  dom0 deliveries, all ports: %7d\n' $((del1 - del0))
awk -v s="$sent" -v b=$((bells1 - bells0)) -v p=$((seq1 - seq0)) 'BEGIN {
    printf "  sends per doorbell       : %8.1f\n", b ? s / b : 0
    printf "  sends per pending edge   : %8.1f\n", p ? s / p : 0 }'
