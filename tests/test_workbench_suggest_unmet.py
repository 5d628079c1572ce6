"""The explorer's «Suggest» says which of the province's targets the suggested split still misses,
in the words of `simlib optimize` (`simlib.allocate.summary.unmet_record`, `where="explorer"`):
compared with the allocation being explored (the optimiser's starting point), and what to do
there (save, then `--objective min_cost`). The cases are worked by hand: a split with no money
supports no one (production support 0 %), every other target loosened so that it is met."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd
import pytest
import yaml
from conftest import make_scenario, tiny_raw

from simlib.allocate.summary import unmet_record
from simlib.workbench import compare as C
from simlib.workbench.state import AllocationState

#: every target of params/targets.yaml met by any split but production support (≥ 80 %)
LOOSE = [
    ("targets.targets.0.threshold.value", 100.0),  # poor rate «falls» by at most +100 points
    ("targets.targets.1.threshold.value", 100.0),
    ("targets.targets.2.threshold.value", 100.0),
    ("targets.targets.4.threshold.value", 0.0),  # officers trained ≥ 0 %
    ("targets.targets.5.threshold.value", 0.0),  # poor districts with infrastructure ≥ 0 %
]


def no_money_raw() -> dict:
    raw = tiny_raw()
    raw["budget"] = {"unit": "billion VND", "years": {y: {} for y in raw["budget"]["years"]}}
    return raw


def optimised(optimal, plan, status="optimal"):
    """An optimiser's result as `suggestion_unmet` reads it (objective `poor`, every year)."""
    spec = SimpleNamespace(objective="poor", targets=None, plan_years=None)
    return SimpleNamespace(status=status, spec=spec, scenario=plan, scenarios={"optimal": optimal, "plan": plan})


def test_a_split_without_money_misses_production_support_against_the_allocation_explored():
    plan = make_scenario(tiny_raw(), LOOSE)
    rec = C.suggestion_unmet(optimised(make_scenario(no_money_raw(), LOOSE), plan))
    assert rec["targets"] == ["production_support"]  # the only target a split can miss here
    vi, en = rec["vi"], rec["en"]
    assert "Phương án đề xuất chưa đạt 1 chỉ tiêu của tỉnh" in vi
    assert "năm 2024 0,00 % (phương án đang thử: " in vi and "năm 2025 0,00 % (phương án đang thử: " in vi
    assert "kế hoạch:" not in vi  # the optimiser started from the allocation explored, not the plan
    assert "lưu phương án thành kịch bản" in vi and "--objective min_cost" in vi
    assert "2025 0.00% (allocation being explored: " in en and "“Save the allocation as a scenario” below" in en
    assert "--spec" not in vi + en  # the command line's file: not the explorer's advice
    assert "\n  • " + "80 %" in vi  # the target's own label, one line


def test_nothing_is_said_when_the_split_meets_every_target_or_cannot():
    plan = make_scenario(tiny_raw(), LOOSE)
    assert C.suggestion_unmet(optimised(plan, plan)) is None  # production support met by the plan's money
    worse = make_scenario(no_money_raw(), LOOSE)
    assert C.suggestion_unmet(optimised(worse, plan, status="targets_infeasible")) is None  # the message says it


def test_the_command_line_keeps_its_words():
    """The same record from `simlib optimize`: against the plan, and `--objective min_cost` as
    the sentence was before the explorer's words were added."""
    rows = [
        dict(allocation=a, year=2025, target_id="officers_trained", geo_type="province", geo="province")
        | dict(indicator="officers_trained", value=v, met=m, label_vi="Cán bộ được tập huấn", label_en="Trained")
        for a, v, m in (("optimal", 0.0, False), ("plan", 50.18, False))
    ]
    rec = unmet_record(pd.DataFrame(rows), SimpleNamespace(objective="poor", targets=None), [2025])
    assert "Cán bộ được tập huấn: năm 2025 0,00 % (kế hoạch: 50,18 %)" in rec["vi"]
    assert rec["en"].splitlines()[2] == (
        "The objective “fewest poor households” does not constrain these targets: the optimiser looks for the "
        "best split for that objective within the money and the rules, without requiring any target. To require "
        "every target, use --objective min_cost (the least money that meets every target of the plan; if they "
        "cannot all be met, the result names those that cannot)."
    )
    assert "«targets: [officers_trained]» trong tệp --spec" in rec["vi"]


@pytest.fixture
def view(tmp_path):
    from simlib.workbench.view import ExplorerView

    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    return ExplorerView(AllocationState.load(path), "vi", tmp_path / "saved", debounce=0)


def test_the_suggestion_shows_the_targets_it_misses_and_nothing_when_none(view):
    new = view.state.amounts()
    new[1:, view.state.items.index("P2"), 1] = 5e9
    rec = {
        "targets": ["production_support"],
        "vi": "Phương án đề xuất chưa đạt 1 chỉ tiêu:\n  • Hỗ trợ sản xuất: năm 2025 0,00 %\nMục tiêu không ràng buộc.",
        "en": "x",
    }
    view.suggestion = C.Suggestion(new, C.changes(view.state, new), {"vi": "Tóm tắt.", "en": ""}, 1, rec)
    page = view.suggestion_html()
    assert '<div class="sl-note"><p>Phương án đề xuất chưa đạt 1 chỉ tiêu:</p>' in page
    assert "<li>Hỗ trợ sản xuất: năm 2025 0,00\u00a0%</li></ul><p>Mục tiêu không ràng buộc.</p></div>" in page
    assert page.index("Tóm tắt.") < page.index("sl-note") < page.index("<table")  # under the summary
    view.suggestion = C.Suggestion(new, C.changes(view.state, new), {"vi": "Tóm tắt.", "en": ""}, 1, None)
    assert "sl-note" not in view.suggestion_html()


def test_the_two_judging_runs_are_counted_and_can_be_stopped():
    """The explorer's stop button raises in the progress callback: after the optimiser, the two
    runs that judge its split against the allocation explored must be counted and stoppable
    (before, they ran with no check: a stop asked then waited for both)."""
    plan = make_scenario(tiny_raw(), LOOSE)
    res = optimised(make_scenario(no_money_raw(), LOOSE), plan)
    calls = []
    C.suggestion_unmet(res, on_runs=calls.append)
    assert calls == [1, 1]  # one count before each of the two runs

    class Stop(Exception):
        pass

    def stop_at_second(runs):
        calls.append(runs)
        if len(calls) == 4:
            raise Stop

    with pytest.raises(Stop):
        C.suggestion_unmet(res, on_runs=stop_at_second)
    assert calls == [1, 1, 1, 1]
