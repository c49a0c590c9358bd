#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Boot time: `pvctl up` until the hypervisor answers its first hypercall,
# against QEMU starting and exiting with an empty PVH kernel (the fixed
# cost of the machine itself), measured in the same run.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
runs=${BENCH_RUNS:-10}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT

ms() { date +%s%N | awk '{ printf "%.1f", $1 / 1e6 }'; }
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

base=() up=()
for i in $(seq "$runs"); do
    t0=$(ms)
    qemu-system-x86_64 -accel tcg -machine pc -m 256M -cpu max \
        -bios /usr/share/qemu/qboot.rom -nodefaults -no-user-config \
        -display none -no-reboot -serial none \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$top/build/bench/data/pvh-exit.elf" >/dev/null 2>&1
    t1=$(ms)
    base+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")

    t0=$(ms)
    "$bin/pvctl" up --memory 256M >/dev/null || { echo "pvctl up failed"; exit 1; }
    t1=$(ms)
    up+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')")
    "$bin/pvctl" down >/dev/null
done
b=$(printf '%s\n' "${base[@]}" | median)
u=$(printf '%s\n' "${up[@]}" | median)
echo "boot time over $runs runs (median):"
printf '  pvctl up to first hypercall answer : %8.1f ms\n' "$u"
printf '  baseline: QEMU + empty PVH kernel  : %8.1f ms\n' "$b"
awk -v u="$u" -v b="$b" 'BEGIN { printf "  ratio                              : %8.2fx (%.1f ms for the hypervisor, daemon and first call)\n", u / b, u - b }'
