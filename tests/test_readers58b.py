"""The rendered decision reports read again as a provincial leader and a report editor would
(readers58b), each test a fault the readers58 helper found on a page of `simlib batch
params/scenarios` and left: a flows table whose years add up to its total; the two poor rates of
one scenario (central projection, mean over draws) each labelled; a poor-units probability that
says it is the joint one. Hand-made frames, no model runs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd

from simlib import i18n
from simlib.dataset import load_dataset
from simlib.report import data
from simlib.report.assumptions import dataset_description, dataset_line
from simlib.report.communes import programmes_text
from simlib.report.deprivation_tables import fgt_table
from simlib.report.money import flows_table
from simlib.report.scorecard import scorecard_html
from simlib.report.uncertainty_page import sensitivity_caption
from simlib.uncertainty.rules import Box, describe_box


def _flows_ctx(lang: str):
    """A report context as `flows_table` reads it: province flows of 2024 and 2025 (one draw),
    escapes 2.744,4 + 2.478,4 (sum 5.222,8) and near-poor to poor 535,4 + 539,4 (sum 1.074,8):
    each year rounded alone, 2.744 + 2.478 = 5.222 and 535 + 539 = 1.074, one short of the
    rounded totals 5.223 and 1.075."""
    values = {
        "escapes": (2744.4, 2478.4),
        "poor_to_near_poor": (1000.2, 1000.2),
        "relapses": (10.0, 12.0),
        "new_poor": (300.6, 300.6),
        "near_poor_to_poor": (535.4, 539.4),
    }
    rows = [
        {"draw": 0, "year": y, "geo": "province", "indicator": i, "value": v[k]}
        for i, v in values.items()
        for k, y in enumerate((2024, 2025))
    ]
    rows += [{"draw": 0, "year": 2023, "geo": "province", "indicator": "poor_rate", "value": 24.7}]
    return SimpleNamespace(tables=SimpleNamespace(indicators=pd.DataFrame(rows)), lang=lang), values


def test_flows_table_years_add_up_to_the_total_as_shown():
    """plan_2024's «Biến động hộ nghèo (hộ)»: «2.744 + 2.478» beside a total «5.223», «535 + 540»
    beside «1.074» — each figure rounded alone. The years are rounded by largest remainder to
    the rounded total (each within one household) and a note says so (consist64: in the CSV's
    table and the sheet too; the exact values stay in flows.csv)."""
    ctx, values = _flows_ctx("vi")
    shown = flows_table(ctx)
    frame = shown.frame.set_index(shown.frame.columns[0])
    assert list(frame.columns) == ["2024", "2025", i18n.t("table.total", "vi")]
    for (_label, row), exact in zip(frame.iterrows(), values.values()):
        parts = row[["2024", "2025"]].to_numpy(float)
        assert np.all(parts == np.round(parts))  # whole households
        assert parts.sum() == row.iloc[-1] == round(sum(exact))  # they add up to the total
        assert np.all(np.abs(parts - np.array(exact)) < 1)
    escapes = frame.iloc[0]
    assert escapes.iloc[-1] == 5223 and sorted(escapes[["2024", "2025"]]) in ([2478, 2745], [2479, 2744])
    assert "phần dư lớn nhất" in shown.note and "tệp số liệu kèm theo báo cáo" in shown.note  # not flows.csv (quote65)
    assert "largest remainder" in flows_table(_flows_ctx("en")[0]).note
    assert data.FLOW_INDICATORS[0] == "escapes"


def _indicators(draws: int) -> pd.DataFrame:
    """The province poor rate at the end of 2025 in `draws` draws (18,0 %, 18,2 %, …)."""
    return pd.DataFrame(
        {
            "draw": range(draws),
            "year": 2025,
            "geo": "province",
            "indicator": "poor_rate",
            "value": 18 + 0.2 * np.arange(draws),
        }
    )


def test_central_projection_and_mean_of_draws_each_labelled():
    """equal_split: the batch index gave «24,7 % → 18,4 %» (the central projection, its run of
    one draw) and the decision brief «bình quân 18,14 %» (the mean over 100 draws), neither
    labelled; the brief's trade-offs «tỷ lệ hộ nghèo cuối năm 2025: 19,06 %» (central) sat
    beside «thiệt bình quân» (draws). Each now says which it is."""
    assert data.rate_basis(_indicators(1), "vi") == "dự báo trung tâm"
    assert data.rate_basis(_indicators(3), "vi") == "bình quân các lượt rút tham số"
    assert data.rate_basis(_indicators(1), "en") == "central projection"
    trade = i18n.t("decision.trade_rate", "vi", year=2025, rate="19,06 %", basis=data.rate_basis(_indicators(1), "vi"))
    assert trade == "tỷ lệ hộ nghèo cuối năm 2025 (dự báo trung tâm): 19,06 %"
    kw = dict(title="«A»", year=2025, share="98 %", draws=100, regret="0,00", rate="18,14 %")
    assert "bình quân các lượt: 18,14 %" in i18n.t("decision.choice", "vi", **kw)
    assert "mean over the draws: 18.14 %" in i18n.t("decision.choice", "en", **kw | {"rate": "18.14 %"})


def _poor_district_verdicts() -> pd.DataFrame:
    """plan_2024's poor-district target in 2024: the group −3,88 (band −5,61 – −2,76, threshold
    ≤ −5) with probability 0 % — every poor district meeting it at once — and one district,
    Bảo Lạc, 28 % on its own; the province's target beside it."""
    common = {
        "year": 2024,
        "own_year": True,
        "indicator": "poor_rate_change",
        "comparison": "<=",
        "threshold": -5.0,
        "basis": "probability",
        "samples": 100,
        "label_vi": "Tỷ lệ hộ nghèo ở các huyện nghèo giảm từ 5 điểm % trở lên",
        "label_en": "Poor-household rate in poor districts falls by at least 5 points",
    }
    rows = [
        ("poor_rate_poor_districts", "poor_districts", "poor_districts", False, -3.88, -5.61, -2.76, 0.0, "not_met"),
        ("poor_rate_poor_districts", "district", "bao_lac", True, -4.30, -6.21, -3.01, 0.28, "uncertain"),
        ("poor_rate_province", "province", "province", False, -3.02, -4.41, -2.09, 0.15, "not_met"),
    ]
    keys = ("target_id", "geo_type", "geo", "detail", "value", "lo", "hi", "probability", "status")
    return pd.DataFrame([dict(zip(keys, r)) | common for r in rows]).assign(margin=np.nan)


