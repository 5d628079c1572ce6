"""Round 59 of hostile inputs: the leftovers of round 58 and the new mistakes a tired planner made
that simlib answered wrongly, each with the answer it must give now (exit status 2 and a clear
message, no traceback; nothing of the user's touched; the light commands stay light).
"""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT, tiny_raw
from hostile_helpers import INTERNAL, assert_user_error, cli, snapshot
from test_cli_startup_imports import TABLES, command

from simlib.budget import MONEY_UNITS
from simlib.cli.common import MAX_DRAWS
from simlib.errors import SAME_AS

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

# 1. an unknown SIMLIB_LANG


@pytest.mark.parametrize("value", ["fr", "de_DE.UTF-8", "tiếng việt"])
def test_an_unknown_language_in_the_environment_is_said_once(here, monkeypatch, value):
    """`SIMLIB_LANG=fr` fell back to Vietnamese without a word: now said once, in both
    languages, with the languages there are and the one used."""
    monkeypatch.setenv("SIMLIB_LANG", value)
    code, text = cli("validate", "good.yaml")
    assert code == 0, text
    assert text.count(f"SIMLIB_LANG={value} không phải ngôn ngữ simlib hỗ trợ (các ngôn ngữ có: vi, en)") == 1, text
    assert text.count(f"SIMLIB_LANG={value} is not a language simlib speaks (languages: vi, en)") == 1, text
    assert "tiếng Việt (vi)" in text and "messages are shown in Vietnamese (vi)" in text


@pytest.mark.parametrize(
    "env, argv",
    [("en", ()), ("EN_us.UTF-8", ()), (" en ", ()), ("vi_VN", ()), ("", ()), ("fr", ("--lang", "en"))],
)
def test_a_known_language_or_one_asked_for_says_nothing(here, monkeypatch, env, argv):
    """A known language (as a locale names it, with blanks) or `--lang` on the command line: no note."""
    monkeypatch.setenv("SIMLIB_LANG", env)
    code, text = cli(*argv, "validate", "good.yaml")
    assert code == 0, text
    assert "SIMLIB_LANG" not in text, text


def test_a_language_with_blanks_is_understood(monkeypatch):
    """`SIMLIB_LANG=" en"` (a space copied with it) was Vietnamese; now English."""
    from simlib import i18n

    monkeypatch.setenv("SIMLIB_LANG", " en")
    assert i18n.get_lang() == "en"


# 2. draws without bound


@pytest.mark.parametrize(
    "argv, flag",
    [
        (("run", "good.yaml", "--out", "o", "--draws", "1000000000"), "--draws"),
        (("run", "good.yaml", "--out", "o", "--uncertainty", "99999999"), "--uncertainty"),
        (("batch", "good.yaml", "--out", "o", "--uncertainty", "20000"), "--uncertainty"),
        (("batch", "good.yaml", "--out", "o", "--uncertainty-multidim", "10001"), "--uncertainty-multidim"),
        (("sensitivity", "good.yaml", "--out", "o", "--points", "1048576"), "--points"),
        (("robustness", "good.yaml", "good.yaml", "--out", "o", "--uncertainty", "100000"), "--uncertainty"),
    ],
)
def test_huge_draws_are_refused_before_any_work(here, argv, flag):
    """`--draws 1000000000` was accepted and ran (days of work, memory for every draw): refused
    above the documented maximum with why, before anything is written."""
    code, text = cli("--lang", "en", *argv)
    assert_user_error(code, text, [f"option '{flag}': too many runs", f"allowed: ≤ {MAX_DRAWS}", "14 hours"])
    assert not (here / "o").exists()


def test_the_maximum_of_draws_is_in_the_help():
    """The planner reads the limit before typing it."""
    code, text = cli("run", "--help")
    assert code == 0
    assert f"at most {MAX_DRAWS}" in " ".join(text.split())


def test_the_maximum_itself_is_accepted(here):
    """`--draws 10000` is not said wrong (the refused command fails on something else only)."""
    code, text = cli("--lang", "en", "run", "good.yaml", "--out", "o", "--draws", str(MAX_DRAWS), "--jobs", "0")
    assert_user_error(code, text, ["--jobs"])
    assert "--draws" not in text.split("usage")[0] and "too many" not in text, text


# 3. `list` with a broken scenario


