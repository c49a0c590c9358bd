#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes seeds for fuzz_blkback_ring.c: the ring's start and producer
words, then requests (struct blkif_request, 112 bytes on x86-64): reads
and writes of a few segments, flushes and barriers, bad segments, sectors
past the end, unknown operations, a full ring.

Usage: make-corpus.py DIR
"""
import os
import struct
import sys

READ, WRITE, BARRIER, FLUSH, DISCARD, INDIRECT = 0, 1, 2, 3, 5, 6


def req(op, rid, sector, segs, nseg=None):
    """One blkif_request: op, nr_segments, handle, pad, id, sector, 11 segs."""
    nseg = len(segs) if nseg is None else nseg
    body = struct.pack('<BBHIQQ', op, nseg, 0, 0, rid, sector)
    for i in range(11):
        gref, first, last = segs[i] if i < len(segs) else (0, 0, 0)
        body += struct.pack('<IBBxx', gref, first, last)
    assert len(body) == 112
    return body


def seed(start, count, reqs):
    return struct.pack('<II', start, count) + b''.join(reqs)


SEEDS = {
    'write-read': seed(0, 2, [req(WRITE, 1, 8, [(0, 0, 7), (1, 2, 5)]),
                              req(READ, 2, 8, [(2, 0, 7), (1, 2, 5)])]),
    'flush-barrier': seed(6, 3, [req(FLUSH, 1, 0, []),
                                 req(BARRIER, 2, 0, [(0, 0, 7)]),
                                 req(WRITE, 3, 60, [(1, 0, 3)])]),
    'bad-segments': seed(1, 4, [req(WRITE, 1, 0, [(0, 0, 8)]),
                                req(WRITE, 2, 0, [(0, 5, 4)]),
                                req(READ, 3, 0, [(0, 0, 7)], nseg=12),
                                req(READ, 4, 0, [], nseg=0)]),
    'past-the-end': seed(31, 2, [req(READ, 1, 60, [(0, 0, 7)]),
                                 req(WRITE, 2, 2**64 - 4, [(0, 0, 7)])]),
    'bad-grants': seed(0, 2, [req(READ, 1, 0, [(3, 0, 7)]),
                              req(WRITE, 2, 0, [(0, 0, 7), (99, 0, 7)])]),
    'unknown-ops': seed(0, 3, [req(DISCARD, 1, 0, []), req(INDIRECT, 2, 0, []),
                               req(200, 3, 0, [])]),
    'full-ring': seed(2**32 - 5, 32,
                      [req(READ, i, i, [(i % 3, 0, 0)]) for i in range(32)]),
    'overflow': seed(0, 34, [req(READ, 1, 0, [(0, 0, 7)])]),
    'wild-producer': seed(7, 0x80000100, [req(READ, 1, 0, [(0, 0, 7)])]),
}

if __name__ == '__main__':
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
