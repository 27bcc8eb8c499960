"""socket.sendfile() and its private helpers, against the stdlib.

Every behaviour test runs twice through the ``mod`` fixture: with the
stdlib's socket (the oracle) and with csocket.  The three entry points
are exercised separately where the stdlib's tests do the same:
``sendfile`` (zero-copy with fallback), ``_sendfile_use_sendfile`` (the
os.sendfile path) and ``_sendfile_use_send`` (the read/send path).
"""

import hashlib
import io
import os
import socket as std
import signal
import threading
import time

import pytest

from conftest import run_python

METHODS = ["sendfile", "_sendfile_use_sendfile", "_sendfile_use_send"]

# Long enough for a loaded machine, short enough to keep a failing test
# from hanging the run.
JOIN_TIMEOUT = 60


@pytest.fixture(scope="module")
def datafile(tmp_path_factory):
    """A 1 MB file of random bytes: (path, contents)."""
    path = tmp_path_factory.mktemp("sendfile") / "data.bin"
    data = os.urandom(1 << 20)
    path.write_bytes(data)
    return str(path), data


@pytest.fixture(scope="module")
def bigfile(tmp_path_factory):
    """A 20 MB file: (path, sha256 hex digest, size)."""
    path = tmp_path_factory.mktemp("sendfile") / "big.bin"
    h = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(20):
            block = os.urandom(1 << 20)
            h.update(block)
            f.write(block)
    return str(path), h.hexdigest(), 20 << 20


@pytest.fixture
def emptyfile(tmp_path):
    path = tmp_path / "empty.bin"
    path.write_bytes(b"")
    return str(path)


class Receiver:
    """Reads one side of a connection to EOF in a thread, hashing it."""

    def __init__(self, sock, keep=True):
        self.sock = sock
        self.keep = keep
        self.chunks = []
        self.size = 0
        self.hash = hashlib.sha256()
        self.error = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        try:
            self.sock.settimeout(JOIN_TIMEOUT)
            while True:
                chunk = self.sock.recv(1 << 16)
                if not chunk:
                    break
                self.size += len(chunk)
                self.hash.update(chunk)
                if self.keep:
                    self.chunks.append(chunk)
        except Exception as e:      # reported by result()
            self.error = e

    def result(self):
        self.thread.join(JOIN_TIMEOUT)
        assert not self.thread.is_alive(), "receiver did not finish"
        if self.error is not None:
            raise self.error
        return b"".join(self.chunks)


@pytest.fixture
def pair(mod, no_fd_leak):
    """A connected AF_UNIX stream pair of the module under test."""
    a, b = mod.socketpair()
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def tcp_pair(mod, no_fd_leak):
    """A connected TCP pair over loopback (client, server side)."""
    srv = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    cli = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    cli.settimeout(JOIN_TIMEOUT)
    cli.connect(srv.getsockname())
    conn, _ = srv.accept()
    srv.close()
    yield cli, conn
    cli.close()
    conn.close()


def send_and_receive(sender, receiver, method, *args, **kwargs):
    """Call sender.<method>(*args, **kwargs) while a thread drains the
    receiver; returns (result, bytes received)."""
    rx = Receiver(receiver)
    try:
        sent = getattr(sender, method)(*args, **kwargs)
    finally:
        sender.shutdown(1)      # SHUT_WR: the receiver sees EOF
    return sent, rx.result()


# --------------------------------------------------------------------
# Transfers


@pytest.mark.parametrize("method", METHODS)
def test_regular_file(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f)
        assert sent == len(data)
        assert got == data
        assert f.tell() == len(data)


