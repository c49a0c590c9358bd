#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
#
# Debian's xenstore-utils (libxenstore) against xenstore-lite as dom0:
# xenstore-write, -read, -ls, -list, -exists, -rm, -chmod and -watch,
# each checked for exact output and exit status.
source "$(dirname "$0")/xs-lib.bash"

plan 32
xs_up

expect "write two keys" 0 "" "" xs0 xenstore-write /vm/a 1 /vm/b "two words"
expect "read one" 0 "1" "" xs0 xenstore-read /vm/a
expect "read several" 0 $'1\ntwo words' "" xs0 xenstore-read /vm/a /vm/b
expect "read -p prefixes the path" 0 "/vm/b: two words" "" \
    xs0 xenstore-read -p /vm/b
expect "read a missing key" 1 "" "xenstore-read: couldn't read path /vm/nope" \
    xs0 xenstore-read /vm/nope
expect "read an implicit parent" 0 "" "" xs0 xenstore-read /vm
expect "write: usage error" 1 "" \
    "xenstore-write: Usage: xenstore-write [-h] [-s] [-R] key value [...]" \
    xs0 xenstore-write /vm/odd
expect "ls shows the start-up tree" 0 $'tool = ""\n xenstored = ""\nvm = ""\n a = "1"\n b = "two words"' "" \
    xs0 xenstore-ls
expect "ls -f full paths" 0 $'/vm/a = "1"\n/vm/b = "two words"' "" \
    xs0 xenstore-ls -f /vm
expect "ls a missing path" 1 "" \
    "xenstore-ls: xs_directory (/nope): No such file or directory" \
    xs0 xenstore-ls /nope
expect "list children in creation order" 0 $'tool\nvm' "" xs0 xenstore-list /
expect "list -p" 0 $'/vm/a\n/vm/b' "" xs0 xenstore-list -p /vm
expect "list a missing path" 1 "" "xenstore-list: could not list path /nope" \
    xs0 xenstore-list /nope
expect "exists: present" 0 "" "" xs0 xenstore-exists /vm/a
expect "exists: absent" 1 "" "" xs0 xenstore-exists /vm/zz
expect "chmod sets a permission list" 0 "" "" \
    xs0 xenstore-chmod /vm/a n0 r5 w6
expect "ls -p shows it" 0 $'a = "1" (n0,r5,w6)\nb = "two words" (n0)' "" \
    xs_lsp "$XS_DIR/socket" /vm
expect "chmod -r recursive" 0 "" "" xs0 xenstore-chmod -r /vm b5
expect "chmod result" 0 \
    $'tool = "" (n0)\n xenstored = "" (n0)\nvm = "" (b5)\n a = "1" (b5)\n b = "two words" (b5)' "" \
    xs_lsp "$XS_DIR/socket" /
expect "chmod a missing node" 1 "" \
    "xenstore-chmod: Error occurred setting permissions on '/nope': No such file or directory" \
    xs0 xenstore-chmod /nope r0
expect "chmod a bad permission" 1 "" \
    "xenstore-chmod: Invalid permission specification: 'q'" \
    xs0 xenstore-chmod /vm q0
expect "rm a key" 0 "" "" xs0 xenstore-rm /vm/a
expect "rm: gone" 1 "" "" xs0 xenstore-exists /vm/a
expect "rm a missing key below an existing parent" 0 "" "" xs0 xenstore-rm /vm/a
expect "rm below a missing parent" 1 "" "xenstore-rm: could not remove path /x/y" \
    xs0 xenstore-rm /x/y
expect "rm -t tidies empty parents" 0 "" "" xs0 xenstore-rm -t /vm/b
expect "rm -t result" 1 "" "" xs0 xenstore-exists /vm

# A watch fires once at once, then when another client writes.
xs0 xenstore-write /w/init x
XENSTORED_PATH=$XS_DIR/socket timeout 10 xenstore-watch -n 3 /w \
    >"$XS_DIR/watch.out" 2>&1 &
wpid=$!
for i in $(seq 1 50); do
    grep -q '^/w$' "$XS_DIR/watch.out" 2>/dev/null && break
    sleep 0.05
done
xs0 xenstore-write /w/a/b hello
xs0 xenstore-rm /w/init
wait $wpid
expect "watch: initial event, a write below, a removal" 0 \
    $'/w\n/w/a/b\n/w/init' "" cat "$XS_DIR/watch.out"
# Relative watch paths come back relative.
xs0 xenstore-write /local/domain/0/rel 1
XENSTORED_PATH=$XS_DIR/socket timeout 10 xenstore-watch -n 2 rel \
    >"$XS_DIR/watch2.out" 2>&1 &
wpid=$!
for i in $(seq 1 50); do
    grep -q '^rel$' "$XS_DIR/watch2.out" 2>/dev/null && break
    sleep 0.05
done
xs0 xenstore-write /local/domain/0/rel/x 2
wait $wpid
expect "watch: relative path" 0 $'rel\nrel/x' "" cat "$XS_DIR/watch2.out"
expect "daemon still answers" 0 "hello" "" xs0 xenstore-read /w/a/b
# A directory too big for one reply: libxenstore falls back to
# DIRECTORY_PART on E2BIG and pages through it.
names=()
for i in $(seq 1 300); do
    names+=("/big/child-with-a-rather-long-name-$i" "$i")
done
xs0 xenstore-write "${names[@]}"
expect "list a 300-child directory (DIRECTORY_PART paging)" 0 \
    "300 child-with-a-rather-long-name-1 child-with-a-rather-long-name-300" "" \
    bash -c "XENSTORED_PATH=$XS_DIR/socket xenstore-list /big |
        awk 'NR == 1 { f = \$0 } { l = \$0 } END { print NR, f, l }'"
