"""A run of the multidimensional model and its previous-standard twin's first year in one pass
(issue 18: the explorer's change to the updated view).

The twin of a run crossing a change of standard (`simlib.runner.run_and_twin`, the explorer's
`simlib.workbench.incremental.EngineRuns`) runs the year to the change's review from the run's
own state at the review before it, with the same money: its model differs from the run's only in
its standards. Up to the classification the two years read the same arrays (the programme step,
the lines, the indicators' yearly changes, the income kernel) and give the same bits; only the
classification by the standard in force, the new households synthesised under it and the
review's records differ. `run_with_twin` advances the state through that year once and settles
it under both standards (`multidim_jit.year_both`, about one engine year less: 170-180 CPU ms
on `multidim_2030`), and checks before that every array the shared part reads is the same for
both models (`shares_year`); otherwise, and for the numpy reference or a run in several batches,
it makes the two runs. Either way the outputs are those of the two runs, bit for bit
(tests/test_engine_twin_year.py). A twin nothing continues from (the explorer's, `twin_hands_over`
False) reads the run's state instead of a copy and keeps only its counts: its cells are neither
allocated nor written (`multidim_2030`: 183 MB and their copy less per change), and of its
review's records, made with the run's year, only what it is read by (its households by state,
flows and new households, `simlib.engines.multidim_counts`: 50 CPU ms less on `plan_2027`); the
others stay zero.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simlib.engines import multidim_jit, multidim_tables
from simlib.engines.common import EngineOutput
from simlib.engines.multidim_expected import (
    BATCH_BYTES,
    close_run,
    filled,
    open_run,
    run_multidim_expected,
    run_years,
    year_programme,
)
from simlib.engines.multidim_span import TablePool
from simlib.engines.multidim_span import closed as compacted
from simlib.engines.multidim_vacancy import year_state
from simlib.multidim.model import MultidimModel
from simlib.standards import N_INDICATORS

__all__ = ["run_with_twin", "shares_year"]

#: the compiled engine's static arrays the lines and the own changes read (`multidim_tables.prepare`)
SHARED = ("lines", "keys", "flips", "kernel", "g_unit", "g_area", "bases", "twin")


def same(a, b) -> bool:
    """Whether a and b are the same to the bit: arrays (dtype, shape and bytes), tuples of them
    item by item, anything else by equality."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    return a == b


def shares_year(mm: MultidimModel, other: MultidimModel) -> bool:
    """Whether the models' compiled years read the same arrays up to the classification: the
    lines', flips' and income kernel's tables, the groups, and the new households' growth and
    entry shares (the programme step's results are compared year by year: `run_with_twin`)."""
    st, so = multidim_tables.prepare(mm), multidim_tables.prepare(other)
    if not all(same(st[k], so[k]) for k in SHARED):
        return False
    return same(float(mm.base.growth), float(other.base.growth)) and same(mm.base.entry, other.base.entry)


