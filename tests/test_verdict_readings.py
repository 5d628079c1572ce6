"""A target judged for the poor units together and for each of them (issue 19): the headline shows
both readings, because the source texts do not settle which is meant — on synthetic runs whose
answers are worked out by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from simlib import i18n
from simlib.period_targets import targets_for_year
from simlib.report import scorecard as S
from simlib.report import verdict as V
from simlib.report.levels import Levels


def _run(aggregate: float, units: dict[str, float], province: float = -2.0):
    """targets.csv / indicators.csv of 2027: a province target (≤ −1) and a poor-unit target
    (≤ −3) judged on the units together (`aggregate`) and on each unit."""
    rows = [("p", "province", "province", province, -1.0), ("u", "poor_districts", "poor_districts", aggregate, -3.0)]
    rows += [("u", "district", g, v, -3.0) for g, v in units.items()]
    targets = pd.DataFrame(
        [
            {"target_id": t, "geo_type": gt, "geo": g, "year": 2027, "indicator": "poor_rate_change",
             "comparison": "<=", "threshold": th, "value": v, "draw": 0, "label_vi": f"Chỉ tiêu {t}",
             "label_en": f"Target {t}"}
            for t, gt, g, v, th in rows
        ]
    )  # fmt: skip
    ind = pd.DataFrame({"indicator": "households", "geo": ["province", "poor_districts", *units], "year": 2027})
    return V.verdict_table(targets, ind.assign(value=100.0), plan_years=[2027])


def test_aggregate_met_but_not_every_unit():
    # together −3.2 meets −3; units −4.0 and −2.5: one of two meets, so "each" is not met
    v = _run(-3.2, {"a": -4.0, "b": -2.5})
    head = V.headline_verdicts(v).set_index("target_id")
    assert head.loc["u", "status"] == "met"  # the aggregate's projection, as before
    assert (head.loc["u", "units"], head.loc["u", "units_met"]) == (2, 1)
    assert head.loc["u", "aggregate_status"] == "met"
    assert head.loc["u", "each_unit_status"] == "not_met"
    assert V.counts(v, reading="aggregate") == {"met": 2, "uncertain": 0, "not_met": 0}
    assert V.counts(v, reading="each_unit") == {"met": 1, "uncertain": 0, "not_met": 1}
    # a target without units reads the same both ways
    assert head.loc["p", "units"] == 0
    assert head.loc["p", "aggregate_status"] == head.loc["p", "each_unit_status"] == "met"
    assert list(V.unit_targets(v)["target_id"]) == ["u"]


def test_every_unit_met_is_met_both_ways():
    v = _run(-3.5, {"a": -3.0, "b": -4.0, "c": -3.1})
    assert (
        V.counts(v, reading="aggregate")
        == V.counts(v, reading="each_unit")
        == {
            "met": 2,
            "uncertain": 0,
            "not_met": 0,
        }
    )
    assert V.unit_targets(v)["units_met"].tolist() == [3]


def test_without_units_there_is_no_second_reading():
    v = _run(-3.5, {})
    assert V.unit_targets(v).empty
    assert S.reading_sentences(v, "vi", Levels("commune")) == []
    assert S.reading_card(v, "en", Levels("commune")) is None


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_headline_states_both_readings(lang):
    v = _run(-3.2, {"a": -4.0, "b": -2.5, "c": -1.0})
    text = " ".join(S.reading_sentences(v, lang, Levels("commune")))
    # 2 of 2 together, 1 of 2 one by one, and 1 of the 3 communes reaches −3
    assert "1/3" in text or "1 of 3" in text
    assert i18n.t("geo.poor_communes", lang).lower() in text.lower()
    value, detail = S.reading_card(v, lang, Levels("commune"))
    assert value == "2/2 · 1/2"
    assert "2/2" in detail and "1/2" in detail
    # on districts the words are districts'
    assert "huyện" in " ".join(S.reading_sentences(v, "vi", Levels("district")))


def test_draws_each_unit_reading_is_the_joint_probability():
    # with parameter draws the headline's status is the probability of meeting the target in all
    # its areas (each_unit), the aggregate reading its own area's probability
    v = _run(-3.2, {"a": -4.0, "b": -2.5})
    cells = pd.DataFrame({"probability_own": [0.9, 0.9], "central_met": [True, True]}, index=[0, 1])
    rows = v[~v["detail"]].reset_index(drop=True).assign(basis="probability", status=["met", "not_met"])
    out = V.with_readings(rows.drop(columns=V.READING_COLUMNS), cells)
    assert list(out["aggregate_status"]) == ["met", "met"]
    assert list(out["each_unit_status"]) == ["met", "not_met"]


def test_the_2026_target_is_read_both_ways_with_its_basis():
    spec = {s["target_id"]: s for s in targets_for_year(2027).specs}["poor_communes_poor_rate_change"]
    assert spec["reading"] == "ambiguous"
    assert spec["each_poor_commune"]


def _decision_run(v):
    """A run as the decision page and the index read it: verdicts, a manifest whose period record
    says the units used are communes, no draws."""
    from types import SimpleNamespace

    manifest = {
        "periods": {"years": [{"year": 2027, "geography": {"level_in_force": "commune", "units_used": "commune"}}]}
    }
    return SimpleNamespace(
        name="plan", role="plan", link="", verdicts=v, title=lambda lang: "P",
        tables=SimpleNamespace(manifest=manifest, uncertainty=None),
    )  # fmt: skip


def test_decision_and_index_state_both_readings(monkeypatch):
    from simlib.report import decision as DC
    from simlib.report import index as IX

    run = _decision_run(_run(-3.2, {"a": -4.0, "b": -2.5}))
    text = DC.plan_message([run], "en").html
    # together: 2 met of 2; each poor commune: 1 met, 1 not met (no draws: no «uncertain» count, report63)
    assert "2 met, 0 not met of 2 targets" in text
    assert "each poor commune on its own" in text and "1 met, 1 not met of 2" in text
    monkeypatch.setattr(DC, "all_met_probability", lambda r, year: float("nan"))
    cell = IX._verdict_cell(run, "vi")
    # the index's cell: the poor communes together, one line (brief61); each commune in the brief
    assert cell == "Năm 2027, theo dự báo trung tâm (chưa đánh giá mức độ chắc chắn): đạt 2 · không đạt 0"
    # a run without units keeps the one reading
    plain = _decision_run(_run(-3.2, {}))
    assert "on its own" not in DC.plan_message([plain], "en").html
    assert "từng xã" not in IX._verdict_cell(plain, "vi")


def test_workbench_card_counts_both_readings():
    # two draws: the aggregate meets −3 in both; unit a in both, unit b in one only (share 0.5 →
    # met under target_status's "at least half" rule), unit c in neither → each-unit not met
    from simlib.report import data as D
    from simlib.workbench.cards import targets_card

    rows = []
    for draw, b in ((0, -3.5), (1, -2.0)):
        for gt, g, v in (("poor_districts", "poor_districts", -3.2), ("district", "a", -4.0), ("district", "b", b)):
            rows.append({"target_id": "u", "geo_type": gt, "geo": g, "year": 2027, "draw": draw, "value": v})
        rows.append(
            {"target_id": "p", "geo_type": "province", "geo": "province", "year": 2027, "draw": draw, "value": -2.0}
        )
    targets = pd.DataFrame(rows)
    targets["met"] = targets["value"] <= -3.0
    targets.loc[targets["target_id"] == "p", "met"] = True
    got = D.targets_met_in(targets, 2027)
    assert got == {"targets_met": 2, "targets_total": 2, "targets_met_together": 2, "targets_with_units": 1}
    with_c = pd.concat([targets, targets[targets["geo"] == "a"].assign(geo="c", value=-1.0, met=False)])
    got = D.targets_met_in(with_c, 2027)
    assert (got["targets_met"], got["targets_met_together"]) == (1, 2)
    h = got | {"year_start": 2023, "year_end": 2027}
    title, value, detail = targets_card(h, "en", Levels("commune"))
    assert value == "2/2 · 1/2" and "each poor commune" in detail
    plain = D.targets_met_in(targets[targets["geo_type"] != "district"], 2027) | {"year_start": 2023, "year_end": 2027}
    assert targets_card(plain, "en", Levels("commune"))[1] == "2/2"


def _outcomes():
    """Four draws of 2027: the province target met in all; the poor communes together met in
    draws 0–2; commune a in every draw, commune b in draws 0 and 1 only. By hand: every target,
    the poor communes together, 3/4; each commune on its own, 2/4."""
    met = {0: (True, True, True, True), 1: (True, True, True, True), 2: (True, True, True, False)}
    met[3] = (True, False, True, False)
    cells = [("p", "province", "province"), ("u", "poor_districts", "poor_districts")]
    cells += [("u", "district", "a"), ("u", "district", "b")]
    return pd.DataFrame(
        [
            {"draw": d, "replication": 0, "year": 2027, "target_id": t, "geo_type": gt, "geo": g,
             "value": -1.0, "met": m}
            for d, ms in met.items()
            for (t, gt, g), m in zip(cells, ms)
        ]
    )  # fmt: skip


def _drawn_run(name, outcomes):
    run = _decision_run(_run(-3.2, {"a": -4.0, "b": -2.5}))
    run.name = name
    run.title = lambda lang, n=name: n
    run.tables.uncertainty = {"outcomes": outcomes}
    return run


def test_probability_of_every_target_under_both_readings():
    from simlib.report import decision as DC

    o = _outcomes()
    run = _drawn_run("plan", o)
    assert DC.has_readings(run)
    assert DC.all_met_probability(run, 2027) == 0.5
    assert DC.all_met_probability(run, 2027, "aggregate") == 0.75
    other = _drawn_run("alt", o.assign(met=o["met"] & (o["geo_type"] != "district")))  # units never met
    text = DC.targets_message([run, other], None, "en").html
    assert "“plan” has the highest probability of meeting every target (50" in text
    assert "poor communes together" in text and "“plan” 75" in text and "“alt” 75" in text
    # without unit cells there is one reading and no second sentence
    named = o[o["geo_type"] != "district"]
    plain = _drawn_run("plain", named)
    assert not DC.has_readings(plain)
    assert DC.all_met_probability(plain, 2027) == DC.all_met_probability(plain, 2027, "aggregate") == 0.75
    assert "together" not in DC.targets_message([plain], None, "en").html


def test_ranking_names_both_readings(monkeypatch):
    from simlib.report import compare as CP
    from simlib.report import data as D
    from simlib.report import decision as DC

    head = {k: 1.0 for k in ("poor_rate_end", "poor_rate_start", "poor_fewer_end", "spend_total_billion")}
    monkeypatch.setattr(D, "headline", lambda ind, tg: head | {"cost_per_household_lifted_end": 1.0})
    monkeypatch.setattr(D, "years", lambda ind: [2026, 2027])
    monkeypatch.setattr(DC, "own_year", lambda g: 2027)
    monkeypatch.setattr(CP, "group_title", lambda g, lang: "g")
    runs = [_drawn_run("plan", _outcomes())]
    for r in runs:
        r.tables.indicators = r.tables.targets = None
    frame = CP.ranking_table(runs, "en", None, {}).frame
    together = "Probability of meeting every target in 2027, poor communes together (%)"
    each = "Probability of meeting every target in 2027, each poor commune on its own (%)"
    assert frame.loc[0, together] == 75.0 and frame.loc[0, each] == 50.0
    runs[0].tables.uncertainty = {"outcomes": _outcomes().query("geo_type != 'district'")}
    frame = CP.ranking_table(runs, "en", None, {}).frame
    assert together not in frame and frame.loc[0, "Probability of meeting every target in 2027 (%)"] == 75.0


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_scenario_card_gives_both_probabilities(lang):
    levels = Levels("commune")
    title, value, detail = S.all_targets_card(_outcomes(), 2027, 4, lang, levels)
    assert value == ("75 % · 50 %" if lang == "vi" else "75% · 50%")
    assert i18n.t("geo.poor_communes", lang).lower() in detail.lower() and "4" in detail
    plain = S.all_targets_card(_outcomes().query("geo_type != 'district'"), 2027, 4, lang, levels)
    assert plain[1] == ("75 %" if lang == "vi" else "75%")
    assert plain[2] == i18n.t("report.card.all_targets_detail", lang, n=4)
    assert S.all_targets_card(_outcomes(), 2030, 4, lang, levels) is None
