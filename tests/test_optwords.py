"""The optimiser's remaining outputs in the programme's own words.

- the terminal summary names the lines of its marginal values as the report does (code and
  name; a dated scenario's line also the 2026–2035 content its money stands for from 2026), one
  per text line with the value first; it does not print money reaching no one that rounds to
  0,00 billion, and neither does the report's table;
- the legal note on territories resting on the dataset's lists names, in the years under the
  2026–2035 programme, the contents (plan_2027), and stays as it was for plan_2024;
- `marginals_by_district.csv` gets the content of each line (a dated scenario only, as the other
  tables by line);
- capital errors give the allowed sources in words with the code a planner types.

Expected texts are written out here by hand from the inputs the tests give, or read from the
catalogue's YAML file (`test_optnames_outputs.title`), not from the code under test. No engine
run: the CLI's summary is fed a result-shaped object.
"""

from __future__ import annotations

import copy
import io
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario
from test_optnames_outputs import title

from simlib.allocate import plots, tables
from simlib.allocate.spec import resolve_spec
from simlib.cli.optimize import explain_to
from simlib.compliance.status import legal_status
from simlib.errors import InputError, InputErrors
from simlib.model import compile_levers, compile_structure
from simlib.programme_money import envelope_file, envelope_problems
from simlib.programmes import load_periods, load_programme_catalogue
from simlib.scenario import load_scenario

PLAN_2027 = ROOT / "params" / "scenarios" / "plan_2027.yaml"
PLAN_2024 = ROOT / "params" / "scenarios" / "plan_2024.yaml"


# --- the CLI's summary --------------------------------------------------------------------------
def lines_table() -> pd.DataFrame:
    """lines.csv of a dated scenario, four lines: P1.1 continued by C1 from 2026, the others by
    no content (P1.2 has none; P5 and P4.1 left without one to keep the labels short)."""
    return pd.DataFrame(
        {
            "line": ["P1.1", "P1.2", "P4.1", "P5"],
            "name_vi": ["Hạ tầng huyện nghèo", "Đề án 880", "Giáo dục nghề nghiệp", "Nhà ở"],
            "name_en": ["Infrastructure", "Scheme 880", "Vocational education", "Housing"],
            "objective_per_billion_added": [12.5, np.nan, 2.55, 2.56],
            "content": ["C1.infrastructure_poor_communes", "", "", ""],
            "content_from": pd.array([2026, None, None, None], dtype="Int64"),
            "content_vi": ["C1 – Hạ tầng xã nghèo (dự kiến)", "", "", ""],
            "content_en": ["C1 – Infrastructure of poor communes (candidate)", "", "", ""],
        }
    )


def fake_result(unallocatable: pd.DataFrame) -> SimpleNamespace:
    names = {"thach_an": "Huyện Thạch An", "bao_lam": "Huyện Bảo Lâm"}
    dataset = SimpleNamespace(level="district", unit_name=lambda u, lang: names[u])
    districts = pd.DataFrame(
        {"line": ["P5", "P1.1"], "district": ["bao_lam", "thach_an"], "objective_per_billion_added": [2.57, 4.27]}
    )
    return SimpleNamespace(
        binding=[],
        best_line=None,
        lines=lines_table(),
        districts=districts,
        problem=SimpleNamespace(scenario=SimpleNamespace(dataset=dataset)),
        zero_lines=[],
        unallocatable=unallocatable,
        plan_findings=[],
        plan_breaches=[],
        legal={},
        legal_violations=[],
    )


