#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 420
# Every test guest (guests/tests/*.cfg), one after another on one machine:
# each prints TAP on its console and must pass every planned test; the
# sched-* variants must end with their own shutdown reason and the crash
# guests must be crashed (destroyed, or preserved for on_crash=preserve),
# ptwr-unhandled with a reason that names the instruction it used.
# TEST_GUESTS='GLOB' (e.g. '*evtchn*') runs only the matching .cfg files.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
cfgs=("$GUESTS"/tests/${TEST_GUESTS:-*}.cfg)
plan $((${#cfgs[@]} + 5))
pvisor_rundir

check "pvctl up" "$PVCTL" up --memory 256M

for cfg in "${cfgs[@]}"; do
    name=$(sed -n 's/^name *= *"\(.*\)"$/\1/p' "$cfg")
    log=$(console_log "$name")
    case $name in
    test-sched-*) want="shut down: ${name#test-sched-}" ;;
    test-crash* | test-ptwr-unhandled) want="shut down: crash" ;;
    *) want="shut down: poweroff" ;;
    esac
    # What the hypervisor's reason must say when it crashes the guest.
    case $name in
    test-ptwr-unhandled) why="ptwr: .* bytes f3 48 ab" ;; # rep stosq
    *) why= ;;
    esac
    if ! out=$("$PVCTL" create "$cfg" 2>&1); then
        not_ok "$name: pvctl create"
        diag "$out"
        continue
    fi
    if ! wait_for 60 console_has "$name" "$(ended_re "$name")"; then
        not_ok "$name: did not end within 60 s ($(tap_summary "$log"))"
        diag "$(tail -n 5 "$log" 2>/dev/null)"
        "$PVCTL" destroy "$name" >/dev/null 2>&1
        continue
    fi
    # The end lines follow the guest's last output (pvisor-consoled).
    ends=$(grep -E "^--- domain $name " "$log" | tr '\n' ' ')
    case $name in
    test-crash* | test-ptwr-unhandled)
        if tap_passed "$log" && grep -qE -- "crashed: $why" <<<"$ends" &&
            grep -q "$want" <<<"$ends"; then
            ok "$name: crashed as it should ($(tap_summary "$log"))"
        else
            not_ok "$name: $(tap_summary "$log"); end: $ends"
        fi
        ;;
    *)
        if tap_passed "$log" && grep -q "$want ---" <<<"$ends"; then
            ok "$name: $(tap_summary "$log"), $want"
        else
            not_ok "$name: $(tap_summary "$log"); end: $ends (want $want)"
            diag "$(grep '^not ok' "$log")"
        fi
        ;;
    esac
    if [ "$name" = test-crash-preserve ]; then
        preserved_state=$(state "$name")
        diag "test-crash-preserve state: $preserved_state"
    fi
    [ "$name" = test-crash-preserve ] || wait_for 10 not_listed "$name"
done

if [ -f "$GUESTS/tests/crash-preserve.cfg" ] &&
    [[ " ${cfgs[*]} " == *"/crash-preserve.cfg "* ]]; then
    check "test-crash-preserve was kept, crashed (state c)" \
        grep -q 'c' <<<"${preserved_state:-none}"
    check "pvctl destroy removes the preserved domain" \
        "$PVCTL" destroy test-crash-preserve
else
    skip "test-crash-preserve was kept" "not selected by TEST_GUESTS"
    skip "pvctl destroy removes the preserved domain" "not selected"
fi
check "only Domain-0 is left" \
    wait_for 10 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
check "the hypervisor is alive and well (pvctl info)" "$PVCTL" info
