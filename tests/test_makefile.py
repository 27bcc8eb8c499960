"""socket.makefile() and SocketIO, run against the stdlib and csocket.

The stdlib is the oracle: each test runs once per module (the `mod`
fixture of conftest.py), so a difference shows which side is wrong.
Every wait is bounded: sockets get a timeout, threads a join timeout.
"""
import contextlib
import errno
import gc
import hashlib
import io
import os
import socket as std_socket
import sys
import threading

import pytest

from conftest import timed_pair

WAIT = 10.0   # the longest any single operation may block


def _pair(mod, timeout=WAIT):
    return timed_pair(mod, timeout)


@pytest.fixture
def pair(timed_socketpair):
    return timed_socketpair


def _fd_is_open(fd):
    try:
        os.fstat(fd)
    except OSError as e:
        assert e.errno == errno.EBADF
        return False
    return True


# ---- reading and writing ----------------------------------------------

def test_binary_readline_many_lines(pair):
    a, b = pair
    lines = [b"line %d %s\n" % (i, b"x" * (i % 97)) for i in range(2000)]
    data = b"".join(lines)
    t = threading.Thread(target=b.sendall, args=(data,))
    t.start()
    with a.makefile("rb") as f:
        got = [f.readline() for _ in lines]
    t.join(WAIT)
    assert not t.is_alive()
    assert got == lines


def test_binary_iteration_until_eof(pair):
    a, b = pair
    b.sendall(b"one\ntwo\nthree")
    b.shutdown(std_socket.SHUT_WR)
    with a.makefile("rb") as f:
        assert list(f) == [b"one\n", b"two\n", b"three"]
        assert f.readline() == b""


def test_text_mode(pair):
    a, b = pair
    b.sendall("héllo\nwörld\r\nlast".encode("utf-8"))
    b.shutdown(std_socket.SHUT_WR)
    with a.makefile("r", encoding="utf-8") as f:
        assert isinstance(f, io.TextIOWrapper)
        assert f.readline() == "héllo\n"
        assert f.readline() == "wörld\n"      # universal newlines
        assert f.read() == "last"


def test_text_mode_encoding_errors_newline(pair):
    a, b = pair
    b.sendall(b"a\xffb\r\nc")
    b.shutdown(std_socket.SHUT_WR)
    with a.makefile("r", encoding="ascii", errors="replace",
                    newline="") as f:
        assert f.encoding == "ascii"
        assert f.errors == "replace"
        assert f.readline() == "a\ufffdb\r\n"
        assert f.read() == "c"


def test_text_write(pair):
    a, b = pair
    with a.makefile("w", encoding="utf-8") as f:
        f.write("grüße\n")
        f.flush()
    assert b.recv(100) == "grüße\n".encode("utf-8")


def test_read_n_and_readinto(pair):
    a, b = pair
    b.sendall(b"0123456789abcdef")
    b.shutdown(std_socket.SHUT_WR)
    with a.makefile("rb") as f:
        assert f.read(4) == b"0123"
        buf = bytearray(6)
        assert f.readinto(buf) == 6
        assert buf == b"456789"
        assert f.read() == b"abcdef"
        assert f.read(3) == b""


def test_write_and_flush(pair):
    a, b = pair
    with a.makefile("wb") as f:
        assert isinstance(f, io.BufferedWriter)
        assert f.write(b"hello ") == 6
        assert f.write(bytearray(b"world")) == 5
        f.flush()
        assert b.recv(100) == b"hello world"
        f.write(b"!")
    assert b.recv(100) == b"!"      # close() flushed


def test_rwb(pair):
    a, b = pair
    with a.makefile("rwb") as f:
        assert isinstance(f, io.BufferedRWPair)
        f.write(b"ping\n")
        f.flush()
        assert b.recv(100) == b"ping\n"
        b.sendall(b"pong\n")
        assert f.readline() == b"pong\n"


