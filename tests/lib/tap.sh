# SPDX-License-Identifier: MIT
#
# TAP helpers for integration tests written in shell.  Source this file,
# call `plan N`, then `ok`/`not_ok`/`skip`/`check` for each result.
# `pvisor_up` starts a machine in a private run directory that is torn down
# when the test exits, whatever happens.

TAP_N=0
TAP_FAILED=0
PVISOR_TOP=${PVISOR_TOP:-$(cd "$(dirname "$0")" && git rev-parse --show-toplevel)}
BUILD=${BUILD:-build}
PVISOR_BIN=${PVISOR_BIN:-$PVISOR_TOP/$BUILD/san/bin}
PVCTL=$PVISOR_BIN/pvctl
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}

plan() { echo "1..$1"; }
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() {
    TAP_N=$((TAP_N + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_N - $*"
}
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP ${2:-}"; }
diag() { echo "$*" | sed 's/^/# /'; }

# check NAME COMMAND...: one result from a command's exit status; its output
# goes to the log as diagnostics when it fails.
check() {
    local name=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$name"
    else
        not_ok "$name"
        diag "$out"
    fi
}

# A private run directory per test, removed (after `pvctl down`) on exit.
pvisor_rundir() {
    PVISOR_RUNDIR=$(mktemp -d /tmp/pvisor-test.XXXXXX)
    export PVISOR_RUNDIR
    trap pvisor_cleanup EXIT
}

pvisor_cleanup() {
    if [ -n "${PVISOR_RUNDIR:-}" ] && [ -d "$PVISOR_RUNDIR" ]; then
        "$PVCTL" down >/dev/null 2>&1
        if [ "$TAP_FAILED" -gt 0 ]; then
            for f in "$PVISOR_RUNDIR"/*.log "$PVISOR_RUNDIR"/log/*.log; do
                [ -f "$f" ] || continue
                diag "--- $f"
                diag "$(tail -n 40 "$f")"
            done
        fi
        rm -rf "$PVISOR_RUNDIR"
    fi
}

# True once no process's command line mentions the run directory (QEMU, the
# link daemon); waits up to 5 s for processes that are on their way out.
pvisor_nothing_running() {
    for _ in $(seq 50); do
        [ -z "$(pgrep -f -- "$PVISOR_RUNDIR/")" ] && return 0
        sleep 0.1
    done
    pgrep -af -- "$PVISOR_RUNDIR/" | sed 's/^/# still running: /'
    return 1
}
