"""Socket addresses: Python objects <-> sockaddr (src/binding/address.c).

Every behaviour test runs the same action against the stdlib `socket`
module (the oracle) and against the module under test (`mod`), and
compares the outcomes: the value returned, or the exception's class,
message and errno.  Ephemeral ports and temporary directory names are
normalised away before comparing.

Only loopback and AF_UNIX sockets are used; every bind is to port 0.
The `mod` fixture (stdlib, then csocket) comes from conftest.py.
"""

import array
import os
import socket
import sys
import tempfile
import tracemalloc

import pytest

def has_ipv6():
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_DGRAM) as s:
            s.bind(("::1", 0))
    except OSError:
        return False
    return True


HAVE_IPV6 = has_ipv6()
needs_ipv6 = pytest.mark.skipif(not HAVE_IPV6, reason="no IPv6 loopback")
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="Linux behaviour")


def outcome(fn):
    """fn()'s result, or a comparable description of what it raised."""
    try:
        return ("ok", fn())
    except Exception as e:  # noqa: BLE001 - compared, not swallowed
        # gaierror and herror are the very stdlib classes in csocket;
        # compare OSError subclasses by name so that both sides match.
        return (type(e).__name__, str(e), getattr(e, "errno", None))


def same_outcome(action, m, *args):
    """Run action(module, *args) on the stdlib and on m; return both."""
    return outcome(lambda: action(socket, *args)), \
        outcome(lambda: action(m, *args))


def norm_port(addr):
    """An INET address with the port zeroed (ephemeral ports differ)."""
    if isinstance(addr, tuple) and len(addr) >= 2:
        return (addr[0], 0) + tuple(addr[2:])
    return addr


# ---------------------------------------------------------------- helpers
class Idx:
    def __init__(self, v):
        self.v = v

    def __index__(self):
        return self.v


class BadIdx:
    def __index__(self):
        raise ValueError("boom")


class OverflowIdx:
    def __index__(self):
        raise OverflowError("custom")


class StrIdx:
    def __index__(self):
        return "x"


class MyInt(int):
    pass


class MyStr(str):
    pass


class MyBytes(bytes):
    pass


class MyTuple(tuple):
    pass


class LyingTuple(tuple):
    def __len__(self):
        return 5


# ------------------------------------------------------------------ AF_INET
INET_CASES = [
    "127.0.0.1", ["127.0.0.1", 0], ("127.0.0.1",), ("127.0.0.1", 0, 0),
    None, {}, b"127.0.0.1", 0, (), MyTuple(("127.0.0.1", 0)),
    LyingTuple(("127.0.0.1", 0)),
    # host types and encodings
    (1, 0), (None, 0), (1.5, 0), (memoryview(b"127.0.0.1"), 0),
    (b"127.0.0.1", 0), (bytearray(b"127.0.0.1"), 0),
    (MyStr("127.0.0.1"), 0), (MyBytes(b"127.0.0.1"), 0),
    ("127.0.0.1\0", 0), (b"127.0.0.1\0x", 0), (bytearray(b"\0"), 0),
    ("\udcff", 0), ("\ud800", 0), ("xn--\xfc", 0), ("\xfc" * 70 + ".com", 0),
    ("\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34", 0),
    # special and numeric hosts
    ("", 0), ("<broadcast>", 0), (b"<broadcast>", 0),
    ("255.255.255.255", 0), ("localhost", 0), ("0", 0), ("127.1", 0),
    ("0x7f.1", 0), ("127.0.0.010", 0), ("2130706433", 0),
    # names the resolver refuses
    ("::1", 0), (" 127.0.0.1", 0), ("127.0.0.1 ", 0), ("127.0.0.1.", 0),
    ("nonexistent.invalid", 0), ("a" * 300, 0), ("a" * 100000, 0),
    (b"a" * 300, 0), ("a." * 200, 0), (".", 0), ("a..b", 0),
    # ports
    ("127.0.0.1", -1), ("127.0.0.1", 65536), ("127.0.0.1", 2 ** 31),
    ("127.0.0.1", 2 ** 100), ("127.0.0.1", -2 ** 100), ("127.0.0.1", 0.0),
    ("127.0.0.1", "0"), ("127.0.0.1", None), ("127.0.0.1", Idx(0)),
    ("127.0.0.1", Idx(-1)), ("127.0.0.1", Idx(2 ** 70)),
    ("127.0.0.1", BadIdx()), ("127.0.0.1", OverflowIdx()),
    ("127.0.0.1", StrIdx()), ("127.0.0.1", False), ("127.0.0.1", MyInt(0)),
    # which error wins when several are wrong ("::1" is a resolver error
    # for AF_INET that needs no DNS query)
    ("::1", -1), ("::1", 2 ** 40), ("::1", "x"), (1, "x"), ("\udcff", "x"),
    ("127.0.0.1\0", 2 ** 40),
]


