"""Pages read as a reader would: plain names instead of file paths and raw keys (issue 16)."""

from __future__ import annotations

import html as html_lib
import re
from types import SimpleNamespace

import pytest

from simlib import i18n
from simlib.paths import project_root
from simlib.report import baseline
from simlib.report.compare import group_title, transitions_name
from simlib.report.parameter_names import parameter_name, readable
from simlib.scenario import load_scenario
from simlib.uncertainty.space import scenario_space

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


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_parameter_labelled_by_its_key_gets_a_plain_name(lang):
    """The uncertainty space of the plan labels some parameters by their dotted key; every one of
    them has a plain name on pages, and rule texts carry no key."""
    space = scenario_space(load_scenario(project_root() / "params/scenarios/plan_2024.yaml"))
    raw = [k for k, lab in space.labels(lang).items() if lab == k]
    assert raw, "the space names no parameter by its key any more: this test can go"
    for key in raw:
        name = parameter_name(key, lang)
        assert name and "." not in name and "_" not in name, (key, name)
        text = readable(f"khi {key} > 0,5 và {key} < 0,9", lang)
        assert key not in text and name in text


def test_criteria_are_named_in_the_scenarios_order():
    key = "allocation.district_rules.statutory.criteria.1.points"
    assert i18n.t("report.param.criterion.poor_households", "en") in parameter_name(
        key, "en", ("households", "poor_households")
    )
    assert parameter_name("allocation.district_rules.statutory.criteria.9.points", "vi").count("10") == 1
    assert readable("no key here: P2.escape", "vi") == "no key here: P2.escape"


@pytest.fixture(scope="module")
def caobang():
    return baseline.load("caobang")


def _text(blocks) -> str:
    raw = "".join(b if isinstance(b, str) else "" for b in blocks)
    return html_lib.unescape(re.sub(r"<[^>]+>", "\n", raw))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_baseline_provenance_rows_are_named(caobang, lang):
    text = _text(baseline.provenance(caobang, lang))
    figures = list(baseline.provenance_frame(caobang)["figure"])
    assert figures, "the bundled units table has basis columns"
    for col in figures:
        assert baseline.figure_name(col, lang) != col, col
        assert f"\n{col}\n" not in text  # no raw column name as a row label
        assert f"\n{baseline.figure_name(col, lang)}\n" in text


def test_baseline_vietnamese_shows_no_english_method_or_notes(caobang):
    vi = _text(baseline.provenance(caobang, "vi"))
    en = _text(baseline.provenance(caobang, "en"))
    method = " ".join(str(caobang.meta["method"]).split())
    assert method[:40] in en and method[:40] not in vi
    sources = caobang.meta.get("sources", [])
    flat_vi, flat_en = " ".join(vi.split()), " ".join(en.split())
    notes = [" ".join(str(s["note"]).split()) for s in sources if s.get("note")]
    assert notes and all(n not in flat_vi for n in notes) and any(n in flat_en for n in notes)
    # a source's Vietnamese note (`note_vi`) is what the Vietnamese page shows in its place
    notes_vi = [" ".join(str(s["note_vi"]).split()) for s in sources if s.get("note_vi")]
    assert notes_vi and all(n not in flat_en for n in notes_vi) and any(n in flat_vi for n in notes_vi)
    for word in ("Estimated", "published", "households", "poor rate", "(expected)"):
        assert word not in vi, word
