"""A 2026–2035 content given capital it may not take is named as a content («nội dung C5.housing»,
"content C5.housing"), not as a 2021–2025 project («dự án …», the message of the 2021–2025
lines, which stays as it was).

The scenario is the bundled plan_2027 with investment capital added to C5.housing in 2027 (the
draft catalogue gives housing recurrent capital only, as P5); checked on the command line (exit
status 2, no traceback) in both languages, and on the 2021–2025 message of a line.
"""

from __future__ import annotations

import copy

import pytest
import yaml
from conftest import ROOT
from hostile_helpers import assert_user_error, cli

from simlib import i18n
from simlib.programmes import load_periods, load_programme_catalogue


def housing_capital() -> str:
    """The capital the catalogue in force in 2027 lets C5.housing take, read from its file."""
    period = next(p for p in load_periods()["catalogues"] if p.covers(2027))
    return ", ".join(load_programme_catalogue(period.file).capital("C5.housing"))


@pytest.fixture
def scenario(tmp_path):
    """plan_2027 (which names its dataset and legal frame, no paths) with 5 billion of central
    investment on C5.housing in 2027, in a temporary folder."""
    raw = yaml.safe_load((ROOT / "params/scenarios/plan_2027.yaml").read_text(encoding="utf-8"))
    raw = copy.deepcopy(raw)
    raw["budget"]["years"][2027]["contents"]["C5.housing"]["central_investment"] = 5.0
    path = tmp_path / "capital.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "lang,says,not_said",
    [
        (
            "vi",
            "nội dung C5.housing không dùng được nguồn vốn này; nguồn được phép: NSTW – vốn sự nghiệp (central_recurrent)",
            "dự án C5",
        ),
        (
            "en",
            "content C5.housing cannot be funded from this source; allowed sources: Central – recurrent (central_recurrent)",
            "line C5",
        ),
    ],
)
def test_capital_of_a_content_names_a_content(scenario, tmp_path, lang, says, not_said):
    assert housing_capital() == "recurrent"  # so central_recurrent is the one central source allowed
    code, text = cli("--lang", lang, "run", str(scenario), "--out", str(tmp_path / "out"))
    field = "budget.years.2027.contents.C5.housing.central_investment"
    assert_user_error(code, text, [field, says])
    assert not_said not in text
    assert not (tmp_path / "out").exists()


def test_the_2021_2025_message_still_says_project():
    assert i18n.t("err.capital", "vi", line="P2", sources="x").startswith("dự án P2 ")
    assert i18n.t("err.capital", "en", line="P2", sources="x").startswith("line P2 ")
