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
    "indicator.officers_trained": (
        "Tỷ lệ cán bộ giảm nghèo được tập huấn",
        "Share of poverty-reduction officers trained",
    ),
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
    "err.year_outside": (
        "năm nằm ngoài giai đoạn mô phỏng {first}–{last}",
        "year outside the projection period {first}–{last}",
    ),
    "err.same_as": ("same_as phải trỏ tới một năm đã khai báo", "same_as must name another listed year"),
    "err.capital": (
        "dự án {line} không dùng được nguồn vốn này; nguồn được phép: {sources}",
        "line {line} cannot be funded from this source; allowed sources: {sources}",
    ),
    "err.envelope_capital": (
        "nguồn vốn này chỉ cấp được cho các dòng {lines}, mà theo tỷ lệ phân bổ các dòng đó chỉ nhận {room}",
        "this source can only fund lines {lines}, which receive only {room} under the shares",
    ),
    "err.set_syntax": ("--set cần dạng khóa.con=giá_trị", "--set needs the form dotted.key=value"),
    "err.set_unknown": (
        "khóa không tồn tại trong tham số hoặc kịch bản",
        "no such key in the parameters or the scenario",
    ),
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
    "short.indicator.production_support_coverage": (
        "Hỗ trợ phát triển sản xuất (người có nhu cầu)",
        "Production support (of those wanting it)",
    ),
    "short.indicator.officers_trained": ("Cán bộ giảm nghèo được tập huấn", "Officers trained"),
    "short.indicator.poor_districts_with_infrastructure": (
        "Huyện nghèo được đầu tư hạ tầng",
        "Poor districts with infrastructure",
    ),
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
    "report.card.left_poverty_detail": (
        "thoát nghèo {escapes}; chuyển sang cận nghèo {near}",
        "escaped {escapes}; moved to near-poor {near}",
    ),
    "report.card.fell_in": (
        "Số hộ tái nghèo và phát sinh nghèo {y0}–{y1}",
        "Households relapsing or newly poor {y0}–{y1}",
    ),
    "report.card.fell_in_detail": (
        "tái nghèo {relapses}; phát sinh nghèo {new}",
        "relapsed {relapses}; newly poor {new}",
    ),
    "report.card.fewer_poor": (
        "Số hộ nghèo ít hơn so với khi không có Chương trình (cuối năm {y1})",
        "Fewer poor households than without the programme (end of {y1})",
    ),
    "report.card.fewer_poor_detail": (
        "so với cùng giả định nhưng không có vốn",
        "against the same assumptions with no money",
    ),
    "report.card.cost_per_lifted": (
        "Chi phí bình quân cho một hộ giảm nghèo nhờ Chương trình",
        "Cost per household lifted out by the programme",
    ),
    "report.card.cost_detail": (
        "vốn giải ngân {y0}–{y1}: {money} tỷ đồng",
        "money spent {y0}–{y1}: {money} billion VND",
    ),
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
    "report.table.districts": (
        "Tỷ lệ hộ nghèo theo huyện, thành phố (★ huyện nghèo)",
        "Poor-household rate by district (★ poor district)",
    ),
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
    "report.fig.budget": (
        "Vốn kế hoạch theo dự án và nguồn vốn (tỷ đồng, cộng các năm dự báo).",
        "Planned money by project and source (billion VND, projected years together).",
    ),
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
    "report.money.buys": (
        "Hiệu quả: số hộ nghèo khi có và không có Chương trình",
        "What it buys: poor households with and without the programme",
    ),
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
    "report.fig.coverage": (
        "Độ bao phủ (%) theo năm; đường đứt nét là chỉ tiêu của kế hoạch.",
        "Coverage (%) by year; the dashed line is the plan's target.",
    ),
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
    "report.assumptions.disbursement": (
        "Tỷ lệ giải ngân trong năm theo nguồn vốn: {shares}.",
        "Share of planned money disbursed in the year, by source: {shares}.",
    ),
    "report.assumptions.overrides": (
        "Tham số được thay đổi riêng cho kịch bản này:",
        "Parameters changed for this scenario:",
    ),
    "report.assumptions.files": (
        "Mọi tham số nằm trong thư mục params/ (mỗi giá trị kèm đơn vị, nguồn hoặc giả định và khoảng hợp lý); số liệu nền nằm trong data/.",
        "All parameters are in params/ (each value with its unit, source or assumption, and range); the baseline data are in data/.",
    ),
    "manifest.title": ("Thông tin lần chạy", "Run manifest"),
    "manifest.explain": (
        "các thông tin cho phép tái tạo đúng các con số trong báo cáo.",
        "what produced this report, so its numbers can be reproduced exactly.",
    ),
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
    "err.report_folder": (
        "không phải thư mục kết quả của simlib (thiếu {missing})",
        "not a simlib result folder (missing {missing})",
    ),
    "err.duplicate_scenario": ("tên kịch bản đã được dùng trong {other}", "scenario name already used by {other}"),
    "cli.progress_reports": ("Báo cáo", "Reports"),
    "cli.validation_failed": (
        "{n} kịch bản không hợp lệ (các kịch bản còn lại vẫn được chạy):",
        "{n} invalid scenario(s) (the others still run):",
    ),
    "cli.compare_written": ("Báo cáo so sánh: {path}", "Comparison: {path}"),
    "cli.compare_failed": ("Không tạo được báo cáo so sánh: {error}", "The comparison failed: {error}"),
    "cli.index_written": ("Mở {path} để xem các báo cáo.", "Open {path} to read the reports."),
    "index.title": ("Báo cáo các kịch bản giảm nghèo", "Poverty-reduction scenario reports"),
    "index.subtitle": (
        "{ok}/{total} kịch bản hoàn thành · {engine} · tạo lúc {time} (UTC)",
        "{ok}/{total} scenarios done · {engine} · made {time} (UTC)",
    ),
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
    "compare.mixed_engines": (
        "Chú ý: các kịch bản được tính bằng các bộ máy khác nhau ({engines}).",
        "Note: the scenarios were computed with different engines ({engines}).",
    ),
    "compare.rank": ("Hạng", "Rank"),
    "compare.scenario": ("Kịch bản", "Scenario"),
    "compare.code": ("Mã kịch bản", "Scenario code"),
    "compare.targets_met": ("Số chỉ tiêu đạt năm {year}", "Targets met in {year}"),
    "compare.targets_total": ("Tổng số chỉ tiêu", "Targets"),
    "compare.poor_rate": ("Tỷ lệ hộ nghèo cuối năm {year} (%)", "Poor rate, end of {year} (%)"),
    "compare.poor_rate_change": ("Thay đổi {y0}–{y1} (điểm %)", "Change {y0}–{y1} (pts)"),
    "compare.left_poverty": ("Hộ ra khỏi diện nghèo {y0}–{y1} (hộ)", "Households leaving poverty {y0}–{y1}"),
    "compare.fewer_poor": (
        "Hộ nghèo ít hơn nhờ Chương trình, cuối năm {year} (hộ)",
        "Fewer poor households thanks to the programme, end of {year}",
    ),
    "compare.money": ("Vốn giải ngân {y0}–{y1} (tỷ đồng)", "Money spent {y0}–{y1} (billion VND)"),
    "compare.cost_per_lifted": (
        "Chi phí cho mỗi hộ giảm nghèo nhờ Chương trình (triệu đồng/hộ)",
        "Cost per household lifted out (million VND)",
    ),
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
    "compare.fig.fewer": (
        "Số hộ nghèo ít hơn so với khi không có Chương trình, cuối năm {year} (hộ).",
        "Fewer poor households than without the programme, end of {year}.",
    ),
    "compare.fig.cost": (
        "Chi phí bình quân cho mỗi hộ giảm nghèo nhờ Chương trình (triệu đồng/hộ, vốn {y0}–{y1}); «–» khi không có hộ nào.",
        "Cost per household lifted out by the programme (million VND, money of {y0}–{y1}); '–' when there is none.",
    ),
    "compare.section.money": ("Vốn theo dự án", "Money by project"),
    "compare.fig.money": (
        "Vốn giải ngân theo dự án (tỷ đồng, cộng các năm dự báo).",
        "Money spent by project (billion VND, projected years together).",
    ),
    "err.executor_start": (
        "không khởi động được bộ thực thi song song: {detail}",
        "cannot start the parallel executor: {detail}",
    ),
    "err.file_exists": ("tệp đã tồn tại; hãy chọn tên khác", "file already exists; choose another name"),
    "explore.saved_header": (
        "Kịch bản lưu từ notebooks/explore.ipynb; kiểm tra bằng: simlib validate <tệp>",
        "Scenario saved from notebooks/explore.ipynb; check it with: simlib validate <file>",
    ),
    "explore.saved_description": (
        "Lưu từ explore.ipynb, dựa trên kịch bản {base}: {envelope} tỷ đồng mỗi năm.",
        "Saved from explore.ipynb, starting from {base}: {envelope} billion VND a year.",
    ),
    "explore.current": (
        "Tổng vốn mỗi năm: {envelope} tỷ đồng; tỷ trọng: {shares}.",
        "Envelope per year: {envelope} billion VND; shares: {shares}.",
    ),
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
    "baseline.fig.district": (
        "Số hộ theo tình trạng tại kỳ rà soát cuối năm {year} (hộ). ★ huyện nghèo.",
        "Households by state at the end-{year} review. ★ poor district.",
    ),
    "baseline.section.group": ("Theo nhóm dân tộc và khu vực", "By ethnic group and area"),
    "baseline.fig.group": (
        "Tỷ lệ hộ nghèo và cận nghèo (%) theo nhóm dân tộc và khu vực.",
        "Poor and near-poor rates (%) by ethnic group and area.",
    ),
    "baseline.group": ("Nhóm", "Group"),
    "baseline.section.provenance": (
        "Số liệu nào được công bố, số liệu nào là ước tính",
        "What is published and what is estimated",
    ),
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
    "baseline.table.provenance": (
        "Nguồn gốc số liệu theo địa bàn (số địa bàn)",
        "Provenance of the per-unit figures (number of units)",
    ),
    "baseline.method": ("Phương pháp:", "Method:"),
    "baseline.readme": ("Chi tiết: {path}", "Details: {path}"),
    # --- multidimensional poverty standard and deprivations ---------------------------------
    "err.standard_overlap": (
        "năm {year} đã thuộc chuẩn nghèo «{other}»; các giai đoạn áp dụng không được chồng lên nhau",
        "year {year} is already covered by standard '{other}'; periods in force must not overlap",
    ),
    "err.no_standard": (
        "không có chuẩn nghèo nào áp dụng cho năm này (params/standards/)",
        "no poverty standard is in force in this year (params/standards/)",
    ),
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
    "model.multidim": (
        "Mô hình đa chiều (thu nhập và 12 chỉ số thiếu hụt)",
        "Multidimensional model (income and 12 deprivation indicators)",
    ),
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
    "deprivation.any": (
        "Thiếu hụt ít nhất một chỉ số của chiều",
        "Deprived in at least one indicator of the dimension",
    ),
    "deprivation.three_or_more": ("Thiếu hụt từ 3 chỉ số trở lên", "Deprived in 3 or more indicators"),
    "population.poor": ("Hộ nghèo", "Poor households"),
    "population.near_poor": ("Hộ cận nghèo", "Near-poor households"),
    "population.poor_near_poor": ("Hộ nghèo và cận nghèo", "Poor and near-poor households"),
    "population.all": ("Tất cả các hộ", "All households"),
    "indicator.poverty_gap_index": ("Chỉ số khoảng cách nghèo thu nhập (FGT1)", "Income poverty-gap index (FGT1)"),
    "indicator.poverty_severity_index": (
        "Chỉ số mức độ trầm trọng của nghèo thu nhập (FGT2)",
        "Income poverty-severity index (FGT2)",
    ),
    "indicator.income_gap_ratio": (
        "Khoảng cách thu nhập bình quân của hộ dưới chuẩn",
        "Average income gap of households below the line",
    ),
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
    "dep.title.shares": (
        "Tỷ lệ hộ thiếu hụt theo chỉ số – {population}",
        "Share of households deprived, by indicator – {population}",
    ),
    "dep.title.district": (
        "Thay đổi tỷ lệ thiếu hụt theo địa bàn và chiều ({start}–{end}, điểm %)",
        "Change in deprivation by unit and dimension ({start}–{end}, points)",
    ),
    "dep.title.lines": (
        "Thiếu hụt được xóa nhờ từng dự án ({start}–{end})",
        "Deprivations removed by each project ({start}–{end})",
    ),
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
    "dep.text.lines": (
        "Dự án đóng góp nhiều nhất: {line} ({share} số lượt xóa thiếu hụt).",
        "Largest contribution: {line} ({share} of deprivations removed).",
    ),
    "dep.text.fgt": (
        "Khoảng cách nghèo thu nhập (FGT1) {start_v} năm {start}, {end_v} năm {end}; mức độ trầm trọng (FGT2) {start_v2} và {end_v2}.",
        "Income poverty gap (FGT1) {start_v} in {start}, {end_v} in {end}; severity (FGT2) {start_v2} and {end_v2}.",
    ),
    "report.section.deprivations": ("Cải thiện các chiều thiếu hụt", "Improvement of the deprivation dimensions"),
    "report.fig.dep_shares": (
        "Tỷ lệ hộ nghèo và cận nghèo thiếu hụt theo từng chỉ số, năm đầu và năm cuối",
        "Share of poor and near-poor households deprived in each indicator, first and last year",
    ),
    "report.fig.dep_districts": ("Thay đổi tỷ lệ thiếu hụt theo huyện", "Change in deprivation shares by district"),
    "report.fig.dep_lines": ("Số thiếu hụt được xóa nhờ từng dự án", "Deprivations removed by each line"),
    "report.fig.dep_fgt": ("Khoảng cách nghèo (FGT1) và mức độ nghèo (FGT2)", "Poverty gap (FGT1) and severity (FGT2)"),
    "report.table.dep_dimensions": ("Thiếu hụt theo chiều", "Deprivation by dimension"),
    "report.table.dep_indicators": ("Thiếu hụt theo chỉ số", "Deprivation by indicator"),
    "report.table.dep_districts": ("Thiếu hụt theo huyện", "Deprivation by district"),
    "report.table.dep_lines": ("Thiếu hụt được xóa theo dự án", "Deprivations removed by line"),
    "report.table.dep_fgt": ("Khoảng cách nghèo và mức độ nghèo", "Poverty gap and severity"),
    # --- calibration and back-testing ---------------------------------------------------
    "err.cal_prior_scale": ("độ mạnh của tiên nghiệm phải > 0", "the prior scale must be > 0"),
    "err.cal_no_files": ("chưa chỉ ra tệp số liệu nào", "no data file given"),
    "err.cal_year_value": ("năm không hợp lệ ở các dòng {rows}", "not a valid year at rows {rows}"),
    "err.cal_years_gap": (
        "các năm rà soát phải liên tiếp; thiếu năm {missing}",
        "review years must follow one another; missing {missing}",
    ),
    "err.cal_year_order": ("các cột năm không theo thứ tự tăng dần", "year columns are not in increasing order"),
    "err.cal_unknown_unit": (
        "địa bàn không có trong bộ dữ liệu mẫu ở các dòng {rows}",
        "unit not in the template dataset at rows {rows}",
    ),
    "err.cal_missing_rows": ("thiếu số liệu của: {detail}", "no row for: {detail}"),
    "err.cal_totals": ("tổng không khớp ({detail}) ở các dòng {rows}", "inconsistent totals ({detail}) at rows {rows}"),
    "err.cal_flow_exceeds": (
        "số hộ chuyển lớn hơn số hộ «{origin}» của năm trước ở các dòng {rows}",
        "more households moving than there were '{origin}' the year before, at rows {rows}",
    ),
    "err.cal_empty_id": ("thiếu mã hộ ở các dòng {rows}", "household id missing at rows {rows}"),
    "err.cal_duplicate_id": (
        "mã hộ lặp lại trong cùng một năm ở các dòng {rows}",
        "household id repeated within a year at rows {rows}",
    ),
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
    "err.cal_escape_year_order": (
        "năm thoát nghèo sau năm rà soát ở các dòng {rows}",
        "escape year after the review year at rows {rows}",
    ),
    "err.cal_area": ("không có khu vực này trong bảng số liệu", "no such area in the table"),
    "err.cal_series_year": (
        "cần đúng một dòng của «{area}» với nhãn năm này (tìm thấy {n})",
        "exactly one row of '{area}' with this year label is needed ({n} found)",
    ),
    "err.cal_series_households": (
        "không tính được tổng số hộ của «{area}» cho năm nào",
        "the household total of '{area}' cannot be derived for any year",
    ),
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
    "err.cal_budget_syntax": (
        "--budget-year cần dạng NĂM=tệp_kịch_bản",
        "--budget-year needs the form YEAR=scenario_file",
    ),
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
    "cli.cal_not_identified": (
        "số liệu chưa đủ để xác định (chủ yếu là tiên nghiệm)",
        "not identified by the data (mostly the prior)",
    ),
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
    "cal.nb_errors": (
        "Sai số trên các năm kiểm định (không dùng để ước lượng)",
        "Errors on the held-out years (not used in the fit)",
    ),
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
    "alloc.objective.poor": ("ít hộ nghèo nhất", "fewest poor households"),
    "alloc.objective.poor_near_poor": ("ít hộ nghèo và cận nghèo nhất", "fewest poor and near-poor households"),
    "alloc.objective.welfare": (
        "phúc lợi có trọng số (ưu tiên hộ DTTS, huyện nghèo)",
        "welfare-weighted (priority to ethnic-minority households and poor districts)",
    ),
    "alloc.objective.min_cost": ("chi phí thấp nhất để đạt mọi chỉ tiêu", "lowest cost that meets every target"),
    "alloc.allocation.optimal": ("Phương án tối ưu", "Optimal allocation"),
    "alloc.allocation.plan": ("Kế hoạch (kịch bản gốc)", "Plan (the input scenario)"),
    "alloc.allocation.plan_feasible": ("Kế hoạch, điều chỉnh theo ràng buộc", "Plan, adjusted to the constraints"),
    "alloc.allocation.equal_split": ("Chia đều theo nguồn vốn", "Equal split by source"),
    "alloc.scenario_title": ("{title} — phân bổ tối ưu ({objective})", "{title} — optimal allocation ({objective})"),
    "alloc.scenario_description": (
        "Phân bổ do simlib optimize tính từ kịch bản {name} (mô hình kỳ vọng).",
        "Allocation computed by simlib optimize from scenario {name} (expected engine).",
    ),
    "alloc.summary": (
        "Mục tiêu: {objective}. Dự báo cuối kỳ còn {poor} hộ nghèo, ít hơn kế hoạch {fewer} hộ (kế hoạch: {plan_poor}); tổng vốn {total} tỷ đồng.",
        "Objective: {objective}. {poor} poor households projected at the horizon, {fewer} fewer than the plan ({plan_poor}); total {total} billion VND.",
    ),
    "alloc.summary_cost": (
        "Chi phí thấp nhất để đạt mọi chỉ tiêu: {total} tỷ đồng (kế hoạch: {plan} tỷ đồng); cuối kỳ còn {poor} hộ nghèo.",
        "Lowest cost that meets every target: {total} billion VND (plan: {plan} billion VND); {poor} poor households at the horizon.",
    ),
    "alloc.infeasible_head": (
        "Không thể đạt mọi chỉ tiêu với tổng vốn và các ràng buộc đã cho. Giá trị tốt nhất có thể đạt được:",
        "The targets cannot all be met within the envelope and bounds. Best achievable values:",
    ),
    "alloc.infeasible_row": (
        "{label} — {geo}, năm {year}: tốt nhất {best} (chỉ tiêu {threshold}){binds}",
        "{label} — {geo}, {year}: best achievable {best} (target {threshold}){binds}",
    ),
    "alloc.binds": (" ← chỉ tiêu ràng buộc chặt nhất", " ← the binding target"),
    "alloc.every_year": ("mỗi năm", "every year"),
    "alloc.in_year": ("năm {year}", "in {year}"),
    "alloc.bind.unallocated": (
        "Còn {amount} tỷ đồng {source} ({year}) chưa phân bổ: mọi dự án được dùng nguồn này đã hết đối tượng hoặc chạm mức trần.",
        "{amount} billion VND of {source} ({year}) left unallocated: every line that may use it has reached all its eligible beneficiaries or its ceiling.",
    ),
    "alloc.bind.envelope": (
        "Đã dùng hết {source}: {amount} tỷ đồng ({year}).",
        "The {source} envelope is fully used: {amount} billion VND ({year}).",
    ),
    "alloc.bind.cap": (
        "{line}: đủ kinh phí cho mọi đối tượng đủ điều kiện ({year}); thêm vốn không có tác dụng.",
        "{line}: enough money to reach every eligible beneficiary ({year}); more money buys nothing.",
    ),
    "alloc.bind.floor": (
        "{line}: ở mức sàn {amount} tỷ đồng ({year}).",
        "{line}: held at its floor of {amount} billion VND ({year}).",
    ),
    "alloc.bind.commitment": (
        "{line}: không thể cắt dưới khoản đã cam kết {amount} tỷ đồng ({year}).",
        "{line}: cannot be cut below the {amount} billion VND already committed ({year}).",
    ),
    "alloc.bind.ceiling": (
        "{line}: chạm mức trần {amount} tỷ đồng ({year}).",
        "{line}: at its ceiling of {amount} billion VND ({year}).",
    ),
    "alloc.bind.earmark": (
        "{line}: nhận đúng khoản {source} dành riêng {amount} tỷ đồng ({year}).",
        "{line}: receives exactly the earmarked {amount} billion VND of {source} ({year}).",
    ),
    "alloc.bind.counterpart": (
        "Vốn đối ứng địa phương ở mức tối thiểu {pct} vốn trung ương ({year}).",
        "Local counterpart money at its minimum of {pct} of central money ({year}).",
    ),
    "alloc.bind.target_linear": (
        "Chỉ tiêu «{line}» vừa đủ đạt ({year}): mỗi địa bàn nhận đúng mức chi tối thiểu cần thiết.",
        "Target '{line}' just met ({year}): every unit gets exactly the minimum it needs.",
    ),
    "alloc.bind.no_effect": (
        "{amount} tỷ đồng {source} ({year}) không làm thay đổi kết quả trong kỳ dự báo (ví dụ vốn hạ tầng năm cuối chỉ phát huy tác dụng sau kỳ); đã phân bổ theo tỷ lệ của kế hoạch.",
        "{amount} billion VND of {source} ({year}) changes nothing within the projection (e.g. infrastructure money of the last year acts only after it); placed as the plan places it.",
    ),
    "alloc.bind.unneeded": (
        "Không cần dùng {amount} tỷ đồng {source} ({year}) để đạt các chỉ tiêu.",
        "{amount} billion VND of {source} ({year}) is not needed to meet the targets.",
    ),
    "alloc.bind.target": (
        "Chỉ tiêu «{label}» vừa đủ đạt — {geo}, năm {year}: {value} (chỉ tiêu {threshold}).",
        "Target '{label}' just met — {geo}, {year}: {value} (target {threshold}).",
    ),
    "alloc.bind.value": (
        "Thêm 1 tỷ đồng: giảm thêm {value} hộ nghèo.",
        "One more billion VND: {value} fewer poor households.",
    ),
    "alloc.finding.capital": (
        "Năm {year}: dự án {line} nhận {amount} tỷ đồng từ nguồn {source}, nguồn này không được dùng cho dự án đó.",
        "{year}: line {line} receives {amount} billion VND of {source}, which may not fund it.",
    ),
    "alloc.finding.counterpart": (
        "Năm {year}: vốn đối ứng địa phương bằng {pct} vốn trung ương, thấp hơn mức tối thiểu {min_pct}.",
        "{year}: local counterpart money is {pct} of central money, below the minimum of {min_pct}.",
    ),
    "alloc.progress_frontier": ("Đường giới hạn", "Frontier"),
    "alloc.status.optimal": ("Tối ưu", "Optimal"),
    "alloc.status.targets_infeasible": ("Không thể đạt mọi chỉ tiêu", "Targets cannot all be met"),
    "alloc.col.line": ("Dự án/tiểu dự án", "Line"),
    "alloc.col.optimal": ("Tối ưu (tỷ đồng/năm)", "Optimal (billion VND/year)"),
    "alloc.col.plan": ("Kế hoạch (tỷ đồng/năm)", "Plan (billion VND/year)"),
    "alloc.col.equal_split": ("Chia đều (tỷ đồng/năm)", "Equal split (billion VND/year)"),
    "alloc.col.marginal": ("Số hộ thoát nghèo thêm trên 1 tỷ đồng", "Households lifted out per extra billion VND"),
    "alloc.col.total_bn": ("Tổng vốn (tỷ đồng)", "Total money (billion VND)"),
    "alloc.col.poor": ("Số hộ nghèo cuối kỳ", "Poor households at the horizon"),
    "alloc.col.poor_near_poor": ("Số hộ nghèo và cận nghèo cuối kỳ", "Poor + near-poor households at the horizon"),
    "alloc.col.households_lifted": (
        "Số hộ nghèo giảm so với không có Chương trình",
        "Fewer poor households than without the programme",
    ),
    "alloc.col.targets_met": ("Đạt mọi chỉ tiêu", "All targets met"),
    "alloc.col.allocation": ("Phương án", "Allocation"),
    "alloc.col.constraint": ("Ràng buộc chặt", "Binding constraint"),
    "alloc.plot.frontier_title": (
        "Giảm nghèo theo tổng vốn (phân bổ tối ưu)",
        "Poverty reduction against total budget (optimal allocation)",
    ),
    "alloc.plot.frontier_x": (
        "Tổng vốn các năm dự báo (tỷ đồng)",
        "Total money over the projected years (billion VND)",
    ),
    "alloc.plot.frontier_y": (
        "Số hộ nghèo giảm so với không có Chương trình",
        "Fewer poor households than without the programme",
    ),
    "alloc.plot.frontier_line": ("Phân bổ tối ưu", "Optimal allocation"),
    "alloc.plot.allocation_title": ("Phân bổ theo dự án: tối ưu và kế hoạch", "Allocation by line: optimal and plan"),
    "alloc.plot.marginal_title": ("Giá trị biên của 1 tỷ đồng tăng thêm", "Marginal value of one more billion VND"),
    "alloc.report.title": ("Phân bổ vốn tối ưu", "Optimal budget allocation"),
    "alloc.report.intro": (
        "Phân bổ tối ưu được tính bằng mô hình kỳ vọng với mục tiêu «{objective}», trong tổng vốn theo từng nguồn và các ràng buộc đã cho; các con số là dự báo kỳ vọng, chưa tính bất định.",
        "The optimal allocation is computed with the expected engine for the objective '{objective}', within the envelope of each source and the given bounds; figures are expected values, without uncertainty.",
    ),
    "alloc.report.comparison": ("So sánh các phương án", "Comparison of allocations"),
    "alloc.report.lines": ("Phân bổ theo dự án và giá trị biên", "Allocation by line and marginal values"),
    "alloc.report.binding": ("Các ràng buộc chặt", "Binding constraints"),
    "alloc.report.frontier": (
        "Đường giới hạn giảm nghèo theo tổng vốn",
        "Frontier of poverty reduction against total budget",
    ),
    "alloc.report.targets": ("Chỉ tiêu kế hoạch: tối ưu và kế hoạch", "Plan targets: optimal and plan"),
    "alloc.report.plan_findings": (
        "Kế hoạch chưa tuân thủ cơ cấu nguồn vốn:",
        "The plan breaks the structure of the money:",
    ),
    "alloc.report.none": ("Không có.", "None."),
    "alloc.report.convergence": (
        "Giải bằng {iterations} vòng lặp, {evaluations} lần chạy mô hình; cải thiện ở 5 vòng cuối: {improvement} hộ.",
        "Solved in {iterations} iterations, {evaluations} engine evaluations; improvement over the last 5 iterations: {improvement} households.",
    ),
    "cli.optimizing": (
        "Đang tối ưu phân bổ cho kịch bản {name} (mục tiêu: {objective})",
        "Optimising the allocation of scenario {name} (objective: {objective})",
    ),
    "cli.optimize_scenario": (
        "Kịch bản tối ưu: {path} (chạy bằng: simlib run {path} --out …)",
        "Optimal scenario: {path} (run it with: simlib run {path} --out …)",
    ),
    "err.opt_district_and_year": (
        "không thể tối ưu đồng thời theo huyện và theo năm (kịch bản chỉ có một cách chia theo huyện cho mỗi dự án)",
        "cannot optimise per district and per year together (a scenario holds one district split per line)",
    ),
    "err.opt_floor_above_ceiling": (
        "mức sàn/cam kết {floor} tỷ đồng của {line} cao hơn mức trần {ceiling} tỷ đồng",
        "the floor/commitment of {line} ({floor} billion VND) is above its ceiling ({ceiling} billion VND)",
    ),
    "err.opt_no_money_for_line": (
        "{line} có mức sàn nhưng không có nguồn vốn nào được phép cấp cho dự án này",
        "{line} has a floor but no source that may fund it has any money",
    ),
    "err.opt_target_needs_min_cost": (
        "chỉ tiêu này chỉ có thể là ràng buộc với mục tiêu min_cost",
        "this target can only be required with the objective min_cost",
    ),
    "err.opt_frontier": ("hệ số tổng vốn phải trong [0, 10]", "envelope multipliers must lie in [0, 10]"),
    "err.opt_floors_above_envelope": (
        "năm {year}: tổng các mức sàn, cam kết và khoản dành riêng vượt tổng vốn {envelope} tỷ đồng",
        "{year}: floors, commitments and earmarks add up to more than the envelope of {envelope} billion VND",
    ),
    "err.opt_floors_above_capital": (
        "năm {year}: mức sàn của {lines} chỉ được dùng vốn loại «{kind}», nhưng các nguồn đó chỉ có {envelope} tỷ đồng",
        "{year}: the floors of {lines} can only use {kind} capital, but those sources hold only {envelope} billion VND",
    ),
    "err.opt_earmark_above_source": (
        "năm {year}: các khoản dành riêng từ {source} vượt số vốn của nguồn này ({envelope} tỷ đồng)",
        "{year}: earmarks of {source} exceed that source's envelope ({envelope} billion VND)",
    ),
    "err.opt_counterpart": (
        "năm {year}: vốn địa phương ({local} tỷ đồng) không đủ để đối ứng {central} tỷ đồng vốn trung ương bắt buộc",
        "{year}: local money ({local} billion VND) cannot match the {central} billion VND of central money that must be spent",
    ),
    "err.opt_no_local": (
        "năm {year}: không có vốn địa phương đối ứng, nên quy định đối ứng tối thiểu {pct} % không cho phép chi {central} tỷ đồng vốn trung ương; hãy thêm vốn địa phương hoặc đặt counterpart_min_share: 0",
        "{year}: no local counterpart money, so the minimum counterpart of {pct} % forbids spending the {central} billion VND of central money; add local money or set counterpart_min_share: 0",
    ),
    "err.opt_infeasible_target": (
        "các chỉ tiêu bao phủ (cán bộ được tập huấn, hạ tầng ở mọi huyện nghèo) không thể đạt trong phạm vi tổng vốn và các mức trần",
        "the coverage targets (officers trained, infrastructure in every poor district) cannot be met within the envelope and ceilings",
    ),
    "err.opt_infeasible_commitment": (
        "các khoản đã cam kết không thể cùng được đáp ứng với các ràng buộc khác trong phạm vi tổng vốn",
        "the commitments cannot all be honoured together with the other bounds within the envelope",
    ),
    "err.opt_infeasible_floor": (
        "các mức sàn không thể cùng được đáp ứng với các ràng buộc khác (ví dụ mức trần của dự án thành phần thấp hơn mức sàn của cả dự án)",
        "the floors cannot all hold together with the other bounds (e.g. sub-project ceilings below the project's floor)",
    ),
    "err.opt_infeasible_earmark": (
        "các khoản vốn dành riêng không thể cùng được đáp ứng với các ràng buộc khác",
        "the earmarks cannot all hold together with the other bounds",
    ),
    "err.opt_infeasible_counterpart": (
        "tỷ lệ vốn đối ứng địa phương tối thiểu không thể đáp ứng cùng các mức sàn và khoản dành riêng từ vốn trung ương",
        "the minimum local counterpart share cannot hold together with the floors and earmarks of central money",
    ),
    "err.opt_infeasible_ceiling": (
        "các mức trần mâu thuẫn với các mức sàn, cam kết hoặc khoản dành riêng",
        "the ceilings contradict the floors, commitments or earmarks",
    ),
    "err.opt_infeasible_cap": (
        "mức sàn vượt quá số tiền có thể dùng cho số đối tượng đủ điều kiện",
        "floors exceed the money the eligible population can use",
    ),
    "err.opt_infeasible_all": (
        "các ràng buộc mâu thuẫn nhau trong phạm vi tổng vốn (không bỏ riêng nhóm nào mà giải quyết được)",
        "the bounds cannot all hold within the envelope (no single group of them is the cause)",
    ),
    # --- uncertainty, sensitivity, robustness ---------------------------------------------
    "report.uncertainty.states_only": (
        "Phân tích độ bất định (các lượt rút tham số) hiện chỉ áp dụng cho mô hình trạng thái; kịch bản này dùng mô hình đa chiều nên không có phần này.",
        "The uncertainty analysis (parameter draws) applies to the states model only; this scenario uses the multidimensional model, so it has no such section.",
    ),
    "err.unc_model": (
        "phân tích bất định, độ nhạy và độ vững hiện chỉ hỗ trợ mô hình trạng thái (model: states)",
        "uncertainty, sensitivity and robustness analyses support the states model (model: states) only",
    ),
    "unc.kind.effect": ("Hiệu quả của dự án", "Effect sizes"),
    "unc.kind.unit_cost": ("Định mức chi phí", "Unit costs"),
    "unc.kind.take_up": ("Tỷ lệ tham gia tối đa", "Take-up ceilings"),
    "unc.kind.transition": ("Xác suất chuyển trạng thái nền", "Baseline transitions"),
    "unc.kind.demography": ("Hộ mới tách", "Household formation"),
    "unc.kind.disbursement": ("Tỷ lệ giải ngân", "Disbursement"),
    "unc.kind.population": ("Đặc điểm hộ, số cán bộ", "Household attributes, officer numbers"),
    "unc.kind.coverage": ("Nhu cầu hỗ trợ sản xuất", "Demand for production support"),
    "unc.kind.other": ("Tham số khác", "Other parameters"),
    "unc.group.baseline": ("Xu hướng nền (không có Chương trình)", "Baseline trend (no programme)"),
    "unc.group.funding": ("Giải ngân vốn", "Disbursement of funds"),
    "unc.group.other": ("Tham số khác", "Other parameters"),
    "unc.group.P1": ("Dự án 1 – hạ tầng", "Project 1 – infrastructure"),
    "unc.group.P2": ("Dự án 2 – sinh kế", "Project 2 – livelihoods"),
    "unc.group.P3": ("Dự án 3 – sản xuất, dinh dưỡng", "Project 3 – production, nutrition"),
    "unc.group.P4": ("Dự án 4 – giáo dục nghề nghiệp, việc làm", "Project 4 – vocational training, jobs"),
    "unc.group.P5": ("Dự án 5 – nhà ở", "Project 5 – housing"),
    "unc.group.P6": ("Dự án 6 – truyền thông, thông tin", "Project 6 – communication, information"),
    "unc.group.P7": ("Dự án 7 – năng lực, giám sát", "Project 7 – capacity, monitoring"),
    "unc.param.escape": ("hiệu quả thoát nghèo", "escape effect"),
    "unc.param.deprivation": ("hiệu quả giảm thiếu hụt", "deprivation effect"),
    "unc.param.relapse": ("hiệu quả chống tái nghèo", "relapse effect"),
    "unc.param.new_poverty": ("hiệu quả chống phát sinh nghèo", "new-poverty effect"),
    "unc.param.enabling": ("hiệu quả hỗ trợ các dự án khác", "enabling effect"),
    "unc.param.unit_cost": ("định mức chi phí", "unit cost"),
    "unc.param.max_share": ("tỷ lệ tham gia tối đa", "take-up ceiling"),
    "unc.param.households_per_unit": ("số hộ mỗi đơn vị", "households per unit"),
    "unc.param.upward": ("đi lên", "upward"),
    "unc.param.downward": ("đi xuống", "downward"),
    "unc.param.given_no_move_up": ("(khi không đi lên)", "(given no move up)"),
    "unc.param.baseline_rate": ("Xác suất nền {move}", "Baseline probability {move}"),
    "unc.param.row": ("Hàng xác suất nền của {state}", "Baseline row of {state}"),
    "unc.param.modifier": ("Hệ số rủi ro tương đối {direction} ({name})", "Relative risk {direction} ({name})"),
    "unc.param.entry_share": ("Tỷ lệ hộ mới tách là {state}", "Share of new households that are {state}"),
    "unc.param.entry_shares": ("Cơ cấu hộ mới tách", "State shares of new households"),
    "unc.param.growth": ("Tốc độ tăng số hộ", "Household growth rate"),
    "unc.param.disbursement": ("Tỷ lệ giải ngân – {source}", "Disbursement share – {source}"),
    "unc.param.population.attributes.meritorious.share": (
        "Tỷ lệ hộ có người có công",
        "Share of households with a person of meritorious service",
    ),
    "unc.param.population.attributes.vulnerable.share": (
        "Tỷ lệ hộ có phụ nữ, trẻ em, người khuyết tật",
        "Share of households with women, children or disabled members",
    ),
    "unc.param.population.sizes.working_age_per_household": (
        "Số người trong tuổi lao động mỗi hộ",
        "Working-age people per household",
    ),
    "unc.param.population.sizes.officers_per_commune": (
        "Số cán bộ giảm nghèo mỗi xã",
        "Poverty-reduction officers per commune",
    ),
    "unc.param.population.sizes.officers_per_district": (
        "Số cán bộ giảm nghèo mỗi huyện",
        "Poverty-reduction officers per district",
    ),
    "unc.param.targets.coverage.production_support.want_share": (
        "Tỷ lệ hộ có nhu cầu hỗ trợ sản xuất",
        "Share of households wanting production support",
    ),
    "unc.modifier.kinh": ("hộ Kinh", "Kinh households"),
    "unc.modifier.urban": ("thành thị", "urban"),
    "unc.modifier.non_poor_district": ("huyện không nghèo", "non-poor districts"),
    "unc.state.poor": ("hộ nghèo", "poor"),
    "unc.state.near_poor": ("hộ cận nghèo", "near-poor"),
    "unc.state.escaped_1": ("hộ mới thoát nghèo (năm 1)", "newly escaped (year 1)"),
    "unc.state.escaped_2": ("hộ mới thoát nghèo (năm 2)", "newly escaped (year 2)"),
    "unc.state.escaped_3": ("hộ mới thoát nghèo (năm 3)", "newly escaped (year 3)"),
    "unc.state.non_poor": ("hộ không nghèo", "non-poor"),
    "unc.rule.below": ("{name} dưới {x}", "{name} below {x}"),
    "unc.rule.above": ("{name} trên {x}", "{name} above {x}"),
    "unc.rule.between": ("{name} từ {lo} đến {hi}", "{name} between {lo} and {hi}"),
    "unc.rule.and": (" và ", " and "),
    "unc.rule.the_plan": ("mục tiêu", "the target"),
    "unc.rule.misses_when": ("Không đạt «{what}» khi {conditions}.", "'{what}' is missed when {conditions}."),
    "unc.rule.stats": (
        "Trong các lượt như vậy, {density} không đạt (so với {base} trong tất cả các lượt); chúng chiếm {coverage} tổng số lượt không đạt.",
        "In such draws it is missed {density} of the time (against {base} over all draws); they hold {coverage} of all misses.",
    ),
    "unc.rule.none": (
        "Không có quy luật: mục tiêu luôn đạt hoặc luôn không đạt.",
        "No rule: the target is always met or always missed.",
    ),
    "unc.rule.no_pattern": (
        "Không tìm thấy điều kiện đơn giản nào; mục tiêu không đạt trong {rate} số lượt.",
        "No simple condition found; the target is missed in {rate} of draws.",
    ),
    "unc.output.poor_rate": ("Tỷ lệ hộ nghèo toàn tỉnh năm {year}", "Province poor-household rate in {year}"),
    "unc.output.indicator": ("{indicator} ({geo}) năm {year}", "{indicator} ({geo}) in {year}"),
    "unc.output.target": ("Đạt mục tiêu «{label}» ({geo}) năm {year}", "Meets '{label}' ({geo}) in {year}"),
    "unc.chart.fan_title": ("{indicator} – {geo}", "{indicator} – {geo}"),
    "unc.chart.median": ("Trung vị", "Median"),
    "unc.chart.band_50": ("50 % khả năng (25–75 %)", "50 % of draws (25–75 %)"),
    "unc.chart.band_90": ("90 % khả năng (5–95 %)", "90 % of draws (5–95 %)"),
    "unc.chart.deterministic": ("Dự báo giá trị trung tâm", "Central projection"),
    "unc.chart.target_path": ("Lộ trình mục tiêu", "Target path"),
    "unc.chart.year": ("Năm", "Year"),
    "unc.chart.probability": ("Xác suất đạt mục tiêu", "Probability of meeting the target"),
    "unc.chart.probability_title": (
        "Xác suất đạt các mục tiêu của kế hoạch",
        "Probability of meeting the plan's targets",
    ),
    "unc.chart.sensitivity_title": ("Cần đo lường chính xác hơn điều gì?", "What we most need to measure better"),
    "unc.chart.sensitivity_xlabel": (
        "Phần độ bất định của kết quả do nhóm tham số này (chỉ số Sobol)",
        "Share of the uncertainty in the result due to this group (Sobol index)",
    ),
    "unc.chart.total_index": ("Tổng (kể cả tương tác)", "Total (with interactions)"),
    "unc.chart.first_index": ("Riêng nhóm này", "This group alone"),
    "unc.chart.morris_title": ("Sàng lọc tham số (phương pháp Morris)", "Parameter screening (Morris method)"),
    "unc.chart.morris_xlabel": ("Ảnh hưởng trung bình μ*", "Mean absolute effect μ*"),
    "unc.chart.regret_title": (
        "Mức thiệt so với phương án tốt nhất trong từng lượt",
        "Regret against the best allocation in each draw",
    ),
    "unc.chart.regret_xlabel": ("Thiệt (điểm % tỷ lệ hộ nghèo)", "Regret (points of poor-household rate)"),
    "unc.col.scenario": ("Kịch bản", "Scenario"),
    "unc.col.target": ("Mục tiêu", "Target"),
    "unc.col.geo": ("Địa bàn", "Area"),
    "unc.col.year": ("Năm", "Year"),
    "unc.col.probability": ("Xác suất đạt", "Probability met"),
    "unc.col.median": ("Trung vị", "Median"),
    "unc.col.interval": ("Khoảng 90 %", "90 % interval"),
    "unc.col.value_mean": ("Giá trị trung bình", "Mean value"),
    "unc.col.regret_mean": ("Thiệt trung bình", "Mean regret"),
    "unc.col.regret_p95": ("Thiệt ở mức 95 %", "95th-percentile regret"),
    "unc.col.regret_max": ("Thiệt lớn nhất", "Largest regret"),
    "unc.col.share_best": ("Tỷ lệ lượt là tốt nhất", "Share of draws where best"),
    "unc.col.rule": ("Khi nào không đạt", "When the target is missed"),
    "unc.cli.running": (
        "Đang chạy {n} lượt tham số × {reps} lượt mô phỏng cho kịch bản {name} ({engine})",
        "Running {n} parameter draws × {reps} replications for scenario {name} ({engine})",
    ),
    "unc.cli.summary": (
        "Xác suất đạt mục tiêu (năm {year}): {items}",
        "Probability of meeting targets ({year}): {items}",
    ),
    "unc.cli.sensitivity": (
        "Đang phân tích độ nhạy ({n} điểm cơ sở)",
        "Running sensitivity analysis ({n} base points)",
    ),
    "unc.cli.robustness": (
        "Đang so sánh {k} phương án trên {n} lượt tham số",
        "Comparing {k} allocations over {n} parameter draws",
    ),
    "unc.nb.title": (
        "Độ bất định: chắc chắn đến đâu rằng kế hoạch đạt mục tiêu?",
        "Uncertainty: how sure are we that the plan meets its targets?",
    ),
    "unc.nb.intro": (
        "Kịch bản «{title}»: {draws} lượt rút tham số ({sampler}, hạt giống {seed}); mỗi tham số bất định được rút trong khoảng hợp lý của nó (params/).",
        "Scenario '{title}': {draws} parameter draws ({sampler}, seed {seed}); every uncertain parameter is drawn within its plausible range (params/).",
    ),
    "unc.nb.fan": ("Dải dự báo", "Fan charts"),
    "unc.nb.probabilities": ("Xác suất đạt mục tiêu", "Probability of meeting the targets"),
    "unc.nb.rules": ("Khi nào kế hoạch không đạt mục tiêu?", "When does the plan miss its targets?"),
    "unc.nb.rules_note": (
        "Mỗi quy luật được tìm trên một nửa số lượt và kiểm tra lại trên nửa còn lại; khi số lượt ít (dưới vài trăm), thường không quy luật nào vượt qua kiểm tra.",
        "Each rule is found on half of the draws and checked on the other half; with few draws (under a few hundred) none may pass the check.",
    ),
    "unc.nb.sensitivity": (
        "Độ nhạy: cần đo lường chính xác hơn điều gì?",
        "Sensitivity: what we most need to measure better",
    ),
    "unc.nb.robustness": (
        "Độ vững: so sánh các phương án phân bổ trên cùng các lượt tham số",
        "Robustness: allocations compared on the same parameter draws",
    ),
    # reports with parameter draws (scenario report, comparison, batch index)
    "report.section.uncertainty": (
        "Mức độ chắc chắn: dải dự báo và xác suất đạt chỉ tiêu",
        "How sure are we? Range of outcomes and probability of meeting each target",
    ),
    "report.uncertainty.intro": (
        "Hiệu quả của các dự án, định mức chi phí, tỷ lệ giải ngân và xu hướng nền đều chưa biết chắc. "
        "Dự báo được chạy lại với {n} bộ giá trị tham số, mỗi tham số bất định ({k} tham số) được rút trong khoảng hợp lý "
        "của nó (cách rút {sampler}, hạt giống {seed}). Dải đậm chứa một nửa số lượt, dải nhạt chứa 90 % số lượt. "
        "Dự báo với giá trị trung tâm giả định toàn bộ vốn kế hoạch được giải ngân trong năm; các lượt rút cho phép giải ngân "
        "thấp hơn (như đã xảy ra những năm trước), nên một chỉ tiêu «đạt» ở dự báo trung tâm vẫn có thể có xác suất đạt thấp.",
        "Effect sizes, unit costs, disbursement and the baseline trend are all uncertain. The projection was run again "
        "with {n} sets of parameter values, each uncertain parameter ({k} in all) drawn within its plausible range "
        "(sampler {sampler}, seed {seed}). The dark band holds half of the draws, the light band 90 %. "
        "The central projection assumes that all planned money is disbursed within the year; the draws allow lower "
        "disbursement (as happened in earlier years), so a target 'met' in the central projection can still have a low "
        "probability of being met.",
    ),
    "report.uncertainty.replications": (
        "Mỗi bộ tham số được mô phỏng {r} lần ({samples} lượt tất cả).",
        "Each set of parameters was simulated {r} times ({samples} runs in all).",
    ),
    "report.fig.fans": (
        "Dải dự báo tỷ lệ hộ nghèo theo các lượt rút tham số: đường đậm là trung vị, đường chấm là dự báo với giá trị trung tâm "
        "của tham số, đường đứt là lộ trình mục tiêu.",
        "Range of the projected poor-household rate over the parameter draws: the solid line is the median, the dotted line "
        "the projection with central parameter values, the dashed line the target path.",
    ),
    "report.uncertainty.probabilities": ("Xác suất đạt từng chỉ tiêu", "Probability of meeting each target"),
    "report.uncertainty.probabilities_intro": (
        "Xác suất đạt một chỉ tiêu là tỷ lệ số lượt rút tham số mà chỉ tiêu đạt ở mọi địa bàn nó áp dụng "
        "(với chỉ tiêu của các huyện nghèo: cả nhóm huyện nghèo và từng huyện nghèo).",
        "The probability of meeting a target is the share of parameter draws in which it is met in every area it covers "
        "(for the poor-district target: the poor districts together and each poor district).",
    ),
    "report.uncertainty.table_caption": (
        "Xác suất đạt chỉ tiêu; dưới đó là trung vị và khoảng 90 % của giá trị dự báo ở địa bàn chỉ tiêu nêu.",
        "Probability of meeting the target; below it the median and 90 % interval of the projected value in the area the target names.",
    ),
    "report.uncertainty.each_area": ("và từng huyện nghèo ({n} huyện)", "and each poor district ({n})"),
    "report.uncertainty.named_area": ("tính chung cả nhóm:", "the group as a whole:"),
    "report.uncertainty.median": ("trung vị {value}", "median {value}"),
    "report.uncertainty.interval": ("90 %: {lo} – {hi}", "90 %: {lo} – {hi}"),
    "report.fig.probabilities": (
        "Xác suất đạt các chỉ tiêu năm {year} (ở mọi địa bàn chỉ tiêu áp dụng).",
        "Probability of meeting each target in {year} (in every area it covers).",
    ),
    "report.uncertainty.precision": (
        "Với {n} lượt, mỗi xác suất chỉ chính xác trong khoảng ±{pm} điểm %; muốn chính xác hơn, hãy tăng số lượt rút tham số.",
        "With {n} runs each probability is known to within about ±{pm} points; use more parameter draws for more precision.",
    ),
    "report.uncertainty.details": (
        "Phân tích chi tiết: tham số nào cần đo chính xác hơn, khi nào kế hoạch không đạt, so sánh các phương án →",
        "Details: which parameters most need measuring, when the plan misses, allocations compared →",
    ),
    "report.probability_label": ("xác suất đạt", "probability"),
    "report.scorecard.probability_note": (
        "«Xác suất đạt» là tỷ lệ trong {n} lượt rút tham số mà chỉ tiêu đạt ở địa bàn đó (xem mục «Mức độ chắc chắn»); "
        "«đạt / không đạt» là kết quả của dự báo với giá trị trung tâm của tham số.",
        "'Probability' is the share of {n} parameter draws in which the target is met in that area (see 'How sure are we?'); "
        "met / not met is the projection with central parameter values.",
    ),
    "report.card.all_targets": (
        "Xác suất đạt tất cả chỉ tiêu năm {year}",
        "Probability of meeting every target in {year}",
    ),
    "report.card.all_targets_detail": (
        "tỷ lệ trong {n} lượt rút tham số (xem mục «Mức độ chắc chắn»)",
        "share of {n} parameter draws (see 'How sure are we?')",
    ),
    "err.uncertainty_draws": (
        "số lượt rút tham số phải là số nguyên ≥ 0 (0: không tính độ bất định)",
        "the number of parameter draws must be a whole number ≥ 0 (0: no uncertainty)",
    ),
    "cli.uncertainty_report_failed": (
        "{name}: báo cáo độ bất định lỗi (báo cáo kịch bản vẫn được tạo): {error}",
        "{name}: the uncertainty report failed (the scenario report was written): {error}",
    ),
    "index.uncertainty_draws": ("{n} lượt rút tham số ({sampler})", "{n} parameter draws ({sampler})"),
    "index.all_targets_probability": ("xác suất đạt tất cả:", "probability all met:"),
    "index.link.uncertainty": ("Độ bất định", "Uncertainty"),
    "index.uncertainty_failed": ("Báo cáo độ bất định lỗi", "Uncertainty report failed"),
    "index.uncertainty_explain": (
        "Mỗi kịch bản được chạy lại với {n} bộ giá trị tham số rút ngẫu nhiên trong khoảng hợp lý của chúng: báo cáo kịch bản có "
        "dải dự báo và xác suất đạt từng chỉ tiêu; liên kết «Độ bất định» mở phân tích chi tiết (tham số nào cần đo chính xác hơn, "
        "khi nào kế hoạch không đạt, so sánh với các kịch bản khác trên cùng các lượt rút).",
        "Every scenario was run again with {n} sets of parameter values drawn within their plausible ranges: each report shows "
        "the range of outcomes and the probability of meeting each target; the 'Uncertainty' link opens the details (which "
        "parameters most need measuring, when the plan misses, the scenario against the others on the same draws).",
    ),
    "index.uncertainty_how": (
        "Các con số trên dùng giá trị trung tâm của tham số. Muốn xem dải dự báo và xác suất đạt từng chỉ tiêu, chạy lại với "
        "số lượt rút tham số, ví dụ: simlib batch params/scenarios --out reports --uncertainty 200 (hoặc make reports "
        "UNCERTAINTY=200); mỗi kịch bản sẽ có thêm báo cáo «Độ bất định» (notebooks/uncertainty.ipynb).",
        "The figures above use central parameter values. For the range of outcomes and the probability of meeting each target, "
        "run again with parameter draws, e.g. simlib batch params/scenarios --out reports --uncertainty 200 (or make reports "
        "UNCERTAINTY=200); each scenario then also gets an 'Uncertainty' report (notebooks/uncertainty.ipynb).",
    ),
    "unc.nb.left_out": (
        "Không so sánh được với: {names} (các tham số bất định khác với kịch bản này).",
        "Cannot be compared with: {names} (their uncertain parameters differ from this scenario's).",
    ),
    "unc.nb.no_compare": (
        "Không có phương án nào khác để so sánh (tham số `compare`).",
        "No other allocation to compare with (parameter `compare`).",
    ),
    "compare.section.probabilities": (
        "Xác suất đạt chỉ tiêu theo kịch bản",
        "Probability of meeting each target by scenario",
    ),
    "compare.probabilities.intro": (
        "Mỗi kịch bản được chạy lại với các bộ giá trị tham số rút ngẫu nhiên ({draws} lượt); xác suất đạt một chỉ tiêu là tỷ lệ "
        "số lượt mà chỉ tiêu đạt ở mọi địa bàn nó áp dụng. Kịch bản có xác suất cao hơn là kịch bản vững hơn trước những gì ta chưa biết chắc.",
        "Each scenario was run again with randomly drawn parameter values ({draws} draws); the probability of meeting a target "
        "is the share of draws in which it is met in every area it covers. A higher probability means a plan that holds up "
        "better against what we do not know.",
    ),
    "compare.probabilities.missing": (
        "Không có lượt rút tham số cho: {names}.",
        "No parameter draws for: {names}.",
    ),
    "compare.scorecard.probability_note": (
        "«Xác suất đạt»: tỷ lệ số lượt rút tham số mà chỉ tiêu đạt ở mọi địa bàn nó áp dụng (xem mục tiếp theo).",
        "'Probability': the share of parameter draws in which the target is met in every area it covers (see the next section).",
    ),
    "table.probability_met": ("Xác suất đạt (mọi địa bàn)", "Probability met (every area)"),
    "table.probability_area": ("Xác suất đạt (địa bàn chỉ tiêu nêu)", "Probability met (area named)"),
    "table.median": ("Trung vị", "Median"),
    "table.q05": ("Phân vị 5 %", "5th percentile"),
    "table.q95": ("Phân vị 95 %", "95th percentile"),
    "table.samples": ("Số lượt", "Runs"),
    # --- performance and national scale -----------------------------------------------------
    "err.chunk_multidim": (
        "chạy theo khối (--chunk) chưa hỗ trợ mô hình đa chiều (model: multidim)",
        "chunked runs (--chunk) do not support the multidimensional model (model: multidim) yet",
    ),
    "err.chunk": ("số địa bàn mỗi phần (--chunk) phải ≥ 1", "units per chunk (--chunk) must be ≥ 1"),
    # --- engine core (issue 13) ---
    "err.seed": (
        "số khởi tạo ngẫu nhiên phải là số nguyên ≥ 0",
        "the random seed must be a whole number ≥ 0",
    ),
    "err.jobs": (
        "số tiến trình chạy song song phải là số nguyên ≥ 1",
        "the number of workers must be a whole number ≥ 1",
    ),
    "err.chunk_units": ("số địa bàn mỗi phần phải là số nguyên ≥ 1", "units per chunk must be a whole number ≥ 1"),
    "err.engine_model": (
        "phương pháp tính này không tính được mô hình nghèo «{model}»",
        "this engine does not run the '{model}' poverty model",
    ),
    "err.engine_chunking": (
        "phương pháp tính này không chạy được mô hình nghèo «{model}» theo từng phần địa bàn",
        "this engine cannot run the '{model}' poverty model unit by unit",
    ),
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
