"""Two things a tired planner meets on the command line, run as the planner runs it (a fresh
`python -m simlib` process):

- an argument the command does not take (`simlib run … --bogus`, a misspelt option, an option of
  another command) shows THAT command's usage line (`usage: simlib run …`), as argparse does for
  the command's own errors (a missing `--out`), not the top level's `usage: simlib [-h] …
  COMMAND ...`; the message itself is unchanged (tests/test_cli_suggestions.py);
- started in a folder that has been deleted, simlib says so in the planner's language and exits
  with status 2, instead of a Python traceback from an import.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

PLAN = "params/scenarios/plan_2024.yaml"
#: a second scenario (two files of one name are a problem of their own, said with the arguments')
EQUAL = "params/scenarios/equal_split.yaml"
#: existing inputs of import-review and calibrate backtest: a missing one would be a second problem,
#: said with the unknown argument (every problem at once)
#: a table `import-review` reads without a problem (the dataset's own baseline counts)
REVIEW_TABLE = "data/caobang/baseline_2023.csv"
BACKTEST = "params/backtest/published_2023.yaml"
PROGRAM = (sys.executable, "-m", "simlib")
#: the console script `simlib` as pip writes it (pyproject.toml: simlib = "simlib.cli:main")
CONSOLE_SCRIPT = """import re
import sys
from simlib.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""
GONE = {
    "vi": "Lỗi: thư mục hiện tại không còn tồn tại (có thể đã bị xóa hoặc đổi tên), nên không thể chạy simlib từ "
    "thư mục này; đề nghị chuyển sang một thư mục đang tồn tại (ví dụ: cd ~) rồi thực hiện lại\n",
    "en": "Error: the current folder no longer exists (it may have been deleted or renamed), so simlib cannot run "
    "from it; change to an existing folder (e.g. cd ~) and try again\n",
}
TOP_USAGE = "usage: simlib [-h]"
UNKNOWN = {
    "vi": "{prog}: Lỗi: tham số không được hỗ trợ: {names} (xem các tùy chọn của lệnh: {prog} --help)",
    "en": "{prog}: Error: unknown arguments: {names} (see the command's options: {prog} --help)",
}


def simlib(
    *argv: str, env: dict | None = None, gone: Path | None = None, program=PROGRAM
) -> subprocess.CompletedProcess:
    """`python -m simlib ARGV` (or `program ARGV`) in a fresh process started in the project
    folder, or in the folder `gone`, made and deleted just before; no `$SIMLIB_LANG` unless `env`
    sets it."""
    command = [*program, *argv]
    if gone is not None:
        gone.mkdir()
        command = ["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$@"', "sh", str(gone), *command]
    environment = {k: v for k, v in os.environ.items() if k != "SIMLIB_LANG"}
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**environment, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def assert_usage_of(r: subprocess.CompletedProcess, prog: str) -> list[str]:
    """Exit status 2, no traceback, nothing on standard output, `prog`'s usage line first; the
    error lines (after the usage)."""
    assert r.returncode == 2 and "Traceback" not in r.stderr and r.stdout == "", r.stderr
    lines = r.stderr.splitlines()
    assert lines[0].startswith(f"usage: {prog} [-h]") and TOP_USAGE not in r.stderr, r.stderr
    return [line for line in lines if line.startswith(f"{prog}: ")]


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["validate", PLAN],
        ["run", PLAN, "--out", "o"],
        ["batch", PLAN, "--out", "o"],
        ["import-review", REVIEW_TABLE],
        ["calibrate", "backtest", BACKTEST, "--out", "o"],
        ["optimize", PLAN, "--out", "o"],
        ["sensitivity", PLAN, "--out", "o"],
        ["robustness", PLAN, EQUAL, "--out", "o"],
    ],
    ids=lambda argv: "-".join(argv[:2]) if argv[0] == "calibrate" else argv[0],
)
def test_an_unknown_argument_shows_the_commands_usage(argv):
    """Every command, its sub-command for `calibrate` (`simlib calibrate backtest`, whose --help
    the message now points to); the message line named by the command, as argparse names it."""
    prog = "simlib " + " ".join(argv[:2] if argv[0] == "calibrate" else argv[:1])
    errors = assert_usage_of(simlib(*argv, "--bogus"), prog)
    assert errors == [UNKNOWN["vi"].format(prog=prog, names="--bogus")], errors


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_other_argument_errors_show_the_commands_usage_with_their_messages(lang):
    """A misspelt option (its suggestion), an option of another command (whose it is), an
    unknown option typed before the command: the command's usage, the messages as before."""
    mean = {"vi": "có phải là {} không?", "en": "did you mean {}?"}[lang]
    r = simlib("--lang", lang, "run", PLAN, "--out", "o", "--enigne", "microsim")
    (line,) = assert_usage_of(r, "simlib run")
    assert line == UNKNOWN[lang].format(prog="simlib run", names="--enigne microsim") + "; " + mean.format("--engine")
    r = simlib("--lang", lang, "list", "--jobs", "2")
    (line,) = assert_usage_of(r, "simlib list")
    whose = {"vi": "--jobs là tùy chọn của lệnh run", "en": "--jobs is an option of run"}[lang]
    assert line.startswith(UNKNOWN[lang].format(prog="simlib list", names="--jobs 2") + "; " + whose), line
    r = simlib("--lang", lang, "robustness", PLAN, EQUAL, "--out", "o", "--sampel", "lhs")
    (line,) = assert_usage_of(r, "simlib robustness")
    assert line.endswith("; " + mean.format("--sampler")), line
    r = simlib("--bogus", "validate", PLAN, "--lang", lang)
    (line,) = assert_usage_of(r, "simlib validate")
    assert line == UNKNOWN[lang].format(prog="simlib validate", names="--bogus"), line


