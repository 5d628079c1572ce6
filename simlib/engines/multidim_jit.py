"""The multidimensional expected engine's year as compiled loops (numba), for speed.

The same arithmetic as the numpy reference in `simlib.engines.multidim_expected` (which stays the
reference: tests hold the two equal to rounding), reorganised so that one group's households stay
in the processor's cache for a whole year: for every scenario and group (in parallel) the lines
act, the flags and incomes change on their own, households are classified and new households
join, state by state, on the group's 6 x 4,096 masks and 6 x keys x bins incomes. What makes it
fast besides the compiled loops (per cell-state, per year):

- a line's action needs the masks only through a small table of households by (key, pattern of
  the line's own indicators): its clearing of flags is one key-to-key operator (built on that
  table bit by bit, exactly the reference's sequence of `JointSpace.bit_op`), applied to the
  income rows once; its masks are cleared with one butterfly per indicator;
- the yearly flips' key transition is held in factors (linked flags x the count of the others,
  `JointSpace.flip_factors`): 4,096 x 11 products instead of 4,096 x keys, and the income rows
  move through it in two small steps instead of a dense keys x keys product;
- masks flip with one butterfly per indicator instead of two 64 x 64 products;
- the income kernel is applied as bands (`simlib.multidim.income.band`: entries below 1e-14,
  the closed form's rounding noise, are left out) held as dense rows, four keys by 16 columns
  held in vector registers while the source bins go by (`multidim_income_kernel._kernel_tiles`:
  every entry still adds its terms in increasing source bin), and the income effects of lines as
  sparse rows (at most a few target bins per source bin);
- the baseline's records (the first review of a run from the baseline) are kept on the model
  and written by the next run (`simlib.engines.multidim_expected.run_compiled`).

A base group and its housed twin (`simlib.model.with_twins`) share one task: a once-per-household
line (a house) moves the households it reaches from the group into the twin line by line, as the
reference does, and new households form in the base group from both (`reach.formation_sizes`).

The kernels live in `multidim_line_kernels` (the lines), `multidim_cell_kernels` (the yearly
changes, classification, new households), `multidim_record_kernels` (the review's records),
`multidim_income_kernel` (the income kernel), `multidim_scratch` (a thread's working arrays)
and `multidim_numba` (decorators); `simlib.engines.multidim_tables` builds the static arrays once
per model (cached on it). This module holds the parallel driver over scenarios and groups;
`record` and `year` are the two entry points the driver in `simlib.engines.multidim_expected`
calls; `year_both` advances one state through a year once and settles it under two standards
(the previous-standard twin's year: `simlib.engines.multidim_twin`). The shared programme step
(eligibility, beneficiaries, coverage, enabling boost) stays in numpy there, per year.
"""

from __future__ import annotations

import sys

import numpy as np

from simlib.engines import (
    multidim_balance,
    multidim_cell_kernels,
    multidim_counts,
    multidim_fill_kernels,
    multidim_flip_kernels,
    multidim_income_kernel,
    multidim_line_kernels,
    multidim_line_tiles,
    multidim_mask_flips,
    multidim_numba,
    multidim_record_kernels,
    multidim_scratch,
    multidim_vec8,
)
from simlib.engines import multidim_tables as tables
from simlib.engines.multidim_balance import runs
from simlib.engines.multidim_cell_kernels import (
    area_kernel,
    classify,
    entrants,
    households,
    own_changes,
)
from simlib.engines.multidim_counts import settle_counts
from simlib.engines.multidim_fill_kernels import COPY, NONE, START, fill_start, fill_task
from simlib.engines.multidim_line_kernels import lines_known
from simlib.engines.multidim_numba import (
    aligned,
    available,
    compiled,
    get_num_threads,
    parallel,
    prange,
    refresh_caches,
    take,
)
from simlib.engines.multidim_record_kernels import income_bins, record_group, unreached
from simlib.engines.multidim_scratch import thread_scratch
from simlib.engines.multidim_vacancy import into_zero, of_state, reset_if_filled
from simlib.multidim.model import MultidimModel

__all__ = ["BASELINE", "available", "cells", "fill", "record", "start", "year", "year_both"]


