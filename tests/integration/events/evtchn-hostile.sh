#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# A hostile guest against a victim guest over one interdomain channel
# (guests/peers/evhostile.c): sends on ports it does not have, binds to
# the victim's ports that are not unbound for it and to its port twice,
# exhausts its own port table, closes its end while the victim floods it,
# and is destroyed with the channel bound.  Each attack must be refused
# with Xen's error and disturb nothing: the victim answers throughout,
# sees its port unbound (ECS_UNBOUND, remote the dead guest) after the
# destroy, and a third guest pings domain 0 afterwards.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 10
pvisor_rundir

PEER=$PVISOR_TOP/$BUILD/tests/bin/evtchn_peer
CFG=$GUESTS/peers/evhostile.cfg

check "pvctl up" "$PVCTL" up --memory 256M
"$PVCTL" create -p "$CFG" 'name="victim"' 'cmdline="role=victim rounds=200"' \
    >/dev/null
v=$(domid victim)
"$PVCTL" create -p "$CFG" 'name="hostile"' \
    "cmdline=\"role=hostile peer=$v rounds=200\"" >/dev/null
h=$(domid hostile)
check "dom0 leaves a port of the victim unbound for the hostile guest" \
    "$PEER" alloc-unbound "$v" "$h"
"$PVCTL" unpause victim
"$PVCTL" unpause hostile

check "the hostile guest's attacks are refused as Xen refuses them" \
    wait_for 90 console_has hostile "^# hostile: ready to be destroyed"
diag "$(grep -E '^(not ok|# )' "$(console_log hostile)")"
check "... every check of the hostile guest passed ($(tap_summary "$(console_log hostile)"))" \
    tap_passed "$(console_log hostile)"
check "the victim saw the hostile guest bind again" \
    wait_for 30 console_has victim "^# victim: peer bound again"
check "destroy the hostile guest with the channel bound" \
    "$PVCTL" destroy hostile
check "the victim saw its port released (unbound) and passed" \
    wait_for 60 eval 'tap_passed "$(console_log victim)"'
diag "$(grep -E '^(not ok|# )' "$(console_log victim)")"

# A bystander still talks to domain 0.
"$PVCTL" create "$GUESTS/peers/pingpong.cfg" 'name="by"' \
    'cmdline="role=dom0 count=50"' >/dev/null
wait_for 10 eval '[ -n "$(sed -n "s/^# ping port //p" "$(console_log by)")" ]'
out=$("$PEER" pingpong "$(domid by)" \
    "$(sed -n 's/^# ping port //p' "$(console_log by)")" 50 2>&1)
check "a third guest pings domain 0 50 times afterwards" \
    grep -q "^rounds 50$" <<<"$out"
check "no domain is left" \
    wait_for 20 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
check "the hypervisor log shows no crash" \
    bash -c "! '$PVCTL' dmesg | grep -qiE 'crashed|panic'"
