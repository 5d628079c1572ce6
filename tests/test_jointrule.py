"""One rule for the words before a target's probability (jointrule): the scorecard's cell, the
headline's list of targets not met and the brief's weakest target all take them from
`scorecard.probability_words` — «xác suất cả nhóm và mọi huyện/xã nghèo cùng đạt» for the row of
the poor units together when that target is also judged unit by unit that year, else «xác suất
đạt» — asking for the run's levels only then; and the brief's counterfactual rate says whose it is
(the central projection or the mean of the draws). Hand-made frames, no model runs."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
import test_readers58b as shown

from simlib import i18n
from simlib.report import decision as DC
from simlib.report import scenario_report as R
from simlib.report import scorecard as SC
from simlib.report.data import RunTables
from simlib.report.levels import Levels

#: a run's manifest recording commune units used and in force at the 2024 review
COMMUNES_2024 = {
    "periods": {"years": [{"year": 2024, "geography": {"units_used": "commune", "level_in_force": "commune"}}]}
}


def _no_levels():
    raise AssertionError("levels asked for a probability that is not the joint one")


def _rows(v: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """The frame's rows: the poor districts together, Bảo Lạc, the province."""
    return tuple(v.set_index("geo", drop=False).loc[g] for g in ("poor_districts", "bao_lac", "province"))


def test_the_words_are_joint_only_for_the_group_judged_unit_by_unit_that_year():
    v = shown._poor_district_verdicts()
    group, district, province = _rows(v)
    for lang in ("vi", "en"):
        plain = i18n.t("report.probability_label", lang)
        assert SC.probability_words(v, district, lang, _no_levels) == plain  # levels never asked for
        assert SC.probability_words(v, province, lang, _no_levels) == plain
        for level in ("district", "commune"):
            words = SC.probability_words(v, group, lang, lambda lv=level: Levels(lv))
            assert words == i18n.t(f"report.probability_label_every.{level}", lang) != plain
    assert "mọi xã nghèo" in SC.probability_words(v, group, "vi", lambda: Levels("commune"))
    # the same group in a year without unit rows: its probability is the group's alone
    later = v.assign(year=[2025, 2024, 2024])
    assert SC.probability_words(later, later.iloc[0], "vi", _no_levels) == i18n.t("report.probability_label", "vi")


def test_the_words_follow_the_units_used_in_the_rows_year():
    """A run switching from districts (2024) to communes (2026): the group's row of each year is
    named by that year's units."""
    v = shown._poor_district_verdicts()
    both = pd.concat([v, v.assign(year=2026)], ignore_index=True)
    lv = Levels("district", {}, {2024: "district", 2026: "commune"})
    words = [
        SC.probability_words(both, r, "vi", lambda: lv) for _, r in both[both["geo"] == "poor_districts"].iterrows()
    ]
    assert words == [
        i18n.t("report.probability_label_every.district", "vi"),
        i18n.t("report.probability_label_every.commune", "vi"),
    ]


def test_scorecard_headline_and_brief_say_the_same_words():
    """A commune run: the scorecard's cell, the headline's list and the weakest target of the
    group's 0 % all say «xác suất cả nhóm và mọi xã nghèo cùng đạt»; the province's «xác suất đạt»."""
    v = shown._poor_district_verdicts()
    joint = SC.probability_words(v, _rows(v)[0], "vi", lambda: Levels("commune"))  # the one rule
    assert joint == i18n.t("report.probability_label_every.commune", "vi")
    cells = SC.scorecard_html(v, "vi", {"bao_lac": "Huyện Bảo Lạc"}, Levels("commune")).split("<tr")
    assert joint in next(r for r in cells if "(Các xã nghèo)" in r)
    ctx = SimpleNamespace(
        verdicts=v,
        lang="vi",
        t=lambda key, **kw: i18n.t(key, "vi", **kw),
        scenario=SimpleNamespace(dataset=SimpleNamespace(level="commune")),
        manifest=COMMUNES_2024,
    )
    items = R.not_sure(ctx)[1].replace("\xa0", " ")
    assert f"{joint} 0 %" in items and f"{i18n.t('report.probability_label', 'vi')} 15 %" in items
    run = SimpleNamespace(verdicts=v, tables=SimpleNamespace(manifest=COMMUNES_2024))
    assert f"({joint} 0 %)" in DC.weakest_target(run, 2024, "vi").replace("\xa0", " ")


def _run(name: str, role: str, rates: list[float]) -> DC.Run:
    """A run whose province poor rate in 2025 is `rates`, one value per draw (one: no draws)."""
    rows = [("poor_rate", "province", 2023, 24.0, d) for d in range(len(rates))]
    rows += [("poor_rate", "province", 2025, x, d) for d, x in enumerate(rates)]
    ind = pd.DataFrame(rows, columns=["indicator", "geo", "year", "value", "draw"])
    manifest = {"title_vi": name, "title_en": name}
    tables = RunTables(name, manifest, ind, pd.DataFrame(), pd.DataFrame())
    return DC.Run(tables, pd.DataFrame(), role)


@pytest.mark.parametrize(
    ("rates", "vi", "en"),
    [
        ([21.2], "theo dự báo trung tâm là 21,2 %", "(central projection) is 21.2%"),
        (
            [20.0, 21.0, 22.6],
            "theo bình quân các lượt rút tham số là 21,2 %",
            "(mean over the parameter draws) is 21.2%",
        ),
    ],
)
def test_the_counterfactual_rate_says_whose_it_is(rates, vi, en):
    """«Nếu không có Chương trình (…), tỷ lệ hộ nghèo cuối năm 2025 là 21,2 %»: which number — the
    central projection or the mean of the draws — was unsaid, while the trade-offs say it."""
    plan = _run("Kế hoạch", "plan", [r - 1.5 for r in rates])
    cf = _run("Không có Chương trình", "counterfactual", rates)
    for lang, said in (("vi", vi), ("en", en)):
        text = DC.context_message([plan, cf], [], lang).html.replace("\xa0", " ")
        assert said in text
        assert ("1,50" if lang == "vi" else "1.50") in text  # the gap, unchanged
