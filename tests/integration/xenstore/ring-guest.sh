#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
#
# The guest side end to end, without a hypervisor: the daemon serves
# xenstore rings through its file backend (--ring-dir), and xs_guest plays
# the toolstack and two guests' xenbus at once: INTRODUCE, requests and
# watch events over the ring, pipelining past the ring size, a bad ring
# index closing only that guest's connection, RELEASE.
source "$(dirname "$0")/xs-lib.bash"

GUEST=$PVISOR_TOP/$BUILD/tests/xenstore/xs_guest
plan 33
XS_RINGS=$(mktemp -d /tmp/xs-rings.XXXXXX)
xs_up --ring-dir "$XS_RINGS"
run_guest() {
    "$GUEST" "$XS_RINGS" "$XS_DIR/socket" "$1" >"$XS_RINGS/out-$1" 2>&1
}
run_guest 3 &
g3=$!
run_guest 4 &
g4=$!
wait $g3
wait $g4
for d in 3 4; do
    while IFS= read -r line; do
        case $line in
        "ok - "*) ok "domain $d: ${line#ok - }" ;;
        "not ok - "*) not_ok "domain $d: ${line#not ok - }" ;;
        *) diag "$line" ;;
        esac
    done <"$XS_RINGS/out-$d"
done
rm -rf "$XS_RINGS"