def _one_batch(mm: MultidimModel, S: int) -> bool:
    """Whether the compiled engine runs S scenarios in one batch (`run_compiled`)."""
    G, K = mm.base.n0.shape
    per = G * K * (1 << N_INDICATORS) * 8 + G * K * mm.joint.n_keys * mm.B * 8
    return S <= max(1, BATCH_BYTES // per)


def _first_year(mm, twin, spend, span, state, twin_state, twin_hands_over, pool=None) -> tuple:
    """`run_with_twin`'s first year, made once for both models when their programme steps agree
    (`multidim_jit.year_both`), else apart; `span`: the run's (start, stop); `pool`: the kernels'
    tables (`open_run`). Returns (out, out2, cells, cells2, money acting)."""
    start, stop = span
    out, sp_all, cells, source = open_run(mm, spend, start, state, stop, pool)
    if not twin_hands_over and twin_state is not None:  # the run's cells (or its source), read before its year
        twin_state = replace(twin_state, n=twin_state.n.copy(), built=twin_state.built.copy(), spare=True)
        twin_state.cells = dict(zip("MH", source or cells[:2]))
    out2, sp2, cells2, source2 = open_run(twin, spend, start, twin_state, start + 1, pool)
    year = year_programme(mm, cells, sp_all[:, start], out, start)
    year2 = year_programme(twin, cells2, sp2[:, start], out2, start)  # reads the counts only
    one_year = same(year, year2)
    if twin_hands_over or not one_year:  # its cells are read (a lean twin's are not: not filled)
        cells2 = filled(twin, cells2, source2)
    if one_year:
        second = cells2[:4] if twin_hands_over else (None, None) + cells2[2:4]
        multidim_jit.year_both(mm, twin, start + 1, (year_state(cells), second), *year, (out, out2), source)
    else:
        lent = source if isinstance(source, tuple) else ()  # a kept state's cells (not the baseline)
        cells = filled(mm, cells, source)
        if any(cells2[0] is c for c in (cells[0], *lent)):  # the twin's own cells, advanced apart
            cells2 = (cells[0].copy(), cells[1].copy()) + cells2[2:]
        multidim_jit.year(twin, start + 1, cells2[:4], *year2, out2)
        multidim_jit.year(mm, start + 1, year_state(cells), *year, out)
    cells2[5][:] = 0  # the twin's year kept no marks (`multidim_vacancy`): its state knows nothing
    return out, out2, cells, cells2, sp_all


def run_with_twin(
    mm: MultidimModel,
    twin: MultidimModel,
    spend: np.ndarray,
    start=0,
    stop=None,
    state=None,
    twin_state=None,
    *,
    twin_hands_over: bool = True,
    pool: TablePool | None = None,
) -> tuple[EngineOutput, EngineOutput]:
    """`run_multidim_expected(mm, spend, start=start, stop=stop, state=state)` and
    `run_multidim_expected(twin, spend, start=start, stop=start + 1, state=twin_state)`: the run
    over the projected years [start, stop) and the twin's (a model with other standards) first
    year, from the same households at review `start`: `state` and `twin_state` (the same
    households: a copy, or the same arrays with one of the two handed over `once`; each run takes
    its arrays before either writes), or both None (the baseline). Its first year's lines and
    own changes are made once when the models share them (module docstring).

    `twin_hands_over` False: the twin's output hands no state over (None: nothing continues from
    the twin) and `twin_state` is only read, its cells never (it may be `state` itself, handed
    over `once`: the run then takes its arrays). The twin's year then keeps only its counts
    (`multidim_jit.year_both` without the second state's cells: 183 MB less for
    `multidim_2030`); its output arrays are the same, but for its review's records other than
    its households by state, flows and new households when its year is made with the run's
    (zero: `simlib.engines.multidim_counts`). `pool`: the caller's `TablePool` both runs take their
    kernels' tables from (`multidim_expected.open_run`; None: new ones)."""
    spend = np.asarray(spend, float)
    spend = spend[None] if spend.ndim == 3 else spend
    start, stop = run_years(mm.base, start, stop, state)
    run_years(twin.base, start, start + 1, twin_state)
    if (state is None) != (twin_state is None):
        raise ValueError("the run and its twin start from the same review: both states or neither")
    if not twin_hands_over and twin_state is not None:  # read only (copies where a run takes it)
        twin_state = replace(twin_state, spare=False)
    joint = multidim_jit.available() and start < stop and _one_batch(mm, spend.shape[0])
    if not joint or not shares_year(mm, twin):
        if state is not None:  # the run's arrays taken first: `twin_state` may lend the same ones
            state = replace(state, **dict(zip(("n", "built", "cells"), state.taken())), spare=True)
        twin_out = run_multidim_expected(twin, spend, start=start, stop=start + 1, state=twin_state, pool=pool)
        twin_out = twin_out if twin_hands_over else twin_out.released()
        return run_multidim_expected(mm, spend, start=start, stop=stop, state=state, pool=pool), twin_out
    kw = {"twin_hands_over": twin_hands_over, "pool": pool}
    out, out2, cells, cells2, sp_all = _first_year(mm, twin, spend, (start, stop), state, twin_state, **kw)
    for y in range(start + 1, stop):
        multidim_jit.year(mm, y + 1, year_state(cells), *year_programme(mm, cells, sp_all[:, y], out, y), out)
    closed = close_run(mm, out, stop, cells, pool)
    if twin_hands_over:
        return closed, close_run(twin, out2, start + 1, cells2, pool)
    out2.multidim = compacted(out2.multidim, twin, pool)  # removals by pair
    return closed, out2
