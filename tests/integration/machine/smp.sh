#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
# --cpus 2 brings both CPUs up; the TSC and LAPIC timer are calibrated.
. "$(dirname "$0")/../../lib/tap.sh"
plan 6
pvisor_rundir

check "pvctl up --cpus 2" "$PVCTL" up --memory 256M --cpus 2
info=$("$PVCTL" info)
check "info reports 2 CPUs" grep -q "^nr_cpus *: 2$" <<<"$info"
dmesg=$("$PVCTL" dmesg)
diag "$(grep -e SMP -e Time: -e Timer <<<"$dmesg")"
check "dmesg: both CPUs online" grep -q "SMP: 2 of 2 CPUs online" <<<"$dmesg"
check "dmesg: TSC and LAPIC timer calibrated" \
    grep -q "Time: TSC [0-9]*\.[0-9]* MHz (PIT calibration), LAPIC timer" <<<"$dmesg"
mhz=$(awk -F' *: ' '$1 == "cpu_mhz" { print int($2) }' <<<"$info")
host=$(awk -F': ' '/^cpu MHz/ { print int($2); exit }' /proc/cpuinfo)
diag "calibrated ${mhz} MHz, host /proc/cpuinfo says ${host} MHz"
check "the calibrated TSC frequency is within 2% of the host's" \
    test $((mhz * 100)) -gt $((host * 98)) -a $((mhz * 100)) -lt $((host * 102))
check "dmesg: the timer self-test fired" grep -q "Timer self-test: 5 ms one-shot fired" <<<"$dmesg"
