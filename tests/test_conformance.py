"""The conformance figure: the interpreter's own test.test_socket, run with
the stdlib and with csocket in place of socket (tests/conformance/run.py).

Fails when fewer tests pass with both than tests/conformance/floor.json
records for this Python version.  The summary is printed, so it shows with
`pytest -s` and in the CI log.  The run takes about a minute (the two runs
go in parallel); set CSOCKET_SKIP_CONFORMANCE=1 to leave it out of a quick
local run.
"""

import os
import subprocess
import sys

import pytest

from conftest import subprocess_env

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "conformance")


@pytest.mark.skipif(os.environ.get("CSOCKET_SKIP_CONFORMANCE") == "1",
                    reason="CSOCKET_SKIP_CONFORMANCE=1")
def test_conformance_floor(tmp_path):
    out = tmp_path / "conformance.json"
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "run.py"),
         "--python", sys.executable,
         "--floor", os.path.join(HERE, "floor.json"),
         "--json", str(out), "--time-limit", "1500"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, env=subprocess_env(),
        timeout=1800)
    print(proc.stdout)
    assert proc.returncode == 0, (
        "conformance runner failed (status %d):\n%s"
        % (proc.returncode, proc.stdout[-8000:]))