@compiled
def _settle(Mg, H3, Mout, Hout, ng, size, a, g, s, keys, review, people, out, sw, occupied):
    """Group g's households after their own changes (masks Mg, incomes H3) classified, joined by
    new households (`size` households form them) and recorded: masks Mout and incomes Hout (K,
    ...) by new state, households ng (K,) at the review. Reads H3 only; Mout may be Mg (the
    masks are classified in place), else Mg is only read, so that the same households can be
    settled under two standards (`_finish_both`: the other standard first). occupied: the states
    holding households before the own changes (`own_changes`' bits; the others are zero).
    Returns the states left all zero (`record_group`'s bits: found so, or `unreached`)."""
    nb, k3, f1b, f2b = review
    growth, entry, Mn, kd, inc0, kind = people
    flows, entries, count, nxt = out[0], out[1], out[13], out[15]
    u, new, hs = kind[g], entries[s, g], sw[1]
    entrants(growth, size, entry, new)
    kk = (keys[0], keys[3], keys[1])
    pp = (new, Mn[u], kd[u], inc0[u])
    classify(Mg, H3, (nb[a], k3), kk, count, nxt, (Mout, Hout), flows[s, g], pp, hs, sw[2], occupied)
    households(ng, flows[s, g], new)
    return record_group(Mout, Hout, ng, s, g, f1b[a], f2b[a], out[3:15], hs, unreached(occupied, nxt, new))


@compiled
def _finish(Mg, Hg, ng, size, a, g, s, flips, keys, kerns, review, people, out, fw, sw, zero):
    """The rest of group g's year after the lines: own changes, classification, new households
    (`size` households form them) and the review's records, in place (the incomes after the own
    changes in the thread's scratch sw[0]). zero: the states known all zero after the lines (bits,
    `lines_known`). Returns those all zero at the end (`_settle`)."""
    H3 = sw[0]
    occupied = own_changes(Mg, Hg, H3, flips, keys[1], area_kernel(kerns, a), fw, zero)
    return _settle(Mg, H3, Mg, Hg, ng, size, a, g, s, keys, review, people, out, sw, occupied)


@compiled
def _finish_both(Mg, Hg, ng, size, a, g, s, flips, keys, kerns, review, people, out, second, fw, sw, zero):
    """`_finish` of group g, its households also settled under a second standard after the same
    own changes: second = (M2, H2, n2, review2, people2, out2, lean), the second standard's state
    (its cells written at [s, g]; when `lean`, not read nor written: only its flows, new
    households and households by state are made, `multidim_counts.settle_counts`), review and
    new households' arrays and outputs (as `_year`'s). Returns the states of (Mg, Hg) all zero at
    the end (`_finish`)."""
    M2, H2, n2, review2, people2, out2, lean = second
    H3 = sw[0]
    occupied = own_changes(Mg, Hg, H3, flips, keys[1], area_kernel(kerns, a), fw, zero)
    if lean:  # only its households by state are read: no cells, no other records (`multidim_counts`)
        settle_counts(H3, n2[s, g], size, a, g, s, keys, review2, people2, out2, occupied)
    else:
        _settle(Mg, H3, M2[s, g], H2[s, g], n2[s, g], size, a, g, s, keys, review2, people2, out2, sw, occupied)
    return _settle(Mg, H3, Mg, Hg, ng, size, a, g, s, keys, review, people, out, sw, occupied)


@compiled
def _lines(s, g, state, programme, model, out, lw):
    """The lines acting on base group g (with its housed twin) in scenario s (see `_task`).
    Returns (t, size, zero_g, zero_t): the housed twin (g without one), the households of both
    at the start of the year (0.0: no households, the lines left out, nothing else to do) and the
    states of each whose cells are all zero after the lines (bits, `lines_known`; the twin holds
    households unless all its bits are set). state = (M, H, n, V): V (S, G) the states known all
    zero at the year's start (`multidim_vacancy`), written by `_task` at the year's end."""
    M, H, n, V = state
    cov, rr, (sh_lo, sh_w, sh_v) = programme
    groups, lines, keys, flips, kerns = model
    g_unit, g_area, bases, twin = groups
    removed = out[2]
    tw = twin[g]
    has_twin = tw >= 0
    t = tw if has_twin else g
    size_g = n[s, g].sum()
    size_t = n[s, t].sum() if has_twin else 0.0
    if size_g == 0.0 and size_t == 0.0:  # no households: none join, nothing to record (all zero)
        return t, 0.0, 0, 0
    u = g_unit[g]
    zero = (np.int64(V[s, g]), np.int64(V[s, t]) if has_twin else np.int64(0))
    args = (rr[s, :, u], sh_lo[s, :, u], sh_w[s, :, u], sh_v[s, :, u], lines, keys, removed[s, :, g], removed[s, :, t])
    zero_g, zero_t = lines_known(
        M[s, g], H[s, g], M[s, t], H[s, t], has_twin, zero, cov[s, :, g], cov[s, :, t], *args, lw
    )
    return t, size_g + size_t, zero_g, zero_t


