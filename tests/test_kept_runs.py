"""`simlib.allocate.continued.Kept`: the optimiser's model runs a spending it ran lately once, and
continues the spendings that keep the scenario's money before the first allocated year from one
run stopped at that review; the outputs are those of full runs (a stub engine whose every review
depends on the one before, counted)."""

from __future__ import annotations

import numpy as np

from simlib.allocate.continued import MEMO, PINNED, Kept, kept, release
from simlib.engines.common import EngineOutput, EngineState

Y, L, D, G, K = 4, 2, 3, 2, 3


class Stub:
    """A compiled model of units D (only what `Kept` reads: money, poverty model, units)."""

    def __init__(self, spend: np.ndarray, poverty_model: str = "multidim"):
        self.spend, self.poverty_model = spend, poverty_model

    def take_units(self, units):
        return Stub(self.spend[..., units], self.poverty_model)


class Engine:
    """Households at review t + 1 = 0.9 x those at t + the money of year t (each unit's in its
    groups); from a handed-over `state` (review `start`) when asked. Counts the years it runs."""

    hands_over = ("multidim",)

    def __init__(self):
        self.years, self.calls = 0, []

    def run(self, model, spend, start=0, stop=None, state=None):
        S, stop = len(spend), Y if stop is None else stop
        out = EngineOutput.zeros("expected", S, Y, G, K, L, D)
        n = np.ones((S, G, K)) if state is None else state.copy()
        out.states[:, start] = n
        for t in range(start, stop):
            money = spend[:, t + 1].sum(axis=1)  # (S, D): the year's money by unit
            n = 0.9 * n + money[:, :G, None] / 7.0
            out.states[:, t + 1] = n
            out.reached[:, t] = spend[:, t + 1] / 3.0
        out.state = n
        self.years += S * (stop - start)
        self.calls.append((S, start, stop))
        return out


