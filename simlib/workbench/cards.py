"""The explorer's headline cards that need more than a number: the money of the year the planner
is looking at, the targets met."""

from __future__ import annotations

import math

from simlib import i18n
from simlib.i18n import fmt
from simlib.workbench.state import AMOUNT_DECIMALS


def money_card(state, year: int | None, lang: str) -> tuple[str, str, str]:
    """(title, value, note) of the card of money allocated: `year`'s total (the year the grid
    shows), or with every year shown (None) the mean of the projected years' totals, so the card
    never shows one year's money while the grid shows another's. A year's total has the decimals
    the total box shows (at least one: «712,0», «650,55» — it read «650,5» beside a box of
    «650,55»); a mean has one. `state` is the explorer's `AllocationState`. The view gives the
    card the class of the figures of the year shown (`grid.FIGURE_CLASS`): greyed while the grid
    switches to another year, until it shows that year's figure."""
    years = list(state.years[1:])
    if year is None and len(years) == 1:
        year = years[0]
    if year is None:
        vnd = sum(state.allocated_vnd(y) for y in years) / len(years)
        note = i18n.t("wb.card.mean_years", lang, y0=years[0], y1=years[-1])
        return i18n.t("wb.card.money", lang), fmt.billion_vnd(vnd, lang), note
    vnd, note = state.allocated_vnd(year), i18n.t("wb.card.year", lang, year=year)
    bn = round(vnd / 1e9, AMOUNT_DECIMALS)  # as the total box shows it (`grid.amount_text`)
    decimals = next(d for d in range(1, AMOUNT_DECIMALS + 1) if math.isclose(round(bn, d), bn, abs_tol=1e-9))
    return i18n.t("wb.card.money", lang), fmt.billion_vnd(vnd, lang, decimals), note


def targets_card(h: dict, lang: str, levels) -> tuple[str, str, str]:
    """Targets met in the last year (`h`: `simlib.workbench.compare.key_numbers`); both readings
    side by side when a target is judged for each poor unit too (the poor units together, each on
    its own: simlib.report.verdict). `levels` words the readings at the year's unit level."""
    n, y0, y1 = h["targets_total"], h["year_start"], h["year_end"]
    title = i18n.t("report.card.targets_met", lang, year=y1)
    if not h["targets_with_units"]:
        return title, f"{h['targets_met']}/{n}", i18n.t("report.card.years", lang, y0=y0, y1=y1)
    together, each = h["targets_met_together"], h["targets_met"]
    detail = levels.t_at("report.card.targets_readings", lang, y1, together=together, each=each, n=n)
    return title, f"{together}/{n} · {each}/{n}", detail
