"""The records of the review a multidimensional engine state stands at, handed over with it
(issue 18: the explorer's change to the updated view).

The compiled engine (`simlib.engines.multidim_expected.run_compiled`) starts every run by recording
its first review (`multidim_jit.record`: every group's households by state, deprivations, FGT
sums, incomes and the households each targeting line can select, about 30 CPU ms on
`multidim_2030`). A run continued from a state handed over at review t records again what the
year that ended at t recorded for the same state. The state it hands over is a `ReviewedState`
carrying those records (`Review`, small beside the state's own arrays); a run continued from it
on a model whose record reads the same arrays (`review_key`) writes them instead: the same
values, bit for bit (tests/test_engine_review.py compares them with a record of the review).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.engines import multidim_tables
from simlib.engines.common import EngineOutput, EngineState
from simlib.multidim.model import MultidimModel


@dataclass
class ReviewedState(EngineState):
    """An `EngineState` of the compiled engine with the records of its review (`Review`), which a
    run continued from it writes instead of computing them again. Copies (`dataclasses.replace`)
    keep them; a state on other units (`EngineState.remapped`) is a plain one."""

    review: Review | None = None


def review_key(mm: MultidimModel, out: EngineOutput, t: int) -> tuple:
    """Every model array `multidim_jit.record` reads at review t besides the state (into `out`):
    the groups' areas, the review's arrays and the records' tables."""
    st = multidim_tables.prepare(mm)
    tables = multidim_tables.record_arrays(st, out, t, None)[8:]
    return (st["g_area"], *multidim_tables.review_arrays(mm, t), *tables)


def _records(mm: MultidimModel, out: EngineOutput, t: int, sel: np.ndarray) -> tuple:
    """The output arrays `multidim_jit.record` writes at review t (views)."""
    return multidim_tables.record_arrays(multidim_tables.prepare(mm), out, t, sel)[:7]


@dataclass(frozen=True)
class Review:
    """The records of review t that `multidim_jit.record` writes for a state (the output arrays at
    t and the households deprived in each targeting line's indicators, `sel`), as the year that
    ended at t wrote them, with a group without households zero (`record` leaves it out); `key`:
    every model array the record reads besides the state (`review_key`). A run continued from the
    state on a model with the same key writes them instead of recording the review again: the
    same values (tests/test_engine_review.py)."""

    key: tuple
    arrays: tuple
    sel: np.ndarray

    @classmethod
    def of(cls, mm: MultidimModel, out: EngineOutput, t: int, n: np.ndarray, sel: np.ndarray) -> Review:
        empty = n.sum(axis=-1) == 0.0  # (S, G)
        arrays = tuple(np.array(a) for a in _records(mm, out, t, sel))
        for a in arrays:
            a[empty] = 0.0
        kept = sel.copy()
        kept.transpose(0, 2, 1, 3)[empty] = 0.0
        return cls(review_key(mm, out, t), arrays, kept)

    def fits(self, mm: MultidimModel, t: int, out: EngineOutput, sel: np.ndarray) -> bool:
        """Whether the records are those a record of review t of the state on `mm` would write."""
        if self.sel.shape != sel.shape or self.arrays[0].shape != out.states[:, t].shape:
            return False
        here = review_key(mm, out, t)
        return len(here) == len(self.key) and all(_same(a, b) for a, b in zip(here, self.key))

    def write(self, mm: MultidimModel, out: EngineOutput, t: int, sel: np.ndarray) -> None:
        for dst, src in zip(_records(mm, out, t, sel), self.arrays):
            dst[...] = src
        sel[...] = self.sel


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype == b.dtype and np.array_equal(a, b)
    return a == b