@compiled
def _task(s, g, state, programme, model, review, people, out, work):
    """The year of base group g (with its housed twin) in scenario s: see `_year`; state = (M, H,
    n, V), programme = (cov, rr, (sh_lo, sh_w, sh_v)), model = (groups, lines, keys, flips,
    kerns). V[s, g] and V[s, t] (the twin's) are left with the states all zero at the year's end
    (`multidim_vacancy`; unchanged for a task without households: its cells are not written)."""
    M, H, n, V = state
    groups, lines, keys, flips, kerns = model
    g_area = groups[1]
    lw, fw, sw = work
    t, size, zero_g, zero_t = _lines(s, g, state, programme, model, out, lw)
    if size == 0.0:
        return
    every = (1 << M.shape[2]) - 1
    fin = (n[s, g], size, g_area[g], g, s, flips, keys, kerns, review, people, out, fw, sw, zero_g)
    V[s, g] = _finish(M[s, g], H[s, g], *fin)
    if t != g and zero_t == every:  # no one housed yet: every step adds zeros to zeros
        n[s, t, :] = 0.0
        out[10][s, :, t] = 0.0
        V[s, t] = every
    elif t != g:
        fin = (n[s, t], 0.0, g_area[t], t, s, flips, keys, kerns, review, people, out, fw, sw, zero_t)
        V[s, t] = _finish(M[s, t], H[s, t], *fin)


@compiled
def _task_both(s, g, state, programme, model, review, people, out, second, work):
    """`_task` with the households also settled under a second standard (`_finish_both`): the
    second state (M2, H2, n2) holds the same households as (M, H, n) at the start of the year
    (a copy; its cells not read when `lean`), and its groups without households are left
    as they are, as `_task` leaves them. V: the first state's (`_task`)."""
    M, H, n, V = state
    groups, lines, keys, flips, kerns = model
    g_area = groups[1]
    n2, out2 = second[2], second[5]
    lw, fw, sw = work
    t, size, zero_g, zero_t = _lines(s, g, state, programme, model, out, lw)
    if size == 0.0:
        return
    every = (1 << M.shape[2]) - 1
    both = (M[s, g], H[s, g], n[s, g], size, g_area[g], g, s, flips, keys, kerns, review, people, out, second)
    V[s, g] = _finish_both(*both, fw, sw, zero_g)
    if t != g and zero_t == every:  # no one housed yet: every step adds zeros to zeros
        n[s, t, :], n2[s, t, :] = 0.0, 0.0
        out[10][s, :, t], out2[10][s, :, t] = 0.0, 0.0
        V[s, t] = every
    elif t != g:
        both = (M[s, t], H[s, t], n[s, t], 0.0, g_area[t], t, s, flips, keys, kerns, review, people, out, second)
        V[s, t] = _finish_both(*both, fw, sw, zero_t)


@compiled
def _unfilled(V, n0, s, g, t, how):
    """After `fill_task` (`how`): when the baseline's households were written into zero cells
    (`START`), the states of group g and of its twin t (t >= 0) without households at the
    baseline (n0 (G, K) zero) are left zero (`start_group` does not touch them): their bits set
    in V (S, G) (`multidim_vacancy`; reset to nothing known before the year)."""
    if how != START:
        return
    for h in (g, t):
        if h >= 0:
            bits = 0
            for k in range(n0.shape[1]):
                if n0[h, k] == 0.0:
                    bits |= 1 << k
            V[s, h] = bits


