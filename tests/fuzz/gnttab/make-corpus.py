#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of the grant-table fuzzer (fuzz_gnttab.c).

Each seed is a script of steps in the fuzzer's input format (see the
step functions of fuzz_gnttab.c): a page shared writable and read-only
between two guests, dom0 mapping and copying through its window, a
granter and a mapper dying with mappings live, grant-frame exhaustion,
copies past a page's end, unmapping twice or through another mapping's
address, preempted batches, a grant mapped over a grant mapping, and the
sub-ops that are refused.

Usage: make-corpus.py DIR
"""
import os
import sys

# Step opcodes (index into steps[] of fuzz_gnttab.c).
GRANT, END, MAP, UNMAP, COPY, SETUP, TABLEOP, KILL, CREATE, SESSION_END, \
    SCHED = 0, 3, 4, 7, 9, 11, 12, 13, 14, 15, 16
LINK = 0                       # issuer byte of dom0's link vCPU
# GNTMAP_* as the map step's flags byte takes them.
DEV, HOST, RO, APP, PTE = 1, 2, 4, 8, 0x10
# Grant entry flag byte of the grant step.
G_RO, G_SUBPAGE = 1, 2


def dom(k):
    """domid_sel(): domain k."""
    return 0x40 | k


def issuer(d, vcpu=0):
    return d | (vcpu << 4)


def own_frame(n):
    """frame_sel(): the granter's n-th data frame."""
    return n & 7


def window_frame(n):
    """frame_sel(): dom0's n-th copy frame in its window."""
    return 0xc0 | n


def grant(d, ref, grantee, frame=0, flags=0):
    return [GRANT, d, ref, grantee, frame, flags]


def end(d, ref):
    return [END, d, ref]


def map_(who, ops, preempt=0, bad=False):
    """ops: (granter, ref, flags, l1 slot)"""
    out = [MAP, who, (len(ops) - 1) | (0x80 if bad else 0)]
    for g, ref, fl, slot in ops:
        out += [dom(g), fl, ref, slot]
    return out + [preempt]


def unmap(who, ops, preempt=0):
    """ops: (live handle index, how, other)"""
    out = [UNMAP, who, len(ops) - 1]
    for h, how, other in ops:
        out += [how, h, other]
    return out + [preempt]


