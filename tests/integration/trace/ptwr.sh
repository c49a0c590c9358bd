#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# Tracing writable page tables: the ptwr test guest (guests/tests/ptwr.c,
# bench=1000) recorded with the ptwr and trap classes.  Each write the
# guest made to an L1 entry with the assist on is one ptwr record: as many
# emulated (result 0) and refused (result < 0) as the guest counted
# itself; the refused ones also reach the guest as #PF traps; the export
# carries each record's address, entries, result, rip and bytes.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 8
pvisor_rundir

T=$PVISOR_RUNDIR/ptwr.trace
LOG=$(console_log test-ptwr)

check "pvctl up" "$PVCTL" up --memory 256M
check "pvctl trace record -e ptwr,trap -- pvctl create -c ptwr.cfg bench=1000" \
    "$PVCTL" trace record -e ptwr,trap -o "$T" -- \
    "$PVCTL" create -c "$GUESTS/tests/ptwr.cfg" 'cmdline="bench=1000"'
check "the ptwr guest passed all its checks" tap_passed "$LOG"
line=$(grep -m1 '^# ptwr: [0-9]* L1 writes emulated, [0-9]* refused' "$LOG")
emul=$(sed -n 's/^# ptwr: \([0-9]*\) L1 writes emulated.*/\1/p' <<<"$line")
refused=$(sed -n 's/.*emulated, \([0-9]*\) refused.*/\1/p' <<<"$line")
diag "guest: ${line:-no count printed}"
rep=$("$PVCTL" trace report "$T")
diag "$rep"
check "the report shows ${emul:-?} ptwr for test-ptwr" \
    eval 'test -n "$emul" && grep -A1 "^test-ptwr (" <<<"$rep" |
          grep -qE " ${emul} ptwr,"'
"$PVCTL" trace report --json "$T" >"$PVISOR_RUNDIR/report.json"
check "JSON: ptwr = ${emul:-?} emulated, ${refused:-?} not, none lost" \
    python3 - "$PVISOR_RUNDIR/report.json" "${emul:--1}" "${refused:--1}" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
d = [d for d in r["domains"] if d["name"] == "test-ptwr"]
got = (d[0]["ptwr"], d[0]["ptwr_not_emulated"], r["lost"]) if d else None
want = (int(sys.argv[2]), int(sys.argv[3]), 0)
print("# trace", got, "guest", want)
sys.exit(0 if got == want else 1)
EOF
check "export --format perfetto" "$PVCTL" trace export "$T" \
    -o "$PVISOR_RUNDIR/ptwr.json"
# Every refused write is a record with a negative result and a #PF trap
# at the same rip right after it; every emulated one changed the entry
# or (a cmpxchg that failed its comparison) left it alone.
check "each refused record is followed by its #PF at the same rip" \
    python3 - "$PVISOR_RUNDIR/ptwr.json" "${refused:--1}" <<'EOF'
import json, sys
ev = [e for e in json.load(open(sys.argv[1]))["traceEvents"]
      if e.get("cat") in ("ptwr", "trap")]
ev.sort(key=lambda e: e["ts"])
bad = [i for i, e in enumerate(ev)
       if e["cat"] == "ptwr" and e["args"]["result"] != 0]
ok = 0
for i in bad:
    e = ev[i]
    nxt = ev[i + 1] if i + 1 < len(ev) else None
    if (e["args"]["result"] < 0 and nxt and nxt["cat"] == "trap" and
            nxt["name"].startswith("#PF") and
            nxt["args"]["rip"] == e["args"]["rip"] and
            nxt["args"]["cr2"] == e["args"]["va"]):
        ok += 1
print("# %d refused records, %d followed by their #PF" % (len(bad), ok))
sys.exit(0 if len(bad) == int(sys.argv[2]) and ok == len(bad) else 1)
EOF
check "the emulated records carry the bytes of the bench's mov r64 (REX.W 89)" \
    python3 - "$PVISOR_RUNDIR/ptwr.json" <<'EOF'
import json, re, sys
ev = [e for e in json.load(open(sys.argv[1]))["traceEvents"]
      if e.get("cat") == "ptwr" and e["args"]["result"] == 0]
movs = [e for e in ev if re.match("4[89cd]89", e["args"]["insn"])]
print("# %d emulated, %d of them mov r64 (REX.W 89)" % (len(ev), len(movs)))
sys.exit(0 if len(movs) >= 1000 else 1)
EOF
