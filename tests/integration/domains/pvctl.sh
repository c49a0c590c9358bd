#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 120
# pvctl's domain commands: --help for each; configuration errors reported
# with the file and line (or the command-line setting); unknown keys
# warned about; KEY=VALUE settings after the file; duplicate names
# refused; list, console, vcpu-list, sched-credit, destroy.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 29
pvisor_rundir

for c in create list destroy shutdown pause unpause console vcpu-list \
    sched-credit mem-set network-attach network-detach network-list; do
    out=$("$PVCTL" "$c" --help 2>&1)
    rc=$?
    check "pvctl $c --help" test $rc -eq 0 -a -n "$(grep "^Usage: pvctl $c" <<<"$out")"
done

check "pvctl up" "$PVCTL" up --memory 256M
cfgdir=$PVISOR_RUNDIR/cfg
mkdir -p "$cfgdir"
cat >"$cfgdir/bad-memory.cfg" <<EOC
name = "bad"
kernel = "$PVISOR_TOP/$BUILD/guests/workload.elf"

memory = "lots"
EOC
out=$("$PVCTL" create "$cfgdir/bad-memory.cfg" 2>&1)
rc=$?
diag "$out"
check "a bad value is refused with its file and line" \
    test $rc -ne 0 -a -n "$(grep -F "bad-memory.cfg:4: memory: not a number" <<<"$out")"

cat >"$cfgdir/syntax.cfg" <<EOC
name = "bad"
memory = 16 16
EOC
out=$("$PVCTL" create "$cfgdir/syntax.cfg" 2>&1)
rc=$?
diag "$out"
check "a syntax error is refused with its line" \
    test $rc -ne 0 -a -n "$(grep -E "syntax.cfg:2" <<<"$out")"

out=$("$PVCTL" create "$cfgdir/missing.cfg" 2>&1)
rc=$?
check "a missing file is reported" \
    test $rc -ne 0 -a -n "$(grep -F "missing.cfg: cannot read" <<<"$out")"

cat >"$cfgdir/extra-key.cfg" <<EOC
name = "keys"
memory = 16
kernel = "$PVISOR_TOP/$BUILD/guests/workload.elf"
cmdline = "mode=idle"
colour = "blue"
EOC
out=$("$PVCTL" create "$cfgdir/extra-key.cfg" 'vcpus=1' 2>&1)
rc=$?
diag "$out"
check "an unknown key is warned about with its line, and the domain runs" \
    test $rc -eq 0 -a -n "$(grep -F "extra-key.cfg:5: warning: unknown setting 'colour' ignored" <<<"$out")"

out=$("$PVCTL" create "$cfgdir/extra-key.cfg" 2>&1)
rc=$?
check "a second domain of the same name is refused" \
    test $rc -ne 0 -a -n "$(grep -F "a domain named 'keys' already exists" <<<"$out")"

out=$("$PVCTL" create "$cfgdir/extra-key.cfg" 'name="keys2"' 'memory="x"' 2>&1)
rc=$?
diag "$out"
check "a bad command-line setting is named as such" \
    test $rc -ne 0 -a -n "$(grep -F "command line 'memory=\"x\"': memory: not a number" <<<"$out")"
out=$("$PVCTL" create "$cfgdir/extra-key.cfg" 'noequals' 2>&1)
rc=$?
check "a setting without '=' is refused" \
    test $rc -ne 0 -a -n "$(grep -F "expected KEY=VALUE" <<<"$out")"

check "KEY=VALUE settings win over the file's" "$PVCTL" create \
    "$cfgdir/extra-key.cfg" 'name="keys2"' 'memory=24' 'cpu_weight=300'
diag "$("$PVCTL" list)"
check "pvctl list shows the settings' name and memory" eval \
    '"$PVCTL" list | grep -qE "^keys2 +[0-9]+ +24 +1 "'
check "pvctl sched-credit shows the weight from the command line" eval \
    '"$PVCTL" sched-credit | grep -qE "^keys2 +[0-9]+ +300 +0$"'
out=$("$PVCTL" vcpu-list keys2)
diag "$out"
check "pvctl vcpu-list shows its vCPU" grep -qE "^keys2 +[0-9]+ +0 " <<<"$out"
out=$("$PVCTL" sched-credit -d keys2 -w 0 2>&1)
check "a weight of 0 is refused" test $? -ne 0

out=$(timeout 30 "$PVCTL" create -c "$GUESTS/hello.cfg")
rc=$?
check "pvctl create -c shows hello's console from its first line to its end" \
    test $rc -eq 0 -a -n "$(grep -F "hello: pvisor reference guest" <<<"$out")" \
    -a -n "$(grep -E "^--- domain hello \([0-9]+\) destroyed ---" <<<"$out")"
"$PVCTL" create "$GUESTS/hello.cfg" 'name="hello2"' 'cmdline="linger=2"' \
    >/dev/null
wait_for 10 listed hello2
out=$(timeout 30 "$PVCTL" console hello2)
rc=$?
check "pvctl console follows a running domain's output until it is gone" \
    test $rc -eq 0 -a -n "$(grep -F "self-test passed" <<<"$out")" \
    -a -n "$(grep -E "^--- domain hello2 \([0-9]+\) destroyed ---" <<<"$out")"
out=$("$PVCTL" destroy nosuchdomain 2>&1)
rc=$?
check "pvctl destroy of an unknown domain fails clearly" \
    test $rc -ne 0 -a -n "$(grep -i "nosuchdomain" <<<"$out")"
