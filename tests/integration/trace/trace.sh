#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# Tracing: the reference guest's boot recorded with `pvctl trace record`;
# the report lists the hypercalls the guest made, with the counts the
# guest kept itself; the Perfetto export is valid Trace Event JSON;
# `pvctl trace live` and `pvctl top` show a busy guest's hypercalls; a
# second recorder is refused; tracing one domain leaves the others out.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 14
pvisor_rundir

CHECK="$(dirname "$0")/check_trace.py"
T=$PVISOR_RUNDIR/hello.trace

check "pvctl up" "$PVCTL" up --memory 256M
check "pvctl trace record -- pvctl create -c guests/hello.cfg" \
    "$PVCTL" trace record -o "$T" -- "$PVCTL" create -c "$GUESTS/hello.cfg"
check "the guest passed its self-test" \
    console_has hello "^hello: self-test passed"
rep=$("$PVCTL" trace report "$T")
diag "$rep"
# console_io (hypercall 18) as often as the guest says it called it.
ncons=$(grep -o ' 18=[0-9]*' "$(console_log hello)" | head -n 1 | cut -d= -f2)
check "the report names the guest and lists console_io ${ncons:-?} times" \
    eval 'grep -q "^hello (" <<<"$rep" &&
          grep -qE "^  console_io +${ncons:-none} " <<<"$rep"'
"$PVCTL" trace report --json "$T" >"$PVISOR_RUNDIR/report.json"
check "the report's JSON parses" python3 -m json.tool "$PVISOR_RUNDIR/report.json"
check "every hypercall count equals the guest's own counter" \
    python3 "$CHECK" counts "$PVISOR_RUNDIR/report.json" \
    "$(console_log hello)" hello
check "--sub-ops splits console_io into console_io(write)" \
    eval '"$PVCTL" trace report --sub-ops "$T" |
          grep -qE "^  console_io\(write\) +${ncons:-none} "'
check "export --format perfetto" "$PVCTL" trace export "$T" --format perfetto \
    -o "$PVISOR_RUNDIR/hello.json"
check "the export is valid Trace Event JSON with slices, tracks, flows" \
    python3 "$CHECK" perfetto "$PVISOR_RUNDIR/hello.json"

# A guest that makes hypercalls all the time (a 100 Hz timer).
"$PVCTL" create "$GUESTS/workload.cfg" 'name="ticker"' \
    'cmdline="mode=idle period=10"' >/dev/null
wait_for 10 console_has ticker "idle started"
out=$("$PVCTL" trace live --iterations 2 --interval 0.5 -b)
diag "$out"
check "trace live shows the ticking guest's timer hypercalls" \
    grep -qE "^ticker \([0-9]+\) +vcpu_op +[0-9.]+" <<<"$out"
out=$("$PVCTL" top -n 2 -d 0.5 -b)
diag "$(tail -n 4 <<<"$out")"
check "pvctl top shows its hypercall rate (about 200/s)" \
    awk '$1 == "ticker" && $7 > 50 { found = 1 } END { exit !found }' <<<"$out"

# One recorder at a time; a per-domain trace has only that domain.
"$PVCTL" trace record -o "$PVISOR_RUNDIR/one.trace" -d ticker --duration 2 \
    >/dev/null 2>&1 &
rec=$!
sleep 1
out=$("$PVCTL" trace record -o "$PVISOR_RUNDIR/two.trace" --duration 1 2>&1)
rc=$?
check "a second recorder is refused while one runs" \
    test $rc -ne 0 -a -n "$(grep -F "already on" <<<"$out")"
wait "$rec"
"$PVCTL" trace report --json "$PVISOR_RUNDIR/one.trace" >"$PVISOR_RUNDIR/one.json"
check "-d ticker records only ticker" python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
names = [d['name'] for d in r['domains'] if d['hypercalls']]
sys.exit(0 if names == ['ticker'] else 1)" "$PVISOR_RUNDIR/one.json"
check "tracing is off again afterwards (a new recorder is welcome)" \
    "$PVCTL" trace record -o "$PVISOR_RUNDIR/three.trace" --duration 0.2
