"""Leftovers of driving the explorer as a planner (stop 59), checked through the widget API:

- «0,0001» typed in a cell was kept (100.000 đồng) but the cell showed «0»: a cell now shows the
  amount to the 1.000 đồng a saved scenario keeps (6 decimals of a billion), and refuses money
  finer than that (it would be rounded away on saving), saying so;
- a yearly total refused for every projected year repeated the same legal citation once per
  year and source: the citation is now said once, above every breach it applies to;
- nothing said that amounts not saved are lost when the kernel restarts: a note near the save
  button says so while there are unsaved changes, cleared on saving;
- «7 00» was read as 700 (spaces were dropped): a space is now taken only as the thousands
  separator between groups of three digits («7 000», «1 234,5»), and the message says so.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from simlib import i18n
from simlib.compliance import check_allocation
from simlib.workbench.grid import amount_text
from simlib.workbench.state import AllocationState, parse_number
from tests.conftest import ROOT

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"
UNSAVED = {lg: i18n.t("wb.unsaved", lg) for lg in i18n.LANGS}


@pytest.fixture(scope="module")
def view(tmp_path_factory):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(PLAN), "vi", tmp_path_factory.mktemp("saved"), debounce=0)


def _cell(view):
    item, src = "P3.1", "central_recurrent"
    return item, src, view.grid.cells[(item, src)]


def test_a_tiny_amount_typed_is_shown_as_kept_not_as_zero(view):
    item, src, cell = _cell(view)
    cell.value = "0,0001"
    assert view.input_problems == []
    for y in view.state.years[1:]:
        assert view.state.amount(item, src, y) == pytest.approx(0.0001 * 1e9)  # 100.000 đồng
    assert cell.value == "0,0001"
    assert amount_text(1e5, "en") == "0.0001" and amount_text(1_000, "vi") == "0,000001"
    assert amount_text(330e9, "vi") == "330" and amount_text(12.5e9, "vi") == "12,5"


def test_money_finer_than_a_saved_scenario_keeps_is_refused_saying_so(view):
    item, src, cell = _cell(view)
    before = view.state.amounts()
    cell.value = "0,0000001"  # 100 đồng: a saved file (6 decimals of a billion) would write 0
    np.testing.assert_array_equal(view.state.amounts(), before)
    assert [p.key for p in view.input_problems] == ["wb.problem.amount_unit"]
    assert "0,000001 tỷ đồng (1.000 đồng)" in view.w["problems"].value
    assert cell.value == amount_text(before[1, view.state.items.index(item), view.state.sources.index(src)], "vi")


def test_a_refused_total_says_each_citation_once_and_lists_every_breach(view):
    st = view.state
    before = st.amounts()
    view.w["total"].value = "99.999"
    np.testing.assert_array_equal(st.amounts(), before)
    # independently: the breaches of every projected year scaled to 99.999 billion
    scaled = before.copy()
    for yi in range(1, len(st.years)):
        scaled[yi] *= 99_999e9 / scaled[yi].sum()
    breaches = check_allocation(st.base.replace_budget(scaled))
    assert len(breaches) >= 2 and len({(v.rule, v.basis.vi) for v in breaches}) < len(breaches)
    html = view.w["problems"].value.replace("\xa0", " ")  # the page keeps a number with its unit
    for v in breaches:
        rule = i18n.t(f"legal.rule.{v.rule}", "vi")
        assert html.count(f"«{rule}», căn cứ: {v.basis.vi}") == 1  # each citation once
        assert v.message("vi").split(" — ")[0] in html  # every breach listed
    assert html.count("<li>") == len({(v.rule, v.basis.vi) for v in breaches})


def test_a_note_says_unsaved_changes_are_lost_on_a_restart_until_saved(view):
    note = view.unsaved.widget
    item, src, cell = _cell(view)
    cell.value = "70"
    assert UNSAVED["vi"] in note.value
    view.w["title_vi"].value = "Thử lưu lab59b"
    assert view.save() is not None
    assert note.value == ""
    cell.value = "71"
    assert UNSAVED["vi"] in note.value
    cell.value = "70"  # back to the amounts saved: nothing to lose
    assert note.value == ""


@pytest.mark.parametrize(
    "text, lang, value",
    [
        ("7 000", "vi", 7000.0),
        ("1 234,5", "vi", 1234.5),
        ("12 345 678", "vi", 12345678.0),
        ("7\u00a0000", "vi", 7000.0),
        ("1 234.5", "en", 1234.5),
        (" 712 ", "vi", 712.0),
        ("7 00", "vi", None),
        ("70 0", "vi", None),
        ("1 2345", "vi", None),
        ("7  000", "vi", None),
        ("1 234.5", "vi", None),
        ("7 00", "en", None),
    ],
)
def test_a_space_is_only_a_thousands_separator(text, lang, value):
    assert parse_number(text, lang) == value


def test_a_refused_spaced_number_names_the_accepted_forms(view):
    item, src, cell = _cell(view)
    before = view.state.amounts()
    cell.value = "7 00"
    np.testing.assert_array_equal(view.state.amounts(), before)
    text = view.w["problems"].value
    assert "«7 00»" in text and "1.234,5 hoặc 1 234,5" in text
    assert re.search(r"nhóm ba chữ số", text)
    assert "1 234.5" in i18n.t("wb.problem.amount", "en", item=item, value="7 00")
