#!/bin/sh
# Build csocket with every other CPython found under pyenv (3.10, 3.12,
# 3.13, and 3.8/3.9 when asked with ALL=1), warnings as errors, each into
# its own directory, and smoke-test the result with that interpreter.
# Prints one line per interpreter; exits non-zero if any build fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
status=0
versions="3.10 3.12 3.13"
[ "${ALL:-0}" = 1 ] && versions="3.8 3.9 $versions"
for v in $versions; do
    py=$(ls -d /root/.pyenv/versions/$v.*/bin/python3 2>/dev/null | tail -n 1)
    if [ -z "$py" ] && command -v "python$v" >/dev/null 2>&1; then
        py=$(command -v "python$v")
    fi
    if [ -z "$py" ]; then
        echo "python$v: not installed, skipped"
        continue
    fi
    # A private venv per interpreter: some of them come without setuptools.
    venv="$top/.venv-$v"
    if [ ! -x "$venv/bin/python" ]; then
        "$py" -m venv "$venv" >/tmp/csocket-build-$v.log 2>&1 &&
        "$venv/bin/python" -m pip install -q setuptools wheel \
            >>/tmp/csocket-build-$v.log 2>&1 || {
            echo "python$v: could not create a venv with setuptools: FAILED"
            cat /tmp/csocket-build-$v.log; status=1; continue; }
    fi
    py="$venv/bin/python"
    if "$top/tools/devbuild.sh" "py$v" "$py" >/tmp/csocket-build-$v.log 2>&1 &&
       PYTHONPATH=/tmp/csocket-py$v "$py" -c '
import csocket as s
a, b = s.socketpair()
a.sendall(b"x" * 100000)
n = 0
while n < 100000:
    n += len(b.recv(65536))
assert s.inet_ntop(s.AF_INET6, s.inet_pton(s.AF_INET6, "::1")) == "::1"
a.close(); b.close()
' >>/tmp/csocket-build-$v.log 2>&1; then
        echo "python$v ($py): build and smoke test OK"
    else
        echo "python$v ($py): FAILED"
        cat /tmp/csocket-build-$v.log
        status=1
    fi
done
exit $status
