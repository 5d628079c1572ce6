"""The planner's workbench (issue 17): the allocation state and its checks, the workspace (safe
names, saving, notebook copies), the explorer's widgets driven through the widget API (no
browser: see test_workbench_browser.py), and the JupyterLab helpers of the report notebooks."""

from __future__ import annotations

import asyncio
import html
import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.compliance import check_allocation, ignored
from simlib.errors import InputError
from simlib.runner import run
from simlib.scenario import load_scenario, scenario_from_dict
from simlib.schema import parse_yaml
from simlib.workbench import workspace as WS
from simlib.workbench.compare import suggest
from simlib.workbench.grid import EVERY_YEAR
from simlib.workbench.project import shown_indicators
from simlib.workbench.state import AllocationState, Problem, parse_number, share_labels


def shown_rows(result):
    """A full run's indicator rows the explorer's projection keeps (`project.shown_indicators`)."""
    ind = result.indicators
    return ind[ind["indicator"].isin(shown_indicators(result.scenario))].reset_index(drop=True)


def load_scenario_dict(raw):
    return scenario_from_dict(raw, file=None)


@pytest.fixture
def base_file(tmp_path):
    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    return path


def p1_lines(scen) -> list[int]:
    return [i for i, code in enumerate(scen.budget.lines) if code.startswith("P1")]


# --------------------------------------------------------------------------- state

PLAN = ROOT / "params" / "scenarios" / "plan_2024.yaml"


@pytest.fixture(scope="module")
def plan():
    return load_scenario(PLAN)


def blocking(state) -> list:
    """Breaches of the legal frame by the state's allocation, found afresh by the frame's own
    check (not the state's cache) and not ignored by the starting scenario."""
    scen = state.scenario()
    return [v for v in check_allocation(scen) if not ignored(scen, v.rule)]


@pytest.mark.parametrize(
    "text, lang, value",
    [
        ("2.140,5", "vi", 2140.5),
        ("2140,5", "vi", 2140.5),
        ("1.234.567", "vi", 1234567.0),
        (" 712 ", "vi", 712.0),
        ("2,140.5", "en", 2140.5),
        ("2140.5", "en", 2140.5),
        ("abc", "vi", None),
        ("2,140.5", "vi", None),  # an English number is not silently read as 2,1405
        ("1.2.3", "en", None),
        ("", "en", None),
    ],
)
def test_numbers_are_read_the_local_way_or_refused(text, lang, value):
    assert parse_number(text, lang) == value


def test_an_untouched_state_is_exactly_the_starting_scenario():
    st = AllocationState(make_scenario())
    assert st.unchanged
    np.testing.assert_array_equal(st.amounts(), st.base.budget.amounts)
    assert sum(st.shares().values()) == pytest.approx(1.0)
    assert st.allocated_vnd() == pytest.approx(st.base.budget.amounts[1].sum())


def test_an_amount_goes_to_its_item_source_and_years_only():
    st = AllocationState(make_scenario())
    before = st.amounts()
    li, si = st.items.index("P3.2"), st.sources.index("central_recurrent")
    assert st.set_amount("P3.2", "central_recurrent", "2,5", lang="vi") == []
    after = st.amounts()
    assert after[1:, li, si].tolist() == [2.5e9, 2.5e9]  # every projected year
    after[1:, li, si] = before[1:, li, si]
    np.testing.assert_array_equal(after, before)  # nothing else moved, the history year neither
    assert st.set_amount("P3.2", "central_recurrent", 1, year=2025) == []
    assert st.amounts()[1:, li, si].tolist() == [2.5e9, 1e9]
    assert st.set_amount("P3.2", "central_recurrent", 1, year=2023)[0].key == "wb.problem.year"  # history