def test_rw_text(pair):
    a, b = pair
    with a.makefile("rw", encoding="ascii") as f:
        assert f.mode == "rw"
        assert isinstance(f.buffer, io.BufferedRWPair)
        f.write("q\n")
        f.flush()
        assert b.recv(10) == b"q\n"
        b.sendall(b"r\n")
        assert f.readline() == "r\n"


def test_unbuffered_rb(mod, pair):
    a, b = pair
    f = a.makefile("rb", buffering=0)
    try:
        assert isinstance(f, mod.SocketIO)
        b.sendall(b"abc")
        # A raw read returns what one recv gives, not len(n).
        assert f.read(100) == b"abc"
        b.sendall(b"defgh")
        buf = bytearray(3)
        assert f.readinto(buf) == 3
        assert buf == b"def"
        assert f.read(10) == b"gh"
    finally:
        f.close()


def test_unbuffered_write(mod, pair):
    a, b = pair
    with a.makefile("wb", 0) as f:
        assert isinstance(f, mod.SocketIO)
        assert f.write(b"xyz") == 3
        assert f.write(memoryview(b"12345")[1:3]) == 2
    assert b.recv(100) == b"xyz23"


def test_readinto_zero_length(pair):
    # recv_into() of an empty buffer returns 0 at once, data or not.
    a, b = pair
    a.settimeout(2.0)
    with a.makefile("rb", 0) as f:
        assert f.readinto(bytearray()) == 0


def test_raw_readall_readlines_from_base(mod, pair):
    a, b = pair
    b.sendall(b"x\ny\nz")
    b.shutdown(std_socket.SHUT_WR)
    with mod.SocketIO(a, "rb") as raw:
        assert raw.readline() == b"x\n"
        assert raw.readlines() == [b"y\n", b"z"]
    a2, b2 = _pair(mod)
    try:
        b2.sendall(b"all of it")
        b2.close()
        with mod.SocketIO(a2, "r") as raw:
            assert raw.readall() == b"all of it"
    finally:
        a2.close()


def test_peer_close_eof(mod):
    srv = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    srv.settimeout(WAIT)
    try:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        cli = mod.create_connection(srv.getsockname(), timeout=WAIT)
        conn, _ = srv.accept()
        conn.settimeout(WAIT)
        with cli, conn:
            f = cli.makefile("rb")
            conn.sendall(b"last words\n")
            conn.close()
            assert f.readline() == b"last words\n"
            assert f.readline() == b""
            assert f.read() == b""
            f.close()
    finally:
        srv.close()


# ---- errors --------------------------------------------------------------

@pytest.mark.parametrize("mode", ["x", "rt", "r+", "a", "rbx", "U"])
def test_invalid_mode(pair, mode):
    a, b = pair
    with pytest.raises(ValueError) as exc:
        a.makefile(mode)
    assert str(exc.value) == \
        "invalid mode %r (only r, w, b allowed)" % (mode,)
    assert a._io_refs == 0


def test_invalid_mode_types(pair):
    a, b = pair
    with pytest.raises(ValueError) as exc:
        a.makefile(b"r")
    assert str(exc.value) == "invalid mode b'r' (only r, w, b allowed)"
    with pytest.raises(TypeError):
        a.makefile(5)
    with pytest.raises(TypeError):
        a.makefile(None)


def test_mode_as_iterable(pair):
    # The stdlib only asks set(mode) <= {'r', 'w', 'b'} and `'w' in mode`.
    a, b = pair
    with a.makefile(["r", "b"]) as f:
        assert isinstance(f, io.BufferedReader)


def test_empty_mode_reads_text(pair):
    a, b = pair
    with a.makefile("") as f:
        assert isinstance(f, io.TextIOWrapper)
        assert f.mode == ""
        assert f.buffer.raw.mode == "rb"


