"""The engine-array check of `benchmarks/multidim_arrays.py` (issue 18's bit-identity rule) can
fail: a changed value, a moved NaN, a changed type or a missing array are each found, and equal
dumps (NaN where NaN) are not."""

from __future__ import annotations

import numpy as np

from benchmarks.multidim_arrays import compare, differences, walk


def test_walk_finds_every_array_by_its_path():
    out: dict = {}
    walk({"a": np.zeros(2), "b": [np.ones(1), (3, np.arange(2))]}, "run", out)
    assert sorted(out) == ["run[a]", "run[b][0]", "run[b][1][1]"]


def test_differences_finds_each_kind_of_change(tmp_path):
    base = {"x": np.array([1.0, np.nan, 4.0]), "n": np.arange(3), "z": np.zeros((2, 2))}
    assert differences(base, {k: v.copy() for k, v in base.items()}) == ([], 0, 0.0)
    moved = dict(base, x=np.array([1.0, np.nan, 4.0 + 4e-12]))
    lines, n, worst = differences(base, moved)
    assert n == 1 and lines[0].startswith("x:") and 0.9e-12 < worst < 1.1e-12
    assert "NaN pattern same False" in differences(base, dict(base, x=np.array([1.0, 2.0, 4.0])))[0][0]
    assert differences(base, dict(base, n=np.array([0, 1, 3])))[1] == 1
    assert differences(base, dict(base, z=np.zeros((2, 2), np.float32)))[1] == 1
    assert differences(base, {"x": base["x"]})[1] == 3
    np.savez(tmp_path / "a.npz", **base)
    np.savez(tmp_path / "b.npz", **moved)
    assert compare(str(tmp_path / "a.npz"), str(tmp_path / "a.npz")) == 0
    assert compare(str(tmp_path / "a.npz"), str(tmp_path / "b.npz")) == 1
