"""The explorer's cheaper view of a change (issue 18) gives what the general code gives, to the
bit: the indicator arrays made only for the indicators read, the long indicator table built from
numpy in one piece, the chart's lines and the headline cards' means without a group-by."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, tiny_raw

from simlib import results as R
from simlib import runner
from simlib.multidim.tables import MULTIDIM_INDICATORS, multidim_indicators
from simlib.options import RunOptions
from simlib.unit_switch import compile_run_model, simulate
from simlib.workbench.charts import PANELS, rate_lines, rate_series
from simlib.workbench.compare import head_means, records
from simlib.workbench.project import what_if


@pytest.fixture(scope="module")
def run():
    raw = tiny_raw(model="multidim", horizon=5)  # crossing the change of standard at the 2027 review
    raw["budget"]["years"].update({str(y): {"same_as": 2024} for y in (2025, 2026, 2027, 2028)})
    scen = make_scenario(raw)
    return runner.run(what_if(scen), RunOptions(engine="expected"))


def bits(a: np.ndarray) -> bytes:
    return np.ascontiguousarray(a).tobytes()


def test_arrays_for_some_names_equal_all_of_them(run):
    out, model = run.output, run.model
    geos, full = R.indicator_arrays(out, model, model.spend)
    assert R.FLOW_GROUP == set(R.flow_indicators(model, out, R.geographies(model)[1]))
    for names in (["poor", "spend"], list(R.EFFECT_READS), ["escapes"], ["review_added_poor", "poor_rate"]):
        g, some = R.indicator_arrays(out, model, model.spend, names)
        assert g == geos and set(names) <= set(some)
        assert list(some) == [k for k in full if k in some]  # the same order
        assert all(bits(some[k]) == bits(full[k]) for k in some)
        assert R.FLOW_GROUP.isdisjoint(some) == R.FLOW_GROUP.isdisjoint(names)


def test_the_effect_from_given_arrays_equals_its_own(run):
    out, model = run.output, run.model
    target = compile_run_model(run.scenario)[1]
    without = simulate(target, np.zeros_like(model.spend), RunOptions(engine="expected"))
    own = R.programme_effect_indicators(model, model.spend, out, without)
    ind = R.indicator_arrays(out, model, model.spend, R.EFFECT_READS)[1]
    cf = R.indicator_arrays(without, model, np.zeros_like(model.spend), ("poor", "near_poor"))[1]
    given = R.programme_effect_indicators(model, model.spend, out, without, ind, cf)
    assert list(own) == list(given) and all(bits(own[k]) == bits(given[k]) for k in own)


def test_multidim_indicator_names(run):
    assert tuple(multidim_indicators(run.output, compile_run_model(run.scenario)[1])) == MULTIDIM_INDICATORS


def assert_frames_same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert list(a.dtypes.astype(str)) == list(b.dtypes.astype(str))
    assert type(a.index) is type(b.index)
    assert (pd.util.hash_pandas_object(a, index=True) == pd.util.hash_pandas_object(b, index=True)).all()
    assert bits(a["value"].to_numpy()) == bits(b["value"].to_numpy())


@pytest.mark.parametrize("S", [1, 3])
def test_long_indicators_equal_the_frames_joined(S):
    rng = np.random.default_rng(S)
    years, geos = [2023, 2024, 2025, 2026], [("province", "province"), ("district", "d1"), ("ethnic_group", "kinh")]
    ind = {}
    for name in ("households", "poor_rate", "escapes", "spend", "cost_per_household_lifted"):
        a = rng.normal(size=(S, len(years), len(geos))) * 10.0 ** rng.integers(-3, 8)
        a[rng.random(a.shape) < 0.3] = np.nan
        a[rng.random(a.shape) < 0.1] = -0.0
        ind[name] = a
    assert_frames_same(R.long_indicators(ind, S, years, geos), R.long_indicators_by_frame(ind, S, years, geos))
    one = {"poor": ind["households"]}
    assert_frames_same(R.long_indicators(one, S, years, geos), R.long_indicators_by_frame(one, S, years, geos))
    odd = {"poor": ind["households"], "no_unit_known": ind["spend"]}  # taken by the frames
    assert_frames_same(R.long_indicators(odd, S, years, geos), R.long_indicators_by_frame(odd, S, years, geos))


def test_the_run_table_equals_the_frames_joined(run):
    out, model = run.output, run.model
    geos, ind = R.indicator_arrays(out, model, model.spend)
    years = [run.scenario.baseline_year] + list(model.years)
    assert_frames_same(
        R.long_indicators(ind, out.n_draws, years, geos), R.long_indicators_by_frame(ind, out.n_draws, years, geos)
    )


def rates_frame(S: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for geo, gt in PANELS + (("province", "district"),):
        for d in range(S):
            for y in (2023, 2026, 2024, 2025):
                v = float(rng.normal() * 20)
                v = -0.0 if rng.random() < 0.2 else v
                rows.append({"draw": d, "year": y, "geo": geo, "geo_type": gt, "indicator": "poor_rate", "value": v})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("S", [1, 2, 5])
def test_rate_lines_equal_rate_series(S):
    for seed in range(5):
        rates = rates_frame(S, seed)
        want = [rate_series(rates, g, gt)[1] for g, gt in PANELS]
        got = rate_lines(rates, list(PANELS))
        assert [[repr(v) for v in line] for line in got] == [[repr(v) for v in line] for line in want]
        assert rate_lines(rates.iloc[:0], list(PANELS)) == [[], [], []]


@pytest.mark.parametrize("S", [1, 3])
def test_head_means_equal_the_group_means(S):
    for seed in range(5):
        rows = rates_frame(S, seed).assign(indicator=lambda d: np.where(d["geo"] == "province", "poor", "poor_rate"))
        want = rows.groupby(["indicator", "year"])["value"].mean().to_dict()
        got = head_means(rows)
        assert set(got) == set(want)
        assert {k: repr(v) for k, v in got.items()} == {k: repr(v) for k, v in want.items()}


def same_records(a: list[dict], b: list[dict]) -> bool:
    """Equal keys, values and value types (NaN equal to NaN)."""
    if len(a) != len(b):
        return False
    for x, y in zip(a, b):
        if list(x) != list(y):
            return False
        for k in x:
            if type(x[k]) is not type(y[k]) or (x[k] != y[k] and not (x[k] != x[k] and y[k] != y[k])):
                return False
    return True


def test_records_equal_pandas_records():
    frame = pd.DataFrame(
        {
            "target_id": ["a", "b", None],
            "year": np.array([2024, 2025, 2030], dtype=np.int64),
            "value": [0.5, np.nan, -0.0],
            "met": [True, False, True],
            "n": np.array([1, 2, 3], dtype=np.int32),
        }
    )
    assert str(frame["target_id"].dtype) == "str"
    assert same_records(records(frame), frame.to_dict("records"))
    mixed = frame.assign(obj=pd.Series([np.float64(1.5), "x", None], dtype=object), cat=pd.Categorical(["u", "v", "u"]))
    assert same_records(records(mixed), mixed.to_dict("records"))
    assert records(frame.iloc[:0]) == frame.iloc[:0].to_dict("records")
