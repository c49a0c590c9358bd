#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""UDP echo for bench/drivers/net.sh.

  udp_echo.py serve ADDR PORT          echo every datagram back (RFC 862)
  udp_echo.py bench ADDR PORT N PINGS  the guest's net_bench on the host:
      PINGS one-at-a-time round trips of 56 bytes (median), then N
      datagrams of 1472 bytes with up to 32 outstanding; prints the same
      figures the guest does.
"""
import socket
import statistics
import sys
import time


def serve(addr, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.bind((addr, port))
    while True:
        data, peer = s.recvfrom(65536)
        s.sendto(data, peer)


def bench(addr, port, n, pings):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    s.connect((addr, port))
    s.settimeout(1)
    rtts = []
    small = b"p" * 56
    for _ in range(pings):
        t0 = time.perf_counter_ns()
        s.send(small)
        try:
            s.recv(2048)
        except socket.timeout:
            continue
        rtts.append(time.perf_counter_ns() - t0)
    if rtts:
        print("host udp round trip %s: %d, median %d ns" %
              (addr, len(rtts), statistics.median(rtts)))
    data = b"\x5a" * 1472
    sent = echoed = 0
    t0 = time.perf_counter_ns()
    while echoed < n:
        while sent < n and sent - echoed < 32:
            s.send(data)
            sent += 1
        try:
            s.recv(2048)
            echoed += 1
        except socket.timeout:
            break
    dt = time.perf_counter_ns() - t0
    print("host udp stream %s: %d of %d datagrams of 1472 bytes echoed in "
          "%d us: %d packets/s %.2f MB/s each way" %
          (addr, echoed, sent, dt // 1000, echoed * 10**9 // dt,
           echoed * 1472 * 1000 / dt))


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
    else:
        bench(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
              int(sys.argv[5]))
