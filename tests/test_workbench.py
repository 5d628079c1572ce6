"""The planner's workbench (issue 17): the allocation state and its checks, the workspace (safe
names, saving, notebook copies), the explorer's widgets driven through the widget API (no
browser: see test_workbench_browser.py), and the JupyterLab helpers of the report notebooks."""

from __future__ import annotations

import asyncio
import html
import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT, make_scenario, tiny_raw

from simlib.errors import InputError
from simlib.report.explore import allocation_amounts
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.workbench import workspace as WS
from simlib.workbench.state import AllocationState, Problem, parse_number


@pytest.fixture
def base_file(tmp_path):
    path = tmp_path / "base.yaml"
    path.write_text(yaml.safe_dump(tiny_raw()), encoding="utf-8")
    return path


def p1_lines(scen) -> list[int]:
    return [i for i, code in enumerate(scen.budget.lines) if code.startswith("P1")]


# --------------------------------------------------------------------------- state


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


def test_weights_become_shares_of_the_envelope():
    st = AllocationState(make_scenario())
    for p in st.projects:
        assert st.set_weight(p, 0) == []
    assert st.set_weight("P2", 1) == [] and st.set_weight("P5", 3) == []
    assert st.set_envelope(100) == []
    assert st.shares()["P5"] == pytest.approx(0.75) and st.shares()["P2"] == pytest.approx(0.25)
    lines = st.base.budget.lines
    per_year = st.amounts().sum(axis=(1, 2))
    np.testing.assert_allclose(per_year, 100e9)  # every budget year gets the envelope
    np.testing.assert_allclose(st.amounts()[:, lines.index("P5")].sum(axis=1), 75e9)


@pytest.mark.parametrize("value", [-1, float("nan"), float("inf"), "abc", None, True])
def test_bad_weights_are_refused_and_change_nothing(value):
    st = AllocationState(make_scenario())
    before = dict(st.weights)
    problems = st.set_weight("P3", value)
    assert len(problems) == 1 and problems[0].where == "weight.P3" and problems[0].blocking
    assert "P3" in problems[0].message("en") and st.weights == before
    assert st.set_weight("P99", 1)[0].key == "wb.problem.unknown_project"


@pytest.mark.parametrize("value", ["abc", "-5", -5, float("nan"), "1,5.0"])
def test_bad_envelopes_are_refused_and_change_nothing(value):
    st = AllocationState(make_scenario())
    before = st.envelope_vnd
    problems = st.set_envelope(value, "vi")
    assert [p.where for p in problems] == ["envelope"] and st.envelope_vnd == before
    assert "không được chấp nhận" in problems[0].message("vi")


def test_an_allocation_with_no_money_is_a_blocking_problem():
    st = AllocationState(make_scenario())
    assert st.problems() == []
    for p in st.projects:
        st.set_weight(p, 0)
    assert [p.key for p in st.problems()] == ["wb.problem.nothing_allocated"]
    st.reset()
    st.set_envelope(0)
    assert [p.key for p in st.problems()] == ["wb.problem.nothing_allocated"]


def test_validators_are_hooks():
    """A rule added later (e.g. the legal frame) is a function state -> problems."""
    seen = []

    def no_p1(state):
        seen.append(state)
        return [Problem("weight.P1", "wb.problem.nothing_allocated")] if state.weights["P1"] > 0 else []

    st = AllocationState(make_scenario(), validators=[no_p1])
    assert len(st.problems()) == 1 and seen == [st]
    st.set_weight("P1", 0)
    assert st.problems() == []


def test_state_projects_like_a_scenario_run():
    st = AllocationState(make_scenario())
    st.set_weight("P3", 5)
    st.set_envelope(40)
    direct = run(st.base.replace_budget(allocation_amounts(st.base, st.weights, 40e9)))
    pd.testing.assert_frame_equal(st.evaluate().indicators, direct.indicators)


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
    for p in st.projects:
        st.set_weight(p, 0)
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
    st.set_weight("P1", 0)
    st.set_envelope(50)
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
    assert again.budget.amounts[:, p1_lines(again)].sum() == 0
    a, b = run(again).indicators, st.evaluate().indicators
    np.testing.assert_allclose(a["value"], b["value"], rtol=1e-6, atol=1e-6)


def test_saving_never_overwrites_unasked_and_leaves_no_stray_folder(base_file, tmp_path):
    st = AllocationState.load(base_file)
    folder = tmp_path / "scenarios"
    plan = WS.plan_save(st, "a/b", "", folder)
    first = WS.save(st, plan)
    assert first == folder / "a_b.yaml" and [p.name for p in folder.iterdir()] == ["a_b.yaml"]
    st.set_envelope(10)
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


def test_the_first_view_is_the_starting_scenario(view):
    np.testing.assert_array_equal(view.state.amounts(), view.state.base.budget.amounts)
    assert view.updates == 1 and view.w["chart"].value[:8] == b"\x89PNG\r\n\x1a\n"
    pd.testing.assert_frame_equal(view.result.indicators, run(view.state.base).indicators)
    assert "against the starting scenario: ±0 households" in view.w["cards"].value
    shares = [float(view.w["shares"][p].value.split()[1].rstrip("%")) for p in view.state.projects]
    assert sum(shares) == pytest.approx(100, abs=0.2)


def test_moving_a_slider_updates_the_view_in_place(view):
    widgets = dict(view.w)
    cards, png = view.w["cards"].value, view.w["chart"].value
    view.w["weights"]["P1"].value = 0.0
    assert view.updates == 2 and view.state.weights["P1"] == 0.0
    assert view.state.amounts()[:, p1_lines(view.state.base)].sum() == 0
    assert view.w["cards"].value != cards and view.w["chart"].value != png
    assert all(view.w[k] is widgets[k] for k in widgets)  # the same widgets, new values
    assert view.w["busy"].layout.visibility == "hidden" and "sl-busy" not in view.w["results"]._dom_classes
    pd.testing.assert_frame_equal(view.result.indicators, view.state.evaluate().indicators)


def test_a_refused_envelope_is_said_and_kept(view):
    before = view.state.envelope_vnd
    view.w["envelope"].value = "abc"
    assert "'abc' is not accepted" in html.unescape(view.w["problems"].value) and view.state.envelope_vnd == before
    view.w["envelope"].value = "5,000"
    assert view.w["problems"].value == "" and view.state.envelope_vnd == 5000e9  # not capped
    assert "5,000.0 billion VND" in view.w["cards"].value


def test_no_money_is_said_and_cannot_be_saved(view, tmp_path):
    for s in view.w["weights"].values():
        s.value = 0.0
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
    view.w["weights"]["P1"].value = 0.0
    view.w["save"].click()  # exists: asks before replacing
    assert "already exists" in view.w["status"].value and view.w["overwrite"].layout.display == ""
    assert load_scenario(saved).budget.amounts[:, p1_lines(view.state.base)].sum() > 0
    view.w["overwrite"].click()
    assert "✓" in view.w["status"].value and view.w["overwrite"].layout.display == "none"
    assert load_scenario(saved).budget.amounts[:, p1_lines(view.state.base)].sum() == 0
    view.w["title_vi"].value = "Kịch bản thử 2"  # a new title withdraws the offer to replace
    assert view.w["overwrite"].layout.display == "none"


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
