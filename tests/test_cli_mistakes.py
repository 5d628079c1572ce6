"""The command-line mistakes a tired planner makes, and the message each must get.

Every case: exit status 2, no traceback, a message naming the file, field or option, the value
and what is allowed, in the language asked for (`--lang en`; Vietnamese by default) — also for
argparse's own usage errors, whose English text simlib translates (`simlib.cli.usage_message`).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, tiny_raw
from hostile_helpers import assert_user_error, cli

from simlib.cli import ARGPARSE_MESSAGES, usage_message

VI, EN = "Lỗi", "Error"


@pytest.fixture(autouse=True)
def default_language(monkeypatch):
    """Vietnamese unless a test asks otherwise, whatever the shell running the tests says."""
    monkeypatch.delenv("SIMLIB_LANG", raising=False)


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A private current folder (messages show paths relative to it) with a folder of two
    scenarios, `scen/good.yaml` and `scen/other.yaml`, and a note that is not a scenario."""
    folder = tmp_path / "scen"
    folder.mkdir()
    for name in ("good", "other"):
        (folder / f"{name}.yaml").write_text(yaml.safe_dump(tiny_raw(name=name)), encoding="utf-8")
    (folder / "notes.txt").write_text("not a scenario", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def in_english(text: str) -> None:
    assert EN in text and VI not in text, text


def in_vietnamese(text: str) -> None:
    assert VI in text and "Error" not in text, text


# --- files ------------------------------------------------------------------------------------------


def test_folder_instead_of_file_lists_its_files(here):
    code, text = cli("--lang", "en", "run", "scen", "--out", "out")
    assert_user_error(code, text, ["scen: this is a folder, not a file; name one of its files:"])
    assert "good.yaml, notes.txt, other.yaml" in text  # every file, sorted by name
    in_english(text)
    assert not (here / "out").exists()


def test_bundled_folder_instead_of_a_scenario_in_vietnamese(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, text = cli("run", "params/scenarios", "--out", str(tmp_path / "out"))
    assert_user_error(code, text, ["params/scenarios: đây là thư mục, không phải tệp", "plan_2024.yaml"])
    in_vietnamese(text)
    names = sorted(p.name for p in (ROOT / "params" / "scenarios").iterdir() if p.is_file())
    assert ", ".join(names[:12]) in text


@pytest.mark.parametrize("command", ["run", "validate"])
def test_typo_in_a_bundled_scenario_name_suggests_it(tmp_path, monkeypatch, command):
    monkeypatch.chdir(ROOT)
    out = ["--out", str(tmp_path / "out")] if command == "run" else []
    code, text = cli("--lang", "en", command, "params/scenarios/plan2024.yaml", *out)
    assert_user_error(code, text, ["params/scenarios/plan2024.yaml: file not found"])
    assert "did you mean params/scenarios/plan_2024.yaml?" in text  # the closest name only
    in_english(text)


def test_typo_in_the_users_own_folder_suggests_the_file_there(here):
    code, text = cli("run", "scen/god.yaml", "--out", "out")
    assert_user_error(code, text, ["scen/god.yaml: không tìm thấy tệp; có phải là scen/good.yaml không?"])
    assert "other.yaml" not in text and "params/scenarios" not in text


def test_nothing_close_no_suggestion(here):
    code, text = cli("--lang", "en", "run", "scen/zzz.yaml", "--out", "out")
    assert_user_error(code, text, ["scen/zzz.yaml: file not found"])
    assert "did you mean" not in text


# --- numbers written the Vietnamese way -------------------------------------------------------------


def write_scenario(folder, amount: str, **changes):
    """The tiny scenario with P2's recurrent money written as the text `amount`, unquoted."""
    text = yaml.safe_dump(tiny_raw(**changes), allow_unicode=True).replace(
        "central_recurrent: 10\n", f"central_recurrent: {amount}\n", 1
    )
    assert f"central_recurrent: {amount}\n" in text
    path = folder / "comma.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "lang,amount,fix,says",
    [
        ("en", "12,5", "12.5", "a number is written with a decimal comma; write 12.5"),
        ("vi", "12,5", "12.5", "số được viết với dấu phẩy thập phân; hãy viết 12.5"),
        ("en", "1.234,5", "1234.5", "write 1234.5 (a decimal point, no thousands separators)"),
        # with two dots YAML reads text (with one, a decimal: a note, tests/test_money_notes.py)
        ("en", "12.000.000", "12000000", "a number is written with dots between thousands; write 12000000"),
        ("vi", "1.500.000", "1500000", "số được viết với dấu chấm phân cách hàng nghìn; hãy viết 1500000"),
        # spaces between thousands (also the no-break space a spreadsheet copies): text to YAML
        ("en", "1 500", "1500", "a number is written with spaces between thousands; write 1500"),
        ("vi", "12\u00a0000\u00a0000", "12000000", "số được viết với dấu cách phân cách hàng nghìn; hãy viết 12000000"),
    ],
)
def test_decimal_comma_or_thousands_dots_in_a_budget_amount(here, lang, amount, fix, says):
    write_scenario(here, amount)
    code, text = cli("--lang", lang, "run", "comma.yaml", "--out", "out")
    field = "budget.years.2024.lines.P2.central_recurrent"
    assert_user_error(code, text, ["comma.yaml", field, repr(amount), says])  # a no-break space shown as \xa0
    (in_english if lang == "en" else in_vietnamese)(text)
    assert not (here / "out").exists()


@pytest.mark.parametrize(
    "lang,says",
    [
        ("en", "a whole number is written with a thousands separator; write 2024 (no thousands separators)"),
        ("vi", "số nguyên được viết với dấu phẩy phân cách hàng nghìn; hãy viết 2024"),
    ],
)
def test_a_year_with_a_thousands_comma_is_read_as_the_whole_number(here, lang, says):
    """`2,024` where only a whole number goes (a year) is the year 2024 written the English way,
    not 2.024: the message says to drop the comma (found as a tired planner)."""
    path = write_scenario(here, "10")
    path.write_text(path.read_text(encoding="utf-8").replace("start_year: 2024", "start_year: 2,024"), encoding="utf-8")
    code, text = cli("--lang", lang, "run", "comma.yaml", "--out", "out")
    assert_user_error(code, text, ["comma.yaml", "start_year", "'2,024'", says])
    (in_english if lang == "en" else in_vietnamese)(text)
    assert not (here / "out").exists()


def test_a_decimal_comma_where_only_whole_numbers_go_asks_for_a_whole_number(here):
    """`horizon: 3,5` is no count of years: the message says a whole number is needed, not
    "write 3.5" (which would be refused next)."""
    path = write_scenario(here, "10")
    path.write_text(path.read_text(encoding="utf-8").replace("horizon: 2\n", "horizon: 3,5\n"), encoding="utf-8")
    code, text = cli("--lang", "en", "run", "comma.yaml", "--out", "out")
    assert_user_error(code, text, ["comma.yaml", "horizon", "'3,5'", "integer"])
    assert "3.5" not in text


@pytest.mark.parametrize("lang,where", [("en", "--set, field 'horizon'"), ("vi", "--set, trường «horizon»")])
def test_a_bad_scenario_value_given_by_set_names_set_not_the_file(here, lang, where):
    """A value given with `--set horizon=0` is wrong on the command line, not in the scenario
    file (which holds another value): the message names `--set` (found as a tired planner)."""
    code, text = cli("--lang", lang, "run", "scen/good.yaml", "--out", "out", "--set", "horizon=0", "--set", "model=x")
    assert_user_error(code, text, [where, "model", "'x'"])
    assert "good.yaml" not in text
    assert not (here / "out").exists()


def test_text_fields_may_hold_a_decimal_comma(here):
    write_scenario(here, "10", title_en="12,5", title_vi="12,5")
    code, text = cli("--lang", "en", "validate", "comma.yaml")
    assert code == 0, text


# --- argparse's own usage errors --------------------------------------------------------------------

USAGE = [
    (["run", "x"], "missing required arguments: --out", "thiếu tham số bắt buộc: --out"),
    (["run", "x", "--out", "o", "--jobs", "abc"], "--jobs: 'abc' is not a whole number", "--jobs: 'abc' không phải"),
    (
        ["calibrate", "aggregate", "x", "--out", "o", "--prior-scale", "1,5"],
        "--prior-scale: '1,5' is not a number",
        "--prior-scale: '1,5' không phải là số",
    ),
    (
        ["optimize", "x", "--effort", "fast"],
        "--effort: value 'fast' is not allowed (allowed: 'auto', 'full', 'economy')",
        "--effort: giá trị 'fast' không hợp lệ (giá trị được phép: 'auto', 'full', 'economy')",
    ),
    (["run", "x", "--out", "o", "--bogus"], "unknown arguments: --bogus", "tham số không được hỗ trợ: --bogus"),
    (["run", "x", "--out"], "option --out needs a value", "tùy chọn --out cần một giá trị"),
    (["run", "x", "--out", "o", "--e", "foo"], "could be --engine, --executor", "có thể là --engine, --executor"),
]


@pytest.mark.parametrize("args,en,vi", USAGE, ids=[" ".join(c[0][:1] + c[0][-2:]) for c in USAGE])
def test_usage_errors_in_both_languages(here, args, en, vi):
    code, text = cli("--lang", "en", *args)
    assert_user_error(code, text, [en])
    in_english(text)
    code, text = cli(*args)
    assert_user_error(code, text, [vi])
    in_vietnamese(text)


@pytest.mark.parametrize("lang_args", [["--lang", "en"], ["--lang=en"]])
def test_lang_after_the_command_reaches_usage_errors(here, lang_args):
    """The real entry point (`python -m simlib`): `--lang` is read before argparse parses, also
    where argparse itself would not accept it (after the command)."""
    r = subprocess.run(
        [sys.executable, "-m", "simlib", "run", "x", *lang_args, "--jobs", "abc"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "SIMLIB_LANG"}, "PYTHONPATH": str(ROOT)},
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr
    # with the command line's other problems (no --out, no file x), all in English
    assert "simlib run: Error: 3 problem(s) found:\n  - --jobs: 'abc' is not a whole number" in r.stderr
    assert "missing required arguments: --out" in r.stderr and "x: no file or folder of this name" in r.stderr


def test_every_argparse_pattern_has_a_text_and_unknown_messages_pass_through():
    samples = {
        "required": "the following arguments are required: --out",
        "int": "argument --seed: invalid int value: 'x'",
        "float": "argument --prior-scale: invalid float value: 'x'",
        "choice": "argument --lang: invalid choice: 'x' (choose from 'vi', 'en')",
        "unrecognized": "unrecognized arguments: --x",
        "one_argument": "argument --out: expected one argument",
        "ambiguous": "ambiguous option: --e could match --engine, --executor",
    }
    assert sorted(samples) == sorted(ARGPARSE_MESSAGES.values())
    for message in samples.values():
        for lang in ("vi", "en"):
            assert usage_message(message, lang) != message
    odd = "argument --x: not allowed with argument --y"
    assert usage_message(odd, "en") == odd


@pytest.mark.parametrize(
    "lang,says", [("en", "line 3 is indented with a tab"), ("vi", "dòng 3 thụt lề bằng ký tự tab")]
)
def test_a_tab_in_a_scenario_file_is_named_with_its_line(here, lang, says):
    """A scenario edited in Notepad with a tab for indentation: the message names the tab and its
    line in the user's language, not the YAML parser's English."""
    text = "name: tabbed\nbudget:\n\tyears: {}\n"
    (here / "tabbed.yaml").write_text(text, encoding="utf-8")
    code, out = cli("--lang", lang, "validate", "tabbed.yaml")
    assert_user_error(code, out, ["tabbed.yaml", says])
    assert "cannot start any token" not in out


def test_a_yaml_syntax_error_says_its_lines_in_vietnamese(here):
    """An unclosed bracket: from the line it opens to where the parser gave up; a stray colon:
    its line and column."""
    (here / "broken.yaml").write_text("name: x\nhorizon: [1\n", encoding="utf-8")
    code, out = cli("validate", "broken.yaml")
    assert_user_error(code, out, ["broken.yaml", "dấu «[» mở ở dòng 2 chưa được đóng (đọc đến dòng 3"])
    (here / "colon.yaml").write_text("name: x\nhorizon: 2: 3\n", encoding="utf-8")
    code, out = cli("validate", "colon.yaml")
    assert_user_error(code, out, ["colon.yaml", "tệp YAML không đọc được ở dòng 2, cột 11"])


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "empty.yaml", "--out", "o"],
        ["optimize", "empty.yaml", "--out", "o"],
        ["calibrate", "aggregate", "empty.csv", "--out", "o"],
        ["import-review", "empty.csv", "--year", "2024"],
    ],
    ids=lambda argv: argv[0] if argv[0] != "calibrate" else "calibrate",
)
@pytest.mark.parametrize("lang,says", [("vi", "empty.{}: tệp trống"), ("en", "empty.{}: the file is empty")])
def test_an_empty_input_file_is_said_to_be_empty(here, argv, lang, says):
    """A file saved before anything was written in it (0 bytes): it read as «content must be a
    mapping of key: value», or for a table pandas' own English «No columns to parse from file»
    inside the Vietnamese message; now it is said to be empty, before any work."""
    (here / "empty.yaml").write_bytes(b"")
    (here / "empty.csv").write_bytes(b"")
    code, text = cli("--lang", lang, *argv)
    assert_user_error(code, text, [says.format(argv[1 if argv[0] != "calibrate" else 2].rsplit(".", 1)[1])])
    assert "No columns" not in text and "mapping" not in text and "bảng khóa" not in text
    assert sorted(p.name for p in here.iterdir()) == ["empty.csv", "empty.yaml", "scen"]


