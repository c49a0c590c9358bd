#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# The dom0 link under bad and concurrent requests (see link_client.c):
# each refused with the right error, nothing else disturbed.
. "$(dirname "$0")/../../lib/tap.sh"
pvisor_rundir
if ! "$PVCTL" up --memory 256M >/dev/null 2>&1; then
    echo "1..1"
    not_ok "pvctl up"
    exit 1
fi
"$PVISOR_TOP/$BUILD/tests/bin/link_client"
