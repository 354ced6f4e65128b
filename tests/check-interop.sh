#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Interop with real peers: the library (tests/interop-peer) against
# Debian's python3 and socat, each case in both directions (the library as
# client and as server):
#
#   Unix stream by path, and by abstract name of exact length (python's
#   '\0name' and socat's ABSTRACT-*, no padding; a padded name must not
#   reach the listener), seqpacket, TCP over 127.0.0.1 and ::1, fd passing
#   (python's socket.send_fds / recv_fds) and SCM_CREDENTIALS (python's
#   struct.pack('iII', pid, uid, gid)).
#
# Exit 77 (skip) only when /usr/bin/python3 (>= 3.9) or socat is missing.
# Every peer runs under a deadline; temporary files and processes go.
set -u

PY=/usr/bin/python3
SOCAT=$(command -v socat 2>/dev/null || true)
if [ ! -x "$PY" ] || [ -z "$SOCAT" ]; then
        echo "check-interop: needs /usr/bin/python3 and socat; skipped"
        exit 77
fi
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 9))'; then
        echo "check-interop: /usr/bin/python3 is older than 3.9 (no socket.send_fds); skipped"
        exit 77
fi
peer=${top_builddir:-.}/tests/interop-peer
[ -x "$peer" ] || { echo "check-interop: $peer not built"; exit 99; }

exec timeout -k 5 240 "$PY" - "$peer" "$SOCAT" <<'PYTHON'
import os, secrets, select, shutil, socket, struct, subprocess, sys, tempfile, time

PEER, SOCAT = sys.argv[1], sys.argv[2]
T = 10                      # seconds any one step may take
tmp = tempfile.mkdtemp(prefix="netsock-interop-")
procs = []
failures = 0
CREDS = struct.Struct("iII")   # struct ucred: pid, uid, gid


def abstract_name(tag):
    return "netsock-interop-%d-%s-%s" % (os.getpid(), secrets.token_hex(4), tag)


def spawn(args, **kw):
    p = subprocess.Popen(args, **kw)
    procs.append(p)
    return p


def finish(p, what):
    try:
        rc = p.wait(timeout=T)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError("%s did not finish within %d s" % (what, T))
    if rc != 0:
        raise AssertionError("%s exited with %d" % (what, rc))


def lib_serve(kind, addr):
    """Starts interop-peer serve; returns the process and its address."""
    p = spawn([PEER, "serve", kind, addr], stdout=subprocess.PIPE)
    r, _, _ = select.select([p.stdout], [], [], T)
    line = p.stdout.readline().decode() if r else ""
    if not line.startswith("ready "):
        p.kill()
        raise AssertionError("interop-peer serve %s %s did not get ready" % (kind, addr))
    return p, line[len("ready "):].strip()


def lib_connect(kind, addr):
    finish(spawn([PEER, "connect", kind, addr]), "interop-peer connect %s %s" % (kind, addr))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            break
        buf += b
    return buf


def expect(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, expected %r" % (what, got, want))


def py_socket(family, type_):
    s = socket.socket(family, type_)
    s.settimeout(T)
    return s


def inet(text):
    """'127.0.0.1:5' or '[::1]:5' -> (family, (host, port))."""
    host, port = text.rsplit(":", 1)
    if host.startswith("["):
        return socket.AF_INET6, (host[1:-1], int(port))
    return socket.AF_INET, (host, int(port))


# ---- python as the peer ---------------------------------------------------------

def py_client(kind, family, type_, sockaddr):
    with py_socket(family, type_) as s:
        s.connect(sockaddr)
        if kind == "fds":
            r, w = os.pipe()
            os.write(w, b"through-fd\n")
            os.close(w)
            socket.send_fds(s, [b"fd\n"], [r])
            os.close(r)
            expect(recv_exact(s, 11), b"through-fd\n", "reply to the fd")
        elif kind == "creds":
            me = CREDS.pack(os.getpid(), os.getuid(), os.getgid())
            s.sendmsg([b"creds\n"], [(socket.SOL_SOCKET, socket.SCM_CREDENTIALS, me)])
            expect(recv_exact(s, 3), b"ok\n", "reply to the credentials")
        else:
            s.sendall(b"ping\n")
            got = s.recv(64) if type_ == socket.SOCK_SEQPACKET else recv_exact(s, 5)
            expect(got, b"pong\n", "reply")
        return s.getpeername()


def py_listener(family, type_, sockaddr, passcred=False):
    s = py_socket(family, type_)
    if passcred:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
    s.bind(sockaddr)
    s.listen(4)
    return s


def py_serve_one(listener, kind, type_):
    c, _ = listener.accept()
    with c:
        c.settimeout(T)
        if kind == "fds":
            msg, fds, flags, _ = socket.recv_fds(c, 3, 4)
            expect((msg, len(fds), flags), (b"fd\n", 1, 0), "message with one fd")
            data = os.read(fds[0], 64)
            for fd in fds:
                os.close(fd)
            c.sendall(data)
        elif kind == "creds":
            msg, anc, flags, _ = c.recvmsg(6, socket.CMSG_SPACE(CREDS.size))
            expect(msg, b"creds\n", "message")
            got = [CREDS.unpack(d) for (lvl, typ, d) in anc
                   if lvl == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS]
            peer = CREDS.unpack(c.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, CREDS.size))
            expect(got, [peer], "SCM_CREDENTIALS against SO_PEERCRED")
            c.sendall(b"ok\n")
        else:
            got = c.recv(64) if type_ == socket.SOCK_SEQPACKET else recv_exact(c, 5)
            expect(got, b"ping\n", "request")
            c.sendall(b"pong\n")


