"""Leaks over long loops: descriptors (/proc/self/fd), allocated blocks
(sys.getallocatedblocks()), traced memory (tracemalloc) and, under a
debug interpreter, total reference counts (sys.gettotalrefcount()) stay
flat across hundreds of thousands of operations of every kind, error
paths included.

Each scenario runs in a fresh child interpreter: a warm-up round (caches,
interned strings, free lists fill up), then ROUNDS rounds measured.  A
leak of one object or one descriptor per operation grows with the count;
the slack allowed is a small constant.  One scenario replays every case of
tests/test_bad_input.py (well over a thousand wrong inputs, each an error
path) against csocket.

CSOCKET_LEAK_SCALE multiplies the loop counts (default 1: about a million
operations in all, in about half a minute; `make leaks-long` uses 10).
With a debug interpreter (tools/refleaks.sh runs this file under Debian's
python3.11-dbg) the reference totals are checked as well.
"""

import json
import os
import sys
import textwrap

import pytest

from conftest import run_python

SCALE = float(os.environ.get("CSOCKET_LEAK_SCALE", "1"))
FIGURES = []

PRELUDE = r"""
import array, errno, gc, json, os, sys, time, tracemalloc
import csocket as socket

def fds():
    return len(os.listdir("/proc/self/fd"))

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(128)
laddr = listener.getsockname()
probe = socket.socket(); probe.bind(("127.0.0.1", 0))
refused = probe.getsockname(); probe.close()
udp_a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_b.bind(("127.0.0.1", 0)); udp_addr = udp_b.getsockname()
pa, pb = socket.socketpair()
buf = bytearray(4096)
rfd, wfd = os.pipe()
payload = b"x" * 1000

def swallow(fn, *args, **kw):
    try:
        fn(*args, **kw)
    except (OSError, TypeError, ValueError, OverflowError) as e:
        return e
"""

# name: (operations per round, body of step(i)).  The bodies use the
# objects of PRELUDE and may raise nothing (errors are swallowed where
# they are the point).
SCENARIOS = {
    "create_close": (4, """
        socket.socket().close()
        socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).close()
        socket.socket(socket.AF_UNIX).close()
        a, b = socket.socketpair(); a.close(); b.close()
    """),
    "dup_detach_fromfd": (5, """
        s = socket.socket()
        d = s.dup(); d.close()
        f = socket.fromfd(s.fileno(), socket.AF_INET, socket.SOCK_STREAM)
        f.close()
        os.close(socket.dup(s.fileno()))
        os.close(s.detach())
        s.close()
    """),
    "stream_io": (8, """
        pa.sendall(payload)
        pb.recv(1000)
        pa.send(payload)
        pb.recv_into(buf, 1000)
        pa.sendall(memoryview(payload)[:500])
        pb.recvfrom(500)
        pa.sendall(payload)
        pb.recvfrom_into(buf, 1000)
    """),
    "udp_io": (4, """
        udp_a.sendto(payload, udp_addr)
        udp_b.recvfrom(2000)
        udp_a.sendto(b"ab", 0, udp_addr)
        udp_b.recvfrom_into(buf)
    """),
    "msg_rights": (4, """
        pa.sendmsg([b"x", b"y"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS,
                                  array.array("i", [rfd, wfd]))])
        msg, anc, flags, addr = pb.recvmsg(10, socket.CMSG_SPACE(8))
        for level, typ, data in anc:
            for fd in array.array("i", data):
                os.close(fd)
        pa.sendmsg([b"abc"])
        pb.recvmsg_into([bytearray(2), bytearray(2)])
    """),
    "connect_accept": (6, """
        c = socket.create_connection(laddr)
        conn, addr = listener.accept()
        conn.getpeername(); c.getsockname(); repr(conn)
        c.close(); conn.close()
        c = socket.socket(); c.settimeout(2); c.connect(laddr)
        conn, addr = listener.accept(); conn.close(); c.close()
    """),
    "options_timeouts": (10, """
        pa.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 65536)
        pa.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        pa.getsockopt(socket.SOL_SOCKET, socket.SO_LINGER, 8)
        pa.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\\0" * 8)
        pa.settimeout(1.5); pa.gettimeout(); pa.setblocking(True)
        pa.getblocking(); pa.get_inheritable(); pa.family; pa.type
    """),
    "makefile": (4, """
        r = pb.makefile("rb"); w = pa.makefile("wb")
        w.write(b"line\\n"); w.flush(); r.readline()
        r.close(); w.close()
    """),
    "reader": (6, """
        r = pb.makefile("rb", buffering=8)
        pa.sendall(b"0123456789abcdef\\nxy\\nrest")
        r.peek(); r.read1(3); r.readline(); r.readinto(bytearray(2))
        r.readline(5); r.read(3)
        pb.setblocking(False)
        r.read(10); r.readline(); r.readinto(bytearray(4)); r.read1(2)
        pb.setblocking(True)
        r.detach().close()
        r = pb.makefile("rb"); r.close()
        swallow(r.readline); swallow(r.read, 1); swallow(r.detach)
    """),
    "netdb": (10, """
        socket.getaddrinfo("127.0.0.1", 80, socket.AF_INET,
                           socket.SOCK_STREAM)
        socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST |
                           socket.NI_NUMERICSERV)
        socket.inet_pton(socket.AF_INET6, "fe80::1")
        socket.inet_ntop(socket.AF_INET6, b"\\1" * 16)
        socket.inet_aton("1.2.3.4"); socket.inet_ntoa(b"\\1\\2\\3\\4")
        socket.htons(1); socket.ntohl(2)
        socket.getservbyname("http", "tcp"); socket.getprotobyname("tcp")
    """),
    "error_paths": (16, """
        s = socket.socket()
        swallow(s.connect, refused)
        s.connect_ex(refused)
        s.close()
        swallow(s.recv, 1)
        swallow(s.send, b"x")
        swallow(s.getsockname)
        swallow(socket.socket().bind, ("127.0.0.1", laddr[1]))
        swallow(pa.bind, 42)
        swallow(pa.sendto, b"x", ("127.0.0.1", 99999))
        swallow(socket.getaddrinfo, "1.2.3.4.5", 80, 0, 0, 0,
                socket.AI_NUMERICHOST)
        swallow(socket.inet_pton, socket.AF_INET, "1.2.3")
        swallow(socket.inet_aton, "x")
        swallow(socket.if_nametoindex, "nosuchif0")
        swallow(socket.CMSG_LEN, -1)
        pb.setblocking(False); swallow(pb.recv, 1); pb.setblocking(True)
        swallow(socket.fromfd, rfd, socket.AF_INET, socket.SOCK_STREAM)
    """),
    "timeout_expiry": (2, """
        pb.settimeout(0.0001)
        swallow(pb.recv, 1)
        swallow(pb.recv_into, buf)
        pb.settimeout(None)
    """),
}

