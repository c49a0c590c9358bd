#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 300
# Grant tables between guests (guests/peers/grantshare.c): guest A grants
# guest B a page (and a read-only one), B maps it and both increment a
# counter in it; then mappings live while a domain is destroyed, in both
# directions: the mapper destroyed (A sees its entries go idle and ends
# its grants), the granter destroyed (B's page still works, B unmaps, and
# only then is A gone), and a domain destroyed while it both maps its
# peer's page and has its own mapped (the peer sees its grant go idle and
# its mapping still work); free memory ends exactly where it started.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 17
pvisor_rundir

CFG=$GUESTS/peers/grantshare.cfg
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
grant_of() { sed -n 's/^# grant //p' "$(console_log "$1")"; }

# start_pair A B AMODE BMODE: B created paused, A granting to it, then
# B told where the grants are.
start_pair() {
    "$PVCTL" create -p "$CFG" "name=\"$2\"" "cmdline=\"role=b mode=$4\"" \
        >/dev/null
    local b a
    b=$(domid "$2")
    "$PVCTL" create "$CFG" "name=\"$1\"" \
        "cmdline=\"role=a peer=$b mode=$3\"" >/dev/null
    a=$(domid "$1")
    wait_for 20 eval '[ -n "$(grant_of '"$1"')" ]' || return 1
    xenstore-write "/local/domain/$b/data/grant" "$a $(grant_of "$1")" &&
        "$PVCTL" unpause "$2"
}

check "pvctl up" "$PVCTL" up --memory 256M
free0=$("$DOMINFO" free)
diag "free pages at start: $free0"

check "guest A grants guest B a page" start_pair ga gb share share
check "B maps it, both count to 2000, B unmaps" \
    wait_for 120 eval 'tap_passed "$(console_log gb)"'
check "A saw it in use, then ended its grants" \
    wait_for 30 eval 'tap_passed "$(console_log ga)"'
diag "$(grep -E '^(not )?ok' "$(console_log gb)" | tail -n 4)"

# The mapper destroyed with live mappings.
check "a pair for the mapper's death" start_pair pa pb peer-dies hold
wait_for 60 console_has pb "^# holding"
"$PVCTL" destroy pb >/dev/null
check "B destroyed while mapping: A's entries go idle and it ends its grants" \
    wait_for 120 eval 'tap_passed "$(console_log pa)"'

# The granter destroyed with live mappings.
check "a pair for the granter's death" start_pair qa qb hold hold
wait_for 60 console_has qb "^# holding"
wait_for 20 console_has qa "^# mapped"
qa=$(domid qa)
"$PVCTL" destroy qa >/dev/null
sleep 1
pages=$("$DOMINFO" pages "$qa")
diag "domain $qa after destroy: pages $pages"
check "A destroyed while B maps its page: A is dying, holding that page" \
    test "$pages" -ge 1
xenstore-write "/local/domain/$(domid qb)/data/cmd" unmap
check "B's mapping still works, then unmaps" \
    wait_for 60 eval 'tap_passed "$(console_log qb)"'
check "... and A is gone once the last mapping went" \
    wait_for 20 eval '[ "$("$DOMINFO" pages "$qa")" = none ]'

# Both at once: A maps a page B granted back while B maps A's.
check "a pair mapping each other's pages" start_pair ra rb both both
wait_for 60 console_has rb "^# grant-back "
xenstore-write "/local/domain/$(domid ra)/data/grant-back" \
    "$(sed -n 's/^# grant-back //p' "$(console_log rb)")"
wait_for 20 console_has ra "^# mapped"
ra=$(domid ra)
"$PVCTL" destroy ra >/dev/null
sleep 1
check "A destroyed while both map: A is dying, holding its page" \
    test "$("$DOMINFO" pages "$ra")" -ge 1
xenstore-write "/local/domain/$(domid rb)/data/cmd" unmap
check "B: its grant to A idle, A's page still works, then unmapped" \
    eval 'wait_for 60 eval "tap_passed \"\$(console_log rb)\"" &&
        console_has rb "^ok .* mapping of our page went with it"'
check "... and A is gone once B's mapping went" \
    wait_for 20 eval '[ "$("$DOMINFO" pages "$ra")" = none ]'

check "no domain is left" \
    wait_for 20 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
check "free memory is exactly where it started" \
    wait_for 10 eval '[ "$("$DOMINFO" free)" -eq "$free0" ]'
check "the hypervisor log shows no crash" \
    bash -c "! '$PVCTL' dmesg | grep -qiE 'crashed|panic'"
