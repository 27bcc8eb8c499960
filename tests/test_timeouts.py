"""Blocking, non-blocking and timeout modes, csocket against the stdlib.

Timing assertions leave wide margins (a loaded CI machine must not make
them flake): a timed-out call must not return early and must return within
a few seconds; "early" is checked with a small allowance for clock and
scheduler granularity.
"""

import errno
import socket as stdsocket
import threading
import time

import pytest

SHORT = 0.3     # the timeout the tests wait out
SLACK = 0.05    # allowed earliness
LATE = 3.0      # far beyond any honest scheduling delay


@pytest.fixture
def socks():
    made = []
    yield made
    for s in made:
        try:
            s.close()
        except Exception:
            pass


@pytest.fixture
def restore_default_timeout(mod):
    old = mod.getdefaulttimeout()
    yield
    mod.setdefaulttimeout(old)


def unix_pair(mod, socks):
    a, b = mod.socketpair()
    socks.extend((a, b))
    return a, b


def listener(mod, socks, backlog=None):
    s = mod.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    if backlog is None:
        s.listen()
    else:
        s.listen(backlog)
    return s


def fill_send_buffer(s, limit=4096):
    """Send on non-blocking s until the kernel refuses more.  Returns the
    byte count.  s is left non-blocking."""
    s.setblocking(False)
    s.setsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_SNDBUF, 4096)
    total = 0
    chunk = b"f" * 65536
    for _ in range(limit):
        try:
            total += s.send(chunk)
        except BlockingIOError:
            return total
    raise AssertionError("send buffer never filled")


def later(delay, fn, *args):
    """Run fn(*args) in delay seconds from a daemon thread; join() it."""
    t = threading.Timer(delay, fn, args)
    t.daemon = True
    t.start()
    return t


def assert_timed_out(excinfo, mod, elapsed, timeout=SHORT):
    assert excinfo.type is mod.timeout
    assert isinstance(excinfo.value, TimeoutError)
    assert excinfo.value.args == ("timed out",)
    assert str(excinfo.value) == "timed out"
    assert elapsed >= timeout - SLACK, "returned early: %.3f s" % elapsed
    assert elapsed < timeout + LATE, "returned late: %.3f s" % elapsed


RECV_CALLS = {
    "recv": lambda s: s.recv(10),
    "recvfrom": lambda s: s.recvfrom(10),
    "recv_into": lambda s: s.recv_into(bytearray(10)),
    "recvfrom_into": lambda s: s.recvfrom_into(bytearray(10)),
}


# ------------------------------------------------------------ receiving


@pytest.mark.parametrize("call", sorted(RECV_CALLS))
def test_recv_timeout(mod, socks, call):
    a, b = unix_pair(mod, socks)
    a.settimeout(SHORT)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout) as e:
        RECV_CALLS[call](a)
    assert_timed_out(e, mod, time.monotonic() - t0)
    # The socket is still usable afterwards, and each call gets the whole
    # timeout again.
    b.sendall(b"after")
    assert RECV_CALLS[call](a) in (b"after", (b"after", None), 5,
                                   (5, None))


@pytest.mark.parametrize("call", sorted(RECV_CALLS))
def test_recv_nonblocking(mod, socks, call):
    a, b = unix_pair(mod, socks)
    a.setblocking(False)
    with pytest.raises(BlockingIOError) as e:
        RECV_CALLS[call](a)
    assert e.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
    a.settimeout(0.0)
    with pytest.raises(BlockingIOError):
        RECV_CALLS[call](a)


def test_recv_timeout_data_arrives(mod, socks):
    a, b = unix_pair(mod, socks)
    a.settimeout(10.0)
    t = later(0.2, b.sendall, b"late")
    t0 = time.monotonic()
    assert a.recv(10) == b"late"
    assert 0.1 < time.monotonic() - t0 < 9.0
    t.join()


def test_recv_blocking_waits(mod, socks):
    a, b = unix_pair(mod, socks)
    assert a.gettimeout() is None
    t1 = later(0.2, b.sendall, b"data")
    # Should recv hang, closing the peer unblocks it and the test fails
    # instead of hanging.
    t2 = later(10.0, b.shutdown, mod.SHUT_RDWR)
    t0 = time.monotonic()
    try:
        assert a.recv(10) == b"data"
        assert time.monotonic() - t0 > 0.1
    finally:
        t2.cancel()
        t1.join()


def test_timeout_is_per_call(mod, socks):
    a, b = unix_pair(mod, socks)
    a.settimeout(0.4)
    # Data trickles in every 0.2 s: each recv gets a fresh timeout.
    for i in range(3):
        t = later(0.2, b.sendall, b"%d" % i)
        assert a.recv(1) == b"%d" % i
        t.join()


