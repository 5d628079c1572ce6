"""A report with parameter draws builds the draws' layout from its central run instead of running
the scenario again (`make_layout(..., central=run)`): the layout and every uncertainty table are
the same to the byte with and without the reuse, the run itself is left untouched, and a run of
another engine or another scenario is never reused. The explorer on the multidimensional model
reuses likewise: its no-money run per starting scenario, and its run of the shown allocation for
the probabilities' layout."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, tiny_raw

from simlib.options import RunOptions
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.uncertainty.evaluate import central_output, make_layout
from simlib.uncertainty.run import run_uncertainty

ROOT = Path(__file__).resolve().parent.parent


def _md():
    return make_scenario(tiny_raw(model="multidim", horizon=2))


@pytest.fixture(
    scope="module",
    params=["plan_2024", "multidim_tiny"],
)
def scen(request):
    if request.param == "multidim_tiny":
        return _md()
    return load_scenario(ROOT / "params" / "scenarios" / f"{request.param}.yaml")


def _arrays(output) -> dict:
    fields = dataclasses.asdict(output) if dataclasses.is_dataclass(output) else vars(output)
    return {k: np.array(v, copy=True) for k, v in fields.items() if isinstance(v, np.ndarray)}


def test_layout_from_the_central_run_is_identical(scen):
    res = run(scen)
    before = _arrays(res.output)
    assert before, "the engine output holds no arrays to compare"
    assert central_output(res, scen) is res.output
    fresh, reused = make_layout(scen, "expected", True), make_layout(scen, "expected", True, res)
    assert (fresh.indicators, fresh.years, fresh.geos) == (reused.indicators, reused.years, reused.geos)
    pd.testing.assert_frame_equal(fresh.target_cells, reused.target_cells, check_exact=True)
    after = _arrays(res.output)  # the report goes on using its run
    assert before.keys() == after.keys() and all(np.array_equal(before[k], after[k]) for k in before)


def test_uncertainty_tables_identical_with_and_without_reuse(scen, tmp_path):
    res = run(scen)
    options = RunOptions(seed=int(res.manifest["seed"]))
    a = run_uncertainty(scen, 4, options, folder=tmp_path / "a", rules=False)
    b = run_uncertainty(scen, 4, options, folder=tmp_path / "b", rules=False, central=res)
    for name in ("quantiles", "targets", "outcomes"):
        x, y = getattr(a, name), getattr(b, name)
        assert x.to_csv(index=False) == y.to_csv(index=False), name


def test_other_runs_are_not_reused():
    scen = _md()
    other = copy.copy(scen)
    res = run(scen)
    assert central_output(None, scen) is None
    assert central_output(res, other) is None  # another scenario object
    res.manifest = dict(res.manifest, engine="microsim", draws=5)
    assert central_output(res, scen) is None  # a stochastic engine's output is not the layout's run


# --- the explorer on the multidimensional model -------------------------------------------------


def _zero_spend_runs(monkeypatch) -> list:
    """Count the engine runs with no money (the programme's counterfactual) from now on."""
    import simlib.runner
    import simlib.workbench.project

    real, calls = simlib.runner.simulate, []

    def counting(model, spend, *a, **k):
        if not np.any(spend):
            calls.append(1)
        return real(model, spend, *a, **k)

    monkeypatch.setattr(simlib.runner, "simulate", counting)
    monkeypatch.setattr(simlib.workbench.project, "simulate", counting)
    return calls


def test_multidim_explorer_change_updates_in_place_and_matches_a_fresh_run(tmp_path, monkeypatch):
    """A change on the multidimensional model updates the same widgets, runs the engine without
    money no more (kept per starting scenario, as for the states model), and shows exactly the
    numbers of a full run of the new allocation made from scratch."""
    from simlib.workbench.project import shown_indicators, what_if
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState(_md()), "en", tmp_path / "saved", debounce=0)
    widgets, cards = dict(view.w), view.w["cards"].value
    calls = _zero_spend_runs(monkeypatch)
    view.grid.cells[("P2", "central_recurrent")].value = "0"
    assert view.updates == 2 and calls == []  # projected again, the no-money run not repeated
    assert all(view.w[k] is widgets[k] for k in widgets) and view.w["cards"].value != cards
    fresh = run(what_if(view.state.scenario()), engine="expected")  # its own no-money run
    assert calls == [1]
    # the view holds the indicators it reads (the full table's rows, in order), its run all of them
    shown = fresh.indicators[fresh.indicators["indicator"].isin(shown_indicators(fresh.scenario))]
    pd.testing.assert_frame_equal(view.result.indicators, shown.reset_index(drop=True), check_exact=True)
    pd.testing.assert_frame_equal(view.result.run.indicators, fresh.indicators, check_exact=True)
    pd.testing.assert_frame_equal(view.result.targets, fresh.targets, check_exact=True)
    effect = shown[shown["indicator"] == "poor_fewer_than_without_programme"]
    assert len(effect) and effect["value"].abs().sum() > 0  # the reused run does enter the numbers


def test_multidim_probabilities_reuse_the_explorers_run(tmp_path, monkeypatch):
    """The probabilities of the shown allocation build their layout from the explorer's run of it
    (not from a run of their own), with the same tables to the byte; a run of other amounts is
    never taken for it."""
    import simlib.uncertainty.evaluate as E
    from simlib.workbench import compare as C
    from simlib.workbench.state import AllocationState
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState(_md()), "en", tmp_path / "saved", debounce=0)
    start = view.result.run
    view.grid.cells[("P2", "central_recurrent")].value = "0"
    scen, base = view.state.scenario(), view.state.base
    real, reused = E.central_output, []
    monkeypatch.setattr(E, "central_output", lambda c, s: reused.append(real(c, s)) or reused[-1])
    with_run = C.probabilities(scen, 4, seed=3, base=base, central=view.result.run)
    assert reused[-1] is view.result.run.output
    other = C.probabilities(scen, 4, seed=3, base=base, central=start)  # the plan's run: other amounts
    assert reused[-1] is None
    fresh = C.probabilities(scen, 4, seed=3)
    for name in ("quantiles", "targets", "outcomes"):
        x = getattr(fresh, name).to_csv(index=False)
        assert getattr(with_run, name).to_csv(index=False) == x == getattr(other, name).to_csv(index=False), name
