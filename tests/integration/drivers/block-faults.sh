#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
# Block fault tolerance.
#  1. pvisor-blkback is killed (kill -9), four times, while the reference guest
#     writes and reads back its disk in rounds (disk=rounds): the link
#     daemon starts it again, it finds the devices in xenstore and
#     reconnects (xenbus: InitWait, then Connected again, as the guest's
#     frontend is Connected), answers the requests left on the ring, and
#     the guest goes on: every round's acknowledged writes read back, and
#     the image holds the last round afterwards.
#  2. A hostile frontend (guests/peers/ridiculous-blkif.c) puts garbage on
#     its ring: each bad request is refused on its own, then a producer
#     index jump gets its device disconnected (backend Closing, "error"),
#     while another guest's disk check runs to the end unaffected.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 31
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
PAT=$PVISOR_TOP/tests/integration/drivers/blkpattern.py
img=$PVISOR_RUNDIR/img
mkdir -p "$img"
truncate -s 1M "$img/r.img" "$img/h.img" "$img/v.img"
blog=$PVISOR_RUNDIR/log/blkback.log
llog=$PVISOR_RUNDIR/log/linkd.log
ROUNDS=150
blkback_pid() { sed -n 's/.*started pvisor-blkback (pid \([0-9]*\)).*/\1/p' \
    "$llog" | tail -1; }
rounds_done() { grep -c "^hello: disk round [0-9]* ok" "$(console_log rnd)"; }

check "pvctl up" "$PVCTL" up --memory 256M
check "a guest writing its disk in $ROUNDS rounds" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="rnd"' \
    "cmdline=\"procs=0 disk=rounds rounds=$ROUNDS linger=60\"" \
    "disk=['$img/r.img,raw,xvda,rw']"
id=$(domid rnd)
check "it has done 3 rounds" wait_for 30 eval '[ "$(rounds_done)" -ge 3 ]'
for k in 1 2 3 4; do
    pid=$(blkback_pid)
    at=$(rounds_done)
    check "kill -9 pvisor-blkback ($pid) after $at rounds" kill -9 "$pid"
    check "the link daemon starts it again" \
        wait_for 10 eval '[ "$(blkback_pid)" != "$pid" ]'
    check "it reconnects to the guest's disk" wait_for 10 eval \
        '[ "$(grep -c "dom $id xvda (51712): connected" "$blog")" -ge $((k + 1)) ]'
    check "the guest goes on: more rounds done" \
        wait_for 30 eval '[ "$(rounds_done)" -gt $((at + 2)) ]'
done
check "all $ROUNDS rounds done, every acknowledged write read back" \
    wait_for 60 console_has rnd "check [0-9]+ ok: disk: every round written and read back, $ROUNDS rounds"
check "no round failed" eval '! console_has rnd "FAILED"'
check "the image holds the last round's data (seed $ROUNDS)" \
    "$PAT" check "$img/r.img" "$ROUNDS" 512
check "reconnecting, it found requests without responses on the ring" eval \
    'grep "dom $id xvda (51712): connected" "$blog" |
     awk "{ if (\$(NF-3) != \$(NF-1)) n++ } END { exit !n }"'
check "the backend state is Connected again" \
    eval '[ "$(xenstore-read /local/domain/0/backend/vbd/$id/51712/state)" = 4 ]'
"$PVCTL" destroy rnd >/dev/null 2>&1

# 2. A hostile frontend next to a well-behaved one.
check "a well-behaved guest checking its disk (lingering)" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="victim"' \
    'cmdline="procs=0 disk=rounds rounds=200 seed=3 linger=60"' \
    "disk=['$img/v.img,raw,xvda,rw']"
cat >"$img/h.cfg" <<CFG
name = "hostile"
memory = 32
kernel = "$PVISOR_TOP/$BUILD/guests/peer-ridiculous-blkif.elf"
disk = ['$img/h.img,raw,xvda,rw']
CFG
check "the hostile frontend starts" "$PVCTL" create "$img/h.cfg"
hid=$(domid hostile)
check "every one of its checks passed" wait_for 30 eval \
    'console_has hostile "^1\.\." && tap_passed "$(console_log hostile)"'
check "the backend says why it disconnected the hostile ring" \
    grep -q "dom $hid xvda (51712): ring broken: request producer" "$blog"
vdone=$(grep -c "^hello: disk round [0-9]* ok" "$(console_log victim)")
check "the other guest was still at work meanwhile ($vdone of 200 rounds)" \
    [ "$vdone" -lt 200 ]
check "... and finished all its rounds" \
    wait_for 60 console_has victim "check [0-9]+ ok: disk: every round written and read back, 200 rounds"
check "pvctl down" "$PVCTL" down
