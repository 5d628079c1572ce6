"""Round 64's mends of what hostile64 left: a scenario file cut off while being saved, CSV text
saved under a .yaml name, an optimiser spec among the scenarios of a folder, a path typed in NFD,
and a scenario's `params:` folder after the scenario was copied to another folder. Each answer:
exit status 2, one message naming the file (and field), what is wrong and what to write; no
traceback, nothing written."""

from __future__ import annotations

import unicodedata

import pytest
from conftest import ROOT
from hostile_helpers import assert_user_error, cli

pytestmark = pytest.mark.usefixtures("vietnamese_by_default")

SCENARIOS = ROOT / "params" / "scenarios"


# 1. a file cut off while being saved


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", ["bị cắt ngang", "dòng 40 «P3.1: {central_recurrent: 23.909, local: 2, mob»", "chép lại"]),
        ("en", ["looks cut off", "line 40 “P3.1: {central_recurrent: 23.909, local: 2, mob”", "copy it again"]),
    ],
)
def test_a_file_cut_inside_a_line_is_said_cut_off(here, lang, says):
    """equal_split.yaml cut after 2600 bytes, inside a `{…}` of line 40, was «cannot parse YAML at
    line 40, column 56: expected ',' or '}', but got '<stream end>'» — the parser's English in
    the Vietnamese message. It says now the file looks cut off, its last line, and what to do."""
    (here / "cut.yaml").write_bytes((SCENARIOS / "equal_split.yaml").read_bytes()[:2600])
    code, text = cli("--lang", lang, "validate", "cut.yaml")
    assert_user_error(code, text, says)
    assert "stream" not in text and text.count("cut.yaml:") == 1


def test_quoted_text_cut_off_names_the_line_it_opened_on(here):
    """A quoted title cut off: the line the quote opened on, its text."""
    (here / "cut.yaml").write_text('name: x\ntitle_vi: "Chia đều', encoding="utf-8")
    code, text = cli("validate", "cut.yaml")
    assert_user_error(code, text, ['dòng 2 «title_vi: "Chia đều»', "mở từ dòng 2"])
    assert "end of stream" not in text


def test_a_bracket_left_open_by_hand_keeps_its_syntax_message(here):
    """The bound: a file that ends with a line end was saved whole; its open bracket is a syntax
    error, said from the line it opens to where the parser gave up (as before)."""
    (here / "broken.yaml").write_text("name: x\nhorizon: [1\n", encoding="utf-8")
    code, text = cli("validate", "broken.yaml")
    assert_user_error(code, text, ["dấu «[» mở ở dòng 2 chưa được đóng", "«]»"])  # said plainly (input65)
    assert "bị cắt" not in text


# 2. a table saved under a .yaml name


@pytest.mark.parametrize("sep", [",", ";"])
def test_csv_text_under_a_yaml_name_is_said_a_table(here, sep):
    """Rows of a table saved by Excel as `plan.yaml` were «content must be a mapping of key:
    value»: said now as a comma-separated table, not a scenario, pointing at params/scenarios/."""
    rows = ["name,year,line,central_investment", "plan,2024,P1.1,102.5", "plan,2024,P1.2,102.5"]
    (here / "plan.yaml").write_text("\n".join(r.replace(",", sep) for r in rows) + "\n", encoding="utf-8")
    code, text = cli("validate", "plan.yaml")
    assert_user_error(
        code, text, ["plan.yaml: nội dung tệp trông như một bảng", "«name" + sep + "year", "params/scenarios/"]
    )
    code, text = cli("--lang", "en", "validate", "plan.yaml")
    assert_user_error(code, text, ["looks like a comma-separated table", "not a scenario", "params/scenarios/"])


def test_plain_text_is_still_no_mapping(here):
    """One line of text with no separators keeps its message."""
    (here / "note.yaml").write_text("kế hoạch năm sau\n", encoding="utf-8")
    code, text = cli("--lang", "en", "validate", "note.yaml")
    assert_user_error(code, text, ["note.yaml: content must be a mapping of key: value"])


# 5. `params:` of a scenario copied to another folder


