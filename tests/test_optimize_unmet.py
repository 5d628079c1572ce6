"""What the optimiser's summary says beside its numbers (`simlib.allocate.summary`, the CLI):

- the province's targets the recommended split does not meet, that the objective did not
  constrain, and the option that does (plan_2024 with `poor` gives production support 0 in 2025:
  its 80 % coverage target read «0,00 ✗» with nothing saying the objective ignored it);
- the counterpart note of years without a known ratio, said once (it was in the message and
  again among the legal notes).

The targets table and the expected sentences are worked by hand."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pandas as pd
import pytest

from simlib.allocate.counterpart import CounterpartFloor, unknown_note
from simlib.allocate.summary import unmet_record, unmet_rows
from simlib.cli.optimize import explain_to

LABELS = {
    "production_support": ("Tỷ lệ hỗ trợ sản xuất đạt từ 80 %", "Production support reaches 80 %"),
    "officers_trained": ("100 % cán bộ được tập huấn", "100 % of officers trained"),
    "poor_rate_province": ("Tỷ lệ hộ nghèo giảm 4 điểm %", "Poor rate falls 4 points"),
}


def row(allocation, year, target, value, met, geo_type="province", geo="province", indicator=None):
    vi, en = LABELS[target]
    indicator = indicator or ("poor_rate_change" if target == "poor_rate_province" else target)
    return dict(
        allocation=allocation,
        year=year,
        target_id=target,
        geo_type=geo_type,
        geo=geo,
        indicator=indicator,
        value=value,
        met=met,
        label_vi=vi,
        label_en=en,
    )


@pytest.fixture
def targets():
    return pd.DataFrame(
        [
            row("optimal", 2024, "production_support", 46.74, False),
            row("optimal", 2025, "production_support", 0.0, False),
            row("optimal", 2025, "officers_trained", 100.0, True),
            row("optimal", 2025, "poor_rate_province", -3.15, False),
            row("optimal", 2025, "officers_trained", 50.0, False, "district", "D1"),  # a unit: detail
            row("plan", 2024, "production_support", 46.74, False),
            row("plan", 2025, "production_support", 50.18, False),
            row("plan", 2025, "officers_trained", 67.27, False),
            row("plan", 2025, "poor_rate_province", -2.63, False),
        ]
    )


def spec(objective="poor", targets=None):
    return SimpleNamespace(objective=objective, targets=targets)


def test_the_unmet_targets_of_the_years_allocated(targets):
    rows = unmet_rows(targets, spec(), [2025])
    got = sorted(zip(rows["target_id"], rows["year"], rows["value"], rows["plan_value"]))
    assert got == [("poor_rate_province", 2025, -3.15, -2.63), ("production_support", 2025, 0.0, 50.18)]
    both = unmet_rows(targets, spec(), [2024, 2025])
    assert sorted(both.loc[both["target_id"] == "production_support", "year"]) == [2024, 2025]


def test_the_summary_says_which_targets_and_what_constrains_them(targets):
    rec = unmet_record(targets, spec(), [2025])
    assert rec["targets"] == ["poor_rate_province", "production_support"]
    vi, en = rec["vi"], rec["en"]
    assert "chưa đạt 2 chỉ tiêu của tỉnh" in vi
    assert "Tỷ lệ hỗ trợ sản xuất đạt từ 80 %: năm 2025 0,00 % (kế hoạch: 50,18 %)" in vi
    assert "năm 2025 −3,15 điểm % (kế hoạch: −2,63 điểm %)" in vi
    assert "Mục tiêu «ít hộ nghèo nhất» không ràng buộc các chỉ tiêu này" in vi and "--objective min_cost" in vi
    assert "does not meet 2 of the province's targets" in en and "--objective min_cost" in en
    assert "Production support reaches 80 %: 2025 0.00% (plan: 50.18%)" in en
    assert "targets: [" not in vi  # no linear coverage target among them


def test_a_linear_target_names_the_spec_that_requires_it(targets):
    t = targets.copy()
    t.loc[
        (t["allocation"] == "optimal") & (t["target_id"] == "officers_trained") & (t["geo_type"] == "province"), "met"
    ] = False
    rec = unmet_record(t, spec(), [2025])
    assert "officers_trained" in rec["targets"]
    assert "«targets: [officers_trained]» trong tệp --spec" in rec["vi"]
    # required by the request: not listed (it would have been met, or the result infeasible)
    rec = unmet_record(t, spec(targets=("officers_trained",)), [2025])
    assert "officers_trained" not in rec["targets"]


def test_nothing_to_say_when_min_cost_required_them_or_none_is_missed(targets):
    assert unmet_record(targets, spec("min_cost"), [2025]) is None  # every target was required
    assert unmet_record(targets, spec(), [2025], status="targets_infeasible") is None  # the message says it
    met = targets.assign(met=True)
    assert unmet_record(met, spec(), [2024, 2025]) is None
    listed = unmet_record(targets, spec("min_cost", ("officers_trained",)), [2025])
    assert "chỉ yêu cầu đạt các chỉ tiêu officers_trained" in listed["vi"]


def empty_result(message: str, notes: list[str]):
    return SimpleNamespace(
        binding=[],
        best_line=None,
        lines=pd.DataFrame(columns=["line", "objective_per_billion_added"]),
        districts=pd.DataFrame(),
        zero_lines=[],
        unallocatable=pd.DataFrame(),
        plan_findings=[],
        plan_breaches=[],
        legal={"notes_vi": notes, "notes_en": notes},
        legal_violations=[],
        message=lambda lang: message,
    )


def test_the_counterpart_note_is_printed_once():
    """The CLI prints the message (with the note of 2026–2027, whose counterpart rule is unknown)
    then the explanation with the legal notes, where the optimiser added the same note."""
    floor = CounterpartFloor(
        (2024, 2025, 2026, 2027), (0.03, 0.03, None, None), ("assumption",) * 2 + ("unknown",) * 2, (None,) * 4
    )
    note = unknown_note(floor).get("vi")
    assert "2026, 2027" in note
    message = "Mục tiêu: ít hộ nghèo nhất.\n" + note
    res = empty_result(message, ["Dự toán là số liệu MINH HỌA.", note])
    out = io.StringIO()
    print(res.message("vi"), file=out)
    explain_to(res, "vi", out)
    text = out.getvalue()
    assert text.count(note) == 1 and "§ Dự toán là số liệu MINH HỌA." in text