def ptr_ref(g, ref, off=0):
    return [1 | ((off // 128) << 2), dom(g), ref]


def ptr_frame(frame, off=0):
    return [2 | ((off // 128) << 2), 0, frame]


def ptr_raw_off(kind, c, x, off):
    return [kind | 0x80, c, x, off & 0xff, off >> 8]


LEN = {0: 0, 1: 1, 8: 2, 64: 3, 100: 4, 1024: 5, 4095: 6, 4096: 7}


def copy(who, src, dst, length, extra=0, preempt=0):
    if length in LEN:
        lb = LEN[length]
    else:
        base = max(k for k in LEN if k <= length and length - k < 0x40)
        lb, extra = LEN[base] | 0x80, (extra & 0xc0) | (length - base)
    return [COPY, who, 0] + src + dst + [lb, extra, preempt]


NRS = {0: 0, 1: 1, 2: 2, 3: 3, 4: 4, 8: 5, 16: 6, 32: 7, 63: 8, 64: 9,
       65: 10, 128: 11, 0xffffffff: 14, 5: 15}


def setup(who, d, nr, how=0):
    return [SETUP, who, d, NRS[nr], how]


def tableop(who, which, d, arg):
    return [TABLEOP, who, which, d, arg]


SEEDS = {
    # d1 grants a page to d2, which maps it writable and read-only, then
    # unmaps both; d1 can end the grant only then.
    "share-rw": grant(1, 1, 2, own_frame(0)) +
    map_(issuer(2), [(1, 1, HOST, 10)]) +
    map_(issuer(2, 1), [(1, 1, HOST | RO, 11)]) +
    end(1, 1) + unmap(issuer(2), [(0, 0, 0), (1, 0, 0)]) + end(1, 1),
    # A read-only grant: a writable map and a copy into it refused.
    "readonly": grant(1, 2, 2, own_frame(1), G_RO) +
    map_(issuer(2), [(1, 2, HOST, 12), (1, 2, HOST | RO, 13)]) +
    copy(issuer(2), ptr_frame(0x00), ptr_ref(1, 2), 64) +
    copy(issuer(2), ptr_ref(1, 2, 128), ptr_ref(2, 0), 64) +
    map_(issuer(2), [(1, 2, DEV, 0)]),
    # A grant to someone else, or not a grant at all.
    "not-granted": grant(1, 3, 2, own_frame(2)) +
    map_(issuer(3), [(1, 3, HOST, 3)]) + map_(LINK, [(1, 3, HOST, 0)]) +
    grant(1, 4, 2, own_frame(2), 0x80 | 2) +
    map_(issuer(2), [(1, 4, HOST, 4)]) +
    grant(1, 5, 2, own_frame(2), G_SUBPAGE) +
    map_(issuer(2), [(1, 5, HOST, 5)]) +
    copy(issuer(2), ptr_ref(1, 5), ptr_frame(0x01), 100) +
    grant(1, 6, 2, 0x60) + map_(issuer(2), [(1, 6, HOST, 6)]) +
    grant(1, 7, 2, 0x85) + map_(issuer(2), [(1, 7, HOST | RO, 7)]) +
    grant(1, 8, 2, 0xe0) + map_(issuer(2), [(1, 8, DEV | RO, 8)]),
    # dom0 maps through its link (bookkeeping and a bus address), copies
    # in and out through its window, and its session ends.
    "dom0-link": grant(1, 9, 0, own_frame(3)) +
    map_(LINK, [(1, 9, HOST | DEV, 0x20)]) +
    copy(LINK, ptr_ref(1, 9), ptr_frame(window_frame(0)), 4096) +
    copy(LINK, ptr_frame(window_frame(1), 256), ptr_ref(1, 9, 512), 1024) +
    copy(LINK, ptr_frame(0x00), ptr_ref(1, 9), 8) +
    unmap(LINK, [(0, 2, 0x21)]) + [SESSION_END],
    # The granter dies with its page mapped: the frames stay until the
    # mapper unmaps; then the id is reused.
    "granter-dies": grant(1, 10, 2, own_frame(4)) +
    map_(issuer(2), [(1, 10, HOST, 14), (1, 10, DEV | RO, 0)]) +
    grant(1, 11, 0, own_frame(5)) + map_(LINK, [(1, 11, HOST | RO, 1)]) +
    [KILL, 0] + map_(issuer(2), [(1, 10, HOST, 15)]) +
    copy(issuer(2), ptr_ref(1, 10), ptr_frame(0x00), 8) +
    unmap(issuer(2), [(0, 0, 0), (1, 0, 0)]) + [SESSION_END, CREATE, 0] +
    grant(1, 10, 2, own_frame(4)) + map_(issuer(2), [(1, 10, HOST, 14)]),
    # The mapper dies with mappings live; the granter can end its grant.
    "mapper-dies": grant(1, 12, 2, own_frame(6)) +
    grant(1, 13, 2, own_frame(6), G_RO) +
    map_(issuer(2), [(1, 12, HOST, 16), (1, 13, HOST | RO, 17),
                     (1, 12, DEV, 0)]) +
    [KILL, 1] + end(1, 12) + end(1, 13) + [CREATE, 1],
    # Grant-frame exhaustion: 64 frames at most.
    "frames-limit": setup(issuer(1), 0x00, 4) + setup(issuer(1), 0x00, 64) +
    setup(issuer(1), 0x00, 65) + setup(issuer(1), 0x00, 0xffffffff) +
    tableop(issuer(1), 0, 0x00, 0) + setup(issuer(2), dom(1), 2) +
    setup(LINK, dom(2), 8) + tableop(LINK, 0, dom(2), 0) +
    grant(1, 0xf4, 2, own_frame(0)) + map_(issuer(2), [(1, 0xf4, HOST, 18)]) +
    setup(issuer(1), 0x00, 2, 1) + setup(issuer(1), 0x00, 1, 2),
    # Versions, status frames and the sub-ops not offered.
    "versions": tableop(issuer(1), 1, 0, 1) + tableop(issuer(1), 1, 0, 2) +
    tableop(issuer(1), 1, 0, 0) + tableop(issuer(1), 1, 0, 0xf3) +
    tableop(issuer(1), 2, 0x00, 0) + tableop(issuer(1), 2, dom(2), 0) +
    tableop(LINK, 2, dom(2), 0) + tableop(issuer(1), 3, 0x00, 0) +
    tableop(issuer(1), 3, 0x00, 1) + tableop(issuer(2), 3, dom(1), 0) +
    sum((tableop(issuer(1), 4, 0, k) for k in range(8)), []) +
    tableop(issuer(1), 5, 3, 1) + tableop(issuer(1), 5, 3, 8),
    # Copies past a page's end, at both ends, and overlapping in a page.
    "copy-bounds": grant(1, 14, 2, own_frame(7)) +
    copy(issuer(2), ptr_ref(1, 14, 3968), ptr_frame(0x00), 128) +
    copy(issuer(2), ptr_ref(1, 14, 3968), ptr_frame(0x00), 129) +
    copy(issuer(2), ptr_frame(0x00), ptr_raw_off(1, dom(1), 14, 4095), 1) +
    copy(issuer(2), ptr_frame(0x00), ptr_raw_off(1, dom(1), 14, 4095), 2) +
    copy(issuer(2), ptr_raw_off(2, 0, 0x00, 0xffff), ptr_ref(1, 14), 1) +
    copy(issuer(2), ptr_frame(0x01, 0), ptr_frame(0x01, 128), 1024) +
    copy(issuer(2), ptr_frame(0x85), ptr_frame(0x01), 8) +
    copy(LINK, ptr_frame(window_frame(7)), ptr_ref(1, 14), 8),
    # Unmapping twice, a handle never given, and through the address of
    # another mapping of the same frame (read-only against writable).
    "unmap-twice": grant(1, 15, 2, own_frame(0)) +
    map_(issuer(2), [(1, 15, HOST, 20), (1, 15, HOST | RO, 21)]) +
    unmap(issuer(2), [(0, 1, 1)]) + unmap(issuer(2), [(0, 0, 0)]) +
    unmap(issuer(2), [(0, 0, 0), (0, 0, 0)]) +
    unmap(issuer(2), [(0x85, 3, 0)]) +
    map_(issuer(2), [(1, 15, HOST, 22)]) +
    unmap(issuer(2), [(0, 2, 0x30)]) + unmap(issuer(2), [(0, 4, 0)]),
    # Preempted batches re-issued as continuations.
    "preempted": grant(1, 16, 2, own_frame(1)) +
    grant(1, 17, 2, own_frame(2)) +
    map_(issuer(2), [(1, 16, HOST, 24), (1, 17, HOST | RO, 25),
                     (1, 16, DEV, 0), (1, 17, DEV | RO, 0)], preempt=1) +
    unmap(issuer(2), [(0, 0, 0), (1, 0, 0), (2, 0, 0), (3, 0, 0)],
          preempt=3) +
    copy(issuer(2), ptr_ref(1, 16), ptr_ref(1, 16, 2048), 64, preempt=1),
    # A grant mapped over a live grant mapping crashes the guest (Xen's
    # "implicit unmap"); its mappings go with it.
    "map-over-map": grant(1, 18, 2, own_frame(3)) +
    grant(1, 19, 2, own_frame(4)) + map_(issuer(2), [(1, 18, HOST, 26)]) +
    map_(issuer(2), [(1, 19, HOST, 26)]) +
    end(1, 18) + end(1, 19),
    # Bad argument arrays.
    "bad-arrays": grant(1, 20, 2, own_frame(5)) +
    map_(issuer(2), [(1, 20, HOST, 27)], bad=True) +
    [UNMAP, issuer(2), 0x80, 0, 0, 0, 0] +
    [COPY, issuer(2), 0x80] + ptr_ref(1, 20) + ptr_frame(0) + [3, 0, 0] +
    map_(LINK, [(1, 20, HOST, 27)], bad=True),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, steps in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(bytes(steps))


if __name__ == "__main__":
    main()
