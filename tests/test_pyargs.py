"""Argument errors of what the stdlib writes in Python (create_connection,
create_server, socketpair, fromfd, getaddrinfo, getfqdn, send_fds,
recv_fds, has_dualstack_ipv6 and the sendfile methods): csocket's one
parser (src/binding/pyargs.c) must word every one as the interpreter words
a call to a def.  The stdlib is the oracle; only calls that the stdlib
rejects with a TypeError about its arguments are compared."""

import socket as std

import pytest

MARK = object()     # an argument value that makes the call fail later

SHAPES = [
    ((), {}),
    ((MARK,), {}),
    ((MARK, MARK), {}),
    ((MARK, MARK, MARK), {}),
    ((MARK,) * 4, {}),
    ((MARK,) * 5, {}),
    ((MARK,) * 6, {}),
    ((MARK,) * 7, {}),
    ((), {"bogus": 1}),
    ((MARK,), {"bogus": 1}),
    ((MARK,) * 7, {"bogus": 1}),
]

FUNCS = {
    "create_connection": ["address", "timeout", "source_address",
                          "all_errors"],
    "create_server": ["address", "family", "backlog", "reuse_port",
                      "dualstack_ipv6"],
    "socketpair": ["family", "type", "proto"],
    "fromfd": ["fd", "family", "type", "proto"],
    "getaddrinfo": ["host", "port", "family", "type", "proto", "flags"],
    "getfqdn": ["name"],
    "send_fds": ["sock", "buffers", "fds", "flags", "address"],
    "recv_fds": ["sock", "bufsize", "maxfds", "flags"],
    "has_dualstack_ipv6": [],
}
METHODS = {
    "sendfile": ["file", "offset", "count"],
    "_sendfile_use_send": ["file", "offset", "count"],
    "_sendfile_use_sendfile": ["file", "offset", "count"],
    "_check_sendfile_params": ["file", "offset", "count"],
}


def _shapes(params):
    out = list(SHAPES)
    for i, name in enumerate(params):
        # by keyword alone; by position and keyword both (duplicate);
        # everything but this one by keyword
        out.append(((), {name: MARK}))
        out.append(((MARK,) * (i + 1), {name: MARK}))
        out.append(((), {p: MARK for p in params if p != name}))
        out.append(((MARK,) * 7, {name: MARK}))
    return out


def _outcome(fn, args, kwargs):
    try:
        fn(*args, **kwargs)
    except TypeError as e:
        return str(e)
    except Exception as e:          # a later failure: arguments were fine
        return "later: " + type(e).__name__
    return "ok"


def _cases():
    for name, params in sorted(FUNCS.items()):
        for i, shape in enumerate(_shapes(params)):
            yield pytest.param("func", name, shape, id="%s-%d" % (name, i))
    for name, params in sorted(METHODS.items()):
        for i, shape in enumerate(_shapes(params)):
            yield pytest.param("method", name, shape, id="%s-%d" % (name, i))


@pytest.mark.parametrize("kind,name,shape", list(_cases()))
def test_python_level_argument_errors(csocket, kind, name, shape):
    args, kwargs = shape
    if kind == "func":
        want = _outcome(getattr(std, name), args, kwargs)
        got = _outcome(getattr(csocket, name), args, kwargs)
    else:
        with std.socket() as s:
            want = _outcome(getattr(s, name), args, kwargs)
        with csocket.socket() as s:
            got = _outcome(getattr(s, name), args, kwargs)
    if want.startswith("later") or want == "ok":
        # The stdlib took the arguments: csocket must too (what the call
        # then does with MARK is other tests' business).
        assert not ("argument" in got and "later" not in got), (want, got)
    else:
        assert got == want