def test_shares_are_derived_from_the_amounts_and_shown_summing_to_100():
    st = AllocationState(make_scenario())
    tot = st.project_totals()
    # the tiny plan: P1 30, P2 10, P3 15, P5 10, P6 0.3, P7 1 billion VND
    assert tot["P1"] == pytest.approx(30e9) and tot["P6"] == pytest.approx(0.3e9)
    assert st.shares()["P1"] == pytest.approx(30 / 66.3)
    labels = share_labels(tot, "en")
    assert sum(float(v.rstrip("%")) for v in labels.values()) == pytest.approx(100.0, abs=1e-9)
    # three equal parts: rounded each would show 99.9 %; the largest remainder gets the 0.1
    assert list(share_labels({"a": 1, "b": 1, "c": 1}, "vi").values()) == ["33,4 %", "33,3 %", "33,3 %"]
    assert set(share_labels({"a": 0, "b": 0}, "en").values()) == {"0.0%"}


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "abc", None, True, "-5"])
def test_bad_amounts_are_refused_and_change_nothing(value):
    st = AllocationState(make_scenario())
    problems = st.set_amount("P3.1", "central_recurrent", value, lang="vi")
    assert [p.where for p in problems] == ["amount.P3.1.central_recurrent"] and problems[0].blocking
    assert "không được chấp nhận" in problems[0].message("vi") and st.unchanged
    assert st.set_amount("P99", "local", 1)[0].key == "wb.problem.unknown_cell"
    assert st.set_total(value, lang="vi")[0].where == "total" and st.unchanged


def test_investment_capital_cannot_go_to_recurrent_only_content(plan):
    st = AllocationState(plan)
    problems = st.set_amount("P3.1", "central_investment", 5)  # production support: recurrent only
    assert problems and st.unchanged
    text = problems[0].message("en")
    assert "P3.1" in text and "capital by content" in text and "90/QĐ-TTg" in text
    assert "nguồn vốn theo nội dung" in problems[0].message("vi")
    assert st.set_amount("P3.1", "local", 5) == []  # local money may fund any content


def test_the_central_envelope_holds_by_source(plan):
    st = AllocationState(plan)  # the plan uses the whole illustrative envelope: 410 + 263 bn
    env = st.envelope()
    assert env == {"central_investment": 410e9, "central_recurrent": 263e9}
    problems = st.set_total(5000)  # issue 17: 5,000 used to be capped silently at 2,140
    assert problems and st.unchanged
    assert all("central envelope" in p.message("en") and "ILLUSTRATIVE" in p.message("en") for p in problems)
    assert st.set_amount("P2", "central_recurrent", 41)[0].message("en").count("above the envelope of 263") == 1
    assert st.set_amount("P2", "central_recurrent", 30) == []  # less money is allowed
    assert st.set_amount("P3.2", "central_recurrent", 22) == []  # ... and the freed 10 bn can move
    assert st.set_amount("P3.2", "central_recurrent", 22.5)  # but not a dong more
    assert st.source_totals()["central_recurrent"] == pytest.approx(263e9)
    assert st.set_total(300) == [] and st.amounts()[1:].sum(axis=(1, 2)) == pytest.approx([300e9, 300e9])


def test_money_off_an_eligibility_list_is_refused(plan):
    raw = parse_yaml(PLAN.read_text(encoding="utf-8"), "plan_2024.yaml")
    # the exit scheme's money split half to Bảo Lạc, which is not on its list (as in test_legal.py)
    raw["budget"]["district_split"]["lines"] = {"P1.2": {"ha_quang": 0.5, "bao_lac": 0.5}}
    del raw["budget"]["years"]["2024"]["lines"]["P1.2"]
    st = AllocationState(load_scenario_dict(raw))
    assert blocking(st) == []
    problems = st.set_amount("P1.2", "central_investment", 10)
    assert problems and st.unchanged
    texts = [p.message("en") for p in problems]
    assert texts and all("territory" in t and "P1.2" in t for t in texts), texts


def test_a_planner_cannot_produce_an_illegal_allocation(plan):
    """A random walk of typed amounts and totals — legal and illegal, any item, source and year:
    after every step the legal frame's own check finds no breach, a refused step changed
    nothing, and an accepted one did what it said."""
    rng = np.random.default_rng(17)
    st = AllocationState(plan)
    years = [None, *st.years[1:]]
    refused = 0
    for _ in range(120):
        before = st.amounts()
        if rng.random() < 0.15:
            value = float(rng.choice([0, 100, 300, 673, 700, 5000]))
            problems = st.set_total(value, years[rng.integers(len(years))])
        else:
            item, src = st.items[rng.integers(len(st.items))], st.sources[rng.integers(len(st.sources))]
            value = round(float(rng.choice([0.0, 1.0, 5.0, 40.0, 400.0]) * rng.random()), 3)
            year = years[rng.integers(len(years))]
            problems = st.set_amount(item, src, value, year)
            if not problems:
                rows = range(1, len(st.years)) if year is None else [st.years.index(year)]
                for yi in rows:
                    assert st.amounts()[yi, st.items.index(item), st.sources.index(src)] == pytest.approx(value * 1e9)
        if problems:
            refused += 1
            np.testing.assert_array_equal(st.amounts(), before)
            assert all(p.message("vi") and p.message("en") for p in problems)
        assert blocking(st) == []
    assert 10 < refused < 110  # the walk tried both kinds