def test_unbuffered_text_refused(pair):
    a, b = pair
    with pytest.raises(ValueError) as exc:
        a.makefile("r", 0)
    assert str(exc.value) == "unbuffered streams must be binary"
    with pytest.raises(ValueError):
        a.makefile("w", buffering=0)
    # The stdlib's half-made raw object lives on in the traceback's frame
    # until the exception goes.
    del exc
    gc.collect()
    assert a._io_refs == 0


def test_bad_buffering(pair):
    a, b = pair
    with pytest.raises(TypeError):
        a.makefile("rb", "x")
    with pytest.raises(TypeError):
        a.makefile("rb", 1.5)
    gc.collect()
    assert a._io_refs == 0


def test_buffering_values(pair):
    a, b = pair
    for buffering in (None, -1, -100, 1, 10, 65536):
        with a.makefile("rb", buffering) as f:
            assert isinstance(f, io.BufferedReader)
    b.sendall(b"abc\n")
    with a.makefile("rb", buffering=1) as f:
        assert f.readline() == b"abc\n"


def test_makefile_argument_errors(pair):
    a, b = pair
    with pytest.raises(TypeError):
        a.makefile("r", None, "utf-8")      # encoding is keyword-only
    with pytest.raises(TypeError):
        a.makefile(bogus=1)
    with pytest.raises(TypeError):
        a.makefile("r", mode="r")
    with pytest.raises(TypeError):
        a.makefile("r", encoding=5)
    gc.collect()
    assert a._io_refs == 0


def test_makefile_keywords(pair):
    a, b = pair
    with a.makefile(mode="rb", buffering=16) as f:
        assert isinstance(f, io.BufferedReader)
    with a.makefile(buffering=-1, mode="w", encoding="latin-1",
                    errors="strict", newline="\r\n") as f:
        f.write("a\n")
    assert b.recv(10) == b"a\r\n"


# ---- SocketIO itself --------------------------------------------------

def test_socketio_modes(mod, pair):
    a, b = pair
    for given, stored, r, w in [("r", "rb", True, False),
                                ("rb", "rb", True, False),
                                ("w", "wb", False, True),
                                ("wb", "wb", False, True),
                                ("rw", "rwb", True, True),
                                ("rwb", "rwb", True, True)]:
        raw = mod.SocketIO(a, given)
        assert raw.mode == stored
        assert raw.readable() is r
        assert raw.writable() is w
        assert raw.seekable() is False
        raw.close()


@contextlib.contextmanager
def stdlib_init_noise():
    """The stdlib's half-made SocketIO (its __init__ failed) reports an
    AttributeError from io's finalizer (see test_failed_init_is_quiet);
    keep that out of pytest's unraisable-exception accounting."""
    old = sys.unraisablehook
    sys.unraisablehook = lambda unraisable: None
    try:
        yield
        gc.collect()
    finally:
        sys.unraisablehook = old


@pytest.mark.parametrize("mode", ["x", "", "br", "wr", "rbw", "R", b"r",
                                  None, 1])
def test_socketio_invalid_mode(mod, pair, mode):
    a, b = pair
    with stdlib_init_noise():
        with pytest.raises(ValueError) as exc:
            mod.SocketIO(a, mode)
        assert str(exc.value) == "invalid mode: %r" % (mode,)
        del exc


def test_socketio_arguments(mod, pair):
    a, b = pair
    with stdlib_init_noise():
        with pytest.raises(TypeError):
            mod.SocketIO(a)
        with pytest.raises(TypeError):
            mod.SocketIO()
        with pytest.raises(TypeError):
            mod.SocketIO(a, "rb", 1)
    raw = mod.SocketIO(sock=a, mode="wb")
    assert raw.mode == "wb"
    raw.close()


def test_socketio_is_raw_io(mod, pair):
    a, b = pair
    assert issubclass(mod.SocketIO, io.RawIOBase)
    assert issubclass(mod.SocketIO, io.IOBase)
    with a.makefile("rb") as f:
        assert isinstance(f.raw, io.RawIOBase)
        assert isinstance(f.raw, io.IOBase)
        assert isinstance(f.raw, mod.SocketIO)
        assert not isinstance(f.raw, io.BufferedIOBase)


