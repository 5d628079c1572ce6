"""Report building blocks, checked against independent calculations on the tiny dataset:
formatting, headline numbers, scorecard, exports, HTML rendering, the allocation explorer."""

from __future__ import annotations

import subprocess
import sys
import warnings

import nbformat
import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, make_scenario, tiny_raw
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from simlib.i18n import LocalText, fmt
from simlib.report import charts as C
from simlib.report import data as D
from simlib.report import html
from simlib.runner import run


@pytest.fixture(scope="module")
def tiny_run():
    return run(make_scenario())


# --------------------------------------------------------------------------- formatting


# --------------------------------------------------------------------------- summaries


def test_headline_matches_the_tidy_tables(tiny_run):
    ind, states, flows = tiny_run.indicators, tiny_run.states, tiny_run.flows
    h = D.headline(ind, tiny_run.targets)
    y0, y1 = states["year"].min(), states["year"].max()
    # poor rate from the states table: poor households / all households
    for year, key in ((y0, "poor_rate_start"), (y1, "poor_rate_end")):
        s = states[states["year"] == year]
        assert h[key] == pytest.approx(100 * s.loc[s["state"] == "poor", "households"].sum() / s["households"].sum())
    # households leaving poverty: escapes + moves to near-poor, summed from the flows table
    left = flows[flows["flow"].isin(["escape", "poor_to_near_poor"])]["households"].sum()
    assert h["left_poverty_total"] == pytest.approx(left)
    assert h["relapses_total"] == pytest.approx(flows.loc[flows["flow"] == "relapse", "households"].sum())
    assert h["new_poor_total"] == pytest.approx(flows.loc[flows["flow"] == "new_poor", "households"].sum())
    # money: the programme table's spending, in billion VND
    assert h["spend_total_billion"] == pytest.approx(tiny_run.programme["spend_vnd"].sum() / 1e9)
    # targets met in the last year: a target counts when every one of its rows is met
    last = tiny_run.targets[tiny_run.targets["year"] == y1]
    per_target = last.groupby("target_id")["met"].all()
    assert (h["targets_met"], h["targets_total"]) == (int(per_target.sum()), len(per_target))
    # expected engine: one draw, so no spread
    assert h["poor_rate_end_lo"] == h["poor_rate_end"] == h["poor_rate_end_hi"]


def test_target_status_and_scorecard_by_hand():
    rows = []
    # target A over two areas and 4 draws: met everywhere in draws 0,1; area 'b' misses in 2,3
    for draw in range(4):
        rows.append(("A", "province", "a", 2024, draw, -5.0, True))
        rows.append(("A", "district", "b", 2024, draw, -5.0 if draw < 2 else -3.0, draw < 2))
        rows.append(("B", "province", "province", 2024, draw, 70.0 + draw, draw == 3))
    t = pd.DataFrame(rows, columns=["target_id", "geo_type", "geo", "year", "draw", "value", "met"])
    t["indicator"], t["comparison"], t["threshold"] = "x", "<=", -4.0
    t["label_vi"], t["label_en"] = t["target_id"], t["target_id"]
    st = D.target_status(t).set_index("target_id")
    assert st.loc["A", "share_met"] == 0.5 and bool(st.loc["A", "met"])  # half of the draws: met
    assert st.loc["B", "share_met"] == 0.25 and not bool(st.loc["B", "met"])
    sc = D.scorecard(t)
    b = sc[(sc["target_id"] == "A") & (sc["geo"] == "b")].iloc[0]
    assert b["value"] == pytest.approx(-4.0) and b["share_met"] == 0.5 and b["detail"]
    assert list(sc["target_id"]) == ["A", "A", "B"] and not sc.iloc[0]["detail"]  # own area before districts


def test_target_path_closed_form():
    xs, ys = D.target_path(24.7, -4.0, 2023, [2024, 2025])
    assert xs == [2023, 2024, 2025] and ys == pytest.approx([24.7, 20.7, 16.7])


def test_series_spread_over_draws():
    ind = pd.DataFrame(
        {
            "draw": range(5),
            "year": 2024,
            "geo": "province",
            "geo_type": "province",
            "indicator": "poor_rate",
            "value": [10.0, 11.0, 12.0, 13.0, 14.0],
        }
    )
    s = D.series(ind, "poor_rate").iloc[0]
    assert s["mean"] == 12.0 and s["draws"] == 5
    assert s["lo"] == pytest.approx(10.2) and s["hi"] == pytest.approx(13.8)  # 5th / 95th percentile, linear


