"""The explorer driven as a tired planner in JupyterLab (headless Chromium, stop 60) on
`plan_2027` and `crossing_2024_2027`; what it found, checked through the widget API:

- a scaled total left amounts of any float in the state while a cell showed them to 6 decimals
  («352,688172»): scaling now rounds each amount to the million đồng (the 1.000 đồng when the
  total typed is finer), the year's total kept exactly as typed;
- the total box showed 1 decimal whatever was typed («650,55» shown «650,5», beside cells of
  3 decimals): it shows the total as the cells show amounts; a total finer than 1.000 đồng is
  refused as an amount is; the money card of that year said «650,5» too: it says «650,55»;
- an emptied cell or total was refused saying «» is not accepted: it now says the cell is empty
  and how to remove the money (enter 0);
- `set_amount(1/3)` from code is refused (not rounded), the value written the local way;
- the «⏳» busy mark showed as an empty box in Chromium without an emoji font: a CSS ring now;
- at 1024 px a «–» cell shrank and moved a row's amounts under another source's header: every
  column keeps its width.
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from simlib import i18n
from simlib.workbench.grid import amount_text
from simlib.workbench.opening import opening_note
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
CROSSING = ROOT / "params" / "scenarios" / "crossing_2024_2027.yaml"
CELL = ("P3.1", "central_recurrent")


@pytest.fixture
def view(tmp_path):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), "vi", tmp_path, debounce=0)


def _decimals(text: str) -> int:
    return len(text.split(",")[1]) if "," in text else 0


def test_a_scaled_total_gives_amounts_to_the_million_and_the_total_as_typed(view):
    st = view.state
    before = st.amounts()
    view.w["total"].value = "700,5"
    assert view.input_problems == []
    after = st.amounts()
    for yi in range(1, len(st.years)):
        exact = before[yi] * 700.5e9 / before[yi].sum()  # independently: proportional scaling
        assert np.all(np.abs(after[yi] - exact) <= 1e6)  # each within a million đồng
        assert np.all(after[yi] % 1e6 == 0)  # ... and a whole number of millions
        assert after[yi].sum() == 700.5e9  # the total exactly as typed
        assert np.all((after[yi] > 0) == (before[yi] > 0))  # no money where there was none
    texts = [c.value for c in view.grid.cells.values()]
    assert max(_decimals(t) for t in texts) == 3 and "324,67" in texts  # 330 × 700,5 / 712 = 324,6699…
    # back to the plan's total: every source at its envelope again, not a hair above
    plan = {s: float(before[1, :, j].sum()) for j, s in enumerate(st.sources)}
    view.w["total"].value = "712"
    assert view.input_problems == [] and st.source_totals() == plan
    # 712 → 650,55 → 712 rounded the recurrent money up to 263,001 against its envelope of 263
    for total in ("650,55", "712"):
        view.w["total"].value = total
        assert view.input_problems == []
    assert st.source_totals() == plan and st.source_totals()["central_recurrent"] == st.envelope()["central_recurrent"]


def test_a_total_finer_than_a_million_keeps_the_thousand_dong(view):
    st = view.state
    view.w["total"].value = "650,5555"
    a = st.amounts()[1:]
    assert np.all(a % 1e3 == 0) and a.sum(axis=(1, 2)).tolist() == [650.5555e9] * 2
    assert max(_decimals(c.value) for c in view.grid.cells.values()) == 6


def test_a_year_total_of_a_dated_scenario_scales_that_year_only():
    st = AllocationState.load(CROSSING)
    before = st.amounts()
    assert st.set_total("600", 2026, "vi") == []
    after = st.amounts()
    y = st.years.index(2026)
    assert after[y].sum() == 600e9 and np.all(after[y] % 1e6 == 0)
    assert np.all(np.abs(after[y] - before[y] * 600e9 / before[y].sum()) <= 1e6)
    others = [i for i in range(len(st.years)) if i != y]
    np.testing.assert_array_equal(after[others], before[others])


def test_the_total_box_shows_the_total_as_typed_and_as_the_cells_add_up(view):
    view.w["total"].value = "650,55"
    assert view.w["total"].value == "650,55"  # was «650,5»
    cells = sum(view.state.amounts()[1].ravel())
    assert view.w["total"].value == amount_text(cells, "vi")
    view.grid.year_control.value = 2025
    assert view.w["total"].value == "650,55"
    view.grid.cells[CELL].value = "70,125"  # 2025: 650,55 − (P3.1 before) + 70,125
    expected = 650.55e9 - view.state.amount(*CELL, 2024) + 70.125e9
    assert view.w["total"].value == amount_text(expected, "vi")


def test_a_total_finer_than_a_saved_scenario_keeps_is_refused(view):
    before = view.state.amounts()
    view.w["total"].value = "650,1234567"
    np.testing.assert_array_equal(view.state.amounts(), before)
    assert [p.key for p in view.input_problems] == ["wb.problem.total_unit"]
    assert "0,000001 tỷ đồng (1.000 đồng)" in view.w["problems"].value


def test_an_emptied_cell_or_total_says_it_is_empty_and_how_to_remove_the_money(view):
    before = view.state.amounts()
    cell = view.grid.cells[CELL]
    cell.value = "   "
    np.testing.assert_array_equal(view.state.amounts(), before)
    shown = html.unescape(view.w["problems"].value).replace("\xa0", " ")  # the page keeps «NSTW – …» together
    source = i18n.label("source", CELL[1], "vi")
    assert f"Ô vốn của P3.1 ({source}) để trống; muốn bỏ khoản vốn này, hãy nhập 0." in shown
    assert "«»" not in shown and cell.value == "75"
    view.w["total"].value = ""
    assert "Ô tổng vốn của năm để trống" in html.unescape(view.w["problems"].value)
    np.testing.assert_array_equal(view.state.amounts(), before)
    en = AllocationState.load(PLAN).set_amount(*CELL, "", lang="en")[0].message("en")
    source = i18n.label("source", CELL[1], "en")
    assert en == f"The cell for P3.1 ({source}) is empty; to remove this money, enter 0."


def test_a_code_call_with_finer_money_is_refused_in_the_local_way():
    st = AllocationState.load(PLAN)
    problems = st.set_amount(*CELL, 1 / 3, lang="vi")
    assert st.unchanged and [p.key for p in problems] == ["wb.problem.amount_unit"]
    assert "«0,3333333333333333»" in problems[0].message("vi")  # was «0.3333333333333333»
    assert "'0.3333333333333333'" in st.set_amount(*CELL, 1 / 3, lang="en")[0].message("en")
    assert st.set_amount(*CELL, round(1 / 3, 6)) == []
    assert st.amount(*CELL, 2024) == pytest.approx(333_333_000, abs=1e-3)


def test_the_working_marks_need_no_emoji_font(view):
    emoji = re.compile("[\u2300-\u23ff\U0001f000-\U0001ffff]")  # ⏳ (U+23F3) showed as a box
    note = opening_note("vi")
    busy = view.w["busy"].value
    assert not emoji.search(busy) and not emoji.search(note)
    assert 'class="sl-wait"' in busy and 'class="sl-wait"' in note
    assert "@keyframes sl-wait-turn" in view.w["style"].value and "@keyframes sl-wait-turn" in note
    assert busy.endswith(i18n.t("wb.busy", "vi"))


def test_the_money_card_of_a_year_says_the_total_the_box_shows(view):
    view.grid.year_control.value = 2024
    view.w["total"].value = "650,55"
    assert view.w["total"].value == "650,55"
    assert "650,55 tỷ đồng" in view.w["cards"].value.replace("\xa0", " ")  # was «650,5» (650,55 is 650,549…)
    view.w["total"].value = "712"
    assert "712,0 tỷ đồng" in view.w["cards"].value.replace("\xa0", " ")  # a whole total keeps one decimal
    view.grid.year_control.value = 2025
    view.w["total"].value = "650,55"
    view.grid.year_control.value = 0  # every year: their mean, one decimal
    assert f"{(712 + 650.55) / 2:.1f} tỷ đồng".replace(".", ",") in view.w["cards"].value.replace("\xa0", " ")


def test_every_column_of_the_grid_keeps_its_width_in_a_narrow_notebook():
    """At 1024 px a «–» cell (a content that does not take a source) shrank to its dash and moved
    the row's amounts one column left, under another source's header (crossing_2024_2027, 2027):
    every column of every row (headers, cells, «–», totals, envelope) now has a fixed width."""
    from simlib.workbench.grid import CELL_WIDTH, AmountGrid

    grid = AmountGrid(AllocationState.load(CROSSING), "en", lambda problems: None)
    for year in (0, 2027):  # the 2021–2025 lines, the 2026–2035 contents
        grid.year_control.value = year
        rows = [r for r in grid.box.children if len(getattr(r, "children", ())) == 1 + len(grid.state.sources)]
        dashes = [c for r in rows[1:-2] for c in r.children[1:] if type(c).__name__ == "HTML"]
        assert len(rows) >= 10 and (len(dashes) > 0) == (year == 2027)
        for row in rows:
            for col in row.children[1:]:
                assert (col.layout.width, col.layout.flex) == (CELL_WIDTH, "0 0 auto")