def _spend(seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(0, 5, (Y + 1, L, D))


def _allocations(model: Stub, start: int, n: int) -> np.ndarray:
    """n spendings with the model's money up to projected year `start`, other money after."""
    out = np.array([_spend(10 + i) for i in range(n)])
    out[:, : start + 1] = model.spend[: start + 1]
    return out


def test_a_spending_run_again_is_not_run_again():
    model = Stub(_spend(1))
    eng, target = Engine(), kept(model, 0)
    spend = np.array([_spend(2), _spend(3), _spend(2)])
    first = target.run(eng, spend)
    again = target.run(eng, spend[1:])
    assert eng.calls == [(2, 0, Y)]  # the repeated spending once, then nothing
    assert target.ran == 0  # nothing to tell `on_runs`
    full = Engine().run(model, spend)
    assert np.array_equal(first.states, full.states) and np.array_equal(first.reached, full.reached)
    assert np.array_equal(again.states, full.states[1:])


def test_the_kept_years_are_run_once():
    model, start = Stub(_spend(1)), 2
    eng, target = Engine(), kept(model, start)
    spend = _allocations(model, start, 5)
    out = target.run(eng, spend)
    assert eng.years == start + 5 * (Y - start)  # one run to review `start`, then the years after it
    full = Engine().run(model, spend)
    for name in ("states", "reached", "eligible", "flows"):
        assert np.array_equal(getattr(out, name), getattr(full, name)), name
    assert target.runs == 1 and target.continued == 5
    assert target.ran == (start + 5 * (Y - start)) / Y  # runs of the whole model, as `on_runs` is told


def test_other_money_before_the_first_allocated_year_runs_in_full():
    model, start = Stub(_spend(1)), 2
    eng, target = Engine(), kept(model, start)
    spend = _allocations(model, start, 2)
    spend[1, 1] += 1.0  # the first projected year's money changed
    out = target.run(eng, np.concatenate([np.zeros((1, Y + 1, L, D)), spend]))
    assert eng.calls.count((2, 0, Y)) == 1  # no money at all and the changed one: together, in full
    full = Engine().run(model, np.concatenate([np.zeros((1, Y + 1, L, D)), spend]))
    assert np.array_equal(out.states, full.states)


def test_a_full_runs_state_is_let_go_before_the_continued_runs():
    """The state at the horizon of a spending run in full (no money at all) is kept by nothing:
    it is let go before the spendings that keep the money are continued (for the 56 communes a
    state holds about a gigabyte: on plan_2027 the high-water mark before the certified loop fell
    from 3.2 to 2.5 GB; the loop's own, the kept state and a continued run's copy of it, stays)."""
    model, start = Stub(_spend(1)), 2
    outs, held = [], []

    class Watched(Engine):
        def run(self, model, spend, start=0, stop=None, state=None):
            if state is not None:  # a continued run: do the full runs' outputs still hold their state?
                held.append([o.state is not None for o in outs])
            out = super().run(model, spend, start, stop, state)
            if start == 0 and stop is None:  # a run in full
                outs.append(out)
            return out

    target = kept(model, start)
    target.run(Watched(), np.concatenate([np.zeros((1, Y + 1, L, D)), _allocations(model, start, 2)]))
    assert held == [[False], [False]]


def test_an_engine_that_hands_nothing_over_runs_in_full():
    model, start = Stub(_spend(1), "states"), 2
    eng, target = Engine(), kept(model, start)
    target.run(eng, _allocations(model, start, 3))
    assert eng.calls == [(3, 0, Y)]


def test_a_unit_continues_its_own_run():
    model, start = Stub(_spend(1)), 1
    eng, target = Engine(), kept(model, start)
    sub = target.take_units(np.array([1]))
    spend = _allocations(model, start, 3)[..., [1]]
    out = sub.run(eng, spend)
    assert isinstance(sub, Kept) and sub.runs == 1 and sub.continued == 3
    assert np.array_equal(out.states, Engine().run(Stub(model.spend[..., [1]]), spend).states)


def test_the_memory_is_bounded():
    model = Stub(_spend(1))
    eng, target = Engine(), kept(model, 0)
    target.run(eng, np.array([_spend(i) for i in range(MEMO + 5)]))
    assert len(target.memo) == MEMO
    target.run(eng, np.array([_spend(MEMO + 4)]))  # among the last kept
    assert eng.calls[-1] == (MEMO + 5, 0, Y)
    target.run(eng, np.array([_spend(PINNED)]))  # forgotten: run again
    assert eng.calls[-1] == (1, 0, Y)
    target.run(eng, np.array([_spend(i) for i in range(PINNED)]))  # the first ones are kept throughout
    assert eng.calls[-1] == (1, 0, Y) and len(target.pinned) == PINNED


def test_a_unit_model_is_made_once_and_let_go_with_the_model():
    model, start = Stub(_spend(1)), 1
    eng, target = Engine(), kept(model, start)
    sub = target.take_units(np.array([2]))
    assert target.take_units(2) is sub  # a second problem of the same model: the same unit's runs
    sub.run(eng, _allocations(model, start, 2)[..., [2]])
    assert sub.state is not None and sub.memo
    release(target)
    assert sub.state is None and sub.prefix is None and not sub.memo
    again = sub.run(eng, _allocations(model, start, 1)[..., [2]])  # after: from the baseline again
    assert sub.runs == 2 and np.array_equal(
        again.states, Engine().run(Stub(model.spend[..., [2]]), _allocations(model, start, 1)[..., [2]]).states
    )


class StateEngine(Engine):
    """`Engine` handing over an `EngineState` whose cells hold the households (a continued run
    copies them with `EngineState.taken`, into `into` when given); records the cells it wrote."""

    def run(self, model, spend, start=0, stop=None, state=None):
        n = None
        if state is not None:
            _, _, cells = state.taken()
            n = cells["M"]
            self.wrote.append(n)
        out = super().run(model, spend, start, stop, None if n is None else n.copy())
        cells = {"M": out.state if n is None else np.copyto(n, out.state) or n}
        out.state = EngineState(stop or Y, out.state, np.zeros((1, Y, L, D)), np.zeros(L, bool), cells)
        return out


def test_continued_runs_copy_the_kept_state_into_the_cells_the_last_one_left():
    model, start = Stub(_spend(1)), 2
    eng, target = StateEngine(), kept(model, start)
    eng.wrote = []
    spend = _allocations(model, start, 3)
    first = target.run(eng, spend[:2])
    again = target.run(eng, spend[2:])
    assert len(eng.wrote) == 3 and eng.wrote[1] is eng.wrote[0] and eng.wrote[2] is eng.wrote[0]
    full = Engine().run(model, spend)  # the same numbers as whole runs
    assert np.allclose(np.concatenate([first.states, again.states]), full.states, rtol=0, atol=1e-12)
    target.run(eng, np.array([_spend(40)]))  # a full run: the cells kept are let go
    assert target.spare.cells is None
