# SPDX-License-Identifier: MIT
#
# Helpers for tests that run domains (source after tap.sh): waiting on
# console logs and on `pvctl list`, and the exact figures of dominfo.

DOMINFO=$PVISOR_TOP/$BUILD/tests/bin/dominfo
GUESTS=$PVISOR_TOP/guests

# wait_for SECONDS COMMAND...: true once COMMAND succeeds (polled 10/s).
wait_for() {
    local tenths=$(($1 * 10))
    shift
    for _ in $(seq "$tenths"); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

console_log() { echo "$PVISOR_RUNDIR/console/$1.log"; }

# console_has NAME REGEX: the domain's console log has a matching line.
console_has() { grep -qE -- "$2" "$(console_log "$1")" 2>/dev/null; }

# The line pvisor-consoled writes when a domain ends, for the given name.
ended_re() { echo "^--- domain $1 \\([0-9]+\\) (shut down|destroyed)"; }

# domid NAME: the id `pvctl list` shows for NAME (empty if not listed).
domid() { "$PVCTL" list | awk -v n="$1" '$1 == n { print $2 }'; }

# state NAME: the state letters `pvctl list` shows for NAME.
state() { "$PVCTL" list | awk -v n="$1" '$1 == n { print $5 }'; }

listed() { [ -n "$(domid "$1")" ]; }
not_listed() { [ -z "$(domid "$1")" ]; }

# tap_summary LOG: "N ok, M not ok, plan P" of a guest's TAP output.
tap_summary() {
    local log=$1
    printf '%s ok, %s not ok, plan %s\n' \
        "$(grep -c '^ok ' "$log" 2>/dev/null)" \
        "$(grep -c '^not ok ' "$log" 2>/dev/null)" \
        "$(grep -m1 -o '^1\.\.[0-9]*' "$log" 2>/dev/null | cut -c4-)"
}

# tap_passed LOG: the guest printed its plan and every planned test is ok.
tap_passed() {
    local log=$1 plan oks
    plan=$(grep -m1 -o '^1\.\.[0-9]*' "$log" 2>/dev/null | cut -c4-)
    oks=$(grep -c '^ok ' "$log" 2>/dev/null)
    [ -n "$plan" ] && [ "$plan" -gt 0 ] && [ "$oks" -eq "$plan" ] &&
        ! grep -q '^not ok ' "$log"
}