def python_cases():
    unix = (socket.AF_UNIX, socket.SOCK_STREAM)
    seq = (socket.AF_UNIX, socket.SOCK_SEQPACKET)

    def lib_server_py_client(kind, fam_type, addr):
        p, bound = lib_serve(kind, addr)
        if fam_type[0] == socket.AF_UNIX:
            sa = ("\0" + bound[1:]) if bound.startswith("@") else bound
        else:
            sa = inet(bound)[1]
        peer_name = py_client(kind, fam_type[0], fam_type[1], sa)
        finish(p, "interop-peer serve %s" % kind)
        return bound, peer_name

    def py_server_lib_client(kind, fam_type, sockaddr, text):
        with py_listener(fam_type[0], fam_type[1], sockaddr, kind == "creds") as l:
            if fam_type[0] != socket.AF_UNIX:
                text = text % l.getsockname()[1]
            p = spawn([PEER, "connect", kind, text])
            py_serve_one(l, kind, fam_type[1])
            finish(p, "interop-peer connect %s %s" % (kind, text))

    path = os.path.join(tmp, "py-lib.sock")
    yield "python: unix stream by path, library serves", lambda: lib_server_py_client("stream", unix, path)
    path2 = os.path.join(tmp, "lib-py.sock")
    yield "python: unix stream by path, library connects", lambda: py_server_lib_client("stream", unix, path2, path2)

    def abstract_lib_serves():
        name = abstract_name("a1")
        p, bound = lib_serve("stream", "@" + name)
        expect(bound, "@" + name, "the library's bound name")
        # Padded to the whole sun_path, the name is another name: refused.
        with py_socket(*unix) as s:
            try:
                s.connect("\0" + name + "\0" * (107 - len(name)))
                raise AssertionError("a padded abstract name reached the listener")
            except ConnectionRefusedError:
                pass
        peer_name = py_client("stream", socket.AF_UNIX, socket.SOCK_STREAM, "\0" + name)
        expect(peer_name, b"\0" + name.encode(), "python's getpeername (exact length)")
        finish(p, "interop-peer serve stream")
    yield "python: unix stream by abstract name (exact length), library serves", abstract_lib_serves

    def abstract_lib_connects():
        name = abstract_name("a2")
        py_server_lib_client("stream", unix, "\0" + name, "@" + name)
    yield "python: unix stream by abstract name (exact length), library connects", abstract_lib_connects

    yield "python: seqpacket, library serves", \
        lambda: lib_server_py_client("seqpacket", seq, "@" + abstract_name("q1"))
    yield "python: seqpacket, library connects", \
        lambda: py_server_lib_client("seqpacket", seq, os.path.join(tmp, "q2.sock"), os.path.join(tmp, "q2.sock"))
    for fam, host, text in ((socket.AF_INET, "127.0.0.1", "127.0.0.1:%d"), (socket.AF_INET6, "::1", "[::1]:%d")):
        v = "v4" if fam == socket.AF_INET else "v6"
        yield "python: tcp %s, library serves" % v, \
            lambda fam=fam, text=text: lib_server_py_client("tcp", (fam, socket.SOCK_STREAM), text % 0)
        yield "python: tcp %s, library connects" % v, \
            lambda fam=fam, host=host, text=text: py_server_lib_client("tcp", (fam, socket.SOCK_STREAM), (host, 0), text)
    for kind in ("fds", "creds"):
        yield "python: %s, library serves" % kind, \
            lambda kind=kind: lib_server_py_client(kind, unix, "@" + abstract_name(kind))
        p = os.path.join(tmp, kind + ".sock")
        yield "python: %s, library connects" % kind, \
            lambda kind=kind, p=p: py_server_lib_client(kind, unix, p, p)


