"""sendmsg()/recvmsg()/recvmsg_into() with ancillary data, sendmsg_afalg()
and send_fds()/recv_fds(), against the stdlib (the ``mod`` fixture).

Loopback and AF_UNIX only.  Every socket is non-blocking or has a short
timeout, so that a wrong result fails instead of hanging.
"""

import array
import errno
import gc
import os
import socket as stdlib_socket
import sys

import pytest

from conftest import fd_count, open_fds

SIZEOF_INT = array.array("i").itemsize
MSG = b"Hello, ancillary world"


@pytest.fixture
def pair(mod):
    a, b = mod.socketpair()
    a.settimeout(5)
    b.settimeout(5)
    yield a, b
    a.close()
    b.close()


@pytest.fixture
def udp(mod):
    r = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    r.bind(("127.0.0.1", 0))
    r.settimeout(5)
    s.settimeout(5)
    yield s, r
    s.close()
    r.close()


def new_fds(n):
    """n fresh descriptors (pipe ends), closed by the caller."""
    fds = []
    while len(fds) < n:
        fds.extend(os.pipe())
    for fd in fds[n:]:
        os.close(fd)
    return fds[:n]


def close_all(fds):
    for fd in fds:
        os.close(fd)


def fds_of(ancdata, mod):
    fds = array.array("i")
    for level, typ, data in ancdata:
        assert level == mod.SOL_SOCKET and typ == mod.SCM_RIGHTS
        fds.frombytes(data[:len(data) - len(data) % SIZEOF_INT])
    return list(fds)


# ---------------------------------------------------------------------
# Plain data


def test_sendmsg_recvmsg_basic(pair):
    a, b = pair
    assert a.sendmsg([MSG]) == len(MSG)
    data, anc, flags, addr = b.recvmsg(1024)
    assert (data, anc, flags, addr) == (MSG, [], 0, None)
    assert type(flags) is int


def test_gather_many_buffer_types(pair):
    a, b = pair
    bufs = [b"ab", bytearray(b"cd"), memoryview(b"xefx")[1:3],
            array.array("b", [ord("g")]), b""]
    assert a.sendmsg(bufs) == 7
    assert a.sendmsg(iter([b"h", b"i"])) == 2
    assert a.sendmsg((b"j",), [], 0) == 1
    assert a.sendmsg([b"k"], (), 0, None) == 1
    assert b.recvmsg(100)[0] == b"abcdefghijk"


def test_empty_buffers(pair):
    a, b = pair
    assert a.sendmsg([]) == 0
    assert a.sendmsg([], []) == 0
    a.sendall(b"z")
    # With data waiting, empty receives return at once without using it.
    assert b.recvmsg_into([]) == (0, [], 0, None)
    assert b.recvmsg(0) == (b"", [], 0, None)
    assert b.recvmsg(10)[0] == b"z"


def test_recvmsg_into_scatter(pair):
    a, b = pair
    a.sendall(b"0123456789")
    b1, b2 = bytearray(3), bytearray(4)
    m = memoryview(bytearray(10))
    n, anc, flags, addr = b.recvmsg_into([b1, b2, m[2:5]])
    assert (n, anc, flags, addr) == (10, [], 0, None)
    assert bytes(b1) == b"012" and bytes(b2) == b"3456"
    assert bytes(m[2:5]) == b"789"


def test_recvmsg_short_and_peek(pair, mod):
    a, b = pair
    a.sendall(b"abcdef")
    assert b.recvmsg(3, 0, mod.MSG_PEEK)[0] == b"abc"
    assert b.recvmsg(3)[0] == b"abc"
    assert b.recvmsg(100)[0] == b"def"


def test_udp_address(udp, mod):
    s, r = udp
    assert s.sendmsg([b"dat", b"a"], [], 0, r.getsockname()) == 4
    data, anc, flags, addr = r.recvmsg(100)
    assert (data, anc, flags) == (b"data", [], 0)
    assert addr == ("127.0.0.1", s.getsockname()[1])
    # Datagram truncation is reported in msg_flags.
    s.sendto(b"0123456789", r.getsockname())
    data, anc, flags, addr = r.recvmsg(4)
    assert data == b"0123" and flags & mod.MSG_TRUNC
    s.sendto(b"xyz", r.getsockname())
    buf = bytearray(8)
    n, anc, flags, addr = r.recvmsg_into([buf])
    assert (n, bytes(buf[:n]), addr) == (3, b"xyz",
                                         ("127.0.0.1", s.getsockname()[1]))


@pytest.mark.skipif(not stdlib_socket.has_ipv6, reason="no IPv6")
def test_udp6_address(mod):
    try:
        r = mod.socket(mod.AF_INET6, mod.SOCK_DGRAM)
        r.bind(("::1", 0))
    except OSError:
        pytest.skip("no ::1")
    s = mod.socket(mod.AF_INET6, mod.SOCK_DGRAM)
    with r, s:
        r.settimeout(5)
        s.sendmsg([b"six"], [], 0, r.getsockname()[:2])
        data, anc, flags, addr = r.recvmsg(10)
        assert data == b"six"
        assert addr == ("::1", s.getsockname()[1], 0, 0)