def test_global_options_after_a_sub_commands_sub_command(tmp_path):
    """`--lang en` and `--debug` typed last after `simlib calibrate backtest …` are taken, as after
    any other command (they were refused there as unknown arguments)."""
    missing = tmp_path / "missing.yaml"
    r = simlib("calibrate", "backtest", str(missing), "--out", str(tmp_path / "o"), "--lang", "en", "--debug")
    assert r.returncode == 2 and "Traceback" not in r.stderr and "usage:" not in r.stderr, r.stderr
    assert r.stderr.startswith("Error: ") and "missing.yaml" in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    ("argv", "env", "lang"),
    [
        (["--help"], {}, "vi"),
        (["run", PLAN, "--out", "o"], {}, "vi"),
        (["--lang", "en", "run", str(ROOT / PLAN), "--out", "{tmp}/o"], {}, "en"),
        (["validate", str(ROOT / PLAN), "--lang=en"], {}, "en"),
        (["list"], {"SIMLIB_LANG": "en"}, "en"),
        (["list", "--lang", "vi"], {"SIMLIB_LANG": "en"}, "vi"),
    ],
)
def test_started_in_a_deleted_folder(tmp_path, argv, env, lang):
    """`mkdir d && cd d && rmdir d && simlib …`: one line saying that the current folder is gone
    and to change to an existing one, in the planner's language (`--lang` on the command line,
    else `$SIMLIB_LANG`, else Vietnamese), exit status 2; nothing written, no traceback (it died
    importing numba). Absolute paths would do in principle; the command stops before reading
    them, as for relative ones."""
    r = simlib(*[a.replace("{tmp}", str(tmp_path)) for a in argv], env=env, gone=tmp_path / "d")
    assert (r.returncode, r.stdout, r.stderr) == (2, "", GONE[lang]), r.stderr
    assert sorted(tmp_path.iterdir()) == []


def test_the_console_script_started_in_a_deleted_folder(tmp_path):
    """The installed `simlib` command (its script imports `simlib.cli`), not `python -m simlib`."""
    script = tmp_path / "bin" / "simlib"
    script.parent.mkdir()
    script.write_text(CONSOLE_SCRIPT, encoding="utf-8")
    for argv, lang in ((["--help"], "vi"), (["--lang", "en", "list"], "en")):
        r = simlib(*argv, gone=tmp_path / "d", program=(sys.executable, str(script)))
        assert (r.returncode, r.stdout, r.stderr) == (2, "", GONE[lang]), r.stderr


def test_a_program_importing_simlib_in_a_deleted_folder_is_told_why(tmp_path):
    """Another program (a script, a notebook kernel) is not stopped by simlib: it gets a
    FileNotFoundError saying what is wrong (it was numba's bare one, from deep in its import)."""
    r = simlib(gone=tmp_path / "d", program=(sys.executable, "-c", "import simlib"), env={"SIMLIB_LANG": "en"})
    assert r.returncode == 1 and r.stdout == "", r.stderr
    last = r.stderr.splitlines()[-1]
    assert last == "FileNotFoundError: [Errno 2] " + GONE["en"].removeprefix("Error: ").rstrip(), r.stderr


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_option_of_another_kind_of_calibration(lang):
    """`calibrate`'s kinds are compared one by one: `--budget` on `calibrate backtest` is said to
    be an option of the two kinds that have it (it was compared with every kind's options at once,
    which hold it: nothing was said), and on `run` the owners named are those kinds."""
    r = simlib("--lang", lang, "calibrate", "backtest", BACKTEST, "--out", "o", "--budget", "b")
    (line,) = assert_usage_of(r, "simlib calibrate backtest")
    whose = {
        "vi": "--budget là tùy chọn của lệnh calibrate aggregate, calibrate households, lệnh calibrate backtest "
        "không có tùy chọn này",
        "en": "--budget is an option of calibrate aggregate, calibrate households, not of calibrate backtest",
    }[lang]
    assert line == UNKNOWN[lang].format(prog="simlib calibrate backtest", names="--budget b") + "; " + whose, line
    r = simlib("--lang", lang, "run", PLAN, "--out", "o", "--budget", "3")
    (line,) = assert_usage_of(r, "simlib run")
    assert (
        "lệnh calibrate aggregate, calibrate households, lệnh run"
        if lang == "vi"
        else "of calibrate aggregate, calibrate households, not of run"
    ) in line, line