# Operations per scenario, and the rounds of the slow ones (each
# timeout_expiry round waits out two 1 ms timeouts).
OPS = 100000
ROUND_CAP = {"timeout_expiry": 1000, "connect_accept": 5000}

RUNNER = PRELUDE + r"""
def step(i):
%(body)s

rounds = %(rounds)d
for i in range(max(50, rounds // 20)):        # warm-up
    step(i)
gc.collect()
fd0, blocks0 = fds(), sys.getallocatedblocks()
ref0 = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else 0
t0 = time.monotonic()
for i in range(rounds):
    step(i)
gc.collect()
fd1, blocks1 = fds(), sys.getallocatedblocks()
ref1 = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else 0
seconds = time.monotonic() - t0
# tracemalloc: a shorter pass (it slows every allocation down).
tracemalloc.start()
for i in range(max(50, rounds // 10)):
    step(i)
gc.collect()
mem0 = tracemalloc.get_traced_memory()[0]
for i in range(max(200, rounds // 5)):
    step(i)
gc.collect()
mem1 = tracemalloc.get_traced_memory()[0]
tracemalloc.stop()
print(json.dumps(dict(fd0=fd0, fd1=fd1, blocks0=blocks0, blocks1=blocks1,
                      ref0=ref0, ref1=ref1, mem0=mem0, mem1=mem1,
                      rounds=rounds, seconds=seconds)))
"""

