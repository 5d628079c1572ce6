"""The analyses of a scenario whose engine switches units (crossing_2024_2027, `units_switch`,
issue 19) agree with its central run: parameter draws run the same two segments (districts to
2025, communes from 2026), so a draw at the central values is the central run, cell for cell (the
optimiser on the crossing: tests/test_crossing_optimize.py)."""

from __future__ import annotations

import numpy as np
import pytest

from simlib.paths import params_dir
from simlib.report import trends
from simlib.report.context import context
from simlib.report.tables import report_tables
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.uncertainty.run import load_draws, run_uncertainty
from simlib.uncertainty.sampling import Sample, sample
from simlib.uncertainty.space import scenario_space

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
    # the number the central run's own header records (26,245 at the end-2027 review, on the communes)
    assert prov.loc[2027, "central"] == pytest.approx(26245.06, abs=0.01)


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
