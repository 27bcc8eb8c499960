"""Run the core's C tests (tests/core/test_*.c) as part of the test suite.

Each C test is its own program linked with src/core/*.c; the Makefile
builds them under tests/core/bin/ and `make check` runs them all.
"""

import os
import shutil
import subprocess

import pytest

CORE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "core")


def test_core_c_programs():
    if shutil.which("make") is None or shutil.which("gcc") is None:
        pytest.fail("make and gcc are needed to run the C tests",
                    pytrace=False)
    proc = subprocess.run(["make", "-C", CORE, "--no-print-directory",
                           "check"],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=900)
    print(proc.stdout)
    assert proc.returncode == 0, (
        "make -C tests/core check failed:\n" + proc.stdout[-6000:])
