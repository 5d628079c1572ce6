"""Which cell-states are known to hold no households (their cells all zero) at the start of a
year (issue 18).

The compiled year (`multidim_jit._year`) scans every cell-state of a task at its start to learn
which hold households (`multidim_line_kernels.lines_known`), each empty one's 78 kB of masks and
incomes read in full from memory; then the own changes (`own_changes`) scanned the same states
again after the lines. The year knows, at its end, which of its states it left empty: a housed
twin the lines left vacant is never written after them (all its states), and the review's records
test every state of a group it settled after classification and new households
(`multidim_record_kernels._record`, which returns the bits). This module keeps that answer from one
year to the next, with the cells: an array (S, G) of uint8, bit k set where state k of group g in
scenario s is known to be all zero (every bit of a vacant twin), 0 where nothing is known (the
state is scanned, as before). A copy of a kept state's cells into reused arrays (the explorer's
`simlib.workbench.pool`) also knows which states those arrays hold all zero already (the bits of
the state they held, `EngineState.into_zero`, `destination`): where both the kept state and the
arrays are known zero, the copy writes nothing. Within the year the lines hand what they know (the
states they skipped, known or found empty, and did not move households into) to the own changes.

A run from the baseline knows the states without households at the baseline, left zero by the
first year's fill (`multidim_jit._unfilled` marks them; `at_baseline` when the cells were filled
before the year). The state a run hands over carries the bits its last year left
(`VacantState`), and a run continued from it (a copy, or its own arrays) starts knowing them
(`handed`; the explorer's re-runs from a kept state); a state without them, or moved to other
units, knows nothing (`unknown`): nothing proves its cells zero without the scan.
Each year then writes, for the base group and twin of every task that ran (`multidim_jit._task`),
the states it left all zero (a task without households writes no cell and leaves its bits). An
array handed to a year whose cells are written from the baseline during it is reset first
(`reset_if_filled`), then marked by the fill as above; one whose cells are copied from a kept
state during it describes those cells (`handed`) and is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simlib.engines.multidim_review import ReviewedState


def unknown(S: int, G: int) -> np.ndarray:
    """An array (S, G) that knows no state's cells to be zero (every state is scanned)."""
    return np.zeros((S, G), np.uint8)


def of_state(state: tuple, M: np.ndarray) -> np.ndarray:
    """The vacancy array of a year's `state` (M, H, n, sel[, vacancy]): its fifth entry, or one
    that knows nothing (a state given without it) for the cells M (S, G, ...)."""
    if len(state) > 4:
        return state[4]
    return unknown(M.shape[0], M.shape[1])


def reset_if_filled(vacant: np.ndarray, source) -> np.ndarray:
    """`vacant` made to know nothing when the year writes the baseline's households into the
    cells (`source` `multidim_jit.BASELINE`): the cells it knew of are replaced. A year copying
    the cells from a kept state (`source` a tuple (Ms, Hs)) keeps it: it describes that state
    (`handed`)."""
    if source is not None and not isinstance(source, tuple):
        vacant[:] = 0
    return vacant


class Marks:
    """The vacancy array (S, G) handed over with a state (`VacantState`): what the engine knows of
    its cells, not a result — held apart from the state's arrays, so that whatever reads or
    compares a state's arrays (dumps, `dataclasses` walks) sees only its results (two runs that
    give the same cells may know more or less of them: a group without households keeps its
    marks)."""

    __slots__ = ("bits",)

    def __init__(self, bits: np.ndarray):
        self.bits = bits


@dataclass
class VacantState(ReviewedState):
    """A `ReviewedState` with the bits of its cell-states known all zero, as the year that ended
    at its review left them (`vacancy`, `Marks`): a run continued from it starts knowing them
    (`handed`). Copies (`dataclasses.replace`, `simlib.workbench.pool`) keep them; a state on
    other units (`EngineState.remapped`) is a plain one and knows nothing."""

    vacancy: Marks | None = None


def handed(state, S: int, G: int) -> np.ndarray:
    """The vacancy array of a run continued from `state` for S scenarios and G groups: a copy of
    the one handed over with it (`VacantState`; the run writes its own), else `unknown`."""
    marks = state.vacancy if isinstance(state, VacantState) else None
    V = marks.bits if isinstance(marks, Marks) else None
    if V is None or V.shape != (S, G) or V.dtype != np.uint8:
        return unknown(S, G)
    return V.copy()


def at_baseline(vacant: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """`vacant` (S, G) for cells holding the baseline's households (`multidim_jit.fill` from
    `BASELINE`, which writes only the cell-states with households): the bits of the states
    without households at the baseline (n0 (G, K) zero) set, every scenario alike."""
    bits = ((n0 == 0.0).astype(np.int64) << np.arange(n0.shape[1])).sum(axis=1)
    vacant[:] = bits.astype(np.uint8)[None, :]
    return vacant


def destination(state, S: int, G: int) -> np.ndarray:
    """The bits (S, G) of the cell-states known all zero in the arrays a run continued from
    `state` copies its cells into: `EngineState.into_zero` when the state gives those arrays
    (`into`, the pool's reused ones) and is not handed over `once`, else `unknown` (new arrays,
    or the state's own). Read before `EngineState.lent`, which takes `into`."""
    bits = getattr(state, "into_zero", None)
    if state.spare or state.into is None or bits is None or bits.shape != (S, G) or bits.dtype != np.uint8:
        return unknown(S, G)
    return bits


def into_zero(state: tuple, V: np.ndarray) -> np.ndarray:
    """The bits (S, G) of the cells known all zero before a year fills them: the sixth entry of
    its `state` (M, H, n, sel, vacancy, into zero; `destination`), else none."""
    return state[5] if len(state) > 5 else np.zeros_like(V)


def year_state(cells: tuple) -> tuple:
    """The state a year takes (M, H, n, sel, vacancy[, into zero]) from a run's cells (M, H, n,
    sel, built, vacancy, work[, into zero]) (`multidim_expected.open_run`)."""
    return cells[:4] + cells[5:6] + cells[7:8]
