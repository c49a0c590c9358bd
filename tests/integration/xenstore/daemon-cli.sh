#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 60
#
# xenstore-lite's command line: --help, bad options, the default socket
# under $PVISOR_RUNDIR, --daemon with --pid-file (the parent returns only
# once the socket listens), the log file, and a clean SIGTERM exit that
# removes the pid file and the socket.
source "$(dirname "$0")/../../lib/tap.sh"

D=$PVISOR_BIN/xenstore-lite
T=$(mktemp -d /tmp/xs-cli.XXXXXX)
trap 'rm -rf "$T"' EXIT
plan 11

out=$("$D" --help)
[ $? -eq 0 ] && [[ $out == *"--domain-socket"* ]] && [[ $out == *"XENSTORED_PATH"* ]] &&
    ok "--help describes the options" || not_ok "--help describes the options"
"$D" --no-such-option >/dev/null 2>&1
[ $? -eq 1 ] && ok "an unknown option is an error" || not_ok "an unknown option is an error"
"$D" -Q bogus=1 >/dev/null 2>&1
[ $? -eq 1 ] && ok "an unknown quota is an error" || not_ok "an unknown quota is an error"
"$D" -u 0:$T/x >/dev/null 2>&1
[ $? -eq 1 ] && ok "domain 0 cannot be a --domain-socket" ||
    not_ok "domain 0 cannot be a --domain-socket"

PVISOR_RUNDIR=$T/run "$D" --daemon --pid-file "$T/pid" --log-file "$T/log" \
    -Q nodes=50 -w watch-event=5
rc=$?
[ $rc -eq 0 ] && [ -S "$T/run/xenstored/socket" ] &&
    ok "--daemon returns once \$PVISOR_RUNDIR/xenstored/socket listens" ||
    not_ok "--daemon returns once the socket listens (rc $rc)"
pid=$(cat "$T/pid" 2>/dev/null)
[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && ok "the pid file names the daemon" ||
    not_ok "the pid file names the daemon"
XENSTORED_PATH=$T/run/xenstored/socket xenstore-write /x 1 &&
    [ "$(XENSTORED_PATH=$T/run/xenstored/socket xenstore-read /x)" = 1 ] &&
    ok "the detached daemon serves clients" || not_ok "the detached daemon serves clients"
kill -TERM "$pid"
for i in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
kill -0 "$pid" 2>/dev/null && not_ok "SIGTERM stops it" || ok "SIGTERM stops it"
[ ! -e "$T/pid" ] && [ ! -e "$T/run/xenstored/socket" ] &&
    ok "pid file and socket are removed" || not_ok "pid file and socket are removed"
grep -q "listening on $T/run/xenstored/socket" "$T/log" &&
    grep -q "signal 15: shutting down" "$T/log" && ok "the log records start and stop" ||
    not_ok "the log records start and stop"
grep -qiE "AddressSanitizer|LeakSanitizer" "$T/log" &&
    not_ok "no sanitizer report in the log" || ok "no sanitizer report in the log"
