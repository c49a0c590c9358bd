#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# The hostile MMU guest (guests/tests/ridiculous-mmu.c) aimed at a real
# bystander: it is given the machine frame of another domain's xenstore
# ring and tries to map it, write it, pin it, copy it, among its other
# attacks on its own tables and the hypervisor's memory.  Every attack
# must fail with Xen's error while two bystanders (one busy, one idle)
# keep running with their memory untouched, and the machine's free memory
# must come back to where it was once the hostile guest is gone.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 12
pvisor_rundir

seconds() { grep -c '^workload: second ' "$(console_log busy)"; }
xs() { XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket "$@"; }

check "pvctl up" "$PVCTL" up --memory 256M
check "a busy bystander starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="busy"' 'cmdline="mode=spin"'
check "an idle bystander starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="idle"' 'cmdline="mode=idle period=100"'
check "both are running" wait_for 10 eval \
    'console_has busy "^workload: second 1," && console_has idle "idle started"'
idle_id=$(domid idle)
busy_id=$(domid busy)
victim=$(xs xenstore-read "/local/domain/$idle_id/store/ring-ref")
pages_idle=$("$DOMINFO" pages "$idle_id")
pages_busy=$("$DOMINFO" pages "$busy_id")
free0=$("$DOMINFO" free)
diag "victim: frame $victim (domain $idle_id's xenstore ring); free $free0"

log=$(console_log test-ridiculous-mmu)
check "the hostile guest is created, aimed at frame $victim" \
    "$PVCTL" create "$GUESTS/tests/ridiculous-mmu.cfg" "cmdline=\"victim=$victim\""
check "... and ends" wait_for 60 console_has test-ridiculous-mmu \
    "$(ended_re test-ridiculous-mmu)"
check "every attack failed as on Xen ($(tap_summary "$log"))" tap_passed "$log"
grep '^not ok' "$log" | while read -r l; do diag "$l"; done
check "... it attacked the bystander's frame" \
    grep -q "^# victim frame $(printf '%#x' "$victim"): another domain's" "$log"
check "it powered off, not crashed" console_has test-ridiculous-mmu \
    "shut down: poweroff ---"

before=$(seconds)
sleep 2
check "the busy bystander kept running" test "$(seconds)" -gt "$before"
check "both bystanders have the pages they had, and their xenstore" eval \
    '[ "$("$DOMINFO" pages "$idle_id")" = "$pages_idle" ] &&
     [ "$("$DOMINFO" pages "$busy_id")" = "$pages_busy" ] &&
     [ "$(xs xenstore-read "/local/domain/$idle_id/name")" = idle ]'
check "free memory is back where it was, the hypervisor unharmed" eval \
    'wait_for 10 not_listed test-ridiculous-mmu &&
     [ "$("$DOMINFO" free)" -eq "$free0" ] && "$PVCTL" info >/dev/null &&
     ! "$PVCTL" dmesg | grep -qiE "panic|crashed"'
"$PVCTL" destroy busy >/dev/null
"$PVCTL" destroy idle >/dev/null
