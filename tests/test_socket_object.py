"""Behaviour of the socket object, csocket against the stdlib.

Every test takes the ``mod`` fixture and runs against the stdlib's socket
module (the oracle: the expectations written here are what it does) and
against csocket.  Only loopback and AF_UNIX are used; every socket that
could block has a timeout.
"""

import array
import copy
import errno
import gc
import os
import pickle
import socket as stdsocket
import sys
import warnings

import pytest

TIMEOUT = 10.0

# Every test here must leave the descriptor table as it found it.
pytestmark = pytest.mark.usefixtures("no_fd_leak")


@pytest.fixture
def socks():
    """A list to put sockets in; everything in it is closed afterwards."""
    made = []
    yield made
    for s in made:
        try:
            s.close()
        except Exception:
            pass


def tcp_pair(mod, socks):
    """A connected TCP pair over 127.0.0.1: (listener, client, server)."""
    listener = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    socks.append(listener)
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    socks.append(client)
    client.settimeout(TIMEOUT)
    client.connect(listener.getsockname())
    server, _ = listener.accept()
    socks.append(server)
    server.settimeout(TIMEOUT)
    return listener, client, server


def unix_pair(mod, socks, type=None):
    a, b = mod.socketpair(mod.AF_UNIX, type or mod.SOCK_STREAM)
    socks.extend((a, b))
    a.settimeout(TIMEOUT)
    b.settimeout(TIMEOUT)
    return a, b


def udp_pair(mod, socks):
    a = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    b = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    socks.extend((a, b))
    for s in (a, b):
        s.settimeout(TIMEOUT)
        s.bind(("127.0.0.1", 0))
    return a, b


def fd_is_open(fd):
    try:
        os.fstat(fd)
    except OSError as e:
        assert e.errno == errno.EBADF
        return False
    return True


def expected_repr(s, closed=False, laddr=None, raddr=None):
    """The stdlib's repr format for socket s, built from its attributes
    (family/type print as their enum's str(), which varies by Python)."""
    cls = type(s)
    text = "<%s.%s%s fd=%d, family=%s, type=%s, proto=%d" % (
        cls.__module__, cls.__qualname__, " [closed]" if closed else "",
        s.fileno(), s.family, s.type, s.proto)
    if laddr is not None:
        text += ", laddr=%r" % (laddr,)
    if raddr is not None:
        text += ", raddr=%r" % (raddr,)
    return text + ">"


# ---------------------------------------------------------------- module


def test_exception_classes(mod):
    assert mod.error is OSError
    assert mod.timeout is stdsocket.timeout
    assert mod.gaierror is stdsocket.gaierror
    assert mod.herror is stdsocket.herror
    assert issubclass(mod.gaierror, OSError)
    assert issubclass(mod.herror, OSError)


def test_private_names(mod, socks):
    assert hasattr(mod, "_GLOBAL_DEFAULT_TIMEOUT")
    s = mod.socket()
    socks.append(s)
    assert s._io_refs == 0
    assert s._closed is False
    assert callable(s._real_close)
    assert callable(s._decref_socketios)


def test_socket_type_alias(mod):
    assert isinstance(mod.SocketType, type)
    assert issubclass(mod.socket, mod.SocketType)


# ----------------------------------------------------------- constructor


def test_defaults(mod, socks):
    s = mod.socket()
    socks.append(s)
    assert s.family == mod.AF_INET
    assert s.type == mod.SOCK_STREAM
    assert s.proto == 0
    assert s.fileno() >= 0
    assert s.gettimeout() is None
    assert s.getblocking() is True
    assert s.get_inheritable() is False
    assert os.get_inheritable(s.fileno()) is False
    assert os.get_blocking(s.fileno()) is True


def test_minus_one_means_default(mod, socks):
    s = mod.socket(-1, -1, -1)
    socks.append(s)
    assert (s.family, s.type, s.proto) == (mod.AF_INET, mod.SOCK_STREAM, 0)


@pytest.mark.parametrize("family,kind,proto", [
    ("AF_INET", "SOCK_STREAM", 0),
    ("AF_INET", "SOCK_DGRAM", 0),
    ("AF_INET", "SOCK_DGRAM", "IPPROTO_UDP"),
    ("AF_INET", "SOCK_STREAM", "IPPROTO_TCP"),
    ("AF_INET6", "SOCK_STREAM", 0),
    ("AF_INET6", "SOCK_DGRAM", 0),
    ("AF_UNIX", "SOCK_STREAM", 0),
    ("AF_UNIX", "SOCK_DGRAM", 0),
    ("AF_UNIX", "SOCK_SEQPACKET", 0),
])
def test_family_type_proto(mod, socks, family, kind, proto):
    fam = getattr(mod, family)
    typ = getattr(mod, kind)
    pro = getattr(mod, proto) if isinstance(proto, str) else proto
    s = mod.socket(fam, typ, pro)
    socks.append(s)
    assert s.family == fam and s.family is getattr(mod, family)
    assert s.type == typ and s.type is getattr(mod, kind)
    assert s.proto == pro
    assert type(s.proto) is int


