"""The deprivation household engine's memory at its peak (`multidim_microsim.simulate_multidim`):
its record store sized by the households a run can reach (`room_for`), and its removals kept
during the run only where a line can count them (`removal_pairs`) — the yearly pass writes
nowhere else, and the run's removals table is the sum of its years' passes."""

from __future__ import annotations

import numpy as np
from test_multidim import compiled, md_scenario

from simlib.engines.household_reach import reach_bits, tables
from simlib.engines.multidim_microsim import (
    HouseholdStore,
    advance,
    removal_pairs,
    room_for,
    simulate_multidim,
    synthesise_population,
)
from simlib.engines.reach import acting_spend


def test_the_yearly_pass_counts_removals_only_at_the_removal_pairs():
    model, mm = compiled(md_scenario())
    hh = synthesise_population(mm, np.random.default_rng(1))
    sp = acting_spend(model, model.spend)[0]
    tab = tables(model, mm.line_bits * mm.targeted)
    r = reach_bits(model, tab, sp, hh.group, hh.state, hh.mask, np.random.default_rng(2), with_old=False)
    removed = advance(mm, hh, 0, r, np.random.default_rng(3))["removed"]
    lines, flags = removal_pairs(mm)
    assert lines.size and removed[lines, :, flags].sum() > 0  # lines clear flags
    removed[lines, :, flags] = 0.0
    assert not removed.any()  # and nowhere else


def test_a_run_stays_in_its_room_and_its_removals_are_its_passes(monkeypatch):
    """No run grows its store (the room bounds the households it reaches), and the removals
    spread at the end are those the years' passes counted (every year's table, whole)."""
    import simlib.engines.multidim_microsim as mmod  # local import: its advance is wrapped

    model, mm = compiled(md_scenario(horizon=3))
    rooms, tables_ = [], []

    class Store(HouseholdStore):
        def __init__(self, capacity, n_groups):
            super().__init__(capacity, n_groups)
            rooms.append(capacity)

        def extend(self, new):
            assert self.n + len(new) <= len(self.arrays)  # no growth
            return super().extend(new)

    def counting_advance(*args, **kw):
        assert not kw["removed"].any()  # each year's pass adds into zeros
        res = advance(*args, **kw)
        tables_.append(res["removed"].copy())
        return res

    monkeypatch.setattr(mmod, "HouseholdStore", Store)
    monkeypatch.setattr(mmod, "advance", counting_advance)
    out = simulate_multidim(mm, model.spend, np.random.default_rng(4))
    assert rooms == [room_for(model, int(model.n0.sum()))]
    assert out.states[0, -1].sum() <= rooms[0]
    np.testing.assert_array_equal(out.multidim.removed[0], np.stack(tables_))
    assert out.multidim.removed.sum() > 0
