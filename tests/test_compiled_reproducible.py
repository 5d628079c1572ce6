"""Same inputs, same bytes — also between a process that compiles the multidimensional kernels and
one that loads them from numba's on-disk cache (a fresh clone's first run and every later one).
With sums that LLVM may reorder ("reassoc" fast maths) the two once wrote different last bits."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, tiny_raw

pytestmark = pytest.mark.slow


def _run(scenario, out, cache) -> None:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    r = subprocess.run(
        [sys.executable, "-m", "simlib", "run", str(scenario), "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_compiled_and_cached_kernels_write_the_same_bytes(tmp_path):
    scenario = tmp_path / "tiny_multidim.yaml"
    scenario.write_text(yaml.safe_dump(tiny_raw(model="multidim"), allow_unicode=True), encoding="utf-8")
    cache = tmp_path / "numba-cache"  # empty: the first run compiles, the second loads
    _run(scenario, tmp_path / "first", cache)
    assert any(cache.rglob("*.nbi")), "the first run cached no kernel: the test would compare two compilations"
    _run(scenario, tmp_path / "second", cache)
    csvs = sorted(p.name for p in (tmp_path / "first").glob("*.csv"))
    assert "deprivations.csv" in csvs
    for name in csvs:
        assert (tmp_path / "first" / name).read_bytes() == (tmp_path / "second" / name).read_bytes(), name