def lost(rows: list[tuple[str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "allocation": [a for a, _ in rows],
            "year": [2025] * len(rows),
            "line": ["P4.2"] * len(rows),
            "district": ["quang_hoa"] * len(rows),
            "acting_bn": [2.0] * len(rows),
            "unallocatable_bn": [v for _, v in rows],
        }
    )


def summary(res, lang: str) -> list[str]:
    out = io.StringIO()
    explain_to(res, lang, out)
    return out.getvalue().splitlines()


def test_the_summary_names_each_marginal_line_as_the_report_does():
    """Highest first, one per line, the values right-aligned (12,50 is one character wider than
    2,56); the dated line with its content from 2026, a unit before its line."""
    got = summary(fake_result(lost([])), "vi")
    at = got.index("  Giá trị biên của 1 tỷ đồng tăng thêm, cao nhất:")
    assert got[at + 1 : at + 4] == [
        "      12,50  P1.1 Hạ tầng huyện nghèo; từ 2026: C1 – Hạ tầng xã nghèo (dự kiến)",
        "       2,56  P5 Nhà ở",
        "       2,55  P4.1 Giáo dục nghề nghiệp",
    ]
    assert got[at + 4] == "  Giá trị biên của 1 tỷ đồng tăng thêm theo dự án và huyện, cao nhất:"
    assert got[at + 5 : at + 7] == [
        "      4,27  Huyện Thạch An: P1.1 Hạ tầng huyện nghèo; từ 2026: C1 – Hạ tầng xã nghèo (dự kiến)",
        "      2,57  Huyện Bảo Lâm: P5 Nhà ở",
    ]
    en = summary(fake_result(lost([])), "en")
    assert "      12.50  P1.1 Infrastructure; from 2026: C1 – Infrastructure of poor communes (candidate)" in en


def test_money_reaching_no_one_that_rounds_to_zero_is_not_printed():
    """0.0022 billion (2.2 million VND) would read «0,00 tỷ đồng không đến được đối tượng nào»:
    left out; 0.5 billion is said (0,50)."""
    got = "\n".join(summary(fake_result(lost([("equal_split", 0.0022), ("plan", 0.5)])), "vi"))
    assert "Chia đều theo nguồn vốn" not in got and "0,00 tỷ đồng" not in got
    assert "Kế hoạch (kịch bản gốc): 0,50 tỷ đồng không đến được đối tượng nào" in got


def test_the_reports_table_leaves_out_rows_and_allocations_at_zero():
    table = pd.concat([lost([("equal_split", 0.0022), ("plan", 0.5)]), lost([("optimal", 0.004)])])
    table.loc[table["allocation"] == "optimal", "line"] = "P5"
    got = plots.unallocatable_summary(table, "vi")
    assert list(got.index) == ["P4.2"] and list(got.columns) == ["Kế hoạch (kịch bản gốc)"]
    assert got.loc["P4.2", "Kế hoạch (kịch bản gốc)"] == 0.5
    assert plots.unallocatable_summary(lost([("equal_split", 0.0022)]), "vi").empty  # «Không có.»


# --- legal notes ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def plan_2027():
    return load_scenario(PLAN_2027)


def record(scen) -> dict:
    return legal_status(scen, compile_levers(scen, compile_structure(scen)).split, [])


def test_unverified_territory_names_the_contents_in_the_2026_2035_years(plan_2027):
    rec = record(plan_2027)
    p11 = next(e for e in rec["unverified_territory"] if e["item"] == "P1.1")
    assert p11["years"] == [2024, 2025, 2026, 2027]
    assert p11["contents"] == {2026: title("P1.1", "vi")[0], 2027: title("P1.1", "vi")[0]}
    for lang, before, after in (
        ("vi", "Năm 2024, 2025: ", "Năm 2026, 2027 (Chương trình MTQG 2026–2035): "),
        ("en", "In 2024, 2025, ", "In 2026, 2027 (2026–2035 national target programme), "),
    ):
        old = [n for n in rec[f"notes_{lang}"] if n.startswith(before)]
        new = [n for n in rec[f"notes_{lang}"] if n.startswith(after)]
        assert len(old) == 1 and len(new) == 1, rec[f"notes_{lang}"]
        assert "P1.1" in old[0] and "P5" in old[0]
        assert title("P1.1", lang)[1] in new[0] and title("P5", lang)[1] in new[0]
        assert "P1.1" not in new[0] and "P5" not in new[0]


def test_an_undated_scenario_keeps_its_note():
    rec = record(load_scenario(PLAN_2024))
    items = ", ".join(e["item"] for e in rec["unverified_territory"])
    assert items == "P1.1, P5, P6.1"
    assert (
        f"Địa bàn được hỗ trợ của {items} dựa vào danh sách trong bộ dữ liệu vì chưa đọc được danh sách "
        "chính thức: cần kiểm tra."
    ) in rec["notes_vi"]


# --- marginals_by_district.csv ----------------------------------------------------------------------
def test_marginals_by_district_get_the_content_of_their_line(plan_2027):
    """The columns lines.csv has for the same line (content, content_from); "" for P1.2."""
    problem = SimpleNamespace(
        scenario=plan_2027, model=SimpleNamespace(years=list(plan_2027.years), line_codes=plan_2027.catalogue.codes)
    )
    df = pd.DataFrame({"line": ["P1.1", "P1.2", "P5"], "district": ["a", "b", "c"]})
    got = tables.with_line_content(df, problem)
    assert list(got["content"]) == [title("P1.1", "vi")[0], "", title("P5", "vi")[0]]
    assert list(got["content_from"].astype(object).fillna(0)) == [2026, 0, 2026]
    undated = load_scenario(PLAN_2024)
    problem = SimpleNamespace(scenario=undated, model=SimpleNamespace(years=list(undated.years), line_codes=[]))
    assert list(tables.with_line_content(df, problem).columns) == ["line", "district"]


# --- capital errors ------------------------------------------------------------------------------------
def test_an_earmark_on_a_source_the_line_cannot_take_names_the_sources_in_words():
    scen = make_scenario()
    spec = {"counterpart_min_share": 0, "earmarks": [{"line": "P2", "source": "central_investment", "amount": 1}]}
    with pytest.raises((InputError, InputErrors)) as exc:
        resolve_spec(scen, spec, "spec.yaml")
    assert "nguồn được phép: NSTW – vốn sự nghiệp (central_recurrent)" in exc.value.message("vi")
    assert "allowed sources: Central – recurrent (central_recurrent)" in exc.value.message("en")


def test_an_envelope_by_content_names_the_capital_in_words():
    period = next(p for p in load_periods()["catalogues"] if p.covers(2027))
    cat = load_programme_catalogue(period.file)
    doc = copy.deepcopy(yaml.safe_load(envelope_file().read_text(encoding="utf-8")))
    doc["by_content"] = {"C5.housing": {"investment": {"value": 1}}}  # housing: recurrent capital only
    errors = [e for e in envelope_problems(doc, "envelope.yaml", cat) if e.code.startswith("capital")]
    assert len(errors) == 1
    vi, en = errors[0].message("vi"), errors[0].message("en")
    said = "nội dung C5.housing không dùng được nguồn vốn này; nguồn được phép: vốn sự nghiệp (recurrent)"
    assert vi.endswith(f"{said} (giá trị: 'investment')")
    assert "content C5.housing cannot be funded from this source; allowed sources: recurrent capital (recurrent)" in en
