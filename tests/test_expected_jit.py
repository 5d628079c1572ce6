"""The compiled expected loop agrees with the numpy reference (`YearStep`) to rounding, for
single scenarios, batches, drawn effects and rates, and without stored flows."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from simlib.engines import expected_jit
from simlib.engines.expected import run_expected
from simlib.model import compile_model

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
