#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# The scheduler on one CPU: three domains at once; two CPU-bound ones with
# weights 256 and 512 get CPU time within 10% of 1:2 over 10 s while an
# idle one keeps waking; a cap then holds one to its share of the CPU.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 12
pvisor_rundir

# cpu_ns ID...: the domains' CPU times in ns, space-separated.
cpu_ns() { "$DOMINFO" cpu "$@" | tr '\n' ' '; }

check "pvctl up --cpus 1" "$PVCTL" up --memory 256M --cpus 1
check "spin1 (weight 256) starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="spin1"' 'cmdline="mode=spin"' 'cpu_weight=256'
check "spin2 (weight 512) starts" "$PVCTL" create "$GUESTS/workload.cfg" \
    'name="spin2"' 'cmdline="mode=spin"'
check "pvctl sched-credit -d spin2 -w 512" \
    "$PVCTL" sched-credit -d spin2 -w 512
check "an idle guest ticking every 10 ms starts" \
    "$PVCTL" create "$GUESTS/workload.cfg" 'name="ticker"' \
    'cmdline="mode=idle period=10"'
check "all three run at once" wait_for 10 eval \
    'console_has spin1 "spin started" && console_has spin2 "spin started" &&
     console_has ticker "idle started"'
diag "$("$PVCTL" list)"
diag "$("$PVCTL" sched-credit)"
check "pvctl list shows the three" eval \
    'listed spin1 && listed spin2 && listed ticker'

ids="$(domid spin1) $(domid spin2) $(domid ticker)"
sleep 1
read -r a1 b1 c1 <<<"$(cpu_ns $ids)"
sleep 10
read -r a2 b2 c2 <<<"$(cpu_ns $ids)"
s1=$(((a2 - a1) / 1000000)) s2=$(((b2 - b1) / 1000000)) t=$(((c2 - c1) / 1000000))
diag "over 10 s: spin1 ${s1} ms, spin2 ${s2} ms, ticker ${t} ms of CPU"
ratio=$((s2 * 1000 / (s1 > 0 ? s1 : 1)))
diag "spin2/spin1 = $((ratio / 1000)).$(printf %03d $((ratio % 1000)))"
check "weights 512:256 give CPU time within 10% of 2:1" \
    test "$ratio" -ge 1800 -a "$ratio" -le 2200
check "together the spinners used most of the 10 s" \
    test $((s1 + s2)) -ge 8000
check "the idle guest still got CPU time to take its ticks" test "$t" -gt 0

check "pvctl sched-credit -d spin2 -c 20 (at most 20% of a CPU)" \
    "$PVCTL" sched-credit -d spin2 -c 20
sleep 1
read -r a1 b1 c1 <<<"$(cpu_ns $ids)"
sleep 5
read -r a2 b2 c2 <<<"$(cpu_ns $ids)"
s2=$(((b2 - b1) / 1000000))
diag "over 5 s with cap 20: spin2 ${s2} ms"
check "the capped domain used 20% (+-5) of the CPU" \
    test "$s2" -ge 750 -a "$s2" -le 1250
