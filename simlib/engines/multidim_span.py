"""The kernels' tables of a compiled multidimensional run over the years it makes only (issue 18:
the explorer's change to the updated view).

A run from review `start` to review `stop` (`multidim_expected.open_run` / `close_run`) writes its
kernels' two tables — the deprivations removed by line and indicator (S, Y, L, G, 12) and the
households by number of deprivations (S, Y+1, G, K, 13) — in its projected years [start, stop)
and its reviews [start, stop] only; `MultidimOutput.compact` then makes the output's arrays from
them (removals by pair, households with at least the standard's minimum), zero in the other years.
`opened` makes the two tables zero-filled (calloc's pages: those the kernels never write are never
touched), or, given a `TablePool` its caller owns, takes a set the pool keeps and zeroes the run's
slices only; `closed` makes the output's arrays from those slices (the same gathers and sums,
element by element, as `compact`), zero elsewhere, and gives the tables back to the pool if any:
the same values, bit for bit, without allocating and zeroing the whole tables each run (27 MB on
`plan_2027`, three runs in an explorer change, whose engine runs own a pool:
`simlib.workbench.incremental.EngineRuns`; tests/test_multidim_span.py). Without a pool nothing
is kept between runs (the runner's, batch runs, tests).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, fields

import numpy as np

from simlib.multidim.output import MultidimOutput, removal_pairs
from simlib.standards import DIMENSIONS, N_INDICATORS


class TablePool:
    """Sets of a compiled run's two kernel tables (removals by line and indicator, households by
    number of deprivations) kept between the runs of the one who owns the pool and hands it to
    them (`opened` takes a set of its shapes, `closed` gives it back). It keeps at most `sets`
    sets (a run and its twin's year are open at once), none larger than `max_bytes` (many
    draws' runs); thread-safe (the explorer's view thread and its probabilities' may both run)."""

    def __init__(self, sets: int = 2, max_bytes: int = 1 << 26):
        self.sets, self.max_bytes = sets, max_bytes
        self.free: list[tuple[np.ndarray, np.ndarray]] = []
        self._lock = threading.Lock()

    def take(self, removed: tuple, by_count: tuple) -> tuple[np.ndarray, np.ndarray] | None:
        """A kept set of the two tables of these shapes (no longer kept), or None."""
        with self._lock:
            for i, (a, b) in enumerate(self.free):
                if a.shape == removed and b.shape == by_count:
                    return self.free.pop(i)
        return None

    def give(self, removed: np.ndarray, by_count: np.ndarray) -> None:
        """Keep this set (nothing else reads it) for a later run, within `sets` and `max_bytes`."""
        with self._lock:
            if len(self.free) < self.sets and removed.nbytes + by_count.nbytes <= self.max_bytes:
                self.free.append((removed, by_count))


@dataclass
class RunRecords(MultidimOutput):
    """A running compiled engine's `MultidimOutput` (its kernels' tables: `removed` by line and
    indicator, `multi_deprived` by number of deprivations) whose tables hold the run's values in
    its projected years [span[0], span[1]) and reviews [span[0], span[1]] only (others unset)."""

    span: tuple[int, int] = (0, 0)


def opened(S: int, Y: int, G: int, K: int, L: int, start: int, stop: int, pool: TablePool | None = None) -> RunRecords:
    """`MultidimOutput.zeros(S, Y, G, K, L)` for a run of the projected years [start, stop): its
    tables zero in the run's years and reviews only, from `pool` when it keeps a set of their
    shapes (None: new zero-filled tables; module docstring), its records zero."""
    shapes = (S, Y, L, G, N_INDICATORS), (S, Y + 1, G, K, N_INDICATORS + 1)
    kept = pool.take(*shapes) if pool is not None else None
    if kept is None:  # new arrays are zero already (pages the kernels never write are never touched)
        removed, by_count = np.zeros(shapes[0]), np.zeros(shapes[1])
    else:
        removed, by_count = kept
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


def closed(md: MultidimOutput, mm, pool: TablePool | None = None) -> MultidimOutput:
    """`md.compact(mm)` (`md` an `opened` run's: from its run's years and reviews, zero in the
    others; its tables given to `pool` for a later run, if any: `md` is not read again)."""
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
    if pool is not None:
        pool.give(md.removed, by_count)
    return MultidimOutput(**{**plain, "removed": removed, "multi_deprived": multi})
