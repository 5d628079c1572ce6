"""Which housed twins' cells are known to be zero at the start of a year (issue 18).

The compiled year (`multidim_jit._year`) scans every cell-state of a task at its start to learn
which hold households (`multidim_line_kernels.lines_known`); a housed twin is mostly vacant, and
its states, each 78 kB of masks and incomes read in full from memory, were most of that scan. The
year already knows, at its end, which twins it left vacant: the lines' answer whether the twin
holds households (`apply_lines`), after which a vacant twin's cells are never written. This module
keeps that answer from one year to the next, with the cells: an array (S, G) of uint8, 1 where
group g's cells in scenario s are known to be all zero (only housed twins are ever marked), 0
where nothing is known (the states are scanned, as before).

A run starts knowing nothing (`unknown`): from the baseline or from a handed-over state its
cells are filled or lent, and nothing proves them zero without the scan; each year then writes the
answer of its lines for every twin whose task ran (`multidim_jit._lines`). An array handed to a
year whose cells are filled during it (`source`) is reset first (`reset_if_filled`).
"""

from __future__ import annotations

import numpy as np


def unknown(S: int, G: int) -> np.ndarray:
    """An array (S, G) that knows no group's cells to be zero (every state is scanned)."""
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
    vacancy) (`multidim_expected.open_run`)."""
    return cells[:4] + cells[5:]
