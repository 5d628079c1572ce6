"""What a provincial leader reading the Vietnamese pages would distrust or misread (fast checks on
hand-made frames): the comparison and the index state the money reaching no one as the scenario
report does (not the sum of its rounded rows), and the chosen allocation's own; a weakest target
without draws reads as a verdict, not as «xác suất đạt không đạt»; the unallocated sentence has
its unit; a change of poverty standard is named as the report names it; the rules-of-each-year
note is in Vietnamese, without English notes or file paths."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from verdict_frames import province_verdict

from simlib import i18n


def _folder_run(tmp_path, name: str, rows: list[tuple[str, int, float]]):
    """A run folder as `simlib batch` writes it: absorption.csv (VND) and the report's
    table_unallocated.csv (billion VND per line, rounded to 0.1 as the page shows it)."""
    folder = tmp_path / name
    folder.mkdir()
    absorption = pd.DataFrame(rows, columns=["line", "year", "unallocatable_vnd"])
    absorption.to_csv(folder / "absorption.csv", index=False)
    kept = absorption[absorption["unallocatable_vnd"] > 0.5e9].groupby("line", sort=False)["unallocatable_vnd"].sum()
    table = pd.DataFrame(
        {
            "Dự án, tiểu dự án / nội dung": kept.index,
            "Vốn giải ngân (tỷ đồng)": "5,4",
            "Vốn không phân bổ được (tỷ đồng)": [f"{v / 1e9:.1f}".replace(".", ",") for v in kept],
            "Tỷ lệ trên vốn giải ngân (%)": "30,0",
        }
    )
    table.to_csv(folder / "table_unallocated.csv", sep=";", index=False, encoding="utf-8-sig")
    return SimpleNamespace(name=name, tables=SimpleNamespace(folder=folder, manifest={}))


def test_comparison_states_the_unallocated_money_the_report_states(tmp_path):
    """plan_2027's page said 9,3 tỷ đồng, the comparison 9,2 (the sum of its rows rounded to
    0,1). Hand-worked: lines of 2,04 + 3,04 + 1,54 billion and a 0,3-billion year (counted: the
    run record's total counts every amount, reptarget) = 6,92 → «6,9»; the rounded rows 2,0 +
    3,0 + 1,5 would give 6,5."""
    from simlib.report import decision_money as DM

    rows = [("P6.2", 2024, 1.02e9), ("P6.2", 2025, 1.02e9), ("P7.2", 2024, 3.04e9), ("C6", 2026, 1.54e9)]
    rows.append(("C7", 2027, 0.3e9))
    run = _folder_run(tmp_path, "plan", rows)
    got = DM.unallocated_by_run([run])["plan"]
    assert abs(got - 6.92) < 1e-9
    assert i18n.fmt.number(got, "vi", 1) == "6,9"


def _central_run(name: str, rate: float, role: str = "alternative", status: str = "not_met"):
    """A run as the brief reads it without parameter draws: one headline verdict in 2024."""
    verdicts = province_verdict(status, np.nan, -1.0)
    ind = pd.DataFrame({"indicator": "poor_rate", "geo": "province", "year": [2023, 2025], "value": [24.0, rate]})
    return SimpleNamespace(
        name=name,
        role=role,
        key=("states", 2023, 2025),
        verdicts=verdicts,
        tables=SimpleNamespace(indicators=ind, uncertainty=None, folder=None, manifest={}),
        title=lambda lang, n=name: n,
        rate=lambda year, v=rate: v,
    )


def test_a_weakest_target_without_draws_reads_as_a_verdict():
    """The index said «chỉ tiêu yếu nhất: «…» (xác suất đạt không đạt)»: a verdict put where a
    probability goes."""
    from simlib.report import decision as DC

    run = _central_run("a", 19.0)
    vi = DC.weakest_target(run, 2024, "vi")
    assert "(theo dự báo trung tâm: không đạt)" in vi and "xác suất" not in vi
    en = DC.weakest_target(run, 2024, "en")
    assert "(central projection: not met)" in en and "probability" not in en
    run.verdicts["probability"] = 0.35  # with draws: the probability, as before
    assert "(xác suất đạt 35 %)" in DC.weakest_target(run, 2024, "vi").replace("\u00a0", " ")


def test_the_chosen_allocation_says_its_own_money_reaching_no_one():
    """The index named «Chia đều …» to choose and listed the others' undelivered money, not its own
    77,9 tỷ đồng (the largest of the batch). It is said in the answer's box, read first, and not
    again in message 1 (print60: the page said it twice)."""
    from simlib.report import decision as DC

    runs = [_central_run("plan", 19.1), _central_run("equal", 18.4), _central_run("infra", 19.0)]
    messages, best = DC.brief(runs, "vi", {"plan": 0.0, "equal": 77.93818, "infra": 15.8})
    assert best.name == "equal"
    page = DC.brief_html(messages, best, "vi")
    answer = page.split('<p class="sl-answer">')[1].split("</p>")[0]
    assert "77,9 tỷ đồng" in answer and "không đến được đối tượng nào" in answer
    assert "77,9" not in messages[0].html and page.count("77,9") == 1
    tradeoffs = next(m.html for m in messages if "sl-list" in m.html)  # the others, in a list
    assert "15,8 tỷ đồng" in tradeoffs and "77,9" not in tradeoffs
    # below the brief's threshold (0,5 tỷ đồng) nothing is added
    messages, _ = DC.brief(runs, "vi", {"equal": 0.4})
    assert "không đến được" not in messages[0].html


def test_the_unallocated_sentence_gives_the_unit_of_both_sums():
    for lang, unit in (("vi", "tỷ đồng"), ("en", "billion VND")):
        text = i18n.t("report.unallocated.sentence", lang, money="9,3", spent="3.016,0", share="0,3 %")
        assert f"9,3 {unit}" in text and f"3.016,0 {unit}" in text and "0,3 %" in text


def test_a_change_of_standard_is_named_not_shown_by_its_file_id():
    """The deprivation note said «chuẩn nghèo mới «2027-2030»» (a hyphen, the file's id)."""
    from simlib.report.deprivation_tables import standard_break_note

    changes = [{"year": 2027, "from": "2022-2025", "to": "2027-2030"}]
    for reclassified in (True, False):
        manifest = {"standards": {"changes": changes, "reclassified": reclassified}}
        (note,) = standard_break_note(None, manifest, "vi")
        assert "«2027–2030 (Nghị định 351/2025/NĐ-CP)»" in note and "2027-2030" not in note


def _periods_ctx(lang: str):
    std_old = {"id": "2022-2025", "applied": True, "source": "Nghị định 07/2021/NĐ-CP (Decree 07/2021/ND-CP of …)"}
    std_new = {
        "id": "2027-2030",
        "applied": True,
        "source": "Nghị định 351/2025/NĐ-CP … (text not read; … as reported: https://example.vn)",
        "assumption": "first review under these lines: end-2027 (not confirmed …)",
    }
    geo_old = {"in_force": "districts_2020", "units_used": "commune", "source": "data/caobang/units.csv"}
    geo_new = {"in_force": "communes_2025", "units_used": "commune", "source": "Nghị quyết 1657/NQ-UBTVQH15 …"}
    cat = {"id": "ntp_merged_2026_2030", "given": "contents", "source": "Nghị quyết 257/2025/QH15 and … as reported"}
    tgt = {"id": "plan_415_2024", "source": "Kế hoạch 415/KH-UBND (2024) of Cao Bằng: https://baocaobang.vn/x"}
    years = [
        {"year": 2024, "catalogue": None, "standard": std_old, "geography": geo_old, "targets": tgt},
        {"year": 2027, "catalogue": cat, "standard": std_new, "geography": geo_new, "targets": {"id": "x"}},
    ]
    manifest = {"periods": {"dated": True, "years": years}}
    return SimpleNamespace(
        result=SimpleNamespace(manifest=manifest), lang=lang, t=lambda k, **kw: i18n.t(k, lang, **kw)
    )


def test_the_rules_of_each_year_cite_their_sources_in_vietnamese():
    """plan_2027's note read «… (Decree 07/2021/ND-CP of 27 January 2021); huyện (địa giới năm
    2020): data/caobang/units.csv; … of Cao Bằng …, as reported …, (text not read …)»."""
    from simlib.report.communes import periods_table

    note = periods_table(_periods_ctx("vi")).note
    for leak in ("Decree", " of ", " and ", "as reported", "text not read", "first review", "data/"):
        assert leak not in note, leak
    assert "Nghị định 07/2021/NĐ-CP ngày 27/01/2021" in note
    assert "Kế hoạch 415/KH-UBND năm 2024 của UBND tỉnh Cao Bằng: https://baocaobang.vn/" in note
    assert "(kỳ rà soát đầu tiên theo chuẩn này: cuối năm 2027" in note  # the assumption, translated
    assert "Nghị quyết 1657/NQ-UBTVQH15 …" in note  # a source without a translation: as recorded


def test_the_rules_set_aside_after_the_switch_are_named_not_coded():
    """crossing_2024_2027 read «theo khung pháp lý caobang_communes_2026_2027; các quy định sau của
    khung này được bỏ qua: envelope:» — the frame's id and the rule's code."""
    from simlib.report.communes import switch_notes

    after = {
        "frame": "caobang_communes_2026_2027",
        "title_vi": "Khung pháp lý Chương trình MTQG giai đoạn 2026–2035 tỉnh Cao Bằng theo xã",
        "title_en": "Legal frame of the 2026–2035 programme, Cao Bằng by commune",
        "ignored_rules": ["envelope"],
        "ignored_violations": [{"text_vi": "Năm 2026: vượt dự toán", "text_en": "Year 2026: above the envelope"}],
    }
    manifest = {
        "legal_after_switch": after,
        "engine_units": {"switch": {"year": 2026}, "by_year": {"2026": {"units": 56}}},
    }
    ctx = SimpleNamespace(result=SimpleNamespace(manifest=manifest), lang="vi", t=lambda k, **kw: i18n.t(k, "vi", **kw))
    (block,) = switch_notes(ctx)
    assert "caobang_communes" not in block and "envelope" not in block
    assert "«Khung pháp lý Chương trình MTQG giai đoạn 2026–2035 tỉnh Cao Bằng theo xã»" in block
    assert "dự toán vốn trung ương giao cho tỉnh" in block and "Năm 2026: vượt dự toán" in block


def test_without_draws_the_answer_is_the_lowest_projection_not_a_recommendation():
    """The index's first line said «Phương án nên chọn: «Chia đều …»» on a 0,6-point lower central
    projection with no parameter draws (its message added «chưa biết mức độ chắc chắn»)."""
    from simlib.report import decision as DC

    runs = [_central_run("plan", 19.1), _central_run("equal", 18.4)]
    messages, best = DC.brief(runs, "vi", {})
    page = DC.brief_html(messages, best, "vi")
    assert "Phương án tốt nhất trong các phương án phân bổ được so sánh" not in page
    assert (
        "Phương án có tỷ lệ hộ nghèo dự báo thấp nhất" in page and "chưa phải khuyến nghị" in page and "«equal»" in page
    )
    sure = DC.brief_html([DC.Message("x")], best, "vi")  # a choice on shared draws keeps the answer
    assert "Phương án nên chọn" not in sure  # a choice on shared draws: the best of those compared
    assert "(mức thiệt bình quân thấp nhất qua các lượt rút tham số): «equal»." in sure


def test_regret_columns_give_their_unit():
    """The comparison's «Thiệt trung bình» column (and the uncertainty page's regret columns) had no
    unit beside «Tỷ lệ hộ nghèo … (%)» and «Thay đổi … (điểm %)»: regret is in points."""
    for key in ("unc.col.regret_mean", "unc.col.regret_max", "unc.col.regret_p95"):
        assert i18n.t(key, "vi").endswith("(điểm %)") and i18n.t(key, "en").endswith("(points)")


def _levels_ctx(level: str, years: dict):
    """A report context whose period record has {year: (level in force, units used)}."""
    rows = [{"year": y, "geography": {"level_in_force": f, "units_used": u}} for y, (f, u) in years.items()]
    return SimpleNamespace(
        lang="vi",
        scenario=SimpleNamespace(dataset=SimpleNamespace(level=level)),
        result=SimpleNamespace(manifest={"periods": {"years": rows}}),
    )


def test_the_infrastructure_coverage_row_names_the_units_of_its_years():
    """plan_2027's coverage table (56 communes, 2024–2027) read «Tỷ lệ huyện nghèo được đầu tư hạ
    tầng» for every year, 2026–2027 included; a district run keeps its label."""
    from simlib.report.money import coverage_label

    communes = _levels_ctx("commune", {2024: ("district", "commune"), 2025: ("commune", "commune")})
    assert coverage_label(communes, "poor_districts_with_infrastructure") == "Tỷ lệ các xã nghèo được đầu tư hạ tầng"
    assert "huyện" not in coverage_label(communes, "poor_districts_with_infrastructure", short=True)
    crossing = _levels_ctx("district", {2025: ("commune", "district"), 2026: ("commune", "commune")})
    label = coverage_label(crossing, "poor_districts_with_infrastructure")
    assert "các huyện nghèo cũ (địa giới năm 2024) (2025)" in label and "các xã nghèo (2026)" in label
    districts = _levels_ctx("district", {2024: ("district", "district")})
    assert coverage_label(districts, "poor_districts_with_infrastructure") == "Tỷ lệ huyện nghèo được đầu tư hạ tầng"
    assert coverage_label(communes, "officers_trained") == i18n.t("indicator.officers_trained", "vi")
