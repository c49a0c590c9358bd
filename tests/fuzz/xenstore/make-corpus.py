#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
#
# Writes the seed corpus for the xenstore-engine fuzz target: scripts of
# well-formed requests (see fuzz_xs_engine.c for the step format) that
# reach every operation, transactions, watches, the guest ring and the
# consistency check, so fuzzing starts from deep states.
import os, struct, sys

XS = dict(CONTROL=0, DIRECTORY=1, READ=2, GET_PERMS=3, WATCH=4, UNWATCH=5,
          TRANSACTION_START=6, TRANSACTION_END=7, INTRODUCE=8, RELEASE=9,
          GET_DOMAIN_PATH=10, WRITE=11, MKDIR=12, RM=13, SET_PERMS=14,
          IS_DOMAIN_INTRODUCED=17, RESUME=18, SET_TARGET=19,
          RESET_WATCHES=21, DIRECTORY_PART=22)

def msg(t, *args, tx=0, raw=None, rid=1):
    body = raw if raw is not None else b"".join(a.encode() + b"\0" for a in args)
    return struct.pack("<IIII", XS[t], rid, tx, len(body)) + body

def step(op, data):
    return struct.pack("<BH", op, len(data)) + data

def conn(i, *msgs):
    return step(i, b"".join(msgs))

def ring_page(*msgs):
    req = b"".join(msgs)[:1024]
    page = req.ljust(1024, b"\0") + b"\0" * 1024
    page += struct.pack("<IIIIIII", 0, len(req), 0, 0, 0, 0, 0)
    return step(3, page)

seeds = {
    "basic": conn(0, msg("WRITE", raw=b"/a/b\0hello"), msg("READ", "/a/b"),
                  msg("DIRECTORY", "/a"), msg("MKDIR", "/a/c"),
                  msg("GET_PERMS", "/a"), msg("SET_PERMS", "/a", "n0", "r5"),
                  msg("DIRECTORY_PART", "/a", "0"), msg("RM", "/a/b"))
             + step(4, b"") + step(7, b""),
    "watch": conn(0, msg("WATCH", "/w", "t"), msg("WATCH", "@introduceDomain", "i"),
                  msg("WRITE", raw=b"/w/x\01"), msg("RM", "/w"),
                  msg("UNWATCH", "/w", "t"), msg("RESET_WATCHES"))
             + step(4, b""),
    "txn": conn(0, msg("TRANSACTION_START", ""), msg("WRITE", raw=b"/t/a\0v", tx=1),
                msg("READ", "/t/a", tx=1)) +
           conn(1, msg("WRITE", raw=b"/t/a\0w")) +
           conn(0, msg("TRANSACTION_END", "T", tx=1)) + step(7, b""),
    "domains": conn(0, msg("INTRODUCE", "12", "1", "5"), msg("IS_DOMAIN_INTRODUCED", "12"),
                    msg("GET_DOMAIN_PATH", "12"), msg("MKDIR", "/local/domain/5"),
                    msg("SET_PERMS", "/local/domain/5", "n5"), msg("SET_TARGET", "5", "12"),
                    msg("RESUME", "12"), msg("RELEASE", "12"),
                    msg("CONTROL", "check"), msg("CONTROL", "quota", "5"))
               + conn(1, msg("WRITE", raw=b"data\0x"), msg("WATCH", "data", "d"),
                      msg("TRANSACTION_START", ""))
               + step(5, b"\x01") + step(7, b""),
    "unpriv": conn(0, msg("MKDIR", "/local/domain/6"), msg("SET_PERMS", "/local/domain/6", "n6", "r5"))
              + conn(2, msg("WRITE", raw=b"x\0y"), msg("SET_PERMS", "x", "n6", "b5"),
                     msg("INTRODUCE", "3", "1", "1"))
              + conn(1, msg("READ", "/local/domain/6/x"), msg("WRITE", raw=b"/local/domain/6/x\0z"))
              + step(6, b"") + step(4, b"") + step(7, b""),
    "ring": conn(0, msg("MKDIR", "/local/domain/9"), msg("SET_PERMS", "/local/domain/9", "n9"))
            + ring_page(msg("WRITE", raw=b"name\0guest"), msg("WATCH", "name", "n"),
                        msg("READ", "name")) + step(4, b""),
    "malformed": conn(0, struct.pack("<IIII", 2, 1, 0, 5) + b"/tool",
                      struct.pack("<IIII", 999, 2, 0, 0),
                      struct.pack("<IIII", 2, 3, 0, 5000)),
}
out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
os.makedirs(out, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
