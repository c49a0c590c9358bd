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
# and closes both; then removes a backend directory.  A second guest stays
# connected while the backend is killed and started again: the new one
# finds the device, reconnects, and closes it with the guest.  Last, a
# device whose "frontend" is another domain's.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 22
pvisor_rundir

BACK=$PVISOR_TOP/$BUILD/tests/bin/xbback-vtest
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
blog=$PVISOR_RUNDIR/xbback-vtest.out

check "pvctl up" "$PVCTL" up --memory 256M
# start_backend: a backend, its stdout in $blog (new each time), $bpid.
start_backend() {
    "$BACK" "$XENSTORED_PATH" >"$blog" 2>>"$blog.err" &
    bpid=$!
}
stop_backend() {
    kill -TERM "$bpid"
    wait "$bpid"
}
trap 'kill "$bpid" 2>/dev/null; pvisor_cleanup' EXIT
start_backend
check "the test backend watches its directory" wait_for 10 grep -q '^ready$' "$blog"

# add_device DOMID ID: what xl's device add writes, frontend first.
add_device() {
    local fe=/local/domain/$1/device/vtest/$2 be=/local/domain/0/backend/vtest/$1
    xenstore-write "$fe/backend" "$be/$2" "$fe/backend-id" 0 "$fe/state" 1 &&
    xenstore-chmod -r "$fe" "n$1" r0 &&
    xenstore-write "$be/$2/frontend-id" "$1" "$be/$2/state" 1 &&
    xenstore-chmod -r "$be" n0 "r$1" &&
    xenstore-write "$be/$2/frontend" "$fe"
}

check "pvctl create -p xenbus-dev" "$PVCTL" create -p "$GUESTS/xenbus-dev.cfg"
d=$(domid xenbus-dev)
be=/local/domain/0/backend/vtest/$d
check "the toolstack's nodes for two devices" \
    eval 'add_device "$d" 0 && add_device "$d" 1'
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

# A backend restarting under a connected guest.
check "pvctl create -p xenbus-dev with restart=1" \
    "$PVCTL" create -p "$GUESTS/xenbus-dev.cfg" 'name="xb-restart"' \
    'cmdline="restart=1"'
r=$(domid xb-restart)
rbe=/local/domain/0/backend/vtest/$r/0
add_device "$r" 0
"$PVCTL" unpause xb-restart
check "xb-restart connects and waits" \
    wait_for 30 eval 'grep -q "^connect $r/0 ring-ref=${r}00 " "$blog" &&
        console_has xb-restart "waiting for the backend to be restarted"'
stop_backend
rc=$?
check "the backend stops: disconnect and remove, the state left Connected" \
    eval '[ "$rc" = 0 ] && grep -q "^disconnect $r/0$" "$blog" &&
        grep -q "^remove $r/0$" "$blog" &&
        [ "$(xenstore-read "$rbe/state")" = 4 ]'
start_backend
check "a new backend starts" wait_for 10 grep -q '^ready$' "$blog"
check "it finds the device and reconnects with what the guest published" \
    wait_for 10 eval 'grep -q "^probe $r/0$" "$blog" &&
        grep -qE "^connect $r/0 ring-ref=${r}00 event-channel=[0-9]+$" "$blog" &&
        [ "$(xenstore-read "$rbe/state")" = 4 ]'
xenstore-write "/local/domain/$r/data/restarted" 1
check "the guest checks the new backend and closes with it, all ok" \
    eval 'wait_for 30 console_has xb-restart "$(ended_re xb-restart)" &&
          tap_passed "$(console_log xb-restart)"'
diag "$(tap_summary "$(console_log xb-restart)")"
check "the new backend saw the close" \
    eval 'grep -q "^disconnect $r/0$" "$blog" &&
        [ "$(xenstore-read "$rbe/state")" = 6 ]'

# A device whose frontend path is another domain's: closed, never probed.
xenstore-write /local/domain/0/backend/vtest/77/0/frontend-id 77 \
    /local/domain/0/backend/vtest/77/0/frontend /local/domain/78/device/vtest/0
closed77() { [ "$(xenstore-read /local/domain/0/backend/vtest/77/0/state)" = 6 ]; }
check "a frontend path that is not the domain's own: Closed, not probed" \
    eval 'wait_for 10 closed77 && ! grep -q "^probe 77/0" "$blog" &&
          grep -q "is not the device" "$blog.err"'

stop_backend
rc=$?
check "the backend ends cleanly on SIGTERM (ASan: no leak)" [ "$rc" = 0 ]
diag "$(cat "$blog.err")"
check "pvctl down" "$PVCTL" down
