"""The optimiser's report as a provincial leader reads it: the leader's part (everything above
the technical annex) says what each check of the optimum establishes in households and words,
without the solver's terms, and what to ask of the planning office instead of a command line;
the solver's certificate and the command stay in the annex and in the CLI
(`simlib.report.optimization_leader`, `simlib.allocate.summary.ASKED["report"]`)."""

from __future__ import annotations

import html as htmllib
import re
import subprocess
import sys
from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import ROOT, tiny_raw

from simlib import i18n
from simlib.allocate import plots
from simlib.allocate.summary import unmet_record
from simlib.report import optimization as T
from simlib.report import optimization_leader as L
from simlib.report.table import to_html

#: words of the solver, not of a provincial leader (both languages), and a command-line option
SOLVER_TERMS = (
    "nhị phân", "điểm gãy", "từng đoạn", "tuyến tính", "nghiệm tối ưu", "HiGHS", "quy hoạch nguyên",
    "lấy mẫu lại", "đường đáp ứng", "binary", "breakpoint", "piecewise", "linear", "mixed-integer",
    "re-sampl", "min_cost", "--",
)  # fmt: skip

#: plan_2024's certificate (summary.json of `simlib optimize params/scenarios/plan_2024.yaml`)
PLAN_2024 = dict(
    mode="min", method="multistart", gap=0.0, approx_error=0.0088, tests=14, scale=2709.4, rounds=3,
    evaluations=9894, breakpoints=472, binaries=0, seconds=6.4, starts=[1.0, 1.0, 1.0, 1.0], spread=0.0,
)  # fmt: skip


def text_of(table, lang):
    return " ".join(str(v) for v in [*table.frame.columns, *table.frame.to_numpy().ravel()])


def solver_terms(text: str) -> list[str]:
    return [w for w in SOLVER_TERMS if w.lower() in text.lower()]


def test_the_list_of_solver_terms_finds_them_in_the_technical_table():
    """The annex's table is in the solver's terms (what the leader's part used to show)."""
    assert {"nhị phân", "điểm gãy", "từng đoạn"} <= set(solver_terms(text_of(T.certificate(PLAN_2024, "vi"), "vi")))
    assert {"binary", "breakpoint", "piecewise"} <= set(solver_terms(text_of(T.certificate(PLAN_2024, "en"), "en")))


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_trust_table_has_no_solver_terms(lang):
    for cert, verdict in ((PLAN_2024, "not_certified"), (PLAN_2024 | dict(approx_error=0.001), "optimal")):
        words = text_of(L.trust(cert, verdict, "poor", lang), lang)
        assert solver_terms(words) == [], words


def test_the_trust_table_says_in_households_what_each_check_establishes():
    """plan_2024: the approximation is off by 0,88 % of the 2.709 households the programme keeps
    out of poverty — 0,0088 × 2.709,4 = 23,8, about 24 households — above the 0,5 % allowed; the
    search was repeated from 4 starting splits, which agree (spread 0)."""
    table = L.trust(PLAN_2024, "not_certified", "poor", "vi")
    rows = dict(zip(table.frame.iloc[:, 0], table.frame.iloc[:, 1], strict=True))
    assert rows["Kết luận"].startswith("Chưa chứng minh được đây là phương án tốt nhất")
    exact = rows["Cách tính gần đúng có sát với mô hình đầy đủ không?"]
    assert exact.startswith("Chưa đủ sát") and "0,88 % (khoảng 24 hộ nghèo)" in exact and "14 phương án" in exact
    assert (
        "quá 0 hộ nghèo" in rows["Có phương án nào tốt hơn không?"]
        and "2.709 hộ nghèo" in rows["Có phương án nào tốt hơn không?"]
    )
    assert "4 cách phân bổ ban đầu" in rows["Tìm lại từ các cách phân bổ ban đầu khác"]
    # within the promise: 0,1 % of 2.709,4 = 2,7, about 3 households; the conclusion says it keeps the promise
    ok = L.trust(PLAN_2024 | dict(approx_error=0.001, starts=[]), "optimal", "poor", "en").frame
    assert len(ok) == 3 and ok.iloc[0, 1].startswith("The split keeps the promised reliability")
    assert ok.iloc[2, 1].startswith("Yes: off by at most 0.10% (about 3 poor households)")


def test_the_least_cost_split_is_judged_in_money():
    """min_cost: gap 0,2 % of 1.000 billion VND is 2,0 billion VND."""
    cert = PLAN_2024 | dict(mode="mincost", gap=0.002, scale=1000.0, approx_error=0.001, starts=[])
    better = L.trust(cert, "optimal", "min_cost", "vi").frame.iloc[1, 1]
    assert "2,0 tỷ đồng" in better and "0,20 %" in better


def test_the_leader_message_leaves_the_technical_sentence_to_the_annex():
    technical = {"vi": "Độ lệch tối ưu đã chứng minh: 0,00 % (so với mô hình tuyến tính từng đoạn).", "en": "x"}
    summary = {"message_vi": "Dòng đầu.\n" + technical["vi"] + "\nGhi chú.", "certificate_text": technical}
    assert L.leader_message(summary, "vi") == "Dòng đầu.\nGhi chú."
    assert L.leader_message({"message_vi": "a\nb"}, "vi") == "a\nb"  # an older summary: whole