def inet_bind(m, addr):
    with m.socket(m.AF_INET, m.SOCK_DGRAM) as s:
        s.bind(addr)
        return norm_port(s.getsockname())


def inet_connect(m, addr):
    with m.socket(m.AF_INET, m.SOCK_DGRAM) as s:
        s.connect(addr)
        return norm_port(s.getpeername())


def inet_connect_ex(m, addr):
    with m.socket(m.AF_INET, m.SOCK_DGRAM) as s:
        return s.connect_ex(addr)


def inet_sendto(m, addr):
    with m.socket(m.AF_INET, m.SOCK_DGRAM) as s:
        return s.sendto(b"", addr)


@pytest.mark.parametrize("addr", INET_CASES, ids=repr)
def test_inet_bind(mod, addr):
    expected, got = same_outcome(inet_bind, mod, addr)
    assert got == expected


@pytest.mark.parametrize("action", [inet_connect, inet_connect_ex,
                                    inet_sendto])
@pytest.mark.parametrize("addr", [
    "x", None, ("127.0.0.1",), (1, 0), ("127.0.0.1", -1),
    ("127.0.0.1", 2 ** 64), ("127.0.0.1\0", 0), ("nonexistent.invalid", 9),
    ("<broadcast>", 9), ("127.0.0.1", 9), ("localhost", 9), ("", 9),
], ids=repr)
def test_inet_caller_names(mod, action, addr):
    """Messages name the method: connect(), connect_ex(), sendto()."""
    expected, got = same_outcome(action, mod, addr)
    assert got == expected


def test_inet_messages_exact(mod):
    s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    with s:
        with pytest.raises(TypeError) as e:
            s.bind("127.0.0.1")
        assert str(e.value) == \
            "bind(): AF_INET address must be tuple, not str"
        with pytest.raises(TypeError) as e:
            s.sendto(b"", ["127.0.0.1", 0])
        assert str(e.value) == \
            "sendto(): AF_INET address must be tuple, not list"
        with pytest.raises(TypeError) as e:
            s.connect(("127.0.0.1",))
        assert str(e.value) == "AF_INET address must be a pair (host, port)"
        with pytest.raises(OverflowError) as e:
            s.connect_ex(("127.0.0.1", 70000))
        assert str(e.value) == "connect_ex(): port must be 0-65535."
        with pytest.raises(TypeError) as e:
            s.bind(("127.0.0.1\0", 0))
        assert str(e.value) == "host name must not contain null character"
        with pytest.raises(TypeError) as e:
            s.bind((5, 0))
        assert str(e.value) == "str, bytes or bytearray expected, not int"
        with pytest.raises(TypeError) as e:
            s.bind(("\udcff", 0))
        assert str(e.value) == "encoding of hostname failed"
        with pytest.raises(socket.gaierror):
            s.bind(("nonexistent.invalid", 0))


def test_inet_getsockname_forms(mod):
    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
        assert s.getsockname() == ("0.0.0.0", 0)
        with pytest.raises(OSError):
            s.getpeername()
        s.bind(("127.0.0.1", 0))
        host, port = s.getsockname()
        assert host == "127.0.0.1" and type(host) is str
        assert type(port) is int and 0 < port < 65536


def test_inet_recvfrom_address(mod):
    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as r, \
            mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as w:
        r.bind(("127.0.0.1", 0))
        r.settimeout(5)
        w.bind(("127.0.0.1", 0))
        w.sendto(b"x", r.getsockname())
        data, addr = r.recvfrom(10)
        assert data == b"x"
        assert addr == w.getsockname()


