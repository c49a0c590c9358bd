#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# timeout: 240
# The ring console (xen/io/console.h) between guests and pvisor-consoled:
# output and input round trips through `pvctl console`, piped and on a
# pseudo terminal (typing, Ctrl-] detaching, `pvctl create -c`); the
# daemon's socket directly; pvisor-consoled killed and restarted by the
# link daemon takes the ring up again; a guest that writes nonsense
# indexes loses its ring and nothing else; the reference guest's output comes through the
# ring and its last line through console_io, in order, in one log.
. "$(dirname "$0")/../../lib/tap.sh"
. "$(dirname "$0")/../../lib/domains.sh"
plan 25
pvisor_rundir

ECHO=$GUESTS/console-echo.cfg
PTY=$(dirname "$0")/pty_console.py

check "pvctl up" "$PVCTL" up --memory 256M

# Piped: stdin goes to the ring, the echoes come back, --eof-exit ends it.
check "pvctl create console-echo" "$PVCTL" create "$ECHO" 'name="echo1"'
check "the daemon publishes its socket in console/tty" \
    wait_for 10 eval '"$PVCTL" list >/dev/null &&
        [ -S "$PVISOR_RUNDIR/console/$(domid echo1).sock" ]'
res=$(printf 'one line\nanother line\n' |
      timeout 30 "$PVCTL" console --eof-exit echo1 2>&1)
diag "$res"
check "piped input comes back through the ring, in order" \
    eval 'grep -q "^console-echo: ready" <<<"$res" &&
          grep -A1 "^echo: one line" <<<"$res" | grep -q "^echo: another line"'
check "the log has the echoes" console_has echo1 "^echo: another line$"

# The backend killed: linkd restarts it, and it takes the ring up again
# where the old one left it (the indexes live in the shared page).
consoled_pid() {
    sed -n 's/.*started pvisor-consoled (pid \([0-9]*\)).*/\1/p' \
        "$PVISOR_RUNDIR/log/linkd.log" | tail -n 1
}
old_pid=$(consoled_pid)
check "pvisor-consoled killed (-9)" kill -9 "${old_pid:-none}"
check "the link daemon starts it again" \
    wait_for 10 eval '[ -n "$(consoled_pid)" ] && [ "$(consoled_pid)" != "$old_pid" ]'
# Until the new daemon has mapped the ring again, a line may go nowhere:
# a line is sent each try and a try succeeds when its echo comes back.
try=0
echo_after_restart() {
    try=$((try + 1))
    printf 'after the restart %d\n' "$try" |
        timeout 5 "$PVCTL" console --eof-exit echo1 2>&1 |
        grep -q "^echo: after the restart $try\$"
}
check "input after the restart reaches the guest and its echo comes back" \
    wait_for 20 echo_after_restart

# The socket itself, without pvctl: history first, then live output.
sock=$PVISOR_RUNDIR/console/$(domid echo1).sock
res=$(python3 - "$sock" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"through the socket\n")
buf, end = b"", time.time() + 15
s.settimeout(0.5)
while b"echo: through the socket" not in buf and time.time() < end:
    try:
        buf += s.recv(4096)
    except socket.timeout:
        pass
print(buf.decode())
PY
)
check "a socket client gets the history and the echo of what it sent" \
    eval 'grep -q "^echo: one line" <<<"$res" &&
          grep -q "^echo: through the socket" <<<"$res"'

# A terminal: typed keys reach the guest; Ctrl-] detaches, the guest runs on.
res=$(python3 "$PTY" detach 30 -- "$PVCTL" console echo1 2>&1)
diag "$res"
check "on a terminal, a typed line comes back and Ctrl-] detaches" \
    grep -q "echo: typed at a terminal" <<<"$res"
check "the guest is still running after the detach" listed echo1
check "input after a detach still works; quit powers it off" \
    eval 'printf "quit\n" | timeout 30 "$PVCTL" console echo1 >/dev/null'
check "console ends when the domain is gone" wait_for 10 not_listed echo1
check "its log ends with the shutdown" \
    wait_for 10 console_has echo1 "^--- domain echo1 \([0-9]+\) shut down: poweroff ---$"

# pvctl create -c attaches at boot.
res=$(python3 "$PTY" quit 60 -- "$PVCTL" create -c "$ECHO" 'name="echo2"' 2>&1)
diag "$res"
check "pvctl create -c attaches at boot: typed line echoed, quit ends it" \
    eval 'grep -q "Created domain" <<<"$res" &&
          grep -q "echo: typed at a terminal" <<<"$res"'
check "echo2 is gone" wait_for 10 not_listed echo2

# Hostile indexes: only that guest's ring goes; the others carry on.
check "a well-behaved guest beside the hostile ones" \
    "$PVCTL" create "$ECHO" 'name="good"'
check "a guest that corrupts out_prod" \
    "$PVCTL" create "$ECHO" 'name="badout"' 'cmdline="hostile=out"'
check "a guest that corrupts in_cons" \
    "$PVCTL" create "$ECHO" 'name="badin"' 'cmdline="hostile=in"'
check "badout: its ring is disconnected, said once in its log" \
    eval 'wait_for 20 console_has badout "^--- console ring of badout \([0-9]+\) disconnected: the guest.s out indexes" &&
          [ "$(grep -c "^--- console ring" "$(console_log badout)")" -eq 1 ]'
check "badout: it ran on and printed through console_io, then powered off" \
    eval 'wait_for 20 console_has badout "^after: the guest is still running" &&
          wait_for 20 console_has badout "shut down: poweroff ---"'
check "badin: its ring is disconnected, then it powered off" \
    eval 'wait_for 20 console_has badin "^--- console ring of badin \([0-9]+\) disconnected: the guest.s in indexes" &&
          wait_for 20 console_has badin "shut down: poweroff ---"'
res=$(printf 'still here\nquit\n' | timeout 30 "$PVCTL" console good 2>&1)
check "the good guest's console still round-trips, and it ends" \
    eval 'grep -q "^echo: still here" <<<"$res" && wait_for 10 not_listed good'

# The reference guest: ring output, then its counts line by console_io.
check "hello passes its self-test over the ring console" \
    eval '"$PVCTL" create "$GUESTS/hello.cfg" &&
          wait_for 30 console_has hello "^--- domain hello \([0-9]+\) destroyed"'
check "hello: the ring lines come before the console_io counts line" \
    eval 'log=$(console_log hello);
          s=$(grep -n "^hello: self-test passed" "$log" | cut -d: -f1);
          c=$(grep -n "^hypercall counts: " "$log" | cut -d: -f1);
          e=$(grep -n "^--- domain hello .* shut down" "$log" | cut -d: -f1);
          [ -n "$s" ] && [ "$s" -lt "$c" ] && [ "$c" -lt "$e" ] &&
          grep -q "^hypercall counts: .* 18=1 " "$log"'
