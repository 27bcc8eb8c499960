"""python -m csocket: a demo of csocket.

An echo server and client over loopback through csocket (TCP, UDP and an
AF_UNIX socket pair), then a short side-by-side timing of csocket against
the stdlib's socket module in the same process.

``python -m csocket bench [options]`` runs the full benchmark instead:
csocket, the stdlib and plain C side by side (bench/bench.py in the source
tree; ``--help`` lists its options).
"""

import hashlib
import importlib.util
import os
import socket as std
import sys
import threading
import time

import csocket


def _echo_server(srv):
    conn, _ = srv.accept()
    with conn:
        f = conn.makefile('rwb')
        for line in f:
            f.write(line)
            f.flush()
        f.close()


def demo_tcp():
    with csocket.create_server(('127.0.0.1', 0)) as srv:
        srv.settimeout(10)
        port = srv.getsockname()[1]
        t = threading.Thread(target=_echo_server, args=(srv,), daemon=True)
        t.start()
        with csocket.create_connection(('127.0.0.1', port), timeout=10) as c:
            print(f"  connected {c.getsockname()} -> {c.getpeername()}")
            print(f"  {c!r}")
            f = c.makefile('rwb')
            sent = hashlib.sha256()
            got = hashlib.sha256()
            for i in range(1000):
                line = b"line %d %s\n" % (i, b"x" * (i % 50))
                sent.update(line)
                f.write(line)
                f.flush()
                got.update(f.readline())
            f.close()
            c.shutdown(csocket.SHUT_WR)
        t.join(10)
    ok = sent.digest() == got.digest()
    print(f"  1000 lines echoed over TCP, sha256 match: {ok}")
    return ok


def demo_udp():
    with csocket.socket(csocket.AF_INET, csocket.SOCK_DGRAM) as a, \
            csocket.socket(csocket.AF_INET, csocket.SOCK_DGRAM) as b:
        a.settimeout(5)
        b.settimeout(5)
        a.bind(('127.0.0.1', 0))
        b.bind(('127.0.0.1', 0))
        b.sendto(b'ping', a.getsockname())
        data, addr = a.recvfrom(100)
        a.sendto(data.upper(), addr)
        reply, _ = b.recvfrom(100)
    print(f"  UDP: sent b'ping', echoed {reply!r}")
    return reply == b'PING'


def demo_unix():
    a, b = csocket.socketpair()
    with a, b:
        a.sendall(b'hello over AF_UNIX')
        data = b.recv(100)
    print(f"  AF_UNIX socketpair: {data!r} ({a.family!r})")
    return data == b'hello over AF_UNIX'


def _ping_pong(mod, rounds, timeout):
    a, b = mod.socketpair()
    if timeout is not None:
        a.settimeout(timeout)
        b.settimeout(timeout)
    msg = b'x' * 64
    t0 = time.process_time()
    for _ in range(rounds):
        a.send(msg)
        b.recv(64)
        b.send(msg)
        a.recv(64)
    dt = time.process_time() - t0
    a.close()
    b.close()
    return dt / rounds


def _best(fn, *args, passes=5):
    return min(fn(*args) for _ in range(passes))


def _inet(mod, rounds):
    pton, ntop = mod.inet_pton, mod.inet_ntop
    af = mod.AF_INET6
    t0 = time.process_time()
    for _ in range(rounds):
        ntop(af, pton(af, '2001:db8::1'))
    return (time.process_time() - t0) / rounds


def timing():
    rows = [
        ("socketpair ping-pong, blocking", _ping_pong, 20000, None),
        ("socketpair ping-pong, settimeout(5)", _ping_pong, 20000, 5.0),
    ]
    print(f"  {'workload':40s} {'stdlib':>10s} {'csocket':>10s} "
          f"{'stdlib/csocket':>15s}")
    for name, fn, n, t in rows:
        s = _best(fn, std, n, t)
        c = _best(fn, csocket, n, t)
        print(f"  {name:40s} {s * 1e6:8.2f}us {c * 1e6:8.2f}us "
              f"{s / c:14.2f}x")
    s = _best(_inet, std, 100000)
    c = _best(_inet, csocket, 100000)
    print(f"  {'inet_pton+inet_ntop (IPv6)':40s} {s * 1e6:8.2f}us "
          f"{c * 1e6:8.2f}us {s / c:14.2f}x")
    print("  (CPU time per operation, best of 5 passes; same process)")


def _bench_dir():
    """Where bench/bench.py and bench/floor.c are: $CSOCKET_BENCH_DIR, else
    ./bench, else the source tree this package was loaded from."""
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.environ.get('CSOCKET_BENCH_DIR'),
                  os.path.join(os.getcwd(), 'bench'),
                  os.path.join(here, os.pardir, os.pardir, 'bench')]
    for d in candidates:
        if d and os.path.isfile(os.path.join(d, 'bench.py')) and \
                os.path.isfile(os.path.join(d, 'floor.c')):
            return os.path.abspath(d)
    return None


def bench(argv):
    # The benchmark is source-tree material (it builds a C program), so it
    # is loaded from bench/ rather than installed with the package.
    d = _bench_dir()
    if d is None:
        print("python -m csocket bench: cannot find bench/bench.py and "
              "bench/floor.c; run it from the csocket source tree or set "
              "CSOCKET_BENCH_DIR", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location(
        '_csocket_bench', os.path.join(d, 'bench.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.main(argv, csocket=csocket)


def main(argv):
    if argv and argv[0] == 'bench':
        return bench(argv[1:])
    print(f"csocket {csocket.__file__}")
    print("echo over loopback through csocket:")
    ok = demo_tcp() & demo_udp() & demo_unix()
    print("side-by-side timing, stdlib socket vs csocket:")
    timing()
    if not ok:
        print("DEMO FAILED", file=sys.stderr)
        return 1
    print("demo OK")
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
