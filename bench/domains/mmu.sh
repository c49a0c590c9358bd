#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The PV MMU from the reference guest (hello bench_mmu=R, bench_mmu.c):
# mmu_update throughput one update per hypercall and 512 per hypercall,
# against plain stores and null hypercalls timed in the same guest; and
# the time to pin (validate) and unpin a 64 MiB address space, against
# storing its 16384 entries.  Each guest reports medians of R runs; the
# figures below are the medians over the guests.  Never fails on time.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
guests=${BENCH_RUNS:-3}
reps=${BENCH_MMU_REPS:-21}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

"$bin/pvctl" up --memory 512M >/dev/null || { echo "pvctl up failed"; exit 1; }
log=$PVISOR_RUNDIR/console/bench-mmu.log
for i in $(seq "$guests"); do
    "$bin/pvctl" create "$top/guests/hello.cfg" 'name="bench-mmu"' \
        'memory=128' "cmdline=\"procs=0 bench_mmu=$reps\"" >/dev/null ||
        { echo "create failed"; exit 1; }
    for _ in $(seq 1200); do
        n=$(grep -c "destroyed ---" "$log" 2>/dev/null)
        [ "${n:-0}" -ge "$i" ] && break
        sleep 0.1
    done
    [ "$(grep -c 'bench-mmu unpin-64m' "$log")" -ge "$i" ] ||
        { echo "guest $i printed no result"; tail -n 5 "$log"; exit 1; }
done

# field NAME cycles|ns: the median over the guests of that figure.
field() {
    grep "bench-mmu $1 per-op" "$log" |
        sed "s/.*per-op \([0-9]*\) cycles \([0-9]*\) ns.*/\1 \2/" |
        awk -v f="$2" '{ print (f == "cycles" ? $1 : $2) }' | median
}
single=$(field update-single cycles) batch=$(field update-batch cycles)
store=$(field store cycles) null=$(field null-call cycles)
pin=$(field pin-64m cycles) unpin=$(field unpin-64m cycles)
fill=$(field fill-64m cycles)
pin_ns=$(field pin-64m ns)
# The guest's TSC rate, from the figure with the most digits.
hz=$(awk -v c="$pin" -v n="$pin_ns" 'BEGIN { printf "%.0f", c / n * 1e9 }')

echo "  $(grep -m1 'bench-mmu 64 MiB space' "$log" | sed 's/^hello: //')"
echo "mmu_update of 512 entries of a pinned L1, each alternating between two"
echo "frames ($guests guests x $reps runs, medians; TSC $((hz / 1000000)) MHz):"
awk -v s="$single" -v b="$batch" -v st="$store" -v nu="$null" -v hz="$hz" 'BEGIN {
    printf "  one update per hypercall      : %6d cycles/update %10.0f updates/s\n", s, hz / s
    printf "  512 updates per hypercall     : %6d cycles/update %10.0f updates/s (%.1fx the unbatched rate)\n", b, hz / b, s / b
    printf "  baseline: a plain store       : %6d cycles/store  %10.0f stores/s  (batched update / store: %.0fx)\n", st, hz / st, b / st
    printf "  baseline: a null hypercall    : %6d cycles/call   %10.0f calls/s   (unbatched update / null: %.1fx)\n", nu, hz / nu, s / nu
    printf "  validation work per update    : %6d cycles (unbatched minus null), %d (batched)\n", s - nu, b
}'
echo "pinning a 64 MiB address space (L4, L3, L2, 32 L1s; 16384 writable entries):"
awk -v p="$pin" -v u="$unpin" -v f="$fill" -v nu="$null" -v hz="$hz" 'BEGIN {
    printf "  MMUEXT_PIN_L4_TABLE           : %8.3f ms (%.0f cycles per entry)\n", p / hz * 1e3, p / 16384
    printf "  MMUEXT_UNPIN_TABLE            : %8.3f ms (%.0f cycles per entry)\n", u / hz * 1e3, u / 16384
    printf "  baseline: storing the entries : %8.3f ms (%.0f cycles per entry; pin / stores: %.0fx)\n", f * 16384 / hz * 1e3, f, p / (f * 16384)
    printf "  baseline: a null hypercall    : %8.3f ms (%d cycles)\n", nu / hz * 1e3, nu
}'