def test_a_whole_allocation_is_checked_too(plan):
    st = AllocationState(plan)
    bad = st.amounts()
    bad[1:, st.items.index("P3.1"), st.sources.index("central_investment")] = 1e9
    assert st.set_amounts(bad) and st.unchanged
    assert st.set_amounts(bad[:2])[0].key == "wb.problem.shape"


def test_an_allocation_with_no_money_is_a_blocking_problem():
    st = AllocationState(make_scenario())
    assert st.problems() == []
    assert st.set_total(0) == []
    assert [p.key for p in st.problems()] == ["wb.problem.nothing_allocated"]
    assert st.set_total(10)[0].key == "wb.problem.total_empty"  # nothing left to scale
    st.reset()
    assert st.unchanged and st.problems() == []


def test_validators_are_hooks():
    """A rule added later is a function state -> problems."""
    seen = []

    def no_p1(state):
        seen.append(state)
        return [Problem("allocation", "wb.problem.nothing_allocated")] if state.project_totals()["P1"] > 0 else []

    st = AllocationState(make_scenario(), validators=[no_p1])
    assert len(st.problems()) == 1 and seen == [st]
    st.set_amount("P1.1", "central_investment", 0)
    assert st.problems() == []


def test_the_projection_is_a_scenario_run():
    st = AllocationState(make_scenario())
    st.set_amount("P3.1", "central_recurrent", 5)
    st.set_total(40)
    direct = run(st.base.replace_budget(st.amounts()))
    got = st.evaluate()
    names = shown_indicators(st.base)
    assert {"poor_rate", "households", "poor_rate_change"} <= names
    assert set(got.indicators["indicator"]) == names & set(direct.indicators["indicator"])
    same = direct.indicators[direct.indicators["indicator"].isin(names)].reset_index(drop=True)
    pd.testing.assert_frame_equal(got.indicators, same)
    pd.testing.assert_frame_equal(got.targets, direct.targets)


def test_the_cards_numbers_are_the_reports_headline():
    from simlib.report.data import headline
    from simlib.workbench.compare import key_numbers

    r = run(make_scenario())
    h, k = headline(r.indicators, r.targets), key_numbers(r.indicators, r.targets)
    assert k == pytest.approx({key: h[key] for key in k})


# --------------------------------------------------------------------------- workspace


@pytest.mark.parametrize(
    "title, name",
    [
        ("kịch bản thử 1", "kich_ban_thu_1"),
        ("Kịch bản thử 1", "kich_ban_thu_1"),
        ("Đường điện — ưu tiên", "duong_dien_uu_tien"),
        ("a/b", "a_b"),
        ("../../etc/passwd", "etc_passwd"),
        ("C:\\temp\\x", "c_temp_x"),
        ("///", ""),
        ("  ", ""),
    ],
)
def test_safe_names(title, name):
    assert WS.safe_name(title) == name


def test_safe_names_are_short():
    assert len(WS.safe_name("ư" * 500)) <= WS.MAX_NAME


def test_workspace_default_and_override(monkeypatch, tmp_path):
    from simlib.paths import project_root, workspace_dir

    monkeypatch.delenv("SIMLIB_WORKSPACE", raising=False)
    assert workspace_dir() == project_root() / "workspace"
    assert WS.scenarios_folder() == project_root() / "workspace" / "scenarios"
    monkeypatch.setenv("SIMLIB_WORKSPACE", str(tmp_path))
    assert WS.scenarios_folder() == tmp_path / "scenarios"


def test_workspace_is_ignored_by_git():
    paths = ["workspace/scenarios/x.yaml", "workspace/explore.ipynb"]
    r = subprocess.run(["git", "check-ignore", *paths], cwd=ROOT, capture_output=True, text=True)
    assert r.stdout.split() == paths


def test_save_plans_say_every_problem(tmp_path):
    st = AllocationState(make_scenario())
    assert [p.key for p in WS.plan_save(st, "", "", tmp_path).problems] == ["wb.problem.title_missing"]
    assert [p.key for p in WS.plan_save(st, "???", "", tmp_path).problems] == ["wb.problem.title_no_name"]
    st.set_total(0)
    plan = WS.plan_save(st, "", "", tmp_path)
    assert [p.key for p in plan.problems] == ["wb.problem.title_missing", "wb.problem.nothing_allocated"]
    with pytest.raises(InputError):
        WS.save(st, plan)
    assert list(tmp_path.iterdir()) == []
    st.reset()
    ok = WS.plan_save(st, "Thử", "", tmp_path)
    assert not ok.problems and ok.title_en == "Thử" and ok.path == tmp_path / "thu.yaml"


