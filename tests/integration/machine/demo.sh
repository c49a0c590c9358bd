#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# `make demo`'s script (dom0-tools/demo.sh) runs to the end in a run
# directory of its own and shows what it says it shows: the reference
# guest's self-test, the weighted spinners, the crash contained, the test
# guest and its hostile twin, and two guests with console, network and
# disk that ping each other and read back their disks, the images' host
# checksums equal to the guests'; and it leaves nothing running.
. "$(dirname "$0")/../../lib/tap.sh"
plan 8
pvisor_rundir

export PVISOR_DEMO_RUNDIR=$PVISOR_RUNDIR
log=$PVISOR_RUNDIR/demo.out
"$PVISOR_TOP/dom0-tools/demo.sh" >"$log" 2>&1
rc=$?
check "the demo ran to the end (exit 0)" test "$rc" -eq 0
[ "$rc" -eq 0 ] || diag "$(tail -n 30 "$log")"
check "the reference guest passed its self-test" \
    grep -q "^hello: self-test passed" "$PVISOR_RUNDIR/console/hello.log"
check "the crashing guest was crashed, nothing else" \
    grep -q "crashed" "$PVISOR_RUNDIR/console/test-crash.log"
check "the test guest and its hostile twin: no check failed" \
    eval 'grep -E "^test-(ridiculous-)?traps: [0-9]+ checks ok, 0 not ok" "$log" | wc -l | grep -qx 2'
check "guest b pinged guest a across the switch: 5 of 5" \
    grep -q "ping across the vif, 10.0.0.1: 5 of 5 replies" "$log"
check "and its UDP echoes came back: 3 of 3" \
    grep -q "UDP echo across the vif, 10.0.0.1: 3 of 3" "$log"
# Each guest's read-back checksum, then the host's of its image.
sums_match() {
    local g guest host
    for g in a b; do
        guest=$(grep -oE "disk vbd 51712: seed [0-9]+ fnv64 0x[0-9a-f]+" \
            "$PVISOR_RUNDIR/console/$g.log" | awk '{ print $NF }')
        host=$(python3 "$PVISOR_TOP/tests/integration/drivers/blkpattern.py" \
            fnv "$PVISOR_RUNDIR/$g.img")
        [ -n "$guest" ] && [ "$guest" = "$host" ] &&
            grep -qx "$host" "$log" || return 1
    done
}
check "each disk image's checksum is the one its guest read back (and shown)" \
    sums_match
check "nothing left running" pvisor_nothing_running
