"""The explorer's indicator table, its rows' columns kept between changes (issue 18).

Every allocation of one starting scenario gives the view's indicator table with the same rows
(`simlib.workbench.scoring`: the same names, draws, years, areas and indicators in the same
order), only the values differ. Building the table (`simlib.results.long_indicators`, then the
scenario's and the engine's columns) turns about two thousand rows of text into pandas' string
columns every change; `ShownFrame` keeps the last table and, when a new one's columns other than
its values are the same (compared as numpy arrays), copies it and sets the values: the same table.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


class ShownFrame:
    """`pd.DataFrame(data)` with the columns `scenario` and `engine` put first (as
    `simlib.workbench.incremental.shown_table` inserts them), from the last table made when
    `data`'s columns but `value` are those it was made from."""

    def __init__(self):
        self.names: tuple | None = None
        self.data: dict[str, np.ndarray] = {}
        self.frame: pd.DataFrame | None = None
        self.used = 0  # tables copied from the kept one (tests read it)

    def same(self, data: dict[str, np.ndarray], names: tuple) -> bool:
        """Whether `data` (and the scenario's and engine's names) are the kept table's, its
        values aside: the same columns, dtypes and elements."""
        if self.frame is None or names != self.names:
            return False
        kept = self.data
        return all(
            c == "value" or (a.dtype == kept[c].dtype and a.shape == kept[c].shape and np.array_equal(a, kept[c]))
            for c, a in data.items()
        )

    def __call__(self, data: dict[str, np.ndarray], scenario: str, engine: str) -> pd.DataFrame:
        names = (tuple(data), scenario, engine)
        if self.same(data, names):
            out = self.frame.copy()
            out["value"] = data["value"]
            self.used += 1
            return out
        out = pd.DataFrame(data)
        out.insert(0, "engine", engine)
        out.insert(0, "scenario", scenario)
        self.names, self.data, self.frame = names, data, out.copy()
        return out
