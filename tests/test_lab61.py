"""The explorer driven in JupyterLab (headless Chromium, stop 61) on the commune scenarios; what it
found, checked through the widget API:

- on a loaded machine, after another year was chosen the grid kept showing the previous year's
  amounts for over 2 s with no busy mark, and a cell typed then went to the new year: until the
  chosen year's amounts are shown the grid is now busy (the CSS ring beside the year control,
  the cells greyed then hidden, taking no click nor keyboard — drawn by the browser from the
  choice on) and a value
  typed meanwhile is refused, put in no year;
- a refusal of the legal frame named the money it counts (a source's total against its
  envelope), not the cell typed: it now says the cell, its source, the year(s) and the value;
- retyping the amount a cell shows after a refusal (the browser sends no new value, only Enter)
  left the refusal on screen: Enter clears it;
- «70,5» in the English view was refused with no word about the decimal point: it now says to
  enter «70.5» (the Vietnamese view is unchanged).
"""

from __future__ import annotations

import html

import numpy as np
import pytest

from simlib import i18n
from simlib.workbench.grid import BUSY_CLASS, EVERY_YEAR
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
CELL = ("P3.1", "central_recurrent")  # 75 billion VND in 2024 and 2025 (plan_2024)


def _view(tmp_path, lang):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), lang, tmp_path, debounce=0)


@pytest.fixture
def view(tmp_path):
    return _view(tmp_path, "vi")


@pytest.fixture
def view_en(tmp_path):
    return _view(tmp_path, "en")


def _shown(view) -> str:
    return html.unescape(view.w["problems"].value).replace("\xa0", " ")


def _enter(widget) -> None:
    """What the browser sends on Enter in a text box (ipywidgets' `submit` message)."""
    widget._handle_custom_msg({"event": "submit"}, [])


def test_a_year_switch_is_busy_and_takes_no_typing_until_its_amounts_are_shown(view):
    grid, st = view.grid, view.state
    pending = []
    grid.later = pending.append  # the kernel has not shown the chosen year yet (a loaded machine)
    before = st.amounts()
    cell = grid.cells[CELL]
    assert cell.value == "75" and BUSY_CLASS not in grid.head._dom_classes
    grid.year_control.value = 2025
    assert len(pending) == 1 and grid.pending
    assert BUSY_CLASS in grid.head._dom_classes  # the ring shows, the cells are greyed (CSS)
    assert grid.year is None and cell.value == "75"  # the cells still show every year's
    cell.value = "70"  # typed in that window
    np.testing.assert_array_equal(st.amounts(), before)  # taken for no year
    assert [p.key for p in view.input_problems] == ["wb.problem.year_pending"]
    assert "Chưa nhận «70» cho P3.1" in _shown(view) and "chuyển sang năm 2025" in _shown(view)
    assert "was not taken: the grid is switching to year 2025" in view.input_problems[0].message("en")
    assert cell.value == "75"  # the cell shows the amount the state holds again
    view.w["total"].value = "600"  # the yearly total too
    np.testing.assert_array_equal(st.amounts(), before)
    assert [p.key for p in view.input_problems] == ["wb.problem.total_pending"]
    pending.pop()()  # the chosen year's amounts are shown
    assert not grid.pending and grid.year == 2025 and BUSY_CLASS not in grid.head._dom_classes
    assert "sl-shown-2" in grid.head._dom_classes and "sl-shown-0" not in grid.head._dom_classes
    cell.value = "70"  # now it goes to the year shown, 2025 only
    expected = before.copy()
    expected[st.years.index(2025), st.items.index(CELL[0]), st.sources.index(CELL[1])] = 70e9
    np.testing.assert_array_equal(st.amounts(), expected)


def test_choosing_back_the_year_shown_ends_the_busy_mark(view):
    grid = view.grid
    pending = []
    grid.later = pending.append
    grid.year_control.value = 2024
    grid.year_control.value = EVERY_YEAR  # back before 2024 was shown: nothing to wait for
    assert not grid.pending and BUSY_CLASS not in grid.head._dom_classes
    for show in pending:
        show()
    assert grid.year is None and "sl-shown-0" in grid.head._dom_classes


