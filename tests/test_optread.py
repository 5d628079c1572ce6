"""The optimiser's report read as a provincial leader and an adviser read it: the table of marginal
values by line and district names its rows as the catalogue names the contents, and a content
whose effect on households the model does not measure (catalogue `population: none`) is said to
be outside what the model weighs — never that a billion more there «changes nothing»."""

from __future__ import annotations

import nbformat
import pandas as pd
import pytest
from conftest import make_scenario
from test_allocate import ALL_BUT, known_raw, spec_for
from test_optimize_dated_cells import REQUEST, states_plan
from test_optnames_outputs import title

from simlib.allocate import labels, plots
from simlib.allocate.optimize import optimize
from simlib.allocate.output import binding_table, explanation_dict, report_html
from simlib.allocate.spec import resolve_spec
from simlib.report import optimization as T
from simlib.report.table import ReportTable, to_html

CODES = ("P4.1", "P4.1.facilities", "P6.1.border_post_equipment")


@pytest.fixture(scope="module")
def tiny():
    """The tiny fixture's optimum of 0.8 billion VND of recurrent money between P2 and P3.1 (every
    other budget line's ceiling 0): the contents the model gives no household benefit get nothing."""
    scen = make_scenario(known_raw())
    res = optimize(scen, spec_for(scen, {"central_recurrent": 0.8}, {c: {"ceiling": 0} for c in ALL_BUT}))
    return scen, res


def money_only(scen) -> set[str]:
    """The catalogue's items with `population: none`, read from the catalogue's own field."""
    return {code for code, line in scen.catalogue.lines.items() if line.population == "none"}


def test_marginal_by_district_rows_carry_the_contents_names_from_the_catalogue():
    cat = make_scenario().catalogue
    lines = pd.DataFrame(
        {
            "line": CODES,
            "name_vi": [cat.lines[c].name("vi") for c in CODES],
            "name_en": [cat.lines[c].name("en") for c in CODES],
        }
    )
    marg = pd.DataFrame(
        [(c, d, 1.0 if c == "P4.1" else 0.0) for c in CODES for d in ("bao_lac", "ha_quang")],
        columns=["line", "district", "objective_per_billion_added"],
    )
    names = {"bao_lac": "Huyện Bảo Lạc", "ha_quang": "Huyện Hà Quảng"}
    for lang in ("vi", "en"):
        table = T.districts(marg, lang, names, lines, "poor", "district", labels.unmeasured(cat))
        rows = list(table.frame.iloc[:, 0])
        assert rows[0] == f"P4.1 {cat.lines['P4.1'].name(lang)}"  # a line the model weighs: no mark
        for row, code in zip(rows[1:], CODES[1:]):
            # a content by its line's code and its own name, not by its identifier (English words)
            line = cat.lines[code].parent
            assert row == f"{line} – {cat.lines[code].name(lang)} (*)", row
        html = to_html(table, lang, caption=False)
        assert "P4.1.facilities" not in html and "P6.1.border_post_equipment" not in html
        assert "(*)" in table.note and ("hộ nghèo" if lang == "vi" else "poor households") in table.note
    assert "huyện" in T.districts(marg, "vi", names, lines, "poor", "district", labels.unmeasured(cat)).note
    assert "xã" in T.districts(marg, "vi", names, lines, "poor", "commune").note
    assert "(*)" not in T.districts(marg, "vi", names, lines).note  # no content marked: no such note


def test_a_content_the_model_does_not_measure_is_said_unmeasured_not_worthless(tiny):
    scen, res = tiny
    none = money_only(scen)
    zero = {z["line"]: z for z in res.zero_lines}
    said = none & set(zero)
    assert said, sorted(zero)
    for code in said:
        z = zero[code]
        assert z["measured"] is False
        assert "không đo tác động" in z["text"].vi and "does not measure" in z["text"].en, z["text"].vi
        assert "không làm thay đổi" not in z["text"].vi and "changes no" not in z["text"].en
        assert "tỉnh quyết định" in z["text"].vi and "province" in z["text"].en
        assert scen.catalogue.lines[code].name("vi") in z["name"].vi
    # P2 gets nothing and is weighed: its marginal value against the money's, as before
    assert zero["P2"]["measured"] is True and "ít hơn" in zero["P2"]["text"].vi
    # a content's cap of 0 is not said as «money beyond it may reach no one»
    caps = [b for b in res.binding if b.code in none and b.kind.startswith("cap")]
    assert caps and all(b.kind == "cap_unmeasured" and "không đo" in b.text.vi for b in caps)
    assert all("tỉnh quyết định" in b.basis.vi and "province" in b.basis.en for b in caps)


