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
    # --- allocation and optimisation -------------------------------------------------------
    "alloc.objective.poor": ("ít hộ nghèo nhất", "fewest poor households"),
    "alloc.objective.poor_near_poor": ("ít hộ nghèo và cận nghèo nhất", "fewest poor and near-poor households"),
    "alloc.objective.welfare": ("phúc lợi có trọng số (ưu tiên hộ DTTS, huyện nghèo)", "welfare-weighted (priority to ethnic-minority households and poor districts)"),
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
    "alloc.bind.envelope": ("Đã dùng hết {source}: {amount} tỷ đồng ({year}).", "The {source} envelope is fully used: {amount} billion VND ({year})."),
    "alloc.bind.cap": (
        "{line}: đủ kinh phí cho mọi đối tượng đủ điều kiện ({year}); thêm vốn không có tác dụng.",
        "{line}: enough money to reach every eligible beneficiary ({year}); more money buys nothing.",
    ),
    "alloc.bind.floor": ("{line}: ở mức sàn {amount} tỷ đồng ({year}).", "{line}: held at its floor of {amount} billion VND ({year})."),
    "alloc.bind.commitment": (
        "{line}: không thể cắt dưới khoản đã cam kết {amount} tỷ đồng ({year}).",
        "{line}: cannot be cut below the {amount} billion VND already committed ({year}).",
    ),
    "alloc.bind.ceiling": ("{line}: chạm mức trần {amount} tỷ đồng ({year}).", "{line}: at its ceiling of {amount} billion VND ({year})."),
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
    "alloc.bind.value": ("Thêm 1 tỷ đồng: giảm thêm {value} hộ nghèo.", "One more billion VND: {value} fewer poor households."),
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
    "alloc.col.households_lifted": ("Số hộ nghèo giảm so với không có Chương trình", "Fewer poor households than without the programme"),
    "alloc.col.targets_met": ("Đạt mọi chỉ tiêu", "All targets met"),
    "alloc.col.allocation": ("Phương án", "Allocation"),
    "alloc.col.constraint": ("Ràng buộc chặt", "Binding constraint"),
    "alloc.plot.frontier_title": ("Giảm nghèo theo tổng vốn (phân bổ tối ưu)", "Poverty reduction against total budget (optimal allocation)"),
    "alloc.plot.frontier_x": ("Tổng vốn các năm dự báo (tỷ đồng)", "Total money over the projected years (billion VND)"),
    "alloc.plot.frontier_y": ("Số hộ nghèo giảm so với không có Chương trình", "Fewer poor households than without the programme"),
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
    "alloc.report.frontier": ("Đường giới hạn giảm nghèo theo tổng vốn", "Frontier of poverty reduction against total budget"),
    "alloc.report.targets": ("Chỉ tiêu kế hoạch: tối ưu và kế hoạch", "Plan targets: optimal and plan"),
    "alloc.report.plan_findings": ("Kế hoạch chưa tuân thủ cơ cấu nguồn vốn:", "The plan breaks the structure of the money:"),
    "alloc.report.none": ("Không có.", "None."),
    "alloc.report.convergence": (
        "Giải bằng {iterations} vòng lặp, {evaluations} lần chạy mô hình; cải thiện ở 5 vòng cuối: {improvement} hộ.",
        "Solved in {iterations} iterations, {evaluations} engine evaluations; improvement over the last 5 iterations: {improvement} households.",
    ),
    "cli.optimizing": ("Đang tối ưu phân bổ cho kịch bản {name} (mục tiêu: {objective})", "Optimising the allocation of scenario {name} (objective: {objective})"),
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
