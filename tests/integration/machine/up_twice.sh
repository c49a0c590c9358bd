#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
# A second `pvctl up` while the machine runs fails clearly and leaves the
# running machine alone; commands against a machine that is not up fail
# clearly too.
. "$(dirname "$0")/../../lib/tap.sh"
plan 9
pvisor_rundir

out=$("$PVCTL" info 2>&1); rc=$?
check "info when not up fails" test $rc -eq 1
check "... saying the machine is not up" grep -q "the machine is not up" <<<"$out"
out=$("$PVCTL" down 2>&1); rc=$?
check "down when not up fails with the same message" \
    test $rc -eq 1 -a -n "$(grep 'not up' <<<"$out")"

check "first pvctl up succeeds" "$PVCTL" up --memory 256M
out=$("$PVCTL" up --memory 256M 2>&1); rc=$?
diag "$out"
check "second pvctl up fails with status 1" test $rc -eq 1
check "... saying it is already up" grep -q "already up" <<<"$out"
check "the first machine still answers" "$PVCTL" info
pids=$(pgrep -f -- "qemu-system-x86_64.*$PVISOR_RUNDIR/" | wc -l)
check "only one QEMU runs for this run directory" test "$pids" -eq 1
check "down" "$PVCTL" down