def test_poor_units_probability_says_it_is_the_joint_one():
    """«Các huyện nghèo» (plan_2024): «✗ Không đạt, xác suất đạt 0 %» beside a 90 % band that
    straddles the threshold — the probability that the group and every poor district meet it
    together, said only in the note. The cell now says so; a district's row and a target
    without unit rows keep «xác suất đạt»."""
    text = scorecard_html(_poor_district_verdicts(), "vi", {"bao_lac": "Huyện Bảo Lạc"}).replace("\xa0", " ")
    rows = text.split("<tr")
    group = next(r for r in rows if "(Các huyện nghèo)" in r)
    assert "xác suất cả nhóm và mọi huyện nghèo cùng đạt" in group and ">0 %<" in group
    district = next(r for r in rows if "Huyện Bảo Lạc" in r)
    assert "xác suất đạt" in district and "mọi huyện" not in district
    province = next(r for r in rows if "(Toàn tỉnh)" in r)
    assert "xác suất đạt" in province and "mọi huyện" not in province
    en = scorecard_html(_poor_district_verdicts(), "en", {"bao_lac": "Bao Lac district"})
    assert "probability that the group and every poor district all meet it" in en


def _crossing_ctx(lang: str):
    """A run crossing programmes as `programmes_text` reads its period record: 2024–2025 under
    the 2021–2025 programme, 2026–2027 under the merged 2026–2035 one."""
    cat = {
        2024: "ntp_spr_2021_2025",
        2025: "ntp_spr_2021_2025",
        2026: "ntp_merged_2026_2030",
        2027: "ntp_merged_2026_2030",
    }
    years = [{"year": y, "catalogue": {"id": c}} for y, c in cat.items()]
    return SimpleNamespace(result=SimpleNamespace(manifest={"periods": {"years": years}}), lang=lang)


def test_subtitle_has_one_bracket_after_the_programme_name():
    """crossing_2024_2027's subtitle: «…, giai đoạn I (2026–2030) (2026–2027) — Cao Bằng»: the
    run's years in a second bracket after the name's own. Now «…, năm 2026–2027»."""
    text = programmes_text(_crossing_ctx("vi"))
    assert text == (
        "Chương trình MTQG giảm nghèo bền vững 2021–2025, năm 2024–2025; "
        "Chương trình MTQG 2026–2035, giai đoạn I (2026–2030), năm 2026–2027"
    )
    assert ") (" not in text
    assert programmes_text(_crossing_ctx("en")).endswith("(2026–2030), in 2026–2027")


def test_parameter_labels_inside_a_rule_start_in_lower_case():
    """The uncertainty page's rules: «… khi Xác suất nền hộ nghèo → hộ mới thoát nghèo (năm 1)
    dưới 5,5 %/năm và Xác suất nền …» — capital letters mid-sentence. Each label now starts in
    lower case inside the sentence; a code («P2 – …») or an abbreviation («NSTW …») keeps its
    letters."""
    box = Box({"a": (-np.inf, 0.055), "b": (0.2, np.inf), "c": (0.1, 0.3)}, 0.63, 0.89, 0.3, 0.19, 30)
    labels = {
        "a": "Xác suất nền hộ nghèo → hộ mới thoát nghèo (năm 1)",
        "b": "P2 – hiệu quả thoát nghèo",
        "c": "NSTW – tỷ lệ giải ngân",
    }
    vi = describe_box(box, labels, "vi", units={"a": "probability per year"})
    assert "khi xác suất nền hộ nghèo → hộ mới thoát nghèo (năm 1) dưới 5,5" in vi
    assert " và P2 – hiệu quả thoát nghèo trên " in vi and " và NSTW – tỷ lệ giải ngân từ " in vi
    assert "Xác suất" not in vi
    en = describe_box(box, {"a": "Base probability poor → escaped (year 1)", "b": "P2 effect", "c": "DTTS share"}, "en")
    assert "when base probability poor → escaped (year 1) below" in en and "P2 effect above" in en
    assert "DTTS share between" in en


