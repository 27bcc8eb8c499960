"""Shared fixtures for csocket's tests.

Behaviour tests take the ``mod`` fixture and run twice: once against the
stdlib's ``socket`` module (the oracle) and once against ``csocket``.  A
test that fails only under the "csocket" id shows a difference from the
stdlib; one that fails under "stdlib" is a wrong test.
"""

import gc
import importlib
import importlib.util
import os
import socket
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def _import_csocket():
    try:
        return importlib.import_module("csocket")
    except ImportError as e:
        pytest.fail("csocket is not importable (build it with "
                    "tools/devbuild.sh NAME and set PYTHONPATH): %s" % e,
                    pytrace=False)


@pytest.fixture(params=["stdlib", "csocket"])
def mod(request):
    """The module under test: the stdlib's socket, then csocket."""
    if request.param == "stdlib":
        return socket
    return _import_csocket()


@pytest.fixture
def csocket():
    """csocket alone, for tests that have no stdlib counterpart."""
    return _import_csocket()


def timed_pair(mod, timeout=10.0):
    """mod.socketpair() with the timeout set on both ends (None: left
    blocking), so that a wait in a test is bounded."""
    a, b = mod.socketpair()
    if timeout is not None:
        a.settimeout(timeout)
        b.settimeout(timeout)
    return a, b


@pytest.fixture
def timed_socketpair(mod):
    """timed_pair(mod), closed after the test."""
    a, b = timed_pair(mod)
    yield a, b
    a.close()
    b.close()


def fd_count():
    """Number of file descriptors open in this process."""
    return len(os.listdir("/proc/self/fd"))


def open_fds():
    """The set of open descriptor numbers.  The directory listing opens
    a descriptor of its own (the lowest free number, often the one a test
    just closed); it is closed again by the time the list is back, and
    fstat() tells it apart."""
    out = set()
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        try:
            os.fstat(fd)
        except OSError:
            continue
        out.add(fd)
    return out


@pytest.fixture
def no_fd_leak():
    """Fail the test if it leaves more descriptors open than it found.

    Objects that are merely unreachable are collected first, so a test
    that drops a socket without closing it is not charged for the
    garbage collector's timing (ResourceWarning tests see to that part).
    """
    gc.collect()
    before = open_fds()
    yield
    gc.collect()
    after = open_fds()
    leaked = sorted(after - before)
    details = []
    for fd in leaked:
        try:
            details.append("%d -> %s" % (fd, os.readlink("/proc/self/fd/%d"
                                                        % fd)))
        except OSError:
            details.append(str(fd))
    assert not leaked, "file descriptors leaked: " + ", ".join(details)


def subprocess_env(extra=None):
    """The environment for a child interpreter: this one's, with the
    directory this process imports csocket from put on PYTHONPATH, so the
    child uses the same build."""
    env = dict(os.environ)
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    try:
        spec = importlib.util.find_spec("csocket")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        top = os.path.dirname(os.path.dirname(spec.origin))
        if top not in paths:
            paths.insert(0, top)
    env["PYTHONPATH"] = os.pathsep.join(paths)
    if extra:
        env.update(extra)
    return env


def run_python(code, timeout=120, check=True, args=()):
    """Run a snippet in a fresh interpreter (this one, same csocket) and
    return the CompletedProcess (text stdout/stderr).  With check, fail
    the test with the child's output when it exits non-zero.  args are
    interpreter options, e.g. ("-X", "dev")."""
    proc = subprocess.run(
        [sys.executable, *args, "-c", textwrap.dedent(code)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, env=subprocess_env(),
        timeout=timeout)
    if check and proc.returncode != 0:
        pytest.fail("child exited with %d\n--- stdout\n%s\n--- stderr\n%s"
                    % (proc.returncode, proc.stdout, proc.stderr),
                    pytrace=False)
    return proc


@pytest.fixture
def run_snippet():
    """The run_python helper as a fixture."""
    return run_python
