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
    "err.duplicate_key": ("khóa bị lặp lại ở dòng {line}", "key repeated at line {line}"),
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
    "unit.year": ("năm", "year"),
    "unit.million_vnd_per_household": ("triệu đồng/hộ", "million VND per household"),
    "channel.escape": ("thoát nghèo", "escape"),
    "channel.deprivation": ("giảm thiếu hụt", "deprivations"),
    "channel.relapse": ("giảm tái nghèo", "relapse"),
    "channel.new_poverty": ("giảm phát sinh nghèo", "new poverty"),
    "channel.enabling": ("hỗ trợ dự án khác", "enabling"),
    "short.P1": ("Hạ tầng huyện nghèo", "Infrastructure in poor districts"),
    "short.P1.1": ("Hạ tầng KT-XH huyện nghèo", "Infrastructure investment"),
    "short.P1.2": ("Đề án hỗ trợ huyện nghèo thoát nghèo", "Poor-district exit scheme"),
    "short.P2": ("Đa dạng hóa sinh kế, mô hình giảm nghèo", "Livelihoods, poverty-reduction models"),
    "short.P3": ("Phát triển sản xuất, dinh dưỡng", "Production support, nutrition"),
    "short.P3.1": ("Hỗ trợ phát triển sản xuất", "Production support"),
    "short.P3.2": ("Cải thiện dinh dưỡng", "Nutrition"),
    "short.P4": ("Giáo dục nghề nghiệp, việc làm", "Vocational training, jobs"),
    "short.P4.1": ("Giáo dục nghề nghiệp", "Vocational education"),
    "short.P4.2": ("Đi làm việc ở nước ngoài", "Contract work abroad"),
    "short.P4.3": ("Việc làm bền vững", "Sustainable employment"),
    "short.P5": ("Nhà ở", "Housing"),
    "short.P6": ("Truyền thông, giảm nghèo thông tin", "Communication, information"),
    "short.P6.1": ("Giảm nghèo về thông tin", "Information-poverty reduction"),
    "short.P6.2": ("Truyền thông giảm nghèo đa chiều", "Communication"),
    "short.P7": ("Nâng cao năng lực, giám sát", "Capacity, monitoring"),
    "short.P7.1": ("Nâng cao năng lực", "Capacity building"),
    "short.P7.2": ("Giám sát, đánh giá", "Monitoring and evaluation"),
    "short.indicator.production_support_coverage": ("Hỗ trợ phát triển sản xuất (người có nhu cầu)", "Production support (of those wanting it)"),
    "short.indicator.officers_trained": ("Cán bộ giảm nghèo được tập huấn", "Officers trained"),
    "short.indicator.poor_districts_with_infrastructure": ("Huyện nghèo được đầu tư hạ tầng", "Poor districts with infrastructure"),
    "report.spread_range": (" · khoảng 90 %: {low} – {high}", " · 90 % range: {low} – {high}"),
    "report.engine.expected": ("mô hình giá trị kỳ vọng (expected)", "expected-value engine"),
    "report.engine.microsim": ("vi mô phỏng từng hộ (microsim)", "household microsimulation"),
    "report.draws": ("{n} lượt mô phỏng", "{n} draws"),
    "report.title": ("Báo cáo kịch bản: {title}", "Scenario report: {title}"),
    "report.subtitle": (
        "Chương trình MTQG giảm nghèo bền vững — {province} — dự báo {first}–{last}",
        "National Target Program for Sustainable Poverty Reduction — {province} — projection {first}–{last}",
    ),
    "report.produced": ("Tính toán bằng {engine}; ngày chạy {date}.", "Computed with the {engine}; run on {date}."),
    "report.caveat.base": (
        "Lưu ý khi đọc: các con số là kết quả dự báo theo kịch bản, dùng để so sánh các phương án phân bổ vốn, không phải số liệu thống kê.",
        "How to read this: the figures are scenario projections for comparing allocations, not statistics.",
    ),
    "report.caveat.estimated": (
        "Số liệu nền theo địa bàn phần lớn là ước tính từ số liệu công bố cấp tỉnh.",
        "The baseline by district is mostly estimated from published provincial figures.",
    ),
    "report.caveat.assumed": (
        "{n}/{total} hệ số tác động của các dự án là giả định minh họa, chưa có đánh giá tác động (xem mục «Giả định và nguồn số liệu»).",
        "{n} of {total} project effect sizes are illustrative assumptions without an impact evaluation (see 'Assumptions and data sources').",
    ),
    "report.section.headline": ("Tóm tắt kết quả", "Headline"),
    "report.headline.fall": (
        "Theo kịch bản này, tỷ lệ hộ nghèo toàn tỉnh giảm từ {start} (cuối năm {y0}) xuống {end} (cuối năm {y1}), tức giảm {change} sau {n} năm.",
        "Under this scenario the province's poor-household rate falls from {start} (end of {y0}) to {end} (end of {y1}): {change} lower after {n} years.",
    ),
    "report.headline.rise": (
        "Theo kịch bản này, tỷ lệ hộ nghèo toàn tỉnh tăng từ {start} (cuối năm {y0}) lên {end} (cuối năm {y1}), tức tăng {change} sau {n} năm.",
        "Under this scenario the province's poor-household rate rises from {start} (end of {y0}) to {end} (end of {y1}): {change} higher after {n} years.",
    ),
    "report.card.poor_rate": ("Tỷ lệ hộ nghèo toàn tỉnh", "Province poor-household rate"),
    "report.card.near_poor_rate": ("Tỷ lệ hộ cận nghèo toàn tỉnh", "Province near-poor household rate"),
    "report.card.years": ("cuối năm {y0} → cuối năm {y1}", "end of {y0} → end of {y1}"),
    "report.card.left_poverty": ("Số hộ ra khỏi diện hộ nghèo {y0}–{y1}", "Households leaving poverty {y0}–{y1}"),
    "report.card.left_poverty_detail": ("thoát nghèo {escapes}; chuyển sang cận nghèo {near}", "escaped {escapes}; moved to near-poor {near}"),
    "report.card.fell_in": ("Số hộ tái nghèo và phát sinh nghèo {y0}–{y1}", "Households relapsing or newly poor {y0}–{y1}"),
    "report.card.fell_in_detail": ("tái nghèo {relapses}; phát sinh nghèo {new}", "relapsed {relapses}; newly poor {new}"),
    "report.card.fewer_poor": ("Số hộ nghèo ít hơn so với khi không có Chương trình (cuối năm {y1})", "Fewer poor households than without the programme (end of {y1})"),
    "report.card.fewer_poor_detail": ("so với cùng giả định nhưng không có vốn", "against the same assumptions with no money"),
    "report.card.cost_per_lifted": ("Chi phí bình quân cho một hộ giảm nghèo nhờ Chương trình", "Cost per household lifted out by the programme"),
    "report.card.cost_detail": ("vốn giải ngân {y0}–{y1}: {money} tỷ đồng", "money spent {y0}–{y1}: {money} billion VND"),
    "report.card.targets_met": ("Chỉ tiêu kế hoạch đạt được năm {year}", "Plan targets met in {year}"),
    "report.card.targets_detail": ("xem bảng chỉ tiêu bên dưới", "see the scorecard below"),
    "report.headline.missed": ("Các chỉ tiêu chưa đạt năm {year}:", "Targets not met in {year}:"),
    "report.spread_note": (
        "Số liệu là bình quân của {n} lượt mô phỏng; «khoảng 90 %» nằm giữa phân vị 5 % và 95 % của các lượt.",
        "Figures are means over {n} draws; the '90 % range' runs from the 5th to the 95th percentile of the draws.",
    ),
    "report.share_of_draws": ("đạt ở {pct} số lượt", "met in {pct} of draws"),
    "report.no_targets": ("Không có chỉ tiêu nào để đánh giá.", "No targets to evaluate."),
    "report.section.scorecard": ("Khả năng đạt các chỉ tiêu của kế hoạch", "Plan targets: projected value and status"),
    "report.scorecard.intro": (
        "Mỗi chỉ tiêu được đánh giá cho từng năm dự báo: giá trị dự báo, ngưỡng của kế hoạch và kết luận đạt hay không đạt. Với chỉ tiêu giảm tỷ lệ hộ nghèo, giá trị là mức thay đổi so với năm trước.",
        "Each target is checked for every projected year: projected value, the plan's threshold, met or not. For poor-rate targets the value is the change from the previous year.",
    ),
    "report.scorecard.spread_note": (
        "Với {n} lượt mô phỏng, một chỉ tiêu được coi là đạt khi đạt ở ít nhất một nửa số lượt; dòng nhỏ là khoảng 90 % của giá trị dự báo.",
        "With {n} draws a target counts as met when it is met in at least half of them; the small line is the 90 % range of the projected value.",
    ),
    "report.section.trajectories": ("Diễn biến tỷ lệ hộ nghèo", "Poor-household rate over time"),
    "report.trajectories.intro": (
        "Đường liền: tỷ lệ hộ nghèo dự báo tại các kỳ rà soát cuối năm. Đường đứt nét: lộ trình mà chỉ tiêu giảm hằng năm của kế hoạch đòi hỏi, tính từ năm gốc.",
        "Solid line: projected poor-household rate at each year-end review. Dashed line: the path the plan's yearly reduction target asks for, from the baseline year.",
    ),
    "report.projected": ("Dự báo", "Projected"),
    "report.target_path": ("Lộ trình chỉ tiêu", "Target path"),
    "report.target_path_legend": ("Lộ trình theo chỉ tiêu kế hoạch", "Path required by the plan's target"),
    "report.fig.rates": (
        "Tỷ lệ hộ nghèo (%) toàn tỉnh, các huyện nghèo và hộ dân tộc thiểu số; lộ trình chỉ tiêu: {targets}.",
        "Poor-household rate (%) of the province, the poor districts and ethnic-minority households; target paths: {targets}.",
    ),
    "report.fig.districts": (
        "Tỷ lệ hộ nghèo (%) từng huyện, thành phố. ★ huyện nghèo (lộ trình chỉ tiêu {rule} mỗi năm).",
        "Poor-household rate (%) of every district. ★ poor district (target path {rule} a year).",
    ),
    "axis.poor_rate": ("Tỷ lệ hộ nghèo (%)", "Poor-household rate (%)"),
    "axis.poor_rate_short": ("Hộ nghèo (%)", "Poor (%)"),
    "axis.year": ("Năm (rà soát cuối năm)", "Year (year-end review)"),
    "axis.households": ("Số hộ (hộ)", "Households"),
    "axis.households_reached": ("Số hộ được hỗ trợ trong năm (hộ)", "Households reached in the year"),
    "axis.poor_households": ("Số hộ nghèo (hộ)", "Poor households"),
    "axis.billion_vnd_period": ("Vốn kế hoạch {y0}–{y1} (tỷ đồng)", "Planned money {y0}–{y1} (billion VND)"),
    "axis.billion_vnd": ("Vốn (tỷ đồng)", "Money (billion VND)"),
    "axis.million_vnd_per_household": ("Triệu đồng/hộ", "Million VND per household"),
    "axis.percent": ("Tỷ lệ (%)", "Share (%)"),
    "axis.points": ("Điểm %", "Percentage points"),
    "table.district": ("Huyện, thành phố", "District"),
    "table.change_per_year": ("Thay đổi bình quân/năm {y0}–{y1}", "Average change a year {y0}–{y1}"),
    "report.table.districts": ("Tỷ lệ hộ nghèo theo huyện, thành phố (★ huyện nghèo)", "Poor-household rate by district (★ poor district)"),
    "report.band_note": ("Vùng tô xám: khoảng 90 % của {n} lượt mô phỏng.", "Grey band: 90 % range of {n} draws."),
    "report.section.flows": ("Biến động hộ nghèo hằng năm", "Movements into and out of poverty each year"),
    "report.flows.intro": (
        "Số hộ chuyển trạng thái giữa hai kỳ rà soát: thoát nghèo (vượt chuẩn cận nghèo), chuyển từ nghèo sang cận nghèo, tái nghèo (hộ mới thoát nghèo trong 36 tháng rơi lại vào nghèo), phát sinh nghèo (hộ không nghèo rơi vào nghèo) và hộ cận nghèo rơi vào nghèo.",
        "Households changing state between two reviews: escape (above the near-poor line), poor to near-poor, relapse (newly escaped households falling back within 36 months), new poverty (non-poor households falling into poverty) and near-poor households falling into poverty.",
    ),
    "report.fig.flows": ("Số hộ (hộ) theo loại biến động và năm.", "Households by movement and year."),
    "table.flow": ("Biến động", "Movement"),
    "table.total": ("Cộng", "Total"),
    "report.table.flows": ("Biến động hộ nghèo (hộ)", "Movements (households)"),
    "report.section.money": ("Vốn đi đâu và mang lại gì", "Where the money goes and what it buys"),
    "report.money.intro": (
        "Tổng vốn kế hoạch {y0}–{y1}: {total} tỷ đồng, theo dự án và nguồn vốn như dưới đây.",
        "Planned money {y0}–{y1}: {total} billion VND, by project and source as below.",
    ),
    "report.fig.budget": ("Vốn kế hoạch theo dự án và nguồn vốn (tỷ đồng, cộng các năm dự báo).", "Planned money by project and source (billion VND, projected years together)."),
    "report.fig.reached": (
        "Số hộ được hỗ trợ theo dự án, tiểu dự án và năm (các dòng vốn hỗ trợ trực tiếp hộ gia đình).",
        "Households reached by line and year (lines that support households directly).",
    ),
    "table.line": ("Dự án, tiểu dự án", "Project / sub-project"),
    "table.planned_period": ("Vốn kế hoạch {y0}–{y1} (tỷ đồng)", "Planned {y0}–{y1} (billion VND)"),
    "table.spent_period": ("Vốn giải ngân (tỷ đồng)", "Spent (billion VND)"),
    "table.reached_year": ("Đối tượng được hỗ trợ {year}", "Reached {year}"),
    "table.beneficiary_unit": ("Đơn vị đối tượng", "Beneficiary unit"),
    "table.cost_per_beneficiary": ("Chi phí bình quân (triệu đồng/đối tượng)", "Cost per beneficiary (million VND)"),
    "report.table.money": (
        "Vốn, số đối tượng được hỗ trợ và chi phí bình quân theo dự án, tiểu dự án",
        "Money, beneficiaries reached and cost per beneficiary by line",
    ),
    "unit.pts_short": ("điểm %", "pts"),
    "report.each_year": ("mỗi năm {y0}–{y1}", "each year {y0}–{y1}"),
    "report.with_programme": ("Có Chương trình", "With the programme"),
    "report.without_programme": ("Không có Chương trình", "Without the programme"),
    "report.money.buys": ("Hiệu quả: số hộ nghèo khi có và không có Chương trình", "What it buys: poor households with and without the programme"),
    "report.money.cost_sentence": (
        "Đến cuối năm {y1}, số hộ nghèo ít hơn {fewer} so với khi không có Chương trình (cùng giả định, không có vốn). Với {money} tỷ đồng đã giải ngân, chi phí bình quân là {cost} cho mỗi hộ giảm nghèo nhờ Chương trình.",
        "By the end of {y1} there are {fewer} fewer poor households than without the programme (same assumptions, no money). With {money} billion VND spent, that is {cost} per household lifted out by the programme.",
    ),
    "report.fig.with_without": (
        "Số hộ nghèo toàn tỉnh (hộ): theo kịch bản và khi không có Chương trình.",
        "Poor households in the province: this scenario and without the programme.",
    ),
    "report.section.coverage": ("Các chỉ tiêu về độ bao phủ", "Coverage targets"),
    "report.coverage.intro": (
        "Các chỉ tiêu đầu ra của kế hoạch theo từng năm, so với ngưỡng kế hoạch (đường đứt nét).",
        "The plan's output targets by year, against the plan's threshold (dashed line).",
    ),
    "report.target_value": ("Chỉ tiêu {value}", "Target {value}"),
    "report.fig.coverage": ("Độ bao phủ (%) theo năm; đường đứt nét là chỉ tiêu của kế hoạch.", "Coverage (%) by year; the dashed line is the plan's target."),
    "table.indicator": ("Chỉ tiêu", "Indicator"),
    "table.threshold": ("Ngưỡng kế hoạch", "Plan threshold"),
    "report.section.assumptions": ("Giả định và nguồn số liệu", "Assumptions and data sources"),
    "report.assumptions.data": ("Số liệu nền", "Baseline data"),
    "report.assumptions.dataset": (
        "Bộ dữ liệu «{name}», phiên bản {version}: số hộ tại kỳ rà soát cuối năm {year}.",
        "Dataset '{name}', version {version}: households at the end-{year} review.",
    ),
    "report.assumptions.sources": ("Nguồn:", "Sources:"),
    "report.assumptions.parameters": ("Tham số của các dự án", "Programme parameters"),
    "report.assumptions.effects_note": (
        "{n} trong số {total} hệ số tác động là giả định (chưa có đánh giá tác động cho các dự án này ở địa phương); khoảng giá trị hợp lý ghi trong ngoặc vuông.",
        "{n} of {total} effect sizes are assumptions (no local impact evaluation exists for these lines); plausible ranges in brackets.",
    ),
    "table.unit_cost": ("Đơn giá (triệu đồng/đối tượng)", "Unit cost (million VND)"),
    "table.lag": ("Độ trễ (năm)", "Lag (years)"),
    "table.effects": ("Tác động (tỷ lệ)", "Effects (share)"),
    "report.assumptions.star": (
        "* giả định, không có nguồn công bố. Nội dung đầy đủ và lý do của từng giả định: params/program.yaml.",
        "* assumption, no published source. Full text with the reasoning behind every assumption: params/program.yaml.",
    ),
    "report.assumptions.disbursement": ("Tỷ lệ giải ngân trong năm theo nguồn vốn: {shares}.", "Share of planned money disbursed in the year, by source: {shares}."),
    "report.assumptions.overrides": ("Tham số được thay đổi riêng cho kịch bản này:", "Parameters changed for this scenario:"),
    "report.assumptions.files": (
        "Mọi tham số nằm trong thư mục params/ (mỗi giá trị kèm đơn vị, nguồn hoặc giả định và khoảng hợp lý); số liệu nền nằm trong data/.",
        "All parameters are in params/ (each value with its unit, source or assumption, and range); the baseline data are in data/.",
    ),
    "manifest.title": ("Thông tin lần chạy", "Run manifest"),
    "manifest.explain": ("các thông tin cho phép tái tạo đúng các con số trong báo cáo.", "what produced this report, so its numbers can be reproduced exactly."),
    "manifest.scenario": ("Kịch bản", "Scenario"),
    "manifest.engine": ("Bộ máy tính", "Engine"),
    "manifest.draws": ("số lượt", "draws"),
    "manifest.seed": ("hạt giống ngẫu nhiên", "seed"),
    "manifest.dataset": ("Bộ dữ liệu", "Dataset"),
    "manifest.parameter_hash": ("Mã băm tham số", "Parameter hash"),
    "manifest.run_id": ("Mã lần chạy", "Run id"),
    "manifest.version": ("Phiên bản", "Versions"),
    "manifest.created": ("Thời điểm chạy (UTC)", "Run at (UTC)"),
    "manifest.input": ("Tệp đầu vào", "Input file"),
    "table.target": ("Chỉ tiêu", "Target"),
    "table.area": ("Địa bàn", "Area"),
    "table.year": ("Năm", "Year"),
    "table.projected": ("Giá trị dự báo", "Projected value"),
    "table.low": ("Cận dưới (phân vị 5 %)", "Low (5th percentile)"),
    "table.high": ("Cận trên (phân vị 95 %)", "High (95th percentile)"),
    "table.comparison": ("So sánh", "Comparison"),
    "table.unit": ("Đơn vị", "Unit"),
    "table.share_met": ("Tỷ lệ lượt đạt", "Share of draws met"),
    "table.status": ("Kết quả", "Status"),
    "table.code": ("Mã", "Code"),
    "table.planned_total": ("Tổng vốn kế hoạch (tỷ đồng)", "Planned total (billion VND)"),
    "table.spent": ("Vốn giải ngân (tỷ đồng)", "Spent (billion VND)"),
    "table.reached": ("Số đối tượng được hỗ trợ", "Beneficiaries reached"),
    "table.eligible": ("Số đối tượng đủ điều kiện", "Eligible beneficiaries"),
    "err.report_folder": ("không phải thư mục kết quả của simlib (thiếu {missing})", "not a simlib result folder (missing {missing})"),
    "err.duplicate_scenario": ("tên kịch bản đã được dùng trong {other}", "scenario name already used by {other}"),
    "cli.progress_reports": ("Báo cáo", "Reports"),
    "cli.validation_failed": ("{n} kịch bản không hợp lệ (các kịch bản còn lại vẫn được chạy):", "{n} invalid scenario(s) (the others still run):"),
    "cli.compare_written": ("Báo cáo so sánh: {path}", "Comparison: {path}"),
    "cli.compare_failed": ("Không tạo được báo cáo so sánh: {error}", "The comparison failed: {error}"),
    "cli.index_written": ("Mở {path} để xem các báo cáo.", "Open {path} to read the reports."),
    "index.title": ("Báo cáo các kịch bản giảm nghèo", "Poverty-reduction scenario reports"),
    "index.subtitle": ("{ok}/{total} kịch bản hoàn thành · {engine} · tạo lúc {time} (UTC)", "{ok}/{total} scenarios done · {engine} · made {time} (UTC)"),
    "index.compare_link": ("So sánh các kịch bản", "Compare the scenarios"),
    "index.compare_failed": ("Không tạo được báo cáo so sánh: {error}", "The comparison could not be made: {error}"),
    "index.col.scenario": ("Kịch bản", "Scenario"),
    "index.col.status": ("Trạng thái", "Status"),
    "index.col.poor_rate": ("Tỷ lệ hộ nghèo toàn tỉnh", "Province poor rate"),
    "index.col.targets": ("Chỉ tiêu đạt (năm cuối)", "Targets met (last year)"),
    "index.col.fewer_poor": ("Hộ nghèo ít hơn nhờ Chương trình (hộ)", "Fewer poor households thanks to the programme"),
    "index.col.money": ("Vốn giải ngân (tỷ đồng)", "Money spent (billion VND)"),
    "index.col.cost": ("Chi phí/hộ giảm nghèo (triệu đồng)", "Cost per household lifted out (million VND)"),
    "index.col.files": ("Tệp", "Files"),
    "index.status.ok": ("Hoàn thành", "Done"),
    "index.status.failed": ("Lỗi khi chạy", "Failed"),
    "index.status.invalid": ("Kịch bản không hợp lệ", "Invalid scenario"),
    "index.link.report": ("Báo cáo", "Report"),
    "index.link.xlsx": ("Bảng Excel", "Excel tables"),
    "index.link.notebook": ("Notebook", "Notebook"),
    "index.link.previous": ("báo cáo của lần chạy trước", "report from an earlier run"),
    "index.link.failed_nb": ("notebook bị lỗi", "failed notebook"),
    "index.explain": (
        "Mỗi báo cáo mở được bằng trình duyệt, in được, không cần kết nối mạng. Bảng Excel chứa mọi bảng số liệu của kịch bản (cũng có dạng CSV trong cùng thư mục); notebook là bản đã chạy, dùng để kiểm tra cách tính.",
        "Each report opens in a browser, prints, and needs no network. The Excel file holds every table of the scenario (also as CSV in the same folder); the notebook is the executed source, for checking how it was computed.",
    ),
    "index.failed_note": (
        "Kịch bản lỗi không làm dừng các kịch bản khác. Sửa lỗi được nêu rồi chạy lại `make reports`; báo cáo tốt của lần chạy trước (nếu có) được giữ nguyên.",
        "A failed scenario does not stop the others. Fix the error shown and run `make reports` again; an earlier good report, if any, is kept as it was.",
    ),
    "index.footer": ("Tạo bởi simlib {version} (simlib batch).", "Made by simlib {version} (simlib batch)."),
    "compare.title": ("So sánh các kịch bản phân bổ vốn", "Comparison of allocation scenarios"),
    "compare.subtitle": ("{n} kịch bản:", "{n} scenarios:"),
    "compare.caveat": (
        "Các kịch bản được tính theo cùng một phương pháp; chênh lệch giữa các kịch bản đáng tin cậy hơn giá trị tuyệt đối của từng kịch bản.",
        "All scenarios are computed the same way; the differences between them are more reliable than the level of any one.",
    ),
    "compare.mixed_engines": ("Chú ý: các kịch bản được tính bằng các bộ máy khác nhau ({engines}).", "Note: the scenarios were computed with different engines ({engines})."),
    "compare.rank": ("Hạng", "Rank"),
    "compare.scenario": ("Kịch bản", "Scenario"),
    "compare.code": ("Mã kịch bản", "Scenario code"),
    "compare.targets_met": ("Số chỉ tiêu đạt năm {year}", "Targets met in {year}"),
    "compare.targets_total": ("Tổng số chỉ tiêu", "Targets"),
    "compare.poor_rate": ("Tỷ lệ hộ nghèo cuối năm {year} (%)", "Poor rate, end of {year} (%)"),
    "compare.poor_rate_change": ("Thay đổi {y0}–{y1} (điểm %)", "Change {y0}–{y1} (pts)"),
    "compare.left_poverty": ("Hộ ra khỏi diện nghèo {y0}–{y1} (hộ)", "Households leaving poverty {y0}–{y1}"),
    "compare.fewer_poor": ("Hộ nghèo ít hơn nhờ Chương trình, cuối năm {year} (hộ)", "Fewer poor households thanks to the programme, end of {year}"),
    "compare.money": ("Vốn giải ngân {y0}–{y1} (tỷ đồng)", "Money spent {y0}–{y1} (billion VND)"),
    "compare.cost_per_lifted": ("Chi phí cho mỗi hộ giảm nghèo nhờ Chương trình (triệu đồng/hộ)", "Cost per household lifted out (million VND)"),
    "compare.section.ranking": ("Xếp hạng các kịch bản", "Ranking"),
    "compare.ranking.intro": (
        "Xếp theo: số chỉ tiêu đạt trong năm cuối, rồi tỷ lệ hộ nghèo cuối kỳ thấp hơn, rồi chi phí cho mỗi hộ giảm nghèo thấp hơn.",
        "Ranked by targets met in the last year, then the lower poor rate at the horizon, then the lower cost per household lifted out.",
    ),
    "compare.section.scorecard": ("Các chỉ tiêu của kế hoạch theo kịch bản", "Plan targets by scenario"),
    "compare.scorecard.intro": (
        "Giá trị dự báo và kết luận đạt/không đạt. Chỉ tiêu của các huyện nghèo chỉ đạt khi đạt ở cả nhóm huyện nghèo và từng huyện nghèo.",
        "Projected value and status. The poor-district target is met only when it is met by the poor districts together and by each of them.",
    ),
    "compare.section.trajectories": ("Diễn biến tỷ lệ hộ nghèo", "Poor-household rate over time"),
    "compare.fig.province": (
        "Tỷ lệ hộ nghèo toàn tỉnh (%) theo kịch bản; đường đứt nét: lộ trình chỉ tiêu của kế hoạch.",
        "Province poor-household rate (%) by scenario; dashed: the plan's target path.",
    ),
    "compare.fig.groups": (
        "Tỷ lệ hộ nghèo (%) của các huyện nghèo và hộ dân tộc thiểu số theo kịch bản.",
        "Poor-household rate (%) of the poor districts and ethnic-minority households by scenario.",
    ),
    "compare.section.cost": ("Hiệu quả chi phí", "Cost-effectiveness"),
    "compare.cost.intro": (
        "Số hộ nghèo giảm được nhờ Chương trình (so với cùng giả định nhưng không có vốn) và chi phí bình quân cho mỗi hộ đó, tính trên vốn giải ngân {y0}–{y1}.",
        "Poor households fewer thanks to the programme (against the same assumptions with no money) and the cost per such household, from the money spent {y0}–{y1}.",
    ),
    "compare.fig.fewer": ("Số hộ nghèo ít hơn so với khi không có Chương trình, cuối năm {year} (hộ).", "Fewer poor households than without the programme, end of {year}."),
    "compare.fig.cost": (
        "Chi phí bình quân cho mỗi hộ giảm nghèo nhờ Chương trình (triệu đồng/hộ, vốn {y0}–{y1}); «–» khi không có hộ nào.",
        "Cost per household lifted out by the programme (million VND, money of {y0}–{y1}); '–' when there is none.",
    ),
    "compare.section.money": ("Vốn theo dự án", "Money by project"),
    "compare.fig.money": ("Vốn giải ngân theo dự án (tỷ đồng, cộng các năm dự báo).", "Money spent by project (billion VND, projected years together)."),
    "err.executor_start": ("không khởi động được bộ thực thi song song: {detail}", "cannot start the parallel executor: {detail}"),
    "err.file_exists": ("tệp đã tồn tại; hãy chọn tên khác", "file already exists; choose another name"),
    "explore.saved_header": (
        "Kịch bản lưu từ notebooks/explore.ipynb; kiểm tra bằng: simlib validate <tệp>",
        "Scenario saved from notebooks/explore.ipynb; check it with: simlib validate <file>",
    ),
    "explore.saved_description": (
        "Lưu từ explore.ipynb, dựa trên kịch bản {base}: {envelope} tỷ đồng mỗi năm.",
        "Saved from explore.ipynb, starting from {base}: {envelope} billion VND a year.",
    ),
    "explore.current": ("Tổng vốn mỗi năm: {envelope} tỷ đồng; tỷ trọng: {shares}.", "Envelope per year: {envelope} billion VND; shares: {shares}."),
    "explore.envelope": ("Tổng vốn mỗi năm", "Total per year"),
    "explore.name": ("Tên tệp", "File name"),
    "explore.save": ("Lưu kịch bản", "Save scenario"),
    "explore.saved": ("Đã lưu {path}; kiểm tra: simlib validate {path}", "Saved {path}; check: simlib validate {path}"),
    "explore.shares": (
        "Tỷ trọng vốn của từng dự án (%; tự động quy về tổng 100 %)",
        "Share of each project (%; rescaled to add up to 100 %)",
    ),
    "baseline.title": ("Số liệu nền: {province}, rà soát cuối năm {year}", "Baseline: {province}, end-{year} review"),
    "baseline.units": ("{n} địa bàn, trong đó {poor} huyện nghèo", "{n} units, {poor} of them poor districts"),
    "baseline.section.district": ("Số hộ theo huyện, thành phố và tình trạng", "Households by district and state"),
    "baseline.fig.district": ("Số hộ theo tình trạng tại kỳ rà soát cuối năm {year} (hộ). ★ huyện nghèo.", "Households by state at the end-{year} review. ★ poor district."),
    "baseline.section.group": ("Theo nhóm dân tộc và khu vực", "By ethnic group and area"),
    "baseline.fig.group": ("Tỷ lệ hộ nghèo và cận nghèo (%) theo nhóm dân tộc và khu vực.", "Poor and near-poor rates (%) by ethnic group and area."),
    "baseline.group": ("Nhóm", "Group"),
    "baseline.section.provenance": ("Số liệu nào được công bố, số liệu nào là ước tính", "What is published and what is estimated"),
    "baseline.no_flags": ("Bộ dữ liệu không ghi rõ dòng nào là ước tính.", "The dataset does not flag estimated rows."),
    "baseline.estimated_share": (
        "{pct} số hộ nằm ở các ô số liệu được đánh dấu là ước tính (cột «estimated» của tệp số liệu nền).",
        "{pct} of households are in cells flagged as estimated (the baseline file's 'estimated' column).",
    ),
    "baseline.figure": ("Số liệu", "Figure"),
    "baseline.prov.published": ("Công bố [V]", "Published [V]"),
    "baseline.prov.secondary": ("Nguồn thứ cấp [S]", "Secondary [S]"),
    "baseline.prov.estimated": ("Ước tính", "Estimated"),
    "baseline.prov.assumption": ("Giả định", "Assumption"),
    "baseline.prov.unstated": ("Không ghi", "Unstated"),
    "baseline.table.provenance": ("Nguồn gốc số liệu theo địa bàn (số địa bàn)", "Provenance of the per-unit figures (number of units)"),
    "baseline.method": ("Phương pháp:", "Method:"),
    "baseline.readme": ("Chi tiết: {path}", "Details: {path}"),
    # --- multidimensional poverty standard and deprivations ---------------------------------
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
