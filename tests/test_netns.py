"""Network faults across real network namespaces.

Two namespaces joined by a veth pair, set up and torn down by the test
(root only): a rate limit (tc tbf on the sender's side), random packet
loss in both directions (iptables `statistic` DROP rules; `netem` is not
available in these kernels), resets injected mid-transfer (iptables
REJECT --reject-with tcp-reset) and a black hole (DROP everything) under
timeouts.  The endpoints are child interpreters started in the
namespaces with `ip netns exec`, using the stdlib or csocket (the `mod`
fixture), so the stdlib is the oracle here too.

The 100 MB transfer must arrive intact: both ends hash the stream
(SHA-256) and the digests and byte counts must match.  CSOCKET_NETNS_MB
changes the size (the default is 100).

Skipped, with the reason, where namespaces cannot be created (not root,
no `ip`, no iptables, a kernel or container without netns support).
"""

import json
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import subprocess_env

MB = int(os.environ.get("CSOCKET_NETNS_MB", "100"))


def _run(*cmd, check=True):
    return subprocess.run(cmd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, check=check, timeout=30)


def _why_not():
    if os.geteuid() != 0:
        return "network namespaces need root"
    for tool in ("ip", "tc", "iptables"):
        if shutil.which(tool) is None:
            return "%s is not installed (apt-get install iproute2 " \
                   "iptables)" % tool
    name = "csockprobe%d" % os.getpid()
    try:
        r = _run("ip", "netns", "add", name, check=False)
        if r.returncode != 0:
            return "cannot create a network namespace: " + r.stderr.strip()
        r = _run("ip", "netns", "exec", name, "iptables", "-A", "INPUT",
                 "-m", "statistic", "--mode", "random", "--probability",
                 "0.5", "-j", "DROP", check=False)
        if r.returncode != 0:
            return "iptables statistic match unavailable: " + \
                r.stderr.strip()
    finally:
        _run("ip", "netns", "del", name, check=False)
    return None


REASON = _why_not()
pytestmark = pytest.mark.skipif(REASON is not None, reason=str(REASON))


class Net:
    """Namespaces <tag>a and <tag>b, veth <tag>x (in a, 10.201.0.1) and
    <tag>y (in b, 10.201.0.2)."""

    A_IP, B_IP = "10.201.0.1", "10.201.0.2"

    def __init__(self):
        self.tag = "cs%d%04x" % (os.getpid() % 100000,
                                 random.getrandbits(16))
        self.a, self.b = self.tag + "a", self.tag + "b"
        self.made = []

    def ns(self, which, *cmd):
        return _run("ip", "netns", "exec", which, *cmd)

    def up(self):
        _run("ip", "netns", "add", self.a)
        self.made.append(self.a)
        _run("ip", "netns", "add", self.b)
        self.made.append(self.b)
        x, y = self.tag + "x", self.tag + "y"
        _run("ip", "link", "add", x, "netns", self.a, "type", "veth",
             "peer", "name", y, "netns", self.b)
        self.ns(self.a, "ip", "addr", "add", self.A_IP + "/30", "dev", x)
        self.ns(self.b, "ip", "addr", "add", self.B_IP + "/30", "dev", y)
        for n, dev in ((self.a, x), (self.b, y)):
            self.ns(n, "ip", "link", "set", "lo", "up")
            # No segmentation offload: every wire-sized packet is one
            # packet for the loss rules, not a 64 KiB super-packet.
            self.ns(n, "ip", "link", "set", dev, "gso_max_segs", "1",
                    "gso_max_size", "1500")
            self.ns(n, "ip", "link", "set", dev, "up")
        self.x, self.y = x, y
        return self

    def down(self):
        for n in self.made:
            _run("ip", "netns", "del", n, check=False)

    def rate_limit(self, rate="800mbit"):
        self.ns(self.a, "tc", "qdisc", "add", "dev", self.x, "root", "tbf",
                "rate", rate, "burst", "256kb", "latency", "50ms")

    def loss(self, which, probability):
        self.ns(which, "iptables", "-A", "INPUT", "-p", "tcp", "-m",
                "statistic", "--mode", "random", "--probability",
                str(probability), "-j", "DROP")

    def dropped(self, which):
        """Packets the DROP rules of namespace which have dropped."""
        out = self.ns(which, "iptables", "-L", "INPUT", "-v", "-x",
                      "-n").stdout
        return sum(int(line.split()[0]) for line in out.splitlines()
                   if " DROP " in " %s " % line and line.split()[0]
                   .isdigit())

    def drop_all(self, which):
        self.ns(which, "iptables", "-I", "INPUT", "-p", "tcp", "-j",
                "DROP")

    def reset_all(self, which):
        self.ns(which, "iptables", "-I", "INPUT", "-p", "tcp", "-j",
                "REJECT", "--reject-with", "tcp-reset")

    def spawn(self, which, code):
        return subprocess.Popen(
            ["ip", "netns", "exec", which, sys.executable, "-c",
             textwrap.dedent(code)],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=subprocess_env())


@pytest.fixture
def net():
    n = Net()
    try:
        yield n.up()
    finally:
        n.down()


