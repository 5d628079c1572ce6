"""report63: the scenario report's answer (and every other count of verdicts of a scenario: its
card, the brief's plan sentence and each-unit reading) without parameter draws says the targets met
and not met by the central projection and that how sure it is was not assessed — as the index's
cell already did (test_lead62) — never «chưa chắc đạt 0» (uncertain 0), a count no draw computed.
With draws the three counts stay. Synthetic verdicts whose counts are worked out by hand
(`test_verdict_readings._run`)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from test_verdict_readings import _decision_run, _run

from simlib import i18n
from simlib.report import answer
from simlib.report import decision as DC
from simlib.report import levels as LV
from simlib.report import scenario_report as R
from simlib.report import verdict as V
from simlib.report.levels import Levels

UNCERTAIN = {"vi": "chưa chắc", "en": "uncertain"}


def _ctx(v, lang: str, level: str = "commune"):
    """A report context as the headline reads it: verdicts, language, the dataset's level, no
    draws (`uncertainty` None), a manifest without a period record."""
    return SimpleNamespace(
        verdicts=v,
        lang=lang,
        t=lambda k, **kw: i18n.t(k, lang, **kw),
        scenario=SimpleNamespace(dataset=SimpleNamespace(level=level)),
        result=SimpleNamespace(manifest={}),
        uncertainty=None,
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
    bold = answer.verdict_parts(_ctx(_plain("projection"), lang))[0]
    expected = {
        "vi": "Năm 2027 (năm của kế hoạch), theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn): "
        "đạt 1, không đạt 1 trong 2 chỉ tiêu.",
        "en": "2027 (the plan's year), by the central projection (how sure it is was not assessed): "
        "1 met, 1 not met of 2 targets.",
    }[lang]
    assert bold == expected
    assert UNCERTAIN[lang] not in " ".join(answer.verdict_parts(_ctx(_plain("projection"), lang)))
    # the note saying why (no draws were run) stays under the bold count
    assert i18n.t("report.verdict.basis_note_projection", lang) in answer.verdict_parts(
        _ctx(_plain("projection"), lang)
    )


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
