"""The conformance figure on the newest CPython installed here (3.13, else
3.12): csocket is built for that interpreter (tools/build_for.sh, warnings
as errors) and its own test.test_socket is run with the stdlib and with
csocket, against the per-version floor in tests/conformance/floor.json.
The 3.11 figure is tests/test_conformance.py."""
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def _newest():
    for v in ("3.13", "3.12"):
        if v == "%d.%d" % sys.version_info[:2]:
            return None          # the main conformance test covers it
        r = subprocess.run(["sh", os.path.join(TOP, "tools", "build_for.sh"),
                            v], capture_output=True, text=True, timeout=900)
        if r.returncode == 3:
            continue
        assert r.returncode == 0, r.stdout + r.stderr
        py, path = r.stdout.split()
        return v, py, path
    return None


@pytest.mark.skipif(os.environ.get("CSOCKET_SKIP_CONFORMANCE") == "1",
                    reason="CSOCKET_SKIP_CONFORMANCE=1")
def test_conformance_newest_interpreter(tmp_path):
    found = _newest()
    if found is None:
        pytest.skip("no newer CPython (3.12/3.13) installed here")
    version, py, path = found
    env = dict(os.environ, PYTHONPATH=path)
    proc = subprocess.run(
        [py, os.path.join(HERE, "conformance", "run.py"), "--python", py,
         "--floor", os.path.join(HERE, "conformance", "floor.json"),
         "--json", str(tmp_path / "conformance.json"),
         "--time-limit", "1500"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env=env, timeout=1800)
    print("CPython %s:\n%s" % (version, proc.stdout))
    assert proc.returncode == 0, proc.stdout[-8000:]
