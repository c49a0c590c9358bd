#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 300
# 100 create/destroy cycles leave free memory exactly where it started:
# domains destroyed while running, while blocked, while paused, and after
# shutting themselves down; then pause/unpause/shutdown of a live domain;
# on_reboot=restart builds a rebooting guest again, its vif keeping the
# MAC it was given (none in its configuration), as xl does.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 14
pvisor_rundir

check "pvctl up" "$PVCTL" up --memory 256M
free0=$("$DOMINFO" free)
diag "free pages at start: $free0"

fails=0
start=$(date +%s%N)
for i in $(seq 100); do
    case $((i % 4)) in
    0) args=('cmdline="mode=spin"') ;;
    1) args=('cmdline="mode=idle"') ;;
    2) args=(-p) ;;
    3) args=('cmdline="mode=idle seconds=0"') ;;
    esac
    if [ "${args[0]}" = -p ]; then
        out=$("$PVCTL" create -p "$GUESTS/workload.cfg" "name=\"cycle$i\"" 2>&1)
    else
        out=$("$PVCTL" create "$GUESTS/workload.cfg" "name=\"cycle$i\"" \
            "${args[@]}" 2>&1)
    fi || { fails=$((fails + 1)); diag "cycle $i create: $out"; continue; }
    out=$("$PVCTL" destroy "cycle$i" 2>&1) ||
        { fails=$((fails + 1)); diag "cycle $i destroy: $out"; }
done
ms=$((($(date +%s%N) - start) / 1000000))
diag "100 cycles in $ms ms"
check "100 create/destroy cycles, none failed" test "$fails" -eq 0
check "no domain is left" \
    wait_for 10 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
free1=$("$DOMINFO" free)
diag "free pages after: $free1"
check "free memory is exactly where it started" test "$free1" -eq "$free0"

# Domains that end themselves, then are destroyed by their monitors.
for i in 1 2 3; do
    "$PVCTL" create "$GUESTS/hello.cfg" "name=\"self$i\"" >/dev/null
done
check "three guests that power off are destroyed by their monitors" \
    wait_for 30 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
check "... and free memory is still where it started" \
    wait_for 5 eval '[ "$("$DOMINFO" free)" -eq "$free0" ]'

"$PVCTL" create "$GUESTS/workload.cfg" 'cmdline="mode=spin"' >/dev/null
wait_for 10 console_has workload "spin started"
check "pvctl pause" "$PVCTL" pause workload
check "a paused domain shows state p" eval '[[ "$(state workload)" == *p* ]]'
check "pvctl unpause" "$PVCTL" unpause workload
check "pvctl shutdown -w stops a guest without a PV control driver" \
    "$PVCTL" shutdown -w workload
check "... with reason poweroff" wait_for 10 console_has workload \
    "shut down: poweroff ---"

# on_reboot = "restart": the monitor destroys the domain and builds it again.
# Created paused, so that the MAC made up for its vif can be read first.
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
vif_mac() { xenstore-read "/local/domain/0/backend/vif/$(domid test-sched-reboot)/0/mac"; }
"$PVCTL" create -p "$GUESTS/tests/sched-reboot.cfg" 'on_reboot="restart"' \
    "vif=['ip=10.0.0.9']" >/dev/null
mac0=$(vif_mac)
diag "vif MAC made up at creation: $mac0"
"$PVCTL" unpause test-sched-reboot
check "on_reboot=restart: the guest that reboots is built again, twice" \
    wait_for 60 eval '[ "$(grep -c "domain test-sched-reboot restarted as" \
        "$PVISOR_RUNDIR/log/domains.log")" -ge 2 ]'
check "... its vif keeps the MAC it was given" eval \
    '[ -n "$mac0" ] && wait_for 10 eval "[ \"\$(vif_mac)\" = $mac0 ]"'
# Between two runs the name may briefly be free: retry until it is found.
wait_for 10 "$PVCTL" destroy test-sched-reboot
check "... and pvctl destroy ends it for good" \
    wait_for 10 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
