"""A run of the multidimensional model and its previous-standard twin's first year made together
(`simlib.engines.multidim_twin.run_with_twin`: the year's lines and own changes once, the
households classified under both standards) give exactly the arrays of the two runs made apart:
every output array, the states they hand over and their reviews' records, bit for bit — but a
twin that hands no state over, whose review's records other than its households by state, flows
and new households are not made (`NOT_MADE`, zero: `simlib.engines.multidim_counts`)."""

from __future__ import annotations

from dataclasses import fields, replace

import numpy as np
import pytest

from simlib import runner
from simlib.engines import multidim_jit, multidim_twin
from simlib.engines.multidim_expected import run_multidim_expected
from simlib.options import RunOptions
from simlib.paths import params_dir
from simlib.scenario import load_scenario
from simlib.unit_switch import compile_run_model
from tests.conftest import make_scenario
from tests.test_workbench_incremental import ARRAYS, crossing_raw

pytestmark = pytest.mark.skipif(not multidim_jit.available(), reason="numba is not installed")


def copied(state):
    return replace(
        state, n=state.n.copy(), built=state.built.copy(), cells={k: v.copy() for k, v in state.cells.items()}
    )


def arrays(out) -> dict:
    """Every array of an engine output: its own, the multidimensional ones, the state handed over
    and its review's records."""
    got = {name: getattr(out, name) for name in ARRAYS}
    got |= {f"multidim.{f.name}": getattr(out.multidim, f.name) for f in fields(out.multidim)}
    got |= {"n": out.state.n, "built": out.state.built, "sel": out.state.review.sel}
    got |= {f"cells.{k}": v for k, v in out.state.cells.items()}
    return got | {f"review.{i}": a for i, a in enumerate(out.state.review.arrays)}


def assert_bitwise(got, want) -> None:
    a, b = arrays(got), arrays(want)
    assert a.keys() == b.keys() and got.state.t == want.state.t
    for name in a:
        assert a[name].dtype == b[name].dtype and a[name].shape == b[name].shape, name
        assert a[name].tobytes() == b[name].tobytes(), name


def models(scen):
    at, old = runner.twin_from(scen, RunOptions())
    model, mm = compile_run_model(scen)
    return at, model.spend[None], mm, compile_run_model(old)[1]


@pytest.fixture(scope="module")
def multidim_2030():
    return models(load_scenario(params_dir() / "scenarios" / "multidim_2030.yaml"))


def check(at, spend, mm, twin, start, stop, monkeypatch=None) -> None:
    """`run_with_twin` from review `start` against the run and the twin's year made apart."""
    first = run_multidim_expected(mm, spend, stop=start) if start else None
    state = (lambda: copied(first.state)) if start else (lambda: None)
    want = run_multidim_expected(mm, spend, start=start, stop=stop, state=state())
    want_twin = run_multidim_expected(twin, spend, start=start, stop=start + 1, state=state())
    lent = first.state.once() if start else None  # the twin takes the arrays, the run a copy of them
    kept = replace(lent, spare=False) if start else None
    got, got_twin = multidim_twin.run_with_twin(mm, twin, spend, start, stop, kept, lent)
    assert_bitwise(got, want)
    assert_bitwise(got_twin, want_twin)
    if start == at:  # the standards differ from the change's review on: classified apart
        assert got_twin.flows[:, start].tobytes() != got.flows[:, start].tobytes()


def test_the_twin_year_made_with_the_run_equals_the_two_runs(multidim_2030, monkeypatch):
    at, spend, mm, twin = multidim_2030
    assert at == 3 and multidim_twin.shares_year(mm, twin)
    years = []
    real = multidim_jit.year_both
    monkeypatch.setattr(multidim_jit, "year_both", lambda *a: (years.append(a[2]), real(*a)))
    check(at, spend, mm, twin, at, None)  # the explorer's and the runner's: from the review before the change
    check(at, spend * 0.7, mm, twin, at, at + 2)
    assert years == [at + 1, at + 1]  # made together


def test_from_the_baseline_and_on_the_tiny_scenario(monkeypatch):
    scen = make_scenario(crossing_raw())
    at, spend, mm, twin = models(scen)
    years = []
    real = multidim_jit.year_both
    monkeypatch.setattr(multidim_jit, "year_both", lambda *a: (years.append(a[2]), real(*a)))
    for start in (0, 1, at):
        check(at, spend, mm, twin, start, None)
    assert years == [1, 2, at + 1]


def test_models_that_share_less_make_the_two_runs(multidim_2030, monkeypatch):
    """When the twin's model reads other arrays in the shared part (`shares_year`), or the year's
    programme differs, the two runs are made apart: the same arrays."""
    at, spend, mm, twin = multidim_2030
    monkeypatch.setattr(multidim_jit, "year_both", None)  # not called
    monkeypatch.setattr(multidim_twin, "shares_year", lambda *a: False)
    check(at, spend, mm, twin, at, at + 1)
    monkeypatch.undo()
    monkeypatch.setattr(multidim_jit, "year_both", None)
    real = multidim_twin.year_programme
    changed = lambda m, *a: real(m, *a) if m is mm else (lambda c, rr, s: (c * 0.5, rr, s))(*real(m, *a))  # noqa: E731
    monkeypatch.setattr(multidim_twin, "year_programme", changed)
    first = run_multidim_expected(mm, spend, stop=at)
    got, got_twin = multidim_twin.run_with_twin(mm, twin, spend, at, None, copied(first.state), copied(first.state))
    want = run_multidim_expected(mm, spend, start=at, state=copied(first.state))
    assert_bitwise(got, want)
    assert not np.array_equal(got_twin.flows[:, at], want.flows[:, at])


