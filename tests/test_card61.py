"""Two leftovers of lab61's year switch, checked through the widget API:

- the money card in the results kept the previous year's figure, not greyed, while the grid was
  busy showing another year (`AmountGrid.pending`): it now carries the class of the figures of
  the year shown (`grid.FIGURE_CLASS`), which lab61's stylesheet greys from the choice until the
  chosen year's amounts are shown, and then shows that year's figure;
- a refusal left on screen when the amount shown is retyped and the cell left with Tab or a
  click: not fixable with the widgets used (ipywidgets 8's text box sends the kernel nothing on
  blur, only `submit` on Enter) — nothing to test here.
"""

from __future__ import annotations

import re

import pytest

from simlib.i18n import fmt
from simlib.workbench.grid import BUSY_CLASS, EVERY_YEAR, FIGURE_CLASS
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
CELL = ("P3.1", "central_recurrent")  # 75 billion VND in 2024 and 2025 (plan_2024)


@pytest.fixture
def view(tmp_path):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), "en", tmp_path, debounce=0)


def _money_card(view) -> tuple[list[str], str, str]:
    """The money card as the cards widget holds it: (its classes, its figure, its note)."""
    found = re.findall(
        r'<div class="([^"]*)"><div class="k">Money allocated per year</div>'
        r'<div class="v">([^<]*)</div><div class="d">([^<]*)</div>',
        view.w["cards"].value,
    )
    assert len(found) == 1
    classes, value, note = found[0]
    return classes.split(), value, note


def _year_total(view, year: int) -> float:
    """The state's amounts of `year` summed, in billion VND (independent of the card's code)."""
    st = view.state
    return float(st.amounts()[st.years.index(year)].sum()) / 1e9


def test_the_money_card_is_greyed_while_a_year_switches_then_shows_that_year(view):
    grid = view.grid
    grid.year_control.value = 2025
    grid.cells[CELL].value = "70"  # 2025 only: the years' totals now differ
    grid.year_control.value = EVERY_YEAR
    mean = (_year_total(view, 2024) + _year_total(view, 2025)) / 2
    assert _year_total(view, 2025) == pytest.approx(_year_total(view, 2024) - 5)
    classes, value, note = _money_card(view)
    assert value == f"{fmt.number(mean, 'en', 1)} billion VND" and note == "mean of 2024–2025"
    pending = []
    grid.later = pending.append  # the kernel has not shown the chosen year yet (a loaded machine)
    grid.year_control.value = 2025
    assert grid.pending and BUSY_CLASS in grid.head._dom_classes
    classes, value, note = _money_card(view)
    assert FIGURE_CLASS in classes and "sl-card" in classes  # greyed by lab61's rule while busy
    assert note == "mean of 2024–2025"  # the figure of the year the cells still show
    css = view.w["style"].value
    assert f".sl-explorer:has(.{BUSY_CLASS}) .{FIGURE_CLASS}" in css  # the kernel's busy mark greys it
    assert f".sl-explorer:has(.sl-shown-0 option:nth-child(1):not(:checked)) .{FIGURE_CLASS}" in css  # the browser's
    pending.pop()()  # the chosen year's amounts are shown
    assert not grid.pending and BUSY_CLASS not in grid.head._dom_classes
    classes, value, note = _money_card(view)
    assert value == f"{fmt.number(_year_total(view, 2025), 'en', 1)} billion VND" and note == "year 2025"
    assert FIGURE_CLASS in classes  # the same card: greyed again by the next switch


def test_the_other_cards_are_not_greyed_by_a_year_switch(view):
    """Only the money card depends on the year shown; the projection's cards do not."""
    cards = re.findall(r'<div class="([^"]*)"><div class="k">', view.w["cards"].value)
    assert len(cards) == 5
    assert [FIGURE_CLASS in c.split() for c in cards] == [True, False, False, False, False]
