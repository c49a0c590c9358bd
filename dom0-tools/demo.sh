#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# `make demo`: boots the pvisor machine, runs PV guests on it -- the
# reference guest, CPU-bound guests sharing the CPUs by weight, a guest
# that crashes itself, a test guest and its hostile twin, two guests with
# console, network and disk pinging each other and checking their disks
# -- and shuts everything down, explaining each step.
# Runs in a private run directory so it never disturbs a machine you
# started.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pvctl=$top/build/bin/pvctl
guests=$top/guests
export PVISOR_RUNDIR=${PVISOR_DEMO_RUNDIR:-$(mktemp -d /tmp/pvisor-demo.XXXXXX)}
trap '"$pvctl" down >/dev/null 2>&1' EXIT

bold=$(tput bold 2>/dev/null || true)
off=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s==> %s%s\n' "$bold" "$*" "$off"; }
run() { printf '%s$ %s%s\n' "$bold" "$*" "$off"; "$@"; }
# wait_log NAME REGEX: until the domain's console log has a matching line.
wait_log() {
    for _ in $(seq 300); do
        grep -qE -- "$2" "$PVISOR_RUNDIR/console/$1.log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "(gave up waiting for $1)" >&2
    return 1
}

say "Booting a QEMU machine (2 CPUs, 512 MiB) running the pvisor hypervisor"
run "$pvctl" up --memory 512M --cpus 2 || exit 1

say "What the hypervisor reports (xen_version and sysctl physinfo hypercalls)"
run "$pvctl" info || exit 1

say "The reference guest: built from its ELF image, it installs its traps and callbacks, keeps time, tests itself and powers off"
run "$pvctl" create -c "$guests/hello.cfg" || exit 1

say "Three CPU-bound guests on the 2 CPUs, weights 256, 256 and 512, and an idle one"
run "$pvctl" create "$guests/workload.cfg" 'name="spin-a"' 'cmdline="mode=spin"' 'cpu_weight=256'
run "$pvctl" create "$guests/workload.cfg" 'name="spin-b"' 'cmdline="mode=spin"' 'cpu_weight=256'
run "$pvctl" create "$guests/workload.cfg" 'name="spin-c"' 'cmdline="mode=spin"' 'cpu_weight=512'
run "$pvctl" create "$guests/workload.cfg" 'name="idler"' 'cmdline="mode=idle"'
run "$pvctl" sched-credit
wait_log spin-c "second 4,"
run "$pvctl" list

say "A guest that crashes itself (a page fault with no trap table): only it goes"
run "$pvctl" create "$guests/tests/crash.cfg"
wait_log test-crash "destroyed ---"
run cat "$PVISOR_RUNDIR/console/test-crash.log"
sleep 2
say "...while the others kept running: their CPU time went on growing"
run "$pvctl" list

say "Every test guest of one hypercall family, and its hostile twin"
run "$pvctl" create "$guests/tests/traps.cfg"
run "$pvctl" create "$guests/tests/ridiculous-traps.cfg"
wait_log test-traps "destroyed ---"
wait_log test-ridiculous-traps "destroyed ---"
for n in test-traps test-ridiculous-traps; do
    log=$PVISOR_RUNDIR/console/$n.log
    printf '%s: %s checks ok, %s not ok (%s)\n' "$n" \
        "$(grep -c '^ok ' "$log")" "$(grep -c '^not ok ' "$log")" \
        "$(grep -m1 -o '^1\.\.[0-9]*' "$log")"
done

say "Split drivers: two reference guests, each with a ring console, a network interface and a disk"
for g in a b; do
    rm -f "$PVISOR_RUNDIR/$g.img"
    truncate -s 16M "$PVISOR_RUNDIR/$g.img"
done
run "$pvctl" create "$guests/hello.cfg" 'name="a"' "vif=['ip=10.0.0.1']" \
    "disk=['$PVISOR_RUNDIR/a.img,raw,xvda,rw']" \
    'cmdline="procs=0 disk=check seed=1 linger=120"'
