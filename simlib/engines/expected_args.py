"""The compiled expected loop's static arguments (`simlib.engines.expected_jit`), built in Python
once per model and cached on it: the class index's entries as flat arrays, the lines' and the
people's arrays (`prepare`), and the table of the distinct affine parts (`rate_rows`).
"""

from __future__ import annotations

from functools import partial

import numpy as np

from simlib.engines.reach import cycle_line
from simlib.memo import memoised
from simlib.transitions import EFFECT_CHANNELS, ENA


def _channel_lists() -> np.ndarray:
    """EFFECT_CHANNELS as index lists (K, 2, max channels), padded with -1."""
    width = int(EFFECT_CHANNELS.sum(axis=-1).max())
    out = np.full(EFFECT_CHANNELS.shape[:2] + (width,), -1, dtype=np.int64)
    for k in range(EFFECT_CHANNELS.shape[0]):
        for j in range(2):
            chans = np.flatnonzero(EFFECT_CHANNELS[k, j])
            out[k, j, : len(chans)] = chans
    return out


def _once_arrays(model) -> tuple:
    """The once-per-household line (-1 if none), where it is eligible (G, K) and in which tier."""
    s = model.structure
    once = np.flatnonzero(s.once_line)
    t_line = int(once[0]) if once.size else -1
    el = s.eligible[t_line] if once.size else np.zeros(s.n0.shape, bool)
    tier = s.tier[t_line] if once.size else np.zeros(s.n0.shape, np.int8)
    return el, tier, t_line


def _static_arguments(model, ix: dict) -> tuple:
    """The loop's arguments after the spending, effects and rates: index, lines, people (flat)."""
    T = model.n_tiers
    c = np.ascontiguousarray
    keep = ~ix["e_once"]  # the factors leave the once-per-household line's entries out
    index = (
        c(ix["cls"], dtype=np.int64),
        c(ix["e_cls"], dtype=np.int64),
        c(ix["e_bin"], dtype=np.int64),  # flat (line, unit, tier) bin of each entry
        c(ix["e_cls"][keep], dtype=np.int64),
        c(ix["e_bin"][keep], dtype=np.int64),
        c(ix["pair"][keep, 0], dtype=np.int64),  # flat index of its effect pair's first element
        c(ix["e_ps"][keep], dtype=np.bool_),
        int(ix["n_cls"]),
        int(T),
    )
    lines = (
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
    )
    once_el, once_tier, t_line = _once_arrays(model)
    people = (
        c(model.n0, dtype=float),
        c(model.ps_population, dtype=np.bool_),
        float(model.ps_want_share),
        float(model.growth),
        c(model.entry, dtype=float),
        c(model.g_unit, dtype=np.int64),
        c(model.twin, dtype=np.int64),
        c(once_el, dtype=np.bool_),
        c(once_tier, dtype=np.int64),
        t_line,
        c(model.g_housed, dtype=np.bool_),
    )
    return index + lines + people


def prepare(model, ix: dict) -> dict:
    """The compiled loop's static arguments, converted once per model (cached on it: they depend
    on its structure and parameters)."""
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
