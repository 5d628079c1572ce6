"""Hostile inputs (the corpus in tests/hostile/, see its README) and what simlib must do with each.

Every refused case: exit status 2, a message naming the file, the field, the value and what is
allowed, no traceback, and nothing changed in the folder around the run (snapshot of names,
sizes and hashes before and after; the run's output folder must not even appear). The classes
follow issue 12: data loss, non-finite numbers, one bad file in a batch, user errors reported as
bugs, every problem at once, reproducibility, notebook parameters, misleading messages.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from hostile_helpers import INTERNAL, assert_user_error, cli, copy_corpus, snapshot

from simlib import atomic
from simlib.batch import folder
from simlib.errors import InputError

S = "hostile/scenarios/"
GOOD = S + "good.yaml"
TINY = "fixtures/tiny"


@pytest.fixture
def work(tmp_path, monkeypatch):
    """A private copy of the corpus as the current folder (so messages show short paths)."""
    root = copy_corpus(tmp_path / "work")
    monkeypatch.chdir(root)
    return root


def refused(work, args, fragments, absent=("out",)):
    """Run `args`; assert a user error with `fragments` and an unchanged folder."""
    before = snapshot(work)
    code, text = cli("--lang", "en", *args)
    assert_user_error(code, text, fragments)
    assert snapshot(work) == before, "the folder around the run changed"
    for a in absent:
        assert not (work / a).exists()
    return text


# --- 2. numbers that are not numbers, or too large -----------------------------------------------

NOT_FINITE = [
    ("nan_money", ["budget.years.2024.lines.P2.central_recurrent", "finite", "value: nan"]),
    ("inf_money", ["budget.years.2024.lines.P2.central_recurrent", "finite", "value: inf"]),
    ("huge_money", ["budget.years.2024.lines.P2.central_recurrent", "too large", "1e+308", "≤ 9007199 billion VND"]),
    ("nan_share", ["budget.years.2024.shares.P2", "finite", "value: nan"]),
    ("inf_district_share", ["budget.district_split.lines.P2.north", "finite", "value: inf"]),
    ("nan_district_share", ["budget.district_split.lines.P2.north", "finite", "value: nan"]),
    ("override_nan", ["overrides.program.lines.P2.effects.escape.value", "finite", "value: nan"]),
    ("override_inf_cost", ["overrides.program.lines.P2.beneficiary.unit_cost.value", "finite", "value: inf"]),
    ("horizon_fraction", ["'horizon'", "expected integer", "value: 2.5"]),
    ("horizon_huge", ["'horizon'", "≤ 30", "value: 1000000000000000000000000000000"]),
    ("seed_negative", ["'seed'", "≥ 0", "value: -3"]),
    ("seed_huge", ["'seed'", "≤ 9223372036854775807", "value: 1180591620717411303424"]),
    ("bool_horizon", ["'horizon'", "expected integer", "value: True"]),
    ("money_as_text", ["budget.years.2024.lines.P2.central_recurrent", "expected number", "'ten'"]),
    ("line_null", ["budget.years.2024.lines.P2", "expected mapping", "value: empty"]),
    ("name_traversal", ["'name'", "wrong format", "'../../evil'", "letters without diacritics, digits, _ and -"]),
]


@pytest.mark.parametrize("name,fragments", NOT_FINITE, ids=[c[0] for c in NOT_FINITE])
def test_scenario_numbers_must_be_finite_and_in_range(work, name, fragments):
    refused(work, ["run", S + f"{name}.yaml", "--out", "out"], [f"{S}{name}.yaml", *fragments])


BAD_DATASETS = [
    ("inf_households", ["inf_households/baseline.csv", "'households'", "rows 2", "not finite", "0 … 1000000000"]),
    ("huge_households", ["huge_households/baseline.csv", "'households'", "rows 2", "too large", "0 … 1000000000"]),
    ("inf_communes", ["inf_communes/units.csv", "'communes'", "rows 2", "0 … 100000"]),
]


@pytest.mark.parametrize("name,fragments", BAD_DATASETS, ids=[c[0] for c in BAD_DATASETS])
def test_dataset_numbers_must_be_finite_and_plausible(work, name, fragments):
    refused(work, ["run", S + f"{name}.yaml", "--out", "out"], fragments)


@pytest.mark.parametrize(
    "item,fragments",
    [
        ("program.lines.P2.effects.escape.value=.nan", ["--set", "program.lines.P2.effects.escape.value", "nan"]),
        ("budget.years.2024.lines.P2.central_recurrent=.inf", ["budget.years.2024.lines.P2.central_recurrent", "inf"]),
        ("seed=-1", ["'seed'", "value: -1"]),
    ],
)
def test_set_overrides_must_be_finite(work, item, fragments):
    refused(work, ["run", GOOD, "--out", "out", "--set", item], fragments)


@pytest.mark.parametrize(
    "spec,fragments",
    [
        ("floor_nan", ["floor_nan.yaml", "lines.P2.floor", "finite", "value: nan"]),
        ("ceiling_inf", ["ceiling_inf.yaml", "lines.P2.ceiling", "finite", "value: inf"]),
        ("earmark_huge", ["earmark_huge.yaml", "earmarks.0.amount", "too large", "≤ 9007199 billion VND"]),
        ("frontier_nan", ["frontier_nan.yaml", "frontier.1", "finite", "value: nan"]),
    ],
)
def test_optimize_specs_must_be_finite(work, spec, fragments):
    refused(work, ["optimize", GOOD, "--spec", f"hostile/specs/{spec}.yaml", "--out", "out", "--no-report"], fragments)


@pytest.mark.parametrize(
    "kind,file,fragments",
    [
        ("aggregate", "aggregate_inf.csv", ["aggregate_inf.csv", "'households'", "rows 2", "not finite"]),
        ("aggregate", "aggregate_1e300.csv", ["aggregate_1e300.csv", "'households'", "rows 2", "too large"]),
    ],
)
def test_calibration_counts_must_be_finite(work, kind, file, fragments):
    refused(work, ["calibrate", kind, f"hostile/reviews/{file}", "--out", "out"], fragments)


def test_review_counts_must_be_finite(work):
    args = ["import-review", "hostile/reviews/review_inf.csv", "--template", TINY, "--out", "out"]
    refused(work, args, ["review_inf.csv", "'households'", "rows 2", "not finite"])


@pytest.mark.parametrize("name", ["horizon_float", "start_year_float"])
def test_whole_numbers_written_as_floats_are_integers(work, name):
    """`horizon: 2.0` and `start_year: 2024.0` are read as 2 and 2024 (never an internal error)."""
    import pandas as pd

    code, text = cli("--lang", "en", "run", S + f"{name}.yaml", "--out", "out")
    assert code == 0, text
    years = sorted(pd.read_csv(work / "out" / "states.csv")["year"].unique())
    assert years == [2023, 2024, 2025]


# --- 4. user errors that used to be reported as bugs ---------------------------------------------

OPTIONS = [
    (["run", GOOD, "--out", "out", "--seed", "-1"], ["'--seed'", "value: -1", "0 … 9223372036854775807"]),
    (["batch", GOOD, "--out", "out", "--jobs", "-1"], ["'--jobs'", "value: -1", "≥ 1"]),
    (["run", GOOD, "--out", "out", "--uncertainty", "0"], ["'--uncertainty'", "value: 0", "1 … 10000"]),
    (["run", GOOD, "--out", "out", "--chunk", "0"], ["'--chunk'", "value: 0", "≥ 1"]),
    (["run", GOOD, "--out", "out", "--uncertainty", "2", "--executor", "magic"], ["'--executor'", "'magic'", "serial"]),
    (["sensitivity", GOOD, "--out", "out", "--points", "1", "--jobs", "0"], ["'--points'", "'--jobs'", "2 problem"]),
    (["robustness", GOOD, GOOD, "--out", "out", "--uncertainty", "0"], ["'--uncertainty'", "value: 0"]),
    (["calibrate", "households", "x.csv", "--out", "out", "--prior-scale", "inf"], ["'--prior-scale'", "value: inf"]),
    (["calibrate", "households", "x.csv", "--out", "out", "--prior-scale", "nan"], ["'--prior-scale'", "value: nan"]),
    (["calibrate", "backtest", "x.yaml", "--out", "out", "--draws", "0"], ["'--draws'", "10 … 10000"]),
    (["optimize", GOOD, "--out", "out", "--frontier", "0,inf"], ["'--frontier'", "'0,inf'", "0 … 10"]),
    # a Vietnamese decimal comma: «0,5» meant one half, read as the multipliers 0 and 5
    (["optimize", GOOD, "--out", "out", "--frontier", "0,5,1,1.5"], ["'--frontier'", "'0,5,1,1.5'", "0.5, not 0,5"]),
    (["import-review", "x.csv", "--out", "out", "--year", "-5"], ["'--year'", "value: -5", "2000 … 2099"]),
]


@pytest.mark.parametrize("args,fragments", OPTIONS, ids=[" ".join(a[:1] + a[-2:]) for a, _ in OPTIONS])
def test_options_are_checked_before_work(work, args, fragments):
    refused(work, args, fragments)


YEARS = [  # good.yaml projects 2024 and 2025
    ("2030", ["2030", "not projected by the scenario", "allowed: 2024, 2025"]),
    ("2024-2030", ["2026, 2027, 2028, 2029, 2030", "not projected", "allowed: 2024, 2025"]),
    ("2024-20x", ["'2024-20x'", "a range (2024-2026)", "Y1-Y2"]),
    ("2025-2024", ["'2025-2024'", "from the earlier year to the later one", "allowed: 2024-2025"]),
    ("", ["value: ''", "separated by commas"]),
]


@pytest.mark.parametrize("years,fragments", YEARS, ids=[y or "empty" for y, _ in YEARS])
def test_bad_years_option_names_the_option_not_a_file(work, years, fragments):
    """A bad `optimize --years` is the command line's mistake: the message says so, never blames
    the scenario or a spec file, and nothing is written."""
    (work / "spec.yaml").write_text("years: [2024]\n", encoding="utf-8")  # overridden by --years
    for spec in ([], ["--spec", "spec.yaml"]):
        args = ["optimize", GOOD, "--out", "out", "--no-report", "--years", years, *spec]
        text = refused(work, args, ["Error: command-line option '--years': ", *fragments])
        assert "spec.yaml" not in text and "good.yaml" not in text and "<spec>" not in text
    code, text = cli("--lang", "vi", "optimize", GOOD, "--out", "out", "--no-report", "--years", years)
    assert_user_error(code, text, ["Lỗi: tùy chọn dòng lệnh «--years»: "])


def test_bad_years_in_a_spec_file_names_the_file(work):
    (work / "spec.yaml").write_text("years: [2024, 2031]\n", encoding="utf-8")
    args = ["optimize", GOOD, "--out", "out", "--no-report", "--spec", "spec.yaml"]
    text = refused(work, args, ["spec.yaml, field 'years'", "2031 not projected", "allowed: 2024, 2025"])
    assert "command-line" not in text


@pytest.mark.parametrize(
    "years,expected",
    [("2025", [2025]), ("2024-2025", [2024, 2025]), (" 2025 , 2024-2024,", [2025, 2024]), ("2024–2025", [2024, 2025])],
)
def test_years_option_reads_years_and_ranges(work, monkeypatch, years, expected):
    """Years and ranges reach the optimiser as calendar years (stopped there: no run needed)."""
    seen = []

    def prepare(*args, **kw):
        seen.append(kw["years"])
        raise InputError("enum", field="years", value="stop")

    monkeypatch.setattr("simlib.allocate.optimize.prepare", prepare)
    code, text = cli("--lang", "en", "optimize", GOOD, "--out", "out", "--years", years)
    assert code == 2 and seen == [expected], text


YAML_FILES = [
    ("alias_bomb", ["alias_bomb.yaml", "aliases", "more than 1000000 values"]),
    ("alias_recursive", ["alias_recursive.yaml", "refers to itself"]),
    ("deep_nesting", ["deep_nesting.yaml", "more than 100 levels"]),
    ("not_utf8", ["not_utf8.yaml", "not UTF-8"]),
    ("not_mapping", ["not_mapping.yaml", "mapping"]),
    ("empty", ["empty.yaml", "the file is empty (0 bytes)"]),  # said before it is read as YAML
    ("duplicate_key", ["duplicate_key.yaml", "'seed'", "repeated"]),
    ("yaml_syntax", ["yaml_syntax.yaml", "the “[” opened on line 1 is never closed"]),
]


@pytest.mark.parametrize("name,fragments", YAML_FILES, ids=[c[0] for c in YAML_FILES])
def test_unreadable_yaml_is_a_user_error(work, name, fragments):
    refused(work, ["run", S + f"{name}.yaml", "--out", "out"], fragments)


def test_alias_bomb_is_measured_not_built():
    """9^9 values behind nine aliases: refused from the node graph (a built list would take
    gigabytes); the count is exact for what a legitimate file shares."""
    from simlib.yaml_strict import StrictLoader, expanded_size

    loader = StrictLoader("a: &a [1, 2]\nb: [*a, *a, *a]\n")
    node = loader.get_single_node()
    # root 1 + key a, list(1+2) + key b, list(1 + 3 x 3) = 1 + (1 + 3) + (1 + 10) = 16
    assert expanded_size(node) == 16


def test_too_long_out_name_is_refused_before_work(work, monkeypatch):
    monkeypatch.setattr("simlib.runner.run", _never)
    refused(work, ["run", GOOD, "--out", "x" * 300], ["'--out'", "too long"], absent=())


def test_out_name_too_long_for_the_temporary_folder(work, monkeypatch):
    monkeypatch.setattr("simlib.runner.run", _never)
    text = refused(work, ["run", GOOD, "--out", "y" * 250], ["'--out'", "250 characters"], absent=())
    assert "at most" in text


def _never(*a, **k):  # pragma: no cover - called only when a check failed to stop the run
    raise AssertionError("the computation started although the output folder cannot be written")


def test_unwritable_out_is_refused_before_work(work, monkeypatch):
    """A folder the user may not write in: exit 2 before anything is computed. (As root no
    folder is read-only, so the refusal of the system is simulated here; the test below uses a
    real read-only folder when it can.)"""

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr("simlib.runner.run", _never)
    monkeypatch.setattr(atomic.tempfile, "mkdtemp", denied)
    refused(work, ["run", GOOD, "--out", "out"], ["'--out'", "permission denied"])


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root may write in read-only folders")
def test_read_only_out_is_refused_before_work(work, monkeypatch):
    ro = work / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    monkeypatch.setattr("simlib.runner.run", _never)
    try:
        refused(work, ["run", GOOD, "--out", "ro/out"], ["'--out'", "permission denied"], absent=("ro/out",))
    finally:
        ro.chmod(0o755)


def test_disk_full_while_writing_is_a_user_error_and_keeps_the_old_output(work, monkeypatch):
    assert cli("run", GOOD, "--out", "out")[0] == 0
    before = snapshot(work)

    def full(*a, **k):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic, "write_marker", full)
    code, text = cli("--lang", "en", "run", GOOD, "--out", "out")
    assert_user_error(code, text, ["disk is full"])
    assert snapshot(work) == before  # the previous output whole, no temporary folder left


def test_ascii_terminal_degrades_gracefully(tmp_path):
    env = dict(os.environ, PYTHONIOENCODING="ascii", SIMLIB_LANG="vi")
    r = subprocess.run([sys.executable, "-m", "simlib", "list"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "UnicodeEncodeError" not in r.stderr and "Kich ban co san" in r.stdout
    r = subprocess.run(
        [sys.executable, "-m", "simlib", "run", str(tmp_path / "none.yaml"), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert r.returncode == 2 and "Loi: " in r.stderr and "khong tim thay tep" in r.stderr


# --- 5. every problem of a file at once ----------------------------------------------------------


def test_unknown_key_and_unknown_line_reported_together(work):
    refused(work, ["run", S + "unknown_key_and_line.yaml", "--out", "out"], ["2 problem", "'colour'", "'P9'"])


def test_missing_dataset_does_not_hide_budget_errors(work):
    fragments = ["3 problem", "nowhere not found", "'P9'", "budget.years.2024.lines.P2.central_recurrent", "-5"]
    refused(work, ["run", S + "missing_dataset_and_budget_errors.yaml", "--out", "out"], fragments)


# --- 8. messages that used to mislead -------------------------------------------------------------


def test_same_as_cycle_names_the_circle(work):
    text = refused(work, ["run", S + "same_as_cycle.yaml", "--out", "out"], ["circle", "2024 → 2025 → 2024"])
    assert "allowed: 2024" not in text  # the old message offered the very value it refused
    refused(work, ["run", S + "same_as_self.yaml", "--out", "out"], ["2025 → 2025", "allowed: 2024"])


def test_bad_baseline_year_blames_the_dataset_not_start_year(work):
    fragments = ["year_9999/dataset.yaml", "'baseline_year'", "value: 9999", "≤ 2099"]
    text = refused(work, ["run", S + "baseline_9999.yaml", "--out", "out"], fragments)
    assert "start_year" not in text


def test_header_only_tables_say_no_rows(work):
    text = refused(work, ["run", S + "header_only_dataset.yaml", "--out", "out"], ["baseline.csv", "no rows"])
    assert "missing columns" not in text
    args = ["calibrate", "households", "hostile/reviews/households_header_only.csv", "--out", "out"]
    text = refused(work, args, ["households_header_only.csv", "no rows"])
    assert "missing columns" not in text
    args = ["import-review", "hostile/reviews/review_header_only.csv", "--template", TINY, "--out", "out"]
    refused(work, args, ["review_header_only.csv", "no rows"])


@pytest.mark.parametrize(
    "kind,file", [("households", "households_one_year.csv"), ("aggregate", "aggregate_one_year.csv")]
)
def test_one_review_year_is_not_calibrated(work, kind, file):
    """One review year has no transitions: refused, instead of writing the prior as a result."""
    refused(work, ["calibrate", kind, f"hostile/reviews/{file}", "--out", "out"], [file, "'year'", "two", "2021"])


def test_dataset_that_is_a_file(work):
    refused(work, ["run", S + "dataset_is_a_file.yaml", "--out", "out"], ["'dataset'", "good.yaml not found"])


# --- 1. simlib never deletes or changes a file it did not write ----------------------------------


def test_out_folder_with_user_files_is_refused(work):
    docs = work / "mydocs"
    docs.mkdir()
    (docs / "letter.txt").write_text("mine", encoding="utf-8")
    refused(work, ["run", GOOD, "--out", "mydocs"], ["mydocs", "'--out'", "did not write", "letter.txt"])


def test_out_as_the_current_folder_is_refused(work):
    text = refused(work, ["run", GOOD, "--out", "."], ["'--out'", "current folder", "--out results"])
    assert "Traceback" not in text


@pytest.mark.parametrize("out", [".", "..", "", "./"])
def test_out_as_an_empty_current_folder_or_no_name_is_refused_before_any_work(work, monkeypatch, out):
    """An empty current folder passed the ownership check: the run went to its end, then refused
    its own lock file (`..lock`, inside the folder to be replaced) as the user's. Now refused at
    once, nothing written, the current folder left as it was."""
    here = work / "empty" / "inner"
    here.mkdir(parents=True)
    monkeypatch.chdir(here)
    code, text = cli("--lang", "en", "run", str(work / GOOD), "--out", out)
    assert_user_error(code, text, ["'--out'", "no output folder" if not out else "current folder"])
    assert list(here.iterdir()) == [] and list((work / "empty").iterdir()) == [here]


def test_out_holding_the_scenario_is_refused(work):
    refused(work, ["run", GOOD, "--out", "hostile/scenarios"], ["hostile/scenarios", "did not write", "good.yaml"])


@pytest.mark.parametrize("command", ["run", "import-review"])
def test_out_that_is_a_file_stays_a_file(work, command):
    args = [command, GOOD, "--out", "hostile/reviews/review_good.csv"]
    if command == "import-review":
        args = [command, "hostile/reviews/review_good.csv", "--template", TINY, "--out", GOOD]
    refused(work, args, ["'--out'", "not a folder"])


def test_own_output_is_replaced_whole_and_edited_output_is_kept(work):
    assert cli("run", GOOD, "--out", "out")[0] == 0
    marker = atomic.read_marker(work / "out")
    assert marker["kind"] == "run" and "states.csv" in marker["files"]
    assert cli("run", GOOD, "--out", "out", "--set", "seed=9")[0] == 0  # simlib's own output: replaced
    assert not [p for p in work.iterdir() if ".partial-" in p.name or ".old-" in p.name or p.suffix == ".lock"]
    with open(work / "out" / "states.csv", "a", encoding="utf-8") as fh:
        fh.write("my note\n")  # the user edits a file simlib wrote
    refused(work, ["run", GOOD, "--out", "out"], ["'--out'", "changed", "states.csv"], absent=())


def test_output_of_another_kind_is_refused(work):
    assert cli("batch", GOOD, "--out", "reports", "--tables-only", "--jobs", "1")[0] == 0
    refused(work, ["run", GOOD, "--out", "reports"], ["reports", "'batch' output"], absent=())


def test_input_inside_the_output_it_would_replace_is_refused(work):
    """An optimisation's own scenario, optimised again into the same folder, would be deleted by
    the replacement: refused."""
    code, text = cli("optimize", GOOD, "--out", "best", "--no-report", "--frontier", "")
    assert code in (0, 3), text
    args = ["optimize", "best/optimal_scenario.yaml", "--out", "best", "--no-report", "--frontier", ""]
    refused(work, args, ["best", "input files", "optimal_scenario.yaml"], absent=())


def test_batch_never_overwrites_a_file_it_did_not_write(work):
    (work / "reports").mkdir()
    (work / "reports" / "README.md").write_text("kept", encoding="utf-8")
    args = ["batch", GOOD, "--out", "reports", "--tables-only", "--jobs", "1"]
    assert cli(*args)[0] == 0  # other files may sit beside a batch's outputs
    assert (work / "reports" / "README.md").read_text(encoding="utf-8") == "kept"
    assert cli(*args)[0] == 0  # and its own outputs are replaced
    (work / "reports" / "good" / "mine.txt").write_text("mine", encoding="utf-8")
    refused(work, args, ["reports/good", "changed", "mine.txt"], absent=())


def test_batch_refuses_a_folder_holding_user_files(work):
    """A batch into a folder of the user's own (notes, a spreadsheet, a sub-folder) is refused
    before any work, naming some of the files; nothing in it is touched, not even a marker."""
    docs = work / "mydocs"
    (docs / "old").mkdir(parents=True)
    (docs / "notes.txt").write_text("mine", encoding="utf-8")
    (docs / "budget.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (docs / "old" / "draft.yaml").write_text("name: draft\n", encoding="utf-8")
    (docs / "README.md").write_text("allowed beside the reports", encoding="utf-8")
    args = ["batch", GOOD, "--out", "mydocs", "--tables-only", "--jobs", "1"]
    text = refused(work, args, ["mydocs", "'--out'", "budget.xlsx, notes.txt, old/", "did not write"], absent=())
    assert "new or empty folder, or one an earlier batch wrote" in text and "README.md" not in text.split("(")[1]
    code, text = cli("--lang", "vi", *args)
    assert_user_error(code, text, ["tùy chọn dòng lệnh «--out» (mydocs)", "không do simlib ghi ra", "notes.txt"])


def test_batch_refuses_a_user_file_added_to_its_earlier_output(work):
    args = ["batch", GOOD, "--out", "reports", "--tables-only", "--jobs", "1"]
    assert cli(*args)[0] == 0
    (work / "reports" / "my analysis.xlsx").write_bytes(b"mine")
    refused(work, args, ["reports", "did not write", "my analysis.xlsx"], absent=())


@pytest.mark.parametrize("furniture", [(), ("README.md",), ("README.md", ".ipynb_checkpoints/", ".DS_Store")])
def test_batch_accepts_a_new_empty_or_earlier_batch_folder(work, furniture):
    out = work / "reports"
    out.mkdir()
    for name in furniture:
        if name.endswith("/"):
            (out / name).mkdir()
        else:
            (out / name).write_text("kept", encoding="utf-8")
    args = ["batch", GOOD, "--out", "reports", "--tables-only", "--jobs", "1"]
    kept = snapshot(out)
    assert cli(*args)[0] == 0  # an empty folder (or one with a README.md and the like)
    assert cli(*args)[0] == 0  # the folder it wrote itself
    assert (out / "good" / "indicators.csv").is_file()
    assert {k: v for k, v in snapshot(out).items() if k in kept} == kept


def test_collection_folder_with_a_changed_report_is_refused(tmp_path):
    """A report file simlib wrote into a batch folder and the user edited since is never
    overwritten; files being written (reserved) and unchanged ones are simlib's to replace."""
    out = tmp_path / "reports"
    out.mkdir()
    folder.mark_collection(out, "batch", ["index.html", "compare.html"])
    assert atomic.read_marker(out)["files"] == {"index.html": -2, "compare.html": -2}
    (out / "index.html").write_text("12345", encoding="utf-8")
    assert folder.collection_problems(out, "batch", ["index.html"]) == []  # reserved: being written
    folder.mark_collection(out, "batch", written=True)
    assert atomic.read_marker(out)["files"] == {"index.html": 5}  # compare.html never came: dropped
    assert folder.collection_problems(out, "batch", ["index.html"]) == []
    (out / "index.html").write_text("123456 my note", encoding="utf-8")
    (err,) = folder.collection_problems(out, "batch", ["index.html"])
    assert err.code == "output_changed" and "index.html" in err.message("en")
    folder.mark_collection(out, "batch", ["compare.html"])  # reserving others keeps the recorded size
    assert atomic.read_marker(out)["files"]["index.html"] == 5


