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
state is scanned, as before). Within the year the lines hand what they know (the states they
skipped, known or found empty, and did not move households into) to the own changes.

A run starts knowing nothing (`unknown`): from a handed-over state its cells are filled or lent,
and nothing proves them zero without the scan; from the baseline, the states without households
at the baseline are left zero by the first year's fill (`multidim_jit._unfilled` marks them).
Each year then writes, for the base group and twin of every task that ran (`multidim_jit._task`),
the states it left all zero (a task without households writes no cell and leaves its bits). An
array handed to a year whose cells are filled during it (`source`) is reset first
(`reset_if_filled`), then marked by the fill as above.
"""

from __future__ import annotations

import numpy as np


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
    """`vacant` made to know nothing when the year fills the cells (`source` not None): the
    cells it knew of are replaced."""
    if source is not None:
        vacant[:] = 0
    return vacant


def year_state(cells: tuple) -> tuple:
    """The state a year takes (M, H, n, sel, vacancy) from a run's cells (M, H, n, sel, built,
    vacancy, ...) (`multidim_expected.open_run`)."""
    return cells[:4] + cells[5:6]