@pytest.mark.parametrize(
    "lang,says", [("vi", "trống.yaml: đây là thư mục trống"), ("en", "trống.yaml: this is an empty folder")]
)
def test_an_empty_folder_named_as_a_file_says_it_is_empty(here, lang, says):
    """A folder where a scenario file was expected was said with its files listed — for an empty
    one «…: —», a dash to puzzle over."""
    (here / "trống.yaml").mkdir()
    code, text = cli("--lang", lang, "run", "trống.yaml", "--out", "o")
    assert_user_error(code, text, [says])
    assert ": —" not in text


@pytest.mark.parametrize(
    "lang,says", [("vi", "đây là một tệp, không phải thư mục"), ("en", "this is a file, not a folder")]
)
def test_list_given_a_file_as_its_scenario_folder(here, lang, says):
    """`simlib list --scenarios scen/good.yaml` listed that one file as the folder's scenarios,
    and exit status 0; the option names a folder."""
    code, text = cli("--lang", lang, "list", "--scenarios", "scen/good.yaml")
    assert_user_error(code, text, ["--scenarios", "scen/good.yaml", says])


@pytest.mark.parametrize("given,lang", [("VI", "vi"), ("EN", "en"), ("En", "en")])
def test_the_language_in_capitals_is_understood(here, given, lang):
    """`--lang VI` (caps lock, or the language's code as it is printed): the language meant, not
    «invalid choice: 'VI'»; before the command and after it (batch's own `--lang` too)."""
    says = {"vi": "nope.yaml: không tìm thấy tệp", "en": "nope.yaml: file not found"}[lang]
    for argv in (["--lang", given, "run", "nope.yaml", "--out", "o"], ["validate", "nope.yaml", "--lang", given]):
        code, text = cli(*argv)
        assert_user_error(code, text, [says])
        assert "invalid choice" not in text and "không hợp lệ" not in text
    code, text = cli("batch", "nope.yaml", "--lang", given)
    assert_user_error(code, text, [says])


def test_ctrl_c_in_a_batch_leaves_no_folder_it_made(here, monkeypatch):
    """Ctrl-C while the scenarios run: exit status 130 and the interruption said; the new output
    folder, which held only simlib's marker (its files reserved, none written), was left behind
    as an empty folder; now it goes. A folder that was there before stays, with its files."""
    import simlib.batch.run as batch_run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_run, "_run_all", interrupted)
    argv = ["batch", "scen/good.yaml", "--tables-only", "--executor", "serial"]
    code, text = cli(*argv, "--out", "new")
    assert code == 130 and "Đã dừng theo yêu cầu" in text and "Traceback" not in text, text
    assert sorted(p.name for p in here.iterdir()) == ["scen"]
    (here / "kept").mkdir()
    (here / "kept" / "README.md").write_text("mine", encoding="utf-8")
    code, text = cli(*argv, "--out", "kept")
    assert code == 130 and (here / "kept" / "README.md").read_text(encoding="utf-8") == "mine"