def test_keyword_arguments(mod, socks):
    s = mod.socket(family=mod.AF_INET6, type=mod.SOCK_DGRAM, proto=0,
                   fileno=None)
    socks.append(s)
    assert (s.family, s.type) == (mod.AF_INET6, mod.SOCK_DGRAM)


def test_constructor_argument_errors(mod):
    with pytest.raises(TypeError):
        mod.socket("x")
    with pytest.raises(TypeError):
        mod.socket(mod.AF_INET, "x")
    with pytest.raises(TypeError):
        mod.socket(mod.AF_INET, mod.SOCK_STREAM, 1.5)
    with pytest.raises(TypeError):
        mod.socket(foo=1)
    with pytest.raises(TypeError):
        mod.socket(1, 2, 3, 4, 5)


def test_constructor_kernel_errors(mod):
    with pytest.raises(OSError) as e:
        mod.socket(12345)
    assert e.value.errno == errno.EAFNOSUPPORT
    with pytest.raises(OSError) as e:
        mod.socket(mod.AF_INET, 12345)
    assert e.value.errno == errno.EINVAL
    with pytest.raises(OSError) as e:
        mod.socket(mod.AF_INET, mod.SOCK_STREAM, 12345)
    assert e.value.errno == errno.EINVAL


def test_type_flags_stripped(mod, socks):
    s = mod.socket(mod.AF_INET,
                   mod.SOCK_STREAM | mod.SOCK_NONBLOCK | mod.SOCK_CLOEXEC)
    socks.append(s)
    assert s.type is mod.SOCK_STREAM
    assert s.gettimeout() == 0.0
    assert s.getblocking() is False
    assert os.get_blocking(s.fileno()) is False


# ------------------------------------------------------------ fileno=


@pytest.mark.parametrize("family,type,proto", [
    ("AF_INET", "SOCK_STREAM", 6),
    ("AF_INET", "SOCK_DGRAM", 17),
    ("AF_INET6", "SOCK_DGRAM", 17),
    ("AF_INET6", "SOCK_STREAM", 6),
    ("AF_UNIX", "SOCK_STREAM", 0),
    ("AF_UNIX", "SOCK_DGRAM", 0),
])
def test_fileno_detects_family_type_proto(mod, socks, family, type, proto):
    orig = mod.socket(getattr(mod, family), getattr(mod, type))
    socks.append(orig)
    s = mod.socket(fileno=orig.fileno())
    try:
        assert s.family is getattr(mod, family)
        assert s.type is getattr(mod, type)
        assert s.proto == proto
        assert s.fileno() == orig.fileno()
    finally:
        s.detach()


def test_fileno_explicit_arguments_win(mod, socks):
    orig = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    socks.append(orig)
    s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM, 0, orig.fileno())
    try:
        assert (s.family, s.type, s.proto) == (mod.AF_INET, mod.SOCK_DGRAM,
                                               0)
    finally:
        s.detach()


def test_fileno_takes_default_timeout(mod, socks):
    orig = mod.socket()
    socks.append(orig)
    orig.settimeout(5.0)
    s = mod.socket(fileno=orig.fileno())
    try:
        assert s.gettimeout() is None
    finally:
        s.detach()


def test_fileno_accepted_socket(mod, socks):
    _, client, server = tcp_pair(mod, socks)
    s = mod.socket(fileno=server.fileno())
    try:
        assert s.getpeername() == client.getsockname()
    finally:
        s.detach()


@pytest.mark.parametrize("fd", [-1, -2, -(2 ** 20)])
def test_fileno_negative(mod, fd):
    with pytest.raises(ValueError) as e:
        mod.socket(fileno=fd)
    assert str(e.value) == "negative file descriptor"


def test_fileno_closed_fd(mod):
    r, w = os.pipe()
    os.close(r)
    os.close(w)
    with pytest.raises(OSError) as e:
        mod.socket(fileno=r)
    assert e.value.errno == errno.EBADF


def test_fileno_not_a_socket(mod, no_fd_leak):
    r, w = os.pipe()
    try:
        with pytest.raises(OSError) as e:
            mod.socket(fileno=r)
        assert e.value.errno == errno.ENOTSOCK
        # The descriptor is the caller's: still open after the failure.
        assert fd_is_open(r)
    finally:
        os.close(r)
        os.close(w)


def test_fileno_wrong_types(mod):
    with pytest.raises(TypeError):
        mod.socket(fileno=1.5)
    with pytest.raises(TypeError):
        mod.socket(fileno="3")
    with pytest.raises(OverflowError):
        mod.socket(fileno=2 ** 70)


# ---------------------------------------------- close / detach / dup


def test_close(mod):
    s = mod.socket()
    fd = s.fileno()
    s.close()
    assert s.fileno() == -1
    assert s._closed is True
    assert not fd_is_open(fd)
    s.close()   # closing twice is fine
    assert s.fileno() == -1


