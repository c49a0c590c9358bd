#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
# Drives an interactive `pvctl console` (or `pvctl create -c`) on a pseudo
# terminal, as a person at a terminal would: waits for a text, types a
# line, waits for its echo, then detaches with Ctrl-] (or types "quit" and
# waits for the program to end).  Usage:
#   pty_console.py detach|quit TIMEOUT -- COMMAND...
# Prints what the terminal showed; exits 0 if every step happened.
import os
import pty
import select
import sys
import time

mode, timeout = sys.argv[1], float(sys.argv[2])
cmd = sys.argv[sys.argv.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(cmd[0], cmd)

seen = b""
deadline = time.time() + timeout


def wait_for(text):
    global seen
    while text not in seen:
        left = deadline - time.time()
        if left <= 0:
            return False
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                data = os.read(fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            seen += data
    return True


def finish(ok, why):
    sys.stdout.write(seen.decode("utf-8", "replace"))
    if not ok:
        sys.stdout.write("\npty_console: " + why + "\n")
    sys.exit(0 if ok else 1)


if not wait_for(b"console-echo: ready"):
    finish(False, "no 'ready' line")
os.write(fd, b"typed at a terminal\r")
if not wait_for(b"echo: typed at a terminal"):
    finish(False, "no echo of the typed line")
if mode == "detach":
    os.write(fd, b"\x1d")
else:
    os.write(fd, b"quit\r")
# The program must end by itself now.
end = time.time() + 10
while time.time() < end:
    r, _, _ = select.select([fd], [], [], 0.2)
    if r:
        try:
            data = os.read(fd, 4096)
        except OSError:
            data = b""
        seen += data
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        finish(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0,
               "exit status %d" % status)
os.kill(pid, 9)
finish(False, "did not end")
