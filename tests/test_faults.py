"""Faults: the peer resets the connection in the middle of sendall() and
recv(); a timeout expires in the middle of sendall(); the process runs out
of descriptors (RLIMIT_NOFILE) in socket(), socketpair(), accept(), dup(),
fromfd() and recvmsg() with SCM_RIGHTS; another thread closes the socket
while this one is blocked in it.

Every test runs against the stdlib (the oracle) and csocket through the
`mod` fixture.  Descriptor exhaustion runs in a child interpreter, where
the limit cannot hurt the test runner.
"""

import json
import signal
import socket as std
import struct
import threading
import time

import pytest

from conftest import run_python


def tcp_pair(mod):
    srv = mod.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = mod.create_connection(srv.getsockname(), timeout=5)
    conn, _ = srv.accept()
    srv.close()
    conn.settimeout(None)
    cli.settimeout(None)
    return cli, conn


def reset(sock):
    """Close with SO_LINGER {on, 0}: the kernel sends RST, not FIN."""
    sock.setsockopt(std.SOL_SOCKET, std.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


# -- Peer resets --------------------------------------------------------------

def test_reset_during_sendall(mod, no_fd_leak):
    """The receiver reads a little, then resets: sendall() of far more
    than the buffers hold fails with ECONNRESET or EPIPE (which one
    depends on where the RST lands), never hangs or reports success."""
    cli, conn = tcp_pair(mod)
    try:
        def peer():
            conn.recv(65536)
            time.sleep(0.1)
            reset(conn)
        t = threading.Thread(target=peer)
        t.start()
        cli.settimeout(10)
        with pytest.raises((ConnectionResetError, BrokenPipeError)):
            cli.sendall(b"x" * (256 << 20))
        t.join(5)
    finally:
        cli.close()
        conn.close()


def test_reset_during_recv(mod, no_fd_leak):
    cli, conn = tcp_pair(mod)
    try:
        t = threading.Timer(0.2, reset, (conn,))
        t.start()
        cli.settimeout(10)
        t0 = time.monotonic()
        with pytest.raises(ConnectionResetError):
            cli.recv(100)
        assert time.monotonic() - t0 < 5
        t.join(5)
        # The socket stays usable as an object: further calls report the
        # state, not a crash.
        assert cli.recv(100) == b""
    finally:
        cli.close()
        conn.close()


def test_reset_after_data(mod, no_fd_leak):
    """Data queued before the RST: Linux discards it on reset, so the
    first recv() reports ECONNRESET; both modules must agree."""
    cli, conn = tcp_pair(mod)
    try:
        conn.sendall(b"hello")
        time.sleep(0.05)
        reset(conn)
        time.sleep(0.05)
        results = []
        for _ in range(3):
            try:
                results.append(cli.recv(100))
            except OSError as e:
                results.append(e.errno)
        assert results in ([104, b"", b""], [b"hello", 104, b""],
                           [b"hello", b"", b""])
    finally:
        cli.close()


def test_send_after_reset(mod, no_fd_leak):
    cli, conn = tcp_pair(mod)
    try:
        reset(conn)
        time.sleep(0.05)
        errs = set()
        for _ in range(3):
            try:
                cli.send(b"x")
            except OSError as e:
                errs.add(type(e))
        assert errs and errs <= {ConnectionResetError, BrokenPipeError}
    finally:
        cli.close()


# -- A timeout expires in the middle of sendall() -----------------------------

def test_sendall_timeout_midway(mod, no_fd_leak):
    """The peer reads 1 MiB and stops.  sendall() with a timeout raises
    TimeoutError at the deadline; what the peer then drains is an
    unbroken prefix of the payload, longer than what it had read (bytes
    sent before the timeout are not taken back, and none are sent
    twice), as with the stdlib."""
    cli, conn = tcp_pair(mod)
    payload = bytes(range(251)) * (64 << 12)      # ~64 MiB, never all sent
    got = bytearray()
    try:
        def peer():
            while len(got) < (1 << 20):
                got.extend(conn.recv(65536))
        t = threading.Thread(target=peer)
        t.start()
        cli.settimeout(0.5)
        t0 = time.monotonic()
        with pytest.raises(TimeoutError):
            cli.sendall(payload)
        elapsed = time.monotonic() - t0
        t.join(5)
        assert 0.45 <= elapsed < 3, elapsed
        conn.setblocking(False)
        read_before = len(got)
        try:
            while True:
                c = conn.recv(1 << 20)
                if not c:
                    break
                got.extend(c)
        except BlockingIOError:
            pass
        assert len(got) > read_before
        assert got == payload[:len(got)]
    finally:
        cli.close()
        conn.close()


# -- Descriptor exhaustion (in a child) ---------------------------------------

EXHAUST = r"""
import array, json, os, resource, socket as std, sys
import %(mod)s as m

resource.setrlimit(resource.RLIMIT_NOFILE, (64, 64))
keep = []          # descriptors used to fill the table

def fill():
    while True:
        try:
            keep.append(os.open("/dev/null", os.O_RDONLY))
        except OSError:
            return

def free(n):
    for _ in range(n):
        os.close(keep.pop())

def fds():
    return sorted(int(x) for x in os.listdir("/proc/self/fd"))

def attempt(fn):
    try:
        r = fn()
    except OSError as e:
        return ["err", e.errno]
    return ["ok", r]

out = {}
srv = m.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(4)
cli = m.socket(); cli.connect(srv.getsockname())
a, b = m.socketpair()
r, w = os.pipe()

fill()
base = len(keep)
out["socket"] = attempt(lambda: m.socket().close())
out["socketpair"] = attempt(lambda: [x.close() for x in m.socketpair()])
out["accept"] = attempt(lambda: srv.accept()[0].close())
out["dup_method"] = attempt(lambda: a.dup().close())
out["dup_func"] = attempt(lambda: os.close(m.dup(a.fileno())))
out["fromfd"] = attempt(lambda: m.fromfd(a.fileno(), m.AF_UNIX,
                                         m.SOCK_STREAM).close())
out["makefile"] = attempt(lambda: a.makefile("rb").close() or None)

# The pending connection survived the failed accept: free one slot.
free(1)
c, _ = srv.accept()
out["accept_after_free"] = c.recv(1, m.MSG_DONTWAIT) if False else "ok"
c.close()

# SCM_RIGHTS with no slot free: the message arrives, the descriptors do
# not (MSG_CTRUNC); with one slot free: one of three arrives.
fill()
a.sendmsg([b"x"], [(m.SOL_SOCKET, m.SCM_RIGHTS, array.array("i",
                    [r, w, r]))])
msg, anc, flags, _ = b.recvmsg(16, m.CMSG_SPACE(3 * 4))
out["rights_none_free"] = [msg.decode(), len(anc),
                           bool(flags & m.MSG_CTRUNC)]
free(1)
a.sendmsg([b"y"], [(m.SOL_SOCKET, m.SCM_RIGHTS, array.array("i",
                    [r, w, r]))])
msg, anc, flags, _ = b.recvmsg(16, m.CMSG_SPACE(3 * 4))
got = []
for level, type_, data in anc:
    n = len(data) // 4
    got.extend(array.array("i", data[:n * 4]))
for fd in got:
    os.close(fd)
out["rights_one_free"] = [msg.decode(), len(got),
                          bool(flags & m.MSG_CTRUNC)]

# Nothing leaked: everything but the fillers closes cleanly.
for x in (srv, cli, a, b):
    x.close()
os.close(r); os.close(w)
while keep:
    os.close(keep.pop())
out["fds_left"] = fds()
print(json.dumps(out))
"""


def test_descriptor_exhaustion(mod):
    proc = run_python(EXHAUST % {"mod": mod.__name__}, timeout=60)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    emfile = ["err", 24]
    for name in ("socket", "socketpair", "accept", "dup_method",
                 "dup_func", "fromfd"):
        assert out[name] == emfile, (name, out[name])
    assert out["makefile"] == ["ok", None]
    assert out["accept_after_free"] == "ok"
    assert out["rights_none_free"] == ["x", 0, True]
    assert out["rights_one_free"] == ["y", 1, True]
    assert out["fds_left"] == [0, 1, 2, 3] or len(out["fds_left"]) <= 4


# -- close() from another thread ----------------------------------------------

def _reuse(fd, mod):
    """Open sockets until one gets descriptor number fd (just freed);
    return the pair whose one end has it, with data ready to read on
    that end, or None."""
    made = []
    found = None
    for _ in range(8):
        x, y = mod.socketpair()
        if fd in (x.fileno(), y.fileno()):
            found = (x, y) if x.fileno() == fd else (y, x)
            break
        made.append((x, y))
    for x, y in made:
        x.close()
        y.close()
    if found:
        found[1].sendall(b"WRONG SOCKET")
    return found


class Storm:
    def __enter__(self):
        self.old = signal.signal(signal.SIGALRM, lambda *a: None)
        signal.setitimer(signal.ITIMER_REAL, 0.001, 0.001)

    def __exit__(self, *exc):
        signal.setitimer(signal.ITIMER_REAL, 0, 0)
        signal.signal(signal.SIGALRM, self.old)


@pytest.mark.parametrize("timeout", [None, 0.5])
def test_close_while_blocked_never_touches_reused_fd(mod, timeout):
    """The main thread blocks in recv() under a 1 ms signal storm (so it
    retries after every EINTR, and in timeout mode after its wait); a
    second thread closes the socket and at once reuses its descriptor
    number for a new socket with data waiting.  The blocked call must end
    with an error (EBADF), never read the new socket's data."""
    a, b = mod.socketpair()
    a.settimeout(timeout)
    fd = a.fileno()
    reused = []

    def closer():
        time.sleep(0.1)
        a.close()
        pair = _reuse(fd, mod)
        if pair:
            reused.append(pair)
        time.sleep(1.0)
        try:
            b.sendall(b"late")    # ends the blocking case at last
        except OSError:
            pass                  # the old socket is gone already

    t = threading.Thread(target=closer)
    t.start()
    try:
        with Storm():
            try:
                got = a.recv(100)
            except OSError as e:
                got = e
        t.join(5)
        if mod is std:
            # The stdlib closes at once, so the number is free to reuse.
            assert reused, "descriptor number was not reused"
        # csocket keeps the number until the woken call has let go of it;
        # the closer may or may not get it after that.
        assert got != b"WRONG SOCKET"
        assert isinstance(got, OSError) and got.errno == 9 or got == b"late"
        if mod is not std:
            assert isinstance(got, OSError), "csocket must wake with EBADF"
        # The new socket (if the number went to one) still has its data:
        # nobody read it.
        for x, y in reused:
            x.settimeout(1)
            assert x.recv(100) == b"WRONG SOCKET"
    finally:
        t.join(5)
        b.close()
        for x, y in reused:
            x.close()
            y.close()


@pytest.mark.parametrize("timeout", [None, 0.5])
def test_close_while_blocked_in_accept(mod, timeout):
    """Same for accept(): the blocked call ends with EBADF (or, in
    blocking mode, the connection that finally arrives), and never
    accepts on a reused descriptor."""
    srv = mod.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    srv.settimeout(timeout)
    fd = srv.fileno()
    addr = srv.getsockname()
    reused = []
    late = []

    def closer():
        time.sleep(0.1)
        # A connection is queued on the old listener before it goes, so
        # that a blocking accept() has something to return.
        c = mod.socket()
        c.connect(addr)
        late.append(c)
        srv.close()
        other = mod.socket()
        other.bind(("127.0.0.1", 0))
        other.listen(4)
        if other.fileno() == fd:
            d = mod.create_connection(other.getsockname())
            late.append(d)
            reused.append(other)
        else:
            other.close()

    t = threading.Thread(target=closer)
    t.start()
    try:
        with Storm():
            try:
                conn, peer = srv.accept()
                conn.close()
                got = "accepted"
            except OSError as e:
                got = e.errno
        t.join(5)
        # stdlib and csocket: EBADF, or the connection queued before the
        # close.  Never a connection from the reused listener.
        assert got in (9, "accepted")
        if mod is std:
            assert reused or got == 9
        if reused and got == "accepted":
            reused[0].settimeout(1)
            c2, _ = reused[0].accept()      # its connection is still there
            c2.close()
    finally:
        t.join(5)
        for x in late + reused:
            x.close()


# -- close() wakes the blocked thread (csocket only) ------------------------
#
# The stdlib leaves a thread blocked in recv()/accept() asleep when another
# thread closes the socket, until data or a connection happens to arrive
# (there is nothing to compare with).  csocket shuts the socket down, which
# wakes the call; it raises EBADF, and the descriptor is closed by the woken
# call when it lets go of it, so its number is never reused under it.

def _listener(cs, family=None):
    if family == "unix":
        srv = cs.socket(cs.AF_UNIX)
        srv.bind("\0csocket-wake-%d-%d" % (id(srv), time.monotonic_ns()))
    else:
        srv = cs.socket()
        srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    return [srv]


def _full_pair(cs):
    a, b = cs.socketpair()
    a.setblocking(False)
    try:
        for _ in range(10000):
            a.send(b"x" * 65536)
    except BlockingIOError:
        pass
    a.setblocking(True)
    return [a, b]


def _backlogged(cs):
    """A TCP socket whose connect() cannot complete: the listener's
    accept queue is full, so the kernel drops its SYNs (the connect
    blocks, retrying, for minutes)."""
    srv = cs.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(0)
    keep = [srv]
    c = None
    for _ in range(16):
        c = cs.socket()
        c.setblocking(False)
        keep.append(c)
        if c.connect_ex(srv.getsockname()) not in (0, 115):
            break
        time.sleep(0.01)
    victim = cs.socket()
    return [victim, srv.getsockname()] + keep


def _sendfile_full(cs, tmp_path):
    a, b = _full_pair(cs)
    path = tmp_path / "big"
    path.write_bytes(b"z" * (4 << 20))
    f = open(path, "rb")
    return [a, b, f]


WAKE_CASES = {
    "tcp-accept": (lambda cs, tp: _listener(cs), lambda s, o: s.accept()),
    "unix-accept": (lambda cs, tp: _listener(cs, "unix"),
                    lambda s, o: s.accept()),
    "tcp-recv": (lambda cs, tp: list(tcp_pair(cs)), lambda s, o: s.recv(10)),
    "unix-recv_into": (lambda cs, tp: list(cs.socketpair()),
                       lambda s, o: s.recv_into(bytearray(10))),
    "udp-recvfrom": (lambda cs, tp: [_udp(cs)], lambda s, o: s.recvfrom(10)),
    "unix-recvmsg": (lambda cs, tp: list(cs.socketpair()),
                     lambda s, o: s.recvmsg(10)),
    "unix-sendall": (lambda cs, tp: _full_pair(cs),
                     lambda s, o: s.sendall(b"y" * (1 << 20))),
    "unix-sendfile": (_sendfile_full, lambda s, o: s.sendfile(o[2])),
    "tcp-connect": (lambda cs, tp: _backlogged(cs),
                    lambda s, o: s.connect(o[1])),
}


def _udp(cs):
    u = cs.socket(cs.AF_INET, cs.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    return u


@pytest.mark.parametrize("timeout", [None, 30.0])
@pytest.mark.parametrize("case", sorted(WAKE_CASES))
def test_close_wakes_blocked_call(csocket, case, timeout, tmp_path):
    from conftest import open_fds
    before = open_fds()
    setup, op = WAKE_CASES[case]
    objs = setup(csocket, tmp_path)
    s = objs[0]
    s.settimeout(timeout)
    fd = s.fileno()
    res = {}
    entered = threading.Event()

    def blocked():
        entered.set()
        try:
            res["value"] = op(s, objs)
        except BaseException as e:         # noqa: B036 - reported below
            res["error"] = e
        res["at"] = time.monotonic()

    t = threading.Thread(target=blocked, daemon=True)
    t.start()
    entered.wait(5)
    time.sleep(0.2)                   # let it block
    assert t.is_alive(), "the call did not block: %r" % res
    closed_at = time.monotonic()
    s.close()
    assert s.fileno() == -1
    t.join(5)
    try:
        assert not t.is_alive(), "close() did not wake the blocked call"
        assert res["at"] - closed_at < 2.0
        err = res.get("error")
        assert isinstance(err, OSError) and err.errno == 9, res
        # The woken call closed the descriptor when it let go of it.
        assert fd not in open_fds() - before or fd in before
    finally:
        for o in objs[1:]:
            if hasattr(o, "close"):
                o.close()
    assert open_fds() <= before | {fd} and fd not in open_fds() - before


def test_close_wakes_every_blocked_thread(csocket):
    """Three threads blocked on one socket (two in recv, one waiting in a
    timeout-mode recv): one close() wakes all of them; the descriptor is
    closed once, when the last lets go."""
    from conftest import open_fds
    a, b = csocket.socketpair()
    fd = a.fileno()
    errs = []

    def blocked():
        try:
            a.recv(10)
        except OSError as e:
            errs.append(e.errno)

    threads = [threading.Thread(target=blocked, daemon=True)
               for _ in range(3)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    a.close()
    for t in threads:
        t.join(5)
    try:
        assert not any(t.is_alive() for t in threads)
        assert errs == [9, 9, 9]
        assert fd not in open_fds()
    finally:
        b.close()


def test_close_from_signal_handler_while_blocked(csocket):
    """A signal handler that closes the socket its own thread is blocked
    on (the only other place a close can come from mid-call): the call
    ends with EBADF at once and the descriptor is closed when it does."""
    from conftest import open_fds
    a, b = csocket.socketpair()
    fd = a.fileno()
    old = signal.signal(signal.SIGALRM, lambda *x: a.close())
    signal.setitimer(signal.ITIMER_REAL, 0.1)
    try:
        with pytest.raises(OSError) as info:
            a.recv(10)
        assert info.value.errno == 9
        assert fd not in open_fds()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
        b.close()


def test_detach_while_blocked_leaves_fd_to_caller(csocket):
    """detach() from another thread: the descriptor is the caller's now,
    so it is neither shut down nor closed; the blocked call carries on and
    returns the data that comes."""
    import os
    a, b = csocket.socketpair()
    res = []
    t = threading.Thread(target=lambda: res.append(a.recv(10)), daemon=True)
    t.start()
    time.sleep(0.2)
    fd = a.detach()
    b.sendall(b"hello")
    t.join(5)
    try:
        assert res == [b"hello"] or (not t.is_alive() and res == [])
        os.fstat(fd)              # still open: detach() gave it away
    finally:
        os.close(fd)
        b.close()


def test_close_in_forked_child_leaves_parent_blocked_call(csocket):
    """A child forked while a parent thread is blocked in accept() closes
    its copy of the listener (the classic pre-fork server pattern).  The
    blocked call belongs to the parent: the child's close() must be a
    plain close, not the shutdown that wakes holders - that would end the
    parent's listening socket too.  The parent's accept() then takes the
    connection that comes."""
    import os
    srv = csocket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(4)
    res = {}

    def blocked():
        try:
            conn, _ = srv.accept()
            res["ok"] = conn.recv(10)
            conn.close()
        except OSError as e:
            res["error"] = e

    t = threading.Thread(target=blocked, daemon=True)
    t.start()
    time.sleep(0.2)
    pid = os.fork()
    if pid == 0:
        try:
            srv.close()
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    time.sleep(0.1)
    try:
        c = csocket.create_connection(srv.getsockname(), timeout=5)
        c.sendall(b"hi")
        t.join(5)
        c.close()
        assert res == {"ok": b"hi"}
    finally:
        srv.close()
        t.join(5)
