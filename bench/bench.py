"""csocket's benchmark: csocket, the stdlib's socket and plain C, side by side.

Run it with ``python -m csocket bench`` (or ``python bench/bench.py``) from
the source tree.  For every workload it measures three implementations of
the same loop:

    C        the same system calls from a small C program (bench/floor.c,
             built here with gcc): the floor no Python module can beat;
    stdlib   the interpreter's own ``socket`` module;
    csocket  this project.

Method (what the numbers mean):

* CPU time of the measured process per operation (time.process_time_ns /
  CLOCK_PROCESS_CPUTIME_ID over the timed loop only), and wall time.
* Each pass does a short untimed warm-up, then N timed operations; one
  whole warm-up round is thrown away, then the median of the passes is
  reported.  The implementations take turns within each round (the order
  rotates), so slow drifts of the machine hit all three alike.
* Everything runs pinned to one CPU (os.sched_setaffinity, inherited by
  the peer processes): on a small VM a wake-up across CPUs costs tens of
  microseconds and would swamp what we measure.
* The peer of a ping-pong or stream is always the same C code (floor.c's
  peer-* modes) whichever implementation is measured, so only the measured
  side changes between columns.
* With --callgrind, the unix ping-pong is also counted in instructions
  (valgrind --tool=callgrind, user space only): two runs of different
  length, the difference divided by the extra round trips, so start-up
  cost cancels out.  Those figures do not move between runs.

Output: a markdown table on stdout (the README's), JSON and a PNG bar
chart in the output directory (bench/out by default; the chart needs
matplotlib and is skipped, saying so, without it).
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import selectors
import shutil
import socket as std
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# The targets: the largest csocket/C ratio (CPU) each workload may
# show, and for htons/ntohl the smallest stdlib/csocket speed-up.
TARGETS = {
    'unix': ('c', 1.15),
    'unix_timeout': ('c', 1.18),
    'tcp': ('c', 1.15),
    'udp': ('c', 1.20),
    'bulk_send': ('c', 1.03),
    'bulk_recv': ('c', 1.03),
    'readline': ('c', 2.5),
    'churn': ('c', 1.15),
    'socket': ('c', 1.15),
    'inet_pton': ('c', 3.0),
    'inet_ntop': ('c', 1.3),
    'inet_aton': ('c', 2.0),
    'inet_ntoa': ('c', 1.2),
    'getaddrinfo': ('c', 8.0),
    'selectors': ('c', 1.6),
    'htons': ('speedup', 1.8),
    'ntohl': ('speedup', 1.2),
}

MSG = 64                 # ping-pong message size
CHUNK = 1 << 20          # bulk chunk
BULK_BUF = 1 << 18       # fixed socket buffers for the bulk workloads
LINE = 100               # readline line length
IPV4 = '192.168.1.100'
PACKED = bytes([192, 168, 1, 100])


# ---------------------------------------------------------------- helpers

def _now():
    return time.process_time_ns(), time.perf_counter_ns()


def _since(t0):
    c0, w0 = t0
    return time.process_time_ns() - c0, time.perf_counter_ns() - w0


# The timed loop of a workload that is one call: warm untimed calls, then
# n timed ones.  Written out per argument count, so that the loop is the
# same few bytecodes whatever is called (no *args).

def _timed0(fn, n, warm):
    for _ in range(warm):
        fn()
    t0 = _now()
    for _ in range(n):
        fn()
    return _since(t0)


def _timed1(fn, x, n, warm):
    for _ in range(warm):
        fn(x)
    t0 = _now()
    for _ in range(n):
        fn(x)
    return _since(t0)


def _timed2(fn, x, y, n, warm):
    for _ in range(warm):
        fn(x, y)
    t0 = _now()
    for _ in range(n):
        fn(x, y)
    return _since(t0)


class Floor:
    """The C program: built once per run into a private directory."""

    def __init__(self, src):
        self.dir = tempfile.mkdtemp(prefix='csocket-bench-')
        self.exe = os.path.join(self.dir, 'floor')
        cc = os.environ.get('CC', 'gcc')
        cmd = [cc, '-O2', '-Wall', '-Wextra', '-o', self.exe, src]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise RuntimeError(f"building the C floor failed:\n"
                               f"{' '.join(cmd)}\n{r.stderr}")

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def peer(self, mode, fd, *args):
        """Start a peer process on descriptor fd (ours keeps it too)."""
        return subprocess.Popen([self.exe, mode, str(fd),
                                 *map(str, args)], pass_fds=[fd])

    def measure(self, args, fds):
        """Run a measured mode; returns (cpu_ns, wall_ns) of its loop."""
        r = subprocess.run([self.exe, *map(str, args)], pass_fds=fds,
                           capture_output=True, text=True, timeout=600)
        if r.returncode != 0:
            raise RuntimeError(f"floor {args} failed: {r.stderr.strip()}")
        cpu, wall, _n = r.stdout.split()
        return int(cpu), int(wall)


def _end_peer(p, timeout=10):
    try:
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def _stream_pair(mod, kind, bufsize=None):
    """A connected stream: (measured socket of mod, peer socket of the
    stdlib).  kind is 'unix' or 'tcp' (loopback, TCP_NODELAY both ends).
    bufsize fixes SO_SNDBUF/SO_RCVBUF on both ends (TCP), which turns off
    the kernel's buffer autotuning: without it the bulk workloads vary by
    tens of percent from one connection to the next."""
    if kind == 'unix':
        return mod.socketpair()
    lst = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    try:
        if bufsize:
            # Set before listen/connect: accepted sockets inherit them.
            for opt in (mod.SO_SNDBUF, mod.SO_RCVBUF):
                lst.setsockopt(mod.SOL_SOCKET, opt, bufsize)
        lst.bind(('127.0.0.1', 0))
        lst.listen(1)
        peer = std.socket(std.AF_INET, std.SOCK_STREAM)
        if bufsize:
            for opt in (std.SO_SNDBUF, std.SO_RCVBUF):
                peer.setsockopt(std.SOL_SOCKET, opt, bufsize)
        peer.settimeout(10)
        peer.connect(lst.getsockname())
        peer.settimeout(None)
        conn, _ = lst.accept()
    finally:
        lst.close()
    peer.setsockopt(std.IPPROTO_TCP, std.TCP_NODELAY, 1)
    conn.setsockopt(mod.IPPROTO_TCP, mod.TCP_NODELAY, 1)
    return conn, peer


@contextlib.contextmanager
def _peer_stream(mod, kind, floor, peer_mode, *peer_args, bufsize=None):
    """A stream (_stream_pair) whose far end is handed to the C program's
    peer_mode; yields the measured socket, then closes it and waits for
    the peer to end."""
    a, b = _stream_pair(mod, kind, bufsize)
    peer = floor.peer(peer_mode, b.fileno(), *peer_args)
    b.close()
    try:
        yield a
    finally:
        a.close()
        _end_peer(peer)


def _c_stream(kind, peer_mode, peer_args, mode, *mode_args, bufsize=None):
    """A C workload over a stream to the C peer: floor.measure([mode, fd,
    *mode_args, n, warm])."""
    def run(floor, n, warm):
        with _peer_stream(std, kind, floor, peer_mode, *peer_args,
                          bufsize=bufsize) as a:
            return floor.measure([mode, a.fileno(), *mode_args, n, warm],
                                 [a.fileno()])
    return run


# ---------------------------------------------------------------- loops
# Each Python workload takes (mod, floor, n, warm) and returns the
# (cpu_ns, wall_ns) of n timed operations after warm untimed ones.  Each
# C workload takes (floor, n, warm) and returns the same from the C
# program.  Setup and teardown are outside the timed region.

def _pingpong_loop(s, n, warm):
    send, recv, msg = s.send, s.recv, b'x' * MSG
    for _ in range(warm):
        send(msg)
        recv(MSG)
    t0 = _now()
    for _ in range(n):
        send(msg)
        recv(MSG)
    return _since(t0)


def _py_pingpong(kind, timeout):
    def run(mod, floor, n, warm):
        with _peer_stream(mod, kind, floor, 'peer-echo', MSG) as a:
            if timeout is not None:
                a.settimeout(timeout)
            return _pingpong_loop(a, n, warm)
    return run


def _c_pingpong(kind, timeout):
    return _c_stream(kind, 'peer-echo', (MSG,), 'pingpong', MSG,
                     1 if timeout else 0)


def _udp_peer(floor):
    p = std.socket(std.AF_INET, std.SOCK_DGRAM)
    p.bind(('127.0.0.1', 0))
    proc = floor.peer('peer-uecho', p.fileno())
    return p, proc


def _udp_stop(p, proc):
    # A zero-length datagram ends the peer.
    with std.socket(std.AF_INET, std.SOCK_DGRAM) as s:
        s.sendto(b'', p.getsockname())
    p.close()
    _end_peer(proc)


def py_udp(mod, floor, n, warm):
    p, proc = _udp_peer(floor)
    s = mod.socket(mod.AF_INET, mod.SOCK_DGRAM)
    try:
        s.bind(('127.0.0.1', 0))
        addr = p.getsockname()
        sendto, recvfrom, msg = s.sendto, s.recvfrom, b'x' * MSG
        for _ in range(warm):
            sendto(msg, addr)
            recvfrom(MSG)
        t0 = _now()
        for _ in range(n):
            sendto(msg, addr)
            recvfrom(MSG)
        return _since(t0)
    finally:
        s.close()
        _udp_stop(p, proc)


def c_udp(floor, n, warm):
    p, proc = _udp_peer(floor)
    s = std.socket(std.AF_INET, std.SOCK_DGRAM)
    try:
        s.bind(('127.0.0.1', 0))
        host, port = p.getsockname()
        return floor.measure(['udp', s.fileno(), host, port, MSG, n, warm],
                             [s.fileno()])
    finally:
        s.close()
        _udp_stop(p, proc)


def py_bulk_send(mod, floor, n, warm):
    with _peer_stream(mod, 'tcp', floor, 'peer-sink',
                      bufsize=BULK_BUF) as a:
        return _timed1(a.sendall, b'x' * CHUNK, n, warm)


def py_bulk_recv(mod, floor, n, warm):
    with _peer_stream(mod, 'tcp', floor, 'peer-source', 0,
                      bufsize=BULK_BUF) as a:
        buf = bytearray(CHUNK)
        view = memoryview(buf)
        recv_into = a.recv_into

        def chunk():
            got = 0
            while got < CHUNK:
                got += recv_into(view[got:])

        try:
            return _timed0(chunk, n, warm)
        finally:
            view.release()


def py_readline(mod, floor, n, warm):
    with _peer_stream(mod, 'unix', floor, 'peer-source', LINE) as a:
        with a.makefile('rb') as f:
            return _timed0(f.readline, n, warm)


c_readline = _c_stream('unix', 'peer-source', (LINE,), 'readline')


def py_churn(mod, floor, n, warm):
    # A fresh listener per pass: each has its own space of 4-tuples, so
    # TIME_WAIT entries from earlier passes never get in the way.
    lst = mod.socket(mod.AF_INET, mod.SOCK_STREAM)
    try:
        lst.setsockopt(mod.SOL_SOCKET, mod.SO_REUSEADDR, 1)
        lst.bind(('127.0.0.1', 0))
        lst.listen(128)
        addr = lst.getsockname()
        sock, accept = mod.socket, lst.accept
        af, st = mod.AF_INET, mod.SOCK_STREAM

        def once():
            c = sock(af, st)
            c.connect(addr)
            s, _ = accept()
            s.close()
            c.close()

        return _timed0(once, n, warm)
    finally:
        lst.close()


def py_socket(mod, floor, n, warm):
    sock, af, st = mod.socket, mod.AF_INET, mod.SOCK_STREAM
    for _ in range(warm):
        sock(af, st).close()
    t0 = _now()
    for _ in range(n):
        sock(af, st).close()
    return _since(t0)


def _py_conv_loop(name, args_of):
    # The loop costs the same for both modules and stays small: a local
    # function and constants (_timed1/_timed2).
    def run(mod, floor, n, warm):
        fn = getattr(mod, name)
        a = args_of(mod)
        if len(a) == 1:
            return _timed1(fn, a[0], n, warm)
        return _timed2(fn, a[0], a[1], n, warm)
    return run


def _c_conv(name):
    def run(floor, n, warm):
        return floor.measure(['conv', name, n, warm], [])
    return run


def _c_simple(mode):
    def run(floor, n, warm):
        return floor.measure([mode, n, warm], [])
    return run


def py_selectors(mod, floor, n, warm):
    with _peer_stream(mod, 'unix', floor, 'peer-echo', MSG) as a, \
            selectors.DefaultSelector() as sel:
        a.setblocking(False)
        sel.register(a, selectors.EVENT_READ)
        send, recv, select, msg = a.send, a.recv, sel.select, b'x' * MSG
        for _ in range(warm):
            send(msg)
            select()
            recv(MSG)
        t0 = _now()
        for _ in range(n):
            send(msg)
            select()
            recv(MSG)
        return _since(t0)


c_selectors = _c_stream('unix', 'peer-echo', (MSG,), 'epoll', MSG)


# (key, label, ops per pass, python loop, C loop)
WORKLOADS = [
    ('unix', 'unix ping-pong, blocking', 20000,
     _py_pingpong('unix', None), _c_pingpong('unix', None)),
    ('unix_timeout', 'unix ping-pong, settimeout(5)', 20000,
     _py_pingpong('unix', 5.0), _c_pingpong('unix', 5.0)),
    ('tcp', 'tcp ping-pong, TCP_NODELAY', 10000,
     _py_pingpong('tcp', None), _c_pingpong('tcp', None)),
    ('udp', 'udp sendto/recvfrom', 10000, py_udp, c_udp),
    ('bulk_send', 'bulk sendall, 1 MiB', 1000, py_bulk_send,
     _c_stream('tcp', 'peer-sink', (), 'bulk-send', bufsize=BULK_BUF)),
    ('bulk_recv', 'bulk recv_into, 1 MiB', 1000, py_bulk_recv,
     _c_stream('tcp', 'peer-source', (0,), 'bulk-recv',
               bufsize=BULK_BUF)),
    ('readline', "makefile('rb').readline(), 100 B", 100000, py_readline,
     c_readline),
    ('churn', 'tcp connect+accept+close', 2000, py_churn,
     _c_simple('churn')),
    ('socket', 'socket()+close()', 30000, py_socket, _c_simple('socket')),
    ('inet_pton', 'inet_pton(AF_INET, ...)', 300000,
     _py_conv_loop('inet_pton', lambda m: (m.AF_INET, IPV4)),
     _c_conv('inet_pton')),
    ('inet_ntop', 'inet_ntop(AF_INET, ...)', 300000,
     _py_conv_loop('inet_ntop', lambda m: (m.AF_INET, PACKED)),
     _c_conv('inet_ntop')),
    ('inet_aton', 'inet_aton', 300000,
     _py_conv_loop('inet_aton', lambda m: (IPV4,)), _c_conv('inet_aton')),
    ('inet_ntoa', 'inet_ntoa', 300000,
     _py_conv_loop('inet_ntoa', lambda m: (PACKED,)), _c_conv('inet_ntoa')),
    ('htons', 'htons', 500000,
     _py_conv_loop('htons', lambda m: (0x1234,)), _c_conv('htons')),
    ('ntohl', 'ntohl', 500000,
     _py_conv_loop('ntohl', lambda m: (0x12345678,)), _c_conv('ntohl')),
    ('getaddrinfo', "getaddrinfo('127.0.0.1', 80)", 20000,
     _py_conv_loop('getaddrinfo', lambda m: ('127.0.0.1', 80)),
     _c_conv('getaddrinfo')),
    ('selectors', 'selectors ping-pong, non-blocking', 20000,
     py_selectors, c_selectors),
]

IMPLS = ('c', 'stdlib', 'csocket')


# ---------------------------------------------------------------- references
# Python-only measurements that show where a floor lies for work no socket
# module can avoid: the interpreter's own call cost, and io.BufferedReader
# (what makefile('rb') returns, for the stdlib and csocket alike).

def ref_call(n, warm):
    """operator.index(x): calling a one-argument builtin that returns its
    argument; the least any call from Python costs."""
    import operator
    return _timed1(operator.index, 0x12345678, n, warm)


def ref_new_int(n, warm):
    """operator.neg(x): a one-argument builtin that returns a new 32-bit
    int, i.e. a call plus the allocation ntohl/htonl must make."""
    import operator
    return _timed1(operator.neg, 0x12345678, n, warm)


def ref_buffered_readline(n, warm):
    """io.BufferedReader(io.BytesIO(lines)).readline(): makefile's reader
    and buffer size with no socket underneath (its raw reads are memcpy)."""
    import io
    line = b'x' * (LINE - 1) + b'\n'
    f = io.BufferedReader(io.BytesIO(line * (n + warm)))
    return _timed0(f.readline, n, warm)


REFERENCES = [
    ('call', 'Python call floor: operator.index(x)', 500000, ref_call),
    ('new_int', 'call + new int: operator.neg(x)', 500000, ref_new_int),
    ('buffered_readline',
     'io.BufferedReader(io.BytesIO(...)).readline(), 100 B, no socket',
     100000, ref_buffered_readline),
]


def run_reference(fn, n, passes, warm_rounds):
    warm = max(1, n // 10)
    cpus, walls = [], []
    for rnd in range(warm_rounds + passes):
        cpu, wall = fn(n, warm)
        if rnd >= warm_rounds:
            cpus.append(cpu / n)
            walls.append(wall / n)
    return {'cpu_ns': statistics.median(cpus),
            'wall_ns': statistics.median(walls), 'cpu_ns_passes': cpus}


# ---------------------------------------------------------------- driver

def _pin():
    """Pin this process (and so its children) to one CPU; returns it."""
    try:
        cpus = sorted(os.sched_getaffinity(0))
        cpu = cpus[-1]
        os.sched_setaffinity(0, {cpu})
        return cpu
    except (AttributeError, OSError):
        return None


def _git_rev():
    try:
        r = subprocess.run(['git', '-C', HERE, 'rev-parse', '--short',
                            'HEAD'], capture_output=True, text=True,
                           timeout=10)
        return r.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _cpu_model():
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    return line.split(':', 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def run_workload(key, n, fn_py, fn_c, floor, csocket, passes, warm_rounds,
                 log):
    mods = {'stdlib': std, 'csocket': csocket}
    samples = {impl: [] for impl in IMPLS}
    warm = max(1, n // 10)
    for rnd in range(warm_rounds + passes):
        # Rotate the order so no implementation always goes first.
        order = IMPLS[rnd % 3:] + IMPLS[:rnd % 3]
        for impl in order:
            if impl == 'c':
                cpu, wall = fn_c(floor, n, warm)
            else:
                cpu, wall = fn_py(mods[impl], floor, n, warm)
            if rnd >= warm_rounds:
                samples[impl].append((cpu / n, wall / n))
    out = {}
    for impl, s in samples.items():
        cpus = [c for c, _ in s]
        walls = [w for _, w in s]
        med = statistics.median(cpus)
        out[impl] = {
            'cpu_ns': med,
            'wall_ns': statistics.median(walls),
            'cpu_ns_passes': cpus,
            'wall_ns_passes': walls,
            # (max - min) / median of the passes, in percent.
            'cpu_spread_pct': (max(cpus) - min(cpus)) / med * 100
            if med else 0.0,
        }
    c, s, k = (out[i]['cpu_ns'] for i in IMPLS)
    ratios = {
        'stdlib/c': s / c if c else None,
        'csocket/c': k / c if c else None,
        'stdlib/csocket': s / k if k else None,
    }
    kind, limit = TARGETS[key]
    if kind == 'c':
        met = ratios['csocket/c'] is not None and ratios['csocket/c'] <= limit
        target = {'kind': 'csocket/c at most', 'value': limit, 'met': met}
    else:
        met = ratios['stdlib/csocket'] >= limit
        target = {'kind': 'stdlib/csocket at least', 'value': limit,
                  'met': met}
    log(f"  {key:13s} C {c:9.1f}  stdlib {s:9.1f}  csocket {k:9.1f} ns  "
        f"csocket/C {ratios['csocket/c']:6.2f}  "
        f"stdlib/csocket {ratios['stdlib/csocket']:5.2f}"
        f"{'' if met else '  (target missed)'}")
    return {'impls': out, 'ratios': ratios, 'target': target, 'n': n}


def _fmt_ns(v):
    if v >= 10000:
        return f"{v / 1000:.1f} µs"
    if v >= 1000:
        return f"{v / 1000:.2f} µs"
    return f"{v:.0f} ns" if v >= 10 else f"{v:.1f} ns"


def markdown_table(result):
    rows = [
        "| workload | C floor | stdlib | csocket | stdlib / C | "
        "csocket / C | target | stdlib / csocket | spread |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for key, label, *_ in WORKLOADS:
        w = result['workloads'].get(key)
        if w is None:
            continue
        imp, r, t = w['impls'], w['ratios'], w['target']
        if t['kind'].startswith('csocket'):
            tgt = f"≤ {t['value']:g}"
        else:
            tgt = f"stdlib/csocket ≥ {t['value']:g}"
        tgt += " ✓" if t['met'] else " ✗"
        spread = max(imp[i]['cpu_spread_pct'] for i in IMPLS)
        rows.append(
            f"| {label} | {_fmt_ns(imp['c']['cpu_ns'])} | "
            f"{_fmt_ns(imp['stdlib']['cpu_ns'])} | "
            f"{_fmt_ns(imp['csocket']['cpu_ns'])} | {r['stdlib/c']:.2f} | "
            f"**{r['csocket/c']:.2f}** | {tgt} | {r['stdlib/csocket']:.2f} | "
            f"{spread:.0f}% |")
    w, u = result['workloads'].get('unix_timeout'), \
        result['workloads'].get('unix')
    if w and u:
        c_block = u['impls']['c']['cpu_ns']
        rows.append("")
        rows.append(
            "settimeout(5) row: its C floor is the cheapest C timeout loop "
            "(non-blocking descriptor, try the call, poll only when it "
            "would block). Against the blocking C floor instead: stdlib "
            f"{w['impls']['stdlib']['cpu_ns'] / c_block:.2f}, csocket "
            f"{w['impls']['csocket']['cpu_ns'] / c_block:.2f}.")
    refs = result.get('references')
    if refs:
        rows.append("")
        rows.append("Reference points (Python only, same method): " +
                    "; ".join(f"{r['label']} {_fmt_ns(r['cpu_ns'])}"
                              for r in refs.values()) + ".")
    cg = result.get('callgrind')
    if cg:
        rows.append("")
        rows.append("Instructions per round trip, unix ping-pong "
                    "(callgrind, user space): " + ", ".join(
                        f"{impl} {cg[impl]:,.0f}" for impl in IMPLS
                        if impl in cg))
    return "\n".join(rows)


def chart(result, path):
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    keys = [k for k, *_ in WORKLOADS if k in result['workloads']]
    labels = []
    for k, lbl, *_ in WORKLOADS:
        if k in result['workloads']:
            kind, limit = TARGETS[k]
            if kind == 'speedup':
                # No C-relative target: a byte swap costs nothing in C.
                lbl += f'\n(target: stdlib/csocket ≥ {limit:g})'
            labels.append(lbl)
    std_r = [result['workloads'][k]['ratios']['stdlib/c'] for k in keys]
    cs_r = [result['workloads'][k]['ratios']['csocket/c'] for k in keys]
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(keys) + 1.8))
    y = list(range(len(keys)))
    h = 0.38
    ax.barh([i - h / 2 for i in y], std_r, h, label='stdlib socket',
            color='#b0b0b0')
    ax.barh([i + h / 2 for i in y], cs_r, h, label='csocket',
            color='#1f77b4')
    for i, k in enumerate(keys):
        kind, limit = TARGETS[k]
        if kind == 'c':
            ax.plot([limit, limit], [i - 0.45, i + 0.45], color='#d62728',
                    lw=1.5)
    ax.axvline(1.0, color='black', lw=0.8)
    ax.set_xscale('log')
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlabel('CPU time per operation relative to plain C '
                  '(1 = the C floor; lower is better; log scale)')
    ax.set_title('csocket vs the stdlib socket module, relative to plain C'
                 '\n(red tick: target for csocket)')
    ax.plot([], [], color='#d62728', lw=1.5, label='target')
    ax.legend(loc='lower right')
    ax.grid(axis='x', which='both', alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------- callgrind

def _cg_worker(argv):
    """Under valgrind: n round trips of the unix ping-pong with module
    argv[0] against the C peer argv[2]."""
    import importlib
    modname, n, floor_exe = argv[0], int(argv[1]), argv[2]
    mod = std if modname == 'stdlib' else importlib.import_module(modname)
    a, b = mod.socketpair()
    peer = subprocess.Popen([floor_exe, 'peer-echo', str(b.fileno()),
                             str(MSG)], pass_fds=[b.fileno()])
    b.close()
    send, recv, msg = a.send, a.recv, b'x' * MSG
    for _ in range(n):
        send(msg)
        recv(MSG)
    a.close()
    peer.wait()


def _callgrind_total(cmd, workdir, pass_fds=()):
    out = os.path.join(workdir, 'cg.out')
    env = dict(os.environ, PYTHONHASHSEED='0')
    r = subprocess.run(['valgrind', '--tool=callgrind', '--dump-line=no',
                        f'--callgrind-out-file={out}', *cmd],
                       capture_output=True, text=True, env=env,
                       pass_fds=pass_fds, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"callgrind failed: {r.stderr[-2000:]}")
    with open(out) as f:
        for line in f:
            if line.startswith(('summary:', 'totals:')):
                return int(line.split()[1])
    raise RuntimeError("no totals in callgrind output")


def callgrind(floor, n1, n2, log):
    """Instructions per round trip for each implementation."""
    res = {}
    work = tempfile.mkdtemp(prefix='csocket-cg-')
    try:
        for impl in IMPLS:
            totals = []
            for n in (n1, n2):
                if impl == 'c':
                    a, b = std.socketpair()
                    peer = floor.peer('peer-echo', b.fileno(), MSG)
                    b.close()
                    try:
                        totals.append(_callgrind_total(
                            [floor.exe, 'pingpong', str(a.fileno()),
                             str(MSG), '0', str(n), '0'], work,
                            pass_fds=[a.fileno()]))
                    finally:
                        a.close()
                        _end_peer(peer)
                else:
                    totals.append(_callgrind_total(
                        [sys.executable, os.path.abspath(__file__),
                         '--cg-worker', impl, str(n), floor.exe], work))
            res[impl] = (totals[1] - totals[0]) / (n2 - n1)
            log(f"  callgrind {impl:8s} {res[impl]:10,.0f} "
                f"instructions per round trip")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return res


# ---------------------------------------------------------------- main

def main(argv=None, csocket=None):
    ap = argparse.ArgumentParser(
        prog='python -m csocket bench',
        description="csocket vs the stdlib's socket vs plain C.")
    ap.add_argument('--quick', action='store_true',
                    help='tiny run (a few hundred operations, 1 pass): '
                         'checks that everything works; the figures mean '
                         'nothing')
    ap.add_argument('--passes', type=int, default=None,
                    help='timed passes per workload (default 7)')
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiply every operation count')
    ap.add_argument('--only', default=None,
                    help='comma-separated workload keys')
    ap.add_argument('--out', default=os.path.join(HERE, 'out'),
                    help='output directory (JSON, PNG)')
    ap.add_argument('--callgrind', dest='callgrind', action='store_true',
                    default=None, help='count instructions with callgrind '
                    '(default: on when valgrind exists, off with --quick)')
    ap.add_argument('--no-callgrind', dest='callgrind', action='store_false')
    ap.add_argument('--cg-worker', nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.cg_worker:
        _cg_worker(args.cg_worker)
        return 0
    if csocket is None:
        import csocket
    log = print
    passes = args.passes or (1 if args.quick else 7)
    warm_rounds = 0 if args.quick else 1
    do_cg = args.callgrind
    if do_cg is None:
        do_cg = not args.quick and shutil.which('valgrind') is not None
    keys = None
    if args.only:
        keys = set(args.only.split(','))
        unknown = keys - {k for k, *_ in WORKLOADS}
        if unknown:
            ap.error(f"unknown workloads: {', '.join(sorted(unknown))}")

    cpu = _pin()
    floor = Floor(os.path.join(HERE, 'floor.c'))
    result = {
        'date': datetime.datetime.now(datetime.timezone.utc).isoformat(
            timespec='seconds'),
        'python': sys.version.split()[0],
        'implementation': platform.python_implementation(),
        'kernel': platform.release(),
        'cpu_model': _cpu_model(),
        'pinned_cpu': cpu,
        'csocket': csocket.__file__,
        'git': _git_rev(),
        'quick': args.quick,
        'passes': passes,
        'warm_rounds': warm_rounds,
        'unit': 'ns per operation, median of passes; cpu = CPU time of '
                'the measured process',
        'workloads': {},
    }
    log(f"csocket benchmark: Python {result['python']}, "
        f"{result['cpu_model']}, pinned to CPU {cpu}, "
        f"{passes} passes{' (quick)' if args.quick else ''}")
    log(f"csocket from {csocket.__file__}")
    try:
        for key, label, n, fn_py, fn_c in WORKLOADS:
            if keys is not None and key not in keys:
                continue
            if args.quick:
                n = max(50, min(300, n // 1000))
            n = max(1, int(n * args.scale))
            result['workloads'][key] = run_workload(
                key, n, fn_py, fn_c, floor, csocket, passes, warm_rounds,
                log)
            result['workloads'][key]['label'] = label
        result['references'] = {}
        for key, label, n, fn in REFERENCES:
            if args.quick:
                n = max(50, min(300, n // 1000))
            n = max(1, int(n * args.scale))
            ref = run_reference(fn, n, passes, warm_rounds)
            ref['label'] = label
            result['references'][key] = ref
            log(f"  reference {key:18s} {ref['cpu_ns']:9.1f} ns")
        if do_cg:
            result['callgrind'] = callgrind(floor, 2000, 12000, log)
    finally:
        floor.close()

    os.makedirs(args.out, exist_ok=True)
    jpath = os.path.join(args.out, 'bench.json')
    with open(jpath, 'w') as f:
        json.dump(result, f, indent=1)
    table = markdown_table(result)
    print()
    print(table)
    print()
    print(f"JSON written to {jpath}")
    ppath = os.path.join(args.out, 'bench.png')
    if chart(result, ppath):
        print(f"chart written to {ppath}")
    else:
        print("chart skipped: matplotlib is not installed "
              "(pip install matplotlib)")
    return 0


if __name__ == '__main__':
    sys.exit(main())
