#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks for the trace tests.

  check_trace.py counts REPORT.json CONSOLE.log NAME
      the report's hypercall counts for domain NAME equal the counts the
      guest printed itself ("hypercall counts: 0=1 14=2 ..."), top-level
      calls only (a multicall counts once, as the guest counts it)
  check_trace.py perfetto EXPORT.json
      the export is Chrome Trace Event JSON: a traceEvents list whose
      events have the fields their phase needs, hypercall slices,
      named tracks, and flows whose starts and ends pair up
"""
import json
import re
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def counts(report_path, console_path, name):
    report = json.load(open(report_path))
    doms = [d for d in report["domains"] if d["name"] == name]
    if len(doms) != 1:
        fail("domain %s appears %d times in the report" % (name, len(doms)))
    traced = {}
    for c in doms[0]["calls"]:
        traced[c["op"]] = traced.get(c["op"], 0) + c["count"]
    line = None
    for l in open(console_path):
        if l.startswith("hypercall counts: "):
            line = l
    if not line:
        fail("no 'hypercall counts:' line in " + console_path)
    guest = {int(k): int(v) for k, v in re.findall(r"(\d+)=(\d+)", line)}
    if traced != guest:
        fail("trace %s != guest %s" % (sorted(traced.items()),
                                        sorted(guest.items())))
    if report["lost"] != 0:
        fail("%d records lost" % report["lost"])
    print("ok: %d hypercalls of %d kinds, as the guest counted them"
          % (sum(guest.values()), len(guest)))


def perfetto(path):
    doc = json.load(open(path))
    events = doc.get("traceEvents")
    if not isinstance(events, list) or not events:
        fail("no traceEvents list")
    need = {"X": ("name", "ts", "dur", "pid", "tid"),
            "i": ("name", "ts", "pid", "s"),
            "M": ("name", "pid", "args"),
            "s": ("id", "ts", "pid", "tid"),
            "f": ("id", "ts", "pid", "tid")}
    flows = {}
    slices = 0
    for e in events:
        ph = e.get("ph")
        if ph not in need:
            fail("unknown phase %r in %r" % (ph, e))
        for k in need[ph]:
            if k not in e:
                fail("%s event without %s: %r" % (ph, k, e))
        if ph in ("X", "i", "s", "f") and not isinstance(e["ts"], (int, float)):
            fail("ts is not a number: %r" % e)
        if ph == "X":
            if e["dur"] < 0:
                fail("negative duration: %r" % e)
            if e.get("cat") == "hypercall":
                slices += 1
        if ph in ("s", "f"):
            flows.setdefault(e["id"], []).append(ph)
    if not slices:
        fail("no hypercall slices")
    if not any(e["ph"] == "M" and e["name"] == "thread_name" for e in events):
        fail("no named tracks")
    for fid, phs in flows.items():
        if phs.count("s") != 1 or phs.count("f") > 1:
            fail("flow %s is %r" % (fid, phs))
    print("ok: %d events, %d hypercall slices, %d flows"
          % (len(events), slices, len(flows)))


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "counts":
        counts(*sys.argv[2:])
    elif len(sys.argv) == 3 and sys.argv[1] == "perfetto":
        perfetto(sys.argv[2])
    else:
        print(__doc__)
        sys.exit(2)
