"""The optimiser tells its engine runs to an explicit callback (`optimize(..., on_runs=...)`,
carried by its `Problem`), never through a module-level registry: the callback receives exactly
the spending arrays the engine was given for this optimisation (counted independently by
wrapping the engine), and two optimisations in one process, even one started inside the other's
callback, never see each other's runs. Tiny states fixture."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from conftest import make_scenario, tiny_raw

from simlib.allocate import evaluate
from simlib.allocate.optimize import optimize
from simlib.allocate.problem import build_problem
from simlib.allocate.spec import resolve_spec

BASE = {"frontier": [], "counterpart_min_share": 0, "effort": "economy"}


@pytest.fixture(scope="module")
def scen():
    return make_scenario(tiny_raw())


def _spec(scen, objective):
    return resolve_spec(scen, BASE | {"objective": objective})


class CountingEngine:
    """The optimiser's engine, counting the spending arrays of every call."""

    def __init__(self, eng, counts: list):
        self.eng, self.counts = eng, counts

    def run(self, target, spend, **kw):
        self.counts.append(len(spend))
        return self.eng.run(target, spend, **kw)

    def __getattr__(self, name):
        return getattr(self.eng, name)


def test_the_callback_receives_the_engine_runs(scen, monkeypatch):
    """Without per-district variables every run is of the whole model, so the runs told add up to
    the spending arrays the engine received, call by call."""
    arrays = []
    real = evaluate.engine
    monkeypatch.setattr(evaluate, "engine", lambda poverty_model="states": CountingEngine(real(poverty_model), arrays))
    told = []
    res = optimize(scen, _spec(scen, "poor"), on_runs=told.append)
    assert not res.spec.by_district and len(arrays) > 3
    assert told == arrays  # one report per engine call, with its number of arrays
    assert sum(told) >= res.problem.n_evals > 0  # building, comparing and explaining run too


def test_problems_tell_only_their_own_callback(scen):
    """Two problems evaluated in turn: each callback hears only its own problem's runs."""
    a, b = [], []
    pa = replace(build_problem(scen, _spec(scen, "poor")), on_runs=a.append)
    pb = replace(build_problem(scen, _spec(scen, "poor_near_poor")), on_runs=b.append)
    x = np.full(pa.n, 0.3)
    pa.evaluate(np.array([x, x]))
    pb.evaluate(np.array([x, x, x]))
    pa.evaluate(x[None])
    assert a == [2, 1] and b == [3]


def test_two_optimisations_do_not_see_each_others_runs(scen):
    """Optimisation B runs inside A's callback (as a second optimisation in the same process
    would, e.g. a workbench's suggestion while a CLI optimises): A's callback hears exactly what A
    alone hears, B's what B alone hears. A global listener list would give A B's runs too."""
    alone_a, alone_b = [], []
    optimize(scen, _spec(scen, "poor"), on_runs=alone_a.append)
    optimize(scen, _spec(scen, "poor_near_poor"), on_runs=alone_b.append)
    assert sum(alone_a) > 0 and sum(alone_b) > 0

    a, b = [], []

    def on_a(runs):
        a.append(runs)
        if len(a) == 1:
            optimize(scen, _spec(scen, "poor_near_poor"), on_runs=b.append)

    optimize(scen, _spec(scen, "poor"), on_runs=on_a)
    assert b == alone_b
    assert a == alone_a
