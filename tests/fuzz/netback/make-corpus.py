#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes seeds for fuzz_netback_tx.c: the transmit ring's start and
producer words, the number of receive buffers posted, then transmit slots
(struct netif_tx_request, 12 bytes): one-slot and multi-slot packets,
extra-info slots, runts, oversized fragments, page crossings, bad grants,
too long a chain, an unfinished packet.

Usage: make-corpus.py DIR
"""
import os
import struct
import sys

CSUM, VALID, MORE, EXTRA = 1, 2, 4, 8
GSO, MCAST_ADD = 1, 2


def slot(gref, offset, size, flags=0, sid=0):
    return struct.pack('<IHHHH', gref, offset, flags, sid, size)


def extra(xtype, flags=0):
    return struct.pack('<BB10x', xtype, flags)


def seed(start, count, rxbufs, slots):
    return struct.pack('<III', start, count, rxbufs) + b''.join(slots)


SEEDS = {
    'one-slot': seed(0, 1, 4, [slot(0, 0, 60, CSUM | VALID, 1)]),
    'three-slots': seed(5, 3, 8, [slot(0, 3096, 9000, MORE, 1),
                                  slot(1, 0, 4096, MORE, 2),
                                  slot(2, 192, 3904, 0, 3)]),
    'extras': seed(0, 4, 2, [slot(0, 0, 60, EXTRA, 1), extra(MCAST_ADD),
                             slot(1, 0, 60, EXTRA, 2), extra(GSO)]),
    'drops': seed(0, 4, 2, [slot(0, 0, 13, 0, 1), slot(0, 0, 100, MORE, 2),
                            slot(1, 0, 200, 0, 3), slot(9, 0, 60, 0, 4)]),
    'crossing': seed(0, 2, 1, [slot(0, 0, 200, MORE, 1), slot(1, 4000, 100, 0, 2)]),
    'long-chain': seed(0, 20, 1, [slot(0, 0, 2000, MORE, 0)] +
                       [slot(1, 0, 10, MORE, i) for i in range(1, 20)]),
    'unfinished': seed(2**32 - 2, 2, 1, [slot(0, 0, 100, MORE, 1),
                                         slot(0, 0, 10, MORE, 2)]),
    'bad-extra': seed(0, 2, 0, [slot(0, 0, 60, EXTRA, 1), extra(0)]),
    'wild-producer': seed(3, 0x7fff0100, 0, [slot(0, 0, 60)]),
}

if __name__ == '__main__':
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(out, name), 'wb') as f:
            f.write(data)
