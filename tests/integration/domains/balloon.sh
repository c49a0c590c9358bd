#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# Ballooning: `pvctl mem-set` writes memory/target and the hypervisor's
# limit; the reference guest (guests/hello/balloon.c), lingering, follows
# the target with decrease_reservation and populate_physmap.  The domain's
# pages (tot_pages) and the machine's free pages must move by exactly the
# pages the guest says it gave back or took, `pvctl list` must show it,
# and bad requests must be refused with a clear error and change nothing.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 28
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket

mem() { "$PVCTL" list | awk -v n=bal '$1 == n { print $3 }'; }
pages() { "$DOMINFO" pages "$id"; }
target() { xenstore-read "/local/domain/$id/memory/target"; }
# now KIB: the guest's last balloon line ends at KIB.
now() { console_has bal "^hello: balloon: target .*, now $1 KiB"; }

check "pvctl up" "$PVCTL" up --memory 256M
free_empty=$("$DOMINFO" free)
check "the reference guest starts: 32 MiB, maxmem 48 MiB, lingering" \
    "$PVCTL" create "$GUESTS/hello.cfg" 'name="bal"' 'maxmem=48' \
    'cmdline="linger=150"'
check "its balloon watches memory/target" \
    wait_for 20 console_has bal "^hello: watching data/ping and memory/target"
check "... and is at the initial target, 32768 KiB" wait_for 5 now 32768
id=$(domid bal)
pages0=$(pages)
free0=$("$DOMINFO" free)
mem0=$(mem)
diag "domain $id: $pages0 pages, pvctl list $mem0 MiB; $free0 pages free"

res=$("$PVCTL" mem-set bal 16 2>&1)
check "pvctl mem-set bal 16 (MiB by default)" \
    grep -q "^domain $id: memory target 16384 KiB" <<<"$res"
check "memory/target is 16384 (KiB)" eval '[ "$(target)" = 16384 ]'
check "the hypervisor's limit is the target + 1 MiB: 4352 pages" \
    eval '[ "$("$DOMINFO" max "$id")" = 4352 ]'
check "the guest gave back 4096 pages" wait_for 20 console_has bal \
    "^hello: balloon: target 16384 KiB, gave back 4096 pages, now 16384 KiB"
check "its pages went down by 4096" \
    eval '[ "$(pages)" -eq $((pages0 - 4096)) ]'
check "the machine's free pages went up by 4096" \
    eval '[ "$("$DOMINFO" free)" -eq $((free0 + 4096)) ]'
check "pvctl list shows 16 MiB less" eval '[ "$(mem)" -eq $((mem0 - 16)) ]'

check "pvctl mem-set bal 24M" "$PVCTL" mem-set bal 24M
check "the guest took 2048 pages back" wait_for 20 console_has bal \
    "^hello: balloon: target 24576 KiB, took 2048 pages, now 24576 KiB \(6144 pages\)$"
check "its pages and the free pages moved by 2048" eval \
    '[ "$(pages)" -eq $((pages0 - 2048)) ] &&
     [ "$("$DOMINFO" free)" -eq $((free0 + 2048)) ]'

check "pvctl mem-set bal 32768K" "$PVCTL" mem-set bal 32768K
check "the guest is back at 32768 KiB" wait_for 20 console_has bal \
    "^hello: balloon: target 32768 KiB, took 2048 pages, now 32768 KiB \(8192 pages\)$"
check "pages, free pages and pvctl list are where they started" eval \
    '[ "$(pages)" -eq "$pages0" ] && [ "$("$DOMINFO" free)" -eq "$free0" ] &&
     [ "$(mem)" -eq "$mem0" ]'
check "every frame it got back was zeroed" \
    bash -c "! grep -q 'not zeroed' '$(console_log bal)'"

# Above what it booted with, below maxmem: allowed, but the guest has no
# pfns beyond nr_pages and says so; nothing moves.
check "pvctl mem-set bal 40 (above nr_pages, below maxmem)" \
    "$PVCTL" mem-set bal 40
check "the guest stays at 8192 pages and says why" wait_for 20 console_has bal \
    "^hello: balloon: target 40960 KiB, took 0 pages, now 32768 KiB .*no pfns left"
check "its pages did not move" eval '[ "$(pages)" -eq "$pages0" ]'

# Bad requests: refused, clearly, with nothing changed.
res=$("$PVCTL" mem-set bal 64 2>&1)
rc=$?
diag "$res"
check "above maxmem: refused" eval '[ $rc -eq 1 ] &&
    grep -q "above the domain.s maximum of 49152 KiB" <<<"$res"'
res=$("$PVCTL" mem-set nosuch 16 2>&1)
rc=$?
check "an unknown domain: refused" eval \
    '[ $rc -eq 1 ] && grep -q "no domain named .nosuch." <<<"$res"'
res=$("$PVCTL" mem-set bal 12Q 2>&1)
rc=$?
check "a garbage size: refused" eval \
    '[ $rc -eq 1 ] && grep -q "invalid memory size .12Q." <<<"$res"'
res=$("$PVCTL" mem-set bal 2>&1)
rc=$?
check "a missing size: the usage, exit 2" eval \
    '[ $rc -eq 2 ] && grep -q "^Usage: pvctl mem-set DOMAIN SIZE" <<<"$res"'
res=$("$PVCTL" mem-set 0 16 2>&1)
rc=$?
check "domain 0: refused" eval '[ $rc -eq 1 ] && grep -q "not for domain 0" <<<"$res"'
check "... none of them changed memory/target or the limit" eval \
    '[ "$(target)" = 40960 ] && [ "$("$DOMINFO" max "$id")" = $(((40960 + 1024) / 4)) ]'

"$PVCTL" destroy bal >/dev/null
check "destroyed: every page is free again" \
    wait_for 10 eval '[ "$("$DOMINFO" free)" -eq "$free_empty" ]'
