"""The uncertainty runs' shortcuts give the numbers of the plain paths, bit for bit (issue 18):
`simulate_draw` (the expected engine given a draw's own rates, no table of distinct rows; the run
without money in the same batch) against `simulate` (the registry's engine), on draws of plan_2024 whose groups do share rows; the PRIM
candidates' varying columns (`rules.varying`) against a hand-made table."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from conftest import ROOT

from simlib.engines.expected_args import rate_rows
from simlib.options import RunOptions
from simlib.runner import simulate
from simlib.scenario import load_scenario
from simlib.uncertainty.apply import DrawCompiler
from simlib.uncertainty.evaluate import simulate_draw
from simlib.uncertainty.rules import varying
from simlib.uncertainty.sampling import sample
from simlib.uncertainty.space import scenario_space

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def assert_same_output(a, b) -> None:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert x.shape == y.shape and x.dtype == y.dtype, f.name
            assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name
            assert x.tobytes() == y.tobytes(), f.name  # bit for bit (signed zeros too)
        else:
            assert x == y, f.name


def test_draw_run_equals_the_registry_run_bit_for_bit(plan):
    space = scenario_space(plan)
    draws = sample(space, plan.params, 3, "lhs", 7)
    compiler = DrawCompiler(plan, draws.keys)
    options = RunOptions(seed=0)
    for v in draws.values:
        model = compiler.target(v)
        # not vacuous: the registry's run reads a table of fewer rows than groups
        row_of, table, _ = rate_rows(model.params.affine, True)
        assert table.shape[2] < len(row_of)
        for spend in (model.spend, np.zeros_like(model.spend)):
            out, none = simulate_draw(model, spend, options)
            assert none is None
            assert_same_output(out, simulate(model, spend, options))
        # with the run without money: both in one batch of the vectorised engine
        out, without = simulate_draw(model, model.spend, options, without=True)
        assert out.states.shape[0] == without.states.shape[0] == 1
        assert_same_output(out, simulate(model, model.spend, options))
        assert_same_output(without, simulate(model, np.zeros_like(model.spend), options))
        assert not np.array_equal(out.states, without.states)  # not vacuous: the money moves households


def test_other_engines_go_through_the_registry(plan):
    model = DrawCompiler(plan, []).target(np.empty(0))
    options = RunOptions(engine="aggregate", draws=2, seed=3)
    out, without = simulate_draw(model, model.spend, options, without=True)
    assert_same_output(out, simulate(model, model.spend, options))
    assert_same_output(without, simulate(model, np.zeros_like(model.spend), options))


def test_varying_columns_are_those_with_two_distinct_values():
    nan = np.nan
    A = np.array(
        [
            [1.0, nan, 0.0, nan, 2.0, 7.0],
            [1.0, nan, -0.0, 3.0, 2.0, nan],
            [1.0, nan, 0.0, nan, 5.0, 7.5],
        ]
    )
    # constant, all missing, +0 and -0 (one value), one value and gaps, two values, two and a gap
    assert varying(A).tolist() == [False, False, False, False, True, True]
    assert varying(np.empty((0, 2))).tolist() == [False, False]