def test_the_browser_greys_the_grid_from_the_choice_until_the_kernel_answers(view):
    """The stylesheet compares the option chosen in the year control with the one whose amounts
    the cells show (`sl-shown-K`), one rule per option: nothing waits for the kernel."""
    css = view.w["style"].value
    for k in range(len(view.grid.year_control.options)):
        assert f".sl-explorer:has(.sl-shown-{k} option:nth-child({k + 1}):not(:checked)) .sl-grid-wait" in css
    assert f".sl-explorer:has(.{BUSY_CLASS}) :is(.sl-amount, .sl-total) input" in css
    assert "sl-explorer" in view.w["box"]._dom_classes and "sl-total" in view.w["total"]._dom_classes
    assert all("sl-amount" in c._dom_classes for c in view.grid.cells.values())
    figures = [*view.grid.totals.values(), *view.grid.limits.values(), *view.grid.shares.values()]
    assert all("sl-year-figure" in w._dom_classes for w in figures)  # greyed beside the cells


def test_a_legal_refusal_names_the_cell_typed_in_both_languages(view, view_en):
    source_vi, source_en = (i18n.label("source", CELL[1], lg) for lg in ("vi", "en"))
    view.grid.cells[CELL].value = "900"  # every year: 1.088 > 263 of recurrent money
    shown = _shown(view)
    assert (
        shown.index(f"Ô vừa nhập: «900» tỷ đồng cho P3.1 – Hỗ trợ phát triển sản xuất trong lĩnh… ({source_vi})") >= 0
    )
    assert "mọi năm dự báo (2024, 2025)." in shown
    assert shown.index("Ô vừa nhập") < shown.index("Không nhận thay đổi — quy định «dự toán vốn trung ương")
    view_en.grid.year_control.value = 2025
    view_en.grid.cells[CELL].value = "900"
    shown = _shown(view_en)
    assert "The cell typed: “900” billion VND for P3.1 – Agricultural production support" in shown
    assert f"({source_en}), year 2025." in shown
    assert "Year 2025: Central – recurrent allocated 1,088 billion VND" in shown
    assert "Year 2024" not in shown


def test_retyping_the_amount_shown_after_a_refusal_clears_it(view):
    calm = view.w["problems"].value  # what the validators say of the starting scenario
    cell = view.grid.cells[CELL]
    cell.value = "900"
    assert view.input_problems and view.w["problems"].value != calm and cell.value == "75"
    cell.value = "75"  # the amount shown typed again: no change reaches the kernel...
    assert view.input_problems
    _enter(cell)  # ... but Enter does
    assert view.input_problems == [] and view.w["problems"].value == calm
    view.w["total"].value = "bảy trăm"
    assert view.input_problems
    _enter(view.w["total"])
    assert view.input_problems == [] and view.w["problems"].value == calm
    _enter(cell)  # Enter before a new value: the value is checked as ever
    cell.value = "900"
    assert [p.key for p in view.input_problems] == ["wb.problem.refused"] * 2


def test_a_decimal_comma_in_the_english_view_says_to_use_a_point(view_en):
    before = view_en.state.amounts()
    view_en.grid.cells[CELL].value = "70,5"
    np.testing.assert_array_equal(view_en.state.amounts(), before)
    assert "in the English view the decimal separator is a point: enter “70.5”" in _shown(view_en)
    view_en.w["total"].value = "1.234,5"
    assert "The total “1.234,5” is written with a Vietnamese decimal comma" in _shown(view_en)
    assert "enter “1,234.5”" in _shown(view_en)
    view_en.grid.cells[CELL].value = "70.5"  # as the hint says
    assert view_en.input_problems == [] and view_en.state.amount(*CELL, 2025) == 70.5e9
    # «70,500» is a number in English (seventy thousand five hundred): refused by the envelope, no hint
    st = AllocationState.load(PLAN)
    assert {p.key for p in st.set_amount(*CELL, "70,500", lang="en")} == {"wb.problem.refused"}
    # the Vietnamese view keeps its way: «70.5» is no number there, «70,5» is
    assert [p.key for p in st.set_amount(*CELL, "70.5", lang="vi")] == ["wb.problem.amount"]
    assert [p.key for p in st.set_total("700.5", lang="vi")] == ["wb.problem.total"]
    assert st.set_amount(*CELL, "70,5", lang="vi") == [] and st.amount(*CELL, 2024) == 70.5e9
