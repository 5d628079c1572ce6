"""The explorer's work outside the engine on a change, made once where it does not change
(issue 18): each cache gives what the work it stands for gives, checked against tables and
arrays worked out here by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import make_scenario, tiny_raw

from simlib import tabulate
from simlib import targets as T
from simlib.compliance import rules
from simlib.dataset import GROUPS
from simlib.unit_switch import compile_run_model
from simlib.workbench import scoring
from simlib.workbench.charts import PANELS, line_rows, rate_lines
from simlib.workbench.compare import HeadRows, head_rows, key_numbers
from simlib.workbench.frames import ShownFrame
from simlib.workbench.state import AllocationState


@pytest.fixture(scope="module")
def scen():
    return make_scenario()


@pytest.fixture(scope="module")
def model(scen):
    return compile_run_model(scen)[0]


def test_geographies_are_the_hand_made_masks_made_once(model):
    D, E = len(model.unit_ids), len(GROUPS)
    geos, masks = tabulate.geographies(model)
    want = [np.ones((D, E))]
    for i in range(D):
        m = np.zeros((D, E))
        m[i, :] = 1.0
        want.append(m)
    want.append(np.repeat(np.asarray(model.poor_district, float)[:, None], E, axis=1))
    for e in range(E):
        m = np.zeros((D, E))
        m[:, e] = 1.0
        want.append(m)
    assert np.array_equal(masks, np.array(want))
    assert geos == [("province", "province")] + [("district", u) for u in model.unit_ids] + [
        ("poor_districts", "poor_districts")
    ] + [("ethnic_group", g) for g in GROUPS]
    again, masks2 = tabulate.geographies(model)
    assert masks2 is masks and not masks.flags.writeable  # kept on the structure, shared read-only
    again.append("x")  # a new list each call: the next caller's is whole
    assert tabulate.geographies(model)[0] == geos


def test_by_cell_sums_each_cell_as_a_loop_does(model):
    cell = tabulate.cell_of_group(model)
    values = np.arange(1.0, len(cell) + 1.0)  # whole numbers: every order of sums the same
    want = np.zeros(len(model.unit_ids) * 4)
    for g, c in enumerate(cell):
        want[c] += values[g]
    assert np.array_equal(tabulate.by_cell(model, values, 0).ravel(), want)
    assert tabulate.cell_order(model)[0] is tabulate.cell_order(model)[0]


def test_territory_is_made_once_per_catalogue_and_frame(scen, monkeypatch):
    made = []
    real = rules.territory_of
    monkeypatch.setattr(rules, "territory_of", lambda *a: made.append(a) or real(*a))
    ok, verified = rules.territory(scen, scen.legal)
    want = real(scen.catalogue, scen.dataset, scen.legal)
    assert np.array_equal(ok, want[0]) and np.array_equal(verified, want[1])
    ok[:] = ~ok  # the caller's copy
    ok2, _ = rules.territory(scen, scen.legal)
    assert np.array_equal(ok2, want[0])
    n = len(made)
    assert n <= 1  # made here or by an earlier check of the same catalogue and frame, not again
    rules.territory(scen.replace_budget(scen.budget.amounts * 2), scen.legal)  # other amounts: kept
    assert len(made) == n


def indicator_rows() -> pd.DataFrame:
    places = (("province", "province"), ("district", "A"))
    rows = [(0, y, gt, g, i) for y in (2024, 2025) for gt, g in places for i in ("poor_rate_change", "poor_rate")]
    t = pd.DataFrame(rows, columns=["draw", "year", "geo_type", "geo", "indicator"])
    t.insert(0, "engine", "expected")
    t.insert(0, "scenario", "s")
    t["value"] = np.arange(len(t), dtype=float)
    return t


def test_rebase_rows_take_each_rows_points_as_the_lookup_does(monkeypatch):
    shown = indicator_rows()
    table = pd.DataFrame(
        {
            "draw": [0, 0, 0],
            "year": [2025, 2025, 2024],
            "geo_type": ["district", "province", "province"],
            "geo": ["A", "province", "province"],
            "indicator": ["poor_rate_change", "poor_rate_change", "poor_rate_change"],
            "rebase": [1.5, -0.25, 3.0],
        }
    )
    want = np.full(len(shown), np.nan)  # by hand: the rate changes of 2024 province, 2025 A and province
    for i, r in shown.iterrows():
        if r["indicator"] == "poor_rate_change" and r["geo"] == "province":
            want[i] = 3.0 if r["year"] == 2024 else -0.25
        elif r["indicator"] == "poor_rate_change" and r["geo"] == "A" and r["year"] == 2025:
            want[i] = 1.5
    calls = []
    monkeypatch.setattr(scoring, "rebase_column", lambda *a: calls.append(1) or T.rebase_column(*a))
    rows, layout = scoring.RebaseRows(), object()
    got = rows.column(layout, shown, table)
    assert np.array_equal(got, want, equal_nan=True) and len(calls) == 1
    other = table.assign(rebase=[2.0, 0.5, -1.0])  # the next twin's table: the same keys
    want2 = np.where(want == 1.5, 2.0, np.where(want == -0.25, 0.5, np.where(want == 3.0, -1.0, want)))
    assert np.array_equal(rows.column(layout, shown, other), want2, equal_nan=True) and len(calls) == 1
    moved = other.iloc[::-1].reset_index(drop=True)  # other keys (rows in another order): found again
    assert np.array_equal(rows.column(layout, shown, moved), want2, equal_nan=True) and len(calls) == 2


def test_shown_frame_copies_the_kept_table_with_the_new_values():
    data = {
        "draw": np.zeros(3, np.int64),
        "year": np.array([2024, 2025, 2025]),
        "geo": np.array(["province", "A", "B"]),
        "value": np.array([1.0, np.nan, -0.0]),
    }
    frames = ShownFrame()
    first = frames(data, "s", "expected")
    want = pd.DataFrame({"scenario": ["s"] * 3, "engine": ["expected"] * 3, **data})
    pd.testing.assert_frame_equal(first, want, check_exact=True)
    again = frames({**data, "value": np.array([2.0, 3.0, 0.0])}, "s", "expected")
    pd.testing.assert_frame_equal(again, want.assign(value=[2.0, 3.0, 0.0]), check_exact=True)
    assert frames.used == 1 and first["value"].tolist()[0] == 1.0  # the first table untouched
    frames({**data, "geo": np.array(["province", "A", "C"])}, "s", "expected")  # other rows: made again
    frames(data, "s", "other engine")
    assert frames.used == 1


def rate_table(draws: int) -> pd.DataFrame:
    rows = []
    for d in range(draws):
        for y in (2026, 2024, 2025):  # years out of order: the lines sort them
            for geo, gt in PANELS:
                rows.append((d, y, gt, geo, "poor_rate", 10.0 * y - 20240 + len(geo)))
                rows.append((d, y, gt, geo, "poor", 1.0))
    return pd.DataFrame(rows, columns=["draw", "year", "geo_type", "geo", "indicator", "value"])


def test_line_rows_read_the_lines_rate_lines_reads():
    t = rate_table(1)
    at = line_rows(t, list(PANELS))
    lines = [[float(v) for v in t["value"].to_numpy()[a]] for a in at]
    want = [[10.0 * y - 20240 + len(geo) for y in (2024, 2025, 2026)] for geo, _ in PANELS]
    assert lines == want == rate_lines(t[t["indicator"] == "poor_rate"], list(PANELS))
    assert line_rows(rate_table(2), list(PANELS)) is None  # two draws: each year's mean instead


def test_head_rows_give_the_same_numbers():
    t = rate_table(1).assign(geo="province", geo_type="province")
    t = t.drop_duplicates(["year", "indicator"]).reset_index(drop=True)
    none = lambda targets, year: {}  # noqa: E731
    h = key_numbers(t, None, none, head_rows(t))
    assert h == key_numbers(t, None, none)
    assert (h["year_start"], h["year_end"], h["poor_rate_start"], h["poor_end"]) == (2024, 2026, 0.0 + 8, 1.0)
    cache, token = HeadRows(), object()

    class Projection:
        indicators, rows = t, token

    assert cache(Projection) is cache(Projection)


def test_a_change_shows_the_inputs_once(tmp_path):
    from simlib.workbench.view import ExplorerView

    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    view = ExplorerView(AllocationState.load(path), "en", tmp_path / "saved", debounce=0)
    shown = []
    real = view._show_inputs
    view._show_inputs = lambda: shown.append(1) or real()
    st = view.state
    key = next(k for k in view.grid.cells if st.amount(*k, st.years[1]) > 0)
    before = view.updates
    view.grid.cells[key].value = str(round(st.amount(*key, st.years[1]) / 1e9 * 0.9, 3))
    assert view.updates == before + 1 and len(shown) == 1
    seen = (view.w["problems"].value, view.w["total"].value)
    real()
    assert (view.w["problems"].value, view.w["total"].value) == seen  # what the state shows
    view.refresh()  # a refresh no change asked for shows them itself
    assert len(shown) == 2
