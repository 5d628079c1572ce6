"""Engine-state arrays reused between the explorer's engine runs (issue 18).

The multidimensional engine advances the state it continues from in place, so a run from a kept
state (`simlib.workbench.incremental.EngineRuns`) needs its own copy of the state's cells: 183 MB
for multidim_2030 (households by deprivation mask and by key and income bin). A fresh copy is
fresh memory: the operating system maps and zeroes every page on the first write, several times
the cost of the copy itself (about 0.7 s of CPU against 40 ms for a copy into arrays already
mapped, measured on the shared 2-core machine). `StatePool` keeps the cells of a state nothing
continues from (the last review's, the twin's, a kept state another change made stale) and the
next run from a kept state copies that state into them: the same bytes as a fresh copy, without
the page faults (the multidimensional engine copies group by group as its first year reads them,
without a pass of its own: `EngineState.lent`). Between changes it holds at most `spare` sets of
cells (`trim`; the explorer keeps two, the second only within `spare_bytes`: a change moving the
kept year later needs a second copy at once, and a fresh 183 MB costs 50-450 CPU ms, mapping and
zeroing with the huge-page advice, by the machine's memory state); within a change the cells of
the states a change made stale wait for the next copies instead of being freed and mapped again.
So a change never holds more engine states at once than it did with fresh copies (the kept ones
it continues from, the one running; before a run from the baseline, where the engine makes its
own arrays, only as many free as the change's later copies), and between changes up to `spare`
more than the kept ones (the process's peak is the same: 1,120 MB for the benchmark's changes
with one or two, benchmarks/HISTORY.md `## expout`). With each set of cells it keeps the bits
of the cell-states the given state knew all zero (`simlib.engines.multidim_vacancy.VacantState`),
handed with the arrays (`EngineState.into_zero`): the copy then writes nothing where the state
copied and the arrays are both known zero (on `plan_2027` about a third of the 1 GB state is such
zeros). The arrays are not written between `give` and `copy_of`, so the bits stay true.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from simlib.engines.common import EngineState
from simlib.engines.multidim_numba import aligned
from simlib.engines.multidim_vacancy import VacantState


class StatePool:
    """Cells (name -> array) of engine states nothing continues from, reused for the copies the
    next runs write in place."""

    def __init__(self, spare: int = 1, spare_bytes: int | None = None):
        self.spare = spare
        self.spare_bytes = spare_bytes  # between changes, sets beyond the first only within these bytes
        self.free: list[dict] = []
        self.zero: list[np.ndarray | None] = []  # the bits of each free set's states known all zero
        self.reused = 0  # copies made into reused arrays (tests read it)

    def give(self, state: EngineState | None) -> None:
        """Take the cells of `state`, which nothing reads again (the state is emptied); they stay
        until the next `trim`."""
        if state is None or not state.cells:
            return
        self.free.append(state.cells)
        self.zero.append(known_zero(state))
        state.cells = {}

    def trim(self, spare: int | None = None) -> None:
        """Let all but the last `spare` (default `self.spare`) sets of free cells go: after each
        change, and before the engine makes fresh ones for a run from the baseline (then the
        copies that change will make)."""
        keep = self.spare if spare is None else spare
        if spare is None and self.spare_bytes is not None:
            total, fits = 0, 0
            for cells in reversed(self.free[len(self.free) - keep :] if keep else []):
                total += sum(v.nbytes for v in cells.values())
                if fits and total > self.spare_bytes:
                    break
                fits += 1
            keep = fits
        gone = max(0, len(self.free) - keep)
        del self.free[:gone], self.zero[:gone]

    def copy_of(self, state: EngineState) -> EngineState:
        """`state` for one engine run that writes its copy of the cells into reused arrays where
        some of the same shapes are free (`EngineState.into`): the multidimensional engine copies
        them group by group as its first year reads them (`EngineState.lent`), without a pass
        over the 183 MB of its own; `state`'s cells are only read."""
        # the same kind of state: a `ReviewedState` keeps the records of its review (read only)
        into, zero = self._take(state.cells)
        return replace(state, spare=False, into=into, into_zero=zero)

    def arrays(self, like: dict) -> dict:
        """Arrays of the shapes and types of `like`'s (name -> array) to be overwritten whole:
        a free set where one fits (its values and known zeros dropped), else new ones."""
        return self._take(like)[0]

    def _take(self, like: dict) -> tuple[dict, np.ndarray | None]:
        for i, cells in enumerate(self.free):
            if cells.keys() == like.keys() and all(
                cells[k].shape == v.shape and cells[k].dtype == v.dtype for k, v in like.items()
            ):
                self.reused += 1
                return self.free.pop(i), self.zero.pop(i)
        return {k: new_like(v) for k, v in like.items()}, None


def new_like(a: np.ndarray) -> np.ndarray:
    """An array of `a`'s shape and type to be overwritten whole; float64 cells with their rows on
    64-byte boundaries (`multidim_numba.aligned`), as a run's own."""
    return aligned(a.shape, zero=False) if a.dtype == np.float64 else np.empty(a.shape, a.dtype)


def known_zero(state: EngineState) -> np.ndarray | None:
    """A copy of the bits of `state`'s cell-states known all zero (its vacancy marks), or None."""
    marks = state.vacancy if isinstance(state, VacantState) else None
    bits = getattr(marks, "bits", None)
    return bits.copy() if isinstance(bits, np.ndarray) else None