# -------------------------------------------------------------- sending


def test_send_timeout(mod, socks):
    a, b = unix_pair(mod, socks)
    fill_send_buffer(a)
    a.settimeout(SHORT)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout) as e:
        a.send(b"x" * 65536)
    assert_timed_out(e, mod, time.monotonic() - t0)


def test_send_nonblocking(mod, socks):
    a, b = unix_pair(mod, socks)
    fill_send_buffer(a)
    with pytest.raises(BlockingIOError) as e:
        a.send(b"x" * 65536)
    assert e.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
    with pytest.raises(BlockingIOError):
        a.sendall(b"x" * 65536)


def test_sendall_timeout(mod, socks):
    a, b = unix_pair(mod, socks)
    fill_send_buffer(a)
    a.settimeout(SHORT)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout) as e:
        a.sendall(b"x" * 65536)
    assert_timed_out(e, mod, time.monotonic() - t0)


def test_sendall_deadline_covers_whole_call(mod, socks):
    """The timeout of sendall() bounds the whole call, not each send():
    a peer that keeps reading a little must not keep it going."""
    a, b = unix_pair(mod, socks)
    a.setsockopt(mod.SOL_SOCKET, mod.SO_SNDBUF, 4096)
    b.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 4096)
    b.settimeout(1.0)
    stop = threading.Event()
    got = []

    def slow_reader():
        # Reads every 0.1 s for at most 8 s, then stops reading, so that
        # even a per-chunk timeout ends eventually (and the test fails).
        end = time.monotonic() + 8.0
        while not stop.is_set() and time.monotonic() < end:
            try:
                got.append(len(b.recv(65536)))
            except (OSError, ValueError):
                pass
            time.sleep(0.1)

    reader = threading.Thread(target=slow_reader, daemon=True)
    reader.start()
    timeout = 0.5
    a.settimeout(timeout)
    t0 = time.monotonic()
    try:
        with pytest.raises(mod.timeout) as e:
            a.sendall(b"x" * (200 * 1024 * 1024))
        elapsed = time.monotonic() - t0
    finally:
        stop.set()
        reader.join(15)
    assert e.value.args == ("timed out",)
    assert elapsed >= timeout - SLACK
    assert elapsed < timeout + 2.5, (
        "sendall ran %.2f s with a %.1f s timeout: the deadline is not "
        "kept across chunks" % (elapsed, timeout))
    assert sum(got) > 0   # the reader did make progress meanwhile


def test_sendall_blocking_completes(mod, socks):
    a, b = unix_pair(mod, socks)
    b.settimeout(10.0)
    size = 4 * 1024 * 1024
    received = []

    def reader():
        n = 0
        while n < size:
            data = b.recv(1 << 20)
            if not data:
                break
            n += len(data)
        received.append(n)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    assert a.gettimeout() is None
    assert a.sendall(b"y" * size) is None
    t.join(30)
    assert received == [size]


# ------------------------------------------------------------ accepting


def test_accept_timeout(mod, socks):
    s = listener(mod, socks)
    s.settimeout(SHORT)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout) as e:
        s.accept()
    assert_timed_out(e, mod, time.monotonic() - t0)


def test_accept_nonblocking(mod, socks):
    s = listener(mod, socks)
    s.setblocking(False)
    with pytest.raises(BlockingIOError) as e:
        s.accept()
    assert e.value.errno in (errno.EAGAIN, errno.EWOULDBLOCK)
    c = mod.socket()
    socks.append(c)
    c.settimeout(10.0)
    c.connect(s.getsockname())
    # The connection is queued: a non-blocking accept gets it at once
    # (poll for it briefly, the handshake completes asynchronously).
    deadline = time.monotonic() + 5.0
    while True:
        try:
            conn, addr = s.accept()
            break
        except BlockingIOError:
            assert time.monotonic() < deadline
            time.sleep(0.01)
    socks.append(conn)
    assert addr == c.getsockname()
    # The accepted socket does not inherit the listener's non-blocking
    # mode (the default timeout is None).
    assert conn.gettimeout() is None


def test_accept_timeout_connection_arrives(mod, socks):
    s = listener(mod, socks)
    s.settimeout(10.0)
    c = mod.socket()
    socks.append(c)
    c.settimeout(10.0)
    t = later(0.2, c.connect, s.getsockname())
    conn, addr = s.accept()
    socks.append(conn)
    t.join()
    assert addr == c.getsockname()


# ------------------------------------------------------------ connecting