def test_inet_stream_accept_address(mod):
    with mod.socket(mod.AF_INET, mod.SOCK_STREAM) as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen()
        srv.settimeout(5)
        with mod.socket(mod.AF_INET, mod.SOCK_STREAM) as c:
            c.settimeout(5)
            c.connect(srv.getsockname())
            conn, addr = srv.accept()
            with conn:
                assert addr == c.getsockname()
                assert c.getpeername() == srv.getsockname()
                assert conn.getpeername() == addr


# ----------------------------------------------------------------- AF_INET6
INET6_CASES = [
    "::1", None, ["::1", 0], ("::1",), ("::1", 0, 0, 0, 0),
    LyingTuple(("::1", 0)),
    ("::1", 0), ("::1", 0, 0), ("::1", 0, 0, 0), (b"::1", 0),
    (bytearray(b"::1"), 0), (1, 0), ("::1\0", 0),
    # ports
    ("::1", -1), ("::1", 65536), ("::1", 0.5), ("::1", "0"),
    ("::1", True, True, True),
    # flowinfo: taken modulo 2**32, then checked against 20 bits
    ("::1", 0, -1), ("::1", 0, 1048576), ("::1", 0, 1048575),
    ("::1", 0, 2 ** 32), ("::1", 0, 2 ** 64), ("::1", 0, 2 ** 32 + 1),
    ("::1", 0, 1.0), ("::1", 0, "1"), ("::1", 0, None),
    ("::1", 0, Idx(5)), ("::1", 0, BadIdx()), ("::1", 0, OverflowIdx()),
    ("::1", 0, Idx(2 ** 70)),
    # scope ids: any value modulo 2**32 passes the parser
    ("::1", 0, 0, -1), ("::1", 0, 0, 2 ** 32), ("::1", 0, 0, 2 ** 32 - 1),
    ("::1", 0, 0, 1), ("::1", 0, 0, 1.0), ("::1", 0, 0, None),
    ("::1", 0, 0, 2 ** 64), ("::1", 0, 0, BadIdx()),
    ("::1", 0, 0, OverflowIdx()),
    # hosts
    ("", 0), ("::", 0), ("<broadcast>", 0), ("255.255.255.255", 0),
    ("127.0.0.1", 0), ("::ffff:127.0.0.1", 0), ("fe80::1", 0),
    ("fe80::1%lo", 0), ("fe80::1%1", 0), ("fe80::1%nosuchif", 0),
    ("::1%lo", 0), ("nonexistent.invalid", 0), ("a" * 300, 0),
    # which error wins ("127.0.0.1" is a resolver error for AF_INET6
    # that needs no DNS query)
    ("127.0.0.1", -1), ("127.0.0.1", 2 ** 40), ("127.0.0.1", 0, -1),
    ("127.0.0.1", 0, 0, "x"), ("127.0.0.1", 0, 2 ** 20),
    ("::1", 2 ** 40, -1), ("::1", -1, -1), ("<broadcast>", -1),
]


def inet6_bind(m, addr):
    with m.socket(m.AF_INET6, m.SOCK_DGRAM) as s:
        s.bind(addr)
        return norm_port(s.getsockname())


def inet6_sendto(m, addr):
    with m.socket(m.AF_INET6, m.SOCK_DGRAM) as s:
        return s.sendto(b"", addr)


@needs_ipv6
@pytest.mark.parametrize("addr", INET6_CASES, ids=repr)
def test_inet6_bind(mod, addr):
    expected, got = same_outcome(inet6_bind, mod, addr)
    assert got == expected


@needs_ipv6
@pytest.mark.parametrize("addr", [
    "x", ("::1",), ("::1", -1), ("::1", 0, -1), ("<broadcast>", 9),
    ("::1", 9, 0, 0),
], ids=repr)
def test_inet6_sendto(mod, addr):
    expected, got = same_outcome(inet6_sendto, mod, addr)
    assert got == expected


@needs_ipv6
def test_inet6_messages_exact(mod):
    with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as s:
        with pytest.raises(TypeError) as e:
            s.bind(("::1",))
        assert str(e.value) == ("AF_INET6 address must be a tuple "
                                "(host, port[, flowinfo[, scopeid]])")
        with pytest.raises(TypeError) as e:
            s.connect("::1")
        assert str(e.value) == \
            "connect(): AF_INET6 address must be tuple, not str"
        with pytest.raises(OverflowError) as e:
            s.bind(("::1", 0, 1 << 20))
        assert str(e.value) == "bind(): flowinfo must be 0-1048575."
        with pytest.raises(OSError) as e:
            s.bind(("<broadcast>", 0))
        assert str(e.value) == "address family mismatched"
        assert e.value.errno is None