def test_detach(mod):
    s = mod.socket()
    fd = s.fileno()
    try:
        assert s.detach() == fd
        assert s.fileno() == -1
        assert fd_is_open(fd)
        assert s.detach() == -1
        s.close()
        assert fd_is_open(fd)
    finally:
        os.close(fd)


def test_dup(mod, socks):
    s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    s.settimeout(3.5)
    d = s.dup()
    socks.append(d)
    assert type(d) is mod.socket
    assert d.fileno() != s.fileno()
    assert (d.family, d.type, d.proto) == (s.family, s.type, s.proto)
    assert d.getsockname() == s.getsockname()
    assert d.gettimeout() == 3.5
    assert d.get_inheritable() is False
    s.close()
    assert d.getsockname()[0] == "127.0.0.1"


def test_dup_blocking_copy(mod, socks):
    s = mod.socket()
    socks.append(s)
    d = s.dup()
    socks.append(d)
    assert d.gettimeout() is None
    assert os.get_blocking(d.fileno()) is True


def test_method_argument_counts(mod, socks):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(TypeError):
        s.fileno(1)
    with pytest.raises(TypeError):
        s.close(1)
    with pytest.raises(TypeError):
        s.detach(1)
    with pytest.raises(TypeError):
        s.listen(1, 2)
    with pytest.raises(TypeError):
        s.listen(backlog=1)
    with pytest.raises(TypeError):
        s.bind(address=("127.0.0.1", 0))
    with pytest.raises(TypeError):
        s.connect(address=("127.0.0.1", 0))
    with pytest.raises(TypeError):
        s.settimeout(timeout=1)
    with pytest.raises(TypeError):
        s.setblocking(flag=True)
    with pytest.raises(TypeError):
        s.recv()
    with pytest.raises(TypeError):
        s.recv(bufsize=1)
    with pytest.raises(TypeError):
        s.recvfrom(bufsize=1)
    with pytest.raises(TypeError):
        s.send(data=b"x")
    with pytest.raises(TypeError):
        s.sendto(b"x")
    with pytest.raises(TypeError):
        s.sendto(b"x", 0, ("127.0.0.1", 9), 1)
    with pytest.raises(TypeError):
        s.getsockopt(level=1, optname=2)
    with pytest.raises(TypeError):
        s.setsockopt(1, 2, 3, 4, 5)
    with pytest.raises(TypeError):
        # optlen is only accepted with a None value.
        s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 1, 4)


# ----------------------------------- bind / listen / accept / connect


def test_bind_listen_accept_connect(mod, socks):
    listener = mod.socket()
    socks.append(listener)
    listener.settimeout(TIMEOUT)
    assert listener.bind(("127.0.0.1", 0)) is None
    host, port = listener.getsockname()
    assert host == "127.0.0.1" and 0 < port < 65536
    assert listener.listen() is None
    client = mod.socket()
    socks.append(client)
    client.settimeout(TIMEOUT)
    assert client.connect(("127.0.0.1", port)) is None
    conn, addr = listener.accept()
    socks.append(conn)
    assert type(conn) is mod.socket
    assert addr == client.getsockname()
    assert conn.getpeername() == addr
    assert client.getpeername() == ("127.0.0.1", port)
    assert conn.family is mod.AF_INET and conn.type is mod.SOCK_STREAM
    assert conn.get_inheritable() is False
    # The listener has a timeout, but the default is None: the accepted
    # socket is blocking.
    assert conn.gettimeout() is None
    assert os.get_blocking(conn.fileno()) is True


def test_accepted_socket_takes_default_timeout(mod, socks):
    old = mod.getdefaulttimeout()
    try:
        mod.setdefaulttimeout(4.0)
        listener, client, server = tcp_pair(mod, socks)
        c2 = mod.socket()
        socks.append(c2)
        c2.settimeout(TIMEOUT)
        c2.connect(listener.getsockname())
        conn, _ = listener.accept()
        socks.append(conn)
        assert conn.gettimeout() == 4.0
    finally:
        mod.setdefaulttimeout(old)


@pytest.mark.parametrize("backlog", [0, 1, 5, -5, 1000000])
def test_listen_backlog(mod, socks, backlog):
    s = mod.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    assert s.listen(backlog) is None


def test_listen_backlog_errors(mod, socks):
    s = mod.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    with pytest.raises(TypeError):
        s.listen("x")
    with pytest.raises(TypeError):
        s.listen(1.0)
    with pytest.raises(OverflowError):
        s.listen(2 ** 40)


def test_bind_errors(mod, socks):
    s = mod.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    with pytest.raises(OSError) as e:
        s.bind(("127.0.0.1", 0))
    assert e.value.errno == errno.EINVAL
    t = mod.socket()
    socks.append(t)
    with pytest.raises(OSError) as e:
        t.bind(s.getsockname())
    assert e.value.errno == errno.EADDRINUSE
    with pytest.raises(TypeError):
        t.bind("127.0.0.1")


