#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 110
# The network: pvisor-netback (started by `pvctl up`) and two reference
# guests with a vif each (vif = ['ip=...'] in their configuration).  One
# lingers answering ARP, ping and UDP echo; the other pings it, sends it
# UDP (6000-byte datagrams: frames over a page, so several ring slots per
# packet both ways, and the same with checksums left blank, which the
# echoing guest must accept because the backend passes NETRXF_csum_blank
# on) and checks every echo.  xenstore holds libxl's nodes for both ends;
# a vif without mac= gets one with Xen's prefix.  Then the host pings a
# guest over a TAP uplink (vif bridge=NAME), where /dev/net/tun works.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 22
pvisor_rundir
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
be() { xenstore-read "/local/domain/0/backend/vif/$1/0/$2" 2>/dev/null; }
fe() { xenstore-read "/local/domain/$1/device/vif/0/$2" 2>/dev/null; }

check "pvctl up" "$PVCTL" up --memory 256M
check "pvisor-netback runs and serves vifs" \
    wait_for 10 grep -q "serving vifs" "$PVISOR_RUNDIR/log/netback.log"
check "guest a (10.0.0.1, fixed mac) starts" "$PVCTL" create \
    "$GUESTS/hello.cfg" 'name="a"' 'cmdline="linger=80 procs=0"' \
    "vif=['mac=00:16:3e:00:00:0a,ip=10.0.0.1']"
check "a's vif is up with its mac and address" wait_for 20 console_has a \
    "^hello: vif 0 up: mac 00:16:3e:00:00:0a ip 10.0.0.1/24"
ida=$(domid a)
check "a's backend is Connected (4), with feature-rx-copy and feature-sg" \
    eval '[ "$(be "$ida" state)" = 4 ] && [ "$(be "$ida" feature-rx-copy)" = 1 ] && [ "$(be "$ida" feature-sg)" = 1 ]'
check "a's frontend: state 4, request-rx-copy 1, rings and event channel" \
    eval '[ "$(fe "$ida" state)" = 4 ] && [ "$(fe "$ida" request-rx-copy)" = 1 ] && [ -n "$(fe "$ida" tx-ring-ref)" ] && [ -n "$(fe "$ida" rx-ring-ref)" ] && [ -n "$(fe "$ida" event-channel)" ]'
check "the nodes link each other as libxl's do" eval \
    '[ "$(fe "$ida" backend)" = "/local/domain/0/backend/vif/$ida/0" ] && [ "$(be "$ida" frontend)" = "/local/domain/$ida/device/vif/0" ] && [ "$(be "$ida" frontend-id)" = "$ida" ] && [ "$(be "$ida" ip)" = 10.0.0.1 ]'

check "guest b (10.0.0.2, no mac given) pings a and sends it UDP" \
    "$PVCTL" create "$GUESTS/hello.cfg" 'name="b"' "vif=['ip=10.0.0.2']" \
    'cmdline="procs=0 ping=10.0.0.1 count=10 udp=10.0.0.1 udp_count=5 udp_size=6000 linger=1"'
idb=$(domid b)
check "b's mac was generated with Xen's prefix 00:16:3e" wait_for 20 \
    console_has b "^hello: vif 0 up: mac 00:16:3e:[0-7][0-9a-f](:[0-9a-f]{2}){2} ip 10.0.0.2/24"
check "b: 10 of 10 pings answered" wait_for 30 console_has b \
    "^hello: check [0-9]+ ok: ping across the vif, 10.0.0.1: 10 of 10 replies"
diag "$(grep -E '^hello: ping 10.0.0.1:' "$(console_log b)")"
check "b: 5 of 5 UDP echoes of 6000 bytes come back intact" wait_for 20 \
    console_has b "^hello: check [0-9]+ ok: UDP echo across the vif, 10.0.0.1: 5 of 5"
check "b's self-test passed and it powered off" wait_for 20 \
    console_has b "$(ended_re b)"
check "... with no failed check" eval '! console_has b FAILED'
# "tx F frames in S slots": more slots than frames (6000-byte frames).
slots_gt_frames() {
    local l
    l=$(grep -oE "$1 [0-9]+ frames in [0-9]+ slots" "$(console_log b)") &&
        set -- $l && [ "$5" -gt "$2" ]
}
check "b's frames over a page took several slots each way" \
    eval 'slots_gt_frames tx && slots_gt_frames rx'
diag "$(grep '^hello: vif 0: rx' "$(console_log b)")"
check "b's vif nodes went with it" \
    wait_for 10 eval '! xenstore-exists /local/domain/0/backend/vif/$idb'

check "guest c sends UDP with blank checksums (NETTXF_csum_blank)" \
    "$PVCTL" create "$GUESTS/hello.cfg" 'name="c"' "vif=['ip=10.0.0.3']" \
    'cmdline="procs=0 udp=10.0.0.1 udp_count=5 udp_size=2000 csum=blank"'
check "c: a accepts them (NETRXF_csum_blank) and every echo is right" \
    wait_for 30 console_has c \
    "^hello: check [0-9]+ ok: UDP echo across the vif, 10.0.0.1: 5 of 5"

# The host side: a TAP uplink, if this host lets us make one.
tapdev=pvt$$
tap_ok=
if [ -c /dev/net/tun ] && ip tuntap add dev "$tapdev" mode tap 2>/dev/null; then
    ip tuntap del dev "$tapdev" mode tap 2>/dev/null
    tap_ok=1
fi
if [ -n "$tap_ok" ]; then
    check "guest t with vif bridge=$tapdev starts" "$PVCTL" create \
        "$GUESTS/hello.cfg" 'name="t"' "vif=['ip=10.0.9.2,bridge=$tapdev']" \
        'cmdline="procs=0 linger=40"'
    if wait_for 20 ip link show "$tapdev"; then
        ip addr add 10.0.9.1/24 dev "$tapdev"
        ip link set "$tapdev" up
    fi
    check "the backend made the TAP uplink $tapdev" wait_for 20 grep -q \
        "uplink: TAP device $tapdev" "$PVISOR_RUNDIR/log/netback.log"
    wait_for 20 console_has t "^hello: vif 0 up"
    check "the host pings guest t over the TAP device (3 of 3)" \
        python3 "$(dirname "$0")/hostping.py" 10.0.9.2 3
    check "guest u on the same switch pings the host (5 of 5)" "$PVCTL" \
        create "$GUESTS/hello.cfg" 'name="u"' "vif=['ip=10.0.9.3']" \
        'cmdline="procs=0 ping=10.0.9.1 count=5"'
    check "... and gets every reply" wait_for 30 console_has u \
        "^hello: check [0-9]+ ok: ping across the vif, 10.0.9.1: 5 of 5"
    ip link del "$tapdev" 2>/dev/null
else
    for n in "guest t with a TAP uplink starts" "the backend made the uplink" \
        "the host pings guest t over TAP" "a guest pings the host" \
        "... and gets every reply"; do
        skip "$n" "cannot create TAP devices here (/dev/net/tun)"
    done
fi
