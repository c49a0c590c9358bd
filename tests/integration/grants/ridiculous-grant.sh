#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# The hostile grant-table guest (guests/tests/ridiculous-grant.c), with a
# victim: another guest's grant made to domain 0, which the hostile guest
# tries to map and copy.  Every case must be refused with Xen's status,
# the victim's grant must stay unused, and nothing else is disturbed.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 7
pvisor_rundir

check "pvctl up" "$PVCTL" up --memory 256M
free0=$("$DOMINFO" free)

# The victim grants two pages to domain 0 and waits for a mapper.
"$PVCTL" create "$GUESTS/peers/grantshare.cfg" 'name="victim"' \
    'cmdline="role=a peer=0 mode=hold"' >/dev/null
wait_for 20 console_has victim "^# grant "
vref=$(sed -n 's/^# grant \([0-9]*\) .*/\1/p' "$(console_log victim)")
v=$(domid victim)
check "the victim granted a page to domain 0 (ref $vref)" test -n "$vref"

"$PVCTL" create "$GUESTS/tests/ridiculous-grant.cfg" \
    "cmdline=\"victim=$v ref=$vref\"" >/dev/null
log=$(console_log test-ridiculous-grant)
check "the hostile guest ran to its end" \
    wait_for 60 console_has test-ridiculous-grant \
    "$(ended_re test-ridiculous-grant)"
check "every case refused as Xen refuses it ($(tap_summary "$log"))" \
    tap_passed "$log"
grep '^not ok' "$log" | head -n 20 | while read -r l; do diag "$l"; done
check "the victim is still waiting, its grant unused" \
    bash -c "[ \"\$('$PVCTL' list | awk '\$1 == \"victim\"')\" ] && ! grep -q 'peer mapped' '$(console_log victim)'"
"$PVCTL" destroy victim >/dev/null
check "free memory is back where it started" \
    wait_for 20 eval '[ "$("$DOMINFO" free)" -eq "$free0" ]'
check "the hypervisor log shows no crash" \
    bash -c "! '$PVCTL' dmesg | grep -qiE 'crashed|panic'"
