# SPDX-License-Identifier: MIT
#
# Shared set-up for the xenstore-lite integration tests (sourced, not run):
# xs_up starts a private daemon (the sanitizer build from $PVISOR_BIN) on
# sockets in a temporary directory, with domain sockets for domains 5
# and 6; cleanup stops it with SIGTERM, records as one more result that
# it exited cleanly (an ASan/LSan report makes it fail), and removes the
# directory whatever happened.  xs0/xs5/xs6 run a command as dom0,
# domain 5 or domain 6; expect checks exact output and exit status.

source "$(dirname "${BASH_SOURCE[0]}")/../../lib/tap.sh"

XS_DAEMON=$PVISOR_BIN/xenstore-lite
XS_DIR=
XS_PID=

xs_cleanup() {
    local rc
    if [ -n "$XS_PID" ]; then
        kill -TERM "$XS_PID" 2>/dev/null
        wait "$XS_PID"
        rc=$?
        if [ "$rc" -eq 0 ]; then
            ok "daemon stops cleanly on SIGTERM (no sanitizer reports)"
        else
            not_ok "daemon stops cleanly on SIGTERM (exit $rc)"
            diag "$(tail -n 40 "$XS_DIR/log" 2>/dev/null)"
        fi
        XS_PID=
    fi
    [ -n "$XS_DIR" ] && rm -rf "$XS_DIR"
}

# xs_up [daemon options...]
xs_up() {
    local i
    XS_DIR=$(mktemp -d /tmp/xs-test.XXXXXX)
    trap xs_cleanup EXIT
    "$XS_DAEMON" --foreground -s "$XS_DIR/socket" -u "5:$XS_DIR/d5" \
        -u "6:$XS_DIR/d6" -T "$XS_DIR/log" "$@" 2>>"$XS_DIR/log" &
    XS_PID=$!
    for i in $(seq 1 100); do
        [ -S "$XS_DIR/socket" ] && [ -S "$XS_DIR/d6" ] && return 0
        sleep 0.05
    done
    echo "Bail out! xenstore-lite did not start"
    cat "$XS_DIR/log"
    exit 1
}

xs0() { XENSTORED_PATH=$XS_DIR/socket "$@"; }
xs5() { XENSTORED_PATH=$XS_DIR/d5 "$@"; }
xs6() { XENSTORED_PATH=$XS_DIR/d6 "$@"; }

# expect NAME RC EXPECTED-STDOUT EXPECTED-STDERR COMMAND...
expect() {
    local name=$1 want_rc=$2 want_out=$3 want_err=$4 out err rc
    shift 4
    out=$("$@" 2>"$XS_DIR/stderr")
    rc=$?
    err=$(cat "$XS_DIR/stderr")
    if [ "$rc" = "$want_rc" ] && [ "$out" = "$want_out" ] &&
        [ "$err" = "$want_err" ]; then
        ok "$name"
    else
        not_ok "$name"
        diag "command: $*"
        diag "exit $rc (want $want_rc)"
        diag "stdout: $out"
        diag "want:   $want_out"
        diag "stderr: $err"
        diag "want:   $want_err"
    fi
}

# xenstore-ls -p with its dot leaders squeezed: 'a = "1" (n0,r5)'.
xs_lsp() {
    local sock=$1
    shift
    XENSTORED_PATH=$sock xenstore-ls -p "$@" | sed -E 's/[ .]+\(/ (/'
}