def outputs(out) -> dict:
    """The engine output's own arrays and the multidimensional ones (no state)."""
    got = {name: getattr(out, name) for name in ARRAYS}
    return got | {f"multidim.{f.name}": getattr(out.multidim, f.name) for f in fields(out.multidim)}


#: the review's records a twin that hands no state over does not make when its year is made with
#: the run's (`multidim_counts`: only its flows, new households and households by state are read)
NOT_MADE = tuple(
    f"multidim.{name}" for name in ("deprived", "dim_deprived", "multi_deprived", "fgt1", "fgt2", "income_sum")
)


def check_lean(spend, mm, twin, start, stop, lend: bool, together: bool = True) -> None:
    """`run_with_twin(..., twin_hands_over=False)` from review `start`: the twin only reads its
    state (the run's own, lent `once`, or a kept one the run copies), keeps no cells and hands no
    state over; every output array as the two runs made apart, but (`together`: its year made
    with the run's) the records `NOT_MADE` of its review, which are zero."""
    first = run_multidim_expected(mm, spend, stop=start) if start else None
    state = (lambda: copied(first.state)) if start else (lambda: None)
    want = run_multidim_expected(mm, spend, start=start, stop=stop, state=state())
    want_twin = run_multidim_expected(twin, spend, start=start, stop=start + 1, state=state())
    kept = first.state.once() if start and lend else (copied(first.state) if start else None)
    run_state = kept if lend or not start else replace(kept, spare=False)
    got, got_twin = multidim_twin.run_with_twin(mm, twin, spend, start, stop, run_state, kept, twin_hands_over=False)
    assert_bitwise(got, want)
    assert got_twin.state is None
    a, b = outputs(got_twin), outputs(want_twin)
    assert a.keys() == b.keys()
    for name in a:
        if together and name in NOT_MADE:
            assert not a[name][:, start + 1].any() and b[name][:, start + 1].any(), name
            a[name], b[name] = np.delete(a[name], start + 1, axis=1), np.delete(b[name], start + 1, axis=1)
        assert a[name].dtype == b[name].dtype and a[name].tobytes() == b[name].tobytes(), name


def test_a_twin_that_hands_no_state_over_keeps_no_cells(multidim_2030, monkeypatch):
    at, spend, mm, twin = multidim_2030
    seen = []
    real = multidim_jit.year_both
    monkeypatch.setattr(multidim_jit, "year_both", lambda *a: (seen.append(a[3][1][0] is None), real(*a)))
    check_lean(spend, mm, twin, at, None, lend=True)  # the runner's: the run takes the lent arrays
    check_lean(spend * 0.7, mm, twin, at, at + 2, lend=False)  # the explorer's: a kept state, read
    assert seen == [True, True]  # made together, without the twin's cells


def test_a_twin_that_hands_no_state_over_on_the_tiny_scenario():
    scen = make_scenario(crossing_raw())
    at, spend, mm, twin = models(scen)
    for start in (0, 1, at):
        check_lean(spend, mm, twin, start, None, lend=start != 1)


def test_a_twin_that_hands_no_state_over_made_apart(multidim_2030, monkeypatch):
    """Run apart (models that share less, or another programme step): the same arrays, and the
    run's arrays are not the twin's."""
    at, spend, mm, twin = multidim_2030
    monkeypatch.setattr(multidim_jit, "year_both", None)  # not called
    monkeypatch.setattr(multidim_twin, "shares_year", lambda *a: False)
    check_lean(spend, mm, twin, at, at + 1, lend=True, together=False)
    monkeypatch.undo()
    monkeypatch.setattr(multidim_jit, "year_both", None)
    monkeypatch.setattr(multidim_twin, "shares_year", lambda *a: True)  # as it is for these models
    monkeypatch.setattr(multidim_twin, "same", lambda a, b: False)  # as if the programme steps differed
    check_lean(spend, mm, twin, at, at + 2, lend=True, together=False)


def check_lent(at, spend, mm, twin) -> None:
    """Runs from a kept state they may not write (`EngineState.lent`: the first year copies its
    cells group by group as it reads them, `multidim_jit.year`'s `source`; into arrays of NaN, so
    a cell not copied shows) against runs from a copy handed over `once` (the values in place):
    the same arrays bit for bit, for no year (start == stop), one and several, with the twin's
    year made with the run; the kept state's cells unchanged."""
    first = run_multidim_expected(mm, spend, stop=at)
    kept = first.state
    before = {k: v.copy() for k, v in kept.cells.items()}
    nan = lambda: {k: np.full_like(v, np.nan) for k, v in before.items()}  # noqa: E731
    for stop in (at, at + 1, None):
        want = run_multidim_expected(mm, spend, start=at, stop=stop, state=copied(kept).once())
        into = nan()
        got = run_multidim_expected(mm, spend, start=at, stop=stop, state=replace(kept, into=into))
        assert_bitwise(got, want)
        assert got.state.cells["M"] is into["M"] and got.state.cells["H"] is into["H"]
    want, want_twin = multidim_twin.run_with_twin(
        mm, twin, spend, at, None, copied(kept).once(), copied(kept), twin_hands_over=False
    )
    got, got_twin = multidim_twin.run_with_twin(
        mm, twin, spend, at, None, replace(kept, into=nan()), kept, twin_hands_over=False
    )
    assert_bitwise(got, want)
    a, b = outputs(got_twin), outputs(want_twin)
    for name in a:
        assert a[name].tobytes() == b[name].tobytes(), name
    for k in before:
        assert kept.cells[k].tobytes() == before[k].tobytes(), k


def test_a_run_copies_a_kept_state_as_it_reads_it(multidim_2030):
    at, spend, mm, twin = multidim_2030
    check_lent(at, spend, mm, twin)
    scen = make_scenario(crossing_raw())
    check_lent(*models(scen))
