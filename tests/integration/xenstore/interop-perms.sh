#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
#
# Permission checks seen through Debian's xenstore-utils: connections on
# xenstore-lite's --domain-socket act as unprivileged domains 5 and 6.
# Denials, what an owner may do, relative paths below /local/domain/N,
# SET_TARGET-free defaults, and watches a domain may not see.
source "$(dirname "$0")/xs-lib.bash"

plan 22
xs_up

xs0 xenstore-write /local/domain/5/name guest5 /local/domain/6/name guest6
xs0 xenstore-chmod /local/domain/5 n5
xs0 xenstore-chmod /local/domain/6 n6 r5
xs0 xenstore-chmod /local/domain/5/name n0 r5
xs0 xenstore-chmod /local/domain/6/name n6

expect "domain 5 reads its name (relative path)" 0 "guest5" "" \
    xs5 xenstore-read name
expect "domain 5 may not write a node dom0 owns" 1 "" \
    "xenstore-write: could not write path name" xs5 xenstore-write name x
expect "domain 5 writes below its own directory" 0 "" "" \
    xs5 xenstore-write data/x 1
expect "...and owns what it created" 0 'x = "1" (n5)' "" \
    xs_lsp "$XS_DIR/socket" /local/domain/5/data
expect "domain 5 may not read dom0's tree" 1 "" \
    "xenstore-read: couldn't read path /tool/xenstored" \
    xs5 xenstore-read /tool/xenstored
expect "a missing node under an unreadable parent is EACCES" 1 "" \
    "xenstore-ls: xs_directory (/tool/nope): Permission denied" \
    xs5 xenstore-ls /tool/nope
expect "domain 5 may not write at the root" 1 "" \
    "xenstore-write: could not write path /evil" xs5 xenstore-write /evil 1
expect "domain 5 may not remove dom0's nodes" 1 "" \
    "xenstore-rm: could not remove path /tool" xs5 xenstore-rm /tool
expect "domain 5 may not chmod dom0's nodes" 1 "" \
    "xenstore-chmod: Error occurred setting permissions on '/local/domain/5/name': Permission denied" \
    xs5 xenstore-chmod /local/domain/5/name b5
expect "domain 5 may not give its node away" 1 "" \
    "xenstore-chmod: Error occurred setting permissions on 'data/x': Operation not permitted" \
    xs5 xenstore-chmod data/x n6
expect "domain 5 may share its node" 0 "" "" xs5 xenstore-chmod data/x n5 r6
expect "domain 6 reads the shared node" 0 "1" "" \
    xs6 xenstore-read /local/domain/5/data/x
expect "domain 6 may not write it" 1 "" \
    "xenstore-write: could not write path /local/domain/5/data/x" \
    xs6 xenstore-write /local/domain/5/data/x 2
expect "domain 5 lists domain 6 (r5 on the directory)" 0 "name" "" \
    xs5 xenstore-list /local/domain/6
expect "domain 5 may not read domain 6's private name" 1 "" \
    "xenstore-read: couldn't read path /local/domain/6/name" \
    xs5 xenstore-read /local/domain/6/name
expect "exists says no to what a domain cannot see" 1 "" "" \
    xs5 xenstore-exists /tool
expect "domain 6 removes its own node" 0 "" "" \
    xs6 xenstore-rm /local/domain/6/name
expect "dom0 sees everything" 0 $'5\n6' "" xs0 xenstore-list /local/domain

# A domain's watch on a subtree it cannot read stays silent.
XENSTORED_PATH=$XS_DIR/d6 timeout 3 xenstore-watch /tool >"$XS_DIR/w6" 2>&1 &
w6=$!
XENSTORED_PATH=$XS_DIR/d5 timeout 10 xenstore-watch -n 2 /local/domain/5/data \
    >"$XS_DIR/w5" 2>&1 &
w5=$!
sleep 0.5
xs0 xenstore-write /tool/secret s
xs0 xenstore-write /local/domain/5/data/y 2
wait $w5
wait $w6
expect "domain 5's watch fires for its subtree" 0 \
    $'/local/domain/5/data\n/local/domain/5/data/y' "" cat "$XS_DIR/w5"
expect "domain 6 saw only the initial event on /tool" 0 "/tool" "" \
    cat "$XS_DIR/w6"
expect "the daemon carries on" 0 "s" "" xs0 xenstore-read /tool/secret
