#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the hand-made seed files of tests/fuzz/corpus/ (x86_64/LP64
layouts).  Run from anywhere; it only (re)writes seed-* files, never the
crash-* regressions or the inputs `tests/fuzz/run --save` merged in."""
import os
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")

SOL_SOCKET, SCM_RIGHTS, SCM_CREDENTIALS, SCM_SECURITY, SCM_PIDFD = 1, 1, 2, 3, 4
AF_UNIX, AF_INET, AF_INET6, AF_PACKET = 1, 2, 10, 17
CTRUNC, TRUNC, OTHER, NONNULL = 1, 2, 4, 8


def write(harness, name, data):
    d = os.path.join(TOP, harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# ---- fuzz-cmsg: [controllen selector u16][cap][flags|shift<<4] control...
def cmsg(level, type_, data, pad=True, clen=None):
    h = struct.pack("<Qii", 16 + len(data) if clen is None else clen, level, type_) + data
    if pad:
        h += b"\0" * (-len(h) % 8)
    return h


def rights(*fds):
    return cmsg(SOL_SOCKET, SCM_RIGHTS, struct.pack("<%di" % len(fds), *fds))


def creds(pid, uid, gid):
    return cmsg(SOL_SOCKET, SCM_CREDENTIALS, struct.pack("<iII", pid, uid, gid))


def pidfd(fd):
    return cmsg(SOL_SOCKET, SCM_PIDFD, struct.pack("<i", fd))


def ctl(name, control, cap=253, flags=0, shift=0, controllen=None):
    n = len(control) if controllen is None else controllen
    write("fuzz-cmsg", name, struct.pack("<HBB", n, cap, flags | shift << 4) + control)


ctl("empty", b"")
ctl("rights-1", rights(7), cap=1)
ctl("rights-3-cap-2", rights(7, 8, 9), cap=2)
ctl("rights-253", rights(*range(10, 263)))
ctl("rights-253-cap-0", rights(*range(10, 263)), cap=0, flags=NONNULL)
ctl("rights-cap-0-null", rights(5, 6), cap=0)
ctl("creds", creds(1234, 1000, 1000))
ctl("pidfd", pidfd(11))
ctl("kernel-order", creds(42, 0, 0) + pidfd(12) + rights(13, 14, 15), cap=2)
ctl("rights-then-creds", rights(3, 4) + creds(1, 2, 3), cap=4)
ctl("two-pidfds", pidfd(20) + pidfd(21))
ctl("pidfd-negative-first", pidfd(-1) + pidfd(22))
ctl("two-rights", rights(30, 31) + rights(32, 33, 34), cap=3)
ctl("two-creds", creds(1, 1, 1) + creds(2, 2, 2))
ctl("header-cut", rights(7)[:12])
ctl("len-too-big", cmsg(SOL_SOCKET, SCM_RIGHTS, struct.pack("<i", 7), clen=64))
ctl("len-too-small", cmsg(SOL_SOCKET, SCM_RIGHTS, b"\0" * 8, clen=8))
ctl("len-huge", cmsg(SOL_SOCKET, SCM_RIGHTS, b"\0" * 8, clen=2**64 - 1))
ctl("last-unpadded", rights(1, 2) + rights(3, 4, 5)[:28], cap=5)
ctl("odd-datalen", cmsg(SOL_SOCKET, SCM_RIGHTS, struct.pack("<ii", 40, 41) + b"\x01\x02"), cap=3)
ctl("creds-short", cmsg(SOL_SOCKET, SCM_CREDENTIALS, struct.pack("<ii", 1, 2)))
ctl("pidfd-short", cmsg(SOL_SOCKET, SCM_PIDFD, b"\x05\0"))
ctl("other-level", cmsg(0, SCM_RIGHTS, struct.pack("<i", 9)) + rights(10))
ctl("security", cmsg(SOL_SOCKET, SCM_SECURITY, b"unconfined\0") + rights(9), cap=1)
ctl("unknown-type", cmsg(SOL_SOCKET, 99, struct.pack("<ii", 50, 51)) + creds(5, 6, 7))
ctl("partial-controllen", rights(1, 2, 3) + creds(9, 9, 9), controllen=20)
ctl("ctrunc", rights(60), cap=1, flags=CTRUNC)
ctl("trunc-other", rights(61) + pidfd(62), cap=0, flags=TRUNC | OTHER)
ctl("misaligned", creds(3, 3, 3) + rights(63, 64), cap=1, shift=3)
ctl("mixed-all", pidfd(70) + creds(7, 8, 9) + rights(*range(71, 80)) + pidfd(80) + rights(81), cap=5,
    flags=CTRUNC | TRUNC, shift=1)
ctl("zero-len-rights", cmsg(SOL_SOCKET, SCM_RIGHTS, b"") + rights(90), cap=1)
# More fds than any receive buffer holds: excess[] fills up (malformed).
ctl("overflow", b"".join(rights(*range(100 + i * 300, 400 + i * 300)) for i in range(5)), cap=0)

# ---- fuzz-addr: text (to the first NUL) and the same bytes as a sockaddr
def addr(name, data):
    write("fuzz-addr", name, data)


for name, text in [
        ("v4", "1.2.3.4:80"), ("v4-loopback-0", "127.0.0.1:0"), ("v4-max", "255.255.255.255:65535"),
        ("v4-port-too-big", "1.2.3.4:65536"), ("v4-short", "1.2.3:4"), ("v4-no-port", "1.2.3.4:"),
        ("v6", "[::1]:80"), ("v6-scope-name", "[fe80::1%lo]:80"), ("v6-scope-num", "[fe80::1%1]:443"),
        ("v6-mapped", "[::ffff:1.2.3.4]:1"), ("v6-no-port", "[::1]"), ("v6-bad-scope", "[::1%]:1"),
        ("abstract", "@name"), ("abstract-empty", "@"), ("abstract-backslash", "@a\\x00b"),
        ("abstract-107", "@" + "n" * 107), ("abstract-108", "@" + "n" * 108),
        ("path-abs", "/run/x.sock"), ("path-rel", "x.sock"), ("path-at", "./@x"), ("empty", ""),
        ("path-107", "p" * 107), ("path-108", "p" * 108), ("path-colon", "a:b")]:
    addr(name, text.encode())


def sun(path, length=None):
    b = struct.pack("<H", AF_UNIX) + path
    return b if length is None else (b + b"\0" * 128)[:length]


addr("raw-abstract-nonprint", b"@\x01\xff\x7f")
addr("sun-len-1", b"\x01")
addr("sun-unnamed-2", sun(b""))
addr("sun-path-107-109", sun(b"q" * 107 + b"\0"))
addr("sun-path-108-110", sun(b"q" * 108))
addr("sun-path-108-111", sun(b"q" * 108 + b"r"))
addr("sun-path-at-110", sun(b"@" + b"q" * 107))
addr("sun-abstract-110", sun(b"\0" + bytes(range(1, 108))))
addr("sun-abstract-128", sun(b"\0" + b"z" * 125 + b"\xff"))
addr("sun-path-nul-inside", sun(b"ab\0cd\0\0"))
addr("sun-path-v4-like", sun(b"1.2.3.4:80\0"))
addr("sin", struct.pack("<H", AF_INET) + struct.pack(">H", 8080) + bytes([127, 0, 0, 1]) + b"\xaa" * 8)
addr("sin-short", struct.pack("<H", AF_INET) + b"\0" * 10)
addr("sin6", struct.pack("<H", AF_INET6) + struct.pack(">HI", 443, 0) + b"\0" * 15 + b"\x01" + struct.pack("<I", 1))
addr("sin6-flow", struct.pack("<H", AF_INET6) + struct.pack(">HI", 1, 0x12345) + b"\xfe\x80" + b"\0" * 14 + struct.pack("<I", 0))
addr("packet", struct.pack("<H", AF_PACKET) + b"\0" * 18)


# ---- fuzz-addr-handfilled: struct netsock_addr (len u32, pad, storage[128]), then a selector
def hand(name, length, family, body=b"", tail=None, sel=None):
    st = (struct.pack("<H", family) + body + b"\0" * 128)[:128]
    if tail is not None:
        st = st[:len(st) - len(tail)] + tail
    data = struct.pack("<I", length & 0xffffffff) + b"\0" * 4 + st
    if sel is not None:
        data += bytes([sel])
    write("fuzz-addr-handfilled", name, data)


SUN = 2
hand("len-0", 0, 0)
hand("len-1", 1, AF_UNIX)
hand("len-1000", 1000, AF_UNIX, b"/tmp/x")
hand("len-1000-abstract", 1000, AF_UNIX, b"\0" + b"a" * 125)
hand("len-max", 2**32 - 1, AF_INET)
hand("unnamed", SUN, AF_UNIX)
hand("abstract-128", 128, AF_UNIX, b"\0" + b"\xff" * 125)
hand("abstract-110", SUN + 108, AF_UNIX, b"\0" + b"netsock-fuzz-" + b"\x80" * 94)
hand("abstract-empty", SUN + 1, AF_UNIX, b"\0")
hand("abstract-bind", SUN + 1 + 16, AF_UNIX, b"\0netsock-fuzz-abs", sel=1)
hand("path-108-nul-after", SUN + 108, AF_UNIX, b"f" * 108)
hand("path-108-no-nul", SUN + 108, AF_UNIX, b"f" * 126)
hand("path-108-remove", SUN + 108, AF_UNIX, b"g" * 108, sel=1)
hand("path-107-no-nul", SUN + 107, AF_UNIX, b"h" * 126)
hand("path-111", SUN + 109, AF_UNIX, b"i" * 108)
hand("path", SUN + 8, AF_UNIX, b"fz.sock\0")
hand("path-remove", SUN + 8, AF_UNIX, b"fz.sock\0", sel=1)
hand("path-stale", SUN + 8, AF_UNIX, b"fz.sock\0", sel=2)
hand("path-stale-remove", SUN + 8, AF_UNIX, b"fz.sock\0", sel=3)
hand("path-trailing", SUN + 20, AF_UNIX, b"fz2\0garbage-after")
hand("path-absolute", SUN + 9, AF_UNIX, b"/tmp/fz.\0")
hand("path-dot", SUN + 2, AF_UNIX, b".\0", sel=2)
hand("path-dotdot", SUN + 3, AF_UNIX, b"..\0", sel=3)
hand("sin", 16, AF_INET, struct.pack(">H", 80) + bytes([127, 0, 0, 1]))
hand("sin-any", 16, AF_INET, b"\0" * 6)
hand("sin-15", 15, AF_INET, struct.pack(">H", 80) + bytes([127, 0, 0, 1]))
hand("sin-17", 17, AF_INET, struct.pack(">H", 80) + bytes([127, 0, 0, 1]))
hand("sin-remote", 16, AF_INET, struct.pack(">H", 80) + bytes([192, 0, 2, 1]))
hand("sin6", 28, AF_INET6, struct.pack(">HI", 80, 0) + b"\0" * 15 + b"\x01")
hand("sin6-scope", 28, AF_INET6, struct.pack(">HI", 80, 0) + b"\0" * 15 + b"\x01" + struct.pack("<I", 1))
hand("sin6-linklocal", 28, AF_INET6, struct.pack(">HI", 0, 7) + b"\xfe\x80" + b"\0" * 13 + b"\x01" + struct.pack("<I", 1))
hand("sin6-24", 24, AF_INET6, struct.pack(">HI", 80, 0) + b"\0" * 15 + b"\x01")
hand("packet", 20, AF_PACKET, b"\x01" * 18)
hand("family-0", 16, 0, b"\x01" * 14)
hand("unix-in-v4-len", 16, AF_UNIX, b"u" * 13 + b"\0")