def test_saved_scenario_validates_and_gives_the_numbers_of_the_state(base_file, tmp_path):
    st = AllocationState.load(base_file)
    assert st.set_amount("P1.1", "central_investment", 0) == []
    assert st.set_amount("P3.1", "local", "2,5", year=2025, lang="vi") == []  # by content, source and year
    assert st.set_amount("P1.1.maintenance", "central_recurrent", 1.25) == []  # a content of its own
    assert st.set_total(50, year=2024) == []
    folder = tmp_path / "ws" / "scenarios"
    plan = WS.plan_save(st, "Kịch bản thử 1", "Trial 1", folder)
    path = WS.save(st, plan)
    assert path == folder / "kich_ban_thu_1.yaml" and sorted(p.name for p in folder.iterdir()) == [path.name]
    r = subprocess.run(
        [sys.executable, "-m", "simlib", "validate", str(path)], cwd=ROOT, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stdout + r.stderr
    again = load_scenario(path)
    assert (again.name, again.title.vi, again.title.en) == ("kich_ban_thu_1", "Kịch bản thử 1", "Trial 1")
    np.testing.assert_allclose(again.budget.amounts, st.amounts(), atol=1e3)  # billions to 6 decimals
    assert again.budget.amounts[2, again.budget.lines.index("P1.1.maintenance")].sum() == pytest.approx(1.25e9)
    assert again.budget.amounts[1].sum() == pytest.approx(50e9)  # 2024's total, scaled
    a, b = shown_rows(run(again)), st.evaluate().indicators
    np.testing.assert_allclose(a["value"], b["value"], rtol=1e-6, atol=1e-6)


def test_saving_never_overwrites_unasked_and_leaves_no_stray_folder(base_file, tmp_path):
    st = AllocationState.load(base_file)
    folder = tmp_path / "scenarios"
    plan = WS.plan_save(st, "a/b", "", folder)
    first = WS.save(st, plan)
    assert first == folder / "a_b.yaml" and [p.name for p in folder.iterdir()] == ["a_b.yaml"]
    st.set_total(10)
    again = WS.plan_save(st, "a/b", "", folder)
    assert again.exists
    with pytest.raises(InputError):
        WS.save(st, again)
    assert load_scenario(first).budget.amounts[1].sum() == pytest.approx(st.base.budget.amounts[1].sum())
    WS.save(st, again, overwrite=True)
    assert load_scenario(first).budget.amounts[1].sum() == pytest.approx(10e9)
    assert [p.name for p in folder.iterdir()] == ["a_b.yaml"]


def test_notebook_copies_keep_the_planners_edits(tmp_path):
    src, dst = tmp_path / "templates", tmp_path / "ws"
    src.mkdir()
    (src / "a.ipynb").write_text("A1")
    (src / "b.ipynb").write_text("B1")
    assert WS.sync_notebooks(src, dst) == [("a.ipynb", "copied"), ("b.ipynb", "copied")]
    assert WS.sync_notebooks(src, dst) == [("a.ipynb", "current"), ("b.ipynb", "current")]
    (dst / "b.ipynb").write_text("B1 edited by the planner")
    (src / "a.ipynb").write_text("A2")
    (src / "b.ipynb").write_text("B2")
    assert WS.sync_notebooks(src, dst) == [("a.ipynb", "refreshed"), ("b.ipynb", "kept")]
    assert (dst / "a.ipynb").read_text() == "A2" and (dst / "b.ipynb").read_text() == "B1 edited by the planner"
    assert (src / "b.ipynb").read_text() == "B2"  # the template is never written
    record = json.loads((dst / WS.NOTEBOOK_RECORD).read_text())
    assert set(record) == {"a.ipynb", "b.ipynb"}


# --------------------------------------------------------------------------- widgets


@pytest.fixture
def view(base_file, tmp_path):
    from simlib.workbench.view import ExplorerView

    return ExplorerView(AllocationState.load(base_file), "en", tmp_path / "saved", debounce=0)


def cell(view, item, source):
    return view.grid.cells[(item, source)]


def test_the_first_view_is_the_starting_scenario(view):
    np.testing.assert_array_equal(view.state.amounts(), view.state.base.budget.amounts)
    assert view.updates == 1 and view.w["chart"].value.startswith('<svg class="sl-live-chart"')
    pd.testing.assert_frame_equal(view.result.indicators, shown_rows(run(view.state.base)))
    assert "against the starting scenario: ±0 households" in view.w["cards"].value
    assert (
        cell(view, "P1.1", "central_investment").value == "30"
        and cell(view, "P6.2", "central_recurrent").value == "0.3"
    )
    shares = [float(h.value.split("<b>")[1].split("%")[0]) for h in view.grid.shares.values()]
    assert sum(shares) == pytest.approx(100, abs=1e-9)  # shown summing to exactly 100 %
    assert "66.3 billion VND" in view.w["cards"].value


def test_typing_an_amount_updates_the_view_in_place(view):
    widgets, chart = dict(view.w), view.w["chart"].value
    cards = view.w["cards"].value
    cell(view, "P1.1", "central_investment").value = "0"
    assert view.updates == 2 and view.state.amounts()[1:, p1_lines(view.state.base)].sum() == 0
    assert view.w["cards"].value != cards and view.w["chart"].value != chart
    assert all(view.w[k] is widgets[k] for k in widgets)  # the same widgets, new values
    assert view.w["busy"].layout.visibility == "hidden" and "sl-busy" not in view.w["results"]._dom_classes
    pd.testing.assert_frame_equal(view.result.indicators, shown_rows(run(view.state.scenario())))
    assert "36.3 billion VND" in view.w["cards"].value and view.w["total"].value == "36.3"
    share_p1 = view.grid.shares["P1"].value
    assert "<b>0.0%</b>" in share_p1


def test_the_year_control_shows_each_years_amounts(view):
    c = cell(view, "P2", "central_recurrent")
    view.grid.year_control.value = 2025
    c.value = "4"
    assert view.state.amounts()[1:, view.state.items.index("P2"), 1].tolist() == [10e9, 4e9]
    assert view.w["total"].value == "60.3"  # the 2025 total
    view.grid.year_control.value = 2024
    assert c.value == "10" and view.w["total"].value == "66.3"
    view.grid.year_control.value = EVERY_YEAR  # every year: the first year's amount, marked as differing
    assert view.grid.year is None and view.grid.year_control.label == "Every projected year"
    assert c.value == "10" and ("P2", "central_recurrent") in view.grid.marked and view.grid.note.value
    assert "sl-differs" in c._dom_classes
    c.value = "8"  # applies to every year: no longer differs
    assert view.state.amounts()[1:, view.state.items.index("P2"), 1].tolist() == [8e9, 8e9]
    assert not view.grid.marked and view.grid.note.value == ""


def test_the_money_card_shows_the_year_the_grid_shows(view):
    """The card of money allocated follows the year control: that year's total (the sum of the
    state's amounts of the year), and with every year shown their mean, said as such; the total
    box, which shows the first year's total then, is marked as differing when the years differ."""
    view.grid.year_control.value = 2025
    cell(view, "P2", "central_recurrent").value = "4"  # 2025's total 66.3 - 10 + 4
    totals = view.state.amounts()[1:].sum(axis=(1, 2)) / 1e9
    assert totals.tolist() == pytest.approx([66.3, 60.3])
    assert "60.3 billion VND" in view.w["cards"].value and "year 2025" in view.w["cards"].value
    view.grid.year_control.value = 2024
    assert "66.3 billion VND" in view.w["cards"].value and "year 2024" in view.w["cards"].value
    assert "sl-differs" not in view.w["total"]._dom_classes  # one year shown: its own total
    view.grid.year_control.value = EVERY_YEAR
    assert "63.3 billion VND" in view.w["cards"].value and "mean of 2024–2025" in view.w["cards"].value
    assert view.w["total"].value == "66.3" and "sl-differs" in view.w["total"]._dom_classes  # the first year's
    view.w["total"].value = "50"  # every year's total typed: the years no longer differ
    assert "sl-differs" not in view.w["total"]._dom_classes and "50.0 billion VND" in view.w["cards"].value


def test_a_refused_amount_is_said_and_the_cell_keeps_the_state(view):
    c = cell(view, "P3.1", "central_recurrent")
    c.value = "abc"
    assert "'abc' is not accepted" in html.unescape(view.w["problems"].value)
    assert c.value == "15" and view.updates == 1 and view.state.unchanged
    c.value = "-3"
    assert "Change not accepted" in view.w["problems"].value and c.value == "15"
    c.value = "20"
    assert view.w["problems"].value == "" and view.updates == 2  # an accepted change clears the message


def test_the_legal_frame_is_enforced_live_in_the_widgets():
    from simlib.workbench.view import ExplorerView

    view = ExplorerView(AllocationState.load(PLAN), "en", debounce=0)
    c = cell(view, "P3.1", "central_investment")
    c.value = "5"  # investment capital into recurrent-only production support
    shown = html.unescape(view.w["problems"].value)
    assert "Change not accepted" in shown and "capital by content" in shown and c.value == "0"
    view.w["total"].value = "5,000"  # issue 17: used to be capped silently at 2,140
    shown = html.unescape(view.w["problems"].value)
    assert "central envelope" in shown and view.w["total"].value == "712" and view.updates == 1
    assert view.state.unchanged
    view.w["total"].value = "300"
    assert view.updates == 2 and "300.0 billion VND" in view.w["cards"].value
    assert blocking(view.state) == []
    limits = [w.value for w in view.grid.limits.values()]
    assert limits[:2] == ["≤ 410", "≤ 263"] and limits[2:] == ["–", "–", "–"]


def test_no_money_is_said_and_cannot_be_saved(view, tmp_path):
    view.w["total"].value = "0"
    assert "gives no project any money" in view.w["problems"].value
    assert "0.0 billion VND" in view.w["cards"].value  # the money shown is the money allocated
    view.w["title_vi"].value = "Không có gì"
    assert view.save() is None and "gives no project any money" in view.w["status"].value
    assert not (tmp_path / "saved").exists()


def test_saving_from_the_widgets(view, tmp_path):
    view.w["save"].click()
    assert "✗" in view.w["status"].value and "Vietnamese title" in view.w["status"].value
    view.w["title_vi"].value = "Kịch bản thử 1"
    assert "kich_ban_thu_1.yaml" in view.w["file"].value
    view.w["save"].click()
    saved = tmp_path / "saved" / "kich_ban_thu_1.yaml"
    assert "✓" in view.w["status"].value and saved.is_file()
    cell(view, "P1.1", "central_investment").value = "0"
    view.w["save"].click()  # exists: asks before replacing
    assert "already exists" in view.w["status"].value and view.w["overwrite"].layout.display == ""
    assert load_scenario(saved).budget.amounts[:, p1_lines(view.state.base)].sum() > 0
    view.w["overwrite"].click()
    assert "✓" in view.w["status"].value and view.w["overwrite"].layout.display == "none"
    assert load_scenario(saved).budget.amounts[1:, p1_lines(view.state.base)].sum() == 0
    view.w["title_vi"].value = "Kịch bản thử 2"  # a new title withdraws the offer to replace
    assert view.w["overwrite"].layout.display == "none"


def test_side_by_side_deltas_are_the_runs_differences(view):
    from simlib.workbench import compare as C

    cell(view, "P3.1", "central_recurrent").value = "0"
    plan, now = run(view.state.base), run(view.state.scenario())
    table = C.side_by_side(C.verdicts(plan), C.verdicts(now))
    assert len(table) and not table["geo_type"].eq("district").any()
    key = ["target_id", "geo_type", "geo", "year"]
    a = plan.targets.set_index(key)["value"]
    b = now.targets.set_index(key)["value"]
    for r in table.itertuples():
        k = (r.target_id, r.geo_type, r.geo, r.year)
        assert r.delta == pytest.approx(b[k] - a[k])
        if r.indicator.endswith("rate_change"):  # points x households / 100, better when lower
            hh = now.indicators.query("indicator == 'households' and geo == @r.geo and year == @r.year")["value"]
            assert r.households == pytest.approx(-(b[k] - a[k]) * float(hh.iloc[0]) / 100, rel=1e-6)
    shown = html.unescape(view.w["compare"].value)
    assert "Plan" in shown and "Allocation being explored" in shown and "households)" in shown


def test_probabilities_on_demand_are_the_uncertainty_runs(view):
    from simlib.uncertainty.summaries import target_probabilities
    from simlib.workbench import compare as C

    assert "data-probability" not in view.w["compare"].value
    assert view.compute_probabilities(n=8) and view.wait(120)
    shown = view.w["compare"].value
    assert shown.count('data-kind="target_plan"') == shown.count('data-kind="target_now"') > 0
    assert "8 parameter draws" in view.w["probability_note"].value
    direct = C.probabilities(view.state.scenario(), 8)
    joint = target_probabilities(direct.targets, direct.outcomes)
    for r in joint.itertuples():
        span = f'data-probability="{r.probability_met:.6f}" data-kind="target_now" data-target="{r.target_id}"'
        assert span in shown
    cell(view, "P2", "central_recurrent").value = "12"  # a change: the probabilities shown are dropped
    assert 'data-kind="target_now"' not in view.w["compare"].value


def test_the_suggestion_keeps_the_money_and_the_rules_and_is_applied_on_request(tmp_path):
    from simlib.workbench.view import ExplorerView

    raw = tiny_raw()
    raw["budget"]["years"]["2024"]["lines"]["P1.1"]["local"] = 3  # the optimiser asks a local counterpart
    path = tmp_path / "with_local.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    view = ExplorerView(AllocationState.load(path), "en", tmp_path / "saved", debounce=0)
    before = view.state.amounts()
    view.w["suggest"].click()
    assert view.wait(600)
    s = view.suggestion
    assert s is not None and len(s.changes) and view.w["apply"].layout.display == ""
    assert "Proven optimality gap" in view.w["suggestion"].value and view.state.unchanged  # not applied yet
    np.testing.assert_allclose(s.amounts[1:].sum(axis=1), before[1:].sum(axis=1), atol=1e3)  # per source
    view.w["apply"].click()
    np.testing.assert_allclose(view.state.amounts()[1:], s.amounts[1:])
    assert blocking(view.state) == [] and view.updates == 2
    assert "was applied" in view.w["suggestion"].value and view.w["apply"].layout.display == "none"
    assert not view.w["suggest"].disabled and view.w["busy"].layout.visibility == "hidden"
    poor = lambda r: C_key(r)["poor_end"]  # noqa: E731
    assert poor(view.result) <= poor(view.start) + 1e-6  # no worse than where it started


def test_a_change_withdraws_a_pending_suggestion(view):
    from simlib.workbench import compare as C

    new = view.state.amounts()
    new[1:, view.state.items.index("P2"), 1] = 5e9
    view.suggestion = C.Suggestion(new, C.changes(view.state, new), {"vi": "", "en": ""})
    assert C.changes(view.state, new)[["item", "change_bn"]].values.tolist() == [["P2", -5.0]]
    view.w["apply"].layout.display = ""
    cell(view, "P3.1", "central_recurrent").value = "14"
    assert view.suggestion is None and view.w["apply"].layout.display == "none"
    view.apply_suggestion()  # nothing to apply any more
    assert view.state.amounts()[1, view.state.items.index("P2"), 1] == 10e9


def C_key(result):
    from simlib.workbench.compare import key_numbers

    return key_numbers(result.indicators, result.targets)


def test_the_rerun_note_is_hidden_only_by_live_widgets(view):
    from simlib.workbench.view import fallback_note

    note = fallback_note(view.uid, "vi")
    assert f'class="sl-fallback-{view.uid}"' in note and "run this cell again" in note and "chạy lại ô này" in note
    assert f".sl-fallback-{view.uid} {{ display: none !important; }}" in view.w["style"].value


def test_the_debouncer_merges_a_burst_of_changes():
    from simlib.workbench.view import Debouncer

    calls = []

    async def burst():
        d = Debouncer(0.05, lambda: calls.append(1))
        for _ in range(5):
            d()
            await asyncio.sleep(0.005)
        assert calls == []
        await asyncio.sleep(0.2)

    asyncio.run(burst())
    assert calls == [1]
    Debouncer(0.05, lambda: calls.append(2))()  # no running loop: at once
    assert calls == [1, 2]


# --------------------------------------------------------------------------- report notebooks in JupyterLab


def test_notebook_css_touches_only_simlibs_own_elements():
    from simlib.report import html as H

    css = H.notebook_css()
    for selectors, _body in H._css_rules(css.replace(H.LAB_CSS, "")):
        assert all("sl-" in s or s == ":root" for s in selectors), selectors
    assert "@page" not in css and "@media" not in css and "body {" not in css
    assert (
        ".jp-RenderedHTMLCommon table.sl-table th, .jp-RenderedHTMLCommon table.sl-table td { text-align: left;" in css
    )


def test_input_errors_show_a_message_not_a_traceback(capsys):
    from IPython.core.interactiveshell import InteractiveShell

    from simlib.report import lab

    shell = InteractiveShell.instance()
    try:
        assert lab.install_error_handler("en", shell)
        shell.run_cell("from simlib.errors import InputError\nraise InputError('file_missing', file='x.yaml')")
        out = "".join(capsys.readouterr())
        assert "Input error" in out and "x.yaml" in out and "Traceback" not in out
        shell.run_cell("1/0")  # a bug keeps its traceback
        assert "ZeroDivisionError" in "".join(capsys.readouterr())
    finally:
        shell.set_custom_exc((), None)
        InteractiveShell.clear_instance()


def test_available_scenarios_are_listed_for_the_parameters_cell(tmp_path):
    from simlib.report import lab

    (tmp_path / "mine.yaml").write_text("name: mine\ntitle_vi: Của tôi\ntitle_en: Mine\n", encoding="utf-8")
    text = html.unescape(lab.scenarios_html("vi", [ROOT / "params" / "scenarios", tmp_path], cwd=ROOT / "notebooks"))
    assert '"../params/scenarios/plan_2024.yaml"' in text and "Kế hoạch năm 2024" in text and "Của tôi" in text
    assert "mine.yaml" in text


def test_envelope_follows_the_frame_in_force_each_year():
    """plan_2027 crosses two legal frames: 2024–2025 under the 2021–2025 frame's envelope (the
    410 + 263 bn of the test above), 2026–2027 under the commune frame's, derived in
    params/catalogues/caobang_envelope_2027.yaml — read here from that file."""
    st = AllocationState(load_scenario(ROOT / "params/scenarios/plan_2027.yaml"))
    derived = yaml.safe_load((ROOT / "params/catalogues/caobang_envelope_2027.yaml").read_text(encoding="utf-8"))
    found = {}
    for key in ("investment", "recurrent"):
        hits = [v for v in _walk(derived) if isinstance(v, dict) and key in v and "value" in v[key]]
        found[key] = hits[0][key]["value"] * 1e9
    assert st.envelope(2024) == {"central_investment": 410e9, "central_recurrent": 263e9}
    assert st.envelope(2027) == {"central_investment": found["investment"], "central_recurrent": found["recurrent"]}


def _walk(node):
    yield node
    children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    for child in children:
        yield from _walk(child)


def _poor_at_horizon(scen) -> float:
    """Poor households at the last review, from the plain runner's states table."""
    st = run(scen, counterfactual=False).states
    last = st[(st["year"] == st["year"].max()) & (st["state"] == "poor")]
    return float(last["households"].sum())


@pytest.mark.slow
def test_suggest_runs_the_optimiser_on_the_multidimensional_model():
    """Issue 18: the suggest button no longer refuses the multidimensional model. The optimiser
    runs at its economy effort (the plan year, the last projected year, is optimised; earlier
    years keep their money), tells its progress, keeps the money per source and year, and the
    poor households it announces at the horizon are those the plain runner (an independent run
    of the scenario with the suggested amounts) projects — fewer than with the starting amounts."""
    raw = tiny_raw(model="multidim")
    raw["budget"]["years"]["2024"]["lines"]["P1.1"]["local"] = 3  # the optimiser asks a local counterpart
    st = AllocationState(make_scenario(raw))
    before = st.amounts()
    runs, estimates = [], []
    s = suggest(st, on_runs=runs.append, on_estimate=lambda n, sec: estimates.append(n))
    assert st.years[s.year_index] == st.years[-1] and len(st.years) > 2  # economy: the plan year only
    np.testing.assert_allclose(s.amounts[:-1], before[:-1])  # earlier years untouched
    np.testing.assert_allclose(s.amounts.sum(axis=1), before.sum(axis=1), atol=1e3)  # per source and year
    assert len(estimates) == 1 and 0 < sum(runs) <= 1.5 * estimates[0]
    assert len(s.changes) and {r.item for r in s.changes.itertuples()} <= set(st.items)
    for r in s.changes.itertuples():
        li, si = st.items.index(r.item), st.sources.index(r.source)
        assert r.suggested_bn == pytest.approx(s.amounts[-1, li, si] / 1e9)
        assert r.now_bn == pytest.approx(before[-1, li, si] / 1e9)
    told = float(re.search(r"([\d,]+) poor households projected at the horizon", s.message["en"])[1].replace(",", ""))
    suggested = _poor_at_horizon(st.base.replace_budget(s.amounts))
    assert suggested == pytest.approx(told, abs=0.5)
    assert suggested < _poor_at_horizon(st.base.replace_budget(before)) - 1.0
    assert suggest(st) is s  # kept for the same starting scenario and amounts
