"""The first run on a machine compiles the engines' kernels (minutes with nothing moving): `simlib
batch` says so before it starts, and only then (`simlib.engines.kernel_cache`)."""

from __future__ import annotations

import pytest
from conftest import ROOT
from hostile_helpers import cli

from simlib.engines import kernel_cache
from simlib.errors import InputError

PLAN = str(ROOT / "params" / "scenarios" / "plan_2024.yaml")


def test_kernels_cached_reads_numbas_index_files(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    assert kernel_cache.kernels_cached(tmp_path) is False  # no __pycache__ at all (a fresh copy)
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "common.cpython-311.pyc").write_bytes(b"")
    assert kernel_cache.kernels_cached(tmp_path) is False  # Python's own cache only
    (tmp_path / "__pycache__" / "multidim_jit._year-239.py311.nbi").write_bytes(b"")
    (tmp_path / "__pycache__" / "multidim_cell_kernels.empty-387.py311.1.nbc").write_bytes(b"")
    assert kernel_cache.kernels_cached(tmp_path) is False  # what importing the engines writes
    (tmp_path / "__pycache__" / "multidim_jit._year-239.py311.1.nbc").write_bytes(b"")
    assert kernel_cache.kernels_cached(tmp_path) is True


def test_a_cache_kept_elsewhere_is_not_known(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    assert kernel_cache.kernels_cached(tmp_path) is None


def stopped(*args, **kwargs):
    raise InputError("enum", field="years", value="stop", allowed=("-",))  # the batch stops here


@pytest.mark.parametrize("cached,said", [(False, True), (True, False), (None, False)])
def test_batch_says_a_first_run_compiles(tmp_path, monkeypatch, cached, said):
    monkeypatch.setattr("simlib.cli.batch.kernels_cached", lambda: cached)
    monkeypatch.setattr("simlib.cli.batch.run_batch", stopped)
    for lang, words in (("vi", "Lần chạy đầu tiên trên máy này"), ("en", "First run on this machine")):
        code, text = cli("--lang", lang, "batch", PLAN, "--out", str(tmp_path / f"out_{lang}"))
        assert code == 2  # the stand-in's refusal: nothing ran
        assert (words in text) == said
