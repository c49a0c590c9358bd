#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# The xenbus handshake end to end: drivers/common's backend skeleton in a
# test backend (build/tests/bin/xbback-vtest, device class "vtest", no
# ring) on xenstore-lite's libuv client, and the guest's frontend
# (guests/lib/xenbus_dev.c in guests/tests/xenbus-dev.c) over its
# xenstore ring.  The test plays the toolstack with xenstore-utils: it
# writes two devices' nodes (frontend first, "frontend" last, owners and
# read permissions as xl sets them), unpauses the guest, which connects
# and closes both; then removes a backend directory, and offers a device
# whose "frontend" is another domain's.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 14
pvisor_rundir

BACK=$PVISOR_TOP/$BUILD/tests/bin/xbback-vtest
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
blog=$PVISOR_RUNDIR/xbback-vtest.out

check "pvctl up" "$PVCTL" up --memory 256M
"$BACK" "$XENSTORED_PATH" >"$blog" 2>"$blog.err" &
bpid=$!
trap 'kill "$bpid" 2>/dev/null; pvisor_cleanup' EXIT
check "the test backend watches its directory" wait_for 10 grep -q '^ready$' "$blog"

check "pvctl create -p xenbus-dev" "$PVCTL" create -p "$GUESTS/xenbus-dev.cfg"
d=$(domid xenbus-dev)
be=/local/domain/0/backend/vtest/$d
# What xl's device add writes, frontend first.
for id in 0 1; do
    fe=/local/domain/$d/device/vtest/$id
    xenstore-write "$fe/backend" "$be/$id" "$fe/backend-id" 0 "$fe/state" 1
    xenstore-chmod -r "$fe" "n$d" r0
    xenstore-write "$be/$id/frontend-id" "$d" "$be/$id/state" 1
    xenstore-chmod -r "$be" n0 "r$d"
    xenstore-write "$be/$id/frontend" "$fe"
done
check "the backend probes both devices and offers them (InitWait)" \
    wait_for 10 eval '[ "$(xenstore-read "$be/0/state")" = 2 ] &&
        [ "$(xenstore-read "$be/1/state")" = 2 ] &&
        grep -q "^probe $d/0$" "$blog" && grep -q "^probe $d/1$" "$blog" &&
        [ "$(xenstore-read "$be/1/feature-vtest")" = 1 ]'

check "pvctl unpause" "$PVCTL" unpause xenbus-dev
check "the guest walks device/vtest, connects and closes both, all ok" \
    eval 'wait_for 30 console_has xenbus-dev "$(ended_re xenbus-dev)" &&
          tap_passed "$(console_log xenbus-dev)"'
diag "$(tap_summary "$(console_log xenbus-dev)")"
check "its log names both devices" \
    eval 'console_has xenbus-dev "^ok [0-9]+ - vtest/0: connected" &&
          console_has xenbus-dev "^ok [0-9]+ - vtest/1: connected"'
check "the backend connected each with what the guest published" \
    eval 'grep -qE "^connect $d/0 ring-ref=${d}00 event-channel=[0-9]+$" "$blog" &&
          grep -qE "^connect $d/1 ring-ref=${d}01 event-channel=[0-9]+$" "$blog"'
check "the guest closed both: disconnected once each" \
    eval '[ "$(grep -c "^disconnect $d/0$" "$blog")" = 1 ] &&
          [ "$(grep -c "^disconnect $d/1$" "$blog")" = 1 ]'
check "both backend states ended Closed (6)" \
    eval '[ "$(xenstore-read "$be/0/state")" = 6 ] &&
          [ "$(xenstore-read "$be/1/state")" = 6 ]'

# The toolstack removes the backend directory: the devices are forgotten.
xenstore-rm "$be"
check "removing the backend directory removes both devices" \
    wait_for 10 eval 'grep -q "^remove $d/0$" "$blog" && grep -q "^remove $d/1$" "$blog"'

# A device whose frontend path is another domain's: closed, never probed.
xenstore-write /local/domain/0/backend/vtest/77/0/frontend-id 77 \
    /local/domain/0/backend/vtest/77/0/frontend /local/domain/78/device/vtest/0
closed77() { [ "$(xenstore-read /local/domain/0/backend/vtest/77/0/state)" = 6 ]; }
check "a frontend path that is not the domain's own: Closed, not probed" \
    eval 'wait_for 10 closed77 && ! grep -q "^probe 77/0" "$blog" &&
          grep -q "is not the device" "$blog.err"'

kill -TERM "$bpid"
wait "$bpid"
rc=$?
check "the backend ends cleanly on SIGTERM (ASan: no leak)" [ "$rc" = 0 ]
diag "$(cat "$blog.err")"
check "pvctl down" "$PVCTL" down
