#!/bin/sh
# Build csocket with every other CPython found (3.10, 3.12, 3.13, and
# 3.8/3.9 when asked with ALL=1), warnings as errors, each in a venv and
# directory of its own (tools/build_for.sh), and smoke-test the result
# with that interpreter.  One line per interpreter; non-zero exit if any
# build or smoke test fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
status=0
versions="3.10 3.12 3.13"
[ "${ALL:-0}" = 1 ] && versions="3.8 3.9 $versions"
for v in $versions; do
    out=$("$top/tools/build_for.sh" "$v")
    rc=$?
    if [ $rc = 3 ]; then
        echo "python$v: not installed, skipped"
        continue
    fi
    py=$(echo "$out" | sed -n 1p)
    dir=$(echo "$out" | sed -n 2p)
    if [ $rc = 0 ] && PYTHONPATH=$dir "$py" -c '
import csocket as s
a, b = s.socketpair()
a.sendall(b"x" * 100000)
n = 0
while n < 100000:
    n += len(b.recv(65536))
assert s.inet_ntop(s.AF_INET6, s.inet_pton(s.AF_INET6, "::1")) == "::1"
assert repr(a.family) == "<AddressFamily.AF_UNIX: 1>", repr(a.family)
a.close(); b.close()
'; then
        echo "python$v ($py): build and smoke test OK"
    else
        echo "python$v ($py): FAILED"
        status=1
    fi
done
exit $status
