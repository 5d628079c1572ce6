"""The lead's fixes of stop 59: a batch of one allocation gets no answer («Phương án …: «X»») and no
"highest"/"most"/"none of the 1 allocations" among one (readers59's finding)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from simlib.report import decision as DC


def _one(name: str, statuses: list[str], probability: float, draws: int):
    """A run as the brief reads it: the poor rate 24 % in 2023 and 19 % in 2025 (the same in every
    draw), headline verdicts judged in 2025 with `statuses` and `probability` (NaN: no draws)."""
    n = len(statuses)
    verdicts = pd.DataFrame(
        {
            "detail": False,
            "own_year": True,
            "year": 2025,
            "status": statuses,
            "probability": [probability] * n,
            "margin": range(n),
            "target_id": [f"t{i}" for i in range(n)],
            "geo": "province",
            "label_en": [f"target {i}" for i in range(n)],
            "label_vi": [f"chỉ tiêu {i}" for i in range(n)],
        }
    )
    ind = pd.DataFrame(
        {
            "indicator": "poor_rate",
            "geo": "province",
            "year": [2023, 2025] * draws,
            "value": [24.0, 19.0] * draws,
            "draw": [d for d in range(draws) for _ in (0, 1)],
        }
    )
    tables = SimpleNamespace(indicators=ind, uncertainty=None, manifest={}, name=name, folder=None)
    return SimpleNamespace(
        name=name,
        role="plan",
        link="",
        key=("states", 2023, 2025),
        verdicts=verdicts,
        tables=tables,
        title=lambda lang, n=name: n,
        rate=lambda year: 19.0,
    )


def test_a_batch_of_one_allocation_names_none_to_choose(monkeypatch):
    run = _one("plan", ["met", "not_met"], 0.25, draws=20)
    monkeypatch.setattr(DC, "all_met_probability", lambda r, year, reading="each_unit": 0.0)
    monkeypatch.setattr(DC, "plan_message", lambda group, lang: None)
    msgs, best = DC.brief([run], "en")
    text = " ".join(m.html for m in msgs)
    assert best is None  # no answer box: nothing was compared
    assert "sl-answer" not in DC.brief_html(msgs, best, "en")
    assert "Only one allocation, “plan”" in text and "(mean over the parameter draws) is 19.00%" in text
    assert "weakest target: “target 0” (probability 25%)" in text
    for word in ("highest", "lowest", "none of the 1", "the others"):
        assert word not in text
    assert "the probability that “plan” meets every target is 0%" in text
    vi = " ".join(m.html for m in DC.brief([run], "vi")[0])
    assert "Chỉ có một phương án phân bổ, «plan»" in vi and "(bình quân các lượt rút tham số) là 19,00 %" in vi


def test_one_allocation_without_draws_meets_so_many_targets_not_the_most():
    run = _one("plan", ["met", "not_met", "met"], float("nan"), draws=1)
    text = DC.targets_message([run], None, "en").html
    assert "“plan” meets 2 of 3 targets" in text and "most" not in text
    msgs, best = DC.brief([run], "en")
    assert best is None and "(central projection) is 19.00%" in msgs[0].html


def _judged(rows):
    """Headline verdicts of 2027: (label, status, reference_area, proposed) per target."""
    return pd.DataFrame(
        {
            "detail": False,
            "own_year": True,
            "year": 2027,
            "label_en": [r[0] for r in rows],
            "label_vi": [r[0] for r in rows],
            "status": [r[1] for r in rows],
            "reference_area": [r[2] for r in rows],
            "proposed": [r[3] for r in rows],
            "margin": 1.0,
            "target_id": [f"t{i}" for i in range(len(rows))],
        }
    )


def test_a_count_of_targets_names_those_not_the_provinces_own():
    """plan_2027's «đạt 2 trong 2 chỉ tiêu» counted a national pace judged on the province (for
    reference only) and a proposed target (target59's finding): the count now names them; a count
    of the province's own adopted targets gets no words."""
    from simlib.report import verdict

    v = _judged([("national pace", "met", "national", False), ("poor communes", "met", "", True)])
    # English quotes “…” since polish64
    text = verdict.counted_caveat(v, "en")
    assert "not set for the province" in text and "“national pace”" in text
    assert "only proposed" in text and "“poor communes”" in text.split("only proposed")[1]
    own = _judged([("province rate", "met", "", False), ("coverage", "not_met", "", False)])
    assert (
        verdict.counted_caveat(own, "vi") == "" and verdict.counted_caveat(own.drop(columns=["proposed"]), "en") == ""
    )
    run = _one("plan", ["met"], float("nan"), draws=1)
    run.verdicts = v
    said = DC.plan_message([run], "vi").html
    assert "đạt 2, chưa chắc đạt 0, không đạt 0 trong 2 chỉ tiêu" in said and "không giao cho tỉnh" in said