def test_a_batch_folder_written_in_steps_is_accepted_by_the_next_batch(tmp_path):
    """The batch reserves every top file, the comparison step marks its own files, the index is
    written last: the index must stay reserved through the comparison's marking and be recorded,
    or the next `make reports` refuses the folder simlib itself wrote (seen: «index.html»)."""
    out = tmp_path / "reports"
    out.mkdir()
    folder.mark_collection(out, "batch", ["index.html", "compare.html", "x.failed.ipynb"])
    (out / "compare.html").write_text("abc", encoding="utf-8")
    folder.mark_collection(out, "batch", ["compare.html"])  # the comparison step
    assert atomic.read_marker(out)["files"]["index.html"] == folder.RESERVED
    (out / "index.html").write_text("12345", encoding="utf-8")
    folder.mark_collection(out, "batch", written=True)
    assert atomic.read_marker(out)["files"] == {"compare.html": 3, "index.html": 5}
    assert folder.collection_problems(out, "batch", ["index.html", "compare.html"]) == []


def test_import_review_names_and_existing_datasets(work):
    review = "hostile/reviews/review_good.csv"
    refused(work, ["import-review", review, "--template", TINY, "--name", "../../x"], ["'--name'", "'../../x'"])
    # a dataset simlib did not write (the bundled one, here a copy of tiny) is never overwritten
    refused(work, ["import-review", review, "--template", TINY, "--out", TINY], [TINY, "did not write"], absent=())
    refused(work, ["import-review", review, "--template", TINY, "--out", TINY, "--replace"], [TINY], absent=())
    # one import-review wrote: only with --replace, and then the user's files stay
    assert cli("import-review", review, "--template", TINY, "--out", "mine")[0] == 0
    (work / "mine" / "README.md").write_text("my notes", encoding="utf-8")
    refused(work, ["import-review", review, "--template", TINY, "--out", "mine"], ["--replace"], absent=())
    assert cli("import-review", review, "--template", TINY, "--out", "mine", "--replace")[0] == 0
    assert (work / "mine" / "README.md").read_text(encoding="utf-8") == "my notes"
    from simlib.dataset import load_dataset

    assert load_dataset(work / "mine").counts.sum() == load_dataset(work / TINY).counts.sum()


