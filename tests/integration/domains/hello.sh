#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 180
# The reference guest: `pvctl create guests/hello.cfg` boots it; its console
# shows the greeting and the self-test result; `pvctl list` shows it while
# it runs and not after it powers off; the exit reason is reported.  Its
# xenstore client reads its domid and name, writes data/hello (read here
# from dom0) and, while it lingers, answers dom0's writes to data/ping.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 21
pvisor_rundir

check "pvctl up" "$PVCTL" up --memory 256M
log=$(console_log hello)

# Kept up 5 s after its self-test (cmdline linger=5) so that it can be seen.
check "pvctl create guests/hello.cfg (lingering 5 s)" \
    "$PVCTL" create "$GUESTS/hello.cfg" 'cmdline="linger=5"'
check "pvctl list shows it" wait_for 5 listed hello
id=$(domid hello)
check "its console shows the greeting" \
    wait_for 20 console_has hello "^hello: pvisor reference guest"
check "its self-test passed" \
    wait_for 20 console_has hello "^hello: self-test passed \(34 checks\)"
check "it read its name and domid ($id) from xenstore" \
    console_has hello "^hello: I am \"hello\", domain $id\$"
export XENSTORED_PATH=$PVISOR_RUNDIR/xenstored/socket
check "dom0 reads the node it wrote: data/hello" eval \
    '[ "$(xenstore-read "/local/domain/$id/data/hello")" = \
       "hello from hello (domain $id)" ]'
check "it watches data/ping while it lingers" \
    wait_for 10 console_has hello "^hello: watching data/ping"
xenstore-write "/local/domain/$id/data/ping" "from dom0"
check "dom0 writes data/ping: its watch fires, it echoes the value" \
    wait_for 5 console_has hello '^hello: data/ping is "from dom0"$'
check "... and answers in data/pong" eval \
    '[ "$(xenstore-read "/local/domain/$id/data/pong")" = "from dom0" ]'
st=$(state hello)
diag "state while lingering: $st"
check "it is running or blocked (state r or b)" grep -qE '^-?[rb]' <<<"$st"
check "it prints its hypercall counts" \
    wait_for 10 console_has hello "^hypercall counts: .*24=[0-9]+"
check "it is gone from the list after powering off" wait_for 20 not_listed hello
check "its console log ends with the shutdown reason" \
    wait_for 10 console_has hello "^--- domain hello \([0-9]+\) shut down: poweroff ---$"
check "... and its destruction" \
    wait_for 10 console_has hello "^--- domain hello \([0-9]+\) destroyed ---$"
check "log/domains.log reports the exit reason and the action" \
    grep -qE "domain hello \([0-9]+\) shut down: poweroff; destroying it" \
    "$PVISOR_RUNDIR/log/domains.log"

# The plain configuration, as the issue's acceptance words it; the log
# outlives the first domain and grows.
check "pvctl create guests/hello.cfg again (the name is free)" \
    "$PVCTL" create "$GUESTS/hello.cfg"
check "the second run passes its self-test too" \
    wait_for 20 eval '[ "$(grep -c "^hello: self-test passed" "$log")" -eq 2 ]'
check "and powers off" \
    wait_for 20 eval '[ "$(grep -c "shut down: poweroff ---" "$log")" -eq 2 ]'
check "pvctl list: only Domain-0 is left" \
    wait_for 10 eval '[ "$("$PVCTL" list | tail -n +2 | wc -l)" -eq 1 ]'
check "the hypervisor log shows no crash" \
    bash -c "! '$PVCTL' dmesg | grep -qiE 'crashed|panic'"
