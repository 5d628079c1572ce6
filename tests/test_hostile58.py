"""Round 58 of hostile inputs: the mistakes a tired planner (or a careless maintainer) made that
simlib answered wrongly, each with the answer it must give now (exit status 2 and a clear
message, no traceback; the other scenarios of a batch still run; nothing of the user's touched).
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, tiny_raw
from hostile_helpers import assert_user_error, cli

from simlib.errors import CODE_PATTERN, InputError, closest_names, pattern_error
from simlib.uncertainty.sensitivity import sensitivity_analysis

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")


def test_the_same_file_twice_in_a_batch_runs_once(here):
    """`simlib batch good.yaml ./good.yaml` (or a folder and a file in it): the second mention was
    taken for another scenario of the same name, and its error replaced the first one's
    scenario: «0/2 scenarios done», nothing run. The file runs once."""
    code, text = cli("batch", "good.yaml", "./good.yaml", ".", "--out", "out", "--tables-only", "--executor", "serial")
    assert code == 0, text
    assert "đã được dùng" not in text and "1/1" in text, text
    assert (here / "out" / "good" / "indicators.csv").is_file()


@pytest.mark.parametrize(
    "lang,groupings,says",
    [
        ("vi", "", "tùy chọn dòng lệnh «--groupings»: giá trị không hợp lệ (giá trị: ''; cho phép: kind, project"),
        ("en", " , ", "option '--groupings': value not allowed (value: ' , '; allowed: kind, project, parameter)"),
        ("en", "kind,projet", "option '--groupings': value not allowed (value: 'projet'; allowed: kind, project"),
    ],
    ids=["empty", "blank", "misspelt"],
)
def test_sensitivity_groupings_are_checked_with_the_arguments(here, lang, groupings, says):
    """`simlib sensitivity … --groupings ""` was an internal error (ValueError: need at least one
    array to concatenate) once the analysis had started; a misspelt grouping was said as
    «'grouping'», not the option typed, after «Analysing…». Now both with the other arguments
    (here `--points 1`), before any work."""
    code, text = cli(
        "--lang", lang, "sensitivity", "good.yaml", "--out", "o", "--groupings", groupings, "--points", "1"
    )
    assert_user_error(code, text, [says, "--points"])
    assert not (here / "o").exists()


def test_sensitivity_analysis_without_a_grouping_is_an_input_error(tiny_scenario):
    """The library's own call with no grouping: an input error naming the field, not a crash."""
    with pytest.raises(InputError, match="grouping"):
        sensitivity_analysis(tiny_scenario, n=2, groupings=())


ODD = [
    ("pipe.yaml", "đây không phải tệp thông thường (là ống dẫn, thiết bị hoặc socket)"),
    ("loop.yaml", "đây là liên kết (symlink) trỏ vòng quanh, quay về chính nó"),
    ("link.yaml", "đây là liên kết (symlink) tới «nowhere.yaml», nhưng đích đó không tồn tại"),
]


@pytest.fixture
def odd(here):
    """A named pipe, two links pointing at each other and a link to nothing, beside good.yaml."""
    os.mkfifo(here / "pipe.yaml")
    (here / "loop.yaml").symlink_to("loop2.yaml")
    (here / "loop2.yaml").symlink_to("loop.yaml")
    (here / "link.yaml").symlink_to("nowhere.yaml")
    return here


@pytest.mark.parametrize("command", ["validate", "run"])
@pytest.mark.parametrize("name,says", ODD, ids=["pipe", "loop", "link"])
def test_a_pipe_or_a_broken_link_as_the_scenario_is_said_as_such(odd, command, name, says):
    """A named pipe, a link in a circle or to nothing were all «file not found», though `ls` shows
    them (and `run loop.yaml` was an internal RuntimeError: Symlink loop)."""
    argv = [command, name] + (["--out", "o"] if command == "run" else [])
    code, text = cli(*argv)
    assert_user_error(code, text, [f"{name}: {says}"])
    assert "không tìm thấy" not in text


