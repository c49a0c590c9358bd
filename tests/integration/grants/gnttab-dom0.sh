#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# Grant tables with domain 0 (libpvctrl's pvgnttab API, tests/integration/
# grants/gnttab_peer.c, and guests/peers/grantshare.c mode=dom0): grant
# copies in and out of a guest's page, a dom0 mapping of it that the
# guest sees in use, dom0's refusals; then a guest destroyed while dom0
# maps its page stays (dying) until dom0 unmaps, and a dom0 client killed
# with a mapping leaves nothing behind; free memory ends where it started.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 11
pvisor_rundir

PEER=$PVISOR_TOP/$BUILD/tests/bin/gnttab_peer
CFG=$GUESTS/peers/grantshare.cfg
grant_of() { sed -n 's/^# grant //p' "$(console_log "$1")"; }

check "pvctl up" "$PVCTL" up --memory 256M
free0=$("$DOMINFO" free)

"$PVCTL" create "$CFG" 'name="g0"' 'cmdline="role=a peer=0 mode=dom0"' >/dev/null
wait_for 20 eval '[ -n "$(grant_of g0)" ]'
read -r ref roref <<<"$(grant_of g0)"
out=$("$PEER" session "$(domid g0)" "$ref" "$roref" 2>&1)
rc=$?
diag "$out"
check "dom0: copy in and out, map, unmap, and the refusals" test $rc -eq 0
check "the guest saw dom0's copy, its mapping in use, then idle" \
    wait_for 30 eval 'tap_passed "$(console_log g0)"'

# A guest destroyed while dom0 maps its page.
"$PVCTL" create "$CFG" 'name="g1"' 'cmdline="role=a peer=0 mode=hold"' >/dev/null
wait_for 20 eval '[ -n "$(grant_of g1)" ]'
read -r ref roref <<<"$(grant_of g1)"
g1=$(domid g1)
"$PEER" hold "$g1" "$ref" "$roref" >"$PVISOR_RUNDIR/hold.out" 2>&1 &
holder=$!
check "dom0 maps the guest's page" wait_for 10 grep -q mapped "$PVISOR_RUNDIR/hold.out"
"$PVCTL" destroy g1 >/dev/null
sleep 1
check "the destroyed guest is dying, its two mapped pages kept" \
    test "$("$DOMINFO" pages "$g1")" -eq 2
kill -USR1 "$holder"
wait "$holder"
rc=$?
diag "$(cat "$PVISOR_RUNDIR/hold.out")"
check "dom0's mapping still works, then unmaps" test $rc -eq 0
check "... and the guest is gone" \
    wait_for 10 eval '[ "$("$DOMINFO" pages "$g1")" = none ]'

# A dom0 client killed with a live mapping.
"$PVCTL" create "$CFG" 'name="g2"' 'cmdline="role=a peer=0 mode=peer-dies"' >/dev/null
wait_for 20 eval '[ -n "$(grant_of g2)" ]'
read -r ref roref <<<"$(grant_of g2)"
"$PEER" hold "$(domid g2)" "$ref" "$roref" >"$PVISOR_RUNDIR/hold2.out" 2>&1 &
holder=$!
wait_for 10 grep -q mapped "$PVISOR_RUNDIR/hold2.out"
kill -9 "$holder"
wait "$holder" 2>/dev/null
check "a dom0 client killed while mapping: the guest sees its entries go idle" \
    wait_for 30 eval 'tap_passed "$(console_log g2)"'
"$PVCTL" destroy g2 >/dev/null 2>&1

check "no domain is left" \
    wait_for 20 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
# Domain 0's map-track page, allocated at its first grant mapping, stays
# (as Xen keeps map-track frames); everything else must be back.
check "free memory is where it started, less dom0's map-track page" \
    wait_for 10 eval '[ "$("$DOMINFO" free)" -eq $((free0 - 1)) ]'
check "the hypervisor log shows no crash" \
    bash -c "! '$PVCTL' dmesg | grep -qiE 'crashed|panic'"
