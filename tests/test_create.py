"""The module-level helpers: create_connection, create_server,
has_dualstack_ipv6, socketpair and fromfd.

Behaviour tests run against the stdlib `socket` and `csocket` alike (the
`mod` fixture); the stdlib is the oracle.  Where the exact wording of an
error matters, a test calls both modules and compares the exceptions.
Everything stays on loopback and port 0.
"""

import errno
import os
import socket as std
import threading

import pytest

import csocket

# The `mod` fixture (tests/conftest.py) gives the stdlib, then csocket.
MODULES = [std, csocket]


def _ipv6_loopback():
    try:
        with std.socket(std.AF_INET6, std.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


HAVE_IPV6 = _ipv6_loopback()
need_ipv6 = pytest.mark.skipif(not HAVE_IPV6,
                               reason="no IPv6 loopback")


def listener(family=std.AF_INET, host="127.0.0.1"):
    """A stdlib listening socket on loopback: the helper under test only
    ever runs on the client side."""
    s = std.socket(family, std.SOCK_STREAM)
    s.bind((host, 0))
    s.listen()
    return s


def dead_port(host="127.0.0.1", family=std.AF_INET):
    """A port on which nothing listens (bound, then closed)."""
    with std.socket(family, std.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def open_fds():
    return len(os.listdir("/proc/self/fd"))


def outcome(fn, *args, **kwargs):
    """(exception type, message) of a call, or ('ok', None)."""
    try:
        result = fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - comparing any failure
        return type(exc), str(exc)
    if hasattr(result, "close"):
        result.close()
    elif isinstance(result, tuple):
        for r in result:
            r.close()
    return "ok", None


def same_outcome(name, *args, **kwargs):
    """Call name(*args, **kwargs) in both modules; compare the results."""
    expected = outcome(getattr(std, name), *args, **kwargs)
    got = outcome(getattr(csocket, name), *args, **kwargs)
    assert got == expected


# ---------------------------------------------------------------------
# create_connection


def test_create_connection_ipv4(mod):
    with listener() as srv:
        addr = srv.getsockname()
        with mod.create_connection(addr) as c:
            conn, peer = srv.accept()
            with conn:
                assert c.getpeername() == addr
                assert peer == c.getsockname()
                assert c.family == std.AF_INET
                assert c.type == std.SOCK_STREAM
                c.sendall(b"ping")
                assert conn.recv(4) == b"ping"


@need_ipv6
def test_create_connection_ipv6(mod):
    with listener(std.AF_INET6, "::1") as srv:
        port = srv.getsockname()[1]
        with mod.create_connection(("::1", port)) as c:
            srv.accept()[0].close()
            assert c.family == std.AF_INET6
            assert c.getpeername()[:2] == ("::1", port)


def test_create_connection_list_address(mod):
    with listener() as srv:
        host, port = srv.getsockname()
        with mod.create_connection([host, port]):
            srv.accept()[0].close()


def test_create_connection_timeout(mod):
    with listener() as srv:
        addr = srv.getsockname()
        with mod.create_connection(addr, timeout=2.5) as c:
            assert c.gettimeout() == 2.5
        with mod.create_connection(addr, 7) as c:
            assert c.gettimeout() == 7.0
        with mod.create_connection(addr, None) as c:
            assert c.gettimeout() is None
            assert c.getblocking()


def test_create_connection_default_timeout(mod):
    with listener() as srv:
        addr = srv.getsockname()
        old = mod.getdefaulttimeout()
        try:
            mod.setdefaulttimeout(4.25)
            with mod.create_connection(addr) as c:
                assert c.gettimeout() == 4.25
            # The sentinel itself means "the default" too.
            with mod.create_connection(addr,
                                       mod._GLOBAL_DEFAULT_TIMEOUT) as c:
                assert c.gettimeout() == 4.25
            mod.setdefaulttimeout(None)
            with mod.create_connection(addr) as c:
                assert c.gettimeout() is None
        finally:
            mod.setdefaulttimeout(old)


def test_create_connection_source_address(mod):
    with listener() as srv:
        with std.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            src_port = probe.getsockname()[1]
        # A port just released may be taken again meanwhile; port 0 is
        # safe and still proves that bind() ran (the address is fixed).
        for src in [("127.0.0.1", src_port), ("127.0.0.1", 0)]:
            try:
                c = mod.create_connection(srv.getsockname(),
                                          source_address=src)
            except OSError as exc:
                if src[1] and exc.errno == errno.EADDRINUSE:
                    continue
                raise
            with c:
                conn, peer = srv.accept()
                conn.close()
                assert peer == c.getsockname()
                if src[1]:
                    assert peer == src


def test_create_connection_falsy_source_address_is_ignored(mod):
    with listener() as srv:
        for src in [None, (), ""]:
            with mod.create_connection(srv.getsockname(),
                                       source_address=src):
                srv.accept()[0].close()


def test_create_connection_bad_source_address(mod):
    with listener() as srv:
        with pytest.raises(TypeError):
            mod.create_connection(srv.getsockname(), None, 5)
        with pytest.raises(TypeError):
            mod.create_connection(srv.getsockname(), None,
                                  ("127.0.0.1", "x"))


def test_create_connection_refused(mod):
    port = dead_port()
    with pytest.raises(ConnectionRefusedError) as info:
        mod.create_connection(("127.0.0.1", port))
    assert info.value.errno == errno.ECONNREFUSED
    with pytest.raises(ConnectionRefusedError):
        mod.create_connection(("127.0.0.1", port), timeout=5)


def test_create_connection_all_errors(mod):
    port = dead_port()
    with pytest.raises(ExceptionGroup) as info:
        mod.create_connection(("localhost", port), all_errors=True)
    eg = info.value
    assert str(eg).startswith("create_connection failed")
    infos = mod.getaddrinfo("localhost", port, 0, mod.SOCK_STREAM)
    assert len(eg.exceptions) == len(infos)
    for exc in eg.exceptions:
        assert isinstance(exc, OSError)
        assert exc.errno in (errno.ECONNREFUSED, errno.EADDRNOTAVAIL,
                             errno.EAFNOSUPPORT)
    # all_errors=False (and any false value) raises the last error alone.
    with pytest.raises(ConnectionRefusedError):
        mod.create_connection(("127.0.0.1", port), all_errors=0)


def test_create_connection_falls_back_to_next_address(mod):
    # host None resolves to the loopback addresses (::1 first where IPv6
    # is configured); only the IPv4 one listens, so every earlier entry
    # fails and the loop must go on to it.
    with listener() as srv:
        port = srv.getsockname()[1]
        infos = mod.getaddrinfo(None, port, 0, mod.SOCK_STREAM)
        if len(infos) < 2 or infos[-1][0] != std.AF_INET:
            pytest.skip("host None does not resolve to [..., IPv4]")
        with mod.create_connection((None, port), timeout=5) as c:
            srv.accept()[0].close()
            assert c.family == std.AF_INET


def test_create_connection_all_errors_every_address(mod):
    port = dead_port()
    infos = mod.getaddrinfo(None, port, 0, mod.SOCK_STREAM)
    with pytest.raises(ExceptionGroup) as info:
        mod.create_connection((None, port), all_errors=True)
    assert len(info.value.exceptions) == len(infos)
    # Without all_errors, the error of the last address alone.
    with pytest.raises(ConnectionRefusedError):
        mod.create_connection((None, port))


def test_create_connection_non_blocking(mod):
    # timeout=0 makes the connect non-blocking: EINPROGRESS comes out.
    with pytest.raises(BlockingIOError) as info:
        mod.create_connection(("127.0.0.1", dead_port()), 0)
    assert info.value.errno == errno.EINPROGRESS


def test_create_connection_all_errors_group_repr():
    port = dead_port()
    reprs = []
    for m in MODULES:
        try:
            m.create_connection(("127.0.0.1", port), all_errors=True)
        except ExceptionGroup as eg:
            reprs.append((repr(eg), [repr(e) for e in eg.exceptions]))
    assert len(reprs) == 2
    assert reprs[0] == reprs[1]


def test_create_connection_error_has_traceback_and_no_context(mod):
    port = dead_port()
    try:
        mod.create_connection(("127.0.0.1", port))
    except OSError as exc:
        assert exc.__context__ is None
        assert exc.__traceback__ is not None


def test_create_connection_unresolvable(mod):
    # A numeric host with a service name the resolver refuses for
    # SOCK_STREAM: no DNS traffic, a gaierror from getaddrinfo.
    with pytest.raises(mod.gaierror):
        mod.create_connection(("127.0.0.1", "no-such-service-xyz"))


@pytest.mark.parametrize("address", [
    "abc", "ab", 5, ("127.0.0.1",), ("127.0.0.1", 1, 2), None, (),
    b"ab",
])
def test_create_connection_address_shape(address):
    same_outcome("create_connection", address)


@pytest.mark.parametrize("timeout", [-1, "x", 1j])
def test_create_connection_bad_timeout(mod, timeout):
    with listener() as srv:
        before = open_fds()
        with pytest.raises((ValueError, TypeError)):
            mod.create_connection(srv.getsockname(), timeout)
        assert open_fds() == before


def test_create_connection_bad_timeout_messages():
    with listener() as srv:
        for t in [-1, "x"]:
            same_outcome("create_connection", srv.getsockname(), t)


def test_create_connection_empty_getaddrinfo(mod, monkeypatch):
    monkeypatch.setattr(mod, "getaddrinfo", lambda *a, **k: [])
    with pytest.raises(OSError) as info:
        mod.create_connection(("127.0.0.1", 1))
    assert type(info.value) is OSError
    assert str(info.value) == "getaddrinfo returns an empty list"


def test_create_connection_uses_patched_getaddrinfo(mod, monkeypatch):
    calls = []
    real = mod.getaddrinfo

    def fake(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(mod, "getaddrinfo", fake)
    with listener() as srv:
        host, port = srv.getsockname()
        with mod.create_connection((host, port)):
            srv.accept()[0].close()
    assert calls == [(host, port, 0, mod.SOCK_STREAM)]


def test_create_connection_uses_patched_socket(mod, monkeypatch):
    # test_socket's NetworkConnectionNoServer does this: a timeout from
    # connect() must come out as TimeoutError, not be recast.
    class TimeoutSocket(mod.socket):
        def connect(self, *args):
            raise TimeoutError("timed out")

    monkeypatch.setattr(mod, "socket", TimeoutSocket)
    with pytest.raises(TimeoutError):
        mod.create_connection(("127.0.0.1", 1234))


def test_create_connection_non_oserror_propagates(mod, monkeypatch):
    class Boom(mod.socket):
        def connect(self, *args):
            raise KeyError("boom")

    monkeypatch.setattr(mod, "socket", Boom)
    before = open_fds()
    with pytest.raises(KeyError):
        mod.create_connection(("127.0.0.1", 1))
    import gc
    gc.collect()
    assert open_fds() == before


@pytest.mark.parametrize("args,kwargs", [
    ((), {}),
    ((("127.0.0.1", 1), None, None, True), {}),
    ((("127.0.0.1", 1), None, None, True), {"all_errors": 1}),
    ((("127.0.0.1", 1),), {"bogus": 1}),
    ((("127.0.0.1", 1), None), {"timeout": 1}),
    ((), {"timeout": 1}),
])
def test_create_connection_argument_errors(args, kwargs):
    same_outcome("create_connection", *args, **kwargs)


def test_create_connection_keywords(mod):
    with listener() as srv:
        with mod.create_connection(address=srv.getsockname(), timeout=3,
                                   source_address=None,
                                   all_errors=True) as c:
            srv.accept()[0].close()
            assert c.gettimeout() == 3


# ---------------------------------------------------------------------
# create_server and has_dualstack_ipv6


def test_create_server_ipv4(mod):
    with mod.create_server(("127.0.0.1", 0)) as srv:
        assert srv.family == std.AF_INET
        assert srv.type == std.SOCK_STREAM
        assert srv.getsockopt(std.SOL_SOCKET, std.SO_REUSEADDR) != 0
        assert srv.getsockopt(std.SOL_SOCKET, std.SO_ACCEPTCONN) == 1
        addr = srv.getsockname()
        with std.create_connection(addr, timeout=5) as c:
            conn, peer = srv.accept()
            with conn:
                assert peer == c.getsockname()


@need_ipv6
def test_create_server_ipv6(mod):
    with mod.create_server(("::1", 0), family=mod.AF_INET6) as srv:
        assert srv.family == std.AF_INET6
        assert srv.getsockopt(std.IPPROTO_IPV6, std.IPV6_V6ONLY) == 1
        port = srv.getsockname()[1]
        with std.create_connection(("::1", port), timeout=5):
            srv.accept()[0].close()


@need_ipv6
def test_create_server_dualstack(mod):
    if not mod.has_dualstack_ipv6():
        pytest.skip("no dual-stack IPv6")
    with mod.create_server(("", 0), family=mod.AF_INET6,
                           dualstack_ipv6=True) as srv:
        assert srv.getsockopt(std.IPPROTO_IPV6, std.IPV6_V6ONLY) == 0
        port = srv.getsockname()[1]
        with std.create_connection(("127.0.0.1", port), timeout=5):
            conn, peer = srv.accept()
            conn.close()
            assert peer[0] == "::ffff:127.0.0.1"
        with std.create_connection(("::1", port), timeout=5):
            srv.accept()[0].close()


def test_create_server_dualstack_errors(mod, monkeypatch):
    with pytest.raises(ValueError,
                       match="^dualstack_ipv6 requires AF_INET6 family$"):
        mod.create_server(("127.0.0.1", 0), dualstack_ipv6=True)
    with pytest.raises(ValueError, match="requires AF_INET6"):
        mod.create_server(("", 0), family="x", dualstack_ipv6=True)
    monkeypatch.setattr(mod, "has_dualstack_ipv6", lambda: False)
    with pytest.raises(
            ValueError,
            match="^dualstack_ipv6 not supported on this platform$"):
        mod.create_server(("", 0), family=mod.AF_INET6, dualstack_ipv6=True)


def test_create_server_reuse_port(mod):
    if not hasattr(std, "SO_REUSEPORT"):
        with pytest.raises(ValueError, match="SO_REUSEPORT not supported"):
            mod.create_server(("127.0.0.1", 0), reuse_port=True)
        return
    with mod.create_server(("127.0.0.1", 0), reuse_port=True) as a:
        assert a.getsockopt(std.SOL_SOCKET, std.SO_REUSEPORT) != 0
        # A second server may share the port with SO_REUSEPORT.
        with mod.create_server(a.getsockname(), reuse_port=True) as b:
            assert b.getsockname() == a.getsockname()
    with mod.create_server(("127.0.0.1", 0)) as c:
        assert c.getsockopt(std.SOL_SOCKET, std.SO_REUSEPORT) == 0


@pytest.mark.parametrize("backlog", [None, 0, 1, 5, -5, 128])
def test_create_server_backlog(mod, backlog):
    with mod.create_server(("127.0.0.1", 0), backlog=backlog) as srv:
        assert srv.getsockopt(std.SOL_SOCKET, std.SO_ACCEPTCONN) == 1


@pytest.mark.parametrize("backlog", ["x", 2 ** 40, 1.5])
def test_create_server_bad_backlog(backlog):
    before = open_fds()
    same_outcome("create_server", ("127.0.0.1", 0), backlog=backlog)
    assert open_fds() == before


def test_create_server_bind_error_message(mod):
    with mod.create_server(("127.0.0.1", 0)) as first:
        addr = first.getsockname()
        before = open_fds()
        with pytest.raises(OSError) as info:
            mod.create_server(addr)
        assert open_fds() == before
    exc = info.value
    assert type(exc) is OSError
    assert exc.errno == errno.EADDRINUSE
    assert exc.strerror == (
        "%s (while attempting to bind on address %r)"
        % (os.strerror(errno.EADDRINUSE), addr))
    assert exc.args == (errno.EADDRINUSE, exc.strerror)
    assert exc.__suppress_context__
    assert exc.__cause__ is None
    assert isinstance(exc.__context__, OSError)
    assert exc.__context__.errno == errno.EADDRINUSE


def test_create_server_bind_error_subclass(mod, tmp_path):
    # The rewritten error keeps the errno, hence the subclass.
    path = str(tmp_path / "missing" / "sock")
    with pytest.raises(FileNotFoundError) as info:
        mod.create_server(path, family=mod.AF_UNIX)
    assert info.value.strerror.endswith(
        "(while attempting to bind on address %r)" % path)


def test_create_server_bind_gaierror_rewritten(mod):
    # gaierror is an OSError: it is rewritten as well (numeric host, wrong
    # family; no DNS traffic).
    with pytest.raises(OSError) as info:
        mod.create_server(("127.0.0.1", 0), family=mod.AF_INET6)
    assert type(info.value) is OSError
    assert info.value.errno == std.EAI_ADDRFAMILY
    assert info.value.strerror.endswith(
        "(while attempting to bind on address ('127.0.0.1', 0))")


def test_create_server_unix(mod, tmp_path):
    path = str(tmp_path / "srv")
    with mod.create_server(path, family=mod.AF_UNIX) as srv:
        assert srv.family == std.AF_UNIX
        assert srv.getsockname() == path
        with std.socket(std.AF_UNIX) as c:
            c.connect(path)
            srv.accept()[0].close()


@pytest.mark.parametrize("address,kwargs", [
    (("127.0.0.1", 0, 5), {}),
    (5, {}),
    (("127.0.0.1", 0), {"family": "x"}),
    (("127.0.0.1", 0), {"family": 999}),
    (("127.0.0.1", 0), {"family": std.AF_INET6}),
    (("127.0.0.1", 0), {"family": std.AF_INET, "dualstack_ipv6": True}),
])
def test_create_server_errors_match(address, kwargs):
    before = open_fds()
    same_outcome("create_server", address, **kwargs)
    assert open_fds() == before


@pytest.mark.parametrize("args,kwargs", [
    ((), {}),
    ((("127.0.0.1", 0), 2), {}),
    ((("127.0.0.1", 0), 2), {"family": 2}),
    ((("127.0.0.1", 0),), {"bogus": 2}),
    ((("127.0.0.1", 0),), {"address": 2}),
])
def test_create_server_argument_errors(args, kwargs):
    same_outcome("create_server", *args, **kwargs)


def recorded_calls(m, monkeypatch, fn):
    """The socket constructor and method calls fn() makes, through a
    recording subclass put in place of m.socket."""
    calls = []
    base = m.socket

    class Recorder(base):
        def __init__(self, *args, **kwargs):
            calls.append(("__init__", args, kwargs))
            super().__init__(*args, **kwargs)

    for meth in ("settimeout", "setsockopt", "bind", "connect", "listen",
                 "close"):
        def wrapper(self, *args, _name=meth):
            calls.append((_name, args))
            return getattr(base, _name)(self, *args)
        setattr(Recorder, meth, wrapper)

    with monkeypatch.context() as mp:
        mp.setattr(m, "socket", Recorder)
        try:
            result = fn(m)
        except Exception as exc:  # noqa: BLE001 - compared below
            result = exc
        else:
            if isinstance(result, base):
                result.close()
                calls.pop()   # our own close()
                result = "a socket"
    # Ports differ between the two runs; replace them.
    return [tuple(str(x) if isinstance(x, int) and x > 1024 else x
                  for x in c) for c in calls], (
        result if isinstance(result, (bool, str)) else type(result))


@pytest.mark.parametrize("fn", [
    lambda m: m.create_server(("127.0.0.1", 0)),
    lambda m: m.create_server(("127.0.0.1", 0), backlog=3, reuse_port=True),
    lambda m: m.create_server(("::1", 0), family=m.AF_INET6),
    lambda m: m.create_server(("", 0), family=m.AF_INET6,
                              dualstack_ipv6=True),
    lambda m: m.create_server(("127.0.0.1", 0), family=m.AF_INET6),
    lambda m: m.create_connection(("127.0.0.1", 1), 2.5,
                                  ("127.0.0.1", 0)),
    lambda m: m.create_connection((None, 1), all_errors=True),
    lambda m: m.has_dualstack_ipv6(),
], ids=["server", "server-opts", "server6", "dualstack", "server-bad",
        "conn", "conn-all", "dualstack-check"])
def test_same_socket_calls(monkeypatch, fn):
    if not HAVE_IPV6:
        pytest.skip("no IPv6 loopback")
    std_calls = recorded_calls(std, monkeypatch, fn)
    cs_calls = recorded_calls(csocket, monkeypatch, fn)
    assert cs_calls == std_calls


def test_has_dualstack_ipv6():
    assert csocket.has_dualstack_ipv6() is std.has_dualstack_ipv6()
    same_outcome("has_dualstack_ipv6", 1)
    same_outcome("has_dualstack_ipv6", x=1)


def test_has_dualstack_ipv6_no_leak(mod):
    mod.has_dualstack_ipv6()
    before = open_fds()
    for _ in range(50):
        mod.has_dualstack_ipv6()
    assert open_fds() == before


# ---------------------------------------------------------------------
# socketpair


def test_socketpair_default(mod):
    a, b = mod.socketpair()
    with a, b:
        for s in (a, b):
            assert s.family == std.AF_UNIX
            assert s.type == std.SOCK_STREAM
            assert s.proto == 0
            assert s.gettimeout() is None
        a.sendall(b"abc")
        assert b.recv(3) == b"abc"
        b.sendall(b"xyz")
        assert a.recv(3) == b"xyz"


@pytest.mark.parametrize("kind", ["SOCK_STREAM", "SOCK_DGRAM",
                                  "SOCK_SEQPACKET"])
def test_socketpair_types(mod, kind):
    a, b = mod.socketpair(mod.AF_UNIX, getattr(mod, kind))
    with a, b:
        assert a.type == b.type == getattr(std, kind)
        assert a.family == b.family == std.AF_UNIX
        a.send(b"m")
        assert b.recv(1) == b"m"


def test_socketpair_none_family_and_keywords(mod):
    a, b = mod.socketpair(None, mod.SOCK_DGRAM)
    with a, b:
        assert a.family == std.AF_UNIX
        assert a.type == std.SOCK_DGRAM
    a, b = mod.socketpair(family=mod.AF_UNIX, type=mod.SOCK_STREAM,
                          proto=0)
    a.close()
    b.close()


def test_socketpair_nonblock_flag(mod):
    if not hasattr(std, "SOCK_NONBLOCK"):
        pytest.skip("no SOCK_NONBLOCK")
    a, b = mod.socketpair(mod.AF_UNIX, mod.SOCK_STREAM | mod.SOCK_NONBLOCK)
    with a, b:
        assert a.type == std.SOCK_STREAM
        assert a.gettimeout() == 0.0
        assert not os.get_blocking(a.fileno())


def test_socketpair_default_timeout(mod):
    old = mod.getdefaulttimeout()
    try:
        mod.setdefaulttimeout(2.5)
        a, b = mod.socketpair()
        with a, b:
            assert a.gettimeout() == b.gettimeout() == 2.5
    finally:
        mod.setdefaulttimeout(old)


@pytest.mark.parametrize("args,kwargs", [
    (("x",), {}),
    ((std.AF_INET,), {}),
    ((std.AF_UNIX, 999), {}),
    ((std.AF_UNIX, std.SOCK_STREAM, 5), {}),
    ((2 ** 40,), {}),
    ((-2 ** 40,), {}),
    ((2 ** 70,), {}),
    ((1.5,), {}),
    ((1, 2, 3, 4), {}),
    ((), {"foo": 1}),
    ((1,), {"family": 1}),
])
def test_socketpair_errors(args, kwargs):
    before = open_fds()
    same_outcome("socketpair", *args, **kwargs)
    assert open_fds() == before


def test_socketpair_no_leak(mod):
    before = open_fds()
    for _ in range(100):
        a, b = mod.socketpair()
        a.close()
        b.close()
    assert open_fds() == before


# ---------------------------------------------------------------------
# fromfd


def test_fromfd(mod):
    a, b = std.socketpair()
    with a, b:
        s = mod.fromfd(a.fileno(), mod.AF_UNIX, mod.SOCK_STREAM)
        with s:
            assert s.fileno() != a.fileno()
            assert s.family == std.AF_UNIX
            assert s.type == std.SOCK_STREAM
            assert s.proto == 0
            s.sendall(b"dup")
            assert b.recv(3) == b"dup"
        # Closing the copy leaves the original open.
        a.sendall(b"ok")
        assert b.recv(2) == b"ok"


def test_fromfd_tcp(mod):
    with listener() as srv:
        c = std.create_connection(srv.getsockname())
        conn = srv.accept()[0]
        with c, conn:
            s = mod.fromfd(c.fileno(), mod.AF_INET, mod.SOCK_STREAM, 0)
            with s:
                assert s.getpeername() == srv.getsockname()
                assert s.proto == 0
                s.sendall(b"z")
                assert conn.recv(1) == b"z"
            # Family/type/proto are taken as given, not checked.
            s = mod.fromfd(c.fileno(), 12345, 77, proto=3)
            with s:
                assert (int(s.family), int(s.type), s.proto) == (12345, 77, 3)


def test_fromfd_keywords(mod):
    a, b = std.socketpair()
    with a, b:
        mod.fromfd(fd=a.fileno(), family=mod.AF_UNIX,
                   type=mod.SOCK_STREAM).close()


def test_fromfd_default_timeout(mod):
    a, b = std.socketpair()
    old = mod.getdefaulttimeout()
    with a, b:
        try:
            mod.setdefaulttimeout(1.5)
            with mod.fromfd(a.fileno(), mod.AF_UNIX, mod.SOCK_STREAM) as s:
                assert s.gettimeout() == 1.5
        finally:
            mod.setdefaulttimeout(old)


def test_fromfd_closed_fd(mod):
    s = std.socket()
    fd = s.fileno()
    s.close()
    with pytest.raises(OSError) as info:
        mod.fromfd(fd, mod.AF_INET, mod.SOCK_STREAM)
    assert info.value.errno == errno.EBADF
    with pytest.raises(OSError) as info:
        mod.fromfd(-1, mod.AF_INET, mod.SOCK_STREAM)
    assert info.value.errno == errno.EBADF


def test_fromfd_not_a_socket(mod):
    r, w = os.pipe()
    try:
        before = open_fds()
        with pytest.raises(OSError) as info:
            mod.fromfd(r, mod.AF_INET, mod.SOCK_STREAM)
        assert info.value.errno == errno.ENOTSOCK
        # The stdlib (3.11) leaks the duplicate here; csocket must not.
        if mod is csocket:
            assert open_fds() == before
    finally:
        os.close(r)
        os.close(w)


@pytest.mark.parametrize("args,kwargs", [
    (("x", 1, 1), {}),
    ((1.5, 1, 1), {}),
    ((2 ** 70, 1, 1), {}),
    ((-1, "x", 1), {}),
    ((), {}),
    ((1,), {"proto": 1}),
    ((1, 2, 3, 4, 5), {}),
    ((1, 2, 3), {"x": 4}),
    ((1, 2, 3), {"fd": 4}),
])
def test_fromfd_argument_errors(args, kwargs):
    same_outcome("fromfd", *args, **kwargs)


def test_fromfd_bad_family_no_leak():
    # The stdlib leaks the duplicate when the socket constructor refuses
    # the other arguments; csocket closes it.  Only the exceptions are
    # compared here.
    a, b = std.socketpair()
    with a, b:
        for args in [(a.fileno(), "x", 1), (a.fileno(), 1, "x"),
                     (a.fileno(), 2 ** 40, 1), (a.fileno(), -2 ** 40, 1),
                     (a.fileno(), 2 ** 70, 1), (a.fileno(), 1, 1, 2 ** 40),
                     (a.fileno(), 1.0, 1)]:
            exp = outcome(std.fromfd, *args)
            before = open_fds()
            got = outcome(csocket.fromfd, *args)
            assert open_fds() == before
            assert got == exp


# ---------------------------------------------------------------------
# Descriptor leaks over many failing calls


def test_no_fd_leak_on_failures(mod):
    port = dead_port()
    with mod.create_server(("127.0.0.1", 0)) as busy:
        busy_addr = busy.getsockname()
        r, w = os.pipe()
        try:
            before = open_fds()
            for _ in range(200):
                with pytest.raises(ConnectionRefusedError):
                    mod.create_connection(("127.0.0.1", port))
                with pytest.raises(ExceptionGroup):
                    mod.create_connection(("127.0.0.1", port),
                                          all_errors=True)
                with pytest.raises(OSError):
                    mod.create_server(busy_addr)
                if mod is csocket:  # the stdlib leaks one fd each time
                    with pytest.raises(OSError):
                        mod.fromfd(r, mod.AF_INET, mod.SOCK_STREAM)
                with pytest.raises(ValueError):
                    mod.create_connection(("127.0.0.1", port), -1)
            assert open_fds() == before
        finally:
            os.close(r)
            os.close(w)


def test_threads_create_connection(mod):
    """Several threads connecting at once (the GIL is released)."""
    with listener() as srv:
        srv.settimeout(10)
        addr = srv.getsockname()
        errors = []

        def client():
            try:
                with mod.create_connection(addr, timeout=10) as c:
                    c.sendall(b"x")
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for _ in threads:
            conn = srv.accept()[0]
            conn.close()
        for t in threads:
            t.join(10)
        assert not errors


# ---------------------------------------------------------------------
# Audit events (in a child: audit hooks cannot be removed)

AUDIT_SNIPPET = """
import sys, importlib
m = importlib.import_module(%r)
events = []

def hook(event, args):
    if event == "socket.__new__":
        # (family, type) only: the proto reported for socket(f, t)
        # without a descriptor is checked by the socket type's tests.
        events.append((event, args[1], args[2]))
    elif event.startswith("socket."):
        events.append((event,))

sys.addaudithook(hook)
srv = m.create_server(("127.0.0.1", 0), backlog=5)
c = m.create_connection(srv.getsockname(), 5)
a, b = m.socketpair()
f = m.fromfd(a.fileno(), m.AF_UNIX, m.SOCK_STREAM | m.SOCK_NONBLOCK)
m.has_dualstack_ipv6()
for x in (srv, c, a, b, f):
    x.close()
print(events)
"""


def test_audit_events(run_snippet):
    out = [run_snippet(AUDIT_SNIPPET % name).stdout
           for name in ("socket", "csocket")]
    assert out[1] == out[0]
