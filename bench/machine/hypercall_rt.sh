#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs the dom0 hypercall round-trip benchmark against a fresh machine.
set -u
top=${PVISOR_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${PVISOR_BIN:-$top/build/bin}
export PVISOR_RUNDIR=$(mktemp -d /dev/shm/pvisor-bench.XXXXXX)
trap '"$bin/pvctl" down >/dev/null 2>&1; rm -rf "$PVISOR_RUNDIR"' EXIT
"$bin/pvctl" up --memory 256M >/dev/null || exit 1
"$top/build/bench/data/hypercall_rt" "${BENCH_CALLS:-2000}"