SERVER = """
import hashlib, json, sys
import %(mod)s as m
srv = m.socket()
srv.bind(("%(ip)s", 0))
srv.listen(1)
print(srv.getsockname()[1], flush=True)
srv.settimeout(30)
conn, _ = srv.accept()
conn.settimeout(%(timeout)s)
h = hashlib.sha256()
n = 0
out = {}
try:
    while True:
        c = conn.recv(1 << 18)
        if not c:
            break
        h.update(c)
        n += len(c)
        if n >= %(signal_at)d and not out.get("signalled"):
            print("reached", flush=True)
            out["signalled"] = True
except OSError as e:
    out["error"] = type(e).__name__
out.update(n=n, digest=h.hexdigest())
print(json.dumps(out), flush=True)
"""

CLIENT = """
import hashlib, json, os, sys, time
import %(mod)s as m
port = int(sys.argv[1])
c = m.create_connection(("%(ip)s", port), timeout=30)
c.settimeout(%(timeout)s)
block = os.urandom(1 << 20)
h = hashlib.sha256()
n = 0
out = {}
t0 = time.monotonic()
try:
    for i in range(%(mb)d):
        data = block[i:] + block[:i]
        c.sendall(data)
        h.update(data)
        n += len(data)
    c.shutdown(m.SHUT_WR)
    c.settimeout(30)
    c.recv(1)
except OSError as e:
    out["error"] = type(e).__name__
    out["elapsed_in_error"] = time.monotonic() - t0
out.update(n=n, digest=h.hexdigest(), seconds=time.monotonic() - t0)
print(json.dumps(out), flush=True)
c.close()
"""


def transfer(net, mod, mb, timeout="None", signal_at=1 << 62,
             on_signal=None, server_timeout=None):
    """Client in a, server in b: send mb MiB; returns (client, server)
    results.  on_signal() runs once the server has received signal_at
    bytes."""
    if server_timeout is None:
        server_timeout = timeout
    srv = net.spawn(net.b, SERVER % dict(mod=mod.__name__, ip=net.B_IP,
                                         timeout=server_timeout,
                                         signal_at=signal_at))
    cli = None
    try:
        port = srv.stdout.readline().strip()
        assert port.isdigit(), srv.stderr.read()
        cli = subprocess.Popen(
            ["ip", "netns", "exec", net.a, sys.executable, "-c",
             textwrap.dedent(CLIENT % dict(mod=mod.__name__, ip=net.B_IP,
                                           timeout=timeout, mb=mb)),
             port],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, env=subprocess_env())
        if on_signal is not None:
            line = srv.stdout.readline().strip()
            assert line == "reached", (line, srv.stderr.read())
            on_signal()
        cout, cerr = cli.communicate(timeout=150)
        sout, serr = srv.communicate(timeout=60)
        assert cli.returncode == 0, cerr
        assert srv.returncode == 0, serr
        return (json.loads(cout.strip().splitlines()[-1]),
                json.loads(sout.strip().splitlines()[-1]))
    finally:
        for p in (srv, cli):
            if p is not None and p.poll() is None:
                p.kill()
                p.wait()


def test_transfer_intact_over_lossy_rate_limited_link(mod, net):
    """MB MiB through a rate-limited veth that drops 1% of the packets
    each way: every byte arrives once, in order (same SHA-256)."""
    net.rate_limit()
    net.loss(net.b, 0.01)
    net.loss(net.a, 0.01)
    t0 = time.monotonic()
    cli, srv = transfer(net, mod, MB)
    elapsed = time.monotonic() - t0
    drops = net.dropped(net.a) + net.dropped(net.b)
    print(" [%d MiB in %.1f s, %d packets dropped]" % (MB, elapsed, drops),
          end="")
    assert drops > 0
    assert "error" not in cli and "error" not in srv, (cli, srv)
    assert cli["n"] == srv["n"] == MB << 20
    assert cli["digest"] == srv["digest"]


def test_reset_mid_transfer(mod, net):
    """After 8 MiB, b answers every segment with a RST: the sender's
    sendall() fails with ConnectionResetError (or BrokenPipeError), and
    what b received before is an intact prefix."""
    net.rate_limit("400mbit")
    cli, srv = transfer(net, mod, 200, timeout="20", signal_at=8 << 20,
                        on_signal=lambda: net.reset_all(net.b),
                        server_timeout="2.0")
    assert cli.get("error") in ("ConnectionResetError", "BrokenPipeError")
    # b's own socket never saw the RST (iptables answered for it).
    assert srv.get("error") == "TimeoutError", srv
    assert 8 << 20 <= srv["n"] < 200 << 20


def test_black_hole_timeouts(mod, net):
    """After 8 MiB every packet to b is dropped: the sender's sendall()
    with a 2 s timeout raises TimeoutError, within a bounded time, and
    the receiver's recv() with the same timeout raises TimeoutError."""
    net.rate_limit("400mbit")
    cli, srv = transfer(net, mod, 200, timeout="2.0", signal_at=8 << 20,
                        on_signal=lambda: net.drop_all(net.b))
    assert cli.get("error") == "TimeoutError", cli
    assert srv.get("error") == "TimeoutError", srv
    assert cli["elapsed_in_error"] < 60
