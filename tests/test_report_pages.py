"""Pages read as a reader would: plain names instead of file paths and raw keys (issue 16)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simlib import i18n
from simlib.report.compare import group_title, transitions_name

ESTIMATED = "params/calibrated/caobang_series/transitions.yaml"


def _group(transitions: str) -> list:
    return [SimpleNamespace(key=("states", transitions, 2024, 2025))]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_group_title_names_estimated_transitions_in_plain_words(lang):
    title = group_title(_group(ESTIMATED), lang)
    assert "/" not in title and ".yaml" not in title and "caobang_series" not in title
    # the bundled file records `calibration.method: series`: it says how the rates were estimated
    assert title.endswith(i18n.t("compare.group_transitions", lang, what=i18n.t("compare.transitions.series", lang)))


def test_group_title_of_bundled_transitions_adds_nothing():
    assert group_title(_group("params/transitions.yaml"), "vi") == group_title(_group("None"), "vi")


def test_unknown_transitions_file_is_named_generically(tmp_path):
    f = tmp_path / "my.yaml"
    f.write_text("meta: {version: x}\n", encoding="utf-8")
    assert transitions_name(str(f), "vi") == i18n.t("compare.transitions.file", "vi")
    assert transitions_name(str(tmp_path / "missing.yaml"), "en") == i18n.t("compare.transitions.file", "en")