@pytest.mark.parametrize("command", ["run", "batch"])
@pytest.mark.parametrize(
    "name,says",
    [
        ("loop.yaml", "option '--out' (loop.yaml): this is a link (symlink) that leads round in a circle"),
        ("link.yaml", "option '--out' (link.yaml): this is a link (symlink) to “nowhere.yaml”, which does not exist"),
    ],
    ids=["loop", "link"],
)
def test_a_broken_link_as_out_is_refused_before_the_work(odd, command, name, says):
    """`--out` naming a link in a circle was an internal error (RuntimeError: Symlink loop); a
    link to nothing ran the whole scenario, then failed to put the output in its place («Not a
    directory», an internal FileExistsError for a batch). Refused before any work; the links
    stay as they were."""
    before = {p.name: os.readlink(p) for p in odd.iterdir() if p.is_symlink()}
    extra = ["--tables-only"] if command == "batch" else []
    code, text = cli("--lang", "en", command, "good.yaml", "--out", name, *extra)
    assert_user_error(code, text, [says])
    assert "Running" not in text
    assert {p.name: os.readlink(p) for p in odd.iterdir() if p.is_symlink()} == before
    assert sorted(p.name for p in odd.iterdir()) == ["good.yaml", "link.yaml", "loop.yaml", "loop2.yaml", "pipe.yaml"]


@pytest.mark.parametrize(
    "text", ["# ghi chú: điền sau\n", "\n   \n\n", "---\n# only a comment\n"], ids=["comment", "blank", "dashes"]
)
@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", "note.yaml: tệp không có nội dung, chỉ có chú thích hoặc dòng trống"),
        ("en", "note.yaml: the file holds no content, only comments or blank lines"),
    ],
)
def test_a_scenario_of_only_comments_is_said_to_have_no_content(here, text, lang, says):
    """A scenario saved with its comment and nothing else (or blank lines): «content must be a
    mapping of key: value», which the 0-byte file no longer says (`test_cli_mistakes`)."""
    (here / "note.yaml").write_text(text, encoding="utf-8")
    code, out = cli("--lang", lang, "run", "note.yaml", "--out", "o")
    assert_user_error(code, out, [says])
    assert "mapping" not in out and "bảng khóa" not in out


def test_a_scenario_saved_as_utf16_says_so(here):
    """Notepad's «Unicode» is UTF-16: the message was «không phải văn bản mã hóa UTF-8 (invalid
    start byte)», Python's English inside the Vietnamese sentence, and no word of what to do."""
    (here / "u16.yaml").write_text((here / "good.yaml").read_text(encoding="utf-8"), encoding="utf-16")
    code, out = cli("validate", "u16.yaml")
    assert_user_error(code, out, ["u16.yaml: tệp được lưu theo bảng mã UTF-16", "hãy lưu lại tệp theo bảng mã UTF-8"])
    assert "invalid" not in out


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", "w.yaml: tệp không phải văn bản mã hóa UTF-8: dòng 3 có ký tự thuộc bảng mã khác"),
        ("en", "w.yaml: not UTF-8 text: line 3 holds a character in another encoding"),
    ],
)
def test_a_scenario_in_another_encoding_names_the_line(here, lang, says):
    """A title typed in Windows-1258 on line 3: the line is named, no English «invalid
    continuation byte» from Python."""
    text = "name: w\nseed: 1\ntitle_vi: Lâm Hà\n"
    (here / "w.yaml").write_bytes(text.encode("cp1258"))
    code, out = cli("--lang", lang, "validate", "w.yaml")
    assert_user_error(code, out, [says])
    assert "byte" not in out


