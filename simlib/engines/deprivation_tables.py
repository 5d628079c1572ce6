"""The tables of a deprivation household run (`multidim_microsim.simulate_multidim`) while it
runs: each review's or year's table kept by its rows that are not all zero, whole households in
the narrowest integer type that holds them exactly, made dense at the run's end.

A review's tables by (group, state) cell are zero in every cell without households, and the
flows, entries and removals are mostly zero (at 10⁵ households of `multidim_2030`, 46 % of the
cells hold households, 14 % of the flows and 28 % of the deprivation counts are not zero; no
count passes 65,535): held this way while the households and the programme step's arrays are in
memory, the run's tables take about a third of their dense bytes. The dense tables are the same
numbers: integers as integers (`narrowest`), floats with their bits (a row is kept when any of
its values has a bit set, so a -0.0 is kept as well).
"""

from __future__ import annotations

import numba
import numpy as np

from simlib.multidim.output import MultidimOutput
from simlib.standards import DIMENSIONS, N_INDICATORS

#: a review's tables (`multidim_microsim.review_tables`' order): (in the multidimensional
#: output, name, whole households)
REVIEW_TABLES = (
    (False, "states", True),
    (True, "deprived", True),
    (True, "dim_deprived", True),
    (True, "multi_deprived", True),
    (True, "fgt1", False),
    (True, "fgt2", False),
    (True, "income_sum", False),
)
#: the integer types of tables of whole households, narrowest first; each holds every value of
#: the types before it
COUNT_TYPES = (np.uint8, np.uint16, np.int32, np.int64)


#: `COUNT_TYPES` with their ranges
_RANGES = tuple((t, int(np.iinfo(t).min), int(np.iinfo(t).max)) for t in COUNT_TYPES)


def narrowest(values: np.ndarray) -> np.ndarray:
    """`values` (whole numbers, of any numeric type) as the first of `COUNT_TYPES` that
    represents every one of them exactly (a copy, or `values` itself when already of that type).
    Raises ValueError when none does (a value not whole, or beyond int64's range)."""
    lo, hi = (values.min(), values.max()) if values.size else (0, 0)
    for t, low, high in _RANGES:
        if low <= lo and hi <= high:
            cast = values.astype(t, copy=False)
            if values.dtype.kind in "iu" or np.array_equal(cast, values):  # integers in range: exact
                return cast
    raise ValueError("values that are not whole numbers of households")


def rows_not_zero(table: np.ndarray) -> np.ndarray:
    """The rows (axis 0, int64, in order) of `table` with a bit set (a float's -0.0 too)."""
    R = table.shape[0]
    rows = np.ascontiguousarray(table).reshape(R, -1)
    width = rows.shape[1] * rows.itemsize
    word = next(w for w in (8, 4, 2, 1) if width % w == 0)
    at = np.empty(R, np.int64)
    return at[: rows_with_bits(rows.view(np.dtype(f"u{word}")), at)]


@numba.njit(cache=True, nogil=True)
def rows_with_bits(b, at) -> int:
    """The rows of b (R, W) (unsigned words) with a word that is not zero, in order, written into
    at[:n]; returns n."""
    n = 0
    for r in range(b.shape[0]):
        for j in range(b.shape[1]):
            if b[r, j] != 0:
                at[n] = r
                n += 1
                break
    return n


class RunTables:
    """Tables of a run by time (review or projected year), each time's table kept by its rows
    that are not all zero: `add` a time's table (rows, ...) of counts (whole numbers: kept
    `narrowest`) or of floats (kept as float64); `dense` gives the table over all times."""

    def __init__(self):
        self.kept: dict[str, dict[int, tuple[np.ndarray, np.ndarray]]] = {}

    def add(self, name: str, t: int, table: np.ndarray, counts: bool = True) -> None:
        """Time t's table of `name` (rows along axis 0) by its rows that are not zero
        (`rows_not_zero`), replacing any kept before."""
        at = rows_not_zero(table)
        values = table[at]
        at = at.astype(np.uint16 if table.shape[0] <= 1 << 16 else np.int64)
        self.kept.setdefault(name, {})[t] = (at, narrowest(values) if counts else values.astype(np.float64))

    def one(self, name: str, t: int, shape: tuple, dtype=np.float64) -> np.ndarray:
        """Time t's table of `name` as a dense array of `shape` (rows first) and `dtype`."""
        out = np.zeros(shape, dtype)
        at, values = self.kept[name][t]
        out[at] = values
        return out

    def dense(self, name: str, times: int, shape: tuple) -> np.ndarray:
        """(1, times) + shape: every time's table of `name` (zeros at times never added), of the
        widest type kept (counts: the narrowest type that holds all of them); the kept rows are
        dropped."""
        kept = self.kept.pop(name, {})
        dtype = np.result_type(COUNT_TYPES[0], *(v.dtype for _, v in kept.values()))
        out = np.zeros((times,) + shape, dtype)
        for t, (at, values) in kept.items():
            out[t, at] = values
        return out[None]

    def output(self, out, G: int, K: int, Y: int, P: int):
        """`out` (`EngineOutput`) with the run's tables made dense (states, flows and entries
        kept by (group, state) cell, a review's tables (`REVIEW_TABLES`) by cell, the removals
        flat by (pair, group)), returned; the kept rows are dropped table by table."""

        def by_cell(name: str, times: int, tail: tuple = ()) -> np.ndarray:
            return self.dense(name, times, (G * K,) + tail).reshape((1, times, G, K) + tail)

        out.states, out.flows, out.entries = by_cell("states", Y + 1), by_cell("flows", Y, (K,)), by_cell("entries", Y)
        tails = {"deprived": (N_INDICATORS,), "dim_deprived": (len(DIMENSIONS),)}
        md = [by_cell(name, Y + 1, tails.get(name, ())) for _, name, _ in REVIEW_TABLES[1:]]
        out.multidim = MultidimOutput(*md, self.dense("removed", Y, (P * G,)).reshape(1, Y, P, G))
        return out


def reader_types(out, counts=("deprived", "dim_deprived", "multi_deprived", "removed")):
    """A deprivation household run's output (`EngineOutput`) with the types its readers get from
    every engine: states, flows and entries float64, the deprivation tables `counts` int32 (one
    held as int64 stays int64); the same numbers. Returned (the arrays replaced one by one)."""
    for holder, names, to in ((out, ("states", "flows", "entries"), np.float64), (out.multidim, counts, np.int32)):
        for name in names:
            a = getattr(holder, name)
            setattr(holder, name, a.astype(np.result_type(a.dtype, to), copy=False))
    return out