def test_dataset_named_by_its_title_and_its_years_with_a_dash():
    """The assumptions and baseline pages: «Bộ dữ liệu «caobang_communes», phiên bản
    2024.1-communes» (the folder's code alone) and «chuẩn nghèo đa chiều giai đoạn 2022-2025» (a
    hyphen where a Vietnamese range of years takes an en dash)."""
    communes, districts = load_dataset("caobang_communes"), load_dataset("caobang")
    # its code and version are in a technical note since polish64 (test_polish64)
    assert dataset_line(communes, "vi") == "Bộ dữ liệu số hộ tỉnh Cao Bằng theo xã: số hộ tại kỳ rà soát cuối năm 2023."
    assert dataset_line(districts, "vi").startswith("Bộ dữ liệu số hộ tỉnh Cao Bằng theo huyện:")
    assert dataset_line(districts, "en").startswith("Dataset: households of Cao Bang province by district")
    assert "2022-2025" in districts.meta["description_vi"]  # the file as written
    text = dataset_description(districts, "vi")
    assert "chuẩn nghèo đa chiều giai đoạn 2022–2025 (Nghị định 07/2021/NĐ-CP)" in text and "2022-2025" not in text
    assert "  " not in text and "\n" not in text


def test_fgt_table_columns_carry_their_units():
    """multidim_2030's «Khoảng cách nghèo và mức độ nghèo»: «Chuẩn thu nhập nông thôn | 1.500.000»
    and «… (FGT1) | 11,5» with no unit. FGT1, FGT2 and the gap ratio are percentages
    (`simlib.multidim.tables`), the lines VND per person per month."""
    rows = [
        ("poverty_gap_index", 11.5),
        ("poverty_severity_index", 4.2),
        ("income_gap_ratio", 28.9),
        ("income_line_rural", 1_500_000.0),
        ("income_line_urban", 2_000_000.0),
    ]
    ind = pd.DataFrame([{"draw": 0, "year": 2023, "geo": "province", "indicator": i, "value": v} for i, v in rows])
    vi = list(fgt_table(ind, lang="vi").columns)
    assert vi == [
        "Chỉ số khoảng cách nghèo thu nhập (FGT1, %)",
        "Chỉ số mức độ trầm trọng của nghèo thu nhập (FGT2, %)",
        "Khoảng cách thu nhập bình quân của hộ dưới chuẩn (%)",
        "Chuẩn thu nhập nông thôn (đồng/người/tháng)",
        "Chuẩn thu nhập thành thị (đồng/người/tháng)",
    ]
    assert list(fgt_table(ind, lang="en").columns)[3].endswith("(VND per person per month)")


def _sobol_table(s1_reliable: bool) -> pd.DataFrame:
    """Sensitivity rows of plan_2024 as `sensitivity_caption` reads them: two outputs of 2025
    (the outlook year), two kinds of parameter each; first-order indices all reliable or none."""
    rows = []
    for output, label_vi, label_en in (
        ("poor_rate:province:2025", "Tỷ lệ hộ nghèo toàn tỉnh năm 2025", "Province poor-household rate in 2025"),
        (
            "met:poor_rate_province:province:2025",
            "Đạt chỉ tiêu «A» (Toàn tỉnh) năm 2025",
            "Meets 'A' (Province) in 2025",
        ),
    ):
        for group in ("effect", "cost"):
            rows.append(
                {"grouping": "kind", "group": group, "output": output, "output_label_vi": label_vi}
                | {"output_label_en": label_en, "S1_reliable": s1_reliable}
            )
    return pd.DataFrame(rows)


def test_sensitivity_captions_name_their_output_and_an_uninformative_mark():
    """The uncertainty page's two charts were both captioned «Theo loại tham số: …», one of them
    for the outlook year 2025, unsaid; with 32 base points every group was marked «*» (first-order
    index too imprecise to draw) and the caption did not say the mark told nothing apart."""
    table = _sobol_table(False)
    a = sensitivity_caption(table, "poor_rate:province:2025", "kind", "vi")
    b = sensitivity_caption(table, "met:poor_rate_province:province:2025", "kind", "vi")
    assert a != b
    assert a.startswith("Theo loại tham số — Tỷ lệ hộ nghèo toàn tỉnh năm 2025: ")
    assert "Mọi nhóm đều đánh dấu *" in a
    good = sensitivity_caption(_sobol_table(True), "poor_rate:province:2025", "kind", "vi")
    assert "năm 2025" in good and "đánh dấu" not in good
    en = sensitivity_caption(table, "poor_rate:province:2025", "kind", "en")
    assert en.startswith("By kind of parameter — Province poor-household rate in 2025: ") and "Every group" in en
