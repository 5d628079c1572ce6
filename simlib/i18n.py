"""Translations and number formatting for everything a user reads (CLI, reports, charts).

Vietnamese (`vi`) is the default; English (`en`) is available everywhere. Keys are stable
English identifiers; add a pair here rather than writing user-facing text elsewhere.
"""
from __future__ import annotations

import math
import os

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

# key -> (vi, en). Templates use str.format fields.
MESSAGES: dict[str, tuple[str, str]] = {
    # --- states and flows -------------------------------------------------------------
    "state.poor": ("Hộ nghèo", "Poor"),
    "state.near_poor": ("Hộ cận nghèo", "Near-poor"),
    "state.escaped": ("Hộ mới thoát nghèo", "Newly escaped"),
    "state.non_poor": ("Hộ không nghèo", "Non-poor"),
    "state.new": ("Hộ mới tách", "New household"),
    "flow.escape": ("Thoát nghèo", "Escape from poverty"),
    "flow.poor_to_near_poor": ("Nghèo → cận nghèo", "Poor → near-poor"),
    "flow.relapse": ("Tái nghèo", "Relapse into poverty"),
    "flow.relapse_near_poor": ("Tái cận nghèo", "Relapse into near-poverty"),
    "flow.near_poor_exit": ("Thoát cận nghèo", "Exit from near-poverty"),
    "flow.near_poor_to_poor": ("Cận nghèo → nghèo", "Near-poor → poor"),
    "flow.new_poor": ("Phát sinh nghèo", "New poverty"),
    "flow.new_near_poor": ("Phát sinh cận nghèo", "New near-poverty"),
    "flow.ageing_out": ("Hết 36 tháng sau thoát nghèo", "Aged out of the 36-month window"),
    "flow.new_household": ("Hộ mới tách/thành lập", "New household formed"),
    "flow.stay": ("Giữ nguyên", "Unchanged"),
    # --- geography and groups -----------------------------------------------------------
    "geo.province": ("Toàn tỉnh", "Province"),
    "geo.poor_districts": ("Các huyện nghèo", "Poor districts"),
    "geo.ethnic_minority": ("Hộ dân tộc thiểu số", "Ethnic-minority households"),
    "geo.kinh": ("Hộ dân tộc Kinh", "Kinh households"),
    "group.ethnic_minority": ("Dân tộc thiểu số", "Ethnic minority"),
    "group.kinh": ("Kinh", "Kinh"),
    "area.rural": ("Nông thôn", "Rural"),
    "area.urban": ("Thành thị", "Urban"),
    # --- budget sources -----------------------------------------------------------------
    "source.central_investment": ("NSTW – vốn đầu tư phát triển", "Central – development investment"),
    "source.central_recurrent": ("NSTW – vốn sự nghiệp", "Central – recurrent"),
    "source.local": ("Ngân sách địa phương đối ứng", "Local counterpart"),
    "source.policy_credit": ("Vốn tín dụng chính sách", "Policy credit"),
    "source.mobilised": ("Vốn huy động hợp pháp khác", "Other mobilised funds"),
    # --- units --------------------------------------------------------------------------
    "unit.households": ("hộ", "households"),
    "unit.pct": ("%", "%"),
    "unit.pts": ("điểm %", "percentage points"),
    "unit.billion_vnd": ("tỷ đồng", "billion VND"),
    "unit.million_vnd": ("triệu đồng", "million VND"),
    # --- indicators ---------------------------------------------------------------------
    "indicator.households": ("Tổng số hộ", "Households"),
    "indicator.poor": ("Số hộ nghèo", "Poor households"),
    "indicator.near_poor": ("Số hộ cận nghèo", "Near-poor households"),
    "indicator.escaped": ("Số hộ mới thoát nghèo", "Newly escaped households"),
    "indicator.poor_rate": ("Tỷ lệ hộ nghèo", "Poor-household rate"),
    "indicator.near_poor_rate": ("Tỷ lệ hộ cận nghèo", "Near-poor household rate"),
    "indicator.poor_near_poor_rate": ("Tỷ lệ hộ nghèo và cận nghèo", "Poor + near-poor rate"),
    "indicator.poor_rate_change": ("Thay đổi tỷ lệ hộ nghèo", "Change in poor-household rate"),
    "indicator.escapes": ("Số hộ thoát nghèo", "Households escaping poverty"),
    "indicator.relapses": ("Số hộ tái nghèo", "Households relapsing"),
    "indicator.new_poor": ("Số hộ phát sinh nghèo", "Newly poor households"),
    "indicator.production_support_coverage": (
        "Tỷ lệ người có nhu cầu được hỗ trợ phát triển sản xuất",
        "Share of those wanting production support who receive it",
    ),
    "indicator.officers_trained": ("Tỷ lệ cán bộ giảm nghèo được tập huấn", "Share of poverty-reduction officers trained"),
    "indicator.poor_districts_with_infrastructure": (
        "Tỷ lệ huyện nghèo được đầu tư hạ tầng",
        "Share of poor districts receiving infrastructure investment",
    ),
    "target.met": ("Đạt", "Met"),
    "target.not_met": ("Không đạt", "Not met"),
    # --- CLI ----------------------------------------------------------------------------
    "cli.error_prefix": ("Lỗi", "Error"),
    "cli.errors_found": ("Phát hiện {n} lỗi:", "{n} problem(s) found:"),
    "cli.valid": ("Hợp lệ: {path}", "Valid: {path}"),
    "cli.wrote": ("Đã ghi kết quả vào {path}", "Results written to {path}"),
    "cli.running": ("Đang chạy kịch bản {name} ({engine})", "Running scenario {name} ({engine})"),
    "cli.batch_summary": (
        "Hoàn thành {ok}/{total} kịch bản; {failed} kịch bản lỗi.",
        "Finished {ok}/{total} scenarios; {failed} failed.",
    ),
    "cli.scenario_failed": ("Kịch bản {name} lỗi: {error}", "Scenario {name} failed: {error}"),
    "cli.interrupted": ("Đã dừng theo yêu cầu; không ghi kết quả dở dang.", "Interrupted; no partial output was kept."),
    "cli.internal_error": (
        "Lỗi nội bộ của simlib (không phải do dữ liệu đầu vào): {error}. Hãy báo lại cho nhóm phát triển kèm lệnh đã chạy.",
        "Internal simlib error (not caused by your input): {error}. Please report it with the command you ran.",
    ),
    "cli.list_scenarios": ("Kịch bản có sẵn ({path}):", "Available scenarios ({path}):"),
    "cli.list_lines": ("Các dự án/tiểu dự án của Chương trình:", "Programme projects and sub-projects:"),
    "cli.progress_draws": ("Lượt mô phỏng", "Draws"),
    "cli.progress_scenarios": ("Kịch bản", "Scenarios"),
    # --- input errors -------------------------------------------------------------------
    "err.where": ("{file}, trường «{field}»", "{file}, field '{field}'"),
    "err.where_file": ("{file}", "{file}"),
    "err.value": ("giá trị: {value}", "value: {value}"),
    "err.allowed": ("cho phép: {allowed}", "allowed: {allowed}"),
    "err.unknown_key": ("khóa không được hỗ trợ", "unknown key"),
    "err.missing": ("thiếu trường bắt buộc «{name}»", "required field '{name}' is missing"),
    "err.type": ("sai kiểu dữ liệu, cần {expected}", "wrong type, expected {expected}"),
    "err.enum": ("giá trị không hợp lệ", "value not allowed"),
    "err.minimum": ("giá trị phải ≥ {limit}", "value must be ≥ {limit}"),
    "err.maximum": ("giá trị phải ≤ {limit}", "value must be ≤ {limit}"),
    "err.exclusive_minimum": ("giá trị phải > {limit}", "value must be > {limit}"),
    "err.pattern": ("không đúng định dạng", "wrong format"),
    "err.length": ("số phần tử không hợp lệ", "wrong number of items"),
    "err.schema": ("không hợp lệ: {detail}", "invalid: {detail}"),
    "err.negative_money": ("số tiền không được âm", "money amounts cannot be negative"),
    "err.shares_sum": ("tổng tỷ lệ phải bằng 1 (hiện là {total})", "shares must add up to 1 (they add up to {total})"),
    "err.unknown_line": ("mã dự án/tiểu dự án không tồn tại", "unknown project or sub-project code"),
    "err.unknown_unit": ("địa bàn (huyện/xã) không có trong bộ dữ liệu", "geographic unit not in the dataset"),
    "err.probability": ("xác suất phải nằm trong [0, 1]", "probabilities must lie in [0, 1]"),
    "err.row_sum": (
        "tổng xác suất chuyển ra khỏi trạng thái «{state}» là {total} > 1 (nhóm {cell})",
        "outgoing probabilities from state '{state}' add up to {total} > 1 (cell {cell})",
    ),
    "err.no_source": (
        "mỗi con số phải có «source» (nguồn) hoặc «assumption» (giả định)",
        "every number needs a 'source' or an 'assumption' note",
    ),
    "err.range": (
        "giá trị trung tâm nằm ngoài khoảng [{lo}, {hi}] (nếu cố ý, hãy sửa cả «range»)",
        "central value lies outside its range [{lo}, {hi}] (if intended, change 'range' too)",
    ),
    "err.range_order": ("khoảng phải có dạng [thấp, cao]", "range must be [low, high]"),
    "err.file_missing": ("không tìm thấy tệp", "file not found"),
    "err.yaml": ("tệp YAML không đọc được: {detail}", "cannot parse YAML: {detail}"),
    "err.not_mapping": ("nội dung phải là một bảng khóa: giá trị", "content must be a mapping of key: value"),
    "err.year_missing": (
        "thiếu ngân sách cho năm {year} (khai báo năm đó, có thể là {{}} nếu bằng 0, hoặc same_as)",
        "budget missing for year {year} (list it, as {{}} for zero, or with same_as)",
    ),
    "err.year_outside": ("năm nằm ngoài giai đoạn mô phỏng {first}–{last}", "year outside the projection period {first}–{last}"),
    "err.same_as": ("same_as phải trỏ tới một năm đã khai báo", "same_as must name another listed year"),
    "err.capital": (
        "dự án {line} không dùng được nguồn vốn này; nguồn được phép: {sources}",
        "line {line} cannot be funded from this source; allowed sources: {sources}",
    ),
    "err.set_syntax": ("--set cần dạng khóa.con=giá_trị", "--set needs the form dotted.key=value"),
    "err.set_unknown": ("khóa không tồn tại trong tham số hoặc kịch bản", "no such key in the parameters or the scenario"),
    "err.csv_columns": ("thiếu cột: {missing}", "missing columns: {missing}"),
    "err.csv_duplicate": ("ô dữ liệu bị trùng ở các dòng {rows}", "duplicated cells at rows {rows}"),
    "err.csv_negative": ("số hộ âm ở các dòng {rows}", "negative household counts at rows {rows}"),
    "err.csv_not_number": ("không phải số ở các dòng {rows}", "not a number at rows {rows}"),
    "err.csv_values": ("giá trị không hợp lệ ở các dòng {rows}", "values not allowed at rows {rows}"),
    "err.csv_read": ("không đọc được tệp: {detail}", "cannot read the file: {detail}"),
    "err.engine": ("bộ máy tính không hỗ trợ", "unknown engine"),
    "err.draws": ("số lượt mô phỏng phải ≥ 1", "number of draws must be ≥ 1"),
    "err.no_scenarios": ("không có tệp kịch bản .yaml nào", "no .yaml scenario files found"),
    "err.dataset": ("bộ dữ liệu không hợp lệ: {detail}", "invalid dataset: {detail}"),
    "err.output_exists": ("đường dẫn đầu ra là một tệp, không phải thư mục", "output path is a file, not a folder"),
    # --- reports (notebooks, batch, index) ------------------------------------------------
    # --- multidimensional poverty standard and deprivations ---------------------------------
    # --- calibration and back-testing ---------------------------------------------------
    "err.cal_prior_scale": ("độ mạnh của tiên nghiệm phải > 0", "the prior scale must be > 0"),
    "err.cal_no_files": ("chưa chỉ ra tệp số liệu nào", "no data file given"),
    "err.cal_year_value": ("năm không hợp lệ ở các dòng {rows}", "not a valid year at rows {rows}"),
    "err.cal_years_gap": ("các năm rà soát phải liên tiếp; thiếu năm {missing}", "review years must follow one another; missing {missing}"),
    "err.cal_year_order": ("các cột năm không theo thứ tự tăng dần", "year columns are not in increasing order"),
    "err.cal_unknown_unit": ("địa bàn không có trong bộ dữ liệu mẫu ở các dòng {rows}", "unit not in the template dataset at rows {rows}"),
    "err.cal_missing_rows": ("thiếu số liệu của: {detail}", "no row for: {detail}"),
    "err.cal_totals": ("tổng không khớp ({detail}) ở các dòng {rows}", "inconsistent totals ({detail}) at rows {rows}"),
    "err.cal_flow_exceeds": (
        "số hộ chuyển lớn hơn số hộ «{origin}» của năm trước ở các dòng {rows}",
        "more households moving than there were '{origin}' the year before, at rows {rows}",
    ),
    "err.cal_empty_id": ("thiếu mã hộ ở các dòng {rows}", "household id missing at rows {rows}"),
    "err.cal_duplicate_id": ("mã hộ lặp lại trong cùng một năm ở các dòng {rows}", "household id repeated within a year at rows {rows}"),
    "err.cal_from_nowhere": (
        "hộ xuất hiện mà năm trước không có trong danh sách và không được đánh dấu là hộ mới (cột «new») ở các dòng {rows}",
        "household appears without a listing the year before and is not marked new (column 'new') at rows {rows}",
    ),
    "err.cal_new_existing": (
        "hộ được đánh dấu là hộ mới nhưng đã có trong danh sách năm trước ở các dòng {rows}",
        "household marked new but already listed the year before at rows {rows}",
    ),
    "err.cal_escaped_history": (
        "trạng thái «mới thoát nghèo» không khớp với lịch sử của hộ (năm trước không phải hộ nghèo, đã quá 36 tháng, hoặc là hộ mới) ở các dòng {rows}",
        "status 'newly escaped' contradicts the household's history (not poor the year before, escaped more than 36 months ago, or a new household) at rows {rows}",
    ),
    "err.cal_escape_year_order": ("năm thoát nghèo sau năm rà soát ở các dòng {rows}", "escape year after the review year at rows {rows}"),
    "err.cal_area": ("không có khu vực này trong bảng số liệu", "no such area in the table"),
    "err.cal_series_year": (
        "cần đúng một dòng của «{area}» với nhãn năm này (tìm thấy {n})",
        "exactly one row of '{area}' with this year label is needed ({n} found)",
    ),
    "err.cal_series_households": ("không tính được tổng số hộ của «{area}» cho năm nào", "the household total of '{area}' cannot be derived for any year"),
    "err.cal_series_poor": ("thiếu tỷ lệ hộ nghèo của «{area}»", "the poor rate of '{area}' is missing"),
    "err.cal_prior_cells": (
        "tệp tiên nghiệm có xác suất riêng theo nhóm («cells»): hãy dùng --structure per_class hoặc một tệp tiên nghiệm không có «cells»",
        "the prior file has per-class rates ('cells'): use --structure per_class or a prior without 'cells'",
    ),
    "err.cal_effects_budget": (
        "ước lượng hệ số tác động của Chương trình cần ngân sách của các năm quan sát (--budget)",
        "estimating the programme effect multiplier needs the observed years' budget (--budget)",
    ),
    "err.cal_effects_structure": (
        "hệ số tác động chỉ ước lượng được với --structure parametric",
        "the effect multiplier can only be estimated with --structure parametric",
    ),
    "err.cal_holdout": (
        "chuỗi «{series}» không có số liệu của năm kiểm định và năm trước đó",
        "series '{series}' has no data for the held-out year and the year before",
    ),
    "err.cal_budget_syntax": ("--budget-year cần dạng NĂM=tệp_kịch_bản", "--budget-year needs the form YEAR=scenario_file"),
    "cli.cal_estimating": ("Đang ước lượng từ {what} ({n} tệp)…", "Estimating from {what} ({n} file(s))…"),
    "cli.cal_what_aggregate": ("số liệu tổng hợp kết quả rà soát", "aggregate review counts"),
    "cli.cal_what_household": ("danh sách hộ rà soát", "household review lists"),
    "cli.cal_summary": (
        "Năm rà soát {years}; {hh} hộ-năm; phương pháp: {method}",
        "Review years {years}; {hh} household-years; method: {method}",
    ),
    "cli.cal_rate_line": (
        "  {rate}: tiên nghiệm {prior} → ước lượng {est} (95 %: {lo}–{hi}); trọng số dữ liệu {w}",
        "  {rate}: prior {prior} → estimate {est} (95 %: {lo}–{hi}); data weight {w}",
    ),
    "cli.cal_class_head": ("Nhóm hộ «{cls}» ({hh} hộ-năm):", "Class '{cls}' ({hh} household-years):"),
    "cli.cal_gross": (
        "Lưu ý: không có ngân sách (--budget), nên xác suất ước lượng đã gồm cả tác động của Chương trình trong các năm quan sát; nếu dùng chúng cùng ngân sách Chương trình thì tác động bị tính hai lần.",
        "Note: no budget given (--budget), so the estimated rates include the programme's effect in the observed years; using them together with a programme budget counts that effect twice.",
    ),
    "cli.cal_effect": (
        "Hệ số tác động của Chương trình: {value} (95 %: {lo}–{hi}); {verdict}",
        "Programme effect multiplier: {value} (95 %: {lo}–{hi}); {verdict}",
    ),
    "cli.cal_identified": ("số liệu xác định được hệ số này", "identified by the data"),
    "cli.cal_not_identified": ("số liệu chưa đủ để xác định (chủ yếu là tiên nghiệm)", "not identified by the data (mostly the prior)"),
    "cli.cal_use": ("Dùng trong kịch bản: transitions: {path}", "To use it in a scenario: transitions: {path}"),
    "cli.bt_head": ("Kiểm định ngược «{name}», năm kiểm định {years}:", "Back-test '{name}', held-out years {years}:"),
    "cli.bt_line": (
        "  {series} {year} {indicator}: quan sát {obs}, dự báo {proj} (sai số {err}; khoảng 90 %: {lo}–{hi})",
        "  {series} {year} {indicator}: observed {obs}, projected {proj} (error {err}; 90 % interval: {lo}–{hi})",
    ),
    "cal.observed": ("Quan sát", "Observed"),
    "cal.fitted": ("Ước lượng trong mẫu (một bước)", "Fitted (one step ahead)"),
    "cal.projected": ("Dự báo năm kiểm định", "Projected held-out year"),
    "cal.interval": ("khoảng 90 %", "90 % interval"),
    "cal.prior": ("Tiên nghiệm", "Prior"),
    "cal.estimate": ("Ước lượng (khoảng 95 %)", "Estimate (95 % interval)"),
    "cal.truth": ("Giá trị thật (dữ liệu tổng hợp)", "True value (synthetic data)"),
    "cal.year": ("Năm rà soát", "Review year"),
    "cal.probability": ("Xác suất mỗi năm", "Probability per year"),
    "cal.backtest_title": ("{series}: quan sát, ước lượng và dự báo", "{series}: observed, fitted and projected"),
    "cal.rates_title": ("{rate}: ước lượng theo nhóm hộ", "{rate}: estimate by household class"),
    "cal.poor_district": ("huyện nghèo", "poor district"),
    "cal.other_district": ("huyện khác", "other district"),
    "cal.col.series": ("Chuỗi số liệu", "Series"),
    "cal.col.year": ("Năm", "Year"),
    "cal.col.indicator": ("Chỉ tiêu", "Indicator"),
    "cal.col.observed": ("Quan sát", "Observed"),
    "cal.col.projected": ("Dự báo", "Projected"),
    "cal.col.error": ("Sai số (dự báo − quan sát)", "Error (projected − observed)"),
    "cal.col.interval": ("Khoảng 90 %", "90 % interval"),
    "cal.col.covered": ("Trong khoảng", "Inside interval"),
    "cal.yes": ("có", "yes"),
    "cal.no": ("không", "no"),
    "cal.col.n": ("Số so sánh", "Comparisons"),
    "cal.col.mae": ("Sai số tuyệt đối trung bình", "Mean absolute error"),
    "cal.col.bias": ("Sai lệch trung bình", "Mean error"),
    "cal.nb_title": (
        "Hiệu chỉnh xác suất chuyển trạng thái và kiểm định ngược",
        "Calibrating the transition probabilities and back-testing",
    ),
    "cal.nb_backtest": (
        "Kiểm định ngược: ước lượng trên các năm trước năm T, dự báo năm T, so với số liệu công bố của năm T",
        "Back-test: fit on the years before T, project year T, compare with T's published figures",
    ),
    "cal.nb_errors": ("Sai số trên các năm kiểm định (không dùng để ước lượng)", "Errors on the held-out years (not used in the fit)"),
    "cal.nb_summary": ("Sai số theo chỉ tiêu", "Errors by indicator"),
    "cal.nb_notes": ("Giả định và giới hạn của số liệu", "Assumptions and limits of the data"),
    "cal.nb_household": (
        "Danh sách hộ (DỮ LIỆU TỔNG HỢP, không phải số liệu thật): ước lượng so với giá trị thật của mô hình sinh dữ liệu",
        "Household lists (SYNTHETIC, not real data): estimates against the known model that generated them",
    ),
    "cal.indicator.near_poor_rate_change": ("Thay đổi tỷ lệ hộ cận nghèo", "Change in near-poor household rate"),
    "rate.poor.escaped_1": ("Thoát nghèo", "Escape from poverty"),
    "rate.poor.near_poor": ("Nghèo → cận nghèo (nếu không thoát)", "Poor → near-poor (if no escape)"),
    "rate.near_poor.non_poor": ("Thoát cận nghèo", "Exit from near-poverty"),
    "rate.near_poor.poor": ("Cận nghèo → nghèo (nếu không thoát)", "Near-poor → poor (if no exit)"),
    "rate.escaped_1.poor": ("Tái nghèo, năm thứ 1 sau thoát nghèo", "Relapse, 1st year after escape"),
    "rate.escaped_1.near_poor": ("Tái cận nghèo, năm thứ 1", "Relapse to near-poor, 1st year"),
    "rate.escaped_2.poor": ("Tái nghèo, năm thứ 2", "Relapse, 2nd year"),
    "rate.escaped_2.near_poor": ("Tái cận nghèo, năm thứ 2", "Relapse to near-poor, 2nd year"),
    "rate.escaped_3.poor": ("Tái nghèo, năm thứ 3", "Relapse, 3rd year"),
    "rate.escaped_3.near_poor": ("Tái cận nghèo, năm thứ 3", "Relapse to near-poor, 3rd year"),
    "rate.non_poor.poor": ("Phát sinh nghèo", "New poverty"),
    "rate.non_poor.near_poor": ("Phát sinh cận nghèo", "New near-poverty"),
    # --- allocation and optimisation -------------------------------------------------------
    # --- uncertainty, sensitivity, robustness ---------------------------------------------
    # --- performance and national scale -----------------------------------------------------
}