def test_socketio_subclassable(mod, pair):
    a, b = pair

    class MyIO(mod.SocketIO):
        def readinto(self, b):
            self.calls = getattr(self, "calls", 0) + 1
            return super().readinto(b)

    b.sendall(b"data\n")
    raw = MyIO(a, "rb")
    with io.BufferedReader(raw) as f:
        assert f.readline() == b"data\n"
    assert raw.calls >= 1
    assert raw.closed


def test_socketio_attributes(pair):
    a, b = pair
    with a.makefile("rb") as f:
        raw = f.raw
        raw.anything = 42                # a per-instance __dict__
        assert raw.anything == 42
        assert raw._sock is a
        assert raw._reading is True
        assert raw._writing is False
        assert raw._timeout_occurred is False
    assert raw._sock is None


def test_private_attributes_are_plain(mod, pair):
    # The stdlib keeps _sock, _reading, ... as plain attributes; code
    # that swaps or pokes them gets the same behaviour.
    a, b = pair
    raw = mod.SocketIO(a, "rb")
    raw._sock = None
    with pytest.raises(AttributeError) as exc:
        raw.readinto(bytearray(2))
    assert "recv_into" in str(exc.value)
    raw._sock = a
    raw._reading = False
    with pytest.raises(io.UnsupportedOperation):
        raw.readinto(bytearray(2))
    raw._reading = True
    b.sendall(b"x")
    assert raw.read(1) == b"x"
    raw.close()


def test_repr_name_mode_fileno(mod, pair):
    a, b = pair
    fd = a.fileno()
    with a.makefile("rb") as f:
        assert repr(f) == "<_io.BufferedReader name=%d>" % fd
        assert f.name == fd
        assert f.mode == "rb"
        assert f.fileno() == fd
        assert f.raw.name == fd
        assert f.raw.fileno() == fd
        assert f.raw.mode == "rb"
        assert repr(f.raw).startswith("<%s.SocketIO object at 0x"
                                      % mod.__name__)
    with a.makefile("r", encoding="utf-8") as f:
        assert repr(f) == ("<_io.TextIOWrapper name=%d mode='r' "
                           "encoding='utf-8'>" % fd)
        assert f.mode == "r"
        assert f.buffer.mode == "rb"
    with a.makefile("wb") as f:
        assert f.mode == "wb"
        assert f.name == fd
    with a.makefile("rwb") as f:
        assert isinstance(f, io.BufferedRWPair)
        assert not hasattr(f, "name")       # BufferedRWPair has no name
    raw = mod.SocketIO(a, "rwb")
    raw.close()
    assert raw.name == -1
    assert raw.mode == "rwb"


def test_closed_raw_operations(mod, pair):
    a, b = pair
    raw = mod.SocketIO(a, "rwb")
    raw.close()
    assert raw.closed
    raw.close()                           # a second close is a no-op
    for call in (lambda: raw.readinto(bytearray(1)),
                 lambda: raw.write(b"x"),
                 lambda: raw.fileno(),
                 lambda: raw.read(),
                 lambda: raw.readline(),
                 lambda: raw.flush()):
        with pytest.raises(ValueError) as exc:
            call()
        assert str(exc.value) == "I/O operation on closed file."
    for call in (raw.readable, raw.writable, raw.seekable):
        with pytest.raises(ValueError) as exc:
            call()
        assert str(exc.value) == "I/O operation on closed socket."
    # The socket itself is untouched.
    assert a.fileno() >= 0
    a.sendall(b"still")
    assert b.recv(10) == b"still"


