"""The comparison runs of a written optimisation (`simlib.allocate.output.comparison_runs`: the
optimum, the plan and the equal split, each run by `simlib.runner.run`) share one run with no
money (`no_money_run`) instead of making one each, and give the tables each run makes alone
(every value equal, exactly). On the tiny fixture, on the states model and on the
multidimensional one (whose optimum splits its money across units its own way)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, tiny_raw

import simlib.allocate.output as output_module
import simlib.runner as runner_module
from simlib.allocate.optimize import optimize
from simlib.allocate.output import comparison_runs
from simlib.allocate.spec import resolve_spec
from simlib.runner import run

FREE = ("P2", "P3.1", "P5")


def _scenario(model: str):
    if model == "states":
        return make_scenario(tiny_raw())
    raw = tiny_raw(model="multidim", horizon=2)
    raw["budget"]["years"] = {y: v for y, v in raw["budget"]["years"].items() if int(y) <= 2025}
    return make_scenario(raw)


@pytest.mark.parametrize("model", ["states", "multidim"])
def test_the_comparison_runs_share_one_run_with_no_money(model, monkeypatch):
    scen = _scenario(model)
    lines = {c: {"ceiling": 0} for c in scen.catalogue.codes if c not in FREE}
    spec = resolve_spec(scen, {"objective": "poor", "frontier": [], "counterpart_min_share": 0, "lines": lines})
    res = optimize(scen, spec, with_frontier=False)
    assert not np.array_equal(res.scenarios["optimal"].budget.amounts, scen.budget.amounts)
    zero, real = [], runner_module.simulate

    def counted(target, spend, *args, **kw):
        zero.append(not np.any(spend))
        return real(target, spend, *args, **kw)

    for module in (runner_module, output_module):
        monkeypatch.setattr(module, "simulate", counted, raising=False)
    ind, tg = comparison_runs(res)
    assert sum(zero) == 1  # one run with no money (it was one per allocation: 3)
    monkeypatch.undo()
    for name, sc in res.scenarios.items():  # each allocation run alone, with its own run with no money
        alone = run(sc, engine="expected")
        mine = ind[ind["allocation"] == name].drop(columns="allocation").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.indicators.reset_index(drop=True), check_exact=True)
        mine = tg[tg["allocation"] == name].drop(columns="allocation").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone.targets.reset_index(drop=True), check_exact=True)
