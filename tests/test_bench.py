"""Smoke test of the benchmark: ``python -m csocket bench --quick`` runs
every workload a few hundred times and writes its JSON.

No timing is asserted (that would flake): only that the run works, covers
every workload and implementation, and reports positive figures.
"""
import json
import os
import shutil
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, 'bench')

WORKLOADS = {
    'unix', 'unix_timeout', 'tcp', 'udp', 'bulk_send', 'bulk_recv',
    'readline', 'churn', 'socket', 'inet_pton', 'inet_ntop', 'inet_aton',
    'inet_ntoa', 'htons', 'ntohl', 'getaddrinfo', 'selectors',
}

pytestmark = pytest.mark.skipif(
    shutil.which(os.environ.get('CC', 'gcc')) is None,
    reason='the benchmark builds its C floor with gcc')


def _run(tmp_path, *extra):
    out = tmp_path / 'out'
    env = dict(os.environ, CSOCKET_BENCH_DIR=BENCH)
    r = subprocess.run(
        [sys.executable, '-m', 'csocket', 'bench', '--quick',
         '--out', str(out), *extra],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return r, out


def test_quick_run_writes_every_workload(tmp_path):
    r, out = _run(tmp_path)
    with open(out / 'bench.json') as f:
        data = json.load(f)
    assert set(data['workloads']) == WORKLOADS
    for key, w in data['workloads'].items():
        assert set(w['impls']) == {'c', 'stdlib', 'csocket'}, key
        for impl, fig in w['impls'].items():
            assert fig['cpu_ns'] > 0, (key, impl)
            assert fig['wall_ns'] > 0, (key, impl)
            assert fig['cpu_ns_passes'], (key, impl)
        for name, ratio in w['ratios'].items():
            assert ratio is not None and ratio > 0, (key, name)
        assert w['target']['kind'] in ('csocket/c at most',
                                       'stdlib/csocket at least')
    # The markdown table names every workload.
    for key, w in data['workloads'].items():
        assert f"| {w['label']} |" in r.stdout
    # The chart is written, or its absence is said out loud.
    assert ('chart written' in r.stdout) == (out / 'bench.png').exists()
    if not (out / 'bench.png').exists():
        assert 'chart skipped' in r.stdout


def test_only_selects_workloads(tmp_path):
    _, out = _run(tmp_path, '--only', 'unix,htons')
    with open(out / 'bench.json') as f:
        data = json.load(f)
    assert set(data['workloads']) == {'unix', 'htons'}


def test_unknown_workload_is_refused(tmp_path):
    env = dict(os.environ, CSOCKET_BENCH_DIR=BENCH)
    r = subprocess.run(
        [sys.executable, '-m', 'csocket', 'bench', '--quick', '--only',
         'nosuch', '--out', str(tmp_path)],
        cwd=str(tmp_path), env=env, capture_output=True, text=True,
        timeout=120)
    assert r.returncode == 2
    assert 'nosuch' in r.stderr


def test_demo_is_unchanged_without_bench(tmp_path):
    # Plain `python -m csocket` still runs the echo demo.
    r = subprocess.run([sys.executable, '-m', 'csocket'], cwd=str(tmp_path),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert 'demo OK' in r.stdout
