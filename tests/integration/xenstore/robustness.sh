#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
#
# Robustness: malformed headers, lengths past the limit, missing NULs,
# unknown types, random bytes, a watcher that stops reading while events
# fire, a client that disconnects mid-transaction, pipelining past the
# outstanding quota, CONTROL and the domain operations - each gets an
# error or a closed connection while every other client keeps working.
# The checks live in the C client build/tests/xenstore/xs_robust.
source "$(dirname "$0")/xs-lib.bash"

ROBUST=$PVISOR_TOP/$BUILD/tests/xenstore/xs_robust
plan 35
xs_up --max-output 262144
while IFS= read -r line; do
    case $line in
    "ok - "*) ok "${line#ok - }" ;;
    "not ok - "*) not_ok "${line#not ok - }" ;;
    *) diag "$line" ;;
    esac
done < <("$ROBUST" "$XS_DIR/socket" "$XS_DIR/d5" 2>&1)
grep -q "hello from xs-robust" "$XS_DIR/log" && ok "CONTROL print reached the log" ||
    not_ok "CONTROL print reached the log"
grep -q "dropped: output queue over limit" "$XS_DIR/log" &&
    ok "the log says why the stuck watcher was dropped" ||
    not_ok "the log says why the stuck watcher was dropped"
