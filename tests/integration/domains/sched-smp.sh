#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# The scheduler on two CPUs: a guest created while both CPUs are busy
# runs at once (it once waited forever behind a vCPU running alone on its
# CPU); three equal spinners get 2/3 of a CPU each; weights 256, 256 and
# 512 give 1/2, 1/2 and 1 CPU.  CPU time is shared across CPUs by moving
# vCPUs between run queues.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 9
pvisor_rundir

cpu_ns() { "$DOMINFO" cpu "$@" | tr '\n' ' '; }
# within GOT WANT TOLERANCE (per mille of a CPU)
within() { [ "$1" -ge $(($2 - $3)) ] && [ "$1" -le $(($2 + $3)) ]; }

check "pvctl up --cpus 2" "$PVCTL" up --memory 256M --cpus 2
for i in 1 2; do
    "$PVCTL" create "$GUESTS/workload.cfg" "name=\"busy$i\"" \
        'cmdline="mode=spin"' >/dev/null
done
wait_for 10 eval 'console_has busy1 "second 1," && console_has busy2 "second 1,"'
# Two at once: the second lands on the CPU whose spinner is alone.
sleep 1
"$PVCTL" create "$GUESTS/tests/traps.cfg" >/dev/null
"$PVCTL" create "$GUESTS/tests/ridiculous-traps.cfg" >/dev/null
check "guests created while both CPUs are busy run promptly" eval \
    'wait_for 15 console_has test-traps "^1\.\." &&
     wait_for 15 console_has test-ridiculous-traps "^1\.\."'
"$PVCTL" create "$GUESTS/workload.cfg" 'name="busy3"' 'cmdline="mode=spin"' \
    >/dev/null
check "... and so does a third spinner" wait_for 10 console_has busy3 "second 1,"

ids="$(domid busy1) $(domid busy2) $(domid busy3)"
sleep 1
read -r a1 b1 c1 <<<"$(cpu_ns $ids)"
sleep 10
read -r a2 b2 c2 <<<"$(cpu_ns $ids)"
a=$(((a2 - a1) / 10000000)) b=$(((b2 - b1) / 10000000))
c=$(((c2 - c1) / 10000000))
diag "three equal spinners over 10 s: $a, $b, $c per mille of a CPU"
check "the first gets 2/3 of a CPU (+-10%)" within "$a" 667 67
check "... and so do the other two" eval \
    'within $b 667 67 && within $c 667 67'

check "weights 256, 256, 512" eval \
    '"$PVCTL" sched-credit -d busy3 -w 512 >/dev/null'
sleep 1
read -r a1 b1 c1 <<<"$(cpu_ns $ids)"
sleep 10
read -r a2 b2 c2 <<<"$(cpu_ns $ids)"
a=$(((a2 - a1) / 10000000)) b=$(((b2 - b1) / 10000000))
c=$(((c2 - c1) / 10000000))
diag "over 10 s: $a, $b, $c per mille of a CPU"
check "the two weight-256 spinners get half a CPU each (+-10%)" eval \
    'within $a 500 50 && within $b 500 50'
check "the weight-512 one gets a whole CPU (+-10%)" within "$c" 1000 100
backs=$(cat "$(console_log busy1)" "$(console_log busy2)" "$(console_log busy3)" |
    grep -o "time went back [0-9]* times" | sort | uniq -c)
diag "$backs"
check "system time never went back in the spinners as they moved between CPUs" \
    eval '[ -n "$backs" ] && ! grep -qv "time went back 0 times" <<<"$backs"'