def test_interrupted_dataset_replacement_refuses_to_load(work):
    from simlib.dataset import load_dataset

    review = "hostile/reviews/review_good.csv"
    assert cli("import-review", review, "--template", TINY, "--out", "mine")[0] == 0
    meta = work / "mine" / "dataset.yaml"
    meta.write_text(meta.read_text(encoding="utf-8") + "import_in_progress: true\n", encoding="utf-8")
    with pytest.raises(Exception) as info:
        load_dataset(work / "mine")
    assert "--replace again" in info.value.message("en")
    assert cli("import-review", review, "--template", TINY, "--out", "mine", "--replace")[0] == 0
    assert "import_in_progress" not in load_dataset(work / "mine").meta  # whole again


def test_leftovers_of_killed_runs_are_cleaned_safely(work):
    assert cli("run", GOOD, "--out", "out")[0] == 0
    dead = 99_999_999  # above any process id the system hands out
    partial = work / f".out.partial-{dead}-abc"
    partial.mkdir()
    (partial / atomic.OWNER).write_text(json.dumps({"pid": dead, "host": atomic.socket.gethostname()}))
    stranger = work / f".out.partial-{dead}-xyz"  # looks like one, but simlib did not make it
    stranger.mkdir()
    (stranger / "keep.txt").write_text("keep", encoding="utf-8")
    alive = work / f".out.partial-{os.getpid()}-live"  # its process still runs
    alive.mkdir()
    (alive / atomic.OWNER).write_text(json.dumps({"pid": os.getpid(), "host": atomic.socket.gethostname()}))
    old = work / f".out.old-{dead}"
    os.replace(work / "out", old)  # killed between moving the old output aside and the swap
    removed = atomic.clean_leftovers(work / "out")
    assert (work / "out" / "states.csv").is_file() and not old.exists()  # the previous output is back
    assert partial in removed and not partial.exists()
    assert stranger.exists() and alive.exists()
    assert cli("run", GOOD, "--out", "out")[0] == 0


