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
its own (`ScoreLayout.fits`). A dated run's scorecard (each year judged against the targets in
force in it, `simlib.period_targets.evaluate_period_targets`) is a selection of rows too and takes
the same layout. The scorecards are equal bit for bit (tests/test_workbench_incremental.py and
tests/test_workbench_dated.py compare every change's with a run from scratch).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.memo import memoised
from simlib.period_changes import REBASE_COLUMNS
from simlib.period_targets import evaluate_period_targets
from simlib.targets import COMPARE, REBASE_KEYS, evaluate_targets, rebase_column

#: the columns of the view's indicator table that name a row (its value aside)
ROW_KEYS = ("scenario", "engine", "draw", "year", "geo_type", "geo", "indicator")


def judged(indicators: pd.DataFrame, doc: dict, poor_units, years=None, rebase=None, levels=None) -> pd.DataFrame:
    """The scorecard rows of `indicators`: the plan's targets `doc` every year
    (`simlib.targets.evaluate_targets`), or with `years` (a dated run) each year's targets in
    force (`simlib.period_targets.evaluate_period_targets`, `levels` its units' level by year);
    re-based by `rebase` (None: not)."""
    if years is None:
        return evaluate_targets(indicators, doc, list(poor_units), rebase=rebase)
    return evaluate_period_targets(indicators, years, list(poor_units), rebase=rebase, levels=levels)[0]


def no_rebasing() -> pd.DataFrame:
    """The re-basing table of a dated run crossing no change of standard that the model
    reclassifies (`simlib.runner.dated_changes`: empty; its scorecard still carries the columns)."""
    return pd.DataFrame(columns=REBASE_COLUMNS)


class ScoreLayout:
    """Where each row of `evaluate_targets(shown, doc, poor_units, rebase)` (with `years`, a
    dated run: `evaluate_period_targets(shown, years, poor_units, rebase=rebase)[0]`) takes its
    values from, for indicator tables with the rows of `shown`; `rebased`: whether the scorecard
    is re-based (a run crossing a change of standard, every dated run)."""

    def __init__(self, shown: pd.DataFrame, doc: dict, poor_units, rebased: bool, years=None, levels=None):
        self.keys = {c: shown[c].to_numpy() for c in ROW_KEYS}
        self.rebased, self.years = rebased, years
        tracer = shown.copy()
        tracer["value"] = np.arange(len(shown), dtype=float)
        if rebased:  # the columns `rebase_indicators` adds, so that the scorecard carries them
            tracer["rebase"], tracer["value_raw"], tracer["rebased"] = np.nan, tracer["value"], False
        self.table = judged(tracer, doc, poor_units, years, levels=levels)
        self.used = 0  # scorecards filled in (tests read it)
        self.empty = self.table.empty  # no row judged: the scorecard is made as the runner does
        if self.empty:
            return
        self.rows = self.table["value"].to_numpy().astype(np.intp)
        companion = self.table["poor_near_poor_value"].to_numpy()
        self.has_companion = ~np.isnan(companion)
        self.companion = np.where(self.has_companion, companion, 0.0).astype(np.intp)
        comparison = self.table["comparison"].to_numpy()
        self.compare = [(c, comparison == c) for c in COMPARE if (comparison == c).any()]
        self.threshold = self.table["threshold"].to_numpy()

    def fits(self, shown: pd.DataFrame, years=None) -> bool:
        """Whether `shown` has the layout's rows (names, draws, years, areas, indicators), judged
        by the same targets (`years`)."""
        return years == self.years and all(
            len(shown) == len(v) and np.array_equal(shown[c].to_numpy(), v) for c, v in self.keys.items()
        )

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


class RebaseRows:
    """`rebase_column(shown, table)` for the explorer's changes: the indicator rows are the
    layout's (`ScoreLayout`) and a re-basing table made again for each twin has the same keys, so
    each row's match in the table is found once (on the table's row positions, a tracer) and a
    change takes the points at them: the same values (found again when the keys differ)."""

    def __init__(self):
        self.layout, self.keys, self.dtypes, self.rows = None, None, None, None

    def column(self, layout: ScoreLayout, shown: pd.DataFrame, table: pd.DataFrame) -> np.ndarray:
        """`rebase_column(shown, table)` of a `shown` that `layout` fits."""
        keys = [table[k].to_numpy() for k in REBASE_KEYS]
        dtypes = (shown["draw"].dtype, shown["year"].dtype)
        same = (
            self.layout is layout
            and self.dtypes == dtypes
            and all(a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b) for a, b in zip(keys, self.keys))
        )
        if not same:
            tracer = table[REBASE_KEYS].assign(rebase=np.arange(len(table), dtype=float))
            at = rebase_column(shown, tracer)  # each row's position in the table (NaN: none)
            self.rows = np.where(np.isnan(at), -1, at).astype(np.intp)
            self.layout, self.keys, self.dtypes = layout, keys, dtypes
        points = table["rebase"].to_numpy(dtype=float)
        return np.where(self.rows >= 0, points[np.maximum(self.rows, 0)] if len(points) else np.nan, np.nan)


class Scorer:
    """The scorecards of the allocations of one starting scenario: its `ScoreLayout` (made at the
    first scorecard, made again when the rows differ) and the re-basing of each row for the
    last re-basing table's owner (the twin's engine output, on which that table is kept)."""

    def __init__(self):
        self.layout: ScoreLayout | None = None
        self.owner, self.points = None, None
        self.rebase_rows = RebaseRows()
        #: the layout the last scorecard was filled in from (None: made the runner's way): the
        #: same object for indicator tables with the same rows (`simlib.workbench.project.Projection.rows`)
        self.rows: ScoreLayout | None = None

    def scorecard(self, shown: pd.DataFrame, doc: dict, poor_units, rebase=None, owner=None, years=None, levels=None):
        """`evaluate_targets(shown, doc, poor_units, rebase=rebase())` (with `years`, a dated
        run: `evaluate_period_targets(shown, years, poor_units, rebase=rebase())[0]`);
        `rebase()`: the re-basing table (None: not re-based), the same while `owner` is (None:
        made again every time)."""
        rebased = rebase is not None
        if self.layout is None or self.layout.rebased != rebased or not self.layout.fits(shown, years):
            self.layout, self.owner = ScoreLayout(shown, doc, poor_units, rebased, years, levels), None
        self.rows = None if self.layout.empty else self.layout
        if self.layout.empty:  # its columns are those of an empty scorecard: the runner's own way
            return judged(shown, doc, poor_units, years, rebase() if rebased else None, levels)
        if rebased and (owner is None or self.owner is not owner):
            self.owner, self.points = owner, self.rebase_rows.column(self.layout, shown, rebase())
        return self.layout.targets(shown, self.points if rebased else None)


def scorer(start) -> Scorer:
    """The `Scorer` kept on the (what-if) starting scenario `start`."""
    return memoised(start, "wb_scorer", Scorer)