def test_connect_refused(mod, socks):
    # A bound socket that is not listening refuses connections reliably.
    target = mod.socket()
    socks.append(target)
    target.bind(("127.0.0.1", 0))
    c = mod.socket()
    socks.append(c)
    c.settimeout(TIMEOUT)
    with pytest.raises(ConnectionRefusedError) as e:
        c.connect(target.getsockname())
    assert e.value.errno == errno.ECONNREFUSED


@pytest.mark.parametrize("timeout", [None, 0.0, TIMEOUT])
def test_connect_ex(mod, socks, timeout):
    target = mod.socket()
    socks.append(target)
    target.bind(("127.0.0.1", 0))
    c = mod.socket()
    socks.append(c)
    c.settimeout(timeout)
    if timeout == 0.0:
        # Non-blocking: the first call may report "in progress".
        r = c.connect_ex(target.getsockname())
        assert r in (errno.ECONNREFUSED, errno.EINPROGRESS)
    else:
        assert c.connect_ex(target.getsockname()) == errno.ECONNREFUSED
    target.listen()
    d = mod.socket()
    socks.append(d)
    d.settimeout(TIMEOUT)
    assert d.connect_ex(target.getsockname()) == 0
    assert d.getpeername() == target.getsockname()


def test_connect_ex_argument_errors(mod, socks):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(TypeError):
        s.connect_ex("x")
    with pytest.raises(TypeError):
        s.connect(None)


def test_accept_errors(mod, socks):
    u = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    socks.append(u)
    with pytest.raises(OSError) as e:
        u.accept()
    assert e.value.errno == errno.EOPNOTSUPP
    with pytest.raises(OSError) as e:
        u.listen()
    assert e.value.errno == errno.EOPNOTSUPP
    s = mod.socket()
    socks.append(s)
    s.bind(("127.0.0.1", 0))
    s.settimeout(TIMEOUT)
    with pytest.raises(OSError) as e:
        s.accept()     # not listening
    assert e.value.errno == errno.EINVAL


# --------------------------------------------------------------- I/O


def test_send_recv(mod, socks):
    _, client, server = tcp_pair(mod, socks)
    assert client.send(b"hello") == 5
    assert server.recv(5) == b"hello"
    assert client.sendall(b"x" * 100000) is None
    got = b""
    while len(got) < 100000:
        chunk = server.recv(65536)
        assert chunk
        got += chunk
    assert got == b"x" * 100000
    assert server.send(bytearray(b"ab")) == 2
    assert server.send(memoryview(b"abcd")[1:3]) == 2
    assert server.send(array.array("b", [1, 2])) == 2
    assert client.recv(100, 0) in (b"abbc\x01\x02", b"ab")


def test_recv_flags_peek(mod, socks):
    a, b = unix_pair(mod, socks)
    a.sendall(b"peekaboo")
    assert b.recv(4, mod.MSG_PEEK) == b"peek"
    assert b.recv(8) == b"peekaboo"


def test_recv_zero_and_eof(mod, socks):
    a, b = unix_pair(mod, socks)
    assert b.recv(0) == b""
    a.sendall(b"z")
    a.close()
    assert b.recv(10) == b"z"
    assert b.recv(10) == b""


def test_recv_argument_errors(mod, socks):
    a, b = unix_pair(mod, socks)
    with pytest.raises(ValueError) as e:
        a.recv(-1)
    assert str(e.value) == "negative buffersize in recv"
    with pytest.raises(ValueError) as e:
        a.recvfrom(-1)
    assert str(e.value) == "negative buffersize in recvfrom"
    with pytest.raises(TypeError):
        a.recv("x")
    with pytest.raises(TypeError):
        a.recv(1.0)
    with pytest.raises(TypeError):
        a.recv(1, "x")


def test_send_argument_errors(mod, socks):
    a, b = unix_pair(mod, socks)
    for data in ("abc", 3, None, ["x"]):
        with pytest.raises(TypeError) as e:
            a.send(data)
        assert "bytes-like object is required" in str(e.value)
        with pytest.raises(TypeError):
            a.sendall(data)
    with pytest.raises(BufferError):
        a.send(memoryview(b"abcdef")[::2])


def test_recv_into(mod, socks):
    a, b = unix_pair(mod, socks)
    a.sendall(b"hello world")
    buf = bytearray(4)
    assert b.recv_into(buf) == 4
    assert buf == b"hell"
    assert b.recv_into(buf, 2) == 2
    assert buf == b"o ll"
    assert b.recv_into(buffer=buf, nbytes=1, flags=0) == 1
    assert buf == b"w ll"
    mv = memoryview(bytearray(10))
    assert b.recv_into(mv[2:]) == 4
    assert bytes(mv) == b"\0\0orld\0\0\0\0"
    arr = array.array("b", [0] * 4)
    a.sendall(b"\x01\x02")
    assert b.recv_into(arr) == 2
    assert arr.tolist() == [1, 2, 0, 0]