def edited(here, name: str, change) -> str:
    """The tiny scenario, changed in place by `change(raw)`, written as `name`.yaml."""
    raw = tiny_raw(name=name)
    change(raw)
    (here / f"{name}.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return f"{name}.yaml"


def first_year(raw) -> dict:
    """The first budget year's P2 line of the tiny scenario (a mapping of sources)."""
    year = raw["budget"]["years"][min(raw["budget"]["years"])]
    return year["lines"].setdefault("P2", {})


WRITTEN = [
    (
        lambda raw: raw.update(start_year=str(raw["start_year"])),
        "vi",
        "trường «start_year»: số được đặt trong dấu nháy nên bị đọc thành chữ; hãy viết số không có dấu nháy: 2024",
    ),
    (
        lambda raw: first_year(raw).update(central_recurrent="12.5"),
        "en",
        "a number in quotes is read as text; write it without the quotes: 12.5 (value: '12.5')",
    ),
    (
        lambda raw: first_year(raw).update(central_recurrent="4e1"),
        "en",
        "scientific notation without a decimal point and a sign on the exponent is read as text; write it in full, "
        "or as 4.0e+1 (value: '4e1')",
    ),
    (
        lambda raw: first_year(raw).update(central_recurrent="25E-1"),
        "vi",
        "số viết dạng lũy thừa thiếu dấu chấm thập phân hoặc dấu của số mũ nên bị đọc thành chữ; hãy viết đủ các chữ "
        "số, hoặc viết 25.0e-1",
    ),
    (
        lambda raw: first_year(raw).update(central_recurrent="40₫"),
        "vi",
        "số tiền được viết kèm đơn vị «₫»; hãy chỉ viết số: 40 nếu «₫»",
    ),
    (
        lambda raw: raw.setdefault("overrides", {}).update({"program.lines.P2.effects.escape.value": "15%"}),
        "en",
        "a percentage: write it as a decimal fraction (1 = 100 %), without the % sign: 0.15 (value: '15%')",
    ),
    (
        lambda raw: raw.setdefault("overrides", {}).update({"program.lines.P2.effects.escape.value": "12,5 %"}),
        "vi",
        "đây là tỷ lệ phần trăm: hãy viết thành số thập phân (1 = 100 %), không kèm dấu %: 0.125",
    ),
]


@pytest.mark.parametrize(
    "change,lang,says",
    WRITTEN,
    ids=["quoted-year", "quoted", "exponent", "exponent-neg", "dong-sign", "pct", "pct-comma"],
)
def test_numbers_yaml_reads_as_text_say_what_to_write(here, change, lang, says):
    """A number in quotes (`start_year: "2024"`), in scientific notation as a spreadsheet writes
    it (`4e1`: YAML 1.1 reads text, `4.0e+1` a number), with the đồng sign, or a percentage
    where a fraction goes: all were «wrong type, expected number (value: '2024')» — a value the
    planner sees as a number. Now what to write."""
    code, text = cli("--lang", lang, "validate", edited(here, "w", change))
    assert_user_error(code, text, [says])


FOLDED = [
    (
        lambda raw: raw["budget"].update(unit="billion vnd"),
        ["(value: 'billion vnd'; allowed: billion VND, million VND, VND); did you mean billion VND?"],
    ),
    (
        lambda raw: raw["budget"].update(district_split={"lines": {"P5": {"North": 0.5, "SOUTH": 0.5}}}),
        ["P5.North'", "(value: 'North'; allowed: north, south, town); did you mean north?", "did you mean south?"],
    ),
]


@pytest.mark.parametrize("change,says", FOLDED, ids=["unit-case", "unit-names"])
def test_a_code_written_with_capitals_is_suggested(here, change, says):
    """`unit: billion vnd` and a district split by `North`, `SOUTH`: the allowed codes were
    listed, but none suggested (difflib finds `billion vnd` too far from `billion VND`); the code
    that is the same but for capitals, diacritics and spaces is."""
    code, text = cli("--lang", "en", "validate", edited(here, "w", change))
    assert_user_error(code, text, says)


@pytest.mark.parametrize(
    "word,names,expected",
    [
        ("Hà Quảng", ["ha_quang", "ha_lang", "bao_lam"], ["ha_quang"]),
        ("Billion VND", ["billion VND", "million VND", "VND"], ["billion VND"]),
        ("Đông Khê", ["dong_khe", "dong_khe_2"], ["dong_khe"]),
    ],
)
def test_closest_names_sees_through_capitals_diacritics_and_spaces(word, names, expected):
    """By hand: each `word` is its expected code written as a name; difflib alone found nothing
    for the first three (ratio below 0.75) and both million/billion for the second."""
    assert closest_names(word, names) == expected


INTERRUPTED = """
import os, signal, time
from concurrent.futures.process import BrokenProcessPool
from simlib.executors import make_executor


def ready():
    pass


def nap():
    time.sleep(60)


if __name__ == "__main__":
    with make_executor("local", jobs=2, warm=ready) as ex:
        fut = ex.submit(nap)
        while not fut.running():
            time.sleep(0.05)
        time.sleep(1)  # the other worker waiting for work, as in a batch with one scenario left
        try:
            os.killpg(0, signal.SIGINT)  # Ctrl-C: the terminal interrupts every process of the command
            fut.result()
        except (KeyboardInterrupt, BrokenProcessPool):
            # on a loaded machine the pool once reported its stopped worker before this process's
            # own interrupt was raised (CI, load about 2; not understood, not reproduced quiet).
            # What this test checks: no worker's traceback below
            print("stopped")
"""


def test_ctrl_c_with_local_workers_prints_no_traceback(tmp_path):
    """Ctrl-C in `simlib batch … --jobs 2`: the batch said «Đã dừng theo yêu cầu» and removed
    what it had begun, but each worker process printed its own «Process SpawnProcess-1:
    Traceback … KeyboardInterrupt» above it. The workers now end without a word; the main
    process still stops (and says so)."""
    script = tmp_path / "interrupted.py"
    script.write_text(INTERRUPTED, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    r = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        start_new_session=True,
    )
    assert r.returncode == 0 and r.stdout.strip() == "stopped", (r.stdout, r.stderr)
    assert "Traceback" not in r.stderr and "KeyboardInterrupt" not in r.stderr, r.stderr


@pytest.mark.parametrize("value", ["0", "-1", "abc"])
@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", "«NUMBA_NUM_THREADS»: số luồng tính toán của numba phải là số nguyên, tối thiểu là 1"),
        ("en", "'NUMBA_NUM_THREADS': numba's number of computing threads must be a whole number of at least 1"),
    ],
)
def test_a_wrong_numba_thread_count_in_the_environment_is_said(here, monkeypatch, value, lang, says):
    """`NUMBA_NUM_THREADS=0` (a maintainer's try at «no parallel threads»): numba refused to import,
    an internal «ValueError: Number of threads specified must be > 0.» in the middle of the
    command's checks; `abc` gave numba's long RuntimeWarning. Said as the environment's mistake."""
    monkeypatch.setenv("NUMBA_NUM_THREADS", value)
    code, text = cli("--lang", lang, "run", "good.yaml", "--out", "o")
    assert_user_error(code, text, [says, f"'{value}'"])
    assert not (here / "o").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["--lang", "en-US", "run", "nope.yaml", "--out", "o"],
        ["run", "nope.yaml", "--out", "o", "--lang=en_GB.UTF-8"],
        ["batch", "nope.yaml", "--lang", "EN-us"],
    ],
    ids=["before", "after", "batch"],
)
def test_the_language_given_as_a_locale_is_understood(here, argv):
    """`--lang en-US` (a locale's name, as `SIMLIB_LANG=en_US.UTF-8` is already read): the
    language meant, not «invalid choice: 'en-us'» in Vietnamese."""
    code, text = cli(*argv)
    assert_user_error(code, text, ["Error: nope.yaml: file not found"])
    assert "not allowed" not in text and "không hợp lệ" not in text