def test_unix_dgram_named_sender(mod, tmp_path):
    r = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
    s = mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM)
    with r, s:
        r.bind(str(tmp_path / "r"))
        s.bind(str(tmp_path / "s"))
        r.settimeout(5)
        s.sendmsg([b"u"], [], 0, str(tmp_path / "r"))
        assert r.recvmsg(10) == (b"u", [], 0, str(tmp_path / "s"))


# ---------------------------------------------------------------------
# Descriptor passing


def test_scm_rights_roundtrip(pair, mod, no_fd_leak):
    a, b = pair
    fds = new_fds(3)
    try:
        anc = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", fds))]
        assert a.sendmsg([MSG], anc) == len(MSG)
        data, anc, flags, addr = b.recvmsg(100, mod.CMSG_SPACE(
            3 * SIZEOF_INT))
        assert data == MSG and flags == 0 and addr is None
        got = fds_of(anc, mod)
        assert len(got) == 3
        for mine, theirs in zip(fds, got):
            assert os.path.sameopenfile(mine, theirs)
        close_all(got)
    finally:
        close_all(fds)


def test_scm_rights_separate_items(pair, mod, no_fd_leak):
    a, b = pair
    fds = new_fds(2)
    try:
        anc = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [fds[0]])),
               (mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", [fds[1]]))]
        a.sendmsg([MSG], anc)
        buf = bytearray(100)
        n, anc, flags, addr = b.recvmsg_into([buf], 1024)
        assert n == len(MSG)
        got = fds_of(anc, mod)
        assert len(got) == 2
        close_all(got)
    finally:
        close_all(fds)


@pytest.mark.parametrize("ancbuf", [
    0, 1, 2 * SIZEOF_INT, "LEN0-1", "LEN0", "LEN0+1", "LEN1", "LEN2-1"])
def test_scm_rights_truncated(pair, mod, no_fd_leak, ancbuf):
    """Descriptors that do not fit are closed by the kernel; those that
    fit are returned; nothing leaks either way."""
    sizes = {"LEN0-1": mod.CMSG_LEN(0) - 1, "LEN0": mod.CMSG_LEN(0),
             "LEN0+1": mod.CMSG_LEN(0) + 1,
             "LEN1": mod.CMSG_LEN(SIZEOF_INT),
             "LEN2-1": mod.CMSG_LEN(2 * SIZEOF_INT) - 1}
    ancbuf = sizes.get(ancbuf, ancbuf)
    a, b = pair
    fds = new_fds(2)
    try:
        a.sendmsg([MSG], [(mod.SOL_SOCKET, mod.SCM_RIGHTS,
                           array.array("i", fds))])
        data, anc, flags, addr = b.recvmsg(len(MSG), ancbuf)
        assert data == MSG
        if ancbuf:
            assert flags & mod.MSG_CTRUNC
        assert len(anc) <= 1
        got = fds_of(anc, mod)
        assert len(got) <= max(0, ancbuf - mod.CMSG_LEN(0)) // SIZEOF_INT
        for fd in got:
            os.fstat(fd)
        close_all(got)
    finally:
        close_all(fds)


def test_scm_rights_partial_int(pair, mod):
    a, b = pair
    a.sendmsg([MSG], [(mod.SOL_SOCKET, mod.SCM_RIGHTS, b"\0\0\0")])
    data, anc, flags, addr = b.recvmsg(100, 1024)
    assert data == MSG
    for level, typ, cdata in anc:
        assert len(cdata) < SIZEOF_INT


def test_invalid_ancillary_level(pair, mod):
    a, b = pair
    with pytest.raises(OSError) as info:
        a.sendmsg([MSG], [(mod.SOL_SOCKET, 12345, b"x")])
    assert info.value.errno == errno.EINVAL


def test_send_recv_fds(pair, mod, no_fd_leak):
    a, b = pair
    fds = new_fds(4)
    try:
        assert mod.send_fds(a, [MSG], fds) == len(MSG)
        msg, got, flags, addr = mod.recv_fds(b, 100, 10)
        assert (msg, flags, addr) == (MSG, 0, None)
        assert len(got) == 4 and all(type(x) is int for x in got)
        close_all(got)
        # Fewer slots than descriptors: the rest are closed for us.
        mod.send_fds(a, [MSG], fds)
        msg, got, flags, addr = mod.recv_fds(b, 100, 1)
        assert len(got) == 1 and flags & mod.MSG_CTRUNC
        close_all(got)
        mod.send_fds(a, [MSG], fds)
        msg, got, flags, addr = mod.recv_fds(b, 100, 0)
        assert got == []
        # Keywords, and the flags/address the stdlib ignores.
        mod.send_fds(sock=a, buffers=[MSG], fds=fds[:1], flags=0,
                     address=None)
        msg, got, flags, addr = mod.recv_fds(sock=b, bufsize=100, maxfds=2,
                                             flags=0)
        assert len(got) == 1
        close_all(got)
        mod.send_fds(a, [b"x"], [], None, "ignored")
        assert mod.recv_fds(b, 100, 1, None)[:2] == (b"x", [])
        # array('i', ...) accepts bytes as raw ints.
        mod.send_fds(a, [b"y"], array.array("i", fds[:1]).tobytes())
        msg, got, flags, addr = mod.recv_fds(b, 100, 1)
        assert len(got) == 1
        close_all(got)
    finally:
        close_all(fds)


def test_send_recv_fds_through_methods(pair, mod, no_fd_leak):
    """Anything with sendmsg/recvmsg methods works, and a subclass's
    overrides are used."""
    a, b = pair
    calls = []

    class Wrapper:
        def __init__(self, sock):
            self.sock = sock

        def sendmsg(self, *args):
            calls.append(("sendmsg", len(args)))
            return self.sock.sendmsg(*args)

        def recvmsg(self, *args):
            calls.append(("recvmsg", args))
            return self.sock.recvmsg(*args)

    fds = new_fds(1)
    try:
        assert mod.send_fds(Wrapper(a), [MSG], fds) == len(MSG)
        msg, got, flags, addr = mod.recv_fds(Wrapper(b), 100, 3)
        assert msg == MSG and len(got) == 1
        close_all(got)
        assert calls == [("sendmsg", 2),
                         ("recvmsg", (100, mod.CMSG_LEN(3 * SIZEOF_INT)))]
    finally:
        close_all(fds)

    class Sub(mod.socket):
        def recvmsg(self, *args):
            calls.append("sub")
            return (b"fake", [(mod.SOL_SOCKET, mod.SCM_RIGHTS,
                               array.array("i", [7, 8]).tobytes() + b"\0"),
                              (1234, mod.SCM_RIGHTS, b"\1\0\0\0")], 5, "ad")

    with Sub(mod.AF_UNIX, mod.SOCK_STREAM) as s:
        assert mod.recv_fds(s, 1, 1) == (b"fake", [7, 8], 5, "ad")


@pytest.mark.parametrize("call, exc, text", [
    (lambda m, s: m.send_fds(), TypeError,
     "send_fds() missing 3 required positional arguments: 'sock', "
     "'buffers', and 'fds'"),
    (lambda m, s: m.send_fds(s), TypeError,
     "send_fds() missing 2 required positional arguments: 'buffers' and "
     "'fds'"),
    (lambda m, s: m.send_fds(s, []), TypeError,
     "send_fds() missing 1 required positional argument: 'fds'"),
    (lambda m, s: m.send_fds(s, [], [], 0, None, 1), TypeError,
     "send_fds() takes from 3 to 5 positional arguments but 6 were given"),
    (lambda m, s: m.send_fds(s, [], [], x=1), TypeError,
     "send_fds() got an unexpected keyword argument 'x'"),
    (lambda m, s: m.send_fds(s, [], [], sock=1), TypeError,
     "send_fds() got multiple values for argument 'sock'"),
    (lambda m, s: m.send_fds(s, [b"x"], 5), TypeError,
     "'int' object is not iterable"),
    (lambda m, s: m.send_fds(s, [b"x"], [1.0]), TypeError,
     "'float' object cannot be interpreted as an integer"),
    (lambda m, s: m.send_fds(s, [b"x"], [2 ** 40]), OverflowError,
     "signed integer is greater than maximum"),
    (lambda m, s: m.send_fds(s, [b"x"], "ab"), TypeError,
     "cannot use a str to initialize an array with typecode 'i'"),
    (lambda m, s: m.send_fds(5, [b"x"], [0]), AttributeError,
     "'int' object has no attribute 'sendmsg'"),
    (lambda m, s: m.send_fds(5, [b"x"], "ab"), AttributeError,
     "'int' object has no attribute 'sendmsg'"),
    (lambda m, s: m.recv_fds(), TypeError,
     "recv_fds() missing 3 required positional arguments: 'sock', "
     "'bufsize', and 'maxfds'"),
    (lambda m, s: m.recv_fds(s, 1, 1, 0, 0), TypeError,
     "recv_fds() takes from 3 to 4 positional arguments but 5 were given"),
    (lambda m, s: m.recv_fds(s, 1, -1), OverflowError,
     "CMSG_LEN() argument out of range"),
    (lambda m, s: m.recv_fds(s, 1, 2 ** 62), OverflowError,
     "Python int too large to convert to C ssize_t"),
    (lambda m, s: m.recv_fds(s, 1, 1.0), TypeError,
     "'float' object cannot be interpreted as an integer"),
    (lambda m, s: m.recv_fds(s, 1, "x"), TypeError,
     "'str' object cannot be interpreted as an integer"),
    (lambda m, s: m.recv_fds(s, -1, 1), ValueError,
     "negative buffer size in recvmsg()"),
    (lambda m, s: m.recv_fds(s, "1", 1), TypeError,
     "'str' object cannot be interpreted as an integer"),
    (lambda m, s: m.recv_fds(5, 1, 1), AttributeError,
     "'int' object has no attribute 'recvmsg'"),
])
def test_fds_function_errors(pair, mod, call, exc, text):
    a, b = pair
    with pytest.raises(exc) as info:
        call(mod, a)
    assert str(info.value) == text


# ---------------------------------------------------------------------
# Argument errors


class Boom:
    def __index__(self):
        raise ZeroDivisionError("boom")


SENDMSG_ERRORS = [
    ((), TypeError, "sendmsg() takes at least 1 argument (0 given)"),
    (([b"x"], [], 0, None, 5), TypeError,
     "sendmsg() takes at most 4 arguments (5 given)"),
    ((1,), TypeError, "sendmsg() argument 1 must be an iterable"),
    (([1],), TypeError, "a bytes-like object is required, not 'int'"),
    ((["x"],), TypeError, "a bytes-like object is required, not 'str'"),
    (("abc",), TypeError, "a bytes-like object is required, not 'str'"),
    (([memoryview(b"abcdef")[::2]],), BufferError,
     "memoryview: underlying buffer is not C-contiguous"),
    (([b"x"], 1), TypeError, "sendmsg() argument 2 must be an iterable"),
    (([b"x"], None), TypeError, "sendmsg() argument 2 must be an iterable"),
    (([b"x"], [1]), TypeError,
     "[sendmsg() ancillary data items]() argument must be 3-item "
     "sequence, not int"),
    (([b"x"], [None]), TypeError,
     "[sendmsg() ancillary data items]() argument must be 3-item "
     "sequence, not None"),
    (([b"x"], [{1: 2}]), TypeError,
     "[sendmsg() ancillary data items]() argument must be 3-item "
     "sequence, not dict"),
    (([b"x"], [(1, 2)]), TypeError,
     "[sendmsg() ancillary data items]() argument must be sequence of "
     "length 3, not 2"),
    (([b"x"], [(1, 2, b"", 4)]), TypeError,
     "[sendmsg() ancillary data items]() argument must be sequence of "
     "length 3, not 4"),
    (([b"x"], "abc"), TypeError,
     "[sendmsg() ancillary data items]() argument must be sequence of "
     "length 3, not 1"),
    (([b"x"], ["abc"]), TypeError,
     "'str' object cannot be interpreted as an integer"),
    (([b"x"], [(1, 2.0, b"")]), TypeError,
     "'float' object cannot be interpreted as an integer"),
    (([b"x"], [(2 ** 40, 1, b"")]), OverflowError,
     "signed integer is greater than maximum"),
    (([b"x"], [(-2 ** 40, 1, b"")]), OverflowError,
     "signed integer is less than minimum"),
    (([b"x"], [(1, 2, 3)]), TypeError,
     "a bytes-like object is required, not 'int'"),
    (([b"x"], [(1, 2, "")]), TypeError,
     "a bytes-like object is required, not 'str'"),
    (([b"x"], [(1, 2, 3), 1]), TypeError,
     "a bytes-like object is required, not 'int'"),
    (([b"x"], [(Boom(), 1, b"")]), ZeroDivisionError, "boom"),
    (([b"x"], [], "x"), TypeError,
     "'str' object cannot be interpreted as an integer"),
    (([b"x"], [], None), TypeError,
     "'NoneType' object cannot be interpreted as an integer"),
    (([b"x"], [], 1.5), TypeError,
     "'float' object cannot be interpreted as an integer"),
    (([b"x"], [], 2 ** 40), OverflowError,
     "signed integer is greater than maximum"),
    (([b"x"], [], Boom()), ZeroDivisionError, "boom"),
    # Order: flags, then buffers, then ancillary data.
    (([1], [1], "x"), TypeError,
     "'str' object cannot be interpreted as an integer"),
    (([1], [1]), TypeError, "a bytes-like object is required, not 'int'"),
    ((1, 1), TypeError, "sendmsg() argument 1 must be an iterable"),
]


@pytest.mark.parametrize("args, exc, text", SENDMSG_ERRORS)
def test_sendmsg_errors(pair, args, exc, text):
    a, b = pair
    with pytest.raises(exc) as info:
        a.sendmsg(*args)
    assert str(info.value) == text


def test_sendmsg_item_not_retrievable(pair):
    a, b = pair
    for bad in range(3):
        class Seq:
            def __len__(self):
                return 3

            def __getitem__(self, i):
                if i == bad:
                    raise ValueError("hidden")
                return 1 if i < 2 else b""

        with pytest.raises(TypeError) as info:
            a.sendmsg([b"x"], [Seq()])
        assert str(info.value) == (
            "[sendmsg() ancillary data items]() argument %d is not "
            "retrievable" % (bad + 1))


def test_sendmsg_iteration_errors_propagate(pair):
    a, b = pair

    def gen():
        yield b"a"
        raise KeyError("k")

    with pytest.raises(KeyError):
        a.sendmsg(gen())
    with pytest.raises(KeyError):
        a.sendmsg([b"x"], gen())


def test_sendmsg_address_errors(udp, mod):
    s, r = udp
    with pytest.raises(TypeError) as info:
        s.sendmsg([1], [1], 0, "bad")
    assert str(info.value) == \
        "sendmsg(): AF_INET address must be tuple, not str"
    with pytest.raises(OverflowError):
        s.sendmsg([b"x"], [], 0, ("127.0.0.1", 70000))


RECV_ERRORS = [
    ("recvmsg", (), TypeError,
     "recvmsg() takes at least 1 argument (0 given)"),
    ("recvmsg", (1, 1, 1, 1), TypeError,
     "recvmsg() takes at most 3 arguments (4 given)"),
    ("recvmsg", (-1,), ValueError, "negative buffer size in recvmsg()"),
    ("recvmsg", (-1, -5), ValueError, "negative buffer size in recvmsg()"),
    ("recvmsg", (1, -1), ValueError, "invalid ancillary data buffer length"),
    ("recvmsg", (1, 2 ** 31), ValueError,
     "invalid ancillary data buffer length"),
    ("recvmsg", (1, 2 ** 40), ValueError,
     "invalid ancillary data buffer length"),
    ("recvmsg", (1.0,), TypeError,
     "'float' object cannot be interpreted as an integer"),
    ("recvmsg", (1, 1.0), TypeError,
     "'float' object cannot be interpreted as an integer"),
    ("recvmsg", (1, 1, 1.0), TypeError,
     "'float' object cannot be interpreted as an integer"),
    ("recvmsg", (-1, 5, "x"), TypeError,
     "'str' object cannot be interpreted as an integer"),
    ("recvmsg", (2 ** 70,), OverflowError,
     "Python int too large to convert to C ssize_t"),
    ("recvmsg", (1, 2 ** 70), OverflowError,
     "Python int too large to convert to C ssize_t"),
    ("recvmsg", (Boom(),), ZeroDivisionError, "boom"),
    ("recvmsg", (1, Boom()), ZeroDivisionError, "boom"),
    ("recvmsg", (1, 1, Boom()), ZeroDivisionError, "boom"),
    ("recvmsg_into", (), TypeError,
     "recvmsg_into() takes at least 1 argument (0 given)"),
    ("recvmsg_into", ([bytearray(1)], 1, 1, 1), TypeError,
     "recvmsg_into() takes at most 3 arguments (4 given)"),
    ("recvmsg_into", (1,), TypeError,
     "recvmsg_into() argument 1 must be an iterable"),
    ("recvmsg_into", (1, -5), TypeError,
     "recvmsg_into() argument 1 must be an iterable"),
    ("recvmsg_into", ([1],), TypeError,
     "recvmsg_into() argument 1 must be an iterable of single-segment "
     "read-write buffers"),
    ("recvmsg_into", ([b"x"],), TypeError,
     "recvmsg_into() argument 1 must be an iterable of single-segment "
     "read-write buffers"),
    ("recvmsg_into", ([memoryview(bytearray(4))[::2]],), TypeError,
     "recvmsg_into() argument 1 must be an iterable of single-segment "
     "read-write buffers"),
    ("recvmsg_into", (bytearray(4),), TypeError,
     "recvmsg_into() argument 1 must be an iterable of single-segment "
     "read-write buffers"),
    ("recvmsg_into", ([bytearray(1), 1],), TypeError,
     "recvmsg_into() argument 1 must be an iterable of single-segment "
     "read-write buffers"),
    # Order: iterable, its buffers, then ancbufsize.
    ("recvmsg_into", ([1], -5), TypeError,
     "recvmsg_into() argument 1 must be an iterable of single-segment "
     "read-write buffers"),
    ("recvmsg_into", ([bytearray(1)], -5), ValueError,
     "invalid ancillary data buffer length"),
    ("recvmsg_into", ([bytearray(1)], 2 ** 40), ValueError,
     "invalid ancillary data buffer length"),
    ("recvmsg_into", ([bytearray(1)], 2 ** 63), OverflowError,
     "Python int too large to convert to C ssize_t"),
    ("recvmsg_into", (1, 5, "x"), TypeError,
     "'str' object cannot be interpreted as an integer"),
    ("recvmsg_into", ([bytearray(1)], Boom()), ZeroDivisionError, "boom"),
]


@pytest.mark.parametrize("name, args, exc, text", RECV_ERRORS)
def test_recv_errors(pair, name, args, exc, text):
    a, b = pair
    with pytest.raises(exc) as info:
        getattr(b, name)(*args)
    assert str(info.value) == text


def test_closed_socket(mod):
    s = mod.socket(mod.AF_UNIX, mod.SOCK_STREAM)
    s.close()
    for call in (lambda: s.sendmsg([b"x"]),
                 lambda: s.sendmsg([b"x"] * 2000),
                 lambda: s.sendmsg([b"x"], [(1, 2, b"x")]),
                 lambda: s.recvmsg(1),
                 lambda: s.recvmsg_into([bytearray(1)])):
        with pytest.raises(OSError) as info:
            call()
        assert info.value.errno == errno.EBADF
    # Argument errors come before the descriptor is used.
    with pytest.raises(TypeError):
        s.sendmsg([1])
    with pytest.raises(ValueError):
        s.recvmsg(-1)


def test_too_many_buffers(pair):
    a, b = pair
    # Non-blocking: in timeout mode the stdlib waits for readiness before
    # it calls recvmsg(), csocket after the call would block.
    b.setblocking(False)
    with pytest.raises(OSError) as info:
        a.sendmsg([b"x"] * 2000)
    assert info.value.errno == errno.EMSGSIZE
    with pytest.raises(OSError) as info:
        b.recvmsg_into([bytearray(1)] * 2000)
    assert info.value.errno == errno.EMSGSIZE


def test_ancillary_size_limits(pair):
    """An item whose CMSG_SPACE() would pass INT_MAX, and a total past
    INT_MAX, are refused before the call (no memory is touched: the data
    is an untouched anonymous mapping)."""
    mmap = pytest.importorskip("mmap")
    a, b = pair
    m = mmap.mmap(-1, 2 ** 31)
    try:
        mv = memoryview(m)
        with pytest.raises(OSError) as info:
            a.sendmsg([b"x"], [(1, 1, mv[:2 ** 31 - 1 - 23])])
        assert str(info.value) == "ancillary data item too large"
        assert info.value.errno is None
        with pytest.raises(OSError) as info:
            a.sendmsg([b"x"], [(1, 1, mv[:2 ** 30]), (1, 1, mv[:2 ** 30])])
        assert str(info.value) == "too much ancillary data"
        # The size check of an item comes before the next item is read.
        with pytest.raises(OSError) as info:
            a.sendmsg([b"x"], [(1, 1, mv), (1, 2)])
        assert str(info.value) == "ancillary data item too large"
        del mv
    finally:
        m.close()


# ---------------------------------------------------------------------
# Blocking modes


def test_timeout_and_nonblocking(pair, mod):
    a, b = pair
    b.settimeout(0.05)
    with pytest.raises(mod.timeout):
        b.recvmsg(10)
    with pytest.raises(mod.timeout):
        b.recvmsg_into([bytearray(10)], 64)
    b.setblocking(False)
    with pytest.raises(BlockingIOError):
        b.recvmsg(10)
    a.setblocking(False)
    with pytest.raises(BlockingIOError):
        for _ in range(100000):
            a.sendmsg([b"x" * 65536])
    while True:
        try:
            b.recvmsg(1 << 20)
        except BlockingIOError:
            break


# ---------------------------------------------------------------------
# Hostile inputs


def test_ancillary_list_mutated_during_parse(pair, mod, no_fd_leak):
    """An item's __index__ empties the list being read: the call works
    on what the list held when it started (the stdlib 3.11 crashes
    here, so this runs on csocket alone)."""
    if mod is stdlib_socket:
        pytest.skip("the stdlib crashes on this input")
    a, b = pair
    fds = new_fds(2)
    anc = []

    class Evil:
        def __index__(self):
            anc.clear()
            gc.collect()
            return mod.SOL_SOCKET

    try:
        anc[:] = [(Evil(), mod.SCM_RIGHTS, array.array("i", [fds[0]])),
                  (mod.SOL_SOCKET, mod.SCM_RIGHTS,
                   array.array("i", [fds[1]]))]
        assert a.sendmsg([b"x"], anc) == 1
        got = fds_of(b.recvmsg(10, 100)[1], mod)
        assert len(got) == 2
        close_all(got)
    finally:
        close_all(fds)


@pytest.mark.skipif(sys.version_info < (3, 12), reason="__buffer__ is 3.12+")
def test_lists_mutated_by_buffer_hook(pair, mod, no_fd_leak):
    """A Python __buffer__ (3.12+) empties the list being read (the
    stdlib crashes here, so this runs on csocket alone)."""
    if mod is stdlib_socket:
        pytest.skip("the stdlib crashes on this input")
    a, b = pair
    bufs = []

    class EvilBuf:
        def __buffer__(self, flags):
            bufs.clear()
            gc.collect()
            return memoryview(b"evil")

    bufs[:] = [EvilBuf(), b"-tail", bytearray(b"-more")]
    assert a.sendmsg(bufs) == 14
    assert b.recv(100) == b"evil-tail-more"

    anc = []

    class EvilData:
        def __buffer__(self, flags):
            anc.clear()
            gc.collect()
            return memoryview(b"")

    fds = new_fds(1)
    try:
        anc[:] = [(mod.SOL_SOCKET, mod.SCM_RIGHTS, EvilData()),
                  (mod.SOL_SOCKET, mod.SCM_RIGHTS, array.array("i", fds))]
        assert a.sendmsg([b"x"], anc) == 1
        got = fds_of(b.recvmsg(10, 100)[1], mod)
        assert len(got) == 1
        close_all(got)
    finally:
        close_all(fds)

    rb = []

    class EvilW:
        def __buffer__(self, flags):
            rb.clear()
            gc.collect()
            return memoryview(bytearray(3))

    rb[:] = [EvilW(), bytearray(3)]
    a.sendall(b"abcdef")
    assert b.recvmsg_into(rb)[0] == 6


def test_buffer_list_mutated_by_flags(pair, mod):
    a, b = pair
    bufs = [b"a", b"b"]

    class Flags:
        def __index__(self):
            bufs.clear()
            return 0

    # Flags are converted first, so the list is already empty.
    assert a.sendmsg(bufs, [], Flags()) == 0
    rb = [bytearray(2), bytearray(2)]

    class N:
        def __index__(self):
            rb.clear()
            return 0

    a.sendmsg([b"xyz"])
    b.settimeout(5)
    assert b.recvmsg_into(rb, N()) == (0, [], 0, None)


def test_bytearray_pinned_during_call(pair):
    """A bytearray being received into cannot be resized meanwhile."""
    a, b = pair
    buf = bytearray(10)
    a.sendall(b"abc")
    n, *_ = b.recvmsg_into([buf])
    assert n == 3
    buf.extend(b"more")     # released after the call


def test_no_fd_leak_on_errors(pair, mod):
    """Failed conversions, in a loop, keep the descriptor count flat."""
    a, b = pair
    fds = new_fds(1)
    try:
        before = fd_count()
        for _ in range(200):
            with pytest.raises(TypeError):
                a.sendmsg([b"x"], [(mod.SOL_SOCKET, mod.SCM_RIGHTS,
                                    array.array("i", fds)), (1, 2)])
            with pytest.raises(TypeError):
                mod.send_fds(a, [b"x"], ["bad"])
            a.sendmsg([b"x"], [(mod.SOL_SOCKET, mod.SCM_RIGHTS,
                                array.array("i", fds * 3))])
            msg, got, flags, addr = mod.recv_fds(b, 1, 1)
            close_all(got)
        assert fd_count() == before
    finally:
        close_all(fds)


def test_truncation_loop_no_leak(mod, run_snippet):
    """Descriptors the kernel could not deliver (too small an ancillary
    buffer) never show up in the process, many times over."""
    code = """
        import array, os, sys
        import %s as m
        a, b = m.socketpair()
        r, w = os.pipe()
        base = len(os.listdir('/proc/self/fd'))
        for i in range(300):
            a.sendmsg([b'x'], [(m.SOL_SOCKET, m.SCM_RIGHTS,
                                array.array('i', [r, w, r, w]))])
            data, anc, flags, addr = b.recvmsg(1, m.CMSG_LEN(4))
            for lvl, typ, d in anc:
                for fd in array.array('i', d):
                    os.close(fd)
        assert len(os.listdir('/proc/self/fd')) == base, 'leak'
        print('ok')
    """ % mod.__name__
    assert run_snippet(code).stdout.strip() == "ok"


# ---------------------------------------------------------------------
# Auditing


def test_audit_sendmsg(mod, run_snippet):
    code = """
        import sys
        import %s as m
        events = []
        sys.addaudithook(lambda e, a: events.append((e, a[1:]))
                         if e == 'socket.sendmsg' else None)
        a, b = m.socketpair()
        a.sendmsg([b'x'])
        a.sendmsg([b'x'], [], 0, None)
        try:
            a.sendmsg([1], [], 0)      # audited before buffers are read
        except TypeError:
            pass
        u = m.socket(m.AF_INET, m.SOCK_DGRAM)
        r = m.socket(m.AF_INET, m.SOCK_DGRAM)
        r.bind(('127.0.0.1', 0))
        u.sendmsg([b'x'], [], 0, r.getsockname())
        try:
            u.sendmsg([b'x'], [], 0, 'bad')   # not audited
        except TypeError:
            pass
        print(events == [('socket.sendmsg', (None,))] * 3 +
              [('socket.sendmsg', (r.getsockname(),))], events)
    """ % mod.__name__
    out = run_snippet(code).stdout
    assert out.startswith("True"), out


# ---------------------------------------------------------------------
# sendmsg_afalg


@pytest.mark.parametrize("kwargs", [
    {}, {"op": 1}, {"msg": [b"x"], "op": 1, "bogus": 2}, {"op": None}])
def test_sendmsg_afalg_wrong_family(pair, kwargs):
    a, b = pair
    with pytest.raises(OSError) as info:
        a.sendmsg_afalg(**kwargs)
    assert str(info.value) == "algset is only supported for AF_ALG"
    assert info.value.errno is None


def _alg_socket(mod):
    if not hasattr(mod, "AF_ALG"):
        pytest.skip("no AF_ALG")
    try:
        s = mod.socket(mod.AF_ALG, mod.SOCK_SEQPACKET, 0)
    except OSError:
        pytest.skip("AF_ALG not available here")
    return s


def test_sendmsg_afalg_args(mod):
    with _alg_socket(mod) as s:
        with pytest.raises(TypeError):
            s.sendmsg_afalg()
        with pytest.raises(TypeError):
            s.sendmsg_afalg(op=None)
        with pytest.raises(TypeError):
            s.sendmsg_afalg(1)
        with pytest.raises(TypeError):
            s.sendmsg_afalg(op=mod.ALG_OP_ENCRYPT, assoclen=None)
        with pytest.raises(TypeError):
            s.sendmsg_afalg(op=mod.ALG_OP_ENCRYPT, assoclen=-1)


def test_sendmsg_afalg_hash(mod):
    with _alg_socket(mod) as s:
        try:
            s.bind(("hash", "sha256"))
        except OSError:
            pytest.skip("no sha256 in the kernel")
        op, _ = s.accept()
        with op:
            op.sendmsg_afalg([b"ab", b"c"], op=mod.ALG_OP_ENCRYPT, flags=0)
            import hashlib
            assert op.recv(32) == hashlib.sha256(b"abc").digest()


@pytest.fixture
def fake_alg(mod):
    """A socket object whose family says AF_ALG around an AF_UNIX
    SOCK_SEQPACKET descriptor: the kernel ignores SOL_ALG control messages
    on it, so sendmsg_afalg()'s argument handling and sending can be
    compared with the stdlib's where AF_ALG itself is missing."""
    if not hasattr(mod, "AF_ALG"):
        pytest.skip("no AF_ALG constant")
    a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_SEQPACKET)
    s = mod.socket(mod.AF_ALG, mod.SOCK_SEQPACKET, 0, fileno=a.detach())
    b.setblocking(False)
    yield s, b
    s.close()
    b.close()


