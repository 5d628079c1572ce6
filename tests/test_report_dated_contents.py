"""The money tables of a dated scenario's report name the 2026–2035 programme's contents in its
years (simlib.report.dated_rows): plan_2027's 2026 and 2027 rows are the draft catalogue's
contents, not the 2021–2025 lines (whose names speak of poor districts, abolished in 2025), with
the amounts the scenario file gives them; an undated scenario's tables keep their form.

Fast: the scenarios are loaded, not run — the tables read the run only through its programme
table, made here with known beneficiaries per (item, year) so that where each lands is checked."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml

from simlib import i18n
from simlib.paths import params_dir
from simlib.report import data, dated_rows, money
from simlib.report.deprivation import removals_by_line
from simlib.report.money import money_table, unallocated, unallocated_table
from simlib.report.tables import budget_table
from simlib.scenario import load_scenario

SOURCES_VI = {
    "central_investment": "NSTW – vốn đầu tư phát triển (tỷ đồng)",
    "central_recurrent": "NSTW – vốn sự nghiệp (tỷ đồng)",
}


def fake_programme(scen) -> pd.DataFrame:
    """A programme table: 80 % of each (item, year)'s money spent, beneficiaries a known number
    per (item, year) where money is planned, and P1.2 reaching households in 2026 with no money
    of the year (the lagged effect of 2025's investment, as in the run)."""
    bud = data.budget_by_line(scen).groupby(["line", "year"])["vnd"].sum()
    rows = []
    for (line, year), vnd in bud.items():
        reached = 1000.0 + 10 * scen.catalogue.index(line) + (year - 2020) if vnd > 0 else 0.0
        if (line, year) == ("P1.2", 2026):
            reached = 2542.0
        rows.append(dict(draw=0, line=line, year=year, spend_vnd=0.8 * vnd, reached=reached, eligible=5000.0))
    return pd.DataFrame(rows)


def context(name: str, lang: str = "vi"):
    scen = load_scenario(params_dir() / "scenarios" / f"{name}.yaml")
    return SimpleNamespace(
        scenario=scen,
        lang=lang,
        tables=SimpleNamespace(programme=fake_programme(scen)),
        result=SimpleNamespace(),  # no absorption table: money reaching no one is spent − reached x norm
        t=lambda k, **kw: i18n.t(k, lang, **kw),
    )


@pytest.fixture(scope="module")
def plan_2027():
    return context("plan_2027")


@pytest.fixture(scope="module")
def budget_2027(plan_2027):
    return budget_table(plan_2027).frame


def file_contents() -> tuple[dict, dict]:
    """plan_2027's 2027 money by content and source, and each content's (project code, Vietnamese
    name), read from the YAML files themselves."""
    scen = yaml.safe_load((params_dir() / "scenarios" / "plan_2027.yaml").read_text(encoding="utf-8"))
    cat = yaml.safe_load((params_dir() / "catalogues" / "2026_2035.yaml").read_text(encoding="utf-8"))
    names = {c: (d["project"], d["name_vi"]) for c, d in cat["lines"].items()}
    return scen["budget"]["years"][2027]["contents"], names


def test_2027_rows_name_the_contents_not_the_districts(budget_2027):
    rows = budget_2027[budget_2027["Năm"] == 2027]
    labels = rows.iloc[:, 0].tolist()
    assert labels and not any("huyện" in x for x in labels)
    _, names = file_contents()
    for content, (project, name) in names.items():
        assert sum(x.startswith(f"{project} {name} (theo cơ chế P") for x in labels) == 1, content
    assert all(x.startswith("C") for x in labels)  # every 2027 row is a content (nothing lagged)
    assert "(dự kiến)" in labels[0]  # the draft catalogue's candidates say so


def test_2027_amounts_are_the_scenario_files(budget_2027):
    given, names = file_contents()
    for year in (2026, 2027):  # 2026 is `same_as: 2027`
        rows = budget_2027[budget_2027["Năm"] == year].set_index(budget_2027.columns[0])
        for content, amounts in given.items():
            project, name = names[content]
            row = rows[rows.index.str.startswith(f"{project} {name} (")].iloc[0]
            for src, col in SOURCES_VI.items():
                assert row[col] == pytest.approx(float(amounts.get(src, 0.0))), (year, content, src)
            assert row["Tổng vốn kế hoạch (tỷ đồng)"] == pytest.approx(sum(amounts.values()))
        assert rows["Tổng vốn kế hoạch (tỷ đồng)"].sum() == pytest.approx(796.0)


def test_2024_rows_keep_the_2021_2025_lines(budget_2027):
    rows = budget_2027[budget_2027["Năm"] == 2024].set_index(budget_2027.columns[0])
    p11 = rows[rows.index.str.startswith("P1.1 ")].iloc[0]
    assert "huyện nghèo" in p11.name and p11[SOURCES_VI["central_investment"]] == pytest.approx(330.0)
    assert not rows.index.str.startswith("C").any()


def test_lagged_beneficiaries_keep_their_line_and_every_number_is_in_one_row(plan_2027, budget_2027):
    lagged = budget_2027[budget_2027.iloc[:, 0].str.contains("tác động trễ")]
    assert lagged.iloc[:, 0].str.startswith("P1.2 ").all() and lagged["Năm"].tolist() == [2026]
    assert lagged["Số đối tượng được hỗ trợ"].tolist() == [2542.0]
    assert lagged["Chi phí bình quân (triệu đồng/đối tượng)"].isna().all()  # no money of its own
    prog = plan_2027.tables.programme
    for year in plan_2027.scenario.years:
        rows = budget_2027[budget_2027["Năm"] == year]
        assert rows["Số đối tượng được hỗ trợ"].sum() == pytest.approx(prog.loc[prog["year"] == year, "reached"].sum())
        assert rows["Vốn giải ngân (tỷ đồng)"].sum() == pytest.approx(
            prog.loc[prog["year"] == year, "spend_vnd"].sum() / 1e9
        )


def test_money_table_splits_a_line_across_the_two_programmes(plan_2027):
    table = money_table(plan_2027)
    df = table.frame.set_index(table.frame.columns[0])
    p11 = df.loc[[x for x in df.index if x.startswith("P1.1 Hạ tầng")]].iloc[0]
    c1 = df.loc[[x for x in df.index if x.startswith("C1 ")]].iloc[0]
    assert p11["Vốn kế hoạch 2024–2027 (tỷ đồng)"] == pytest.approx(690.0)  # 2024 + 2025 only
    assert c1["Vốn kế hoạch 2024–2027 (tỷ đồng)"] == pytest.approx(2 * 557.0)
    assert np.isnan(p11["Đối tượng được hỗ trợ 2027"]) and np.isnan(c1["Đối tượng được hỗ trợ 2024"])
    assert "(dự kiến)" in c1.name and "(theo cơ chế P1.1)" in c1.name
    total = df["Vốn kế hoạch 2024–2027 (tỷ đồng)"].sum()
    assert total == pytest.approx(data.budget_by_line(plan_2027.scenario)["vnd"].sum() / 1e9)
    assert "BẢN NHÁP" in table.note
    labels = list(df.index)  # the contents right after the 2021–2025 lines, before their zero contents
    assert labels.index(c1.name) < labels.index(next(x for x in labels if x.startswith("P1.1 Duy tu")))
    assert labels.index(c1.name) > labels.index(next(x for x in labels if x.startswith("P7.2 ")))


def test_money_reaching_no_one_is_split_the_same_way(plan_2027):
    table = unallocated_table(plan_2027)
    labels = table.frame.iloc[:, 0]
    assert labels.str.startswith("C1 ").sum() == 1 and labels.str.startswith("P1.1 Hạ tầng").sum() == 1
    money = table.frame.iloc[:, 2]  # the last row: the total, the rows above adding up to it
    assert money.iloc[-1] == pytest.approx(round(unallocated(plan_2027)["unallocated_vnd"].sum() / 1e9, 1))
    assert money.iloc[:-1].sum() == pytest.approx(money.iloc[-1])


def test_english_labels(plan_2027):
    ctx = context("plan_2027", "en")
    df = budget_table(ctx).frame
    labels = df[df["Year"] == 2027].iloc[:, 0]
    assert labels.str.endswith("(candidate) (run as P1.1)").sum() == 1


def test_an_undated_scenario_keeps_its_form():
    ctx = context("plan_2024")
    cat, scen = ctx.scenario.catalogue, ctx.scenario
    bt = budget_table(ctx)
    expected = [f"{c} {cat.lines[c].name('vi')}" for c in cat.codes for _ in scen.years]
    assert bt.frame.columns[0] == "Dự án, tiểu dự án" and bt.frame.iloc[:, 0].tolist() == expected
    assert bt.note == ""
    mt = money_table(ctx)
    assert mt.frame.columns[0] == "Dự án, tiểu dự án" and len(mt.frame) == len(cat.codes) and mt.note == ""


def test_money_charts_name_the_2026_projects(plan_2027):
    budget = money._budget_chart(plan_2027)
    assert budget.title.startswith("C1 Hạ tầng thiết yếu xã nghèo") and "(dự kiến)" in budget.title
    assert "BẢN NHÁP" in budget.caption
    labels = [t.get_text() for t in budget.figure.axes[0].get_yticklabels()]
    assert "P1 Hạ tầng huyện nghèo" in labels and any(x.startswith("C7 ") for x in labels)
    reach = money._reach_chart(plan_2027)
    labels = [t.get_text() for t in reach.figure.axes[0].get_yticklabels()]
    assert "P1.1 Hạ tầng KT-XH huyện nghèo / từ 2026: C1" in labels
    assert "P1.2 Đề án hỗ trợ huyện nghèo thoát nghèo" in labels  # no content continues its mechanism
    undated = money._budget_chart(context("plan_2024"))
    assert undated.title.startswith("P1 Hạ tầng huyện nghèo") and "BẢN NHÁP" not in undated.caption


def test_deprivations_removed_by_content_in_the_2026_years(plan_2027):
    scen = plan_2027.scenario
    rem = pd.DataFrame(
        [
            dict(
                draw=0,
                year=y,
                district="01273",
                line=line,
                dimension="housing",
                indicator="housing_quality",
                households=n,
            )
            for y, line, n in [(2025, "P5", 10.0), (2027, "P5", 7.0), (2026, "P1.2", 3.0), (2027, "P1.1", 5.0)]
        ]
    )
    relabelled, names = dated_rows.removals_by_content(rem, scen, "vi")
    names = dict({c: ln.name("vi") for c, ln in scen.catalogue.lines.items()}, **names)
    table = removals_by_line(relabelled, line_names=names, lang="vi")
    rows = table.iloc[:, -2].to_dict()  # households removed, by row
    assert (
        rows["C5 (theo cơ chế P5) – Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn các xã nghèo (dự kiến)"] == 7.0
    )
    assert rows["P5 – Hỗ trợ nhà ở cho hộ nghèo, hộ cận nghèo trên địa bàn các huyện nghèo"] == 10.0
    assert any(k.startswith("P1.2 – ") and v == 3.0 for k, v in rows.items())  # no content runs P1.2 in 2026
    assert sum(rows.values()) == 25.0
    same, none = dated_rows.removals_by_content(rem, context("plan_2024").scenario, "vi")
    assert same is rem and none == {}  # an undated scenario's removals are left as they are