@pytest.mark.parametrize("method", METHODS)
def test_regular_file_tcp(tcp_pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(tcp_pair[0], tcp_pair[1], method, f)
        assert (sent, got, f.tell()) == (len(data), data, len(data))


@pytest.mark.parametrize("method", METHODS)
def test_offset(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f,
                                     offset=5000)
        assert sent == len(data) - 5000
        assert got == data[5000:]
        assert f.tell() == len(data)


@pytest.mark.parametrize("method", METHODS)
def test_count(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f,
                                     count=100007)
        assert sent == 100007
        assert got == data[:100007]
        assert f.tell() == 100007


@pytest.mark.parametrize("method", METHODS)
def test_offset_and_count(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f, 2007,
                                     100007)
        assert sent == 100007
        assert got == data[2007:2007 + 100007]
        assert f.tell() == 2007 + 100007


@pytest.mark.parametrize("method", METHODS)
def test_count_small(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f, count=1)
        assert (sent, got, f.tell()) == (1, data[:1], 1)


@pytest.mark.parametrize("method", METHODS)
def test_count_larger_than_file(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f,
                                     count=len(data) * 3)
        assert (sent, got, f.tell()) == (len(data), data, len(data))


@pytest.mark.parametrize("method", METHODS)
def test_count_true_is_one(pair, datafile, method):
    # isinstance(True, int): a bool count passes the checks.
    path, data = datafile
    with open(path, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f,
                                     count=True)
        assert (sent, got) == (1, data[:1])


@pytest.mark.parametrize("method", METHODS)
def test_offset_past_end(pair, datafile, method):
    path, data = datafile
    with open(path, "rb") as f:
        f.seek(10)
        sent, got = send_and_receive(pair[0], pair[1], method, f,
                                     offset=len(data) + 10)
        assert (sent, got) == (0, b"")
        # Nothing was sent: the position is whatever the call left.
        assert f.tell() == (10 if method != "_sendfile_use_send"
                            else len(data) + 10)


@pytest.mark.parametrize("method", METHODS)
def test_empty_file(pair, emptyfile, method):
    with open(emptyfile, "rb") as f:
        sent, got = send_and_receive(pair[0], pair[1], method, f)
        assert (sent, got, f.tell()) == (0, b"", 0)


def test_big_file_checksum(mod, bigfile, no_fd_leak):
    """20 MB through sendfile() over TCP, hashed on the other side."""
    path, digest, size = bigfile
    srv = mod.create_server(("127.0.0.1", 0))
    try:
        cli = mod.create_connection(srv.getsockname(), timeout=JOIN_TIMEOUT)
        conn, _ = srv.accept()
    finally:
        srv.close()
    with cli, conn, open(path, "rb") as f:
        rx = Receiver(conn, keep=False)
        sent = cli.sendfile(f)
        cli.shutdown(mod.SHUT_WR)
        rx.result()
        assert sent == size
        assert rx.size == size
        assert rx.hash.hexdigest() == digest
        assert f.tell() == size


def test_big_file_send_path_checksum(mod, bigfile, no_fd_leak):
    path, digest, size = bigfile
    a, b = mod.socketpair()
    with a, b, open(path, "rb") as f:
        rx = Receiver(b, keep=False)
        sent = a._sendfile_use_send(f)
        a.shutdown(mod.SHUT_WR)
        rx.result()
        assert (sent, rx.size, rx.hash.hexdigest()) == (size, size, digest)


# --------------------------------------------------------------------
# The send() fallback


def test_bytesio_falls_back(pair, datafile):
    _, data = datafile
    f = io.BytesIO(data)
    sent, got = send_and_receive(pair[0], pair[1], "sendfile", f)
    assert (sent, got, f.tell()) == (len(data), data, len(data))


def test_bytesio_gives_up(mod, pair):
    with pytest.raises(mod._GiveupOnSendfile) as info:
        pair[0]._sendfile_use_sendfile(io.BytesIO(b"abc"))
    err = info.value.args[0]
    assert isinstance(err, io.UnsupportedOperation)
    assert info.value.__context__ is err


def test_no_fileno_gives_up(mod, pair):
    with pytest.raises(mod._GiveupOnSendfile) as info:
        pair[0]._sendfile_use_sendfile(object())
    assert isinstance(info.value.args[0], AttributeError)


def test_bad_fd_gives_up(mod, pair):
    class BadFd:
        def fileno(self):
            return 10 ** 6
    with pytest.raises(mod._GiveupOnSendfile) as info:
        pair[0]._sendfile_use_sendfile(BadFd())
    assert info.value.args[0].errno == 9


def test_fileno_errors_propagate(pair):
    class Raises:
        def fileno(self):
            raise OSError(5, "nope")

    class Str:
        def fileno(self):
            return "x"
    with pytest.raises(OSError) as info:
        pair[0]._sendfile_use_sendfile(Raises())
    assert info.value.args == (5, "nope")
    with pytest.raises(TypeError):
        pair[0]._sendfile_use_sendfile(Str())


def test_negative_offset_gives_up_then_fails(mod, pair, datafile):
    path, _ = datafile
    with open(path, "rb") as f:
        with pytest.raises(mod._GiveupOnSendfile) as info:
            pair[0]._sendfile_use_sendfile(f, -1)
        assert info.value.args[0].errno == 22
        # sendfile() falls back; the file's seek(-1) fails, raised while
        # the giveup was being handled.
        with pytest.raises(OSError) as info2:
            pair[0].sendfile(f, -1)
        assert type(info2.value.__context__) is mod._GiveupOnSendfile


def test_pipe_sends_nothing(pair):
    # fstat() gives a pipe the size 0: the stdlib returns 0 at once.
    r, w = os.pipe()
    os.write(w, b"abc")
    os.close(w)
    with open(r, "rb") as f:
        assert pair[0]._sendfile_use_sendfile(f) == 0
        assert pair[0].sendfile(f) == 0
        assert f.read() == b"abc"


def test_offset_and_count_types(pair, datafile):
    path, _ = datafile
    with open(path, "rb") as f:
        for bad in (1.5, "x"):
            with pytest.raises(TypeError):
                pair[0]._sendfile_use_sendfile(f, bad)
        with pytest.raises(OverflowError):
            pair[0]._sendfile_use_sendfile(f, 2 ** 70, 3)
        with pytest.raises(OverflowError):
            pair[0]._sendfile_use_sendfile(f, 0, 2 ** 70)
    # The send() path hands offset to file.seek() and counts in Python.
    with pytest.raises(TypeError):
        pair[0]._sendfile_use_send(io.BytesIO(b"abc"), 1.5)
    with pytest.raises(ValueError, match="negative seek"):
        pair[0]._sendfile_use_send(io.BytesIO(b"abc"), -1)


def test_send_path_starts_at_file_position(pair):
    # offset 0 does not seek: the send() path sends from the current
    # position, then seeks to offset + total_sent.
    f = io.BytesIO(b"0123456789")
    f.seek(4)
    sent, got = send_and_receive(pair[0], pair[1], "_sendfile_use_send", f)
    assert (sent, got, f.tell()) == (6, b"456789", 6)


def test_read_returning_str_or_none(pair):
    class StrRead:
        def read(self, n):
            return "abc"

    class NoneRead:
        def read(self, n):
            return None
    with pytest.raises(TypeError, match="memoryview: a bytes-like object "
                       "is required, not 'str'"):
        pair[0]._sendfile_use_send(StrRead())
    with pytest.raises(TypeError, match="NoneType"):
        pair[0].sendfile(NoneRead())


def test_read_returning_more_than_asked(pair):
    class Big:
        def __init__(self):
            self.calls = 0

        def read(self, n):
            self.calls += 1
            return b"x" * 20000 if self.calls < 3 else b""
    sent, got = send_and_receive(pair[0], pair[1], "_sendfile_use_send",
                                 Big(), 0, 5)
    assert (sent, len(got)) == (20000, 20000)


def test_seek_failure_in_finally(pair):
    class FailSeek(io.BytesIO):
        def seek(self, *a):
            raise RuntimeError("seek")

    class FailReadSeek(io.BytesIO):
        calls = 0

        def read(self, n):
            self.calls += 1
            if self.calls > 1:
                raise KeyError("read")
            return super().read(n)

        def seek(self, *a):
            raise RuntimeError("seek")
    rx = Receiver(pair[1], keep=False)
    with pytest.raises(RuntimeError) as info:
        pair[0]._sendfile_use_send(FailSeek(b"abc"))
    assert info.value.__context__ is None
    with pytest.raises(RuntimeError) as info:
        pair[0]._sendfile_use_send(FailReadSeek(b"abc" * 10000))
    assert type(info.value.__context__) is KeyError
    pair[0].shutdown(1)
    rx.result()


def test_no_seek_attribute(pair):
    class ReadOnly:
        def __init__(self):
            self.f = io.BytesIO(b"hello")

        def read(self, n):
            return self.f.read(n)
    sent, got = send_and_receive(pair[0], pair[1], "sendfile", ReadOnly())
    assert (sent, got) == (5, b"hello")
    # A true offset needs seek().
    with pytest.raises(AttributeError):
        pair[0]._sendfile_use_send(ReadOnly(), 1)


# --------------------------------------------------------------------
# Parameter checks


@pytest.mark.parametrize("method", METHODS)
def test_text_mode_file(pair, datafile, method):
    path, _ = datafile
    with open(path, encoding="latin-1") as f:
        with pytest.raises(ValueError,
                           match="^file should be opened in binary mode$"):
            getattr(pair[0], method)(f)


@pytest.mark.parametrize("method", METHODS)
def test_sock_dgram(mod, datafile, method, no_fd_leak):
    path, _ = datafile
    with open(path, "rb") as f, mod.socket(mod.AF_INET,
                                           mod.SOCK_DGRAM) as s:
        with pytest.raises(ValueError, match="^only SOCK_STREAM type "
                           "sockets are supported$"):
            getattr(s, method)(f)


def test_type_bit_test(mod, datafile, no_fd_leak):
    # The stdlib tests type & SOCK_STREAM: SOCK_SEQPACKET (5) passes.
    path, _ = datafile
    with open(path, "rb") as f, mod.socket(mod.AF_UNIX,
                                           mod.SOCK_SEQPACKET) as s:
        assert s._check_sendfile_params(f, 0, None) is None


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("count,exc", [
    ("2", TypeError), (0.1, TypeError), (1.0, TypeError), (b"1", TypeError),
    (0, ValueError), (-1, ValueError), (False, ValueError),
    (-2 ** 70, ValueError),
])
def test_bad_count(pair, datafile, method, count, exc):
    path, _ = datafile
    with open(path, "rb") as f:
        with pytest.raises(exc) as info:
            getattr(pair[0], method)(f, count=count)
        assert str(info.value) == ("count must be a positive integer "
                                   "(got %r)" % (count,))
        assert f.tell() == 0


def test_mode_attribute_shapes(pair):
    class IntMode:
        mode = 5

    class BytesMode:
        mode = b"rb"

    class NoBMode:
        mode = "r+"

    class BMode(io.BytesIO):
        mode = "wb+"
    with pytest.raises(TypeError, match="not iterable"):
        pair[0]._check_sendfile_params(IntMode(), 0, None)
    with pytest.raises(TypeError):
        pair[0]._check_sendfile_params(BytesMode(), 0, None)
    with pytest.raises(ValueError, match="binary mode"):
        pair[0]._check_sendfile_params(NoBMode(), 0, None)
    assert pair[0]._check_sendfile_params(BMode(), 0, None) is None


def test_check_params_arguments(pair):
    s = pair[0]
    with pytest.raises(TypeError, match="missing 1 required positional "
                       "argument: 'count'"):
        s._check_sendfile_params(io.BytesIO(), 0)
    with pytest.raises(TypeError, match="takes 4 positional arguments but "
                       "5 were given"):
        s._check_sendfile_params(io.BytesIO(), 0, None, 1)
    assert s._check_sendfile_params(io.BytesIO(), "any offset", 3) is None


CHECK_CALLS = [
    ((), {}), ((1,), {}), ((1, 2), {}), ((1, 2, 3, 4), {}),
    ((), {"count": 3}), ((), {"offset": 0}), ((1,), {"count": None}),
    ((1, 2, 3), {"file": 1}), ((1, 2), {"x": 1}),
    ((), {"file": "F", "offset": 0, "count": None}),
    ((), {"count": None, "offset": 0, "file": "F"}),
    (("F",), {"offset": 0, "count": 5}),
    (("F", 0), {"count": None}),
]


@pytest.mark.parametrize("call", range(len(CHECK_CALLS)))
def test_check_params_keywords(pair, call):
    """Keyword arguments are taken (it is a plain Python method in the
    stdlib); missing and repeated arguments are worded as Python words
    them.  "F" stands for a real binary file."""
    args, kwargs = CHECK_CALLS[call]
    with open(__file__, "rb") as f:
        args = tuple(f if a == "F" else a for a in args)
        kwargs = {k: f if v == "F" else v for k, v in kwargs.items()}
        try:
            got = ("ok", pair[0]._check_sendfile_params(*args, **kwargs))
        except Exception as e:
            got = (type(e).__name__, str(e))
    with open(__file__, "rb") as f:
        args = tuple(f if a == "F" else a for a in CHECK_CALLS[call][0])
        kwargs = {k: f if v == "F" else v
                  for k, v in CHECK_CALLS[call][1].items()}
        ref = std.socket(std.AF_UNIX, std.SOCK_STREAM)
        try:
            want = ("ok", ref._check_sendfile_params(*args, **kwargs))
        except Exception as e:
            want = (type(e).__name__, str(e))
        finally:
            ref.close()
    assert got == want


@pytest.mark.parametrize("method", METHODS)
def test_argument_errors(pair, method):
    s = pair[0]
    fn = getattr(s, method)
    with pytest.raises(TypeError, match=r"^socket\.%s\(\) missing 1 "
                       "required positional argument: 'file'$" % method):
        fn()
    with pytest.raises(TypeError, match="unexpected keyword argument "
                       "'bogus'"):
        fn(io.BytesIO(), bogus=1)
    with pytest.raises(TypeError, match="takes from 2 to 4 positional "
                       "arguments but 5 were given"):
        fn(io.BytesIO(), 0, 1, 2)
    with pytest.raises(TypeError, match="multiple values for argument "
                       "'offset'"):
        fn(io.BytesIO(), 0, offset=1)


# --------------------------------------------------------------------
# Socket modes


@pytest.mark.parametrize("method", METHODS)
def test_non_blocking_socket(pair, datafile, method):
    path, _ = datafile
    pair[0].setblocking(False)
    with open(path, "rb") as f:
        with pytest.raises(ValueError,
                           match="^non-blocking sockets are not supported$"):
            getattr(pair[0], method)(f)
        assert f.tell() == 0
    pair[1].setblocking(False)
    with pytest.raises(BlockingIOError):
        pair[1].recv(10)


def test_non_blocking_empty_file(pair, emptyfile):
    # An empty regular file returns 0 before the mode is looked at; the
    # fallback path checks the mode first.
    pair[0].setblocking(False)
    with open(emptyfile, "rb") as f:
        assert pair[0].sendfile(f) == 0
    with pytest.raises(ValueError, match="non-blocking"):
        pair[0].sendfile(io.BytesIO(b""))
    with pytest.raises(ValueError) as info:
        pair[0].sendfile(io.BytesIO(b"x"))
    assert type(info.value.__context__).__name__ == "_GiveupOnSendfile"


@pytest.mark.parametrize("method", METHODS)
def test_closed_socket(mod, datafile, emptyfile, method, no_fd_leak):
    path, _ = datafile
    s = mod.socket()
    s.close()
    with open(path, "rb") as f:
        if method == "_sendfile_use_send":
            with pytest.raises(OSError) as info:
                s._sendfile_use_send(f)
            assert info.value.errno == 9
        else:
            with pytest.raises(ValueError,
                               match="^Invalid file descriptor: -1$"):
                getattr(s, method)(f)
    with open(emptyfile, "rb") as f:
        assert s._sendfile_use_sendfile(f) == 0


@pytest.mark.parametrize("method", METHODS)
def test_timeout_expires(mod, pair, bigfile, method):
    """The peer reads nothing: with a small timeout the call times out,
    and the file is left after the bytes that did go out."""
    path, _, size = bigfile
    pair[0].settimeout(0.05)
    with open(path, "rb") as f:
        start = time.monotonic()
        with pytest.raises(mod.timeout) as info:
            getattr(pair[0], method)(f)
        assert time.monotonic() - start < 20
        assert isinstance(info.value, TimeoutError)
        assert str(info.value) == "timed out"
        assert 0 < f.tell() < size


@pytest.mark.parametrize("method", METHODS)
def test_timeout_not_triggered(tcp_pair, datafile, method):
    path, data = datafile
    tcp_pair[0].settimeout(JOIN_TIMEOUT)
    with open(path, "rb") as f:
        sent, got = send_and_receive(tcp_pair[0], tcp_pair[1], method, f)
        assert (sent, got) == (len(data), data)


@pytest.mark.parametrize("method", ["_sendfile_use_sendfile",
                                    "_sendfile_use_send"])
def test_peer_closes_half_way(pair, bigfile, method):
    """An error after something was sent is raised (not a giveup), and
    the file position covers what went out."""
    path, _, _ = bigfile

    def close_later():
        time.sleep(0.2)
        pair[1].close()
    t = threading.Thread(target=close_later)
    t.start()
    with open(path, "rb") as f:
        with pytest.raises(OSError) as info:
            getattr(pair[0], method)(f)
        t.join(JOIN_TIMEOUT)
        assert type(info.value) in (BrokenPipeError, ConnectionResetError)
        assert f.tell() > 0
        if method == "_sendfile_use_sendfile":
            assert info.value.__suppress_context__


# --------------------------------------------------------------------
# Subclasses call the Python-level methods, as the stdlib does


def test_subclass_methods_are_called(mod, no_fd_leak):
    calls = []

    class Sub(mod.socket):
        def fileno(self):
            calls.append("fileno")
            return super().fileno()

        def gettimeout(self):
            calls.append("gettimeout")
            return super().gettimeout()

        def send(self, data, flags=0):
            calls.append(("send", type(data).__name__, len(data)))
            return super().send(bytes(data)[:5])

        def _check_sendfile_params(self, *a):
            calls.append("check")
            return super()._check_sendfile_params(*a)

        def _sendfile_use_send(self, *a):
            calls.append(("use_send", a[1:]))
            return super()._sendfile_use_send(*a)

        def _sendfile_use_sendfile(self, *a):
            calls.append(("use_sendfile", a[1:]))
            return super()._sendfile_use_sendfile(*a)
    a, b = mod.socketpair()
    s = Sub(fileno=a.detach())
    with s, b:
        assert s.sendfile(io.BytesIO(b"0123456789abc")) == 13
        assert calls == [
            ("use_sendfile", (0, None)), "check", "fileno",
            ("use_send", (0, None)), "check", "gettimeout",
            ("send", "memoryview", 13), ("send", "memoryview", 8),
            ("send", "memoryview", 3)]
        assert b.recv(100) == b"0123456789abc"


def test_subclass_check_override(mod, datafile, no_fd_leak):
    # A subclass whose checks let count=0 through: "if count:" treats it
    # as no count.
    path, data = datafile

    class Sub(mod.socket):
        def _check_sendfile_params(self, *a):
            pass
    a, b = mod.socketpair()
    s = Sub(fileno=a.detach())
    with s, b, open(path, "rb") as f:
        sent, got = send_and_receive(s, b, "_sendfile_use_sendfile", f, 0, 0)
        assert (sent, got) == (len(data), data)


# --------------------------------------------------------------------
# Signals (PEP 475) and leaks


def test_signal_handler_exception_interrupts(mod, pair, bigfile):
    """A handler's exception ends a blocked transfer."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals need the main thread")
    path, _, _ = bigfile

    def handler(signum, frame):
        raise ZeroDivisionError("from handler")
    old = signal.signal(signal.SIGALRM, handler)
    try:
        with open(path, "rb") as f:
            for method in METHODS:
                f.seek(0)
                signal.setitimer(signal.ITIMER_REAL, 0.2)
                with pytest.raises(ZeroDivisionError):
                    getattr(pair[0], method)(f)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def test_signal_without_exception_retries(mod, pair, bigfile):
    """Handlers that return let the transfer go on to the end."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals need the main thread")
    path, digest, size = bigfile
    hits = []
    old = signal.signal(signal.SIGALRM, lambda *a: hits.append(1))
    try:
        with open(path, "rb") as f:
            rx = Receiver(pair[1], keep=False)
            signal.setitimer(signal.ITIMER_REAL, 0.01, 0.01)
            time.sleep(0.05)
            sent = pair[0]._sendfile_use_sendfile(f)
            signal.setitimer(signal.ITIMER_REAL, 0)
            pair[0].shutdown(1)
            rx.result()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    assert (sent, rx.size, rx.hash.hexdigest()) == (size, size, digest)
    assert hits


