"""The deprivation engine's year pass takes its stream's seed from the reach's own `random_raw`
call (`household_reach.reach_bits(..., pass_seed=True)`): the same 64-bit number `seed_of` would
draw next, the generator left where it would be, and the year's outputs unchanged."""

from __future__ import annotations

import numpy as np
from test_multidim import compiled, md_scenario

from simlib.engines.household_reach import reach_bits, seed_of, tables
from simlib.engines.multidim_microsim import Households, advance, synthesise_population
from simlib.engines.reach import acting_spend


def _setup():
    model, mm = compiled(md_scenario())
    hh = synthesise_population(mm, np.random.default_rng(1))
    return model, mm, hh, acting_spend(model, model.spend)[0], tables(model, mm.line_bits * mm.targeted)


def test_the_reach_draws_the_pass_seed_that_seed_of_would_draw_next():
    model, mm, hh, sp, tab = _setup()
    for seed in range(5):
        a, b, c = (np.random.default_rng(seed) for _ in range(3))
        ra = reach_bits(model, tab, sp, hh.group, hh.state, hh.mask, a, with_old=False, pass_seed=True)
        rb = reach_bits(model, tab, sp, hh.group, hh.state, hh.mask, b, with_old=False)
        reach_bits(model, tab, sp, hh.group, hh.state, hh.mask, c, with_old=False)
        assert rb.next_seed is None
        assert ra.next_seed == seed_of(c)  # the next raw output after the reach's draws
        assert a.bit_generator.state == c.bit_generator.state
        assert np.array_equal(ra.chosen, rb.chosen) and np.array_equal(ra.reached, rb.reached)
        # the year from the carried seed is the year from the drawn one, generator included
        ya, yb = advance(mm, hh, 0, ra, a), advance(mm, hh, 0, rb, b)
        assert a.bit_generator.state == b.bit_generator.state
        for k in ("removed", "flows", "ps_supported", "ps_wanting"):
            assert np.array_equal(ya[k], yb[k])
        for f in Households.__slots__:
            assert np.array_equal(getattr(ya["households"], f), getattr(yb["households"], f))


def test_another_bit_generator_draws_the_pass_seed_as_before():
    model, _, hh, sp, tab = _setup()
    philox = np.random.Generator(np.random.Philox(3))
    r = reach_bits(model, tab, sp, hh.group, hh.state, hh.mask, philox, with_old=False, pass_seed=True)
    assert r.next_seed is None