def test_recv_into_errors(mod, socks):
    a, b = unix_pair(mod, socks)
    with pytest.raises(ValueError) as e:
        a.recv_into(bytearray(3), 10)
    assert str(e.value) == "buffer too small for requested bytes"
    with pytest.raises(ValueError) as e:
        a.recv_into(bytearray(3), -1)
    assert str(e.value) == "negative buffersize in recv_into"
    for ro in (b"abc", memoryview(b"abc"), "abc"):
        with pytest.raises(TypeError) as e:
            a.recv_into(ro)
        assert str(e.value) == (
            "recv_into() argument 1 must be read-write bytes-like object, "
            "not %s" % type(ro).__name__)


def test_recvfrom_into(mod, socks):
    a, b = udp_pair(mod, socks)
    a.sendto(b"datagram", b.getsockname())
    buf = bytearray(16)
    n, addr = b.recvfrom_into(buf)
    assert n == 8 and buf[:8] == b"datagram"
    assert addr == a.getsockname()
    a.sendto(b"abcdef", b.getsockname())
    n, addr = b.recvfrom_into(buffer=buf, nbytes=3, flags=0)
    assert n == 3 and buf[:3] == b"abc"


def test_recvfrom_into_errors(mod, socks):
    a, b = udp_pair(mod, socks)
    with pytest.raises(ValueError) as e:
        a.recvfrom_into(bytearray(3), 10)
    assert str(e.value) == "nbytes is greater than the length of the buffer"
    with pytest.raises(ValueError) as e:
        a.recvfrom_into(bytearray(3), -1)
    assert str(e.value) == "negative buffersize in recvfrom_into"
    with pytest.raises(TypeError) as e:
        a.recvfrom_into(b"xx")
    assert str(e.value) == ("recvfrom_into() argument 1 must be read-write "
                            "bytes-like object, not bytes")


def test_sendto_recvfrom_udp(mod, socks):
    a, b = udp_pair(mod, socks)
    assert a.sendto(b"one", b.getsockname()) == 3
    assert a.sendto(b"two", 0, b.getsockname()) == 3
    assert b.recvfrom(100) == (b"one", a.getsockname())
    data, addr = b.recvfrom(100, 0)
    assert data == b"two" and addr == a.getsockname()
    # A datagram longer than the buffer is truncated.
    a.sendto(b"0123456789", b.getsockname())
    assert b.recvfrom(4)[0] == b"0123"
    with pytest.raises(TypeError):
        a.sendto(b"x", "notatuple")
    with pytest.raises(TypeError):
        a.sendto("str", b.getsockname())


def test_recvfrom_connected_stream_addr(mod, socks):
    a, b = unix_pair(mod, socks)
    a.sendall(b"ab")
    # AF_UNIX socketpair: the sender has no address.
    data, addr = b.recvfrom(2)
    assert data == b"ab"
    assert addr is None
    a.sendall(b"cd")
    n, addr = b.recvfrom_into(bytearray(2))
    assert n == 2 and addr is None


def test_send_unconnected(mod, socks):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(BrokenPipeError):
        s.send(b"x")
    with pytest.raises(OSError) as e:
        s.recv(1)
    assert e.value.errno == errno.ENOTCONN


def test_shutdown(mod, socks):
    _, client, server = tcp_pair(mod, socks)
    client.sendall(b"last")
    assert client.shutdown(mod.SHUT_WR) is None
    assert server.recv(10) == b"last"
    assert server.recv(10) == b""
    server.sendall(b"back")
    assert client.recv(10) == b"back"
    with pytest.raises(OSError) as e:
        client.shutdown(5)
    assert e.value.errno == errno.EINVAL
    with pytest.raises(OSError) as e:
        client.shutdown(-1)
    assert e.value.errno == errno.EINVAL
    with pytest.raises(TypeError):
        client.shutdown("x")
    s = mod.socket()
    socks.append(s)
    with pytest.raises(OSError) as e:
        s.shutdown(mod.SHUT_RDWR)
    assert e.value.errno == errno.ENOTCONN


# ------------------------------------------------------------ options


def test_setsockopt_int_and_bool(mod, socks):
    s = mod.socket()
    socks.append(s)
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR) == 0
    assert s.setsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR, 1) is None
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR) != 0
    s.setsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR, False)
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR) == 0
    s.setsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY, True)
    assert s.getsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY) == 1


def test_setsockopt_bytes(mod, socks):
    s = mod.socket()
    socks.append(s)
    s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF,
                 (65536).to_bytes(4, "little"))
    # Linux doubles the value it is given.
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF) == 131072
    s.setsockopt(mod.SOL_SOCKET, mod.SO_KEEPALIVE,
                 bytearray((1).to_bytes(4, "little")))
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_KEEPALIVE) == 1


def test_setsockopt_none_optlen(mod, socks):
    s = mod.socket()
    socks.append(s)
    # (level, optname, None, optlen) passes a NULL value of that length:
    # the kernel refuses it for an option that wants a value.
    with pytest.raises(OSError) as e:
        s.setsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR, None, 4)
    assert e.value.errno == errno.EFAULT
    with pytest.raises(TypeError) as e:
        s.setsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR, None)
    assert "bytes-like object is required" in str(e.value)


