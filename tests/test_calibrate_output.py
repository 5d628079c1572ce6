"""A calibration plugs into the parameter system: the file it writes is a valid transitions file
with provenance, a scenario selects it with `transitions:`, the engine then runs on the estimated
rates (and on posterior draws of them), and the default stays exactly as it was."""

from __future__ import annotations

import numpy as np
import pytest
import yaml
from conftest import ROOT, tiny_raw

from simlib.calibrate import calibrate_files, rates_for_model, read_draws, write_calibration
from simlib.calibrate.aggregate import entry_vector, run_filter, step
from simlib.calibrate.exposure import programme_factors
from simlib.calibrate.io import read_aggregate
from simlib.calibrate.prior import class_index, load_prior
from simlib.calibrate.synthetic import class_rates_of
from simlib.dataset import load_dataset
from simlib.engines.expected import run_expected
from simlib.model import compile_model
from simlib.parameters import load_parameters, sha256_file
from simlib.results import by_cell
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import load_yaml

SYN = ROOT / "data" / "synthetic_review"


@pytest.fixture(scope="module")
def household_cal(tmp_path_factory):
    cal = calibrate_files("household", [SYN / "households_2021_2023.csv"], draws=60, seed=3)
    out = write_calibration(cal, tmp_path_factory.mktemp("hh") / "cal")
    return cal, out


@pytest.fixture(scope="module")
def aggregate_cal(tmp_path_factory):
    cal = calibrate_files("aggregate", [SYN / "aggregate_2021_2023.csv"], draws=60, seed=3)
    out = write_calibration(cal, tmp_path_factory.mktemp("agg") / "cal")
    return cal, out


def _scenario_with(tmp_path, transitions, dataset="caobang"):
    raw = yaml.safe_load((ROOT / "params" / "scenarios" / "plan_2024.yaml").read_text(encoding="utf-8"))
    raw["transitions"] = str(transitions)
    p = tmp_path / "scen.yaml"
    p.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return load_scenario(p)


@pytest.mark.parametrize("which", ["household_cal", "aggregate_cal"])
def test_scenario_runs_on_the_estimated_rates(request, tmp_path, which):
    cal, out = request.getfixturevalue(which)
    scen = _scenario_with(tmp_path, out / "transitions.yaml")
    model = compile_model(scen)
    k = class_index(model.g_eth, model.g_area, model.poor_district[model.g_unit])
    np.testing.assert_allclose(model.rates, cal.class_rates[k], rtol=3e-5)  # file values: 6 significant digits
    # the run records the calibrated file among its inputs
    assert scen.input_hashes()[next(x for x in scen.input_hashes() if x.endswith("transitions.yaml"))] == sha256_file(
        out / "transitions.yaml"
    )


def test_default_is_unchanged():
    plain = load_scenario(ROOT / "params" / "scenarios" / "plan_2024.yaml")
    assert plain.params.hash == load_parameters().hash
    assert "transitions" not in plain.raw
    prior = load_prior()
    model = compile_model(plain)
    k = class_index(model.g_eth, model.g_area, model.poor_district[model.g_unit])
    np.testing.assert_array_equal(model.rates, prior.class_rates[k])


def test_provenance_and_fit_statistics(household_cal):
    cal, out = household_cal
    doc = load_yaml(out / "transitions.yaml")
    prov = doc["calibration"]
    data = SYN / "households_2021_2023.csv"
    assert prov["data"][0]["sha256"] == sha256_file(data) and prov["data"][0]["rows"] > 1000
    assert prov["method"] == "household" and prov["years"] == [2021, 2022, 2023]
    assert prov["prior"]["sha256"] == sha256_file(ROOT / "params" / "transitions.yaml")
    assert prov["draws"]["sha256"] == sha256_file(out / "draws.csv")
    assert prov["fit"]["household_years"] == int(cal.class_households.sum()) > 0
    assert "gross" in prov["programme"]["note"]
    # per-class rates: every class with data, each value inside its 95 % range
    assert len(doc["cells"]) == int((cal.class_households > 0).sum())
    for entry in doc["cells"]:
        for row in entry["rates"].values():
            for q in row.values():
                assert q["range"][0] <= q["value"] <= q["range"][1] and q["source"].startswith("simlib calibrate")


def test_draws_feed_the_engine(household_cal):
    cal, out = household_cal
    scen = load_scenario(ROOT / "params" / "scenarios" / "plan_2024.yaml")
    model = compile_model(scen)
    rates = rates_for_model(read_draws(out), model)
    assert rates.shape == (60, len(model.g_unit), 12)
    k = class_index(model.g_eth, model.g_area, model.poor_district[model.g_unit])
    np.testing.assert_allclose(rates, cal.class_draws[:, k])
    res = run_expected(model, np.broadcast_to(model.spend, (60,) + model.spend.shape), rates=rates)
    poor = res.states[:, -1, :, 0].sum(axis=1)
    assert poor.std() > 0 and np.isfinite(poor).all()


def test_one_step_projection_equals_the_engine(tmp_path, aggregate_cal):
    """calibrate's own one-year projection (filtered stock x fitted rates x budget factors) gives
    the same households as the expected engine run on the written file and a dataset holding
    that stock."""
    cal, out = aggregate_cal
    ds = load_dataset("caobang")
    panel = read_aggregate([SYN / "aggregate_2021_2023.csv"], ds)
    ones = np.ones((len(panel.years) - 1, len(panel.cells), 6))
    R = cal.class_rates[panel.cells.klass]
    stock = np.round(
        run_filter(panel, R, ones, ones, cal.growth, entry_vector(cal.entry)).stock[0, -1] * 3
    )  # whole households
    scen = _scenario_with(tmp_path, out / "transitions.yaml")
    f1, f2, _ = programme_factors(scen, 2024, panel.cells, stock)
    _, _, mine = step(
        stock[None], R[None], f1, f2, scen.params.value("transitions.growth.rate"), entry_vector(cal.entry)
    )
    counts = np.zeros((len(ds.unit_ids) * 4, 6))
    pos = np.array([ds.unit_ids.index(u) for u in panel.cells.unit_id]) * 4 + panel.cells.eth * 2 + panel.cells.area
    counts[pos] = stock
    from dataclasses import replace

    scen2 = replace(scen, dataset=replace(ds, counts=counts.reshape(ds.counts.shape)))
    m2 = compile_model(scen2)
    eng = by_cell(m2, run_expected(m2, m2.spend).states[0, 1], 0).reshape(len(ds.unit_ids) * 4, 6)
    np.testing.assert_allclose(mine[0], eng[pos], rtol=1e-5, atol=1e-6)


def test_a_bad_transitions_path_is_a_clear_error(tmp_path):
    raw = tiny_raw(transitions="nowhere/transitions.yaml")
    from simlib.errors import SimlibError

    with pytest.raises(SimlibError) as info:
        scenario_from_dict(raw, file=tmp_path / "s.yaml")
    assert "file not found" in info.value.message("en")


def test_known_model_of_the_bundled_lists_is_recovered(household_cal):
    """The bundled synthetic lists come from truth_transitions.yaml: the large classes' headline
    rates are recovered within their 95 % intervals widened a little (3 posterior sd)."""
    cal, _ = household_cal
    truth = class_rates_of(load_yaml(SYN / "truth_transitions.yaml"))
    sd = cal.class_draws.std(axis=0)
    big = np.flatnonzero(cal.class_households > 2000)
    assert len(big) >= 2
    for j in (0, 2, 10):  # escape, exit from near-poverty, new poverty
        assert (np.abs(cal.class_rates[big, j] - truth[big, j]) < 3 * sd[big, j]).all(), j