def test_closed_buffered_operations(pair):
    a, b = pair
    f = a.makefile("rb")
    f.close()
    assert f.closed and f.raw.closed
    with pytest.raises(ValueError):
        f.readline()
    with pytest.raises(ValueError):
        f.read(1)
    w = a.makefile("w", encoding="ascii")
    w.close()
    with pytest.raises(ValueError):
        w.write("x")


def test_io_close_called_directly(mod, pair):
    # io's own close() marks the object closed; SocketIO.close() then has
    # nothing left to do, so the socket keeps its reference.
    a, b = pair
    raw = mod.SocketIO(a, "rb")
    io.RawIOBase.close(raw)
    assert raw.closed
    with pytest.raises(ValueError):
        raw.readinto(bytearray(1))
    raw.close()
    assert raw._sock is a


def test_signature(mod):
    import inspect
    assert str(inspect.signature(mod.SocketIO)) == "(sock, mode)"


def test_wrong_direction(mod, pair):
    a, b = pair
    with mod.SocketIO(a, "wb") as raw:
        with pytest.raises(io.UnsupportedOperation) as exc:
            raw.readinto(bytearray(2))
        assert str(exc.value) == "File or stream is not readable."
    with mod.SocketIO(a, "rb") as raw:
        with pytest.raises(io.UnsupportedOperation) as exc:
            raw.write(b"x")
        assert str(exc.value) == "File or stream is not writable."
    with a.makefile("rb") as f:
        with pytest.raises(io.UnsupportedOperation):
            f.write(b"x")


def test_bad_buffer_types(mod, pair):
    a, b = pair
    with mod.SocketIO(a, "rwb") as raw:
        for bad in ("str", b"bytes", memoryview(b"ro"), None, 5):
            with pytest.raises(TypeError) as exc:
                raw.readinto(bad)
            assert str(exc.value) == (
                "recv_into() argument 1 must be read-write bytes-like "
                "object, not %s" % type(bad).__name__.replace(
                    "NoneType", "None"))
        for bad in ("str", None, 5):
            with pytest.raises(TypeError) as exc:
                raw.write(bad)
            assert str(exc.value) == (
                "a bytes-like object is required, not '%s'"
                % type(bad).__name__)


def test_uninitialized_socketio(mod):
    with stdlib_init_noise():
        raw = mod.SocketIO.__new__(mod.SocketIO)
        with pytest.raises(AttributeError):
            raw.readable()
        with pytest.raises(AttributeError):
            raw.readinto(bytearray(1))
        with pytest.raises(AttributeError):
            raw.fileno()
        del raw


def test_failed_init_is_quiet(csocket, pair):
    # Deliberate difference: the stdlib's close() of a never-initialised
    # SocketIO raises AttributeError, which io's finalizer reports as
    # "Exception ignored" after every SocketIO() given a bad mode.
    import sys
    seen = []
    old = sys.unraisablehook
    sys.unraisablehook = seen.append
    try:
        a, b = pair
        with pytest.raises(ValueError):
            csocket.SocketIO(a, "x")
        raw = csocket.SocketIO.__new__(csocket.SocketIO)
        assert raw.close() is None
        del raw
        gc.collect()
    finally:
        sys.unraisablehook = old
    assert seen == []


# ---- lifetime: the socket lives until its last file is closed ---------

def test_socket_usable_until_last_file_closed(pair, no_fd_leak):
    a, b = pair
    fd = a.fileno()
    f = a.makefile("rb")
    g = a.makefile("wb")
    assert a._io_refs == 2
    a.close()
    assert a._closed
    assert a.fileno() == -1 or a.fileno() == fd
    # The descriptor stays open for the files.
    b.sendall(b"after close\n")
    assert f.readline() == b"after close\n"
    g.write(b"reply")
    g.flush()
    assert b.recv(10) == b"reply"
    f.close()
    assert a._io_refs == 1
    assert _fd_is_open(fd)
    g.close()
    assert a._io_refs == 0
    assert not _fd_is_open(fd)
    assert a.fileno() == -1


