"""The optimiser's outputs name the money of a year under the 2026–2035 programme by the content
it stands for («C1 – Hỗ trợ đầu tư … các xã nghèo (dự kiến)»), not by the 2021–2025 line whose
mechanism runs it («P1.1 (… các huyện nghèo)»); an undated scenario's outputs keep their labels.

Run on the bundled plan_2027 under the states model (as tests/test_optimize_dated_cells.py: the
labels do not depend on the poverty model) with P1.1 capped at 100 billion in 2026 and 2027, so
that the cap binds in years of the dated catalogue. Every expected label is built here from the
catalogue's YAML file read on its own (the content whose `effects_from` is the line, its project
and `name_vi` / `name_en`), not from the code under test nor from an earlier output.
"""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from test_optimize_dated_cells import REQUEST, states_plan

from simlib.allocate import plots
from simlib.allocate.explain import names_of
from simlib.allocate.optimize import optimize
from simlib.allocate.output import read_optimization, write_optimization
from simlib.allocate.spec import resolve_spec
from simlib.scenario import load_scenario

CATALOGUE = ROOT / "params" / "catalogues" / "2026_2035.yaml"
OLD_P11_VI = "các huyện nghèo"  # P1.1's 2021–2025 name ends so; C1's says «các xã nghèo»


def title(item: str, lang: str) -> tuple[str, str]:
    """(content id, «C1 – name») of the content whose mechanism is the line of budget item `item`
    (the line itself, or the line a content item belongs to: P4.1.facilities → P4.1), from the
    YAML file."""
    doc = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))
    mech = {spec["effects_from"]: c for c, spec in doc["lines"].items()}
    line = max((m for m in mech if item == m or item.startswith(m + ".")), key=len)
    content = mech[line]
    project = next(p for p, spec in doc["projects"].items() if content in spec["lines"])
    return content, f"{project} – {doc['lines'][content][f'name_{lang}']}"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    plan = states_plan()
    result = optimize(plan, resolve_spec(plan, REQUEST), with_frontier=False)
    folder = write_optimization(result, tmp_path_factory.mktemp("opt") / "out", report=False)
    return read_optimization(folder)


def test_the_binding_cap_names_the_content(out):
    b = out["binding"]
    caps = b[(b["code"] == "P1.1") & b["year"].isin([2026, 2027])]
    assert len(caps), b[["kind", "code", "year"]]
    for lang in ("vi", "en"):
        _, name = title("P1.1", lang)
        for text in caps[f"text_{lang}"]:
            assert name in text, text
    assert not caps["text_vi"].str.contains(OLD_P11_VI).any()


def test_explanations_of_the_dated_years_name_contents(out):
    why = out["summary"]["explanation"]
    texts = [z["text"]["vi"] for z in why["zero_lines"]] + (
        [why["best_line"]["text"]["vi"]] if why["best_line"] else []
    )
    for z in why["zero_lines"]:  # every optimised year is 2026 or 2027: a line's money is its content's
        _, name = title(z["line"], "vi")
        assert name in z["text"]["vi"], z["text"]["vi"]
    assert not any(OLD_P11_VI in t for t in texts)
    # a content is one decision: named once, and never when one of its cells got money
    named = [title(z["line"], "vi")[1] for z in why["zero_lines"]]
    a = out["allocation"]
    funded = {title(ln, "vi")[1] for ln in a[(a["allocation"] == "optimal") & (a["year"] >= 2026)]["line"]}
    assert len(named) == len(set(named)) and not set(named) & funded, (named, funded)


def test_tables_by_year_give_each_dated_row_its_content(out):
    for table in ("allocation", "spending_by_district", "unallocatable"):
        df = out[table]
        if df.empty:
            continue
        assert "content" in df, table
        content = df["content"].fillna("")
        assert (content[df["year"] < 2026] == "").all(), table
        dated = df[(df["year"] >= 2026) & (df["line"] == "P1.1")]
        assert (dated["content"] == title("P1.1", "vi")[0]).all(), table


def test_lines_table_and_report_labels(out):
    lines = out["lines"].set_index("line")
    content, name_vi = title("P1.1", "vi")
    assert lines.loc["P1.1", "content"] == content and lines.loc["P1.1", "content_from"] == 2026
    assert lines.loc["P1.1", "content_vi"] == name_vi and lines.loc["P1.1", "content_en"] == title("P1.1", "en")[1]
    assert pd.isna(lines.loc["P1.2", "content"]) or lines.loc["P1.2", "content"] == ""  # Decision 880: none
    labels = dict(zip(out["lines"]["line"], plots.line_labels(out["lines"], "vi")))
    assert labels["P1.1"].endswith(f"; từ 2026: {name_vi}")
    assert plots.line_labels(out["lines"], "en", short=True)[list(out["lines"]["line"]).index("P1.1")] == (
        "P1.1 (from 2026: C1)"
    )
    assert plots.dated_note(out["lines"], "vi").startswith("Từ năm 2026")


def test_unallocatable_rows_of_dated_years_are_contents():
    df = pd.DataFrame(
        {
            "allocation": ["plan", "plan", "plan"],
            "year": [2025, 2026, 2027],
            "line": ["P5", "P5", "P5"],
            "district": ["a", "a", "a"],
            "acting_bn": [1.0, 1.0, 1.0],
            "unallocatable_bn": [0.5, 0.25, 0.25],
            "content": ["", "C5.housing", "C5.housing"],
        }
    )
    got = plots.unallocatable_summary(df, "vi")
    assert dict(zip(got.index, got.iloc[:, 0])) == {"P5": 0.5, title("P5", "vi")[1]: 0.5}


def test_an_undated_scenario_keeps_its_names():
    scen = load_scenario(ROOT / "params" / "scenarios" / "plan_2024.yaml")
    names = names_of(scen)
    assert not [k for k in names if len(k) == 4]
    assert names[("line", "P1.1", "vi")].startswith("P1.1 (")
