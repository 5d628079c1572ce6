"""The compiled expected loop's static arguments (`simlib.engines.expected_jit`), built in Python
once per model and cached on it: the class index as gather lists (`grouped`), the lines' and the
people's arrays, where each projected year's money comes from (`prepare`), and the table of the
distinct affine parts (`rate_rows`).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from simlib.engines.reach import cycle_line, lag_index
from simlib.memo import memoised
from simlib.transitions import DEP, EFFECT_CHANNELS, ENA, ESC


def grouped(keys: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Positions of `keys` (values in 0..n-1) grouped by key: `order` lists the positions of key
    0, then of key 1, ..., each key's in ascending position, and `order[ptr[b]:ptr[b + 1]]` are
    key b's. A sum or product over a key's positions in this order repeats, operation for
    operation, a loop over the positions in ascending order that adds into that key's bin."""
    keys = np.asarray(keys, dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(keys, minlength=n), out=ptr[1:])
    return ptr, order.astype(np.int64)


def _channel_lists(protective: bool = False) -> np.ndarray:
    """EFFECT_CHANNELS as index lists (K, 2, max channels), padded with -1; `protective`: without
    the escape and deprivation channels."""
    width = int(EFFECT_CHANNELS.sum(axis=-1).max())
    out = np.full(EFFECT_CHANNELS.shape[:2] + (width,), -1, dtype=np.int64)
    for k in range(EFFECT_CHANNELS.shape[0]):
        for j in range(2):
            chans = np.flatnonzero(EFFECT_CHANNELS[k, j])
            if protective:
                chans = chans[(chans != ESC) & (chans != DEP)]
            out[k, j, : len(chans)] = chans
    return out


def _index_arguments(model, ix: dict) -> tuple:
    """The classes' group-states and each (line, unit, tier) bin's eligible classes and factor
    entries as gather lists (`grouped`; entries of a class follow its lines' order, so a bin-by-bin
    walk multiplies each class's factors in the same order as an entry-by-entry walk)."""
    L, D, T = len(model.line_codes), len(model.unit_ids), model.n_tiers
    c = np.ascontiguousarray
    n_bins = L * D * T
    cl_ptr, cl_gk = grouped(ix["cls"], int(ix["n_cls"]))
    eb_ptr, at = grouped(ix["e_bin"], n_bins)
    keep = np.flatnonzero(~ix["e_once"])  # the factors leave the once-per-household line's entries out
    fb_ptr, fat = grouped(ix["e_bin"][keep], n_bins)
    f = keep[fat]
    return (
        c(ix["cls"], dtype=np.int64),
        cl_ptr,
        cl_gk,
        eb_ptr,
        c(ix["e_cls"][at], dtype=np.int64),  # eligible classes, bin by bin
        fb_ptr,
        c(ix["e_cls"][f], dtype=np.int64),  # factor entries, bin by bin: class,
        c(ix["pair"][f, 0], dtype=np.int64),  # flat index of its effect pair's first element,
        c(ix["e_ps"][f], dtype=np.bool_),  # production-support flag
        int(ix["n_cls"]),
        int(T),
    )


def _line_arguments(model) -> tuple:
    c = np.ascontiguousarray
    return (
        c(model.household_line, dtype=np.bool_),
        c(model.capacity_units, dtype=float),
        c(model.structure.inv_capacity, dtype=float),
        c(model.unit_cost, dtype=float),
        c(model.max_share, dtype=float),
        c(model.effects[:, ENA], dtype=float),
        c(_channel_lists()),
        c(model.area_line, dtype=np.bool_),
        c(model.life, dtype=float),
        c(model.cost_rise, dtype=float),
        c(np.where(cycle_line(model), model.params.cycle, 0), dtype=np.int64),
        _channel_lists(protective=True),
    )


