#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 110
# Network fault tolerance.  A hostile frontend (guests/tests/net-hostile.c)
# gets a bad grant and an oversized fragment answered with errors, then
# breaks its transmit ring four ways (too many slots, a producer jump, a
# slot crossing its page, an unknown extra-info type): each time its vif
# alone is disconnected (backend Closing, an error node), while two
# reference guests on the same switch keep pinging each other.  Then
# pvisor-netback is killed with SIGKILL in the middle of a ping run: the
# link daemon starts it again, it finds the vifs, reconnects to the same
# rings through the xenbus state machine, and the pings carry on.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 20
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
netback_pid() {
    grep -o "started pvisor-netback (pid [0-9]*" "$PVISOR_RUNDIR/log/linkd.log" |
        tail -n 1 | grep -o "[0-9]*$"
}
be_state() { xenstore-read "/local/domain/0/backend/vif/$1/0/state" 2>/dev/null; }
pings_ok() { # NAME N: the guest's ping check passed with N of N
    console_has "$1" "^hello: check [0-9]+ ok: ping across the vif, 10.0.0.1: $2 of $2"
}

check "pvctl up" "$PVCTL" up --memory 256M
check "guest a (10.0.0.1) lingers on the switch" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="a"' "vif=['ip=10.0.0.1']" \
    'cmdline="linger=90 procs=0"'
check "a's vif is up" wait_for 20 console_has a "^hello: vif 0 up"

for attack in slots prod cross extra; do
    name=h-$attack
    "$PVCTL" create "$GUESTS/tests/net-hostile.cfg" "name=\"$name\"" \
        "cmdline=\"attack=$attack\"" >/dev/null 2>&1
    if wait_for 30 console_has "$name" "$(ended_re "$name")" &&
        tap_passed "$(console_log "$name")"; then
        ok "hostile attack=$attack: errors for bad packets, then its vif disconnected ($(tap_summary "$(console_log "$name")"))"
    else
        not_ok "hostile attack=$attack ($(tap_summary "$(console_log "$name")"))"
        diag "$(grep -E '^(not ok|Bail)' "$(console_log "$name")")"
    fi
    diag "$(grep -E 'error node' "$(console_log "$name")")"
done
check "netback logged each disconnection with its reason" eval \
    '[ "$(grep -c ": disconnecting it$" "$PVISOR_RUNDIR/log/netback.log")" = 4 ]'
check "a's vif stayed connected throughout" eval '[ "$(be_state "$(domid a)")" = 4 ]'
check "guest b pings a after the attacks (5 of 5)" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="b"' "vif=['ip=10.0.0.2']" \
    'cmdline="procs=0 ping=10.0.0.1 count=5"'
check "... all answered" wait_for 30 pings_ok b 5

# kill -9 the backend during a ping run of 40 pings 150 ms apart.
check "guest c starts 40 pings to a, 150 ms apart" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="c"' "vif=['ip=10.0.0.3']" \
    'cmdline="procs=0 ping=10.0.0.1 count=40 interval=150 ping_min=30"'
check "c's pings are under way" wait_for 20 console_has c "^hello: ping 10.0.0.1 seq 5:"
old=$(netback_pid)
check "kill -9 pvisor-netback (pid $old)" kill -9 "$old"
check "the link daemon started it again" wait_for 10 \
    eval '[ -n "$(netback_pid)" ] && [ "$(netback_pid)" != "$old" ]'
check "the new backend reconnected a's and c's vifs" wait_for 10 eval \
    '[ "$(grep -c "vif $(domid a)/0 connected" "$PVISOR_RUNDIR/log/netback.log")" = 2 ] && [ "$(grep -c "vif $(domid c)/0 connected" "$PVISOR_RUNDIR/log/netback.log")" = 2 ]'
check "a's and c's backends are Connected again" \
    eval '[ "$(be_state "$(domid a)")" = 4 ] && [ "$(be_state "$(domid c)")" = 4 ]'
check "c's ping run carried on: at least 30 of 40 answered" wait_for 40 \
    console_has c "^hello: check [0-9]+ ok: ping across the vif, 10.0.0.1: ([3][0-9]|40) of 40"
diag "$(grep -E '^hello: ping 10.0.0.1: ' "$(console_log c)")"
check "... and its last five all were" eval \
    'for s in 36 37 38 39 40; do console_has c "^hello: ping 10.0.0.1 seq $s: [0-9.]+ ms" || exit 1; done'
check "guest d pings a through the restarted backend (5 of 5)" eval \
    '"$PVCTL" create "$GUESTS/hello.cfg" name=\"d\" "vif=[\"ip=10.0.0.4\"]" "cmdline=\"procs=0 ping=10.0.0.1 count=5\"" >/dev/null && wait_for 30 pings_ok d 5'