def test_budget_table_conserves_money_and_reach(tiny_run):
    from simlib.report import scenario_report as R
    from simlib.report.tables import budget_table

    scen = tiny_run.scenario
    bf = budget_table(R.context(tiny_run, "en")).frame
    assert bf["Planned total (billion VND)"].sum() == pytest.approx(scen.budget.amounts[1:].sum() / 1e9)
    assert bf["Spent (billion VND)"].sum() == pytest.approx(tiny_run.programme["spend_vnd"].sum() / 1e9)
    assert bf["Beneficiaries reached"].sum() == pytest.approx(tiny_run.programme["reached"].sum())
    assert bf.iloc[:, 0].astype(str).str.strip().ne("").all()  # every row labelled (line code and name)


# --------------------------------------------------------------------------- charts


def test_label_spreading_keeps_order_and_gap():
    rng = np.random.default_rng(1)
    ys = rng.uniform(0, 10, 12)
    pos = np.array(C.spread_positions(ys, 0.5, 0, 10))
    order = np.argsort(ys, kind="stable")
    assert np.all(np.diff(pos[order]) >= 0.5 - 1e-12)
    far = C.spread_positions([1.0, 5.0], 0.5, 0, 10)
    assert far == [1.0, 5.0]  # labels that do not collide stay where their lines end


