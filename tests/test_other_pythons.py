"""csocket builds warning-free (-Werror) and works on the other CPython
versions installed here (3.10, 3.12, 3.13)."""
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, os.pardir, "tools", "build_other.sh")


def test_builds_on_other_interpreters():
    r = subprocess.run(["sh", SCRIPT], capture_output=True, text=True,
                       timeout=900)
    print(r.stdout)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "OK" in r.stdout
