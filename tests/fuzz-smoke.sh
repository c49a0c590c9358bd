#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays a fuzz target's corpus and fuzzes it briefly; prints TAP.
# Usage: fuzz-smoke.sh TARGET CORPUS-DIR [SECONDS]
target=$1 corpus=$2 secs=${3:-${FUZZ_SMOKE_SECONDS:-10}}
name=$(basename "$target")
work=$(mktemp -d) || exit 1
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/corpus"
[ -d "$corpus" ] && cp -r "$corpus"/. "$work/corpus/" 2>/dev/null
echo "1..1"
if "$target" -max_total_time="$secs" -print_final_stats=1 \
        -artifact_prefix="$work/" "$work/corpus" >"$work/out" 2>&1; then
    echo "ok 1 - $name replays its corpus and fuzzes ${secs}s cleanly"
    grep -E 'stat::number_of_executed_units|cov:' "$work/out" | tail -n 2 | sed 's/^/# /'
else
    echo "not ok 1 - $name found a crash"
    tail -n 40 "$work/out" | sed 's/^/# /'
    for f in "$work"/crash-* "$work"/leak-* "$work"/timeout-*; do
        [ -f "$f" ] && echo "# reproducer: $(od -An -tx1 "$f" | head -c 600)"
    done
    exit 1
fi
