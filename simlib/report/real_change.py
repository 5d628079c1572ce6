"""The average change a year of each unit's poor rate, read as the report judges its targets.

A review that applies a new poverty standard (2027) reclassifies every household: its poor rate
moves by the reclassification as well as by real movement. The plan's rate-change targets of
that year are judged on real change only (`simlib.targets.rebase_indicators`: the raw change −
the reclassification's points of `simlib.period_changes.reclassification_points`). The units'
tables (`simlib.report.trends.district_table`, `simlib.report.communes.ends_table`) read their
average change a year the same way when the run gives the reclassification of every unit
(`period_changes`, from the run's twin keeping the previous standard): the reclassification's
points are taken out of the change; else their header says that the change includes it. The
rates of each year are unchanged (a rate of 2027 is under the new standard).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.period_changes import reclassification_points


def standard_breaks(ind: pd.DataFrame) -> list[int]:
    """Projected years in which a new poverty standard applies (the `standard_changed` flag)."""
    if "standard_changed" not in set(ind["indicator"]):
        return []
    flag = ind[(ind["indicator"] == "standard_changed") & (ind["geo"] == "province")]
    return sorted(int(y) for y, v in flag.groupby("year")["value"].max().items() if v > 0)


@dataclass
class UnitChange:
    """How a span's change reads: `breaks` the reviews in it (after its first year) that apply a
    new standard; `points` per unit the reclassification's points of its poor rate at those
    reviews (summed), None when they are not known for every unit (the change then includes it)."""

    y0: int
    y1: int
    breaks: list[int] = field(default_factory=list)
    points: pd.Series | None = None

    @property
    def excluded(self) -> bool:
        return bool(self.breaks) and self.points is not None

    def per_year(self, unit: str, first: float, last: float, years: int) -> float:
        """(last − first − the unit's reclassification when taken out) / (`years` − 1); NaN for
        fewer than two years (no change to read)."""
        if years < 2:
            return np.nan
        recl = float(self.points.get(unit, 0.0)) if self.excluded else 0.0
        return (last - first - recl) / (years - 1)

    def header(self, lang: str) -> str:
        """The column's header: plain without a change of standard, else saying whether the
        reclassification is taken out or included."""
        key = "table.change_per_year"
        if self.breaks:
            key = "table.change_per_year_real" if self.excluded else "table.change_per_year_with_reclass"
        years = ", ".join(str(y) for y in self.breaks)
        return i18n.t(key, lang, y0=self.y0, y1=self.y1, years=years)

    def note(self, lang: str) -> str:
        """A line under the table saying how the change is read (empty without a change of standard)."""
        if not self.breaks:
            return ""
        key = "report.change_real_note" if self.excluded else "report.change_with_reclass_note"
        return i18n.t(key, lang, years=", ".join(str(y) for y in self.breaks))


def _flag(column: pd.Series) -> pd.Series:
    """A flag column as booleans, from a run in memory (bool) or a CSV read back ("True")."""
    return column.astype(str).str.lower().isin(("true", "1", "1.0"))


def unit_change(ctx, units, y0: int, y1: int) -> UnitChange:
    """The reading of the change from `y0` to `y1` of the report's `units` (see `UnitChange`):
    the reclassification's points from the run's `period_changes` (mean over draws), taken out
    only when every unit has them; a run whose model does not reclassify (the states model:
    `reclassification_modelled` false) has none to take out."""
    breaks = [y for y in standard_breaks(ctx.tables.indicators) if y0 < y <= y1]
    out = UnitChange(y0, y1, breaks)
    changes = getattr(getattr(ctx, "result", None), "period_changes", None)
    if not breaks or not isinstance(changes, pd.DataFrame) or changes.empty:
        return out
    changes = changes[changes["year"].astype(int).isin(breaks)].copy()
    for c in ("standard_changed", "reclassification_modelled"):
        changes[c] = _flag(changes[c])
    if changes.empty:
        return out
    if not changes["reclassification_modelled"].any():
        out.points = pd.Series(0.0, index=list(units))
        return out
    pts = reclassification_points(changes)
    pts = pts[(pts["indicator"] == "poor_rate_change") & (pts["geo_type"] == "district")]
    per_unit = pts.groupby(["geo", "year"])["rebase"].mean().groupby(level="geo").sum()
    per_unit.index = per_unit.index.astype(str)
    if set(map(str, units)) <= set(per_unit.index):
        out.points = per_unit
    return out
