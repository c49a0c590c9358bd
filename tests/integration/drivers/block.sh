#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
# Virtual block devices end to end: pvctl writes the vbd nodes from the
# config's disk = [...], pvisor-blkback serves raw images, the reference
# guest's blkfront (disk=check) writes a pattern over a whole read-write
# disk, flushes, reads it back and compares, and is refused a write to a
# read-only disk; the host then finds the pattern in the image file.  Bad
# disk specs and missing images are refused with clear errors; destroy
# removes the devices and the daemon lets the images go.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 25
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
PAT=$PVISOR_TOP/tests/integration/drivers/blkpattern.py
img=$PVISOR_RUNDIR/img
mkdir -p "$img"
truncate -s 4M "$img/rw.img"
head -c 1M /dev/urandom >"$img/ro.img"
ro_sum=$("$PAT" fnv "$img/ro.img")
blog=$PVISOR_RUNDIR/log/blkback.log
cfg=$img/disk.cfg
cat >"$cfg" <<CFG
name = "dk"
memory = 32
kernel = "$PVISOR_TOP/$BUILD/guests/hello.elf"
cmdline = "procs=0 disk=check seed=7"
disk = ['rw.img,raw,xvda,rw', 'target=ro.img,format=raw,vdev=xvdb,access=ro']
CFG

check "pvctl up" "$PVCTL" up --memory 256M
check "pvisor-blkback runs as a dom0 service" \
    wait_for 5 grep -q "serving /local/domain/0/backend/vbd" "$blog"

# Bad configurations: refused before anything is created.
bad() { # bad REGEX SETTING...: pvctl create fails saying REGEX
    local res
    res=$("$PVCTL" create "$cfg" "$@" 2>&1) && return 1
    grep -qE -- "$1" <<<"$res" || { echo "$res"; return 1; }
}
check "a missing image is refused" \
    bad "image .*/nope.img: No such file or directory" \
    "disk=['nope.img,raw,xvda,rw']"
check "a format other than raw is refused" \
    bad "format 'qcow2' not supported" "disk=['rw.img,qcow2,xvda,rw']"
check "a bad vdev is refused" \
    bad "vdev 'sda' is not xvda..xvdp" "disk=['rw.img,raw,sda,rw']"
check "a bad access mode is refused" \
    bad "access 'rx' is neither rw nor ro" "disk=['rw.img,raw,xvda,rx']"
check "the same vdev twice is refused" \
    bad "xvda appears twice" "disk=['rw.img,,xvda', 'ro.img,,xvda,ro']"
check "a spec without a vdev is refused" bad "no vdev" "disk=['rw.img']"
check "... and nothing was created" eval '[ -z "$(domid dk)" ] &&
    ! xenstore-ls /local/domain/0/backend/vbd 2>/dev/null | grep -q .'

check "pvctl create with two disks (rw, ro)" "$PVCTL" create "$cfg"
id=$(domid dk)
be=/local/domain/0/backend/vbd/$id
check "backend nodes as Xen's: params, type, mode, sectors, info, features" \
    eval '[ "$(xenstore-read $be/51712/params)" = "$img/rw.img" ] &&
          [ "$(xenstore-read $be/51712/type)" = raw ] &&
          [ "$(xenstore-read $be/51712/mode)" = w ] &&
          [ "$(xenstore-read $be/51712/sectors)" = 8192 ] &&
          [ "$(xenstore-read $be/51712/sector-size)" = 512 ] &&
          [ "$(xenstore-read $be/51712/info)" = 0 ] &&
          [ "$(xenstore-read $be/51728/info)" = 4 ] &&
          [ "$(xenstore-read $be/51712/feature-flush-cache)" = 1 ] &&
          [ "$(xenstore-read $be/51712/feature-barrier)" = 1 ]'
check "the guest connected both disks" \
    wait_for 30 console_has dk "^hello: disk vbd 51728: 2048 sectors"
check "frontend nodes: ring-ref, event-channel, protocol" \
    eval 'fe=/local/domain/$id/device/vbd/51712;
          [ -n "$(xenstore-read $fe/ring-ref)" ] &&
          [ -n "$(xenstore-read $fe/event-channel)" ] &&
          [ "$(xenstore-read $fe/protocol)" = x86_64-abi ]'
check "xvda: the pattern written over the whole disk" \
    wait_for 60 console_has dk "check [0-9]+ ok: disk: read back, every sector"
check "xvdb (read-only): read whole, the same checksum as the host's" \
    wait_for 30 console_has dk "^hello: disk vbd 51728: read-only, fnv64 $ro_sum\$"
check "xvdb: a write is refused with BLKIF_RSP_ERROR" \
    console_has dk "^hello: disk vbd 51728: write refused: BLKIF_RSP_ERROR"
check "the guest's self-test passed" \
    wait_for 30 console_has dk "^hello: self-test passed"
sum=$(grep -oE "disk vbd 51712: seed 7 fnv64 0x[0-9a-f]+" \
    "$(console_log dk)" | awk '{print $NF}')
check "the host reads the pattern of seed 7 in rw.img, every sector" \
    "$PAT" check "$img/rw.img" 7
check "... and the guest's checksum of it ($sum)" \
    eval '[ -n "$sum" ] && [ "$("$PAT" fnv "$img/rw.img")" = "$sum" ]'
check "the read-only image is unchanged" \
    eval '[ "$("$PAT" fnv "$img/ro.img")" = "$ro_sum" ]'
check "the guest powered off" wait_for 20 not_listed dk
check "its vbd nodes are gone" \
    wait_for 10 eval '! xenstore-read $be/51712/state 2>/dev/null'
check "the backend let both images go" \
    wait_for 5 eval '[ "$(grep -c "dom $id xvd.*: removed" "$blog")" = 2 ]'
check "the backend answered every request, one refusal" \
    grep -q "dom $id xvdb (51728): disconnected: .*, 1 errors" "$blog"
check "pvctl down" "$PVCTL" down
