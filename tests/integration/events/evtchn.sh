#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# Event channels between guests and with domain 0: a guest <-> dom0
# ping-pong through libpvctrl's pvevtchn API, a guest <-> guest ping-pong
# over an interdomain channel, VIRQ_DOM_EXC delivered to domain 0, the
# refusals of domain 0's event handles, and no dom0 port left behind by a
# client that dies or by a domain that is destroyed mid-conversation.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 14
pvisor_rundir

PEER=$PVISOR_TOP/$BUILD/tests/bin/evtchn_peer
CFG=$GUESTS/peers/pingpong.cfg
ping_port() { sed -n 's/^# ping port //p' "$(console_log "$1")"; }

check "pvctl up" "$PVCTL" up --memory 256M
ports0=$("$PEER" ports)

# guest <-> dom0
"$PVCTL" create "$CFG" 'name="g0"' 'cmdline="role=dom0 count=300"' >/dev/null
wait_for 10 eval '[ -n "$(ping_port g0)" ]'
out=$("$PEER" pingpong "$(domid g0)" "$(ping_port g0)" 300 2>&1)
diag "$out"
check "dom0 pings the guest 300 times and gets every answer" \
    grep -q "^rounds 300$" <<<"$out"
check "... and the guest saw 300 events" \
    wait_for 10 console_has g0 "^ok [0-9]+ - 300 events received"
check "... and passed" wait_for 10 eval 'tap_passed "$(console_log g0)"'

# guest <-> guest
"$PVCTL" create -p "$CFG" 'name="ga"' 'cmdline="role=a count=500"' >/dev/null
a=$(domid ga)
"$PVCTL" create -p "$CFG" 'name="gb"' "cmdline=\"role=b peer=$a count=500\"" \
    >/dev/null
b=$(domid gb)
check "dom0 leaves a port of guest A unbound for guest B" "$PEER" alloc-unbound "$a" "$b"
"$PVCTL" unpause ga
"$PVCTL" unpause gb
check "guest B pings guest A 500 times over an interdomain channel" \
    wait_for 60 eval 'tap_passed "$(console_log gb)"'
check "... and guest A answered all of them" \
    wait_for 10 eval 'tap_passed "$(console_log ga)"'
diag "$(grep '^# rtt' "$(console_log gb)")"

# VIRQ_DOM_EXC: xenstore-lite holds it and turns it into @releaseDomain.
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
timeout 30 xenstore-watch -n 2 @releaseDomain >"$PVISOR_RUNDIR/release.out" 2>&1 &
watcher=$!
wait_for 10 grep -q "@releaseDomain" "$PVISOR_RUNDIR/release.out"
"$PVCTL" create "$GUESTS/hello.cfg" >/dev/null
wait "$watcher"
check "VIRQ_DOM_EXC reaches domain 0: xenstore-lite fires @releaseDomain" \
    test $? -eq 0 -a "$(grep -c @releaseDomain "$PVISOR_RUNDIR/release.out")" -eq 2

# The refusals.
"$PVCTL" create "$CFG" 'name="gh"' 'cmdline="role=dom0 count=1"' >/dev/null
wait_for 10 eval '[ -n "$(ping_port gh)" ]'
out=$("$PEER" hostile "$(domid gh)" "$(ping_port gh)" 2>&1)
rc=$?
diag "$out"
check "dom0 handles: other handles' ports, double binds, missing domains," \
    test $rc -eq 0
"$PVCTL" destroy gh >/dev/null

# Nothing left behind.
"$PVCTL" create "$CFG" 'name="gk"' 'cmdline="role=dom0 count=100000"' >/dev/null
wait_for 10 eval '[ -n "$(ping_port gk)" ]'
"$PEER" pingpong "$(domid gk)" "$(ping_port gk)" 100000 >/dev/null 2>&1 &
pp=$!
sleep 2
kill -9 "$pp"
wait "$pp" 2>/dev/null
"$PVCTL" destroy gk >/dev/null
# (xenstore-lite's port for gk's ring goes when gk is released.)
check "a dom0 client killed mid-ping-pong leaves no port bound" \
    wait_for 10 eval '[ "$("$PEER" ports)" -eq "$ports0" ]'

"$PVCTL" create "$CFG" 'name="gd"' 'cmdline="role=dom0 count=100000"' >/dev/null
wait_for 10 eval '[ -n "$(ping_port gd)" ]'
"$PEER" pingpong "$(domid gd)" "$(ping_port gd)" 100000 \
    >"$PVISOR_RUNDIR/gd.out" 2>&1 &
pp=$!
sleep 2
"$PVCTL" destroy gd >/dev/null
wait "$pp"
rc=$?
diag "$(cat "$PVISOR_RUNDIR/gd.out")"
check "a guest destroyed mid-ping-pong: dom0's side times out cleanly" \
    test $rc -eq 1 -a -n "$(grep 'timed out\|Timer expired\|Connection timed out' "$PVISOR_RUNDIR/gd.out")"
check "... and its port is closed with its handle" \
    wait_for 10 eval '[ "$("$PEER" ports)" -eq "$ports0" ]'
check "no domain is left" \
    wait_for 20 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
check "the hypervisor log shows no crash" \
    bash -c "! '$PVCTL' dmesg | grep -qiE 'crashed|panic'"
