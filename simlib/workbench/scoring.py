"""The target scorecard of the explorer's changes, from a layout made once (issue 18).

Every allocation of one starting scenario gives an indicator table with the same rows (the view's
indicators, `simlib.workbench.project.shown_indicators`: the same draws, years, areas and
indicators in the same order; only the values differ), so `simlib.targets.evaluate_targets` selects
the same rows, joins the same companions and re-bases the same rows every time: about 20 ms of
pandas per change for a scorecard of about a hundred rows. `ScoreLayout` runs that function once,
on a table whose values are the rows' own positions (a tracer), and keeps where each scorecard row
and its companion take their values from; a change then only fills the values in, with the same
arithmetic (the re-based value = the projected value − the re-basing, `met` by the target's own
comparison, `simlib.targets.COMPARE`). A table whose rows are not the layout's gets a layout of
its own (`ScoreLayout.fits`). The scorecards are equal bit for bit
(tests/test_workbench_incremental.py compares every change's with a run from scratch).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.memo import memoised
from simlib.targets import COMPARE, evaluate_specs, rebase_column, target_specs

#: the columns of the view's indicator table that name a row (its value aside)
ROW_KEYS = ("scenario", "engine", "draw", "year", "geo_type", "geo", "indicator")


class ScoreLayout:
    """Where each row of `evaluate_targets(shown, doc, poor_units, rebase)` takes its values
    from, for indicator tables with the rows of `shown`; `rebased`: whether the scorecard is
    re-based (a run crossing a change of standard)."""

    def __init__(self, shown: pd.DataFrame, doc: dict, poor_units, rebased: bool):
        self.keys = {c: shown[c].to_numpy() for c in ROW_KEYS}
        self.rebased = rebased
        tracer = shown.copy()
        tracer["value"] = np.arange(len(shown), dtype=float)
        if rebased:  # the columns `rebase_indicators` adds, so that the scorecard carries them
            tracer["rebase"], tracer["value_raw"], tracer["rebased"] = np.nan, tracer["value"], False
        self.table = evaluate_specs(tracer, target_specs(doc), list(poor_units))
        self.rows = self.table["value"].to_numpy().astype(np.intp)
        companion = self.table["poor_near_poor_value"].to_numpy()
        self.has_companion = ~np.isnan(companion)
        self.companion = np.where(self.has_companion, companion, 0.0).astype(np.intp)
        comparison = self.table["comparison"].to_numpy()
        self.compare = [(c, comparison == c) for c in COMPARE if (comparison == c).any()]
        self.threshold = self.table["threshold"].to_numpy()
        self.used = 0  # scorecards filled in (tests read it)

    def fits(self, shown: pd.DataFrame) -> bool:
        """Whether `shown` has the layout's rows (names, draws, years, areas, indicators)."""
        return all(len(shown) == len(v) and np.array_equal(shown[c].to_numpy(), v) for c, v in self.keys.items())

    def targets(self, shown: pd.DataFrame, rebase: np.ndarray | None) -> pd.DataFrame:
        """The scorecard of `shown` (which `fits`); `rebase`: the re-basing of each of its rows
        in points (NaN: not re-based; `simlib.targets.rebase_column`), when the layout is `rebased`."""
        raw = shown["value"].to_numpy()
        value = raw if rebase is None else raw - np.where(np.isnan(rebase), 0.0, rebase)
        out = self.table.copy()
        v = value[self.rows]
        met = np.zeros(len(v), dtype=bool)
        for c, rows in self.compare:
            met[rows] = COMPARE[c](v[rows], self.threshold[rows])
        out["value"], out["met"] = v, met
        out["poor_near_poor_value"] = np.where(self.has_companion, value[self.companion], np.nan)
        if self.rebased:
            points = rebase[self.rows]
            out["value_raw"], out["rebase"], out["rebased"] = raw[self.rows], points, ~np.isnan(points)
        self.used += 1
        return out


class Scorer:
    """The scorecards of the allocations of one starting scenario: its `ScoreLayout` (made at the
    first scorecard, made again when the rows differ) and the re-basing of each row for the
    last re-basing table's owner (the twin's engine output, on which that table is kept)."""

    def __init__(self):
        self.layout: ScoreLayout | None = None
        self.owner, self.points = None, None

    def scorecard(self, shown: pd.DataFrame, doc: dict, poor_units, rebase=None, owner=None) -> pd.DataFrame:
        """`evaluate_targets(shown, doc, poor_units, rebase=rebase())`; `rebase()`: the re-basing
        table (None: not re-based), the same while `owner` is."""
        rebased = rebase is not None
        if self.layout is None or self.layout.rebased != rebased or not self.layout.fits(shown):
            self.layout, self.owner = ScoreLayout(shown, doc, poor_units, rebased), None
        if rebased and (self.owner is None or self.owner is not owner):
            self.owner, self.points = owner, rebase_column(shown, rebase())
        return self.layout.targets(shown, self.points if rebased else None)


def scorer(start) -> Scorer:
    """The `Scorer` kept on the (what-if) starting scenario `start`."""
    return memoised(start, "wb_scorer", Scorer)
