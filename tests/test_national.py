"""National scale on a reduced synthetic country: chunked and unchunked runs give identical
numbers for the same seed, through every executor (serial, local processes, a Dask LocalCluster)."""

from __future__ import annotations

import importlib.util
import json
import shutil

import numpy as np
import pytest
from conftest import ROOT

from simlib.cli import main
from simlib.engines import get_engine, run_expected
from simlib.model import compile_model
from simlib.national import run_chunked, unit_slice
from simlib.options import RunOptions
from simlib.scenario import load_scenario

SCALE = 0.0005  # about 14,000 households in 63 provinces


def _builder():
    spec = importlib.util.spec_from_file_location("build_national", ROOT / "data" / "national" / "build_national.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    folder = tmp_path_factory.mktemp("national")
    _builder().build(folder / "generated", scale=SCALE)
    shutil.copy(ROOT / "data" / "national" / "national_2024.yaml", folder / "national_2024.yaml")
    return folder


@pytest.fixture(scope="module")
def model(national):
    return compile_model(load_scenario(national / "national_2024.yaml"))


def test_builder_matches_published_totals():
    """Full size: 63 provinces and the published national / NMM poor and near-poor counts."""
    b = _builder()
    provs = b.provinces(1.0)
    assert len(provs) == 63
    for key in ("households", "poor", "near_poor"):
        assert sum(p[key] for p in provs) == pytest.approx(b.NATIONAL[key], rel=1e-9)
        assert sum(p[key] for p in provs if p["nmm"]) == pytest.approx(b.NMM[key], rel=1e-9)
    cells = b.cells(provs[1])  # Cao Bằng
    assert cells.sum() == round(b.CAOBANG["households"]) and cells[..., 0].sum() == round(
        b.CAOBANG["households"] * 0.2471
    )


def test_unit_slices_reproduce_the_whole_expected_run(model):
    whole = run_expected(model, model.spend)
    d = model.unit_ids.index("cao_bang")
    part = run_expected(unit_slice(model, [d]), model.spend[..., [d]])
    g = model.g_unit == d
    np.testing.assert_allclose(part.states[0], whole.states[0][:, g], rtol=1e-12)
    np.testing.assert_allclose(part.reached[0][..., 0], whole.reached[0][..., d], rtol=1e-12)


@pytest.mark.parametrize("engine", ["microsim-fast", "aggregate"])
def test_chunked_equals_unchunked(model, engine):
    options = RunOptions(engine=engine, draws=2, seed=11, executor="serial")
    one = run_chunked(model, model.spend, get_engine(engine), options.but(chunk=len(model.unit_ids)))
    many = run_chunked(model, model.spend, get_engine(engine), options.but(chunk=5))
    for f in ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting"):
        assert np.array_equal(getattr(one, f), getattr(many, f)), f
    other_seed = run_chunked(model, model.spend, get_engine(engine), options.but(chunk=5, seed=12))
    assert not np.array_equal(one.states, other_seed.states)


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["local", "dask"])
def test_parallel_executors_give_the_same_numbers(model, executor):
    fast = get_engine("microsim-fast")
    ref = run_chunked(model, model.spend, fast, RunOptions(seed=3, chunk=63, executor="serial"))
    par = run_chunked(model, model.spend, fast, RunOptions(seed=3, chunk=16, executor=executor, jobs=2))
    assert np.array_equal(ref.states, par.states) and np.array_equal(ref.flows, par.flows)


def test_cli_runs_the_national_scenario_in_chunks(national, tmp_path, capsys):
    out = tmp_path / "out"
    rc = main(
        [
            "--lang",
            "en",
            "run",
            str(national / "national_2024.yaml"),
            "--engine",
            "aggregate",
            "--draws",
            "2",
            "--chunk",
            "20",
            "--executor",
            "serial",
            "--out",
            str(out),
        ]
    )
    assert rc == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["chunking"]["chunk"] == 20 and manifest["engine"] == "aggregate"
    assert (
        main(
            ["--lang", "en", "run", str(national / "national_2024.yaml"), "--chunk", "0", "--out", str(tmp_path / "x")]
        )
        == 2
    )
    assert "--chunk" in capsys.readouterr().err
