#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
# Block hot-plug: `pvctl block-attach` gives a running guest a disk, which
# its frontend finds through its xenstore watch on device/vbd, connects
# and checks (pattern written, flushed, read back; a read-only disk
# refuses a write); `pvctl block-detach` closes it through the xenbus
# states (backend Closing, frontend Closed) and removes it; the guest
# goes on and takes another disk under the same name, the first one's
# grants ended (the ring's once blkback has unmapped it): as many in use.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 21
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
PAT=$PVISOR_TOP/tests/integration/drivers/blkpattern.py
img=$PVISOR_RUNDIR/img
mkdir -p "$img"
truncate -s 2M "$img/a.img"
head -c 512K /dev/urandom >"$img/b.img"
blog=$PVISOR_RUNDIR/log/blkback.log

check "pvctl up" "$PVCTL" up --memory 256M
check "a lingering reference guest, no disks" \
    "$PVCTL" create "$GUESTS/hello.cfg" 'name="hp"' 'cmdline="procs=0 linger=90"'
check "it watches device/vbd" \
    wait_for 20 console_has hp "^hello: watching .*device/vbd"
id=$(domid hp)

res=$("$PVCTL" block-attach hp "$img/a.img,raw,xvdb,rw" 2>&1)
check "pvctl block-attach hp a.img,raw,xvdb,rw" \
    grep -q "^Attached xvdb ($img/a.img, rw) to domain $id" <<<"$res"
check "the guest found it and connected" \
    wait_for 20 console_has hp "^hello: disk vbd 51728: 4096 sectors .* rw"
check "it wrote, flushed and read back the whole disk" \
    wait_for 30 console_has hp "check [0-9]+ ok: disk: read back, every sector"
check "the host finds the guest's pattern (seed 52728) in a.img" \
    "$PAT" check "$img/a.img" 52728
check "pvctl block-list shows it connected (4 4)" \
    eval '"$PVCTL" block-list hp | grep -qE "^xvdb +51728 4 +4 +rw +$img/a.img"'
check "attaching xvdb again is refused" \
    eval '! "$PVCTL" block-attach hp "$img/b.img,raw,xvdb,ro" 2>&1 |
          tee /dev/stderr | grep -q "already has a xvdb" && false || true'
res=$("$PVCTL" block-attach hp "$img/b.img,raw,xvdb,ro" 2>&1)
check "... with a clear error" grep -q "already has a xvdb" <<<"$res"

res=$("$PVCTL" block-detach hp xvdb 2>&1)
check "pvctl block-detach hp xvdb" grep -q "^Detached xvdb from domain $id" <<<"$res"
check "the guest closed it" console_has hp "^hello: disk vbd 51728: closed"
check "no warning: the frontend closed in time" eval '! grep -q warning <<<"$res"'
check "its nodes are gone" eval \
    '! xenstore-read /local/domain/0/backend/vbd/$id/51728/state 2>/dev/null &&
     ! xenstore-read /local/domain/$id/device/vbd/51728/state 2>/dev/null'
check "the backend let the image go" \
    wait_for 5 grep -q "dom $id xvdb (51728): removed" "$blog"

check "pvctl block-attach hp b.img,raw,xvdb,ro (same name, read-only)" \
    "$PVCTL" block-attach hp "$img/b.img,raw,xvdb,ro"
check "the guest read it and was refused a write" \
    wait_for 30 console_has hp "^hello: disk vbd 51728: write refused: BLKIF_RSP_ERROR"
grants() { sed -n 's/^hello: disk vbd 51728: .*; grants in use \([0-9]*\)$/\1/p' "$(console_log hp)"; }
check "the second disk found the grants of the first ended (as many in use)" \
    eval '[ "$(grants | wc -l)" -eq 2 ] && [ "$(grants | sort -u | wc -l)" -eq 1 ]'
diag "grants in use at each connection: $(grants | tr '\n' ' ')"
check "block-detach of a device that is not there is refused" \
    eval '"$PVCTL" block-detach hp xvdc 2>&1 | grep -q "has no device xvdc"'
check "pvctl destroy hp removes the disk too" eval '"$PVCTL" destroy hp &&
    wait_for 5 grep -q "dom $id xvdb (51728): removed" <(grep -A99 "51728): .*b.img" "$blog")'
check "pvctl down" "$PVCTL" down