@pytest.mark.parametrize(
    "lang,says",
    [
        ("vi", ["elsewhere/copied.yaml, trường «params»", "không phải thư mục tham số", "giá trị: '..'", "/params"]),
        ("en", ["elsewhere/copied.yaml, field 'params'", "no parameter folder", "value: '..'", "/params"]),
    ],
)
def test_a_params_folder_lost_by_a_copy_is_said_once(here, lang, says):
    """A scenario written in params/scenarios with `params: ..` (the project's params/), copied
    to another folder, was ten «file not found» (program.yaml, transitions.yaml, …) naming neither
    the scenario nor its field: one message now, the field, the path as written, where it was
    looked for (the copy's parent folder) and the bundled folder the same path leads to."""
    text = (SCENARIOS / "equal_split.yaml").read_text(encoding="utf-8")
    (here / "elsewhere").mkdir()
    (here / "elsewhere" / "copied.yaml").write_text(text.replace("dataset: caobang", "params: ..\ndataset: caobang"))
    code, out = cli("--lang", lang, "validate", "elsewhere/copied.yaml")
    assert_user_error(code, out, [*says, str(here), str(ROOT / "params")])
    assert out.count("program.yaml") == 1 and "transitions.yaml" not in out


def test_a_params_folder_that_is_there_is_used(here):
    """`params:` naming the project's params/ from a copy elsewhere (written in full) is valid."""
    text = (SCENARIOS / "equal_split.yaml").read_text(encoding="utf-8")
    (here / "copied.yaml").write_text(text.replace("dataset: caobang", f"params: {ROOT / 'params'}\ndataset: caobang"))
    assert cli("validate", "copied.yaml") == (0, "✓ Hợp lệ: copied.yaml\n")


# 3. an optimiser spec among the scenarios


def test_an_optimiser_spec_among_scenarios_is_said_one(here):
    """The bundled spec (params/optimize/example_commitments.yaml) in a folder of scenarios was
    eleven problems (six unknown keys, five missing fields), none saying what the file is: one
    message now, the others of the folder still checked (and valid)."""
    (here / "kb").mkdir()
    (here / "kb" / "spec.yaml").write_bytes((ROOT / "params" / "optimize" / "example_commitments.yaml").read_bytes())
    (here / "kb" / "good.yaml").write_bytes((here / "good.yaml").read_bytes())
    code, text = cli("validate", "kb")
    assert_user_error(code, text, ["✓ Hợp lệ: kb/good.yaml", "kb/spec.yaml: đây là tệp yêu cầu của bộ tối ưu"])
    assert "khóa không được hỗ trợ" not in text and "thiếu trường" not in text
    code, text = cli("--lang", "en", "validate", "kb/spec.yaml")
    assert_user_error(code, text, ["optimiser spec file (for “simlib optimize --spec”), not a scenario", "move it out"])


def test_a_scenario_with_spec_like_keys_keeps_its_messages(here):
    """A scenario file with only `seed:` and `unit:` (both a spec's and a scenario's words) is
    no spec: its missing fields are said as before."""
    (here / "half.yaml").write_text("seed: 3\n", encoding="utf-8")
    code, text = cli("--lang", "en", "validate", "half.yaml")
    assert_user_error(code, text, ["required field 'name' is missing"])


# 4. a path typed in NFD


@pytest.mark.parametrize("typed_as", ["Kế hoạch/kịch bản.yaml", "Kế hoạch"])
def test_a_path_typed_in_nfd_finds_the_file_saved_in_nfc(here, typed_as):
    """`Kế hoạch/kịch bản.yaml` typed (or pasted from macOS) with its accents decomposed was «not
    found; did you mean Kế hoạch/kịch bản.yaml?», a name that looks the same: the file saved
    under the composed form (NFC) is used, as it is named on the disk."""
    (here / "Kế hoạch").mkdir()
    (here / "Kế hoạch" / "kịch bản.yaml").write_bytes((here / "good.yaml").read_bytes())
    nfd = unicodedata.normalize("NFD", typed_as)
    assert nfd != typed_as and not (here / nfd).exists()
    assert cli("validate", nfd) == (0, "✓ Hợp lệ: Kế hoạch/kịch bản.yaml\n")


def test_a_file_saved_in_nfd_is_found_typed_in_nfc(here):
    """The other way round: a file saved with decomposed accents, typed composed."""
    (here / unicodedata.normalize("NFD", "kịch bản.yaml")).write_bytes((here / "good.yaml").read_bytes())
    code, text = cli("validate", "kịch bản.yaml")
    assert code == 0 and unicodedata.normalize("NFC", text) == "✓ Hợp lệ: kịch bản.yaml\n"