def test_file_closed_first_leaves_socket_open(pair):
    a, b = pair
    f = a.makefile("rb")
    f.close()
    assert a._io_refs == 0
    assert a.fileno() >= 0
    a.sendall(b"ok")
    assert b.recv(10) == b"ok"


def test_forgotten_file_gives_back_its_reference(pair, no_fd_leak):
    a, b = pair
    fd = a.fileno()
    f = a.makefile("rb")
    assert a._io_refs == 1
    a.close()
    assert _fd_is_open(fd)
    del f
    gc.collect()
    assert a._io_refs == 0
    assert not _fd_is_open(fd)


def test_io_refs_counts_makefile_only(mod, pair):
    a, b = pair
    raw = mod.SocketIO(a, "rb")     # direct construction does not count
    assert a._io_refs == 0
    raw.close()
    assert a._io_refs == 0
    with a.makefile("rb"), a.makefile("wb", 0):
        assert a._io_refs == 2
    assert a._io_refs == 0


# ---- timeouts and non-blocking sockets --------------------------------

def test_timeout_then_timed_out_object(mod, pair):
    a, b = pair
    a.settimeout(0.05)
    f = a.makefile("rb")
    with pytest.raises(mod.timeout):
        f.readline()
    assert f.raw._timeout_occurred is True
    b.sendall(b"late\n")
    with pytest.raises(OSError) as exc:
        f.readline()
    assert type(exc.value) is OSError
    assert str(exc.value) == "cannot read from timed out object"
    assert exc.value.errno is None
    f.close()


def test_timeout_raw_and_write_still_works(mod, pair):
    a, b = pair
    a.settimeout(0.02)
    raw = mod.SocketIO(a, "rwb")
    with pytest.raises(mod.timeout):
        raw.readinto(bytearray(10))
    with pytest.raises(OSError) as exc:
        raw.readinto(bytearray(10))
    assert str(exc.value) == "cannot read from timed out object"
    assert raw.write(b"w") == 1       # only reading is poisoned
    assert b.recv(1) == b"w"
    raw._timeout_occurred = False      # the stdlib's flag is writable
    b.sendall(b"r")
    buf = bytearray(1)
    assert raw.readinto(buf) == 1 and buf == b"r"
    raw.close()


def test_nonblocking_read_returns_none(mod, pair):
    a, b = pair
    a.setblocking(False)
    raw = mod.SocketIO(a, "rb")
    assert raw.readinto(bytearray(5)) is None
    assert raw.read(5) is None
    assert raw.read() is None
    raw.close()
    with a.makefile("rb") as f:
        assert f.read(5) is None
        b.sendall(b"abc")
        for _ in range(100):
            got = f.read1(10)
            if got:
                break
            threading.Event().wait(0.01)
        assert got == b"abc"


def test_nonblocking_write_returns_none(mod, pair):
    a, b = pair
    a.setblocking(False)
    raw = mod.SocketIO(a, "wb")
    chunk = b"x" * 65536
    result = 0
    for _ in range(1000):            # the socket buffer fills long before
        result = raw.write(chunk)
        if result is None:
            break
    assert result is None
    raw.close()


def test_timeout_subclass_recv_into_raising(mod, pair):
    a, b = pair

    class Sock(mod.socket):
        def recv_into(self, buf, *args):
            raise TimeoutError("custom")

    s = Sock(a.family, a.type, 0, a.detach())
    try:
        raw = mod.SocketIO(s, "rb")
        with pytest.raises(TimeoutError):
            raw.readinto(bytearray(3))
        with pytest.raises(OSError) as exc:
            raw.readinto(bytearray(3))
        assert str(exc.value) == "cannot read from timed out object"
        raw.close()
    finally:
        s.close()


