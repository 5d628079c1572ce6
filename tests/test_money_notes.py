"""Budget amounts written with a dot between groups of thousands (`12.500` for twelve thousand
five hundred) are read as decimals, as documented, and pointed out by a note where the decimal
reading is unlikely (a trailing zero in billion VND; any in million VND or VND): the file, the
line, the field, how the amount was read and what to write if thousands were meant."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from simlib.cli.common import print_money_notes
from simlib.money_notes import grouped_amounts
from simlib.paths import params_dir
from simlib.report import scenario_report as R
from simlib.runner import run
from simlib.scenario import load_scenario
from simlib.workbench.state import AllocationState
from simlib.workbench.view import ExplorerView

ROOT = Path(__file__).resolve().parent.parent

SCENARIO = """\
name: grouped
title_vi: Thử
title_en: Test
dataset: caobang
start_year: 2024
horizon: 1
seed: 1
budget:
  unit: {unit}
  years:
    2024:
      lines:
        P1.1.investment: {{central_investment: 1.093, local: 15}}
        P1.2:
          central_investment: 12.500
        P2: {{central_recurrent: 0.125, local: 1.5}}
        P3.1: {{central_recurrent: 1.0930, local: 2.25}}
      envelope: {{central_recurrent: 1.250}}
"""


def write(tmp_path: Path, unit: str = "billion VND") -> Path:
    p = tmp_path / "grouped.yaml"
    p.write_text(SCENARIO.format(unit=unit), encoding="utf-8")
    return p


def test_the_amounts_in_groups_of_three_are_found_with_their_lines_and_fields(tmp_path):
    notes = grouped_amounts(write(tmp_path), "grouped.yaml")
    got = [(n.line, n.field, n.text) for n in notes]
    # 1.093 billion VND (one billion and 93 million) is a usual decimal: no note
    assert got == [
        (15, "budget.years.2024.lines.P1.2.central_investment", "12.500"),
        (18, "budget.years.2024.envelope.central_recurrent", "1.250"),
    ]
    # the lines are the file's: each holds the text the note quotes
    lines = write(tmp_path).read_text(encoding="utf-8").splitlines()
    assert all(n.text in lines[n.line - 1] for n in notes)


def test_the_note_says_how_the_amount_is_read_and_what_to_write_in_each_language(tmp_path):
    note = grouped_amounts(write(tmp_path), "grouped.yaml")[0]
    vi, en = note.message("vi"), note.message("en")
    assert "grouped.yaml" in vi and "15" in vi and "12,5 tỷ đồng" in vi and "12.500 tỷ đồng" in vi and "12500" in vi
    assert "12.5 billion VND" in en and "12,500 billion VND" in en and "write 12500" in en


def test_in_million_vnd_every_amount_in_groups_of_three_gets_a_note_naming_the_unit(tmp_path):
    notes = grouped_amounts(write(tmp_path, "million VND"))
    assert [n.text for n in notes] == ["1.093", "12.500", "1.250"]
    assert "triệu đồng" in notes[0].message("vi") and "million VND" in notes[0].message("en")


def test_a_file_yaml_cannot_read_or_without_a_budget_gives_no_notes(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("budget: [1.093\n", encoding="utf-8")
    assert grouped_amounts(bad) == ()
    none = tmp_path / "none.yaml"
    none.write_text("name: x\nseed: 1.093\n", encoding="utf-8")
    assert grouped_amounts(none) == ()
    assert grouped_amounts(tmp_path / "missing.yaml") == ()


@pytest.mark.parametrize("name", ["alias_bomb", "alias_recursive"])
def test_an_alias_bomb_or_an_alias_into_itself_gives_no_notes_and_no_error(name):
    # each node is walked once: the aliases expand to millions of values, or without end
    assert grouped_amounts(ROOT / "tests" / "hostile" / "scenarios" / f"{name}.yaml") == ()


def test_the_bundled_scenarios_have_no_such_amounts():
    # equal_split.yaml has 23.909 billion VND (263 / 11): a decimal, and no note
    for p in sorted((params_dir() / "scenarios").glob("*.yaml")):
        assert grouped_amounts(p) == (), p


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_validate_prints_the_notes_and_still_accepts_the_file(tmp_path, lang):
    p = write(tmp_path)  # a year gives lines or an envelope with shares: the envelope goes
    p.write_text("".join(x for x in p.read_text(encoding="utf-8").splitlines(True) if "envelope" not in x), "utf-8")
    env = {"SIMLIB_LANG": lang, "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "simlib", "validate", str(p)],
        cwd=ROOT,
        env=env | {"PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stdout.splitlines() if "⚠" in line]
    assert len(notes) == 1 and "12500" in notes[0] and "P1.2" in notes[0]


SET_KEY = "budget.years.2024.lines.P1.2.central_investment"


def test_an_override_on_the_command_line_is_read_the_same_way_and_named_instead_of_a_line(tmp_path):
    p = write(tmp_path)
    items = [f"{SET_KEY}=12.500", f"{SET_KEY}=1.093", "budget.years.2024.lines.P2.local=330.000", "seed=1.000"]
    items += ["no equals sign", f"{SET_KEY}=12,500", f"{SET_KEY}='12.500'", f"{SET_KEY}=12.000.000"]
    notes = grouped_amounts(p, "grouped.yaml", items)
    # the file's two first, then the overrides in their order; 1.093 billion is a decimal, `seed`
    # is no money, text that is not a number (a comma, quotes, two dots) is refused by loading
    assert [(n.file, n.line, n.field, n.text) for n in notes[2:]] == [
        ("--set", None, SET_KEY, "12.500"),
        ("--set", None, "budget.years.2024.lines.P2.local", "330.000"),
    ]
    vi, en = notes[2].message("vi"), notes[2].message("en")
    assert f"--set {SET_KEY}=12500" in vi and "12,5 tỷ đồng" in vi and ", dòng " not in vi
    assert f"--set {SET_KEY}=12500" in en and "12.5 billion VND" in en and ", line " not in en


def test_an_override_of_the_unit_decides_how_the_amounts_are_read(tmp_path):
    p = write(tmp_path)  # billion VND in the file: 1.093 is a decimal; in million VND it is not
    assert [n.text for n in grouped_amounts(p, set_items=[f"{SET_KEY}=1.093"])][2:] == []
    notes = grouped_amounts(p, set_items=[f"{SET_KEY}=1.093", "budget.unit=million VND"])
    assert [n.text for n in notes] == ["1.093", "12.500", "1.250", "1.093"]
    assert "triệu đồng" in notes[-1].message("vi")


def test_an_overrides_note_is_printed_once_for_a_batch_of_files(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir(), b.mkdir()
    paths = [write(a), write(b)]
    n = print_money_notes(paths, "en", set_items=[f"{SET_KEY}=12.500"])
    err = capsys.readouterr().err.splitlines()
    assert n == len(err) == 5  # two a file, and the override's once
    assert sum("--set" in line for line in err) == 1


def test_validate_prints_an_overrides_note_once_and_accepts_the_scenario(tmp_path):
    env = {"SIMLIB_LANG": "vi", "PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    scen = params_dir() / "scenarios" / "plan_2024.yaml"
    both = [str(scen), str(scen.with_name("plan_2024_estimated.yaml"))]  # the note once, under the first
    cmd = [sys.executable, "-m", "simlib", "validate", *both, "--set", f"{SET_KEY}=12.500"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    notes = [i for i, line in enumerate(lines) if "⚠" in line]
    assert len(notes) == 1 and f"--set {SET_KEY}=12500" in lines[notes[0]]
    assert sum(line.startswith("✓") for line in lines[: notes[0]]) == 1, done.stdout
    cmd = [sys.executable, "-m", "simlib", "validate", str(scen), "--set", f"{SET_KEY}=12.500"]
    # text that is no number is refused by loading, and is no amount to note: no internal error
    cmd[-1] = f"{SET_KEY}=12.000.000"
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 2 and "12.000.000" in done.stdout and "⚠" not in done.stdout, done.stdout


def test_a_runs_manifest_and_its_reports_first_screen_carry_the_notes(tmp_path):
    p = write(tmp_path)  # the envelope goes (a year gives lines or an envelope with shares)
    p.write_text("".join(x for x in p.read_text(encoding="utf-8").splitlines(True) if "envelope" not in x), "utf-8")
    scen = load_scenario(p, [f"{SET_KEY}=12.500"])
    assert [(n.line, n.text) for n in scen.money_notes] == [(15, "12.500"), (None, "12.500")]
    res = run(scen)
    assert [n["field"] for n in res.manifest["money_notes"]] == [SET_KEY, SET_KEY]
    ctx = R.context(res, "vi")
    page = "".join(b for b in R.title(ctx) if isinstance(b, str))
    notes = [x for x in page.split('<div class="sl-note">')[1:] if "được đọc là 12,5 tỷ đồng" in x]
    assert len(notes) == 2 and "grouped.yaml, dòng 15" in notes[0] and "--set" in notes[1]
    # amounts that are not the file's (a sweep's, the optimiser's) carry no note on the file's
    moved = scen.replace_budget(scen.budget.amounts * 2)
    assert moved.money_notes == () and "money_notes" not in run(moved).manifest


def test_a_scenario_without_such_amounts_has_no_note_in_its_manifest():
    scen = load_scenario(params_dir() / "scenarios" / "plan_2024.yaml")
    assert scen.money_notes == () and "money_notes" not in run(scen).manifest


def test_the_explorer_opened_on_such_a_file_shows_the_notes_above_the_amounts(tmp_path):
    p = write(tmp_path)
    p.write_text("".join(x for x in p.read_text(encoding="utf-8").splitlines(True) if "envelope" not in x), "utf-8")
    view = ExplorerView(AllocationState.load(p), "vi", debounce=0)
    shown = view.w["box"].children[2].value  # under the stylesheet and the language toggle
    assert shown.count('class="sl-note"') == 1 and "dòng 15" in shown and "được đọc là 12,5 tỷ đồng" in shown
    plain = ExplorerView(AllocationState.load(params_dir() / "scenarios" / "plan_2024.yaml"), "vi", debounce=0)
    assert plain.w["box"].children[2].value == ""


def test_a_unit_simlib_does_not_know_gives_no_notes(tmp_path):
    # loading refuses the unit and says so; no amount is read in it, so nothing is said of them
    assert grouped_amounts(write(tmp_path, "USD")) == ()
    assert grouped_amounts(write(tmp_path), set_items=["budget.unit=đồng", f"{SET_KEY}=12.500"]) == ()