def test_a_second_writer_gets_a_clear_error(work, monkeypatch):
    monkeypatch.setattr("simlib.runner.run", _never)
    (work / "out").mkdir()
    with atomic.folder_lock(work / "out"):  # another writer holds the folder: refused before any work
        code, text = cli("--lang", "en", "run", GOOD, "--out", "out")
    assert_user_error(code, text, ["another simlib process", str(os.getpid())])


def test_two_concurrent_writers_one_wins_whole(work):
    out = work / "out"
    cmd = [sys.executable, "-m", "simlib", "--lang", "en", "run", GOOD, "--out", str(out)]
    procs = [subprocess.Popen(cmd, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in "ab"]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    assert any(code == 0 for code, _ in results), results
    for code, err in results:
        assert code == 0 or (code == 2 and "another simlib process" in err), err
        assert not any(i in err for i in INTERNAL)
    assert atomic.ownership_problems(out, "run") == []  # exactly the files of one complete run
    assert not [p for p in work.iterdir() if ".partial-" in p.name or ".old-" in p.name]


# --- 3. one bad file never stops a batch -----------------------------------------------------------


def _crash_on(monkeypatch, name):
    """A simulated bug in simlib on one file: `load_scenario` raises for it, in every simlib module
    that imported the function by name (imports are at module level)."""
    import sys

    import simlib.batch.checks  # noqa: F401 - load the modules to patch before patching them
    import simlib.batch.pages  # noqa: F401
    import simlib.cli.validate  # noqa: F401
    import simlib.scenario

    real = simlib.scenario.load_scenario

    def load(path, *a, **k):
        if str(path).endswith(name):
            raise RuntimeError("simulated bug")
        return real(path, *a, **k)

    patched = [
        m for n, m in list(sys.modules.items()) if n.startswith("simlib") and getattr(m, "load_scenario", None) is real
    ]
    assert patched  # the scenario module at least
    for module in patched:
        monkeypatch.setattr(module, "load_scenario", load)


def test_batch_finishes_the_good_scenarios(work, monkeypatch):
    _crash_on(monkeypatch, "seed_huge.yaml")  # a bug in simlib on one file
    files = [GOOD, S + "horizon_float.yaml", S + "nan_money.yaml", S + "name_traversal.yaml", S + "seed_huge.yaml"]
    code, text = cli("--lang", "en", "batch", *files, "--out", "reports", "--tables-only", "--jobs", "1")
    assert code == 2, text  # invalid scenarios: exit 2 ...
    assert (work / "reports" / "good" / "indicators.csv").is_file()  # ... after the good ones ran
    assert (work / "reports" / "horizon_float" / "indicators.csv").is_file()
    for name in ("nan_money.yaml", "name_traversal.yaml", "seed_huge"):
        assert name in text
    assert "simulated bug" in text and "Traceback" not in text


def test_validate_names_every_bad_file(work, monkeypatch):
    folder = work / "hostile" / "some"
    folder.mkdir()
    for name in (
        "good",
        "horizon_float",
        "nan_money",
        "alias_bomb",
        "same_as_cycle",
        "missing_dataset_and_budget_errors",
    ):
        (folder / f"{name}.yaml").write_bytes((work / S / f"{name}.yaml").read_bytes())
    code, text = cli("--lang", "en", "validate", "hostile/some")
    assert code == 2, text
    bad = [line[2:] for line in text.splitlines() if line.startswith("✗ ")]
    good = [line.split(": ")[-1] for line in text.splitlines() if line.startswith("✓ ")]
    assert good == ["hostile/some/good.yaml", "hostile/some/horizon_float.yaml"]
    assert bad == [
        f"hostile/some/{n}.yaml"
        for n in ("alias_bomb", "missing_dataset_and_budget_errors", "nan_money", "same_as_cycle")
    ]
    _crash_on(monkeypatch, "good.yaml")
    code, text = cli("--lang", "en", "validate", "hostile/some")
    assert code == 1 and "Internal simlib error" in text and "simulated bug" in text and "Traceback" not in text
    assert "✓ Valid: hostile/some/horizon_float.yaml" in text  # the others are still checked


# --- 6. the same inputs and seed give the same bytes ----------------------------------------------


@pytest.mark.slow
def test_same_seed_same_bytes_whatever_the_executor(work):
    env = dict(os.environ, SOURCE_DATE_EPOCH="1767225600")  # the run's time fixed: every file the same

    def run(out, *extra):
        cmd = [sys.executable, "-m", "simlib", "run", GOOD, "--out", out, "--uncertainty", "8", "--seed", "3", *extra]
        r = subprocess.run(cmd, cwd=work, capture_output=True, text=True, timeout=600, env=env)
        assert r.returncode == 0, r.stderr
        return work / out

    folders = [run("serial", "--executor", "serial"), run("jobs2a", "--jobs", "2"), run("jobs2b", "--jobs", "2")]
    names = sorted(p.name for p in folders[0].iterdir())
    for f in folders[1:]:
        assert sorted(p.name for p in f.iterdir()) == names
        for name in names:
            assert (folders[0] / name).read_bytes() == (f / name).read_bytes(), name
    assert json.loads((folders[0] / "manifest.json").read_text())["created_utc"] == "2026-01-01T00:00:00+00:00"


def test_means_do_not_depend_on_the_order_chunks_arrive():
    """The summary is computed from the stored samples in sample order: feeding the same chunks
    in another order gives the same bytes."""
    import numpy as np
    import pandas as pd

    from simlib.uncertainty.evaluate import ChunkResult, Layout
    from simlib.uncertainty.summaries import Accumulator

    rng = np.random.default_rng(0)
    layout = Layout(indicators=("poor_rate",), years=(2023, 2024), geos=("province",), target_cells=pd.DataFrame())
    data = rng.normal(size=(40, layout.n_cells)) * 1e3 + 0.1
    chunks = [np.arange(s, s + 8) for s in range(0, 40, 8)]

    def summary(order, folder):
        acc = Accumulator(folder, layout, 40)
        for i in order:
            idx = chunks[i]
            acc.add(ChunkResult(idx, idx, data[idx], np.zeros((8, 0)), np.zeros((8, 0), bool)))
        return acc.quantile_table("s", "expected").to_csv(index=False)

    import tempfile

    with tempfile.TemporaryDirectory() as a, tempfile.TemporaryDirectory() as b:
        assert summary([0, 1, 2, 3, 4], a) == summary([4, 2, 0, 3, 1], b)


# --- 7. notebooks refuse parameters they do not declare --------------------------------------------


def test_notebook_parameter_check():
    from simlib.report.notebook import _assignments, parameter_problems

    declared = _assignments('# Parameters (papermill)\nscenario = "a.yaml"\ndraws = 1\nseed: int = None\n')
    ns = {"scenario_path": "x.yaml", "draws": "abc", "seed": 3}
    errors = parameter_problems(declared, _assignments("# Parameters\nscenario_path = 'x.yaml'\ndraws = 'abc'\n"), ns)
    text = "\n".join(e.message("en") for e in errors)
    assert "'scenario_path'" in text and "no such parameter" in text and "scenario" in text
    assert "'draws'" in text and "expected int" in text and "'abc'" in text
    ns = {"draws": 20.0, "seed": None}
    assert parameter_problems(declared, _assignments("draws = 20.0\nseed = None\n"), ns) == []
    assert ns["draws"] == 20 and isinstance(ns["draws"], int)  # a whole float becomes the int
    assert parameter_problems(declared, _assignments("seed = 5\n"), {"seed": 5}) == []
    assert parameter_problems(declared, _assignments("seed = 'x'\n"), {"seed": "x"})
    assert parameter_problems(declared, _assignments("draws = True\n"), {"draws": True})


@pytest.mark.slow
def test_papermill_run_with_unknown_or_mistyped_parameters_fails_clearly(tmp_path):
    import papermill as pm

    nb = ROOT / "notebooks" / "scenario_report.ipynb"
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(
            str(nb),
            str(tmp_path / "out.ipynb"),
            parameters={"scenario_path": "x.yaml", "draws": "abc", "lang": "en"},
            cwd=str(nb.parent),
            progress_bar=False,
            kernel_name="python3",
        )
    text = str(info.value)
    assert "scenario_path" in text and "no such parameter" in text
    assert "draws" in text and "'abc'" in text


def test_papermill_and_the_check_read_the_same_parameters():
    """Papermill's own reading of each parameters cell (used for its `--help-notebook` and its
    warnings) finds every parameter the check declares, with the annotation's type."""
    import nbformat
    import papermill as pm

    from simlib.report.notebook import _assignments

    for nb_path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assert set(pm.inspect_notebook(str(nb_path))) == set(_assignments(cell.source)), nb_path.name
