#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What tracing costs a hypercall: the reference guest's null hypercall
# (xen_version, median of batches) with tracing off, with every class on
# for another domain only, and with every class on for the guest itself
# (each call then writes a record) -- in one boot, so the figures compare.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
runs=${BENCH_RUNS:-3}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT

median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
P=$bin/pvctl

# Big enough buffers that the guest's own trace loses nothing.
"$P" up --memory 512M --cmdline "trace_records=262144" >/dev/null ||
    { echo "pvctl up failed"; exit 1; }
"$P" create "$top/guests/workload.cfg" 'name="other"' 'cmdline="mode=idle"' \
    >/dev/null || exit 1

# bench NAME [TRACE-DOMAIN]: one run of hello bench=100000; prints cycles.
bench_run() {
    local name=$1 who=${2:-} log rec=
    log=$PVISOR_RUNDIR/console/$name.log
    "$P" create -p "$top/guests/hello.cfg" "name=\"$name\"" \
        'cmdline="bench=100000"' >/dev/null || return 1
    if [ "$who" = self ]; then who=$name; fi
    if [ -n "$who" ]; then
        "$P" trace record -o "$PVISOR_RUNDIR/$name.trace" -d "$who" \
            --duration 600 >/dev/null 2>&1 &
        rec=$!
        sleep 0.5
    fi
    "$P" unpause "$name"
    for _ in $(seq 600); do
        grep -q "destroyed ---" "$log" 2>/dev/null && break
        sleep 0.1
    done
    if [ -n "$rec" ]; then
        kill -INT "$rec"
        wait "$rec"
    fi
    sed -n 's/.*bench null-hypercall median \([0-9]*\) cycles.*/\1/p' "$log"
}

declare -A cyc
for mode in off other self; do
    vals=()
    for i in $(seq "$runs"); do
        case $mode in
        off) v=$(bench_run "b-$mode-$i") ;;
        other) v=$(bench_run "b-$mode-$i" other) ;;
        self) v=$(bench_run "b-$mode-$i" self) ;;
        esac
        [ -n "$v" ] || { echo "run $mode $i gave no result"; exit 1; }
        vals+=("$v")
    done
    cyc[$mode]=$(printf '%s\n' "${vals[@]}" | median)
    echo "  ($mode: ${vals[*]} cycles)"
done
lost=$("$P" trace report --json "$PVISOR_RUNDIR/b-self-1.trace" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["lost"])')
echo "null hypercall (xen_version) from the reference guest, median of $runs runs:"
printf '  tracing off                        : %6d cycles\n' "${cyc[off]}"
printf '  tracing on for another domain      : %6d cycles\n' "${cyc[other]}"
printf '  tracing on for this domain         : %6d cycles (a record per call; %s lost)\n' "${cyc[self]}" "$lost"
awk -v a="${cyc[off]}" -v b="${cyc[other]}" -v c="${cyc[self]}" 'BEGIN {
    printf "  ratio other / off                  : %6.2fx (%+d cycles)\n", b / a, b - a
    printf "  ratio self / off                   : %6.2fx (%+d cycles per record)\n", c / a, c - a }'
