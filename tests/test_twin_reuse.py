"""A multidimensional run across a change of standard continues its previous-standard twin from
the run's own state at the review before the change (issue 18: no repeated runs): the twin runs
only the years from the change, and every table of the run is the same, bit for bit, as when the
twin is run whole from the baseline."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pandas as pd
import pytest

from simlib import runner
from simlib.engines.common import ARRAYS, EngineOutput, EngineState
from simlib.multidim.output import MultidimOutput
from simlib.options import RunOptions
from simlib.paths import params_dir
from simlib.scenario import load_scenario

TABLES = ("states", "flows", "indicators", "targets", "programme", "period_changes")


@pytest.fixture(scope="module")
def scen():
    """multidim_2030: not dated, seven projected years, the end-2027 review under the 2027–2030
    standard (the fourth projected year, review index 4)."""
    return load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml")


def starts(monkeypatch) -> list:
    """The first projected year of every engine run made from here on (a run and its twin's year
    made together, `runner.simulate_with_twin`, are two)."""
    seen, simulate, with_twin = [], runner.simulate, runner.simulate_with_twin

    def spy(model, spend, options, label="", **kw):
        seen.append(kw.get("start", 0))
        return simulate(model, spend, options, label, **kw)

    def spy_both(*a, **kw):
        seen.extend([kw["start"]] * 2)
        return with_twin(*a, **kw)

    monkeypatch.setattr(runner, "simulate", spy)
    monkeypatch.setattr(runner, "simulate_with_twin", spy_both)
    return seen


def test_the_twin_continues_from_the_review_before_the_change(scen):
    at, old = runner.twin_from(scen, RunOptions())
    assert at == 3 and scen.years[at] == 2027  # projected year 3 leads to the 2027 review
    assert old.params["standards"] != scen.params["standards"]


def test_no_reuse_where_the_twin_cannot_continue(scen):
    assert runner.twin_from(scen, RunOptions(chunk=2)) is None  # a chunked run cannot hand over
    plan = load_scenario(params_dir() / "scenarios" / "plan_2024.yaml")
    assert runner.twin_from(plan, RunOptions()) is None  # the states model has no twin


def test_same_tables_bit_for_bit_with_the_twin_run_whole(scen, monkeypatch):
    seen = starts(monkeypatch)
    reused = runner.run(scen, counterfactual=False)
    assert sorted(seen) == [0, 3, 3]  # the run in two pieces, the twin from review 3 only
    seen.clear()
    monkeypatch.setattr(runner, "twin_from", lambda *a: None)
    whole = runner.run(scen, counterfactual=False)
    assert seen == [0, 0]  # the run, then its twin from the baseline
    assert reused.targets["rebased"].any()  # the twin is read: 2027's change targets re-based
    for name in TABLES:
        a, b = getattr(reused, name), getattr(whole, name)
        pd.testing.assert_frame_equal(a, b, check_exact=True, obj=name)
        assert a.to_csv(index=False) == b.to_csv(index=False), name


def test_a_switched_run_keeps_its_state_at_the_change_for_the_twin():
    """crossing_2024_2027 switches to the communes in 2026 and changes standard in 2027: the run
    keeps its communes' state at the end-2026 review and the twin continues from it (one year),
    giving the same states, bit for bit, as the twin run from the switch (two years)."""
    from dataclasses import replace

    from simlib.unit_switch import run_segments, twin_states, unit_switch

    scen = load_scenario(params_dir() / "scenarios" / "crossing_2024_2027.yaml")
    old, year = runner.previous_standard_scenario(scen)
    at = runner.twin_review(scen)
    assert (year, at) == (2027, 3)
    sw = unit_switch(scen)
    seg = run_segments(scen, sw, RunOptions(), False, twin_at=at)
    assert seg.twin_start[0] == at and seg.twin_start[1].t == at
    whole = twin_states(replace(seg, twin_start=None), old.params, year, RunOptions())
    kept = twin_states(seg, old.params, year, RunOptions())
    assert seg.twin_start is None  # taken once
    pd.testing.assert_frame_equal(kept, whole, check_exact=True)
    assert kept[kept["year"] == 2027]["households"].sum() > 0


def test_a_finished_run_keeps_no_engine_state(scen, monkeypatch):
    """Issue 18 (memory): once the run and its twin are done nothing continues from their last
    states (for the communes about 1.2 GB each), so no engine run made by `run` keeps one: the
    result's outputs hand none over, the no-money run's and the twin's are dropped, and the state
    handed to the twin at the change was taken (emptied) by it."""
    made, simulate, with_twin = [], runner.simulate, runner.simulate_with_twin

    def spy(*a, **kw):
        made.append(simulate(*a, **kw))
        return made[-1]

    def spy_both(*a, **kw):
        made.extend(with_twin(*a, **kw))
        return made[-2:]

    monkeypatch.setattr(runner, "simulate", spy)
    monkeypatch.setattr(runner, "simulate_with_twin", spy_both)
    result = runner.run(scen)
    assert len(made) == 4  # the run's two pieces (the second with the twin's year from review 3), the no-money run
    assert result.output.state is None and [o.state for o in result.segment_outputs] == [None]
    kept = [o.state for o in made if o.state is not None]
    assert len(kept) == 1 and kept[0].t == 3  # the first piece's, handed to the twin once
    assert kept[0].n is None and kept[0].built is None and kept[0].cells == {}


def test_a_run_not_dated_runs_its_twin_one_year_only(scen, monkeypatch):
    """The twin is read at the change's review only (`dated_changes`): it runs the year to it."""
    runs, simulate, with_twin = [], runner.simulate, runner.simulate_with_twin

    def spy(model, spend, options, label="", **kw):
        runs.append((kw.get("start", 0), kw.get("stop")))
        return simulate(model, spend, options, label, **kw)

    def spy_both(*a, **kw):
        runs.extend([(kw["start"], kw.get("stop")), (kw["start"], kw["start"] + 1)])
        return with_twin(*a, **kw)

    monkeypatch.setattr(runner, "simulate", spy)
    monkeypatch.setattr(runner, "simulate_with_twin", spy_both)
    runner.run(scen, counterfactual=False)
    assert sorted(runs, key=str) == sorted([(0, 3), (3, None), (3, 4)], key=str)