def test_setsockopt_errors(mod, socks):
    s = mod.socket()
    socks.append(s)
    for value in ("x", 1.5, [1]):
        with pytest.raises(TypeError):
            s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, value)
    with pytest.raises((TypeError, OverflowError)):
        s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 2 ** 40)
    with pytest.raises(OSError) as e:
        s.setsockopt(mod.SOL_SOCKET, 9999, 1)
    assert e.value.errno == errno.ENOPROTOOPT
    with pytest.raises(TypeError):
        s.setsockopt("x", mod.SO_RCVBUF, 1)


def test_getsockopt_buflen(mod, socks):
    s = mod.socket()
    socks.append(s)
    s.setsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 65536)
    raw = s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 4)
    assert isinstance(raw, bytes) and len(raw) == 4
    assert int.from_bytes(raw, "little") == 131072
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 1024) == raw
    assert len(s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 1)) == 1
    # buflen 0 means "an int", as without buflen.
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, 0) == 131072


@pytest.mark.parametrize("buflen", [-1, 1025, 2 ** 20])
def test_getsockopt_buflen_out_of_range(mod, socks, buflen):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(OSError) as e:
        s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, buflen)
    assert str(e.value) == "getsockopt buflen out of range"
    assert e.value.errno is None


def test_getsockopt_errors(mod, socks):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(OSError) as e:
        s.getsockopt(mod.SOL_SOCKET, 9999)
    assert e.value.errno == errno.ENOPROTOOPT
    with pytest.raises(TypeError):
        s.getsockopt("x", 1)
    with pytest.raises(TypeError):
        s.getsockopt(mod.SOL_SOCKET, mod.SO_RCVBUF, "x")
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_TYPE) == mod.SOCK_STREAM
    assert s.getsockopt(mod.SOL_SOCKET, mod.SO_ERROR) == 0


# --------------------------------------------------------- addresses


def test_getsockname_getpeername(mod, socks):
    s = mod.socket()
    socks.append(s)
    assert s.getsockname() == ("0.0.0.0", 0)
    with pytest.raises(OSError) as e:
        s.getpeername()
    assert e.value.errno == errno.ENOTCONN
    a, b = unix_pair(mod, socks)
    assert a.getsockname() == ""
    assert a.getpeername() == ""
    s6 = mod.socket(mod.AF_INET6)
    socks.append(s6)
    s6.bind(("::1", 0))
    host, port, flowinfo, scope_id = s6.getsockname()
    assert host == "::1" and port > 0 and flowinfo == 0 and scope_id == 0


# ------------------------------------------------- blocking / timeout


def test_blocking_modes(mod, socks):
    s = mod.socket()
    socks.append(s)
    fd = s.fileno()
    assert s.setblocking(False) is None
    assert s.gettimeout() == 0.0 and s.getblocking() is False
    assert os.get_blocking(fd) is False
    s.setblocking(True)
    assert s.gettimeout() is None and s.getblocking() is True
    assert os.get_blocking(fd) is True
    s.setblocking(0)
    assert s.gettimeout() == 0.0
    s.setblocking(2)
    assert s.gettimeout() is None
    assert s.settimeout(2.5) is None
    assert s.gettimeout() == 2.5 and s.getblocking() is True
    # Timeout mode runs the descriptor non-blocking.
    assert os.get_blocking(fd) is False
    s.settimeout(0)
    assert s.gettimeout() == 0.0 and s.getblocking() is False
    s.settimeout(3)
    assert s.gettimeout() == 3.0 and isinstance(s.gettimeout(), float)
    s.settimeout(None)
    assert s.gettimeout() is None and s.getblocking() is True
    assert os.get_blocking(fd) is True
    s.settimeout(1e-9)
    assert 0 < s.gettimeout() < 1e-6
    assert s.timeout == s.gettimeout()


def test_timeout_errors(mod, socks):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(ValueError) as e:
        s.settimeout(-1)
    assert str(e.value) == "Timeout value out of range"
    with pytest.raises(ValueError):
        s.settimeout(-0.5)
    with pytest.raises(ValueError):
        s.settimeout(float("nan"))
    with pytest.raises(TypeError):
        s.settimeout("x")
    with pytest.raises(OverflowError):
        s.settimeout(float("inf"))
    with pytest.raises(OverflowError):
        s.settimeout(1e300)
    if sys.version_info >= (3, 12):
        # 3.12 made the flag a truth value.
        s.setblocking("x")
        assert s.gettimeout() is None
        s.setblocking(None)
        assert s.gettimeout() == 0.0
        s.setblocking(True)
    else:
        with pytest.raises(TypeError):
            s.setblocking("x")
        with pytest.raises(TypeError):
            s.setblocking(None)
    assert s.gettimeout() is None
    with pytest.raises(ValueError) as e:
        mod.setdefaulttimeout(-1)
    assert str(e.value) == "Timeout value out of range"
    assert mod.getdefaulttimeout() is None


