"""The analyses of a scenario whose engine switches units (crossing_2024_2027, `units_switch`,
issue 19) agree with its central run: parameter draws run the same two segments (districts to
2025, communes from 2026), so a draw at the central values is the central run, cell for cell (the
optimiser on the crossing: tests/test_crossing_optimize.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from simlib import i18n
from simlib.i18n import fmt
from simlib.paths import params_dir
from simlib.report import answer, scenario_report, trends
from simlib.report import decision as DC
from simlib.report import index as IX
from simlib.report import uncertainty_page as UP
from simlib.report import verdict as V
from simlib.report.context import context
from simlib.report.tables import report_tables
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.uncertainty.run import load_draws, run_uncertainty
from simlib.uncertainty.sampling import Sample, sample
from simlib.uncertainty.sensitivity import Output, output_labels
from simlib.uncertainty.space import scenario_space
from simlib.unit_switch import units_levels
from simlib.workbench import compare as WC
from simlib.workbench.project import Projection
from simlib.workbench.state import AllocationState

SCENARIO = params_dir() / "scenarios" / "crossing_2024_2027.yaml"
KEY = ["year", "geo_type", "geo", "indicator"]


@pytest.fixture(scope="module")
def crossing():
    return load_scenario(SCENARIO)


@pytest.fixture(scope="module")
def central(crossing):
    return run(crossing)


@pytest.fixture(scope="module")
def draws(crossing, tmp_path_factory):
    """Two draws: sample 0 at the central values of every uncertain parameter, sample 1 a real
    draw (LHS, seed 7). No central run is handed over: the layout's own run is made here."""
    space = scenario_space(crossing)
    real = sample(space, crossing.params, 1, "lhs", seed=7).values[0]
    values = np.vstack([space.central, real])
    points = Sample(space, np.zeros((2, space.dims)), values, np.zeros(2, bool))
    folder = tmp_path_factory.mktemp("crossing_draws")
    unc = run_uncertainty(crossing, 2, sample_points=points, executor="serial", folder=folder, rules=False)
    unc.write(folder)
    arr, cells = load_draws(folder, mmap=False)
    return unc, cells.assign(central=arr[0], drawn=arr[1])


def test_a_draw_at_the_central_values_is_the_central_run_cell_for_cell(central, draws):
    """Every cell of the central run's indicators (districts to 2025, communes from 2026) is a
    cell of the draws, with the same value; and the draws have no cell the central run has not."""
    _, cells = draws
    ind = central.indicators
    m = ind.merge(cells, on=KEY, how="outer", indicator=True)
    kept = m[m["_merge"] == "both"]
    assert set(m.loc[m["_merge"] == "left_only", "indicator"]) == set()  # nothing of the run is missing
    assert m.loc[m["_merge"] == "right_only", "central"].isna().all()  # the draws' extra cells are empty
    np.testing.assert_array_equal(kept["central"].to_numpy(), kept["value"].to_numpy())
    prov = kept[(kept["indicator"] == "poor") & (kept["geo_type"] == "province")].set_index("year")
    # the province's poor at the end-2027 review are its communes' poor, added up
    units = kept[(kept["indicator"] == "poor") & (kept["geo_type"] == "district") & (kept["year"] == 2027)]
    assert len(units) == 56 and prov.loc[2027, "central"] == pytest.approx(units["central"].sum(), rel=1e-9)


def test_the_draws_are_on_the_districts_to_2025_and_on_the_communes_from_2026(crossing, draws):
    _, cells = draws
    units = cells[(cells["geo_type"] == "district") & cells["central"].notna()]
    districts = set(crossing.dataset.unit_ids)
    communes = set(load_scenario(params_dir() / "scenarios" / "plan_2027.yaml").dataset.unit_ids)
    assert len(districts) == 10 and len(communes) == 56
    for year in (2023, 2024, 2025):
        assert set(units.loc[units["year"] == year, "geo"]) == districts
    for year in (2026, 2027):
        assert set(units.loc[units["year"] == year, "geo"]) == communes


