"""PEP 475: blocking calls interrupted by a signal, csocket against the
stdlib.

A SIGALRM (signal.setitimer) arrives while the main thread is blocked in
recv / accept / sendall / connect:
- with a handler that returns, the call carries on and completes;
- with a handler that raises, the exception comes out of the call;
- with a timeout, the retry uses the time remaining, so the total stays
  near the timeout however many signals arrive.

Helper threads block SIGALRM so that the kernel interrupts the main
thread's system call.  Every test is bounded: sockets have timeouts or a
rescue thread shuts the peer down, the timer is disarmed and the handler
restored in finally, and a repeating timer disarms itself after a count.
"""

import signal
import socket as stdsocket
import threading
import time

import pytest

pytestmark = pytest.mark.skipif(not hasattr(signal, "setitimer"),
                                reason="needs signal.setitimer")

RESCUE = 10.0     # seconds before a rescue thread unblocks a stuck call


class Interrupted(Exception):
    pass


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
def alarm():
    """Arm SIGALRM: alarm(handler, first, interval=0, max_count=50).
    The timer disarms itself after max_count signals; the handler and
    timer are restored afterwards whatever happens."""
    old = signal.getsignal(signal.SIGALRM)
    state = {"count": 0}

    def arm(action, first, interval=0.0, max_count=50):
        def handler(signum, frame):
            state["count"] += 1
            if state["count"] >= max_count:
                signal.setitimer(signal.ITIMER_REAL, 0)
            if action == "raise":
                signal.setitimer(signal.ITIMER_REAL, 0)
                raise Interrupted("from the signal handler")

        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, first, interval)
        return state

    try:
        yield arm
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def in_thread(delay, fn, *args):
    """Call fn(*args) after delay seconds in a thread that blocks SIGALRM
    (so the signal goes to the main thread)."""
    def body():
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        if delay:
            time.sleep(delay)
        try:
            fn(*args)
        except OSError:
            pass

    # Block before starting, so the new thread inherits the mask.
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
    try:
        t = threading.Thread(target=body, daemon=True)
        t.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
    return t


class Rescue:
    """Shut a socket down after RESCUE seconds unless cancelled: a call
    that fails to finish then returns (and the test fails) instead of
    hanging the suite."""

    def __init__(self, sock):
        self.cancelled = threading.Event()

        def body():
            if not self.cancelled.wait(RESCUE):
                try:
                    sock.shutdown(stdsocket.SHUT_RDWR)
                except OSError:
                    pass

        self.thread = in_thread(0, body)

    def cancel(self):
        self.cancelled.set()
        self.thread.join(5)


def unix_pair(mod, socks):
    a, b = mod.socketpair()
    socks.extend((a, b))
    return a, b


def listener(mod, socks):
    s = mod.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    s.listen()
    return s


def fill_send_buffer(s):
    s.setblocking(False)
    s.setsockopt(stdsocket.SOL_SOCKET, stdsocket.SO_SNDBUF, 4096)
    for _ in range(4096):
        try:
            s.send(b"f" * 65536)
        except BlockingIOError:
            return
    raise AssertionError("send buffer never filled")


# ------------------------------------------------------------------ recv


def test_recv_handler_returns(mod, socks, alarm):
    a, b = unix_pair(mod, socks)
    rescue = Rescue(b)
    try:
        t = in_thread(0.6, b.sendall, b"payload")
        state = alarm("pass", 0.05, 0.05)
        data = a.recv(100)
        signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        rescue.cancel()
    t.join(5)
    assert data == b"payload"
    assert state["count"] >= 2   # the call was interrupted and retried


def test_recv_handler_raises(mod, socks, alarm):
    a, b = unix_pair(mod, socks)
    rescue = Rescue(b)
    try:
        alarm("raise", 0.2)
        t0 = time.monotonic()
        with pytest.raises(Interrupted):
            a.recv(100)
        elapsed = time.monotonic() - t0
    finally:
        rescue.cancel()
    assert elapsed < RESCUE - 1
    # The socket is still usable.
    b.sendall(b"ok")
    a.settimeout(5)
    assert a.recv(10) == b"ok"


@pytest.mark.parametrize("call", ["recv", "recv_into", "recvfrom"])
def test_recv_timeout_keeps_deadline(mod, socks, alarm, call):
    a, b = unix_pair(mod, socks)
    timeout = 1.0
    a.settimeout(timeout)
    args = (bytearray(10),) if call == "recv_into" else (10,)
    # A signal every 0.1 s: were the timeout restarted after each one,
    # the call would only end once the timer disarms itself (40 signals).
    state = alarm("pass", 0.1, 0.1, max_count=40)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout):
        getattr(a, call)(*args)
    elapsed = time.monotonic() - t0
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert state["count"] >= 3
    assert timeout - 0.05 <= elapsed < timeout + 1.5, elapsed