def test_the_twin_splice_takes_one_year_from_the_twin():
    """`runner.twin_spliced` (used by `run_and_twin` and the explorer's incremental runs): the
    run's reviews up to `at` and after `at + 1`, the twin's review `at + 1` and projected year
    `at`, on hand-made outputs whose every value names its run; no state handed over."""
    S, Y, G, K, L, D, at = 1, 5, 2, 3, 2, 2, 2

    def made(value: float) -> EngineOutput:
        out = EngineOutput.zeros("expected", S, Y, G, K, L, D)
        for name in ARRAYS:
            getattr(out, name)[...] = value
        out.multidim = MultidimOutput.zeros(S, Y, G, K, L)
        for f in fields(out.multidim):
            getattr(out.multidim, f.name)[...] = value
        out.state = EngineState(at + 1, np.zeros((S, G, K)), np.zeros((S, Y, L, D)), np.zeros(L, bool))
        return out

    run, twin = made(1.0), made(2.0)
    got = runner.twin_spliced(run, twin, at)
    assert got.state is None and twin.state is None  # the run's own output is not changed
    assert run.state is not None and float(run.states.min()) == float(run.states.max()) == 1.0
    reviews = [1.0] * (at + 1) + [2.0] + [1.0] * (Y - at - 1)  # Y + 1 reviews, the change's from the twin
    years = [1.0] * at + [2.0] + [1.0] * (Y - at - 1)  # Y projected years, year `at` from the twin
    assert [float(v) for v in got.states[0, :, 0, 0]] == reviews
    for name in ARRAYS[1:]:
        assert [float(v) for v in getattr(got, name)[0, :].reshape(Y, -1)[:, 0]] == years, name
    for f in fields(got.multidim):
        values = getattr(got.multidim, f.name)[0]
        want = years if f.name == "removed" else reviews
        assert [float(v) for v in values.reshape(len(want), -1)[:, 0]] == want, f.name


def test_the_twin_is_read_by_its_states_only(scen, monkeypatch):
    """`dated_changes` reads the previous standard's twin by its households by state only: it
    makes that table alone (no flows, indicators, programme or absorption tables of the twin),
    and the period changes and re-basing equal those made from the twin's full tables."""
    from simlib import results
    from simlib.geography import load_geography
    from simlib.period_changes import period_changes, rebase_points

    calls, dated = [], runner.dated_changes
    monkeypatch.setattr(runner, "dated_changes", lambda *a: calls.append(a) or dated(*a))
    runner.run(scen, counterfactual=False)
    (args,) = calls
    twin, old = args[6], runner.previous_standard_scenario(scen)[0]
    model = runner.compile_run_model(old)[0]
    full = results.make_tables(twin, model, args[2], scen.baseline_year, scen.name).states
    geo, level, tables, poor = load_geography(), scen.dataset.level, args[3], args[4]
    want = (
        period_changes(tables.states, level, geo, full, changed=(2027,), run_units=True),
        rebase_points(tables.states, level, geo, full, (2027,), poor),
    )
    for name in ("flows_table", "indicators_table", "programme_table", "absorption_table"):
        monkeypatch.setattr(results, name, lambda *a, _n=name, **k: pytest.fail(f"the twin's {_n} made"))
    got = dated(*args)
    assert len(want[0]) and want[1]["rebase"].notna().any()  # something to compare
    for a, b in zip(got, want):
        pd.testing.assert_frame_equal(a, b, check_exact=True)


def test_a_switched_twin_is_read_by_its_states_only(monkeypatch):
    """`unit_switch.twin_states` makes the previous standard's twin's households by state alone
    (no flows, indicators, programme or absorption tables of either segment), and they equal the
    states of the twin's full tables (`make_tables`), built from the same engine outputs."""
    from simlib import results, unit_switch

    scen = load_scenario(params_dir() / "scenarios" / "crossing_2024_2027.yaml")
    old, year = runner.previous_standard_scenario(scen)
    sw = unit_switch.unit_switch(scen)
    seg = unit_switch.run_segments(scen, sw, RunOptions(), False)
    made, states_only = [], results.states_only
    monkeypatch.setattr(unit_switch, "states_only", lambda *a: made.append(a) or states_only(*a))
    for name in ("flows_table", "indicators_table", "programme_table", "absorption_table"):
        monkeypatch.setattr(results, name, lambda *a, _n=name, **k: pytest.fail(f"the twin's {_n} made"))
    got = unit_switch.twin_states(seg, old.params, year, RunOptions())
    monkeypatch.undo()
    (out1, m1, b, name), (out2, m2, _, _) = made
    full = [results.make_tables(o, m, m.spend, b, name).states for o, m in ((out1, m1), (out2, m2))]
    want = pd.concat([full[0][full[0]["year"] < sw.year], full[1][full[1]["year"] >= sw.year]], ignore_index=True)
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got[got["year"] == year]["households"].sum() > 0
