"""Terms of ../shared/reference/glossary-vi.md where users read them: a target is «đạt / chưa chắc
đạt / không đạt» (never «chưa chắc» alone, as the report and scorecard say it), and a run — a
recorded output the user starts — is a «lượt chạy», not a «lần chạy» (which counts executions,
e.g. the optimiser's «lần chạy mô hình»)."""

from __future__ import annotations

import json

import pytest

from simlib import i18n
from tests.conftest import ROOT

VERDICT_KEYS = ("index.verdict",)
RUN_KEYS = ("err.units_switch_chunk", "err.units_switch_model", "err.output_collection_foreign")


def test_the_index_verdict_line_says_chưa_chắc_đạt():
    """The line starts the index's verdict cell, so it starts with a capital (brief61: «năm 2027:»
    began a line in lower case)."""
    text = i18n.t("index.verdict", "vi", year=2027, met=3, uncertain=1, not_met=0)
    assert text == "Năm 2027: đạt 3 · chưa chắc đạt 1 · không đạt 0"
    assert i18n.t("index.verdict", "en", year=2027, met=3, uncertain=1, not_met=0) == (
        "2027: met 3 · uncertain 1 · not met 0"
    )


@pytest.mark.parametrize("key", VERDICT_KEYS)
def test_every_index_verdict_count_says_chưa_chắc_đạt(key):
    text = i18n.t(key, "vi", year=2027, met=3, uncertain=1, not_met=0, areas="các huyện nghèo, các xã nghèo")
    assert "chưa chắc đạt 1" in text and "chưa chắc 1" not in text


@pytest.mark.parametrize("key", RUN_KEYS)
def test_a_run_is_a_lượt_chạy(key):
    text = i18n.t(key, "vi", files="a.csv")
    assert "lượt chạy" in text and "lần chạy" not in text


def test_the_uncertainty_notebook_calls_a_batch_a_lượt_chạy():
    cells = json.loads((ROOT / "notebooks" / "uncertainty.ipynb").read_text(encoding="utf-8"))["cells"]
    source = "".join("".join(c["source"]) for c in cells)
    assert "lượt chạy simlib batch" in source and "lần chạy" not in source
