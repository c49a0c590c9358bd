#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Block I/O from a guest: the reference guest (disk=bench) through blkfront,
# the blkif ring and pvisor-blkback (grant copy) to a raw image on the
# host's disk -- sequential write of the whole image (128 KiB at a time,
# up to 4 requests of 44 KiB in flight) and a flush, sequential read, then
# random 4 KiB reads and writes one at a time -- against the same I/O done
# directly on the same image by a host program (blkhost.c) in the same
# run.  Prints MB/s and IOPS of both and the guest's share of the host's.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
host=$top/build/bench/data/blkhost
mib=${BENCH_DISK_MIB:-32}
ios=${BENCH_IOS:-2000}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
imgdir=$(mktemp -d /var/tmp/pvisor-bench-disk.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR" "$imgdir"' EXIT

[ -x "$host" ] || { echo "build $host first (make bench)"; exit 1; }
img=$imgdir/bench.img
truncate -s "${mib}M" "$img"
"$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }
"$bin/pvctl" create "$top/guests/hello.cfg" 'name="blkbench"' \
    "cmdline=\"procs=0 disk=bench ios=$ios\"" "disk=['$img,raw,xvda,rw']" \
    >/dev/null || { echo "pvctl create failed"; exit 1; }
log=$PVISOR_RUNDIR/console/blkbench.log
for _ in $(seq 1200); do
    grep -q 'bench disk rand-write-4k\|bench disk failed' "$log" 2>/dev/null && break
    sleep 0.1
done
grep -q 'bench disk rand-write-4k' "$log" || {
    echo "the guest did not finish:"; tail -5 "$log"; exit 1; }
grep -h '^hello: bench disk' "$log"
"$host" "$img" "$ios" >"$imgdir/host.out" || exit 1
cat "$imgdir/host.out"
echo "image: $mib MiB on $(df --output=source,fstype "$imgdir" | tail -1 | tr -s ' ')," \
    "$ios random I/Os each way"
python3 - "$log" "$imgdir/host.out" <<'PY'
import re, sys
def figures(path):
    out = {}
    for line in open(path):
        m = re.search(r"bench disk (\S+) .*: ([\d.]+) (MB/s|IOPS)", line)
        if m:
            out[m.group(1)] = (float(m.group(2)), m.group(3))
    return out
g, h = figures(sys.argv[1]), figures(sys.argv[2])
for k in ("seq-write", "seq-read", "rand-read-4k", "rand-write-4k"):
    if k in g and k in h and h[k][0]:
        print("%-14s guest %10.1f %-4s host %10.1f %-4s guest/host %.3f" %
              (k, g[k][0], g[k][1], h[k][0], h[k][1], g[k][0] / h[k][0]))
PY
