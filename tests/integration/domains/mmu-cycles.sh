#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 900
# 1000 create/destroy cycles of a guest that pins its own page tables
# (the workload guest's mode=pt: four address spaces pinned level by
# level, one the user L4, one with a linear entry to the kernel's L4, a
# GDT frame and an LDT in use) leave free memory exactly where it started.
# The domains end at different points: destroyed at once (maybe before or
# while it builds), destroyed once its tables are pinned, destroyed while
# it unpins and pins them in a loop, powering off or crashing with them
# pinned, and built paused then destroyed.  A bystander runs throughout
# and must keep its pages; the reference guest, which builds, switches
# and tears down its own tables, runs before and after.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 11
pvisor_rundir
cycles=${MMU_CYCLES:-1000}

check "pvctl up" "$PVCTL" up --memory 256M
check "a bystander starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="bystander"' 'cmdline="mode=idle period=50"'
wait_for 10 console_has bystander "idle started"
by_id=$(domid bystander)
by_pages=$("$DOMINFO" pages "$by_id")
free0=$("$DOMINFO" free)
diag "free pages at start: $free0; bystander $by_id has $by_pages pages"

check "the reference guest passes its self-test (processes and teardown)" \
    eval '"$PVCTL" create "$GUESTS/hello.cfg" >/dev/null &&
          wait_for 30 console_has hello "^hello: self-test passed" &&
          wait_for 10 not_listed hello'

pinned() { wait_for 10 console_has "$1" "^workload: pt pinned"; }
gone() { wait_for 10 not_listed "$1"; }
fails=0 kinds=(0 0 0 0 0 0)
start=$(date +%s%N)
for i in $(seq "$cycles"); do
    name=pt$i
    kind=$((i % 6))
    kinds[kind]=$((kinds[kind] + 1))
    case $kind in
    0) args=('cmdline="mode=pt"') ;;
    1) args=('cmdline="mode=pt"') ;;
    2) args=('cmdline="mode=pt churn=1"') ;;
    3) args=('cmdline="mode=pt seconds=0"') ;;
    4) args=('cmdline="mode=pt crash=1"') ;;
    5) args=(-p) ;;
    esac
    if [ "$kind" = 5 ]; then
        out=$("$PVCTL" create -p "$GUESTS/workload.cfg" "name=\"$name\"" 2>&1)
    else
        out=$("$PVCTL" create "$GUESTS/workload.cfg" "name=\"$name\"" \
            "${args[@]}" 2>&1)
    fi || { fails=$((fails + 1)); diag "cycle $i create: $out"; continue; }
    case $kind in
    1 | 2) pinned "$name" || { fails=$((fails + 1)); diag "cycle $i: not pinned"; } ;;
    esac
    case $kind in
    3 | 4) gone "$name" || { fails=$((fails + 1)); diag "cycle $i: still there"; } ;;
    *) out=$("$PVCTL" destroy "$name" 2>&1) ||
        { fails=$((fails + 1)); diag "cycle $i destroy: $out"; } ;;
    esac
done
ms=$((($(date +%s%N) - start) / 1000000))
diag "$cycles cycles in $ms ms ($((ms / cycles)) ms each); by kind: ${kinds[*]}"
check "$cycles create/destroy cycles, none failed" test "$fails" -eq 0
check "the guests that pinned and then ended themselves did so as asked" eval \
    'console_has pt3 "^--- domain pt3 \([0-9]+\) shut down: poweroff ---" &&
     console_has pt4 "^--- domain pt4 \([0-9]+\) shut down: crash ---"'
check "the churning guests were pinning and unpinning when destroyed" \
    console_has pt2 "^workload: pt pinned"
check "only the bystander is left" \
    wait_for 10 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 2 ]'
free1=$("$DOMINFO" free)
diag "free pages after: $free1"
check "free memory is exactly where it started" test "$free1" -eq "$free0"
check "the bystander kept its pages and is not crashed" eval \
    '[ "$("$DOMINFO" pages "$by_id")" = "$by_pages" ] &&
     [[ "$(state bystander)" != *c* ]]'
"$PVCTL" destroy bystander >/dev/null
"$PVCTL" create "$GUESTS/hello.cfg" >/dev/null
check "the reference guest still passes its self-test" wait_for 30 eval \
    '[ "$(grep -c "^hello: self-test passed" "$(console_log hello)")" -eq 2 ]'
check "the hypervisor did not panic" \
    bash -c "! '$PVCTL' dmesg | grep -q 'PANIC on CPU'"
