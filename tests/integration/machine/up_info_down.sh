#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# pvctl up / info / dmesg / down, and up again after down: the figures
# `pvctl info` reports come from real hypercalls and match what was asked.
. "$(dirname "$0")/../../lib/tap.sh"
plan 13
pvisor_rundir

out=$("$PVCTL" up --memory 384M --cpus 1 2>&1)
check "pvctl up succeeds" test $? -eq 0
diag "$out"
check "up reports the version it got from the hypervisor" \
    grep -q "pvisor is up: Xen 4.17.0-pvisor ABI, 1 CPUs, 384 MiB" <<<"$out"

info=$("$PVCTL" info 2>&1)
diag "$info"
field() { awk -F' *: ' -v k="$1" '$1 == k { print $2 }' <<<"$info"; }
check "info: nr_cpus matches --cpus" test "$(field nr_cpus)" = 1
check "info: total_memory matches --memory (MiB)" test "$(field total_memory)" = 384
check "info: free memory is most of it and less than total" \
    test "$(field free_memory)" -gt 300 -a "$(field free_memory)" -lt 384
check "info: xen_version from XENVER_version + extraversion" \
    test "$(field xen_version)" = "4.17.0-pvisor"
check "info: capabilities" test "$(field xen_caps)" = "xen-3.0-x86_64"

dmesg=$("$PVCTL" dmesg 2>&1)
check "dmesg shows the boot banner and readiness" \
    grep -q -e "pvisor .* starting" <<<"$dmesg"
check "dmesg shows the hypervisor became ready" grep -q "pvisor ready" <<<"$dmesg"

check "pvctl down succeeds" "$PVCTL" down
check "down removed the run-time state, kept the logs" \
    test ! -e "$PVISOR_RUNDIR/link.sock" -a ! -e "$PVISOR_RUNDIR/doorbell.sock" \
    -a ! -e "$PVISOR_RUNDIR/linkd.pid" -a -s "$PVISOR_RUNDIR/log/hypervisor.log"
check "no QEMU or link daemon is left for this run directory" \
    pvisor_nothing_running
check "a second pvctl up after down works" "$PVCTL" up --memory 256M
