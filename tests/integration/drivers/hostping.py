#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""hostping.py ADDR N: ICMP echo from the host (a raw socket: root), N
requests one after the other, 2 s each; exits 0 only if every one is
answered.  For tests/integration/drivers/net.sh (no ping(8) needed)."""
import os
import socket
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    addr, n = sys.argv[1], int(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    s.settimeout(0.2)
    ident = os.getpid() & 0xFFFF
    got = 0
    for seq in range(1, n + 1):
        data = b"pvisor-hostping" * 3
        hdr = struct.pack("!BBHHH", 8, 0, 0, ident, seq)
        pkt = struct.pack("!BBHHH", 8, 0, csum(hdr + data), ident, seq) + data
        t0 = time.monotonic()
        s.sendto(pkt, (addr, 0))
        while time.monotonic() - t0 < 2:
            try:
                r, src = s.recvfrom(2048)
            except socket.timeout:
                s.sendto(pkt, (addr, 0)) if time.monotonic() - t0 > 1 else None
                continue
            hl = (r[0] & 15) * 4
            t, _, _, i, q = struct.unpack("!BBHHH", r[hl:hl + 8])
            if src[0] == addr and t == 0 and i == ident and q == seq:
                got += 1
                print("reply from %s seq %d: %.3f ms" %
                      (addr, seq, (time.monotonic() - t0) * 1000))
                break
        else:
            print("no reply from %s seq %d" % (addr, seq))
    print("%d of %d answered" % (got, n))
    return 0 if got == n else 1


if __name__ == "__main__":
    sys.exit(main())
