#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Grant copy throughput from domain 0: GNTTABOP_copy of 64, 1024 and 4096
# bytes out of a guest's granted page into dom0 (16 segments a hypercall,
# through libpvctrl's pvgnttab_grant_copy and its bounce pages in the
# argument window), in MB/s and segments/s, against a host memcpy of the
# same size measured in the same run by the same program.  Then guest to
# guest: a guest grant-copies from another's page into its own, against
# its own memcpy (the guest library's, a plain loop) in the same run.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
peer=$top/build/bench/data/gnttab_peer
secs=${BENCH_SECONDS:-3}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT

[ -x "$peer" ] || { echo "build $peer first (make bench)"; exit 1; }
"$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }
"$bin/pvctl" create "$top/guests/peers/grantshare.cfg" 'name="granter"' \
    'cmdline="role=a peer=0 mode=hold"' >/dev/null
log=$PVISOR_RUNDIR/console/granter.log
for _ in $(seq 100); do
    grep -q '^# grant ' "$log" 2>/dev/null && break
    sleep 0.1
done
read -r ref _ <<<"$(sed -n 's/^# grant //p' "$log")"
[ -n "$ref" ] || { echo "the guest granted nothing"; exit 1; }
dom=$("$bin/pvctl" list | awk '$1 == "granter" { print $2 }')
for size in 64 1024 4096; do
    "$peer" bench "$dom" "$ref" "$size" "$secs" || exit 1
done

# Guest to guest: GNTTABOP_copy with no dom0 link in the way.
"$bin/pvctl" create -p "$top/guests/peers/grantshare.cfg" 'name="copier"' \
    'cmdline="role=b mode=bench"' >/dev/null
b=$("$bin/pvctl" list | awk '$1 == "copier" { print $2 }')
"$bin/pvctl" create "$top/guests/peers/grantshare.cfg" 'name="granter2"' \
    "cmdline=\"role=a peer=$b mode=hold\"" >/dev/null
log2=$PVISOR_RUNDIR/console/granter2.log
for _ in $(seq 100); do
    grep -q '^# grant ' "$log2" 2>/dev/null && break
    sleep 0.1
done
a=$("$bin/pvctl" list | awk '$1 == "granter2" { print $2 }')
XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket \
    xenstore-write "/local/domain/$b/data/grant" "$a $(sed -n 's/^# grant //p' "$log2")"
"$bin/pvctl" unpause copier
log3=$PVISOR_RUNDIR/console/copier.log
for _ in $(seq 300); do
    n=$(grep -c '^# guest grant_copy' "$log3" 2>/dev/null)
    [ "${n:-0}" -eq 3 ] && break
    sleep 0.1
done
grep '^# guest grant_copy' "$log3" | sed 's/^# //'