AFALG_CASES = [
    ((), {}, TypeError, "Invalid or missing argument 'op'"),
    (([b"x"],), {}, TypeError, "Invalid or missing argument 'op'"),
    ((), {"op": 1.0, "iv": 1}, TypeError,
     "sendmsg_afalg() argument 2 must be int, not float"),
    ((), {"op": None}, TypeError,
     "sendmsg_afalg() argument 2 must be int, not None"),
    ((), {"iv": 1, "assoclen": 1.0}, TypeError,
     "a bytes-like object is required, not 'int'"),
    ((), {"iv": None, "op": 1}, TypeError,
     "a bytes-like object is required, not 'NoneType'"),
    ((), {"iv": memoryview(b"abcd")[::2], "op": 1}, BufferError,
     "memoryview: underlying buffer is not C-contiguous"),
    ((), {"iv": 1, "flags": 1.0}, TypeError,
     "a bytes-like object is required, not 'int'"),
    ((), {"iv": 1}, TypeError, "a bytes-like object is required, not 'int'"),
    ((), {"op": 1, "flags": 1.0, "assoclen": 1.0}, TypeError,
     "sendmsg_afalg() argument 4 must be int, not float"),
    ((), {"op": 1, "assoclen": None}, TypeError,
     "sendmsg_afalg() argument 4 must be int, not None"),
    ((), {"op": -1, "flags": 1.0}, TypeError,
     "'float' object cannot be interpreted as an integer"),
    ((), {"op": 1, "flags": None}, TypeError,
     "'NoneType' object cannot be interpreted as an integer"),
    ((), {"op": 1, "flags": 2 ** 40}, OverflowError,
     "signed integer is greater than maximum"),
    ((1,), {"op": 1, "assoclen": -1}, TypeError,
     "assoclen must be positive"),
    ((1,), {}, TypeError, "Invalid or missing argument 'op'"),
    ((), {"op": -1, "assoclen": -1}, TypeError,
     "Invalid or missing argument 'op'"),
    ((), {"op": 2 ** 31}, TypeError, "Invalid or missing argument 'op'"),
    ((), {"op": 2 ** 40}, TypeError, "Invalid or missing argument 'op'"),
    ((1,), {"op": 1}, TypeError, "sendmsg() argument 1 must be an iterable"),
    ((None,), {"op": 1}, TypeError,
     "sendmsg() argument 1 must be an iterable"),
    (([1],), {"op": 1}, TypeError,
     "a bytes-like object is required, not 'int'"),
    ((), {"op": 1, "assoclen": 2 ** 40, "iv": b""}, OverflowError,
     "Python int too large to convert to C int"),
    ((), {"op": 1, "assoclen": -2 ** 40}, OverflowError,
     "Python int too large to convert to C int"),
    (([b"x"], 1), {"op": 1}, TypeError,
     "sendmsg_afalg() takes at most 1 positional argument (2 given)"),
    (([b"x"],), {"op": 1, "bogus": 2}, TypeError,
     "sendmsg_afalg() got an unexpected keyword argument 'bogus'"
     if sys.version_info >= (3, 13) else
     "'bogus' is an invalid keyword argument for sendmsg_afalg()"),
    (([b"x"],), {"op": 1, "msg": [b"y"]}, TypeError,
     "argument for sendmsg_afalg() given by name ('msg') and position (1)"),
]


@pytest.mark.parametrize("args, kwargs, exc, text", AFALG_CASES)
def test_sendmsg_afalg_argument_errors(fake_alg, args, kwargs, exc, text):
    s, peer = fake_alg
    with pytest.raises(exc) as info:
        s.sendmsg_afalg(*args, **kwargs)
    assert str(info.value) == text


def test_sendmsg_afalg_sends(fake_alg, mod):
    s, peer = fake_alg
    assert s.sendmsg_afalg([b"ab", b"c"], op=mod.ALG_OP_ENCRYPT,
                           iv=b"0123456789abcdef", assoclen=4, flags=0) == 3
    assert s.sendmsg_afalg(msg=iter([b"d"]), op=True, iv=bytearray(2),
                           assoclen=0) == 1
    assert s.sendmsg_afalg(op=0, flags=0) == 0
    assert s.sendmsg_afalg([b"e"], op=2 ** 31 - 1, iv=b"") == 1
    got = []
    while True:
        try:
            got.append(peer.recv(100))
        except BlockingIOError:
            break
    # MSG_MORE is meaningless for AF_UNIX; each call is one record.
    assert got == [b"abc", b"d", b"", b"e"]
