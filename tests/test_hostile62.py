"""Round 62 of hostile inputs: a tired provincial planner's first scenario files and command lines,
and what simlib must answer now (exit status 2 and a message naming the file, the field, the value
and what to write; no traceback; nothing of the user's changed; a Ctrl-C stops a batch whole).

Tried and already answered well (no test added here): a year of plan_2027's budget deleted (the
year named) or written twice (a repeated key with its line); `1.234,5`, `12,5 tỷ`, `557 tỷ`,
`12.5%`, `12,5%`, `"557"`, `1.234.567` and `1 234` as amounts, in a block and inside `{…}`;
`50%` and `50` as a commune split's shares; commune and district names with their diacritics, in
NFD (as macOS writes) or in capitals; a whole scenario in NFD; UTF-8 with a byte-order mark, CRLF
line endings, both together; UTF-16 with its byte-order mark; a tab indenting a line; `--lang VI`
and `--lang EN` after the command; `--lang vn` (the choices said); `simlib run` on a folder (its
files listed); `--out` naming a file, or the scenario's own folder; two scenarios of a batch with
the same name (the second and third refused, the first run); a Ctrl-C while the kernels compile
or between scenarios (nothing written). `1.234` as an amount is read as 1.234 (a decimal number in
a file; `simlib.money_notes` notes the amounts likely meant as thousands).
"""

from __future__ import annotations

import nbformat
import pytest
from hostile_helpers import assert_user_error, cli, snapshot
from test_hostile60 import typed
from test_split61 import plan_with

from simlib.report import inprocess, lab

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

AMOUNT = "budget.years.2024.lines.P1.1.central_investment"


# 1. amounts with thousands grouped and a decimal part


@pytest.mark.parametrize(
    "written,lang,says",
    [
        ("1 234,5", "en", ["decimal comma; write 1234.5"]),
        ("1\u00a0234,5", "vi", ["dấu phẩy thập phân; hãy viết 1234.5"]),
        ("1 234.5", "en", ["spaces between thousands; write 1234.5"]),
        ("1,234.5", "en", ["commas between thousands; write 1234.5", "the point stays the decimal point"]),
        ("12,345,678.25", "vi", ["dấu phẩy phân cách hàng nghìn; hãy viết 12345678.25"]),
    ],
    ids=["space-comma", "nbsp-comma", "space-point", "comma-point", "commas-point"],
)
def test_grouped_thousands_with_decimals_say_the_number_to_write(here, written, lang, says):
    """`1 234,5`, `1 234.5`, `1,234.5` (a spreadsheet's or an English text's way) were «wrong
    type, expected number»: nothing said what to write."""
    code, text = cli(
        "--lang", lang, "validate", typed(here, "central_investment: 30", f"central_investment: {written}")
    )
    assert_user_error(code, text, [AMOUNT, *says])


def test_grouped_thousands_with_a_decimal_comma_in_braces_is_one_cut_amount(here):
    """`{central_investment: 1 234,5, local: 3}`: read as the text `1 234` and a key `5`; it was
    two problems, one of them «write 1234» — the decimals lost in the advice."""
    block = "        P1.1:\n          central_investment: 30\n          local: 3\n"
    name = typed(here, block, "        P1.1: {central_investment: 1 234,5, local: 3}\n")
    code, text = cli("--lang", "en", "validate", name)
    assert_user_error(code, text, [AMOUNT, "cut in two by a comma", "read as 1 234", "a key “5”"])
    assert "problems" not in text and "write 1234 " not in text and "unsupported key" not in text


# 2. a scenario saved as UTF-16 without its byte-order mark


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
@pytest.mark.parametrize("ascii_only", [False, True], ids=["diacritics", "ascii"])
def test_utf16_without_a_byte_order_mark_says_utf16(here, encoding, ascii_only):
    """Without its byte-order mark (some editors and scripts save so) a UTF-16 scenario was «not
    UTF-8: line 2 has characters of another encoding (such as Windows-1258)», or, with no
    diacritics at all, «cannot parse YAML: unacceptable character #x0000»."""
    text = (here / "good.yaml").read_text(encoding="utf-8")
    if ascii_only:
        text = text.encode("ascii", "ignore").decode("ascii")
    (here / "u16.yaml").write_bytes(text.encode(encoding))
    before = snapshot(here)
    code, out = cli("--lang", "en", "validate", "u16.yaml")
    assert_user_error(code, out, ["u16.yaml: ", "UTF-16", "save it again as UTF-8"])
    assert "x0000" not in out and "Windows-1258" not in out
    assert snapshot(here) == before
    # the guess needs a NUL in every other byte of the start: a stray NUL keeps YAML's own message
    (here / "nul.yaml").write_bytes(b"name: x\x00\n" + (here / "good.yaml").read_bytes())
    code, out = cli("--lang", "en", "validate", "nul.yaml")
    assert_user_error(code, out, ["nul.yaml"])
    assert "UTF-16" not in out


# 3. a commune written by its name without diacritics


def test_a_commune_name_without_diacritics_says_its_code(tmp_path, monkeypatch):
    """`Thuc Phan`, `xa bao lam`, `NUNG TRI CAO` (typed without Vietnamese keyboard) were «not a
    unit of the dataset» followed by the first thirty commune codes; with their diacritics they
    were already told as names with the code to write."""
    monkeypatch.chdir(tmp_path)
    path = plan_with(tmp_path, "P7.1: {Thuc Phan: 0.5, xa bao lam: 0.25, NUNG TRI CAO: 0.25}")
    code, text = cli("--lang", "en", "validate", path.name)
    assert_user_error(code, text, ["3 problem(s)"])
    for written, unit in (("Thuc Phan", "01273"), ("xa bao lam", "01290"), ("NUNG TRI CAO", "01279")):
        assert f"“{written}” is a unit's name, not its code" in text and f"write {unit}" in text, text
    assert "01294" not in text  # no list of codes


