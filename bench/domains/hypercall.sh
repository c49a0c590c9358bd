#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The null hypercall round trip from the reference guest (xen_version
# through its hypercall page, median of batches), as a ratio to the bare
# syscall/sysretq round trip the hypervisor timed at boot in the same
# machine: the cost pvisor adds to the transition itself.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
runs=${BENCH_RUNS:-5}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

"$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }
base=$("$bin/pvctl" dmesg | sed -n 's/.*Baseline: syscall\/sysretq round trip \([0-9]*\) cycles.*/\1/p')
[ -n "$base" ] || { echo "no baseline in the hypervisor log"; exit 1; }
log=$PVISOR_RUNDIR/console/bench.log
cycles=() ns=()
for i in $(seq "$runs"); do
    "$bin/pvctl" create "$top/guests/hello.cfg" 'name="bench"' \
        'cmdline="bench=100000"' >/dev/null || { echo "create failed"; exit 1; }
    for _ in $(seq 600); do
        [ "$(grep -c "bench null-hypercall" "$log" 2>/dev/null || echo 0)" -ge "$i" ] &&
            grep -q "destroyed ---" <(tail -n 1 "$log") && break
        sleep 0.1
    done
    line=$(grep 'bench null-hypercall' "$log" | sed -n "${i}p")
    [ -n "$line" ] || { echo "run $i printed no result"; exit 1; }
    cycles+=("$(sed 's/.*median \([0-9]*\) cycles.*/\1/' <<<"$line")")
    ns+=("$(sed 's/.*cycles \([0-9.]*\) us.*/\1/' <<<"$line")")
done
echo "  runs (cycles): ${cycles[*]}"
c=$(printf '%s\n' "${cycles[@]}" | median)
u=$(printf '%s\n' "${ns[@]}" | median)
echo "null hypercall from the reference guest, $runs runs of 100000 (median):"
printf '  xen_version via the hypercall page : %8d cycles (%s us)\n' "$c" "$u"
printf '  baseline: bare syscall/sysretq     : %8d cycles (timed at boot)\n' "$base"
awk -v c="$c" -v b="$base" 'BEGIN { printf "  ratio                              : %8.1fx (%d cycles of hypervisor work per call)\n", c / b, c - b }'
