#!/bin/sh
# Build csocket for the CPython X.Y found under pyenv (or as pythonX.Y on
# PATH), in a private venv of its own (.venv-X.Y, with setuptools; some of
# these interpreters come without it), warnings as errors, into
# /tmp/csocket-pyX.Y.  Prints two lines: the venv's python and the
# directory to put on PYTHONPATH.  Exit 3 when no such interpreter exists.
set -u
v=${1:?usage: tools/build_for.sh X.Y}
top=$(cd "$(dirname "$0")/.." && pwd)
log=/tmp/csocket-build-$v.log
py=$(ls -d /root/.pyenv/versions/$v.*/bin/python3 2>/dev/null | tail -n 1)
if [ -z "$py" ] && command -v "python$v" >/dev/null 2>&1; then
    py=$(command -v "python$v")
fi
[ -n "$py" ] || exit 3
venv="$top/.venv-$v"
if [ ! -x "$venv/bin/python" ]; then
    { "$py" -m venv "$venv" &&
      "$venv/bin/python" -m pip install -q setuptools wheel; } >"$log" 2>&1 || {
        echo "python$v: could not create a venv with setuptools" >&2
        cat "$log" >&2; exit 1; }
fi
"$top/tools/devbuild.sh" "py$v" "$venv/bin/python" >"$log" 2>&1 || {
    cat "$log" >&2; exit 1; }
echo "$venv/bin/python"
echo "/tmp/csocket-py$v"