@needs_ipv6
def test_inet6_getsockname_forms(mod):
    with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as s:
        assert s.getsockname() == ("::", 0, 0, 0)
        s.bind(("::1", 0))
        host, port, flowinfo, scope_id = s.getsockname()
        assert (host, flowinfo, scope_id) == ("::1", 0, 0)
        assert 0 < port < 65536


@needs_ipv6
def test_inet6_peer_roundtrip(mod):
    with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as r, \
            mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as w:
        r.bind(("::1", 0))
        r.settimeout(5)
        port = r.getsockname()[1]
        w.connect(("::1", port, 0x12345, 0))
        # The kernel does not echo the flow label back by default.
        assert w.getpeername() == ("::1", port, 0, 0)
        w.send(b"y")
        data, addr = r.recvfrom(10)
        assert data == b"y"
        assert addr == w.getsockname()


@needs_ipv6
def test_inet6_v4mapped_text(mod):
    with mod.socket(mod.AF_INET6, mod.SOCK_DGRAM) as s:
        s.bind(("::ffff:127.0.0.1", 0))
        assert s.getsockname()[0] == "::ffff:127.0.0.1"


# ------------------------------------------------------------------ AF_UNIX
class FsPath:
    def __init__(self, p):
        self.p = p

    def __fspath__(self):
        return self.p


def unix_cases(d):
    bd = os.fsencode(d)
    return [
        ("str", d + "/a"), ("bytes", bd + b"/b"),
        ("bytearray", bytearray(bd + b"/c")),
        ("memoryview", memoryview(bd + b"/m")),
        ("array", array.array("b", bd + b"/arr")),
        ("2d memoryview",
         memoryview(bd + b"/mm2d").cast("B", (1, len(bd) + 5))),
        ("noncontiguous", memoryview(bd + b"/nc" + b"x" * 10)[::2]),
        ("pathlib", __import__("pathlib").Path(d) / "p"),
        ("PathLike str", FsPath(d + "/pl")),
        ("PathLike bytes", FsPath(bd + b"/pb")),
        ("tuple", (d + "/t",)), ("int", 5), ("None", None), ("float", 1.5),
        ("nul inside", d + "/x\0y"), ("nul inside bytes", bd + b"/z\0y"),
        ("trailing nul", d + "/tn\0"), ("non-ascii", d + "/\xfc"),
        ("surrogateescape", d + "/\udcff"), ("lone surrogate", d + "/\ud800"),
        ("undecodable bytes", bd + b"/\xff\xfe"),
        ("len 107", d + "/" + "q" * (107 - len(d) - 1)),
        ("len 108", d + "/" + "r" * (108 - len(d) - 1)),
        ("len 109", d + "/" + "s" * (109 - len(d) - 1)),
        ("107 + nul", d + "/" + "u" * (106 - len(d) - 1) + "\0"),
        ("108 ending in nul", d + "/" + "v" * (107 - len(d) - 1) + "\0"),
        ("nul then long", d + "/w\0" + "x" * 200),
        ("huge", "x" * 100000), ("huge bytes", b"x" * 100000),
        ("missing dir", d + "/nodir/a"),
    ]


ABSTRACT_CASES = [
    ("abstract", b"\0csocket-test-abs-%d" % os.getpid()),
    ("abstract str", "\0csocket-test-abs-str-%d" % os.getpid()),
    ("abstract nul inside", b"\0csocket-test\0abs-%d" % os.getpid()),
    ("abstract trailing nuls", b"\0csocket-test-tr-%d\0\0" % os.getpid()),
    ("abstract non-utf8", b"\0\xff\xfecsocket-%d" % os.getpid()),
    ("abstract 108", b"\0" + (b"csocket-%d-" % os.getpid()).ljust(107, b"y")),
    ("abstract 109", b"\0" + b"y" * 108),
]


def unix_bind(m, d, addr):
    with m.socket(m.AF_UNIX, m.SOCK_DGRAM) as s:
        s.bind(addr)
        name = s.getsockname()
        if isinstance(name, str):
            name = name.replace(d, "D")
        return name


def run_unix(m, idx, action):
    with tempfile.TemporaryDirectory() as d:
        return action(m, d, unix_cases(d)[idx][1])


