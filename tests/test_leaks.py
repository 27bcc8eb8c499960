"""Leak checks for csocket: loops of operations in a fresh interpreter,
with open file descriptors (/proc/self/fd) and sys.getallocatedblocks()
compared before and after.  A leak of one object or one descriptor per
iteration shows up as growth proportional to the loop count; the slack
allowed is far below that.
"""

import json

import pytest

from conftest import run_python

# Each scenario is the body of `def step(i):`, run N times after a warm-up
# round.  `socket` is csocket; `mk_listener()` and `refused_addr` are set
# up beforehand.
SCENARIOS = {
    "create_close": """
        s = socket.socket()
        s.close()
        u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
        u.close()
        with socket.socket(socket.AF_UNIX) as x:
            pass
    """,
    "socketpair_send_recv": """
        a, b = socket.socketpair()
        a.sendall(b"x" * 100)
        b.recv(100)
        b.send(b"y")
        a.recv_into(buf)
        a.close()
        b.close()
    """,
    "udp_sendto_recvfrom": """
        udp_a.sendto(b"ping", udp_addr)
        udp_b.recvfrom(16)
        udp_a.sendto(b"pong", udp_addr)
        udp_b.recvfrom_into(buf)
    """,
    "accept_connect": """
        c = socket.socket()
        c.connect(listener.getsockname())
        conn, addr = listener.accept()
        conn.getpeername()
        c.getsockname()
        repr(conn)
        conn.close()
        c.close()
    """,
    "failing_connect": """
        s = socket.socket()
        try:
            s.connect(refused_addr)
        except ConnectionRefusedError:
            pass
        s.connect_ex(refused_addr)
        s.close()
        s = socket.socket()
        s.settimeout(1.0)
        try:
            s.connect(refused_addr)
        except ConnectionRefusedError:
            pass
        s.close()
    """,
    "bad_arguments": """
        for fn, args in bad_calls:
            try:
                fn(*args)
            except (TypeError, ValueError, OverflowError, OSError):
                pass
            else:
                raise AssertionError("no error from %r%r" % (fn, args))
    """,
    "closed_socket_errors": """
        s = socket.socket()
        s.close()
        for name, args in closed_calls:
            try:
                getattr(s, name)(*args)
            except OSError:
                pass
    """,
    "fileno_dup_detach": """
        s = socket.socket()
        d = s.dup()
        t = socket.socket(fileno=d.detach())
        t.close()
        fd = s.detach()
        os.close(fd)
        try:
            socket.socket(fileno=pipe_r)
        except OSError:
            pass
    """,
    "timeouts_and_options": """
        pair_a.settimeout(0.0)
        try:
            pair_a.recv(1)
        except BlockingIOError:
            pass
        pair_a.settimeout(0.001)
        try:
            pair_a.recv(1)
        except socket.timeout:
            pass
        pair_a.settimeout(None)
        pair_a.gettimeout()
        pair_a.getblocking()
        pair_a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 65536)
        pair_a.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        pair_a.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4)
        pair_a.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, b"\\0\\0\\1\\0")
        pair_a.get_inheritable()
        pair_a.family, pair_a.type, pair_a.proto
    """,
    "resource_warning_finalizer": """
        s = socket.socket()
        del s
    """,
}

COUNTS = {"failing_connect": 300, "timeouts_and_options": 300,
          "accept_connect": 500}

PROLOGUE = r"""
import gc, json, os, sys, textwrap, warnings
socket = __import__(MODULE)
warnings.simplefilter("ignore")

buf = bytearray(200)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(64)
listener.settimeout(10)
refused = socket.socket()
refused.bind(("127.0.0.1", 0))
refused_addr = refused.getsockname()
udp_a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
udp_b.bind(("127.0.0.1", 0))
udp_b.settimeout(10)
udp_addr = udp_b.getsockname()
pair_a, pair_b = socket.socketpair()
pipe_r, pipe_w = os.pipe()
victim = socket.socket()
bad_calls = [
    (victim.recv, (-1,)),
    (victim.recv, ("x",)),
    (victim.recv_into, (b"readonly",)),
    (victim.recv_into, (bytearray(2), 10)),
    (victim.recvfrom_into, (bytearray(2), 10)),
    (victim.send, ("text",)),
    (victim.sendall, (None,)),
    (victim.sendto, (b"x", "not an address")),
    (victim.settimeout, (-1,)),
    (victim.settimeout, ("x",)),
    (victim.setblocking, ("x",)),
    (victim.bind, ("x",)),
    (victim.bind, (("127.0.0.1", 70000),)),
    (victim.connect, (("127.0.0.1",),)),
    (victim.getsockopt, (socket.SOL_SOCKET, socket.SO_RCVBUF, -1)),
    (victim.getsockopt, (socket.SOL_SOCKET, 9999)),
    (victim.setsockopt, (socket.SOL_SOCKET, socket.SO_RCVBUF, "x")),
    (victim.setsockopt, (socket.SOL_SOCKET, socket.SO_RCVBUF, None)),
    (victim.shutdown, (99,)),
    (victim.listen, ("x",)),
    (socket.socket, (12345,)),
    (socket.socket, ("x",)),
    (lambda: socket.socket(fileno=-1), ()),
    (lambda: socket.socket(fileno=pipe_r), ()),
    (socket.setdefaulttimeout, (-1,)),
]
closed_calls = [("recv", (1,)), ("send", (b"x",)), ("accept", ()),
                ("bind", (("127.0.0.1", 0),)), ("getsockname", ()),
                ("getpeername", ()), ("setsockopt", (1, 2, 1)),
                ("getsockopt", (1, 2)), ("dup", ()), ("shutdown", (0,)),
                ("settimeout", (1.0,)), ("listen", ())]

def fds():
    return len(os.listdir("/proc/self/fd"))

exec("def step(i):\n" + textwrap.indent(textwrap.dedent(BODY), "    "))
for i in range(N):
    step(i)
gc.collect()
fd0, blocks0 = fds(), sys.getallocatedblocks()
for i in range(N):
    step(i)
gc.collect()
fd1, blocks1 = fds(), sys.getallocatedblocks()
for i in range(N):
    step(i)
gc.collect()
fd2, blocks2 = fds(), sys.getallocatedblocks()
print(json.dumps({"fds": [fd0, fd1, fd2],
                  "blocks": [blocks0, blocks1, blocks2]}))
"""


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_leak(csocket, scenario):
    check_leaks(scenario, "csocket")


def check_leaks(scenario, module):
    n = COUNTS.get(scenario, 2000)
    code = ("BODY = %r\nN = %d\nMODULE = %r\n"
            % (SCENARIOS[scenario], n, module)) + PROLOGUE
    proc = run_python(code, timeout=300)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    fds = result["fds"]
    blocks = result["blocks"]
    print(scenario, n, "iterations:", result)
    assert fds[1] == fds[0] and fds[2] == fds[0], (
        "descriptors leak in %s: %s" % (scenario, fds))
    # Two rounds of n iterations each; a per-iteration leak would add at
    # least n blocks per round.  Allow a little for caches and freelists.
    slack = max(100, n // 10)
    assert blocks[1] - blocks[0] < slack and blocks[2] - blocks[1] < slack, (
        "allocated blocks grow in %s: %s (slack %d per %d iterations)"
        % (scenario, blocks, slack, n))