def test_default_timeout_applies_to_new_sockets(mod, socks):
    old = mod.getdefaulttimeout()
    try:
        mod.setdefaulttimeout(3)
        assert mod.getdefaulttimeout() == 3.0
        s = mod.socket()
        socks.append(s)
        assert s.gettimeout() == 3.0
        assert os.get_blocking(s.fileno()) is False
        a, b = mod.socketpair()
        socks.extend((a, b))
        assert a.gettimeout() == 3.0
        mod.setdefaulttimeout(0)
        s2 = mod.socket()
        socks.append(s2)
        assert s2.gettimeout() == 0.0
        mod.setdefaulttimeout(None)
        s3 = mod.socket()
        socks.append(s3)
        assert s3.gettimeout() is None
        assert os.get_blocking(s3.fileno()) is True
    finally:
        mod.setdefaulttimeout(old)


# ------------------------------------------------------- inheritance


def test_inheritable(mod, socks):
    s = mod.socket()
    socks.append(s)
    assert s.get_inheritable() is False
    assert s.set_inheritable(True) is None
    assert s.get_inheritable() is True
    assert os.get_inheritable(s.fileno()) is True
    s.set_inheritable(0)
    assert s.get_inheritable() is False
    s.set_inheritable(2)
    assert s.get_inheritable() is True
    # Unlike setblocking(), the flag must be an integer, in every version.
    with pytest.raises(TypeError):
        s.set_inheritable("x")
    with pytest.raises(TypeError):
        s.set_inheritable(None)
    a, b = mod.socketpair()
    socks.extend((a, b))
    assert a.get_inheritable() is False and b.get_inheritable() is False
    _, client, server = tcp_pair(mod, socks)
    assert server.get_inheritable() is False


# ----------------------------------------------------- enums and repr


def test_family_type_are_enum_members(mod, socks):
    s = mod.socket(mod.AF_INET6, mod.SOCK_DGRAM)
    socks.append(s)
    assert isinstance(s.family, mod.AddressFamily)
    assert isinstance(s.type, mod.SocketKind)
    assert repr(s.family) == "<AddressFamily.AF_INET6: %d>" % mod.AF_INET6
    assert repr(s.type) == "<SocketKind.SOCK_DGRAM: %d>" % mod.SOCK_DGRAM
    assert type(s.proto) is int
    with pytest.raises(AttributeError):
        s.family = mod.AF_INET
    with pytest.raises(AttributeError):
        s.type = mod.SOCK_STREAM
    with pytest.raises(AttributeError):
        s.proto = 0


def test_no_instance_dict(mod, socks):
    s = mod.socket()
    socks.append(s)
    with pytest.raises(AttributeError):
        s.some_new_attribute = 1


def test_repr(mod, socks):
    s = mod.socket()
    socks.append(s)
    assert repr(s) == expected_repr(s, laddr=("0.0.0.0", 0))
    s.bind(("127.0.0.1", 0))
    assert repr(s) == expected_repr(s, laddr=s.getsockname())
    _, client, server = tcp_pair(mod, socks)
    assert repr(client) == expected_repr(client, laddr=client.getsockname(),
                                         raddr=client.getpeername())
    a, b = unix_pair(mod, socks)
    # Unnamed AF_UNIX sockets have an empty address: left out.
    assert repr(a) == expected_repr(a)
    s.close()
    assert repr(s) == expected_repr(s, closed=True)
    assert "[closed] fd=-1" in repr(s)
    if mod is not stdsocket:
        assert repr(s).startswith("<%s.socket [closed]"
                                  % type(s).__module__)


def test_repr_detached(mod):
    s = mod.socket()
    fd = s.detach()
    os.close(fd)
    assert repr(s) == expected_repr(s, closed=True)


# ---------------------------------------------------- context manager


def test_context_manager(mod):
    s = mod.socket()
    with s as t:
        assert t is s
        fd = s.fileno()
    assert s.fileno() == -1
    assert not fd_is_open(fd)
    with pytest.raises(ZeroDivisionError):
        with mod.socket() as u:
            1 / 0
    assert u.fileno() == -1 and u._closed


def test_context_manager_closed(mod):
    s = mod.socket()
    s.close()
    with s as t:
        assert t is s


# ------------------------------------------------------ finalization


def test_resource_warning(mod):
    s = mod.socket()
    fd = s.fileno()
    text = repr(s)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        del s
        gc.collect()
    found = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert len(found) == 1
    assert str(found[0].message) == "unclosed " + text
    # The finalizer closed the descriptor.
    assert not fd_is_open(fd)


def test_no_resource_warning_when_closed(mod):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = mod.socket()
        s.close()
        del s
        t = mod.socket()
        fd = t.detach()
        del t
        gc.collect()
    os.close(fd)
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_weakref(mod):
    import weakref
    s = mod.socket()
    r = weakref.ref(s)
    assert r() is s
    s.close()
    del s
    gc.collect()
    assert r() is None


# ------------------------------------------------------------ pickling