UNIX_IDS = [name for name, _ in unix_cases("/tmp/x")]


@pytest.mark.parametrize("idx", range(len(UNIX_IDS)), ids=UNIX_IDS)
def test_unix_bind(mod, idx):
    expected = outcome(lambda: run_unix(socket, idx, unix_bind))
    got = outcome(lambda: run_unix(mod, idx, unix_bind))
    assert got == expected


def unix_connect(m, d, addr):
    with m.socket(m.AF_UNIX, m.SOCK_DGRAM) as s:
        s.connect(addr)


def unix_sendto(m, d, addr):
    with m.socket(m.AF_UNIX, m.SOCK_DGRAM) as s:
        return s.sendto(b"", addr)


@pytest.mark.parametrize("action", [unix_connect, unix_sendto])
@pytest.mark.parametrize("idx", range(len(UNIX_IDS)), ids=UNIX_IDS)
def test_unix_connect_sendto(mod, action, idx):
    expected = outcome(lambda: run_unix(socket, idx, action))
    got = outcome(lambda: run_unix(mod, idx, action))
    assert got == expected


@linux_only
@pytest.mark.parametrize("name,addr", ABSTRACT_CASES,
                         ids=[n for n, _ in ABSTRACT_CASES])
def test_unix_abstract(mod, name, addr):
    # The stdlib and mod bind one after the other, each closing its
    # socket before the other binds the same name.
    expected = outcome(lambda: unix_bind(socket, "/nonexistent", addr))
    got = outcome(lambda: unix_bind(mod, "/nonexistent", addr))
    assert got == expected
    if expected[0] == "ok":
        assert isinstance(got[1], bytes) and got[1][:1] == b"\0"


@linux_only
def test_unix_autobind(mod):
    """bind('') on Linux picks an abstract name: 5 hex digits."""
    for empty in ("", b""):
        with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
            s.bind(empty)
            name = s.getsockname()
            assert isinstance(name, bytes)
            assert name[:1] == b"\0" and len(name) == 6


def test_unix_unnamed(mod):
    with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
        assert s.getsockname() == ""
        with pytest.raises(OSError) as e:
            s.getpeername()
        assert e.value.errno is not None
    a, b = mod.socketpair()
    with a, b:
        assert a.getsockname() == ""
        assert a.getpeername() == ""


def test_unix_messages_exact(mod):
    with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
        with pytest.raises(OSError) as e:
            s.bind("x" * 200)
        assert type(e.value) is OSError
        assert e.value.args == ("AF_UNIX path too long",)
        with pytest.raises(TypeError) as e:
            s.bind(5)
        assert str(e.value) == "a bytes-like object is required, not 'int'"


def test_unix_paths_roundtrip(mod):
    with tempfile.TemporaryDirectory() as d:
        for name in ("plain", "\xfc", "sp ace", "\udcfe"):
            path = os.path.join(d, name)
            with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
                s.bind(path)
                assert s.getsockname() == path
        raw = os.fsencode(d) + b"/\xc3\xbc\xff"
        with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as s:
            s.bind(raw)
            assert s.getsockname() == os.fsdecode(raw)


def test_unix_stream_accept_address(mod):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "srv")
        with mod.socket(mod.AF_UNIX, mod.SOCK_STREAM) as srv:
            srv.bind(path)
            srv.listen()
            srv.settimeout(5)
            with mod.socket(mod.AF_UNIX, mod.SOCK_STREAM) as c:
                c.settimeout(5)
                c.connect(path)
                conn, addr = srv.accept()
                with conn:
                    assert addr == ""
                    assert c.getpeername() == path
                    assert conn.getsockname() == path


@linux_only
def test_unix_recvfrom_sender_address(mod):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "dgr")
        with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as r, \
                mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as w:
            r.bind(path)
            r.settimeout(5)
            w.sendto(b"x", path)
            # An unbound sender has no address at all: None.
            assert r.recvfrom(10) == (b"x", None)
            abstract = b"\0csocket-sender-%d" % os.getpid()
            w.bind(abstract)
            w.sendto(b"y", path)
            assert r.recvfrom(10) == (b"y", abstract)