@pytest.mark.parametrize(
    "lang,name,says",
    [
        (
            "vi",
            "kế_hoạch_2024",
            "trường «name»: không đúng định dạng (giá trị: 'kế_hoạch_2024'; cho phép: chữ cái không dấu, chữ số, "
            "dấu _ và dấu -); có phải là ke_hoach_2024 không?",
        ),
        (
            "en",
            "Đề án 2024",
            "field 'name': wrong format (value: 'Đề án 2024'; allowed: letters without diacritics, digits, _ and -); "
            "did you mean De_an_2024?",
        ),
    ],
)
def test_a_scenario_name_with_diacritics_is_said_in_words(here, lang, name, says):
    """`name: kế_hoạch_2024`: the allowed form was the schema's regular expression
    `^[A-Za-z0-9_\\-]+$`, which no planner reads; now in words, with the name mended."""
    code, text = cli("--lang", lang, "validate", edited(here, "w", lambda raw: raw.update(name=name)))
    assert_user_error(code, text, [says])
    assert "A-Za-z" not in text


def test_a_code_pattern_is_said_in_words_by_hand():
    """A code (`^[a-z0-9_]+$`, e.g. a unit's): lower case; other patterns are shown as they are."""
    err = pattern_error("Hà Quảng", CODE_PATTERN, "f.yaml", "units")
    assert err.suggest == ["ha_quang"]
    assert "(value: 'Hà Quảng'; allowed: lower-case letters without diacritics, digits and _)" in err.message("en")
    assert pattern_error("x", "^C[0-9]+$", "f.yaml", "c").message("en").endswith("allowed: ^C[0-9]+$)")


