#!/bin/bash
# Reference leaks and C-API misuse: build csocket for a debug interpreter
# (Py_DEBUG: sys.gettotalrefcount(), assertions inside the C API) and
#
#  1. run the leak loops, whose reference totals are then checked too, and
#     the bad-input cases (every error path once, under the C API's
#     assertions), plus any other tests given;
#  2. run the interpreter's own test.test_socket with csocket in place of
#     socket under regrtest's -R 3:3 (huntrleaks: the whole suite six
#     times; the reference count and the allocated blocks must not grow
#     over the last three).  Skipped when pytest arguments are given.
#
#   tools/refleaks.sh [pytest args...]   (default: tests/test_leaks_long.py
#                                         but its per-case loop, and
#                                         tests/test_bad_input.py)
#
# Environment: DEBUG_PYTHON (default python3.11-dbg, Debian's package
# python3.11-dbg, with python3.11-dev for the headers and
# libpython3.11-testsuite for test.test_socket); REFLEAK_DIR (default
# /tmp/csocket-refleaks) holds a virtualenv with pytest and the build.
# Installs only into that virtualenv.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
dbg=${DEBUG_PYTHON:-python3.11-dbg}
dir=${REFLEAK_DIR:-/tmp/csocket-refleaks}
if ! command -v "$dbg" >/dev/null; then
    echo "no debug interpreter ($dbg): apt-get install python3.11-dbg" \
         "python3.11-dev" >&2
    exit 1
fi
if [ ! -x "$dir/venv/bin/python" ]; then
    "$dbg" -m venv "$dir/venv"
    "$dir/venv/bin/python" -W ignore -m pip install -q pytest setuptools
fi
py="$dir/venv/bin/python"
"$py" -c 'import sys; assert hasattr(sys, "gettotalrefcount"), \
    "not a debug (Py_DEBUG) interpreter"'
mkdir -p "$dir/csocket"
CSOCKET_WERROR=1 "$py" setup.py -q build_ext --force \
    --build-temp "$dir/tmp" --build-lib "$dir/lib" >"$dir/build.log" 2>&1 \
    || { cat "$dir/build.log"; exit 1; }
cp src/csocket/*.py "$dir/csocket/"
cp "$dir"/lib/csocket/_csocket*.so "$dir/csocket/"
# Only options given (e.g. -s): run them on the default files.
paths=0
given=$#
for a in "$@"; do case $a in -*) ;; *) paths=1 ;; esac; done
if [ $paths -eq 0 ]; then
    # The per-case bad-input leak loop takes far too long under the
    # debug interpreter; test_bad_input.py itself runs every case.
    set -- "$@" -k "not test_bad_input_paths_flat" \
        tests/test_leaks_long.py tests/test_bad_input.py
fi
# The debug interpreter is several times slower: shorter leak loops
# (the reference totals are exact, so fewer rounds suffice).
export CSOCKET_LEAK_SCALE=${CSOCKET_LEAK_SCALE:-0.3}
PYTHONPATH="$dir" timeout "${REFLEAK_TIMEOUT:-1800}" "$py" -m pytest -q \
    -p no:cacheprovider "$@"
[ "$given" -eq 0 ] || exit 0

# 2. test.test_socket under -R 3:3, csocket as socket.  Left out: the
# AF_VSOCK tests (they hang on these machines), the one known difference
# (SocketType is not _socket.socket, README), and the AddressFamily
# comparison when this interpreter's _socket and csocket were built with
# and without BlueZ's headers (both have AF_BLUETOOTH only when they
# were there at build time; Debian builds its python3.11 with them).
ignore=(-i '*VSOCK*' -i test_SocketType_is_socketobject)
if ! PYTHONPATH="$dir" "$py" -c 'import _socket, csocket, sys
sys.exit(hasattr(_socket, "AF_BLUETOOTH") != hasattr(csocket, "AF_BLUETOOTH"))'
then
    echo "note: _socket and csocket differ in AF_BLUETOOTH (BlueZ headers" \
         "at build time): test_addressfamily_enum left out"
    ignore+=(-i test_addressfamily_enum)
fi
echo "test.test_socket under -R 3:3 with csocket as socket ($("$py" -V))"
PYTHONPATH="$dir" timeout "${REFLEAK_TIMEOUT:-1800}" "$py" -c '
import sys
import csocket
sys.modules["socket"] = csocket
import socket
assert socket is csocket
from test.libregrtest.main import main
main()
' -R 3:3 test_socket "${ignore[@]}"