def test_why_says_the_unmeasured_contents_once_by_name(tiny):
    scen, res = tiny
    why = explanation_dict(res)
    none = sorted(money_only(scen) & {z["line"] for z in why["zero_lines"]})
    for lang in ("vi", "en"):
        notes = T.why_notes(why, lang)
        grouped = [n for n in notes if "\n  - " in n]
        assert len(grouped) == 1
        for code in none:
            # by its line and name, as the table by line (optleft), not by its identifier
            name = f"{scen.catalogue.lines[code].parent} – {scen.catalogue.lines[code].name(lang)}"
            assert sum(name in n for n in notes) == 1 and name in grouped[0]
        # a line the model weighs keeps its marginal wording (P3.2 reaches nobody here: «0,00»)
        nothing = [n for n in notes if "không làm thay đổi" in n or "changes no" in n]
        assert not any(code in n for code in none for n in nothing), nothing
    # a summary written before `measured` existed: each line its own item, as then
    old = {"best_line": None, "zero_lines": [{"line": "P2", "text": {"vi": "P2 …", "en": "P2 …"}}]}
    assert T.why_notes(old, "vi") == ["P2 …"]


def test_what_a_run_did_not_compute_is_said_not_shown_as_none(monkeypatch):
    """Economy effort computes no marginal value by unit and no frontier: the page says so
    («Không có.» read as «there are none»)."""
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    empty = pd.DataFrame()
    lines = pd.DataFrame({"line": ["P2"], "name_vi": ["Sinh kế"], "name_en": ["Livelihoods"]})
    units = T.districts(empty, "vi", {}, lines, "poor", "commune")
    assert units.frame.empty and "không tính" in units.note and "xã" in units.note
    front = T.frontier(pd.DataFrame(), "en")
    assert "did not compute" in front.note
    T.show(units, lang="vi")
    T.show(front, lang="en")
    assert units.note in shown[0] and "Không có" not in shown[0]
    assert front.note in shown[1]
    T.show(T.unallocatable(pd.DataFrame(), "vi"), lang="vi")  # nothing there: «Không có.»
    assert "Không có." in shown[2]


def test_the_marginal_chart_leaves_out_values_not_computed_and_contents_not_measured():
    lines = pd.DataFrame(
        {
            "line": ["P2", "P3.1", "P4.1.facilities"],
            "name_vi": ["a", "b", "c"],
            "name_en": ["a", "b", "c"],
            "optimal_bn_per_year": [1.0, 0.0, 0.0],
            "plan_bn_per_year": [1.0, 2.0, 0.0],
            "lifted_per_billion_added": [0.5, float("nan"), 0.0],
        }
    )
    fig = plots.plot_marginal(lines, "vi", frozenset({"P4.1.facilities"}))
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["P2"]
    fig = plots.plot_allocation(lines, "vi", frozenset({"P4.1.facilities"}))  # no money in either: left out
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["P2", "P3.1"]
    funded = lines.assign(plan_bn_per_year=[1.0, 2.0, 3.0])  # the plan funds it: shown
    fig = plots.plot_allocation(funded, "vi", frozenset({"P4.1.facilities"}))
    # named, marked as in the table (optleft: not by the bare code «P4.1.facilities»)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["P2", "P3.1", "c (*)"]


def test_the_targets_table_says_what_its_values_are_in():
    """«−3,58 ✗» and «46,74 ✗» side by side: the note says a fall in a rate is in points and a
    rate in %, as the summary's «−3,58 điểm %» and «46,74 %» say them."""
    rows = []
    for alloc in ("optimal", "plan"):
        for tid, ind, value in (("t1", "poor_rate_change", -3.58), ("t2", "coverage", 46.74)):
            rows.append(
                dict(
                    allocation=alloc, year=2024, target_id=tid, geo_type="province", geo="province",
                    indicator=ind, value=value, met=False, label_vi=tid, label_en=tid,
                )
            )  # fmt: skip
    table = pd.DataFrame(rows)
    vi, en = T.targets(table, "vi", {}).note, T.targets(table, "en", {}).note
    assert "điểm %" in vi and "tính bằng %" in vi and "✗: không đạt" in vi
    assert "percentage points" in en and "in %" in en
    only_rates = T.targets(table[table["indicator"] == "coverage"], "vi", {}).note
    assert "điểm %" not in only_rates and "tính bằng %" in only_rates


@pytest.fixture(scope="module")
def dated():
    """plan_2027 under the states model (as tests/test_optnames_outputs.py): the money of 2026 and
    2027 stands for the contents of the 2026–2035 draft catalogue."""
    plan = states_plan()
    return plan, optimize(plan, resolve_spec(plan, REQUEST), with_frontier=False)