def unmet_rows():
    """One coverage target the optimum misses in 2025 (0 %) that the plan reached (50,18 %)."""
    return pd.DataFrame(
        [
            dict(allocation=a, year=2025, target_id="production_support", geo_type="province", geo="province")
            | dict(indicator="production_support", value=v, met=False, label_vi="Hỗ trợ sản xuất", label_en="Support")
            for a, v in (("optimal", 0.0), ("plan", 50.18))
        ]
    )


def test_the_report_asks_the_planning_office_and_the_cli_keeps_the_command():
    spec = SimpleNamespace(objective="poor", targets=None)
    report = unmet_record(unmet_rows(), spec, [2025], where="report")
    cli = unmet_record(unmet_rows(), spec, [2025])
    for lang in ("vi", "en"):
        assert solver_terms(report[lang]) == [], report[lang]
        assert "--objective min_cost" in cli[lang]
        assert report[lang].splitlines()[:2] == cli[lang].splitlines()[:2]  # the same targets and values
    assert "cơ quan lập kế hoạch" in report["vi"] and "chi phí thấp nhất để đạt mọi chỉ tiêu" in report["vi"]
    assert "planning office" in report["en"] and "least-cost split that meets every target" in report["en"]
    summary = {"unmet_targets": cli | {"report": {k: report[k] for k in ("vi", "en")}}}
    assert L.unmet_words(summary, "vi") == report["vi"]
    assert L.unmet_words({"unmet_targets": cli}, "vi") == cli["vi"]  # an older summary: what it has


def test_a_content_of_a_line_is_named_by_its_line_and_name_not_its_identifier():
    lines = pd.DataFrame(
        {
            "line": ["P1.1", "P1.10", "P1.1.maintenance"],
            "name_vi": ["Hạ tầng", "Khác", "Duy tu, bảo dưỡng"],
            "name_en": ["Infrastructure", "Other", "Maintenance"],
        }
    )
    assert plots.report_labels(lines, "vi") == ["P1.1 Hạ tầng", "P1.10 Khác", "P1.1 – Duy tu, bảo dưỡng"]
    assert plots.report_labels(lines, "en", short=True) == ["P1.1", "P1.10", "Maintenance"]
    table = plots.lines_table(lines.assign(optimal_bn_per_year=0.0, plan_bn_per_year=0.0, equal_split_bn_per_year=0.0))
    assert "maintenance" not in " ".join(table.index)


def test_the_rules_table_gives_the_unit_of_the_value_of_more_room():
    binding = pd.DataFrame(
        {"kind": ["envelope"], "unit": [None], "year": [None], "code": [None], "value_per_billion": [1.7]}
        | {"text_vi": ["Đã dùng hết vốn."], "text_en": ["Used."], "basis_vi": ["b"], "basis_en": ["b"]}
    )
    assert T.rules(binding, "vi", objective="poor").frame.columns[-1] == "Số hộ nghèo giảm thêm khi nới 1 tỷ đồng"
    assert (
        T.rules(binding, "en", objective="min_cost").frame.columns[-1]
        == "Fewer poor households per billion VND more room"
    )


def page_parts(page: str, lang: str) -> tuple[str, str]:
    """The text a reader sees of report.html, before and after the technical annex's heading."""
    page = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
    text = htmllib.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<!--.*?-->", "", page, flags=re.S)))
    head = i18n.t("alloc.report.technical", lang)
    assert text.count(head) == 1, "the annex is marked once"
    leader, annex = text.split(head)
    return leader, annex


@pytest.mark.slow
def test_the_rendered_report_leader_part_reads_without_solver_terms(tmp_path):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(yaml.safe_dump(tiny_raw(), allow_unicode=True), encoding="utf-8")
    no_counterpart = "allocation.money.counterpart.min_local_share_of_central.value=0"
    for lang in ("vi", "en"):
        out = tmp_path / f"opt_{lang}"
        args = ["optimize", str(scen), "--objective", "poor", "--out", str(out), "--frontier", "0,1"]
        r = subprocess.run(
            [sys.executable, "-m", "simlib", *args, "--set", no_counterpart, "--lang", lang],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        leader, annex = page_parts((out / "report.html").read_text(encoding="utf-8"), lang)
        assert solver_terms(leader) == [], solver_terms(leader)
        assert i18n.t("alloc.report.certificate", lang) in leader  # the plain table is there
        assert i18n.t("alloc.cert.binaries", lang) in annex and i18n.t("alloc.cert.breakpoints", lang) in annex


def test_html_of_the_trust_table_keeps_its_words():
    page = to_html(L.trust(PLAN_2024, "not_certified", "poor", "vi"), "vi", caption=False)
    assert "Kết quả kiểm tra" in page and "khoảng 24 hộ nghèo" in page
