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
    "err.standard_overlap": (
        "năm {year} đã thuộc chuẩn nghèo «{other}»; các giai đoạn áp dụng không được chồng lên nhau",
        "year {year} is already covered by standard '{other}'; periods in force must not overlap",
    ),
    "err.no_standard": ("không có chuẩn nghèo nào áp dụng cho năm này (params/standards/)", "no poverty standard is in force in this year (params/standards/)"),
    "err.targeted_overlap": (
        "dự án chọn hộ theo chỉ số thiếu hụt của mình nhưng dự án {other} cũng xóa các chỉ số này",
        "the line targets households by its own deprivations but line {other} also removes them",
    ),
    "err.standard_mismatch": (
        "bộ dữ liệu được phân loại theo chuẩn «{declared}» nhưng năm gốc {year} áp dụng chuẩn «{expected}»",
        "the dataset was classified under standard '{declared}' but standard '{expected}' is in force in its baseline year {year}",
    ),
    "err.mask_impossible": (
        "không thể tạo hộ thuộc trạng thái «{state}»: xác suất thiếu hụt quá thấp/cao để thỏa quy tắc đếm chỉ số",
        "cannot synthesise households in state '{state}': the deprivation propensities cannot satisfy the count rule",
    ),
    "model.states": ("Mô hình trạng thái (xác suất chuyển)", "State model (transition probabilities)"),
    "model.multidim": ("Mô hình đa chiều (thu nhập và 12 chỉ số thiếu hụt)", "Multidimensional model (income and 12 deprivation indicators)"),
    "dimension.employment": ("Việc làm", "Employment"),
    "dimension.health": ("Y tế", "Health"),
    "dimension.education": ("Giáo dục", "Education"),
    "dimension.housing": ("Nhà ở", "Housing"),
    "dimension.water_sanitation": ("Nước sinh hoạt và vệ sinh", "Water and sanitation"),
    "dimension.information": ("Thông tin", "Information"),
    "dimension.all": ("Tổng hợp", "Overall"),
    "deprivation.employment": ("Việc làm", "Employment"),
    "deprivation.dependants": ("Người phụ thuộc trong hộ", "Dependants in the household"),
    "deprivation.nutrition": ("Dinh dưỡng", "Nutrition"),
    "deprivation.health_insurance": ("Bảo hiểm y tế", "Health insurance"),
    "deprivation.adult_education": ("Trình độ giáo dục của người lớn", "Adult education level"),
    "deprivation.school_attendance": ("Tình trạng đi học của trẻ em", "Children's school attendance"),
    "deprivation.housing_quality": ("Chất lượng nhà ở", "Housing quality"),
    "deprivation.housing_area": ("Diện tích nhà ở bình quân đầu người", "Floor area per person"),
    "deprivation.drinking_water": ("Nguồn nước sinh hoạt", "Drinking-water source"),
    "deprivation.sanitation": ("Nhà tiêu hợp vệ sinh", "Hygienic latrine"),
    "deprivation.telecom_use": ("Sử dụng dịch vụ viễn thông", "Use of telecommunication services"),
    "deprivation.information_access": ("Phương tiện tiếp cận thông tin", "Means of access to information"),
    "deprivation.any": ("Thiếu hụt ít nhất một chỉ số của chiều", "Deprived in at least one indicator of the dimension"),
    "deprivation.three_or_more": ("Thiếu hụt từ 3 chỉ số trở lên", "Deprived in 3 or more indicators"),
    "population.poor": ("Hộ nghèo", "Poor households"),
    "population.near_poor": ("Hộ cận nghèo", "Near-poor households"),
    "population.poor_near_poor": ("Hộ nghèo và cận nghèo", "Poor and near-poor households"),
    "population.all": ("Tất cả các hộ", "All households"),
    "indicator.poverty_gap_index": ("Chỉ số khoảng cách nghèo thu nhập (FGT1)", "Income poverty-gap index (FGT1)"),
    "indicator.poverty_severity_index": ("Chỉ số mức độ trầm trọng của nghèo thu nhập (FGT2)", "Income poverty-severity index (FGT2)"),
    "indicator.income_gap_ratio": ("Khoảng cách thu nhập bình quân của hộ dưới chuẩn", "Average income gap of households below the line"),
    "indicator.income_line_rural": ("Chuẩn thu nhập nông thôn", "Rural income line"),
    "indicator.income_line_urban": ("Chuẩn thu nhập thành thị", "Urban income line"),
    "indicator.standard_changed": ("Năm áp dụng chuẩn nghèo mới", "Year a new poverty standard applies"),
    "unit.vnd_person_month": ("đồng/người/tháng", "VND per person per month"),
    "dep.col.dimension": ("Chiều thiếu hụt", "Dimension"),
    "dep.col.indicator": ("Chỉ số", "Indicator"),
    "dep.col.start": ("Năm {year} (%)", "{year} (%)"),
    "dep.col.end": ("Năm {year} (%)", "{year} (%)"),
    "dep.col.change": ("Thay đổi (điểm %)", "Change (points)"),
    "dep.col.households_fewer": ("Số hộ giảm thiếu hụt", "Fewer households deprived"),
    "dep.col.district": ("Địa bàn", "Unit"),
    "dep.col.line": ("Dự án/tiểu dự án", "Project / sub-project"),
    "dep.col.removed": ("Số lượt hộ được xóa thiếu hụt", "Household deprivations removed"),
    "dep.col.share_of_removals": ("Tỷ trọng (%)", "Share (%)"),
    "dep.title.shares": ("Tỷ lệ hộ thiếu hụt theo chỉ số – {population}", "Share of households deprived, by indicator – {population}"),
    "dep.title.district": ("Thay đổi tỷ lệ thiếu hụt theo địa bàn và chiều ({start}–{end}, điểm %)", "Change in deprivation by unit and dimension ({start}–{end}, points)"),
    "dep.title.lines": ("Thiếu hụt được xóa nhờ từng dự án ({start}–{end})", "Deprivations removed by each project ({start}–{end})"),
    "dep.title.fgt": ("Khoảng cách và mức độ trầm trọng của nghèo thu nhập", "Income poverty gap and severity"),
    "dep.axis.share": ("% số hộ", "% of households"),
    "dep.axis.points": ("điểm %", "points"),
    "dep.axis.households": ("lượt hộ", "households"),
    "dep.axis.index": ("chỉ số (%)", "index (%)"),
    "dep.note.break": (
        "Lưu ý: từ năm {year} áp dụng chuẩn nghèo mới «{new}» (chuẩn thu nhập {rural} ở nông thôn và {urban} ở thành thị, trước đó {old_rural} và {old_urban} {unit}). Mọi hộ được phân loại lại theo chuẩn mới, vì vậy số hộ nghèo, cận nghèo năm {year} không so sánh trực tiếp được với năm trước.",
        "Note: from {year} the new poverty standard '{new}' applies (income lines {rural} rural and {urban} urban, previously {old_rural} and {old_urban} {unit}). Every household is reclassified under the new standard, so poor and near-poor counts in {year} are not directly comparable with the year before.",
    ),
    "dep.note.break_states_model": (
        "Lưu ý: từ năm {year} áp dụng chuẩn nghèo mới «{new}», nhưng mô hình trạng thái không phân loại lại hộ theo chuẩn mới; hãy chạy với model=multidim để thấy sự thay đổi này.",
        "Note: the new poverty standard '{new}' applies from {year}, but the state model does not reclassify households under it; run with model=multidim to see the break.",
    ),
    "dep.note.states_model": (
        "Kịch bản này chạy mô hình trạng thái, không theo dõi các chỉ số thiếu hụt; hãy chạy với model=multidim.",
        "This scenario ran the state model, which does not track deprivation indicators; run it with model=multidim.",
    ),
    "dep.text.improves": (
        "{population}: tỷ lệ thiếu hụt giảm nhiều nhất ở chiều {best} ({best_change}); {n_improve}/{n_dims} chiều được cải thiện từ {start} đến {end}.",
        "{population}: deprivation fell most in {best} ({best_change}); {n_improve} of {n_dims} dimensions improved from {start} to {end}.",
    ),
    "dep.text.lines": ("Dự án đóng góp nhiều nhất: {line} ({share} số lượt xóa thiếu hụt).", "Largest contribution: {line} ({share} of deprivations removed)."),
    "dep.text.fgt": (
        "Khoảng cách nghèo thu nhập (FGT1) {start_v} năm {start}, {end_v} năm {end}; mức độ trầm trọng (FGT2) {start_v2} và {end_v2}.",
        "Income poverty gap (FGT1) {start_v} in {start}, {end_v} in {end}; severity (FGT2) {start_v2} and {end_v2}.",
    ),
    # --- calibration and back-testing ---------------------------------------------------
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
