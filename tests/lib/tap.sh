# SPDX-License-Identifier: MIT
#
# TAP helpers for integration tests written in shell.  Source this file,
# call `plan N`, then `ok`/`not_ok`/`skip`/`check` for each result.
# `pvisor_rundir` gives the test a private run directory that is torn down
# (`pvctl down`) when the test exits, whatever happens; the sanitizer
# reports of everything that ran there then count as one more failure.

TAP_N=0
TAP_FAILED=0
PVISOR_TOP=${PVISOR_TOP:-$(cd "$(dirname "$0")" && git rev-parse --show-toplevel)}
BUILD=${BUILD:-build}
PVISOR_BIN=${PVISOR_BIN:-$PVISOR_TOP/$BUILD/san/bin}
PVCTL=$PVISOR_BIN/pvctl
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

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
# Sanitizer reports of every sanitized program run from here on (pvctl,
# linkd and the dom0 services it starts, test tools) go to files of their
# own, $PVISOR_RUNDIR/log/sanitizer.PID, written whole even by a daemon
# that is being stopped (linkd gives its services time to exit).
pvisor_rundir() {
    PVISOR_RUNDIR=$(mktemp -d /tmp/pvisor-test.XXXXXX)
    PVISOR_TESTDIR=$PVISOR_RUNDIR # the test may move PVISOR_RUNDIR below it
    export PVISOR_RUNDIR
    mkdir -p "$PVISOR_RUNDIR/log"
    ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$PVISOR_RUNDIR/log/sanitizer"
    UBSAN_OPTIONS="$UBSAN_OPTIONS:log_path=$PVISOR_RUNDIR/log/sanitizer"
    export ASAN_OPTIONS UBSAN_OPTIONS
    trap pvisor_cleanup EXIT
}

SANITIZER_RE='ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:'

# The test directory's logs with a sanitizer report (ASan, LSan, UBSan):
# the run directories' log/*.log and log/sanitizer.*, not guests' consoles.
sanitizer_logs() {
    find "$PVISOR_TESTDIR" -path '*/console' -prune -o -type f \
        \( -name '*.log' -o -name 'sanitizer.*' \) -print 2>/dev/null |
        sort | xargs -r grep -lE -- "$SANITIZER_RE"
}

# After `pvctl down`: one more result, failed if any log of the run
# directory holds a sanitizer report (each such log named, with its first
# lines).  The result comes after the planned ones, so the test also exits
# non-zero: tests/run counts both.
pvisor_sanitizer_check() {
    local f logs
    logs=$(sanitizer_logs)
    [ -z "$logs" ] && return 0
    TAP_N=$((TAP_N + 1))
    TAP_FAILED=$((TAP_FAILED + 1))
    echo "not ok $TAP_N - no sanitizer reports in the run directory's logs"
    for f in $logs; do
        diag "--- ${f#"$PVISOR_TESTDIR"/}:"
        diag "$(awk -v re="$SANITIZER_RE" '$0 ~ re { p = 1 }
            p && n++ < 25' "$f")"
    done
    return 1
}

pvisor_cleanup() {
    local f
    if [ -n "${PVISOR_RUNDIR:-}" ] && [ -d "$PVISOR_RUNDIR" ]; then
        "$PVCTL" down >/dev/null 2>&1
        [ -n "${PVISOR_TESTDIR:-}" ] && { pvisor_sanitizer_check ||
            failed_sanitizer=1; }
        if [ "$TAP_FAILED" -gt 0 ]; then
            for f in "$PVISOR_RUNDIR"/*.log "$PVISOR_RUNDIR"/log/*; do
                [ -f "$f" ] || continue
                diag "--- $f"
                diag "$(tail -n 40 "$f")"
            done
        fi
        rm -rf "$PVISOR_RUNDIR" ${PVISOR_TESTDIR:+"$PVISOR_TESTDIR"}
    fi
    [ -z "${failed_sanitizer:-}" ] || exit 1
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
