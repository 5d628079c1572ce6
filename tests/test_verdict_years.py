"""Each target judged in its own year (issue 16): a plan's verdict counts only the years it plans;
earlier projected years are the bridge to them (history), later ones an outlook — on a synthetic
run whose answer is known by hand."""

from __future__ import annotations

import pandas as pd

from simlib.report import scorecard as S
from simlib.report import verdict as V


def _run(years, values):
    """targets.csv / indicators.csv of a one-target run: poor-rate change ≤ −1 point a year."""
    targets = pd.DataFrame(
        {
            "target_id": "t",
            "geo_type": "province",
            "geo": "province",
            "year": years,
            "indicator": "poor_rate_change",
            "comparison": "<=",
            "threshold": -1.0,
            "value": values,
            "draw": 0,
            "label_vi": "Giảm tỷ lệ nghèo",
            "label_en": "Poor rate falls",
        }
    )
    ind = pd.DataFrame({"indicator": "households", "geo": "province", "year": years, "value": 1000.0})
    return targets, ind


def test_only_the_plan_year_is_counted():
    # 2024 and 2026 missed (−0.5), 2027 met (−1.5), 2028 missed: a 2027 plan meets 1 of 1
    targets, ind = _run([2024, 2026, 2027, 2028], [-0.5, -0.5, -1.5, -0.2])
    v = V.verdict_table(targets, ind, plan_years=[2027])
    assert list(V.year_roles(v)) == ["before", "before", "own", "after"]
    assert V.counts(v) == {"met": 1, "uncertain": 0, "not_met": 0}
    assert list(V.headline_verdicts(v)["year"]) == [2027]
    # the margin in households of the missed bridge year: (−1 − (−0.5)) points × 1,000 / 100
    assert v.loc[v["year"] == 2024, "margin_households"].iloc[0] == -5.0


def test_scorecard_shows_history_then_own_then_outlook():
    targets, ind = _run([2024, 2027, 2028], [-0.5, -1.5, -0.2])
    v = V.verdict_table(targets, ind, plan_years=[2027])
    page = S.scorecard_html(v, "en")
    heads = [page.index(h) for h in ("Bridge 2024", ">2027<", "Outlook 2028")]
    assert heads == sorted(heads)
    excel = S.scorecard_table(v, "vi").frame
    assert list(excel.iloc[:, 3]) == [
        "diễn biến trước năm kế hoạch",
        "năm của kế hoạch",
        "triển vọng (chỉ tiêu giữ nguyên)",
    ]


def test_without_plan_years_every_year_is_own():
    targets, ind = _run([2024, 2025], [-1.5, -0.5])
    v = V.verdict_table(targets, ind)
    assert set(V.year_roles(v)) == {"own"}
    assert V.counts(v) == {"met": 1, "uncertain": 0, "not_met": 1}


def test_a_dated_plan_owns_its_last_year_a_dated_run_every_year_in_force():
    """plan_2027 (role plan) plans 2027; crossing_2024_2027 (an alternative run across the periods)
    is judged on each year's targets in force: the 2024 plan's in 2024, the 2026–2030 ones after."""
    from simlib.paths import scenarios_dir
    from simlib.report.context import verdict_targets
    from simlib.scenario import load_scenario

    plan = load_scenario(scenarios_dir() / "plan_2027.yaml")
    assert V.plan_years(verdict_targets(plan)) == [2027]
    crossing = load_scenario(scenarios_dir() / "crossing_2024_2027.yaml")
    assert V.plan_years(verdict_targets(crossing)) == [2024, 2026, 2027]
    plain = load_scenario(scenarios_dir() / "plan_2024.yaml")
    assert V.plan_years(verdict_targets(plain)) == [2024]


def test_a_year_between_own_years_sits_between_them():
    targets, ind = _run([2024, 2025, 2026], [-1.5, -0.5, -1.5])
    page = S.scorecard_html(V.verdict_table(targets, ind, plan_years=[2024, 2026]), "en")
    heads = [page.index(h) for h in (">2024<", "Outlook 2025", ">2026<")]
    assert heads == sorted(heads)


def test_fan_chart_draws_each_years_target_from_the_year_before():
    """The dashed target of a yearly-change target starts each year at the previous year's
    median (as the verdict judges it), not on a path cumulated from the first year."""
    import matplotlib

    matplotlib.use("Agg")
    from simlib.report import uncertainty as U

    years, med = [2023, 2024, 2025], [24.0, 21.0, 19.5]
    q = pd.DataFrame(
        {
            "indicator": "poor_rate",
            "geo": "province",
            "year": years,
            "unit": "percent",
            **{k: med for k in ("q05", "q25", "q50", "q75", "q95")},
        }
    )

    def steps(thresholds: dict) -> list:
        targets = pd.DataFrame(
            {
                "indicator": "poor_rate_change",
                "geo": "province",
                "threshold": list(thresholds.values()),
                "year": list(thresholds),
            }
        )
        fig = U.fan_chart({"quantiles": q, "targets": targets}, lang="en", central=False)
        dashed = [ln for ln in fig.axes[0].get_lines() if ln.get_linestyle() not in ("-", ":", "None")]
        return sorted((tuple(ln.get_xdata()), tuple(ln.get_ydata())) for ln in dashed)

    assert steps({2024: -4.0, 2025: -4.0}) == [((2023, 2024), (24.0, 20.0)), ((2024, 2025), (21.0, 17.0))]
    # each year its own threshold (a run crossing 2025→2026 changes target), none without one
    assert steps({2024: -4.0, 2025: -1.0}) == [((2023, 2024), (24.0, 20.0)), ((2024, 2025), (21.0, 20.0))]
    assert steps({2025: -1.0}) == [((2024, 2025), (21.0, 20.0))]


def test_targets_of_the_plan_year_come_first_in_the_scorecard():
    old, ind = _run([2024, 2027], [-0.5, -0.5])
    new = old.assign(target_id="n", label_en="New target", year=[2026, 2027])
    v = V.verdict_table(pd.concat([old, new], ignore_index=True), ind, plan_years=[2027])
    v = v[~((v["target_id"] == "t") & (v["year"] == 2027))]  # the old target is not set for 2027
    page = S.scorecard_html(v, "en")
    assert page.index("New target") < page.index("Poor rate falls")