def get_lang(lang: str | None = None) -> str:
    """The language to use: the argument, else `$SIMLIB_LANG`, else Vietnamese."""
    lang = lang or os.environ.get("SIMLIB_LANG") or DEFAULT_LANG
    lang = lang.lower()[:2]
    return lang if lang in LANGS else DEFAULT_LANG


def t(key: str, lang: str | None = None, **fields) -> str:
    """Translate `key` into `lang` and fill its fields; unknown keys come back as the key."""
    pair = MESSAGES.get(key)
    if pair is None:
        text = key
    else:
        text = pair[LANGS.index(get_lang(lang))]
    return text.format(**fields) if fields else text


def fmt_number(x: float, lang: str | None = None, decimals: int = 0) -> str:
    """Format a number the local way: `1.234,5` in Vietnamese, `1,234.5` in English."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    s = f"{x:,.{decimals}f}"
    if get_lang(lang) == "vi":
        s = s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return s


def fmt_pct(x: float, lang: str | None = None, decimals: int = 1) -> str:
    """A percentage (x already in %), e.g. `24,7 %` (vi) or `24.7%` (en)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    num = fmt_number(x, lang, decimals)
    return f"{num} %" if get_lang(lang) == "vi" else f"{num}%"


def fmt_pts(x: float, lang: str | None = None, decimals: int = 2) -> str:
    """A change in percentage points with sign, e.g. `−4,23 điểm %`."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    sign = "−" if x < 0 else "+"
    return f"{sign}{fmt_number(abs(x), lang, decimals)} {t('unit.pts', lang)}"


def label(kind: str, code: str, lang: str | None = None) -> str:
    """Display label for a coded value, e.g. label('state', 'poor')."""
    key = f"{kind}.{code}"
    return t(key, lang) if key in MESSAGES else code
