#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# Crash containment: guests that crash themselves -- an unhandled page
# fault, and an iret hypercall whose frame cannot be read (an argument
# error Xen treats as fatal) -- are crashed and destroyed, or preserved
# with on_crash = "preserve", with their registers logged, while two other
# domains (one busy, one idle) keep running throughout.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 17
pvisor_rundir

seconds() { grep -c '^workload: second ' "$(console_log busy)"; }

check "pvctl up" "$PVCTL" up --memory 256M
check "a busy bystander starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="busy"' 'cmdline="mode=spin"'
check "an idle bystander starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="idle"' 'cmdline="mode=idle period=100"'
check "both are running" wait_for 10 eval \
    'console_has busy "^workload: second 1," && console_has idle "idle started"'

check "a guest faulting with no trap table is created" \
    "$PVCTL" create "$GUESTS/tests/crash.cfg"
check "... is crashed for its unhandled #PF" wait_for 20 console_has test-crash \
    "^--- domain test-crash \([0-9]+\) crashed: unhandled #PF"
check "... and destroyed (on_crash = destroy)" wait_for 20 console_has \
    test-crash "^--- domain test-crash \([0-9]+\) destroyed ---"

check "a guest making a fatal iret hypercall is created" \
    "$PVCTL" create "$GUESTS/tests/crash.cfg" 'name="crash-iret"' \
    'cmdline="how=iret"'
check "... is crashed by the iret" wait_for 20 console_has crash-iret \
    "^--- domain crash-iret \([0-9]+\) crashed: iret: "
check "... and destroyed" wait_for 20 console_has crash-iret \
    "^--- domain crash-iret \([0-9]+\) destroyed ---"

check "a crashing guest with on_crash = preserve is created" \
    "$PVCTL" create "$GUESTS/tests/crash-preserve.cfg"
check "... shuts down with reason crash" wait_for 20 console_has \
    test-crash-preserve "shut down: crash ---"
sleep 0.5
check "... and stays, in state c" eval '[[ "$(state test-crash-preserve)" == *c* ]]'
id=$(domid test-crash-preserve)
check "its registers are in the hypervisor log" \
    eval '"$PVCTL" dmesg | grep -qE "^\[ *[0-9.]+\] d${id}v0 kernel mode: rip e033:"'

before=$(seconds)
sleep 3
after=$(seconds)
diag "busy bystander: $before seconds reported before, $after after 3 s more"
check "the busy bystander kept running through all of it" \
    test "$after" -ge $((before + 2))
check "both bystanders are still listed, neither crashed" eval \
    '[[ "$(state busy)" != *c* && "$(state idle)" != *c* && -n "$(domid idle)" ]]'
"$PVCTL" destroy test-crash-preserve >/dev/null
"$PVCTL" destroy busy >/dev/null
"$PVCTL" destroy idle >/dev/null
check "everything destroys cleanly: only Domain-0 is left" \
    wait_for 10 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