def test_list_names_a_broken_scenario_and_why(here):
    """`simlib list --scenarios DIR` showed `broken (?)` and exit status 0: now the file and its
    problems as `validate` words them, exit status 2, the good ones still listed."""
    folder = here / "plans"
    folder.mkdir()
    (folder / "good.yaml").write_text((here / "good.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "broken.yaml").write_text("name: broken\nhorizon: [\n", encoding="utf-8")
    (folder / "typo.yaml").write_text(yaml.safe_dump(tiny_raw(name="typo", horizn=3)), encoding="utf-8")
    before = snapshot(here)
    code, text = cli("list", "--scenarios", "plans")
    assert_user_error(
        code,
        text,
        [
            "plans/broken.yaml: dấu «[» mở ở dòng 2 chưa được đóng",
            "plans/typo.yaml, trường «horizn»: khóa không được hỗ trợ",
            "có phải là horizon không?",
            "simlib validate plans",
            "Phát hiện 2 lỗi",
        ],
    )
    listed = text.split("Các dự án")[0]
    assert "broken " in listed and "typo " in listed and "(?)" not in listed
    good = tiny_raw()["title_vi"]
    assert f"good{' ' * 20} {good}" in listed
    assert "P1.1" in text  # the programme's lines are still listed
    assert snapshot(here) == before


def test_list_of_good_scenarios_still_exits_0(here):
    code, text = cli("list", "--scenarios", ".")
    assert code == 0, text
    assert "Lỗi" not in text


def test_list_with_a_broken_scenario_stays_light(tmp_path):
    """The check is the scenario schema's (no dataset, no pandas): `list` stays light."""
    (tmp_path / "broken.yaml").write_text("name: broken\nhorizon: [\n", encoding="utf-8")
    seen = command("--lang", "en", "list", "--scenarios", str(tmp_path))
    assert seen["status"] == 2, seen["err"]
    assert "broken.yaml: the “[” opened on line 2 is never closed" in seen["err"], seen["err"]
    assert "problem(s)" not in seen["err"]
    assert sorted(seen["modules"] & set(TABLES)) == []


# 4. a money unit in Vietnamese


@pytest.mark.parametrize(
    "unit, meant",
    [
        ("tỷ đồng", "billion VND"),
        ("Tỷ", "billion VND"),
        ("triệu đồng", "million VND"),
        ("tr.đ", "million VND"),
        ("đồng", "VND"),
    ],
)
def test_a_money_unit_in_vietnamese_is_suggested(here, unit, meant):
    """`unit: tỷ đồng` listed the allowed units and suggested none: now the one meant."""
    raw = tiny_raw(name="good")
    raw["budget"]["unit"] = unit
    (here / "good.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, text = cli("validate", "good.yaml")
    assert_user_error(code, text, ["trường «budget.unit»", f"có phải là {meant} không?"])


def test_the_other_words_of_money_units_name_units_there_are():
    assert set(SAME_AS.values()) == set(MONEY_UNITS)


# 5. a mistyped path, refused before the heavy stacks load


@pytest.mark.parametrize(
    "argv",
    [
        ("optimize", "params/scenarios/plan_2042.yaml", "--out", "/tmp/never-written-59"),
        ("calibrate", "series", "params/series/caobang_x.yaml", "--out", "/tmp/never-written-59"),
        ("calibrate", "backtest", "params/backtest/published_2042.yaml", "--out", "/tmp/never-written-59"),
    ],
)
def test_a_mistyped_file_is_said_before_the_optimiser_or_calibration_loads(argv):
    """A refused `optimize` or `calibrate series|backtest` with a mistyped path imported the
    optimiser (SciPy, numba) and pandas before saying the file is missing."""
    seen = command("--lang", "en", *argv)
    assert seen["status"] == 2, seen["err"]
    assert "file not found" in seen["err"]
    assert not any(bad in seen["err"] for bad in INTERNAL)
    heavy = {"pandas", "scipy", "numba", "simlib.allocate.optimize", "simlib.calibrate"}
    assert sorted(seen["modules"] & heavy) == []
    assert (ROOT / "params").is_dir()


# New mistakes of round 59


@pytest.mark.parametrize(
    "typed, says",
    [
        ("good.yaml ", "«good.yaml »: đường dẫn được gõ có dấu cách thừa ở đầu hoặc cuối tên"),
        ('"good.yaml"', "dấu ngoặc kép hoặc dấu nháy nằm trong tên"),
        ("sub\\good.yaml", "dấu «\\» của Windows (trên máy này các thư mục được ngăn cách bằng dấu «/»)"),
    ],
    ids=["trailing-space", "quotes", "backslash"],
)
def test_a_path_typed_oddly_says_what_is_odd(here, typed, says):
    """A scenario path with a blank at its end (invisible in the message), kept quotes or Windows'
    backslashes was «không tìm thấy tệp» (with no suggestion for the backslash): now what is odd
    and the path meant."""
    (here / "sub").mkdir()
    (here / "sub" / "good.yaml").write_text((here / "good.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    meant = "sub/good.yaml" if "\\" in typed else "good.yaml"
    code, text = cli("validate", typed)
    assert_user_error(code, text, [says, f"có phải là {meant} không?"])


@pytest.mark.parametrize(
    "out, says",
    [
        ("o ", "(«o »): đường dẫn được gõ có dấu cách thừa ở đầu hoặc cuối tên"),
        ("~/kq", "dấu «~» ở đầu mà shell không đổi thành thư mục nhà"),
        ("C:\\kq", "dấu «\\» của Windows"),
    ],
    ids=["trailing-space", "quoted-tilde", "windows"],
)
def test_an_out_folder_typed_oddly_is_refused_before_the_work(here, out, says):
    """`--out "o "` wrote the results into a folder named «o » the planner could not find;
    `--out '~/kq'` made a folder named «~» and ended in an internal error. Refused first."""
    code, text = cli("run", "good.yaml", "--out", out)
    assert_user_error(code, text, ["«--out»", says])
    assert sorted(p.name for p in here.iterdir()) == ["good.yaml"]


def test_an_out_folder_inside_the_parameters_is_refused(here):
    """`--out params/kq` wrote the results among the model's parameters."""
    before = snapshot(ROOT / "params")
    code, text = cli("--lang", "en", "run", "good.yaml", "--out", ROOT / "params" / "kq59")
    assert_user_error(code, text, ["'--out'", "lies inside simlib's own folder", "params"])
    assert snapshot(ROOT / "params") == before


def test_upper_case_yaml_files_in_a_folder_are_scenarios(here):
    """A folder of `PLAN.YAML` (saved on Windows) was «không có tệp kịch bản .yaml nào»."""
    (here / "plans").mkdir()
    (here / "plans" / "GOOD.YAML").write_text((here / "good.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    code, text = cli("validate", "plans")
    assert code == 0, text
    assert "plans/GOOD.YAML" in text


@pytest.mark.parametrize("lang, says", [("vi", "(giá trị: để trống)"), ("en", "(value: empty)")])
def test_an_empty_value_is_said_as_empty(here, lang, says):
    """`horizon:` with nothing after it (or `--set horizon=`) was «(giá trị: None)»."""
    code, text = cli("--lang", lang, "validate", "good.yaml", "--set", "horizon=")
    assert_user_error(code, text, ["horizon", says])
    assert "None" not in text


@pytest.mark.parametrize(
    "lang, says", [("vi", "simlib không đọc kịch bản từ đầu vào chuẩn"), ("en", "reads no scenario")]
)
def test_a_dash_for_standard_input_is_said(here, lang, says):
    """`simlib validate - < plan.yaml` (or Ctrl-D at an empty prompt): «-: không tìm thấy…»."""
    code, text = cli("--lang", lang, "validate", "-")
    assert_user_error(code, text, [says])


@pytest.mark.parametrize(
    "argv, says",
    [
        (("validate", "good.yaml", "–lang", "en"), "dấu gạch dài «–»"),
        (("validate", "good.yaml", "-lang", "en"), "tham số không được hỗ trợ: -lang en"),
        (("run", "good.yaml", "—out", "o"), "tham số không được hỗ trợ: —out o"),
    ],
    ids=["en-dash", "one-hyphen", "em-dash"],
)
def test_an_option_with_a_wrong_dash_suggests_the_option(here, argv, says):
    """An option copied from a document (`–lang`: the editor's long dash) or typed with one hyphen
    was a file not found or an unknown argument with no suggestion."""
    code, text = cli(*argv)
    option = "--" + argv[2].lstrip("-–—")
    assert_user_error(code, text, [says, f"có phải là {option} không?"])
    assert not (here / "o").exists()


@pytest.mark.parametrize("key, meant", [("2024.0", "2024"), ("năm 2024", "2024")])
def test_a_year_key_in_another_form_suggests_the_year(here, key, meant):
    """`2024.0:` as a budget year showed the pattern `^[0-9]{4}$`."""
    raw = tiny_raw(name="good")
    raw["budget"]["years"] = {(key if y == "2024" else y): v for y, v in raw["budget"]["years"].items()}
    (here / "good.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    code, text = cli("validate", "good.yaml")
    assert_user_error(code, text, ["năm viết bằng bốn chữ số, ví dụ 2024", f"có phải là {meant} không?"])
    assert "^[0-9]" not in text


def test_a_calibration_may_still_write_into_the_parameters(here):
    """`calibrate … --out params/calibrated/…` (and `import-review --out data/…`) write inputs of
    the model where the README says: not refused as a results folder would be."""
    out = ROOT / "params" / "calibrated" / "kq59"
    code, text = cli(
        "--lang", "en", "calibrate", "series", ROOT / "params/series/caobang.yaml", "--out", out, "--draws", "1"
    )
    assert_user_error(code, text, ["'--draws'"])
    assert "simlib's own folder" not in text and not out.exists()
