"""The explorer driven in JupyterLab (headless Chromium, stop 63); what it found, checked through
the widget API:

- a refusal stayed on screen after the planner left the refused box with the amount shown (Tab
  or a click elsewhere; only Enter cleared it): the box is now marked and the page's script says
  when it is left (`simlib.workbench.leaving`), which clears the refusal still on screen — not a
  newer one, and not the refusal of a value refused as the box was left;
- in the 0.15 s after another year was chosen, the cells still showed the previous year's
  amounts, greyed but taking the keyboard: a Tab and a number typed then went into a cell of the
  year left. The cells are now hidden from the choice on (`stale_css`).
"""

from __future__ import annotations

import html
import re

import pytest

from simlib.workbench.grid import BUSY_CLASS
from simlib.workbench.leaving import LEFT_CLASS, REFUSAL_PREFIX, REFUSED_CLASS, WATCH_JS
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
CELL = ("P3.1", "central_recurrent")  # 75 billion VND in 2024 and 2025 (plan_2024)
OTHER = ("P1.1", "central_investment")


@pytest.fixture
def view(tmp_path):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), "vi", tmp_path, debounce=0)


def _shown(view) -> str:
    return html.unescape(view.w["problems"].value).replace("\xa0", " ")


def _marks(widget) -> set[str]:
    return {c for c in widget._dom_classes if c == REFUSED_CLASS or c.startswith(REFUSAL_PREFIX)}


def _left(view, widget) -> None:
    """What the page's script sends when the focus leaves `widget` (`WATCH_JS`): the refusal's
    number its classes carry, then the time."""
    number = next((c[len(REFUSAL_PREFIX) :] for c in widget._dom_classes if c.startswith(REFUSAL_PREFIX)), None)
    if number is not None and REFUSED_CLASS in widget._dom_classes:
        view.refusal.widget.value = f"{number} 1765100000000"


def test_leaving_the_refused_cell_with_the_amount_shown_clears_its_refusal(view):
    calm = view.w["problems"].value  # what the validators say of the starting scenario
    cell, other = view.grid.cells[CELL], view.grid.cells[OTHER]
    _left(view, cell)  # leaving a box with no refusal says nothing
    assert view.w["problems"].value == calm and not _marks(cell)
    cell.value = "900"  # refused: the cell shows 75 again, the refusal names it
    assert "Ô vừa nhập: «900»" in _shown(view) and cell.value == "75"
    assert _marks(cell) == {REFUSED_CLASS, f"{REFUSAL_PREFIX}1"} and not _marks(other)
    _left(view, other)  # another box left: the refusal stays
    assert "Ô vừa nhập: «900»" in _shown(view)
    _left(view, cell)  # the refused cell left with the amount shown (Tab or a click elsewhere)
    assert view.input_problems == [] and view.w["problems"].value == calm and not _marks(cell)
    _left(view, cell)  # left again: nothing more to clear
    assert view.w["problems"].value == calm


def test_a_value_refused_as_the_cell_is_left_stays_on_screen(view):
    """The browser sends a changed value before the focus leaves (`change` before `focusout`):
    the page's word names the refusal it saw, older than the one the value makes."""
    cell = view.grid.cells[CELL]
    cell.value = "900"
    page_saw = set(cell._dom_classes)  # the classes the page holds as the planner types 950 and Tabs
    cell.value = "950"  # sent first: refused, refusal 2
    assert "Ô vừa nhập: «950»" in _shown(view) and f"{REFUSAL_PREFIX}2" in cell._dom_classes
    number = next(c[len(REFUSAL_PREFIX) :] for c in page_saw if c.startswith(REFUSAL_PREFIX))
    view.refusal.widget.value = f"{number} 1765100000001"  # then the leaving, of refusal 1
    assert "Ô vừa nhập: «950»" in _shown(view)  # refusal 2 stays, to be read
    _left(view, cell)
    assert view.input_problems == []


def test_the_total_box_is_marked_and_cleared_as_a_cell_and_a_new_value_unmarks(view):
    calm, total, cell = view.w["problems"].value, view.w["total"], view.grid.cells[CELL]
    total.value = "bảy trăm"
    assert view.input_problems and _marks(total) == {REFUSED_CLASS, f"{REFUSAL_PREFIX}1"}
    _left(view, total)
    assert view.input_problems == [] and view.w["problems"].value == calm and not _marks(total)
    cell.value = "900"
    assert _marks(cell)
    view.grid.cells[OTHER].value = "1"  # a value taken elsewhere: its outcome replaces the refusal
    assert view.input_problems == [] and not _marks(cell)
    cell.value = "900"
    cell._handle_custom_msg({"event": "submit"}, [])  # Enter clears the refusal and its mark
    assert view.input_problems == [] and not _marks(cell)


def test_the_page_script_finds_the_boxes_the_kernel_marks(view):
    assert view.refusal.widget in view.w["box"].children and LEFT_CLASS in view.refusal.widget._dom_classes
    assert view.refusal.widget.layout.display == "none" and "sl-explorer" in view.w["box"]._dom_classes
    for name in (f"'.{REFUSED_CLASS}'", f"'{REFUSAL_PREFIX}'", f"'.{LEFT_CLASS} input'", "'.sl-explorer'"):
        assert name in WATCH_JS
    assert f"mark.slice({len(REFUSAL_PREFIX)})" in WATCH_JS and "'focusout'" in WATCH_JS


def test_a_year_switch_hides_the_cells_at_once(view):
    """From the choice on, no box of the year left takes a keystroke: hidden (Tab passes it by,
    Chromium takes the focus from it) with no delay."""
    css = view.w["style"].value
    rules = re.findall(r"([^{}]*:is\(\.sl-amount, \.sl-total\) input[^{}]*)\{([^}]*)\}", css)
    assert len(rules) == 1
    selectors, body = rules[0]
    assert f".sl-explorer:has(.{BUSY_CLASS}) :is(.sl-amount, .sl-total) input" in selectors
    for k in range(len(view.grid.options)):
        assert f".sl-shown-{k} option:nth-child({k + 1}):not(:checked)) :is(.sl-amount" in selectors
    assert "visibility: hidden" in body and "transition" not in body and "pointer-events: none" in body
