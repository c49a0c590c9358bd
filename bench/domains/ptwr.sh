#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writable page tables: the cost of one PTE write the hypervisor emulates
# (a store to the guest's read-only L1 entry: #PF, decode, validate,
# install, resume), timed by the ptwr test guest (guests/tests/ptwr.c,
# bench=N: median of batches of 100, TSC) against, in the same boot, the
# same store to an ordinary writable page, mmu_update of the same entry,
# and a #PF bounced to the guest's handler and back.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
runs=${BENCH_RUNS:-5}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
field() { sed -n "s/.*$1 \\([0-9]*\\).*/\\1/p"; }

"$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }
log=$PVISOR_RUNDIR/console/bench-ptwr.log
emul=() bare=() mmu=() fault=() ns=()
for i in $(seq "$runs"); do
    "$bin/pvctl" create "$top/guests/tests/ptwr.cfg" 'name="bench-ptwr"' \
        'cmdline="bench=100000"' >/dev/null || { echo "create failed"; exit 1; }
    for _ in $(seq 600); do
        n=$(grep -c "ptwr: bench" "$log" 2>/dev/null)
        [ "${n:-0}" -ge "$i" ] &&
            grep -q "destroyed ---" <(tail -n 1 "$log") && break
        sleep 0.1
    done
    line=$(grep 'ptwr: bench' "$log" | sed -n "${i}p")
    [ -n "$line" ] || { echo "run $i printed no result"; exit 1; }
    grep -q '^not ok' "$log" && { echo "the test guest failed a check"; exit 1; }
    emul+=("$(field emulated <<<"$line")")
    ns+=("$(sed -n 's/.*emulated [0-9]* (\([0-9]*\) ns).*/\1/p' <<<"$line")")
    bare+=("$(field 'bare store' <<<"$line")")
    mmu+=("$(field mmu_update <<<"$line")")
    fault+=("$(field 'bounced #PF' <<<"$line")")
done
echo "  runs (emulated write, cycles): ${emul[*]}"
e=$(printf '%s\n' "${emul[@]}" | median)
n=$(printf '%s\n' "${ns[@]}" | median)
b=$(printf '%s\n' "${bare[@]}" | median)
m=$(printf '%s\n' "${mmu[@]}" | median)
f=$(printf '%s\n' "${fault[@]}" | median)
batches=$(sed -n 's/.*(\([0-9]* batches of [0-9]*\)).*/\1/p' <<<"$line")
echo "PTE writes from the ptwr test guest, $runs runs of $batches (median):"
printf '  emulated store to a read-only L1 entry  : %8d cycles (%s ns)\n' "$e" "$n"
printf '  baseline: the same store, writable page : %8d cycles\n' "$b"
printf '  mmu_update of the same entry            : %8d cycles\n' "$m"
printf '  a #PF bounced to the guest and back     : %8d cycles\n' "$f"
awk -v e="$e" -v b="$b" -v m="$m" -v f="$f" 'BEGIN {
    printf "  ratio emulated / bare store            : %8.0fx\n", e / b
    printf "  ratio emulated / mmu_update            : %8.1fx\n", e / m
    printf "  ratio emulated / bounced #PF           : %8.2fx\n", e / f }'
