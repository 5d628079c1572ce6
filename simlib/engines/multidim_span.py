"""The kernels' tables of a compiled multidimensional run over the years it makes only (issue 18:
the explorer's change to the updated view).

A run from review `start` to review `stop` (`multidim_expected.open_run` / `close_run`) writes its
kernels' two tables — the deprivations removed by line and indicator (S, Y, L, G, 12) and the
households by number of deprivations (S, Y+1, G, K, 13) — in its projected years [start, stop)
and its reviews [start, stop] only; `MultidimOutput.compact` then makes the output's arrays from
them (removals by pair, households with at least the standard's minimum), zero in the other years.
`opened` takes the two tables from arrays kept between runs (`SPARE` sets of at most
`SPARE_BYTES`), zeroing the run's slices only, or makes new zero-filled ones (calloc's pages:
those the kernels never write are never touched); `closed` makes the output's arrays from those
slices (the same gathers and sums, element by element, as `compact`), zero elsewhere, and keeps
the tables for the next run: the same values, bit for bit, without allocating and zeroing the
whole tables each run (27 MB on `plan_2027`, three runs in an explorer change;
tests/test_multidim_span.py).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields

import numpy as np

from simlib.multidim.output import MultidimOutput, removal_pairs
from simlib.standards import DIMENSIONS, N_INDICATORS

#: sets of the two tables kept between runs (a run and its twin's year are open at once)
SPARE = 2
#: a set larger than this is not kept (many draws' runs)
SPARE_BYTES = 1 << 26
_spare: list[tuple[np.ndarray, np.ndarray]] = []
_lock = threading.Lock()  # runs in several threads (the explorer's and its probabilities')


@dataclass
class RunRecords(MultidimOutput):
    """A running compiled engine's `MultidimOutput` (its kernels' tables: `removed` by line and
    indicator, `multi_deprived` by number of deprivations) whose tables hold the run's values in
    its projected years [span[0], span[1]) and reviews [span[0], span[1]] only (others unset)."""

    span: tuple[int, int] = (0, 0)


def opened(S: int, Y: int, G: int, K: int, L: int, start: int, stop: int) -> RunRecords:
    """`MultidimOutput.zeros(S, Y, G, K, L)` for a run of the projected years [start, stop): its
    tables zero in the run's years and reviews only (module docstring), its records zero."""
    kept = _take((S, Y, L, G, N_INDICATORS), (S, Y + 1, G, K, N_INDICATORS + 1))
    removed, by_count = kept[:2]
    if kept[2]:  # new arrays are zero already (pages the kernels never write are never touched)
        removed[:, start:stop] = 0.0
        by_count[:, start : stop + 1] = 0.0
    reviews = (S, Y + 1, G, K)
    return RunRecords(
        np.zeros(reviews + (N_INDICATORS,)),
        np.zeros(reviews + (len(DIMENSIONS),)),
        by_count,
        np.zeros(reviews),
        np.zeros(reviews),
        np.zeros(reviews),
        removed,
        span=(start, stop),
    )


def closed(md: MultidimOutput, mm) -> MultidimOutput:
    """`md.compact(mm)` (`md` an `opened` run's: from its run's years and reviews, zero in the
    others; its tables kept for the next run, `md` is not read again)."""
    if not isinstance(md, RunRecords):
        return md.compact(mm)
    start, stop = md.span
    S, Y, _, G, _ = md.removed.shape
    lines, flags = removal_pairs(mm)
    removed = np.zeros((S, Y, len(lines), G))
    removed[:, start:stop] = np.moveaxis(md.removed[:, start:stop, lines, :, flags], 0, 2)
    by_count, k_min = md.multi_deprived, mm.min_deprivations
    multi = np.zeros(by_count.shape[:-1])
    for t in range(start, stop + 1):
        multi[:, t] = by_count[:, t, ..., k_min[t] :].sum(-1)
    plain = {f.name: getattr(md, f.name) for f in fields(MultidimOutput)}
    with _lock:
        if len(_spare) < SPARE and md.removed.nbytes + by_count.nbytes <= SPARE_BYTES:
            _spare.append((md.removed, by_count))
    return MultidimOutput(**{**plain, "removed": removed, "multi_deprived": multi})


def _take(removed: tuple, by_count: tuple) -> tuple[np.ndarray, np.ndarray, bool]:
    """A kept set of the two tables of these shapes (taken; True), or new zero-filled arrays."""
    with _lock:
        for i, (a, b) in enumerate(_spare):
            if a.shape == removed and b.shape == by_count:
                return (*_spare.pop(i), True)
    return np.zeros(removed), np.zeros(by_count), False