def test_recv_timeout_handler_raises(mod, socks, alarm):
    a, b = unix_pair(mod, socks)
    a.settimeout(5.0)
    alarm("raise", 0.2)
    t0 = time.monotonic()
    with pytest.raises(Interrupted):
        a.recv(10)
    assert time.monotonic() - t0 < 4.0


# ---------------------------------------------------------------- accept


def test_accept_handler_returns(mod, socks, alarm):
    s = listener(mod, socks)
    c = mod.socket()
    socks.append(c)
    c.settimeout(10)
    rescue = Rescue(s)
    try:
        t = in_thread(0.6, c.connect, s.getsockname())
        state = alarm("pass", 0.05, 0.05)
        conn, addr = s.accept()
        signal.setitimer(signal.ITIMER_REAL, 0)
    finally:
        rescue.cancel()
    socks.append(conn)
    t.join(5)
    assert addr == c.getsockname()
    assert state["count"] >= 2


def test_accept_handler_raises(mod, socks, alarm):
    s = listener(mod, socks)
    rescue = Rescue(s)
    try:
        alarm("raise", 0.2)
        with pytest.raises(Interrupted):
            s.accept()
    finally:
        rescue.cancel()


def test_accept_timeout_keeps_deadline(mod, socks, alarm):
    s = listener(mod, socks)
    timeout = 1.0
    s.settimeout(timeout)
    state = alarm("pass", 0.1, 0.1, max_count=40)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout):
        s.accept()
    elapsed = time.monotonic() - t0
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert state["count"] >= 3
    assert timeout - 0.05 <= elapsed < timeout + 1.5, elapsed


# --------------------------------------------------------------- sendall


def slow_reader(sock, total, out, stop):
    """Read total bytes in small bites with pauses (from a thread)."""
    n = 0
    sock.settimeout(RESCUE)
    while n < total and not stop.is_set():
        data = sock.recv(256 * 1024)
        if not data:
            break
        n += len(data)
        time.sleep(0.01)
    out.append(n)


def test_sendall_handler_returns(mod, socks, alarm):
    a, b = unix_pair(mod, socks)
    a.setsockopt(mod.SOL_SOCKET, mod.SO_SNDBUF, 8192)
    size = 8 * 1024 * 1024
    out, stop = [], threading.Event()
    t = in_thread(0.2, slow_reader, b, size, out, stop)
    rescue = Rescue(a)
    try:
        state = alarm("pass", 0.05, 0.05, max_count=200)
        assert a.sendall(b"s" * size) is None
        signal.setitimer(signal.ITIMER_REAL, 0)
    except BaseException:
        stop.set()
        raise
    finally:
        rescue.cancel()
    t.join(RESCUE)
    assert out == [size]   # nothing lost or sent twice across retries
    assert state["count"] >= 2


def test_sendall_handler_raises(mod, socks, alarm):
    a, b = unix_pair(mod, socks)
    fill_send_buffer(a)
    a.setblocking(True)
    rescue = Rescue(b)
    try:
        alarm("raise", 0.2)
        with pytest.raises(Interrupted):
            a.sendall(b"x" * (1024 * 1024))
    finally:
        rescue.cancel()


def test_sendall_timeout_keeps_deadline(mod, socks, alarm):
    a, b = unix_pair(mod, socks)
    fill_send_buffer(a)
    timeout = 1.0
    a.settimeout(timeout)
    state = alarm("pass", 0.1, 0.1, max_count=40)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout):
        a.sendall(b"x" * (1024 * 1024))
    elapsed = time.monotonic() - t0
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert state["count"] >= 3
    assert timeout - 0.05 <= elapsed < timeout + 1.5, elapsed


# --------------------------------------------------------------- connect


@pytest.fixture
def full_listener(socks):
    """A listener whose accept queue is full: connects get no answer."""
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


def test_connect_timeout_keeps_deadline(mod, socks, alarm, full_listener):
    c = mod.socket()
    socks.append(c)
    timeout = 1.0
    c.settimeout(timeout)
    state = alarm("pass", 0.1, 0.1, max_count=40)
    t0 = time.monotonic()
    with pytest.raises(mod.timeout):
        c.connect(full_listener.getsockname())
    elapsed = time.monotonic() - t0
    signal.setitimer(signal.ITIMER_REAL, 0)
    assert state["count"] >= 3
    assert timeout - 0.05 <= elapsed < timeout + 1.5, elapsed


def test_connect_timeout_handler_raises(mod, socks, alarm, full_listener):
    c = mod.socket()
    socks.append(c)
    c.settimeout(5.0)
    alarm("raise", 0.2)
    t0 = time.monotonic()
    with pytest.raises(Interrupted):
        c.connect(full_listener.getsockname())
    assert time.monotonic() - t0 < 4.0
