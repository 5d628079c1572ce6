"""The lead's checks of stop 62: a count of targets judged on the central projection alone (no
parameter draws: plan_2027 and the crossing in `make reports`) is not written as if uncertainty
had been assessed. «chưa chắc đạt 0» (uncertain 0) there meant «not assessed», not «none found»."""

from __future__ import annotations

import pytest
from test_verdict_readings import _decision_run, _run

from simlib import i18n
from simlib.report import decision as DC
from simlib.report import index as IX
from simlib.report import verdict as V


def _verdicts(basis: str):
    """plan_2027's 2027 shape (a province target and a poor-commune target, met together, one
    commune of two short) with every verdict on `basis`."""
    return _run(-3.2, {"a": -4.0, "b": -2.5}).assign(basis=basis)


def test_central_only_is_every_headline_verdict_on_the_projection():
    assert V.central_only(_verdicts("projection"))
    assert not V.central_only(_verdicts("probability"))
    mixed = _verdicts("projection")
    mixed.loc[mixed.index[0], "basis"] = "probability"
    assert not V.central_only(mixed)
    assert not V.central_only(_verdicts("projection").iloc[:0])  # nothing judged: no claim
    assert not V.central_only(_verdicts("projection").drop(columns="basis"))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_index_cell_without_draws_says_central_and_drops_the_uncertain_count(lang, monkeypatch):
    monkeypatch.setattr(DC, "all_met_probability", lambda r, year: float("nan"))
    central = IX._verdict_cell(_decision_run(_verdicts("projection")), lang)
    drawn = IX._verdict_cell(_decision_run(_verdicts("probability")), lang)
    uncertain = "chưa chắc đạt" if lang == "vi" else "uncertain"
    said = "theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn)" if lang == "vi" else "certainty not assessed"
    assert said in central and uncertain not in central
    assert ("đạt 2 · không đạt 0" if lang == "vi" else "met 2 · not met 0") in central
    # with draws the three counts stay, «uncertain» among them
    assert drawn == i18n.t("index.verdict", lang, year="2027", met=2, uncertain=0, not_met=0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_brief_plan_sentence_without_draws_says_certainty_is_unknown_once(lang):
    """The plan's sentence without draws says «by the central projection, how sure not assessed»
    in its count; a note after it said it again («No parameter draws were run: the verdicts follow
    the central projection; how sure they are is unknown.», polish64)."""
    central = {"vi": "dự báo trung tâm", "en": "central projection"}[lang]
    how_sure = {"vi": "mức độ chắc chắn", "en": "how sure"}[lang]
    text = DC.plan_message([_decision_run(_verdicts("projection"))], lang).html
    assert central in text and text.count(how_sure) == 1, text
    drawn = DC.plan_message([_decision_run(_verdicts("probability"))], lang).html
    assert central not in drawn and how_sure not in drawn, drawn