BAD_INPUT_RUNNER = r"""
import gc, json, os, sys, time
sys.path.insert(0, %(tests)r)
import test_bad_input as t
import csocket

# Per case: a leak of one block or one descriptor per call in any single
# error path must show, so each case is measured on its own.
def fds():
    return len(os.listdir("/proc/self/fd"))

# Growth (fds, blocks, refs) over two windows of n calls each: a leak
# grows in both, caches that settle in the first only.
def windows(fn, n, f0, b0, r0):
    growth = []
    for _ in range(2):
        for _ in range(n):
            t.outcome(csocket, fn)
        gc.collect()
        f1, b1 = fds(), sys.getallocatedblocks()
        r1 = (sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount")
              else 0)
        growth.append((f1 - f0, b1 - b0, r1 - r0))
        f0, b0, r0 = f1, b1, r1
    return growth

def leaky(growth, n):
    return (any(g[0] for g in growth) or min(g[1] for g in growth) >= n // 2
            or min(g[2] for g in growth) >= n // 2)

N = %(calls)d
# AF_PACKET sockets take tens of milliseconds each to create (the kernel
# registers a packet handler): their cases run in test_bad_input.py, but
# looping them here would cost minutes.
names = sorted(n for n in t.CASES if not n.startswith("family_packet_"))
for n in names:
    t.outcome(csocket, t.CASES[n])
# Everything alive now stays: keep it out of the collections below,
# which then cost microseconds instead of milliseconds.
gc.collect()
gc.freeze()
bad = []
fd_first, blocks_first = None, None
t0 = time.monotonic()
for n in names:
    fn = t.CASES[n]
    for _ in range(2):
        t.outcome(csocket, fn)
    gc.collect()
    f0, b0 = fds(), sys.getallocatedblocks()
    r0 = sys.gettotalrefcount() if hasattr(sys, "gettotalrefcount") else 0
    if fd_first is None:
        fd_first, blocks_first = f0, b0
        ref_first = r0
    growth = windows(fn, N, f0, b0, r0)
    if leaky(growth, N):
        # Confirm with ten times the calls: a leak grows tenfold, the
        # noise of caches that settle late does not.
        gc.collect()
        growth = windows(fn, 10 * N, fds(), sys.getallocatedblocks(),
                         sys.gettotalrefcount()
                         if hasattr(sys, "gettotalrefcount") else 0)
        if leaky(growth, 10 * N):
            bad.append([n] + [list(g) for g in growth])
gc.collect()
print(json.dumps(dict(fd0=fd_first, fd1=fds(), blocks0=blocks_first,
                      blocks1=sys.getallocatedblocks(), ref0=ref_first,
                      ref1=(sys.gettotalrefcount()
                            if hasattr(sys, "gettotalrefcount") else 0),
                      mem0=0, mem1=0, rounds=N * len(names),
                      seconds=time.monotonic() - t0, bad=bad)))
"""


def check(name, ops, res):
    total = ops * res["rounds"]
    FIGURES.append("%-18s %8d ops  fds %d -> %d  blocks %d -> %d  "
                   "traced %d -> %d  refs %+d  (%.1f s)"
                   % (name, total, res["fd0"], res["fd1"], res["blocks0"],
                      res["blocks1"], res["mem0"], res["mem1"],
                      res["ref1"] - res["ref0"], res["seconds"]))
    assert res["fd1"] == res["fd0"], res
    # A leak of one block per operation would be `total`; allow a small
    # constant for caches that settle late.
    assert res["blocks1"] - res["blocks0"] < 500 + total // 100, res
    assert res["mem1"] - res["mem0"] < 64 * 1024, res
    if res["ref0"]:
        assert res["ref1"] - res["ref0"] < 500 + total // 100, res


@pytest.mark.skipif(os.environ.get("CSOCKET_UNDER_SANITIZER") == "1",
                    reason="allocation counts mean nothing under ASan's "
                           "malloc (PYTHONMALLOC=malloc)")
@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_flat(csocket, name):
    ops, body = SCENARIOS[name]
    rounds = int(min(OPS / ops, ROUND_CAP.get(name, 1e9)) * SCALE)
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    proc = run_python(RUNNER % dict(body=body, rounds=rounds), timeout=600)
    check(name, ops, json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.skipif(os.environ.get("CSOCKET_UNDER_SANITIZER") == "1",
                    reason="allocation counts mean nothing under ASan's "
                           "malloc (PYTHONMALLOC=malloc)")
def test_bad_input_paths_flat(csocket):
    """Every case of test_bad_input.py, N calls each, measured per case:
    no case may leave a descriptor, or grow by N/2 blocks (or references)
    in each of two consecutive windows of N calls (a leak of one block
    per call grows by N in both)."""
    calls = max(20, int(40 * SCALE))
    here = os.path.dirname(os.path.abspath(__file__))
    proc = run_python(BAD_INPUT_RUNNER % dict(tests=here, calls=calls),
                      timeout=900)
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    FIGURES.append("bad_input_cases    %8d ops  fds %d -> %d  blocks %d -> "
                   "%d  (per case: N=%d)  (%.1f s)"
                   % (res["rounds"], res["fd0"], res["fd1"], res["blocks0"],
                      res["blocks1"], calls, res["seconds"]))
    assert not res["bad"], ("cases that leak [name, (fds, blocks, refs) "
                            "per window]: %r" % res["bad"])
    assert res["fd1"] == res["fd0"]


def test_zz_figures(capsys):
    with capsys.disabled():
        print("\nleak loops (csocket):")
        for line in FIGURES:
            print("  " + line)
        print("  interpreter: %s%s" % (sys.version.split()[0],
              " (debug)" if hasattr(sys, "gettotalrefcount") else ""))