def test_pickling_refused(mod, socks):
    s = mod.socket()
    socks.append(s)
    for proto in range(pickle.HIGHEST_PROTOCOL + 1):
        with pytest.raises(TypeError) as e:
            pickle.dumps(s, proto)
        if proto >= 2:
            # Protocols 0 and 1 fail inside copyreg with another message.
            assert str(e.value) == "cannot pickle 'socket' object"
    with pytest.raises(TypeError) as e:
        copy.copy(s)
    assert str(e.value) == "cannot pickle 'socket' object"
    with pytest.raises(TypeError):
        copy.deepcopy(s)


# ---------------------------------------------------------- subclassing


def test_subclass(mod, socks):
    class Tagged(mod.socket):
        def __init__(self, *args, tag=None, **kwargs):
            super().__init__(*args, **kwargs)
            self.tag = tag
            self.extra = []

    s = Tagged(mod.AF_INET, mod.SOCK_DGRAM, tag="t")
    socks.append(s)
    assert isinstance(s, mod.socket)
    assert s.tag == "t" and s.extra == []
    assert s.family is mod.AF_INET and s.type is mod.SOCK_DGRAM
    s.other = 5
    assert s.other == 5
    assert repr(s).startswith("<%s.%s fd=" % (Tagged.__module__,
                                               Tagged.__qualname__))
    # dup() makes an object of the same class; __init__ gets no tag.
    d = s.dup()
    socks.append(d)
    assert type(d) is Tagged and d.tag is None
    s.bind(("127.0.0.1", 0))
    assert s.getsockname()[0] == "127.0.0.1"


def test_subclass_accept_returns_plain_socket(mod, socks):
    class Listener(mod.socket):
        pass

    listener = Listener()
    socks.append(listener)
    listener.settimeout(TIMEOUT)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    c = mod.socket()
    socks.append(c)
    c.settimeout(TIMEOUT)
    c.connect(listener.getsockname())
    conn, _ = listener.accept()
    socks.append(conn)
    assert type(conn) is mod.socket


def test_subclass_overrides_used(mod, socks):
    calls = []

    class Logged(mod.socket):
        def close(self):
            calls.append("close")
            super().close()

    with Logged() as s:
        pass
    assert calls == ["close"]
    assert s.fileno() == -1


# ----------------------------------------------------- io refs logic


def test_io_refs_delay_close(mod):
    s = mod.socket()
    s._io_refs = 1
    s.close()
    assert s._closed is True
    assert s.fileno() != -1   # a makefile() object still uses it
    s._decref_socketios()
    assert s._io_refs == 0
    assert s.fileno() == -1


def test_real_close(mod):
    s = mod.socket()
    fd = s.fileno()
    s._real_close()
    assert s.fileno() == -1
    assert not fd_is_open(fd)


# ---------------------------------------------- methods on a closed socket

EBADF = ("raises", OSError, errno.EBADF)

CLOSED_CALLS = [
    ("accept", (), EBADF),
    ("bind", (("127.0.0.1", 0),), EBADF),
    ("connect", (("127.0.0.1", 1),), EBADF),
    ("connect_ex", (("127.0.0.1", 1),), ("returns", errno.EBADF)),
    ("listen", (), EBADF),
    ("listen", (5,), EBADF),
    ("recv", (1,), EBADF),
    ("recvfrom", (1,), EBADF),
    ("recv_into", (bytearray(1),), EBADF),
    ("recvfrom_into", (bytearray(1),), EBADF),
    ("send", (b"x",), EBADF),
    ("sendall", (b"x",), EBADF),
    ("sendto", (b"x", ("127.0.0.1", 1)), EBADF),
    ("shutdown", (stdsocket.SHUT_RDWR,), EBADF),
    ("setsockopt", (stdsocket.SOL_SOCKET, stdsocket.SO_REUSEADDR, 1), EBADF),
    ("getsockopt", (stdsocket.SOL_SOCKET, stdsocket.SO_REUSEADDR), EBADF),
    ("getsockname", (), EBADF),
    ("getpeername", (), EBADF),
    ("setblocking", (True,), EBADF),
    ("settimeout", (1.0,), EBADF),
    ("get_inheritable", (), EBADF),
    ("set_inheritable", (True,), EBADF),
    ("dup", (), EBADF),
    ("fileno", (), ("returns", -1)),
    ("detach", (), ("returns", -1)),
    ("close", (), ("returns", None)),
    ("gettimeout", (), ("returns", None)),
    ("getblocking", (), ("returns", True)),
]


@pytest.mark.parametrize("name,args,expect", CLOSED_CALLS,
                         ids=["%s%d" % (c[0], len(c[1]))
                              for c in CLOSED_CALLS])
def test_closed_socket(mod, name, args, expect):
    s = mod.socket()
    s.close()
    if expect[0] == "raises":
        with pytest.raises(expect[1]) as e:
            getattr(s, name)(*args)
        assert e.value.errno == expect[2]
    else:
        assert getattr(s, name)(*args) == expect[1]


def test_closed_socket_argument_errors_first(mod):
    # Bad arguments are reported as such even on a closed socket.
    s = mod.socket()
    s.close()
    with pytest.raises(ValueError):
        s.recv(-1)
    with pytest.raises(TypeError):
        s.send("text")
