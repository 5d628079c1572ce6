"""The 90 % intervals the first screen writes next to a figure: over the parameter draws of the
uncertainty analysis and, for the cost per household lifted out, over the series fit's posterior
(`simlib.calibrate.intervals`), each named by its basis."""

from __future__ import annotations

import numpy as np

from simlib.i18n import fmt
from simlib.report.context import ReportContext


def interval(ctx: ReportContext, indicator: str, year: int, f, key: str = "report.interval90") -> str:
    """' (khoảng dự báo 90 %: a – b)' of an indicator over the parameter draws, or ''; `key` another
    template of {lo} and {hi} (the headline's '; khoảng dự báo 90 %: a – b', inside its parentheses)."""
    u = ctx.tables.uncertainty
    if not u or "quantiles" not in u:
        return ""
    q = u["quantiles"]
    q = q[(q["indicator"] == indicator) & (q["geo"] == "province") & (q["year"] == year)]
    if q.empty or not np.isfinite(q["q05"].iloc[0]):
        return ""
    return ctx.t(key, lo=f(q["q05"].iloc[0], ctx.lang), hi=f(q["q95"].iloc[0], ctx.lang))


def _whole(x: float, lang: str) -> str:
    return fmt.number(x, lang, 0)


def cost(ctx: ReportContext, year: int) -> str:
    """The cost card's interval: over the parameter draws and, when the scenario has a series fit
    (`simlib.calibrate.intervals`), over its posterior too, each named by its basis so that the
    two ranges are not read as one disagreeing with the other."""
    draws = interval(ctx, "cost_per_household_lifted", year, _whole)
    if ctx.intervals is None or not ctx.intervals.money:
        return draws
    row = ctx.intervals.row("cost_per_household_lifted")
    if int(row["year"]) != int(year) or not np.isfinite(row["q05"]):
        return draws
    fit = ctx.t("report.interval90_fit", lo=_whole(row["q05"], ctx.lang), hi=_whole(row["q95"], ctx.lang))
    if not draws:
        return fit
    return ctx.t("report.interval90_both", draws=draws.strip(" ()"), fit=fit.strip(" ()"))
