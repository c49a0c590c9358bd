#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 60
# pvctl's command line: --help everywhere, bad arguments refused clearly,
# a missing QEMU reported, the software-only /dev/kvm of these machines
# refused by the automatic accelerator choice.
. "$(dirname "$0")/../../lib/tap.sh"
plan 11
pvisor_rundir

for c in up down info dmesg; do
    out=$("$PVCTL" "$c" --help); rc=$?
    check "pvctl $c --help" test $rc -eq 0 -a -n "$(grep "^Usage: pvctl $c" <<<"$out")"
done
out=$("$PVCTL" --help); check "pvctl --help lists the commands" \
    grep -q "^  dmesg" <<<"$out"
out=$("$PVCTL" up --memory 10M 2>&1); rc=$?
check "--memory below 64M refused" test $rc -eq 2 -a -n "$(grep -- '--memory 10M' <<<"$out")"
out=$("$PVCTL" up --cpus 0 2>&1); rc=$?
check "--cpus 0 refused" test $rc -eq 2
out=$("$PVCTL" up --accel xen 2>&1); rc=$?
check "--accel xen refused" test $rc -eq 2 -a -n "$(grep 'auto, tcg or kvm' <<<"$out")"
out=$("$PVCTL" up --qemu /nonexistent/qemu 2>&1); rc=$?
check "a missing QEMU is reported" \
    test $rc -eq 1 -a -n "$(grep 'QEMU not found' <<<"$out")"
out=$("$PVCTL" frobnicate 2>&1); rc=$?
check "an unknown command is refused" test $rc -eq 2

if [ -e /dev/kvm ] && ! grep -qw -e vmx -e svm /proc/cpuinfo; then
    "$PVCTL" up --memory 128M >/dev/null 2>&1
    check "auto accelerator: TCG chosen, the software KVM refused" \
        grep -q "accelerator: tcg (/dev/kvm exists but the CPU shows no vmx/svm" \
        "$PVISOR_RUNDIR/log/linkd.log"
else
    skip "software-KVM refusal" "this machine has no software-only /dev/kvm"
fi
