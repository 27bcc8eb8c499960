"""The public surface of csocket against the stdlib's, name by name.

Every public name of the stdlib socket module on this machine (its
__all__, the enum classes and their members, the socket methods and
attributes, the methods of the objects makefile() returns) must exist in
csocket with the same kind and, for constants, the same value.  A name
that disappears shows up here as a regression.
"""
import enum
import inspect
import io
import socket as std

import pytest

import csocket

ENUMS = ("AddressFamily", "SocketKind", "MsgFlag", "AddressInfo")


def kind(obj):
    """A coarse kind that both implementations must share."""
    if isinstance(obj, type):
        if issubclass(obj, BaseException):
            return "exception"
        if issubclass(obj, enum.Enum):
            return "enum"
        return "class"
    if isinstance(obj, bool):
        return "bool"
    if isinstance(obj, int):
        return "int"
    if isinstance(obj, str):
        return "str"
    if callable(obj):
        return "callable"
    return type(obj).__name__


def test_all_names_exist_with_same_kind():
    missing = [n for n in std.__all__ if not hasattr(csocket, n)]
    assert missing == []
    wrong = [(n, kind(getattr(std, n)), kind(getattr(csocket, n)))
             for n in std.__all__
             if kind(getattr(std, n)) != kind(getattr(csocket, n))]
    assert wrong == []


def test_constant_values_equal():
    diff = [n for n in std.__all__
            if isinstance(getattr(std, n), (int, str))
            and not isinstance(getattr(std, n), bool)
            and getattr(std, n) != getattr(csocket, n)]
    assert diff == []


def test_csocket_all_covers_stdlib_all():
    assert set(std.__all__) - set(csocket.__all__) == set()


@pytest.mark.parametrize("name", ENUMS)
def test_enum_members(name):
    s, c = getattr(std, name), getattr(csocket, name)
    assert issubclass(c, (enum.IntEnum, enum.IntFlag))
    assert (issubclass(s, enum.IntFlag)) == (issubclass(c, enum.IntFlag))
    assert {k: int(v) for k, v in s.__members__.items()} == \
        {k: int(v) for k, v in c.__members__.items()}


@pytest.mark.parametrize("name", ENUMS)
def test_module_constants_are_enum_members(name):
    s, c = getattr(std, name), getattr(csocket, name)
    for member in s.__members__:
        assert isinstance(getattr(csocket, member), c), member
        assert repr(getattr(csocket, member)) == repr(getattr(std, member))


def test_exceptions_are_the_stdlibs():
    assert csocket.error is OSError
    assert csocket.timeout is std.timeout
    assert csocket.gaierror is std.gaierror
    assert csocket.herror is std.herror


def _public_and_known_private(names):
    return {n for n in names if not n.startswith("__")}


def test_socket_methods_and_attributes():
    missing = sorted(_public_and_known_private(dir(std.socket))
                     - set(dir(csocket.socket)))
    assert missing == []
    for name in _public_and_known_private(dir(std.socket)):
        s = inspect.getattr_static(std.socket, name)
        c = inspect.getattr_static(csocket.socket, name)
        assert callable(s) == callable(c) or (
            # properties in Python, getset descriptors in C
            isinstance(s, property) and inspect.isgetsetdescriptor(c)
        ) or (
            # __slots__ members in Python, member descriptors in C
            inspect.ismemberdescriptor(s) and inspect.ismemberdescriptor(c)
        ), name


def test_private_names_libraries_use():
    for name in ("_GLOBAL_DEFAULT_TIMEOUT", "_GiveupOnSendfile",
                 "_LOCALHOST", "_LOCALHOST_V6", "SocketIO", "SocketType",
                 "CAPI", "has_ipv6", "AF_DECnet", "dup"):
        assert hasattr(csocket, name), name
        assert kind(getattr(std, name)) == kind(getattr(csocket, name))
    s = csocket.socket()
    try:
        for name in ("_io_refs", "_closed", "_real_close",
                     "_decref_socketios", "_accept", "_sendfile_use_send",
                     "_sendfile_use_sendfile", "_check_sendfile_params"):
            assert hasattr(s, name), name
    finally:
        s.close()


@pytest.mark.parametrize("mode", ["rb", "wb", "rwb", "r", "w", "rw"])
def test_makefile_objects(mode):
    a, b = std.socketpair()
    c, d = csocket.socketpair()
    try:
        fs = a.makefile(mode)
        fc = c.makefile(mode)
        if mode == "rb":
            # csocket's own reader, a subclass of io's (README).
            assert type(fs) is not type(fc)
            assert issubclass(type(fc), type(fs))
        else:
            assert type(fs) is type(fc)
        if mode == "r":
            assert issubclass(type(fc.buffer), type(fs.buffer))
        missing = sorted(set(dir(fs)) - set(dir(fc)))
        assert missing == []
        fs.close()
        fc.close()
    finally:
        for x in (a, b, c, d):
            x.close()


def test_socketio_surface():
    missing = sorted({n for n in dir(std.SocketIO)
                      if not n.startswith("_abc") and n != "__abstractmethods__"}
                     - set(dir(csocket.SocketIO)))
    assert missing == []
    assert issubclass(csocket.SocketIO, io.RawIOBase)
