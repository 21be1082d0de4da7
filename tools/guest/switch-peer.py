#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""switch-peer.py - a second endpoint on a vplat switch: answers ARP and ping.

SYNOPSIS
    switch-peer.py SOCKET [IP [MAC]]

DESCRIPTION
    Connects to a vplat switch's uplink socket (the "socket" property of a switch in a
    platform description; QEMU -netdev stream framing: each frame after a 4-byte big-endian
    length), plays host IP (default 10.0.9.1) with MAC (default 02:76:70:6c:61:74): answers
    ARP requests for IP and ICMP echo requests to it. Prints one line per answered echo
    request. Stops when the switch closes the socket, or on SIGTERM/SIGINT.

EXIT STATUS
    0 when the switch closed the socket or on a signal; 1 if SOCKET cannot be reached.
"""
import signal
import socket
import struct
import sys
import time


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def main():
    if len(sys.argv) < 2 or sys.argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0 if len(sys.argv) >= 2 else 2
    path = sys.argv[1]
    ip = socket.inet_aton(sys.argv[2] if len(sys.argv) > 2 else "10.0.9.1")
    mac = bytes.fromhex((sys.argv[3] if len(sys.argv) > 3 else "02:76:70:6c:61:74").replace(":", ""))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    for _ in range(100):
        try:
            s.connect(path)
            break
        except OSError:
            time.sleep(0.05)
    else:
        print("switch-peer: cannot connect to %s" % path, file=sys.stderr)
        return 1
    print("switch-peer: %s at %s joined the switch on %s"
          % (socket.inet_ntoa(ip), ":".join("%02x" % b for b in mac), path), flush=True)
    buf = b""

    def send(frame):
        s.sendall(struct.pack("!I", len(frame)) + frame)

    try:
        while True:
            d = s.recv(65536)
            if not d:
                return 0
            buf += d
            while len(buf) >= 4:
                n = struct.unpack("!I", buf[:4])[0]
                if len(buf) < 4 + n:
                    break
                f, buf = buf[4:4 + n], buf[4 + n:]
                if len(f) < 14:
                    continue
                dst, src, et = f[:6], f[6:12], struct.unpack("!H", f[12:14])[0]
                p = f[14:]
                if et == 0x0806 and len(p) >= 28 and p[6:8] == b"\0\1" and p[24:28] == ip:
                    # ARP request for us: reply
                    arp = p[:6] + b"\0\2" + mac + ip + p[8:18]
                    send(src + mac + b"\x08\x06" + arp)
                elif et == 0x0800 and len(p) >= 20 and p[16:20] == ip and p[9] == 1:
                    ihl = (p[0] & 15) * 4
                    tot = struct.unpack("!H", p[2:4])[0]
                    icmp = p[ihl:tot]
                    if len(icmp) < 8 or icmp[0] != 8:
                        continue
                    rep = b"\0\0\0\0" + icmp[4:]
                    rep = rep[:2] + struct.pack("!H", csum(rep)) + rep[4:]
                    hdr = bytearray(p[:ihl])
                    hdr[8] = 64
                    hdr[12:16], hdr[16:20] = p[16:20], p[12:16]
                    hdr[10:12] = b"\0\0"
                    hdr[10:12] = struct.pack("!H", csum(bytes(hdr)))
                    send(src + mac + b"\x08\x00" + bytes(hdr) + rep)
                    seq = struct.unpack("!H", icmp[6:8])[0]
                    print("switch-peer: echo reply to %s, seq %d"
                          % (socket.inet_ntoa(p[12:16]), seq), flush=True)
    except KeyboardInterrupt:
        return 0
    except OSError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
