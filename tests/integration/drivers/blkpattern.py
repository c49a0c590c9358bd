#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The reference guest's disk pattern (guests/hello/disk.c), on the host.

  blkpattern.py check IMAGE SEED [SECTORS]   exit 0 if the first SECTORS
      (default: all) of IMAGE hold the pattern of SEED; says where not
  blkpattern.py fnv IMAGE                    FNV-1a 64 of the whole image

The 64-bit little-endian word at byte offset o is
(o / 8 + 1) * 0x9E3779B97F4A7C15 ^ SEED (mod 2^64).
"""
import struct
import sys

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def pattern(first_word, nwords, seed):
    return struct.pack("<%dQ" % nwords,
                       *(((first_word + i + 1) * GOLDEN & MASK) ^ seed
                         for i in range(nwords)))


def check(path, seed, sectors=None):
    with open(path, "rb") as f:
        data = f.read() if sectors is None else f.read(sectors * 512)
    if sectors is not None and len(data) < sectors * 512:
        print("%s: only %d bytes" % (path, len(data)))
        return 1
    want = pattern(0, len(data) // 8, seed)
    if data[:len(want)] == want:
        return 0
    for s in range(0, len(want), 512):
        if data[s:s + 512] != want[s:s + 512]:
            print("%s: sector %d differs from seed %d's pattern" %
                  (path, s // 512, seed))
            break
    return 1


def fnv(path):
    h = 0xcbf29ce484222325
    with open(path, "rb") as f:
        for b in f.read():
            h = ((h ^ b) * 0x100000001b3) & MASK
    print("%#x" % h)
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "check":
        sys.exit(check(a[1], int(a[2]), int(a[3]) if len(a) > 3 else None))
    if len(a) == 2 and a[0] == "fnv":
        sys.exit(fnv(a[1]))
    sys.exit(__doc__)