def test_a_former_district_without_diacritics_names_its_communes(tmp_path, monkeypatch):
    """`Bao Lam` in a commune split: the commune Xã Bảo Lâm, or the former district Bảo Lâm? It
    was a list of thirty codes; it is said as the former district, with the communes holding it
    (Xã Bảo Lâm among them), as `bao_lam` already was."""
    monkeypatch.chdir(tmp_path)
    code, text = cli("--lang", "en", "validate", plan_with(tmp_path, "P7.1: {Bao Lam: 1.0}").name)
    assert_user_error(code, text, ["“Bao Lam” is a district before 1 July 2025", "01290 (Xã Bảo Lâm)"])


# 4. a Ctrl-C while a batch renders a report


def test_a_ctrl_c_in_a_notebook_cell_is_raised_not_kept_as_the_cells_error(tmp_path):
    """IPython's shell catches a KeyboardInterrupt in a cell as the cell's error: `execute`
    returned it as the notebook's failure, so the cells after it did not run but the batch went
    on."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(s) for s in ("x = 1", "raise KeyboardInterrupt", "y = 2")]
    with pytest.raises(KeyboardInterrupt):
        inprocess.execute(nb, tmp_path)
    assert nb.cells[2].execution_count is None  # the cell after never ran


def test_a_ctrl_c_during_a_batch_stops_it_with_nothing_written(here, monkeypatch):
    """A Ctrl-C while the first scenario's report ran was «✗ Scenario g1 failed:
    KeyboardInterrupt», its `g1.failed.ipynb` written, and the batch went on to run every other
    scenario, the compare page and the index. It stops the batch now (status 130, «stopped as
    asked»), and nothing is written."""
    text = (here / "good.yaml").read_text(encoding="utf-8")
    (here / "mine").mkdir()
    for i in (1, 2):
        (here / "mine" / f"g{i}.yaml").write_text(text.replace("name: good", f"name: g{i}"), encoding="utf-8")

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(lab, "setup", interrupted)  # the report notebook's first call of simlib
    before = snapshot(here)
    code, out = cli("--lang", "en", "batch", "mine", "--out", "reports", "--jobs", "1")
    assert code == 130, out
    assert "KeyboardInterrupt" not in out and "Traceback" not in out
    assert not (here / "reports").exists()
    assert snapshot(here) == before


# 5. Vietnam's country code for the language


@pytest.mark.parametrize(
    "argv,env",
    [(["--lang", "vn", "validate", "good.yaml"], None), (["validate", "good.yaml", "--lang=VN"], None)]
    + [(["validate", "good.yaml"], "vn_VN.UTF-8")],
    ids=["before", "after", "environment"],
)
def test_vn_for_the_language_is_vietnamese(here, monkeypatch, argv, env):
    """`--lang vn` (the country's code, typed for the language) was «invalid value 'vn'», and
    `SIMLIB_LANG=vn_VN.UTF-8` was said to be a language simlib does not speak."""
    if env is not None:
        monkeypatch.setenv("SIMLIB_LANG", env)
    code, text = cli(*argv)
    assert code == 0, text
    assert text == "✓ Hợp lệ: good.yaml\n"


# 6. several scenarios given to `simlib run`


@pytest.mark.parametrize(
    "lang,says",
    [
        ("en", "unknown arguments: other.yaml (see the command's options: simlib run --help); simlib run runs one"),
        ("vi", "lệnh simlib run chạy một kịch bản; muốn chạy nhiều kịch bản, hãy dùng simlib batch"),
    ],
)
def test_run_given_several_scenarios_points_to_batch(here, lang, says):
    """`simlib run good.yaml other.yaml --out o` was only «unknown arguments: other.yaml»: the
    planner wanted both run, which is `simlib batch`'s job."""
    (here / "other.yaml").write_bytes((here / "good.yaml").read_bytes())
    before = snapshot(here)
    code, text = cli("--lang", lang, "run", "good.yaml", "other.yaml", "--out", "o")
    assert_user_error(code, text, [says])
    assert snapshot(here) == before
    code, text = cli("--lang", "en", "run", "good.yaml", "--bogus", "--out", "o")  # an option: no batch
    assert_user_error(code, text, ["unknown arguments: --bogus"])
    assert "batch" not in text


# 7. a key written twice, named by its field


@pytest.mark.parametrize(
    "old,new,field",
    [
        (
            "    '2025':\n      same_as: 2024\n",
            "    '2025':\n      same_as: 2024\n    '2025': {}\n",
            "budget.years.2025",
        ),
        ("          local: 3\n", "          local: 3\n          local: 4\n", "budget.years.2024.lines.P1.1.local"),
    ],
    ids=["year", "amount"],
)
def test_a_repeated_key_names_its_field(here, old, new, field):
    """A budget year (or an amount) written twice was «field '2025': key repeated at line 20»,
    the key alone: which `2025`, which `local`? The whole field is named now."""
    code, text = cli("--lang", "en", "validate", typed(here, old, new))
    assert_user_error(code, text, [f"typed.yaml, field '{field}': key repeated at line "])
