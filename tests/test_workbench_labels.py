"""The explorer's row labels are cut after a whole word, never inside one («… các đồn…» reads as
another name); the full name stays the row's tooltip. Expected labels are counted by hand."""

from __future__ import annotations

import pytest

from simlib.errors import InputError
from simlib.workbench.layout import MAX_LABEL, layout_for, shortened
from simlib.workbench.state import AllocationState
from tests.conftest import ROOT

#: 50 characters: «cho» ends at 31, «các» at 35, «đồn» at 39
NAME = "Trang bị thiết bị thông tin cho các đồn biên phòng"


def test_a_vietnamese_name_is_cut_after_a_whole_word():
    assert len(NAME) == 50
    # 38 characters before the «…» end inside «đồn»: the label stops after «các»
    assert shortened(NAME, 39) == "Trang bị thiết bị thông tin cho các…"
    # 29 characters end on the «c» of «cho»
    assert shortened(NAME, 30) == "Trang bị thiết bị thông tin…"
    # 35 characters end exactly after «các»
    assert shortened(NAME, 36) == "Trang bị thiết bị thông tin cho các…"
    assert shortened(NAME, 50) == NAME
    assert shortened("Đầu tư cơ sở vật chất, thiết bị", 24) == "Đầu tư cơ sở vật chất…"  # no «,…»


def test_a_trailing_dự_kiến_is_kept():
    name = NAME + " (dự kiến)"
    # 46 − len(" (dự kiến)") − 1 = 35 characters of the name: «… cho các»
    assert shortened(name, 46) == "Trang bị thiết bị thông tin cho các… (dự kiến)"
    assert shortened("Tăng cường (Quyết định 880/QĐ-TTg và các văn bản hướng dẫn)", 30) == "Tăng cường (Quyết định…"


def test_one_word_longer_than_the_width_is_cut_where_it_must():
    assert shortened("x" * 60, 10) == "x" * 9 + "…"


@pytest.mark.parametrize("year", [2025, 2027])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_grid_label_is_whole_words_of_its_name(year, lang):
    state = AllocationState.load(ROOT / "params" / "scenarios" / "plan_2027.yaml")
    for group in layout_for(state, year, lang).groups:
        for row in group.rows:
            name = row.name.split(": ", 1)[-1]  # a content's tooltip is «C5.housing: <name>»
            assert len(row.label) <= MAX_LABEL
            if row.label == name:
                continue
            head, _, suffix = row.label.partition("…")
            assert name.endswith(suffix)
            words, full = head.split(), name.split()
            assert words == full[: len(words)], (row.label, name)


def test_a_long_value_in_an_error_is_cut_after_a_whole_word():
    value = "Hỗ trợ " * 10 + "ở các đồn biên phòng"  # with its quote, 80 characters end in «đồn»
    text = InputError("unknown_key", file="a.yaml", value=value).message("vi")
    assert "giá trị: '" + "Hỗ trợ " * 10 + "ở các…)" in text
