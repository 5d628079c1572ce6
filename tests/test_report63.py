"""report63: the scenario report's answer (and every other count of verdicts of a scenario: its
card, the brief's plan sentence and each-unit reading) without parameter draws says the targets met
and not met by the central projection and that how sure it is was not assessed — as the index's
cell already did (test_lead62) — never «chưa chắc đạt 0» (uncertain 0), a count no draw computed.
With draws the three counts stay. Synthetic verdicts whose counts are worked out by hand
(`test_verdict_readings._run`)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from test_verdict_readings import _decision_run, _run

from simlib import i18n
from simlib.i18n import fmt
from simlib.report import answer
from simlib.report import brief_parts as BP
from simlib.report import compare as CP
from simlib.report import decision as DC
from simlib.report import decision_runs as DR
from simlib.report import html as H
from simlib.report import levels as LV
from simlib.report import scenario_report as R
from simlib.report import verdict as V
from simlib.report.decision import Run
from simlib.report.levels import Levels
from simlib.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]

UNCERTAIN = {"vi": "chưa chắc", "en": "uncertain"}


def _ctx(v, lang: str, level: str = "commune"):
    """A report context as the headline reads it: verdicts, language, the dataset's level, no
    draws (`uncertainty` None), a manifest without a period record."""
    return SimpleNamespace(
        verdicts=v,
        lang=lang,
        t=lambda k, **kw: i18n.t(k, lang, **kw),
        scenario=SimpleNamespace(dataset=SimpleNamespace(level=level), file=None),
        result=SimpleNamespace(manifest={}),
        uncertainty=None,
        draws_asked=0,
    )


def _plain(basis: str):
    """Two targets without units in 2027: the province's met (−2 ≤ −1), the poor units' not met
    (−2.5 > −3), every verdict on `basis`."""
    return _run(-2.5, {}).assign(basis=basis)


def _units(basis: str):
    """plan_2027's 2027 shape: met together (−3.2 ≤ −3), one poor commune of two short (−2.5)."""
    return _run(-3.2, {"a": -4.0, "b": -2.5}).assign(basis=basis)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_answer_without_draws_counts_met_and_not_met_by_the_central_projection(lang):
    parts = answer.verdict_parts(_ctx(_plain("projection"), lang))
    bold = parts[0]
    expected = {
        "vi": "Năm 2027 (năm của kế hoạch), theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn): "
        "đạt 1, không đạt 1 trong 2 chỉ tiêu.",
        "en": "2027 (the plan's year), by the central projection (how sure it is was not assessed): "
        "1 met, 1 not met of 2 targets.",
    }[lang]
    assert bold == expected
    assert UNCERTAIN[lang] not in " ".join(parts).replace("--uncertainty", "")  # the command's flag is no count
    # the note saying why (no draws were run) stays under the bold count (its words: brief64)
    assert parts[-1].startswith(i18n.t("report.verdict.no_draws_asked", lang).split(":")[0])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_answer_with_draws_keeps_the_three_counts(lang):
    parts = answer.verdict_parts(_ctx(_plain("probability"), lang))
    assert parts[0] == i18n.t("report.verdict.summary", lang, years="2027", met=1, uncertain=0, not_met=1, total=2)
    assert UNCERTAIN[lang] in parts[0]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_answer_of_both_readings_without_draws_on_communes(lang):
    bold = answer.verdict_parts(_ctx(_units("projection"), lang))[0]
    expected = {
        "vi": "Năm 2027 (năm của kế hoạch), theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn), tính chung "
        "cho các xã nghèo: đạt 2, không đạt 0 trong 2 chỉ tiêu; tính cho từng xã nghèo: đạt 1, không đạt 1.",
        "en": "2027 (the plan's year), by the central projection (how sure it is was not assessed), with the poor "
        "communes taken together: 2 met, 0 not met of 2 targets; with each poor commune judged on its own: "
        "1 met, 1 not met.",
    }[lang]
    assert bold == expected
    drawn = answer.verdict_parts(_ctx(_units("probability"), lang))[0]
    assert UNCERTAIN[lang] in drawn and "2" in drawn