@pytest.fixture
def full_listener(socks):
    """A stdlib listener whose accept queue is full, so that a further
    connect gets no answer (Linux drops the SYN).  Skips if this kernel
    answers anyway."""
    s = stdsocket.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    s.listen(0)
    for _ in range(8):
        c = stdsocket.socket()
        socks.append(c)
        c.setblocking(False)
        c.connect_ex(s.getsockname())
    probe = stdsocket.socket()
    socks.append(probe)
    probe.settimeout(0.2)
    try:
        probe.connect(s.getsockname())
    except stdsocket.timeout:
        return s
    except OSError:
        pass
    pytest.skip("cannot make a listener whose backlog is full")


def test_connect_timeout(mod, socks, full_listener):
    c = mod.socket()
    socks.append(c)
    c.settimeout(SHORT)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout) as e:
        c.connect(full_listener.getsockname())
    assert_timed_out(e, mod, time.monotonic() - t0)


def test_connect_ex_timeout(mod, socks, full_listener):
    c = mod.socket()
    socks.append(c)
    c.settimeout(SHORT)
    t0 = time.monotonic()
    # The stdlib reports a timed-out connect_ex() as EAGAIN.
    assert c.connect_ex(full_listener.getsockname()) == errno.EAGAIN
    elapsed = time.monotonic() - t0
    assert SHORT - SLACK <= elapsed < SHORT + LATE


def test_connect_nonblocking(mod, socks):
    s = listener(mod, socks)
    c = mod.socket()
    socks.append(c)
    c.setblocking(False)
    try:
        c.connect(s.getsockname())
    except BlockingIOError as e:
        assert e.errno == errno.EINPROGRESS
    d = mod.socket()
    socks.append(d)
    d.setblocking(False)
    assert d.connect_ex(s.getsockname()) in (0, errno.EINPROGRESS)


def test_connect_nonblocking_full_backlog(mod, socks, full_listener):
    c = mod.socket()
    socks.append(c)
    c.setblocking(False)
    with pytest.raises(BlockingIOError) as e:
        c.connect(full_listener.getsockname())
    assert e.value.errno == errno.EINPROGRESS


def test_connect_timeout_success(mod, socks):
    s = listener(mod, socks)
    c = mod.socket()
    socks.append(c)
    c.settimeout(10.0)
    assert c.connect(s.getsockname()) is None
    assert c.getpeername() == s.getsockname()
    assert c.gettimeout() == 10.0


# ---------------------------------------------------- default timeout


def test_default_timeout_values(mod, restore_default_timeout):
    mod.setdefaulttimeout(None)
    assert mod.getdefaulttimeout() is None
    mod.setdefaulttimeout(2.5)
    assert mod.getdefaulttimeout() == 2.5
    mod.setdefaulttimeout(3)
    assert mod.getdefaulttimeout() == 3.0
    assert isinstance(mod.getdefaulttimeout(), float)
    mod.setdefaulttimeout(0)
    assert mod.getdefaulttimeout() == 0.0
    with pytest.raises(ValueError) as e:
        mod.setdefaulttimeout(-1)
    assert str(e.value) == "Timeout value out of range"
    with pytest.raises(TypeError):
        mod.setdefaulttimeout("1")
    with pytest.raises(TypeError):
        mod.setdefaulttimeout()
    assert mod.getdefaulttimeout() == 0.0


def test_default_timeout_used(mod, socks, restore_default_timeout):
    mod.setdefaulttimeout(SHORT)
    a, b = unix_pair(mod, socks)
    assert a.gettimeout() == SHORT
    t0 = time.monotonic()
    with pytest.raises(mod.timeout) as e:
        a.recv(1)
    assert_timed_out(e, mod, time.monotonic() - t0)
    mod.setdefaulttimeout(0)
    c = mod.socket()
    socks.append(c)
    assert c.gettimeout() == 0.0
    s = listener(mod, socks)
    with pytest.raises(BlockingIOError):
        s.accept()


def test_default_timeout_does_not_change_existing(mod, socks,
                                                   restore_default_timeout):
    mod.setdefaulttimeout(None)
    s = mod.socket()
    socks.append(s)
    mod.setdefaulttimeout(5.0)
    assert s.gettimeout() is None


def test_timeout_mode_switches(mod, socks):
    a, b = unix_pair(mod, socks)
    a.settimeout(SHORT)
    with pytest.raises(mod.timeout):
        a.recv(1)
    a.setblocking(False)
    with pytest.raises(BlockingIOError):
        a.recv(1)
    a.settimeout(SHORT)
    with pytest.raises(mod.timeout):
        a.recv(1)
    a.setblocking(True)
    b.sendall(b"k")
    assert a.recv(1) == b"k"
