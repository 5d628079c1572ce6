"""The kernels' tables of a compiled multidimensional run kept over its own years only
(`simlib.engines.multidim_span`, issue 18): the output made from them is `MultidimOutput.compact`'s
of zero-filled tables holding the same values, bit for bit, whatever the reused tables held
outside the run's years; checked on hand-made tables against a hand-worked compaction."""

from __future__ import annotations

from dataclasses import fields
from types import SimpleNamespace

import numpy as np
import pytest

from simlib.engines import multidim_span as span
from simlib.multidim.output import MultidimOutput

#: two lines: the first clears flags 0 and 2 (removal > 0), the second lists flag 1 but removes
#: nothing; the standard's minimum is 3 deprivations up to review 1, then 4
MM = SimpleNamespace(line_bits=np.array([0b101, 0b010]), removal=np.array([0.5, 0.0]), min_deprivations=[3, 3, 4, 4, 4])
S, Y, G, K, L = 2, 4, 3, 2, 2


def write(md, start: int, stop: int, seed: int) -> None:
    """What a run's kernels write: its years [start, stop) and reviews [start, stop]."""
    rng = np.random.default_rng(seed)
    md.removed[:, start:stop] = rng.random(md.removed[:, start:stop].shape)
    for f in fields(MultidimOutput):
        if f.name != "removed":
            a = getattr(md, f.name)
            a[:, start : stop + 1] = rng.random(a[:, start : stop + 1].shape)


@pytest.mark.parametrize(("start", "stop"), [(0, 4), (2, 3), (3, 4), (0, 0)])
def test_the_output_is_that_of_zero_filled_tables(start, stop):
    garbage = (np.full((S, Y, L, G, 12), np.nan), np.full((S, Y + 1, G, K, 13), -np.inf))
    pool = span.TablePool()
    pool.give(*garbage)  # tables a previous run left: not read
    md = span.opened(S, Y, G, K, L, start, stop, pool)
    assert md.removed is garbage[0] and md.multi_deprived is garbage[1] and pool.free == []  # taken
    want = MultidimOutput.zeros(S, Y, G, K, L)
    write(md, start, stop, 7)
    write(want, start, stop, 7)
    got = span.closed(md, MM, pool)
    assert type(got) is MultidimOutput and [t for pair in pool.free for t in pair] == list(garbage)  # kept again
    # by hand: pairs (line 0, flag 0) and (line 0, flag 2); deprived in >= 3 (4 from review 2)
    removed = np.stack([want.removed[:, :, 0, :, 0], want.removed[:, :, 0, :, 2]], axis=2)
    multi = np.stack([want.multi_deprived[:, t, ..., m:].sum(-1) for t, m in enumerate(MM.min_deprivations)], 1)
    compact = want.compact(MM)
    for f in fields(MultidimOutput):
        a, b = getattr(got, f.name), getattr(compact, f.name)
        assert a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes(), f.name
    assert np.array_equal(got.removed, removed) and np.array_equal(got.multi_deprived, multi)
    assert not np.isnan(got.removed).any() and np.isfinite(got.multi_deprived).all()


def test_large_tables_are_not_kept():
    small = span.TablePool(max_bytes=1000)  # smaller than this run's tables
    span.closed(span.opened(S, Y, G, K, L, 0, Y, small), MM, small)
    assert small.free == []
    pool = span.TablePool(sets=1, max_bytes=1 << 20)
    one, two = span.opened(S, Y, G, K, L, 0, Y, pool), span.opened(S, Y, G, K, L, 0, Y, pool)
    span.closed(one, MM, pool)
    span.closed(two, MM, pool)
    assert len(pool.free) == 1 and all(a is b for a, b in zip(pool.free[0], (one.removed, one.multi_deprived)))
    first = span.opened(S, Y, G, K, L, 1, 2, pool)
    assert pool.free == [] and first.span == (1, 2) and first.removed is one.removed  # taken by the next run
    other = span.opened(S, Y, G, K, L, 1, 2, pool)
    assert other.removed is not first.removed  # none left: new


def test_runs_without_a_pool_share_no_arrays():
    """Without a pool nothing is kept between runs: each run's tables are its own, zero-filled."""
    runs = []
    for seed in (1, 2):
        md = span.opened(S, Y, G, K, L, 1, 3)
        assert not md.removed.any() and not md.multi_deprived.any()
        write(md, 1, 3, seed)
        span.closed(md, MM)
        runs.append(md)
    for a, b in ((runs[0].removed, runs[1].removed), (runs[0].multi_deprived, runs[1].multi_deprived)):
        assert not np.shares_memory(a, b)
