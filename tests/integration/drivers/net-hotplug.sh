#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 110
# Network hot-plug: `pvctl network-attach` gives a running reference guest
# (which watches device/vif) a vif; it connects, and another guest pings
# it; `pvctl network-list` shows it; `pvctl network-detach` closes it the
# libxl way (backend Closing, the frontend closes, backend Closed, nodes
# removed) while the guest keeps running; attached again, it works again.
# Three more detach/attach cycles: the guest's grant entries in use, which
# it prints each time the vif comes up, stay the same (netfront ends its
# grants, the rings' once netback has unmapped them).
# Bad requests are refused with a clear message.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 19
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
ups() { grep -c "^hello: vif 0 up" "$(console_log a)"; }
downs() { grep -c "^hello: vif 0 down" "$(console_log a)"; }
grants() { sed -n 's/^hello: vif 0 up: .*; grants in use \([0-9]*\)$/\1/p' "$(console_log a)"; }

check "pvctl up" "$PVCTL" up --memory 256M
check "guest a starts without a vif, lingering" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="a"' 'cmdline="linger=80 procs=0"'
check "a watches device/vif" wait_for 20 console_has a "^hello: watching"
ida=$(domid a)
res=$("$PVCTL" network-attach a ip=10.0.0.1 mac=00:16:3e:00:00:01 2>&1)
check "pvctl network-attach a ip=10.0.0.1: connected" \
    grep -q "^Attached vif 0 (mac 00:16:3e:00:00:01) to domain $ida: connected" <<<"$res"
diag "$res"
check "a brought the vif up with the address from the backend's ip node" \
    wait_for 10 console_has a "^hello: vif 0 up: mac 00:16:3e:00:00:01 ip 10.0.0.1/24"
check "pvctl network-list a shows it Connected" eval \
    '"$PVCTL" network-list a | grep -qE "^0 +0 +00:16:3e:00:00:01 +Connected +10.0.0.1"'
check "guest b pings a (3 of 3)" "$PVCTL" create "$GUESTS/hello.cfg" \
    'name="b"' "vif=['ip=10.0.0.2']" 'cmdline="procs=0 ping=10.0.0.1 count=3"'
check "... every ping answered" wait_for 30 console_has b \
    "^hello: check [0-9]+ ok: ping across the vif, 10.0.0.1: 3 of 3"

res=$("$PVCTL" network-detach a 0 2>&1)
check "pvctl network-detach a 0" grep -q "^Detached vif 0 from domain $ida" <<<"$res"
diag "$res"
check "a let the vif go when the backend closed it" \
    wait_for 10 console_has a "^hello: vif 0 down \\(the backend closed it\\)"
check "both ends' nodes are gone" eval \
    '! xenstore-exists /local/domain/0/backend/vif/$ida/0 && ! xenstore-exists /local/domain/$ida/device/vif/0'
check "netback disconnected it" grep -q "vif $ida/0 disconnected" \
    "$PVISOR_RUNDIR/log/netback.log"
check "a is still running" eval '[ -n "$(domid a)" ] && ! console_has a "$(ended_re a)"'

check "attached again: connected" eval \
    '"$PVCTL" network-attach a ip=10.0.0.1 | grep -q ": connected$"'
check "a brought it up again" wait_for 10 eval '[ "$(ups)" -ge 2 ]'
check "guest c pings a through the new vif (3 of 3)" eval \
    '"$PVCTL" create "$GUESTS/hello.cfg" name=\"c\" "vif=[\"ip=10.0.0.3\"]" "cmdline=\"procs=0 ping=10.0.0.1 count=3\"" >/dev/null && wait_for 30 console_has c "^hello: check [0-9]+ ok: ping across the vif, 10.0.0.1: 3 of 3"'

for i in 1 2 3; do
    "$PVCTL" network-detach a 0 >/dev/null 2>&1
    wait_for 10 eval '[ "$(downs)" -ge $((i + 1)) ]'
    "$PVCTL" network-attach a ip=10.0.0.1 >/dev/null 2>&1
    wait_for 10 eval '[ "$(ups)" -ge $((i + 2)) ]'
done
check "five connections of a's vif, the same grants in use at each" eval \
    '[ "$(grants | wc -l)" -eq 5 ] && [ "$(grants | sort -u | wc -l)" -eq 1 ]'
diag "grants in use at each vif up: $(grants | tr '\n' ' ')"

res=$("$PVCTL" network-detach a 7 2>&1; "$PVCTL" network-attach a mac=zz 2>&1)
check "detaching a vif that is not there, or a bad mac: refused, clearly" \
    eval 'grep -q "domain $ida has no vif 7" <<<"$res" && grep -q "mac .zz. is not" <<<"$res"'
diag "$res"
res=$("$PVCTL" create "$GUESTS/hello.cfg" 'name="bad"' "vif=['ip=10.0.0.300']" 2>&1)
check "a configuration with a bad vif is refused, saying which" \
    eval '! listed bad && grep -q "vif 0: ip .10.0.0.300. is not" <<<"$res"'
diag "$res"
