#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of the PV MMU fuzzer (fuzz_pv_mm.c).

Each seed is a script of steps in the fuzzer's input format (see the
comment at the top of fuzz_pv_mm.c): a page-table tree built, pinned,
loaded as CR3 and changed through update_va_mapping; linear entries and a
linear cycle left for teardown; dom0 working on another domain's tables;
the flush clock across CPUs; descriptor pages; frames given back,
reallocated and domains recreated; preempted batches.

Usage: make-corpus.py DIR
"""
import os
import sys

# Step opcodes (index into steps[] of fuzz_pv_mm.c).
MMU, EXT, UVM, WRITE, PIN, GIVE, ALLOC, SCHED, TOGGLE, KILL, CREATE, GDT, \
    DESC = 0, 2, 4, 5, 8, 10, 11, 12, 13, 14, 15, 16, 17
# Slot selector bytes (slots[] of fuzz_pv_mm.c).
SLOT = {0: 0, 1: 1, 2: 2, 3: 3, 255: 6, 256: 7, 260: 8, 271: 9, 272: 10,
        511: 11}
RW, USER, AD, NX = 1, 2, 4, 8
CODE_DPL0 = 0x00af9a000000ffff
# mmuext commands (public/xen.h).
PIN_L1, UNPIN, NEW_BASEPTR, TLB_FLUSH_LOCAL, INVLPG_LOCAL, TLB_FLUSH_MULTI, \
    TLB_FLUSH_ALL, SET_LDT, NEW_USER_BASEPTR, CLEAR_PAGE, COPY_PAGE = \
    0, 4, 5, 6, 7, 8, 10, 13, 15, 16, 17


def issuer(dom, vcpu=0):
    return dom | (vcpu << 4)


def pte(frame, flags=0):
    return [frame, flags]


def write(dom, frame, slot, entry):
    return [WRITE, issuer(dom), frame, SLOT[slot]] + entry


def pin(dom, level, frame):
    return [PIN, issuer(dom), level - 1, frame]


def unpin(dom, frame):
    return [PIN, issuer(dom), 4, frame]


def mmu(dom, reqs, foreign=0, preempt=0, vcpu=0):
    """reqs: (cmd selector, frame, slot, entry)."""
    out = [MMU, issuer(dom, vcpu), len(reqs) - 1, foreign]
    for cmd, frame, slot, entry in reqs:
        out += [cmd, frame, SLOT[slot]] + entry
    return out + [preempt]


def ext(dom, ops, foreign=0, vcpu=0):
    """ops: (cmd, arg bytes...) already encoded."""
    out = [EXT, issuer(dom, vcpu), len(ops) - 1, foreign]
    for op in ops:
        out += op
    return out + [0]


def va(l4, l3, l2, l1):
    idx = [0, 1, 2, 3, 256, 271, 272, 511]
    return [idx.index(l4) | idx.index(l3) << 3,
            idx.index(l2) | idx.index(l1) << 3]


def tree(dom, first):
    """A tree in frames first..first+4: l4 -> l3 -> l2 -> l1 -> data."""
    f = first
    return (write(dom, f + 3, 0, pte(f + 4, RW)) +
            write(dom, f + 2, 0, pte(f + 3, RW)) +
            write(dom, f + 1, 0, pte(f + 2, RW)) +
            write(dom, f, 0, pte(f + 1, RW)))


SEEDS = {
    "tree-baseptr-uvm": (
        tree(1, 0) + pin(1, 4, 0) +
        ext(1, [[NEW_BASEPTR, 0, 0]]) +
        [UVM, issuer(1), 0x01] + va(0, 0, 0, 1) + pte(5, RW) +
        [UVM, issuer(1), 0x02] + va(0, 0, 0, 2) + pte(6, 0) +
        [UVM, issuer(1), 0x00] + va(0, 0, 0, 1) + pte(5, 0) +
        ext(1, [[SET_LDT] + va(0, 0, 0, 1) + [2]]) +
        ext(1, [[NEW_USER_BASEPTR, 0, 0]]) + [TOGGLE, issuer(1)] +
        unpin(1, 0) + tree(1, 8) + ext(1, [[NEW_BASEPTR, 8, 0]]) +
        [KILL, 1]),
    "linear-cycle": (
        pin(1, 2, 10) + pin(1, 2, 11) +
        mmu(1, [(0, 10, 0, pte(11, 0)), (0, 11, 0, pte(10, 0))]) +
        mmu(1, [(0, 10, 1, pte(10, 0)), (0, 11, 2, pte(11, RW))]) +
        unpin(1, 10) + unpin(1, 11) + [KILL, 1]),
    "l4-slots": (
        write(1, 0, 256, pte(3, RW)) + write(1, 0, 271, pte(3, RW)) +
        write(1, 0, 272, pte(1, RW)) + pin(1, 4, 0) +
        mmu(1, [(0, 0, 260, pte(1, 0)), (0, 0, 511, pte(0, 0))]) +
        unpin(1, 0)),
    "foreign": (
        ext(0, [[PIN_L1 + 1, 10, 0]], foreign=0x06) +
        pin(0, 1, 0) +
        mmu(0, [(0, 0, 0, pte(11, RW))], foreign=0x06) +
        mmu(0, [(0, 10, 0, pte(12, 0))], foreign=0x17) +
        mmu(0, [(0, 1, 0, pte(12, 0))], foreign=0x06) +
        [KILL, 1] + mmu(0, [(0, 0, 0, [0, 0xc0])])),
    "flush-clock": (
        [SCHED, 1, issuer(1, 0), SCHED, 2, issuer(1, 1)] +
        pin(1, 1, 10) + mmu(1, [(0, 10, 0, pte(11, RW))], vcpu=1) +
        mmu(1, [(0, 10, 0, [0, 0xc0])], vcpu=1) +
        [PIN, issuer(1, 1), 0, 11] +
        mmu(1, [(0, 10, 1, pte(12, RW))]) + mmu(1, [(0, 10, 1, [0, 0xc0])]) +
        [GIVE, issuer(1), 12] + [ALLOC, issuer(2)] * 4 +
        ext(1, [[TLB_FLUSH_LOCAL, 0, 0]]) +
        ext(1, [[TLB_FLUSH_MULTI, 0, 3], [TLB_FLUSH_ALL, 0, 0]])),
    "descriptors": (
        write(1, 12, 1, [0, 0xa0] + list(CODE_DPL0.to_bytes(8, "little"))) +
        [GDT, issuer(1), 1, 12, 13] +
        [DESC, issuer(1), 12, SLOT[1], 2] +
        [DESC, issuer(1), 12, SLOT[2], 3] +
        [GDT, issuer(1), 0, 14, 14] + pin(1, 1, 12)),
    "give-back-recreate": (
        write(2, 5, 0, pte(6, RW)) + [GIVE, issuer(2), 5] +
        [ALLOC, issuer(1)] * 3 + [KILL, 2, CREATE, 2 | (12 << 2)] +
        [CREATE, 3 | (8 << 2)] + tree(3, 0) + pin(3, 4, 0) + [KILL, 3]),
    "preempted-batch": (
        pin(1, 1, 10) +
        mmu(1, [(0, 10, 0, pte(11, RW)), (0, 10, 1, pte(12, 0)),
                (3, 10, 2, pte(13, AD)), (0, 10, 3, pte(11, 0))],
            preempt=1) +
        ext(1, [[PIN_L1, 14, 0], [PIN_L1 + 1, 15, 0]]) +
        mmu(1, [(4, 11, 0, [0, 0]), (0, 10, 0, [0, 0xc0])], preempt=3)),
    "copy-clear": (
        write(1, 3, 1, pte(4, RW)) +
        ext(1, [[COPY_PAGE, 5, 3], [CLEAR_PAGE, 3, 0]]) +
        pin(1, 1, 5) + ext(1, [[COPY_PAGE, 5, 3]])),
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    os.makedirs(sys.argv[1], exist_ok=True)
    for name, data in SEEDS.items():
        with open(os.path.join(sys.argv[1], name), "wb") as f:
            f.write(bytes(b & 0xff for b in data))


if __name__ == "__main__":
    main()
