#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 150
# Durability: the reference guest (disk=durable) writes 1 MiB with a
# pattern of its own seed and flushes (BLKIF_OP_FLUSH_DISKCACHE, which
# pvisor-blkback answers only after fdatasync of the image); as soon as
# the guest prints that the flush was acknowledged, the whole machine is
# killed (kill -9 of QEMU), and the block backend with it (kill -9 of
# pvisor-blkback, so nothing it might still hold could reach the file
# later).  The image must hold the data, every time: 20 runs, each with a
# new seed, on one image file.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
RUNS=${BLOCK_DURABILITY_RUNS:-20}
plan $((RUNS + 1))
pvisor_rundir
PAT=$PVISOR_TOP/tests/integration/drivers/blkpattern.py
base=$PVISOR_RUNDIR
img=$base/durable.img
truncate -s 2M "$img"
cat >"$base/d.cfg" <<CFG
name = "dur"
memory = 32
kernel = "$PVISOR_TOP/$BUILD/guests/hello.elf"
disk = ['$img,raw,xvda,rw']
CFG

qemu_pid() { sed -n 's/.*QEMU started (pid \([0-9]*\)).*/\1/p' \
    "$PVISOR_RUNDIR/log/linkd.log" | tail -1; }
blkback_pid() { sed -n 's/.*started pvisor-blkback (pid \([0-9]*\)).*/\1/p' \
    "$PVISOR_RUNDIR/log/linkd.log" | tail -1; }

total_start=$(date +%s.%N)
killed=0
for run in $(seq "$RUNS"); do
    seed=$((run * 7919 + $$))
    export PVISOR_RUNDIR=$base/run$run
    mkdir -p "$PVISOR_RUNDIR"
    why=
    if ! "$PVCTL" up --memory 128M >/dev/null 2>&1; then
        why="pvctl up failed"
    elif ! "$PVCTL" create "$base/d.cfg" \
        "cmdline=\"procs=0 disk=durable seed=$seed linger=60\"" \
        >/dev/null 2>&1; then
        why="pvctl create failed"
    elif ! wait_for 30 console_has dur "^hello: disk: flushed seed $seed\$"; then
        why="no flush acknowledged"
    fi
    pid=$(qemu_pid)
    bpid=$(blkback_pid)
    if [ -z "$why" ] && [ -n "$pid" ] && [ -n "$bpid" ] &&
        kill -9 "$pid" "$bpid" 2>/dev/null; then
        killed=$((killed + 1))
    elif [ -z "$why" ]; then
        why="no QEMU or pvisor-blkback to kill"
    fi
    # What is left of the machine goes (the link daemon sees QEMU die).
    "$PVCTL" down >/dev/null 2>&1
    if [ -n "$why" ]; then
        not_ok "run $run (seed $seed): $why"
        diag "$(tail -n 5 "$(console_log dur)" 2>/dev/null)"
    else
        check "run $run: after kill -9 of QEMU, the image holds seed $seed's 1 MiB" \
            "$PAT" check "$img" "$seed" 2048
    fi
    rm -rf "$PVISOR_RUNDIR"
done
export PVISOR_RUNDIR=$base
secs=$(echo "$(date +%s.%N) - $total_start" | bc)
diag "$RUNS runs in $secs s"
check "QEMU and pvisor-blkback were killed in every run ($killed of $RUNS)" [ "$killed" = "$RUNS" ]
