#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# Full trace buffers: with one page of records per CPU (trace_records=64)
# a guest in a loop of hypercalls outruns the recorder; the hypervisor
# drops the new records and counts them, and record, report (text and
# JSON) and dump all give the same count; what was kept is still a
# readable trace, and the machine and the guest are undisturbed.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 8
pvisor_rundir

T=$PVISOR_RUNDIR/full.trace

check "pvctl up with 64 trace records per CPU" \
    "$PVCTL" up --memory 256M --cmdline "trace_records=64"
rec=$("$PVCTL" trace record -o "$T" -- "$PVCTL" create -c "$GUESTS/hello.cfg" \
    'cmdline="bench=20000"' 2>&1)
diag "$(tail -n 2 <<<"$rec")"
lost=$(sed -n 's/.* records in .*, \([0-9]*\) lost.*/\1/p' <<<"$rec" | tail -n 1)
check "the guest ran its 20000 null hypercalls to the end" \
    console_has hello "bench null-hypercall median"
check "record says records were lost (${lost:-none})" \
    test "${lost:-0}" -gt 0
rep=$("$PVCTL" trace report "$T")
diag "$(head -n 1 <<<"$rep")"
check "report's first line gives the same count" \
    eval 'head -n 1 <<<"$rep" | grep -qE ", ${lost:-none} lost$"'
check "the JSON report too" \
    eval '"$PVCTL" trace report --json "$T" |
          python3 -c "import json,sys; sys.exit(json.load(sys.stdin)[\"lost\"] != ${lost:-0})"'
check "and dump's last line" \
    eval '"$PVCTL" trace dump "$T" | tail -n 1 | grep -qw "${lost:-none}"'
check "what was kept still has the guest's hypercalls" \
    eval 'grep -qE "^  xen_version +[0-9]+ " <<<"$rep"'
check "the machine still answers" "$PVCTL" info