def test_a_content_not_measured_is_named_by_itself_under_the_dated_catalogue(dated):
    """P4.1.facilities' money of 2027 stands for C4, which P4.1 (measured) funds: its rule must
    not read «C4 – …: the model does not measure …» but name the facilities content itself."""
    plan, res = dated
    caps = [b for b in res.binding if b.kind == "cap_unmeasured"]
    assert caps
    for b in caps:
        for lang in ("vi", "en"):
            own = plan.catalogue.lines[b.code].name(lang)
            line = plan.catalogue.lines[b.code].parent
            assert b.text(lang).startswith(f"{line} – {own}: "), b.text(lang)
            assert title(b.code, lang)[1] not in b.text(lang)


def test_a_wide_table_by_unit_is_cut_into_parts_that_fit_a_page():
    frame = pd.DataFrame({"Dự án": ["P2", "P3.1"], **{f"Huyện {k}": [k, k + 0.5] for k in range(12)}})
    table = ReportTable("districts", "", frame, {c: "num2" for c in frame.columns[1:]} | {"Dự án": "text"}, "ghi chú")
    parts = T.in_parts(table, per=5)
    assert [len(p.frame.columns) for p in parts] == [6, 6, 3]  # 5 + 5 + 2 units, each with the labels
    assert all(list(p.frame.iloc[:, 0]) == ["P2", "P3.1"] for p in parts)
    assert [c for p in parts for c in p.frame.columns[1:]] == list(frame.columns[1:])  # every unit once, in order
    assert [p.note for p in parts] == ["", "", "ghi chú"]
    assert all(p.fmt_of(p.frame.columns[1]) == "num2" for p in parts)
    assert T.in_parts(ReportTable("x", "", frame.iloc[:, :4]), per=5)[0].frame.shape == (2, 4)  # whole


def test_the_page_is_titled_and_in_the_reports_language():
    """A browser prints the page's title at the top of each printed page («Notebook» before) and
    reads `<html lang>` for the print styles (`@page :lang(en)`)."""
    nb = nbformat.v4.new_notebook()
    nb.cells.append(nbformat.v4.new_markdown_cell("## x"))
    vi, en = report_html(nb, "vi"), report_html(nb, "en")
    assert '<html lang="vi">' in vi and "<title>Phân bổ vốn tối ưu</title>" in vi
    assert '<html lang="en">' in en and "<title>Optimal budget allocation</title>" in en


def test_money_reaching_no_one_names_its_lines():
    """«P6.2» alone in the table of money reaching no one: named as the table by line names it; a
    year under the dated catalogue keeps its content's title."""
    lost = pd.DataFrame(
        {
            "allocation": ["optimal", "optimal"],
            "year": [2025, 2027],
            "line": ["P6.2", "P6.2"],
            "district": ["a", "a"],
            "acting_bn": [2.0, 2.0],
            "unallocatable_bn": [0.5, 0.25],
            "content": ["", "C6.communication"],
        }
    )
    cat = make_scenario().catalogue
    lines = pd.DataFrame({"line": ["P6.2"], "name_vi": [cat.lines["P6.2"].name("vi")], "name_en": ["x"]})
    rows = list(T.unallocatable(lost, "vi", lines).frame.iloc[:, 0])
    assert rows[0] == f"P6.2 {cat.lines['P6.2'].name('vi')}"
    assert rows[1].startswith("C6 – ")  # the 2026–2035 content's title, as before


def test_a_single_content_the_model_does_not_measure_is_read_by_its_name(tiny, tmp_path):
    """The optimiser's lines (the command line's «•» and «○», binding.csv's texts) named a content
    by its identifier, «P4.1.facilities (Đầu tư cơ sở vật chất …): mô hình không đo …», where the
    report reads «P4.1 – Đầu tư cơ sở vật chất …». Now they read as the report does; binding.csv
    keeps the identifier in its `code` column (by hand: the catalogue's `parent` and name)."""
    scen, res = tiny
    caps = [b for b in res.binding if b.kind == "cap_unmeasured"]
    zero = [z for z in res.zero_lines if not z["measured"]]
    assert caps and zero
    for lang in ("vi", "en"):
        for code, text in [(b.code, b.text(lang)) for b in caps] + [(z["line"], z["text"](lang)) for z in zero]:
            item = scen.catalogue.lines[code]
            assert text.startswith(f"{item.parent} – {item.name(lang)}"), text
            assert code not in text, text  # «P4.1.facilities» nowhere: the planner reads the name
    table = binding_table(res)
    rows = table[table["kind"] == "cap_unmeasured"]
    assert sorted(rows["code"]) == sorted(b.code for b in caps)
    assert not any(code in text for code in rows["code"] for text in rows["text_vi"])
    # a line keeps its code and its name in brackets
    p2 = [z for z in res.zero_lines if z["line"] == "P2"]
    assert p2 and p2[0]["text"].vi.startswith(f"P2 ({scen.catalogue.lines['P2'].name('vi')})")