# ------------------------------------------------------------ other families
@linux_only
def test_unsupported_family_parse(mod):
    """A family without address support: OSError('<caller>(): bad
    family'), as the stdlib says for AF_XDP."""
    xdp = getattr(socket, "AF_XDP", 44)
    try:
        s = socket.socket(xdp, socket.SOCK_RAW)
    except OSError:
        pytest.skip("no AF_XDP sockets here")
    s.close()
    with mod.socket(xdp, mod.SOCK_RAW) as s:
        for meth, call in (("bind", lambda: s.bind(("x", 0))),
                           ("sendto", lambda: s.sendto(b"", None))):
            with pytest.raises(OSError) as e:
                call()
            assert str(e.value) == "%s(): bad family" % meth


# ------------------------------------------------------- refcounts and leaks
def test_refcounts_unchanged(mod):
    """Failed and successful parses leave the refcounts of the address,
    its host and its items as they were."""
    host = "".join(["127.0.0.", "1"])
    # A gaierror that needs no DNS query (the resolver may be slow or
    # rate-limited): an IPv6 literal asked for as AF_INET.
    bad_host = "".join(["::", "1"])
    big = 2 ** 100
    cases = [(host, 0), (host, -1), (host, big), (bad_host, 0),
             (host.encode(), 0), (bytearray(host.encode()), 0),
             (host, BadIdx()), (host + "\0", 0), ("\udcff", 0)]
    objs = [o for c in cases for o in (c,) + c]
    with mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as s:
        for c in cases:
            outcome(lambda: s.connect_ex(c))
        before = [sys.getrefcount(o) for o in objs]
        for _ in range(50):
            for c in cases:
                outcome(lambda: s.connect_ex(c))
        after = [sys.getrefcount(o) for o in objs]
    assert after == before


def _traced_growth(fn, rounds=3000):
    for _ in range(200):
        fn()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(rounds):
            fn()
        return tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()


LEAK_CASES = [
    ("inet bad port", "AF_INET", ("127.0.0.1", 2 ** 100)),
    ("inet bad type", "AF_INET", "127.0.0.1"),
    ("inet nul", "AF_INET", ("127.0.0.1\0", 0)),
    ("inet idna fail", "AF_INET", ("\udcff", 0)),
    # Fullwidth LOCALHOST: IDNA maps it to "localhost" (no DNS query).
    ("inet idna ok", "AF_INET",
     ("\uff2c\uff2f\uff23\uff21\uff2c\uff28\uff2f\uff33\uff34", 9)),
    ("inet bytearray", "AF_INET", (bytearray(b"127.0.0.1"), 0)),
    ("inet BadIdx", "AF_INET", ("127.0.0.1", BadIdx())),
    ("inet ok", "AF_INET", ("127.0.0.1", 9)),
    ("inet resolver", "AF_INET", ("localhost", 9)),
    ("inet6 flow", "AF_INET6", ("::1", 0, 2 ** 20)),
    ("inet6 ok", "AF_INET6", ("::1", 9, 1, 0)),
    ("unix str", "AF_UNIX", "/nonexistent/csocket/x"),
    ("unix too long", "AF_UNIX", "x" * 300),
    ("unix buffer", "AF_UNIX", memoryview(b"/nonexistent/csocket/y")),
    ("unix bad type", "AF_UNIX", 5),
    ("unix lone surrogate", "AF_UNIX", "/\ud800"),
]


@pytest.mark.parametrize("family,addr", [c[1:] for c in LEAK_CASES],
                         ids=[c[0] for c in LEAK_CASES])
def test_no_memory_growth(mod, family, addr):
    if family == "AF_INET6" and not HAVE_IPV6:
        pytest.skip("no IPv6")
    fam = getattr(mod, family)
    with mod.socket(fam, mod.SOCK_DGRAM) as s:
        growth = _traced_growth(lambda: outcome(lambda: s.sendto(b"", addr)))
    assert growth < 16 * 1024


def test_getsockname_no_memory_growth(mod):
    with tempfile.TemporaryDirectory() as d:
        with mod.socket(mod.AF_UNIX, mod.SOCK_DGRAM) as u, \
                mod.socket(mod.AF_INET, mod.SOCK_DGRAM) as i:
            u.bind(os.path.join(d, "g"))
            i.bind(("127.0.0.1", 0))
            growth = _traced_growth(lambda: (u.getsockname(),
                                             i.getsockname()))
    assert growth < 16 * 1024