def test_subclass_blocking_error_returns_none(mod, pair):
    a, b = pair

    class Sock(mod.socket):
        def recv_into(self, buf, *args):
            raise OSError(errno.EAGAIN, "try again")

        def send(self, data, *args):
            raise OSError(errno.EWOULDBLOCK, "try again")

    s = Sock(a.family, a.type, 0, a.detach())
    try:
        raw = mod.SocketIO(s, "rwb")
        assert raw.readinto(bytearray(3)) is None
        assert raw.write(b"x") is None
        raw.close()
    finally:
        s.close()


def test_subclass_other_error_propagates(mod, pair):
    a, b = pair

    class Sock(mod.socket):
        def recv_into(self, buf, *args):
            raise ConnectionResetError(errno.ECONNRESET, "reset")

    s = Sock(a.family, a.type, 0, a.detach())
    try:
        raw = mod.SocketIO(s, "rb")
        with pytest.raises(ConnectionResetError):
            raw.readinto(bytearray(3))
        raw.close()
    finally:
        s.close()


def test_socket_subclass_overrides_are_used(mod, pair):
    a, b = pair
    calls = []

    class Sock(mod.socket):
        def recv_into(self, buf, *args):
            calls.append("recv_into")
            n = super().recv_into(buf, *args)
            buf[:n] = bytes(buf[:n]).upper()
            return n

        def send(self, data, *args):
            calls.append("send")
            return super().send(bytes(data).lower(), *args)

    s = Sock(a.family, a.type, 0, a.detach())
    try:
        s.settimeout(WAIT)
        b.sendall(b"hello\n")
        with s.makefile("rb") as f:
            assert f.readline() == b"HELLO\n"
        with s.makefile("wb") as f:
            f.write(b"QUIET")
        assert b.recv(10) == b"quiet"
        assert "recv_into" in calls and "send" in calls
    finally:
        s.close()


def test_duck_typed_socket(mod):
    """SocketIO accepts any object with recv_into/send/fileno."""

    class Fake:
        def __init__(self):
            self.sent = b""
            self.decref = 0

        def recv_into(self, buf):
            buf[:3] = b"abc"
            return 3

        def send(self, data):
            self.sent += bytes(data)
            return len(data)

        def fileno(self):
            return 99

        def _decref_socketios(self):
            self.decref += 1

    fake = Fake()
    raw = mod.SocketIO(fake, "rwb")
    assert raw.read(3) == b"abc"
    assert raw.write(b"xy") == 2 and fake.sent == b"xy"
    assert raw.fileno() == 99 and raw.name == 99
    raw.close()
    assert fake.decref == 1
    raw.close()
    assert fake.decref == 1


# ---- signals (PEP 475) ---------------------------------------------------

@pytest.fixture
def alarm():
    """signal.setitimer(ITIMER_REAL, ...) with a handler, undone after."""
    import signal
    if not hasattr(signal, "setitimer"):
        pytest.skip("no setitimer")
    old = signal.getsignal(signal.SIGALRM)

    def arm(handler, delay):
        signal.signal(signal.SIGALRM, handler)
        signal.setitimer(signal.ITIMER_REAL, delay)

    yield arm
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, old)


def test_signal_during_readline_is_retried(pair, alarm):
    a, b = pair
    calls = []
    alarm(lambda *args: calls.append(1), 0.05)
    timer = threading.Timer(0.3, b.sendall, args=(b"late line\n",))
    timer.start()
    try:
        with a.makefile("rb") as f:
            assert f.readline() == b"late line\n"
    finally:
        timer.join(WAIT)
    assert calls == [1]


def test_signal_handler_exception_propagates(pair, alarm):
    a, b = pair

    def handler(*args):
        raise ZeroDivisionError("from the handler")

    alarm(handler, 0.05)
    with a.makefile("rb") as f:
        with pytest.raises(ZeroDivisionError):
            f.readline()
        # Not a timeout: the object stays usable.
        assert f.raw._timeout_occurred is False
        b.sendall(b"after\n")
        assert f.readline() == b"after\n"


# ---- a large transfer -------------------------------------------------