def test_no_fd_or_memory_leak_in_loops(csocket, tmp_path):
    """Every path, success and failure, many times in a child: the fd
    count stays put and memory does not grow."""
    path = tmp_path / "f.bin"
    path.write_bytes(os.urandom(50000))
    proc = run_python("""
        import csocket, io, os, tracemalloc
        path = %r
        def once():
            a, b = csocket.socketpair()
            with a, b:
                b.setblocking(False)
                with open(path, "rb") as f:
                    a.sendfile(f, 10, 1000)
                    a._sendfile_use_send(f, 5, 1000)
                    a.sendfile(io.BytesIO(b"x" * 3000))
                    for bad in ("2", 0):
                        try:
                            a.sendfile(f, count=bad)
                        except (TypeError, ValueError):
                            pass
                    try:
                        a._sendfile_use_sendfile(io.BytesIO())
                    except csocket._GiveupOnSendfile:
                        pass
                    try:
                        a.sendfile(f, -1)
                    except OSError:
                        pass
                    try:
                        a.sendfile()
                    except TypeError:
                        pass
                try:
                    while b.recv(65536):
                        pass
                except BlockingIOError:
                    pass
        def fds():
            return len(os.listdir("/proc/self/fd"))
        for _ in range(50):
            once()
        tracemalloc.start()
        n0 = fds()
        m0 = tracemalloc.get_traced_memory()[0]
        for _ in range(2000):
            once()
        m1 = tracemalloc.get_traced_memory()[0]
        assert fds() == n0, (n0, fds())
        assert m1 - m0 < 200000, m1 - m0
        print("ok")
    """ % str(path))
    assert proc.stdout.strip() == "ok"
