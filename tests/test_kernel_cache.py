"""The first run on a machine compiles the engines' kernels (minutes with nothing moving): `simlib
batch` says so before it starts, and only then (`simlib.engines.kernel_cache`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT
from hostile_helpers import cli

from simlib.engines import kernel_cache
from simlib.errors import InputError

PLAN = str(ROOT / "params" / "scenarios" / "plan_2024.yaml")
MULTIDIM = ROOT / "params" / "scenarios" / "multidim_2030.yaml"


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


def stopped_after(models: set):
    """A stand-in for `run_batch` whose scenarios to run have the poverty models `models`: it
    says so to the command (`on_start`), then stops the batch."""

    def stop(*args, on_start=None, **kwargs):
        on_start(set(models))
        raise InputError("enum", field="years", value="stop", allowed=("-",))

    return stop


@pytest.mark.parametrize(
    "cached,models,said",
    [
        (False, {"states", "multidim"}, True),
        (True, {"states", "multidim"}, False),
        (None, {"multidim"}, False),
        # a batch of the states model alone compiles its kernels in seconds: nothing to say
        (False, {"states"}, False),
    ],
)
def test_batch_says_a_first_run_compiles(tmp_path, monkeypatch, cached, models, said):
    monkeypatch.setattr("simlib.cli.common.kernels_cached", lambda: cached)
    monkeypatch.setattr("simlib.cli.batch.run_batch", stopped_after(models))
    for lang, words in (("vi", "Lần chạy đầu tiên trên máy này"), ("en", "First run on this machine")):
        code, text = cli("--lang", lang, "batch", PLAN, "--out", str(tmp_path / f"out_{lang}"))
        assert code == 2  # the stand-in's refusal: nothing ran
        assert (words in text) == said


class Started(Exception):
    pass


def test_run_batch_names_the_models_it_is_about_to_run(tmp_path):
    """`on_start` hears the poverty models of the valid scenarios, before any runs (an invalid
    file's model is not among them); the batch's own folder is not left behind."""
    from simlib.batch import run_batch

    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nmodel: multidim\nhorizn: 2030\n", encoding="utf-8")
    heard = []

    def on_start(models):
        heard.append(models)
        raise Started

    out = tmp_path / "out"
    with pytest.raises(Started):
        run_batch(
            [Path(PLAN), bad], out, executor="serial", reports=False, on_start=on_start, on_invalid=lambda b: None
        )
    assert heard == [{"states"}]
    with pytest.raises(Started):
        run_batch([Path(PLAN), MULTIDIM], out, executor="serial", reports=False, on_start=on_start)
    assert heard[1] == {"states", "multidim"}
    assert not out.exists()
