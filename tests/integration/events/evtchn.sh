#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# Event channels between guests and with domain 0: a guest <-> dom0
# ping-pong through libpvctrl's pvevtchn API, a guest <-> guest ping-pong
# over an interdomain channel, a guest's flood of sends coalesced into few
# dom0 doorbells, VIRQ_DOM_EXC delivered to domain 0, the
# refusals of domain 0's event handles, and no dom0 port left behind by a
# client that dies or by a domain that is destroyed mid-conversation.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 17
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

# A guest floods a dom0 handle that takes its events one at a time: the
# sends coalesce into few pending edges (the port stays pending until the
# daemon has delivered it), and the hypervisor rings the event doorbell at
# most once per edge (only when the daemon has acknowledged event_seq).
# The counters are domain 0's, for all its ports, read by `pvctl info`.
info() { "$PVCTL" info | awk -v k="$1" '$1 == k { print $3 }'; }
"$PVCTL" create "$CFG" 'name="gf"' 'cmdline="role=flood count=20000"' >/dev/null
wait_for 10 console_has gf "^# flood port"
fport=$(sed -n 's/^# flood port //p' "$(console_log gf)")
seq0=$(info dom0_event_seq) bells0=$(info dom0_event_bells)
got=$("$PEER" drain "$(domid gf)" "$fport" 2000 | sed -n 's/^events //p')
check "a guest's flood of 20000 sends reaches the dom0 handle" \
    wait_for 10 eval 'tap_passed "$(console_log gf)"'
seq1=$(info dom0_event_seq) bells1=$(info dom0_event_bells)
edges=$((seq1 - seq0)) bells=$((bells1 - bells0))
diag "handle took ${got:-no} events; $edges pending edges, $bells doorbells"
check "... coalesced: the handle took 2..2000 events, dom0 saw < 2000 edges" \
    test "${got:-0}" -ge 2 -a "${got:-0}" -lt 2000 -a "$edges" -lt 2000
check "... at most one doorbell per pending edge (one in flight at the reads)" \
    test "$bells" -ge 1 -a "$bells" -le $((edges + 1))

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