def test_large_transfer_through_makefile(mod, pair, no_fd_leak):
    a, b = pair
    size = 10 * 1024 * 1024
    block = hashlib.sha256(b"seed").digest() * 2048     # 64 KiB
    sent = hashlib.sha256()
    errors = []

    def writer():
        try:
            with b.makefile("wb") as w:
                left = size
                i = 0
                while left:
                    chunk = block[i % 61:] + block[:i % 61]
                    chunk = chunk[:min(left, len(chunk))]
                    w.write(chunk)
                    sent.update(chunk)
                    left -= len(chunk)
                    i += 1
            b.shutdown(std_socket.SHUT_WR)
        except Exception as e:      # pragma: no cover - reported below
            errors.append(e)

    t = threading.Thread(target=writer)
    t.start()
    got = hashlib.sha256()
    total = 0
    with a.makefile("rb") as f:
        while True:
            data = f.read(50000)
            if not data:
                break
            got.update(data)
            total += len(data)
    t.join(WAIT)
    assert not t.is_alive()
    assert not errors
    assert total == size
    assert got.digest() == sent.digest()


def test_large_transfer_readline(mod, pair):
    a, b = pair
    lines = [(b"%07d " % i) + b"y" * (i % 200) + b"\n" for i in range(40000)]
    data = b"".join(lines)
    t = threading.Thread(target=b.sendall, args=(data,))
    t.start()
    count = 0
    digest = hashlib.sha256()
    with a.makefile("rb") as f:
        for _ in lines:
            line = f.readline()
            digest.update(line)
            count += 1
    t.join(WAIT)
    assert not t.is_alive()
    assert count == len(lines)
    assert digest.digest() == hashlib.sha256(data).digest()


# ---- leaks, in a fresh interpreter --------------------------------------

LEAK_SNIPPET = """
import gc, io, os, sys, tracemalloc
import {mod} as m

a, b = m.socketpair()
a.settimeout(5)
b.settimeout(5)

def cycle():
    f = a.makefile("rb")
    f.raw.me = f                       # a cycle through the __dict__
    t = a.makefile("r", encoding="utf-8")
    r = a.makefile("rwb", 0)
    r.write(b"x")
    b.recv(1)
    b.sendall(b"line\\n")
    assert f.readline() == b"line\\n"
    for bad in (("r", 0), ("q",), (5,)):
        try:
            a.makefile(*bad)
        except (ValueError, TypeError):
            pass
    s = m.SocketIO(a, "rb")
    s.close()
    c, d = m.socketpair()
    g = c.makefile("rb")
    c.close()                          # the file keeps c's descriptor
    g.close()
    d.close()
    t.close()

for _ in range(300):
    cycle()
gc.collect()
fds = len(os.listdir("/proc/self/fd"))
tracemalloc.start()
# Caches and free lists fill up over the first thousands of rounds (their
# plateau differs between interpreters): measure past it.
for _ in range(3000):
    cycle()
gc.collect()
before = tracemalloc.get_traced_memory()[0]
for _ in range(3000):
    cycle()
gc.collect()
after = tracemalloc.get_traced_memory()[0]
assert a._io_refs == 0, a._io_refs
assert len(os.listdir("/proc/self/fd")) == fds
print(after - before)
"""


def test_no_leaks(mod, run_snippet):
    proc = run_snippet(LEAK_SNIPPET.format(mod=mod.__name__))
    growth = int(proc.stdout.split()[-1])
    # 3000 rounds; a leak of even one small object a round shows.
    assert growth < 50000, growth


def test_exit_with_open_files(mod, run_snippet):
    proc = run_snippet("""
        import {mod} as m
        a, b = m.socketpair()
        f = a.makefile("rwb")
        g = a.makefile("r")
        g.me = g
        raw = m.SocketIO(a, "rb")
        raw.me = raw
        a.close()
        print("ok")
    """.format(mod=mod.__name__))
    assert proc.stdout.strip() == "ok"
