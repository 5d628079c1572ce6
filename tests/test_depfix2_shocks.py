"""`deprivation_kernels.year_pass_two` (the model's two shocks, the other counts' loop compiled
out) gives `year_pass`'s numbers, and `advance` takes it only for two shocks."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from benchmarks.households import _load, scaled
from simlib.engines import deprivation_kernels as kern
from simlib.engines import household_reach as hr
from simlib.engines import multidim_microsim as mmod
from simlib.engines import pcg64_normals
from simlib.engines.reach import acting_spend


@pytest.fixture(scope="module")
def small():
    _, mm0 = _load("multidim_2030")
    mm = replace(mm0, base=scaled(mm0.base, 5e3))
    return mm, mmod.synthesise_population(mm, np.random.default_rng(5))


def _pass(fn, mm, hh, seed: int, normals: bool):
    """One year of `fn` on the step's arguments (generator `seed`): its outputs and state."""
    sp = acting_spend(mm.base, mm.base.spend)[0]
    rng = np.random.default_rng(seed)
    tab = hr.tables(mm.base, mm.line_bits * mm.targeted)
    r = hr.reach_bits(mm.base, tab, sp, hh.group, hh.state, hh.mask, rng, None, False)
    lines, people, review = mmod._year_arrays(mm, 0, r.boost, r.chosen.dtype.type)
    G, K = mm.base.n0.shape
    nxt = mmod.Households.fresh(len(hh), G)
    tables = (np.zeros(G * K * K, np.int32), np.zeros(len(mm.base.line_codes) * G * 12), np.zeros(2))
    pcg = pcg64_normals.state_of(rng)
    z = rng.standard_normal(len(hh), dtype=np.float32) if normals else mmod.NO_NORMALS
    ins, outs = (tuple(getattr(h, f) for f in mmod.Households.__slots__) for h in (hh, nxt))
    s = fn(ins, outs, r.chosen, (z, pcg), np.uint64(seed * 7 + 1), lines, people, review, tables)
    return [*outs, *tables, pcg, np.array([s], np.uint64)]


@pytest.mark.parametrize("seed", [6, 8, 21])
@pytest.mark.parametrize("normals", [False, True])
def test_two_shocks_pass_is_the_general_pass(small, seed, normals):
    mm, hh = small
    assert len(mm.shocks) == 2
    for a, b in zip(_pass(kern.year_pass, mm, hh, seed, normals), _pass(kern.year_pass_two, mm, hh, seed, normals)):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def test_other_shock_counts_take_the_general_pass(small, monkeypatch):
    mm, hh = small
    taken = []
    for name in ("year_pass", "year_pass_two"):
        fn = getattr(kern, name)
        monkeypatch.setattr(kern, name, lambda *a, _fn=fn, _name=name: taken.append(_name) or _fn(*a))
    sp = acting_spend(mm.base, mm.base.spend)[0]
    mmod.step(mm, hh, 0, sp, np.random.default_rng(3))
    three = replace(mm, shocks=(*mm.shocks, ("flood", np.array([0.01, 0.02]), 0.2)))
    mmod.step(three, hh, 0, sp, np.random.default_rng(3))
    assert taken == ["year_pass_two", "year_pass"]
