#!/bin/bash
# Build csocket with AddressSanitizer + UndefinedBehaviorSanitizer into a
# directory of its own and run the pytest suite against that build.
#
#   tools/sanitize.sh [pytest args...]        (default: the whole tests/)
#
# Environment:
#   PYTHON         interpreter with pytest (default: .venv/bin/python if
#                  present, else python3)
#   SANITIZE_DIR   build directory (default: /tmp/csocket-sanitize)
#   SANITIZE_TIMEOUT  seconds for the whole pytest run (default: 1800)
#
# The interpreter itself is not instrumented, so the ASan runtime must be
# loaded before anything else: it is preloaded (LD_PRELOAD of the
# compiler's libasan), and leak detection is off because CPython does not
# free everything at exit (csocket's own leaks are the business of the
# leak tests, which count descriptors and blocks).  PYTHONMALLOC=malloc
# routes Python objects through the instrumented malloc too, so an
# overflow of a bytes object's storage is caught.  Any ASan or UBSan
# report aborts the process that hit it, which fails the test (or the
# whole run).  Installs nothing.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -z "${PYTHON:-}" ]; then
    if [ -x .venv/bin/python ]; then PYTHON=.venv/bin/python; else
        PYTHON=python3; fi
fi
out=${SANITIZE_DIR:-/tmp/csocket-sanitize}
cc=${CC:-gcc}
mkdir -p "$out/csocket"

echo "== building with ASan + UBSan into $out"
CC=$cc CSOCKET_SANITIZE=1 CSOCKET_WERROR=1 "$PYTHON" setup.py -q build_ext \
    --force --build-temp "$out/tmp" --build-lib "$out/lib" \
    >"$out/build.log" 2>&1 || { cat "$out/build.log"; exit 1; }
cp src/csocket/*.py "$out/csocket/"
cp "$out"/lib/csocket/_csocket*.so "$out/csocket/"

so=$(ls "$out"/csocket/_csocket*.so)
asan=$($cc -print-file-name=libasan.so)
# ldd's output is taken whole first: under pipefail, `ldd | grep -q`
# fails whenever grep exits at its match before ldd has finished writing
# (SIGPIPE), which made this check fail at random.
needed=$(ldd "$so") || { echo "ldd failed on $so" >&2; exit 1; }
case $needed in
    *libasan*) ;;
    *) echo "the extension is not linked with libasan:" >&2
       echo "$needed" >&2; exit 1 ;;
esac
if [ ! -e "$asan" ]; then
    echo "no ASan runtime at $asan (install the compiler's libasan)" >&2
    exit 1
fi

export LD_PRELOAD="$asan${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:\
detect_stack_use_after_return=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export PYTHONMALLOC=malloc
export PYTHONPATH="$out${PYTHONPATH:+:$PYTHONPATH}"
export CSOCKET_UNDER_SANITIZER=1

# Sanity: csocket loads and runs under the preloaded runtime.
"$PYTHON" -c 'import csocket, socket; a, b = csocket.socketpair();
a.sendall(b"x"); assert b.recv(1) == b"x"' || {
    echo "csocket does not run under the sanitizers" >&2; exit 1; }

# The C core's own tests, compiled with the sanitizers natively (no
# preloading needed), into a directory outside the tree.
whole=1
for a in "$@"; do case $a in -*) ;; *) whole=0 ;; esac; done
if [ $whole -eq 1 ]; then
    echo "== C core tests under ASan + UBSan"
    # tests/core/Makefile runs ./$BIN/prog: BIN must be relative.
    bin=$(realpath -m --relative-to=tests/core "$out/core-bin")
    (unset LD_PRELOAD; make -s -C tests/core check BIN="$bin" \
        CC="$cc" CFLAGS="-O1 -g -fsanitize=address,undefined \
        -fno-sanitize-recover=all -fno-omit-frame-pointer -std=gnu11 \
        -Wall -Wextra -Werror -I../../include") || exit 1
fi

# Tests left out of the preloaded run, because they start programs that
# are not Python (the preloaded runtime would be forced on them: make,
# compilers, the C benchmark drivers) or measure the allocator, which
# PYTHONMALLOC=malloc replaces; the C core tests ran above, the
# allocation test runs again afterwards with pymalloc.
deselect=(--deselect tests/test_core_c.py
          --deselect tests/test_other_pythons.py
          --deselect tests/test_bench.py
          --deselect tests/test_makefile.py::test_no_leaks)
# No test paths given (nothing, or only options such as -x): the whole
# suite.
default=1
for a in "$@"; do case $a in -*) ;; *) default=0 ;; esac; done
if [ $default -eq 1 ]; then set -- "$@" tests "${deselect[@]}"; fi
echo "== pytest under ASan + UBSan: $*"
log="$out/pytest.log"
rc=0
timeout "${SANITIZE_TIMEOUT:-1800}" "$PYTHON" -m pytest -q -rs \
    -p no:cacheprovider "$@" 2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
if [ $default -eq 1 ]; then
    echo "== allocation test under ASan with pymalloc"
    env -u PYTHONMALLOC timeout 600 "$PYTHON" -m pytest -q -p no:cacheprovider \
        tests/test_makefile.py::test_no_leaks 2>&1 | tee -a "$log" || \
        rc=${PIPESTATUS[0]}
fi
if grep -qE "^(==[0-9]+==ERROR: |SUMMARY: (Address|UndefinedBehavior)Sanitizer)|runtime error: " "$log"; then
    echo "== sanitizer reports found (see $log)" >&2
    rc=1
fi
exit $rc