# ---- socat as the peer ------------------------------------------------------------

def socat_client(address, type_seq=False):
    args = [SOCAT, "-t", "5", "-T", str(T), "-", address + (",type=5" if type_seq else "")]
    out = subprocess.run(args, input=b"ping\n", capture_output=True, timeout=T)
    if out.returncode != 0:
        raise AssertionError("socat %s exited with %d: %s" % (address, out.returncode, out.stderr.decode()))
    expect(out.stdout, b"pong\n", "socat's output")


def listening_sockets(pid):
    """Inodes of the sockets process pid holds."""
    inodes = set()
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes


def wait_socat_listening(p, tcp):
    """Waits until socat listens; for TCP returns its port (it binds 0)."""
    deadline = time.monotonic() + T
    while time.monotonic() < deadline:
        if p.poll() is not None:
            raise AssertionError("socat server exited with %d before listening" % p.returncode)
        inodes = listening_sockets(p.pid)
        tables = ("/proc/net/tcp", "/proc/net/tcp6") if tcp else ("/proc/net/unix",)
        for table in tables:
            with open(table, errors="replace") as f:
                next(f)
                for line in f:
                    col = line.split()
                    if tcp and col[3] == "0A" and col[9] in inodes:
                        return int(col[1].rsplit(":", 1)[1], 16)
                    if not tcp and col[3] == "00010000" and col[6] in inodes:
                        return None
        time.sleep(0.02)
    raise AssertionError("socat did not listen within %d s" % T)


def socat_server(address, tcp=False):
    reply = 'read x; [ "$x" = ping ] && echo pong'
    p = spawn([SOCAT, "-T", str(T), address, "SYSTEM:" + reply])
    return p, wait_socat_listening(p, tcp)


def socat_cases():
    def lib_serves(kind, addr, socat_addr, seq=False):
        p, bound = lib_serve(kind, addr)
        socat_client(socat_addr(bound), seq)
        finish(p, "interop-peer serve %s" % kind)

    def lib_connects(kind, socat_addr, text, tcp=False):
        p, port = socat_server(socat_addr, tcp)
        lib_connect(kind, text % port if tcp else text)
        finish(p, "socat %s" % socat_addr)

    path = os.path.join(tmp, "socat-1.sock")
    yield "socat: unix stream by path, library serves", \
        lambda: lib_serves("stream", path, lambda b: "UNIX-CONNECT:" + b)
    path2 = os.path.join(tmp, "socat-2.sock")
    yield "socat: unix stream by path, library connects", \
        lambda: lib_connects("stream", "UNIX-LISTEN:" + path2, path2)
    n1, n2 = abstract_name("s1"), abstract_name("s2")
    yield "socat: unix stream by abstract name (exact length), library serves", \
        lambda: lib_serves("stream", "@" + n1, lambda b: "ABSTRACT-CONNECT:" + b[1:])
    yield "socat: unix stream by abstract name (exact length), library connects", \
        lambda: lib_connects("stream", "ABSTRACT-LISTEN:" + n2, "@" + n2)
    path3, path4 = os.path.join(tmp, "socat-3.sock"), os.path.join(tmp, "socat-4.sock")
    yield "socat: seqpacket, library serves", \
        lambda: lib_serves("seqpacket", path3, lambda b: "UNIX-CONNECT:" + b, True)
    yield "socat: seqpacket, library connects", \
        lambda: lib_connects("seqpacket", "UNIX-LISTEN:%s,type=5" % path4, path4)
    yield "socat: tcp v4, library serves", \
        lambda: lib_serves("tcp", "127.0.0.1:0", lambda b: "TCP4:" + b)
    yield "socat: tcp v4, library connects", \
        lambda: lib_connects("tcp", "TCP4-LISTEN:0,bind=127.0.0.1", "127.0.0.1:%d", True)
    yield "socat: tcp v6, library serves", \
        lambda: lib_serves("tcp", "[::1]:0", lambda b: "TCP6:" + b)
    yield "socat: tcp v6, library connects", \
        lambda: lib_connects("tcp", "TCP6-LISTEN:0,bind=[::1]", "[::1]:%d", True)


try:
    n = 0
    for cases in (python_cases(), socat_cases()):
        for name, fn in cases:
            n += 1
            try:
                fn()
                print("ok %d - %s" % (n, name))
            except Exception as e:  # one failed case must not hide the others
                failures += 1
                print("FAIL %d - %s: %s" % (n, name, e))
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait()
            procs.clear()
    print("%d interop cases, %d failed" % (n, failures))
finally:
    shutil.rmtree(tmp, ignore_errors=True)
sys.exit(1 if failures else 0)
PYTHON