@pytest.mark.parametrize(
    "lang,says",
    [
        (
            "vi",
            "tổng tỷ lệ phải bằng 1 (hiện là 100: có vẻ tỷ lệ được ghi theo phần trăm); hãy ghi mỗi tỷ lệ thành số thập phân",
        ),
        (
            "en",
            "the shares must add up to 1 (they add up to 100: percentages, it seems); write each as a decimal fraction",
        ),
    ],
)
def test_shares_written_as_percentages_are_told_to_be_fractions(here, lang, says):
    """An envelope split `shares: {P2: 40, P3.1: 60}`: «must add up to 1 (it is 100)» with each
    share «must be ≤ 1»; the planner meant 40 % and 60 %, which the message now says to write as
    0.4 and 0.6."""

    def envelope(raw):
        year = min(raw["budget"]["years"])
        raw["budget"]["years"][year] = {"envelope": {"central_recurrent": 10}, "shares": {"P2": 40, "P3.1": 60}}

    code, text = cli("--lang", lang, "validate", edited(here, "w", envelope))
    assert_user_error(code, text, [says])


@pytest.mark.parametrize(
    "split,says",
    [
        (
            {"north": 50, "south": 50},
            [
                "'budget.district_split.lines.P5.north': value must be ≤ 1 (value: 50)",
                "'budget.district_split.lines.P5': the shares must add up to 1 (they add up to 100: percentages",
            ],
        ),
        (
            {"north": "60%", "south": "40%"},
            [
                "'budget.district_split.lines.P5.north': a percentage: write it as a decimal fraction (1 = 100 %), "
                "without the % sign: 0.6 (value: '60%')"
            ],
        ),
    ],
    ids=["percent-numbers", "percent-signs"],
)
def test_a_district_split_in_percentages_names_its_shares(here, split, says):
    """A line's district split written `{north: 50, south: 50}` (or `60%`): «does not match exactly
    one allowed form (value: {...})» — the split may be a rule's name or a mapping of shares, and
    neither was said to be wrong where. The mapping's own problems are said now."""
    code, text = cli(
        "--lang",
        "en",
        "validate",
        edited(here, "w", lambda raw: raw["budget"].update(district_split={"lines": {"P5": split}})),
    )
    assert_user_error(code, text, says)
    assert "exactly one" not in text


@pytest.mark.parametrize(
    "change,lang,says",
    [
        (
            lambda raw: raw.update(start_year="31/12/2024"),
            "vi",
            "trường «start_year»: đây là ngày tháng, trong khi trường này cần một năm; hãy chỉ ghi năm: 2024",
        ),
        (
            lambda raw: raw.update(start_year=datetime.date(2024, 1, 1)),
            "en",
            "field 'start_year': a date where a year goes; write the year only: 2024 (value: '2024-01-01')",
        ),
    ],
    ids=["dd/mm/yyyy", "iso-date"],
)
def test_a_date_where_a_year_goes_says_to_write_the_year(here, change, lang, says):
    """`start_year: 31/12/2024` (the plan's date) or `2024-01-01` (which YAML reads as a date):
    «sai kiểu dữ liệu, cần số nguyên». The year is what to write."""
    code, text = cli("--lang", lang, "validate", edited(here, "w", change))
    assert_user_error(code, text, [says])


def test_the_scenario_file_given_as_out_is_said_once(here):
    """`simlib run good.yaml --out good.yaml` (the scenario's name typed twice): «the output path
    is a file» and also «input files inside the output folder (good.yaml, good.yaml)» — the same
    file twice, inside no folder. One problem, the file untouched."""
    before = (here / "good.yaml").read_bytes()
    code, text = cli("--lang", "en", "run", "good.yaml", "--out", "good.yaml")
    assert_user_error(code, text, ["option '--out' (good.yaml): "])
    assert "problem(s)" not in text and "good.yaml, good.yaml" not in text, text
    assert (here / "good.yaml").read_bytes() == before


def test_an_input_inside_the_out_folder_is_named_once(here):
    """The scenario inside the folder given as `--out`: it was listed twice (as named on the
    command line and as the run reads it)."""
    (here / "mine").mkdir()
    (here / "mine" / "s.yaml").write_bytes((here / "good.yaml").read_bytes())
    code, text = cli("--lang", "en", "run", "mine/s.yaml", "--out", "mine")
    assert_user_error(code, text, ["(mine/s.yaml)"])