def _moves(model) -> tuple:
    """The once-per-household line (-1 if none) and the group-states it moves to their twins:
    flat (group, state) of each source in ascending order, of its twin's, the flat (line, unit,
    tier) bin of its coverage, and the twins' group-states (ascending, once each)."""
    s = model.structure
    G, K = s.n0.shape
    once = np.flatnonzero(s.once_line)
    if not once.size:
        none = np.zeros(0, dtype=np.int64)
        return none, none, none, none, -1
    t_line = int(once[0])
    g, k = np.nonzero(s.eligible[t_line] & (s.twin >= 0)[:, None])
    src, dst = g * K + k, s.twin[g] * K + k
    cov_bin = (t_line * len(s.unit_ids) + s.g_unit[g]) * s.n_tiers + s.tier[t_line][g, k]
    i64 = partial(np.ascontiguousarray, dtype=np.int64)
    return i64(src), i64(dst), i64(cov_bin), i64(np.unique(dst)), t_line


def _people_arguments(model) -> tuple:
    c = np.ascontiguousarray
    src, dst, cov_bin, twins, t_line = _moves(model)
    return (
        c(model.n0, dtype=float),
        c(np.flatnonzero(model.ps_population), dtype=np.int64),  # flat (group, state), ascending
        float(model.ps_want_share),
        float(model.growth),
        c(model.entry, dtype=float),
        c(model.g_unit, dtype=np.int64),
        c(model.twin, dtype=np.int64),
        src,
        dst,
        cov_bin,
        twins,
        c(np.flatnonzero(model.g_housed), dtype=np.int64),  # housed twins
        t_line,
        c(model.g_housed, dtype=np.bool_),
    )


def _money_arguments(model) -> tuple:
    """`reach.acting_money`'s parts: the spending year acting on each (projected year, line), 1.0
    or 0.0 whether it exists, and the other programmes' money (Y+1, L, D) (none: 0 rows)."""
    year, _, ok = lag_index(model)
    others = model.levers.other_spend()
    if others is None:
        others = np.zeros((0,) + model.spend.shape[1:])
    c = np.ascontiguousarray
    return c(year, dtype=np.int64), c(ok[:, :, 0], dtype=float), c(others, dtype=float)


def _static_arguments(model, ix: dict) -> tuple:
    """The loop's arguments after the spending, effects and rates: index, lines, people, money."""
    return _index_arguments(model, ix) + _line_arguments(model) + _people_arguments(model) + _money_arguments(model)


def prepare(model, ix: dict) -> tuple:
    """The compiled loop's static arguments, converted once per model (cached on it: they depend
    on its structure, parameters and levers)."""
    return memoised(model, "expected_jit.arguments", partial(_static_arguments, model, ix))


def rate_rows(parts: np.ndarray, distinct: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The affine parts (3, S, G, K, K) as the loop reads them: each group's row (G,) of a table
    (3, S, R, K, Q) holding, for each state k, the parts of its moves `dest[k]` (K, Q; padded
    with -1) — the moves whose parts are not all +0.0 (the others' probability is 0.0 + 0.0 f1
    + 0.0 f2 = 0.0 whatever the factors). With `distinct`, groups with bit-identical parts share
    a row (the model's own rates: a few kinds of group); otherwise one row per group."""
    G, K = parts.shape[2], parts.shape[3]
    live = ((parts != 0.0) | np.signbit(parts)).any(axis=(0, 1, 2))  # (K, K)
    Q = max(int(live.sum(axis=1).max()), 1)
    dest = np.full((K, Q), -1, dtype=np.int64)
    for k in range(K):
        js = np.flatnonzero(live[k])
        dest[k, : js.size] = js
    by_group = np.ascontiguousarray(np.moveaxis(parts, 2, 0)).reshape(G, -1).view(np.uint64)
    if distinct:
        _, first, row_of = np.unique(by_group, axis=0, return_index=True, return_inverse=True)
    else:
        first, row_of = np.arange(G), np.arange(G)
    table = np.zeros(parts.shape[:2] + (len(first), K, Q))
    for k in range(K):
        for q, j in enumerate(dest[k]):
            if j >= 0:
                table[:, :, :, k, q] = parts[:, :, first, k, j]
    return np.ascontiguousarray(row_of.ravel(), dtype=np.int64), table, dest
