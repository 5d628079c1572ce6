"""The explorer's verdicts and targets met for a run of the expected engine, from a layout made
once (issue 18).

Without parameter draws, the view's verdict table (`simlib.report.verdict.verdict_table` of the
targets' named areas, with the households behind the margins) and its count of targets met
(`simlib.report.data.targets_met_in`) read each target row's projected value and nothing else
that changes from one allocation to the next: the rows, their order, thresholds, labels and
intervals (none with one draw) are those of the starting scenario's run. `VerdictLayout` makes the
table once with `verdict_table` itself, on targets whose values are their rows' positions (a
tracer), and keeps which target row and which households row each verdict row reads; a change then
fills in the values with the verdict's own arithmetic (the margin on the good side of the
threshold, met as `simlib.targets.met_by_margin` judges it, the margin in households = margin × households / 100
for the rate indicators), and counts the targets met in a year from the same rows. A run with
another layout (more than one draw, other rows) is judged by those functions themselves
(`Judge`). Equal bit for bit (tests/test_workbench_judged.py, against the report's functions).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from simlib.report import data as D
from simlib.report import verdict as V
from simlib.targets import margin, met_by_margin

#: the columns of a target table that say which row it is (the value, and whether it is met, aside)
TARGET_KEYS = ("target_id", "geo_type", "geo", "year", "draw", "indicator", "comparison", "threshold")


def named(targets: pd.DataFrame) -> pd.DataFrame:
    """The rows of the targets' named areas (the verdicts the view shows)."""
    return targets[targets["geo_type"] != "district"]


def households_rows(indicators: pd.DataFrame) -> dict | None:
    """{(geo, year): row} of the households indicator in `indicators` (one draw), None when an
    area and year has several rows (the verdict then averages them)."""
    h = indicators["indicator"].to_numpy() == "households"
    geo, year = indicators["geo"].to_numpy()[h], indicators["year"].to_numpy()[h]
    rows = {(str(g), int(y)): int(i) for g, y, i in zip(geo, year, np.flatnonzero(h))}
    return rows if len(rows) == int(h.sum()) else None


class VerdictLayout:
    """Where each row of the verdict table of `targets` (one draw) and `indicators` reads its
    value and households from."""

    def __init__(self, targets: pd.DataFrame, indicators: pd.DataFrame, households: dict):
        self.keys = {c: targets[c].to_numpy() for c in TARGET_KEYS}
        self.hh_keys = {c: indicators[c].to_numpy() for c in ("geo", "year", "indicator")}
        self.named = np.flatnonzero(targets["geo_type"].to_numpy() != "district")
        tracer = named(targets).copy()
        tracer["value"] = np.arange(len(tracer), dtype=float)
        self.table = V.verdict_table(tracer, indicators[indicators["indicator"] == "households"])
        self.rows = self.named[self.table["value"].to_numpy().astype(np.intp)]  # rows of `targets`
        t = self.table
        rate = t["indicator"].isin(V.RATE_INDICATORS).to_numpy()
        at = [households.get((str(g), int(y)), -1) if r else -1 for g, y, r in zip(t["geo"], t["year"], rate)]
        self.hh = np.asarray(at, dtype=np.intp)
        self.comparison = t["comparison"].to_numpy() if len(t) else np.zeros(0, object)
        self.threshold = t["threshold"].to_numpy(dtype=float)

    def fits(self, targets: pd.DataFrame, indicators: pd.DataFrame) -> bool:
        """Whether `targets` and `indicators` have the layout's rows."""
        same = lambda table, keys: all(  # noqa: E731
            len(table) == len(v) and np.array_equal(table[c].to_numpy(), v) for c, v in keys.items()
        )
        return same(targets, self.keys) and same(indicators, self.hh_keys)

    def verdicts(self, targets: pd.DataFrame, indicators: pd.DataFrame) -> pd.DataFrame:
        """`verdict_table(named(targets), households of indicators)` of tables that `fit`."""
        v = targets["value"].to_numpy()[self.rows]
        m = margin(v, self.threshold, self.comparison)
        status = np.where(met_by_margin(m, self.comparison), "met", "not_met").astype(object)
        values = indicators["value"].to_numpy()
        hh = np.where(self.hh >= 0, values[np.maximum(self.hh, 0)], np.nan)
        out = self.table.copy()
        out["value"], out["margin"] = v, m
        out["margin_households"] = np.where(np.isfinite(hh), m * hh / 100.0, np.nan)
        for c in ("status", "aggregate_status", "each_unit_status"):
            out[c] = status
        return out


def met_in(targets: pd.DataFrame, year: int) -> dict:
    """`simlib.report.data.targets_met_in(targets, year)` for a run of one draw: a target is met
    in a year when every row of it there is (`target_status`: the share of draws, one here)."""
    at = targets["year"].to_numpy() == year
    ids, met = targets["target_id"].to_numpy()[at], targets["met"].to_numpy(dtype=bool)[at]
    unit = targets["geo_type"].to_numpy()[at] == "district"

    def count(rows) -> tuple[int, int]:
        names = list(dict.fromkeys(ids[rows]))
        return sum(bool(met[rows][ids[rows] == n].all()) for n in names), len(names)

    every, total = count(np.ones(len(ids), dtype=bool))
    together, _ = count(~unit)
    return {
        "targets_met": every,
        "targets_total": total,
        "targets_met_together": together,
        "targets_with_units": len(set(ids[unit])),
    }


class Judge:
    """The verdicts and targets met of the runs of one view (no parameter draws), through the
    `VerdictLayout` of the first run that has one draw, made again when a run's rows differ."""

    def __init__(self):
        self.layout: VerdictLayout | None = None
        self.used = 0  # verdict tables filled in from a layout (tests read it)
        self.rows = None  # the rows' token of the tables the layout was last found to fit

    def verdicts(self, targets: pd.DataFrame, indicators: pd.DataFrame, rows=None) -> pd.DataFrame:
        """`verdict_table(named(targets), the households rows of indicators)`. `rows`: the same
        object for tables with the same rows (`simlib.workbench.project.Projection.rows`; None:
        not known), which the layout then fits without comparing them again."""
        known = rows is not None and self.rows is rows and self.layout is not None
        self.rows = None
        if not known and (self.layout is None or not self.layout.fits(targets, indicators)):
            households = households_rows(indicators)
            if targets["draw"].nunique() != 1 or households is None:
                hh = indicators[indicators["indicator"] == "households"]
                return V.verdict_table(named(targets), hh)
            self.layout = VerdictLayout(targets, indicators, households)
        self.used, self.rows = self.used + 1, rows
        return self.layout.verdicts(targets, indicators)

    @staticmethod
    def met_in(targets: pd.DataFrame, year: int) -> dict:
        """`simlib.report.data.targets_met_in(targets, year)`."""
        return met_in(targets, year) if targets["draw"].nunique() == 1 else D.targets_met_in(targets, year)