def test_vietnamese_labels_render_without_missing_glyphs():
    s = C.Series("Dự báo", [2023, 2024], [24.7, 20.1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = C.line_chart(
            [s],
            ylabel="Tỷ lệ hộ nghèo (%)",
            xlabel="Năm (rà soát cuối năm)",
            lang="vi",
            targets=[C.Target("Lộ trình chỉ tiêu", [2023, 2024], [24.7, 20.7])],
            value_fmt=lambda v: fmt.percent(v, "vi"),
        )
        png = C.to_png(fig)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert not [w for w in caught if "glyph" in str(w.message).lower()]


def test_an_embedded_pyplot_figure_is_released_and_others_are_left_alone():
    import matplotlib.pyplot as plt  # local import: only this test needs pyplot

    managed, _ = plt.subplots()
    plain = C.new_figure(3, 2)
    plain.subplots().plot([0, 1], [1, 0])
    assert plt.fignum_exists(managed.number)
    for fig in (managed, plain):
        assert '<img alt="x" src="data:image/png;base64,' in html.figure(html.Chart(fig, caption="x"))
    assert not plt.fignum_exists(managed.number)  # the inline backend would have drawn it again
    assert plain.canvas.manager is None and len(plain.axes) == 1  # made without pyplot: untouched


# --------------------------------------------------------------------------- exports


def test_xlsx_sheets_match_the_csv_files(tmp_path, tiny_run):
    from simlib.report import scenario_report as R
    from simlib.report import table as T
    from simlib.report.tables import export_run, report_tables

    ctx = R.context(tiny_run, "vi")
    written = export_run(ctx, tmp_path)
    assert "tables.xlsx" in written and "manifest.json" in written and "verdicts.csv" in written
    book = pd.read_excel(tmp_path / "tables.xlsx", sheet_name=None)
    tables = report_tables(ctx)
    assert list(book)[0] == "Thông tin" and len(book) == len(tables) + 1
    for t, sheet in zip(tables, list(book)[1:], strict=True):
        csv = T.read_csv(tmp_path / f"table_{t.key}.csv", "vi")
        pd.testing.assert_frame_equal(book[sheet], csv, check_dtype=False)
        assert list(csv.columns) == [str(c) for c in t.frame.columns]
    # the scorecard for people agrees with the machine-readable verdicts row by row
    v = pd.read_csv(tmp_path / "verdicts.csv")
    sc = T.read_csv(tmp_path / "table_scorecard.csv", "vi")
    assert len(sc) == len(v)
    assert list(sc["Kết quả"]) == [
        {"met": "Đạt", "not_met": "Không đạt", "uncertain": "Chưa chắc đạt"}[s] for s in v["status"]
    ]


# --------------------------------------------------------------------------- HTML


def test_report_html_hides_code_and_is_self_contained(tiny_run):
    from simlib.report import render
    from simlib.report import scenario_report as R

    ctx = R.context(tiny_run, "vi")
    blocks = R.build(ctx)
    n_charts = sum(isinstance(b, R.html.Chart) for b in blocks)
    nb = new_notebook(
        cells=[
            new_markdown_cell("internal note", metadata={"tags": ["hide"]}),
            new_code_cell("SECRET_CODE = 1", metadata={"tags": ["parameters"]}),
            new_code_cell(
                "report.show(blocks)",
                outputs=[
                    nbformat.v4.new_output("display_data", data={"text/html": R.to_html(blocks)}),
                    nbformat.v4.new_output("stream", name="stderr", text="a warning nobody should read\n"),
                ],
            ),
        ]
    )
    page = render.to_html(nb, "t", "vi")
    assert "SECRET_CODE" not in page and "report.show" not in page and "internal note" not in page
    assert "a warning nobody should read" not in page
    assert page.count('src="data:image/png;base64,') == n_charts >= 7
    assert "<script" not in page and 'src="http' not in page and "<link" not in page
    assert 'lang="vi"' in page and "Tỷ lệ hộ nghèo" in page


def test_notebooks_run_in_this_environment(tmp_path):
    """papermill's python3 kernel is this interpreter (no kernelspec to install by hand)."""
    from simlib.report import render

    nb = new_notebook(
        cells=[
            new_code_cell("x = 0", metadata={"tags": ["parameters"]}),
            new_code_cell("import sys\nprint(sys.executable, x)"),
        ],
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    )
    src = tmp_path / "k.ipynb"
    nbformat.write(nb, src)
    out = render.execute(src, tmp_path / "o.ipynb", {"x": 7})
    text = out.cells[-1].outputs[0]["text"].split()
    assert text[1] == "7"
    assert __import__("os").path.realpath(text[0]) == __import__("os").path.realpath(sys.executable)


# --------------------------------------------------------------------------- explorer


def test_explorer_reproduces_the_starting_budget_and_honours_shares():
    from simlib.report import explore as E

    scen = make_scenario()
    shares, env = E.base_shares(scen), E.base_envelope(scen)
    np.testing.assert_allclose(E.allocation_amounts(scen, shares, env), scen.budget.amounts, rtol=1e-12, atol=1e-3)
    new = E.allocation_amounts(scen, {"P2": 1.0, "P5": 3.0}, 100e9)  # weights, rescaled to 1/4 and 3/4
    per_year = new.sum(axis=(1, 2))
    np.testing.assert_allclose(per_year, 100e9)
    lines = scen.budget.lines
    p5 = new[:, [i for i, code in enumerate(lines) if code == "P5"]].sum(axis=(1, 2))
    np.testing.assert_allclose(p5, 75e9)
    # a project the starting scenario does not fund gets its lines by share_of_project
    p4 = E.allocation_amounts(scen, {"P4": 1.0}, 10e9)[1].sum(axis=1)
    expect = {lc: w * 10e9 for lc, w in scen.catalogue.expand("P4")}
    for lc, v in expect.items():
        assert p4[lines.index(lc)] == pytest.approx(v)


def test_saved_allocation_is_a_valid_scenario(tmp_path):
    import yaml

    from simlib.errors import InputError
    from simlib.report import explore as E
    from simlib.scenario import load_scenario

    base_file = tmp_path / "base.yaml"
    base_file.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    scen = load_scenario(base_file)
    amounts = E.allocation_amounts(scen, {"P1": 0.5, "P3": 0.3, "P7": 0.2}, 60e9)
    out = tmp_path / "saved" / "my_split.yaml"
    E.save_scenario(scen, amounts, out, "my_split", LocalText("Phương án thử", "Trial split"))
    r = subprocess.run([sys.executable, "-m", "simlib", "validate", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    again = load_scenario(out)
    assert again.name == "my_split"
    np.testing.assert_allclose(again.budget.amounts, amounts, atol=1e3)  # written in billion VND to 6 decimals
    with pytest.raises(InputError):
        E.save_scenario(scen, amounts, out, "my_split", LocalText("x", "x"))  # never overwrites silently


def test_deprivation_section_for_the_multidimensional_model():
    """A multidim run's report has the deprivation section (charts embedded, tables filled);
    a states run's report has none."""
    from conftest import make_scenario, tiny_raw

    from simlib.report import scenario_report as R
    from simlib.runner import run

    md = R.context(run(make_scenario(tiny_raw(model="multidim"))), "en")
    blocks = R.deprivations(md)
    html = R.to_html(blocks)
    assert 'id="deprivations"' in html and html.count("data:image/png;base64,") >= 3
    assert "<table" in html and "Housing" in html
    st = R.context(run(make_scenario(tiny_raw())), "en")
    assert R.deprivations(st) == []