@parallel
def _year(
    M, H, n, V, cov, rr, sh_lo, sh_w, sh_v, groups, lines, keys, flips, kerns, review, people, out, source, parts
):
    """One projected year for every scenario and base group with its housed twin (in parallel):
    see the module docstring. `groups` = (g_unit, g_area, bases, twin), `review` = (nb (2,), k3,
    f1b (2, B), f2b (2, B)), `people` = (growth, entry, Mn, kd, inc0, kind) (new households' arrays by kind of group,
    `multidim_tables.entry_arrays`), `out` = (flows, entries,
    removed, states, dep, dim, cnt, f1, f2, inc_sum, sel, means, dims, count, line_bits,
    next_state). New households form in the base group from the households of both (a twin gets
    none: `simlib.engines.reach.formation_sizes`).

    The `parts` loops (one per thread, its scratch made once) share the tasks (scenario x base
    group, memory order) two by two: each two loops a run of the tasks (one run for two threads;
    runs of about equal estimated work for more, `multidim_balance.cuts`), the first walking it
    from its start, the second from its end, each taking one task at a time while the run's
    shared counter (`multidim_numba.take`) says one is left: they meet where their times do,
    within about one task (runs cut in advance by the estimate left the heavier thread 0.3-0.9
    ms a year above half, and a thread started late on a busy machine behind by its delay),
    and each walks contiguous groups (tasks taken alternately, from one counter, cost 7 % more
    CPU: neighbouring groups' outputs share cache lines). A task is independent of the others
    and its scratch arrays are written before they are read, so the results depend neither on
    the number of threads nor on which thread takes a task.

    `source` = (Ms, Hs, D, n0, Mn, kd, inc0, kind, how): unless `how` is `NONE`, M and H are not
    filled yet and each task first fills its groups' cells, copied from Ms and Hs or the
    baseline's from the rest (`multidim_fill_kernels.fill_task`; the groups no task holds are
    filled before, `year`); a copy writes zeros where V marks the states of Ms and Hs known all
    zero instead of reading them (V then describes the kept state: `multidim_vacancy.handed`),
    unless D (S, G) marks them known all zero in M and H already (`multidim_vacancy.into_zero`)."""
    bases, twin = groups[2], groups[3]
    NBASE = bases.shape[0]
    cut, taken = runs(n, cov, lines, bases, twin, (parts + 1) // 2)  # a run for each two loops, tasks taken
    Ms, Hs, D, n0, Mn, kd, inc0, kind, how = source  # the loop's arguments: no nested tuples (numba's parfors)
    for p in prange(parts):
        work = thread_scratch(M, H, lines, flips)
        state, programme, model = (M, H, n, V), (cov, rr, (sh_lo, sh_w, sh_v)), (groups, lines, keys, flips, kerns)
        lo, hi, j = cut[p // 2], cut[p // 2 + 1], 0
        while take(taken[p // 2 :]) < hi - lo:  # a task left in the run: the next from this loop's end
            sb = lo + j if p % 2 == 0 else hi - 1 - j
            j += 1
            s, g = sb // NBASE, bases[sb % NBASE]
            if how != NONE:
                fill_task(M, H, s, g, twin[g], Ms, Hs, (n0, Mn, kd, inc0, kind), how, V, D)
                _unfilled(V, n0, s, g, twin[g], how)
            _task(s, g, state, programme, model, review, people, out, work)


@parallel
def _year_both(
    M, H, n, V, cov, rr, sh_lo, sh_w, sh_v, groups, lines, keys, flips, kerns, review, people, out, second, src, parts
):
    """`_year` with the households also classified, joined by new households and recorded under
    a second standard after the same lines and own changes (`_task_both`): second = (M2, H2,
    n2, review2, people2, out2, lean), a copy of the state (M, H, n) advanced in place under the
    second standard's review and new households' arrays, with its outputs (as `out`); when
    `lean`, only its counts n2, flows, new households and households by state are made (M2, H2
    are not read: `multidim_counts`);
    `src`: `_year`'s `source`."""
    bases, twin = groups[2], groups[3]
    NBASE = bases.shape[0]
    cut, taken = runs(n, cov, lines, bases, twin, (parts + 1) // 2)  # two loops a run, as in `_year`
    M2, H2, n2, review2, people2, out2, lean = second  # the loop's arguments: no nested tuples (numba's parfors)
    Ms, Hs, D, n0, Mn, kd, inc0, kind, how = src
    for p in prange(parts):
        work = thread_scratch(M, H, lines, flips)
        state, programme, model = (M, H, n, V), (cov, rr, (sh_lo, sh_w, sh_v)), (groups, lines, keys, flips, kerns)
        other = (M2, H2, n2, review2, people2, out2, lean)
        lo, hi, j = cut[p // 2], cut[p // 2 + 1], 0
        while take(taken[p // 2 :]) < hi - lo:  # a task left in the run: the next from this loop's end
            sb = lo + j if p % 2 == 0 else hi - 1 - j
            j += 1
            s, g = sb // NBASE, bases[sb % NBASE]
            if how != NONE:
                fill_task(M, H, s, g, twin[g], Ms, Hs, (n0, Mn, kd, inc0, kind), how, V, D)
                _unfilled(V, n0, s, g, twin[g], how)
            _task_both(s, g, state, programme, model, review, people, out, other, work)


@parallel
def _record_all(M, H, n, g_area, review, out):
    """The baseline review's records of every scenario and group (as `_year` ends with); a group
    without households is left out (its records stay 0)."""
    S, G = M.shape[0], M.shape[1]
    f1b, f2b = review[2], review[3]
    for sg in prange(S * G):
        s, g = sg // G, sg % G
        if n[s, g].sum() == 0.0:
            continue
        a = g_area[g]
        hs = np.empty((H.shape[2], H.shape[4]))
        income_bins(H[s, g], hs)
        record_group(M[s, g], H[s, g], n[s, g], s, g, f1b[a], f2b[a], out, hs)


refresh_caches(
    (
        multidim_numba,
        multidim_balance,
        multidim_line_kernels,
        multidim_line_tiles,
        multidim_income_kernel,
        multidim_flip_kernels,
        multidim_mask_flips,
        multidim_cell_kernels,
        multidim_counts,
        multidim_record_kernels,
        multidim_fill_kernels,
        multidim_scratch,
        multidim_vec8,
        sys.modules[__name__],
    )
)


# --- entry points ------------------------------------------------------------------------------------


def record(mm: MultidimModel, M: np.ndarray, H: np.ndarray, n: np.ndarray, out, sel: np.ndarray, t: int = 0) -> None:
    """Records of review t (the baseline by default; a run's first review) into `out`;
    households deprived in each targeting line's indicators into `sel` (S, L, G, K)."""
    st = tables.prepare(mm)
    _record_all(M, H, n, st["g_area"], tables.review_arrays(mm, t), tables.record_arrays(st, out, t, sel))


#: `year`'s source for cells not filled yet that start from the baseline (`cells`)
BASELINE = "baseline"


def cells(mm: MultidimModel, S: int) -> tuple[np.ndarray, np.ndarray]:
    """Zero cells for S scenarios, by mask M (S, G, K, 4096) and by (key, income bin) H (S, G, K,
    keys, B): fresh zero pages, rows on 64-byte boundaries (`multidim_numba.aligned`), to be
    filled (`fill`, or a first year from `BASELINE`)."""
    G, K = mm.base.n0.shape
    Mn, kd, inc0 = tables.entry_arrays(mm, 0)
    return aligned((S, G, K, Mn.shape[-1])), aligned((S, G, K, kd.shape[-1], inc0.shape[-1]))


def start(mm: MultidimModel, S: int) -> tuple[np.ndarray, np.ndarray]:
    """The households at the baseline for S scenarios (`cells` filled from `BASELINE`): those of
    the numpy reference's `_initial` at t = 0, written only for the cell-states with households
    (the rest stay zero pages, which the kernels skip)."""
    M, H = cells(mm, S)
    fill(mm, M, H, BASELINE)
    return M, H


def _start_arrays(mm: MultidimModel) -> tuple:
    """(n0, Mn, kd, inc0, kind): the baseline's households by group-state and the entry arrays
    of its review (`multidim_fill_kernels.start_group`)."""
    Mn, kd, inc0 = tables.entry_arrays(mm, 0)
    n0 = np.ascontiguousarray(mm.base.n0, dtype=float)
    return n0, Mn, np.ascontiguousarray(kd), inc0, tables.entry_kinds(mm)[1]


def fill(mm: MultidimModel, M: np.ndarray, H: np.ndarray, source, groups=None) -> None:
    """The cells (M, H) of `groups` (all by default) filled from `source`: None (they hold their
    values), (Ms, Hs) (copied) or `BASELINE` (the baseline's households; M and H zero there)."""
    groups = np.arange(M.shape[1]) if groups is None else np.asarray(groups, np.int64)
    if groups.size == 0:
        return
    if source is BASELINE:
        fill_start(M, H, *_start_arrays(mm), groups)
    elif source is not None:
        for g in groups:
            M[:, g], H[:, g] = source[0][:, g], source[1][:, g]


def _year_arrays(mm: MultidimModel, t: int, out, sel: np.ndarray) -> tuple:
    """(review, people, outputs) of year t - 1 under `mm`'s standards, as `_year` takes them."""
    st, y = tables.prepare(mm), t - 1
    rec = tables.record_arrays(st, out, t, sel)
    outs = (out.flows[:, y], out.entries[:, y], out.multidim.removed[:, y]) + rec + (st["next_state"],)
    return tables.review_arrays(mm, t), tables.people_arrays(mm, t), outs


def _shared(mm: MultidimModel, cov: np.ndarray, rr: np.ndarray, shifts: tuple) -> tuple:
    """The arguments of `_year` up to the review's: the year's programme and the model's arrays."""
    st = tables.prepare(mm)
    groups = (st["g_unit"], st["g_area"], st["bases"], st["twin"])
    return (np.ascontiguousarray(cov), np.ascontiguousarray(rr), *shifts, groups) + tuple(
        st[k] for k in ("lines", "keys", "flips", "kernel")
    )


def _source(mm: MultidimModel, M: np.ndarray, H: np.ndarray, source, D: np.ndarray) -> tuple:
    """`_year`'s `source` argument for the cells (M, H) to be filled from `source` (`fill`'s; None:
    filled), D (S, G) the bits of their cell-states known all zero already. The groups no task
    holds (neither a base group nor a base group's twin) are filled here; the tasks fill the
    others."""
    if source is None:
        return (M, H, D) + _start_arrays(mm) + (NONE,)
    st = tables.prepare(mm)
    held = np.zeros(M.shape[1], bool)
    held[st["bases"]] = True
    twins = st["twin"][st["bases"]]
    held[twins[twins >= 0]] = True
    fill(mm, M, H, source, np.flatnonzero(~held))
    if source is BASELINE:
        return (M, H, D) + _start_arrays(mm) + (START,)
    return (np.ascontiguousarray(source[0]), np.ascontiguousarray(source[1]), D) + _start_arrays(mm) + (COPY,)


def year(mm: MultidimModel, t: int, state: tuple, cov: np.ndarray, rr: np.ndarray, shifts: tuple, out, source=None):
    """Projected year y = t - 1 for every scenario: state = (M, H, n, sel) is advanced in place to
    review t and its records written into `out`; cov (S, L, G, K) coverage of the selectable
    households, rr (S, L, D) removal probabilities, shifts = `multidim_tables.shift_tables(...)`.
    `source` = (Ms, Hs): M and H are not filled yet, and the year copies their cells from Ms and
    Hs group by group as it first reads them (`EngineState.lent`; Ms and Hs are only read);
    `BASELINE`: M and H are zero (`cells`) and the year writes the baseline's households into
    them group by group (the values of `start`)."""
    M, H, n, sel = state[:4]
    V = reset_if_filled(of_state(state, M), source)  # the states known all zero (`multidim_vacancy`)
    review, people, outs = _year_arrays(mm, t, out, sel)
    filled = _source(mm, M, H, source, into_zero(state, V))
    _year(M, H, n, V, *_shared(mm, cov, rr, shifts), review, people, outs, filled, get_num_threads())


def year_both(
    mm: MultidimModel, other: MultidimModel, t: int, states: tuple, cov, rr, shifts: tuple, outs: tuple, source=None
):
    """`year` of one state under two models that differ only in their standards (the review's
    classification, records and new households; every array the lines and own changes read the
    same, `multidim_expected.shares_year`): states = ((M, H, n, sel), (M2, H2, n2, sel2)), the
    second a copy of the first, both advanced to review t, the first under `mm` with its records
    into outs[0], the second under `other` into outs[1]. The lines and own changes run once:
    every array is that of `year` on each (the deprivations the lines removed are copied).
    M2 and H2 None: the second state's cells are not kept (nor allocated, nor written), only its
    counts n2 (a copy of n) and, of its review's records, its flows, new households and
    households by state (`multidim_counts`: what a twin nothing continues from is read by); its
    other records of review t stay zero.
    `source`: the first state's cells to fill (M, H) from, as in `year` (the second's, when kept,
    must be filled)."""
    (M, H, n, sel), (M2, H2, n2, sel2) = states[0][:4], states[1][:4]
    V = reset_if_filled(of_state(states[0], M), source)  # the states known all zero (`multidim_vacancy`)
    lean = M2 is None
    if lean:  # not read
        M2, H2 = np.empty((0, 0) + M.shape[2:]), np.empty((0, 0) + H.shape[2:])
    review, people, out_arrays = _year_arrays(mm, t, outs[0], sel)
    second = (M2, H2, n2) + _year_arrays(other, t, outs[1], sel2) + (lean,)
    filled = _source(mm, M, H, source, into_zero(states[0], V))
    _year_both(M, H, n, V, *_shared(mm, cov, rr, shifts), review, people, out_arrays, second, filled, get_num_threads())
    outs[1].multidim.removed[:, t - 1] = outs[0].multidim.removed[:, t - 1]
