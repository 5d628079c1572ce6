"""Every problem of one command line, said at once (the developers' guide: "Bad input gets a clear
message (file, field, value, what is allowed; every problem at once), exit status 2, no
traceback"). argparse stopped at the first one: a tired planner fixed `--uncertainty`, ran again,
fixed `--seed`, ran again, and only then learnt that the scenario's name was wrong.

Each case counts the problems by hand (the number in the message's head) and looks for each one,
named by its option, its value and what is allowed; nothing is written or deleted.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli

PLAN = str(ROOT / "params" / "scenarios" / "plan_2024.yaml")
REVIEW = str(ROOT / "data" / "synthetic_review" / "aggregate_2021_2023.csv")
HEAD = {"vi": "Phát hiện {n} lỗi:", "en": "{n} problem(s) found:"}


@pytest.fixture(autouse=True)
def here(tmp_path, monkeypatch):
    """A private current folder, Vietnamese unless a test asks otherwise."""
    monkeypatch.delenv("SIMLIB_LANG", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def digests(folder) -> dict[str, str]:
    """Every file under `folder` (relative path -> md5 of its bytes)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.md5(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def problems(text: str, n: int, lang: str = "vi") -> list[str]:
    """The message's `n` problems (its head says `n`), one per line after it."""
    assert HEAD[lang].format(n=n) in text, text
    return [line for line in text.splitlines() if line.startswith("  - ")]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_tired_planners_mistakes_in_one_message(tmp_path, lang):
    """The brief's command, run as the planner runs it (`python -m simlib`, from a folder that is
    not the project's): the thousands comma in `--uncertainty`, a seed that is no number, and a
    scenario named `.yml` from the wrong folder — all three in one message, with the fourth: the
    planner's own folder given as `--out`, which is left exactly as it was."""
    mine = tmp_path / "x"
    mine.mkdir()
    (mine / "notes.txt").write_text("ghi chú của tôi\n", encoding="utf-8")
    (mine / "sub").mkdir()
    (mine / "sub" / "data.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    before = digests(mine)
    argv = ["run", "params/scenarios/plan_2024.yml", "--uncertainty", "1,000", "--seed", "x", "--out", str(mine)]
    r = subprocess.run(
        [sys.executable, "-m", "simlib", *(["--lang", "en"] if lang == "en" else []), *argv],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env={**{k: v for k, v in os.environ.items() if k != "SIMLIB_LANG"}, "PYTHONPATH": str(ROOT)},
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == "", r.stderr
    lines = problems(r.stderr, 4, lang)
    says = {
        "vi": [
            "--uncertainty: '1,000' không phải là số nguyên",
            "--seed: 'x' không phải là số nguyên",
            "không tìm thấy tệp",
            "thư mục này đã có tệp không do simlib ghi ra",
        ],
        "en": [
            "--uncertainty: '1,000' is not a whole number",
            "--seed: 'x' is not a whole number",
            "file not found",
            "this folder already holds files simlib did not write",
        ],
    }[lang]
    assert len(lines) == 4 and all(s in line for s, line in zip(says, lines)), lines
    assert "hãy viết 1000" in lines[0] if lang == "vi" else "write 1000" in lines[0]
    assert "params/scenarios/plan_2024.yml" in lines[2] and "plan_2024.yaml" in lines[2]  # the closest name
    assert digests(mine) == before and sorted(p.name for p in tmp_path.iterdir()) == ["x"]


@pytest.mark.parametrize(
    "lang,given,says",
    [
        ("vi", "1,000", "nếu muốn nhập 1.000, hãy viết 1000"),
        ("vi", "1.000", "nếu muốn nhập 1.000, hãy viết 1000"),
        ("en", "1.000", "if you meant 1,000, write 1000"),
        ("en", "12,000,000", "if you meant 12,000,000, write 12000000"),
        ("vi", "12 000", "nếu muốn nhập 12.000, hãy viết 12000"),
    ],
)
def test_a_whole_number_with_thousands_separators_is_refused_and_told_its_digits(lang, given, says):
    """`1,000` is one in Vietnamese and a thousand in English, `1.000` the other way round: simlib
    guesses neither; it says to write the digits alone (what it would read)."""
    code, text = cli("--lang", lang, "run", PLAN, "--out", "o", "--uncertainty", given)
    assert_user_error(code, text, [f"--uncertainty: {given!r}", says])
    assert ("chỉ gồm các chữ số" if lang == "vi" else "digits only") in text


def test_a_decimal_for_a_whole_number_keeps_its_message():
    """`2,5` is no thousands grouping: the whole-number message, nothing about separators (said
    beside the grouped `--seed`'s)."""
    code, text = cli("--lang", "en", "run", PLAN, "--out", "o", "--draws", "2,5", "--seed", "2,024")
    lines = problems(text, 2, "en")
    assert lines[0] == "  - --draws: '2,5' is not a whole number (allowed: a whole number, e.g. 4)", lines
    assert "--seed: '2,024'" in lines[1] and "write 2024" in lines[1], lines
    assert "write 25" not in text


# the command line, and what each of its problems must say (hand-counted: one fragment a problem)
EVERY_COMMAND = [
    (
        ["validate", "nope.yaml", "--set", "horizon"],
        ["nope.yaml: không tìm thấy tệp", "'horizon'"],
    ),
    (
        ["batch", "nope", "--jobs", "abc", "--seed", "1.5"],
        ["nope: không tìm thấy tệp", "--jobs: 'abc'", "--seed: '1.5'"],
    ),
    (
        ["optimize", "nope.yaml", "--out", "o", "--effort", "fast", "--years", "20x", "--objective", "poorr"],
        ["--effort: giá trị 'fast'", "nope.yaml: không tìm thấy tệp", "«--years»", "«--objective»"],
    ),
    (
        ["sensitivity", "nope.yaml", "--out", "o", "--points", "x", "--morris", "-1"],
        ["--points: 'x'", "nope.yaml: không tìm thấy tệp", "«--morris»"],
    ),
    (
        ["robustness", "nope.yaml", PLAN, "--out", "o", "--uncertainty", "1.000", "--sampel", "lhs"],
        ["--uncertainty: '1.000'", "--sampel lhs", "nope.yaml: không tìm thấy tệp"],
    ),
    (
        ["calibrate", "aggregate", "nope.csv", "--prior-scale", "1,5", "--budget-scale", "x"],
        ["--prior-scale: '1,5'", "--budget-scale: giá trị 'x'", "thiếu tham số bắt buộc: --out", "nope.csv"],
    ),
    (
        ["calibrate", "series", "nope.yaml", "--out", "o", "--draws", "x"],
        ["--draws: 'x'", "nope.yaml: không tìm thấy tệp"],
    ),
    (
        ["calibrate", "backtest", "nope.yaml", "--out", "o", "--seed", "x", "--budget", "b"],
        ["--seed: 'x'", "--budget b", "nope.yaml: không tìm thấy tệp"],
    ),
    (
        ["import-review", "nope.csv", "--year", "2,024", "--level", "xa", "--template", "caobnag"],
        ["--year: '2,024'", "--level: giá trị 'xa'", "nope.csv: không tìm thấy tệp", "có phải là caobang không?"],
    ),
    (["list", "--lang", "fr", "--jobs", "2"], ["--lang: giá trị 'fr'", "--jobs 2"]),
    (
        ["run", "nope.yaml", "--out", "o", "--engine", "fast", "--executor", "thread", "--chunk", "0"],
        ["nope.yaml: không tìm thấy tệp", "«--engine»", "«--chunk»", "«--executor»"],
    ),
]


@pytest.mark.parametrize("argv,says", EVERY_COMMAND, ids=[" ".join(a[:2]) for a, _ in EVERY_COMMAND])
def test_every_command_says_all_its_problems_at_once(here, argv, says):
    code, text = cli(*argv)
    assert_user_error(code, text, says)
    lines = problems(text, len(says))
    assert len(lines) == len(says), text
    assert sorted(p.name for p in here.iterdir()) == []  # nothing written


def test_an_option_without_its_value_a_missing_argument_and_an_unknown_one(here):
    """`--draws` at the end has no value; neither the scenario nor `--out` is given; `--sed` is
    no option (did you mean `--seed`?)."""
    code, text = cli("--lang", "en", "run", "--sed", "--draws")
    assert_user_error(code, text, ["option --draws needs a value", "unknown arguments: --sed"])
    assert "did you mean --seed?" in text
    (missing,) = [line for line in text.splitlines() if "missing required arguments" in line]
    assert "--out" in missing and "scenario" in missing, text
    assert len(problems(text, 3, "en")) == 3


def test_the_value_after_an_ambiguous_option_is_not_called_unknown(here):
    """`--e foo`: `--e` could be `--engine` or `--executor`; `foo` is its value, not an unknown
    argument; the bad seed after it is still found."""
    code, text = cli("--lang", "en", "run", PLAN, "--out", "o", "--e", "foo", "--seed", "x")
    assert_user_error(code, text, ["could be --engine, --executor", "--seed: 'x' is not a whole number"])
    assert "unknown arguments" not in text
    assert len(problems(text, 2, "en")) == 2


def test_the_problems_of_the_values_read_come_together_too(here):
    """No usage problem, three in the values read: a scenario that does not exist, a seed below
    zero and a `--set` without `=` (each said after the one before was fixed)."""
    code, text = cli("--lang", "en", "run", "nope.yaml", "--out", "o", "--seed", "-1", "--set", "horizon")
    assert_user_error(code, text, ["nope.yaml: file not found", "'--seed'", "'horizon'"])
    assert len(problems(text, 3, "en")) == 3
    assert "usage:" not in text  # the values' problems alone: no usage line, as before
    assert sorted(p.name for p in here.iterdir()) == []


def test_a_users_folder_given_as_out_is_untouched_by_bad_arguments(here):
    """The planner's own folder as `--out` is one more problem (simlib does not replace a folder
    it did not write), said with the others; its files stay as they were."""
    mine = here / "results"
    mine.mkdir()
    (mine / "keep.xlsx").write_bytes(b"PK\x03\x04 my own workbook")
    before = digests(mine)
    code, text = cli("run", PLAN, "--out", str(mine), "--draws", "x", "--jobs", "0", "--bogus")
    says = [
        "--draws: 'x'",
        "--bogus",
        "«--out» (results): thư mục này đã có tệp không do simlib ghi ra (keep.xlsx)",
        "«--jobs»",
    ]
    assert_user_error(code, text, says)
    assert len(problems(text, 4)) == 4
    assert digests(mine) == before and sorted(p.name for p in here.iterdir()) == ["results"]
    assert sorted(p.name for p in mine.iterdir()) == ["keep.xlsx"]


@pytest.mark.parametrize(
    "argv",
    [
        ["optimize", PLAN, "--effort", "x"],
        ["sensitivity", PLAN, "--points", "x"],
        ["calibrate", "aggregate", REVIEW, "--draws", "x"],
        ["calibrate", "backtest", str(ROOT / "params" / "backtest" / "published_2023.yaml"), "--seed", "x"],
    ],
    ids=lambda argv: " ".join(argv[:2]) if argv[0] == "calibrate" else argv[0],
)
def test_the_output_folder_is_checked_with_the_arguments(here, argv):
    """An empty `--out ""` (each command writing one folder): said with the other mistake."""
    code, text = cli("--lang", "en", *argv, "--out", "")
    assert_user_error(code, text, ["no output folder named; e.g. --out results"])
    assert len(problems(text, 2, "en")) == 2
    assert sorted(p.name for p in here.iterdir()) == []


@pytest.mark.parametrize(
    "wrong,says",
    [
        (["--engine", "fast"], "«--engine»"),  # a value checked once parsed
        (["--jobs", "x"], "--jobs: 'x'"),  # a value argparse cannot convert
    ],
    ids=["engine", "jobs"],
)
def test_batch_says_a_users_folder_as_out_with_a_wrong_option(here, wrong, says):
    """`simlib batch` checked `--out` only once the other arguments were right (its folder check
    needs the scenarios' names): a planner with a wrong option and an `--out` of their own files
    learnt of the second mistake only after fixing the first. Both now come in one message (two
    problems, hand-counted); the folder and its notes stay exactly as they were."""
    mine = here / "userdir"
    mine.mkdir()
    (mine / "notes.txt").write_text("ghi chú của tôi\n", encoding="utf-8")
    before = digests(mine)
    code, text = cli("batch", PLAN, "--tables-only", *wrong, "--out", str(mine))
    assert_user_error(code, text, [says, "«--out» (userdir): thư mục này có tệp không do simlib ghi ra (notes.txt)"])
    assert len(problems(text, 2)) == 2
    assert digests(mine) == before and sorted(p.name for p in here.iterdir()) == ["userdir"]


def test_batch_says_its_scenarios_problems_with_a_refused_out(here):
    """The folder refused stops the batch before its scenarios are checked (they were checked,
    and said, before the folder): their problems come in the same message — a wrong `--engine`, the
    user's folder, and a scenario file with a title only, missing four required fields (name,
    title_en, dataset, budget): six problems; nothing touched."""
    mine = here / "userdir"
    mine.mkdir()
    (mine / "notes.txt").write_text("ghi chú của tôi\n", encoding="utf-8")
    (here / "bad.yaml").write_text("title_vi: x\n", encoding="utf-8")
    before = digests(mine)
    code, text = cli("--lang", "en", "batch", PLAN, "bad.yaml", "--engine", "fast", "--out", str(mine))
    assert_user_error(code, text, ["'--engine'", "'--out' (userdir)", "bad.yaml: required field"])
    assert len(problems(text, 6, "en")) == 6
    assert "plan_2024" not in text  # the valid scenario has nothing to say
    assert digests(mine) == before and sorted(p.name for p in here.iterdir()) == ["bad.yaml", "userdir"]


# --- the problems inside the scenario files, with the arguments' --------------------------------


def bad_scenario(folder, name: str = "bad") -> str:
    """plan_2024 with two mistakes of its own (hand-made): a horizon of 0 years and a funding
    source misspelt (`central_recurent`); its path."""
    text = open(PLAN, encoding="utf-8").read()
    assert "horizon: 2\n" in text and "P2: {central_recurrent: 40" in text
    text = text.replace("horizon: 2\n", "horizon: 0\n").replace(
        "P2: {central_recurrent: 40", "P2: {central_recurent: 40"
    )
    text = text.replace("name: plan_2024", f"name: {name}")
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return str(path)


#: what the bad scenario's two mistakes say (English)
BAD_FIELDS = [
    "field 'horizon'",
    "field 'budget.years.2024.lines.P2.central_recurent'",
    "did you mean central_recurrent?",
]


@pytest.mark.parametrize(
    "argv,says",
    [
        # a value argparse cannot convert (said by the parser), a value out of range (said after it)
        (["run", "{bad}", "--out", "o", "--jobs", "abc"], ["--jobs: 'abc'"]),
        (["run", "{bad}", "--out", "o", "--jobs", "0"], ["'--jobs'"]),
        (["batch", "{folder}", "--uncertainty", "-5", "--out", "o", "--tables-only"], ["'--uncertainty'"]),
        (["optimize", "{bad}", "--out", "o", "--objective", "poorr"], ["'--objective'", "did you mean poor?"]),
        (["sensitivity", "{bad}", "--out", "o", "--points", "x"], ["--points: 'x'"]),
        (["robustness", "{bad}", PLAN, "--out", "o", "--seed", "-1"], ["'--seed'"]),
        (["validate", "{bad}", "--set", "horizon"], ["'horizon'"]),
    ],
    ids=["run-parser", "run-value", "batch", "optimize", "sensitivity", "robustness", "validate"],
)
def test_the_scenarios_problems_come_with_the_arguments(here, argv, says):
    """The lead's finding: `simlib run bad.yaml --jobs abc` said the `--jobs` problem only; the
    planner fixed it, ran again, and only then learnt of the scenario's two mistakes. Now one
    message has the argument's problem and each of the file's (hand-counted: 1 + 2), exit status
    2, and nothing is written; a batch's valid scenario (plan_2024 beside it) has nothing to say."""
    folder = here / "kb"
    folder.mkdir()
    bad = bad_scenario(folder)
    (folder / "plan_2024.yaml").write_text(open(PLAN, encoding="utf-8").read(), encoding="utf-8")
    before = digests(here)
    argv = [a.replace("{bad}", bad).replace("{folder}", str(folder)) for a in argv]
    code, text = cli("--lang", "en", *argv)
    assert_user_error(code, text, says + BAD_FIELDS)
    lines = problems(text, 3, "en")
    assert len(lines) == 3, text
    assert sum("bad.yaml" in line for line in lines) == 2 and "plan_2024.yaml" not in text, text
    assert digests(here) == before and sorted(p.name for p in here.iterdir()) == ["kb"]


def test_an_output_folder_that_cannot_be_made_comes_with_the_scenarios_problems(here):
    """`--out` under a file: the folder cannot be made, found before any work but only after the
    scenario had been read (said once its mistakes were fixed). Now the three together."""
    bad = bad_scenario(here)
    (here / "notes.txt").write_text("ghi chú\n", encoding="utf-8")
    before = digests(here)
    code, text = cli("--lang", "en", "run", bad, "--out", "notes.txt/o")
    assert_user_error(code, text, ["'--out'", "notes.txt", *BAD_FIELDS])
    assert len(problems(text, 3, "en")) == 3
    assert digests(here) == before


def test_the_optimisers_request_and_its_spec_file_come_with_the_arguments(here):
    """`simlib optimize` reads the scenario and a spec file: a line code misspelt in the spec
    (`P7.9`), a year the scenario does not project (`--years 2030`) and `--draws 0`, three problems
    in one message (by hand: the optimiser's check of `--years` needs the scenario read, and the
    spec's codes need the scenario's catalogue)."""
    spec = here / "spec.yaml"
    spec.write_text("lines:\n  P7.9: {floor: 8}\n", encoding="utf-8")
    code, text = cli(
        "--lang", "en", "optimize", PLAN, "--spec", str(spec), "--out", "o", "--years", "2030", "--draws", "0"
    )
    assert_user_error(
        code, text, ["'--draws'", "spec.yaml, field 'lines.P7.9'", "did you mean P7.1, P7.2?", "'--years'", "2030"]
    )
    assert len(problems(text, 3, "en")) == 3
    assert sorted(p.name for p in here.iterdir()) == ["spec.yaml"]


def test_a_wrong_choice_is_said_once(here):
    """`--effort x` (not among argparse's choices) with a scenario of its own mistakes: argparse's
    message, the scenario's two, and not a second one for `--effort` from the optimiser's own
    check of the request."""
    bad = bad_scenario(here)
    code, text = cli("--lang", "en", "optimize", bad, "--out", "o", "--effort", "x")
    assert_user_error(code, text, ["--effort: value 'x'", *BAD_FIELDS])
    assert len(problems(text, 3, "en")) == 3 and text.count("'x'") == 1, text


@pytest.mark.parametrize(
    "kind,source,wrong,says",
    [
        ("series", "params/series/caobang.yaml", ["--draws", "3"], "'--draws'"),
        ("backtest", "params/backtest/published_2023.yaml", ["--seed", "x"], "--seed: 'x'"),
    ],
)
def test_a_calibration_files_problems_come_with_the_arguments(here, kind, source, wrong, says):
    """`simlib calibrate series|backtest FILE`: the file's `draws: 0` (below what is allowed)
    said with a wrong option, two problems in one message; nothing written."""
    text = (ROOT / source).read_text(encoding="utf-8")
    assert "\ndraws: " in text
    lines = [("draws: 0" if line.startswith("draws: ") else line) for line in text.splitlines()]
    mine = here / f"{kind}.yaml"
    mine.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out = cli("--lang", "en", "calibrate", kind, str(mine), "--out", "o", *wrong)
    assert_user_error(code, out, [says, f"{kind}.yaml, field 'draws'", "value: 0"])
    assert len(problems(out, 2, "en")) == 2
    assert sorted(p.name for p in here.iterdir()) == [f"{kind}.yaml"]


def test_a_calibrations_budget_scenario_comes_with_the_arguments(here):
    """`simlib calibrate aggregate … --budget bad.yaml --seed -1`: the seed and the budget
    scenario's two mistakes, three problems in one message; nothing written."""
    bad = bad_scenario(here)
    code, text = cli("--lang", "en", "calibrate", "aggregate", REVIEW, "--out", "o", "--budget", bad, "--seed", "-1")
    assert_user_error(code, text, ["'--seed'", *BAD_FIELDS])
    assert len(problems(text, 3, "en")) == 3
    assert sorted(p.name for p in here.iterdir()) == ["bad.yaml"]


@pytest.mark.parametrize(
    "lang,says",
    [("vi", ["cần ít nhất hai kịch bản", "(đã cho 1)"]), ("en", ["needs two at least", "(1 given)"])],
)
def test_robustness_with_one_scenario_says_it_compares_two(here, lang, says):
    """`robustness` compares scenarios with each other: one file (or a folder of one) is told so
    in words, with how many were given, not as a wrong number of items."""
    (here / "one").mkdir()
    (here / "one" / "plan.yaml").write_bytes(open(PLAN, "rb").read())
    for given in (PLAN, "one"):
        code, text = cli("robustness", given, "--out", "o", "--lang", lang)
        assert_user_error(code, text, says)
        assert "số phần tử" not in text and "number of items" not in text, text
    assert sorted(p.name for p in here.iterdir()) == ["one"]  # nothing written


def test_import_review_says_the_tables_problems_with_the_arguments(here):
    """`simlib import-review` with a mistyped `--year` and a review table with a unit, a group and
    a count that are wrong: the four problems in one message (the table's said only once `--year`
    was right before), nothing written; a table missing its columns says which."""
    (here / "review.csv").write_text(
        "unit_id,ethnic_group,area,state,households\nXYZ,dtts,rural,poor,-5\n", encoding="utf-8"
    )
    code, text = cli("import-review", "review.csv", "--out", "o", "--year", "abc")
    says = ["--year: 'abc'", "«unit_id»", "«ethnic_group»", "«households»: số hộ âm"]
    assert_user_error(code, text, says)
    assert len(problems(text, 4)) == 4
    (here / "columns.csv").write_text("unit,x\n1,2\n", encoding="utf-8")
    code, text = cli("import-review", "columns.csv", "--out", "o", "--year", "abc", "--lang", "en")
    assert_user_error(code, text, ["--year: 'abc'", "missing columns: unit_id"])
    assert len(problems(text, 2, "en")) == 2
    assert sorted(p.name for p in here.iterdir()) == ["columns.csv", "review.csv"]  # nothing written


def test_import_review_says_the_name_and_folder_with_the_table_and_arguments(here):
    """A review table with a wrong unit, group and count, a name that is no folder name and a
    year outside 2000–2099: each said once, in one message. Then the same table with a wrong name
    and an `--out` folder holding the user's own file: the folder said with the rest, the user's
    file untouched and the folder's modification time unchanged (nothing probed)."""
    (here / "review.csv").write_text(
        "unit_id,ethnic_group,area,state,households\nXYZ,dtts,rural,poor,-5\n", encoding="utf-8"
    )
    code, text = cli("--lang", "en", "import-review", "review.csv", "--name", "a/b", "--year", "1999", "--out", "o")
    assert_user_error(code, text, ["'unit_id'", "'households'", "'--name'", "a/b", "'--year'", "1999"])
    assert len(problems(text, 5, "en")) == 5 and text.count("1999") == 1
    mine = here / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine\n", encoding="utf-8")
    os.utime(mine, (1_577_836_800, 1_577_836_800))
    code, text = cli("--lang", "en", "import-review", "review.csv", "--out", "mine", "--name", "a b")
    assert_user_error(code, text, ["'households'", "mine", "'--name'"])
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert mine.stat().st_mtime_ns == 1_577_836_800 * 10**9
    assert sorted(p.name for p in here.iterdir()) == ["mine", "review.csv"]