def test_every_central_form_has_its_level_forms_and_no_uncertain_count():
    """A count text with a commune or switched form (`levels.COMMUNE_KEYS`, `SWITCHED_KEYS`) has
    one for its central form too, and no central form in either language counts «uncertain»."""
    for base, central in V.CENTRAL_KEYS.items():
        for table in (LV.COMMUNE_KEYS, LV.SWITCHED_KEYS):
            assert (base in table) == (central in table), (base, table is LV.SWITCHED_KEYS)
        forms = [central] + [t[central] for t in (LV.COMMUNE_KEYS, LV.SWITCHED_KEYS) if central in t]
        for key in forms:
            for lang in ("vi", "en"):
                text = i18n.t(key, lang)
                assert "{uncertain" not in text and UNCERTAIN[lang] not in text.lower(), (key, lang)
                assert "{met" in text and "{not_met" in text


def test_readings_across_a_switch_of_units_without_draws():
    """The crossing's readings over 2024 (districts) and 2027 (communes) take the switched form."""
    levels = Levels("district", used_by_year={2024: "district", 2027: "commune"})
    key = V.count_key(_units("projection"), "report.verdict.summary_readings")
    text = levels.t_over(
        key, "vi", [2024, 2027], years="2024, 2027", met=2, not_met=0, total=2, met_each=1, not_met_each=1
    )
    assert "theo dự báo trung tâm" in text and "chưa chắc" not in text and "từng huyện nghèo, từng xã nghèo" in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_headline_card_without_draws(lang):
    ((_, value, detail),) = R._verdict_cards(_ctx(_plain("projection"), lang))
    assert value == "1/2"
    assert (
        detail
        == {
            "vi": "theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn): đạt 1; không đạt 1",
            "en": "central projection (certainty not assessed): met 1; not met 1",
        }[lang]
    )
    ((_, _, drawn),) = R._verdict_cards(_ctx(_plain("probability"), lang))
    assert drawn == i18n.t("report.card.targets_verdict", lang, met=1, uncertain=0, not_met=1)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_brief_plan_sentence_and_each_commune_without_draws(lang):
    text = DC.plan_message([_decision_run(_units("projection"))], lang).html
    assert UNCERTAIN[lang] not in text
    together, each = {
        "vi": ("năm 2027, theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn), đạt 2, không đạt 0 trong 2 chỉ tiêu.",
               "nếu tính cho từng xã nghèo (văn bản giao chỉ tiêu chưa nói rõ cách tính nào), theo dự báo trung tâm: "
               "đạt 1, không đạt 1 trong 2 chỉ tiêu."),
        "en": ("in 2027, by the central projection (how sure it is was not assessed), 2 met, 0 not met of 2 targets.",
               "judging each poor commune on its own (the text setting the target does not say which is meant), by "
               "the central projection: 1 met, 1 not met of 2 targets."),
    }[lang]  # fmt: skip
    assert together in text and each in text
    drawn = DC.plan_message([_decision_run(_units("probability"))], lang).html
    assert UNCERTAIN[lang] in drawn


def test_brief_targets_message_without_draws_names_no_uncertain_count():
    """The brief's «targets in the plan's year» without draws (`central_targets_message`) adds the
    each-commune count of the allocation meeting most targets: central too."""
    text = DC.central_targets_message([_decision_run(_units("projection"))], 2027, "vi").html
    assert "chưa chắc" not in text and "theo dự báo trung tâm: đạt 1, không đạt 1 trong 2 chỉ tiêu" in text


# --- the brief's current-plan part and a reference allocation -----------------------------------


def _brief_run(name: str, role: str, rate: float, y0: int, y1: int, level: str, breaches=()):
    """A run as the brief reads it: `rate` the province poor rate in every year `y0`..`y1`, its
    last year counted on `level` units while communes are in force, its manifest's legal record
    holding the violations of the rules in `breaches` that the run let through."""
    ys = range(y0, y1 + 1)
    ind = pd.DataFrame({"indicator": "poor_rate", "geo": "province", "year": list(ys), "value": rate})
    periods = {"years": [{"year": y1, "geography": {"level_in_force": "commune", "units_used": level}}]}
    legal = {"ignored_violations": [{"rule": b, "year": y1} for b in breaches]}
    manifest = {"model": "multidim", "transitions": None, "periods": periods, "legal_after_switch": legal}
    tables = SimpleNamespace(
        name=name, title=lambda lang, n=name: n.upper(), manifest=manifest, indicators=ind, uncertainty=None
    )
    return Run(tables, _plain("projection").assign(year=y1), role, f"{name}/report.html")


