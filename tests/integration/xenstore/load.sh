#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 900
#
# Load: XS_LOAD_CLIENTS (100) concurrent clients doing mixed reads,
# writes, removals, transactions, directory listings and watch churn for
# XS_LOAD_SECONDS (3) per round, XS_LOAD_ROUNDS (3) rounds against one
# daemon.  Each round must lose no watch event and see no error but the
# expected EAGAINs (xs_load checks).  After every round the clients are
# gone; the daemon's RSS after the last round must not exceed the RSS
# after the first by more than 10% + 2 MiB (memory flat, no leak).
# The full run recorded in docs/testing.md: XS_LOAD_SECONDS=60.
source "$(dirname "$0")/xs-lib.bash"

LOAD=$PVISOR_TOP/$BUILD/tests/xenstore/xs_load
clients=${XS_LOAD_CLIENTS:-100}
secs=${XS_LOAD_SECONDS:-3}
rounds=${XS_LOAD_ROUNDS:-3}
plan $((rounds + 2))
# A small ASan quarantine, so freed memory is reused and RSS means
# something; leak checking at exit is unchanged.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:quarantine_size_mb=4
xs_up
ulimit -n 4096 2>/dev/null

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$XS_PID/status"; }
diag "daemon RSS before: $(rss) KiB"
first=
for r in $(seq 1 "$rounds"); do
    out=$("$LOAD" "$XS_DIR/socket" "$clients" "$secs" "$r" 2>&1)
    rc=$?
    now=$(rss)
    [ -z "$first" ] && first=$now
    if [ $rc -eq 0 ]; then
        ok "round $r: $clients clients x ${secs}s, no lost events, no errors"
    else
        not_ok "round $r: $clients clients x ${secs}s (exit $rc)"
    fi
    diag "$out"
    diag "daemon RSS after round $r: $now KiB"
done
limit=$((first + first / 10 + 2048))
if [ "$now" -le "$limit" ]; then
    ok "daemon RSS flat after the clients leave ($first -> $now KiB)"
else
    not_ok "daemon RSS flat after the clients leave ($first -> $now KiB)"
fi