def test_a_real_draw_moves_the_numbers_and_its_communes_add_up_to_the_province(draws):
    _, cells = draws
    poor = cells[cells["indicator"] == "poor"]
    prov = poor[poor["geo_type"] == "province"].set_index("year")
    assert prov.loc[2027, "drawn"] != pytest.approx(prov.loc[2027, "central"], rel=1e-6)
    communes = poor[(poor["geo_type"] == "district") & (poor["year"] == 2027)]
    assert communes["drawn"].sum() == pytest.approx(prov.loc[2027, "drawn"], rel=1e-9)


def test_the_draws_judge_the_central_runs_targets(central, draws):
    """The same target cells as the central run's scorecard (each year's targets in force, on the
    units of that year), and the draw at the central values gets the central run's verdicts and
    values (change targets re-based at the 2027 change of standard as the run re-bases them)."""
    unc, _ = draws
    key = ["target_id", "geo_type", "geo", "year"]
    b = central.targets.set_index(key).sort_index()
    assert list(unc.targets.set_index(key).sort_index().index) == list(b.index)
    assert {2026, 2027} <= set(b.index.get_level_values("year"))
    first = unc.outcomes[unc.outcomes["draw"] == 0].set_index(key).reindex(b.index)
    np.testing.assert_array_equal(first["met"].to_numpy(bool), b["met"].to_numpy(bool))
    np.testing.assert_allclose(first["value"].to_numpy(float), b["value"].to_numpy(float), rtol=0, atol=0)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_report_shows_the_communes_for_the_years_from_the_switch(central, lang):
    """The crossing's unit-level views: the districts up to 2025, then every commune for 2026–2027
    (a sentence, the ranked views, the workbook's full table); the deprivation table by unit is
    on the communes the run ends on, with no unit left blank."""
    ctx = context(central, lang)
    communes = load_scenario(params_dir() / "scenarios" / "plan_2027.yaml").dataset
    names = {communes.unit_name(u, lang) for u in communes.unit_ids}
    tables = {t.key: t for t in report_tables(ctx)}
    rates = tables["switched_unit_rates"].frame
    assert len(rates) == 56 and list(rates.columns[1:3]) == ["2026", "2027"]
    assert {n.removesuffix(" ★") for n in rates.iloc[:, 0]} == names
    ind = central.indicators
    poor_rate = ind[(ind["indicator"] == "poor_rate") & (ind["year"] == 2027) & (ind["geo_type"] == "district")]
    assert sorted(rates["2027"]) == pytest.approx(sorted(poor_rate["value"]))
    districts = tables["district_rates"].frame
    assert len(districts) == 10 and "2026" not in districts.columns
    dep = tables["deprivation_districts"].frame
    assert set(dep.iloc[:, 0]) == names and not dep.iloc[:, 1:].isna().all(axis=1).any()
    text = " ".join(b for b in trends.trajectories(ctx) if isinstance(b, str))
    assert ("56 xã" if lang == "vi" else "56 communes") in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_scorecard_names_the_communes_it_judges(central, lang):
    """A verdict on a commune of the crossing's 2026–2027 reviews is named as the commune, as in
    plan_2027's report, not shown by its code (the names came from the district dataset only)."""
    ctx = context(central, lang)
    communes = load_scenario(params_dir() / "scenarios" / "plan_2027.yaml").dataset
    judged = set(ctx.verdicts.loc[ctx.verdicts["geo"].isin(communes.unit_ids), "geo"])
    assert len(judged) > 10  # the poor communes' targets of 2026–2027
    (card,) = [t for t in report_tables(ctx)[:1]]
    areas = " | ".join(map(str, card.frame.iloc[:, 1]))  # the area column
    for unit in judged:
        assert communes.unit_name(unit, lang) in areas
        assert unit not in areas


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_explorer_names_the_poor_communes_for_the_years_from_the_switch(central, lang, monkeypatch, tmp_path):
    """The explorer's chart, targets card and table of targets name the poor units of each year by
    the units the run used: districts to 2025, communes for 2026–2027 (the view took the districts
    of the scenario's dataset for every year)."""
    from simlib.workbench.view import ExplorerView  # ipywidgets, as test_workbench's views

    start = Projection(central.indicators, central.targets, central)  # what `project` gives the view
    state = AllocationState.load(SCENARIO)
    monkeypatch.setattr(state, "evaluate", lambda: start)  # the central run, not a second one
    view = ExplorerView(state, lang, tmp_path, debounce=0)
    svg = view.w["chart"].value
    districts, communes = ("Các huyện nghèo", "các xã nghèo") if lang == "vi" else ("Poor districts", "poor communes")
    assert f">{districts} (2023–2025)</tspan>" in svg and f">{communes} (2026–2027)</tspan>" in svg
    card = i18n.t("report.card.targets_readings_communes", lang, together=2, each=1, n=2)  # 2027's targets
    assert card in view.w["cards"].value
    levels = view.levels
    v = WC.verdicts(start)
    rows = WC.side_by_side(v, v)
    for year, word in ((2024, districts), (2026, communes.capitalize()), (2027, communes.capitalize())):
        one = rows[(rows["year"] == year) & (rows["geo"] == "poor_districts")]
        assert len(one) == 1
        assert f"{word}" in WC.side_by_side_html(one, lang, levels)
    assert levels.t_at("report.card.targets_readings", lang, 2027, together=1, each=1, n=2) == (
        i18n.t("report.card.targets_readings_communes", lang, together=1, each=1, n=2)
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_poor_units_chart_says_which_years_are_districts_and_which_communes(central, lang):
    """The caption and panel title of the poor units' chart, and the sentence above it, name the
    districts for 2023–2025 and the communes for 2026–2027 (the caption said districts for every
    year, the panel title communes)."""
    chart = trends.group_panels(context(central, lang))
    both = (
        "các huyện nghèo (2023–2025), các xã nghèo (2026–2027)"
        if lang == "vi"
        else "poor districts (2023–2025), poor communes (2026–2027)"
    )
    assert both in chart.caption
    assert chart.figure.axes[0].get_title(loc="left").lower() == both.replace(", ", "\n")
    # the finding: one sentence per target, each naming its units and years and its own threshold
    # (5 points a year for the poor districts to 2025, 3 for the poor communes from 2026)
    if lang == "vi":
        first, second = "Các huyện nghèo (2024–2025): năm 2024 giảm", "Các xã nghèo (2026–2027): năm 2026 giảm"
        steps = ("(chỉ tiêu giảm từ 5 điểm % trở lên mỗi năm)", "(chỉ tiêu giảm từ 3 điểm % trở lên mỗi năm)")
    else:
        first, second = "Poor districts (2024–2025): 2024: falls", "Poor communes (2026–2027): 2026: falls"
        steps = ("(target: a fall of at least 5 points a year)", "(target: a fall of at least 3 points a year)")
    a, b = chart.title.index(first), chart.title.index(second)
    assert a < chart.title.index(steps[0]) < b < chart.title.index(steps[1])


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_probability_chart_shows_every_year_judged_with_its_units(crossing, central, lang):
    """The uncertainty page's probability chart shows the targets of every year the crossing is
    judged in (2024 on the districts, 2026 and 2027 on the communes), says so in its caption, and
    names the poor units of each bar by its year (it showed 2024 only, the communes' bars named
    as districts)."""
    ctx = context(central, lang)
    verdicts = ctx.verdicts.assign(probability=0.5)  # hand-set: the chart's rows need a probability
    tables = SimpleNamespace(uncertainty=None, manifest=central.manifest)
    page = UP.PageContext(tables, verdicts, crossing, lang)
    (chart,) = [b for b in UP.verdicts(page) if hasattr(b, "figure")]
    assert "2024, 2026, 2027" in chart.caption
    labels = [t.get_text().replace("\n", " ") for t in chart.figure.axes[0].get_yticklabels()]
    together = "(tính chung các {} nghèo) ({})" if lang == "vi" else "(poor {} together) ({})"
    word = {"vi": ("huyện", "xã"), "en": ("districts", "communes")}[lang]
    for unit, year in ((word[0], 2024), (word[1], 2026), (word[1], 2027)):
        assert sum(label.endswith(together.format(unit, year)) for label in labels) == 1
    assert not any(label.endswith(together.format(word[0], y)) for y in (2026, 2027) for label in labels)
    assert [sum(label.endswith(f"({y})") for label in labels) for y in (2024, 2025, 2026, 2027)] == [7, 0, 3, 3]


def test_the_sensitivity_names_the_poor_units_of_each_outputs_year(crossing):
    """An outcome of the sensitivity on the poor units is named by the units its year is counted
    on: the poor districts in 2025, the poor communes in 2027 (it took the districts of the
    scenario's dataset for every year)."""
    years = list(crossing.years)
    assert units_levels(crossing, years) == {2024: "district", 2025: "district", 2026: "commune", 2027: "commune"}
    outputs = [Output("poor_rate", "poor_districts", 2025), Output("poor_rate", "poor_districts", 2027)]
    names = [o.name(years) for o in outputs]
    table = pd.DataFrame({"grouping": "kind", "group": "effect", "output": names})
    labels = output_labels(table, "grouping", outputs, names, crossing, years)
    assert i18n.t("geo.poor_districts", "vi") in labels["output_label_vi"][0]
    assert i18n.t("geo.poor_communes", "vi") in labels["output_label_vi"][1]
    assert i18n.t("geo.poor_communes", "en") in labels["output_label_en"][1]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_index_and_decision_name_the_years_and_units_they_count(central, lang):
    """The index's verdict cell and the decision page count the targets of 2024 (districts) and
    2026–2027 (communes): they say those years (the cell said 2024 only), and the brief names the
    poor units of each (it named the districts for all)."""
    run = SimpleNamespace(
        name="crossing", role="plan", link="", verdicts=context(central, lang).verdicts, title=lambda lang: "C",
        tables=SimpleNamespace(manifest=central.manifest, uncertainty=None),
    )  # fmt: skip
    cell = IX._verdict_cell(run, lang)
    areas = (
        "các huyện nghèo (2024), các xã nghèo (2026–2027)"
        if lang == "vi"
        else "poor districts (2024), poor communes (2026–2027)"
    )
    assert cell.startswith("Năm 2024, 2026, 2027, " if lang == "vi" else "2024, 2026, 2027, ")
    assert ("đạt 5 " if lang == "vi" else "met 5 ") in cell  # no draws: the central projection's (lead62)
    # the cell is the count alone (brief61); the areas of each set of years are said in the brief
    assert areas in DC.plan_message([run], lang).html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_caveat_says_how_the_communes_of_2026_were_estimated(central, lang):
    """The crossing's districts are its dataset; from 2026 its communes are estimated from them by
    population weights, and its poor communes are an assumption: the caveat says both, with the
    year, and the district panels' caption names only the districts' threshold (they end in 2025)."""
    ctx = context(central, lang)
    caveats = " ".join(scenario_report.caveats(ctx))
    assert i18n.t("report.caveat.estimated_switched", lang, year=2026) in caveats
    caption = trends.district_panels(ctx).caption
    assert fmt.points(-5.0, lang, 0) in caption and fmt.points(-3.0, lang, 0) not in caption
    assert "2026" not in caption


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_target_read_both_ways_is_one_sentence_with_its_years(central, lang):
    """The first screen's readings: one sentence per target (the poor communes' target of 2026
    and 2027 once, with both years' readings), not one per year repeating the same preamble; the
    counts are those of the verdict table."""
    ctx = context(central, lang)
    # the readings, apart from the sentence naming the counted targets that are not the province's own
    sentence = answer.verdict_sentence(ctx).replace(V.counted_caveat(ctx.verdicts, lang), "")
    units = V.unit_targets(ctx.verdicts)
    label = i18n.column("label", lang)
    for name, rows in units.groupby(label):
        assert sentence.count(name) == 1, name
        for _, r in rows.iterrows():
            assert str(int(r["year"])) in sentence and f"{int(r['units_met'])}" in sentence
    assert units[label].nunique() < len(units)  # the crossing has a target judged in two years
