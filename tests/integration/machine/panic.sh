#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# A deliberate hypervisor fault (the crash= boot option) produces a panic
# report naming the exception, with registers and a stack trace, and
# `pvctl up` reports the failure instead of hanging.
. "$(dirname "$0")/../../lib/tap.sh"
plan 13
pvisor_rundir

try_crash() { # what expected-name
    local start end out rc
    start=$(date +%s)
    out=$(timeout 90 "$PVCTL" up --memory 256M --cmdline "crash=$1" 2>&1)
    rc=$?
    end=$(date +%s)
    check "crash=$1: pvctl up fails (status 1, not a hang)" test $rc -eq 1
    check "crash=$1: the report names '$2'" grep -q -- "PANIC on CPU 0: $2" <<<"$out"
    check "crash=$1: registers and a symbolised stack trace" \
        grep -q -e "Stack trace:" -e "start_pvisor+" <<<"$out"
    diag "$(grep -A3 PANIC <<<"$out")"
    [ $((end - start)) -lt 60 ] || diag "crash=$1 took $((end - start)) s"
}

try_crash pf "#PF page fault in the hypervisor"
out=$(cat "$PVISOR_RUNDIR/log/hypervisor.log")
check "crash=pf: the faulting address is reported" \
    grep -q "Faulting address (CR2): 00007ead0000dead \[not present, write" <<<"$out"
try_crash df "#DF double fault in the hypervisor"
try_crash ud "#UD invalid opcode in the hypervisor"
check "no machine or daemon is left running after the panics" \
    pvisor_nothing_running
out=$(timeout 90 "$PVCTL" up --memory 256M --cmdline "crash=panic" 2>&1)
check "crash=panic: a panic() message reaches pvctl" \
    grep -q "PANIC on CPU 0: deliberate panic (crash=panic)" <<<"$out"
check "and the machine boots normally without the option" \
    "$PVCTL" up --memory 256M