wait_log a "^hello: vif 0 up"
run "$pvctl" create "$guests/hello.cfg" 'name="b"' "vif=['ip=10.0.0.2']" \
    "disk=['$PVISOR_RUNDIR/b.img,raw,xvda,rw']" \
    'cmdline="procs=0 disk=check seed=2 ping=10.0.0.1 count=5 udp=10.0.0.1 udp_count=3 linger=1"'
wait_log b "destroyed ---"
run "$pvctl" network-list a
run "$pvctl" block-list a
say "What they said: each wrote a pattern over its whole disk, flushed, read it back; b pinged a and sent it UDP through the switch in pvisor-netback"
for g in a b; do
    echo "  guest $g:"
    grep -hE "^hello: (vif 0 up|disk vbd [0-9]+: seed|check [0-9]+ (ok|FAILED): (disk: read back|ping|UDP))" \
        "$PVISOR_RUNDIR/console/$g.log" | cut -c1-110 | sed 's/^/    /'
done
say "The disks seen from the host: each image's FNV-1a checksum is the one its guest read back"
for g in a b; do
    run python3 "$top/tests/integration/drivers/blkpattern.py" fnv "$PVISOR_RUNDIR/$g.img"
done
run "$pvctl" destroy a

say "The end of the hypervisor's console log (XEN_SYSCTL_readconsole): guests' lines are prefixed (dN)"
"$pvctl" dmesg | tail -n 12

say "Cleaning up: destroying the guests, then domain 0 powers the machine off"
for d in spin-a spin-b spin-c idler; do run "$pvctl" destroy "$d"; done
run "$pvctl" down || exit 1
trap - EXIT

cat <<TXT

${bold}What you just saw${off}
  * 'pvctl up' started pvisor-linkd, which created the machine's RAM as a
    shared memory file, started QEMU (TCG) with the hypervisor image, the
    xenstore-lite registry and the console, network and block backends.  The hypervisor booted
    through its PVH entry, built Xen's 64-bit memory layout, calibrated its
    clocks, started every CPU and set up the dom0 link.
  * 'pvctl create' is the toolstack: it parsed the xl.cfg file, created the
    domain with domctl hypercalls, had the hypervisor populate its memory
    with scrubbed frames, loaded the ELF kernel and Xen's start-of-day
    layout (start_info, p2m, page tables) through foreign mappings, wrote
    the domain's xenstore nodes and unpaused it.  The guest runs at CPL 3;
    its hypercalls are 'syscall' instructions, its faults come back to it
    as Xen bounce frames.
  * The scheduler shares the CPUs by weight: spin-c (512) got about twice
    the CPU time of spin-a and spin-b (256 each), a whole CPU against half
    a CPU each (the Time column); the idle guest used almost none.
  * A guest's fault with no handler crashed that domain only; the crash
    reason is in its console log and its registers in 'pvctl dmesg'.
  * Guests a and b used split drivers, Xen's way: a frontend in the guest
    and a backend daemon in domain 0 (pvisor-consoled, -netback,
    -blkback) share a ring page granted by the guest and an event
    channel, found through xenstore and the xenbus state machine.  The
    backends move data with grant copies; the network backend switches
    frames between the domains' vifs; a disk flush is acknowledged only
    once the data is in the image file.
  * 'pvctl info' and 'pvctl dmesg' are domain 0 making real Xen hypercalls
    (xen_version, sysctl): each travels from libpvctrl to the link daemon,
    into a ring in the machine's memory, and a doorbell byte on a virtual
    UART interrupts the hypervisor, which runs the call as domain 0.
  * 'pvctl down' is domain 0 calling SCHEDOP_shutdown: as on Xen, that
    powers the whole machine off.
  Console logs of every domain: $PVISOR_RUNDIR/console/
  Other logs: $PVISOR_RUNDIR/log/
TXT
