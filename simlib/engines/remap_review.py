"""A multidimensional engine state moved to other groups with the records of its review, in one
pass (issue 18: a change of money before the switch of `crossing_2024_2027`).

A run that switches units moves segment 1's state at the switch to the new groups
(`simlib.engines.common.EngineState.remapped`: `simlib.engines.remap_jit.GroupMove`), and the
first run on the new units records that review from the moved cells (`multidim_jit.record`, a
second pass over the 1.06 GB of the communes' cells). Here each new group is moved and recorded by
the same thread at once (`move_record`), its cells read back while still in the cache: the moved
cells are those of `GroupMove` (the same products and sums, element by element, in the same order,
IEEE arithmetic), the records those of `multidim_jit.record` (the same kernels, `income_bins` and
`record_group`, on the same arrays), handed over with the state as a `Review`
(`simlib.engines.multidim_review`), which the run continued from it writes instead of recording
again. tests/test_remap_review.py compares both with the two passes, bit for bit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simlib.engines import multidim_tables
from simlib.engines.common import EngineOutput, EngineState
from simlib.engines.multidim_numba import aligned, prange
from simlib.engines.multidim_record_kernels import income_bins, record_group
from simlib.engines.multidim_review import Review
from simlib.engines.remap_jit import GroupMove, move_state
from simlib.multidim.output import MultidimOutput

try:  # numba is a dependency; without it the moved state is recorded by its first run
    import numba
except ImportError:  # pragma: no cover
    numba = None


def move_record(old, move, cells, known, n, g_area, fgt, rec):
    """Move the cells `old` = (M, H) (S, G, K, 4096) and (S, G, K, NK * B) by `move` = (starts,
    sources, weights, order) (`GroupMove`; the new groups taken in `order`, each old group's
    cells read for its new groups in a row) into `cells` = (M, H, H as (S, G', K, NK, B)), leaving out the states with
    bit k of `known[0][s, h]` set (known zero there already and in every old group reaching h), and
    record each new group with households into `rec` (`multidim_tables.record_arrays`) with the
    FGT weights `fgt` = (f1b, f2b) by area: `multidim_jit._record_all`'s calls, group by group,
    the states known all zero (`known[1]`, `GroupMove.vacant`) not scanned; `known[1]` gets the
    bits of the states the record finds or knows all zero (`record_group`'s)."""
    skip, vacant = known
    M, H, H5 = cells
    starts, sources, weights, order = move
    S, G, K = M.shape[0], M.shape[1], M.shape[2]
    for sg in prange(S * G):
        s, h = sg // G, order[sg % G]
        for k in range(K):
            if (skip[s, h] >> k) & 1:
                continue
            move_state(old[0], starts, sources, weights, M, s, h, k)
            move_state(old[1], starts, sources, weights, H, s, h, k)
        if n[s, h].sum() == 0.0:
            continue
        a = g_area[h]
        hs = np.empty((H5.shape[2], H5.shape[4]))
        income_bins(H5[s, h], hs)
        vacant[s, h] = record_group(
            M[s, h], H5[s, h], n[s, h], s, h, fgt[0][a], fgt[1][a], rec, hs, np.int64(vacant[s, h])
        )


if numba is not None:  # IEEE arithmetic in the move (no `fastmath`: a fused multiply-add changes bits)
    move_record = numba.njit(cache=True, parallel=True)(move_record)


def fits(state: EngineState, into: dict | None) -> bool:
    """Whether `moved` can move `state`: the multidimensional engine's cells M and H (float64, C
    order), `into` None or arrays for both."""
    if numba is None or set(state.cells) != {"M", "H"} or state.n.ndim != 3:
        return False
    M, H = state.cells["M"], state.cells["H"]
    ok = all(a.dtype == np.float64 and a.flags.c_contiguous for a in (M, H))
    return ok and M.ndim == 4 and H.ndim == 5 and (into is None or set(into) >= {"M", "H"})


def moved(
    state: EngineState, mapping, mm, t: int, into: dict | None = None, known: tuple | None = None
) -> tuple[EngineState, Review]:
    """(`state.remapped(mapping, into=into, skip=known[0])`, the `Review` of review `t` that
    `multidim_jit.record` makes of it on the compiled model `mm` of the new units), in one pass
    over the moved cells (module docstring); `fits(state, into)` must hold. `known` = (skip,
    vacant), both (S, G') uint8: the states not written (`GroupMove.__call__`'s `skip`), the
    states known all zero in the moved cells (`GroupMove.vacant`), which receives the bits of
    those the record finds or knows all zero (None: nothing known)."""
    plain = replace(state, cells={}).remapped(mapping)  # households by group-state, the lines built
    M0, H0 = state.cells["M"], state.cells["H"]
    S, K = M0.shape[0], M0.shape[2]
    G = mapping.groups.shape[1]
    M = _into(into, "M", (S, G) + M0.shape[2:])
    H = _into(into, "H", (S, G) + H0.shape[2:])
    skip, vacant = known if known is not None else (None, None)
    skip = np.zeros((S, G), np.uint8) if skip is None else np.ascontiguousarray(skip, np.uint8)
    vacant = np.zeros((S, G), np.uint8) if vacant is None else vacant
    gm = GroupMove.of_map(mapping)
    model = mm.base
    out = EngineOutput.like("expected", model, S)
    out.multidim = MultidimOutput.zeros(S, len(model.years), G, K, len(model.line_codes))
    sel = np.zeros((S, len(model.line_codes), G, K))
    st = multidim_tables.prepare(mm)
    fgt = multidim_tables.review_arrays(mm, t)[2:4]
    old = (M0, H0.reshape(S, H0.shape[1], K, -1))
    cells = (M, H.reshape(S, G, K, -1), H)
    rec = multidim_tables.record_arrays(st, out, t, sel)
    move = (gm.starts, gm.sources, gm.weights, gm.order)
    move_record(old, move, cells, (skip, vacant), plain.n, st["g_area"], fgt, rec)
    return replace(plain, cells={"M": M, "H": H}), Review.of(mm, out, t, plain.n, sel)


def _into(into: dict | None, name: str, shape: tuple) -> np.ndarray:
    """The array `into[name]` the moved cells `name` are written into, or a new one."""
    a = (into or {}).get(name)
    if a is None:
        return aligned(shape, zero=False)
    if a.shape != shape or a.dtype != np.float64 or not a.flags.c_contiguous:
        raise ValueError(f"into[{name!r}] is {a.dtype} {a.shape}, the moved cells float64 {shape} (C order)")
    return a
