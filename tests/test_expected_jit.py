"""The compiled expected loop agrees with the numpy reference (`YearStep`) to rounding, for
single scenarios, batches, drawn effects and rates, and without stored flows."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_scenario

from simlib.engines import expected_jit
from simlib.engines.expected import YearStep, class_index, run_expected
from simlib.engines.expected_args import grouped, prepare
from simlib.engines.expected_jit import INDEX, LINES, PEOPLE, year_zero
from simlib.engines.reach import formation_sizes
from simlib.model import compile_model
from simlib.transitions import ENA

pytestmark = pytest.mark.skipif(not expected_jit.available(), reason="numba not installed")
FIELDS = ("states", "flows", "entries", "reached", "eligible", "ps_supported", "ps_wanting")


def _close(a, b, fields=FIELDS):
    for f in fields:
        x, y = getattr(a, f), getattr(b, f)
        np.testing.assert_allclose(x, y, rtol=1e-11, atol=1e-9, err_msg=f)


@pytest.fixture(scope="module")
def model():
    return compile_model(make_scenario())


def test_single_scenario(model):
    _close(run_expected(model, model.spend, backend="jit"), run_expected(model, model.spend, backend="numpy"))


def test_batch_with_drawn_effects_and_rates(model):
    rng = np.random.default_rng(5)
    S = 7
    spend = model.spend[None] * rng.uniform(0, 3, size=(S, 1, len(model.line_codes), 1))
    effects = np.clip(model.effects[None] * rng.uniform(0.5, 1.5, size=(S,) + model.effects.shape), 0, 0.9)
    rates = np.clip(model.rates[None] * rng.uniform(0.7, 1.3, size=(S,) + model.rates.shape), 0, 0.4)
    a = run_expected(model, spend, effects=effects, rates=rates, backend="jit")
    b = run_expected(model, spend, effects=effects, rates=rates, backend="numpy")
    _close(a, b)
    assert not np.allclose(a.states[0], a.states[1])  # the batch really differs


def test_full_coverage_and_zero_budget(model):
    spend = np.stack([np.zeros_like(model.spend), model.spend * 1e4])  # nothing, and more than enough
    _close(run_expected(model, spend, backend="jit"), run_expected(model, spend, backend="numpy"))


def test_without_flows_same_stocks(model):
    a = run_expected(model, model.spend, keep_flows=False)
    b = run_expected(model, model.spend)
    _close(a, b, [f for f in FIELDS if f != "flows"])
    assert a.flows.shape[2] == 0


def _identical(a, b, fields=FIELDS):
    """Bit for bit (signed zeros included), not to rounding."""
    for f in fields:
        x, y = np.ascontiguousarray(getattr(a, f)), np.ascontiguousarray(getattr(b, f))
        assert x.shape == y.shape and x.tobytes() == y.tobytes(), f


def test_grouped_lists_positions_by_key_in_ascending_order():
    ptr, order = grouped(np.array([2, 0, 2, 1, 0, 2]), 4)
    assert ptr.tolist() == [0, 2, 3, 6, 6]  # key 3 has no position
    assert order.tolist() == [1, 4, 3, 0, 2, 5]


def test_first_year_counts_cached_per_model_match_the_numpy_step(model):
    E0, new0 = year_zero(model, class_index(model.structure))
    step = YearStep(model, 1, model.effects[None])
    np.testing.assert_allclose(E0, step.eligible_by_tier(model.n0[None].astype(float))[0], rtol=1e-12)
    expected = model.growth * formation_sizes(model, model.n0.astype(float))[:, None] * model.entry
    np.testing.assert_allclose(new0, expected, rtol=1e-12)
    assert year_zero(model, class_index(model.structure)) is year_zero(model, class_index(model.structure))
    # a changed copy of the model is a new object: its counts are its own, not the cached ones
    other = replace(model, structure=replace(model.structure, n0=model.n0 * 2))
    np.testing.assert_allclose(year_zero(other, class_index(other.structure))[0], 2 * E0, rtol=1e-12)
    _close(run_expected(other, other.spend, backend="jit"), run_expected(other, other.spend, backend="numpy"))


def test_other_programmes_money_and_lags_in_the_loop(model):
    """The acting money (lags, other programmes' money) is computed inside the compiled loop."""
    rng = np.random.default_rng(3)
    other = rng.uniform(0, 2e9, size=model.spend.shape[:2])
    m2 = replace(model, levers=replace(model.levers, other=other))
    assert m2.params.lag.max() >= 1 and m2.params.lag.min() == 0  # both kinds of line
    a, b = run_expected(m2, m2.spend, backend="jit"), run_expected(m2, m2.spend, backend="numpy")
    _close(a, b)
    assert not np.allclose(a.reached, run_expected(model, model.spend, backend="jit").reached)


def test_standing_works_without_new_money(model):
    """Area lines' money acting in the first year only, enabling lines' in the second: the
    second year's area-line factors come from standing works alone (coverage 0, standing share
    > 0) under another enabling boost, so the loop must compute those effect pairs anew."""
    area, lag = model.area_line, model.params.lag
    enabling = model.effects[:, ENA] > 0
    assert enabling.any() and (lag[area] == 1).all() and (lag[enabling] == 0).all()
    spend = np.zeros_like(model.spend)
    spend[0, area] = model.spend[1, area]  # acts in the first projected year (lag 1)
    spend[2, enabling] = 3 * model.spend[1, enabling]  # acts in the second (lag 0)
    a, b = run_expected(model, spend, backend="jit"), run_expected(model, spend, backend="numpy")
    _close(a, b)
    assert a.reached[0, 1, area].sum() == 0 and a.reached[0, 1, enabling].sum() > 0
    without = spend.copy()
    without[0, area] = 0.0
    assert not np.allclose(a.states[0, -1], run_expected(model, without, backend="jit").states[0, -1])


def test_without_flows_bit_identical_stocks(model):
    rng = np.random.default_rng(9)
    spend = model.spend[None] * rng.uniform(0, 3, size=(5, 1, len(model.line_codes), 1))
    _identical(run_expected(model, spend, keep_flows=False), run_expected(model, spend), FIELDS[:1] + FIELDS[2:])


def test_static_arguments_fill_the_entry_points_slots(model):
    """The compiled entry point slices its 55 flat arguments with literal bounds: spending,
    effects, rows (3), the static tuples, money (3), first year (2), outputs (7), scratch."""
    static = prepare(model, class_index(model.structure))
    assert len(static) == INDEX + LINES + PEOPLE + 3
    assert 2 + 3 + len(static) + 2 + 7 + 1 == 55
