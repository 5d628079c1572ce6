"""The deprivation household run's tables while it runs (`simlib.engines.deprivation_tables`):
whole households in the narrowest integer type that holds them, each time's table kept by its
rows that are not zero, made dense at the run's end with the same numbers; the readers get the
types of every engine (`reader_types`)."""

from __future__ import annotations

from dataclasses import fields

import numpy as np
import pytest
from test_multidim import compiled, md_scenario

import simlib.engines.multidim_microsim as mmod
from simlib.engines.deprivation_kernels import draw_masks
from simlib.engines.deprivation_tables import RunTables, narrowest, reader_types
from simlib.engines.multidim_microsim import run_multidim_microsim, simulate_multidim


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        ([0, 255], np.uint8),
        ([3.0, 256.0], np.uint16),
        ([65_535], np.uint16),
        ([65_536], np.int32),
        ([-1, 3], np.int32),
        ([2**31], np.int64),
        ([], np.uint8),
    ],
)
def test_narrowest_is_the_first_type_holding_every_value(values, dtype):
    got = narrowest(np.array(values))
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, values)


@pytest.mark.parametrize("values", [[1.5], [np.nan], [2.0**64]])
def test_narrowest_refuses_what_no_integer_holds(values):
    with pytest.raises(ValueError):
        narrowest(np.array(values))


def test_run_tables_keep_the_rows_with_a_bit_set_and_give_them_back_dense():
    """Worked by hand: three times of a (4, 2) table, time 1 never added; a float table's -0.0
    row is kept (its sign bit), its +0.0 rows are not."""
    kept = RunTables()
    kept.add("n", 0, np.array([[0, 0], [2, 0], [0, 0], [0, 300]]))
    kept.add("n", 2, np.array([[1, 1], [0, 0], [0, 0], [0, 0]]))
    at, values = kept.kept["n"][0]
    assert at.tolist() == [1, 3] and values.dtype == np.uint16  # 300 needs 16 bits
    assert kept.kept["n"][2][1].dtype == np.uint8
    f = np.zeros((4, 2))
    f[2, 1] = -0.0
    kept.add("f", 0, f, counts=False)
    assert kept.kept["f"][0][0].tolist() == [2]
    dense = kept.dense("n", 3, (4, 2))
    assert dense.shape == (1, 3, 4, 2) and dense.dtype == np.uint16
    want = np.zeros((3, 4, 2))
    want[0, 1, 0], want[0, 3, 1], want[2, 0] = 2, 300, 1
    np.testing.assert_array_equal(dense[0], want)
    assert "n" not in kept.kept  # dropped once dense
    assert np.signbit(kept.dense("f", 1, (4, 2))[0, 0, 2, 1])


def test_draw_masks_without_an_order_is_the_identity_order():
    """Households already sorted by row: an empty order gives the masks of the order 0, 1, ..."""
    rng = np.random.default_rng(3)
    rows = rng.random((3, 4096)) * (rng.random((3, 4096)) < 0.4)
    key = np.sort(rng.integers(0, 3, 2000))
    keys, starts, counts = np.unique(key, return_index=True, return_counts=True)
    u = rng.random(key.size)
    a, b = np.empty(key.size, np.uint16), np.empty(key.size, np.uint16)
    draw_masks(rows, keys, starts, counts, np.arange(key.size), u, a)
    draw_masks(rows, keys, starts, counts, mmod.NO_ORDER, u, b)
    np.testing.assert_array_equal(a, b)


def test_a_runs_tables_are_its_reviews_records_in_narrow_types():
    """A run's tables are what each review's records (`review_tables`, dense) and each year's
    flows and removals were, recorded alongside in dense float64 tables; held as unsigned
    integers of at most 16 bits on this small model, and `reader_types` gives the readers'
    types (float64, int32) with the same numbers."""
    model, mm = compiled(md_scenario(horizon=3))
    seen = {}
    review, advance = mmod.review_tables, mmod.advance

    def spy_review(mm_, hh, t):
        tabs = review(mm_, hh, t)
        seen[("review", t)] = [np.array(a, float) for a in tabs]
        return tabs

    def spy_advance(*args, **kw):
        res = advance(*args, **kw)
        seen[("flows", args[2])] = res["flows"].copy()
        return res

    mp = pytest.MonkeyPatch()
    mp.setattr(mmod, "review_tables", spy_review)
    mp.setattr(mmod, "advance", spy_advance)
    try:
        out = simulate_multidim(mm, model.spend, np.random.default_rng(9))
    finally:
        mp.undo()
    md = out.multidim
    G, K = model.n0.shape
    for t in range(4):
        n, dep, dim, multi, f1, f2, isum = seen[("review", t)]
        np.testing.assert_array_equal(out.states[0, t], n.reshape(G, K))
        np.testing.assert_array_equal(md.deprived[0, t], dep.reshape(G, K, -1))
        np.testing.assert_array_equal(md.dim_deprived[0, t], dim.reshape(G, K, -1))
        np.testing.assert_array_equal(md.multi_deprived[0, t], multi.reshape(G, K))
        for a, b in ((md.fgt1, f1), (md.fgt2, f2), (md.income_sum, isum)):
            assert a[0, t].tobytes() == b.reshape(G, K).tobytes()  # the float sums' bits
    for y in range(3):
        np.testing.assert_array_equal(out.flows[0, y], seen[("flows", y)])
    counts = (out.states, out.flows, out.entries, md.deprived, md.dim_deprived, md.multi_deprived, md.removed)
    assert all(a.dtype in (np.uint8, np.uint16) for a in counts)
    assert out.states[0, 0].sum() == model.n0.sum()
    wide = reader_types(simulate_multidim(mm, model.spend, np.random.default_rng(9)))
    assert wide.states.dtype == wide.flows.dtype == wide.entries.dtype == np.float64
    assert all(getattr(wide.multidim, f).dtype == np.int32 for f in ("deprived", "dim_deprived", "removed"))
    for f in fields(md):
        np.testing.assert_array_equal(getattr(wide.multidim, f.name), getattr(md, f.name))
    runner = run_multidim_microsim(mm, model.spend, draws=1, seed=1)
    assert runner.states.dtype == np.float64 and runner.multidim.deprived.dtype == np.int32