def _batch(plan_rate: float = 19.37, crossing_rate: float = 19.24, reference_rate: float = 18.0):
    """plan_2027 and the crossing (same model and years, the crossing over the envelope), and a
    larger 2024 group on districts whose lowest rate is a reference allocation."""
    return [
        _brief_run("plan_2027", "plan", plan_rate, 2023, 2027, "commune"),
        _brief_run("crossing", "alternative", crossing_rate, 2023, 2027, "commune", breaches=("envelope",)),
        _brief_run("plan_2024", "plan", 19.06, 2023, 2025, "district"),
        _brief_run("equal", "reference", reference_rate, 2023, 2025, "district"),
        _brief_run("infra", "alternative", 19.02, 2023, 2025, "district"),
    ]


def test_rules_broken_reads_the_violations_let_through():
    runs = _batch()
    assert DR.rules_broken(runs[1]) == ["envelope"]
    assert DR.rules_broken(runs[0]) == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_current_plan_part_does_not_answer_with_a_run_over_the_legal_rules(lang):
    """crossing_2024_2027 had the lower 2027 rate of the current plan's group, so the part's box
    named it; it replays the 2024 budget over the 2026–2027 envelope (let through to show the
    changes), so it is no allocation to choose: the part answers with the plan alone (one
    allocation: no box, as the brief does for any single allocation) and says why the crossing is
    set aside, with its rate."""
    now, later = BP.parts(_batch(), lang)
    assert now.best is None  # nothing left to choose between: no box naming the crossing
    text = " ".join(m.html for m in now.messages)
    aside = [m for m in now.messages if "CROSSING" in m.html]
    assert len(aside) == 1 and aside[0].link == "crossing/report.html"
    rate = "19,24 %" if lang == "vi" else "19.24%"
    rule = i18n.t("legal.rule.envelope", lang)
    assert rate in aside[0].html and rule in aside[0].html
    assert "PLAN_2027" in text
    html_text = BP.parts_html([now, later], lang)
    answers = re.findall(r'<p class="sl-answer">(.*?)</p>', html_text, re.S)
    assert len(answers) == 1 and "CROSSING" not in answers[0]
    # a crossing that keeps the rules is still compared and can be the answer
    runs = _batch()
    runs[1].tables.manifest["legal_after_switch"] = {"ignored_violations": []}
    assert BP.parts(runs, lang)[0].best.name == "crossing"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_reference_first_is_said_to_be_a_reference_in_the_box(lang):
    ps = BP.parts(_batch(), lang)
    assert ps[1].best.name == "equal"  # ranks first on the central projection: kept so
    html_text = BP.parts_html(ps, lang)
    box = re.findall(r'<p class="sl-answer">(.*?)</p>', html_text, re.S)[-1]
    said = i18n.t("decision.answer_reference", lang, title=fmt.quote("EQUAL", lang))
    assert "EQUAL" in box and H.esc(said) in box
    # an alternative heading the group is not called a reference
    ps = BP.parts(_batch(reference_rate=19.5), lang)
    assert ps[1].best.name == "infra"
    box = re.findall(r'<p class="sl-answer">(.*?)</p>', BP.parts_html(ps, lang), re.S)[-1]
    assert H.esc(i18n.t("decision.answer_reference", lang, title=fmt.quote("INFRA", lang))) not in box
    assert "EQUAL" not in box


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_ranking_notes_name_the_reference_and_whether_it_ranks_first(lang):
    group = _batch()[2:]
    first = CP.reference_notes(group, "EQUAL", lang)
    assert first == [i18n.t("compare.reference_first", lang, title=fmt.quote("EQUAL", lang))]
    assert CP.reference_notes(group, "INFRA", lang) == [
        i18n.t("compare.reference", lang, title=fmt.quote("EQUAL", lang))
    ]
    rule = i18n.t("legal.rule.envelope", lang)
    assert CP.reference_notes(_batch()[:2], "CROSSING", lang) == [
        i18n.t("compare.rules_broken", lang, title=fmt.quote("CROSSING", lang), rules=rule)
    ]


def test_equal_split_is_a_reference():
    """equal_split is «a naive reference allocation» (its file): its role says so, and the
    scenario schema accepts it."""
    assert load_scenario(ROOT / "params/scenarios/equal_split.yaml").raw["role"] == "reference"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_list_of_targets_not_met_without_draws_is_not_headed_uncertain(lang):
    """The list under the answer named «không đạt hoặc chưa chắc đạt» (not met or not surely met)
    also without draws, where nothing was judged uncertain."""
    head = R.not_sure(_ctx(_plain("projection"), lang))[0]
    assert head == H.para(i18n.t("report.headline.not_met_central", lang))
    assert UNCERTAIN[lang] not in head.lower() and "not surely" not in head
    assert R.not_sure(_ctx(_plain("probability"), lang))[0] == H.para(i18n.t("report.headline.not_sure", lang))
