"""The deprivation household engine's memory at its peak (`multidim_microsim.simulate_multidim`):
its record store sized by the households a run can reach (`room_for`), and its removals kept by
removal pair (`simlib.multidim.output.removal_pairs`) — the yearly pass writes nowhere else, and
the run's removals are its years' passes, whole."""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
from test_multidim import compiled, md_scenario

import simlib.engines.multidim_microsim as microsim_module
from simlib.engines.common import EngineOutput
from simlib.engines.deprivation_tables import reader_types
from simlib.engines.household_reach import reach_bits, tables
from simlib.engines.multidim_microsim import (
    HouseholdStore,
    advance,
    room_for,
    simulate_multidim,
    synthesise_population,
)
from simlib.engines.reach import acting_spend
from simlib.multidim.output import MultidimOutput, removal_pairs, spread_removals
from simlib.multidim.tables import deprivation_removals_table, deprivations_table


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


def test_the_pass_by_pair_counts_the_table_by_line_at_the_pairs():
    """The yearly pass adding removals by removal pair (P, G) itself counts what the same pass
    (same draws) counts by line and indicator (L, G, 12) at those pairs."""
    model, mm = compiled(md_scenario())
    hh = synthesise_population(mm, np.random.default_rng(1))
    sp = acting_spend(model, model.spend)[0]
    tab = tables(model, mm.line_bits * mm.targeted)
    r = reach_bits(model, tab, sp, hh.group, hh.state, hh.mask, np.random.default_rng(2), with_old=False)
    lines, flags = removal_pairs(mm)
    by_line = advance(mm, hh, 0, r, np.random.default_rng(3))["removed"]
    by_pair = np.zeros((lines.size, model.n0.shape[0]))
    assert advance(mm, hh, 0, r, np.random.default_rng(3), removed=by_pair)["removed"] is by_pair
    assert by_pair.sum() > 0
    np.testing.assert_array_equal(by_pair, by_line[lines, :, flags])


def test_a_run_stays_in_its_room_and_its_removals_are_its_passes(monkeypatch):
    """No run grows its store (the room bounds the households it reaches), and the removals by
    pair are what the years' passes counted, each into its year's zeros."""
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
        assert kw["removed"].shape == (removal_pairs(mm)[0].size, model.n0.shape[0])
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


def test_removal_pairs_are_each_lines_listed_flags_with_a_removal_probability():
    """Worked by hand: line 0 lists flags 0 and 3, line 1 flag 2 but removes nothing, line 2
    flags 1 and 11; pairs line by line, flags in order; spread and compacted back."""
    mm = SimpleNamespace(line_bits=np.array([0b1001, 0b100, 0b1000_0000_0010]), removal=np.array([0.5, 0.0, 0.1]))
    lines, flags = removal_pairs(mm)
    assert lines.tolist() == [0, 0, 2, 2] and flags.tolist() == [0, 3, 1, 11]
    by_pair = np.arange(2 * 4 * 5, dtype=float).reshape(2, 4, 5)  # (Y, P, G)
    table = spread_removals(by_pair, mm)  # (Y, L, G, 12)
    assert table.shape == (2, 3, 5, 12) and table.sum() == by_pair.sum()
    np.testing.assert_array_equal(table[1, 2, :, 11], by_pair[1, 3])
    np.testing.assert_array_equal(table[0, 0, :, 3], by_pair[0, 1])
    md = MultidimOutput.zeros(1, 2, 5, 1, 3)
    md.removed[0] = table
    np.testing.assert_array_equal(md.compact(replace_min(mm, [3, 5, 12])).removed[0], by_pair)


def replace_min(mm, k_min):
    """`mm` with the reviews' minimum numbers of deprivations `k_min`."""
    return SimpleNamespace(**vars(mm), min_deprivations=np.array(k_min))


def test_compact_keeps_the_households_at_each_reviews_minimum():
    """Worked by hand: households by number of deprivations 0..12 of two cells over three
    reviews whose standards ask for 3, 5 and 12 deprivations."""
    mm = replace_min(SimpleNamespace(line_bits=np.array([1]), removal=np.array([0.5])), [3, 5, 12])
    md = MultidimOutput.zeros(1, 2, 2, 1, 1)
    assert md.multi_deprived.shape == (1, 3, 2, 1, 13)
    md.multi_deprived[0, :, 0, 0] = np.arange(13.0)  # k households with k deprivations
    md.multi_deprived[0, :, 1, 0] = 1.0  # one household of each number
    got = md.compact(mm).multi_deprived
    assert got.shape == (1, 3, 2, 1)
    assert got[0, :, 0, 0].tolist() == [75.0, 68.0, 12.0]  # 3 + ... + 12, 5 + ... + 12, 12
    assert got[0, :, 1, 0].tolist() == [10.0, 8.0, 1.0]
    assert md.compact(mm).multi_deprived is got  # compacted once


def test_the_households_counts_are_int32_and_read_as_the_float_counts_were():
    """The microsimulation's deprivation counts are whole households, int32 for the readers (half
    the bytes of float64; `reader_types`, as `run_multidim_microsim` gives them: the run holds
    them narrower), and the tables read from them are those of the same counts as float64,
    exactly."""
    model, mm = compiled(md_scenario())
    out = reader_types(simulate_multidim(mm, model.spend, np.random.default_rng(5)))
    md = out.multidim
    counts = ("deprived", "dim_deprived", "multi_deprived")
    assert all(getattr(md, name).dtype == np.int32 for name in counts)
    as_float = replace(out, multidim=replace(md, **{name: getattr(md, name).astype(float) for name in counts}))
    for table in (deprivations_table, deprivation_removals_table):
        pd.testing.assert_frame_equal(table(out, mm, "s"), table(as_float, mm, "s"), check_exact=True)


def test_multi_deprived_counts_each_reviews_households_at_its_standards_minimum():
    """Counted by hand from the households of the last review (a run from a given population,
    its records read back): those with at least `min_deprivations` flags of that review, by
    (group, state) cell; and no household is counted beyond its cell's."""
    model, mm = compiled(md_scenario(horizon=3))
    G, K = model.n0.shape
    seen = []
    out = simulate_multidim(mm, model.spend, np.random.default_rng(6))
    hh = synthesise_population(mm, np.random.default_rng(7))
    again = EngineOutput.like("microsim", model, 1)
    again.multidim = MultidimOutput.zeros(1, 3, G, K, 0, pairs=1, counts=np.int32)
    for t in range(4):
        microsim_module._record(mm, hh, t, again)
        flags = np.array([bin(int(m)).count("1") for m in hh.mask])
        cell = hh.group.astype(np.int64) * K + hh.state
        want = np.bincount(cell, weights=flags >= mm.min_deprivations[t], minlength=G * K).reshape(G, K)
        np.testing.assert_array_equal(again.multidim.multi_deprived[0, t], want)
        seen.append(want.sum())
    assert min(seen) > 0
    assert np.all(out.multidim.multi_deprived <= out.states)
